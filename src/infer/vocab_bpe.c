/*
 * vocab_bpe.c - byte-level BPE tokenizing of one fragment (the "gpt2"
 * tokenizer of GGUF files: Llama-3, Qwen2, SmolLM, GPT-2):
 *   1. the pre-tokenizer regex of tokenizer.ggml.pre splits the text into
 *      pieces (run by PCRE2 with Unicode properties);
 *   2. each byte of a piece becomes the character GPT-2's bytes_to_unicode
 *      gives it (space -> U+0120 'Ġ', newline -> U+010A 'Ċ');
 *   3. llama3 only: a piece that is already a token is taken whole
 *      (ignore_merges);
 *   4. otherwise the adjacent pair with the lowest merge rank is joined
 *      (the leftmost on a tie) until no pair has a rank; each symbol is
 *      then a token.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "infer/vocab_int.h"

static const char re_gpt2[] =
    "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|"
    "\\s+(?!\\S)|\\s+";
static const char re_llama3[] =
    "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|"
    "[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|"
    "\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
static const char re_qwen2[] =
    "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|"
    "[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|"
    "\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

int vocab__bpe_init(infer_vocab *v, osafe_err *e)
{
    const char *p = v->pre == VOCAB__PRE_LLAMA3  ? re_llama3
                    : v->pre == VOCAB__PRE_QWEN2 ? re_qwen2
                                                 : re_gpt2;
    int err;
    PCRE2_SIZE off;
    v->re = pcre2_compile((PCRE2_SPTR)p, PCRE2_ZERO_TERMINATED,
                          PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF,
                          &err, &off, NULL);
    if (!v->re)
        return osafe_errf(e, OSAFE_EINVAL,
                          "BPE pre-tokenizer: PCRE2 error %d at %zu", err,
                          (size_t)off);
    return 0;
}

void vocab__bpe_free(infer_vocab *v)
{
    pcre2_code_free(v->re);
    v->re = NULL;
}

/* GPT-2's bytes_to_unicode: printable Latin-1 bytes stand for themselves,
 * the 68 others (0-32, 127-160, 173) for U+0100 onwards in byte order. */
