/*
 * exchange_atlas.c - MITRE ATLAS case studies -> native records (import
 * only: ATLAS is a vocabulary and case-study collection, not a feed we
 * write to).
 *
 * Input: the compiled ATLAS data YAML (dist/ATLAS.yaml: id, name, version,
 * matrices, case-studies), one case-study YAML (a bare case study, or the
 * website's download form {meta, study}).  Parsed with core/yamlx, so
 * anchors, aliases, custom tags and duplicate keys are refused.
 *
 * Mapping of one case study:
 *   id (AML.CS####)      -> aliases[0]; source_key "atlas:<id>"
 *   name                 -> title (one line, <= 120); lang "en"
 *   summary              -> description
 *   case-study-type      incident -> record_type "incident", severity
 *                        "incident"; exercise (or absent) -> "hazard",
 *                        severity "hazard" (a demonstration of plausible
 *                        harm)
 *   incident-date + incident-date-granularity (YEAR / MONTH / DATE)
 *                        -> occurred_start {date cut to the precision,
 *                        precision year / month / day}
 *   ai_relation          "targeted" (every case study is an attack on an
 *                        AI system); use_mode "malicious" for incidents
 *   target               -> ai_systems [{kind "system", name}]
 *   reporter             -> credits [{name, type "REPORTER"}]
 *   procedure[]          -> procedure [{tactic, technique, text}]
 *   techniques used      -> classifications {namespace "ATLAS", ns_version
 *                        = data version, code, label = technique name from
 *                        the matrices when the file has them}
 *   hazards / harm_types from techniques (tech_map below)
 *   references[]         -> references {url, type "WEB", title}, plus
 *                        https://atlas.mitre.org/studies/<id>
 *   actor                kept in extensions.atlas.raw only (no native
 *                        field for the adversary)
 *   countries_occurred   ["ZZ"]; license hint, else "Apache-2.0"
 *                        (mitre-atlas/atlas-data LICENSE)
 * Rejected: a case study that is not a mapping, without an AML.CS id, a
 * name or a summary, with an unknown case-study-type or a malformed date.
 */
#include <stdio.h>
#include <string.h>

#include "core/yamlx.h"
#include "registry/exchange.h"

#define ATLAS_DEFAULT_LICENSE "Apache-2.0"

static const struct {
    const char *technique, *hazard, *harm;
} tech_map[] = {
    {"AML.T0024.000", "prv", NULL}, /* infer training data membership */
    {"AML.T0024.001", "prv", NULL}, /* invert AI model */
    {"AML.T0024.002", "ipv", "economic_property"}, /* extract AI model */
    {"AML.T0057", "prv", NULL},                    /* LLM data leakage */
    {"AML.T0048.000", NULL, "economic_property"},  /* financial harm */
    {"AML.T0048.001", NULL, "reputational"},       /* reputational harm */
    {"AML.T0048.002", NULL, "public_interest"},    /* societal harm */
    {"AML.T0048.004", "ipv", "economic_property"}, /* AI IP theft */
    {"AML.T0101", NULL, "economic_property"},      /* data destruction */
};

static int cs_id_ok(const char *id)
{
    if (!id || strncmp(id, "AML.CS", 6) || !id[6] || strlen(id) > 20)
        return 0;
    for (const char *p = id + 6; *p; p++)
        if (*p < '0' || *p > '9')
            return 0;
    return 1;
}

typedef struct atlas_ctx {
    const char *license;
    const char *version; /* ATLAS data version, may be NULL */
    json_t *names;       /* technique id -> name */
    exch_item_fn fn;
    void *ctx;
    osafe_err *e;
    size_t count;
} atlas_ctx;

