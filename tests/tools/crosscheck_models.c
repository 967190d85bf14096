/*
 * crosscheck_models.c - writes the GGUF test models of the llama.cpp
 * cross-check (tests/crosscheck/README.md): every architecture (llama,
 * qwen2, gemma, phi3), tensor type and tokenizer kind that src/infer
 * supports, with random but valid
 * weights (tests/unit/gguf_writer.c) and vocabularies that llama.cpp's
 * loader accepts:
 *   - SentencePiece ("llama"): <unk> <s> </s>, the 256 byte tokens
 *     <0x00>..<0xFF> (type BYTE), the corpus's characters seen twice or
 *     more, then pieces learnt by merging the most frequent pairs (score:
 *     minus the merge's rank).  Rarer characters (most emoji) fall back
 *     to bytes.
 *   - byte-level BPE ("gpt2", pre-tokenizer qwen2 or llama-bpe): the 256
 *     byte characters of GPT-2's byte-to-unicode map, the merges learnt
 *     the same way on space-split words, then the special tokens.
 * Both are learnt from the "texts" of the cross-check's JSON file, so
 * that the multilingual texts exercise real merges, not only bytes.
 *
 * Usage: crosscheck_models TEXTS.json OUTDIR
 * Writes OUTDIR/<arch>-<tokenizer>-<type>.gguf (every matrix of that type;
 * q4_k_m: llama.cpp's Q4_K_M mix) and OUTDIR/llama-outonly-<type>.gguf
 * (only output.weight quantized), and prints their names.
 * Test code: every failure prints a message and exits non-zero.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/gguf_writer.h"

enum { EMBD = 256, HEADS = 4, KV_HEADS = 2, HD = 64, FF = 512, LAYERS = 2,
       CTX = 256, MERGES = 240, VOCAB_MAX = 2048 };

enum { T_F32 = 0, T_F16 = 1, T_Q4_0 = 2, T_Q5_0 = 6, T_Q8_0 = 8,
       T_Q4_K = 12, T_Q6_K = 14 };

static void fail(const char *what)
{
    fprintf(stderr, "crosscheck_models: %s\n", what);
    exit(1);
}

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (!d)
        fail("out of memory");
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

/* ---- the vocabulary: a list of unique strings ---- */

typedef struct vocab {
    char *tok[VOCAB_MAX];
    float score[VOCAB_MAX];
    int32_t type[VOCAB_MAX];
    size_t n;
    char *merge[MERGES];
    size_t n_merges;
} vocab;

static long vocab_find(const vocab *v, const char *s)
{
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->tok[i], s) == 0)
            return (long)i;
    return -1;
}

/* Add s unless present (llama.cpp refuses duplicate token strings). */
static void vocab_add(vocab *v, const char *s, float score, int32_t type)
{
    if (vocab_find(v, s) >= 0)
        return;
    if (v->n == VOCAB_MAX)
        fail("vocabulary full");
    v->tok[v->n] = dup_n(s, strlen(s));
    v->score[v->n] = score;
    v->type[v->n] = type;
    v->n++;
}

/* ---- words as lists of units, and pair merging ---- */

typedef struct word {
    char **u;
    size_t n;
} word;

typedef struct corpus {
    word *w;
    size_t n, cap;
    char **own; /* every unit string made, whichever word holds it now */
    size_t n_own, cap_own;
} corpus;

/* A unit string the corpus frees (merges replace units in place, so a
 * word's list alone cannot say which strings are still referenced). */
static char *owned(corpus *c, char *u)
{
    if (c->n_own == c->cap_own) {
        c->cap_own = c->cap_own ? 2 * c->cap_own : 256;
        c->own = realloc(c->own, c->cap_own * sizeof *c->own);
        if (!c->own)
            fail("out of memory");
    }
    return c->own[c->n_own++] = u;
}

