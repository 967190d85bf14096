/*
 * store_pg_query.c - the PostgreSQL backend's search text, filtered
 * listing, search and evaluation pages.
 *
 * Visibility.  The registry's rule (src/registry/tlp.c) is C, and SQLite
 * calls it row by row from SQL; PostgreSQL cannot call back into this
 * process.  Rather than write the rule a second time in SQL, a listing
 * reads every record's (owner, organisation, levels, versions) once,
 * asks the rule which version the caller sees, and hands that set to the
 * query as three arrays (unnest): filters, order, total and pages then
 * run in the database as SQLite's do.  The cost is one pass over the
 * records table per listing (about 100 ms at 10^5 records); a cache per
 * caller class is the known next step (docs/PERFORMANCE.md).
 *
 * Search text is folded in C the way SQLite's unicode61 tokenizer and
 * store__fold do it (case, Latin diacritics, Arabic marks), stored once
 * per (record, published) and indexed twice: a 'simple' tsvector for
 * words and pg_trgm for substrings.  Queries follow SQLite's: every word
 * must match, a plural also as its stem's prefix; the substring path
 * needs every word inside the text.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/limits.h"
#include "core/utf8.h"
#include "store/store.h"
#include "store/store_int.h"
#include "store/store_pg_int.h"

#define S(base) ((struct pg_store *)(base))

/* store__fold, then case folding and the Latin combining diacritics
 * (U+0300..U+036F) dropped after canonical decomposition, recomposed:
 * "Élection" and "election" are one word, as in SQLite's index. */
static int fold(const char *in, osafe_buf *out)
{
    osafe_buf a = OSAFE_BUF_INIT;
    int rc = store__fold(in, &a);
    utf8proc_uint8_t *d = NULL;
    if (!rc && utf8proc_map((const utf8proc_uint8_t *)(a.data ? a.data : ""),
                            0, &d,
                            UTF8PROC_NULLTERM | UTF8PROC_STABLE |
                                UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD) < 0)
        rc = OSAFE_EINVAL;
    buf_release(&a);
    if (rc)
        return rc;
    osafe_buf b = OSAFE_BUF_INIT;
    size_t n = strlen((const char *)d);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t len = utf8_decode((const char *)d + i, n - i, &cp);
        if (!len)
            len = 1;
        if (cp < 0x300 || cp > 0x36F)
            OSAFE_IGNORE(buf_append(&b, d + i, len)); /* checked below */
        i += len;
    }
    free(d);
    if ((rc = buf_putc(&b, 0)) == 0) {
        utf8proc_uint8_t *c = utf8proc_NFC((const utf8proc_uint8_t *)b.data);
        rc = c ? buf_puts(out, (const char *)c) : OSAFE_ENOMEM;
        free(c);
    }
    buf_release(&b);
    return rc;
}

int pg__index_put(osafe_store *base, const char *id, int published,
                  const char *text, osafe_err *e)
{
    osafe_buf f = OSAFE_BUF_INIT;
    if (fold(text, &f)) {
        buf_release(&f);
        return osafe_errf(e, OSAFE_ENOMEM, "search text of %s: out of memory",
                          id);
    }
    int rc = pg__run(S(base), e, NULL, 1,
                     "INSERT INTO search_text(record_id, published, text) "
                     "VALUES ($1, $2, $3) ON CONFLICT (record_id, published) "
                     "DO UPDATE SET text = excluded.text",
                     "sis", id, published, f.data ? f.data : "");
    buf_release(&f);
    return rc;
}

/* One element of a PostgreSQL array literal, quoted. */
static int arr_put(osafe_buf *b, const char *v)
{
    OSAFE_IGNORE(buf_putc(b, b->len > 1 ? ',' : '{')); /* sticky */
    OSAFE_IGNORE(buf_putc(b, '"'));
    for (; *v; v++) {
        if (*v == '"' || *v == '\\')
            OSAFE_IGNORE(buf_putc(b, '\\'));
        OSAFE_IGNORE(buf_putc(b, *v));
    }
    return buf_putc(b, '"');
}

static int arr_end(osafe_buf *b)
{
    return buf_puts(b, b->len ? "}" : "{}");
}

/* What the caller sees of every record: ids, versions and shown states
 * as array literals (SQLite's VISIBLE_SQL, with the rule in C), and
 * whether each is the working version. */
struct seen {
    osafe_buf ids, vs, states, ws;
};

static void seen_release(struct seen *v)
{
    buf_release(&v->ids);
    buf_release(&v->vs);
    buf_release(&v->states);
    buf_release(&v->ws);
}

