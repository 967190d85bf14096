/*
 * test_fed_fetch.c - how a sync treats a peer's server (federation/
 * fetch.c, issue 12): a transient failure (503, 429, a dropped
 * connection) is retried with a growing, jittered wait and the sync goes
 * on; a 404 is not retried; requests are paced by the rate limit.  The
 * peer is a scripted HTTP server on loopback, answering each request with
 * the next status of its script and closing the connection.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "federation/fed_int.h"
#include "tlog/proof.h"

struct peer {
    int fd;
    int port;
    const int *script; /* statuses, then 200 for ever; 0 ends the script */
    int tiles;         /* 1: answer hash tiles (zeros) of the asked width */
    int served;
    _Atomic int stop;
    pthread_t th;
};

/* The body for GET path: a hash tile of the width the path names (full:
 * 256 hashes), zeros; the proofs' hashes do not matter, their reads do. */
static size_t tile_len(const char *req)
{
    const char *sp = strchr(req + 4, ' ');
    const char *p = strstr(req, ".p/");
    if (p && sp && p < sp)
        return (size_t)strtoul(p + 3, NULL, 10) * 32;
    return 256 * 32;
}

static void answer_tile(int c, const char *req)
{
    static char zeros[256 * 32];
    size_t n = tile_len(req);
    char head[128];
    int len = snprintf(head, sizeof head,
                       "HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n"
                       "Connection: close\r\n\r\n",
                       n);
    ssize_t w = write(c, head, (size_t)len);
    if (w == len)
        w = write(c, zeros, n);
    (void)w;
}

static void answer(int c, int status, int tiles)
{
    char req[4096];
    size_t n = 0;
    /* the request head only: these are GETs */
    while (n < sizeof req - 1) {
        ssize_t r = read(c, req + n, sizeof req - 1 - n);
        if (r <= 0)
            return;
        n += (size_t)r;
        req[n] = '\0';
        if (strstr(req, "\r\n\r\n"))
            break;
    }
    if (tiles)
        return answer_tile(c, req);
    char resp[256];
    const char *body = status == 200 ? "hello" : "busy";
    int len = snprintf(resp, sizeof resp,
                       "HTTP/1.1 %d X\r\nContent-Length: %zu\r\n%s"
                       "Connection: close\r\n\r\n%s",
                       status, strlen(body),
                       status == 429 ? "Retry-After: 0\r\n" : "", body);
    ssize_t w = write(c, resp, (size_t)len);
    (void)w; /* the client judges what it got */
}

static void *serve(void *arg)
{
    struct peer *p = arg;
    for (;;) {
        int c = accept(p->fd, NULL, NULL);
        if (c < 0 || p->stop) {
            if (c >= 0)
                close(c);
            return NULL;
        }
        int status = 200;
        if (p->script && p->script[p->served])
            status = p->script[p->served];
        else
            p->script = NULL;
        p->served++;
        answer(c, status, p->tiles);
        close(c);
    }
}

static void peer_start(struct peer *p, const int *script)
{
    memset(p, 0, sizeof *p);
    p->script = script;
    p->fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(p->fd >= 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(p->fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t al = sizeof a;
    assert_int_equal(getsockname(p->fd, (struct sockaddr *)&a, &al), 0);
    p->port = ntohs(a.sin_port);
    assert_int_equal(listen(p->fd, 16), 0);
    assert_int_equal(pthread_create(&p->th, NULL, serve, p), 0);
}

static void peer_stop(struct peer *p)
{
    p->stop = 1;
    /* wake accept() */
    int c = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t)p->port);
    if (connect(c, (struct sockaddr *)&a, sizeof a) != 0)
        fail_msg("cannot wake the scripted peer");
    close(c);
    pthread_join(p->th, NULL);
    close(p->fd);
}

static void open_peer(fed__http *h, const struct peer *p)
{
    char url[64];
    osafe_err e;
    snprintf(url, sizeof url, "http://127.0.0.1:%d", p->port);
    assert_int_equal(fed__http_open(h, url, &e), 0);
    h->rate = 0; /* unpaced unless the test says */
}

