/*
 * import.c - imports in batches: many records per database transaction
 * and, with publication, one log append per batch (one fsync, one signed
 * checkpoint) instead of one per record.  The promise is reg_import's:
 * nothing is acknowledged before its rows are committed and its entry is
 * in a signed checkpoint.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "registry/reg_internal.h"
#include "registry/validate.h"

/* The entries of one batch, owned here until they are appended. */
typedef struct batch_log {
    tlog_entry *ents;
    size_t n;
} batch_log;

static void batch_log_release(batch_log *b)
{
    for (size_t i = 0; i < b->n; i++)
        free((void *)b->ents[i].data);
    free(b->ents);
    memset(b, 0, sizeof *b);
}

/* Publish the draft just created as id, its entry to go at index at. */
static int publish_new(registry *r, osafe_store *s, const reg_caller *c,
                       const char *id, int64_t at, batch_log *b,
                       osafe_err *e)
{
    store_record row;
    store_version v;
    memset(&v, 0, sizeof v);
    int rc = s->ops->record_get(s, id, &row, e);
    if (!rc)
        rc = s->ops->version_get(s, id, 1, &v, e);
    int reused = 0;
    if (!rc) {
        v.reviewer = c->acct.id;
        rc = reg__publish_at(r, s, c, &row, &v, at, &reused, e);
    }
    if (!rc && !reused) {
        /* The entry leaves v (released below) for the batch. */
        b->ents[b->n].data = v.log_entry;
        b->ents[b->n++].len = v.log_entry_len;
        v.log_entry = NULL;
    }
    store_version_release(&v);
    return rc;
}

/* One item inside the batch's transaction.  A record the schema refuses is
 * marked rejected and the batch goes on; any other failure stops it. */
static int import_one(registry *r, osafe_store *s, const reg_caller *c,
                      reg_import_item *it, int publish, int64_t at,
                      batch_log *b, osafe_err *e)
{
    it->status = 0;
    it->id[0] = '\0';
    json_t *rec = reg__parse(it->json, it->len, &it->err);
    int rc = rec ? rec_validate(rec, publish, 1, &it->err) : OSAFE_EINVAL;
    if (rc) {
        json_decref(rec);
        it->status = OSAFE_EINVAL;
        return 0;
    }
    int found = s->ops->source_get(s, it->source_key, it->id, e);
    if (found == 0) {
        it->status = 1;
    } else if (found != OSAFE_ENOTFOUND) {
        rc = found;
    } else if (!(rc = reg__create_locked(r, s, c, rec, it->id, e)) &&
               !(rc = s->ops->source_put(s, it->source_key, it->id, e)) &&
               publish) {
        rc = publish_new(r, s, c, it->id, at, b, e);
    }
    json_decref(rec);
    return rc;
}

/* Append the batch's entries where the rows say they are. */
static int append_batch(registry *r, const batch_log *b, int64_t base,
                        osafe_err *e)
{
    if (b->n == 0)
        return 0;
    uint64_t first = 0;
    pthread_mutex_lock(&r->log_mu);
    int rc = r->log ? tlog_log_append(r->log, b->ents, b->n, &first, e)
                    : osafe_errf(e, OSAFE_ESTATE,
                                 "opened without its transparency log");
    pthread_mutex_unlock(&r->log_mu);
    if (!rc && (int64_t)first != base)
        rc = osafe_errf(e, OSAFE_ESTATE,
                        "log index moved under a write transaction (%lld, "
                        "expected %lld): is another process appending to "
                        "%s?",
                        (long long)first, (long long)base, r->log_dir);
    return rc;
}

/* Not a status: import_tx's answer when an item failed a check only its
 * creation or publication makes (the batch is rolled back, and the caller
 * goes one by one). */
#define ONE_BY_ONE 1

/* The whole batch in one transaction, or ONE_BY_ONE. */
static int import_tx(registry *r, const reg_caller *c, reg_import_item *items,
                     size_t n, int publish, osafe_err *e)
{
    batch_log b = {NULL, 0};
    if (publish && !(b.ents = calloc(n, sizeof *b.ents)))
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    osafe_store *s = reg__store_get(r);
    int64_t base = 0;
    int rc = s->ops->begin(s, e);
    if (!rc && publish) {
        if (!r->log) {
            rc = osafe_errf(e, OSAFE_ESTATE,
                            "opened without its transparency log: nothing "
                            "can be published");
        } else {
            /* The write lock is held: the log cannot grow meanwhile. */
            pthread_mutex_lock(&r->log_mu);
            base = (int64_t)tlog_log_head(r->log)->size;
            pthread_mutex_unlock(&r->log_mu);
        }
    }
    for (size_t i = 0; i < n && !rc; i++) {
        rc = import_one(r, s, c, &items[i], publish, base + (int64_t)b.n, &b,
                        e);
        if (rc == OSAFE_EINVAL && n > 1)
            rc = ONE_BY_ONE;
    }
    if (!rc)
        rc = append_batch(r, &b, base, e);
    if (!rc)
        rc = s->ops->commit(s, e);
    if (rc)
        s->ops->rollback(s);
    reg__store_put(r, s);
    batch_log_release(&b);
    return rc;
}

int reg_import_batch(registry *r, const reg_caller *c, reg_import_item *items,
                     size_t n, int publish, osafe_err *e)
{
    if (n > OSAFE_IMPORT_BATCH_MAX)
        return osafe_errf(e, OSAFE_EINVAL,
                          "import batch of %zu records, more than %u", n,
                          (unsigned)OSAFE_IMPORT_BATCH_MAX);
    if (n == 0)
        return 0;
    int rc = import_tx(r, c, items, n, publish, e);
    if (rc != ONE_BY_ONE)
        return rc;
    for (size_t i = 0; i < n; i++) {
        /* Alone, such a record is rejected without stopping the import. */
        osafe_err ie;
        rc = import_tx(r, c, &items[i], 1, publish, &ie);
        if (rc == OSAFE_EINVAL) {
            items[i].status = OSAFE_EINVAL;
            items[i].err = ie;
        } else if (rc) {
            *e = ie;
            return rc;
        }
    }
    return 0;
}

int reg_import(registry *r, const reg_caller *c, const char *source_key,
               const char *json, size_t len, int publish, char id[32],
               int *existing, osafe_err *e)
{
    reg_import_item it;
    memset(&it, 0, sizeof it);
    it.source_key = source_key;
    it.json = json;
    it.len = len;
    *existing = 0;
    int rc = reg_import_batch(r, c, &it, 1, publish, e);
    if (!rc && it.status == OSAFE_EINVAL) {
        *e = it.err;
        return OSAFE_EINVAL;
    }
    if (!rc) {
        snprintf(id, 32, "%s", it.id);
        *existing = it.status == 1;
    }
    return rc;
}
