/*
 * validate.c - see validate.h.  The vocabularies follow
 * shared/design/incident-schema.md (OECD 2025 reporting framework, AVID,
 * OSV); docs/API.md is the user-facing copy of these rules.
 */
#include "registry/validate.h"

#include <stdio.h>
#include <string.h>

#include "core/utf8.h"

#define MAX_TEXT 100000 /* one description: generous, well under 1 MiB */
#define MAX_TITLE 500

static const char *const record_types[] = {"incident", "hazard",
                                           "vulnerability", "finding", NULL};
static const char *const ai_relations[] = {
    "caused", "contributed", "failed_to_prevent", "misused", "targeted",
    "unclear", NULL};
static const char *const use_modes[] = {"intended", "unintended", "misuse",
                                        "malicious", "unknown", NULL};
const char *const rec_severity_levels[] = {
    "hazard", "serious_hazard", "incident", "serious_incident", "disaster",
    "unknown", NULL};
static const char *const harm_types[] = {
    "physical", "psychological", "economic_property", "reputational",
    "environmental", "public_interest", "human_rights", "other", "unknown",
    NULL};
static const char *const precisions[] = {"year", "month", "day", "unknown",
                                         NULL};
static const char *const methods[] = {"human", "machine", NULL};
static const char *const kinds[] = {"system", "model", "dataset", "agent",
                                    "component", NULL};
const char *const rec_tlp_levels[] = {"CLEAR", "GREEN", "AMBER",
                                     "AMBER+STRICT", "RED", NULL};

/* Client-settable fields; anything else is refused, so typos do not pass
 * silently ("titel").  Node-specific data belongs under "extensions". */
static const char *const client_fields[] = {
    "record_type", "lang", "title", "description", "ai_relation", "use_mode",
    "occurred_start", "occurred_end", "detected", "countries_occurred",
    "subdivisions", "countries_affected", "regulatory_filings", "severity",
    "scores", "harm_types", "harm_quantities", "affected_stakeholders",
    "rights_impacts", "ai_principles", "harm_distribution_basis", "entities",
    "submitter", "credits", "ai_systems", "lifecycle_stages", "data_link",
    "model_link", "multi_system", "sectors", "business_functions",
    "critical_infrastructure", "classifications", "procedure", "metrics",
    "reproduction", "actions", "references", "reports", "aliases", "related",
    "tlp", "field_markings", "embargo_until", "license", "changelog",
    "extensions", "hazards", NULL};
static const char *const server_fields[] = {
    "schema_version", "id", "state", "version", "published", "modified",
    "withdrawn", "withdrawn_reason", "merged_into", "origin", "reported",
    "prev_digest", "signatures", NULL};
static const char *const required[] = {
    "record_type", "lang", "title", "description", "ai_relation",
    "occurred_start", "countries_occurred", "severity", "harm_types",
    "ai_systems", "references", "submitter", "tlp", "license", NULL};

static int in_list(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(s, *list))
            return 1;
    return 0;
}

int rec_tlp_valid(const char *s)
{
    return rec_tlp_rank(s) >= 0;
}

int rec_tlp_rank(const char *s)
{
    for (int i = 0; s && rec_tlp_levels[i]; i++)
        if (!strcmp(s, rec_tlp_levels[i]))
            return i;
    return -1;
}

int rec_in_vocab(const char *s, const char *const *vocab)
{
    return s && in_list(s, vocab);
}

static int bad(osafe_err *e, const char *field, const char *what)
{
    return osafe_err_field(e, OSAFE_EINVAL, field, "field '%s': %s", field,
                           what);
}

static int text_ok(const json_t *v, size_t max)
{
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    return s && n > 0 && n <= max && utf8_valid(s, n);
}

static int enum_field(const json_t *v, const char *const *list,
                      const char *field, osafe_err *e)
{
    const char *s = json_string_value(v);
    if (!s || !in_list(s, list)) {
        char what[300];
        size_t at = (size_t)snprintf(what, sizeof what, "must be one of");
        for (const char *const *p = list; *p && at < sizeof what; p++)
            at += (size_t)snprintf(what + at, sizeof what - at, " %s", *p);
        return bad(e, field, what);
    }
    return 0;
}

