/*
 * store_sqlite_peers.c - federation's tables (migration 10, issue 12):
 * peers and the state of their sync, accepted peer checkpoints, mirrored
 * records with their provenance, split-view evidence.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_sqlite_int.h"

void store_peer_release(store_peer *p)
{
    free(p->checkpoint);
    p->checkpoint = NULL;
}

void store_mirror_list_release(store_mirror *m, size_t n)
{
    for (size_t i = 0; i < n && m; i++)
        free(m[i].body);
    free(m);
}

static char *column_dup(sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    return t ? strdup((const char *)t) : NULL;
}

int sq__peer_put(osafe_store *base, const store_peer *p, int create,
                 osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    if (create)
        return sq__write(s, e,
                         "INSERT INTO peers(url, origin, vkey, token_env, "
                         "state, added) VALUES (?,?,?,?,?,?)",
                         "ssssss", p->url, p->origin, p->vkey, p->token_env,
                         p->state[0] ? p->state : "active", p->added);
    int rc = sq__write(s, e,
                       "UPDATE peers SET state = ?, checkpoint = ?, size = ?,"
                       " taken = ?, taken_root = ?, seen_size = ?,"
                       " last_sync = ?, last_error = ? WHERE url = ?",
                       "ssIIbIsss", p->state, p->checkpoint, p->size, p->taken,
                       p->taken_root, sizeof p->taken_root, p->seen_size,
                       p->last_sync, p->last_error, p->url);
    if (!rc && sqlite3_changes(s->db) == 0)
        return osafe_errf(e, OSAFE_ENOTFOUND, "no peer %s", p->url);
    return rc;
}

#define PEER_COLUMNS                                                       \
    "SELECT url, origin, vkey, token_env, state, checkpoint, size, taken,"  \
    " taken_root, seen_size, last_sync, last_error, added FROM peers"

static void peer_free(void *p)
{
    store_peer_release(p);
}

static int peer_row(sqlite3_stmt *st, void *dst, osafe_err *e)
{
    store_peer *p = dst;
    memset(p, 0, sizeof *p);
    sq__text(p->url, sizeof p->url, st, 0);
    sq__text(p->origin, sizeof p->origin, st, 1);
    sq__text(p->vkey, sizeof p->vkey, st, 2);
    sq__text(p->token_env, sizeof p->token_env, st, 3);
    sq__text(p->state, sizeof p->state, st, 4);
    if (sqlite3_column_type(st, 5) != SQLITE_NULL &&
        !(p->checkpoint = column_dup(st, 5)))
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    p->size = sqlite3_column_int64(st, 6);
    p->taken = sqlite3_column_int64(st, 7);
    if (sqlite3_column_bytes(st, 8) == (int)sizeof p->taken_root)
        memcpy(p->taken_root, sqlite3_column_blob(st, 8),
               sizeof p->taken_root);
    p->seen_size = sqlite3_column_int64(st, 9);
    sq__text(p->last_sync, sizeof p->last_sync, st, 10);
    sq__text(p->last_error, sizeof p->last_error, st, 11);
    sq__text(p->added, sizeof p->added, st, 12);
    return 0;
}

int sq__peer_get(osafe_store *base, const char *url, store_peer *p,
                 osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    sqlite3_stmt *st;
    memset(p, 0, sizeof *p);
    int rc = sq__prepare(s, &st, PEER_COLUMNS " WHERE url = ?", e);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, url, -1, SQLITE_TRANSIENT);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        rc = peer_row(st, p, e);
    else if (r == SQLITE_DONE)
        rc = osafe_errf(e, OSAFE_ENOTFOUND, "no peer %s (see `osafe peer "
                                            "list`)", url);
    else
        rc = osafe_errf(e, OSAFE_EIO, "database: %s", sqlite3_errmsg(s->db));
    sq__release(s, st);
    return rc;
}

int sq__peer_list(osafe_store *base, store_peer **out, size_t *n,
                  osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    int rc = sq__prepare(s, &st, PEER_COLUMNS " ORDER BY url", e);
    if (rc)
        return rc;
    void *rows;
    rc = sq__collect(s, st, sizeof **out, peer_row, peer_free, &rows, n, e);
    *out = rows;
    return rc;
}

int sq__peer_remove(osafe_store *base, const char *url, osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    int rc = sq__write(s, e, "DELETE FROM peers WHERE url = ?", "s", url);
    if (!rc && sqlite3_changes(s->db) == 0)
        return osafe_errf(e, OSAFE_ENOTFOUND,
                          "no peer %s (see `osafe peer list`)", url);
    return rc;
}

int sq__peer_checkpoint_put(osafe_store *base, const char *origin,
                            int64_t size, const char *note, osafe_err *e)
{
    char now[32];
    store_now(now);
    return sq__write((struct sq_store *)base, e,
                     "INSERT OR IGNORE INTO peer_checkpoints(origin, size, "
                     "note, created) VALUES (?,?,?,?)",
                     "sIss", origin, size, note, now);
}

int sq__mirror_put(osafe_store *base, const store_mirror *m, osafe_err *e)
{
    char now[32];
    store_now(now);
    /* An amendment replaces the version held (withdrawal cleared: the
     * origin published it again); an older one is a replay. */
    struct sq_store *s = (struct sq_store *)base;
    int rc = sq__write(
        s, e,
        "INSERT INTO mirrored_records(origin, origin_id, version, "
        "origin_log_index, peer_url, checkpoint_size, body, created, tlp, "
        "org, salt) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(origin, origin_id) DO "
        "UPDATE "
        "SET version = excluded.version, origin_log_index = "
        "excluded.origin_log_index, peer_url = excluded.peer_url, "
        "checkpoint_size = excluded.checkpoint_size, body = excluded.body, "
        "tlp = excluded.tlp, org = excluded.org, salt = excluded.salt, "
        "withdrawn = '', withdraw_log_index = NULL "
        "WHERE excluded.version > mirrored_records.version",
        "ssiIsIsssss", m->origin, m->origin_id, m->version,
        m->origin_log_index, m->peer_url, m->checkpoint_size, m->body, now,
        m->tlp[0] ? m->tlp : "CLEAR", m->org, m->salt);
    if (!rc && sqlite3_changes(s->db) == 0)
        return osafe_errf(e, OSAFE_EEXIST,
                          "%s from %s: version %d or a later one is held",
                          m->origin_id, m->origin, m->version);
    return rc;
}

