/*
 * bench_eval_local.c - the 1,000-item figure of issue 14: a suite run
 * through the in-process engine (`osafe eval run --model-file`) on a
 * model of the qwen2 0.5B shape with random weights in a Q4_K mix, at 64
 * new tokens per item.
 *
 *   bench_eval_local [--items N] [--tokens T] [--threads N] [--dir DIR]
 *                    [--osafe PATH] [--keep]
 *
 * Defaults: 1,000 items, 64 tokens, 2 threads, a fresh directory under
 * $TMPDIR (removed afterwards unless --keep).  Writes DIR/model.gguf
 * (about 390 MB) and DIR/suite, runs the real binary as a subprocess
 * (--no-cache, --max-tokens T, greedy), and prints items/s, the total
 * time and the generated tokens/s read back from the samples.
 *
 * The mix follows llama.cpp's Q4_K_M for this shape: n_embd 896 is not a
 * multiple of 256, so every matrix whose rows are 896 wide falls back
 * from its K-quant (Q4_K -> Q5_0, Q6_K -> Q8_0); ffn_down (rows of 4864)
 * is Q6_K in the layers llama.cpp gives more bits (the first and last
 * eighth, and every third between) and Q4_K elsewhere; attn_v takes the
 * same layer rule (Q8_0 there, else Q5_0); token_embd Q8_0, tied output.
 * The vocabulary is byte-level BPE of 151,936 entries (the 256 byte
 * characters, fillers, the ChatML tokens), so a prompt is one token a
 * byte; random weights never say end-of-turn, so every item generates
 * the full T tokens.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gguf_writer.h"

#ifndef OSAFE_BIN
#define OSAFE_BIN "build/osafe"
#endif

enum { EMBD = 896, LAYERS = 24, HEADS = 14, KV = 2, FF = 4864,
       VOCAB = 151936 };
enum { T_Q8_0 = 8, T_Q5_0 = 6, T_Q4_K = 12, T_Q6_K = 14 };

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double tv_s(const struct timeval *t)
{
    return (double)t->tv_sec + (double)t->tv_usec / 1e6;
}

static void ones(gw *w, const char *name, uint64_t n)
{
    float *v = malloc(n * sizeof *v);
    if (!v)
        abort();
    for (uint64_t i = 0; i < n; i++)
        v[i] = 1.0f;
    gw_tensor(w, name, 0, 1, &n, v, n * 4);
    free(v);
}

/* llama.cpp's use_more_bits(i, n) for Q4_K_M. */
static int more_bits(unsigned i, unsigned n)
{
    return i < n / 8 || i >= 7 * n / 8 || (i >= n / 8 && (i - n / 8) % 3 == 2);
}

/* GPT-2's byte-level alphabet: the character standing for byte b. */
static void byte_char(unsigned b, char out[4])
{
    unsigned cp = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174
                      ? b
                  : b <= 32  ? 256u + b
                  : b <= 160 ? 256u + 33 + b - 127
                             : 323u;
    if (cp < 128) {
        out[0] = (char)cp, out[1] = 0;
    } else {
        out[0] = (char)(0xc0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3f));
        out[2] = 0;
    }
}

static void vocab(gw *w)
{
    static char bytes[256][4];
    char **toks = calloc(VOCAB, sizeof *toks);
    int32_t *types = calloc(VOCAB, sizeof *types);
    if (!toks || !types)
        abort();
    for (unsigned i = 0; i < VOCAB; i++) {
        types[i] = 1;
        if (i < 256) {
            byte_char(i, bytes[i]);
            toks[i] = bytes[i];
        } else if (i == 256) {
            toks[i] = strdup("ab");
        } else if (i >= VOCAB - 2) {
            toks[i] = strdup(i == VOCAB - 2 ? "<|im_start|>" : "<|im_end|>");
            types[i] = 3;
        } else {
            char b[32];
            snprintf(b, sizeof b, "<fill%u>", i);
            toks[i] = strdup(b);
        }
        if (!toks[i])
            abort();
    }
    const char *merges[] = {"a b"};
    gw_kv_str(w, "tokenizer.ggml.model", "gpt2");
    gw_kv_str(w, "tokenizer.ggml.pre", "qwen2");
    gw_kv_arr_str(w, "tokenizer.ggml.tokens", (const char *const *)toks, VOCAB);
    gw_kv_arr_i32(w, "tokenizer.ggml.token_type", types, VOCAB);
    gw_kv_arr_str(w, "tokenizer.ggml.merges", merges, 1);
    gw_kv_u32(w, "tokenizer.ggml.eos_token_id", VOCAB - 1);
    gw_kv_str(w, "tokenizer.chat_template",
              "{% for m in messages %}<|im_start|>{{ m.role }}\n"
              "{{ m.content }}<|im_end|>\n{% endfor %}");
    for (unsigned i = 256; i < VOCAB; i++)
        free(toks[i]);
    free(toks);
    free(types);
}

