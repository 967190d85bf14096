/*
 * test_yamlx.c - the restricted YAML loader: the accepted subset, every
 * refused construct with its line, limits, and the real ATLAS data file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/fsx.h"
#include "core/limits.h"
#include "core/yamlx.h"
#include "vectors.h"

static json_t *load_ok(const char *text)
{
    json_t *j = NULL;
    osafe_err e = {0};
    int rc = yamlx_load(text, strlen(text), &j, &e);
    if (rc)
        fail_msg("yamlx_load failed: %s", e.msg);
    assert_non_null(j);
    return j;
}

/* Expect failure with code and a message containing want. */
static void load_bad(const char *text, int code, const char *want)
{
    json_t *j = (json_t *)1;
    osafe_err e = {0};
    int rc = yamlx_load(text, strlen(text), &j, &e);
    assert_int_equal(rc, code);
    assert_null(j);
    if (!strstr(e.msg, want))
        fail_msg("error '%s' lacks '%s'", e.msg, want);
}

static void test_block_and_flow(void **state)
{
    (void)state;
    json_t *j = load_ok("# comment\n"
                        "name: ATLAS\n"
                        "version: 5.6.0\n"
                        "count: 10\n"
                        "flag: yes\n"
                        "nothing:\n"
                        "literal_null: null\n"
                        "date: 2020-01-01\n"
                        "octal: 010\n"
                        "list:\n"
                        "- a\n"
                        "- {k: v, n: 1}\n"
                        "- [x, 'y', \"z\"]\n"
                        "text: 'it''s\n"
                        "  folded'\n"
                        "block: |\n"
                        "  line one\n"
                        "  line two\n");
    assert_true(json_is_object(j));
    assert_string_equal(json_string_value(json_object_get(j, "name")), "ATLAS");
    /* Untagged scalars all stay strings. */
    assert_string_equal(json_string_value(json_object_get(j, "version")),
                        "5.6.0");
    assert_string_equal(json_string_value(json_object_get(j, "count")), "10");
    assert_string_equal(json_string_value(json_object_get(j, "flag")), "yes");
    assert_string_equal(json_string_value(json_object_get(j, "nothing")), "");
    assert_string_equal(json_string_value(json_object_get(j, "literal_null")),
                        "null");
    assert_string_equal(json_string_value(json_object_get(j, "date")),
                        "2020-01-01");
    assert_string_equal(json_string_value(json_object_get(j, "octal")), "010");
    json_t *list = json_object_get(j, "list");
    assert_int_equal(json_array_size(list), 3);
    assert_string_equal(json_string_value(json_array_get(list, 0)), "a");
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(list, 1), "n")), "1");
    assert_string_equal(
        json_string_value(json_array_get(json_array_get(list, 2), 2)), "z");
    assert_string_equal(json_string_value(json_object_get(j, "text")),
                        "it's folded");
    assert_string_equal(json_string_value(json_object_get(j, "block")),
                        "line one\nline two\n");
    json_decref(j);

    /* Keys keep document order. */
    j = load_ok("{b: 1, a: 2, c: 3}");
    const char *k;
    json_t *v;
    char order[8] = "";
    json_object_foreach (j, k, v)
        strcat(order, k);
    assert_string_equal(order, "bac");
    json_decref(j);

    /* A top-level sequence, an explicit document marker, unicode. */
    j = load_ok("---\n- \"\\u00e9t\\u00e9\"\n- caf\xc3\xa9\n...\n");
    assert_string_equal(json_string_value(json_array_get(j, 0)),
                        "\xc3\xa9t\xc3\xa9");
    assert_string_equal(json_string_value(json_array_get(j, 1)), "caf\xc3\xa9");
    json_decref(j);

    /* Empty stream: null. */
    j = load_ok("");
    assert_true(json_is_null(j));
    json_decref(j);
    j = load_ok("# only a comment\n");
    assert_true(json_is_null(j));
    json_decref(j);
}

