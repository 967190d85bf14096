/*
 * cmd_log.c - `osafe log`: the dispatcher and the writer-side subcommands
 * (init, append, checkpoint, get).  Proofs live in log_prove.c, the audit
 * in log_audit.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>

#include "cli/cli.h"
#include "core/fsx.h"
#include "core/limits.h"
#include "tlog/log.h"

const char usage_log[] =
    "usage: osafe log init DIR --origin ORIGIN --key FILE.key\n"
    "       osafe log append DIR [--key FILE.key] (FILE... | --lines)\n"
    "       osafe log checkpoint DIR\n"
    "       osafe log get DIR INDEX [--count N --lines]\n"
    "       osafe log prove DIR INDEX [--size N] [--format json|tlog-proof]\n"
    "       osafe log consistency DIR OLD [NEW]\n"
    "       osafe log verify DIR --vkey FILE.vkey [POLICY [--checkpoint FILE]]\n"
    "       osafe log verify-inclusion --vkey FILE.vkey --proof FILE\n"
    "             [--checkpoint FILE] (--entry FILE | --leaf-hash B64)\n"
    "             [POLICY]\n"
    "       osafe log verify-consistency --vkey FILE.vkey --old FILE\n"
    "             --new FILE [--proof FILE]\n"
    "\n"
    "A C2SP tlog-tiles transparency log in DIR (RFC 6962 Merkle tree,\n"
    "signed checkpoint, tiles and entry bundles that any static file server\n"
    "can publish).\n"
    "\n"
    "init        Create an empty log.  ORIGIN names the log and must equal\n"
    "            the key's name; the key's path is remembered for appends.\n"
    "append      Append each FILE, or with --lines each line of standard\n"
    "            input (without its newline), as one entry; all entries of\n"
    "            one call form one durable batch.  Prints each entry's\n"
    "            index once the batch and its new checkpoint are on disk.\n"
    "            Entries are at most 65535 bytes.\n"
    "checkpoint  Print the current signed checkpoint.\n"
    "get         Print entry INDEX (raw bytes).  With --count N --lines,\n"
    "            entries INDEX to INDEX+N-1 in one pass, each followed by a\n"
    "            newline (an entry that holds one is refused).\n"
    "prove       Print the inclusion proof of entry INDEX in the tree of\n"
    "            size N (default: the checkpoint's), as JSON, or as a\n"
    "            c2sp.org/tlog-proof@v1 receipt that embeds the checkpoint.\n"
    "consistency Print the proof that tree OLD is a prefix of tree NEW\n"
    "            (default: the checkpoint's size), as JSON.\n"
    "verify      Audit everything: the checkpoint's signature, every entry,\n"
    "            every tile, the root.  Exit 0 only if all holds; otherwise\n"
    "            name the first inconsistency.\n"
    "verify-inclusion, verify-consistency\n"
    "            Client-side checks from a signed checkpoint, a proof and\n"
    "            an entry; no access to the log is needed.\n"
    "POLICY      --witness W.vkey (repeated) --quorum K: the checkpoint\n"
    "            must also carry valid cosignatures (C2SP cosignature/v1,\n"
    "            not dated in the future) by at least K of those witnesses\n"
    "            (default: all).  For verify, the cosigned checkpoint is\n"
    "            DIR/checkpoint.cosigned (what /log/checkpoint serves), or\n"
    "            --checkpoint FILE, the same checkpoint fetched cosigned.\n"
    "\n"
    "Exit status: 0 ok, 1 failure (I/O, corrupt log, proof or signature\n"
    "does not verify), 2 usage error.\n";

/* Print the usage when opts_parse saw --help; the caller then stops with
 * EXIT_OK (help_or returns -1, not 0, so that it does not go on). */
static int help_or(int rc)
{
    if (rc == -1)
        fputs(usage_log, stdout);
    return rc;
}

