/*
 * store_sqlite_cosigners.c - the witnesses this node asks to cosign its own
 * checkpoints and the latest cosignature each gave (table cosigners,
 * issue 12; federation/witness_collect.c).
 */
#include <stdlib.h>
#include <string.h>

#include "store/store_sqlite_int.h"

void store_cosigner_release(store_cosigner *c)
{
    free(c->note);
    c->note = NULL;
}

int sq__cosigner_put(osafe_store *base, const store_cosigner *c, int create,
                     osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    if (create)
        return sq__write(s, e,
                         "INSERT INTO cosigners(url, vkey, name, added) "
                         "VALUES (?,?,?,?)",
                         "ssss", c->url, c->vkey, c->name, c->added);
    int rc = sq__write(s, e,
                       "UPDATE cosigners SET size = ?, note = ?, cosig = ?,"
                       " cosig_time = ?, last_try = ?, last_error = ? "
                       "WHERE url = ?",
                       "IssIsss", c->size, c->note, c->cosig, c->cosig_time,
                       c->last_try, c->last_error, c->url);
    if (!rc && sqlite3_changes(s->db) == 0)
        return osafe_errf(e, OSAFE_ENOTFOUND, "no witness %s", c->url);
    return rc;
}

static void release_one(void *c)
{
    store_cosigner_release(c);
}

static int row(sqlite3_stmt *st, void *dst, osafe_err *e)
{
    store_cosigner *c = dst;
    memset(c, 0, sizeof *c);
    sq__text(c->url, sizeof c->url, st, 0);
    sq__text(c->vkey, sizeof c->vkey, st, 1);
    sq__text(c->name, sizeof c->name, st, 2);
    c->size = sqlite3_column_int64(st, 3);
    const unsigned char *note = sqlite3_column_text(st, 4);
    if (note && !(c->note = strdup((const char *)note)))
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    sq__text(c->cosig, sizeof c->cosig, st, 5);
    c->cosig_time = sqlite3_column_int64(st, 6);
    sq__text(c->last_try, sizeof c->last_try, st, 7);
    sq__text(c->last_error, sizeof c->last_error, st, 8);
    sq__text(c->added, sizeof c->added, st, 9);
    return 0;
}

int sq__cosigner_list(osafe_store *base, store_cosigner **out, size_t *n,
                      osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    int rc = sq__prepare(s, &st,
                         "SELECT url, vkey, name, size, note, cosig, "
                         "cosig_time, last_try, last_error, added FROM "
                         "cosigners ORDER BY url",
                         e);
    if (rc)
        return rc;
    void *rows;
    rc = sq__collect(s, st, sizeof **out, row, release_one, &rows, n, e);
    *out = rows;
    return rc;
}

int sq__cosigner_remove(osafe_store *base, const char *url, osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    int rc = sq__write(s, e, "DELETE FROM cosigners WHERE url = ?", "s", url);
    if (!rc && sqlite3_changes(s->db) == 0)
        return osafe_errf(e, OSAFE_ENOTFOUND,
                          "no witness %s (see `osafe witness list`)", url);
    return rc;
}
