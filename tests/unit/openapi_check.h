/*
 * openapi_check.h - every response the API tests receive is checked against
 * docs/openapi.json (the document the server embeds and serves): the
 * operation (path template and method) must be listed, the status must be
 * declared (or covered by "default"), and a JSON body must match the
 * declared schema.  Included by api_client.h and applied in its one request
 * helper, so no test can forget it.
 *
 * The schema subset checked (what the document uses): $ref to
 * #/components/..., type (one or a list), enum, const, required,
 * properties, additionalProperties (false or a schema), items, allOf,
 * anyOf, oneOf, pattern (POSIX ERE), minimum, maximum, minItems.  Other
 * keywords (format, description) are not checked.
 *
 * OSAFE_OPENAPI_SOFT=1 in the environment lists every mismatch on stderr
 * instead of failing at the first (for editing the document).
 */
#ifndef OSAFE_TESTS_OPENAPI_CHECK_H
#define OSAFE_TESTS_OPENAPI_CHECK_H

#include <jansson.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef OSAFE_SOURCE_DIR
#error "OSAFE_SOURCE_DIR must name the source tree (tests/CMakeLists.txt)"
#endif

static json_t *oc_doc_cache;

static inline json_t *oc_doc(void)
{
    if (!oc_doc_cache) {
        json_error_t je;
        oc_doc_cache = json_load_file(OSAFE_SOURCE_DIR "/docs/openapi.json",
                                      0, &je);
        if (!oc_doc_cache)
            fail_msg("docs/openapi.json: line %d: %s", je.line, je.text);
    }
    return oc_doc_cache;
}

/* "#/components/schemas/X" inside the document, or NULL. */
static inline json_t *oc_ref(const char *ref)
{
    if (strncmp(ref, "#/", 2))
        return NULL;
    json_t *cur = oc_doc();
    char part[128];
    const char *p = ref + 2;
    while (cur && *p) {
        size_t n = strcspn(p, "/");
        if (n >= sizeof part)
            return NULL;
        memcpy(part, p, n);
        part[n] = '\0';
        cur = json_object_get(cur, part);
        p += n + (p[n] == '/');
    }
    return cur;
}

static inline int oc_type_is(const char *t, const json_t *v)
{
    if (!strcmp(t, "object"))
        return json_is_object(v);
    if (!strcmp(t, "array"))
        return json_is_array(v);
    if (!strcmp(t, "string"))
        return json_is_string(v);
    if (!strcmp(t, "integer"))
        return json_is_integer(v);
    if (!strcmp(t, "number"))
        return json_is_number(v);
    if (!strcmp(t, "boolean"))
        return json_is_boolean(v);
    if (!strcmp(t, "null"))
        return json_is_null(v);
    return 0;
}

/* 0 if v matches schema s; else 1 with the first mismatch in err, at the
 * JSON path where (a "$.a.b[2]" string). */
static inline int oc_match(const json_t *s, const json_t *v, const char *where,
                           char *err, size_t errsz);

static inline int oc_fail(char *err, size_t errsz, const char *where,
                          const char *what)
{
    /* a long JSON path may be cut; the message still names the problem */
    if (snprintf(err, errsz, "%s: %s", where, what) >= (int)errsz)
        err[errsz - 1] = '\0';
    return 1;
}

static inline int oc_match_object(const json_t *s, const json_t *v,
                                  const char *where, char *err, size_t errsz)
{
    char sub[512];
    const json_t *req = json_object_get(s, "required"), *x;
    size_t i;
    json_array_foreach(req, i, x) {
        if (!json_object_get(v, json_string_value(x))) {
            snprintf(sub, sizeof sub, "required property '%s' missing",
                     json_string_value(x));
            return oc_fail(err, errsz, where, sub);
        }
    }
    const json_t *props = json_object_get(s, "properties");
    const json_t *extra = json_object_get(s, "additionalProperties");
    const char *k;
    json_t *val;
    json_object_foreach((json_t *)v, k, val) {
        const json_t *ps = json_object_get(props, k);
        snprintf(sub, sizeof sub, "%s.%s", where, k);
        if (ps) {
            if (oc_match(ps, val, sub, err, errsz))
                return 1;
        } else if (json_is_false(extra)) {
            return oc_fail(err, errsz, sub, "property not in the schema");
        } else if (json_is_object(extra) &&
                   oc_match(extra, val, sub, err, errsz)) {
            return 1;
        }
    }
    return 0;
}

