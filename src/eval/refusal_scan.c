/*
 * refusal_scan.c - the refusal detector's cue index and scanning engine:
 * the cue tables compiled once (cues_init, refusal_self_check), the
 * dispatch table from leading code points to cues, and refusal__scan,
 * which weighs each sentence of an analysis by the cues found in it.
 */
#include "eval/score.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <utf8proc.h>

#include "core/buf.h"
#include "core/utf8.h"
#include "eval/refusal_int.h"

/* ------------------------------------------------------------ cue tables */

/*
 * Each cue is compiled on its own, anchored.  A table maps the first one
 * or two code points its matches can start with to the cue, so a scan
 * tries at each text position only the few cues that can start there:
 * the same result as one leftmost-first alternation per class (the first
 * cue in table order wins at a position, and a class resumes after the end
 * of its last hit), without trying every alternative everywhere.  The
 * prefixes are computed from the pattern text itself (the subset of PCRE2
 * syntax the tables use); a cue whose start cannot be bounded is tried
 * everywhere.
 */

#define PFX_MAX 512 /* prefixes of one cue before it counts as "anywhere" */
#define CUES_MAX 1024 /* cues in the tables (candidates never overflow) */
#define RX_UNBOUNDED 0xFFFFu

typedef struct pfx {
    uint32_t cp[2];
    uint8_t len;
    uint8_t open; /* more may follow that is not known */
} pfx;

typedef struct pfxset {
    pfx v[PFX_MAX];
    size_t n;
    int wild; /* overflowed or unbounded: anywhere */
} pfxset;

typedef struct rx_item {
    size_t a, b;       /* the atom's span in the pattern */
    unsigned min, max;
    char kind;         /* 'l' literal, 's' set, '*' any, '0' zero, 'g' group */
} rx_item;

typedef struct bucket {
    uint64_t key; /* 0: empty */
    uint16_t *ids;
    uint32_t n, cap;
} bucket;

static struct {
    pcre2_code **code; /* per cue */
    unsigned char *wb; /* per cue: starts with \b (only at word edges) */
    bucket *tab;
    size_t tabcap;     /* power of two */
    uint16_t *at_start, *at_line, *anywhere;
    size_t nstart, nline, nany;
    char err[160];
} g_cues;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

/* The cues of refusal__cue_tables end to end, so that a cue's id is its
 * index here (filled once by cues_init). */
static refusal_cue refusal_cues[CUES_MAX];
static size_t refusal_ncues;

static void pfx_add(pfxset *s, const pfx *p)
{
    if (s->wild)
        return;
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i].len == p->len && s->v[i].open == p->open &&
            (p->len < 1 || s->v[i].cp[0] == p->cp[0]) &&
            (p->len < 2 || s->v[i].cp[1] == p->cp[1]))
            return;
    if (s->n == PFX_MAX) {
        s->wild = 1;
        return;
    }
    s->v[s->n++] = *p;
}

/* Decode one code point of the (valid UTF-8) pattern at *i. */
static uint32_t pat_cp(const char *p, size_t end, size_t *i)
{
    uint32_t cp;
    size_t k = utf8_decode(p + *i, end - *i, &cp);
    if (k == 0)
        k = 1, cp = (unsigned char)p[*i];
    *i += k;
    return cp;
}

/* End of the group or class opening at p[i] ('(' or '['). */
static size_t pat_close(const char *p, size_t i, size_t end)
{
    if (p[i] == '[') {
        size_t j = i + 1;
        if (j < end && p[j] == '^')
            j++;
        if (j < end && p[j] == ']')
            j++;
        for (; j < end; j++) {
            if (p[j] == '\\')
                j++;
            else if (p[j] == ']')
                return j + 1;
        }
        return end;
    }
    int depth = 0;
    for (size_t j = i; j < end; j++) {
        if (p[j] == '\\') {
            j++;
        } else if (p[j] == '[') {
            j = pat_close(p, j, end) - 1;
        } else if (p[j] == '(') {
            depth++;
        } else if (p[j] == ')' && --depth == 0) {
            return j + 1;
        }
    }
    return end;
}

