/*
 * web_form.c - filing and editing a report: /incidents/new and
 * /incidents/{id}/edit.  "Save draft" creates or patches the record
 * (reg_create / reg_patch; a published record is amended, reg_amend);
 * "Submit for review" saves and then calls reg_submit.  Before anything
 * is stored the registry checks the whole record (rec_validate_all); every
 * complaint names its field (a JSON path such as "ai_systems[0].name") and
 * its kind, shown next to that field in the page's language, and a refused
 * form stores nothing.  What people type (dates, country names) is made
 * ISO first (web_form_input.c).  POST /incidents/{id}/discard lets the
 * owner drop a draft never published (reg_discard).
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
 * id="err-N-I" data-field="NAME" data-kind="KIND">, the summary <div
 * id="form-errors" role="alert"> with one <li data-field> per complaint,
 * buttons <button name="action" value="save" id="save-draft"> and
 * value="submit" id="submit-review"; <form id="discard-form"> with
 * #discard-confirm and #discard-draft.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/validate.h"
#include "server/web_form_int.h"
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

typedef struct form_ctx {
    web_page *p;
    json_t *rec;      /* the record being edited (NULL: new) */
    int from_post;    /* values come from the submitted form */
    const rec_errors *errs; /* every complaint, or NULL */
    const json_t *sent;     /* the record as sent (the values complained of) */
    unsigned char shown[OSAFE_REC_ERRORS_MAX]; /* complaint found its field */
    int err_n;        /* the id of the last error paragraph */
    int can_discard;  /* a draft never published: offer to discard it */
} form_ctx;

/* The form's fields and their labels, for the summary of complaints. */
static const struct {
    const char *name, *label;
} labels[] = {
    {"record_type", "form.record_type"},
    {"title.text", "form.title"},
    {"description[0].text", "form.description"},
    {"lang", "form.lang"},
    {"ai_relation", "form.ai_relation"},
    {"occurred_start.date", "form.occurred"},
    {"countries_occurred", "form.countries"},
    {"severity.level", "incident.severity"},
    {"harm_types", "form.harm_types"},
    {"hazards", "form.hazards"},
    {"ai_systems[0].kind", "form.system_kind"},
    {"ai_systems[0].name", "form.system_name"},
    {"ai_systems[0].version", "form.system_version"},
    {"references[0].url", "form.reference_url"},
    {"references[0].type", "form.reference_type"},
    {"submitter.pseudonym", "form.submitter"},
    {"tlp", "incident.tlp"},
    {"license", "form.license"},
};

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

/* The complaint in the page's language: a sentence per kind; the value
 * complained of when it is one the person typed. */
static void error_text(form_ctx *c, const rec_error *r)
{
    web_page *p = c->p;
    char key[48];
    snprintf(key, sizeof key, "form.err.%s", r->kind);
    if (!web__t_exact(p->app, WEB_LANG_EN, key))
        snprintf(key, sizeof key, "form.err.invalid");
    const char *v = json_string_value(path_get((json_t *)c->sent, r->field));
    if (v && *v && strcmp(r->kind, "required")) {
        web__page_raw(p, "\xe2\x80\x9c<bdi>");
        web__page_text(p, v);
        web__page_raw(p, "</bdi>\xe2\x80\x9d: ");
    }
    web__page_t(p, key);
}

static int field_begin(form_ctx *c, const char *name, const char *label_key,
                       int required, int group)
{
    web_page *p = c->p;
    int bad = 0;
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
    for (size_t i = 0; c->errs && i < c->errs->n; i++) {
        const rec_error *r = &c->errs->v[i];
        if (c->shown[i] || !err_matches(r->field, name))
            continue;
        c->shown[i] = 1;
        if (!bad)
            bad = ++c->err_n;
        web__page_rawf(p, "<p class=\"field-error\" id=\"err-%d-%zu\" "
                     "data-field=\"", bad, i);
        web__page_text(p, name);
        web__page_raw(p, "\" data-kind=\"");
        web__page_text(p, r->kind);
        web__page_raw(p, "\">");
        error_text(c, r);
        web__page_raw(p, "</p>");
    }
    return bad;
}

/* aria-invalid, and aria-describedby naming the hint (if any) and every
 * error paragraph of this field. */