#define MIRROR_COLUMNS                                                     \
    "SELECT origin, origin_id, version, origin_log_index, peer_url,"        \
    " checkpoint_size, body, withdrawn, created, tlp, org, salt"          \
    " FROM mirrored_records"

static void mirror_free(void *m)
{
    free(((store_mirror *)m)->body);
}

static int mirror_row(sqlite3_stmt *st, void *dst, osafe_err *e)
{
    store_mirror *m = dst;
    memset(m, 0, sizeof *m);
    sq__text(m->origin, sizeof m->origin, st, 0);
    sq__text(m->origin_id, sizeof m->origin_id, st, 1);
    m->version = sqlite3_column_int(st, 2);
    m->origin_log_index = sqlite3_column_int64(st, 3);
    sq__text(m->peer_url, sizeof m->peer_url, st, 4);
    m->checkpoint_size = sqlite3_column_int64(st, 5);
    if (!(m->body = column_dup(st, 6)))
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    m->body_len = strlen(m->body);
    sq__text(m->withdrawn, sizeof m->withdrawn, st, 7);
    sq__text(m->created, sizeof m->created, st, 8);
    sq__text(m->tlp, sizeof m->tlp, st, 9);
    sq__text(m->org, sizeof m->org, st, 10);
    sq__text(m->salt, sizeof m->salt, st, 11);
    return 0;
}

int sq__mirror_get(osafe_store *base, const char *origin,
                   const char *origin_id, store_mirror *m, osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    sqlite3_stmt *st;
    memset(m, 0, sizeof *m);
    int rc = sq__prepare(s, &st,
                         MIRROR_COLUMNS " WHERE origin = ? AND origin_id = ?",
                         e);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, origin, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, origin_id, -1, SQLITE_TRANSIENT);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        rc = mirror_row(st, m, e);
    else if (r == SQLITE_DONE)
        rc = osafe_errf(e, OSAFE_ENOTFOUND, "no record %s from %s", origin_id,
                        origin);
    else
        rc = osafe_errf(e, OSAFE_EIO, "database: %s", sqlite3_errmsg(s->db));
    sq__release(s, st);
    return rc;
}

int sq__mirror_withdraw(osafe_store *base, const char *origin,
                        const char *origin_id, int version, int64_t log_index,
                        osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    char now[32];
    store_now(now);
    /* A withdrawal names the version it withdraws; a later amendment we
     * already hold is not withdrawn by it. */
    int rc = sq__write(s, e,
                       "UPDATE mirrored_records SET withdrawn = ?, "
                       "withdraw_log_index = ? WHERE origin = ? AND "
                       "origin_id = ? AND version <= ?",
                       "sIssi", now, log_index, origin, origin_id, version);
    if (!rc && sqlite3_changes(s->db) == 0)
        return OSAFE_ENOTFOUND;
    return rc;
}