/* Parse the sequence p[a..b) (no top-level '|') into items. */
static size_t parse_items(const char *p, size_t a, size_t b, rx_item *it,
                          size_t max)
{
    size_t n = 0;
    for (size_t i = a; i < b && n < max;) {
        rx_item x = {i, 0, 1, 1, 'l'};
        if (p[i] == '(') {
            size_t e = pat_close(p, i, b);
            if (i + 2 < b && p[i + 1] == '?' && p[i + 2] == ':') {
                x.kind = 'g';
                x.a = i + 3;
                x.b = e - 1;
            } else if (i + 1 < b && (p[i + 1] == '?' || p[i + 1] == '*')) {
                x.kind = '0'; /* lookaround, verbs */
            } else {
                x.kind = 'g';
                x.a = i + 1;
                x.b = e - 1;
            }
            i = e;
            if (x.kind == '0')
                x.b = e;
        } else if (p[i] == '[') {
            x.kind = 's';
            i = pat_close(p, i, b);
            x.b = i;
        } else if (p[i] == '\\') {
            char c = i + 1 < b ? p[i + 1] : '\\';
            x.kind = strchr("bBAzZG", c) ? '0' : strchr("ds", c) ? 's'
                     : strchr("wWSDpPXRNhvH", c) ? '*' : 'l';
            i += 2;
            x.b = i;
        } else if (p[i] == '^' || p[i] == '$') {
            x.kind = '0';
            x.b = ++i;
        } else if (p[i] == '.') {
            x.kind = '*';
            x.b = ++i;
        } else {
            (void)pat_cp(p, b, &i);
            x.b = i;
        }
        /* Quantifier. */
        if (i < b && (p[i] == '?' || p[i] == '*' || p[i] == '+')) {
            x.min = p[i] == '+' ? 1 : 0;
            x.max = p[i] == '?' ? 1 : RX_UNBOUNDED;
            i++;
        } else if (i < b && p[i] == '{' && i + 1 < b && p[i + 1] >= '0' &&
                   p[i + 1] <= '9') {
            char *e;
            unsigned long lo = strtoul(p + i + 1, &e, 10), hi = lo;
            if (*e == ',')
                hi = e[1] == '}' ? RX_UNBOUNDED : strtoul(e + 1, &e, 10);
            if (*e == ',')
                e++;
            while ((size_t)(e - p) < b && *e != '}')
                e++;
            i = (size_t)(e - p) + 1;
            x.min = (unsigned)lo;
            x.max = hi > RX_UNBOUNDED ? RX_UNBOUNDED : (unsigned)hi;
        }
        if (i < b && (p[i] == '?' || p[i] == '+'))
            i++; /* lazy, possessive */
        it[n++] = x;
    }
    return n;
}

static void seq_pfx(const char *p, const rx_item *it, size_t n, size_t j,
                    unsigned k, pfxset *out, int depth);

/* Prefixes of the alternatives of p[a..b). */
static void alt_pfx(const char *p, size_t a, size_t b, unsigned k,
                    pfxset *out, int depth)
{
    if (depth > 12) {
        out->wild = 1;
        return;
    }
    size_t start = a;
    for (size_t i = a; i <= b; i++) {
        if (i < b && p[i] == '\\') {
            i++;
            continue;
        }
        if (i < b && (p[i] == '(' || p[i] == '[')) {
            i = pat_close(p, i, b) - 1;
            continue;
        }
        if (i == b || p[i] == '|') {
            rx_item it[96];
            size_t n = parse_items(p, start, i, it, 96);
            if (n == 96) {
                out->wild = 1;
                return;
            }
            seq_pfx(p, it, n, 0, k, out, depth + 1);
            start = i + 1;
        }
    }
}

