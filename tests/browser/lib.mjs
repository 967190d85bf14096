// lib.mjs - what every browser test shares: the environment, a Chromium that
// cannot reach the network, per-page problem collection (console errors,
// page errors, requests leaving the test server), a tiny test runner, and
// small DOM helpers.
//
// Environment (set by ctest, see tests/CMakeLists.txt):
//   OSAFE            the osafe binary under test (required)
//   OSAFE_ARTIFACTS  where screenshots go (default: ./artifacts)
//   OSAFE_CHROMIUM   the browser (default /usr/bin/chromium; never downloaded)
//   OSAFE_KEEP_TMP=1 keep the temporary server directory
//   OSAFE_TEST_VERBOSE=1 print the server's standard error
//
// Runs on Node 18 (Debian 12's nodejs): nothing newer than Node 18 is used.

import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

export const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(HERE, '..', '..');
export const LANGS = ['en', 'zh', 'es', 'fr', 'ar', 'ru'];

export function osafeBin() {
    const p = process.env.OSAFE;
    if (!p) throw new Error('OSAFE (the osafe binary) is not set; run through ctest');
    const abs = resolve(p);
    if (!existsSync(abs)) throw new Error(`OSAFE=${abs} does not exist`);
    return abs;
}

export function artifactDir() {
    const d = resolve(process.env.OSAFE_ARTIFACTS || join(process.cwd(), 'artifacts'));
    mkdirSync(d, { recursive: true });
    return d;
}

// playwright-core is a development dependency of the repository
// (package.json, `npm ci`); it is resolved from the repository root so the
// tests run from any working directory.
let pw;
function playwright() {
    if (!pw) {
        const req = createRequire(join(REPO, 'package.json'));
        try {
            pw = req('playwright-core');
        } catch (err) {
            throw new Error('playwright-core is not installed: run `npm ci` in the ' +
                            `repository root (scripts/bootstrap does) (${err.message})`);
        }
    }
    return pw;
}

// Flags that keep Chromium to itself: no background fetches, updates,
// sync, metrics, safe-browsing lookups or DNS for any name but the
// loopback address the tests use.  --no-sandbox: the tests run as root.
export const CHROMIUM_ARGS = [
    '--no-sandbox',
    '--headless=new',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-default-apps',
    '--disable-extensions',
    '--disable-domain-reliability',
    '--disable-client-side-phishing-detection',
    '--disable-breakpad',
    '--metrics-recording-only',
    '--no-first-run',
    '--no-default-browser-check',
    '--no-pings',
    '--safebrowsing-disable-auto-update',
    '--disable-features=Translate,OptimizationHints,MediaRouter,' +
        'DialMediaRouteProvider,AutofillServerCommunication,CertificateTransparencyComponentUpdater',
    '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1',
    '--proxy-server=direct://',
    '--proxy-bypass-list=*',
];

export async function launchBrowser() {
    const exe = process.env.OSAFE_CHROMIUM || '/usr/bin/chromium';
    if (!existsSync(exe))
        throw new Error(`no browser at ${exe} (Debian: apt-get install chromium)`);
    return playwright().chromium.launch({
        executablePath: exe,
        headless: true,
        args: CHROMIUM_ARGS,
        // Playwright adds its own defaults; the ones that would let the
        // browser call home are among those it already disables.
        timeout: 60000,
    });
}

// A context whose every request to a host other than the test server is
// aborted and recorded, so a page that loads anything from outside fails
// its test even though the resolver rules would have stopped it anyway.
export async function newContext(browser, base, opts = {}) {
    const ctx = await browser.newContext({ ...opts });
    const origin = new URL(base).origin;
    ctx.outside = [];
    await ctx.route('**/*', (route) => {
        const u = route.request().url();
        if (u.startsWith(origin + '/') || u === origin || u.startsWith('data:') ||
            u.startsWith('blob:') || u.startsWith('about:')) {
            return route.continue();
        }
        ctx.outside.push(u);
        return route.abort('blockedbyclient');
    });
    return ctx;
}

// Everything a page did wrong, collected while the test uses it:
// console errors, uncaught exceptions, dialogs (an escaped script that ran
// would alert), failed requests, HTTP errors of sub-resources, requests
// elsewhere, and a page itself answered with an error status nobody said
// to expect (allowStatus, or visit's status argument).  Chromium also
// logs a page's own error status as a console error ("Failed to load
// resource"); that one is judged by its status instead.
const watchers = new WeakMap();