int sq__mirror_list(osafe_store *base, const char *origin, const char *after,
                    int limit, store_mirror **out, size_t *n, osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    int rc = sq__prepare(s, &st,
                         MIRROR_COLUMNS " WHERE (?1 IS NULL OR origin = ?1)"
                                        " AND origin_id > ?3 "
                                        "ORDER BY origin, origin_id LIMIT ?2",
                         e);
    if (rc)
        return rc;
    if (origin)
        sqlite3_bind_text(st, 1, origin, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, limit);
    sqlite3_bind_text(st, 3, after ? after : "", -1, SQLITE_TRANSIENT);
    void *rows;
    rc = sq__collect(s, st, sizeof **out, mirror_row, mirror_free, &rows, n,
                     e);
    *out = rows;
    return rc;
}

int sq__split_put(osafe_store *base, const char *peer_url, const char *origin,
                  const char *old_note, const char *new_note,
                  const char *proof, const char *reason, osafe_err *e)
{
    char now[32];
    store_now(now);
    return sq__write((struct sq_store *)base, e,
                     "INSERT INTO split_views(peer_url, origin, old_note, "
                     "new_note, proof, reason, created) VALUES "
                     "(?,?,?,?,?,?,?)",
                     "sssssss", peer_url, origin, old_note, new_note,
                     proof ? proof : "", reason, now);
}

int sq__split_get(osafe_store *base, const char *peer_url, char **old_note,
                  char **new_note, char **proof, char **reason, osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    sqlite3_stmt *st;
    *old_note = *new_note = *proof = *reason = NULL;
    int rc = sq__prepare(s, &st,
                         "SELECT old_note, new_note, proof, reason FROM "
                         "split_views WHERE peer_url = ? ORDER BY id DESC "
                         "LIMIT 1",
                         e);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, peer_url, -1, SQLITE_TRANSIENT);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        *old_note = column_dup(st, 0);
        *new_note = column_dup(st, 1);
        *proof = column_dup(st, 2);
        *reason = column_dup(st, 3);
        if (!*old_note || !*new_note || !*proof || !*reason)
            rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    } else if (r == SQLITE_DONE) {
        rc = osafe_errf(e, OSAFE_ENOTFOUND, "no split-view evidence against "
                                            "%s",
                        peer_url);
    } else {
        rc = osafe_errf(e, OSAFE_EIO, "database: %s", sqlite3_errmsg(s->db));
    }
    sq__release(s, st);
    if (rc) {
        free(*old_note);
        free(*new_note);
        free(*proof);
        free(*reason);
        *old_note = *new_note = *proof = *reason = NULL;
    }
    return rc;
}

int sq__witness_get(osafe_store *base, const char *origin, int64_t *size,
                    uint8_t root[32], char **note, osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    sqlite3_stmt *st;
    *note = NULL;
    int rc = sq__prepare(s, &st,
                         "SELECT size, root, note FROM witness_state WHERE "
                         "origin = ?",
                         e);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, origin, -1, SQLITE_TRANSIENT);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW && sqlite3_column_bytes(st, 1) == 32) {
        *size = sqlite3_column_int64(st, 0);
        memcpy(root, sqlite3_column_blob(st, 1), 32);
        if (!(*note = column_dup(st, 2)))
            rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    } else if (r == SQLITE_ROW) {
        rc = osafe_errf(e, OSAFE_ECORRUPT, "witness state of %s: bad root",
                        origin);
    } else if (r == SQLITE_DONE) {
        rc = OSAFE_ENOTFOUND;
    } else {
        rc = osafe_errf(e, OSAFE_EIO, "database: %s", sqlite3_errmsg(s->db));
    }
    sq__release(s, st);
    return rc;
}

int sq__witness_put(osafe_store *base, const char *origin, int64_t size,
                    const uint8_t root[32], const char *note, osafe_err *e)
{
    char now[32];
    store_now(now);
    return sq__write((struct sq_store *)base, e,
                     "INSERT OR REPLACE INTO witness_state(origin, size, "
                     "root, note, updated) VALUES (?,?,?,?,?)",
                     "sIbss", origin, size, root, (size_t)32, note, now);
}
