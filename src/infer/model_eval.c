/*
 * model_eval.c - the forward pass of the llama family (model.h; gemma:
 * x scaled by sqrt(n_embd) first, GELU for SiLU):
 *
 *   x = token_embd[tok]
 *   per layer: h = rmsnorm(x)·attn_norm; q, k, v = Wq·h (+bq), Wk·h, Wv·h
 *              rope(q, k); append k, v to the cache
 *              per head: softmax(q·kᵀ/√head_dim, causal)·v, KV head shared
 *              by n_head/n_head_kv query heads (GQA)
 *              x += Wo·heads; h = rmsnorm(x)·ffn_norm
 *              x += Wdown·(silu(Wgate·h) ⊙ Wup·h)
 *   logits = Woutput·(rmsnorm(x)·output_norm)
 *
 * Matrix rows and attention heads are spread over the pool; each is
 * computed whole by one thread, in a fixed order, so the thread count
 * never changes a bit of the result.  A prompt is processed in batches of
 * up to QUANT_BATCH_MAX tokens: the tiled products (quant_gemm) load each
 * weight block once for several tokens, and every token's sums still run
 * in the single-token order, so batching does not change a bit either.
 * The products that share an input run as one pool job (q, k and v; the
 * FFN's gate and up, with the activation), to wait for the workers fewer
 * times per token.
 *
 * The KV cache is kept in f16, as llama.cpp keeps it, with its roundings
 * in the attention: q is rounded to f16 before q·k, the softmax is summed
 * in double and its weights are rounded to f16 before they weigh V.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "infer/model_int.h"
#include "infer/pool.h"
#include "infer/quant.h"
#include "infer/sample.h"

struct infer_ctx {
    const infer_model *m;
    infer_pool *pool;
    uint32_t n_ctx, pos;
    uint16_t *kcache, *vcache; /* f16, [layer][pos][n_head_kv·head_dim] */
    /* one row per token of the batch (QUANT_BATCH_MAX rows) */
    float *x, *h, *q, *k, *v, *att_out, *ff_a, *ff_b;
    float *scores; /* n_head rows of n_ctx: each head's attention weights */
    float *rope_cs; /* per batch token, n_rot/2 (cos, sin) pairs */
    /* the batch's rows quantized to Q8_0 for the integer kernels */
    int8_t *xq;
    float *xd;
    int16_t *xbs; /* Q8_K's sums of 16 quants */
    int path; /* QUANT_PATH_*: the best, or scalar when the environment
                 asks (OSAFE_INFER_SCALAR=1, for the tests) */
};

static size_t kv_dim(const infer_hparams *hp)
{
    return (size_t)hp->n_head_kv * hp->head_dim;
}

int infer_ctx_new(const infer_model *m, uint32_t n_ctx, unsigned n_threads,
                  infer_ctx **out, osafe_err *e)
{
    *out = NULL;
    const infer_hparams *hp = &m->hp;
    if (n_ctx == 0)
        n_ctx = hp->n_ctx_train < OSAFE_INFER_CTX_MAX ? hp->n_ctx_train
                                                      : OSAFE_INFER_CTX_MAX;
    if (n_ctx > OSAFE_INFER_CTX_MAX)
        return osafe_errf(e, OSAFE_EINVAL, "context of %u tokens (at most %u)",
                          n_ctx, OSAFE_INFER_CTX_MAX);
    infer_ctx *c = calloc(1, sizeof *c);
    if (!c)
        return osafe_errf(e, OSAFE_ENOMEM, "context: out of memory");
    c->m = m;
    c->n_ctx = n_ctx;
    int rc = infer_pool_new(n_threads, &c->pool, e);
    if (rc) {
        free(c);
        return rc;
    }
    /* every factor is bounded by limits.h, so the products fit in 64 bits */
    size_t cache = (size_t)hp->n_layer * n_ctx * kv_dim(hp);
    size_t qd = (size_t)hp->n_head * hp->head_dim;
    size_t wide = qd > hp->n_embd ? qd : hp->n_embd;
    c->kcache = malloc(cache * sizeof(uint16_t));
    c->vcache = malloc(cache * sizeof(uint16_t));
    c->rope_cs = malloc((size_t)hp->n_rot * QUANT_BATCH_MAX * sizeof(float));
    size_t nb = QUANT_BATCH_MAX * sizeof(float);
    c->x = malloc(hp->n_embd * nb);
    c->h = malloc(wide * nb);
    c->q = malloc(qd * nb);
    c->k = malloc(kv_dim(hp) * nb);
    c->v = malloc(kv_dim(hp) * nb);
    c->att_out = malloc(qd * nb);
    c->ff_a = malloc((size_t)hp->n_ff * nb);
    c->ff_b = malloc((size_t)hp->n_ff * nb);
    c->scores = malloc((size_t)hp->n_head * n_ctx * sizeof(float));
    size_t widest = wide > hp->n_ff ? wide : hp->n_ff;
    c->xq = malloc(widest * QUANT_BATCH_MAX);
    c->xd = malloc(widest / 32 * nb);
    c->xbs = malloc(widest / 16 * QUANT_BATCH_MAX * sizeof(int16_t));
    const char *sc = getenv("OSAFE_INFER_SCALAR");
    c->path = sc && strcmp(sc, "1") == 0 ? QUANT_PATH_SCALAR
                                         : quant_path_best();
    if (!c->kcache || !c->vcache || !c->x || !c->h || !c->q || !c->k ||
        !c->v || !c->att_out || !c->ff_a || !c->ff_b || !c->scores || !c->xq || !c->xd || !c->xbs ||
        !c->rope_cs) {
        infer_ctx_free(c);
        return osafe_errf(e, OSAFE_ENOMEM,
                          "context of %u tokens: out of memory (the KV cache "
                          "alone is %zu MiB)",
                          n_ctx, 2 * cache * sizeof(uint16_t) >> 20);
    }
    *out = c;
    return 0;
}

