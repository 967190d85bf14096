/*
 * proof.h - proofs as documents, and the client-side checks that need
 * nothing but a verifier key, a signed checkpoint, a proof and an entry.
 *
 * JSON (hashes in standard base64):
 *   inclusion:   {"type":"inclusion","index":N,"tree_size":S,
 *                 "leaf_hash":B64,"root_hash":B64,"hashes":[B64...]}
 *   consistency: {"type":"consistency","old_size":M,"new_size":N,
 *                 "old_root":B64,"new_root":B64,"hashes":[B64...]}
 * leaf_hash and the roots are informative: the checks recompute them from
 * the entry and take roots only from signed checkpoints.
 *
 * Text: the c2sp.org/tlog-proof@v1 offline receipt
 *   c2sp.org/tlog-proof@v1\n[extra <b64>\n]index <N>\n<b64 hash>\n...\n\n
 *   <signed checkpoint>
 */
#ifndef OSAFE_TLOG_PROOF_H
#define OSAFE_TLOG_PROOF_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/status.h"
#include "tlog/checkpoint.h"
#include "tlog/merkle.h"
#include "tlog/note.h"

enum { TLOG_PROOF_INCLUSION = 1, TLOG_PROOF_CONSISTENCY = 2 };

typedef struct tlog_proof {
    int type;
    uint64_t index, size;   /* inclusion: entry index, tree size */
    uint64_t old_size;      /* consistency: old size (size is the new one) */
    tlog_hash h[TLOG_PROOF_MAX];
    size_t n;
    /* tlog-proof text only: where the embedded checkpoint starts */
    const char *note;
    size_t note_len;
} tlog_proof;

OSAFE_MUST_USE int tlog_inclusion_json(uint64_t index, uint64_t size, const tlog_hash *leaf,
                        const tlog_hash *root, const tlog_hash *proof,
                        size_t n, osafe_buf *out);
OSAFE_MUST_USE int tlog_consistency_json(uint64_t old_size, uint64_t new_size,
                          const tlog_hash *old_root, const tlog_hash *new_root,
                          const tlog_hash *proof, size_t n, osafe_buf *out);
OSAFE_MUST_USE int tlog_proof_text(uint64_t index, const tlog_hash *proof, size_t n,
                    const char *note, size_t note_len, osafe_buf *out);

/*
 * Parse either form (told apart by the first byte).  For the text form,
 * p->note points into text (borrowed, lives as long as text).
 */
OSAFE_MUST_USE int tlog_proof_parse(const char *text, size_t len, tlog_proof *p,
                     osafe_err *e);

/*
 * Check that leaf is in the log whose signed checkpoint is note, per the
 * inclusion proof p.  On success *c holds the checkpoint.
 */
OSAFE_MUST_USE int tlog_check_inclusion(const char *note, size_t note_len,
                         const tlog_verifier *v, const tlog_proof *p,
                         const tlog_hash *leaf, tlog_checkpoint *c,
                         osafe_err *e);

/* Check that the old checkpoint is a prefix of the new one, per p. */
OSAFE_MUST_USE int tlog_check_consistency(const char *old_note, size_t old_len,
                           const char *new_note, size_t new_len,
                           const tlog_verifier *v, const tlog_proof *p,
                           osafe_err *e);

#endif
