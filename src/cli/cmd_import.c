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
    "Records are committed, and with --publish logged, in batches of up to\n"
    "1,024 (one transaction and one log append each); a line is printed\n"
    "once its batch is durable.\n"
    "Exit status 1 if any record was rejected.\n";

/* A record read from the file, waiting for its batch; json NULL when the
 * mapping rejected it (reason then says why). */
struct pending {
    char *key;
    char *json;
    char *reason;
};

struct import_ctx {
    registry *reg;
    reg_caller *caller;
    int publish;
    unsigned imported, skipped, rejected;
    osafe_err *e;
    /* Records go to the registry OSAFE_IMPORT_BATCH_MAX at a time (one
     * transaction and one log append each); their lines are printed, in
     * file order, once the batch is committed. */
    struct pending batch[OSAFE_IMPORT_BATCH_MAX];
    reg_import_item items[OSAFE_IMPORT_BATCH_MAX];
    size_t n;
};

static void pending_release(struct import_ctx *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->batch[i].key);
        free(c->batch[i].json);
        free(c->batch[i].reason);
    }
    c->n = 0;
}

/* Import the pending records, then print one line for each. */
static int flush_batch(struct import_ctx *c)
{
    size_t k = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (!c->batch[i].json)
            continue;
        memset(&c->items[k], 0, sizeof c->items[k]);
        c->items[k].source_key = c->batch[i].key;
        c->items[k].json = c->batch[i].json;
        c->items[k++].len = strlen(c->batch[i].json);
    }
    int rc = reg_import_batch(c->reg, c->caller, c->items, k, c->publish,
                              c->e);
    for (size_t i = 0, j = 0; rc == 0 && i < c->n; i++) {
        const struct pending *p = &c->batch[i];
        const reg_import_item *it = p->json ? &c->items[j++] : NULL;
        if (!it || it->status == OSAFE_EINVAL) {
            printf("rejected %s: %s\n", p->key[0] ? p->key : "?",
                   it ? it->err.msg : p->reason);
            c->rejected++;
        } else if (it->status == 1) {
            printf("skipped %s (already imported as %s)\n", p->key, it->id);
            c->skipped++;
        } else {
            printf("imported %s %s\n", it->id, p->key);
            c->imported++;
        }
    }
    pending_release(c);
    return rc;
}

static int on_item(void *ctx, exch_item *it)
{
    struct import_ctx *c = ctx;
    struct pending *p = &c->batch[c->n];
    memset(p, 0, sizeof *p);
    int ok = !strcmp(it->status, "ok") && it->record;
    p->key = strdup(it->source_key);
    if (ok)
        p->json = json_dumps(it->record, JSON_COMPACT);
    else
        p->reason = strdup(it->reason);
    if (!p->key || (ok ? !p->json : !p->reason)) {
        free(p->key);
        free(p->json);
        free(p->reason);
        return osafe_errf(c->e, OSAFE_ENOMEM, "out of memory");
    }
    return ++c->n == OSAFE_IMPORT_BATCH_MAX ? flush_batch(c) : 0;
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
        fprintf(stderr, "osafe import: note: %s\n", reg_open_warning(reg));
    reg_caller caller;
    if (reg_import_caller(reg, as, &caller, &e) != 0) {
        reg_close(reg);
        return cli_fail("import", &e);
    }
    struct import_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx) {
        reg_close(reg);
        osafe_errf(&e, OSAFE_ENOMEM, "out of memory");
        return cli_fail("import", &e);
    }
    ctx->reg = reg;
    ctx->caller = &caller;
    ctx->publish = publish;
    ctx->e = &e;
    for (int i = 2; i <= np && rc == 0; i++) {
        char *text;
        size_t len;
        if ((rc = fsx_read_file(argv[i], OSAFE_EXCH_MAX_BYTES, &text, &len,
                                &e)))
            break;
        rc = exch_import(f, text, len, license, on_item, ctx, &e);
        free(text);
        /* A file's records are committed before the next file is read. */
        if (!rc)
            rc = flush_batch(ctx);
        if (rc)
            osafe_errprefix(&e, "%s: ", argv[i]);
    }
    pending_release(ctx);
    reg_close(reg);
    fflush(stdout);
    fprintf(stderr, "osafe import: %u imported, %u skipped, %u rejected\n",
            ctx->imported, ctx->skipped, ctx->rejected);
    unsigned rejected = ctx->rejected;
    free(ctx);
    if (rc)
        return cli_fail("import", &e);
    return rejected ? EXIT_FAIL : EXIT_OK;
}
