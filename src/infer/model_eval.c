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
 * up to QUANT_BATCH_MAX tokens: each weight block is decoded once for the
 * batch, and every token's sums still run in the single-token order, so
 * batching does not change a bit either.  The KV cache is kept in f32 in
 * this first version (docs/INFERENCE.md).
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
    float *kcache, *vcache; /* [layer][pos][n_head_kv·head_dim] */
    /* one row per token of the batch (QUANT_BATCH_MAX rows) */
    float *x, *h, *q, *k, *v, *att_out, *ff_a, *ff_b;
    float *scores; /* n_head rows of n_ctx, for one token's attention */
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
    c->kcache = malloc(cache * sizeof(float));
    c->vcache = malloc(cache * sizeof(float));
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
        !c->v || !c->att_out || !c->ff_a || !c->ff_b || !c->scores || !c->xq || !c->xd || !c->xbs) {
        infer_ctx_free(c);
        return osafe_errf(e, OSAFE_ENOMEM,
                          "context of %u tokens: out of memory (the KV cache "
                          "alone is %zu MiB)",
                          n_ctx, 2 * cache * sizeof(float) >> 20);
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
    free(c->xq);
    free(c->xd);
    free(c->xbs);
    free(c);
}

uint32_t infer_ctx_pos(const infer_ctx *c) { return c->pos; }
uint32_t infer_ctx_size(const infer_ctx *c) { return c->n_ctx; }
void infer_ctx_reset(infer_ctx *c) { c->pos = 0; }

/* ---- matrix-vector products on the pool ---- */

/* y[b][r] = W[r]·x[b] for the nb vectors of x (rows of w->cols) into y
 * (rows of w->rows). */
typedef struct matvec {
    const model__mat *w;
    const float *x;
    float *y;
    size_t nb;
    const int8_t *xq; /* x quantized, for quant_q8_supported types */
    const float *xd;
    const int16_t *xbs; /* set for quant_q8k_supported types */
    int path;
} matvec;

static void matvec_rows(void *arg, size_t b, size_t e)
{
    const matvec *mv = arg;
    const model__mat *w = mv->w;
    if (mv->xq) {
        quant_acts a = {mv->xq, mv->xd, mv->xbs, w->cols, mv->nb};
        quant_gemm(w->type, w->data, w->row_bytes, b, e, w->cols, &a, mv->y,
                   w->rows, mv->path);
        return;
    }
    for (size_t r = b; r < e; r++)
        quant_dot_batch(w->type, w->data + r * w->row_bytes, mv->x, w->cols,
                        mv->nb, mv->y + r, w->rows, w->cols);
}

