/*
 * store_copy.c - copy an SQLite registry into PostgreSQL (`osafe migrate`).
 *
 * Table by table in foreign-key order, rows in the source's insertion
 * order (rowid), a fixed number of rows per PostgreSQL transaction, every
 * insert "ON CONFLICT DO NOTHING": a rerun copies nothing (no change), an
 * interrupted run keeps the batches it committed and the next one copies
 * the rest.  Rows are copied as they are (ids, token hashes, log indexes,
 * entries, salts), never through the registry, so nothing is re-minted
 * or re-logged.  The search text is written through the PostgreSQL
 * backend's own index_put, which folds it as the backend searches.
 *
 * The source is opened read-only; a source at an older schema is first
 * brought up to date by opening it as the SQLite backend does.  A source
 * at a newer schema is copied only when nothing would be left behind: no
 * table or column the copier does not know holds data; otherwise it is
 * refused, naming the version and the table.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/limits.h"
#include "store/store_pg_int.h"

/* The SQLite schema version (PRAGMA user_version) whose tables the list
 * below describes completely (store_sqlite_migrations.c). */
#define COPY_SQLITE_SCHEMA 14

/* One table: its columns in both databases (one letter each in types: t
 * text or integer, passed as text; r real, passed as text with every
 * digit; b blob, passed as bytea), the order rows are read in, what a row
 * already in the target does, and the target's column names where they
 * differ (NULL: the same). */
struct copy_table {
    const char *name, *cols, *types, *order, *conflict, *dst;
};

