/*
 * http_guard.c - checks on a request that libmicrohttpd 0.9.75 lets
 * through, and the client address behind a trusted reverse proxy.
 *
 * Three things MHD 0.9.75 does not refuse on its own (issue 9 items 11 and
 * 13), each checked here before any handler runs:
 *
 *  - A long query string.  MHD parses every argument into the
 *    connection's memory pool; when the pool runs out it neither answers
 *    nor closes.  MHD shows us the raw request target first (the URI log
 *    callback, before it splits the arguments), so a target over
 *    OSAFE_HTTP_URI_MAX bytes or with more than OSAFE_HTTP_QUERY_ARGS_MAX
 *    arguments is cut at the '?' there, leaving MHD nothing to parse, and
 *    answered 414 when the request reaches on_access.
 *
 *  - Header lines ending in a bare LF, or holding a NUL byte.  MHD keeps
 *    the request line and header values where they lie in its read
 *    buffer and overwrites each line ending in place with NULs: two for
 *    CR LF, one for a bare LF.  A value that is not followed by exactly
 *    two NULs therefore either ended in a bare LF or was cut short by a
 *    NUL byte of its own (measured on 0.9.75; test_http_guard.c fails if a
 *    later MHD stops behaving so).  The same holds for the HTTP version
 *    that ends the request line.
 *
 *  - Two Host headers (which one names the site is then a guess).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "server/http_int.h"

/* ===== the request target ===== */

/* Returned by the URI callback for a target we cut; never dereferenced. */
static char uri_refused_marker;
void *const http__uri_refused = &uri_refused_marker;

void *http__uri_guard(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls;
    (void)c;
    char *q = strchr(uri, '?');
    size_t nargs = 0;
    if (q)
        for (const char *p = q; *p; p++)
            nargs += *p == '&' || *p == ';' || p == q;
    if (strlen(uri) <= OSAFE_HTTP_URI_MAX &&
        nargs <= OSAFE_HTTP_QUERY_ARGS_MAX)
        return NULL;
    /* MHD gives the target as const but it lies in MHD's own read buffer,
     * which it is about to cut up itself; an empty query costs it nothing. */
    if (q)
        q[1] = '\0';
    return http__uri_refused;
}

/* ===== header lines ===== */

/* The two NULs MHD leaves where "\r\n" ended text at end[0]. */
static int crlf_ended(const char *end)
{
    return end[0] == '\0' && end[1] == '\0';
}

struct hdr_scan {
    unsigned n_host;
    const char *bad; /* name of the first malformed header, or NULL */
    size_t bad_len;
};

static enum MHD_Result hdr_iter(void *cls, enum MHD_ValueKind kind,
                                const char *key, size_t key_size,
                                const char *value, size_t value_size)
{
    (void)kind;
    struct hdr_scan *h = cls;
    if (key_size == 4 && !strncasecmp(key, "Host", 4))
        h->n_host++;
    if (!h->bad && value && !crlf_ended(value + value_size)) {
        h->bad = key;
        h->bad_len = key_size < 64 ? key_size : 64;
    }
    return MHD_YES;
}

int http__check_headers(struct MHD_Connection *c, const char *version,
                        enum MHD_Result *q)
{
    struct hdr_scan h = {0, NULL, 0};
    MHD_get_connection_values_n(c, MHD_HEADER_KIND, hdr_iter, &h);
    if (version && !crlf_ended(version + strlen(version)))
        *q = http__answer_error(c, 400, "bad_request",
                                "the request line does not end in CR LF");
    else if (h.bad)
        *q = http__answer_error(c, 400, "bad_request",
                                "header %.*s: a NUL byte in its value, or a "
                                "line not ending in CR LF",
                                (int)h.bad_len, h.bad);
    else if (h.n_host > 1)
        *q = http__answer_error(c, 400, "bad_request",
                                "more than one Host header");
    else
        return 0;
    return 1;
}

/* ===== trusted proxies and the client address ===== */

/* A numeric IPv4 or IPv6 address into a; 0 or -1. */
static int addr_parse(const char *s, size_t n, http_addr *a)
{
    char tmp[INET6_ADDRSTRLEN];
    if (n == 0 || n >= sizeof tmp)
        return -1;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    memset(a, 0, sizeof *a);
    if (inet_pton(AF_INET, tmp, a->bytes) == 1)
        a->family = AF_INET;
    else if (inet_pton(AF_INET6, tmp, a->bytes) == 1)
        a->family = AF_INET6;
    else
        return -1;
    return 0;
}

