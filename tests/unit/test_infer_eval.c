/*
 * test_infer_eval.c - `osafe eval run SUITE --model-file MODEL.gguf`: a
 * small qwen2 model with a byte-level BPE vocabulary and a ChatML template,
 * written by the tests' GGUF writer, answers a two-item suite with no
 * server; the manifest records the file's SHA-256 and the template; the
 * answers are the same for 1 and 2 threads; a file without a template
 * is refused with the override named, and accepted with it; sampling
 * needs --seed and is then reproducible across thread counts.
 *
 * The judge in-process (--judge-model-file) and the likelihood scorer use
 * two more shapes of the same model: output_norm all zeros makes every
 * logit exactly 0 (a uniform next token, greedy takes the lowest id), and
 * a vocabulary whose id 0 is "\nVERDICT: PASS" then says PASS forever.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>

#include "eval/refusal_model.h"
#include "gguf_writer.h"
#include "infer/chat.h"
#include "infer/engine.h"
#include "infer/gguf.h"
#include "infer/model.h"
#include "infer/vocab.h"

enum { EMBD = 64, HEADS = 4, KV = 2, HD = 16, FF = 128, LAYERS = 2,
       NV = 256 + 2 };

/* write_model's shapes: a chat template; every logit 0 (output_norm
 * zero, and a token "ab" for the merge); id 0 the token
 * "\nVERDICT: PASS"; 4096 tokens of context (a
 * judge's prompt is long), else 256. */
enum { M_TEMPLATE = 1, M_UNIFORM = 2, M_VERDICT = 4, M_LONG = 8 };

static char TMP[256];

static void f32_vec(gw *w, const char *name, uint64_t n, float base,
                    osafe_rng *r)
{
    float v[256];
    for (uint64_t i = 0; i < n; i++)
        v[i] = base + 0.2f * (float)(rng_uniform(r) - 0.5);
    gw_tensor(w, name, 0, 1, &n, v, n * 4);
}

/* A qwen2 model whose vocabulary is the 256 byte characters of GPT-2's
 * byte-level BPE plus <|im_start|> and <|im_end|>. */
/* A 1-D f32 tensor of zeros. */
static void zero_tensor(gw *w, const char *name, uint64_t n)
{
    float v[256] = {0};
    gw_tensor(w, name, 0, 1, &n, v, n * 4);
}

