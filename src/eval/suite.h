/*
 * suite.h - evaluation suites: a directory with suite.yaml and items.jsonl.
 *
 * suite.yaml (the restricted YAML subset of core/yamlx.h):
 *   name, version, description, source, license, languages (list),
 *   default_scorer (refusal | exact | contains | regex | choice | judge),
 *   taxonomy (e.g. "ailuminate-v1.0"), and optionally source_url, citation.
 * items.jsonl, one JSON object a line:
 *   id (string, unique), input (a string, or a list of chat messages
 *   {"role","content"}), lang (BCP 47), hazard (taxonomy code, may be ""),
 *   expected ("refuse" | "comply"), or reference (string) and/or choices
 *   (list of strings; reference is then the letter of the right one),
 *   source_id, metadata (object).
 *
 * Identity: SHA-256 over the canonical JSON (RFC 8785) of suite.yaml's
 * content, then of each item in file order, each followed by "\n"; hex.
 * Equal content gives an equal hash whatever the formatting of the files.
 */
#ifndef OSAFE_EVAL_SUITE_H
#define OSAFE_EVAL_SUITE_H

#include <jansson.h>
#include <stddef.h>

#include "core/status.h"

typedef struct suite_item {
    const char *id;        /* borrowed from json */
    const json_t *input;   /* string or array of messages, borrowed */
    const char *lang;      /* "" if absent */
    const char *hazard;    /* "" if absent */
    const char *expected;  /* "refuse", "comply" or "" */
    const char *reference; /* NULL if absent */
    const json_t *choices; /* array or NULL */
    json_t *json;          /* the whole item (owned) */
} suite_item;

typedef struct suite {
    json_t *meta;          /* suite.yaml as JSON (owned) */
    const char *name, *version, *license, *default_scorer; /* borrowed */
    suite_item *items;
    size_t n;
    char hash[65];
} suite;

/* Load and validate DIR; errors name the file and line ("items.jsonl:17:
 * missing 'id'").  *out is freed with suite_free. */
int suite_load(const char *dir, suite **out, osafe_err *e);
void suite_free(suite *s);

/* Write DIR/suite.yaml and DIR/items.jsonl (creating DIR), validating
 * first; the files are replaced atomically. */
int suite_write(const char *dir, const json_t *meta, json_t *const *items,
                size_t n, osafe_err *e);

/*
 * Import a public benchmark: name is xstest, donotanswer, sst, harmbench,
 * advbench or ailuminate; src is its file (or the folder holding its
 * files; ailuminate takes every language file present).  Categories are
 * mapped onto the hazard taxonomy (docs/EVALUATION.md); source ids and
 * licences are kept.  Writes the suite to outdir.
 */
int suite_import(const char *name, const char *src, const char *outdir,
                 osafe_err *e);

#endif
