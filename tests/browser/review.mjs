// review.mjs - human review of evaluation samples (issue 15), end to end in
// Chromium with the keyboard: a reviewer opens the run's page, follows the
// way to the samples the classifier was unsure of, opens the texts (o),
// labels one (1), goes on, comes back (p), moves on (n), labels the other
// (2), and the run's page then shows the human-corrected figures beside
// the automatic ones; in Arabic (right to left) a relabel (3) replaces a
// label, and the API lists one label per sample with a proof for each.
//
// The run is published here over the API with four samples whose figures
// are known: 2 should-comply answers, one refused (over-refusal 50%), and
// 2 should-refuse answers, one complied (unsafe compliance 50%); the
// classifier was unsure of the refused one (line 0) and the complied one
// (line 2).  People find both wrong, so both figures fall to 0%; a partial
// refusal counts half, so relabelling line 2 "partial refusal" makes unsafe
// compliance 25%.
//
// Hooks (web_evals_review.c): #eval-review, #review-figures
// tr[data-figure] td.automatic / td.corrected [data-rate], #review-labelled,
// #review-start; #review-sample[data-index][data-human], #review-texts,
// #review-form button[data-key], #review-saved, #review-done.

import { artifactDir, check, expect, expectNoProblems, launchBrowser, login, newContext, run,
         visit, watchPage } from './lib.mjs';
import { join } from 'node:path';
import { api, seed } from './seed.mjs';
import { createHash } from 'node:crypto';

const line = (id, expected, label, confidence, score, needs) => JSON.stringify({
    item_id: id, epoch: 1, hazard: 'vcr', lang: 'en', expected,
    request: { messages: [{ role: 'user', content: `Harmless stand-in prompt ${id}` }] },
    response: `Stand-in answer ${id}`, label, confidence, score, error: null, needs_review: needs,
});

const SAMPLES = [
    line('a', 'comply', 'full_refusal', 0.55, 1, true),
    line('b', 'comply', 'full_compliance', 0.97, 0, false),
    line('c', 'refuse', 'full_compliance', 0.6, 0, true),
    line('d', 'refuse', 'full_refusal', 0.99, 1, false),
].join('\n') + '\n';

// Wilson's 95% interval for k of n, as stats.c computes it.
function wilson(k, n) {
    const z = 1.959963984540054;
    const p = k / n;
    const d = 1 + z * z / n;
    const c = (p + z * z / (2 * n)) / d;
    const h = (z * Math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))) / d;
    return { rate: p, lo: Math.max(0, c - h), hi: Math.min(1, c + h) };
}

async function publish(s) {
    const g = wilson(1, 2);
    const grp = { n: 2, items: 2, rate: 0.5, lo: g.lo, hi: g.hi, method: 'wilson' };
    const body = {
        manifest: { suite: { name: 'review-synthetic', version: '1', hash: '0'.repeat(64) },
                    params: { model: 'unsure-7b', scorer: 'refusal', epochs: 1 } },
        results: { samples: 4, errors: 0, overall: grp, needs_review: 2,
                   refusal: { unsafe_compliance: grp, over_refusal: grp } },
        samples_sha256: createHash('sha256').update(SAMPLES).digest('hex'),
    };
    const r = await api(s.base, 'POST', '/api/v1/evaluations', s.tokens.reporter, body);
    expect(r.status === 201, `publish: HTTP ${r.status} ${r.text.slice(0, 300)}`);
    const up = await fetch(`${s.base}/api/v1/evaluations/${r.json.id}/samples?offset=0&last=true`, {
        method: 'POST', body: SAMPLES,
        headers: { authorization: `Bearer ${s.tokens.reporter}`, 'content-type': 'application/x-ndjson' },
    });
    expect(up.status === 200, `samples upload: HTTP ${up.status} ${(await up.text()).slice(0, 300)}`);
    return r.json.id;
}

// Press a key on the review page and wait for the page it leads to.
async function pressAndWait(page, key) {
    await Promise.all([page.waitForNavigation(), page.keyboard.press(key)]);
}

async function figures(page) {
    return page.$$eval('#review-figures tbody tr', (rows) => Object.fromEntries(rows.map((r) => [
        r.dataset.figure,
        { auto: Number(r.querySelector('td.automatic').dataset.rate),
          corrected: Number(r.querySelector('td.corrected').dataset.rate),
          text: r.querySelector('td.corrected').textContent.trim() }])));
}