static void corpus_free(corpus *c)
{
    for (size_t i = 0; i < c->n_own; i++)
        free(c->own[i]);
    for (size_t i = 0; i < c->n; i++)
        free(c->w[i].u);
    free(c->own);
    free(c->w);
    memset(c, 0, sizeof *c);
}

static void corpus_word(corpus *c, char **units, size_t n)
{
    if (n == 0)
        return;
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 64;
        c->w = realloc(c->w, c->cap * sizeof *c->w);
        if (!c->w)
            fail("out of memory");
    }
    c->w[c->n].u = malloc(n * sizeof(char *));
    if (!c->w[c->n].u)
        fail("out of memory");
    memcpy(c->w[c->n].u, units, n * sizeof(char *));
    c->w[c->n].n = n;
    c->n++;
}

static size_t utf8_len(unsigned char b)
{
    return b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
}

/* The most frequent adjacent pair (ties: the smallest "a b"), by a plain
 * scan: the corpus is a few thousand units. */
static int best_pair(const corpus *c, char **a, char **b)
{
    size_t best = 1;
    char *ba = NULL, *bb = NULL;
    for (size_t i = 0; i < c->n; i++)
        for (size_t j = 0; j + 1 < c->w[i].n; j++) {
            const char *x = c->w[i].u[j], *y = c->w[i].u[j + 1];
            size_t cnt = 0;
            for (size_t k = 0; k < c->n; k++)
                for (size_t l = 0; l + 1 < c->w[k].n; l++)
                    cnt += strcmp(c->w[k].u[l], x) == 0 &&
                           strcmp(c->w[k].u[l + 1], y) == 0;
            int better = cnt > best;
            if (cnt == best && ba) {
                int d = strcmp(x, ba);
                better = d < 0 || (d == 0 && strcmp(y, bb) < 0);
            }
            if (better) {
                best = cnt;
                ba = c->w[i].u[j];
                bb = c->w[i].u[j + 1];
            }
        }
    if (!ba)
        return 0;
    *a = dup_n(ba, strlen(ba));
    *b = dup_n(bb, strlen(bb));
    return 1;
}

static void apply_merge(corpus *c, const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    for (size_t i = 0; i < c->n; i++) {
        word *w = &c->w[i];
        size_t o = 0;
        for (size_t j = 0; j < w->n; j++) {
            if (j + 1 < w->n && strcmp(w->u[j], a) == 0 &&
                strcmp(w->u[j + 1], b) == 0) {
                char *m = malloc(la + lb + 1);
                if (!m)
                    fail("out of memory");
                memcpy(m, a, la);
                memcpy(m + la, b, lb + 1);
                w->u[o++] = owned(c, m);
                j++;
            } else {
                w->u[o++] = w->u[j];
            }
        }
        w->n = o;
    }
}

/* Learn up to MERGES merges; each new piece is added with its rank as the
 * (negated) score, and for BPE its merge rule is recorded. */
static void learn(corpus *c, vocab *v, int bpe)
{
    for (size_t m = 0; m < MERGES; m++) {
        char *a, *b;
        if (!best_pair(c, &a, &b))
            break;
        size_t la = strlen(a), lb = strlen(b);
        char *ab = malloc(la + lb + 2);
        if (!ab)
            fail("out of memory");
        memcpy(ab, a, la);
        memcpy(ab + la, b, lb + 1);
        vocab_add(v, ab, -(float)(m + 1), 1);
        if (bpe) {
            ab[la] = ' ';
            memcpy(ab + la + 1, b, lb + 1);
            v->merge[v->n_merges++] = ab;
        } else {
            free(ab);
        }
        apply_merge(c, a, b);
        free(a);
        free(b);
    }
}

/* ---- SentencePiece ---- */

#define SPACE "\xe2\x96\x81" /* U+2581, SentencePiece's space */

