/*
 * web_incidents.c - /incidents (list with filters, full-text search,
 * paging) and /incidents/{id} (detail, version history, log inclusion
 * proof with the in-browser check).  Everything is read with reg_list,
 * reg_search, reg_get and reg_proof as the visitor, so a page shows exactly
 * what the API would.
 *
 * Hooks: <form id="incident-filters"> with fields q, status, hazard,
 * severity, country, model, language, tlp; <table id="incident-list"> with
 * one <tr data-id="ID"> per record; <a id="next-page">; <p id="no-results">.
 * Detail: <article id="incident" data-id data-state data-version data-tlp>,
 * <h1 id="incident-title">, <div id="incident-description">,
 * <dl id="incident-facts">, <ol id="version-history">,
 * <a id="edit-link">, the verifier widget (web_log.c) in <section id="verify">
 * when the version is published.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/enc.h"
#include "core/limits.h"
#include "registry/validate.h"
#include "server/web_int.h"

/* ---- shared record helpers (web_int.h) ---------------------------------- */

const char *web__json_str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

void web__enum_label(web_page *p, const char *prefix, const char *value)
{
    if (!value || !*value) {
        web__page_raw(p, "\xe2\x80\x94");
        return;
    }
    char key[96];
    size_t n = (size_t)snprintf(key, sizeof key, "%s.", prefix);
    for (const char *s = value; *s && n + 1 < sizeof key; s++) {
        char c = *s;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        else if (c == '+')
            c = '-';
        key[n++] = c;
    }
    key[n] = '\0';
    const char *t = web__t(p, key);
    if ((t == key || !strcmp(t, key)) && !strcmp(prefix, "hazard")) {
        /* a sub-hazard the catalogue lacks: its parent's name, and the
         * code itself so that it stays distinct ("spc_xyz" -> "Specialized
         * advice (spc_xyz)") */
        const char *parent = web__hazard_parent(p, value);
        if (parent) {
            web__page_text(p, parent);
            web__page_raw(p, " (<span dir=\"ltr\">");
            web__page_text(p, value);
            web__page_raw(p, "</span>)");
            return;
        }
    }
    /* an unknown value shows as itself, never as a key */
    web__page_text(p, t == key || !strcmp(t, key) ? value : t);
}

const char *web__hazard_parent(web_page *p, const char *value)
{
    const char *us = strchr(value, '_');
    char key[32];
    if (!us || us == value ||
        snprintf(key, sizeof key, "hazard.%.*s", (int)(us - value), value) >=
            (int)sizeof key)
        return NULL;
    const char *t = web__t(p, key);
    return t == key || !strcmp(t, key) ? NULL : t;
}

void web__record_title(web_page *p, const json_t *rec)
{
    const json_t *t = json_object_get(rec, "title");
    const char *text = web__json_str(t, "text");
    if (!text || !*text) {
        web__page_raw(p, "<span class=\"muted\">");
        web__page_t(p, "incident.untitled");
        web__page_raw(p, "</span>");
        return;
    }
    web__page_text_lang(p, text, web__json_str(t, "lang"));
}

/* The state shown for an entry of a list (the list's "state" wins over the
 * record's own field: withdrawn and merged are the record's). */
static void state_badge(web_page *p, const char *state)
{
    web__page_raw(p, "<span class=\"badge state-");
    web__page_text(p, state ? state : "");
    web__page_raw(p, "\">");
    web__enum_label(p, "state", state);
    web__page_raw(p, "</span>");
}

void web__record_rows(web_page *p, const json_t *records, int show_state)
{
    size_t i;
    json_t *it;
    json_array_foreach(records, i, it) {
        const char *id = web__json_str(it, "id");
        const json_t *rec = json_object_get(it, "record");
        if (!id)
            continue;
        web__page_raw(p, "<tr data-id=\"");
        web__page_text(p, id);
        web__page_raw(p, "\"><td class=\"id\"><a href=\"/incidents/");
        web__page_urlenc(p, id);
        web__page_raw(p, "\" dir=\"ltr\">");
        web__page_text(p, id);
        web__page_raw(p, "</a></td><td>");
        web__record_title(p, rec);
        web__page_raw(p, "</td>");
        if (show_state) {
            web__page_raw(p, "<td>");
            state_badge(p, web__json_str(it, "state"));
            web__page_raw(p, "</td>");
        }
        web__page_raw(p, "<td>");
        web__enum_label(p, "severity",
                       web__json_str(json_object_get(rec, "severity"),
                                    "level"));
        web__page_raw(p, "</td><td>");
        const char *d =
            web__json_str(json_object_get(rec, "occurred_start"), "date");
        if (d)
            web__page_date(p, d);
        web__page_raw(p, "</td><td>");
        web__enum_label(p, "tlp", web__json_str(it, "tlp"));
        web__page_raw(p, "</td></tr>\n");
    }
}

