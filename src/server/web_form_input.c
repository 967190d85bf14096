/*
 * web_form_input.c - see web_form_int.h.  Only unambiguous forms are
 * turned into ISO dates: a guess would store a wrong date silently, while
 * a refusal is shown next to the field and costs one more try.
 */
#include "server/web_form_int.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "server/web_int.h"

/* Month names as the page languages write them, lowercase ASCII or UTF-8
 * (Russian in the nominative and the genitive a date uses). */
static const char *const months[12][6] = {
    {"january", "jan", "enero", "janvier", "января", "январь"},
    {"february", "feb", "febrero", "février", "февраля", "февраль"},
    {"march", "mar", "marzo", "mars", "марта", "март"},
    {"april", "apr", "abril", "avril", "апреля", "апрель"},
    {"may", "mayo", "mai", "мая", "май", NULL},
    {"june", "jun", "junio", "juin", "июня", "июнь"},
    {"july", "jul", "julio", "juillet", "июля", "июль"},
    {"august", "aug", "agosto", "août", "августа", "август"},
    {"september", "sep", "septiembre", "septembre", "сентября",
     "сентябрь"},
    {"october", "oct", "octubre", "octobre", "октября", "октябрь"},
    {"november", "nov", "noviembre", "novembre", "ноября", "ноябрь"},
    {"december", "dec", "diciembre", "décembre", "декабря", "декабрь"},
};

/* Lowercase a word: ASCII, the Latin-1 capitals French uses (2-byte
 * UTF-8 C3 80..9E) and Cyrillic capitals (D0 90..AF). */
static size_t lower_word(const char *s, char *w, size_t size)
{
    size_t n = 0;
    while (*s && n + 2 < size) {
        unsigned char c = (unsigned char)*s;
        if (c >= 'A' && c <= 'Z') {
            w[n++] = (char)(c + 32);
            s++;
        } else if (c >= 'a' && c <= 'z') {
            w[n++] = (char)c;
            s++;
        } else if (c == 0xC3 && (unsigned char)s[1] >= 0x80 &&
                   (unsigned char)s[1] <= 0x9E) {
            w[n++] = (char)c;
            w[n++] = (char)(s[1] + 0x20);
            s += 2;
        } else if (c == 0xD0 && (unsigned char)s[1] >= 0x90 &&
                   (unsigned char)s[1] <= 0x9F) {
            w[n++] = (char)c;
            w[n++] = (char)(s[1] + 0x20);
            s += 2;
        } else if (c == 0xD0 && (unsigned char)s[1] >= 0xA0 &&
                   (unsigned char)s[1] <= 0xAF) {
            w[n++] = (char)0xD1;
            w[n++] = (char)(s[1] - 0x20);
            s += 2;
        } else if (c >= 0xC3 && c <= 0xD1 && s[1]) {
            w[n++] = (char)c;
            w[n++] = s[1];
            s += 2;
        } else {
            break;
        }
    }
    w[n] = '\0';
    return n;
}

static int month_of(const char *w)
{
    for (int m = 0; m < 12; m++)
        for (int i = 0; i < 6 && months[m][i]; i++)
            if (!strcmp(w, months[m][i]))
                return m + 1;
    return 0;
}

/* The date's parts: numbers, a month name, in the order written. */
typedef struct parts {
    long num[3];
    int digits[3];
    int n;
    int named_month; /* 1..12 if a month was written as a word */
    int named_at;    /* its position among the parts */
} parts;

/* Split in into parts; ASCII, Arabic-Indic (U+0660..) and Extended
 * Arabic-Indic (U+06F0..) digits; CJK 年 月 日 separate like '-'. */
