/*
 * xmlcheck.h - a small XML well-formedness checker for tests of generated
 * markup (SVG charts, XHTML-compatible pages and reports).
 *
 * It checks what a browser's XML parser would reject and what an escaping
 * bug produces: elements nest and close; names are well formed; attribute
 * values are quoted and not repeated on one element; every '&' starts a
 * known entity or a valid character reference; no raw '<' in text or
 * attribute values; no C0 control characters other than TAB, LF, CR; the
 * text is valid UTF-8; exactly one root element, with only a doctype,
 * processing instructions, comments and whitespace around it.  CDATA is
 * not accepted (our writers never need it).  HTML void elements must be
 * written self-closed (<meta .../>), as XHTML asks.
 *
 * Also: helpers that find an element by a data-* attribute and read its
 * attributes back, for tests that check a value is drawn where it belongs.
 *
 * Header only (static inline functions), so that any test can include it.
 */
#ifndef OSAFE_TESTS_XMLCHECK_H
#define OSAFE_TESTS_XMLCHECK_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"

#define XC_DEPTH_MAX 256
#define XC_NAME_MAX 64

typedef struct xc_state {
    const char *s;
    size_t n, i;
    char *msg;
    size_t msgsz;
} xc_state;

static inline int xc_fail(xc_state *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static inline int xc_fail(xc_state *st, const char *fmt, ...)
{
    if (st->msg && st->msgsz) {
        int k = snprintf(st->msg, st->msgsz, "at byte %zu: ", st->i);
        if (k >= 0 && (size_t)k < st->msgsz) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(st->msg + k, st->msgsz - (size_t)k, fmt, ap);
            va_end(ap);
        }
    }
    return -1;
}

static inline int xc_name_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           c == ':' || c >= 0x80;
}

static inline int xc_name_char(unsigned char c)
{
    return xc_name_start(c) || (c >= '0' && c <= '9') || c == '-' ||
           c == '.';
}

static inline int xc_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static inline void xc_skip_space(xc_state *st)
{
    while (st->i < st->n && xc_space((unsigned char)st->s[st->i]))
        st->i++;
}

/* Read a name into out; 0 or -1. */
static inline int xc_name(xc_state *st, char *out)
{
    size_t b = st->i;
    if (st->i >= st->n || !xc_name_start((unsigned char)st->s[st->i]))
        return xc_fail(st, "expected a name");
    while (st->i < st->n && xc_name_char((unsigned char)st->s[st->i]))
        st->i++;
    size_t len = st->i - b;
    if (len >= XC_NAME_MAX)
        return xc_fail(st, "name too long");
    memcpy(out, st->s + b, len);
    out[len] = '\0';
    return 0;
}

/* An entity or character reference at st->i (which is '&'). */
static inline int xc_entity(xc_state *st)
{
    static const char *const known[] = {"amp;", "lt;", "gt;", "quot;",
                                        "apos;"};
    const char *p = st->s + st->i + 1;
    size_t left = st->n - st->i - 1;
    for (size_t k = 0; k < sizeof known / sizeof *known; k++) {
        size_t kl = strlen(known[k]);
        if (left >= kl && memcmp(p, known[k], kl) == 0) {
            st->i += 1 + kl;
            return 0;
        }
    }
    if (left >= 3 && p[0] == '#') {
        int hex = p[1] == 'x';
        size_t j = hex ? 2 : 1;
        unsigned long v = 0;
        size_t digits = 0;
        while (j < left && digits < 8) {
            char c = p[j];
            int d = -1;
            if (c >= '0' && c <= '9')
                d = c - '0';
            else if (hex && c >= 'a' && c <= 'f')
                d = c - 'a' + 10;
            else if (hex && c >= 'A' && c <= 'F')
                d = c - 'A' + 10;
            if (d < 0)
                break;
            v = v * (hex ? 16u : 10u) + (unsigned long)d;
            j++;
            digits++;
        }
        if (digits && j < left && p[j] == ';' &&
            (v == 0x9 || v == 0xA || v == 0xD ||
             (v >= 0x20 && v <= 0xD7FF) || (v >= 0xE000 && v <= 0xFFFD) ||
             (v >= 0x10000 && v <= 0x10FFFF))) {
            st->i += 1 + j + 1;
            return 0;
        }
    }
    return xc_fail(st, "'&' that starts no valid entity");
}

/* Text up to `stop` (or end): entities valid, no '<' unless stop is '<',
 * no forbidden controls, valid UTF-8. */