void web__record_table_head(web_page *p, const char *id, int show_state)
{
    /* a region that scrolls sideways on a phone must take focus, so the
     * keyboard can scroll it too */
    web__page_raw(p, "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" "
                "aria-label=\"");
    web__page_t(p, "incidents.title");
    web__page_raw(p, "\"><table id=\"");
    web__page_text(p, id);
    web__page_raw(p, "\"><thead><tr><th scope=\"col\">");
    web__page_t(p, "incident.id");
    web__page_raw(p, "</th><th scope=\"col\">");
    web__page_t(p, "incident.title");
    if (show_state) {
        web__page_raw(p, "</th><th scope=\"col\">");
        web__page_t(p, "incident.state");
    }
    web__page_raw(p, "</th><th scope=\"col\">");
    web__page_t(p, "incident.severity");
    web__page_raw(p, "</th><th scope=\"col\">");
    web__page_t(p, "incident.occurred");
    web__page_raw(p, "</th><th scope=\"col\">");
    web__page_t(p, "incident.tlp");
    web__page_raw(p, "</th></tr></thead><tbody>\n");
}

/* ---- the list ------------------------------------------------------------ */

static const char *const filter_names[] = {"status",  "hazard",   "severity",
                                           "country", "model",    "language",
                                           "tlp",     NULL};

static const char *const states[] = {"draft",     "submitted", "published",
                                     "rejected",  "withdrawn", "merged",
                                     NULL};
/* the AILuminate hazards (shared/design/risk-taxonomy.md) */
static const char *const hazards[] = {"vcr", "src", "cse", "ssh", "iwp",
                                      "ipv", "dfm", "ncr", "hte", "prv",
                                      "spc", "sxc", NULL};

static void select_field(web_page *p, const char *name, const char *label_key,
                         const char *prefix, const char *const *values,
                         const char *current)
{
    web__page_raw(p, "<div class=\"field\"><label for=\"f-");
    web__page_text(p, name);
    web__page_raw(p, "\">");
    web__page_t(p, label_key);
    web__page_raw(p, "</label><select id=\"f-");
    web__page_text(p, name);
    web__page_raw(p, "\" name=\"");
    web__page_text(p, name);
    web__page_raw(p, "\"><option value=\"\">");
    web__page_t(p, "filter.any");
    web__page_raw(p, "</option>");
    for (const char *const *v = values; *v; v++) {
        web__page_raw(p, "<option value=\"");
        web__page_text(p, *v);
        web__page_raw(p, "\"");
        if (current && !strcmp(current, *v))
            web__page_raw(p, " selected");
        web__page_raw(p, ">");
        web__enum_label(p, prefix, *v);
        web__page_raw(p, "</option>");
    }
    web__page_raw(p, "</select></div>");
}

static void text_filter(web_page *p, const char *name, const char *label_key,
                        const char *current, const char *extra)
{
    web__page_raw(p, "<div class=\"field\"><label for=\"f-");
    web__page_text(p, name);
    web__page_raw(p, "\">");
    web__page_t(p, label_key);
    web__page_raw(p, "</label><input id=\"f-");
    web__page_text(p, name);
    web__page_raw(p, "\" name=\"");
    web__page_text(p, name);
    web__page_raw(p, "\" value=\"");
    web__page_text(p, current ? current : "");
    web__page_raw(p, "\"");
    web__page_raw(p, extra);
    web__page_raw(p, "></div>");
}

static const char *nonempty(const char *s)
{
    return s && *s ? s : NULL;
}

/* The list's orders (store_filter.sort); the first is the default. */
static const char *const sort_names[] = {"newest", "oldest",   "date",
                                         "severity", "title", NULL};

