/*
 * cmd_migrate.c - `osafe migrate`: copy an SQLite registry to PostgreSQL.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "store/store.h"

const char usage_migrate[] =
    "usage: osafe migrate --from sqlite:FILE --to postgresql://...\n"
    "\n"
    "Copy the registry in the SQLite database FILE into a PostgreSQL\n"
    "database (created tables and all, if empty): accounts with their ids\n"
    "and token hashes, records, versions with their log indexes, entries\n"
    "and salts, links, evidence, import sources, id counters, evaluations\n"
    "in their order with their withdrawals, editors, web sessions, the\n"
    "log's other entries, and the search text.  The transparency log is\n"
    "files: serve the PostgreSQL registry with the same --log DIR.\n"
    "\n"
    "Stop every process writing to FILE first.  Rows the target already\n"
    "has are left as they are: running it again changes nothing, and a\n"
    "run that was interrupted goes on where it stopped.  A target holding\n"
    "another registry is refused.  Prints, per table, the rows of the\n"
    "source and how many this run copied.\n"
    "\n"
    "Exit status: 0 ok, 1 failure, 2 usage error.\n";

int cmd_migrate(int argc, char **argv)
{
    const char *from = NULL, *to = NULL;
    struct opt opts[] = {{"from", OPT_STRING, &from},
                         {"to", OPT_STRING, &to},
                         {NULL, 0, NULL}};
    int np, rc = opts_parse("migrate", argc, argv, opts, &np);
    if (rc == -1) {
        fputs(usage_migrate, stdout);
        return EXIT_OK;
    }
    if (rc)
        return rc;
    if (np)
        return cli_usage_error("migrate", "unexpected argument");
    if (!from || !to)
        return cli_usage_error("migrate", "--from and --to are required");
    if (store_is_pg(from) || !store_is_pg(to))
        return cli_usage_error("migrate", "only --from sqlite:FILE "
                                          "--to postgresql://... is supported");
    if (!strncmp(from, "sqlite:", 7))
        from += 7;
    osafe_err e;
    store_copy_count c[STORE_COPY_TABLES];
    size_t n;
    rc = store_copy_sqlite_pg(from, to, c, &n, &e);
    int64_t total = 0;
    for (size_t i = 0; i < n; i++) {
        printf("%-16s %lld rows, %lld copied\n", c[i].table,
               (long long)c[i].source, (long long)c[i].copied);
        total += c[i].copied;
    }
    if (rc)
        return cli_fail("migrate", &e);
    printf("copied %lld rows\n", (long long)total);
    return EXIT_OK;
}
