/*
 * report_html.c - `osafe eval report RUNDIR --html FILE [--against RUNDIR]`
 * (run.h).
 *
 * One file a person can mail or archive and open anywhere: inline CSS and
 * SVG, nothing fetched, markup that an XML parser accepts too (void
 * elements self-closed), so that a test can check it strictly.  One
 * inline script, the sample browser's (report_samples*.c), is the only
 * one a Content-Security-Policy <meta> lets run, by its hash.
 * Every string that came from a run (suite names, item ids, prompts,
 * answers, error messages, parameters) goes through xml_escape; numbers
 * through svg_num, whatever the locale.
 *
 * Prompts and answers of safety suites are often harmful text: the report
 * quotes only the lowest-scored samples, cut to OSAFE_REPORT_QUOTE_MAX
 * bytes, folded inside <details> under a content warning.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fsx.h"
#include "core/hazard.h"
#include "core/limits.h"
#include "core/xml.h"
#include "eval/run.h"
#include "eval/report_int.h"
#include "eval/run_internal.h"

/* Plain, high-contrast, readable on a phone; no external fonts. */
static const char css[] =
    "body{font:16px/1.5 system-ui,sans-serif;color:#1a1a1a;background:#fff;"
    "margin:0}"
    "main{max-width:60rem;margin:0 auto;padding:1rem}"
    "h1{font-size:1.6rem;margin:.5rem 0}h2{font-size:1.25rem;"
    "border-bottom:2px solid #0072b2;padding-bottom:.2rem;margin-top:2rem}"
    ".sub{color:#454545;margin-top:0}"
    ".scroll{overflow-x:auto}"
    "table{border-collapse:collapse;margin:.5rem 0;font-size:.95rem}"
    "th,td{border:1px solid #c8c8c8;padding:.25rem .5rem;text-align:start;"
    "vertical-align:top}"
    "th{background:#f0f0f0}td.num{text-align:end;"
    "font-variant-numeric:tabular-nums;white-space:nowrap}"
    "code{font-family:ui-monospace,monospace;font-size:.9em;"
    "overflow-wrap:anywhere}"
    ".big{font-size:1.4rem;font-weight:bold}"
    ".warn{background:#fff4e5;border-inline-start:4px solid #c85200;"
    "padding:.5rem .75rem}"
    "details{margin:.25rem 0}summary{cursor:pointer;color:#0b5394}"
    "blockquote{margin:.25rem 0;padding:.25rem .5rem;background:#f6f6f6;"
    "white-space:pre-wrap;overflow-wrap:anywhere}"
    "figure{margin:1rem 0}svg{max-width:100%;height:auto}"
    "footer{margin-top:2rem;color:#454545;font-size:.85rem}"
    ":focus-visible{outline:3px solid #0b5394;outline-offset:2px}"
    "select,input,button{font:inherit}"
    ".sb-filters{display:grid;grid-template-columns:"
    "repeat(auto-fill,minmax(11rem,1fr));gap:.5rem 1rem;margin:.5rem 0}"
    ".sb-filters label,.sb-ui label{display:block;font-weight:600}"
    ".sb-filters select,.sb-filters input{width:100%;box-sizing:border-box}"
    ".sb-actions{grid-column:1/-1}.err{color:#a00000}"
    ".pager{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}"
    ".pager input{width:5rem}[aria-disabled=true]{opacity:.5}"
    /* on a phone each sample is a block of "column: value" lines */
    "@media (max-width:40rem){#sb-table thead{display:none}"
    "#sb-table tr{display:block;border:1px solid #c8c8c8;margin:.5rem 0;"
    "padding:.25rem .5rem}#sb-table td{display:block;border:0;padding:0;"
    "text-align:start}#sb-table td::before{content:attr(data-h) \": \";"
    "font-weight:600}}"
    "@media print{details{display:block}summary{display:none}}";

/* ---- small writers ------------------------------------------------------ */

static int put(osafe_buf *o, const char *s)
{
    return buf_puts(o, s);
}