static int split(const char *s, parts *p)
{
    memset(p, 0, sizeof *p);
    while (*s) {
        unsigned char c = (unsigned char)*s;
        int d = -1, len = 1;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c == 0xD9 && (unsigned char)s[1] >= 0xA0 &&
                 (unsigned char)s[1] <= 0xA9)
            d = (unsigned char)s[1] - 0xA0, len = 2;
        else if (c == 0xDB && (unsigned char)s[1] >= 0xB0 &&
                 (unsigned char)s[1] <= 0xB9)
            d = (unsigned char)s[1] - 0xB0, len = 2;
        if (d >= 0) {
            if (p->n >= 3 || p->digits[p->n] >= 4)
                return -1;
            p->num[p->n] = p->num[p->n] * 10 + d;
            p->digits[p->n]++;
            s += len;
            if (!((*s >= '0' && *s <= '9') ||
                  (((unsigned char)*s == 0xD9 || (unsigned char)*s == 0xDB) &&
                   s[1])))
                p->n++;
            continue;
        }
        char w[64];
        size_t wl = lower_word(s, w, sizeof w);
        if (wl) {
            int m = month_of(w);
            if (!m || p->named_month || p->n >= 3)
                return -1;
            p->named_month = m;
            p->named_at = p->n;
            p->num[p->n] = m;
            p->digits[p->n] = 2;
            p->n++;
            /* skip the word as written (its byte length is wl) */
            s += wl;
            if (*s == '.')
                s++;
            continue;
        }
        /* separators: - / . , space, 年 月 日 (E5 B9 B4, E6 9C 88, E6 97 A5),
         * the Arabic comma (D8 8C) */
        if (strchr("-/., ", c)) {
            s++;
        } else if (!strncmp(s, "\xe5\xb9\xb4", 3) ||
                   !strncmp(s, "\xe6\x9c\x88", 3) ||
                   !strncmp(s, "\xe6\x97\xa5", 3)) {
            s += 3;
        } else if (!strncmp(s, "\xd8\x8c", 2)) {
            s += 2;
        } else {
            return -1;
        }
    }
    return p->n ? 0 : -1;
}

/* year, month, day from the parts as language lang writes them; 0 if the
 * order is not certain. */
static int order(const parts *p, int lang, long *y, long *m, long *d)
{
    *y = *m = *d = 0;
    if (p->n == 1 && p->digits[0] == 4) {
        *y = p->num[0];
        return 1;
    }
    if (p->n == 2) {
        int yi = p->digits[0] == 4 ? 0 : p->digits[1] == 4 ? 1 : -1;
        if (yi < 0)
            return 0;
        *y = p->num[yi];
        *m = p->num[1 - yi];
        return 1;
    }
    if (p->n != 3)
        return 0;
    if (p->digits[0] == 4) { /* year first: y m d everywhere */
        *y = p->num[0];
        *m = p->num[1];
        *d = p->num[2];
        return !p->named_month || p->named_at == 1;
    }
    if (p->digits[2] != 4)
        return 0;
    *y = p->num[2];
    if (p->named_month) { /* "12 March 2025" or "March 12, 2025" */
        *m = p->named_month;
        *d = p->num[p->named_at == 0 ? 1 : 0];
        return 1;
    }
    long a = p->num[0], b = p->num[1];
    if (lang != WEB_LANG_EN) { /* day first in the other five */
        *d = a;
        *m = b;
        return 1;
    }
    /* English is written both ways: only a day above 12 tells */
    if (a > 12 && b <= 12) {
        *d = a;
        *m = b;
        return 1;
    }
    if (b > 12 && a <= 12) {
        *m = a;
        *d = b;
        return 1;
    }
    return 0;
}

int form__date(const char *in, int lang, char *out, size_t size)
{
    while (*in == ' ')
        in++;
    snprintf(out, size, "%s", in);
    size_t n = strlen(out);
    while (n && out[n - 1] == ' ')
        out[--n] = '\0';
    parts p;
    long y, m, d;
    if (split(out, &p) || !order(&p, lang, &y, &m, &d) || y < 1000 ||
        (p.n >= 2 && (m < 1 || m > 12)) || (p.n == 3 && (d < 1 || d > 31)))
        return 0;
    char iso[64];
    if (p.n == 1)
        snprintf(iso, sizeof iso, "%04ld", y);
    else if (p.n == 2)
        snprintf(iso, sizeof iso, "%04ld-%02ld", y, m);
    else
        snprintf(iso, sizeof iso, "%04ld-%02ld-%02ld", y, m, d);
    snprintf(out, size, "%s", iso);
    return 1;
}

int form__country(const char *in, size_t n, char *out, size_t size)
{
    while (n && *in == ' ')
        in++, n--;
    while (n && in[n - 1] == ' ')
        n--;
    if (n >= size)
        n = size - 1;
    int ok = n == 2;
    for (size_t i = 0; i < n; i++) {
        char c = in[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        ok = ok && c >= 'A' && c <= 'Z';
        out[i] = c;
    }
    out[n] = '\0';
    return ok;
}

/* The server-set members a client may not send back (validate.c). */
static const char *const server_fields[] = {
    "schema_version", "id", "state", "version", "published", "modified",
    "withdrawn", "withdrawn_reason", "merged_into", "origin", "reported",
    "prev_digest", "signatures", NULL};

/* ---- building the record from the form ----------------------------------- */

static const char *trimmed(web_page *p, const char *name, char *buf,
                           size_t size)
{
    const char *v = web__page_form(p, name);
    if (!v)
        return NULL;
    while (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n')
        v++;
    size_t n = strlen(v);
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r' ||
                 v[n - 1] == '\n'))
        n--;
    if (!n)
        return NULL;
    if (buf) {
        if (n >= size)
            n = size - 1;
        memcpy(buf, v, n);
        buf[n] = '\0';
        return buf;
    }
    return v;
}

