/*
 * test_log.c - the tiled log directory (src/tlog/log*.c).
 *
 * The interop test rebuilds Tessera's 15-entry test log with Tessera's test
 * key and demands every checkpoint, partial tile and entry bundle byte for
 * byte (Ed25519 signatures are deterministic).  The others grow a log across
 * the 256 and 65536 tile boundaries in uneven batches, reopening it between
 * batches, and check it against an in-memory tree, the auditor, the entry
 * reader and the proofs.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "core/fsx.h"
#include "tlog/log.h"
#include "tlog/proof.h"
#include "vectors.h"

static const char *jstr(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    if (!s)
        fail_msg("vector field '%s' missing", key);
    return s;
}

struct tmp {
    char root[64];
    char log[96];
    char key[96];
};

/* The directory of the running test, for the teardown to remove when an
 * assertion ends the test early. */
static char current_root[64];

static void tmp_make(struct tmp *t)
{
    snprintf(t->root, sizeof t->root, "/tmp/osafe-test-log-XXXXXX");
    assert_non_null(mkdtemp(t->root));
    snprintf(current_root, sizeof current_root, "%s", t->root);
    snprintf(t->log, sizeof t->log, "%s/log", t->root);
    snprintf(t->key, sizeof t->key, "%s/key", t->root);
}

static void tmp_remove(struct tmp *t)
{
    assert_int_equal(fsx_remove_tree(t->root, NULL), 0);
    assert_false(fsx_exists(t->root));
    current_root[0] = '\0';
}

static int teardown(void **state)
{
    (void)state;
    int rc = current_root[0] ? fsx_remove_tree(current_root, NULL) : 0;
    current_root[0] = '\0';
    return rc ? -1 : 0;
}

static void write_file(const char *path, const char *text, int mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    assert_int_equal(close(fd), 0);
    assert_int_equal(chmod(path, (mode_t)mode), 0);
}

/* Contents of dir/rel; fails the test if missing. */
static char *slurp(const char *dir, const char *rel, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    char *data;
    osafe_err e = {0};
    if (fsx_read_file(path, 1u << 26, &data, len, &e) != 0)
        fail_msg("%s", e.msg);
    return data;
}

static int exists(const char *dir, const char *rel)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    return fsx_exists(path);
}

static void file_equals(const char *dir, const char *rel, const void *want,
                        size_t wlen)
{
    size_t len;
    char *got = slurp(dir, rel, &len);
    if (len != wlen || memcmp(got, want, len) != 0)
        fail_msg("%s/%s differs from the expected %zu bytes", dir, rel, wlen);
    free(got);
}

/* Flip one bit of byte `at` of dir/rel, in place. */
static void flip_bit(const char *dir, const char *rel, size_t at)
{
    size_t len;
    char *data = slurp(dir, rel, &len);
    assert_true(at < len);
    data[at] ^= 0x08;
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    free(data);
}

static tlog_log *open_log(const char *dir, int mode)
{
    tlog_log *log;
    osafe_err e = {0};
    if (tlog_log_open(dir, mode, NULL, &log, &e) != 0)
        fail_msg("open %s: %s", dir, e.msg);
    return log;
}

/* ---- Tessera interop ---------------------------------------------------- */

