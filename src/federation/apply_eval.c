/*
 * apply_eval.c - a peer's published evaluations (issue 12): the entry a
 * run leaves in its log (evaluations.c: the canonical run itself, or
 * only its digest osafe.evaluation-digest/v1 when the run is bigger than
 * an entry) becomes a mirrored evaluation with its provenance, and an
 * osafe.evaluation-withdrawal/v1 withdraws the one held.  Only what the
 * entry carries is kept: a digest-only run is stored as its digest (the
 * listing says so); fetching the whole run from the peer's API is not
 * done.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "federation/fed_int.h"

static const char *id_of(json_t *j)
{
    const char *v = json_string_value(json_object_get(j, "id"));
    /* the store's origin_id holds fewer than 32 bytes */
    return v && v[0] && strlen(v) < 32 ? v : NULL;
}

static int is_hex64(const char *v)
{
    return v && strlen(v) == 64 && strspn(v, "0123456789abcdef") == 64;
}

/* What kind of evaluation entry j is: 1 a run, 2 a run's digest, 3 a
 * withdrawal, 0 none (records, merges, anything else). */
static int eval_kind(json_t *j)
{
    const char *type = json_string_value(json_object_get(j, "type"));
    if (!id_of(j))
        return 0;
    if (type)
        return !strcmp(type, "osafe.evaluation-withdrawal/v1") ? 3
               : !strcmp(type, "osafe.evaluation-digest/v1") &&
                       is_hex64(json_string_value(
                           json_object_get(j, "sha256")))
                   ? 2
                   : 0;
    /* a run carries no type and no level; a record carries tlp */
    return !json_object_get(j, "tlp") &&
                   json_is_object(json_object_get(j, "manifest")) &&
                   json_is_object(json_object_get(j, "results")) &&
                   is_hex64(json_string_value(
                       json_object_get(j, "samples_sha256")))
               ? 1
               : 0;
}

static int put_eval(osafe_store *s, fed__apply *a, const char *id,
                    uint64_t index, const void *data, size_t len,
                    osafe_err *e)
{
    store_mirror m;
    memset(&m, 0, sizeof m);
    snprintf(m.origin, sizeof m.origin, "%s", a->peer->origin);
    snprintf(m.peer_url, sizeof m.peer_url, "%s", a->peer->url);
    snprintf(m.origin_id, sizeof m.origin_id, "%s", id);
    m.version = 1;
    m.origin_log_index = (int64_t)index;
    m.checkpoint_size = a->checkpoint_size;
    if (memchr(data, '\0', len)) { /* not text: the TEXT column cannot */
        a->skipped++;
        return 0;
    }
    /* The exact logged bytes, NUL-terminated for the TEXT column. */
    if (!(m.body = malloc(len + 1)))
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    memcpy(m.body, data, len);
    m.body[len] = '\0';
    m.body_len = len;
    int rc = s->ops->meval_put(s, &m, e);
    if (!rc) {
        a->mirrored++;
    } else if (rc == OSAFE_EEXIST) { /* a replay */
        a->skipped++;
        rc = 0;
    }
    free(m.body);
    return rc;
}

int fed__apply_evaluation(osafe_store *s, fed__apply *a, json_t *j,
                          uint64_t index, const void *data, size_t len,
                          int *taken, osafe_err *e)
{
    int kind = eval_kind(j);
    *taken = kind != 0;
    if (kind == 1 || kind == 2)
        return put_eval(s, a, id_of(j), index, data, len, e);
    if (kind != 3)
        return 0;
    int rc = s->ops->meval_withdraw(s, a->peer->origin, id_of(j),
                                    (int64_t)index, e);
    if (rc == OSAFE_ENOTFOUND) { /* not one we hold, or withdrawn already */
        a->skipped++;
        return 0;
    }
    if (!rc)
        a->withdrawn++;
    return rc;
}
