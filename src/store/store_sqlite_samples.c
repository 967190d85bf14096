/*
 * store_sqlite_samples.c - the SQLite backend's samples of published
 * evaluations (store.h, migration 8).
 *
 * Pages are read in two steps inside one statement: the line ids of the
 * page come from one covering index chosen by the filters (led by the
 * upload and the most selective filter given, then the line number, then
 * every other filter column), so skipping to page k walks index entries
 * only, never the rows with their bodies; then the page's rows are read by
 * id.  Unfiltered pages seek on the line number itself (lines are numbered
 * 0..n-1 without gaps).
 */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/limits.h"
#include "store/store_int.h"
#include "store/store_sqlite_int.h"

void store_sample_release(store_sample *x)
{
    if (!x)
        return;
    free(x->body);
    x->body = NULL;
    x->body_len = 0;
}

void store_sample_page_release(store_sample_page *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n; i++)
        store_sample_release(&p->rows[i]);
    free(p->rows);
    p->rows = NULL;
    p->n = 0;
}

/* The upload row of eval_id, its lines and whether it is complete: *id 0
 * when none began. */
static int upload_n(struct sq_store *s, const char *eval_id, int64_t *id,
                    int64_t *lines, int *complete, osafe_err *e)
{
    sqlite3_stmt *st;
    int rc = sq__prepare(s, &st,
                         "SELECT id, samples, complete IS NOT NULL FROM "
                         "sample_uploads WHERE eval_id = ?", e);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, eval_id, -1, SQLITE_TRANSIENT);
    int r = sqlite3_step(st);
    *id = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    *lines = r == SQLITE_ROW ? sqlite3_column_int64(st, 1) : 0;
    *complete = r == SQLITE_ROW ? sqlite3_column_int(st, 2) : 0;
    if (r != SQLITE_ROW && r != SQLITE_DONE)
        rc = osafe_errf(e, OSAFE_EIO, "database: read sample upload: %s",
                        sqlite3_errmsg(s->db));
    sq__release(s, st);
    return rc;
}

static int upload_of(struct sq_store *s, const char *eval_id, int64_t *id,
                     osafe_err *e)
{
    int64_t lines;
    int complete;
    return upload_n(s, eval_id, id, &lines, &complete, e);
}

int sq__samples_state(osafe_store *base, const char *eval_id,
                      store_sample_state *out, osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    sqlite3_stmt *st;
    int rc = sq__prepare(s, &st,
                         "SELECT v.author, v.withdrawn IS NOT NULL, "
                         "coalesce(u.received, 0), coalesce(u.samples, 0), "
                         "u.complete IS NOT NULL FROM evaluations v LEFT JOIN "
                         "sample_uploads u ON u.eval_id = v.id WHERE v.id = ?",
                         e);
    if (rc)
        return rc;
    memset(out, 0, sizeof *out);
    sqlite3_bind_text(st, 1, eval_id, -1, SQLITE_TRANSIENT);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        out->author = sqlite3_column_int64(st, 0);
        out->withdrawn = sqlite3_column_int(st, 1);
        out->received = sqlite3_column_int64(st, 2);
        out->samples = sqlite3_column_int64(st, 3);
        out->complete = sqlite3_column_int(st, 4);
    } else if (r == SQLITE_DONE) {
        rc = osafe_errf(e, OSAFE_ENOTFOUND, "no evaluation '%s'", eval_id);
    } else {
        rc = osafe_errf(e, OSAFE_EIO, "database: read sample upload: %s",
                        sqlite3_errmsg(s->db));
    }
    sq__release(s, st);
    return rc;
}

int sq__samples_chunk(osafe_store *base, const char *eval_id, int64_t offset,
                      int64_t *len, char sha256[65], osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    sqlite3_stmt *st;
    int rc = sq__prepare(s, &st,
                         "SELECT c.len, c.sha256 FROM sample_chunks c JOIN "
                         "sample_uploads u ON u.id = c.upload WHERE "
                         "u.eval_id = ? AND c.offset = ?",
                         e);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, eval_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, offset);
    if (sqlite3_step(st) == SQLITE_ROW) {
        *len = sqlite3_column_int64(st, 0);
        sq__text(sha256, 65, st, 1);
    } else {
        rc = osafe_errf(e, OSAFE_ENOTFOUND, "no chunk at offset %lld",
                        (long long)offset);
    }
    sq__release(s, st);
    return rc;
}