/* The published proofs of the Tessera log, generated through r. */
static void check_tessera_proofs(json_t *j, const tlog_reader *rd)
{
    tlog_reader r = *rd;
    osafe_err e = {0};
    json_t *ps = json_object_get(json_object_get(j, "computed_inclusion_proofs"),
                                 "proofs");
    assert_true(json_array_size(ps) > 0);
    for (size_t k = 0; k < json_array_size(ps); k++) {
        json_t *p = json_array_get(ps, k);
        tlog_hash h[TLOG_PROOF_MAX], want;
        size_t n;
        uint64_t idx = (uint64_t)json_integer_value(
            json_object_get(p, "leaf_index"));
        uint64_t size = (uint64_t)json_integer_value(
            json_object_get(p, "tree_size"));
        assert_int_equal(tlog_prove_inclusion(&r, idx, size, h, &n, &e), 0);
        json_t *pb = json_object_get(p, "proof_b64");
        assert_int_equal(n, json_array_size(pb));
        for (size_t i = 0; i < n; i++) {
            vec_hash_b64(&want, json_array_get(pb, i));
            assert_memory_equal(h[i].b, want.b, 32);
        }
    }
    ps = json_object_get(json_object_get(j, "computed_consistency_proofs"),
                         "proofs");
    assert_true(json_array_size(ps) > 0);
    for (size_t k = 0; k < json_array_size(ps); k++) {
        json_t *p = json_array_get(ps, k);
        tlog_hash h[TLOG_PROOF_MAX], want;
        size_t n;
        uint64_t s1 = (uint64_t)json_integer_value(json_object_get(p, "size1"));
        uint64_t s2 = (uint64_t)json_integer_value(json_object_get(p, "size2"));
        assert_int_equal(tlog_prove_consistency(&r, s1, s2, h, &n, &e), 0);
        json_t *pb = json_object_get(p, "proof_b64");
        assert_int_equal(n, json_array_size(pb));
        for (size_t i = 0; i < n; i++) {
            vec_hash_b64(&want, json_array_get(pb, i));
            assert_memory_equal(h[i].b, want.b, 32);
        }
    }
}


