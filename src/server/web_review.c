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
    const char *id = web__json_str(it, "id");
    const json_t *rec = json_object_get(it, "record");
    if (!id)
        return;
    web__page_raw(p, "<article class=\"review-item card\" data-id=\"");
    web__page_text(p, id);
    web__page_raw(p, "\"><h2><a href=\"/incidents/");
    web__page_urlenc(p, id);
    web__page_raw(p, "\">");
    web__record_title(p, rec);
    web__page_raw(p, "</a> <small dir=\"ltr\">");
    web__page_text(p, id);
    web__page_raw(p, "</small></h2><p>");
    web__enum_label(p, "severity",
                   web__json_str(json_object_get(rec, "severity"), "level"));
    web__page_raw(p, " \xc2\xb7 ");
    web__enum_label(p, "tlp", web__json_str(it, "tlp"));
    const char *d = web__json_str(json_object_get(rec, "occurred_start"), "date");
    if (d) {
        web__page_raw(p, " \xc2\xb7 ");
        web__page_date(p, d);
    }
    web__page_raw(p, "</p>");
    const json_t *d0 = json_array_get(json_object_get(rec, "description"), 0);
    const char *text = web__json_str(d0, "text");
    if (text) {
        web__page_raw(p, "<p class=\"excerpt\">");
        web__page_text_lang(p, text, web__json_str(d0, "lang"));
        web__page_raw(p, "</p>");
    }
    web__page_raw(p, "<form class=\"review-form stack\" method=\"post\" "
                "action=\"/review\" id=\"review-");
    web__page_text(p, id);
    web__page_raw(p, "\">");
    web__page_csrf_field(p);
    web__page_raw(p, "<input type=\"hidden\" name=\"id\" value=\"");
    web__page_text(p, id);
    web__page_raw(p, "\"><div class=\"field\"><label for=\"reason-");
    web__page_text(p, id);
    web__page_raw(p, "\">");
    web__page_t(p, "review.reason");
    web__page_raw(p, "</label><textarea name=\"reason\" rows=\"2\" id=\"reason-");
    web__page_text(p, id);
    web__page_raw(p, "\" dir=\"auto\"></textarea></div><div class=\"actions\">");
    for (const char *const *x = decisions; *x; x++) {
        web__page_rawf(p, "<button type=\"submit\" name=\"decision\" value=\"%s\"%s>",
                  *x, !strcmp(*x, "accept") ? " class=\"primary\"" : "");
        char key[32];
        snprintf(key, sizeof key, "review.%s", *x);
        web__page_t(p, key);
        web__page_raw(p, "</button> ");
    }
    web__page_raw(p, "</div></form></article>\n");
}

static void queue(web_page *p, const char *done_id, const char *done_dec,
                  const char *error)
{
    store_filter f;
    memset(&f, 0, sizeof f);
    f.state = "submitted";
    f.cursor = web__page_query(p, "cursor");
    f.limit = OSAFE_WEB_LIST_LIMIT;
    char *out = NULL;
    osafe_err e;
    int rc = reg_list(p->reg, &p->caller, &f, &out, &e);
    json_t *doc = rc ? NULL : json_loads(out, 0, NULL);
    free(out);
    web__page_begin(p, web__t(p, "review.title"), "nav.review");
    web__page_raw(p, "<h1>");
    web__page_t(p, "review.title");
    web__page_raw(p, "</h1>\n");
    if (done_id) {
        web__page_raw(p, "<p id=\"review-done\" class=\"notice\" role=\"status\" "
                    "data-id=\"");
        web__page_text(p, done_id);
        web__page_raw(p, "\" data-decision=\"");
        web__page_text(p, done_dec);
        web__page_raw(p, "\">");
        char key[40];
        snprintf(key, sizeof key, "review.done_%s", done_dec);
        web__page_t(p, key);
        web__page_raw(p, " <a href=\"/incidents/");
        web__page_urlenc(p, done_id);
        web__page_raw(p, "\" dir=\"ltr\">");
        web__page_text(p, done_id);
        web__page_raw(p, "</a></p>\n");
    }
    if (error) {
        web__page_raw(p, "<p id=\"review-error\" class=\"error\" role=\"alert\">");
        web__page_text(p, error);
        web__page_raw(p, "</p>\n");
    }
    web__page_raw(p, "<section id=\"review-queue\" aria-labelledby=\"q-h\">"
                "<h2 id=\"q-h\" class=\"visually-hidden\">");
    web__page_t(p, "review.queue");
    web__page_raw(p, "</h2>\n");
    const json_t *records = json_object_get(doc, "records");
    if (rc) {
        web__page_raw(p, "<p class=\"error\" role=\"alert\">");
        web__page_t(p, "error.internal");
        web__page_raw(p, "</p>");
    } else if (!json_array_size(records)) {
        web__page_raw(p, "<p id=\"queue-empty\">");
        web__page_t(p, "review.empty");
        web__page_raw(p, "</p>");
    } else {
        size_t i;
        json_t *it;
        json_array_foreach(records, i, it) item(p, it);
    }
    const char *next = web__json_str(doc, "next_cursor");
    if (next && *next) {
        web__page_raw(p, "<p><a id=\"next-page\" rel=\"next\" href=\"/review?cursor=");
        web__page_urlenc(p, next);
        web__page_raw(p, "\">");
        web__page_t(p, "incidents.next");
        web__page_raw(p, "</a></p>");
    }
    web__page_raw(p, "</section>\n");
    json_decref(doc);
    web__page_end(p, NULL);
}

void web__page_review(web_page *p)
{
    if (!p->logged_in)
        return web__page_error(p, 401, "review.login_needed");
    if (!is_reviewer(p))
        return web__page_error(p, 403, "review.reviewers_only");
    if (!p->is_post) {
        const char *done = web__page_query(p, "done");
        const char *dec = web__page_query(p, "decision");
        if (done && known_decision(dec))
            return queue(p, done, dec, NULL);
        return queue(p, NULL, NULL, NULL);
    }
    if (!web__page_csrf_ok(p))
        return;
    const char *id = web__page_form(p, "id");
    const char *dec = web__page_form(p, "decision");
    const char *reason = web__page_form(p, "reason");
    if (!id || !*id || !known_decision(dec)) {
        web__page_status(p, 400);
        return queue(p, NULL, NULL, web__t(p, "review.bad_request"));
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
        web__page_status(p, rc == OSAFE_EINVAL   ? 422
                       : rc == OSAFE_ESTATE ? 409
                       : rc == OSAFE_EPERM  ? 403
                       : rc == OSAFE_ENOTFOUND ? 404
                                               : 500);
        return queue(p, NULL, NULL,
                     rc == OSAFE_ENOMEM || rc == OSAFE_EIO
                         ? web__t(p, "error.internal")
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
    web__page_redirect(p, loc);
}
