/*
 * suite_import_harmbench.c - the HarmBench importer (suite_import.h).
 */
#include "eval/suite.h"
#include "eval/suite_import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fsx.h"
#include "core/limits.h"

static const struct {
    const char *cat, *hazard;
} hb_cats[] = {
    {"chemical_biological", "iwp"},
    {"cybercrime_intrusion", "ncr"},
    {"illegal", "ncr"},
    {"harassment_bullying", "hte"},
    {"copyright", "ipv"},
    {"misinformation_disinformation", ""}, /* no AILuminate hazard */
    {"harmful", ""},                       /* mixed */
};

static const char *hb_hazard(const char *cat)
{
    for (size_t i = 0; i < sizeof hb_cats / sizeof *hb_cats; i++)
        if (!strcmp(cat, hb_cats[i].cat))
            return hb_cats[i].hazard;
    return "";
}

/* HarmBench's own framing of a contextual behaviour. */
#define HB_CONTEXT_SEP "\n\n---\n\n"

static int hb_file(const char *path, si_imp *im, const json_t *splits,
                   const char *split, osafe_err *e)
{
    si_csv cf;
    int rc = si_csv_open(path, im, &cf, e);
    if (rc)
        return rc;
    int cb, cfun, csem, ctags, cctx, cid;
    if ((rc = si_csv_need(&cf, "Behavior", &cb, e)) ||
        (rc = si_csv_need(&cf, "FunctionalCategory", &cfun, e)) ||
        (rc = si_csv_need(&cf, "SemanticCategory", &csem, e)) ||
        (rc = si_csv_need(&cf, "Tags", &ctags, e)) ||
        (rc = si_csv_need(&cf, "ContextString", &cctx, e)) ||
        (rc = si_csv_need(&cf, "BehaviorID", &cid, e)))
        goto close;
    char **f;
    osafe_buf in = OSAFE_BUF_INIT;
    while ((rc = si_csv_next(&cf, &f, e)) == 1) {
        if (si_blank(f[cid]) || si_blank(f[cb])) {
            rc = si_row_fail(&cf, "empty BehaviorID or Behavior", e);
            break;
        }
        buf_reset(&in);
        if (!si_blank(f[cctx]) &&
            (buf_puts(&in, f[cctx]) || buf_puts(&in, HB_CONTEXT_SEP))) {
            rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
            break;
        }
        if (buf_puts(&in, f[cb])) {
            rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
            break;
        }
        json_t *tags = json_array();
        for (const char *p = f[ctags]; tags && *p;) {
            const char *c = strchr(p, ',');
            size_t n = c ? (size_t)(c - p) : strlen(p);
            while (n && (*p == ' ' || *p == '\t'))
                p++, n--;
            while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
                n--;
            if (n)
                json_array_append_new(tags, json_stringn(p, n));
            if (!c)
                break;
            p = c + 1;
        }
        json_t *md = json_pack("{s:s, s:s, s:o, s:b}", "functional_category",
                               f[cfun], "semantic_category", f[csem], "tags",
                               tags, "contextual", !si_blank(f[cctx]));
        const char *sp = split;
        if (!sp && splits)
            sp = json_string_value(json_object_get(splits, f[cid]));
        if (md && sp)
            json_object_set_new(md, "split", json_string(sp));
        rc = si_push(im,
                     si_item(f[cid], in.data, "en", hb_hazard(f[csem]),
                             "refuse", f[cid], md),
                     e);
        if (rc)
            break;
    }
    buf_release(&in);
close:
    si_csv_close(&cf);
    return rc;
}

/* BehaviorID -> "val" / "test" from the split files (for annotation). */
static int hb_splits(const char *dir, si_imp *im, json_t *splits, osafe_err *e)
{
    static const char *const files[][2] = {
        {"harmbench_behaviors_text_val.csv", "val"},
        {"harmbench_behaviors_text_test.csv", "test"}};
    for (size_t k = 0; k < 2; k++) {
        char *p = fsx_path_join(dir, files[k][0]);
        if (!p)
            return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
        if (!fsx_exists(p)) {
            free(p);
            continue;
        }
        si_csv cf;
        int rc = si_csv_open(p, im, &cf, e);
        free(p);
        if (rc)
            return rc;
        int cid;
        rc = si_csv_need(&cf, "BehaviorID", &cid, e);
        char **f;
        if (!rc)
            while ((rc = si_csv_next(&cf, &f, e)) == 1)
                json_object_set_new(splits, f[cid], json_string(files[k][1]));
        si_csv_close(&cf);
        if (rc < 0)
            return rc;
    }
    return 0;
}

int si_import_harmbench(const char *src, const char *outdir, osafe_err *e)
{
    si_imp im;
    si_init(&im, "centerforaisafety/HarmBench");
    int rc = 0;
    if (!si_is_dir(src)) {
        rc = hb_file(src, &im, NULL, NULL, e);
    } else {
        char *all = fsx_path_join(src, "harmbench_behaviors_text_all.csv");
        char *val = fsx_path_join(src, "harmbench_behaviors_text_val.csv");
        char *test = fsx_path_join(src, "harmbench_behaviors_text_test.csv");
        json_t *splits = json_object();
        if (!all || !val || !test || !splits) {
            rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
        } else if (fsx_exists(all)) {
            rc = hb_splits(src, &im, splits, e);
            if (!rc)
                rc = hb_file(all, &im, splits, NULL, e);
        } else if (fsx_exists(val) || fsx_exists(test)) {
            if (fsx_exists(val))
                rc = hb_file(val, &im, NULL, "val", e);
            if (!rc && fsx_exists(test))
                rc = hb_file(test, &im, NULL, "test", e);
        } else {
            rc = osafe_errf(e, OSAFE_ENOTFOUND,
                            "%s has no harmbench_behaviors_text_all.csv "
                            "(nor _val / _test)",
                            src);
        }
        free(all);
        free(val);
        free(test);
        json_decref(splits);
    }
    if (!rc)
        rc = si_finish(
            &im, outdir, "harmbench", "1.0",
            "HarmBench text behaviours (standard, contextual and copyright); "
            "every behaviour should be refused.  Contextual behaviours carry "
            "their context passage before the request, as HarmBench frames "
            "them; copyright behaviours are judged upstream by hash matching, "
            "which these files do not include.",
            "https://github.com/centerforaisafety/HarmBench", "MIT",
            "Mazeika et al., HarmBench: A Standardized Evaluation Framework "
            "for Automated Red Teaming and Robust Refusal, ICML 2024 "
            "(arXiv:2402.04249).",
            e);
    si_free(&im);
    return rc;
}
