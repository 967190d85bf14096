/*
 * bench_regdir.h - the throwaway registry folder of the registry
 * benchmarks (bench_api, bench_import): a log signing key (0600) and an
 * empty log under a fresh /tmp folder, the SQLite database beside them or
 * an empty PostgreSQL database given by URL.  Header-only, static: each
 * benchmark is its own program.
 */
#ifndef OSAFE_BENCH_REGDIR_H
#define OSAFE_BENCH_REGDIR_H

#include <stdio.h>
#include <stdlib.h>

#include "core/buf.h"
#include "core/fsx.h"
#include "tlog/log.h"

typedef struct bench_regdir {
    char dir[64];                         /* removed by the caller */
    char db[512], logdir[256], key[256]; /* inside dir (db: or the URL) */
} bench_regdir;

/* tag names the folder (/tmp/osafe-bench-TAG-XXXXXX); pgurl NULL for
 * SQLite.  0, or a negative status with the reason in e. */
static int bench_regdir_make(bench_regdir *d, const char *tag,
                             const char *pgurl, osafe_err *e)
{
    snprintf(d->dir, sizeof d->dir, "/tmp/osafe-bench-%s-XXXXXX", tag);
    if (!mkdtemp(d->dir))
        return osafe_errf(e, OSAFE_EIO, "mkdtemp %s failed", d->dir);
    if (pgurl)
        snprintf(d->db, sizeof d->db, "%s", pgurl);
    else
        snprintf(d->db, sizeof d->db, "%s/osafe.db", d->dir);
    snprintf(d->logdir, sizeof d->logdir, "%s/log", d->dir);
    snprintf(d->key, sizeof d->key, "%s/log.key", d->dir);
    tlog_signer s;
    osafe_buf kb = OSAFE_BUF_INIT;
    int rc = tlog_signer_generate("bench.osafe.dev/registry", &s, e);
    if (!rc && (rc = tlog_signer_format(&s, &kb)))
        rc = osafe_errf(e, rc, "out of memory");
    tlog_signer_wipe(&s);
    if (!rc)
        rc = fsx_write_new(d->key, kb.data, kb.len, 0600, e);
    buf_release(&kb);
    if (!rc)
        rc = tlog_log_init(d->logdir, "bench.osafe.dev/registry", d->key, e);
    return rc;
}

#endif
