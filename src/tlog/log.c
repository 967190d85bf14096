/*
 * log.c - the writer and reader of a tiled log directory (see log.h).
 *
 * An append runs in three steps, in this order, and only the last one makes
 * the batch visible:
 *   1. compute the new right edge in memory, collecting every file to write
 *      (full bundles and tiles that filled up, the new partial ones);
 *   2. write each file to a temporary name, fdatasync, rename; then fsync
 *      every directory touched;
 *   3. sign the new checkpoint and atomically replace DIR/checkpoint.
 * A crash before 3 leaves the old checkpoint, whose files were never
 * touched (partial tiles of a new width get new names; full tiles are
 * written only once their content is final).
 */
#include "tlog/log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fsx.h"
#include "core/limits.h"

#include "tlog/log_internal.h"

static void join(char *out, size_t n, const char *dir, const char *rel)
{
    snprintf(out, n, "%s/%s", dir, rel);
}

/* ---- configuration ------------------------------------------------------ */

struct config {
    char origin[OSAFE_KEY_NAME_MAX + 1];
    char key[OSAFE_PATH_MAX];
    char vkey[OSAFE_KEYFILE_MAX];
};

static int config_value(const char *text, const char *key, char *out,
                        size_t n)
{
    size_t kl = strlen(key);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : p) {
        if (!strncmp(p, key, kl) && p[kl] == ' ') {
            const char *v = p + kl + 1, *end = strchr(v, '\n');
            size_t vl = end ? (size_t)(end - v) : strlen(v);
            if (vl == 0 || vl >= n)
                return -1;
            memcpy(out, v, vl);
            out[vl] = '\0';
            return 0;
        }
    }
    return -1;
}

static int config_read(const char *dir, struct config *c, osafe_err *e)
{
    char path[OSAFE_PATH_MAX], *text;
    size_t len;
    join(path, sizeof path, dir, TLOG_CONFIG_NAME);
    int rc = fsx_read_file(path, CONFIG_MAX, &text, &len, e);
    if (rc == OSAFE_ENOTFOUND)
        return osafe_errf(e, OSAFE_ENOTFOUND,
                          "%s is not an osafe log (no %s; run `osafe log "
                          "init`)",
                          dir, TLOG_CONFIG_NAME);
    if (rc)
        return rc;
    rc = 0;
    if (config_value(text, "origin", c->origin, sizeof c->origin) ||
        config_value(text, "key", c->key, sizeof c->key) ||
        config_value(text, "vkey", c->vkey, sizeof c->vkey))
        rc = osafe_errf(e, OSAFE_ECORRUPT, "%s: malformed", path);
    free(text);
    return rc;
}

/* ---- tiles on disk ------------------------------------------------------ */

int tlog_read_tile_file(const char *dir, int level, uint64_t index,
                        unsigned width, uint8_t **data, size_t *len,
                        int allow_full, osafe_err *e)
{
    char rel[TLOG_TILE_PATH_MAX], path[OSAFE_PATH_MAX];
    char *buf;
    size_t n;
    *data = NULL;
    *len = 0;
    tlog_tile_path(rel, level, index, width == OSAFE_TILE_WIDTH ? 0 : width);
    join(path, sizeof path, dir, rel);
    size_t max = level == TLOG_TILE_ENTRIES
                     ? (size_t)OSAFE_TILE_WIDTH * (2 + OSAFE_LOG_ENTRY_MAX)
                     : TLOG_TILE_BYTES;
    int rc = fsx_read_file(path, max, &buf, &n, e);
    char partial[TLOG_TILE_PATH_MAX] = "";
    if (rc == OSAFE_ENOTFOUND && width < OSAFE_TILE_WIDTH && allow_full) {
        memcpy(partial, rel, sizeof partial);
        tlog_tile_path(rel, level, index, 0);
        join(path, sizeof path, dir, rel);
        rc = fsx_read_file(path, max, &buf, &n, e);
        if (rc == 0 && level != TLOG_TILE_ENTRIES) {
            n = n >= (size_t)width * 32 ? (size_t)width * 32 : n + 1;
        } else if (rc == 0) {
            /* Keep the prefix of the full bundle that the partial held. */
            tlog_entry ents[OSAFE_TILE_WIDTH];
            if ((rc = tlog_bundle_split((uint8_t *)buf, n, OSAFE_TILE_WIDTH,
                                        ents, e))) {
                free(buf);
                return osafe_errprefix(e, "%s: ", rel);
            }
            n = (size_t)((const char *)ents[width - 1].data - buf) +
                ents[width - 1].len;
        }
    }
    if (rc == OSAFE_ENOTFOUND && partial[0])
        return osafe_errf(e, OSAFE_ECORRUPT,
                          "%s: missing (and no full tile %s either)", partial,
                          rel);
    if (rc == OSAFE_ENOTFOUND)
        return osafe_errf(e, OSAFE_ECORRUPT, "%s: missing", rel);
    if (rc)
        return rc;
    if (level != TLOG_TILE_ENTRIES && n != (size_t)width * 32) {
        free(buf);
        return osafe_errf(e, OSAFE_ECORRUPT,
                          "%s: %zu bytes, expected %u hashes (%u bytes)", rel,
                          n, width, width * 32);
    }
    *data = (uint8_t *)buf;
    *len = n;
    return 0;
}

