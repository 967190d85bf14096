/*
 * refusal_norm.c - the text normaliser, score_normalize (NFKC, case
 * folding, optional accent stripping and line keeping), shared by the
 * exact/contains scorers and the refusal detector.
 */
#include "eval/score.h"

#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "core/buf.h"
#include "core/utf8.h"

/* ------------------------------------------------------------ normalise */

static int is_break(uint32_t cp)
{
    return cp == '\n' || cp == '\r' || cp == 0x0B || cp == 0x0C ||
           cp == 0x85 || cp == 0x2028 || cp == 0x2029;
}

/* Latin, Greek and Cyrillic bases lose their combining marks under
 * SCORE_NORM_ACCENTS; other scripts keep theirs (Devanagari vowel signs,
 * Thai, Hebrew points...) except the folds listed in score_normalize. */
static int accent_script(uint32_t cp)
{
    return (cp >= 'A' && cp < 0x0250) || (cp >= 0x1E00 && cp <= 0x1EFF) ||
           (cp >= 0x0370 && cp <= 0x03FF) || (cp >= 0x1F00 && cp <= 0x1FFF) ||
           (cp >= 0x0400 && cp <= 0x052F);
}

static uint32_t map_punct(uint32_t cp)
{
    switch (cp) {
    case 0x2018: case 0x2019: case 0x201A: case 0x201B: case 0x2032:
    case 0x02BC: case 0x02B9:
        return '\'';
    case 0x201C: case 0x201D: case 0x201E: case 0x201F: case 0x00AB:
    case 0x00BB: case 0x2033: case 0x301D: case 0x301E: case 0x301F:
        return '"';
    case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014:
    case 0x2015: case 0x2212: case 0xFE58: case 0xFE63:
        return '-';
    }
    return cp;
}

/* Copy s[0..len) as valid UTF-8: invalid bytes become U+FFFD, NUL a space. */
static char *sanitize(const char *s, size_t len, size_t *outlen)
{
    if (len > SIZE_MAX / 3 - 1)
        return NULL;
    char *o = malloc(len * 3 + 1);
    if (!o)
        return NULL;
    size_t j = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t k = utf8_decode(s + i, len - i, &cp);
        if (k == 0) {
            memcpy(o + j, "\xEF\xBF\xBD", 3);
            j += 3;
            i++;
        } else if (cp == 0) {
            o[j++] = ' ';
            i++;
        } else {
            memcpy(o + j, s + i, k);
            j += k;
            i += k;
        }
    }
    o[j] = '\0';
    *outlen = j;
    return o;
}

typedef struct norm_state {
    osafe_buf b;
    unsigned flags;
    int pending, pending_nl, any, nonascii;
    uint32_t base;
} norm_state;

/* Append one code point of the decomposed, case-folded text. */
static int norm_emit(norm_state *st, uint32_t cp)
{
    utf8proc_category_t cat;
    if (cp < 0x80) {
        if (cp <= 0x20 || cp == 0x7F) {
            st->pending = 1;
            if (is_break(cp))
                st->pending_nl = 1;
            return 0;
        }
        cat = UTF8PROC_CATEGORY_LL; /* any non-mark, non-space */
    } else {
        cat = utf8proc_category((utf8proc_int32_t)cp);
        if (utf8_is_space(cp) || cat == UTF8PROC_CATEGORY_CC ||
            cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL ||
            cat == UTF8PROC_CATEGORY_ZP) {
            st->pending = 1;
            if (is_break(cp))
                st->pending_nl = 1;
            return 0;
        }
        cp = map_punct(cp);
        if (st->flags & SCORE_NORM_ACCENTS) {
            if ((cat == UTF8PROC_CATEGORY_MN || cat == UTF8PROC_CATEGORY_ME) &&
                accent_script(st->base))
                return 0;
            if ((cp >= 0x064B && cp <= 0x065F) || cp == 0x0670 ||
                cp == 0x0640 || cp == 0x093C)
                return 0;
            if (cp == 0x0649)
                cp = 0x064A;
            else if (cp == 0x0901)
                cp = 0x0902;
        }
    }
    if (st->pending && st->any &&
        buf_putc(&st->b, (st->flags & SCORE_NORM_LINES) && st->pending_nl
                             ? '\n' : ' ') != 0)
        return -1;
    st->pending = st->pending_nl = 0;
    if (cp < 0x80) {
        if (buf_putc(&st->b, (char)cp) != 0)
            return -1;
    } else {
        char u[4];
        utf8proc_ssize_t ul = utf8proc_encode_char((utf8proc_int32_t)cp,
                                                   (utf8proc_uint8_t *)u);
        if (buf_append(&st->b, u, (size_t)ul) != 0)
            return -1;
        st->nonascii = 1;
    }
    st->any = 1;
    if (cat != UTF8PROC_CATEGORY_MN && cat != UTF8PROC_CATEGORY_MC &&
        cat != UTF8PROC_CATEGORY_ME)
        st->base = cp;
    return 0;
}

char *score_normalize(const char *s, size_t len, unsigned flags,
                      size_t *outlen)
{
    size_t n;
    char *clean = sanitize(s ? s : "", s ? len : 0, &n);
    if (!clean)
        return NULL;
    norm_state st;
    memset(&st, 0, sizeof st);
    buf_init(&st.b, 0);
    st.flags = flags;
    int rc = buf_reserve(&st.b, n + 1);
    /* ASCII is its own NFKD; other code points go through utf8proc one at
     * a time (compatibility decomposition, case folding, default-ignorable
     * removal), and the result is recomposed (NFC) when not ASCII. */
    for (size_t i = 0; i < n && rc == 0;) {
        unsigned char c = (unsigned char)clean[i];
        if (c < 0x80) {
            rc = norm_emit(&st, c >= 'A' && c <= 'Z' &&
                                    !(flags & SCORE_NORM_KEEP_CASE)
                                    ? c + 32u : c);
            i++;
            continue;
        }
        utf8proc_int32_t cp, d[32];
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)clean + i,
                                              (utf8proc_ssize_t)(n - i), &cp);
        if (k <= 0)
            break;
        i += (size_t)k;
        int bound = 0;
        utf8proc_ssize_t m = utf8proc_decompose_char(
            cp, d, 32,
            UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE | UTF8PROC_IGNORE |
                ((flags & SCORE_NORM_KEEP_CASE) ? 0 : UTF8PROC_CASEFOLD),
            &bound);
        if (m < 0 || m > 32) {
            m = 1;
            d[0] = 0xFFFD;
        }
        for (utf8proc_ssize_t q = 0; q < m && rc == 0; q++)
            rc = norm_emit(&st, (uint32_t)d[q]);
    }
    free(clean);
    if (rc != 0 || (!st.b.data && buf_reserve(&st.b, 1) != 0)) {
        buf_release(&st.b);
        return NULL;
    }
    st.b.data[st.b.len] = '\0';
    if (!st.nonascii) {
        if (outlen)
            *outlen = st.b.len;
        return buf_detach(&st.b, NULL);
    }
    utf8proc_uint8_t *nfc = NULL;
    utf8proc_ssize_t cn = utf8proc_map((const utf8proc_uint8_t *)st.b.data,
                                       (utf8proc_ssize_t)st.b.len, &nfc,
                                       UTF8PROC_STABLE | UTF8PROC_COMPOSE);
    buf_release(&st.b);
    if (cn < 0)
        return NULL;
    if (outlen)
        *outlen = (size_t)cn;
    return (char *)nfc;
}
