/*
 * store_sqlite_int.h - shared between the SQLite backend's files.
 */
#ifndef OSAFE_STORE_SQLITE_INT_H
#define OSAFE_STORE_SQLITE_INT_H

#include <sqlite3.h>

#include "core/buf.h"
#include "store/store.h"

/* Prepared statements are kept per connection: preparing the listing's
 * query costs more than running it.  Slots are found by the SQL text. */
#define SQ_CACHE_SLOTS 48

struct sq_store {
    osafe_store base; /* first: a struct sq_store * is an osafe_store * */
    sqlite3 *db;
    sqlite3_stmt *cache[SQ_CACHE_SLOTS];
    unsigned next_slot; /* round-robin eviction */
    int in_tx;          /* holds the process's write mutex */
    int fts_staged;     /* search text waits in temp.fts_stage */
    /* the last text indexed and its folding (a publication indexes the
     * same text twice, published and as the latest version), malloc'd */
    char *fold_in, *fold_out;
    char pub_id[32]; /* that text was id's published version's ("": not) */
};

/* The pointer type under which a store_visibility is bound for
 * osafe_seen(). */
#define SQ_VIS_POINTER "osafe_store_visibility"
int sq__register_functions(struct sq_store *s, osafe_err *e);

int sq__exec(struct sq_store *s, const char *sql, osafe_err *e);
int sq__prepare(struct sq_store *s, sqlite3_stmt **st, const char *sql,
               osafe_err *e);
int sq__done(struct sq_store *s, sqlite3_stmt *st, osafe_err *e);
/* Give a statement from sq__prepare back (reset, bindings cleared). */
void sq__release(struct sq_store *s, sqlite3_stmt *st);
void sq__text(char *out, size_t n, sqlite3_stmt *st, int col);
int sq__write(struct sq_store *s, osafe_err *e, const char *sql,
             const char *types, ...);
/* One row of a result into the element at dst (0, or an error having
 * released whatever the row took). */
typedef int sq_row_fn(sqlite3_stmt *st, void *dst, osafe_err *e);
/* Step st (from sq__prepare) to its end, each row one element of size
 * bytes filled by row, and release st.  On success *out is a malloc'd
 * array of *n elements (NULL when none) the caller owns; on failure the
 * elements made so far are given to release (may be NULL), freed, and
 * *out is NULL. */
int sq__collect(struct sq_store *s, sqlite3_stmt *st, size_t size,
                sq_row_fn *row, void (*release)(void *), void **out,
                size_t *n, osafe_err *e);

/* store_sqlite_discard.c */
int sq__record_discard(osafe_store *s, const char *id, osafe_err *e);

/* store_sqlite_fts.c: inside a write transaction the search text is
 * staged and sq__fts_flush writes it into both indexes (before COMMIT);
 * sq__fts_forget drops a record's staged text (a discarded draft). */
int sq__index_put(osafe_store *s, const char *id, int published,
                 const char *text, osafe_err *e);
int sq__fts_stage_init(struct sq_store *s, osafe_err *e);
int sq__fts_flush(struct sq_store *s, osafe_err *e);
int sq__fts_forget(struct sq_store *s, const char *id, osafe_err *e);

/* store_sqlite_query.c */
int sq__list(osafe_store *s, const store_visibility *vis,
            const store_filter *f, store_page *out, osafe_err *e);
int sq__evaluation_list(osafe_store *s, int limit, const char *cursor,
                       store_eval_page *out, osafe_err *e);
int sq__search(osafe_store *s, const store_visibility *vis, const char *query,
              int limit, store_page *out, osafe_err *e);

/* store_fold.c (the folding itself is store__fold, store_int.h) */
/* Register osafe_fold(text) on db (an SQLite result code). */
int sq__register_fold(sqlite3 *db);

/* store_sqlite_editors.c */
int sq__editor_add(osafe_store *s, const char *id, int version,
                  int64_t account, osafe_err *e);
int sq__edited_by(osafe_store *s, const char *id, int version,
                 int64_t account, int *yes, osafe_err *e);
/* store_sqlite_sessions.c: evaluation withdrawal and web sessions */
int sq__evaluation_withdraw(osafe_store *s, const char *id, const char *reason,
                           int64_t by, int64_t log_index, const void *entry,
                           size_t entry_len, osafe_err *e);
int sq__session_put(osafe_store *s, const store_session *ss, int per_account,
                   osafe_err *e);
int sq__session_get(osafe_store *s, const char *id_hash, int64_t now,
                   store_session *ss, store_account *a, osafe_err *e);
int sq__session_drop(osafe_store *s, const char *id_hash, osafe_err *e);
int sq__evaluation_find(osafe_store *s, const char *samples_sha256,
                       char id[32], int *withdrawn, osafe_err *e);
/* store_sqlite_log.c */
int sq__log_extra_put(osafe_store *s, int64_t index, const char *kind,
                     const char *record_id, int version, const void *entry,
                     size_t len, osafe_err *e);
int sq__log_orphan_get(osafe_store *s, const char *record_id, int version,
                      int64_t *index, uint8_t **entry, size_t *len,
                      osafe_err *e);

