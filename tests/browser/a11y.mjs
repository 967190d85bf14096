// a11y.mjs - keyboard, contrast and small screens.
//
// Keyboard only (Tab, Shift+Tab, Enter, typing): the skip link comes first
// and moves focus into <main>; every link of the main navigation and of the
// language switcher is reached and followed with Enter; the focused element
// is visibly marked; the login form works without a mouse.  (Filing a
// report with the keyboard alone is in workflow.mjs.)
// Contrast: the text of every page meets WCAG AA against its background.
// Phone (360x740): no main page scrolls sideways, in English and Arabic.

import { check, expect, expectNoProblems, launchBrowser, newContext, run, visit,
         watchPage } from './lib.mjs';
import { seed } from './seed.mjs';

// Press Tab until pred(focused) holds; the path of focused elements when
// it never does.
export async function tabTo(page, pred, what, max = 60) {
    const seen = [];
    for (let i = 0; i < max; i++) {
        await page.keyboard.press('Tab');
        const f = await page.evaluate(() => {
            const e = document.activeElement;
            if (!e || e === document.body) return null;
            return { tag: e.tagName.toLowerCase(), id: e.id, name: e.getAttribute('name'),
                     href: e.getAttribute('href'), hreflang: e.getAttribute('hreflang'),
                     cls: e.className, text: (e.innerText || e.value || '').trim().slice(0, 40),
                     type: e.getAttribute('type') };
        });
        if (f && pred(f)) return f;
        seen.push(f ? `${f.tag}${f.id ? '#' + f.id : ''}${f.name ? '[' + f.name + ']' : ''}${f.href ? '(' + f.href + ')' : ''}` : 'body');
    }
    throw new Error(`Tab never reached ${what}; focus went ${seen.slice(0, 40).join(' > ')}`);
}

// The focused element is marked: an outline or a box shadow that is not
// there when it is not focused.
async function focusVisible(page) {
    return page.evaluate(() => {
        const e = document.activeElement;
        const s = getComputedStyle(e);
        const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 1;
        const shadow = s.boxShadow && s.boxShadow !== 'none';
        return outline || shadow;
    });
}

