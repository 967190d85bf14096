/*
 * bench_infer.c - tokens per second of the in-process engine (infer/) on
 * a model of a real shape with random weights, written in memory by the
 * tests' GGUF writer: prompt tokens (evaluated as one batch call) and
 * generated tokens (greedy).
 *
 *   bench_infer [--shape qwen2-0.5b|qwen2-1.5b|small] [--type q8_0|q4_0|
 *                q5_0|q4_K|q4_K_M|q6_K|f16|bf16|f32] [--threads N]
 *                [--prompt N] [--gen N] [--write FILE.gguf]
 *
 * --write also saves the model, so that bench/bench_infer_llamacpp.sh can
 * time llama.cpp on the very same file.  q4_K_M: Q4_K, with Q6_K for
 * attn_v, ffn_down and token_embd, as llama.cpp's Q4_K_M mostly is.
 *
 * qwen2-0.5b: n_embd 896, 24 layers, 14 heads, 2 KV heads, n_ff 4864,
 * vocabulary 151,936 (K-quants need rows of 256: with q4_K/q6_K only the
 * 4864-wide ffn_down takes that type, the rest q8_0, as in the real
 * "Q4_K_M" files).  qwen2-1.5b: 1536, 28 layers, 12 heads, 2 KV heads,
 * 8960.  small: 512, 4 layers, 8/4 heads, 1536, 32,000.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gguf_writer.h"
#include "infer/gguf.h"
#include "infer/model.h"

typedef struct shape {
    const char *name;
    unsigned embd, layers, heads, kv, ff, vocab;
} shape;

static const shape shapes[] = {
    {"qwen2-0.5b", 896, 24, 14, 2, 4864, 151936},
    {"qwen2-1.5b", 1536, 28, 12, 2, 8960, 151936},
    {"small", 512, 4, 8, 4, 1536, 32000},
};

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* CPU seconds of the process (all threads): on a shared, loaded machine
 * the wall clock says more about the neighbours than about the engine. */
static double cpu_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Not a ggml type: the q4_K_M mix. */
#define Q4_K_M 1000u

static uint32_t type_of(const char *s)
{
    static const struct {
        const char *n;
        uint32_t t;
    } m[] = {{"f32", 0}, {"f16", 1}, {"q4_0", 2}, {"q5_0", 6}, {"q8_0", 8},
             {"q4_K", 12}, {"q6_K", 14}, {"bf16", 30}, {"q4_K_M", Q4_K_M}};
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        if (strcmp(s, m[i].n) == 0)
            return m[i].t;
    fprintf(stderr, "bench_infer: unknown type %s\n", s);
    exit(2);
}

static void vec(gw *w, const char *name, uint64_t n)
{
    float *v = malloc(n * sizeof *v);
    for (uint64_t i = 0; i < n; i++)
        v[i] = 1.0f;
    gw_tensor(w, name, 0, 1, &n, v, n * 4);
    free(v);
}

/* Rows of 256 are needed by the K-quants; other matrices fall back to
 * q8_0 as llama.cpp's quantizer does. */
static uint32_t fit(uint32_t t, unsigned cols)
{
    if (t == Q4_K_M)
        t = 12;
    return (t == 12 || t == 14) && cols % 256 ? 8 : t;
}

/* The more-bits tensors of the q4_K_M mix. */
static uint32_t fit6(uint32_t t, unsigned cols)
{
    return fit(t == Q4_K_M ? 14 : t, cols);
}

/* A SentencePiece-style vocabulary of the shape's size (<unk>, <s>, </s>,
 * the 256 byte tokens, then made-up pieces): the engine does not need one
 * to run, but llama.cpp refuses a file without it. */
static void vocab(gw *w, unsigned n)
{
    char **tok = malloc(n * sizeof *tok);
    float *score = malloc(n * sizeof *score);
    int32_t *type = malloc(n * sizeof *type);
    for (unsigned i = 0; i < n; i++) {
        char b[32];
        if (i < 3)
            snprintf(b, sizeof b, "%s", i == 0 ? "<unk>" : i == 1 ? "<s>" : "</s>");
        else if (i < 259)
            snprintf(b, sizeof b, "<0x%02X>", i - 3);
        else
            snprintf(b, sizeof b, "\xe2\x96\x81p%u", i);
        tok[i] = strdup(b);
        score[i] = -(float)i;
        type[i] = i == 0 ? 2 : i < 3 ? 3 : i < 259 ? 6 : 1;
    }
    gw_kv_str(w, "tokenizer.ggml.model", "llama");
    gw_kv_arr_str(w, "tokenizer.ggml.tokens", (const char *const *)tok, n);
    gw_kv_arr_f32(w, "tokenizer.ggml.scores", score, n);
    gw_kv_arr_i32(w, "tokenizer.ggml.token_type", type, n);
    gw_kv_u32(w, "tokenizer.ggml.bos_token_id", 1);
    gw_kv_u32(w, "tokenizer.ggml.eos_token_id", 2);
    gw_kv_u32(w, "tokenizer.ggml.unknown_token_id", 0);
    for (unsigned i = 0; i < n; i++)
        free(tok[i]);
    free(tok);
    free(score);
    free(type);
}

