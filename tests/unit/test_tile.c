/*
 * test_tile.c - tlog-tiles names and arithmetic (src/tlog/tile.c), entry
 * bundles and the right edge of a tiled tree (src/tlog/edge.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "tlog/merkle.h"
#include "tlog/tile.h"
#include "vectors.h"

static const char *jstr(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    if (!s)
        fail_msg("vector field '%s' missing", key);
    return s;
}

static uint64_t jint(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    assert_true(json_is_integer(v));
    return (uint64_t)json_integer_value(v);
}

/* path -> (level, index, width) -> path */
static void check_path(int level, uint64_t index, unsigned width,
                       const char *want)
{
    char got[TLOG_TILE_PATH_MAX];
    assert_int_equal(tlog_tile_path(got, level, index, width), 0);
    assert_string_equal(got, want);
    int l;
    uint64_t i;
    unsigned w;
    assert_int_equal(tlog_tile_parse(want, &l, &i, &w), 0);
    assert_int_equal(l, level);
    assert_int_equal(i, index);
    assert_int_equal(w, width);
}

static void test_paths(void **state)
{
    (void)state;
    json_t *j = vec_load("tiles/tile-paths.json");
    json_t *a = json_object_get(j, "tile_paths");
    assert_int_equal(json_array_size(a), 6);
    for (size_t k = 0; k < json_array_size(a); k++) {
        json_t *v = json_array_get(a, k);
        check_path((int)jint(v, "level"), jint(v, "index"),
                   (unsigned)jint(v, "width"), jstr(v, "path"));
    }
    a = json_object_get(j, "entry_bundle_paths");
    assert_int_equal(json_array_size(a), 5);
    for (size_t k = 0; k < json_array_size(a); k++) {
        json_t *v = json_array_get(a, k);
        check_path(TLOG_TILE_ENTRIES, jint(v, "index"),
                   (unsigned)jint(v, "width"), jstr(v, "path"));
    }
    /* The bundle holding an entry, in a tree of a given size. */
    a = json_object_get(json_object_get(j, "entry_bundle_for_index"),
                        "vectors");
    assert_int_equal(json_array_size(a), 7);
    for (size_t k = 0; k < json_array_size(a); k++) {
        json_t *v = json_array_get(a, k);
        uint64_t b = jint(v, "entry_index") / OSAFE_TILE_WIDTH;
        unsigned w = tlog_tile_width(0, b, jint(v, "tree_size"));
        assert_true(w > 0);
        check_path(TLOG_TILE_ENTRIES, b, w == OSAFE_TILE_WIDTH ? 0 : w,
                   jstr(v, "path"));
    }
    /* The C2SP spelling of Go's examples. */
    a = json_object_get(json_object_get(j, "go_sumdb_difference"),
                        "examples");
    for (size_t k = 0; k < json_array_size(a); k++) {
        const char *c2sp = jstr(json_array_get(a, k), "c2sp");
        const char *go = jstr(json_array_get(a, k), "go_sumdb");
        int l;
        uint64_t i;
        unsigned w;
        assert_int_equal(tlog_tile_parse(c2sp, &l, &i, &w), 0);
        assert_int_equal(i, 1234067);
        assert_int_equal(tlog_tile_parse(go, &l, &i, &w), -1);
    }
    json_decref(j);
}

static int parse_pair(const char *level, const char *index, int *l,
                      uint64_t *i, unsigned *w)
{
    char path[256];
    snprintf(path, sizeof path, "tile/%s/%s", level, index);
    return tlog_tile_parse(path, l, i, w);
}

