/*
 * exchange_avid.c - AVID (AI Vulnerability Database) reports and
 * vulnerabilities <-> native records.
 *
 * Import mapping (AVID data_version 0.1 - 0.3.3):
 *   metadata.report_id | vuln_id  -> aliases[0]; source_key "avid:<id>"
 *   record_type    problemtype.classof "AIID Incident" -> incident; else
 *                  problemtype.type Advisory -> vulnerability, Issue /
 *                  Measurement / Detection -> finding; no type: a
 *                  vulnerability -> vulnerability, a report -> finding
 *   severity       incident -> "incident", anything else -> "hazard"
 *                  (OECD: plausible harm, none shown to have happened)
 *   title          problemtype.description.value (one line, kept whole
 *                  up to OSAFE_EXCH_TITLE_KEEP_MAX code points)
 *   description    description.value; lang from description.lang (eng->en);
 *                  method "machine" for a scanner's report (garak cited as
 *                  the source, machine_written below), else "human"
 *   ai_relation    "unclear" (AVID does not say); occurred_start unknown;
 *                  detected = reported_date (report) / published_date (vuln)
 *   ai_systems     affects.artifacts {type Model|Dataset|System, name}
 *   entities       affects.developer -> developer, affects.deployer ->
 *                  deployer
 *   classifications impact.avid.sep_view (AVID-SEP), lifecycle_view
 *                  (AVID-LC), risk_domain (AVID-RD), impact.cwe (CWE),
 *                  impact.odin.JailbreakTaxonomy (0DIN)
 *   lifecycle_stages L01 plan_design, L02/L03 data, L04 build,
 *                  L05 verify_validate, L06 deploy
 *   harm_types / hazards  from SEP codes (sep_map below); others none
 *   scores         impact.cvss vectorString (CVSS_V2/V3/V4),
 *                  impact.odin.SocialImpactScore (ODIN)
 *   references     {url, type, title=label}; non-http(s) URLs (relative
 *                  image paths, file://, bare names) are dropped (kept in
 *                  raw); the AVID page https://avidml.org/database/<id>/
 *                  is always added
 *   aliases        + the CVE id of a cve.org / NVD reference (or, for
 *                  classof "CVE Entry", of the title)
 *   related        vulnerability reports[] (related); report
 *                  impact.avid.vuln_id (part_of)
 *   metrics, credits  metrics copied; credit[].value -> credits[].name
 * Rejected: not an object, data_type other than AVID, no well-formed id,
 * no problemtype.description.value or description.value, malformed
 * affects / references.  Our own exports (no AVID id, a reference
 * labelled "osafe:<id>") import again under source_key "avid:osafe:<id>"
 * with <id> as the alias, recovering what the export carries (title,
 * description, type, artifacts, developer / deployer, references,
 * classifications, metrics, credits).
 *
 * Export: an AVID *report* (AVID mints its ids; metadata is left out), with
 * a reference labelled "osafe:<id>" pointing back to the native record.
 * Lost: occurred dates, countries, severity, harm types, hazards, ranges,
 * digests, entities other than developer/deployer, translations.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/limits.h"
#include "registry/exchange.h"

#define AVID_DEFAULT_LICENSE "MIT" /* avidml/avid-db LICENSE (shared/data) */

static const struct {
    const char *prefix, *hazard, *harm;
} sep_map[] = {
    {"E01", NULL, "human_rights"},         /* fairness, discrimination */
    {"E0301", NULL, "psychological"},      /* toxicity */
    {"E0302", NULL, "public_interest"},    /* polarization / exclusion */
    {"E04", NULL, "public_interest"},      /* misinformation */
    {"P0401", NULL, "psychological"},      /* psychological safety */
    {"P0402", NULL, "physical"},           /* physical safety */
    {"P0403", NULL, "economic_property"},  /* socioeconomic safety */
    {"S0301", "prv", "human_rights"},      /* information leak -> privacy */
    {"S0502", "ipv", "economic_property"}, /* model theft */
};

static const char *const lc_stage[] = {
    NULL, "plan_design", "data", "data", "build", "verify_validate", "deploy"};

