/*
 * checkpoint.h - C2SP tlog-checkpoint bodies (c2sp.org/tlog-checkpoint).
 *
 *   <origin>\n
 *   <tree size, decimal, no leading zeros>\n
 *   <base64 of the 32-byte root hash>\n
 *   [<extension line>\n]...
 *
 * A checkpoint is this body signed as a note (note.h).
 */
#ifndef OSAFE_TLOG_CHECKPOINT_H
#define OSAFE_TLOG_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/limits.h"
#include "core/status.h"
#include "tlog/merkle.h"
#include "tlog/note.h"

typedef struct tlog_checkpoint {
    char origin[OSAFE_KEY_NAME_MAX + 1];
    uint64_t size;
    tlog_hash root;
    size_t next; /* number of extension lines */
} tlog_checkpoint;

/* Parse a body (the signed text of a note, ending in "\n"). */
OSAFE_MUST_USE int tlog_checkpoint_parse(const char *body, size_t len, tlog_checkpoint *c,
                          osafe_err *e);

/* Append the three-line body (we write no extension lines). */
OSAFE_MUST_USE int tlog_checkpoint_format(const tlog_checkpoint *c, osafe_buf *out);

/*
 * Open a signed checkpoint: verify the note with v, then parse its body.
 * The origin must equal the verifier's key name (the C2SP convention our
 * logs follow, and what witnesses check).
 */
OSAFE_MUST_USE int tlog_checkpoint_open(const char *note, size_t len, const tlog_verifier *v,
                         tlog_checkpoint *c, osafe_err *e);

/* Parse a decimal uint64 with no sign, no leading zeros and no overflow. */
int tlog_parse_u64(const char *s, size_t n, uint64_t *out);

#endif
