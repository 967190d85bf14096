/*
 * canon.c - RFC 8785 JSON Canonicalization Scheme.  See canon.h for the
 * rules; the comments here say why the code takes the shape it does.
 */
#include "core/canon.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "core/utf8.h"

/* ---------------------------------------------------------------- numbers */

/*
 * A positive decimal 0.D x 10^n with D = d[0..k), the (k, n) of ECMA-262
 * Number::toString: value = s x 10^(n-k) where s is the k-digit integer D.
 */
typedef struct {
    char d[24];
    int k;
    int n;
} decimal;

/* The double nearest to x.  Written as "<digits>e<exp>" with no decimal
 * point, so strtod reads it the same whatever LC_NUMERIC says. */
static double dec_value(const decimal *x)
{
    char t[48];
    snprintf(t, sizeof t, "%.*se%d", x->k, x->d, x->n - x->k);
    return strtod(t, NULL);
}

/* Read "%e" output ("d.ddde+XX").  Every non-digit before the 'e' is
 * skipped rather than expected to be '.', because the locale picks the
 * decimal point printf writes. */
static void dec_from_e(const char *t, decimal *x)
{
    x->k = 0;
    const char *p = t;
    for (; *p && *p != 'e' && *p != 'E'; p++)
        if (*p >= '0' && *p <= '9' && x->k < (int)sizeof x->d - 1)
            x->d[x->k++] = *p;
    x->d[x->k] = '\0';
    x->n = (*p ? (int)strtol(p + 1, NULL, 10) : 0) + 1;
}

/* s + 1 in the last place; 99..9 becomes 10..0 one decade up. */
static void dec_inc(decimal *x)
{
    int i = x->k - 1;
    while (i >= 0 && x->d[i] == '9')
        x->d[i--] = '0';
    if (i >= 0) {
        x->d[i]++;
    } else {
        x->d[0] = '1';
        x->n++;
    }
}

/* s - 1 in the last place; 10..0 becomes 99..9 one decade down. */
static void dec_dec(decimal *x)
{
    int i = x->k - 1;
    while (i >= 0 && x->d[i] == '0')
        x->d[i--] = '9';
    if (i >= 0)
        x->d[i]--;
    if (x->d[0] == '0') {
        memset(x->d, '9', (size_t)x->k);
        x->n--;
    }
}

/*
 * Shortest digits that read back as a (finite, > 0).  ECMA-262 asks for the
 * smallest k such that some k-digit s round-trips, and among those the s
 * closest to a.  printf's correctly rounded k digits are that closest s, but
 * where a is a power of two its rounding interval is lopsided (half as wide
 * below), so the nearest k-digit decimal can miss while its neighbour on
 * the far side still reads back as a: try that neighbour too.  17 digits
 * always round-trip a binary64.
 */
static int shortest(double a, decimal *x)
{
    for (int p = 1; p <= 17; p++) {
        char t[48];
        snprintf(t, sizeof t, "%.*e", p - 1, a);
        dec_from_e(t, x);
        double r = dec_value(x);
        if (r == a)
            return 0;
        decimal y = *x;
        if (r < a)
            dec_inc(&y);
        else
            dec_dec(&y);
        if (dec_value(&y) == a) {
            *x = y;
            return 0;
        }
    }
    return -1;
}

/* ECMA-262 Number::toString(v) into o (at least 32 bytes); -1 if v is not
 * finite (JSON has no NaN or Infinity; JSON.stringify would write null). */
