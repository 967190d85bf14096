/*
 * exchange_util.c - the exch__* helpers every mapping shares besides the
 * import plumbing of exchange.c: value lookups, draft building (titles,
 * dates, references, classifications, defaults) and the export side (TLP
 * ranks, field_markings redaction, public copies, canonical URLs).
 */
#include "registry/exchange.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "registry/validate.h"

/* ---- value helpers ------------------------------------------------------ */

const char *exch__str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

int exch__nonblank(const char *s)
{
    if (!s)
        return 0;
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return 1;
    return 0;
}

const json_t *exch__path(const json_t *root, const char *dotted)
{
    char part[64];
    const json_t *cur = root;
    while (cur && *dotted) {
        const char *dot = strchr(dotted, '.');
        size_t n = dot ? (size_t)(dot - dotted) : strlen(dotted);
        if (n >= sizeof part)
            return NULL;
        memcpy(part, dotted, n);
        part[n] = '\0';
        cur = json_object_get(cur, part);
        dotted += n + (dot ? 1 : 0);
    }
    return cur;
}

/* ---- drafts ------------------------------------------------------------- */

json_t *exch__draft(const char *record_type, const char *lang)
{
    json_t *rec = json_object();
    if (!rec)
        return NULL;
    if (json_object_set_new(rec, "record_type", json_string(record_type)) ||
        json_object_set_new(rec, "lang", json_string(lang))) {
        json_decref(rec);
        return NULL;
    }
    return rec;
}

static int is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
           c == '\f';
}

int exch__set_title(json_t *rec, const char *lang, const char *text)
{
    return exch__set_title_max(rec, lang, text, EXCH_TITLE_MAX);
}

int exch__set_title_max(json_t *rec, const char *lang, const char *text,
                        size_t max)
{
    /* One line: collapse whitespace runs, trim. */
    size_t n = strlen(text);
    char *s = malloc(n + 4);
    if (!s)
        return -1;
    size_t k = 0, cps = 0;
    for (size_t i = 0; i < n; i++) {
        if (is_ws((unsigned char)text[i])) {
            if (k && s[k - 1] != ' ')
                s[k++] = ' ';
            continue;
        }
        s[k++] = text[i];
    }
    while (k && s[k - 1] == ' ')
        k--;
    s[k] = '\0';
    for (size_t i = 0; i < k; i++)
        cps += ((unsigned char)s[i] & 0xC0) != 0x80;
    if (cps > max) {
        /* Keep max - 1 code points, back up to a space if one
         * is near, and end with an ellipsis. */
        size_t keep = 0, seen = 0, last_space = 0, space_cp = 0;
        for (size_t i = 0; i < k; i++) {
            if (((unsigned char)s[i] & 0xC0) != 0x80) {
                if (seen == max - 1) {
                    keep = i;
                    break;
                }
                seen++;
                if (s[i] == ' ') {
                    last_space = i;
                    space_cp = seen;
                }
            }
        }
        if (last_space && seen - space_cp < 30)
            keep = last_space;
        while (keep && (s[keep - 1] == ' ' || s[keep - 1] == ',' ||
                        s[keep - 1] == ';' || s[keep - 1] == ':'))
            keep--;
        memcpy(s + keep, "\xE2\x80\xA6", 4); /* U+2026 and NUL */
    }
    json_t *t = json_pack("{s:s, s:s}", "lang", lang, "text", s);
    free(s);
    return json_object_set_new(rec, "title", t);
}

int exch__add_description(json_t *rec, const char *lang, const char *text)
{
    return exch__add_description_by(rec, lang, text, "human");
}

int exch__add_description_by(json_t *rec, const char *lang, const char *text,
                             const char *method)
{
    json_t *arr = json_object_get(rec, "description");
    if (!arr) {
        arr = json_array();
        if (json_object_set_new(rec, "description", arr))
            return -1;
    }
    return json_array_append_new(arr,
                                 json_pack("{s:s, s:s, s:s}", "lang", lang,
                                           "text", text, "method", method));
}

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

const char *exch__date_precision(const char *d)
{
    if (!d)
        return NULL;
    size_t n = strlen(d);
    if (n < 4 || !all_digits(d, 4))
        return NULL;
    if (n == 4)
        return "year";
    if (n < 7 || d[4] != '-' || !all_digits(d + 5, 2))
        return NULL;
    int mo = (d[5] - '0') * 10 + (d[6] - '0');
    if (mo < 1 || mo > 12)
        return NULL;
    if (n == 7)
        return "month";
    if (n != 10 || d[7] != '-' || !all_digits(d + 8, 2))
        return NULL;
    int y = (int)strtol(d, NULL, 10), day = (d[8] - '0') * 10 + (d[9] - '0');
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    int max = mdays[mo - 1] + (mo == 2 && leap);
    return day >= 1 && day <= max ? "day" : NULL;
}

