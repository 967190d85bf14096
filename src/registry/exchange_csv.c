/*
 * exchange_csv.c - our CSV columns <-> native records.
 *
 * One row per record, RFC 4180 (core/csv), header row first; on import the
 * columns may come in any order, unknown or repeated columns fail the file,
 * and record_type, lang, title and description must be present.
 *
 *   id                  our id (export); on import it becomes an alias
 *                       (the registry mints its own id)
 *   record_type         incident | hazard | vulnerability | finding
 *   lang                BCP 47 of title and description
 *   title, description  title.text and the description in lang (else the
 *                       first); imported with method "human"
 *   ai_relation         enum; empty -> "unclear"
 *   occurred_start      YYYY, YYYY-MM or YYYY-MM-DD; empty or "unknown" ->
 *                       precision "unknown"
 *   countries_occurred  list of ISO 3166-1 alpha-2; empty -> ZZ
 *   severity            OECD level; empty -> "incident" for incidents,
 *                       else "hazard"
 *   harm_types, hazards lists of codes
 *   ai_systems          list of kind:name[@version] ("model:chat-7b@1.0");
 *                       without a known kind prefix the kind is "system"
 *   references          list of "TYPE url" or "url" (type WEB)
 *   aliases             list
 *   tlp                 empty -> CLEAR
 *   license             SPDX; empty -> the licence hint, else rejected
 *   state, withdrawn    export only: the record's state (published,
 *                       withdrawn, merged) and when it was withdrawn or
 *                       merged; ignored on import (the registry mints
 *                       states), kept in raw
 *   use_mode            enum, may be empty
 *   occurred_end, detected  dates as occurred_start, may be empty
 *   lifecycle_stages    list of codes
 *   descriptions, entities, credits, classifications, scores, metrics,
 *   related             JSON arrays, the record's own members verbatim
 *                       (descriptions: all of them, written only when
 *                       the description column cannot say it all: a
 *                       translation, or a method other than "human")
 * Lists are separated by ';' with '\' escaping ';', '\', a space at either
 * end of an item and (in ai_systems) '@'; unescaped spaces around items
 * are dropped.  ai_systems and references are written as JSON arrays
 * instead when an item holds more than the short form carries (digests,
 * identifiers, a reference's language or title...); a cell starting with
 * '[' is read as JSON.  Cells are un-guarded (csv_unguard) before use, so
 * guarded exports re-import exactly.  Not carried: field_markings,
 * extensions, submitter (personal, never exported), and the rarer members
 * (harm_quantities, affected stakeholders, actions...).  source_key is
 * "csv:" + SHA-256 of the row's cells (each length-prefixed), so the same
 * row always has the same key.  extensions.csv.raw = the row as
 * {column: cell}.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/enc.h"
#include "core/limits.h"
#include "registry/exchange.h"
#include "registry/exchange_csv_int.h"
#include "registry/validate.h"


const char *const exch__csv_cols[C_N] = {
    "id",          "record_type",      "lang",
    "title",       "description",      "ai_relation",
    "occurred_start", "countries_occurred", "severity",
    "harm_types",  "hazards",          "ai_systems",
    "references",  "aliases",          "tlp",
    "license",     "state",            "withdrawn",
    "use_mode",    "occurred_end",     "detected",
    "lifecycle_stages", "descriptions", "entities",
    "credits",     "classifications",  "scores",
    "metrics",     "related"};

/* Columns holding a record member as a JSON array, verbatim. */
const int exch__csv_json_cols[] = {C_ENT,    C_CRED,    C_CLASS,
                                C_SCORES, C_METRICS, C_RELATED};
const size_t exch__csv_n_json_cols =
    sizeof exch__csv_json_cols / sizeof *exch__csv_json_cols;

/* The ';'-separated list columns and the record members they hold (export
 * and import). */
const struct exch__csv_list_col exch__csv_list_cols[] = {
    {C_CTRY, "countries_occurred"},
    {C_HARM, "harm_types"},
    {C_HAZ, "hazards"},
    {C_ALIAS, "aliases"},
    {C_LIFE, "lifecycle_stages"}};
