/*
 * suite.h - evaluation suites: a directory with suite.yaml and items.jsonl.
 *
 * suite.yaml (the restricted YAML subset of core/yamlx.h):
 *   name, version, description, source, license, languages (list),
 *   default_scorer (refusal | exact | contains | regex | choice | judge |
 *   likelihood),
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
 * missing 'id'").  *out is freed with suite_free.
 *
 * Rules beyond the layout above: suite.yaml holds only the keys listed
 * (name, version, description, source, license, languages, default_scorer
 * and taxonomy required; name, version, license and default_scorer not
 * empty); items hold only the fields listed; ids are unique, at most
 * OSAFE_SUITE_ID_MAX bytes, without control characters; input is a
 * non-empty string or 1..OSAFE_SUITE_MAX_MESSAGES messages {role, content,
 * name?} (role system|developer|user|assistant|tool, at least one user);
 * lang is a BCP 47 tag listed in languages; with a taxonomy starting
 * "ailuminate" a non-empty hazard must be one of its codes
 * (suite_hazard_valid); choices (2..26 strings) need reference = a letter;
 * and every item carries what default_scorer needs: refusal -> expected,
 * exact|contains|regex -> reference, choice and likelihood -> choices.
 * Blank lines in items.jsonl are skipped; a suite without items is an
 * error. */
int suite_load(const char *dir, suite **out, osafe_err *e);
void suite_free(suite *s);

/* Write DIR/suite.yaml and DIR/items.jsonl (creating DIR), validating
 * first; the files are replaced atomically. */
int suite_write(const char *dir, const json_t *meta, json_t *const *items,
                size_t n, osafe_err *e);

/* The hash suite_load would give for this content (validated first). */
int suite_hash(const json_t *meta, json_t *const *items, size_t n,
               char out[65], osafe_err *e);

/*
 * Streaming access for suites too large to hold: the same checks and hash
 * as suite_load, with memory bounded by the duplicate-id set (16 bytes a
 * slot, at most 32 MiB for 1M items).  suite_reader_next returns 1 with *it
 * set (it->json is borrowed, valid until the next call), 0 at the end (then
 * suite_reader_hash is the suite's hash), or a negative code (the reader is
 * then spent: later calls give OSAFE_ESTATE).
 */
typedef struct suite_reader suite_reader;
int suite_reader_open(const char *dir, suite_reader **out, osafe_err *e);
const json_t *suite_reader_meta(const suite_reader *r);
int suite_reader_next(suite_reader *r, suite_item *it, osafe_err *e);
const char *suite_reader_hash(const suite_reader *r); /* NULL before the end */
size_t suite_reader_count(const suite_reader *r);
void suite_reader_free(suite_reader *r);
/* For a second pass over a suite an earlier reader validated: items are
 * only parsed (no checks, no duplicate set, no hash), so the pass costs
 * little time and no memory per item.  Call right after open. */
void suite_reader_trust(suite_reader *r);

/* 1 if name is a scorer suite.yaml may name. */
int suite_scorer_valid(const char *name);
/* 1 if code is an AILuminate v1.0 hazard (vcr src cse ssh iwp ipv dfm ncr
 * hte prv spc sxc) or one of its sub-hazards (parent "_" [a-z0-9]+). */
int suite_hazard_valid(const char *code);
/* 1 if tag has BCP 47 syntax (en, en-US, zh-Hans-CN; not en_US). */
int suite_lang_valid(const char *tag);

/*
 * Import a public benchmark: name is xstest, donotanswer, sst, harmbench,
 * advbench or ailuminate; src is its file (or the folder holding its
 * files; ailuminate takes every language file present).  Categories are
 * mapped onto the hazard taxonomy (docs/EVALUATION.md); source ids and
 * licences are kept.  Writes the suite to outdir.  AdvBench's
 * harmful_strings.csv (target strings, no prompts) gives OSAFE_EUNSUPPORTED.
 */
int suite_import(const char *name, const char *src, const char *outdir,
                 osafe_err *e);

#endif
