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
 * Lists are separated by ';' with '\' escaping ';', '\' and (in
 * ai_systems) '@'; spaces around items are dropped.  Cells are un-guarded
 * (csv_unguard) before use, so guarded exports re-import exactly.
 * Everything else of a record (translations, digests, entities, scores...)
 * is not carried.  source_key is "csv:" + SHA-256 of the row's cells (each
 * length-prefixed), so the same row always has the same key.
 * extensions.csv.raw = the row as {column: cell}.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/enc.h"
#include "core/limits.h"
#include "registry/exchange.h"
#include "registry/validate.h"

enum {
    C_ID,
    C_TYPE,
    C_LANG,
    C_TITLE,
    C_DESC,
    C_REL,
    C_OCC,
    C_CTRY,
    C_SEV,
    C_HARM,
    C_HAZ,
    C_SYS,
    C_REFS,
    C_ALIAS,
    C_TLP,
    C_LIC,
    C_N
};

static const char *const cols[C_N] = {"id",
                                      "record_type",
                                      "lang",
                                      "title",
                                      "description",
                                      "ai_relation",
                                      "occurred_start",
                                      "countries_occurred",
                                      "severity",
                                      "harm_types",
                                      "hazards",
                                      "ai_systems",
                                      "references",
                                      "aliases",
                                      "tlp",
                                      "license"};

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

static int put_escaped(osafe_buf *b, const char *s, const char *special)
{
    int rc = 0;
    for (; *s && !rc; s++) {
        if (*s == '\\' || strchr(special, *s))
            rc = buf_putc(b, '\\');
        if (!rc)
            rc = buf_putc(b, *s);
    }
    return rc;
}

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

static int token_ok(const char *s, int upper)
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

/* ---- export ------------------------------------------------------------- */

int exch_csv_header(osafe_buf *out)
{
    return csv_write_row(out, cols, C_N);
}

static int join_strings(osafe_buf *b, const json_t *arr)
{
    size_t i;
    const json_t *x;
    int rc = 0;
    json_array_foreach (arr, i, x) {
        if (!json_is_string(x))
            continue;
        if (b->len)
            rc |= buf_putc(b, ';');
        rc |= put_escaped(b, json_string_value(x), ";");
    }
    return rc;
}

