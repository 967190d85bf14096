/*
 * infer_probe.c - what the in-process engine (src/infer, through its
 * public headers) makes of a GGUF file, as JSON, for the llama.cpp
 * cross-check (tests/crosscheck/README.md); tests/crosscheck/llamacpp.mjs
 * prints the same fields from llama.cpp.
 *
 * Usage: infer_probe MODEL.gguf INPUT.json
 * INPUT: {"texts": [...], "prompts": [...], "n_predict": N, "top_k": K,
 *         "ids": [token ids whose log-probabilities are wanted]}
 * Output: {"texts": [[ids of each text: plain, no BOS, no specials]],
 *          "prompts": [{"tokens": [BOS if the model adds it, then the
 *            prompt's ids], "greedy": [N ids, end-of-generation tokens
 *            included], "top": [[id, logprob] x K, highest first, ties by
 *            id], "margins": [top-1 minus top-2 logit before each greedy
 *            token], "given": [logprob of each of ids], "logprobs": [the
 *            whole vocabulary's]}]}
 * Log-probabilities are the log-softmax, in double, of the logits after
 * the prompt's last token.
 */
#include <jansson.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"
#include "infer/gguf.h"
#include "infer/model.h"
#include "infer/vocab.h"

typedef struct probe {
    gguf_file *g;
    infer_vocab *v;
    infer_model *m;
    infer_ctx *c;
    uint32_t n_vocab;
} probe;

static json_t *ids_json(const int32_t *ids, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_integer(ids[i]));
    return a;
}

static int tokenize(const probe *p, const char *s, int bos, infer_tokens *t,
                    osafe_err *e)
{
    if (bos && infer_vocab_add_bos(p->v) && infer_vocab_bos(p->v) >= 0 &&
        infer_tokens_push(t, infer_vocab_bos(p->v), e) != 0)
        return -1;
    return infer_tokenize(p->v, s, strlen(s), false, true, t, e);
}

static void log_softmax(const float *logits, size_t n, double *lp)
{
    double mx = -INFINITY, sum = 0;
    for (size_t i = 0; i < n; i++)
        mx = logits[i] > mx ? logits[i] : mx;
    for (size_t i = 0; i < n; i++)
        sum += exp((double)logits[i] - mx);
    double lse = mx + log(sum);
    for (size_t i = 0; i < n; i++)
        lp[i] = (double)logits[i] - lse;
}

static double margin(const float *logits, size_t n)
{
    double a = -INFINITY, b = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (logits[i] > a)
            b = a, a = logits[i];
        else if (logits[i] > b)
            b = logits[i];
    }
    return a - b;
}

static json_t *top_k(const double *lp, size_t n, size_t k)
{
    json_t *a = json_array();
    char *taken = calloc(n, 1);
    for (size_t j = 0; taken && j < k && j < n; j++) {
        size_t best = n;
        for (size_t i = 0; i < n; i++)
            if (!taken[i] && (best == n || lp[i] > lp[best]))
                best = i;
        taken[best] = 1;
        json_t *pair = json_array();
        json_array_append_new(pair, json_integer((json_int_t)best));
        json_array_append_new(pair, json_real(lp[best]));
        json_array_append_new(a, pair);
    }
    free(taken);
    return a;
}

