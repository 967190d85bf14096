/*
 * web_form.c - filing and editing a report: /incidents/new and
 * /incidents/{id}/edit.  "Save draft" creates or patches the record
 * (reg_create / reg_patch; a published record is amended, reg_amend);
 * "Submit for review" saves and then calls reg_submit.  The registry does
 * all validation; its osafe_err names the field at fault (a JSON path such
 * as "ai_systems[0].name"), and the message is shown next to that field.
 *
 * Field names are the record's JSON paths, with [0] for the first element
 * of an array the form edits one of: record_type, lang, title.text,
 * description[0].text, ai_relation, occurred_start.date,
 * countries_occurred (comma-separated), severity.level, harm_types and
 * hazards (checkboxes), ai_systems[0].kind, ai_systems[0].name,
 * ai_systems[0].version, references[0].url, references[0].type,
 * submitter.pseudonym, tlp, license.  Editing keeps every other field and
 * every other array element of the record as it was.
 *
 * Hooks: <form id="incident-form" data-id>, each field's wrapper
 * <div class="field" data-field="NAME">, each error <p class="field-error"
 * id="err-N" data-field="NAME">, the summary <div id="form-errors"
 * role="alert">, buttons <button name="action" value="save" id="save-draft">
 * and value="submit" id="submit-review".
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/validate.h"
#include "server/web_int.h"

static const char *const record_types[] = {"incident", "hazard",
                                           "vulnerability", "finding", NULL};
static const char *const relations[] = {"caused",    "contributed",
                                        "failed_to_prevent", "misused",
                                        "targeted",  "unclear",
                                        NULL};
static const char *const harm_types[] = {
    "physical",      "psychological", "economic_property", "reputational",
    "environmental", "public_interest", "human_rights",    "other",
    "unknown",       NULL};
static const char *const hazards[] = {"vcr", "src", "cse", "ssh", "iwp",
                                      "ipv", "dfm", "ncr", "hte", "prv",
                                      "spc", "sxc", NULL};
static const char *const kinds[] = {"system", "model", "dataset", "agent",
                                    "component", NULL};
static const char *const ref_types[] = {"NEWS", "REPORT", "ARTICLE", "WEB",
                                        "EVIDENCE", "OTHER", NULL};

/* The server-set members a client may not send back (validate.c). */
static const char *const server_fields[] = {
    "schema_version", "id", "state", "version", "published", "modified",
    "withdrawn", "withdrawn_reason", "merged_into", "origin", "reported",
    "prev_digest", "signatures", NULL};

typedef struct form_ctx {
    web_page *p;
    json_t *rec;      /* the record being edited (NULL: new) */
    int from_post;    /* values come from the submitted form */
    const osafe_err *err; /* the registry's complaint, or NULL */
    int err_shown;    /* the error found its field */
    int err_n;
} form_ctx;

/* ---- values -------------------------------------------------------------- */

/* "a.b[0].c" inside a JSON document; NULL if any step is missing. */
static json_t *path_get(json_t *v, const char *path)
{
    char seg[64];
    while (v && *path) {
        size_t n = strcspn(path, ".[");
        if (n >= sizeof seg)
            return NULL;
        if (n) {
            memcpy(seg, path, n);
            seg[n] = '\0';
            v = json_object_get(v, seg);
            path += n;
        }
        if (*path == '[') {
            size_t idx = (size_t)strtoul(path + 1, NULL, 10);
            v = json_array_get(v, idx);
            path = strchr(path, ']');
            if (!path)
                return NULL;
            path++;
        }
        if (*path == '.')
            path++;
    }
    return v;
}

static const char *val(form_ctx *c, const char *name)
{
    if (c->from_post)
        return web__page_form(c->p, name);
    return json_string_value(path_get(c->rec, name));
}

static int checked(form_ctx *c, const char *name, const char *v)
{
    if (c->from_post) {
        const char *x;
        for (size_t i = 0; (x = web__page_form_nth(c->p, name, i)); i++)
            if (!strcmp(x, v))
                return 1;
        return 0;
    }
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(c->rec, name), i, x) {
        const char *s = json_string_value(x);
        if (s && !strcmp(s, v))
            return 1;
    }
    return 0;
}

/* Does the registry's error field belong to form field name?  Equal, or
 * one is the other followed by '.' or '[' ("title" vs "title.text",
 * "countries_occurred[1]" vs "countries_occurred"). */
static int err_matches(const char *err, const char *name)
{
    size_t a = strlen(err), b = strlen(name);
    if (!a)
        return 0;
    if (a == b)
        return !strcmp(err, name);
    if (a > b)
        return !strncmp(err, name, b) && (err[b] == '.' || err[b] == '[');
    return !strncmp(err, name, a) && (name[a] == '.' || name[a] == '[');
}

