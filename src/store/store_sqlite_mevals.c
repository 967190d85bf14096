/*
 * store_sqlite_mevals.c - evaluations mirrored from peers' logs
 * (migration 13, issue 12): the peer's entry with its provenance, and its
 * withdrawal.  A published evaluation is never amended, so unlike
 * mirrored records there is no version to compare: a second put is a
 * replay.
 */
#include <stdlib.h>
#include <string.h>

#include "store/store_sqlite_int.h"

int sq__meval_put(osafe_store *base, const store_mirror *m, osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    char now[32];
    store_now(now);
    int rc = sq__write(
        s, e,
        "INSERT INTO mirrored_evaluations(origin, origin_id, "
        "origin_log_index, peer_url, checkpoint_size, body, created) "
        "VALUES (?,?,?,?,?,?,?) ON CONFLICT(origin, origin_id) DO NOTHING",
        "ssIsIss", m->origin, m->origin_id, m->origin_log_index, m->peer_url,
        m->checkpoint_size, m->body, now);
    if (!rc && sqlite3_changes(s->db) == 0)
        return osafe_errf(e, OSAFE_EEXIST, "evaluation %s from %s is held",
                          m->origin_id, m->origin);
    return rc;
}

int sq__meval_withdraw(osafe_store *base, const char *origin,
                       const char *origin_id, int64_t log_index, osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    char now[32];
    store_now(now);
    int rc = sq__write(s, e,
                       "UPDATE mirrored_evaluations SET withdrawn = ?, "
                       "withdraw_log_index = ? WHERE origin = ? AND "
                       "origin_id = ? AND withdrawn = ''",
                       "sIss", now, log_index, origin, origin_id);
    if (!rc && sqlite3_changes(s->db) == 0)
        return OSAFE_ENOTFOUND; /* the caller words it */
    return rc;
}

static int meval_row(sqlite3_stmt *st, store_mirror *m, osafe_err *e)
{
    memset(m, 0, sizeof *m);
    sq__text(m->origin, sizeof m->origin, st, 0);
    sq__text(m->origin_id, sizeof m->origin_id, st, 1);
    m->version = 1;
    m->origin_log_index = sqlite3_column_int64(st, 2);
    sq__text(m->peer_url, sizeof m->peer_url, st, 3);
    m->checkpoint_size = sqlite3_column_int64(st, 4);
    const unsigned char *b = sqlite3_column_text(st, 5);
    if (!b || !(m->body = strdup((const char *)b)))
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    m->body_len = strlen(m->body);
    sq__text(m->withdrawn, sizeof m->withdrawn, st, 6);
    sq__text(m->created, sizeof m->created, st, 7);
    return 0;
}

int sq__meval_list(osafe_store *base, const char *origin, const char *after,
                   int limit, store_mirror **out, size_t *n, osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    int rc = sq__prepare(s, &st,
                         "SELECT origin, origin_id, origin_log_index, "
                         "peer_url, checkpoint_size, body, withdrawn, created "
                         "FROM mirrored_evaluations WHERE (?1 IS NULL OR "
                         "origin = ?1) AND origin_id > ?3 "
                         "ORDER BY origin, origin_id LIMIT ?2",
                         e);
    if (rc)
        return rc;
    if (origin)
        sqlite3_bind_text(st, 1, origin, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, limit);
    sqlite3_bind_text(st, 3, after ? after : "", -1, SQLITE_TRANSIENT);
    size_t cap = 0;
    int r = SQLITE_DONE;
    while (!rc && (r = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            size_t nc = cap ? 2 * cap : 16;
            store_mirror *nm = realloc(*out, nc * sizeof *nm);
            if (!nm) {
                rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
                break;
            }
            *out = nm;
            cap = nc;
        }
        rc = meval_row(st, &(*out)[*n], e);
        if (!rc)
            (*n)++;
    }
    if (!rc && r != SQLITE_DONE)
        rc = osafe_errf(e, OSAFE_EIO, "database: %s", sqlite3_errmsg(s->db));
    sq__release(s, st);
    if (rc) {
        store_mirror_list_release(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}