int exch__set_pdate(json_t *rec, const char *field, const char *date)
{
    const char *prec = exch__date_precision(date);
    json_t *v = prec ? json_pack("{s:s, s:s}", "date", date, "precision", prec)
                     : json_pack("{s:s}", "precision", "unknown");
    return json_object_set_new(rec, field, v);
}

static json_t *get_array(json_t *rec, const char *field)
{
    json_t *arr = json_object_get(rec, field);
    if (json_is_array(arr))
        return arr;
    arr = json_array();
    if (json_object_set_new(rec, field, arr))
        return NULL;
    return arr;
}

int exch__append(json_t *rec, const char *field, json_t *v)
{
    json_t *arr = get_array(rec, field);
    if (!arr || !v) {
        json_decref(v);
        return -1;
    }
    return json_array_append_new(arr, v);
}

int exch__add_unique(json_t *rec, const char *field, const char *s)
{
    json_t *arr = get_array(rec, field);
    if (!arr)
        return -1;
    size_t i;
    json_t *x;
    json_array_foreach (arr, i, x) {
        if (json_is_string(x) && !strcmp(json_string_value(x), s))
            return 0;
    }
    return json_array_append_new(arr, json_string(s));
}

int exch__url_ok(const char *url)
{
    if (!url)
        return 0;
    size_t skip;
    if (!strncasecmp(url, "https://", 8))
        skip = 8;
    else if (!strncasecmp(url, "http://", 7))
        skip = 7;
    else
        return 0;
    size_t n = strlen(url);
    if (n <= skip || n > 2048 || url[skip] == '/')
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)url[i] <= 0x20 || url[i] == 0x7f)
            return 0;
    return 1;
}

int exch__add_ref(json_t *rec, const char *url, const char *type,
                  const char *title)
{
    if (!exch__url_ok(url))
        return 1;
    json_t *refs = get_array(rec, "references");
    if (!refs)
        return -1;
    size_t i;
    json_t *x;
    json_array_foreach (refs, i, x) {
        const char *u = exch__str(x, "url");
        if (u && !strcmp(u, url))
            return 0;
    }
    json_t *r = json_pack("{s:s, s:s}", "url", url, "type", type);
    if (r && exch__nonblank(title))
        json_object_set_new(r, "title", json_string(title));
    return json_array_append_new(refs, r);
}

json_t *exch__add_system(json_t *rec, const char *kind, const char *name)
{
    json_t *arr = get_array(rec, "ai_systems");
    json_t *s = json_pack("{s:s, s:s}", "kind", kind, "name",
                          exch__nonblank(name) ? name : "unknown");
    if (!arr || !s || json_array_append_new(arr, s))
        return NULL;
    return s;
}

int exch__add_class(json_t *rec, const char *ns, const char *ns_version,
                    const char *code, const char *label)
{
    json_t *arr = get_array(rec, "classifications");
    if (!arr)
        return -1;
    size_t i;
    json_t *x;
    json_array_foreach (arr, i, x) {
        const char *a = exch__str(x, "namespace"), *c = exch__str(x, "code");
        if (a && c && !strcmp(a, ns) && !strcmp(c, code))
            return 0;
    }
    json_t *c = json_pack("{s:s}", "namespace", ns);
    if (!c)
        return -1;
    if (exch__nonblank(ns_version))
        json_object_set_new(c, "ns_version", json_string(ns_version));
    json_object_set_new(c, "code", json_string(code));
    if (exch__nonblank(label))
        json_object_set_new(c, "label", json_string(label));
    return json_array_append_new(arr, c);
}