/* ---- markup -------------------------------------------------------------- */

static int field_begin(form_ctx *c, const char *name, const char *label_key,
                       int required, int group)
{
    web_page *p = c->p;
    int bad = c->err && !c->err_shown && err_matches(c->err->field, name);
    web__page_raw(p, group ? "<fieldset class=\"field\" data-field=\""
                      : "<div class=\"field\" data-field=\"");
    web__page_text(p, name);
    web__page_raw(p, group ? "\"><legend>" : "\"><label for=\"");
    if (!group) {
        web__page_text(p, name);
        web__page_raw(p, "\">");
    }
    web__page_t(p, label_key);
    if (required) {
        web__page_raw(p, " <span class=\"req\" title=\"");
        web__page_t(p, "form.required_to_submit");
        web__page_raw(p, "\">*</span>");
    }
    web__page_raw(p, group ? "</legend>" : "</label>");
    if (bad) {
        c->err_shown = 1;
        c->err_n++;
        web__page_rawf(p, "<p class=\"field-error\" id=\"err-%d\" data-field=\"",
                  c->err_n);
        web__page_text(p, name);
        web__page_raw(p, "\">");
        /* the registry speaks English; its commonest complaint is said in
         * the page's language, the rest as the registry wrote it, marked as
         * English after a sentence in the page's language */
        if (strstr(c->err->msg, "is required to publish")) {
            web__page_t(p, "form.err_required");
        } else if (p->lang_index == WEB_LANG_EN) {
            web__page_text(p, c->err->msg);
        } else {
            web__page_t(p, "form.err_invalid");
            web__page_raw(p, " ");
            web__page_text_lang(p, c->err->msg, "en");
        }
        web__page_raw(p, "</p>");
    }
    return bad;
}

static void invalid_attrs(form_ctx *c, int bad)
{
    if (bad)
        web__page_rawf(c->p, " aria-invalid=\"true\" aria-describedby=\"err-%d\"",
                  c->err_n);
}

static void text_field(form_ctx *c, const char *name, const char *label_key,
                       int required, const char *extra)
{
    web_page *p = c->p;
    int bad = field_begin(c, name, label_key, required, 0);
    web__page_raw(p, "<input id=\"");
    web__page_text(p, name);
    web__page_raw(p, "\" name=\"");
    web__page_text(p, name);
    web__page_raw(p, "\" value=\"");
    web__page_text(p, val(c, name));
    web__page_raw(p, "\"");
    web__page_raw(p, extra);
    invalid_attrs(c, bad);
    web__page_raw(p, "></div>\n");
}

static void area_field(form_ctx *c, const char *name, const char *label_key,
                       int required)
{
    web_page *p = c->p;
    int bad = field_begin(c, name, label_key, required, 0);
    web__page_raw(p, "<textarea id=\"");
    web__page_text(p, name);
    web__page_raw(p, "\" name=\"");
    web__page_text(p, name);
    web__page_raw(p, "\" rows=\"6\" dir=\"auto\"");
    invalid_attrs(c, bad);
    web__page_raw(p, ">");
    web__page_text(p, val(c, name));
    web__page_raw(p, "</textarea></div>\n");
}

static void select_field(form_ctx *c, const char *name, const char *label_key,
                         int required, const char *prefix,
                         const char *const *values, const char *def)
{
    web_page *p = c->p;
    int bad = field_begin(c, name, label_key, required, 0);
    const char *cur = val(c, name);
    /* a default fills what the record does not have yet (a draft may
     * lack anything) */
    if (!cur && !c->from_post)
        cur = def;
    web__page_raw(p, "<select id=\"");
    web__page_text(p, name);
    web__page_raw(p, "\" name=\"");
    web__page_text(p, name);
    web__page_raw(p, "\"");
    invalid_attrs(c, bad);
    web__page_raw(p, "><option value=\"\">\xe2\x80\x94</option>");
    for (const char *const *v = values; *v; v++) {
        web__page_raw(p, "<option value=\"");
        web__page_text(p, *v);
        web__page_raw(p, "\"");
        if (cur && !strcmp(cur, *v))
            web__page_raw(p, " selected");
        web__page_raw(p, ">");
        if (prefix)
            web__enum_label(p, prefix, *v);
        else
            web__page_text(p, *v);
        web__page_raw(p, "</option>");
    }
    web__page_raw(p, "</select></div>\n");
}

