/*
 * store_sqlite.c - the embedded SQLite backend of store.h.
 *
 * Durability: WAL journal with synchronous=FULL, so a transaction that
 * returned from COMMIT survives power loss.  Schema changes are numbered
 * migrations (store_sqlite_migrations.c) run at open inside one
 * transaction each (PRAGMA user_version holds the number applied), so an
 * old database is brought up to date and a crash mid-migration leaves the
 * previous version intact.
 *
 * All SQL is prepared with bound parameters; no text from a request is
 * ever spliced into a statement.
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/limits.h"
#include "store/store.h"
#include "store/store_sqlite_int.h"

static int db_err(struct sq_store *s, osafe_err *e, const char *what)
{
    return osafe_errf(e, OSAFE_EIO, "database: %s: %s", what,
                      sqlite3_errmsg(s->db));
}

int sq__exec(struct sq_store *s, const char *sql, osafe_err *e)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int rc = osafe_errf(e, OSAFE_EIO, "database: %s",
                            msg ? msg : sqlite3_errmsg(s->db));
        sqlite3_free(msg);
        return rc;
    }
    return 0;
}

int sq__prepare(struct sq_store *s, sqlite3_stmt **st, const char *sql,
               osafe_err *e)
{
    for (unsigned i = 0; i < SQ_CACHE_SLOTS; i++)
        if (s->cache[i] && !strcmp(sqlite3_sql(s->cache[i]), sql)) {
            *st = s->cache[i];
            s->cache[i] = NULL; /* lent out until sq__release */
            return 0;
        }
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st,
                           NULL) != SQLITE_OK)
        return db_err(s, e, "prepare");
    return 0;
}

void sq__release(struct sq_store *s, sqlite3_stmt *st)
{
    if (!st)
        return;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    for (unsigned i = 0; i < SQ_CACHE_SLOTS; i++)
        if (!s->cache[i]) {
            s->cache[i] = st;
            return;
        }
    unsigned i = s->next_slot++ % SQ_CACHE_SLOTS;
    sqlite3_finalize(s->cache[i]);
    s->cache[i] = st;
}

int sq__collect(struct sq_store *s, sqlite3_stmt *st, size_t size,
                sq_row_fn *row, void (*release)(void *), void **out,
                size_t *n, osafe_err *e)
{
    char *arr = NULL;
    size_t cap = 0, k = 0;
    int rc = 0, r = SQLITE_DONE;
    while (!rc && (r = sqlite3_step(st)) == SQLITE_ROW) {
        if (k == cap) {
            size_t nc = cap ? 2 * cap : 8;
            char *na = realloc(arr, nc * size);
            if (!na) {
                rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
                break;
            }
            arr = na;
            cap = nc;
        }
        /* a row that fails has released what it took itself */
        rc = row(st, arr + k * size, e);
        if (!rc)
            k++;
    }
    if (!rc && r != SQLITE_DONE)
        rc = osafe_errf(e, OSAFE_EIO, "database: %s", sqlite3_errmsg(s->db));
    sq__release(s, st);
    if (rc) {
        for (size_t i = 0; release && i < k; i++)
            release(arr + i * size);
        free(arr);
        arr = NULL;
        k = 0;
    }
    *out = arr;
    *n = k;
    return rc;
}

/* Run a statement that returns no rows; finalizes it. */
int sq__done(struct sq_store *s, sqlite3_stmt *st, osafe_err *e)
{
    int r = sqlite3_step(st);
    /* the message must be read before the statement is reset */
    if (r == SQLITE_CONSTRAINT) {
        int rc = osafe_errf(e, OSAFE_EEXIST, "database: %s",
                            sqlite3_errmsg(s->db));
        sq__release(s, st);
        return rc;
    }
    if (r != SQLITE_DONE && r != SQLITE_ROW) {
        int rc = db_err(s, e, "write");
        sq__release(s, st);
        return rc;
    }
    sq__release(s, st);
    return 0;
}

void sq__text(char *out, size_t n, sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    snprintf(out, n, "%s", t ? (const char *)t : "");
}

/*
 * Prepare sql, bind the arguments described by types (one letter each:
 * s text or NULL, i int, I int64, N int64 or NULL when negative, b blob
 * as a pointer and a size_t length, NULL when the pointer is NULL), run it
 * to completion.  The one path for every write statement.
 */
