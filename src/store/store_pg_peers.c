/*
 * store_pg_peers.c - federation's rows (PostgreSQL migration 3, issue 12):
 * peers and the state of their sync, accepted peer checkpoints, mirrored
 * records with their provenance, split-view evidence, the witness's state.
 * The same semantics as store_sqlite_peers.c, statement for statement:
 * the federation code (src/federation/) cannot tell the backends apart.
 * Ids compare and sort byte-wise (COLLATE "C"), as SQLite's do, so that a
 * page cursor means the same on both.
 */
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store/store_pg_int.h"

#define S(b) ((struct pg_store *)(b))

/* Whether the write whose result r is changed a row (its command tag);
 * r is cleared. */
static int changed(PGresult *r)
{
    int yes = strcmp(PQcmdTuples(r), "0") != 0;
    PQclear(r);
    return yes;
}

static int oom(osafe_err *e)
{
    return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
}

int pg__peer_put(osafe_store *s, const store_peer *p, int create, osafe_err *e)
{
    if (create)
        return pg__run(S(s), e, NULL, 1,
                       "INSERT INTO peers(url, origin, vkey, token_env, "
                       "state, added) VALUES ($1,$2,$3,$4,$5,$6)",
                       "ssssss", p->url, p->origin, p->vkey, p->token_env,
                       p->state[0] ? p->state : "active", p->added);
    PGresult *r;
    int rc = pg__run(S(s), e, &r, 1,
                     "UPDATE peers SET state = $1, checkpoint = $2, size = $3,"
                     " taken = $4, taken_root = $5, seen_size = $6,"
                     " last_sync = $7, last_error = $8 WHERE url = $9",
                     "ssIIbIsss", p->state, p->checkpoint, p->size, p->taken,
                     p->taken_root, sizeof p->taken_root, p->seen_size,
                     p->last_sync, p->last_error, p->url);
    if (!rc && !changed(r))
        return osafe_errf(e, OSAFE_ENOTFOUND, "no peer %s", p->url);
    return rc;
}

#define PEER_COLUMNS                                                       \
    "SELECT url, origin, vkey, token_env, state, checkpoint, size, taken,"  \
    " taken_root, seen_size, last_sync, last_error, added FROM peers"

static int peer_row(const PGresult *r, int i, store_peer *p, osafe_err *e)
{
    memset(p, 0, sizeof *p);
    pg__text(p->url, sizeof p->url, r, i, 0);
    pg__text(p->origin, sizeof p->origin, r, i, 1);
    pg__text(p->vkey, sizeof p->vkey, r, i, 2);
    pg__text(p->token_env, sizeof p->token_env, r, i, 3);
    pg__text(p->state, sizeof p->state, r, i, 4);
    if (!PQgetisnull(r, i, 5) && !(p->checkpoint = pg__dup(r, i, 5, NULL)))
        return oom(e);
    p->size = pg__int(r, i, 6);
    p->taken = pg__int(r, i, 7);
    size_t n;
    int nomem = 0;
    uint8_t *root = pg__bytea(r, i, 8, &n, &nomem);
    if (root && n == sizeof p->taken_root)
        memcpy(p->taken_root, root, sizeof p->taken_root);
    free(root);
    if (nomem) {
        store_peer_release(p);
        return oom(e);
    }
    p->seen_size = pg__int(r, i, 9);
    pg__text(p->last_sync, sizeof p->last_sync, r, i, 10);
    pg__text(p->last_error, sizeof p->last_error, r, i, 11);
    pg__text(p->added, sizeof p->added, r, i, 12);
    return 0;
}

int pg__peer_get(osafe_store *s, const char *url, store_peer *p, osafe_err *e)
{
    memset(p, 0, sizeof *p);
    PGresult *r;
    int rc = pg__run(S(s), e, &r, 1, PEER_COLUMNS " WHERE url = $1", "s", url);
    if (rc)
        return rc;
    if (PQntuples(r) == 1)
        rc = peer_row(r, 0, p, e);
    else
        rc = osafe_errf(e, OSAFE_ENOTFOUND, "no peer %s (see `osafe peer "
                                            "list`)", url);
    PQclear(r);
    return rc;
}