const size_t exch__csv_n_list_cols =
    sizeof exch__csv_list_cols / sizeof *exch__csv_list_cols;

static const char *const kinds[] = {"system", "model", "dataset", "agent",
                                    "component"};

static int in_set(const char *s, const char *const *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(s, set[i]))
            return 1;
    return 0;
}

#define IN(s, arr) in_set((s), (arr), sizeof(arr) / sizeof *(arr))

static const char *const rtypes[] = {"incident", "hazard", "vulnerability",
                                     "finding"};
static const char *const relations[] = {
    "caused",  "contributed", "failed_to_prevent",
    "misused", "targeted",    "unclear"};

/* ---- list cells --------------------------------------------------------- */

/* Split on unescaped ';' into raw (still escaped) trimmed items. */
static json_t *split_raw(const char *cell)
{
    json_t *out = json_array();
    const char *p = cell;
    while (out && *p) {
        const char *s = p;
        while (*p && *p != ';') {
            if (*p == '\\' && p[1])
                p++;
            p++;
        }
        const char *e = p;
        while (s < e && (*s == ' ' || *s == '\t'))
            s++;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t') &&
               !(e - 1 > s && e[-2] == '\\'))
            e--;
        if (e > s)
            json_array_append_new(out, json_stringn(s, (size_t)(e - s)));
        if (*p == ';')
            p++;
    }
    return out;
}

/* Remove escapes; *last_at = index of the last unescaped '@' or -1. */
static char *unescape(const char *s, long *last_at)
{
    char *out = malloc(strlen(s) + 1);
    size_t k = 0;
    *last_at = -1;
    if (!out)
        return NULL;
    for (; *s; s++) {
        if (*s == '\\' && s[1]) {
            out[k++] = *++s;
            continue;
        }
        if (*s == '@' && k > 0)
            *last_at = (long)k;
        out[k++] = *s;
    }
    out[k] = '\0';
    return out;
}

int exch__csv_token_ok(const char *s, int upper)
{
    if (!*s)
        return 0;
    for (; *s; s++) {
        char c = *s;
        int ok = upper ? ((c >= 'A' && c <= 'Z') || c == '_')
                       : ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                          c == '_' || c == '.' || c == ':' || c == '-');
        if (!ok)
            return 0;
    }
    return 1;
}

/* ---- import ------------------------------------------------------------- */

static void row_key(exch_item *it, char **f, size_t n)
{
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    for (size_t i = 0; i < n; i++) {
        uint8_t len[8];
        uint64_t l = strlen(f[i]);
        for (int b = 0; b < 8; b++)
            len[b] = (uint8_t)(l >> (56 - 8 * b));
        crypto_hash_sha256_update(&st, len, 8);
        crypto_hash_sha256_update(&st, (const uint8_t *)f[i], l);
    }
    uint8_t h[32];
    char hex[65];
    crypto_hash_sha256_final(&st, h);
    hex_encode(hex, h, 32);
    exch__key(it, "csv:%s", hex);
}

/* The import steps below return 0, 1 when the item was rejected (the
 * reason names the column), or -1 when out of memory. */
#define CELL(k) (cell[k] ? cell[k] : "")

/* A row's single-valued cells, checked. */
typedef struct csv_row {
    const char *type, *lang, *rel, *use, *sev, *tlp, *lic;
    const char *dates[3]; /* occurred_start, occurred_end, detected */
} csv_row;

static const int date_cols[3] = {C_OCC, C_OCC_END, C_DETECTED};

static int check_dates(exch_item *it, const char *const *cell, csv_row *r)
{
    for (int d = 0; d < 3; d++) {
        const char *v = CELL(date_cols[d]);
        if (!strcmp(v, "unknown"))
            v = "";
        if (*v && !exch__date_precision(v)) {
            exch__reject(it, "%s: not YYYY, YYYY-MM or YYYY-MM-DD",
                         exch__csv_cols[date_cols[d]]);
            return 1;
        }
        r->dates[d] = v;
    }
    return 0;
}

