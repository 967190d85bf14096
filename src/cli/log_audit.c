/*
 * log_audit.c - `osafe log verify DIR --vkey FILE.vkey`.
 */
#include <stdio.h>
#include <time.h>

#include "cli/cli.h"
#include "tlog/log.h"

int log_verify(int argc, char **argv)
{
    const char *vkey = NULL;
    struct opt opts[] = {{"vkey", OPT_STRING, &vkey}, {NULL, 0, NULL}};
    int np, rc = opts_parse("log verify", argc, argv, opts, &np);
    if (rc == -1) {
        fputs(usage_log, stdout);
        return EXIT_OK;
    }
    if (rc)
        return rc;
    if (np != 1)
        return cli_usage_error("log verify", "expected one DIR");
    if (!vkey)
        return cli_usage_error("log verify", "missing --vkey FILE.vkey");
    osafe_err e;
    tlog_verifier v;
    if (tlog_verifier_load(vkey, &v, &e) != 0)
        return cli_fail("log verify", &e);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    tlog_audit_stats st;
    if (tlog_log_audit(argv[1], &v, &st, &e) != 0)
        return cli_fail("log verify", &e);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) +
               (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("ok: %s verified: %llu entries, %llu bundles, %llu tiles, "
           "signature and root hash match (%.2f s)\n",
           argv[1], (unsigned long long)st.size,
           (unsigned long long)st.bundles, (unsigned long long)st.tiles, s);
    return EXIT_OK;
}