static void spm_words(const char *text, corpus *c)
{
    /* the text with a space prefix, spaces as U+2581, a word before each */
    char *units[1024];
    size_t n = 0;
    const char *p = text;
    int at_space = 1;
    while (*p || at_space) {
        if (at_space) {
            corpus_word(c, units, n);
            n = 0;
            units[n++] = owned(c, dup_n(SPACE, 3));
            at_space = 0;
            continue;
        }
        if (*p == ' ') {
            at_space = 1;
            p++;
            continue;
        }
        size_t l = utf8_len((unsigned char)*p);
        if (strnlen(p, l) < l)
            fail("texts: invalid UTF-8");
        if (n == 1024)
            fail("texts: word too long");
        units[n++] = owned(c, dup_n(p, l));
        p += l;
    }
    corpus_word(c, units, n);
}

/* Characters seen at least twice become pieces (score below every
 * merge); the rest are left to the byte fallback. */
static void spm_chars(const corpus *c, vocab *v)
{
    for (size_t i = 0; i < c->n; i++)
        for (size_t j = 0; j < c->w[i].n; j++) {
            const char *u = c->w[i].u[j];
            if (vocab_find(v, u) >= 0)
                continue;
            size_t cnt = 0;
            for (size_t k = 0; k < c->n && cnt < 2; k++)
                for (size_t l = 0; l < c->w[k].n; l++)
                    cnt += strcmp(c->w[k].u[l], u) == 0;
            if (cnt >= 2)
                vocab_add(v, u, -1000.0f - (float)v->n, 1);
        }
}

static void spm_vocab(json_t *texts, vocab *v)
{
    vocab_add(v, "<unk>", 0, 2);
    vocab_add(v, "<s>", 0, 3);
    vocab_add(v, "</s>", 0, 3);
    for (int b = 0; b < 256; b++) {
        char t[8];
        snprintf(t, sizeof t, "<0x%02X>", b);
        vocab_add(v, t, 0, 6);
    }
    corpus c = {0};
    size_t i;
    json_t *t;
    json_array_foreach(texts, i, t)
        spm_words(json_string_value(t), &c);
    spm_chars(&c, v);
    learn(&c, v, 0);
    corpus_free(&c);
}

/* ---- byte-level BPE ---- */

/* GPT-2's byte-to-unicode map: printable bytes stand for themselves, the
 * others for U+0100 onwards in byte order. */
static void byte_char(int b, char out[4])
{
    unsigned cp;
    if ((b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174) {
        cp = (unsigned)b;
    } else {
        unsigned k = 0;
        for (int x = 0; x < b; x++)
            k += !((x >= 33 && x <= 126) || (x >= 161 && x <= 172) || x >= 174);
        cp = 256 + k;
    }
    if (cp < 128) {
        out[0] = (char)cp, out[1] = 0;
    } else {
        out[0] = (char)(0xc0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3f));
        out[2] = 0;
    }
}

static void bpe_words(const char *text, corpus *c)
{
    /* words start at a space (kept, as GPT-2's pre-tokenizers do) */
    char *units[1024];
    size_t n = 0;
    for (const char *p = text; *p; p++) {
        if (*p == ' ' && n) {
            corpus_word(c, units, n);
            n = 0;
        }
        if (n == 1024)
            fail("texts: word too long");
        char ch[4];
        byte_char((unsigned char)*p, ch);
        units[n++] = owned(c, dup_n(ch, strlen(ch)));
    }
    corpus_word(c, units, n);
}

static void bpe_vocab(json_t *texts, const char *const *special, size_t n_sp,
                      vocab *v)
{
    for (int b = 0; b < 256; b++) {
        char ch[4];
        byte_char(b, ch);
        vocab_add(v, ch, 0, 1);
    }
    corpus c = {0};
    size_t i;
    json_t *t;
    json_array_foreach(texts, i, t)
        bpe_words(json_string_value(t), &c);
    learn(&c, v, 1);
    corpus_free(&c);
    for (size_t k = 0; k < n_sp; k++)
        vocab_add(v, special[k], 0, 3);
}