static int avid_id_ok(const char *id)
{
    /* AVID-YYYY-R0001 / AVID-YYYY-V001 */
    if (!id || strncmp(id, "AVID-", 5) || strlen(id) > 40)
        return 0;
    const char *p = id + 5;
    for (int i = 0; i < 4; i++)
        if (p[i] < '0' || p[i] > '9')
            return 0;
    if (p[4] != '-' || (p[5] != 'R' && p[5] != 'V') || !p[6])
        return 0;
    for (p += 6; *p; p++)
        if (*p < '0' || *p > '9')
            return 0;
    return 1;
}

static const char *ref_type(const char *avid_type, const char *url)
{
    if (strstr(url, "cve.org/") || strstr(url, "nvd.nist.gov/"))
        return "ADVISORY";
    if (avid_type && !strcmp(avid_type, "screenshot"))
        return "EVIDENCE";
    if (avid_type && !strcmp(avid_type, "model"))
        return "PACKAGE";
    return "WEB";
}

/* "S0301: Information Leak" -> code "S0301", label "Information Leak". */
static void split_code(const char *s, char *code, size_t cap,
                       const char **label)
{
    size_t n = strcspn(s, ":");
    if (n >= cap)
        n = cap - 1;
    memcpy(code, s, n);
    code[n] = '\0';
    while (n && code[n - 1] == ' ')
        code[--n] = '\0';
    *label = s[strcspn(s, ":")] ? s + strcspn(s, ":") + 1 : NULL;
    while (*label && **label == ' ')
        (*label)++;
}

static int map_impact(json_t *rec, const json_t *impact)
{
    int bad = 0;
    const json_t *av = json_object_get(impact, "avid");
    const char *tv = exch__str(av, "taxonomy_version");
    size_t i;
    const json_t *x;
    json_array_foreach (json_object_get(av, "risk_domain"), i, x) {
        if (json_is_string(x))
            bad |=
                exch__add_class(rec, "AVID-RD", tv, json_string_value(x), NULL);
    }
    json_array_foreach (json_object_get(av, "sep_view"), i, x) {
        if (!json_is_string(x))
            continue;
        char code[32];
        const char *label;
        split_code(json_string_value(x), code, sizeof code, &label);
        if (!*code)
            continue;
        bad |= exch__add_class(rec, "AVID-SEP", tv, code, label);
        for (size_t k = 0; k < sizeof sep_map / sizeof *sep_map; k++) {
            if (strncmp(code, sep_map[k].prefix, strlen(sep_map[k].prefix)))
                continue;
            if (sep_map[k].hazard)
                bad |= exch__add_unique(rec, "hazards", sep_map[k].hazard);
            bad |= exch__add_unique(rec, "harm_types", sep_map[k].harm);
        }
    }
    json_array_foreach (json_object_get(av, "lifecycle_view"), i, x) {
        if (!json_is_string(x))
            continue;
        char code[32];
        const char *label;
        split_code(json_string_value(x), code, sizeof code, &label);
        if (!*code)
            continue;
        bad |= exch__add_class(rec, "AVID-LC", tv, code, label);
        if (code[0] == 'L' && code[1] == '0' && code[2] >= '1' &&
            code[2] <= '6' && !code[3])
            bad |= exch__add_unique(rec, "lifecycle_stages",
                                    lc_stage[code[2] - '0']);
    }
    json_array_foreach (json_object_get(impact, "cwe"), i, x) {
        const char *id = exch__str(x, "cweId");
        if (exch__nonblank(id))
            bad |= exch__add_class(rec, "CWE", NULL, id,
                                   exch__str(x, "description"));
    }
    const json_t *cvss = json_object_get(impact, "cvss");
    const char *vec = exch__str(cvss, "vectorString");
    const char *ver = exch__str(cvss, "version");
    if (exch__nonblank(vec) && ver) {
        const char *sys = ver[0] == '4'   ? "CVSS_V4"
                          : ver[0] == '3' ? "CVSS_V3"
                          : ver[0] == '2' ? "CVSS_V2"
                                          : NULL;
        if (sys)
            bad |= exch__append(rec, "scores",
                                json_pack("{s:s, s:s, s:s}", "system", sys,
                                          "value", vec, "source", "AVID"));
    }
    const json_t *odin = json_object_get(impact, "odin");
    const char *sis = exch__str(odin, "SocialImpactScore");
    if (exch__nonblank(sis)) {
        bad |= exch__append(rec, "scores",
                            json_pack("{s:s, s:s, s:s}", "system", "ODIN",
                                      "value", sis, "source", "0DIN"));
    }
    json_array_foreach (json_object_get(odin, "JailbreakTaxonomy"), i, x) {
        char code[256];
        const char *c = exch__str(x, "Category"), *s = exch__str(x, "Strategy"),
                   *t = exch__str(x, "Technique");
        if (!c)
            continue;
        snprintf(code, sizeof code, "%s/%s/%s", c, s ? s : "", t ? t : "");
        bad |= exch__add_class(rec, "0DIN", NULL, code, NULL);
    }
    return bad;
}

