/*
 * web_client.h - what the web interface tests (test_web*.c) share: one
 * `osafe serve` with a reporter, a reviewer, a reporter of another
 * organisation and four published records (CLEAR, GREEN, AMBER, and one
 * with hostile markup in its title and description), and HTTP helpers for
 * pages: several headers, form bodies, CSRF tokens, session cookies.
 *
 * Header-only (static inline), after <cmocka.h>; builds on api_client.h.
 * Failures name paths, statuses and languages, never record text.
 */
#ifndef OSAFE_TESTS_WEB_CLIENT_H
#define OSAFE_TESTS_WEB_CLIENT_H

#include "api_client.h"
#include "server/web_int.h"

static api_srv S;
static char reporter[128], reviewer[128], other_org[128];
static char clear_id[32], green_id[32], amber_id[32], hostile_id[32];

#define HOSTILE_TITLE                                                        \
    "<script>alert(\"t\")</script><img src=x onerror=alert(1)>"
#define HOSTILE_DESC "\"><svg onload=alert(2)>&amp; 'q'"

/* ---- HTTP with several headers and form bodies --------------------------- */

typedef struct hdrs {
    const char *h[6];
} hdrs;

static inline void web_req(const char *method, const char *path,
                           const hdrs *hs, const char *form, api_reply *r)
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
        assert_int_equal(buf_puts(&r->body, ""), 0);
    if (!r->hdrs.data)
        assert_int_equal(buf_puts(&r->hdrs, ""), 0);
    if (rc != CURLE_OK)
        fail_msg("%s %s: %s", method, path, curl_easy_strerror(rc));
}

static inline void web_get(const char *path, const char *cookie,
                           api_reply *r)
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
static inline void form_add(osafe_buf *b, const char *name,
                            const char *value)
{
    CURL *c = curl_easy_init();
    char *n = curl_easy_escape(c, name, 0);
    char *v = curl_easy_escape(c, value, 0);
    assert_int_equal(buf_printf(b, "%s%s=%s", b->len ? "&" : "", n, v), 0);
    curl_free(n);
    curl_free(v);
    curl_easy_cleanup(c);
}

/* The value of the first csrf hidden field of a page ("" if none). */
static inline void csrf_of(const api_reply *r, char out[65])
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
static inline int session_cookie(const api_reply *r, char *cookie,
                                 size_t size, char *whole, size_t wsize)
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
static inline long login(const char *token, char cookie[128])
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
static inline void page_csrf(const char *path, const char *cookie,
                             char csrf[65])
{
    api_reply r;
    web_get(path, cookie, &r);
    assert_int_equal(r.status, 200);
    csrf_of(&r, csrf);
    assert_int_equal(strlen(csrf), 64);
    api_reply_release(&r);
}

static inline const char *state_of(const char *id, const char *token)
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

/* ---- fixture ------------------------------------------------------------- */

static inline void publish_with(const char *title, const char *desc,
                                const char *tlp, const char *owner,
                                char id[32])
{
    json_t *j = api_record(title, desc);
    json_object_set_new(j, "tlp", json_string(tlp));
    api_create(&S, owner, j, id);
    json_decref(j);
    api_publish(&S, owner, reviewer, id);
}

static inline int web_setup(void **state)
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

static inline int web_teardown(void **state)
{
    (void)state;
    api_stop_clean(&S);
    api_fini(&S);
    curl_global_cleanup();
    return 0;
}

#endif