static void sort_field(web_page *p, const char *current)
{
    web__page_raw(p, "<div class=\"field\"><label for=\"f-sort\">");
    web__page_t(p, "filter.sort");
    web__page_raw(p, "</label><select id=\"f-sort\" name=\"sort\">");
    for (const char *const *v = sort_names; *v; v++) {
        web__page_raw(p, "<option value=\"");
        web__page_text(p, *v);
        web__page_raw(p, strcmp(current, *v) ? "\">" : "\" selected>");
        web__enum_label(p, "sort", *v);
        web__page_raw(p, "</option>");
    }
    web__page_raw(p, "</select></div>");
}

/* A link to page n of the same filters and order. */
static void page_link(web_page *p, const char *sort, long n, const char *id,
                      const char *rel, const char *label_key, int current)
{
    web__page_raw(p, "<a");
    if (id)
        web__page_rawf(p, " id=\"%s\"", id);
    if (rel)
        web__page_rawf(p, " rel=\"%s\"", rel);
    if (current)
        web__page_raw(p, " aria-current=\"page\"");
    web__page_raw(p, " href=\"/incidents?");
    for (const char *const *f = filter_names; *f; f++) {
        const char *v = web__page_query(p, *f);
        if (!v || !*v)
            continue;
        web__page_text(p, *f);
        web__page_raw(p, "=");
        web__page_urlenc(p, v);
        web__page_raw(p, "&amp;");
    }
    web__page_raw(p, "sort=");
    web__page_urlenc(p, sort);
    web__page_rawf(p, "&amp;page=%ld\">", n);
    if (label_key)
        web__page_t(p, label_key);
    else
        web__page_int(p, n);
    web__page_raw(p, "</a> ");
}

/* Numbered pages (issue 16 item 7): previous, the first, the last, and two
 * either side of the current one, next. */
static void pager(web_page *p, const char *sort, long page, long long total)
{
    long pages = (long)((total + OSAFE_WEB_LIST_LIMIT - 1) /
                        OSAFE_WEB_LIST_LIMIT);
    if (pages <= 1)
        return;
    web__page_raw(p, "<nav id=\"pages\" class=\"pager\" aria-label=\"");
    web__page_t(p, "incidents.paging");
    web__page_raw(p, "\">");
    if (page > 1)
        page_link(p, sort, page - 1, "prev-page", "prev", "incidents.prev",
                  0);
    for (long n = 1; n <= pages; n++) {
        if (n != 1 && n != pages && (n < page - 2 || n > page + 2)) {
            if (n == page - 3 || n == page + 3)
                web__page_raw(p, "<span aria-hidden=\"true\">…</span> ");
            continue;
        }
        page_link(p, sort, n, NULL, NULL, NULL, n == page);
    }
    if (page < pages)
        page_link(p, sort, page + 1, "next-page", "next", "incidents.next",
                  0);
    web__page_raw(p, "</nav>\n");
}

static long page_number(web_page *p)
{
    const char *v = web__page_query(p, "page");
    char *end;
    long n = v && *v ? strtol(v, &end, 10) : 1;
    if (v && *v && (*end || n < 1 || n > OSAFE_LIST_PAGE_MAX))
        return -1;
    return n;
}

static void filter_form(web_page *p, const char *q, const store_filter *f,
                        int mirrored)
{
    web__page_raw(p, "<form id=\"incident-filters\" method=\"get\" "
                "action=\"/incidents\" class=\"filters\" role=\"search\">");
    text_filter(p, "q", "filter.search", q, " type=\"search\"");
    select_field(p, "status", "incident.state", "state", states, f->state);
    select_field(p, "severity", "incident.severity", "severity",
                 rec_severity_levels, f->severity);
    select_field(p, "tlp", "incident.tlp", "tlp", rec_tlp_levels, f->tlp);
    select_field(p, "hazard", "filter.hazard", "hazard", hazards, f->hazard);
    text_filter(p, "country", "filter.country", f->country,
                " autocomplete=\"country\" maxlength=\"2\" dir=\"ltr\"");
    text_filter(p, "model", "filter.model", f->model, " autocomplete=\"off\"");
    text_filter(p, "language", "filter.language", f->language,
                " autocomplete=\"off\" dir=\"ltr\"");
    sort_field(p, f->sort);
    /* other registries' records, never mixed with ours (web_mirror.c) */
    web__page_raw(p, "<div class=\"field check\"><input type=\"checkbox\" "
                     "id=\"f-include\" name=\"include\" value=\"mirrored\"");
    web__page_raw(p, mirrored ? " checked>" : ">");
    web__page_raw(p, "<label for=\"f-include\">");
    web__page_t(p, "filter.include_mirrored");
    web__page_raw(p, "</label></div>");
    web__page_raw(p, "<div class=\"actions\"><button type=\"submit\">");
    web__page_t(p, "filter.apply");
    web__page_raw(p, "</button> <a href=\"/incidents\">");
    web__page_t(p, "filter.clear");
    web__page_raw(p, "</a></div></form>\n");
}