static int seen_read(struct pg_store *s, const store_visibility *vis,
                     struct seen *out, osafe_err *e)
{
    memset(out, 0, sizeof *out);
    PGresult *r;
    int rc = pg__run(s, e, &r, 1,
                     "SELECT id, state, owner, org, version, tlp, "
                     "published_version, pub_tlp FROM records",
                     "");
    if (rc)
        return rc;
    for (int i = 0; i < PQntuples(r); i++) {
        const char *state = PQgetvalue(r, i, 1), *org = PQgetvalue(r, i, 3);
        int64_t owner = pg__int(r, i, 2);
        int version = (int)pg__int(r, i, 4), pubv = (int)pg__int(r, i, 6);
        int v = 0;
        if (!vis || !vis->reads)
            v = 0; /* without a rule nothing is seen */
        else if (vis->reads(vis->who, owner, org, PQgetvalue(r, i, 5),
                            version == pubv))
            v = version;
        else if (pubv > 0 &&
                 vis->reads(vis->who, owner, org, PQgetvalue(r, i, 7), 1))
            v = pubv;
        if (!v)
            continue;
        int w = v == version;
        char num[16];
        snprintf(num, sizeof num, "%d", v);
        OSAFE_IGNORE(arr_put(&out->ids, PQgetvalue(r, i, 0))); /* sticky */
        OSAFE_IGNORE(arr_put(&out->vs, num));
        OSAFE_IGNORE(arr_put(&out->states,
                             w || !strcmp(state, "withdrawn") ||
                                     !strcmp(state, "merged")
                                 ? state
                                 : "published"));
        OSAFE_IGNORE(arr_put(&out->ws, w ? "t" : "f"));
    }
    PQclear(r);
    if (arr_end(&out->ids) || arr_end(&out->vs) || arr_end(&out->states) ||
        arr_end(&out->ws)) {
        seen_release(out);
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    }
    return 0;
}

/* (id, version[, total]) rows into a page; one extra row tells whether a
 * next page exists. */
static int collect(PGresult *r, int limit, store_page *out, osafe_err *e)
{
    memset(out, 0, sizeof *out);
    out->total = PQnfields(r) > 2 ? 0 : -1;
    out->ids = malloc((size_t)(limit ? limit : 1) * sizeof *out->ids);
    out->versions = malloc((size_t)(limit ? limit : 1) * sizeof *out->versions);
    if (!out->ids || !out->versions) {
        PQclear(r);
        store_page_release(out);
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    }
    for (int i = 0; i < PQntuples(r); i++) {
        if (out->n == (size_t)limit) {
            snprintf(out->next_cursor, sizeof out->next_cursor, "%s",
                     out->ids[out->n - 1]);
            break;
        }
        pg__text(out->ids[out->n], sizeof out->ids[0], r, i, 0);
        out->versions[out->n] = (int)pg__int(r, i, 1);
        if (PQnfields(r) > 2)
            out->total = pg__int(r, i, 2);
        out->n++;
    }
    PQclear(r);
    return 0;
}

/* The filters compare without regard to case, as SQLite's NOCASE does
 * (lower() also folds beyond ASCII).  Ids and titles order in the "C"
 * collation: byte order, SQLite's, whatever the database's locale. */
#define ARR(x)                                                             \
    "CASE jsonb_typeof(" x ") WHEN 'array' THEN " x " ELSE '[]'::jsonb END"