static int fmt_number(double v, char *o)
{
    if (!isfinite(v))
        return -1;
    char *p = o;
    if (v == 0) { /* both zeros: ES writes -0 as "0" */
        memcpy(o, "0", 2);
        return 0;
    }
    if (v < 0) {
        *p++ = '-';
        v = -v;
    }
    decimal x;
    if (shortest(v, &x))
        return -1;
    while (x.k > 1 && x.d[x.k - 1] == '0') /* k must be minimal */
        x.k--;
    int k = x.k, n = x.n;
    if (k <= n && n <= 21) { /* integer: digits, then n-k zeros */
        memcpy(p, x.d, (size_t)k);
        p += k;
        for (int i = k; i < n; i++)
            *p++ = '0';
    } else if (0 < n && n <= 21) { /* point inside the digits */
        memcpy(p, x.d, (size_t)n);
        p += n;
        *p++ = '.';
        memcpy(p, x.d + n, (size_t)(k - n));
        p += k - n;
    } else if (-6 < n && n <= 0) { /* 0.000ddd, at most 6 zeros */
        *p++ = '0';
        *p++ = '.';
        for (int i = n; i < 0; i++)
            *p++ = '0';
        memcpy(p, x.d, (size_t)k);
        p += k;
    } else { /* d[.ddd]e+X / e-X */
        *p++ = x.d[0];
        if (k > 1) {
            *p++ = '.';
            memcpy(p, x.d + 1, (size_t)(k - 1));
            p += k - 1;
        }
        /* "e+308" at most: o has room to spare (32 bytes) */
        p += snprintf(p, 8, "e%c%d", n - 1 >= 0 ? '+' : '-', abs(n - 1));
    }
    *p = '\0';
    return 0;
}

/* ---------------------------------------------------------------- writer */

/* One step of the path to the value being written, for error messages. */
typedef struct {
    const char *key; /* NULL: array index */
    size_t key_len;
    size_t index;
} step;

typedef struct {
    osafe_buf *out;
    osafe_err *e;
    int depth; /* containers around the value being written */
    step path[OSAFE_CANON_DEPTH_MAX];
} writer;

typedef struct {
    const char *key;
    size_t len;
    json_t *val;
} member;

/* 1 if s[0..n) is valid UTF-8; unlike utf8_valid, NUL is allowed (jansson
 * values may hold it, and it has an escape). */
static int utf8_ok(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = utf8_decode(s + i, n - i, &cp);
        if (!k)
            return 0;
        i += k;
    }
    return 1;
}

/* A key, shortened and with control bytes and broken UTF-8 replaced, so
 * that an error message stays one printable line. */
static void show_key(char *o, size_t cap, const char *s, size_t n)
{
    size_t j = 0, i = 0;
    const size_t lim = 32;
    while (i < n && i < lim && j + 5 < cap) {
        uint32_t cp;
        size_t k = utf8_decode(s + i, n - i, &cp);
        if (k == 0 || cp < 0x20 || cp == 0x7f) {
            o[j++] = '?';
            i += k ? k : 1;
        } else {
            memcpy(o + j, s + i, k);
            j += k;
            i += k;
        }
    }
    if (i < n && j + 4 < cap) {
        memcpy(o + j, "...", 3);
        j += 3;
    }
    o[j] = '\0';
}