static void test_tessera_interop(void **state)
{
    (void)state;
    json_t *j = vec_load("tiles/tessera-testdata-log.json");
    struct tmp t;
    tmp_make(&t);
    char keytext[256];
    snprintf(keytext, sizeof keytext, "%s\n",
             jstr(j, "log_private_key_go_format"));
    write_file(t.key, keytext, 0600);
    osafe_err e = {0};
    if (tlog_log_init(t.log, jstr(j, "origin"), t.key, &e) != 0)
        fail_msg("init: %s", e.msg);
    json_t *cps = json_object_get(j, "checkpoints");
    json_t *entries = json_object_get(j, "entries_utf8");
    json_t *tiles = json_object_get(j, "level0_partial_tiles");
    json_t *bundles = json_object_get(j, "entry_bundles");
    assert_int_equal(json_array_size(entries), 15);
    const char *cp0 = jstr(json_array_get(cps, 0), "checkpoint");
    file_equals(t.log, "checkpoint", cp0, strlen(cp0));
    /* A second init of the same directory is refused. */
    assert_int_equal(tlog_log_init(t.log, jstr(j, "origin"), t.key, &e),
                     OSAFE_EEXIST);
    file_equals(t.log, "checkpoint", cp0, strlen(cp0));

    tlog_log *log = open_log(t.log, TLOG_OPEN_WRITE);
    /* One writer at a time, even within one process. */
    tlog_log *second;
    assert_int_equal(tlog_log_open(t.log, TLOG_OPEN_WRITE, NULL, &second, &e),
                     OSAFE_ELOCKED);
    assert_null(second);
    for (size_t i = 0; i < 15; i++) {
        const char *s = json_string_value(json_array_get(entries, i));
        tlog_entry ent = {s, strlen(s)};
        uint64_t first = 99;
        if (tlog_log_append(log, &ent, 1, &first, &e) != 0)
            fail_msg("append %zu: %s", i, e.msg);
        assert_int_equal(first, i);
        assert_int_equal(tlog_log_head(log)->size, i + 1);
        const char *cp = jstr(json_array_get(cps, i + 1), "checkpoint");
        file_equals(t.log, "checkpoint", cp, strlen(cp));
        size_t nl;
        const char *note = tlog_log_checkpoint_note(log, &nl);
        assert_int_equal(nl, strlen(cp));
        assert_memory_equal(note, cp, nl);
        json_t *tv = json_array_get(tiles, i), *bv = json_array_get(bundles, i);
        size_t len;
        uint8_t *want = vec_hex(json_object_get(tv, "bytes_hex"), &len);
        file_equals(t.log, jstr(tv, "path"), want, len);
        free(want);
        want = vec_hex(json_object_get(bv, "bytes_hex"), &len);
        file_equals(t.log, jstr(bv, "path"), want, len);
        free(want);
    }
    /* Only partial tiles exist below 256 entries. */
    assert_false(exists(t.log, "tile/0/000"));
    assert_false(exists(t.log, "tile/1"));
    assert_int_equal(tlog_log_open(t.log, TLOG_OPEN_WRITE, NULL, &second, &e),
                     OSAFE_ELOCKED);

    /* The published proofs, from the writer (which holds the partial
     * tiles in memory) and from a reader (which reads the tile files). */
    tlog_reader r = tlog_log_reader(log);
    check_tessera_proofs(j, &r);
    tlog_log *rd = open_log(t.log, TLOG_OPEN_READ);
    r = tlog_log_reader(rd);
    check_tessera_proofs(j, &r);
    tlog_log_close(rd);

    /* Entries read back; the auditor agrees. */
    osafe_buf b = OSAFE_BUF_INIT;
    size_t bytes = 0;
    for (size_t i = 0; i < 15; i++) {
        const char *s = json_string_value(json_array_get(entries, i));
        assert_int_equal(tlog_log_read_entry(log, i, &b, &e), 0);
        assert_int_equal(b.len, strlen(s));
        assert_memory_equal(b.data, s, b.len);
        bytes += b.len;
    }
    assert_int_equal(tlog_log_read_entry(log, 15, &b, &e), OSAFE_ENOTFOUND);
    buf_release(&b);
    tlog_verifier v;
    const char *vk = jstr(j, "log_vkey");
    assert_int_equal(tlog_verifier_parse(vk, strlen(vk), &v, NULL), 0);
    tlog_audit_stats st;
    if (tlog_log_audit(t.log, &v, &st, &e) != 0)
        fail_msg("audit: %s", e.msg);
    assert_int_equal(st.size, 15);
    assert_int_equal(st.bundles, 1);
    assert_int_equal(st.tiles, 1);
    assert_int_equal(st.bytes, bytes);
    tlog_log_close(log);

    /* One flipped bit in an entry, then in the partial tile: the auditor
     * and the writer both notice, and the log is not extended. */
    flip_bit(t.log, "tile/entries/000.p/15", 31);
    assert_int_equal(tlog_log_audit(t.log, &v, &st, &e), OSAFE_ECORRUPT);
    assert_int_equal(tlog_log_open(t.log, TLOG_OPEN_WRITE, NULL, &log, &e),
                     OSAFE_ECORRUPT);
    assert_non_null(strstr(e.msg, "entry 5 does not match"));
    flip_bit(t.log, "tile/entries/000.p/15", 31);
    assert_int_equal(tlog_log_audit(t.log, &v, &st, &e), 0);
    flip_bit(t.log, "tile/0/000.p/15", 200);
    assert_int_equal(tlog_log_audit(t.log, &v, &st, &e), OSAFE_ECORRUPT);
    assert_non_null(strstr(e.msg, "tile/0/000.p/15"));
    assert_int_equal(tlog_log_open(t.log, TLOG_OPEN_WRITE, NULL, &log, &e),
                     OSAFE_ECORRUPT);
    const char *cp15 = jstr(json_array_get(cps, 15), "checkpoint");
    file_equals(t.log, "checkpoint", cp15, strlen(cp15));
    tmp_remove(&t);
    json_decref(j);
}

/* ---- growth across tile boundaries -------------------------------------- */

/* Entry i: its number, then i % 37 filler bytes; every 1000th is empty. */
static size_t make_entry(uint64_t i, char *buf)
{
    if (i % 1000 == 999)
        return 0;
    int n = snprintf(buf, 64, "entry %llu/", (unsigned long long)i);
    size_t pad = i % 37;
    memset(buf + n, 'a' + (int)(i % 26), pad);
    return (size_t)n + pad;
}

struct grown {
    struct tmp t;
    tlog_signer s;
    tlog_memtree mt;
    uint64_t sizes[32];
    tlog_hash roots[32];
    size_t nsizes;
};