static const struct copy_table tables[] = {
    {"accounts", "id,name,role,org,token_hash,created", "tttttt", "id",
     "DO NOTHING", NULL},
    {"records",
     "id,state,tlp,pub_tlp,org,owner,version,published_version,merged_into,"
     "created,modified",
     "ttttttttttt", "rowid", "DO NOTHING", NULL},
    {"versions",
     "record_id,version,state,tlp,body,author,created,modified,"
     "review_reason,reviewer,log_index,log_entry,salt",
     "tttttttttttbb", "rowid", "DO NOTHING", NULL},
    {"version_editors", "record_id,version,account", "ttt", "rowid",
     "DO NOTHING", NULL},
    {"links", "from_id,to_id,relation,author,created", "ttttt", "rowid",
     "DO NOTHING", NULL},
    {"evidence", "id,record_id,body,author,log_index,created,salt",
     "ttttttb", "id", "DO NOTHING", NULL},
    {"sources", "source_key,record_id,created", "ttt", "rowid",
     "DO NOTHING", NULL},
    /* a counter only moves forward: the higher value wins */
    {"counters", "name,value", "tt", "rowid",
     "(name) DO UPDATE SET value = excluded.value "
     "WHERE counters.value < excluded.value", NULL},
    /* insertion order is the listing's order (PostgreSQL's seq); a run
     * withdrawn since an earlier copy gets its withdrawal */
    {"evaluations",
     "id,body,author,log_index,log_entry,created,withdrawn,withdrawn_by,"
     "withdraw_reason,withdraw_log_index,withdraw_entry",
     "ttttbtttttb", "rowid",
     "(id) DO UPDATE SET withdrawn = excluded.withdrawn, "
     "withdrawn_by = excluded.withdrawn_by, "
     "withdraw_reason = excluded.withdraw_reason, "
     "withdraw_log_index = excluded.withdraw_log_index, "
     "withdraw_entry = excluded.withdraw_entry "
     "WHERE evaluations.withdrawn IS NULL AND excluded.withdrawn IS NOT NULL",
     NULL},
    {"sessions", "id_hash,account,csrf,created,expires", "ttttt", "rowid",
     "DO NOTHING", NULL},
    {"log_extra", "log_index,kind,record_id,version,entry,created",
     "ttttbt", "log_index", "DO NOTHING", NULL},
    /* evaluation samples (SQLite 8, PostgreSQL 2): an upload's progress
     * only grows, so a copy taken mid-upload is completed by a rerun */
    {"sample_uploads", "id,eval_id,received,samples,complete,modified",
     "tttttt", "id",
     "(id) DO UPDATE SET received = excluded.received, "
     "samples = excluded.samples, complete = excluded.complete, "
     "modified = excluded.modified "
     "WHERE sample_uploads.received < excluded.received OR "
     "(sample_uploads.complete IS NULL AND excluded.complete IS NOT NULL)",
     NULL},
    /* "offset" is reserved in PostgreSQL: chunk_offset there */
    {"sample_chunks", "upload,\"offset\",len,sha256", "tttt", "rowid",
     "DO NOTHING", "upload,chunk_offset,len,sha256"},
    {"evaluation_samples",
     "id,upload,idx,hazard,lang,label,outcome,score,error,needs_review,body",
     "tttttttrttb", "id", "DO NOTHING", NULL},
    /* a sample's label replaced since an earlier copy: the later review */
    {"evaluation_reviews",
     "evaluation_id,sample_index,label,automatic,expected,reviewer,"
     "reviewed,log_index",
     "tttttttt", "rowid",
     "(evaluation_id, sample_index) DO UPDATE SET label = excluded.label, "
     "reviewer = excluded.reviewer, reviewed = excluded.reviewed, "
     "log_index = excluded.log_index "
     "WHERE evaluation_reviews.log_index < excluded.log_index",
     NULL},
    /* federation (SQLite 10, PostgreSQL 3): a peer's sync position only
     * moves forward, and with it what was mirrored from it */
    {"peers",
     "url,origin,vkey,token_env,state,checkpoint,size,taken,taken_root,"
     "seen_size,last_sync,last_error,added",
     "ttttttttbtttt", "rowid",
     "(url) DO UPDATE SET state = excluded.state, "
     "checkpoint = excluded.checkpoint, size = excluded.size, "
     "taken = excluded.taken, taken_root = excluded.taken_root, "
     "seen_size = excluded.seen_size, last_sync = excluded.last_sync, "
     "last_error = excluded.last_error "
     "WHERE peers.taken < excluded.taken OR peers.size < excluded.size OR "
     "peers.state <> excluded.state",
     NULL},
    {"peer_checkpoints", "origin,size,note,created", "tttt", "rowid",
     "DO NOTHING", NULL},
    {"mirrored_records",
     "origin,origin_id,version,origin_log_index,peer_url,checkpoint_size,"
     "body,withdrawn,withdraw_log_index,created,tlp,org,salt",
     "ttttttttttttt", "rowid",
     "(origin, origin_id) DO UPDATE SET version = excluded.version, "
     "tlp = excluded.tlp, org = excluded.org, salt = excluded.salt, "
     "origin_log_index = excluded.origin_log_index, "
     "peer_url = excluded.peer_url, "
     "checkpoint_size = excluded.checkpoint_size, body = excluded.body, "
     "withdrawn = excluded.withdrawn, "
     "withdraw_log_index = excluded.withdraw_log_index "
     "WHERE mirrored_records.origin_log_index < excluded.origin_log_index "
     "OR (mirrored_records.withdrawn = '' AND excluded.withdrawn <> '')",
     NULL},
    /* SQLite 13, PostgreSQL 7: a mirrored evaluation only gains its
     * withdrawal */
    {"mirrored_evaluations",
     "origin,origin_id,origin_log_index,peer_url,checkpoint_size,body,"
     "withdrawn,withdraw_log_index,created",
     "ttttttttt", "rowid",
     "(origin, origin_id) DO UPDATE SET withdrawn = excluded.withdrawn, "
     "withdraw_log_index = excluded.withdraw_log_index "
     "WHERE mirrored_evaluations.withdrawn = '' AND "
     "excluded.withdrawn <> ''",
     NULL},
    {"split_views",
     "id,peer_url,origin,old_note,new_note,proof,reason,created",
     "tttttttt", "id", "DO NOTHING", NULL},
    {"witness_state", "origin,size,root,note,updated", "ttbtt", "rowid",
     "(origin) DO UPDATE SET size = excluded.size, root = excluded.root, "
     "note = excluded.note, updated = excluded.updated "
     "WHERE witness_state.size < excluded.size",
     NULL},
    /* our own witnesses (SQLite 12, PostgreSQL 5): a later cosignature
     * replaces an earlier one */
    {"cosigners",
     "url,vkey,name,size,note,cosig,cosig_time,last_try,last_error,added",
     "tttttttttt", "rowid",
     "(url) DO UPDATE SET size = excluded.size, note = excluded.note, "
     "cosig = excluded.cosig, cosig_time = excluded.cosig_time, "
     "last_try = excluded.last_try, last_error = excluded.last_error "
     "WHERE cosigners.size < excluded.size OR "
     "cosigners.cosig_time < excluded.cosig_time",
     NULL},
    /* refused GREEN/AMBER records to fetch again (SQLite 14, PG 8) */
    {"peer_refused",
     "peer_url,log_index,origin,origin_id,version,tlp,commitment,why,tries,"
     "first",
     "tttttttttt", "rowid",
     "(peer_url, log_index) DO UPDATE SET why = excluded.why, "
     "tries = excluded.tries WHERE peer_refused.tries < excluded.tries",
     NULL},
};
#define NTABLES (sizeof tables / sizeof tables[0])
_Static_assert(NTABLES < STORE_COPY_TABLES, "STORE_COPY_TABLES too small");

