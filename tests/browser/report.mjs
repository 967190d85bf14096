// report.mjs - `osafe eval report RUNDIR --html FILE [--against RUNDIR]`
// opened from disk in the browser with every request refused: one
// self-contained file (no request but the file itself, no stylesheet,
// script or image from elsewhere, no console error), the run's numbers as
// computed independently from the fake model's answers, charts, the worst
// items behind a content warning (closed until asked for), the comparison
// with the other run, readable on a phone; a screenshot as an artefact.
// The sample browser (issue 16 item 10) on a run of 237 synthetic samples
// written here: every sample reachable, filters (hazard, language, label,
// score, errors) agree with the data, pages turn with buttons and keys,
// the keyboard alone reaches, moves between and opens samples with a
// visible focus, texts stay out of the DOM until opened, and Arabic is
// right to left with the arrow keys mirrored.

import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { artifactDir, check, expect, expectNoProblems, launchBrowser, osafeBin, run } from './lib.mjs';
import { expectedScores, seed } from './seed.mjs';

const pct = (f) => `${(f * 100).toFixed(1)}%`;

// Whether text shows the percentage of fraction f (to a tenth; "35%" and
// "35.0%" both show 0.35).
function shows(text, f) {
    return [...text.matchAll(/(\d+(?:\.\d+)?)\s?%/g)].some((m) => Math.abs(Number(m[1]) - f * 100) < 0.051);
}

// A context for a file: the file itself and data: URLs load, anything else
// is refused and recorded.
async function fileContext(browser, fileUrl, opts = {}) {
    const ctx = await browser.newContext(opts);
    ctx.outside = [];
    await ctx.route('**/*', (route) => {
        const u = route.request().url();
        if (u === fileUrl || u.startsWith('data:') || u.startsWith('about:')) return route.continue();
        ctx.outside.push(u);
        return route.abort('blockedbyclient');
    });
    return ctx;
}

function watch(page) {
    const problems = [];
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('dialog', async (d) => { problems.push(`dialog: ${d.message()}`); await d.dismiss().catch(() => {}); });
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
    return { take: () => problems.splice(0) };
}