/* The code points of one set item ([...], \d, \s); 0 when too many. */
static size_t set_cps(const char *p, const rx_item *x, uint32_t *cps,
                      size_t max)
{
    size_t n = 0;
    if (p[x->a] == '\\') {
        if (p[x->a + 1] == 's') {
            cps[0] = ' ';
            cps[1] = '\n';
            return 2;
        }
        for (uint32_t c = '0'; c <= '9' && n < max; c++)
            cps[n++] = c;
        return n;
    }
    size_t i = x->a + 1, end = x->b - 1;
    if (p[i] == '^')
        return 0;
    while (i < end) {
        uint32_t lo;
        if (p[i] == '\\') {
            char c = p[i + 1];
            i += 2;
            if (c == 's') {
                if (n + 2 > max)
                    return 0;
                cps[n++] = ' ';
                cps[n++] = '\n';
                continue;
            }
            if (c == 'd') {
                for (uint32_t d = '0'; d <= '9'; d++) {
                    if (n == max)
                        return 0;
                    cps[n++] = d;
                }
                continue;
            }
            if (strchr("wWSDpPhHvV", c))
                return 0;
            lo = (uint32_t)(unsigned char)c;
        } else {
            lo = pat_cp(p, end, &i);
        }
        uint32_t hi = lo;
        if (i + 1 < end && p[i] == '-') {
            i++;
            hi = pat_cp(p, end, &i);
        }
        if (hi < lo || hi - lo > 64)
            return 0;
        for (uint32_t c = lo; c <= hi; c++) {
            if (n == max)
                return 0;
            cps[n++] = c;
        }
    }
    return n;
}

/* Prefixes (up to k code points) of the matches of it[j..n). */
static void seq_pfx(const char *p, const rx_item *it, size_t n, size_t j,
                    unsigned k, pfxset *out, int depth)
{
    if (out->wild)
        return;
    if (k == 0 || j == n) {
        pfx e = {{0, 0}, 0, 0};
        pfx_add(out, &e);
        return;
    }
    const rx_item *x = &it[j];
    if (x->kind == '0') {
        seq_pfx(p, it, n, j + 1, k, out, depth);
        return;
    }
    if (x->min == 0)
        seq_pfx(p, it, n, j + 1, k, out, depth);
    pfxset *first = malloc(sizeof *first);
    if (!first) {
        out->wild = 1;
        return;
    }
    first->n = 0;
    first->wild = 0;
    if (x->kind == '*') {
        first->wild = 1;
    } else if (x->kind == 'l' || x->kind == ' ') {
        size_t i = x->a;
        uint32_t cp = p[i] == '\\' ? (uint32_t)(unsigned char)p[i + 1]
                                   : pat_cp(p, x->b, &i);
        pfx f = {{cp, 0}, 1, 0};
        pfx_add(first, &f);
        if (cp == ' ') {
            f.cp[0] = '\n';
            pfx_add(first, &f);
        }
    } else if (x->kind == 's') {
        uint32_t cps[128];
        size_t m = set_cps(p, x, cps, 128);
        if (m == 0)
            first->wild = 1;
        for (size_t q = 0; q < m; q++) {
            pfx f = {{cps[q], 0}, 1, 0};
            pfx_add(first, &f);
        }
    } else { /* group */
        alt_pfx(p, x->a, x->b, k, first, depth);
    }
    if (first->wild) {
        free(first);
        out->wild = 1;
        return;
    }
    for (size_t q = 0; q < first->n && !out->wild; q++) {
        pfx f = first->v[q];
        if (f.open || f.len >= k) {
            pfx_add(out, &f);
        } else if (x->max > 1) {
            f.open = 1; /* repeated: what follows is not tracked */
            if (f.len == 0)
                out->wild = 1;
            else
                pfx_add(out, &f);
        } else {
            pfxset *rest = malloc(sizeof *rest);
            if (!rest) {
                out->wild = 1;
                break;
            }
            rest->n = 0;
            rest->wild = 0;
            seq_pfx(p, it, n, j + 1, k - f.len, rest, depth);
            if (rest->wild) {
                if (f.len == 0) {
                    out->wild = 1;
                } else {
                    f.open = 1;
                    pfx_add(out, &f);
                }
            }
            for (size_t r = 0; r < rest->n && !rest->wild; r++) {
                pfx g = f;
                for (unsigned c = 0; c < rest->v[r].len && g.len < 2; c++)
                    g.cp[g.len++] = rest->v[r].cp[c];
                g.open = rest->v[r].open;
                pfx_add(out, &g);
            }
            free(rest);
        }
    }
    free(first);
}

