/*
 * cmd_witness.c - `osafe witness`: the witnesses asked to cosign this
 * node's own checkpoints (federation/witness_collect.c), and the witness
 * policy (--witness FILE.vkey, repeated, --quorum K) that `log verify`,
 * `log verify-inclusion` and `peer sync` apply.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "core/fsx.h"
#include "federation/federation.h"
#include "store/store.h"
#include "tlog/cosig.h"

const char usage_witness[] =
    "usage: osafe witness add URL --vkey FILE.vkey --db FILE\n"
    "       osafe witness list --db FILE\n"
    "       osafe witness remove URL --db FILE\n"
    "\n"
    "The witnesses that `osafe serve` asks to cosign this node's\n"
    "checkpoints (C2SP tlog-witness; docs/FEDERATION.md).\n"
    "\n"
    "add     URL is the witness's submission prefix: requests go to\n"
    "        URL/add-checkpoint (for an osafe witness: its base URL +\n"
    "        /witness).  FILE.vkey is the witness's key (its name is the\n"
    "        witness's name), obtained out of band.\n"
    "list    One line per witness: URL, name, the size it last cosigned,\n"
    "        the time of that cosignature, the last request and its\n"
    "        error.\n"
    "remove  Stop asking a witness (the cosignatures served already stay\n"
    "        valid statements).\n"
    "\n"
    "A running `osafe serve` sends each new checkpoint to every witness in\n"
    "the background and serves it at /log/checkpoint with the verified\n"
    "cosignatures it has collected for it.\n"
    "\n"
    "Exit status: 0 ok, 1 failure, 2 usage error.\n";

int cli_witness_policy(const char *cmd, const struct opt_list *files,
                       const char *quorum, tlog_verifier *w, size_t *n,
                       size_t *k)
{
    *n = 0;
    *k = 0;
    if (!files->n && !quorum)
        return 0;
    if (!files->n)
        return cli_usage_error(cmd, "--quorum needs at least one --witness "
                                    "FILE.vkey");
    osafe_err e;
    for (int i = 0; i < files->n; i++) {
        if (tlog_verifier_load(files->v[i], &w[i], &e) != 0)
            return cli_fail(cmd, &e);
        for (int j = 0; j < i; j++)
            if (!strcmp(w[j].name, w[i].name))
                return cli_usage_error(cmd, "--witness: two keys named %s",
                                       w[i].name);
    }
    *n = (size_t)files->n;
    unsigned long long q = *n;
    int rc = quorum ? cli_u64(cmd, "--quorum", quorum, &q) : 0;
    if (rc)
        return rc;
    if (q < 1 || q > *n)
        return cli_usage_error(cmd, "--quorum %llu: it must be 1 to the "
                                    "number of --witness keys (%zu)",
                               q, *n);
    *k = (size_t)q;
    return 0;
}

int cli_witness_check(const char *cmd, const char *note, size_t len,
                      const tlog_verifier *v, const tlog_verifier *w,
                      size_t n, size_t k)
{
    osafe_err e;
    tlog_note nt;
    tlog_cosig_seen seen[OSAFE_WITNESS_MAX];
    if (tlog_note_open(note, len, v, 1, &nt, &e) != 0 ||
        tlog_cosig_quorum(note, len, nt.text_len, w, n, k,
                          (uint64_t)time(NULL), seen, &e) != 0)
        return cli_fail(cmd, &e);
    size_t ok = 0;
    for (size_t i = 0; i < n; i++)
        ok += seen[i].ok != 0;
    printf("ok: %zu of %zu witnesses cosigned (quorum %zu):", ok, n, k);
    for (size_t i = 0; i < n; i++)
        if (seen[i].ok)
            printf(" %s@%llu", w[i].name, (unsigned long long)seen[i].time);
    printf("\n");
    return EXIT_OK;
}

/* Options, then exactly npos positional arguments (the URL). */
static int parse(const char *cmd, int argc, char **argv, struct opt *opts,
                 int npos)
{
    int np, rc = opts_parse(cmd, argc, argv, opts, &np);
    if (rc == -1)
        fputs(usage_witness, stdout);
    if (rc)
        return rc;
    if (np != npos)
        return cli_usage_error(cmd, npos ? "the witness's URL is required "
                                           "(once)"
                                         : "unexpected argument");
    return 0;
}

static int witness_add(int argc, char **argv)
{
    const char *db = NULL, *vkey = NULL, *cmd = "witness add";
    struct opt opts[] = {{"db", OPT_STRING, &db},
                         {"vkey", OPT_STRING, &vkey},
                         {NULL, 0, NULL}};
    int rc = parse(cmd, argc, argv, opts, 1);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (!vkey)
        return cli_usage_error(cmd, "--vkey FILE.vkey is required");
    osafe_store *s;
    if ((rc = cli_store_open(cmd, db, &s)))
        return rc;
    osafe_err e;
    char *text = NULL;
    size_t len;
    if (fsx_read_file(vkey, OSAFE_KEYFILE_MAX, &text, &len, &e) ||
        fed_cosigner_add(s, argv[1], text, &e))
        rc = cli_fail(cmd, &e);
    else
        printf("added witness %s\n", argv[1]);
    free(text);
    s->ops->close(s);
    return rc;
}

static int witness_list(int argc, char **argv)
{
    const char *db = NULL, *cmd = "witness list";
    struct opt opts[] = {{"db", OPT_STRING, &db}, {NULL, 0, NULL}};
    int rc = parse(cmd, argc, argv, opts, 0);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    osafe_store *s;
    if ((rc = cli_store_open(cmd, db, &s)))
        return rc;
    osafe_err e;
    store_cosigner *w;
    size_t n;
    if (s->ops->cosigner_list(s, &w, &n, &e)) {
        s->ops->close(s);
        return cli_fail(cmd, &e);
    }
    printf("url\tname\tcosigned_size\tcosigned_at\tlast_try\tlast_error\n");
    for (size_t i = 0; i < n; i++) {
        printf("%s\t%s\t%lld\t%lld\t%s\t%s\n", w[i].url, w[i].name,
               (long long)w[i].size, (long long)w[i].cosig_time,
               w[i].last_try[0] ? w[i].last_try : "-",
               w[i].last_error[0] ? w[i].last_error : "-");
        store_cosigner_release(&w[i]);
    }
    free(w);
    s->ops->close(s);
    return EXIT_OK;
}

static int witness_remove(int argc, char **argv)
{
    const char *db = NULL, *cmd = "witness remove";
    struct opt opts[] = {{"db", OPT_STRING, &db}, {NULL, 0, NULL}};
    int rc = parse(cmd, argc, argv, opts, 1);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    osafe_store *s;
    if ((rc = cli_store_open(cmd, db, &s)))
        return rc;
    osafe_err e;
    if (s->ops->cosigner_remove(s, argv[1], &e))
        rc = cli_fail(cmd, &e);
    else
        printf("removed witness %s\n", argv[1]);
    s->ops->close(s);
    return rc;
}

int cmd_witness(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage_witness, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    if (!strcmp(argv[1], "add"))
        return witness_add(argc - 1, argv + 1);
    if (!strcmp(argv[1], "list"))
        return witness_list(argc - 1, argv + 1);
    if (!strcmp(argv[1], "remove"))
        return witness_remove(argc - 1, argv + 1);
    return cli_usage_error("witness", "unknown subcommand '%s' (see 'osafe "
                                      "help witness')",
                           argv[1]);
}
