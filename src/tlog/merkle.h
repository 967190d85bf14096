/*
 * merkle.h - RFC 6962 / RFC 9162 Merkle tree hashing and proofs.
 *
 * Leaves hash as SHA-256(0x00 || entry), interior nodes as
 * SHA-256(0x01 || left || right); trees of any size are left-full (RFC 6962
 * section 2.1), so every complete subtree, once formed, never changes.
 *
 * Proof generation reads complete-subtree hashes through a tlog_reader, so
 * the same code serves the on-disk tiles, an in-memory tree and the tests.
 * A node is named by (level, index): it covers entries
 * [index << level, (index + 1) << level).
 *
 * Verification follows RFC 9162 sections 2.1.3.2 and 2.1.4.2 and accepts
 * only proofs of exactly the right length.  The core consistency verifier
 * rejects size1 == 0 (a proof from the empty tree means nothing); the
 * witness protocol special-cases "old 0" before calling it.
 */
#ifndef OSAFE_TLOG_MERKLE_H
#define OSAFE_TLOG_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

#define TLOG_HASH_SIZE 32
/* Inclusion proofs are at most 64 hashes, consistency proofs 65 (uint64). */
#define TLOG_PROOF_MAX 66

typedef struct tlog_hash {
    uint8_t b[TLOG_HASH_SIZE];
} tlog_hash;

void tlog_leaf_hash(tlog_hash *out, const void *entry, size_t len);
void tlog_node_hash(tlog_hash *out, const tlog_hash *left,
                    const tlog_hash *right);
/* MTH({}) = SHA-256(""). */
void tlog_empty_root(tlog_hash *out);
int tlog_hash_eq(const tlog_hash *a, const tlog_hash *b);

/*
 * Source of complete-subtree hashes.  read() fills *out with the hash of node
 * (level, index) and returns 0, or returns a negative status and explains in
 * *e.  The algorithms below only ask for nodes that are complete in the tree
 * size they were given.
 */
typedef struct tlog_reader {
    int (*read)(void *ctx, int level, uint64_t index, tlog_hash *out,
                osafe_err *e);
    void *ctx;
} tlog_reader;

/* MTH(D[lo:hi]) for a range produced by the RFC 6962 recursion. */
OSAFE_MUST_USE int tlog_range_hash(const tlog_reader *r, uint64_t lo, uint64_t hi,
                    tlog_hash *out, osafe_err *e);

/* Root hash of the tree of the first size entries. */
OSAFE_MUST_USE int tlog_tree_hash(const tlog_reader *r, uint64_t size, tlog_hash *out,
                   osafe_err *e);

/* Audit path of entry index in the tree of size entries, leaf side first. */
OSAFE_MUST_USE int tlog_prove_inclusion(const tlog_reader *r, uint64_t index, uint64_t size,
                         tlog_hash proof[TLOG_PROOF_MAX], size_t *nproof,
                         osafe_err *e);

/* Proof that the tree of size1 entries is a prefix of the one of size2. */
OSAFE_MUST_USE int tlog_prove_consistency(const tlog_reader *r, uint64_t size1,
                           uint64_t size2, tlog_hash proof[TLOG_PROOF_MAX],
                           size_t *nproof, osafe_err *e);

/* 0 if proof shows leaf at index in the tree (size, root); else EVERIFY. */
OSAFE_MUST_USE int tlog_verify_inclusion(uint64_t index, uint64_t size, const tlog_hash *leaf,
                          const tlog_hash *proof, size_t nproof,
                          const tlog_hash *root, osafe_err *e);

/* 0 if proof links (size1, root1) to (size2, root2); else EVERIFY. */
OSAFE_MUST_USE int tlog_verify_consistency(uint64_t size1, uint64_t size2,
                            const tlog_hash *root1, const tlog_hash *root2,
                            const tlog_hash *proof, size_t nproof,
                            osafe_err *e);

/*
 * An in-memory tree: every complete-subtree hash, level by level (about two
 * hashes per entry).  Used by tests, benchmarks and the auditor's cross
 * checks; the log itself reads its tiles instead.
 */
typedef struct tlog_memtree {
    tlog_hash *level[64];
    uint64_t count[64];
    uint64_t cap[64];
    uint64_t size;
} tlog_memtree;

void tlog_memtree_init(tlog_memtree *t);
void tlog_memtree_release(tlog_memtree *t);
OSAFE_MUST_USE int tlog_memtree_append(tlog_memtree *t, const tlog_hash *leaf);
tlog_reader tlog_memtree_reader(tlog_memtree *t);

#endif
