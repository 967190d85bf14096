/*
 * cmd_export.c - `osafe export FORMAT`: published records out, for other
 * databases and feeds.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/canon.h"
#include "core/limits.h"
#include "registry/exchange.h"
#include "registry/registry.h"

const char usage_export[] =
    "usage: osafe export FORMAT [--db FILE] [--tlp CLEAR|GREEN] [--out FILE]\n"
    "                           [--include-mirrored [--origin ORIGIN]]\n"
    "\n"
    "Export the latest published version of every record: json (our native\n"
    "records, JSON Lines, exact stored bytes; `osafe import json` reads them\n"
    "back), avid or osv (JSON Lines), csv (columns in docs/API.md), stix (one\n"
    "STIX 2.1 bundle).  Only TLP:CLEAR records by default; --tlp GREEN adds\n"
    "GREEN ones, in every format (for the community they are meant for).\n"
    "AMBER and RED records are never exported: they are read through the\n"
    "authenticated API only, and RED ones never leave the node.\n"
    "Withdrawn and merged records are included with their state: json\n"
    "\"state\", \"withdrawn\" (when) and \"merged_into\"; osv \"withdrawn\";\n"
    "stix \"revoked\": true; csv the state and withdrawn columns (AVID has\n"
    "no place for a state).\n"
    "--include-mirrored adds, after ours, the records mirrored from peers\n"
    "(docs/FEDERATION.md; --origin: one peer's log only) at the same\n"
    "levels (never AMBER), each carrying its origin: origin.node_url (the\n"
    "peer), origin.log and origin.log_index (its entry in the origin's\n"
    "log), origin.mirrored true, and first among its references its page\n"
    "at the origin (in csv, the references column).\n";

struct sink {
    FILE *out;
    const char *name; /* the output file, or "standard output" */
    const char *fmt;
    const char *tlp; /* the most restricted level exported */
    json_t *stix;    /* array of records, for the one bundle */
    unsigned n, skipped;
    osafe_err *e;
};

/* The registry's state of a stored record, which exports carry. */
typedef struct rec_state {
    const char *state, *when, *merged_into;
} rec_state;

static int revoked(const rec_state *st)
{
    return !strcmp(st->state, "withdrawn") || !strcmp(st->state, "merged");
}

/* Write n bytes (and a newline with nl): a record only counts as exported
 * once its bytes were accepted, and a failed write stops the export. */
static int put(struct sink *k, const void *p, size_t n, int nl, osafe_err *e)
{
    if ((n && fwrite(p, 1, n, k->out) != n) ||
        (nl && fputc('\n', k->out) == EOF))
        return osafe_errno(e, OSAFE_EIO, errno,
                           "cannot write the output (%s)", k->name);
    return 0;
}

/* Native JSON: the exact stored bytes of a live record; a withdrawn or
 * merged one is re-canonicalised with its state (its bytes say
 * "published", the state it was logged in). */
static int emit_native(struct sink *k, const char *id, const rec_state *st,
                       const char *body, size_t len, osafe_err *e)
{
    if (!revoked(st))
        return put(k, body, len, 1, e);
    json_error_t je;
    json_t *rec = json_loadb(body, len, 0, &je);
    if (!rec)
        return osafe_errf(e, OSAFE_ECORRUPT, "stored record %s: %s", id,
                          je.text);
    osafe_buf b = OSAFE_BUF_INIT;
    int rc = exch_set_state(rec, st->state, st->when, st->merged_into);
    if (rc)
        rc = osafe_errf(e, rc, "out of memory");
    else if (!(rc = canon_value(rec, &b, e)))
        rc = put(k, b.data, b.len, 1, e);
    buf_release(&b);
    json_decref(rec);
    return rc;
}

static int emit(struct sink *k, const char *id, const rec_state *st,
                const char *body, size_t len, osafe_err *e)
{
    if (!strcmp(k->fmt, "json")) {
        int rc = emit_native(k, id, st, body, len, e);
        k->n += rc == 0;
        return rc;
    }
    json_error_t je;
    json_t *rec = json_loadb(body, len, 0, &je);
    if (!rec)
        return osafe_errf(e, OSAFE_ECORRUPT, "stored record %s: %s", id,
                          je.text);
    if (exch_set_state(rec, st->state, st->when, st->merged_into)) {
        json_decref(rec);
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    }
    int rc = 0, wrc = 0;
    json_t *x = NULL;
    osafe_err xe;
    if (!strcmp(k->fmt, "stix")) {
        json_array_append(k->stix, rec);
    } else if (!strcmp(k->fmt, "csv")) {
        osafe_buf row = OSAFE_BUF_INIT;
        if (exch_export_csv_row(rec, &row, &xe) == 0)
            wrc = put(k, row.data, row.len, 0, e);
        else
            rc = 1;
        buf_release(&row);
    } else {
        rc = (!strcmp(k->fmt, "avid")
                  ? exch_export_avid_at(rec, k->tlp, &x, &xe)
                  : exch_export_osv_at(rec, k->tlp, &x, &xe)) != 0;
        if (!rc) {
            char *s = json_dumps(x, JSON_COMPACT | JSON_SORT_KEYS);
            wrc = s ? put(k, s, strlen(s), 1, e)
                    : osafe_errf(e, OSAFE_ENOMEM,
                                 "record %s: out of memory", id);
            free(s);
        }
    }
    if (wrc) {
        rc = wrc;
    } else if (rc) {
        /* One record the target format cannot carry does not stop the
         * export; it is named. */
        fprintf(stderr, "osafe export: skipped %s: %s\n", id, xe.msg);
        k->skipped++;
    } else {
        k->n++;
    }
    json_decref(x);
    json_decref(rec);
    return wrc;
}

