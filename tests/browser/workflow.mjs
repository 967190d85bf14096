// workflow.mjs - a report filed through the web form reaches the review
// queue and, once accepted there, the public list.
//
//   reporter (logged in through /login): /incidents/new, submit an empty-ish
//   form -> validation messages in place next to the fields, focus on the
//   first; save a draft -> a draft only its owner sees; complete and submit
//   -> "submitted"; the reporter has no review queue.
//   reviewer: /review lists it, accept -> published.
//   anonymous: /incidents lists it, its page shows it.
// Also: a form posted without its CSRF token is refused and changes
// nothing, and a report filed with the keyboard alone (Tab, typing, arrows,
// Space, Enter) reaches the queue too.
//
// Hooks (web_form.c, web_review.c): form#incident-form[data-id], fields named
// by JSON path in div.field[data-field], p.field-error[data-field],
// #form-errors, #save-draft, #submit-review; #review-queue,
// article.review-item[data-id] with form.review-form (textarea reason,
// buttons decision=accept|reject|changes), #review-done[data-id][data-decision].

import { check, expect, expectNoProblems, launchBrowser, login, newContext, run, visit,
         watchPage } from './lib.mjs';
import { api, seed } from './seed.mjs';

const TITLE = 'Le modèle invente une posologie « dangereuse » — test navigateur';
const DESCRIPTION = 'Le chatbot a donné une dose dix fois trop élevée.\nDeuxième ligne.';

async function state(s, id, token) {
    const r = await api(s.base, 'GET', `/api/v1/records/${id}`, token);
    return { status: r.status, state: r.headers.get('x-osafe-state'), json: r.json };
}

// Click a submit button and wait for the page it leads to.
async function submitWith(page, selector) {
    const [resp] = await Promise.all([page.waitForNavigation(), page.click(selector)]);
    return resp;
}

