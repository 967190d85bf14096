/*
 * store_pg_refused.c - refused GREEN/AMBER records of peers, fetched again
 * by later syncs (PostgreSQL migration 8, issue 12): the same semantics
 * as store_sqlite_refused.c, statement for statement.
 */
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store/store_pg_int.h"

#define S(b) ((struct pg_store *)(b))

int pg__refused_put(osafe_store *s, const store_refused *r, osafe_err *e)
{
    char now[32];
    store_now(now);
    return pg__run(S(s), e, NULL, 1,
                   "INSERT INTO peer_refused(peer_url, log_index, origin, "
                   "origin_id, version, tlp, commitment, why, first) "
                   "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9) "
                   "ON CONFLICT(peer_url, log_index) DO UPDATE SET "
                   "why = excluded.why, tries = peer_refused.tries + 1",
                   "sIssissss", r->peer_url, r->log_index, r->origin,
                   r->origin_id, r->version, r->tlp, r->commitment, r->why,
                   now);
}

int pg__refused_list(osafe_store *s, const char *url, size_t limit,
                     store_refused **out, size_t *n, int64_t *total,
                     osafe_err *e)
{
    *out = NULL;
    *n = 0;
    *total = 0;
    PGresult *r;
    int rc = pg__run(S(s), e, &r, 1,
                     "SELECT count(*) FROM peer_refused WHERE peer_url = $1",
                     "s", url);
    if (rc)
        return rc;
    *total = pg__int(r, 0, 0);
    PQclear(r);
    if (!limit || !*total)
        return 0;
    rc = pg__run(S(s), e, &r, 1,
                 "SELECT peer_url, log_index, origin, origin_id, version, "
                 "tlp, commitment, why, tries, first FROM peer_refused "
                 "WHERE peer_url = $1 ORDER BY log_index LIMIT $2",
                 "sI", url, (int64_t)limit);
    if (rc)
        return rc;
    int rows = PQntuples(r);
    if (rows > 0 && !(*out = calloc((size_t)rows, sizeof **out)))
        rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    for (int i = 0; !rc && i < rows; i++) {
        store_refused *f = &(*out)[i];
        pg__text(f->peer_url, sizeof f->peer_url, r, i, 0);
        f->log_index = pg__int(r, i, 1);
        pg__text(f->origin, sizeof f->origin, r, i, 2);
        pg__text(f->origin_id, sizeof f->origin_id, r, i, 3);
        f->version = (int)pg__int(r, i, 4);
        pg__text(f->tlp, sizeof f->tlp, r, i, 5);
        pg__text(f->commitment, sizeof f->commitment, r, i, 6);
        pg__text(f->why, sizeof f->why, r, i, 7);
        f->tries = pg__int(r, i, 8);
        pg__text(f->first, sizeof f->first, r, i, 9);
        (*n)++;
    }
    PQclear(r);
    return rc;
}

int pg__refused_drop(osafe_store *s, const char *url, int64_t log_index,
                     const char *origin_id, osafe_err *e)
{
    if (log_index >= 0)
        return pg__run(S(s), e, NULL, 1,
                       "DELETE FROM peer_refused WHERE peer_url = $1 AND "
                       "log_index = $2",
                       "sI", url, log_index);
    return pg__run(S(s), e, NULL, 1,
                   "DELETE FROM peer_refused WHERE peer_url = $1 AND "
                   "origin_id = $2",
                   "ss", url, origin_id ? origin_id : "");
}