int exch__finish(json_t *rec, const char *ns, json_t *raw, const char *license)
{
    int bad = 0;
    const char *type = exch__str(rec, "record_type");
    if (!json_object_get(rec, "ai_relation"))
        bad |= json_object_set_new(rec, "ai_relation", json_string("unclear"));
    if (!json_object_get(rec, "occurred_start"))
        bad |= exch__set_pdate(rec, "occurred_start", NULL);
    if (json_array_size(json_object_get(rec, "countries_occurred")) == 0)
        bad |= json_object_set_new(rec, "countries_occurred",
                                   json_pack("[s]", "ZZ"));
    if (!json_object_get(rec, "severity"))
        bad |= json_object_set_new(
            rec, "severity",
            json_pack("{s:s, s:s}", "scale", "oecd-2025", "level",
                      type && !strcmp(type, "incident") ? "incident"
                                                        : "hazard"));
    if (json_array_size(json_object_get(rec, "harm_types")) == 0)
        bad |=
            json_object_set_new(rec, "harm_types", json_pack("[s]", "unknown"));
    if (!json_object_get(rec, "hazards"))
        bad |= json_object_set_new(rec, "hazards", json_array());
    if (json_array_size(json_object_get(rec, "ai_systems")) == 0)
        bad |= exch__add_system(rec, "system", "unknown") ? 0 : -1;
    if (!json_object_get(rec, "references"))
        bad |= json_object_set_new(rec, "references", json_array());
    if (!json_object_get(rec, "submitter")) {
        char who[64];
        snprintf(who, sizeof who, "%s-import", ns);
        bad |= json_object_set_new(
            rec, "submitter",
            json_pack("{s:s, s:s}", "pseudonym", who, "role", "researcher"));
    }
    if (!json_object_get(rec, "tlp"))
        bad |= json_object_set_new(rec, "tlp", json_string("CLEAR"));
    bad |= json_object_set_new(rec, "license", json_string(license));
    if (!json_object_get(rec, "aliases"))
        bad |= json_object_set_new(rec, "aliases", json_array());
    json_t *ext = json_object_get(rec, "extensions");
    if (!ext) {
        ext = json_object();
        bad |= json_object_set_new(rec, "extensions", ext);
    }
    json_t *mine = json_object_get(ext, ns);
    if (!mine) {
        mine = json_object();
        bad |= json_object_set_new(ext, ns, mine);
    }
    bad |= json_object_set(mine, "raw", raw);
    return bad ? -1 : 0;
}

/* ---- export side -------------------------------------------------------- */

int exch__tlp_rank(const char *tlp)
{
    return rec_tlp_rank(tlp);
}

