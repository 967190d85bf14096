/*
 * store_pg_samples.c - the PostgreSQL backend's samples of published
 * evaluations (issue 16 item 10) and reviewers' labels of them (issue 15),
 * PostgreSQL migration 2.  The SQLite twins (store_sqlite_samples.c,
 * store_sqlite_reviews.c) say what each operation promises.
 *
 * Pages are one statement for every filter combination (a filter not
 * given is a NULL parameter), over one index per filter led by the upload
 * and the filter column, then the line number: simpler than SQLite's
 * chosen covering index, and first-stage; the digest reads the lines in
 * bounded slices, so a run of 10^6 samples never sits in memory.
 */
#include <libpq-fe.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "store/store.h"
#include "store/store_int.h"
#include "store/store_pg_int.h"

#define S(base) ((struct pg_store *)(base))

/* Lines read per slice by the digest. */
#define DIGEST_SLICE 2048

static int upload_n(struct pg_store *s, const char *eval_id, int64_t *id,
                    int64_t *lines, int *complete, osafe_err *e)
{
    PGresult *r;
    int rc = pg__run(s, e, &r, 1,
                     "SELECT id, samples, complete IS NOT NULL FROM "
                     "sample_uploads WHERE eval_id = $1",
                     "s", eval_id);
    if (rc)
        return rc;
    int row = PQntuples(r) == 1;
    *id = row ? pg__int(r, 0, 0) : 0;
    *lines = row ? pg__int(r, 0, 1) : 0;
    *complete = row && PQgetvalue(r, 0, 2)[0] == 't';
    PQclear(r);
    return 0;
}

int pg__samples_state(osafe_store *base, const char *eval_id,
                      store_sample_state *out, osafe_err *e)
{
    PGresult *r;
    int rc = pg__run(S(base), e, &r, 1,
                     "SELECT v.author, v.withdrawn IS NOT NULL, "
                     "coalesce(u.received, 0), coalesce(u.samples, 0), "
                     "u.complete IS NOT NULL FROM evaluations v LEFT JOIN "
                     "sample_uploads u ON u.eval_id = v.id WHERE v.id = $1",
                     "s", eval_id);
    if (rc)
        return rc;
    memset(out, 0, sizeof *out);
    if (PQntuples(r) == 1) {
        out->author = pg__int(r, 0, 0);
        out->withdrawn = PQgetvalue(r, 0, 1)[0] == 't';
        out->received = pg__int(r, 0, 2);
        out->samples = pg__int(r, 0, 3);
        out->complete = PQgetvalue(r, 0, 4)[0] == 't';
    } else {
        rc = osafe_errf(e, OSAFE_ENOTFOUND, "no evaluation '%s'", eval_id);
    }
    PQclear(r);
    return rc;
}

int pg__samples_chunk(osafe_store *base, const char *eval_id, int64_t offset,
                      int64_t *len, char sha256[65], osafe_err *e)
{
    PGresult *r;
    int rc = pg__run(S(base), e, &r, 1,
                     "SELECT c.len, c.sha256 FROM sample_chunks c JOIN "
                     "sample_uploads u ON u.id = c.upload WHERE "
                     "u.eval_id = $1 AND c.chunk_offset = $2",
                     "sI", eval_id, offset);
    if (rc)
        return rc;
    if (PQntuples(r) == 1) {
        *len = pg__int(r, 0, 0);
        pg__text(sha256, 65, r, 0, 1);
    } else {
        rc = osafe_errf(e, OSAFE_ENOTFOUND, "no chunk at offset %lld",
                        (long long)offset);
    }
    PQclear(r);
    return rc;
}

static void score_text(char out[32], const store_sample *x)
{
    snprintf(out, 32, "%.17g", x->score);
}