int sq__write(struct sq_store *s, osafe_err *e, const char *sql,
             const char *types, ...)
{
    sqlite3_stmt *st;
    int rc = sq__prepare(s, &st, sql, e);
    if (rc)
        return rc;
    va_list ap;
    va_start(ap, types);
    for (int i = 1; types[i - 1]; i++) {
        switch (types[i - 1]) {
        case 's': {
            const char *t = va_arg(ap, const char *);
            if (t)
                sqlite3_bind_text(st, i, t, -1, SQLITE_TRANSIENT);
            break;
        }
        case 'i':
            sqlite3_bind_int(st, i, va_arg(ap, int));
            break;
        case 'I':
            sqlite3_bind_int64(st, i, va_arg(ap, int64_t));
            break;
        case 'N': {
            int64_t v = va_arg(ap, int64_t);
            if (v >= 0)
                sqlite3_bind_int64(st, i, v);
            break;
        }
        case 'b': {
            const void *p = va_arg(ap, const void *);
            size_t n = va_arg(ap, size_t);
            if (p)
                sqlite3_bind_blob(st, i, p, (int)n, SQLITE_TRANSIENT);
            break;
        }
        }
    }
    va_end(ap);
    return sq__done(s, st, e);
}

static int migrate(struct sq_store *s, osafe_err *e)
{
    sqlite3_stmt *st;
    int rc = sq__prepare(s, &st, "PRAGMA user_version", e);
    if (rc)
        return rc;
    int have = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sq__release(s, st);
    int want = (int)sq__n_migrations;
    if (have > want)
        return osafe_errf(e, OSAFE_ESTATE,
                          "database schema version %d is newer than this "
                          "osafe (%d); upgrade osafe",
                          have, want);
    for (int v = have; v < want; v++) {
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", v + 1);
        if ((rc = sq__exec(s, "BEGIN IMMEDIATE", e)))
            return rc;
        if ((rc = sq__exec(s, sq__migrations[v], e)) ||
            (rc = sq__exec(s, pragma, e)) || (rc = sq__exec(s, "COMMIT", e))) {
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            return osafe_errprefix(e, "migration %d: ", v + 1);
        }
    }
    return 0;
}

static void sq_close(osafe_store *base)
{
    struct sq_store *s = (struct sq_store *)base;
    if (!s)
        return;
    for (unsigned i = 0; i < SQ_CACHE_SLOTS; i++)
        sqlite3_finalize(s->cache[i]);
    sqlite3_close_v2(s->db);
    free(s->fold_in);
    free(s->fold_out);
    free(s);
}

/*
 * Writers of this process queue on a mutex before they ask SQLite for its
 * write lock: SQLite's busy handler sleeps between tries (1, 2, 5, 10 ms...),
 * so threads contending inside SQLite waste most of their time asleep.
 * Other processes still meet the busy handler.  One mutex for the process:
 * a node serves one database.
 */
static pthread_mutex_t write_mu = PTHREAD_MUTEX_INITIALIZER;

static int sq_begin(osafe_store *base, osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    pthread_mutex_lock(&write_mu);
    int rc = sq__exec(s, "BEGIN IMMEDIATE", e);
    if (rc)
        pthread_mutex_unlock(&write_mu);
    else
        s->in_tx = 1;
    return rc;
}

static void end_tx(struct sq_store *s)
{
    if (s->in_tx) {
        s->in_tx = 0;
        pthread_mutex_unlock(&write_mu);
    }
}

static int sq_commit(osafe_store *base, osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    int rc = sq__fts_flush(s, e);
    if (!rc)
        rc = sq__exec(s, "COMMIT", e);
    if (rc == 0 || sqlite3_get_autocommit(s->db))
        end_tx(s); /* a failed COMMIT leaves the transaction to rollback */
    return rc;
}

static void sq_rollback(osafe_store *base)
{
    struct sq_store *s = (struct sq_store *)base;
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    s->fts_staged = 0; /* the staged rows went with the rest */
    s->pub_id[0] = '\0'; /* and the published text it may have indexed */
    end_tx(s);
}