static int log_init(int argc, char **argv)
{
    const char *origin = NULL, *key = NULL;
    struct opt opts[] = {{"origin", OPT_STRING, &origin},
                         {"key", OPT_STRING, &key},
                         {NULL, 0, NULL}};
    int np, rc = help_or(opts_parse("log init", argc, argv, opts, &np));
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (np != 1)
        return cli_usage_error("log init", "expected one DIR");
    if (!origin)
        return cli_usage_error("log init", "missing --origin ORIGIN");
    if (!key)
        return cli_usage_error("log init", "missing --key FILE.key");
    osafe_err e;
    if (tlog_log_init(argv[1], origin, key, &e) != 0)
        return cli_fail("log init", &e);
    fprintf(stderr, "created log %s (origin %s)\n", argv[1], origin);
    return EXIT_OK;
}

/* Read standard input and split it into lines (without their "\n"). */
static int read_lines(char **data, tlog_entry **ents, size_t *n, osafe_err *e)
{
    size_t len;
    int rc = fsx_read_file("/dev/stdin", OSAFE_LOG_BATCH_MAX_BYTES +
                                             OSAFE_LOG_BATCH_MAX_ENTRIES,
                           data, &len, e);
    if (rc)
        return osafe_errprefix(e, "standard input: ");
    size_t cap = 0;
    *ents = NULL;
    *n = 0;
    for (char *p = *data, *end = *data + len; p < end;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (*n == cap) {
            cap = cap ? cap * 2 : 1024;
            tlog_entry *x = realloc(*ents, cap * sizeof *x);
            if (!x)
                return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
            *ents = x;
        }
        if (ll > OSAFE_LOG_ENTRY_MAX)
            return osafe_errf(e, OSAFE_ETOOBIG,
                              "standard input: line %zu is %zu bytes; an "
                              "entry is at most %d",
                              *n + 1, ll, OSAFE_LOG_ENTRY_MAX);
        (*ents)[(*n)++] = (tlog_entry){p, ll};
        p += ll + (nl ? 1 : 0);
    }
    return 0;
}

static int log_append(int argc, char **argv)
{
    const char *key = NULL;
    int lines = 0;
    struct opt opts[] = {{"key", OPT_STRING, &key},
                         {"lines", OPT_FLAG, &lines},
                         {NULL, 0, NULL}};
    int np, rc = help_or(opts_parse("log append", argc, argv, opts, &np));
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (np < 1)
        return cli_usage_error("log append", "expected DIR");
    if (lines && np > 1)
        return cli_usage_error("log append",
                               "give FILEs or --lines, not both");
    if (!lines && np < 2)
        return cli_usage_error("log append",
                               "nothing to append: give FILEs or --lines");
    osafe_err e;
    tlog_entry *ents = NULL;
    char **bufs = NULL, *stdin_data = NULL;
    size_t n = 0;
    int ok = 0;
    tlog_log *log = NULL;
    if (lines) {
        if (read_lines(&stdin_data, &ents, &n, &e) != 0)
            goto out;
        if (n == 0) {
            osafe_errf(&e, OSAFE_EINVAL, "standard input holds no lines");
            goto out;
        }
    } else {
        n = (size_t)np - 1;
        ents = calloc(n, sizeof *ents);
        bufs = calloc(n, sizeof *bufs);
        if (!ents || !bufs) {
            osafe_errf(&e, OSAFE_ENOMEM, "out of memory");
            goto out;
        }
        for (size_t i = 0; i < n; i++) {
            size_t len;
            int r = fsx_read_file(argv[2 + i], OSAFE_LOG_ENTRY_MAX, &bufs[i],
                                  &len, &e);
            if (r == OSAFE_ETOOBIG)
                osafe_errf(&e, r, "%s: larger than %d bytes, the most an "
                                  "entry may hold",
                           argv[2 + i], OSAFE_LOG_ENTRY_MAX);
            if (r)
                goto out;
            ents[i] = (tlog_entry){bufs[i], len};
        }
    }
    uint64_t first;
    if (tlog_log_open(argv[1], TLOG_OPEN_WRITE, key, &log, &e) != 0 ||
        tlog_log_append(log, ents, n, &first, &e) != 0)
        goto out;
    for (size_t i = 0; i < n; i++)
        printf("%llu\n", (unsigned long long)(first + i));
    ok = 1;
out:
    tlog_log_close(log);
    if (bufs)
        for (size_t i = 0; i < n; i++)
            free(bufs[i]);
    free(bufs);
    free(ents);
    free(stdin_data);
    return ok ? (fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL)
              : cli_fail("log append", &e);
}

