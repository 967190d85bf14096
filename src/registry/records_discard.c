/*
 * records_discard.c - reg_discard: an owner throws away a draft that was
 * never published.  Published records are never removed (the log's
 * proofs depend on them); they are withdrawn instead, which the log
 * records.
 */
#include <string.h>

#include "registry/reg_internal.h"
#include "registry/registry.h"

int reg_discard(registry *r, const reg_caller *c, const char *id,
                osafe_err *e)
{
    if (!c->authenticated)
        return osafe_errf(e, OSAFE_EAUTH, "a token is required");
    osafe_store *s = reg__store_get(r);
    store_record rec;
    int rc = s->ops->begin(s, e);
    if (rc) {
        reg__store_put(r, s);
        return rc;
    }
    rc = reg__load_visible(s, c, id, &rec, e);
    /* the owner alone: a reviewer or an organisation colleague may edit a
     * draft, but only whoever filed it decides to drop it */
    if (!rc && rec.owner != c->acct.id)
        rc = osafe_errf(e, OSAFE_EPERM, "only the account that filed '%s' "
                                        "can discard it",
                        id);
    if (!rc && (rec.published_version > 0 || strcmp(rec.state, "draft")))
        rc = osafe_errf(e, OSAFE_ESTATE,
                        "'%s' is %s%s; only a draft never published can be "
                        "discarded (a published record is withdrawn "
                        "instead)",
                        id, rec.state,
                        rec.published_version > 0 ? " and was published"
                                                  : "");
    if (!rc)
        rc = s->ops->record_discard(s, id, e);
    rc = reg__end_tx(s, rc, e);
    reg__store_put(r, s);
    return rc;
}
