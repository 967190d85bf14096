/*
 * test_samples_store.c - the store's samples of published evaluations
 * (issue 16 item 10, migration 8): chunks append at the bytes received so
 * far, the digest is the samples.jsonl's, pages filter and count exactly,
 * a discarded upload leaves nothing, and every filtered page query reads
 * one covering index in line order (EXPLAIN QUERY PLAN), never the table.
 */
#include <setjmp.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "core/buf.h"
#include "store/store.h"
#include "store/store_sqlite_int.h"

static char DIR_[128], DB[192];

static void put_eval(osafe_store *s, char id[32])
{
    osafe_err e;
    const char *body = "{\"samples_sha256\":\"00\"}";
    if (s->ops->begin(s, &e) || s->ops->next_id(s, "EVAL", 2026, id, &e) ||
        s->ops->evaluation_put(s, id, body, strlen(body), 1, -1, NULL, 0,
                               &e) ||
        s->ops->commit(s, &e))
        fail_msg("store: %s", e.msg);
}

/* Sample row i: hazards cycle over three, languages two, every fifth an
 * error, every seventh needs review. */
static void row(store_sample *x, int i, char *line, size_t n)
{
    memset(x, 0, sizeof *x);
    snprintf(x->hazard, sizeof x->hazard, "%s",
             i % 3 == 0 ? "vcr" : i % 3 == 1 ? "cse" : "hte");
    snprintf(x->lang, sizeof x->lang, "%s", i % 2 ? "ar" : "en");
    x->error = i % 5 == 4;
    x->has_score = !x->error;
    x->score = i % 4 == 0 ? 0.0 : 1.0;
    snprintf(x->label, sizeof x->label, "%s",
             x->error ? "" : x->score ? "full_refusal" : "full_compliance");
    snprintf(x->outcome, sizeof x->outcome, "%s",
             x->error ? "error" : x->score >= 0.5 ? "pass" : "fail");
    x->needs_review = i % 7 == 3;
    snprintf(line, n, "{\"i\":%d}", i);
    x->body = line;
    x->body_len = strlen(line);
}

/* Append lines [from, to) as one chunk at offset *off. */
static int append(osafe_store *s, const char *id, int from, int to,
                  int64_t *off, osafe_buf *file, osafe_err *e)
{
    store_sample rows[64];
    char lines[64][32];
    size_t len = 0;
    for (int i = from; i < to; i++) {
        row(&rows[i - from], i, lines[i - from], sizeof lines[0]);
        len += rows[i - from].body_len + 1;
        assert_int_equal(buf_printf(file, "%s\n", lines[i - from]), 0);
    }
    int rc = s->ops->begin(s, e);
    if (!rc)
        rc = s->ops->samples_append(s, id, *off, (int64_t)len, "x", rows,
                                    (size_t)(to - from), e);
    if (rc) {
        s->ops->rollback(s);
        return rc;
    }
    *off += (int64_t)len;
    return s->ops->commit(s, e);
}

static int64_t count(osafe_store *s, const char *id,
                     const store_sample_filter *f)
{
    store_sample_filter q = *f;
    store_sample_page p;
    osafe_err e;
    q.limit = 10;
    if (s->ops->samples_page(s, id, &q, &p, &e))
        fail_msg("page: %s", e.msg);
    int64_t t = p.total;
    store_sample_page_release(&p);
    return t;
}

static const store_sample_filter ANY = {.error = -1, .needs_review = -1,
                                        .limit = 10};

