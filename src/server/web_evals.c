/*
 * web_evals.c - /evals (published evaluation runs, a chart of their
 * overall scores, a form to compare two) and /evals/{run} (manifest,
 * overall result, per-hazard and per-language rates with intervals as
 * charts and tables; with ?against=OTHER a side-by-side comparison).
 *
 * Everything comes from the registry's public evaluation store
 * (reg_evaluation_list / reg_evaluation_get), so a page shows exactly what
 * GET /api/v1/evaluations does.  The charts are built from the results
 * document by eval_bar_set_make, the same code as `osafe eval report
 * --html`, and drawn by svg/; only the words differ (web__t() keys in
 * i18n/evals.<lang>.txt).
 *
 * Hooks: <table id="eval-list"> with <tr data-id>, <a id="next-page">,
 * <p id="no-evals">, <form id="eval-compare"> (selects #cmp-a, #cmp-b);
 * detail: <article id="eval" data-id data-log-index>, <dl id="eval-manifest">,
 * <section id="eval-overall">, <section id="eval-hazards">,
 * <section id="eval-languages">, <section id="eval-comparison">.
 * Runs mirrored from peers: web_evals_mirror.c (?origin=, and a section
 * of the first page).
 */
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "eval/run.h"
#include "eval/stats.h"
#include "server/web_evals_int.h"
#include "server/web_int.h"
#include "svg/svg.h"

/* Ids are the registry's (EVAL-2026-00001); anything else in a URL is not
 * one and is never looked up or echoed into a link. */
static int id_ok(const char *s)
{
    return s && reg_id_valid(s, strlen(s));
}

