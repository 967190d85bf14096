/*
 * sync.c - one pull from one peer (see federation.h): accept its new
 * checkpoint if it is consistent with the last one accepted (else keep the
 * evidence and freeze the peer), then take the new entries one bundle at a
 * time, each verified against the signed root before it is stored and
 * committed with the sync's position.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "federation/fed_int.h"
#include "federation/federation.h"
#include "tlog/checkpoint.h"
#include "tlog/cosig.h"
#include "tlog/proof.h"

struct sync {
    osafe_store *s;
    store_peer *p;
    const tlog_verifier *v;
    fed__http *h;
    fed_sync_stats *st;
    tlog_checkpoint c;  /* the accepted checkpoint being caught up with */
    tlog_edge *edge;    /* the verified tree of the first p->taken entries */
    tlog_edge *next;    /* the edge with one more bundle, until verified */
    /* Verified bundles are stored in one transaction of up to
     * OSAFE_PEER_COMMIT_ENTRIES entries (a commit per bundle spent the
     * sync's time in fsync); what was last committed, for a rollback: */
    int in_tx;
    int64_t done_taken;
    uint8_t done_root[32];
    fed_sync_stats pend; /* counts of the open transaction */
    fed__tiles tiles;    /* the peer's tiles at the accepted size (cached) */
    /* the witness policy (fed_sync_witnessed): quorum of the nw keys w */
    const tlog_verifier *w;
    size_t nw, quorum;
    const char *token;   /* the peer's token for GREEN/AMBER, or NULL */
    char refusal[OSAFE_ERR_MAX]; /* the last GREEN/AMBER record refused */
    fed__ahead *ahead;   /* bundles requested ahead (NULL: one at a time) */
    int retry_rc;        /* why refused records could not be fetched again */
    osafe_err retry_err;
};

/* Refused GREEN/AMBER records fetched again (retry.c), under the
 * checkpoint just accepted.  A failure (the peer's API down) does not
 * stop the new entries: it is the sync's answer if nothing worse comes. */
static void retry_refused(struct sync *y)
{
    if (!y->token)
        return;
    fed__apply a = {.peer = y->p, .checkpoint_size = (int64_t)y->c.size,
                    .h = y->h, .token = y->token};
    y->retry_rc = fed__retry_refused(y->s, &a, &y->retry_err);
    y->st->fetched += a.fetched;
    y->st->not_shared += a.not_shared;
    y->st->skipped += a.skipped;
    y->st->refused += a.refused;
    if (a.refused)
        snprintf(y->refusal, sizeof y->refusal, "%s", a.refusal);
}

/* Write p's mutable fields in one transaction together with whatever the
 * caller has done since begin. */
static int commit_peer(struct sync *y, osafe_err *e)
{
    int rc = y->s->ops->peer_put(y->s, y->p, 0, e);
    if (!rc)
        rc = y->s->ops->commit(y->s, e);
    if (rc)
        y->s->ops->rollback(y->s);
    return rc;
}

static int split_view(struct sync *y, const char *old_note,
                      const char *new_note, const char *proof,
                      const char *reason, osafe_err *e)
{
    int rc = y->s->ops->begin(y->s, e);
    if (!rc)
        rc = y->s->ops->split_put(y->s, y->p->url, y->p->origin, old_note,
                                  new_note, proof, reason, e);
    if (rc) {
        y->s->ops->rollback(y->s);
        return rc;
    }
    char was[16];
    snprintf(was, sizeof was, "%s", y->p->state);
    snprintf(y->p->state, sizeof y->p->state, "frozen");
    if ((rc = commit_peer(y, e))) {
        snprintf(y->p->state, sizeof y->p->state, "%s", was);
        return rc;
    }
    y->st->split = 1;
    return osafe_errf(e, OSAFE_EVERIFY,
                      "split view: %s; both signed checkpoints are kept as "
                      "evidence (`osafe peer evidence`) and the peer is "
                      "frozen",
                      reason);
}

/* Is the peer's new checkpoint (note, c) an extension of the accepted
 * one?  0 yes, EVERIFY after recording a split view, else an error that
 * proves nothing against the peer (I/O, a damaged tile). */