static void check_group(form_ctx *c, const char *name, const char *label_key,
                        int required, const char *prefix,
                        const char *const *values)
{
    web_page *p = c->p;
    int bad = field_begin(c, name, label_key, required, 1);
    web__page_raw(p, "<div class=\"checks\">");
    int i = 0;
    for (const char *const *v = values; *v; v++, i++) {
        web__page_raw(p, "<label class=\"check\"><input type=\"checkbox\" name=\"");
        web__page_text(p, name);
        web__page_raw(p, "\" value=\"");
        web__page_text(p, *v);
        web__page_raw(p, "\"");
        if (checked(c, name, *v))
            web__page_raw(p, " checked");
        if (bad && i == 0)
            invalid_attrs(c, bad);
        web__page_raw(p, "> ");
        web__enum_label(p, prefix, *v);
        web__page_raw(p, "</label>");
    }
    web__page_raw(p, "</div></fieldset>\n");
}

static void countries_field(form_ctx *c)
{
    web_page *p = c->p;
    const char *name = "countries_occurred";
    int bad = field_begin(c, name, "form.countries", 1, 0);
    web__page_raw(p, "<input id=\"countries_occurred\" name=\"countries_occurred\" "
                "dir=\"ltr\" autocomplete=\"off\" aria-describedby=\"hint-cc\" "
                "value=\"");
    if (c->from_post) {
        web__page_text(p, web__page_form(p, name));
    } else {
        size_t i;
        json_t *x;
        json_array_foreach(json_object_get(c->rec, name), i, x) {
            if (i)
                web__page_raw(p, ", ");
            web__page_text(p, json_string_value(x));
        }
    }
    web__page_raw(p, "\"");
    invalid_attrs(c, bad);
    web__page_raw(p, "><p class=\"hint\" id=\"hint-cc\">");
    web__page_t(p, "form.countries_hint");
    web__page_raw(p, "</p></div>\n");
}

