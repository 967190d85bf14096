/*
 * store_pg_int.h - private to the PostgreSQL backend (store_pg*.c, pg__
 * functions): the handle and the one path every statement takes.
 *
 * Statements are prepared once per connection (PQprepare, named by their
 * slot in the connection's table, keyed by the SQL text's address: every
 * statement is a string literal), bound with text parameters, and read
 * back as text; bytea travels as hex both ways.  No text from a request is
 * ever spliced into a statement.
 */
#ifndef OSAFE_STORE_PG_INT_H
#define OSAFE_STORE_PG_INT_H

#include <libpq-fe.h>

#include "core/buf.h"
#include "core/limits.h"
#include "store/store.h"


struct pg_store {
    osafe_store base; /* first: a struct pg_store * is an osafe_store * */
    PGconn *c;
    const char *prep[OSAFE_PG_PREPARED_MAX]; /* SQL text of prepared slot i */
    unsigned nprep;
    int in_tx;
    int defer;     /* store.h's defer: statements without a result held */
    osafe_buf held; /* those statements, parameters inlined, ';' apart */
};

/*
 * Run sql with the arguments described by types (one letter each, as
 * sq__write's: s text or NULL, i int, I int64, N int64 or NULL when
 * negative, b bytea as a pointer and a size_t length, NULL when the
 * pointer is NULL).  *res (NULL: not wanted) receives the result, the
 * caller's to PQclear.  A unique or foreign-key violation is OSAFE_EEXIST,
 * anything else OSAFE_EIO naming what failed.  prepared 0 runs the
 * statement once without preparing it (built statements).
 */
int pg__run(struct pg_store *s, osafe_err *e, PGresult **res, int prepared,
            const char *sql, const char *types, ...);
int pg__exec(struct pg_store *s, const char *sql, osafe_err *e);

/* Column helpers on a text-format result (NULL reads as "" or 0). */
void pg__text(char *out, size_t n, const PGresult *r, int row, int col);
int64_t pg__int(const PGresult *r, int row, int col);
/* A copy of a text column (malloc'd, NUL-terminated), *len its length. */
char *pg__dup(const PGresult *r, int row, int col, size_t *len);
/* A bytea column decoded (malloc'd, at least one byte); NULL with *len 0
 * when the column is NULL or on no memory (*oom set). */
uint8_t *pg__bytea(const PGresult *r, int row, int col, size_t *len,
                   int *oom);

/* store_pg_query.c */
int pg__index_put(osafe_store *s, const char *id, int published,
                  const char *text, osafe_err *e);
int pg__list(osafe_store *s, const store_visibility *vis,
             const store_filter *f, store_page *out, osafe_err *e);
int pg__search(osafe_store *s, const store_visibility *vis,
               const char *query, int limit, store_page *out, osafe_err *e);
int pg__evaluation_list(osafe_store *s, int limit, const char *cursor,
                        store_eval_page *out, osafe_err *e);

/* store_pg_rows.c: the rest of store_ops */
int pg__evaluation_put(osafe_store *s, const char *id, const char *body,
                       size_t len, int64_t author, int64_t log_index,
                       const void *entry, size_t entry_len, osafe_err *e);
int pg__evaluation_get(osafe_store *s, const char *id, char **body,
                       size_t *len, int64_t *log_index, osafe_err *e);
int pg__evaluation_withdraw(osafe_store *s, const char *id,
                            const char *reason, int64_t by,
                            int64_t log_index, const void *entry,
                            size_t entry_len, osafe_err *e);
int pg__evaluation_find(osafe_store *s, const char *samples_sha256,
                        char id[32], int *withdrawn, osafe_err *e);
int pg__editor_add(osafe_store *s, const char *id, int version,
                   int64_t account, osafe_err *e);
int pg__edited_by(osafe_store *s, const char *id, int version,
                  int64_t account, int *yes, osafe_err *e);
int pg__session_put(osafe_store *s, const store_session *ss, int per_account,
                    osafe_err *e);
int pg__session_get(osafe_store *s, const char *id_hash, int64_t now,
                    store_session *ss, store_account *a, osafe_err *e);
int pg__session_drop(osafe_store *s, const char *id_hash, osafe_err *e);
int pg__log_extra_put(osafe_store *s, int64_t index, const char *kind,
                      const char *record_id, int version, const void *entry,
                      size_t len, osafe_err *e);
int pg__log_orphan_get(osafe_store *s, const char *record_id, int version,
                       int64_t *index, uint8_t **entry, size_t *len,
                       osafe_err *e);
int pg__record_discard(osafe_store *s, const char *id, osafe_err *e);
int pg__link_put(osafe_store *s, const char *from, const char *to,
                 const char *relation, int64_t author, osafe_err *e);
int pg__links_json(osafe_store *s, const char *id, char **json, osafe_err *e);
int pg__evidence_put(osafe_store *s, const char *id, const char *body,
                     size_t len, int64_t author, int64_t log_index,
                     const uint8_t *salt, int64_t *evidence_id, osafe_err *e);
