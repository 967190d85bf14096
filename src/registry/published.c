/*
 * published.c - every published record a caller may read, one at a time,
 * for readers that aggregate (risk prioritization) or export rather than
 * page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "registry/reg_internal.h"

/* The walk under both: every record the listing finds for vis, at its
 * latest published version if c reads it; withdrawn and merged ones only
 * with keep_closed. */
static int walk(registry *r, const reg_caller *c, int keep_closed,
                int (*fn)(void *ctx, const reg_exported *x), void *ctx,
                osafe_err *e)
{
    store_visibility vis;
    reg__visibility(c, &vis);
    store_filter f;
    memset(&f, 0, sizeof f);
    f.limit = OSAFE_PAGE_MAX;
    char cursor[32] = "";
    osafe_store *s = reg__store_get(r);
    int rc = 0;
    do {
        store_page p;
        f.cursor = cursor;
        if ((rc = s->ops->list(s, &vis, &f, &p, e)))
            break;
        for (size_t i = 0; !rc && i < p.n; i++) {
            store_record rec;
            store_version v;
            if ((rc = s->ops->record_get(s, p.ids[i], &rec, e)))
                break;
            int closed = !strcmp(rec.state, "withdrawn") ||
                         !strcmp(rec.state, "merged");
            if (rec.published_version <= 0 || (closed && !keep_closed) ||
                !reg__reads(c, &rec, rec.pub_tlp, 1))
                continue;
            if ((rc = s->ops->version_get(s, rec.id, rec.published_version,
                                          &v, e)))
                break;
            reg_exported x = {rec.id,    v.body,       v.body_len,
                              rec.state, rec.modified, rec.merged_into,
                              NULL};
            rc = fn(ctx, &x);
            store_version_release(&v);
        }
        memcpy(cursor, p.next_cursor, sizeof cursor);
        store_page_release(&p);
    } while (!rc && cursor[0]);
    reg__store_put(r, s);
    return rc;
}

/* reg_published_each's callback, carried through walk's. */
struct plain {
    int (*fn)(void *ctx, const char *id, const char *body, size_t len);
    void *ctx;
};

static int plain_fn(void *ctx, const reg_exported *x)
{
    struct plain *p = ctx;
    return p->fn(p->ctx, x->id, x->body, x->len);
}

int reg_published_each(registry *r, const reg_caller *c,
                       int (*fn)(void *ctx, const char *id, const char *body,
                                 size_t len),
                       void *ctx, osafe_err *e)
{
    /* Withdrawn and merged records count for nothing here (a merged one
     * is its target's duplicate). */
    struct plain p = {fn, ctx};
    return walk(r, c, 0, plain_fn, &p, e);
}

int reg_export_each(registry *r, const char *level,
                    int (*fn)(void *ctx, const reg_exported *x), void *ctx,
                    osafe_err *e)
{
    /* The reader the export is meant for: anyone (CLEAR), or any account
     * of this node that belongs to no organisation and owns nothing
     * (GREEN), so that the one rule of tlp.c decides. */
    reg_caller reader;
    memset(&reader, 0, sizeof reader);
    if (!strcmp(level, "GREEN")) {
        reader.authenticated = 1;
        reader.acct.id = -1;
        snprintf(reader.acct.role, sizeof reader.acct.role, "reporter");
    } else if (strcmp(level, "CLEAR")) {
        return osafe_err_field(e, OSAFE_EINVAL, "tlp",
                               "only CLEAR and GREEN records are exported");
    }
    return walk(r, &reader, 1, fn, ctx, e);
}
