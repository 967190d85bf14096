/*
 * mirrored_search.c - records mirrored from peers in search and exports,
 * when asked (GET /api/v1/search?include=mirrored, /incidents?q=...&
 * include=mirrored, `osafe export --include-mirrored`).  They are never
 * mixed with ours: search answers them in their own array, each with its
 * origin; exports give each its origin (origin.node_url, the origin's log
 * and index, a reference to the origin's page).
 *
 * Mirrored records have no search index of their own (they are the
 * origin's, indexed there): a search reads them page by page and matches
 * every word of the query, case-folded, in the same text our index holds
 * (reg__search_text).  That is linear in the records mirrored; fine for
 * the thousands a node mirrors today (docs/FEDERATION.md).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "core/canon.h"
#include "core/limits.h"
#include "registry/reg_internal.h"

/* Case-folded, NFKC text of s (malloc'd), or NULL. */
static char *fold(const char *s)
{
    utf8proc_uint8_t *out = NULL;
    utf8proc_ssize_t n = utf8proc_map(
        (const utf8proc_uint8_t *)s, 0, &out,
        UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPOSE |
            UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK);
    if (n < 0) {
        free(out);
        return NULL;
    }
    return (char *)out;
}

/* 1 if every whitespace-separated word of fq (folded) is in text. */
static int matches(const char *fq, const char *text)
{
    const char *p = fq;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        if (!*p)
            return 1;
        size_t n = strcspn(p, " \t\r\n");
        char word[OSAFE_SEARCH_WORD_MAX + 1];
        if (n > OSAFE_SEARCH_WORD_MAX)
            n = OSAFE_SEARCH_WORD_MAX;
        memcpy(word, p, n);
        word[n] = '\0';
        if (!strstr(text, word))
            return 0;
        p += strcspn(p, " \t\r\n");
    }
}

/* Does mirrored record m's text hold every word of fq? */
static int mirror_matches(const store_mirror *m, const char *fq)
{
    json_error_t je;
    json_t *rec = json_loadb(m->body, m->body_len, 0, &je);
    osafe_buf text = OSAFE_BUF_INIT;
    int ok = rec && reg__search_text(rec, &text) == 0 && text.data;
    char *ft = ok ? fold(text.data) : NULL;
    ok = ft && matches(fq, ft);
    free(ft);
    buf_release(&text);
    json_decref(rec);
    return ok;
}

/* Call fn(ctx, m) for every mirrored record of one origin that c may read
 * (c NULL: every one), a store page at a time; fn returns 0 to go on, 1 to
 * stop, or an error.  *stopped is set when fn stopped the walk. */
static int walk_origin(registry *r, const reg_caller *c, const char *origin,
                       int (*fn)(void *ctx, const store_mirror *m),
                       void *ctx, int *stopped, osafe_err *e)
{
    char after[32] = "";
    for (;;) {
        store_mirror *m;
        size_t n;
        osafe_store *s = reg__store_get(r);
        int rc = s->ops->mirror_list(s, origin, after, OSAFE_PAGE_MAX, &m, &n,
                                     e);
        reg__store_put(r, s);
        if (rc)
            return rc;
        for (size_t i = 0; !rc && i < n; i++)
            if (!c || reg__mirror_visible(c, &m[i]))
                rc = fn(ctx, &m[i]);
        if (n)
            snprintf(after, sizeof after, "%s", m[n - 1].origin_id);
        store_mirror_list_release(m, n);
        if (rc > 0)
            *stopped = 1;
        if (rc)
            return rc > 0 ? 0 : rc;
        if (n < OSAFE_PAGE_MAX)
            return 0;
    }
}

/* walk_origin over origin, or (NULL) over the origin of every peer held,
 * each once. */
static int mirror_walk(registry *r, const reg_caller *c, const char *origin,
                       int (*fn)(void *ctx, const store_mirror *m),
                       void *ctx, osafe_err *e)
{
    int stopped = 0;
    if (origin)
        return walk_origin(r, c, origin, fn, ctx, &stopped, e);
    store_peer *peers = NULL;
    size_t n = 0;
    osafe_store *s = reg__store_get(r);
    int rc = s->ops->peer_list(s, &peers, &n, e);
    reg__store_put(r, s);
    for (size_t i = 0; !rc && !stopped && i < n; i++) {
        int dup = 0;
        for (size_t j = 0; !dup && j < i; j++)
            dup = !strcmp(peers[j].origin, peers[i].origin);
        if (!dup)
            rc = walk_origin(r, c, peers[i].origin, fn, ctx, &stopped, e);
    }
    for (size_t i = 0; i < n; i++)
        store_peer_release(&peers[i]);
    free(peers);
    return rc;
}