static int check_simple(exch_item *it, const char *const *cell,
                        const char *hint, csv_row *r)
{
    r->type = CELL(C_TYPE);
    r->lang = exch__lang(CELL(C_LANG));
    r->rel = *CELL(C_REL) ? CELL(C_REL) : "unclear";
    r->use = CELL(C_USE);
    r->sev = *CELL(C_SEV)                  ? CELL(C_SEV)
             : !strcmp(r->type, "incident") ? "incident"
                                            : "hazard";
    r->tlp = *CELL(C_TLP) ? CELL(C_TLP) : "CLEAR";
    r->lic = *CELL(C_LIC) ? CELL(C_LIC) : hint;
    const char *why = NULL;
    if (!IN(r->type, rtypes))
        why = "record_type: not incident, hazard, vulnerability or finding";
    else if (!r->lang)
        why = "lang: missing or not a BCP 47 tag";
    else if (!exch__nonblank(CELL(C_TITLE)))
        why = "title: empty";
    else if (!exch__nonblank(CELL(C_DESC)) && !*CELL(C_DESCS))
        why = "description: empty";
    else if (!IN(r->rel, relations))
        why = "ai_relation: not one of caused, contributed, "
              "failed_to_prevent, misused, targeted, unclear";
    else if (!rec_in_vocab(r->sev, rec_severity_levels))
        why = "severity: not an OECD level";
    else if (!rec_tlp_valid(r->tlp))
        why = "tlp: not CLEAR, GREEN, AMBER, AMBER+STRICT or RED";
    else if (!exch__nonblank(r->lic))
        why = "license: empty and no licence hint given";
    if (why) {
        exch__reject(it, "%s", why);
        return 1;
    }
    return check_dates(it, cell, r);
}

/* The ';' lists of codes and ids. */
static int add_lists(exch_item *it, json_t *rec, const char *const *cell)
{
    for (size_t l = 0; l < exch__csv_n_list_cols; l++) {
        const struct exch__csv_list_col *lc = &exch__csv_list_cols[l];
        json_t *items = split_raw(CELL(lc->col));
        size_t i;
        json_t *x;
        int rc = items ? 0 : -1;
        json_array_foreach (items, i, x) {
            long at;
            char *v = unescape(json_string_value(x), &at);
            const char *why = NULL;
            if (!v)
                rc = -1;
            else if (lc->col == C_CTRY &&
                     (strlen(v) != 2 || v[0] < 'A' || v[0] > 'Z' ||
                      v[1] < 'A' || v[1] > 'Z'))
                why = "not an ISO 3166-1 alpha-2 code";
            else if (lc->col != C_ALIAS && lc->col != C_CTRY &&
                     !exch__csv_token_ok(v, 0))
                why = "not a lower-case code";
            if (why) {
                exch__reject(it, "%s[%zu]: %s", lc->field, i, why);
                rc = 1;
            } else if (v && exch__add_unique(rec, lc->field, v)) {
                rc = -1;
            }
            free(v);
            if (rc)
                break;
        }
        json_decref(items);
        if (rc)
            return rc;
    }
    if (exch__nonblank(CELL(C_ID)) &&
        exch__add_unique(rec, "aliases", CELL(C_ID)))
        return -1;
    return 0;
}

/* A cell holding a JSON array: *out is NULL for an empty cell. */
static int json_cell(exch_item *it, const char *col, const char *text,
                     json_t **out)
{
    *out = NULL;
    if (!exch__nonblank(text))
        return 0;
    *out = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_array(*out)) {
        json_decref(*out);
        *out = NULL;
        exch__reject(it, "%s: not a JSON array", col);
        return 1;
    }
    return 0;
}

/* One unescaped item v of a list cell (i: its place; at: where its last
 * unescaped '@' is, or -1); may write into v.  0, 1 rejected, < 0 error. */
typedef int (*item_fn)(exch_item *it, json_t *rec, char *v, long at, size_t i);

/* A list cell of ai_systems or references: a JSON array taken verbatim as
 * member col, or ';'-separated items each handed to one. */
