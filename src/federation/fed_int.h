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
#include "store/store.h"
#include "tlog/merkle.h"
#include "tlog/tile.h"

/* One peer's log over HTTP; one connection, reused. */
typedef struct fed__http {
    void *curl; /* CURL * */
    char base[OSAFE_PEER_URL_MAX + 1]; /* the peer's URL without a final / */
    uint64_t requests, bytes;
} fed__http;

OSAFE_MUST_USE int fed__http_open(fed__http *h, const char *url,
                                  osafe_err *e);
void fed__http_close(fed__http *h);

/* GET <base>/log/<path> into out (replaced); at most max bytes.
 * OSAFE_ENOTFOUND for a 404, OSAFE_EIO for anything else but a 200. */
OSAFE_MUST_USE int fed__get(fed__http *h, const char *path, size_t max,
                            osafe_buf *out, osafe_err *e);

/* The peer's hash tiles for a tree of `size` entries: one cached tile per
 * tile level (proofs walk one path, so one is enough). */
struct fed__slot;
typedef struct fed__tiles {
    fed__http *h;
    uint64_t size;
    struct fed__slot *slot[OSAFE_TILE_LEVELS_MAX];
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

#endif
