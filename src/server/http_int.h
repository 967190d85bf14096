/*
 * http_int.h - private to the HTTP server (http.c) and its response
 * builders (http_resp.c).  Not part of the API.
 */
#ifndef OSAFE_SERVER_HTTP_INT_H
#define OSAFE_SERVER_HTTP_INT_H

#include <microhttpd.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/limits.h"
#include "server/http.h"

/* One response header set by the handler (both strings owned). */
typedef struct http_hdr {
    char *name;
    char *value;
} http_hdr;

/* What http.h's opaque http_resp is: filled by the handler, sent by http.c. */
struct http_resp {
    int status;    /* 0 until set */
    int have_body; /* some body call succeeded */
    int failed;    /* a copy failed: answer 500 instead */
    char *ctype;   /* NULL: default for the body kind */
    osafe_buf body;
    int fd; /* file to stream instead of body, or -1 */
    uint64_t fd_size;
    http_hdr hdrs[OSAFE_HTTP_RESP_HEADERS_MAX];
    size_t nhdrs;
};

/* A numeric IPv4 (4 bytes) or IPv6 (16 bytes) address. */
typedef struct http_addr {
    int family; /* AF_INET or AF_INET6 */
    unsigned char bytes[16];
} http_addr;

/* http_guard.c: MHD's URI log callback.  Returns http__uri_refused (and
 * empties the query in MHD's buffer) for a target over OSAFE_HTTP_URI_MAX
 * bytes or OSAFE_HTTP_QUERY_ARGS_MAX arguments, else NULL.  MHD hands the
 * result to on_access as *con_cls. */
void *http__uri_guard(void *cls, const char *uri, struct MHD_Connection *c);
extern void *const http__uri_refused;
/* Refuse a request line or header line not ending in CR LF, a NUL byte in
 * a header value, and two Host headers (400).  Returns 1 if an answer was
 * queued (*q holds MHD's verdict), else 0.  version is on_access's. */
int http__check_headers(struct MHD_Connection *c, const char *version,
                        enum MHD_Result *q);
/* "a,b,c" numeric addresses into out[OSAFE_HTTP_TRUSTED_PROXIES_MAX];
 * NULL or "" is none.  0 or OSAFE_EINVAL naming the bad entry. */
int http__parse_proxies(const char *text, http_addr *out, size_t *n,
                        osafe_err *e);
/* The client's address: peer's, unless peer is a trusted proxy, then the
 * rightmost X-Forwarded-For hop no trusted proxy owns.  *secure is 1 when
 * a trusted proxy says X-Forwarded-Proto: https. */
void http__client_addr(struct MHD_Connection *c, const http_addr *trusted,
                       size_t ntrusted, const char *peer, char *out,
                       size_t outlen, int *secure);

/* Empty response: no status, no body, no file (http_resp.c). */
void http__resp_init(http_resp *w);
/* Free everything w holds, closing a file not yet handed to MHD. */
void http__resp_release(http_resp *w);
/* Queue w as MHD's answer (500 when w is inconsistent); see http_resp.c. */
enum MHD_Result http__resp_send(struct MHD_Connection *c, http_resp *w,
                                int close_conn);
/* An answer the server makes itself: JSON error, "Connection: close". */
enum MHD_Result http__answer_error(struct MHD_Connection *c, int status,
                                   const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