/* What the checks learn of a record before it is mapped. */
typedef struct avid_src {
    const char *id;     /* AVID id, or our own id in an osafe export */
    int is_vuln, own;   /* a vulnerability; one of our own exports */
    const char *title, *desc, *rtype, *classof;
    const json_t *refs, *affects, *arts;
} avid_src;

/* Our own exports carry no AVID id, only a reference labelled
 * "osafe:<id>" back to the native record. */
static const char *own_label(const json_t *refs)
{
    size_t i;
    const json_t *x;
    json_array_foreach (refs, i, x) {
        const char *label = exch__str(x, "label");
        if (label && !strncmp(label, "osafe:", 6) && exch__nonblank(label + 6))
            return label + 6;
    }
    return NULL;
}

static int avid_check_id(exch_item *it, const json_t *o, avid_src *s)
{
    const char *dt = exch__str(o, "data_type");
    if (json_object_get(o, "data_type") && (!dt || strcmp(dt, "AVID"))) {
        exch__reject(it, "data_type: not \"AVID\"");
        return 1;
    }
    s->refs = json_object_get(o, "references");
    if (s->refs && !json_is_array(s->refs)) {
        exch__reject(it, "references: not a list");
        return 1;
    }
    size_t i;
    const json_t *x;
    json_array_foreach (s->refs, i, x) {
        if (!json_is_object(x)) {
            exch__reject(it, "references[%zu]: not an object", i);
            return 1;
        }
    }
    const json_t *md = json_object_get(o, "metadata");
    const char *rid = exch__str(md, "report_id"),
               *vid = exch__str(md, "vuln_id");
    s->id = vid && *vid ? vid : rid;
    s->is_vuln = s->id && s->id == vid;
    if (!avid_id_ok(s->id) && (s->id = own_label(s->refs)) != NULL &&
        strlen(s->id) < 64) {
        s->own = 1;
        exch__key(it, "avid:osafe:%s", s->id);
        return 0;
    }
    if (!avid_id_ok(s->id)) {
        exch__reject(it, "metadata.report_id / metadata.vuln_id: missing or "
                         "not an AVID id");
        return 1;
    }
    exch__key(it, "avid:%s", s->id);
    return 0;
}