static void write_model(const char *path)
{
    osafe_rng r;
    rng_seed(&r, 1);
    gw *w = gw_new(3);
    unsigned hd = EMBD / HEADS;
    gw_kv_str(w, "general.architecture", "qwen2");
    gw_kv_u32(w, "qwen2.context_length", 4096);
    gw_kv_u32(w, "qwen2.embedding_length", EMBD);
    gw_kv_u32(w, "qwen2.block_count", LAYERS);
    gw_kv_u32(w, "qwen2.feed_forward_length", FF);
    gw_kv_u32(w, "qwen2.attention.head_count", HEADS);
    gw_kv_u32(w, "qwen2.attention.head_count_kv", KV);
    gw_kv_f32(w, "qwen2.attention.layer_norm_rms_epsilon", 1e-6f);
    gw_kv_f32(w, "qwen2.rope.freq_base", 1000000.0f);
    vocab(w);
    gw_tensor_random(w, "token_embd.weight", T_Q8_0, EMBD, VOCAB, 0.05f, &r);
    ones(w, "output_norm.weight", EMBD);
    for (unsigned l = 0; l < LAYERS; l++) {
        char n[64];
        int mb = more_bits(l, LAYERS);
#define T(x) (snprintf(n, sizeof n, "blk.%u." x, l), n)
        ones(w, T("attn_norm.weight"), EMBD);
        ones(w, T("ffn_norm.weight"), EMBD);
        gw_tensor_random(w, T("attn_q.weight"), T_Q5_0, EMBD, HEADS * hd, 0.02f, &r);
        gw_tensor_random(w, T("attn_k.weight"), T_Q5_0, EMBD, KV * hd, 0.02f, &r);
        gw_tensor_random(w, T("attn_v.weight"), mb ? T_Q8_0 : T_Q5_0, EMBD,
                         KV * hd, 0.02f, &r);
        gw_tensor_random(w, T("attn_output.weight"), T_Q5_0, HEADS * hd, EMBD, 0.02f, &r);
        gw_tensor_random(w, T("ffn_gate.weight"), T_Q5_0, EMBD, FF, 0.02f, &r);
        gw_tensor_random(w, T("ffn_up.weight"), T_Q5_0, EMBD, FF, 0.02f, &r);
        gw_tensor_random(w, T("ffn_down.weight"), mb ? T_Q6_K : T_Q4_K, FF,
                         EMBD, 0.02f, &r);
        ones(w, T("attn_q.bias"), HEADS * hd);
        ones(w, T("attn_k.bias"), KV * hd);
        ones(w, T("attn_v.bias"), KV * hd);
#undef T
    }
    gw_write_file(w, path);
    gw_free(w);
}

static int write_suite(const char *dir, unsigned items)
{
    char p[2048];
    snprintf(p, sizeof p, "mkdir -p '%.1024s'", dir);
    if (system(p) != 0)
        return -1;
    snprintf(p, sizeof p, "%.1024s/suite.yaml", dir);
    FILE *f = fopen(p, "w");
    if (!f)
        return -1;
    fputs("name: bench-local\nversion: \"1\"\ndescription: benign "
          "prompts\nsource: bench\nlicense: MIT\nlanguages: [en]\n"
          "default_scorer: refusal\ntaxonomy: none\n", f);
    if (fclose(f) != 0)
        return -1;
    snprintf(p, sizeof p, "%.1024s/items.jsonl", dir);
    if (!(f = fopen(p, "w")))
        return -1;
    for (unsigned i = 0; i < items; i++)
        fprintf(f, "{\"id\": \"i%u\", \"input\": \"Write two sentences about "
                   "the number %u and why it is interesting.\", "
                   "\"expected\": \"comply\"}\n", i, i);
    return fclose(f) == 0 ? 0 : -1;
}

/* Generated tokens over the samples of run (completion_tokens summed);
 * *lat_s the samples' latencies summed (the time spent answering them). */
static long gen_tokens(const char *run, long *errors, double *lat_s)
{
    char p[2048], line[1 << 16];
    snprintf(p, sizeof p, "%.1024s/samples.jsonl", run);
    FILE *f = fopen(p, "r");
    long n = 0;
    *errors = 0;
    *lat_s = 0;
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f)) {
        json_t *j = json_loads(line, 0, NULL);
        json_t *ct = json_object_get(j, "completion_tokens");
        *lat_s += json_number_value(json_object_get(j, "latency_ms")) / 1e3;
        if (json_is_integer(ct))
            n += (long)json_integer_value(ct);
        else
            (*errors)++;
        json_decref(j);
    }
    fclose(f);
    return n;
}

