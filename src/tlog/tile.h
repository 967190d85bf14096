/*
 * tile.h - c2sp.org/tlog-tiles resource names and tile arithmetic.
 *
 * Tiles have height 8: a level-L tile holds up to 256 hashes of tree level
 * 8L; tile N at level L covers entries [N * 256^(L+1), (N+1) * 256^(L+1)).
 * Paths:  tile/<L>/<N>[.p/<W>]   and   tile/entries/<N>[.p/<W>]
 * where N is written in 3-digit groups, all but the last prefixed with 'x'
 * (1234067 -> x001/x234/067), and W (1..255) marks a partial tile.
 */
#ifndef OSAFE_TLOG_TILE_H
#define OSAFE_TLOG_TILE_H

#include <stddef.h>
#include <stdint.h>

#include "core/limits.h"

#define TLOG_TILE_ENTRIES (-1) /* the "level" of entry bundles */
#define TLOG_TILE_PATH_MAX 64
#define TLOG_TILE_BYTES (OSAFE_TILE_WIDTH * 32)

/*
 * Write the path of tile (level, index, width) into out (TLOG_TILE_PATH_MAX
 * bytes); width 0 means a full tile; level TLOG_TILE_ENTRIES names the entry
 * bundle.  Returns 0, or -1 if the arguments cannot name a tile.
 */
int tlog_tile_path(char *out, int level, uint64_t index, unsigned width);

/*
 * Parse a path relative to the log root ("tile/0/x001/234.p/5",
 * "tile/entries/007").  Strict: rejects every spelling the spec does not
 * produce.  0 or -1.
 */
int tlog_tile_parse(const char *path, int *level, uint64_t *index,
                    unsigned *width);

/*
 * Width of tile `index` at `level` in a tree of `size` entries: 256 if the
 * tile is full, 1..255 if it is the partial right-edge tile, 0 if it does
 * not exist yet.  Entry bundles use level 0.
 */
unsigned tlog_tile_width(int level, uint64_t index, uint64_t size);

/* ---- entry bundles ----------------------------------------------------- */

#include "core/status.h"
#include "tlog/merkle.h"

typedef struct tlog_entry {
    const void *data;
    size_t len;
} tlog_entry;

/*
 * Split an entry bundle into exactly `want` entries (pointers into data).
 * Fails with OSAFE_ECORRUPT, naming the entry, if a length runs past the end
 * or bytes are left over.
 */
OSAFE_MUST_USE int tlog_bundle_split(const uint8_t *data, size_t len, unsigned want,
                      tlog_entry out[OSAFE_TILE_WIDTH], osafe_err *e);

/* ---- the right edge of a tiled tree ------------------------------------ */

/*
 * The hashes of the rightmost (partial) tile at every tile level: all a
 * writer or an auditor must hold in memory.  For a tree of `size` entries,
 * n[L] = (size >> 8L) mod 256.  When a tile fills up, the callback receives
 * its 256 hashes (to write or to compare) and its root moves one level up.
 */
typedef struct tlog_edge {
    uint64_t size;
    unsigned n[OSAFE_TILE_LEVELS_MAX];
    tlog_hash h[OSAFE_TILE_LEVELS_MAX][OSAFE_TILE_WIDTH];
} tlog_edge;

typedef int (*tlog_full_tile_fn)(void *ctx, int level, uint64_t index,
                                 const tlog_hash *hashes, osafe_err *e);

void tlog_edge_init(tlog_edge *edge);
OSAFE_MUST_USE int tlog_edge_push(tlog_edge *edge, const tlog_hash *leaf,
                   tlog_full_tile_fn full, void *ctx, osafe_err *e);

/* Index of the partial tile at `level` (valid when edge->n[level] > 0). */
uint64_t tlog_edge_tile_index(const tlog_edge *edge, int level);

/* Root hash of the edge's tree (any size; the empty-tree hash for 0). */
void tlog_edge_root(tlog_edge *edge, tlog_hash *out);

/*
 * Hash of node (level, index) if it lies inside the edge's partial tiles:
 * returns 1 and fills *out, or 0 if the node is elsewhere.
 */
int tlog_edge_node(const tlog_edge *edge, int level, uint64_t index,
                   tlog_hash *out);

/* MTH of `count` (a power of two, <= 256) consecutive hashes of one tile. */
void tlog_subtree_root(const tlog_hash *h, unsigned count, tlog_hash *out);

#endif
