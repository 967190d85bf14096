/*
 * model_load.c - reading a model's hyperparameters and tensors from a
 * parsed GGUF file (model.h), checking every one before the forward pass
 * may trust it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "infer/model_int.h"
#include "infer/quant.h"

static const char *arch_name(int arch)
{
    return arch == INFER_ARCH_QWEN2   ? "qwen2"
           : arch == INFER_ARCH_GEMMA ? "gemma"
           : arch == INFER_ARCH_PHI3  ? "phi3"
                                      : "llama";
}

/* "A.suffix" into buf for the architecture's keys. */
static const char *akey(char *buf, size_t n, int arch, const char *suffix)
{
    snprintf(buf, n, "%s.%s", arch_name(arch), suffix);
    return buf;
}

/* A required integer key in [1, max]. */
static int get_dim(const gguf_file *g, int arch, const char *suffix,
                   uint32_t max, uint32_t *out, osafe_err *e)
{
    char k[96];
    uint64_t v;
    int rc = gguf_get_uint(g, akey(k, sizeof k, arch, suffix), &v, e);
    if (rc)
        return rc;
    if (v == 0 || v > max)
        return osafe_errf(e, OSAFE_EUNSUPPORTED,
                          "model: %s is %llu (1 to %u supported)", k,
                          (unsigned long long)v, (unsigned)max);
    *out = (uint32_t)v;
    return 0;
}

/* An optional key: *out keeps its default when the key is absent. */
static int opt_dim(const gguf_file *g, int arch, const char *suffix,
                   uint32_t max, uint32_t *out, osafe_err *e)
{
    char k[96];
    if (!gguf_find(g, akey(k, sizeof k, arch, suffix)))
        return 0;
    return get_dim(g, arch, suffix, max, out, e);
}

static int opt_float(const gguf_file *g, int arch, const char *suffix,
                     float *out, osafe_err *e)
{
    char k[96];
    if (!gguf_find(g, akey(k, sizeof k, arch, suffix)))
        return 0;
    return gguf_get_float(g, k, out, e);
}

static int read_arch(const gguf_file *g, int *arch, osafe_err *e)
{
    gguf_str s;
    int rc = gguf_get_str(g, "general.architecture", &s, e);
    if (rc)
        return rc;
    if (gguf_str_eq(s, "llama"))
        *arch = INFER_ARCH_LLAMA;
    else if (gguf_str_eq(s, "qwen2"))
        *arch = INFER_ARCH_QWEN2;
    else if (gguf_str_eq(s, "gemma"))
        *arch = INFER_ARCH_GEMMA;
    else if (gguf_str_eq(s, "phi3"))
        *arch = INFER_ARCH_PHI3;
    else
        return osafe_errf(e, OSAFE_EUNSUPPORTED,
                          "model: architecture '%.*s' is not supported "
                          "(llama, qwen2, gemma and phi3 are)",
                          (int)(s.len > 40 ? 40 : s.len), s.p);
    return 0;
}

/* Linear scaling is a plain factor on the positions; the others (yarn,
 * longrope) change the frequencies and are not implemented. */
static int read_rope_scaling(const gguf_file *g, infer_hparams *hp,
                             osafe_err *e)
{
    char k[96];
    gguf_str type;
    float factor = 1;
    hp->rope_scale = 1;
    akey(k, sizeof k, hp->arch, "rope.scaling.type");
    if (!gguf_find(g, k))
        return 0;
    int rc = gguf_get_str(g, k, &type, e);
    if (rc)
        return rc;
    if (gguf_str_eq(type, "none"))
        return 0;
    if (!gguf_str_eq(type, "linear"))
        return osafe_errf(e, OSAFE_EUNSUPPORTED,
                          "model: RoPE scaling '%.*s' is not supported "
                          "(none and linear are)",
                          (int)(type.len > 40 ? 40 : type.len), type.p);
    if ((rc = opt_float(g, hp->arch, "rope.scaling.factor", &factor, e)))
        return rc;
    if (!(factor >= 1 && factor <= 1024))
        return osafe_errf(e, OSAFE_EUNSUPPORTED,
                          "model: RoPE scaling factor %g (1 to 1024)",
                          (double)factor);
    hp->rope_scale = 1 / factor;
    return 0;
}