static int sq_savepoint(osafe_store *base, int op, osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    /* SQLite may have ended the transaction on an error: a SAVEPOINT
     * would then open a new one, outside write_mu's order. */
    if (!s->in_tx || sqlite3_get_autocommit(s->db))
        return osafe_errf(e, OSAFE_ESTATE, "savepoint outside a write "
                                           "transaction");
    if (op == STORE_SP_MARK)
        return sq__exec(s, "SAVEPOINT osafe_job", e);
    if (op == STORE_SP_KEEP)
        return sq__exec(s, "RELEASE osafe_job", e);
    s->pub_id[0] = '\0'; /* the published text may go with the rest */
    int rc = sq__exec(s, "ROLLBACK TO osafe_job", e);
    if (!rc)
        rc = sq__exec(s, "RELEASE osafe_job", e);
    if (!rc && sqlite3_get_autocommit(s->db))
        rc = osafe_errf(e, OSAFE_EIO, "the write transaction ended while "
                                      "undoing one publication");
    return rc;
}

/* store.h's defer: SQLite's statements are function calls, nothing to
 * gather. */
static int sq_defer(osafe_store *base, int mode, osafe_err *e)
{
    (void)base, (void)mode, (void)e;
    return 0;
}

/* ---- accounts ----------------------------------------------------------- */

static int sq_account_create(osafe_store *base, const char *name,
                             const char *role, const char *org,
                             const char *token_hash, int64_t *id,
                             osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    char now[32];
    store_now(now);
    int rc = sq__write(s, e,
                      "INSERT INTO accounts(name, role, org, token_hash, "
                      "created) VALUES (?, ?, ?, ?, ?)",
                      "sssss", name, role, org ? org : "", token_hash, now);
    if (rc == 0)
        *id = sqlite3_last_insert_rowid(s->db);
    return rc;
}

static int sq_account_by_token(osafe_store *base, const char *token_hash,
                               store_account *a, osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    sqlite3_stmt *st;
    int rc = sq__prepare(s, &st,
                        "SELECT id, name, role, org FROM accounts WHERE "
                        "token_hash = ?",
                        e);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, token_hash, -1, SQLITE_TRANSIENT);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        a->id = sqlite3_column_int64(st, 0);
        sq__text(a->name, sizeof a->name, st, 1);
        sq__text(a->role, sizeof a->role, st, 2);
        sq__text(a->org, sizeof a->org, st, 3);
        rc = 0;
    } else {
        rc = r == SQLITE_DONE ? osafe_errf(e, OSAFE_ENOTFOUND, "no such token")
                              : db_err(s, e, "read account");
    }
    sq__release(s, st);
    return rc;
}

static int sq_account_count(osafe_store *base, int64_t *n, osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    sqlite3_stmt *st;
    int rc = sq__prepare(s, &st, "SELECT count(*) FROM accounts", e);
    if (rc)
        return rc;
    *n = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sq__release(s, st);
    return 0;
}

/* ---- ids, records, versions -------------------------------------------- */

static int sq_next_id(osafe_store *base, const char *prefix, int year,
                      char out[32], osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    char name[48];
    snprintf(name, sizeof name, "%s-%d", prefix, year);
    sqlite3_stmt *st;
    int rc = sq__prepare(s, &st,
                        "INSERT INTO counters(name, value) VALUES (?, 1) "
                        "ON CONFLICT(name) DO UPDATE SET value = value + 1 "
                        "RETURNING value",
                        e);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_ROW) {
        rc = db_err(s, e, "mint id");
        sq__release(s, st);
        return rc;
    }
    long long n = sqlite3_column_int64(st, 0);
    sq__release(s, st);
    snprintf(out, 32, "%s-%d-%05lld", prefix, year, n);
    return 0;
}

/* Both statements take the record's fields in the same order, id last. */
static int write_record(struct sq_store *s, const char *sql,
                        const store_record *r, osafe_err *e)
{
    return sq__write(s, e, sql, "ssssIiisss" "s", r->state, r->tlp, r->pub_tlp,
                    r->org, r->owner, r->version, r->published_version,
                    r->merged_into, r->created, r->modified, r->id);
}

