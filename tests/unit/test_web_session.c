/*
 * test_web_session.c - logins, sessions and their cookies, CSRF on every
 * form, TLP visibility on the pages, the filing form's errors in place,
 * and the whole path from the form through the review queue to the public
 * list, over HTTP against the real binary (web_client.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "web_client.h"

/* ---- sessions, cookies, CSRF --------------------------------------------- */

static void test_login_cookie_flags(void **state)
{
    (void)state;
    api_reply r;
    web_get("/login", NULL, &r);
    char csrf[65];
    csrf_of(&r, csrf);
    assert_non_null(strstr(r.body.data, "id=\"login-form\""));
    assert_non_null(strstr(r.body.data, "<label for=\"token\">"));
    api_reply_release(&r);
    osafe_buf f = OSAFE_BUF_INIT;
    form_add(&f, "csrf", csrf);
    form_add(&f, "token", reporter);
    web_req("POST", "/login", NULL, f.data, &r);
    buf_release(&f);
    assert_int_equal(r.status, 303);
    char cookie[128], whole[512];
    assert_int_equal(session_cookie(&r, cookie, sizeof cookie, whole,
                                    sizeof whole),
                     0);
    assert_non_null(strstr(whole, "; HttpOnly"));
    assert_non_null(strstr(whole, "; SameSite=Strict"));
    assert_non_null(strstr(whole, "; Path=/"));
    assert_int_equal(strlen(cookie), strlen("osafe_session=") + 64);
    /* the token itself is never in a cookie */
    assert_null(strstr(whole, reporter));
    api_reply_release(&r);
    /* the session shows who is logged in */
    web_get("/", cookie, &r);
    assert_non_null(strstr(r.body.data, "data-role=\"reporter\""));
    assert_non_null(strstr(r.body.data, "id=\"logout-form\""));
    api_reply_release(&r);
    /* logout needs the CSRF token, then ends the session */
    web_req("POST", "/logout", &(hdrs){{NULL}}, "csrf=00", &r);
    assert_int_equal(r.status, 403);
    api_reply_release(&r);
    page_csrf("/", cookie, csrf);
    f = (osafe_buf)OSAFE_BUF_INIT;
    form_add(&f, "csrf", csrf);
    char ch[160];
    snprintf(ch, sizeof ch, "Cookie: %s", cookie);
    web_req("POST", "/logout", &(hdrs){{ch}}, f.data, &r);
    buf_release(&f);
    assert_int_equal(r.status, 303);
    char v[256];
    assert_non_null(api_hdr(&r, "Set-Cookie", v, sizeof v));
    assert_non_null(strstr(v, "Max-Age=0"));
    api_reply_release(&r);
    web_get("/", cookie, &r);
    assert_non_null(strstr(r.body.data, "data-role=\"anonymous\""));
    api_reply_release(&r);
    /* after logging in, back to the page that asked; never off the site */
    static const struct {
        const char *next, *want;
    } nexts[] = {{"/incidents/new", "/incidents/new"},
                 {"//evil.example/x", "/"},
                 {"/\\evil.example", "/"},
                 {"https://evil.example/", "/"},
                 {"", "/"}};
    for (size_t i = 0; i < sizeof nexts / sizeof nexts[0]; i++) {
        web_get("/login", NULL, &r);
        csrf_of(&r, csrf);
        api_reply_release(&r);
        f = (osafe_buf)OSAFE_BUF_INIT;
        form_add(&f, "csrf", csrf);
        form_add(&f, "token", reporter);
        form_add(&f, "next", nexts[i].next);
        web_req("POST", "/login", NULL, f.data, &r);
        buf_release(&f);
        assert_int_equal(r.status, 303);
        assert_non_null(api_hdr(&r, "Location", v, sizeof v));
        if (strcmp(v, nexts[i].want))
            fail_msg("next %zu: went to %s", i, v);
        api_reply_release(&r);
    }
    /* the 401 page links to the login with the way back */
    web_get("/incidents/new", NULL, &r);
    assert_int_equal(r.status, 401);
    assert_non_null(strstr(r.body.data, "href=\"/login?next=%2Fincidents%2Fnew\""));
    api_reply_release(&r);
    web_get("/login?next=%2Fincidents%2Fnew", NULL, &r);
    assert_non_null(strstr(r.body.data, "name=\"next\" value=\"/incidents/new\""));
    api_reply_release(&r);
    /* a made-up session id is anonymous */
    web_get("/review",
            "osafe_session=00000000000000000000000000000000000000000000000"
            "00000000000000000",
            &r);
    assert_int_equal(r.status, 401);
    api_reply_release(&r);
}