static void check_proofs(tlog_log *log, struct grown *g)
{
    const tlog_checkpoint *c = tlog_log_head(log);
    tlog_reader r = tlog_log_reader(log), m = tlog_memtree_reader(&g->mt);
    osafe_err e = {0};
    tlog_hash h[TLOG_PROOF_MAX], w[TLOG_PROOF_MAX];
    size_t n, nw;
    /* Inclusion: a spread of indices, the ends and the tile edges. */
    uint64_t extra[] = {0, 1, 255, 256, 257, 65535, 65536, 65537, c->size - 1};
    for (uint64_t k = 0; k < 64 + sizeof extra / sizeof extra[0]; k++) {
        uint64_t i = k < 64 ? (k * 7919 + c->size / 3) % c->size
                            : extra[k - 64];
        if (i >= c->size)
            continue;
        if (tlog_prove_inclusion(&r, i, c->size, h, &n, &e) != 0)
            fail_msg("prove %llu: %s", (unsigned long long)i, e.msg);
        assert_int_equal(tlog_prove_inclusion(&m, i, c->size, w, &nw, NULL),
                         0);
        assert_int_equal(n, nw);
        assert_memory_equal(h, w, n * sizeof *h);
        assert_int_equal(tlog_verify_inclusion(i, c->size, &g->mt.level[0][i],
                                               h, n, &c->root, &e),
                         0);
    }
    /* Consistency from every earlier checkpoint, and inclusion in it. */
    for (size_t k = 0; k < g->nsizes; k++) {
        uint64_t old = g->sizes[k];
        if (old == 0 || old > c->size)
            continue;
        assert_int_equal(tlog_prove_consistency(&r, old, c->size, h, &n, &e),
                         0);
        assert_int_equal(tlog_verify_consistency(old, c->size, &g->roots[k],
                                                 &c->root, h, n, &e),
                         0);
        uint64_t i = old - 1;
        assert_int_equal(tlog_prove_inclusion(&r, i, old, h, &n, &e), 0);
        assert_int_equal(tlog_verify_inclusion(i, old, &g->mt.level[0][i], h,
                                               n, &g->roots[k], &e),
                         0);
    }
}

static void append_batch(struct grown *g, uint64_t count)
{
    tlog_log *log = open_log(g->t.log, TLOG_OPEN_WRITE);
    uint64_t start = tlog_log_head(log)->size;
    assert_int_equal(start, g->mt.size);
    tlog_entry *ents = calloc(count, sizeof *ents);
    char *data = malloc(count * 64);
    assert_non_null(ents);
    assert_non_null(data);
    for (uint64_t i = 0; i < count; i++) {
        ents[i].data = data + i * 64;
        ents[i].len = make_entry(start + i, data + i * 64);
        tlog_hash h;
        tlog_leaf_hash(&h, ents[i].data, ents[i].len);
        assert_int_equal(tlog_memtree_append(&g->mt, &h), 0);
    }
    uint64_t first;
    osafe_err e = {0};
    if (tlog_log_append(log, ents, count, &first, &e) != 0)
        fail_msg("append %llu: %s", (unsigned long long)count, e.msg);
    assert_int_equal(first, start);
    free(ents);
    free(data);

    const tlog_checkpoint *c = tlog_log_head(log);
    tlog_hash want;
    tlog_reader m = tlog_memtree_reader(&g->mt);
    assert_int_equal(c->size, start + count);
    assert_int_equal(tlog_tree_hash(&m, c->size, &want, NULL), 0);
    assert_memory_equal(c->root.b, want.b, 32);
    /* The file on disk is the signed form of that head. */
    size_t len;
    char *note = slurp(g->t.log, "checkpoint", &len);
    tlog_checkpoint d;
    assert_int_equal(tlog_checkpoint_open(note, len, &g->s.v, &d, &e), 0);
    assert_memory_equal(&d, c, sizeof d);
    free(note);
    check_proofs(log, g);
    tlog_log_close(log);

    tlog_audit_stats st;
    if (tlog_log_audit(g->t.log, &g->s.v, &st, &e) != 0)
        fail_msg("audit at %llu: %s", (unsigned long long)(start + count),
                 e.msg);
    assert_int_equal(st.size, start + count);
    assert_int_equal(st.bundles, (start + count + 255) / 256);
    g->sizes[g->nsizes] = start + count;
    g->roots[g->nsizes++] = want;
}