static int esc(osafe_buf *o, const char *s)
{
    return xml_escape(o, s ? s : "");
}

/* A rate as "12.3%", NaN as "n/a". */
static int pct(osafe_buf *o, double v)
{
    if (!isfinite(v))
        return put(o, "n/a");
    int rc = svg_num(o, 100.0 * v, 1);
    return rc ? rc : buf_putc(o, '%');
}

static double num_of(const json_t *j, const char *key)
{
    const json_t *v = json_object_get(j, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *str_of(const json_t *j, const char *key)
{
    return json_string_value(json_object_get(j, key));
}

/* "12.3% [10.1%, 14.6%]" or "n/a". */
static int rate_ci(osafe_buf *o, const json_t *g)
{
    double r = num_of(g, "rate"), lo = num_of(g, "lo"), hi = num_of(g, "hi");
    int rc = pct(o, r);
    if (rc == 0 && isfinite(r) && isfinite(lo) && isfinite(hi)) {
        rc = put(o, " [");
        if (rc == 0)
            rc = pct(o, lo);
        if (rc == 0)
            rc = put(o, ", ");
        if (rc == 0)
            rc = pct(o, hi);
        if (rc == 0)
            rc = put(o, "]");
    }
    return rc;
}

/* Any JSON value as text: strings as they are, numbers locale-free,
 * objects and arrays compact; all escaped. */
static int json_text(osafe_buf *o, const json_t *v)
{
    if (!v || json_is_null(v))
        return put(o, "\xE2\x80\x94"); /* em dash */
    if (json_is_string(v))
        return esc(o, json_string_value(v));
    if (json_is_integer(v))
        return buf_printf(o, "%lld", (long long)json_integer_value(v));
    if (json_is_real(v))
        return svg_num(o, json_real_value(v), 6);
    if (json_is_boolean(v))
        return put(o, json_is_true(v) ? "true" : "false");
    char *t = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
    if (!t)
        return OSAFE_ENOMEM;
    int rc = esc(o, t);
    free(t);
    return rc;
}

/* A hazard as people read it: "Violent crimes (vcr)"; a key without a
 * known name stays as it is.  Writes into buf (at least 2 bytes). */
const char *run__hazard_label(const char *k, char *buf, size_t n)
{
    const char *name = hazard_name_en(k);
    if (!name || snprintf(buf, n, "%s (%s)", name, k) >= (int)n)
        return k;
    return buf;
}

/* Chart labels of a hazard grouping: the names, not the codes. */
static void hazard_bar_names(svg_bar *bars, size_t n)
{
    for (size_t i = 0; bars && i < n; i++) {
        const char *name = hazard_name_en(bars[i].label);
        if (name)
            bars[i].label = name;
    }
}

/* <tr><th>key</th><td>value</td></tr> for one JSON value. */
static int kv(osafe_buf *o, const char *key, const json_t *v, int code)
{
    int rc = put(o, "<tr><th scope=\"row\">");
    if (rc == 0)
        rc = esc(o, key);
    if (rc == 0)
        rc = put(o, code ? "</th><td><code>" : "</th><td>");
    if (rc == 0)
        rc = json_text(o, v);
    if (rc == 0)
        rc = put(o, code ? "</code></td></tr>" : "</td></tr>");
    return rc;
}

/* ---- sections ----------------------------------------------------------- */

static int section_manifest(osafe_buf *o, const json_t *m, const char *dir)
{
    const json_t *su = json_object_get(m, "suite");
    const json_t *p = json_object_get(m, "params");
    int rc = put(o, "<section id=\"manifest\"><h2>Run</h2>"
                    "<div class=\"scroll\"><table><tbody>");
    json_t *d = json_string(dir);
    if (rc == 0)
        rc = kv(o, "Run directory", d, 1);
    json_decref(d);
    static const char *const suite_keys[][2] = {
        {"name", "Suite"}, {"version", "Suite version"},
        {"hash", "Suite SHA-256"}, {"items", "Suite items"},
        {"license", "Licence"}};
    for (size_t i = 0; rc == 0 && i < 5; i++)
        rc = kv(o, suite_keys[i][1], json_object_get(su, suite_keys[i][0]),
                i == 2);
    static const char *const run_keys[][2] = {
        {"shard", "Shard"}, {"started", "Started"}, {"finished", "Finished"},
        {"server_fingerprint", "Server fingerprint"},
        {"resumed", "Samples kept by a resume"}};
    for (size_t i = 0; rc == 0 && i < 5; i++)
        rc = kv(o, run_keys[i][1], json_object_get(m, run_keys[i][0]), 0);
    const json_t *tool = json_object_get(m, "tool");
    if (rc == 0)
        rc = kv(o, "Tool version", json_object_get(tool, "version"), 0);
    if (rc == 0)
        rc = put(o, "</tbody></table></div><h3>Parameters</h3>"
                    "<div class=\"scroll\"><table><tbody>");
    /* every generation parameter, in the manifest's (sorted) order: the
     * model and endpoint among them */
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)p, k, v) {
        if (rc == 0)
            rc = kv(o, k, v, strcmp(k, "endpoint") == 0);
    }
    if (rc == 0)
        rc = put(o, "</tbody></table></div></section>");
    return rc;
}

