/*
 * test_web_form.c - the filing form (issue 16 item 3): every error at
 * once, in the page's language, next to its field; what people type
 * (lowercase country codes, dates as each language writes them) stored
 * as ISO and shown back so; no record left by a refused form; owners
 * discard drafts (form and DELETE /api/v1/records/{id}), published
 * records refused.  Over HTTP against the real binary (web_client.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "server/web_form_int.h"
#include "server/web_int.h"
#include "web_client.h"

static char cookie[128], csrf[65], ch[160];

static void session(void)
{
    if (cookie[0])
        return;
    assert_int_equal(login(reporter, cookie), 303);
    snprintf(ch, sizeof ch, "Cookie: %s", cookie);
    page_csrf("/incidents/new", cookie, csrf);
}

/* Rows of the reporter's drafts list: a refused form must not add one. */
static int drafts(void)
{
    api_reply r;
    web_get("/incidents?status=draft&per_page=100", cookie, &r);
    assert_int_equal(r.status, 200);
    int n = 0;
    for (const char *s = r.body.data; (s = strstr(s, "<tr data-id=\"")); s++)
        n++;
    api_reply_release(&r);
    return n;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *s = hay; (s = strstr(s, needle)); s++)
        n++;
    return n;
}

static void post_form(const char *path, osafe_buf *f, api_reply *r)
{
    web_req("POST", path, &(hdrs){{ch}}, f->data, r);
    buf_release(f);
}

/* The new draft's id from a 303 to /incidents/ID. */
static void created(const api_reply *r, char id[32])
{
    assert_int_equal(r->status, 303);
    char loc[256];
    assert_non_null(api_hdr(r, "Location", loc, sizeof loc));
    const char *p = strstr(loc, "/incidents/");
    assert_non_null(p);
    snprintf(id, 32, "%s", p + 11);
    id[strcspn(id, "\r\n")] = '\0';
}

static void test_every_error_at_once(void **state)
{
    (void)state;
    session();
    int before = drafts();
    osafe_buf f = OSAFE_BUF_INIT;
    form_add(&f, "csrf", csrf);
    form_add(&f, "title.text", "Three mistakes");
    form_add(&f, "occurred_start.date", "2025-13-40");
    form_add(&f, "countries_occurred", "fr, Freedonia");
    form_add(&f, "references[0].url", "ftp://example.org/x");
    form_add(&f, "action", "submit");
    api_reply r;
    post_form("/incidents/new?lang=ar", &f, &r);
    assert_int_equal(r.status, 422);
    const char *b = r.body.data;
    /* each bad value next to its own field, at once */
    assert_non_null(strstr(b, "data-field=\"occurred_start.date\" "
                              "data-kind=\"date\""));
    assert_non_null(strstr(b, "data-field=\"countries_occurred\" "
                              "data-kind=\"country\""));
    assert_non_null(strstr(b, "data-field=\"references[0].url\" "
                              "data-kind=\"url\""));
    /* and the missing ones (submit checks completeness) */
    assert_non_null(strstr(b, "data-field=\"ai_relation\" "
                              "data-kind=\"required\""));
    assert_non_null(strstr(b, "data-field=\"severity.level\" "
                              "data-kind=\"required\""));
    /* the value complained of, in the page's language (Arabic), never
     * the registry's internal English */
    assert_non_null(strstr(b, "Freedonia"));
    assert_non_null(strstr(b, "\xd9\x84\xd9\x8a\xd8\xb3 \xd8\xb1\xd9\x85\xd8"
                              "\xb2 \xd8\xa8\xd9\x84\xd8\xaf")); /* ليس رمز بلد */
    assert_null(strstr(b, "field '"));
    /* the summary lists them all, each a link to its field */
    const char *sum = strstr(b, "id=\"form-errors\"");
    assert_non_null(sum);
    assert_true(count(sum, "<li data-field=") >= 10);
    assert_non_null(strstr(sum, "<a href=\"#references[0].url\">"));
    api_reply_release(&r);
    assert_int_equal(drafts(), before);
}