static void test_bad_token_error_in_place(void **state)
{
    (void)state;
    api_reply r;
    web_get("/login?lang=fr", NULL, &r);
    char csrf[65];
    csrf_of(&r, csrf);
    api_reply_release(&r);
    osafe_buf f = OSAFE_BUF_INIT;
    form_add(&f, "csrf", csrf);
    form_add(&f, "token", "not-a-real-token-0123456789");
    web_req("POST", "/login", NULL, f.data, &r);
    buf_release(&f);
    assert_int_equal(r.status, 401);
    assert_null(strstr(r.hdrs.data, "osafe_session="));
    assert_non_null(strstr(r.body.data, "id=\"login-error\""));
    assert_non_null(strstr(r.body.data, "aria-describedby=\"login-error\""));
    /* this client kept no cookie from ?lang=fr: English */
    assert_non_null(strstr(r.body.data, "<html lang=\"en\""));
    assert_null(strstr(r.body.data, "not-a-real-token"));
    api_reply_release(&r);
    /* no token at all */
    f = (osafe_buf)OSAFE_BUF_INIT;
    form_add(&f, "csrf", csrf);
    web_req("POST", "/login", &(hdrs){{"Cookie: osafe_lang=ru"}}, f.data, &r);
    buf_release(&f);
    assert_int_equal(r.status, 422);
    assert_non_null(strstr(r.body.data, "id=\"login-error\""));
    assert_non_null(strstr(r.body.data, "<html lang=\"ru\""));
    api_reply_release(&r);
}

/* A token pasted with the spaces and line break a terminal copy brings
 * logs in (it was refused); whitespace alone is still "required", and a
 * token with a space inside stays refused. */
static void test_login_pasted_token_trimmed(void **state)
{
    (void)state;
    api_reply r;
    web_get("/login", NULL, &r);
    char csrf[65];
    csrf_of(&r, csrf);
    api_reply_release(&r);
    char padded[256];
    snprintf(padded, sizeof padded, "  %s \r\n\t", reporter);
    osafe_buf f = OSAFE_BUF_INIT;
    form_add(&f, "csrf", csrf);
    form_add(&f, "token", padded);
    web_req("POST", "/login", NULL, f.data, &r);
    buf_release(&f);
    assert_int_equal(r.status, 303);
    assert_non_null(strstr(r.hdrs.data, "osafe_session="));
    api_reply_release(&r);
    f = (osafe_buf)OSAFE_BUF_INIT;
    form_add(&f, "csrf", csrf);
    form_add(&f, "token", " \n ");
    web_req("POST", "/login", NULL, f.data, &r);
    buf_release(&f);
    assert_int_equal(r.status, 422);
    api_reply_release(&r);
    char split[256];
    size_t half = strlen(reporter) / 2;
    snprintf(split, sizeof split, "%.*s %s", (int)half, reporter,
             reporter + half);
    f = (osafe_buf)OSAFE_BUF_INIT;
    form_add(&f, "csrf", csrf);
    form_add(&f, "token", split);
    web_req("POST", "/login", NULL, f.data, &r);
    buf_release(&f);
    assert_int_equal(r.status, 401);
    assert_null(strstr(r.hdrs.data, "osafe_session="));
    api_reply_release(&r);
}

