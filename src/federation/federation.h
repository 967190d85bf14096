/*
 * federation.h - mirroring peers' transparency logs (issue 12, first
 * stage; docs/FEDERATION.md).
 *
 * A peer is another osafe node, named by its base URL, whose log key
 * (vkey) this node was given out of band.  Syncing reads the peer's signed
 * checkpoint and tiles over HTTP (/log/, C2SP tlog-tiles), checks the
 * signature and that the new checkpoint is consistent with the last one
 * accepted (an RFC 6962 consistency proof computed from the peer's tiles),
 * then takes the new entries bundle by bundle: each bundle's entries are
 * hashed into the tree already verified, and the resulting root is linked
 * to the signed checkpoint by a consistency proof before anything of the
 * bundle is stored.  TLP:CLEAR records in the entries become mirrored
 * records with their provenance; withdrawals of records held are applied.
 * Nothing is ever appended to this node's own log.
 *
 * A checkpoint inconsistent with an accepted one, or a second checkpoint
 * of the same size with another root, is a split view: both signed notes
 * are kept as evidence and the peer is frozen until an operator unfreezes
 * it.
 *
 * State is committed after every bundle, so a sync killed at any instant
 * resumes where it stopped and fetches only what it lacks.  Memory is
 * bounded by one entry bundle and one tile per tile level.
 */
#ifndef OSAFE_FEDERATION_H
#define OSAFE_FEDERATION_H

#include <stdint.h>

#include "core/status.h"
#include "core/buf.h"
#include "store/store.h"
#include "tlog/note.h"

/* Add a peer: url (http or https, no query or fragment), its log's
 * verifier key text, and the name of the environment variable that will
 * hold the token the peer issued to us ("" or NULL: none).  EEXIST if the
 * url is a peer already. */
OSAFE_MUST_USE int fed_peer_add(osafe_store *s, const char *url,
                                const char *vkey, const char *token_env,
                                osafe_err *e);

/* Forget a peer (its mirrored records and evidence stay). */
OSAFE_MUST_USE int fed_peer_remove(osafe_store *s, const char *url,
                                   osafe_err *e);

/* Accept syncing again from a frozen peer.  Its next checkpoint must still
 * be consistent with the last one accepted: unfreezing trusts nothing new,
 * it lets the operator retry after the peer has explained itself. */
OSAFE_MUST_USE int fed_peer_unfreeze(osafe_store *s, const char *url,
                                     osafe_err *e);

typedef struct fed_sync_stats {
    uint64_t size;     /* the peer's checkpoint size after the sync */
    uint64_t entries;  /* entries read and verified */
    uint64_t mirrored; /* CLEAR records stored or amended */
    uint64_t withdrawn;
    uint64_t skipped;  /* entries not mirrored (statements, commitments) */
    uint64_t requests; /* HTTP requests made */
    uint64_t bytes;    /* bytes received */
    uint64_t retried;  /* requests retried after a transient failure */
    int split;         /* 1: a split view was found, the peer is frozen */
    /* Gossip (gossip.c): checkpoints of our other peers that this peer
     * accepted, compared with ours; each split view found froze one. */
    uint64_t gossip_checked;
    uint64_t gossip_split;
} fed_sync_stats;

/* How a sync treats the peer's server: requests per second at most
 * (0: OSAFE_PEER_RATE_DEFAULT) and retries of a transient failure
 * (negative: OSAFE_PEER_RETRIES). */
typedef struct fed_sync_opts {
    unsigned rate;
    int retries;
} fed_sync_opts;

/* Pull once from the peer at url.  Every outcome is also written to the
 * peer's row (last_sync, last_error, seen size), so `osafe peer list`
 * reports a peer that is down or misbehaving.  OSAFE_EVERIFY with
 * st->split set: a split view (evidence kept, peer frozen); OSAFE_ESTATE:
 * the peer is frozen. */
OSAFE_MUST_USE int fed_sync(osafe_store *s, const char *url,
                            fed_sync_stats *st, osafe_err *e);
/* A peer whose last `fails` interval syncs (--sync-interval) all failed
 * is next tried after this many seconds: the interval doubled per
 * failure, capped at OSAFE_PEER_DOWN_BACKOFF_MAX_S, with the upper half
 * jittered by rnd so that the nodes that lost one peer together do not
 * return together.  fails 0: the interval. */
unsigned fed_down_wait_s(unsigned interval, unsigned fails, uint32_t rnd);

/* fed_sync with options (NULL: the defaults). */
OSAFE_MUST_USE int fed_sync_with(osafe_store *s, const char *url,
                                 const fed_sync_opts *o, fed_sync_stats *st,
                                 osafe_err *e);


/*
 * The C2SP tlog-witness add-checkpoint request (witness.c): body is
 * "old <size>\n", proof lines, an empty line, the signed checkpoint.  The
 * logs witnessed are this node's peers' (origin and verifier key).  The
 * state (the latest checkpoint cosigned per origin) is compared and stored
 * in one transaction before answering.  *status is the HTTP status the
 * spec gives: 200 (out: the cosignature/v1 line signed by w at time now),
 * 400 malformed or old past the size, 403 not signed by the log's key,
 * 404 origin not witnessed, 409 (out: "<size cosigned>\n", content type
 * text/x.tlog.size), 422 not consistent (kept as split-view evidence
 * under peer "witness"), 500 storage.  Returns 0 for 200 and 409, else a
 * status explained in *e.
 */
OSAFE_MUST_USE int fed_witness_add(osafe_store *s, const tlog_signer *w,
                                   const char *body, size_t len, uint64_t now,
                                   int *status, osafe_buf *out, osafe_err *e);

/* The witness of `osafe serve --witness-key FILE.key`: its own database
 * connection (requests take turns on it) and its signing key, whose name
 * is the witness's name (use a key of its own, not the log's: one Ed25519
 * key must not serve two cosigner identities).  fed_witness_handle runs
 * fed_witness_add at the current time. */
typedef struct fed_witness fed_witness;
OSAFE_MUST_USE int fed_witness_open(const char *db, const char *key_path,
                                    fed_witness **out, osafe_err *e);
void fed_witness_close(fed_witness *w);
OSAFE_MUST_USE int fed_witness_handle(fed_witness *w, const char *body,
                                      size_t len, int *status, osafe_buf *out,
                                      osafe_err *e);

#endif
