/*
 * cosigned.c - witness policies over cosignature lines, and the log's
 * cosigned checkpoint file (see cosig.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/fsx.h"
#include "core/limits.h"
#include "tlog/cosig.h"

/* Which key of w this line claims (by name), or n. */
static size_t claimed(const char *line, size_t ll, const tlog_verifier *w,
                      size_t n)
{
    const size_t dl = 4; /* "— " */
    for (size_t i = 0; i < n; i++) {
        size_t nl = strlen(w[i].name);
        if (ll > dl + nl && !memcmp(line + dl, w[i].name, nl) &&
            line[dl + nl] == ' ')
            return i;
    }
    return n;
}

static void missing(const tlog_verifier *w, size_t n,
                    const tlog_cosig_seen *seen, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < n && used + 1 < size; i++) {
        if (seen[i].ok)
            continue;
        int k = snprintf(out + used, size - used, "%s%s", used ? ", " : "",
                         w[i].name);
        if (k < 0)
            break;
        used += (size_t)k < size - used ? (size_t)k : size - used - 1;
    }
}

int tlog_cosig_quorum(const char *note, size_t len, size_t text_len,
                      const tlog_verifier *w, size_t n, size_t quorum,
                      uint64_t now, tlog_cosig_seen *seen, osafe_err *e)
{
    tlog_cosig_seen local[OSAFE_WITNESS_MAX];
    if (n > OSAFE_WITNESS_MAX)
        return osafe_errf(e, OSAFE_EINVAL, "more than %u witness keys",
                          OSAFE_WITNESS_MAX);
    if (quorum == 0 || quorum > n)
        return osafe_errf(e, OSAFE_EINVAL, "quorum %zu of %zu witness keys: "
                                           "it must be 1 to %zu",
                          quorum, n, n);
    if (!seen)
        seen = local;
    memset(seen, 0, n * sizeof *seen);
    if (text_len + 1 > len)
        return osafe_errf(e, OSAFE_EINVAL, "not a signed note");
    size_t ok = 0, future = 0, bad = 0;
    const char *p = note + text_len + 1, *end = note + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
        size_t i = claimed(p, ll, w, n);
        uint64_t ts;
        osafe_err ve;
        if (i < n && !seen[i].ok) {
            if (tlog_cosig_verify(note, text_len, p, ll, &w[i], &ts, &ve)) {
                /* the same name on the log's own line, or a forgery */
                if (ve.code == OSAFE_EVERIFY && strstr(ve.msg, "not verify"))
                    bad++;
            } else if (ts > now + OSAFE_COSIG_FUTURE_SKEW_S) {
                future++;
            } else {
                seen[i].ok = 1;
                seen[i].time = ts;
                ok++;
            }
        }
        p += ll + 1;
    }
    if (ok >= quorum)
        return 0;
    char miss[512];
    missing(w, n, seen, miss, sizeof miss);
    return osafe_errf(e, OSAFE_EVERIFY,
                      "witness quorum not met: %zu of %zu witness "
                      "cosignatures verified, %zu required (missing: %s%s%s)",
                      ok, n, quorum, miss,
                      future ? "; a cosignature is dated in the future" : "",
                      bad ? "; a cosignature does not verify" : "");
}

int tlog_cosigned_read(const char *dir, char **out, size_t *len,
                       osafe_err *e)
{
    char *path = fsx_path_join(dir, "checkpoint");
    char *cpath = fsx_path_join(dir, TLOG_COSIGNED_FILE);
    char *cp = NULL, *co = NULL;
    size_t cl = 0, col = 0;
    int rc = path && cpath ? 0 : osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    /* The checkpoint first: the cosigned copy is taken only if it is of
     * exactly this checkpoint, so a stale copy is never served. */
    if (!rc)
        rc = fsx_read_file(path, OSAFE_NOTE_MAX, &cp, &cl, e);
    osafe_err ignored;
    if (!rc && fsx_exists(cpath) &&
        fsx_read_file(cpath, OSAFE_NOTE_MAX, &co, &col, &ignored) == 0 &&
        col > cl && !memcmp(co, cp, cl)) {
        free(cp);
        cp = co;
        cl = col;
        co = NULL;
    }
    free(co);
    free(path);
    free(cpath);
    if (rc) {
        free(cp);
        return rc;
    }
    *out = cp;
    *len = cl;
    return 0;
}
