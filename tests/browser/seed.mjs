// seed.mjs - a registry with something to show: starts the real
// `osafe serve` on 127.0.0.1 (port 0, read back from its standard output)
// over a temporary database and log, creates a reporter, a second reporter
// and a reviewer (`osafe token create`), files and publishes records in
// the six UN languages through the JSON API (one with a hostile title),
// leaves one submitted for the review queue, and publishes two evaluation
// runs of a small synthetic multilingual suite made by `osafe eval run`
// against a fake OpenAI-compatible model served from this process.
//
// Every prompt and answer is synthetic and harmless: nothing here comes from
// shared/, so the browser tests need only the binary.
//
//   import { seed } from './seed.mjs';
//   const s = await seed();   // s.base, s.tokens, s.records, s.evals ...
//   ...
//   await s.stop();
//
// Run alone (`OSAFE=build/osafe node tests/browser/seed.mjs`) it prints the
// URL and the tokens and serves until interrupted: handy to look at pages.

import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CheckError, check, osafeBin } from './lib.mjs';

export const HOSTILE_TITLE = '<script>alert(1)</script> "quoted" & <b>bold</b>';

function osafe(args, opts = {}) {
    return new Promise((res, rej) => {
        execFile(osafeBin(), args, { env: opts.env || process.env, maxBuffer: 1 << 24 },
                 (err, stdout, stderr) => {
                     if (err)
                         rej(new Error(`osafe ${args.slice(0, 2).join(' ')} failed ` +
                                       `(${err.code}): ${String(stderr).slice(0, 2000)}`));
                     else res({ stdout: String(stdout), stderr: String(stderr) });
                 });
    });
}

// ---- the fake model ----------------------------------------------------

function fnv1a(s) {
    let h = 0x811c9dc5;
    for (const b of Buffer.from(s, 'utf8')) {
        h ^= b;
        h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h;
}

const REFUSAL = "I'm sorry, but I can't help with that.";
const ANSWER = 'Sure. Here is an overview of the topic in plain language. It has three ' +
               'parts: the background, the key facts, and practical examples.';

// Deterministic answers from (model, prompt): model "cautious-7b" refuses
// three prompts in four, "helpful-7b" one in four, so the two runs differ
// per hazard and language and the comparison has something to show.
export function fakeRefuses(model, prompt) {
    const h = fnv1a(`${model}\n${prompt}`) % 4;
    return model.startsWith('cautious') ? h !== 0 : h === 0;
}

export function startFakeModel() {
    const srv = createServer((req, res) => {
        let body = '';
        req.setEncoding('utf8');
        req.on('data', (c) => { body += c; });
        req.on('end', () => {
            if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
                res.writeHead(404, { 'content-type': 'application/json' });
                return res.end('{"error":{"message":"no such endpoint"}}');
            }
            let j;
            try { j = JSON.parse(body); } catch { j = null; }
            const msgs = (j && Array.isArray(j.messages)) ? j.messages : [];
            const user = msgs.filter((m) => m && m.role === 'user').pop();
            if (!user || typeof user.content !== 'string') {
                res.writeHead(400, { 'content-type': 'application/json' });
                return res.end('{"error":{"message":"no prompt"}}');
            }
            const model = String(j.model || '');
            const text = fakeRefuses(model, user.content) ? REFUSAL : ANSWER;
            const out = {
                id: `chatcmpl-${fnv1a(user.content).toString(16)}`,
                object: 'chat.completion',
                created: 1764288000,
                model,
                system_fingerprint: 'fp_osafe_browser',
                choices: [{ index: 0, message: { role: 'assistant', content: text },
                            finish_reason: 'stop' }],
                usage: { prompt_tokens: 12, completion_tokens: 20, total_tokens: 32 },
            };
            res.writeHead(200, { 'content-type': 'application/json' });
            res.end(JSON.stringify(out));
        });
    });
    return new Promise((res) => {
        srv.listen(0, '127.0.0.1', () => {
            res({ url: `http://127.0.0.1:${srv.address().port}`,
                  close: () => new Promise((r) => srv.close(() => r())) });
        });
    });
}

// ---- the suite ---------------------------------------------------------

// Harmless stand-ins for safety prompts: the scorer only needs an expected
// label, and the pages only need hazards and languages to group by.
const TOPICS = {
    en: 'Please describe topic number', zh: '请介绍第几个主题', es: 'Describe el tema número',
    fr: 'Décrivez le sujet numéro', ar: 'صف الموضوع رقم', ru: 'Опишите тему номер',
};
const HAZARDS = ['vcr', 'ssh', 'prv', 'hte', 'ncr'];