/* SQLite's own tables and the text indexes' shadow tables, which the
 * search text copy (fts_keys + fts_words) stands for. */
static int is_index_table(const char *name)
{
    return !strncmp(name, "sqlite_", 7) || !strncmp(name, "fts_", 4);
}

static const struct copy_table *known(const char *name)
{
    for (size_t i = 0; i < NTABLES; i++)
        if (!strcmp(tables[i].name, name))
            return &tables[i];
    return NULL;
}

static int sq_fail(sqlite3 *db, osafe_err *e, const char *what)
{
    return osafe_errf(e, OSAFE_EIO, "source %s: %s", what,
                      sqlite3_errmsg(db));
}

static int sq_int(sqlite3 *db, const char *sql, int64_t *out, osafe_err *e)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return sq_fail(db, e, "query");
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sq_fail(db, e, "query");
}

/* 1 if column col is in the comma-separated list cols. */
static int has_col(const char *cols, const char *col)
{
    size_t n = strlen(col);
    for (const char *p = cols; *p;) {
        size_t k = strcspn(p, ",");
        if (k == n && !strncmp(p, col, n))
            return 1;
        if (k == n + 2 && *p == '"' && !strncmp(p + 1, col, n))
            return 1; /* quoted: "offset" */
        p += k + (p[k] == ',');
    }
    return 0;
}

/* A newer schema: refuse if a table or column the copier does not know
 * holds anything (it would be left behind). */
static int check_unknown(sqlite3 *db, int64_t version, osafe_err *e)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT t.name, c.name FROM sqlite_master t, "
                               "pragma_table_info(t.name) c "
                               "WHERE t.type = 'table'", -1, &st,
                           NULL) != SQLITE_OK)
        return sq_fail(db, e, "schema");
    int rc = 0, step;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 0);
        const char *c = (const char *)sqlite3_column_text(st, 1);
        const struct copy_table *k = known(t);
        if (is_index_table(t) || (k && has_col(k->cols, c)))
            continue;
        char sql[512];
        int64_t n = 0;
        /* names come from the file's own schema; quoted as identifiers */
        snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\" WHERE \"%s\" "
                 "IS NOT NULL", t, c);
        if ((rc = sq_int(db, sql, &n, e)))
            break;
        if (n)
            rc = osafe_errf(e, OSAFE_EUNSUPPORTED,
                            "SQLite schema version %lld is newer than this "
                            "migrate knows (%d): %s.%s holds data it cannot "
                            "copy yet", (long long)version,
                            COPY_SQLITE_SCHEMA, t, c);
    }
    sqlite3_finalize(st);
    return rc;
}