static int group_row(osafe_buf *o, const char *name, const json_t *g)
{
    int rc = put(o, "<tr><th scope=\"row\">");
    if (rc == 0)
        rc = esc(o, name);
    if (rc == 0)
        rc = buf_printf(o, "</th><td class=\"num\">%lld</td>"
                           "<td class=\"num\">%lld</td><td class=\"num\">",
                        (long long)json_integer_value(json_object_get(g, "n")),
                        (long long)json_integer_value(
                            json_object_get(g, "items")));
    if (rc == 0)
        rc = pct(o, num_of(g, "rate"));
    if (rc == 0)
        rc = put(o, "</td><td class=\"num\">");
    if (rc == 0 && isfinite(num_of(g, "lo"))) {
        rc = pct(o, num_of(g, "lo"));
        if (rc == 0)
            rc = put(o, " \xE2\x80\x93 ");
        if (rc == 0)
            rc = pct(o, num_of(g, "hi"));
    }
    if (rc == 0)
        rc = put(o, "</td><td>");
    if (rc == 0)
        rc = esc(o, str_of(g, "method"));
    if (rc == 0 && json_is_true(json_object_get(g, "no_variation")))
        rc = put(o, ", no variation between items");
    if (rc == 0)
        rc = put(o, "</td></tr>");
    return rc;
}

static int group_head(osafe_buf *o, const char *col)
{
    int rc = put(o, "<thead><tr><th scope=\"col\">");
    if (rc == 0)
        rc = esc(o, col);
    return rc ? rc
              : put(o, "</th><th scope=\"col\">samples</th>"
                       "<th scope=\"col\">items</th>"
                       "<th scope=\"col\">score</th>"
                       "<th scope=\"col\">95% interval</th>"
                       "<th scope=\"col\">method</th></tr></thead><tbody>");
}

