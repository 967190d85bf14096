/*
 * test_ratelimit.c - anonymous CPU exhaustion and write floods (issue 9
 * item 3).
 *
 * The token buckets alone (server/ratelimit.c, with a hand-driven clock),
 * then the real server: one token's writes past --write-rate get 429 with
 * Retry-After while another account goes on; /risks rankings past
 * --read-rate from one address get 429, while the ones already computed
 * are answered from the cache (keyed by view, seed and log size).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "api_client.h"
#include "core/limits.h"
#include "server/ratelimit.h"

static void test_buckets(void **st)
{
    (void)st;
    ratelimit *rl;
    osafe_err e;
    assert_int_equal(ratelimit_new(60, 4, &rl, &e), 0); /* 1 a second */
    double t = 1000;
    for (int i = 0; i < 60; i++) /* a minute's burst */
        assert_int_equal(ratelimit_take(rl, "acct:1", t), 0);
    assert_int_equal(ratelimit_take(rl, "acct:1", t), 1);
    /* another key is not touched by the first one's flood */
    assert_int_equal(ratelimit_take(rl, "acct:2", t), 0);
    /* a token a second comes back */
    assert_int_equal(ratelimit_take(rl, "acct:1", t + 1.0), 0);
    assert_int_equal(ratelimit_take(rl, "acct:1", t + 1.0), 1);
    assert_int_equal(ratelimit_take(rl, "acct:1", t + 1.5), 1);
    ratelimit_free(rl);

    /* Retry-After in whole seconds, for a slow rate: 2 a minute */
    assert_int_equal(ratelimit_new(2, 4, &rl, &e), 0);
    assert_int_equal(ratelimit_take(rl, "ip:a", t), 0);
    assert_int_equal(ratelimit_take(rl, "ip:a", t), 0);
    assert_int_equal(ratelimit_take(rl, "ip:a", t), 30);
    assert_int_equal(ratelimit_take(rl, "ip:a", t + 20), 10);
    /* the table is bounded: many more keys than slots still work, and the
     * spent key keeps its state while idle ones give way */
    for (int i = 0; i < 100; i++) {
        char k[32];
        snprintf(k, sizeof k, "ip:%d", i);
        assert_int_equal(ratelimit_take(rl, k, t + 20), 0);
    }
    ratelimit_free(rl);

    /* 0: no limit, no table */
    assert_int_equal(ratelimit_new(0, 4, &rl, &e), 0);
    assert_null(rl);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(ratelimit_take(rl, "acct:1", t), 0);
}

static json_t *small_record(int i)
{
    char title[64];
    snprintf(title, sizeof title, "Rate limit record %d", i);
    return api_record(title, NULL);
}

static void test_write_flood(void **st)
{
    (void)st;
    api_srv s;
    api_init(&s);
    s.extra[0] = "--write-rate";
    s.extra[1] = "5";
    char a[128], b[128];
    api_token(&s, "a", "reporter", "org-a", a);
    api_token(&s, "b", "reporter", "org-b", b);
    api_start(&s);
    api_reply r;
    int created = 0, limited = 0;
    for (int i = 0; i < 8; i++) {
        json_t *j = small_record(i);
        char *text = api_dump(j);
        json_decref(j);
        api_http(&s, "POST", "/api/v1/records", a, text, &r);
        free(text);
        if (r.status == 201)
            created++;
        else if (r.status == 429) {
            char v[16];
            assert_non_null(api_hdr(&r, "Retry-After", v, sizeof v));
            assert_true(atoi(v) >= 1 && atoi(v) <= 60);
            api_expect_error(&r, 429, NULL, "write past the limit");
            limited++;
        }
        api_reply_release(&r);
    }
    assert_int_equal(created, 5);
    assert_int_equal(limited, 3);
    /* reads are not writes, and the other account is not limited */
    api_get(&s, "/api/v1/records", a, &r);
    API_EXPECT(&r, 200, "GET after the flood");
    api_reply_release(&r);
    json_t *j = small_record(99);
    char *text = api_dump(j);
    json_decref(j);
    api_http(&s, "POST", "/api/v1/records", b, text, &r);
    free(text);
    API_EXPECT(&r, 201, "other account");
    api_reply_release(&r);
    api_stop_clean(&s);
    api_fini(&s);
}

static long get_status(const api_srv *s, const char *path, char *retry,
                       size_t n)
{
    api_reply r;
    api_get(s, path, NULL, &r);
    long st = r.status;
    if (retry && !api_hdr(&r, "Retry-After", retry, n))
        retry[0] = '\0';
    api_reply_release(&r);
    return st;
}

static void test_ranking_flood(void **st)
{
    (void)st;
    api_srv s;
    api_init(&s);
    s.extra[0] = "--read-rate";
    s.extra[1] = "3";
    api_start(&s);
    char retry[16];
    /* three rankings computed, then the address is out of tokens */
    assert_int_equal(get_status(&s, "/risks", NULL, 0), 200);
    assert_int_equal(get_status(&s, "/risks?seed=1", NULL, 0), 200);
    assert_int_equal(get_status(&s, "/risks?seed=2", NULL, 0), 200);
    assert_int_equal(get_status(&s, "/risks?seed=3", retry, sizeof retry),
                     429);
    assert_true(atoi(retry) >= 1);
    /* what was computed is served from the cache, without a token */
    for (int i = 0; i < 5; i++) {
        assert_int_equal(get_status(&s, "/risks?seed=1", NULL, 0), 200);
        assert_int_equal(get_status(&s, "/risks", NULL, 0), 200);
    }
    /* other pages and the API are not ranking computations */
    assert_int_equal(get_status(&s, "/api/v1/records", NULL, 0), 200);
    api_stop_clean(&s);
    api_fini(&s);
}

static void test_bad_options(void **st)
{
    (void)st;
    char *argv[] = {(char *)api_osafe(), "serve", "--write-rate", "-1",
                    "--db", "/nonexistent/x.db", NULL};
    assert_int_not_equal(api_run(argv, NULL, NULL), 0);
    char *argv2[] = {(char *)api_osafe(), "serve", "--read-rate",
                     "99999999999", "--db", "/nonexistent/x.db", NULL};
    assert_int_not_equal(api_run(argv2, NULL, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buckets),
        cmocka_unit_test(test_write_flood),
        cmocka_unit_test(test_ranking_flood),
        cmocka_unit_test(test_bad_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
