/*
 * store_sqlite_log.c - log entries no version, evidence or evaluation row
 * holds (table log_extra, migration 4): withdrawals, and entries found
 * beyond the database after a crash between a log append and its commit.
 */
#include <stdlib.h>
#include <string.h>

#include "store/store_sqlite_int.h"

int sq__log_extra_put(osafe_store *base, int64_t index, const char *kind,
                     const char *record_id, int version, const void *entry,
                     size_t len, osafe_err *e)
{
    char now[32];
    store_now(now);
    /* A blob pointer may not be NULL for an empty entry. */
    static const char empty[1] = "";
    return sq__write((struct sq_store *)base, e,
                    "INSERT OR REPLACE INTO log_extra(log_index, kind, "
                    "record_id, version, entry, created) "
                    "VALUES (?,?,?,?,?,?)",
                    "Issibs", index, kind, record_id ? record_id : "",
                    version, entry ? entry : empty, len, now);
}

int sq__log_orphan_get(osafe_store *base, const char *record_id, int version,
                      int64_t *index, uint8_t **entry, size_t *len,
                      osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    sqlite3_stmt *st;
    int rc = sq__prepare(s, &st,
                        "SELECT log_index, entry FROM log_extra WHERE "
                        "kind = 'abandoned' AND record_id = ? AND "
                        "version = ? ORDER BY log_index DESC LIMIT 1",
                        e);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, record_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, version);
    if (sqlite3_step(st) == SQLITE_ROW) {
        *index = sqlite3_column_int64(st, 0);
        *len = (size_t)sqlite3_column_bytes(st, 1);
        *entry = malloc(*len ? *len : 1);
        if (!*entry)
            rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
        else if (*len)
            memcpy(*entry, sqlite3_column_blob(st, 1), *len);
    } else {
        rc = OSAFE_ENOTFOUND;
    }
    sq__release(s, st);
    return rc;
}
