// evals.mjs - the evaluation pages show the right numbers, in each
// language's number format, with charts, and compare two models.
//
// The expected scores are computed here from the suite and the fake
// model's deterministic answers (seed.mjs), not read from osafe: per hazard,
// per language and overall, with the overall Wilson 95% interval.
//
// Hooks (web_evals.c): table#eval-list tr[data-id], form#eval-compare with
// select#cmp-a / #cmp-b; article#eval[data-id], #eval-overall,
// #eval-hazards, #eval-languages (a chart and a table each), #eval-manifest,
// #eval-comparison.

import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LANGS, check, expect, expectNoProblems, launchBrowser, newContext, osafeBin, run, visit,
         watchPage } from './lib.mjs';
import { ORIGIN, expectedScores as expected, seed } from './seed.mjs';

// Decimal separator per language (web_int.h: ar keeps Western digits with
// the Arabic decimal separator U+066B).
const DECIMAL = { en: '.', zh: '.', es: ',', fr: ',', ar: '\u066b', ru: ',' };

// "58.3" as the page's language writes it.
const pct = (f, lang) => (f * 100).toFixed(1).replace('.', DECIMAL[lang]);

// The percentages in a table's score column (the third), as written.
async function scoreColumn(page, section) {
    return page.$$eval(`${section} table tbody tr`, (rows) => rows.map((r) => {
        const cells = r.querySelectorAll('th, td');
        return cells[2] ? cells[2].textContent.trim() : '';
    }));
}

// The number at the start of a cell, separators kept: "58,3 %" -> "58,3".
const lead = (text) => (/^[0-9]+[.,\u066b][0-9]/.exec(text.replace(/\s/g, '')) || [''])[0];

const sorted = (a) => [...a].sort();

