/*
 * vocab.c - loading a GGUF vocabulary (vocab.h): the token strings,
 * scores and types, the lookup table, the special tokens and the ids that
 * end a generation; splitting text on special tokens when asked, and
 * turning ids back into text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "infer/vocab_int.h"

static uint64_t fnv(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * 1099511628211ull;
    return h;
}

int32_t vocab__lookup(const vocab__map *m, const gguf_str *strs,
                      const char *s, size_t n)
{
    for (size_t i = fnv(s, n) & m->mask;; i = (i + 1) & m->mask) {
        uint32_t id = m->slots[i];
        if (id == 0)
            return -1;
        const gguf_str *t = &strs[id - 1];
        if (t->len == n && memcmp(t->p, s, n) == 0)
            return (int32_t)(id - 1);
    }
}

/* A map over strs[0..n); a string seen twice keeps its first id, as
 * llama.cpp's does. */
static int map_build(vocab__map *m, const gguf_str *strs, uint32_t n,
                     osafe_err *e)
{
    size_t cap = 16;
    while (cap < 2 * (size_t)n)
        cap *= 2;
    m->slots = calloc(cap, sizeof *m->slots);
    if (!m->slots)
        return osafe_errf(e, OSAFE_ENOMEM, "vocabulary: out of memory");
    m->mask = cap - 1;
    for (uint32_t id = 0; id < n; id++) {
        size_t i = fnv(strs[id].p, strs[id].len) & m->mask;
        for (;; i = (i + 1) & m->mask) {
            uint32_t o = m->slots[i];
            if (o == 0) {
                m->slots[i] = id + 1;
                break;
            }
            if (strs[o - 1].len == strs[id].len &&
                memcmp(strs[o - 1].p, strs[id].p, strs[id].len) == 0)
                break;
        }
    }
    return 0;
}

static int32_t opt_id(const gguf_file *g, const char *key, uint32_t n)
{
    uint64_t v;
    if (!gguf_find(g, key) || gguf_get_uint(g, key, &v, NULL) != 0 || v >= n)
        return -1;
    return (int32_t)v;
}

static bool opt_bool(const gguf_file *g, const char *key, bool dflt)
{
    bool b;
    return gguf_get_bool(g, key, &b, NULL) == 0 ? b : dflt;
}

static int read_model(const gguf_file *g, infer_vocab *v, osafe_err *e)
{
    gguf_str s;
    int rc = gguf_get_str(g, "tokenizer.ggml.model", &s, e);
    if (rc)
        return rc;
    if (gguf_str_eq(s, "llama")) {
        v->kind = VOCAB__SPM;
        return 0;
    }
    if (!gguf_str_eq(s, "gpt2"))
        return osafe_errf(e, OSAFE_EUNSUPPORTED,
                          "tokenizer '%.*s' is not supported (llama and gpt2 "
                          "are)",
                          (int)(s.len > 40 ? 40 : s.len), s.p);
    v->kind = VOCAB__BPE;
    v->pre = VOCAB__PRE_GPT2;
    if (gguf_get_str(g, "tokenizer.ggml.pre", &s, NULL) != 0 ||
        gguf_str_eq(s, "default") || gguf_str_eq(s, "gpt-2"))
        return 0;
    if (gguf_str_eq(s, "llama-bpe") || gguf_str_eq(s, "llama3") ||
        gguf_str_eq(s, "smollm")) {
        v->pre = VOCAB__PRE_LLAMA3;
        v->ignore_merges = true;
        return 0;
    }
    if (gguf_str_eq(s, "qwen2")) {
        v->pre = VOCAB__PRE_QWEN2;
        return 0;
    }
    /* llama.cpp warns and falls back here; a wrong split changes the ids
     * silently, so we refuse instead. */
    return osafe_errf(e, OSAFE_EUNSUPPORTED,
                      "BPE pre-tokenizer '%.*s' is not supported (default, "
                      "gpt-2, llama-bpe, smollm and qwen2 are)",
                      (int)(s.len > 40 ? 40 : s.len), s.p);
}

