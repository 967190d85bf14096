/*
 * log_write.c - creating a log and appending batches (see log.c for the
 * order of writes that makes a crash harmless).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fsx.h"
#include "core/limits.h"
#include "tlog/log.h"
#include "tlog/log_internal.h"

int tlog_log_init(const char *dir, const char *origin, const char *key_path,
                  osafe_err *e)
{
    char path[OSAFE_PATH_MAX], abskey[OSAFE_PATH_MAX];
    tlog_signer s;
    int rc = tlog_signer_load(key_path, &s, e);
    if (rc)
        return rc;
    if (strcmp(s.v.name, origin) != 0) {
        rc = osafe_errf(e, OSAFE_EINVAL,
                        "origin '%s' differs from the key name '%s': a log "
                        "signs with a key named after its origin (`osafe key "
                        "generate %s`)",
                        origin, s.v.name, origin);
        goto out;
    }
    if (!realpath(key_path, abskey)) {
        rc = osafe_errno(e, OSAFE_EIO, errno, "%s", key_path);
        goto out;
    }
    if ((rc = fsx_mkdirs(dir, e)))
        goto out;
    snprintf(path, sizeof path, "%s/checkpoint", dir);
    if (fsx_exists(path)) {
        rc = osafe_errf(e, OSAFE_EEXIST, "%s already holds a log", dir);
        goto out;
    }
    osafe_buf text = OSAFE_BUF_INIT;
    rc = buf_printf(&text, "origin %s\nkey %s\nvkey ", origin, abskey);
    if (!rc)
        rc = tlog_verifier_format(&s.v, &text);
    if (!rc)
        rc = buf_putc(&text, '\n');
    if (rc) {
        buf_release(&text);
        rc = osafe_errf(e, rc, "out of memory");
        goto out;
    }
    snprintf(path, sizeof path, "%s/%s", dir, TLOG_CONFIG_NAME);
    rc = fsx_write_atomic(path, text.data, text.len, 0644, 1, e);
    buf_release(&text);
    if (rc)
        goto out;

    tlog_checkpoint c;
    memset(&c, 0, sizeof c);
    snprintf(c.origin, sizeof c.origin, "%s", origin);
    tlog_empty_root(&c.root);
    osafe_buf body = OSAFE_BUF_INIT, note = OSAFE_BUF_INIT;
    rc = tlog_checkpoint_format(&c, &body);
    if (!rc)
        rc = tlog_note_sign(body.data, body.len, &s, &note, e);
    snprintf(path, sizeof path, "%s/checkpoint", dir);
    if (!rc)
        rc = fsx_write_atomic(path, note.data, note.len, 0644, 1, e);
    buf_release(&body);
    buf_release(&note);
out:
    tlog_signer_wipe(&s);
    return rc;
}

/* ---- append ------------------------------------------------------------- */

static int batch_add(struct batch *b, int level, uint64_t index,
                     unsigned width, const void *data, size_t len, int copy,
                     osafe_err *e)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        struct pending *p = realloc(b->p, cap * sizeof *p);
        if (!p)
            return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
        b->p = p;
        b->cap = cap;
    }
    struct pending *p = &b->p[b->n];
    tlog_tile_path(p->path, level, index,
                   width == OSAFE_TILE_WIDTH ? 0 : width);
    p->full = width == OSAFE_TILE_WIDTH;
    p->len = len;
    if (copy) {
        if (!(p->data = malloc(len ? len : 1)))
            return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
        memcpy(p->data, data, len);
    } else {
        p->data = (char *)data;
    }
    b->n++;
    return 0;
}

static void batch_release(struct batch *b)
{
    for (size_t i = 0; i < b->n; i++)
        free(b->p[i].data);
    free(b->p);
}

static int on_full_tile(void *ctx, int level, uint64_t index,
                        const tlog_hash *hashes, osafe_err *e)
{
    return batch_add(ctx, level, index, OSAFE_TILE_WIDTH, hashes,
                     TLOG_TILE_BYTES, 1, e);
}

/* Directories to fsync once the batch's files are in place. */
struct dirset {
    char (*d)[OSAFE_PATH_MAX];
    size_t n, cap;
};

static int dirset_add(struct dirset *s, const char *dir, osafe_err *e)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->d[i], dir))
            return 0;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        void *p = realloc(s->d, cap * sizeof *s->d);
        if (!p)
            return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
        s->d = p;
        s->cap = cap;
    }
    snprintf(s->d[s->n++], OSAFE_PATH_MAX, "%s", dir);
    return 0;
}

/* mkdir -p for the parent of path, remembering which directories must be
 * fsynced: the parent itself and, for each directory created, its own
 * parent (so that the new name survives a crash). */
