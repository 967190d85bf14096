/*
 * web_samples.c - /evals/{run}/samples: every sample of a published run
 * (issue 16 item 10), filtered by a GET form (hazard, language, label,
 * score, errors, needs review) and paged by number, each sample's prompt
 * and answer folded under the content warning as in the HTML report.
 *
 * The page reads what GET /api/v1/evaluations/{id}/samples answers
 * (reg_evaluation_samples) with the same query words (api__sample_filter),
 * so that a page's URL and the API's agree.  No script: the form, links
 * and <details> work with the keyboard alone.
 *
 * Hooks for tests: <form id="sample-filters">, #sample-count[data-value],
 * <ol id="sample-list"> of <li class="sample" id="s-INDEX">, #pages with
 * #prev-page / #next-page, #content-warning, #samples-status.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "server/api_int.h"
#include "server/web_int.h"

/* The query words a page link keeps (the filters and the page size). */
static const char *const keep[] = {"hazard", "score", "language", "label",
                                   "error", "needs_review", "per_page", NULL};

static const char *q_of(web_page *p, const char *name)
{
    const char *v = web__page_query(p, name);
    return v && *v ? v : NULL;
}

/* <select name> of values (labels: prefix.value, or the value itself). */
static void select_of(web_page *p, const char *name, const char *label_key,
                      const char *prefix, const char *const *values,
                      size_t n)
{
    const char *cur = q_of(p, name);
    web__page_raw(p, "<div class=\"field\"><label for=\"f-");
    web__page_text(p, name);
    web__page_raw(p, "\">");
    web__page_t(p, label_key);
    web__page_raw(p, "</label><select id=\"f-");
    web__page_text(p, name);
    web__page_raw(p, "\" name=\"");
    web__page_text(p, name);
    web__page_raw(p, "\"><option value=\"\">");
    web__page_t(p, "filter.any");
    web__page_raw(p, "</option>");
    for (size_t i = 0; i < n; i++) {
        web__page_raw(p, "<option value=\"");
        web__page_text(p, values[i]);
        web__page_raw(p, cur && !strcmp(cur, values[i]) ? "\" selected>"
                                                        : "\">");
        if (prefix)
            web__enum_label(p, prefix, values[i]);
        else
            web__page_text(p, values[i]);
        web__page_raw(p, "</option>");
    }
    web__page_raw(p, "</select></div>");
}

/* The groups a run's results name (by_hazard, by_language): the choices of
 * a filter, at most OSAFE_EVAL_PUB_HAZARDS_MAX / _LANGS_MAX of them. */
static size_t groups_of(const json_t *doc, const char *section,
                        const char **out, size_t max)
{
    const json_t *g =
        json_object_get(json_object_get(doc, "results"), section);
    const char *k;
    const json_t *v;
    size_t n = 0;
    json_object_foreach((json_t *)g, k, v) if (n < max && *k) out[n++] = k;
    (void)v;
    return n;
}

static void filter_form(web_page *p, const char *id, const json_t *doc)
{
    const char *groups[OSAFE_EVAL_PUB_LANGS_MAX];
    static const char *const scores[] = {"pass", "fail", "error"};
    static const char *const yesno[] = {"true", "false"};
    web__page_raw(p, "<form id=\"sample-filters\" method=\"get\" action=\""
                     "/evals/");
    web__page_text(p, id);
    web__page_raw(p, "/samples\" class=\"filters\" role=\"search\">");
    size_t n = groups_of(doc, "by_hazard", groups, OSAFE_EVAL_PUB_HAZARDS_MAX);
    select_of(p, "hazard", "filter.hazard", "hazard", groups, n);
    n = groups_of(doc, "by_language", groups, OSAFE_EVAL_PUB_LANGS_MAX);
    select_of(p, "language", "filter.language", NULL, groups, n);
    web__page_raw(p, "<div class=\"field\"><label for=\"f-label\">");
    web__page_t(p, "samples.col.label");
    web__page_raw(p, "</label><input id=\"f-label\" name=\"label\" "
                     "dir=\"ltr\" autocomplete=\"off\" maxlength=\"64\" "
                     "value=\"");
    web__page_text(p, q_of(p, "label") ? q_of(p, "label") : "");
    web__page_raw(p, "\"></div>");
    select_of(p, "score", "samples.col.score", "samples.score", scores, 3);
    select_of(p, "error", "samples.f.error", "samples.error", yesno, 2);
    select_of(p, "needs_review", "samples.col.review", "samples.review",
              yesno, 2);
    if (q_of(p, "lang")) {
        web__page_raw(p, "<input type=\"hidden\" name=\"lang\" value=\"");
        web__page_text(p, p->lang);
        web__page_raw(p, "\">");
    }
    web__page_raw(p, "<div class=\"actions\"><button type=\"submit\">");
    web__page_t(p, "filter.apply");
    web__page_raw(p, "</button> <a href=\"/evals/");
    web__page_text(p, id);
    web__page_raw(p, "/samples");
    if (q_of(p, "lang")) {
        web__page_raw(p, "?lang=");
        web__page_text(p, p->lang);
    }
    web__page_raw(p, "\">");
    web__page_t(p, "filter.clear");
    web__page_raw(p, "</a></div></form>\n");
}

