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

/* Answer r with the in-process model: the same result an endpoint would
 * give, 400 with the reason when the request cannot be answered. */
static void local_answer(client *c, creq *r)
{
    client_result res = {0};
    infer_answer a;
    osafe_err e = {0};
    char fp[80];
    uint64_t t0 = client__now_us();
    c->stats.attempts++;
    int rc = infer_engine_answer(c->local, r->body, c->completions, &a, &e);
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
    }
    client__deliver(c, r, &res);
    if (rc == 0)
        free(a.text);
}

void client__run_local(client *c)
{
    while (!atomic_load(&c->stop) && !client__queue_empty(c))
        local_answer(c, client__queue_pop(c));
}
