/*
 * http_api.c - fuzz target: the server's request handling, end to end in
 * one process: request line, headers, query strings and bodies through
 * libmicrohttpd, our framing checks (server/http.c) and every route of the
 * API, the log mirror and the web pages (server/api.c, web*.c) on a real
 * registry.
 *
 * LLVMFuzzerInitialize creates a log and a database in the scratch folder,
 * three accounts (reporter and reviewer of organisation "acme", an admin)
 * and starts the server on 127.0.0.1 with a kernel-chosen port.  Each input
 * is sent as raw bytes on a new connection, the write side is then closed
 * and the answer read to the end.  The server knows nothing of the
 * harness: handlers run on its own threads, as under `osafe serve`.
 *
 * In an input, "@REPORTER@", "@REVIEWER@" and "@ADMIN@" stand for the
 * accounts' tokens (which are random), so that the seeds can reach the
 * routes behind authentication.
 *
 * Properties: every answer is an HTTP/1.x status line; no answer is a 500
 * (an internal error is a bug whatever the request).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/fsx.h"
#include "registry/registry.h"
#include "server/api.h"
#include "server/http.h"
#include "server/web.h"
#include "store/store.h"
#include "tlog/log.h"
#include "tlog/note.h"
#include "fuzz.h"

/* Per-request socket timeout: an answer slower than this is a hang
 * (scripts/run-fuzz's -timeout=25 then reports it). */
#define FUZZ_HTTP_TIMEOUT_S 10
/* How long to wait for an answer to an incomplete request (none is due). */
#define FUZZ_HTTP_INCOMPLETE_MS 50
/* What is kept of an answer: the status line is all that is checked, and
 * a longer answer is read no further. */
#define FUZZ_HTTP_KEEP (1u << 20)

static struct {
    registry *reg;
    web *webui;
    api_ctx ctx;
    http_server *srv;
    unsigned port;
    char tok[3][96]; /* reporter, reviewer, admin */
} g;

static const char *const k_marks[3] = {"@REPORTER@", "@REVIEWER@",
                                       "@ADMIN@"};

static void die(const char *what, const osafe_err *e)
{
    fprintf(stderr, "fuzz http_api: %s: %s\n", what, e ? e->msg : "");
    abort();
}

static void make_log(const char *dir, char *logdir, char *key, size_t n)
{
    osafe_err e;
    snprintf(logdir, n, "%s/log", dir);
    snprintf(key, n, "%s/log.key", dir);
    tlog_signer s;
    osafe_buf k = OSAFE_BUF_INIT;
    if (tlog_signer_generate("localhost/osafe-log", &s, &e) != 0)
        die("key", &e);
    if (tlog_signer_format(&s, &k) || buf_putc(&k, '\n'))
        die("key", NULL);
    tlog_signer_wipe(&s);
    if (fsx_write_new(key, k.data, k.len, 0600, &e) != 0)
        die("key file", &e);
    buf_release(&k);
    if (tlog_log_init(logdir, "localhost/osafe-log", key, &e) != 0)
        die("log", &e);
}

static void make_accounts(registry *reg)
{
    static const char *const roles[3] = {"reporter", "reviewer", "admin"};
    static const char *const orgs[3] = {"acme", "acme", NULL};
    osafe_err e;
    for (int i = 0; i < 3; i++) {
        char name[32];
        snprintf(name, sizeof name, "fuzz-%s", roles[i]);
        if (reg_token_create(reg, name, roles[i], orgs[i], g.tok[i],
                             sizeof g.tok[i], &e) != 0)
            die("token", &e);
    }
}

static void stop_server(void)
{
    if (g.srv)
        http_server_stop(g.srv);
    if (g.webui)
        web_close(g.webui);
    if (g.reg)
        reg_close(g.reg);
    g.srv = NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    signal(SIGPIPE, SIG_IGN);
    const char *dir = fuzz_tmpdir();
    static char db[300], logdir[300], key[300];
    snprintf(db, sizeof db, "%s/osafe.db", dir);
    make_log(dir, logdir, key, sizeof logdir);
    osafe_err e;
    reg_opts ro = {db, logdir, key, "OSAFE", "localhost/osafe-log", 5};
    if (reg_open(&ro, &g.reg, &e) != 0)
        die("registry", &e);
    make_accounts(g.reg);
    if (web_open(g.reg, logdir, &g.webui, &e) != 0)
        die("web", &e);
    /* No write limit: the fuzzer is one client sending as fast as it can. */
    g.ctx = (api_ctx){g.reg, logdir, g.webui, NULL, NULL};
    http_opts ho;
    http_opts_default(&ho);
    ho.listen = "127.0.0.1:0";
    ho.threads = 4;
    if (http_server_start(&ho, api_handle, &g.ctx, &g.srv, &e) != 0)
        die("server", &e);
    g.port = http_server_port(g.srv);
    /* Registered after fuzz_tmpdir's cleanup, so it runs before it. */
    atexit(stop_server);
    return 0;
}

/* The input with the token marks replaced. */
static void expand(const uint8_t *data, size_t size, osafe_buf *out)
{
    size_t i = 0;
    while (i < size) {
        int hit = -1;
        for (int k = 0; k < 3 && data[i] == '@'; k++) {
            size_t ml = strlen(k_marks[k]);
            if (size - i >= ml && !memcmp(data + i, k_marks[k], ml))
                hit = k;
        }
        int rc = hit >= 0 ? buf_puts(out, g.tok[hit])
                          : buf_append(out, data + i, 1);
        FUZZ_CHECK(rc == 0);
        i += hit >= 0 ? strlen(k_marks[hit]) : 1;
    }
}

