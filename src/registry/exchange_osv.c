/*
 * exchange_osv.c - OSV (ossf/osv-schema 1.x) <-> native records.
 *
 * Import mapping:
 *   id               -> aliases[0]; source_key "osv:<id>"
 *   aliases          -> aliases; upstream -> related "upstream";
 *                       related -> related "related"
 *   record_type      vulnerability; severity level "hazard"; ai_relation
 *                    "unclear"; occurred_start unknown; detected = the date
 *                    of published
 *   summary          -> title (else the first line of details)
 *   details          -> description, lang "en" (else the summary)
 *   severity[]       -> scores {system = type, value = score, source "OSV"}
 *   affected[]       -> ai_systems {kind "component", name = package.name,
 *                       identifiers [purl] (package.purl, else built from
 *                       ecosystem + name for the ecosystems in purl_types),
 *                       affected {ranges, versions} copied}
 *   references       -> references (OSV types are ours too), plus
 *                       https://osv.dev/vulnerability/<id>
 *   credits          -> credits {name, type, contact}
 *   database_specific.cwe_ids -> classifications CWE
 *   license          hint, else GHSA-* "CC-BY-4.0" (github/advisory-database),
 *                    RUSTSEC-* "CC0-1.0" (rustsec/advisory-db), else
 *                    "NOASSERTION"
 * Rejected: not an object, no id (or one with characters outside
 * [A-Za-z0-9._:-]), neither summary nor details, malformed affected /
 * references.  Our own exports (database_specific.osafe) import again:
 * their osafe id is the alias (not the "x_" id), and the record members
 * kept under database_specific.osafe come back as they were.
 *
 * Export: id "x_<our id>" until an OSV prefix is registered; summary,
 * details (English when present), aliases, related/upstream, CVSS scores as
 * severity, affected for ai_systems with a pkg: purl (DIGEST ranges become
 * explicit versions), references (NEWS/PAPER -> ARTICLE, SOCIAL ->
 * DISCUSSION, FILING -> REPORT), credits, and everything else AI-specific in
 * database_specific.osafe (including the canonical id and URL).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/exchange.h"

static const char *const purl_types[][2] = {
    {"PyPI", "pypi"},       {"npm", "npm"},
    {"crates.io", "cargo"}, {"Go", "golang"},
    {"Maven", "maven"},     {"RubyGems", "gem"},
    {"NuGet", "nuget"},     {"Packagist", "composer"},
    {"Hex", "hex"},         {"Pub", "pub"},
    {"Hackage", "hackage"}, {"CRAN", "cran"},
};

static const char *const osv_ref_types[] = {
    "ADVISORY",   "ARTICLE", "DETECTION", "DISCUSSION", "REPORT", "FIX",
    "INTRODUCED", "GIT",     "PACKAGE",   "EVIDENCE",   "WEB"};

static int osv_id_ok(const char *id)
{
    if (!id || !*id || strlen(id) > 120)
        return 0;
    for (const char *p = id; *p; p++) {
        char c = *p;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' ||
              c == '-'))
            return 0;
    }
    return 1;
}

static int known_ref_type(const char *t)
{
    for (size_t i = 0; t && i < sizeof osv_ref_types / sizeof *osv_ref_types;
         i++)
        if (!strcmp(t, osv_ref_types[i]))
            return 1;
    return 0;
}

/* purl of ecosystem + name, or "" when the ecosystem has no purl type. */
static void make_purl(const char *eco, const char *name, char *out, size_t cap)
{
    out[0] = '\0';
    const char *type = NULL;
    for (size_t i = 0; eco && i < sizeof purl_types / sizeof *purl_types; i++)
        if (!strcmp(eco, purl_types[i][0]))
            type = purl_types[i][1];
    if (!type || !name || !*name)
        return;
    size_t k = (size_t)snprintf(out, cap, "pkg:%s/", type);
    for (const char *p = name; *p && k + 4 < cap; p++) {
        unsigned char c = (unsigned char)*p;
        if (!strcmp(type, "maven") && c == ':')
            c = '/';
        if (!strcmp(type, "pypi")) {
            if (c >= 'A' && c <= 'Z')
                c = (unsigned char)(c + 32);
            if (c == '_')
                c = '-';
        }
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
            (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_' ||
            c == '~' || c == '/')
            out[k++] = (char)c;
        else
            k += (size_t)snprintf(out + k, cap - k, "%%%02X", c);
    }
    if (k + 4 >= cap)
        out[0] = '\0'; /* too long: no purl rather than a wrong one */
    else
        out[k] = '\0';
}