static void test_parse(void **state)
{
    (void)state;
    json_t *j = vec_load("tiles/tile-paths.json");
    json_t *a = json_object_get(j, "parse_valid");
    assert_int_equal(json_array_size(a), 4);
    for (size_t k = 0; k < json_array_size(a); k++) {
        json_t *v = json_array_get(a, k);
        json_t *want = json_object_get(v, "want");
        int l;
        uint64_t i;
        unsigned w;
        assert_int_equal(parse_pair(jstr(v, "level"), jstr(v, "index"), &l,
                                    &i, &w),
                         0);
        assert_int_equal(l, jint(want, "level"));
        assert_int_equal(i, jint(want, "index"));
        assert_int_equal(w, jint(want, "width"));
    }
    a = json_object_get(json_object_get(j, "parse_invalid"), "vectors");
    assert_int_equal(json_array_size(a), 15);
    for (size_t k = 0; k < json_array_size(a); k++) {
        json_t *v = json_array_get(a, k);
        int l;
        uint64_t i;
        unsigned w;
        if (parse_pair(jstr(v, "level"), jstr(v, "index"), &l, &i, &w) != -1)
            fail_msg("accepted tile/%s/%s", jstr(v, "level"),
                     jstr(v, "index"));
    }
    json_decref(j);

    /* Spellings no writer produces. */
    const char *bad[] = {
        "tile/0/x000/001",     /* leading zero group */
        "tile/0/x000/x001/002",
        "tile/0/000.p/0",      /* width 0 */
        "tile/0/000.p/01",     /* leading zero in the width */
        "tile/0/000.p/256",
        "tile/00/000",         /* leading zero in the level */
        "tile/entries/000.p/",
        "tile/entry/000",
        "tile/data/000",
        "tile/8/0/000",        /* Go's tile/<H>/<L>/ spelling */
        "tile/0/0001",
        "tile/0/01",
        "tile/0/000/",
        "tile/0/000.q/5",
        "tile/0/000.p/5/",
        "tile/0/X001/002",
        "tile//000",
        "tile/0/",
        "tile/0",
        "/tile/0/000",
        "tiles/0/000",
        "",
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        int l;
        uint64_t i;
        unsigned w;
        if (tlog_tile_parse(bad[k], &l, &i, &w) != -1)
            fail_msg("accepted '%s'", bad[k]);
    }
    /* Arguments tlog_tile_path cannot name. */
    char out[TLOG_TILE_PATH_MAX];
    assert_int_equal(tlog_tile_path(out, 0, 0, 256), -1);
    assert_int_equal(tlog_tile_path(out, -2, 0, 0), -1);
    assert_int_equal(tlog_tile_path(out, 64, 0, 0), -1);

    /* Round trips over many (level, index, width), every group count. */
    uint64_t idx[] = {0, 1, 999, 1000, 1001, 255999, 1000000, 72057594037927935ULL,
                      999999999999999999ULL};
    for (int l = -1; l < 10; l++)
        for (size_t k = 0; k < sizeof idx / sizeof idx[0]; k++)
            for (unsigned w = 0; w < 256; w += 17) {
                int gl;
                uint64_t gi;
                unsigned gw;
                assert_int_equal(tlog_tile_path(out, l, idx[k], w), 0);
                assert_int_equal(tlog_tile_parse(out, &gl, &gi, &gw), 0);
                assert_int_equal(gl, l);
                assert_int_equal(gi, idx[k]);
                assert_int_equal(gw, w);
            }
}

