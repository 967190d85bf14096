// pages.mjs - every page of the web interface renders in all six UN
// languages without a console error, a page error, a failed sub-resource or
// a request leaving the test server; each declares <html lang dir> (Arabic
// right-to-left, also as computed by the browser), carries the navigation
// and the language switcher, labels every field and names every chart.
// Then: language negotiation (?lang, cookie, Accept-Language, the switcher),
// record content in its own language, and a hostile title shown as text.

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LANGS, REPO, check, expect, expectNoProblems, launchBrowser, login, newContext, run,
         visit, watchPage } from './lib.mjs';
import { HOSTILE_TITLE, RECORDS, fileRecord, seed } from './seed.mjs';

// The groups of catalogue keys ("nav", "dash", "evals"...): a page showing
// "group.something" shows a key that has no English text (web_int.h: a key
// missing in English shows the key itself).
const I18N = join(REPO, 'src', 'server', 'i18n');
const KEY_GROUPS = [...new Set(readdirSync(I18N).filter((f) => f.endsWith('.txt')).flatMap((f) =>
    readFileSync(join(I18N, f), 'utf8').split('\n')
        .filter((l) => l && !l.startsWith('#') && l.includes('\t') && l.includes('.'))
        .map((l) => l.split('.')[0])))];

// What one page load must satisfy whatever the page is.
async function frame(page, lang) {
    const f = await page.evaluate((groups) => {
        const html = document.documentElement;
        const unlabelled = [];
        for (const el of document.querySelectorAll('input, select, textarea')) {
            const type = (el.getAttribute('type') || '').toLowerCase();
            if (['hidden', 'submit', 'button', 'reset', 'image'].includes(type)) continue;
            const named = (el.labels && el.labels.length > 0) || el.getAttribute('aria-label') ||
                el.getAttribute('aria-labelledby');
            if (!named) unlabelled.push(el.name || el.id || el.outerHTML.slice(0, 60));
        }
        const unnamedSvg = [];
        for (const s of document.querySelectorAll('main svg')) {
            if (s.closest('[aria-hidden="true"]')) continue;
            if (s.parentElement && s.parentElement.closest('svg')) continue;
            const named = s.querySelector(':scope > title') || s.getAttribute('aria-label') ||
                s.getAttribute('aria-labelledby');
            if (!named) unnamedSvg.push(s.outerHTML.slice(0, 60));
        }
        // Visible words, and the words of titles, labels and messages.
        const words = [];
        const tw = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let n = tw.nextNode(); n; n = tw.nextNode()) words.push(n.nodeValue);
        for (const e of document.querySelectorAll('*'))
            for (const a of e.attributes)
                if (/^(title|alt|placeholder|aria-label|data-msg-.*)$/.test(a.name)) words.push(a.value);
        const rawKeys = [...new Set([...words.join('\n').matchAll(/(?<![\w./-])([a-z][a-z0-9_]*)\.[a-z0-9_]+(?:\.[a-z0-9_]+)*(?![\w/-]|\.\w)/g)]
            .filter((m) => groups.includes(m[1])).map((m) => m[0]))];
        const brand = document.querySelector('header a') || document.querySelector('header');
        const br = brand.getBoundingClientRect();
        // Every form that changes something carries its CSRF token.
        const noCsrf = [...document.querySelectorAll('form')]
            .filter((f) => (f.getAttribute('method') || 'get').toLowerCase() === 'post')
            .filter((f) => !/^[0-9a-f]{32,}$/.test((f.querySelector('input[type="hidden"][name="csrf"]') || { value: '' }).value))
            .map((f) => f.id || f.getAttribute('action') || '?');
        return {
            noCsrf,
            rawKeys,
            brandCentre: (br.left + br.right) / 2,
            width: document.documentElement.clientWidth,
            lang: html.getAttribute('lang'),
            dir: html.getAttribute('dir'),
            htmlDir: getComputedStyle(html).direction,
            bodyDir: getComputedStyle(document.body).direction,
            title: document.title.trim(),
            main: document.querySelectorAll('main#main').length,
            h1: document.querySelectorAll('h1').length,
            nav: document.querySelector('#site-nav') ? document.querySelector('#site-nav').innerText.trim() : null,
            switcher: [...document.querySelectorAll('#lang-switch a[hreflang]')].map((a) => a.getAttribute('hreflang')),
            current: (document.querySelector('#lang-switch a[aria-current]') || { getAttribute: () => null }).getAttribute('hreflang'),
            unlabelled,
            unnamedSvg,
        };
    }, KEY_GROUPS);
    const rtl = lang === 'ar';
    expect(f.lang === lang, `<html lang="${f.lang}">, wanted "${lang}"`);
    expect(f.dir === (rtl ? 'rtl' : 'ltr'), `<html dir="${f.dir}">, wanted ${rtl ? 'rtl' : 'ltr'}`);
    expect(f.htmlDir === f.dir && f.bodyDir === f.dir,
           `computed direction html=${f.htmlDir} body=${f.bodyDir}, wanted ${f.dir}`);
    // Mirrored layout, not just the attribute: the header's first item (the
    // brand) starts at the right in Arabic and at the left otherwise.
    expect(rtl ? f.brandCentre > f.width / 2 : f.brandCentre < f.width / 2,
           `the header's first item is centred at x=${Math.round(f.brandCentre)} of ${f.width}: layout not ${f.dir}`);
    expect(f.title.length > 0, 'empty <title>');
    expect(f.noCsrf.length === 0, `POST forms without a CSRF token: ${f.noCsrf.join(', ')}`);
    expect(f.main === 1, `${f.main} <main id="main"> elements`);
    expect(f.h1 === 1, `${f.h1} <h1> elements, wanted one`);
    expect(f.nav, 'no #site-nav');
    expect(LANGS.every((l) => f.switcher.includes(l)),
           `language switcher offers [${f.switcher}], wanted all of [${LANGS}]`);
    expect(f.current === lang, `language switcher marks ${f.current} as current, wanted ${lang}`);
    expect(f.unlabelled.length === 0, `fields without a label: ${f.unlabelled.join(', ')}`);
    expect(f.rawKeys.length === 0, `catalogue keys shown instead of text: ${f.rawKeys.join(', ')}`);
    expect(f.unnamedSvg.length === 0, `charts without a <title> or aria-label: ${f.unnamedSvg.join(' | ')}`);
    return f;
}

