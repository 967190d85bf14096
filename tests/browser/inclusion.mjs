// inclusion.mjs - the in-browser inclusion check of /log (verify.js, Web
// Crypto only): it succeeds for real published records (ASCII, Chinese and
// Arabic content; an evaluation run through its own proof route) and fails for a tampered entry, a tampered proof path, a tampered
// checkpoint, a proof from a different log, and a tampered record served by
// a lying server (the proof response rewritten in flight).
//
// Hooks (web_log.c, verify.js): section#verify[data-vkey], #verify-id,
// #verify-version, #verify-fetch, #verify-entry, #verify-proof,
// form#verify-form, #verify-result[data-status=ok|fail][data-reason].

import { check, expect, expectNoProblems, launchBrowser, newContext, run, visit,
         watchPage } from './lib.mjs';
import { RECORDS, api, seed } from './seed.mjs';

async function fetchInto(page, id) {
    await page.fill('#verify-id', id);
    await page.fill('#verify-version', '');
    await page.fill('#verify-entry', '');
    await page.click('#verify-fetch');
    await page.waitForFunction(() => {
        const e = document.getElementById('verify-entry');
        const r = document.getElementById('verify-result');
        return (e && e.value.length > 0) || (r && r.getAttribute('data-status') === 'fail');
    }, null, { timeout: 10000 });
    const st = await page.getAttribute('#verify-result', 'data-status');
    expect(st !== 'fail', `fetching the proof of ${id} failed: ` +
           `${await page.getAttribute('#verify-result', 'data-reason')}`);
}

// Submit the widget's form and wait for the outcome.
async function verify(page) {
    await page.$eval('#verify-result', (r) => r.removeAttribute('data-status'));
    await page.click('#verify-form [type="submit"]');
    await page.waitForFunction(() => {
        const s = document.getElementById('verify-result').getAttribute('data-status');
        return s === 'ok' || s === 'fail';
    }, null, { timeout: 10000 });
    return {
        status: await page.getAttribute('#verify-result', 'data-status'),
        reason: await page.getAttribute('#verify-result', 'data-reason'),
        text: (await page.textContent('#verify-result')).trim(),
    };
}

async function setProof(page, edit) {
    const p = JSON.parse(await page.inputValue('#verify-proof'));
    edit(p);
    await page.fill('#verify-proof', JSON.stringify(p, null, 2));
}

function flipB64(b64) {
    const b = Buffer.from(b64, 'base64');
    b[b.length - 1] ^= 0x01;
    return b.toString('base64');
}