/* Parse "pkg:type/name[@version][?q][#s]" into OSV ecosystem and name. */
static int parse_purl(const char *purl, const char **eco, char *name,
                      size_t cap)
{
    if (strncmp(purl, "pkg:", 4))
        return 0;
    const char *t = purl + 4, *slash = strchr(t, '/');
    if (!slash)
        return 0;
    *eco = NULL;
    for (size_t i = 0; i < sizeof purl_types / sizeof *purl_types; i++)
        if (strlen(purl_types[i][1]) == (size_t)(slash - t) &&
            !strncmp(t, purl_types[i][1], (size_t)(slash - t)))
            *eco = purl_types[i][0];
    if (!*eco)
        return 0;
    const char *p = slash + 1;
    size_t n = strcspn(p, "?#");
    const char *at = NULL;
    for (size_t i = 0; i < n; i++)
        if (p[i] == '@')
            at = p + i;
    if (at)
        n = (size_t)(at - p);
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < cap; i++) {
        char c = p[i];
        if (c == '%' && i + 2 < n) {
            char hx[3] = {p[i + 1], p[i + 2], 0};
            c = (char)strtol(hx, NULL, 16);
            i += 2;
        } else if (c == '/' && !strcmp(*eco, "Maven")) {
            c = ':';
        }
        name[k++] = c;
    }
    name[k] = '\0';
    return k > 0;
}

static const char *osv_license(const char *id, const char *hint)
{
    if (hint)
        return hint;
    if (!strncmp(id, "GHSA-", 5))
        return "CC-BY-4.0";
    if (!strncmp(id, "RUSTSEC-", 8))
        return "CC0-1.0";
    return "NOASSERTION";
}

static int add_related(json_t *rec, const json_t *ids, const char *relation)
{
    int bad = 0;
    size_t i;
    const json_t *x;
    json_array_foreach (ids, i, x) {
        if (!osv_id_ok(json_string_value(x)))
            continue;
        json_t *rel = json_object_get(rec, "related");
        if (!rel)
            bad |= json_object_set_new(rec, "related", rel = json_array());
        bad |= json_array_append_new(rel, json_pack("{s:s, s:s}", "id",
                                                    json_string_value(x),
                                                    "relation", relation));
    }
    return bad;
}

/* One OSV credit {name, type?, contact?}: the same members in both
 * formats, so import and export share this copy.  NULL when nameless. */
static json_t *osv_credit(const json_t *x)
{
    const char *name = exch__str(x, "name");
    if (!exch__nonblank(name))
        return NULL;
    json_t *c = json_pack("{s:s}", "name", name);
    if (c && exch__str(x, "type"))
        json_object_set_new(c, "type", json_string(exch__str(x, "type")));
    if (c && json_is_array(json_object_get(x, "contact")))
        json_object_set_new(c, "contact",
                            json_deep_copy(json_object_get(x, "contact")));
    return c;
}