static int log_checkpoint(int argc, char **argv)
{
    int np, rc = help_or(opts_parse("log checkpoint", argc, argv, NULL, &np));
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (np != 1)
        return cli_usage_error("log checkpoint", "expected one DIR");
    osafe_err e;
    tlog_log *log;
    if (tlog_log_open(argv[1], TLOG_OPEN_READ, NULL, &log, &e) != 0)
        return cli_fail("log checkpoint", &e);
    size_t len;
    const char *note = tlog_log_checkpoint_note(log, &len);
    fwrite(note, 1, len, stdout);
    tlog_log_close(log);
    return EXIT_OK;
}

/* Entries index .. index+count-1 to stdout; with lines, each followed by a
 * newline, and an entry holding one is an error (the output could not be
 * split back). */
static int get_entries(tlog_log *log, unsigned long long index,
                       unsigned long long count, int lines, osafe_err *e)
{
    osafe_buf b = OSAFE_BUF_INIT;
    int rc = 0;
    for (unsigned long long i = 0; i < count && rc == 0; i++) {
        rc = tlog_log_read_entry(log, index + i, &b, e);
        if (!rc && lines && b.len && memchr(b.data, '\n', b.len))
            rc = osafe_errf(e, OSAFE_EINVAL,
                            "entry %llu holds a newline: read it alone, "
                            "without --lines",
                            index + i);
        if (!rc && ((b.len && fwrite(b.data, 1, b.len, stdout) != b.len) ||
                    (lines && putchar('\n') == EOF)))
            rc = osafe_errno(e, OSAFE_EIO, errno, "cannot write the output");
    }
    if (!rc && fflush(stdout) != 0)
        rc = osafe_errno(e, OSAFE_EIO, errno, "cannot write the output");
    buf_release(&b);
    return rc;
}

static int log_get(int argc, char **argv)
{
    const char *count_s = NULL;
    int lines = 0;
    struct opt opts[] = {{"count", OPT_STRING, &count_s},
                         {"lines", OPT_FLAG, &lines},
                         {NULL, 0, NULL}};
    int np, rc = help_or(opts_parse("log get", argc, argv, opts, &np));
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    unsigned long long index, count = 1;
    if (np != 2)
        return cli_usage_error("log get", "expected DIR INDEX");
    if ((rc = cli_u64("log get", "INDEX", argv[2], &index)) ||
        (count_s && (rc = cli_u64("log get", "--count", count_s, &count))))
        return rc;
    if (count != 1 && !lines)
        return cli_usage_error("log get", "--count needs --lines (entries "
                                          "would run together)");
    osafe_err e;
    tlog_log *log;
    if (tlog_log_open(argv[1], TLOG_OPEN_READ, NULL, &log, &e) != 0)
        return cli_fail("log get", &e);
    uint64_t size = tlog_log_head(log)->size;
    if (count_s && (index > size || count > size - index))
        rc = osafe_errf(&e, OSAFE_EINVAL,
                        "entries %llu..%llu: the log holds %llu", index,
                        index + count - 1, (unsigned long long)size);
    if (!rc)
        rc = get_entries(log, index, count, lines, &e);
    tlog_log_close(log);
    return rc ? cli_fail("log get", &e) : EXIT_OK;
}

static const struct {
    const char *name;
    int (*run)(int, char **);
} log_cmds[] = {
    {"init", log_init},
    {"append", log_append},
    {"checkpoint", log_checkpoint},
    {"get", log_get},
    {"prove", log_prove},
    {"consistency", log_consistency},
    {"verify", log_verify},
    {"verify-inclusion", log_verify_inclusion},
    {"verify-consistency", log_verify_consistency},
};

int cmd_log(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage_log, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    for (size_t i = 0; i < sizeof log_cmds / sizeof log_cmds[0]; i++)
        if (!strcmp(argv[1], log_cmds[i].name))
            return log_cmds[i].run(argc - 1, argv + 1);
    return cli_usage_error("log", "unknown subcommand '%s' (see 'osafe help "
                                  "log')",
                           argv[1]);
}
