/*
 * limits.h - every ceiling osafe enforces, in one place, each with its reason.
 *
 * Hostile or broken input must hit one of these before it can exhaust memory
 * or disk.  Change a value here, never a literal in the code.
 */
#ifndef OSAFE_CORE_LIMITS_H
#define OSAFE_CORE_LIMITS_H

/* The entry-bundle format stores each entry behind a 2-byte big-endian
 * length (c2sp.org/tlog-tiles), so no entry can be longer. */
#define OSAFE_LOG_ENTRY_MAX 65535

/* Entries of one `log append` call are one batch held in memory until it is
 * durable; 1 Mi entries of up to 64 KiB keeps a runaway pipe from taking the
 * machine (the bytes ceiling below bounds the product). */
#define OSAFE_LOG_BATCH_MAX_ENTRIES (1u << 20)
#define OSAFE_LOG_BATCH_MAX_BYTES (512u << 20)

/* A checkpoint is three short lines plus signatures; Go's note package
 * refuses more than 100 signatures, post-quantum ones are ~5 kB each. */
#define OSAFE_NOTE_MAX (1u << 20)
#define OSAFE_NOTE_MAX_SIGS 100

/* Key names: the spec requires non-empty; we cap them so that a key line
 * and a checkpoint origin stay readable. */
#define OSAFE_KEY_NAME_MAX 256

/* Key files and vkey files are one line. */
#define OSAFE_KEYFILE_MAX 4096

/* Tiles have height 8 (256 hashes) and the tree index is a uint64, so at
 * most 8 tile levels hold any tree (8 * 8 = 64 tree levels). */
#define OSAFE_TILE_HEIGHT 8
#define OSAFE_TILE_WIDTH 256
#define OSAFE_TILE_LEVELS_MAX 8

/* A proof JSON document carries at most 64 hashes of 44 base64 chars. */
#define OSAFE_PROOF_JSON_MAX (64u << 10)

/* Largest file read whole by a CLI command (an entry to check, a proof). */
#define OSAFE_FILE_READ_MAX (64u << 20)

#endif