/* Record an error as "at $<path>: <message>" for the value being written. */
__attribute__((format(printf, 3, 4))) static int
w_err(writer *w, int code, const char *fmt, ...)
{
    char path[OSAFE_ERR_MAX / 2];
    size_t pl = 0;
    path[0] = '\0';
    for (int i = 0; i < w->depth && pl + 1 < sizeof path; i++) {
        const step *s = &w->path[i];
        char seg[160];
        if (s->key) {
            char k[128];
            show_key(k, sizeof k, s->key, s->key_len);
            snprintf(seg, sizeof seg, ".%s", k);
        } else {
            snprintf(seg, sizeof seg, "[%zu]", s->index);
        }
        int m = snprintf(path + pl, sizeof path - pl, "%s", seg);
        if (m < 0)
            break;
        pl += (size_t)m < sizeof path - pl ? (size_t)m : sizeof path - pl - 1;
    }
    char msg[OSAFE_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return osafe_errf(w->e, code, "canonical JSON at $%s: %s", path, msg);
}

/* A failed append: the output ceiling or memory. */
static int w_buf(writer *w, int rc)
{
    if (rc == OSAFE_ETOOBIG)
        return w_err(w, rc, "output exceeds its %zu-byte ceiling",
                     w->out->max ? w->out->max : SIZE_MAX / 2);
    return w_err(w, rc, "out of memory");
}

static int w_put(writer *w, const char *s, size_t n)
{
    int rc = buf_append(w->out, s, n);
    return rc ? w_buf(w, rc) : 0;
}

/*
 * A string as JSON.stringify writes it: only '"', '\\' and C0 controls are
 * escaped; everything else is copied as UTF-8 in runs, after checking it is
 * valid (so that no broken byte can reach a signed record).
 */
static int w_string(writer *w, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    int rc = w_put(w, "\"", 1);
    size_t run = 0, i = 0;
    while (rc == 0 && i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80) {
            uint32_t cp;
            size_t k = utf8_decode(s + i, n - i, &cp);
            if (!k)
                return w_err(w, OSAFE_EINVAL,
                             "invalid UTF-8 at byte %zu of a string", i);
            i += k;
            continue;
        }
        if (c >= 0x20 && c != '"' && c != '\\') {
            i++;
            continue;
        }
        char esc[6] = {'\\', 0, 0, 0, 0, 0};
        size_t el = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            el = 6;
        }
        rc = w_put(w, s + run, i - run);
        if (rc == 0)
            rc = w_put(w, esc, el);
        run = ++i;
    }
    if (rc == 0)
        rc = w_put(w, s + run, n - run);
    if (rc == 0)
        rc = w_put(w, "\"", 1);
    return rc;
}

/* First UTF-16 code unit of a code point: itself, or its high surrogate. */
static uint32_t utf16_lead(uint32_t cp)
{
    return cp < 0x10000 ? cp : 0xD800 + ((cp - 0x10000) >> 10);
}

/*
 * Compare member names as UTF-16 code-unit arrays (RFC 8785 3.2.3) without
 * converting them: at the first differing code point, the lead units decide;
 * equal lead units mean two astral code points under one high surrogate,
 * whose low surrogates order as the code points do.  Names were validated
 * before sorting, so utf8_decode succeeds.
 */
static int member_cmp(const void *pa, const void *pb)
{
    const member *a = pa, *b = pb;
    size_t i = 0, j = 0;
    while (i < a->len && j < b->len) {
        uint32_t ca = 0, cb = 0;
        size_t ka = utf8_decode(a->key + i, a->len - i, &ca);
        size_t kb = utf8_decode(b->key + j, b->len - j, &cb);
        if (ca != cb) {
            uint32_t ua = utf16_lead(ca), ub = utf16_lead(cb);
            if (ua != ub)
                return ua < ub ? -1 : 1;
            return ca < cb ? -1 : 1;
        }
        i += ka ? ka : 1;
        j += kb ? kb : 1;
    }
    return (i < a->len) - (j < b->len);
}

static int w_value(writer *w, const json_t *v);

static int w_object(writer *w, const json_t *v)
{
    json_t *o = (json_t *)v; /* jansson's iterators take non-const */
    size_t n = json_object_size(o), i = 0;
    member *m = NULL;
    if (n && !(m = malloc(n * sizeof *m)))
        return w_err(w, OSAFE_ENOMEM, "out of memory");
    for (void *it = json_object_iter(o); it && i < n;
         it = json_object_iter_next(o, it), i++) {
        m[i].key = json_object_iter_key(it);
        m[i].len = json_object_iter_key_len(it);
        m[i].val = json_object_iter_value(it);
        if (!utf8_ok(m[i].key, m[i].len)) {
            w->path[w->depth - 1] = (step){m[i].key, m[i].len, 0};
            free(m);
            return w_err(w, OSAFE_EINVAL, "member name is not valid UTF-8");
        }
    }
    n = i;
    if (n > 1) /* qsort(NULL, 0, ...) is undefined */
        qsort(m, n, sizeof *m, member_cmp);
    int rc = w_put(w, "{", 1);
    for (i = 0; rc == 0 && i < n; i++) {
        w->path[w->depth - 1] = (step){m[i].key, m[i].len, 0};
        if (i)
            rc = w_put(w, ",", 1);
        if (rc == 0)
            rc = w_string(w, m[i].key, m[i].len);
        if (rc == 0)
            rc = w_put(w, ":", 1);
        if (rc == 0)
            rc = w_value(w, m[i].val);
    }
    if (rc == 0)
        rc = w_put(w, "}", 1);
    free(m);
    return rc;
}

