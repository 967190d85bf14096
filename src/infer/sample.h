/*
 * sample.h - choosing the next token from logits: greedy, or seeded
 * sampling with temperature, top-k and top-p.  Sampling is reproducible:
 * the candidates are ordered by logit (ties by id), the probabilities
 * summed in that order in double precision, and the draw comes from the
 * caller's seeded generator (core/rng.h), so the same logits and seed give
 * the same token on every machine and thread count.
 */
#ifndef OSAFE_INFER_SAMPLE_H
#define OSAFE_INFER_SAMPLE_H

#include <stddef.h>
#include <stdint.h>

#include "core/rng.h"
#include "core/status.h"

typedef struct infer_sampler {
    float temperature; /* <= 0: greedy */
    uint32_t top_k;    /* 0: all */
    float top_p;       /* >= 1: all */
    osafe_rng rng;
    uint32_t *order;   /* scratch: n ids, owned */
    double *prob;      /* scratch: n, owned */
    uint32_t n;
} infer_sampler;

/* A sampler over a vocabulary of n logits, seeded with seed. */
int infer_sampler_init(infer_sampler *s, uint32_t n, float temperature,
                       uint32_t top_k, float top_p, uint64_t seed,
                       osafe_err *e) OSAFE_MUST_USE;
void infer_sampler_free(infer_sampler *s);

/* The next token: the highest logit (lowest id on a tie) when greedy,
 * else a draw from the tempered, top-k and top-p truncated distribution. */
int32_t infer_sample(infer_sampler *s, const float *logits);

#endif
