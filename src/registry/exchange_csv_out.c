/*
 * exchange_csv_out.c - native records -> our CSV columns (the format is
 * described at the top of exchange_csv.c, the importer): one row per
 * record, lists joined with '\\' escapes, ai_systems and references as
 * JSON arrays when an item holds more than the short form carries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/limits.h"
#include "registry/exchange.h"
#include "registry/exchange_csv_int.h"

static int put_escaped(osafe_buf *b, const char *s, const char *special)
{
    int rc = 0;
    const char *first = s, *last = *s ? s + strlen(s) - 1 : s;
    for (; *s && !rc; s++) {
        /* Spaces at an item's ends are escaped: unescaped ones are
         * trimmed on import. */
        int edge_space = (*s == ' ' || *s == '\t') && (s == first || s == last);
        if (*s == '\\' || strchr(special, *s) || edge_space)
            rc = buf_putc(b, '\\');
        if (!rc)
            rc = buf_putc(b, *s);
    }
    return rc;
}

/* ---- export ------------------------------------------------------------- */

int exch_csv_header(osafe_buf *out)
{
    return csv_write_row(out, exch__csv_cols, C_N);
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

/* A non-empty array member as compact JSON (sorted keys: stable rows). */
static int put_json(osafe_buf *b, const json_t *v)
{
    if (!json_is_array(v) || !json_array_size(v))
        return 0;
    char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
    int rc = s ? buf_puts(b, s) : OSAFE_ENOMEM;
    free(s);
    return rc;
}

/* Does any item hold members other than those listed (the short form)? */
static int beyond_short(const json_t *arr, const char *const *short_keys)
{
    size_t i;
    const json_t *x;
    json_array_foreach (arr, i, x) {
        const char *k;
        const json_t *v;
        if (!json_is_object(x))
            return 1;
        json_object_foreach ((json_t *)x, k, v) {
            const char *const *p = short_keys;
            while (*p && strcmp(*p, k))
                p++;
            if (!*p || !json_is_string(v))
                return 1;
        }
    }
    return 0;
}

static int put_systems(osafe_buf *b, const json_t *arr)
{
    static const char *const short_keys[] = {"kind", "name", "version", NULL};
    if (beyond_short(arr, short_keys))
        return put_json(b, arr);
    size_t i;
    const json_t *x;
    int rc = 0;
    json_array_foreach (arr, i, x) {
        const char *kind = exch__str(x, "kind"), *name = exch__str(x, "name");
        const char *ver = exch__str(x, "version");
        if (!name)
            continue;
        if (b->len)
            rc |= buf_putc(b, ';');
        rc |= buf_printf(b, "%s:", kind ? kind : "system");
        rc |= put_escaped(b, name, ";@");
        if (ver && *ver) {
            rc |= buf_putc(b, '@');
            rc |= put_escaped(b, ver, ";@");
        }
    }
    return rc;
}

static int put_refs(osafe_buf *b, const json_t *arr)
{
    static const char *const short_keys[] = {"url", "type", NULL};
    if (beyond_short(arr, short_keys))
        return put_json(b, arr);
    size_t i;
    const json_t *x;
    int rc = 0;
    json_array_foreach (arr, i, x) {
        const char *url = exch__str(x, "url"), *t = exch__str(x, "type");
        if (!url)
            continue;
        if (b->len)
            rc |= buf_putc(b, ';');
        if (t && exch__csv_token_ok(t, 1))
            rc |= buf_printf(b, "%s ", t);
        rc |= put_escaped(b, url, ";");
    }
    return rc;
}

/* The description in lang (else the first); *all = 1 when the column
 * cannot say everything (more than one, or not written by a human). */
static const char *main_desc(const json_t *rec, const char *lang, int *all)
{
    const json_t *arr = json_object_get(rec, "description"), *x;
    const char *desc = NULL;
    size_t i;
    json_array_foreach (arr, i, x) {
        const char *l = exch__str(x, "lang"), *t = exch__str(x, "text");
        if (t && !desc)
            desc = t;
        if (t && l && lang && !strcmp(l, lang)) {
            desc = t;
            break;
        }
    }
    const char *m = exch__str(json_array_get(arr, 0), "method");
    *all = json_array_size(arr) > 1 || (m && strcmp(m, "human"));
    return desc;
}

static const char *pdate(const json_t *rec, const char *field)
{
    const json_t *d = json_object_get(rec, field);
    const char *prec = exch__str(d, "precision");
    return prec && !strcmp(prec, "unknown") ? NULL : exch__str(d, "date");
}

static int fill_cells(const json_t *rec, const char *tlp, osafe_buf *cell)
{
    const char *lang = exch__str(rec, "lang");
    int all_desc;
    const char *state = exch__str(rec, "state");
    const char *simple[C_N] = {
        [C_ID] = exch__str(rec, "id"),
        [C_TYPE] = exch__str(rec, "record_type"),
        [C_LANG] = lang,
        [C_TITLE] = exch__str(json_object_get(rec, "title"), "text"),
        [C_DESC] = main_desc(rec, lang, &all_desc),
        [C_REL] = exch__str(rec, "ai_relation"),
        [C_OCC] = pdate(rec, "occurred_start"),
        [C_SEV] = exch__str(json_object_get(rec, "severity"), "level"),
        [C_TLP] = tlp,
        [C_LIC] = exch__str(rec, "license"),
        [C_STATE] = state,
        [C_WDRAWN] = exch__str(rec, "withdrawn"),
        [C_USE] = exch__str(rec, "use_mode"),
        [C_OCC_END] = pdate(rec, "occurred_end"),
        [C_DETECTED] = pdate(rec, "detected"),
    };
    int rc = 0;
    for (int k = 0; k < C_N; k++)
        if (simple[k])
            rc |= buf_puts(&cell[k], simple[k]);
    for (size_t l = 0; l < exch__csv_n_list_cols; l++)
        rc |= join_strings(&cell[exch__csv_list_cols[l].col],
                           json_object_get(rec, exch__csv_list_cols[l].field));
    for (size_t j = 0; j < exch__csv_n_json_cols; j++) {
        int c = exch__csv_json_cols[j];
        rc |= put_json(&cell[c], json_object_get(rec, exch__csv_cols[c]));
    }
    if (all_desc)
        rc |= put_json(&cell[C_DESCS], json_object_get(rec, "description"));
    rc |= put_systems(&cell[C_SYS], json_object_get(rec, "ai_systems"));
    rc |= put_refs(&cell[C_REFS], json_object_get(rec, "references"));
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
    rc = fill_cells(rec, tlp, cell);
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
