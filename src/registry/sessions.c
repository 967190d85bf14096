/*
 * sessions.c - web sessions kept in the registry's database (see
 * registry.h), so that they survive a restart.
 */
#include <string.h>

#include "registry/reg_internal.h"

int reg_session_put(registry *r, const store_session *ss, int per_account,
                    osafe_err *e)
{
    osafe_store *s = reg__store_get(r);
    int rc = s->ops->session_put(s, ss, per_account, e);
    reg__store_put(r, s);
    return rc;
}

int reg_session_get(registry *r, const char *id_hash, int64_t now,
                    store_session *ss, reg_caller *c, osafe_err *e)
{
    memset(c, 0, sizeof *c);
    osafe_store *s = reg__store_get(r);
    int rc = s->ops->session_get(s, id_hash, now, ss, &c->acct, e);
    reg__store_put(r, s);
    c->authenticated = rc == 0;
    return rc;
}

int reg_session_drop(registry *r, const char *id_hash, osafe_err *e)
{
    osafe_store *s = reg__store_get(r);
    int rc = s->ops->session_drop(s, id_hash, e);
    reg__store_put(r, s);
    return rc;
}