int pg__source_get(osafe_store *s, const char *key, char id[32],
                   osafe_err *e);
int pg__source_put(osafe_store *s, const char *key, const char *id,
                   osafe_err *e);
int pg__max_log_index(osafe_store *s, int64_t *out, osafe_err *e);

/* store_pg_samples.c: samples of published evaluations, reviewers' labels */
int pg__samples_state(osafe_store *s, const char *eval_id,
                      store_sample_state *st, osafe_err *e);
int pg__samples_chunk(osafe_store *s, const char *eval_id, int64_t offset,
                      int64_t *len, char sha256[65], osafe_err *e);
int pg__samples_append(osafe_store *s, const char *eval_id, int64_t offset,
                       int64_t len, const char *sha256,
                       const store_sample *rows, size_t n, osafe_err *e);
int pg__samples_digest(osafe_store *s, const char *eval_id, uint8_t out[32],
                       osafe_err *e);
int pg__samples_finish(osafe_store *s, const char *eval_id, int complete,
                       osafe_err *e);
int pg__samples_page(osafe_store *s, const char *eval_id,
                     const store_sample_filter *f, store_sample_page *out,
                     osafe_err *e);
int pg__sample_get(osafe_store *s, const char *eval_id, int64_t index,
                   store_sample *out, osafe_err *e);
int pg__review_put(osafe_store *s, const store_review *rv, osafe_err *e);
int pg__review_get(osafe_store *s, const char *eval_id, int64_t sample_index,
                   store_review *rv, uint8_t **entry, size_t *entry_len,
                   osafe_err *e);
int pg__review_list(osafe_store *s, const char *eval_id, int64_t after,
                    int limit, store_review **rows, size_t *n, osafe_err *e);
int pg__review_counts(osafe_store *s, const char *eval_id,
                      store_review_count *out, size_t *n, osafe_err *e);

/* store_pg_peers.c: federation's rows */
int pg__peer_put(osafe_store *s, const store_peer *p, int create, osafe_err *e);
int pg__peer_get(osafe_store *s, const char *url, store_peer *p, osafe_err *e);
int pg__peer_list(osafe_store *s, store_peer **out, size_t *n, osafe_err *e);
int pg__peer_remove(osafe_store *s, const char *url, osafe_err *e);
int pg__peer_checkpoint_put(osafe_store *s, const char *origin, int64_t size,
                            const char *note, osafe_err *e);
int pg__mirror_put(osafe_store *s, const store_mirror *m, osafe_err *e);
int pg__mirror_get(osafe_store *s, const char *origin, const char *origin_id,
                   store_mirror *m, osafe_err *e);
int pg__mirror_withdraw(osafe_store *s, const char *origin,
                        const char *origin_id, int version, int64_t log_index,
                        osafe_err *e);
int pg__mirror_list(osafe_store *s, const char *origin, const char *after,
                    int limit, store_mirror **out, size_t *n, osafe_err *e);
int pg__split_put(osafe_store *s, const char *peer_url, const char *origin,
                  const char *old_note, const char *new_note,
                  const char *proof, const char *reason, osafe_err *e);
int pg__split_get(osafe_store *s, const char *peer_url, char **old_note,
                  char **new_note, char **proof, char **reason, osafe_err *e);
int pg__witness_get(osafe_store *s, const char *origin, int64_t *size,
                    uint8_t root[32], char **note, osafe_err *e);
int pg__witness_put(osafe_store *s, const char *origin, int64_t size,
                    const uint8_t root[32], const char *note, osafe_err *e);
/* store_pg_cosigners.c: our own witnesses (issue 12) */
int pg__cosigner_put(osafe_store *s, const store_cosigner *c, int create,
                     osafe_err *e);
int pg__cosigner_list(osafe_store *s, store_cosigner **out, size_t *n,
                      osafe_err *e);
int pg__cosigner_remove(osafe_store *s, const char *url, osafe_err *e);
/* store_pg_refused.c: refused GREEN/AMBER records (issue 12) */
int pg__refused_put(osafe_store *s, const store_refused *r, osafe_err *e);
int pg__refused_list(osafe_store *s, const char *url, size_t limit,
                     store_refused **out, size_t *n, int64_t *total,
                     osafe_err *e);
int pg__refused_drop(osafe_store *s, const char *url, int64_t log_index,
                     const char *origin_id, osafe_err *e);

/* The backend's table of operations (store_pg.c). */
extern const struct store_ops pg__ops;

/* store_pg_migrations.c: the schema, migration v+1 at index v. */
extern const char *const pg__migrations[];
extern const size_t pg__n_migrations;

/* store_pg_mevals.c: mirrored evaluations (issue 12) */
int pg__meval_put(osafe_store *s, const store_mirror *m, osafe_err *e);
int pg__meval_withdraw(osafe_store *s, const char *origin,
                       const char *origin_id, int64_t log_index,
                       osafe_err *e);
int pg__meval_list(osafe_store *s, const char *origin, const char *after,
                   int limit, store_mirror **out, size_t *n, osafe_err *e);

#endif