void web__page_incidents(web_page *p)
{
    /* another registry's records: their own page, never mixed with ours */
    const char *origin = nonempty(web__page_query(p, "origin"));
    if (origin)
        return web__page_mirrored_list(p, origin);
    const char *q = nonempty(web__page_query(p, "q"));
    store_filter f;
    memset(&f, 0, sizeof f);
    f.state = nonempty(web__page_query(p, "status"));
    f.hazard = nonempty(web__page_query(p, "hazard"));
    f.severity = nonempty(web__page_query(p, "severity"));
    f.country = nonempty(web__page_query(p, "country"));
    f.model = nonempty(web__page_query(p, "model"));
    f.language = nonempty(web__page_query(p, "language"));
    f.tlp = nonempty(web__page_query(p, "tlp"));
    f.cursor = nonempty(web__page_query(p, "cursor"));
    f.limit = OSAFE_WEB_LIST_LIMIT;
    /* newest first unless asked; an old cursor link keeps the id order */
    f.sort = nonempty(web__page_query(p, "sort"));
    if (!f.sort)
        f.sort = f.cursor ? "id" : sort_names[0];
    long page = page_number(p);
    f.offset = page > 0 ? (int)((page - 1) * OSAFE_WEB_LIST_LIMIT) : 0;

    char *out = NULL;
    osafe_err e;
    int rc = page < 0 ? osafe_err_field(&e, OSAFE_EINVAL, "page",
                                        "page must be a positive number")
             : q ? reg_search(p->reg, &p->caller, q, OSAFE_WEB_LIST_LIMIT,
                              &out, &e)
                 : reg_list(p->reg, &p->caller, &f, &out, &e);
    json_t *doc = rc ? NULL : json_loads(out, 0, NULL);
    free(out);

    web__page_begin(p, web__t(p, "incidents.title"), "nav.incidents");
    web__page_raw(p, "<h1>");
    web__page_t(p, "incidents.title");
    web__page_raw(p, "</h1>\n");
    if (p->logged_in) {
        web__page_raw(p, "<p><a class=\"button\" href=\"/incidents/new\">");
        web__page_t(p, "nav.file");
        web__page_raw(p, "</a></p>\n");
    }
    const char *inc = nonempty(web__page_query(p, "include"));
    int mirrored = inc && !strcmp(inc, "mirrored");
    filter_form(p, q, &f, mirrored);

    if (rc) {
        web__page_raw(p, "<p id=\"list-error\" class=\"error\" role=\"alert\">");
        /* an unknown country gets its own hint (issue 16 item 8) */
        web__page_t(p, e.code != OSAFE_EINVAL        ? "error.internal"
                  : !strcmp(e.field, "country") ? "incidents.bad_country"
                                                : "incidents.bad_filter");
        web__page_raw(p, "</p>\n");
        if (e.code != OSAFE_EINVAL)
            web__page_status(p, 500);
        else
            web__page_status(p, 400);
        json_decref(doc);
        return web__page_end(p, NULL);
    }
    const json_t *records = json_object_get(doc, "records");
    const json_t *total = json_object_get(doc, "total");
    if (json_is_integer(total)) {
        web__page_rawf(p, "<p id=\"result-count\" data-value=\"%lld\">",
                  (long long)json_integer_value(total));
        web__page_t(p, "incidents.total");
        web__page_raw(p, " ");
        web__page_int(p, (long long)json_integer_value(total));
        web__page_raw(p, "</p>\n");
    }
    if (!json_array_size(records)) {
        web__page_raw(p, "<p id=\"no-results\">");
        web__page_t(p, "incidents.none");
        web__page_raw(p, "</p>\n");
    } else {
        web__record_table_head(p, "incident-list", 1);
        web__record_rows(p, records, 1);
        web__page_raw(p, "</tbody></table></div>\n");
    }
    if (q && mirrored)
        web__mirrored_matches(p, q);
    if (!q && json_is_integer(total) && strcmp(f.sort, "id"))
        pager(p, f.sort, page, (long long)json_integer_value(total));
    const char *next = web__json_str(doc, "next_cursor");
    if (!q && next && *next) {
        web__page_raw(p, "<nav aria-label=\"");
        web__page_t(p, "incidents.paging");
        web__page_raw(p, "\"><a id=\"next-page\" rel=\"next\" href=\"/incidents?");
        for (const char *const *n = filter_names; *n; n++) {
            const char *v = nonempty(web__page_query(p, *n));
            if (!v)
                continue;
            web__page_text(p, *n);
            web__page_raw(p, "=");
            web__page_urlenc(p, v);
            web__page_raw(p, "&amp;");
        }
        web__page_raw(p, "cursor=");
        web__page_urlenc(p, next);
        web__page_raw(p, "\">");
        web__page_t(p, "incidents.next");
        web__page_raw(p, "</a></nav>\n");
    }
    json_decref(doc);
    web__page_end(p, NULL);
}