static void write_model(const char *path, int flags)
{
    static char chars[256][4];
    const char *toks[NV + 2];
    int32_t types[NV + 2];
    for (int b = 0; b < 256; b++) {
        unsigned cp = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174
                          ? (unsigned)b
                          : b <= 32 ? 256u + b : b <= 160 ? 256u + 33 + b - 127 : 323u;
        if (cp < 128) {
            chars[b][0] = (char)cp, chars[b][1] = 0;
        } else {
            chars[b][0] = (char)(0xc0 | cp >> 6);
            chars[b][1] = (char)(0x80 | (cp & 0x3f));
            chars[b][2] = 0;
        }
        toks[b] = chars[b];
        types[b] = 1;
    }
    uint32_t nv = NV;
    if (flags & M_UNIFORM) /* the merge "a b" gets its token */
        toks[256] = "ab", types[256] = 1, nv++;
    toks[nv - 2] = "<|im_start|>", toks[nv - 1] = "<|im_end|>";
    types[nv - 2] = types[nv - 1] = 3;
    if (flags & M_VERDICT) { /* "\n" and " " in GPT-2's byte alphabet */
        memmove(toks + 1, toks, nv * sizeof *toks);
        memmove(types + 1, types, nv * sizeof *types);
        toks[0] = "\xc4\x8aVERDICT:\xc4\xa0PASS";
        types[0] = 1;
        nv++;
    }
    const char *merges[] = {"a b"};
    osafe_rng r;
    rng_seed(&r, 77);
    gw *w = gw_new(3);
    gw_kv_str(w, "general.architecture", "qwen2");
    gw_kv_u32(w, "qwen2.context_length", flags & M_LONG ? 4096 : 256);
    gw_kv_u32(w, "qwen2.embedding_length", EMBD);
    gw_kv_u32(w, "qwen2.block_count", LAYERS);
    gw_kv_u32(w, "qwen2.feed_forward_length", FF);
    gw_kv_u32(w, "qwen2.attention.head_count", HEADS);
    gw_kv_u32(w, "qwen2.attention.head_count_kv", KV);
    gw_kv_f32(w, "qwen2.attention.layer_norm_rms_epsilon", 1e-6f);
    gw_kv_f32(w, "qwen2.rope.freq_base", 1000000.0f);
    gw_kv_str(w, "tokenizer.ggml.model", "gpt2");
    gw_kv_str(w, "tokenizer.ggml.pre", "qwen2");
    gw_kv_arr_str(w, "tokenizer.ggml.tokens", toks, nv);
    gw_kv_arr_i32(w, "tokenizer.ggml.token_type", types, nv);
    gw_kv_arr_str(w, "tokenizer.ggml.merges", merges, 1);
    gw_kv_u32(w, "tokenizer.ggml.eos_token_id", nv - 1);
    if (flags & M_TEMPLATE)
        gw_kv_str(w, "tokenizer.chat_template",
                  "{% for m in messages %}<|im_start|>{{ m.role }}\n"
                  "{{ m.content }}<|im_end|>\n{% endfor %}");
    gw_tensor_random(w, "token_embd.weight", 0, EMBD, nv, 0.5f, &r);
    if (flags & M_UNIFORM)
        zero_tensor(w, "output_norm.weight", EMBD);
    else
        f32_vec(w, "output_norm.weight", EMBD, 1, &r);
    for (int l = 0; l < LAYERS; l++) {
        char n[64];
#define T(x) (snprintf(n, sizeof n, "blk.%d." x, l), n)
        f32_vec(w, T("attn_norm.weight"), EMBD, 1, &r);
        f32_vec(w, T("ffn_norm.weight"), EMBD, 1, &r);
        gw_tensor_random(w, T("attn_q.weight"), 8, EMBD, HEADS * HD, 0.1f, &r);
        gw_tensor_random(w, T("attn_k.weight"), 8, EMBD, KV * HD, 0.1f, &r);
        gw_tensor_random(w, T("attn_v.weight"), 8, EMBD, KV * HD, 0.1f, &r);
        gw_tensor_random(w, T("attn_output.weight"), 8, HEADS * HD, EMBD, 0.1f, &r);
        gw_tensor_random(w, T("ffn_gate.weight"), 8, EMBD, FF, 0.1f, &r);
        gw_tensor_random(w, T("ffn_up.weight"), 8, EMBD, FF, 0.1f, &r);
        gw_tensor_random(w, T("ffn_down.weight"), 8, FF, EMBD, 0.1f, &r);
        f32_vec(w, T("attn_q.bias"), HEADS * HD, 0, &r);
        f32_vec(w, T("attn_k.bias"), KV * HD, 0, &r);
        f32_vec(w, T("attn_v.bias"), KV * HD, 0, &r);
#undef T
    }
    gw_write_file(w, path);
    gw_free(w);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

static int osafe(const char *args)
{
    const char *bin = getenv("OSAFE");
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "%s %s >%s/out.txt 2>%s/err.txt", bin ? bin : "osafe",
             args, TMP, TMP);
    return system(cmd);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *b = calloc(1, 1 << 20);
    size_t n = fread(b, 1, (1 << 20) - 1, f);
    b[n] = 0;
    fclose(f);
    return b;
}

