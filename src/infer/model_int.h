/*
 * model_int.h - the loaded model, shared by model_load.c (reading and
 * checking it) and model_eval.c (the forward pass).  Private to infer/.
 */
#ifndef OSAFE_INFER_MODEL_INT_H
#define OSAFE_INFER_MODEL_INT_H

#include "infer/gguf.h"
#include "infer/model.h"

/* A weight matrix: rows of cols elements of type, in the mapping. */
typedef struct model__mat {
    const uint8_t *data;
    uint32_t type;
    uint32_t rows, cols;
    size_t row_bytes;
} model__mat;

typedef struct model__layer {
    float *attn_norm, *ffn_norm;  /* n_embd, owned */
    float *bq, *bk, *bv;          /* qwen2 biases, owned, else NULL */
    model__mat wq, wk, wv, wo, gate, up, down;
} model__layer;

struct infer_model {
    const gguf_file *g;
    infer_hparams hp;
    model__mat tok_embd, output; /* output is tok_embd when tied */
    float *output_norm;          /* owned */
    float *rope_freqs;           /* n_rot/2 divisors, owned, or NULL */
    model__layer *layers;        /* n_layer, owned */
};

#endif