await run(async () => {
    const s = await seed();
    const browser = await launchBrowser();
    try {
        const zh = s.records.find((r) => r.lang === 'zh');
        const ar = s.records.find((r) => r.lang === 'ar');
        const hostile = s.records.find((r) => r.title === HOSTILE_TITLE);
        const [ea, eb] = s.evals;
        // [path with its query, HTTP status]
        const publicPages = [['/', 200], ['/incidents', 200], ['/incidents?q=mod%C3%A8le&hazard=prv', 200],
                             [`/incidents/${zh.id}`, 200], [`/incidents/${ar.id}`, 200],
                             [`/incidents/${hostile.id}`, 200], ['/evals', 200], [`/evals/${ea.id}`, 200],
                             [`/evals/${ea.id}?against=${eb.id}`, 200], ['/risks', 200], ['/log', 200],
                             ['/login', 200], ['/no-such-page', 404], [`/incidents/${s.pending.id}`, 404]];
        const staffPages = [['/review', 200], ['/incidents/new', 200], [`/incidents/${s.pending.id}`, 200]];
        const ownerPages = [[`/incidents/${s.pending.id}/edit`, 200]];

        const anon = await newContext(browser, s.base);
        const staff = await newContext(browser, s.base);
        const owner = await newContext(browser, s.base);
        const anonPage = await anon.newPage();
        const staffPage = await staff.newPage();
        const ownerPage = await owner.newPage();
        const anonW = watchPage(anonPage, s.base);
        const staffW = watchPage(staffPage, s.base);
        const ownerW = watchPage(ownerPage, s.base);
        await login(staffPage, s.base, s.tokens.reviewer, 'reviewer');
        await login(ownerPage, s.base, s.tokens.reporter2, 'reporter');
        staffW.take();
        ownerW.take();

        // Navigation text per language: a language whose navigation reads
        // exactly like English has no catalogue behind it.
        const navText = {};
        for (const lang of LANGS) {
            await check(`every page in ${lang}`, async () => {
                const bad = [];
                const pages = [...publicPages.map((p) => [anonPage, anonW, ...p, 'anonymous']),
                               ...staffPages.map((p) => [staffPage, staffW, ...p, 'reviewer']),
                               ...ownerPages.map((p) => [ownerPage, ownerW, ...p, 'its reporter'])];
                for (const [page, w, path, status, who] of pages) {
                    const url = `${s.base}${path}${path.includes('?') ? '&' : '?'}lang=${lang}`;
                    try {
                        await visit(page, url, status);
                        if (path === '/') navText[lang] = await page.textContent('#site-nav').catch(() => null);
                        await frame(page, lang);
                        expectNoProblems(w.take(), 'problems');
                    } catch (err) {
                        w.take();
                        bad.push(`${path} (${who}): ${err.message}`);
                    }
                }
                expect(bad.length === 0, `\n  ${bad.join('\n  ')}`);
            });
        }
        await check('every language has its own navigation text', async () => {
            for (const lang of LANGS.slice(1)) {
                expect(navText[lang] && navText[lang] !== navText.en,
                       `the ${lang} navigation reads like English: ${navText[lang]}`);
            }
        });
        await check('no request left the test server', async () => {
            const out = [...anon.outside, ...staff.outside, ...owner.outside];
            expect(out.length === 0, `requests elsewhere: ${out.join(', ')}`);
        });

        await check('language: Accept-Language, then ?lang, then the cookie, then the switcher', async () => {
            const ctx = await newContext(browser, s.base, { locale: 'ru-RU' });
            const page = await ctx.newPage();
            const w = watchPage(page, s.base);
            await visit(page, `${s.base}/incidents`);
            expect(await page.getAttribute('html', 'lang') === 'ru', 'Accept-Language ru-RU did not give ru');
            await visit(page, `${s.base}/incidents?lang=zh`);
            expect(await page.getAttribute('html', 'lang') === 'zh', '?lang=zh did not give zh');
            await visit(page, `${s.base}/evals`);
            expect(await page.getAttribute('html', 'lang') === 'zh',
                   'the choice of ?lang=zh was not remembered by the cookie');
            await Promise.all([page.waitForNavigation(), page.click('#lang-switch a[hreflang="ar"]')]);
            expect(new URL(page.url()).pathname === '/evals', `the switcher left the page for ${page.url()}`);
            expect(await page.getAttribute('html', 'dir') === 'rtl', 'the switcher to Arabic did not give rtl');
            expect(await page.evaluate(() => getComputedStyle(document.body).direction) === 'rtl',
                   'Arabic body is not laid out right-to-left');
            expectNoProblems(w.take(), 'problems');
            await ctx.close();
        });

        await check('record content carries its own language tag', async () => {
            for (const lang of ['en', 'ar']) {
                await visit(anonPage, `${s.base}/incidents/${zh.id}?lang=${lang}`);
                const tagged = await anonPage.evaluate((t) =>
                    [...document.querySelectorAll('main [lang]')].some((e) =>
                        e.getAttribute('lang').toLowerCase().startsWith('zh') && e.textContent.includes(t)),
                    zh.title);
                expect(tagged, `the Chinese title on a ${lang} page is not inside an element with lang="zh"`);
            }
            await visit(anonPage, `${s.base}/incidents?lang=fr`);
            const arTagged = await anonPage.evaluate((t) =>
                [...document.querySelectorAll('main [lang="ar"]')].some((e) => e.textContent.includes(t)),
                ar.title);
            expect(arTagged, 'the Arabic title in the French list is not inside an element with lang="ar"');
            expectNoProblems(anonW.take(), 'problems');
        });

        await check('a hostile title is shown as text, never as markup', async () => {
            for (const path of ['/incidents', `/incidents/${hostile.id}`, `/incidents?q=script`]) {
                await visit(anonPage, `${s.base}${path}${path.includes('?') ? '&' : '?'}lang=en`);
                const r = await anonPage.evaluate((t) => ({
                    shown: document.querySelector('main').textContent.includes(t),
                    scripts: [...document.scripts].filter((x) => x.textContent.includes('alert(')).length,
                    bold: [...document.querySelectorAll('main b')].filter((b) => b.textContent === 'bold').length,
                    img: document.querySelectorAll('img[src="x"]').length,
                }), HOSTILE_TITLE);
                expect(r.shown, `${path}: the title is not shown verbatim`);
                expect(r.scripts === 0 && r.bold === 0 && r.img === 0,
                       `${path}: the title became markup (scripts ${r.scripts}, <b> ${r.bold}, img ${r.img})`);
            }
            expectNoProblems(anonW.take(), 'problems (an alert dialog means the script ran)');
        });
        await check('filters and full-text search narrow the incident list', async () => {
            const ids = (pred) => s.records.filter((r, i) => pred(RECORDS[i])).map((r) => r.id).sort();
            const listed = async () => (await anonPage.$$eval('#incident-list tr[data-id]',
                (rows) => rows.map((r) => r.getAttribute('data-id')))).sort();
            // Through the form, as a visitor would.
            await visit(anonPage, `${s.base}/incidents?lang=en`);
            await anonPage.selectOption('#incident-filters [name="hazard"]', 'prv');
            await Promise.all([anonPage.waitForNavigation(), anonPage.click('#incident-filters [type="submit"]')]);
            let want = ids((r) => r.hazards.includes('prv'));
            expect(JSON.stringify(await listed()) === JSON.stringify(want),
                   `hazard prv lists [${await listed()}], wanted [${want}]`);
            const cases = [
                ['severity=serious_incident', (r) => r.severity.level === 'serious_incident'],
                ['language=ar', (r) => r.lang === 'ar'],
                ['country=FR', (r) => r.countries_occurred.includes('FR')],
                ['hazard=prv&language=ru', (r) => r.hazards.includes('prv') && r.lang === 'ru'],
                [`q=${encodeURIComponent('隐私')}`, (r) => r.title.text.includes('隐私')],
                ['q=difamatorias', (r) => r.title.text.includes('difamatorias')],
                [`q=${encodeURIComponent('персональные')}`, (r) => r.title.text.includes('персональные')],
            ];
            for (const [query, pred] of cases) {
                await visit(anonPage, `${s.base}/incidents?${query}&lang=fr`);
                want = ids(pred);
                const got = await listed();
                expect(want.length > 0, `the seed has nothing for ${query}`);
                expect(JSON.stringify(got) === JSON.stringify(want), `${query} lists [${got}], wanted [${want}]`);
            }
            await visit(anonPage, `${s.base}/incidents?q=zzzqqqxxx&lang=en`);
            expect((await listed()).length === 0 && await anonPage.$('#no-results'),
                   'a search without results does not say so');
            expectNoProblems(anonW.take(), 'problems');
        });

        await check('dates are written the way each language writes them', async () => {
            // 2026-03-14, every seeded incident's date; month names per CLDR.
            const march = { en: 'Mar', zh: '3月', es: 'mar', fr: 'mars', ar: 'مارس', ru: 'мар' };
            for (const lang of LANGS) {
                await visit(anonPage, `${s.base}/incidents?lang=${lang}`);
                const t = await anonPage.$$eval('time[datetime="2026-03-14"]', (e) => e.map((x) => x.textContent));
                expect(t.length > 0, `${lang}: no <time datetime="2026-03-14">`);
                for (const x of t)
                    expect(x.includes(march[lang]) && x.includes('14') && x.includes('2026'),
                           `${lang}: 2026-03-14 written "${x}"`);
            }
            expectNoProblems(anonW.take(), 'problems');
        });

        await check('pages show only what the API lets each visitor see (TLP)', async () => {
            const green = { ...RECORDS[0], tlp: 'GREEN', title: { lang: 'en', text: 'Greenlevel community-only report' } };
            const amber = { ...RECORDS[0], tlp: 'AMBER', title: { lang: 'en', text: 'Amberlevel organisation-only report' } };
            const gid = await fileRecord(s.base, s.tokens.reporter, s.tokens.reviewer, green);
            const aid = await fileRecord(s.base, s.tokens.reporter, s.tokens.reviewer, amber);
            // [page, watcher, who, sees GREEN, sees AMBER]
            const who = [[anonPage, anonW, 'anonymous', false, false],
                         [ownerPage, ownerW, 'a reporter of another organisation', true, false],
                         [staffPage, staffW, 'a reviewer', true, true]];
            for (const [page, w, name, g, a] of who) {
                for (const path of ['/', '/incidents?lang=en', '/incidents?q=Greenlevel&lang=en',
                                    '/incidents?q=Amberlevel&lang=en']) {
                    await visit(page, `${s.base}${path}`);
                    const t = await page.textContent('main');
                    const wantG = g && !path.includes('Amber');
                    const wantA = a && !path.includes('Green');
                    if (path !== '/') {
                        expect(t.includes('Greenlevel') === wantG, `${name} ${wantG ? 'misses' : 'sees'} the GREEN record on ${path}`);
                        expect(t.includes('Amberlevel') === wantA, `${name} ${wantA ? 'misses' : 'sees'} the AMBER record on ${path}`);
                    } else {
                        expect(g || !t.includes('Greenlevel'), `${name} sees the GREEN record on the dashboard`);
                        expect(a || !t.includes('Amberlevel'), `${name} sees the AMBER record on the dashboard`);
                    }
                }
                await visit(page, `${s.base}/incidents/${gid}?lang=en`, g ? 200 : 404);
                await visit(page, `${s.base}/incidents/${aid}?lang=en`, a ? 200 : 404);
                expectNoProblems(w.take(), `problems (${name})`);
            }
        });
        await anon.close();
        await staff.close();
        await owner.close();
    } finally {
        await browser.close();
        await s.stop();
    }
});
