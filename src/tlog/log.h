/*
 * log.h - a C2SP tlog-tiles transparency log in a directory.
 *
 * Layout of DIR (any static file server can publish it as is):
 *   checkpoint                    the latest signed checkpoint
 *   tile/<L>/<N>[.p/<W>]          hash tiles
 *   tile/entries/<N>[.p/<W>]      entry bundles
 *   .osafe-log                    origin, signing-key path, verifier key
 *   .lock                         held (flock) by the one writer
 *
 * Durability: tlog_log_append returns only after the batch's bundles and
 * tiles are fsynced and a new signed checkpoint has atomically replaced the
 * old one.  Files beyond the checkpoint's size (left by a killed writer)
 * are ignored and overwritten by the next append, so a crash at any instant
 * leaves a log that opens, verifies, and holds every acknowledged entry.
 *
 * Readers need no lock: they read the checkpoint first, then only tiles that
 * checkpoint implies (falling back to the full tile when the writer has
 * since replaced a partial one).
 *
 * Ownership: tlog_log_open returns a handle the caller frees with
 * tlog_log_close; pointers returned by accessors live as long as the handle
 * (and until its next append).
 */
#ifndef OSAFE_TLOG_LOG_H
#define OSAFE_TLOG_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/status.h"
#include "tlog/checkpoint.h"
#include "tlog/merkle.h"
#include "tlog/note.h"
#include "tlog/tile.h"

typedef struct tlog_log tlog_log;

#define TLOG_OPEN_READ 0
#define TLOG_OPEN_WRITE 1
/* A writer among several processes that take turns appending to one
 * directory (shared storage) under a lock of their own, a database's:
 * .lock is held only during each append, and tlog_log_sync picks up what
 * the others appended before this one appends in its turn. */
#define TLOG_OPEN_SHARED 2

/*
 * Create a new, empty log in dir (created if missing; refused if it already
 * holds a log).  The key's name must equal origin (C2SP convention).  The
 * key's path is remembered (made absolute) for later appends.
 */
OSAFE_MUST_USE int tlog_log_init(const char *dir, const char *origin, const char *key_path,
                  osafe_err *e);

/*
 * Open the log in dir.  TLOG_OPEN_WRITE takes the writer lock (failing with
 * OSAFE_ELOCKED if another process holds it), loads the signing key (from
 * key_path, or the one recorded at init when key_path is NULL), checks the
 * checkpoint's signature and that the partial tiles and bundle reproduce its
 * root, so that a damaged log is never extended.
 */
OSAFE_MUST_USE int tlog_log_open(const char *dir, int mode, const char *key_path,
                  tlog_log **out, osafe_err *e);
void tlog_log_close(tlog_log *log);

/* Re-read the checkpoint (readers following a live writer; a shared
 * writer syncs as below). */
OSAFE_MUST_USE int tlog_log_refresh(tlog_log *log, osafe_err *e);

/* TLOG_OPEN_SHARED: if the checkpoint on disk is no longer the one in
 * memory (another process appended), check its signature and reload the
 * edge from the partial tiles, so that the next append follows it.  A
 * no-op for the other modes.  On failure the handle refuses appends. */
OSAFE_MUST_USE int tlog_log_sync(tlog_log *log, osafe_err *e);

const tlog_checkpoint *tlog_log_head(const tlog_log *log);
/* The signed checkpoint note, exactly as on disk. */
const char *tlog_log_checkpoint_note(const tlog_log *log, size_t *len);
const char *tlog_log_dir(const tlog_log *log);
/* Append the verifier key of a log opened for writing (the public half of
 * its signer, "name+id+base64") to out; OSAFE_ESTATE for a reader. */
OSAFE_MUST_USE int tlog_log_vkey(const tlog_log *log, osafe_buf *out, osafe_err *e);

/*
 * Append n entries as one batch (see Durability above).  *first receives the
 * index of entries[0]; the others follow in order.  On failure nothing is
 * acknowledged and the handle refuses further appends (reopen the log).
 */
OSAFE_MUST_USE int tlog_log_append(tlog_log *log, const tlog_entry *entries, size_t n,
                    uint64_t *first, osafe_err *e);

/* Copy entry `index` (< current size) into out (replacing its content). */
OSAFE_MUST_USE int tlog_log_read_entry(tlog_log *log, uint64_t index, osafe_buf *out,
                        osafe_err *e);

/* Hash reader over the log's tiles (for tlog_prove_*), valid for the
 * current checkpoint's size and any smaller one. */
tlog_reader tlog_log_reader(tlog_log *log);

/*
 * Load a tile or bundle file: exactly `width` hashes (or entries) of tile
 * (level, index).  If the partial file is gone, the full tile's prefix is
 * used (tlog-tiles allows deleting partial tiles once the full one exists).
 * *data is malloc'd (caller frees).
 */
OSAFE_MUST_USE int tlog_read_tile_file(const char *dir, int level, uint64_t index,
                        unsigned width, uint8_t **data, size_t *len,
                        int allow_full, osafe_err *e);

typedef struct tlog_audit_stats {
    uint64_t size;      /* entries checked */
    uint64_t tiles;     /* hash tiles checked */
    uint64_t bundles;   /* entry bundles read */
    uint64_t bytes;     /* entry bytes hashed */
} tlog_audit_stats;

/*
 * Audit the log in dir against verifier v: the checkpoint's signature, every
 * entry bundle, every hash tile (full and partial) recomputed from the
 * entries, and the root.  Read only.  On failure the message names the first
 * inconsistency (the file and the hash or entry index).
 */
OSAFE_MUST_USE int tlog_log_audit(const char *dir, const tlog_verifier *v,
                   tlog_audit_stats *st, osafe_err *e);

#endif