/* The checks before mapping: 1 when the item was rejected. */
static int osv_check(exch_item *it, const json_t *o)
{
    if (!json_is_object(o)) {
        exch__reject(it, "record: not a JSON object");
        return 1;
    }
    const char *id = exch__str(o, "id");
    if (!osv_id_ok(id)) {
        exch__reject(it, "id: missing or not an OSV id");
        return 1;
    }
    exch__key(it, "osv:%s", id);
    if (!exch__nonblank(exch__str(o, "summary")) &&
        !exch__nonblank(exch__str(o, "details"))) {
        exch__reject(it, "summary / details: both missing or empty");
        return 1;
    }
    static const char *const lists[] = {"affected", "references", "aliases",
                                        "related",  "upstream",   "severity",
                                        "credits"};
    for (size_t k = 0; k < sizeof lists / sizeof *lists; k++) {
        const json_t *v = json_object_get(o, lists[k]);
        if (v && !json_is_array(v) && !json_is_null(v)) {
            exch__reject(it, "%s: not a list", lists[k]);
            return 1;
        }
    }
    size_t i;
    const json_t *x;
    json_array_foreach (json_object_get(o, "affected"), i, x) {
        const json_t *pkg = json_object_get(x, "package");
        if (!json_is_object(x) || (pkg && !json_is_object(pkg))) {
            exch__reject(it, "affected[%zu]: not an object with a package", i);
            return 1;
        }
    }
    json_array_foreach (json_object_get(o, "references"), i, x) {
        if (!exch__str(x, "url")) {
            exch__reject(it, "references[%zu]: no url", i);
            return 1;
        }
    }
    const json_t *own = exch__path(o, "database_specific.osafe");
    if (own && !exch__nonblank(exch__str(own, "id"))) {
        exch__reject(it, "database_specific.osafe.id: missing in a record "
                         "exported by osafe");
        return 1;
    }
    return 0;
}

/* title, description, dates and scores. */
static int osv_text(json_t *rec, const json_t *o, int own)
{
    const char *summary = exch__str(o, "summary");
    const char *details = exch__str(o, "details");
    int bad = 0;
    if (exch__nonblank(summary)) {
        bad |= exch__set_title(rec, "en", summary);
    } else {
        char *first = strndup(details, strcspn(details, "\n"));
        bad |=
            !first ||
            exch__set_title(rec, "en", exch__nonblank(first) ? first : details);
        free(first);
    }
    bad |= exch__add_description(rec, "en",
                                 exch__nonblank(details) ? details : summary);
    bad |= json_object_set_new(rec, "ai_relation", json_string("unclear"));
    bad |= exch__set_pdate(rec, "occurred_start", NULL);
    /* Our own "published" is the publication, not a detection. */
    const char *pub = exch__str(o, "published");
    if (!own && pub && strlen(pub) >= 10) {
        char d[11];
        memcpy(d, pub, 10);
        d[10] = '\0';
        if (exch__date_precision(d))
            bad |= exch__set_pdate(rec, "detected", d);
    }
    size_t i;
    const json_t *x;
    json_array_foreach (json_object_get(o, "severity"), i, x) {
        const char *t = exch__str(x, "type"), *s = exch__str(x, "score");
        if (!t || !s)
            continue;
        json_t *scores = json_object_get(rec, "scores");
        if (!scores)
            bad |= json_object_set_new(rec, "scores", scores = json_array());
        bad |= json_array_append_new(scores,
                                     json_pack("{s:s, s:s, s:s}", "system", t,
                                               "value", s, "source", "OSV"));
    }
    return bad;
}

/* affected[] -> ai_systems components. */
static int osv_systems(json_t *rec, const json_t *o)
{
    size_t i;
    const json_t *x;
    int bad = 0;
    json_array_foreach (json_object_get(o, "affected"), i, x) {
        const json_t *pkg = json_object_get(x, "package");
        const char *name = exch__str(pkg, "name");
        const char *repo = NULL;
        size_t r;
        const json_t *rg;
        json_array_foreach (json_object_get(x, "ranges"), r, rg) {
            if (!repo)
                repo = exch__str(rg, "repo");
        }
        const char *given = exch__str(pkg, "purl");
        json_t *sys = exch__add_system(rec, "component",
                                       name    ? name
                                       : given ? given
                                               : repo);
        if (!sys)
            return 1;
        char purl[512];
        if (given && !strncmp(given, "pkg:", 4))
            snprintf(purl, sizeof purl, "%s", given);
        else
            make_purl(exch__str(pkg, "ecosystem"), name, purl, sizeof purl);
        if (purl[0])
            bad |=
                json_object_set_new(sys, "identifiers", json_pack("[s]", purl));
        const json_t *ranges = json_object_get(x, "ranges");
        const json_t *versions = json_object_get(x, "versions");
        if (json_array_size(ranges) || json_array_size(versions)) {
            json_t *aff = json_object();
            if (json_array_size(ranges))
                json_object_set_new(aff, "ranges", json_deep_copy(ranges));
            if (json_array_size(versions))
                json_object_set_new(aff, "versions", json_deep_copy(versions));
            bad |= json_object_set_new(sys, "affected", aff);
        }
    }
    return bad;
}

