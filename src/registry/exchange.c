/*
 * exchange.c - format dispatch and the import plumbing every mapping
 * shares: items, JSON (Lines) iteration.  The value, draft and export
 * helpers are in exchange_util.c.
 */
#include "registry/exchange.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/limits.h"
#include "core/utf8.h"
#include "registry/validate.h"

static const char *const format_names[] = {"avid", "osv",  "atlas",
                                           "csv",  "stix", "json"};

int exch_format_parse(const char *name, exch_format *f)
{
    for (size_t i = 0; i < sizeof format_names / sizeof *format_names; i++)
        if (name && !strcmp(name, format_names[i])) {
            *f = (exch_format)i;
            return 0;
        }
    return OSAFE_EINVAL;
}

const char *exch_format_name(exch_format f)
{
    return (unsigned)f < sizeof format_names / sizeof *format_names
               ? format_names[f]
               : "?";
}

int exch_import(exch_format f, const char *text, size_t len,
                const char *license_hint, exch_item_fn fn, void *ctx,
                osafe_err *e)
{
    if (len > OSAFE_EXCH_MAX_BYTES)
        return osafe_errf(e, OSAFE_ETOOBIG,
                          "%s import: %zu bytes, more than the %u byte limit",
                          exch_format_name(f), len,
                          (unsigned)OSAFE_EXCH_MAX_BYTES);
    if (license_hint && !*license_hint)
        license_hint = NULL;
    if (license_hint && (strlen(license_hint) > 128 ||
                         !utf8_valid(license_hint, strlen(license_hint))))
        return osafe_errf(e, OSAFE_EINVAL,
                          "%s import: the licence hint is "
                          "not an SPDX id",
                          exch_format_name(f));
    switch (f) {
    case EXCH_AVID:
        return exch__import_avid(text, len, license_hint, fn, ctx, e);
    case EXCH_OSV:
        return exch__import_osv(text, len, license_hint, fn, ctx, e);
    case EXCH_ATLAS:
        return exch__import_atlas(text, len, license_hint, fn, ctx, e);
    case EXCH_CSV:
        return exch__import_csv(text, len, license_hint, fn, ctx, e);
    case EXCH_JSON:
        return exch__import_json(text, len, license_hint, fn, ctx, e);
    case EXCH_STIX:
        return osafe_errf(e, OSAFE_EINVAL,
                          "stix: import is not supported (export only)");
    }
    return osafe_errf(e, OSAFE_EINVAL, "unknown exchange format %d", (int)f);
}

/* ---- items -------------------------------------------------------------- */

void exch__reject(exch_item *it, const char *fmt, ...)
{
    json_decref(it->record);
    it->record = NULL;
    snprintf(it->status, sizeof it->status, "rejected");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(it->reason, sizeof it->reason, fmt, ap);
    va_end(ap);
}

void exch__key(exch_item *it, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(it->source_key, sizeof it->source_key, fmt, ap);
    va_end(ap);
}

void exch__validate(exch_item *it)
{
    osafe_err ve;
    if (it->record && rec_validate(it->record, 0, 1, &ve)) {
        /* What the registry would refuse is refused here, by field. */
        char why[sizeof it->reason];
        snprintf(why, sizeof why, "%.250s", ve.msg);
        exch__reject(it, "%s", why);
    }
}

int exch__emit(exch_item *it, size_t *count, exch_item_fn fn, void *ctx,
               osafe_err *e)
{
    if (++*count > OSAFE_EXCH_MAX_RECORDS) {
        json_decref(it->record);
        it->record = NULL;
        return osafe_errf(e, OSAFE_ETOOBIG,
                          "import: more than %u records in one file",
                          (unsigned)OSAFE_EXCH_MAX_RECORDS);
    }
    exch__validate(it);
    if (it->record)
        snprintf(it->status, sizeof it->status, "ok");
    else if (!it->status[0])
        snprintf(it->status, sizeof it->status, "rejected");
    int rc = fn(ctx, it);
    json_decref(it->record);
    it->record = NULL;
    if (rc < 0)
        return osafe_errf(e, rc, "import stopped at %s: %s", it->source_key,
                          osafe_strerror(rc));
    return 0;
}

/* ---- JSON values of a file ---------------------------------------------- */

static int blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return 0;
    return 1;
}

