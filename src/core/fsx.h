/*
 * fsx.h - file-system helpers with durability spelled out.
 *
 * fsx_write_atomic is the only way osafe replaces a file that readers may be
 * looking at: write a temporary file in the same directory, fsync it, rename
 * it over the target, fsync the directory.  A crash at any instant leaves
 * either the old file or the new one, never a mix.
 */
#ifndef OSAFE_CORE_FSX_H
#define OSAFE_CORE_FSX_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

/*
 * Read a whole file into a malloc'd buffer (NUL-terminated, not counted in
 * *len).  Files larger than max fail with OSAFE_ETOOBIG; a missing file with
 * OSAFE_ENOTFOUND.  The caller frees *out.
 */
OSAFE_MUST_USE int fsx_read_file(const char *path, size_t max, char **out, size_t *len,
                  osafe_err *e);

/*
 * Write data to path atomically and durably (see above).  mode is used for
 * the new file (0600 for secrets).  With sync_dir == 0 the directory fsync
 * is left to the caller, who batches several files in one directory.
 */
OSAFE_MUST_USE int fsx_write_atomic(const char *path, const void *data, size_t len, int mode,
                     int sync_dir, osafe_err *e);

/* One file of fsx_write_atomic_many; the caller owns path and data. */
typedef struct fsx_file {
    const char *path;
    const void *data;
    size_t len;
} fsx_file;

/*
 * Replace n files (distinct paths) at the cost of a few journal commits
 * instead of a few per file: every file is written to a temporary name,
 * all of them are flushed (writeback started for all before the first
 * fdatasync, OSAFE_FSX_MANY_OPEN_MAX at a time), and only then renamed.
 * A failure before the renames removes every temporary file and leaves
 * every target as it was.  A failure during the renames (the disk does
 * not refuse a rename in a directory it just wrote in, but a caller must
 * not assume it) leaves the files renamed so far replaced, each whole.
 * Directories are not fsynced: the caller fsyncs each distinct parent once
 * (and the parents of directories it created) before relying on the names.
 */
OSAFE_MUST_USE int fsx_write_atomic_many(const fsx_file *files, size_t n, int mode,
                          osafe_err *e);

/* Create a new file that must not exist yet (O_EXCL), durably. */
OSAFE_MUST_USE int fsx_write_new(const char *path, const void *data, size_t len, int mode,
                  osafe_err *e);

/* mkdir -p; missing directories are created with mode 0755. */
OSAFE_MUST_USE int fsx_mkdirs(const char *path, osafe_err *e);

/* fsync a directory (so that renames and creations in it are durable). */
OSAFE_MUST_USE int fsx_sync_dir(const char *path, osafe_err *e);

/* fsync the directory that contains path. */
OSAFE_MUST_USE int fsx_sync_parent(const char *path, osafe_err *e);

/* Remove a directory tree (used for superseded partial tiles). */
OSAFE_MUST_USE int fsx_remove_tree(const char *path, osafe_err *e);

/* 1 if path exists, 0 if not. */
int fsx_exists(const char *path);

/* dir "/" name (no second '/' when dir ends in one): malloc'd, freed by the
 * caller; NULL when out of memory. */
char *fsx_path_join(const char *dir, const char *name);

#endif
