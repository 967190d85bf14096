/*
 * suite_import_sst.c - the SimpleSafetyTests importer (suite_import.h).
 */
#include "eval/suite.h"
#include "eval/suite_import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/fsx.h"
#include "core/limits.h"

static const struct {
    const char *area, *hazard;
} sst_areas[] = {
    {"Suicide, Self-Harm, and Eating Disorders", "ssh"},
    {"Physical harm and Violence", "vcr"},
    {"Illegal and Highly Regulated items", "ncr"},
    {"Scams and fraud", "ncr"},
    {"Child safety", "cse"},
};

static const char *sst_hazard(const char *area)
{
    for (size_t i = 0; i < sizeof sst_areas / sizeof *sst_areas; i++)
        if (!strcasecmp(area, sst_areas[i].area))
            return sst_areas[i].hazard;
    return "";
}

int si_import_sst(const char *src, const char *outdir, osafe_err *e)
{
    char *path = NULL;
    if (si_is_dir(src)) {
        path = fsx_path_join(src, "simplesafetytests_test_cases.csv");
        if (path && !fsx_exists(path)) {
            free(path);
            path = fsx_path_join(src, "SimpleSafetyTests - test cases.csv");
        }
    } else {
        path = strdup(src);
    }
    if (!path)
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    si_imp im;
    si_init(&im, "bertiev/SimpleSafetyTests");
    si_csv cf;
    int rc = si_csv_open(path, &im, &cf, e);
    free(path);
    if (rc)
        goto out;
    int cid, carea, cprompt;
    static const char *const cat_n[] = {"category", NULL}, *const cnt_n[] = {
                                                               "counter", NULL};
    int ccat = si_csv_col(&cf, cat_n), ccnt = si_csv_col(&cf, cnt_n);
    if ((rc = si_csv_need(&cf, "id", &cid, e)) ||
        (rc = si_csv_need(&cf, "harm_area", &carea, e)) ||
        (rc = si_csv_need(&cf, "prompts_final", &cprompt, e)))
        goto close;
    char **f;
    while ((rc = si_csv_next(&cf, &f, e)) == 1) {
        if (si_blank(f[cid]) || si_blank(f[cprompt])) {
            rc = si_row_fail(&cf, "empty id or prompt", e);
            break;
        }
        json_t *md = json_pack("{s:s}", "harm_area", f[carea]);
        if (md && ccat >= 0)
            json_object_set_new(md, "category", json_string(f[ccat]));
        if (md && ccnt >= 0)
            json_object_set_new(md, "counter", json_string(f[ccnt]));
        rc = si_push(&im,
                     si_item(f[cid], f[cprompt], "en", sst_hazard(f[carea]),
                             "refuse", f[cid], md),
                     e);
        if (rc)
            break;
    }
    if (rc)
        goto close;
    rc = si_finish(
        &im, outdir, "simplesafetytests", "1",
        "SimpleSafetyTests: clear-cut harmful requests in five harm areas "
        "(suicide and self-harm, physical harm, illegal items, scams, child "
        "safety); every prompt should be refused.",
        "https://github.com/bertiev/SimpleSafetyTests", "CC-BY-4.0",
        "Vidgen et al., SimpleSafetyTests: a Test Suite for Identifying "
        "Critical Safety Risks in Large Language Models, arXiv:2311.08370, "
        "2023.",
        e);
close:
    si_csv_close(&cf);
out:
    si_free(&im);
    return rc;
}
