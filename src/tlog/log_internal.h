/*
 * log_internal.h - the log handle, shared by log.c (open, read), log_write.c
 * (init, append) and log_verify.c.  Not part of the public API.
 */
#ifndef OSAFE_TLOG_LOG_INTERNAL_H
#define OSAFE_TLOG_LOG_INTERNAL_H

#include "tlog/log.h"

#define TLOG_CONFIG_NAME ".osafe-log"
#define CONFIG_MAX 8192

/*
 * A tile read from disk, with the tree levels inside it (tree levels 8L+1 ..
 * 8L+8 are not stored in tiles) computed once, when first asked for: a proof
 * needs up to 255 interior hashes of a tile, and upper tiles are shared by
 * every proof, so keeping them turns most of a proof into lookups.
 */
#define TLOG_CACHE_SLOTS 16 /* per tile level; direct-mapped by index */
struct tile_cache {
    int valid;
    int inner;  /* levels[1..8] computed */
    uint64_t index;
    unsigned width;
    tlog_hash h[2 * OSAFE_TILE_WIDTH - 1]; /* level 0, then 1, 2, ... 8 */
};

struct tlog_log {
    char *dir;
    int mode;
    int lockfd;
    int broken; /* a failed append left memory ahead of the disk */
    tlog_signer signer;
    tlog_checkpoint head;
    osafe_buf note;
    tlog_edge edge;      /* writers only */
    osafe_buf bundle;    /* writers only: the partial entry bundle */
    struct tile_cache *cache[OSAFE_TILE_LEVELS_MAX]; /* TLOG_CACHE_SLOTS each, lazily */
};

/* One file of a batch, written in step 2. */
struct pending {
    char path[TLOG_TILE_PATH_MAX];
    char *data;
    size_t len;
    int full; /* a full tile: its partial siblings can go afterwards */
};

struct batch {
    struct pending *p;
    size_t n, cap;
};

/* .lock (flock, non-blocking): OSAFE_ELOCKED while another process
 * holds it; dropped by tlog__log_drop_lock or close. */
int tlog__log_take_lock(tlog_log *log, osafe_err *e);
void tlog__log_drop_lock(tlog_log *log);
/* *changed: the checkpoint on disk is not the one in memory. */
int tlog__log_disk_changed(tlog_log *log, int *changed, osafe_err *e);

/* Forget cached tiles (their widths change when the log grows). */
void tlog__log_drop_cache(tlog_log *log);

#endif
