/*
 * test_http.c - server/http.h against a real server on 127.0.0.1:0.
 *
 * Well-formed requests go through libcurl; requests curl refuses to send
 * (duplicate Content-Length, Content-Length with chunked, oversized chunked
 * bodies) are written by hand over a plain TCP socket.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/limits.h"
#include "server/http.h"
#include "vectors.h"

#define TEST_MAX_BODY 4096

typedef struct fixture {
    http_server *srv;
    atomic_int calls;
    /* /block waits (at most 5 s) until /release has been requested */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int released;
    char dir[64];
    char file[128];
    char url[64];
} fixture;

/* ===== the handler under test ===== */

static const char *nz(const char *s)
{
    return s ? s : "<none>";
}

static void handler(void *ctx, const http_req *req, http_resp *w)
{
    fixture *f = ctx;
    atomic_fetch_add(&f->calls, 1);
    const char *path = http_req_path(req);

    if (!strcmp(path, "/block")) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 5;
        pthread_mutex_lock(&f->mu);
        int rc = 0;
        while (!f->released && rc == 0)
            rc = pthread_cond_timedwait(&f->cv, &f->mu, &until);
        int ok = f->released;
        pthread_mutex_unlock(&f->mu);
        http_resp_json(w, ok ? 200 : 504, ok ? "{}" : "{\"timeout\":1}");
    } else if (!strcmp(path, "/release")) {
        pthread_mutex_lock(&f->mu);
        f->released = 1;
        pthread_cond_broadcast(&f->cv);
        pthread_mutex_unlock(&f->mu);
        http_resp_json(w, 200, "{}");
    } else if (!strcmp(path, "/file")) {
        http_resp_file(w, f->file, "text/plain; charset=utf-8",
                       "public, max-age=60");
    } else if (!strcmp(path, "/missing")) {
        char p[160];
        snprintf(p, sizeof p, "%s/nope.txt", f->dir);
        assert_int_equal(http_resp_file(w, p, "text/plain", "max-age=60"),
                         OSAFE_ENOTFOUND);
    } else if (!strcmp(path, "/json")) {
        http_resp_json(w, 201, "{\"ok\":true}");
    } else if (!strcmp(path, "/json-cached")) {
        http_resp_json(w, 200, "{}");
        http_resp_header(w, "Cache-Control", "max-age=5");
    } else if (!strcmp(path, "/err")) {
        http_resp_error(w, 422, "invalid", "name", "bad \"%s\"\n\x01\xff",
                        "x\\y");
    } else if (!strcmp(path, "/nothing")) {
        /* writes no response: the server must answer 500 */
    } else if (!strcmp(path, "/badstatus")) {
        http_resp_status(w, 42);
    } else if (!strcmp(path, "/hdr")) {
        /* one call per statement: argument evaluation order is unspecified */
        int rc[7];
        rc[0] = http_resp_header(w, "X-Ok", "fine");
        rc[1] = http_resp_header(w, "X-Bad", "a\r\nSet-Cookie: x=1");
        rc[2] = http_resp_header(w, "Bad Name", "v");
        rc[3] = http_resp_header(w, "Content-Length", "3");
        rc[4] = http_resp_header(w, "Connection", "keep-alive");
        rc[5] = http_resp_header(w, "X-Ok", "replaced");
        rc[6] = http_resp_header(w, "Content-Type", "text/x-test");
        char out[64];
        snprintf(out, sizeof out, "%d %d %d %d %d %d %d", rc[0], rc[1], rc[2],
                 rc[3], rc[4], rc[5], rc[6]);
        http_resp_body(w, "text/plain", out, strlen(out));
        http_resp_header(w, "Content-Type", "text/x-test");
    } else {
        /* echo */
        size_t len;
        const char *body = http_req_body(req, &len);
        osafe_buf b = OSAFE_BUF_INIT;
        /* both appends are sticky (core/buf.h): one check below */
        OSAFE_IGNORE(buf_printf(&b,
                   "method=%s\npath=%s\nname=%s\nflag=%s\nName=%s\n"
                   "x-test=%s\nremote=%s\nlen=%zu\nbody=",
                   http_req_method(req), path, nz(http_req_query(req, "name")),
                   nz(http_req_query(req, "flag")),
                   nz(http_req_query(req, "Name")),
                   nz(http_req_header(req, "x-test")), http_req_remote(req),
                   len));
        OSAFE_IGNORE(buf_append(&b, body, len));
        if (buf_status(&b) != 0)
            http_resp_error(w, 500, "internal", NULL, "out of memory");
        else
            http_resp_body(w, "text/plain", b.data, b.len);
        buf_release(&b);
    }
}

