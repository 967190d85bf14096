/*
 * log_audit.c - `osafe log verify DIR --vkey FILE.vkey`, with an optional
 * witness policy (--witness FILE.vkey..., --quorum K).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "core/fsx.h"
#include "tlog/cosig.h"
#include "tlog/log.h"

/* The witness policy on the checkpoint just audited: the cosigned copy
 * the node serves (DIR/checkpoint.cosigned when it is of the current
 * checkpoint), or FILE, which must then be the audited checkpoint with
 * cosignatures added (fetched from /log/checkpoint, say). */
static int witnessed(const char *dir, const char *file,
                     const tlog_verifier *v, const tlog_verifier *w, size_t n,
                     size_t k)
{
    osafe_err e;
    char *note = NULL, *bare = NULL, *path = fsx_path_join(dir, "checkpoint");
    size_t len = 0, blen = 0;
    int rc = path ? 0 : osafe_errf(&e, OSAFE_ENOMEM, "out of memory");
    if (!rc && !file)
        rc = tlog_cosigned_read(dir, &note, &len, &e);
    else if (!rc && !(rc = fsx_read_file(file, OSAFE_NOTE_MAX, &note, &len,
                                         &e)) &&
             !(rc = fsx_read_file(path, OSAFE_NOTE_MAX, &bare, &blen, &e)))
    {
        /* the same signed text as the audited checkpoint */
        tlog_note a, b;
        if (tlog_note_open(note, len, v, 1, &a, &e) == 0 &&
            tlog_note_open(bare, blen, v, 1, &b, &e) == 0 &&
            (a.text_len != b.text_len || memcmp(note, bare, a.text_len)))
            rc = osafe_errf(&e, OSAFE_EVERIFY, "%s is not the checkpoint of "
                                               "%s",
                            file, dir);
    }
    free(path);
    free(bare);
    if (rc) {
        free(note);
        return cli_fail("log verify", &e);
    }
    rc = cli_witness_check("log verify", note, len, v, w, n, k);
    free(note);
    return rc;
}

int log_verify(int argc, char **argv)
{
    const char *vkey = NULL, *quorum = NULL, *cosigned = NULL;
    struct opt_list wfiles = {{NULL}, 0};
    struct opt opts[] = {{"vkey", OPT_STRING, &vkey},
                         {"witness", OPT_LIST, &wfiles},
                         {"quorum", OPT_STRING, &quorum},
                         {"checkpoint", OPT_STRING, &cosigned},
                         {NULL, 0, NULL}};
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
    tlog_verifier w[OSAFE_WITNESS_MAX];
    size_t nw, k;
    if ((rc = cli_witness_policy("log verify", &wfiles, quorum, w, &nw, &k)))
        return rc;
    if (cosigned && !nw)
        return cli_usage_error("log verify", "--checkpoint is for a witness "
                                             "policy (--witness, --quorum)");
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
    return nw ? witnessed(argv[1], cosigned, &v, w, nw, k) : EXIT_OK;
}
