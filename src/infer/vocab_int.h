/*
 * vocab_int.h - the loaded vocabulary, shared by vocab.c (loading, lookup,
 * special tokens, detokenizing), vocab_spm.c and vocab_bpe.c (the two
 * merge algorithms).  Private to infer/.
 */
#ifndef OSAFE_INFER_VOCAB_INT_H
#define OSAFE_INFER_VOCAB_INT_H

#include "infer/vocab.h"

enum { VOCAB__SPM, VOCAB__BPE };
enum { VOCAB__PRE_GPT2, VOCAB__PRE_LLAMA3, VOCAB__PRE_QWEN2 };
/* tokenizer.ggml.token_type values */
enum { VOCAB__NORMAL = 1, VOCAB__UNKNOWN = 2, VOCAB__CONTROL = 3,
       VOCAB__USER = 4, VOCAB__UNUSED = 5, VOCAB__BYTE = 6 };

/* An open-addressing table from strings to ids (slot holds id + 1). */
typedef struct vocab__map {
    uint32_t *slots;
    size_t mask;
} vocab__map;

struct infer_vocab {
    int kind, pre;
    uint32_t n;
    const gguf_str *text; /* n token strings, in the file */
    float *scores;        /* n, owned (SPM), else NULL */
    int32_t *types;       /* n, owned */
    vocab__map tokens;    /* token text -> id */
    vocab__map merges;    /* "a b" -> rank (BPE) */
    const gguf_str *merge_text;
    uint32_t n_merges;
    int32_t bos, eos, eot, unk;
    bool add_bos, add_space_prefix, ignore_merges;
    int32_t byte_id[256]; /* the token of each byte, or -1 */
    int32_t *special;     /* ids of control and user tokens, longest first */
    size_t n_special;
    bool *eog;            /* n, owned */
    void *re;             /* the BPE pre-tokenizer (pcre2_code *) */
};

/* The id of s[0..n) in map m over strs, or -1. */
int32_t vocab__lookup(const vocab__map *m, const gguf_str *strs,
                      const char *s, size_t n);

/* Tokenize one fragment of plain text (no special tokens in it). */
int vocab__spm(const infer_vocab *v, const char *s, size_t n, bool prefix,
               infer_tokens *out, osafe_err *e);
int vocab__bpe(const infer_vocab *v, const char *s, size_t n,
               infer_tokens *out, osafe_err *e);
/* Compile the pre-tokenizer of v->pre into v->re. */
int vocab__bpe_init(infer_vocab *v, osafe_err *e);
void vocab__bpe_free(infer_vocab *v);
/* The bytes of a BPE token's text (its characters mapped back). */
int vocab__bpe_decode(const char *s, size_t n, osafe_buf *out);

#endif