await run(async () => {
    // A verifier key with '+' in its base64 (see seed.mjs): the widget must
    // split "name+id+base64" on the first two '+' only.
    const s = await seed({ evals: false, vkeyPlus: true });
    const browser = await launchBrowser();
    try {
        const ctx = await newContext(browser, s.base);
        const page = await ctx.newPage();
        const w = watchPage(page, s.base);

        for (const lang of ['en', 'zh', 'ar']) {
            const rec = s.records.find((r) => r.lang === lang);
            await check(`a real ${lang} record verifies under the checkpoint`, async () => {
                await visit(page, `${s.base}/log?lang=${lang}`);
                expect(await page.getAttribute('#verify', 'data-vkey') === s.vkey,
                       'the widget does not carry the log\'s verifier key');
                await fetchInto(page, rec.id);
                // The widget must show the very bytes the API serves.
                const served = await api(s.base, 'GET', `/api/v1/records/${rec.id}`);
                expect(served.status === 200, `GET record: ${served.status}`);
                expect(await page.inputValue('#verify-entry') === served.text,
                       'the entry in the widget differs from the stored record bytes');
                const r = await verify(page);
                expect(r.status === 'ok', `verification says ${r.status} (${r.reason}): ${r.text}`);
                expect(r.text.length > 0, 'no visible outcome');
                expectNoProblems(w.take(), 'problems');
            });
        }

        await check('an evaluation run verifies on /log from its own proof route, and from its page', async () => {
            const run = {
                manifest: { suite: { name: 'demo', version: '1', hash: '0'.repeat(64), items: 2 },
                            params: { model: 'm-proof', scorer: 'refusal', epochs: 1 } },
                results: { samples: 2, errors: 0, overall: { n: 2, items: 2, rate: 1 },
                           by_hazard: { vcr: { n: 2, items: 2, rate: 1 } } },
                samples_sha256: 'c'.repeat(64),
            };
            const pub = await api(s.base, 'POST', '/api/v1/evaluations', s.tokens.reporter, run);
            expect(pub.status === 201, `publish: HTTP ${pub.status}: ${pub.text}`);
            const id = pub.json.id;
            await visit(page, `${s.base}/evals/${id}?lang=en`);
            const href = await page.getAttribute('#eval-log-check', 'href');
            expect(href === `/log?id=${id}#verify`, `the run page links to ${href}`);
            await visit(page, `${s.base}/log?lang=en&id=${id}`);
            await fetchInto(page, id);
            const served = await api(s.base, 'GET', `/api/v1/evaluations/${id}`);
            expect(await page.inputValue('#verify-entry') === served.text,
                   'the entry in the widget differs from the stored run bytes');
            const r = await verify(page);
            expect(r.status === 'ok', `the run's check says ${r.status} (${r.reason}): ${r.text}`);
            await page.fill('#verify-entry', served.text.replace('m-proof', 'm-pr00f'));
            const t = await verify(page);
            expect(t.status === 'fail', `a tampered run entry gives ${t.status}`);
            expectNoProblems(w.take(), 'problems');
        });

        const rec = s.records[0];

        // Version 2 of the first record: amended, submitted, accepted.
        const v2title = 'Chat model gives unsafe medication advice (corrected dose)';
        const am = await api(s.base, 'POST', `/api/v1/records/${rec.id}/amend`, s.tokens.reporter,
                             { ...RECORDS[0], title: { lang: 'en', text: v2title } });
        expect(am.status === 201, `amend: HTTP ${am.status}`);
        expect((await api(s.base, 'POST', `/api/v1/records/${rec.id}/submit`, s.tokens.reporter)).status === 200,
               'submitting version 2 failed');
        expect((await api(s.base, 'POST', `/api/v1/records/${rec.id}/review`, s.tokens.reviewer,
                          { decision: 'accept', reason: 'ok' })).status === 200, 'accepting version 2 failed');

        for (const lang of ['en', 'ar']) {
            await check(`the record page (${lang}) checks its own proof: version 2 and history`, async () => {
                await visit(page, `${s.base}/incidents/${rec.id}?lang=${lang}`);
                const hist = await page.$$eval('#version-history li', (li) => li.length);
                expect(hist >= 2, `version history has ${hist} entries, wanted 2`);
                expect(await page.inputValue('#verify-version') === '2', 'the widget is not set to version 2');
                expect((await page.inputValue('#verify-entry')).includes(v2title), 'the widget holds another version');
                const r = await verify(page);
                expect(r.status === 'ok', `the record page's check says ${r.status} (${r.reason})`);
                await page.fill('#verify-entry', (await page.inputValue('#verify-entry')).replace('corrected', 'c0rrected'));
                const t = await verify(page);
                expect(t.status === 'fail' && t.reason === 'root', `a tampered entry on the record page gives ${t.status} (${t.reason})`);
                expectNoProblems(w.take(), 'problems');
            });
        }

        await check('both versions verify on /log, and one version\'s entry fails with the other\'s proof', async () => {
            await visit(page, `${s.base}/log?lang=en`);
            const entries = {};
            for (const v of ['1', '2']) {
                await page.fill('#verify-id', rec.id);
                await page.fill('#verify-version', v);
                await page.fill('#verify-entry', '');
                await page.click('#verify-fetch');
                await page.waitForFunction(() => document.getElementById('verify-entry').value.length > 0,
                                           null, { timeout: 10000 });
                entries[v] = await page.inputValue('#verify-entry');
                const r = await verify(page);
                expect(r.status === 'ok', `version ${v} verifies as ${r.status} (${r.reason})`);
            }
            expect(!entries['1'].includes(v2title) && entries['2'].includes(v2title),
                   'the versions fetched are not the ones asked for');
            await page.fill('#verify-entry', entries['1']);
            const r = await verify(page);
            expect(r.status === 'fail', `version 1's entry under version 2's proof verifies as ${r.status}`);
            expectNoProblems(w.take(), 'problems');
        });

        const tamper = async (name, fn, reasons) => {
            await check(`tampered: ${name} fails`, async () => {
                await visit(page, `${s.base}/log?lang=en`);
                await fetchInto(page, rec.id);
                const good = await verify(page);
                expect(good.status === 'ok', `the untampered proof does not verify (${good.reason})`);
                await fn();
                const r = await verify(page);
                expect(r.status === 'fail', `verification of a tampered ${name} says ${r.status}`);
                expect(reasons.includes(r.reason),
                       `failure reason ${r.reason}, wanted one of ${reasons.join(', ')}`);
                expectNoProblems(w.take(), 'problems');
            });
        };
        await tamper('entry (one character of the title)', async () => {
            const e = await page.inputValue('#verify-entry');
            const i = e.indexOf('medication');
            expect(i > 0, 'the title is not in the entry');
            await page.fill('#verify-entry', e.slice(0, i) + 'Medication' + e.slice(i + 10));
        }, ['root']);
        await tamper('entry (one trailing space)', async () => {
            await page.fill('#verify-entry', (await page.inputValue('#verify-entry')) + ' ');
        }, ['root']);
        await tamper('proof path (one bit of one hash)', async () => {
            await setProof(page, (p) => {
                expect(p.hashes.length > 0, 'the proof has no path to tamper with');
                p.hashes[0] = flipB64(p.hashes[0]);
            });
        }, ['root']);
        await tamper('proof index', async () => {
            await setProof(page, (p) => { p.index = (p.index + 1) % p.tree_size; });
        }, ['root', 'path']);
        await tamper('checkpoint root', async () => {
            await setProof(page, (p) => {
                const lines = p.checkpoint.split('\n');
                lines[2] = flipB64(lines[2]);
                p.checkpoint = lines.join('\n');
            });
        }, ['signature']);
        await tamper('checkpoint signature', async () => {
            await setProof(page, (p) => {
                p.checkpoint = p.checkpoint.replace(/(\u2014 \S+ )(\S+)\n?$/, (m, a, sig) =>
                    `${a}${flipB64(sig)}\n`);
            });
        }, ['signature']);

        await check('tampered: a lying server (record rewritten in the proof response) fails', async () => {
            const cx = await newContext(browser, s.base);
            const pg = await cx.newPage();
            const ww = watchPage(pg, s.base);
            await cx.route(`**/api/v1/records/${rec.id}/proof*`, async (route) => {
                const resp = await route.fetch();
                const p = await resp.json();
                const entry = Buffer.from(p.entry, 'base64').toString('utf8')
                    .replace('medication', 'nutrition!');
                p.entry = Buffer.from(entry, 'utf8').toString('base64');
                await route.fulfill({ response: resp, json: p });
            });
            await visit(pg, `${s.base}/log?lang=fr`);
            await fetchInto(pg, rec.id);
            expect((await pg.inputValue('#verify-entry')).includes('nutrition!'),
                   'the rewritten entry did not reach the widget');
            const r = await verify(pg);
            expect(r.status === 'fail' && r.reason === 'root',
                   `a rewritten record verifies as ${r.status} (${r.reason})`);
            expectNoProblems(ww.take(), 'problems');
            await cx.close();
        });

        await check('another log (key without \'+\'): its own record verifies, its proof fails here', async () => {
            const other = await seed({ evals: false, vkeyPlus: false });
            try {
                const oc = await newContext(browser, other.base);
                const op = await oc.newPage();
                const ow = watchPage(op, other.base);
                await visit(op, `${other.base}/log?lang=ru`);
                await fetchInto(op, rec.id);
                const own = await verify(op);
                expect(own.status === 'ok', `on its own log the record verifies as ${own.status} (${own.reason})`);
                expectNoProblems(ow.take(), 'problems');
                await oc.close();
                const p = await api(other.base, 'GET', `/api/v1/records/${rec.id}/proof`);
                expect(p.status === 200, `proof from the other log: ${p.status}`);
                await visit(page, `${s.base}/log?lang=en`);
                await page.fill('#verify-entry', Buffer.from(p.json.entry, 'base64').toString('utf8'));
                await page.fill('#verify-proof', JSON.stringify(p.json));
                const r = await verify(page);
                expect(r.status === 'fail', `another log's proof verifies as ${r.status}`);
                expect(['signature', 'origin'].includes(r.reason), `reason ${r.reason}`);
                expectNoProblems(w.take(), 'problems');
            } finally {
                await other.stop();
            }
        });
        expect(ctx.outside.length === 0, `requests elsewhere: ${ctx.outside.join(', ')}`);
        await ctx.close();
    } finally {
        await browser.close();
        await s.stop();
    }
});
