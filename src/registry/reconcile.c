/*
 * reconcile.c - the log's tail after a crash.  A publication writes its
 * rows, appends its entry durably, then commits; a crash in between leaves
 * an entry the database does not know.  At open every such entry is
 * recorded in the database (log_extra) as abandoned, once; a retry of the
 * same publication then takes that entry instead of appending a second one
 * (reg__adopt_abandoned), so the log holds each published version once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/canon.h"
#include "registry/reg_internal.h"

/* Record entry index, which no row holds, as what it is. */
static int record_tail_entry(registry *r, osafe_store *s, uint64_t index,
                             const osafe_buf *ent, osafe_err *e)
{
    json_t *j = json_loadb(ent->data ? ent->data : "", ent->len, 0, NULL);
    const char *id = json_string_value(json_object_get(j, "id"));
    const char *type = json_string_value(json_object_get(j, "type"));
    int version = (int)json_integer_value(json_object_get(j, "version"));
    const char *kind = "abandoned";
    store_record rec;
    osafe_err ignored;
    /* A withdrawal acknowledged by a database older than log_extra: its
     * record says withdrawn. */
    if (id && type && !strcmp(type, "osafe.withdrawal/v1") &&
        s->ops->record_get(s, id, &rec, &ignored) == 0 &&
        !strcmp(rec.state, "withdrawn"))
        kind = "withdrawal";
    else
        r->abandoned++;
    int rc = s->ops->log_extra_put(s, (int64_t)index, kind, id ? id : "",
                                   id ? version : 0, ent->data, ent->len, e);
    json_decref(j);
    return rc;
}

int reg__record_abandoned(registry *r, osafe_store *s, uint64_t index,
                          osafe_err *e)
{
    osafe_buf ent = OSAFE_BUF_INIT;
    pthread_mutex_lock(&r->log_mu);
    int rc = r->log ? tlog_log_read_entry(r->log, index, &ent, e)
                    : osafe_errf(e, OSAFE_ESTATE, "no log to read entry %llu",
                                 (unsigned long long)index);
    pthread_mutex_unlock(&r->log_mu);
    if (!rc)
        rc = record_tail_entry(r, s, index, &ent, e);
    buf_release(&ent);
    return rc;
}

int reg__log_catch_up(registry *r, osafe_store *s, int strict, osafe_err *e)
{
    if (!r->log_shared || !s)
        return 0;
    int64_t maxi = -1;
    int rc = tlog_log_sync(r->log, e);
    if (!rc)
        rc = s->ops->max_log_index(s, &maxi, e);
    uint64_t size = tlog_log_head(r->log)->size;
    if (!rc && strict && (uint64_t)(maxi + 1) > size)
        return osafe_errf(e, OSAFE_ESTATE,
                          "the database holds log entries up to index %lld "
                          "but the log in %s has %llu: every osafe process "
                          "on one PostgreSQL registry must append to the "
                          "same log directory (shared storage)",
                          (long long)maxi, r->log_dir,
                          (unsigned long long)size);
    osafe_buf ent = OSAFE_BUF_INIT;
    for (uint64_t i = (uint64_t)(maxi + 1); !rc && i < size; i++)
        if (!(rc = tlog_log_read_entry(r->log, i, &ent, e)))
            rc = record_tail_entry(r, s, i, &ent, e);
    buf_release(&ent);
    return rc;
}

int reg__reconcile(registry *r, osafe_err *e)
{
    osafe_store *s = r->pool[0];
    if (r->log_shared) {
        /* under the write lock: another process may be appending now */
        int rc = s->ops->begin(s, e);
        if (rc)
            return rc;
        pthread_mutex_lock(&r->log_mu);
        rc = reg__log_catch_up(r, s, 1, e);
        pthread_mutex_unlock(&r->log_mu);
        return reg__end_tx(s, rc, e);
    }
    int64_t maxi = -1;
    uint64_t size = tlog_log_head(r->log)->size;
    int rc = s->ops->max_log_index(s, &maxi, e);
    if (rc || (uint64_t)(maxi + 1) >= size)
        return rc;
    if ((rc = s->ops->begin(s, e)))
        return rc;
    osafe_buf ent = OSAFE_BUF_INIT;
    for (uint64_t i = (uint64_t)(maxi + 1); i < size && !rc; i++)
        if (!(rc = tlog_log_read_entry(r->log, i, &ent, e)))
            rc = record_tail_entry(r, s, i, &ent, e);
    buf_release(&ent);
    return reg__end_tx(s, rc, e);
}

/* Whether j, given the abandoned entry's timestamps, is that entry. */
static int same_content(const json_t *j, json_t *old, const uint8_t *ent,
                        size_t len)
{
    json_t *pub = json_object_get(old, "published");
    json_t *mod = json_object_get(old, "modified");
    if (!json_is_string(pub) || !json_is_string(mod) ||
        strlen(json_string_value(mod)) >= 32)
        return 0;
    json_t *try = json_deep_copy(j);
    osafe_buf b = OSAFE_BUF_INIT;
    osafe_err e;
    int same = try && !json_object_set(try, "published", pub) &&
               !json_object_set(try, "modified", mod) &&
               !canon_value(try, &b, &e) && b.len == len &&
               !memcmp(b.data, ent, len);
    buf_release(&b);
    json_decref(try);
    return same;
}

int reg__adopt_abandoned(osafe_store *s, const char *id, int version,
                         json_t *j, char now[32], int64_t *at, osafe_err *e)
{
    int64_t index;
    uint8_t *ent = NULL;
    size_t len = 0;
    int rc = s->ops->log_orphan_get(s, id, version, &index, &ent, &len, e);
    if (rc == OSAFE_ENOTFOUND)
        return 0;
    if (rc)
        return rc;
    /* Only a whole CLEAR record can be compared: a commitment's salt and
     * a digest's timestamps died with the crashed request. */
    json_t *old = json_loadb((const char *)ent, len, 0, NULL);
    if (old && same_content(j, old, ent, len)) {
        json_object_set(j, "published", json_object_get(old, "published"));
        json_object_set(j, "modified", json_object_get(old, "modified"));
        snprintf(now, 32, "%s",
                 json_string_value(json_object_get(old, "modified")));
        *at = index;
        rc = s->ops->log_extra_put(s, index, "reused", id, version, ent, len,
                                   e);
    }
    json_decref(old);
    free(ent);
    return rc;
}

unsigned reg_log_abandoned(const registry *r)
{
    return r->abandoned;
}
