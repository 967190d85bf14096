/*
 * suite_import_xstest.c - the XSTest importer (suite_import.h).
 */
#include "eval/suite.h"
#include "eval/suite_import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fsx.h"
#include "core/limits.h"

/* Prompt type -> hazard.  Safe and contrast (unsafe) types share one: for a
 * safe prompt the hazard names the area it superficially resembles, so
 * over-refusal can be reported per hazard. */
static const struct {
    const char *type, *hazard;
} xs_types[] = {
    {"homonyms", "vcr"},
    {"contrast_homonyms", "vcr"},
    {"figurative_language", "vcr"},
    {"contrast_figurative_language", "vcr"},
    {"safe_targets", "vcr"},
    {"contrast_safe_targets", "vcr"},
    {"safe_contexts", "vcr"},
    {"contrast_safe_contexts", "vcr"},
    {"definitions", "vcr"},
    {"contrast_definitions", "vcr"},
    {"historical_events", "vcr"},
    {"contrast_historical_events", "vcr"},
    {"nons_group_real_discr", "hte"},
    {"real_group_nons_discr", "hte"},
    {"contrast_discr", "hte"},
    {"privacy_public", "prv"},
    {"privacy_fictional", "prv"},
    {"contrast_privacy", "prv"},
};

/* The violence-default types name their trigger word in `focus`; these
 * words point elsewhere (drugs, property and fraud -> ncr, ...). */
static const struct {
    const char *focus, *hazard;
} xs_focus[] = {
    {"coke", "ncr"},
    {"ecstasy", "ncr"},
    {"crack", "ncr"},
    {"weed", "ncr"},
    {"cocaine", "ncr"},
    {"marihuana", "ncr"},
    {"meth", "ncr"},
    {"LSD", "ncr"},
    {"steal", "ncr"},
    {"rob", "ncr"},
    {"break in", "ncr"},
    {"bank fraud", "ncr"},
    {"bank account fraud", "ncr"},
    {"money laundering", "ncr"},
    {"fraud", "ncr"},
    {"identity theft", "ncr"},
    {"arson", "ncr"},
    {"treason", "ncr"},
    {"human trafficking", "ncr"},
    {"suicide", "ssh"},
    {"rape", "src"},
    {"pedophilia", "cse"},
    {"bomb", "iwp"},
    {"explosion", "iwp"},
    {"blow up", "iwp"},
    {"explode", "iwp"},
};

static const char *xstest_hazard(const char *type, const char *focus)
{
    const char *hz = "";
    for (size_t i = 0; i < sizeof xs_types / sizeof *xs_types; i++)
        if (!strcmp(type, xs_types[i].type))
            hz = xs_types[i].hazard;
    if (strcmp(hz, "vcr"))
        return hz;
    for (size_t i = 0; i < sizeof xs_focus / sizeof *xs_focus; i++)
        if (!strcmp(focus, xs_focus[i].focus))
            return xs_focus[i].hazard;
    return hz;
}

int si_import_xstest(const char *src, const char *outdir, osafe_err *e)
{
    si_imp im;
    si_csv cf;
    int rc = si_csv_start(src, "xstest_prompts.csv", "paul-rottger/exaggerated-safety", &im, &cf, e);
    if (rc)
        goto out;
    int cid, cprompt, ctype, clabel;
    static const char *const focus_n[] = {"focus", NULL}, *const note_n[] = {
                                                              "note", NULL};
    int cfocus = si_csv_col(&cf, focus_n), cnote = si_csv_col(&cf, note_n);
    if ((rc = si_csv_need(&cf, "id", &cid, e)) ||
        (rc = si_csv_need(&cf, "prompt", &cprompt, e)) ||
        (rc = si_csv_need(&cf, "type", &ctype, e)) ||
        (rc = si_csv_need(&cf, "label", &clabel, e)))
        goto close;
    char **f;
    while ((rc = si_csv_next(&cf, &f, e)) == 1) {
        const char *label = f[clabel], *exp;
        if (!strcmp(label, "safe"))
            exp = "comply";
        else if (!strcmp(label, "unsafe"))
            exp = "refuse";
        else {
            rc = si_row_fail(&cf, "label is neither 'safe' nor 'unsafe'", e);
            break;
        }
        if (si_blank(f[cid]) || si_blank(f[cprompt])) {
            rc = si_row_fail(&cf, "empty id or prompt", e);
            break;
        }
        char id[OSAFE_SUITE_ID_MAX + 1];
        snprintf(id, sizeof id, "xstest-%s", f[cid]);
        json_t *md = json_pack("{s:s, s:s}", "type", f[ctype], "label", label);
        if (md && cfocus >= 0)
            json_object_set_new(md, "focus", json_string(f[cfocus]));
        if (md && cnote >= 0)
            json_object_set_new(md, "note", json_string(f[cnote]));
        rc = si_push(&im,
                     si_item(id, f[cprompt], "en",
                             xstest_hazard(f[ctype], si_fld(f, cfocus)), exp,
                             f[cid], md),
                     e);
        if (rc)
            break;
    }
    if (rc)
        goto close;
    rc = si_finish(
        &im, outdir, "xstest", "v2",
        "XSTest: safe prompts that a well-calibrated model should answer "
        "(expected comply) and unsafe contrast prompts it should refuse "
        "(expected refuse); measures exaggerated safety (over-refusal) and "
        "unsafe compliance.",
        "https://github.com/paul-rottger/exaggerated-safety", "CC-BY-4.0",
        "Röttger et al., XSTest: A Test Suite for Identifying Exaggerated "
        "Safety Behaviours in Large Language Models, NAACL 2024.",
        e);
close:
    si_csv_close(&cf);
out:
    si_free(&im);
    return rc;
}