static int one_prompt(probe *p, const char *s, size_t n_predict, size_t k,
                      const json_t *ids, json_t *out, osafe_err *e)
{
    infer_tokens t = {0};
    float *logits = malloc(p->n_vocab * sizeof *logits);
    double *lp = malloc(p->n_vocab * sizeof *lp);
    int32_t *gen = malloc((n_predict + 1) * sizeof *gen);
    size_t n_gen = 0;
    int rc = -1;
    if (!logits || !lp || !gen) {
        osafe_errf(e, -ENOMEM, "out of memory");
        goto done;
    }
    if (tokenize(p, s, 1, &t, e) != 0)
        goto done;
    infer_ctx_reset(p->c);
    if (infer_eval(p->c, t.ids, t.n, logits, e) != 0)
        goto done;
    log_softmax(logits, p->n_vocab, lp);
    infer_ctx_reset(p->c);
    if (infer_greedy(p->c, t.ids, t.n, n_predict, NULL, 0, gen, &n_gen, e) != 0)
        goto done;
    /* the margin (top-1 minus top-2 log-probability) before each greedy
     * token, along the greedy path: a divergence from llama.cpp where the
     * margin is within the tolerance is a near-tie, not an error */
    json_t *margins = json_array();
    infer_ctx_reset(p->c);
    for (size_t j = 0; j < n_gen; j++) {
        const int32_t *feed = j == 0 ? t.ids : &gen[j - 1];
        if (infer_eval(p->c, feed, j == 0 ? t.n : 1, logits, e) != 0) {
            json_decref(margins);
            goto done;
        }
        json_array_append_new(margins, json_real(margin(logits, p->n_vocab)));
    }
    json_t *given = json_array();
    size_t i;
    json_t *id;
    json_array_foreach(ids, i, id) {
        json_int_t x = json_integer_value(id);
        json_array_append_new(given, x >= 0 && (uint64_t)x < p->n_vocab
                                         ? json_real(lp[x]) : json_null());
    }
    json_t *o = json_object();
    json_object_set_new(o, "tokens", ids_json(t.ids, t.n));
    json_object_set_new(o, "greedy", ids_json(gen, n_gen));
    json_object_set_new(o, "margins", margins);
    json_object_set_new(o, "top", top_k(lp, p->n_vocab, k));
    json_object_set_new(o, "given", given);
    json_t *all = json_array();
    for (uint32_t j = 0; j < p->n_vocab; j++)
        json_array_append_new(all, json_real(lp[j]));
    json_object_set_new(o, "logprobs", all);
    json_array_append_new(out, o);
    rc = 0;
done:
    free(t.ids);
    free(logits);
    free(lp);
    free(gen);
    return rc;
}

static int run(probe *p, const json_t *in, json_t *out, osafe_err *e)
{
    json_t *texts = json_array(), *prompts = json_array();
    json_object_set_new(out, "texts", texts);
    json_object_set_new(out, "prompts", prompts);
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(in, "texts"), i, s) {
        infer_tokens t = {0};
        int rc = tokenize(p, json_string_value(s), 0, &t, e);
        if (rc == 0)
            json_array_append_new(texts, ids_json(t.ids, t.n));
        free(t.ids);
        if (rc != 0)
            return -1;
    }
    size_t n_predict = (size_t)json_integer_value(json_object_get(in, "n_predict"));
    size_t k = (size_t)json_integer_value(json_object_get(in, "top_k"));
    json_array_foreach(json_object_get(in, "prompts"), i, s)
        if (one_prompt(p, json_string_value(s), n_predict, k,
                       json_object_get(in, "ids"), prompts, e) != 0)
            return -1;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: infer_probe MODEL.gguf INPUT.json\n");
        return 2;
    }
    json_error_t je;
    json_t *in = json_load_file(argv[2], 0, &je);
    if (!in || !json_is_array(json_object_get(in, "texts")) ||
        !json_is_array(json_object_get(in, "prompts"))) {
        fprintf(stderr, "infer_probe: %s: no \"texts\" and \"prompts\" arrays\n",
                argv[2]);
        return 2;
    }
    osafe_err e = {0};
    probe p = {0};
    json_t *out = json_object();
    int rc = gguf_open(argv[1], &p.g, &e);
    if (rc == 0)
        rc = infer_vocab_load(p.g, &p.v, &e);
    if (rc == 0)
        rc = infer_model_load(p.g, &p.m, &e);
    if (rc == 0) {
        p.n_vocab = infer_model_hparams(p.m)->n_vocab;
        rc = infer_ctx_new(p.m, 0, 1, &p.c, &e);
    }
    if (rc == 0)
        rc = run(&p, in, out, &e);
    if (rc == 0) {
        char *s = json_dumps(out, JSON_COMPACT);
        rc = s && puts(s) >= 0 ? 0 : -1;
        free(s);
    } else {
        fprintf(stderr, "infer_probe: %s: %s\n", argv[1], e.msg);
    }
    infer_ctx_free(p.c);
    infer_model_free(p.m);
    infer_vocab_free(p.v);
    gguf_close(p.g);
    json_decref(out);
    json_decref(in);
    return rc == 0 ? 0 : 1;
}