export function watchPage(page, base) {
    const origin = new URL(base).origin;
    const problems = [];
    const allowed = new Set();
    const docErrors = new Map(); // url -> status of error documents
    page.on('console', (m) => {
        if (m.type() !== 'error') return;
        const own = /^Failed to load resource: the server responded with a status of (\d+)/.exec(m.text());
        const at = m.location() && m.location().url;
        if (own && at && docErrors.get(at) === Number(own[1])) return;
        problems.push(`console error: ${m.text()}${at ? ` (${at})` : ''}`);
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('dialog', async (d) => {
        problems.push(`dialog (${d.type()}): ${d.message()}`);
        await d.dismiss().catch(() => {});
    });
    page.on('request', (r) => {
        const u = r.url();
        if (!(u.startsWith(origin) || u.startsWith('data:') || u.startsWith('blob:') ||
              u.startsWith('about:')))
            problems.push(`request outside the test server: ${u}`);
    });
    page.on('requestfailed', (r) => {
        const f = r.failure();
        // A navigation replaced by another one is not a failure of the page.
        if (f && f.errorText === 'net::ERR_ABORTED' && r.isNavigationRequest()) return;
        problems.push(`request failed: ${r.method()} ${r.url()} (${f ? f.errorText : '?'})`);
    });
    page.on('response', (r) => {
        if (r.status() < 400) return;
        if (r.request().isNavigationRequest() && r.request().frame() === page.mainFrame()) {
            docErrors.set(r.url(), r.status());
            if (!allowed.has(r.status())) problems.push(`HTTP ${r.status()} for the page ${r.url()}`);
            return;
        }
        problems.push(`HTTP ${r.status()} for ${r.request().resourceType()} ${r.url()}`);
    });
    const w = {
        problems,
        take() {
            const p = problems.splice(0);
            return p;
        },
        // Pages answered with this status are expected until disallowed.
        allowStatus(status) { allowed.add(status); },
        allows(status) { return allowed.has(status); },
        disallowStatus(status) { allowed.delete(status); },
    };
    watchers.set(page, w);
    return w;
}

// ---- a tiny runner ------------------------------------------------------

const results = [];

// Run one named check; a thrown error fails it and the run continues, so
// one report lists every broken page.
export async function check(name, fn) {
    const t0 = Date.now();
    try {
        await fn();
        results.push({ name, ok: true });
        console.log(`ok   ${name} (${Date.now() - t0} ms)`);
    } catch (err) {
        results.push({ name, ok: false });
        // A failed expectation says what is wrong; anything else (a
        // timeout, a crash) needs its stack.
        const text = err instanceof CheckError ? err.message : String(err && err.stack || err);
        console.log(`FAIL ${name} (${Date.now() - t0} ms)\n     ${text.replace(/\n/g, '\n     ')}`);
    }
}

// Exit status: 0 when every check passed and at least one ran.
export function finish() {
    const bad = results.filter((r) => !r.ok);
    console.log(`${results.length - bad.length}/${results.length} checks passed`);
    return results.length > 0 && bad.length === 0 ? 0 : 1;
}

export class CheckError extends Error {}

export function expect(cond, msg) {
    if (!cond) throw new CheckError(msg);
}

// Repeated messages are listed once with their count, long ones cut.
export function expectNoProblems(list, where) {
    if (!list.length) return;
    const count = new Map();
    for (const p of list) count.set(p, (count.get(p) || 0) + 1);
    const lines = [...count].map(([p, n]) => (p.length > 400 ? p.slice(0, 400) + '...' : p) +
                                             (n > 1 ? ` (${n} times)` : ''));
    throw new CheckError(`${where}:\n  ${lines.join('\n  ')}`);
}

// Run main(), always closing what it opened, and exit with the runner's
// status.  A crash outside any check fails the file.
// Exit status 77 (ctest: skipped, SKIP_RETURN_CODE) when the browser or
// playwright-core is not installed: scripts/bootstrap installs both.
export const SKIP = 77;

export async function run(main) {
    let status = 1;
    const exe = process.env.OSAFE_CHROMIUM || '/usr/bin/chromium';
    try {
        playwright();
        if (!existsSync(exe)) throw new Error(`no browser at ${exe} (apt-get install chromium)`);
    } catch (err) {
        console.log(`SKIP: ${err.message}`);
        process.exitCode = SKIP;
        return;
    }
    try {
        await main();
        status = finish();
    } catch (err) {
        console.log(`FAIL (setup) ${err && err.stack || err}`);
        status = 1;
    }
    process.exitCode = status;
}

// ---- sessions -----------------------------------------------------------

// Log in through the login page as a person would: type the API token,
// submit; the account box then names the role.
export async function login(page, base, token, role) {
    await page.goto(`${base}/login?lang=en`);
    await page.fill('#login-form input[name="token"]', token);
    await Promise.all([
        page.waitForNavigation(),
        page.click('#login-form button[type="submit"]'),
    ]);
    const got = await page.getAttribute('#account', 'data-role');
    expect(got === role, `after login the account box says data-role=${got}, wanted ${role}`);
}

// Navigate and insist on the HTTP status (200 unless told; an expected
// error status is not a problem of the page).
export async function visit(page, url, status = 200) {
    const w = watchers.get(page);
    const fresh = w && status >= 400 && !w.allows(status);
    if (fresh) w.allowStatus(status);
    try {
        const r = await page.goto(url, { waitUntil: 'load' });
        expect(r, `no response for ${url}`);
        expect(r.status() === status, `${url}: HTTP ${r.status()}, wanted ${status}`);
        return r;
    } finally {
        if (fresh) w.disallowStatus(status);
    }
}
