#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

const char usage_help[] =
    "usage: osafe help [COMMAND]\n"
    "\n"
    "Without COMMAND, list the commands; with it, show its full help.\n";

int cmd_help(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(usage_help, stdout); /* as `osafe help help` */
        return EXIT_OK;
    }
    if (argc >= 2) {
        const struct cli_cmd *c = cli_find(argv[1]);
        if (!c) {
            fprintf(stderr, "osafe help: unknown command '%s'\n", argv[1]);
            return EXIT_USAGE;
        }
        fputs(c->usage, stdout);
        return EXIT_OK;
    }
    printf("usage: osafe COMMAND [ARGS]\n\n"
           "osafe: evaluate open AI models, report incidents, and prove it "
           "in a transparency log.\n\nCommands:\n");
    for (const struct cli_cmd *c = cli_commands; c->name; c++)
        printf("  %-10s %s\n", c->name, c->summary);
    printf("\n'osafe help COMMAND' shows the options of one command.\n");
    return EXIT_OK;
}
