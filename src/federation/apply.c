/*
 * apply.c - what a verified entry of a peer's log does here: a TLP:CLEAR
 * record becomes (or amends) a mirrored record; a withdrawal withdraws the
 * one held; a commitment to a GREEN or AMBER record, when the peer issued
 * us a token, fetches the record through its API and stores it only if it
 * matches the commitment (fetch_api.c); everything else is counted and
 * left (RED never leaves its node; merges are not mirrored yet).
 * Published evaluations and their withdrawals: apply_eval.c.
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
    /* a refused copy of it is no longer wanted (retry.c) */
    int rc = s->ops->refused_drop(s, a->peer->url, -1, id, e);
    if (!rc)
        rc = s->ops->mirror_withdraw(s, a->peer->origin, id,
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

static int put_mirror(osafe_store *s, fed__apply *a, store_mirror *m,
                      osafe_err *e)
{
    snprintf(m->origin, sizeof m->origin, "%s", a->peer->origin);
    snprintf(m->peer_url, sizeof m->peer_url, "%s", a->peer->url);
    m->checkpoint_size = a->checkpoint_size;
    int rc = s->ops->mirror_put(s, m, e);
    if (rc == OSAFE_EEXIST) { /* a replay of an older version */
        a->skipped++;
        return 0;
    }
    return rc;
}

/* A commitment {"type":"osafe.record/v1",...} at index: GREEN and AMBER
 * ones through the peer's API when we hold its token; RED ones and those
 * without a token are counted. */
static int apply_commitment(osafe_store *s, fed__apply *a, json_t *j,
                            uint64_t index, osafe_err *e)
{
    fed__commitment cm;
    memset(&cm, 0, sizeof cm);
    json_t *ver = json_object_get(j, "version");
    if (!a->token || !a->h || str_field(j, "id", cm.id, sizeof cm.id) ||
        str_field(j, "tlp", cm.tlp, sizeof cm.tlp) ||
        str_field(j, "commitment", cm.commitment, sizeof cm.commitment) ||
        strlen(cm.commitment) != 64 || !json_is_integer(ver) ||
        (strcmp(cm.tlp, "GREEN") && strncmp(cm.tlp, "AMBER", 5))) {
        a->skipped++; /* RED above all: never asked for */
        return 0;
    }
    cm.version = (int)json_integer_value(ver);
    fed__fetched f;
    int rc = fed__fetch_committed(a->h, a->token, &cm, &f, e);
    if (rc)
        return rc;
    if (f.status == FED__NOT_SHARED) {
        a->not_shared++;
        return 0;
    }
    if (f.status == FED__REFUSED)
        return fed__refused(s, a, &cm, index, f.why, e);
    rc = fed__store_fetched(s, a, &cm, index, &f, e);
    free(f.body);
    return rc;
}

int fed__refused(osafe_store *s, fed__apply *a, const fed__commitment *cm,
                 uint64_t index, const char *why, osafe_err *e)
{
    a->refused++;
    /* the reason names the record; the message may be cut short */
    int n = snprintf(a->refusal, sizeof a->refusal, "entry %llu: ",
                     (unsigned long long)index);
    if (n > 0 && (size_t)n < sizeof a->refusal)
        memcpy(a->refusal + n, why,
               strnlen(why, sizeof a->refusal - (size_t)n - 1) + 1);
    a->refusal[sizeof a->refusal - 1] = '\0';
    /* kept with the entry's position, so that later syncs fetch it again
     * (retry.c) */
    store_refused r;
    memset(&r, 0, sizeof r);
    snprintf(r.peer_url, sizeof r.peer_url, "%s", a->peer->url);
    r.log_index = (int64_t)index;
    snprintf(r.origin, sizeof r.origin, "%s", a->peer->origin);
    snprintf(r.origin_id, sizeof r.origin_id, "%s", cm->id);
    r.version = cm->version;
    snprintf(r.tlp, sizeof r.tlp, "%s", cm->tlp);
    snprintf(r.commitment, sizeof r.commitment, "%s", cm->commitment);
    snprintf(r.why, sizeof r.why, "%s", why);
    return s->ops->refused_put(s, &r, e);
}

int fed__store_fetched(osafe_store *s, fed__apply *a,
                       const fed__commitment *cm, uint64_t index,
                       const fed__fetched *f, osafe_err *e)
{
    store_mirror m;
    memset(&m, 0, sizeof m);
    snprintf(m.origin_id, sizeof m.origin_id, "%s", cm->id);
    m.version = cm->version;
    m.origin_log_index = (int64_t)index;
    m.body = f->body;
    m.body_len = f->body_len;
    snprintf(m.tlp, sizeof m.tlp, "%s", cm->tlp);
    /* the organisation AMBER is shown to here (tlp.c); a GREEN record
     * needs none */
    snprintf(m.org, sizeof m.org, "%s",
             strcmp(cm->tlp, "GREEN") ? f->org : "");
    snprintf(m.salt, sizeof m.salt, "%s", f->salt);
    uint64_t before = a->skipped;
    int rc = put_mirror(s, a, &m, e);
    if (!rc && a->skipped == before)
        a->fetched++;
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
    int taken = 0;
    if ((rc = fed__apply_evaluation(s, a, j, index, data, len, &taken, e)) ||
        taken) {
        /* an evaluation, its digest or its withdrawal (apply_eval.c) */
    } else if (type && !strcmp(type, "osafe.withdrawal/v1")) {
        rc = apply_withdrawal(s, a, j, index, e);
    } else if (type && !strcmp(type, "osafe.record/v1")) {
        rc = apply_commitment(s, a, j, index, e);
    } else if (type || !tlp || strcmp(tlp, "CLEAR") || !json_is_integer(ver) ||
               str_field(j, "id", m.origin_id, sizeof m.origin_id)) {
        /* Digests of CLEAR records too big for an entry, merges: not
         * mirrored in this stage. */
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
