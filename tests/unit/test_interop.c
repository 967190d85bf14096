/*
 * test_interop.c - `osafe export` and `osafe import` against each other, on
 * the fixture records of tests/fixtures/interop/records.jsonl (published
 * into a fresh registry: one withdrawn, one merged into another, one
 * TLP:GREEN, one AMBER):
 *
 *   - every format carries the state of withdrawn and merged records
 *     (native "state", OSV "withdrawn", STIX "revoked", CSV "state");
 *   - --tlp GREEN adds GREEN records to the osv and avid exports as to the
 *     others, and AMBER never leaves;
 *   - round trips: `import json` of the native export gives back every
 *     record's content identically (its source id added to aliases); the
 *     CSV export re-imports with every column it documents; osafe's own
 *     OSV and AVID exports import again, recovering what they carry.
 *
 * The official-schema validation and the round trip on the public AVID
 * data are in test_interop_data.c (they need ../shared).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "api_client.h"
#include "interop_fixture.h"
#include "registry/exchange.h"
#include "registry/validate.h"

static void test_states_exported(void **state)
{
    (void)state;
    json_t *nat = lines_by(export("json", NULL, "n.jsonl"), native_id);
    assert_int_equal(json_object_size(nat), 3); /* CLEAR only */
    json_t *w = json_object_get(nat, ids[1]), *m = json_object_get(nat, ids[2]);
    assert_string_equal(json_string_value(json_object_get(w, "state")),
                        "withdrawn");
    assert_non_null(json_string_value(json_object_get(w, "withdrawn")));
    assert_string_equal(json_string_value(json_object_get(m, "state")),
                        "merged");
    assert_string_equal(json_string_value(json_object_get(m, "merged_into")),
                        ids[0]);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(nat, ids[0]),
                                          "state")),
        "published");
    /* Native lines are records of our own schema, states included (no
     * official schema exists for it, nor for AVID or our CSV). */
    const char *k;
    json_t *rec;
    json_object_foreach (nat, k, rec) {
        osafe_err ve;
        if (rec_validate(rec, 1, 0, &ve))
            fail_msg("native export of %s: %s", k, ve.msg);
    }
    json_decref(nat);

    json_t *osv = lines_by(export("osv", NULL, "o.jsonl"), osv_id);
    assert_non_null(json_object_get(json_object_get(osv, ids[1]), "withdrawn"));
    assert_non_null(json_object_get(json_object_get(osv, ids[2]), "withdrawn"));
    assert_null(json_object_get(json_object_get(osv, ids[0]), "withdrawn"));
    json_decref(osv);

    json_t *b = json_load_file(export("stix", NULL, "s.json"), 0, NULL);
    assert_non_null(b);
    size_t i, revoked = 0, sdos = 0;
    json_t *o;
    json_array_foreach (json_object_get(b, "objects"), i, o) {
        const char *t = json_string_value(json_object_get(o, "type"));
        if (strcmp(t, "incident") && strcmp(t, "vulnerability"))
            continue;
        sdos++;
        revoked += json_is_true(json_object_get(o, "revoked"));
    }
    assert_int_equal(sdos, 3);
    assert_int_equal(revoked, 2);
    json_decref(b);

    size_t n;
    char *csv = api_read_file(export("csv", NULL, "c.csv"), &n);
    assert_non_null(strstr(csv, ",state,"));
    assert_non_null(strstr(csv, ",withdrawn,"));
    assert_non_null(strstr(csv, ",merged,"));
    free(csv);
}