#define LIST_SQL(ORDER)                                                       \
    "WITH vis AS (SELECT * FROM unnest($1::text[], $2::int[], $3::text[]) " \
    "  AS t(id, v, state)), hit AS ("                                         \
    "SELECT vis.id AS id, vis.v AS v, count(*) OVER () AS total, "            \
    "  x.created AS created, x.doc->'occurred_start'->>'date' AS occurred, "  \
    "  x.doc->'title'->>'text' AS title, "                                    \
    "  CASE x.doc->'severity'->>'level' WHEN 'disaster' THEN 5 "              \
    "  WHEN 'serious_incident' THEN 4 WHEN 'incident' THEN 3 "                \
    "  WHEN 'serious_hazard' THEN 2 WHEN 'hazard' THEN 1 ELSE 0 END AS sev "  \
    "FROM vis JOIN versions x ON x.record_id = vis.id AND x.version = vis.v " \
    "WHERE ($5::text IS NULL OR lower(vis.state) = lower($5)) "               \
    "AND ($6::text IS NULL OR lower(x.tlp) = lower($6)) "                     \
    "AND ($7::text IS NULL OR EXISTS (SELECT 1 FROM "                         \
    "  jsonb_array_elements(" ARR("x.doc->'hazards'") ") h "               \
    "  WHERE lower(h #>> '{}') = lower($7))) "                                \
    "AND ($8::text IS NULL OR lower(x.doc->'severity'->>'level') = "          \
    "  lower($8)) "                                                           \
    "AND ($9::text IS NULL OR EXISTS (SELECT 1 FROM "                         \
    "  jsonb_array_elements(" ARR("x.doc->'countries_occurred'") ") c "    \
    "  WHERE lower(c #>> '{}') = lower($9))) "                                \
    "AND ($10::text IS NULL OR EXISTS (SELECT 1 FROM "                        \
    "  jsonb_array_elements(" ARR("x.doc->'ai_systems'") ") a "            \
    "  WHERE lower(a->>'name') = lower($10))) "                               \
    "AND ($11::text IS NULL OR lower(x.doc->>'lang') = lower($11) OR EXISTS " \
    "  (SELECT 1 FROM jsonb_array_elements("                                  \
    ARR("x.doc->'description'") ") d WHERE lower(d->>'lang') = lower($11))) " \
    "AND ($12::text IS NULL OR x.doc->'occurred_start'->>'date' >= $12) "     \
    "AND ($13::text IS NULL OR substr(x.doc->'occurred_start'->>'date', 1, " \
    "  length($13)) <= $13)) "                                                \
    "SELECT id, v, total FROM hit WHERE id COLLATE \"C\" > $4 ORDER BY "      \
    ORDER " LIMIT $14 OFFSET $15"

static const char *opt(const char *v)
{
    return v && *v ? v : NULL;
}

int pg__list(osafe_store *base, const store_visibility *vis,
             const store_filter *f, store_page *out, osafe_err *e)
{
    int sk = store__sort_index(f, e);
    if (sk < 0)
        return sk;
    size_t k = (size_t)sk;
    static const char *const sql[] = {
        LIST_SQL("id COLLATE \"C\""),
        LIST_SQL("created DESC, id COLLATE \"C\" DESC"),
        LIST_SQL("created, id COLLATE \"C\""),
        LIST_SQL("occurred IS NULL, occurred DESC, id COLLATE \"C\" DESC"),
        LIST_SQL("sev DESC, id COLLATE \"C\" DESC"),
        LIST_SQL("lower(title) COLLATE \"C\", id COLLATE \"C\""),
    };
    _Static_assert(sizeof sql / sizeof sql[0] == 6,
                   "one statement per sort (store_common.c)");
    struct seen v;
    int rc = seen_read(S(base), vis, &v, e);
    if (rc)
        return rc;
    PGresult *r;
    rc = pg__run(S(base), e, &r, 1, sql[k], "sssssssssssssii",
                 v.ids.data, v.vs.data, v.states.data,
                 k == 0 && f->cursor ? f->cursor : "", opt(f->state),
                 opt(f->tlp), opt(f->hazard), opt(f->severity),
                 opt(f->country), opt(f->model), opt(f->language),
                 opt(f->since), opt(f->until), f->limit + 1, f->offset);
    seen_release(&v);
    if (rc)
        return rc;
    rc = collect(r, f->limit, out, e);
    if (!rc && k != 0)
        out->next_cursor[0] = '\0'; /* other orders page by number */
    return rc;
}

/* A tsquery lexeme, quoted ('' and \\ doubled): no operator gets in. */
static void put_lexeme(osafe_buf *b, const char *w, size_t n)
{
    OSAFE_IGNORE(buf_putc(b, '\'')); /* sticky, checked by the caller */
    for (size_t i = 0; i < n; i++) {
        if (w[i] == '\'' || w[i] == '\\')
            OSAFE_IGNORE(buf_putc(b, w[i]));
        OSAFE_IGNORE(buf_putc(b, w[i]));
    }
    OSAFE_IGNORE(buf_putc(b, '\''));
}

/* The words query (every word; a plural or its stem's prefix) and the
 * substring patterns (every word inside the text, LIKE-escaped), the
 * latter as an array literal. */
