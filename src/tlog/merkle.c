#include "tlog/merkle.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

void tlog_leaf_hash(tlog_hash *out, const void *entry, size_t len)
{
    crypto_hash_sha256_state st;
    static const uint8_t prefix = 0x00;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, &prefix, 1);
    crypto_hash_sha256_update(&st, entry, len);
    crypto_hash_sha256_final(&st, out->b);
}

void tlog_node_hash(tlog_hash *out, const tlog_hash *left,
                    const tlog_hash *right)
{
    uint8_t buf[1 + 2 * TLOG_HASH_SIZE];
    buf[0] = 0x01;
    memcpy(buf + 1, left->b, TLOG_HASH_SIZE);
    memcpy(buf + 1 + TLOG_HASH_SIZE, right->b, TLOG_HASH_SIZE);
    crypto_hash_sha256(out->b, buf, sizeof buf);
}

void tlog_empty_root(tlog_hash *out)
{
    crypto_hash_sha256(out->b, (const uint8_t *)"", 0);
}

int tlog_hash_eq(const tlog_hash *a, const tlog_hash *b)
{
    return memcmp(a->b, b->b, TLOG_HASH_SIZE) == 0;
}

/* Largest power of two strictly less than n (n >= 2). */
static uint64_t split_point(uint64_t n)
{
    return (uint64_t)1 << (63 - __builtin_clzll(n - 1));
}

static int is_pow2(uint64_t n)
{
    return n && !(n & (n - 1));
}

int tlog_range_hash(const tlog_reader *r, uint64_t lo, uint64_t hi,
                    tlog_hash *out, osafe_err *e)
{
    /* An empty or inverted range is no subtree (and would leave parts[]
     * below empty). */
    if (hi <= lo)
        return osafe_errf(e, OSAFE_EINVAL, "empty range [%llu, %llu)",
                          (unsigned long long)lo, (unsigned long long)hi);
    uint64_t n = hi - lo;
    if (is_pow2(n)) {
        int level = __builtin_ctzll(n);
        return r->read(r->ctx, level, lo >> level, out, e);
    }
    /* The right edge is built right to left: find the complete subtrees that
     * make up [lo, hi) (the set bits of n, largest first) and fold them from
     * the smallest, which is how the recursion of RFC 6962 nests them. */
    tlog_hash parts[64];
    int np = 0;
    uint64_t at = lo;
    for (int b = 63; b >= 0; b--) {
        uint64_t w = (uint64_t)1 << b;
        if (n & w) {
            int rc = r->read(r->ctx, b, at >> b, &parts[np++], e);
            if (rc)
                return rc;
            at += w;
        }
    }
    tlog_hash acc = parts[np - 1];
    for (int i = np - 2; i >= 0; i--)
        tlog_node_hash(&acc, &parts[i], &acc);
    *out = acc;
    return 0;
}

int tlog_tree_hash(const tlog_reader *r, uint64_t size, tlog_hash *out,
                   osafe_err *e)
{
    if (size == 0) {
        tlog_empty_root(out);
        return 0;
    }
    return tlog_range_hash(r, 0, size, out, e);
}

static int path(const tlog_reader *r, uint64_t m, uint64_t lo, uint64_t hi,
                tlog_hash *proof, size_t *np, osafe_err *e)
{
    if (hi - lo == 1)
        return 0;
    uint64_t k = split_point(hi - lo);
    int rc;
    if (m < lo + k) {
        if ((rc = path(r, m, lo, lo + k, proof, np, e)))
            return rc;
        return tlog_range_hash(r, lo + k, hi, &proof[(*np)++], e);
    }
    if ((rc = path(r, m, lo + k, hi, proof, np, e)))
        return rc;
    return tlog_range_hash(r, lo, lo + k, &proof[(*np)++], e);
}

int tlog_prove_inclusion(const tlog_reader *r, uint64_t index, uint64_t size,
                         tlog_hash proof[TLOG_PROOF_MAX], size_t *nproof,
                         osafe_err *e)
{
    *nproof = 0;
    if (index >= size)
        return osafe_errf(e, OSAFE_EINVAL,
                          "index %llu is not in a tree of size %llu",
                          (unsigned long long)index, (unsigned long long)size);
    return path(r, index, 0, size, proof, nproof, e);
}

static int subproof(const tlog_reader *r, uint64_t m, uint64_t lo, uint64_t hi,
                    int whole, tlog_hash *proof, size_t *np, osafe_err *e)
{
    if (m == hi) {
        if (whole)
            return 0;
        return tlog_range_hash(r, lo, hi, &proof[(*np)++], e);
    }
    uint64_t k = split_point(hi - lo);
    int rc;
    if (m <= lo + k) {
        if ((rc = subproof(r, m, lo, lo + k, whole, proof, np, e)))
            return rc;
        return tlog_range_hash(r, lo + k, hi, &proof[(*np)++], e);
    }
    if ((rc = subproof(r, m, lo + k, hi, 0, proof, np, e)))
        return rc;
    return tlog_range_hash(r, lo, lo + k, &proof[(*np)++], e);
}

int tlog_prove_consistency(const tlog_reader *r, uint64_t size1,
                           uint64_t size2, tlog_hash proof[TLOG_PROOF_MAX],
                           size_t *nproof, osafe_err *e)
{
    *nproof = 0;
    if (size1 == 0 || size1 > size2)
        return osafe_errf(e, OSAFE_EINVAL,
                          "no consistency proof from size %llu to size %llu "
                          "(need 0 < old <= new)",
                          (unsigned long long)size1, (unsigned long long)size2);
    if (size1 == size2)
        return 0;
    return subproof(r, size1, 0, size2, 1, proof, nproof, e);
}

