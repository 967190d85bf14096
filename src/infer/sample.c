/*
 * sample.c - next-token choice (sample.h).
 */
#include "infer/sample.h"

#include <math.h>
#include <stdlib.h>

int infer_sampler_init(infer_sampler *s, uint32_t n, float temperature,
                       uint32_t top_k, float top_p, uint64_t seed,
                       osafe_err *e)
{
    *s = (infer_sampler){0};
    if (!(temperature >= 0 && temperature <= 100) || !(top_p > 0))
        return osafe_errf(e, OSAFE_EINVAL,
                          "sampling: temperature %g (0 to 100) or top_p %g "
                          "(above 0) out of range",
                          (double)temperature, (double)top_p);
    s->temperature = temperature;
    s->top_k = top_k;
    s->top_p = top_p;
    s->n = n;
    rng_seed(&s->rng, seed);
    if (temperature > 0) {
        s->order = malloc((size_t)n * sizeof *s->order);
        s->prob = malloc((size_t)n * sizeof *s->prob);
        if (!s->order || !s->prob) {
            infer_sampler_free(s);
            return osafe_errf(e, OSAFE_ENOMEM, "sampling: out of memory");
        }
    }
    return 0;
}

void infer_sampler_free(infer_sampler *s)
{
    free(s->order);
    free(s->prob);
    s->order = NULL;
    s->prob = NULL;
}

static int32_t argmax(const float *v, uint32_t n)
{
    uint32_t best = 0;
    for (uint32_t i = 1; i < n; i++)
        if (v[i] > v[best])
            best = i;
    return (int32_t)best;
}

/* qsort has no context argument in C17: the logits go through this. */
static _Thread_local const float *sort_logits;

static int by_logit(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    float lx = sort_logits[x], ly = sort_logits[y];
    if (lx != ly)
        return lx > ly ? -1 : 1;
    return x < y ? -1 : x > y;
}

int32_t infer_sample(infer_sampler *s, const float *logits)
{
    if (s->temperature <= 0 || s->top_k == 1)
        return argmax(logits, s->n);
    for (uint32_t i = 0; i < s->n; i++)
        s->order[i] = i;
    sort_logits = logits;
    qsort(s->order, s->n, sizeof *s->order, by_logit);
    uint32_t k = s->top_k && s->top_k < s->n ? s->top_k : s->n;
    double mx = logits[s->order[0]], sum = 0;
    for (uint32_t i = 0; i < k; i++) {
        s->prob[i] = exp(((double)logits[s->order[i]] - mx) / s->temperature);
        sum += s->prob[i];
    }
    /* top-p: the smallest prefix whose mass reaches p */
    if (s->top_p < 1) {
        double acc = 0;
        for (uint32_t i = 0; i < k; i++) {
            acc += s->prob[i] / sum;
            if (acc >= s->top_p) {
                k = i + 1;
                break;
            }
        }
        sum = 0;
        for (uint32_t i = 0; i < k; i++)
            sum += s->prob[i];
    }
    double u = rng_uniform(&s->rng) * sum, acc = 0;
    for (uint32_t i = 0; i < k; i++) {
        acc += s->prob[i];
        if (u < acc)
            return (int32_t)s->order[i];
    }
    return (int32_t)s->order[k - 1];
}