static int read_arrays(const gguf_file *g, infer_vocab *v, osafe_err *e)
{
    const gguf_kv *kv;
    int rc = gguf_get_arr(g, "tokenizer.ggml.tokens", GGUF_VT_STRING, &kv, e);
    if (rc)
        return rc;
    if (kv->v.arr.count == 0 || kv->v.arr.count > OSAFE_INFER_VOCAB_MAX)
        return osafe_errf(e, OSAFE_EUNSUPPORTED,
                          "vocabulary of %llu tokens (1 to %u)",
                          (unsigned long long)kv->v.arr.count,
                          OSAFE_INFER_VOCAB_MAX);
    v->n = (uint32_t)kv->v.arr.count;
    v->text = kv->v.arr.strs;
    v->types = malloc(v->n * sizeof *v->types);
    v->eog = calloc(v->n, sizeof *v->eog);
    if (!v->types || !v->eog)
        return osafe_errf(e, OSAFE_ENOMEM, "vocabulary: out of memory");
    const gguf_kv *tt = NULL;
    if (gguf_find(g, "tokenizer.ggml.token_type") &&
        (rc = gguf_get_arr(g, "tokenizer.ggml.token_type", GGUF_VT_I32, &tt, e)))
        return rc;
    if (tt && tt->v.arr.count != v->n)
        return osafe_errf(e, OSAFE_ECORRUPT,
                          "tokenizer.ggml.token_type has %llu entries for %u "
                          "tokens",
                          (unsigned long long)tt->v.arr.count, v->n);
    for (uint32_t i = 0; i < v->n; i++)
        v->types[i] = tt ? (int32_t)gguf_arr_int(tt, i) : VOCAB__NORMAL;
    if (v->kind == VOCAB__SPM) {
        const gguf_kv *sc;
        if ((rc = gguf_get_arr(g, "tokenizer.ggml.scores", GGUF_VT_F32, &sc, e)))
            return rc;
        if (sc->v.arr.count != v->n)
            return osafe_errf(e, OSAFE_ECORRUPT,
                              "tokenizer.ggml.scores has %llu entries for %u "
                              "tokens",
                              (unsigned long long)sc->v.arr.count, v->n);
        if (!(v->scores = malloc(v->n * sizeof *v->scores)))
            return osafe_errf(e, OSAFE_ENOMEM, "vocabulary: out of memory");
        for (uint32_t i = 0; i < v->n; i++)
            v->scores[i] = (float)gguf_arr_float(sc, i);
    } else {
        const gguf_kv *mg;
        if ((rc = gguf_get_arr(g, "tokenizer.ggml.merges", GGUF_VT_STRING, &mg, e)))
            return rc;
        if (mg->v.arr.count > OSAFE_INFER_VOCAB_MAX)
            return osafe_errf(e, OSAFE_EUNSUPPORTED, "%llu merges (at most %u)",
                              (unsigned long long)mg->v.arr.count,
                              OSAFE_INFER_VOCAB_MAX);
        v->merge_text = mg->v.arr.strs;
        v->n_merges = (uint32_t)mg->v.arr.count;
        if ((rc = map_build(&v->merges, v->merge_text, v->n_merges, e)))
            return rc;
    }
    return map_build(&v->tokens, v->text, v->n, e);
}

typedef struct by_len {
    uint64_t len;
    int32_t id;
} by_len;

