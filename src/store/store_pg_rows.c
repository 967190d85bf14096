/*
 * store_pg_rows.c - the PostgreSQL backend's rows beside records and
 * versions: links, evidence, import sources, evaluations and their
 * withdrawals, four-eyes editors, web sessions, log entries of their own,
 * discarding a draft.  Each mirrors its SQLite twin (store_sqlite*.c);
 * the comments there say why each does what it does.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store/store_pg_int.h"

#define S(base) ((struct pg_store *)(base))

int pg__link_put(osafe_store *base, const char *from, const char *to,
                 const char *relation, int64_t author, osafe_err *e)
{
    char now[32];
    store_now(now);
    return pg__run(S(base), e, NULL, 1,
                   "INSERT INTO links(from_id, to_id, relation, author, "
                   "created) VALUES ($1,$2,$3,$4,$5) ON CONFLICT DO NOTHING",
                   "sssIs", from, to, relation, author, now);
}

int pg__links_json(osafe_store *base, const char *id, char **json,
                   osafe_err *e)
{
    PGresult *r;
    /* json_build_object keeps the key order SQLite's json_object gives */
    int rc = pg__run(S(base), e, &r, 1,
                     "SELECT coalesce(json_agg(json_build_object('from', "
                     "from_id, 'to', to_id, 'relation', relation, 'created', "
                     "created) ORDER BY created, from_id, to_id)::text, '[]') "
                     "FROM links WHERE from_id = $1 OR to_id = $1",
                     "s", id);
    if (rc)
        return rc;
    *json = pg__dup(r, 0, 0, NULL);
    PQclear(r);
    return *json ? 0 : osafe_errf(e, OSAFE_ENOMEM, "out of memory");
}

int pg__evidence_put(osafe_store *base, const char *id, const char *body,
                     size_t len, int64_t author, int64_t log_index,
                     const uint8_t *salt, int64_t *evidence_id, osafe_err *e)
{
    char now[32];
    store_now(now);
    char *text = strndup(body, len);
    if (!text)
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    PGresult *r;
    int rc = pg__run(S(base), e, &r, 1,
                     "INSERT INTO evidence(record_id, body, author, "
                     "log_index, created, salt) VALUES ($1,$2,$3,$4,$5,$6) "
                     "RETURNING id",
                     "ssINsb", id, text, author, log_index, now, salt,
                     (size_t)32);
    free(text);
    if (!rc) {
        *evidence_id = pg__int(r, 0, 0);
        PQclear(r);
    }
    return rc;
}

int pg__source_get(osafe_store *base, const char *key, char id[32],
                   osafe_err *e)
{
    PGresult *r;
    int rc = pg__run(S(base), e, &r, 1,
                     "SELECT record_id FROM sources WHERE source_key = $1",
                     "s", key);
    if (rc)
        return rc;
    if (PQntuples(r) == 1)
        pg__text(id, 32, r, 0, 0);
    else
        rc = OSAFE_ENOTFOUND;
    PQclear(r);
    return rc;
}

int pg__source_put(osafe_store *base, const char *key, const char *id,
                   osafe_err *e)
{
    char now[32];
    store_now(now);
    return pg__run(S(base), e, NULL, 1,
                   "INSERT INTO sources(source_key, record_id, created) "
                   "VALUES ($1,$2,$3)",
                   "sss", key, id, now);
}

int pg__max_log_index(osafe_store *base, int64_t *out, osafe_err *e)
{
    PGresult *r;
    int rc = pg__run(S(base), e, &r, 1,
                     "SELECT greatest((SELECT max(log_index) FROM versions), "
                     "(SELECT max(log_index) FROM evidence), (SELECT "
                     "max(log_index) FROM evaluations), (SELECT "
                     "max(withdraw_log_index) FROM evaluations), (SELECT "
                     "max(log_index) FROM log_extra))",
                     "");
    if (rc)
        return rc;
    *out = PQgetisnull(r, 0, 0) ? -1 : pg__int(r, 0, 0);
    PQclear(r);
    return 0;
}

int pg__evaluation_put(osafe_store *base, const char *id, const char *body,
                       size_t len, int64_t author, int64_t log_index,
                       const void *entry, size_t entry_len, osafe_err *e)
{
    char now[32];
    store_now(now);
    char *text = strndup(body, len);
    if (!text)
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    int rc = pg__run(S(base), e, NULL, 1,
                     "INSERT INTO evaluations(id, body, author, log_index, "
                     "log_entry, created) VALUES ($1,$2,$3,$4,$5,$6)",
                     "ssINbs", id, text, author, log_index, entry, entry_len,
                     now);
    free(text);
    return rc;
}