static int section_overall(osafe_buf *o, const json_t *r)
{
    const json_t *ov = json_object_get(r, "overall");
    int rc = put(o, "<section id=\"overall\"><h2>Overall</h2>"
                    "<p><span class=\"big\">");
    if (rc == 0)
        rc = rate_ci(o, ov);
    if (rc == 0)
        rc = buf_printf(o, "</span> mean score with its 95%% interval over "
                           "%lld scored samples (%lld items). Samples in "
                           "all: %lld; failed, not counted: %lld.</p>",
                        (long long)json_integer_value(json_object_get(ov, "n")),
                        (long long)json_integer_value(
                            json_object_get(ov, "items")),
                        (long long)json_integer_value(
                            json_object_get(r, "samples")),
                        (long long)json_integer_value(
                            json_object_get(r, "errors")));
    const json_t *bs = json_object_get(ov, "bootstrap");
    if (rc == 0 && bs && isfinite(num_of(bs, "lo"))) {
        rc = put(o, "<p>Cluster bootstrap over items: ");
        if (rc == 0)
            rc = pct(o, num_of(bs, "lo"));
        if (rc == 0)
            rc = put(o, " \xE2\x80\x93 ");
        if (rc == 0)
            rc = pct(o, num_of(bs, "hi"));
        if (rc == 0)
            rc = buf_printf(o, " (B = %lld, seed %lld).</p>",
                            (long long)json_integer_value(
                                json_object_get(bs, "B")),
                            (long long)json_integer_value(
                                json_object_get(bs, "seed")));
    }
    const json_t *ref = json_object_get(r, "refusal");
    if (rc == 0 && ref) {
        rc = put(o, "<div class=\"scroll\"><table>");
        if (rc == 0)
            rc = group_head(o, "refusal measure");
        if (rc == 0)
            rc = group_row(o, "unsafe compliance (lower is better)",
                           json_object_get(ref, "unsafe_compliance"));
        if (rc == 0)
            rc = group_row(o, "over-refusal (lower is better)",
                           json_object_get(ref, "over_refusal"));
        if (rc == 0)
            rc = put(o, "</tbody></table></div>");
    }
    return rc ? rc : put(o, "</section>");
}

/* A chart and its table for one grouping of the results. */
static int section_groups(osafe_buf *o, const json_t *r, const char *key,
                          const char *id, const char *title,
                          const char *col, osafe_err *e)
{
    eval_bar_set set;
    int rc = eval_bar_set_make(r, NULL, key, NULL, &set, e);
    if (rc)
        return rc;
    int hazards = !strcmp(key, "by_hazard");
    if (hazards)
        hazard_bar_names(set.a, set.n);
    rc = buf_printf(o, "<section id=\"%s\"><h2>%s</h2>", id, title);
    if (rc == 0 && set.n) {
        svg_chart_opts co;
        memset(&co, 0, sizeof co);
        co.title = title;
        co.desc = "Mean score per group with its 95% interval (whiskers); "
                  "the table below gives the same numbers.";
        co.axis_label = "score";
        co.na_text = "n/a";
        co.percent = 1;
        rc = put(o, "<figure>");
        if (rc == 0)
            rc = svg_bars(o, set.a, set.n, &co, e);
        if (rc == 0)
            rc = put(o, "</figure>");
    }
    if (rc == 0)
        rc = put(o, "<div class=\"scroll\"><table>");
    if (rc == 0)
        rc = group_head(o, col);
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)json_object_get(r, key), k, v) {
        char lb[OSAFE_HAZARD_LABEL_MAX];
        if (rc == 0)
            rc = group_row(
                o, hazards ? run__hazard_label(k, lb, sizeof lb) : k, v);
    }
    if (rc == 0)
        rc = put(o, "</tbody></table></div></section>");
    eval_bar_set_free(&set);
    return rc;
}

/* The overall paired difference, its tests and what was dropped. */
static int compare_summary(osafe_buf *o, const json_t *c)
{
    int rc = put(o, "</tbody></table></div><p>Difference (this run minus "
                    "the other): <span class=\"big\">");
    double d = num_of(c, "diff"), p = num_of(c, "p_value");
    if (rc == 0)
        rc = isfinite(d) ? buf_printf(o, "%s", d > 0 ? "+" : "") : 0;
    if (rc == 0)
        rc = isfinite(d) ? svg_num(o, 100 * d, 1) : put(o, "n/a");
    if (rc == 0)
        rc = put(o, " points</span> [");
    if (rc == 0)
        rc = svg_num(o, 100 * num_of(c, "lo"), 1);
    if (rc == 0)
        rc = put(o, ", ");
    if (rc == 0)
        rc = svg_num(o, 100 * num_of(c, "hi"), 1);
    if (rc == 0)
        rc = buf_printf(o, "] (95%%, Newcombe), over %lld items both runs "
                           "scored. Items only this run passed: %lld; only "
                           "the other: %lld; exact McNemar p ",
                        (long long)json_integer_value(
                            json_object_get(c, "items")),
                        (long long)json_integer_value(
                            json_object_get(c, "b_only")),
                        (long long)json_integer_value(
                            json_object_get(c, "a_only")));
    if (rc == 0 && isfinite(p) && p < 0.0001)
        rc = put(o, "&lt; 0.0001");
    else if (rc == 0 && (rc = put(o, "= ")) == 0)
        rc = isfinite(p) ? svg_num(o, p, 4) : put(o, "n/a");
    const json_t *dr = json_object_get(c, "dropped");
    double mid = num_of(c, "p_mid");
    if (rc == 0)
        rc = put(o, " (mid-p ");
    if (rc == 0 && isfinite(mid) && mid < 0.0001)
        rc = put(o, "&lt; 0.0001");
    else if (rc == 0 && (rc = put(o, "= ")) == 0)
        rc = isfinite(mid) ? svg_num(o, mid, 4) : put(o, "n/a");
    if (rc == 0)
        rc = buf_printf(o, "). Left out because only one run scored "
                           "them: %lld items only this run scored, %lld only "
                           "the other.</p>",
                        (long long)json_integer_value(json_object_get(dr, "b")),
                        (long long)json_integer_value(json_object_get(dr, "a")));
    return rc;
}