static int prepare_parent(const char *path, struct dirset *sync, osafe_err *e)
{
    char dir[OSAFE_PATH_MAX];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash)
        return 0;
    *slash = '\0';
    int rc = dirset_add(sync, dir, e);
    if (rc || fsx_exists(dir))
        return rc;
    if ((rc = prepare_parent(dir, sync, e)))
        return rc;
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return osafe_errno(e, OSAFE_EIO, errno, "mkdir %s", dir);
    return 0;
}

/*
 * The batch's tiles go to disk in three phases, each durable before the
 * next starts: (1) every tile file is written to a temporary name and
 * flushed, (2) all are renamed into place and each directory that gained
 * a name (and the parent of each new directory) is fsynced once, (3) the
 * new checkpoint is written, flushed, renamed and its directory fsynced
 * (append_locked).  Why a crash at any instant is harmless: no file of a
 * batch replaces one the old checkpoint needs with other bytes (a partial
 * tile's width is in its name, so the old partial tiles stay; an
 * unchanged edge tile is rewritten with the same bytes; a full tile past
 * the old size is not read for it while its partial tile exists), and
 * each rename swaps a whole file.  So before
 * phase 3's rename the old checkpoint is current and all its tiles are as
 * they were; after it, every tile it needs was made durable in phases 1
 * and 2.  Temporary files of a crashed phase 1 are never read.  Fsyncing
 * a whole batch per phase costs a few journal commits per append instead
 * of a few per tile file.
 */
static int write_batch(tlog_log *log, struct batch *b, osafe_err *e)
{
    struct dirset sync = {NULL, 0, 0};
    char (*paths)[OSAFE_PATH_MAX] = malloc((b->n ? b->n : 1) * sizeof *paths);
    fsx_file *files = malloc((b->n ? b->n : 1) * sizeof *files);
    int rc = 0;
    if (!paths || !files)
        rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < b->n; i++) {
        snprintf(paths[i], OSAFE_PATH_MAX, "%s/%s", log->dir, b->p[i].path);
        rc = prepare_parent(paths[i], &sync, e);
        files[i] = (fsx_file){paths[i], b->p[i].data, b->p[i].len};
    }
    if (rc == 0)
        rc = fsx_write_atomic_many(files, b->n, 0644, e);
    /* Deepest directories first is not needed: every fsync is done before
     * the checkpoint that makes any of them reachable. */
    for (size_t i = 0; rc == 0 && i < sync.n; i++)
        rc = fsx_sync_dir(sync.d[i], e);
    free(sync.d);
    free(paths);
    free(files);
    return rc;
}

static int append_locked(tlog_log *log, const tlog_entry *entries,
                         size_t n, uint64_t *first, osafe_err *e);

int tlog_log_append(tlog_log *log, const tlog_entry *entries, size_t n,
                    uint64_t *first, osafe_err *e)
{
    if (log->mode != TLOG_OPEN_SHARED)
        return append_locked(log, entries, n, first, e);
    /* A shared writer appends only after the last checkpoint it knows:
     * one appended since without a tlog_log_sync is refused, not
     * overwritten. */
    int changed = 0;
    int rc = tlog__log_take_lock(log, e);
    if (!rc)
        rc = tlog__log_disk_changed(log, &changed, e);
    if (!rc && changed)
        rc = osafe_errf(e, OSAFE_ESTATE,
                        "log %s was appended to by another process since "
                        "this one last read it",
                        log->dir);
    if (!rc)
        rc = append_locked(log, entries, n, first, e);
    tlog__log_drop_lock(log);
    return rc;
}