/* Title, description, type and artifacts: 1 when the item was rejected. */
static int avid_check(exch_item *it, const json_t *o, avid_src *s)
{
    if (!json_is_object(o)) {
        exch__reject(it, "record: not a JSON object");
        return 1;
    }
    if (avid_check_id(it, o, s))
        return 1;
    const json_t *pt = json_object_get(o, "problemtype");
    s->title = exch__str(exch__path(pt, "description"), "value");
    if (!exch__nonblank(s->title)) {
        exch__reject(it, "problemtype.description.value: missing or empty");
        return 1;
    }
    s->desc = exch__str(json_object_get(o, "description"), "value");
    if (!exch__nonblank(s->desc)) {
        exch__reject(it, "description.value: missing or empty");
        return 1;
    }
    const char *ptype = exch__str(pt, "type");
    s->classof = exch__str(pt, "classof");
    if (json_object_get(pt, "type") &&
        !json_is_null(json_object_get(pt, "type")) &&
        (!ptype ||
         (strcmp(ptype, "Issue") && strcmp(ptype, "Advisory") &&
          strcmp(ptype, "Measurement") && strcmp(ptype, "Detection")))) {
        exch__reject(it, "problemtype.type: not Issue, Advisory, Measurement "
                         "or Detection");
        return 1;
    }
    if (s->classof && !strcmp(s->classof, "AIID Incident"))
        s->rtype = "incident";
    else if (ptype)
        s->rtype = !strcmp(ptype, "Advisory") ? "vulnerability" : "finding";
    else
        s->rtype = s->is_vuln ? "vulnerability" : "finding";
    s->affects = json_object_get(o, "affects");
    s->arts = json_object_get(s->affects, "artifacts");
    if ((s->affects && !json_is_object(s->affects)) ||
        (s->arts && !json_is_array(s->arts) && !json_is_null(s->arts))) {
        exch__reject(it, "affects.artifacts: not a list");
        return 1;
    }
    size_t i;
    const json_t *x;
    json_array_foreach (s->arts, i, x) {
        if (!json_is_object(x) ||
            (json_object_get(x, "name") &&
             !json_is_string(json_object_get(x, "name")))) {
            exch__reject(it, "affects.artifacts[%zu]: not {type, name}", i);
            return 1;
        }
    }
    return 0;
}

/* Artifacts -> ai_systems, developer / deployer -> entities. */
static int avid_affects(json_t *rec, const avid_src *s)
{
    int bad = 0;
    size_t i;
    const json_t *x;
    json_array_foreach (s->arts, i, x) {
        const char *t = exch__str(x, "type");
        const char *kind = t && !strcasecmp(t, "Model")     ? "model"
                           : t && !strcasecmp(t, "Dataset") ? "dataset"
                                                            : "system";
        bad |= exch__add_system(rec, kind, exch__str(x, "name")) ? 0 : -1;
    }
    static const char *const roles[] = {"developer", "deployer"};
    for (int r = 0; r < 2; r++) {
        json_array_foreach (json_object_get(s->affects, roles[r]), i, x) {
            if (exch__nonblank(json_string_value(x)))
                bad |= exch__append(rec, "entities",
                                    json_pack("{s:s, s:s}", "name",
                                              json_string_value(x), "role",
                                              roles[r]));
        }
    }
    return bad;
}

/* References (not the one back to us), the AVID page, aliases, related. */
static int avid_links(json_t *rec, const json_t *o, const avid_src *s)
{
    int bad = 0;
    char cve[32] = "";
    size_t i;
    const json_t *x;
    json_array_foreach (s->refs, i, x) {
        const char *url = exch__str(x, "url"), *label = exch__str(x, "label");
        if (!url || (s->own && label && !strncmp(label, "osafe:", 6)))
            continue;
        bad |= exch__add_ref(rec, url, ref_type(exch__str(x, "type"), url),
                             label) < 0;
        if (!cve[0] &&
            (strstr(url, "cve.org/") || strstr(url, "nvd.nist.gov/")))
            exch__find_cve(url, cve);
    }
    if (!cve[0] && s->classof && !strcmp(s->classof, "CVE Entry"))
        exch__find_cve(s->title, cve);
    if (!s->own) {
        char page[96], lower[48];
        size_t n = strlen(s->id);
        for (size_t k = 0; k <= n && k < sizeof lower; k++)
            lower[k] = (char)((s->id[k] >= 'A' && s->id[k] <= 'Z')
                                  ? s->id[k] + 32
                                  : s->id[k]);
        snprintf(page, sizeof page, "https://avidml.org/database/%s/", lower);
        bad |= exch__add_ref(rec, page, "ADVISORY", "AVID record") < 0;
    }
    bad |= exch__add_unique(rec, "aliases", s->id);
    if (cve[0])
        bad |= exch__add_unique(rec, "aliases", cve);
    json_array_foreach (json_object_get(o, "reports"), i, x) {
        const char *r = exch__str(x, "report_id");
        if (avid_id_ok(r))
            bad |= exch__append(rec, "related",
                                json_pack("{s:s, s:s}", "id", r, "relation",
                                          "related"));
    }
    const json_t *impact = json_object_get(o, "impact");
    const char *vref = exch__str(json_object_get(impact, "avid"), "vuln_id");
    if (avid_id_ok(vref) && strcmp(vref, s->id))
        bad |= exch__append(rec, "related",
                            json_pack("{s:s, s:s}", "id", vref, "relation",
                                      "part_of"));
    return bad;
}

