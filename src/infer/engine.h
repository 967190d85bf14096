/*
 * engine.h - a GGUF model answering requests in-process: the local
 * backend behind eval/client.h (client_opts.local), which takes the same
 * request bodies as an OpenAI-compatible endpoint ("messages" for chat,
 * "prompt" for completions, "max_tokens", "temperature", "top_k",
 * "top_p", "seed") and gives the same kind of answer.
 *
 * Decoding is greedy unless the temperature is above 0; sampling then
 * needs a seed (refused without one), so that every answer can be
 * reproduced.
 */
#ifndef OSAFE_INFER_ENGINE_H
#define OSAFE_INFER_ENGINE_H

#include <jansson.h>
#include <stdint.h>

#include "core/status.h"

typedef struct infer_engine_opts {
    const char *model_file;
    unsigned threads;        /* 0: 1 */
    uint32_t n_ctx;          /* 0: OSAFE_INFER_CTX_DEFAULT (capped by the model) */
    const char *chat_template; /* NULL: detected from the file */
    int completions;         /* raw prompts only: no chat template needed */
} infer_engine_opts;

typedef struct infer_engine infer_engine;

/* Map, hash (SHA-256) and load the model.  *out owned by the caller
 * (infer_engine_close). */
int infer_engine_open(const infer_engine_opts *o, infer_engine **out,
                      osafe_err *e) OSAFE_MUST_USE;
void infer_engine_close(infer_engine *en);

/* Lowercase hex SHA-256 of the model file, the chat template's name
 * (chatml, llama3, ...), the architecture; owned by the engine. */
const char *infer_engine_sha256(const infer_engine *en);
const char *infer_engine_template(const infer_engine *en);
const char *infer_engine_arch(const infer_engine *en);
/* Tokens of context each request has. */
uint32_t infer_engine_ctx(const infer_engine *en);

typedef struct infer_answer {
    char *text;                /* malloc'd, the caller frees it */
    const char *finish_reason; /* "stop" or "length" (static) */
    long prompt_tokens, completion_tokens;
} infer_answer;

/* Answer one request body (completions: "prompt", else "messages").
 * The same body gives the same answer (greedy, or sampled with its seed).
 * EINVAL names what in the body cannot be answered. */
int infer_engine_answer(infer_engine *en, const json_t *body, int completions,
                        infer_answer *out, osafe_err *e) OSAFE_MUST_USE;

/* Likelihood scoring (multiple-choice items): the log-probability of each
 * of n continuations conts[i] after the prompt of body (rendered exactly
 * as infer_engine_answer renders it): lp[i] = Σ log p(token), natural
 * log, over the tokens of conts[i] tokenized on their own as text that
 * follows the prompt (no BOS, special tokens never recognised); ntok[i]
 * their number.  Each continuation is scored from a fresh sequence, so
 * the result does not depend on the order of conts.  EINVAL: an empty
 * continuation or a body that cannot be rendered; ETOOBIG: a prompt and
 * continuation that do not fit the context. */
int infer_engine_choices(infer_engine *en, const json_t *body, int completions,
                         const char *const *conts, size_t n, double *lp,
                         size_t *ntok, osafe_err *e) OSAFE_MUST_USE;

#endif