/* ---- the model ---- */

typedef struct model_spec {
    const char *arch;      /* llama or qwen2 */
    const char *tokenizer; /* spm, or the BPE pre-tokenizer */
    const char *type_name;
    uint32_t type;         /* of the matrices; Q4_K: the Q4_K_M mix */
    int output_only;       /* only output.weight has that type, others F32 */
} model_spec;

/* Q4_K_M as llama.cpp's quantize makes it: Q6_K for the output, attn_v
 * and ffn_down, Q4_K elsewhere. */
static uint32_t type_of(const model_spec *s, const char *what)
{
    if (s->output_only) /* one quantized product: the output's */
        return strcmp(what, "output") == 0 ? s->type : T_F32;
    if (s->type == T_Q4_K && (strcmp(what, "output") == 0 ||
                              strcmp(what, "attn_v") == 0 ||
                              strcmp(what, "ffn_down") == 0))
        return T_Q6_K;
    return s->type;
}

/* Block scales giving elements of about the size of U(-a, a). */
static float block_scale(uint32_t type, float a)
{
    switch (type) {
    case T_Q8_0: return a / 127.0f;
    case T_Q4_0: return a / 8.0f;
    case T_Q5_0: return a / 16.0f;
    case T_Q4_K: return a / (32.0f * 8.0f);
    case T_Q6_K: return a / (64.0f * 32.0f);
    default: return a;
    }
}

/* Random Q4_K blocks centred on zero: gw_tensor_random gives d and dmin
 * the same size, so that d*sc*q - dmin*m (q up to 15, sc and m alike) is
 * mostly positive and every row shares a large mean; real blocks have
 * dmin*m near the block's minimum. */
static void q4k_tensor(gw *w, const char *name, uint64_t ne0, uint64_t ne1,
                       float scale, osafe_rng *r)
{
    uint64_t ne[2] = {ne0, ne1};
    size_t len = gw_type_size(T_Q4_K, ne0 * ne1);
    uint8_t *d = malloc(len);
    if (!d)
        fail("out of memory");
    for (size_t o = 0; o < len; o += 144) {
        float dv = scale * (0.5f + 0.5f * (float)rng_uniform(r));
        uint16_t h = gw_f16(dv), hm = gw_f16(7.5f * dv);
        d[o] = (uint8_t)h, d[o + 1] = (uint8_t)(h >> 8);
        d[o + 2] = (uint8_t)hm, d[o + 3] = (uint8_t)(hm >> 8);
        for (size_t i = 4; i < 144; i++)
            d[o + i] = (uint8_t)rng_next(r);
    }
    gw_tensor(w, name, T_Q4_K, 2, ne, d, len);
    free(d);
}

static void matrix(gw *w, const model_spec *s, const char *name,
                   const char *what, uint64_t ne0, uint64_t ne1, float a,
                   osafe_rng *r)
{
    uint32_t t = type_of(s, what);
    if (t == T_Q4_K)
        q4k_tensor(w, name, ne0, ne1, block_scale(t, a), r);
    else
        gw_tensor_random(w, name, t, ne0, ne1, block_scale(t, a), r);
}

static void vector(gw *w, const char *name, uint64_t n, float base,
                   float spread, osafe_rng *r)
{
    float *v = malloc(n * sizeof *v);
    if (!v)
        fail("out of memory");
    for (uint64_t i = 0; i < n; i++)
        v[i] = base + spread * (float)(rng_uniform(r) - 0.5);
    gw_tensor(w, name, T_F32, 1, &n, v, n * 4);
    free(v);
}