await run(async () => {
    const s = await seed();
    const browser = await launchBrowser();
    let mirror = null;
    try {
        const ctx = await newContext(browser, s.base, { viewport: { width: 1024, height: 800 } });
        const page = await ctx.newPage();
        const w = watchPage(page, s.base);
        const [a, b] = s.evals;
        const ea = expected(a.model);
        const eb = expected(b.model);
        expect(ea.overall !== eb.overall, 'the two fake models score the same: nothing to compare');

        await check('the list shows both runs with their models and scores', async () => {
            await visit(page, `${s.base}/evals?lang=en`);
            for (const [run, e] of [[a, ea], [b, eb]]) {
                const row = page.locator(`#eval-list tr[data-id="${run.id}"]`);
                expect(await row.count() === 1, `no row for ${run.id}`);
                const t = await row.textContent();
                expect(t.includes(run.model), `the row of ${run.id} does not name ${run.model}`);
                expect(t.includes(`${pct(e.overall, 'en')}%`), `the row of ${run.id} does not show ${pct(e.overall, 'en')}%`);
            }
            expectNoProblems(w.take(), 'problems');
        });

        for (const lang of LANGS) {
            await check(`run page (${lang}): scores per hazard and language, interval, charts`, async () => {
                await visit(page, `${s.base}/evals/${a.id}?lang=${lang}`);
                const overall = await page.textContent('#eval-overall');
                expect(overall.includes(pct(ea.overall, lang)),
                       `overall score ${pct(ea.overall, lang)} not shown: ${overall.slice(0, 200)}`);
                expect(overall.includes(pct(ea.lo, lang)) && overall.includes(pct(ea.hi, lang)),
                       `interval ${pct(ea.lo, lang)} – ${pct(ea.hi, lang)} not shown`);
                const hz = (await scoreColumn(page, '#eval-hazards')).map(lead);
                const hzWant = [...ea.hazards.values()].map((v) => pct(v.ok / v.n, lang));
                expect(JSON.stringify(sorted(hz)) === JSON.stringify(sorted(hzWant)),
                       `hazard scores [${hz}], wanted [${hzWant}] in some order`);
                const lg = (await scoreColumn(page, '#eval-languages')).map(lead);
                const lgWant = [...ea.langs.values()].map((v) => pct(v.ok / v.n, lang));
                expect(JSON.stringify(sorted(lg)) === JSON.stringify(sorted(lgWant)),
                       `language scores [${lg}], wanted [${lgWant}] in some order`);
                for (const sec of ['#eval-hazards', '#eval-languages']) {
                    const c = await page.$eval(sec, (el) => {
                        const svg = el.querySelector('svg');
                        if (!svg) return null;
                        const r = svg.getBoundingClientRect();
                        return { w: r.width, h: r.height, room: el.getBoundingClientRect().width,
                                 marks: svg.querySelectorAll('rect, path, line').length };
                    });
                    expect(c, `${sec} has no chart`);
                    expect(c.w > 100 && c.h > 50 && c.w <= c.room + 1,
                           `${sec} chart is ${c.w}x${c.h} in ${c.room} pixels`);
                    expect(c.marks >= 5, `${sec} chart has only ${c.marks} marks`);
                }
                const man = await page.textContent('#eval-manifest');
                expect(man.includes(a.model) && man.includes('browser-synthetic'),
                       'the manifest does not name the model and the suite');
                expectNoProblems(w.take(), 'problems');
            });
        }

        await check('comparing two runs with the form shows both side by side', async () => {
            await visit(page, `${s.base}/evals?lang=es`);
            await page.selectOption('#cmp-a', a.id);
            await page.selectOption('#cmp-b', b.id);
            await Promise.all([page.waitForNavigation(), page.click('#eval-compare [type="submit"]')]);
            const cmp = page.locator('#eval-comparison');
            expect(await cmp.count() === 1, `no comparison at ${page.url()}`);
            const t = await cmp.textContent();
            for (const [run, e] of [[a, ea], [b, eb]]) {
                expect(t.includes(run.model), `the comparison does not name ${run.model}`);
                expect(t.includes(pct(e.overall, 'es')), `the comparison does not show ${run.model}'s ${pct(e.overall, 'es')}`);
            }
            expect(await page.getAttribute('html', 'lang') === 'es', 'the comparison lost the language');
            expectNoProblems(w.take(), 'problems');
        });

        // Issue 16 item 9: the compare drop-downs were cut (Arabic worst:
        // the model, at the start of the text, was what was lost).  A
        // <select>'s scrollWidth always equals its clientWidth in Chromium,
        // so the chosen option's text is measured on a canvas in the
        // select's own font, against the box less its padding and arrow.
        for (const [lang, width] of [['ar', 1024], ['ar', 360], ['en', 1024], ['en', 360]]) {
            await check(`compare drop-downs (${lang}, ${width} px): the chosen run's text fits its box`, async () => {
                const c = await browser.newContext({ viewport: { width, height: 800 } });
                await c.route('**/*', (r) => (r.request().url().startsWith(s.base) ? r.continue() : r.abort()));
                const p = await c.newPage();
                await p.goto(`${s.base}/evals?lang=${lang}`);
                const m = await p.$$eval('#eval-compare select', (ss) => ss.map((x) => {
                    const cs = getComputedStyle(x);
                    const g = document.createElement('canvas').getContext('2d');
                    g.font = `${cs.fontStyle} ${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
                    const txt = x.options[x.selectedIndex].text;
                    const room = x.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight) - 20;
                    return { id: x.id, txt, need: g.measureText(txt).width, room, sw: x.scrollWidth, cw: x.clientWidth,
                             dir: getComputedStyle(x).direction };
                }));
                expect(m.length === 2, `${m.length} drop-downs`);
                for (const x of m) {
                    expect(x.sw <= x.cw, `#${x.id}: scrollWidth ${x.sw} > clientWidth ${x.cw}`);
                    expect(x.need <= x.room, `#${x.id}: "${x.txt}" needs ${x.need.toFixed(0)} px, the box leaves ${x.room.toFixed(0)}`);
                    expect(/EVAL-/.test(x.txt), `#${x.id} does not name the run: ${x.txt}`);
                }
                if (lang === 'ar') expect(m.every((x) => x.dir === 'rtl'), 'the Arabic drop-downs are not right to left');
                await c.close();
            });
        }

        // Issue 12: a second node mirrors this one's log (osafe peer add,
        // peer sync); its pages list our two runs as the origin's, apart
        // from its own, and in Arabic on a phone they read right to left
        // without sideways scrolling of the page (the table scrolls in its
        // own focusable region).
        mirror = await seed({ evals: false, origin: 'localhost/osafe-browser-mirror' });
        await visit(page, `${s.base}/log?lang=en`);
        const vkeyFile = join(mirror.dir, 'peer.vkey');
        writeFileSync(vkeyFile, `${(await page.textContent('#log-vkey')).trim()}\n`);
        execFileSync(osafeBin(), ['peer', 'add', s.base, '--vkey', vkeyFile, '--db', mirror.db]);
        execFileSync(osafeBin(), ['peer', 'sync', '--db', mirror.db]);
        w.take();
        for (const path of [`/evals?origin=${encodeURIComponent(ORIGIN)}&lang=ar`, '/evals?lang=ar']) {
            await check(`mirrored evaluations (ar, 360 px, ${path.split('?')[0]}${path.includes('origin') ? '?origin=' : ''}): ` +
                        'the peer\'s runs with their provenance, right to left, no sideways scrolling', async () => {
                const c = await newContext(browser, mirror.base, { viewport: { width: 360, height: 740 }, isMobile: true });
                const p = await c.newPage();
                const wp = watchPage(p, mirror.base);
                await visit(p, `${mirror.base}${path}`);
                const m = await p.evaluate(() => {
                    const t = document.getElementById('mirrored-evals-list');
                    const box = t && t.closest('.table-wrap');
                    return { dir: document.documentElement.dir, css: t && getComputedStyle(t).direction,
                             sw: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth,
                             rows: t ? [...t.tBodies[0].rows].map((r) => ({ id: r.dataset.id, origin: r.dataset.origin, text: r.textContent })) : [],
                             tab: box ? box.tabIndex : null, role: box && box.getAttribute('role'),
                             ours: [...document.querySelectorAll('#mirrored-evals-list a, #mirror-notice a')]
                                 .some((a) => /^\/evals\/EVAL-/.test(a.getAttribute('href'))),
                             head: (document.querySelector('h1, #mirrored-evals h2') || {}).textContent || '' };
                });
                expect(m.dir === 'rtl' && m.css === 'rtl', `not right to left: ${m.dir} / ${m.css}`);
                expect(/[\u0600-\u06FF]/.test(m.head), `heading not in Arabic: ${m.head}`);
                expect(m.sw <= m.cw + 1, `the page is ${m.sw} px wide in ${m.cw}`);
                const ids = m.rows.map((r) => r.id).sort();
                const want = s.evals.map((e) => e.id).sort();
                expect(JSON.stringify(ids) === JSON.stringify(want), `rows ${ids}, wanted ${want}`);
                for (const e of s.evals) {
                    const r = m.rows.find((x) => x.id === e.id);
                    expect(r.origin === ORIGIN && r.text.includes(e.model) && r.text.includes(s.base),
                           `row ${e.id}: origin ${r.origin}, ${r.text.slice(0, 200)}`);
                }
                expect(m.tab === 0 && m.role === 'region', `the table's box is not a focusable region: ${m.tab} ${m.role}`);
                expect(!m.ours, 'a mirrored run links to a run page of this node');
                // the keyboard reaches the table's region, which scrolls it
                await p.focus('#mirrored-evals-list');
                await p.evaluate(() => document.getElementById('mirrored-evals-list').closest('.table-wrap').focus());
                const box = await p.evaluate(() => { const b = document.activeElement; return { cls: b.className, sw: b.scrollWidth, cw: b.clientWidth, x: b.scrollLeft }; });
                expect(box.cls.includes('table-wrap'), `focus is on ${box.cls}`);
                if (box.sw > box.cw) {
                    // right to left: the start is at the right, so the
                    // left arrow scrolls on (smoothly: waited for)
                    await p.keyboard.press('ArrowLeft');
                    const moved = await p.waitForFunction((x0) => document.activeElement.scrollLeft !== x0, box.x,
                                                          { timeout: 3000 }).then(() => true, () => false);
                    expect(moved, `the arrow keys do not scroll the table (${box.sw} px in ${box.cw})`);
                }
                expectNoProblems(wp.take(), 'problems');
                await c.close();
            });
        }

        await check('an unknown run is a 404 page, not an error', async () => {
            await visit(page, `${s.base}/evals/EVAL-2099-99999?lang=en`, 404);
            expect(await page.$('main#main'), 'the 404 page has no <main>');
            w.take();
        });
        expect(ctx.outside.length === 0, 'requests left the test server');
        await ctx.close();
    } finally {
        await browser.close();
        if (mirror) await mirror.stop();
        await s.stop();
    }
});