static int w_array(writer *w, const json_t *v)
{
    size_t n = json_array_size(v);
    int rc = w_put(w, "[", 1);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        w->path[w->depth - 1] = (step){NULL, 0, i};
        if (i)
            rc = w_put(w, ",", 1);
        if (rc == 0)
            rc = w_value(w, json_array_get(v, i));
    }
    if (rc == 0)
        rc = w_put(w, "]", 1);
    return rc;
}

/* 2^53: the largest magnitude below which every integer is a double. */
#define CANON_INT_EXACT_MAX 9007199254740992LL

static int w_value(writer *w, const json_t *v)
{
    char num[40];
    if (!v)
        return w_err(w, OSAFE_EINVAL, "missing value");
    switch (json_typeof(v)) {
    case JSON_OBJECT:
    case JSON_ARRAY: {
        /* The depth bound also stops a json_t that contains itself. */
        if (w->depth >= OSAFE_CANON_DEPTH_MAX)
            return w_err(w, OSAFE_EINVAL, "nesting deeper than %d levels",
                         OSAFE_CANON_DEPTH_MAX);
        w->depth++;
        int rc = json_is_object(v) ? w_object(w, v) : w_array(w, v);
        w->depth--;
        return rc;
    }
    case JSON_STRING:
        return w_string(w, json_string_value(v), json_string_length(v));
    case JSON_INTEGER: {
        json_int_t i = json_integer_value(v);
        if (i > CANON_INT_EXACT_MAX || i < -CANON_INT_EXACT_MAX)
            return w_err(w, OSAFE_EINVAL,
                         "integer %" JSON_INTEGER_FORMAT
                         " is beyond 2^53, where doubles lose digits",
                         i);
        fmt_number((double)i, num);
        return w_put(w, num, strlen(num));
    }
    case JSON_REAL:
        if (fmt_number(json_real_value(v), num))
            return w_err(w, OSAFE_EINVAL, "number is not finite");
        return w_put(w, num, strlen(num));
    case JSON_TRUE:
        return w_put(w, "true", 4);
    case JSON_FALSE:
        return w_put(w, "false", 5);
    case JSON_NULL:
        return w_put(w, "null", 4);
    }
    return w_err(w, OSAFE_EINVAL, "unknown JSON type");
}

int canon_value(const json_t *v, osafe_buf *out, osafe_err *e)
{
    writer w = {.out = out, .e = e, .depth = 0};
    size_t mark = out->len;
    int rc = w_value(&w, v);
    if (rc) { /* leave out as it was: no half record downstream */
        out->len = mark;
        if (out->data)
            out->data[mark] = '\0';
    }
    return rc;
}

/* ---------------------------------------------------------------- parser */

/*
 * Refuse deep nesting before jansson sees the text: jansson recurses up to
 * 2048 levels and builds the whole tree first; counting brackets outside
 * strings is cheap and gives the position of the first bracket too many.
 * Columns count code points, as jansson's do.
 */