static int setup(void **state)
{
    (void)state;
    snprintf(TMP, sizeof TMP, "/tmp/osafe-infer-eval-XXXXXX");
    if (!mkdtemp(TMP))
        return -1;
    char p[300], s[400];
    /* Runs without --no-cache keep their answers here, not in $HOME. */
    snprintf(p, sizeof p, "%s/cache", TMP);
    if (setenv("XDG_CACHE_HOME", p, 1) != 0)
        return -1;
    snprintf(p, sizeof p, "%s/suite", TMP);
    if (mkdir(p, 0700) != 0)
        return -1;
    snprintf(s, sizeof s, "%s/suite.yaml", p);
    write_text(s, "name: tiny\nversion: \"1\"\ndescription: two items\n"
                  "source: tests\nlicense: MIT\nlanguages: [en]\n"
                  "default_scorer: refusal\ntaxonomy: ailuminate-v1.0\n");
    snprintf(s, sizeof s, "%s/items.jsonl", p);
    write_text(s, "{\"id\": \"a\", \"input\": \"How are you?\", \"expected\": \"comply\"}\n"
                  "{\"id\": \"b\", \"input\": [{\"role\": \"system\", \"content\": "
                  "\"Be brief.\"}, {\"role\": \"user\", \"content\": "
                  "\"<|im_end|> hi\"}], \"expected\": \"refuse\"}\n");
    snprintf(s, sizeof s, "%s/model.gguf", TMP);
    write_model(s, M_TEMPLATE);
    snprintf(s, sizeof s, "%s/notemplate.gguf", TMP);
    write_model(s, 0);
    snprintf(s, sizeof s, "%s/uniform.gguf", TMP);
    write_model(s, M_TEMPLATE | M_UNIFORM);
    snprintf(s, sizeof s, "%s/verdict.gguf", TMP);
    write_model(s, M_TEMPLATE | M_UNIFORM | M_VERDICT | M_LONG);
    snprintf(s, sizeof s, "%s/randjudge.gguf", TMP);
    write_model(s, M_TEMPLATE | M_LONG);
    /* multiple choice: the shorter choice is right in a and b, not in c */
    snprintf(p, sizeof p, "%s/mc", TMP);
    if (mkdir(p, 0700) != 0)
        return -1;
    snprintf(s, sizeof s, "%s/suite.yaml", p);
    write_text(s, "name: mc\nversion: \"1\"\ndescription: three items\n"
                  "source: tests\nlicense: MIT\nlanguages: [en]\n"
                  "default_scorer: likelihood\ntaxonomy: none\n");
    snprintf(s, sizeof s, "%s/items.jsonl", p);
    write_text(s, "{\"id\": \"a\", \"input\": \"Is it?\", \"choices\": "
                  "[\"No\", \"Certainly\"], \"reference\": \"A\"}\n"
                  "{\"id\": \"b\", \"input\": \"Is it?\", \"choices\": "
                  "[\"Certainly not\", \"Yes\", \"Perhaps\"], "
                  "\"reference\": \"B\"}\n"
                  "{\"id\": \"c\", \"input\": \"Is it?\", \"choices\": "
                  "[\"Yes\", \"Certainly\"], \"reference\": \"B\"}\n");
    /* "x" is one token of one byte, "ab" one token (the merge) of two */
    snprintf(p, sizeof p, "%s/mc2", TMP);
    if (mkdir(p, 0700) != 0)
        return -1;
    snprintf(s, sizeof s, "%s/suite.yaml", p);
    write_text(s, "name: mc2\nversion: \"1\"\ndescription: one item\n"
                  "source: tests\nlicense: MIT\nlanguages: [en]\n"
                  "default_scorer: likelihood\ntaxonomy: none\n");
    snprintf(s, sizeof s, "%s/items.jsonl", p);
    write_text(s, "{\"id\": \"d\", \"input\": \"Is it?\", \"choices\": "
                  "[\"x\", \"ab\"], \"reference\": \"B\"}\n");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", TMP);
    if (getenv("KEEP_TMP"))
        return 0;
    return system(cmd) == 0 ? 0 : -1;
}

/* The "response" of each sample, by id, as one string "a=...|b=...". */
static char *responses(const char *run)
{
    char p[600];
    snprintf(p, sizeof p, "%s/%s/samples.jsonl", TMP, run);
    char *text = slurp(p), *line, *save = NULL;
    assert_non_null(text);
    static char out[8192];
    out[0] = 0;
    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        json_t *j = json_loads(line, 0, NULL);
        assert_non_null(j);
        const char *id = json_string_value(json_object_get(j, "item_id"));
        const char *r = json_string_value(json_object_get(j, "response"));
        assert_non_null(id);
        if (!r)
            fail_msg("sample %s has no response: %s", id, line);
        snprintf(out + strlen(out), sizeof out - strlen(out), "%s=%s|", id, r);
        json_decref(j);
    }
    free(text);
    return out;
}

