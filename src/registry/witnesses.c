/*
 * witnesses.c - the witnesses of this node's own log, as the pages show
 * them (federation/witness_collect.c keeps the rows).
 */
#include "registry/reg_internal.h"

int reg_witness_list(registry *r, store_cosigner **out, size_t *n,
                     osafe_err *e)
{
    osafe_store *s = reg__store_get(r);
    int rc = s->ops->cosigner_list(s, out, n, e);
    reg__store_put(r, s);
    return rc;
}