int exch_export_csv_row(const json_t *in, osafe_buf *out, osafe_err *e)
{
    if (!json_is_object(in))
        return osafe_errf(e, OSAFE_EINVAL,
                          "csv export: record is not a JSON "
                          "object");
    const char *tlp = exch__str(in, "tlp");
    if (exch__tlp_rank(tlp) < 0)
        return osafe_errf(e, OSAFE_EINVAL,
                          "csv export: tlp missing or "
                          "unknown");
    json_t *rec;
    int rc = exch__redact(in, tlp, &rec, e);
    if (rc)
        return rc;
    osafe_buf cell[C_N];
    for (int i = 0; i < C_N; i++)
        buf_init(&cell[i], 0);
    const char *lang = exch__str(rec, "lang");
    const char *desc = NULL;
    size_t i;
    const json_t *x;
    json_array_foreach (json_object_get(rec, "description"), i, x) {
        const char *l = exch__str(x, "lang"), *t = exch__str(x, "text");
        if (t && !desc)
            desc = t;
        if (t && l && lang && !strcmp(l, lang)) {
            desc = t;
            break;
        }
    }
    const json_t *occ = json_object_get(rec, "occurred_start");
    const char *occ_date = exch__str(occ, "date");
    const char *prec = exch__str(occ, "precision");
    if (prec && !strcmp(prec, "unknown"))
        occ_date = NULL;
    const char *simple[C_N] = {
        [C_ID] = exch__str(rec, "id"),
        [C_TYPE] = exch__str(rec, "record_type"),
        [C_LANG] = lang,
        [C_TITLE] = exch__str(json_object_get(rec, "title"), "text"),
        [C_DESC] = desc,
        [C_REL] = exch__str(rec, "ai_relation"),
        [C_OCC] = occ_date,
        [C_SEV] = exch__str(json_object_get(rec, "severity"), "level"),
        [C_TLP] = tlp,
        [C_LIC] = exch__str(rec, "license"),
    };
    for (int k = 0; k < C_N; k++)
        if (simple[k])
            rc |= buf_puts(&cell[k], simple[k]);
    rc |=
        join_strings(&cell[C_CTRY], json_object_get(rec, "countries_occurred"));
    rc |= join_strings(&cell[C_HARM], json_object_get(rec, "harm_types"));
    rc |= join_strings(&cell[C_HAZ], json_object_get(rec, "hazards"));
    rc |= join_strings(&cell[C_ALIAS], json_object_get(rec, "aliases"));
    json_array_foreach (json_object_get(rec, "ai_systems"), i, x) {
        const char *kind = exch__str(x, "kind"), *name = exch__str(x, "name");
        const char *ver = exch__str(x, "version");
        if (!name)
            continue;
        if (cell[C_SYS].len)
            rc |= buf_putc(&cell[C_SYS], ';');
        rc |= buf_printf(&cell[C_SYS], "%s:", kind ? kind : "system");
        rc |= put_escaped(&cell[C_SYS], name, ";@");
        if (ver && *ver) {
            rc |= buf_putc(&cell[C_SYS], '@');
            rc |= put_escaped(&cell[C_SYS], ver, ";@");
        }
    }
    json_array_foreach (json_object_get(rec, "references"), i, x) {
        const char *url = exch__str(x, "url"), *t = exch__str(x, "type");
        if (!url)
            continue;
        if (cell[C_REFS].len)
            rc |= buf_putc(&cell[C_REFS], ';');
        if (t && token_ok(t, 1))
            rc |= buf_printf(&cell[C_REFS], "%s ", t);
        rc |= put_escaped(&cell[C_REFS], url, ";");
    }
    const char *fields[C_N];
    for (int k = 0; k < C_N; k++)
        fields[k] = cell[k].data ? cell[k].data : "";
    if (!rc)
        rc = csv_write_row(out, fields, C_N);
    for (int k = 0; k < C_N; k++)
        buf_release(&cell[k]);
    json_decref(rec);
    if (rc)
        return osafe_errf(e, rc == OSAFE_ETOOBIG ? OSAFE_ETOOBIG : OSAFE_ENOMEM,
                          "csv export: %s", osafe_strerror(rc));
    return 0;
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

/* Build the record of one row; cell[k] is NULL for absent columns. */
static int csv_map(exch_item *it, const char *const *cell, const char *hint,
                   json_t *raw)
{
#define CELL(k) (cell[k] ? cell[k] : "")
    const char *type = CELL(C_TYPE), *lang = exch__lang(CELL(C_LANG));
    if (!IN(type, rtypes)) {
        exch__reject(it, "record_type: not incident, hazard, vulnerability or "
                         "finding");
        return 0;
    }
    if (!lang) {
        exch__reject(it, "lang: missing or not a BCP 47 tag");
        return 0;
    }
    if (!exch__nonblank(CELL(C_TITLE))) {
        exch__reject(it, "title: empty");
        return 0;
    }
    if (!exch__nonblank(CELL(C_DESC))) {
        exch__reject(it, "description: empty");
        return 0;
    }
    const char *rel = *CELL(C_REL) ? CELL(C_REL) : "unclear";
    if (!IN(rel, relations)) {
        exch__reject(it, "ai_relation: not one of caused, contributed, "
                         "failed_to_prevent, misused, targeted, unclear");
        return 0;
    }
    const char *occ = CELL(C_OCC);
    if (!strcmp(occ, "unknown"))
        occ = "";
    if (*occ && !exch__date_precision(occ)) {
        exch__reject(it, "occurred_start: not YYYY, YYYY-MM or YYYY-MM-DD");
        return 0;
    }
    const char *sev = *CELL(C_SEV)                ? CELL(C_SEV)
                      : !strcmp(type, "incident") ? "incident"
                                                  : "hazard";
    if (!rec_in_vocab(sev, rec_severity_levels)) {
        exch__reject(it, "severity: not an OECD level");
        return 0;
    }
    const char *tlp = *CELL(C_TLP) ? CELL(C_TLP) : "CLEAR";
    if (exch__tlp_rank(tlp) < 0) {
        exch__reject(it, "tlp: not CLEAR, GREEN, AMBER, AMBER+STRICT or RED");
        return 0;
    }
    const char *lic = *CELL(C_LIC) ? CELL(C_LIC) : hint;
    if (!exch__nonblank(lic)) {
        exch__reject(it, "license: empty and no licence hint given");
        return 0;
    }
    json_t *rec = exch__draft(type, lang);
    if (!rec)
        return -1;
    int bad = 0;
    bad |= json_object_set_new(
        rec, "title",
        json_pack("{s:s, s:s}", "lang", lang, "text", CELL(C_TITLE)));
    bad |= exch__add_description(rec, lang, CELL(C_DESC));
    bad |= json_object_set_new(rec, "ai_relation", json_string(rel));
    bad |= exch__set_pdate(rec, "occurred_start", *occ ? occ : NULL);
    bad |= json_object_set_new(rec, "countries_occurred", json_array());
    bad |= json_object_set_new(
        rec, "severity",
        json_pack("{s:s, s:s}", "scale", "oecd-2025", "level", sev));
    bad |= json_object_set_new(rec, "harm_types", json_array());
    bad |= json_object_set_new(rec, "hazards", json_array());
    static const struct {
        int col;
        const char *field;
    } lists[] = {{C_CTRY, "countries_occurred"},
                 {C_HARM, "harm_types"},
                 {C_HAZ, "hazards"},
                 {C_ALIAS, "aliases"}};
    for (size_t l = 0; l < sizeof lists / sizeof *lists; l++) {
        json_t *items = split_raw(CELL(lists[l].col));
        size_t i;
        json_t *x;
        json_array_foreach (items, i, x) {
            long at;
            char *v = unescape(json_string_value(x), &at);
            const char *why = NULL;
            if (!v)
                bad = 1;
            else if (lists[l].col == C_CTRY &&
                     (strlen(v) != 2 || v[0] < 'A' || v[0] > 'Z' ||
                      v[1] < 'A' || v[1] > 'Z'))
                why = "not an ISO 3166-1 alpha-2 code";
            else if ((lists[l].col == C_HARM || lists[l].col == C_HAZ) &&
                     !token_ok(v, 0))
                why = "not a lower-case code";
            if (why) {
                exch__reject(it, "%s[%zu]: %s", lists[l].field, i, why);
                free(v);
                json_decref(items);
                json_decref(rec);
                return 0;
            }
            if (v)
                bad |= exch__add_unique(rec, lists[l].field, v);
            free(v);
        }
        json_decref(items);
    }
    if (exch__nonblank(CELL(C_ID)))
        bad |= exch__add_unique(rec, "aliases", CELL(C_ID));
    json_t *items = split_raw(CELL(C_SYS));
    size_t i;
    json_t *x;
    json_array_foreach (items, i, x) {
        long at;
        char *v = unescape(json_string_value(x), &at);
        if (!v) {
            bad = 1;
            break;
        }
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
        bad |= !sys;
        free(v);
    }
    json_decref(items);
    items = split_raw(CELL(C_REFS));
    json_array_foreach (items, i, x) {
        long at;
        char *v = unescape(json_string_value(x), &at);
        if (!v) {
            bad = 1;
            break;
        }
        const char *type_tok = "WEB", *url = v;
        char *sp = strchr(v, ' ');
        if (sp) {
            *sp = '\0';
            type_tok = v;
            url = sp + 1;
            while (*url == ' ')
                url++;
        }
        if (!token_ok(type_tok, 1) || !exch__url_ok(url)) {
            exch__reject(it,
                         "references[%zu]: not \"TYPE url\" with an "
                         "http(s) URL",
                         i);
            free(v);
            json_decref(items);
            json_decref(rec);
            return 0;
        }
        bad |= exch__add_ref(rec, url, type_tok, NULL) < 0;
        free(v);
    }
    json_decref(items);
    if (!json_array_size(json_object_get(rec, "references"))) {
        exch__reject(it, "references: at least one http(s) URL is required");
        json_decref(rec);
        return 0;
    }
    bad |= json_object_set_new(rec, "tlp", json_string(tlp));
    bad |= exch__finish(rec, "csv", raw, lic);
    if (bad) {
        json_decref(rec);
        return -1;
    }
    it->record = rec;
    return 0;
#undef CELL
}

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
            if (!strcmp(csv_unguard(f[i]), cols[k]))
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
                              cols[need[k]]);
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
                json_object_set_new(raw, cols[map[i]],
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
