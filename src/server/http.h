/*
 * http.h - the small HTTP/1.1 server interface of osafe.
 *
 * Handlers see only http_req / http_resp; the engine underneath
 * (libmicrohttpd 0.9.75 today, MHD 1.x or evhttp later) never leaks out of
 * http.c and http_resp.c.
 *
 * Threads: the handler runs on the server's pool threads, or on the
 * connection's own thread (thread_per_conn), several requests at once.  Whatever the handler touches through ctx must be thread-safe
 * (give each thread its own sqlite3 handle, or serialize).  One request is
 * handled by one thread from start to end.
 *
 * Ownership: an http_req and every string it returns are borrowed and valid
 * only during the handler call; copy what must outlive it.  An http_resp is
 * written by the handler and sent by the server after the handler returns;
 * every http_resp_* call copies its arguments, so the handler may pass stack
 * buffers.  The later of several body calls (http_resp_body, _json, _error,
 * _file) wins.
 *
 * Before the handler runs, the server has already enforced the request
 * framing rules: a request target over OSAFE_HTTP_URI_MAX bytes or
 * OSAFE_HTTP_QUERY_ARGS_MAX query arguments gets 414; a request line or
 * header line not ending in CR LF, a NUL byte in a header value or two Host
 * headers get 400; a Content-Length over max_body is answered 413 before the
 * body is read; two Content-Length headers, or Content-Length together with
 * Transfer-Encoding, or a Transfer-Encoding other than "chunked" get 400;
 * a chunked body growing past max_body is read and discarded up to
 * OSAFE_HTTP_DRAIN_MAX more bytes and then answered 413 (MHD cannot queue a
 * response in the middle of an upload), and past that the connection is
 * closed without an answer.  So the handler never sees a partial or
 * oversized body.  Every answer this layer makes itself has the JSON error
 * shape of http_resp_error.  The few answers libmicrohttpd 0.9.75 makes on
 * its own, before any of our code runs (431 for headers over
 * OSAFE_HTTP_CONN_MEMORY, 400 for a missing Host or a malformed request
 * line), are its short HTML pages: that version has no hook to change them.
 *
 * Every response carries a Content-Type and "X-Content-Type-Options:
 * nosniff"; JSON responses get "Cache-Control: no-store" unless the handler
 * set its own Cache-Control.
 *
 * Logging: libmicrohttpd's own diagnostics (connection limits reached,
 * malformed requests) go to stderr as single lines prefixed "osafe serve:",
 * truncated to OSAFE_HTTP_LOG_LINE_MAX, control characters replaced; a line
 * mentioning an Authorization header is dropped.  Request bodies and headers
 * are never logged.  This is the one place this library writes to stderr:
 * the server is only ever run by `osafe serve`, whose operator needs them.
 */
#ifndef OSAFE_SERVER_HTTP_H
#define OSAFE_SERVER_HTTP_H

#include <stddef.h>

#include "core/buf.h"
#include "core/status.h"

typedef struct http_req http_req;   /* opaque, valid during the handler call */
typedef struct http_resp http_resp; /* opaque, filled by the handler */

/* "GET", "POST"... as sent by the client. */
const char *http_req_method(const http_req *r);
/* URL path, percent-decoded by the engine, without the query string. */
const char *http_req_path(const http_req *r);
/* Request header by name, case-insensitive; the first one if repeated;
 * NULL if absent. */
const char *http_req_header(const http_req *r, const char *name);
/* Query argument by exact (case-sensitive) name, percent-decoded ('+' is a
 * space); "" for "?flag" without '='; NULL if absent. */
const char *http_req_query(const http_req *r, const char *name);
/* The whole body, NUL-terminated (the NUL is not counted in *len, and the
 * body may itself contain NULs); "" with *len 0 if none.  len may be NULL. */
const char *http_req_body(const http_req *r, size_t *len);
/* Address of the socket's peer as text ("127.0.0.1", "::1"): a reverse
 * proxy's own address when there is one. */
const char *http_req_remote(const http_req *r);
/* The client's address as text: the peer's, or, when the peer is a proxy
 * named in http_opts.trusted_proxies, the rightmost X-Forwarded-For hop
 * that no trusted proxy owns.  Key per-client limits on this; never on a
 * header an untrusted client can set. */
const char *http_client_addr(const http_req *r);
/* 1 when a trusted proxy says the client spoke HTTPS to it
 * (X-Forwarded-Proto: https); this server itself speaks plain HTTP. */
int http_req_secure(const http_req *r);

/*
 * Status code 200..599.  A handler that sets neither a status nor a body
 * gets 500; one that sets a body but no status gets 200.  An out-of-range
 * status is answered as 500 (an internal error, not the client's).
 */
void http_resp_status(http_resp *w, int status);
/*
 * Set a response header, replacing an earlier one of the same name
 * (case-insensitive).  "Content-Type" replaces the body's type.
 * Returns 0, OSAFE_EINVAL for a name that is not an HTTP token, a value
 * with CR, LF or other control characters, or a header the server owns
 * (Content-Length, Transfer-Encoding, Connection), OSAFE_ETOOBIG past
 * OSAFE_HTTP_RESP_HEADERS_MAX headers, OSAFE_ENOMEM.
 */