/* The paired comparison: this run (B of eval_compare) against the other
 * (A), so the difference reads "this run minus the other". */
static int section_compare(osafe_buf *o, const json_t *r, const json_t *ro,
                           const json_t *c, osafe_err *e)
{
    const json_t *ca = json_object_get(c, "a"), *cb = json_object_get(c, "b");
    int rc = put(o, "<section id=\"comparison\"><h2>Comparison</h2>"
                    "<div class=\"scroll\"><table><thead><tr>"
                    "<th scope=\"col\">run</th><th scope=\"col\">model</th>"
                    "<th scope=\"col\">directory</th>"
                    "<th scope=\"col\">pass rate on shared items</th>"
                    "</tr></thead><tbody>");
    const char *names[2] = {"this run", "other run"};
    const json_t *sides[2] = {cb, ca};
    const char *rates[2] = {"rate_b", "rate_a"};
    for (int i = 0; rc == 0 && i < 2; i++) {
        rc = buf_printf(o, "<tr><th scope=\"row\">%s</th><td>", names[i]);
        if (rc == 0)
            rc = esc(o, str_of(sides[i], "model"));
        if (rc == 0)
            rc = put(o, "</td><td><code>");
        if (rc == 0)
            rc = esc(o, str_of(sides[i], "dir"));
        if (rc == 0)
            rc = put(o, "</code></td><td class=\"num\">");
        if (rc == 0)
            rc = pct(o, num_of(c, rates[i]));
        if (rc == 0)
            rc = put(o, "</td></tr>");
    }
    if (rc == 0)
        rc = compare_summary(o, c);
    if (rc == 0)
        rc = run__report_paired_html(o, c);
    static const char *const keys[2] = {"by_hazard", "by_language"};
    static const char *const titles[2] = {"Score by hazard, both runs",
                                          "Score by language, both runs"};
    for (int i = 0; rc == 0 && i < 2; i++) {
        eval_bar_set set;
        rc = eval_bar_set_make(r, ro, keys[i], NULL, &set, e);
        if (rc)
            return rc;
        if (i == 0) {
            hazard_bar_names(set.a, set.n);
            hazard_bar_names(set.b, set.n);
        }
        if (set.n) {
            svg_chart_opts co;
            memset(&co, 0, sizeof co);
            co.title = titles[i];
            co.desc = "Mean score per group of each run with its own 95% "
                      "interval; the paired differences are in the tables "
                      "above.";
            co.axis_label = "score";
            co.na_text = "n/a";
            co.percent = 1;
            co.series[0] = "this run";
            co.series[1] = "other run";
            rc = put(o, "<figure>");
            if (rc == 0)
                rc = svg_bars_paired(o, set.a, set.b, set.n, &co, e);
            if (rc == 0)
                rc = put(o, "</figure>");
        }
        eval_bar_set_free(&set);
    }
    return rc ? rc : put(o, "</section>");
}

