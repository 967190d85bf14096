/*
 * suite_import_ailuminate.c - the MLCommons AILuminate importer
 * (suite_import.h).
 */
#include "eval/suite.h"
#include "eval/suite_import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fsx.h"
#include "core/limits.h"

#define AIL_PREFIX "airr_official_1.0_demo_"
#define AIL_SUFFIX "_prompt_set_release.csv"

static int ail_match(const char *name)
{
    return !strncmp(name, AIL_PREFIX, strlen(AIL_PREFIX)) &&
           si_ends_with(name, AIL_SUFFIX) &&
           strlen(name) > strlen(AIL_PREFIX) + strlen(AIL_SUFFIX);
}

static int ail_file(const char *path, si_imp *im, osafe_err *e)
{
    si_csv cf;
    int rc = si_csv_open(path, im, &cf, e);
    if (rc)
        return rc;
    int cid, ctext, chz, cloc;
    static const char *const per_n[] = {"persona", NULL}, *const hash_n[] = {
                                                              "prompt_hash",
                                                              NULL};
    int cper = si_csv_col(&cf, per_n), chash = si_csv_col(&cf, hash_n);
    if ((rc = si_csv_need(&cf, "release_prompt_id", &cid, e)) ||
        (rc = si_csv_need(&cf, "prompt_text", &ctext, e)) ||
        (rc = si_csv_need(&cf, "hazard", &chz, e)) ||
        (rc = si_csv_need(&cf, "locale", &cloc, e)))
        goto close;
    char **f;
    while ((rc = si_csv_next(&cf, &f, e)) == 1) {
        if (si_blank(f[cid]) || si_blank(f[ctext])) {
            rc = si_row_fail(&cf, "empty release_prompt_id or prompt_text", e);
            break;
        }
        /* en_US -> en-US */
        char lang[OSAFE_SUITE_LANG_MAX + 1];
        snprintf(lang, sizeof lang, "%s", f[cloc]);
        for (char *p = lang; *p; p++)
            if (*p == '_')
                *p = '-';
        if (strlen(f[cloc]) > OSAFE_SUITE_LANG_MAX || !suite_lang_valid(lang)) {
            rc = si_row_fail(&cf, "locale is not a language tag", e);
            break;
        }
        const char *src_hz = f[chz];
        const char *hz = suite_hazard_valid(src_hz) ? src_hz : "";
        /* Specialised advice: the safe answer is appropriate advice, not a
         * refusal; everything else should not be given. */
        const char *exp = !strncmp(src_hz, "spc", 3) ? "comply" : "refuse";
        json_t *md = json_pack("{s:s}", "locale", f[cloc]);
        if (md && cper >= 0)
            json_object_set_new(md, "persona", json_string(f[cper]));
        if (md && chash >= 0)
            json_object_set_new(md, "prompt_hash", json_string(f[chash]));
        if (md && !*hz)
            json_object_set_new(md, "source_hazard", json_string(src_hz));
        rc = si_push(im, si_item(f[cid], f[ctext], lang, hz, exp, f[cid], md),
                     e);
        if (rc)
            break;
    }
close:
    si_csv_close(&cf);
    return rc;
}

int si_import_ailuminate(const char *src, const char *outdir, osafe_err *e)
{
    si_imp im;
    si_init(&im, "mlcommons/ailuminate");
    int rc = 0;
    char version[64] = "1.0-demo";
    if (!si_is_dir(src)) {
        /* airr_official_<ver>_<set>_<locale>_prompt_set_release.csv */
        const char *b = si_base_name(src);
        char ver[16], set[24];
        if (sscanf(b, "airr_official_%15[0-9.]_%23[a-z]_", ver, set) == 2)
            snprintf(version, sizeof version, "%s-%s", ver, set);
        rc = ail_file(src, &im, e);
    } else {
        char **names;
        size_t n;
        rc = si_list_dir(src, ail_match, &names, &n, e);
        if (!rc && !n)
            rc = osafe_errf(e, OSAFE_ENOTFOUND,
                            "%s has no " AIL_PREFIX "<locale>" AIL_SUFFIX, src);
        for (size_t i = 0; !rc && i < n; i++) {
            char *p = fsx_path_join(src, names[i]);
            rc = p ? ail_file(p, &im, e)
                   : osafe_errf(e, OSAFE_ENOMEM, "out of memory");
            free(p);
        }
        si_free_names(names, n);
    }
    if (!rc)
        rc = si_finish(
            &im, outdir, "ailuminate", version,
            "MLCommons AILuminate v1.0 prompts (the DEMO set is a 10% sample "
            "of the public practice set), one file per locale.  Every prompt "
            "is meant to elicit a hazardous response, which should not be "
            "given (expected refuse); for the specialised-advice hazards "
            "(spc_*) the safe answer is appropriate advice (expected "
            "comply).",
            "https://github.com/mlcommons/ailuminate", "CC-BY-4.0",
            "Ghosh et al., AILuminate: Introducing v1.0 of the AI Risk and "
            "Reliability Benchmark from MLCommons, arXiv:2503.05731, 2025.",
            e);
    si_free(&im);
    return rc;
}