int http_resp_header(http_resp *w, const char *name, const char *value);
/* Body with its Content-Type (NULL: application/octet-stream).  Copies.
 * 0, OSAFE_EINVAL (bad content type) or OSAFE_ENOMEM; on ENOMEM the
 * server answers 500. */
int http_resp_body(http_resp *w, const char *content_type, const void *data,
                   size_t len);
/* Status plus JSON text (sent as is, the caller produced it),
 * "application/json; charset=utf-8".  0 or OSAFE_ENOMEM. */
int http_resp_json(http_resp *w, int status, const char *json_text);
/*
 * The error shape of every osafe HTTP answer:
 *   {"error":{"status":N,"code":"CODE","message":"...","field":"FIELD"}}
 * "field" is omitted when field is NULL.  The message is printf-formatted,
 * truncated to OSAFE_HTTP_ERR_MSG_MAX bytes; all strings are JSON-escaped
 * (invalid UTF-8 becomes U+FFFD).  0 or OSAFE_ENOMEM.
 */
int http_resp_error(http_resp *w, int status, const char *code,
                    const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/*
 * Stream the regular file at path (opened now, sent from its descriptor by
 * the engine after the handler returns) with status 200, the given
 * Content-Type (NULL: application/octet-stream) and Cache-Control (NULL:
 * none).  The caller has already decided the path is one it may serve.
 * A missing file, or one that is not a regular file, is answered with a
 * 404 JSON error and returns OSAFE_ENOTFOUND; another open error gives a
 * 500 JSON error and OSAFE_EIO.  0 on success.
 */
int http_resp_file(http_resp *w, const char *path, const char *content_type,
                   const char *cache_control);

/* 1 if an Accept-Encoding value accepts gzip ("gzip", "x-gzip" or "*"
 * with a q other than 0). */
int http_accepts_gzip(const char *accept_encoding);
/* Append the gzip (RFC 1952) of in[0..n) to out: 0, OSAFE_ENOMEM,
 * OSAFE_ETOOBIG (out's ceiling) or OSAFE_EIO. */
int http_gzip(const void *in, size_t n, osafe_buf *out);

/* Called once per request with a complete, framing-checked request. */
typedef void (*http_handler)(void *ctx, const http_req *req, http_resp *resp);

/*
 * Server options.  A zero field means its default (OSAFE_HTTP_* in
 * core/limits.h): a zero timeout or limit would mean "none" to the engine,
 * which we never want.
 */
typedef struct http_opts {
    /* "127.0.0.1:8420", "[::1]:0", "0.0.0.0:80": a numeric IPv4 address or
     * a bracketed numeric IPv6 address, then ':' and a port; port 0 asks
     * the kernel for a free one (see http_server_port).  The string is
     * only read during http_server_start. */
    const char *listen;
    unsigned threads;        /* pool threads, 1..OSAFE_HTTP_THREADS_MAX */
    /* Nonzero: a thread of its own for every connection instead of the
     * pool (threads is then unused here), and at most
     * OSAFE_HTTP_CONN_THREADS_MAX connections.  For handlers that block:
     * a write waiting for its group commit holds up only its own client,
     * not every connection that shares its pool thread, so as many writes
     * as clients can share one batch. */
    int thread_per_conn;
    size_t max_body;         /* request body ceiling in bytes */
    unsigned conn_timeout_s; /* idle connection timeout */
    unsigned max_conns;      /* concurrent connections, total */
    unsigned per_ip_conns;   /* concurrent connections from one address */
    /* Idle timeout while no request is under way (waiting for headers,
     * keep-alive between requests); conn_timeout_s applies while a body is
     * being uploaded. */
    unsigned header_timeout_s;
    /* "ADDR[,ADDR...]": numeric addresses of reverse proxies whose
     * X-Forwarded-For and X-Forwarded-Proto are believed; NULL: none.
     * Read only during http_server_start. */
    const char *trusted_proxies;
    /* How long http_server_stop waits for requests under way, in ms
     * (0: OSAFE_HTTP_STOP_GRACE_S). */
    unsigned stop_grace_ms;
} http_opts;

/* Loopback 127.0.0.1:8420, 4 threads, 1 MiB bodies, limits.h defaults. */
void http_opts_default(http_opts *o);

typedef struct http_server http_server;

/*
 * Bind, listen and start serving.  On success *out owns the server (stop it
 * with http_server_stop); ctx is borrowed and must outlive it.  Returns 0,
 * OSAFE_EINVAL (bad listen address or option, message says which),
 * OSAFE_EIO (socket, bind or engine start failed; message has the reason),
 * OSAFE_ENOMEM.  On failure the handler is never called.
 */
int http_server_start(const http_opts *o, http_handler h, void *ctx,
                      http_server **out, osafe_err *e);
/* The bound port (the kernel's choice when the listen port was 0). */
unsigned http_server_port(const http_server *s);
/* Stop accepting at once, let requests under way finish for up to
 * http_opts.stop_grace_ms (their answers say "Connection: close"),
 * then close every connection, wait for handlers still running to return
 * and free everything.  NULL is a no-op. */
void http_server_stop(http_server *s);

#endif
