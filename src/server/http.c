/*
 * http.c - http.h over libmicrohttpd 0.9.75.
 *
 * Engine setup: one internal polling thread per pool worker on epoll
 * (MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL + THREAD_POOL_SIZE), or
 * with thread_per_conn a thread for each connection (on poll(), which MHD
 * requires in that mode), under OSAFE_HTTP_CONN_THREADS_MAX connections,
 * every limit set explicitly from core/limits.h because MHD's defaults are
 * "none" (timeout 0, no per-IP cap), strict parsing for clients
 * (STRICT_FOR_CLIENT=1: 400 for a missing Host and similar), and our own
 * logger.
 *
 * The access handler follows MHD's three phases: the first call of a
 * request (*con_cls NULL) allocates our http_req and checks the framing
 * headers, answering 400/413 at once when they are wrong, which is the only
 * moment MHD lets us answer before the body is read; upload calls append to
 * the body (always consuming it: *upload_data_size = 0); the final call
 * (no upload data) runs the handler and queues its response.  The http_req
 * is freed in the NOTIFY_COMPLETED callback, which MHD also calls when the
 * client vanishes or the daemon stops mid-request.
 *
 * The response builders (http_resp_*) and the sending of a response are
 * in http_resp.c.
 */
#include "server/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/limits.h"
#include "server/http_int.h"

struct http_server {
    struct MHD_Daemon *daemon;
    http_handler handler;
    void *ctx;
    size_t max_body;
    unsigned port;
    unsigned header_timeout_s, conn_timeout_s, stop_grace_ms;
    http_addr trusted[OSAFE_HTTP_TRUSTED_PROXIES_MAX];
    size_t ntrusted;
    /* Requests between their headers and their completion, so that a stop
     * can wait for them; and whether a stop has begun. */
    atomic_uint inflight;
    atomic_int stopping;
    /* Last engine log line, so that a failed start can say why. */
    pthread_mutex_t log_mu;
    char last_log[OSAFE_HTTP_LOG_LINE_MAX];
};

struct http_req {
    struct MHD_Connection *conn;
    const char *method; /* MHD's, valid until the request completes */
    const char *path;
    osafe_buf body;   /* ceiling max_body */
    int overflow;     /* a chunked body went past max_body */
    size_t drained;   /* bytes discarded since the overflow */
    char remote[INET6_ADDRSTRLEN];
    char client[INET6_ADDRSTRLEN]; /* see http_client_addr */
    int secure;                    /* see http_req_secure */
};

/* ===== small helpers ===== */

/* Case-insensitive substring test (strcasestr is a GNU extension). */
static int contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return 1;
    return 0;
}

/* ===== requests ===== */

const char *http_req_method(const http_req *r)
{
    return r->method;
}

const char *http_req_path(const http_req *r)
{
    return r->path;
}

const char *http_req_header(const http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

struct query_find {
    const char *name;
    const char *value;
    int found;
};

static enum MHD_Result query_iter(void *cls, enum MHD_ValueKind kind,
                                  const char *key, size_t key_size,
                                  const char *value, size_t value_size)
{
    struct query_find *q = cls;
    if (strlen(q->name) != key_size || memcmp(q->name, key, key_size) != 0)
        return MHD_YES;
    q->value = value ? value : "";
    q->found = 1;
    return MHD_NO; /* first match wins */
}

const char *http_req_query(const http_req *r, const char *name)
{
    /* Our own exact match: MHD_lookup_connection_value ignores case, but
     * query names are case-sensitive. */
    struct query_find q = {name, NULL, 0};
    MHD_get_connection_values_n(r->conn, MHD_GET_ARGUMENT_KIND, query_iter,
                                &q);
    return q.found ? q.value : NULL;
}

const char *http_req_body(const http_req *r, size_t *len)
{
    if (len)
        *len = r->body.len;
    return r->body.data ? r->body.data : "";
}

const char *http_req_remote(const http_req *r)
{
    return r->remote;
}

const char *http_client_addr(const http_req *r)
{
    return r->client;
}

int http_req_secure(const http_req *r)
{
    return r->secure;
}

static void remote_text(struct MHD_Connection *c, char *out, size_t outlen)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    const char *ok = NULL;
    if (sa && sa->sa_family == AF_INET)
        ok = inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
                       out, (socklen_t)outlen);
    else if (sa && sa->sa_family == AF_INET6)
        ok = inet_ntop(AF_INET6,
                       &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
                       (socklen_t)outlen);
    if (!ok)
        snprintf(out, outlen, "unknown");
}

