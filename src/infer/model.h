/*
 * model.h - a decoder-only transformer read from a GGUF file (llama, qwen2,
 * gemma (the first generation) and phi3 architectures), its forward pass
 * on the CPU, and decoding.
 *
 * The weights stay in the file's mapping, quantized; only the norm
 * weights and biases (vectors) are copied out as floats.  Loading checks
 * the hyperparameters against core/limits.h and every tensor's presence,
 * type and shape against them, so that the forward pass never reads
 * outside a tensor.
 *
 * Determinism: every output element is one dot product computed in a
 * fixed order by the same code whichever thread runs it, and a prompt
 * batch computes each token's sums in the single-token order, so the
 * logits are bit-identical for any thread count and any way of splitting
 * a prompt into calls or batches.
 */
#ifndef OSAFE_INFER_MODEL_H
#define OSAFE_INFER_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "infer/gguf.h"

enum infer_arch { INFER_ARCH_LLAMA, INFER_ARCH_QWEN2, INFER_ARCH_GEMMA,
                  INFER_ARCH_PHI3 };

typedef struct infer_hparams {
    int arch;           /* enum infer_arch */
    uint32_t n_vocab, n_embd, n_layer, n_ff;
    uint32_t n_head, n_head_kv, head_dim, n_rot;
    uint32_t n_ctx_train;
    float eps, rope_base, rope_scale; /* rope_scale: 1/linear factor */
    int rope_neox;     /* pairs (i, i + n_rot/2) rather than (2i, 2i+1) */
    int gemma;         /* embeddings scaled by sqrt(n_embd), GELU (tanh)
                        * instead of SiLU in the gated FFN */
} infer_hparams;

typedef struct infer_model infer_model;

/* Build a model on g, which must outlive it.  *out owned by the caller
 * (infer_model_free). */
int infer_model_load(const gguf_file *g, infer_model **out,
                     osafe_err *e) OSAFE_MUST_USE;
void infer_model_free(infer_model *m);
const infer_hparams *infer_model_hparams(const infer_model *m);

/* A sequence being evaluated: its KV cache and scratch memory. */
typedef struct infer_ctx infer_ctx;

/* n_ctx tokens of cache (0: the model's training context, capped at
 * OSAFE_INFER_CTX_MAX); n_threads workers (the caller counts as one).
 * *out owned by the caller (infer_ctx_free); m must outlive it. */
int infer_ctx_new(const infer_model *m, uint32_t n_ctx, unsigned n_threads,
                  infer_ctx **out, osafe_err *e) OSAFE_MUST_USE;
void infer_ctx_free(infer_ctx *c);
/* Tokens in the cache, and the cache's capacity. */
uint32_t infer_ctx_pos(const infer_ctx *c);
uint32_t infer_ctx_size(const infer_ctx *c);
/* Forget the sequence (the cache is reused). */
void infer_ctx_reset(infer_ctx *c);

/* Append tokens[0..n) to the sequence; when logits is not NULL, write the
 * n_vocab logits that follow the last of them.  EINVAL names a token id
 * outside the vocabulary; ETOOBIG says the context is full (nothing is
 * appended then). */
int infer_eval(infer_ctx *c, const int32_t *tokens, size_t n, float *logits,
               osafe_err *e) OSAFE_MUST_USE;

/* Greedy decoding: evaluate the prompt, then append the highest-logit
 * token (the lowest id on a tie) until max_new tokens, a token of stop[]
 * (not written out) or a full context.  out has room for max_new ids;
 * *n_out says how many were written. */
int infer_greedy(infer_ctx *c, const int32_t *prompt, size_t n_prompt,
                 size_t max_new, const int32_t *stop, size_t n_stop,
                 int32_t *out, size_t *n_out, osafe_err *e) OSAFE_MUST_USE;

/* The log-probability (natural log, in double) of the continuation
 * cont[0..nc) after prompt[0..np): Σ log softmax(logits)[cont[i]], each
 * softmax summed in id order.  The prompt and every continuation token
 * but the last are appended to the sequence.  This
 * scores multiple-choice items by likelihood, which chat endpoints
 * cannot do. */
int infer_logprob(infer_ctx *c, const int32_t *prompt, size_t np,
                  const int32_t *cont, size_t nc, double *out,
                  osafe_err *e) OSAFE_MUST_USE;

/* The same with the next token chosen by sampler s (sample.h). */
struct infer_sampler;
int infer_generate(infer_ctx *c, const int32_t *prompt, size_t n_prompt,
                   size_t max_new, const int32_t *stop, size_t n_stop,
                   struct infer_sampler *s, int32_t *out, size_t *n_out,
                   osafe_err *e) OSAFE_MUST_USE;

#endif