static void grown_init(struct grown *g, const char *origin)
{
    memset(g, 0, sizeof *g);
    tmp_make(&g->t);
    assert_int_equal(tlog_signer_generate(origin, &g->s, NULL), 0);
    osafe_buf b = OSAFE_BUF_INIT;
    assert_int_equal(tlog_signer_format(&g->s, &b), 0);
    write_file(g->t.key, b.data, 0600);
    buf_release(&b);
    osafe_err e = {0};
    if (tlog_log_init(g->t.log, origin, g->t.key, &e) != 0)
        fail_msg("init: %s", e.msg);
    tlog_memtree_init(&g->mt);
}

static void grown_free(struct grown *g)
{
    tmp_remove(&g->t);
    tlog_memtree_release(&g->mt);
    tlog_signer_wipe(&g->s);
}

static void test_boundaries(void **state)
{
    (void)state;
    struct grown g;
    grown_init(&g, "example.org/unit-log");
    /* Sizes after each batch: 1, 255, 256, 257, 600, 65400, 65535, 65536,
     * 65537, 66000. */
    static const uint64_t batches[] = {1,   254,   1, 1, 343,
                                       64800, 135, 1, 1, 463};
    for (size_t k = 0; k < sizeof batches / sizeof batches[0]; k++) {
        append_batch(&g, batches[k]);
        uint64_t n = g.mt.size;
        /* Full tiles replace their partial ones. */
        if (n >= 256) {
            assert_true(exists(g.t.log, "tile/0/000"));
            assert_true(exists(g.t.log, "tile/entries/000"));
            assert_false(exists(g.t.log, "tile/0/000.p"));
            assert_false(exists(g.t.log, "tile/entries/000.p"));
        }
        if (n == 256)
            assert_true(exists(g.t.log, "tile/1/000.p/1"));
        if (n >= 65536) {
            assert_true(exists(g.t.log, "tile/1/000"));
            assert_true(exists(g.t.log, "tile/0/255"));
            assert_false(exists(g.t.log, "tile/1/000.p"));
            assert_true(exists(g.t.log, "tile/2/000.p/1"));
        }
    }
    assert_int_equal(g.mt.size, 66000);
    assert_true(exists(g.t.log, "tile/0/257.p/208"));
    assert_true(exists(g.t.log, "tile/entries/257.p/208"));
    assert_true(exists(g.t.log, "tile/1/001.p/1"));

    /* Every entry reads back, from a reader handle. */
    tlog_log *log = open_log(g.t.log, TLOG_OPEN_READ);
    osafe_buf b = OSAFE_BUF_INIT;
    char want[64];
    osafe_err e = {0};
    for (uint64_t i = 0; i < g.mt.size; i++) {
        size_t n = make_entry(i, want);
        if (tlog_log_read_entry(log, i, &b, &e) != 0)
            fail_msg("entry %llu: %s", (unsigned long long)i, e.msg);
        if (b.len != n || memcmp(b.data, want, n) != 0)
            fail_msg("entry %llu differs", (unsigned long long)i);
    }
    buf_release(&b);
    /* Proofs from a reader handle too (partial tiles of older sizes are
     * gone; the full tiles stand in). */
    check_proofs(log, &g);
    /* Readers cannot append. */
    tlog_entry x = {"x", 1};
    uint64_t first;
    assert_int_equal(tlog_log_append(log, &x, 1, &first, &e), OSAFE_ESTATE);
    tlog_log_close(log);

    /* A level-1 partial tile that disagrees with the levels below it: only
     * the root comparison can tell. */
    flip_bit(g.t.log, "tile/1/001.p/1", 3);
    assert_int_equal(tlog_log_open(g.t.log, TLOG_OPEN_WRITE, NULL, &log, &e),
                     OSAFE_ECORRUPT);
    assert_non_null(strstr(e.msg, "root"));
    tlog_audit_stats st;
    assert_int_equal(tlog_log_audit(g.t.log, &g.s.v, &st, &e),
                     OSAFE_ECORRUPT);
    assert_non_null(strstr(e.msg, "tile/1/001.p/1"));
    grown_free(&g);
}