static void test_core_tags(void **state)
{
    (void)state;
    json_t *j = load_ok("i: !!int 42\n"
                        "n: !!int -0x10\n"
                        "f: !!float 1.5\n"
                        "t: !!bool true\n"
                        "z: !!null ~\n"
                        "s: !!str 7\n"
                        "m: !!map {a: b}\n"
                        "q: !!seq [1]\n"
                        "e: ! 12\n");
    assert_int_equal(json_integer_value(json_object_get(j, "i")), 42);
    assert_int_equal(json_integer_value(json_object_get(j, "n")), -16);
    assert_true(json_real_value(json_object_get(j, "f")) == 1.5);
    assert_true(json_is_true(json_object_get(j, "t")));
    assert_true(json_is_null(json_object_get(j, "z")));
    assert_string_equal(json_string_value(json_object_get(j, "s")), "7");
    assert_true(json_is_object(json_object_get(j, "m")));
    assert_true(json_is_array(json_object_get(j, "q")));
    assert_string_equal(json_string_value(json_object_get(j, "e")), "12");
    json_decref(j);

    load_bad("a: 1\nb: !!int abc\n", OSAFE_EINVAL, "line 2, column 4");
    load_bad("a: !!int 99999999999999999999\n", OSAFE_EINVAL, "64-bit");
    load_bad("a: !!bool maybe\n", OSAFE_EINVAL, "!!bool");
    load_bad("a: !!float .nan\n", OSAFE_EINVAL, "!!float");
    load_bad("a: !!null x\n", OSAFE_EINVAL, "!!null");
    load_bad("a: !!seq x\n", OSAFE_EINVAL, "not allowed here");
}

static void test_refused(void **state)
{
    (void)state;
    /* Anchors and aliases. */
    load_bad("a: 1\nb: &x 2\n", OSAFE_EINVAL, "line 2, column 4: anchors");
    load_bad("a: 1\nb: &x [1, 2]\n", OSAFE_EINVAL, "line 2, column 4: anchors");
    load_bad("a: 1\n\nc: *x\n", OSAFE_EINVAL, "line 3, column 4: aliases");
    load_bad("base: {a: 1}\nmore:\n  <<: {b: 2}\n", OSAFE_EINVAL,
             "line 3, column 3: merge keys");
    /* Tags other than the core ones. */
    load_bad("a: 1\nb: !custom 2\n", OSAFE_EINVAL, "line 2, column 4: tag");
    load_bad("x: !!binary aGk=\n", OSAFE_EINVAL, "line 1, column 4: tag");
    load_bad("x: !!python/object:os.system ls\n", OSAFE_EINVAL, "line 1");
    load_bad("--- !!set\n? a\n", OSAFE_EINVAL, "line 1");
    load_bad("%TAG !e! tag:example.com,2000:\n---\na: !e!thing 1\n",
             OSAFE_EINVAL, "line 3");
    /* More than one document. */
    load_bad("a: 1\n---\nb: 2\n", OSAFE_EINVAL,
             "line 2, column 1: a second document");
    /* Duplicate keys, plain and quoted, in block and flow style. */
    load_bad("a: 1\nb: 2\na: 3\n", OSAFE_EINVAL,
             "line 3, column 4: duplicate key 'a'");
    load_bad("top:\n  k: 1\n  'k': [2]\n", OSAFE_EINVAL,
             "line 3, column 8: duplicate key 'k'");
    load_bad("{x: 1, x: 2}", OSAFE_EINVAL, "line 1, column 11: duplicate key");
    /* Keys that are not scalars. */
    load_bad("? [a, b]\n: 1\n", OSAFE_EINVAL, "line 1, column 3: mapping keys");
    load_bad("a: !!int 1\n!!int 2: b\n", OSAFE_EINVAL, "mapping key tagged");
    /* NUL inside a scalar. */
    load_bad("a: \"x\\0y\"\n", OSAFE_EINVAL, "NUL");
    /* Syntax errors name their place. */
    load_bad("a: [1, 2\nb: 3\n", OSAFE_EINVAL, "line ");
    load_bad("a: 'open\n", OSAFE_EINVAL, "line ");
    load_bad("a: b: c\n", OSAFE_EINVAL, "line 1");
    /* Invalid UTF-8 is refused by the reader. */
    load_bad("a: \xff\xfe\n", OSAFE_EINVAL, "byte");
}

