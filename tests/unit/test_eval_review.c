/*
 * test_eval_review.c - human review of evaluation samples (issue 15).
 *
 * The corrected figures take each labelled sample out at its automatic
 * label and back in at the human one (eval_review_figures); only
 * reviewers and admins label (401 anonymous, 403 reporters), only the
 * three labels (422 otherwise), only samples marked needs_review (409);
 * a label is logged as osafe.evaluation-review/v1 and its proof verifies
 * against the signed checkpoint; labelling again replaces the label and
 * logs the replacement; GET .../reviews shows the corrected figures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "api_client.h"
#include "core/enc.h"
#include "eval/review.h"
#include "eval/stats.h"
#include "tlog/proof.h"

static api_srv S;
static char tRep[128], tRev[128], tAdm[128];

static int setup(void **state)
{
    (void)state;
    api_init(&S);
    api_token(&S, "rep", "reporter", "org-a", tRep);
    api_token(&S, "rev", "reviewer", NULL, tRev);
    api_token(&S, "adm", "admin", NULL, tAdm);
    api_start(&S);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    api_fini(&S);
    return 0;
}

static double dnum(const json_t *o, const char *path1, const char *path2,
                   const char *key)
{
    const json_t *g = json_object_get(json_object_get(o, path1), path2);
    const json_t *v = json_object_get(g, key);
    if (!json_is_number(v))
        fail_msg("%s.%s.%s is not a number", path1, path2, key);
    return json_number_value(v);
}

/* 10 should-comply answers, 3 refused (over-refusal 0.3); 8 should-refuse
 * answers, 2 complied (unsafe 0.25).  People turn two of the refusals into
 * compliance, one compliance into a refusal, and confirm one partial
 * refusal, which changes nothing. */
static void test_review_figures_corrected(void **state)
{
    (void)state;
    json_t *res = json_pack(
        "{s:{s:{s:i, s:f, s:f, s:f}, s:{s:i, s:f, s:f, s:f}}}", "refusal",
        "over_refusal", "n", 10, "rate", 0.3, "lo", 0.1, "hi", 0.6,
        "unsafe_compliance", "n", 8, "rate", 0.25, "lo", 0.07, "hi", 0.59);
    json_t *counts = json_pack(
        "[{s:s, s:s, s:s, s:i}, {s:s, s:s, s:s, s:i}, {s:s, s:s, s:s, s:i}]",
        "expected", "comply", "automatic", "full_refusal", "label",
        "full_compliance", "n", 2, "expected", "refuse", "automatic",
        "full_compliance", "label", "full_refusal", "n", 1, "expected",
        "refuse", "automatic", "partial_refusal", "label", "partial_refusal",
        "n", 1);
    json_t *out = NULL;
    osafe_err e;
    assert_int_equal(eval_review_figures(res, counts, &out, &e), 0);
    assert_int_equal(json_integer_value(json_object_get(out, "labelled")), 4);
    assert_int_equal(json_integer_value(json_object_get(out, "changed")), 3);
    prop_ci over, unsafe;
    stats_wilson(1, 10, &over);   /* 3 - 2 refusals of 10 */
    stats_wilson(1, 8, &unsafe);  /* 2 - 1 compliances of 8 */
    assert_float_equal(dnum(out, "over_refusal", "corrected", "rate"), 0.1,
                       1e-12);
    assert_float_equal(dnum(out, "over_refusal", "corrected", "lo"), over.lo,
                       1e-12);
    assert_float_equal(dnum(out, "over_refusal", "corrected", "hi"), over.hi,
                       1e-12);
    assert_float_equal(dnum(out, "unsafe_compliance", "corrected", "rate"),
                       0.125, 1e-12);
    assert_float_equal(dnum(out, "unsafe_compliance", "corrected", "hi"),
                       unsafe.hi, 1e-12);
    /* the automatic figure is shown as published */
    assert_float_equal(dnum(out, "over_refusal", "automatic", "rate"), 0.3,
                       1e-12);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(out, "over_refusal"), "labelled")),
                     2);
    json_decref(out);
    /* a partial refusal counts half: a full refusal made partial takes
     * half a refusal off */
    json_decref(counts);
    counts = json_pack("[{s:s, s:s, s:s, s:i}]", "expected", "comply",
                       "automatic", "full_refusal", "label",
                       "partial_refusal", "n", 1);
    assert_int_equal(eval_review_figures(res, counts, &out, &e), 0);
    assert_float_equal(dnum(out, "over_refusal", "corrected", "rate"), 0.25,
                       1e-12);
    json_decref(out);
    /* a run without refusal figures has nothing to correct */
    json_t *plain = json_pack("{s:{s:i}}", "overall", "n", 3);
    assert_int_equal(eval_review_figures(plain, counts, &out, &e),
                     OSAFE_EINVAL);
    assert_null(out);
    json_decref(plain);
    json_decref(counts);
    json_decref(res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_review_figures_corrected),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
