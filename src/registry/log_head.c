/*
 * log_head.c - what the node's pages show of its transparency log: the
 * current checkpoint and the verifier key, from the log the registry holds
 * open (never from the log directory's private files).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/enc.h"
#include "registry/reg_internal.h"

void reg_log_info_release(reg_log_info *i)
{
    free(i->note);
    memset(i, 0, sizeof *i);
}

int reg_log_head(registry *r, reg_log_info *out, osafe_err *e)
{
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&r->log_mu);
    int rc = 0;
    /* A shared log: the checkpoint another process may have written.  If
     * it cannot be read, the last one this process read or wrote, signed
     * all the same, is shown. */
    osafe_err stale;
    if (r->log)
        OSAFE_IGNORE(tlog_log_refresh(r->log, &stale));
    if (!r->log) {
        rc = osafe_errf(e, OSAFE_ENOTFOUND, "this node has no transparency "
                                            "log");
    } else {
        const tlog_checkpoint *cp = tlog_log_head(r->log);
        size_t n;
        const char *note = tlog_log_checkpoint_note(r->log, &n);
        snprintf(out->origin, sizeof out->origin, "%s", cp->origin);
        out->size = cp->size;
        b64_encode(out->root, cp->root.b, sizeof cp->root.b);
        out->note = malloc(n + 1);
        if (out->note) {
            memcpy(out->note, note, n);
            out->note[n] = '\0';
            out->note_len = n;
        }
    }
    pthread_mutex_unlock(&r->log_mu);
    if (!rc && !out->note)
        rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    return rc;
}

int reg_log_vkey(registry *r, char *out, size_t size, osafe_err *e)
{
    osafe_buf b = OSAFE_BUF_INIT;
    pthread_mutex_lock(&r->log_mu);
    int rc = r->log ? tlog_log_vkey(r->log, &b, e)
                    : osafe_errf(e, OSAFE_ENOTFOUND, "this node has no "
                                                     "transparency log");
    pthread_mutex_unlock(&r->log_mu);
    if (!rc && b.len >= size)
        rc = osafe_errf(e, OSAFE_EINVAL, "verifier key longer than %zu bytes",
                        size - 1);
    if (!rc)
        memcpy(out, b.data, b.len + 1);
    buf_release(&b);
    return rc;
}