static int read_hparams(const gguf_file *g, infer_hparams *hp, osafe_err *e)
{
    int rc, a;
    if ((rc = read_arch(g, &hp->arch, e)))
        return rc;
    a = hp->arch;
    if ((rc = get_dim(g, a, "embedding_length", OSAFE_INFER_EMBD_MAX, &hp->n_embd, e)) ||
        (rc = get_dim(g, a, "block_count", OSAFE_INFER_LAYERS_MAX, &hp->n_layer, e)) ||
        (rc = get_dim(g, a, "feed_forward_length", OSAFE_INFER_FF_MAX, &hp->n_ff, e)) ||
        (rc = get_dim(g, a, "attention.head_count", OSAFE_INFER_HEADS_MAX, &hp->n_head, e)))
        return rc;
    hp->n_head_kv = hp->n_head;
    hp->n_ctx_train = 4096;
    hp->head_dim = hp->n_embd / hp->n_head;
    if ((rc = opt_dim(g, a, "attention.head_count_kv", OSAFE_INFER_HEADS_MAX, &hp->n_head_kv, e)) ||
        (rc = opt_dim(g, a, "context_length", UINT32_MAX, &hp->n_ctx_train, e)) ||
        (rc = opt_dim(g, a, "attention.key_length", OSAFE_INFER_HEAD_DIM_MAX, &hp->head_dim, e)))
        return rc;
    uint32_t vlen = hp->head_dim;
    if ((rc = opt_dim(g, a, "attention.value_length", OSAFE_INFER_HEAD_DIM_MAX, &vlen, e)))
        return rc;
    if (vlen != hp->head_dim)
        return osafe_errf(e, OSAFE_EUNSUPPORTED,
                          "model: key length %u and value length %u differ",
                          hp->head_dim, vlen);
    if (hp->n_head % hp->n_head_kv)
        return osafe_errf(e, OSAFE_EUNSUPPORTED,
                          "model: %u heads are not a multiple of %u KV heads",
                          hp->n_head, hp->n_head_kv);
    if (hp->head_dim == 0 || hp->head_dim % 2 ||
        hp->head_dim > OSAFE_INFER_HEAD_DIM_MAX)
        return osafe_errf(e, OSAFE_EUNSUPPORTED,
                          "model: head dimension %u (even, 2 to %u)",
                          hp->head_dim, OSAFE_INFER_HEAD_DIM_MAX);
    hp->n_rot = hp->head_dim;
    if ((rc = opt_dim(g, a, "rope.dimension_count", hp->head_dim, &hp->n_rot, e)))
        return rc;
    if (hp->n_rot % 2)
        return osafe_errf(e, OSAFE_EUNSUPPORTED,
                          "model: rope.dimension_count %u is odd", hp->n_rot);
    hp->eps = 1e-5f;
    hp->rope_base = 10000.0f;
    if ((rc = opt_float(g, a, "attention.layer_norm_rms_epsilon", &hp->eps, e)) ||
        (rc = opt_float(g, a, "rope.freq_base", &hp->rope_base, e)))
        return rc;
    if (!(hp->eps > 0 && hp->eps < 1) || !(hp->rope_base > 1))
        return osafe_errf(e, OSAFE_EUNSUPPORTED,
                          "model: RMS epsilon %g or RoPE base %g out of range",
                          (double)hp->eps, (double)hp->rope_base);
    /* the converter permuted llama's q/k for the (2i, 2i+1) pairing; the
     * others keep HF's rotate_half halves.  Gemma's "1 + w" norm weight is
     * already folded in by the converter: plain RMSNorm on the stored w. */
    hp->rope_neox = a != INFER_ARCH_LLAMA;
    hp->gemma = a == INFER_ARCH_GEMMA;
    return read_rope_scaling(g, hp, e);
}

