/*
 * run_util.c - progress display, the manifest, resume bookkeeping.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/fsx.h"
#include "core/limits.h"
#include "eval/run_internal.h"

double run_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

void run_utc(char out[32])
{
    struct timespec t;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &t);
    gmtime_r(&t.tv_sec, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void progress_start(struct progress *p, const char *what, size_t total,
                    int quiet)
{
    size_t errors = p->errors;
    memset(p, 0, sizeof *p);
    p->errors = errors;
    p->what = what;
    p->total = total;
    p->start = p->last = run_now();
    p->tty = isatty(STDERR_FILENO);
    p->quiet = quiet;
}

static void fmt_eta(char *out, size_t n, double s)
{
    if (s < 0 || s > 1e7)
        snprintf(out, n, "--");
    else if (s >= 3600)
        snprintf(out, n, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
    else
        snprintf(out, n, "%dm%02ds", (int)(s / 60), (int)s % 60);
}

void progress_tick(struct progress *p, int final)
{
    if (p->quiet || p->total == 0)
        return;
    double now = run_now();
    /* A bar may redraw often; plain lines (logs, CI) every 10 seconds. */
    if (!final && now - p->last < (p->tty ? 0.2 : 10.0))
        return;
    p->last = now;
    double el = now - p->start;
    double rate = el > 0 ? (double)p->done / el : 0;
    char eta[16];
    fmt_eta(eta, sizeof eta,
            rate > 0 ? (double)(p->total - p->done) / rate : -1);
    if (p->tty) {
        char bar[31];
        size_t fill = p->total ? p->done * 30 / p->total : 30;
        for (size_t i = 0; i < 30; i++)
            bar[i] = i < fill ? '=' : (i == fill ? '>' : ' ');
        bar[30] = '\0';
        fprintf(stderr, "\r%s [%s] %zu/%zu %.1f/s ETA %s errors %zu%s",
                p->what, bar, p->done, p->total, rate, eta, p->errors,
                final ? "\n" : "");
    } else {
        fprintf(stderr, "osafe eval: %s %zu/%zu (%.1f/s, ETA %s, %zu errors, "
                        "%zu cached)\n",
                p->what, p->done, p->total, rate, eta, p->errors, p->cached);
    }
}

/* ---- resume ------------------------------------------------------------- */

static char *done_key(const char *id, unsigned epoch)
{
    size_t n = strlen(id) + 16;
    char *k = malloc(n);
    if (k)
        snprintf(k, n, "%s\x1f%u", id, epoch);
    return k;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int run_load_done(const char *path, struct done_set *d, osafe_err *e)
{
    memset(d, 0, sizeof *d);
    char *text;
    size_t len;
    int rc = fsx_read_file(path, OSAFE_EVAL_SAMPLES_MAX, &text, &len, e);
    if (rc == OSAFE_ENOTFOUND)
        return 0;
    if (rc)
        return rc;
    /* A killed writer may have left half a line: cut it, so the next line
     * starts clean.  Whole lines are never touched. */
    size_t keep = len;
    while (keep > 0 && text[keep - 1] != '\n')
        keep--;
    if (keep != len && truncate(path, (off_t)keep) != 0) {
        free(text);
        return osafe_errno(e, OSAFE_EIO, errno, "%s: cutting a torn line",
                           path);
    }
    /* Last line wins per key: a later error line does not undo an earlier
     * success (nothing finished is repeated), a later success completes an
     * earlier error. */
    size_t lineno = 0;
    for (char *p = text, *end = text + keep; p < end;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        lineno++;
        json_error_t je;
        json_t *s = json_loadb(p, (size_t)(nl - p), 0, &je);
        p = nl + 1;
        if (!s) {
            free(text);
            run_done_free(d);
            return osafe_errf(e, OSAFE_ECORRUPT, "%s:%zu: not JSON: %s", path,
                              lineno, je.text);
        }
        const char *id = json_string_value(json_object_get(s, "item_id"));
        json_int_t ep = json_integer_value(json_object_get(s, "epoch"));
        if (id && json_is_null(json_object_get(s, "error")) &&
            json_is_number(json_object_get(s, "score"))) {
            if (d->n == d->cap) {
                d->cap = d->cap ? d->cap * 2 : 256;
                d->keys = realloc(d->keys, d->cap * sizeof *d->keys);
            }
            if (d->keys)
                d->keys[d->n++] = done_key(id, (unsigned)ep);
        }
        json_decref(s);
    }
    free(text);
    if (d->n)
        qsort(d->keys, d->n, sizeof *d->keys, cmp_str);
    return 0;
}

int run_done_has(const struct done_set *d, const char *id, unsigned epoch)
{
    if (!d->n)
        return 0;
    char *k = done_key(id, epoch);
    int found = k && bsearch(&k, d->keys, d->n, sizeof *d->keys, cmp_str);
    free(k);
    return found;
}

void run_done_free(struct done_set *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->keys[i]);
    free(d->keys);
    memset(d, 0, sizeof *d);
}

/* ---- manifest ----------------------------------------------------------- */

void run_endpoint_public(const char *url, char *out, size_t n)
{
    const char *scheme = strstr(url, "://");
    const char *host = scheme ? scheme + 3 : url;
    const char *at = strchr(host, '@'), *slash = strchr(host, '/');
    if (at && (!slash || at < slash))
        host = at + 1; /* drop user:password@ */
    size_t sl = scheme ? (size_t)(scheme + 3 - url) : 0;
    size_t hl = strcspn(host, "?#");
    snprintf(out, n, "%.*s%.*s", (int)sl, url, (int)hl, host);
}

