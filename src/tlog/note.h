/*
 * note.h - C2SP signed notes with Ed25519 keys (c2sp.org/signed-note).
 *
 * Key texts (the forms Go's golang.org/x/mod/sumdb/note uses):
 *   verifier: <name>+<8 hex key id>+<base64(0x01 || 32-byte public key)>
 *   signer:   PRIVATE+KEY+<name>+<8 hex key id>+<base64(0x01 || 32-byte seed)>
 * The key id is the first 4 bytes of SHA-256(name || "\n" || 0x01 || pubkey).
 *
 * A note is text ending in "\n", an empty line, then signature lines
 * "— <name> <base64(4-byte key id || signature)>\n" (U+2014 EM DASH).
 * tlog_note_open follows Go's rules: signatures from unknown (name, id) are
 * ignored, a known key whose signature fails rejects the note, and at least
 * one known key must verify.
 *
 * tlog_signer holds a secret: wipe it with tlog_signer_wipe.
 */
#ifndef OSAFE_TLOG_NOTE_H
#define OSAFE_TLOG_NOTE_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/limits.h"
#include "core/status.h"

#define TLOG_SIG_ED25519 0x01

typedef struct tlog_verifier {
    char name[OSAFE_KEY_NAME_MAX + 1];
    uint32_t id;
    uint8_t type;
    uint8_t pk[32];
} tlog_verifier;

typedef struct tlog_signer {
    tlog_verifier v;
    uint8_t sk[64]; /* libsodium's seed || public key */
} tlog_signer;

/* 1 if name is a valid key name: non-empty, UTF-8, no whitespace, no '+'. */
int tlog_key_name_valid(const char *name, size_t len);

uint32_t tlog_key_id(const char *name, uint8_t type, const uint8_t *pk,
                     size_t pklen);

OSAFE_MUST_USE int tlog_signer_generate(const char *name, tlog_signer *s, osafe_err *e);
/* Parse a PRIVATE+KEY+... text; trailing "\n" allowed. */
OSAFE_MUST_USE int tlog_signer_parse(const char *text, size_t len, tlog_signer *s,
                      osafe_err *e);
/* Load and parse a key file (refuses files readable by group or others). */
OSAFE_MUST_USE int tlog_signer_load(const char *path, tlog_signer *s, osafe_err *e);
OSAFE_MUST_USE int tlog_signer_format(const tlog_signer *s, osafe_buf *out);
void tlog_signer_wipe(tlog_signer *s);

OSAFE_MUST_USE int tlog_verifier_parse(const char *text, size_t len, tlog_verifier *v,
                        osafe_err *e);
OSAFE_MUST_USE int tlog_verifier_load(const char *path, tlog_verifier *v, osafe_err *e);
OSAFE_MUST_USE int tlog_verifier_format(const tlog_verifier *v, osafe_buf *out);

/* Append text, the separator and one signature line to out. */
OSAFE_MUST_USE int tlog_note_sign(const char *text, size_t len, const tlog_signer *s,
                   osafe_buf *out, osafe_err *e);

typedef struct tlog_note {
    size_t text_len;     /* note[0..text_len) is the signed text */
    size_t nsigs;        /* signature lines seen */
    size_t nverified;    /* of which verified by a known key */
    uint64_t verified;   /* bit i set: verifiers[i] verified (i < 64) */
} tlog_note;

OSAFE_MUST_USE int tlog_note_open(const char *note, size_t len,
                   const tlog_verifier *verifiers, size_t nverifiers,
                   tlog_note *out, osafe_err *e);

#endif