/* ---- the detail ---------------------------------------------------------- */

static void fact(web_page *p, const char *key)
{
    web__page_raw(p, "<dt>");
    web__page_t(p, key);
    web__page_raw(p, "</dt><dd>");
}

static void string_list(web_page *p, const json_t *a, const char *prefix)
{
    size_t i;
    json_t *x;
    json_array_foreach(a, i, x) {
        if (i)
            web__page_raw(p, ", ");
        if (prefix)
            web__enum_label(p, prefix, json_string_value(x));
        else
            web__page_text(p, json_string_value(x));
    }
}

/* Only http(s) URLs become links; anything else is shown as text. */
static void reference(web_page *p, const json_t *r)
{
    const char *u = web__json_str(r, "url");
    if (!u)
        return;
    if (!strncmp(u, "https://", 8) || !strncmp(u, "http://", 7)) {
        web__page_raw(p, "<a rel=\"nofollow noopener noreferrer\" href=\"");
        web__page_text(p, u);
        web__page_raw(p, "\" dir=\"ltr\">");
        web__page_text(p, u);
        web__page_raw(p, "</a>");
    } else {
        web__page_text(p, u);
    }
    const char *ty = web__json_str(r, "type");
    if (ty) {
        web__page_raw(p, " <small>(");
        web__enum_label(p, "reftype", ty);
        web__page_raw(p, ")</small>");
    }
}

static void classifications(web_page *p, const json_t *rec);

static void facts(web_page *p, const json_t *rec, const reg_meta *m)
{
    web__page_raw(p, "<dl id=\"incident-facts\" class=\"facts\">");
    fact(p, "incident.state");
    state_badge(p, m->state);
    web__page_raw(p, "</dd>");
    fact(p, "incident.version");
    web__page_int(p, m->version);
    web__page_raw(p, "</dd>");
    fact(p, "incident.tlp");
    web__enum_label(p, "tlp", m->tlp);
    web__page_raw(p, "</dd>");
    if (m->log_index >= 0) {
        fact(p, "incident.log_index");
        web__page_int(p, m->log_index);
        web__page_raw(p, "</dd>");
    }
    fact(p, "form.record_type");
    web__enum_label(p, "rtype", web__json_str(rec, "record_type"));
    web__page_raw(p, "</dd>");
    fact(p, "incident.severity");
    web__enum_label(p, "severity",
                   web__json_str(json_object_get(rec, "severity"), "level"));
    web__page_raw(p, "</dd>");
    fact(p, "form.ai_relation");
    web__enum_label(p, "relation", web__json_str(rec, "ai_relation"));
    web__page_raw(p, "</dd>");
    fact(p, "incident.occurred");
    const char *d =
        web__json_str(json_object_get(rec, "occurred_start"), "date");
    if (d)
        web__page_date(p, d);
    web__page_raw(p, "</dd>");
    fact(p, "form.countries");
    string_list(p, json_object_get(rec, "countries_occurred"), NULL);
    web__page_raw(p, "</dd>");
    fact(p, "form.harm_types");
    string_list(p, json_object_get(rec, "harm_types"), "harm");
    web__page_raw(p, "</dd>");
    fact(p, "form.hazards");
    string_list(p, json_object_get(rec, "hazards"), "hazard");
    web__page_raw(p, "</dd>");
    fact(p, "form.ai_systems");
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(rec, "ai_systems"), i, x) {
        if (i)
            web__page_raw(p, "; ");
        web__page_text(p, web__json_str(x, "name"));
        const char *v = web__json_str(x, "version");
        if (v) {
            web__page_raw(p, " ");
            web__page_text(p, v);
        }
        web__page_raw(p, " <small>(");
        web__enum_label(p, "kind", web__json_str(x, "kind"));
        web__page_raw(p, ")</small>");
    }
    web__page_raw(p, "</dd>");
    classifications(p, rec);
    fact(p, "form.references");
    web__page_raw(p, "<ul class=\"plain\">");
    json_array_foreach(json_object_get(rec, "references"), i, x) {
        web__page_raw(p, "<li>");
        reference(p, x);
        web__page_raw(p, "</li>");
    }
    web__page_raw(p, "</ul></dd>");
    fact(p, "incident.submitter");
    web__page_text(p, web__json_str(json_object_get(rec, "submitter"), "pseudonym"));
    web__page_raw(p, "</dd>");
    fact(p, "form.license");
    web__page_text(p, web__json_str(rec, "license"));
    web__page_raw(p, "</dd>");
    const char *lang = web__json_str(rec, "lang");
    fact(p, "form.lang");
    web__page_raw(p, "<code>");
    web__page_text(p, lang);
    web__page_raw(p, "</code></dd></dl>\n");
}

