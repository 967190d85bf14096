/*
 * registry.c - opening the registry, the connection pool, callers and
 * tokens.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/enc.h"
#include "registry/reg_internal.h"

int reg_open(const reg_opts *o, registry **out, osafe_err *e)
{
    *out = NULL;
    registry *r = calloc(1, sizeof *r);
    if (!r || (o->log_dir && !(r->log_dir = strdup(o->log_dir)))) {
        free(r);
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    }
    snprintf(r->prefix, sizeof r->prefix, "%s",
             o->id_prefix ? o->id_prefix : "OSAFE");
    snprintf(r->node_id, sizeof r->node_id, "%s",
             o->node_id ? o->node_id : "localhost");
    pthread_mutex_init(&r->pool_mu, NULL);
    pthread_cond_init(&r->pool_cv, NULL);
    pthread_mutex_init(&r->log_mu, NULL);
    reg__seq_init(r);
    r->npool = o->connections ? o->connections : 4;
    if (r->npool > REG_POOL_MAX)
        r->npool = REG_POOL_MAX;
    int rc = 0;
    /* Several processes may publish into a PostgreSQL registry: they take
     * turns under the database's write lock, in one shared log directory
     * (reg__log_catch_up). */
    r->log_shared = o->log_dir && store_is_pg(o->db_path);
    for (unsigned i = 0; rc == 0 && i < r->npool; i++) {
        rc = store_open(o->db_path, &r->pool[i], e);
        if (rc == 0)
            r->free[r->nfree++] = r->pool[i];
    }
    if (rc == 0 && o->log_dir)
        rc = tlog_log_open(o->log_dir,
                           r->log_shared ? TLOG_OPEN_SHARED : TLOG_OPEN_WRITE,
                           o->key_path, &r->log, e);
    /* Entries beyond what the database knows were appended by a write
     * whose commit never happened (a crash in between): recorded, once, so
     * that a retry can take its own (reconcile.c). */
    if (rc == 0 && r->log)
        rc = reg__reconcile(r, e);
    if (rc == 0 && r->abandoned)
        snprintf(r->warning, sizeof r->warning,
                 "%u log entries of an interrupted run (appended, never "
                 "committed) recorded as abandoned",
                 r->abandoned);
    if (rc) {
        reg_close(r);
        return rc;
    }
    *out = r;
    return 0;
}

void reg_close(registry *r)
{
    if (!r)
        return;
    for (unsigned i = 0; i < r->npool; i++)
        if (r->pool[i])
            r->pool[i]->ops->close(r->pool[i]);
    tlog_log_close(r->log);
    pthread_mutex_destroy(&r->pool_mu);
    pthread_cond_destroy(&r->pool_cv);
    pthread_mutex_destroy(&r->log_mu);
    reg__seq_destroy(r);
    free(r->log_dir);
    free(r);
}

const char *reg_log_dir(const registry *r)
{
    return r->log_dir;
}

const char *reg_open_warning(const registry *r)
{
    return r->warning;
}

osafe_store *reg__store_get(registry *r)
{
    pthread_mutex_lock(&r->pool_mu);
    while (r->nfree == 0)
        pthread_cond_wait(&r->pool_cv, &r->pool_mu);
    osafe_store *s = r->free[--r->nfree];
    pthread_mutex_unlock(&r->pool_mu);
    return s;
}

void reg__store_put(registry *r, osafe_store *s)
{
    pthread_mutex_lock(&r->pool_mu);
    r->free[r->nfree++] = s;
    pthread_cond_signal(&r->pool_cv);
    pthread_mutex_unlock(&r->pool_mu);
}

void reg_token_hash(const char *token, char out[65])
{
    uint8_t h[32];
    crypto_hash_sha256(h, (const uint8_t *)token, strlen(token));
    hex_encode(out, h, 32);
}

int reg_auth(registry *r, const char *token, reg_caller *c, osafe_err *e)
{
    memset(c, 0, sizeof *c);
    if (!token || !*token)
        return 0;
    char hash[65];
    reg_token_hash(token, hash);
    osafe_store *s = reg__store_get(r);
    int rc = s->ops->account_by_token(s, hash, &c->acct, e);
    reg__store_put(r, s);
    if (rc == OSAFE_ENOTFOUND)
        return osafe_errf(e, OSAFE_EAUTH, "invalid token");
    if (rc)
        return rc;
    c->authenticated = 1;
    return 0;
}

int reg_token_create(registry *r, const char *name, const char *role,
                     const char *org, char *token, size_t toklen,
                     osafe_err *e)
{
    if (strcmp(role, "reporter") && strcmp(role, "reviewer") &&
        strcmp(role, "admin") && strcmp(role, "peer"))
        return osafe_err_field(e, OSAFE_EINVAL, "role",
                               "role must be reporter, reviewer, admin or "
                               "peer");
    /* A peer token stands for the node that mirrors us: its organisation
     * decides which AMBER records it may take (tlp.c). */
    if (!strcmp(role, "peer") && (!org || !*org))
        return osafe_err_field(e, OSAFE_EINVAL, "org",
                               "a peer token needs --org: the organisation "
                               "of the node that mirrors this one");
    if (!name || !*name || strlen(name) >= sizeof ((store_account *)0)->name)
        return osafe_err_field(e, OSAFE_EINVAL, "name",
                               "name must be 1 to 127 bytes");
    if (org && strlen(org) >= sizeof ((store_account *)0)->org)
        return osafe_err_field(e, OSAFE_EINVAL, "org",
                               "org must be at most 127 bytes");
    uint8_t raw[32];
    char hex[65], hash[65];
    if (toklen < 80)
        return osafe_errf(e, OSAFE_EINVAL, "token buffer too small");
    randombytes_buf(raw, sizeof raw);
    hex_encode(hex, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
    snprintf(token, toklen, "osafe_%s", hex);
    sodium_memzero(hex, sizeof hex);
    reg_token_hash(token, hash);
    int64_t id;
    osafe_store *s = reg__store_get(r);
    int rc = s->ops->account_create(s, name, role, org, hash, &id, e);
    reg__store_put(r, s);
    if (rc)
        sodium_memzero(token, toklen);
    return rc;
}

int reg_import_caller(registry *r, const char *name, reg_caller *c,
                      osafe_err *e)
{
    /* "!" cannot start the hex SHA-256 of a token */
    char key[160];
    if (snprintf(key, sizeof key, "!import:%s", name) >= (int)sizeof key)
        return osafe_err_field(e, OSAFE_EINVAL, "as",
                               "the import account's name is too long");
    memset(c, 0, sizeof *c);
    osafe_store *s = reg__store_get(r);
    int rc = s->ops->account_by_token(s, key, &c->acct, e);
    if (rc == OSAFE_ENOTFOUND) {
        int64_t id;
        rc = s->ops->account_create(s, name, "admin", "", key, &id, e);
        if (!rc)
            rc = s->ops->account_by_token(s, key, &c->acct, e);
    }
    reg__store_put(r, s);
    c->authenticated = rc == 0;
    return rc;
}

int reg_id_valid(const char *s, size_t n)
{
    if (n == 0 || n >= 32)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
              s[i] == '-' || s[i] == '_'))
            return 0;
    return 1;
}