static int cs_map(exch_item *it, const json_t *cs, atlas_ctx *c)
{
    if (!json_is_object(cs)) {
        exch__reject(it, "case study: not a mapping");
        return 0;
    }
    const char *id = exch__str(cs, "id");
    if (!cs_id_ok(id)) {
        exch__reject(it, "id: missing or not an AML.CS id");
        return 0;
    }
    exch__key(it, "atlas:%s", id);
    const char *name = exch__str(cs, "name");
    const char *summary = exch__str(cs, "summary");
    if (!exch__nonblank(name)) {
        exch__reject(it, "name: missing or empty");
        return 0;
    }
    if (!exch__nonblank(summary)) {
        exch__reject(it, "summary: missing or empty");
        return 0;
    }
    const json_t *typev = json_object_get(cs, "case-study-type");
    const char *cst = json_string_value(typev);
    if (typev &&
        (!cst || (strcmp(cst, "incident") && strcmp(cst, "exercise")))) {
        exch__reject(it, "case-study-type: not incident or exercise");
        return 0;
    }
    int incident = cst && !strcmp(cst, "incident");
    const json_t *datev = json_object_get(cs, "incident-date");
    const char *date = json_string_value(datev);
    const char *gran = exch__str(cs, "incident-date-granularity");
    char dbuf[11] = "";
    if (datev && !json_is_null(datev)) {
        const char *prec = exch__date_precision(date);
        if (!prec) {
            exch__reject(it, "incident-date: not YYYY[-MM[-DD]]");
            return 0;
        }
        size_t keep = strlen(date);
        if (gran && !strcmp(gran, "YEAR"))
            keep = 4;
        else if (gran && !strcmp(gran, "MONTH") && keep >= 7)
            keep = 7;
        else if (gran && strcmp(gran, "DATE") && strcmp(gran, "MONTH")) {
            exch__reject(it, "incident-date-granularity: not YEAR, MONTH or "
                             "DATE");
            return 0;
        }
        memcpy(dbuf, date, keep);
        dbuf[keep] = '\0';
    }
    const json_t *proc = json_object_get(cs, "procedure");
    if (proc && !json_is_array(proc)) {
        exch__reject(it, "procedure: not a list");
        return 0;
    }
    const json_t *refs = json_object_get(cs, "references");
    if (refs && !json_is_array(refs) && !json_is_null(refs)) {
        exch__reject(it, "references: not a list");
        return 0;
    }

    json_t *rec = exch__draft(incident ? "incident" : "hazard", "en");
    if (!rec)
        return -1;
    int bad = 0;
    bad |= exch__set_title(rec, "en", name);
    bad |= exch__add_description(rec, "en", summary);
    bad |= json_object_set_new(rec, "ai_relation", json_string("targeted"));
    if (incident)
        bad |= json_object_set_new(rec, "use_mode", json_string("malicious"));
    bad |= exch__set_pdate(rec, "occurred_start", dbuf[0] ? dbuf : NULL);
    bad |=
        json_object_set_new(rec, "countries_occurred", json_pack("[s]", "ZZ"));
    bad |= json_object_set_new(rec, "severity",
                               json_pack("{s:s, s:s}", "scale", "oecd-2025",
                                         "level",
                                         incident ? "incident" : "hazard"));
    bad |= json_object_set_new(rec, "harm_types", json_array());
    bad |= json_object_set_new(rec, "hazards", json_array());
    bad |= exch__add_system(rec, "system", exch__str(cs, "target")) ? 0 : -1;
    size_t i;
    const json_t *x;
    json_t *steps = json_array();
    bad |= json_object_set_new(rec, "procedure", steps);
    json_array_foreach (proc, i, x) {
        const char *tac = exch__str(x, "tactic"),
                   *tech = exch__str(x, "technique");
        const char *text = exch__str(x, "description");
        if (!json_is_object(x))
            continue;
        json_t *step = json_object();
        if (tac)
            json_object_set_new(step, "tactic", json_string(tac));
        if (tech)
            json_object_set_new(step, "technique", json_string(tech));
        if (text)
            json_object_set_new(step, "text", json_string(text));
        bad |= json_array_append_new(steps, step);
        if (!exch__nonblank(tech))
            continue;
        bad |= exch__add_class(rec, "ATLAS", c->version, tech,
                               exch__str(c->names, tech));
        for (size_t k = 0; k < sizeof tech_map / sizeof *tech_map; k++) {
            if (strcmp(tech, tech_map[k].technique))
                continue;
            if (tech_map[k].hazard)
                bad |= exch__add_unique(rec, "hazards", tech_map[k].hazard);
            if (tech_map[k].harm)
                bad |= exch__add_unique(rec, "harm_types", tech_map[k].harm);
        }
    }
    json_array_foreach (refs, i, x) {
        const char *url = exch__str(x, "url");
        if (url)
            bad |= exch__add_ref(rec, url, "WEB", exch__str(x, "title")) < 0;
    }
    char page[96];
    snprintf(page, sizeof page, "https://atlas.mitre.org/studies/%s", id);
    bad |= exch__add_ref(rec, page, "REPORT", "MITRE ATLAS case study") < 0;
    bad |= exch__add_unique(rec, "aliases", id);
    const char *reporter = exch__str(cs, "reporter");
    if (exch__nonblank(reporter)) {
        bad |= json_object_set_new(
            rec, "credits",
            json_pack("[{s:s, s:s}]", "name", reporter, "type", "REPORTER"));
        bad |= json_object_set_new(rec, "submitter",
                                   json_pack("{s:s, s:s}", "pseudonym",
                                             reporter, "role", "researcher"));
    }
    bad |= exch__finish(rec, "atlas", (json_t *)cs, c->license);
    if (c->version)
        bad |= json_object_set_new(
            json_object_get(json_object_get(rec, "extensions"), "atlas"),
            "data_version", json_string(c->version));
    if (bad) {
        json_decref(rec);
        return -1;
    }
    it->record = rec;
    return 0;
}