static void test_transient_failures_are_retried(void **state)
{
    (void)state;
    static const int script[] = {503, 429, 502, 0};
    struct peer p;
    peer_start(&p, script);
    fed__http h;
    open_peer(&h, &p);
    osafe_buf b = OSAFE_BUF_INIT;
    osafe_err e;
    assert_int_equal(fed__get(&h, "checkpoint", 100, &b, &e), 0);
    assert_string_equal(b.data, "hello");
    assert_int_equal(h.retried, 3);
    assert_int_equal(h.requests, 4);
    fed__http_close(&h);
    peer_stop(&p);
    assert_int_equal(p.served, 4);
    buf_release(&b);
}

static void test_retries_are_bounded(void **state)
{
    (void)state;
    static const int script[] = {503, 503, 503, 503, 0};
    struct peer p;
    peer_start(&p, script);
    fed__http h;
    open_peer(&h, &p);
    h.retries = 1;
    osafe_buf b = OSAFE_BUF_INIT;
    osafe_err e;
    assert_int_equal(fed__get(&h, "checkpoint", 100, &b, &e), OSAFE_EIO);
    assert_non_null(strstr(e.msg, "after 1 retries"));
    assert_non_null(strstr(e.msg, "answered 503"));
    fed__http_close(&h);
    peer_stop(&p);
    assert_int_equal(p.served, 2);
    buf_release(&b);
}

