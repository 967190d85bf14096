/*
 * suite_import_dna.c - the Do-Not-Answer importer (suite_import.h).
 */
#include "eval/suite.h"
#include "eval/suite_import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/fsx.h"
#include "core/limits.h"
#include "core/utf8.h"

/* Risk areas (level 1 of the Do-Not-Answer taxonomy). */
static const struct {
    const char *area, *hazard;
} dna_areas[] = {
    {"Information Hazards", "prv"},
    {"Malicious Uses", "ncr"},
    {"Discrimination, Exclusion, Toxicity, Hateful, Offensive", "hte"},
    {"Misinformation Harms", ""},
    {"Human-Chatbot Interaction Harms", ""},
    {"Region-specific Sensitivity", ""}, /* Chinese set, type VI */
};

/* Types of harm (level 2), matched by a distinctive part of the name;
 * finer than the area where the upstream file carries it. */
static const struct {
    const char *part, *hazard;
} dna_types[] = {
    {"sensitive information", "prv"},
    {"private information", "prv"},
    {"privacy", "prv"},
    {"illegal activit", "ncr"},
    {"unethical or unsafe", ""},
    {"disinformation campaign", ""},
    {"stereotype", "hte"},
    {"toxic language", "hte"},
    {"hate speech", "hte"},
    {"adult content", "sxc"},
    {"material harm", "spc"},
    {"false or misleading", ""},
    {"mental health", "ssh"},
    {"chatbot as a human", ""},
};

/* 1 if hay contains needle, ASCII case ignored. */
static int ci_contains(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (!strncasecmp(hay, needle, n))
            return 1;
    return 0;
}

static const char *dna_hazard(const char *area, const char *type)
{
    if (*type) {
        for (size_t i = 0; i < sizeof dna_types / sizeof *dna_types; i++)
            if (ci_contains(type, dna_types[i].part))
                return dna_types[i].hazard;
    }
    for (size_t i = 0; i < sizeof dna_areas / sizeof *dna_areas; i++)
        if (!strcasecmp(area, dna_areas[i].area))
            return dna_areas[i].hazard;
    return "";
}

static const char *const dna_q[] = {"question", "prompt", NULL};
static const char *const dna_area_n[] = {"risk_area", NULL};
static const char *const dna_type_n[] = {"types_of_harm", "harm_area", NULL};
static const char *const dna_spec_n[] = {"specific_harms", "harms", NULL};
static const char *const dna_id_n[] = {"id", NULL};
static const char *const dna_sf_n[] = {"source_file", NULL};
static const char *const dna_line_n[] = {"line_in_source", NULL};

/* 1 if s holds a CJK unified ideograph. */
static int has_han(const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t k = utf8_decode(s + i, n - i, &cp);
        if (!k)
            return 0;
        if ((cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf))
            return 1;
        i += k;
    }
    return 0;
}

