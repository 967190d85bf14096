/*
 * log_verify.c - the full audit of a log directory (`osafe log verify`).
 *
 * The auditor trusts nothing but the verifier key: it checks the
 * checkpoint's signature, rehashes every entry, rebuilds every tile from the
 * level below exactly as a writer would, compares each with the file on
 * disk, and finally compares the rebuilt root with the signed one.  Memory
 * stays at one tile per level, so a log of any size can be audited.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fsx.h"
#include "tlog/log.h"
#include "core/limits.h"

struct audit {
    const char *dir;
    tlog_audit_stats *st;
    uint64_t size;
};

static int compare_tile(struct audit *a, int level, uint64_t index,
                        unsigned width, const tlog_hash *want, osafe_err *e)
{
    uint8_t *data;
    size_t len;
    char rel[TLOG_TILE_PATH_MAX];
    tlog_tile_path(rel, level, index, width == OSAFE_TILE_WIDTH ? 0 : width);
    int rc = tlog_read_tile_file(a->dir, level, index, width, &data, &len, 1,
                                 e);
    if (rc)
        return rc;
    a->st->tiles++;
    for (unsigned i = 0; i < width; i++) {
        if (memcmp(data + (size_t)i * TLOG_HASH_SIZE, want[i].b,
                   TLOG_HASH_SIZE) == 0)
            continue;
        free(data);
        if (level == 0)
            return osafe_errf(e, OSAFE_ECORRUPT,
                              "%s: hash %u does not match entry %llu", rel, i,
                              (unsigned long long)(index * OSAFE_TILE_WIDTH +
                                                   i));
        return osafe_errf(e, OSAFE_ECORRUPT,
                          "%s: hash %u does not match the root of tile "
                          "%d/%llu below it",
                          rel, i, level - 1,
                          (unsigned long long)(index * OSAFE_TILE_WIDTH + i));
    }
    free(data);
    return 0;
}

static int on_full(void *ctx, int level, uint64_t index,
                   const tlog_hash *hashes, osafe_err *e)
{
    return compare_tile(ctx, level, index, OSAFE_TILE_WIDTH, hashes, e);
}

int tlog_log_audit(const char *dir, const tlog_verifier *v,
                   tlog_audit_stats *st, osafe_err *e)
{
    char path[OSAFE_PATH_MAX], *note;
    size_t len;
    memset(st, 0, sizeof *st);
    snprintf(path, sizeof path, "%s/checkpoint", dir);
    int rc = fsx_read_file(path, OSAFE_NOTE_MAX, &note, &len, e);
    if (rc)
        return rc;
    tlog_checkpoint c;
    rc = tlog_checkpoint_open(note, len, v, &c, e);
    free(note);
    if (rc)
        return osafe_errprefix(e, "%s: ", path);

    tlog_edge *edge = malloc(sizeof *edge);
    if (!edge)
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    tlog_edge_init(edge);
    struct audit a = {dir, st, c.size};
    tlog_entry ents[OSAFE_TILE_WIDTH];
    for (uint64_t b = 0; rc == 0 && b * OSAFE_TILE_WIDTH < c.size; b++) {
        unsigned width = tlog_tile_width(0, b, c.size);
        uint8_t *data;
        rc = tlog_read_tile_file(dir, TLOG_TILE_ENTRIES, b, width, &data,
                                 &len, 1, e);
        if (rc)
            break;
        st->bundles++;
        if ((rc = tlog_bundle_split(data, len, width, ents, e))) {
            char rel[TLOG_TILE_PATH_MAX];
            tlog_tile_path(rel, TLOG_TILE_ENTRIES, b,
                           width == OSAFE_TILE_WIDTH ? 0 : width);
            osafe_errprefix(e, "%s (entries %llu..%llu): ", rel,
                            (unsigned long long)(b * OSAFE_TILE_WIDTH),
                            (unsigned long long)(b * OSAFE_TILE_WIDTH + width -
                                                 1));
        }
        for (unsigned i = 0; rc == 0 && i < width; i++) {
            tlog_hash h;
            tlog_leaf_hash(&h, ents[i].data, ents[i].len);
            st->bytes += ents[i].len;
            rc = tlog_edge_push(edge, &h, on_full, &a, e);
        }
        free(data);
    }
    for (int L = 0; rc == 0 && L < OSAFE_TILE_LEVELS_MAX; L++)
        if (edge->n[L])
            rc = compare_tile(&a, L, tlog_edge_tile_index(edge, L),
                              edge->n[L], edge->h[L], e);
    if (rc == 0) {
        tlog_hash root;
        tlog_edge_root(edge, &root);
        if (!tlog_hash_eq(&root, &c.root))
            rc = osafe_errf(e, OSAFE_ECORRUPT,
                            "checkpoint: root hash does not match the %llu "
                            "entries and tiles",
                            (unsigned long long)c.size);
    }
    st->size = edge->size;
    free(edge);
    return rc;
}
