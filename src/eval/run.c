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
#include "infer/engine.h"

/* One (item, epoch) in flight.  Its item JSON is a reference of its own
 * (the suite reader moves on). */
struct work {
    suite_item item;
    unsigned epoch;
    json_t *body;        /* the request */
    char key[65];        /* cache key */
    json_t *sample;      /* kept for the judge (phase 2) only */
    struct work *next;   /* judge list */
};

struct run {
    const run_opts *o;
    suite_reader *rd;    /* pass 2: items in file order */
    size_t index;        /* items read so far */
    size_t nitems;       /* items in the suite, after --limit */
    unsigned epoch;      /* epoch of the current item, 0: read the next */
    suite_item cur;
    struct done_set done;
    gen_params gp;
    client *c;
    size_t inflight, window;
    score_kind kind;
    int fd;              /* samples.jsonl, O_APPEND */
    char cache[OSAFE_PATH_MAX];
    int use_cache;
    struct progress prog;
    char fingerprint[128];
    unsigned lines_since_sync;
    size_t skipped;
    struct work *judged; /* samples waiting for the judge */
    osafe_err *e;
    int failed;          /* a write failed: stop */
    int probed;          /* run__probe done (before the first request) */
    int probe_failed;    /* ... and it refused the endpoint or model */
};

static void work_free(struct work *w)
{
    json_decref(w->body);
    json_decref(w->item.json);
    json_decref(w->sample);
    free(w);
}

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
    const suite_item *it = &w->item;
    return json_pack("{s:s, s:i, s:O, s:s, s:s, s:s}", "item_id", it->id,
                     "epoch", (int)w->epoch, "request", w->body, "lang",
                     it->lang ? it->lang : "", "hazard",
                     it->hazard ? it->hazard : "", "expected",
                     it->expected ? it->expected : "");
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
    /* The likelihood scorer's measurements, only on its samples. */
    static const char *const lik[] = {"choice_logprobs", "choice_tokens",
                                      "logprob_norm"};
    for (int i = 0; i < 3; i++) {
        json_t *v = json_object_get(ans, lik[i]);
        if (v)
            json_object_set(s, lik[i], v);
    }
    json_object_set_new(s, "latency_ms", json_real(latency));
    json_object_set_new(s, "attempts", json_integer(attempts));
    json_object_set_new(s, "cached", json_boolean(cached));
}

/* Score an answered sample; the judge scores later (phase 2), so its
 * samples are written without a score and kept. */
static void score_sample(struct run *r, struct work *w, json_t *s)
{
    score_result sr;
    osafe_err se;
    memset(&sr, 0, sizeof sr);
    if (r->kind == SCORE_JUDGE)
        return;
    const char *text = json_string_value(json_object_get(s, "response"));
    if (!text)
        snprintf(sr.error, sizeof sr.error, "no answer text");
    else if (score_item(r->kind, w->item.json, text, &sr, &se) != 0)
        snprintf(sr.error, sizeof sr.error, "scoring: %s", se.msg);
    set_score(s, &sr);
    /* The refusal classifier's confidence is its probability: below the
     * threshold a person should look (results.json counts them). */
    if (r->kind == SCORE_REFUSAL && !sr.error[0])
        json_object_set_new(s, "needs_review",
                            json_boolean(sr.confidence < r->o->review_below));
}

/* A sample is complete: write it, then keep the work for the judge or
 * free it. */
static void finish(struct run *r, struct work *w, json_t *s)
{
    if (write_sample(r, s) != 0)
        r->failed = 1;
    r->prog.done++;
    if (r->kind == SCORE_JUDGE && !r->failed) {
        w->sample = s;
        w->next = r->judged;
        r->judged = w;
    } else {
        json_decref(s);
        work_free(w);
    }
    run__progress_tick(&r->prog, 0);
}

/* A likelihood item's request: the body of its prompt with its choices as
 * the continuations to score, and how to compare them (client_local.c).
 * The whole request is the cache key, so the norm keeps answers apart. */