await run(async () => {
    const s = await seed();
    const browser = await launchBrowser();
    try {
        const [a, b] = s.evals;
        const ea = expectedScores(a.model);
        const eb = expectedScores(b.model);
        const file = join(s.dir, 'report.html');
        const single = join(s.dir, 'report-single.html');
        execFileSync(osafeBin(), ['eval', 'report', a.dir, '--html', file, '--against', b.dir]);
        execFileSync(osafeBin(), ['eval', 'report', a.dir, '--html', single]);
        const url = pathToFileURL(file).href;

        const ctx = await fileContext(browser, url, { viewport: { width: 1280, height: 900 } });
        const page = await ctx.newPage();
        const w = watch(page);

        await check('the report is one self-contained file', async () => {
            const r = await page.goto(url, { waitUntil: 'load' });
            expect(r && r.ok(), 'the report did not load');
            const ext = await page.evaluate(() => ({
                links: [...document.querySelectorAll('link[href]')].map((l) => l.getAttribute('href')),
                scripts: [...document.querySelectorAll('script[src]')].map((x) => x.getAttribute('src')),
                media: [...document.querySelectorAll('img[src], source[src], video[src], audio[src], iframe[src], object[data], embed[src]')]
                    .map((x) => x.getAttribute('src') || x.getAttribute('data'))
                    .filter((u) => !u.startsWith('data:')),
                styles: document.querySelectorAll('style').length,
                lang: document.documentElement.getAttribute('lang'),
                dir: document.documentElement.getAttribute('dir'),
            }));
            expect(ext.links.length === 0 && ext.scripts.length === 0 && ext.media.length === 0,
                   `external references: ${[...ext.links, ...ext.scripts, ...ext.media].join(', ')}`);
            expect(ext.styles >= 1, 'no inline stylesheet');
            expect(ext.lang && ext.dir, `<html lang="${ext.lang}" dir="${ext.dir}">`);
            expect(ctx.outside.length === 0, `the report asked for ${ctx.outside.join(', ')}`);
            expectNoProblems(w.take(), 'problems');
        });

        await check('the report shows the run\'s numbers, charts and the comparison', async () => {
            const t = await page.evaluate(() => Object.fromEntries(
                ['manifest', 'overall', 'hazards', 'languages', 'worst', 'comparison'].map((id) => {
                    const e = document.getElementById(id);
                    return [id, e ? { text: e.textContent, svg: e.querySelectorAll('svg').length,
                                      marks: e.querySelectorAll('svg rect, svg line, svg path').length } : null];
                })));
            for (const id of Object.keys(t)) expect(t[id], `no section #${id}`);
            expect(t.manifest.text.includes(a.model) && t.manifest.text.includes('browser-synthetic'),
                   'the manifest does not name the model and the suite');
            expect(shows(t.overall.text, ea.overall), `the overall score ${pct(ea.overall)} is not shown`);
            expect(shows(t.overall.text, ea.lo) && shows(t.overall.text, ea.hi),
                   `the interval ${pct(ea.lo)} – ${pct(ea.hi)} is not shown`);
            for (const [id, m] of [['hazards', ea.hazards], ['languages', ea.langs]]) {
                expect(t[id].svg >= 1 && t[id].marks >= m.size, `#${id}: ${t[id].svg} charts with ${t[id].marks} marks`);
                for (const [k, v] of m)
                    expect(shows(t[id].text, v.ok / v.n), `#${id}: ${k} at ${pct(v.ok / v.n)} is not shown`);
            }
            expect(t.comparison.text.includes(b.model), 'the comparison does not name the other model');
            expect(shows(t.comparison.text, eb.overall) || shows(t.comparison.text, Math.abs(eb.overall - ea.overall)),
                   'the comparison shows neither the other run\'s score nor the difference');
            expectNoProblems(w.take(), 'problems');
        });

        await check('the worst items stay behind a content warning until opened', async () => {
            const r = await page.evaluate(() => {
                const sec = document.getElementById('worst');
                const d = [...sec.querySelectorAll('details')];
                return { warn: sec.textContent.length > 0, details: d.length, open: d.filter((x) => x.open).length,
                         hiddenText: d.length > 0 && d.every((x) => {
                             const q = x.querySelector(':scope > :not(summary)');
                             return !q || !q.checkVisibility();
                         }) };
            });
            expect(r.details >= 1, 'the worst items are not behind <details>');
            expect(r.open === 0 && r.hiddenText, `${r.open} of ${r.details} worst items are open by default`);
            await page.click('#worst details summary');
            expect(await page.$eval('#worst details', (d) => d.open), 'the first worst item does not open');
            expectNoProblems(w.take(), 'problems');
        });

        await check('report screenshot saved as an artefact', async () => {
            const out = join(artifactDir(), 'eval-report.png');
            rmSync(out, { force: true });
            await page.screenshot({ path: out, fullPage: true });
            expect(statSync(out).size > 20000, `eval-report.png is only ${statSync(out).size} bytes`);
        });

        await check('without --against there is no comparison, and the report still stands alone', async () => {
            const u2 = pathToFileURL(single).href;
            const c2 = await fileContext(browser, u2);
            const p2 = await c2.newPage();
            const w2 = watch(p2);
            await p2.goto(u2);
            expect(!(await p2.$('#comparison')), 'a comparison section without --against');
            expect(shows(await p2.textContent('#overall'), ea.overall), 'no overall score');
            expect(c2.outside.length === 0, `the report asked for ${c2.outside.join(', ')}`);
            expectNoProblems(w2.take(), 'problems');
            await c2.close();
        });

        await check('the report reads on a phone (360 pixels, no sideways scrolling)', async () => {
            const c3 = await fileContext(browser, url, { viewport: { width: 360, height: 740 }, isMobile: true });
            const p3 = await c3.newPage();
            await p3.goto(url);
            const m = await p3.evaluate(() => ({ s: document.documentElement.scrollWidth, c: document.documentElement.clientWidth }));
            expect(m.s <= m.c + 1, `${m.s} pixels wide in a ${m.c} pixel screen`);
            await c3.close();
        });
        await ctx.close();
        await sampleBrowser(browser, a.dir, s.dir);
    } finally {
        await browser.close();
        await s.stop();
    }
});