static int sq_record_insert(osafe_store *base, const store_record *r,
                            osafe_err *e)
{
    return write_record((struct sq_store *)base,
                        "INSERT INTO records(state, tlp, pub_tlp, org, owner, "
                        "version, published_version, merged_into, created, "
                        "modified, id) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                        r, e);
}

static int sq_record_update(osafe_store *base, const store_record *r,
                            osafe_err *e)
{
    return write_record((struct sq_store *)base,
                        "UPDATE records SET state=?, tlp=?, pub_tlp=?, org=?, "
                        "owner=?, version=?, published_version=?, "
                        "merged_into=?, created=?, modified=? WHERE id=?",
                        r, e);
}

static int sq_record_get(osafe_store *base, const char *id, store_record *r,
                         osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    sqlite3_stmt *st;
    int rc = sq__prepare(s, &st,
                        "SELECT id, state, tlp, pub_tlp, org, owner, version, "
                        "published_version, merged_into, created, modified "
                        "FROM records WHERE id = ?",
                        e);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    int x = sqlite3_step(st);
    if (x == SQLITE_ROW) {
        memset(r, 0, sizeof *r);
        sq__text(r->id, sizeof r->id, st, 0);
        sq__text(r->state, sizeof r->state, st, 1);
        sq__text(r->tlp, sizeof r->tlp, st, 2);
        sq__text(r->pub_tlp, sizeof r->pub_tlp, st, 3);
        sq__text(r->org, sizeof r->org, st, 4);
        r->owner = sqlite3_column_int64(st, 5);
        r->version = sqlite3_column_int(st, 6);
        r->published_version = sqlite3_column_int(st, 7);
        sq__text(r->merged_into, sizeof r->merged_into, st, 8);
        sq__text(r->created, sizeof r->created, st, 9);
        sq__text(r->modified, sizeof r->modified, st, 10);
    } else {
        rc = x == SQLITE_DONE
                 ? osafe_errf(e, OSAFE_ENOTFOUND, "no record '%s'", id)
                 : db_err(s, e, "read record");
    }
    sq__release(s, st);
    return rc;
}

static int sq_version_put(osafe_store *base, const store_version *v,
                          osafe_err *e)
{
    /* body is NUL-terminated (store_version's bodies come from osafe_buf) */
    return sq__write(
        (struct sq_store *)base, e,
        "INSERT OR REPLACE INTO versions(record_id, version, state, tlp, "
        "body, author, created, modified, review_reason, reviewer, "
        "log_index, log_entry, salt) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        "sisssIsssNNbb", v->record_id, v->version, v->state, v->tlp, v->body,
        v->author, v->created, v->modified, v->review_reason,
        v->reviewer ? v->reviewer : (int64_t)-1, v->log_index, v->log_entry,
        v->log_entry_len, v->has_salt ? v->salt : NULL, (size_t)32);
}

void store_version_release(store_version *v)
{
    free(v->body);
    free(v->review_reason);
    free(v->log_entry);
    memset(v, 0, sizeof *v);
}

static char *dup_blob(const void *p, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        if (n)
            memcpy(d, p, n);
        d[n] = '\0';
    }
    return d;
}

static int sq_version_get(osafe_store *base, const char *id, int version,
                          store_version *v, osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    sqlite3_stmt *st;
    int rc = sq__prepare(s, &st,
                        "SELECT record_id, version, state, tlp, body, author, "
                        "created, modified, review_reason, reviewer, "
                        "log_index, log_entry, salt FROM versions WHERE "
                        "record_id = ? AND version = ?",
                        e);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, version);
    memset(v, 0, sizeof *v);
    int x = sqlite3_step(st);
    if (x == SQLITE_ROW) {
        sq__text(v->record_id, sizeof v->record_id, st, 0);
        v->version = sqlite3_column_int(st, 1);
        sq__text(v->state, sizeof v->state, st, 2);
        sq__text(v->tlp, sizeof v->tlp, st, 3);
        v->body_len = (size_t)sqlite3_column_bytes(st, 4);
        v->body = dup_blob(sqlite3_column_text(st, 4), v->body_len);
        v->author = sqlite3_column_int64(st, 5);
        sq__text(v->created, sizeof v->created, st, 6);
        sq__text(v->modified, sizeof v->modified, st, 7);
        if (sqlite3_column_type(st, 8) != SQLITE_NULL)
            v->review_reason = dup_blob(sqlite3_column_text(st, 8),
                                        (size_t)sqlite3_column_bytes(st, 8));
        v->reviewer = sqlite3_column_int64(st, 9);
        v->log_index = sqlite3_column_type(st, 10) == SQLITE_NULL
                           ? -1
                           : sqlite3_column_int64(st, 10);
        if (sqlite3_column_type(st, 11) != SQLITE_NULL) {
            v->log_entry_len = (size_t)sqlite3_column_bytes(st, 11);
            v->log_entry = (uint8_t *)dup_blob(sqlite3_column_blob(st, 11),
                                               v->log_entry_len);
        }
        if (sqlite3_column_bytes(st, 12) == 32) {
            memcpy(v->salt, sqlite3_column_blob(st, 12), 32);
            v->has_salt = 1;
        }
        if (!v->body) {
            store_version_release(v);
            rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
        }
    } else {
        rc = x == SQLITE_DONE ? osafe_errf(e, OSAFE_ENOTFOUND,
                                           "record '%s' has no version %d",
                                           id, version)
                              : db_err(s, e, "read version");
    }
    sq__release(s, st);
    return rc;
}