static inline int xc_chars(xc_state *st, char stop)
{
    while (st->i < st->n && st->s[st->i] != stop) {
        unsigned char c = (unsigned char)st->s[st->i];
        if (c == '&') {
            if (xc_entity(st))
                return -1;
            continue;
        }
        if (c == '<')
            return xc_fail(st, "raw '<' in an attribute value");
        if (c < 0x20 && !xc_space(c))
            return xc_fail(st, "control character 0x%02x", c);
        if (c >= 0x80) {
            uint32_t cp;
            size_t u = utf8_decode(st->s + st->i, st->n - st->i, &cp);
            if (!u)
                return xc_fail(st, "invalid UTF-8");
            st->i += u;
            continue;
        }
        st->i++;
    }
    return 0;
}

/* Skip a construct that ends with `end`; fail if it never does. */
static inline int xc_skip_to(xc_state *st, const char *end,
                             const char *what)
{
    size_t el = strlen(end);
    while (st->i + el <= st->n) {
        if (memcmp(st->s + st->i, end, el) == 0) {
            st->i += el;
            return 0;
        }
        st->i++;
    }
    return xc_fail(st, "unterminated %s", what);
}

/* Markup that is not an element: comment, doctype, PI.  1 if one was
 * consumed, 0 if st->i is not at one, -1 on error. */
static inline int xc_misc(xc_state *st, int allow_doctype)
{
    const char *p = st->s + st->i;
    size_t left = st->n - st->i;
    if (left >= 4 && memcmp(p, "<!--", 4) == 0) {
        st->i += 4;
        if (xc_skip_to(st, "-->", "comment"))
            return -1;
        return 1;
    }
    if (left >= 2 && memcmp(p, "<?", 2) == 0) {
        st->i += 2;
        return xc_skip_to(st, "?>", "processing instruction") ? -1 : 1;
    }
    if (left >= 9 && strncmp(p, "<!DOCTYPE", 9) == 0) {
        if (!allow_doctype)
            return xc_fail(st, "doctype not allowed here");
        st->i += 9;
        return xc_skip_to(st, ">", "doctype") ? -1 : 1;
    }
    if (left >= 2 && p[0] == '<' && p[1] == '!')
        return xc_fail(st, "unsupported markup declaration (CDATA?)");
    return 0;
}

/* The attributes of a start tag, up to '>' or '/>'. *selfclose set. */
static inline int xc_attrs(xc_state *st, int *selfclose)
{
    char seen[64][XC_NAME_MAX];
    int nseen = 0;
    for (;;) {
        size_t before = st->i;
        xc_skip_space(st);
        if (st->i >= st->n)
            return xc_fail(st, "unterminated start tag");
        if (st->s[st->i] == '>') {
            st->i++;
            *selfclose = 0;
            return 0;
        }
        if (st->s[st->i] == '/') {
            if (st->i + 1 < st->n && st->s[st->i + 1] == '>') {
                st->i += 2;
                *selfclose = 1;
                return 0;
            }
            return xc_fail(st, "'/' in a start tag");
        }
        if (st->i == before)
            return xc_fail(st, "attributes must be separated by space");
        char name[XC_NAME_MAX];
        if (xc_name(st, name))
            return -1;
        for (int k = 0; k < nseen; k++)
            if (strcmp(seen[k], name) == 0)
                return xc_fail(st, "attribute %s repeated", name);
        if (nseen < 64)
            strcpy(seen[nseen++], name);
        xc_skip_space(st);
        if (st->i >= st->n || st->s[st->i] != '=')
            return xc_fail(st, "attribute %s has no value", name);
        st->i++;
        xc_skip_space(st);
        char q = st->i < st->n ? st->s[st->i] : 0;
        if (q != '"' && q != '\'')
            return xc_fail(st, "attribute %s is not quoted", name);
        st->i++;
        if (xc_chars(st, q))
            return -1;
        if (st->i >= st->n)
            return xc_fail(st, "unterminated value of %s", name);
        st->i++;
    }
}

/*
 * Check s[0..n).  0 when well formed; -1 with a message naming the byte
 * offset and the problem in msg (may be NULL).
 */