static int check_extends(struct sync *y, const char *note,
                         const tlog_checkpoint *c, osafe_err *e)
{
    tlog_checkpoint old;
    const char *on = y->p->checkpoint;
    int rc = tlog_checkpoint_open(on, strlen(on), y->v, &old, e);
    if (rc)
        return osafe_errprefix(e, "the checkpoint accepted earlier: ");
    char why[160];
    if (c->size < old.size)
        return osafe_errf(e, OSAFE_ESTATE,
                          "the peer serves size %llu, older than the %llu "
                          "accepted (a stale cache or a rollback); nothing "
                          "taken",
                          (unsigned long long)c->size,
                          (unsigned long long)old.size);
    if (c->size == old.size) {
        if (tlog_hash_eq(&c->root, &old.root))
            return 0;
        snprintf(why, sizeof why, "two checkpoints of size %llu with "
                                  "different roots",
                 (unsigned long long)c->size);
        return split_view(y, on, note, "", why, e);
    }
    tlog_hash proof[TLOG_PROOF_MAX];
    size_t n;
    fed__tiles t;
    fed__tiles_init(&t, y->h, c->size);
    tlog_reader rd = fed__tiles_reader(&t);
    rc = tlog_prove_consistency(&rd, old.size, c->size, proof, &n, e);
    fed__tiles_free(&t);
    if (rc)
        return osafe_errprefix(e, "consistency proof from the peer's tiles: ");
    osafe_err ve;
    if (tlog_verify_consistency(old.size, c->size, &old.root, &c->root,
                                proof, n, &ve) == 0)
        return 0;
    osafe_buf pj = OSAFE_BUF_INIT;
    rc = tlog_consistency_json(old.size, c->size, &old.root, &c->root, proof,
                               n, &pj);
    if (rc)
        rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    snprintf(why, sizeof why, "checkpoint %llu is not consistent with the "
                              "accepted %llu",
             (unsigned long long)c->size, (unsigned long long)old.size);
    if (!rc)
        rc = split_view(y, on, note, pj.data, why, e);
    buf_release(&pj);
    return rc;
}

/* Fetch, verify and accept the peer's current checkpoint into y->c. */
static int take_checkpoint(struct sync *y, osafe_err *e)
{
    osafe_buf note = OSAFE_BUF_INIT;
    int rc = fed__get(y->h, "checkpoint", OSAFE_NOTE_MAX, &note, e);
    if (!rc && !note.data)
        rc = osafe_errf(e, OSAFE_ECORRUPT, "the peer's checkpoint is empty");
    if (!rc && strlen(note.data) != note.len)
        rc = osafe_errf(e, OSAFE_ECORRUPT, "the peer's checkpoint holds a "
                                           "NUL byte");
    if (!rc && (rc = tlog_checkpoint_open(note.data, note.len, y->v, &y->c,
                                          e)))
        osafe_errprefix(e, "the peer's checkpoint (not signed by its key?): ");
    if (!rc)
        y->p->seen_size = (int64_t)y->c.size;
    if (!rc && y->p->checkpoint)
        rc = check_extends(y, note.data, &y->c, e);
    /* the witness policy, after the split-view check (a signed checkpoint
     * that contradicts an accepted one is evidence, cosigned or not) and
     * before anything of the checkpoint is accepted */
    tlog_note nt;
    if (!rc && y->nw &&
        (rc = tlog_note_open(note.data, note.len, y->v, 1, &nt, e)) == 0 &&
        (rc = tlog_cosig_quorum(note.data, note.len, nt.text_len, y->w,
                                y->nw, y->quorum, (uint64_t)time(NULL), NULL,
                                e)))
        osafe_errprefix(e, "the peer's checkpoint of size %llu is not "
                           "taken: ",
                        (unsigned long long)y->c.size);
    if (!rc && (!y->p->checkpoint || y->p->size != (int64_t)y->c.size)) {
        char *old = y->p->checkpoint;
        int64_t old_size = y->p->size;
        y->p->checkpoint = note.data;
        y->p->size = (int64_t)y->c.size;
        rc = y->s->ops->begin(y->s, e);
        if (!rc && (rc = y->s->ops->peer_checkpoint_put(
                        y->s, y->p->origin, y->p->size, note.data, e)))
            y->s->ops->rollback(y->s);
        if (!rc)
            rc = commit_peer(y, e);
        if (rc) {
            y->p->checkpoint = old;
            y->p->size = old_size;
        } else {
            free(old);
            note.data = NULL; /* now y->p's */
            note.cap = 0;
            note.len = 0;
        }
    }
    buf_release(&note);
    return rc;
}