static int cmp_len_desc(const void *a, const void *b)
{
    const by_len *x = a, *y = b;
    if (x->len != y->len)
        return x->len < y->len ? 1 : -1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* Special tokens, longest first so that a longer one wins; the ids that
 * end a generation. */
static int read_specials(infer_vocab *v, osafe_err *e)
{
    static const char *const eog_names[] = {"<|eot_id|>", "<|im_end|>",
                                            "<|end|>", "<end_of_turn>",
                                            "<|endoftext|>", "<|eom_id|>"};
    v->special = malloc(v->n * sizeof *v->special);
    by_len *sp = malloc(v->n * sizeof *sp);
    if (!v->special || !sp) {
        free(sp);
        return osafe_errf(e, OSAFE_ENOMEM, "vocabulary: out of memory");
    }
    for (uint32_t i = 0; i < v->n; i++)
        if ((v->types[i] == VOCAB__CONTROL || v->types[i] == VOCAB__USER) &&
            v->text[i].len > 0)
            sp[v->n_special++] = (by_len){v->text[i].len, (int32_t)i};
    qsort(sp, v->n_special, sizeof *sp, cmp_len_desc);
    for (size_t i = 0; i < v->n_special; i++)
        v->special[i] = sp[i].id;
    free(sp);
    for (size_t i = 0; i < sizeof eog_names / sizeof eog_names[0]; i++) {
        int32_t id = infer_vocab_find(v, eog_names[i], strlen(eog_names[i]));
        if (id >= 0 && v->types[id] == VOCAB__CONTROL)
            v->eog[id] = true;
    }
    if (v->eos >= 0)
        v->eog[v->eos] = true;
    if (v->eot >= 0)
        v->eog[v->eot] = true;
    for (int b = 0; b < 256; b++) {
        char name[8];
        snprintf(name, sizeof name, "<0x%02X>", b);
        v->byte_id[b] = v->kind == VOCAB__SPM
                            ? infer_vocab_find(v, name, 6) : -1;
    }
    return 0;
}

int infer_vocab_load(const gguf_file *g, infer_vocab **out, osafe_err *e)
{
    *out = NULL;
    infer_vocab *v = calloc(1, sizeof *v);
    if (!v)
        return osafe_errf(e, OSAFE_ENOMEM, "vocabulary: out of memory");
    int rc = read_model(g, v, e);
    if (rc == 0)
        rc = read_arrays(g, v, e);
    if (rc == 0) {
        v->bos = opt_id(g, "tokenizer.ggml.bos_token_id", v->n);
        v->eos = opt_id(g, "tokenizer.ggml.eos_token_id", v->n);
        v->eot = opt_id(g, "tokenizer.ggml.eot_token_id", v->n);
        v->unk = opt_id(g, "tokenizer.ggml.unknown_token_id", v->n);
        bool spm = v->kind == VOCAB__SPM;
        bool bos_dflt = spm || v->pre == VOCAB__PRE_LLAMA3;
        v->add_bos = opt_bool(g, "tokenizer.ggml.add_bos_token", bos_dflt);
        v->add_space_prefix =
            spm && opt_bool(g, "tokenizer.ggml.add_space_prefix", true);
        rc = read_specials(v, e);
    }
    if (rc == 0 && v->kind == VOCAB__BPE)
        rc = vocab__bpe_init(v, e);
    if (rc) {
        infer_vocab_free(v);
        return rc;
    }
    *out = v;
    return 0;
}

void infer_vocab_free(infer_vocab *v)
{
    if (!v)
        return;
    vocab__bpe_free(v);
    free(v->scores);
    free(v->types);
    free(v->eog);
    free(v->special);
    free(v->tokens.slots);
    free(v->merges.slots);
    free(v);
}

uint32_t infer_vocab_size(const infer_vocab *v) { return v->n; }
int32_t infer_vocab_bos(const infer_vocab *v) { return v->bos; }
bool infer_vocab_add_bos(const infer_vocab *v) { return v->add_bos && v->bos >= 0; }

bool infer_vocab_is_eog(const infer_vocab *v, int32_t id)
{
    return id >= 0 && (uint32_t)id < v->n && v->eog[id];
}

int32_t infer_vocab_find(const infer_vocab *v, const char *s, size_t n)
{
    return vocab__lookup(&v->tokens, v->text, s, n);
}

int infer_tokens_push(infer_tokens *t, int32_t id, osafe_err *e)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        int32_t *p = realloc(t->ids, cap * sizeof *p);
        if (!p)
            return osafe_errf(e, OSAFE_ENOMEM, "tokens: out of memory");
        t->ids = p;
        t->cap = cap;
    }
    t->ids[t->n++] = id;
    return 0;
}

static int fragment(const infer_vocab *v, const char *s, size_t n,
                    bool prefix, infer_tokens *out, osafe_err *e)
{
    if (n == 0)
        return 0;
    return v->kind == VOCAB__SPM ? vocab__spm(v, s, n, prefix, out, e)
                                 : vocab__bpe(v, s, n, out, e);
}