static int emit_each(void *ctx, const reg_exported *x)
{
    struct sink *k = ctx;
    rec_state st = {x->state, x->modified, x->merged_into};
    return emit(k, x->id, &st, x->body, x->len, k->e);
}

int cmd_export(int argc, char **argv)
{
    const char *db = "osafe.db", *tlp = "CLEAR", *outpath = NULL,
               *origin = NULL;
    int mirrored = 0;
    struct opt opts[] = {{"db", OPT_STRING, &db},
                         {"tlp", OPT_STRING, &tlp},
                         {"out", OPT_STRING, &outpath},
                         {"include-mirrored", OPT_FLAG, &mirrored},
                         {"origin", OPT_STRING, &origin},
                         {NULL, 0, NULL}};
    int np, rc = opts_parse("export", argc, argv, opts, &np);
    if (rc == -1) {
        fputs(usage_export, stdout);
        return EXIT_OK;
    }
    if (rc)
        return rc;
    if (np != 1)
        return cli_usage_error("export", "expected one FORMAT");
    const char *fmt = argv[1];
    if (strcmp(fmt, "json") && strcmp(fmt, "avid") && strcmp(fmt, "osv") &&
        strcmp(fmt, "csv") && strcmp(fmt, "stix"))
        return cli_usage_error("export",
                               "unknown format '%s' (json, avid, osv, csv, "
                               "stix)",
                               fmt);
    if (origin && !mirrored)
        return cli_usage_error("export", "--origin needs --include-mirrored");
    if (strcmp(tlp, "CLEAR") && strcmp(tlp, "GREEN"))
        return cli_usage_error("export",
                               "--tlp %s: only CLEAR and GREEN records are "
                               "exported",
                               tlp);
    osafe_err e;
    registry *reg;
    reg_opts ro = {.db_path = db, .connections = 1};
    if (reg_open(&ro, &reg, &e) != 0)
        return cli_fail("export", &e);
    struct sink k = {stdout, outpath ? outpath : "standard output", fmt, tlp,
                     NULL, 0, 0, &e};
    if (outpath && !(k.out = fopen(outpath, "w"))) {
        reg_close(reg);
        osafe_errno(&e, OSAFE_EIO, errno, "%s", outpath);
        return cli_fail("export", &e);
    }
    if (!strcmp(fmt, "stix"))
        k.stix = json_array();
    if (!strcmp(fmt, "csv")) {
        osafe_buf h = OSAFE_BUF_INIT;
        rc = exch_csv_header(&h) != 0
                 ? osafe_errf(&e, OSAFE_ENOMEM, "out of memory")
                 : put(&k, h.data, h.len, 0, &e);
        buf_release(&h);
    }
    /* The registry decides what the readers an export is for may read:
     * the same rule the API applies. */
    if (rc == 0)
        rc = reg_export_each(reg, tlp, emit_each, &k, &e);
    /* other registries' records: after ours, each naming its origin */
    if (rc == 0 && mirrored)
        rc = reg_export_mirrored_each(reg, tlp, origin, emit_each, &k, &e);
    if (rc == 0 && k.stix) {
        json_t *bundle = NULL;
        size_t n = json_array_size(k.stix);
        json_t **recs = calloc(n ? n : 1, sizeof *recs);
        for (size_t i = 0; recs && i < n; i++)
            recs[i] = json_array_get(k.stix, i);
        if (!recs)
            rc = osafe_errf(&e, OSAFE_ENOMEM, "out of memory");
        else if (!(rc = exch_export_stix_bundle(recs, n, &bundle, &e))) {
            char *txt = json_dumps(bundle, JSON_INDENT(1) | JSON_SORT_KEYS);
            rc = txt ? put(&k, txt, strlen(txt), 1, &e)
                     : osafe_errf(&e, OSAFE_ENOMEM, "out of memory");
            free(txt);
            json_decref(bundle);
        }
        free(recs);
    }
    json_decref(k.stix);
    reg_close(reg);
    /* buffered bytes reach the file only now: a full disk shows here */
    if ((fflush(k.out) != 0 || ferror(k.out)) && rc == 0)
        rc = osafe_errno(&e, OSAFE_EIO, errno,
                         "cannot write the output (%s)", k.name);
    if (k.out != stdout && fclose(k.out) != 0 && rc == 0)
        rc = osafe_errno(&e, OSAFE_EIO, errno, "%s", outpath);
    if (rc)
        return cli_fail("export", &e);
    fprintf(stderr, "osafe export: %u records (%s)%s\n", k.n, fmt,
            k.skipped ? ", some skipped" : "");
    return EXIT_OK;
}
