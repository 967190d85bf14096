/*
 * store_sqlite_sessions.c - the SQLite backend's evaluation withdrawals
 * and web sessions (store.h, migration 3).
 */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "store/store.h"
#include "store/store_sqlite_int.h"

int sq__evaluation_withdraw(osafe_store *base, const char *id,
                           const char *reason, int64_t by, int64_t log_index,
                           const void *entry, size_t entry_len, osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    char now[32];
    store_now(now);
    int rc = sq__write(s, e,
                      "UPDATE evaluations SET withdrawn = ?, withdrawn_by = ?,"
                      " withdraw_reason = ?, withdraw_log_index = ?, "
                      "withdraw_entry = ? WHERE id = ? AND withdrawn IS NULL",
                      "sIsNbs", now, by, reason, log_index, entry, entry_len,
                      id);
    if (!rc && sqlite3_changes(s->db) != 1)
        rc = osafe_errf(e, OSAFE_ESTATE,
                        "evaluation '%s' is missing or already withdrawn", id);
    return rc;
}

/* A scan: evaluations are few (one per published run), and an index on
 * the body would need a migration for no measurable gain. */
int sq__evaluation_find(osafe_store *base, const char *samples_sha256,
                       char id[32], int *withdrawn, osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    sqlite3_stmt *st;
    int rc = sq__prepare(s, &st,
                        "SELECT id, withdrawn IS NOT NULL FROM evaluations "
                        "WHERE json_extract(body, '$.samples_sha256') = ? "
                        "ORDER BY rowid LIMIT 1",
                        e);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, samples_sha256, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW) {
        sq__text(id, 32, st, 0);
        *withdrawn = sqlite3_column_int(st, 1);
    } else {
        rc = osafe_errf(e, OSAFE_ENOTFOUND, "no evaluation of these samples");
    }
    sq__release(s, st);
    return rc;
}

/* Three statements, one transaction: one fsync per login. */
int sq__session_put(osafe_store *base, const store_session *ss,
                   int per_account, osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    int own = !s->in_tx;
    int rc = own ? base->ops->begin(base, e) : 0;
    if (rc)
        return rc;
    rc = sq__write(s, e, "DELETE FROM sessions WHERE expires <= ?", "I",
                  ss->created);
    if (!rc)
        rc = sq__write(s, e,
                      "INSERT INTO sessions(id_hash, account, csrf, created, "
                      "expires) VALUES (?,?,?,?,?)",
                      "sIsII", ss->id_hash, ss->account, ss->csrf,
                      ss->created, ss->expires);
    /* the account's newest per_account stay; a flood of logins with one
     * token only ever displaces that token's own sessions */
    if (!rc)
        rc = sq__write(s, e,
                      "DELETE FROM sessions WHERE account = ?1 AND id_hash "
                      "NOT IN (SELECT id_hash FROM sessions WHERE account = "
                      "?1 ORDER BY created DESC, rowid DESC LIMIT ?2)",
                      "Ii", ss->account, per_account);
    if (own) {
        if (rc)
            base->ops->rollback(base);
        else
            rc = base->ops->commit(base, e);
    }
    return rc;
}

int sq__session_get(osafe_store *base, const char *id_hash, int64_t now,
                   store_session *ss, store_account *a, osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    sqlite3_stmt *st;
    int rc = sq__prepare(s, &st,
                        "SELECT s.account, s.csrf, s.created, s.expires, "
                        "a.name, a.role, a.org FROM sessions s JOIN accounts "
                        "a ON a.id = s.account WHERE s.id_hash = ? AND "
                        "s.expires > ?",
                        e);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, id_hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, now);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        memset(ss, 0, sizeof *ss);
        memset(a, 0, sizeof *a);
        snprintf(ss->id_hash, sizeof ss->id_hash, "%s", id_hash);
        ss->account = a->id = sqlite3_column_int64(st, 0);
        sq__text(ss->csrf, sizeof ss->csrf, st, 1);
        ss->created = sqlite3_column_int64(st, 2);
        ss->expires = sqlite3_column_int64(st, 3);
        sq__text(a->name, sizeof a->name, st, 4);
        sq__text(a->role, sizeof a->role, st, 5);
        sq__text(a->org, sizeof a->org, st, 6);
    } else if (r == SQLITE_DONE) {
        rc = osafe_errf(e, OSAFE_ENOTFOUND, "no such session");
    } else {
        rc = osafe_errf(e, OSAFE_EIO, "database: read session: %s",
                        sqlite3_errmsg(s->db));
    }
    sq__release(s, st);
    return rc;
}

int sq__session_drop(osafe_store *base, const char *id_hash, osafe_err *e)
{
    return sq__write((struct sq_store *)base, e,
                    "DELETE FROM sessions WHERE id_hash = ?", "s", id_hash);
}