static void put(json_t *patch, const char *key, json_t *v)
{
    json_object_set_new(patch, key, v ? v : json_null());
}

static json_t *str_or_null(const char *s)
{
    return s && *s ? json_string(s) : NULL;
}

/* Element 0 of an array member of the record, updated by fill; the other
 * elements stay.  NULL (delete) when the result would be empty. */
static json_t *first_element(const json_t *rec, const char *key,
                             json_t *elem0)
{
    json_t *old = json_object_get(rec, key);
    json_t *a = json_is_array(old) ? json_deep_copy(old) : json_array();
    if (json_array_size(a))
        json_array_remove(a, 0);
    if (elem0)
        json_array_insert_new(a, 0, elem0);
    if (!json_array_size(a)) {
        json_decref(a);
        return NULL;
    }
    return a;
}

static json_t *checkbox_array(web_page *p, const char *name)
{
    json_t *a = json_array();
    const char *x;
    for (size_t i = 0; (x = web__page_form_nth(p, name, i)); i++)
        json_array_append_new(a, json_string(x));
    if (!json_array_size(a)) {
        json_decref(a);
        return NULL;
    }
    return a;
}

/* Length of the next list item of s: up to a comma, a semicolon, the
 * Arabic comma (D8 8C) or the ideographic one (E3 80 81). */
static size_t item_len(const char *s)
{
    size_t n = 0;
    while (s[n] && s[n] != ',' && s[n] != ';' && strncmp(s + n, "\xd8\x8c", 2) &&
           strncmp(s + n, "\xe3\x80\x81", 3))
        n++;
    return n;
}

static void add_country(json_t *cc, const char *s, size_t n)
{
    char code[128];
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (!n)
        return;
    /* "fr" is FR, "Kenya" or "Кения" is KE; "fr de" is two codes;
     * anything else goes as typed, for the registry to refuse by value */
    if (form__country(s, n, code, sizeof code) ||
        form__country_name(s, n, code, sizeof code)) {
        json_array_append_new(cc, json_string(code));
        return;
    }
    size_t k = 0;
    while (k + 2 <= n && (k + 2 == n || s[k + 2] == ' ') &&
           form__country(s + k, 2, code, sizeof code))
        k += k + 2 == n ? 2 : 3;
    if (k >= n) {
        for (size_t i = 0; i < n; i += 3)
            if (form__country(s + i, 2, code, sizeof code))
                json_array_append_new(cc, json_string(code));
        return;
    }
    OSAFE_IGNORE(form__country(s, n, code, sizeof code));
    json_array_append_new(cc, json_string(code));
}

static json_t *countries(const char *cs)
{
    json_t *cc = json_array();
    while (cs && *cs) {
        size_t n = item_len(cs);
        add_country(cc, cs, n);
        cs += n;
        if (*cs == ',' || *cs == ';')
            cs++;
        else if (*cs)
            cs += (unsigned char)*cs == 0xd8 ? 2 : 3;
    }
    return cc;
}