/* Framing headers of a request, counted over every header line (MHD keeps
 * duplicates and would silently use the first). */
struct framing {
    unsigned n_cl, n_te;
    const char *cl, *te;
};

static enum MHD_Result framing_iter(void *cls, enum MHD_ValueKind kind,
                                    const char *key, const char *value)
{
    struct framing *f = cls;
    if (!strcasecmp(key, "Content-Length")) {
        if (f->n_cl++ == 0)
            f->cl = value;
    } else if (!strcasecmp(key, "Transfer-Encoding")) {
        if (f->n_te++ == 0)
            f->te = value;
    }
    return MHD_YES;
}

/* Strict decimal Content-Length; 0 or -1. */
static int parse_length(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    if (!s || !*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > (UINT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (uint64_t)(*s - '0');
    }
    *out = v;
    return 0;
}

/*
 * First call of a request: reject bad framing before any body byte is
 * read.  Returns 1 if an answer was queued (*q holds MHD's verdict).
 */
static int check_framing(struct MHD_Connection *c, size_t max_body,
                         enum MHD_Result *q)
{
    struct framing f = {0, 0, NULL, NULL};
    MHD_get_connection_values(c, MHD_HEADER_KIND, framing_iter, &f);
    uint64_t len = 0;
    if (f.n_cl > 1)
        *q = http__answer_error(c, 400, "bad_request",
                                "more than one Content-Length header");
    else if (f.n_cl && f.n_te)
        *q = http__answer_error(
            c, 400, "bad_request",
            "Content-Length together with Transfer-Encoding");
    else if (f.n_te > 1 || (f.n_te && strcasecmp(f.te, "chunked") != 0))
        *q = http__answer_error(c, 400, "bad_request",
                                "only Transfer-Encoding: chunked is accepted");
    else if (f.n_cl && parse_length(f.cl, &len) != 0)
        *q = http__answer_error(c, 400, "bad_request",
                                "malformed Content-Length");
    else if (f.n_cl && len > max_body)
        *q = http__answer_error(c, 413, "too_large",
                                "request body over %zu bytes", max_body);
    else
        return 0;
    return 1;
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *c,
                                 const char *url, const char *method,
                                 const char *version, const char *upload,
                                 size_t *upload_size, void **con_cls)
{
    http_server *s = cls;
    http_req *r = *con_cls;

    if (r == http__uri_refused) /* see http_guard.c */
        return http__answer_error(c, 414, "uri_too_long",
                                  "request target over %u bytes or %u query "
                                  "arguments",
                                  (unsigned)OSAFE_HTTP_URI_MAX,
                                  (unsigned)OSAFE_HTTP_QUERY_ARGS_MAX);
    if (!r) { /* phase 1: headers are in, no body byte read yet */
        enum MHD_Result q;
        if (http__check_headers(c, version, &q) ||
            check_framing(c, s->max_body, &q))
            return q;
        r = calloc(1, sizeof *r);
        if (!r)
            return MHD_NO;
        r->conn = c;
        r->method = method;
        r->path = url;
        buf_init(&r->body, s->max_body);
        remote_text(c, r->remote, sizeof r->remote);
        http__client_addr(c, s->trusted, s->ntrusted, r->remote, r->client,
                          sizeof r->client, &r->secure);
        atomic_fetch_add(&s->inflight, 1);
        *con_cls = r;
        /* A body may come slowly; the short header timeout is restored
         * before the answer (phase 3). */
        MHD_set_connection_option(c, MHD_CONNECTION_OPTION_TIMEOUT,
                                  s->conn_timeout_s);
        return MHD_YES;
    }

    if (*upload_size) { /* phase 2: a piece of the body */
        size_t n = *upload_size;
        *upload_size = 0;
        if (!r->overflow) {
            int rc = buf_append(&r->body, upload, n);
            if (rc == OSAFE_ENOMEM)
                return MHD_NO;
            if (rc == 0)
                return MHD_YES;
            /* Only a chunked body gets here (a Content-Length over the
             * limit was refused in phase 1).  MHD will not queue an answer
             * mid-upload, so free what we have and discard the rest. */
            r->overflow = 1;
            buf_release(&r->body);
        }
        if (n > OSAFE_HTTP_DRAIN_MAX - r->drained)
            return MHD_NO; /* still sending: close the connection */
        r->drained += n;
        return MHD_YES;
    }

    /* phase 3: the whole request is in */
    MHD_set_connection_option(c, MHD_CONNECTION_OPTION_TIMEOUT,
                              s->header_timeout_s);
    if (r->overflow)
        return http__answer_error(c, 413, "too_large",
                                  "request body over %zu bytes", s->max_body);
    http_resp w;
    http__resp_init(&w);
    s->handler(s->ctx, r, &w);
    /* Once a stop has begun, no connection is kept for another request. */
    enum MHD_Result q = http__resp_send(c, &w, atomic_load(&s->stopping));
    http__resp_release(&w);
    return q;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    http_server *s = cls;
    http_req *r = *con_cls;
    if (!r || r == http__uri_refused) {
        *con_cls = NULL;
        return;
    }
    buf_release(&r->body);
    free(r);
    *con_cls = NULL;
    atomic_fetch_sub(&s->inflight, 1);
}

/* MHD's diagnostics: one sanitised, bounded line each (see http.h). */
__attribute__((format(printf, 2, 0))) static void
on_log(void *cls, const char *fmt, va_list ap)
{
    http_server *s = cls;
    char line[OSAFE_HTTP_LOG_LINE_MAX];
    if (vsnprintf(line, sizeof line, fmt, ap) < 0)
        return;
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
            line[i] = '?';
    if (contains_ci(line, "authorization"))
        return;
    pthread_mutex_lock(&s->log_mu);
    memcpy(s->last_log, line, n + 1);
    pthread_mutex_unlock(&s->log_mu);
    fprintf(stderr, "osafe serve: %s\n", line);
}

/* ===== server ===== */

void http_opts_default(http_opts *o)
{
    o->listen = "127.0.0.1:8420";
    o->threads = OSAFE_HTTP_THREADS;
    o->max_body = OSAFE_HTTP_BODY_MAX;
    o->conn_timeout_s = OSAFE_HTTP_CONN_TIMEOUT_S;
    o->max_conns = OSAFE_HTTP_MAX_CONNS;
    o->per_ip_conns = OSAFE_HTTP_PER_IP_CONNS;
    o->header_timeout_s = OSAFE_HTTP_HEADER_TIMEOUT_S;
    o->trusted_proxies = NULL;
    o->stop_grace_ms = OSAFE_HTTP_STOP_GRACE_S * 1000u;
}

/*
 * "a.b.c.d:port" or "[v6]:port", numeric only: binding must not depend on
 * name resolution, and a typo must fail here rather than bind elsewhere.
 */
static int parse_listen(const char *s, struct sockaddr_storage *ss,
                        socklen_t *sslen, osafe_err *e)
{
    char host[INET6_ADDRSTRLEN];
    const char *h = s, *port = NULL, *why = NULL;
    int v6 = s[0] == '[';
    if (v6) {
        const char *rb = strchr(s, ']');
        h = s + 1;
        if (rb && rb[1] == ':')
            port = rb + 2;
        else
            why = "expected [IPv6]:port";
    } else {
        port = strrchr(s, ':');
        if (!port)
            why = "expected IPv4:port or [IPv6]:port";
        else if (memchr(s, ':', (size_t)(port - s)))
            why = "an IPv6 address needs brackets, as in [::1]:8420";
        else
            port++;
    }
    size_t hlen = port ? (size_t)(port - 1 - h) - (size_t)v6 : 0;
    if (!why && (hlen == 0 || hlen >= sizeof host))
        why = "bad host part";
    unsigned long p = 0;
    size_t nd = why ? 0 : strlen(port);
    if (!why && (nd == 0 || nd > 5 || strspn(port, "0123456789") != nd ||
                 (p = strtoul(port, NULL, 10)) > 65535))
        why = "port must be 0..65535";
    if (why)
        return osafe_errf(e, OSAFE_EINVAL, "listen address '%s': %s", s, why);
    memcpy(host, h, hlen);
    host[hlen] = '\0';

    memset(ss, 0, sizeof *ss);
    int ok;
    if (v6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)p);
        ok = inet_pton(AF_INET6, host, &a->sin6_addr) == 1;
        *sslen = sizeof *a;
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)ss;
        a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t)p);
        ok = inet_pton(AF_INET, host, &a->sin_addr) == 1;
        *sslen = sizeof *a;
    }
    if (!ok)
        return osafe_errf(e, OSAFE_EINVAL,
                          "listen address '%s': '%s' is not a numeric IPv%c "
                          "address",
                          s, host, v6 ? '6' : '4');
    return 0;
}