static int insert_rows(struct sq_store *s, int64_t upload, int64_t first,
                       const store_sample *rows, size_t n, osafe_err *e)
{
    sqlite3_stmt *st;
    int rc = sq__prepare(s, &st,
                         "INSERT INTO evaluation_samples(upload, idx, hazard, "
                         "lang, label, outcome, score, error, needs_review, "
                         "body) VALUES (?,?,?,?,?,?,?,?,?,?)",
                         e);
    for (size_t i = 0; !rc && i < n; i++) {
        const store_sample *x = &rows[i];
        sqlite3_bind_int64(st, 1, upload);
        sqlite3_bind_int64(st, 2, first + (int64_t)i);
        sqlite3_bind_text(st, 3, x->hazard, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, x->lang, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, x->label, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, x->outcome, -1, SQLITE_STATIC);
        if (x->has_score)
            sqlite3_bind_double(st, 7, x->score);
        else
            sqlite3_bind_null(st, 7);
        sqlite3_bind_int(st, 8, x->error != 0);
        sqlite3_bind_int(st, 9, x->needs_review != 0);
        sqlite3_bind_blob64(st, 10, x->body ? x->body : "",
                            (sqlite3_uint64)x->body_len, SQLITE_STATIC);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = osafe_errf(e, OSAFE_EIO, "database: store sample: %s",
                            sqlite3_errmsg(s->db));
        sqlite3_reset(st);
    }
    if (st)
        sq__release(s, st);
    return rc;
}

int sq__samples_append(osafe_store *base, const char *eval_id, int64_t offset,
                       int64_t len, const char *sha256,
                       const store_sample *rows, size_t n, osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    store_sample_state cur;
    char now[32];
    store_now(now);
    int rc = sq__samples_state(base, eval_id, &cur, e);
    if (!rc)
        rc = store__samples_may_append(eval_id, &cur, offset, e);
    if (!rc)
        rc = sq__write(s, e,
                       "INSERT INTO sample_uploads(eval_id, modified) "
                       "VALUES (?, ?) ON CONFLICT(eval_id) DO NOTHING",
                       "ss", eval_id, now);
    int64_t up = 0;
    if (!rc)
        rc = upload_of(s, eval_id, &up, e);
    if (!rc)
        rc = sq__write(s, e,
                       "INSERT INTO sample_chunks(upload, offset, len, sha256)"
                       " VALUES (?,?,?,?)",
                       "IIIs", up, offset, len, sha256);
    if (!rc)
        rc = insert_rows(s, up, cur.samples, rows, n, e);
    if (!rc)
        rc = sq__write(s, e,
                       "UPDATE sample_uploads SET received = received + ?, "
                       "samples = samples + ?, modified = ? WHERE id = ?",
                       "IIsI", len, (int64_t)n, now, up);
    return rc;
}

int sq__samples_digest(osafe_store *base, const char *eval_id,
                       uint8_t out[32], osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    int64_t up;
    int rc = upload_of(s, eval_id, &up, e);
    sqlite3_stmt *st = NULL;
    if (!rc)
        rc = sq__prepare(s, &st,
                         "SELECT body FROM evaluation_samples WHERE upload = ?"
                         " ORDER BY idx",
                         e);
    if (rc)
        return rc;
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    sqlite3_bind_int64(st, 1, up);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        const void *b = sqlite3_column_blob(st, 0);
        int n = sqlite3_column_bytes(st, 0);
        if (n > 0)
            crypto_hash_sha256_update(&h, b, (unsigned long long)n);
        crypto_hash_sha256_update(&h, (const uint8_t *)"\n", 1);
    }
    if (r != SQLITE_DONE)
        rc = osafe_errf(e, OSAFE_EIO, "database: read samples: %s",
                        sqlite3_errmsg(s->db));
    sq__release(s, st);
    crypto_hash_sha256_final(&h, out);
    return rc;
}