int tlog_verify_inclusion(uint64_t index, uint64_t size, const tlog_hash *leaf,
                          const tlog_hash *proof, size_t nproof,
                          const tlog_hash *root, osafe_err *e)
{
    if (index >= size)
        return osafe_errf(e, OSAFE_EVERIFY,
                          "index %llu is not in a tree of size %llu",
                          (unsigned long long)index, (unsigned long long)size);
    uint64_t fn = index, sn = size - 1;
    tlog_hash h = *leaf;
    for (size_t i = 0; i < nproof; i++) {
        if (sn == 0)
            return osafe_errf(e, OSAFE_EVERIFY,
                              "inclusion proof too long (%zu hashes)", nproof);
        if ((fn & 1) || fn == sn) {
            tlog_node_hash(&h, &proof[i], &h);
            if (!(fn & 1))
                while (!(fn & 1) && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            tlog_node_hash(&h, &h, &proof[i]);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0)
        return osafe_errf(e, OSAFE_EVERIFY,
                          "inclusion proof too short (%zu hashes)", nproof);
    if (!tlog_hash_eq(&h, root))
        return osafe_errf(e, OSAFE_EVERIFY,
                          "inclusion proof does not lead to the root hash");
    return 0;
}

int tlog_verify_consistency(uint64_t size1, uint64_t size2,
                            const tlog_hash *root1, const tlog_hash *root2,
                            const tlog_hash *proof, size_t nproof,
                            osafe_err *e)
{
    if (size1 == 0)
        return osafe_errf(e, OSAFE_EVERIFY,
                          "consistency from the empty tree is meaningless");
    if (size1 > size2)
        return osafe_errf(e, OSAFE_EVERIFY,
                          "old size %llu is larger than new size %llu",
                          (unsigned long long)size1, (unsigned long long)size2);
    if (size1 == size2) {
        if (nproof != 0)
            return osafe_errf(e, OSAFE_EVERIFY,
                              "equal sizes need an empty proof");
        if (!tlog_hash_eq(root1, root2))
            return osafe_errf(e, OSAFE_EVERIFY,
                              "equal sizes but different root hashes");
        return 0;
    }
    if (nproof == 0)
        return osafe_errf(e, OSAFE_EVERIFY, "empty consistency proof");
    size_t i = 0;
    tlog_hash first;
    if (is_pow2(size1)) {
        first = *root1;
    } else {
        first = proof[0];
        i = 1;
    }
    uint64_t fn = size1 - 1, sn = size2 - 1;
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    tlog_hash fr = first, sr = first;
    for (; i < nproof; i++) {
        if (sn == 0)
            return osafe_errf(e, OSAFE_EVERIFY,
                              "consistency proof too long (%zu hashes)",
                              nproof);
        if ((fn & 1) || fn == sn) {
            tlog_node_hash(&fr, &proof[i], &fr);
            tlog_node_hash(&sr, &proof[i], &sr);
            if (!(fn & 1))
                while (!(fn & 1) && fn != 0) {
                    fn >>= 1;
                    sn >>= 1;
                }
        } else {
            tlog_node_hash(&sr, &sr, &proof[i]);
        }
        fn >>= 1;
        sn >>= 1;
    }
    if (sn != 0)
        return osafe_errf(e, OSAFE_EVERIFY,
                          "consistency proof too short (%zu hashes)", nproof);
    if (!tlog_hash_eq(&fr, root1))
        return osafe_errf(e, OSAFE_EVERIFY,
                          "consistency proof does not lead to the old root");
    if (!tlog_hash_eq(&sr, root2))
        return osafe_errf(e, OSAFE_EVERIFY,
                          "consistency proof does not lead to the new root");
    return 0;
}

/* ---- in-memory tree ---------------------------------------------------- */

void tlog_memtree_init(tlog_memtree *t)
{
    memset(t, 0, sizeof *t);
}

void tlog_memtree_release(tlog_memtree *t)
{
    for (int i = 0; i < 64; i++)
        free(t->level[i]);
    tlog_memtree_init(t);
}

static int push(tlog_memtree *t, int level, const tlog_hash *h)
{
    if (t->count[level] == t->cap[level]) {
        uint64_t cap = t->cap[level] ? t->cap[level] * 2 : 16;
        tlog_hash *p = realloc(t->level[level], cap * sizeof *p);
        if (!p)
            return OSAFE_ENOMEM;
        t->level[level] = p;
        t->cap[level] = cap;
    }
    t->level[level][t->count[level]++] = *h;
    return 0;
}

int tlog_memtree_append(tlog_memtree *t, const tlog_hash *leaf)
{
    int rc = push(t, 0, leaf);
    for (int l = 0; rc == 0 && l < 63 && (t->count[l] & 1) == 0; l++) {
        tlog_hash h;
        uint64_t c = t->count[l];
        tlog_node_hash(&h, &t->level[l][c - 2], &t->level[l][c - 1]);
        rc = push(t, l + 1, &h);
    }
    if (rc == 0)
        t->size++;
    return rc;
}

static int memtree_read(void *ctx, int level, uint64_t index, tlog_hash *out,
                        osafe_err *e)
{
    tlog_memtree *t = ctx;
    if (level < 0 || level > 63 || index >= t->count[level])
        return osafe_errf(e, OSAFE_ENOTFOUND,
                          "no complete node at level %d index %llu", level,
                          (unsigned long long)index);
    *out = t->level[level][index];
    return 0;
}

tlog_reader tlog_memtree_reader(tlog_memtree *t)
{
    tlog_reader r = {memtree_read, t};
    return r;
}
