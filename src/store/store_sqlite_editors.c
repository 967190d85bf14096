/*
 * store_sqlite_editors.c - who wrote each version, for the four-eyes rule
 * of reviews (src/registry/records.c).
 */
#include "store/store_sqlite_int.h"

int sq__editor_add(osafe_store *base, const char *id, int version,
                  int64_t account, osafe_err *e)
{
    return sq__write((struct sq_store *)base, e,
                    "INSERT OR IGNORE INTO version_editors(record_id, "
                    "version, account) VALUES (?,?,?)",
                    "siI", id, version, account);
}

int sq__edited_by(osafe_store *base, const char *id, int version,
                 int64_t account, int *yes, osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    sqlite3_stmt *st;
    int rc = sq__prepare(s, &st,
                        "SELECT 1 FROM version_editors WHERE record_id = ? "
                        "AND version = ? AND account = ?",
                        e);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, version);
    sqlite3_bind_int64(st, 3, account);
    int x = sqlite3_step(st);
    *yes = x == SQLITE_ROW;
    sq__release(s, st);
    if (x != SQLITE_ROW && x != SQLITE_DONE)
        return osafe_errf(e, OSAFE_EIO, "database: version editors: %s",
                          sqlite3_errmsg(s->db));
    return 0;
}
