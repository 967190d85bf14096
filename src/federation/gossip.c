/*
 * gossip.c - reading what a peer says it accepted from our other peers
 * (GET /federation/checkpoints, registry/peer_gossip.c) and comparing it
 * with what we accepted.  A log that shows one history to us and another
 * to a node we sync from has signed two checkpoints that cannot both be
 * true: both notes are kept as evidence and that log's peer is frozen, as
 * if it had shown us both itself.  One honest node that reads another is
 * enough to notice.
 *
 * Only a note signed by the log's key counts (a peer cannot frame a log
 * by gossiping a forged note), and only a failed proof is evidence: a
 * tile we could not fetch proves nothing and is left for the next sync.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "federation/fed_int.h"
#include "tlog/checkpoint.h"
#include "tlog/proof.h"

/* Keep (lo_note, hi_note) against q and freeze it, in one transaction. */
static int freeze(osafe_store *s, store_peer *q, const char *lo_note,
                  const char *hi_note, const char *proof, const char *why,
                  osafe_err *e)
{
    int rc = s->ops->begin(s, e);
    if (rc)
        return rc;
    rc = s->ops->split_put(s, q->url, q->origin, lo_note, hi_note, proof, why,
                           e);
    if (!rc) {
        snprintf(q->state, sizeof q->state, "frozen");
        snprintf(q->last_error, sizeof q->last_error, "split view: %.480s", why);
        rc = s->ops->peer_put(s, q, 0, e);
    }
    if (!rc)
        rc = s->ops->commit(s, e);
    if (rc)
        s->ops->rollback(s);
    return rc;
}

/* Are the checkpoints lo (ours or theirs, the smaller) and hi consistent,
 * by a proof from q's own tiles?  1 no (*pj the failing proof), 0 yes, -1
 * unknown (the tiles could not be read). */
static int inconsistent(const store_peer *q, const fed__http *from,
                        const tlog_checkpoint *lo, const tlog_checkpoint *hi,
                        osafe_buf *pj)
{
    fed__http qh;
    osafe_err ie;
    if (fed__http_open(&qh, q->url, &ie)) {
        fed__http_close(&qh);
        return -1;
    }
    qh.rate = from->rate;
    qh.retries = from->retries;
    tlog_hash proof[TLOG_PROOF_MAX];
    size_t n;
    fed__tiles t;
    fed__tiles_init(&t, &qh, hi->size);
    tlog_reader rd = fed__tiles_reader(&t);
    int rc = tlog_prove_consistency(&rd, lo->size, hi->size, proof, &n, &ie);
    fed__tiles_free(&t);
    fed__http_close(&qh);
    if (rc)
        return -1;
    if (tlog_verify_consistency(lo->size, hi->size, &lo->root, &hi->root,
                                proof, n, &ie) == 0)
        return 0;
    if (tlog_consistency_json(lo->size, hi->size, &lo->root, &hi->root,
                              proof, n, pj))
        return -1;
    return 1;
}

/* Compare one gossiped note of q's log with the checkpoint we accepted. */
static int compare(osafe_store *s, store_peer *q, const fed__http *from,
                   const char *note, fed_sync_stats *st, osafe_err *e)
{
    tlog_verifier v;
    tlog_checkpoint g, o;
    osafe_err ie;
    if (tlog_verifier_parse(q->vkey, strlen(q->vkey), &v, &ie) ||
        tlog_checkpoint_open(note, strlen(note), &v, &g, &ie) ||
        tlog_checkpoint_open(q->checkpoint, strlen(q->checkpoint), &v, &o,
                             &ie))
        return 0; /* not the log's signature: no statement of the log */
    st->gossip_checked++;
    char why[OSAFE_PEER_URL_MAX + 160];
    int bad;
    osafe_buf pj = OSAFE_BUF_INIT;
    const char *lo_note = q->checkpoint, *hi_note = note;
    if (g.size == o.size) {
        bad = !tlog_hash_eq(&g.root, &o.root);
        snprintf(why, sizeof why, "two checkpoints of size %llu with "
                                  "different roots (the other one gossiped "
                                  "by %s)",
                 (unsigned long long)g.size, from->base);
    } else {
        const tlog_checkpoint *lo = g.size < o.size ? &g : &o;
        const tlog_checkpoint *hi = g.size < o.size ? &o : &g;
        if (lo == &g) {
            lo_note = note;
            hi_note = q->checkpoint;
        }
        bad = inconsistent(q, from, lo, hi, &pj);
        snprintf(why, sizeof why, "checkpoint %llu is not consistent with "
                                  "checkpoint %llu (one of them gossiped by "
                                  "%s)",
                 (unsigned long long)hi->size, (unsigned long long)lo->size,
                 from->base);
    }
    int rc = 0;
    if (bad == 1 && !buf_status(&pj)) {
        rc = freeze(s, q, lo_note, hi_note, pj.data ? pj.data : "", why, e);
        if (!rc)
            st->gossip_split++;
    }
    buf_release(&pj);
    return rc;
}

/* Every note of the list that is of one of our active peers (other than
 * the one gossiping, whose own log sync.c checks) is compared. */
static int compare_all(osafe_store *s, const fed__http *from,
                       const char *from_url, json_t *list,
                       fed_sync_stats *st, osafe_err *e)
{
    store_peer *peers = NULL;
    size_t n = 0;
    int rc = s->ops->peer_list(s, &peers, &n, e);
    size_t count = json_array_size(list);
    if (count > OSAFE_GOSSIP_CHECKPOINTS_MAX)
        count = OSAFE_GOSSIP_CHECKPOINTS_MAX;
    for (size_t k = 0; !rc && k < count; k++) {
        json_t *it = json_array_get(list, k);
        const char *origin = json_string_value(json_object_get(it, "origin"));
        const char *note = json_string_value(json_object_get(it, "note"));
        if (!origin || !note)
            continue;
        for (size_t i = 0; !rc && i < n; i++)
            if (!strcmp(peers[i].origin, origin) &&
                !strcmp(peers[i].state, "active") && peers[i].checkpoint &&
                strcmp(peers[i].url, from_url))
                rc = compare(s, &peers[i], from, note, st, e);
    }
    for (size_t i = 0; i < n; i++)
        store_peer_release(&peers[i]);
    free(peers);
    return rc;
}

int fed__gossip(osafe_store *s, fed__http *h, const char *from_url,
                fed_sync_stats *st, osafe_err *e)
{
    osafe_buf b = OSAFE_BUF_INIT;
    osafe_err ie;
    /* A node that serves no gossip (an older osafe) is not at fault. */
    int rc = fed__get_path(h, "federation/checkpoints", OSAFE_GOSSIP_BYTES_MAX,
                           &b, &ie);
    json_error_t je;
    json_t *j = rc || !b.data ? NULL : json_loadb(b.data, b.len, 0, &je);
    buf_release(&b);
    json_t *list = json_object_get(j, "checkpoints");
    rc = json_is_array(list) ? compare_all(s, h, from_url, list, st, e) : 0;
    json_decref(j);
    return rc;
}
