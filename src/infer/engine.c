/*
 * engine.c - the in-process backend (engine.h): one model file mapped,
 * hashed and loaded once; each request rendered with the chat template
 * (or taken as a raw prompt), decoded (greedily, or sampled with the
 * request's temperature, top_k, top_p and seed) to an end-of-generation
 * token or max_tokens, and turned back into text.
 */
#include "infer/engine.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/limits.h"
#include "core/utf8.h"
#include "infer/chat.h"
#include "infer/gguf.h"
#include "infer/model.h"
#include "infer/sample.h"
#include "infer/vocab.h"

struct infer_engine {
    gguf_file *g;
    infer_model *m;
    infer_vocab *v;
    infer_ctx *c;
    int tmpl; /* -1 when completions only */
    char sha256[65];
    int32_t *stops; /* end-of-generation ids */
    size_t n_stops;
};

static void hash_file(infer_engine *en)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, gguf_bytes(en->g), gguf_size(en->g));
    sodium_bin2hex(en->sha256, sizeof en->sha256, h, sizeof h);
}

static int collect_stops(infer_engine *en, osafe_err *e)
{
    uint32_t n = infer_vocab_size(en->v);
    en->stops = malloc(n * sizeof *en->stops);
    if (!en->stops)
        return osafe_errf(e, OSAFE_ENOMEM, "model: out of memory");
    for (uint32_t i = 0; i < n; i++)
        if (infer_vocab_is_eog(en->v, (int32_t)i))
            en->stops[en->n_stops++] = (int32_t)i;
    return 0;
}

static int load(infer_engine *en, const infer_engine_opts *o, int completions,
                osafe_err *e)
{
    int rc;
    if ((rc = gguf_open(o->model_file, &en->g, e)))
        return rc;
    hash_file(en);
    if ((rc = infer_model_load(en->g, &en->m, e)) ||
        (rc = infer_vocab_load(en->g, &en->v, e)) ||
        (rc = collect_stops(en, e)))
        return rc;
    en->tmpl = -1;
    if (!completions &&
        (rc = infer_chat_detect(en->g, o->chat_template, &en->tmpl, e)))
        return rc;
    uint32_t n_ctx = o->n_ctx ? o->n_ctx : OSAFE_INFER_CTX_DEFAULT;
    uint32_t train = infer_model_hparams(en->m)->n_ctx_train;
    if (!o->n_ctx && train < n_ctx)
        n_ctx = train;
    return infer_ctx_new(en->m, n_ctx, o->threads ? o->threads : 1, &en->c, e);
}

int infer_engine_open(const infer_engine_opts *o, infer_engine **out,
                      osafe_err *e)
{
    *out = NULL;
    if (sodium_init() < 0)
        return osafe_errf(e, OSAFE_EIO, "libsodium failed to start");
    infer_engine *en = calloc(1, sizeof *en);
    if (!en)
        return osafe_errf(e, OSAFE_ENOMEM, "model: out of memory");
    int rc = load(en, o, o->completions, e);
    if (rc) {
        infer_engine_close(en);
        return rc;
    }
    *out = en;
    return 0;
}

void infer_engine_close(infer_engine *en)
{
    if (!en)
        return;
    infer_ctx_free(en->c);
    infer_vocab_free(en->v);
    infer_model_free(en->m);
    gguf_close(en->g);
    free(en->stops);
    free(en);
}

const char *infer_engine_sha256(const infer_engine *en) { return en->sha256; }

const char *infer_engine_template(const infer_engine *en)
{
    return en->tmpl < 0 ? "none" : infer_chat_name(en->tmpl);
}

const char *infer_engine_arch(const infer_engine *en)
{
    int a = infer_model_hparams(en->m)->arch;
    return a == INFER_ARCH_QWEN2   ? "qwen2"
           : a == INFER_ARCH_GEMMA ? "gemma"
           : a == INFER_ARCH_PHI3  ? "phi3"
                                   : "llama";
}

uint32_t infer_engine_ctx(const infer_engine *en)
{
    return infer_ctx_size(en->c);
}

/* The messages of a chat body, as infer_msg (pointing into body). */
static int read_messages(const json_t *body, infer_msg **out, size_t *n,
                         osafe_err *e)
{
    const json_t *msgs = json_object_get(body, "messages");
    if (!json_is_array(msgs) || json_array_size(msgs) == 0)
        return osafe_errf(e, OSAFE_EINVAL,
                          "request: \"messages\" is not a non-empty array");
    *n = json_array_size(msgs);
    *out = calloc(*n, sizeof **out);
    if (!*out)
        return osafe_errf(e, OSAFE_ENOMEM, "request: out of memory");
    for (size_t i = 0; i < *n; i++) {
        const json_t *m = json_array_get(msgs, i);
        const char *role = json_string_value(json_object_get(m, "role"));
        const char *content = json_string_value(json_object_get(m, "content"));
        if (!role || !content)
            return osafe_errf(e, OSAFE_EINVAL,
                              "request: message %zu needs a string role and "
                              "a string content",
                              i);
        (*out)[i] = (infer_msg){role, content};
    }
    return 0;
}