await run(async () => {
    const s = await seed({ evals: false });
    const browser = await launchBrowser();
    try {
        const rc = await newContext(browser, s.base);
        const rp = await rc.newPage();
        const rw = watchPage(rp, s.base);
        await login(rp, s.base, s.tokens.reporter, 'reporter');
        let id = null;

        await check('a wrong token is refused in place, in the page\'s language', async () => {
            const bc = await newContext(browser, s.base);
            const bp = await bc.newPage();
            const bw = watchPage(bp, s.base);
            bw.allowStatus(401);
            await visit(bp, `${s.base}/login?lang=es`);
            await bp.fill('#login-form [name="token"]', 'osafe_' + '0'.repeat(64));
            const [resp] = await Promise.all([bp.waitForNavigation(), bp.click('#login-form [type="submit"]')]);
            expect(resp.status() === 401, `a wrong token answers HTTP ${resp.status()}, wanted 401`);
            const r = await bp.evaluate(() => {
                const e = document.getElementById('login-error');
                const f = document.querySelector('#login-form [name="token"]');
                return { text: e ? e.textContent.trim() : null, role: e && e.getAttribute('role'),
                         invalid: f.getAttribute('aria-invalid'), described: f.getAttribute('aria-describedby'),
                         lang: document.documentElement.lang,
                         account: document.getElementById('account').getAttribute('data-role') };
            });
            expect(r.text && r.role === 'alert', 'no #login-error alert');
            expect(r.invalid === 'true' && r.described === 'login-error', 'the token field is not tied to the error');
            expect(r.lang === 'es', `the refusal is in ${r.lang}`);
            expect(r.account === 'anonymous', 'logged in with a wrong token');
            expect(!(await bc.cookies()).some((k) => k.name === 'osafe_session'), 'a session cookie for a wrong token');
            expectNoProblems(bw.take(), 'problems');
            await bc.close();
        });

        await check('the session cookie is HttpOnly and SameSite=Strict; logging out ends it', async () => {
            const c = (await rc.cookies()).find((k) => k.name === 'osafe_session');
            expect(c, 'no osafe_session cookie after login');
            expect(c.httpOnly && c.sameSite === 'Strict' && c.path === '/',
                   `cookie flags: httpOnly ${c.httpOnly}, sameSite ${c.sameSite}, path ${c.path}`);
            expect(!(await rp.evaluate(() => document.cookie)).includes('osafe_session'),
                   'the page script can read the session cookie');
            // A second session, logged out: its cookie must stop working.
            const lc = await newContext(browser, s.base);
            const lp = await lc.newPage();
            await login(lp, s.base, s.tokens.reporter, 'reporter');
            const old = (await lc.cookies()).find((k) => k.name === 'osafe_session');
            await Promise.all([lp.waitForNavigation(), lp.click('#logout-form [type="submit"]')]);
            expect(await lp.getAttribute('#account', 'data-role') === 'anonymous', 'still logged in after logging out');
            const replay = await newContext(browser, s.base);
            await replay.addCookies([{ name: old.name, value: old.value, url: s.base }]);
            const rpp = await replay.newPage();
            await visit(rpp, `${s.base}/?lang=en`);
            expect(await rpp.getAttribute('#account', 'data-role') === 'anonymous',
                   'the cookie of a logged-out session still logs in');
            await replay.close();
            await lc.close();
            expect((await rc.cookies()).some((k) => k.name === 'osafe_session'), 'the other session was ended too');
            await visit(rp, `${s.base}/?lang=en`);
            expect(await rp.getAttribute('#account', 'data-role') === 'reporter',
                   'logging out one session logged out another');
            expectNoProblems(rw.take(), 'problems');
        });

        await check('text typed into the form survives a reload before it is saved', async () => {
            await visit(rp, `${s.base}/incidents/new?lang=en`);
            await rp.fill('[name="description[0].text"]', 'typed, not yet saved');
            await rp.reload();
            expect(await rp.inputValue('[name="description[0].text"]') === 'typed, not yet saved',
                   'the unsaved description was lost on reload');
            // Leave no restored text behind for the checks below.
            await rp.evaluate(() => sessionStorage.clear());
            expectNoProblems(rw.take(), 'problems');
        });

        await check('submitting an incomplete report shows the messages in place', async () => {
            await visit(rp, `${s.base}/incidents/new?lang=fr`);
            await rp.fill('[name="title.text"]', TITLE);
            await rp.fill('[name="countries_occurred"]', 'France');
            // The refused form comes back as 422 with the messages in it.
            rw.allowStatus(422);
            const resp = await submitWith(rp, '#submit-review');
            rw.disallowStatus(422);
            expect(resp.status() === 422, `the refused form answers HTTP ${resp.status()}, wanted 422`);
            const r = await rp.evaluate(() => {
                const errs = [...document.querySelectorAll('#incident-form .field-error[data-field]')];
                return {
                    summary: !!document.getElementById('form-errors'),
                    errors: errs.map((e) => ({
                        field: e.getAttribute('data-field'),
                        wrapper: e.closest('[data-field]:not(.field-error)') &&
                            e.closest('[data-field]:not(.field-error)').getAttribute('data-field'),
                        text: e.textContent.trim(),
                        visible: e.getBoundingClientRect().height > 0,
                    })),
                    invalid: [...document.querySelectorAll('#incident-form [aria-invalid="true"]')].map((e) => e.name),
                    focused: document.activeElement && document.activeElement.getAttribute('name'),
                    title: document.querySelector('[name="title.text"]').value,
                    id: document.getElementById('incident-form').getAttribute('data-id'),
                    lang: document.documentElement.lang,
                };
            });
            expect(r.lang === 'fr', `the answer is in ${r.lang}, not French`);
            expect(r.errors.length >= 1, 'no field error shown');
            for (const e of r.errors) {
                expect(e.visible && e.text.length > 0, `the error for ${e.field} is empty or hidden`);
                expect(e.wrapper && e.field.replace(/\[\d+\]$/, '').startsWith(e.wrapper.replace(/\[\d+\]$/, '')),
                       `the error for ${e.field} sits in the field ${e.wrapper}, not next to its own field`);
            }
            expect(r.invalid.length >= 1, 'no field is marked aria-invalid');
            expect(r.focused && r.invalid.includes(r.focused),
                   `focus is on ${r.focused}, not on the first refused field (${r.invalid.join(', ')})`);
            expect(r.title === TITLE, 'the title typed was lost');
            expectNoProblems(rw.take(), 'problems');
            if (r.id) id = r.id;
        });

        await check('every error at once, in the page language, and no draft left behind', async () => {
            await visit(rp, `${s.base}/incidents/new?lang=ar`);
            await rp.fill('[name="title.text"]', 'Errors at once');
            await rp.fill('[name="occurred_start.date"]', '2025-13-40');
            await rp.fill('[name="countries_occurred"]', 'Freedonia');
            await rp.fill('[name="references[0].url"]', 'ftp://example.org/x');
            rw.allowStatus(422);
            const resp = await submitWith(rp, '#submit-review');
            rw.disallowStatus(422);
            expect(resp.status() === 422, `the refused form answers HTTP ${resp.status()}, wanted 422`);
            const r = await rp.evaluate(() => ({
                kinds: [...document.querySelectorAll('#incident-form .field-error[data-kind]')]
                    .map((e) => `${e.getAttribute('data-field')}:${e.getAttribute('data-kind')}`),
                items: document.querySelectorAll('#form-errors li').length,
                text: document.getElementById('form-errors').textContent + ' ' +
                    [...document.querySelectorAll('.field-error')].map((e) => e.textContent).join(' '),
                id: document.getElementById('incident-form').getAttribute('data-id'),
            }));
            for (const k of ['occurred_start.date:date', 'countries_occurred:country', 'references[0].url:url',
                             'ai_relation:required'])
                expect(r.kinds.includes(k), `no ${k} error among ${r.kinds.join(', ')}`);
            expect(r.items >= r.kinds.length, `the summary lists ${r.items} of ${r.kinds.length} errors`);
            expect(!/field '|must be/.test(r.text), 'the registry\'s internal English is shown');
            expect(!r.id, `a refused form left draft ${r.id} behind`);
            expectNoProblems(rw.take(), 'problems');
        });

        await check('the owner discards a draft', async () => {
            await visit(rp, `${s.base}/incidents/new?lang=en`);
            await rp.fill('[name="title.text"]', 'Draft to discard');
            await submitWith(rp, '#save-draft');
            const m = /\/incidents\/([A-Z0-9_-]+)$/.exec(new URL(rp.url()).pathname);
            expect(m && m[1] !== 'new', `after saving the page is ${rp.url()}`);
            await visit(rp, `${s.base}/incidents/${m[1]}/edit?lang=en`);
            await rp.check('#discard-confirm');
            await submitWith(rp, '#discard-draft');
            expect(new URL(rp.url()).pathname === '/incidents', `after discarding the page is ${rp.url()}`);
            expect((await state(s, m[1], s.tokens.reporter)).status === 404, 'the discarded draft is still there');
            expectNoProblems(rw.take(), 'problems');
        });

        await check('saving a draft keeps it private to its organisation', async () => {
            await visit(rp, `${s.base}${id ? `/incidents/${id}/edit` : '/incidents/new'}?lang=fr`);
            await rp.fill('[name="title.text"]', TITLE);
            await rp.fill('[name="description[0].text"]', DESCRIPTION);
            await rp.fill('[name="countries_occurred"]', 'FR, BE');
            await rp.fill('[name="lang"]', 'fr');
            await submitWith(rp, '#save-draft');
            const m = /\/incidents\/([A-Z0-9_-]+)/.exec(new URL(rp.url()).pathname);
            expect(m && m[1] !== 'new', `after saving the page is ${rp.url()}; errors: ` +
                   (await rp.$$eval('.field-error', (es) => es.map((e) => `${e.getAttribute('data-field')}: ${e.textContent}`).join(' | '))));
            id = m[1];
            const st = await state(s, id, s.tokens.reporter);
            expect(st.status === 200 && st.state === 'draft', `the record is ${st.status} ${st.state}, not a draft`);
            expect(st.json.title.text === TITLE && st.json.description[0].text.replace(/\r\n/g, '\n') === DESCRIPTION,
                   'the saved title or description differs from what was typed');
            expect(JSON.stringify(st.json.countries_occurred) === '["FR","BE"]',
                   `countries saved as ${JSON.stringify(st.json.countries_occurred)}`);
            expect((await state(s, id, null)).status === 404, 'an anonymous API call sees the draft');
            expect((await state(s, id, s.tokens.reporter2)).status === 404, 'another organisation sees the draft');
            const ac = await newContext(browser, s.base);
            const ap = await ac.newPage();
            await visit(ap, `${s.base}/incidents/${id}?lang=en`, 404);
            await visit(ap, `${s.base}/incidents?lang=en`);
            expect(!(await ap.textContent('main')).includes(TITLE), 'the draft shows in the public list');
            await ac.close();
            expectNoProblems(rw.take(), 'problems');
        });

        await check('a form posted without its CSRF token is refused and changes nothing', async () => {
            await visit(rp, `${s.base}/incidents/${id}/edit?lang=en`);
            await rp.fill('[name="title.text"]', 'changed without a token');
            await rp.$eval('#incident-form input[name="csrf"]', (e) => e.remove());
            rw.allowStatus(403);
            const resp = await submitWith(rp, '#save-draft');
            expect(resp.status() === 403, `HTTP ${resp.status()}, wanted 403`);
            expect((await state(s, id, s.tokens.reporter)).json.title.text === TITLE, 'the title changed anyway');
            await visit(rp, `${s.base}/incidents/${id}/edit?lang=en`);
            await rp.$eval('#incident-form input[name="csrf"]', (e) => { e.value = '0'.repeat(64); });
            await rp.fill('[name="title.text"]', 'changed with a wrong token');
            const resp2 = await submitWith(rp, '#save-draft');
            expect(resp2.status() === 403, `wrong token: HTTP ${resp2.status()}, wanted 403`);
            expect((await state(s, id, s.tokens.reporter)).json.title.text === TITLE, 'the title changed anyway');
            rw.disallowStatus(403);
            expectNoProblems(rw.take(), 'problems');
        });

        await check('completing and submitting the draft sends it for review', async () => {
            await visit(rp, `${s.base}/incidents/${id}/edit?lang=fr`);
            expect(await rp.inputValue('[name="title.text"]') === TITLE, 'the edit form lost the title');
            await rp.selectOption('[name="ai_relation"]', 'caused');
            await rp.fill('[name="occurred_start.date"]', '2026-02-03');
            await rp.selectOption('[name="severity.level"]', 'serious_incident');
            await rp.check('[name="harm_types"][value="physical"]');
            await rp.check('[name="hazards"][value="spc"]');
            await rp.fill('[name="ai_systems[0].name"]', 'helpful-7b');
            await rp.fill('[name="references[0].url"]', 'https://example.org/fr/rapport');
            await rp.fill('[name="submitter.pseudonym"]', 'testeur');
            await submitWith(rp, '#submit-review');
            const st = await state(s, id, s.tokens.reporter);
            expect(st.state === 'submitted', `the record is ${st.state}, not submitted ` +
                   `(errors on the page: ${await rp.$$eval('.field-error', (es) => es.map((e) => e.textContent).join(' | '))})`);
            expect(JSON.stringify(st.json.hazards) === '["spc"]' && st.json.severity.level === 'serious_incident',
                   'hazards or severity were not saved as chosen');
            expectNoProblems(rw.take(), 'problems');
        });

        await check('a reporter has no review queue', async () => {
            const r = await rp.goto(`${s.base}/review?lang=en`);
            expect(r.status() === 403 || r.status() === 401 || !(await rp.$('#review-queue')),
                   'the reporter sees the review queue');
            expect(!(await rp.$(`.review-item[data-id="${id}"]`)), 'the reporter can review its own submission');
            rw.take();
        });

        const vc = await newContext(browser, s.base);
        const vp = await vc.newPage();
        const vw = watchPage(vp, s.base);
        await login(vp, s.base, s.tokens.reviewer, 'reviewer');
        await check('the reviewer finds it in /review and accepts it', async () => {
            await visit(vp, `${s.base}/review?lang=ar`);
            const item = vp.locator(`#review-queue .review-item[data-id="${id}"]`);
            expect(await item.count() === 1, `the submission ${id} is not in the review queue`);
            expect((await item.textContent()).includes(TITLE), 'the queue entry does not show the title');
            expect(await vp.locator(`#review-queue .review-item[data-id="${s.pending.id}"]`).count() === 1,
                   'the other pending submission is missing from the queue');
            await item.locator('textarea[name="reason"]').fill('vérifié');
            await Promise.all([vp.waitForNavigation(),
                               item.locator('button[name="decision"][value="accept"]').click()]);
            const done = await vp.$('#review-done');
            expect(done, 'no confirmation after accepting');
            expect(await done.getAttribute('data-id') === id && await done.getAttribute('data-decision') === 'accept',
                   'the confirmation names another record or decision');
            expect(await vp.locator(`#review-queue .review-item[data-id="${id}"]`).count() === 0,
                   'the accepted record is still in the queue');
            const st = await state(s, id, s.tokens.reviewer);
            expect(st.state === 'published', `the record is ${st.state}, not published`);
            expectNoProblems(vw.take(), 'problems');
        });

        await check('once accepted it is in the public list and its page', async () => {
            const ac = await newContext(browser, s.base);
            const ap = await ac.newPage();
            const aw = watchPage(ap, s.base);
            await visit(ap, `${s.base}/incidents?lang=en`);
            const link = ap.locator(`main a[href="/incidents/${id}"]`);
            expect(await link.count() >= 1, 'the public list has no link to the accepted record');
            expect((await ap.textContent('main')).includes(TITLE), 'the public list does not show its title');
            await Promise.all([ap.waitForNavigation(), link.first().click()]);
            expect((await ap.textContent('h1')).includes(TITLE) || (await ap.textContent('main')).includes(TITLE),
                   'the record page does not show the title');
            const tagged = await ap.evaluate((t) => [...document.querySelectorAll('main [lang="fr"]')]
                .some((e) => e.textContent.includes(t)), TITLE);
            expect(tagged, 'the French title is not tagged lang="fr" on an English page');
            expectNoProblems(aw.take(), 'problems');
            await ac.close();
        });

        await check('a report filed with the keyboard alone reaches the queue', async () => {
            const want = {
                'title.text': { type: 'Keyboard-only report: model leaks an address' },
                'description[0].text': { type: 'Filed without a mouse.' },
                ai_relation: { select: 'contributed' },
                'occurred_start.date': { type: '2026-01' },
                countries_occurred: { type: 'DE' },
                'severity.level': { select: 'incident' },
                harm_types: { check: 'human_rights' },
                hazards: { check: 'prv' },
                'ai_systems[0].name': { type: 'cautious-7b' },
                'references[0].url': { type: 'https://example.org/de/1' },
                'submitter.pseudonym': { type: 'keys-only' },
            };
            await visit(rp, `${s.base}/incidents/new?lang=en`);
            const done = new Set();
            let reached = false;
            for (let i = 0; i < 200 && !reached; i++) {
                await rp.keyboard.press('Tab');
                const f = await rp.evaluate(() => {
                    const e = document.activeElement;
                    return e ? { id: e.id, name: e.getAttribute('name'), tag: e.tagName.toLowerCase(),
                                 value: e.value, type: e.getAttribute('type') } : {};
                });
                if (f.id === 'submit-review') { reached = true; break; }
                const w = want[f.name];
                if (!w) continue;
                if (w.type && f.tag !== 'select') {
                    await rp.keyboard.type(w.type);
                    done.add(f.name);
                } else if (w.select && f.tag === 'select') {
                    for (let k = 0; k < 12 && (await rp.evaluate(() => document.activeElement.value)) !== w.select; k++)
                        await rp.keyboard.press('ArrowDown');
                    if ((await rp.evaluate(() => document.activeElement.value)) === w.select) done.add(f.name);
                } else if (w.check && f.type === 'checkbox' && f.value === w.check) {
                    await rp.keyboard.press('Space');
                    done.add(f.name);
                }
            }
            const missing = Object.keys(want).filter((k) => !done.has(k));
            expect(missing.length === 0, `not reachable or not usable with the keyboard: ${missing.join(', ')}`);
            expect(reached, 'Tab never reached the submit button');
            const [resp] = await Promise.all([rp.waitForNavigation(), rp.keyboard.press('Enter')]);
            const m = /\/incidents\/([A-Z0-9_-]+)$/.exec(new URL(rp.url()).pathname);
            expect(m, `after Enter the page is ${rp.url()} (HTTP ${resp && resp.status()})`);
            const st = await state(s, m[1], s.tokens.reporter);
            expect(st.state === 'submitted', `the keyboard report is ${st.state}`);
            expect(st.json.hazards.includes('prv') && st.json.harm_types.includes('human_rights'),
                   'the checkboxes toggled with Space were not saved');
            await visit(vp, `${s.base}/review?lang=en`);
            expect(await vp.locator(`.review-item[data-id="${m[1]}"]`).count() === 1,
                   'the keyboard report is not in the review queue');
            expectNoProblems(rw.take(), 'problems');
            vw.take();
        });
        expect(rc.outside.length + vc.outside.length === 0, 'requests left the test server');
        await vc.close();
        await rc.close();
    } finally {
        await browser.close();
        await s.stop();
    }
});
