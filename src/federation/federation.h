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
    /* GREEN/AMBER records through the peer's API (with a token): */
    uint64_t fetched;    /* matched their commitment and stored */
    uint64_t not_shared; /* the peer does not share them with us */
    uint64_t refused;    /* did not match: nothing stored, see last_error */
    /* Gossip (gossip.c): checkpoints of our other peers that this peer
     * accepted, compared with ours; each split view found froze one. */
    uint64_t gossip_checked;
    uint64_t gossip_split;
} fed_sync_stats;

/* How a sync treats the peer's server: requests per second at most
 * (0: OSAFE_PEER_RATE_DEFAULT) and retries of a transient failure
 * (negative: OSAFE_PEER_RETRIES); and the witness policy: when nw > 0 the
 * peer's checkpoint is taken only if it also carries valid cosignatures by
 * at least quorum of the nw witness keys w (tlog_cosig_quorum), otherwise
 * nothing is taken and the error (also the peer's last_error) names how
 * many verified.  w is the caller's and must outlive the call. */
typedef struct fed_sync_opts {
    unsigned rate;
    int retries;
    const tlog_verifier *w;
    size_t nw, quorum;
} fed_sync_opts;

/* Pull once from the peer at url.  Every outcome is also written to the
 * peer's row (last_sync, last_error, seen size), so `osafe peer list`
 * reports a peer that is down or misbehaving.  OSAFE_EVERIFY with
 * st->split set: a split view (evidence kept, peer frozen); OSAFE_ESTATE:
 * the peer is frozen.  A GREEN/AMBER record whose served bytes do not
 * match the peer's commitment is refused and counted in st->refused, the
 * rest of the sync goes on, and the sync then answers OSAFE_EVERIFY
 * naming the last refusal (also the peer's last_error).  The token is read
 * from the environment variable named at fed_peer_add, at each sync. */
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


/* ---- witnesses of this node's own log (witness_collect.c) ------------ */

/* Configure a witness to ask for cosignatures: url is its submission
 * prefix (requests go to url/add-checkpoint), vkey its key text (the
 * witness's name is the key's).  OSAFE_EEXIST if the url or the name is
 * one already; at most OSAFE_WITNESS_MAX.  Removing is the store's
 * cosigner_remove. */
OSAFE_MUST_USE int fed_cosigner_add(osafe_store *s, const char *url,
                                    const char *vkey, osafe_err *e);

/* How the collector reaches a witness: POST body to url/add-checkpoint;
 * *status receives the HTTP status and resp the answer's body.  Nonzero
 * only when no answer came (down, timeout). */
typedef int (*fed_cosign_post_fn)(void *ctx, const char *url,
                                  const char *body, size_t len, long *status,
                                  osafe_buf *resp, osafe_err *e);

/*
 * The collector for the log in dir, on its own connection to db.  post
 * NULL: HTTP (libcurl).  One round: for the log's current checkpoint,
 * every witness that has not cosigned it and whose backoff has passed
 * (now_ms, a monotonic clock) is asked (a 409 is retried once with the
 * size it names); a cosignature is kept only if it verifies with the
 * witness's key; each outcome is stored (`osafe witness list`); then
 * DIR/checkpoint.cosigned is rewritten when the current checkpoint has
 * cosignatures (tlog/cosig.h).  *asked: requests started.  A witness's
 * failure is its row's last_error, not this call's.
 */
typedef struct fed_cosign fed_cosign;
OSAFE_MUST_USE int fed_cosign_open(const char *db, const char *dir,
                                   fed_cosign_post_fn post, void *ctx,
                                   fed_cosign **out, osafe_err *e);
OSAFE_MUST_USE int fed_cosign_round(fed_cosign *c, uint64_t now_ms,
                                    unsigned *asked, osafe_err *e);
void fed_cosign_close(fed_cosign *c);

/* The collector as a thread of `osafe serve`: a round every
 * OSAFE_COSIGN_POLL_MS; publication never waits for it. */
typedef struct fed_cosign_thread fed_cosign_thread;
OSAFE_MUST_USE int fed_cosign_start(const char *db, const char *dir,
                                    fed_cosign_thread **out, osafe_err *e);
void fed_cosign_stop(fed_cosign_thread *t);

#endif