/* Rebuild the edge of the first p->taken entries from the peer's tiles,
 * and check it against the root computed when they were taken. */
static int load_edge(struct sync *y, osafe_err *e)
{
    uint64_t size = (uint64_t)y->p->taken;
    tlog_edge *edge = y->edge;
    tlog_edge_init(edge);
    edge->size = size;
    osafe_buf b = OSAFE_BUF_INIT;
    int rc = 0;
    for (int L = 0; L < OSAFE_TILE_LEVELS_MAX && !rc; L++) {
        int shift = OSAFE_TILE_HEIGHT * L;
        edge->n[L] = shift >= 64 ? 0 : (unsigned)((size >> shift) & 255);
        if (!edge->n[L])
            continue;
        /* The tile as wide as the accepted size makes it: a partial tile
         * of the width we stopped at exists only if the peer's log once
         * had a checkpoint there; every wider one starts the same way. */
        uint64_t ti = tlog_edge_tile_index(edge, L);
        if (!(rc = fed__tile(y->h, L, ti, tlog_tile_width(L, ti, y->c.size),
                             &b, e)))
            memcpy(edge->h[L], b.data, (size_t)edge->n[L] * 32);
    }
    buf_release(&b);
    if (rc)
        return rc;
    tlog_hash root;
    tlog_edge_root(edge, &root);
    if (size && memcmp(root.b, y->p->taken_root, 32))
        return osafe_errf(e, OSAFE_ECORRUPT,
                          "the peer's tiles for its first %llu entries no "
                          "longer give the root they gave when taken",
                          (unsigned long long)size);
    return 0;
}

/* The bundle holding entry p->taken, as wide as the accepted size makes
 * it, split into ents (pointers into *data). */
static int fetch_bundle(struct sync *y, uint64_t index, unsigned width,
                        osafe_buf *data, tlog_entry *ents, osafe_err *e)
{
    char rel[TLOG_TILE_PATH_MAX];
    size_t max = (size_t)OSAFE_TILE_WIDTH * (2 + OSAFE_LOG_ENTRY_MAX);
    unsigned want = width;
    tlog_tile_path(rel, TLOG_TILE_ENTRIES, index,
                   width == OSAFE_TILE_WIDTH ? 0 : width);
    int rc = y->ahead ? fed__ahead_get(y->ahead, index, max, data, e)
                      : fed__get(y->h, rel, max, data, e);
    if (rc == OSAFE_ENOTFOUND && width < OSAFE_TILE_WIDTH) {
        want = OSAFE_TILE_WIDTH; /* the full bundle starts the same way */
        tlog_tile_path(rel, TLOG_TILE_ENTRIES, index, 0);
        rc = fed__get(y->h, rel, max, data, e);
    }
    if (!rc && (rc = tlog_bundle_split((const uint8_t *)data->data,
                                       data->len, want, ents, e)))
        osafe_errprefix(e, "%s/log/%s: ", y->h->base, rel);
    return rc;
}

/* Commit the open transaction of verified bundles with the position. */
static int flush(struct sync *y, osafe_err *e)
{
    if (!y->in_tx)
        return 0;
    y->in_tx = 0;
    int rc = commit_peer(y, e);
    if (rc) {
        y->p->taken = y->done_taken;
        memcpy(y->p->taken_root, y->done_root, 32);
        return rc;
    }
    y->st->entries += y->pend.entries;
    y->st->mirrored += y->pend.mirrored;
    y->st->withdrawn += y->pend.withdrawn;
    y->st->skipped += y->pend.skipped;
    y->st->fetched += y->pend.fetched;
    y->st->not_shared += y->pend.not_shared;
    y->st->refused += y->pend.refused;
    return 0;
}

