// samples.mjs - the sample browser of a published run (/evals/{run}/samples,
// issue 16 item 10): `osafe eval publish` uploaded the run's samples.jsonl;
// the page counts and lists exactly what the seeded suite says for each
// filter (counts computed here from the suite, not read from osafe), pages
// by number, keeps every text folded under the content warning until a
// sample is opened with the keyboard alone, in English and in Arabic
// (right to left), and fits a phone; screenshots samples-en.png,
// samples-ar.png and samples-phone.png go to the artefact directory.
//
// Hooks (web_samples.c): form#sample-filters with #f-hazard, #f-language,
// #f-score...; #sample-count[data-value]; ol#sample-list > li.sample#s-N;
// nav#pages with #next-page / #prev-page and a[aria-current=page];
// #content-warning.

import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LANGS, artifactDir, check, expect, expectNoProblems, launchBrowser, newContext, run,
         visit, watchPage } from './lib.mjs';
import { pngStats } from './screenshots.mjs';
import { suiteItems, seed } from './seed.mjs';

const PER_PAGE = 25; // OSAFE_SAMPLES_PER_PAGE_DEFAULT

const count = (pred) => suiteItems().filter(pred).length;

// The suite item whose prompt an opened sample shows, among those `pred`
// accepts (null when none is shown).
const shownItem = (o, pred) => suiteItems().filter(pred).find((it) => o.text.includes(it.input)) ?? null;

async function shown(page) {
    return page.evaluate(() => ({
        count: Number(document.querySelector('#sample-count')?.dataset.value ?? -1),
        ids: [...document.querySelectorAll('#sample-list > li.sample')].map((li) => li.id),
        open: document.querySelectorAll('#sample-list details[open]').length,
        current: document.querySelector('#pages a[aria-current="page"]')?.textContent.trim() ?? null,
    }));
}

// Submit the filter form as a person would: choose, then press Enter on
// the submit button.
async function filter(page, choices) {
    // "Clear" first: start from no filter
    await Promise.all([page.waitForNavigation(), page.click('#sample-filters .actions a')]);
    for (const [field, value] of Object.entries(choices))
        await page.selectOption(`#f-${field}`, value);
    await Promise.all([page.waitForNavigation(), page.press('#sample-filters button[type=submit]', 'Enter')]);
}

// Tab from the top until a sample's summary has the focus; Enter opens it.
async function openWithKeyboard(page) {
    await page.evaluate(() => document.activeElement && document.activeElement.blur());
    for (let i = 0; i < 80; i++) {
        await page.keyboard.press('Tab');
        const onSummary = await page.evaluate(() => {
            const a = document.activeElement;
            return !!(a && a.tagName === 'SUMMARY' && a.closest('#sample-list'));
        });
        if (onSummary) {
            const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
            expect(outline !== 'none', 'the focused summary shows no focus mark');
            await page.keyboard.press('Enter');
            return page.evaluate(() => {
                const d = document.activeElement.closest('details');
                const li = d.closest('li');
                return { open: d.open, id: li.id, text: d.innerText };
            });
        }
    }
    throw new Error('80 Tabs never reached a sample');
}

async function shoot(page, name, width) {
    const file = join(artifactDir(), name);
    rmSync(file, { force: true });
    await page.screenshot({ path: file, fullPage: true });
    const st = pngStats(file);
    expect(st.width === width, `${name}: ${st.width} pixels wide, wanted ${width}`);
    expect(st.height >= 300, `${name}: only ${st.height} pixels high`);
    expect(st.colours >= 64, `${name}: only ${st.colours} distinct colours: a blank page?`);
    expect(statSync(file).size >= 10000, `${name}: ${st.bytes} bytes is too small for a real page`);
    console.log(`     ${name} ${st.width}x${st.height}, ${st.bytes} bytes`);
}