static void write_vocab(gw *w, const model_spec *s, const vocab *v)
{
    const char *toks[VOCAB_MAX];
    for (size_t i = 0; i < v->n; i++)
        toks[i] = v->tok[i];
    int spm = strcmp(s->tokenizer, "spm") == 0;
    gw_kv_str(w, "tokenizer.ggml.model", spm ? "llama" : "gpt2");
    if (!spm)
        gw_kv_str(w, "tokenizer.ggml.pre", s->tokenizer);
    gw_kv_arr_str(w, "tokenizer.ggml.tokens", toks, v->n);
    if (spm)
        gw_kv_arr_f32(w, "tokenizer.ggml.scores", v->score, v->n);
    gw_kv_arr_i32(w, "tokenizer.ggml.token_type", v->type, v->n);
    if (!spm)
        gw_kv_arr_str(w, "tokenizer.ggml.merges",
                      (const char *const *)v->merge, v->n_merges);
    int qwen = strcmp(s->tokenizer, "qwen2") == 0;
    const char *bos = spm ? "<s>" : qwen ? "<|endoftext|>" : "<|begin_of_text|>";
    const char *eos = spm ? "</s>" : qwen ? "<|im_end|>" : "<|end_of_text|>";
    gw_kv_u32(w, "tokenizer.ggml.bos_token_id", (uint32_t)vocab_find(v, bos));
    gw_kv_u32(w, "tokenizer.ggml.eos_token_id", (uint32_t)vocab_find(v, eos));
    if (spm)
        gw_kv_u32(w, "tokenizer.ggml.unknown_token_id", 0);
    gw_kv_bool(w, "tokenizer.ggml.add_bos_token", !qwen);
    gw_kv_bool(w, "tokenizer.ggml.add_eos_token", 0);
}

