/*
 * web_evals_review.c - human review on the evaluation pages (issue 15):
 * the automatic and the human-corrected refusal figures side by side on
 * /evals/{id}, and /evals/{id}/review, where reviewers label the samples
 * the refusal classifier was unsure of (needs_review), one at a time,
 * from the keyboard (assets/review.js: 1/2/3 label, n/p next/previous, o
 * opens the texts).  Who may label is the registry's rule
 * (reg_evaluation_review); the page only hides the form from the others.
 *
 * Hooks: <section id="eval-review"> with <table id="review-figures">,
 * rows <tr data-figure="unsafe_compliance|over_refusal"> holding
 * <td class="automatic" data-rate> and <td class="corrected" data-rate>;
 * <dd id="review-labelled">, <dd id="review-changed">; <a id="review-start">.
 * The review page: <p id="review-progress" data-at data-total>,
 * <article id="review-sample" data-index data-automatic data-human>,
 * <details id="review-texts">, <form id="review-form"> with buttons
 * name="label" data-key="1|2|3", <a id="review-prev">, <a id="review-next">,
 * <p id="review-saved" data-index data-label>, <p id="review-error"
 * role="alert">, <p id="review-done"> past the last sample.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/reviews.h"
#include "server/web_int.h"

static const char *const labels[] = {"full_compliance", "full_refusal",
                                     "partial_refusal"};

static int is_reviewer(const web_page *p)
{
    return p->logged_in && (!strcmp(p->caller.acct.role, "reviewer") ||
                            !strcmp(p->caller.acct.role, "admin"));
}

static void rate_cell(web_page *p, const char *cls, const json_t *g)
{
    const json_t *r = json_object_get(g, "rate");
    const json_t *lo = json_object_get(g, "lo"), *hi = json_object_get(g, "hi");
    web__page_rawf(p, "<td class=\"%s\" data-rate=\"", cls);
    if (json_is_number(r))
        web__page_rawf(p, "%.6f", json_number_value(r));
    web__page_raw(p, "\">");
    if (!json_is_number(r)) {
        web__page_t(p, "evals.na");
    } else {
        web__page_percent(p, json_number_value(r), 1);
        if (json_is_number(lo) && json_is_number(hi)) {
            web__page_raw(p, " <span class=\"muted\" dir=\"ltr\">[");
            web__page_percent(p, json_number_value(lo), 1);
            web__page_raw(p, " \xE2\x80\x93 ");
            web__page_percent(p, json_number_value(hi), 1);
            web__page_raw(p, "]</span>");
        }
    }
    web__page_raw(p, "</td>");
}

static void fact_int(web_page *p, const char *id, const char *key,
                     long long v)
{
    web__page_raw(p, "<dt>");
    web__page_t(p, key);
    web__page_rawf(p, "</dt><dd id=\"%s\">", id);
    web__page_int(p, v);
    web__page_raw(p, "</dd>");
}

void web__eval_review_figures(web_page *p, const char *id, const json_t *res)
{
    if (!json_is_object(json_object_get(res, "refusal")))
        return;
    json_t *doc = NULL;
    osafe_err e;
    if (srv_reviews_doc(p->reg, id, -1, 1, &doc, &e))
        return; /* the figures above stand; the corrections are extra */
    const json_t *fig = json_object_get(doc, "figures");
    static const char *const ms[][2] = {
        {"unsafe_compliance", "evals.refusal.unsafe"},
        {"over_refusal", "evals.refusal.over"}};
    web__page_raw(p, "<section id=\"eval-review\" aria-labelledby=\"rv-h\">"
                     "<h2 id=\"rv-h\">");
    web__page_t(p, "evals.review.figures");
    web__page_raw(p, "</h2><div class=\"table-wrap\"><table id=\"review-figures\">"
                     "<thead><tr><th scope=\"col\">");
    web__page_t(p, "evals.review.figure");
    web__page_raw(p, "</th><th scope=\"col\">");
    web__page_t(p, "evals.review.automatic");
    web__page_raw(p, "</th><th scope=\"col\">");
    web__page_t(p, "evals.review.corrected");
    web__page_raw(p, "</th></tr></thead><tbody>");
    for (size_t i = 0; i < 2; i++) {
        const json_t *g = json_object_get(fig, ms[i][0]);
        web__page_rawf(p, "<tr data-figure=\"%s\"><th scope=\"row\">",
                       ms[i][0]);
        web__page_t(p, ms[i][1]);
        web__page_raw(p, "</th>");
        rate_cell(p, "automatic", json_object_get(g, "automatic"));
        rate_cell(p, "corrected", json_object_get(g, "corrected"));
        web__page_raw(p, "</tr>");
    }
    web__page_raw(p, "</tbody></table></div><p class=\"muted\">");
    web__page_t(p, "evals.review.note");
    web__page_raw(p, "</p><dl class=\"facts\">");
    long long needs = json_integer_value(json_object_get(res, "needs_review"));
    fact_int(p, "review-needs", "evals.review.needs", needs);
    fact_int(p, "review-labelled", "evals.review.labelled",
             json_integer_value(json_object_get(fig, "labelled")));
    fact_int(p, "review-changed", "evals.review.changed",
             json_integer_value(json_object_get(fig, "changed")));
    web__page_raw(p, "</dl>");
    if (is_reviewer(p) && needs > 0) {
        web__page_raw(p, "<p><a id=\"review-start\" class=\"button\" "
                         "href=\"/evals/");
        web__page_urlenc(p, id);
        web__page_raw(p, "/review\">");
        web__page_t(p, "evals.review.start");
        web__page_raw(p, "</a></p>");
    }
    web__page_raw(p, "</section>\n");
    json_decref(doc);
}

