/*
 * test_web.c - the HTML pages of `osafe serve`, over HTTP against the real
 * binary (web_client.h): every page in six languages, static assets, the
 * dashboard, language negotiation, escaping of hostile record content; and
 * the localized number and date helpers, in process.  Sessions, CSRF,
 * visibility and the forms are in test_web_session.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "web_client.h"
#include "core/limits.h"
#include "server/http_int.h"

static const char *const langs[WEB_LANGS] = {"en", "zh", "es",
                                             "fr", "ar", "ru"};

/* ---- pages in six languages ---------------------------------------------- */

static void expect_html_lang(const api_reply *r, const char *lang,
                             const char *path)
{
    char want[64], ct[128], csp[512];
    snprintf(want, sizeof want, "<html lang=\"%s\" dir=\"%s\">", lang,
             strcmp(lang, "ar") ? "ltr" : "rtl");
    if (!strstr(r->body.data, want))
        fail_msg("%s in %s: no %s", path, lang, want);
    assert_non_null(api_hdr(r, "Content-Type", ct, sizeof ct));
    assert_true(!strncmp(ct, "text/html", 9));
    assert_non_null(api_hdr(r, "Content-Security-Policy", csp, sizeof csp));
    assert_non_null(strstr(csp, "default-src 'self'"));
    assert_non_null(strstr(csp, "script-src 'self'"));
    assert_non_null(strstr(csp, "frame-ancestors 'none'"));
    /* nothing is loaded from another origin */
    assert_null(strstr(r->body.data, "src=\"http"));
    assert_null(strstr(r->body.data, "href=\"//"));
    assert_non_null(strstr(r->body.data, "id=\"lang-switch\""));
    assert_non_null(strstr(r->body.data, "<main id=\"main\""));
}

static void test_every_page_in_six_languages(void **state)
{
    (void)state;
    char rev_cookie[128];
    assert_int_equal(login(reviewer, rev_cookie), 303);
    char detail[64], pub_edit[64];
    snprintf(detail, sizeof detail, "/incidents/%s", clear_id);
    snprintf(pub_edit, sizeof pub_edit, "/incidents/%s/edit", clear_id);
    const char *pages[] = {"/",      "/incidents", detail, "/evals",
                           "/risks", "/log",       "/login",
                           "/incidents?q=incident", NULL};
    const char *session_pages[] = {"/review", "/incidents/new", pub_edit,
                                   NULL};
    for (int l = 0; l < WEB_LANGS; l++) {
        for (const char *const *p = pages; *p; p++) {
            char path[256];
            snprintf(path, sizeof path, "%s%slang=%s", *p,
                     strchr(*p, '?') ? "&" : "?", langs[l]);
            api_reply r;
            web_get(path, NULL, &r);
            if (r.status != 200)
                fail_msg("GET %s: %ld", path, r.status);
            expect_html_lang(&r, langs[l], path);
            api_reply_release(&r);
            web_get(path, rev_cookie, &r);
            if (r.status != 200)
                fail_msg("GET %s (reviewer): %ld", path, r.status);
            expect_html_lang(&r, langs[l], path);
            api_reply_release(&r);
        }
        for (const char *const *p = session_pages; *p; p++) {
            char path[256];
            snprintf(path, sizeof path, "%s?lang=%s", *p, langs[l]);
            api_reply r;
            web_get(path, rev_cookie, &r);
            if (r.status != 200)
                fail_msg("GET %s (reviewer): %ld", path, r.status);
            expect_html_lang(&r, langs[l], path);
            api_reply_release(&r);
            /* anonymous: a page saying to log in, in the same language */
            web_get(path, NULL, &r);
            assert_int_equal(r.status, 401);
            expect_html_lang(&r, langs[l], path);
            api_reply_release(&r);
        }
    }
    /* unknown pages: a 404 page, still HTML in the language */
    api_reply r;
    web_get("/no/such/page?lang=ar", NULL, &r);
    assert_int_equal(r.status, 404);
    expect_html_lang(&r, "ar", "/no/such/page");
    api_reply_release(&r);
    web_get("/incidents/OSAFE-2099-99999", NULL, &r);
    assert_int_equal(r.status, 404);
    api_reply_release(&r);
}

