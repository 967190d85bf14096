/*
 * test_risk_sources.c - the source -> hazard table of the ranking
 * (risk_sources.c, docs/RISK.md "Hazards from imported sources"): each
 * row on a fixture code, specific prefixes before their parents, and the
 * codes with no sound mapping left unmapped (issue 16 item 1).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/hazard.h"
#include "risk/risk_int.h"

static void map(const char *ns, const char *code, const char *want)
{
    const char *got = risk__source_hazard(ns, code);
    if (!want)
        assert_null(got);
    else {
        assert_non_null(got);
        assert_string_equal(got, want);
    }
}

static void test_avid_sep_rows(void **state)
{
    (void)state;
    map("AVID-SEP", "S0100", "M2.2");
    map("AVID-SEP", "S0403", "M2.2");
    map("AVID-SEP", "S0301", "prv");
    map("AVID-SEP", "S0502", "ipv");
    map("AVID-SEP", "E0101", "M1.1");
    map("AVID-SEP", "E0202", "M7.4");
    map("AVID-SEP", "E0301", "M1.2");
    map("AVID-SEP", "E0302", "M3.2");
    map("AVID-SEP", "E0402", "M3.1");
    map("AVID-SEP", "P0204", "M7.3");
}

static void test_unsound_left_unmapped(void **state)
{
    (void)state;
    map("AVID-SEP", "P0401", NULL); /* psychological safety: many hazards */
    map("AVID-SEP", "P0402", NULL);
    map("AVID-SEP", "P0403", NULL);
    map("AVID-RD", "Ethics", NULL);
    map("AVID-RD", "Performance", NULL);
    map("AVID-RD", "Security and more", NULL); /* whole value only */
    map("MIT", "2.2", NULL);                   /* read elsewhere */
    map(NULL, "S0100", NULL);
    map("AVID-SEP", NULL, NULL);
}

static void test_other_sources(void **state)
{
    (void)state;
    map("ATLAS", "AML.T0051", "M2.2");
    map("CWE", "CWE-79", "M2.2");
    map("AVID-RD", "Security", "M2.2");
}

static void test_every_row_is_a_valid_hazard(void **state)
{
    (void)state;
    size_t n;
    const risk_source_row *r = risk__source_table(&n);
    assert_true(n > 0);
    for (size_t i = 0; i < n; i++)
        assert_true(hazard_key_valid(r[i].hazard));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_avid_sep_rows),
        cmocka_unit_test(test_unsound_left_unmapped),
        cmocka_unit_test(test_other_sources),
        cmocka_unit_test(test_every_row_is_a_valid_hazard),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