/* Every tile with width > 0 at any level of a tree of `size` entries. */
static void test_tiles_for_size(void **state)
{
    (void)state;
    json_t *j = vec_load("tiles/tile-paths.json");
    json_t *a = json_object_get(j, "tiles_for_tree_size");
    assert_int_equal(json_array_size(a), 2);
    for (size_t k = 0; k < json_array_size(a); k++) {
        json_t *v = json_array_get(a, k);
        uint64_t size = jint(v, "tree_size");
        char paths[16][TLOG_TILE_PATH_MAX];
        size_t np = 0, npartial = 0;
        char partial[8][TLOG_TILE_PATH_MAX];
        json_t *per = json_object_get(v, "per_level");
        for (int L = 0; L < OSAFE_TILE_LEVELS_MAX; L++) {
            uint64_t full = 0;
            unsigned pw = 0, w;
            for (uint64_t i = 0; (w = tlog_tile_width(L, i, size)) > 0; i++) {
                if (w == OSAFE_TILE_WIDTH) {
                    full++;
                } else {
                    /* Only the last tile of a level may be partial. */
                    assert_int_equal(tlog_tile_width(L, i + 1, size), 0);
                    pw = w;
                    assert_int_equal(
                        tlog_tile_path(partial[npartial++], L, i, w), 0);
                }
                if (np < 16)
                    assert_int_equal(tlog_tile_path(paths[np++], L, i,
                                                    w == 256 ? 0 : w),
                                     0);
            }
            char key[4];
            snprintf(key, sizeof key, "%d", L);
            json_t *pl = json_object_get(per, key);
            if (pl) {
                assert_int_equal(full, jint(pl, "full"));
                assert_int_equal(pw, jint(pl, "partial_width"));
            } else if (per) {
                assert_int_equal(full, 0);
                assert_int_equal(pw, 0);
            }
        }
        json_t *pp = json_object_get(v, "partial_tile_paths");
        if (pp) {
            assert_int_equal(npartial, json_array_size(pp));
            for (size_t i = 0; i < npartial; i++)
                assert_string_equal(partial[i],
                                    json_string_value(json_array_get(pp, i)));
        }
        json_t *tp = json_object_get(v, "tile_paths");
        if (tp) {
            assert_int_equal(np, json_array_size(tp));
            for (size_t i = 0; i < np; i++)
                assert_string_equal(paths[i],
                                    json_string_value(json_array_get(tp, i)));
        }
    }
    json_decref(j);

    /* Edges of the width arithmetic. */
    assert_int_equal(tlog_tile_width(0, 0, 0), 0);
    assert_int_equal(tlog_tile_width(0, 0, 1), 1);
    assert_int_equal(tlog_tile_width(0, 0, 256), 256);
    assert_int_equal(tlog_tile_width(0, 1, 256), 0);
    assert_int_equal(tlog_tile_width(1, 0, 255), 0);
    assert_int_equal(tlog_tile_width(1, 0, 256), 1);
    assert_int_equal(tlog_tile_width(TLOG_TILE_ENTRIES, 1, 300), 44);
    assert_int_equal(tlog_tile_width(7, 0, UINT64_MAX), 255);
    assert_int_equal(tlog_tile_width(0, (UINT64_MAX >> 8), UINT64_MAX), 255);
    assert_int_equal(tlog_tile_width(0, UINT64_MAX, UINT64_MAX), 0);
    assert_int_equal(tlog_tile_width(8, 0, UINT64_MAX), 0);
}

/* ---- entry bundles ------------------------------------------------------ */

static void test_bundle_split(void **state)
{
    (void)state;
    /* Tessera's bundle of 15 entries. */
    json_t *j = vec_load("tiles/tessera-testdata-log.json");
    json_t *bundles = json_object_get(j, "entry_bundles");
    json_t *entries = json_object_get(j, "entries_utf8");
    tlog_entry out[OSAFE_TILE_WIDTH];
    for (size_t n = 1; n <= json_array_size(bundles); n++) {
        size_t len;
        uint8_t *b = vec_hex(json_object_get(json_array_get(bundles, n - 1),
                                             "bytes_hex"),
                             &len);
        assert_int_equal(tlog_bundle_split(b, len, (unsigned)n, out, NULL),
                         0);
        for (size_t i = 0; i < n; i++) {
            const char *want = json_string_value(json_array_get(entries, i));
            assert_int_equal(out[i].len, strlen(want));
            assert_memory_equal(out[i].data, want, out[i].len);
        }
        osafe_err e = {0};
        /* One entry too many: truncated; one too few: trailing bytes. */
        assert_int_equal(
            tlog_bundle_split(b, len, (unsigned)n + 1, out, &e),
            OSAFE_ECORRUPT);
        assert_non_null(strstr(e.msg, "truncated"));
        assert_int_equal(
            tlog_bundle_split(b, len, (unsigned)n - 1, out, &e),
            OSAFE_ECORRUPT);
        assert_non_null(strstr(e.msg, "unexpected bytes"));
        /* The last entry cut short by one byte. */
        assert_int_equal(tlog_bundle_split(b, len - 1, (unsigned)n, out, &e),
                         OSAFE_ECORRUPT);
        free(b);
    }
    json_decref(j);

    /* Empty entries, and the longest one the format allows. */
    size_t big = 2 + 0 + 2 + 65535 + 2 + 1;
    uint8_t *b = calloc(1, big);
    assert_non_null(b);
    b[2] = 0xFF;
    b[3] = 0xFF;
    memset(b + 4, 'x', 65535);
    b[4 + 65535 + 1] = 1;
    b[4 + 65535 + 2] = 'y';
    assert_int_equal(tlog_bundle_split(b, big, 3, out, NULL), 0);
    assert_int_equal(out[0].len, 0);
    assert_int_equal(out[1].len, 65535);
    assert_ptr_equal(out[1].data, b + 4);
    assert_int_equal(out[2].len, 1);
    assert_memory_equal(out[2].data, "y", 1);
    /* A length field cut in half. */
    assert_int_equal(tlog_bundle_split(b, 3, 2, out, NULL), OSAFE_ECORRUPT);
    assert_int_equal(tlog_bundle_split(b, 1, 1, out, NULL), OSAFE_ECORRUPT);
    free(b);
    /* Zero entries: only the empty bundle. */
    uint8_t z[2] = {0, 0};
    assert_int_equal(tlog_bundle_split(z, 0, 0, out, NULL), 0);
    assert_int_equal(tlog_bundle_split(z, 2, 0, out, NULL), OSAFE_ECORRUPT);
    /* A full bundle of 256 one-byte entries. */
    uint8_t full[256 * 3];
    for (int i = 0; i < 256; i++) {
        full[3 * i] = 0;
        full[3 * i + 1] = 1;
        full[3 * i + 2] = (uint8_t)i;
    }
    assert_int_equal(tlog_bundle_split(full, sizeof full, 256, out, NULL), 0);
    for (int i = 0; i < 256; i++)
        assert_int_equal(((const uint8_t *)out[i].data)[0], i);
}