/* references, aliases, related / upstream, credits, CWE classes. */
static int osv_links(json_t *rec, const json_t *o, const char *own_id)
{
    const char *id = exch__str(o, "id");
    size_t i;
    const json_t *x;
    int bad = 0;
    json_array_foreach (json_object_get(o, "references"), i, x) {
        const char *t = exch__str(x, "type");
        bad |= exch__add_ref(rec, exch__str(x, "url"),
                             known_ref_type(t) ? t : "WEB", NULL) < 0;
    }
    if (own_id) {
        /* Our own export: its "x_" id is no OSV record, ours is the id. */
        bad |= exch__add_unique(rec, "aliases", own_id);
    } else {
        char page[200];
        snprintf(page, sizeof page, "https://osv.dev/vulnerability/%s", id);
        bad |= exch__add_ref(rec, page, "ADVISORY", "OSV record") < 0;
        bad |= exch__add_unique(rec, "aliases", id);
    }
    json_array_foreach (json_object_get(o, "aliases"), i, x) {
        if (osv_id_ok(json_string_value(x)))
            bad |= exch__add_unique(rec, "aliases", json_string_value(x));
    }
    bad |= add_related(rec, json_object_get(o, "upstream"), "upstream");
    bad |= add_related(rec, json_object_get(o, "related"), "related");
    json_array_foreach (json_object_get(o, "credits"), i, x) {
        json_t *c = osv_credit(x);
        if (!c)
            continue;
        json_t *cr = json_object_get(rec, "credits");
        if (!cr)
            bad |= json_object_set_new(rec, "credits", cr = json_array());
        const char *t = exch__str(x, "type");
        if (t && (!strcmp(t, "REPORTER") || !strcmp(t, "FINDER")) &&
            !json_object_get(rec, "submitter"))
            bad |= json_object_set_new(
                rec, "submitter",
                json_pack("{s:s, s:s}", "pseudonym", exch__str(x, "name"),
                          "role", "researcher"));
        bad |= json_array_append_new(cr, c);
    }
    json_array_foreach (exch__path(o, "database_specific.cwe_ids"), i, x) {
        if (exch__nonblank(json_string_value(x)))
            bad |=
                exch__add_class(rec, "CWE", NULL, json_string_value(x), NULL);
    }
    return bad;
}

/* What our export keeps under database_specific.osafe: the record's own
 * members, restored as they were. */
static const char *const own_keep[] = {
    "record_type", "severity",       "harm_types",   "hazards",
    "countries_occurred", "occurred_start", "occurred_end", "ai_relation",
    "ai_systems",  "classifications", "lifecycle_stages", "entities",
    "license",     "tlp",            "lang",         "title"};

static int osv_map(exch_item *it, json_t *o, const char *hint)
{
    if (osv_check(it, o))
        return 0;
    const json_t *own = exch__path(o, "database_specific.osafe");
    const char *own_id = exch__str(own, "id");
    json_t *rec = exch__draft("vulnerability", "en");
    if (!rec)
        return -1;
    int bad = osv_text(rec, o, own != NULL);
    bad |= osv_systems(rec, o);
    bad |= osv_links(rec, o, own_id);
    for (size_t k = 0; own && k < sizeof own_keep / sizeof *own_keep; k++) {
        const json_t *v = json_object_get(own, own_keep[k]);
        if (v)
            bad |= json_object_set_new(rec, own_keep[k], json_deep_copy(v));
    }
    const char *own_lic = exch__str(own, "license");
    bad |= exch__finish(rec, "osv", o,
                        hint      ? hint
                        : own_lic ? own_lic
                                  : osv_license(exch__str(o, "id"), NULL));
    if (bad) {
        json_decref(rec);
        return -1;
    }
    it->record = rec;
    return 0;
}