int pg__samples_append(osafe_store *base, const char *eval_id, int64_t offset,
                       int64_t len, const char *sha256,
                       const store_sample *rows, size_t n, osafe_err *e)
{
    struct pg_store *s = S(base);
    store_sample_state cur;
    char now[32];
    store_now(now);
    int rc = pg__samples_state(base, eval_id, &cur, e);
    if (!rc)
        rc = store__samples_may_append(eval_id, &cur, offset, e);
    if (!rc)
        rc = pg__run(s, e, NULL, 1,
                     "INSERT INTO sample_uploads(eval_id, modified) VALUES "
                     "($1, $2) ON CONFLICT (eval_id) DO NOTHING",
                     "ss", eval_id, now);
    int64_t up = 0, lines;
    int done;
    if (!rc)
        rc = upload_n(s, eval_id, &up, &lines, &done, e);
    if (!rc)
        rc = pg__run(s, e, NULL, 1,
                     "INSERT INTO sample_chunks(upload, chunk_offset, len, "
                     "sha256) VALUES ($1, $2, $3, $4)",
                     "IIIs", up, offset, len, sha256);
    for (size_t i = 0; !rc && i < n; i++) {
        const store_sample *x = &rows[i];
        char score[32];
        score_text(score, x);
        rc = pg__run(s, e, NULL, 1,
                     "INSERT INTO evaluation_samples(upload, idx, hazard, "
                     "lang, label, outcome, score, error, needs_review, body) "
                     "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)",
                     "IIsssssiib", up, cur.samples + (int64_t)i, x->hazard,
                     x->lang, x->label, x->outcome,
                     x->has_score ? score : NULL, x->error != 0,
                     x->needs_review != 0, x->body ? x->body : "",
                     x->body_len);
    }
    if (!rc)
        rc = pg__run(s, e, NULL, 1,
                     "UPDATE sample_uploads SET received = received + $1, "
                     "samples = samples + $2, modified = $3 WHERE id = $4",
                     "IIsI", len, (int64_t)n, now, up);
    return rc;
}

int pg__samples_digest(osafe_store *base, const char *eval_id,
                       uint8_t out[32], osafe_err *e)
{
    struct pg_store *s = S(base);
    int64_t up, lines;
    int done;
    int rc = upload_n(s, eval_id, &up, &lines, &done, e);
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    for (int64_t from = 0; !rc && from < lines; from += DIGEST_SLICE) {
        PGresult *r;
        if ((rc = pg__run(s, e, &r, 1,
                          "SELECT body FROM evaluation_samples WHERE upload "
                          "= $1 AND idx >= $2 AND idx < $3 ORDER BY idx",
                          "III", up, from, from + DIGEST_SLICE)))
            break;
        for (int i = 0; !rc && i < PQntuples(r); i++) {
            size_t n;
            int oom = 0;
            uint8_t *b = pg__bytea(r, i, 0, &n, &oom);
            if (oom)
                rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
            else if (n)
                crypto_hash_sha256_update(&h, b, n);
            free(b);
            crypto_hash_sha256_update(&h, (const uint8_t *)"\n", 1);
        }
        PQclear(r);
    }
    crypto_hash_sha256_final(&h, out);
    return rc;
}

int pg__samples_finish(osafe_store *base, const char *eval_id, int complete,
                       osafe_err *e)
{
    struct pg_store *s = S(base);
    char now[32];
    store_now(now);
    int64_t up, lines;
    int done;
    int rc = upload_n(s, eval_id, &up, &lines, &done, e);
    if (rc || !up)
        return rc;
    if (done && !complete)
        return osafe_errf(e, OSAFE_ESTATE, "the samples of '%s' are "
                          "complete", eval_id);
    if (complete)
        return pg__run(s, e, NULL, 1,
                       "UPDATE sample_uploads SET complete = $1, modified = "
                       "$1 WHERE id = $2",
                       "sI", now, up);
    static const char *const sql[] = {
        "DELETE FROM evaluation_samples WHERE upload = $1",
        "DELETE FROM sample_chunks WHERE upload = $1",
        "DELETE FROM sample_uploads WHERE id = $1",
    };
    for (size_t i = 0; !rc && i < sizeof sql / sizeof *sql; i++)
        rc = pg__run(s, e, NULL, 1, sql[i], "I", up);
    return rc;
}

#define SAMPLE_COLS                                                           \
    "idx, hazard, lang, label, outcome, score, error, needs_review, body"
/* $1 upload, $2 hazard, $3 lang, $4 label, $5 outcome, $6 error (1: the
 * outcome "error", 0: no error), $7 score, $8 needs_review */
#define SAMPLE_WHERE                                                          \
    " FROM evaluation_samples WHERE upload = $1 "                             \
    "AND ($2::text IS NULL OR hazard = $2) "                                  \
    "AND ($3::text IS NULL OR lang = $3) "                                    \
    "AND ($4::text IS NULL OR label = $4) "                                   \
    "AND ($5::text IS NULL OR outcome = $5) "                                 \
    "AND ($6::int IS NULL OR ($6 = 1 AND outcome = 'error') OR "              \
    "  ($6 = 0 AND error = 0)) "                                              \
    "AND ($7::float8 IS NULL OR score = $7) "                                 \
    "AND ($8::int IS NULL OR needs_review = $8)"