static void invalid_attrs(form_ctx *c, int bad, const char *hint)
{
    if (!bad && !hint)
        return;
    if (bad)
        web__page_raw(c->p, " aria-invalid=\"true\"");
    web__page_raw(c->p, " aria-describedby=\"");
    web__page_raw(c->p, hint ? hint : "");
    size_t k = hint ? 1 : 0;
    for (size_t i = 0; bad && i < c->errs->n; i++)
        if (c->shown[i] && c->errs->v[i].field[0] &&
            !(c->shown[i] & 2)) {
            web__page_rawf(c->p, "%serr-%d-%zu", k++ ? " " : "", bad, i);
            c->shown[i] |= 2;
        }
    web__page_raw(c->p, "\"");
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
    invalid_attrs(c, bad, NULL);
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
    invalid_attrs(c, bad, NULL);
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
    invalid_attrs(c, bad, NULL);
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
            invalid_attrs(c, bad, NULL);
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
                "dir=\"ltr\" autocomplete=\"off\" value=\"");
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
    invalid_attrs(c, bad, "hint-cc");
    web__page_raw(p, "><p class=\"hint\" id=\"hint-cc\">");
    web__page_t(p, "form.countries_hint");
    web__page_raw(p, "</p></div>\n");
}

static const char *label_of(const char *field)
{
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
        if (err_matches(field, labels[i].name))
            return labels[i].label;
    return NULL;
}

/* Every complaint at the top, each a link to its field, so that a screen
 * reader hears them all at once (role="alert") and can jump to each. */
static void error_summary(form_ctx *c)
{
    web_page *p = c->p;
    web__page_raw(p, "<div id=\"form-errors\" class=\"error\" role=\"alert\" "
                "tabindex=\"-1\"><p>");
    web__page_t(p, "form.has_errors");
    web__page_raw(p, "</p><ul>");
    for (size_t i = 0; i < c->errs->n; i++) {
        const rec_error *r = &c->errs->v[i];
        const char *label = label_of(r->field);
        web__page_raw(p, "<li data-field=\"");
        web__page_text(p, r->field);
        web__page_raw(p, "\">");
        if (label) {
            size_t k = 0;
            while (!err_matches(r->field, labels[k].name))
                k++;
            web__page_raw(p, "<a href=\"#");
            web__page_text(p, labels[k].name);
            web__page_raw(p, "\">");
            web__page_t(p, label);
            web__page_raw(p, "</a>: ");
            error_text(c, r);
        } else {
            web__page_text_lang(p, r->msg, "en");
        }
        web__page_raw(p, "</li>");
    }
    web__page_raw(p, "</ul></div>\n");
}

/* A form of its own (a button inside the report's form would post the
 * report); the checkbox is the confirmation, which needs no script. */
