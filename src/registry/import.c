/*
 * import.c - imports in batches: many records per database transaction
 * and, with publication, one log append per batch (one fsync, one signed
 * checkpoint) instead of one per record; the batch is one request of the
 * group-commit sequencer (sequencer.c), so that imports running beside
 * the API share its commits.  The promise is reg_import's:
 * nothing is acknowledged before its rows are committed and its entry is
 * in a signed checkpoint.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "registry/reg_internal.h"
#include "registry/validate.h"

/* rec as a new record published at once, its entry to go in the batch:
 * stored once, as published (reg__publish_json fresh), instead of as a
 * draft read back, parsed again and replaced by its publication, which
 * cost a third of an import's CPU. */
static int import_published(registry *r, osafe_store *s, const reg_caller *c,
                            json_t *rec, char id[32], reg__seq_batch *b,
                            osafe_err *e)
{
    store_record row;
    store_version v;
    int reused = 0;
    int rc = reg__create_fresh(r, s, c, rec, &row, &v, e);
    if (!rc) {
        snprintf(id, 32, "%s", row.id);
        rc = reg__publish_json(r, s, c, &row, &v, rec, 1, reg__seq_next(b),
                               &reused, e);
    }
    if (!rc)
        rc = s->ops->editor_add(s, row.id, 1, c->acct.id, e);
    if (!rc && !reused) {
        /* The entry leaves v (released below) for the batch. */
        int64_t index;
        rc = reg__seq_add(b, v.log_entry, v.log_entry_len, &index, e);
        v.log_entry = NULL;
    }
    store_version_release(&v);
    return rc;
}

/* One item inside the batch's transaction.  A record the schema refuses is
 * marked rejected and the batch goes on; any other failure stops it. */
static int import_one(registry *r, osafe_store *s, const reg_caller *c,
                      reg_import_item *it, int publish, reg__seq_batch *b,
                      osafe_err *e)
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
    } else if (publish) {
        if (!(rc = import_published(r, s, c, rec, it->id, b, e)))
            rc = s->ops->source_put(s, it->source_key, it->id, e);
    } else if (!(rc = reg__create_locked(r, s, c, rec, it->id, 1, e))) {
        rc = s->ops->source_put(s, it->source_key, it->id, e);
    }
    json_decref(rec);
    return rc;
}

/* Not a status: import_tx's answer when an item failed a check only its
 * creation or publication makes (the batch is rolled back, and the caller
 * goes one by one). */
#define ONE_BY_ONE 1

/* An import batch, as the sequencer runs it: all its items in the
 * sequencer's transaction (beside other requests), their entries in the
 * sequencer's one append. */
struct import_job {
    const reg_caller *c;
    reg_import_item *items;
    size_t n;
    int publish;
};

static int import_work(registry *r, osafe_store *s, reg__seq_batch *b,
                       void *arg, osafe_err *e)
{
    struct import_job *j = arg;
    if (j->publish && b->base < 0)
        return osafe_errf(e, OSAFE_ESTATE,
                          "opened without its transparency log: nothing "
                          "can be published");
    /* The batch's inserts may go to the database together (PostgreSQL:
     * a round trip for many, store.h defer); a failure among them fails
     * the batch as one of its own would. */
    int rc = s->ops->defer(s, STORE_DEFER_ON, e);
    for (size_t i = 0; i < j->n && !rc; i++) {
        rc = import_one(r, s, j->c, &j->items[i], j->publish, b, e);
        if (rc == OSAFE_EINVAL && j->n > 1)
            rc = ONE_BY_ONE;
    }
    if (rc)
        OSAFE_IGNORE(s->ops->defer(s, STORE_DEFER_DROP, e)); /* cannot fail */
    else
        rc = s->ops->defer(s, STORE_DEFER_FLUSH, e);
    return rc;
}

/* The whole batch in one transaction, or ONE_BY_ONE. */
static int import_tx(registry *r, const reg_caller *c, reg_import_item *items,
                     size_t n, int publish, osafe_err *e)
{
    struct import_job j = {c, items, n, publish};
    return reg__seq_run(r, import_work, &j, e);
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
