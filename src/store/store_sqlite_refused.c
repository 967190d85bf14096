/*
 * store_sqlite_refused.c - GREEN/AMBER records of a peer whose served
 * bytes did not match its log's commitment, kept until a later sync
 * fetches a matching copy or the origin withdraws them (table
 * peer_refused, issue 12; federation/retry.c).
 */
#include <stdlib.h>
#include <string.h>

#include "store/store_sqlite_int.h"

int sq__refused_put(osafe_store *base, const store_refused *r, osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    char now[32];
    store_now(now);
    return sq__write(s, e,
                     "INSERT INTO peer_refused(peer_url, log_index, origin, "
                     "origin_id, version, tlp, commitment, why, first) "
                     "VALUES (?,?,?,?,?,?,?,?,?) "
                     "ON CONFLICT(peer_url, log_index) DO UPDATE SET "
                     "why = excluded.why, tries = peer_refused.tries + 1",
                     "sIssissss", r->peer_url, r->log_index, r->origin,
                     r->origin_id, r->version, r->tlp, r->commitment, r->why,
                     now);
}

static int count(struct sq_store *s, const char *url, int64_t *total,
                 osafe_err *e)
{
    sqlite3_stmt *st;
    int rc = sq__prepare(s, &st, "SELECT count(*) FROM peer_refused WHERE "
                                 "peer_url = ?",
                         e);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, url, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW)
        *total = sqlite3_column_int64(st, 0);
    else
        rc = osafe_errf(e, OSAFE_EIO, "database: %s", sqlite3_errmsg(s->db));
    sq__release(s, st);
    return rc;
}

static void row(sqlite3_stmt *st, store_refused *r)
{
    memset(r, 0, sizeof *r);
    sq__text(r->peer_url, sizeof r->peer_url, st, 0);
    r->log_index = sqlite3_column_int64(st, 1);
    sq__text(r->origin, sizeof r->origin, st, 2);
    sq__text(r->origin_id, sizeof r->origin_id, st, 3);
    r->version = sqlite3_column_int(st, 4);
    sq__text(r->tlp, sizeof r->tlp, st, 5);
    sq__text(r->commitment, sizeof r->commitment, st, 6);
    sq__text(r->why, sizeof r->why, st, 7);
    r->tries = sqlite3_column_int64(st, 8);
    sq__text(r->first, sizeof r->first, st, 9);
}

int sq__refused_list(osafe_store *base, const char *url, size_t limit,
                     store_refused **out, size_t *n, int64_t *total,
                     osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    *out = NULL;
    *n = 0;
    *total = 0;
    int rc = count(s, url, total, e);
    if (rc || !limit || !*total)
        return rc;
    size_t cap = (uint64_t)*total < limit ? (size_t)*total : limit;
    if (!(*out = calloc(cap, sizeof **out)))
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    sqlite3_stmt *st;
    if ((rc = sq__prepare(s, &st,
                          "SELECT peer_url, log_index, origin, origin_id, "
                          "version, tlp, commitment, why, tries, first FROM "
                          "peer_refused WHERE peer_url = ? ORDER BY "
                          "log_index LIMIT ?",
                          e))) {
        free(*out);
        *out = NULL;
        return rc;
    }
    sqlite3_bind_text(st, 1, url, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, (int64_t)cap);
    int r;
    while (*n < cap && (r = sqlite3_step(st)) == SQLITE_ROW)
        row(st, &(*out)[(*n)++]);
    if (*n < cap && r != SQLITE_DONE)
        rc = osafe_errf(e, OSAFE_EIO, "database: %s", sqlite3_errmsg(s->db));
    sq__release(s, st);
    if (rc) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

int sq__refused_drop(osafe_store *base, const char *url, int64_t log_index,
                     const char *origin_id, osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    if (log_index >= 0)
        return sq__write(s, e, "DELETE FROM peer_refused WHERE peer_url = ? "
                               "AND log_index = ?",
                         "sI", url, log_index);
    return sq__write(s, e, "DELETE FROM peer_refused WHERE peer_url = ? AND "
                           "origin_id = ?",
                     "ss", url, origin_id ? origin_id : "");
}