/* Taxonomy tags as the source gave them (AVID effects, lifecycle stages
 * and risk domains, CWE, 0DIN): the namespace in the page's language, the
 * code, and the source's own label, which is English and marked so. */
static void classifications(web_page *p, const json_t *rec)
{
    const json_t *a = json_object_get(rec, "classifications");
    if (!json_array_size(a))
        return;
    fact(p, "incident.classifications");
    web__page_raw(p, "<ul class=\"plain\" id=\"incident-classifications\">");
    size_t i;
    json_t *x;
    json_array_foreach(a, i, x) {
        const char *ns = web__json_str(x, "namespace");
        const char *code = web__json_str(x, "code");
        const char *label = web__json_str(x, "label");
        web__page_raw(p, "<li data-namespace=\"");
        web__page_text(p, ns ? ns : "");
        web__page_raw(p, "\">");
        web__enum_label(p, "classns", ns);
        web__page_raw(p, ": ");
        if (ns && !strcmp(ns, "AVID-RD")) {
            web__enum_label(p, "avidrd", code); /* a word, not a code */
        } else {
            web__page_raw(p, "<code dir=\"ltr\">");
            web__page_text(p, code ? code : "?");
            web__page_raw(p, "</code>");
        }
        if (label) {
            web__page_raw(p, " <span lang=\"en\" dir=\"ltr\">");
            web__page_text(p, label);
            web__page_raw(p, "</span>");
        }
        web__page_raw(p, "</li>");
    }
    web__page_raw(p, "</ul></dd>");
}

void web__record_descriptions(web_page *p, const json_t *rec)
{
    web__page_raw(p, "<div id=\"incident-description\">");
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(rec, "description"), i, x) {
        const char *lang = web__json_str(x, "lang");
        web__page_raw(p, "<div class=\"description\"><p class=\"lang-tag\">"
                    "<span class=\"tag\" dir=\"ltr\">");
        web__page_text(p, lang ? lang : "?");
        web__page_raw(p, "</span>");
        const char *method = web__json_str(x, "method");
        if (method) {
            web__page_raw(p, " <small>");
            web__enum_label(p, "method", method);
            web__page_raw(p, "</small>");
        }
        web__page_raw(p, "</p><p class=\"text\">");
        web__page_text_lang(p, web__json_str(x, "text"), lang);
        web__page_raw(p, "</p></div>");
    }
    web__page_raw(p, "</div>\n");
}