/* A link to page n of the same filters. */
static void page_link(web_page *p, const char *id, long long n,
                      const char *html_id, const char *rel,
                      const char *label_key, int current)
{
    web__page_raw(p, "<a");
    if (html_id)
        web__page_rawf(p, " id=\"%s\" rel=\"%s\"", html_id, rel);
    if (current)
        web__page_raw(p, " aria-current=\"page\"");
    web__page_raw(p, " href=\"/evals/");
    web__page_text(p, id);
    web__page_raw(p, "/samples?");
    for (const char *const *k = keep; *k; k++) {
        const char *v = q_of(p, *k);
        if (!v)
            continue;
        web__page_text(p, *k);
        web__page_raw(p, "=");
        web__page_urlenc(p, v);
        web__page_raw(p, "&amp;");
    }
    web__page_rawf(p, "page=%lld#sample-count\">", n);
    if (label_key)
        web__page_t(p, label_key);
    else
        web__page_int(p, n);
    web__page_raw(p, "</a> ");
}

/* Numbered pages: previous, the first, two either side of the current
 * one, the last, next. */
static void pager(web_page *p, const char *id, long long page,
                  long long pages)
{
    if (pages <= 1)
        return;
    web__page_raw(p, "<nav id=\"pages\" class=\"pager\" aria-label=\"");
    web__page_t(p, "samples.paging");
    web__page_raw(p, "\">");
    if (page > 1)
        page_link(p, id, page - 1, "prev-page", "prev", "samples.prev", 0);
    /* 10^6 samples are 40,000 pages: only these few are linked */
    long long show[] = {1, page - 2, page - 1, page, page + 1, page + 2,
                        pages};
    long long prev = 0;
    for (size_t i = 0; i < sizeof show / sizeof show[0]; i++) {
        long long n = show[i];
        if (n <= prev || n < 1 || n > pages)
            continue;
        if (n > prev + 1)
            web__page_raw(p, "<span aria-hidden=\"true\">\xE2\x80\xA6"
                             "</span> ");
        page_link(p, id, n, NULL, NULL, NULL, n == page);
        prev = n;
    }
    if (page < pages)
        page_link(p, id, page + 1, "next-page", "next", "samples.next", 0);
    web__page_raw(p, "</nav>\n");
}

/* A text quoted in its own language, cut to OSAFE_REPORT_QUOTE_MAX bytes
 * on a character boundary (the API has it whole). */
static void quote(web_page *p, const char *key, const char *text,
                  const char *lang)
{
    web__page_raw(p, "<p class=\"sample-part\"><strong>");
    web__page_t(p, key);
    web__page_raw(p, "</strong></p><blockquote class=\"excerpt\">");
    if (!text) {
        web__page_t(p, "samples.none");
        web__page_raw(p, "</blockquote>");
        return;
    }
    size_t n = strlen(text), cut = n;
    if (cut > OSAFE_REPORT_QUOTE_MAX) {
        cut = OSAFE_REPORT_QUOTE_MAX;
        while (cut > 0 && ((unsigned char)text[cut] & 0xC0) == 0x80)
            cut--;
    }
    char *part = strndup(text, cut);
    web__page_text_lang(p, part ? part : "", lang);
    free(part);
    if (cut < n)
        web__page_raw(p, " \xE2\x80\xA6");
    web__page_raw(p, "</blockquote>");
}