/* Take one bundle's new entries: verify, then store (committed by flush
 * every OSAFE_PEER_COMMIT_ENTRIES entries and at the end). */
static int take_bundle(struct sync *y, osafe_buf *data, tlog_entry *ents,
                       osafe_err *e)
{
    uint64_t from = (uint64_t)y->p->taken, bi = from / OSAFE_TILE_WIDTH;
    unsigned off = (unsigned)(from % OSAFE_TILE_WIDTH);
    unsigned width = tlog_tile_width(0, bi, y->c.size);
    int rc = fetch_bundle(y, bi, width, data, ents, e);
    if (rc)
        return rc;
    memcpy(y->next, y->edge, sizeof *y->next);
    for (unsigned i = off; i < width && !rc; i++) {
        tlog_hash leaf;
        tlog_leaf_hash(&leaf, ents[i].data, ents[i].len);
        rc = tlog_edge_push(y->next, &leaf, NULL, NULL, e);
    }
    if (rc)
        return rc;
    uint64_t to = bi * OSAFE_TILE_WIDTH + width;
    tlog_hash root;
    tlog_edge_root(y->next, &root);
    /* The new entries are facts only once their root is linked to the
     * signed one. */
    if (to < y->c.size) {
        tlog_hash proof[TLOG_PROOF_MAX];
        size_t n;
        tlog_reader rd = fed__tiles_reader(&y->tiles);
        rc = tlog_prove_consistency(&rd, to, y->c.size, proof, &n, e);
        if (!rc && tlog_verify_consistency(to, y->c.size, &root, &y->c.root,
                                           proof, n, e))
            rc = OSAFE_EVERIFY;
    } else if (!tlog_hash_eq(&root, &y->c.root)) {
        rc = OSAFE_EVERIFY;
    }
    if (rc == OSAFE_EVERIFY)
        return osafe_errf(e, OSAFE_ECORRUPT,
                          "entries %llu-%llu of the peer's log do not match "
                          "its signed checkpoint: none of them is stored",
                          (unsigned long long)from,
                          (unsigned long long)to - 1);
    if (rc)
        return rc;
    /* GREEN/AMBER records come through the peer's API */
    fed__apply a = {.peer = y->p, .checkpoint_size = (int64_t)y->c.size,
                    .h = y->h, .token = y->token};
    if (!y->in_tx) {
        if ((rc = y->s->ops->begin(y->s, e)))
            return rc;
        y->in_tx = 1;
        y->done_taken = y->p->taken;
        memcpy(y->done_root, y->p->taken_root, 32);
        memset(&y->pend, 0, sizeof y->pend);
    }
    for (unsigned i = off; i < width && !rc; i++)
        rc = fed__apply_entry(y->s, &a, bi * OSAFE_TILE_WIDTH + i,
                              ents[i].data, ents[i].len, e);
    if (rc) {
        y->s->ops->rollback(y->s);
        y->in_tx = 0;
        y->p->taken = y->done_taken;
        memcpy(y->p->taken_root, y->done_root, 32);
        return rc;
    }
    y->p->taken = (int64_t)to;
    memcpy(y->p->taken_root, root.b, 32);
    memcpy(y->edge, y->next, sizeof *y->edge);
    y->pend.entries += to - from;
    y->pend.mirrored += a.mirrored;
    y->pend.withdrawn += a.withdrawn;
    y->pend.skipped += a.skipped;
    y->pend.fetched += a.fetched;
    y->pend.not_shared += a.not_shared;
    y->pend.refused += a.refused;
    if (a.refused)
        snprintf(y->refusal, sizeof y->refusal, "%s", a.refusal);
    if (to - (uint64_t)y->done_taken >= OSAFE_PEER_COMMIT_ENTRIES ||
        to == y->c.size)
        return flush(y, e);
    return 0;
}