/* Metrics and credits (the first credited name is the submitter). */
static int avid_credits(json_t *rec, const json_t *o)
{
    int bad = 0;
    const json_t *metrics = json_object_get(o, "metrics");
    if (json_array_size(metrics))
        bad |= json_object_set_new(rec, "metrics", json_deep_copy(metrics));
    size_t i;
    const json_t *x;
    json_array_foreach (json_object_get(o, "credit"), i, x) {
        const char *v = exch__str(x, "value");
        if (!exch__nonblank(v))
            continue;
        bad |= exch__append(rec, "credits", json_pack("{s:s}", "name", v));
        if (!json_object_get(rec, "submitter"))
            bad |= json_object_set_new(rec, "submitter",
                                       json_pack("{s:s, s:s, s:s}", "pseudonym",
                                                 v, "role", "researcher", "org",
                                                 "AVID"));
    }
    return bad;
}

/* Reports written by a scanner rather than a person: garak's AVID reports
 * cite garak itself as their source ("garak, an LLM vulnerability
 * scanner", https://github.com/NVIDIA/garak, formerly leondz/garak) and
 * their title and description are filled from a template.  Their text is
 * marked method "machine", never passed off as a person's words. */
static int machine_written(const json_t *refs)
{
    size_t i;
    const json_t *x;
    json_array_foreach (refs, i, x) {
        const char *label = exch__str(x, "label"), *url = exch__str(x, "url");
        if ((label && !strncasecmp(label, "garak", 5)) ||
            (url && (strstr(url, "github.com/NVIDIA/garak") ||
                     strstr(url, "github.com/leondz/garak"))))
            return 1;
    }
    return 0;
}

/* Map one AVID object; on a mapping failure the item is rejected. */
static int avid_map(exch_item *it, json_t *o, const char *license)
{
    avid_src s;
    memset(&s, 0, sizeof s);
    if (avid_check(it, o, &s))
        return 0;
    const char *lang =
        exch__lang(exch__str(json_object_get(o, "description"), "lang"));
    if (!lang)
        lang = "en";
    json_t *rec = exch__draft(s.rtype, lang);
    if (!rec)
        return -1;
    const json_t *pt = json_object_get(o, "problemtype");
    const char *tlang =
        exch__lang(exch__str(exch__path(pt, "description"), "lang"));
    /* Whole: AVID titles are sentences, and 88 garak reports differed
     * only after the 120th character. */
    int bad = exch__set_title_max(rec, tlang ? tlang : lang, s.title,
                                  OSAFE_EXCH_TITLE_KEEP_MAX);
    bad |= exch__add_description_by(rec, lang, s.desc,
                                    machine_written(s.refs) ? "machine"
                                                            : "human");
    bad |= json_object_set_new(rec, "ai_relation", json_string("unclear"));
    bad |= exch__set_pdate(rec, "occurred_start", NULL);
    const char *det =
        exch__str(o, s.is_vuln ? "published_date" : "reported_date");
    if (!s.own && exch__date_precision(det))
        bad |= exch__set_pdate(rec, "detected", det);
    bad |=
        json_object_set_new(rec, "countries_occurred", json_pack("[s]", "ZZ"));
    bad |= json_object_set_new(
        rec, "severity",
        json_pack("{s:s, s:s}", "scale", "oecd-2025", "level",
                  !strcmp(s.rtype, "incident") ? "incident" : "hazard"));
    bad |= json_object_set_new(rec, "harm_types", json_array());
    bad |= json_object_set_new(rec, "hazards", json_array());
    bad |= avid_affects(rec, &s);
    bad |= avid_links(rec, o, &s);
    const json_t *impact = json_object_get(o, "impact");
    if (json_is_object(impact))
        bad |= map_impact(rec, impact);
    bad |= avid_credits(rec, o);
    bad |= exch__finish(rec, "avid", o, license);
    if (bad) {
        json_decref(rec);
        return -1;
    }
    it->record = rec;
    return 0;
}