static void test_refusals_and_reopen(void **state)
{
    (void)state;
    struct grown g;
    grown_init(&g, "example.org/refusals");
    append_batch(&g, 300);
    tlog_log *log = open_log(g.t.log, TLOG_OPEN_WRITE);
    size_t before_len;
    char *before = slurp(g.t.log, "checkpoint", &before_len);

    /* 65536 bytes do not fit the 2-byte length of a bundle entry; the
     * whole batch is refused and nothing changes. */
    char *big = calloc(1, 65536);
    assert_non_null(big);
    tlog_entry ents[2] = {{"ok", 2}, {big, 65536}};
    uint64_t first = 12345;
    osafe_err e = {0};
    assert_int_equal(tlog_log_append(log, ents, 2, &first, &e), OSAFE_ETOOBIG);
    assert_int_equal(first, 12345);
    assert_int_equal(tlog_log_head(log)->size, 300);
    file_equals(g.t.log, "checkpoint", before, before_len);
    assert_false(exists(g.t.log, "tile/entries/001.p/45"));
    assert_false(exists(g.t.log, "tile/entries/001.p/46"));
    assert_int_equal(tlog_log_append(log, ents, 0, &first, &e), OSAFE_EINVAL);
    file_equals(g.t.log, "checkpoint", before, before_len);
    free(before);
    /* The handle still works, and 65535 bytes is fine. */
    memset(big, 'z', 65535);
    tlog_entry max = {big, 65535};
    assert_int_equal(tlog_log_append(log, &max, 1, &first, &e), 0);
    assert_int_equal(first, 300);
    osafe_buf b = OSAFE_BUF_INIT;
    assert_int_equal(tlog_log_read_entry(log, 300, &b, &e), 0);
    assert_int_equal(b.len, 65535);
    assert_memory_equal(b.data, big, 65535);
    tlog_hash h;
    tlog_leaf_hash(&h, big, 65535);
    assert_int_equal(tlog_memtree_append(&g.mt, &h), 0);
    free(big);
    tlog_log_close(log);

    /* Reopened (with the key path recorded at init), the log continues. */
    append_batch(&g, 10);
    append_batch(&g, 250);
    assert_int_equal(g.mt.size, 561);
    for (uint64_t i = 0; i < 300; i += 37) {
        char want[64];
        size_t n = make_entry(i, want);
        log = open_log(g.t.log, TLOG_OPEN_READ);
        assert_int_equal(tlog_log_read_entry(log, i, &b, &e), 0);
        assert_int_equal(b.len, n);
        assert_memory_equal(b.data, want, n);
        tlog_log_close(log);
    }

    /* Opening with another key is refused. */
    tlog_signer other;
    assert_int_equal(tlog_signer_generate("example.org/refusals", &other,
                                          NULL),
                     0);
    char okey[128];
    snprintf(okey, sizeof okey, "%s/other-key", g.t.root);
    osafe_buf kb = OSAFE_BUF_INIT;
    assert_int_equal(tlog_signer_format(&other, &kb), 0);
    write_file(okey, kb.data, 0600);
    buf_release(&kb);
    assert_int_equal(tlog_log_open(g.t.log, TLOG_OPEN_WRITE, okey, &log, &e),
                     OSAFE_EINVAL);
    assert_null(log);
    tlog_signer_wipe(&other);

    /* init refuses a key named differently from the origin, and a key file
     * others can read. */
    char dir2[160];
    snprintf(dir2, sizeof dir2, "%s/log2", g.t.root);
    assert_int_equal(tlog_log_init(dir2, "example.org/not-the-key-name",
                                   g.t.key, &e),
                     OSAFE_EINVAL);
    assert_false(exists(dir2, "checkpoint"));
    assert_int_equal(chmod(g.t.key, 0644), 0);
    assert_int_equal(tlog_log_init(dir2, "example.org/refusals", g.t.key, &e),
                     OSAFE_EINVAL);
    assert_false(exists(dir2, "checkpoint"));
    assert_int_equal(chmod(g.t.key, 0600), 0);
    /* Not a log at all. */
    assert_int_equal(tlog_log_open(g.t.root, TLOG_OPEN_READ, NULL, &log, &e),
                     OSAFE_ENOTFOUND);

    /* A reader keeps serving its checkpoint (561 = 2 * 256 + 49) while the
     * writer completes tile 2 and removes its partial files: the full tile
     * and bundle stand in.  tlog_log_refresh then moves it on. */
    tlog_log *rd = open_log(g.t.log, TLOG_OPEN_READ);
    assert_int_equal(tlog_log_head(rd)->size, 561);
    assert_true(exists(g.t.log, "tile/0/002.p/49"));
    append_batch(&g, 1);
    append_batch(&g, 300);
    assert_false(exists(g.t.log, "tile/0/002.p"));
    assert_false(exists(g.t.log, "tile/entries/002.p"));
    assert_int_equal(tlog_log_head(rd)->size, 561);
    check_proofs(rd, &g);
    for (uint64_t i = 512; i < 561; i++) {
        char want[64];
        size_t n = make_entry(i, want);
        assert_int_equal(tlog_log_read_entry(rd, i, &b, &e), 0);
        assert_int_equal(b.len, n);
        assert_memory_equal(b.data, want, n);
    }
    assert_int_equal(tlog_log_read_entry(rd, 561, &b, &e), OSAFE_ENOTFOUND);
    assert_int_equal(tlog_log_refresh(rd, &e), 0);
    assert_int_equal(tlog_log_head(rd)->size, 862);
    check_proofs(rd, &g);
    assert_int_equal(tlog_log_read_entry(rd, 861, &b, &e), 0);
    buf_release(&b);
    tlog_log_close(rd);
    grown_free(&g);
}