static int run_sync(struct sync *y, osafe_err *e)
{
    int rc = take_checkpoint(y, e);
    if (rc)
        return rc;
    retry_refused(y);
    y->st->size = y->c.size;
    if ((uint64_t)y->p->taken >= y->c.size)
        return 0;
    y->edge = malloc(sizeof *y->edge);
    y->next = malloc(sizeof *y->next);
    tlog_entry *ents = malloc(OSAFE_TILE_WIDTH * sizeof *ents);
    osafe_buf data = OSAFE_BUF_INIT;
    if (!y->edge || !y->next || !ents)
        rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    fed__tiles_init(&y->tiles, y->h, y->c.size);
    if (!rc)
        rc = load_edge(y, e);
    if (!rc)
        rc = fed__ahead_open(y->h, y->c.size, &y->ahead, e);
    while (!rc && (uint64_t)y->p->taken < y->c.size)
        rc = take_bundle(y, &data, ents, e);
    /* Bundles verified before a failure are kept: the next sync goes on
     * after them. */
    osafe_err fe;
    int frc = flush(y, rc ? &fe : e);
    if (frc && !rc)
        rc = frc;
    fed__tiles_free(&y->tiles);
    fed__ahead_close(y->ahead);
    y->ahead = NULL;
    buf_release(&data);
    free(ents);
    free(y->edge);
    free(y->next);
    y->edge = y->next = NULL;
    return rc;
}

int fed_sync(osafe_store *s, const char *url, fed_sync_stats *st,
             osafe_err *e)
{
    return fed_sync_with(s, url, NULL, st, e);
}

int fed_sync_with(osafe_store *s, const char *url, const fed_sync_opts *o,
                  fed_sync_stats *st, osafe_err *e)
{
    memset(st, 0, sizeof *st);
    store_peer p;
    int rc = s->ops->peer_get(s, url, &p, e);
    if (rc)
        return rc;
    if (!strcmp(p.state, "frozen")) {
        rc = osafe_errf(e, OSAFE_ESTATE,
                        "peer %s is frozen after a split view (see `osafe "
                        "peer evidence`); `osafe peer unfreeze` once it is "
                        "resolved",
                        url);
        store_peer_release(&p);
        return rc;
    }
    tlog_verifier v;
    fed__http h;
    memset(&h, 0, sizeof h);
    rc = tlog_verifier_parse(p.vkey, strlen(p.vkey), &v, e);
    if (!rc)
        rc = fed__http_open(&h, p.url, e);
    if (!rc && o && o->rate)
        h.rate = o->rate;
    if (!rc && o && o->retries >= 0)
        h.retries = (unsigned)o->retries;
    struct sync y = {.s = s, .p = &p, .v = &v, .h = &h, .st = st};
    if (o) {
        y.w = o->w;
        y.nw = o->nw;
        y.quorum = o->quorum;
    }
    /* GREEN/AMBER only with a token the peer issued us (role peer) */
    y.token = p.token_env[0] ? getenv(p.token_env) : NULL;
    if (y.token && !y.token[0])
        y.token = NULL;
    if (!rc)
        rc = run_sync(&y, e);
    /* What this peer accepted from our other peers, compared with ours
     * (gossip.c), even when its own log failed a check; not when it did
     * not answer (its retries are spent already). */
    osafe_err ge;
    if (h.curl && rc != OSAFE_EIO &&
        fed__gossip(s, &h, p.url, st, rc ? &ge : e) && !rc)
        rc = e->code;
    if (!rc && y.retry_rc)
        rc = osafe_errf(e, y.retry_rc, "refused records fetched again: %s",
                        y.retry_err.msg);
    if (!rc && st->refused)
        rc = osafe_errf(e, OSAFE_EVERIFY,
                        "%llu GREEN/AMBER record(s) served by the peer's API "
                        "did not match the commitments in its log and were "
                        "refused; the last: %s",
                        (unsigned long long)st->refused, y.refusal);
    st->requests = h.requests;
    st->bytes = h.bytes;
    st->retried = h.retried;
    fed__http_close(&h);
    /* Whatever happened is the peer's status in `osafe peer list`. */
    store_now(p.last_sync);
    snprintf(p.last_error, sizeof p.last_error, "%s", rc ? e->msg : "");
    osafe_err we;
    if (s->ops->peer_put(s, &p, 0, &we) != 0 && !rc)
        rc = osafe_errf(e, we.code, "%s", we.msg);
    store_peer_release(&p);
    return rc;
}