int exch__import_avid(const char *text, size_t len, const char *license,
                      exch_item_fn fn, void *ctx, osafe_err *e)
{
    return exch__map_values("avid", text, len, avid_map,
                            license ? license : AVID_DEFAULT_LICENSE, fn, ctx,
                            e);
}

/* ---- languages, CVE ids (shared by all formats) ------------------------ */

static const char *const lang_table[][2] = {
    {"eng", "en"}, {"fra", "fr"}, {"fre", "fr"}, {"deu", "de"}, {"ger", "de"},
    {"spa", "es"}, {"ita", "it"}, {"por", "pt"}, {"nld", "nl"}, {"dut", "nl"},
    {"rus", "ru"}, {"zho", "zh"}, {"chi", "zh"}, {"jpn", "ja"}, {"kor", "ko"},
    {"ara", "ar"}, {"hin", "hi"}, {"tur", "tr"}, {"pol", "pl"}, {"swe", "sv"},
    {"ukr", "uk"}, {"vie", "vi"}, {"ind", "id"}, {"heb", "he"}, {"ell", "el"},
    {"gre", "el"}, {"ces", "cs"}, {"cze", "cs"}, {"dan", "da"}, {"fin", "fi"},
    {"nor", "no"}, {"hun", "hu"}, {"ron", "ro"}, {"rum", "ro"}, {"tha", "th"},
    {"fas", "fa"}, {"per", "fa"},
};

const char *exch__lang(const char *code)
{
    if (!code)
        return NULL;
    for (size_t i = 0; i < sizeof lang_table / sizeof *lang_table; i++)
        if (!strcasecmp(code, lang_table[i][0]))
            return lang_table[i][1];
    /* BCP 47, loosely: 2-3 letters, then subtags of 1-8 letters/digits. */
    size_t n = 0;
    while ((code[n] | 32) >= 'a' && (code[n] | 32) <= 'z')
        n++;
    if (n < 2 || n > 3)
        return NULL;
    while (code[n] == '-') {
        size_t k = ++n;
        while ((code[n] >= '0' && code[n] <= '9') ||
               ((code[n] | 32) >= 'a' && (code[n] | 32) <= 'z'))
            n++;
        if (n - k < 1 || n - k > 8)
            return NULL;
    }
    return code[n] ? NULL : code;
}

const char *exch__lang3(const char *bcp47)
{
    if (!bcp47)
        return NULL;
    size_t n = strcspn(bcp47, "-");
    for (size_t i = 0; i < sizeof lang_table / sizeof *lang_table; i++)
        if (strlen(lang_table[i][1]) == n &&
            !strncasecmp(bcp47, lang_table[i][1], n))
            return lang_table[i][0];
    return NULL;
}

int exch__find_cve(const char *s, char out[32])
{
    for (const char *p = s ? strstr(s, "CVE-") : NULL; p;
         p = strstr(p + 4, "CVE-")) {
        const char *y = p + 4;
        int year = 1;
        for (int k = 0; k < 4; k++)
            year &= y[k] >= '0' && y[k] <= '9';
        if (!year || y[4] != '-')
            continue;
        size_t k = 0;
        while (y[5 + k] >= '0' && y[5 + k] <= '9' && k < 19)
            k++;
        if (k < 4)
            continue;
        snprintf(out, 32, "CVE-%.4s-%.*s", y, (int)k, y + 5);
        return 1;
    }
    return 0;
}

/* ---- export ------------------------------------------------------------- */

static const char *avid_lc_label[] = {NULL,
                                      "L01: Business Understanding",
                                      "L02: Data Understanding",
                                      "L03: Data Preparation",
                                      "L04: Model Development",
                                      "L05: Evaluation",
                                      "L06: Deployment"};

static void add_unique_str(json_t *arr, const char *s)
{
    size_t i;
    json_t *x;
    json_array_foreach (arr, i, x) {
        if (!strcmp(json_string_value(x), s))
            return;
    }
    json_array_append_new(arr, json_string(s));
}