static uint64_t key_of(uint32_t c1, uint32_t c2, int two)
{
    return (1ull << 63) | ((uint64_t)two << 62) | ((uint64_t)c1 << 21) |
           (two ? c2 : 0);
}

static bucket *tab_find(uint64_t key, int create)
{
    size_t mask = g_cues.tabcap - 1;
    size_t h = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 20) & mask;
    for (size_t probe = 0; probe <= mask; probe++, h = (h + 1) & mask) {
        bucket *b = &g_cues.tab[h];
        if (b->key == key)
            return b;
        if (b->key == 0) {
            if (!create)
                return NULL;
            b->key = key;
            return b;
        }
    }
    return NULL;
}

static int ids_push(uint16_t **v, uint32_t *n, uint32_t *cap, size_t id)
{
    if (*n && (*v)[*n - 1] == id)
        return 0;
    if (*n == *cap) {
        uint32_t nc = *cap ? 2 * *cap : 4;
        uint16_t *nv = realloc(*v, nc * sizeof *nv);
        if (!nv)
            return -1;
        *v = nv;
        *cap = nc;
    }
    (*v)[(*n)++] = (uint16_t)id;
    return 0;
}

/* Expand {macro} references of re into b. */
static int expand(const char *re, osafe_buf *b)
{
    for (const char *p = re; *p;) {
        if (*p == '{' && p[1] >= 'a' && p[1] <= 'z') {
            const char *end = strchr(p, '}');
            size_t i;
            for (i = 0; end && i < refusal__nmacros; i++)
                if (strlen(refusal__macros[i].name) == (size_t)(end - p - 1) &&
                    !memcmp(refusal__macros[i].name, p + 1, (size_t)(end - p - 1)))
                    break;
            if (end && i < refusal__nmacros) {
                if (buf_puts(b, refusal__macros[i].text) != 0)
                    return -1;
                p = end + 1;
                continue;
            }
        }
        if (buf_putc(b, *p++) != 0)
            return -1;
    }
    return 0;
}

/* One cue's pattern, macros expanded and normalised (malloc'd). */
static char *cue_norm(size_t i, size_t *len)
{
    osafe_buf x;
    buf_init(&x, 0);
    if (expand(refusal_cues[i].re, &x) != 0) {
        buf_release(&x);
        return NULL;
    }
    char *norm = score_normalize(x.data ? x.data : "", x.len,
                                 SCORE_NORM_ACCENTS, len);
    buf_release(&x);
    return norm;
}

/* The compilable form: a space matches any whitespace. */
static int cue_source(const char *norm, size_t nl, osafe_buf *out)
{
    int rc = 0;
    for (size_t k = 0; k < nl && rc == 0; k++)
        rc = norm[k] == ' ' ? buf_puts(out, "\\s") : buf_putc(out, norm[k]);
    return rc;
}

static void cues_fail(size_t i, const char *what)
{
    snprintf(g_cues.err, sizeof g_cues.err, "refusal cue %zu: %s", i, what);
}

