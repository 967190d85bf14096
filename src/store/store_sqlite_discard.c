/*
 * store_sqlite_discard.c - removing a record that was never published
 * (an owner discarding a draft, registry/records_discard.c).  Nothing in
 * the log refers to such a record, so its rows go entirely; the caller
 * has checked that it never was published.
 */
#include "store/store_sqlite_int.h"

int sq__record_discard(osafe_store *base, const char *id, osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    /* children first: the foreign keys are enforced */
    static const char *const sql[] = {
        "DELETE FROM fts_words WHERE rowid IN (SELECT id FROM fts_keys "
        "WHERE record_id = ?)",
        "DELETE FROM fts_tri WHERE rowid IN (SELECT id FROM fts_keys "
        "WHERE record_id = ?)",
        "DELETE FROM fts_keys WHERE record_id = ?",
        "DELETE FROM version_editors WHERE record_id = ?",
        "DELETE FROM evidence WHERE record_id = ?",
        "DELETE FROM sources WHERE record_id = ?",
        "DELETE FROM links WHERE from_id = ?1 OR to_id = ?1",
        "DELETE FROM versions WHERE record_id = ?",
        "DELETE FROM records WHERE id = ?",
    };
    /* its search text may still wait for the commit (store_sqlite_fts.c) */
    int frc = sq__fts_forget(s, id, e);
    if (frc)
        return frc;
    for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
        int rc = sq__write(s, e, sql[i], "s", id);
        if (rc)
            return rc;
    }
    return 0;
}