static void render(form_ctx *c, const char *id)
{
    web_page *p = c->p;
    const char *title = web__t(p, id ? "form.edit_title" : "form.new_title");
    web__page_begin(p, title, "nav.incidents");
    web__page_raw(p, "<h1>");
    web__page_text(p, title);
    if (id) {
        web__page_raw(p, " <span class=\"kicker\" dir=\"ltr\">");
        web__page_text(p, id);
        web__page_raw(p, "</span>");
    }
    web__page_raw(p, "</h1>\n<p>");
    web__page_t(p, "form.intro");
    web__page_raw(p, "</p>\n");
    if (c->err) {
        web__page_raw(p, "<div id=\"form-errors\" class=\"error\" role=\"alert\" "
                    "tabindex=\"-1\"><p>");
        web__page_t(p, "form.has_errors");
        web__page_raw(p, "</p>");
        if (!c->err->field[0]) {
            web__page_raw(p, "<p>");
            web__page_text(p, c->err->msg);
            web__page_raw(p, "</p>");
        }
        web__page_raw(p, "</div>\n");
    }
    web__page_raw(p, "<form id=\"incident-form\" method=\"post\" class=\"stack\" "
                "novalidate action=\"");
    if (id) {
        web__page_raw(p, "/incidents/");
        web__page_urlenc(p, id);
        web__page_raw(p, "/edit\" data-id=\"");
        web__page_text(p, id);
    } else {
        web__page_raw(p, "/incidents/new\" data-id=\"");
    }
    web__page_raw(p, "\">\n");
    web__page_csrf_field(p);
    web__page_raw(p, "<fieldset><legend>");
    web__page_t(p, "form.section_what");
    web__page_raw(p, "</legend>\n");
    select_field(c, "record_type", "form.record_type", 1, "rtype",
                 record_types, "incident");
    text_field(c, "title.text", "form.title", 1,
               " dir=\"auto\" maxlength=\"500\" autocomplete=\"off\"");
    area_field(c, "description[0].text", "form.description", 1);
    {
        /* a new report defaults to the language the page is shown in */
        const char *l = val(c, "lang");
        web_page *pp = c->p;
        int bad = field_begin(c, "lang", "form.lang", 1, 0);
        web__page_raw(pp, "<input id=\"lang\" name=\"lang\" dir=\"ltr\" "
                     "autocomplete=\"off\" aria-describedby=\"hint-lang\" "
                     "value=\"");
        web__page_text(pp, l ? l : (c->from_post || c->rec) ? "" : pp->lang);
        web__page_raw(pp, "\"");
        invalid_attrs(c, bad);
        web__page_raw(pp, "><p class=\"hint\" id=\"hint-lang\">");
        web__page_t(pp, "form.lang_hint");
        web__page_raw(pp, "</p></div>\n");
    }
    select_field(c, "ai_relation", "form.ai_relation", 1, "relation",
                 relations, NULL);
    text_field(c, "occurred_start.date", "form.occurred",
               1, " dir=\"ltr\" placeholder=\"YYYY-MM-DD\" "
                  "inputmode=\"numeric\" autocomplete=\"off\"");
    countries_field(c);
    web__page_raw(p, "</fieldset>\n<fieldset><legend>");
    web__page_t(p, "form.section_harm");
    web__page_raw(p, "</legend>\n");
    select_field(c, "severity.level", "incident.severity", 1, "severity",
                 rec_severity_levels, NULL);
    check_group(c, "harm_types", "form.harm_types", 1, "harm", harm_types);
    check_group(c, "hazards", "form.hazards", 0, "hazard", hazards);
    web__page_raw(p, "</fieldset>\n<fieldset><legend>");
    web__page_t(p, "form.section_system");
    web__page_raw(p, "</legend>\n");
    select_field(c, "ai_systems[0].kind", "form.system_kind", 1, "kind", kinds,
                 "model");
    text_field(c, "ai_systems[0].name", "form.system_name", 1,
               " autocomplete=\"off\"");
    text_field(c, "ai_systems[0].version", "form.system_version", 0,
               " autocomplete=\"off\" dir=\"ltr\"");
    web__page_raw(p, "</fieldset>\n<fieldset><legend>");
    web__page_t(p, "form.section_source");
    web__page_raw(p, "</legend>\n");
    text_field(c, "references[0].url", "form.reference_url", 1,
               " type=\"url\" dir=\"ltr\" autocomplete=\"url\"");
    select_field(c, "references[0].type", "form.reference_type", 0,
                 "reftype", ref_types, "WEB");
    text_field(c, "submitter.pseudonym", "form.submitter", 1,
               " autocomplete=\"nickname\"");
    select_field(c, "tlp", "incident.tlp", 1, "tlp", rec_tlp_levels,
                 "CLEAR");
    {
        const char *l = val(c, "license");
        web_page *pp = c->p;
        int bad = field_begin(c, "license", "form.license", 1, 0);
        web__page_raw(pp, "<input id=\"license\" name=\"license\" dir=\"ltr\" "
                     "autocomplete=\"off\" value=\"");
        web__page_text(pp, l ? l : c->from_post ? "" : "CC-BY-4.0");
        web__page_raw(pp, "\"");
        invalid_attrs(c, bad);
        web__page_raw(pp, "></div>\n");
    }
    web__page_raw(p, "</fieldset>\n");
    if (c->err && !c->err_shown && c->err->field[0]) {
        /* a field this form does not edit: say which, at the end */
        web__page_raw(p, "<p class=\"field-error\" id=\"err-other\" data-field=\"");
        web__page_text(p, c->err->field);
        web__page_raw(p, "\">");
        web__page_text(p, c->err->msg);
        web__page_raw(p, "</p>\n");
    }
    web__page_raw(p, "<div class=\"actions\"><button type=\"submit\" name=\"action\" "
                "value=\"save\" id=\"save-draft\">");
    web__page_t(p, "form.save");
    web__page_raw(p, "</button> <button type=\"submit\" name=\"action\" "
                "value=\"submit\" id=\"submit-review\" class=\"primary\">");
    web__page_t(p, "form.submit");
    web__page_raw(p, "</button></div>\n</form>\n");
    web__page_end(p, "form.js");
}

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

/* The form's fields as a merge patch (null deletes) over rec. */
static json_t *form_patch(web_page *p, const json_t *rec)
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
        size_t n = strlen(date);
        const char *prec = n == 4 ? "year" : n == 7 ? "month"
                                         : n == 10 ? "day" : "unknown";
        put(patch, "occurred_start",
            json_pack("{s:s, s:s}", "date", date, "precision", prec));
    } else {
        put(patch, "occurred_start", NULL);
    }

    json_t *cc = json_array();
    const char *cs = web__page_form(p, "countries_occurred");
    while (cs && *cs) {
        size_t skip = strspn(cs, " ,;\t");
        cs += skip;
        size_t n = strcspn(cs, " ,;\t");
        if (n) {
            char code[16];
            if (n >= sizeof code)
                n = sizeof code - 1;
            for (size_t i = 0; i < n; i++)
                code[i] = (cs[i] >= 'a' && cs[i] <= 'z')
                              ? (char)(cs[i] - 'a' + 'A')
                              : cs[i];
            code[n] = '\0';
            json_array_append_new(cc, json_string(code));
        }
        cs += strcspn(cs, " ,;\t");
    }
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
static json_t *content_of(const json_t *rec, const json_t *patch)
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

