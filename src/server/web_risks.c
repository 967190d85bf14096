/*
 * web_risks.c - /risks: the risk matrix (both panels), the ranked risks
 * with their intervals, the under-evidenced list, and how it was computed
 * (docs/RISK.md).
 *
 * The page ranks what its visitor may see: risk_compute with the page's
 * caller, so an anonymous visitor's priorities rest on CLEAR records only.
 * The seed is fixed (the page is the same on every reload of the same
 * data) unless ?seed=N asks for other draws; it is always shown.
 *
 * Hooks for tests: <table id="risk-table"> rows carry data-hazard,
 * data-model, data-tier and data-pstar; <ul id="under-evidenced"> items
 * data-hazard and data-model; <figure id="risk-realized"> and
 * <figure id="risk-latent"> hold the panels; <dl id="risk-method"> the seed
 * (<dd id="risk-seed">).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "risk/risk.h"
#include "risk/risk_policy.h"
#include "server/web_int.h"

/* The CLI's default seed: the page and `osafe risk rank` agree. */
/* Hazards given a link target: the twelve AILuminate ones and the MIT
 * subdomains (24) fit with room to spare. */
#define RISKS_ANCHORS 64

static void cell_open(web_page *p)
{
    web__page_raw(p, "<td>");
}

static void interval(web_page *p, double med, double lo, double hi,
                     int percent)
{
    if (percent) {
        web__page_percent(p, med, 2);
        web__page_raw(p, " <span class=\"muted\">[");
        web__page_percent(p, lo, 2);
        web__page_raw(p, " \xe2\x80\x93 ");
        web__page_percent(p, hi, 2);
    } else {
        web__page_num(p, med, 2);
        web__page_raw(p, " <span class=\"muted\">[");
        web__page_num(p, lo, 2);
        web__page_raw(p, " \xe2\x80\x93 ");
        web__page_num(p, hi, 2);
    }
    web__page_raw(p, "]</span>");
}

static void model_name(web_page *p, const risk_item *it)
{
    if (it->model[0])
        web__page_text(p, it->model);
    else
        web__page_t(p, "risks.all_models");
}

/* An id for the first row of each hazard, the target of the matrix's
 * glyph links (/risks#hz-vcr). */
static void anchor(web_page *p, const risk_item *it, char (*seen)[16],
                   size_t *nseen)
{
    for (size_t i = 0; i < *nseen; i++)
        if (!strcmp(seen[i], it->hazard))
            return;
    if (*nseen >= RISKS_ANCHORS)
        return;
    snprintf(seen[(*nseen)++], 16, "%s", it->hazard);
    web__page_raw(p, " id=\"hz-");
    web__page_text(p, it->hazard);
    web__page_raw(p, "\"");
}

static void matrix(web_page *p, const risk_result *res)
{
    static const char *const rt[5] = {"< 0.1", "0.1\xe2\x80\x93" "1",
                                      "1\xe2\x80\x93" "10",
                                      "10\xe2\x80\x93" "100", "> 100"};
    static const char *const lt[5] = {"\xe2\x89\xa4 0.1%", "\xe2\x89\xa4 1%",
                                      "\xe2\x89\xa4 5%", "\xe2\x89\xa4 20%",
                                      "> 20%"};
    static const char *const it5[5] = {"I1", "I2", "I3", "I4", "I5"};
    risk_svg_labels l;
    memset(&l, 0, sizeof l);
    l.realized_title = web__t(p, "risks.m.realized");
    l.latent_title = web__t(p, "risks.m.latent");
    l.impact = web__t(p, "risks.m.impact");
    for (int i = 0; i < 5; i++) {
        l.realized_ticks[i] = rt[i];
        l.latent_ticks[i] = lt[i];
        l.impact_ticks[i] = it5[i];
    }
    l.href_prefix = "/risks#hz-";
    l.rtl = p->rtl;
    l.numbered = 1;
    web__page_raw(p, "<section id=\"risk-matrix\" aria-labelledby=\"matrix-h\">"
                "<h2 id=\"matrix-h\">");
    web__page_t(p, "risks.matrix");
    web__page_raw(p, "</h2><div class=\"risk-panels\">");
    for (int latent = 0; latent < 2; latent++) {
        osafe_buf svg = OSAFE_BUF_INIT;
        osafe_err e;
        l.likelihood = web__t(p, latent ? "risks.m.x_latent" : "risks.m.x_realized");
        web__page_raw(p, latent ? "<figure id=\"risk-latent\" class=\"chart\">"
                           : "<figure id=\"risk-realized\" class=\"chart\">");
        if (risk_matrix_panel_svg(res, &l, latent, &svg, &e) == 0)
            web__page_svg(p, svg.data); /* osafe's own markup; labels escaped */
        else
            fprintf(stderr, "osafe serve: /risks matrix: %s\n", e.msg);
        buf_release(&svg);
        web__page_raw(p, "</figure>");
    }
    web__page_raw(p, "</div><p class=\"muted\">");
    web__page_t(p, "risks.m.caption");
    web__page_raw(p, "</p></section>\n");
}