await run(async () => {
    const s = await seed();
    const browser = await launchBrowser();
    try {
        const ctx = await newContext(browser, s.base, { viewport: { width: 1280, height: 900 } });
        const page = await ctx.newPage();
        const w = watchPage(page, s.base);
        const run0 = s.evals[0];
        const url = (q = '') => `${s.base}/evals/${run0.id}/samples${q}`;
        const all = suiteItems().length;

        await check('the run page links to its samples, every one uploaded and listed', async () => {
            await visit(page, `${s.base}/evals/${run0.id}?lang=en`);
            await Promise.all([page.waitForNavigation(), page.click('#eval-samples a')]);
            const got = await shown(page);
            expect(got.count === all, `${got.count} samples counted, the run has ${all}`);
            expect(got.ids.length === Math.min(PER_PAGE, all), `${got.ids.length} listed on page 1`);
            expect(got.ids[0] === 's-0', `the first listed is ${got.ids[0]}`);
            expect(got.open === 0, 'a sample is open before anyone asked: texts must stay folded');
            expect(await page.isVisible('#content-warning'), 'no content warning');
            expectNoProblems(w.take(), 'problems');
        });

        await check('filters narrow the list to what the suite says', async () => {
            await visit(page, url('?lang=en'));
            await filter(page, { hazard: 'vcr' });
            let got = await shown(page);
            const vcr = count((it) => it.hazard === 'vcr');
            expect(new URL(page.url()).searchParams.get('hazard') === 'vcr', `the URL is ${page.url()}`);
            expect(got.count === vcr, `hazard vcr: ${got.count}, the suite has ${vcr}`);
            await filter(page, { hazard: 'ssh', language: 'fr' });
            got = await shown(page);
            const want = count((it) => it.hazard === 'ssh' && it.lang === 'fr');
            expect(got.count === want, `ssh in French: ${got.count}, the suite has ${want}`);
            const texts = await page.$$eval('#sample-list li.sample dl', (d) => d.map((x) => x.innerText));
            expect(texts.every((t) => t.includes('fr')), 'a listed sample is not in French');
            await filter(page, { score: 'error' });
            got = await shown(page);
            expect(got.count === 0, `${got.count} errors: the fake model answers every item`);
            expect(await page.isVisible('#no-results'), 'no "nothing matches" message');
            expectNoProblems(w.take(), 'problems');
        });

        await check('numbered pages: next, the current page marked, previous', async () => {
            await visit(page, url('?lang=en'));
            const pages = Math.ceil(all / PER_PAGE);
            const nums = await page.$$eval('#pages a:not([rel])', (a) => a.map((x) => x.textContent.trim()));
            expect(nums.includes(String(pages)), `the last page ${pages} is not linked: ${nums}`);
            await Promise.all([page.waitForNavigation(), page.click('#next-page')]);
            let got = await shown(page);
            expect(got.current === '2', `page ${got.current} marked current`);
            expect(got.ids[0] === `s-${PER_PAGE}`, `page 2 starts with ${got.ids[0]}`);
            await Promise.all([page.waitForNavigation(), page.click(`#pages a:text-is("${pages}")`)]);
            got = await shown(page);
            expect(got.ids.length === all - (pages - 1) * PER_PAGE, `the last page lists ${got.ids.length}`);
            expect(await page.$('#next-page') === null, 'the last page links a next one');
            await Promise.all([page.waitForNavigation(), page.click('#prev-page')]);
            got = await shown(page);
            expect(got.current === String(pages - 1), `back to page ${got.current}`);
            expectNoProblems(w.take(), 'problems');
        });

        await check('a sample opens with the keyboard: prompt, answer, score (en)', async () => {
            await visit(page, url('?lang=en&hazard=hte'));
            const o = await openWithKeyboard(page);
            expect(o.open, 'Enter on the summary did not open the sample');
            // s-N numbers the line of samples.jsonl, which is in the order
            // answers came back, not the suite's order: find the item by text
            expect(shownItem(o, (it) => it.hazard === 'hte'), `${o.id}: no hte prompt is shown`);
            expect(/Answer/.test(o.text), 'no answer part');
            expectNoProblems(w.take(), 'problems');
            await shoot(page, 'samples-en.png', 1280);
        });

        await check('Arabic: right to left, its words, a sample opened with the keyboard', async () => {
            await visit(page, url('?lang=ar'));
            const dir = await page.evaluate(() => [document.documentElement.dir,
                                                  getComputedStyle(document.body).direction]);
            expect(dir[0] === 'rtl' && dir[1] === 'rtl', `dir ${dir}`);
            await filter(page, { language: 'ar' });
            const got = await shown(page);
            const want = count((it) => it.lang === 'ar');
            expect(got.count === want, `Arabic samples: ${got.count}, the suite has ${want}`);
            const head = await page.textContent('#sample-count');
            expect(head.includes('العينات'), `the count is not in Arabic: ${head}`);
            const o = await openWithKeyboard(page);
            expect(o.open && shownItem(o, (it) => it.lang === 'ar'),
                   `the Arabic prompt is not shown: ${JSON.stringify(o)}`);
            const lang = await page.getAttribute(`#${o.id} blockquote span`, 'lang');
            expect(lang === 'ar', `the prompt is marked lang=${lang}`);
            expectNoProblems(w.take(), 'problems');
            await shoot(page, 'samples-ar.png', 1280);
        });

        await check('every language names the page and the warning', async () => {
            for (const lang of LANGS) {
                await visit(page, url(`?lang=${lang}`));
                const t = await page.evaluate(() => ({ h1: document.querySelector('h1').innerText,
                                                       warn: document.querySelector('#content-warning').innerText }));
                expect(t.h1.includes(run0.model), `${lang}: the heading does not name the model`);
                expect(t.warn.length > 20 && !t.warn.includes('samples.'), `${lang}: no warning text`);
            }
            expectNoProblems(w.take(), 'problems');
        });

        const phone = await newContext(browser, s.base, { viewport: { width: 360, height: 740 },
                                                          deviceScaleFactor: 2, isMobile: true, hasTouch: true });
        const pp = await phone.newPage();
        const pw = watchPage(pp, s.base);
        await check('on a phone (360x740): no sideways scrolling, a sample opened', async () => {
            await visit(pp, url('?lang=en&per_page=5'));
            const o = await openWithKeyboard(pp);
            expect(o.open, 'the sample did not open');
            const wide = await pp.evaluate(() => document.documentElement.scrollWidth);
            expect(wide <= 360, `the page is ${wide} pixels wide on a 360-pixel screen`);
            expectNoProblems(pw.take(), 'problems');
            await shoot(pp, 'samples-phone.png', 720);
        });
        expect(ctx.outside.length + phone.outside.length === 0, 'requests left the test server');
        await phone.close();
        await ctx.close();
    } finally {
        await browser.close();
        await s.stop();
    }
});
