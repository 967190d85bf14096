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
#include "eval/client.h"
#include "eval/run_internal.h"

double run__now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

void run__utc(char out[32])
{
    struct timespec t;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &t);
    gmtime_r(&t.tv_sec, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void run__progress_start(struct progress *p, const char *what, size_t total,
                    int quiet)
{
    size_t errors = p->errors;
    memset(p, 0, sizeof *p);
    p->errors = errors;
    p->what = what;
    p->total = total;
    p->start = p->last = run__now();
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

void run__progress_tick(struct progress *p, int final)
{
    if (p->quiet || p->total == 0)
        return;
    double now = run__now();
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

/* Finished (item, epoch) pairs are kept as 64-bit FNV-1a hashes of
 * "id\x1f epoch": 8 bytes each, so resuming a million-item run costs 8 MiB.
 * A collision (odds about n^2 / 2^65, 3e-8 for a million) would only skip
 * one sample, which the count in results.json would show. */
static uint64_t done_hash(const char *id, unsigned epoch)
{
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)id; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    h = (h ^ 0x1f) * 1099511628211ULL;
    for (int i = 0; i < 4; i++)
        h = (h ^ ((epoch >> (8 * i)) & 0xff)) * 1099511628211ULL;
    return h;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

int run__load_done(const char *path, struct done_set *d, osafe_err *e)
{
    memset(d, 0, sizeof *d);
    FILE *f = fopen(path, "r+");
    if (!f)
        return errno == ENOENT ? 0
                               : osafe_errno(e, OSAFE_EIO, errno, "%s", path);
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    off_t good = 0; /* end of the last whole line */
    ssize_t n;
    int rc = 0;
    while ((n = getline(&line, &cap, f)) > 0) {
        if (line[n - 1] != '\n')
            break; /* a torn last line: cut below */
        lineno++;
        good += n;
        json_error_t je;
        json_t *s = json_loadb(line, (size_t)n - 1, 0, &je);
        if (!s) {
            rc = osafe_errf(e, OSAFE_ECORRUPT, "%s:%zu: not JSON: %s", path,
                            lineno, je.text);
            break;
        }
        /* A sample is finished when it has a score and no error; the last
         * line of a key wins, and a later error never undoes a success
         * (nothing finished is repeated). */
        const char *id = json_string_value(json_object_get(s, "item_id"));
        json_int_t ep = json_integer_value(json_object_get(s, "epoch"));
        if (id && json_is_null(json_object_get(s, "error")) &&
            json_is_number(json_object_get(s, "score"))) {
            if (d->n == d->cap) {
                size_t nc = d->cap ? d->cap * 2 : 1024;
                uint64_t *k = realloc(d->keys, nc * sizeof *k);
                if (!k) {
                    json_decref(s);
                    rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
                    break;
                }
                d->keys = k;
                d->cap = nc;
            }
            d->keys[d->n++] = done_hash(id, (unsigned)ep);
        }
        json_decref(s);
    }
    free(line);
    if (rc == 0 && ftello(f) != good && ftruncate(fileno(f), good) != 0)
        rc = osafe_errno(e, OSAFE_EIO, errno, "%s: cutting a torn line", path);
    fclose(f);
    if (rc) {
        run__done_free(d);
        return rc;
    }
    if (d->n) {
        qsort(d->keys, d->n, sizeof *d->keys, cmp_u64);
        size_t u = 1; /* drop duplicates: n counts distinct samples */
        for (size_t i = 1; i < d->n; i++)
            if (d->keys[i] != d->keys[u - 1])
                d->keys[u++] = d->keys[i];
        d->n = u;
    }
    return 0;
}

int run__done_has(const struct done_set *d, const char *id, unsigned epoch)
{
    if (!d->n)
        return 0;
    uint64_t k = done_hash(id, epoch);
    return bsearch(&k, d->keys, d->n, sizeof *d->keys, cmp_u64) != NULL;
}

void run__done_free(struct done_set *d)
{
    free(d->keys);
    memset(d, 0, sizeof *d);
}

/* ---- manifest ----------------------------------------------------------- */

void run__endpoint_public(const char *url, char *out, size_t n)
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

/* ---- the probe before a run ---------------------------------------------- */

struct probe {
    long status;
    char error[OSAFE_ERR_MAX];
};

static void probe_done(void *ctx, const client_result *res)
{
    struct probe *p = ctx;
    p->status = res->http_status;
    if (res->error)
        snprintf(p->error, sizeof p->error, "%s", res->error);
}

int run__probe(const run_opts *o, osafe_err *e)
{
    client_opts co = {o->endpoint, o->api_key, 1, 0, o->timeout_ms, 0,
                      o->completions};
    gen_params gp = {o->model, o->temperature, 1, o->seed, o->has_seed};
    struct probe p = {0, ""};
    client *c = NULL;
    json_t *in = json_string(OSAFE_EVAL_PROBE_PROMPT), *body = NULL;
    int rc = in ? 0 : osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    if (rc == 0 && !(body = client_body(&gp, in, o->completions, e)))
        rc = e->code ? e->code : OSAFE_ENOMEM;
    if (rc == 0)
        rc = o->engine ? client_new_local(o->engine, o->completions, &c, e)
                       : client_new(&co, &c, e);
    if (rc == 0)
        rc = client_submit(c, body, &p, e);
    if (rc == 0)
        rc = client_run(c, probe_done, &p, e);
    client_free(c);
    json_decref(body);
    json_decref(in);
    if (rc || !p.error[0])
        return rc;
    /* Transient answers are left to the run's retries; no answer at all,
     * a wrong path or an unknown model (404), or a refused key cannot get
     * better by retrying every item. */
    long st = p.status;
    if (st != 0 && st != 401 && st != 403 && st != 404)
        return 0;
    char ep[1024];
    run__endpoint_public(o->endpoint, ep, sizeof ep);
    return osafe_errf(e, OSAFE_EIO,
                      "the endpoint %s with model '%s' cannot be used: %s; "
                      "check %s (nothing was sent to it for the suite)",
                      ep, o->model, p.error,
                      st == 0     ? "--endpoint (is the server running?)"
                      : st == 404 ? "--model and --endpoint"
                                  : "--api-key-env");
}

static json_t *config_of(const run_opts *o, const suite *s, const char *scorer)
{
    char ep[1024];
    run__endpoint_public(o->endpoint, ep, sizeof ep);
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
    if (!strcmp(scorer, "refusal"))
        json_object_set_new(p, "review_below", json_real(o->review_below));
    if (o->engine)
        json_object_set_new(p, "model_file", run__local_config(o));
    json_object_set_new(p, "api_key_env",
                        o->api_key_env ? json_string(o->api_key_env)
                                       : json_null());
    if (!strcmp(scorer, "likelihood"))
        json_object_set_new(p, "logprob_norm",
                            json_string(o->logprob_norm ? o->logprob_norm
                                                        : "sum"));
    if (o->judge_engine) {
        json_object_set_new(p, "judge",
                            json_pack("{s:o, s:s?, s:s?}", "model_file",
                                      run__judge_config(o), "model",
                                      o->judge_model, "rubric", o->rubric));
    } else if (o->judge_endpoint) {
        char jep[1024];
        run__endpoint_public(o->judge_endpoint, jep, sizeof jep);
        json_object_set_new(p, "judge",
                            json_pack("{s:s, s:s?, s:s?}", "endpoint", jep,
                                      "model", o->judge_model, "rubric",
                                      o->rubric));
    }
    (void)s;
    return p;
}

int run__manifest_begin(const run_opts *o, const suite *s, const char *scorer,
                       json_t **manifest, osafe_err *e)
{
    char path[OSAFE_PATH_MAX], now[32], shard[32];
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
                /* k belongs to params: format before freeing it. */
                int rc = osafe_errf(e, OSAFE_EINVAL,
                                    "cannot resume %s: parameter '%s' "
                                    "differs from the run's",
                                    o->out_dir, k);
                json_decref(old);
                json_decref(params);
                return rc;
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
        run__utc(now);
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

int run__manifest_end(const run_opts *o, json_t *manifest,
                     const char *fingerprint, size_t resumed, osafe_err *e)
{
    char path[OSAFE_PATH_MAX], now[32];
    snprintf(path, sizeof path, "%s/manifest.json", o->out_dir);
    run__utc(now);
    json_object_set_new(manifest, "finished", json_string(now));
    if (fingerprint && fingerprint[0])
        json_object_set_new(manifest, "server_fingerprint",
                            json_string(fingerprint));
    /* Samples this invocation found finished and kept (0 for a fresh run). */
    json_object_set_new(manifest, "resumed", json_integer((json_int_t)resumed));
    char *text = json_dumps(manifest, JSON_INDENT(2) | JSON_SORT_KEYS);
    int rc = text ? fsx_write_atomic(path, text, strlen(text), 0644, 1, e)
                  : osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    free(text);
    return rc;
}