/* The special token starting at s[0..n), or -1. */
static int32_t special_at(const infer_vocab *v, const char *s, size_t n)
{
    for (size_t k = 0; k < v->n_special; k++) {
        const gguf_str *t = &v->text[v->special[k]];
        if (t->len <= n && memcmp(t->p, s, t->len) == 0)
            return v->special[k];
    }
    return -1;
}

static bool all_set(const uint8_t *mask, size_t at, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!mask[at + i])
            return false;
    return true;
}

static int tokenize(const infer_vocab *v, const char *text, size_t len,
                    const uint8_t *mask, bool parse_special, bool first,
                    infer_tokens *out, osafe_err *e)
{
    size_t start = 0;
    bool prefix = first; /* SPM: a fragment at the start or after a special */
    int rc;
    for (size_t i = 0; parse_special && i < len; i++) {
        if (mask && !mask[i])
            continue;
        int32_t id = special_at(v, text + i, len - i);
        if (id < 0 || (mask && !all_set(mask, i, v->text[id].len)))
            continue;
        if ((rc = fragment(v, text + start, i - start, prefix, out, e)) ||
            (rc = infer_tokens_push(out, id, e)))
            return rc;
        i += v->text[id].len - 1;
        start = i + 1;
        prefix = true;
    }
    return fragment(v, text + start, len - start, prefix, out, e);
}

int infer_tokenize(const infer_vocab *v, const char *text, size_t len,
                   bool parse_special, bool first, infer_tokens *out,
                   osafe_err *e)
{
    return tokenize(v, text, len, NULL, parse_special, first, out, e);
}

int infer_tokenize_masked(const infer_vocab *v, const char *text, size_t len,
                          const uint8_t *mask, bool first, infer_tokens *out,
                          osafe_err *e)
{
    return tokenize(v, text, len, mask, true, first, out, e);
}

bool infer_vocab_is_special(const infer_vocab *v, int32_t id)
{
    return id >= 0 && (uint32_t)id < v->n &&
           (v->types[id] == VOCAB__CONTROL || v->types[id] == VOCAB__USER);
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0'
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
           : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int spm_piece(const infer_vocab *v, int32_t id, osafe_buf *out)
{
    const gguf_str *t = &v->text[id];
    if (v->types[id] == VOCAB__BYTE && t->len == 6) {
        int hi = hexval(t->p[3]), lo = hexval(t->p[4]);
        if (hi >= 0 && lo >= 0)
            return buf_putc(out, (char)(hi << 4 | lo));
    }
    for (uint64_t i = 0; i < t->len; i++) {
        if (i + 2 < t->len && (uint8_t)t->p[i] == 0xe2 &&
            (uint8_t)t->p[i + 1] == 0x96 && (uint8_t)t->p[i + 2] == 0x81) {
            OSAFE_IGNORE(buf_putc(out, ' ')); /* checked by buf_status */
            i += 2;
        } else {
            OSAFE_IGNORE(buf_putc(out, t->p[i]));
        }
    }
    return buf_status(out);
}

int infer_detokenize(const infer_vocab *v, const int32_t *ids, size_t n,
                     osafe_buf *out, osafe_err *e)
{
    for (size_t i = 0; i < n; i++) {
        int32_t id = ids[i];
        if (id < 0 || (uint32_t)id >= v->n)
            return osafe_errf(e, OSAFE_EINVAL,
                              "detokenize: id %d outside the vocabulary",
                              (int)id);
        int t = v->types[id];
        if (t == VOCAB__CONTROL || t == VOCAB__UNKNOWN || t == VOCAB__UNUSED)
            continue;
        int rc = t == VOCAB__USER ? buf_append(out, v->text[id].p,
                                               v->text[id].len)
                 : v->kind == VOCAB__SPM
                     ? spm_piece(v, id, out)
                     : vocab__bpe_decode(v->text[id].p, v->text[id].len, out);
        if (rc)
            return osafe_errf(e, OSAFE_ENOMEM, "detokenize: out of memory");
    }
    return 0;
}