/* ---- the document ------------------------------------------------------- */

int eval_report_html(const char *rundir, const char *against, osafe_buf *out,
                     osafe_err *e)
{
    json_t *m = NULL, *r = NULL, *ro = NULL, *c = NULL;
    struct run__scan sc;
    memset(&sc, 0, sizeof sc);
    size_t start = out->len;
    int rc = run__manifest(rundir, &m, e);
    if (rc == 0)
        rc = eval_results(rundir, &r, e);
    if (rc == 0 && against)
        rc = eval_results(against, &ro, e);
    if (rc == 0 && against)
        rc = eval_compare(against, rundir, &c, e);
    if (rc == 0)
        rc = run__scan_samples(rundir, &sc, e);
    if (rc) {
        json_decref(m);
        json_decref(r);
        json_decref(ro);
        return rc;
    }
    const json_t *su = json_object_get(m, "suite");
    const char *model = str_of(json_object_get(m, "params"), "model");
    char csp[256];
    int b = run__report_csp(csp, sizeof csp);
    if (b == 0)
        b = buf_printf(out, "<!DOCTYPE html>\n<html lang=\"en\" dir=\"ltr\">"
                            "<head><meta charset=\"utf-8\"/>"
                            "<meta http-equiv=\"Content-Security-Policy\" "
                            "content=\"%s\"/><meta name=\"viewport\" "
                            "content=\"width=device-width, initial-scale=1\"/>"
                            "<title>Evaluation report: ",
                       csp);
    if (b == 0)
        b = esc(out, str_of(su, "name"));
    if (b == 0)
        b = put(out, " \xE2\x80\x94 ");
    if (b == 0)
        b = esc(out, model);
    if (b == 0)
        b = buf_printf(out, "</title><style>%s</style></head><body><main>"
                            "<h1>Evaluation report</h1><p class=\"sub\">",
                       css);
    if (b == 0)
        b = esc(out, str_of(su, "name"));
    if (b == 0)
        b = put(out, " ");
    if (b == 0)
        b = esc(out, str_of(su, "version"));
    if (b == 0)
        b = put(out, ", model ");
    if (b == 0)
        b = esc(out, model);
    if (b == 0)
        b = put(out, "</p>");
    if (b == 0)
        b = section_manifest(out, m, rundir);
    if (b == 0)
        b = section_overall(out, r);
    if (b == 0)
        rc = section_groups(out, r, "by_hazard", "hazards", "Score by hazard",
                            "hazard", e);
    if (b == 0 && rc == 0)
        rc = section_groups(out, r, "by_language", "languages",
                            "Score by language", "language", e);
    if (b == 0 && rc == 0 && c)
        rc = section_compare(out, r, ro, c, e);
    if (b == 0 && rc == 0)
        b = run__section_worst(out, &sc,
                          (int)json_integer_value(json_object_get(
                              json_object_get(m, "params"), "epochs")));
    if (b == 0 && rc == 0)
        rc = run__report_samples(out, rundir, e);
    if (b == 0 && rc == 0)
        b = run__section_errors(out, r, &sc);
    if (b == 0 && rc == 0)
        b = put(out, "<footer>Written by osafe " OSAFE_VERSION
                     " from the run's samples; the numbers are those of its "
                     "results.json.</footer></main></body></html>\n");
    if (b && rc == 0)
        rc = osafe_errf(e, b, "report: %s", osafe_strerror(b));
    if (rc && out->data) {
        out->len = start;
        out->data[start] = '\0';
    }
    run__scan_free(&sc);
    json_decref(m);
    json_decref(r);
    json_decref(ro);
    json_decref(c);
    return rc;
}

int eval_report_html_file(const char *rundir, const char *against,
                          const char *file, osafe_err *e)
{
    osafe_buf b;
    buf_init(&b, OSAFE_REPORT_HTML_MAX);
    int rc = eval_report_html(rundir, against, &b, e);
    if (rc == 0)
        rc = fsx_write_atomic(file, b.data, b.len, 0644, 1, e);
    buf_release(&b);
    return rc;
}
