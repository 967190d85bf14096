/*
 * store_pg.c - the PostgreSQL backend of store.h (libpq), for a registry
 * that has outgrown one machine: `--db postgresql://...` on every command
 * that takes --db (store_open).
 *
 * The same promises as the SQLite backend: a transaction that returned
 * from COMMIT is durable (the server's synchronous_commit, on by
 * default); schema changes are numbered migrations run at open
 * (store_pg_migrations.c; table osafe_schema holds the number applied),
 * each in its own transaction.  Writers serialize as SQLite's do: BEGIN
 * takes a transaction-scoped advisory lock (PG_WRITE_LOCK), so two
 * writers of any number of processes queue instead of interleaving the
 * id counters and the log's order; readers never wait for it.
 *
 * Connections are made by the registry's pool, one per handle (store.h).
 */
#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/enc.h"
#include "core/limits.h"
#include "store/store.h"
#include "store/store_pg_int.h"

/* The advisory lock key writers hold for a transaction: "osafe" in
 * ASCII (0x6f73616665), so that it stays clear of locks other software
 * takes. */
#define PG_WRITE_LOCK "478677132901"

static int pg_fail(struct pg_store *s, osafe_err *e, const PGresult *r,
                   const char *what)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY)
                        : NULL;
    if (!msg)
        msg = PQerrorMessage(s->c);
    int len = (int)strcspn(msg, "\n");
    /* class 23, integrity: a unique key or a reference already there */
    int code = state && !strncmp(state, "23", 2) ? OSAFE_EEXIST : OSAFE_EIO;
    return osafe_errf(e, code, "database: %s: %.*s", what, len, msg);
}

static const char *prep_name(struct pg_store *s, const char *sql,
                             int nparams, char name[16], osafe_err *e,
                             int *rc)
{
    *rc = 0;
    for (unsigned i = 0; i < s->nprep; i++)
        if (s->prep[i] == sql) {
            snprintf(name, 16, "p%u", i);
            return name;
        }
    if (s->nprep == OSAFE_PG_PREPARED_MAX)
        return NULL; /* run unprepared: correct, only slower */
    snprintf(name, 16, "p%u", s->nprep);
    PGresult *r = PQprepare(s->c, name, sql, nparams, NULL);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        *rc = pg_fail(s, e, r, "prepare");
        PQclear(r);
        return NULL;
    }
    PQclear(r);
    s->prep[s->nprep++] = sql;
    return name;
}

static int pg_session(struct pg_store *s, osafe_err *e);

/* A connection the server dropped (PostgreSQL restarted, a network cut)
 * is opened again before the next statement, outside a transaction only:
 * a transaction that lost its connection is gone, and its caller, told
 * so by the failed statement, rolls back first.  Statements prepared on
 * the old connection are prepared again as they are used. */
static int pg_ready(struct pg_store *s, osafe_err *e)
{
    if (PQstatus(s->c) != CONNECTION_BAD || s->in_tx)
        return 0;
    PQreset(s->c);
    s->nprep = 0;
    if (PQstatus(s->c) != CONNECTION_OK) {
        const char *m = PQerrorMessage(s->c);
        return osafe_errf(e, OSAFE_EIO, "PostgreSQL: cannot reconnect: %.*s",
                          (int)strcspn(m, "\n"), m);
    }
    return pg_session(s, e);
}

/* Send what defer held, in one round trip (PQexec runs the statements in
 * order and stops at the first failure, which it returns). */
static int flush_held(struct pg_store *s, osafe_err *e)
{
    if (!s->held.len)
        return 0;
    int rc = buf_status(&s->held);
    PGresult *r = rc ? NULL : PQexec(s->c, s->held.data);
    buf_reset(&s->held);
    if (rc)
        return osafe_errf(e, rc, "database: held statements: out of memory");
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        rc = pg_fail(s, e, r, "held statements");
    PQclear(r);
    return rc;
}

/* One parameter as an SQL literal: libpq quotes and escapes it for this
 * connection (text as PQescapeLiteral, bytea as PQescapeByteaConn). */