/* store_sqlite_samples.c: samples of published evaluations */
int sq__samples_state(osafe_store *s, const char *eval_id,
                      store_sample_state *st, osafe_err *e);
int sq__samples_chunk(osafe_store *s, const char *eval_id, int64_t offset,
                      int64_t *len, char sha256[65], osafe_err *e);
int sq__samples_append(osafe_store *s, const char *eval_id, int64_t offset,
                       int64_t len, const char *sha256,
                       const store_sample *rows, size_t n, osafe_err *e);
int sq__samples_digest(osafe_store *s, const char *eval_id, uint8_t out[32],
                       osafe_err *e);
int sq__samples_finish(osafe_store *s, const char *eval_id, int complete,
                       osafe_err *e);
int sq__samples_page(osafe_store *s, const char *eval_id,
                     const store_sample_filter *f, store_sample_page *out,
                     osafe_err *e);
/* The SQL of a page of samples (page 1; 2: walking from the last match)
 * or of the count of its matches (0), appended to q; 0 or the buffer's failure.  Exposed for the test
 * that checks its query plan uses an index. */
int sq__samples_sql(const store_sample_filter *f, int page, osafe_buf *q);
int sq__sample_get(osafe_store *s, const char *eval_id, int64_t index,
                   store_sample *out, osafe_err *e);
/* store_sqlite_reviews.c: human labels of evaluation samples */
int sq__review_put(osafe_store *s, const store_review *rv, osafe_err *e);
int sq__review_get(osafe_store *s, const char *eval_id, int64_t sample_index,
                   store_review *rv, uint8_t **entry, size_t *entry_len,
                   osafe_err *e);
int sq__review_list(osafe_store *s, const char *eval_id, int64_t after,
                    int limit, store_review **rows, size_t *n, osafe_err *e);
int sq__review_counts(osafe_store *s, const char *eval_id,
                      store_review_count *out, size_t *n, osafe_err *e);

/* store_sqlite_migrations.c: the schema, migration v+1 at index v. */
extern const char *const sq__migrations[];
extern const size_t sq__n_migrations;

/* store_sqlite_peers.c: federation (issue 12) */
int sq__peer_put(osafe_store *s, const store_peer *p, int create,
                 osafe_err *e);
int sq__peer_get(osafe_store *s, const char *url, store_peer *p,
                 osafe_err *e);
int sq__peer_list(osafe_store *s, store_peer **out, size_t *n, osafe_err *e);
int sq__peer_remove(osafe_store *s, const char *url, osafe_err *e);
int sq__peer_checkpoint_put(osafe_store *s, const char *origin, int64_t size,
                            const char *note, osafe_err *e);
int sq__mirror_put(osafe_store *s, const store_mirror *m, osafe_err *e);
int sq__mirror_get(osafe_store *s, const char *origin, const char *origin_id,
                   store_mirror *m, osafe_err *e);
int sq__mirror_withdraw(osafe_store *s, const char *origin,
                        const char *origin_id, int version, int64_t log_index,
                        osafe_err *e);
int sq__mirror_list(osafe_store *s, const char *origin, const char *after,
                    int limit, store_mirror **out, size_t *n, osafe_err *e);
int sq__split_put(osafe_store *s, const char *peer_url, const char *origin,
                  const char *old_note, const char *new_note,
                  const char *proof, const char *reason, osafe_err *e);
int sq__split_get(osafe_store *s, const char *peer_url, char **old_note,
                  char **new_note, char **proof, char **reason, osafe_err *e);
int sq__witness_get(osafe_store *s, const char *origin, int64_t *size,
                    uint8_t root[32], char **note, osafe_err *e);
int sq__witness_put(osafe_store *s, const char *origin, int64_t size,
                    const uint8_t root[32], const char *note, osafe_err *e);
/* store_sqlite_cosigners.c: our own witnesses (issue 12) */
int sq__cosigner_put(osafe_store *s, const store_cosigner *c, int create,
                     osafe_err *e);
int sq__cosigner_list(osafe_store *s, store_cosigner **out, size_t *n,
                      osafe_err *e);
int sq__cosigner_remove(osafe_store *s, const char *url, osafe_err *e);
/* store_sqlite_refused.c: refused GREEN/AMBER records (issue 12) */
int sq__refused_put(osafe_store *s, const store_refused *r, osafe_err *e);
int sq__refused_list(osafe_store *s, const char *url, size_t limit,
                     store_refused **out, size_t *n, int64_t *total,
                     osafe_err *e);
int sq__refused_drop(osafe_store *s, const char *url, int64_t log_index,
                     const char *origin_id, osafe_err *e);

/* store_sqlite_mevals.c: mirrored evaluations (issue 12) */
int sq__meval_put(osafe_store *s, const store_mirror *m, osafe_err *e);
int sq__meval_withdraw(osafe_store *s, const char *origin,
                       const char *origin_id, int64_t log_index,
                       osafe_err *e);
int sq__meval_list(osafe_store *s, const char *origin, const char *after,
                   int limit, store_mirror **out, size_t *n, osafe_err *e);

#endif