/* ===== fixtures ===== */

static int setup_with(void **state, int thread_per_conn)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->cv, NULL);
    snprintf(f->dir, sizeof f->dir, "/tmp/osafe-http-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->file, sizeof f->file, "%s/hello.txt", f->dir);
    FILE *fp = fopen(f->file, "w");
    if (!fp)
        return -1;
    fputs("hello, file\n", fp);
    fclose(fp);

    http_opts o;
    http_opts_default(&o);
    o.listen = "127.0.0.1:0";
    o.max_body = TEST_MAX_BODY;
    if (thread_per_conn) { /* one database connection, any number of
                              connections */
        o.threads = 1;
        o.thread_per_conn = 1;
    }
    osafe_err e = {0};
    if (http_server_start(&o, handler, f, &f->srv, &e) != 0) {
        fprintf(stderr, "start: %s\n", e.msg);
        return -1;
    }
    snprintf(f->url, sizeof f->url, "http://127.0.0.1:%u",
             http_server_port(f->srv));
    *state = f;
    return 0;
}

static int setup(void **state)
{
    return setup_with(state, 0);
}

static int setup_per_conn(void **state)
{
    return setup_with(state, 1);
}

static int teardown(void **state)
{
    fixture *f = *state;
    http_server_stop(f->srv);
    pthread_mutex_destroy(&f->mu);
    pthread_cond_destroy(&f->cv);
    unlink(f->file);
    rmdir(f->dir);
    free(f);
    return 0;
}

/* ===== client helpers ===== */

typedef struct reply {
    long status;
    osafe_buf body;
    osafe_buf hdrs;
} reply;

static size_t on_write(char *p, size_t sz, size_t n, void *ud)
{
    return buf_append(ud, p, sz * n) ? 0 : sz * n;
}

typedef struct upload {
    const char *data;
    size_t len, off;
} upload;

static size_t on_read(char *p, size_t sz, size_t n, void *ud)
{
    upload *u = ud;
    size_t k = u->len - u->off;
    if (k > sz * n)
        k = sz * n;
    if (k > 700) /* several chunks */
        k = 700;
    memcpy(p, u->data + u->off, k);
    u->off += k;
    return k;
}

/*
 * One request with its own easy handle (so threads can call it).  body NULL:
 * no body; chunked: send it with Transfer-Encoding: chunked.
 */
static CURLcode fetch(const char *method, const char *url, const void *body,
                      size_t len, int chunked, const char *header, reply *out)
{
    memset(out, 0, sizeof *out);
    CURL *c = curl_easy_init();
    assert_non_null(c);
    struct curl_slist *h = NULL;
    upload u = {body, len, 0};
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &out->body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_write);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &out->hdrs);
    if (header)
        h = curl_slist_append(h, header);
    if (body && chunked) {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(c, CURLOPT_READDATA, &u);
        h = curl_slist_append(h, "Transfer-Encoding: chunked");
    } else if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return rc;
}

static void reply_release(reply *r)
{
    buf_release(&r->body);
    buf_release(&r->hdrs);
}

/* Value of response header name (last one wins), or NULL. */
static const char *hdr(const char *text, const char *name, char *out,
                       size_t outlen)
{
    const char *found = NULL;
    size_t n = strlen(name);
    for (const char *p = text; p && *p;) {
        const char *eol = strstr(p, "\r\n");
        if (!eol)
            break;
        if (!strncasecmp(p, name, n) && p[n] == ':') {
            const char *v = p + n + 1;
            while (*v == ' ')
                v++;
            snprintf(out, outlen, "%.*s", (int)(eol - v), v);
            found = out;
        }
        p = eol + 2;
    }
    return found;
}

static void assert_hdr(const osafe_buf *h, const char *name, const char *want)
{
    char v[256];
    const char *got = hdr(h->data, name, v, sizeof v);
    if (!want) {
        assert_null(got);
        return;
    }
    assert_non_null(got);
    assert_string_equal(got, want);
}

