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

#include "core/buf.h"
#include "core/status.h"
#include "svg/svg.h"

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
    double review_below;      /* refusal confidence below: needs_review */
    /* In-process model instead of an endpoint (issue 14, infer/): */
    const char *model_file;   /* GGUF file; NULL: use endpoint */
    unsigned threads;         /* 0: 1 */
    unsigned n_ctx;           /* 0: the default context */
    const char *chat_template; /* NULL: detected from the file */
    struct infer_engine *engine; /* set by eval_run while it runs */
    /* The judge in-process (--judge-model-file) instead of an endpoint:
     * the same request bodies (score_judge_body), greedy. */
    const char *judge_model_file;
    const char *judge_chat_template; /* NULL: detected from the file */
    struct infer_engine *judge_engine; /* set by eval_run while it runs */
    /* The likelihood scorer: how choices are compared, "sum" (NULL), "token"
     * (per token) or "byte" (per byte of the choice's text). */
    const char *logprob_norm;
} run_opts;

/* Every option at its default, the one place the defaults are set
 * (core/limits.h: OSAFE_EVAL_CONCURRENCY_DEFAULT, _TIMEOUT_DEFAULT_MS,
 * _RETRIES_DEFAULT; one epoch, shard 1/1, temperature and max_tokens not
 * sent, the suite's scorer); the strings stay NULL for the caller. */
void run_opts_init(run_opts *o);

/* Before its first request a run sends this prompt once (a one-token
 * answer, no retry, never scored, cached or written): a dead port, a wrong
 * path, an unknown model or a refused key ends the run at once with an
 * error naming the URL and the model.  Transient answers (408, 429, 5xx)
 * are left to the run's retries.  A run served wholly from the cache sends
 * nothing, the probe included. */
#define OSAFE_EVAL_PROBE_PROMPT "Reply with the word OK."

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

/*
 * The groups of a results document (by_hazard or by_language, `section`)
 * as chart rows (svg.h), one place for the report and the web pages.
 * rb NULL: a[] only.  rb given: the union of both documents' groups (a's
 * order, then b's new ones), a[i] and b[i] the same group, NaN where a run
 * has no rate.  Each bar: label = the group name, value/lo/hi = rate/lo/hi,
 * note = n_prefix (NULL: "n = ") and the sample count.
 * Ownership: the arrays and notes belong to the set (eval_bar_set_free);
 * labels point into ra/rb, which must outlive the set.
 */
typedef struct eval_bar_set {
    svg_bar *a, *b;
    size_t n;
    char *notes; /* one block holding every note */
} eval_bar_set;
int eval_bar_set_make(const json_t *ra, const json_t *rb, const char *section,
                      const char *n_prefix, eval_bar_set *out, osafe_err *e);
void eval_bar_set_free(eval_bar_set *s);

/*
 * `osafe eval report RUNDIR --html FILE [--against RUNDIR]`: one
 * self-contained XHTML-compatible file (inline CSS, SVG and one script
 * allowed by a Content-Security-Policy hash, no external request): the
 * manifest, the overall result with its interval, per-hazard and
 * per-language charts and tables, the lowest-scored samples (texts
 * escaped, truncated, behind a content warning), a browser of every
 * sample (report_int.h), the errors, and
 * with `against` a paired comparison (eval_compare; against is A, rundir
 * is B).  Recomputes results.json of both runs like eval_report does.
 * eval_report_html appends to out; eval_report_html_file writes FILE
 * atomically.
 */
int eval_report_html(const char *rundir, const char *against, osafe_buf *out,
                     osafe_err *e);
int eval_report_html_file(const char *rundir, const char *against,
                          const char *file, osafe_err *e);

#endif
