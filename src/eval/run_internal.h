/*
 * run_internal.h - shared by run.c, run_util.c and results.c.
 */
#ifndef OSAFE_EVAL_RUN_INTERNAL_H
#define OSAFE_EVAL_RUN_INTERNAL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "eval/run.h"
#include "eval/suite.h"

/* Progress: a bar on a terminal, a line every few seconds otherwise. */
struct progress {
    const char *what;
    size_t total, done, errors, cached;
    double start, last;
    int tty, quiet;
};
void run__progress_start(struct progress *p, const char *what, size_t total,
                    int quiet);
void run__progress_tick(struct progress *p, int final);

/* The (item_id, epoch) pairs already finished without error. */
struct done_set {
    uint64_t *keys; /* sorted hashes, see run_util.c */
    size_t n, cap;
};
/* Read path (if it exists): cut a torn last line, collect finished keys. */
int run__load_done(const char *path, struct done_set *d, osafe_err *e);
int run__done_has(const struct done_set *d, const char *id, unsigned epoch);
void run__done_free(struct done_set *d);

/* Write manifest.json at the start (refusing to overwrite a run unless
 * resuming the same configuration), and complete it at the end. */
int run__manifest_begin(const run_opts *o, const suite *s, const char *scorer,
                       json_t **manifest, osafe_err *e);
int run__manifest_end(const run_opts *o, json_t *manifest,
                     const char *fingerprint, size_t resumed, osafe_err *e);

/* The endpoint as recorded: without user:password or query string. */
void run__endpoint_public(const char *url, char *out, size_t n);

/* One short request (a one-token answer to a fixed prompt, no retry)
 * before a run sends anything else, so that a dead port, a wrong path or
 * an unknown model fails at once, naming the URL and the model, instead
 * of after every item's retries.  0 when the endpoint answered (or failed
 * in a way the run's own retries may get past: 408, 429, 5xx). */
int run__probe(const run_opts *o, osafe_err *e);

/* --model-file (run_local.c): open the model of o into *engine (the
 * caller closes it) and fill *local with a copy of o that names it: its
 * endpoint "gguf:sha256:HEX" (written into ep), its model name (the
 * option, else the file's name) and the chat template used. */
struct infer_engine;
int run__local_open(const run_opts *o, run_opts *local,
                    struct infer_engine **engine, char *ep, size_t n,
                    osafe_err *e);
/* The manifest's record of the model file (a new object). */
json_t *run__local_config(const run_opts *o);
/* --judge-model-file (run_local.c): open the judge's model into *engine
 * (the caller closes it) and fill o->judge_engine, o->judge_model (the
 * file's name unless given) and o->judge_chat_template (the one used). */
int run__judge_open(run_opts *o, struct infer_engine **engine, osafe_err *e);
/* The manifest's record of the judge's model file (a new object). */
json_t *run__judge_config(const run_opts *o);

/* Load RUNDIR/manifest.json. */
int run__manifest(const char *dir, json_t **manifest, osafe_err *e);

/* A sample reduced for aggregation (results.c). */
struct slot {          /* 24 bytes */
    uint64_t item;     /* hash of item_id */
    uint32_t line;     /* line number; after dedup: the cluster (item) index */
    float score;
    uint16_t epoch;
    uint16_t hazard : 12, ok : 1, refusal : 2, /* refusal: 1 refuse, 2 comply */
        review : 1;                            /* needs_review */
    uint16_t lang : 12, unsafe2 : 2;           /* 0, 1 (partial: half) or 2 */
    uint16_t reason : 12, over2 : 2;           /* error reason when !ok */
};

/* Small tables of names (hazards, languages, error reasons): 12-bit ids.
 * A row holds a whole error message (an osafe_err's), so the reasons in
 * results.json and the report are never cut short; rows are allocated on
 * first use and untouched pages cost nothing. */
#define MAX_NAMES 4096
struct names {
    char (*v)[OSAFE_ERR_MAX + 32];
    size_t n;
};
uint16_t run__name_id(struct names *t, const char *s);

/*
 * Read RUNDIR/samples.jsonl into slots: the last line of each (item, epoch)
 * kept, sorted by item then epoch, each slot's line replaced by its dense
 * item number.  *out is malloc'd; the name tables are filled (free their
 * v).  Memory: 24 bytes a sample.
 */
int run__load_slots(const char *rundir, struct slot **out, size_t *count,
                   struct names *hz, struct names *lg, struct names *why,
                   osafe_err *e);

double run__now(void);
void run__utc(char out[32]);

/* The paired per-hazard and per-language tables of an eval_compare
 * document (compared as (other, this)) into o, as HTML
 * (report_paired.c). */
int run__report_paired_html(osafe_buf *o, const json_t *cmp);

#endif
