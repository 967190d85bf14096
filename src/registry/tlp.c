/*
 * tlp.c - who may read and change what (TLP 2.0, docs/API.md "Sharing
 * levels").  This file is the one definition of the rule: the database's
 * listing and search apply it row by row through store_visibility, and the
 * CLI's export reads through the registry.
 *
 *   CLEAR         anyone, anonymous callers included
 *   GREEN         any authenticated account of this node
 *   AMBER         the record's organisation (and node staff)
 *   AMBER+STRICT  the record's organisation only (and node staff)
 *   RED           the submitting account (and node staff); never exported,
 *                 never federated, logged only as a commitment
 * A `peer` account is another node that mirrors this one (its organisation
 * is that node's): it reads published CLEAR and GREEN versions, and
 * published AMBER ones of its own organisation; never AMBER+STRICT (the
 * organisation only: a mirror would put it before the other node's staff),
 * never RED, never an unpublished version; it owns and writes nothing.
 * Node staff (reviewers, admins) receive every submission: they are the
 * recipients a report is addressed to.  Unpublished versions are seen only
 * by the owner, its organisation (unless RED) and staff.
 *
 * Every version is judged by its own level: a RED version amended to AMBER
 * stays RED for the organisation, on every read and every right.
 */
#include <string.h>

#include "registry/reg_internal.h"

/* The widest audience of a published version at each level; unpublished
 * versions never go beyond the organisation. */
enum audience { AUD_ANYONE, AUD_ACCOUNTS, AUD_ORG, AUD_OWNER };

static const struct {
    const char *level;
    enum audience audience;
} levels[] = {
    {"CLEAR", AUD_ANYONE},
    {"GREEN", AUD_ACCOUNTS},
    {"AMBER", AUD_ORG},
    {"AMBER+STRICT", AUD_ORG},
    {"RED", AUD_OWNER},
};

static enum audience audience_of(const char *tlp)
{
    for (size_t i = 0; tlp && i < sizeof levels / sizeof levels[0]; i++)
        if (!strcmp(tlp, levels[i].level))
            return levels[i].audience;
    return AUD_OWNER; /* an unknown level is read as the strictest */
}

int reg__is_staff(const reg_caller *c)
{
    return c->authenticated && (!strcmp(c->acct.role, "reviewer") ||
                                !strcmp(c->acct.role, "admin"));
}

int reg__is_peer(const reg_caller *c)
{
    return c && c->authenticated && !strcmp(c->acct.role, "peer");
}

/* What a mirroring node may take (see the top). */
static int peer_rule(const reg_caller *c, const char *org, const char *tlp,
                     int published)
{
    if (!published || !tlp)
        return 0;
    if (!strcmp(tlp, "CLEAR") || !strcmp(tlp, "GREEN"))
        return 1;
    return !strcmp(tlp, "AMBER") && org && org[0] &&
           !strcmp(org, c->acct.org);
}

/* c NULL is the node's operator (export, risk over every record). */
static int rule(const reg_caller *c, int64_t owner, const char *org,
                const char *tlp, int published)
{
    if (!c)
        return 1;
    if (reg__is_peer(c))
        return peer_rule(c, org, tlp, published);
    if (reg__is_staff(c) || (c->authenticated && c->acct.id == owner))
        return 1;
    enum audience a = audience_of(tlp);
    if (published && (a == AUD_ANYONE || (a == AUD_ACCOUNTS &&
                                          c->authenticated)))
        return 1;
    return a <= AUD_ORG && c->authenticated && org && org[0] &&
           !strcmp(org, c->acct.org);
}

int reg__reads(const reg_caller *c, const store_record *rec, const char *tlp,
              int published)
{
    return rule(c, rec->owner, rec->org, tlp, published);
}

int reg__reads_mirror(const reg_caller *c, const char *tlp, const char *org)
{
    if (!tlp || !tlp[0] || !strcmp(tlp, "CLEAR"))
        return 1;
    if (reg__is_peer(c))
        return 0;
    /* owner -2: no account of ours owns another node's record */
    return rule(c, -2, org, tlp, 1);
}

int reg__owner_view(const reg_caller *c, const store_record *rec)
{
    return reg__reads(c, rec, rec->tlp,
                     rec->version == rec->published_version);
}

int reg__can_write(const reg_caller *c, const store_record *rec,
                  const char *tlp)
{
    if (!c->authenticated || reg__is_peer(c))
        return 0;
    if (!strcmp(c->acct.role, "admin") || c->acct.id == rec->owner)
        return 1;
    return audience_of(tlp) <= AUD_ORG && rec->org[0] &&
           !strcmp(rec->org, c->acct.org);
}

static int vis_reads(const void *who, int64_t owner, const char *org,
                     const char *tlp, int published)
{
    return rule(who, owner, org, tlp, published);
}

void reg__visibility(const reg_caller *c, store_visibility *v)
{
    memset(v, 0, sizeof *v);
    v->reads = vis_reads;
    v->who = c;
}
