/*
 * test_web.c - the HTML interface of `osafe serve`, over HTTP against the
 * real binary (api_client.h): every page in six languages, language
 * negotiation, escaping of hostile record content, sessions and their
 * cookies, CSRF, TLP visibility on pages, the filing form's errors in
 * place, and the whole filing -> review -> public list path.  The
 * localized number and date helpers are checked in-process.
 *
 * Failures name paths, statuses and languages, never record text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "api_client.h"
#include "server/web_int.h"

static api_srv S;
static char reporter[128], reviewer[128], other_org[128];
static char clear_id[32], green_id[32], amber_id[32], hostile_id[32];

static const char *const langs[WEB_LANGS] = {"en", "zh", "es",
                                             "fr", "ar", "ru"};

#define HOSTILE_TITLE "<script>alert(\"t\")</script><img src=x onerror=alert(1)>"
#define HOSTILE_DESC "\"><svg onload=alert(2)>&amp; 'q'"

/* ---- HTTP with several headers and form bodies --------------------------- */

typedef struct hdrs {
    const char *h[6];
} hdrs;

static void web_req(const char *method, const char *path, const hdrs *hs,
                    const char *form, api_reply *r)
{
    memset(r, 0, sizeof *r);
    char url[8192];
    snprintf(url, sizeof url, "%s%s", S.base, path);
    CURL *c = curl_easy_init();
    assert_non_null(c);
    struct curl_slist *h = NULL;
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 60000L);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, api_on_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r->body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, api_on_write);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r->hdrs);
    for (size_t i = 0; hs && i < 6 && hs->h[i]; i++)
        h = curl_slist_append(h, hs->h[i]);
    if (form) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)strlen(form));
        h = curl_slist_append(
            h, "Content-Type: application/x-www-form-urlencoded");
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    if (!r->body.data)
        buf_puts(&r->body, "");
    if (!r->hdrs.data)
        buf_puts(&r->hdrs, "");
    if (rc != CURLE_OK)
        fail_msg("%s %s: %s", method, path, curl_easy_strerror(rc));
}

static void web_get(const char *path, const char *cookie, api_reply *r)
{
    char ch[256];
    hdrs hs = {{NULL}};
    if (cookie) {
        snprintf(ch, sizeof ch, "Cookie: %s", cookie);
        hs.h[0] = ch;
    }
    web_req("GET", path, &hs, NULL, r);
}

/* Append name=value, URL-encoded, to a form body. */
static void form_add(osafe_buf *b, const char *name, const char *value)
{
    CURL *c = curl_easy_init();
    char *n = curl_easy_escape(c, name, 0);
    char *v = curl_easy_escape(c, value, 0);
    buf_printf(b, "%s%s=%s", b->len ? "&" : "", n, v);
    curl_free(n);
    curl_free(v);
    curl_easy_cleanup(c);
}

/* The value of the first csrf hidden field of a page ("" if none). */
static void csrf_of(const api_reply *r, char out[65])
{
    const char *m = strstr(r->body.data, "name=\"csrf\" value=\"");
    out[0] = '\0';
    if (m) {
        m += strlen("name=\"csrf\" value=\"");
        size_t n = strspn(m, "0123456789abcdef");
        if (n == 64) {
            memcpy(out, m, 64);
            out[64] = '\0';
        }
    }
}

/* "osafe_session=..." from a response's Set-Cookie, into cookie. */
static int session_cookie(const api_reply *r, char *cookie, size_t size,
                          char *whole, size_t wsize)
{
    char v[512];
    if (!api_hdr(r, "Set-Cookie", v, sizeof v))
        return -1;
    if (whole)
        snprintf(whole, wsize, "%s", v);
    if (strncmp(v, "osafe_session=", 14))
        return -1;
    snprintf(cookie, size, "%.*s", (int)strcspn(v, ";"), v);
    return 0;
}

/* Log in with a token; the session cookie ("osafe_session=HEX") into
 * cookie.  Returns the login POST status. */
static long login(const char *token, char cookie[128])
{
    api_reply r;
    web_get("/login", NULL, &r);
    assert_int_equal(r.status, 200);
    char csrf[65];
    csrf_of(&r, csrf);
    assert_int_equal(strlen(csrf), 64);
    api_reply_release(&r);
    osafe_buf f = OSAFE_BUF_INIT;
    form_add(&f, "csrf", csrf);
    form_add(&f, "token", token);
    web_req("POST", "/login", NULL, f.data, &r);
    buf_release(&f);
    long st = r.status;
    cookie[0] = '\0';
    if (st == 303)
        assert_int_equal(session_cookie(&r, cookie, 128, NULL, 0), 0);
    api_reply_release(&r);
    return st;
}