int sq__samples_finish(osafe_store *base, const char *eval_id, int complete,
                       osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    char now[32];
    store_now(now);
    int64_t up, lines;
    int done;
    int rc = upload_n(s, eval_id, &up, &lines, &done, e);
    if (rc || !up)
        return rc;
    /* complete samples are what the log commits to: never discarded (and
     * their cached counts stay true) */
    if (done && !complete)
        return osafe_errf(e, OSAFE_ESTATE, "the samples of '%s' are "
                          "complete", eval_id);
    if (complete)
        return sq__write(s, e,
                         "UPDATE sample_uploads SET complete = ?1, "
                         "modified = ?1 WHERE id = ?2",
                         "sI", now, up);
    rc = sq__write(s, e, "DELETE FROM evaluation_samples WHERE upload = ?",
                   "I", up);
    if (!rc)
        rc = sq__write(s, e, "DELETE FROM sample_chunks WHERE upload = ?", "I",
                       up);
    if (!rc)
        rc = sq__write(s, e, "DELETE FROM sample_uploads WHERE id = ?", "I",
                       up);
    return rc;
}

/* The index that leads with the most selective filter given (see the
 * top of the file), and the WHERE clause of every filter, binding
 * ?1 upload, ?2 hazard, ?3 lang, ?4 label, ?5 outcome, ?6 score,
 * ?7 needs_review. */
static int page_where(const store_sample_filter *f, osafe_buf *w)
{
    /* a score implies its outcome (registry: pass from
     * OSAFE_SAMPLE_PASS_MIN), which has an index; a score has none */
    const char *implied = f->has_score && !f->outcome && f->error != 1
                              ? f->score >= OSAFE_SAMPLE_PASS_MIN ? "pass"
                                                                  : "fail"
                              : NULL;
    const char *ix = f->needs_review == 1 ? "samples_review"
                     : f->hazard          ? "samples_hazard"
                     : f->lang            ? "samples_lang"
                     : f->label           ? "samples_label"
                     : f->outcome || f->error == 1 || implied
                         ? "samples_outcome"
                         : "samples_idx";
    int rc = buf_printf(w, " FROM evaluation_samples INDEXED BY %s WHERE "
                           "upload = ?1", ix);
    if (!rc && f->hazard)
        rc = buf_puts(w, " AND hazard = ?2");
    if (!rc && f->lang)
        rc = buf_puts(w, " AND lang = ?3");
    if (!rc && f->label)
        rc = buf_puts(w, " AND label = ?4");
    if (!rc && f->outcome)
        rc = buf_puts(w, " AND outcome = ?5");
    /* an error is the outcome "error": one index serves both; most
     * samples are no error, which the line order scans best */
    if (!rc && f->error == 1)
        rc = buf_puts(w, " AND outcome = 'error'");
    if (!rc && f->error == 0)
        rc = buf_puts(w, " AND error = 0");
    if (!rc && implied)
        rc = buf_printf(w, " AND outcome = '%s'", implied);
    if (!rc && f->has_score)
        rc = buf_puts(w, " AND score = ?6");
    if (!rc && f->needs_review >= 0)
        rc = buf_puts(w, " AND needs_review = ?7");
    return rc;
}

static void page_bind(sqlite3_stmt *st, int64_t up,
                      const store_sample_filter *f)
{
    sqlite3_bind_int64(st, 1, up);
    if (f->hazard)
        sqlite3_bind_text(st, 2, f->hazard, -1, SQLITE_TRANSIENT);
    if (f->lang)
        sqlite3_bind_text(st, 3, f->lang, -1, SQLITE_TRANSIENT);
    if (f->label)
        sqlite3_bind_text(st, 4, f->label, -1, SQLITE_TRANSIENT);
    if (f->outcome)
        sqlite3_bind_text(st, 5, f->outcome, -1, SQLITE_TRANSIENT);
    if (f->has_score)
        sqlite3_bind_double(st, 6, f->score);
    if (f->needs_review >= 0)
        sqlite3_bind_int(st, 7, f->needs_review);
}

static int filtered(const store_sample_filter *f)
{
    return f->hazard || f->lang || f->label || f->outcome || f->has_score ||
           f->error >= 0 || f->needs_review >= 0;
}

#define SAMPLE_COLS                                                           \
    "SELECT idx, hazard, lang, label, outcome, score, error, needs_review, "  \
    "body FROM evaluation_samples "

