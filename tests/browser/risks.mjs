// risks.mjs - the risk page agrees with `osafe risk rank --format json` on
// the same registry (every seeded record is TLP:CLEAR and published, so
// the anonymous visitor sees what the operator's CLI reads): the same
// risks in the same tiers with the same P(top tier), listed from the most
// to the least probably high, the same under-evidenced risks, the seed
// shown and honoured (?seed=N against --seed N), both matrix panels drawn
// with their cells, and the same ranking whatever the language.
//
// Hooks (web_risks.c): table#risk-table tr[data-hazard][data-model]
// [data-tier][data-pstar], ul#under-evidenced li[data-hazard][data-model],
// figure#risk-realized, figure#risk-latent, dd#risk-seed, form with
// input#seed.

import { execFileSync } from 'node:child_process';
import { LANGS, check, expect, expectNoProblems, launchBrowser, newContext, osafeBin, run,
         visit, watchPage } from './lib.mjs';
import { seed } from './seed.mjs';

function cliRank(db, seedArg) {
    const args = ['risk', 'rank', '--db', db, '--format', 'json'];
    if (seedArg !== undefined) args.push('--seed', String(seedArg));
    return JSON.parse(execFileSync(osafeBin(), args, { encoding: 'utf8', maxBuffer: 1 << 26 }));
}

async function pageRank(page) {
    return page.evaluate(() => ({
        rows: [...document.querySelectorAll('#risk-table tr[data-hazard]')].map((r) => ({
            hazard: r.getAttribute('data-hazard'), model: r.getAttribute('data-model') || '',
            tier: r.getAttribute('data-tier'), pstar: Number(r.getAttribute('data-pstar')) })),
        under: [...document.querySelectorAll('#under-evidenced [data-hazard]')].map((r) =>
            `${r.getAttribute('data-hazard')}/${r.getAttribute('data-model') || ''}`),
        seed: (document.getElementById('risk-seed') || { textContent: '' }).textContent.trim(),
        panels: ['risk-realized', 'risk-latent'].map((id) => {
            const f = document.getElementById(id);
            const svg = f && f.querySelector('svg');
            return svg ? svg.querySelectorAll('rect').length : -1;
        }),
    }));
}

// Page and CLI agree: same ranked risks (tier and P* to the page's four
// decimals), in non-increasing P* order, same under-evidenced set.
function compare(got, cli) {
    const key = (h, m) => `${h}/${m || ''}`;
    const ranked = cli.risks.filter((r) => r.tier !== 'under-evidenced');
    const want = new Map(ranked.map((r) => [key(r.hazard, r.model), r]));
    const seen = new Set();
    for (const r of got.rows) {
        const k = key(r.hazard, r.model);
        const c = want.get(k);
        expect(c, `the page ranks ${k}, the CLI does not`);
        expect(!seen.has(k), `${k} is listed twice`);
        seen.add(k);
        expect(c.tier === r.tier, `${k}: tier ${r.tier} on the page, ${c.tier} from the CLI`);
        expect(Math.abs(c.p_star - r.pstar) <= 0.00005 + 1e-9,
               `${k}: P* ${r.pstar} on the page, ${c.p_star} from the CLI`);
    }
    const missing = [...want.keys()].filter((k) => !seen.has(k));
    expect(missing.length === 0, `the CLI ranks ${missing.join(', ')}, the page does not`);
    for (let i = 1; i < got.rows.length; i++)
        expect(got.rows[i].pstar <= got.rows[i - 1].pstar,
               `row ${i + 1} (P* ${got.rows[i].pstar}) is ranked below a less probable risk (${got.rows[i - 1].pstar})`);
    const under = cli.risks.filter((r) => r.tier === 'under-evidenced').map((r) => key(r.hazard, r.model)).sort();
    expect(JSON.stringify([...got.under].sort()) === JSON.stringify(under),
           `under-evidenced [${got.under}] on the page, [${under}] from the CLI`);
}

await run(async () => {
    const s = await seed();
    const browser = await launchBrowser();
    try {
        const ctx = await newContext(browser, s.base);
        const page = await ctx.newPage();
        const w = watchPage(page, s.base);
        const cli = cliRank(s.db);
        expect(cli.risks.some((r) => r.tier === 'high') && cli.risks.some((r) => r.tier !== 'high'),
               'the seeded data gives no contrast between tiers: nothing to check');

        let en = null;
        for (const lang of LANGS) {
            await check(`the risk page (${lang}) agrees with osafe risk rank`, async () => {
                await visit(page, `${s.base}/risks?lang=${lang}`);
                const got = await pageRank(page);
                compare(got, cli);
                expect(got.seed === String(cli.seed), `the page shows seed ${got.seed}, the CLI used ${cli.seed}`);
                expect(got.panels.every((n) => n >= 25),
                       `matrix panels with ${got.panels.join(' and ')} rectangles (5x5 cells wanted)`);
                if (lang === 'en') en = got.rows.map((r) => `${r.hazard}/${r.model}`).join(' ');
                else expect(got.rows.map((r) => `${r.hazard}/${r.model}`).join(' ') === en,
                            'the ranking differs from the English page');
                expectNoProblems(w.take(), 'problems');
            });
        }

        await check('another seed through the form: the page follows --seed', async () => {
            await visit(page, `${s.base}/risks?lang=fr`);
            await page.fill('#seed', '12345');
            await Promise.all([page.waitForNavigation(), page.press('#seed', 'Enter')]);
            expect(new URL(page.url()).searchParams.get('seed') === '12345', `the form went to ${page.url()}`);
            const got = await pageRank(page);
            expect(got.seed === '12345', `the page shows seed ${got.seed}`);
            compare(got, cliRank(s.db, 12345));
            expectNoProblems(w.take(), 'problems');
        });

        await check('a seed that is not a number is refused in place', async () => {
            await visit(page, `${s.base}/risks?lang=en&seed=abc`, 400);
            expect(await page.$('main#main'), 'the refusal is not a page');
            expectNoProblems(w.take(), 'problems');
        });
        expect(ctx.outside.length === 0, 'requests left the test server');
        await ctx.close();
    } finally {
        await browser.close();
        await s.stop();
    }
});