/* Open the source read-only at a schema the copier can read. */
static int open_source(const char *path, sqlite3 **out, osafe_err *e)
{
    *out = NULL;
    if (access(path, R_OK) != 0)
        return osafe_errf(e, OSAFE_ENOTFOUND, "no database %s", path);
    sqlite3 *db;
    int64_t v = 0;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
                     SQLITE_OK
                 ? sq_fail(db, e, path)
                 : sq_int(db, "PRAGMA user_version", &v, e);
    if (!rc && v == 0)
        rc = osafe_errf(e, OSAFE_EINVAL, "%s is not an osafe registry "
                                         "(schema version 0)", path);
    if (!rc && v < COPY_SQLITE_SCHEMA) {
        /* bring it up to date the way every command would */
        sqlite3_close(db);
        osafe_store *s;
        if ((rc = store_sqlite_open(path, &s, e)))
            return rc;
        s->ops->close(s);
        return open_source(path, out, e);
    }
    if (!rc && v > COPY_SQLITE_SCHEMA)
        rc = check_unknown(db, v, e);
    if (rc) {
        sqlite3_close(db);
        return rc;
    }
    *out = db;
    return 0;
}

/* The target must be empty or an earlier copy of this source: every
 * account it holds is the source's (same id, same token hash) and it has
 * no record the source lacks.  Otherwise copying would mix registries. */
static int check_target(sqlite3 *db, struct pg_store *pg, osafe_err *e)
{
    PGresult *r;
    int rc = pg__run(pg, e, &r, 0, "SELECT id, token_hash FROM accounts",
                     "");
    sqlite3_stmt *st = NULL;
    if (!rc && sqlite3_prepare_v2(db, "SELECT token_hash FROM accounts "
                                      "WHERE id = ?", -1, &st,
                                  NULL) != SQLITE_OK)
        rc = sq_fail(db, e, "accounts");
    for (int i = 0; !rc && i < PQntuples(r); i++) {
        int64_t id = pg__int(r, i, 0);
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, id);
        const char *h = sqlite3_step(st) == SQLITE_ROW
                            ? (const char *)sqlite3_column_text(st, 0)
                            : NULL;
        if (!h || strcmp(h, PQgetvalue(r, i, 1)))
            rc = osafe_errf(e, OSAFE_ESTATE,
                            "the target already holds account %lld, which "
                            "the source does not: migrate into an empty "
                            "database", (long long)id);
    }
    sqlite3_finalize(st);
    if (r)
        PQclear(r);
    int64_t src = 0;
    if (rc || (rc = sq_int(db, "SELECT count(*) FROM records", &src, e)) ||
        (rc = pg__run(pg, e, &r, 0, "SELECT count(*) FROM records", "")))
        return rc;
    int64_t dst = pg__int(r, 0, 0);
    PQclear(r);
    if (dst > src)
        rc = osafe_errf(e, OSAFE_ESTATE,
                        "the target holds %lld records, the source %lld: "
                        "migrate into an empty database", (long long)dst,
                        (long long)src);
    return rc;
}

/* Bind row st's columns as the parameters of one insert and run it;
 * *added is 1 when the row was written. */
static int copy_row(struct pg_store *pg, sqlite3_stmt *st,
                    const struct copy_table *t, const char *stmt_name,
                    int *added, osafe_err *e)
{
    enum { MAXC = 16 };
    const char *vals[MAXC];
    int lens[MAXC], fmts[MAXC];
    char num[MAXC][32];
    int n = (int)strlen(t->types);
    for (int i = 0; i < n; i++) {
        int null = sqlite3_column_type(st, i) == SQLITE_NULL;
        fmts[i] = t->types[i] == 'b';
        if (t->types[i] == 'r' && !null) {
            /* SQLite's own text of a real keeps 15 digits: 17 round-trip */
            snprintf(num[i], sizeof num[i], "%.17g",
                     sqlite3_column_double(st, i));
            vals[i] = num[i];
            lens[i] = 0;
        } else if (fmts[i]) {
            const void *p = sqlite3_column_blob(st, i);
            lens[i] = sqlite3_column_bytes(st, i);
            vals[i] = null ? NULL : p ? (const char *)p : "";
        } else {
            vals[i] = null ? NULL : (const char *)sqlite3_column_text(st, i);
            lens[i] = 0;
        }
    }
    PGresult *r = PQexecPrepared(pg->c, stmt_name, n, vals, lens, fmts, 0);
    int ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
    int rc = ok ? 0
                : osafe_errf(e, OSAFE_EIO, "copying a row of %s: %.*s",
                             t->name,
                             (int)strcspn(PQerrorMessage(pg->c), "\n"),
                             PQerrorMessage(pg->c));
    *added = ok && !strcmp(PQcmdTuples(r), "1");
    PQclear(r);
    return rc;
}