static int addr_is_trusted(const http_addr *a, const http_addr *list,
                           size_t n)
{
    size_t len = a->family == AF_INET ? 4 : 16;
    for (size_t i = 0; i < n; i++)
        if (list[i].family == a->family && !memcmp(list[i].bytes, a->bytes, len))
            return 1;
    return 0;
}

int http__parse_proxies(const char *text, http_addr *out, size_t *n,
                        osafe_err *e)
{
    *n = 0;
    if (!text || !*text)
        return 0;
    const char *p = text;
    for (;;) {
        size_t len = strcspn(p, ",");
        if (*n == OSAFE_HTTP_TRUSTED_PROXIES_MAX)
            return osafe_errf(e, OSAFE_EINVAL,
                              "trusted proxies: more than %u",
                              (unsigned)OSAFE_HTTP_TRUSTED_PROXIES_MAX);
        if (addr_parse(p, len, &out[*n]) != 0)
            return osafe_errf(e, OSAFE_EINVAL,
                              "trusted proxy '%.*s' is not a numeric IPv4 or "
                              "IPv6 address",
                              (int)(len < 64 ? len : 64), p);
        (*n)++;
        if (!p[len])
            return 0;
        p += len + 1;
    }
}

/* Every X-Forwarded-For value, in order, joined by ','. */
struct xff_cat {
    char text[OSAFE_HTTP_XFF_HOPS_MAX * (INET6_ADDRSTRLEN + 2)];
    size_t len;
    int truncated;
};

static enum MHD_Result xff_iter(void *cls, enum MHD_ValueKind kind,
                                const char *key, size_t key_size,
                                const char *value, size_t value_size)
{
    (void)kind;
    struct xff_cat *x = cls;
    if (key_size != 15 || strncasecmp(key, "X-Forwarded-For", 15) || !value)
        return MHD_YES;
    if (x->len + value_size + 2 > sizeof x->text) {
        /* Keep the rightmost hops, the ones our proxies wrote. */
        x->len = 0;
        x->truncated = 1;
        if (value_size + 1 >= sizeof x->text) {
            value += value_size - (sizeof x->text - 2);
            value_size = sizeof x->text - 2;
        }
    }
    if (x->len)
        x->text[x->len++] = ',';
    memcpy(x->text + x->len, value, value_size);
    x->len += value_size;
    x->text[x->len] = '\0';
    return MHD_YES;
}

void http__client_addr(struct MHD_Connection *c, const http_addr *trusted,
                       size_t ntrusted, const char *peer, char *out,
                       size_t outlen, int *secure)
{
    snprintf(out, outlen, "%s", peer);
    *secure = 0;
    http_addr a;
    if (!ntrusted || addr_parse(peer, strlen(peer), &a) != 0 ||
        !addr_is_trusted(&a, trusted, ntrusted))
        return;
    const char *proto =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Forwarded-Proto");
    *secure = proto && !strcasecmp(proto, "https");
    struct xff_cat x;
    x.len = 0;
    x.truncated = 0;
    x.text[0] = '\0';
    MHD_get_connection_values_n(c, MHD_HEADER_KIND, xff_iter, &x);
    /* From the right: each hop a trusted proxy appended names the one
     * before it; the first address no trusted proxy owns is the client.
     * A hop that is not an address ends the walk at the last one we
     * believe. */
    size_t end = x.len;
    for (unsigned hops = 0; end > 0 && hops < OSAFE_HTTP_XFF_HOPS_MAX;
         hops++) {
        size_t start = end;
        while (start > 0 && x.text[start - 1] != ',')
            start--;
        size_t s = start, t = end;
        while (s < t && (x.text[s] == ' ' || x.text[s] == '\t'))
            s++;
        while (t > s && (x.text[t - 1] == ' ' || x.text[t - 1] == '\t'))
            t--;
        if (addr_parse(x.text + s, t - s, &a) != 0)
            return;
        inet_ntop(a.family, a.bytes, out, (socklen_t)outlen);
        if (!addr_is_trusted(&a, trusted, ntrusted))
            return;
        end = start ? start - 1 : 0;
    }
}