int sq__samples_sql(const store_sample_filter *f, int page, osafe_buf *q)
{
    osafe_buf w = OSAFE_BUF_INIT;
    int rc = page_where(f, &w);
    if (rc) {
    } else if (!page) {
        rc = buf_printf(q, "SELECT count(*)%s", w.data);
    } else if (!filtered(f)) {
        rc = buf_puts(q, SAMPLE_COLS "WHERE upload = ?1 AND idx >= ?9 "
                         "ORDER BY idx LIMIT ?8");
    } else {
        /* no ORDER BY outside: run_page sorts the page's rows, so that
         * the plan has no sort at all (test_samples_store checks it);
         * page 2 walks from the end, for pages past the middle */
        rc = buf_printf(q, SAMPLE_COLS "WHERE id IN (SELECT id%s ORDER BY "
                           "idx%s LIMIT ?8 OFFSET ?9)", w.data,
                        page == 2 ? " DESC" : "");
    }
    buf_release(&w);
    return rc;
}

static int read_row(sqlite3_stmt *st, store_sample *x)
{
    memset(x, 0, sizeof *x);
    x->index = sqlite3_column_int64(st, 0);
    sq__text(x->hazard, sizeof x->hazard, st, 1);
    sq__text(x->lang, sizeof x->lang, st, 2);
    sq__text(x->label, sizeof x->label, st, 3);
    sq__text(x->outcome, sizeof x->outcome, st, 4);
    x->has_score = sqlite3_column_type(st, 5) != SQLITE_NULL;
    x->score = sqlite3_column_double(st, 5);
    x->error = sqlite3_column_int(st, 6);
    x->needs_review = sqlite3_column_int(st, 7);
    int n = sqlite3_column_bytes(st, 8);
    const void *b = sqlite3_column_blob(st, 8);
    if (!(x->body = malloc((size_t)n + 1)))
        return OSAFE_ENOMEM;
    if (n > 0)
        memcpy(x->body, b, (size_t)n);
    x->body[n] = '\0';
    x->body_len = (size_t)n;
    return 0;
}

/* Counts of complete uploads, which never change, by database file,
 * upload and filter: paging through one filter counts its matches once
 * (the count walks every matching index entry). */
static struct {
    char *key;
    int64_t n;
} counts[OSAFE_SAMPLE_COUNT_CACHE];
static unsigned counts_next;
static pthread_mutex_t counts_mu = PTHREAD_MUTEX_INITIALIZER;

static int count_key(struct sq_store *s, int64_t up,
                     const store_sample_filter *f, osafe_buf *k)
{
    const char *db = sqlite3_db_filename(s->db, "main");
    /* \x1f cannot occur in a filter the API passes on (text values are
     * query words; it would only merge two keys of one filter anyway) */
    return buf_printf(k, "%s\x1f%lld\x1f%s\x1f%s\x1f%s\x1f%s\x1f%d:%.17g\x1f%d\x1f%d",
                      db ? db : "", (long long)up, f->hazard ? f->hazard : "",
                      f->lang ? f->lang : "", f->label ? f->label : "",
                      f->outcome ? f->outcome : "", f->has_score,
                      f->has_score ? f->score : 0.0, f->error,
                      f->needs_review);
}

static int count_get(const char *key, int64_t *n)
{
    int found = 0;
    pthread_mutex_lock(&counts_mu);
    for (unsigned i = 0; i < OSAFE_SAMPLE_COUNT_CACHE && !found; i++)
        if (counts[i].key && !strcmp(counts[i].key, key)) {
            *n = counts[i].n;
            found = 1;
        }
    pthread_mutex_unlock(&counts_mu);
    return found;
}

/* Best effort: without memory the count is simply not kept. */
static void count_put(const char *key, int64_t n)
{
    char *k = strdup(key);
    if (!k)
        return;
    pthread_mutex_lock(&counts_mu);
    unsigned i = counts_next++ % OSAFE_SAMPLE_COUNT_CACHE;
    free(counts[i].key);
    counts[i].key = k;
    counts[i].n = n;
    pthread_mutex_unlock(&counts_mu);
}

static int run_count(struct sq_store *s, int64_t up,
                     const store_sample_filter *f, int64_t *total,
                     osafe_err *e)
{
    osafe_buf q = OSAFE_BUF_INIT;
    sqlite3_stmt *st = NULL;
    int rc = sq__samples_sql(f, 0, &q);
    if (rc)
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    rc = sq__prepare(s, &st, q.data, e);
    buf_release(&q);
    if (rc)
        return rc;
    page_bind(st, up, f);
    if (sqlite3_step(st) == SQLITE_ROW)
        *total = sqlite3_column_int64(st, 0);
    else
        rc = osafe_errf(e, OSAFE_EIO, "database: count samples: %s",
                        sqlite3_errmsg(s->db));
    sq__release(s, st);
    return rc;
}