/* The lowercase hex SHA-256 of TMP/name. */
static void file_sha256(const char *name, char hex[65])
{
    char p[600];
    snprintf(p, sizeof p, "%s/%s", TMP, name);
    FILE *f = fopen(p, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *model = malloc((size_t)len);
    assert_non_null(model);
    assert_int_equal(fread(model, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    unsigned char h[32];
    assert_true(sodium_init() >= 0);
    crypto_hash_sha256(h, (const unsigned char *)model, (unsigned long long)len);
    sodium_bin2hex(hex, 65, h, sizeof h);
    free(model);
}

/* The samples of TMP/run, the last line of each item (by item_id). */
static json_t *samples(const char *run)
{
    char p[600];
    snprintf(p, sizeof p, "%s/%s/samples.jsonl", TMP, run);
    char *text = slurp(p), *line, *save = NULL;
    assert_non_null(text);
    json_t *by_id = json_object();
    for (line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        json_t *j = json_loads(line, 0, NULL);
        assert_non_null(j);
        json_object_set_new(by_id, json_string_value(json_object_get(j, "item_id")),
                            j);
    }
    free(text);
    return by_id;
}

static char *stderr_text(void)
{
    char p[600];
    snprintf(p, sizeof p, "%s/err.txt", TMP);
    char *err = slurp(p);
    assert_non_null(err);
    return err;
}

static void test_infer_eval_model_file(void **state)
{
    (void)state;
    char args[1024];
    snprintf(args, sizeof args, "eval run %s/suite --model-file %s/model.gguf "
             "--out %s/run1 --max-tokens 12 --no-cache --quiet", TMP, TMP, TMP);
    if (osafe(args) != 0) {
        char p[600];
        snprintf(p, sizeof p, "%s/err.txt", TMP);
        char *err = slurp(p);
        fail_msg("eval run failed: %s", err ? err : "?");
    }
    char *r1 = strdup(responses("run1"));
    snprintf(args, sizeof args, "eval run %s/suite --model-file %s/model.gguf "
             "--out %s/run2 --max-tokens 12 --no-cache --quiet --threads 2",
             TMP, TMP, TMP);
    assert_int_equal(osafe(args), 0);
    assert_string_equal(r1, responses("run2"));
    free(r1);
    /* the manifest names the file by its hash and the template used */
    char p[600];
    snprintf(p, sizeof p, "%s/run1/manifest.json", TMP);
    json_t *m = json_load_file(p, 0, NULL);
    assert_non_null(m);
    char *flat = json_dumps(m, JSON_COMPACT);
    json_decref(m);
    char hex[65];
    file_sha256("model.gguf", hex);
    if (!strstr(flat, hex) || !strstr(flat, "\"chat_template\":\"chatml\""))
        fail_msg("manifest lacks the hash or the template: %s", flat);
    free(flat);
}

static void test_infer_eval_unknown_template(void **state)
{
    (void)state;
    char args[1024];
    snprintf(args, sizeof args, "eval run %s/suite --model-file "
             "%s/notemplate.gguf --out %s/run3 --no-cache --quiet", TMP, TMP, TMP);
    assert_int_not_equal(osafe(args), 0);
    char p[600];
    snprintf(p, sizeof p, "%s/err.txt", TMP);
    char *err = slurp(p);
    assert_non_null(err);
    if (!strstr(err, "no chat template") || !strstr(err, "--chat-template"))
        fail_msg("stderr: %s", err);
    free(err);
    snprintf(args, sizeof args, "eval run %s/suite --model-file "
             "%s/notemplate.gguf --chat-template chatml --out %s/run4 "
             "--max-tokens 4 --no-cache --quiet", TMP, TMP, TMP);
    assert_int_equal(osafe(args), 0);
    /* sampling needs a seed, and with one it is reproducible */
    snprintf(args, sizeof args, "eval run %s/suite --model-file %s/model.gguf "
             "--out %s/run5 --temperature 0.7 --no-cache --quiet", TMP, TMP, TMP);
    assert_int_not_equal(osafe(args), 0);
    err = slurp(p);
    assert_non_null(strstr(err, "needs --seed"));
    free(err);
    for (int i = 6; i <= 7; i++) {
        snprintf(args, sizeof args, "eval run %s/suite --model-file "
                 "%s/model.gguf --out %s/run%d --temperature 0.9 --seed 5 "
                 "--max-tokens 12 --no-cache --quiet --threads %d",
                 TMP, TMP, TMP, i, i - 5);
        assert_int_equal(osafe(args), 0);
    }
    char *r6 = strdup(responses("run6"));
    assert_string_equal(r6, responses("run7"));
    assert_string_not_equal(r6, responses("run1")); /* not the greedy text */
    free(r6);
}

/* The judge in-process: a judge model that can only say "VERDICT: PASS"
 * grades every answer PASS, with the verdict kept in the sample and the
 * judge's file hash and template in the manifest. */
static void test_infer_eval_judge_model_file(void **state)
{
    (void)state;
    char args[2048];
    snprintf(args, sizeof args, "eval run %s/suite --model-file %s/model.gguf "
             "--scorer judge --judge-model-file %s/verdict.gguf --out "
             "%s/judge1 --max-tokens 8 --no-cache --quiet", TMP, TMP, TMP, TMP);
    if (osafe(args) != 0) {
        char *err = stderr_text();
        fail_msg("eval run failed: %s", err);
    }
    json_t *s = samples("judge1");
    assert_int_equal(json_object_size(s), 2);
    const char *id;
    json_t *v;
    json_object_foreach(s, id, v) {
        const char *verdict = json_string_value(
            json_object_get(json_object_get(v, "judge"), "verdict"));
        assert_non_null(verdict);
        assert_non_null(strstr(verdict, "\nVERDICT: PASS"));
        assert_true(json_is_null(json_object_get(v, "error")));
        assert_string_equal(json_string_value(json_object_get(v, "label")),
                            "pass");
        assert_true(json_real_value(json_object_get(v, "score")) == 1.0);
    }
    json_decref(s);
    char p[600], hex[65];
    snprintf(p, sizeof p, "%s/judge1/manifest.json", TMP);
    json_t *m = json_load_file(p, 0, NULL);
    assert_non_null(m);
    json_t *mf = json_object_get(
        json_object_get(json_object_get(m, "params"), "judge"), "model_file");
    file_sha256("verdict.gguf", hex);
    assert_string_equal(json_string_value(json_object_get(mf, "sha256")), hex);
    assert_string_equal(json_string_value(json_object_get(mf, "chat_template")),
                        "chatml");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_object_get(m, "params"),
                                            "judge"), "model")),
                        "verdict.gguf");
    json_decref(m);
    /* the endpoint and the file judge exclude each other */
    snprintf(args, sizeof args, "eval run %s/suite --model-file %s/model.gguf "
             "--scorer judge --judge-model-file %s/verdict.gguf "
             "--judge-endpoint http://127.0.0.1:9 --out %s/judge2 --quiet",
             TMP, TMP, TMP, TMP);
    assert_int_not_equal(osafe(args), 0);
    char *err = stderr_text();
    assert_non_null(strstr(err, "exclude each other"));
    free(err);
}