static void test_not_found_is_not_retried(void **state)
{
    (void)state;
    static const int script[] = {404, 0};
    struct peer p;
    peer_start(&p, script);
    fed__http h;
    open_peer(&h, &p);
    osafe_buf b = OSAFE_BUF_INIT;
    osafe_err e;
    assert_int_equal(fed__get(&h, "tile/0/000", 100, &b, &e),
                     OSAFE_ENOTFOUND);
    assert_int_equal(h.retried, 0);
    fed__http_close(&h);
    peer_stop(&p);
    assert_int_equal(p.served, 1);
    buf_release(&b);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A lower bound only: a loaded machine makes it slower, never faster. */
static void test_rate_limit_paces_requests(void **state)
{
    (void)state;
    struct peer p;
    peer_start(&p, NULL);
    fed__http h;
    open_peer(&h, &p);
    h.rate = 40; /* 25 ms apart */
    osafe_buf b = OSAFE_BUF_INIT;
    osafe_err e;
    double t0 = now_s();
    for (int i = 0; i < 9; i++)
        assert_int_equal(fed__get(&h, "checkpoint", 100, &b, &e), 0);
    double dt = now_s() - t0;
    assert_true(dt >= 8 * 0.025 - 0.002);
    fed__http_close(&h);
    peer_stop(&p);
    buf_release(&b);
}

static void test_backoff_is_jittered_and_capped(void **state)
{
    (void)state;
    assert_int_equal(fed__backoff_ms(0, 0, 0), 0);
    assert_int_equal(fed__backoff_ms(0, 0, OSAFE_PEER_BACKOFF_BASE_MS),
                     OSAFE_PEER_BACKOFF_BASE_MS);
    /* the window doubles per attempt... */
    assert_int_equal(fed__backoff_ms(2, 0, 4 * OSAFE_PEER_BACKOFF_BASE_MS),
                     4 * OSAFE_PEER_BACKOFF_BASE_MS);
    assert_true(fed__backoff_ms(1, 0, 4 * OSAFE_PEER_BACKOFF_BASE_MS) <=
                2 * OSAFE_PEER_BACKOFF_BASE_MS);
    /* ...up to the cap, whatever the attempt */
    for (uint32_t r = 0; r < 100000; r += 997)
        assert_true(fed__backoff_ms(40, 0, r * 7919u) <=
                    OSAFE_PEER_BACKOFF_MAX_MS);
    /* jitter: different draws, different waits */
    assert_true(fed__backoff_ms(3, 0, 17) != fed__backoff_ms(3, 0, 1234));
    /* the peer's Retry-After is a floor, capped */
    assert_int_equal(fed__backoff_ms(0, 3000, 1), 3000);
    assert_int_equal(fed__backoff_ms(0, 1000000, 1),
                     OSAFE_PEER_BACKOFF_MAX_MS);
}

/* serve --sync-interval: a peer failing sync after sync is tried less
 * often, never more often than the interval, never later than the cap. */
static void test_down_peer_waits_grow(void **state)
{
    (void)state;
    assert_int_equal(fed_down_wait_s(60, 0, 12345), 60);
    for (uint32_t r = 0; r < 50000; r += 101) {
        unsigned w1 = fed_down_wait_s(60, 1, r * 2654435761u);
        unsigned w3 = fed_down_wait_s(60, 3, r * 2654435761u);
        assert_true(w1 >= 60 && w1 <= 120);
        assert_true(w3 >= 240 && w3 <= 480);
        assert_true(fed_down_wait_s(60, 30, r) <=
                    OSAFE_PEER_DOWN_BACKOFF_MAX_S);
        assert_true(fed_down_wait_s(60, 30, r) >=
                    OSAFE_PEER_DOWN_BACKOFF_MAX_S / 2);
    }
    assert_true(fed_down_wait_s(60, 3, 1) != fed_down_wait_s(60, 3, 200));
    /* an interval longer than the cap is never shortened */
    assert_int_equal(fed_down_wait_s(86400, 5, 7), 86400);
}

/* A sync proves every bundle against the signed root: on a tree past one
 * level-1 tile the proofs alternate between the full tiles left of the
 * path and the partial ones at the edge.  Each tile is fetched once. */
static void test_tiles_are_fetched_once(void **state)
{
    (void)state;
    struct peer p;
    peer_start(&p, NULL);
    p.tiles = 1;
    fed__http h;
    open_peer(&h, &p);
    const uint64_t size = 2 * 65536 + 3 * 256 + 100;
    fed__tiles t;
    fed__tiles_init(&t, &h, size);
    tlog_reader rd = fed__tiles_reader(&t);
    osafe_err e;
    for (uint64_t to = 256; to < size; to += 256) {
        tlog_hash proof[TLOG_PROOF_MAX];
        size_t n;
        assert_int_equal(tlog_prove_consistency(&rd, to, size, proof, &n,
                                                &e),
                         0);
    }
    fed__tiles_free(&t);
    /* 515 proofs; the distinct tiles they read are a handful */
    assert_true(h.requests <= 12);
    fed__http_close(&h);
    peer_stop(&p);
}

static void test_dropped_connection_is_retried(void **state)
{
    (void)state;
    /* a peer that is not listening yet: connection refused, retried, and
     * reported as such once the retries are spent */
    struct peer p;
    peer_start(&p, NULL);
    int port = p.port;
    peer_stop(&p);
    fed__http h;
    char url[64];
    osafe_err e;
    snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
    assert_int_equal(fed__http_open(&h, url, &e), 0);
    h.rate = 0;
    h.retries = 2;
    osafe_buf b = OSAFE_BUF_INIT;
    assert_int_equal(fed__get(&h, "checkpoint", 100, &b, &e), OSAFE_EIO);
    assert_int_equal(h.retried, 2);
    assert_non_null(strstr(e.msg, "after 2 retries"));
    fed__http_close(&h);
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transient_failures_are_retried),
        cmocka_unit_test(test_retries_are_bounded),
        cmocka_unit_test(test_not_found_is_not_retried),
        cmocka_unit_test(test_rate_limit_paces_requests),
        cmocka_unit_test(test_backoff_is_jittered_and_capped),
        cmocka_unit_test(test_dropped_connection_is_retried),
        cmocka_unit_test(test_down_peer_waits_grow),
        cmocka_unit_test(test_tiles_are_fetched_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
