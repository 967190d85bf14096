/*
 * test_web_sessions_db.c - session flood and restarts (issue 9 item 7),
 * against the real server (web_client.h).
 *
 * The review's attack: 4,200 POST /login with one token evicted every
 * other user's session (4,096 in-memory slots, oldest first).  Sessions
 * now live in the database, at most OSAFE_WEB_SESSIONS_PER_ACCOUNT per
 * account: the flood only displaces the flooding account's own sessions,
 * and a restart logs nobody out.  Form posts count against the account's
 * write limit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "core/limits.h"
#include "web_client.h"

/* The role the page shows for a session cookie ("anonymous" if none). */
static const char *role_of(const char *cookie)
{
    static char role[32];
    api_reply r;
    web_get("/", cookie, &r);
    assert_int_equal(r.status, 200);
    const char *m = strstr(r.body.data, "data-role=\"");
    assert_non_null(m);
    m += strlen("data-role=\"");
    snprintf(role, sizeof role, "%.*s", (int)strcspn(m, "\""), m);
    api_reply_release(&r);
    return role;
}

static void test_login_flood_keeps_other_sessions(void **state)
{
    (void)state;
    char rev[128], oth[128], first[128];
    assert_int_equal(login(reviewer, rev), 303);
    assert_int_equal(login(other_org, oth), 303);
    assert_int_equal(login(reporter, first), 303);
    /* the flood: one CSRF token (the day's anonymous one), one connection */
    api_reply r;
    web_get("/login", NULL, &r);
    char csrf[65];
    csrf_of(&r, csrf);
    api_reply_release(&r);
    osafe_buf f = OSAFE_BUF_INIT;
    form_add(&f, "csrf", csrf);
    form_add(&f, "token", reporter);
    char url[128];
    snprintf(url, sizeof url, "%s/login", S.base);
    CURL *c = curl_easy_init();
    assert_non_null(c);
    struct curl_slist *h = curl_slist_append(
        NULL, "Content-Type: application/x-www-form-urlencoded");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, f.data);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, api_on_write);
    osafe_buf sink = OSAFE_BUF_INIT;
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
    long ok = 0;
    for (int i = 0; i < 4200; i++) {
        long st = 0;
        if (curl_easy_perform(c) == CURLE_OK)
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &st);
        ok += st == 303;
        sink.len = 0;
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    buf_release(&sink);
    buf_release(&f);
    assert_int_equal(ok, 4200);
    /* everybody else is still logged in */
    assert_string_equal(role_of(rev), "reviewer");
    assert_string_equal(role_of(oth), "reporter");
    /* the flooding account kept only its newest sessions */
    assert_string_equal(role_of(first), "anonymous");
    char last[128];
    assert_int_equal(login(reporter, last), 303);
    assert_string_equal(role_of(last), "reporter");
}

static void test_session_survives_restart(void **state)
{
    (void)state;
    char rev[128];
    assert_int_equal(login(reviewer, rev), 303);
    assert_string_equal(role_of(rev), "reviewer");
    assert_int_equal(api_stop(&S), 0);
    api_start(&S);
    assert_string_equal(role_of(rev), "reviewer");
    /* and its CSRF token still works: logging out ends it */
    char csrf[65];
    page_csrf("/", rev, csrf);
    osafe_buf f = OSAFE_BUF_INIT;
    form_add(&f, "csrf", csrf);
    char ch[160];
    snprintf(ch, sizeof ch, "Cookie: %s", rev);
    api_reply r;
    web_req("POST", "/logout", &(hdrs){{ch}}, f.data, &r);
    buf_release(&f);
    assert_int_equal(r.status, 303);
    api_reply_release(&r);
    assert_string_equal(role_of(rev), "anonymous");
}

/* Form posts count against the signed-in account's write limit (issue 9
 * item 3): past a minute's worth (--write-rate, default 300) a 429 page
 * with Retry-After, before any handler runs. */
static void test_form_posts_limited(void **state)
{
    (void)state;
    char oth[128], ch[160];
    assert_int_equal(login(other_org, oth), 303);
    snprintf(ch, sizeof ch, "Cookie: %s", oth);
    api_reply r;
    int refused = 0, limited = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < 2 * OSAFE_RATE_WRITES_PER_MIN && limited < 3; i++) {
        /* a stale CSRF token: 403, nothing changed, one write spent */
        web_req("POST", "/incidents/new", &(hdrs){{ch}}, "csrf=00", &r);
        if (r.status == 429) {
            char v[16];
            assert_non_null(api_hdr(&r, "Retry-After", v, sizeof v));
            assert_true(atoi(v) >= 1);
            limited++;
        } else {
            assert_int_equal(r.status, 403);
            refused++;
        }
        api_reply_release(&r);
    }
    /* The bucket refills at the steady rate while the loop runs (slowly
     * under a sanitizer): those writes are allowed too, and no more. */
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) +
                  (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    int refill = (int)(secs * OSAFE_RATE_WRITES_PER_MIN / 60.0) + 2;
    assert_true(refused >= OSAFE_RATE_WRITES_PER_MIN &&
                refused <= OSAFE_RATE_WRITES_PER_MIN + refill);
    assert_true(limited >= 3);
    /* pages still load; another account still posts */
    assert_string_equal(role_of(oth), "reporter");
    char rev[128];
    assert_int_equal(login(reviewer, rev), 303);
    snprintf(ch, sizeof ch, "Cookie: %s", rev);
    web_req("POST", "/incidents/new", &(hdrs){{ch}}, "csrf=00", &r);
    assert_int_equal(r.status, 403);
    api_reply_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login_flood_keeps_other_sessions),
        cmocka_unit_test(test_session_survives_restart),
        cmocka_unit_test(test_form_posts_limited),
    };
    return cmocka_run_group_tests(tests, web_setup, web_teardown);
}