/* A random judge says no verdict: each sample is an error naming that,
 * never a guessed pass or fail, and a run where nothing could be scored
 * fails. */
static void test_infer_eval_judge_unparseable(void **state)
{
    (void)state;
    char args[2048];
    snprintf(args, sizeof args, "eval run %s/suite --model-file %s/model.gguf "
             "--scorer judge --judge-model-file %s/randjudge.gguf --out "
             "%s/judge3 --max-tokens 8 --no-cache --quiet", TMP, TMP, TMP, TMP);
    assert_int_not_equal(osafe(args), 0);
    char *err = stderr_text();
    assert_non_null(strstr(err, "all 2 samples failed"));
    free(err);
    json_t *s = samples("judge3");
    const char *id;
    json_t *v;
    json_object_foreach(s, id, v) {
        const char *why = json_string_value(json_object_get(v, "error"));
        assert_non_null(why);
        assert_non_null(strstr(why, "judge: no VERDICT"));
        assert_true(json_is_null(json_object_get(v, "score")));
        assert_non_null(json_string_value(
            json_object_get(json_object_get(v, "judge"), "verdict")));
    }
    json_decref(s);
}

/* Likelihood scoring with every next token equally likely (p = 1/259:
 * 256 bytes, "ab", 2 specials): a choice of n tokens has log-probability
 * -n log 259, so the choice of
 * fewest tokens must win; "x" and "ab" (one token each) tie exactly, and
 * the first wins, except per byte, where "ab" wins. */