static int append_locked(tlog_log *log, const tlog_entry *entries,
                         size_t n, uint64_t *first, osafe_err *e)
{
    if (log->mode == TLOG_OPEN_READ)
        return osafe_errf(e, OSAFE_ESTATE, "log opened read-only");
    if (log->broken)
        return osafe_errf(e, OSAFE_ESTATE,
                          "an earlier append failed; reopen the log");
    if (n == 0)
        return osafe_errf(e, OSAFE_EINVAL, "empty batch");
    if (n > OSAFE_LOG_BATCH_MAX_ENTRIES)
        return osafe_errf(e, OSAFE_ETOOBIG,
                          "batch of %zu entries exceeds the limit of %u", n,
                          OSAFE_LOG_BATCH_MAX_ENTRIES);
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        if (entries[i].len > OSAFE_LOG_ENTRY_MAX)
            return osafe_errf(e, OSAFE_ETOOBIG,
                              "entry %zu of the batch is %zu bytes; the "
                              "limit is %d",
                              i, entries[i].len, OSAFE_LOG_ENTRY_MAX);
        total += entries[i].len;
    }
    if (total > OSAFE_LOG_BATCH_MAX_BYTES)
        return osafe_errf(e, OSAFE_ETOOBIG,
                          "batch of %zu bytes exceeds the limit of %u", total,
                          OSAFE_LOG_BATCH_MAX_BYTES);
    if (log->head.size > UINT64_MAX - n)
        return osafe_errf(e, OSAFE_ETOOBIG, "log is full");

    /* From here on memory runs ahead of the disk until the checkpoint is
     * written; any failure leaves the handle unusable. */
    log->broken = 1;
    struct batch b = {NULL, 0, 0};
    int rc = 0;
    uint64_t start = log->head.size;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        uint8_t len2[2] = {(uint8_t)(entries[i].len >> 8),
                           (uint8_t)entries[i].len};
        tlog_hash h;
        tlog_leaf_hash(&h, entries[i].data, entries[i].len);
        uint64_t bundle = log->edge.size / OSAFE_TILE_WIDTH;
        if ((rc = buf_append(&log->bundle, len2, 2)) ||
            (rc = buf_append(&log->bundle, entries[i].data, entries[i].len))) {
            rc = osafe_errf(e, rc, "out of memory");
            break;
        }
        if ((rc = tlog_edge_push(&log->edge, &h, on_full_tile, &b, e)))
            break;
        if (log->edge.n[0] == 0) {
            size_t len;
            char *data = buf_detach(&log->bundle, &len);
            rc = batch_add(&b, TLOG_TILE_ENTRIES, bundle, OSAFE_TILE_WIDTH,
                           data, len, 0, e);
            if (rc)
                free(data);
        }
    }
    if (rc == 0 && log->edge.n[0])
        rc = batch_add(&b, TLOG_TILE_ENTRIES,
                       tlog_edge_tile_index(&log->edge, 0), log->edge.n[0],
                       log->bundle.data, log->bundle.len, 1, e);
    for (int L = 0; rc == 0 && L < OSAFE_TILE_LEVELS_MAX; L++)
        if (log->edge.n[L])
            rc = batch_add(&b, L, tlog_edge_tile_index(&log->edge, L),
                           log->edge.n[L], log->edge.h[L],
                           (size_t)log->edge.n[L] * TLOG_HASH_SIZE, 1, e);
    if (rc == 0)
        rc = write_batch(log, &b, e);

    tlog_checkpoint c = log->head;
    c.size = log->edge.size;
    c.next = 0;
    tlog_edge_root(&log->edge, &c.root);
    osafe_buf body = OSAFE_BUF_INIT, note;
    buf_init(&note, OSAFE_NOTE_MAX);
    if (rc == 0 && (rc = tlog_checkpoint_format(&c, &body)))
        rc = osafe_errf(e, rc, "out of memory");
    if (rc == 0)
        rc = tlog_note_sign(body.data, body.len, &log->signer, &note, e);
    char path[OSAFE_PATH_MAX];
    snprintf(path, sizeof path, "%s/checkpoint", log->dir);
    if (rc == 0)
        rc = fsx_write_atomic(path, note.data, note.len, 0644, 1, e);
    buf_release(&body);
    if (rc == 0) {
        /* Acknowledged.  Partial tiles made obsolete by a full tile may go
         * now (tlog-tiles allows it); readers fall back to the full one. */
        buf_release(&log->note);
        log->note = note;
        log->head = c;
        log->broken = 0;
        tlog__log_drop_cache(log);
        for (size_t i = 0; i < b.n; i++) {
            if (!b.p[i].full)
                continue;
            snprintf(path, sizeof path, "%s/%s.p", log->dir, b.p[i].path);
            /* the append is acknowledged already; a partial tile left
             * behind is harmless (readers prefer the full one) */
            OSAFE_IGNORE(fsx_remove_tree(path, NULL));
        }
        *first = start;
    } else {
        buf_release(&note);
    }
    batch_release(&b);
    return rc;
}

int tlog_log_read_entry(tlog_log *log, uint64_t index, osafe_buf *out,
                        osafe_err *e)
{
    if (index >= log->head.size)
        return osafe_errf(e, OSAFE_ENOTFOUND,
                          "entry %llu does not exist (log size %llu)",
                          (unsigned long long)index,
                          (unsigned long long)log->head.size);
    uint64_t b = index / OSAFE_TILE_WIDTH;
    unsigned width = tlog_tile_width(0, b, log->head.size);
    uint8_t *data;
    size_t len;
    tlog_entry ents[OSAFE_TILE_WIDTH];
    int rc = tlog_read_tile_file(log->dir, TLOG_TILE_ENTRIES, b, width, &data,
                                 &len, 1, e);
    if (rc)
        return rc;
    if ((rc = tlog_bundle_split(data, len, width, ents, e))) {
        char rel[TLOG_TILE_PATH_MAX];
        tlog_tile_path(rel, TLOG_TILE_ENTRIES, b,
                       width == OSAFE_TILE_WIDTH ? 0 : width);
        osafe_errprefix(e, "%s: ", rel);
    } else {
        const tlog_entry *x = &ents[index % OSAFE_TILE_WIDTH];
        buf_reset(out);
        if ((rc = buf_append(out, x->data, x->len)))
            rc = osafe_errf(e, rc, "out of memory");
    }
    free(data);
    return rc;
}