static void put_literal(struct pg_store *s, const char *v, int len, int bin)
{
    osafe_buf *b = &s->held;
    char *q = NULL;
    unsigned char *x = NULL;
    size_t xn = 0;
    if (!v)
        OSAFE_IGNORE(buf_puts(b, "NULL")); /* sticky, checked by hold */
    else if (bin && (x = PQescapeByteaConn(s->c, (const unsigned char *)v,
                                           (size_t)len, &xn)))
        OSAFE_IGNORE(buf_printf(b, "'%s'::bytea", (const char *)x));
    else if (!bin && (q = PQescapeLiteral(s->c, v, strlen(v))))
        OSAFE_IGNORE(buf_puts(b, q));
    else
        b->err = b->err ? b->err : OSAFE_ENOMEM;
    PQfreemem(q);
    PQfreemem(x);
}

/* Under defer: sql with its parameters inlined goes to s->held, sent
 * with the next statement that is not held (or, unless last, once it
 * grows past OSAFE_PG_HELD_BYTES_MAX). */
static int hold(struct pg_store *s, const char *sql, int n,
                const char *const *val, const int *len, const int *fmt,
                int last, osafe_err *e)
{
    for (const char *p = sql; *p;) {
        if (*p == '$' && p[1] >= '1' && p[1] <= '9') {
            char *end;
            long k = strtol(p + 1, &end, 10);
            if (k > n)
                return osafe_errf(e, OSAFE_EINVAL,
                                  "database: parameter $%ld of %d", k, n);
            put_literal(s, val[k - 1], len[k - 1], fmt[k - 1]);
            p = end;
        } else {
            OSAFE_IGNORE(buf_putc(&s->held, *p++)); /* sticky */
        }
    }
    int rc = buf_puts(&s->held, ";\n");
    if (rc)
        return osafe_errf(e, rc, "database: held statements: out of memory");
    return !last && s->held.len > OSAFE_PG_HELD_BYTES_MAX ? flush_held(s, e)
                                                            : 0;
}

/* A statement with a result after held ones: all in one round trip, the
 * result being the last statement's (PQexec's). */
static int run_after_held(struct pg_store *s, const char *sql, int n,
                          const char *const *val, const int *len,
                          const int *fmt, PGresult **res, osafe_err *e)
{
    int rc = hold(s, sql, n, val, len, fmt, 1, e);
    if (!rc)
        rc = buf_status(&s->held);
    if (rc) {
        buf_reset(&s->held);
        return osafe_errf(e, rc, "database: held statements: out of memory");
    }
    PGresult *r = PQexec(s->c, s->held.data);
    buf_reset(&s->held);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        rc = pg_fail(s, e, r, "query");
        PQclear(r);
        return rc;
    }
    *res = r;
    return 0;
}

int pg__run(struct pg_store *s, osafe_err *e, PGresult **res, int prepared,
            const char *sql, const char *types, ...)
{
    int ready = pg_ready(s, e);
    if (ready) {
        if (res)
            *res = NULL;
        return ready;
    }
    const char *val[OSAFE_PG_PARAMS_MAX];
    int len[OSAFE_PG_PARAMS_MAX], fmt[OSAFE_PG_PARAMS_MAX];
    char num[OSAFE_PG_PARAMS_MAX][24];
    int n = (int)strlen(types);
    if (res)
        *res = NULL;
    if (n > OSAFE_PG_PARAMS_MAX)
        return osafe_errf(e, OSAFE_EINVAL, "database: %d parameters", n);
    va_list ap;
    va_start(ap, types);
    for (int i = 0; i < n; i++) {
        len[i] = 0;
        fmt[i] = 0;
        val[i] = NULL;
        switch (types[i]) {
        case 's':
            val[i] = va_arg(ap, const char *);
            break;
        case 'i':
            snprintf(num[i], sizeof num[i], "%d", va_arg(ap, int));
            val[i] = num[i];
            break;
        case 'I':
            snprintf(num[i], sizeof num[i], "%lld",
                     (long long)va_arg(ap, int64_t));
            val[i] = num[i];
            break;
        case 'N': {
            int64_t v = va_arg(ap, int64_t);
            snprintf(num[i], sizeof num[i], "%lld", (long long)v);
            val[i] = v >= 0 ? num[i] : NULL;
            break;
        }
        case 'b': { /* bytea as a binary parameter: no encoding */
            const void *p = va_arg(ap, const void *);
            size_t bn = va_arg(ap, size_t);
            val[i] = p;
            len[i] = (int)bn;
            fmt[i] = 1;
            break;
        }
        }
    }
    va_end(ap);
    if (s->defer && !res)
        return hold(s, sql, n, val, len, fmt, 0, e);
    if (s->held.len && res)
        return run_after_held(s, sql, n, val, len, fmt, res, e);
    int rc = flush_held(s, e);
    if (rc)
        return rc;
    char name[16];
    const char *nm = prepared ? prep_name(s, sql, n, name, e, &rc) : NULL;
    if (rc)
        return rc;
    PGresult *r = nm ? PQexecPrepared(s->c, nm, n, val, len, fmt, 0)
                     : PQexecParams(s->c, sql, n, NULL, val, len, fmt, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        rc = pg_fail(s, e, r, "query");
        PQclear(r);
        return rc;
    }
    if (res)
        *res = r;
    else
        PQclear(r);
    return 0;
}

