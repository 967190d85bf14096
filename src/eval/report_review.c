/*
 * report_review.c - the human review section of the HTML report
 * (`osafe eval report RUNDIR --html FILE --reviews REVIEWS.json`, issue
 * 15): the automatic and the human-corrected refusal figures side by side,
 * from the labels people gave on the registry (the document of GET
 * /api/v1/evaluations/{id}/reviews).
 */
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "eval/review.h"

static int known_label(const char *l)
{
    return l && (!strcmp(l, "full_compliance") || !strcmp(l, "full_refusal") ||
                 !strcmp(l, "partial_refusal"));
}

/* The reviews document must be one, and fit this run: labels of more
 * samples than the run marked needs_review are another run's. */
static int check_reviews(const json_t *results, const json_t *reviews,
                         osafe_err *e)
{
    const json_t *counts = json_object_get(reviews, "counts");
    if (!json_is_array(counts))
        return osafe_errf(e, OSAFE_EINVAL, "--reviews: not a reviews "
                          "document (GET /api/v1/evaluations/{id}/reviews): "
                          "no 'counts' array");
    json_int_t total = 0;
    size_t i;
    const json_t *c;
    json_array_foreach(counts, i, c)
    {
        const json_t *n = json_object_get(c, "n");
        if (!json_is_string(json_object_get(c, "expected")) ||
            !json_is_string(json_object_get(c, "automatic")) ||
            !known_label(json_string_value(json_object_get(c, "label"))) ||
            !json_is_integer(n) || json_integer_value(n) < 0 ||
            json_integer_value(n) > OSAFE_EVAL_PUB_COUNT_MAX)
            return osafe_errf(e, OSAFE_EINVAL, "--reviews: counts[%zu]: "
                              "needs expected, automatic, a label "
                              "(full_compliance, full_refusal, "
                              "partial_refusal) and a count n", i);
        total += json_integer_value(n);
    }
    json_int_t needs = json_integer_value(json_object_get(results,
                                                          "needs_review"));
    if (total > needs)
        return osafe_errf(e, OSAFE_EINVAL, "--reviews: %lld samples "
                          "labelled, but this run marked only %lld "
                          "needs_review: the labels are another run's",
                          (long long)total, (long long)needs);
    return 0;
}

static void rate(osafe_buf *o, const json_t *g)
{
    const json_t *r = json_object_get(g, "rate");
    const json_t *lo = json_object_get(g, "lo"), *hi = json_object_get(g, "hi");
    if (!json_is_number(r)) {
        OSAFE_IGNORE(buf_puts(o, "n/a")); /* buf_status is checked once */
        return;
    }
    OSAFE_IGNORE(buf_printf(o, "%.1f%%", 100 * json_number_value(r)));
    if (json_is_number(lo) && json_is_number(hi))
        OSAFE_IGNORE(buf_printf(o, " [%.1f%% \xE2\x80\x93 %.1f%%]",
                                100 * json_number_value(lo),
                                100 * json_number_value(hi)));
}

static void section(osafe_buf *o, const json_t *results, const json_t *fig)
{
    static const char *const ms[][2] = {
        {"unsafe_compliance", "Unsafe compliance (lower is better)"},
        {"over_refusal", "Over-refusal (lower is better)"}};
    OSAFE_IGNORE(buf_printf(
        o,
        "<section id=\"human-review\"><h2>Human review</h2><p>People "
        "labelled %lld of the %lld samples the classifier was unsure of "
        "(needs_review); %lld of their labels differ from the "
        "classifier's. The corrected figure takes the person's label "
        "instead of the classifier's on those samples; its interval is "
        "Wilson's 95%% over the same samples.</p><div class=\"scroll\">"
        "<table><thead><tr><th scope=\"col\">figure</th><th scope=\"col\">"
        "automatic (classifier)</th><th scope=\"col\">corrected by people"
        "</th><th scope=\"col\">labelled</th></tr></thead><tbody>",
        (long long)json_integer_value(json_object_get(fig, "labelled")),
        (long long)json_integer_value(json_object_get(results,
                                                      "needs_review")),
        (long long)json_integer_value(json_object_get(fig, "changed"))));
    for (size_t i = 0; i < 2; i++) {
        const json_t *g = json_object_get(fig, ms[i][0]);
        OSAFE_IGNORE(buf_printf(o, "<tr data-figure=\"%s\"><th scope=\"row\">"
                                   "%s</th><td class=\"num\">",
                                ms[i][0], ms[i][1]));
        rate(o, json_object_get(g, "automatic"));
        OSAFE_IGNORE(buf_puts(o, "</td><td class=\"num\">"));
        rate(o, json_object_get(g, "corrected"));
        OSAFE_IGNORE(buf_printf(o, "</td><td class=\"num\">%lld</td></tr>",
                                (long long)json_integer_value(
                                    json_object_get(g, "labelled"))));
    }
    OSAFE_IGNORE(buf_puts(o, "</tbody></table></div></section>"));
}

int eval_report_reviews(osafe_buf *html, const json_t *results,
                        const json_t *reviews, osafe_err *e)
{
    json_t *fig = NULL;
    int rc = check_reviews(results, reviews, e);
    if (!rc)
        rc = eval_review_figures(results, json_object_get(reviews, "counts"),
                                 &fig, e);
    /* the report's sections end where its footer begins */
    const char *foot = NULL;
    for (const char *p = html->data; p && (p = strstr(p, "<footer>")); p++)
        foot = p;
    if (!rc && !foot)
        rc = osafe_errf(e, OSAFE_EINVAL, "the report has no footer to put "
                                         "the review section before");
    osafe_buf sec = OSAFE_BUF_INIT;
    if (!rc) {
        section(&sec, results, fig);
        size_t at = (size_t)(foot - html->data);
        size_t tail = html->len - at;
        char *rest = malloc(tail + 1);
        if (!rest || (rc = buf_status(&sec))) {
            rc = rc ? rc : OSAFE_ENOMEM;
        } else {
            memcpy(rest, foot, tail);
            html->len = at;
            html->data[at] = '\0';
            rc = buf_append(html, sec.data, sec.len);
            if (!rc)
                rc = buf_append(html, rest, tail);
        }
        free(rest);
        if (rc)
            rc = osafe_errf(e, rc, "report: %s", osafe_strerror(rc));
    }
    buf_release(&sec);
    json_decref(fig);
    return rc;
}