static int read_row(const PGresult *r, int i, store_sample *x)
{
    memset(x, 0, sizeof *x);
    x->index = pg__int(r, i, 0);
    pg__text(x->hazard, sizeof x->hazard, r, i, 1);
    pg__text(x->lang, sizeof x->lang, r, i, 2);
    pg__text(x->label, sizeof x->label, r, i, 3);
    pg__text(x->outcome, sizeof x->outcome, r, i, 4);
    x->has_score = !PQgetisnull(r, i, 5);
    x->score = x->has_score ? strtod(PQgetvalue(r, i, 5), NULL) : 0;
    x->error = (int)pg__int(r, i, 6);
    x->needs_review = (int)pg__int(r, i, 7);
    int oom = 0;
    size_t n;
    uint8_t *b = pg__bytea(r, i, 8, &n, &oom);
    if (oom || !(x->body = malloc(n + 1))) {
        free(b);
        return OSAFE_ENOMEM;
    }
    if (n)
        memcpy(x->body, b, n);
    free(b);
    x->body[n] = '\0';
    x->body_len = n;
    return 0;
}

int pg__samples_page(osafe_store *base, const char *eval_id,
                     const store_sample_filter *f, store_sample_page *out,
                     osafe_err *e)
{
    struct pg_store *s = S(base);
    memset(out, 0, sizeof *out);
    if (f->limit < 1 || f->limit > OSAFE_SAMPLES_PER_PAGE_MAX || f->offset < 0)
        return osafe_errf(e, OSAFE_EINVAL, "a sample page is 1 to %d rows "
                          "from offset 0 on", OSAFE_SAMPLES_PER_PAGE_MAX);
    int64_t up, lines;
    int done;
    int rc = upload_n(s, eval_id, &up, &lines, &done, e);
    if (rc || !up)
        return rc;
    char err[4], score[32], review[4];
    snprintf(err, sizeof err, "%d", f->error);
    snprintf(review, sizeof review, "%d", f->needs_review);
    snprintf(score, sizeof score, "%.17g", f->score);
    const char *a[7] = {f->hazard, f->lang, f->label, f->outcome,
                        f->error >= 0 ? err : NULL,
                        f->has_score ? score : NULL,
                        f->needs_review >= 0 ? review : NULL};
    PGresult *r;
    rc = pg__run(s, e, &r, 1, "SELECT count(*)" SAMPLE_WHERE, "Isssssss", up,
                 a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
    if (rc)
        return rc;
    out->total = pg__int(r, 0, 0);
    PQclear(r);
    if (out->total <= f->offset)
        return 0;
    rc = pg__run(s, e, &r, 1,
                 "SELECT " SAMPLE_COLS SAMPLE_WHERE
                 " ORDER BY idx LIMIT $9 OFFSET $10",
                 "IsssssssiI", up, a[0], a[1], a[2], a[3], a[4], a[5], a[6],
                 f->limit, f->offset);
    if (rc)
        return rc;
    if (!(out->rows = calloc((size_t)f->limit, sizeof *out->rows)))
        rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    for (int i = 0; !rc && i < PQntuples(r) && out->n < (size_t)f->limit;
         i++) {
        if (read_row(r, i, &out->rows[out->n]))
            rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
        else
            out->n++;
    }
    PQclear(r);
    if (rc)
        store_sample_page_release(out);
    return rc;
}

int pg__sample_get(osafe_store *base, const char *eval_id, int64_t index,
                   store_sample *out, osafe_err *e)
{
    struct pg_store *s = S(base);
    memset(out, 0, sizeof *out);
    PGresult *r;
    int rc = pg__run(s, e, &r, 1,
                     "SELECT " SAMPLE_COLS " FROM evaluation_samples x JOIN "
                     "sample_uploads u ON u.id = x.upload WHERE u.eval_id = "
                     "$1 AND x.idx = $2",
                     "sI", eval_id, index);
    if (rc)
        return rc;
    if (PQntuples(r) != 1)
        rc = osafe_errf(e, OSAFE_ENOTFOUND, "evaluation '%s' has no sample "
                        "%lld", eval_id, (long long)index);
    else if (read_row(r, 0, out))
        rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    PQclear(r);
    return rc;
}

/* ---- reviewers' labels ------------------------------------------------- */

int pg__review_put(osafe_store *base, const store_review *rv, osafe_err *e)
{
    return pg__run(S(base), e, NULL, 1,
                   "INSERT INTO evaluation_reviews(evaluation_id, "
                   "sample_index, label, automatic, expected, reviewer, "
                   "reviewed, log_index) VALUES ($1,$2,$3,$4,$5,$6,$7,$8) "
                   "ON CONFLICT (evaluation_id, sample_index) DO UPDATE SET "
                   "label = excluded.label, automatic = excluded.automatic, "
                   "expected = excluded.expected, reviewer = "
                   "excluded.reviewer, reviewed = excluded.reviewed, "
                   "log_index = excluded.log_index",
                   "sIsssIsI", rv->evaluation_id, rv->sample_index, rv->label,
                   rv->automatic, rv->expected, rv->reviewer, rv->reviewed,
                   rv->log_index);
}

#define REVIEW_COLS                                                           \
    "r.evaluation_id, r.sample_index, r.label, r.automatic, r.expected, "     \
    "r.reviewer, coalesce(a.name, ''), r.reviewed, r.log_index"

static void review_row(const PGresult *r, int i, store_review *rv)
{
    memset(rv, 0, sizeof *rv);
    pg__text(rv->evaluation_id, sizeof rv->evaluation_id, r, i, 0);
    rv->sample_index = pg__int(r, i, 1);
    pg__text(rv->label, sizeof rv->label, r, i, 2);
    pg__text(rv->automatic, sizeof rv->automatic, r, i, 3);
    pg__text(rv->expected, sizeof rv->expected, r, i, 4);
    rv->reviewer = pg__int(r, i, 5);
    pg__text(rv->reviewer_name, sizeof rv->reviewer_name, r, i, 6);
    pg__text(rv->reviewed, sizeof rv->reviewed, r, i, 7);
    rv->log_index = pg__int(r, i, 8);
}

int pg__review_get(osafe_store *base, const char *eval_id,
                   int64_t sample_index, store_review *rv, uint8_t **entry,
                   size_t *entry_len, osafe_err *e)
{
    PGresult *r;
    int rc = pg__run(S(base), e, &r, 1,
                     "SELECT " REVIEW_COLS ", x.entry FROM evaluation_reviews "
                     "r LEFT JOIN accounts a ON a.id = r.reviewer LEFT JOIN "
                     "log_extra x ON x.log_index = r.log_index WHERE "
                     "r.evaluation_id = $1 AND r.sample_index = $2",
                     "sI", eval_id, sample_index);
    if (rc)
        return rc;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return osafe_errf(e, OSAFE_ENOTFOUND, "sample %lld of evaluation "
                          "'%s' has no human label", (long long)sample_index,
                          eval_id);
    }
    review_row(r, 0, rv);
    if (entry) {
        int oom = 0;
        *entry = pg__bytea(r, 0, 9, entry_len, &oom);
        if (!*entry && !oom && (*entry = malloc(1)))
            *entry_len = 0;
        if (!*entry)
            rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    }
    PQclear(r);
    return rc;
}

