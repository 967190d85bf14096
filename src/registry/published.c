/*
 * published.c - every published record a caller may read, one at a time,
 * for readers that aggregate (risk prioritization) rather than page.
 */
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "registry/reg_internal.h"

int reg_published_each(registry *r, const reg_caller *c,
                       int (*fn)(void *ctx, const char *id, const char *body,
                                 size_t len),
                       void *ctx, osafe_err *e)
{
    /* The listing finds every record the caller knows of; which version
     * counts is decided here: the latest published one, if the caller may
     * read its TLP level.  Withdrawn and merged records count for
     * nothing (a merged one is its target's duplicate). */
    store_visibility vis;
    if (c)
        reg__visibility(c, &vis);
    else
        memset(&vis, 0, sizeof vis), vis.all = 1;
    store_filter f;
    memset(&f, 0, sizeof f);
    f.limit = OSAFE_PAGE_MAX;
    char cursor[32] = "";
    osafe_store *s = reg_store_get(r);
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
            if (rec.published_version <= 0 ||
                !strcmp(rec.state, "withdrawn") ||
                !strcmp(rec.state, "merged") ||
                (c && !reg__tlp_allows(c, &rec, rec.pub_tlp)))
                continue;
            if ((rc = s->ops->version_get(s, rec.id, rec.published_version,
                                          &v, e)))
                break;
            rc = fn(ctx, rec.id, v.body, v.body_len);
            store_version_release(&v);
        }
        memcpy(cursor, p.next_cursor, sizeof cursor);
        store_page_release(&p);
    } while (!rc && cursor[0]);
    reg_store_put(r, s);
    return rc;
}