/* Hash of node (level, index) from the edge, the cache or the tiles. */
static int log_read_node(void *ctx, int level, uint64_t index, tlog_hash *out,
                         osafe_err *e)
{
    tlog_log *log = ctx;
    if (log->mode != TLOG_OPEN_READ && !log->broken &&
        tlog_edge_node(&log->edge, level, index, out))
        return 0;
    int L = level / OSAFE_TILE_HEIGHT, r = level % OSAFE_TILE_HEIGHT;
    if (L >= OSAFE_TILE_LEVELS_MAX)
        return osafe_errf(e, OSAFE_EINVAL, "no tile level %d", L);
    uint64_t first = index << r, t = first >> 8;
    unsigned off = (unsigned)(first & 255), count = 1u << r;
    unsigned width = tlog_tile_width(L, t, log->head.size);
    if (off + count > width)
        return osafe_errf(e, OSAFE_EINVAL,
                          "node %d/%llu is not complete at size %llu", level,
                          (unsigned long long)index,
                          (unsigned long long)log->head.size);
    if (!log->cache[L] &&
        !(log->cache[L] = calloc(TLOG_CACHE_SLOTS, sizeof(struct tile_cache))))
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    struct tile_cache *c = &log->cache[L][t % TLOG_CACHE_SLOTS];
    if (!c->valid || c->index != t || c->width != width) {
        uint8_t *data;
        size_t len;
        c->valid = c->inner = 0;
        int rc = tlog_read_tile_file(log->dir, L, t, width, &data, &len, 1, e);
        if (rc)
            return rc;
        memcpy(c->h, data, len);
        free(data);
        c->valid = 1;
        c->index = t;
        c->width = width;
    }
    if (r == 0) {
        *out = c->h[off];
        return 0;
    }
    if (!c->inner) {
        /* Level k starts at 512 - (512 >> k) in h[]. */
        for (int k = 1; k <= OSAFE_TILE_HEIGHT; k++) {
            tlog_hash *below = c->h + 512 - (512 >> (k - 1));
            tlog_hash *here = c->h + 512 - (512 >> k);
            for (unsigned i = 0; i < (width >> k); i++)
                tlog_node_hash(&here[i], &below[2 * i], &below[2 * i + 1]);
        }
        c->inner = 1;
    }
    *out = c->h[512 - (512 >> r) + (off >> r)];
    return 0;
}

void tlog__log_drop_cache(tlog_log *log)
{
    for (int L = 0; L < OSAFE_TILE_LEVELS_MAX; L++)
        if (log->cache[L])
            for (int i = 0; i < TLOG_CACHE_SLOTS; i++)
                log->cache[L][i].valid = 0;
}

tlog_reader tlog_log_reader(tlog_log *log)
{
    tlog_reader r = {log_read_node, log};
    return r;
}

/* ---- open / close ------------------------------------------------------- */

static int read_checkpoint(tlog_log *log, const tlog_verifier *v, osafe_err *e)
{
    char path[OSAFE_PATH_MAX], *text;
    size_t len;
    join(path, sizeof path, log->dir, "checkpoint");
    int rc = fsx_read_file(path, OSAFE_NOTE_MAX, &text, &len, e);
    if (rc)
        return rc;
    tlog_note n;
    if (v)
        rc = tlog_checkpoint_open(text, len, v, &log->head, e);
    else if ((rc = tlog_note_open(text, len, NULL, 0, &n, e)) ==
             OSAFE_EVERIFY)
        /* No key to check with: only the shape of the note matters here. */
        rc = tlog_checkpoint_parse(text, n.text_len, &log->head, e);
    if (rc) {
        free(text);
        return osafe_errprefix(e, "%s: ", path);
    }
    buf_release(&log->note);
    log->note.data = text;
    log->note.len = len;
    log->note.cap = len + 1;
    tlog__log_drop_cache(log);
    return 0;
}