static void test_tlp_green(void **state)
{
    (void)state;
    json_t *clear = lines_by(export("osv", NULL, "o1.jsonl"), osv_id);
    json_t *green = lines_by(export("osv", "GREEN", "o2.jsonl"), osv_id);
    assert_null(json_object_get(clear, ids[3]));
    assert_non_null(json_object_get(green, ids[3]));
    assert_null(json_object_get(green, ids[4]));
    assert_int_equal(json_object_size(green), 4); /* never AMBER */
    json_decref(clear);
    json_decref(green);
    clear = lines_by(export("avid", NULL, "a1.jsonl"), avid_id);
    green = lines_by(export("avid", "GREEN", "a2.jsonl"), avid_id);
    assert_null(json_object_get(clear, ids[3]));
    assert_non_null(json_object_get(green, ids[3]));
    assert_null(json_object_get(green, ids[4]));
    json_decref(clear);
    json_decref(green);
}

static void test_json_round_trip(void **state)
{
    (void)state;
    const char *file = export("json", "GREEN", "n2.jsonl");
    json_t *exported = lines_by(file, native_id);
    json_t *back = load_all(import("json", file, "j.db"));
    assert_int_equal(json_object_size(back), 4);
    for (size_t i = 0; i < 4; i++) {
        json_t *want = fixture(i);
        json_t *got = json_deep_copy(by_alias(back, ids[i]));
        if (!got)
            fail_msg("%s: not imported back", ids[i]);
        strip_minted(got);
        /* The source id is appended to the aliases; nothing else moves. */
        json_t *al = json_object_get(got, "aliases");
        assert_string_equal(
            json_string_value(json_array_get(al, json_array_size(al) - 1)),
            ids[i]);
        json_array_remove(al, json_array_size(al) - 1);
        if (!json_array_size(al) && !json_object_get(want, "aliases"))
            json_object_del(got, "aliases");
        if (!json_equal(want, got)) {
            char *a = json_dumps(want, JSON_SORT_KEYS),
                 *b = json_dumps(got, JSON_SORT_KEYS);
            fail_msg("%s changed in the round trip:\n%s\n%s", ids[i], a, b);
        }
        json_decref(want);
        json_decref(got);
    }
    json_decref(back);
    json_decref(exported);
}

/* The imported copy of the rich first fixture record, through fmt. */
static json_t *first_back(const char *fmt, const char *file, const char *dbn)
{
    json_t *back = load_all(import(fmt, file, dbn));
    json_t *got = by_alias(back, ids[0]);
    if (!got)
        fail_msg("%s: %s not imported back", fmt, ids[0]);
    json_incref(got);
    json_decref(back);
    return got;
}

/* The fields that must come back identical through fmt. */
static void same_fields(const char *fmt, const json_t *want, const json_t *got,
                        const char *const *fields)
{
    for (const char *const *f = fields; *f; f++) {
        const json_t *a = json_object_get(want, *f),
                     *b = json_object_get(got, *f);
        if (!json_equal((json_t *)a, (json_t *)b)) {
            char *x = a ? json_dumps(a, JSON_SORT_KEYS | JSON_ENCODE_ANY)
                        : NULL,
                 *y = b ? json_dumps(b, JSON_SORT_KEYS | JSON_ENCODE_ANY)
                        : NULL;
            fail_msg("%s round trip: %s differs:\n%s\n%s", fmt, *f,
                     x ? x : "(absent)", y ? y : "(absent)");
        }
    }
}

static void test_csv_round_trip(void **state)
{
    (void)state;
    json_t *want = fixture(0);
    json_t *got = first_back("csv", export("csv", NULL, "r.csv"), "c.db");
    static const char *const fields[] = {
        "record_type", "lang",        "title",          "description",
        "ai_relation", "use_mode",    "occurred_start", "occurred_end",
        "detected",    "countries_occurred", "severity", "scores",
        "harm_types",  "hazards",     "entities",       "credits",
        "ai_systems",  "lifecycle_stages", "classifications", "metrics",
        "references",  "related",     "tlp",            "license",
        NULL};
    same_fields("csv", want, got, fields);
    json_decref(want);
    json_decref(got);
}

