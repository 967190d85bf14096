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

int reg__is_staff(const reg_caller *c)
{
    return c->authenticated && (!strcmp(c->acct.role, "reviewer") ||
                                !strcmp(c->acct.role, "admin"));
}

static int same_org(const reg_caller *c, const store_record *rec)
{
    return c->authenticated && rec->org[0] && !strcmp(rec->org, c->acct.org);
}

static int is_owner(const reg_caller *c, const store_record *rec)
{
    return c->authenticated && c->acct.id == rec->owner;
}

/* The organisation shares a record unless its level is RED, which is for
 * the submitting account alone (and staff). */
static int org_shares(const reg_caller *c, const store_record *rec,
                      const char *tlp)
{
    return same_org(c, rec) && strcmp(tlp, "RED") != 0;
}

int reg__owner_view(const reg_caller *c, const store_record *rec)
{
    return reg__is_staff(c) || is_owner(c, rec) ||
           org_shares(c, rec, rec->tlp);
}

int reg__tlp_allows(const reg_caller *c, const store_record *rec,
                   const char *tlp)
{
    if (reg__is_staff(c) || is_owner(c, rec))
        return 1;
    if (!strcmp(tlp, "CLEAR"))
        return 1;
    if (!strcmp(tlp, "GREEN"))
        return c->authenticated;
    return org_shares(c, rec, tlp); /* AMBER, AMBER+STRICT; never RED */
}

int reg__can_write(const reg_caller *c, const store_record *rec)
{
    if (!c->authenticated)
        return 0;
    if (!strcmp(c->acct.role, "admin"))
        return 1;
    return is_owner(c, rec) || org_shares(c, rec, rec->tlp);
}

void reg__visibility(const reg_caller *c, store_visibility *v)
{
    memset(v, 0, sizeof *v);
    v->all = reg__is_staff(c);
    v->authenticated = c->authenticated;
    v->account = c->authenticated ? c->acct.id : 0;
    v->org = c->authenticated && c->acct.org[0] ? c->acct.org : NULL;
}