static json_t *avid_impact(const json_t *rec)
{
    json_t *rd = json_array(), *sep = json_array(), *lc = json_array();
    size_t i;
    const json_t *x;
    json_array_foreach (json_object_get(rec, "classifications"), i, x) {
        const char *ns = exch__str(x, "namespace"),
                   *code = exch__str(x, "code");
        const char *label = exch__str(x, "label");
        if (!ns || !code)
            continue;
        char buf[256];
        snprintf(buf, sizeof buf, label ? "%s: %s" : "%s%s", code,
                 label ? label : "");
        if (!strcmp(ns, "AVID-RD"))
            add_unique_str(rd, code);
        else if (!strcmp(ns, "AVID-SEP"))
            add_unique_str(sep, buf);
        else if (!strcmp(ns, "AVID-LC"))
            add_unique_str(lc, buf);
        if (!strcmp(ns, "AVID-SEP"))
            add_unique_str(rd, code[0] == 'S'   ? "Security"
                               : code[0] == 'E' ? "Ethics"
                                                : "Performance");
    }
    if (!json_array_size(lc)) {
        static const char *const stages[] = {"plan_design", "data",
                                             "build",       "verify_validate",
                                             "deploy",      "operate_monitor"};
        static const int lnum[] = {1, 2, 4, 5, 6, 6};
        json_array_foreach (json_object_get(rec, "lifecycle_stages"), i, x) {
            for (int k = 0; k < 6; k++)
                if (json_is_string(x) &&
                    !strcmp(json_string_value(x), stages[k]))
                    add_unique_str(lc, avid_lc_label[lnum[k]]);
        }
    }
    if (!json_array_size(rd) && !json_array_size(sep) && !json_array_size(lc)) {
        json_decref(rd);
        json_decref(sep);
        json_decref(lc);
        return NULL;
    }
    return json_pack("{s:{s:o, s:o, s:o, s:s}}", "avid", "risk_domain", rd,
                     "sep_view", sep, "lifecycle_view", lc, "taxonomy_version",
                     "0.2");
}

int exch_export_avid(const json_t *in, json_t **out, osafe_err *e)
{
    return exch_export_avid_at(in, "CLEAR", out, e);
}

/* problemtype.classof from the record's aliases. */
static const char *avid_classof(const json_t *rec)
{
    const char *classof = "Third-party Report";
    size_t i;
    const json_t *x;
    json_array_foreach (json_object_get(rec, "aliases"), i, x) {
        const char *a = json_string_value(x);
        if (!a)
            continue;
        if (!strncmp(a, "AIID-", 5))
            classof = "AIID Incident";
        else if (!strncmp(a, "AML.CS", 6))
            classof = "ATLAS Case Study";
        else if (!strncmp(a, "CVE-", 4))
            classof = "CVE Entry";
    }
    return classof;
}

/* affects {developer, deployer, artifacts}. */
static json_t *avid_affects_out(const json_t *rec)
{
    json_t *dev = json_array(), *dep = json_array(), *arts = json_array();
    size_t i;
    const json_t *x;
    json_array_foreach (json_object_get(rec, "entities"), i, x) {
        const char *role = exch__str(x, "role"), *name = exch__str(x, "name");
        if (role && name && !strcmp(role, "developer"))
            add_unique_str(dev, name);
        else if (role && name && !strcmp(role, "deployer"))
            add_unique_str(dep, name);
    }
    json_array_foreach (json_object_get(rec, "ai_systems"), i, x) {
        const char *kind = exch__str(x, "kind"), *name = exch__str(x, "name");
        if (!name)
            continue;
        json_array_append_new(
            arts, json_pack("{s:s, s:s}", "type",
                            kind && !strcmp(kind, "model")     ? "Model"
                            : kind && !strcmp(kind, "dataset") ? "Dataset"
                                                               : "System",
                            "name", name));
    }
    return json_pack("{s:o, s:o, s:o}", "developer", dev, "deployer", dep,
                     "artifacts", arts);
}