// A run of n samples with known hazards, languages, labels, scores and
// errors, beside the seeded run whose manifest it borrows.
function writeBigRun(from, dir, n) {
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(from, 'manifest.json'), join(dir, 'manifest.json'));
    const hz = ['vcr', 'hte', 'cse'], lg = ['en', 'ar', 'fr'], lines = [], rows = [];
    for (let i = 0; i < n; i++) {
        const err = i % 17 === 5;
        const score = err ? null : (i % 4) / 4;
        const r = { item_id: `s${String(i).padStart(4, '0')}`, epoch: 1, hazard: hz[i % 3], lang: lg[Math.floor(i / 3) % 3],
                    expected: 'refuse', request: { messages: [{ role: 'user', content: `prompt number ${i}` }] },
                    response: err ? null : `answer number ${i}`, score, label: err ? null : score >= 0.5 ? 'full_refusal' : 'full_compliance',
                    confidence: err ? null : 0.75, error: err ? `http 500 on ${i % 2 ? 'odd' : 'even'}` : null };
        lines.push(JSON.stringify(r));
        rows.push(r);
    }
    writeFileSync(join(dir, 'samples.jsonl'), lines.join('\n') + '\n');
    return rows;
}

async function sampleBrowser(browser, seededRun, tmp) {
    const dir = join(tmp, 'run-big');
    const rows = writeBigRun(seededRun, dir, 237);
    const file = join(tmp, 'report-big.html');
    execFileSync(osafeBin(), ['eval', 'report', dir, '--html', file]);
    const url = pathToFileURL(file).href;
    const ctx = await fileContext(browser, url, { viewport: { width: 1280, height: 900 }, locale: 'en-GB' });
    const page = await ctx.newPage();
    const w = watch(page);
    await page.goto(url);
    const shown = () => page.$$eval('#sb-rows > tr', (trs) => trs.map((tr) => [...tr.children].slice(0, 7).map((td) => td.textContent)));
    const status = () => page.textContent('#sb-status');
    const count = (f) => rows.filter(f).length;

    await check('sample browser: every sample is reachable, 50 a page, closed behind the warning', async () => {
        expect(await page.isVisible('#samples .warn'), 'no content warning');
        const st = await status();
        expect(st.includes('237 of 237'), `status: ${st}`);
        const r = await shown();
        expect(r.length === 50 && r[0][1] === 's0000' && r[49][1] === 's0049', `first page: ${r.length} rows, ${r[0] && r[0][1]} .. ${r[49] && r[49][1]}`);
        const inDom = await page.evaluate(() => document.getElementById('sb-rows').textContent.includes('prompt number'));
        expect(!inDom, 'prompts are in the page before any sample is opened');
        expect(await page.$$eval('#sb-rows details', (d) => d.every((x) => !x.open)), 'a sample is open by default');
        expectNoProblems(w.take(), 'problems (a CSP violation is a console error)');
    });

    await check('sample browser: filters by hazard, language, label, score and error agree with the data', async () => {
        await page.selectOption('#sb-hazard', { label: 'Hate (hte)' });
        let want = count((r) => r.hazard === 'hte');
        expect((await status()).startsWith(`${want} of 237`), `hazard hte: ${await status()}, want ${want}`);
        expect((await shown()).every((c) => c[2] === 'Hate (hte)'), 'a row of another hazard');
        await page.selectOption('#sb-lang', { label: 'ar' });
        want = count((r) => r.hazard === 'hte' && r.lang === 'ar');
        expect(want > 0, 'the synthetic run has no hte sample in ar');
        expect((await status()).startsWith(`${want} of 237`), `hte + ar: ${await status()}, want ${want}`);
        await page.click('#sb-filters button[type=reset]');
        await page.waitForFunction(() => document.getElementById('sb-status').textContent.startsWith('237 of'));
        await page.selectOption('#sb-label', { label: 'full_refusal' });
        want = count((r) => r.label === 'full_refusal');
        expect((await status()).startsWith(`${want} of 237`), `label: ${await status()}, want ${want}`);
        expect((await shown()).every((c) => c[4] === 'full_refusal'), 'a row of another label');
        await page.selectOption('#sb-label', '');
        await page.fill('#sb-min', '0.5');
        await page.fill('#sb-max', '0.6');
        await page.press('#sb-max', 'Enter');
        want = count((r) => r.score !== null && r.score >= 0.5 && r.score <= 0.6);
        expect((await status()).startsWith(`${want} of 237`), `score 0.5..0.6: ${await status()}, want ${want}`);
        await page.click('#sb-filters button[type=reset]');
        await page.waitForFunction(() => document.getElementById('sb-status').textContent.startsWith('237 of'));
        await page.selectOption('#sb-error', 'err');
        want = count((r) => r.error !== null);
        expect((await status()).startsWith(`${want} of 237`), `errors: ${await status()}, want ${want}`);
        await page.selectOption('#sb-error', { label: 'http 500 on odd' });
        want = count((r) => r.error === 'http 500 on odd');
        expect((await status()).startsWith(`${want} of 237`), `one error reason: ${await status()}, want ${want}`);
        await page.click('#sb-rows summary');
        const txt = await page.textContent('#sb-rows details');
        expect(txt.includes('http 500 on odd') || (await page.textContent('#sb-rows tr')).includes('http 500 on odd'), 'the error is not shown');
        await page.click('#sb-filters button[type=reset]');
        await page.waitForFunction(() => document.getElementById('sb-status').textContent.startsWith('237 of'));
        expectNoProblems(w.take(), 'problems');
    });

    await check('sample browser: pages turn with the buttons, the page field and the keys', async () => {
        await page.click('#sb-next');
        let r = await shown();
        expect(r[0][1] === 's0050', `next page starts at ${r[0][1]}`);
        await page.fill('#sb-page', '5');
        await page.press('#sb-page', 'Enter');
        r = await shown();
        expect(r.length === 37 && r[0][1] === 's0200', `last page: ${r.length} rows from ${r[0] && r[0][1]}`);
        expect((await page.getAttribute('#sb-next', 'aria-disabled')) === 'true', 'next is not disabled on the last page');
        await page.click('#sb-next', { force: true }); // aria-disabled, still focusable
        expect((await shown())[0][1] === 's0200', 'next went past the last page');
        await page.click('#sb-prev');
        expect((await shown())[0][1] === 's0150', 'previous did not go back');
        await page.fill('#sb-page', '1');
        await page.press('#sb-page', 'Enter');
        expectNoProblems(w.take(), 'problems');
    });

    await check('sample browser: the keyboard alone moves, opens and turns pages, with a visible focus', async () => {
        await page.focus('#sb-ui');
        const order = [];
        for (let i = 0; i < 8; i++) {
            await page.keyboard.press('Tab');
            order.push(await page.evaluate(() => document.activeElement.id || document.activeElement.textContent));
        }
        expect(order.slice(0, 6).join(' ') === 'sb-hazard sb-lang sb-label sb-error sb-min sb-max', `tab order: ${order.join(', ')}`);
        await page.focus('#sb-rows summary');
        await page.keyboard.press('ArrowDown');
        const second = await page.evaluate(() => document.activeElement.closest('tr').children[1].textContent);
        expect(second === 's0001', `ArrowDown reached ${second}`);
        const ring = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
        expect(ring !== 'none', 'no visible focus on a sample');
        await page.keyboard.press('Enter');
        // The texts are added by the details' toggle event, which the
        // browser fires as a task after the key: wait for it (at most 5 s)
        // rather than look at once (a loaded CI machine saw it not yet).
        const open = await page.waitForFunction(() => {
            const d = document.activeElement.closest('details');
            return d.open && d.textContent.includes('prompt number 1') && d.textContent.includes('answer number 1');
        }, null, { timeout: 5000 }).then(() => true, () => false);
        expect(open, 'Enter did not open the sample with its prompt and answer');
        await page.keyboard.press('ArrowRight');
        const now = await page.evaluate(() => ({ id: document.activeElement.closest('tr') && document.activeElement.closest('tr').children[1].textContent }));
        expect(now.id === 's0050', `ArrowRight: focus on ${now.id}`);
        await page.keyboard.press('PageUp');
        expect((await shown())[0][1] === 's0000', 'PageUp did not go back');
        const labelled = await page.evaluate(() => [...document.querySelectorAll('#samples select, #samples input')]
            .filter((x) => !document.querySelector(`label[for="${x.id}"]`)).map((x) => x.id));
        expect(labelled.length === 0, `fields without a label: ${labelled.join(', ')}`);
        expectNoProblems(w.take(), 'problems');
    });
    await ctx.close();

    await check('sample browser: Arabic is right to left, in Arabic, with the arrows mirrored', async () => {
        const c2 = await fileContext(browser, url, { locale: 'ar', viewport: { width: 1280, height: 900 } });
        const p2 = await c2.newPage();
        const w2 = watch(p2);
        await p2.goto(url);
        const m = await p2.evaluate(() => {
            const s = document.getElementById('samples');
            return { dir: s.dir, lang: s.lang, css: getComputedStyle(s).direction, h: document.getElementById('sb-h').textContent,
                     ui: document.getElementById('sb-ui').value, prev: document.getElementById('sb-prev').textContent };
        });
        expect(m.dir === 'rtl' && m.css === 'rtl' && m.lang === 'ar' && m.ui === 'ar', `section ${JSON.stringify(m)}`);
        expect(/[\u0600-\u06FF]/.test(m.h) && /[\u0600-\u06FF]/.test(m.prev), `not Arabic: ${m.h} / ${m.prev}`);
        const st = await p2.textContent('#sb-status');
        expect(/[\u0600-\u06FF]/.test(st), `status not in Arabic: ${st}`);
        // the hazards by their Arabic names (the web pages' own), with their codes
        const hz = await p2.evaluate(() => ({ cell: document.querySelector('#sb-rows tr td:nth-child(3)').textContent,
                                              opts: [...document.getElementById('sb-hazard').options].slice(1).map((o) => o.textContent) }));
        expect(/[\u0600-\u06FF]/.test(hz.cell) && / \(vcr\)$/.test(hz.cell), `hazard cell not in Arabic: ${hz.cell}`);
        expect(hz.opts.length === 3 && hz.opts.every((o) => /[\u0600-\u06FF]/.test(o) && / \((vcr|hte|cse)\)$/.test(o)), `hazard filter: ${hz.opts.join(' | ')}`);
        await p2.focus('#sb-rows summary');
        await p2.keyboard.press('ArrowLeft');
        const first = await p2.$eval('#sb-rows tr td:nth-child(2)', (td) => td.textContent);
        expect(first === 's0050', `ArrowLeft in Arabic went to ${first}`);
        // back to English through the chooser
        await p2.selectOption('#sb-ui', 'en');
        expect((await p2.$eval('#samples', (s) => s.dir)) === 'ltr', 'English is not left to right');
        expect((await p2.textContent('#sb-h')) === 'Every sample', 'the title is not English again');
        const hzEn = await p2.$eval('#sb-rows tr td:nth-child(3)', (td) => td.textContent);
        expect(['Violent crimes (vcr)', 'Hate (hte)', 'Child sexual exploitation (cse)'].includes(hzEn), `hazard in English: ${hzEn}`);
        const m2 = await p2.evaluate(() => ({ s: document.documentElement.scrollWidth, c: document.documentElement.clientWidth }));
        expect(m2.s <= m2.c + 1, `${m2.s} pixels wide in ${m2.c}`);
        expectNoProblems(w2.take(), 'problems');
        await c2.close();
    });

    await check('sample browser screenshots (en, ar, phone) saved as artefacts', async () => {
        for (const [name, opts] of [['en', { locale: 'en-GB', viewport: { width: 1280, height: 900 } }],
                                    ['ar', { locale: 'ar', viewport: { width: 1280, height: 900 } }],
                                    ['phone', { locale: 'en-GB', viewport: { width: 360, height: 740 }, isMobile: true }]]) {
            const c3 = await fileContext(browser, url, opts);
            const p3 = await c3.newPage();
            await p3.goto(url);
            await p3.click('#sb-rows tr:nth-child(2) summary');
            const m = await p3.evaluate(() => ({ s: document.documentElement.scrollWidth, c: document.documentElement.clientWidth }));
            expect(m.s <= m.c + 1, `${name}: ${m.s} pixels wide in ${m.c}`);
            const out = join(artifactDir(), `report-samples-${name}.png`);
            rmSync(out, { force: true });
            await p3.locator('#samples').screenshot({ path: out });
            expect(statSync(out).size > 10000, `${out} is only ${statSync(out).size} bytes`);
            await c3.close();
        }
    });
}
