/*
 * run.c - `osafe eval run`: items to requests, answers to scored samples,
 * written as they arrive (see run.h for the run directory).
 */
#include "eval/run.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/fsx.h"
#include "core/limits.h"
#include "eval/cache.h"
#include "eval/client.h"
#include "eval/run_internal.h"
#include "eval/score.h"
#include "eval/suite.h"

/* One (item, epoch) to produce. */
struct work {
    const suite_item *item;
    unsigned epoch;
    json_t *body;        /* the request */
    char key[65];        /* cache key */
    char *text;          /* answer, once known */
    json_t *sample;      /* the sample as written (phase 1) */
};

struct run {
    const run_opts *o;
    suite *s;
    score_kind kind;
    int fd;              /* samples.jsonl, O_APPEND */
    char cache[PATH_MAX];
    int use_cache;
    struct progress prog;
    char fingerprint[128];
    unsigned lines_since_sync;
    osafe_err *e;
    int failed;          /* a write failed: stop */
};

/* Write one sample line with a single write(): a killed run leaves whole
 * lines, or a torn last line that resume cuts off. */
static int write_sample(struct run *r, const json_t *sample)
{
    char *line = json_dumps(sample, JSON_COMPACT);
    if (!line)
        return osafe_errf(r->e, OSAFE_ENOMEM, "out of memory");
    size_t n = strlen(line);
    line[n] = '\n';
    ssize_t w;
    do
        w = write(r->fd, line, n + 1);
    while (w < 0 && errno == EINTR);
    free(line);
    if (w != (ssize_t)(n + 1))
        return osafe_errno(r->e, OSAFE_EIO, errno, "writing samples.jsonl");
    if (++r->lines_since_sync >= OSAFE_EVAL_SYNC_EVERY) {
        fdatasync(r->fd);
        r->lines_since_sync = 0;
    }
    return 0;
}

static json_t *new_sample(const struct work *w)
{
    const suite_item *it = w->item;
    json_t *s = json_pack("{s:s, s:i, s:O, s:s, s:s, s:s}", "item_id", it->id,
                          "epoch", (int)w->epoch, "request", w->body, "lang",
                          it->lang, "hazard", it->hazard, "expected",
                          it->expected);
    return s;
}

static void set_score(json_t *s, const score_result *sr)
{
    if (sr->error[0]) {
        json_object_set_new(s, "score", json_null());
        json_object_set_new(s, "label", json_null());
        json_object_set_new(s, "confidence", json_null());
        json_object_set_new(s, "error", json_string(sr->error));
    } else {
        json_object_set_new(s, "score", json_real(sr->score));
        json_object_set_new(s, "label", json_string(sr->label));
        json_object_set_new(s, "confidence", json_real(sr->confidence));
        json_object_set_new(s, "error", json_null());
    }
}

/* Fill the answer fields of a sample from a cached or fresh answer. */
static void set_answer(json_t *s, const json_t *ans, double latency,
                       unsigned attempts, int cached)
{
    static const char *const keys[] = {"response", "finish_reason",
                                       "prompt_tokens", "completion_tokens"};
    for (int i = 0; i < 4; i++) {
        json_t *v = json_object_get(ans, keys[i]);
        json_object_set(s, keys[i], v ? v : json_null());
    }
    json_object_set_new(s, "latency_ms", json_real(latency));
    json_object_set_new(s, "attempts", json_integer(attempts));
    json_object_set_new(s, "cached", json_boolean(cached));
}

/* Score an answered sample (not for the judge, which needs a request). */
static int score_sample(struct run *r, struct work *w, json_t *s)
{
    score_result sr;
    osafe_err se;
    memset(&sr, 0, sizeof sr);
    const char *text = json_string_value(json_object_get(s, "response"));
    if (r->kind == SCORE_JUDGE)
        return 0; /* phase 2 */
    if (!text) {
        snprintf(sr.error, sizeof sr.error, "no answer text");
    } else if (score_item(r->kind, w->item->json, text, &sr, &se) != 0) {
        snprintf(sr.error, sizeof sr.error, "scoring: %s", se.msg);
    }
    set_score(s, &sr);
    return 0;
}