int pg__exec(struct pg_store *s, const char *sql, osafe_err *e)
{
    int ready = strncmp(sql, "SET ", 4) ? pg_ready(s, e) : 0;
    if (!ready)
        ready = flush_held(s, e);
    if (ready)
        return ready;
    PGresult *r = PQexec(s->c, sql);
    ExecStatusType st = PQresultStatus(r);
    int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK
                 ? 0
                 : pg_fail(s, e, r, "statement");
    PQclear(r);
    return rc;
}

void pg__text(char *out, size_t n, const PGresult *r, int row, int col)
{
    snprintf(out, n, "%s",
             PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col));
}

int64_t pg__int(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? 0
                                    : strtoll(PQgetvalue(r, row, col), NULL,
                                              10);
}

char *pg__dup(const PGresult *r, int row, int col, size_t *len)
{
    size_t n = PQgetisnull(r, row, col) ? 0 : (size_t)PQgetlength(r, row, col);
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, n ? PQgetvalue(r, row, col) : "", n);
        d[n] = 0;
    }
    if (len)
        *len = n;
    return d;
}

uint8_t *pg__bytea(const PGresult *r, int row, int col, size_t *len,
                   int *oom)
{
    *len = 0;
    if (PQgetisnull(r, row, col))
        return NULL;
    /* text format: "\x" and two hex digits a byte (bytea_output hex,
     * set at connect) */
    const char *t = PQgetvalue(r, row, col);
    size_t tn = (size_t)PQgetlength(r, row, col);
    if (tn < 2 || t[0] != '\\' || t[1] != 'x')
        return NULL;
    size_t n = (tn - 2) / 2;
    uint8_t *d = malloc(n ? n : 1);
    if (!d) {
        *oom = 1;
        return NULL;
    }
    if (hex_decode(d, n, t + 2, tn - 2) != 0) {
        free(d);
        return NULL;
    }
    *len = n;
    return d;
}

static int migrate(struct pg_store *s, osafe_err *e)
{
    int rc = pg__exec(s, "BEGIN", e);
    /* one migrating process at a time; the others wait and find it done */
    if (!rc)
        rc = pg__exec(s, "SELECT pg_advisory_xact_lock(" PG_WRITE_LOCK ")", e);
    if (!rc)
        rc = pg__exec(s, "CREATE TABLE IF NOT EXISTS osafe_schema(version "
                         "integer NOT NULL); INSERT INTO osafe_schema SELECT 0 "
                         "WHERE NOT EXISTS (SELECT 1 FROM osafe_schema)", e);
    PGresult *r = NULL;
    if (!rc)
        rc = pg__run(s, e, &r, 0, "SELECT version FROM osafe_schema", "");
    int have = r ? (int)pg__int(r, 0, 0) : 0;
    PQclear(r);
    int want = (int)pg__n_migrations;
    if (!rc && have > want)
        rc = osafe_errf(e, OSAFE_ESTATE,
                        "database schema version %d is newer than this "
                        "osafe (%d); upgrade osafe", have, want);
    for (int v = have; !rc && v < want; v++) {
        char set[64];
        snprintf(set, sizeof set, "UPDATE osafe_schema SET version = %d",
                 v + 1);
        if ((rc = pg__exec(s, pg__migrations[v], e)) ||
            (rc = pg__exec(s, set, e)))
            osafe_errprefix(e, "migration %d: ", v + 1);
    }
    if (!rc)
        return pg__exec(s, "COMMIT", e);
    OSAFE_IGNORE(pg__exec(s, "ROLLBACK", NULL)); /* the error is rc's */
    return rc;
}

