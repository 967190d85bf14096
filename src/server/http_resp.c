/*
 * http_resp.c - the response side of http.h: the http_resp_* builders, the
 * JSON error shape, file responses, and turning an http_resp into a queued
 * libmicrohttpd response (http__resp_send).  The server itself, the
 * request accessors and the framing checks are in http.c.
 */
#include "server/http.h"

#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/limits.h"
#include "core/utf8.h"
#include "server/http_int.h"

#define JSON_TYPE "application/json; charset=utf-8"
#define OCTET_TYPE "application/octet-stream"
#define TEXT_TYPE "text/plain; charset=utf-8"

/* ===== small helpers ===== */

/* Append s as a JSON string; invalid UTF-8 becomes U+FFFD so the document
 * stays valid whatever a handler or client put in the message. */
static int json_str(osafe_buf *b, const char *s)
{
    int rc = buf_putc(b, '"');
    size_t n = strlen(s), k;
    uint32_t cp;
    for (size_t i = 0; !rc && i < n; i += k) {
        unsigned char c = (unsigned char)s[i];
        k = 1;
        if (c >= 0x80 && (k = utf8_decode(s + i, n - i, &cp)) == 0) {
            k = 1;
            rc = buf_puts(b, "\\ufffd");
        } else if (c >= 0x80) {
            rc = buf_append(b, s + i, k);
        } else if (c == '"' || c == '\\') {
            rc = buf_printf(b, "\\%c", c);
        } else if (c == '\n') {
            rc = buf_puts(b, "\\n");
        } else if (c < 0x20 || c == 0x7f) {
            rc = buf_printf(b, "\\u%04x", c);
        } else {
            rc = buf_putc(b, (char)c);
        }
    }
    return rc ? rc : buf_putc(b, '"');
}

/* RFC 9110 token characters (header names). */
static int is_token(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
              (c >= 'A' && c <= 'Z') || strchr("!#$%&'*+-.^_`|~", c)))
            return 0;
    }
    return 1;
}

/* A header value we can send verbatim: no CR/LF (response splitting), no
 * other control characters, not empty (MHD refuses empty values). */
static int is_header_value(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return 0;
    }
    return 1;
}

/* ===== responses ===== */

void http__resp_init(http_resp *w)
{
    memset(w, 0, sizeof *w);
    buf_init(&w->body, 0);
    w->fd = -1;
}

/* Forget any body (closing a file not yet handed to MHD). */
static void resp_drop_body(http_resp *w)
{
    buf_reset(&w->body);
    if (w->fd >= 0)
        close(w->fd);
    w->fd = -1;
    free(w->ctype);
    w->ctype = NULL;
    w->have_body = 0;
}

void http__resp_release(http_resp *w)
{
    resp_drop_body(w);
    buf_release(&w->body);
    for (size_t i = 0; i < w->nhdrs; i++) {
        free(w->hdrs[i].name);
        free(w->hdrs[i].value);
    }
    w->nhdrs = 0;
}

void http_resp_status(http_resp *w, int status)
{
    w->status = status;
}

int http_resp_header(http_resp *w, const char *name, const char *value)
{
    if (!name || !value || !is_token(name) || !is_header_value(value))
        return OSAFE_EINVAL;
    /* Framing and nosniff belong to the server: a handler overriding them
     * could desynchronise the connection or re-enable sniffing. */
    if (!strcasecmp(name, "Content-Length") ||
        !strcasecmp(name, "Transfer-Encoding") ||
        !strcasecmp(name, "Connection") ||
        !strcasecmp(name, "X-Content-Type-Options"))
        return OSAFE_EINVAL;
    char *v = strdup(value);
    if (!v) {
        w->failed = 1;
        return OSAFE_ENOMEM;
    }
    if (!strcasecmp(name, "Content-Type")) {
        free(w->ctype);
        w->ctype = v;
        return 0;
    }
    for (size_t i = 0; i < w->nhdrs; i++) {
        if (!strcasecmp(w->hdrs[i].name, name)) {
            free(w->hdrs[i].value);
            w->hdrs[i].value = v;
            return 0;
        }
    }
    if (w->nhdrs == OSAFE_HTTP_RESP_HEADERS_MAX) {
        free(v);
        return OSAFE_ETOOBIG;
    }
    char *n = strdup(name);
    if (!n) {
        free(v);
        w->failed = 1;
        return OSAFE_ENOMEM;
    }
    w->hdrs[w->nhdrs].name = n;
    w->hdrs[w->nhdrs].value = v;
    w->nhdrs++;
    return 0;
}

static const char *resp_find(const http_resp *w, const char *name)
{
    for (size_t i = 0; i < w->nhdrs; i++)
        if (!strcasecmp(w->hdrs[i].name, name))
            return w->hdrs[i].value;
    return NULL;
}

int http_resp_body(http_resp *w, const char *content_type, const void *data,
                   size_t len)
{
    if (content_type && !is_header_value(content_type))
        return OSAFE_EINVAL;
    resp_drop_body(w);
    if (content_type && !(w->ctype = strdup(content_type)))
        goto oom;
    if (buf_append(&w->body, data, len))
        goto oom;
    w->have_body = 1;
    return 0;
oom:
    w->failed = 1;
    return OSAFE_ENOMEM;
}

int http_resp_json(http_resp *w, int status, const char *json_text)
{
    w->status = status;
    return http_resp_body(w, JSON_TYPE, json_text, strlen(json_text));
}