/* Find name and check it is [cols, rows] (rows 1 for a vector). */
static int find_mat(const gguf_file *g, const char *name, uint32_t cols,
                    uint32_t rows, model__mat *out, osafe_err *e)
{
    const gguf_tensor *t = gguf_tensor_find(g, name);
    if (!t)
        return osafe_errf(e, OSAFE_ENOTFOUND, "model: tensor '%s' is missing",
                          name);
    if (t->ne[0] != cols || t->ne[1] != rows || t->ne[2] != 1 ||
        t->ne[3] != 1)
        return osafe_errf(e, OSAFE_ECORRUPT,
                          "model: tensor '%s' is [%llu, %llu, %llu, %llu], "
                          "expected [%u, %u]",
                          name, (unsigned long long)t->ne[0],
                          (unsigned long long)t->ne[1],
                          (unsigned long long)t->ne[2],
                          (unsigned long long)t->ne[3], cols, rows);
    out->data = t->data;
    out->type = t->type;
    out->rows = rows;
    out->cols = cols;
    out->row_bytes = quant_row_bytes(t->type, cols);
    return 0;
}

/* A vector tensor copied out as floats (owned by the caller). */
static int find_vec(const gguf_file *g, const char *name, uint32_t n,
                    float **out, osafe_err *e)
{
    model__mat m;
    int rc = find_mat(g, name, n, 1, &m, e);
    if (rc)
        return rc;
    *out = malloc((size_t)n * sizeof **out);
    if (!*out)
        return osafe_errf(e, OSAFE_ENOMEM, "model: out of memory");
    quant_dequant_row(m.type, m.data, *out, n);
    return 0;
}

/* Rows [first, first + n) of m as a matrix of their own (the parts of
 * Phi-3's fused tensors). */
static model__mat rows_of(const model__mat *m, uint32_t first, uint32_t n)
{
    model__mat r = *m;
    r.data = m->data + (size_t)first * m->row_bytes;
    r.rows = n;
    return r;
}

/* Phi-3 fuses q, k and v into attn_qkv (rows: q, then k, then v) and the
 * gate and up projections into ffn_up (rows: gate, then up). */
static int load_phi3_layer(const gguf_file *g, const infer_hparams *hp,
                           uint32_t il, model__layer *L, osafe_err *e)
{
    char n[80];
    uint32_t d = hp->n_embd, q = hp->n_head * hp->head_dim,
             kv = hp->n_head_kv * hp->head_dim, ff = hp->n_ff;
    model__mat qkv, gate_up;
    int rc;
#define T(s) (snprintf(n, sizeof n, "blk.%u." s, il), n)
    if ((rc = find_vec(g, T("attn_norm.weight"), d, &L->attn_norm, e)) ||
        (rc = find_vec(g, T("ffn_norm.weight"), d, &L->ffn_norm, e)) ||
        (rc = find_mat(g, T("attn_qkv.weight"), d, q + 2 * kv, &qkv, e)) ||
        (rc = find_mat(g, T("attn_output.weight"), q, d, &L->wo, e)) ||
        (rc = find_mat(g, T("ffn_up.weight"), d, 2 * ff, &gate_up, e)) ||
        (rc = find_mat(g, T("ffn_down.weight"), ff, d, &L->down, e)))
        return rc;
#undef T
    L->wq = rows_of(&qkv, 0, q);
    L->wk = rows_of(&qkv, q, kv);
    L->wv = rows_of(&qkv, q + kv, kv);
    L->gate = rows_of(&gate_up, 0, ff);
    L->up = rows_of(&gate_up, ff, ff);
    return 0;
}

static int load_layer(const gguf_file *g, const infer_hparams *hp,
                      uint32_t il, model__layer *L, osafe_err *e)
{
    char n[80];
    uint32_t d = hp->n_embd, q = hp->n_head * hp->head_dim,
             kv = hp->n_head_kv * hp->head_dim;
    int rc;
#define T(s) (snprintf(n, sizeof n, "blk.%u." s, il), n)
    if (hp->arch == INFER_ARCH_PHI3)
        return load_phi3_layer(g, hp, il, L, e);
    if ((rc = find_vec(g, T("attn_norm.weight"), d, &L->attn_norm, e)) ||
        (rc = find_vec(g, T("ffn_norm.weight"), d, &L->ffn_norm, e)) ||
        (rc = find_mat(g, T("attn_q.weight"), d, q, &L->wq, e)) ||
        (rc = find_mat(g, T("attn_k.weight"), d, kv, &L->wk, e)) ||
        (rc = find_mat(g, T("attn_v.weight"), d, kv, &L->wv, e)) ||
        (rc = find_mat(g, T("attn_output.weight"), q, d, &L->wo, e)) ||
        (rc = find_mat(g, T("ffn_gate.weight"), d, hp->n_ff, &L->gate, e)) ||
        (rc = find_mat(g, T("ffn_up.weight"), d, hp->n_ff, &L->up, e)) ||
        (rc = find_mat(g, T("ffn_down.weight"), hp->n_ff, d, &L->down, e)))
        return rc;
    if (hp->arch == INFER_ARCH_QWEN2 &&
        ((rc = find_vec(g, T("attn_q.bias"), q, &L->bq, e)) ||
         (rc = find_vec(g, T("attn_k.bias"), kv, &L->bk, e)) ||
         (rc = find_vec(g, T("attn_v.bias"), kv, &L->bv, e))))
        return rc;
#undef T
    return 0;
}

