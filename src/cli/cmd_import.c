/*
 * cmd_import.c - `osafe import FORMAT FILE...`: foreign records into the
 * registry, idempotently.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/fsx.h"
#include "core/limits.h"
#include "registry/exchange.h"
#include "registry/registry.h"

const char usage_import[] =
    "usage: osafe import FORMAT FILE... [--db FILE] [--as NAME]\n"
    "                   [--publish --log DIR [--key FILE.key]] [--license ID]\n"
    "\n"
    "Import records from FORMAT: avid (report or vulnerability JSON, or\n"
    "JSON Lines of them), osv (JSON object, array or JSON Lines), atlas\n"
    "(MITRE ATLAS data YAML or one case study), csv (osafe's columns, see\n"
    "`osafe export csv`), json (osafe's native records, as `osafe export\n"
    "json` writes them: every field comes back as it was).  osafe's own osv\n"
    "and avid exports import too, recovering what they carry.\n"
    "\n"
    "Each record becomes a draft owned by the import account NAME (default\n"
    "'import'), or with --publish is published at once into the log DIR\n"
    "(stop `osafe serve` first: one writer per log).  Imports are\n"
    "idempotent: a source record imported before is skipped.  The source's\n"
    "id is kept in 'aliases', the foreign record in 'extensions', and its\n"
    "licence in 'license' (--license overrides it).  One line per record:\n"
    "  imported ID SOURCE | skipped SOURCE (ID) | rejected SOURCE: REASON\n"
    "Exit status 1 if any record was rejected.\n";

struct import_ctx {
    registry *reg;
    reg_caller *caller;
    int publish;
    unsigned imported, skipped, rejected;
    osafe_err *e;
};

static int on_item(void *ctx, exch_item *it)
{
    struct import_ctx *c = ctx;
    if (strcmp(it->status, "ok") || !it->record) {
        printf("rejected %s: %s\n", it->source_key[0] ? it->source_key : "?",
               it->reason);
        c->rejected++;
        return 0;
    }
    char *json = json_dumps(it->record, JSON_COMPACT);
    if (!json)
        return osafe_errf(c->e, OSAFE_ENOMEM, "out of memory");
    char id[32];
    int existing;
    osafe_err e;
    int rc = reg_import(c->reg, c->caller, it->source_key, json, strlen(json),
                        c->publish, id, &existing, &e);
    free(json);
    if (rc == OSAFE_EINVAL) {
        printf("rejected %s: %s\n", it->source_key, e.msg);
        c->rejected++;
        return 0;
    }
    if (rc) {
        *c->e = e;
        return rc;
    }
    if (existing) {
        printf("skipped %s (already imported as %s)\n", it->source_key, id);
        c->skipped++;
    } else {
        printf("imported %s %s\n", id, it->source_key);
        c->imported++;
    }
    return 0;
}

int cmd_import(int argc, char **argv)
{
    const char *db = "osafe.db", *as = "import", *logdir = NULL, *key = NULL,
               *license = NULL;
    int publish = 0;
    struct opt opts[] = {{"db", OPT_STRING, &db},
                         {"as", OPT_STRING, &as},
                         {"publish", OPT_FLAG, &publish},
                         {"log", OPT_STRING, &logdir},
                         {"key", OPT_STRING, &key},
                         {"license", OPT_STRING, &license},
                         {NULL, 0, NULL}};
    int np, rc = opts_parse("import", argc, argv, opts, &np);
    if (rc == -1) {
        fputs(usage_import, stdout);
        return EXIT_OK;
    }
    if (rc)
        return rc;
    exch_format f;
    if (np < 2)
        return cli_usage_error("import", "expected FORMAT FILE...");
    if (exch_format_parse(argv[1], &f) != 0 || f == EXCH_STIX)
        return cli_usage_error("import",
                               "unknown format '%s' (avid, osv, atlas, csv, "
                               "json)",
                               argv[1]);
    if (publish && !logdir)
        return cli_usage_error("import", "--publish needs --log DIR");
    osafe_err e;
    registry *reg;
    reg_opts ro = {db, publish ? logdir : NULL, key, "OSAFE", "localhost", 1};
    if (reg_open(&ro, &reg, &e) != 0)
        return cli_fail("import", &e);
    if (reg_open_warning(reg)[0])
        fprintf(stderr, "osafe import: warning: %s\n", reg_open_warning(reg));
    reg_caller caller;
    if (reg_import_caller(reg, as, &caller, &e) != 0) {
        reg_close(reg);
        return cli_fail("import", &e);
    }
    struct import_ctx ctx = {reg, &caller, publish, 0, 0, 0, &e};
    for (int i = 2; i <= np && rc == 0; i++) {
        char *text;
        size_t len;
        if ((rc = fsx_read_file(argv[i], OSAFE_EXCH_MAX_BYTES, &text, &len,
                                &e)))
            break;
        rc = exch_import(f, text, len, license, on_item, &ctx, &e);
        free(text);
        if (rc)
            osafe_errprefix(&e, "%s: ", argv[i]);
    }
    reg_close(reg);
    fflush(stdout);
    fprintf(stderr, "osafe import: %u imported, %u skipped, %u rejected\n",
            ctx.imported, ctx.skipped, ctx.rejected);
    if (rc)
        return cli_fail("import", &e);
    return ctx.rejected ? EXIT_FAIL : EXIT_OK;
}