void infer_ctx_free(infer_ctx *c)
{
    if (!c)
        return;
    infer_pool_free(c->pool);
    free(c->kcache);
    free(c->vcache);
    free(c->x);
    free(c->h);
    free(c->q);
    free(c->k);
    free(c->v);
    free(c->att_out);
    free(c->ff_a);
    free(c->ff_b);
    free(c->scores);
    free(c->rope_cs);
    free(c->xq);
    free(c->xd);
    free(c->xbs);
    free(c);
}

uint32_t infer_ctx_pos(const infer_ctx *c) { return c->pos; }
uint32_t infer_ctx_size(const infer_ctx *c) { return c->n_ctx; }
void infer_ctx_reset(infer_ctx *c) { c->pos = 0; }

/* ---- matrix products on the pool ---- */

/* Up to three products of one input, y_j[b][r] = W_j[r]·x[b], as one pool
 * job over all their rows; or (ffn) the gate and up products of the FFN,
 * row by row, each range of rows finished with y_0 = act(y_0)·y_1. */
typedef struct matvec {
    const model__mat *w[3];
    float *y[3];
    size_t n_mat;
    const float *x;
    size_t nb;
    quant_acts a; /* x quantized (a.q set) for quant_gemm_supported types */
    int path;
    int ffn, gemma;
} matvec;

static void matvec_one(const matvec *mv, size_t j, size_t b, size_t e)
{
    const model__mat *w = mv->w[j];
    if (mv->a.q) {
        quant_gemm(w->type, w->data, w->row_bytes, b, e, w->cols, &mv->a,
                   mv->y[j], w->rows, mv->path);
        return;
    }
    for (size_t r = b; r < e; r++)
        quant_dot_batch(w->type, w->data + r * w->row_bytes, mv->x, w->cols,
                        mv->nb, mv->y[j] + r, w->rows, w->cols);
}

/* e^x for the softmax and SiLU: below EXP_ZERO expf is +0 and above
 * EXP_INF +infinity, the same values, but libm reaches them through its
 * slow under/overflow path (and errno), which random and real activations
 * hit often. */
#define EXP_ZERO (-104.0f) /* e^-104 < half the smallest subnormal */
#define EXP_INF 89.0f      /* e^89 > FLT_MAX */
static float exp_act(float x)
{
    return x < EXP_ZERO ? 0.0f : x > EXP_INF ? INFINITY : expf(x);
}

/* SiLU, or Gemma's GELU in its tanh form. */
static float ffn_act(float g, int gemma)
{
    return gemma ? 0.5f * g *
                       (1.0f + tanhf(0.7978845608f * (g + 0.044715f * g * g * g)))
                 : g / (1.0f + exp_act(-g));
}