static void ranked_row(web_page *p, const risk_result *res, size_t i,
                       size_t rank, char (*seen)[16], size_t *nseen)
{
    const risk_item *it = &res->items[i];
    web__page_raw(p, "<tr");
    anchor(p, it, seen, nseen);
    web__page_raw(p, " data-hazard=\"");
    web__page_text(p, it->hazard);
    web__page_raw(p, "\" data-model=\"");
    web__page_text(p, it->model);
    web__page_raw(p, "\" data-tier=\"");
    web__page_text(p, risk_tier_name(it->tier));
    web__page_rawf(p, "\" data-pstar=\"%.4f\"><td>", it->p_star);
    web__page_int(p, (long long)rank);
    int tie = (i > 0 && res->items[i - 1].ranked &&
               res->items[i - 1].tie_group == it->tie_group) ||
              (i + 1 < res->n && res->items[i + 1].ranked &&
               res->items[i + 1].tie_group == it->tie_group);
    if (tie) {
        web__page_raw(p, "<abbr title=\"");
        web__page_t(p, "risks.tie");
        web__page_raw(p, "\">=</abbr>");
    }
    web__page_raw(p, "</td><th scope=\"row\">");
    web__enum_label(p, "hazard", it->hazard);
    web__page_raw(p, " <code>");
    web__page_text(p, it->hazard);
    web__page_raw(p, "</code>");
    if (it->no_eval_coverage) {
        web__page_raw(p, " <small>(");
        web__page_t(p, "risks.no_eval_coverage");
        web__page_raw(p, ")</small>");
    }
    web__page_raw(p, "</th>");
    cell_open(p);
    model_name(p, it);
    web__page_rawf(p, "</td><td>I%d</td><td>", it->impact);
    web__page_percent(p, it->p_star, 0);
    web__page_raw(p, "</td><td><span class=\"tier tier-");
    web__page_text(p, risk_tier_name(it->tier));
    web__page_raw(p, "\">");
    web__enum_label(p, "tier", risk_tier_name(it->tier));
    web__page_raw(p, "</span></td><td>");
    web__enum_label(p, "risks.driver", it->driver);
    web__page_raw(p, "</td><td>");
    if (it->evidence[0]) {
        web__page_raw(p, "<abbr title=\"");
        web__enum_label(p, "risks.ev", it->evidence);
        web__page_raw(p, "\">");
        web__page_text(p, it->evidence);
        web__page_raw(p, "</abbr>");
    }
    web__page_raw(p, "</td><td>");
    if (it->n_raw > 0)
        interval(p, it->rate_med, it->rate_lo, it->rate_hi, 0);
    else
        web__page_raw(p, "\xe2\x80\x94");
    web__page_raw(p, "</td><td>");
    if (it->eval_n > 0)
        interval(p, it->p_med, it->p_lo, it->p_hi, 1);
    else
        web__page_raw(p, "\xe2\x80\x94");
    web__page_raw(p, "</td><td>");
    web__page_num(p, it->rank_med, 0);
    web__page_raw(p, " <span class=\"muted\">[");
    web__page_num(p, it->rank_lo, 0);
    web__page_raw(p, " \xe2\x80\x93 ");
    web__page_num(p, it->rank_hi, 0);
    web__page_raw(p, "]</span></td><td>");
    web__grade_text(p, it->grade, it->grade_straddles);
    web__page_raw(p, "</td></tr>\n");
}

static void ranked(web_page *p, const risk_result *res, char (*seen)[16],
                   size_t *nseen)
{
    static const char *const cols[] = {
        "risks.col.rank",   "risks.col.hazard",  "risks.col.model",
        "risks.col.impact", "risks.col.pstar",   "risks.col.tier",
        "risks.col.driver", "risks.col.evidence", "risks.col.rate",
        "risks.col.unsafe", "risks.col.rank_interval", "risks.col.grade"};
    web__page_raw(p, "<section aria-labelledby=\"ranked-h\"><h2 id=\"ranked-h\">");
    web__page_t(p, "risks.ranked");
    web__page_raw(p, "</h2>");
    if (res->n == 0 || !res->items[0].ranked) {
        web__page_raw(p, "<p id=\"risks-none\">");
        web__page_t(p, "risks.ranked_none");
        web__page_raw(p, "</p></section>\n");
        return;
    }
    web__page_raw(p, "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" "
                "aria-labelledby=\"ranked-h\"><table id=\"risk-table\">"
                "<thead><tr>");
    for (size_t c = 0; c < sizeof cols / sizeof *cols; c++) {
        web__page_raw(p, "<th scope=\"col\">");
        web__page_t(p, cols[c]);
        web__page_raw(p, "</th>");
    }
    web__page_raw(p, "</tr></thead><tbody>\n");
    size_t rank = 0;
    for (size_t i = 0; i < res->n && res->items[i].ranked; i++)
        ranked_row(p, res, i, ++rank, seen, nseen);
    web__page_raw(p, "</tbody></table></div></section>\n");
}