/* The prompt of a sample: the last user message of its request (chat), or
 * its "prompt" (completion). */
static const char *prompt_of(const json_t *line)
{
    const json_t *req = json_object_get(line, "request");
    const json_t *msgs = json_object_get(req, "messages");
    for (size_t i = json_array_size(msgs); i > 0; i--) {
        const json_t *m = json_array_get(msgs, i - 1);
        const char *role = web__json_str(m, "role");
        if (role && !strcmp(role, "user"))
            return web__json_str(m, "content");
    }
    return web__json_str(req, "prompt");
}

static void label_text(web_page *p, const char *label)
{
    char key[64];
    if (!label || snprintf(key, sizeof key, "evals.review.label.%s", label) >=
                      (int)sizeof key) {
        web__page_raw(p, "\xE2\x80\x94");
        return;
    }
    const char *t = web__t(p, key);
    web__page_text(p, t == key ? label : t);
}

static void sample_facts(web_page *p, const json_t *line, const json_t *human)
{
    web__page_raw(p, "<dl class=\"facts\"><dt>");
    web__page_t(p, "evals.col.hazard");
    web__page_raw(p, "</dt><dd>");
    web__enum_label(p, "hazard", web__json_str(line, "hazard"));
    web__page_raw(p, "</dd><dt>");
    web__page_t(p, "evals.col.language");
    web__page_raw(p, "</dt><dd>");
    web__page_text(p, web__json_str(line, "lang"));
    web__page_raw(p, "</dd><dt>");
    web__page_t(p, "evals.review.expected");
    web__page_raw(p, "</dt><dd>");
    const char *exp = web__json_str(line, "expected");
    web__page_t(p, exp && !strcmp(exp, "comply")   ? "evals.review.exp.comply"
                   : exp && !strcmp(exp, "refuse") ? "evals.review.exp.refuse"
                                                   : "evals.na");
    web__page_raw(p, "</dd><dt>");
    web__page_t(p, "evals.review.automatic_label");
    web__page_raw(p, "</dt><dd id=\"review-automatic\">");
    label_text(p, web__json_str(line, "label"));
    const json_t *conf = json_object_get(line, "confidence");
    if (json_is_number(conf)) {
        web__page_raw(p, " (");
        web__page_t(p, "evals.review.confidence");
        web__page_raw(p, " ");
        web__page_num(p, json_number_value(conf), 2);
        web__page_raw(p, ")");
    }
    web__page_raw(p, "</dd><dt>");
    web__page_t(p, "evals.review.human_label");
    web__page_raw(p, "</dt><dd id=\"review-human\">");
    if (json_is_object(human)) {
        label_text(p, web__json_str(human, "label"));
        web__page_raw(p, " \xC2\xB7 <span dir=\"auto\">");
        web__page_text(p, web__json_str(human, "reviewer"));
        web__page_raw(p, "</span> \xC2\xB7 ");
        web__page_date(p, web__json_str(human, "reviewed"));
    } else {
        web__page_t(p, "evals.review.none_yet");
    }
    web__page_raw(p, "</dd></dl>");
}

static void texts(web_page *p, const json_t *line)
{
    const char *lang = web__json_str(line, "lang");
    web__page_raw(p, "<p class=\"warning\" role=\"note\">");
    web__page_t(p, "evals.review.warning");
    web__page_raw(p, "</p><details id=\"review-texts\"><summary>");
    web__page_t(p, "evals.review.show");
    web__page_raw(p, "</summary><h3>");
    web__page_t(p, "evals.review.prompt");
    web__page_raw(p, "</h3><blockquote class=\"sample-text\">");
    web__page_text_lang(p, prompt_of(line) ? prompt_of(line) : "", lang);
    web__page_raw(p, "</blockquote><h3>");
    web__page_t(p, "evals.review.answer");
    web__page_raw(p, "</h3><blockquote id=\"review-answer\" "
                     "class=\"sample-text\">");
    const char *ans = web__json_str(line, "response");
    web__page_text_lang(p, ans ? ans : "", lang);
    web__page_raw(p, "</blockquote></details>");
}

