/*
 * main.c - `osafe`: the table of subcommands and the dispatcher.
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

const struct cli_cmd cli_commands[] = {
    {"classify", cmd_classify, "label model answers (refusal detector)",
     usage_classify},
    {"eval", cmd_eval, "evaluate a model on a suite; report, compare, publish",
     usage_eval},
    {"export", cmd_export, "export published records (AVID, OSV, CSV, STIX)",
     usage_export},
    {"help", cmd_help, "show help for osafe or one command", usage_help},
    {"import", cmd_import, "import records (AVID, OSV, ATLAS, CSV)",
     usage_import},
    {"key", cmd_key, "generate signing keys", usage_key},
    {"log", cmd_log, "create, append to, prove and audit transparency logs",
     usage_log},
    {"migrate", cmd_migrate, "copy an SQLite registry to PostgreSQL",
     usage_migrate},
    {"peer", cmd_peer, "mirror other nodes' logs: add, list, sync peers",
     usage_peer},
    {"risk", cmd_risk, "rank risks by impact and likelihood", usage_risk},
    {"serve", cmd_serve, "serve the registry API and the log over HTTP",
     usage_serve},
    {"suite", cmd_suite, "import, validate and describe evaluation suites",
     usage_suite},
    {"token", cmd_token, "create API accounts and tokens", usage_token},
    {"version", cmd_version, "print the version", usage_version},
    {"witness", cmd_witness, "witnesses that cosign this node's checkpoints",
     usage_witness},
    {NULL, NULL, NULL, NULL},
};

const struct cli_cmd *cli_find(const char *name)
{
    for (const struct cli_cmd *c = cli_commands; c->name; c++)
        if (!strcmp(c->name, name))
            return c;
    return NULL;
}

/*
 * Every command's output to stdout is checked here, once: stdio buffers,
 * so a full disk or a closed pipe often shows only when the buffer is
 * flushed, after the command has returned.  Output that did not all arrive
 * must not exit 0 (`osafe export csv > /dev/full`).
 */
static int finish_stdout(const char *name, int rc)
{
    errno = 0;
    int bad = fflush(stdout) != 0 || ferror(stdout);
    int err = errno;
    if (fclose(stdout) != 0 && !bad) {
        bad = 1;
        err = errno;
    }
    if (!bad)
        return rc;
    if (rc) /* the command has said what went wrong: one line, not two */
        return rc;
    fprintf(stderr, "osafe %s: cannot write the output: %s\n", name,
            err ? strerror(err) : "write error");
    return EXIT_FAIL;
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0) {
        fprintf(stderr, "osafe: cannot initialise libsodium\n");
        return EXIT_FAIL;
    }
    if (argc < 2)
        return finish_stdout("help", cmd_help(1, argv));
    const char *name = argv[1];
    if (!strcmp(name, "--help") || !strcmp(name, "-h"))
        return finish_stdout("help", cmd_help(1, argv));
    if (!strcmp(name, "--version"))
        return finish_stdout("version", cmd_version(1, argv));
    const struct cli_cmd *c = cli_find(name);
    if (!c && name[0] == '-') {
        fprintf(stderr, "osafe: unknown option '%s' (see 'osafe --help')\n",
                name);
        return EXIT_USAGE;
    }
    if (!c) {
        fprintf(stderr,
                "osafe: unknown command '%s' (see 'osafe --help')\n", name);
        return EXIT_USAGE;
    }
    return finish_stdout(name, c->run(argc - 1, argv + 1));
}