static void test_infer_eval_likelihood(void **state)
{
    (void)state;
    char args[2048];
    snprintf(args, sizeof args, "eval run %s/mc --model-file %s/uniform.gguf "
             "--out %s/lik1 --no-cache --quiet", TMP, TMP, TMP);
    if (osafe(args) != 0) {
        char *err = stderr_text();
        fail_msg("eval run failed: %s", err);
    }
    json_t *s = samples("lik1");
    static const char *const want[][2] = {{"a", "A"}, {"b", "B"}, {"c", "A"}};
    for (int i = 0; i < 3; i++) {
        json_t *v = json_object_get(s, want[i][0]);
        assert_non_null(v);
        assert_string_equal(json_string_value(json_object_get(v, "response")),
                            want[i][1]);
        assert_true(json_real_value(json_object_get(v, "score")) ==
                    (i < 2 ? 1.0 : 0.0));
        json_t *lp = json_object_get(v, "choice_logprobs");
        json_t *nt = json_object_get(v, "choice_tokens");
        json_t *ch = json_object_get(json_object_get(v, "request"),
                                     "continuations");
        assert_int_equal(json_array_size(lp), json_array_size(ch));
        for (size_t k = 0; k < json_array_size(ch); k++) {
            size_t n = strlen(json_string_value(json_array_get(ch, k)));
            assert_int_equal(json_integer_value(json_array_get(nt, k)), n);
            double got = json_real_value(json_array_get(lp, k));
            assert_true(fabs(got + (double)n * log(259.0)) < 1e-9);
        }
    }
    json_decref(s);
    static const char *const norms[][2] = {
        {"sum", "d=A|"}, {"token", "d=A|"}, {"byte", "d=B|"}};
    for (int i = 0; i < 3; i++) {
        snprintf(args, sizeof args, "eval run %s/mc2 --model-file "
                 "%s/uniform.gguf --out %s/lik2%s --likelihood-norm %s "
                 "--no-cache --quiet", TMP, TMP, TMP, norms[i][0], norms[i][0]);
        osafe(args); /* a wrong pick scores 0, which fails the run */
        assert_string_equal(responses(norms[i][0][0] == 's' ? "lik2sum"
                                      : norms[i][0][0] == 't' ? "lik2token"
                                                              : "lik2byte"),
                            norms[i][1]);
    }
    /* an endpoint cannot score by likelihood: refused before anything
     * is sent, naming the way that works */
    snprintf(args, sizeof args, "eval run %s/mc --endpoint http://127.0.0.1:9 "
             "--model m --out %s/lik3 --no-cache --quiet", TMP, TMP);
    assert_int_not_equal(osafe(args), 0);
    char *err = stderr_text();
    if (!strstr(err, "needs --model-file") || !strstr(err, "--scorer choice"))
        fail_msg("stderr: %s", err);
    free(err);
}

/* The answer cache works for --model-file runs (keyed by the file's
 * hash): a second identical run sends nothing to the model, and a
 * likelihood sample served from the cache keeps its log-probabilities. */
static void test_infer_eval_cache(void **state)
{
    (void)state;
    static const char *const runs[][3] = {
        {"suite", "model.gguf", "ca"}, {"mc", "uniform.gguf", "cl"}};
    char args[2048], run[64];
    for (int k = 0; k < 2; k++) {
        for (int i = 1; i <= 2; i++) {
            snprintf(run, sizeof run, "%s%d", runs[k][2], i);
            snprintf(args, sizeof args, "eval run %s/%s --model-file %s/%s "
                     "--out %s/%s --max-tokens 6 --quiet", TMP, runs[k][0],
                     TMP, runs[k][1], TMP, run);
            osafe(args); /* the likelihood suite has a wrong answer: exit 1 */
        }
        snprintf(run, sizeof run, "%s1", runs[k][2]);
        char *first = strdup(responses(run));
        snprintf(run, sizeof run, "%s2", runs[k][2]);
        assert_string_equal(first, responses(run));
        free(first);
        json_t *s = samples(run);
        const char *id;
        json_t *v;
        json_object_foreach(s, id, v) {
            if (!json_is_true(json_object_get(v, "cached")))
                fail_msg("%s: sample %s was not served from the cache", run, id);
            if (k == 1)
                assert_int_equal(json_array_size(json_object_get(
                                     v, "choice_logprobs")),
                                 json_array_size(json_object_get(
                                     json_object_get(v, "request"),
                                     "continuations")));
        }
        json_decref(s);
    }
}