static int add_continuations(struct run *r, struct work *w)
{
    const json_t *ch = w->item.choices;
    const char *norm = r->o->logprob_norm ? r->o->logprob_norm : "sum";
    if (!json_is_array(ch)) /* the suite checks every item has choices */
        return json_object_set_new(w->body, "continuations", json_array());
    return json_object_set_new(w->body, "continuations", json_deep_copy(ch)) ||
           json_object_set_new(w->body, "logprob_norm", json_string(norm));
}

/* The next (item, epoch) of this shard not finished yet, or NULL at the
 * end (or on a suite error, with r->failed set). */
static struct work *next_work(struct run *r)
{
    const run_opts *o = r->o;
    unsigned epochs = o->epochs ? o->epochs : 1;
    for (;;) {
        if (r->epoch == 0 || r->epoch > epochs) {
            if (r->index >= r->nitems)
                return NULL;
            int x = suite_reader_next(r->rd, &r->cur, r->e);
            if (x <= 0) {
                if (x < 0)
                    r->failed = 1;
                return NULL;
            }
            /* The slice of this shard: items in file order, the first
             * --limit of them, every n-th from the k-th.  Deterministic, so
             * n machines running k = 1..n cover the suite exactly once. */
            size_t i = r->index++;
            if (i % o->shard_n != o->shard_k - 1)
                continue;
            r->epoch = 1;
        }
        unsigned ep = r->epoch++;
        if (run__done_has(&r->done, r->cur.id, ep)) {
            r->skipped++;
            continue;
        }
        struct work *w = calloc(1, sizeof *w);
        if (!w) {
            osafe_errf(r->e, OSAFE_ENOMEM, "out of memory");
            r->failed = 1;
            return NULL;
        }
        w->item = r->cur;
        json_incref(w->item.json);
        w->epoch = ep;
        w->body = client_body(&r->gp, w->item.input, o->completions, r->e);
        if (w->body && r->kind == SCORE_LIKELIHOOD &&
            add_continuations(r, w) != 0) {
            json_decref(w->body);
            w->body = NULL;
            osafe_errf(r->e, OSAFE_ENOMEM, "out of memory");
        }
        if (!w->body) {
            work_free(w);
            r->failed = 1;
            return NULL;
        }
        if (r->use_cache)
            cache_key(o->endpoint, w->body, ep, w->key);
        return w;
    }
}

/* Keep the client's queue full but short: memory stays flat in the size of
 * the suite.  Cached answers are resolved here, without a request. */
static void feed(struct run *r)
{
    while (!r->failed && r->inflight < r->window) {
        struct work *w = next_work(r);
        if (!w)
            return;
        json_t *ans = NULL;
        osafe_err ce;
        if (r->use_cache && cache_get(r->cache, w->key, &ans, &ce) == 0) {
            /* Answered before, by any run into any directory. */
            json_t *s = new_sample(w);
            const char *fp = json_string_value(json_object_get(ans,
                                                               "fingerprint"));
            if (fp && !r->fingerprint[0])
                snprintf(r->fingerprint, sizeof r->fingerprint, "%s", fp);
            set_answer(s, ans, 0, 0, 1);
            json_decref(ans);
            score_sample(r, w, s);
            r->prog.cached++;
            finish(r, w, s);
            continue;
        }
        /* The probe only when something must be sent: a rerun served
         * from the cache costs no request at all. */
        if (!r->probed) {
            r->probed = 1;
            if (run__probe(r->o, r->e) != 0) {
                work_free(w);
                r->failed = r->probe_failed = 1;
                return;
            }
        }
        if (client_submit(r->c, w->body, w, r->e) != 0) {
            work_free(w);
            r->failed = 1;
            return;
        }
        r->inflight++;
    }
}