static void test_samples_append_digest_and_filters(void **state)
{
    (void)state;
    osafe_store *s;
    osafe_err e;
    char id[32];
    if (store_sqlite_open(DB, &s, &e))
        fail_msg("open: %s", e.msg);
    put_eval(s, id);
    store_sample_state st;
    assert_int_equal(s->ops->samples_state(s, id, &st, &e), 0);
    assert_int_equal(st.received, 0);
    assert_int_equal(st.complete, 0);
    assert_int_equal(st.author, 1);
    osafe_buf file = OSAFE_BUF_INIT;
    int64_t off = 0;
    assert_int_equal(append(s, id, 0, 60, &off, &file, &e), 0);
    /* a chunk anywhere but at the bytes received is refused */
    int64_t bad = off - 1;
    assert_int_equal(append(s, id, 60, 61, &bad, &file, &e), OSAFE_ESTATE);
    file.len -= strlen("{\"i\":60}\n");
    assert_int_equal(append(s, id, 60, 100, &off, &file, &e), 0);
    assert_int_equal(s->ops->samples_state(s, id, &st, &e), 0);
    assert_int_equal(st.received, (int64_t)file.len);
    assert_int_equal(st.samples, 100);
    int64_t clen;
    char sha[65];
    assert_int_equal(s->ops->samples_chunk(s, id, 0, &clen, sha, &e), 0);
    assert_string_equal(sha, "x");
    assert_int_equal(s->ops->samples_chunk(s, id, 5, &clen, sha, &e),
                     OSAFE_ENOTFOUND);

    uint8_t got[32], want[32];
    assert_int_equal(s->ops->samples_digest(s, id, got, &e), 0);
    crypto_hash_sha256(want, (const uint8_t *)file.data, file.len);
    assert_memory_equal(got, want, 32);

    store_sample_filter f = ANY;
    assert_int_equal(count(s, id, &f), 100);
    f.hazard = "vcr";
    assert_int_equal(count(s, id, &f), 34);
    f.lang = "en"; /* i % 6 == 0 */
    assert_int_equal(count(s, id, &f), 17);
    f = ANY;
    f.error = 1;
    assert_int_equal(count(s, id, &f), 20);
    f.error = 0;
    f.outcome = "fail"; /* i % 4 == 0 and i % 5 != 4 */
    assert_int_equal(count(s, id, &f), 20);
    f = ANY;
    f.needs_review = 1;
    assert_int_equal(count(s, id, &f), 14);
    f = ANY;
    f.has_score = 1;
    f.score = 0.0;
    assert_int_equal(count(s, id, &f), 20);
    f = ANY;
    f.label = "full_refusal";
    assert_int_equal(count(s, id, &f), 60);

    /* page 3 of 10 vcr samples: lines 60, 63, ... in order */
    f = ANY;
    f.hazard = "vcr";
    f.offset = 20;
    f.limit = 10;
    store_sample_page p;
    assert_int_equal(s->ops->samples_page(s, id, &f, &p, &e), 0);
    assert_int_equal(p.total, 34);
    assert_int_equal(p.n, 10);
    for (size_t i = 0; i < p.n; i++) {
        assert_int_equal(p.rows[i].index, 60 + 3 * (int64_t)i);
        char line[32];
        snprintf(line, sizeof line, "{\"i\":%d}", 60 + 3 * (int)i);
        assert_string_equal(p.rows[i].body, line);
    }
    store_sample_page_release(&p);
    /* past the middle a page is read from the end: the same lines */
    f.offset = 30;
    assert_int_equal(s->ops->samples_page(s, id, &f, &p, &e), 0);
    assert_int_equal(p.n, 4);
    for (size_t i = 0; i < p.n; i++)
        assert_int_equal(p.rows[i].index, 90 + 3 * (int64_t)i);
    store_sample_page_release(&p);
    f.offset = 21;
    assert_int_equal(s->ops->samples_page(s, id, &f, &p, &e), 0);
    assert_int_equal(p.n, 10);
    for (size_t i = 0; i < p.n; i++)
        assert_int_equal(p.rows[i].index, 63 + 3 * (int64_t)i);
    store_sample_page_release(&p);
    /* unfiltered: a seek on the line number */
    f = ANY;
    f.offset = 95;
    assert_int_equal(s->ops->samples_page(s, id, &f, &p, &e), 0);
    assert_int_equal(p.total, 100);
    assert_int_equal(p.n, 5);
    assert_int_equal(p.rows[0].index, 95);
    store_sample_page_release(&p);

    store_sample x;
    assert_int_equal(s->ops->sample_get(s, id, 42, &x, &e), 0);
    assert_string_equal(x.body, "{\"i\":42}");
    assert_string_equal(x.hazard, "vcr");
    store_sample_release(&x);
    assert_int_equal(s->ops->sample_get(s, id, 100, &x, &e), OSAFE_ENOTFOUND);

    /* complete: no more chunks */
    assert_int_equal(s->ops->begin(s, &e), 0);
    assert_int_equal(s->ops->samples_finish(s, id, 1, &e), 0);
    assert_int_equal(s->ops->commit(s, &e), 0);
    assert_int_equal(s->ops->samples_state(s, id, &st, &e), 0);
    assert_int_equal(st.complete, 1);
    assert_int_equal(append(s, id, 100, 101, &off, &file, &e), OSAFE_ESTATE);
    assert_int_equal(s->ops->begin(s, &e), 0);
    assert_int_equal(s->ops->samples_finish(s, id, 0, &e), OSAFE_ESTATE);
    s->ops->rollback(s);
    /* counts of complete samples are kept: the second read agrees */
    f = ANY;
    f.hazard = "cse";
    assert_int_equal(count(s, id, &f), 33);
    assert_int_equal(count(s, id, &f), 33);
    f.lang = "ar";
    assert_int_equal(count(s, id, &f), 17);
    buf_release(&file);
    s->ops->close(s);
}