__attribute__((format(printf, 5, 0))) static int
resp_verror(http_resp *w, int status, const char *code, const char *field,
            const char *fmt, va_list ap)
{
    char msg[OSAFE_HTTP_ERR_MSG_MAX];
    if (vsnprintf(msg, sizeof msg, fmt, ap) < 0)
        msg[0] = '\0';
    /* buf calls fail only for memory; || stops at the first failure */
    osafe_buf b = OSAFE_BUF_INIT;
    int bad = buf_printf(&b, "{\"error\":{\"status\":%d,\"code\":", status) ||
              json_str(&b, code ? code : "error") ||
              buf_puts(&b, ",\"message\":") || json_str(&b, msg) ||
              (field && (buf_puts(&b, ",\"field\":") || json_str(&b, field))) ||
              buf_puts(&b, "}}");
    int rc = bad ? OSAFE_ENOMEM : http_resp_json(w, status, b.data);
    if (rc)
        w->failed = 1;
    buf_release(&b);
    return rc;
}

int http_resp_error(http_resp *w, int status, const char *code,
                    const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = resp_verror(w, status, code, field, fmt, ap);
    va_end(ap);
    return rc;
}

int http_resp_file(http_resp *w, const char *path, const char *content_type,
                   const char *cache_control)
{
    if ((content_type && !is_header_value(content_type)) ||
        (cache_control && !is_header_value(cache_control)))
        return OSAFE_EINVAL;
    /* O_NONBLOCK: a FIFO at path must not hang this thread in open() */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR) {
            http_resp_error(w, 404, "not_found", NULL, "no such file");
            return OSAFE_ENOTFOUND;
        }
        http_resp_error(w, 500, "internal", NULL, "file cannot be opened");
        return OSAFE_EIO;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        http_resp_error(w, 404, "not_found", NULL, "no such file");
        return OSAFE_ENOTFOUND;
    }
    resp_drop_body(w);
    if (content_type && !(w->ctype = strdup(content_type))) {
        close(fd);
        w->failed = 1;
        return OSAFE_ENOMEM;
    }
    if (cache_control) {
        int rc = http_resp_header(w, "Cache-Control", cache_control);
        if (rc) {
            close(fd);
            return rc;
        }
    }
    w->fd = fd;
    w->fd_size = (uint64_t)st.st_size;
    w->have_body = 1;
    w->status = 200;
    return 0;
}

/*
 * Turn w into an MHD response and queue it.  Anything the handler left
 * inconsistent (no answer, bad status, failed copy) becomes a 500 here, so
 * the client always gets a well-formed answer.  close_conn adds
 * "Connection: close", which MHD honours, for requests whose framing we
 * distrust.
 */
enum MHD_Result http__resp_send(struct MHD_Connection *c, http_resp *w,
                                int close_conn)
{
    if (w->failed) {
        resp_drop_body(w);
        w->failed = 0;
        http_resp_error(w, 500, "internal", NULL,
                        "response could not be built");
    } else if (!w->have_body && w->status == 0) {
        http_resp_error(w, 500, "internal", NULL, "handler sent no response");
    } else if (w->status == 0) {
        w->status = 200;
    }
    if (w->status < 200 || w->status > 599) {
        resp_drop_body(w);
        http_resp_error(w, 500, "internal", NULL, "handler set status %d",
                        w->status);
    }
    if (w->failed)
        return MHD_NO; /* out of memory even for the error: drop */

    struct MHD_Response *r = NULL;
    if (w->fd >= 0) {
        r = MHD_create_response_from_fd64(w->fd_size, w->fd);
        if (r)
            w->fd = -1; /* MHD closes it with the response */
    } else if (w->body.len > 0) {
        size_t len;
        char *data = buf_detach(&w->body, &len);
        r = MHD_create_response_from_buffer(len, data,
                                            MHD_RESPMEM_MUST_FREE);
        if (!r)
            free(data);
    } else {
        r = MHD_create_response_from_buffer(0, (void *)"",
                                            MHD_RESPMEM_PERSISTENT);
    }
    if (!r)
        return MHD_NO;

    const char *ctype = w->ctype ? w->ctype
                        : w->have_body ? OCTET_TYPE
                                       : TEXT_TYPE;
    int ok = MHD_add_response_header(r, "Content-Type", ctype) == MHD_YES &&
             MHD_add_response_header(r, "X-Content-Type-Options",
                                     "nosniff") == MHD_YES;
    for (size_t i = 0; ok && i < w->nhdrs; i++)
        ok = MHD_add_response_header(r, w->hdrs[i].name, w->hdrs[i].value) ==
             MHD_YES;
    /* JSON answers are API results: no shared cache may keep them. */
    if (ok && !strncasecmp(ctype, "application/json", 16) &&
        !resp_find(w, "Cache-Control"))
        ok = MHD_add_response_header(r, "Cache-Control", "no-store") ==
             MHD_YES;
    if (ok && close_conn)
        ok = MHD_add_response_header(r, "Connection", "close") == MHD_YES;
    enum MHD_Result q =
        ok ? MHD_queue_response(c, (unsigned)w->status, r) : MHD_NO;
    MHD_destroy_response(r);
    return q;
}

/* An answer the server makes itself, before or instead of the handler. */
__attribute__((format(printf, 4, 5))) enum MHD_Result
http__answer_error(struct MHD_Connection *c, int status, const char *code,
                   const char *fmt, ...)
{
    http_resp w;
    http__resp_init(&w);
    va_list ap;
    va_start(ap, fmt);
    resp_verror(&w, status, code, NULL, fmt, ap);
    va_end(ap);
    enum MHD_Result q = http__resp_send(c, &w, 1);
    http__resp_release(&w);
    return q;
}