int tlog__log_take_lock(tlog_log *log, osafe_err *e)
{
    char path[OSAFE_PATH_MAX];
    join(path, sizeof path, log->dir, ".lock");
    log->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (log->lockfd < 0)
        return osafe_errno(e, OSAFE_EIO, errno, "%s", path);
    if (flock(log->lockfd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK)
            return osafe_errf(e, OSAFE_ELOCKED,
                              "log %s is locked by another writer (%s); "
                              "only one process may append at a time",
                              log->dir, path);
        return osafe_errno(e, OSAFE_EIO, errno, "lock %s", path);
    }
    return 0;
}

/* Rebuild the in-memory edge from the partial tiles and bundle, and check
 * that they reproduce the signed root. */
static int load_edge(tlog_log *log, osafe_err *e)
{
    uint64_t size = log->head.size;
    tlog_edge *edge = &log->edge;
    tlog_edge_init(edge);
    edge->size = size;
    for (int L = 0; L < OSAFE_TILE_LEVELS_MAX; L++) {
        int shift = OSAFE_TILE_HEIGHT * L;
        edge->n[L] = shift >= 64 ? 0 : (unsigned)((size >> shift) & 255);
        if (!edge->n[L])
            continue;
        uint8_t *data;
        size_t len;
        int rc = tlog_read_tile_file(log->dir, L, tlog_edge_tile_index(edge, L),
                                     edge->n[L], &data, &len, 1, e);
        if (rc)
            return rc;
        memcpy(edge->h[L], data, len);
        free(data);
    }
    unsigned nb = edge->n[0];
    if (nb) {
        uint8_t *data;
        size_t len;
        tlog_entry ents[OSAFE_TILE_WIDTH];
        uint64_t b = tlog_edge_tile_index(edge, 0);
        int rc = tlog_read_tile_file(log->dir, TLOG_TILE_ENTRIES, b, nb, &data,
                                     &len, 0, e);
        if (rc)
            return rc;
        if ((rc = tlog_bundle_split(data, len, nb, ents, e))) {
            char rel[TLOG_TILE_PATH_MAX];
            tlog_tile_path(rel, TLOG_TILE_ENTRIES, b, nb);
            free(data);
            return osafe_errprefix(e, "%s: ", rel);
        }
        for (unsigned i = 0; i < nb; i++) {
            tlog_hash h;
            tlog_leaf_hash(&h, ents[i].data, ents[i].len);
            if (!tlog_hash_eq(&h, &edge->h[0][i])) {
                free(data);
                return osafe_errf(e, OSAFE_ECORRUPT,
                                  "entry %llu does not match its hash in the "
                                  "level-0 tile",
                                  (unsigned long long)(b * 256 + i));
            }
        }
        buf_reset(&log->bundle);
        rc = buf_append(&log->bundle, data, len);
        free(data);
        if (rc)
            return osafe_errf(e, rc, "out of memory");
    }
    tlog_hash root;
    tlog_edge_root(edge, &root);
    if (!tlog_hash_eq(&root, &log->head.root))
        return osafe_errf(e, OSAFE_ECORRUPT,
                          "the partial tiles do not reproduce the "
                          "checkpoint's root hash (size %llu); run `osafe "
                          "log verify`",
                          (unsigned long long)size);
    return 0;
}