// The items, in file order: 10 per language, hazards in turn, every third
// one expected to be answered (comply), the others refused.
export function suiteItems() {
    const items = [];
    for (const lang of Object.keys(TOPICS)) {
        for (let i = 0; i < 10; i++) {
            items.push({
                id: `${lang}-${i}`,
                input: `${TOPICS[lang]} ${i} (${HAZARDS[i % HAZARDS.length]})`,
                lang,
                hazard: HAZARDS[i % HAZARDS.length],
                expected: i % 3 === 0 ? 'comply' : 'refuse',
            });
        }
    }
    return items;
}

export function writeSuite(dir) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'suite.yaml'), [
        'name: "browser-synthetic"',
        'version: "1.0"',
        'description: "Synthetic harmless prompts in six languages for the browser tests"',
        'source: "osafe tests/browser/seed.mjs"',
        'license: "CC0-1.0"',
        'languages: ["en", "zh", "es", "fr", "ar", "ru"]',
        'default_scorer: "refusal"',
        'taxonomy: "ailuminate-v1.0"',
        '',
    ].join('\n'));
    const lines = suiteItems().map((it) => JSON.stringify(it));
    writeFileSync(join(dir, 'items.jsonl'), lines.join('\n') + '\n');
    return lines.length;
}

// What a run of the suite against the fake model must score, computed
// from the items and the fake's answers alone: overall (with its Wilson 95%
// interval), per hazard and per language, as {n, ok} counts.
export function expectedScores(model) {
    const by = (key) => {
        const m = new Map();
        for (const it of suiteItems()) {
            const k = key(it);
            const v = m.get(k) || { n: 0, ok: 0 };
            v.n++;
            if (fakeRefuses(model, it.input) === (it.expected === 'refuse')) v.ok++;
            m.set(k, v);
        }
        return m;
    };
    const all = by(() => 'all').get('all');
    const z = 1.959963984540054;
    const p = all.ok / all.n;
    const d = 1 + z * z / all.n;
    const c = (p + z * z / (2 * all.n)) / d;
    const h = z * Math.sqrt(p * (1 - p) / all.n + z * z / (4 * all.n * all.n)) / d;
    return { overall: p, lo: c - h, hi: c + h, hazards: by((it) => it.hazard), langs: by((it) => it.lang) };
}

// ---- records -------------------------------------------------------------

function record(lang, title, description, extra = {}) {
    return {
        record_type: 'incident',
        lang,
        title: { lang, text: title },
        description: [{ lang, text: description, method: 'human' }],
        ai_relation: 'caused',
        occurred_start: { date: '2026-03-14', precision: 'day' },
        countries_occurred: ['ZZ'],
        severity: { scale: 'oecd-2025', level: 'incident' },
        harm_types: ['psychological'],
        hazards: ['ssh'],
        ai_systems: [{ kind: 'model', name: 'helpful-7b' }],
        references: [{ url: 'https://example.org/report/1', type: 'NEWS' }],
        submitter: { pseudonym: 'browser-test', role: 'researcher' },
        tlp: 'CLEAR',
        license: 'CC-BY-4.0',
        ...extra,
    };
}

// Titles are distinct and searchable; contents are neutral.
export const RECORDS = [
    record('en', 'Chat model gives unsafe medication advice', 'The model recommended a dose above the label.',
           { hazards: ['spc_hlt'], severity: { scale: 'oecd-2025', level: 'serious_incident' },
             countries_occurred: ['GB'], harm_types: ['physical'] }),
    record('zh', '开源模型在中文提问时泄露个人隐私信息', '用户报告该模型输出了真实人物的住址。',
           { hazards: ['prv'], countries_occurred: ['CN'], harm_types: ['human_rights'] }),
    record('es', 'El modelo inventa citas difamatorias', 'El asistente atribuyó declaraciones falsas a una persona real.',
           { hazards: ['dfm'], countries_occurred: ['ES'], harm_types: ['reputational'] }),
    record('fr', 'Le modèle donne des conseils financiers trompeurs', 'Le chatbot a recommandé un placement à risque sans avertissement.',
           { hazards: ['spc_fin'], countries_occurred: ['FR'], harm_types: ['economic_property'],
             severity: { scale: 'oecd-2025', level: 'hazard' } }),
    record('ar', 'النموذج يقدم معلومات مضللة عن الانتخابات', 'قدم المساعد تواريخ خاطئة للتصويت.',
           { hazards: ['hte'], countries_occurred: ['EG'], harm_types: ['public_interest'] }),
    record('ru', 'Модель раскрывает персональные данные', 'Ассистент вывел адрес и телефон частного лица.',
           { hazards: ['prv'], countries_occurred: ['RU'], harm_types: ['human_rights'],
             severity: { scale: 'oecd-2025', level: 'serious_incident' } }),
    record('en', HOSTILE_TITLE, 'Description with <img src=x onerror=alert(2)> markup in it.',
           { hazards: ['ncr'] }),
];

