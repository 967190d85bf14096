/*
 * cmd_classify.c - `osafe classify refusal [FILE.jsonl]`.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "eval/score.h"

const char usage_classify[] =
    "usage: osafe classify refusal [FILE.jsonl]\n"
    "\n"
    "Read JSON lines with \"prompt\" and \"response\" (FILE or standard\n"
    "input) and write each back with \"label\" (full_refusal,\n"
    "partial_refusal, full_compliance) and \"confidence\" added.  The\n"
    "detector reads English, Chinese, Spanish, French, Arabic, Russian,\n"
    "German, Japanese, Portuguese and Hindi (docs/EVALUATION.md has its\n"
    "measured agreement with human labels).\n";

int cmd_classify(int argc, char **argv)
{
    int np, rc = opts_parse("classify", argc, argv, NULL, &np);
    if (rc == -1) {
        fputs(usage_classify, stdout);
        return EXIT_OK;
    }
    if (rc)
        return rc;
    if (np < 1 || strcmp(argv[1], "refusal"))
        return cli_usage_error("classify", "expected 'refusal' [FILE.jsonl]");
    if (np > 2)
        return cli_usage_error("classify", "expected at most one FILE");
    FILE *in = stdin;
    osafe_err e;
    if (np == 2 && !(in = fopen(argv[2], "r"))) {
        osafe_errno(&e, OSAFE_EIO, errno, "%s", argv[2]);
        return cli_fail("classify", &e);
    }
    rc = refusal_classify_stream(in, stdout, &e);
    if (in != stdin)
        fclose(in);
    if (fflush(stdout) != 0 && rc == 0)
        rc = osafe_errno(&e, OSAFE_EIO, errno, "standard output");
    return rc ? cli_fail("classify", &e) : EXIT_OK;
}