static void discard_form(web_page *p, const char *id)
{
    web__page_raw(p, "<form id=\"discard-form\" method=\"post\" class=\"stack\" "
                "action=\"/incidents/");
    web__page_urlenc(p, id);
    web__page_raw(p, "/discard\">");
    web__page_csrf_field(p);
    web__page_raw(p, "<label class=\"check\"><input type=\"checkbox\" "
                "name=\"confirm\" value=\"1\" required id=\"discard-confirm\"> ");
    web__page_t(p, "form.discard_confirm");
    web__page_raw(p, "</label> <button type=\"submit\" id=\"discard-draft\">");
    web__page_t(p, "form.discard");
    web__page_raw(p, "</button></form>\n");
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
    if (c->errs && c->errs->n)
        error_summary(c);
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
                     "autocomplete=\"off\" value=\"");
        web__page_text(pp, l ? l : (c->from_post || c->rec) ? "" : pp->lang);
        web__page_raw(pp, "\"");
        invalid_attrs(c, bad, "hint-lang");
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
        invalid_attrs(c, bad, NULL);
        web__page_raw(pp, "></div>\n");
    }
    web__page_raw(p, "</fieldset>\n");
    for (size_t i = 0; c->errs && i < c->errs->n; i++) {
        const rec_error *r = &c->errs->v[i];
        if (c->shown[i] || !r->field[0])
            continue;
        /* a field this form does not edit: say which, at the end */
        web__page_rawf(p, "<p class=\"field-error\" id=\"err-other-%zu\" "
                     "data-field=\"", i);
        web__page_text(p, r->field);
        web__page_raw(p, "\">");
        web__page_text_lang(p, r->msg, "en");
        web__page_raw(p, "</p>\n");
    }
    web__page_raw(p, "<div class=\"actions\"><button type=\"submit\" name=\"action\" "
                "value=\"save\" id=\"save-draft\">");
    web__page_t(p, "form.save");
    web__page_raw(p, "</button> <button type=\"submit\" name=\"action\" "
                "value=\"submit\" id=\"submit-review\" class=\"primary\">");
    web__page_t(p, "form.submit");
    web__page_raw(p, "</button></div>\n</form>\n");
    if (id && c->can_discard)
        discard_form(p, id);
    web__page_end(p, "form.js");
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
                const char *state, const json_t *patch, char id[32],
                osafe_err *e)
{
    char *body = NULL, *out = NULL;
    int rc;
    if (!edit_id) {
        json_t *c = form__content(NULL, patch);
        body = json_dumps(c, JSON_COMPACT);
        json_decref(c);
        rc = body ? reg_create(p->reg, &p->caller, body, strlen(body), &out, e)
                  : osafe_errf(e, OSAFE_ENOMEM, "out of memory");
        if (!rc && created_id(out, id) != 0)
            rc = osafe_errf(e, OSAFE_EIO, "no id in the registry's answer");
    } else if (!strcmp(state, "published")) {
        json_t *c = form__content(rec, patch);
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
    if (!rc && web__page_form(p, "action") &&
        !strcmp(web__page_form(p, "action"), "submit")) {
        rc = reg_submit(p->reg, &p->caller, id, &out, e);
        free(out);
    }
    return rc;
}

/* Every complaint about the record the form would store, before anything
 * is stored: a refused form leaves no record behind.  Submitting checks it
 * as the review will; a draft needs at least its title, so that an empty
 * form saves nothing ("(untitled)" drafts nobody can find). */
static int check_sent(web_page *p, const json_t *sent, rec_errors *errs,
                      osafe_err *e)
{
    const char *action = web__page_form(p, "action");
    int submit = action && !strcmp(action, "submit");
    int rc = rec_validate_all(sent, submit, 1, errs, e);
    if (!submit && !json_object_get(sent, "title") &&
        errs->n < OSAFE_REC_ERRORS_MAX) {
        rec_error *r = &errs->v[errs->n++];
        snprintf(r->field, sizeof r->field, "title.text");
        snprintf(r->kind, sizeof r->kind, "title_needed");
        snprintf(r->msg, sizeof r->msg, "a draft needs at least a title");
        if (!rc)
            rc = osafe_err_field(e, OSAFE_EINVAL, r->field, "%s", r->msg);
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
    form_ctx c;
    memset(&c, 0, sizeof c);
    c.p = p;
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
    c.can_discard = id && !strcmp(m.state, "draft") && m.version == 1;
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
    int rc = OSAFE_ENOMEM;
    rec_errors *errs = calloc(1, sizeof *errs);
    json_t *patch = form__patch(p, c.rec);
    json_t *sent = form__content(c.rec, patch);
    if (errs)
        rc = check_sent(p, sent, errs, &e);
    if (!rc)
        rc = save(p, id, c.rec, m.state, patch, newid, &e);
    json_decref(patch);
    if (!rc) {
        json_decref(c.rec);
        json_decref(sent);
        free(errs);
        char loc[64];
        snprintf(loc, sizeof loc, "/incidents/%s", newid);
        return web__page_redirect(p, loc);
    }
    if (!errs || (rc != OSAFE_EINVAL && rc != OSAFE_ESTATE &&
                  rc != OSAFE_EPERM)) {
        json_decref(c.rec);
        json_decref(sent);
        free(errs);
        if (rc == OSAFE_ENOTFOUND || rc == OSAFE_EAUTH)
            return web__page_error(p, http_of(rc), "error.not_found");
        fprintf(stderr, "osafe serve: web form: %s\n", e.msg);
        return web__page_error(p, 500, "error.internal");
    }
    if (!errs->n) { /* the registry's own refusal, after the form's checks */
        rec_error *r = &errs->v[errs->n++];
        snprintf(r->field, sizeof r->field, "%s", e.field);
        snprintf(r->kind, sizeof r->kind, "%s",
                 rc == OSAFE_EINVAL ? "invalid" : "state");
        snprintf(r->msg, sizeof r->msg, "%s", e.msg);
    }
    /* A new report saved as a draft but refused at submission is now a
     * draft with an id: show it as its edit form. */
    const char *shown = id;
    if (!id && newid[0])
        shown = newid;
    c.from_post = 1;
    c.errs = errs;
    c.sent = sent;
    web__page_status(p, http_of(rc));
    render(&c, shown);
    json_decref(c.rec);
    json_decref(sent);
    free(errs);
}

void page_incident_discard(web_page *p, const char *id)
{
    if (!p->logged_in)
        return web__page_error(p, 401, "form.login_needed");
    if (!p->is_post)
        return web__page_error(p, 405, "error.not_found");
    if (!web__page_csrf_ok(p))
        return;
    const char *ok = web__page_form(p, "confirm");
    if (!ok || strcmp(ok, "1"))
        return web__page_error(p, 422, "form.discard_confirm");
    osafe_err e;
    int rc = reg_discard(p->reg, &p->caller, id, &e);
    if (!rc)
        return web__page_redirect(p, "/incidents?discarded=1");
    if (rc == OSAFE_ENOTFOUND || rc == OSAFE_EAUTH)
        return web__page_error(p, http_of(rc), "error.not_found");
    if (rc == OSAFE_ESTATE || rc == OSAFE_EPERM)
        return web__page_error(p, http_of(rc), "form.discard_refused");
    fprintf(stderr, "osafe serve: discard: %s\n", e.msg);
    web__page_error(p, 500, "error.internal");
}