static void write_model(const model_spec *s, const vocab *v, uint64_t seed,
                        const char *path)
{
    osafe_rng r;
    rng_seed(&r, seed);
    gw *w = gw_new(3);
    char k[96];
    gw_kv_str(w, "general.architecture", s->arch);
    gw_kv_str(w, "general.name", "osafe crosscheck");
#define K(x) (snprintf(k, sizeof k, "%s." x, s->arch), k)
    gw_kv_u32(w, K("context_length"), CTX);
    gw_kv_u32(w, K("embedding_length"), EMBD);
    gw_kv_u32(w, K("block_count"), LAYERS);
    gw_kv_u32(w, K("feed_forward_length"), FF);
    gw_kv_u32(w, K("attention.head_count"), HEADS);
    gw_kv_u32(w, K("attention.head_count_kv"), KV_HEADS);
    gw_kv_u32(w, K("rope.dimension_count"), HD);
    gw_kv_f32(w, K("attention.layer_norm_rms_epsilon"), 1e-6f);
    gw_kv_f32(w, K("rope.freq_base"), strcmp(s->arch, "qwen2") == 0 ? 1e6f : 1e4f);
#undef K
    write_vocab(w, s, v);
    int qwen = strcmp(s->arch, "qwen2") == 0;
    int gemma = strcmp(s->arch, "gemma") == 0, phi3 = strcmp(s->arch, "phi3") == 0;
    /* small embeddings: qwen2's output is tied to them, and larger logits
     * would magnify every rounding difference */
    matrix(w, s, "token_embd.weight", "token_embd", EMBD, v->n, 0.15f, &r);
    vector(w, "output_norm.weight", EMBD, 1, 0.4f, &r);
    if (!qwen && !gemma) /* qwen2, gemma: the output tied to the embeddings */
        matrix(w, s, "output.weight", "output", EMBD, v->n, 0.15f, &r);
    for (int l = 0; l < LAYERS; l++) {
        char n[64];
#define T(x) (snprintf(n, sizeof n, "blk.%d." x, l), n)
        vector(w, T("attn_norm.weight"), EMBD, 1, 0.4f, &r);
        vector(w, T("ffn_norm.weight"), EMBD, 1, 0.4f, &r);
        if (phi3) { /* fused: rows q, k, v */
            matrix(w, s, T("attn_qkv.weight"), "attn_qkv", EMBD,
                   (HEADS + 2 * KV_HEADS) * HD, 0.12f, &r);
        } else {
            matrix(w, s, T("attn_q.weight"), "attn_q", EMBD, HEADS * HD, 0.15f, &r);
            matrix(w, s, T("attn_k.weight"), "attn_k", EMBD, KV_HEADS * HD, 0.15f, &r);
            matrix(w, s, T("attn_v.weight"), "attn_v", EMBD, KV_HEADS * HD, 0.1f, &r);
        }
        matrix(w, s, T("attn_output.weight"), "attn_output", HEADS * HD, EMBD, 0.1f, &r);
        if (!phi3) /* phi3: gate and up fused in ffn_up */
            matrix(w, s, T("ffn_gate.weight"), "ffn_gate", EMBD, FF, 0.1f, &r);
        matrix(w, s, T("ffn_up.weight"), "ffn_up", EMBD, phi3 ? 2 * FF : FF, 0.1f, &r);
        matrix(w, s, T("ffn_down.weight"), "ffn_down", FF, EMBD, 0.08f, &r);
        if (qwen) {
            vector(w, T("attn_q.bias"), HEADS * HD, 0, 0.2f, &r);
            vector(w, T("attn_k.bias"), KV_HEADS * HD, 0, 0.2f, &r);
            vector(w, T("attn_v.bias"), KV_HEADS * HD, 0, 0.2f, &r);
        }
#undef T
    }
    gw_write_file(w, path);
    gw_free(w);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: crosscheck_models TEXTS.json OUTDIR\n");
        return 2;
    }
    json_error_t je;
    json_t *root = json_load_file(argv[1], 0, &je);
    json_t *texts = root ? json_object_get(root, "texts") : NULL;
    if (!json_is_array(texts))
        fail("the texts file has no \"texts\" array");
    static vocab spm, qwen, llama3;
    spm_vocab(texts, &spm);
    static const char *const qsp[] = {"<|endoftext|>", "<|im_start|>", "<|im_end|>"};
    bpe_vocab(texts, qsp, 3, &qwen);
    static const char *const lsp[] = {"<|begin_of_text|>", "<|end_of_text|>",
                                      "<|start_header_id|>", "<|end_header_id|>",
                                      "<|eot_id|>"};
    bpe_vocab(texts, lsp, 5, &llama3);
    static const struct { const char *name; uint32_t type; } types[] = {
        {"f32", T_F32}, {"f16", T_F16}, {"q8_0", T_Q8_0}, {"q4_0", T_Q4_0},
        {"q5_0", T_Q5_0}, {"q4_k_m", T_Q4_K}, {"q6_k", T_Q6_K}};
    static const struct { const char *arch, *tok; const vocab *v; } kinds[] = {
        {"llama", "spm", &spm}, {"qwen2", "qwen2", &qwen},
        {"llama", "llama-bpe", &llama3}, {"gemma", "spm", &spm},
        {"phi3", "spm", &spm}};
    for (size_t a = 0; a < sizeof kinds / sizeof kinds[0]; a++)
        for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
            model_spec s = {kinds[a].arch, kinds[a].tok, types[t].name,
                            types[t].type, 0};
            char path[4096];
            snprintf(path, sizeof path, "%s/%s-%s-%s.gguf", argv[2], s.arch,
                     s.tokenizer, s.type_name);
            write_model(&s, kinds[a].v, 1000 + 10 * a + t, path);
            printf("%s\n", path);
        }
    /* The quantized types on one product each (the output, spm llama):
     * the difference each type's dot product alone makes. */
    for (size_t t = 1; t < sizeof types / sizeof types[0]; t++) {
        model_spec s = {"llama", "spm", types[t].name, types[t].type, 1};
        char path[4096];
        snprintf(path, sizeof path, "%s/llama-outonly-%s.gguf", argv[2],
                 s.type_name);
        write_model(&s, &spm, 2000 + t, path);
        printf("%s\n", path);
    }
    json_decref(root);
    return 0;
}