static void test_refused_form_stores_nothing(void **state)
{
    (void)state;
    session();
    int before = drafts();
    /* an empty save: said, and nothing saved (it used to leave an
     * "(untitled)" draft behind) */
    osafe_buf f = OSAFE_BUF_INIT;
    form_add(&f, "csrf", csrf);
    form_add(&f, "record_type", "incident");
    form_add(&f, "action", "save");
    api_reply r;
    post_form("/incidents/new", &f, &r);
    assert_int_equal(r.status, 422);
    assert_non_null(strstr(r.body.data, "data-field=\"title.text\" "
                                        "data-kind=\"title_needed\""));
    api_reply_release(&r);
    /* an incomplete submit: nothing saved either */
    f = (osafe_buf)OSAFE_BUF_INIT;
    form_add(&f, "csrf", csrf);
    form_add(&f, "title.text", "Only a title");
    form_add(&f, "action", "submit");
    post_form("/incidents/new", &f, &r);
    assert_int_equal(r.status, 422);
    assert_non_null(strstr(r.body.data, "action=\"/incidents/new\""));
    api_reply_release(&r);
    assert_int_equal(drafts(), before);
}

static void test_dates_as_written(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(form__date("12/03/2025", WEB_LANG_FR, out, sizeof out),
                     1);
    assert_string_equal(out, "2025-03-12");
    assert_int_equal(form__date("12.03.2025", WEB_LANG_RU, out, sizeof out),
                     1);
    assert_string_equal(out, "2025-03-12");
    assert_int_equal(form__date("2025\xe5\xb9\xb4" "3\xe6\x9c\x88" "12\xe6\x97"
                                "\xa5",
                                WEB_LANG_ZH, out, sizeof out),
                     1);
    assert_string_equal(out, "2025-03-12");
    /* ١٢/٠٣/٢٠٢٥ */
    assert_int_equal(form__date("\xd9\xa1\xd9\xa2/\xd9\xa0\xd9\xa3/\xd9\xa2"
                                "\xd9\xa0\xd9\xa2\xd9\xa5",
                                WEB_LANG_AR, out, sizeof out),
                     1);
    assert_string_equal(out, "2025-03-12");
    assert_int_equal(form__date("March 12, 2025", WEB_LANG_EN, out,
                                sizeof out),
                     1);
    assert_string_equal(out, "2025-03-12");
    assert_int_equal(form__date("12 mars 2025", WEB_LANG_FR, out, sizeof out),
                     1);
    assert_string_equal(out, "2025-03-12");
    assert_int_equal(form__date("3/2025", WEB_LANG_ES, out, sizeof out), 1);
    assert_string_equal(out, "2025-03");
    assert_int_equal(form__date("13/03/2025", WEB_LANG_EN, out, sizeof out),
                     1);
    assert_string_equal(out, "2025-03-13");
    assert_int_equal(form__date("03/13/2025", WEB_LANG_EN, out, sizeof out),
                     1);
    assert_string_equal(out, "2025-03-13");
    /* English written either way round: no guess */
    assert_int_equal(form__date("03/04/2025", WEB_LANG_EN, out, sizeof out),
                     0);
    assert_int_equal(form__date("yesterday", WEB_LANG_EN, out, sizeof out), 0);
    assert_string_equal(out, "yesterday");
}

static void test_accepts_what_people_type(void **state)
{
    (void)state;
    session();
    osafe_buf f = OSAFE_BUF_INIT;
    form_add(&f, "csrf", csrf);
    form_add(&f, "title.text", "Typed as people type");
    form_add(&f, "occurred_start.date", "12/03/2025");
    form_add(&f, "countries_occurred", "ke, fr");
    form_add(&f, "action", "save");
    api_reply r;
    post_form("/incidents/new?lang=fr", &f, &r);
    char id[32];
    created(&r, id);
    api_reply_release(&r);
    /* stored as ISO: the API shows it */
    char path[96];
    snprintf(path, sizeof path, "/api/v1/records/%s", id);
    api_get(&S, path, reporter, &r);
    assert_int_equal(r.status, 200);
    json_t *j = api_json(&r);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(j, "occurred_start"), "date")),
                        "2025-03-12");
    assert_string_equal(json_string_value(json_array_get(
                            json_object_get(j, "countries_occurred"), 0)),
                        "KE");
    json_decref(j);
    api_reply_release(&r);
    /* and shown back normalised */
    snprintf(path, sizeof path, "/incidents/%s/edit", id);
    web_get(path, cookie, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body.data, "value=\"2025-03-12\""));
    assert_non_null(strstr(r.body.data, "value=\"KE, FR\""));
    api_reply_release(&r);
}

/* Names in the six languages, from the system's iso-codes package (the
 * server reads it; without it only codes are accepted). */