int exch__import_osv(const char *text, size_t len, const char *license,
                     exch_item_fn fn, void *ctx, osafe_err *e)
{
    return exch__map_values("osv", text, len, osv_map, license, fn, ctx, e);
}

/* ---- export ------------------------------------------------------------- */

static const char *osv_ref_type(const char *t)
{
    if (!t)
        return "WEB";
    if (!strcmp(t, "NEWS") || !strcmp(t, "PAPER"))
        return "ARTICLE";
    if (!strcmp(t, "SOCIAL"))
        return "DISCUSSION";
    if (!strcmp(t, "FILING"))
        return "REPORT";
    return known_ref_type(t) ? t : "WEB";
}

static json_t *osv_affected(const json_t *rec)
{
    json_t *out = json_array();
    size_t i;
    const json_t *sys;
    json_array_foreach (json_object_get(rec, "ai_systems"), i, sys) {
        size_t k;
        const json_t *idv;
        const char *purl = NULL;
        json_array_foreach (json_object_get(sys, "identifiers"), k, idv) {
            const char *s = json_string_value(idv);
            if (!purl && s && !strncmp(s, "pkg:", 4))
                purl = s;
        }
        const char *eco;
        char name[512];
        if (!purl || !parse_purl(purl, &eco, name, sizeof name))
            continue;
        json_t *a = json_pack("{s:{s:s, s:s, s:s}}", "package", "ecosystem",
                              eco, "name", name, "purl", purl);
        json_t *ranges = json_array(), *versions = json_array();
        const json_t *aff = json_object_get(sys, "affected");
        const json_t *rg;
        json_array_foreach (json_object_get(aff, "ranges"), k, rg) {
            const char *t = exch__str(rg, "type");
            if (t && !strcmp(t, "DIGEST")) {
                size_t m;
                const json_t *ev;
                json_array_foreach (json_object_get(rg, "events"), m, ev) {
                    const char *v = exch__str(ev, "introduced");
                    if (!v)
                        v = exch__str(ev, "last_affected");
                    if (v && strcmp(v, "0"))
                        json_array_append_new(versions, json_string(v));
                }
            } else if (t) {
                json_array_append_new(ranges, json_deep_copy(rg));
            }
        }
        json_array_foreach (json_object_get(aff, "versions"), k, rg) {
            if (json_is_string(rg))
                json_array_append_new(versions, json_copy((json_t *)rg));
        }
        json_object_set_new(a, "ranges", ranges);
        json_object_set_new(a, "versions", versions);
        if (!json_array_size(ranges))
            json_object_del(a, "ranges");
        if (!json_array_size(versions))
            json_object_del(a, "versions");
        json_array_append_new(out, a);
    }
    return out;
}

int exch_export_osv(const json_t *in, json_t **out, osafe_err *e)
{
    return exch_export_osv_at(in, "CLEAR", out, e);
}

/* Set obj[key] = arr when arr has items (OSV lists are left out empty). */
static void set_nonempty(json_t *obj, const char *key, json_t *arr)
{
    if (json_array_size(arr))
        json_object_set_new(obj, key, arr);
    else
        json_decref(arr);
}

/* aliases, related and upstream ids. */
static void osv_ids_out(json_t *osv, const json_t *rec)
{
    json_t *aliases = json_array(), *related = json_array(),
           *upstream = json_array();
    size_t i;
    const json_t *x;
    json_array_foreach (json_object_get(rec, "aliases"), i, x) {
        if (json_is_string(x))
            json_array_append_new(aliases, json_copy((json_t *)x));
    }
    json_array_foreach (json_object_get(rec, "related"), i, x) {
        const char *rid = exch__str(x, "id"), *r = exch__str(x, "relation");
        if (rid)
            json_array_append_new(r && !strcmp(r, "upstream") ? upstream
                                                              : related,
                                  json_string(rid));
    }
    json_object_set_new(osv, "aliases", aliases);
    set_nonempty(osv, "related", related);
    set_nonempty(osv, "upstream", upstream);
}