static int check_depth(const char *in, size_t len, osafe_err *e)
{
    int depth = 0, in_str = 0;
    unsigned long line = 1, col = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '\n') {
            line++;
            col = 0;
            continue;
        }
        if ((c & 0xC0) != 0x80)
            col++;
        if (in_str) {
            if (c == '\\' && i + 1 < len) {
                i++; /* the escaped byte cannot end the string */
                col++;
            } else if (c == '"') {
                in_str = 0;
            }
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '[' || c == '{') {
            /* EINVAL, not ETOOBIG: nesting is a shape we refuse, not a
             * size, so the API answers 422 as API.md says. */
            if (++depth > OSAFE_CANON_DEPTH_MAX)
                return osafe_errf(e, OSAFE_EINVAL,
                                  "JSON nests deeper than %d levels at line "
                                  "%lu column %lu",
                                  OSAFE_CANON_DEPTH_MAX, line, col);
        } else if ((c == ']' || c == '}') && depth > 0) {
            depth--;
        }
    }
    return 0;
}

/*
 * The name of a key jansson called a duplicate.  jansson stops right after
 * the key's closing quote; walk back to the opening quote (the first one
 * not escaped by an odd run of backslashes) and show the key as written.
 * 0 if the text does not look like that (then jansson's words are used).
 */
static int dup_key(const char *in, size_t len, size_t pos, char *o,
                   size_t cap)
{
    if (pos < 2 || pos > len || in[pos - 1] != '"')
        return 0;
    size_t end = pos - 1, q = end;
    for (;;) {
        if (q == 0)
            return 0;
        q--;
        if (in[q] != '"')
            continue;
        size_t bs = 0;
        while (bs < q && in[q - 1 - bs] == '\\')
            bs++;
        if (bs % 2 == 0)
            break;
    }
    size_t n = end - q - 1, lim = cap > 8 ? cap - 8 : 0;
    int cut = n > lim;
    if (cut) { /* cut on a code point boundary */
        n = lim;
        while (n > 0 && ((unsigned char)in[q + 1 + n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(o, in + q + 1, n);
    memcpy(o + n, cut ? "..." : "", cut ? 4 : 1);
    return 1;
}

/* Strict parse shared by canon_json and canon_parse; flags add to the
 * always-on duplicate rejection and any-value top level. */
static int parse_strict(const char *in, size_t len, size_t flags,
                        json_t **jp, osafe_err *e)
{
    *jp = NULL;
    if (!in) {
        if (len)
            return osafe_errf(e, OSAFE_EINVAL, "JSON text is NULL");
        in = "";
    }
    if (len > OSAFE_CANON_INPUT_MAX)
        return osafe_errf(e, OSAFE_ETOOBIG,
                          "JSON text is %zu bytes, more than the %u-byte "
                          "limit",
                          len, (unsigned)OSAFE_CANON_INPUT_MAX);
    int rc = check_depth(in, len, e);
    if (rc)
        return rc;
    json_error_t je;
    *jp = json_loadb(in, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY | flags,
                     &je);
    if (*jp)
        return 0;
    char key[96];
    enum json_error_code code = json_error_code(&je);
    if (code == json_error_duplicate_key &&
        dup_key(in, len, (size_t)je.position, key, sizeof key))
        return osafe_errf(e, OSAFE_EINVAL,
                          "duplicate key \"%s\" at line %d column %d", key,
                          je.line, je.column);
    if (code == json_error_duplicate_key)
        return osafe_errf(e, OSAFE_EINVAL,
                          "duplicate key at line %d column %d: %s", je.line,
                          je.column, je.text);
    if (code == json_error_out_of_memory)
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory parsing JSON");
    return osafe_errf(e, OSAFE_EINVAL, "invalid JSON at line %d column %d: %s",
                      je.line, je.column, je.text);
}

json_t *canon_parse(const char *in, size_t len, osafe_err *e)
{
    json_t *j;
    parse_strict(in, len, 0, &j, e);
    return j;
}

int canon_json(const char *in, size_t len, osafe_buf *out, osafe_err *e)
{
    /* Every number as the nearest double, as JSON.parse reads it: then
     * 1e2, 100 and 100.0 all canonicalize to 100. */
    json_t *j;
    int rc = parse_strict(in, len, JSON_DECODE_INT_AS_REAL, &j, e);
    if (rc)
        return rc;
    rc = canon_value(j, out, e);
    json_decref(j);
    return rc;
}