/* BCP 47, loosely: a 2-3 letter primary subtag, then alphanumeric subtags. */
static int lang_ok(const char *s)
{
    size_t n = 0;
    while (s[n] && ((s[n] | 32) >= 'a' && (s[n] | 32) <= 'z'))
        n++;
    if (n < 2 || n > 3)
        return 0;
    while (s[n] == '-') {
        size_t k = ++n;
        while ((s[n] >= '0' && s[n] <= '9') ||
               ((s[n] | 32) >= 'a' && (s[n] | 32) <= 'z'))
            n++;
        if (n - k < 1 || n - k > 8)
            return 0;
    }
    return s[n] == '\0';
}

static int lang_field(const json_t *v, const char *field, osafe_err *e)
{
    const char *s = json_string_value(v);
    if (!s || !lang_ok(s))
        return bad(e, field, "must be a BCP 47 language tag such as 'en' or "
                             "'zh-Hans'");
    return 0;
}

int rec_date_ok(const char *s)
{
    /* YYYY, YYYY-MM or YYYY-MM-DD */
    size_t n = strlen(s);
    if (n != 4 && n != 7 && n != 10)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 4 || i == 7) {
            if (s[i] != '-')
                return 0;
        } else if (s[i] < '0' || s[i] > '9') {
            return 0;
        }
    }
    if (n >= 7) {
        int m = (s[5] - '0') * 10 + (s[6] - '0');
        if (m < 1 || m > 12)
            return 0;
    }
    if (n == 10) {
        /* The real length of the month: 2025-02-30 is no date, and a
         * filter on it would silently match as if it were March 2. */
        static const int mdays[12] = {31, 29, 31, 30, 31, 30,
                                      31, 31, 30, 31, 30, 31};
        int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 +
                (s[2] - '0') * 10 + (s[3] - '0');
        int m = (s[5] - '0') * 10 + (s[6] - '0');
        int d = (s[8] - '0') * 10 + (s[9] - '0');
        int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        if (d < 1 || d > mdays[m - 1] || (m == 2 && d == 29 && !leap))
            return 0;
    }
    return 1;
}

static int partial_date(const json_t *v, const char *field, osafe_err *e)
{
    char f[96];
    if (!json_is_object(v))
        return bad(e, field, "must be an object {date, precision}");
    const char *p = json_string_value(json_object_get(v, "precision"));
    const char *d = json_string_value(json_object_get(v, "date"));
    snprintf(f, sizeof f, "%s.precision", field);
    if (!p || !in_list(p, precisions))
        return bad(e, f, "must be one of year month day unknown");
    snprintf(f, sizeof f, "%s.date", field);
    if (!strcmp(p, "unknown") && !d)
        return 0;
    if (!d || !rec_date_ok(d))
        return bad(e, f, "must be a date YYYY, YYYY-MM or YYYY-MM-DD");
    size_t want = !strcmp(p, "year") ? 4 : !strcmp(p, "month") ? 7 : 10;
    if (strcmp(p, "unknown") && strlen(d) != want)
        return bad(e, f, "does not match its precision");
    return 0;
}

static int string_array(const json_t *v, const char *field, int nonempty,
                        const char *const *vocab, int (*check)(const char *),
                        const char *what, osafe_err *e)
{
    if (!json_is_array(v) || (nonempty && json_array_size(v) == 0))
        return bad(e, field, nonempty ? "must be a non-empty array"
                                      : "must be an array");
    size_t i;
    json_t *x;
    json_array_foreach(v, i, x) {
        char f[96];
        snprintf(f, sizeof f, "%s[%zu]", field, i);
        const char *s = json_string_value(x);
        if (!s || (vocab && !in_list(s, vocab)) || (check && !check(s)))
            return bad(e, f, what);
    }
    return 0;
}

static int country_ok(const char *s)
{
    return strlen(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' &&
           s[1] <= 'Z';
}

static int hazard_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 2 || n > 32)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_' ||
              (s[i] >= '0' && s[i] <= '9')))
            return 0;
    return 1;
}

