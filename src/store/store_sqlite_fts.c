/*
 * store_sqlite_fts.c - writing the search text: two FTS5 indexes over the
 * same folded text (fts_words: unicode61 words; fts_tri: trigrams), their
 * rows keyed by fts_keys (migration 5), written once per transaction.
 *
 * Why the text waits for the commit: FTS5 gathers a transaction's rows in
 * memory and writes them as one segment at commit, but it must also write
 * them out at every savepoint (its xSavepoint flushes the pending terms),
 * and inside a transaction SQLite opens a statement savepoint for most
 * writes (every one under a foreign key: the records row of each
 * publication).  Indexed at once, each record of a 1,024-record import
 * became its own small segment of both indexes, merged over and over:
 * half of an import's instructions.  So inside a write transaction the
 * text goes to a TEMP table (in memory: temp_store = MEMORY; savepoints
 * and rollbacks undo its rows like any others) and sq__fts_flush moves it
 * into both indexes in four statements just before COMMIT.  Outside a
 * transaction it goes straight in.  Nothing searches on a connection
 * inside its own write transaction, the only reader the wait would miss.
 *
 * A record's working version (published 0) whose text is its published
 * version's has no row of its own: the search reads the published row
 * for it (store_sqlite_query.c, and store_copy.c copies that row as
 * both).  A publication indexes the same text as both, and tokenizing it
 * twice, into two indexes each, was a third of an import's CPU.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "store/store_int.h"
#include "store/store_sqlite_int.h"

int sq__fts_stage_init(struct sq_store *s, osafe_err *e)
{
    return sq__exec(s,
                    "CREATE TEMP TABLE IF NOT EXISTS fts_stage("
                    "  key INTEGER PRIMARY KEY,"
                    "  record_id TEXT NOT NULL,"
                    "  published INTEGER NOT NULL,"
                    "  text TEXT)", /* NULL: only delete the key's rows */
                    e);
}

/* Both indexes' row for key (replacing the one there) at once. */
static int index_now(struct sq_store *s, sqlite3_int64 key, const char *id,
                     int published, const char *text, osafe_err *e)
{
    static const char *const tables[] = {"fts_words", "fts_tri"};
    sqlite3_stmt *st;
    int rc = 0;
    for (int t = 0; t < 2 && !rc; t++) {
        char sql[160];
        snprintf(sql, sizeof sql, "DELETE FROM %s WHERE rowid = ?",
                 tables[t]);
        if ((rc = sq__prepare(s, &st, sql, e)))
            return rc;
        sqlite3_bind_int64(st, 1, key);
        if ((rc = sq__done(s, st, e)))
            return rc;
        snprintf(sql, sizeof sql,
                 "INSERT INTO %s(rowid, record_id, published, text) "
                 "VALUES (?,?,?,?)",
                 tables[t]);
        if ((rc = sq__prepare(s, &st, sql, e)))
            return rc;
        sqlite3_bind_int64(st, 1, key);
        sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, published);
        sqlite3_bind_text(st, 4, text, -1, SQLITE_STATIC);
        rc = sq__done(s, st, e);
    }
    return rc;
}

static int index_rows(struct sq_store *s, const char *id, int published,
                      const char *text, osafe_err *e)
{
    /* The rows' rowid is their fts_keys id: found through an index, where
     * record_id, UNINDEXED in FTS5, would scan it all. */
    sqlite3_stmt *st;
    int rc = sq__prepare(s, &st,
                        "INSERT OR IGNORE INTO fts_keys(record_id, published) "
                        "VALUES (?, ?)",
                        e);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, published);
    if ((rc = sq__done(s, st, e)) ||
        (rc = sq__prepare(s, &st,
                         "SELECT id FROM fts_keys WHERE record_id = ? AND "
                         "published = ?",
                         e)))
        return rc;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, published);
    int step = sqlite3_step(st);
    sqlite3_int64 key = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sq__release(s, st);
    if (step != SQLITE_ROW)
        return osafe_errf(e, OSAFE_EIO, "database: no text index key for %s",
                          id);
    if (sqlite3_get_autocommit(s->db))
        return index_now(s, key, id, published, text, e);
    if ((rc = sq__prepare(s, &st,
                         "INSERT OR REPLACE INTO temp.fts_stage(key, "
                         "record_id, published, text) VALUES (?,?,?,?)",
                         e)))
        return rc;
    sqlite3_bind_int64(st, 1, key);
    sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, published);
    sqlite3_bind_text(st, 4, text, -1, SQLITE_STATIC);
    rc = sq__done(s, st, e);
    if (!rc)
        s->fts_staged = 1;
    return rc;
}