static void fact_open(web_page *p, const char *key)
{
    web__page_raw(p, "<div><dt>");
    web__page_t(p, key);
    web__page_raw(p, "</dt><dd>");
}

static void sample_facts(web_page *p, const json_t *x)
{
    const char *item = web__json_str(x, "item_id");
    const json_t *score = json_object_get(x, "score");
    const json_t *conf = json_object_get(x, "confidence");
    web__page_raw(p, "<dl class=\"sample-facts\">");
    fact_open(p, "samples.col.item");
    web__page_raw(p, "<code dir=\"ltr\">");
    web__page_text(p, item ? item : "");
    web__page_raw(p, "</code></dd></div>");
    fact_open(p, "filter.hazard");
    web__enum_label(p, "hazard", web__json_str(x, "hazard"));
    web__page_raw(p, "</dd></div>");
    fact_open(p, "filter.language");
    web__page_raw(p, "<span dir=\"ltr\">");
    web__page_text(p, web__json_str(x, "language"));
    web__page_raw(p, "</span></dd></div>");
    fact_open(p, "samples.col.label");
    web__enum_label(p, "samples.label", web__json_str(x, "label"));
    web__page_raw(p, "</dd></div>");
    fact_open(p, "samples.col.score");
    web__page_raw(p, "<span class=\"badge outcome-");
    web__page_text(p, web__json_str(x, "outcome"));
    web__page_raw(p, "\">");
    web__enum_label(p, "samples.score", web__json_str(x, "outcome"));
    web__page_raw(p, "</span>");
    if (json_is_number(score)) {
        web__page_raw(p, " ");
        web__page_num(p, json_number_value(score), 2);
    }
    web__page_raw(p, "</dd></div>");
    if (json_is_number(conf)) {
        fact_open(p, "samples.col.confidence");
        web__page_num(p, json_number_value(conf), 2);
        web__page_raw(p, "</dd></div>");
    }
    if (json_is_true(json_object_get(x, "needs_review"))) {
        fact_open(p, "samples.col.review");
        web__page_t(p, "samples.review.true");
        web__page_raw(p, "</dd></div>");
    }
    web__page_raw(p, "</dl>");
}

static void sample_item(web_page *p, const json_t *x)
{
    long long idx = (long long)json_integer_value(json_object_get(x, "index"));
    const char *lang = web__json_str(x, "language");
    const char *reason = web__json_str(x, "reason");
    web__page_rawf(p, "<li class=\"sample\" id=\"s-%lld\" value=\"%lld\">",
                   idx, idx + 1);
    sample_facts(p, x);
    web__page_raw(p, "<details><summary>");
    web__page_t(p, "samples.show");
    web__page_raw(p, "</summary>");
    quote(p, "samples.prompt", web__json_str(x, "prompt"), lang);
    quote(p, "samples.answer", web__json_str(x, "response"), lang);
    if (reason) {
        web__page_raw(p, "<p class=\"sample-part\"><strong>");
        web__page_t(p, "samples.col.reason");
        web__page_raw(p, "</strong> ");
        web__page_text_lang(p, reason, NULL);
        web__page_raw(p, "</p>");
    }
    web__page_raw(p, "</details></li>\n");
}

static void status_note(web_page *p, const char *status)
{
    web__page_raw(p, "<p id=\"samples-status\" class=\"notice\" "
                     "role=\"status\" data-status=\"");
    web__page_text(p, status);
    web__page_raw(p, "\">");
    web__page_t(p, !strcmp(status, "none") ? "samples.none_uploaded"
                                           : "samples.incomplete");
    web__page_raw(p, "</p>\n");
}