static void test_csrf(void **state)
{
    (void)state;
    char cookie[128], csrf[65], ch[160];
    assert_int_equal(login(reviewer, cookie), 303);
    snprintf(ch, sizeof ch, "Cookie: %s", cookie);
    /* a record waiting for review */
    json_t *j = api_record("Waiting", NULL);
    char id[32];
    api_create(&S, reporter, j, id);
    json_decref(j);
    api_reply r;
    assert_int_equal(api_action(&S, reporter, id, "submit", NULL, &r), 200);
    api_reply_release(&r);
    page_csrf("/review", cookie, csrf);

    const char *bad[] = {NULL, "", "0000000000000000000000000000000000000000"
                                   "000000000000000000000000",
                         "short", NULL};
    for (int i = 0; i < 4; i++) {
        osafe_buf f = OSAFE_BUF_INIT;
        form_add(&f, "id", id);
        form_add(&f, "decision", "accept");
        if (i > 0 && bad[i])
            form_add(&f, "csrf", bad[i]);
        web_req("POST", "/review", &(hdrs){{ch}}, f.data, &r);
        buf_release(&f);
        if (r.status != 403)
            fail_msg("review POST with csrf case %d: %ld", i, r.status);
        api_reply_release(&r);
        assert_string_equal(state_of(id, reviewer), "submitted");
    }
    /* another session's token does not do either */
    char other[128], other_csrf[65];
    assert_int_equal(login(reviewer, other), 303);
    page_csrf("/review", other, other_csrf);
    assert_string_not_equal(other_csrf, csrf);
    osafe_buf f = OSAFE_BUF_INIT;
    form_add(&f, "csrf", other_csrf);
    form_add(&f, "id", id);
    form_add(&f, "decision", "accept");
    web_req("POST", "/review", &(hdrs){{ch}}, f.data, &r);
    assert_int_equal(r.status, 403);
    api_reply_release(&r);
    assert_string_equal(state_of(id, reviewer), "submitted");
    buf_release(&f);
    /* the right token from another site: refused by its Origin */
    f = (osafe_buf)OSAFE_BUF_INIT;
    form_add(&f, "csrf", csrf);
    form_add(&f, "id", id);
    form_add(&f, "decision", "reject");
    form_add(&f, "reason", "a test of the review form");
    web_req("POST", "/review",
            &(hdrs){{ch, "Origin: https://evil.example"}}, f.data, &r);
    assert_int_equal(r.status, 403);
    api_reply_release(&r);
    web_req("POST", "/review", &(hdrs){{ch, "Sec-Fetch-Site: cross-site"}},
            f.data, &r);
    assert_int_equal(r.status, 403);
    api_reply_release(&r);
    assert_string_equal(state_of(id, reviewer), "submitted");
    /* and the right token from this site works */
    char origin[96];
    snprintf(origin, sizeof origin, "Origin: %s", S.base);
    web_req("POST", "/review", &(hdrs){{ch, origin}}, f.data, &r);
    assert_int_equal(r.status, 303);
    api_reply_release(&r);
    buf_release(&f);
    assert_string_equal(state_of(id, reviewer), "rejected");
    /* the login form wants its token too */
    f = (osafe_buf)OSAFE_BUF_INIT;
    form_add(&f, "token", reporter);
    web_req("POST", "/login", NULL, f.data, &r);
    buf_release(&f);
    assert_int_equal(r.status, 403);
    assert_null(strstr(r.hdrs.data, "osafe_session="));
    api_reply_release(&r);
}

/* ---- visibility ---------------------------------------------------------- */

static int lists(const char *path, const char *cookie, const char *id)
{
    api_reply r;
    web_get(path, cookie, &r);
    assert_int_equal(r.status, 200);
    char row[64];
    snprintf(row, sizeof row, "<tr data-id=\"%s\">", id);
    int has = strstr(r.body.data, row) != NULL;
    api_reply_release(&r);
    return has;
}

static long detail_status(const char *id, const char *cookie)
{
    char path[96];
    snprintf(path, sizeof path, "/incidents/%s", id);
    api_reply r;
    web_get(path, cookie, &r);
    long st = r.status;
    api_reply_release(&r);
    return st;
}

static void test_anonymous_visibility(void **state)
{
    (void)state;
    assert_true(lists("/incidents", NULL, clear_id));
    assert_false(lists("/incidents", NULL, green_id));
    assert_false(lists("/incidents", NULL, amber_id));
    assert_true(lists("/", NULL, clear_id));
    assert_false(lists("/", NULL, green_id));
    assert_false(lists("/incidents?q=Community", NULL, green_id));
    assert_false(lists("/incidents?q=Organisation", NULL, amber_id));
    assert_int_equal(detail_status(clear_id, NULL), 200);
    assert_int_equal(detail_status(green_id, NULL), 404);
    assert_int_equal(detail_status(amber_id, NULL), 404);
    /* a reviewer sees all; a reporter of another organisation sees GREEN
     * but not AMBER: the API's rules, on the pages */
    char rev[128], oth[128];
    assert_int_equal(login(reviewer, rev), 303);
    assert_int_equal(login(other_org, oth), 303);
    assert_true(lists("/incidents", rev, amber_id));
    assert_int_equal(detail_status(amber_id, rev), 200);
    assert_true(lists("/incidents", oth, green_id));
    assert_false(lists("/incidents", oth, amber_id));
    assert_int_equal(detail_status(amber_id, oth), 404);
    /* the review queue is for reviewers */
    api_reply r;
    web_get("/review", oth, &r);
    assert_int_equal(r.status, 403);
    api_reply_release(&r);
    /* the inclusion check is offered for a published record, with its
     * proof and the log's key */
    char path[96];
    snprintf(path, sizeof path, "/incidents/%s", clear_id);
    web_get(path, NULL, &r);
    assert_non_null(strstr(r.body.data, "id=\"verify\""));
    assert_non_null(strstr(r.body.data, "data-vkey=\""));
    assert_non_null(strstr(r.body.data, "id=\"verify-proof\""));
    assert_non_null(strstr(r.body.data, "&quot;tree_size&quot;"));
    assert_non_null(strstr(r.body.data, "src=\"/static/verify.js?v="));
    assert_non_null(strstr(r.body.data, "id=\"version-history\""));
    api_reply_release(&r);
}

