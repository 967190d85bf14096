/*
 * test_interop_data.c - the interop checks that need ../shared (found
 * through OSAFE_SHARED; when it is absent the test reports SKIP, exit 77):
 *
 *   - every export format against its official schema: OSV against
 *     ossf/osv-schema, the STIX bundle object by object against OASIS's
 *     cti-stix2-json-schemas (tests/tools/validate_export.py, Debian's
 *     python3-jsonschema), for the fixture records (every state, CLEAR and
 *     GREEN) and for the 1,785 public AVID records;
 *   - the native round trip on those AVID records: published, exported as
 *     json, imported with `osafe import json`, every record's content
 *     comes back identical (its source id added to aliases).
 *
 * Record text is never printed (the data holds harmful text): failures
 * name ids and fields only.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "api_client.h"
#include "interop_fixture.h"

static char schemas[512], avid_v[512], avid_r[512];

/* tests/tools/validate_export.py SCHEMAS FMT FILE must exit 0. */
static void valid(const char *fmt, const char *file)
{
    const char *src = __FILE__, *slash = strrchr(src, '/');
    char tool[512], err[300];
    snprintf(tool, sizeof tool, "%.*s/../tools/validate_export.py",
             slash ? (int)(slash - src) : 1, slash ? src : ".");
    snprintf(err, sizeof err, "%s/validate.err", dir);
    unlink(err);
    char *argv[] = {"/usr/bin/env", "python3",   tool,
                    schemas,        (char *)fmt, (char *)file, NULL};
    int rc = api_run(argv, NULL, err);
    if (rc != 0) {
        size_t n;
        char *why = api_read_file(err, &n);
        fail_msg("%s export %s is not valid against the official schema "
                 "(exit %d):\n%.2000s",
                 fmt, file, rc, why);
    }
}

static void test_fixture_exports_valid(void **state)
{
    (void)state;
    valid("osv", export("osv", NULL, "v1.jsonl"));
    valid("osv", export("osv", "GREEN", "v2.jsonl"));
    valid("stix", export("stix", NULL, "v1.json"));
    valid("stix", export("stix", "GREEN", "v2.json"));
}

/* The AVID data published into a second registry, exported natively. */
static char big_db[300], big_log[300];

static void publish_avid(void)
{
    snprintf(big_db, sizeof big_db, "%s/avid.db", dir);
    snprintf(big_log, sizeof big_log, "%s/avid-log", dir);
    char *init[] = {(char *)api_osafe(), "log", "init", big_log, "--origin",
                    "localhost/osafe-log", "--key", keyf, NULL};
    run_ok(init, NULL);
    char *imp[] = {(char *)api_osafe(), "import", "avid", avid_v, avid_r,
                   "--db", big_db, "--publish", "--log", big_log, "--key",
                   keyf, NULL};
    osafe_buf out = OSAFE_BUF_INIT;
    run_ok(imp, &out);
    buf_release(&out);
}

static void test_avid_data(void **state)
{
    (void)state;
    publish_avid();
    char nat[300], osv[300], stix[300];
    snprintf(nat, sizeof nat, "%s/avid-native.jsonl", dir);
    snprintf(osv, sizeof osv, "%s/avid-osv.jsonl", dir);
    snprintf(stix, sizeof stix, "%s/avid-stix.json", dir);
    const char *outs[3] = {nat, osv, stix}, *fmts[3] = {"json", "osv", "stix"};
    for (int f = 0; f < 3; f++) {
        char *argv[] = {(char *)api_osafe(), "export", (char *)fmts[f], "--db",
                        big_db, "--out", (char *)outs[f], NULL};
        run_ok(argv, NULL);
    }
    valid("osv", osv);
    valid("stix", stix);

    json_t *exported = lines_by(nat, native_id);
    assert_int_equal(json_object_size(exported), 1785);
    json_t *back = load_all(import("json", nat, "avid-back.db"));
    assert_int_equal(json_object_size(back), 1785);
    /* Index the re-imported records by the source id (their last alias). */
    json_t *by_src = json_object();
    const char *k;
    json_t *rec;
    json_object_foreach (back, k, rec) {
        json_t *al = json_object_get(rec, "aliases");
        const char *src = json_string_value(
            json_array_get(al, json_array_size(al) - 1));
        assert_non_null(src);
        json_object_set(by_src, src, rec);
    }
    size_t differ = 0;
    json_object_foreach (exported, k, rec) {
        json_t *want = json_deep_copy(rec);
        json_t *got = json_deep_copy(json_object_get(by_src, k));
        if (!got)
            fail_msg("%s: not imported back", k);
        strip_minted(want);
        strip_minted(got);
        json_t *al = json_object_get(got, "aliases");
        json_array_remove(al, json_array_size(al) - 1);
        if (!json_equal(want, got) && differ++ < 5) {
            const char *f;
            json_t *v;
            json_object_foreach (want, f, v) {
                if (!json_equal(v, json_object_get(got, f)))
                    print_message("%s: field %s differs\n", k, f);
            }
        }
        json_decref(want);
        json_decref(got);
    }
    assert_int_equal(differ, 0);
    json_decref(by_src);
    json_decref(back);
    json_decref(exported);
}

int main(void)
{
    const char *sh = getenv("OSAFE_SHARED");
    if (!sh || !*sh)
        sh = "../shared";
    snprintf(schemas, sizeof schemas, "%s/vectors/schemas", sh);
    snprintf(avid_v, sizeof avid_v, "%s/data/avid/avid_vulnerabilities.jsonl",
             sh);
    snprintf(avid_r, sizeof avid_r, "%s/data/avid/avid_reports.jsonl", sh);
    if (access(schemas, R_OK) || access(avid_v, R_OK) || access(avid_r, R_OK)) {
        printf("SKIP: %s lacks vectors/schemas or data/avid (set "
               "OSAFE_SHARED to the shared/ folder)\n",
               sh);
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture_exports_valid),
        cmocka_unit_test(test_avid_data),
    };
    return cmocka_run_group_tests(tests, interop_setup, interop_teardown);
}