int pg__peer_list(osafe_store *s, store_peer **out, size_t *n, osafe_err *e)
{
    *out = NULL;
    *n = 0;
    PGresult *r;
    int rc = pg__run(S(s), e, &r, 1,
                     PEER_COLUMNS " ORDER BY url COLLATE \"C\"", "");
    if (rc)
        return rc;
    int rows = PQntuples(r);
    if (rows > 0 && !(*out = calloc((size_t)rows, sizeof **out)))
        rc = oom(e);
    for (int i = 0; !rc && i < rows; i++) {
        rc = peer_row(r, i, &(*out)[i], e);
        if (!rc)
            (*n)++;
    }
    PQclear(r);
    if (rc) {
        for (size_t i = 0; i < *n; i++)
            store_peer_release(&(*out)[i]);
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

int pg__peer_remove(osafe_store *s, const char *url, osafe_err *e)
{
    PGresult *r;
    int rc = pg__run(S(s), e, &r, 1, "DELETE FROM peers WHERE url = $1", "s",
                     url);
    if (!rc && !changed(r))
        return osafe_errf(e, OSAFE_ENOTFOUND,
                          "no peer %s (see `osafe peer list`)", url);
    return rc;
}

int pg__peer_checkpoint_put(osafe_store *s, const char *origin, int64_t size,
                            const char *note, osafe_err *e)
{
    char now[32];
    store_now(now);
    return pg__run(S(s), e, NULL, 1,
                   "INSERT INTO peer_checkpoints(origin, size, note, created) "
                   "VALUES ($1,$2,$3,$4) ON CONFLICT DO NOTHING",
                   "sIss", origin, size, note, now);
}

int pg__mirror_put(osafe_store *s, const store_mirror *m, osafe_err *e)
{
    char now[32];
    store_now(now);
    /* An amendment replaces the version held (withdrawal cleared: the
     * origin published it again); an older one is a replay. */
    PGresult *r;
    int rc = pg__run(
        S(s), e, &r, 1,
        "INSERT INTO mirrored_records(origin, origin_id, version, "
        "origin_log_index, peer_url, checkpoint_size, body, created, tlp, "
        "org, salt) "
        "VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) ON CONFLICT (origin, "
        "origin_id) DO "
        "UPDATE SET version = excluded.version, origin_log_index = "
        "excluded.origin_log_index, peer_url = excluded.peer_url, "
        "checkpoint_size = excluded.checkpoint_size, body = excluded.body, "
        "tlp = excluded.tlp, org = excluded.org, salt = excluded.salt, "
        "withdrawn = '', withdraw_log_index = NULL "
        "WHERE excluded.version > mirrored_records.version",
        "ssiIsIsssss", m->origin, m->origin_id, m->version,
        m->origin_log_index, m->peer_url, m->checkpoint_size, m->body, now,
        m->tlp[0] ? m->tlp : "CLEAR", m->org, m->salt);
    if (!rc && !changed(r))
        return osafe_errf(e, OSAFE_EEXIST,
                          "%s from %s: version %d or a later one is held",
                          m->origin_id, m->origin, m->version);
    return rc;
}

#define MIRROR_COLUMNS                                                     \
    "SELECT origin, origin_id, version, origin_log_index, peer_url,"        \
    " checkpoint_size, body, withdrawn, created, tlp, org, salt"          \
    " FROM mirrored_records"

static int mirror_row(const PGresult *r, int i, store_mirror *m, osafe_err *e)
{
    memset(m, 0, sizeof *m);
    pg__text(m->origin, sizeof m->origin, r, i, 0);
    pg__text(m->origin_id, sizeof m->origin_id, r, i, 1);
    m->version = (int)pg__int(r, i, 2);
    m->origin_log_index = pg__int(r, i, 3);
    pg__text(m->peer_url, sizeof m->peer_url, r, i, 4);
    m->checkpoint_size = pg__int(r, i, 5);
    if (!(m->body = pg__dup(r, i, 6, &m->body_len)))
        return oom(e);
    pg__text(m->withdrawn, sizeof m->withdrawn, r, i, 7);
    pg__text(m->created, sizeof m->created, r, i, 8);
    pg__text(m->tlp, sizeof m->tlp, r, i, 9);
    pg__text(m->org, sizeof m->org, r, i, 10);
    pg__text(m->salt, sizeof m->salt, r, i, 11);
    return 0;
}

int pg__mirror_get(osafe_store *s, const char *origin, const char *origin_id,
                   store_mirror *m, osafe_err *e)
{
    memset(m, 0, sizeof *m);
    PGresult *r;
    int rc = pg__run(S(s), e, &r, 1,
                     MIRROR_COLUMNS " WHERE origin = $1 AND origin_id = $2",
                     "ss", origin, origin_id);
    if (rc)
        return rc;
    if (PQntuples(r) == 1)
        rc = mirror_row(r, 0, m, e);
    else
        rc = osafe_errf(e, OSAFE_ENOTFOUND, "no record %s from %s", origin_id,
                        origin);
    PQclear(r);
    return rc;
}

int pg__mirror_withdraw(osafe_store *s, const char *origin,
                        const char *origin_id, int version, int64_t log_index,
                        osafe_err *e)
{
    char now[32];
    store_now(now);
    /* A withdrawal names the version it withdraws; a later amendment we
     * already hold is not withdrawn by it. */
    PGresult *r;
    int rc = pg__run(S(s), e, &r, 1,
                     "UPDATE mirrored_records SET withdrawn = $1, "
                     "withdraw_log_index = $2 WHERE origin = $3 AND "
                     "origin_id = $4 AND version <= $5",
                     "sIssi", now, log_index, origin, origin_id, version);
    if (!rc && !changed(r))
        return OSAFE_ENOTFOUND; /* as SQLite's: the caller words it */
    return rc;
}

int pg__mirror_list(osafe_store *s, const char *origin, const char *after,
                    int limit, store_mirror **out, size_t *n, osafe_err *e)
{
    *out = NULL;
    *n = 0;
    PGresult *r;
    int rc = pg__run(S(s), e, &r, 1,
                     MIRROR_COLUMNS " WHERE ($1::text IS NULL OR origin = $1)"
                     " AND origin_id COLLATE \"C\" > $3 ORDER BY origin "
                     "COLLATE \"C\", origin_id COLLATE \"C\" LIMIT $2",
                     "sis", origin, limit, after ? after : "");
    if (rc)
        return rc;
    int rows = PQntuples(r);
    if (rows > 0 && !(*out = calloc((size_t)rows, sizeof **out)))
        rc = oom(e);
    for (int i = 0; !rc && i < rows; i++) {
        rc = mirror_row(r, i, &(*out)[i], e);
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

int pg__split_put(osafe_store *s, const char *peer_url, const char *origin,
                  const char *old_note, const char *new_note,
                  const char *proof, const char *reason, osafe_err *e)
{
    char now[32];
    store_now(now);
    return pg__run(S(s), e, NULL, 1,
                   "INSERT INTO split_views(peer_url, origin, old_note, "
                   "new_note, proof, reason, created) VALUES "
                   "($1,$2,$3,$4,$5,$6,$7)",
                   "sssssss", peer_url, origin, old_note, new_note,
                   proof ? proof : "", reason, now);
}

int pg__split_get(osafe_store *s, const char *peer_url, char **old_note,
                  char **new_note, char **proof, char **reason, osafe_err *e)
{
    *old_note = *new_note = *proof = *reason = NULL;
    PGresult *r;
    int rc = pg__run(S(s), e, &r, 1,
                     "SELECT old_note, new_note, proof, reason FROM "
                     "split_views WHERE peer_url = $1 ORDER BY id DESC "
                     "LIMIT 1",
                     "s", peer_url);
    if (rc)
        return rc;
    if (PQntuples(r) == 1) {
        *old_note = pg__dup(r, 0, 0, NULL);
        *new_note = pg__dup(r, 0, 1, NULL);
        *proof = pg__dup(r, 0, 2, NULL);
        *reason = pg__dup(r, 0, 3, NULL);
        if (!*old_note || !*new_note || !*proof || !*reason)
            rc = oom(e);
    } else {
        rc = osafe_errf(e, OSAFE_ENOTFOUND, "no split-view evidence against "
                                            "%s",
                        peer_url);
    }
    PQclear(r);
    if (rc) {
        free(*old_note);
        free(*new_note);
        free(*proof);
        free(*reason);
        *old_note = *new_note = *proof = *reason = NULL;
    }
    return rc;
}

int pg__witness_get(osafe_store *s, const char *origin, int64_t *size,
                    uint8_t root[32], char **note, osafe_err *e)
{
    *note = NULL;
    PGresult *r;
    int rc = pg__run(S(s), e, &r, 1,
                     "SELECT size, root, note FROM witness_state WHERE "
                     "origin = $1",
                     "s", origin);
    if (rc)
        return rc;
    if (PQntuples(r) == 1) {
        size_t n;
        int nomem = 0;
        uint8_t *b = pg__bytea(r, 0, 1, &n, &nomem);
        if (nomem)
            rc = oom(e);
        else if (!b || n != 32)
            rc = osafe_errf(e, OSAFE_ECORRUPT,
                            "witness state of %s: bad root", origin);
        else if (!(*note = pg__dup(r, 0, 2, NULL)))
            rc = oom(e);
        if (!rc) {
            *size = pg__int(r, 0, 0);
            memcpy(root, b, 32);
        }
        free(b);
    } else {
        rc = OSAFE_ENOTFOUND; /* as SQLite's: the caller words it */
    }
    PQclear(r);
    return rc;
}

int pg__witness_put(osafe_store *s, const char *origin, int64_t size,
                    const uint8_t root[32], const char *note, osafe_err *e)
{
    char now[32];
    store_now(now);
    return pg__run(S(s), e, NULL, 1,
                   "INSERT INTO witness_state(origin, size, root, note, "
                   "updated) VALUES ($1,$2,$3,$4,$5) ON CONFLICT (origin) DO "
                   "UPDATE SET size = excluded.size, root = excluded.root, "
                   "note = excluded.note, updated = excluded.updated",
                   "sIbss", origin, size, root, (size_t)32, note, now);
}
