/*
 * run.h - evaluation runs: `osafe eval run | merge | report | compare`.
 *
 * A run directory holds
 *   manifest.json  what was run: tool version, suite name and hash, model,
 *                  endpoint (without credentials), every generation
 *                  parameter, seed, shard, start and end times, the
 *                  server's model fingerprint;
 *   samples.jsonl  one line per (item, epoch) as results arrive: item_id,
 *                  epoch, request, response, finish_reason, latency_ms,
 *                  prompt_tokens, completion_tokens, score, label,
 *                  confidence, error, attempts, cached.  Appended whole
 *                  lines only; when a key repeats (a retried error), the
 *                  last line wins;
 *   results.json   the statistics (stats.h), recomputed from the samples.
 * A killed run continues with resume: finished samples are kept, a torn
 * last line is cut, errors are retried, nothing finished is repeated.
 */
#ifndef OSAFE_EVAL_RUN_H
#define OSAFE_EVAL_RUN_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "core/status.h"

typedef struct run_opts {
    const char *suite_dir;
    const char *endpoint;
    const char *model;
    const char *api_key;      /* secret: never written anywhere */
    const char *api_key_env;  /* the variable's name, recorded */
    const char *out_dir;
    unsigned concurrency;
    double rps;
    unsigned timeout_ms;
    unsigned retries;
    double temperature;       /* < 0: not sent */
    long max_tokens;          /* <= 0: not sent */
    int64_t seed;
    int has_seed;
    unsigned epochs;
    size_t limit;             /* 0: all */
    unsigned shard_k, shard_n; /* 1-based; 1/1: everything */
    int resume;
    int no_cache;
    int completions;
    const char *scorer;       /* NULL: the suite's default */
    const char *judge_endpoint, *judge_model, *judge_api_key, *rubric;
    int quiet;
} run_opts;

int eval_run(const run_opts *o, osafe_err *e);

/* Join shard runs of one suite and configuration into out. */
int eval_merge(char *const *dirs, size_t n, const char *out, osafe_err *e);

/* Recompute RUNDIR/results.json from its samples; *results is a new
 * reference when non-NULL. */
int eval_results(const char *rundir, json_t **results, osafe_err *e);

/* Human-readable report of a results document. */
void eval_report_text(const json_t *results, FILE *out);

/* Paired comparison of two runs over the items both ran; refuses runs of
 * different suites (hash). */
int eval_compare(const char *a, const char *b, json_t **out, osafe_err *e);
void eval_compare_text(const json_t *cmp, FILE *out);

#endif