static int load_tensors(infer_model *m, osafe_err *e)
{
    const gguf_file *g = m->g;
    infer_hparams *hp = &m->hp;
    const gguf_tensor *te = gguf_tensor_find(g, "token_embd.weight");
    if (!te)
        return osafe_errf(e, OSAFE_ENOTFOUND,
                          "model: tensor 'token_embd.weight' is missing");
    if (te->ne[1] == 0 || te->ne[1] > OSAFE_INFER_VOCAB_MAX)
        return osafe_errf(e, OSAFE_EUNSUPPORTED,
                          "model: a vocabulary of %llu tokens (at most %u)",
                          (unsigned long long)te->ne[1], OSAFE_INFER_VOCAB_MAX);
    hp->n_vocab = (uint32_t)te->ne[1];
    int rc;
    if ((rc = find_mat(g, "token_embd.weight", hp->n_embd, hp->n_vocab,
                       &m->tok_embd, e)) ||
        (rc = find_vec(g, "output_norm.weight", hp->n_embd, &m->output_norm,
                       e)))
        return rc;
    m->output = m->tok_embd; /* tied unless the file has its own */
    if (gguf_tensor_find(g, "output.weight") &&
        (rc = find_mat(g, "output.weight", hp->n_embd, hp->n_vocab,
                       &m->output, e)))
        return rc;
    if (gguf_tensor_find(g, "rope_factors_long.weight") ||
        gguf_tensor_find(g, "rope_factors_short.weight"))
        return osafe_errf(e, OSAFE_EUNSUPPORTED,
                          "model: LongRoPE (rope_factors_long/short, the "
                          "128k Phi-3 variants) is not supported");
    if (gguf_tensor_find(g, "rope_freqs.weight")) {
        if ((rc = find_vec(g, "rope_freqs.weight", hp->n_rot / 2,
                           &m->rope_freqs, e)))
            return rc;
        for (uint32_t i = 0; i < hp->n_rot / 2; i++)
            if (!(m->rope_freqs[i] > 0) || !isfinite(m->rope_freqs[i]))
                return osafe_errf(e, OSAFE_ECORRUPT,
                                  "model: rope_freqs.weight[%u] is not a "
                                  "positive number", i);
    }
    m->layers = calloc(hp->n_layer, sizeof *m->layers);
    if (!m->layers)
        return osafe_errf(e, OSAFE_ENOMEM, "model: out of memory");
    for (uint32_t il = 0; il < hp->n_layer; il++)
        if ((rc = load_layer(g, hp, il, &m->layers[il], e)))
            return rc;
    return 0;
}

int infer_model_load(const gguf_file *g, infer_model **out, osafe_err *e)
{
    *out = NULL;
    infer_model *m = calloc(1, sizeof *m);
    if (!m)
        return osafe_errf(e, OSAFE_ENOMEM, "model: out of memory");
    m->g = g;
    int rc = read_hparams(g, &m->hp, e);
    if (rc == 0)
        rc = load_tensors(m, e);
    if (rc) {
        infer_model_free(m);
        return rc;
    }
    *out = m;
    return 0;
}

void infer_model_free(infer_model *m)
{
    if (!m)
        return;
    for (uint32_t i = 0; m->layers && i < m->hp.n_layer; i++) {
        model__layer *L = &m->layers[i];
        free(L->attn_norm);
        free(L->ffn_norm);
        free(L->bq);
        free(L->bk);
        free(L->bv);
    }
    free(m->layers);
    free(m->output_norm);
    free(m->rope_freqs);
    free(m);
}

const infer_hparams *infer_model_hparams(const infer_model *m)
{
    return &m->hp;
}