/* The connection ceiling: with a thread for each connection, also the
 * thread ceiling. */
static unsigned conn_limit(const http_opts *o, const http_opts *d)
{
    unsigned n = o->max_conns ? o->max_conns : d->max_conns;
    if (o->thread_per_conn && n > OSAFE_HTTP_CONN_THREADS_MAX)
        n = OSAFE_HTTP_CONN_THREADS_MAX;
    return n;
}
/* Bind and listen ourselves so errors carry errno ("Address already in
 * use") and the kernel's port choice is known. */
static int open_listener(const char *text, int *fd_out, unsigned *port,
                         osafe_err *e)
{
    struct sockaddr_storage ss;
    socklen_t sslen;
    int rc = parse_listen(text, &ss, &sslen, e);
    if (rc)
        return rc;
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
                    0);
    if (fd < 0)
        return osafe_errno(e, OSAFE_EIO, errno, "listen %s: socket", text);
    int one = 1;
    const char *step = NULL;
    /* REUSEADDR: a restart must not wait out TIME_WAIT.  V6ONLY: bind
     * exactly the family asked for, never IPv4 through the back door. */
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        (ss.ss_family == AF_INET6 &&
         setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0))
        step = "setsockopt";
    else if (bind(fd, (struct sockaddr *)&ss, sslen) != 0)
        step = "bind";
    else if (listen(fd, OSAFE_HTTP_LISTEN_BACKLOG) != 0)
        step = "listen";
    else if ((sslen = sizeof ss),
             getsockname(fd, (struct sockaddr *)&ss, &sslen) != 0)
        step = "getsockname";
    if (step) {
        rc = osafe_errno(e, OSAFE_EIO, errno, "listen %s: %s", text, step);
        close(fd);
        return rc;
    }
    *port = ntohs(ss.ss_family == AF_INET6
                      ? ((struct sockaddr_in6 *)&ss)->sin6_port
                      : ((struct sockaddr_in *)&ss)->sin_port);
    *fd_out = fd;
    return 0;
}

