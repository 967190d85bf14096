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
    page_raw(p, "<td>");
}

static void interval(web_page *p, double med, double lo, double hi,
                     int percent)
{
    if (percent) {
        page_percent(p, med, 2);
        page_raw(p, " <span class=\"muted\">[");
        page_percent(p, lo, 2);
        page_raw(p, " \xe2\x80\x93 ");
        page_percent(p, hi, 2);
    } else {
        page_num(p, med, 2);
        page_raw(p, " <span class=\"muted\">[");
        page_num(p, lo, 2);
        page_raw(p, " \xe2\x80\x93 ");
        page_num(p, hi, 2);
    }
    page_raw(p, "]</span>");
}

static void model_name(web_page *p, const risk_item *it)
{
    if (it->model[0])
        page_text(p, it->model);
    else
        page_t(p, "risks.all_models");
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
    page_raw(p, " id=\"hz-");
    page_text(p, it->hazard);
    page_raw(p, "\"");
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
    l.realized_title = T(p, "risks.m.realized");
    l.latent_title = T(p, "risks.m.latent");
    l.impact = T(p, "risks.m.impact");
    for (int i = 0; i < 5; i++) {
        l.realized_ticks[i] = rt[i];
        l.latent_ticks[i] = lt[i];
        l.impact_ticks[i] = it5[i];
    }
    l.href_prefix = "/risks#hz-";
    l.rtl = p->rtl;
    l.numbered = 1;
    page_raw(p, "<section id=\"risk-matrix\" aria-labelledby=\"matrix-h\">"
                "<h2 id=\"matrix-h\">");
    page_t(p, "risks.matrix");
    page_raw(p, "</h2><div class=\"risk-panels\">");
    for (int latent = 0; latent < 2; latent++) {
        osafe_buf svg = OSAFE_BUF_INIT;
        osafe_err e;
        l.likelihood = T(p, latent ? "risks.m.x_latent" : "risks.m.x_realized");
        page_raw(p, latent ? "<figure id=\"risk-latent\" class=\"chart\">"
                           : "<figure id=\"risk-realized\" class=\"chart\">");
        if (risk_matrix_panel_svg(res, &l, latent, &svg, &e) == 0)
            page_svg(p, svg.data); /* osafe's own markup; labels escaped */
        else
            fprintf(stderr, "osafe serve: /risks matrix: %s\n", e.msg);
        buf_release(&svg);
        page_raw(p, "</figure>");
    }
    page_raw(p, "</div><p class=\"muted\">");
    page_t(p, "risks.m.caption");
    page_raw(p, "</p></section>\n");
}

static void ranked_row(web_page *p, const risk_result *res, size_t i,
                       size_t rank, char (*seen)[16], size_t *nseen)
{
    const risk_item *it = &res->items[i];
    page_raw(p, "<tr");
    anchor(p, it, seen, nseen);
    page_raw(p, " data-hazard=\"");
    page_text(p, it->hazard);
    page_raw(p, "\" data-model=\"");
    page_text(p, it->model);
    page_raw(p, "\" data-tier=\"");
    page_text(p, risk_tier_name(it->tier));
    page_rawf(p, "\" data-pstar=\"%.4f\"><td>", it->p_star);
    page_int(p, (long long)rank);
    int tie = (i > 0 && res->items[i - 1].ranked &&
               res->items[i - 1].tie_group == it->tie_group) ||
              (i + 1 < res->n && res->items[i + 1].ranked &&
               res->items[i + 1].tie_group == it->tie_group);
    if (tie) {
        page_raw(p, "<abbr title=\"");
        page_t(p, "risks.tie");
        page_raw(p, "\">=</abbr>");
    }
    page_raw(p, "</td><th scope=\"row\">");
    web_enum_label(p, "hazard", it->hazard);
    page_raw(p, " <code>");
    page_text(p, it->hazard);
    page_raw(p, "</code>");
    if (it->no_eval_coverage) {
        page_raw(p, " <small>(");
        page_t(p, "risks.no_eval_coverage");
        page_raw(p, ")</small>");
    }
    page_raw(p, "</th>");
    cell_open(p);
    model_name(p, it);
    page_rawf(p, "</td><td>I%d</td><td>", it->impact);
    page_percent(p, it->p_star, 0);
    page_raw(p, "</td><td><span class=\"tier tier-");
    page_text(p, risk_tier_name(it->tier));
    page_raw(p, "\">");
    web_enum_label(p, "tier", risk_tier_name(it->tier));
    page_raw(p, "</span></td><td>");
    web_enum_label(p, "risks.driver", it->driver);
    page_raw(p, "</td><td>");
    if (it->evidence[0]) {
        page_raw(p, "<abbr title=\"");
        web_enum_label(p, "risks.ev", it->evidence);
        page_raw(p, "\">");
        page_text(p, it->evidence);
        page_raw(p, "</abbr>");
    }
    page_raw(p, "</td><td>");
    if (it->n_raw > 0)
        interval(p, it->rate_med, it->rate_lo, it->rate_hi, 0);
    else
        page_raw(p, "\xe2\x80\x94");
    page_raw(p, "</td><td>");
    if (it->eval_n > 0)
        interval(p, it->p_med, it->p_lo, it->p_hi, 1);
    else
        page_raw(p, "\xe2\x80\x94");
    page_raw(p, "</td><td>");
    page_num(p, it->rank_med, 0);
    page_raw(p, " <span class=\"muted\">[");
    page_num(p, it->rank_lo, 0);
    page_raw(p, " \xe2\x80\x93 ");
    page_num(p, it->rank_hi, 0);
    page_raw(p, "]</span></td><td>");
    web_grade_text(p, it->grade, it->grade_straddles);
    page_raw(p, "</td></tr>\n");
}