static void history(web_page *p, const char *id, const reg_meta *cur)
{
    web__page_raw(p, "<section aria-labelledby=\"hist-h\"><h2 id=\"hist-h\">");
    web__page_t(p, "incident.history");
    web__page_raw(p, "</h2><ol id=\"version-history\" reversed>");
    /* The latest version the caller may see bounds the history; each
     * older version is asked for separately, so one the caller may not see
     * is simply absent. */
    reg_meta latest;
    char *body;
    size_t len;
    osafe_err e;
    int top = cur->version;
    if (reg_get(p->reg, &p->caller, id, 0, &body, &len, &latest, &e) == 0) {
        free(body);
        if (latest.version > top)
            top = latest.version;
    }
    for (int v = top; v >= 1; v--) {
        reg_meta m;
        if (reg_get(p->reg, &p->caller, id, v, &body, &len, &m, &e) != 0)
            continue;
        json_t *rec = json_loadb(body, len, 0, NULL);
        free(body);
        web__page_rawf(p, "<li value=\"%d\" data-version=\"%d\"", v, v);
        if (v == cur->version)
            web__page_raw(p, " aria-current=\"true\"");
        web__page_raw(p, "><a href=\"/incidents/");
        web__page_urlenc(p, id);
        web__page_rawf(p, "?version=%d\">", v);
        web__page_t(p, "incident.version");
        web__page_raw(p, " ");
        web__page_int(p, v);
        web__page_raw(p, "</a> ");
        state_badge(p, m.state);
        const char *mod = web__json_str(rec, "modified");
        if (mod) {
            web__page_raw(p, " ");
            web__page_date(p, mod);
        }
        json_decref(rec);
        web__page_raw(p, "</li>");
    }
    web__page_raw(p, "</ol></section>\n");
}

static void proof(web_page *p, const char *id, const reg_meta *m)
{
    char *out = NULL;
    osafe_err e;
    if (reg_proof(p->reg, &p->caller, id, m->version, &out, &e) != 0)
        return;
    json_t *doc = json_loads(out, 0, NULL);
    const char *b64 = web__json_str(doc, "entry");
    char *entry = NULL;
    if (b64) {
        size_t n = strlen(b64);
        entry = malloc(n + 1);
        long got = entry ? b64_decode((uint8_t *)entry, n, b64, n) : -1;
        if (got >= 0) {
            entry[got] = '\0';
        } else {
            free(entry);
            entry = NULL;
        }
    }
    web__verify_widget(p, id, m->version, entry, out);
    free(entry);
    json_decref(doc);
    free(out);
}

void web__page_incident(web_page *p, const char *id)
{
    int version = 0;
    const char *vq = web__page_query(p, "version");
    if (vq) {
        char *end;
        long v = strtol(vq, &end, 10);
        if (!*vq || *end || v < 1 || v > (1 << 30))
            return web__page_error(p, 404, "error.not_found");
        version = (int)v;
    }
    char *body;
    size_t len;
    reg_meta m;
    osafe_err e;
    if (reg_get(p->reg, &p->caller, id, version, &body, &len, &m, &e) != 0)
        return web__page_error(p, e.code == OSAFE_EAUTH ? 401 : 404,
                          "error.not_found");
    json_t *rec = json_loadb(body, len, 0, NULL);
    free(body);
    if (!rec)
        return web__page_error(p, 500, "error.internal");
    const char *title = web__json_str(json_object_get(rec, "title"), "text");
    web__page_begin(p, title && *title ? title : id, "nav.incidents");
    web__page_raw(p, "<article id=\"incident\" data-id=\"");
    web__page_text(p, id);
    web__page_raw(p, "\" data-state=\"");
    web__page_text(p, m.state);
    web__page_rawf(p, "\" data-version=\"%d\" data-tlp=\"", m.version);
    web__page_text(p, m.tlp);
    web__page_raw(p, "\">\n<p class=\"kicker\" dir=\"ltr\">");
    web__page_text(p, id);
    web__page_raw(p, "</p><h1 id=\"incident-title\">");
    web__record_title(p, rec);
    web__page_raw(p, "</h1>\n");
    if (p->logged_in && (!strcmp(m.state, "draft") ||
                         !strcmp(m.state, "submitted") ||
                         !strcmp(m.state, "published"))) {
        web__page_raw(p, "<p><a id=\"edit-link\" class=\"button\" href=\"/incidents/");
        web__page_urlenc(p, id);
        web__page_raw(p, "/edit\">");
        web__page_t(p, !strcmp(m.state, "published") ? "incident.amend"
                                                : "incident.edit");
        web__page_raw(p, "</a></p>\n");
    }
    web__record_descriptions(p, rec);
    facts(p, rec, &m);
    history(p, id, &m);
    web__page_raw(p, "</article>\n");
    int published = m.log_index >= 0;
    if (published)
        proof(p, id, &m);
    json_decref(rec);
    web__page_end(p, published ? "verify.js" : NULL);
}
