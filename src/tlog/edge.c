/*
 * edge.c - entry bundles and the in-memory right edge of a tiled tree.
 */
#include <string.h>

#include "tlog/tile.h"

int tlog_bundle_split(const uint8_t *data, size_t len, unsigned want,
                      tlog_entry out[OSAFE_TILE_WIDTH], osafe_err *e)
{
    size_t at = 0;
    for (unsigned i = 0; i < want; i++) {
        if (len - at < 2)
            return osafe_errf(e, OSAFE_ECORRUPT,
                              "truncated: entry %u of %u is missing "
                              "(bundle is %zu bytes)",
                              i, want, len);
        size_t n = (size_t)data[at] << 8 | data[at + 1];
        at += 2;
        if (len - at < n)
            return osafe_errf(e, OSAFE_ECORRUPT,
                              "truncated: entry %u declares %zu bytes but "
                              "only %zu remain",
                              i, n, len - at);
        out[i].data = data + at;
        out[i].len = n;
        at += n;
    }
    if (at != len)
        return osafe_errf(e, OSAFE_ECORRUPT,
                          "%zu unexpected bytes after entry %u", len - at,
                          want ? want - 1 : 0);
    return 0;
}

void tlog_edge_init(tlog_edge *edge)
{
    edge->size = 0;
    memset(edge->n, 0, sizeof edge->n);
}

void tlog_subtree_root(const tlog_hash *h, unsigned count, tlog_hash *out)
{
    tlog_hash tmp[OSAFE_TILE_WIDTH / 2];
    if (count == 1) {
        *out = h[0];
        return;
    }
    for (unsigned i = 0; i < count / 2; i++)
        tlog_node_hash(&tmp[i], &h[2 * i], &h[2 * i + 1]);
    for (unsigned n = count / 2; n > 1; n /= 2)
        for (unsigned i = 0; i < n / 2; i++)
            tlog_node_hash(&tmp[i], &tmp[2 * i], &tmp[2 * i + 1]);
    *out = tmp[0];
}

uint64_t tlog_edge_tile_index(const tlog_edge *edge, int level)
{
    int shift = OSAFE_TILE_HEIGHT * (level + 1);
    return shift >= 64 ? 0 : edge->size >> shift;
}

int tlog_edge_push(tlog_edge *edge, const tlog_hash *leaf,
                   tlog_full_tile_fn full, void *ctx, osafe_err *e)
{
    if (edge->size == UINT64_MAX)
        return osafe_errf(e, OSAFE_ETOOBIG, "log is full");
    tlog_hash h = *leaf;
    for (int level = 0; level < OSAFE_TILE_LEVELS_MAX; level++) {
        uint64_t index = tlog_edge_tile_index(edge, level);
        edge->h[level][edge->n[level]++] = h;
        if (edge->n[level] < OSAFE_TILE_WIDTH)
            break;
        if (full) {
            int rc = full(ctx, level, index, edge->h[level], e);
            if (rc)
                return rc;
        }
        tlog_subtree_root(edge->h[level], OSAFE_TILE_WIDTH, &h);
        edge->n[level] = 0;
    }
    edge->size++;
    return 0;
}

int tlog_edge_node(const tlog_edge *edge, int level, uint64_t index,
                   tlog_hash *out)
{
    int L = level / OSAFE_TILE_HEIGHT, r = level % OSAFE_TILE_HEIGHT;
    if (L >= OSAFE_TILE_LEVELS_MAX || edge->n[L] == 0)
        return 0;
    uint64_t first = index << r;
    if ((first >> 8) != tlog_edge_tile_index(edge, L))
        return 0;
    unsigned off = (unsigned)(first & 255), count = 1u << r;
    if (off + count > edge->n[L])
        return 0;
    tlog_subtree_root(&edge->h[L][off], count, out);
    return 1;
}

static int edge_read(void *ctx, int level, uint64_t index, tlog_hash *out,
                     osafe_err *e)
{
    if (tlog_edge_node(ctx, level, index, out))
        return 0;
    return osafe_errf(e, OSAFE_ENOTFOUND, "node %d/%llu is not on the edge",
                      level, (unsigned long long)index);
}

void tlog_edge_root(tlog_edge *edge, tlog_hash *out)
{
    tlog_reader r = {edge_read, edge};
    /* Every node of the root's decomposition lies on the edge (each set bit
     * of size names the last complete node of its level), so this cannot
     * fail. */
    if (tlog_tree_hash(&r, edge->size, out, NULL) != 0)
        memset(out, 0, sizeof *out);
}
