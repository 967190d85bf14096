/*
 * test_web_risk_once.c - visitors who ask at once for a ranking that is
 * not in the cache share one computation (server/web_risk.c).  With a
 * thread per connection, every one of them used to rank on its own, each
 * slower for the others: with 64 readers the pages took seconds.
 *
 * In-process (registry, web and HTTP server as `osafe serve` starts
 * them), so that the web's count of rankings can be read.  Needs the
 * shared example record (SKIP without ../shared).
 */
#include <curl/curl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "core/fsx.h"
#include "registry/registry.h"
#include "server/api.h"
#include "server/http.h"
#include "server/web.h"
#include "tlog/log.h"
#include "vectors.h"

#define RECORDS 300
#define VISITORS 16

static unsigned port;
static pthread_barrier_t start;

static size_t sink(char *p, size_t sz, size_t n, void *ud)
{
    (void)p;
    (void)ud;
    return sz * n;
}

static void *visit(void *arg)
{
    long *status = arg;
    char url[96];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/risks?seed=4242", port);
    CURL *c = curl_easy_init();
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 60000L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
    pthread_barrier_wait(&start);
    if (curl_easy_perform(c) == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    curl_easy_cleanup(c);
    return NULL;
}

static void publish(registry *reg, const char *json)
{
    reg_caller c;
    osafe_err e;
    assert_int_equal(reg_import_caller(reg, "once", &c, &e), 0);
    static reg_import_item items[RECORDS];
    static char keys[RECORDS][32];
    for (int i = 0; i < RECORDS; i++) {
        snprintf(keys[i], sizeof keys[i], "once:%d", i);
        items[i] = (reg_import_item){.source_key = keys[i], .json = json,
                                     .len = strlen(json)};
    }
    assert_int_equal(reg_import_batch(reg, &c, items, RECORDS, 1, &e), 0);
    for (int i = 0; i < RECORDS; i++)
        assert_int_equal(items[i].status, 0);
}

static void test_simultaneous_visitors_share_one_ranking(void **state)
{
    (void)state;
    char ex[512];
    vec_require("design/examples/minimal-incident.json", ex, sizeof ex);
    if (!ex[0])
        skip();
    osafe_err e;
    char *json;
    size_t len;
    assert_int_equal(fsx_read_file(ex, 1 << 20, &json, &len, &e), 0);

    char dir[] = "/tmp/osafe-risk-once-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char db[128], logdir[128], key[128];
    snprintf(db, sizeof db, "%s/osafe.db", dir);
    snprintf(logdir, sizeof logdir, "%s/log", dir);
    snprintf(key, sizeof key, "%s/log.key", dir);
    tlog_signer s;
    osafe_buf kb = OSAFE_BUF_INIT;
    assert_int_equal(tlog_signer_generate("once.test/log", &s, &e), 0);
    assert_int_equal(tlog_signer_format(&s, &kb), 0);
    tlog_signer_wipe(&s);
    assert_int_equal(fsx_write_new(key, kb.data, kb.len, 0600, &e), 0);
    buf_release(&kb);
    assert_int_equal(tlog_log_init(logdir, "once.test/log", key, &e), 0);
    registry *reg;
    reg_opts ro = {db, logdir, key, "OSAFE", "once", 5};
    assert_int_equal(reg_open(&ro, &reg, &e), 0);
    publish(reg, json);

    web *w;
    assert_int_equal(web_open(reg, logdir, &w, &e), 0);
    http_opts ho;
    http_opts_default(&ho);
    ho.listen = "127.0.0.1:0";
    ho.threads = 4;
    ho.thread_per_conn = 1; /* as `osafe serve` */
    api_ctx ctx = {reg, logdir, w, NULL, NULL};
    http_server *srv;
    assert_int_equal(http_server_start(&ho, api_handle, &ctx, &srv, &e), 0);
    port = http_server_port(srv);

    pthread_t t[VISITORS];
    long status[VISITORS] = {0};
    pthread_barrier_init(&start, NULL, VISITORS);
    for (int i = 0; i < VISITORS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, visit, &status[i]), 0);
    for (int i = 0; i < VISITORS; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&start);
    for (int i = 0; i < VISITORS; i++)
        assert_int_equal(status[i], 200);
    unsigned long n = web_risk_rankings(w);

    http_server_stop(srv);
    web_close(w);
    reg_close(reg);
    free(json);
    assert_int_equal(fsx_remove_tree(dir, &e), 0);
    if (n != 1)
        fail_msg("%d simultaneous visitors made %lu rankings, not one",
                 VISITORS, n);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simultaneous_visitors_share_one_ranking),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return vec_exit(failed);
}
