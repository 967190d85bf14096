/*
 * gguf.c - fuzz target: the GGUF model file reader (infer/gguf.c), which
 * reads files downloaded from anywhere.
 *
 * Properties: an accepted file's tensors lie wholly inside the input, in
 * order and aligned, with a byte size matching their shape and type; every
 * string (keys, values, array elements) lies inside the input; every
 * entry can be found by its key; a refusal has a message.  An accepted
 * file is then given to the model loader (which checks shapes against the
 * hyperparameters), the vocabulary loader and both tokenizers with the
 * chat template renderer, whose every token id must be in the vocabulary.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "infer/chat.h"
#include "infer/gguf.h"
#include "infer/model.h"
#include "infer/vocab.h"

static int inside(const uint8_t *base, size_t size, const void *p,
                  uint64_t len)
{
    const uint8_t *q = p;
    return q >= base && q <= base + size && len <= (uint64_t)(base + size - q);
}

static void check_kvs(const gguf_file *g, const uint8_t *data, size_t size)
{
    for (size_t i = 0; i < gguf_kv_count(g); i++) {
        const gguf_kv *kv = gguf_kv_at(g, i);
        FUZZ_CHECK(inside(data, size, kv->key.p, kv->key.len));
        char key[128];
        if (kv->key.len < sizeof key && !memchr(kv->key.p, 0, kv->key.len)) {
            memcpy(key, kv->key.p, kv->key.len);
            key[kv->key.len] = 0;
            FUZZ_CHECK(gguf_find(g, key) == kv);
        }
        if (kv->type == GGUF_VT_STRING)
            FUZZ_CHECK(inside(data, size, kv->v.s.p, kv->v.s.len));
        if (kv->type != GGUF_VT_ARRAY)
            continue;
        FUZZ_CHECK(gguf_vtype_name(kv->v.arr.elem_type) != NULL);
        for (uint64_t j = 0; j < kv->v.arr.count; j++) {
            if (kv->v.arr.elem_type == GGUF_VT_STRING)
                FUZZ_CHECK(inside(data, size, kv->v.arr.strs[j].p,
                                  kv->v.arr.strs[j].len));
            else
                (void)gguf_arr_float(kv, j);
        }
    }
}

/* Tokenize text with special tokens on and off, and render a chat. */
static void check_vocab(const gguf_file *g)
{
    infer_vocab *v;
    osafe_err e = {0};
    if (infer_vocab_load(g, &v, &e) != 0) {
        FUZZ_CHECK(e.msg[0] != 0);
        fuzz_debug("vocab refused: %s", e.msg);
        return;
    }
    static const char text[] = "Hello <|im_end|> w\xc3\xb6rld 123\n\t!";
    infer_tokens t = {0};
    for (int special = 0; special < 2; special++)
        if (infer_tokenize(v, text, sizeof text - 1, special, true, &t, &e) == 0)
            for (size_t i = 0; i < t.n; i++)
                FUZZ_CHECK(t.ids[i] >= 0 &&
                           (uint32_t)t.ids[i] < infer_vocab_size(v));
    int tmpl;
    infer_msg msgs[] = {{"system", "s"}, {"user", text}};
    t.n = 0;
    osafe_buf b = OSAFE_BUF_INIT;
    if (infer_chat_detect(g, NULL, &tmpl, &e) == 0 &&
        infer_chat_render(v, tmpl, msgs, 2, &t, &e) == 0) {
        for (size_t i = 0; i < t.n; i++)
            FUZZ_CHECK(t.ids[i] >= 0 && (uint32_t)t.ids[i] < infer_vocab_size(v));
        FUZZ_CHECK(infer_detokenize(v, t.ids, t.n, &b, &e) == 0);
    }
    /* after a failure, what was appended is still made of real ids */
    for (size_t i = 0; i < t.n; i++)
        FUZZ_CHECK(t.ids[i] >= 0 && (uint32_t)t.ids[i] < infer_vocab_size(v));
    buf_release(&b);
    free(t.ids);
    infer_vocab_free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gguf_file *g;
    osafe_err e = {0};
    if (gguf_parse(data, size, &g, &e) != 0) {
        FUZZ_CHECK(e.msg[0] != 0);
        fuzz_debug("refused: %s", e.msg);
        return 0;
    }
    uint32_t a = gguf_alignment(g);
    FUZZ_CHECK(a && (a & (a - 1)) == 0);
    FUZZ_CHECK(gguf_data_offset(g) <= size);
    check_kvs(g, data, size);
    uint64_t prev_end = 0;
    for (size_t i = 0; i < gguf_tensor_count(g); i++) {
        const gguf_tensor *t = gguf_tensor_at(g, i);
        FUZZ_CHECK(inside(data, size, t->data, t->size));
        FUZZ_CHECK(t->offset % a == 0 && t->offset >= prev_end);
        uint32_t be = gguf_block_elems(t->type);
        FUZZ_CHECK(be && t->ne[0] % be == 0);
        FUZZ_CHECK(t->size == t->nelem / be * gguf_block_bytes(t->type));
        FUZZ_CHECK(gguf_tensor_find(g, t->name) == t);
        prev_end = t->offset + t->size;
    }
    fuzz_debug("accepted: %zu entries, %zu tensors", gguf_kv_count(g),
               gguf_tensor_count(g));
    infer_model *m;
    if (infer_model_load(g, &m, &e) == 0)
        infer_model_free(m);
    else
        FUZZ_CHECK(e.msg[0] != 0);
    check_vocab(g);
    gguf_close(g);
    return 0;
}