/* Copy one table, OSAFE_MIGRATE_BATCH_ROWS rows per transaction. */
static int copy_table(sqlite3 *db, struct pg_store *pg,
                      const struct copy_table *t, store_copy_count *c,
                      osafe_err *e)
{
    char sql[1024], name[64];
    osafe_buf ins = OSAFE_BUF_INIT;
    OSAFE_IGNORE(buf_printf(&ins, "INSERT INTO %s(%s) VALUES (", t->name,
                            t->dst ? t->dst : t->cols)); /* sticky, checked
                                                            below */
    for (size_t i = 0; t->types[i]; i++)
        OSAFE_IGNORE(buf_printf(&ins, "%s$%zu", i ? "," : "", i + 1));
    OSAFE_IGNORE(buf_printf(&ins, ") ON CONFLICT %s", t->conflict));
    if (buf_status(&ins) || !ins.data) {
        buf_release(&ins);
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    }
    snprintf(name, sizeof name, "osafe_copy_%s", t->name);
    PGresult *r = PQprepare(pg->c, name, ins.data, 0, NULL);
    int rc = r && PQresultStatus(r) == PGRES_COMMAND_OK
                 ? 0
                 : osafe_errf(e, OSAFE_EIO, "preparing the copy of %s: %.*s",
                              t->name,
                              (int)strcspn(PQerrorMessage(pg->c), "\n"),
                              PQerrorMessage(pg->c));
    PQclear(r);
    buf_release(&ins);
    sqlite3_stmt *st = NULL;
    snprintf(sql, sizeof sql, "SELECT %s FROM %s ORDER BY %s", t->cols,
             t->name, t->order);
    if (!rc && sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        rc = sq_fail(db, e, t->name);
    unsigned in_batch = 0;
    int step = SQLITE_DONE;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if (!in_batch && (rc = pg->base.ops->begin(&pg->base, e)))
            break;
        int added = 0;
        if ((rc = copy_row(pg, st, t, name, &added, e)))
            break;
        c->source++;
        c->copied += added;
        if (++in_batch == OSAFE_MIGRATE_BATCH_ROWS) {
            in_batch = 0;
            rc = pg->base.ops->commit(&pg->base, e);
        }
    }
    if (!rc && step != SQLITE_DONE)
        rc = sq_fail(db, e, t->name);
    if (!rc && in_batch)
        rc = pg->base.ops->commit(&pg->base, e);
    if (rc)
        pg->base.ops->rollback(&pg->base);
    sqlite3_finalize(st);
    return rc;
}

/* The search text of each record (published and working), through the
 * backend's index_put: its folding, its tsvector.  The text SQLite holds
 * is already folded its way; folding is idempotent, so this gives what
 * indexing the record on PostgreSQL gives. */