/* GET a page as a session and return its CSRF token. */
static void page_csrf(const char *path, const char *cookie, char csrf[65])
{
    api_reply r;
    web_get(path, cookie, &r);
    assert_int_equal(r.status, 200);
    csrf_of(&r, csrf);
    assert_int_equal(strlen(csrf), 64);
    api_reply_release(&r);
}

static const char *state_of(const char *id, const char *token)
{
    static char st[32];
    api_reply r;
    char path[96];
    snprintf(path, sizeof path, "/api/v1/records/%s", id);
    api_get(&S, path, token, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(api_hdr(&r, "X-Osafe-State", st, sizeof st));
    api_reply_release(&r);
    return st;
}

/* ---- fixture ---------------------------------------------------------------- */

static void publish_with(const char *title, const char *desc, const char *tlp,
                         const char *owner, char id[32])
{
    json_t *j = api_record(title, desc);
    json_object_set_new(j, "tlp", json_string(tlp));
    api_create(&S, owner, j, id);
    json_decref(j);
    api_publish(&S, owner, reviewer, id);
}

static int setup(void **state)
{
    (void)state;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    api_init(&S);
    api_start(&S);
    api_token(&S, "reporter-a", "reporter", "org-a", reporter);
    api_token(&S, "reviewer", "reviewer", NULL, reviewer);
    api_token(&S, "reporter-b", "reporter", "org-b", other_org);
    publish_with("Public incident", NULL, "CLEAR", reporter, clear_id);
    publish_with("Community incident", NULL, "GREEN", reporter, green_id);
    publish_with("Organisation incident", NULL, "AMBER", reporter, amber_id);
    publish_with(HOSTILE_TITLE, HOSTILE_DESC, "CLEAR", reporter, hostile_id);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    api_stop_clean(&S);
    api_fini(&S);
    curl_global_cleanup();
    return 0;
}

/* ---- pages in six languages -------------------------------------------------- */

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

/* ---- language negotiation ------------------------------------------------- */

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
}

/* ---- escaping --------------------------------------------------------------- */

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

/* ---- sessions, cookies, CSRF ---------------------------------------------- */

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

/* ---- visibility --------------------------------------------------------------- */

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

/* ---- the filing form --------------------------------------------------------- */

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
    const char *err = strstr(b, "class=\"field-error\" id=\"err-1\" "
                                "data-field=\"references[0].url\"");
    assert_non_null(err);
    /* inside the reference field's wrapper, before its input */
    const char *wrap = strstr(b, "data-field=\"references[0].url\"><label");
    const char *input = strstr(b, "<input id=\"references[0].url\"");
    assert_non_null(wrap);
    assert_non_null(input);
    assert_true(wrap < err && err < input);
    assert_non_null(strstr(input, "aria-invalid=\"true\" "
                                  "aria-describedby=\"err-1\""));
    /* what was typed is kept */
    assert_non_null(strstr(b, "value=\"Bad reference\""));
    assert_non_null(strstr(b, "id=\"form-errors\""));
    api_reply_release(&r);

    /* submitting an incomplete report: saved as a draft, the missing
     * field named, in the page's language */
    f = (osafe_buf)OSAFE_BUF_INIT;
    form_add(&f, "csrf", csrf);
    form_add(&f, "title.text", "Only a title");
    form_add(&f, "lang", "en");
    form_add(&f, "action", "submit");
    web_req("POST", "/incidents/new?lang=fr", &(hdrs){{ch}}, f.data, &r);
    buf_release(&f);
    assert_int_equal(r.status, 422);
    assert_non_null(strstr(r.body.data, "data-field=\"record_type\">Ce champ "
                                        "est n\xc3\xa9" "cessaire"));
    /* the draft exists now: the form posts to its edit address */
    assert_non_null(strstr(r.body.data, "action=\"/incidents/OSAFE-"));
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
                        "<time datetime=\"2026-02-03T10:05:00Z\">3 f\xc3\xa9vr. "
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers_and_dates),
        cmocka_unit_test(test_every_page_in_six_languages),
        cmocka_unit_test(test_static_assets),
        cmocka_unit_test(test_dashboard),
        cmocka_unit_test(test_negotiation),
        cmocka_unit_test(test_hostile_content_escaped),
        cmocka_unit_test(test_login_cookie_flags),
        cmocka_unit_test(test_bad_token_error_in_place),
        cmocka_unit_test(test_csrf),
        cmocka_unit_test(test_anonymous_visibility),
        cmocka_unit_test(test_form_errors_in_place),
        cmocka_unit_test(test_file_review_publish),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