static int add_item_list(exch_item *it, json_t *rec, const char *col,
                         const char *cell, item_fn one)
{
    if (*cell == '[') {
        json_t *arr;
        int rc = json_cell(it, col, cell, &arr);
        return rc ? rc : json_object_set_new(rec, col, arr) ? -1 : 0;
    }
    json_t *items = split_raw(cell);
    size_t i;
    json_t *x;
    int rc = items ? 0 : -1;
    json_array_foreach (items, i, x) {
        long at;
        char *v = unescape(json_string_value(x), &at);
        if (!v) {
            rc = -1;
            break;
        }
        rc = one(it, rec, v, at, i);
        free(v);
        if (rc)
            break;
    }
    json_decref(items);
    return rc;
}

/* "kind:name[@version]". */
static int add_system(exch_item *it, json_t *rec, char *v, long at, size_t i)
{
    (void)it;
    (void)i;
    const char *kind = "system", *name = v, *ver = NULL;
    char *colon = strchr(v, ':');
    /* The kind prefix is unescaped text before the first ':'. */
    if (colon) {
        *colon = '\0';
        if (IN(v, kinds)) {
            kind = v;
            name = colon + 1;
        } else {
            *colon = ':';
        }
    }
    if (at >= 0 && v + at > name) {
        v[at] = '\0';
        ver = v + at + 1;
    }
    json_t *sys = exch__add_system(rec, kind, name);
    if (sys && ver && *ver)
        json_object_set_new(sys, "version", json_string(ver));
    return sys ? 0 : -1;
}

/* "TYPE url" (TYPE defaults to WEB). */
static int add_ref(exch_item *it, json_t *rec, char *v, long at, size_t i)
{
    (void)at;
    const char *type_tok = "WEB", *url = v;
    char *sp = strchr(v, ' ');
    if (sp) {
        *sp = '\0';
        type_tok = v;
        url = sp + 1;
        while (*url == ' ')
            url++;
    }
    if (!exch__csv_token_ok(type_tok, 1) || !exch__url_ok(url)) {
        exch__reject(it,
                     "references[%zu]: not \"TYPE url\" with an "
                     "http(s) URL",
                     i);
        return 1;
    }
    return exch__add_ref(rec, url, type_tok, NULL) < 0 ? -1 : 0;
}

/* The JSON columns, members verbatim; descriptions replaces description. */
static int add_json_cols(exch_item *it, json_t *rec, const char *const *cell)
{
    json_t *arr;
    int rc;
    for (size_t j = 0; j < exch__csv_n_json_cols; j++) {
        int c = exch__csv_json_cols[j];
        if ((rc = json_cell(it, exch__csv_cols[c], CELL(c), &arr)))
            return rc;
        if (arr && json_object_set_new(rec, exch__csv_cols[c], arr))
            return -1;
    }
    if ((rc = json_cell(it, "descriptions", CELL(C_DESCS), &arr)))
        return rc;
    return arr && json_object_set_new(rec, "description", arr) ? -1 : 0;
}

/* The single-valued members of a checked row. */
static int set_simple(json_t *rec, const char *const *cell, const csv_row *r)
{
    int bad = json_object_set_new(
        rec, "title",
        json_pack("{s:s, s:s}", "lang", r->lang, "text", CELL(C_TITLE)));
    if (exch__nonblank(CELL(C_DESC)))
        bad |= exch__add_description(rec, r->lang, CELL(C_DESC));
    bad |= json_object_set_new(rec, "ai_relation", json_string(r->rel));
    if (*r->use)
        bad |= json_object_set_new(rec, "use_mode", json_string(r->use));
    static const char *const date_fields[3] = {"occurred_start",
                                               "occurred_end", "detected"};
    for (int d = 0; d < 3; d++)
        if (d == 0 || *r->dates[d])
            bad |= exch__set_pdate(rec, date_fields[d],
                                   *r->dates[d] ? r->dates[d] : NULL);
    bad |= json_object_set_new(rec, "countries_occurred", json_array());
    bad |= json_object_set_new(
        rec, "severity",
        json_pack("{s:s, s:s}", "scale", "oecd-2025", "level", r->sev));
    bad |= json_object_set_new(rec, "harm_types", json_array());
    bad |= json_object_set_new(rec, "hazards", json_array());
    bad |= json_object_set_new(rec, "tlp", json_string(r->tlp));
    return bad ? -1 : 0;
}