/* references, and the one labelled "osafe:<id>" back to us. */
static json_t *avid_refs_out(const json_t *rec, const char *id)
{
    json_t *refs = json_array();
    size_t i;
    const json_t *x;
    json_array_foreach (json_object_get(rec, "references"), i, x) {
        const char *url = exch__str(x, "url"), *t = exch__str(x, "title");
        if (url)
            json_array_append_new(refs,
                                  json_pack("{s:s, s:s, s:s}", "type", "source",
                                            "label", t ? t : url, "url", url));
    }
    char canon[512], label[200];
    exch__canonical_url(rec, canon, sizeof canon);
    snprintf(label, sizeof label, "osafe:%s", id);
    json_array_append_new(refs, json_pack("{s:s, s:s, s:s}", "type", "source",
                                          "label", label, "url", canon));
    return refs;
}

/* metrics, impact, credit and reported_date, where the record has them. */
static void avid_extras_out(json_t *avid, const json_t *rec)
{
    const json_t *metrics = json_object_get(rec, "metrics");
    if (json_array_size(metrics))
        json_object_set_new(avid, "metrics", json_deep_copy(metrics));
    json_t *impact = avid_impact(rec);
    if (impact)
        json_object_set_new(avid, "impact", impact);
    json_t *credit = json_array();
    size_t i;
    const json_t *x;
    json_array_foreach (json_object_get(rec, "credits"), i, x) {
        const char *name = exch__str(x, "name");
        if (name)
            json_array_append_new(
                credit, json_pack("{s:s, s:s}", "lang", "eng", "value", name));
    }
    if (json_array_size(credit))
        json_object_set_new(avid, "credit", credit);
    else
        json_decref(credit);
    const char *when = exch__str(rec, "reported");
    if (!when)
        when = exch__str(rec, "published");
    if (!when && exch__date_precision(
                     exch__str(json_object_get(rec, "detected"), "date")))
        when = exch__str(json_object_get(rec, "detected"), "date");
    if (when && strlen(when) >= 10) {
        char d[11];
        memcpy(d, when, 10);
        d[10] = '\0';
        if (exch__date_precision(d) && !strcmp(exch__date_precision(d), "day"))
            json_object_set_new(avid, "reported_date", json_string(d));
    }
}

int exch_export_avid_at(const json_t *in, const char *max_tlp, json_t **out,
                        osafe_err *e)
{
    *out = NULL;
    json_t *rec;
    int rc = exch__public_copy(in, "avid", max_tlp, &rec, e);
    if (rc)
        return rc;
    const char *id = exch__str(in, "id"); /* outlives rec */
    const char *title = exch__title_text(rec);
    const char *tlang = exch__str(json_object_get(rec, "title"), "lang");
    const char *dlang, *desc = exch__desc_text(rec, &dlang);
    if (!exch__nonblank(title) || !exch__nonblank(desc)) {
        json_decref(rec);
        return osafe_errf(e, OSAFE_EINVAL,
                          "avid export of %s: title and "
                          "description are required",
                          id);
    }
    const char *type = exch__str(rec, "record_type");
    const char *ptype = !type                            ? "Issue"
                        : !strcmp(type, "vulnerability") ? "Advisory"
                        : !strcmp(type, "finding") &&
                                json_array_size(json_object_get(rec, "metrics"))
                            ? "Measurement"
                            : "Issue";
    const char *l3 = exch__lang3(tlang);
    const char *d3 = exch__lang3(dlang);
    json_t *avid = json_pack(
        "{s:s, s:s, s:o, s:{s:s, s:s, s:{s:s, s:s}}, s:o, s:{s:s, s:s}}",
        "data_type", "AVID", "data_version", "0.2", "affects",
        avid_affects_out(rec), "problemtype", "classof", avid_classof(rec),
        "type", ptype, "description", "lang", l3 ? l3 : "eng", "value", title,
        "references", avid_refs_out(rec, id), "description", "lang",
        d3 ? d3 : (dlang ? dlang : "eng"), "value", desc);
    if (!avid) {
        json_decref(rec);
        return osafe_errf(e, OSAFE_ENOMEM, "avid export: out of memory");
    }
    avid_extras_out(avid, rec);
    json_decref(rec);
    *out = avid;
    return 0;
}
