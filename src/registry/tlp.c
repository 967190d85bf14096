/*
 * tlp.c - who may read what (TLP 2.0, docs/API.md "Sharing levels").
 *
 *   CLEAR         anyone, anonymous callers included
 *   GREEN         any authenticated account of this node
 *   AMBER         the record's organisation (and node staff)
 *   AMBER+STRICT  the record's organisation only (and node staff)
 *   RED           the submitting account (and node staff); never exported,
 *                 never federated, logged only as a commitment
 * Node staff (reviewers, admins) receive every submission: they are the
 * recipients a report is addressed to.  Unpublished versions are seen only
 * by the owner, its organisation and staff.
 */
#include <string.h>

#include "registry/reg_internal.h"

int reg_is_staff(const reg_caller *c)
{
    return c->authenticated && (!strcmp(c->acct.role, "reviewer") ||
                                !strcmp(c->acct.role, "admin"));
}

static int same_org(const reg_caller *c, const store_record *rec)
{
    return c->authenticated && rec->org[0] && !strcmp(rec->org, c->acct.org);
}

int reg_owner_view(const reg_caller *c, const store_record *rec)
{
    return reg_is_staff(c) ||
           (c->authenticated && c->acct.id == rec->owner) || same_org(c, rec);
}

int reg_tlp_allows(const reg_caller *c, const store_record *rec,
                   const char *tlp)
{
    if (reg_owner_view(c, rec))
        return 1;
    if (!strcmp(tlp, "CLEAR"))
        return 1;
    if (!strcmp(tlp, "GREEN"))
        return c->authenticated;
    return 0; /* AMBER, AMBER+STRICT, RED: covered by the owner view */
}

int reg_can_write(const reg_caller *c, const store_record *rec)
{
    if (!c->authenticated)
        return 0;
    if (!strcmp(c->acct.role, "admin"))
        return 1;
    return c->acct.id == rec->owner || same_org(c, rec);
}

void reg_visibility(const reg_caller *c, store_visibility *v)
{
    memset(v, 0, sizeof *v);
    v->all = reg_is_staff(c);
    v->authenticated = c->authenticated;
    v->account = c->authenticated ? c->acct.id : 0;
    v->org = c->authenticated && c->acct.org[0] ? c->acct.org : NULL;
}
