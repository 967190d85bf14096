/*
 * web_review.c - /review: the queue of submitted records for reviewers,
 * with accept / reject / request-changes (reg_review).  Who may review is
 * the registry's rule; the page only hides the queue from visitors the
 * registry would refuse anyway.
 *
 * Hooks: <section id="review-queue"> with one <article class="review-item"
 * data-id="ID"> per record, each holding <form class="review-form"
 * id="review-ID"> with a hidden "id", a textarea "reason" and buttons
 * name="decision" value="accept" | "reject" | "changes";
 * <p id="review-done" data-id data-decision> after a decision;
 * <p id="review-error" role="alert"> when one was refused; <p
 * id="queue-empty">.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "server/web_int.h"

static int is_reviewer(const web_page *p)
{
    return p->logged_in && (!strcmp(p->caller.acct.role, "reviewer") ||
                            !strcmp(p->caller.acct.role, "admin"));
}

static const char *const decisions[] = {"accept", "reject", "changes", NULL};

static int known_decision(const char *d)
{
    for (const char *const *x = decisions; *x; x++)
        if (d && !strcmp(d, *x))
            return 1;
    return 0;
}

static void item(web_page *p, const json_t *it)
{
    const char *id = web_json_str(it, "id");
    const json_t *rec = json_object_get(it, "record");
    if (!id)
        return;
    page_raw(p, "<article class=\"review-item card\" data-id=\"");
    page_text(p, id);
    page_raw(p, "\"><h2><a href=\"/incidents/");
    page_urlenc(p, id);
    page_raw(p, "\">");
    web_record_title(p, rec);
    page_raw(p, "</a> <small dir=\"ltr\">");
    page_text(p, id);
    page_raw(p, "</small></h2><p>");
    web_enum_label(p, "severity",
                   web_json_str(json_object_get(rec, "severity"), "level"));
    page_raw(p, " \xc2\xb7 ");
    web_enum_label(p, "tlp", web_json_str(it, "tlp"));
    const char *d = web_json_str(json_object_get(rec, "occurred_start"), "date");
    if (d) {
        page_raw(p, " \xc2\xb7 ");
        page_date(p, d);
    }
    page_raw(p, "</p>");
    const json_t *d0 = json_array_get(json_object_get(rec, "description"), 0);
    const char *text = web_json_str(d0, "text");
    if (text) {
        page_raw(p, "<p class=\"excerpt\">");
        page_text_lang(p, text, web_json_str(d0, "lang"));
        page_raw(p, "</p>");
    }
    page_raw(p, "<form class=\"review-form stack\" method=\"post\" "
                "action=\"/review\" id=\"review-");
    page_text(p, id);
    page_raw(p, "\">");
    page_csrf_field(p);
    page_raw(p, "<input type=\"hidden\" name=\"id\" value=\"");
    page_text(p, id);
    page_raw(p, "\"><div class=\"field\"><label for=\"reason-");
    page_text(p, id);
    page_raw(p, "\">");
    page_t(p, "review.reason");
    page_raw(p, "</label><textarea name=\"reason\" rows=\"2\" id=\"reason-");
    page_text(p, id);
    page_raw(p, "\" dir=\"auto\"></textarea></div><div class=\"actions\">");
    for (const char *const *x = decisions; *x; x++) {
        page_rawf(p, "<button type=\"submit\" name=\"decision\" value=\"%s\"%s>",
                  *x, !strcmp(*x, "accept") ? " class=\"primary\"" : "");
        char key[32];
        snprintf(key, sizeof key, "review.%s", *x);
        page_t(p, key);
        page_raw(p, "</button> ");
    }
    page_raw(p, "</div></form></article>\n");
}

static void queue(web_page *p, const char *done_id, const char *done_dec,
                  const char *error)
{
    store_filter f;
    memset(&f, 0, sizeof f);
    f.state = "submitted";
    f.cursor = page_query(p, "cursor");
    f.limit = OSAFE_WEB_LIST_LIMIT;
    char *out = NULL;
    osafe_err e;
    int rc = reg_list(p->reg, &p->caller, &f, &out, &e);
    json_t *doc = rc ? NULL : json_loads(out, 0, NULL);
    free(out);
    page_begin(p, T(p, "review.title"), "nav.review");
    page_raw(p, "<h1>");
    page_t(p, "review.title");
    page_raw(p, "</h1>\n");
    if (done_id) {
        page_raw(p, "<p id=\"review-done\" class=\"notice\" role=\"status\" "
                    "data-id=\"");
        page_text(p, done_id);
        page_raw(p, "\" data-decision=\"");
        page_text(p, done_dec);
        page_raw(p, "\">");
        char key[40];
        snprintf(key, sizeof key, "review.done_%s", done_dec);
        page_t(p, key);
        page_raw(p, " <a href=\"/incidents/");
        page_urlenc(p, done_id);
        page_raw(p, "\" dir=\"ltr\">");
        page_text(p, done_id);
        page_raw(p, "</a></p>\n");
    }
    if (error) {
        page_raw(p, "<p id=\"review-error\" class=\"error\" role=\"alert\">");
        page_text(p, error);
        page_raw(p, "</p>\n");
    }
    page_raw(p, "<section id=\"review-queue\" aria-labelledby=\"q-h\">"
                "<h2 id=\"q-h\" class=\"visually-hidden\">");
    page_t(p, "review.queue");
    page_raw(p, "</h2>\n");
    const json_t *records = json_object_get(doc, "records");
    if (rc) {
        page_raw(p, "<p class=\"error\" role=\"alert\">");
        page_t(p, "error.internal");
        page_raw(p, "</p>");
    } else if (!json_array_size(records)) {
        page_raw(p, "<p id=\"queue-empty\">");
        page_t(p, "review.empty");
        page_raw(p, "</p>");
    } else {
        size_t i;
        json_t *it;
        json_array_foreach(records, i, it) item(p, it);
    }
    const char *next = web_json_str(doc, "next_cursor");
    if (next && *next) {
        page_raw(p, "<p><a id=\"next-page\" rel=\"next\" href=\"/review?cursor=");
        page_urlenc(p, next);
        page_raw(p, "\">");
        page_t(p, "incidents.next");
        page_raw(p, "</a></p>");
    }
    page_raw(p, "</section>\n");
    json_decref(doc);
    page_end(p, NULL);
}

void page_review(web_page *p)
{
    if (!p->logged_in)
        return page_error(p, 401, "review.login_needed");
    if (!is_reviewer(p))
        return page_error(p, 403, "review.reviewers_only");
    if (!p->is_post) {
        const char *done = page_query(p, "done");
        const char *dec = page_query(p, "decision");
        if (done && known_decision(dec))
            return queue(p, done, dec, NULL);
        return queue(p, NULL, NULL, NULL);
    }
    if (!page_csrf_ok(p))
        return;
    const char *id = page_form(p, "id");
    const char *dec = page_form(p, "decision");
    const char *reason = page_form(p, "reason");
    if (!id || !*id || !known_decision(dec)) {
        page_status(p, 400);
        return queue(p, NULL, NULL, T(p, "review.bad_request"));
    }
    json_t *b = json_pack("{s:s}", "decision", dec);
    if (reason && *reason)
        json_object_set_new(b, "reason", json_string(reason));
    char *body = json_dumps(b, JSON_COMPACT);
    json_decref(b);
    char *out = NULL;
    osafe_err e;
    int rc = body ? reg_review(p->reg, &p->caller, id, body, strlen(body),
                               &out, &e)
                  : osafe_errf(&e, OSAFE_ENOMEM, "out of memory");
    free(body);
    free(out);
    if (rc) {
        page_status(p, rc == OSAFE_EINVAL   ? 422
                       : rc == OSAFE_ESTATE ? 409
                       : rc == OSAFE_EPERM  ? 403
                       : rc == OSAFE_ENOTFOUND ? 404
                                               : 500);
        return queue(p, NULL, NULL,
                     rc == OSAFE_ENOMEM || rc == OSAFE_EIO
                         ? T(p, "error.internal")
                         : e.msg);
    }
    /* Post/redirect/get, so a reload does not decide twice. */
    char loc[128];
    char safe[32];
    snprintf(safe, sizeof safe, "%s", id);
    for (char *s = safe; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_'))
            *s = '_';
    snprintf(loc, sizeof loc, "/review?done=%s&decision=%s", safe, dec);
    page_redirect(p, loc);
}