static void list(web_page *p, const char *id, const json_t *pg)
{
    const char *status = web__json_str(pg, "status");
    if (!status || strcmp(status, "complete"))
        return status_note(p, status ? status : "none");
    long long total = (long long)json_integer_value(json_object_get(pg, "total"));
    web__page_rawf(p, "<p id=\"sample-count\" data-value=\"%lld\" "
                      "aria-live=\"polite\">", total);
    web__page_t(p, "samples.count");
    web__page_raw(p, " ");
    web__page_int(p, total);
    web__page_raw(p, "</p>\n");
    const json_t *arr = json_object_get(pg, "samples");
    if (!json_array_size(arr)) {
        web__page_raw(p, "<p id=\"no-results\">");
        web__page_t(p, "samples.no_match");
        web__page_raw(p, "</p>\n");
    } else {
        web__page_raw(p, "<ol id=\"sample-list\" class=\"samples\">\n");
        for (size_t i = 0; i < json_array_size(arr); i++)
            sample_item(p, json_array_get(arr, i));
        web__page_raw(p, "</ol>\n");
    }
    pager(p, id,
          (long long)json_integer_value(json_object_get(pg, "page")),
          (long long)json_integer_value(json_object_get(pg, "pages")));
}

/* The run's stored JSON, or NULL with the error page sent. */
static json_t *load_run(web_page *p, const char *id)
{
    char *body = NULL;
    size_t len = 0;
    int64_t index;
    osafe_err e;
    int rc = reg_evaluation_get(p->reg, id, &body, &len, &index, &e);
    json_t *doc = rc ? NULL : json_loadb(body, len, 0, NULL);
    free(body);
    if (!doc) {
        /* withdrawn (ESTATE): gone, as the run's page is */
        int gone = rc == OSAFE_ENOTFOUND || rc == OSAFE_ESTATE;
        web__page_error(p, gone ? 404 : 500,
                        gone ? "error.not_found" : "error.internal");
    }
    return doc;
}

static void head(web_page *p, const char *id, const json_t *doc)
{
    const char *model = web__json_str(
        json_object_get(json_object_get(doc, "manifest"), "params"), "model");
    char title[256];
    snprintf(title, sizeof title, "%s \xE2\x80\x94 %s",
             web__t(p, "samples.of"), model ? model : id);
    web__page_begin(p, title, "nav.evals");
    web__page_raw(p, "<article id=\"samples\" data-id=\"");
    web__page_text(p, id);
    web__page_raw(p, "\"><h1>");
    web__page_t(p, "samples.of");
    web__page_raw(p, " <span dir=\"auto\">");
    web__page_text(p, model ? model : "");
    web__page_raw(p, "</span></h1>\n<p class=\"muted\"><span dir=\"ltr\">");
    web__page_text(p, id);
    web__page_raw(p, "</span> \xC2\xB7 <a href=\"/evals/");
    web__page_text(p, id);
    web__page_raw(p, "\">");
    web__page_t(p, "samples.back");
    web__page_raw(p, "</a></p>\n<p class=\"warn\" id=\"content-warning\" "
                     "role=\"note\"><strong>");
    web__page_t(p, "samples.warning.title");
    web__page_raw(p, "</strong> ");
    web__page_t(p, "samples.warning");
    web__page_raw(p, "</p>\n");
}

void web__page_samples(web_page *p, const char *id)
{
    json_t *doc = load_run(p, id);
    if (!doc)
        return;
    store_sample_filter f;
    long long page, per;
    const char *param;
    char why[96], *out = NULL;
    osafe_err e;
    int bad = api__sample_filter(p->req, &f, &page, &per, &param, why,
                                 sizeof why);
    int rc = bad ? OSAFE_EINVAL
                 : reg_evaluation_samples(p->reg, id, &f, (int)page,
                                          (int)per, &out, &e);
    json_t *pg = rc ? NULL : json_loads(out, 0, NULL);
    free(out);
    head(p, id, doc);
    filter_form(p, id, doc);
    if (rc || !pg) {
        web__page_raw(p, "<p id=\"list-error\" class=\"error\" "
                         "role=\"alert\">");
        web__page_t(p, rc == OSAFE_EINVAL ? "samples.bad_filter"
                                          : "error.internal");
        web__page_raw(p, "</p>\n");
        web__page_status(p, rc == OSAFE_EINVAL ? 400 : 500);
    } else {
        list(p, id, pg);
    }
    web__page_raw(p, "</article>\n");
    json_decref(pg);
    json_decref(doc);
    web__page_end(p, NULL);
}