/* Check the JSON error shape; returns nothing, fails the test if wrong. */
static void assert_error_json(const char *text, int status, const char *code)
{
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    assert_non_null(j);
    json_t *err = json_object_get(j, "error");
    assert_true(json_is_object(err));
    assert_int_equal(json_integer_value(json_object_get(err, "status")),
                     status);
    assert_string_equal(json_string_value(json_object_get(err, "code")),
                        code);
    assert_true(json_is_string(json_object_get(err, "message")));
    json_decref(j);
}

/*
 * Raw request over TCP: send req (len bytes), then read until EOF or a 5 s
 * silence.  Returns the bytes read (NUL-terminated in out); *eof says
 * whether the server closed the connection.
 */
static size_t raw(unsigned port, const char *req, size_t len, char *out,
                  size_t outmax, int *eof)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    for (size_t off = 0; off < len;) {
        ssize_t k = send(fd, req + off, len - off, MSG_NOSIGNAL);
        if (k <= 0)
            break; /* the server may close on us: that is a result too */
        off += (size_t)k;
    }
    size_t got = 0;
    *eof = 0;
    while (got + 1 < outmax) {
        ssize_t k = recv(fd, out + got, outmax - 1 - got, 0);
        if (k > 0) {
            got += (size_t)k;
            continue;
        }
        if (k == 0 || errno == ECONNRESET)
            *eof = 1;
        break;
    }
    out[got] = '\0';
    close(fd);
    return got;
}

static const char *raw_body(const char *resp)
{
    const char *p = strstr(resp, "\r\n\r\n");
    return p ? p + 4 : "";
}

/* ===== tests ===== */

static void test_echo_roundtrip(void **state)
{
    fixture *f = *state;
    char url[256];
    snprintf(url, sizeof url,
             "%s/echo/a%%20b?name=hello%%20world&flag&name=second", f->url);
    static const char body[] = "hello\0world";
    reply r;
    assert_int_equal(fetch("PUT", url, body, sizeof body - 1, 0,
                           "X-Test: Value 1", &r),
                     CURLE_OK);
    assert_int_equal(r.status, 200);
    static const char want[] = "method=PUT\npath=/echo/a b\nname=hello world\n"
                               "flag=\nName=<none>\nx-test=Value 1\n"
                               "remote=127.0.0.1\nlen=11\nbody=hello\0world";
    assert_int_equal(r.body.len, sizeof want - 1);
    assert_memory_equal(r.body.data, want, sizeof want - 1);
    assert_hdr(&r.hdrs, "Content-Type", "text/plain");
    assert_hdr(&r.hdrs, "X-Content-Type-Options", "nosniff");
    assert_hdr(&r.hdrs, "Cache-Control", NULL);
    reply_release(&r);

    /* no body at all: "" with length 0 */
    assert_int_equal(fetch("GET", f->url, NULL, 0, 0, NULL, &r), CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body.data, "method=GET\npath=/\n"));
    assert_non_null(strstr(r.body.data, "x-test=<none>\n"));
    assert_non_null(strstr(r.body.data, "len=0\nbody="));
    reply_release(&r);
    assert_int_equal(atomic_load(&f->calls), 2);
}

static void test_content_length_over_limit(void **state)
{
    fixture *f = *state;
    /* Headers only, no body byte: the 413 must come anyway, proving the
     * check happens before the body is read. */
    char req[256], resp[4096];
    int n = snprintf(req, sizeof req,
                     "POST /x HTTP/1.1\r\nHost: t\r\n"
                     "Content-Length: %d\r\n\r\n",
                     TEST_MAX_BODY + 1);
    int eof;
    raw(http_server_port(f->srv), req, (size_t)n, resp, sizeof resp, &eof);
    assert_true(!strncmp(resp, "HTTP/1.1 413 ", 13));
    assert_true(eof);
    assert_error_json(raw_body(resp), 413, "too_large");

    /* and through curl with a real body */
    char *big = calloc(1, TEST_MAX_BODY * 4);
    assert_non_null(big);
    reply r;
    fetch("POST", f->url, big, TEST_MAX_BODY * 4, 0, NULL, &r);
    free(big);
    assert_int_equal(r.status, 413);
    assert_hdr(&r.hdrs, "Content-Type", "application/json; charset=utf-8");
    assert_hdr(&r.hdrs, "Cache-Control", "no-store");
    assert_error_json(r.body.data, 413, "too_large");
    reply_release(&r);

    /* exactly the limit is fine */
    big = calloc(1, TEST_MAX_BODY);
    assert_non_null(big);
    fetch("POST", f->url, big, TEST_MAX_BODY, 0, NULL, &r);
    free(big);
    assert_int_equal(r.status, 200);
    reply_release(&r);
    assert_int_equal(atomic_load(&f->calls), 1);
}