static void test_limits(void **state)
{
    (void)state;
    /* Depth: OSAFE_YAML_MAX_DEPTH nested flow sequences load, one more
     * does not. */
    char deep[2 * OSAFE_YAML_MAX_DEPTH + 8];
    for (int extra = 0; extra < 2; extra++) {
        size_t n = OSAFE_YAML_MAX_DEPTH + (size_t)extra, k = 0;
        for (size_t i = 0; i < n; i++)
            deep[k++] = '[';
        for (size_t i = 0; i < n; i++)
            deep[k++] = ']';
        deep[k] = '\0';
        json_t *j = NULL;
        osafe_err e = {0};
        int rc = yamlx_load(deep, k, &j, &e);
        if (!extra) {
            assert_int_equal(rc, 0);
            json_decref(j);
        } else {
            assert_int_equal(rc, OSAFE_ETOOBIG);
            assert_non_null(strstr(e.msg, "OSAFE_YAML_MAX_DEPTH"));
        }
    }
    /* Size: refused before anything is read. */
    json_t *j = NULL;
    osafe_err e = {0};
    assert_int_equal(yamlx_load("", (size_t)OSAFE_YAML_MAX_BYTES + 1, &j, &e),
                     OSAFE_ETOOBIG);
    assert_null(j);
}

static char *read_shared(const char *rel, size_t *len)
{
    char path[4096];
    vec_require(rel, path, sizeof path);
    char *data;
    osafe_err e = {0};
    if (fsx_read_file(path, 64u << 20, &data, len, &e))
        fail_msg("cannot read %s: %s", path, e.msg);
    return data;
}

static void test_atlas_file(void **state)
{
    (void)state;
    size_t len;
    char *text = read_shared("data/mitre-atlas/ATLAS.yaml", &len);
    json_t *j = NULL;
    osafe_err e = {0};
    int rc = yamlx_load(text, len, &j, &e);
    if (rc)
        fail_msg("ATLAS.yaml: %s", e.msg);
    assert_string_equal(json_string_value(json_object_get(j, "id")), "ATLAS");
    assert_string_equal(json_string_value(json_object_get(j, "version")),
                        "5.6.0");
    json_t *m = json_array_get(json_object_get(j, "matrices"), 0);
    assert_int_equal(json_array_size(json_object_get(m, "tactics")), 16);
    assert_int_equal(json_array_size(json_object_get(m, "techniques")), 170);
    assert_int_equal(json_array_size(json_object_get(m, "mitigations")), 35);
    json_t *cs = json_object_get(j, "case-studies");
    assert_int_equal(json_array_size(cs), 57);
    json_t *first = json_array_get(cs, 0);
    assert_string_equal(json_string_value(json_object_get(first, "id")),
                        "AML.CS0000");
    /* Dates stay text: the importer types them. */
    assert_string_equal(
        json_string_value(json_object_get(first, "incident-date")),
        "2020-01-01");
    size_t subs = 0, i;
    json_t *t;
    json_array_foreach (json_object_get(m, "techniques"), i, t) {
        if (json_object_get(t, "subtechnique-of"))
            subs++;
    }
    assert_int_equal(subs, 69);
    json_decref(j);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_block_and_flow), cmocka_unit_test(test_core_tags),
        cmocka_unit_test(test_refused),        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_atlas_file),
    };
    return vec_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