static void under(web_page *p, const risk_result *res, char (*seen)[16],
                  size_t *nseen)
{
    size_t first = 0;
    while (first < res->n && res->items[first].ranked)
        first++;
    if (first == res->n)
        return;
    web__page_raw(p, "<section aria-labelledby=\"under-h\"><h2 id=\"under-h\">");
    web__page_t(p, "risks.under");
    web__page_raw(p, "</h2><p>");
    web__page_t(p, "risks.under_intro");
    web__page_raw(p, "</p><ul id=\"under-evidenced\">\n");
    for (size_t i = first; i < res->n; i++) {
        const risk_item *it = &res->items[i];
        web__page_raw(p, "<li");
        anchor(p, it, seen, nseen);
        web__page_raw(p, " data-hazard=\"");
        web__page_text(p, it->hazard);
        web__page_raw(p, "\" data-model=\"");
        web__page_text(p, it->model);
        web__page_raw(p, "\"><strong>");
        web__enum_label(p, "hazard", it->hazard);
        web__page_raw(p, "</strong> <code>");
        web__page_text(p, it->hazard);
        web__page_raw(p, "</code> \xc2\xb7 ");
        model_name(p, it);
        web__page_rawf(p, " \xc2\xb7 I%d \xe2\x80\x94 ", it->impact);
        web__page_t(p, "risks.u.incidents");
        web__page_raw(p, ": ");
        web__page_num(p, it->n_raw, 0);
        web__page_raw(p, "; ");
        web__page_t(p, "risks.u.samples");
        web__page_raw(p, ": ");
        web__page_num(p, it->eval_n, 0);
        web__page_raw(p, " (");
        web__page_t(p, "risks.u.needed");
        web__page_raw(p, ": ");
        web__page_num(p, ceil(log(20) / it->tolerance), 0);
        web__page_raw(p, ") \xe2\x80\x94 <strong>");
        web__page_t(p, "risks.gather");
        web__page_raw(p, "</strong>");
        if (it->no_eval_coverage) {
            web__page_raw(p, " <small>(");
            web__page_t(p, "risks.no_eval_coverage");
            web__page_raw(p, ")</small>");
        }
        web__page_raw(p, "</li>\n");
    }
    web__page_raw(p, "</ul></section>\n");
}

static void method(web_page *p, const risk_result *res)
{
    web__page_raw(p, "<section aria-labelledby=\"method-h\"><h2 id=\"method-h\">");
    web__page_t(p, "risks.method");
    web__page_raw(p, "</h2><dl id=\"risk-method\"><dt>");
    web__page_t(p, "risks.seed");
    web__page_rawf(p, "</dt><dd id=\"risk-seed\">%llu</dd><dt>",
              (unsigned long long)res->seed);
    web__page_t(p, "risks.draws");
    web__page_raw(p, "</dt><dd>");
    web__page_int(p, (long long)res->draws);
    web__page_raw(p, "</dd><dt>");
    web__page_t(p, "risks.as_of");
    web__page_raw(p, "</dt><dd>");
    web__page_date(p, res->as_of);
    web__page_raw(p, "</dd><dt>");
    web__page_t(p, "risks.inputs");
    web__page_raw(p, "</dt><dd>");
    web__page_int(p, (long long)res->incidents);
    web__page_raw(p, "</dd><dt>");
    web__page_t(p, "risks.evaluations");
    web__page_raw(p, "</dt><dd>");
    web__page_int(p, (long long)res->evaluations);
    if (res->skipped) { /* left out of the ranking (issue 9 item 2) */
        web__page_raw(p, "</dd><dt>");
        web__page_t(p, "risks.skipped");
        web__page_raw(p, "</dt><dd id=\"risk-skipped\">");
        web__page_int(p, (long long)res->skipped);
    }
    web__page_raw(p, "</dd><dt>");
    web__page_t(p, "risks.grade_basis");
    web__page_raw(p, "</dt><dd>");
    web__page_t(p, strstr(res->grade_basis, "reference runs") ? "risks.grade_ref"
                                                        : "risks.grade_v10");
    web__page_raw(p, "</dd><dt>");
    web__page_t(p, "risks.policy");
    web__page_raw(p, "</dt><dd>");
    struct risk_policy def;
    risk_policy_default(&def);
    web__page_raw(p, "<span id=\"risk-policy\">");
    web__page_t(p, risk_policy_equal(web__risk_policy(p->app), &def)
                  ? "risks.policy_default"
                  : "risks.policy_custom");
    web__page_raw(p, "</span></dd></dl><p>");
    web__page_t(p, "risks.method_more");
    web__page_raw(p, "</p><form method=\"get\" action=\"/risks\"><input "
                "type=\"hidden\" name=\"lang\" value=\"");
    web__page_text(p, p->lang);
    web__page_raw(p, "\"><label for=\"seed\">");
    web__page_t(p, "risks.seed");
    web__page_rawf(p, "</label> <input id=\"seed\" name=\"seed\" "
                 "inputmode=\"numeric\" pattern=\"[0-9]+\" value=\"%llu\"> "
                 "<button type=\"submit\">",
              (unsigned long long)res->seed);
    web__page_t(p, "risks.reseed");
    web__page_raw(p, "</button></form></section>\n");
}

