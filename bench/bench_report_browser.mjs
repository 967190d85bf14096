// bench_report_browser.mjs - how the HTML report's sample browser behaves
// on a big report in a real Chromium (issue 16 item 10):
//
//   node bench/bench_report_browser.mjs REPORT.html
//
// (REPORT.html from `bench_report --samples N --keep`.)  Prints the time
// from navigation to the first page of samples (parsing the file and its
// JSON included), then the time of a filter by hazard, of a score filter,
// of a page turn, and the number of rows in the DOM after each, which
// stays one page whatever the run's size.
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CHROMIUM_ARGS, REPO } from '../tests/browser/lib.mjs';

const file = process.argv[2];
if (!file) {
    console.error('usage: node bench/bench_report_browser.mjs REPORT.html');
    process.exit(2);
}
const { chromium } = createRequire(resolve(REPO, 'package.json'))('playwright-core');
const browser = await chromium.launch({ executablePath: process.env.OSAFE_CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const t0 = Date.now();
    await page.goto(pathToFileURL(resolve(file)).href, { timeout: 600000 });
    await page.waitForFunction(() => document.getElementById('sb-rows').children.length > 0, null, { timeout: 600000 });
    const load = Date.now() - t0;
    const total = await page.evaluate(() => JSON.parse(document.getElementById('sb-data').textContent).s.length);
    const timed = (fn) => page.evaluate(fn);
    const hz = await timed(() => {
        const s = document.getElementById('sb-hazard'), t = performance.now();
        s.value = s.options[1].value;
        s.dispatchEvent(new Event('change'));
        return [performance.now() - t, document.getElementById('sb-rows').children.length, document.getElementById('sb-status').textContent];
    });
    const sc = await timed(() => {
        const f = document.getElementById('sb-min'), t = performance.now();
        f.value = '0.5';
        document.getElementById('sb-filters').requestSubmit();
        return [performance.now() - t, document.getElementById('sb-rows').children.length, document.getElementById('sb-status').textContent];
    });
    const pg = await timed(() => {
        const t = performance.now();
        document.getElementById('sb-next').click();
        return [performance.now() - t, document.getElementById('sb-rows').children.length];
    });
    console.log(`report browser: ${total} samples: first page after ${(load / 1000).toFixed(1)} s; ` +
                `hazard filter ${hz[0].toFixed(0)} ms (${hz[1]} rows in the DOM; ${hz[2]}); ` +
                `score filter ${sc[0].toFixed(0)} ms (${sc[1]} rows; ${sc[2]}); page turn ${pg[0].toFixed(0)} ms (${pg[1]} rows)`);
} finally {
    await browser.close();
}