static int build_query(const char *q, osafe_buf *words, osafe_buf *like)
{
    const char *p = q, *w;
    size_t n, chars;
    while ((w = store__word(&p, &n, &chars))) {
        if (words->len)
            OSAFE_IGNORE(buf_puts(words, " & "));
        size_t stem = store__plural_stem(w, n, chars);
        if (stem)
            OSAFE_IGNORE(buf_putc(words, '('));
        put_lexeme(words, w, n);
        if (stem) {
            OSAFE_IGNORE(buf_puts(words, " | "));
            put_lexeme(words, w, stem);
            OSAFE_IGNORE(buf_puts(words, ":*)"));
        }
        osafe_buf pat = OSAFE_BUF_INIT;
        OSAFE_IGNORE(buf_putc(&pat, '%'));
        for (size_t i = 0; i < n; i++) {
            if (w[i] == '%' || w[i] == '_' || w[i] == '\\')
                OSAFE_IGNORE(buf_putc(&pat, '\\'));
            OSAFE_IGNORE(buf_putc(&pat, w[i]));
        }
        int rc = buf_putc(&pat, '%');
        if (!rc)
            rc = buf_putc(&pat, 0);
        if (!rc)
            rc = arr_put(like, pat.data);
        buf_release(&pat);
        if (rc)
            return rc;
    }
    if (buf_status(words))
        return buf_status(words);
    return arr_end(like);
}

int pg__search(osafe_store *base, const store_visibility *vis,
               const char *query, int limit, store_page *out, osafe_err *e)
{
    if (!utf8_valid(query, strlen(query)))
        return osafe_errf(e, OSAFE_EINVAL, "query is not valid UTF-8");
    osafe_buf folded = OSAFE_BUF_INIT, words = OSAFE_BUF_INIT,
              like = OSAFE_BUF_INIT;
    int rc = fold(query, &folded) ||
                     build_query(folded.data ? folded.data : "", &words,
                                 &like)
                 ? osafe_errf(e, OSAFE_ENOMEM, "out of memory")
                 : 0;
    buf_release(&folded);
    if (!rc && !words.len)
        rc = osafe_errf(e, OSAFE_EINVAL, "empty query");
    struct seen v;
    if (!rc)
        rc = seen_read(S(base), vis, &v, e);
    PGresult *r = NULL;
    if (!rc) {
        rc = pg__run(S(base), e, &r, 1,
                     "WITH vis AS (SELECT * FROM unnest($1::text[], $2::int[],"
                     " $3::bool[]) AS t(id, v, w)), m AS ("
                     "  SELECT record_id, published FROM search_text WHERE "
                     "  words @@ to_tsquery('simple', $4) "
                     "  UNION SELECT record_id, published FROM search_text "
                     "  WHERE text LIKE ALL ($5::text[])) "
                     "SELECT DISTINCT vis.id COLLATE \"C\", vis.v FROM vis "
                     "JOIN m ON m.record_id = vis.id WHERE (vis.w AND "
                     "m.published = 0) OR (NOT vis.w AND m.published = 1) "
                     "ORDER BY 1 LIMIT $6",
                     "sssssi", v.ids.data, v.vs.data, v.ws.data, words.data,
                     like.data, limit + 1);
        seen_release(&v);
    }
    buf_release(&words);
    buf_release(&like);
    if (rc)
        return rc;
    rc = collect(r, limit, out, e);
    out->next_cursor[0] = '\0'; /* search returns one ranked page */
    return rc;
}

int pg__evaluation_list(osafe_store *base, int limit, const char *cursor,
                        store_eval_page *out, osafe_err *e)
{
    memset(out, 0, sizeof *out);
    if (limit <= 0)
        return osafe_errf(e, OSAFE_EINVAL, "limit must be positive");
    PGresult *r;
    int rc = pg__run(S(base), e, &r, 1,
                     "SELECT id, created, log_index, body FROM evaluations "
                     "WHERE withdrawn IS NULL AND ($1::text IS NULL OR seq < "
                     "coalesce((SELECT seq FROM evaluations WHERE id = $1), "
                     "-1)) ORDER BY seq DESC LIMIT $2",
                     "si", opt(cursor), limit + 1);
    if (rc)
        return rc;
    if (!(out->rows = calloc((size_t)limit, sizeof *out->rows))) {
        PQclear(r);
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    }
    for (int i = 0; i < PQntuples(r); i++) {
        if (out->n == (size_t)limit) {
            snprintf(out->next_cursor, sizeof out->next_cursor, "%s",
                     out->rows[out->n - 1].id);
            break;
        }
        store_eval_row *w = &out->rows[out->n];
        pg__text(w->id, sizeof w->id, r, i, 0);
        pg__text(w->created, sizeof w->created, r, i, 1);
        w->log_index = PQgetisnull(r, i, 2) ? -1 : pg__int(r, i, 2);
        if (!(w->body = pg__dup(r, i, 3, &w->body_len))) {
            PQclear(r);
            store_eval_page_release(out);
            return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
        }
        out->n++;
    }
    PQclear(r);
    return 0;
}