/* The form's fields as a merge patch (null deletes) over rec. */
json_t *form__patch(web_page *p, const json_t *rec)
{
    char b1[4096], b2[256];
    json_t *patch = json_object();
    const char *lang = trimmed(p, "lang", b2, sizeof b2);
    put(patch, "record_type", str_or_null(trimmed(p, "record_type", NULL, 0)));
    put(patch, "lang", str_or_null(lang));
    const char *title = trimmed(p, "title.text", NULL, 0);
    put(patch, "title",
        title ? json_pack("{s:s, s:s}", "lang", lang ? lang : p->lang, "text",
                          title)
              : NULL);

    const char *desc = trimmed(p, "description[0].text", NULL, 0);
    json_t *d0 = NULL;
    if (desc) {
        const json_t *old =
            json_array_get(json_object_get(rec, "description"), 0);
        d0 = json_is_object(old) ? json_deep_copy(old) : json_object();
        json_object_set_new(d0, "lang", json_string(lang ? lang : p->lang));
        json_object_set_new(d0, "text", json_string(desc));
        if (!json_object_get(d0, "method"))
            json_object_set_new(d0, "method", json_string("human"));
    }
    put(patch, "description", first_element(rec, "description", d0));
    put(patch, "ai_relation", str_or_null(trimmed(p, "ai_relation", NULL, 0)));

    const char *date = trimmed(p, "occurred_start.date", b1, 64);
    if (date) {
        /* as the page's language writes it, stored (and shown) as ISO */
        char raw[64];
        snprintf(raw, sizeof raw, "%s", date);
        OSAFE_IGNORE(form__date(raw, p->lang_index, b1, 64)); /* an
            unreadable date stays as typed: the registry names it */
        date = b1;
        size_t n = strlen(date);
        const char *prec = n == 4 ? "year" : n == 7 ? "month"
                                         : n == 10 ? "day" : "unknown";
        put(patch, "occurred_start",
            json_pack("{s:s, s:s}", "date", date, "precision", prec));
    } else {
        put(patch, "occurred_start", NULL);
    }

    json_t *cc = countries(web__page_form(p, "countries_occurred"));
    if (!json_array_size(cc)) {
        json_decref(cc);
        cc = NULL;
    }
    put(patch, "countries_occurred", cc);

    const char *sev = trimmed(p, "severity.level", NULL, 0);
    put(patch, "severity",
        sev ? json_pack("{s:s, s:s}", "scale", "oecd-2025", "level", sev)
            : NULL);
    put(patch, "harm_types", checkbox_array(p, "harm_types"));
    put(patch, "hazards", checkbox_array(p, "hazards"));

    const char *kind = trimmed(p, "ai_systems[0].kind", NULL, 0);
    const char *sname = trimmed(p, "ai_systems[0].name", NULL, 0);
    const char *sver = trimmed(p, "ai_systems[0].version", NULL, 0);
    json_t *s0 = NULL;
    /* the kind alone is the select's default, not something typed: a
     * system is there once it has a name */
    if (sname) {
        const json_t *old =
            json_array_get(json_object_get(rec, "ai_systems"), 0);
        s0 = json_is_object(old) ? json_deep_copy(old) : json_object();
        /* an empty kind is sent empty, so the registry names it */
        json_object_set_new(s0, "kind", json_string(kind ? kind : ""));
        json_object_set_new(s0, "name", json_string(sname));
        if (sver)
            json_object_set_new(s0, "version", json_string(sver));
        else
            json_object_del(s0, "version");
    }
    put(patch, "ai_systems", first_element(rec, "ai_systems", s0));

    const char *url = trimmed(p, "references[0].url", NULL, 0);
    const char *rtype = trimmed(p, "references[0].type", NULL, 0);
    json_t *r0 = NULL;
    if (url) {
        const json_t *old =
            json_array_get(json_object_get(rec, "references"), 0);
        r0 = json_is_object(old) ? json_deep_copy(old) : json_object();
        json_object_set_new(r0, "url", json_string(url));
        json_object_set_new(r0, "type", json_string(rtype ? rtype : "WEB"));
    }
    put(patch, "references", first_element(rec, "references", r0));

    const char *pseud = trimmed(p, "submitter.pseudonym", NULL, 0);
    const json_t *osub = json_object_get(rec, "submitter");
    json_t *sub = json_is_object(osub) ? json_deep_copy(osub) : json_object();
    if (pseud)
        json_object_set_new(sub, "pseudonym", json_string(pseud));
    else
        json_object_del(sub, "pseudonym");
    if (!json_object_size(sub)) {
        json_decref(sub);
        sub = NULL;
    }
    put(patch, "submitter", sub);
    put(patch, "tlp", str_or_null(trimmed(p, "tlp", NULL, 0)));
    put(patch, "license", str_or_null(trimmed(p, "license", NULL, 0)));
    return patch;
}

/* The record with the patch applied and the server's members removed:
 * the body of reg_create and reg_amend. */
json_t *form__content(const json_t *rec, const json_t *patch)
{
    json_t *c = json_is_object(rec) ? json_deep_copy(rec) : json_object();
    for (const char *const *f = server_fields; *f; f++)
        json_object_del(c, *f);
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)patch, k, v) {
        if (json_is_null(v))
            json_object_del(c, k);
        else
            json_object_set(c, k, v);
    }
    return c;
}