static int created_id(const char *out, char id[32])
{
    json_t *o = json_loads(out, 0, NULL);
    const char *s = json_string_value(json_object_get(o, "id"));
    size_t n = s ? strlen(s) : 32;
    int ok = n < 32;
    if (ok)
        memcpy(id, s, n + 1);
    json_decref(o);
    return ok ? 0 : -1;
}

/* Save (and submit); 0 with id set, or the registry's status with e. */
static int save(web_page *p, const char *edit_id, json_t *rec,
                const char *state, char id[32], osafe_err *e)
{
    json_t *patch = form_patch(p, rec);
    char *body = NULL, *out = NULL;
    int rc;
    if (!edit_id) {
        json_t *c = content_of(NULL, patch);
        body = json_dumps(c, JSON_COMPACT);
        json_decref(c);
        rc = body ? reg_create(p->reg, &p->caller, body, strlen(body), &out, e)
                  : osafe_errf(e, OSAFE_ENOMEM, "out of memory");
        if (!rc && created_id(out, id) != 0)
            rc = osafe_errf(e, OSAFE_EIO, "no id in the registry's answer");
    } else if (!strcmp(state, "published")) {
        json_t *c = content_of(rec, patch);
        body = json_dumps(c, JSON_COMPACT);
        json_decref(c);
        rc = body ? reg_amend(p->reg, &p->caller, edit_id, body, strlen(body),
                              &out, e)
                  : osafe_errf(e, OSAFE_ENOMEM, "out of memory");
        snprintf(id, 32, "%s", edit_id);
    } else {
        body = json_dumps(patch, JSON_COMPACT);
        rc = body ? reg_patch(p->reg, &p->caller, edit_id, body, strlen(body),
                              &out, e)
                  : osafe_errf(e, OSAFE_ENOMEM, "out of memory");
        snprintf(id, 32, "%s", edit_id);
    }
    free(body);
    free(out);
    out = NULL;
    json_decref(patch);
    if (!rc && web__page_form(p, "action") &&
        !strcmp(web__page_form(p, "action"), "submit")) {
        rc = reg_submit(p->reg, &p->caller, id, &out, e);
        free(out);
    }
    return rc;
}

static int http_of(int code)
{
    switch (code) {
    case OSAFE_EINVAL: return 422;
    case OSAFE_EAUTH: return 401;
    case OSAFE_EPERM: return 403;
    case OSAFE_ENOTFOUND: return 404;
    case OSAFE_ESTATE: return 409;
    default: return 500;
    }
}

void web__page_incident_form(web_page *p, const char *id)
{
    if (!p->logged_in)
        return web__page_error(p, 401, "form.login_needed");
    form_ctx c = {p, NULL, 0, NULL, 0, 0};
    reg_meta m;
    memset(&m, 0, sizeof m);
    if (id) {
        char *body;
        size_t len;
        osafe_err e;
        if (reg_get(p->reg, &p->caller, id, 0, &body, &len, &m, &e) != 0)
            return web__page_error(p, 404, "error.not_found");
        c.rec = json_loadb(body, len, 0, NULL);
        free(body);
        if (!c.rec)
            return web__page_error(p, 500, "error.internal");
    }
    if (!p->is_post) {
        render(&c, id);
        json_decref(c.rec);
        return;
    }
    if (!web__page_csrf_ok(p)) {
        json_decref(c.rec);
        return;
    }
    osafe_err e;
    memset(&e, 0, sizeof e);
    char newid[32] = "";
    int rc = save(p, id, c.rec, m.state, newid, &e);
    if (!rc) {
        json_decref(c.rec);
        char loc[64];
        snprintf(loc, sizeof loc, "/incidents/%s", newid);
        return web__page_redirect(p, loc);
    }
    if (rc != OSAFE_EINVAL && rc != OSAFE_ESTATE && rc != OSAFE_EPERM) {
        json_decref(c.rec);
        if (rc == OSAFE_ENOTFOUND || rc == OSAFE_EAUTH)
            return web__page_error(p, http_of(rc), "error.not_found");
        fprintf(stderr, "osafe serve: web form: %s\n", e.msg);
        return web__page_error(p, 500, "error.internal");
    }
    /* A new report saved as a draft but refused at submission is now a
     * draft with an id: show it as its edit form. */
    const char *shown = id;
    if (!id && newid[0])
        shown = newid;
    c.from_post = 1;
    c.err = &e;
    web__page_status(p, http_of(rc));
    render(&c, shown);
    json_decref(c.rec);
}