static void ranked(web_page *p, const risk_result *res, char (*seen)[16],
                   size_t *nseen)
{
    static const char *const cols[] = {
        "risks.col.rank",   "risks.col.hazard",  "risks.col.model",
        "risks.col.impact", "risks.col.pstar",   "risks.col.tier",
        "risks.col.driver", "risks.col.evidence", "risks.col.rate",
        "risks.col.unsafe", "risks.col.rank_interval", "risks.col.grade"};
    page_raw(p, "<section aria-labelledby=\"ranked-h\"><h2 id=\"ranked-h\">");
    page_t(p, "risks.ranked");
    page_raw(p, "</h2>");
    if (res->n == 0 || !res->items[0].ranked) {
        page_raw(p, "<p id=\"risks-none\">");
        page_t(p, "risks.ranked_none");
        page_raw(p, "</p></section>\n");
        return;
    }
    page_raw(p, "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" "
                "aria-labelledby=\"ranked-h\"><table id=\"risk-table\">"
                "<thead><tr>");
    for (size_t c = 0; c < sizeof cols / sizeof *cols; c++) {
        page_raw(p, "<th scope=\"col\">");
        page_t(p, cols[c]);
        page_raw(p, "</th>");
    }
    page_raw(p, "</tr></thead><tbody>\n");
    size_t rank = 0;
    for (size_t i = 0; i < res->n && res->items[i].ranked; i++)
        ranked_row(p, res, i, ++rank, seen, nseen);
    page_raw(p, "</tbody></table></div></section>\n");
}

static void under(web_page *p, const risk_result *res, char (*seen)[16],
                  size_t *nseen)
{
    size_t first = 0;
    while (first < res->n && res->items[first].ranked)
        first++;
    if (first == res->n)
        return;
    page_raw(p, "<section aria-labelledby=\"under-h\"><h2 id=\"under-h\">");
    page_t(p, "risks.under");
    page_raw(p, "</h2><p>");
    page_t(p, "risks.under_intro");
    page_raw(p, "</p><ul id=\"under-evidenced\">\n");
    for (size_t i = first; i < res->n; i++) {
        const risk_item *it = &res->items[i];
        page_raw(p, "<li");
        anchor(p, it, seen, nseen);
        page_raw(p, " data-hazard=\"");
        page_text(p, it->hazard);
        page_raw(p, "\" data-model=\"");
        page_text(p, it->model);
        page_raw(p, "\"><strong>");
        web_enum_label(p, "hazard", it->hazard);
        page_raw(p, "</strong> <code>");
        page_text(p, it->hazard);
        page_raw(p, "</code> \xc2\xb7 ");
        model_name(p, it);
        page_rawf(p, " \xc2\xb7 I%d \xe2\x80\x94 ", it->impact);
        page_t(p, "risks.u.incidents");
        page_raw(p, ": ");
        page_num(p, it->n_raw, 0);
        page_raw(p, "; ");
        page_t(p, "risks.u.samples");
        page_raw(p, ": ");
        page_num(p, it->eval_n, 0);
        page_raw(p, " (");
        page_t(p, "risks.u.needed");
        page_raw(p, ": ");
        page_num(p, ceil(log(20) / it->tolerance), 0);
        page_raw(p, ") \xe2\x80\x94 <strong>");
        page_t(p, "risks.gather");
        page_raw(p, "</strong>");
        if (it->no_eval_coverage) {
            page_raw(p, " <small>(");
            page_t(p, "risks.no_eval_coverage");
            page_raw(p, ")</small>");
        }
        page_raw(p, "</li>\n");
    }
    page_raw(p, "</ul></section>\n");
}