/* ---- the right edge ----------------------------------------------------- */

#define EDGE_MAX 70000

struct full_log {
    tlog_memtree *t;
    uint64_t calls[OSAFE_TILE_LEVELS_MAX];
    int fail_at_level; /* -1: never */
};

/* Each full tile must hold the 256 hashes of tree level 8L, in order. */
static int on_full(void *ctx, int level, uint64_t index,
                   const tlog_hash *hashes, osafe_err *e)
{
    struct full_log *f = ctx;
    assert_true(level >= 0 && level < OSAFE_TILE_LEVELS_MAX);
    assert_int_equal(index, f->calls[level]);
    f->calls[level]++;
    int tl = level * OSAFE_TILE_HEIGHT;
    assert_true(f->t->count[tl] >= (index + 1) * 256);
    assert_memory_equal(hashes, &f->t->level[tl][index * 256],
                        256 * sizeof *hashes);
    if (level == f->fail_at_level)
        return osafe_errf(e, OSAFE_EIO, "refused");
    return 0;
}

static int is_boundary(uint64_t n)
{
    static const uint64_t b[] = {255, 256, 257, 511, 512, 513, 65279, 65280,
                                 65281, 65535, 65536, 65537, 65792, EDGE_MAX};
    for (size_t i = 0; i < sizeof b / sizeof b[0]; i++)
        if (n == b[i])
            return 1;
    return 0;
}

/* Every node the edge claims to hold is the memtree's. */
static void check_edge_nodes(const tlog_edge *edge, tlog_memtree *t)
{
    for (int L = 0; L < 3; L++) {
        uint64_t n = edge->size >> (8 * L);
        assert_int_equal(edge->n[L], n & 255);
        for (int r = 0; r < 8; r++) {
            int level = 8 * L + r;
            /* Two past the last complete node: incomplete nodes are never
             * on the edge. */
            for (uint64_t i = 0; i < t->count[level] + 2; i++) {
                tlog_hash h;
                uint64_t first = i << r;
                int inside = edge->n[L] && (first >> 8) == (n >> 8) &&
                             (first & 255) + (1u << r) <= edge->n[L];
                assert_true(!inside || i < t->count[level]);
                /* Only nodes near the right edge can be inside. */
                if (!inside && i + 300 < t->count[level])
                    continue;
                assert_int_equal(tlog_edge_node(edge, level, i, &h), inside);
                if (inside)
                    assert_memory_equal(h.b, t->level[level][i].b, 32);
            }
        }
    }
}