/* ---- the filing form ----------------------------------------------------- */

static void fill_valid(osafe_buf *f, const char *title)
{
    form_add(f, "record_type", "incident");
    form_add(f, "title.text", title);
    form_add(f, "description[0].text", "A model did something harmful.");
    form_add(f, "lang", "fr");
    form_add(f, "ai_relation", "caused");
    form_add(f, "occurred_start.date", "2025-03-04");
    form_add(f, "countries_occurred", "fr, de");
    form_add(f, "severity.level", "incident");
    form_add(f, "harm_types", "physical");
    form_add(f, "harm_types", "psychological");
    form_add(f, "hazards", "ssh");
    form_add(f, "ai_systems[0].kind", "model");
    form_add(f, "ai_systems[0].name", "example-7b");
    form_add(f, "submitter.pseudonym", "tester");
    form_add(f, "tlp", "CLEAR");
    form_add(f, "license", "CC-BY-4.0");
}

static void test_form_errors_in_place(void **state)
{
    (void)state;
    char cookie[128], csrf[65], ch[160];
    assert_int_equal(login(reporter, cookie), 303);
    snprintf(ch, sizeof ch, "Cookie: %s", cookie);
    page_csrf("/incidents/new", cookie, csrf);
    api_reply r;
    /* every field has a label */
    web_get("/incidents/new", cookie, &r);
    const char *names[] = {"title.text", "description[0].text", "lang",
                           "occurred_start.date", "countries_occurred",
                           "ai_systems[0].name", "references[0].url",
                           "submitter.pseudonym", "license", NULL};
    for (const char *const *n = names; *n; n++) {
        char lab[96];
        snprintf(lab, sizeof lab, "<label for=\"%s\">", *n);
        if (!strstr(r.body.data, lab))
            fail_msg("no label for %s", *n);
    }
    api_reply_release(&r);

    /* a bad URL: the message sits with the reference field */
    osafe_buf f = OSAFE_BUF_INIT;
    form_add(&f, "csrf", csrf);
    fill_valid(&f, "Bad reference");
    form_add(&f, "references[0].url", "ftp://example.org/x");
    form_add(&f, "action", "save");
    web_req("POST", "/incidents/new", &(hdrs){{ch}}, f.data, &r);
    buf_release(&f);
    assert_int_equal(r.status, 422);
    const char *b = r.body.data;
    const char *err = strstr(b, "class=\"field-error\" id=\"err-1-0\" "
                                "data-field=\"references[0].url\"");
    assert_non_null(err);
    /* inside the reference field's wrapper, before its input */
    const char *wrap = strstr(b, "data-field=\"references[0].url\"><label");
    const char *input = strstr(b, "<input id=\"references[0].url\"");
    assert_non_null(wrap);
    assert_non_null(input);
    assert_true(wrap < err && err < input);
    assert_non_null(strstr(input, "aria-invalid=\"true\" "
                                  "aria-describedby=\"err-1-0\""));
    /* what was typed is kept */
    assert_non_null(strstr(b, "value=\"Bad reference\""));
    assert_non_null(strstr(b, "id=\"form-errors\""));
    api_reply_release(&r);

    /* submitting an incomplete report: nothing saved (issue 16 item 3),
     * the missing fields named, in the page's language */
    f = (osafe_buf)OSAFE_BUF_INIT;
    form_add(&f, "csrf", csrf);
    form_add(&f, "title.text", "Only a title");
    form_add(&f, "lang", "en");
    form_add(&f, "action", "submit");
    web_req("POST", "/incidents/new?lang=fr", &(hdrs){{ch}}, f.data, &r);
    buf_release(&f);
    assert_int_equal(r.status, 422);
    assert_non_null(strstr(r.body.data, "data-field=\"record_type\" "
                                        "data-kind=\"required\">Ce champ "
                                        "est n\xc3\xa9" "cessaire"));
    /* no draft exists: the form still posts to /incidents/new */
    assert_non_null(strstr(r.body.data, "action=\"/incidents/new\""));
    api_reply_release(&r);
}