static void test_static_assets(void **state)
{
    (void)state;
    api_reply r;
    web_get("/", NULL, &r);
    const char *m = strstr(r.body.data, "href=\"/static/style.css?v=");
    assert_non_null(m);
    char url[128];
    snprintf(url, sizeof url, "%.*s", (int)strcspn(m + 6, "\""), m + 6);
    api_reply_release(&r);
    web_get(url, NULL, &r);
    assert_int_equal(r.status, 200);
    char v[128];
    assert_non_null(api_hdr(&r, "Content-Type", v, sizeof v));
    assert_true(!strncmp(v, "text/css", 8));
    assert_non_null(api_hdr(&r, "Cache-Control", v, sizeof v));
    assert_non_null(strstr(v, "immutable"));
    assert_true(r.body.len > 1000);
    api_reply_release(&r);
    /* another version is served, but not to be cached for good */
    web_get("/static/style.css?v=0000", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(api_hdr(&r, "Cache-Control", v, sizeof v));
    assert_null(strstr(v, "immutable"));
    api_reply_release(&r);
    web_get("/static/verify.js", NULL, &r);
    assert_int_equal(r.status, 200);
    api_reply_release(&r);
    web_get("/static/../../etc/passwd", NULL, &r);
    assert_int_equal(r.status, 404);
    api_reply_release(&r);
    /* the JSON descriptor stays at /api/v1, and at / for JSON clients */
    api_get(&S, "/api/v1", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body.data, "\"openapi\""));
    api_reply_release(&r);
    hdrs hs = {{"Accept: application/json"}};
    web_req("GET", "/", &hs, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body.data, "\"openapi\""));
    api_reply_release(&r);
}

/* The dashboard ranks the published incidents (the fixture's are all
 * "ssh"), and shows the log head of the current checkpoint. */
static void test_dashboard(void **state)
{
    (void)state;
    api_reply r;
    web_get("/?lang=ar", NULL, &r);
    assert_int_equal(r.status, 200);
    const char *b = r.body.data;
    const char *fig = strstr(b, "<figure id=\"risk-matrix\"");
    assert_non_null(fig);
    assert_non_null(strstr(fig, "<svg"));
    assert_non_null(strstr(b, "<ol id=\"top-risks\">"));
    assert_non_null(strstr(b, "<li data-hazard=\"ssh\""));
    assert_null(strstr(b, "id=\"risks-empty\""));
    assert_non_null(strstr(b, "<table id=\"recent-incidents\">"));
    char row[64];
    snprintf(row, sizeof row, "<tr data-id=\"%s\">", clear_id);
    assert_non_null(strstr(b, row));
    const char *size = strstr(b, "<dd id=\"log-size\" data-value=\"");
    assert_non_null(size);
    long n = strtol(size + strlen("<dd id=\"log-size\" data-value=\""), NULL,
                    10);
    assert_true(n >= 4); /* the four fixture records at least */
    assert_non_null(strstr(b, "<code id=\"log-root\" dir=\"ltr\">"));
    api_reply_release(&r);
    /* the log page: the same checkpoint, the key, the check widget */
    web_get("/log", NULL, &r);
    assert_non_null(strstr(r.body.data, "<pre id=\"checkpoint-note\""));
    assert_non_null(strstr(r.body.data, "<code id=\"log-vkey\" dir=\"ltr\">"));
    assert_non_null(strstr(r.body.data, "<output id=\"verify-result\""));
    api_reply_release(&r);
}

/* ---- language negotiation ------------------------------------------------ */

static const char *page_lang(const char *path, const hdrs *hs)
{
    static char lang[8];
    api_reply r;
    web_req("GET", path, hs, NULL, &r);
    assert_int_equal(r.status, 200);
    const char *m = strstr(r.body.data, "<html lang=\"");
    assert_non_null(m);
    snprintf(lang, sizeof lang, "%.*s", (int)strcspn(m + 12, "\""), m + 12);
    api_reply_release(&r);
    return lang;
}

