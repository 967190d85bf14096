/*
 * store_sqlite_reviews.c - reviewers' labels of the samples of published
 * evaluation runs (table evaluation_reviews, issue 15 human review; see
 * registry/evaluations_review.c for the rules).
 */
#include <stdlib.h>
#include <string.h>

#include "store/store_sqlite_int.h"

int sq__review_put(osafe_store *base, const store_review *rv, osafe_err *e)
{
    return sq__write((struct sq_store *)base, e,
                     "INSERT OR REPLACE INTO evaluation_reviews("
                     "evaluation_id, sample_index, label, automatic, "
                     "expected, reviewer, reviewed, log_index) "
                     "VALUES (?,?,?,?,?,?,?,?)",
                     "sIsssIsI", rv->evaluation_id, rv->sample_index,
                     rv->label, rv->automatic, rv->expected, rv->reviewer,
                     rv->reviewed, rv->log_index);
}

#define REVIEW_COLS                                                         \
    "r.evaluation_id, r.sample_index, r.label, r.automatic, r.expected, "  \
    "r.reviewer, coalesce(a.name, ''), r.reviewed, r.log_index"

static void row_of(sqlite3_stmt *st, store_review *rv)
{
    memset(rv, 0, sizeof *rv);
    sq__text(rv->evaluation_id, sizeof rv->evaluation_id, st, 0);
    rv->sample_index = sqlite3_column_int64(st, 1);
    sq__text(rv->label, sizeof rv->label, st, 2);
    sq__text(rv->automatic, sizeof rv->automatic, st, 3);
    sq__text(rv->expected, sizeof rv->expected, st, 4);
    rv->reviewer = sqlite3_column_int64(st, 5);
    sq__text(rv->reviewer_name, sizeof rv->reviewer_name, st, 6);
    sq__text(rv->reviewed, sizeof rv->reviewed, st, 7);
    rv->log_index = sqlite3_column_int64(st, 8);
}

int sq__review_get(osafe_store *base, const char *eval_id,
                   int64_t sample_index, store_review *rv, uint8_t **entry,
                   size_t *entry_len, osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    sqlite3_stmt *st;
    int rc = sq__prepare(s, &st,
                         "SELECT " REVIEW_COLS ", x.entry FROM "
                         "evaluation_reviews r LEFT JOIN accounts a ON "
                         "a.id = r.reviewer LEFT JOIN log_extra x ON "
                         "x.log_index = r.log_index WHERE "
                         "r.evaluation_id = ? AND r.sample_index = ?",
                         e);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, eval_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, sample_index);
    int x = sqlite3_step(st);
    if (x == SQLITE_ROW) {
        row_of(st, rv);
        if (entry) {
            size_t n = (size_t)sqlite3_column_bytes(st, 9);
            *entry = malloc(n ? n : 1);
            if (!*entry)
                rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
            else if (n)
                memcpy(*entry, sqlite3_column_blob(st, 9), n);
            *entry_len = n;
        }
    } else if (x == SQLITE_DONE) {
        rc = osafe_errf(e, OSAFE_ENOTFOUND, "sample %lld of evaluation "
                        "'%s' has no human label", (long long)sample_index,
                        eval_id);
    } else {
        rc = osafe_errf(e, OSAFE_EIO, "database: reviews: %s",
                        sqlite3_errmsg(s->db));
    }
    sq__release(s, st);
    return rc;
}

int sq__review_list(osafe_store *base, const char *eval_id, int64_t after,
                    int limit, store_review **rows, size_t *n, osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    *rows = NULL;
    *n = 0;
    if (limit < 1)
        return 0;
    store_review *out = calloc((size_t)limit, sizeof *out);
    if (!out)
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    sqlite3_stmt *st;
    int rc = sq__prepare(s, &st,
                         "SELECT " REVIEW_COLS " FROM evaluation_reviews r "
                         "LEFT JOIN accounts a ON a.id = r.reviewer WHERE "
                         "r.evaluation_id = ? AND r.sample_index > ? "
                         "ORDER BY r.sample_index LIMIT ?",
                         e);
    if (rc) {
        free(out);
        return rc;
    }
    sqlite3_bind_text(st, 1, eval_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, after);
    sqlite3_bind_int(st, 3, limit);
    size_t k = 0;
    int x;
    while ((x = sqlite3_step(st)) == SQLITE_ROW && k < (size_t)limit)
        row_of(st, &out[k++]);
    if (x != SQLITE_ROW && x != SQLITE_DONE)
        rc = osafe_errf(e, OSAFE_EIO, "database: reviews: %s",
                        sqlite3_errmsg(s->db));
    sq__release(s, st);
    if (rc) {
        free(out);
        return rc;
    }
    *rows = out;
    *n = k;
    return 0;
}

int sq__review_counts(osafe_store *base, const char *eval_id,
                      store_review_count *out, size_t *n, osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    sqlite3_stmt *st;
    *n = 0;
    int rc = sq__prepare(s, &st,
                         "SELECT expected, automatic, label, count(*) FROM "
                         "evaluation_reviews WHERE evaluation_id = ? "
                         "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3",
                         e);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, eval_id, -1, SQLITE_TRANSIENT);
    int x;
    while ((x = sqlite3_step(st)) == SQLITE_ROW &&
           *n < STORE_REVIEW_COUNTS_MAX) {
        store_review_count *c = &out[(*n)++];
        sq__text(c->expected, sizeof c->expected, st, 0);
        sq__text(c->automatic, sizeof c->automatic, st, 1);
        sq__text(c->label, sizeof c->label, st, 2);
        c->n = sqlite3_column_int64(st, 3);
    }
    if (x != SQLITE_ROW && x != SQLITE_DONE)
        rc = osafe_errf(e, OSAFE_EIO, "database: reviews: %s",
                        sqlite3_errmsg(s->db));
    sq__release(s, st);
    return rc;
}
