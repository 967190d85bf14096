/*
 * store_fold.c - what both text indexes and every query fold alike, beyond
 * what FTS5's unicode61 tokenizer does (case, Latin accents).
 *
 * Arabic harakat, shadda, superscript alef, Quranic marks and tatweel are
 * dropped: unicode61 treats a combining mark as a separator, so قدّم was
 * indexed as two tokens and a search for قدم missed it (issue 16 item 8);
 * the trigram index saw a different byte string too.  Dropping them on
 * both sides makes the written and the bare forms the same word.
 */
#include <string.h>

#include "core/buf.h"
#include "core/limits.h"
#include "core/utf8.h"
#include "store/store_int.h"
#include "store/store_sqlite_int.h"

static int arabic_mark(uint32_t cp)
{
    return (cp >= 0x064B && cp <= 0x065F) || cp == 0x0670 || cp == 0x0640 ||
           (cp >= 0x06D6 && cp <= 0x06ED && cp != 0x06DD && cp != 0x06DE &&
            cp != 0x06E5 && cp != 0x06E6 && cp != 0x06E9);
}

int store__fold(const char *in, osafe_buf *out)
{
    size_t n = strlen(in);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t len = utf8_decode(in + i, n - i, &cp);
        if (len == 0)
            len = 1; /* callers validate; copy a stray byte as it is */
        if (!arabic_mark(cp))
            OSAFE_IGNORE(buf_append(out, in + i, len));
        i += len;
    }
    /* sticky (core/buf.h): the appends above are checked here */
    return buf_status(out);
}

/* osafe_fold(text): store__fold from SQL, for migration 7's re-indexing. */
static void fn_fold(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *t = (const char *)sqlite3_value_text(argv[0]);
    if (!t) {
        sqlite3_result_null(cx);
        return;
    }
    osafe_buf b = OSAFE_BUF_INIT;
    if (store__fold(t, &b)) {
        buf_release(&b);
        sqlite3_result_error_nomem(cx);
        return;
    }
    sqlite3_result_text(cx, b.data ? b.data : "", (int)b.len,
                        SQLITE_TRANSIENT);
    buf_release(&b);
}

int sq__register_fold(sqlite3 *db)
{
    return sqlite3_create_function(db, "osafe_fold", 1,
                                   SQLITE_UTF8 | SQLITE_DETERMINISTIC |
                                       SQLITE_DIRECTONLY,
                                   NULL, fn_fold, NULL, NULL);
}

const char *store__word(const char **p, size_t *n, size_t *chars)
{
    const char *q = *p;
    while (*q == ' ' || *q == '\t' || *q == '\n' || *q == '\r')
        q++;
    const char *w = q;
    while (*q && *q != ' ' && *q != '\t' && *q != '\n' && *q != '\r')
        q++;
    *p = q;
    if (q == w)
        return NULL;
    *n = (size_t)(q - w);
    *chars = 0;
    for (const char *c = w; c < q; c++)
        if (((unsigned char)*c & 0xC0) != 0x80)
            (*chars)++;
    return w;
}

static int ends_with(const char *w, size_t n, const char *suffix)
{
    size_t k = strlen(suffix);
    if (n < k)
        return 0;
    for (size_t i = 0; i < k; i++)
        if ((w[n - k + i] | 0x20) != suffix[i])
            return 0;
    return 1;
}

/* "chatbots" found nothing where "chatbot" found one: a word in -s
 * (English, French, Spanish plurals: -ies, -es, -s; not -ss, -us, -is)
 * also matches, as a prefix, what is left without it.  The stem keeps at
 * least OSAFE_SEARCH_STEM_MIN characters so that a prefix stays
 * selective.  The singular needs nothing: the substring index finds
 * "chatbot" inside "chatbots". */
size_t store__plural_stem(const char *w, size_t n, size_t chars)
{
    size_t cut = 0;
    if (ends_with(w, n, "ies"))
        cut = 3;
    else if (ends_with(w, n, "es"))
        cut = 2;
    else if (ends_with(w, n, "s") && !ends_with(w, n, "ss") &&
             !ends_with(w, n, "us") && !ends_with(w, n, "is"))
        cut = 1;
    if (!cut || chars < OSAFE_SEARCH_STEM_MIN + cut)
        return 0;
    return n - cut;
}