static void test_negotiation(void **state)
{
    (void)state;
    hdrs none = {{NULL}};
    assert_string_equal(page_lang("/", &none), "en");
    /* Accept-Language with q-values: the highest q among ours wins */
    static const struct {
        const char *al, *want;
    } cases[] = {
        {"Accept-Language: fr", "fr"},
        {"Accept-Language: zh-CN,zh;q=0.9", "zh"},
        {"Accept-Language: de-DE, ar;q=0.5, fr;q=0.8", "fr"},
        {"Accept-Language: de, ru;q=0.1", "ru"},
        {"Accept-Language: es;q=0, en;q=0.2, ar;q=0.3", "ar"},
        {"Accept-Language: xx, yy;q=0.5", "en"},
        {"Accept-Language: *", "en"},
        {"Accept-Language: ES-mx", "es"},
        {"Accept-Language: en-GB;q=0.4, ru-RU;q=0.4", "en"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hdrs hs = {{cases[i].al}};
        const char *got = page_lang("/", &hs);
        if (strcmp(got, cases[i].want))
            fail_msg("%s: got %s, want %s", cases[i].al, got, cases[i].want);
    }
    /* the cookie beats Accept-Language; ?lang beats both */
    hdrs ck = {{"Accept-Language: fr", "Cookie: osafe_lang=ru"}};
    assert_string_equal(page_lang("/", &ck), "ru");
    assert_string_equal(page_lang("/?lang=zh", &ck), "zh");
    /* a bad cookie or query value is ignored */
    hdrs bad = {{"Accept-Language: es", "Cookie: osafe_lang=xx"}};
    assert_string_equal(page_lang("/?lang=de", &bad), "es");
    /* ?lang sets the cookie for later visits */
    api_reply r;
    web_get("/incidents?lang=ar", NULL, &r);
    char v[256];
    assert_non_null(api_hdr(&r, "Set-Cookie", v, sizeof v));
    assert_true(!strncmp(v, "osafe_lang=ar;", 14));
    assert_non_null(strstr(v, "SameSite=Strict"));
    assert_non_null(strstr(v, "Path=/"));
    /* the switcher links to every language, and marks the current one */
    for (int l = 0; l < WEB_LANGS; l++) {
        char link[64];
        snprintf(link, sizeof link, "href=\"?lang=%s\" hreflang=\"%s\"",
                 langs[l], langs[l]);
        assert_non_null(strstr(r.body.data, link));
    }
    assert_non_null(strstr(r.body.data, "hreflang=\"ar\" lang=\"ar\" "
                                        "aria-current=\"true\""));
    api_reply_release(&r);
    /* switching keeps the page's filters, encoded */
    web_get("/incidents?q=a%20b%26c&tlp=CLEAR&lang=fr", NULL, &r);
    assert_non_null(strstr(r.body.data, "href=\"?q=a%20b%26c&amp;tlp=CLEAR"
                                        "&amp;lang=ru\""));
    api_reply_release(&r);
}

/* ---- escaping ------------------------------------------------------------ */

static void expect_escaped(const char *path, const char *cookie)
{
    api_reply r;
    web_get(path, cookie, &r);
    if (r.status != 200)
        fail_msg("GET %s: %ld", path, r.status);
    const char *b = r.body.data;
    if (strstr(b, "<script>alert") || strstr(b, "<img src=x") ||
        strstr(b, "<svg onload") || strstr(b, "onerror=alert(1)>"))
        fail_msg("%s: hostile markup reached the page unescaped", path);
    api_reply_release(&r);
}

static void test_hostile_content_escaped(void **state)
{
    (void)state;
    char path[96];
    snprintf(path, sizeof path, "/incidents/%s", hostile_id);
    expect_escaped(path, NULL);
    expect_escaped("/incidents", NULL);
    expect_escaped("/", NULL);
    expect_escaped("/incidents?q=alert", NULL);
    /* the escaped text itself is there, as text */
    api_reply r;
    web_get(path, NULL, &r);
    assert_non_null(strstr(r.body.data, "&lt;script&gt;alert(&quot;t&quot;)"));
    assert_non_null(strstr(r.body.data, "&quot;&gt;&lt;svg onload=alert(2)&gt;"
                                        "&amp;amp; &#39;q&#39;"));
    /* the title in its own language, with its tag */
    assert_non_null(strstr(r.body.data, "<span lang=\"en\" dir=\"auto\">"));
    api_reply_release(&r);
    /* a hostile query string comes back escaped in the filter form */
    expect_escaped("/incidents?q=%3Cscript%3Ealert(1)%3C/script%3E", NULL);
    expect_escaped("/incidents?model=%22%3E%3Cimg%20src=x%20"
                   "onerror=alert(1)%3E",
                   NULL);
    expect_escaped("/log?id=%22%3E%3Cscript%3Ealert(1)%3C/script%3E", NULL);
}

/* ---- localized numbers and dates (in process) ---------------------------- */

static const char *fmt_num(int lang, double v, int dec)
{
    static char out[128];
    web_page p;
    memset(&p, 0, sizeof p);
    p.lang_index = lang;
    buf_init(&p.html, 0);
    page_num(&p, v, dec);
    snprintf(out, sizeof out, "%s", p.html.data ? p.html.data : "");
    buf_release(&p.html);
    return out;
}

static const char *fmt_other(int lang, int what, const char *s, double v)
{
    static char out[256];
    web_page p;
    memset(&p, 0, sizeof p);
    p.lang_index = lang;
    buf_init(&p.html, 0);
    if (what == 0)
        page_date(&p, s);
    else if (what == 1)
        page_percent(&p, v, 1);
    else if (what == 2)
        page_int(&p, (long long)v);
    else
        page_text_lang(&p, "x", s);
    snprintf(out, sizeof out, "%s", p.html.data ? p.html.data : "");
    buf_release(&p.html);
    return out;
}

/* A page that outgrows its buffer (OSAFE_WEB_PAGE_MAX in the server; a
 * small ceiling here) is a 500 with no HTML, never a 200 with the pieces
 * after the overflow missing: the buffer's failure is sticky and page_end
 * checks it once. */
static int render_with_ceiling(size_t max, size_t pieces, http_resp *w)
{
    web_page p;
    memset(&p, 0, sizeof p);
    p.lang = "en";
    p.resp = w;
    buf_init(&p.html, max);
    for (size_t i = 0; i < pieces; i++)
        page_raw(&p, "<p>a piece of the page</p>\n");
    page_end(&p, NULL);
    buf_release(&p.html);
    return w->status;
}

static void test_page_over_ceiling_is_500(void **state)
{
    (void)state;
    http_resp w;
    http__resp_init(&w);
    assert_int_equal(render_with_ceiling(1u << 16, 10, &w), 200);
    assert_non_null(strstr(w.body.data, "</html>"));
    http__resp_release(&w);
    http__resp_init(&w);
    assert_int_equal(render_with_ceiling(1u << 16, 10000, &w), 500);
    assert_null(strstr(w.body.data ? w.body.data : "", "<p>a piece"));
    assert_non_null(strstr(w.body.data, "OSAFE_WEB_PAGE_MAX"));
    http__resp_release(&w);
}

static void test_numbers_and_dates(void **state)
{
    (void)state;
    enum { EN, ZH, ES, FR, AR, RU };
    assert_string_equal(fmt_num(EN, 1234.5, 1), "1,234.5");
    assert_string_equal(fmt_num(ZH, 1234567.25, 2), "1,234,567.25");
    assert_string_equal(fmt_num(FR, 1234.5, 1), "1\xe2\x80\xaf" "234,5");
    assert_string_equal(fmt_num(RU, 1234.5, 1), "1\xc2\xa0" "234,5");
    /* Spanish groups only from five integer digits (CLDR) */
    assert_string_equal(fmt_num(ES, 1234.5, 1), "1234,5");
    assert_string_equal(fmt_num(ES, 12345.5, 1), "12.345,5");
    assert_string_equal(fmt_num(AR, 1234.5, 1), "1\xd9\xac" "234\xd9\xab" "5");
    assert_string_equal(fmt_num(EN, -0.04, 1), "0.0");
    assert_string_equal(fmt_num(EN, -1234, 0), "-1,234");
    assert_string_equal(fmt_num(FR, 999, 0), "999");
    assert_string_equal(fmt_num(EN, 0.0 / 0.0, 2), "\xe2\x80\x94");
    assert_string_equal(fmt_other(EN, 2, NULL, 1234567), "1,234,567");
    assert_string_equal(fmt_other(EN, 1, NULL, 0.125), "12.5%");
    assert_string_equal(fmt_other(FR, 1, NULL, 0.125),
                        "12,5\xe2\x80\xaf%");
    assert_string_equal(fmt_other(EN, 0, "2026-11-28", 0),
                        "<time datetime=\"2026-11-28\">Nov 28, 2026</time>");
    assert_string_equal(fmt_other(FR, 0, "2026-02-03T10:05:00Z", 0),
                        "<time datetime=\"2026-02-03T10:05:00Z\">"
                        "3 f\xc3\xa9vr. "
                        "2026 10:05 UTC</time>");
    assert_string_equal(fmt_other(ZH, 0, "2026-11-28", 0),
                        "<time datetime=\"2026-11-28\">2026\xe5\xb9\xb4" "11"
                        "\xe6\x9c\x88" "28\xe6\x97\xa5</time>");
    assert_non_null(strstr(fmt_other(RU, 0, "2025-03-01", 0),
                           ">1 \xd0\xbc\xd0\xb0\xd1\x80. 2025 \xd0\xb3.<"));
    assert_non_null(strstr(fmt_other(ES, 0, "2025-08-09", 0), ">9 ago 2025<"));
    /* a partial date at its precision; nonsense as given (escaped) */
    assert_string_equal(fmt_other(EN, 0, "2025-03", 0),
                        "<time datetime=\"2025-03\">Mar 2025</time>");
    assert_non_null(strstr(fmt_other(ZH, 0, "2025-03", 0),
                           ">2025\xe5\xb9\xb4" "3\xe6\x9c\x88<"));
    assert_non_null(strstr(fmt_other(FR, 0, "2025", 0), ">2025<"));
    assert_string_equal(fmt_other(EN, 0, "2025-13", 0), "2025-13");
    assert_string_equal(fmt_other(EN, 0, "<b>", 0), "&lt;b&gt;");
    /* text in its own language: the tag only when it looks like one */
    assert_string_equal(fmt_other(EN, 3, "pt-BR", 0),
                        "<span lang=\"pt-BR\" dir=\"auto\">x</span>");
    assert_string_equal(fmt_other(EN, 3, "\"><script>", 0),
                        "<span dir=\"auto\">x</span>");
    assert_string_equal(fmt_other(EN, 3, "english", 0),
                        "<span dir=\"auto\">x</span>");
}

/* ---- lists: newest first, total, sort, numbered pages (issue 16) ------- */

/* The id of the first row of the table with that id attribute. */
static void first_row(const char *body, const char *table, char out[32])
{
    const char *t = strstr(body, table);
    assert_non_null(t);
    const char *row = strstr(t, "<tr data-id=\"");
    assert_non_null(row);
    row += strlen("<tr data-id=\"");
    snprintf(out, 32, "%.*s", (int)strcspn(row, "\""), row);
}

static void test_lists_newest_total_pages(void **state)
{
    (void)state;
    char id[32], got[32];
    /* more than one page of the list (OSAFE_WEB_LIST_LIMIT) */
    for (int i = 0; i < OSAFE_WEB_LIST_LIMIT + 1; i++)
        publish_with("Paged incident", NULL, "CLEAR", reporter, id);
    api_reply r;
    web_get("/", NULL, &r);
    assert_int_equal(r.status, 200);
    first_row(r.body.data, "<table id=\"recent-incidents\">", got);
    assert_string_equal(got, id); /* the latest published, not the oldest */
    api_reply_release(&r);

    web_get("/incidents", NULL, &r);
    assert_int_equal(r.status, 200);
    const char *b = r.body.data;
    first_row(b, "<table id=\"incident-list\">", got);
    assert_string_equal(got, id);
    const char *count = strstr(b, "<p id=\"result-count\" data-value=\"");
    assert_non_null(count);
    long total = strtol(count + strlen("<p id=\"result-count\" data-value=\""),
                        NULL, 10);
    assert_true(total >= OSAFE_WEB_LIST_LIMIT + 2);
    assert_non_null(strstr(b, "<nav id=\"pages\""));
    assert_non_null(strstr(b, "sort=newest&amp;page=2\""));
    assert_non_null(strstr(b, "<option value=\"newest\" selected>"));
    assert_non_null(strstr(b, "<option value=\"title\">"));
    assert_null(strstr(b, "id=\"prev-page\""));
    api_reply_release(&r);

    web_get("/incidents?sort=oldest&page=2", NULL, &r);
    assert_int_equal(r.status, 200);
    b = r.body.data;
    assert_non_null(strstr(b, "id=\"prev-page\""));
    assert_non_null(strstr(b, "aria-current=\"page\" href=\"/incidents?"
                              "sort=oldest&amp;page=2\""));
    assert_non_null(strstr(b, "<option value=\"oldest\" selected>"));
    /* the last page holds the newest record in the oldest-first order */
    char row[64];
    snprintf(row, sizeof row, "<tr data-id=\"%s\">", id);
    assert_non_null(strstr(b, row));
    api_reply_release(&r);

    /* filters ignore case; a country that is no code gets a hint */
    web_get("/incidents?country=ke", NULL, &r);
    assert_int_equal(r.status, 200);
    api_reply_release(&r);
    web_get("/incidents?country=Kenya", NULL, &r);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body.data, "id=\"list-error\""));
    assert_non_null(strstr(r.body.data, "two-letter ISO code"));
    api_reply_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers_and_dates),
        cmocka_unit_test(test_page_over_ceiling_is_500),
        cmocka_unit_test(test_every_page_in_six_languages),
        cmocka_unit_test(test_static_assets),
        cmocka_unit_test(test_dashboard),
        cmocka_unit_test(test_negotiation),
        cmocka_unit_test(test_hostile_content_escaped),
        cmocka_unit_test(test_lists_newest_total_pages),
    };
    return cmocka_run_group_tests(tests, web_setup, web_teardown);
}
