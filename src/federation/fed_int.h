/*
 * fed_int.h - shared between the federation module's files.
 */
#ifndef OSAFE_FED_INT_H
#define OSAFE_FED_INT_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/limits.h"
#include "core/status.h"
#include "federation/federation.h"
#include "store/store.h"
#include "tlog/merkle.h"
#include "tlog/tile.h"

/* One peer's log over HTTP; one connection, reused. */
typedef struct fed__http {
    void *curl; /* CURL * */
    char base[OSAFE_PEER_URL_MAX + 1]; /* the peer's URL without a final / */
    uint64_t requests, bytes;
    unsigned rate;    /* requests per second at most; 0: unpaced */
    unsigned retries; /* of one request that failed transiently */
    uint64_t next_us; /* the earliest start of the next request */
    uint64_t retried; /* retries made */
} fed__http;

OSAFE_MUST_USE int fed__http_open(fed__http *h, const char *url,
                                  osafe_err *e);
void fed__http_close(fed__http *h);

/* GET <base>/log/<path> into out (replaced); at most max bytes.  Paced
 * by h->rate; a network error, 429 or 5xx is retried up to h->retries
 * times (fed__backoff_ms).  OSAFE_ENOTFOUND for a 404, OSAFE_EIO for
 * anything else but a 200. */
OSAFE_MUST_USE int fed__get(fed__http *h, const char *path, size_t max,
                            osafe_buf *out, osafe_err *e);

/* GET <base>/<path> (outside the log: the gossip route), as fed__get. */
OSAFE_MUST_USE int fed__get_path(fed__http *h, const char *path, size_t max,
                                 osafe_buf *out, osafe_err *e);

/* Wait until the rate limit lets the next request to h start. */
void fed__pace(fed__http *h);
/* 1 (and counted as started) if the rate limit lets a request start now,
 * else 0 without waiting. */
int fed__pace_try(fed__http *h);

/* Entry bundles fetched ahead (ahead.c): fed__ahead_get returns bundle
 * `index` of a tree of `size` entries (the path as wide as size makes
 * it), as fed__get would, with the next OSAFE_PEER_PREFETCH bundles
 * already requested.  Anything but a 200 is fetched again by fed__get. */
typedef struct fed__ahead fed__ahead;
OSAFE_MUST_USE int fed__ahead_open(fed__http *h, uint64_t size,
                                   fed__ahead **out, osafe_err *e);
void fed__ahead_close(fed__ahead *a);
OSAFE_MUST_USE int fed__ahead_get(fed__ahead *a, uint64_t index, size_t max,
                                  osafe_buf *out, osafe_err *e);

/* How long to wait before retry number attempt + 1 (attempt 0: the first
 * retry): uniformly in [0, min(BACKOFF_MAX, BACKOFF_BASE * 2^attempt)]
 * by rnd, and no less than the peer's Retry-After (capped). */
uint64_t fed__backoff_ms(unsigned attempt, uint64_t retry_after_ms,
                         uint32_t rnd);

/* The peer's hash tiles for a tree of `size` entries: a few cached tiles
 * per tile level (OSAFE_PEER_TILE_CACHE), least recently used replaced.
 * A sync's proofs, one per bundle, alternate between the full tile left
 * of the path and the partial one at the right edge: one slot per level
 * refetched both for every bundle. */
struct fed__slot;
typedef struct fed__tiles {
    fed__http *h;
    uint64_t size;
    uint64_t clock; /* for the least recently used */
    struct fed__slot *slot[OSAFE_TILE_LEVELS_MAX][OSAFE_PEER_TILE_CACHE];
} fed__tiles;

void fed__tiles_init(fed__tiles *t, fed__http *h, uint64_t size);
void fed__tiles_free(fed__tiles *t);
/* A reader of complete-subtree hashes (tlog_reader) over the tiles.  The
 * hashes are the peer's claims: only a proof verified against a signed
 * root makes them facts. */
tlog_reader fed__tiles_reader(fed__tiles *t);
/* The `width` hashes of tile (level, index), falling back to the full
 * tile's prefix when the partial one is gone; out gets width * 32 bytes. */
OSAFE_MUST_USE int fed__tile(fed__http *h, int level, uint64_t index,
                             unsigned width, osafe_buf *out, osafe_err *e);

/* Gossip (gossip.c): read the peer's GET /federation/checkpoints over h
 * and compare each note of another of our peers' logs with the one we
 * accepted; a split view keeps both notes and freezes that peer
 * (st->gossip_split).  A peer that serves no gossip is not an error; an
 * error is the store's. */