static void matvec_rows(void *arg, size_t b, size_t e)
{
    const matvec *mv = arg;
    if (mv->ffn) {
        matvec_one(mv, 0, b, e);
        matvec_one(mv, 1, b, e);
        size_t ff = mv->w[0]->rows;
        for (size_t t = 0; t < mv->nb; t++)
            for (size_t r = b; r < e; r++) {
                float *g = mv->y[0] + t * ff + r;
                *g = ffn_act(*g, mv->gemma) * mv->y[1][t * ff + r];
            }
        return;
    }
    size_t base = 0;
    for (size_t j = 0; j < mv->n_mat; j++) {
        size_t rows = mv->w[j]->rows;
        size_t lo = b > base ? b : base, hi = e < base + rows ? e : base + rows;
        if (lo < hi)
            matvec_one(mv, j, lo - base, hi - base);
        base += rows;
    }
}

/* 0: float kernels, 1: Q8_0 activations, 2: Q8_K activations. */
static int act_kind(uint32_t type)
{
    return quant_q8_supported(type) ? 1 : quant_q8k_supported(type) ? 2 : 0;
}

/* Quantize the batch x (rows of cols) as weights of type want it, once,
 * before the workers share it. */
static void quantize_batch(infer_ctx *c, uint32_t type, const float *x,
                           size_t cols, size_t nb, quant_acts *a)
{
    *a = (quant_acts){NULL, NULL, NULL, cols, nb};
    int k = act_kind(type);
    for (size_t b = 0; b < nb && k; b++) {
        if (k == 1)
            quant_act_q8_0_path(x + b * cols, cols, c->xq + b * cols,
                                c->xd + b * (cols / 32), c->path);
        else
            quant_act_q8_k_path(x + b * cols, cols, c->xq + b * cols,
                                c->xd + b * (cols / 256),
                                c->xbs + b * (cols / 16), c->path);
    }
    if (k) {
        a->q = c->xq;
        a->d = c->xd;
        a->bsum = k == 2 ? c->xbs : NULL;
    }
}

/* y_j = W_j·x for the n (<= 3) matrices of one input; one pool job when
 * their activations quantize alike, else one each. */
static void mat_mul_n(infer_ctx *c, const model__mat *const *w, float *const *y,
                      size_t n, const float *x, size_t nb)
{
    int same = 1;
    for (size_t j = 1; j < n; j++)
        same &= act_kind(w[j]->type) == act_kind(w[0]->type);
    size_t step = same ? n : 1;
    for (size_t j0 = 0; j0 < n; j0 += step) {
        matvec mv = {{NULL, NULL, NULL}, {NULL, NULL, NULL}, step, x, nb,
                     {0}, c->path, 0, 0};
        size_t rows = 0;
        for (size_t j = 0; j < step; j++) {
            mv.w[j] = w[j0 + j];
            mv.y[j] = y[j0 + j];
            rows += w[j0 + j]->rows;
        }
        quantize_batch(c, w[j0]->type, x, w[j0]->cols, nb, &mv.a);
        infer_pool_run(c->pool, matvec_rows, &mv, rows);
    }
}

static void mat_mul(infer_ctx *c, const model__mat *w, const float *x,
                    float *y, size_t nb)
{
    mat_mul_n(c, &w, &y, 1, x, nb);
}

/* ff_a = act(gate·h)·(up·h) for the batch. */
static void ffn_gate_up(infer_ctx *c, const model__layer *L, size_t nb)
{
    size_t ff = c->m->hp.n_ff;
    if (act_kind(L->gate.type) != act_kind(L->up.type)) {
        mat_mul(c, &L->gate, c->h, c->ff_a, nb);
        mat_mul(c, &L->up, c->h, c->ff_b, nb);
        for (size_t i = 0; i < nb * ff; i++)
            c->ff_a[i] = ffn_act(c->ff_a[i], c->m->hp.gemma) * c->ff_b[i];
        return;
    }
    matvec mv = {{&L->gate, &L->up, NULL}, {c->ff_a, c->ff_b, NULL}, 2, c->h,
                 nb, {0}, c->path, 1, c->m->hp.gemma};
    quantize_batch(c, L->gate.type, c->h, L->gate.cols, nb, &mv.a);
    infer_pool_run(c->pool, matvec_rows, &mv, ff);
}