// WCAG 2.x contrast of every visible text element in the page: the ratio of
// its colour to the first opaque background behind it (ancestors'
// backgrounds composed), 4.5 for normal text, 3 for large (>= 24px, or
// >= 18.66px bold).  Returns the failures.
async function contrastFailures(page) {
    return page.evaluate(() => {
        const parse = (c) => {
            const m = /rgba?\(([^)]+)\)/.exec(c);
            if (!m) return null;
            const p = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
            return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
        };
        const over = (top, under) => ({
            r: top.r * top.a + under.r * (1 - top.a),
            g: top.g * top.a + under.g * (1 - top.a),
            b: top.b * top.a + under.b * (1 - top.a), a: 1 });
        const lum = (c) => {
            const ch = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
            return 0.2126 * ch(c.r) + 0.7152 * ch(c.g) + 0.0722 * ch(c.b);
        };
        const background = (el) => {
            const layers = [];
            for (let e = el; e; e = e.parentElement) {
                const s = getComputedStyle(e);
                if (s.backgroundImage && s.backgroundImage !== 'none') return null; // cannot tell
                const c = parse(s.backgroundColor);
                if (c && c.a > 0) {
                    layers.push(c);
                    if (c.a >= 1) break;
                }
            }
            let bg = { r: 255, g: 255, b: 255, a: 1 };
            for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
            return bg;
        };
        const bad = [];
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        const done = new Set();
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            if (!n.nodeValue.trim()) continue;
            const el = n.parentElement;
            if (!el || done.has(el) || el.closest('svg')) continue;
            done.add(el);
            const s = getComputedStyle(el);
            const r = el.getBoundingClientRect();
            if (s.visibility === 'hidden' || s.display === 'none' || r.width === 0 || r.height === 0) continue;
            if (el.closest('.skip-link') && document.activeElement !== el.closest('.skip-link')) continue;
            const fg = parse(s.color);
            const bg = background(el);
            if (!fg || !bg) continue;
            const f = over(fg, bg);
            const l1 = lum(f), l2 = lum(bg);
            const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
            const size = parseFloat(s.fontSize);
            const large = size >= 24 || (size >= 18.66 && Number(s.fontWeight) >= 700);
            if (ratio < (large ? 3 : 4.5))
                bad.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''} "${n.nodeValue.trim().slice(0, 30)}" ` +
                         `${s.color} on ${JSON.stringify(bg)}: ${ratio.toFixed(2)}`);
        }
        return bad;
    });
}

await run(async () => {
    const s = await seed();
    const browser = await launchBrowser();
    try {
        const ctx = await newContext(browser, s.base);
        const page = await ctx.newPage();
        const w = watchPage(page, s.base);

        await check('the skip link comes first, is visible when focused, and moves focus to <main>', async () => {
            await visit(page, `${s.base}/incidents?lang=en`);
            const f = await tabTo(page, () => true, 'anything', 1);
            expect(f.cls && String(f.cls).includes('skip-link'), `the first Tab stop is ${f.tag} "${f.text}", not the skip link`);
            const box = await page.evaluate(() => {
                const r = document.activeElement.getBoundingClientRect();
                return { x: r.x, y: r.y, w: r.width, h: r.height, vw: innerWidth, vh: innerHeight };
            });
            expect(box.w > 0 && box.h > 0 && box.x >= 0 && box.y >= 0 && box.x + box.w <= box.vw && box.y < box.vh,
                   `the focused skip link is not on screen: ${JSON.stringify(box)}`);
            expect(await focusVisible(page), 'the focused skip link has no visible focus mark');
            await page.keyboard.press('Enter');
            await page.waitForFunction(() => document.activeElement && document.activeElement.closest('main'),
                                       null, { timeout: 3000 });
            expectNoProblems(w.take(), 'problems');
        });

        await check('every link of the main navigation works with Tab and Enter', async () => {
            await visit(page, `${s.base}/?lang=en`);
            const hrefs = await page.$$eval('#site-nav a[href]', (as) => as.map((a) => a.getAttribute('href')));
            expect(hrefs.length >= 5, `only ${hrefs.length} navigation links`);
            for (const want of ['/incidents', '/evals', '/risks', '/log']) {
                expect(hrefs.some((h) => h.split('?')[0] === want), `no navigation link to ${want}`);
            }
            for (const href of hrefs) {
                await visit(page, `${s.base}/?lang=en`);
                await tabTo(page, (f) => f.href === href && f.tag === 'a', `the navigation link ${href}`);
                expect(await focusVisible(page), `the focused link ${href} has no visible focus mark`);
                await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
                const path = new URL(page.url()).pathname;
                expect(path === href.split('?')[0], `Enter on ${href} went to ${path}`);
                expect(await page.getAttribute('html', 'lang') === 'en', `the language was lost on ${href}`);
            }
            expectNoProblems(w.take(), 'problems');
        });

        await check('the language switcher works with Tab and Enter (to Arabic and back)', async () => {
            await visit(page, `${s.base}/incidents?lang=en`);
            await tabTo(page, (f) => f.hreflang === 'ar', 'the Arabic switcher link');
            await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
            expect(await page.getAttribute('html', 'dir') === 'rtl', 'Enter on العربية did not give an rtl page');
            expect(new URL(page.url()).pathname === '/incidents', 'the switcher left the page');
            await tabTo(page, (f) => f.hreflang === 'en', 'the English switcher link');
            await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
            expect(await page.getAttribute('html', 'lang') === 'en', 'Enter on English did not give an English page');
            expectNoProblems(w.take(), 'problems');
        });

        await check('login with the keyboard alone', async () => {
            const c2 = await newContext(browser, s.base);
            const p2 = await c2.newPage();
            const w2 = watchPage(p2, s.base);
            await visit(p2, `${s.base}/?lang=fr`);
            await tabTo(p2, (f) => f.tag === 'a' && f.href && f.href.startsWith('/login'), 'the login link');
            await Promise.all([p2.waitForNavigation(), p2.keyboard.press('Enter')]);
            await tabTo(p2, (f) => f.name === 'token', 'the token field');
            expect(await focusVisible(p2), 'the focused token field has no visible focus mark');
            await p2.keyboard.type(s.tokens.reviewer);
            await Promise.all([p2.waitForNavigation(), p2.keyboard.press('Enter')]);
            expect(await p2.getAttribute('#account', 'data-role') === 'reviewer', 'not logged in after Enter');
            expect(await p2.getAttribute('html', 'lang') === 'fr', 'the login lost the chosen language');
            expectNoProblems(w2.take(), 'problems');
            await c2.close();
        });

        const pages = ['/', '/incidents', `/incidents/${s.records[0].id}`, '/evals', `/evals/${s.evals[0].id}`,
                       '/risks', '/log', '/login'];
        await check('text contrast meets WCAG AA on every page (en, ar)', async () => {
            const bad = [];
            for (const lang of ['en', 'ar']) {
                for (const p of pages) {
                    await visit(page, `${s.base}${p}?lang=${lang}`);
                    for (const f of await contrastFailures(page)) bad.push(`${p}?lang=${lang}: ${f}`);
                }
            }
            expect(bad.length === 0, `low contrast:\n  ${bad.slice(0, 30).join('\n  ')}`);
            expectNoProblems(w.take(), 'problems');
        });

        const phone = await newContext(browser, s.base, { viewport: { width: 360, height: 740 },
                                                          isMobile: true, hasTouch: true });
        const pp = await phone.newPage();
        const pw = watchPage(pp, s.base);
        for (const lang of ['en', 'ar', 'ru']) {
            await check(`no sideways scrolling at 360x740 (${lang})`, async () => {
                const bad = [];
                for (const p of pages) {
                    await visit(pp, `${s.base}${p}?lang=${lang}`);
                    const m = await pp.evaluate(() => {
                        const d = document.documentElement;
                        // The element sticking out furthest, to name the culprit
                        // (content inside its own scrolling box does not count).
                        const clipped = (e) => {
                            for (let a = e.parentElement; a && a !== document.body; a = a.parentElement)
                                if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(a).overflowX)) return true;
                            return false;
                        };
                        const vw = d.clientWidth;
                        let worst = null, most = 1;
                        for (const e of document.body.querySelectorAll('*')) {
                            const r = e.getBoundingClientRect();
                            const over = Math.max(r.right - vw, -r.left);
                            if (over > most && r.width > 0 && !clipped(e) && !e.closest('.skip-link')) {
                                most = over;
                                worst = `${e.tagName.toLowerCase()}${e.id ? '#' + e.id : ''}` +
                                        `${typeof e.className === 'string' && e.className ? '.' + e.className.split(' ')[0] : ''}`;
                            }
                        }
                        return { scroll: d.scrollWidth, client: d.clientWidth, worst };
                    });
                    if (m.scroll > m.client + 1)
                        bad.push(`${p}: ${m.scroll}px wide in a ${m.client}px viewport (${m.worst || '?'})`);
                }
                expect(bad.length === 0, `\n  ${bad.join('\n  ')}`);
                expectNoProblems(pw.take(), 'problems');
            });
        }
        expect(ctx.outside.length + phone.outside.length === 0, 'requests left the test server');
        await phone.close();
        await ctx.close();
    } finally {
        await browser.close();
        await s.stop();
    }
});