static void on_answer(void *ctx, const client_result *res)
{
    struct run *r = ctx;
    struct work *w = res->user;
    r->inflight--;
    json_t *s = new_sample(w);
    if (!res->error) {
        json_t *ans = json_pack("{s:s?, s:s?}", "response", res->text,
                                "finish_reason", res->finish_reason);
        json_object_set_new(ans, "prompt_tokens",
                            res->prompt_tokens >= 0
                                ? json_integer(res->prompt_tokens)
                                : json_null());
        json_object_set_new(ans, "completion_tokens",
                            res->completion_tokens >= 0
                                ? json_integer(res->completion_tokens)
                                : json_null());
        if (r->kind == SCORE_LIKELIHOOD && res->response)
            json_object_update(ans, (json_t *)res->response);
        if (res->fingerprint) {
            json_object_set_new(ans, "fingerprint",
                                json_string(res->fingerprint));
            if (!r->fingerprint[0])
                snprintf(r->fingerprint, sizeof r->fingerprint, "%s",
                         res->fingerprint);
        }
        set_answer(s, ans, res->latency_ms, res->attempts, 0);
        if (r->use_cache && res->text) {
            osafe_err ce;
            cache_put(r->cache, w->key, ans, &ce); /* best effort */
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
    finish(r, w, s);
    if (r->failed)
        client_stop(r->c);
    else
        feed(r);
}

/* ---- judge (phase 2) ---------------------------------------------------- */

static void on_verdict(void *ctx, const client_result *res)
{
    struct run *r = ctx;
    struct work *w = res->user;
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
    if (write_sample(r, s) != 0) {
        r->failed = 1;
        client_stop(r->c);
    }
    json_decref(s);
    r->prog.done++;
    run__progress_tick(&r->prog, 0);
}

static int run_judge(struct run *r, osafe_err *e)
{
    const run_opts *o = r->o;
    client_opts co = {o->judge_endpoint, o->judge_api_key, o->concurrency,
                      o->rps, o->timeout_ms, o->retries, 0};
    client *c;
    int rc = o->judge_engine ? client_new_local(o->judge_engine, 0, &c, e)
                             : client_new(&co, &c, e);
    if (rc)
        return rc;
    size_t todo = 0;
    for (struct work *w = r->judged; rc == 0 && w; w = w->next) {
        const char *text = json_string_value(json_object_get(w->sample,
                                                             "response"));
        if (!text || json_string_value(json_object_get(w->sample, "error")))
            continue;
        json_t *body = score_judge_body(o->judge_model,
                                        o->rubric ? o->rubric : "",
                                        w->item.json, text);
        rc = body ? client_submit(c, body, w, e)
                  : osafe_errf(e, OSAFE_ENOMEM, "out of memory");
        json_decref(body);
        todo++;
    }
    r->c = c;
    run__progress_start(&r->prog, "judging", todo, o->quiet);
    if (rc == 0 && todo)
        rc = client_run(c, on_verdict, r, e);
    run__progress_tick(&r->prog, 1);
    client_free(c);
    r->c = NULL;
    return rc;
}

/* ---- the run ------------------------------------------------------------ */

/* The second pass trusts the first: the items file must be the one it
 * validated and hashed. */
static int same_file(const char *path, const struct stat *a)
{
    struct stat b;
    return stat(path, &b) == 0 && b.st_size == a->st_size &&
           b.st_ino == a->st_ino && b.st_mtim.tv_sec == a->st_mtim.tv_sec &&
           b.st_mtim.tv_nsec == a->st_mtim.tv_nsec;
}

/* Pass 1: validate the whole suite and learn its hash and size before
 * anything is sent (a bad line 900,000 must not end a run half-way). */
static int scan_suite(const char *dir, suite *meta, size_t *count,
                      osafe_err *e)
{
    suite_reader *rd;
    int rc = suite_reader_open(dir, &rd, e);
    if (rc)
        return rc;
    suite_item it;
    while ((rc = suite_reader_next(rd, &it, e)) > 0)
        ;
    if (rc == 0) {
        memset(meta, 0, sizeof *meta);
        meta->meta = json_incref((json_t *)suite_reader_meta(rd));
        meta->name = json_string_value(json_object_get(meta->meta, "name"));
        meta->version = json_string_value(json_object_get(meta->meta,
                                                          "version"));
        meta->license = json_string_value(json_object_get(meta->meta,
                                                          "license"));
        meta->default_scorer = json_string_value(
            json_object_get(meta->meta, "default_scorer"));
        snprintf(meta->hash, sizeof meta->hash, "%s", suite_reader_hash(rd));
        meta->n = *count = suite_reader_count(rd);
    }
    suite_reader_free(rd);
    return rc;
}

/* What the scorer needs of the options, before anything is written. */
static int check_scorer(const run_opts *o, score_kind kind, osafe_err *e)
{
    if (kind == SCORE_JUDGE && !o->judge_model_file &&
        (!o->judge_endpoint || !o->judge_model))
        return osafe_errf(e, OSAFE_EINVAL, "the judge scorer needs "
                                           "--judge-endpoint and "
                                           "--judge-model, or "
                                           "--judge-model-file");
    /* An endpoint returns text, not the probability of a given
     * continuation: refuse rather than silently score another way. */
    if (kind == SCORE_LIKELIHOOD && !o->engine)
        return osafe_errf(e, OSAFE_EINVAL,
                          "the likelihood scorer needs --model-file (an "
                          "endpoint gives no log-probabilities of given "
                          "choices); with an endpoint, score multiple-choice "
                          "items by generation with --scorer choice");
    if (o->logprob_norm && strcmp(o->logprob_norm, "sum") &&
        strcmp(o->logprob_norm, "token") && strcmp(o->logprob_norm, "byte"))
        return osafe_errf(e, OSAFE_EINVAL, "--likelihood-norm must be sum, "
                                           "token or byte, not '%s'",
                          o->logprob_norm);
    return 0;
}

void run_opts_init(run_opts *o)
{
    memset(o, 0, sizeof *o);
    o->concurrency = OSAFE_EVAL_CONCURRENCY_DEFAULT;
    o->timeout_ms = OSAFE_EVAL_TIMEOUT_DEFAULT_MS;
    o->retries = OSAFE_EVAL_RETRIES_DEFAULT;
    o->temperature = -1;
    o->epochs = 1;
    o->shard_k = o->shard_n = 1;
    o->review_below = OSAFE_REFUSAL_REVIEW_BELOW;
}

int eval_run(const run_opts *o, osafe_err *e)
{
    if (o->shard_n == 0 || o->shard_k < 1 || o->shard_k > o->shard_n)
        return osafe_errf(e, OSAFE_EINVAL, "--shard must be k/n with 1 <= k "
                                           "<= n");
    /* --model-file: a copy of the options naming the loaded model, whose
     * endpoint is the file's hash (manifest, cache keys); the judge's
     * model (--judge-model-file) is named in the copy too */
    run_opts local = *o;
    infer_engine *engine = NULL, *judge = NULL;
    char local_ep[96];
    if (o->model_file) {
        int lrc = run__local_open(o, &local, &engine, local_ep,
                                  sizeof local_ep, e);
        if (lrc)
            return lrc;
    }
    o = &local;
    struct run r;
    memset(&r, 0, sizeof r);
    r.o = o;
    r.e = e;
    r.fd = -1;
    suite meta;
    size_t count = 0;
    char items_path[OSAFE_PATH_MAX];
    struct stat items_st;
    snprintf(items_path, sizeof items_path, "%s/items.jsonl", o->suite_dir);
    if (stat(items_path, &items_st) != 0)
        memset(&items_st, 0, sizeof items_st);
    json_t *manifest = NULL;
    meta.meta = NULL;
    int rc = scan_suite(o->suite_dir, &meta, &count, e);
    if (rc)
        goto out;
    char path[OSAFE_PATH_MAX];
    const char *scorer = o->scorer ? o->scorer : meta.default_scorer;
    if (!scorer || score_kind_parse(scorer, &r.kind) != 0) {
        rc = osafe_errf(e, OSAFE_EINVAL, "unknown scorer '%s'",
                        scorer ? scorer : "(none)");
        goto out;
    }
    if ((rc = check_scorer(o, r.kind, e)) ||
        (r.kind == SCORE_JUDGE && o->judge_model_file &&
         (rc = run__judge_open(&local, &judge, e))))
        goto out;
    if ((rc = fsx_mkdirs(o->out_dir, e)) ||
        (rc = run__manifest_begin(o, &meta, scorer, &manifest, e)))
        goto out;
    snprintf(path, sizeof path, "%s/samples.jsonl", o->out_dir);
    /* What is finished already (resume); a torn last line is cut. */
    if ((rc = run__load_done(path, &r.done, e)))
        goto out;
    r.fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (r.fd < 0) {
        rc = osafe_errno(e, OSAFE_EIO, errno, "%s", path);
        goto out;
    }
    r.use_cache = !o->no_cache &&
                  cache_dir_default(r.cache, sizeof r.cache) == 0;
    r.nitems = o->limit && o->limit < count ? o->limit : count;
    unsigned epochs = o->epochs ? o->epochs : 1;
    size_t mine = r.nitems / o->shard_n +
                  (r.nitems % o->shard_n >= o->shard_k ? 1 : 0);
    size_t total = mine * epochs;
    total = total > r.done.n ? total - r.done.n : 0;
    r.gp = (gen_params){o->model, o->temperature, o->max_tokens, o->seed,
                        o->has_seed};
    client_opts co = {o->endpoint, o->api_key, o->concurrency, o->rps,
                      o->timeout_ms, o->retries, o->completions};
    r.window = 4 * (o->concurrency ? o->concurrency : 1) + 16;
    if ((rc = o->engine ? client_new_local(o->engine, o->completions, &r.c, e)
                        : client_new(&co, &r.c, e)) ||
        (rc = suite_reader_open(o->suite_dir, &r.rd, e)))
        goto out;
    suite_reader_trust(r.rd);
    if (!same_file(items_path, &items_st)) {
        rc = osafe_errf(e, OSAFE_ESTATE, "%s changed while the run started",
                        items_path);
        goto out;
    }
    run__progress_start(&r.prog, "generating", total, o->quiet);
    feed(&r);
    if (!r.failed && r.inflight)
        rc = client_run(r.c, on_answer, &r, e);
    run__progress_tick(&r.prog, 1);
    if (rc == 0 && r.failed)
        rc = e->code ? e->code : OSAFE_EIO;
    client_free(r.c);
    r.c = NULL;
    if (rc == 0 && r.kind == SCORE_JUDGE)
        rc = run_judge(&r, e);
    if (fdatasync(r.fd) != 0 && rc == 0)
        rc = osafe_errno(e, OSAFE_EIO, errno, "%s", path);
    /* Release the run's memory before aggregating, so peaks do not add. */
    suite_reader_free(r.rd);
    r.rd = NULL;
    run__done_free(&r.done);
    if (rc == 0)
        rc = run__manifest_end(o, manifest, r.fingerprint, r.skipped, e);
    if (rc == 0)
        rc = eval_results(o->out_dir, NULL, e);
    if (rc && r.probe_failed && !o->resume) {
        /* Nothing was asked of the model: leave no run behind, so that the
         * same command with the option fixed starts afresh (answers
         * already cached cost nothing the second time). */
        char mp[OSAFE_PATH_MAX];
        snprintf(mp, sizeof mp, "%s/manifest.json", o->out_dir);
        unlink(mp);
        unlink(path);
    }
out:
    while (r.judged) {
        struct work *w = r.judged;
        r.judged = w->next;
        work_free(w);
    }
    client_free(r.c);
    suite_reader_free(r.rd);
    run__done_free(&r.done);
    if (r.fd >= 0)
        close(r.fd);
    json_decref(manifest);
    json_decref(meta.meta);
    infer_engine_close(engine);
    infer_engine_close(judge);
    return rc;
}