int pg__evaluation_get(osafe_store *base, const char *id, char **body,
                       size_t *len, int64_t *log_index, osafe_err *e)
{
    PGresult *r;
    int rc = pg__run(S(base), e, &r, 1,
                     "SELECT body, log_index, withdrawn, withdraw_reason "
                     "FROM evaluations WHERE id = $1",
                     "s", id);
    if (rc)
        return rc;
    if (PQntuples(r) != 1) {
        rc = osafe_errf(e, OSAFE_ENOTFOUND, "no evaluation '%s'", id);
    } else if (!PQgetisnull(r, 0, 2)) {
        rc = osafe_errf(e, OSAFE_ESTATE, "evaluation '%s' was withdrawn on "
                        "%s: %s", id, PQgetvalue(r, 0, 2),
                        PQgetvalue(r, 0, 3));
    } else {
        *body = pg__dup(r, 0, 0, len);
        *log_index = pg__int(r, 0, 1);
        if (!*body)
            rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    }
    PQclear(r);
    return rc;
}

int pg__evaluation_withdraw(osafe_store *base, const char *id,
                            const char *reason, int64_t by,
                            int64_t log_index, const void *entry,
                            size_t entry_len, osafe_err *e)
{
    char now[32];
    store_now(now);
    PGresult *r;
    int rc = pg__run(S(base), e, &r, 1,
                     "UPDATE evaluations SET withdrawn = $1, withdrawn_by = "
                     "$2, withdraw_reason = $3, withdraw_log_index = $4, "
                     "withdraw_entry = $5 WHERE id = $6 AND withdrawn IS NULL",
                     "sIsNbs", now, by, reason, log_index, entry, entry_len,
                     id);
    if (rc)
        return rc;
    if (strcmp(PQcmdTuples(r), "1"))
        rc = osafe_errf(e, OSAFE_ESTATE,
                        "evaluation '%s' is missing or already withdrawn", id);
    PQclear(r);
    return rc;
}

int pg__evaluation_find(osafe_store *base, const char *samples_sha256,
                        char id[32], int *withdrawn, osafe_err *e)
{
    PGresult *r;
    int rc = pg__run(S(base), e, &r, 1,
                     "SELECT id, withdrawn IS NOT NULL FROM evaluations "
                     "WHERE samples_sha256 = $1 ORDER BY seq LIMIT 1",
                     "s", samples_sha256);
    if (rc)
        return rc;
    if (PQntuples(r) == 1) {
        pg__text(id, 32, r, 0, 0);
        *withdrawn = PQgetvalue(r, 0, 1)[0] == 't';
    } else {
        rc = osafe_errf(e, OSAFE_ENOTFOUND, "no evaluation of these samples");
    }
    PQclear(r);
    return rc;
}

int pg__editor_add(osafe_store *base, const char *id, int version,
                   int64_t account, osafe_err *e)
{
    return pg__run(S(base), e, NULL, 1,
                   "INSERT INTO version_editors(record_id, version, account) "
                   "VALUES ($1,$2,$3) ON CONFLICT DO NOTHING",
                   "siI", id, version, account);
}

int pg__edited_by(osafe_store *base, const char *id, int version,
                  int64_t account, int *yes, osafe_err *e)
{
    PGresult *r;
    int rc = pg__run(S(base), e, &r, 1,
                     "SELECT 1 FROM version_editors WHERE record_id = $1 "
                     "AND version = $2 AND account = $3",
                     "siI", id, version, account);
    if (rc)
        return rc;
    *yes = PQntuples(r) > 0;
    PQclear(r);
    return 0;
}

int pg__session_put(osafe_store *base, const store_session *ss,
                    int per_account, osafe_err *e)
{
    struct pg_store *s = S(base);
    int own = !s->in_tx;
    int rc = own ? base->ops->begin(base, e) : 0;
    if (rc)
        return rc;
    rc = pg__run(s, e, NULL, 1, "DELETE FROM sessions WHERE expires <= $1",
                 "I", ss->created);
    if (!rc)
        rc = pg__run(s, e, NULL, 1,
                     "INSERT INTO sessions(id_hash, account, csrf, created, "
                     "expires) VALUES ($1,$2,$3,$4,$5)",
                     "sIsII", ss->id_hash, ss->account, ss->csrf, ss->created,
                     ss->expires);
    if (!rc)
        rc = pg__run(s, e, NULL, 1,
                     "DELETE FROM sessions WHERE account = $1 AND id_hash "
                     "NOT IN (SELECT id_hash FROM sessions WHERE account = "
                     "$1 ORDER BY created DESC, seq DESC LIMIT $2)",
                     "Ii", ss->account, per_account);
    if (own) {
        if (rc)
            base->ops->rollback(base);
        else
            rc = base->ops->commit(base, e);
    }
    return rc;
}