static void rmsnorm(float *out, const float *x, const float *w, size_t n,
                    float eps)
{
    float ss = 0;
    for (size_t i = 0; i < n; i++)
        ss += x[i] * x[i];
    float scale = 1.0f / sqrtf(ss / (float)n + eps);
    for (size_t i = 0; i < n; i++)
        out[i] = x[i] * scale * w[i];
}

/* cos and sin of θ_i = pos·base^(−2i/n_rot)·scale / freqs[i] for the
 * batch's positions, θ built by repeated multiplication as ggml does, so
 * that long positions round alike; once per batch, for every layer. */
static void rope_table(infer_ctx *c, size_t nb, uint32_t pos0)
{
    const infer_model *m = c->m;
    const infer_hparams *hp = &m->hp;
    float step = powf(hp->rope_base, -2.0f / (float)hp->n_rot);
    uint32_t half = hp->n_rot / 2;
    for (size_t b = 0; b < nb; b++) {
        float theta = (float)(pos0 + (uint32_t)b);
        float *cs = c->rope_cs + b * 2 * half;
        for (uint32_t i = 0; i < half; i++) {
            float t = theta * hp->rope_scale;
            if (m->rope_freqs)
                t /= m->rope_freqs[i];
            cs[2 * i] = cosf(t);
            cs[2 * i + 1] = sinf(t);
            theta *= step;
        }
    }
}

/* Rotate the n_rot first dimensions of each of n_heads vectors at v by
 * the table's row cs. */
static void rope(const infer_hparams *hp, float *v, uint32_t n_heads,
                 const float *cs)
{
    uint32_t half = hp->n_rot / 2;
    for (uint32_t hd = 0; hd < n_heads; hd++) {
        float *p = v + (size_t)hd * hp->head_dim;
        for (uint32_t i = 0; i < half; i++) {
            uint32_t a = hp->rope_neox ? i : 2 * i;
            uint32_t b = hp->rope_neox ? i + half : 2 * i + 1;
            float x0 = p[a], x1 = p[b];
            p[a] = x0 * cs[2 * i] - x1 * cs[2 * i + 1];
            p[b] = x0 * cs[2 * i + 1] + x1 * cs[2 * i];
        }
    }
}

/* ---- attention, one head per work item ---- */

/* The batch's nb tokens at positions pos0.. of one layer: their q rows
 * (f16 values) and the cache hold everything. */
typedef struct attn {
    infer_ctx *c;
    uint32_t layer, pos0;
    size_t nb;
} attn;

static void attn_heads(void *arg, size_t b, size_t e)
{
    const attn *a = arg;
    infer_ctx *c = a->c;
    const infer_hparams *hp = &c->m->hp;
    size_t kvd = kv_dim(hp), hd = hp->head_dim;
    size_t qd = (size_t)hp->n_head * hd;
    uint32_t group = hp->n_head / hp->n_head_kv;
    const uint16_t *kl = c->kcache + (size_t)a->layer * c->n_ctx * kvd;
    const uint16_t *vl = c->vcache + (size_t)a->layer * c->n_ctx * kvd;
    float inv = 1.0f / sqrtf((float)hd);
    for (size_t h = b; h < e; h++) {
        size_t off = (h / group) * hd;
        float *s = c->scores + h * c->n_ctx;
        for (size_t t = 0; t < a->nb; t++) {
            uint32_t n_pos = a->pos0 + (uint32_t)t + 1;
            const float *q = c->q + t * qd + h * hd;
            float mx = -INFINITY;
            for (uint32_t p = 0; p < n_pos; p++) {
                s[p] = quant_dot_f16(q, kl + p * kvd + off, hd, c->path) * inv;
                mx = s[p] > mx ? s[p] : mx;
            }
            double sum = 0; /* as ggml's soft_max sums */
            for (uint32_t p = 0; p < n_pos; p++) {
                s[p] = exp_act(s[p] - mx);
                sum += s[p];
            }
            float is = (float)(1.0 / sum);
            float *o = c->att_out + t * qd + h * hd;
            memset(o, 0, hd * sizeof *o);
            for (uint32_t p = 0; p < n_pos; p++)
                s[p] *= is;
            quant_round_f16(s, n_pos, c->path);
            for (uint32_t p = 0; p < n_pos; p++)
                quant_axpy_f16(s[p], vl + p * kvd + off, o, hd, c->path);
        }
    }
}