static void cues_init(void)
{
    size_t n = 0;
    for (size_t t = 0; t < refusal__ncue_tables; t++)
        n += *refusal__cue_tables[t].n;
    g_cues.code = calloc(n, sizeof *g_cues.code);
    g_cues.wb = calloc(n, 1);
    g_cues.tabcap = 4096;
    g_cues.tab = calloc(g_cues.tabcap, sizeof *g_cues.tab);
    pfxset *ps = malloc(sizeof *ps);
    uint32_t ncap[3] = {0, 0, 0}, nn[3] = {0, 0, 0};
    if (!g_cues.code || !g_cues.wb || !g_cues.tab || !ps || n > CUES_MAX) {
        free(ps);
        cues_fail(n, "out of memory, or too many cues");
        return;
    }
    for (size_t t = 0; t < refusal__ncue_tables; t++) {
        const refusal_cue_table *tb = &refusal__cue_tables[t];
        memcpy(refusal_cues + refusal_ncues, tb->cues,
               *tb->n * sizeof *refusal_cues);
        refusal_ncues += *tb->n;
    }
    for (size_t i = 0; i < n; i++) {
        size_t nl;
        char *norm = cue_norm(i, &nl);
        osafe_buf src;
        buf_init(&src, 0);
        if (!norm || cue_source(norm, nl, &src) != 0) {
            free(norm);
            buf_release(&src);
            free(ps);
            cues_fail(i, "out of memory");
            return;
        }
        int ec;
        PCRE2_SIZE eo;
        uint32_t opts = PCRE2_UTF | PCRE2_UCP | PCRE2_ANCHORED;
        if (refusal_cues[i].cls == CUE_STRUCT)
            opts |= PCRE2_MULTILINE;
        g_cues.code[i] = pcre2_compile((PCRE2_SPTR)src.data, src.len, opts,
                                       &ec, &eo, NULL);
        buf_release(&src);
        if (!g_cues.code[i]) {
            PCRE2_UCHAR msg[96];
            char what[140];
            pcre2_get_error_message(ec, msg, sizeof msg);
            snprintf(what, sizeof what, "%s at offset %zu", (char *)msg,
                     (size_t)eo);
            free(norm);
            free(ps);
            cues_fail(i, what);
            return;
        }
        (void)pcre2_jit_compile(g_cues.code[i], PCRE2_JIT_COMPLETE);
        /* Where can it start? */
        g_cues.wb[i] = nl >= 2 && norm[0] == '\\' && norm[1] == 'b';
        int rc = 0;
        if (norm[0] == '^') {
            int line = refusal_cues[i].cls == CUE_STRUCT;
            rc = ids_push(line ? &g_cues.at_line : &g_cues.at_start, &nn[line],
                          &ncap[line], i);
        } else {
            ps->n = 0;
            ps->wild = 0;
            alt_pfx(norm, 0, nl, 2, ps, 0);
            for (size_t q = 0; q < ps->n && !ps->wild; q++)
                if (ps->v[q].len == 0)
                    ps->wild = 1;
            if (ps->wild) {
                rc = ids_push(&g_cues.anywhere, &nn[2], &ncap[2], i);
            } else {
                for (size_t q = 0; q < ps->n && rc == 0; q++) {
                    const pfx *f = &ps->v[q];
                    bucket *b = tab_find(key_of(f->cp[0], f->cp[1], f->len == 2), 1);
                    rc = b ? ids_push(&b->ids, &b->n, &b->cap, i) : -1;
                }
            }
        }
        free(norm);
        if (rc != 0) {
            free(ps);
            cues_fail(i, "dispatch table full");
            return;
        }
    }
    free(ps);
    g_cues.nstart = nn[0];
    g_cues.nline = nn[1];
    g_cues.nany = nn[2];
}

const char *refusal_self_check(void)
{
    pthread_once(&g_once, cues_init);
    return g_cues.err[0] ? g_cues.err : NULL;
}

/* ------------------------------------------------------------- scanning */

