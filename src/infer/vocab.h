/*
 * vocab.h - the tokenizers of GGUF models: SentencePiece-style ("llama":
 * highest-score pair merges over UTF-8 characters, with byte fallback) and
 * byte-level BPE ("gpt2": a pre-tokenizer regex chosen by
 * tokenizer.ggml.pre - llama3, qwen2 or gpt-2 - then merges by rank).
 *
 * Special tokens (control and user-defined types) are recognised only
 * when the caller asks (parse_special): the chat scaffolding asks, the
 * user's and the model's text never do, so a prompt cannot inject
 * "<|im_end|>" - it is tokenized as the plain characters it is.
 */
#ifndef OSAFE_INFER_VOCAB_H
#define OSAFE_INFER_VOCAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/status.h"
#include "infer/gguf.h"

typedef struct infer_vocab infer_vocab;

/* A growing list of token ids (free ids with free()). */
typedef struct infer_tokens {
    int32_t *ids;
    size_t n, cap;
} infer_tokens;

/* Read the vocabulary of g, which must outlive it (token strings point
 * into the file).  *out owned by the caller (infer_vocab_free). */
int infer_vocab_load(const gguf_file *g, infer_vocab **out,
                     osafe_err *e) OSAFE_MUST_USE;
void infer_vocab_free(infer_vocab *v);

uint32_t infer_vocab_size(const infer_vocab *v);
/* BOS id and whether the model wants it first (-1: none). */
int32_t infer_vocab_bos(const infer_vocab *v);
bool infer_vocab_add_bos(const infer_vocab *v);
/* Is id an end of generation (eos, eot, or a token named like one)? */
bool infer_vocab_is_eog(const infer_vocab *v, int32_t id);
/* The id of the token whose text is s (length n), or -1. */
int32_t infer_vocab_find(const infer_vocab *v, const char *s, size_t n);

/* Append the tokens of text[0..len) to out (no BOS: the caller adds it).
 * first: the text starts the prompt (SPM adds its space prefix there). */
int infer_tokenize(const infer_vocab *v, const char *text, size_t len,
                   bool parse_special, bool first, infer_tokens *out,
                   osafe_err *e) OSAFE_MUST_USE;

/* Like infer_tokenize with special tokens on, but a special token is
 * recognised only where every one of its bytes has mask[i] != 0 (the
 * chat scaffolding); elsewhere it is plain text. */
int infer_tokenize_masked(const infer_vocab *v, const char *text, size_t len,
                          const uint8_t *mask, bool first, infer_tokens *out,
                          osafe_err *e) OSAFE_MUST_USE;

/* Is id a control or user-defined token? */
bool infer_vocab_is_special(const infer_vocab *v, int32_t id);

/* Append the text of ids to out; control tokens give nothing. */
int infer_detokenize(const infer_vocab *v, const int32_t *ids, size_t n,
                     osafe_buf *out, osafe_err *e) OSAFE_MUST_USE;

/* Append one id to a list. */
int infer_tokens_push(infer_tokens *t, int32_t id, osafe_err *e) OSAFE_MUST_USE;

#endif
