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

#endif