static uint32_t byte_cp(uint8_t b)
{
    if ((b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174)
        return b;
    return b <= 32 ? 256u + b : b <= 160 ? 256u + 33 + (b - 127u) : 256u + 67;
}

static int cp_byte(uint32_t cp)
{
    if (cp < 256)
        return (cp >= 33 && cp <= 126) || (cp >= 161 && cp <= 172) ||
                       cp >= 174 ? (int)cp : -1;
    if (cp <= 256 + 32)
        return (int)(cp - 256);
    if (cp <= 256 + 66)
        return (int)(cp - 256 - 33 + 127);
    return cp == 256 + 67 ? 173 : -1;
}

int vocab__bpe_decode(const char *s, size_t n, osafe_buf *out)
{
    for (size_t i = 0; i < n;) {
        uint8_t c = (uint8_t)s[i];
        uint32_t cp = c;
        size_t l = 1;
        if (c >= 0xc0 && c < 0xe0 && i + 1 < n) {
            cp = (uint32_t)(c & 0x1f) << 6 | ((uint8_t)s[i + 1] & 0x3f);
            l = 2;
        }
        int b = cp_byte(cp);
        if (b >= 0)
            OSAFE_IGNORE(buf_putc(out, (char)b)); /* buf_status below */
        else
            OSAFE_IGNORE(buf_append(out, s + i, l));
        i += l;
    }
    return buf_status(out);
}

typedef struct sym {
    size_t start, len;
    long prev, next;
    int64_t rank; /* of merging with next, -1 when no merge */
} sym;

static int rank_pair(const infer_vocab *v, const char *t, sym *s, long i,
                     char *tmp)
{
    s[i].rank = -1;
    long j = s[i].next;
    if (j < 0)
        return 0;
    memcpy(tmp, t + s[i].start, s[i].len);
    tmp[s[i].len] = ' ';
    memcpy(tmp + s[i].len + 1, t + s[j].start, s[j].len);
    s[i].rank = vocab__lookup(&v->merges, v->merge_text, tmp,
                              s[i].len + 1 + s[j].len);
    return 0;
}

static int emit(const infer_vocab *v, const char *t, const sym *s,
                infer_tokens *out, osafe_err *e)
{
    int rc = 0;
    for (long i = 0; i >= 0 && rc == 0; i = s[i].next) {
        int32_t id = infer_vocab_find(v, t + s[i].start, s[i].len);
        if (id < 0)
            id = v->unk;
        if (id < 0)
            return osafe_errf(e, OSAFE_EINVAL,
                              "tokenize: a piece has no token and there is "
                              "no unknown token");
        rc = infer_tokens_push(out, id, e);
    }
    return rc;
}

/* Map the piece's bytes, then merge. */
static int piece(const infer_vocab *v, const char *p, size_t n,
                 infer_tokens *out, osafe_err *e)
{
    char *t = malloc(2 * n), *tmp = malloc(4 * n + 1);
    sym *sy = malloc(n * sizeof *sy);
    if (!t || !tmp || !sy) {
        free(t), free(tmp), free(sy);
        return osafe_errf(e, OSAFE_ENOMEM, "tokenize: out of memory");
    }
    size_t k = 0;
    long ns = 0;
    for (size_t i = 0; i < n; i++, ns++) {
        uint32_t cp = byte_cp((uint8_t)p[i]);
        sy[ns] = (sym){k, cp < 128 ? 1 : 2, ns - 1, -1, -1};
        if (ns > 0)
            sy[ns - 1].next = ns;
        if (cp < 128) {
            t[k++] = (char)cp;
        } else {
            t[k++] = (char)(0xc0 | cp >> 6);
            t[k++] = (char)(0x80 | (cp & 0x3f));
        }
    }
    int32_t whole = v->ignore_merges ? infer_vocab_find(v, t, k) : -1;
    int rc;
    if (whole >= 0) {
        rc = infer_tokens_push(out, whole, e);
    } else {
        for (long i = 0; i < ns; i++)
            rank_pair(v, t, sy, i, tmp);
        for (;;) {
            long best = -1;
            for (long i = 0; i >= 0; i = sy[i].next)
                if (sy[i].rank >= 0 && (best < 0 || sy[i].rank < sy[best].rank))
                    best = i;
            if (best < 0)
                break;
            long j = sy[best].next;
            sy[best].len += sy[j].len;
            sy[best].next = sy[j].next;
            if (sy[j].next >= 0)
                sy[sy[j].next].prev = best;
            rank_pair(v, t, sy, best, tmp);
            if (sy[best].prev >= 0)
                rank_pair(v, t, sy, sy[best].prev, tmp);
        }
        rc = emit(v, t, sy, out, e);
    }
    free(t), free(tmp), free(sy);
    return rc;
}

int vocab__bpe(const infer_vocab *v, const char *s, size_t n,
               infer_tokens *out, osafe_err *e)
{
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    if (!md)
        return osafe_errf(e, OSAFE_ENOMEM, "tokenize: out of memory");
    size_t pos = 0;
    int rc = 0;
    while (pos < n && rc == 0) {
        int m = pcre2_match(v->re, (PCRE2_SPTR)s, n, pos, 0, md, NULL);
        size_t b = n, end = n;
        if (m >= 0) {
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
            b = ov[0];
            end = ov[1];
        }
        /* bytes no alternative matches (invalid UTF-8) are a piece */
        if (b > pos)
            rc = piece(v, s + pos, b - pos, out, e);
        if (rc == 0 && end > b)
            rc = piece(v, s + b, end - b, out, e);
        pos = end > b ? end : (b > pos ? b : pos + 1);
    }
    pcre2_match_data_free(md);
    return rc;
}