/* ---- links, evidence, sources ----------------------------------------- */

static int sq_link_put(osafe_store *base, const char *from, const char *to,
                       const char *relation, int64_t author, osafe_err *e)
{
    char now[32];
    store_now(now);
    return sq__write((struct sq_store *)base, e,
                    "INSERT OR IGNORE INTO links(from_id, to_id, relation, "
                    "author, created) VALUES (?,?,?,?,?)",
                    "sssIs", from, to, relation, author, now);
}

static int sq_links_json(osafe_store *base, const char *id, char **json,
                         osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    sqlite3_stmt *st;
    int rc = sq__prepare(s, &st,
                        "SELECT coalesce(json_group_array(json_object("
                        "'from', from_id, 'to', to_id, 'relation', relation, "
                        "'created', created)), '[]') FROM (SELECT * FROM "
                        "links WHERE from_id = ?1 OR to_id = ?1 ORDER BY "
                        "created, from_id, to_id)",
                        e);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW)
        *json = dup_blob(sqlite3_column_text(st, 0),
                         (size_t)sqlite3_column_bytes(st, 0));
    else
        rc = db_err(s, e, "read links");
    sq__release(s, st);
    return rc;
}

static int sq_evidence_put(osafe_store *base, const char *id,
                           const char *body, size_t len, int64_t author,
                           int64_t log_index, const uint8_t *salt,
                           int64_t *evidence_id, osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    char now[32];
    store_now(now);
    char *text = strndup(body, len);
    if (!text)
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    int rc = sq__write(s, e,
                      "INSERT INTO evidence(record_id, body, author, "
                      "log_index, created, salt) VALUES (?,?,?,?,?,?)",
                      "ssINsb", id, text, author, log_index, now, salt,
                      (size_t)32);
    free(text);
    if (rc == 0)
        *evidence_id = sqlite3_last_insert_rowid(s->db);
    return rc;
}

static int sq_source_get(osafe_store *base, const char *key, char id[32],
                         osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    sqlite3_stmt *st;
    int rc = sq__prepare(
        s, &st, "SELECT record_id FROM sources WHERE source_key = ?", e);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW)
        sq__text(id, 32, st, 0);
    else
        rc = OSAFE_ENOTFOUND;
    sq__release(s, st);
    return rc;
}

static int sq_source_put(osafe_store *base, const char *key, const char *id,
                         osafe_err *e)
{
    char now[32];
    store_now(now);
    return sq__write((struct sq_store *)base, e,
                    "INSERT INTO sources(source_key, record_id, created) "
                    "VALUES (?,?,?)",
                    "sss", key, id, now);
}

static int sq_max_log_index(osafe_store *base, int64_t *out, osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    sqlite3_stmt *st;
    int rc = sq__prepare(s, &st,
                        "SELECT max(coalesce((SELECT max(log_index) FROM "
                        "versions), -1), coalesce((SELECT max(log_index) FROM "
                        "evidence), -1), coalesce((SELECT max(log_index) FROM "
                        "evaluations), -1), coalesce((SELECT "
                        "max(withdraw_log_index) FROM evaluations), -1), "
                        "coalesce((SELECT max(log_index) FROM log_extra), "
                        "-1))",
                        e);
    if (rc)
        return rc;
    *out = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sq__release(s, st);
    return 0;
}

static int sq_evaluation_put(osafe_store *base, const char *id,
                             const char *body, size_t len, int64_t author,
                             int64_t log_index, const void *entry,
                             size_t entry_len, osafe_err *e)
{
    char now[32];
    store_now(now);
    char *text = strndup(body, len);
    if (!text)
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    int rc = sq__write((struct sq_store *)base, e,
                      "INSERT INTO evaluations(id, body, author, log_index, "
                      "log_entry, created) VALUES (?,?,?,?,?,?)",
                      "ssINbs", id, text, author, log_index, entry, entry_len,
                      now);
    free(text);
    return rc;
}