static void expect_400(fixture *f, const char *req)
{
    char resp[4096];
    int eof;
    raw(http_server_port(f->srv), req, strlen(req), resp, sizeof resp, &eof);
    assert_true(!strncmp(resp, "HTTP/1.1 400 ", 13));
    /* the framing is ambiguous: the connection must not be reused */
    assert_true(eof);
    char v[64];
    assert_non_null(hdr(resp, "Connection", v, sizeof v));
    assert_string_equal(v, "close");
    assert_error_json(raw_body(resp), 400, "bad_request");
}

static void test_duplicate_content_length(void **state)
{
    fixture *f = *state;
    expect_400(f, "POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
                  "Content-Length: 5\r\n\r\nhello");
    expect_400(f, "POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
                  "Content-Length: 0\r\n\r\nhello");
    assert_int_equal(atomic_load(&f->calls), 0);
}

static void test_content_length_and_chunked(void **state)
{
    fixture *f = *state;
    expect_400(f, "POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n"
                  "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
    expect_400(f, "POST /x HTTP/1.1\r\nHost: t\r\n"
                  "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n"
                  "5\r\nhello\r\n0\r\n\r\n");
    assert_int_equal(atomic_load(&f->calls), 0);
}

static void test_chunked_within_limit(void **state)
{
    fixture *f = *state;
    char *body = malloc(TEST_MAX_BODY);
    assert_non_null(body);
    for (size_t i = 0; i < TEST_MAX_BODY; i++)
        body[i] = (char)('a' + i % 26);
    reply r;
    assert_int_equal(fetch("POST", f->url, body, TEST_MAX_BODY, 1, NULL, &r),
                     CURLE_OK);
    assert_int_equal(r.status, 200);
    char want[32];
    snprintf(want, sizeof want, "len=%d\nbody=", TEST_MAX_BODY);
    const char *p = strstr(r.body.data, want);
    assert_non_null(p);
    assert_memory_equal(p + strlen(want), body, TEST_MAX_BODY);
    free(body);
    reply_release(&r);
    assert_int_equal(atomic_load(&f->calls), 1);
}

/* A chunked request of total body bytes, in 1000-byte chunks. */
static char *chunked_req(size_t total, size_t *len)
{
    osafe_buf b = OSAFE_BUF_INIT;
    assert_int_equal(buf_puts(&b, "POST /x HTTP/1.1\r\nHost: t\r\n"
                 "Transfer-Encoding: chunked\r\n\r\n"), 0);
    char chunk[1000];
    memset(chunk, 'z', sizeof chunk);
    for (size_t sent = 0; sent < total;) {
        size_t k = total - sent < sizeof chunk ? total - sent : sizeof chunk;
        assert_int_equal(buf_printf(&b, "%zx\r\n", k), 0);
        assert_int_equal(buf_append(&b, chunk, k), 0);
        assert_int_equal(buf_puts(&b, "\r\n"), 0);
        sent += k;
    }
    assert_int_equal(buf_puts(&b, "0\r\n\r\n"), 0);
    return buf_detach(&b, len);
}

static void test_chunked_over_limit(void **state)
{
    fixture *f = *state;
    /* Slightly over: drained and answered 413. */
    size_t len;
    char *req = chunked_req(TEST_MAX_BODY + 500, &len);
    char resp[4096];
    int eof;
    raw(http_server_port(f->srv), req, len, resp, sizeof resp, &eof);
    free(req);
    assert_true(!strncmp(resp, "HTTP/1.1 413 ", 13));
    assert_true(eof);
    assert_error_json(raw_body(resp), 413, "too_large");

    /* Past the drain ceiling: the connection is closed with no answer. */
    req = chunked_req(TEST_MAX_BODY + OSAFE_HTTP_DRAIN_MAX + 64000, &len);
    size_t got = raw(http_server_port(f->srv), req, len, resp, sizeof resp,
                     &eof);
    free(req);
    assert_true(eof);
    assert_int_equal(got, 0);
    assert_int_equal(atomic_load(&f->calls), 0);
}

static void test_transfer_encoding_not_chunked(void **state)
{
    fixture *f = *state;
    char resp[4096];
    int eof;
    static const char req[] = "POST /x HTTP/1.1\r\nHost: t\r\n"
                              "Transfer-Encoding: gzip\r\n\r\n";
    raw(http_server_port(f->srv), req, sizeof req - 1, resp, sizeof resp,
        &eof);
    /* MHD may answer this itself; either way it is refused. */
    assert_true(!strncmp(resp, "HTTP/1.1 4", 10) ||
                !strncmp(resp, "HTTP/1.1 5", 10));
    assert_int_equal(atomic_load(&f->calls), 0);
}

static void test_file(void **state)
{
    fixture *f = *state;
    char url[128];
    reply r;
    snprintf(url, sizeof url, "%s/file", f->url);
    assert_int_equal(fetch("GET", url, NULL, 0, 0, NULL, &r), CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body.data, "hello, file\n");
    assert_hdr(&r.hdrs, "Content-Type", "text/plain; charset=utf-8");
    assert_hdr(&r.hdrs, "Cache-Control", "public, max-age=60");
    assert_hdr(&r.hdrs, "X-Content-Type-Options", "nosniff");
    assert_hdr(&r.hdrs, "Content-Length", "12");
    reply_release(&r);

    snprintf(url, sizeof url, "%s/missing", f->url);
    assert_int_equal(fetch("GET", url, NULL, 0, 0, NULL, &r), CURLE_OK);
    assert_int_equal(r.status, 404);
    assert_hdr(&r.hdrs, "Content-Type", "application/json; charset=utf-8");
    assert_hdr(&r.hdrs, "Cache-Control", "no-store");
    assert_error_json(r.body.data, 404, "not_found");
    reply_release(&r);
}

static void test_json_and_errors(void **state)
{
    fixture *f = *state;
    char url[128];
    reply r;

    snprintf(url, sizeof url, "%s/json", f->url);
    fetch("GET", url, NULL, 0, 0, NULL, &r);
    assert_int_equal(r.status, 201);
    assert_string_equal(r.body.data, "{\"ok\":true}");
    assert_hdr(&r.hdrs, "Content-Type", "application/json; charset=utf-8");
    assert_hdr(&r.hdrs, "Cache-Control", "no-store");
    reply_release(&r);

    snprintf(url, sizeof url, "%s/json-cached", f->url);
    fetch("GET", url, NULL, 0, 0, NULL, &r);
    assert_hdr(&r.hdrs, "Cache-Control", "max-age=5");
    reply_release(&r);

    snprintf(url, sizeof url, "%s/err", f->url);
    fetch("GET", url, NULL, 0, 0, NULL, &r);
    assert_int_equal(r.status, 422);
    assert_string_equal(r.body.data,
                        "{\"error\":{\"status\":422,\"code\":\"invalid\","
                        "\"message\":\"bad \\\"x\\\\y\\\"\\n\\u0001\\ufffd\","
                        "\"field\":\"name\"}}");
    reply_release(&r);

    snprintf(url, sizeof url, "%s/nothing", f->url);
    fetch("GET", url, NULL, 0, 0, NULL, &r);
    assert_int_equal(r.status, 500);
    assert_error_json(r.body.data, 500, "internal");
    reply_release(&r);

    snprintf(url, sizeof url, "%s/badstatus", f->url);
    fetch("GET", url, NULL, 0, 0, NULL, &r);
    assert_int_equal(r.status, 500);
    assert_error_json(r.body.data, 500, "internal");
    reply_release(&r);

    snprintf(url, sizeof url, "%s/hdr", f->url);
    fetch("GET", url, NULL, 0, 0, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body.data, "0 -1 -1 -1 -1 0 0");
    assert_hdr(&r.hdrs, "X-Ok", "replaced");
    assert_hdr(&r.hdrs, "X-Bad", NULL);
    assert_hdr(&r.hdrs, "Set-Cookie", NULL);
    assert_hdr(&r.hdrs, "Content-Type", "text/x-test");
    reply_release(&r);
}

static void test_header_too_large(void **state)
{
    fixture *f = *state;
    size_t n = OSAFE_HTTP_CONN_MEMORY + 1000;
    char *req = malloc(n + 100);
    assert_non_null(req);
    int k = snprintf(req, n + 100, "GET / HTTP/1.1\r\nHost: t\r\nX-Big: ");
    memset(req + k, 'b', n);
    memcpy(req + k + n, "\r\n\r\n", 4);
    char resp[4096];
    int eof;
    raw(http_server_port(f->srv), req, (size_t)k + n + 4, resp, sizeof resp,
        &eof);
    free(req);
    assert_true(!strncmp(resp, "HTTP/1.1 431 ", 13));
    assert_int_equal(atomic_load(&f->calls), 0);
}

typedef struct worker {
    fixture *f;
    int id;
    int ok;
} worker;

#define THREADS 4
#define PER_THREAD 50

static void *work(void *arg)
{
    worker *w = arg;
    CURL *c = curl_easy_init();
    if (!c)
        return NULL;
    char url[128], body[64], want[128];
    snprintf(url, sizeof url, "%s/t%d", w->f->url, w->id);
    for (int i = 0; i < PER_THREAD; i++) {
        osafe_buf out = OSAFE_BUF_INIT;
        int n = snprintf(body, sizeof body, "thread %d request %d", w->id, i);
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)n);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_write);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);
        long status = 0;
        /* one handle per thread: connections are reused (keep-alive) */
        if (curl_easy_perform(c) == CURLE_OK &&
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status) ==
                CURLE_OK &&
            status == 200) {
            snprintf(want, sizeof want, "len=%d\nbody=%s", n, body);
            if (out.data && strstr(out.data, want))
                w->ok++;
        }
        buf_release(&out);
    }
    curl_easy_cleanup(c);
    return NULL;
}