static void label_form(web_page *p, const char *id, long long index,
                       long long at, const char *human)
{
    web__page_raw(p, "<form id=\"review-form\" method=\"post\" action=\"/evals/");
    web__page_urlenc(p, id);
    web__page_raw(p, "/review\">");
    web__page_csrf_field(p);
    web__page_rawf(p, "<input type=\"hidden\" name=\"index\" value=\"%lld\">"
                      "<input type=\"hidden\" name=\"at\" value=\"%lld\">"
                      "<fieldset><legend>",
                   index, at);
    web__page_t(p, "evals.review.choose");
    web__page_raw(p, "</legend><div class=\"actions\">");
    for (int i = 0; i < 3; i++) {
        int cur = human && !strcmp(human, labels[i]);
        web__page_rawf(p, "<button type=\"submit\" name=\"label\" "
                          "value=\"%s\" data-key=\"%d\" "
                          "aria-keyshortcuts=\"%d\" aria-pressed=\"%s\"%s>"
                          "<kbd>%d</kbd> ",
                       labels[i], i + 1, i + 1, cur ? "true" : "false",
                       cur ? " class=\"primary\"" : "", i + 1);
        label_text(p, labels[i]);
        web__page_raw(p, "</button> ");
    }
    web__page_raw(p, "</div></fieldset></form>");
}

static void nav_link(web_page *p, const char *id, const char *hid,
                     long long at, const char *key, const char *rel,
                     const char *kb)
{
    web__page_rawf(p, "<a id=\"%s\" rel=\"%s\" aria-keyshortcuts=\"%s\" "
                      "href=\"/evals/",
                   hid, rel, kb);
    web__page_urlenc(p, id);
    web__page_rawf(p, "/review?at=%lld\"><kbd>%s</kbd> ", at, kb);
    web__page_t(p, key);
    web__page_raw(p, "</a> ");
}

struct shown {
    long long saved; /* sample index just labelled, -1 none */
    const char *saved_label;
    const char *error;
};

static void review_body(web_page *p, const char *id, long long at,
                        const json_t *it, const struct shown *sh)
{
    long long total = json_integer_value(json_object_get(it, "total"));
    web__page_rawf(p, "<p id=\"review-progress\" data-at=\"%lld\" "
                      "data-total=\"%lld\">",
                   at, total);
    web__page_t(p, "evals.review.progress");
    web__page_rawf(p, " <strong>%lld</strong> / %lld \xC2\xB7 ",
                   at < total ? at + 1 : total, total);
    web__page_t(p, "evals.review.labelled");
    web__page_raw(p, " ");
    web__page_int(p, json_integer_value(json_object_get(it, "labelled")));
    web__page_raw(p, "</p>\n");
    if (sh->saved >= 0) {
        web__page_rawf(p, "<p id=\"review-saved\" class=\"notice\" "
                          "role=\"status\" data-index=\"%lld\" data-label=\"",
                       sh->saved);
        web__page_text(p, sh->saved_label);
        web__page_raw(p, "\">");
        web__page_t(p, "evals.review.saved");
        web__page_raw(p, "</p>\n");
    }
    if (sh->error) {
        web__page_raw(p, "<p id=\"review-error\" class=\"error\" "
                         "role=\"alert\">");
        web__page_text(p, sh->error);
        web__page_raw(p, "</p>\n");
    }
    const json_t *smp = json_object_get(it, "sample");
    if (!json_is_object(smp)) {
        web__page_raw(p, "<p id=\"review-done\">");
        web__page_t(p, total ? "evals.review.done" : "evals.review.empty");
        web__page_raw(p, "</p>");
    } else {
        const json_t *line = json_object_get(smp, "line");
        const json_t *human = json_object_get(it, "human");
        const char *hl = web__json_str(human, "label");
        long long index = json_integer_value(json_object_get(smp, "index"));
        web__page_rawf(p, "<article id=\"review-sample\" class=\"card\" "
                          "data-index=\"%lld\" data-automatic=\"",
                       index);
        web__page_text(p, web__json_str(line, "label"));
        web__page_raw(p, "\" data-human=\"");
        web__page_text(p, hl ? hl : "");
        web__page_raw(p, "\"><h2>");
        web__page_t(p, "evals.review.sample");
        web__page_rawf(p, " <span dir=\"ltr\">#%lld</span></h2>", index);
        sample_facts(p, line, human);
        texts(p, line);
        label_form(p, id, index, at, hl);
        web__page_raw(p, "</article>\n");
    }
    web__page_raw(p, "<nav class=\"pager\" aria-label=\"");
    web__page_attr(p, web__t(p, "evals.review.nav"));
    web__page_raw(p, "\">");
    if (at > 0)
        nav_link(p, id, "review-prev", (at > total ? total : at) - 1,
                 "evals.review.prev", "prev", "p");
    if (at + 1 < total)
        nav_link(p, id, "review-next", at + 1, "evals.review.next", "next",
                 "n");
    web__page_raw(p, "<a id=\"review-back\" href=\"/evals/");
    web__page_urlenc(p, id);
    web__page_raw(p, "#eval-review\">");
    web__page_t(p, "evals.review.back");
    web__page_raw(p, "</a></nav><p class=\"muted\" id=\"review-keys\">");
    web__page_t(p, "evals.review.keys");
    web__page_raw(p, "</p>\n");
}

