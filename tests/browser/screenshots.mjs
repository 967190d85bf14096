// screenshots.mjs - PNG screenshots of the dashboard and of an evaluation
// page (English and Arabic, desktop; English on a phone) saved as test
// artefacts in $OSAFE_ARTIFACTS, after checking that the page holds what
// the picture is meant to show: the dashboard's risk matrix (an SVG) and
// recent incidents, the evaluation page's charts (SVG) with the run's
// model.  Each file is checked to be a PNG of the expected width whose
// pixels are not one flat colour.

import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { artifactDir, check, expect, expectNoProblems, launchBrowser, newContext, run, visit,
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
        }

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
        expect(ctx.outside.length + phone.outside.length === 0, 'requests left the test server');
        await phone.close();
        await ctx.close();
    } finally {
        await browser.close();
        await s.stop();
    }
});
