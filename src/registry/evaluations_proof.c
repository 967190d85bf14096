/*
 * evaluations_proof.c - inclusion proofs of published evaluation runs
 * (issue 16 item 2): a reader checks a run against the log as a record.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/enc.h"
#include "core/limits.h"
#include "registry/reg_internal.h"

/* The entry reg_evaluation_publish logged for these stored bytes: the
 * bytes themselves, or their digest statement when they were too long.
 * Rebuilt rather than stored twice: the body is canonical, so the same
 * bytes give the same entry. */
int reg__evaluation_entry(const char *id, const char *body, size_t len,
                      osafe_buf *entry, osafe_err *e)
{
    if (len <= OSAFE_LOG_ENTRY_MAX)
        return buf_append(entry, body, len)
                   ? osafe_errf(e, OSAFE_ENOMEM, "out of memory")
                   : 0;
    uint8_t h[32];
    char hex[65];
    crypto_hash_sha256(h, (const uint8_t *)body, len);
    hex_encode(hex, h, 32);
    json_t *st = json_pack("{s:s, s:s, s:s}", "type",
                           "osafe.evaluation-digest/v1", "id", id, "sha256",
                           hex);
    int rc = st ? reg__canon(st, entry, e)
                : osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    json_decref(st);
    return rc;
}

int reg_evaluation_proof(registry *r, const char *id, char **out, osafe_err *e)
{
    char *body = NULL;
    size_t len;
    int64_t index;
    *out = NULL;
    int rc = reg_evaluation_get(r, id, &body, &len, &index, e);
    if (!rc && index < 0)
        rc = osafe_errf(e, OSAFE_ESTATE, "evaluation '%s' is not in the log",
                        id);
    osafe_buf entry = OSAFE_BUF_INIT;
    if (!rc)
        rc = reg__evaluation_entry(id, body, len, &entry, e);
    free(body);
    json_t *o = NULL;
    if (!rc)
        rc = reg__inclusion(r, index, entry.data, entry.len, &o, e);
    buf_release(&entry);
    if (!rc) {
        json_object_set_new(o, "id", json_string(id));
        if (!(*out = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER)))
            rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    }
    json_decref(o);
    return rc;
}