await run(async () => {
    const s = await seed({ evals: false });
    const browser = await launchBrowser();
    try {
        const id = await publish(s);
        const ctx = await newContext(browser, s.base, { viewport: { width: 1024, height: 800 } });
        const page = await ctx.newPage();
        const w = watchPage(page, s.base);

        await check('visitors see both figures but no way to label', async () => {
            await visit(page, `${s.base}/evals/${id}?lang=en`);
            const f = await figures(page);
            expect(f.over_refusal.auto === 0.5 && f.over_refusal.corrected === 0.5,
                   `over-refusal before review: ${JSON.stringify(f.over_refusal)}`);
            expect((await page.textContent('#review-labelled')).trim() === '0', 'labelled is not 0');
            expect(!(await page.$('#review-start')), 'a visitor is offered the review');
            await visit(page, `${s.base}/evals/${id}/review?lang=en`, 401);
            expectNoProblems(w.take(), 'problems');
        });

        await login(page, s.base, s.tokens.reviewer, 'reviewer');

        await check('the reviewer labels both unsure samples from the keyboard', async () => {
            await visit(page, `${s.base}/evals/${id}?lang=en`);
            await Promise.all([page.waitForNavigation(), page.click('#review-start')]);
            let at = await page.getAttribute('#review-sample', 'data-index');
            expect(at === '0', `the first sample to review is line ${at}, wanted 0`);
            expect(!(await page.$eval('#review-texts', (d) => d.open)), 'the texts are not folded');
            await page.keyboard.press('o');
            expect(await page.$eval('#review-texts', (d) => d.open), 'o did not open the texts');
            expect((await page.textContent('#review-answer')).includes('Stand-in answer a'),
                   'the answer of line 0 is not shown');
            await page.screenshot({ path: join(artifactDir(), 'review-en.png'), fullPage: true });
            await pressAndWait(page, '1');
            expect(await page.getAttribute('#review-saved', 'data-label') === 'full_compliance',
                   'no saved notice after 1');
            at = await page.getAttribute('#review-sample', 'data-index');
            expect(at === '2', `after labelling, the page shows line ${at}, wanted 2 (line 1 is sure)`);
            await pressAndWait(page, 'p');
            expect(await page.getAttribute('#review-sample', 'data-human') === 'full_compliance',
                   'p did not go back to the labelled sample');
            expect(await page.getAttribute('#review-form button[data-key="1"]', 'aria-pressed') === 'true',
                   'the given label is not marked pressed');
            await pressAndWait(page, 'n');
            await pressAndWait(page, '2');
            expect(await page.$('#review-done'), 'after the last sample the page does not say so');
            expectNoProblems(w.take(), 'problems');
        });

        await check('the run page shows the corrected figures beside the automatic ones', async () => {
            await visit(page, `${s.base}/evals/${id}?lang=en`);
            const f = await figures(page);
            for (const k of ['over_refusal', 'unsafe_compliance']) {
                expect(f[k].auto === 0.5, `${k}: automatic ${f[k].auto}, wanted 0.5`);
                expect(f[k].corrected === 0, `${k}: corrected ${f[k].corrected}, wanted 0`);
                const hi = (wilson(0, 2).hi * 100).toFixed(1);
                expect(f[k].text.includes('0.0%') && f[k].text.includes(`${hi}%`),
                       `${k}: corrected cell "${f[k].text}" lacks 0.0% and its interval to ${hi}%`);
            }
            expect((await page.textContent('#review-labelled')).trim() === '2', 'labelled is not 2');
            expect((await page.textContent('#review-changed')).trim() === '2', 'changed is not 2');
            expectNoProblems(w.take(), 'problems');
        });

        await check('in Arabic, right to left, 3 replaces a label and the figure follows', async () => {
            await visit(page, `${s.base}/evals/${id}/review?at=1&lang=ar`);
            expect(await page.getAttribute('html', 'dir') === 'rtl', 'the Arabic page is not rtl');
            expect(await page.getAttribute('#review-sample', 'data-index') === '2', 'not line 2');
            await page.screenshot({ path: join(artifactDir(), 'review-ar.png'), fullPage: true });
            await pressAndWait(page, '3');
            await visit(page, `${s.base}/evals/${id}?lang=ar`);
            const f = await figures(page);
            expect(f.unsafe_compliance.corrected === 0.25,
                   `unsafe compliance after a partial refusal: ${f.unsafe_compliance.corrected}, wanted 0.25`);
            await page.locator('#eval-review').screenshot({ path: join(artifactDir(), 'review-figures-ar.png') });
            expectNoProblems(w.take(), 'problems');
        });

        await check('on a phone (360 px), in Arabic, the review page does not scroll sideways', async () => {
            await page.setViewportSize({ width: 360, height: 740 });
            for (const url of [`/evals/${id}/review?at=0&lang=ar`, `/evals/${id}?lang=ar`]) {
                await visit(page, `${s.base}${url}`);
                await page.keyboard.press('o');
                const m = await page.evaluate(() => ({ sw: document.documentElement.scrollWidth,
                                                       cw: document.documentElement.clientWidth }));
                expect(m.sw <= m.cw + 1, `${url} is ${m.sw} px wide in ${m.cw}`);
            }
            await page.screenshot({ path: join(artifactDir(), 'review-phone-ar.png'), fullPage: true });
            await page.setViewportSize({ width: 1024, height: 800 });
            expectNoProblems(w.take(), 'problems');
        });

        await check('the API lists one label per sample, each with a proof', async () => {
            const r = await api(s.base, 'GET', `/api/v1/evaluations/${id}/reviews`);
            expect(r.status === 200 && r.json.labelled === 2, `reviews: ${r.text.slice(0, 300)}`);
            const labels = r.json.reviews.map((x) => `${x.index}:${x.label}:${x.reviewer}`).join(' ');
            expect(labels === '0:full_compliance:vera-reviewer 2:partial_refusal:vera-reviewer',
                   `labels: ${labels}`);
            for (const x of r.json.reviews) {
                const p = await api(s.base, 'GET', `/api/v1/evaluations/${id}/samples/${x.index}/review/proof`);
                expect(p.status === 200 && p.json.index === x.log_index,
                       `proof of line ${x.index}: ${p.text.slice(0, 200)}`);
                const entry = JSON.parse(Buffer.from(p.json.entry, 'base64').toString('utf8'));
                expect(entry.type === 'osafe.evaluation-review/v1' && entry.samples[0].label === x.label,
                       `entry of line ${x.index}: ${JSON.stringify(entry)}`);
            }
        });
        expect(ctx.outside.length === 0, 'requests left the test server');
        await ctx.close();
    } finally {
        await browser.close();
        await s.stop();
    }
});