static void test_concurrent(void **state)
{
    fixture *f = *state;
    pthread_t th[THREADS];
    worker w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (worker){f, i, 0};
        assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].ok, PER_THREAD);
    }
    assert_int_equal(atomic_load(&f->calls), THREADS * PER_THREAD);
}

/* A handler that blocks (a write waiting for its group commit) holds up
 * only its own connection: with a thread per connection, /release gets
 * through on a second connection while /block waits, even with
 * threads = 1.  In the pool (one thread), /release waited behind /block
 * until its 5 s ran out, so writers could never share a batch. */
struct blocked {
    const char *url;
    reply r;
};

static void *fetch_block(void *arg)
{
    struct blocked *b = arg;
    OSAFE_IGNORE(fetch("GET", b->url, NULL, 0, 0, NULL, &b->r));
    return NULL;
}

static void test_blocked_handler_holds_up_no_other_connection(void **state)
{
    fixture *f = *state;
    char url[96];
    snprintf(url, sizeof url, "%s/block", f->url);
    struct blocked b = {url, {0}};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, fetch_block, &b), 0);
    /* /block is under way before /release is sent */
    for (int i = 0; i < 500 && atomic_load(&f->calls) == 0; i++)
        usleep(10000);
    assert_int_equal(atomic_load(&f->calls), 1);
    reply r;
    char rel[96];
    snprintf(rel, sizeof rel, "%s/release", f->url);
    assert_int_equal(fetch("POST", rel, "", 0, 0, NULL, &r), CURLE_OK);
    assert_int_equal(r.status, 200);
    reply_release(&r);
    pthread_join(t, NULL);
    assert_int_equal(b.r.status, 200); /* released, not timed out */
    reply_release(&b.r);
}

