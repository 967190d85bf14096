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
void progress_start(struct progress *p, const char *what, size_t total,
                    int quiet);
void progress_tick(struct progress *p, int final);

/* The (item_id, epoch) pairs already finished without error. */
struct done_set {
    uint64_t *keys; /* sorted hashes, see run_util.c */
    size_t n, cap;
};
/* Read path (if it exists): cut a torn last line, collect finished keys. */
int run_load_done(const char *path, struct done_set *d, osafe_err *e);
int run_done_has(const struct done_set *d, const char *id, unsigned epoch);
void run_done_free(struct done_set *d);

/* Write manifest.json at the start (refusing to overwrite a run unless
 * resuming the same configuration), and complete it at the end. */
int run_manifest_begin(const run_opts *o, const suite *s, const char *scorer,
                       json_t **manifest, osafe_err *e);
int run_manifest_end(const run_opts *o, json_t *manifest,
                     const char *fingerprint, size_t resumed, osafe_err *e);

/* The endpoint as recorded: without user:password or query string. */
void run_endpoint_public(const char *url, char *out, size_t n);

/* Load RUNDIR/manifest.json and the last sample of every (item, epoch). */
int run_load(const char *dir, json_t **manifest, json_t **samples,
             osafe_err *e);

double run_now(void);
void run_utc(char out[32]);

#endif