static void on_answer(void *ctx, const client_result *res)
{
    struct run *r = ctx;
    struct work *w = res->user;
    if (r->failed)
        return;
    json_t *s = new_sample(w);
    if (!res->error) {
        json_t *ans = json_pack("{s:s?, s:s?, s:I, s:I}", "response",
                                res->text, "finish_reason",
                                res->finish_reason, "prompt_tokens",
                                (json_int_t)res->prompt_tokens,
                                "completion_tokens",
                                (json_int_t)res->completion_tokens);
        if (res->prompt_tokens < 0)
            json_object_set_new(ans, "prompt_tokens", json_null());
        if (res->completion_tokens < 0)
            json_object_set_new(ans, "completion_tokens", json_null());
        if (res->fingerprint && !r->fingerprint[0])
            snprintf(r->fingerprint, sizeof r->fingerprint, "%s",
                     res->fingerprint);
        set_answer(s, ans, res->latency_ms, res->attempts, 0);
        if (r->use_cache && res->text) {
            osafe_err ce;
            cache_put(r->cache, w->key, ans, &ce); /* a cache miss later is
                                                      harmless */
        }
        json_decref(ans);
        score_sample(r, w, s);
    } else {
        json_t *none = json_object();
        set_answer(s, none, res->latency_ms, res->attempts, 0);
        json_decref(none);
        json_object_set_new(s, "score", json_null());
        json_object_set_new(s, "label", json_null());
        json_object_set_new(s, "confidence", json_null());
        json_object_set_new(s, "error", json_string(res->error));
        r->prog.errors++;
    }
    if (write_sample(r, s) != 0)
        r->failed = 1;
    w->sample = s;
    r->prog.done++;
    progress_tick(&r->prog, 0);
}

/* ---- judge (phase 2) ---------------------------------------------------- */

static void on_verdict(void *ctx, const client_result *res)
{
    struct run *r = ctx;
    struct work *w = res->user;
    if (r->failed)
        return;
    score_result sr;
    memset(&sr, 0, sizeof sr);
    if (res->error)
        snprintf(sr.error, sizeof sr.error, "judge: %s", res->error);
    else
        score_judge_parse(res->text ? res->text : "", &sr);
    if (sr.error[0])
        r->prog.errors++;
    json_t *s = json_deep_copy(w->sample);
    set_score(s, &sr);
    json_object_set_new(s, "judge", json_pack("{s:s?}", "verdict", res->text));
    if (write_sample(r, s) != 0)
        r->failed = 1;
    json_decref(s);
    r->prog.done++;
    progress_tick(&r->prog, 0);
}

static int run_judge(struct run *r, struct work *ws, size_t nw, osafe_err *e)
{
    const run_opts *o = r->o;
    if (!o->judge_endpoint || !o->judge_model)
        return osafe_errf(e, OSAFE_EINVAL,
                          "the judge scorer needs --judge-endpoint and "
                          "--judge-model");
    client_opts co = {o->judge_endpoint, o->judge_api_key, o->concurrency,
                      o->rps, o->timeout_ms, o->retries, 0};
    client *c;
    int rc = client_new(&co, &c, e);
    if (rc)
        return rc;
    size_t todo = 0;
    for (size_t i = 0; rc == 0 && i < nw; i++) {
        json_t *s = ws[i].sample;
        const char *text = s ? json_string_value(json_object_get(s, "response"))
                             : NULL;
        if (!text || !json_is_null(json_object_get(s, "error")))
            continue;
        json_t *body = score_judge_body(o->judge_model,
                                        o->rubric ? o->rubric : "",
                                        ws[i].item->json, text);
        if (!body)
            rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
        else
            rc = client_submit(c, body, &ws[i], e);
        json_decref(body);
        todo++;
    }
    progress_start(&r->prog, "judging", todo, o->quiet);
    if (rc == 0)
        rc = client_run(c, on_verdict, r, e);
    progress_tick(&r->prog, 1);
    client_free(c);
    return rc;
}

/* ---- the run ------------------------------------------------------------ */