static void mat_mul(infer_ctx *c, const model__mat *w, const float *x,
                    float *y, size_t nb)
{
    matvec mv = {w, x, y, nb, NULL, NULL, NULL, c->path};
    if (quant_q8_supported(w->type)) {
        /* once per batch row, before the workers share it */
        for (size_t b = 0; b < nb; b++)
            quant_act_q8_0_path(x + b * w->cols, w->cols,
                                c->xq + b * w->cols,
                                c->xd + b * (w->cols / 32), c->path);
        mv.xq = c->xq;
        mv.xd = c->xd;
    } else if (quant_q8k_supported(w->type)) {
        for (size_t b = 0; b < nb; b++)
            quant_act_q8_k(x + b * w->cols, w->cols, c->xq + b * w->cols,
                           c->xd + b * (w->cols / 256),
                           c->xbs + b * (w->cols / 16));
        mv.xq = c->xq;
        mv.xd = c->xd;
        mv.xbs = c->xbs;
    }
    infer_pool_run(c->pool, matvec_rows, &mv, w->rows);
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

/* Rotate the n_rot first dimensions of each of n_heads vectors at v.
 * θ_i = pos·base^(−2i/n_rot)·scale / freqs[i], built by repeated
 * multiplication as ggml does, so that long positions round alike. */
static void rope(const infer_model *m, float *v, uint32_t n_heads,
                 uint32_t pos)
{
    const infer_hparams *hp = &m->hp;
    float step = powf(hp->rope_base, -2.0f / (float)hp->n_rot);
    uint32_t half = hp->n_rot / 2;
    for (uint32_t hd = 0; hd < n_heads; hd++) {
        float *p = v + (size_t)hd * hp->head_dim;
        float theta = (float)pos;
        for (uint32_t i = 0; i < half; i++) {
            float t = theta * hp->rope_scale;
            if (m->rope_freqs)
                t /= m->rope_freqs[i];
            float cs = cosf(t), sn = sinf(t);
            uint32_t a = hp->rope_neox ? i : 2 * i;
            uint32_t b = hp->rope_neox ? i + half : 2 * i + 1;
            float x0 = p[a], x1 = p[b];
            p[a] = x0 * cs - x1 * sn;
            p[b] = x0 * sn + x1 * cs;
            theta *= step;
        }
    }
}

/* ---- attention, one head per work item ---- */

/* One token's attention at position pos: q and out are its rows. */
typedef struct attn {
    infer_ctx *c;
    uint32_t layer, pos;
    const float *q;
    float *out;
} attn;

static void attn_heads(void *arg, size_t b, size_t e)
{
    const attn *a = arg;
    infer_ctx *c = a->c;
    const infer_hparams *hp = &c->m->hp;
    size_t kvd = kv_dim(hp), hd = hp->head_dim;
    uint32_t n_pos = a->pos + 1, group = hp->n_head / hp->n_head_kv;
    const float *kl = c->kcache + (size_t)a->layer * c->n_ctx * kvd;
    const float *vl = c->vcache + (size_t)a->layer * c->n_ctx * kvd;
    float inv = 1.0f / sqrtf((float)hd);
    for (size_t h = b; h < e; h++) {
        const float *q = a->q + h * hd;
        size_t off = (h / group) * hd;
        float *s = c->scores + h * c->n_ctx, mx = -INFINITY, sum = 0;
        for (uint32_t t = 0; t < n_pos; t++) {
            const float *k = kl + t * kvd + off;
            float d = 0;
            for (size_t i = 0; i < hd; i++)
                d += q[i] * k[i];
            s[t] = d * inv;
            mx = s[t] > mx ? s[t] : mx;
        }
        for (uint32_t t = 0; t < n_pos; t++) {
            s[t] = expf(s[t] - mx);
            sum += s[t];
        }
        float *o = a->out + h * hd;
        memset(o, 0, hd * sizeof *o);
        for (uint32_t t = 0; t < n_pos; t++) {
            const float *v = vl + t * kvd + off;
            float w = s[t] / sum;
            for (size_t i = 0; i < hd; i++)
                o[i] += w * v[i];
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
        add_bias(q, L->bq, qd);
        add_bias(k, L->bk, kvd);
        add_bias(v, L->bv, kvd);
        rope(m, q, hp->n_head, pos0 + (uint32_t)b);
        rope(m, k, hp->n_head_kv, pos0 + (uint32_t)b);
        size_t at = ((size_t)il * c->n_ctx + pos0 + b) * kvd;
        memcpy(c->kcache + at, k, kvd * sizeof(float));
        memcpy(c->vcache + at, v, kvd * sizeof(float));
    }
    for (size_t b = 0; b < nb; b++) {
        attn a = {c, il, pos0 + (uint32_t)b, c->q + b * qd,
                  c->att_out + b * qd};
        infer_pool_run(c->pool, attn_heads, &a, hp->n_head);
    }
}

static void layer_forward(infer_ctx *c, uint32_t il, size_t nb, uint32_t pos0)
{
    const infer_model *m = c->m;
    const infer_hparams *hp = &m->hp;
    const model__layer *L = &m->layers[il];
    size_t d = hp->n_embd, ff = hp->n_ff;
    for (size_t b = 0; b < nb; b++)
        rmsnorm(c->h + b * d, c->x + b * d, L->attn_norm, d, hp->eps);
    mat_mul(c, &L->wq, c->h, c->q, nb);
    mat_mul(c, &L->wk, c->h, c->k, nb);
    mat_mul(c, &L->wv, c->h, c->v, nb);
    attention(c, il, nb, pos0);
    mat_mul(c, &L->wo, c->att_out, c->h, nb);
    for (size_t i = 0; i < nb * d; i++)
        c->x[i] += c->h[i];
    for (size_t b = 0; b < nb; b++)
        rmsnorm(c->h + b * d, c->x + b * d, L->ffn_norm, d, hp->eps);
    mat_mul(c, &L->gate, c->h, c->ff_a, nb);
    mat_mul(c, &L->up, c->h, c->ff_b, nb);
    for (size_t i = 0; i < nb * ff; i++) {
        float g = c->ff_a[i];
        /* SiLU, or Gemma's GELU in its tanh form */
        float act = hp->gemma ? 0.5f * g *
                                    (1.0f + tanhf(0.7978845608f *
                                                  (g + 0.044715f * g * g * g)))
                              : g / (1.0f + expf(-g));
        c->ff_a[i] = act * c->ff_b[i];
    }
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