static void test_country_names(void **state)
{
    (void)state;
    if (access("/usr/share/iso-codes/json/iso_3166-1.json", R_OK))
        skip();
    session();
    osafe_buf f = OSAFE_BUF_INIT;
    form_add(&f, "csrf", csrf);
    form_add(&f, "title.text", "Countries by name");
    form_add(&f, "countries_occurred",
             "Kenya; allemagne, \xd0\x93\xd0\xb5\xd1\x80\xd0\xbc\xd0\xb0\xd0"
             "\xbd\xd0\xb8\xd1\x8f, United States, es it");
    form_add(&f, "action", "save");
    api_reply r;
    post_form("/incidents/new", &f, &r);
    char id[32], path[96];
    created(&r, id);
    api_reply_release(&r);
    snprintf(path, sizeof path, "/api/v1/records/%s", id);
    api_get(&S, path, reporter, &r);
    json_t *j = api_json(&r);
    char *got = json_dumps(json_object_get(j, "countries_occurred"),
                           JSON_COMPACT);
    assert_string_equal(got, "[\"KE\",\"DE\",\"DE\",\"US\",\"ES\",\"IT\"]");
    free(got);
    json_decref(j);
    api_reply_release(&r);
}

static void test_owner_discards_draft(void **state)
{
    (void)state;
    session();
    osafe_buf f = OSAFE_BUF_INIT;
    form_add(&f, "csrf", csrf);
    form_add(&f, "title.text", "To be discarded");
    form_add(&f, "action", "save");
    api_reply r;
    post_form("/incidents/new", &f, &r);
    char id[32], path[96];
    created(&r, id);
    api_reply_release(&r);
    snprintf(path, sizeof path, "/incidents/%s/edit", id);
    web_get(path, cookie, &r);
    assert_non_null(strstr(r.body.data, "id=\"discard-draft\""));
    api_reply_release(&r);
    snprintf(path, sizeof path, "/incidents/%s/discard", id);
    /* without the confirmation: nothing happens */
    f = (osafe_buf)OSAFE_BUF_INIT;
    form_add(&f, "csrf", csrf);
    post_form(path, &f, &r);
    assert_int_equal(r.status, 422);
    api_reply_release(&r);
    /* someone else (the reviewer) may not */
    char rev[128], rcsrf[65], rch[160];
    assert_int_equal(login(reviewer, rev), 303);
    snprintf(rch, sizeof rch, "Cookie: %s", rev);
    page_csrf("/incidents/new", rev, rcsrf);
    f = (osafe_buf)OSAFE_BUF_INIT;
    form_add(&f, "csrf", rcsrf);
    form_add(&f, "confirm", "1");
    web_req("POST", path, &(hdrs){{rch}}, f.data, &r);
    buf_release(&f);
    assert_true(r.status == 403 || r.status == 404);
    api_reply_release(&r);
    /* the owner may */
    f = (osafe_buf)OSAFE_BUF_INIT;
    form_add(&f, "csrf", csrf);
    form_add(&f, "confirm", "1");
    post_form(path, &f, &r);
    assert_int_equal(r.status, 303);
    api_reply_release(&r);
    snprintf(path, sizeof path, "/incidents/%s", id);
    web_get(path, cookie, &r);
    assert_int_equal(r.status, 404);
    api_reply_release(&r);
}

static void test_api_delete_drafts_only(void **state)
{
    (void)state;
    json_t *rec = api_record("Filed by API", NULL);
    char id[32], path[96];
    api_create(&S, reporter, rec, id);
    json_decref(rec);
    snprintf(path, sizeof path, "/api/v1/records/%s", id);
    api_reply r;
    /* another reporter: refused */
    api_http(&S, "DELETE", path, other_org, NULL, &r);
    assert_true(r.status == 403 || r.status == 404);
    api_reply_release(&r);
    api_http(&S, "DELETE", path, reporter, NULL, &r);
    assert_int_equal(r.status, 204);
    api_reply_release(&r);
    api_get(&S, path, reporter, &r);
    assert_int_equal(r.status, 404);
    api_reply_release(&r);
    /* a published record stays: the log holds it */
    snprintf(path, sizeof path, "/api/v1/records/%s", clear_id);
    api_http(&S, "DELETE", path, reporter, NULL, &r);
    assert_int_equal(r.status, 409);
    api_reply_release(&r);
    api_get(&S, path, NULL, &r);
    assert_int_equal(r.status, 200);
    api_reply_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dates_as_written),
        cmocka_unit_test(test_every_error_at_once),
        cmocka_unit_test(test_refused_form_stores_nothing),
        cmocka_unit_test(test_accepts_what_people_type),
        cmocka_unit_test(test_country_names),
        cmocka_unit_test(test_owner_discards_draft),
        cmocka_unit_test(test_api_delete_drafts_only),
    };
    return cmocka_run_group_tests(tests, web_setup, web_teardown);
}