static int prompt_tokens(infer_engine *en, const json_t *body, int completions,
                         infer_tokens *t, osafe_err *e)
{
    if (completions) {
        const char *p = json_string_value(json_object_get(body, "prompt"));
        if (!p)
            return osafe_errf(e, OSAFE_EINVAL,
                              "request: \"prompt\" is not a string");
        int rc;
        if (infer_vocab_add_bos(en->v) &&
            (rc = infer_tokens_push(t, infer_vocab_bos(en->v), e)))
            return rc;
        return infer_tokenize(en->v, p, strlen(p), false, true, t, e);
    }
    if (en->tmpl < 0)
        return osafe_errf(e, OSAFE_ESTATE,
                          "the engine was opened for completions only");
    infer_msg *msgs = NULL;
    size_t n = 0;
    int rc = read_messages(body, &msgs, &n, e);
    if (rc == 0)
        rc = infer_chat_render(en->v, en->tmpl, msgs, n, t, e);
    free(msgs);
    return rc;
}

/* Text for JSON: invalid UTF-8 (a byte token cut a character in two)
 * becomes U+FFFD, and NUL is dropped. */
static char *clean_text(const osafe_buf *b)
{
    char *s = malloc(3 * b->len + 1);
    if (!s)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < b->len;) {
        uint32_t cp;
        size_t l = utf8_decode(b->data + i, b->len - i, &cp);
        if (l == 0) {
            memcpy(s + k, "\xef\xbf\xbd", 3);
            k += 3;
            i++;
        } else {
            if (cp != 0) {
                memcpy(s + k, b->data + i, l);
                k += l;
            }
            i += l;
        }
    }
    s[k] = 0;
    return s;
}

/* max_tokens, and the sampler the body asks for: greedy unless a
 * temperature above 0, which needs a seed (a run must be reproducible). */
static int read_params(const infer_engine *en, const json_t *body,
                       size_t *max_new, infer_sampler *smp, osafe_err *e)
{
    const json_t *mt = json_object_get(body, "max_tokens");
    *max_new = OSAFE_INFER_MAX_NEW_DEFAULT;
    if (json_is_integer(mt) && json_integer_value(mt) > 0)
        *max_new = (size_t)json_integer_value(mt);
    double temp = json_number_value(json_object_get(body, "temperature"));
    const json_t *seed = json_object_get(body, "seed");
    const json_t *tk = json_object_get(body, "top_k");
    const json_t *tp = json_object_get(body, "top_p");
    if (temp > 0 && !json_is_integer(seed))
        return osafe_errf(e, OSAFE_EINVAL,
                          "in-process sampling (temperature above 0) needs "
                          "a seed, so that the run can be reproduced");
    return infer_sampler_init(
        smp, infer_model_hparams(en->m)->n_vocab, temp > 0 ? (float)temp : 0,
        json_is_integer(tk) && json_integer_value(tk) > 0
            ? (uint32_t)json_integer_value(tk) : 0,
        json_is_number(tp) ? (float)json_number_value(tp) : 1.0f,
        (uint64_t)json_integer_value(seed), e);
}

int infer_engine_answer(infer_engine *en, const json_t *body, int completions,
                        infer_answer *out, osafe_err *e)
{
    memset(out, 0, sizeof *out);
    size_t max_new = 0;
    infer_tokens t = {0};
    infer_sampler smp = {0};
    int rc = read_params(en, body, &max_new, &smp, e);
    if (rc == 0)
        rc = prompt_tokens(en, body, completions, &t, e);
    uint32_t room = infer_ctx_size(en->c);
    if (rc == 0 && (t.n == 0 || t.n >= room))
        rc = osafe_errf(e, OSAFE_ETOOBIG,
                        "the prompt is %zu tokens; the context holds %u "
                        "(--ctx)",
                        t.n, room);
    if (rc == 0 && max_new > room - t.n)
        max_new = room - t.n;
    int32_t *gen = rc ? NULL : malloc((max_new ? max_new : 1) * sizeof *gen);
    size_t n_gen = 0;
    if (rc == 0 && !gen)
        rc = osafe_errf(e, OSAFE_ENOMEM, "answer: out of memory");
    infer_ctx_reset(en->c);
    if (rc == 0)
        rc = infer_generate(en->c, t.ids, t.n, max_new, en->stops,
                            en->n_stops, &smp, gen, &n_gen, e);
    osafe_buf b = OSAFE_BUF_INIT;
    if (rc == 0)
        rc = infer_detokenize(en->v, gen, n_gen, &b, e);
    if (rc == 0 && !(out->text = clean_text(&b)))
        rc = osafe_errf(e, OSAFE_ENOMEM, "answer: out of memory");
    if (rc == 0) {
        out->finish_reason = n_gen < max_new ? "stop" : "length";
        out->prompt_tokens = (long)t.n;
        out->completion_tokens = (long)n_gen;
    }
    buf_release(&b);
    free(gen);
    free(t.ids);
    infer_sampler_free(&smp);
    return rc;
}

int infer_engine_choices(infer_engine *en, const json_t *body, int completions,
                         const char *const *conts, size_t n, double *lp,
                         size_t *ntok, osafe_err *e)
{
    infer_tokens t = {0}, c = {0};
    int rc = prompt_tokens(en, body, completions, &t, e);
    if (rc == 0 && t.n == 0)
        rc = osafe_errf(e, OSAFE_EINVAL, "the prompt has no tokens");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        c.n = 0;
        rc = infer_tokenize(en->v, conts[i], strlen(conts[i]), false, false,
                            &c, e);
        if (rc == 0 && c.n == 0)
            rc = osafe_errf(e, OSAFE_EINVAL, "choice %zu has no tokens", i + 1);
        if (rc)
            break;
        infer_ctx_reset(en->c);
        rc = infer_logprob(en->c, t.ids, t.n, c.ids, c.n, &lp[i], e);
        ntok[i] = c.n;
    }
    free(t.ids);
    free(c.ids);
    return rc;
}