/* An append that fails half way acknowledges nothing; the files it left
 * beyond the checkpoint are ignored and overwritten after a reopen. */
static void test_failed_append(void **state)
{
    (void)state;
    struct grown g;
    grown_init(&g, "example.org/failed");
    append_batch(&g, 300);
    size_t before_len;
    char *before = slurp(g.t.log, "checkpoint", &before_len);
    /* A plain file where the batch needs the directory of tile 2's partial
     * tile (refused even to root, unlike a permission change). */
    char block[256];
    snprintf(block, sizeof block, "%s/tile/0/002.p", g.t.log);
    write_file(block, "in the way\n", 0644);

    tlog_log *log = open_log(g.t.log, TLOG_OPEN_WRITE);
    /* Other entries than the ones appended after the reopen, so that a
     * leftover file would show. */
    tlog_entry ents[300];
    char data[300][64];
    for (int i = 0; i < 300; i++) {
        ents[i].data = data[i];
        ents[i].len = make_entry(1000000 + (uint64_t)i, data[i]);
    }
    uint64_t first = 7;
    osafe_err e = {0};
    int rc = tlog_log_append(log, ents, 300, &first, &e);
    assert_int_equal(rc, OSAFE_EIO);
    assert_non_null(strstr(e.msg, "002.p"));
    assert_int_equal(first, 7);
    assert_int_equal(tlog_log_head(log)->size, 300);
    file_equals(g.t.log, "checkpoint", before, before_len);
    free(before);
    /* No file of the batch lands before all of them can be written (the
     * directories are prepared first, fsx_write_atomic_many renames only
     * after every file is flushed): the full tile is not there either. */
    assert_false(exists(g.t.log, "tile/0/001"));
    /* The handle refuses to go on. */
    assert_int_equal(tlog_log_append(log, ents, 1, &first, &e), OSAFE_ESTATE);
    tlog_log_close(log);

    tlog_audit_stats st;
    assert_int_equal(tlog_log_audit(g.t.log, &g.s.v, &st, &e), 0);
    assert_int_equal(st.size, 300);
    assert_int_equal(unlink(block), 0);
    append_batch(&g, 300);
    append_batch(&g, 1);
    assert_int_equal(g.mt.size, 601);
    grown_free(&g);
}

/* ---- writers taking turns (TLOG_OPEN_SHARED, issue 13) ------------------ */

/* Append count entries through log (a shared handle, synced first), into
 * g's reference tree too. */
