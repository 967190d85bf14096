#include <sodium.h>
#include <stdio.h>

#include "cli/cli.h"

const char usage_version[] =
    "usage: osafe version\n"
    "\n"
    "Print osafe's version and the versions of the libraries it runs on.\n";

int cmd_version(int argc, char **argv)
{
    int np;
    int rc = opts_parse("version", argc, argv, NULL, &np);
    if (rc == -1) {
        fputs(usage_version, stdout);
        return EXIT_OK;
    }
    if (rc)
        return rc;
    if (np)
        return cli_usage_error("version", "unexpected argument '%s'",
                               argv[1]);
    printf("osafe %s (libsodium %s)\n", OSAFE_VERSION,
           sodium_version_string());
    return EXIT_OK;
}
