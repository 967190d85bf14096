/*
 * mirrored.c - records mirrored from peers' logs (src/federation/) as the
 * API lists them: GET /api/v1/records?origin=ORIGIN.  CLEAR ones are
 * anyone's; GREEN and AMBER ones (fetched with a peer token and checked
 * against the origin's commitment) keep their level here and are shown
 * only to whom this node's rules allow (tlp.c, reg__reads_mirror).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "registry/reg_internal.h"

static const char *mirror_tlp(const store_mirror *m)
{
    return m->tlp[0] ? m->tlp : "CLEAR";
}

json_t *reg__mirror_item(const store_mirror *m)
{
    json_error_t je;
    json_t *rec = json_loadb(m->body, m->body_len, 0, &je);
    if (!rec)
        return NULL;
    return json_pack("{s:s, s:i, s:s, s:s, s:I, s:o, s:{s:s, s:s, s:I, s:I, "
                     "s:s*, s:s*}}",
                     "id", m->origin_id, "version", m->version, "state",
                     m->withdrawn[0] ? "withdrawn" : "published", "tlp",
                     mirror_tlp(m), "log_index",
                     (json_int_t)m->origin_log_index, "record", rec, "origin",
                     "name", m->origin, "peer", m->peer_url, "log_index",
                     (json_int_t)m->origin_log_index, "checkpoint_size",
                     (json_int_t)m->checkpoint_size, "withdrawn",
                     m->withdrawn[0] ? m->withdrawn : NULL, "salt",
                     m->salt[0] ? m->salt : NULL);
}

int reg__mirror_visible(const reg_caller *c, const store_mirror *m)
{
    return reg__reads_mirror(c, mirror_tlp(m), m->org);
}

int reg_mirror_list(registry *r, const reg_caller *c, const char *origin,
                    int limit, const char *cursor, char **out, osafe_err *e)
{
    *out = NULL;
    json_t *arr = json_array();
    char after[32], last[32] = "";
    snprintf(after, sizeof after, "%s", cursor ? cursor : "");
    int rc = arr ? 0 : osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    int more = 0; /* a visible record past the page: a next page exists */
    /* Pages of the store, the records c may not read left out, until one
     * more than asked is found or the store has no more. */
    while (!rc && !more) {
        store_mirror *m;
        size_t n;
        osafe_store *s = reg__store_get(r);
        rc = s->ops->mirror_list(s, origin, after, limit + 1, &m, &n, e);
        reg__store_put(r, s);
        if (rc)
            break;
        for (size_t i = 0; !rc && !more && i < n; i++) {
            if (!reg__mirror_visible(c, &m[i]))
                continue;
            if (json_array_size(arr) == (size_t)limit) {
                more = 1;
                break;
            }
            json_t *it = reg__mirror_item(&m[i]);
            if (!it || json_array_append_new(arr, it))
                rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
            else
                snprintf(last, sizeof last, "%s", m[i].origin_id);
        }
        if (n)
            snprintf(after, sizeof after, "%s", m[n - 1].origin_id);
        store_mirror_list_release(m, n);
        if (n < (size_t)limit + 1)
            break;
    }
    json_t *page = !rc ? json_pack("{s:O, s:s?}", "records", arr,
                                   "next_cursor", more ? last : NULL)
                       : NULL;
    json_decref(arr);
    if (page)
        *out = json_dumps(page, JSON_COMPACT);
    json_decref(page);
    if (rc)
        return rc;
    return *out ? 0 : osafe_errf(e, OSAFE_ENOMEM, "out of memory");
}

int reg_mirror_get(registry *r, const reg_caller *c, const char *origin,
                   const char *id, char **out, osafe_err *e)
{
    *out = NULL;
    store_mirror m;
    memset(&m, 0, sizeof m);
    osafe_store *s = reg__store_get(r);
    int rc = s->ops->mirror_get(s, origin, id, &m, e);
    reg__store_put(r, s);
    if (rc)
        return rc;
    if (!reg__mirror_visible(c, &m)) { /* as for our own: not found */
        free(m.body);
        return osafe_errf(e, OSAFE_ENOTFOUND, "no record %s from %s", id,
                          origin);
    }
    json_t *it = reg__mirror_item(&m);
    free(m.body);
    if (!it)
        return osafe_errf(e, OSAFE_ECORRUPT,
                          "mirrored record %s of %s is not JSON", id, origin);
    *out = json_dumps(it, JSON_COMPACT);
    json_decref(it);
    return *out ? 0 : osafe_errf(e, OSAFE_ENOMEM, "out of memory");
}

/* The newest split-view evidence against url, as an object, or JSON null
 * when none is held. */
static json_t *split_json(osafe_store *s, const char *url, osafe_err *e,
                          int *rc)
{
    char *old_note = NULL, *new_note = NULL, *proof = NULL, *reason = NULL;
    *rc = s->ops->split_get(s, url, &old_note, &new_note, &proof, &reason, e);
    json_t *j;
    if (*rc == OSAFE_ENOTFOUND) {
        *rc = 0;
        j = json_null();
    } else if (*rc) {
        j = NULL;
    } else {
        j = json_pack("{s:s, s:s, s:s, s:s}", "reason", reason ? reason : "",
                      "old_checkpoint", old_note ? old_note : "",
                      "new_checkpoint", new_note ? new_note : "", "proof",
                      proof ? proof : "");
    }
    free(old_note);
    free(new_note);
    free(proof);
    free(reason);
    return j;
}