static int cs_emit(atlas_ctx *c, const json_t *cs, size_t index)
{
    exch_item it;
    memset(&it, 0, sizeof it);
    exch__key(&it, "atlas:#%zu", index + 1);
    if (cs_map(&it, cs, c) < 0)
        return osafe_errf(c->e, OSAFE_ENOMEM, "atlas: out of memory at %s",
                          it.source_key);
    return exch__emit(&it, &c->count, c->fn, c->ctx, c->e);
}

/* technique and tactic id -> name, from every matrix of the data file. */
static json_t *atlas_names(const json_t *doc)
{
    json_t *names = json_object();
    size_t i, k;
    const json_t *m, *t;
    static const char *const lists[] = {"techniques", "tactics"};
    json_array_foreach (json_object_get(doc, "matrices"), i, m) {
        for (size_t l = 0; l < 2; l++) {
            json_array_foreach (json_object_get(m, lists[l]), k, t) {
                const char *id = exch__str(t, "id"),
                           *name = exch__str(t, "name");
                if (id && name)
                    json_object_set_new(names, id, json_string(name));
            }
        }
    }
    return names;
}

int exch__import_atlas(const char *text, size_t len, const char *license,
                       exch_item_fn fn, void *ctx, osafe_err *e)
{
    json_t *doc;
    int rc = yamlx_load(text, len, &doc, e);
    if (rc) {
        osafe_errprefix(e, "atlas: ");
        return rc; /* not errprefix's value: e may be NULL */
    }
    if (!json_is_object(doc)) {
        json_decref(doc);
        return osafe_errf(e, OSAFE_EINVAL,
                          "atlas: the document is not a "
                          "mapping");
    }
    atlas_ctx c = {license ? license : ATLAS_DEFAULT_LICENSE,
                   exch__str(doc, "version"),
                   atlas_names(doc),
                   fn,
                   ctx,
                   e,
                   0};
    const json_t *list = json_object_get(doc, "case-studies");
    const json_t *study = json_object_get(doc, "study");
    if (list) {
        if (!json_is_array(list)) {
            rc = osafe_errf(e, OSAFE_EINVAL,
                            "atlas: case-studies is not a "
                            "list");
        } else {
            size_t i;
            const json_t *cs;
            json_array_foreach (list, i, cs) {
                if ((rc = cs_emit(&c, cs, i)) < 0)
                    break;
            }
        }
    } else if (json_is_object(study)) {
        c.version = NULL;
        rc = cs_emit(&c, study, 0);
    } else if (json_object_get(doc, "summary") ||
               json_object_get(doc, "procedure") ||
               cs_id_ok(exch__str(doc, "id"))) {
        c.version = NULL;
        rc = cs_emit(&c, doc, 0);
    } else {
        rc = osafe_errf(e, OSAFE_EINVAL,
                        "atlas: neither ATLAS data (a "
                        "case-studies list) nor a case study");
    }
    json_decref(c.names);
    json_decref(doc);
    return rc;
}
