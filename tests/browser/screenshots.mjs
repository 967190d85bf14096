// screenshots.mjs - PNG screenshots of the dashboard, an evaluation page,
// the risk page and the filing form refused with its errors (English and
// Arabic, desktop; the dashboard, risks and form on a phone) saved as test
// artefacts in $OSAFE_ARTIFACTS, after checking that the page holds what
// the picture is meant to show: the dashboard's risk matrix (an SVG) and
// recent incidents, the evaluation page's charts (SVG) with the run's
// model.  Each file is checked to be a PNG of the expected width whose
// pixels are not one flat colour.

import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { artifactDir, check, expect, expectNoProblems, launchBrowser, login, newContext, run, visit,
         watchPage } from './lib.mjs';
import { seed } from './seed.mjs';

// Width, height and the number of distinct RGB colours on a sample of
// rows (8-bit RGB or RGBA, non-interlaced: what Chromium writes).
export function pngStats(file) {
    const b = readFileSync(file);
    const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(b.length > 64 && b.subarray(0, 8).equals(sig), `${file} is not a PNG`);
    let off = 8, w = 0, h = 0, depth = 0, ctype = 0, inter = 0;
    const idat = [];
    while (off + 8 <= b.length) {
        const len = b.readUInt32BE(off);
        const type = b.toString('latin1', off + 4, off + 8);
        const data = b.subarray(off + 8, off + 8 + len);
        if (type === 'IHDR') {
            w = data.readUInt32BE(0);
            h = data.readUInt32BE(4);
            depth = data[8];
            ctype = data[9];
            inter = data[12];
        } else if (type === 'IDAT') {
            idat.push(data);
        } else if (type === 'IEND') {
            break;
        }
        off += 12 + len;
    }
    expect(depth === 8 && (ctype === 2 || ctype === 6) && inter === 0,
           `${file}: unexpected PNG form (depth ${depth}, colour type ${ctype}, interlace ${inter})`);
    const bpp = ctype === 6 ? 4 : 3;
    const raw = inflateSync(Buffer.concat(idat));
    const stride = w * bpp;
    expect(raw.length === h * (stride + 1), `${file}: pixel data of ${raw.length} bytes for ${w}x${h}`);
    // Undo the row filters (PNG spec 9.2), counting colours as we go.
    const colours = new Set();
    let prev = Buffer.alloc(stride);
    for (let y = 0; y < h; y++) {
        const f = raw[y * (stride + 1)];
        const row = Buffer.from(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
        for (let x = 0; x < stride; x++) {
            const a = x >= bpp ? row[x - bpp] : 0;
            const up = prev[x];
            const c = x >= bpp ? prev[x - bpp] : 0;
            let v = row[x];
            if (f === 1) v += a;
            else if (f === 2) v += up;
            else if (f === 3) v += (a + up) >> 1;
            else if (f === 4) {
                const p = a + up - c;
                const pa = Math.abs(p - a), pb = Math.abs(p - up), pc = Math.abs(p - c);
                v += pa <= pb && pa <= pc ? a : pb <= pc ? up : c;
            }
            row[x] = v & 0xff;
        }
        if (y % 4 === 0)
            for (let x = 0; x < w; x += 2)
                colours.add((row[x * bpp] << 16) | (row[x * bpp + 1] << 8) | row[x * bpp + 2]);
        prev = row;
    }
    return { width: w, height: h, colours: colours.size, bytes: b.length };
}

async function shoot(page, name, width) {
    const file = join(artifactDir(), name);
    rmSync(file, { force: true });
    await page.screenshot({ path: file, fullPage: true });
    const st = pngStats(file);
    expect(st.width === width, `${name}: ${st.width} pixels wide, wanted ${width}`);
    expect(st.height >= 300, `${name}: only ${st.height} pixels high`);
    // A page with text, a chart and colours has hundreds of colours
    // (anti-aliasing); a blank or error page a handful.
    expect(st.colours >= 64, `${name}: only ${st.colours} distinct colours: a blank page?`);
    expect(statSync(file).size >= 10000, `${name}: ${st.bytes} bytes is too small for a real page`);
    return st;
}

// The risk page: both matrix panels drawn, the ranking, the left-out
// counts (issue 16's done-means).
async function risksShot(page, w, base, lang, name, width) {
    await visit(page, `${base}/risks?lang=${lang}`);
    const c = await content(page, 'risks');
    expect(c.svgs >= 2 && c.shapes >= 18, `the risk page has ${c.svgs} SVG with ${c.shapes} shapes: no matrix`);
    expect(await page.locator('#risk-table tbody tr').count() >= 1, 'the risk page ranks nothing');
    expect(await page.locator('#risk-left-out').count() === 1, 'the risk page does not say what it left out');
    const st = await shoot(page, name, width);
    expectNoProblems(w.take(), 'problems');
    console.log(`     ${name} ${st.width}x${st.height}, ${st.bytes} bytes`);
}

// The filing form refused with several errors, each beside its field.
async function formShot(page, w, base, lang, name, width) {
    await visit(page, `${base}/incidents/new?lang=${lang}`);
    await page.fill('[name="title.text"]', 'Screenshot: errors at once');
    await page.fill('[name="occurred_start.date"]', '2025-13-40');
    await page.fill('[name="countries_occurred"]', 'Freedonia');
    await page.fill('[name="references[0].url"]', 'ftp://example.org/x');
    w.allowStatus(422);
    const [resp] = await Promise.all([page.waitForNavigation(), page.click('#submit-review')]);
    w.disallowStatus(422);
    expect(resp.status() === 422, `the refused form answers HTTP ${resp.status()}, wanted 422`);
    const n = await page.locator('#incident-form .field-error[data-field]').count();
    expect(n >= 3, `only ${n} field errors shown`);
    expect(await page.locator('#form-errors li').count() >= 3, 'no error summary');
    const st = await shoot(page, name, width);
    expectNoProblems(w.take(), 'problems');
    console.log(`     ${name} ${st.width}x${st.height}, ${st.bytes} bytes (${n} field errors)`);
}

// What must be on the page before its picture is worth keeping.
async function content(page, what) {
    return page.evaluate((what) => {
        const main = document.querySelector('main');
        const svgs = [...main.querySelectorAll('svg')];
        const shapes = svgs.reduce((n, s) => n + s.querySelectorAll('rect, path, circle, line, polyline').length, 0);
        return { svgs: svgs.length, shapes, text: main.innerText, what };
    }, what);
}

// Run as a test, not when another file imports pngStats (samples.mjs).
if (new URL(import.meta.url).pathname === process.argv[1]) await run(async () => {
    const s = await seed();
    const browser = await launchBrowser();
    try {
        const ctx = await newContext(browser, s.base, { viewport: { width: 1280, height: 900 } });
        const page = await ctx.newPage();
        const w = watchPage(page, s.base);
        const evalId = s.evals[0].id;

        for (const lang of ['en', 'ar']) {
            await check(`dashboard screenshot (${lang})`, async () => {
                await visit(page, `${s.base}/?lang=${lang}`);
                const c = await content(page, 'dashboard');
                expect(c.svgs >= 1 && c.shapes >= 9, `the dashboard has ${c.svgs} SVG with ${c.shapes} shapes: no risk matrix`);
                expect(s.records.some((r) => c.text.includes(r.title)),
                       'the dashboard shows none of the published incidents');
                const st = await shoot(page, `dashboard-${lang}.png`, 1280);
                expectNoProblems(w.take(), 'problems');
                console.log(`     dashboard-${lang}.png ${st.width}x${st.height}, ${st.bytes} bytes`);
            });
            await check(`evaluation page screenshot (${lang})`, async () => {
                await visit(page, `${s.base}/evals/${evalId}?lang=${lang}`);
                const c = await content(page, 'eval');
                expect(c.svgs >= 1 && c.shapes >= 6, `the evaluation page has ${c.svgs} SVG with ${c.shapes} shapes: no charts`);
                expect(c.text.includes(s.evals[0].model), 'the evaluation page does not name the model');
                const st = await shoot(page, `eval-${lang}.png`, 1280);
                expectNoProblems(w.take(), 'problems');
                console.log(`     eval-${lang}.png ${st.width}x${st.height}, ${st.bytes} bytes`);
            });
            await check(`risk page screenshot (${lang})`, () =>
                risksShot(page, w, s.base, lang, `risks-${lang}.png`, 1280));
        }
        await login(page, s.base, s.tokens.reporter, 'reporter');
        for (const lang of ['en', 'ar'])
            await check(`form with errors screenshot (${lang})`, () =>
                formShot(page, w, s.base, lang, `form-errors-${lang}.png`, 1280));

        const phone = await newContext(browser, s.base, { viewport: { width: 360, height: 740 },
                                                          deviceScaleFactor: 2, isMobile: true, hasTouch: true });
        const pp = await phone.newPage();
        const pw = watchPage(pp, s.base);
        await check('dashboard screenshot on a phone (360x740)', async () => {
            await visit(pp, `${s.base}/?lang=en`);
            const st = await shoot(pp, 'dashboard-phone-en.png', 720);
            expectNoProblems(pw.take(), 'problems');
            console.log(`     dashboard-phone-en.png ${st.width}x${st.height}, ${st.bytes} bytes`);
        });
        for (const lang of ['en', 'ar'])
            await check(`risk page screenshot on a phone (${lang})`, () =>
                risksShot(pp, pw, s.base, lang, `risks-phone-${lang}.png`, 720));
        await login(pp, s.base, s.tokens.reporter, 'reporter');
        await check('form with errors screenshot on a phone (ar)', () =>
            formShot(pp, pw, s.base, 'ar', 'form-errors-phone-ar.png', 720));
        expect(ctx.outside.length + phone.outside.length === 0, 'requests left the test server');
        await phone.close();
        await ctx.close();
    } finally {
        await browser.close();
        await s.stop();
    }
});