int main(int argc, char **argv)
{
    unsigned items = 1000, tokens = 64, threads = 2;
    const char *dir = NULL, *bin = OSAFE_BIN;
    int keep = 0;
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--keep"))
            keep = 1;
        else if (v && !strcmp(argv[i], "--items") && ++i)
            items = (unsigned)strtoul(v, NULL, 10);
        else if (v && !strcmp(argv[i], "--tokens") && ++i)
            tokens = (unsigned)strtoul(v, NULL, 10);
        else if (v && !strcmp(argv[i], "--threads") && ++i)
            threads = (unsigned)strtoul(v, NULL, 10);
        else if (v && !strcmp(argv[i], "--dir") && ++i)
            dir = v;
        else if (v && !strcmp(argv[i], "--osafe") && ++i)
            bin = v;
        else {
            fprintf(stderr, "usage: bench_eval_local [--items N] [--tokens T] "
                            "[--threads N] [--dir DIR] [--osafe PATH] "
                            "[--keep]\n");
            return 2;
        }
    }
    char tmp[1100], p[2048], cmd[8192];
    /* Paths are printed with at most 1,024 bytes of a directory name. */
    if (!dir) {
        const char *t = getenv("TMPDIR");
        snprintf(tmp, sizeof tmp, "%.1024s/osafe-bench-local-XXXXXX", t ? t : "/tmp");
        if (!mkdtemp(tmp)) {
            perror("bench_eval_local: mkdtemp");
            return 1;
        }
        dir = tmp;
    }
    if (strlen(dir) > 1000 || strlen(bin) > 1000) {
        fprintf(stderr, "bench_eval_local: --dir or --osafe too long\n");
        return 2;
    }
    snprintf(cmd, sizeof cmd, "mkdir -p '%.1024s'", dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "bench_eval_local: cannot create %s\n", dir);
        return 1;
    }
    double t0 = now_s();
    snprintf(p, sizeof p, "%.1024s/model.gguf", dir);
    write_model(p);
    snprintf(p, sizeof p, "%.1024s/suite", dir);
    if (write_suite(p, items) != 0) {
        fprintf(stderr, "bench_eval_local: cannot write the suite in %s\n", dir);
        return 1;
    }
    printf("model and %u-item suite written in %.1f s\n", items, now_s() - t0);
    fflush(stdout);
    snprintf(cmd, sizeof cmd, "rm -rf '%.1024s/run' && '%.1024s' eval run '%.1024s/suite' "
             "--model-file '%s/model.gguf' --threads %u --max-tokens %u "
             "--out '%s/run' --no-cache --quiet", dir, bin, dir, dir, threads,
             tokens, dir);
    struct rusage ru0, ru1;
    getrusage(RUSAGE_CHILDREN, &ru0);
    double t1 = now_s();
    int st = system(cmd);
    double t2 = now_s();
    getrusage(RUSAGE_CHILDREN, &ru1);
    double cpu = tv_s(&ru1.ru_utime) + tv_s(&ru1.ru_stime) -
                 tv_s(&ru0.ru_utime) - tv_s(&ru0.ru_stime);
    snprintf(p, sizeof p, "%.1024s/run", dir);
    double lat = 0;
    long errors = 0, gen = gen_tokens(p, &errors, &lat);
    printf("eval run --model-file (qwen2 0.5B shape, Q4_K mix, random "
           "weights), %u items, %u new tokens each, %u threads: %.1f s, "
           "%.3f items/s, %.2f generated tokens/s (%ld tokens, %ld errors, "
           "exit %d)\n",
           items, tokens, threads, t2 - t1, items / (t2 - t1),
           gen > 0 ? (double)gen / (t2 - t1) : 0.0, gen, errors,
           WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    /* On a shared machine the wall clock counts the neighbours too: the
     * CPU seconds of the run say what it costs. */
    printf("CPU time of the run %.1f s (%.3f items per CPU second; %u "
           "threads without neighbours: about %.1f s of wall clock)\n",
           cpu, items / cpu, threads, cpu / threads);
    /* Fixed costs (mapping and hashing the file, loading, the probe) and
     * the time per item, so that a short run can be extrapolated. */
    printf("answering: %.2f s per item (samples' latency); the rest of the "
           "run %.1f s; 1,000 items at this rate: about %.0f s\n",
           lat / items, (t2 - t1) - lat, (t2 - t1) - lat + 1000 * lat / items);
    if (!keep && dir == tmp) {
        snprintf(cmd, sizeof cmd, "rm -rf '%.1024s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "bench_eval_local: could not remove %s\n", dir);
    }
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}
