/*
 * store_pg_peers.c - federation's rows (peers, their checkpoints,
 * mirrored records, split-view evidence, the witness's state) in the
 * PostgreSQL backend.  Not there yet: each operation says so, naming the
 * backend that has it, so that `osafe peer` on a PostgreSQL registry
 * fails clearly instead of half-working.
 */
#include "store/store.h"
#include "store/store_pg_int.h"

static int later(const char *what, osafe_err *e)
{
    return osafe_errf(e, OSAFE_ESTATE, "federation (%s) is not yet supported "
                      "on PostgreSQL; run peers on an SQLite registry", what);
}

int pg__peer_put(osafe_store *s, const store_peer *p, int create, osafe_err *e)
{
    (void)s, (void)p, (void)create;
    return later("peers", e);
}

int pg__peer_get(osafe_store *s, const char *url, store_peer *p, osafe_err *e)
{
    (void)s, (void)url, (void)p;
    return later("peers", e);
}

int pg__peer_list(osafe_store *s, store_peer **out, size_t *n, osafe_err *e)
{
    (void)s;
    *out = NULL;
    *n = 0;
    return later("peers", e);
}

int pg__peer_remove(osafe_store *s, const char *url, osafe_err *e)
{
    (void)s, (void)url;
    return later("peers", e);
}

int pg__peer_checkpoint_put(osafe_store *s, const char *origin, int64_t size,
                            const char *note, osafe_err *e)
{
    (void)s, (void)origin, (void)size, (void)note;
    return later("peer checkpoints", e);
}

int pg__mirror_put(osafe_store *s, const store_mirror *m, osafe_err *e)
{
    (void)s, (void)m;
    return later("mirrored records", e);
}

int pg__mirror_get(osafe_store *s, const char *origin, const char *origin_id,
                   store_mirror *m, osafe_err *e)
{
    (void)s, (void)origin, (void)origin_id, (void)m;
    return later("mirrored records", e);
}

int pg__mirror_withdraw(osafe_store *s, const char *origin,
                        const char *origin_id, int version, int64_t log_index,
                        osafe_err *e)
{
    (void)s, (void)origin, (void)origin_id, (void)version, (void)log_index;
    return later("mirrored records", e);
}

int pg__mirror_list(osafe_store *s, const char *origin, const char *after,
                    int limit, store_mirror **out, size_t *n, osafe_err *e)
{
    (void)s, (void)origin, (void)after, (void)limit;
    *out = NULL;
    *n = 0;
    return later("mirrored records", e);
}

int pg__split_put(osafe_store *s, const char *peer_url, const char *origin,
                  const char *old_note, const char *new_note,
                  const char *proof, const char *reason, osafe_err *e)
{
    (void)s, (void)peer_url, (void)origin, (void)old_note, (void)new_note;
    (void)proof, (void)reason;
    return later("split-view evidence", e);
}

int pg__split_get(osafe_store *s, const char *peer_url, char **old_note,
                  char **new_note, char **proof, char **reason, osafe_err *e)
{
    (void)s, (void)peer_url;
    *old_note = *new_note = *proof = *reason = NULL;
    return later("split-view evidence", e);
}

int pg__witness_get(osafe_store *s, const char *origin, int64_t *size,
                    uint8_t root[32], char **note, osafe_err *e)
{
    (void)s, (void)origin, (void)size, (void)root;
    *note = NULL;
    return later("the witness", e);
}

int pg__witness_put(osafe_store *s, const char *origin, int64_t size,
                    const uint8_t root[32], const char *note, osafe_err *e)
{
    (void)s, (void)origin, (void)size, (void)root, (void)note;
    return later("the witness", e);
}
