/*
 * apply.c - what a verified entry of a peer's log does here: a TLP:CLEAR
 * record becomes (or amends) a mirrored record; a withdrawal withdraws the
 * one held; everything else is counted and left (commitments to GREEN and
 * AMBER records carry no content; evaluations and merges are not mirrored
 * yet).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "federation/fed_int.h"

static int str_field(json_t *j, const char *key, char *out, size_t n)
{
    const char *v = json_string_value(json_object_get(j, key));
    if (!v || !v[0] || strlen(v) >= n)
        return -1;
    memcpy(out, v, strlen(v) + 1);
    return 0;
}

static int apply_withdrawal(osafe_store *s, fed__apply *a, json_t *j,
                            uint64_t index, osafe_err *e)
{
    char id[32];
    json_t *ver = json_object_get(j, "version");
    if (str_field(j, "id", id, sizeof id) || !json_is_integer(ver)) {
        a->skipped++;
        return 0;
    }
    int rc = s->ops->mirror_withdraw(s, a->peer->origin, id,
                                     (int)json_integer_value(ver),
                                     (int64_t)index, e);
    if (rc == OSAFE_ENOTFOUND) { /* not one we hold: nothing to withdraw */
        a->skipped++;
        return 0;
    }
    if (!rc)
        a->withdrawn++;
    return rc;
}

int fed__apply_entry(osafe_store *s, fed__apply *a, uint64_t index,
                     const void *data, size_t len, osafe_err *e)
{
    json_error_t je;
    /* A log may hold any bytes: what is not an osafe statement or record
     * is verified (it is in the tree) and left alone. */
    json_t *j = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(j)) {
        json_decref(j);
        a->skipped++;
        return 0;
    }
    int rc = 0;
    const char *type = json_string_value(json_object_get(j, "type"));
    const char *tlp = json_string_value(json_object_get(j, "tlp"));
    json_t *ver = json_object_get(j, "version");
    store_mirror m;
    memset(&m, 0, sizeof m);
    if (type && !strcmp(type, "osafe.withdrawal/v1")) {
        rc = apply_withdrawal(s, a, j, index, e);
    } else if (type || !tlp || strcmp(tlp, "CLEAR") || !json_is_integer(ver) ||
               str_field(j, "id", m.origin_id, sizeof m.origin_id)) {
        /* Commitments (GREEN, AMBER), digests of CLEAR records too big
         * for an entry, evaluations, merges: not mirrored in this stage. */
        a->skipped++;
    } else {
        snprintf(m.origin, sizeof m.origin, "%s", a->peer->origin);
        snprintf(m.peer_url, sizeof m.peer_url, "%s", a->peer->url);
        m.version = (int)json_integer_value(ver);
        m.origin_log_index = (int64_t)index;
        m.checkpoint_size = a->checkpoint_size;
        /* The exact logged bytes, NUL-terminated for the TEXT column. */
        m.body = malloc(len + 1);
        if (!m.body) {
            rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
        } else {
            memcpy(m.body, data, len);
            m.body[len] = '\0';
            m.body_len = len;
            if (memchr(data, '\0', len))
                a->skipped++;
            else if (!(rc = s->ops->mirror_put(s, &m, e)))
                a->mirrored++;
            else if (rc == OSAFE_EEXIST) { /* a replay of an older version */
                a->skipped++;
                rc = 0;
            }
        }
        free(m.body);
    }
    json_decref(j);
    return rc;
}