OSAFE_MUST_USE int fed__gossip(osafe_store *s, fed__http *h,
                               const char *from_url, fed_sync_stats *st,
                               osafe_err *e);

/* Apply the verified entries [first, first + n) of the peer's log
 * (apply.c), inside the caller's transaction. */
typedef struct fed__apply {
    const store_peer *peer;
    int64_t checkpoint_size; /* the accepted checkpoint covering them */
    uint64_t mirrored, withdrawn, skipped;
    /* GREEN and AMBER through the peer's API (fetch_api.c): only with a
     * token (NULL: their commitments are counted in skipped, as ever) */
    fed__http *h;
    const char *token;
    uint64_t fetched;    /* stored after matching their commitment */
    uint64_t not_shared; /* the peer's API does not share them with us */
    uint64_t refused;    /* served bytes that do not match: nothing stored */
    char refusal[OSAFE_ERR_MAX]; /* why the last one was refused */
} fed__apply;

struct json_t;
/* apply_eval.c: if j (the parsed entry at index, data its bytes) is a
 * published evaluation, its digest or its withdrawal, apply it and set
 * *taken; else *taken is 0 and nothing is done. */
OSAFE_MUST_USE int fed__apply_evaluation(osafe_store *s, fed__apply *a,
                                         struct json_t *j, uint64_t index,
                                         const void *data, size_t len,
                                         int *taken, osafe_err *e);

/* A verified commitment entry of the peer's log (osafe.record/v1). */
typedef struct fed__commitment {
    char id[32];
    int version;
    char tlp[16];
    char commitment[65]; /* lowercase hex */
} fed__commitment;

/* 0 if SHA-256(salt || body) is cm's commitment and body (JSON) names
 * cm's id, version and level; else OSAFE_EVERIFY saying which. */
OSAFE_MUST_USE int fed__check_commitment(const fed__commitment *cm,
                                         const char *body, size_t len,
                                         const char *salt_hex, osafe_err *e);

enum { FED__MATCHED = 1, FED__NOT_SHARED, FED__REFUSED };
typedef struct fed__fetched {
    int status;      /* FED__*: when the call returned 0 */
    char *body;      /* FED__MATCHED: the record's bytes (malloc'd; the
                      * caller frees) */
    size_t body_len;
    char salt[65];   /* hex, as the peer's proof gave it */
    char org[128];   /* X-Osafe-Org: the record's organisation (AMBER) */
    char why[OSAFE_ERR_MAX]; /* FED__REFUSED: why */
} fed__fetched;

/* Fetch the record cm commits to from the peer's API with token and check
 * it (fetch_api.c).  0 with out->status saying what came; an error (I/O,
 * a status other than 200 or 404, the token refused) when the entry must
 * be tried again by a later sync. */
OSAFE_MUST_USE int fed__fetch_committed(fed__http *h, const char *token,
                                        const fed__commitment *cm,
                                        fed__fetched *out, osafe_err *e);

OSAFE_MUST_USE int fed__apply_entry(osafe_store *s, fed__apply *a,
                                    uint64_t index, const void *data,
                                    size_t len, osafe_err *e);

/* A refusal of cm (log entry index): counted in a, named in a->refusal,
 * and kept (store refused_put) for later syncs to fetch again. */
OSAFE_MUST_USE int fed__refused(osafe_store *s, fed__apply *a,
                                const fed__commitment *cm, uint64_t index,
                                const char *why, osafe_err *e);
/* Store f (FED__MATCHED) as the mirrored record cm (a->fetched, or
 * a->skipped when a newer version is held); the caller frees f->body. */
OSAFE_MUST_USE int fed__store_fetched(osafe_store *s, fed__apply *a,
                                      const fed__commitment *cm,
                                      uint64_t index, const fed__fetched *f,
                                      osafe_err *e);
/* At the start of a sync (retry.c): fetch again up to
 * OSAFE_PEER_REFUSED_RETRY_MAX of the peer's refused records, each in its
 * own transaction; one that now matches is stored and forgotten, one not
 * shared with us any more is forgotten, one refused again stays (its tries
 * counted).  Counts go to a; an error (I/O, the token refused) stops the
 * retries and leaves the rest for the next sync. */
OSAFE_MUST_USE int fed__retry_refused(osafe_store *s, fed__apply *a,
                                      osafe_err *e);

#endif