/* Hand v (entered one level when it is an array and unwrap) to each. */
static int json_emit(json_t *v, int unwrap, exch__json_fn each, void *ctx,
                     size_t *index)
{
    int rc = 0;
    if (unwrap && json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach (v, i, x) {
            if ((rc = each(x, (*index)++, NULL, ctx)) < 0)
                break;
        }
    } else {
        rc = each(v, (*index)++, NULL, ctx);
    }
    json_decref(v);
    return rc;
}

/* JSON Lines: every line its own value; a line that is not JSON is handed
 * to each as an error (the record is rejected, the file goes on). */
static int json_lines(const char *p, const char *end, int unwrap,
                      exch__json_fn each, void *ctx)
{
    size_t line = 1, index = 0;
    while (p < end) {
        const char *q = memchr(p, '\n', (size_t)(end - p));
        size_t n = q ? (size_t)(q - p) : (size_t)(end - p);
        int rc = 0;
        if (!blank(p, n)) {
            json_error_t je;
            json_t *v = json_loadb(p, n, JSON_REJECT_DUPLICATES, &je);
            if (v) {
                rc = json_emit(v, unwrap, each, ctx, &index);
            } else {
                char msg[200];
                snprintf(msg, sizeof msg, "line %zu, column %d: not JSON: %s",
                         line, je.column, je.text);
                rc = each(NULL, index++, msg, ctx);
            }
        }
        if (rc < 0)
            return rc;
        line++;
        p = q ? q + 1 : end;
    }
    return 0;
}

int exch__json_each(const char *what, const char *text, size_t len,
                    int unwrap_arrays, exch__json_fn each, void *ctx,
                    osafe_err *e)
{
    size_t off = 0, line = 1, col = 1, index = 0;
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
        off = 3;
    /* JSON Lines when the first non-blank line is a whole value by itself
     * and more text follows; otherwise one document or values one after
     * another, where a syntax error fails the whole file. */
    size_t first = off;
    while (first < len && blank(text + first, 1))
        first++;
    const char *nl = memchr(text + first, '\n', len - first);
    if (first < len && nl && !blank(nl + 1, (size_t)(text + len - (nl + 1)))) {
        json_t *probe = json_loadb(text + first, (size_t)(nl - (text + first)),
                                   JSON_REJECT_DUPLICATES, NULL);
        if (probe) {
            json_decref(probe);
            return json_lines(text + off, text + len, unwrap_arrays, each, ctx);
        }
    }
    for (;;) {
        while (off < len && blank(text + off, 1)) {
            if (text[off] == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
            off++;
        }
        if (off >= len)
            break;
        json_error_t je;
        json_t *v =
            json_loadb(text + off, len - off,
                       JSON_DISABLE_EOF_CHECK | JSON_REJECT_DUPLICATES, &je);
        if (!v) {
            size_t l = line, c = col;
            if (je.line >= 1) {
                l = line + (size_t)je.line - 1;
                c = je.line == 1
                        ? col + (size_t)(je.column > 0 ? je.column - 1 : 0)
                        : (size_t)(je.column > 0 ? je.column : 1);
            }
            return osafe_errf(e, OSAFE_EINVAL, "%s: line %zu, column %zu: %s",
                              what, l, c, je.text);
        }
        size_t used = (size_t)je.position;
        if (used == 0 || used > len - off)
            used = len - off;
        for (size_t i = 0; i < used; i++) {
            if (text[off + i] == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        off += used;
        int rc = json_emit(v, unwrap_arrays, each, ctx, &index);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* ---- one item per JSON value (AVID, OSV, native) ------------------------ */

typedef struct map_ctx {
    const char *fmt, *hint;
    exch__map_fn map;
    exch_item_fn fn;
    void *ctx;
    osafe_err *e;
    size_t count;
} map_ctx;

static int map_each(json_t *v, size_t index, const char *error, void *p)
{
    map_ctx *c = p;
    exch_item it;
    memset(&it, 0, sizeof it);
    exch__key(&it, "%s:#%zu", c->fmt, index + 1);
    if (!v)
        exch__reject(&it, "%s", error);
    else if (c->map(&it, v, c->hint) < 0)
        return osafe_errf(c->e, OSAFE_ENOMEM, "%s: out of memory at %s",
                          c->fmt, it.source_key);
    return exch__emit(&it, &c->count, c->fn, c->ctx, c->e);
}

int exch__map_values(const char *fmt, const char *text, size_t len,
                     exch__map_fn map, const char *hint, exch_item_fn fn,
                     void *ctx, osafe_err *e)
{
    map_ctx c = {fmt, hint, map, fn, ctx, e, 0};
    return exch__json_each(fmt, text, len, 1, map_each, &c, e);
}