void exch__now(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Resolve an RFC 6901 pointer; *parent and the last token on success. */
static json_t *ptr_resolve(json_t *root, const char *ptr, json_t **parent,
                           char *last, size_t cap)
{
    json_t *cur = root;
    *parent = NULL;
    if (*ptr != '/')
        return NULL;
    while (*ptr == '/' && cur) {
        ptr++;
        size_t k = 0;
        while (*ptr && *ptr != '/') {
            char c = *ptr++;
            if (c == '~') {
                if (*ptr == '0')
                    c = '~';
                else if (*ptr == '1')
                    c = '/';
                else
                    return NULL;
                ptr++;
            }
            if (k + 1 >= cap)
                return NULL;
            last[k++] = c;
        }
        last[k] = '\0';
        *parent = cur;
        if (json_is_object(cur)) {
            cur = json_object_get(cur, last);
        } else if (json_is_array(cur)) {
            if (!k || !all_digits(last, k) || (k > 1 && last[0] == '0'))
                return NULL;
            cur = json_array_get(cur, (size_t)strtoul(last, NULL, 10));
        } else {
            return NULL;
        }
    }
    return cur;
}

/* Remove every occurrence of the sentinel from containers. */
static void compact(json_t *v, const json_t *sentinel)
{
    if (json_is_object(v)) {
        const char *k;
        json_t *x, *tmp;
        json_object_foreach_safe (v, tmp, k, x) {
            if (x == sentinel)
                json_object_del(v, k);
            else
                compact(x, sentinel);
        }
    } else if (json_is_array(v)) {
        for (size_t i = json_array_size(v); i-- > 0;) {
            json_t *x = json_array_get(v, i);
            if (x == sentinel)
                json_array_remove(v, i);
            else
                compact(x, sentinel);
        }
    }
}

int exch__redact(const json_t *rec, const char *level, json_t **out,
                 osafe_err *e)
{
    *out = NULL;
    int max = exch__tlp_rank(level);
    json_t *copy = json_deep_copy(rec);
    json_t *sentinel = json_object();
    if (!copy || !sentinel) {
        json_decref(copy);
        json_decref(sentinel);
        return osafe_errf(e, OSAFE_ENOMEM, "export: out of memory");
    }
    const json_t *marks = json_object_get(rec, "field_markings");
    size_t i;
    const json_t *m;
    int rc = 0;
    json_array_foreach (marks, i, m) {
        const char *sel = exch__str(m, "selector");
        int r = exch__tlp_rank(exch__str(m, "tlp"));
        if (!sel || r < 0) {
            rc = osafe_errf(e, OSAFE_EINVAL,
                            "field_markings[%zu]: needs a "
                            "selector and a TLP level",
                            i);
            break;
        }
        if (r <= max)
            continue;
        if (!*sel) {
            rc = osafe_errf(e, OSAFE_ESTATE,
                            "field_markings[%zu]: the whole "
                            "record is restricted to TLP:%s",
                            i, exch__str(m, "tlp"));
            break;
        }
        json_t *parent;
        char last[256];
        json_t *target = ptr_resolve(copy, sel, &parent, last, sizeof last);
        if (!target)
            continue; /* nothing there: nothing to hide */
        if (json_is_object(parent))
            json_object_set(parent, last, sentinel);
        else
            json_array_set(parent, (size_t)strtoul(last, NULL, 10), sentinel);
    }
    if (!rc) {
        compact(copy, sentinel);
        json_object_del(copy, "field_markings");
        json_object_del(copy, "submitter"); /* personal: never exported */
        json_object_del(copy, "signatures");
        *out = copy;
    } else {
        json_decref(copy);
    }
    json_decref(sentinel);
    return rc;
}

int exch_set_state(json_t *rec, const char *state, const char *when,
                   const char *merged_into)
{
    if (!state || (strcmp(state, "withdrawn") && strcmp(state, "merged")))
        return 0;
    int bad = json_object_set_new(rec, "state", json_string(state));
    if (when && *when)
        bad |= json_object_set_new(rec, "withdrawn", json_string(when));
    if (!strcmp(state, "merged") && merged_into && *merged_into)
        bad |= json_object_set_new(rec, "merged_into",
                                   json_string(merged_into));
    return bad ? OSAFE_ENOMEM : 0;
}

int exch__revoked(const json_t *rec)
{
    const char *st = exch__str(rec, "state");
    return (st && (!strcmp(st, "withdrawn") || !strcmp(st, "merged"))) ||
           exch__str(rec, "withdrawn") != NULL;
}

int exch__public_copy(const json_t *rec, const char *fmt, const char *max_tlp,
                      json_t **out, osafe_err *e)
{
    *out = NULL;
    if (!json_is_object(rec))
        return osafe_errf(e, OSAFE_EINVAL,
                          "%s export: record is not a JSON "
                          "object",
                          fmt);
    const char *id = exch__str(rec, "id");
    if (!exch__nonblank(id))
        return osafe_errf(e, OSAFE_EINVAL,
                          "%s export: id: missing (only "
                          "records with an id can be exported)",
                          fmt);
    const char *tlp = exch__str(rec, "tlp");
    int rank = exch__tlp_rank(tlp), max = exch__tlp_rank(max_tlp);
    if (rank < 0 || max < 0 || rank > max)
        return osafe_errf(e, OSAFE_ESTATE,
                          "%s export of %s: tlp is %s; only records up to "
                          "TLP:%s leave the node in this export",
                          fmt, id, tlp ? tlp : "missing",
                          max_tlp ? max_tlp : "?");
    const char *emb = exch__str(rec, "embargo_until");
    if (emb) {
        char now[32];
        exch__now(now);
        if (strncmp(emb, now, 19) > 0)
            return osafe_errf(e, OSAFE_ESTATE,
                              "%s export of %s: embargoed "
                              "until %s",
                              fmt, id, emb);
    }
    return exch__redact(rec, max_tlp, out, e);
}

int exch__canonical_url(const json_t *rec, char *out, size_t cap)
{
    const char *id = exch__str(rec, "id");
    const char *node = exch__str(json_object_get(rec, "origin"), "node_url");
    int n;
    if (exch__url_ok(node)) {
        size_t k = strlen(node);
        while (k && node[k - 1] == '/')
            k--;
        n = snprintf(out, cap, "%.*s/records/%s", (int)k, node, id ? id : "");
    } else {
        n = snprintf(out, cap, "urn:osafe:%s", id ? id : "");
    }
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

const char *exch__title_text(const json_t *rec)
{
    const json_t *t = json_object_get(rec, "title");
    const char *en = exch__str(t, "en");
    if (exch__nonblank(en))
        return en;
    return exch__str(t, "text");
}

const char *exch__desc_text(const json_t *rec, const char **lang)
{
    const json_t *arr = json_object_get(rec, "description");
    const json_t *first = NULL, *x;
    size_t i;
    json_array_foreach (arr, i, x) {
        if (!exch__str(x, "text"))
            continue;
        const char *l = exch__str(x, "lang");
        if (l && (!strcmp(l, "en") || !strncmp(l, "en-", 3))) {
            first = x;
            break;
        }
        if (!first)
            first = x;
    }
    if (lang)
        *lang = first ? exch__str(first, "lang") : NULL;
    return first ? exch__str(first, "text") : NULL;
}