static void add_bias(float *v, const float *b, size_t n)
{
    if (b)
        for (size_t i = 0; i < n; i++)
            v[i] += b[i];
}

/* Attention of the nb tokens at positions pos0.. of layer il: rope, the
 * cache, then each token over the positions up to its own. */
static void attention(infer_ctx *c, uint32_t il, size_t nb, uint32_t pos0)
{
    const infer_model *m = c->m;
    const infer_hparams *hp = &m->hp;
    const model__layer *L = &m->layers[il];
    size_t kvd = kv_dim(hp), qd = (size_t)hp->n_head * hp->head_dim;
    for (size_t b = 0; b < nb; b++) {
        float *q = c->q + b * qd, *k = c->k + b * kvd, *v = c->v + b * kvd;
        const float *cs = c->rope_cs + b * hp->n_rot;
        add_bias(q, L->bq, qd);
        add_bias(k, L->bk, kvd);
        add_bias(v, L->bv, kvd);
        rope(hp, q, hp->n_head, cs);
        rope(hp, k, hp->n_head_kv, cs);
        quant_round_f16(q, qd, c->path); /* q·k takes q in f16, as ggml's */
        size_t at = ((size_t)il * c->n_ctx + pos0 + b) * kvd;
        quant_row_to_f16_path(k, c->kcache + at, kvd, c->path);
        quant_row_to_f16_path(v, c->vcache + at, kvd, c->path);
    }
    attn a = {c, il, pos0, nb};
    infer_pool_run(c->pool, attn_heads, &a, hp->n_head);
}

static void layer_forward(infer_ctx *c, uint32_t il, size_t nb, uint32_t pos0)
{
    const infer_model *m = c->m;
    const infer_hparams *hp = &m->hp;
    const model__layer *L = &m->layers[il];
    size_t d = hp->n_embd;
    for (size_t b = 0; b < nb; b++)
        rmsnorm(c->h + b * d, c->x + b * d, L->attn_norm, d, hp->eps);
    const model__mat *qkv[3] = {&L->wq, &L->wk, &L->wv};
    float *out[3] = {c->q, c->k, c->v};
    mat_mul_n(c, qkv, out, 3, c->h, nb);
    attention(c, il, nb, pos0);
    mat_mul(c, &L->wo, c->att_out, c->h, nb);
    for (size_t i = 0; i < nb * d; i++)
        c->x[i] += c->h[i];
    for (size_t b = 0; b < nb; b++)
        rmsnorm(c->h + b * d, c->x + b * d, L->ffn_norm, d, hp->eps);
    ffn_gate_up(c, L, nb);
    mat_mul(c, &L->down, c->ff_a, c->h, nb);
    for (size_t i = 0; i < nb * d; i++)
        c->x[i] += c->h[i];
}

/* nb (<= QUANT_BATCH_MAX) tokens at positions c->pos..; the logits of
 * the last one when logits is not NULL. */
static void forward(infer_ctx *c, const int32_t *tok, size_t nb,
                    float *logits)
{
    const infer_model *m = c->m;
    const infer_hparams *hp = &m->hp;
    size_t d = hp->n_embd;
    for (size_t b = 0; b < nb; b++)
        quant_dequant_row(m->tok_embd.type,
                          m->tok_embd.data +
                              (size_t)tok[b] * m->tok_embd.row_bytes,
                          c->x + b * d, d);
    if (hp->gemma) {
        float sc = sqrtf((float)d);
        for (size_t i = 0; i < nb * d; i++)
            c->x[i] *= sc;
    }
    rope_table(c, nb, c->pos);
    for (uint32_t il = 0; il < hp->n_layer; il++)
        layer_forward(c, il, nb, c->pos);
    if (logits) {
        rmsnorm(c->h, c->x + (nb - 1) * d, m->output_norm, d, hp->eps);
        mat_mul(c, &m->output, c->h, logits, 1);
    }
    c->pos += (uint32_t)nb;
}

