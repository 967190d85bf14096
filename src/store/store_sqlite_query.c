/*
 * store_sqlite_query.c - listing with filters, and multilingual search.
 *
 * Both apply the caller's visibility in SQL (see visible_sql): a record is
 * shown either as its latest version, to its owner, its organisation and
 * node staff, or as its latest published version, to everyone its TLP level
 * allows.  Nothing is filtered after the query, so pagination stays exact.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/limits.h"
#include "core/utf8.h"
#include "store/store_int.h"
#include "store/store_sqlite_int.h"

/* Parameter ?1 is the caller's store_visibility, read by the function
 * osafe_seen(?1, owner, org, version, tlp, published_version, pub_tlp),
 * so that the registry's rule is the only one: the version the caller sees
 * (0: none), the latest if the caller reads it, else the latest published
 * one if it reads that.  Yields (id, state, v, w), w = 1 when v is the
 * latest (working) version. */
#define SEEN_SQL                                                              \
    "osafe_seen(?1, r.owner, r.org, r.version, r.tlp, r.published_version, "  \
    "  r.pub_tlp)"
#define VISIBLE_SQL                                                           \
    "vis AS (SELECT id, CASE WHEN (v > 0 AND v = version) OR state IN "       \
    "  ('withdrawn', 'merged') THEN state ELSE 'published' END AS state, v, " \
    "  v > 0 AND v = version AS w FROM (SELECT r.id, r.state, r.version, "    \
    "  " SEEN_SQL " AS v FROM records r)) "

static void bind_vis(sqlite3_stmt *st, const store_visibility *vis)
{
    sqlite3_bind_pointer(st, 1, (void *)vis, SQ_VIS_POINTER, NULL);
}

/* osafe_seen(): see VISIBLE_SQL.  The rule comes bound as a pointer
 * (never readable from SQL text, so no statement can forge one); without
 * one nothing is seen. */
static void fn_seen(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const store_visibility *vis =
        sqlite3_value_pointer(argv[0], SQ_VIS_POINTER);
    int64_t owner = sqlite3_value_int64(argv[1]);
    const char *org = (const char *)sqlite3_value_text(argv[2]);
    int version = sqlite3_value_int(argv[3]);
    const char *tlp = (const char *)sqlite3_value_text(argv[4]);
    int pubv = sqlite3_value_int(argv[5]);
    const char *pub_tlp = (const char *)sqlite3_value_text(argv[6]);
    int seen = 0;
    if (!org)
        org = "";
    if (!vis || !vis->reads)
        seen = 0;
    else if (vis->reads(vis->who, owner, org, tlp ? tlp : "",
                        version == pubv))
        seen = version;
    else if (pubv > 0 && vis->reads(vis->who, owner, org,
                                    pub_tlp ? pub_tlp : "", 1))
        seen = pubv;
    sqlite3_result_int(cx, seen);
}

int sq__register_functions(struct sq_store *s, osafe_err *e)
{
    if (sqlite3_create_function(s->db, "osafe_seen", 7,
                                SQLITE_UTF8 | SQLITE_DIRECTONLY, NULL,
                                fn_seen, NULL, NULL) != SQLITE_OK ||
        sq__register_fold(s->db) != SQLITE_OK)
        return osafe_errf(e, OSAFE_EIO, "database: %s",
                          sqlite3_errmsg(s->db));
    return 0;
}

void store_page_release(store_page *p)
{
    free(p->ids);
    free(p->versions);
    memset(p, 0, sizeof *p);
}

/* Collect (id, version) rows into a page; one extra row tells whether a
 * next page exists. */
static int collect(struct sq_store *s, sqlite3_stmt *st, int limit,
                   store_page *out, osafe_err *e)
{
    memset(out, 0, sizeof *out);
    /* -1: not counted (search); a listing with no row has total 0 */
    out->total = sqlite3_column_count(st) > 2 ? 0 : -1;
    out->ids = malloc((size_t)limit * sizeof *out->ids);
    out->versions = malloc((size_t)limit * sizeof *out->versions);
    if (!out->ids || !out->versions) {
        sq__release(s, st);
        store_page_release(out);
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    }
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (out->n == (size_t)limit) {
            snprintf(out->next_cursor, sizeof out->next_cursor, "%s",
                     out->ids[out->n - 1]);
            break;
        }
        sq__text(out->ids[out->n], sizeof out->ids[0], st, 0);
        out->versions[out->n] = sqlite3_column_int(st, 1);
        if (sqlite3_column_count(st) > 2)
            out->total = sqlite3_column_int64(st, 2);
        out->n++;
    }
    sq__release(s, st);
    if (r != SQLITE_ROW && r != SQLITE_DONE) {
        store_page_release(out);
        return osafe_errf(e, OSAFE_EIO, "database: query: %s",
                          sqlite3_errmsg(s->db));
    }
    return 0;
}

