/*
 * http_gzip.c - gzip content coding (RFC 9110 section 8.4.1.3) for the
 * responses that benefit: tlog-tiles entry bundles, which the spec says
 * SHOULD be compressible (entries are mostly JSON text).
 */
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "server/http.h"

/* The q of one Accept-Encoding member ("gzip;q=0.5" -> nonzero). */
static int q_nonzero(const char *params, size_t n)
{
    const char *q = NULL;
    for (size_t i = 0; i + 1 < n; i++)
        if ((params[i] == 'q' || params[i] == 'Q') && params[i + 1] == '=' &&
            (i == 0 || params[i - 1] == ';' || params[i - 1] == ' '))
            q = params + i + 2;
    if (!q)
        return 1;
    /* q=0, q=0., q=0.000 refuse; any nonzero digit accepts. */
    for (; q < params + n && *q != ';' && *q != ','; q++)
        if (*q >= '1' && *q <= '9')
            return 1;
    return 0;
}

int http_accepts_gzip(const char *ae)
{
    for (const char *p = ae; p && *p;) {
        p += strspn(p, " \t,");
        size_t n = strcspn(p, ","), tok = strcspn(p, ";, \t");
        if (tok > n)
            tok = n;
        if (((tok == 4 && !strncasecmp(p, "gzip", 4)) ||
             (tok == 6 && !strncasecmp(p, "x-gzip", 6)) ||
             (tok == 1 && *p == '*')) &&
            q_nonzero(p + tok, n - tok))
            return 1;
        p += n;
    }
    return 0;
}

int http_gzip(const void *in, size_t n, osafe_buf *out)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    /* windowBits 15 + 16: a gzip header and trailer, not zlib's. */
    if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK)
        return OSAFE_ENOMEM;
    uLong bound = deflateBound(&z, (uLong)n);
    int rc = buf_reserve(out, (size_t)bound);
    if (rc == 0) {
        z.next_in = (Bytef *)in;
        z.avail_in = (uInt)n;
        z.next_out = (Bytef *)out->data + out->len;
        z.avail_out = (uInt)bound;
        if (deflate(&z, Z_FINISH) != Z_STREAM_END)
            rc = OSAFE_EIO;
        else
            out->len += (size_t)z.total_out;
    }
    deflateEnd(&z);
    return rc;
}