static void test_edge_vs_memtree(void **state)
{
    (void)state;
    tlog_edge *edge = malloc(sizeof *edge);
    assert_non_null(edge);
    tlog_edge_init(edge);
    tlog_memtree t;
    tlog_memtree_init(&t);
    tlog_reader r = tlog_memtree_reader(&t);
    struct full_log f = {&t, {0}, -1};
    tlog_hash got, want;
    tlog_edge_root(edge, &got);
    tlog_empty_root(&want);
    assert_memory_equal(got.b, want.b, 32);
    uint64_t roots = 0;
    for (uint64_t n = 1; n <= EDGE_MAX; n++) {
        tlog_hash leaf;
        uint8_t data[8];
        for (int i = 0; i < 8; i++)
            data[i] = (uint8_t)(n >> (8 * i));
        tlog_leaf_hash(&leaf, data, sizeof data);
        /* The memtree first, so that on_full can compare with it. */
        assert_int_equal(tlog_memtree_append(&t, &leaf), 0);
        assert_int_equal(tlog_edge_push(edge, &leaf, on_full, &f, NULL), 0);
        assert_int_equal(edge->size, n);
        if (n <= 1100 || n % 997 == 0 || is_boundary(n) ||
            (n & (n - 1)) == 0) {
            tlog_edge_root(edge, &got);
            assert_int_equal(tlog_tree_hash(&r, n, &want, NULL), 0);
            if (!tlog_hash_eq(&got, &want))
                fail_msg("edge root differs at size %llu",
                         (unsigned long long)n);
            roots++;
        }
        if (is_boundary(n) || n == 1 || n == 1000)
            check_edge_nodes(edge, &t);
        for (int L = 0; L < 3; L++)
            if (edge->n[L])
                assert_int_equal(tlog_edge_tile_index(edge, L),
                                 n >> (8 * (L + 1)));
    }
    assert_true(roots > 1100);
    assert_int_equal(f.calls[0], EDGE_MAX / 256);
    assert_int_equal(f.calls[1], EDGE_MAX / 65536);
    assert_int_equal(f.calls[2], 0);

    /* A callback that fails stops the push and reports its error. */
    tlog_edge_init(edge);
    tlog_memtree_release(&t);
    tlog_memtree_init(&t);
    struct full_log g = {&t, {0}, 0};
    osafe_err e = {0};
    for (uint64_t n = 1; n <= 256; n++) {
        tlog_hash leaf;
        tlog_leaf_hash(&leaf, &n, sizeof n);
        assert_int_equal(tlog_memtree_append(&t, &leaf), 0);
        int rc = tlog_edge_push(edge, &leaf, on_full, &g, &e);
        assert_int_equal(rc, n < 256 ? 0 : OSAFE_EIO);
    }
    assert_int_equal(edge->size, 255);
    /* And a NULL callback is allowed. */
    tlog_edge_init(edge);
    for (uint64_t n = 0; n < 300; n++)
        assert_int_equal(tlog_edge_push(edge, &t.level[0][n % 256], NULL, NULL,
                                        NULL),
                         0);
    assert_int_equal(edge->n[0], 300 - 256);
    assert_int_equal(edge->n[1], 1);
    tlog_memtree_release(&t);
    free(edge);
}

static void test_subtree_root(void **state)
{
    (void)state;
    tlog_memtree t;
    tlog_memtree_init(&t);
    tlog_reader r = tlog_memtree_reader(&t);
    tlog_hash h[256];
    for (int i = 0; i < 256; i++) {
        tlog_leaf_hash(&h[i], &i, sizeof i);
        assert_int_equal(tlog_memtree_append(&t, &h[i]), 0);
    }
    for (unsigned c = 1; c <= 256; c *= 2)
        for (unsigned off = 0; off + c <= 256; off += c) {
            tlog_hash got, want;
            tlog_subtree_root(&h[off], c, &got);
            assert_int_equal(tlog_range_hash(&r, off, off + c, &want, NULL),
                             0);
            assert_memory_equal(got.b, want.b, 32);
        }
    tlog_memtree_release(&t);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_tiles_for_size),
        cmocka_unit_test(test_bundle_split),
        cmocka_unit_test(test_subtree_root),
        cmocka_unit_test(test_edge_vs_memtree),
    };
    return vec_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