static int check_field(const char *k, const json_t *v, osafe_err *e)
{
    char f[96];
    if (!strcmp(k, "record_type"))
        return enum_field(v, record_types, k, e);
    if (!strcmp(k, "lang"))
        return lang_field(v, k, e);
    if (!strcmp(k, "title")) {
        if (!json_is_object(v))
            return bad(e, k, "must be an object {lang, text}");
        if (lang_field(json_object_get(v, "lang"), "title.lang", e))
            return e ? e->code : OSAFE_EINVAL;
        if (!text_ok(json_object_get(v, "text"), MAX_TITLE))
            return bad(e, "title.text", "must be a non-empty string of at "
                                        "most 500 bytes");
        return 0;
    }
    if (!strcmp(k, "description")) {
        if (!json_is_array(v) || json_array_size(v) == 0)
            return bad(e, k, "must be a non-empty array of {lang, text}");
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) {
            if (!json_is_object(x)) {
                snprintf(f, sizeof f, "description[%zu]", i);
                return bad(e, f, "must be an object {lang, text, method}");
            }
            snprintf(f, sizeof f, "description[%zu].lang", i);
            if (lang_field(json_object_get(x, "lang"), f, e))
                return OSAFE_EINVAL;
            snprintf(f, sizeof f, "description[%zu].text", i);
            if (!text_ok(json_object_get(x, "text"), MAX_TEXT))
                return bad(e, f, "must be a non-empty string");
            json_t *m = json_object_get(x, "method");
            snprintf(f, sizeof f, "description[%zu].method", i);
            if (m && enum_field(m, methods, f, e))
                return OSAFE_EINVAL;
        }
        return 0;
    }
    if (!strcmp(k, "ai_relation"))
        return enum_field(v, ai_relations, k, e);
    if (!strcmp(k, "use_mode"))
        return enum_field(v, use_modes, k, e);
    if (!strcmp(k, "occurred_start") || !strcmp(k, "occurred_end"))
        return partial_date(v, k, e);
    if (!strcmp(k, "countries_occurred") || !strcmp(k, "countries_affected"))
        return string_array(v, k, !strcmp(k, "countries_occurred"), NULL,
                            country_ok,
                            "must be an ISO 3166-1 alpha-2 code (ZZ: unknown)",
                            e);
    if (!strcmp(k, "severity")) {
        if (!json_is_object(v))
            return bad(e, k, "must be an object {scale, level}");
        const char *sc = json_string_value(json_object_get(v, "scale"));
        if (!sc || strcmp(sc, "oecd-2025"))
            return bad(e, "severity.scale", "must be 'oecd-2025'");
        return enum_field(json_object_get(v, "level"), rec_severity_levels,
                          "severity.level", e);
    }
    if (!strcmp(k, "harm_types"))
        return string_array(v, k, 1, harm_types, NULL,
                            "must be an OECD harm type (physical, "
                            "psychological, economic_property, reputational, "
                            "environmental, public_interest, human_rights, "
                            "other, unknown)",
                            e);
    if (!strcmp(k, "hazards"))
        return string_array(v, k, 0, NULL, hazard_ok,
                            "must be a hazard code such as 'ssh' or 'prv' "
                            "(docs/API.md)",
                            e);
    if (!strcmp(k, "ai_systems")) {
        if (!json_is_array(v) || json_array_size(v) == 0)
            return bad(e, k, "must be a non-empty array of {kind, name}");
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) {
            snprintf(f, sizeof f, "ai_systems[%zu]", i);
            if (!json_is_object(x))
                return bad(e, f, "must be an object {kind, name}");
            snprintf(f, sizeof f, "ai_systems[%zu].kind", i);
            if (enum_field(json_object_get(x, "kind"), kinds, f, e))
                return OSAFE_EINVAL;
            snprintf(f, sizeof f, "ai_systems[%zu].name", i);
            if (!text_ok(json_object_get(x, "name"), 500))
                return bad(e, f, "must be a non-empty string ('unknown' if "
                                 "not known)");
        }
        return 0;
    }
    if (!strcmp(k, "references")) {
        if (!json_is_array(v) || json_array_size(v) == 0)
            return bad(e, k, "must be a non-empty array of {url, type}");
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) {
            snprintf(f, sizeof f, "references[%zu].url", i);
            const char *u = json_string_value(json_object_get(x, "url"));
            if (!json_is_object(x) || !u ||
                (strncmp(u, "https://", 8) && strncmp(u, "http://", 7)))
                return bad(e, f, "must be an http(s) URL");
        }
        return 0;
    }
    if (!strcmp(k, "tlp"))
        return enum_field(v, rec_tlp_levels, k, e);
    if (!strcmp(k, "license") && !text_ok(v, 128))
        return bad(e, k, "must be an SPDX licence id such as CC-BY-4.0");
    if ((!strcmp(k, "submitter") || !strcmp(k, "extensions")) &&
        !json_is_object(v))
        return bad(e, k, "must be an object");
    if ((!strcmp(k, "aliases") || !strcmp(k, "reports")))
        return string_array(v, k, 0, NULL, NULL, "must be a string", e);
    return 0;
}