static int connect_server(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    FUZZ_CHECK(fd >= 0);
    struct timeval tv = {FUZZ_HTTP_TIMEOUT_S, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    /* Close with a reset: the server (libmicrohttpd 0.9.75 on epoll) does
     * not notice a plain close after an incomplete request and keeps the
     * slot until its idle timeout, so the per-address limit fills up; and
     * no TIME_WAIT is left to use up the local ports. */
    struct linger lg = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)g.port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        perror("fuzz http_api: connect");
        abort();
    }
    return fd;
}

/* Case-insensitive search for a header line "\nname:" in h[0..n);
 * returns the value's start or NULL. */
static const char *find_header(const char *h, size_t n, const char *name)
{
    size_t nl = strlen(name);
    for (size_t i = 0; i + nl + 1 < n; i++)
        if (h[i] == '\n' && !strncasecmp(h + i + 1, name, nl) &&
            h[i + 1 + nl] == ':')
            return h + i + 2 + nl;
    return NULL;
}

/* End of the header block in b[0..n) (after the blank line), or 0. */
static size_t header_end(const char *b, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++) {
        if (b[i] != '\n')
            continue;
        if (b[i + 1] == '\n')
            return i + 2;
        if (i + 2 < n && b[i + 1] == '\r' && b[i + 2] == '\n')
            return i + 3;
    }
    return 0;
}

/*
 * 1 when b[0..n) holds one whole message (headers, then Content-Length
 * bytes or a chunked body up to its last chunk): a request the server can
 * answer, or an answer read to its end.  The server does not notice that
 * the harness closed its write side, so the harness must know when to
 * stop reading rather than wait for the connection to close.
 */
static int message_complete(const char *b, size_t n, int is_answer)
{
    size_t he = header_end(b, n);
    if (!he)
        return 0;
    const char *te = find_header(b, he, "transfer-encoding");
    if (te) {
        /* Good enough for MHD's answers and most requests. */
        for (size_t i = he; i + 5 <= n; i++)
            if (!memcmp(b + i, "0\r\n\r\n", 5) &&
                (i == he || b[i - 1] == '\n'))
                return 1;
        return 0;
    }
    const char *cl = find_header(b, he, "content-length");
    unsigned long long len = cl ? strtoull(cl, NULL, 10) : 0;
    if (is_answer && n >= 12 && (!memcmp(b + 9, "204", 3) ||
                                 !memcmp(b + 9, "304", 3) || b[9] == '1'))
        len = 0;
    return n - he >= len;
}

/* Send req, close the write side, and read the first answer: to its end,
 * until the server closes, or until the wait runs out (a short one when
 * the request itself is incomplete: the server then waits for the rest
 * and answers nothing, which is right). */
static size_t exchange(const osafe_buf *req, char *ans, size_t cap)
{
    int fd = connect_server();
    size_t off = 0;
    while (off < req->len) {
        ssize_t k = send(fd, req->data + off, req->len - off, MSG_NOSIGNAL);
        if (k <= 0)
            break; /* the server may answer and close early (413, 400) */
        off += (size_t)k;
    }
    shutdown(fd, SHUT_WR);
    /* Blank lines before a request line are skipped by the server (RFC
     * 9112 section 2.2), so they make no request. */
    size_t lead = 0;
    while (lead < req->len && (req->data[lead] == '\r' ||
                               req->data[lead] == '\n'))
        lead++;
    int wait_ms = req->data && message_complete(req->data + lead,
                                                 req->len - lead, 0)
                      ? FUZZ_HTTP_TIMEOUT_S * 1000
                      : FUZZ_HTTP_INCOMPLETE_MS;
    size_t got = 0;
    char chunk[4096];
    while (got < cap) {
        struct pollfd p = {fd, POLLIN, 0};
        int r = poll(&p, 1, got ? FUZZ_HTTP_TIMEOUT_S * 1000 : wait_ms);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        ssize_t k = recv(fd, chunk, sizeof chunk, 0);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        size_t take = (size_t)k < cap - got ? (size_t)k : cap - got;
        memcpy(ans + got, chunk, take);
        got += take;
        if (message_complete(ans, got, 1))
            break;
    }
    close(fd);
    return got;
}

/* Check every status line found at the start of an answer. */
static void check_answer(const char *ans, size_t n)
{
    if (n == 0)
        return; /* closed without an answer: allowed (see http.h) */
    FUZZ_CHECK(n >= 12 && !memcmp(ans, "HTTP/1.", 7));
    int status = (ans[9] - '0') * 100 + (ans[10] - '0') * 10 + (ans[11] - '0');
    FUZZ_CHECK(status >= 100 && status <= 599);
    FUZZ_CHECK(status != 500);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    osafe_buf req = OSAFE_BUF_INIT;
    expand(data, size, &req);
    static char ans[FUZZ_HTTP_KEEP];
    size_t n = exchange(&req, ans, sizeof ans);
    const char *eol = memchr(ans, '\r', n);
    fuzz_debug("http_api: %.*s", eol ? (int)(eol - ans) : 0, ans);
    check_answer(ans, n);
    buf_release(&req);
    return 0;
}
