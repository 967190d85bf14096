/*
 * cmd_token.c - `osafe token create`: API accounts.
 */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "registry/registry.h"

const char usage_token[] =
    "usage: osafe token create --db FILE --name NAME --role ROLE [--org ORG]\n"
    "\n"
    "Create an API account and print its bearer token, alone on the last\n"
    "line of standard output.  The token is shown once: only its SHA-256\n"
    "is stored.  ROLE is reporter (files records), reviewer (reviews,\n"
    "publishes, links), admin (everything) or peer (another node that\n"
    "mirrors this one: reads published GREEN records and the AMBER ones of\n"
    "its ORG, required; writes nothing; docs/FEDERATION.md).  ORG groups\n"
    "accounts: members of one organisation share its drafts and its\n"
    "TLP:AMBER records.\n";

int cmd_token(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "create")) {
        if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
            fputs(usage_token, stdout);
            return EXIT_OK;
        }
        return cli_usage_error("token", "expected 'create' (see 'osafe help "
                                        "token')");
    }
    const char *db = NULL, *name = NULL, *role = NULL, *org = NULL;
    struct opt opts[] = {{"db", OPT_STRING, &db},
                         {"name", OPT_STRING, &name},
                         {"role", OPT_STRING, &role},
                         {"org", OPT_STRING, &org},
                         {NULL, 0, NULL}};
    int np, rc = opts_parse("token create", argc - 1, argv + 1, opts, &np);
    if (rc == -1) {
        fputs(usage_token, stdout);
        return EXIT_OK;
    }
    if (rc)
        return rc;
    if (np)
        return cli_usage_error("token create", "unexpected argument '%s'",
                               argv[2]);
    if (!db || !name || !role)
        return cli_usage_error("token create",
                               "--db, --name and --role are required");
    osafe_err e;
    registry *reg;
    char token[96];
    reg_opts ro = {.db_path = db, .connections = 1};
    if (reg_open(&ro, &reg, &e) != 0)
        return cli_fail("token create", &e);
    rc = reg_token_create(reg, name, role, org, token, sizeof token, &e);
    reg_close(reg);
    if (rc)
        return cli_fail("token create", &e);
    fprintf(stderr, "created %s account '%s'%s%s; its token (shown once):\n",
            role, name, org ? " of " : "", org ? org : "");
    printf("%s\n", token);
    sodium_memzero(token, sizeof token);
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_FAIL;
}