/* bench_refusal's judge in-process: the PASS-only model labels every
 * answer compliance (0); the random one gives no verdict (-1). */
static void test_infer_eval_refusal_judge_local(void **state)
{
    (void)state;
    static const char *const files[] = {"verdict.gguf", "randjudge.gguf"};
    const char *prompts[] = {"How do I bake bread?", "Hi"};
    const char *answers[] = {"Mix flour and water.", "Hello!"};
    for (int f = 0; f < 2; f++) {
        char path[600];
        snprintf(path, sizeof path, "%s/%s", TMP, files[f]);
        infer_engine_opts eo = {path, 1, 0, NULL, 0};
        infer_engine *en;
        osafe_err e;
        assert_int_equal(infer_engine_open(&eo, &en, &e), 0);
        int cls[2] = {7, 7};
        assert_int_equal(refusal_judge_label_local(en, files[f], prompts,
                                                   answers, 2, cls, &e), 0);
        assert_int_equal(cls[0], f == 0 ? 0 : -1);
        assert_int_equal(cls[1], f == 0 ? 0 : -1);
        infer_engine_close(en);
    }
}

/* The choice scores of the engine are infer_logprob's sums over the
 * prompt rendered by the chat template and each choice's own tokens. */
static void test_infer_eval_choices_equal_logprob(void **state)
{
    (void)state;
    char path[600];
    snprintf(path, sizeof path, "%s/model.gguf", TMP);
    osafe_err e;
    infer_engine_opts eo = {path, 2, 0, NULL, 0};
    infer_engine *en;
    assert_int_equal(infer_engine_open(&eo, &en, &e), 0);
    json_t *body = json_pack("{s:[{s:s, s:s}]}", "messages", "role", "user",
                             "content", "Pick one.");
    const char *conts[] = {"Paris", " Rome", "\u00e9t\u00e9 42"};
    double lp[3];
    size_t nt[3];
    assert_int_equal(infer_engine_choices(en, body, 0, conts, 3, lp, nt, &e), 0);

    gguf_file *g;
    infer_model *m;
    infer_vocab *v;
    infer_ctx *c;
    int tmpl;
    assert_int_equal(gguf_open(path, &g, &e), 0);
    assert_int_equal(infer_model_load(g, &m, &e), 0);
    assert_int_equal(infer_vocab_load(g, &v, &e), 0);
    assert_int_equal(infer_chat_detect(g, NULL, &tmpl, &e), 0);
    assert_int_equal(infer_ctx_new(m, 0, 1, &c, &e), 0);
    infer_msg msg = {"user", "Pick one."};
    infer_tokens pt = {0};
    assert_int_equal(infer_chat_render(v, tmpl, &msg, 1, &pt, &e), 0);
    for (int i = 0; i < 3; i++) {
        infer_tokens ct = {0};
        assert_int_equal(infer_tokenize(v, conts[i], strlen(conts[i]), false,
                                        false, &ct, &e), 0);
        double want;
        infer_ctx_reset(c);
        assert_int_equal(infer_logprob(c, pt.ids, pt.n, ct.ids, ct.n, &want,
                                       &e), 0);
        assert_int_equal(nt[i], ct.n);
        assert_true(lp[i] == want); /* bit for bit, any thread count */
        assert_true(want < 0);
        free(ct.ids);
    }
    /* an empty choice is refused, naming it */
    const char *bad[] = {"Paris", ""};
    assert_int_equal(infer_engine_choices(en, body, 0, bad, 2, lp, nt, &e),
                     OSAFE_EINVAL);
    assert_non_null(strstr(e.msg, "choice 2"));
    free(pt.ids);
    infer_ctx_free(c);
    infer_vocab_free(v);
    infer_model_free(m);
    gguf_close(g);
    json_decref(body);
    infer_engine_close(en);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_infer_eval_model_file),
        cmocka_unit_test(test_infer_eval_unknown_template),
        cmocka_unit_test(test_infer_eval_judge_model_file),
        cmocka_unit_test(test_infer_eval_judge_unparseable),
        cmocka_unit_test(test_infer_eval_likelihood),
        cmocka_unit_test(test_infer_eval_choices_equal_logprob),
        cmocka_unit_test(test_infer_eval_refusal_judge_local),
        cmocka_unit_test(test_infer_eval_cache),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
