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
#include "core/limits.h"
#include "registry/exchange.h"
#include "store/store.h"

const char usage_export[] =
    "usage: osafe export FORMAT [--db FILE] [--tlp CLEAR|GREEN] [--out FILE]\n"
    "\n"
    "Export the latest published version of every record: json (our native\n"
    "records, JSON Lines, exact stored bytes), avid or osv (JSON Lines),\n"
    "csv, stix (one STIX 2.1 bundle).  Only TLP:CLEAR records by default;\n"
    "--tlp GREEN adds GREEN ones (for the community they are meant for).\n"
    "AMBER and RED records are never exported: they are read through the\n"
    "authenticated API only, and RED ones never leave the node.\n"
    "Withdrawn and merged records are included with their state.\n";

struct sink {
    FILE *out;
    const char *name; /* the output file, or "standard output" */
    const char *fmt;
    json_t *stix; /* array of records, for the one bundle */
    unsigned n, skipped;
};

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

static int emit(struct sink *k, const char *id, const char *body, size_t len,
                osafe_err *e)
{
    if (!strcmp(k->fmt, "json")) {
        int rc = put(k, body, len, 1, e);
        if (rc == 0)
            k->n++;
        return rc;
    }
    json_error_t je;
    json_t *rec = json_loadb(body, len, 0, &je);
    if (!rec)
        return osafe_errf(e, OSAFE_ECORRUPT, "stored record %s: %s", id,
                          je.text);
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
        rc = (!strcmp(k->fmt, "avid") ? exch_export_avid(rec, &x, &xe)
                                      : exch_export_osv(rec, &x, &xe)) != 0;
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

int cmd_export(int argc, char **argv)
{
    const char *db = "osafe.db", *tlp = "CLEAR", *outpath = NULL;
    struct opt opts[] = {{"db", OPT_STRING, &db},
                         {"tlp", OPT_STRING, &tlp},
                         {"out", OPT_STRING, &outpath},
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
    if (strcmp(tlp, "CLEAR") && strcmp(tlp, "GREEN"))
        return cli_usage_error("export",
                               "--tlp %s: only CLEAR and GREEN records are "
                               "exported",
                               tlp);
    osafe_err e;
    osafe_store *s;
    if (store_sqlite_open(db, &s, &e) != 0)
        return cli_fail("export", &e);
    struct sink k = {stdout, outpath ? outpath : "standard output", fmt,
                     NULL, 0, 0};
    if (outpath && !(k.out = fopen(outpath, "w"))) {
        s->ops->close(s);
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
    /* The published view of an authenticated (GREEN) or anonymous (CLEAR)
     * reader: the same rule the API applies. */
    store_visibility vis = {0, !strcmp(tlp, "GREEN"), 0, NULL};
    store_filter f;
    memset(&f, 0, sizeof f);
    f.limit = OSAFE_PAGE_MAX;
    char cursor[32] = "";
    while (rc == 0) {
        store_page p;
        f.cursor = cursor;
        if ((rc = s->ops->list(s, &vis, &f, &p, &e)))
            break;
        for (size_t i = 0; rc == 0 && i < p.n; i++) {
            store_version v;
            if ((rc = s->ops->version_get(s, p.ids[i], p.versions[i], &v, &e)))
                break;
            rc = emit(&k, p.ids[i], v.body, v.body_len, &e);
            store_version_release(&v);
        }
        snprintf(cursor, sizeof cursor, "%s", p.next_cursor);
        store_page_release(&p);
        if (!cursor[0])
            break;
    }
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
    s->ops->close(s);
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
