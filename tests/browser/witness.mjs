// witness.mjs - the witnesses of the log on /log and the cosignatures the
// in-browser check verifies (issue 12): node A (the seeded server) is given
// a witness W (a second `osafe serve --witness-key` that has A as a peer)
// with `osafe witness add`; once A's checkpoint carries W's cosignature, in
// all six languages /log lists W as cosigning the current checkpoint and a
// record's inclusion check lists W's verified cosignature with its time.
// A served cosignature altered in flight is not listed (the check still
// passes: the log's own signature is intact).
//
// Hooks (web_witness.c, web_log.c, verify.js): table#witness-list
// tr.witness[data-name][data-current], section#verify[data-witnesses],
// #verify-cosigs[data-count] li[data-witness][data-time].

import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LANGS, check, expect, expectNoProblems, launchBrowser, newContext, osafeBin,
         run, visit, watchPage } from './lib.mjs';
import { seed } from './seed.mjs';

const WITNESS = 'w.example/witness';

function osafe(args) {
    return new Promise((res, rej) => {
        execFile(osafeBin(), args, (err, stdout, stderr) => {
            if (err) rej(new Error(`osafe ${args.slice(0, 2).join(' ')}: ${stderr}`));
            else res(String(stdout));
        });
    });
}

// `osafe serve` as a witness on port 0; resolves { child, port }.
function startWitness(dir) {
    const errFd = openSync(join(dir, 'serve.stderr'), 'a');
    const child = spawn(osafeBin(), ['serve', '--db', join(dir, 'w.db'), '--log', join(dir, 'log'),
                                     '--listen', '127.0.0.1:0', '--origin', 'w.example/log',
                                     '--witness-key', join(dir, 'w.example_witness.key')],
                        { stdio: ['ignore', 'pipe', errFd] });
    process.once('exit', () => { if (child.exitCode === null) child.kill('SIGKILL'); });
    return new Promise((res, rej) => {
        let out = '';
        const timer = setTimeout(() => rej(new Error('the witness did not start')), 20000);
        child.stdout.setEncoding('utf8');
        child.stdout.on('data', (d) => {
            out += d;
            const m = /listening on port (\d+)/.exec(out);
            if (m) { clearTimeout(timer); res({ child, port: Number(m[1]) }); }
        });
    });
}

async function cosignedCheckpoint(base) {
    for (let i = 0; i < 200; i++) {
        const t = await (await fetch(`${base}/log/checkpoint`)).text();
        if (t.includes(`\n\u2014 ${WITNESS} `)) return t;
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('A\'s checkpoint was not cosigned by the witness in 20 s');
}

async function verifyRecord(page, id) {
    await page.fill('#verify-id', id);
    await page.click('#verify-fetch');
    await page.waitForFunction(() => document.getElementById('verify-entry').value.length > 0,
                               null, { timeout: 10000 });
    await page.click('#verify-form [type="submit"]');
    await page.waitForFunction(() => {
        const c = document.getElementById('verify-cosigs');
        const s = document.getElementById('verify-result').getAttribute('data-status');
        return s === 'fail' || (s === 'ok' && c && !c.hidden);
    }, null, { timeout: 10000 });
    return {
        status: await page.getAttribute('#verify-result', 'data-status'),
        count: Number(await page.getAttribute('#verify-cosigs', 'data-count')),
        names: await page.$$eval('#verify-cosigs li', (l) => l.map((x) => x.getAttribute('data-witness'))),
        text: (await page.textContent('#verify-cosigs')).trim(),
    };
}

await run(async () => {
    const s = await seed({ evals: false, vkeyPlus: false });
    const wdir = mkdtempSync(join(tmpdir(), 'osafe-witness.'));
    let w = null;
    const browser = await launchBrowser();
    try {
        await osafe(['key', 'generate', WITNESS, '--out', wdir]);
        writeFileSync(join(wdir, 'a.vkey'), `${s.vkey}\n`);
        await osafe(['peer', 'add', s.base, '--vkey', join(wdir, 'a.vkey'), '--db', join(wdir, 'w.db')]);
        w = await startWitness(wdir);
        await osafe(['witness', 'add', `http://127.0.0.1:${w.port}/witness`,
                     '--vkey', join(wdir, 'w.example_witness.vkey'), '--db', s.db]);
        const cp = await cosignedCheckpoint(s.base);
        const ctx = await newContext(browser, s.base);
        const page = await ctx.newPage();
        const watch = watchPage(page, s.base);
        const rec = s.records[0];

        for (const lang of LANGS) {
            await check(`/log (${lang}) lists the witness and the check verifies its cosignature`, async () => {
                await visit(page, `${s.base}/log?lang=${lang}`);
                const row = await page.$(`#witness-list tr.witness[data-name="${WITNESS}"]`);
                expect(row, 'the witness is not listed');
                expect(await row.getAttribute('data-current') === '1',
                       'the witness is not shown as cosigning the current checkpoint');
                expect((await page.textContent('#checkpoint-note')).includes(`\u2014 ${WITNESS} `),
                       'the checkpoint shown lacks the cosignature');
                const keys = await page.getAttribute('#verify', 'data-witnesses');
                expect(keys === readFileSync(join(wdir, 'w.example_witness.vkey'), 'utf8').trim(),
                       `data-witnesses is ${keys}`);
                const r = await verifyRecord(page, rec.id);
                expect(r.status === 'ok', `the inclusion check says ${r.status}`);
                expect(r.count === 1 && r.names[0] === WITNESS,
                       `cosignatures listed: ${r.count} ${r.names}`);
                expect(!/verify\.cosigned/.test(r.text), `a catalogue key is shown: ${r.text}`);
                expect(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/.test(r.text), `no time shown: ${r.text}`);
                expectNoProblems(watch.take(), 'problems');
            });
        }

        await check('a cosignature altered in flight is not listed', async () => {
            // one character of the witness's signature changed (the log's
            // own signature line is left alone)
            const lines = cp.split('\n');
            const i = lines.findIndex((l) => l.startsWith(`\u2014 ${WITNESS} `));
            const l = lines[i];
            const c = l[l.length - 5];
            lines[i] = l.slice(0, -5) + (c === 'A' ? 'B' : 'A') + l.slice(-4);
            const forged = lines.join('\n');
            await page.route('**/log/checkpoint', (route) =>
                route.fulfill({ status: 200, contentType: 'text/plain; charset=utf-8', body: forged }));
            await visit(page, `${s.base}/log?lang=en`);
            const r = await verifyRecord(page, rec.id);
            await page.unroute('**/log/checkpoint');
            expect(r.status === 'ok', `the inclusion check says ${r.status}`);
            expect(r.count === 0, `a forged cosignature was listed: ${r.names}`);
            expectNoProblems(watch.take(), 'problems');
        });
        await ctx.close();
    } finally {
        await browser.close();
        if (w && w.child.exitCode === null) w.child.kill('SIGTERM');
        await s.stop();
        rmSync(wdir, { recursive: true, force: true });
    }
});