int infer_eval(infer_ctx *c, const int32_t *tokens, size_t n, float *logits,
               osafe_err *e)
{
    const infer_hparams *hp = &c->m->hp;
    for (size_t i = 0; i < n; i++)
        if (tokens[i] < 0 || (uint32_t)tokens[i] >= hp->n_vocab)
            return osafe_errf(e, OSAFE_EINVAL,
                              "token %zu is id %d, outside the vocabulary of "
                              "%u",
                              i, (int)tokens[i], hp->n_vocab);
    if (n > c->n_ctx - c->pos)
        return osafe_errf(e, OSAFE_ETOOBIG,
                          "%zu more tokens do not fit the context (%u of %u "
                          "used)",
                          n, c->pos, c->n_ctx);
    for (size_t i = 0; i < n; i += QUANT_BATCH_MAX) {
        size_t nb = n - i < QUANT_BATCH_MAX ? n - i : QUANT_BATCH_MAX;
        forward(c, tokens + i, nb, i + nb == n ? logits : NULL);
    }
    return 0;
}

static int32_t argmax(const float *v, uint32_t n)
{
    uint32_t best = 0;
    for (uint32_t i = 1; i < n; i++)
        if (v[i] > v[best])
            best = i;
    return (int32_t)best;
}

int infer_generate(infer_ctx *c, const int32_t *prompt, size_t n_prompt,
                   size_t max_new, const int32_t *stop, size_t n_stop,
                   infer_sampler *smp, int32_t *out, size_t *n_out,
                   osafe_err *e)
{
    *n_out = 0;
    if (n_prompt == 0)
        return osafe_errf(e, OSAFE_EINVAL, "decoding: empty prompt");
    float *logits = malloc((size_t)c->m->hp.n_vocab * sizeof *logits);
    if (!logits)
        return osafe_errf(e, OSAFE_ENOMEM, "decoding: out of memory");
    int rc = infer_eval(c, prompt, n_prompt, logits, e);
    while (rc == 0 && *n_out < max_new) {
        int32_t t = smp ? infer_sample(smp, logits)
                        : argmax(logits, c->m->hp.n_vocab);
        size_t s = 0;
        while (s < n_stop && stop[s] != t)
            s++;
        if (s < n_stop)
            break;
        out[(*n_out)++] = t;
        if (*n_out == max_new || c->pos == c->n_ctx)
            break;
        rc = infer_eval(c, &t, 1, logits, e);
    }
    free(logits);
    return rc;
}

static double log_softmax_at(const float *l, uint32_t n, int32_t t)
{
    float mx = l[0];
    for (uint32_t i = 1; i < n; i++)
        mx = l[i] > mx ? l[i] : mx;
    double sum = 0;
    for (uint32_t i = 0; i < n; i++)
        sum += exp((double)l[i] - mx);
    return (double)l[t] - mx - log(sum);
}

int infer_logprob(infer_ctx *c, const int32_t *prompt, size_t np,
                  const int32_t *cont, size_t nc, double *out, osafe_err *e)
{
    *out = 0;
    uint32_t nv = c->m->hp.n_vocab;
    if (np == 0 || nc == 0)
        return osafe_errf(e, OSAFE_EINVAL,
                          "log-probability: empty prompt or continuation");
    for (size_t i = 0; i < nc; i++)
        if (cont[i] < 0 || (uint32_t)cont[i] >= nv)
            return osafe_errf(e, OSAFE_EINVAL,
                              "continuation token %zu is id %d, outside the "
                              "vocabulary of %u",
                              i, (int)cont[i], nv);
    if (nc > c->n_ctx - c->pos || np > c->n_ctx - c->pos - nc)
        return osafe_errf(e, OSAFE_ETOOBIG,
                          "prompt and continuation (%zu tokens) do not fit "
                          "the context (%u of %u used)",
                          np + nc, c->pos, c->n_ctx);
    float *logits = malloc((size_t)nv * sizeof *logits);
    if (!logits)
        return osafe_errf(e, OSAFE_ENOMEM, "log-probability: out of memory");
    int rc = infer_eval(c, prompt, np, logits, e);
    for (size_t i = 0; rc == 0 && i < nc; i++) {
        *out += log_softmax_at(logits, nv, cont[i]);
        if (i + 1 < nc)
            rc = infer_eval(c, &cont[i], 1, logits, e);
    }
    free(logits);
    return rc;
}

int infer_greedy(infer_ctx *c, const int32_t *prompt, size_t n_prompt,
                 size_t max_new, const int32_t *stop, size_t n_stop,
                 int32_t *out, size_t *n_out, osafe_err *e)
{
    return infer_generate(c, prompt, n_prompt, max_new, stop, n_stop, NULL,
                          out, n_out, e);
}
