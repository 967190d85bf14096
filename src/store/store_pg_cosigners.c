/*
 * store_pg_cosigners.c - the witnesses this node asks to cosign its own
 * checkpoints (PostgreSQL migration 5, issue 12): the same semantics as
 * store_sqlite_cosigners.c, statement for statement.
 */
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store/store_pg_int.h"

#define S(b) ((struct pg_store *)(b))

int pg__cosigner_put(osafe_store *s, const store_cosigner *c, int create,
                     osafe_err *e)
{
    if (create)
        return pg__run(S(s), e, NULL, 1,
                       "INSERT INTO cosigners(url, vkey, name, added) "
                       "VALUES ($1,$2,$3,$4)",
                       "ssss", c->url, c->vkey, c->name, c->added);
    PGresult *r;
    int rc = pg__run(S(s), e, &r, 1,
                     "UPDATE cosigners SET size = $1, note = $2, cosig = $3,"
                     " cosig_time = $4, last_try = $5, last_error = $6 "
                     "WHERE url = $7",
                     "IssIsss", c->size, c->note, c->cosig, c->cosig_time,
                     c->last_try, c->last_error, c->url);
    if (rc)
        return rc;
    int none = !strcmp(PQcmdTuples(r), "0");
    PQclear(r);
    return none ? osafe_errf(e, OSAFE_ENOTFOUND, "no witness %s", c->url)
                : 0;
}

int pg__cosigner_list(osafe_store *s, store_cosigner **out, size_t *n,
                      osafe_err *e)
{
    *out = NULL;
    *n = 0;
    PGresult *r;
    int rc = pg__run(S(s), e, &r, 1,
                     "SELECT url, vkey, name, size, note, cosig, cosig_time,"
                     " last_try, last_error, added FROM cosigners "
                     "ORDER BY url COLLATE \"C\"",
                     "");
    if (rc)
        return rc;
    int rows = PQntuples(r);
    if (rows > 0 && !(*out = calloc((size_t)rows, sizeof **out)))
        rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    for (int i = 0; !rc && i < rows; i++) {
        store_cosigner *c = &(*out)[i];
        pg__text(c->url, sizeof c->url, r, i, 0);
        pg__text(c->vkey, sizeof c->vkey, r, i, 1);
        pg__text(c->name, sizeof c->name, r, i, 2);
        c->size = pg__int(r, i, 3);
        if (!PQgetisnull(r, i, 4) && !(c->note = pg__dup(r, i, 4, NULL)))
            rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
        pg__text(c->cosig, sizeof c->cosig, r, i, 5);
        c->cosig_time = pg__int(r, i, 6);
        pg__text(c->last_try, sizeof c->last_try, r, i, 7);
        pg__text(c->last_error, sizeof c->last_error, r, i, 8);
        pg__text(c->added, sizeof c->added, r, i, 9);
        if (!rc)
            (*n)++;
    }
    PQclear(r);
    if (rc) {
        for (int i = 0; i < rows && *out; i++)
            store_cosigner_release(&(*out)[i]);
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

int pg__cosigner_remove(osafe_store *s, const char *url, osafe_err *e)
{
    PGresult *r;
    int rc = pg__run(S(s), e, &r, 1, "DELETE FROM cosigners WHERE url = $1",
                     "s", url);
    if (rc)
        return rc;
    int none = !strcmp(PQcmdTuples(r), "0");
    PQclear(r);
    return none ? osafe_errf(e, OSAFE_ENOTFOUND,
                             "no witness %s (see `osafe witness list`)", url)
                : 0;
}