static int by_index(const void *a, const void *b)
{
    int64_t x = ((const store_sample *)a)->index;
    int64_t y = ((const store_sample *)b)->index;
    return (x > y) - (x < y);
}

/* The page at f->offset of total matches: past the middle, counted from
 * the end (OFFSET costs the index entries it skips, so the last page
 * costs what the first does). */
static int run_page(struct sq_store *s, int64_t up,
                    const store_sample_filter *f, int64_t total,
                    store_sample_page *out, osafe_err *e)
{
    osafe_buf q = OSAFE_BUF_INIT;
    sqlite3_stmt *st = NULL;
    int back = filtered(f) && f->offset > total / 2;
    int64_t off = f->offset, lim = f->limit;
    if (back) {
        off = total - f->offset - f->limit;
        if (off < 0) {
            lim += off;
            off = 0;
        }
    }
    int rc = sq__samples_sql(f, back ? 2 : 1, &q);
    if (rc)
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    rc = sq__prepare(s, &st, q.data, e);
    buf_release(&q);
    if (rc)
        return rc;
    page_bind(st, up, f);
    sqlite3_bind_int64(st, 8, lim);
    sqlite3_bind_int64(st, 9, off);
    if (!(out->rows = calloc((size_t)f->limit, sizeof *out->rows)))
        rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    int r = SQLITE_DONE;
    while (!rc && out->n < (size_t)f->limit &&
           (r = sqlite3_step(st)) == SQLITE_ROW) {
        if (read_row(st, &out->rows[out->n]))
            rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
        else
            out->n++;
    }
    if (!rc && r != SQLITE_DONE && r != SQLITE_ROW)
        rc = osafe_errf(e, OSAFE_EIO, "database: read samples: %s",
                        sqlite3_errmsg(s->db));
    sq__release(s, st);
    if (!rc)
        qsort(out->rows, out->n, sizeof *out->rows, by_index);
    return rc;
}

int sq__samples_page(osafe_store *base, const char *eval_id,
                     const store_sample_filter *f, store_sample_page *out,
                     osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    memset(out, 0, sizeof *out);
    if (f->limit < 1 || f->limit > OSAFE_SAMPLES_PER_PAGE_MAX || f->offset < 0)
        return osafe_errf(e, OSAFE_EINVAL, "a sample page is 1 to %d rows "
                          "from offset 0 on", OSAFE_SAMPLES_PER_PAGE_MAX);
    int64_t up, lines;
    int complete;
    int rc = upload_n(s, eval_id, &up, &lines, &complete, e);
    if (rc || !up)
        return rc;
    /* every line matches no filter: the count is kept */
    out->total = lines;
    osafe_buf key = OSAFE_BUF_INIT;
    int keyed = complete && filtered(f) && !count_key(s, up, f, &key);
    if (filtered(f) && !(keyed && count_get(key.data, &out->total))) {
        rc = run_count(s, up, f, &out->total, e);
        if (!rc && keyed)
            count_put(key.data, out->total);
    }
    buf_release(&key);
    if (!rc && out->total > f->offset)
        rc = run_page(s, up, f, out->total, out, e);
    if (rc)
        store_sample_page_release(out);
    return rc;
}

int sq__sample_get(osafe_store *base, const char *eval_id, int64_t index,
                   store_sample *out, osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    memset(out, 0, sizeof *out);
    int64_t up;
    int rc = upload_of(s, eval_id, &up, e);
    sqlite3_stmt *st = NULL;
    if (!rc)
        rc = sq__prepare(s, &st, SAMPLE_COLS "WHERE upload = ? AND idx = ?",
                         e);
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, up);
    sqlite3_bind_int64(st, 2, index);
    if (sqlite3_step(st) != SQLITE_ROW)
        rc = osafe_errf(e, OSAFE_ENOTFOUND, "evaluation '%s' has no sample "
                        "%lld", eval_id, (long long)index);
    else if (read_row(st, out))
        rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    sq__release(s, st);
    return rc;
}