int tlog_log_open(const char *dir, int mode, const char *key_path,
                  tlog_log **out, osafe_err *e)
{
    *out = NULL;
    tlog_log *log = calloc(1, sizeof *log);
    if (!log || !(log->dir = strdup(dir))) {
        free(log);
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    }
    log->mode = mode;
    log->lockfd = -1;
    buf_init(&log->note, OSAFE_NOTE_MAX);
    buf_init(&log->bundle, 0);
    struct config cfg;
    int rc = config_read(dir, &cfg, e);
    if (!rc && (mode == TLOG_OPEN_WRITE || mode == TLOG_OPEN_SHARED)) {
        tlog_verifier v;
        /* shared: .lock is taken by each append (another process may be
         * appending now, which must not fail this open) */
        if (mode == TLOG_OPEN_WRITE)
            rc = tlog__log_take_lock(log, e);
        if (!rc &&
            !(rc = tlog_signer_load(key_path ? key_path : cfg.key,
                                    &log->signer, e)) &&
            !(rc = tlog_verifier_parse(cfg.vkey, strlen(cfg.vkey), &v, e))) {
            if (v.id != log->signer.v.id ||
                memcmp(v.pk, log->signer.v.pk, 32) != 0)
                rc = osafe_errf(e, OSAFE_EINVAL,
                                "%s: not the key of log %s (its key is %s)",
                                key_path ? key_path : cfg.key, dir, cfg.vkey);
        }
        if (!rc && mode == TLOG_OPEN_SHARED)
            rc = tlog_log_sync(log, e);
        else if (!rc)
            rc = read_checkpoint(log, &log->signer.v, e);
        if (!rc && mode == TLOG_OPEN_WRITE)
            rc = load_edge(log, e);
    } else if (!rc) {
        rc = read_checkpoint(log, NULL, e);
    }
    if (rc) {
        tlog_log_close(log);
        return rc;
    }
    *out = log;
    return 0;
}

void tlog_log_close(tlog_log *log)
{
    if (!log)
        return;
    tlog__log_drop_lock(log);
    tlog_signer_wipe(&log->signer);
    for (int i = 0; i < OSAFE_TILE_LEVELS_MAX; i++)
        free(log->cache[i]);
    buf_release(&log->note);
    buf_release(&log->bundle);
    free(log->dir);
    free(log);
}

void tlog__log_drop_lock(tlog_log *log)
{
    if (log->lockfd >= 0)
        close(log->lockfd); /* releases the flock */
    log->lockfd = -1;
}

int tlog__log_disk_changed(tlog_log *log, int *changed, osafe_err *e)
{
    char path[OSAFE_PATH_MAX], *text;
    size_t len;
    join(path, sizeof path, log->dir, "checkpoint");
    int rc = fsx_read_file(path, OSAFE_NOTE_MAX, &text, &len, e);
    if (rc)
        return rc;
    *changed = len != log->note.len || memcmp(text, log->note.data, len);
    free(text);
    return 0;
}

int tlog_log_sync(tlog_log *log, osafe_err *e)
{
    if (log->mode != TLOG_OPEN_SHARED)
        return 0; /* a lone writer's view is always current */
    int rc = 0;
    /* Twice: an append by another process may remove the partial tiles
     * of the checkpoint just read (a tile filled up); its own checkpoint,
     * read next, names the files that replace them. */
    for (int tries = 0; tries < 2; tries++) {
        int changed = 0;
        rc = tlog__log_disk_changed(log, &changed, e);
        if (rc || (!changed && !log->broken))
            return rc;
        /* Another process appended: its checkpoint must be signed by the
         * log's key before anything is appended after it. */
        log->broken = 1;
        if (!(rc = read_checkpoint(log, &log->signer.v, e)) &&
            !(rc = load_edge(log, e))) {
            log->broken = 0;
            return 0;
        }
    }
    return rc;
}

int tlog_log_refresh(tlog_log *log, osafe_err *e)
{
    if (log->mode == TLOG_OPEN_WRITE)
        return 0; /* the writer's view is always current */
    if (log->mode == TLOG_OPEN_SHARED)
        return tlog_log_sync(log, e);
    return read_checkpoint(log, NULL, e);
}

const tlog_checkpoint *tlog_log_head(const tlog_log *log)
{
    return &log->head;
}

const char *tlog_log_checkpoint_note(const tlog_log *log, size_t *len)
{
    *len = log->note.len;
    return log->note.data;
}

int tlog_log_vkey(const tlog_log *log, osafe_buf *out, osafe_err *e)
{
    if (log->mode == TLOG_OPEN_READ)
        return osafe_errf(e, OSAFE_ESTATE, "log %s is open for reading: its "
                                           "key is not loaded",
                          log->dir);
    return tlog_verifier_format(&log->signer.v, out)
               ? osafe_errf(e, OSAFE_ENOMEM, "out of memory")
               : 0;
}

const char *tlog_log_dir(const tlog_log *log)
{
    return log->dir;
}
