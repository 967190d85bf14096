/*
 * test_store_fts.c - the SQLite search text of a write transaction goes
 * into the FTS5 indexes once, at commit (store_sqlite_fts.c, issue 13):
 * a batch of publications writes a few index pages, not a segment per
 * record (FTS5 flushed its pending rows at every statement savepoint: half
 * of an import's CPU), and the staged text follows savepoints, rollbacks
 * and discards like any row.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "store/store.h"
#include "store/store_sqlite_int.h"

static char DIR_[128], DB[192];
static int64_t ACCT;

static int reads_all(const void *who, int64_t owner, const char *org,
                     const char *tlp, int published)
{
    (void)who, (void)owner, (void)org, (void)tlp, (void)published;
    return 1;
}

/* A published record id with its text (word w), as an import writes it:
 * the row, both index rows, then the row again (an UPDATE under a
 * foreign key, which opens a statement savepoint); "renamed..." indexes
 * the record again. */
static void put(osafe_store *s, const char *id, const char *w)
{
    osafe_err e;
    store_record r;
    memset(&r, 0, sizeof r);
    snprintf(r.id, sizeof r.id, "%s", id);
    snprintf(r.state, sizeof r.state, "published");
    snprintf(r.tlp, sizeof r.tlp, "CLEAR");
    snprintf(r.pub_tlp, sizeof r.pub_tlp, "CLEAR");
    r.owner = ACCT;
    r.version = 1;
    r.published_version = 1;
    snprintf(r.created, sizeof r.created, "2026-12-08T00:00:00Z");
    snprintf(r.modified, sizeof r.modified, "2026-12-08T00:00:00Z");
    char text[128];
    snprintf(text, sizeof text, "%s\nincident %s in a chat model\n", id, w);
    if ((strncmp(w, "renamed", 7) && s->ops->record_insert(s, &r, &e)) ||
        s->ops->index_put(s, id, 1, text, &e) ||
        s->ops->index_put(s, id, 0, text, &e) ||
        s->ops->record_update(s, &r, &e))
        fail_msg("put %s: %s", id, e.msg);
}

/* How many records the search for q finds. */
static size_t found(osafe_store *s, const char *q)
{
    osafe_err e;
    store_visibility vis = {reads_all, NULL};
    store_page p;
    memset(&p, 0, sizeof p);
    if (s->ops->search(s, &vis, q, 500, &p, &e))
        fail_msg("search %s: %s", q, e.msg);
    size_t n = p.n;
    store_page_release(&p);
    return n;
}

static int data_writes;

static int on_stmt(unsigned type, void *ctx, void *p, void *x)
{
    (void)type, (void)ctx, (void)p;
    const char *sql = x;
    /* FTS5's own statements, run inside ours, come as "-- SQL" */
    if (!strncmp(sql, "-- ", 3))
        sql += 3;
    if (!strncmp(sql, "REPLACE INTO", 12) && strstr(sql, "_data'"))
        data_writes++;
    return 0;
}

static void test_fts_batch_writes_index_once(void **state)
{
    (void)state;
    osafe_store *s;
    osafe_err e;
    if (store_sqlite_open(DB, &s, &e))
        fail_msg("open: %s", e.msg);
    sqlite3_trace_v2(((struct sq_store *)s)->db, SQLITE_TRACE_STMT, on_stmt,
                     NULL);
    data_writes = 0;
    assert_int_equal(s->ops->begin(s, &e), 0);
    char id[32], w[32];
    for (int i = 0; i < 200; i++) {
        snprintf(id, sizeof id, "B-%03d", i);
        snprintf(w, sizeof w, "word%03d", i);
        put(s, id, w);
    }
    assert_int_equal(s->ops->commit(s, &e), 0);
    /* One segment of 200 small records is a few pages of both indexes
     * (14; 28 with a row for each of published and working); flushed at
     * every savepoint it was a segment (and merges) per record: 1,267. */
    if (data_writes > 100)
        fail_msg("%d index page writes for one batch of 200 records",
                 data_writes);
    sqlite3_trace_v2(((struct sq_store *)s)->db, 0, NULL, NULL);
    assert_int_equal(found(s, "word057"), 1);
    assert_int_equal(found(s, "incident"), 200);
    /* a record indexed again replaces its text */
    assert_int_equal(s->ops->begin(s, &e), 0);
    put(s, "B-057", "renamed");
    assert_int_equal(s->ops->commit(s, &e), 0);
    assert_int_equal(found(s, "word057"), 0);
    assert_int_equal(found(s, "renamed"), 1);
    s->ops->close(s);
}