static int sq_evaluation_get(osafe_store *base, const char *id, char **body,
                             size_t *len, int64_t *log_index, osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    sqlite3_stmt *st;
    int rc = sq__prepare(s, &st,
                        "SELECT body, log_index, withdrawn, withdraw_reason "
                        "FROM evaluations WHERE id = ?",
                        e);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    int row = sqlite3_step(st) == SQLITE_ROW;
    if (row && sqlite3_column_type(st, 2) != SQLITE_NULL) {
        char when[32], why[160];
        sq__text(when, sizeof when, st, 2);
        sq__text(why, sizeof why, st, 3);
        rc = osafe_errf(e, OSAFE_ESTATE, "evaluation '%s' was withdrawn on "
                        "%s: %s", id, when, why);
    } else if (row) {
        *len = (size_t)sqlite3_column_bytes(st, 0);
        *body = dup_blob(sqlite3_column_text(st, 0), *len);
        *log_index = sqlite3_column_int64(st, 1);
        if (!*body)
            rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    } else {
        rc = osafe_errf(e, OSAFE_ENOTFOUND, "no evaluation '%s'", id);
    }
    sq__release(s, st);
    return rc;
}

static const struct store_ops sq_ops = {
    sq_close,          sq_begin,         sq_commit,
    sq_rollback,       sq_account_create, sq_account_by_token,
    sq_account_count,  sq_next_id,       sq_record_insert,
    sq_record_update,  sq_record_get,    sq_version_put,
    sq_version_get,    sq__index_put,     sq__list,
    sq__search,         sq_link_put,      sq_links_json,
    sq_evidence_put,   sq_source_get,    sq_source_put,
    sq_max_log_index,  sq_evaluation_put, sq_evaluation_get,
    sq__evaluation_list,
    sq__editor_add,     sq__edited_by,
    sq__evaluation_withdraw, sq__session_put, sq__session_get,
    sq__session_drop, sq__log_extra_put, sq__log_orphan_get,
    sq__evaluation_find,
    sq__record_discard,
    sq__samples_state, sq__samples_chunk, sq__samples_append,
    sq__samples_digest, sq__samples_finish, sq__samples_page,
    sq__sample_get,
    sq__review_put, sq__review_get, sq__review_list, sq__review_counts,
    sq_savepoint,
    sq__peer_put, sq__peer_get, sq__peer_list, sq__peer_remove,
    sq__peer_checkpoint_put, sq__mirror_put, sq__mirror_get,
    sq__mirror_withdraw, sq__mirror_list, sq__split_put, sq__split_get,
    sq__witness_get, sq__witness_put,
    sq__cosigner_put, sq__cosigner_list, sq__cosigner_remove,
    sq__meval_put, sq__meval_withdraw, sq__meval_list,
    sq__refused_put, sq__refused_list, sq__refused_drop,
    sq_defer,
};

int store_sqlite_open(const char *path, osafe_store **out, osafe_err *e)
{
    *out = NULL;
    struct sq_store *s = calloc(1, sizeof *s);
    if (!s)
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    s->base.ops = &sq_ops;
    if (sqlite3_open_v2(path, &s->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                            SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        int rc = osafe_errf(e, OSAFE_EIO, "database %s: %s", path,
                            s->db ? sqlite3_errmsg(s->db) : "cannot open");
        sq_close(&s->base);
        return rc;
    }
    sqlite3_busy_timeout(s->db, OSAFE_DB_BUSY_TIMEOUT_MS);
    sqlite3_extended_result_codes(s->db, 0);
    /* temp_store = MEMORY: the savepoint every sequenced request runs
     * under journals the pages it changes; on disk that journal was a
     * file in /var/tmp created, written page by page and unlinked for
     * every batch (30,000 writes for a 1,000-record import, holding
     * record text outside the database's directory). */
    int rc = sq__exec(s,
                     "PRAGMA journal_mode = WAL;"
                     "PRAGMA synchronous = FULL;"
                     "PRAGMA foreign_keys = ON;"
                     "PRAGMA temp_store = MEMORY;",
                     e);
    if (!rc)
        rc = sq__register_functions(s, e);
    if (!rc)
        rc = migrate(s, e);
    if (!rc)
        rc = sq__fts_stage_init(s, e);
    if (rc) {
        osafe_errprefix(e, "%s: ", path);
        sq_close(&s->base);
        return rc;
    }
    *out = &s->base;
    return 0;
}

void store_now(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