static inline int oc_match_of(const json_t *s, const json_t *v,
                              const char *where, char *err, size_t errsz)
{
    const json_t *x;
    size_t i;
    char tmp[512];
    json_array_foreach(json_object_get(s, "allOf"), i, x)
        if (oc_match(x, v, where, err, errsz))
            return 1;
    const char *kw[] = {"anyOf", "oneOf"};
    for (int k = 0; k < 2; k++) {
        const json_t *alts = json_object_get(s, kw[k]);
        if (!alts)
            continue;
        int hits = 0;
        json_array_foreach(alts, i, x)
            hits += !oc_match(x, v, where, tmp, sizeof tmp);
        if (hits == 0 || (k == 1 && hits > 1)) {
            snprintf(tmp, sizeof tmp, "%s alternatives matched for %s",
                     hits ? "several" : "none of the", kw[k]);
            return oc_fail(err, errsz, where, tmp);
        }
    }
    return 0;
}

static inline int oc_match(const json_t *s, const json_t *v, const char *where,
                           char *err, size_t errsz)
{
    char sub[512];
    const json_t *ref = json_object_get(s, "$ref");
    if (ref) {
        const json_t *t = oc_ref(json_string_value(ref));
        if (!t)
            return oc_fail(err, errsz, where, "unresolved $ref");
        return oc_match(t, v, where, err, errsz);
    }
    const json_t *type = json_object_get(s, "type"), *x;
    size_t i;
    if (json_is_string(type) && !oc_type_is(json_string_value(type), v)) {
        snprintf(sub, sizeof sub, "not of type %s", json_string_value(type));
        return oc_fail(err, errsz, where, sub);
    }
    if (json_is_array(type)) {
        int ok = 0;
        json_array_foreach(type, i, x)
            ok |= oc_type_is(json_string_value(x), v);
        if (!ok)
            return oc_fail(err, errsz, where, "not of any listed type");
    }
    const json_t *en = json_object_get(s, "enum");
    if (en) {
        int ok = 0;
        json_array_foreach(en, i, x)
            ok |= json_equal(x, v);
        if (!ok)
            return oc_fail(err, errsz, where, "not one of the enum");
    }
    const json_t *c = json_object_get(s, "const");
    if (c && !json_equal(c, v))
        return oc_fail(err, errsz, where, "not the const value");
    const json_t *pat = json_object_get(s, "pattern");
    if (pat && json_is_string(v)) {
        regex_t re;
        if (regcomp(&re, json_string_value(pat), REG_EXTENDED | REG_NOSUB))
            return oc_fail(err, errsz, where, "bad pattern in the schema");
        int no = regexec(&re, json_string_value(v), 0, NULL, 0);
        regfree(&re);
        if (no)
            return oc_fail(err, errsz, where, "does not match the pattern");
    }
    if (json_is_number(v)) {
        const json_t *mn = json_object_get(s, "minimum"),
                     *mx = json_object_get(s, "maximum");
        if (mn && json_number_value(v) < json_number_value(mn))
            return oc_fail(err, errsz, where, "below the minimum");
        if (mx && json_number_value(v) > json_number_value(mx))
            return oc_fail(err, errsz, where, "above the maximum");
    }
    if (json_is_object(v) && oc_match_object(s, v, where, err, errsz))
        return 1;
    if (json_is_array(v)) {
        const json_t *mi = json_object_get(s, "minItems");
        if (mi && json_array_size(v) < (size_t)json_integer_value(mi))
            return oc_fail(err, errsz, where, "fewer items than minItems");
        const json_t *items = json_object_get(s, "items");
        if (items) {
            json_array_foreach((json_t *)v, i, x) {
                snprintf(sub, sizeof sub, "%s[%zu]", where, i);
                if (oc_match(items, x, sub, err, errsz))
                    return 1;
            }
        }
    }
    return oc_match_of(s, v, where, err, errsz);
}

/* 1 if the request path (no query) fits the template ("{x}" is one
 * non-empty segment). */
static inline int oc_path_fits(const char *tpl, const char *path)
{
    while (*tpl && *path) {
        if (*tpl == '{') {
            const char *close = strchr(tpl, '}');
            size_t n = strcspn(path, "/");
            if (!close || n == 0)
                return 0;
            tpl = close + 1;
            path += n;
        } else if (*tpl++ != *path++) {
            return 0;
        }
    }
    return !*tpl && !*path;
}