int eval_run(const run_opts *o, osafe_err *e)
{
    if (o->shard_n == 0 || o->shard_k < 1 || o->shard_k > o->shard_n)
        return osafe_errf(e, OSAFE_EINVAL, "--shard must be k/n with 1 <= k "
                                           "<= n");
    struct run r;
    memset(&r, 0, sizeof r);
    r.o = o;
    r.e = e;
    r.fd = -1;
    int rc = suite_load(o->suite_dir, &r.s, e);
    if (rc)
        return rc;
    const char *scorer = o->scorer ? o->scorer : r.s->default_scorer;
    if (!scorer || score_kind_parse(scorer, &r.kind) != 0) {
        rc = osafe_errf(e, OSAFE_EINVAL, "unknown scorer '%s'",
                        scorer ? scorer : "(none)");
        goto out;
    }
    if ((rc = fsx_mkdirs(o->out_dir, e)))
        goto out;
    json_t *manifest = NULL;
    if ((rc = run_manifest_begin(o, r.s, scorer, &manifest, e)))
        goto out;

    /* What is finished already (resume), and the torn tail cut off. */
    struct done_set done;
    memset(&done, 0, sizeof done);
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/samples.jsonl", o->out_dir);
    if ((rc = run_load_done(path, &done, e))) {
        json_decref(manifest);
        goto out;
    }
    r.fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (r.fd < 0) {
        rc = osafe_errno(e, OSAFE_EIO, errno, "%s", path);
        run_done_free(&done);
        json_decref(manifest);
        goto out;
    }
    r.use_cache = !o->no_cache && cache_dir_default(r.cache, sizeof r.cache) == 0;

    /* The slice of this shard: items in file order, the first --limit of
     * them, every n-th starting at k.  Deterministic, so n machines that
     * run k = 1..n cover the suite exactly once. */
    size_t nitems = r.s->n;
    if (o->limit && o->limit < nitems)
        nitems = o->limit;
    unsigned epochs = o->epochs ? o->epochs : 1;
    struct work *ws = calloc(nitems * epochs + 1, sizeof *ws);
    size_t nw = 0, skipped = 0;
    gen_params gp = {o->model, o->temperature, o->max_tokens, o->seed,
                     o->has_seed};
    client_opts co = {o->endpoint, o->api_key, o->concurrency, o->rps,
                      o->timeout_ms, o->retries, o->completions};
    client *c = NULL;
    if (!ws)
        rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    if (!rc)
        rc = client_new(&co, &c, e);
    for (size_t i = 0; rc == 0 && i < nitems; i++) {
        if (i % o->shard_n != o->shard_k - 1)
            continue;
        for (unsigned ep = 1; rc == 0 && ep <= epochs; ep++) {
            if (run_done_has(&done, r.s->items[i].id, ep)) {
                skipped++;
                continue;
            }
            struct work *w = &ws[nw++];
            w->item = &r.s->items[i];
            w->epoch = ep;
            w->body = client_body(&gp, w->item->input, o->completions, e);
            if (!w->body) {
                rc = e->code ? e->code : OSAFE_EINVAL;
                break;
            }
            cache_key(o->endpoint, w->body, ep, w->key);
        }
    }
    run_done_free(&done);
    progress_start(&r.prog, "generating", nw, o->quiet);
    size_t submitted = 0;
    for (size_t i = 0; rc == 0 && i < nw; i++) {
        json_t *ans = NULL;
        osafe_err ce;
        if (r.use_cache && cache_get(r.cache, ws[i].key, &ans, &ce) == 0) {
            /* An identical request answered before, by any run: no request. */
            json_t *s = new_sample(&ws[i]);
            set_answer(s, ans, 0, 0, 1);
            json_decref(ans);
            score_sample(&r, &ws[i], s);
            if ((rc = write_sample(&r, s)) == 0) {
                ws[i].sample = s;
                r.prog.done++;
                r.prog.cached++;
            } else {
                json_decref(s);
            }
            continue;
        }
        rc = client_submit(c, ws[i].body, &ws[i], e);
        submitted++;
    }
    if (rc == 0 && submitted)
        rc = client_run(c, on_answer, &r, e);
    progress_tick(&r.prog, 1);
    if (rc == 0 && r.failed)
        rc = e->code ? e->code : OSAFE_EIO;
    if (rc == 0 && r.kind == SCORE_JUDGE)
        rc = run_judge(&r, ws, nw, e);
    client_free(c);
    if (r.fd >= 0) {
        if (fdatasync(r.fd) != 0 && rc == 0)
            rc = osafe_errno(e, OSAFE_EIO, errno, "%s", path);
        close(r.fd);
        r.fd = -1;
    }
    for (size_t i = 0; i < nw; i++) {
        json_decref(ws[i].body);
        json_decref(ws[i].sample);
    }
    free(ws);
    if (rc == 0)
        rc = run_manifest_end(o, manifest, r.fingerprint, skipped, e);
    json_decref(manifest);
    if (rc == 0)
        rc = eval_results(o->out_dir, NULL, e);
out:
    if (r.fd >= 0)
        close(r.fd);
    suite_free(r.s);
    return rc;
}
