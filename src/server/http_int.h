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
