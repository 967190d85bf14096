/*
 * suite_import.h - shared helpers of the benchmark importers
 * (suite_import*.c; internal to src/eval, not an API).
 *
 * Each importer reads the upstream CSV as published (RFC 4180, core/csv),
 * finds its columns by header name, maps the source's categories onto the
 * AILuminate v1.0 hazard codes of shared/design/risk-taxonomy.md (tables in
 * each importer; docs/EVALUATION.md explains each choice), keeps the
 * source's own ids and labels in source_id / metadata, and hands the items
 * to suite_write, which validates them.  Output depends only on the input
 * bytes: rows keep file order, files of a folder are taken in name order,
 * and suite.yaml's `source` names every file read with its SHA-256.
 *
 * The prompt text is never part of an error message.
 */
#ifndef OSAFE_EVAL_SUITE_IMPORT_H
#define OSAFE_EVAL_SUITE_IMPORT_H

#include <jansson.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/csv.h"
#include "core/status.h"

#define SI_TAXONOMY "ailuminate-v1.0"

/* Items collected by one import, and suite.yaml's `source`. */
typedef struct si_imp {
    json_t **items;
    size_t n, cap;
    json_t *langs;    /* array of distinct tags, first-seen order */
    osafe_buf source; /* "repo: file sha256:..; file sha256:.." */
} si_imp;

void si_init(si_imp *im, const char *repo);
void si_free(si_imp *im);
/* Take item (a new reference, may be NULL from a failed json_pack). */
int si_push(si_imp *im, json_t *item, osafe_err *e);
/* Build suite.yaml's content (default_scorer refusal, languages from the
 * items) and write the suite with suite_write. */
int si_finish(si_imp *im, const char *outdir, const char *name,
              const char *version, const char *desc, const char *url,
              const char *license, const char *citation, osafe_err *e);

int si_is_dir(const char *p);
const char *si_base_name(const char *p);
int si_ends_with(const char *s, const char *suf);
/* Names in dir accepted by match, sorted; free with si_free_names. */
int si_list_dir(const char *dir, int (*match)(const char *), char ***names,
                size_t *n, osafe_err *e);
void si_free_names(char **names, size_t n);

/* A CSV file opened with its header row read. */
typedef struct si_csv {
    char *text;
    size_t len;
    csv_reader *r;
    char *name; /* base name, for messages (owned) */
    char **hdr;
    size_t nh;
    size_t line; /* line of the current row */
} si_csv;

/* Read path whole, note it with its SHA-256 in im->source (im may be
 * NULL), and read the header row. */
int si_csv_open(const char *path, si_imp *im, si_csv *cf, osafe_err *e);
/* The usual start of a CSV importer: src is the file, or a folder holding
 * default_name; initialises im for repo and opens the CSV. */
int si_csv_start(const char *src, const char *default_name, const char *repo,
                 si_imp *im, si_csv *cf, osafe_err *e);
void si_csv_close(si_csv *cf);
/* Index of the first of names (NULL-terminated) in the header, or -1. */
int si_csv_col(const si_csv *cf, const char *const *names);
/* Like si_csv_col for one name that must be there ("file:1: no column"). */
int si_csv_need(const si_csv *cf, const char *name, int *idx, osafe_err *e);
/* Next data row: 1 (fields in *f), 0 at the end, < 0 on error; a row
 * whose field count differs from the header's is an error. */
int si_csv_next(si_csv *cf, char ***f, osafe_err *e);
/* Field i of a row, or "" when the column is absent (i < 0). */
const char *si_fld(char **f, int i);
/* "file:line: what" as an EINVAL error. */
int si_row_fail(const si_csv *cf, const char *what, osafe_err *e);
/* 1 if s holds nothing but white space. */
int si_blank(const char *s);
/* An item with the common fields; metadata (a new reference) is stolen. */
json_t *si_item(const char *id, const char *input, const char *lang,
                const char *hazard, const char *expected, const char *source_id,
                json_t *metadata);

int si_import_xstest(const char *src, const char *outdir, osafe_err *e);
int si_import_sst(const char *src, const char *outdir, osafe_err *e);
int si_import_harmbench(const char *src, const char *outdir, osafe_err *e);
int si_import_advbench(const char *src, const char *outdir, osafe_err *e);
int si_import_ailuminate(const char *src, const char *outdir, osafe_err *e);
int si_import_donotanswer(const char *src, const char *outdir, osafe_err *e);

#endif