static uint8_t *build(const shape *s, uint32_t t, size_t *len)
{
    osafe_rng r;
    rng_seed(&r, 1);
    gw *w = gw_new(3);
    unsigned hd = s->embd / s->heads;
    gw_kv_str(w, "general.architecture", "qwen2");
    gw_kv_u32(w, "qwen2.context_length", 4096);
    gw_kv_u32(w, "qwen2.embedding_length", s->embd);
    gw_kv_u32(w, "qwen2.block_count", s->layers);
    gw_kv_u32(w, "qwen2.feed_forward_length", s->ff);
    gw_kv_u32(w, "qwen2.attention.head_count", s->heads);
    gw_kv_u32(w, "qwen2.attention.head_count_kv", s->kv);
    gw_kv_f32(w, "qwen2.attention.layer_norm_rms_epsilon", 1e-6f);
    gw_kv_f32(w, "qwen2.rope.freq_base", 1e6f);
    vocab(w, s->vocab);
    gw_tensor_random(w, "token_embd.weight", fit6(t, s->embd), s->embd,
                     s->vocab, 0.05f, &r);
    vec(w, "output_norm.weight", s->embd);
    for (unsigned l = 0; l < s->layers; l++) {
        char n[64];
#define T(x) (snprintf(n, sizeof n, "blk.%u." x, l), n)
        vec(w, T("attn_norm.weight"), s->embd);
        vec(w, T("ffn_norm.weight"), s->embd);
        gw_tensor_random(w, T("attn_q.weight"), fit(t, s->embd), s->embd, s->heads * hd, 0.02f, &r);
        gw_tensor_random(w, T("attn_k.weight"), fit(t, s->embd), s->embd, s->kv * hd, 0.02f, &r);
        gw_tensor_random(w, T("attn_v.weight"), fit6(t, s->embd), s->embd, s->kv * hd, 0.02f, &r);
        gw_tensor_random(w, T("attn_output.weight"), fit(t, s->embd), s->heads * hd, s->embd, 0.02f, &r);
        gw_tensor_random(w, T("ffn_gate.weight"), fit(t, s->embd), s->embd, s->ff, 0.02f, &r);
        gw_tensor_random(w, T("ffn_up.weight"), fit(t, s->embd), s->embd, s->ff, 0.02f, &r);
        gw_tensor_random(w, T("ffn_down.weight"), fit6(t, s->ff), s->ff, s->embd, 0.02f, &r);
        vec(w, T("attn_q.bias"), s->heads * hd);
        vec(w, T("attn_k.bias"), s->kv * hd);
        vec(w, T("attn_v.bias"), s->kv * hd);
#undef T
    }
    uint8_t *p;
    gw_finish(w, &p, len);
    gw_free(w);
    return p;
}

int main(int argc, char **argv)
{
    const shape *s = &shapes[2];
    const char *type = "q8_0";
    unsigned threads = 1, n_prompt = 32, n_gen = 16;
    const char *write = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--shape"))
            s = !strcmp(argv[i + 1], "qwen2-0.5b")   ? &shapes[0]
                : !strcmp(argv[i + 1], "qwen2-1.5b") ? &shapes[1]
                                                     : &shapes[2];
        else if (!strcmp(argv[i], "--type"))
            type = argv[i + 1];
        else if (!strcmp(argv[i], "--threads"))
            threads = (unsigned)strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--prompt"))
            n_prompt = (unsigned)strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--gen"))
            n_gen = (unsigned)strtoul(argv[i + 1], NULL, 10);
        else if (!strcmp(argv[i], "--write"))
            write = argv[i + 1];
    }
    size_t len;
    uint8_t *p = build(s, type_of(type), &len);
    if (write) {
        FILE *f = fopen(write, "wb");
        if (!f || fwrite(p, 1, len, f) != len || fclose(f)) {
            fprintf(stderr, "bench_infer: cannot write %s\n", write);
            return 1;
        }
    }
    gguf_file *g;
    infer_model *m;
    infer_ctx *c;
    osafe_err e = {0};
    if (gguf_parse(p, len, &g, &e) || infer_model_load(g, &m, &e) ||
        infer_ctx_new(m, n_prompt + n_gen + 1, threads, &c, &e)) {
        fprintf(stderr, "bench_infer: %s\n", e.msg);
        return 1;
    }
    int32_t *prompt = malloc(n_prompt * sizeof *prompt), *out = malloc(n_gen * sizeof *out);
    for (unsigned i = 0; i < n_prompt; i++)
        prompt[i] = (int32_t)((i * 7919u) % s->vocab);
    float *logits = malloc(s->vocab * sizeof *logits);
    double t0 = now_s(), c0 = cpu_s();
    if (infer_eval(c, prompt, n_prompt, logits, &e)) {
        fprintf(stderr, "bench_infer: %s\n", e.msg);
        return 1;
    }
    double t1 = now_s(), c1 = cpu_s();
    size_t n_out = 0;
    infer_ctx_reset(c);
    if (infer_eval(c, prompt, 1, NULL, &e) ||
        infer_greedy(c, prompt + 1, 1, n_gen, NULL, 0, out, &n_out, &e)) {
        fprintf(stderr, "bench_infer: %s\n", e.msg);
        return 1;
    }
    double t2 = now_s(), c2 = cpu_s();
    printf("shape %s type %s file %.0f MB threads %u: prompt %u tokens "
           "%.2f tok/s (%.2f per CPU second), generation %zu tokens %.2f "
           "tok/s (%.2f per CPU second)\n",
           s->name, type, (double)len / 1e6, threads, n_prompt,
           n_prompt / (t1 - t0), n_prompt / (c1 - c0), n_out,
           (double)n_out / (t2 - t1), (double)n_out / (c2 - c1));
    infer_ctx_free(c);
    infer_model_free(m);
    gguf_close(g);
    free(p);
    free(prompt);
    free(out);
    free(logits);
    return 0;
}