static void shared_append(tlog_log *log, struct grown *g, uint64_t count)
{
    osafe_err e = {0};
    if (tlog_log_sync(log, &e) != 0)
        fail_msg("sync: %s", e.msg);
    uint64_t start = tlog_log_head(log)->size;
    assert_int_equal(start, g->mt.size);
    tlog_entry ents[300];
    char data[300][64];
    assert_true(count <= 300);
    for (uint64_t i = 0; i < count; i++) {
        ents[i].data = data[i];
        ents[i].len = make_entry(start + i, data[i]);
        tlog_hash h;
        tlog_leaf_hash(&h, ents[i].data, ents[i].len);
        assert_int_equal(tlog_memtree_append(&g->mt, &h), 0);
    }
    uint64_t first;
    if (tlog_log_append(log, ents, count, &first, &e) != 0)
        fail_msg("shared append: %s", e.msg);
    assert_int_equal(first, start);
    g->sizes[g->nsizes] = start + count;
    tlog_reader m = tlog_memtree_reader(&g->mt);
    assert_int_equal(tlog_tree_hash(&m, start + count,
                                     &g->roots[g->nsizes++], NULL),
                     0);
}

/* Two processes' handles on one directory append in turn (the database's
 * lock orders them): each picks up the other's entries, across partial and
 * full tiles, and one that has not caught up is refused instead of
 * overwriting the other's checkpoint. */
static void test_shared_writers_take_turns(void **state)
{
    (void)state;
    struct grown g;
    grown_init(&g, "example.org/shared");
    append_batch(&g, 10);
    tlog_log *a = open_log(g.t.log, TLOG_OPEN_SHARED);
    tlog_log *b = open_log(g.t.log, TLOG_OPEN_SHARED);
    shared_append(a, &g, 200);
    shared_append(b, &g, 100); /* crosses the first tile: 310 */
    shared_append(a, &g, 1);
    shared_append(b, &g, 250);
    shared_append(a, &g, 3);
    assert_int_equal(g.mt.size, 564);

    /* b has not read a's last append: refused, nothing written. */
    size_t before_len;
    char *before = slurp(g.t.log, "checkpoint", &before_len);
    tlog_entry late = {"late", 4};
    uint64_t first = 99;
    osafe_err e = {0};
    assert_int_equal(tlog_log_append(b, &late, 1, &first, &e), OSAFE_ESTATE);
    assert_non_null(strstr(e.msg, "another process"));
    assert_int_equal(first, 99);
    file_equals(g.t.log, "checkpoint", before, before_len);
    free(before);

    /* A reader's view (refresh) and proofs from the other handle. */
    assert_int_equal(tlog_log_refresh(b, &e), 0);
    assert_int_equal(tlog_log_head(b)->size, 564);
    check_proofs(b, &g);
    shared_append(b, &g, 1);

    /* A lone writer (TLOG_OPEN_WRITE, e.g. an SQLite registry's serve)
     * holds .lock for its life: the shared ones cannot append meanwhile
     * (they open: another one may be appending while one starts). */
    tlog_log *w = open_log(g.t.log, TLOG_OPEN_WRITE);
    assert_int_equal(tlog_log_sync(a, &e), 0);
    assert_int_equal(tlog_log_append(a, &late, 1, &first, &e), OSAFE_ELOCKED);
    tlog_log *c = open_log(g.t.log, TLOG_OPEN_SHARED);
    assert_int_equal(tlog_log_append(c, &late, 1, &first, &e), OSAFE_ELOCKED);
    tlog_log_close(c);
    tlog_log_close(w);
    tlog_log_close(a);
    tlog_log_close(b);

    tlog_audit_stats st;
    if (tlog_log_audit(g.t.log, &g.s.v, &st, &e) != 0)
        fail_msg("audit: %s", e.msg);
    assert_int_equal(st.size, 565);
    append_batch(&g, 1); /* a lone writer goes on after them */
    grown_free(&g);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_tessera_interop, teardown),
        cmocka_unit_test_teardown(test_boundaries, teardown),
        cmocka_unit_test_teardown(test_refusals_and_reopen, teardown),
        cmocka_unit_test_teardown(test_failed_append, teardown),
        cmocka_unit_test_teardown(test_shared_writers_take_turns, teardown),
    };
    return vec_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