static inline int xmlcheck(const char *s, size_t n, char *msg, size_t msgsz)
{
    xc_state st = {s, n, 0, msg, msgsz};
    char stack[XC_DEPTH_MAX][XC_NAME_MAX];
    int depth = 0, roots = 0;
    if (msg && msgsz)
        msg[0] = '\0';
    while (st.i < n) {
        if (depth == 0) {
            xc_skip_space(&st);
            if (st.i >= n)
                break;
            int m = xc_misc(&st, roots == 0);
            if (m < 0)
                return -1;
            if (m)
                continue;
            if (s[st.i] != '<')
                return xc_fail(&st, "text outside the root element");
            if (roots)
                return xc_fail(&st, "a second root element");
        } else if (s[st.i] != '<') {
            if (xc_chars(&st, '<'))
                return -1;
            continue;
        } else {
            int m = xc_misc(&st, 0);
            if (m < 0)
                return -1;
            if (m)
                continue;
        }
        /* at '<' of a start or end tag */
        st.i++;
        if (st.i < n && s[st.i] == '/') {
            st.i++;
            char name[XC_NAME_MAX];
            if (xc_name(&st, name))
                return -1;
            xc_skip_space(&st);
            if (st.i >= n || s[st.i] != '>')
                return xc_fail(&st, "malformed end tag </%s", name);
            st.i++;
            if (depth == 0)
                return xc_fail(&st, "end tag </%s> with nothing open", name);
            if (strcmp(stack[depth - 1], name) != 0)
                return xc_fail(&st, "</%s> closes <%s>", name,
                               stack[depth - 1]);
            depth--;
            if (depth == 0)
                roots++;
            continue;
        }
        char name[XC_NAME_MAX];
        if (xc_name(&st, name))
            return -1;
        int selfclose = 0;
        if (xc_attrs(&st, &selfclose))
            return -1;
        if (selfclose) {
            if (depth == 0)
                roots++;
            continue;
        }
        if (depth >= XC_DEPTH_MAX)
            return xc_fail(&st, "nesting deeper than %d", XC_DEPTH_MAX);
        strcpy(stack[depth++], name);
    }
    if (depth)
        return xc_fail(&st, "<%s> is never closed", stack[depth - 1]);
    if (roots != 1)
        return xc_fail(&st, "no root element");
    return 0;
}

/* The value of attribute `name` in the start tag at `tag` ('<...'), copied
 * raw (entities not decoded) into out.  0, or -1 when absent/too long. */
static inline int xc_attr(const char *tag, const char *name, char *out,
                          size_t outsz)
{
    size_t nl = strlen(name);
    const char *end = strchr(tag, '>');
    for (const char *p = tag + 1; end && p < end; p++) {
        if ((p[-1] == ' ' || p[-1] == '\n' || p[-1] == '\t') &&
            strncmp(p, name, nl) == 0 && p[nl] == '=' &&
            (p[nl + 1] == '"' || p[nl + 1] == '\'')) {
            char q = p[nl + 1];
            const char *v = p + nl + 2, *ve = strchr(v, q);
            if (!ve || (size_t)(ve - v) >= outsz)
                return -1;
            memcpy(out, v, (size_t)(ve - v));
            out[ve - v] = '\0';
            return 0;
        }
    }
    return -1;
}

/* A numeric attribute, or NAN-like sentinel -1e300 when absent. */
static inline double xc_attr_num(const char *tag, const char *name)
{
    char v[64];
    if (xc_attr(tag, name, v, sizeof v))
        return -1e300;
    return strtod(v, NULL);
}

/*
 * The start tag of the first element named `elem` (NULL: any) from `from`
 * on whose attribute `attr` equals `value` (raw, as written).  NULL when
 * none.
 */
static inline const char *xc_find(const char *from, const char *elem,
                                  const char *attr, const char *value)
{
    for (const char *p = strchr(from, '<'); p; p = strchr(p + 1, '<')) {
        if (p[1] == '/' || p[1] == '!' || p[1] == '?')
            continue;
        if (elem) {
            size_t el = strlen(elem);
            if (strncmp(p + 1, elem, el) != 0 ||
                !(p[1 + el] == ' ' || p[1 + el] == '>' || p[1 + el] == '/'))
                continue;
        }
        char v[1024];
        if (xc_attr(p, attr, v, sizeof v) == 0 && strcmp(v, value) == 0)
            return p;
    }
    return NULL;
}

/* How many times `needle` occurs in `hay`. */
static inline size_t xc_count(const char *hay, const char *needle)
{
    size_t k = 0, nl = strlen(needle);
    for (const char *p = strstr(hay, needle); p; p = strstr(p + nl, needle))
        k++;
    return k;
}

#endif