static int dna_file(const char *path, si_imp *im, int *zh_out, osafe_err *e)
{
    si_csv cf;
    int rc = si_csv_open(path, im, &cf, e);
    if (rc)
        return rc;
    int cq = si_csv_col(&cf, dna_q), carea = si_csv_col(&cf, dna_area_n);
    int ctype = si_csv_col(&cf, dna_type_n),
        cspec = si_csv_col(&cf, dna_spec_n);
    int cid = si_csv_col(&cf, dna_id_n), csf = si_csv_col(&cf, dna_sf_n);
    int cline = si_csv_col(&cf, dna_line_n);
    if (cq < 0 || carea < 0) {
        rc = osafe_errf(e, OSAFE_EINVAL,
                        "%s:1: no 'question' (or 'prompt') and 'risk_area' "
                        "columns",
                        cf.name);
        goto close;
    }
    /* First pass: the file's language (the Chinese set is zh-CN). */
    size_t rows = 0, han = 0;
    char **f;
    while ((rc = si_csv_next(&cf, &f, e)) == 1) {
        rows++;
        han += has_han(f[cq]);
    }
    if (rc < 0)
        goto close;
    int zh = han * 2 > rows;
    *zh_out |= zh;
    const char *lang = zh ? "zh-CN" : "en", *pre = zh ? "cdna" : "dna";
    csv_reader_free(cf.r);
    cf.r = NULL;
    if ((rc = csv_reader_open(cf.text, cf.len, &cf.r, e)) ||
        (rc = si_csv_next(&cf, &f, e)) < 0)
        goto close;
    size_t row = 0;
    while ((rc = si_csv_next(&cf, &f, e)) == 1) {
        row++;
        if (si_blank(f[cq])) {
            rc = si_row_fail(&cf, "empty question", e);
            break;
        }
        char id[OSAFE_SUITE_ID_MAX + 1], sid[OSAFE_SUITE_ID_MAX + 1];
        if (cid >= 0 && !si_blank(f[cid])) {
            snprintf(id, sizeof id, "%s-%s", pre, f[cid]);
            snprintf(sid, sizeof sid, "%s", f[cid]);
        } else if (csf >= 0 && cline >= 0) {
            char stem[128];
            snprintf(stem, sizeof stem, "%s", f[csf]);
            char *dot = strrchr(stem, '.');
            if (dot)
                *dot = 0;
            snprintf(id, sizeof id, "%s-%s-%s", pre, stem, f[cline]);
            snprintf(sid, sizeof sid, "%s:%s", f[csf], f[cline]);
        } else {
            snprintf(id, sizeof id, "%s-%zu", pre, row);
            snprintf(sid, sizeof sid, "%zu", row);
        }
        const char *hz = dna_hazard(f[carea], si_fld(f, ctype));
        json_t *md = json_pack("{s:s}", "risk_area", f[carea]);
        if (md && ctype >= 0)
            json_object_set_new(md, "types_of_harm", json_string(f[ctype]));
        if (md && cspec >= 0)
            json_object_set_new(md, "specific_harms", json_string(f[cspec]));
        if (md && csf >= 0)
            json_object_set_new(md, "source_file", json_string(f[csf]));
        if (md && cline >= 0)
            json_object_set_new(md, "line_in_source", json_string(f[cline]));
        rc = si_push(im, si_item(id, f[cq], lang, hz, "refuse", sid, md), e);
        if (rc)
            break;
    }
close:
    si_csv_close(&cf);
    return rc;
}

static int dna_match(const char *name)
{
    return si_ends_with(name, ".csv");
}

int si_import_donotanswer(const char *src, const char *outdir, osafe_err *e)
{
    si_imp im;
    si_init(&im, "Libr-AI/do-not-answer");
    int rc = 0, zh = 0;
    if (!si_is_dir(src)) {
        rc = dna_file(src, &im, &zh, e);
    } else {
        char **names;
        size_t n, used = 0;
        rc = si_list_dir(src, dna_match, &names, &n, e);
        for (size_t i = 0; !rc && i < n; i++) {
            char *p = fsx_path_join(src, names[i]);
            if (!p) {
                rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
                break;
            }
            /* Only files with the Do-Not-Answer columns. */
            si_csv cf;
            rc = si_csv_open(p, NULL, &cf, e);
            int ok = !rc && si_csv_col(&cf, dna_q) >= 0 &&
                     si_csv_col(&cf, dna_area_n) >= 0;
            if (!rc)
                si_csv_close(&cf);
            if (!rc && ok) {
                rc = dna_file(p, &im, &zh, e);
                used++;
            }
            free(p);
        }
        si_free_names(names, n);
        if (!rc && !used)
            rc = osafe_errf(e, OSAFE_ENOTFOUND,
                            "%s has no Do-Not-Answer CSV (columns question "
                            "and risk_area)",
                            src);
    }
    int en = 0;
    for (size_t i = 0; i < json_array_size(im.langs); i++)
        en |= !strcmp(json_string_value(json_array_get(im.langs, i)), "en");
    if (!rc)
        rc = si_finish(
            &im, outdir, "donotanswer", "1.0",
            "Do-Not-Answer: questions a responsible model should not answer "
            "directly, in five risk areas (the Chinese set adds "
            "region-specific questions); every question should be refused.  "
            "Licence CC BY-NC-SA 4.0: non-commercial use only, derivatives "
            "under the same licence.",
            "https://github.com/Libr-AI/do-not-answer", "CC-BY-NC-SA-4.0",
            zh && en ? "Wang et al., Do-Not-Answer: Evaluating Safeguards in "
                       "LLMs, Findings of EACL 2024; Wang et al., A Chinese "
                       "Dataset for Evaluating the Safeguards in Large "
                       "Language Models, Findings of ACL 2024 "
                       "(arXiv:2402.12193)."
            : zh     ? "Wang et al., A Chinese Dataset for Evaluating the "
                       "Safeguards in Large Language Models, Findings of ACL "
                       "2024 (arXiv:2402.12193)."
                     : "Wang et al., Do-Not-Answer: Evaluating Safeguards in "
                       "LLMs, Findings of EACL 2024.",
            e);
    si_free(&im);
    return rc;
}
