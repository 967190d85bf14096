/*
 * web_evals_chart.c - the overall scores on /evals, one chart per suite
 * (web_evals_int.h): a score on one suite says nothing about a score on
 * another, so runs of two suites never share an axis (issue 16 item 9:
 * four bars all labelled "stub", of two suites, on one chart).  Each bar
 * is a run, labelled "model \u00b7 run id" and linked to its page; suites
 * that share a name and version are told apart by their hash.  The
 * comparison's two series are named the same way.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "registry/registry.h"
#include "server/web_evals_int.h"
#include "server/web_int.h"

static int id_ok(const char *s)
{
    return s && reg_id_valid(s, strlen(s));
}

static double num_of(const json_t *j, const char *key)
{
    const json_t *v = json_object_get(j, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* The suite a run was scored on: its hash, else its name and version. */
void web__evals_suite_key(const json_t *r, char *out, size_t n)
{
    const json_t *su = json_object_get(r, "suite");
    const char *h = web__json_str(su, "sha256");
    if (h && *h)
        snprintf(out, n, "%s", h);
    else
        snprintf(out, n, "%s\x1f%s", web__json_str(su, "name") ? web__json_str(su, "name") : "",
                 web__json_str(su, "version") ? web__json_str(su, "version") : "");
}

/* One chart of the runs of one suite: a bar per run (its overall score),
 * labelled by its model and run id, linked to the run's page. */
static void suite_chart(web_page *p, const json_t *runs, const char *key,
                        int same_name, svg_chart_opts o)
{
    size_t n = json_array_size(runs);
    svg_bar *bars = calloc(n, sizeof *bars);
    char(*hrefs)[80] = calloc(n, sizeof *hrefs);
    char(*labels)[200] = calloc(n, sizeof *labels);
    if (!bars || !hrefs || !labels) {
        free(bars);
        free(hrefs);
        free(labels);
        return;
    }
    size_t k = 0, i;
    json_t *r;
    const json_t *su = NULL;
    json_array_foreach(runs, i, r) {
        const char *id = web__json_str(r, "id");
        const json_t *ov = json_object_get(r, "overall");
        char rk[160];
        web__evals_suite_key(r, rk, sizeof rk);
        if (!id_ok(id) || strcmp(rk, key))
            continue;
        su = json_object_get(r, "suite");
        snprintf(hrefs[k], sizeof hrefs[k], "/evals/%s", id);
        /* two runs of one model differ by their id */
        const char *model = web__json_str(r, "model");
        snprintf(labels[k], sizeof labels[k], "%.120s \xC2\xB7 %s",
                 model && *model ? model : "?", id);
        bars[k] = (svg_bar){labels[k], num_of(ov, "rate"), num_of(ov, "lo"),
                            num_of(ov, "hi"), NULL, hrefs[k]};
        if (!isfinite(bars[k].value))
            bars[k].lo = bars[k].hi = NAN;
        k++;
    }
    char title[400];
    const char *h = web__json_str(su, "sha256");
    snprintf(title, sizeof title, "%s: %.120s %.40s%s%.12s%s",
             o.title,
             web__json_str(su, "name") ? web__json_str(su, "name") : "",
             web__json_str(su, "version") ? web__json_str(su, "version") : "",
             same_name && h ? " (sha256 " : "", same_name && h ? h : "",
             same_name && h ? "\xE2\x80\xA6)" : "");
    o.title = title;
    web__page_raw(p, "<figure class=\"chart\" data-suite=\"");
    web__page_text(p, h ? h : "");
    web__page_raw(p, "\">");
    if (svg_bars(&p->html, bars, k, &o, NULL) != 0) {
        web__page_raw(p, "<p class=\"muted\">");
        web__page_t(p, "evals.chart.failed");
        web__page_raw(p, "</p>");
    }
    web__page_raw(p, "</figure>\n");
    free(bars);
    free(hrefs);
    free(labels);
}

void web__evals_list_charts(web_page *p, const json_t *runs,
                            svg_chart_opts o)
{
    size_t n = json_array_size(runs);
    if (n == 0 || n > SVG_ITEMS_MAX)
        return;
    char(*keys)[160] = calloc(n, sizeof *keys);
    char(*names)[200] = calloc(n, sizeof *names);
    if (!keys || !names) {
        free(keys);
        free(names);
        return;
    }
    size_t nk = 0, i;
    json_t *r;
    json_array_foreach(runs, i, r) {
        char k[160];
        web__evals_suite_key(r, k, sizeof k);
        size_t j = 0;
        while (j < nk && strcmp(keys[j], k))
            j++;
        if (j == nk) {
            const json_t *su = json_object_get(r, "suite");
            memcpy(keys[nk], k, sizeof k);
            snprintf(names[nk], sizeof names[nk], "%s\x1f%s",
                     web__json_str(su, "name") ? web__json_str(su, "name") : "",
                     web__json_str(su, "version") ? web__json_str(su, "version")
                                                  : "");
            nk++;
        }
    }
    for (size_t j = 0; j < nk; j++) {
        /* suites that share a name and version are told apart by hash */
        int same = 0;
        for (size_t m = 0; m < nk; m++)
            same |= m != j && !strcmp(names[m], names[j]);
        suite_chart(p, runs, keys[j], same, o);
    }
    free(keys);
    free(names);
}

/* A compared run as the evaluations chart names it, "model \u00b7 run id"
 * (issue 16 item 9: "this run / other run" said nothing); the model cut
 * to OSAFE_WEB_SERIES_MODEL_MAX bytes on a character boundary so that the
 * legend stays inside the chart. */
void web__evals_series_label(web_page *p, const char *model, const char *id,
                             char *out, size_t n)
{
    if (!model || !*model)
        model = web__t(p, "evals.cmp.no_model");
    size_t len = strlen(model), cut = len;
    if (cut > OSAFE_WEB_SERIES_MODEL_MAX) {
        cut = OSAFE_WEB_SERIES_MODEL_MAX;
        while (cut && ((unsigned char)model[cut] & 0xC0) == 0x80)
            cut--;
    }
    snprintf(out, n, "%.*s%s \xC2\xB7 %s", (int)cut, model,
             cut < len ? "\xE2\x80\xA6" : "", id);
}