static size_t sent_at(const analysis *a, size_t off)
{
    size_t lo = 0, hi = a->n;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (a->s[mid].start <= off)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Candidate cues at one position, in table order, without repeats. */
static size_t candidates(const analysis *a, size_t p, uint32_t c1, uint32_t c2,
                         uint16_t *out, size_t max)
{
    const uint16_t *lists[5];
    size_t lens[5], nl = 0;
    bucket *b;
    if ((b = tab_find(key_of(c1, c2, 1), 0)) != NULL)
        lists[nl] = b->ids, lens[nl++] = b->n;
    if ((b = tab_find(key_of(c1, 0, 0), 0)) != NULL)
        lists[nl] = b->ids, lens[nl++] = b->n;
    if (p == 0 && g_cues.nstart)
        lists[nl] = g_cues.at_start, lens[nl++] = g_cues.nstart;
    if ((p == 0 || a->text[p - 1] == '\n') && g_cues.nline)
        lists[nl] = g_cues.at_line, lens[nl++] = g_cues.nline;
    if (g_cues.nany)
        lists[nl] = g_cues.anywhere, lens[nl++] = g_cues.nany;
    size_t n = 0, pos[5] = {0, 0, 0, 0, 0};
    for (;;) { /* k-way merge of sorted lists */
        size_t best = nl;
        for (size_t l = 0; l < nl; l++)
            if (pos[l] < lens[l] &&
                (best == nl || lists[l][pos[l]] < lists[best][pos[best]]))
                best = l;
        if (best == nl || n == max)
            break;
        uint16_t id = lists[best][pos[best]++];
        if (n == 0 || out[n - 1] != id)
            out[n++] = id;
    }
    return n;
}

/* A word character as PCRE2 (UCP, 10.42) sees it for \b: letters,
 * digits and the underscore. */
static int rx_word(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
               (cp >= '0' && cp <= '9') || cp == '_';
    utf8proc_category_t c = utf8proc_category((utf8proc_int32_t)cp);
    return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) ||
           (c >= UTF8PROC_CATEGORY_ND && c <= UTF8PROC_CATEGORY_NO);
}

/* brute: try every cue at every position (for refusal_dispatch_check). */
int refusal__scan(analysis *a, int brute)
{
    if (a->n == 0)
        return 0;
    pcre2_match_data *md = pcre2_match_data_create(1, NULL);
    if (!md)
        return -1;
    size_t limit = a->s[a->n - 1].end;
    size_t class_end[CUE_NCLASS] = {0};
    uint16_t cand[CUES_MAX];
    int prev_word = 0;
    for (size_t p = 0; p < limit;) {
        size_t i = p;
        uint32_t c1, c2 = 0;
        c1 = pat_cp(a->text, limit, &i);
        size_t next = i;
        if (i < limit)
            c2 = pat_cp(a->text, limit, &i);
        size_t nc = brute ? refusal_ncues
                          : candidates(a, p, c1, c2, cand, CUES_MAX);
        int cur_word = rx_word(c1);
        int edge = cur_word != prev_word;
        prev_word = cur_word;
        for (size_t q = 0; q < nc; q++) {
            size_t id = brute ? q : cand[q];
            int cls = refusal_cues[id].cls;
            if (p < class_end[cls] || (g_cues.wb[id] && !edge && !brute))
                continue;
            int rc = pcre2_match(g_cues.code[id], (PCRE2_SPTR)a->text, limit,
                                 p, PCRE2_NO_UTF_CHECK, md, NULL);
            if (rc < 0)
                continue;
            PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
            size_t si = sent_at(a, ov[0]);
            a->s[si].w[cls] += refusal_cues[id].weight;
            a->hits++;
            if (a->ncue_ids < sizeof a->cue_ids / sizeof a->cue_ids[0])
                a->cue_ids[a->ncue_ids++] = (int)id;
            class_end[cls] = ov[1] > p ? ov[1] : next;
        }
        p = next;
    }
    pcre2_match_data_free(md);
    return 0;
}