static void test_per_conn_still_serves(void **state)
{
    /* the engine's other promises hold in this mode too */
    test_concurrent(state);
    atomic_store(&((fixture *)*state)->calls, 0);
    test_content_length_over_limit(state);
}

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return -1;
    int n = 0;
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

static void test_start_stop(void **state)
{
    fixture *f = *state;
    int before = count_fds();
    for (int i = 0; i < 10; i++) {
        http_opts o;
        http_opts_default(&o);
        o.listen = "127.0.0.1:0";
        o.threads = (unsigned)(i % 3) + 1;
        /* the half-sent request below would hold each stop for the whole
         * default grace (test_http_guard.c covers the grace itself) */
        o.stop_grace_ms = 50;
        http_server *s;
        osafe_err e = {0};
        assert_int_equal(http_server_start(&o, handler, f, &s, &e), 0);
        assert_true(http_server_port(s) > 0);
        char url[64];
        snprintf(url, sizeof url, "http://127.0.0.1:%u/x",
                 http_server_port(s));
        reply r;
        assert_int_equal(fetch("POST", url, "abc", 3, 0, NULL, &r), CURLE_OK);
        assert_int_equal(r.status, 200);
        reply_release(&r);
        /* a request left half-sent: stop must free its state */
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in a = {.sin_family = AF_INET,
                                .sin_port = htons((uint16_t)
                                                      http_server_port(s))};
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
        static const char part[] = "POST /x HTTP/1.1\r\nHost: t\r\n"
                                   "Content-Length: 100\r\n\r\nabc";
        assert_true(send(fd, part, sizeof part - 1, MSG_NOSIGNAL) > 0);
        usleep(50000);
        http_server_stop(s);
        close(fd);
    }
    http_server_stop(NULL);
    assert_int_equal(count_fds(), before);
}

