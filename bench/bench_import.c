/*
 * bench_import.c - the rate of `osafe import --publish` (issue 13).
 *
 *   bench_import [--records N] [--pg scripts/pg-cluster | --db URL]
 *
 * Imports N records (default 20,000; ../shared's minimal incident, each
 * under its own source key) through reg_import_batch in batches of
 * OSAFE_IMPORT_BATCH_MAX with publication into a fresh log, as `osafe
 * import --publish` does, on a temporary SQLite database and then (with
 * --pg) on a throwaway PostgreSQL cluster that the script starts and
 * removes (--db URL: only on that empty database).  One line per backend:
 *   import: X records/s (N records, CPU Y ms a record, batches of B)
 * CPU is the process's user + system time, so that a run on a machine
 * shared with others says what a record costs apart from waiting.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/fsx.h"
#include "core/limits.h"
#include "registry/registry.h"
#include "tlog/log.h"
#include "bench_import_loop.h"
#include "bench_pg.h"
#include "bench_regdir.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double cpu_now(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_utime.tv_sec + (double)u.ru_utime.tv_usec / 1e6 +
           (double)u.ru_stime.tv_sec + (double)u.ru_stime.tv_usec / 1e6;
}

static void die(const char *what, const char *msg)
{
    fprintf(stderr, "bench_import: %s: %s\n", what, msg);
    exit(1);
}

static void run(const char *label, const char *pgurl, const char *example,
                int n)
{
    osafe_err e;
    bench_regdir rd;
    if (bench_regdir_make(&rd, "import", pgurl, &e))
        die("log", e.msg);
    const char *db = rd.db, *logdir = rd.logdir, *key = rd.key;
    registry *reg;
    reg_opts ro = {db, logdir, key, "OSAFE", "bench", 1};
    reg_caller c;
    if (reg_open(&ro, &reg, &e) ||
        reg_import_caller(reg, "bench-import", &c, &e))
        die("registry", e.msg);
    double t0 = now(), c0 = cpu_now();
    if (bench_import_n(reg, &c, n, example, &e))
        die("import", e.msg);
    double took = now() - t0, cpu = cpu_now() - c0;
    double load[3] = {-1, -1, -1};
    if (getloadavg(load, 3) < 0)
        load[0] = -1;
    printf("%s import: %.0f records/s (%d records, CPU %.3f ms a record, "
           "batches of %u, load average %.1f)\n",
           label, (double)n / took, n, cpu * 1e3 / n,
           (unsigned)OSAFE_IMPORT_BATCH_MAX, load[0]);
    fflush(stdout);
    reg_close(reg);
    if (fsx_remove_tree(rd.dir, &e))
        fprintf(stderr, "bench_import: %s\n", e.msg);
}

/* --pg SCRIPT: a throwaway cluster that SCRIPT starts and removes. */
static void pg_run(const char *script, const char *example, int n)
{
    bench_pg pg;
    if (bench_pg_start(&pg, script))
        die("--pg", "the cluster did not start (see above)");
    run("PostgreSQL", pg.url, example, n);
    if (bench_pg_stop(&pg, script))
        fprintf(stderr, "bench_import: could not remove the cluster in %s\n",
                pg.dir);
}

int main(int argc, char **argv)
{
    int n = 20000;
    const char *pgurl = NULL, *cluster = NULL;
    for (int i = 1; i < argc; i += 2) {
        if (i + 1 >= argc)
            die("arguments", argv[i]);
        if (!strcmp(argv[i], "--records"))
            n = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--db"))
            pgurl = argv[i + 1];
        else if (!strcmp(argv[i], "--pg"))
            cluster = argv[i + 1];
        else
            die("arguments", argv[i]);
    }
    if (n < 1)
        die("arguments", "--records N, N >= 1");
    if (pgurl && strncmp(pgurl, "postgresql://", 13))
        die("--db", "a postgresql:// URL (SQLite is the default)");
    if (sodium_init() < 0)
        return 1;
    const char *shared = getenv("OSAFE_SHARED") ? getenv("OSAFE_SHARED")
                                                  : "../shared";
    char ex[512];
    snprintf(ex, sizeof ex, "%s/design/examples/minimal-incident.json",
             shared);
    char *text;
    size_t len;
    osafe_err e;
    if (fsx_read_file(ex, 1 << 20, &text, &len, &e))
        die("example record", e.msg);
    if (pgurl) {
        run("PostgreSQL", pgurl, text, n);
    } else {
        run("SQLite", NULL, text, n);
        if (cluster)
            pg_run(cluster, text, n);
    }
    free(text);
    return 0;
}