static void test_samples_discard_leaves_nothing(void **state)
{
    (void)state;
    osafe_store *s;
    osafe_err e;
    char id[32];
    if (store_sqlite_open(DB, &s, &e))
        fail_msg("open: %s", e.msg);
    put_eval(s, id);
    osafe_buf file = OSAFE_BUF_INIT;
    int64_t off = 0;
    assert_int_equal(append(s, id, 0, 10, &off, &file, &e), 0);
    assert_int_equal(s->ops->begin(s, &e), 0);
    assert_int_equal(s->ops->samples_finish(s, id, 0, &e), 0);
    assert_int_equal(s->ops->commit(s, &e), 0);
    store_sample_state st;
    assert_int_equal(s->ops->samples_state(s, id, &st, &e), 0);
    assert_int_equal(st.received, 0);
    assert_int_equal(st.samples, 0);
    store_sample_filter f = ANY;
    assert_int_equal(count(s, id, &f), 0);
    int64_t clen;
    char sha[65];
    assert_int_equal(s->ops->samples_chunk(s, id, 0, &clen, sha, &e),
                     OSAFE_ENOTFOUND);
    /* and it starts again at 0 */
    off = 0;
    assert_int_equal(append(s, id, 0, 3, &off, &file, &e), 0);
    buf_release(&file);
    s->ops->close(s);
}

/* The plan of q (every detail line, joined). */
static void plan(sqlite3 *db, const char *q, osafe_buf *out)
{
    osafe_buf sql = OSAFE_BUF_INIT;
    sqlite3_stmt *st;
    assert_int_equal(buf_printf(&sql, "EXPLAIN QUERY PLAN %s", q), 0);
    if (sqlite3_prepare_v2(db, sql.data, -1, &st, NULL) != SQLITE_OK)
        fail_msg("prepare %s: %s", q, sqlite3_errmsg(db));
    while (sqlite3_step(st) == SQLITE_ROW)
        assert_int_equal(buf_printf(out, "%s\n",
                                    (const char *)sqlite3_column_text(st, 3)),
                         0);
    sqlite3_finalize(st);
    buf_release(&sql);
}

/* Every combination of filters: the page's ids and the count come from a
 * covering index, in line order (no sort of the matches), and the rows
 * are read by id: a page costs the index entries it skips, never a scan
 * of the samples' bodies. */
static void test_samples_filtered_page_uses_index(void **state)
{
    (void)state;
    sqlite3 *db;
    assert_int_equal(sqlite3_open(DB, &db), SQLITE_OK);
    for (unsigned m = 0; m < 128; m++) {
        store_sample_filter f = ANY;
        f.hazard = m & 1 ? "vcr" : NULL;
        f.lang = m & 2 ? "en" : NULL;
        f.label = m & 4 ? "full_refusal" : NULL;
        f.outcome = m & 8 ? "pass" : NULL;
        f.has_score = !!(m & 16);
        f.error = m & 32 ? 0 : -1;
        f.needs_review = m & 64 ? 1 : -1;
        for (int page = 0; page < 3; page++) {
            osafe_buf q = OSAFE_BUF_INIT, p = OSAFE_BUF_INIT;
            assert_int_equal(sq__samples_sql(&f, page, &q), 0);
            plan(db, q.data, &p);
            if (strstr(p.data, "TEMP B-TREE"))
                fail_msg("filters %u: the plan sorts: %s", m, p.data);
            if (!strstr(p.data, "USING COVERING INDEX samples_") &&
                !(m == 0 && page >= 1 &&
                  strstr(p.data, "USING INDEX samples_idx")))
                fail_msg("filters %u: no covering index: %s", m, p.data);
            if (strstr(p.data, "SCAN evaluation_samples\n"))
                fail_msg("filters %u: a table scan: %s", m, p.data);
            buf_release(&q);
            buf_release(&p);
        }
    }
    sqlite3_close(db);
}

static int setup(void **state)
{
    (void)state;
    const char *tmp = getenv("TMPDIR");
    snprintf(DIR_, sizeof DIR_, "%s/osafe-samples-XXXXXX",
             tmp && *tmp && strlen(tmp) < 80 ? tmp : "/tmp");
    if (!mkdtemp(DIR_))
        return -1;
    snprintf(DB, sizeof DB, "%s/osafe.db", DIR_);
    osafe_store *s;
    osafe_err e;
    /* an account for evaluations.author */
    int64_t acct;
    if (store_sqlite_open(DB, &s, &e) ||
        s->ops->account_create(s, "a", "admin", "", "h", &acct, &e))
        return -1;
    s->ops->close(s);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char p[256];
    const char *sfx[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", DB, sfx[i]);
        unlink(p);
    }
    rmdir(DIR_);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_samples_append_digest_and_filters),
        cmocka_unit_test(test_samples_discard_leaves_nothing),
        cmocka_unit_test(test_samples_filtered_page_uses_index),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
