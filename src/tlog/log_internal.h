/*
 * log_internal.h - the log handle, shared by log.c (open, read), log_write.c
 * (init, append) and log_verify.c.  Not part of the public API.
 */
#ifndef OSAFE_TLOG_LOG_INTERNAL_H
#define OSAFE_TLOG_LOG_INTERNAL_H

#include "tlog/log.h"

#define TLOG_CONFIG_NAME ".osafe-log"
#define CONFIG_MAX 8192

struct tile_cache {
    int valid;
    uint64_t index;
    unsigned width;
    tlog_hash h[OSAFE_TILE_WIDTH];
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
    struct tile_cache cache[OSAFE_TILE_LEVELS_MAX];
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

#endif
