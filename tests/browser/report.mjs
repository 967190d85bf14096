// report.mjs - `osafe eval report RUNDIR --html FILE [--against RUNDIR]`
// opened from disk in the browser with every request refused: one
// self-contained file (no request but the file itself, no stylesheet,
// script or image from elsewhere, no console error), the run's numbers as
// computed independently from the fake model's answers, charts, the worst
// items behind a content warning (closed until asked for), the comparison
// with the other run, readable on a phone; a screenshot as an artefact.

import { execFileSync } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
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
    } finally {
        await browser.close();
        await s.stop();
    }
});
