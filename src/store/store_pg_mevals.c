/*
 * store_pg_mevals.c - evaluations mirrored from peers' logs (PostgreSQL
 * migration 7, issue 12): the same answers as store_sqlite_mevals.c, ids
 * compared byte-wise (COLLATE "C") so that a page cursor means the same on
 * both backends.
 */
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store/store_pg_int.h"

#define S(b) ((struct pg_store *)(b))

static int changed(PGresult *r)
{
    int yes = strcmp(PQcmdTuples(r), "0") != 0;
    PQclear(r);
    return yes;
}

int pg__meval_put(osafe_store *s, const store_mirror *m, osafe_err *e)
{
    char now[32];
    store_now(now);
    PGresult *r;
    int rc = pg__run(
        S(s), e, &r, 1,
        "INSERT INTO mirrored_evaluations(origin, origin_id, "
        "origin_log_index, peer_url, checkpoint_size, body, created) "
        "VALUES ($1,$2,$3,$4,$5,$6,$7) ON CONFLICT (origin, origin_id) "
        "DO NOTHING",
        "ssIsIss", m->origin, m->origin_id, m->origin_log_index, m->peer_url,
        m->checkpoint_size, m->body, now);
    if (!rc && !changed(r))
        return osafe_errf(e, OSAFE_EEXIST, "evaluation %s from %s is held",
                          m->origin_id, m->origin);
    return rc;
}

int pg__meval_withdraw(osafe_store *s, const char *origin,
                       const char *origin_id, int64_t log_index, osafe_err *e)
{
    char now[32];
    store_now(now);
    PGresult *r;
    int rc = pg__run(S(s), e, &r, 1,
                     "UPDATE mirrored_evaluations SET withdrawn = $1, "
                     "withdraw_log_index = $2 WHERE origin = $3 AND "
                     "origin_id = $4 AND withdrawn = ''",
                     "sIss", now, log_index, origin, origin_id);
    if (!rc && !changed(r))
        return OSAFE_ENOTFOUND; /* as SQLite's: the caller words it */
    return rc;
}

static int meval_row(const PGresult *r, int i, store_mirror *m, osafe_err *e)
{
    memset(m, 0, sizeof *m);
    pg__text(m->origin, sizeof m->origin, r, i, 0);
    pg__text(m->origin_id, sizeof m->origin_id, r, i, 1);
    m->version = 1;
    m->origin_log_index = pg__int(r, i, 2);
    pg__text(m->peer_url, sizeof m->peer_url, r, i, 3);
    m->checkpoint_size = pg__int(r, i, 4);
    if (!(m->body = pg__dup(r, i, 5, &m->body_len)))
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    pg__text(m->withdrawn, sizeof m->withdrawn, r, i, 6);
    pg__text(m->created, sizeof m->created, r, i, 7);
    return 0;
}

int pg__meval_list(osafe_store *s, const char *origin, const char *after,
                   int limit, store_mirror **out, size_t *n, osafe_err *e)
{
    *out = NULL;
    *n = 0;
    PGresult *r;
    int rc = pg__run(S(s), e, &r, 1,
                     "SELECT origin, origin_id, origin_log_index, peer_url, "
                     "checkpoint_size, body, withdrawn, created "
                     "FROM mirrored_evaluations "
                     "WHERE ($1::text IS NULL OR origin = $1)"
                     " AND origin_id COLLATE \"C\" > $3 ORDER BY origin "
                     "COLLATE \"C\", origin_id COLLATE \"C\" LIMIT $2",
                     "sis", origin, limit, after ? after : "");
    if (rc)
        return rc;
    int rows = PQntuples(r);
    if (rows > 0 && !(*out = calloc((size_t)rows, sizeof **out)))
        rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    for (int i = 0; !rc && i < rows; i++) {
        rc = meval_row(r, i, &(*out)[i], e);
        if (!rc)
            (*n)++;
    }
    PQclear(r);
    if (rc) {
        store_mirror_list_release(*out, *n);
        *out = NULL;
        *n = 0;
    }
    return rc;
}