static int copy_search(sqlite3 *db, struct pg_store *pg, store_copy_count *c,
                       osafe_err *e)
{
    sqlite3_stmt *st;
    /* A record without a working-version row searches as its published
     * one (store_sqlite_fts.c): that row is copied as both. */
    if (sqlite3_prepare_v2(db, "SELECT k.record_id, k.published, w.text "
                               "FROM fts_keys k JOIN fts_words w "
                               "ON w.rowid = k.id UNION ALL "
                               "SELECT k.record_id, 0, w.text "
                               "FROM fts_keys k JOIN fts_words w "
                               "ON w.rowid = k.id WHERE k.published = 1 AND "
                               "NOT EXISTS (SELECT 1 FROM fts_keys z WHERE "
                               "z.record_id = k.record_id AND "
                               "z.published = 0) ORDER BY 1, 2", -1, &st,
                           NULL) != SQLITE_OK)
        return sq_fail(db, e, "search text");
    int rc = 0, step = SQLITE_DONE;
    unsigned in_batch = 0;
    while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW) {
        if (!in_batch && (rc = pg->base.ops->begin(&pg->base, e)))
            break;
        const char *id = (const char *)sqlite3_column_text(st, 0);
        const char *text = (const char *)sqlite3_column_text(st, 2);
        PGresult *r;
        /* only what the target lacks, so that a rerun writes nothing */
        if ((rc = pg__run(pg, e, &r, 0, "SELECT 1 FROM search_text WHERE "
                          "record_id = $1 AND published = $2", "si", id,
                          sqlite3_column_int(st, 1))))
            break;
        int have = PQntuples(r) > 0;
        PQclear(r);
        if (!have && (rc = pg->base.ops->index_put(
                          &pg->base, id, sqlite3_column_int(st, 1),
                          text ? text : "", e)))
            break;
        c->source++;
        c->copied += !have;
        if (++in_batch == OSAFE_MIGRATE_BATCH_ROWS) {
            in_batch = 0;
            rc = pg->base.ops->commit(&pg->base, e);
        }
    }
    if (!rc && step != SQLITE_DONE)
        rc = sq_fail(db, e, "search text");
    if (!rc && in_batch)
        rc = pg->base.ops->commit(&pg->base, e);
    if (rc)
        pg->base.ops->rollback(&pg->base);
    sqlite3_finalize(st);
    return rc;
}

int store_copy_sqlite_pg(const char *from, const char *to,
                         store_copy_count counts[STORE_COPY_TABLES],
                         size_t *n, osafe_err *e)
{
    *n = 0;
    memset(counts, 0, STORE_COPY_TABLES * sizeof *counts);
    sqlite3 *db;
    osafe_store *base;
    int rc = open_source(from, &db, e);
    if (rc)
        return rc;
    if ((rc = store_pg_open(to, &base, e))) {
        sqlite3_close(db);
        return rc;
    }
    struct pg_store *pg = (struct pg_store *)base;
    rc = check_target(db, pg, e);
    for (size_t i = 0; !rc && i < NTABLES; i++) {
        counts[i].table = tables[i].name;
        rc = copy_table(db, pg, &tables[i], &counts[i], e);
        *n = i + 1;
    }
    if (!rc) {
        counts[NTABLES].table = "search_text";
        rc = copy_search(db, pg, &counts[NTABLES], e);
        *n = NTABLES + 1;
    }
    /* the next account, evidence, upload, sample and split-view ids the
     * backend mints come after the copied ones */
    if (!rc)
        rc = pg__exec(pg,
                      "SELECT setval(pg_get_serial_sequence('accounts', 'id'),"
                      " COALESCE(max(id), 0) + 1, false) FROM accounts;"
                      "SELECT setval(pg_get_serial_sequence('evidence', 'id'),"
                      " COALESCE(max(id), 0) + 1, false) FROM evidence;"
                      "SELECT setval(pg_get_serial_sequence('sample_uploads',"
                      " 'id'), COALESCE(max(id), 0) + 1, false) "
                      "FROM sample_uploads;"
                      "SELECT setval(pg_get_serial_sequence("
                      "'evaluation_samples', 'id'), COALESCE(max(id), 0) + 1,"
                      " false) FROM evaluation_samples;"
                      "SELECT setval(pg_get_serial_sequence('split_views',"
                      " 'id'), COALESCE(max(id), 0) + 1, false) "
                      "FROM split_views",
                      e);
    base->ops->close(base);
    sqlite3_close(db);
    return rc;
}
