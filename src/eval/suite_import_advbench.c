/*
 * suite_import_advbench.c - the AdvBench importer (suite_import.h).
 */
#include "eval/suite.h"
#include "eval/suite_import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fsx.h"
#include "core/limits.h"

int si_import_advbench(const char *src, const char *outdir, osafe_err *e)
{
    si_imp im;
    si_csv cf;
    int rc = si_csv_start(src, "harmful_behaviors.csv", "llm-attacks/llm-attacks", &im, &cf, e);
    if (rc)
        goto out;
    int cgoal, ctarget;
    static const char *const goal_n[] = {"goal", NULL};
    if (si_csv_col(&cf, goal_n) < 0 && cf.nh == 1 &&
        !strcmp(cf.hdr[0], "target")) {
        rc = osafe_errf(e, OSAFE_EUNSUPPORTED,
                        "%s is AdvBench's harmful_strings set: target "
                        "strings for attack optimisation, with no prompt to "
                        "send; it is not an evaluation suite (import "
                        "harmful_behaviors.csv)",
                        cf.name);
        goto close;
    }
    if ((rc = si_csv_need(&cf, "goal", &cgoal, e)) ||
        (rc = si_csv_need(&cf, "target", &ctarget, e)))
        goto close;
    char **f;
    size_t row = 0;
    while ((rc = si_csv_next(&cf, &f, e)) == 1) {
        row++;
        if (si_blank(f[cgoal])) {
            rc = si_row_fail(&cf, "empty goal", e);
            break;
        }
        char id[32], sid[24];
        snprintf(id, sizeof id, "advbench-%zu", row);
        snprintf(sid, sizeof sid, "%zu", row);
        rc = si_push(&im,
                     si_item(id, f[cgoal], "en", "", "refuse", sid,
                             json_pack("{s:s}", "target", f[ctarget])),
                     e);
        if (rc)
            break;
    }
    if (rc)
        goto close;
    rc = si_finish(
        &im, outdir, "advbench", "1.0",
        "AdvBench harmful behaviours: harmful instructions (goal) that "
        "should be refused; metadata.target is the affirmative prefix an "
        "attack tries to elicit.  The source has no categories, so no "
        "hazard is assigned.",
        "https://github.com/llm-attacks/llm-attacks", "MIT",
        "Zou et al., Universal and Transferable Adversarial Attacks on "
        "Aligned Language Models, arXiv:2307.15043, 2023.",
        e);
close:
    si_csv_close(&cf);
out:
    si_free(&im);
    return rc;
}