int pg__review_list(osafe_store *base, const char *eval_id, int64_t after,
                    int limit, store_review **rows, size_t *n, osafe_err *e)
{
    *rows = NULL;
    *n = 0;
    if (limit < 1)
        return 0;
    PGresult *r;
    int rc = pg__run(S(base), e, &r, 1,
                     "SELECT " REVIEW_COLS " FROM evaluation_reviews r LEFT "
                     "JOIN accounts a ON a.id = r.reviewer WHERE "
                     "r.evaluation_id = $1 AND r.sample_index > $2 ORDER BY "
                     "r.sample_index LIMIT $3",
                     "sIi", eval_id, after, limit);
    if (rc)
        return rc;
    store_review *out = calloc((size_t)limit, sizeof *out);
    if (!out) {
        PQclear(r);
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    }
    size_t k = 0;
    for (int i = 0; i < PQntuples(r) && k < (size_t)limit; i++)
        review_row(r, i, &out[k++]);
    PQclear(r);
    *rows = out;
    *n = k;
    return 0;
}

int pg__review_counts(osafe_store *base, const char *eval_id,
                      store_review_count *out, size_t *n, osafe_err *e)
{
    *n = 0;
    PGresult *r;
    int rc = pg__run(S(base), e, &r, 1,
                     "SELECT expected, automatic, label, count(*) FROM "
                     "evaluation_reviews WHERE evaluation_id = $1 GROUP BY "
                     "1, 2, 3 ORDER BY expected COLLATE \"C\", automatic "
                     "COLLATE \"C\", label COLLATE \"C\"",
                     "s", eval_id);
    if (rc)
        return rc;
    for (int i = 0; i < PQntuples(r) && *n < STORE_REVIEW_COUNTS_MAX; i++) {
        store_review_count *c = &out[(*n)++];
        pg__text(c->expected, sizeof c->expected, r, i, 0);
        pg__text(c->automatic, sizeof c->automatic, r, i, 1);
        pg__text(c->label, sizeof c->label, r, i, 2);
        c->n = pg__int(r, i, 3);
    }
    PQclear(r);
    return 0;
}