/* CVSS scores, references (and the one back to us), credits. */
static void osv_lists_out(json_t *osv, const json_t *rec, const char *canon)
{
    json_t *sev = json_array(), *refs = json_array(), *credits = json_array();
    size_t i;
    const json_t *x;
    json_array_foreach (json_object_get(rec, "scores"), i, x) {
        const char *s = exch__str(x, "system"), *v = exch__str(x, "value");
        if (s && v && !strncmp(s, "CVSS_V", 6))
            json_array_append_new(
                sev, json_pack("{s:s, s:s}", "type", s, "score", v));
    }
    set_nonempty(osv, "severity", sev);
    json_object_set_new(osv, "affected", osv_affected(rec));
    json_array_foreach (json_object_get(rec, "references"), i, x) {
        const char *url = exch__str(x, "url");
        if (url)
            json_array_append_new(refs,
                                  json_pack("{s:s, s:s}", "type",
                                            osv_ref_type(exch__str(x, "type")),
                                            "url", url));
    }
    json_array_append_new(refs,
                          json_pack("{s:s, s:s}", "type", "WEB", "url", canon));
    json_object_set_new(osv, "references", refs);
    json_array_foreach (json_object_get(rec, "credits"), i, x) {
        json_t *c = osv_credit(x);
        if (c)
            json_array_append_new(credits, c);
    }
    set_nonempty(osv, "credits", credits);
}

/* database_specific.osafe: our id and URL, the AI fields OSV has no place
 * for, and the state of a withdrawn or merged record. */
static json_t *osv_own_out(const json_t *rec, const char *id,
                           const char *canon)
{
    json_t *ds = json_pack("{s:s, s:s}", "id", id, "url", canon);
    for (size_t k = 0; ds && k < sizeof own_keep / sizeof *own_keep; k++) {
        const json_t *v = json_object_get(rec, own_keep[k]);
        if (v)
            json_object_set_new(ds, own_keep[k], json_deep_copy(v));
    }
    static const char *const state_keys[] = {"state", "merged_into"};
    for (size_t k = 0; ds && k < 2 && exch__revoked(rec); k++) {
        const json_t *v = json_object_get(rec, state_keys[k]);
        if (v)
            json_object_set_new(ds, state_keys[k], json_deep_copy(v));
    }
    return json_pack("{s:o}", "osafe", ds);
}

int exch_export_osv_at(const json_t *in, const char *max_tlp, json_t **out,
                       osafe_err *e)
{
    *out = NULL;
    json_t *rec;
    int rc = exch__public_copy(in, "osv", max_tlp, &rec, e);
    if (rc)
        return rc;
    const char *id = exch__str(in, "id"); /* outlives rec */
    const char *title = exch__title_text(rec);
    const char *desc = exch__desc_text(rec, NULL);
    if (!exch__nonblank(title)) {
        json_decref(rec);
        return osafe_errf(e, OSAFE_EINVAL,
                          "osv export of %s: title is "
                          "required",
                          id);
    }
    char oid[200], now[32], canon[512];
    snprintf(oid, sizeof oid, "x_%s", id);
    exch__now(now);
    exch__canonical_url(rec, canon, sizeof canon);
    const char *modified = exch__str(rec, "modified");
    if (!modified)
        modified = exch__str(rec, "published");
    json_t *osv = json_pack("{s:s, s:s, s:s}", "schema_version", "1.6.0", "id",
                            oid, "modified", modified ? modified : now);
    if (!osv) {
        json_decref(rec);
        return osafe_errf(e, OSAFE_ENOMEM, "osv export: out of memory");
    }
    if (exch__str(rec, "published"))
        json_object_set_new(osv, "published",
                            json_string(exch__str(rec, "published")));
    if (exch__str(rec, "withdrawn"))
        json_object_set_new(osv, "withdrawn",
                            json_string(exch__str(rec, "withdrawn")));
    osv_ids_out(osv, rec);
    json_object_set_new(osv, "summary", json_string(title));
    if (desc)
        json_object_set_new(osv, "details", json_string(desc));
    osv_lists_out(osv, rec, canon);
    json_object_set_new(osv, "database_specific", osv_own_out(rec, id, canon));
    json_decref(rec);
    *out = osv;
    return 0;
}