static void pg_close(osafe_store *base)
{
    struct pg_store *s = (struct pg_store *)base;
    if (!s)
        return;
    PQfinish(s->c);
    buf_release(&s->held);
    free(s);
}

static int pg_begin(osafe_store *base, osafe_err *e)
{
    struct pg_store *s = (struct pg_store *)base;
    int rc = pg__exec(s, "BEGIN", e);
    if (!rc &&
        (rc = pg__exec(s, "SELECT pg_advisory_xact_lock(" PG_WRITE_LOCK ")",
                       e)))
        OSAFE_IGNORE(pg__exec(s, "ROLLBACK", NULL)); /* the error is rc's */
    if (!rc)
        s->in_tx = 1;
    return rc;
}

static int pg_commit(osafe_store *base, osafe_err *e)
{
    struct pg_store *s = (struct pg_store *)base;
    int rc = pg__exec(s, "COMMIT", e);
    s->in_tx = 0; /* a failed COMMIT has rolled back */
    return rc;
}

static void pg_rollback(osafe_store *base)
{
    struct pg_store *s = (struct pg_store *)base;
    s->defer = 0;
    buf_reset(&s->held); /* what was held goes with the rest */
    if (PQtransactionStatus(s->c) != PQTRANS_IDLE)
        OSAFE_IGNORE(pg__exec(s, "ROLLBACK", NULL)); /* nothing to report */
    s->in_tx = 0;
}

/* The sequencer's one-level savepoint (store.h).  PostgreSQL keeps the
 * transaction open after a failed statement (aborted until ROLLBACK TO),
 * so an UNDO always finds it; a transaction that is gone is reported. */
static int pg_savepoint(osafe_store *base, int op, osafe_err *e)
{
    struct pg_store *s = (struct pg_store *)base;
    if (!s->in_tx || PQtransactionStatus(s->c) == PQTRANS_IDLE)
        return osafe_errf(e, OSAFE_ESTATE, "savepoint outside a write "
                                           "transaction");
    if (op == STORE_SP_MARK)
        return pg__exec(s, "SAVEPOINT osafe_job", e);
    if (op == STORE_SP_KEEP)
        return pg__exec(s, "RELEASE SAVEPOINT osafe_job", e);
    int rc = pg__exec(s, "ROLLBACK TO SAVEPOINT osafe_job", e);
    if (!rc)
        rc = pg__exec(s, "RELEASE SAVEPOINT osafe_job", e);
    if (!rc && PQtransactionStatus(s->c) != PQTRANS_INTRANS)
        rc = osafe_errf(e, OSAFE_EIO, "the write transaction ended while "
                                      "undoing one publication");
    return rc;
}

/* store.h's defer: an import batch's inserts go in a few round trips
 * instead of one each (each was a round trip to a server on the same
 * cores: 324 records/s).  Only inside a write transaction, so that a held
 * failure still fails the transaction that made it. */
static int pg_defer(osafe_store *base, int mode, osafe_err *e)
{
    struct pg_store *s = (struct pg_store *)base;
    if (mode == STORE_DEFER_ON) {
        s->defer = s->in_tx;
        return 0;
    }
    s->defer = 0;
    if (mode == STORE_DEFER_DROP) {
        buf_reset(&s->held);
        return 0;
    }
    return flush_held(s, e);
}

/* ---- accounts ----------------------------------------------------------- */