static void test_file_review_publish(void **state)
{
    (void)state;
    char rep[128], rev[128], csrf[65], ch[160];
    assert_int_equal(login(reporter, rep), 303);
    snprintf(ch, sizeof ch, "Cookie: %s", rep);
    page_csrf("/incidents/new", rep, csrf);
    osafe_buf f = OSAFE_BUF_INIT;
    form_add(&f, "csrf", csrf);
    fill_valid(&f, "Filed through the form");
    form_add(&f, "references[0].url", "https://example.org/report");
    form_add(&f, "references[0].type", "NEWS");
    form_add(&f, "action", "save");
    api_reply r;
    web_req("POST", "/incidents/new", &(hdrs){{ch}}, f.data, &r);
    buf_release(&f);
    assert_int_equal(r.status, 303);
    char loc[128], id[32];
    assert_non_null(api_hdr(&r, "Location", loc, sizeof loc));
    assert_true(!strncmp(loc, "/incidents/", 11));
    snprintf(id, sizeof id, "%.31s", loc + 11);
    api_reply_release(&r);
    assert_string_equal(state_of(id, reporter), "draft");
    /* the stored record is what the form said */
    char *body = NULL;
    size_t blen = 0;
    assert_int_equal(api_get_record(&S, reporter, id, 0, &body, &blen), 200);
    json_t *j = json_loads(body, 0, NULL);
    free(body);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(j, "title"), "text")),
                        "Filed through the form");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(j, "occurred_start"),
                            "precision")),
                        "day");
    assert_int_equal(json_array_size(json_object_get(j, "harm_types")), 2);
    assert_string_equal(json_string_value(json_array_get(
                            json_object_get(j, "countries_occurred"), 1)),
                        "DE");
    json_decref(j);
    /* not public yet */
    assert_false(lists("/incidents", NULL, id));
    /* edit and submit for review */
    char edit[96];
    snprintf(edit, sizeof edit, "/incidents/%s/edit", id);
    page_csrf(edit, rep, csrf);
    f = (osafe_buf)OSAFE_BUF_INIT;
    form_add(&f, "csrf", csrf);
    fill_valid(&f, "Filed through the form, edited");
    form_add(&f, "references[0].url", "https://example.org/report");
    form_add(&f, "action", "submit");
    web_req("POST", edit, &(hdrs){{ch}}, f.data, &r);
    buf_release(&f);
    assert_int_equal(r.status, 303);
    api_reply_release(&r);
    assert_string_equal(state_of(id, reporter), "submitted");
    /* in the reviewer's queue */
    assert_int_equal(login(reviewer, rev), 303);
    web_get("/review", rev, &r);
    char item[96];
    snprintf(item, sizeof item, "class=\"review-item card\" data-id=\"%s\"",
             id);
    assert_non_null(strstr(r.body.data, "id=\"review-queue\""));
    assert_non_null(strstr(r.body.data, item));
    csrf_of(&r, csrf);
    api_reply_release(&r);
    snprintf(ch, sizeof ch, "Cookie: %s", rev);
    f = (osafe_buf)OSAFE_BUF_INIT;
    form_add(&f, "csrf", csrf);
    form_add(&f, "id", id);
    form_add(&f, "decision", "accept");
    web_req("POST", "/review", &(hdrs){{ch}}, f.data, &r);
    buf_release(&f);
    assert_int_equal(r.status, 303);
    assert_non_null(api_hdr(&r, "Location", loc, sizeof loc));
    api_reply_release(&r);
    web_get(loc, rev, &r);
    assert_non_null(strstr(r.body.data, "id=\"review-done\""));
    assert_null(strstr(r.body.data, item));
    api_reply_release(&r);
    assert_string_equal(state_of(id, reviewer), "published");
    /* and public */
    assert_true(lists("/incidents", NULL, id));
    assert_true(lists("/incidents?status=published", NULL, id));
    assert_false(lists("/incidents?status=draft", NULL, id));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login_cookie_flags),
        cmocka_unit_test(test_bad_token_error_in_place),
        cmocka_unit_test(test_login_pasted_token_trimmed),
        cmocka_unit_test(test_csrf),
        cmocka_unit_test(test_anonymous_visibility),
        cmocka_unit_test(test_form_errors_in_place),
        cmocka_unit_test(test_file_review_publish),
    };
    return cmocka_run_group_tests(tests, web_setup, web_teardown);
}