/* Build the record of one row; cell[k] is NULL for absent columns. */
static int csv_map(exch_item *it, const char *const *cell, const char *hint,
                   json_t *raw)
{
    csv_row r;
    if (check_simple(it, cell, hint, &r))
        return 0;
    json_t *rec = exch__draft(r.type, r.lang);
    if (!rec)
        return -1;
    int rc = set_simple(rec, cell, &r);
    if (!rc)
        rc = add_lists(it, rec, cell);
    if (!rc)
        rc = add_item_list(it, rec, "ai_systems", CELL(C_SYS), add_system);
    if (!rc)
        rc = add_item_list(it, rec, "references", CELL(C_REFS), add_ref);
    if (!rc)
        rc = add_json_cols(it, rec, cell);
    if (!rc && !json_array_size(json_object_get(rec, "references"))) {
        exch__reject(it, "references: at least one http(s) URL is required");
        rc = 1;
    }
    if (!rc && exch__finish(rec, "csv", raw, r.lic))
        rc = -1;
    if (rc) {
        json_decref(rec);
        return rc < 0 ? -1 : 0;
    }
    it->record = rec;
    return 0;
}
#undef CELL

int exch__import_csv(const char *text, size_t len, const char *hint,
                     exch_item_fn fn, void *ctx, osafe_err *e)
{
    csv_reader *r;
    int rc = csv_reader_open(text, len, &r, e);
    if (rc)
        return rc;
    char **f;
    size_t nf, count = 0;
    rc = csv_next(r, &f, &nf, e);
    if (rc <= 0) {
        csv_reader_free(r);
        return rc < 0 ? rc : osafe_errf(e, OSAFE_EINVAL, "csv: no header row");
    }
    int map[OSAFE_CSV_MAX_FIELDS];
    size_t nhead = nf;
    int seen[C_N] = {0};
    for (size_t i = 0; i < nf; i++) {
        map[i] = -1;
        for (int k = 0; k < C_N; k++)
            if (!strcmp(csv_unguard(f[i]), exch__csv_cols[k]))
                map[i] = k;
        if (map[i] < 0 || seen[map[i]]++) {
            csv_reader_free(r);
            return osafe_errf(e, OSAFE_EINVAL,
                              "csv: header column %zu: %s "
                              "column",
                              i + 1, map[i] < 0 ? "unknown" : "repeated");
        }
    }
    static const int need[] = {C_TYPE, C_LANG, C_TITLE, C_DESC};
    for (size_t k = 0; k < sizeof need / sizeof *need; k++)
        if (!seen[need[k]]) {
            csv_reader_free(r);
            return osafe_errf(e, OSAFE_EINVAL,
                              "csv: header lacks the %s "
                              "column",
                              exch__csv_cols[need[k]]);
        }
    while ((rc = csv_next(r, &f, &nf, e)) == 1) {
        exch_item it;
        memset(&it, 0, sizeof it);
        row_key(&it, f, nf);
        if (nf != nhead) {
            exch__reject(&it, "row at line %zu: %zu fields, the header has %zu",
                         csv_row_line(r), nf, nhead);
        } else {
            const char *cell[C_N] = {0};
            json_t *raw = json_object();
            for (size_t i = 0; i < nf; i++) {
                cell[map[i]] = csv_unguard(f[i]);
                json_object_set_new(raw, exch__csv_cols[map[i]],
                                    json_string(cell[map[i]]));
            }
            int m = raw ? csv_map(&it, cell, hint, raw) : -1;
            json_decref(raw);
            if (m < 0) {
                rc = osafe_errf(e, OSAFE_ENOMEM, "csv: out of memory");
                break;
            }
            exch__validate(&it);
            if (!it.record && it.reason[0]) {
                char why[sizeof it.reason];
                snprintf(why, sizeof why, "%s", it.reason);
                snprintf(it.reason, sizeof it.reason, "line %zu: %.200s",
                         csv_row_line(r), why);
            }
        }
        if ((rc = exch__emit(&it, &count, fn, ctx, e)) < 0)
            break;
        rc = 1;
    }
    csv_reader_free(r);
    return rc < 0 ? rc : 0;
}