/* The operation object for method and path, or NULL.  Templates without a
 * parameter win over ones with (/a/b over /a/{id}). */
static inline json_t *oc_operation(const char *method, const char *path)
{
    char lower[16];
    size_t n = strlen(method);
    if (n >= sizeof lower)
        return NULL;
    for (size_t i = 0; i <= n; i++)
        lower[i] = (char)(method[i] >= 'A' && method[i] <= 'Z'
                              ? method[i] + 32
                              : method[i]);
    if (!strcmp(lower, "head"))
        memcpy(lower, "get", 4);
    const char *tpl;
    json_t *item, *best = NULL;
    int best_params = 1 << 20;
    json_object_foreach(json_object_get(oc_doc(), "paths"), tpl, item) {
        if (!oc_path_fits(tpl, path))
            continue;
        int params = 0;
        for (const char *c = tpl; *c; c++)
            params += *c == '{';
        json_t *op = json_object_get(item, lower);
        if (op && params < best_params) {
            best = op;
            best_params = params;
        }
    }
    return best;
}

static const char *oc_body_seen; /* for OSAFE_OPENAPI_SOFT=2 */

static inline void oc_report(const char *method, const char *path, long status,
                             const char *msg)
{
    const char *soft = getenv("OSAFE_OPENAPI_SOFT");
    if (soft) {
        fprintf(stderr, "OPENAPI %s %s -> %ld: %s", method, path, status,
                msg);
        if (!strcmp(soft, "2") && oc_body_seen)
            fprintf(stderr, " BODY %.1500s", oc_body_seen);
        fputc('\n', stderr);
        return;
    }
    fail_msg("%s %s -> %ld: response not as docs/openapi.json says: %s",
             method, path, status, msg);
}

/*
 * Check one response.  Only /api/v1 is described by the document (the log
 * under /log/ follows C2SP tlog-tiles and the web pages are HTML).  A path
 * the document does not list may only answer with the Error shape (404,
 * 405 and the like).
 */
static inline void openapi_check(const char *method, const char *rawpath,
                                 long status, const char *ctype,
                                 const char *body, size_t len)
{
    char path[2048];
    size_t n = strcspn(rawpath, "?#");
    if (n >= sizeof path || strncmp(rawpath, "/api/v1", 7) ||
        (rawpath[7] && rawpath[7] != '/' && rawpath[7] != '?'))
        return;
    memcpy(path, rawpath, n);
    path[n] = '\0';
    if (!strcmp(path, "/api/v1/")) /* the root is served with and without */
        path[7] = '\0';
    oc_body_seen = body;
    char err[1024], code[8];
    json_t *op = oc_operation(method, path);
    const json_t *schema = NULL;
    if (!op) {
        if (status < 400) {
            oc_report(method, path, status, "operation not in the document");
            return;
        }
        schema = oc_ref("#/components/schemas/Error");
    } else {
        snprintf(code, sizeof code, "%ld", status);
        json_t *resps = json_object_get(op, "responses");
        json_t *r = json_object_get(resps, code);
        if (!r)
            r = json_object_get(resps, "default");
        if (!r) {
            oc_report(method, path, status, "status not declared");
            return;
        }
        if (json_object_get(r, "$ref"))
            r = oc_ref(json_string_value(json_object_get(r, "$ref")));
        json_t *content = json_object_get(r, "content");
        if (!strcmp(method, "HEAD") || len == 0)
            return;
        json_t *media = json_object_get(content, "application/json");
        if (!media) {
            if (ctype && !strncmp(ctype, "application/json", 16))
                oc_report(method, path, status,
                          "JSON body where the document declares none");
            return;
        }
        schema = json_object_get(media, "schema");
        if (!schema) {
            oc_report(method, path, status, "no response schema declared");
            return;
        }
    }
    if (!ctype || strncmp(ctype, "application/json", 16)) {
        oc_report(method, path, status, "not application/json");
        return;
    }
    json_error_t je;
    json_t *v = json_loadb(body, len, JSON_DECODE_ANY, &je);
    if (!v) {
        oc_report(method, path, status, "body is not JSON");
        return;
    }
    if (oc_match(schema, v, "$", err, sizeof err))
        oc_report(method, path, status, err);
    json_decref(v);
}

#endif