struct found {
    const char *fq; /* the folded query */
    size_t limit;
    json_t *arr;
};

static int on_found(void *ctx, const store_mirror *m)
{
    struct found *f = ctx;
    if (!mirror_matches(m, f->fq))
        return 0;
    json_t *it = reg__mirror_item(m);
    if (!it || json_array_append_new(f->arr, it))
        return OSAFE_ENOMEM;
    return json_array_size(f->arr) >= f->limit;
}

int reg_mirror_search(registry *r, const reg_caller *c, const char *q,
                      const char *origin, int limit, json_t **out,
                      osafe_err *e)
{
    *out = NULL;
    char *fq = fold(q);
    if (!fq)
        return osafe_errf(e, OSAFE_EINVAL, "query is not valid UTF-8");
    struct found f = {fq, (size_t)limit, json_array()};
    int rc = f.arr ? mirror_walk(r, c, origin, on_found, &f, e) : OSAFE_ENOMEM;
    free(fq);
    if (rc == OSAFE_ENOMEM)
        rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    if (rc) {
        json_decref(f.arr);
        return rc;
    }
    *out = f.arr;
    return 0;
}

/* ---- exports ------------------------------------------------------------ */

struct exp {
    const char *level; /* "CLEAR" or "GREEN" */
    int (*fn)(void *ctx, const reg_exported *x);
    void *ctx;
    osafe_err *e;
};

/* The record as exported: its bytes with the origin made explicit (the
 * origin's node, log and index) and a reference to it at the origin. */
static int annotate(const store_mirror *m, osafe_buf *out, osafe_err *e)
{
    json_error_t je;
    json_t *rec = json_loadb(m->body, m->body_len, 0, &je);
    if (!rec)
        return osafe_errf(e, OSAFE_ECORRUPT, "mirrored record %s of %s: %s",
                          m->origin_id, m->origin, je.text);
    json_t *o = json_object_get(rec, "origin");
    if (!json_is_object(o)) {
        o = json_object();
        json_object_set_new(rec, "origin", o);
    }
    char url[640];
    snprintf(url, sizeof url, "%s/records/%s", m->peer_url, m->origin_id);
    json_t *refs = json_object_get(rec, "references");
    if (!json_is_array(refs)) {
        refs = json_array();
        json_object_set_new(rec, "references", refs);
    }
    int bad = !o || !refs ||
              json_object_set_new(o, "node_url", json_string(m->peer_url)) ||
              json_object_set_new(o, "log", json_string(m->origin)) ||
              json_object_set_new(o, "log_index",
                                  json_integer(m->origin_log_index)) ||
              json_object_set_new(o, "mirrored", json_true()) ||
              json_array_insert_new(refs, 0,
                                    json_pack("{s:s, s:s}", "url", url,
                                              "type", "WEB"));
    int rc = bad ? osafe_errf(e, OSAFE_ENOMEM, "out of memory")
                 : canon_value(rec, out, e);
    json_decref(rec);
    return rc;
}

static int on_export(void *ctx, const store_mirror *m)
{
    struct exp *x = ctx;
    const char *tlp = m->tlp[0] ? m->tlp : "CLEAR";
    /* CLEAR always; GREEN only in a GREEN export; AMBER never */
    if (strcmp(tlp, "CLEAR") &&
        (strcmp(tlp, "GREEN") || strcmp(x->level, "GREEN")))
        return 0;
    osafe_buf b = OSAFE_BUF_INIT;
    int rc = annotate(m, &b, x->e);
    if (!rc) {
        reg_exported ex = {m->origin_id,
                           b.data,
                           b.len,
                           m->withdrawn[0] ? "withdrawn" : "published",
                           m->withdrawn[0] ? m->withdrawn : m->created,
                           "",
                           m->origin};
        rc = x->fn(x->ctx, &ex);
    }
    buf_release(&b);
    return rc;
}

int reg_export_mirrored_each(registry *r, const char *level,
                             const char *origin,
                             int (*fn)(void *ctx, const reg_exported *x),
                             void *ctx, osafe_err *e)
{
    if (strcmp(level, "CLEAR") && strcmp(level, "GREEN"))
        return osafe_err_field(e, OSAFE_EINVAL, "tlp",
                               "only CLEAR and GREEN records are exported");
    struct exp x = {level, fn, ctx, e};
    return mirror_walk(r, NULL, origin, on_export, &x, e);
}
