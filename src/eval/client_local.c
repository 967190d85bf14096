/*
 * client_local.c - the in-process backend of client.h (client_new_local):
 * the request queue of the pool, answered one request at a time by a
 * model (infer/engine.h) instead of over HTTP.  The engine spreads each
 * answer over its own threads, so one request at a time keeps its cache
 * and scratch memory to one sequence.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "eval/client.h"
#include "eval/client_int.h"
#include "infer/engine.h"

int client_new_local(struct infer_engine *en, int completions, client **out,
                     osafe_err *e)
{
    *out = NULL;
    if (!en)
        return osafe_errf(e, OSAFE_EINVAL, "no model for the local client");
    client *c = calloc(1, sizeof *c);
    if (!c)
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    pthread_mutex_init(&c->mu, NULL);
    c->completions = completions ? 1 : 0;
    c->concurrency = 1;
    c->local = en;
    atomic_init(&c->pending, 0);
    atomic_init(&c->stop, 0);
    *out = c;
    return 0;
}

/* The pick among choices scored lp[i] over ntok[i] tokens and the bytes
 * of conts[i]: the highest score under norm (sum: the log-probability,
 * token: per token, byte: per byte of the text); the first on a tie. */
static size_t pick_choice(const char *norm, const double *lp,
                          const size_t *ntok, const char *const *conts,
                          size_t n)
{
    size_t best = 0;
    double top = 0;
    for (size_t i = 0; i < n; i++) {
        double v = lp[i];
        if (!strcmp(norm, "token"))
            v /= (double)ntok[i];
        else if (!strcmp(norm, "byte"))
            v /= (double)strlen(conts[i]);
        if (i == 0 || v > top) {
            top = v;
            best = i;
        }
    }
    return best;
}

/* A likelihood request (client_body_choices): the log-probability of each
 * continuation; a->text the letter of the pick, *detail what was measured
 * (a new object: choice_logprobs, choice_tokens, logprob_norm). */
static int local_choices(client *c, const json_t *body, infer_answer *a,
                         json_t **detail, osafe_err *e)
{
    const json_t *cj = json_object_get(body, "continuations");
    const char *norm = json_string_value(json_object_get(body, "logprob_norm"));
    size_t n = json_array_size(cj);
    if (!norm)
        norm = "sum";
    if (n < 1 || n > OSAFE_SUITE_MAX_CHOICES)
        return osafe_errf(e, OSAFE_EINVAL, "request: \"continuations\" needs "
                          "1 to %u strings", OSAFE_SUITE_MAX_CHOICES);
    if (strcmp(norm, "sum") && strcmp(norm, "token") && strcmp(norm, "byte"))
        return osafe_errf(e, OSAFE_EINVAL, "request: \"logprob_norm\" is "
                          "sum, token or byte");
    const char *conts[OSAFE_SUITE_MAX_CHOICES];
    double lp[OSAFE_SUITE_MAX_CHOICES];
    size_t ntok[OSAFE_SUITE_MAX_CHOICES];
    for (size_t i = 0; i < n; i++)
        if (!(conts[i] = json_string_value(json_array_get(cj, i))) ||
            !conts[i][0])
            return osafe_errf(e, OSAFE_EINVAL, "request: continuation %zu is "
                              "not a non-empty string", i + 1);
    int rc = infer_engine_choices(c->local, body, c->completions, conts, n,
                                  lp, ntok, e);
    if (rc)
        return rc;
    json_t *lps = json_array(), *nts = json_array();
    for (size_t i = 0; lps && nts && i < n; i++)
        if (json_array_append_new(lps, json_real(lp[i])) ||
            json_array_append_new(nts, json_integer((json_int_t)ntok[i])))
            break;
    *detail = json_pack("{s:o*, s:o*, s:s}", "choice_logprobs", lps,
                        "choice_tokens", nts, "logprob_norm", norm);
    char letter[2] = {(char)('A' + pick_choice(norm, lp, ntok, conts, n)), 0};
    a->text = strdup(letter);
    if (!*detail || !a->text) {
        json_decref(*detail);
        *detail = NULL;
        free(a->text);
        a->text = NULL;
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    }
    a->finish_reason = "stop";
    a->prompt_tokens = -1;
    a->completion_tokens = 0;
    return 0;
}

/* Answer r with the in-process model: the same result an endpoint would
 * give, 400 with the reason when the request cannot be answered. */
static void local_answer(client *c, creq *r)
{
    client_result res = {0};
    infer_answer a = {0};
    osafe_err e = {0};
    json_t *detail = NULL;
    char fp[80];
    uint64_t t0 = client__now_us();
    c->stats.attempts++;
    int rc = json_object_get(r->body, "continuations")
                 ? local_choices(c, r->body, &a, &detail, &e)
                 : infer_engine_answer(c->local, r->body, c->completions, &a,
                                       &e);
    snprintf(fp, sizeof fp, "gguf:sha256:%s", infer_engine_sha256(c->local));
    res.user = r->user;
    res.attempts = 1;
    res.latency_ms = (double)(client__now_us() - t0) / 1000.0;
    res.fingerprint = fp;
    res.prompt_tokens = res.completion_tokens = -1;
    if (rc) {
        res.http_status = 400;
        res.error = e.msg;
    } else {
        res.http_status = 200;
        res.text = a.text;
        res.finish_reason = a.finish_reason;
        res.prompt_tokens = a.prompt_tokens;
        res.completion_tokens = a.completion_tokens;
        res.response = detail;
    }
    client__deliver(c, r, &res);
    json_decref(detail);
    if (rc == 0)
        free(a.text);
}

void client__run_local(client *c)
{
    while (!atomic_load(&c->stop) && !client__queue_empty(c))
        local_answer(c, client__queue_pop(c));
}