static void bind_opt(sqlite3_stmt *st, int i, const char *v)
{
    if (v && *v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

/* The filters compare without regard to case (issue 16 item 8: country=ke,
 * model=afyabot): codes and names with NOCASE, which folds ASCII only, so
 * a model name in another script must be typed as stored.  The window
 * count gives the total of every page in the same pass; the cursor is
 * applied outside it so that it does not shrink the total. */
#define LIST_SQL(ORDER)                                                       \
    "WITH " VISIBLE_SQL ", hit AS ("                                          \
    "SELECT vis.id AS id, vis.v AS v, count(*) OVER () AS total, "            \
    "  x.created AS created, "                                                \
    "  json_extract(x.body, '$.occurred_start.date') AS occurred, "           \
    "  json_extract(x.body, '$.title.text') AS title, "                       \
    "  CASE json_extract(x.body, '$.severity.level') WHEN 'disaster' THEN 5 " \
    "  WHEN 'serious_incident' THEN 4 WHEN 'incident' THEN 3 "                \
    "  WHEN 'serious_hazard' THEN 2 WHEN 'hazard' THEN 1 ELSE 0 END AS sev "  \
    "FROM vis JOIN versions x ON "                                            \
    "  x.record_id = vis.id AND x.version = vis.v "                           \
    "WHERE vis.v > 0 "                                                        \
    "AND (?6 IS NULL OR vis.state = ?6 COLLATE NOCASE) "                      \
    "AND (?7 IS NULL OR x.tlp = ?7 COLLATE NOCASE) "                          \
    "AND (?8 IS NULL OR EXISTS (SELECT 1 FROM json_each(x.body, "             \
    "  '$.hazards') WHERE value = ?8 COLLATE NOCASE)) "                       \
    "AND (?9 IS NULL OR json_extract(x.body, '$.severity.level') = ?9 "       \
    "  COLLATE NOCASE) "                                                      \
    "AND (?10 IS NULL OR EXISTS (SELECT 1 FROM json_each(x.body, "            \
    "  '$.countries_occurred') WHERE value = ?10 COLLATE NOCASE)) "           \
    "AND (?11 IS NULL OR EXISTS (SELECT 1 FROM json_each(x.body, "            \
    "  '$.ai_systems') WHERE json_extract(value, '$.name') = ?11 "            \
    "  COLLATE NOCASE)) "                                                     \
    "AND (?12 IS NULL OR json_extract(x.body, '$.lang') = ?12 COLLATE NOCASE " \
    "  OR EXISTS (SELECT 1 FROM json_each(x.body, '$.description') WHERE "    \
    "  json_extract(value, '$.lang') = ?12 COLLATE NOCASE)) "                 \
    "AND (?13 IS NULL OR json_extract(x.body, '$.occurred_start.date') "      \
    "  >= ?13) "                                                              \
    "AND (?14 IS NULL OR substr(json_extract(x.body, "                        \
    "  '$.occurred_start.date'), 1, length(?14)) <= ?14)) "                   \
    "SELECT id, v, total FROM hit WHERE id > ?5 ORDER BY " ORDER              \
    " LIMIT ?15 OFFSET ?16"

int sq__list(osafe_store *base, const store_visibility *vis,
            const store_filter *f, store_page *out, osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    int sk = store__sort_index(f, e);
    if (sk < 0)
        return sk;
    size_t k = (size_t)sk;
    /* One statement per order, spelled out, so that no text is spliced;
     * every order ends on the record id so that pages neither overlap nor
     * skip a row.  The severity rank follows the OECD scale, unknown last. */
    static const char *const sql[] = {
        LIST_SQL("id"),
        LIST_SQL("created DESC, id DESC"),
        LIST_SQL("created, id"),
        LIST_SQL("occurred IS NULL, occurred DESC, id DESC"),
        LIST_SQL("sev DESC, id DESC"),
        LIST_SQL("title COLLATE NOCASE, id"),
    };
    _Static_assert(sizeof sql / sizeof sql[0] == 6,
                   "one statement per sort (store_common.c)");
    sqlite3_stmt *st;
    int rc = sq__prepare(s, &st, sql[k], e);
    if (rc)
        return rc;
    bind_vis(st, vis);
    /* a cursor continues the id order only */
    sqlite3_bind_text(st, 5, k == 0 && f->cursor ? f->cursor : "", -1,
                      SQLITE_TRANSIENT);
    bind_opt(st, 6, f->state);
    bind_opt(st, 7, f->tlp);
    bind_opt(st, 8, f->hazard);
    bind_opt(st, 9, f->severity);
    bind_opt(st, 10, f->country);
    bind_opt(st, 11, f->model);
    bind_opt(st, 12, f->language);
    bind_opt(st, 13, f->since);
    bind_opt(st, 14, f->until);
    sqlite3_bind_int(st, 15, f->limit + 1);
    sqlite3_bind_int(st, 16, f->offset);
    rc = collect(s, st, f->limit, out, e);
    if (!rc && k != 0)
        out->next_cursor[0] = '\0'; /* other orders page by number */
    return rc;
}

/* A quoted FTS5 phrase (quotes doubled): no query syntax gets through. */
static void put_phrase(osafe_buf *out, const char *w, size_t n)
{
    OSAFE_IGNORE(buf_putc(out, '"'));
    for (size_t i = 0; i < n; i++) {
        if (w[i] == '"')
            OSAFE_IGNORE(buf_putc(out, '"'));
        OSAFE_IGNORE(buf_putc(out, w[i]));
    }
    OSAFE_IGNORE(buf_putc(out, '"'));
}

/* Turn the user's words into an FTS5 query of quoted phrases (so no FTS
 * syntax can be injected): every word must match; for the word index
 * (no like), a plural also matches its stem.  With min_chars, words
 * shorter than that (in code points) are left out and counted in *short. */
static int fts_query(const char *q, size_t min_chars, osafe_buf *out,
                     int *nshort, osafe_buf *like)
{
    const char *p = q, *w;
    size_t wn, chars;
    *nshort = 0;
    while ((w = store__word(&p, &wn, &chars))) {
        if (chars < min_chars) {
            (*nshort)++;
            if (like) {
                /* A LIKE pattern per short word, joined by a 0x1F byte the
                 * caller splits on; % and _ are escaped. */
                if (like->len)
                    OSAFE_IGNORE(buf_putc(like, '\x1f'));
                OSAFE_IGNORE(buf_putc(like, '%'));
                for (const char *c = w; c < p; c++) {
                    if (*c == '%' || *c == '_' || *c == '\\')
                        OSAFE_IGNORE(buf_putc(like, '\\'));
                    OSAFE_IGNORE(buf_putc(like, *c));
                }
                OSAFE_IGNORE(buf_putc(like, '%'));
            }
            continue;
        }
        /* FTS5 needs AND spelled out before a parenthesised group */
        if (out->len)
            OSAFE_IGNORE(buf_puts(out, " AND "));
        size_t stem = like ? 0 : store__plural_stem(w, (size_t)(p - w), chars);
        if (stem)
            OSAFE_IGNORE(buf_putc(out, '('));
        put_phrase(out, w, (size_t)(p - w));
        if (stem) {
            /* "chatbots" OR any word starting "chatbot" */
            OSAFE_IGNORE(buf_puts(out, " OR "));
            put_phrase(out, w, stem);
            OSAFE_IGNORE(buf_puts(out, "*)"));
        }
    }
    /* the appends above are sticky (core/buf.h): one check for them all */
    if (buf_status(out) != 0)
        return buf_status(out);
    return like ? buf_status(like) : 0;
}

int sq__search(osafe_store *base, const store_visibility *vis,
              const char *query, int limit, store_page *out, osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    osafe_buf words = OSAFE_BUF_INIT, tri = OSAFE_BUF_INIT,
              like = OSAFE_BUF_INIT;
    int nshort_w, nshort_t;
    if (!utf8_valid(query, strlen(query)))
        return osafe_errf(e, OSAFE_EINVAL, "query is not valid UTF-8");
    osafe_buf folded = OSAFE_BUF_INIT; /* as the indexes were (store_fold.c) */
    int frc = store__fold(query, &folded);
    const char *fq = folded.data ? folded.data : "";
    if (frc || fts_query(fq, 1, &words, &nshort_w, NULL) ||
        fts_query(fq, 3, &tri, &nshort_t, &like)) {
        buf_release(&folded);
        buf_release(&words);
        buf_release(&tri);
        buf_release(&like);
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    }
    buf_release(&folded);
    if (words.len == 0) {
        buf_release(&words);
        buf_release(&tri);
        buf_release(&like);
        return osafe_errf(e, OSAFE_EINVAL, "empty query");
    }
    /* Trigram candidates need every word: long ones through MATCH, short
     * ones (two-character Chinese words, say) through LIKE on the same
     * table. Up to OSAFE_SEARCH_MAX_SHORT short words are honoured. */
    char *pat[OSAFE_SEARCH_MAX_SHORT] = {0};
    int npat = 0;
    for (char *p = like.data; p && npat < OSAFE_SEARCH_MAX_SHORT;) {
        pat[npat++] = p;
        char *sep = strchr(p, '\x1f');
        if (sep)
            *sep++ = '\0';
        p = sep;
    }
    char sql[2048];
    int at = snprintf(
        sql, sizeof sql,
        "WITH " VISIBLE_SQL ", m AS ("
        "  SELECT record_id, published FROM fts_words WHERE fts_words "
        "  MATCH ?5 "
        "  UNION SELECT record_id, published FROM fts_tri WHERE %s",
        tri.len ? "fts_tri MATCH ?6" : "?6 IS NULL");
    for (int i = 0; i < npat; i++)
        at += snprintf(sql + at, sizeof sql - (size_t)at,
                       " AND text LIKE ?%d ESCAPE '\\'", 8 + i);
    snprintf(sql + at, sizeof sql - (size_t)at,
             ") SELECT DISTINCT vis.id, vis.v FROM vis JOIN m ON "
             "m.record_id = vis.id WHERE vis.v > 0 AND "
             "((vis.w AND m.published = 0) OR (NOT vis.w AND m.published = "
             "1) OR (vis.w AND m.published = 1 AND NOT EXISTS (SELECT 1 "
             "FROM fts_keys z WHERE z.record_id = m.record_id AND "
             "z.published = 0))) ORDER BY vis.id LIMIT ?7");
    sqlite3_stmt *st;
    int rc = sq__prepare(s, &st, sql, e);
    if (!rc) {
        bind_vis(st, vis);
        sqlite3_bind_text(st, 5, words.data, -1, SQLITE_TRANSIENT);
        if (tri.len)
            sqlite3_bind_text(st, 6, tri.data, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 7, limit + 1);
        for (int i = 0; i < npat; i++)
            sqlite3_bind_text(st, 8 + i, pat[i], -1, SQLITE_TRANSIENT);
        rc = collect(s, st, limit, out, e);
    }
    out->next_cursor[0] = '\0'; /* search returns one ranked page */
    buf_release(&words);
    buf_release(&tri);
    buf_release(&like);
    return rc;
}

void store_eval_page_release(store_eval_page *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->rows[i].body);
    free(p->rows);
    memset(p, 0, sizeof *p);
}

/* Newest first by insertion order (rowid): ids are minted in order within
 * a year only, and log indexes are -1 on a node without a log. */
int sq__evaluation_list(osafe_store *base, int limit, const char *cursor,
                       store_eval_page *out, osafe_err *e)
{
    struct sq_store *s = (struct sq_store *)base;
    memset(out, 0, sizeof *out);
    if (limit <= 0)
        return osafe_errf(e, OSAFE_EINVAL, "limit must be positive");
    sqlite3_stmt *st;
    int rc = sq__prepare(
        s, &st,
        "SELECT id, created, log_index, body FROM evaluations "
        "WHERE withdrawn IS NULL AND (?1 IS NULL OR rowid < coalesce("
        "(SELECT rowid FROM evaluations WHERE id = ?1), -1)) "
        "ORDER BY rowid DESC LIMIT ?2",
        e);
    if (rc)
        return rc;
    bind_opt(st, 1, cursor);
    sqlite3_bind_int(st, 2, limit + 1);
    out->rows = calloc((size_t)limit, sizeof *out->rows);
    if (!out->rows) {
        sq__release(s, st);
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    }
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (out->n == (size_t)limit) {
            snprintf(out->next_cursor, sizeof out->next_cursor, "%s",
                     out->rows[out->n - 1].id);
            break;
        }
        store_eval_row *w = &out->rows[out->n];
        sq__text(w->id, sizeof w->id, st, 0);
        sq__text(w->created, sizeof w->created, st, 1);
        w->log_index = sqlite3_column_type(st, 2) == SQLITE_NULL
                           ? -1
                           : sqlite3_column_int64(st, 2);
        w->body_len = (size_t)sqlite3_column_bytes(st, 3);
        const unsigned char *t = sqlite3_column_text(st, 3);
        if (!(w->body = malloc(w->body_len + 1))) {
            r = SQLITE_NOMEM;
            break;
        }
        memcpy(w->body, t ? (const char *)t : "", w->body_len);
        w->body[w->body_len] = 0;
        out->n++;
    }
    sq__release(s, st);
    if (r == SQLITE_NOMEM) {
        store_eval_page_release(out);
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    }
    if (r != SQLITE_ROW && r != SQLITE_DONE) {
        store_eval_page_release(out);
        return osafe_errf(e, OSAFE_EIO, "database: query: %s",
                          sqlite3_errmsg(s->db));
    }
    return 0;
}