static int pg_account_create(osafe_store *base, const char *name,
                             const char *role, const char *org,
                             const char *token_hash, int64_t *id,
                             osafe_err *e)
{
    char now[32];
    store_now(now);
    PGresult *r;
    int rc = pg__run((struct pg_store *)base, e, &r, 1,
                     "INSERT INTO accounts(name, role, org, token_hash, "
                     "created) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                     "sssss", name, role, org ? org : "", token_hash, now);
    if (!rc) {
        *id = pg__int(r, 0, 0);
        PQclear(r);
    }
    return rc;
}

static int pg_account_by_token(osafe_store *base, const char *token_hash,
                               store_account *a, osafe_err *e)
{
    PGresult *r;
    int rc = pg__run((struct pg_store *)base, e, &r, 1,
                     "SELECT id, name, role, org FROM accounts WHERE "
                     "token_hash = $1",
                     "s", token_hash);
    if (rc)
        return rc;
    if (PQntuples(r) == 1) {
        a->id = pg__int(r, 0, 0);
        pg__text(a->name, sizeof a->name, r, 0, 1);
        pg__text(a->role, sizeof a->role, r, 0, 2);
        pg__text(a->org, sizeof a->org, r, 0, 3);
    } else {
        rc = osafe_errf(e, OSAFE_ENOTFOUND, "no such token");
    }
    PQclear(r);
    return rc;
}

static int pg_account_count(osafe_store *base, int64_t *n, osafe_err *e)
{
    PGresult *r;
    int rc = pg__run((struct pg_store *)base, e, &r, 1,
                     "SELECT count(*) FROM accounts", "");
    if (!rc) {
        *n = pg__int(r, 0, 0);
        PQclear(r);
    }
    return rc;
}

/* ---- ids, records, versions -------------------------------------------- */

static int pg_next_id(osafe_store *base, const char *prefix, int year,
                      char out[32], osafe_err *e)
{
    char name[48];
    snprintf(name, sizeof name, "%s-%d", prefix, year);
    PGresult *r;
    int rc = pg__run((struct pg_store *)base, e, &r, 1,
                     "INSERT INTO counters(name, value) VALUES ($1, 1) "
                     "ON CONFLICT (name) DO UPDATE SET value = "
                     "counters.value + 1 RETURNING value",
                     "s", name);
    if (rc)
        return rc;
    snprintf(out, 32, "%s-%d-%05lld", prefix, year,
             (long long)pg__int(r, 0, 0));
    PQclear(r);
    return 0;
}

/* Both statements take the record's fields in the same order, id last. */
static int write_record(struct pg_store *s, const char *sql,
                        const store_record *r, osafe_err *e)
{
    return pg__run(s, e, NULL, 1, sql, "ssssIiisss" "s", r->state, r->tlp,
                   r->pub_tlp, r->org, r->owner, r->version,
                   r->published_version, r->merged_into, r->created,
                   r->modified, r->id);
}

static int pg_record_insert(osafe_store *base, const store_record *r,
                            osafe_err *e)
{
    return write_record((struct pg_store *)base,
                        "INSERT INTO records(state, tlp, pub_tlp, org, owner, "
                        "version, published_version, merged_into, created, "
                        "modified, id) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,"
                        "$11)",
                        r, e);
}

static int pg_record_update(osafe_store *base, const store_record *r,
                            osafe_err *e)
{
    return write_record((struct pg_store *)base,
                        "UPDATE records SET state=$1, tlp=$2, pub_tlp=$3, "
                        "org=$4, owner=$5, version=$6, published_version=$7, "
                        "merged_into=$8, created=$9, modified=$10 WHERE "
                        "id=$11",
                        r, e);
}

static int pg_record_get(osafe_store *base, const char *id, store_record *r,
                         osafe_err *e)
{
    PGresult *q;
    int rc = pg__run((struct pg_store *)base, e, &q, 1,
                     "SELECT id, state, tlp, pub_tlp, org, owner, version, "
                     "published_version, merged_into, created, modified "
                     "FROM records WHERE id = $1",
                     "s", id);
    if (rc)
        return rc;
    if (PQntuples(q) == 1) {
        memset(r, 0, sizeof *r);
        pg__text(r->id, sizeof r->id, q, 0, 0);
        pg__text(r->state, sizeof r->state, q, 0, 1);
        pg__text(r->tlp, sizeof r->tlp, q, 0, 2);
        pg__text(r->pub_tlp, sizeof r->pub_tlp, q, 0, 3);
        pg__text(r->org, sizeof r->org, q, 0, 4);
        r->owner = pg__int(q, 0, 5);
        r->version = (int)pg__int(q, 0, 6);
        r->published_version = (int)pg__int(q, 0, 7);
        pg__text(r->merged_into, sizeof r->merged_into, q, 0, 8);
        pg__text(r->created, sizeof r->created, q, 0, 9);
        pg__text(r->modified, sizeof r->modified, q, 0, 10);
    } else {
        rc = osafe_errf(e, OSAFE_ENOTFOUND, "no record '%s'", id);
    }
    PQclear(q);
    return rc;
}

static int pg_version_put(osafe_store *base, const store_version *v,
                          osafe_err *e)
{
    return pg__run(
        (struct pg_store *)base, e, NULL, 1,
        "INSERT INTO versions(record_id, version, state, tlp, body, author, "
        "created, modified, review_reason, reviewer, log_index, log_entry, "
        "salt) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) "
        "ON CONFLICT (record_id, version) DO UPDATE SET state = "
        "excluded.state, tlp = excluded.tlp, body = excluded.body, author = "
        "excluded.author, created = excluded.created, modified = "
        "excluded.modified, review_reason = excluded.review_reason, reviewer "
        "= excluded.reviewer, log_index = excluded.log_index, log_entry = "
        "excluded.log_entry, salt = excluded.salt",
        "sisssIsssNNbb", v->record_id, v->version, v->state, v->tlp, v->body,
        v->author, v->created, v->modified, v->review_reason,
        v->reviewer ? v->reviewer : (int64_t)-1, v->log_index, v->log_entry,
        v->log_entry_len, v->has_salt ? v->salt : NULL, (size_t)32);
}

static int pg_version_get(osafe_store *base, const char *id, int version,
                          store_version *v, osafe_err *e)
{
    PGresult *r;
    int rc = pg__run((struct pg_store *)base, e, &r, 1,
                     "SELECT record_id, version, state, tlp, body, author, "
                     "created, modified, review_reason, reviewer, "
                     "log_index, log_entry, salt FROM versions WHERE "
                     "record_id = $1 AND version = $2",
                     "si", id, version);
    if (rc)
        return rc;
    memset(v, 0, sizeof *v);
    if (PQntuples(r) != 1) {
        PQclear(r);
        return osafe_errf(e, OSAFE_ENOTFOUND, "record '%s' has no version %d",
                          id, version);
    }
    int oom = 0;
    pg__text(v->record_id, sizeof v->record_id, r, 0, 0);
    v->version = (int)pg__int(r, 0, 1);
    pg__text(v->state, sizeof v->state, r, 0, 2);
    pg__text(v->tlp, sizeof v->tlp, r, 0, 3);
    v->body = pg__dup(r, 0, 4, &v->body_len);
    v->author = pg__int(r, 0, 5);
    pg__text(v->created, sizeof v->created, r, 0, 6);
    pg__text(v->modified, sizeof v->modified, r, 0, 7);
    if (!PQgetisnull(r, 0, 8) && !(v->review_reason = pg__dup(r, 0, 8, NULL)))
        oom = 1;
    v->reviewer = pg__int(r, 0, 9);
    v->log_index = PQgetisnull(r, 0, 10) ? -1 : pg__int(r, 0, 10);
    v->log_entry = pg__bytea(r, 0, 11, &v->log_entry_len, &oom);
    size_t sn;
    uint8_t *salt = pg__bytea(r, 0, 12, &sn, &oom);
    if (salt && sn == 32) {
        memcpy(v->salt, salt, 32);
        v->has_salt = 1;
    }
    free(salt);
    PQclear(r);
    if (!v->body || oom) {
        store_version_release(v);
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    }
    return 0;
}

/* Not static: tests/unit/test_store_pg.c checks that no slot is NULL. */
const struct store_ops pg__ops = {
    pg_close,          pg_begin,          pg_commit,
    pg_rollback,       pg_account_create, pg_account_by_token,
    pg_account_count,  pg_next_id,        pg_record_insert,
    pg_record_update,  pg_record_get,     pg_version_put,
    pg_version_get,    pg__index_put,     pg__list,
    pg__search,        pg__link_put,      pg__links_json,
    pg__evidence_put,  pg__source_get,    pg__source_put,
    pg__max_log_index, pg__evaluation_put, pg__evaluation_get,
    pg__evaluation_list,
    pg__editor_add,    pg__edited_by,
    pg__evaluation_withdraw, pg__session_put, pg__session_get,
    pg__session_drop,  pg__log_extra_put, pg__log_orphan_get,
    pg__evaluation_find,
    pg__record_discard,
    pg__samples_state, pg__samples_chunk, pg__samples_append,
    pg__samples_digest, pg__samples_finish, pg__samples_page,
    pg__sample_get,
    pg__review_put, pg__review_get, pg__review_list, pg__review_counts,
    pg_savepoint,
    pg__peer_put, pg__peer_get, pg__peer_list, pg__peer_remove,
    pg__peer_checkpoint_put, pg__mirror_put, pg__mirror_get,
    pg__mirror_withdraw, pg__mirror_list, pg__split_put, pg__split_get,
    pg__witness_get, pg__witness_put,
    pg__cosigner_put, pg__cosigner_list, pg__cosigner_remove,
    pg__meval_put, pg__meval_withdraw, pg__meval_list,
    pg__refused_put, pg__refused_list, pg__refused_drop,
    pg_defer,
};

/* What the readers assume of a connection: UTF-8 text, hex bytea, UTC,
 * and a client that waits on a lock no longer than SQLite's busy
 * timeout. */
static int pg_session(struct pg_store *s, osafe_err *e)
{
    char set[160];
    snprintf(set, sizeof set,
             "SET bytea_output = 'hex'; SET TIME ZONE 'UTC'; "
             "SET lock_timeout = '%dms'", OSAFE_DB_BUSY_TIMEOUT_MS);
    return PQsetClientEncoding(s->c, "UTF8")
               ? osafe_errf(e, OSAFE_EIO, "PostgreSQL: no UTF-8 encoding")
               : pg__exec(s, set, e);
}

/* libpq prints the server's notices ("relation ... already exists,
 * skipping") on stderr by default; library code never prints. */
static void pg_notice_quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

int store_pg_open(const char *conninfo, osafe_store **out, osafe_err *e)
{
    *out = NULL;
    struct pg_store *s = calloc(1, sizeof *s);
    if (!s)
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    s->base.ops = &pg__ops;
    s->c = PQconnectdb(conninfo);
    if (!s->c || PQstatus(s->c) != CONNECTION_OK) {
        /* libpq's message names the host and the reason; the URL itself
         * may hold a password, so it is never repeated */
        const char *m = s->c ? PQerrorMessage(s->c) : "out of memory";
        int rc = osafe_errf(e, OSAFE_EIO, "PostgreSQL: cannot connect: %.*s",
                            (int)strcspn(m, "\n"), m);
        pg_close(&s->base);
        return rc;
    }
    PQsetNoticeProcessor(s->c, pg_notice_quiet, NULL);
    int rc = pg_session(s, e);
    if (!rc)
        rc = migrate(s, e);
    if (rc) {
        pg_close(&s->base);
        return rc;
    }
    *out = &s->base;
    return 0;
}

int store_is_pg(const char *spec)
{
    return spec && (!strncmp(spec, "postgresql://", 13) ||
                    !strncmp(spec, "postgres://", 11));
}

void store_spec_redact(const char *spec, char *out, size_t n)
{
    const char *at = NULL, *colon = NULL, *user = NULL;
    if (store_is_pg(spec)) {
        user = strstr(spec, "://") + 3;
        size_t auth = strcspn(user, "@/?#");
        at = user[auth] == '@' ? user + auth : NULL;
        colon = at ? memchr(user, ':', (size_t)(at - user)) : NULL;
    }
    if (!colon) {
        snprintf(out, n, "%s", spec ? spec : "");
        return;
    }
    snprintf(out, n, "%.*s:***%s", (int)(colon - spec), spec, at);
}

int store_open(const char *spec, osafe_store **out, osafe_err *e)
{
    if (store_is_pg(spec))
        return store_pg_open(spec, out, e);
    if (spec && !strncmp(spec, "sqlite:", 7))
        spec += 7;
    return store_sqlite_open(spec, out, e);
}