static void method(web_page *p, const risk_result *res)
{
    page_raw(p, "<section aria-labelledby=\"method-h\"><h2 id=\"method-h\">");
    page_t(p, "risks.method");
    page_raw(p, "</h2><dl id=\"risk-method\"><dt>");
    page_t(p, "risks.seed");
    page_rawf(p, "</dt><dd id=\"risk-seed\">%llu</dd><dt>",
              (unsigned long long)res->seed);
    page_t(p, "risks.draws");
    page_raw(p, "</dt><dd>");
    page_int(p, (long long)res->draws);
    page_raw(p, "</dd><dt>");
    page_t(p, "risks.as_of");
    page_raw(p, "</dt><dd>");
    page_date(p, res->as_of);
    page_raw(p, "</dd><dt>");
    page_t(p, "risks.inputs");
    page_raw(p, "</dt><dd>");
    page_int(p, (long long)res->incidents);
    page_raw(p, "</dd><dt>");
    page_t(p, "risks.evaluations");
    page_raw(p, "</dt><dd>");
    page_int(p, (long long)res->evaluations);
    if (res->skipped) { /* left out of the ranking (issue 9 item 2) */
        page_raw(p, "</dd><dt>");
        page_t(p, "risks.skipped");
        page_raw(p, "</dt><dd id=\"risk-skipped\">");
        page_int(p, (long long)res->skipped);
    }
    page_raw(p, "</dd><dt>");
    page_t(p, "risks.grade_basis");
    page_raw(p, "</dt><dd>");
    page_t(p, strstr(res->grade_basis, "reference runs") ? "risks.grade_ref"
                                                        : "risks.grade_v10");
    page_raw(p, "</dd><dt>");
    page_t(p, "risks.policy");
    page_raw(p, "</dt><dd>");
    struct risk_policy def;
    risk_policy_default(&def);
    page_raw(p, "<span id=\"risk-policy\">");
    page_t(p, risk_policy_equal(web_risk_policy(p->app), &def)
                  ? "risks.policy_default"
                  : "risks.policy_custom");
    page_raw(p, "</span></dd></dl><p>");
    page_t(p, "risks.method_more");
    page_raw(p, "</p><form method=\"get\" action=\"/risks\"><input "
                "type=\"hidden\" name=\"lang\" value=\"");
    page_text(p, p->lang);
    page_raw(p, "\"><label for=\"seed\">");
    page_t(p, "risks.seed");
    page_rawf(p, "</label> <input id=\"seed\" name=\"seed\" "
                 "inputmode=\"numeric\" pattern=\"[0-9]+\" value=\"%llu\"> "
                 "<button type=\"submit\">",
              (unsigned long long)res->seed);
    page_t(p, "risks.reseed");
    page_raw(p, "</button></form></section>\n");
}

void page_risks(web_page *p)
{
    unsigned long long seed = RISK_DEFAULT_SEED;
    const char *s = page_query(p, "seed");
    if (s && *s) {
        char *end;
        if (strspn(s, "0123456789") != strlen(s) || strlen(s) > 19) {
            page_error(p, 400, "risks.bad_seed");
            return;
        }
        seed = strtoull(s, &end, 10);
    }
    /* a ranking to compute costs CPU: limited per address */
    if (!web_risk_cached(p, seed, 0) && web_throttle_read(p))
        return;
    const risk_result *res = NULL;
    struct web_risk_ref *ref = NULL;
    osafe_err e;
    if (web_risk_get(p, seed, 0, &res, &ref, &e) != 0) {
        fprintf(stderr, "osafe serve: /risks: %s\n", e.msg);
        page_error(p, 500, "error.internal");
        return;
    }
    page_begin(p, T(p, "risks.title"), "nav.risks");
    page_raw(p, "<h1>");
    page_t(p, "risks.title");
    page_raw(p, "</h1>\n<p class=\"lead\">");
    page_t(p, "risks.intro");
    page_raw(p, "</p>\n");
    char seen[RISKS_ANCHORS][16];
    size_t nseen = 0;
    web_risk_left_out(p, res);
    matrix(p, res);
    ranked(p, res, seen, &nseen);
    under(p, res, seen, &nseen);
    method(p, res);
    web_risk_put(p->app, ref);
    page_end(p, NULL);
}