static json_t *peer_json(osafe_store *s, const store_peer *p, osafe_err *e,
                         int *rc)
{
    json_t *split = split_json(s, p->url, e, rc);
    if (!split)
        return NULL;
    return json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:o}", "url",
                     p->url, "origin", p->origin, "state", p->state, "size",
                     (json_int_t)p->size, "seen_size",
                     (json_int_t)p->seen_size, "last_sync", p->last_sync,
                     "last_error", p->last_error, "split", split);
}

int reg_peer_status(registry *r, char **out, osafe_err *e)
{
    *out = NULL;
    store_peer *peers = NULL;
    size_t n = 0;
    osafe_store *s = reg__store_get(r);
    int rc = s->ops->peer_list(s, &peers, &n, e);
    json_t *arr = rc ? NULL : json_array();
    for (size_t i = 0; arr && i < n; i++) {
        json_t *it = peer_json(s, &peers[i], e, &rc);
        if (!it || json_array_append_new(arr, it)) {
            json_decref(arr);
            arr = NULL;
        }
    }
    /* the witness keeps what it refused to cosign under this name
     * (federation/witness.c) */
    json_t *w = arr ? split_json(s, "witness", e, &rc) : NULL;
    reg__store_put(r, s);
    for (size_t i = 0; i < n; i++)
        store_peer_release(&peers[i]);
    free(peers);
    if (rc) {
        json_decref(arr);
        json_decref(w);
        return rc;
    }
    json_t *doc = arr && w ? json_pack("{s:o, s:o}", "peers", arr,
                                       "witness_split", w)
                           : NULL;
    if (doc)
        *out = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return *out ? 0 : osafe_errf(e, OSAFE_ENOMEM, "out of memory");
}

/* One origin's mirrored records (evals 0) or evaluations (evals 1) that
 * the ranking counts, a page at a time.  The ranking is shown to anyone:
 * only CLEAR mirrored records count (GREEN and AMBER ones stay with their
 * readers), and of evaluations only runs logged in full (a digest says
 * nothing the ranking can use). */
static int each_origin(registry *r, const char *origin, int evals,
                       int (*fn)(void *ctx, const char *id, const char *body,
                                 size_t len),
                       void *ctx, size_t *n_out, osafe_err *e)
{
    char after[32] = "";
    reg_caller anyone;
    memset(&anyone, 0, sizeof anyone);
    for (;;) {
        store_mirror *m;
        size_t n;
        osafe_store *s = reg__store_get(r);
        int rc = evals ? s->ops->meval_list(s, origin, after, OSAFE_PAGE_MAX,
                                            &m, &n, e)
                       : s->ops->mirror_list(s, origin, after, OSAFE_PAGE_MAX,
                                             &m, &n, e);
        reg__store_put(r, s);
        if (rc)
            return rc;
        for (size_t i = 0; !rc && i < n; i++) {
            int counted =
                !m[i].withdrawn[0] &&
                (evals ? !strstr(m[i].body, "\"osafe.evaluation-digest/v1\"")
                       : reg__mirror_visible(&anyone, &m[i]));
            if (counted) {
                rc = fn(ctx, m[i].origin_id, m[i].body, m[i].body_len);
                (*n_out)++;
            }
        }
        if (n)
            snprintf(after, sizeof after, "%s", m[n - 1].origin_id);
        store_mirror_list_release(m, n);
        if (rc || n < OSAFE_PAGE_MAX)
            return rc;
    }
}

int reg__mirror_walk(registry *r, int evals,
                     int (*fn)(void *ctx, const char *id, const char *body,
                               size_t len),
                     void *ctx, size_t *n_out, osafe_err *e)
{
    *n_out = 0;
    store_peer *peers = NULL;
    size_t n = 0;
    osafe_store *s = reg__store_get(r);
    int rc = s->ops->peer_list(s, &peers, &n, e);
    reg__store_put(r, s);
    for (size_t i = 0; !rc && i < n; i++) {
        /* a frozen peer showed two histories: nothing of it is counted;
         * an origin two peers serve is counted once */
        int dup = strcmp(peers[i].state, "active") != 0;
        for (size_t j = 0; !dup && j < i; j++)
            dup = !strcmp(peers[j].state, "active") &&
                  !strcmp(peers[j].origin, peers[i].origin);
        if (!dup)
            rc = each_origin(r, peers[i].origin, evals, fn, ctx, n_out, e);
    }
    for (size_t i = 0; i < n; i++)
        store_peer_release(&peers[i]);
    free(peers);
    return rc;
}

int reg_mirror_each(registry *r,
                    int (*fn)(void *ctx, const char *id, const char *body,
                              size_t len),
                    void *ctx, size_t *n_out, osafe_err *e)
{
    return reg__mirror_walk(r, 0, fn, ctx, n_out, e);
}