static double num_of(const json_t *j, const char *key)
{
    const json_t *v = json_object_get(j, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* The page language's decimal sign, as web__page_num writes it: rendered once
 * and taken back, so that the charts and the tables cannot disagree. */
static void page_decimal(web_page *p, char *out, size_t size)
{
    size_t at = p->html.len;
    web__page_num(p, 0.5, 1);
    const char *s = p->html.data ? p->html.data + at : "";
    size_t n = strlen(s);
    /* "0" + separator + "5" */
    if (n >= 3 && n - 2 < size) {
        memcpy(out, s + 1, n - 2);
        out[n - 2] = '\0';
    } else {
        snprintf(out, size, ".");
    }
    p->html.len = at;
    if (p->html.data)
        p->html.data[at] = '\0';
}

static void pct(web_page *p, double v)
{
    if (!isfinite(v))
        web__page_t(p, "evals.na");
    else
        web__page_percent(p, v, 1);
}

static void interval(web_page *p, const json_t *g)
{
    double lo = num_of(g, "lo"), hi = num_of(g, "hi");
    if (!isfinite(lo) || !isfinite(hi)) {
        web__page_t(p, "evals.na");
        return;
    }
    web__page_raw(p, "<span dir=\"ltr\">");
    web__page_percent(p, lo, 1);
    web__page_raw(p, " \xE2\x80\x93 ");
    web__page_percent(p, hi, 1);
    web__page_raw(p, "</span>");
}

/* The translated name of a group: hazards have catalogue names; other
 * groups (languages, "(none)") show as they are. */
static const char *group_name(web_page *p, const char *section,
                              const char *k)
{
    if (strcmp(section, "by_hazard") != 0)
        return k;
    char key[64];
    if (snprintf(key, sizeof key, "hazard.%s", k) >= (int)sizeof key)
        return k;
    const char *t = web__t(p, key);
    return t == key ? k : t;
}

static svg_chart_opts chart_opts(web_page *p, const char *title_key,
                                 const char *dec)
{
    svg_chart_opts o;
    memset(&o, 0, sizeof o);
    o.title = web__t(p, title_key);
    o.desc = web__t(p, "evals.chart.desc");
    o.axis_label = web__t(p, "evals.chart.axis");
    o.na_text = web__t(p, "evals.na");
    o.percent = 1;
    o.rtl = p->rtl;
    o.locale_decimal = dec;
    return o;
}

/* ---- the list ----------------------------------------------------------- */

static void list_table(web_page *p, const json_t *runs)
{
    web__page_raw(p, "<div class=\"table-wrap\"><table id=\"eval-list\"><thead>"
                "<tr>");
    static const char *const cols[] = {
        "evals.col.run",      "evals.col.model",     "evals.col.suite",
        "evals.col.score",    "evals.col.interval",  "evals.col.samples",
        "evals.col.errors",   "evals.col.published", "evals.col.log"};
    web__page_th_cols(p, NULL, cols, sizeof cols / sizeof *cols);
    web__page_raw(p, "</tr></thead><tbody>\n");
    size_t i;
    json_t *r;
    json_array_foreach(runs, i, r) {
        const char *id = web__json_str(r, "id");
        if (!id_ok(id))
            continue;
        const json_t *su = json_object_get(r, "suite");
        const json_t *ov = json_object_get(r, "overall");
        web__page_raw(p, "<tr data-id=\"");
        web__page_text(p, id);
        web__page_raw(p, "\"><td><a href=\"/evals/");
        web__page_text(p, id);
        web__page_raw(p, "\" dir=\"ltr\">");
        web__page_text(p, id);
        web__page_raw(p, "</a></td><td>");
        web__page_text(p, web__json_str(r, "model"));
        web__page_raw(p, "</td><td>");
        web__page_text(p, web__json_str(su, "name"));
        web__page_raw(p, " ");
        web__page_text(p, web__json_str(su, "version"));
        web__page_raw(p, "</td><td class=\"num\">");
        pct(p, num_of(ov, "rate"));
        web__page_raw(p, "</td><td class=\"num\">");
        interval(p, ov);
        web__page_raw(p, "</td><td class=\"num\">");
        web__page_int(p, json_integer_value(json_object_get(r, "samples")));
        web__page_raw(p, "</td><td class=\"num\">");
        web__page_int(p, json_integer_value(json_object_get(r, "errors")));
        web__page_raw(p, "</td><td>");
        if (web__json_str(r, "created"))
            web__page_date(p, web__json_str(r, "created"));
        web__page_raw(p, "</td><td class=\"num\"><a href=\"/log\">");
        web__page_int(p, json_integer_value(json_object_get(r, "log_index")));
        web__page_raw(p, "</a></td></tr>\n");
    }
    web__page_raw(p, "</tbody></table></div>\n");
}

/* The overall scores, one chart per suite (web_evals_chart.c). */
static void list_chart(web_page *p, const json_t *runs)
{
    char dec[8];
    page_decimal(p, dec, sizeof dec);
    web__evals_list_charts(p, runs, chart_opts(p, "evals.chart.overall", dec));
}

/* The runs to choose from, under one <optgroup> per suite: each option
 * says only "model · run id", so that it fits its box, in Arabic too
 * (issue 16 item 9), and the suite is said once by its group. */
static void select_runs(web_page *p, const char *name, const char *id,
                        const char *label_key, const json_t *runs,
                        size_t selected)
{
    web__page_raw(p, "<div class=\"field\"><label for=\"");
    web__page_text(p, id);
    web__page_raw(p, "\">");
    web__page_t(p, label_key);
    web__page_raw(p, "</label><select id=\"");
    web__page_text(p, id);
    web__page_raw(p, "\" name=\"");
    web__page_text(p, name);
    web__page_raw(p, "\">");
    size_t n = json_array_size(runs);
    for (size_t g = 0; g < n; g++) {
        char gk[160];
        web__evals_suite_key(json_array_get(runs, g), gk, sizeof gk);
        int first = 1; /* a suite's group is written at its first run */
        for (size_t j = 0; j < g && first; j++) {
            char jk[160];
            web__evals_suite_key(json_array_get(runs, j), jk, sizeof jk);
            first = strcmp(jk, gk) != 0;
        }
        if (!first)
            continue;
        const json_t *su = json_object_get(json_array_get(runs, g), "suite");
        web__page_raw(p, "<optgroup label=\"");
        web__page_text(p, web__json_str(su, "name"));
        web__page_raw(p, " ");
        web__page_text(p, web__json_str(su, "version"));
        web__page_raw(p, "\">");
        for (size_t i = g; i < n; i++) {
            const json_t *r = json_array_get(runs, i);
            const char *rid = web__json_str(r, "id");
            char rk[160];
            web__evals_suite_key(r, rk, sizeof rk);
            if (!id_ok(rid) || strcmp(rk, gk))
                continue;
            web__page_raw(p, "<option value=\"");
            web__page_text(p, rid);
            web__page_raw(p, i == selected ? "\" selected>" : "\">");
            web__page_text(p, web__json_str(r, "model"));
            web__page_raw(p, " \xC2\xB7 ");
            web__page_text(p, rid);
            web__page_raw(p, "</option>");
        }
        web__page_raw(p, "</optgroup>");
    }
    web__page_raw(p, "</select></div>");
}

static void compare_form(web_page *p, const json_t *runs)
{
    if (json_array_size(runs) < 2)
        return;
    web__page_raw(p, "<section aria-labelledby=\"cmp-h\"><h2 id=\"cmp-h\">");
    web__page_t(p, "evals.compare.title");
    web__page_raw(p, "</h2><form id=\"eval-compare\" method=\"get\" "
                "action=\"/evals\" class=\"filters compare\">");
    select_runs(p, "a", "cmp-a", "evals.compare.a", runs, 0);
    select_runs(p, "b", "cmp-b", "evals.compare.b", runs, 1);
    web__page_raw(p, "<div class=\"actions\"><button type=\"submit\">");
    web__page_t(p, "evals.compare.submit");
    web__page_raw(p, "</button></div></form></section>\n");
}

void web__page_evals(web_page *p)
{
    /* a peer's runs: never mixed into our own list */
    const char *origin = web__page_query(p, "origin");
    if (origin && *origin) {
        web__page_evals_mirrored(p, origin);
        return;
    }
    const char *a = web__page_query(p, "a"), *b = web__page_query(p, "b");
    int same = 0;
    if (id_ok(a) && id_ok(b)) {
        if (strcmp(a, b) != 0) {
            char loc[200];
            snprintf(loc, sizeof loc, "/evals/%s?against=%s", a, b);
            web__page_redirect(p, loc);
            return;
        }
        same = 1;
    }
    const char *cursor = web__page_query(p, "cursor");
    if (cursor && !id_ok(cursor))
        cursor = NULL;
    char *out = NULL;
    osafe_err e;
    int rc = reg_evaluation_list(p->reg, OSAFE_WEB_LIST_LIMIT, cursor, &out,
                                 &e);
    json_t *doc = rc ? NULL : json_loads(out, 0, NULL);
    free(out);
    if (!doc) {
        web__page_error(p, 500, "error.internal");
        return;
    }
    const json_t *runs = json_object_get(doc, "evaluations");
    web__page_begin(p, web__t(p, "evals.title"), "nav.evals");
    web__page_raw(p, "<h1>");
    web__page_t(p, "evals.title");
    web__page_raw(p, "</h1>\n<p>");
    web__page_t(p, "evals.intro");
    web__page_raw(p, "</p>\n");
    if (same) {
        web__page_raw(p, "<p class=\"error\" role=\"alert\">");
        web__page_t(p, "evals.compare.same");
        web__page_raw(p, "</p>\n");
    }
    if (!json_array_size(runs)) {
        web__page_raw(p, "<p id=\"no-evals\">");
        web__page_t(p, "evals.none");
        web__page_raw(p, "</p>\n");
    } else {
        list_chart(p, runs);
        list_table(p, runs);
        compare_form(p, runs);
    }
    const char *next = web__json_str(doc, "next_cursor");
    if (id_ok(next)) {
        web__page_next_nav(p, "evals.paging", "evals.next", "/evals", NULL,
                           next);
    }
    if (!cursor)
        web__evals_mirrored_section(p);
    json_decref(doc);
    web__page_end(p, NULL);
}

/* ---- one run ------------------------------------------------------------ */

static json_t *load_eval(web_page *p, const char *id, int64_t *log_index,
                         int *code)
{
    char *body = NULL;
    size_t len = 0;
    osafe_err e;
    *code = 0;
    if (!id_ok(id)) {
        *code = OSAFE_ENOTFOUND;
        return NULL;
    }
    int rc = reg_evaluation_get(p->reg, id, &body, &len, log_index, &e);
    if (rc) {
        *code = rc;
        return NULL;
    }
    json_t *doc = json_loadb(body, len, 0, NULL);
    free(body);
    if (!json_is_object(doc)) {
        json_decref(doc);
        *code = OSAFE_ECORRUPT;
        return NULL;
    }
    return doc;
}

static void fact(web_page *p, const char *key)
{
    web__page_raw(p, "<dt>");
    web__page_t(p, key);
    web__page_raw(p, "</dt><dd>");
}

/* A JSON scalar as text (numbers localized), "—" for null/absent. */
static void value(web_page *p, const json_t *v)
{
    if (json_is_string(v))
        web__page_text(p, json_string_value(v));
    else if (json_is_integer(v))
        web__page_int(p, json_integer_value(v));
    else if (json_is_real(v))
        web__page_num(p, json_real_value(v), 3);
    else
        web__page_raw(p, "\xE2\x80\x94");
}

/* A run published with --force while partial (cli_run_partial): said
 * in words, with its reasons and how many samples of how many. */
static void partial_fact(web_page *p, const json_t *part)
{
    if (!json_is_object(part))
        return;
    fact(p, "evals.m.partial");
    web__page_raw(p, "<span id=\"eval-partial\" class=\"warn\">");
    web__page_t(p, "evals.partial.note");
    web__page_raw(p, "</span> ");
    size_t i;
    const json_t *r;
    json_array_foreach(json_object_get(part, "reasons"), i, r) {
        static const char *const known[] = {"limit", "shard", "interrupted",
                                            "missing_samples"};
        for (size_t k = 0; k < sizeof known / sizeof *known; k++) {
            if (!json_is_string(r) || strcmp(json_string_value(r), known[k]))
                continue;
            char key[48];
            snprintf(key, sizeof key, "evals.partial.%s", known[k]);
            web__page_raw(p, i ? "; " : "");
            web__page_t(p, key);
        }
    }
    web__page_raw(p, " (");
    value(p, json_object_get(part, "samples"));
    web__page_raw(p, " ");
    web__page_t(p, "evals.partial.samples");
    web__page_raw(p, " ");
    value(p, json_object_get(part, "expected"));
    web__page_raw(p, ")</dd>");
}

static void manifest_facts(web_page *p, const json_t *doc, int64_t log_index)
{
    const json_t *m = json_object_get(doc, "manifest");
    const json_t *su = json_object_get(m, "suite");
    const json_t *pa = json_object_get(m, "params");
    web__page_raw(p, "<section aria-labelledby=\"manifest-h\">"
                "<h2 id=\"manifest-h\">");
    web__page_t(p, "evals.manifest");
    web__page_raw(p, "</h2><dl id=\"eval-manifest\" class=\"facts\">");
    fact(p, "evals.m.model");
    value(p, json_object_get(pa, "model"));
    web__page_raw(p, "</dd>");
    fact(p, "evals.m.suite");
    value(p, json_object_get(su, "name"));
    web__page_raw(p, "</dd>");
    fact(p, "evals.m.version");
    value(p, json_object_get(su, "version"));
    web__page_raw(p, "</dd>");
    fact(p, "evals.m.hash");
    web__page_raw(p, "<code dir=\"ltr\">");
    value(p, json_object_get(su, "hash"));
    web__page_raw(p, "</code></dd>");
    fact(p, "evals.m.items");
    value(p, json_object_get(su, "items"));
    web__page_raw(p, "</dd>");
    fact(p, "evals.m.endpoint");
    web__page_raw(p, "<code dir=\"ltr\">");
    value(p, json_object_get(pa, "endpoint"));
    web__page_raw(p, "</code></dd>");
    static const char *const params[][2] = {
        {"api", "evals.m.api"},         {"scorer", "evals.m.scorer"},
        {"epochs", "evals.m.epochs"},   {"temperature", "evals.m.temperature"},
        {"max_tokens", "evals.m.max_tokens"}, {"seed", "evals.m.seed"}};
    for (size_t i = 0; i < sizeof params / sizeof *params; i++) {
        fact(p, params[i][1]);
        value(p, json_object_get(pa, params[i][0]));
        web__page_raw(p, "</dd>");
    }
    fact(p, "evals.m.limit");
    value(p, json_integer_value(json_object_get(pa, "limit")) > 0
                 ? json_object_get(pa, "limit")
                 : NULL);
    web__page_raw(p, "</dd>");
    fact(p, "evals.m.shard");
    value(p, json_object_get(m, "shard"));
    web__page_raw(p, "</dd>");
    partial_fact(p, json_object_get(m, "partial"));
    static const char *const times[][2] = {{"started", "evals.m.started"},
                                           {"finished", "evals.m.finished"}};
    for (size_t i = 0; i < 2; i++) {
        fact(p, times[i][1]);
        const char *t = web__json_str(m, times[i][0]);
        if (t)
            web__page_date(p, t);
        else
            web__page_raw(p, "\xE2\x80\x94");
        web__page_raw(p, "</dd>");
    }
    fact(p, "evals.m.fingerprint");
    value(p, json_object_get(m, "server_fingerprint"));
    web__page_raw(p, "</dd>");
    fact(p, "evals.m.tool");
    value(p, json_object_get(json_object_get(m, "tool"), "version"));
    web__page_raw(p, "</dd>");
    fact(p, "evals.m.samples_sha256");
    web__page_raw(p, "<code dir=\"ltr\">");
    value(p, json_object_get(doc, "samples_sha256"));
    web__page_raw(p, "</code></dd>");
    fact(p, "evals.m.log");
    /* the log page's check, ready for this run (its proof route) */
    web__page_raw(p, "<a id=\"eval-log-check\" href=\"/log?id=");
    web__page_text(p, web__json_str(doc, "id") ? web__json_str(doc, "id") : "");
    web__page_raw(p, "#verify\">");
    web__page_int(p, (long long)log_index);
    web__page_raw(p, "</a></dd></dl></section>\n");
}

static void overall(web_page *p, const json_t *res)
{
    const json_t *ov = json_object_get(res, "overall");
    web__page_raw(p, "<section id=\"eval-overall\" aria-labelledby=\"overall-h\">"
                "<h2 id=\"overall-h\">");
    web__page_t(p, "evals.overall");
    web__page_raw(p, "</h2><p><strong class=\"big\">");
    pct(p, num_of(ov, "rate"));
    web__page_raw(p, "</strong> ");
    interval(p, ov);
    web__page_raw(p, " \xE2\x80\x94 ");
    web__page_t(p, "evals.overall.text");
    web__page_raw(p, "</p><dl class=\"facts\">");
    fact(p, "evals.samples");
    web__page_int(p, json_integer_value(json_object_get(res, "samples")));
    web__page_raw(p, "</dd>");
    fact(p, "evals.errors");
    web__page_int(p, json_integer_value(json_object_get(res, "errors")));
    web__page_raw(p, "</dd>");
    const json_t *ref = json_object_get(res, "refusal");
    if (ref) {
        static const char *const ms[][2] = {
            {"unsafe_compliance", "evals.refusal.unsafe"},
            {"over_refusal", "evals.refusal.over"}};
        for (size_t i = 0; i < 2; i++) {
            const json_t *g = json_object_get(ref, ms[i][0]);
            fact(p, ms[i][1]);
            pct(p, num_of(g, "rate"));
            web__page_raw(p, " ");
            interval(p, g);
            web__page_raw(p, "</dd>");
        }
    }
    web__page_raw(p, "</dl></section>\n");
}

static void signed_points(web_page *p, double d)
{
    if (d >= 0.05)
        web__page_raw(p, "+");
    web__page_num(p, d, 1);
}

/* This run minus the other, in points, with the square-and-add interval
 * of the two groups' own intervals (stats_diff_unpaired): published runs
 * carry no per-item results to pair. */
static void diff_cell(web_page *p, const svg_bar *x, const svg_bar *y)
{
    if (!isfinite(x->value) || !isfinite(y->value)) {
        web__page_t(p, "evals.na");
        return;
    }
    signed_points(p, 100.0 * (x->value - y->value));
    double lo, hi;
    stats_diff_unpaired(x->value, x->lo, x->hi, y->value, y->lo, y->hi, &lo,
                        &hi);
    if (!isfinite(lo) || !isfinite(hi))
        return;
    web__page_raw(p, " [");
    signed_points(p, 100.0 * lo);
    web__page_raw(p, ", ");
    signed_points(p, 100.0 * hi);
    web__page_raw(p, "]");
}

/* Chart and table of one grouping; with other, both runs side by side,
 * named series[0] and series[1], and the difference (this minus other)
 * in points. */
static void groups(web_page *p, const json_t *res, const json_t *other,
                   const char *const *series, const char *section,
                   const char *sec_id, const char *title_key,
                   const char *col_key)
{
    eval_bar_set set;
    char prefix[64];
    snprintf(prefix, sizeof prefix, "%s = ", web__t(p, "evals.n"));
    if (eval_bar_set_make(res, other, section, prefix, &set, NULL) != 0)
        return;
    const char **keys = set.n ? calloc(set.n, sizeof *keys) : NULL;
    if (set.n && !keys) {
        eval_bar_set_free(&set);
        return;
    }
    /* the chart shows translated group names; the JSON keys stay for the
     * table's lookups */
    for (size_t i = 0; i < set.n; i++) {
        keys[i] = set.a[i].label;
        set.a[i].label = group_name(p, section, keys[i]);
    }
    web__page_raw(p, "<section id=\"");
    web__page_text(p, sec_id);
    web__page_raw(p, "\" aria-labelledby=\"");
    web__page_text(p, sec_id);
    web__page_raw(p, "-h\"><h2 id=\"");
    web__page_text(p, sec_id);
    web__page_raw(p, "-h\">");
    web__page_t(p, title_key);
    web__page_raw(p, "</h2>");
    char dec[8];
    page_decimal(p, dec, sizeof dec);
    svg_chart_opts o = chart_opts(p, title_key, dec);
    if (other) {
        o.series[0] = series[0];
        o.series[1] = series[1];
    }
    if (set.n) {
        web__page_raw(p, "<figure class=\"chart\">");
        int rc = other ? svg_bars_paired(&p->html, set.a, set.b, set.n, &o,
                                         NULL)
                       : svg_bars(&p->html, set.a, set.n, &o, NULL);
        if (rc) {
            web__page_raw(p, "<p class=\"muted\">");
            web__page_t(p, "evals.chart.failed");
            web__page_raw(p, "</p>");
        }
        web__page_raw(p, "</figure>");
    }
    static const char *const head_one[] = {
        "evals.col.samples", "evals.col.score", "evals.col.interval"};
    web__page_raw(p, "<div class=\"table-wrap\"><table><thead><tr>"
                "<th scope=\"col\">");
    web__page_t(p, col_key);
    for (int i = 0; i < 3; i++) {
        web__page_raw(p, "</th><th scope=\"col\">");
        if (other && i < 2) {
            /* a model name or run id keeps its own direction */
            web__page_raw(p, "<bdi>");
            web__page_text(p, series[i]);
            web__page_raw(p, "</bdi>");
        } else {
            web__page_t(p, other ? "evals.cmp.diff" : head_one[i]);
        }
    }
    web__page_raw(p, "</th></tr></thead><tbody>");
    const json_t *ga = json_object_get(res, section);
    for (size_t i = 0; i < set.n; i++) {
        const svg_bar *x = &set.a[i];
        web__page_raw(p, "<tr><th scope=\"row\">");
        web__page_text(p, x->label);
        web__page_raw(p, "</th><td class=\"num\">");
        if (other) {
            const svg_bar *y = &set.b[i];
            pct(p, x->value);
            web__page_raw(p, "</td><td class=\"num\">");
            pct(p, y->value);
            web__page_raw(p, "</td><td class=\"num\"><span dir=\"ltr\">");
            diff_cell(p, x, y);
            web__page_raw(p, "</span>");
        } else {
            const json_t *g = json_object_get(ga, keys[i]);
            web__page_int(p, json_integer_value(json_object_get(g, "n")));
            web__page_raw(p, "</td><td class=\"num\">");
            pct(p, x->value);
            web__page_raw(p, "</td><td class=\"num\">");
            interval(p, g);
        }
        web__page_raw(p, "</td></tr>");
    }
    web__page_raw(p, "</tbody></table></div>");
    if (other) {
        web__page_raw(p, "<p class=\"muted\">");
        web__page_t(p, "evals.cmp.note");
        web__page_raw(p, "</p>");
    }
    web__page_raw(p, "</section>\n");
    free(keys);
    eval_bar_set_free(&set);
}

/* The head of a comparison: both runs' model, suite and overall score. */
static void compare_head(web_page *p, const char *id, const json_t *doc,
                         const char *oid, const json_t *odoc)
{
    const json_t *docs[2] = {doc, odoc};
    const char *ids[2] = {id, oid};
    static const char *const names[2] = {"evals.cmp.this", "evals.cmp.other"};
    web__page_raw(p, "<section id=\"eval-comparison\" aria-labelledby=\"cmp-h\">"
                "<h2 id=\"cmp-h\">");
    web__page_t(p, "evals.cmp.title");
    web__page_raw(p, "</h2><div class=\"table-wrap\"><table><thead><tr>"
                "<th scope=\"col\"></th><th scope=\"col\">");
    web__page_t(p, "evals.col.run");
    web__page_raw(p, "</th><th scope=\"col\">");
    web__page_t(p, "evals.col.model");
    web__page_raw(p, "</th><th scope=\"col\">");
    web__page_t(p, "evals.col.suite");
    web__page_raw(p, "</th><th scope=\"col\">");
    web__page_t(p, "evals.col.score");
    web__page_raw(p, "</th><th scope=\"col\">");
    web__page_t(p, "evals.col.interval");
    web__page_raw(p, "</th></tr></thead><tbody>");
    for (int i = 0; i < 2; i++) {
        const json_t *m = json_object_get(docs[i], "manifest");
        const json_t *ov =
            json_object_get(json_object_get(docs[i], "results"), "overall");
        web__page_raw(p, "<tr><th scope=\"row\">");
        web__page_t(p, names[i]);
        web__page_raw(p, "</th><td><a href=\"/evals/");
        web__page_text(p, ids[i]);
        web__page_raw(p, "\" dir=\"ltr\">");
        web__page_text(p, ids[i]);
        web__page_raw(p, "</a></td><td>");
        web__page_text(p, web__json_str(json_object_get(m, "params"), "model"));
        web__page_raw(p, "</td><td>");
        web__page_text(p, web__json_str(json_object_get(m, "suite"), "name"));
        web__page_raw(p, " ");
        web__page_text(p, web__json_str(json_object_get(m, "suite"), "version"));
        web__page_raw(p, "</td><td class=\"num\">");
        pct(p, num_of(ov, "rate"));
        web__page_raw(p, "</td><td class=\"num\">");
        interval(p, ov);
        web__page_raw(p, "</td></tr>");
    }
    web__page_raw(p, "</tbody></table></div>");
    const char *ha = web__json_str(
        json_object_get(json_object_get(doc, "manifest"), "suite"), "hash");
    const char *hb = web__json_str(
        json_object_get(json_object_get(odoc, "manifest"), "suite"), "hash");
    if (!ha || !hb || strcmp(ha, hb) != 0) {
        web__page_raw(p, "<p class=\"warning\" role=\"note\">");
        web__page_t(p, "evals.cmp.other_suite");
        web__page_raw(p, "</p>");
    }
    web__page_raw(p, "</section>\n");
}

void web__page_eval(web_page *p, const char *id)
{
    int64_t log_index = -1, olog = -1;
    int code;
    json_t *doc = load_eval(p, id, &log_index, &code);
    if (!doc) {
        /* a withdrawn run (ESTATE) is no longer shown, as if absent */
        int gone = code == OSAFE_ENOTFOUND || code == OSAFE_ESTATE;
        web__page_error(p, gone ? 404 : 500,
                   gone ? "error.not_found" : "error.internal");
        return;
    }
    const char *oid = web__page_query(p, "against");
    json_t *odoc = NULL;
    int missing = 0;
    if (oid && *oid) {
        odoc = load_eval(p, oid, &olog, &code);
        missing = !odoc;
    }
    const json_t *m = json_object_get(doc, "manifest");
    const json_t *res = json_object_get(doc, "results");
    const json_t *ores = odoc ? json_object_get(odoc, "results") : NULL;
    const char *model = web__json_str(json_object_get(m, "params"), "model");

    /* the title names the run by its model, which is what people look for */
    char title[256];
    snprintf(title, sizeof title, "%s \xE2\x80\x94 %s", web__t(p, "evals.run"),
             model ? model : id);
    web__page_begin(p, title, "nav.evals");
    web__page_raw(p, "<article id=\"eval\" data-id=\"");
    web__page_text(p, id);
    web__page_rawf(p, "\" data-log-index=\"%lld\"><h1>", (long long)log_index);
    web__page_t(p, "evals.run");
    web__page_raw(p, " <span dir=\"auto\">");
    web__page_text(p, model ? model : "");
    web__page_raw(p, "</span></h1>\n<p class=\"muted\"><span dir=\"ltr\">");
    web__page_text(p, id);
    web__page_raw(p, "</span> \xC2\xB7 ");
    web__page_text(p, web__json_str(json_object_get(m, "suite"), "name"));
    web__page_raw(p, " \xC2\xB7 <a href=\"/evals\">");
    web__page_t(p, "evals.back");
    web__page_raw(p, "</a></p>\n");
    if (missing) {
        web__page_raw(p, "<p class=\"error\" role=\"alert\">");
        web__page_t(p, "evals.cmp.missing");
        web__page_raw(p, "</p>\n");
    }
    if (odoc)
        compare_head(p, id, doc, oid, odoc);
    overall(p, res);
    if (!odoc)
        web__eval_review_figures(p, id, res);
    char sa[OSAFE_WEB_SERIES_MODEL_MAX + 64], sb[sizeof sa];
    const char *series[2] = {sa, sb};
    web__evals_series_label(p, model, id, sa, sizeof sa);
    if (odoc)
        web__evals_series_label(
            p,
            web__json_str(json_object_get(json_object_get(odoc, "manifest"),
                                          "params"),
                          "model"),
            oid, sb, sizeof sb);
    groups(p, res, ores, series, "by_hazard", "eval-hazards",
           odoc ? "evals.cmp.chart.hazard" : "evals.chart.hazard",
           "evals.col.hazard");
    if (!odoc)
        web__eval_grades(p, doc);
    groups(p, res, ores, series, "by_language", "eval-languages",
           odoc ? "evals.cmp.chart.language" : "evals.chart.language",
           "evals.col.language");
    /* every sample, filtered and paged (web_samples.c) */
    web__page_raw(p, "<p id=\"eval-samples\"><a href=\"/evals/");
    web__page_text(p, id);
    web__page_raw(p, "/samples\">");
    web__page_t(p, "samples.link");
    web__page_raw(p, "</a></p>\n");
    manifest_facts(p, doc, log_index);
    web__page_raw(p, "</article>\n");
    json_decref(odoc);
    json_decref(doc);
    web__page_end(p, NULL);
}
