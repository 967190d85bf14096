/*
 * cosig.h - C2SP tlog-cosignature, Ed25519 "cosignature/v1" (type 0x04):
 * a witness's signature line on a checkpoint.
 *
 *   key ID    = SHA-256(name || "\n" || 0x04 || 32-byte public key)[:4]
 *   message   = "cosignature/v1\n" "time <decimal seconds>\n" <checkpoint
 *               body, every line, final newline included>
 *   line      = "— <name> base64(key ID || u64 BE time || signature)\n"
 *
 * The witness's key is an ordinary tlog_signer (note.h); its type-0x01 key
 * ID is not used here.
 */
#ifndef OSAFE_TLOG_COSIG_H
#define OSAFE_TLOG_COSIG_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/status.h"
#include "tlog/note.h"

#define TLOG_SIG_COSIGNATURE_V1 0x04

uint32_t tlog_cosig_key_id(const tlog_verifier *v);

/* Append the cosignature line of checkpoint body[0..len) at time ts. */
OSAFE_MUST_USE int tlog_cosig_sign(const char *body, size_t len,
                                   const tlog_signer *s, uint64_t ts,
                                   osafe_buf *line, osafe_err *e);

/* 0 if line (one signature line, its newline optional) is a valid
 * cosignature by v of body; *ts receives its time.  EVERIFY otherwise. */
OSAFE_MUST_USE int tlog_cosig_verify(const char *body, size_t len,
                                     const char *line, size_t line_len,
                                     const tlog_verifier *v, uint64_t *ts,
                                     osafe_err *e);


/* What a policy check saw of one witness key. */
typedef struct tlog_cosig_seen {
    int ok;        /* 1: a valid cosignature by this key is on the note */
    uint64_t time; /* its timestamp (the first valid one) */
} tlog_cosig_seen;

/*
 * The witness policy "at least quorum of these n keys" (cosigned.c): the
 * signature lines of note (a signed checkpoint whose log signature the
 * caller has verified; text_len from tlog_note_open) must hold a valid
 * cosignature/v1 of its text by at least quorum distinct keys of w, each
 * stamped no later than now + OSAFE_COSIG_FUTURE_SKEW_S.  A line of an
 * unknown key is ignored; a line claiming a key of w that does not verify
 * does not count.  seen (n entries, or NULL) says which keys verified.
 * 0 if the quorum holds; OSAFE_EVERIFY naming how many verified and the
 * witnesses missing; OSAFE_EINVAL if quorum is 0 or more than n.
 */
OSAFE_MUST_USE int tlog_cosig_quorum(const char *note, size_t len,
                                     size_t text_len, const tlog_verifier *w,
                                     size_t n, size_t quorum, uint64_t now,
                                     tlog_cosig_seen *seen, osafe_err *e);

/*
 * The log's checkpoint with its witnesses' cosignatures (cosigned.c).  The
 * collector (federation/witness_collect.c) writes DIR/checkpoint.cosigned:
 * the checkpoint note exactly as in DIR/checkpoint followed by one
 * cosignature line per witness that cosigned it (each verified first).
 * tlog_cosigned_read gives what /log/checkpoint serves: that file when it
 * begins with the current checkpoint byte for byte, else the bare
 * checkpoint (a new checkpoint is served at once; its cosignatures follow
 * as witnesses answer).  *out is malloc'd, NUL-terminated; the caller
 * frees it.
 */
#define TLOG_COSIGNED_FILE "checkpoint.cosigned"
OSAFE_MUST_USE int tlog_cosigned_read(const char *dir, char **out,
                                      size_t *len, osafe_err *e);

#endif