/* Whether this host can bind the IPv6 loopback at all. */
static int host_has_ipv6_loopback(void)
{
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    struct sockaddr_in6 a;
    memset(&a, 0, sizeof a);
    a.sin6_family = AF_INET6;
    a.sin6_addr = in6addr_loopback;
    int ok = bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    return ok;
}

static void test_listen_addresses(void **state)
{
    fixture *f = *state;
    static const char *bad[] = {
        "",          "8420",          "127.0.0.1",     "localhost:8420",
        "::1:8420",  "[::1]8420",     "[::1",          "127.0.0.1:",
        "1.2.3:80",  "127.0.0.1:65536", "127.0.0.1:-1", "[nope]:80",
        "127.0.0.1:80x",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        http_opts o;
        http_opts_default(&o);
        o.listen = bad[i];
        http_server *s = (http_server *)1;
        osafe_err e = {0};
        assert_int_equal(http_server_start(&o, handler, f, &s, &e),
                         OSAFE_EINVAL);
        assert_null(s);
        assert_non_null(strstr(e.msg, "listen address"));
    }

    /* port in use */
    char in_use[64];
    snprintf(in_use, sizeof in_use, "127.0.0.1:%u", http_server_port(f->srv));
    http_opts o;
    http_opts_default(&o);
    o.listen = in_use;
    http_server *s;
    osafe_err e = {0};
    assert_int_equal(http_server_start(&o, handler, f, &s, &e), OSAFE_EIO);
    assert_non_null(strstr(e.msg, "in use"));

    o.threads = OSAFE_HTTP_THREADS_MAX + 1;
    o.listen = "127.0.0.1:0";
    assert_int_equal(http_server_start(&o, handler, f, &s, &e), OSAFE_EINVAL);

    /* IPv6 loopback, where the host has it: asked of the host itself, so
     * that a server failing to bind [::1] fails the test. */
    o.threads = 2;
    o.listen = "[::1]:0";
    if (!host_has_ipv6_loopback())
        vec_skip("this host cannot bind [::1]: the IPv6 listen case did "
                 "not run");
    int rc = http_server_start(&o, handler, f, &s, &e);
    if (rc != 0)
        fail_msg("[::1]:0 failed although the host binds it: %s", e.msg);
    char url[64];
    snprintf(url, sizeof url, "http://[::1]:%u/v6", http_server_port(s));
    reply r;
    assert_int_equal(fetch("GET", url, NULL, 0, 0, NULL, &r), CURLE_OK);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body.data, "remote=::1\n"));
    reply_release(&r);
    http_server_stop(s);
}

static void test_opts_default(void **state)
{
    http_opts o;
    http_opts_default(&o);
    assert_string_equal(o.listen, "127.0.0.1:8420");
    assert_int_equal(o.threads, 4);
    assert_int_equal(o.max_body, 1u << 20);
    assert_int_equal(o.conn_timeout_s, OSAFE_HTTP_CONN_TIMEOUT_S);
    assert_true(o.conn_timeout_s > 0 && o.max_conns > 0 &&
                o.per_ip_conns > 0 && o.per_ip_conns <= o.max_conns);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_opts_default),
        cmocka_unit_test_setup_teardown(test_echo_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_content_length_over_limit, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_content_length, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_content_length_and_chunked,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_chunked_within_limit, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_chunked_over_limit, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_transfer_encoding_not_chunked,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_and_errors, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_header_too_large, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_concurrent, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_blocked_handler_holds_up_no_other_connection, setup_per_conn,
            teardown),
        cmocka_unit_test_setup_teardown(test_per_conn_still_serves,
                                        setup_per_conn, teardown),
        cmocka_unit_test_setup_teardown(test_start_stop, setup, teardown),
        cmocka_unit_test_setup_teardown(test_listen_addresses, setup,
                                        teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return vec_exit(rc);
}