static json_t *config_of(const run_opts *o, const suite *s, const char *scorer)
{
    char ep[1024];
    run_endpoint_public(o->endpoint, ep, sizeof ep);
    json_t *p = json_pack(
        "{s:s, s:s, s:s, s:i, s:I, s:i, s:i, s:i, s:f, s:i, s:s}", "model",
        o->model, "endpoint", ep, "api", o->completions ? "completions" : "chat",
        "epochs", (int)(o->epochs ? o->epochs : 1), "limit",
        (json_int_t)o->limit, "concurrency", (int)o->concurrency, "timeout_ms",
        (int)o->timeout_ms, "retries", (int)o->retries, "rps", o->rps,
        "max_tokens", (int)o->max_tokens, "scorer", scorer);
    json_object_set_new(p, "temperature", o->temperature >= 0
                                              ? json_real(o->temperature)
                                              : json_null());
    json_object_set_new(p, "seed", o->has_seed ? json_integer(o->seed)
                                               : json_null());
    json_object_set_new(p, "api_key_env",
                        o->api_key_env ? json_string(o->api_key_env)
                                       : json_null());
    if (o->judge_endpoint) {
        char jep[1024];
        run_endpoint_public(o->judge_endpoint, jep, sizeof jep);
        json_object_set_new(p, "judge",
                            json_pack("{s:s, s:s?, s:s?}", "endpoint", jep,
                                      "model", o->judge_model, "rubric",
                                      o->rubric));
    }
    (void)s;
    return p;
}

int run_manifest_begin(const run_opts *o, const suite *s, const char *scorer,
                       json_t **manifest, osafe_err *e)
{
    char path[PATH_MAX], now[32], shard[32];
    snprintf(path, sizeof path, "%s/manifest.json", o->out_dir);
    snprintf(shard, sizeof shard, "%u/%u", o->shard_k, o->shard_n);
    json_t *params = config_of(o, s, scorer);
    json_t *old = NULL;
    if (fsx_exists(path)) {
        if (!o->resume) {
            json_decref(params);
            return osafe_errf(e, OSAFE_EEXIST,
                              "%s already holds a run; continue it with "
                              "--resume or choose another --out",
                              o->out_dir);
        }
        json_error_t je;
        old = json_load_file(path, 0, &je);
        if (!old) {
            json_decref(params);
            return osafe_errf(e, OSAFE_ECORRUPT, "%s: %s", path, je.text);
        }
        /* Resuming means the same experiment: a different suite, model or
         * parameter would mix two runs in one directory. */
        const char *h = json_string_value(
            json_object_get(json_object_get(old, "suite"), "hash"));
        const char *sh = json_string_value(json_object_get(old, "shard"));
        json_t *op = json_object_get(old, "params");
        const char *k;
        json_t *v;
        int same = h && !strcmp(h, s->hash) && sh && !strcmp(sh, shard);
        json_object_foreach(params, k, v) {
            if (same && !json_equal(v, json_object_get(op, k)) &&
                strcmp(k, "concurrency") && strcmp(k, "rps") &&
                strcmp(k, "timeout_ms") && strcmp(k, "retries")) {
                json_decref(old);
                json_decref(params);
                return osafe_errf(e, OSAFE_EINVAL,
                                  "cannot resume %s: parameter '%s' differs "
                                  "from the run's",
                                  o->out_dir, k);
            }
        }
        if (!same) {
            json_decref(old);
            json_decref(params);
            return osafe_errf(e, OSAFE_EINVAL,
                              "cannot resume %s: it ran another suite or "
                              "shard",
                              o->out_dir);
        }
        json_object_set_new(old, "params", params);
        json_object_set_new(old, "finished", json_null());
        *manifest = old;
    } else {
        run_utc(now);
        json_t *sj = json_pack("{s:s?, s:s?, s:s, s:s?, s:s, s:I}", "name",
                                  s->name, "version", s->version, "hash",
                                  s->hash, "license", s->license, "path",
                                  o->suite_dir, "items", (json_int_t)s->n);
        *manifest = json_pack("{s:{s:s, s:s}, s:o, s:o, s:s, s:s, s:n, s:n, "
                              "s:i}",
                              "tool", "name", "osafe", "version",
                              OSAFE_VERSION, "suite", sj, "params", params,
                              "shard", shard, "started", now, "finished",
                              "server_fingerprint", "resumed", 0);
    }
    char *text = json_dumps(*manifest, JSON_INDENT(2) | JSON_SORT_KEYS);
    int rc = text ? fsx_write_atomic(path, text, strlen(text), 0644, 1, e)
                  : osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    free(text);
    return rc;
}

int run_manifest_end(const run_opts *o, json_t *manifest,
                     const char *fingerprint, size_t resumed, osafe_err *e)
{
    char path[PATH_MAX], now[32];
    snprintf(path, sizeof path, "%s/manifest.json", o->out_dir);
    run_utc(now);
    json_object_set_new(manifest, "finished", json_string(now));
    if (fingerprint && fingerprint[0])
        json_object_set_new(manifest, "server_fingerprint",
                            json_string(fingerprint));
    json_int_t prev = json_integer_value(json_object_get(manifest, "resumed"));
    json_object_set_new(manifest, "resumed",
                        json_integer(prev + (json_int_t)resumed));
    char *text = json_dumps(manifest, JSON_INDENT(2) | JSON_SORT_KEYS);
    int rc = text ? fsx_write_atomic(path, text, strlen(text), 0644, 1, e)
                  : osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    free(text);
    return rc;
}