int http_server_start(const http_opts *o, http_handler h, void *ctx,
                      http_server **out, osafe_err *e)
{
    *out = NULL;
    if (!o || !h || !o->listen)
        return osafe_errf(e, OSAFE_EINVAL, "http server: missing options");
    http_opts d;
    http_opts_default(&d);
    unsigned threads = o->threads ? o->threads : d.threads;
    if (threads > OSAFE_HTTP_THREADS_MAX)
        return osafe_errf(e, OSAFE_EINVAL,
                          "http server: %u threads (at most %u)", threads,
                          (unsigned)OSAFE_HTTP_THREADS_MAX);

    http_server *s = calloc(1, sizeof *s);
    if (!s)
        return osafe_errf(e, OSAFE_ENOMEM, "http server: out of memory");
    if (pthread_mutex_init(&s->log_mu, NULL) != 0) {
        free(s);
        return osafe_errf(e, OSAFE_ENOMEM, "http server: mutex");
    }
    s->handler = h;
    s->ctx = ctx;
    s->max_body = o->max_body ? o->max_body : d.max_body;
    s->conn_timeout_s = o->conn_timeout_s ? o->conn_timeout_s
                                          : d.conn_timeout_s;
    s->header_timeout_s = o->header_timeout_s ? o->header_timeout_s
                                              : d.header_timeout_s;
    s->stop_grace_ms = o->stop_grace_ms ? o->stop_grace_ms : d.stop_grace_ms;
    atomic_init(&s->inflight, 0);
    atomic_init(&s->stopping, 0);

    int fd = -1;
    int rc = http__parse_proxies(o->trusted_proxies, s->trusted, &s->ntrusted,
                                 e);
    if (!rc)
        rc = open_listener(o->listen, &fd, &s->port, e);
    if (rc)
        goto fail;
    /* MHD closes the listening socket it is given on stop and on a failed
     * start, except on an option error (our options are fixed, so that
     * cannot happen; measured on 0.9.75).  Giving MHD a duplicate and
     * closing ours either way means no number is ever closed twice, which
     * could hit a descriptor another thread has just opened. */
    int mfd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    if (mfd < 0) {
        rc = osafe_errno(e, OSAFE_EIO, errno, "listen %s: dup", o->listen);
        close(fd);
        goto fail;
    }
    struct MHD_OptionItem ops[] = {
        {MHD_OPTION_LISTEN_SOCKET, mfd, NULL},
        /* Every connection starts on the short header timeout; on_access
         * lengthens it while a body is read. */
        {MHD_OPTION_CONNECTION_TIMEOUT, s->header_timeout_s, NULL},
        {MHD_OPTION_CONNECTION_LIMIT, conn_limit(o, &d), NULL},
        {MHD_OPTION_PER_IP_CONNECTION_LIMIT,
         o->per_ip_conns ? o->per_ip_conns : d.per_ip_conns, NULL},
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, OSAFE_HTTP_CONN_MEMORY, NULL},
        {MHD_OPTION_STRICT_FOR_CLIENT, 1, NULL},
        /* last: MHD warns about a pool of 1, so only a real pool is named */
        {threads > 1 && !o->thread_per_conn ? MHD_OPTION_THREAD_POOL_SIZE
                                            : MHD_OPTION_END,
         threads, NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    s->daemon = MHD_start_daemon(
        /* ITC: MHD_quiesce_daemon needs it to stop a pool from accepting */
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC |
            (o->thread_per_conn ? MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL
                                : MHD_USE_EPOLL),
        0, NULL, NULL, on_access, s,
        /* first, so that no startup message escapes to MHD's own logger */
        MHD_OPTION_EXTERNAL_LOGGER, on_log, s,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        /* sees the raw request target before MHD parses the query */
        MHD_OPTION_URI_LOG_CALLBACK, http__uri_guard, s,
        MHD_OPTION_ARRAY, ops, MHD_OPTION_END);
    close(fd);
    if (!s->daemon) {
        pthread_mutex_lock(&s->log_mu);
        rc = osafe_errf(e, OSAFE_EIO, "listen %s: libmicrohttpd: %s",
                        o->listen,
                        s->last_log[0] ? s->last_log : "start failed");
        pthread_mutex_unlock(&s->log_mu);
        goto fail;
    }
    *out = s;
    return 0;
fail:
    pthread_mutex_destroy(&s->log_mu);
    free(s);
    return rc;
}

unsigned http_server_port(const http_server *s)
{
    return s->port;
}

void http_server_stop(http_server *s)
{
    if (!s)
        return;
    /* Stop accepting first (the kernel refuses new connections once the
     * listening socket is closed), then give requests under way a bounded
     * time to finish: their answers close their connections. */
    atomic_store(&s->stopping, 1);
    MHD_socket lfd = MHD_quiesce_daemon(s->daemon);
    if (lfd != MHD_INVALID_SOCKET)
        close(lfd);
    struct timespec tick = {0, 10 * 1000 * 1000};
    for (unsigned i = 0; i < (s->stop_grace_ms + 9) / 10 &&
                         atomic_load(&s->inflight) > 0;
         i++)
        nanosleep(&tick, NULL);
    /* Joins the pool threads; NOTIFY_COMPLETED frees every open request. */
    MHD_stop_daemon(s->daemon);
    pthread_mutex_destroy(&s->log_mu);
    free(s);
}