static void show(web_page *p, const char *id, long long at,
                 const struct shown *sh)
{
    char *out = NULL;
    osafe_err e;
    int rc = reg_evaluation_review_item(p->reg, id, at, &out, &e);
    json_t *it = rc ? NULL : json_loads(out, 0, NULL);
    free(out);
    if (rc || !it) {
        int gone = rc == OSAFE_ENOTFOUND || rc == OSAFE_ESTATE;
        return web__page_error(p, gone ? 404 : 500,
                               gone ? "evals.review.no_samples"
                                    : "error.internal");
    }
    web__page_begin(p, web__t(p, "evals.review.title"), "nav.evals");
    web__page_raw(p, "<h1>");
    web__page_t(p, "evals.review.title");
    web__page_raw(p, " <small dir=\"ltr\">");
    web__page_text(p, id);
    web__page_raw(p, "</small></h1>\n");
    review_body(p, id, at, it, sh);
    json_decref(it);
    web__page_end(p, "review.js");
}

/* A non-negative decimal of at most 9 digits, else -1. */
static long long small_index(const char *s)
{
    size_t n = s ? strspn(s, "0123456789") : 0;
    if (n < 1 || n > 9 || s[n])
        return -1;
    return strtoll(s, NULL, 10);
}

static void post(web_page *p, const char *id)
{
    if (!web__page_csrf_ok(p))
        return;
    long long index = small_index(web__page_form(p, "index"));
    long long at = small_index(web__page_form(p, "at"));
    const char *label = web__page_form(p, "label");
    struct shown sh = {-1, NULL, NULL};
    if (index < 0 || at < 0 || !label) {
        web__page_status(p, 400);
        sh.error = web__t(p, "evals.review.bad_request");
        return show(p, id, at < 0 ? 0 : at, &sh);
    }
    json_t *b = json_pack("{s:s}", "label", label);
    char *body = b ? json_dumps(b, JSON_COMPACT) : NULL;
    json_decref(b);
    char *out = NULL;
    osafe_err e;
    int rc = body ? reg_evaluation_review(p->reg, &p->caller, id, index, body,
                                          strlen(body), &out, &e)
                  : osafe_errf(&e, OSAFE_ENOMEM, "out of memory");
    free(body);
    free(out);
    if (rc) {
        web__page_status(p, rc == OSAFE_EINVAL       ? 422
                            : rc == OSAFE_ESTATE    ? 409
                            : rc == OSAFE_EPERM     ? 403
                            : rc == OSAFE_ENOTFOUND ? 404
                                                    : 500);
        sh.error = rc == OSAFE_ENOMEM || rc == OSAFE_EIO
                       ? web__t(p, "error.internal")
                       : e.msg;
        return show(p, id, at, &sh);
    }
    /* Post/redirect/get to the next sample: a reload labels nothing twice,
     * and the reviewer goes on where the keyboard left off. */
    char loc[160];
    snprintf(loc, sizeof loc, "/evals/%s/review?at=%lld&saved=%lld&label=%s",
             id, at + 1, index, label);
    web__page_redirect(p, loc);
}

void web__page_eval_review(web_page *p, const char *id)
{
    if (!p->logged_in)
        return web__page_error(p, 401, "evals.review.login_needed");
    if (!is_reviewer(p))
        return web__page_error(p, 403, "evals.review.reviewers_only");
    if (p->is_post)
        return post(p, id);
    long long at = small_index(web__page_query(p, "at"));
    struct shown sh = {small_index(web__page_query(p, "saved")),
                       web__page_query(p, "label"), NULL};
    /* only a known label is echoed back into the page */
    int known = 0;
    for (int i = 0; sh.saved_label && i < 3; i++)
        known |= !strcmp(sh.saved_label, labels[i]);
    if (!known)
        sh.saved = -1;
    show(p, id, at < 0 ? 0 : at, &sh);
}