int pg__session_get(osafe_store *base, const char *id_hash, int64_t now,
                    store_session *ss, store_account *a, osafe_err *e)
{
    PGresult *r;
    int rc = pg__run(S(base), e, &r, 1,
                     "SELECT s.account, s.csrf, s.created, s.expires, "
                     "a.name, a.role, a.org FROM sessions s JOIN accounts a "
                     "ON a.id = s.account WHERE s.id_hash = $1 AND "
                     "s.expires > $2",
                     "sI", id_hash, now);
    if (rc)
        return rc;
    if (PQntuples(r) == 1) {
        memset(ss, 0, sizeof *ss);
        memset(a, 0, sizeof *a);
        snprintf(ss->id_hash, sizeof ss->id_hash, "%s", id_hash);
        ss->account = a->id = pg__int(r, 0, 0);
        pg__text(ss->csrf, sizeof ss->csrf, r, 0, 1);
        ss->created = pg__int(r, 0, 2);
        ss->expires = pg__int(r, 0, 3);
        pg__text(a->name, sizeof a->name, r, 0, 4);
        pg__text(a->role, sizeof a->role, r, 0, 5);
        pg__text(a->org, sizeof a->org, r, 0, 6);
    } else {
        rc = osafe_errf(e, OSAFE_ENOTFOUND, "no such session");
    }
    PQclear(r);
    return rc;
}

int pg__session_drop(osafe_store *base, const char *id_hash, osafe_err *e)
{
    return pg__run(S(base), e, NULL, 1,
                   "DELETE FROM sessions WHERE id_hash = $1", "s", id_hash);
}

int pg__log_extra_put(osafe_store *base, int64_t index, const char *kind,
                      const char *record_id, int version, const void *entry,
                      size_t len, osafe_err *e)
{
    char now[32];
    store_now(now);
    static const char empty[1] = "";
    return pg__run(S(base), e, NULL, 1,
                   "INSERT INTO log_extra(log_index, kind, record_id, "
                   "version, entry, created) VALUES ($1,$2,$3,$4,$5,$6) "
                   "ON CONFLICT (log_index) DO UPDATE SET kind = "
                   "excluded.kind, record_id = excluded.record_id, version = "
                   "excluded.version, entry = excluded.entry, created = "
                   "excluded.created",
                   "Issibs", index, kind, record_id ? record_id : "", version,
                   entry ? entry : empty, len, now);
}

int pg__log_orphan_get(osafe_store *base, const char *record_id, int version,
                       int64_t *index, uint8_t **entry, size_t *len,
                       osafe_err *e)
{
    PGresult *r;
    int rc = pg__run(S(base), e, &r, 1,
                     "SELECT log_index, entry FROM log_extra WHERE kind = "
                     "'abandoned' AND record_id = $1 AND version = $2 "
                     "ORDER BY log_index DESC LIMIT 1",
                     "si", record_id, version);
    if (rc)
        return rc;
    if (PQntuples(r) == 1) {
        int oom = 0;
        *index = pg__int(r, 0, 0);
        *entry = pg__bytea(r, 0, 1, len, &oom);
        if (!*entry && !oom && (*entry = malloc(1)))
            *len = 0; /* an empty entry */
        if (!*entry)
            rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    } else {
        rc = OSAFE_ENOTFOUND;
    }
    PQclear(r);
    return rc;
}

int pg__record_discard(osafe_store *base, const char *id, osafe_err *e)
{
    static const char *const sql[] = {
        "DELETE FROM search_text WHERE record_id = $1",
        "DELETE FROM version_editors WHERE record_id = $1",
        "DELETE FROM evidence WHERE record_id = $1",
        "DELETE FROM sources WHERE record_id = $1",
        "DELETE FROM links WHERE from_id = $1 OR to_id = $1",
        "DELETE FROM versions WHERE record_id = $1",
        "DELETE FROM records WHERE id = $1",
    };
    for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
        int rc = pg__run(S(base), e, NULL, 1, sql[i], "s", id);
        if (rc)
            return rc;
    }
    return 0;
}