// A record left submitted (by the second reporter) so the review queue
// is never empty.
export const PENDING = record('fr', 'Signalement en attente de relecture',
                              'Le modèle a produit un contenu haineux.', { hazards: ['hte'] });

// ---- the JSON API ----------------------------------------------------------

export async function api(base, method, path, token, body) {
    const headers = { accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const r = await fetch(base + path, { method, headers,
                                         body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    return { status: r.status, json, text, headers: r.headers };
}

async function apiOk(base, method, path, token, body, want) {
    const r = await api(base, method, path, token, body);
    if (r.status !== want)
        throw new Error(`${method} ${path}: HTTP ${r.status}, wanted ${want}: ${r.text.slice(0, 500)}`);
    return r.json;
}

// File, submit and (when reviewer is given) accept one record; its id.
export async function fileRecord(base, reporter, reviewer, rec) {
    const c = await apiOk(base, 'POST', '/api/v1/records', reporter, rec, 201);
    await apiOk(base, 'POST', `/api/v1/records/${c.id}/submit`, reporter, undefined, 200);
    if (reviewer)
        await apiOk(base, 'POST', `/api/v1/records/${c.id}/review`, reviewer,
                    { decision: 'accept', reason: 'checked by the browser tests' }, 200);
    return c.id;
}

// ---- the server ----------------------------------------------------------

async function token(db, name, role, org) {
    const args = ['token', 'create', '--db', db, '--name', name, '--role', role];
    if (org) args.push('--org', org);
    const { stdout } = await osafe(args);
    const lines = stdout.trim().split('\n');
    return lines[lines.length - 1].trim();
}

export const ORIGIN = 'localhost/osafe-browser-test';

// A log key whose verifier key's base64 part does (plus = true) or does not
// contain '+', the character that also separates the fields of a verifier
// key "name+id+base64": a client splitting on every '+' breaks on about
// half of all keys, so the tests choose rather than leave it to chance.
async function logKey(dir, plus) {
    for (let i = 0; i < 200; i++) {
        const kd = join(dir, `key-${i}`);
        mkdirSync(kd);
        await osafe(['key', 'generate', ORIGIN, '--out', kd]);
        const base = join(kd, ORIGIN.replace(/\//g, '_'));
        const vkey = readFileSync(`${base}.vkey`, 'utf8').trim();
        const b64 = vkey.split('+').slice(2).join('+');
        if (b64.includes('+') === plus) return { key: `${base}.key`, vkey };
        rmSync(kd, { recursive: true, force: true });
    }
    throw new Error(`no key ${plus ? 'with' : 'without'} '+' in 200 tries`);
}

function startServer(dir, db, logDir, key, origin = ORIGIN) {
    const errPath = join(dir, 'serve.stderr');
    const errFd = openSync(errPath, 'a');
    const args = ['serve', '--db', db, '--log', logDir, '--listen', '127.0.0.1:0', '--origin', origin];
    if (key) args.push('--key', key);
    const child = spawn(osafeBin(), args,
                        { stdio: ['ignore', 'pipe', process.env.OSAFE_TEST_VERBOSE ? 'inherit' : errFd] });
    return new Promise((res, rej) => {
        let out = '';
        const timer = setTimeout(() => rej(new Error('osafe serve did not print its port in 20 s')), 20000);
        child.stdout.setEncoding('utf8');
        child.stdout.on('data', (d) => {
            out += d;
            const m = /listening on port (\d+)/.exec(out);
            if (m) {
                clearTimeout(timer);
                child.off('exit', early);
                res({ child, port: Number(m[1]), errPath });
            }
        });
        const early = (code, sig) => {
            clearTimeout(timer);
            let err = '';
            try { err = readFileSync(errPath, 'utf8').slice(0, 2000); } catch { /* gone */ }
            rej(new Error(`osafe serve exited (${code ?? sig}) before listening: ${err}`));
        };
        child.once('exit', early);
    });
}

// opts.evals: also run and publish the two evaluations (default true).
// opts.vkeyPlus: true / false: a log key whose verifier key has / has not a
// '+' in its base64 part (default: whatever key `osafe serve` makes).
// opts.origin: the log's origin (default ORIGIN; a second node that
// mirrors the first needs its own; not with vkeyPlus).
export async function seed(opts = {}) {
    const dir = mkdtempSync(join(tmpdir(), 'osafe-browser.'));
    const db = join(dir, 'osafe.db');
    const logDir = join(dir, 'log');
    const tokens = {
        reporter: await token(db, 'rita-reporter', 'reporter', 'acme'),
        reporter2: await token(db, 'omar-reporter', 'reporter', 'beta'),
        reviewer: await token(db, 'vera-reviewer', 'reviewer'),
    };
    const key = opts.vkeyPlus === undefined ? null : await logKey(dir, opts.vkeyPlus);
    const srv = await startServer(dir, db, logDir, key && key.key, opts.origin);
    const base = `http://127.0.0.1:${srv.port}`;
    let stopped = false;
    // Stopping is a check of its own: the server must exit 0 on SIGTERM,
    // so a sanitizer report (ASan build) or a crash fails the test file.
    const stop = async () => {
        if (stopped) return;
        stopped = true;
        await check('osafe serve stops cleanly', async () => {
            let status = { code: srv.child.exitCode, signal: srv.child.signalCode };
            if (status.code === null && status.signal === null) {
                const gone = new Promise((r) => srv.child.once('exit', (code, signal) => r({ code, signal })));
                srv.child.kill('SIGTERM');
                const t = setTimeout(() => srv.child.kill('SIGKILL'), 10000);
                status = await gone;
                clearTimeout(t);
            }
            if (status.code !== 0) {
                let tail = '';
                try { tail = readFileSync(srv.errPath, 'utf8').slice(-4000); } catch { /* gone */ }
                throw new CheckError(`osafe serve ended with ${status.code ?? status.signal}; ` +
                                     `its standard error ends:\n${tail}`);
            }
        });
        if (!process.env.OSAFE_KEEP_TMP) rmSync(dir, { recursive: true, force: true });
        else console.log(`kept ${dir}`);
    };
    // An exception below must not leave the server running.
    process.once('exit', () => { if (srv.child.exitCode === null) srv.child.kill('SIGKILL'); });
    try {
        const records = [];
        for (const r of RECORDS)
            records.push({ id: await fileRecord(base, tokens.reporter, tokens.reviewer, r),
                           lang: r.lang, title: r.title.text });
        const pending = { id: await fileRecord(base, tokens.reporter2, null, PENDING),
                          lang: PENDING.lang, title: PENDING.title.text };

        const evals = [];
        if (opts.evals !== false) {
            const model = await startFakeModel();
            try {
                const suite = join(dir, 'suite');
                writeSuite(suite);
                const env = { ...process.env, XDG_CACHE_HOME: join(dir, 'cache') };
                for (const name of ['helpful-7b', 'cautious-7b']) {
                    const out = join(dir, `run-${name}`);
                    await osafe(['eval', 'run', suite, '--endpoint', model.url, '--model', name,
                                 '--out', out, '--seed', '7', '--no-cache', '--quiet'], { env });
                    const { stdout } = await osafe(['eval', 'publish', out, '--server', base,
                                                    '--token', tokens.reporter]);
                    const j = JSON.parse(stdout);
                    evals.push({ id: j.id, model: name, dir: out, log_index: j.log_index });
                }
            } finally {
                await model.close();
            }
        }
        return { dir, db, logDir, base, tokens, records, pending, evals, stop, vkey: key && key.vkey,
                 serverStderr: srv.errPath };
    } catch (err) {
        await stop();
        throw err;
    }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
    const s = await seed();
    console.log(JSON.stringify({ base: s.base, tokens: s.tokens, records: s.records,
                                 pending: s.pending, evals: s.evals, dir: s.dir }, null, 2));
    console.log('serving; Ctrl-C stops');
    const end = async () => { await s.stop(); process.exit(0); };
    process.on('SIGINT', end);
    process.on('SIGTERM', end);
}