int rec_validate(const json_t *rec, int for_publish, int client_input,
                 osafe_err *e)
{
    if (!json_is_object(rec))
        return osafe_err_field(e, OSAFE_EINVAL, "", "a record must be a JSON "
                                                    "object");
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)rec, k, v) {
        if (in_list(k, server_fields)) {
            if (client_input)
                return bad(e, k, "is set by the server and cannot be sent");
            continue;
        }
        if (!in_list(k, client_fields))
            return bad(e, k, "unknown field (node-specific data goes under "
                             "'extensions')");
        int rc = check_field(k, v, e);
        if (rc)
            return rc;
    }
    if (for_publish)
        for (const char *const *r = required; *r; r++)
            if (!json_object_get(rec, *r))
                return bad(e, *r, "is required to publish");
    return 0;
}

/* The stable kind of a complaint, from where and what it is. */
static const char *error_kind(const char *field, const char *msg)
{
    if (strstr(msg, "is required to publish"))
        return "required";
    if (strstr(msg, "is set by the server"))
        return "server_field";
    if (strstr(msg, "unknown field"))
        return "unknown_field";
    if (!strncmp(field, "countries_", 10))
        return "country";
    if (!strncmp(field, "occurred_", 9) || strstr(field, ".date"))
        return "date";
    if (strstr(field, ".url"))
        return "url";
    if (strstr(msg, "must be one of"))
        return "choice";
    return "invalid";
}

static void add_error(rec_errors *out, const osafe_err *x)
{
    if (out->n >= OSAFE_REC_ERRORS_MAX)
        return;
    rec_error *r = &out->v[out->n++];
    snprintf(r->field, sizeof r->field, "%s", x->field);
    snprintf(r->kind, sizeof r->kind, "%s", error_kind(x->field, x->msg));
    snprintf(r->msg, sizeof r->msg, "%s", x->msg);
}

int rec_validate_all(const json_t *rec, int for_publish, int client_input,
                     rec_errors *out, osafe_err *e)
{
    out->n = 0;
    if (!json_is_object(rec))
        return rec_validate(rec, for_publish, client_input, e);
    osafe_err x;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)rec, k, v) {
        memset(&x, 0, sizeof x);
        if (in_list(k, server_fields)) {
            if (client_input) {
                OSAFE_IGNORE(bad(&x, k, "is set by the server and cannot be "
                                        "sent"));
                add_error(out, &x);
            }
            continue;
        }
        if (!in_list(k, client_fields)) {
            OSAFE_IGNORE(bad(&x, k, "unknown field (node-specific data goes "
                                    "under 'extensions')"));
            add_error(out, &x);
        } else if (check_field(k, v, &x)) {
            add_error(out, &x);
        }
    }
    if (for_publish)
        for (const char *const *r = required; *r; r++)
            if (!json_object_get(rec, *r)) {
                memset(&x, 0, sizeof x);
                OSAFE_IGNORE(bad(&x, *r, "is required to publish"));
                add_error(out, &x);
            }
    if (!out->n)
        return 0;
    return osafe_err_field(e, OSAFE_EINVAL, out->v[0].field, "%s",
                           out->v[0].msg);
}

int rec_check_patch(const json_t *patch, osafe_err *e)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)patch, k, v) {
        if (in_list(k, server_fields))
            return bad(e, k, "is set by the server and cannot be sent");
        if (!in_list(k, client_fields))
            return bad(e, k, "unknown field (node-specific data goes under "
                             "'extensions')");
        /* null deletes the field (RFC 7396); the merged record is checked
         * as a whole afterwards */
        if (!json_is_null(v)) {
            int rc = check_field(k, v, e);
            if (rc)
                return rc;
        }
    }
    return 0;
}
