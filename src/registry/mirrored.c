/*
 * mirrored.c - records mirrored from peers' logs (src/federation/) as the
 * API lists them: GET /api/v1/records?origin=ORIGIN.  They are TLP:CLEAR
 * (nothing else is mirrored), so every caller may read them.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/reg_internal.h"

static json_t *mirror_item(const store_mirror *m)
{
    json_error_t je;
    json_t *rec = json_loadb(m->body, m->body_len, 0, &je);
    if (!rec)
        return NULL;
    return json_pack("{s:s, s:i, s:s, s:s, s:I, s:o, s:{s:s, s:s, s:I, s:I, "
                     "s:s*}}",
                     "id", m->origin_id, "version", m->version, "state",
                     m->withdrawn[0] ? "withdrawn" : "published", "tlp",
                     "CLEAR", "log_index", (json_int_t)m->origin_log_index,
                     "record", rec, "origin", "name", m->origin, "peer",
                     m->peer_url, "log_index",
                     (json_int_t)m->origin_log_index, "checkpoint_size",
                     (json_int_t)m->checkpoint_size, "withdrawn",
                     m->withdrawn[0] ? m->withdrawn : NULL);
}

int reg_mirror_list(registry *r, const char *origin, int limit,
                    const char *cursor, char **out, osafe_err *e)
{
    *out = NULL;
    store_mirror *m;
    size_t n;
    osafe_store *s = reg__store_get(r);
    /* One more than asked: whether a next page exists. */
    int rc = s->ops->mirror_list(s, origin, cursor, limit + 1, &m, &n, e);
    reg__store_put(r, s);
    if (rc)
        return rc;
    size_t shown = n > (size_t)limit ? (size_t)limit : n;
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < shown; i++) {
        json_t *it = mirror_item(&m[i]);
        if (!it || json_array_append_new(arr, it)) {
            json_decref(arr);
            arr = NULL;
        }
    }
    json_t *page = arr ? json_pack("{s:o, s:s?}", "records", arr,
                                   "next_cursor",
                                   n > shown ? m[shown - 1].origin_id : NULL)
                       : NULL;
    store_mirror_list_release(m, n);
    if (page)
        *out = json_dumps(page, JSON_COMPACT);
    json_decref(page);
    return *out ? 0 : osafe_errf(e, OSAFE_ENOMEM, "out of memory");
}