/* Over-refusal per model, beside the ranking and never in it (issue 16
 * item 2): the cost a low p unsafe must be read against. */
static void over_refusal(web_page *p, const risk_result *res)
{
    if (!res->n_over)
        return;
    web__page_raw(p, "<section aria-labelledby=\"over-h\"><h2 id=\"over-h\">");
    web__page_t(p, "risks.over");
    web__page_raw(p, "</h2><p>");
    web__page_t(p, "risks.over_intro");
    web__page_raw(p, "</p><div class=\"table-wrap\"><table id=\"over-refusal\">"
                     "<thead><tr><th scope=\"col\">");
    web__page_t(p, "risks.over_model");
    web__page_raw(p, "</th><th scope=\"col\">");
    web__page_t(p, "risks.over_runs");
    web__page_raw(p, "</th><th scope=\"col\">");
    web__page_t(p, "risks.over_answers");
    web__page_raw(p, "</th><th scope=\"col\">");
    web__page_t(p, "risks.over_rate");
    web__page_raw(p, "</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < res->n_over; i++) {
        const risk_over_refusal *o = &res->over[i];
        web__page_raw(p, "<tr data-model=\"");
        web__page_text(p, o->model);
        web__page_raw(p, "\"><th scope=\"row\"><bdi>");
        web__page_text(p, o->model);
        web__page_raw(p, "</bdi></th><td>");
        web__page_int(p, (long long)o->runs);
        web__page_raw(p, "</td><td>");
        web__page_num(p, o->n, 0);
        web__page_raw(p, "</td><td class=\"over-rate\">");
        web__page_percent(p, o->rate_med, 1);
        web__page_raw(p, " <small>[");
        web__page_percent(p, o->rate_lo, 1);
        web__page_raw(p, ", ");
        web__page_percent(p, o->rate_hi, 1);
        web__page_raw(p, "]</small></td></tr>\n");
    }
    web__page_raw(p, "</tbody></table></div></section>\n");
}

void web__page_risks(web_page *p)
{
    unsigned long long seed = RISK_DEFAULT_SEED;
    const char *s = web__page_query(p, "seed");
    if (s && *s) {
        char *end;
        if (strspn(s, "0123456789") != strlen(s) || strlen(s) > 19) {
            web__page_error(p, 400, "risks.bad_seed");
            return;
        }
        seed = strtoull(s, &end, 10);
    }
    /* a ranking to compute costs CPU: limited per address */
    if (!web__risk_cached(p, seed, 0) && web__throttle_read(p))
        return;
    const risk_result *res = NULL;
    struct web_risk_ref *ref = NULL;
    osafe_err e;
    if (web__risk_get(p, seed, 0, &res, &ref, &e) != 0) {
        fprintf(stderr, "osafe serve: /risks: %s\n", e.msg);
        web__page_error(p, 500, "error.internal");
        return;
    }
    web__page_begin(p, web__t(p, "risks.title"), "nav.risks");
    web__page_raw(p, "<h1>");
    web__page_t(p, "risks.title");
    web__page_raw(p, "</h1>\n<p class=\"lead\">");
    web__page_t(p, "risks.intro");
    web__page_raw(p, "</p>\n");
    char seen[RISKS_ANCHORS][16];
    size_t nseen = 0;
    web_risk_left_out(p, res);
    web__risk_mirrored(p, res);
    web__risk_evals_mirrored(p, res);
    matrix(p, res);
    ranked(p, res, seen, &nseen);
    under(p, res, seen, &nseen);
    over_refusal(p, res);
    method(p, res);
    web__risk_put(p->app, ref);
    web__page_end(p, NULL);
}