/* The working version of id reads as its published one: its own key and
 * rows, if any, go. */
static int drop_working(struct sq_store *s, const char *id, osafe_err *e)
{
    sqlite3_stmt *st;
    int rc = sq__prepare(s, &st,
                        "SELECT id FROM fts_keys WHERE record_id = ? AND "
                        "published = 0",
                        e);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    sqlite3_int64 key = step == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sq__release(s, st);
    if (step == SQLITE_DONE)
        return 0; /* a fresh record, an import's */
    if (step != SQLITE_ROW)
        return osafe_errf(e, OSAFE_EIO, "database: text index key of %s: %s",
                          id, sqlite3_errmsg(s->db));
    if (sqlite3_get_autocommit(s->db))
        rc = sq__write(s, e, "DELETE FROM fts_words WHERE rowid = ?", "I",
                       (int64_t)key) ||
             sq__write(s, e, "DELETE FROM fts_tri WHERE rowid = ?", "I",
                       (int64_t)key);
    else if (!(rc = sq__write(s, e,
                              "INSERT OR REPLACE INTO temp.fts_stage(key, "
                              "record_id, published, text) VALUES "
                              "(?,?,0,NULL)",
                              "Is", (int64_t)key, id)))
        s->fts_staged = 1;
    if (rc)
        return rc < 0 ? rc : OSAFE_EIO;
    return sq__write(s, e, "DELETE FROM fts_keys WHERE id = ?", "I",
                     (int64_t)key);
}

int sq__index_put(osafe_store *base, const char *id, int published,
                  const char *text, osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    int same = s->fold_in && !strcmp(s->fold_in, text);
    /* the published text just indexed, again as the working version's */
    int alias = !published && same && !strcmp(s->pub_id, id);
    snprintf(s->pub_id, sizeof s->pub_id, "%s", published ? id : "");
    if (alias)
        return drop_working(s, id, e);
    if (!same) {
        osafe_buf folded = OSAFE_BUF_INIT;
        free(s->fold_in);
        free(s->fold_out);
        s->fold_in = strdup(text);
        s->fold_out = NULL;
        if (!store__fold(text, &folded))
            s->fold_out = buf_detach(&folded, NULL);
        buf_release(&folded);
        if (!s->fold_in || !s->fold_out) {
            free(s->fold_in);
            s->fold_in = NULL;
            return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
        }
    }
    return index_rows(s, id, published, s->fold_out, e);
}

int sq__fts_flush(struct sq_store *s, osafe_err *e)
{
    static const char *const sql[] = {
        "DELETE FROM fts_words WHERE rowid IN (SELECT key FROM "
        "temp.fts_stage)",
        "DELETE FROM fts_tri WHERE rowid IN (SELECT key FROM temp.fts_stage)",
        "INSERT INTO fts_words(rowid, record_id, published, text) "
        "SELECT key, record_id, published, text FROM temp.fts_stage "
        "WHERE text IS NOT NULL",
        "INSERT INTO fts_tri(rowid, record_id, published, text) "
        "SELECT key, record_id, published, text FROM temp.fts_stage "
        "WHERE text IS NOT NULL",
        "DELETE FROM temp.fts_stage",
    };
    if (!s->fts_staged)
        return 0;
    for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
        sqlite3_stmt *st;
        int rc = sq__prepare(s, &st, sql[i], e);
        if (!rc)
            rc = sq__done(s, st, e);
        if (rc)
            return osafe_errprefix(e, "search text: ");
    }
    s->fts_staged = 0;
    return 0;
}

int sq__fts_forget(struct sq_store *s, const char *id, osafe_err *e)
{
    if (!s->fts_staged)
        return 0;
    return sq__write(s, e, "DELETE FROM temp.fts_stage WHERE record_id = ?",
                     "s", id);
}