static void test_osv_round_trip(void **state)
{
    (void)state;
    json_t *want = fixture(0);
    json_t *got = first_back("osv", export("osv", NULL, "r.jsonl"), "o.db");
    static const char *const fields[] = {
        "record_type", "lang", "title", "ai_relation", "occurred_start",
        "occurred_end", "countries_occurred", "severity", "harm_types",
        "hazards", "entities", "credits", "ai_systems", "lifecycle_stages",
        "classifications", "related", "tlp", "license", NULL};
    same_fields("osv", want, got, fields);
    json_decref(want);
    json_decref(got);
}

static void test_avid_round_trip(void **state)
{
    (void)state;
    json_t *want = fixture(0);
    json_t *got = first_back("avid", export("avid", NULL, "r2.jsonl"), "v.db");
    static const char *const fields[] = {"lang", "title", "metrics",
                                         "entities", NULL};
    same_fields("avid", want, got, fields);
    /* Descriptions: the English one (AVID holds one). */
    assert_true(json_equal(json_array_get(json_object_get(want, "description"),
                                          0),
                           json_array_get(json_object_get(got, "description"),
                                          0)));
    json_decref(want);
    json_decref(got);
}

static int keep_item(void *ctx, exch_item *it)
{
    json_t **out = ctx;
    if (it->record) {
        *out = it->record;
        it->record = NULL;
    }
    return 0;
}

/* The CSV importer had its own copy of the severity levels, without the
 * schema's "unknown": one vocabulary now (registry/validate.h). */
static void test_csv_severity_vocabulary(void **state)
{
    (void)state;
    const char *csv = "record_type,lang,title,description,severity,"
                      "references,license\r\n"
                      "hazard,en,t,d,unknown,https://example.org/x,MIT\r\n";
    json_t *rec = NULL;
    osafe_err e;
    assert_int_equal(
        exch_import(EXCH_CSV, csv, strlen(csv), NULL, keep_item, &rec, &e), 0);
    assert_non_null(rec);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(rec, "severity"), "level")),
                        "unknown");
    json_decref(rec);
    for (const char *const *l = rec_severity_levels; *l; l++)
        assert_true(rec_in_vocab(*l, rec_severity_levels));
    assert_int_equal(rec_tlp_rank("CLEAR"), 0);
    assert_int_equal(rec_tlp_rank("RED"), 4);
    assert_int_equal(rec_tlp_rank("red"), -1);
}

/* A system name ending in a space, in the short ai_systems form: the
 * export escapes the space, the import keeps it. */
static void test_csv_edge_spaces(void **state)
{
    (void)state;
    json_t *in = fixture(1);
    json_object_set_new(in, "id", json_string("OSAFE-2025-00042"));
    json_object_set_new(in, "ai_systems",
                        json_pack("[{s:s, s:s}, {s:s, s:s, s:s}]", "kind",
                                  "system", "name", "notes bot ", "kind",
                                  "model", "name", " m;x", "version", "2 "));
    osafe_buf csv = OSAFE_BUF_INIT;
    osafe_err e;
    assert_int_equal(exch_csv_header(&csv), 0);
    assert_int_equal(exch_export_csv_row(in, &csv, &e), 0);
    assert_non_null(strstr(csv.data, "system:notes bot\\ ;"));
    json_t *rec = NULL;
    assert_int_equal(exch_import(EXCH_CSV, csv.data, csv.len, NULL,
                                 keep_item, &rec, &e),
                     0);
    assert_non_null(rec);
    assert_true(json_equal(json_object_get(in, "ai_systems"),
                           json_object_get(rec, "ai_systems")));
    json_decref(rec);
    json_decref(in);
    buf_release(&csv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_states_exported),
        cmocka_unit_test(test_tlp_green),
        cmocka_unit_test(test_json_round_trip),
        cmocka_unit_test(test_csv_round_trip),
        cmocka_unit_test(test_osv_round_trip),
        cmocka_unit_test(test_avid_round_trip),
        cmocka_unit_test(test_csv_severity_vocabulary),
        cmocka_unit_test(test_csv_edge_spaces),
    };
    return cmocka_run_group_tests(tests, interop_setup, interop_teardown);
}
