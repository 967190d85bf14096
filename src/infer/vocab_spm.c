/*
 * vocab_spm.c - SentencePiece-style tokenizing of one fragment (the
 * "llama" tokenizer of GGUF files, as llama.cpp applies it):
 *   1. a space is put first when the fragment starts the text or follows
 *      a special token (add_space_prefix), and every ' ' becomes U+2581;
 *   2. the UTF-8 characters are symbols; the adjacent pair whose joined
 *      text is a token with the highest score is merged (the leftmost on
 *      a tie), until no pair is a token;
 *   3. a symbol that is not a token is written as its bytes' <0xXX>
 *      tokens (byte fallback), or as the unknown token without them.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "infer/vocab_int.h"

/* Bytes of the UTF-8 character whose first byte is c (1 for a stray
 * continuation or invalid byte: it is then its own symbol). */
static size_t utf8_len(uint8_t c)
{
    return c < 0xc0 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : c < 0xf8 ? 4 : 1;
}

typedef struct sym {
    size_t start, len;
    long prev, next;
    float pair; /* score of merging with next, -INFINITY when not a token */
} sym;

static void score_pair(const infer_vocab *v, const char *t, sym *s, long i)
{
    s[i].pair = -INFINITY;
    if (s[i].next < 0)
        return;
    int32_t id = infer_vocab_find(v, t + s[i].start,
                                  s[i].len + s[s[i].next].len);
    if (id >= 0)
        s[i].pair = v->scores[id];
}

static int emit(const infer_vocab *v, const char *t, const sym *s,
                infer_tokens *out, osafe_err *e)
{
    for (long i = 0; i >= 0; i = s[i].next) {
        int32_t id = infer_vocab_find(v, t + s[i].start, s[i].len);
        int rc = 0;
        if (id >= 0) {
            rc = infer_tokens_push(out, id, e);
        } else {
            for (size_t k = 0; k < s[i].len && rc == 0; k++) {
                int32_t b = v->byte_id[(uint8_t)t[s[i].start + k]];
                if (b < 0)
                    b = v->unk;
                if (b < 0) /* never push an id that is not one */
                    return osafe_errf(e, OSAFE_EINVAL,
                                      "tokenize: a character has no token, "
                                      "no byte token and there is no "
                                      "unknown token");
                rc = infer_tokens_push(out, b, e);
            }
        }
        if (rc)
            return rc;
    }
    return 0;
}

/* Normalize: optional prefix space, ' ' -> U+2581 (3 bytes). */
static char *normalize(const char *s, size_t n, bool prefix, size_t *len)
{
    char *t = malloc(3 * (n + 1));
    if (!t)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n + prefix; i++) {
        char c = prefix ? (i == 0 ? ' ' : s[i - 1]) : s[i];
        if (c == ' ') {
            memcpy(t + k, "\xe2\x96\x81", 3);
            k += 3;
        } else {
            t[k++] = c;
        }
    }
    *len = k;
    return t;
}

int vocab__spm(const infer_vocab *v, const char *s, size_t n, bool prefix,
               infer_tokens *out, osafe_err *e)
{
    size_t len = 0;
    char *t = normalize(s, n, prefix && v->add_space_prefix, &len);
    sym *sy = malloc((len ? len : 1) * sizeof *sy);
    if (!t || !sy) {
        free(t);
        free(sy);
        return osafe_errf(e, OSAFE_ENOMEM, "tokenize: out of memory");
    }
    long ns = 0;
    for (size_t i = 0; i < len; ns++) {
        size_t cl = utf8_len((uint8_t)t[i]);
        if (cl > len - i)
            cl = len - i;
        sy[ns] = (sym){i, cl, ns - 1, -1, -INFINITY};
        if (ns > 0)
            sy[ns - 1].next = ns;
        i += cl;
    }
    for (long i = 0; i < ns; i++)
        score_pair(v, t, sy, i);
    for (;;) {
        long best = -1;
        for (long i = 0; i >= 0; i = sy[i].next)
            if (sy[i].pair > -INFINITY &&
                (best < 0 || sy[i].pair > sy[best].pair))
                best = i;
        if (best < 0)
            break;
        long j = sy[best].next;
        sy[best].len += sy[j].len;
        sy[best].next = sy[j].next;
        if (sy[j].next >= 0)
            sy[sy[j].next].prev = best;
        score_pair(v, t, sy, best);
        if (sy[best].prev >= 0)
            score_pair(v, t, sy, sy[best].prev);
    }
    int rc = ns ? emit(v, t, sy, out, e) : 0;
    free(t);
    free(sy);
    return rc;
}