static void test_fts_staged_text_follows_the_transaction(void **state)
{
    (void)state;
    osafe_store *s;
    osafe_err e;
    if (store_sqlite_open(DB, &s, &e))
        fail_msg("open: %s", e.msg);
    /* a request undone inside its batch leaves no text */
    assert_int_equal(s->ops->begin(s, &e), 0);
    put(s, "S-1", "kept");
    assert_int_equal(s->ops->savepoint(s, STORE_SP_MARK, &e), 0);
    put(s, "S-2", "undone");
    assert_int_equal(s->ops->savepoint(s, STORE_SP_UNDO, &e), 0);
    assert_int_equal(s->ops->commit(s, &e), 0);
    assert_int_equal(found(s, "kept"), 1);
    assert_int_equal(found(s, "undone"), 0);
    /* nor does a rolled-back transaction, even after a later commit */
    assert_int_equal(s->ops->begin(s, &e), 0);
    put(s, "S-3", "rolled");
    s->ops->rollback(s);
    assert_int_equal(s->ops->begin(s, &e), 0);
    put(s, "S-4", "later");
    assert_int_equal(s->ops->commit(s, &e), 0);
    assert_int_equal(found(s, "rolled"), 0);
    assert_int_equal(found(s, "later"), 1);
    /* nor a draft discarded in the transaction that indexed it */
    assert_int_equal(s->ops->begin(s, &e), 0);
    put(s, "S-5", "discarded");
    assert_int_equal(s->ops->record_discard(s, "S-5", &e), 0);
    assert_int_equal(s->ops->commit(s, &e), 0);
    assert_int_equal(found(s, "discarded"), 0);
    /* outside a transaction the text goes straight in */
    assert_int_equal(s->ops->index_put(s, "S-4", 0, "S-4\nalone\n", &e), 0);
    assert_int_equal(found(s, "alone"), 1);
    s->ops->close(s);
}

static int count(osafe_store *s, const char *sql)
{
    sqlite3_stmt *st;
    int n = -1;
    if (sqlite3_prepare_v2(((struct sq_store *)s)->db, sql, -1, &st,
                           NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* A publication's text is indexed once: the working version (published
 * 0) reads the published row until a draft's own text replaces it. */
static void test_fts_published_text_indexed_once(void **state)
{
    (void)state;
    osafe_store *s;
    osafe_err e;
    if (store_sqlite_open(DB, &s, &e))
        fail_msg("open: %s", e.msg);
    assert_int_equal(s->ops->begin(s, &e), 0);
    put(s, "W-1", "alpha");
    assert_int_equal(s->ops->commit(s, &e), 0);
    assert_int_equal(count(s, "SELECT count(*) FROM fts_keys WHERE "
                              "record_id = 'W-1' AND published = 0"),
                     0);
    assert_int_equal(count(s, "SELECT count(*) FROM fts_words WHERE "
                              "record_id = 'W-1'"),
                     1);
    assert_int_equal(found(s, "alpha"), 1);
    /* a draft with other text: the working version reads it */
    assert_int_equal(s->ops->begin(s, &e), 0);
    assert_int_equal(s->ops->index_put(s, "W-1", 0, "W-1\nbeta\n", &e), 0);
    assert_int_equal(s->ops->commit(s, &e), 0);
    assert_int_equal(found(s, "beta"), 1);
    assert_int_equal(found(s, "alpha"), 0);
    /* published again: one row again, the new text */
    assert_int_equal(s->ops->begin(s, &e), 0);
    put(s, "W-1", "renamed gamma");
    assert_int_equal(s->ops->commit(s, &e), 0);
    assert_int_equal(found(s, "gamma"), 1);
    assert_int_equal(found(s, "beta"), 0);
    assert_int_equal(count(s, "SELECT count(*) FROM fts_words WHERE "
                              "record_id = 'W-1'"),
                     1);
    assert_int_equal(count(s, "SELECT count(*) FROM fts_tri WHERE "
                              "record_id = 'W-1'"),
                     1);
    s->ops->close(s);
}

static int setup(void **state)
{
    (void)state;
    snprintf(DIR_, sizeof DIR_, "/tmp/osafe-fts-XXXXXX");
    if (!mkdtemp(DIR_))
        return -1;
    snprintf(DB, sizeof DB, "%s/s.db", DIR_);
    osafe_store *s;
    osafe_err e;
    if (store_sqlite_open(DB, &s, &e) ||
        s->ops->account_create(s, "a", "admin", "", "h", &ACCT, &e))
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
        cmocka_unit_test(test_fts_batch_writes_index_once),
        cmocka_unit_test(test_fts_staged_text_follows_the_transaction),
        cmocka_unit_test(test_fts_published_text_indexed_once),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
