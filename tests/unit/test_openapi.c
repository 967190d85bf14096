/*
 * test_openapi.c - docs/openapi.json (the document the server embeds):
 * every operation declares its security, its request body's schema and a
 * schema for each JSON response; the schemes it names exist; the shared
 * schemas are used; and the checker that the API tests apply to every
 * response (openapi_check.h) does reject a body that breaks the document.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "openapi_check.h"

static const char *const methods[] = {"get", "post", "patch", "put",
                                      "delete", NULL};

static void test_every_operation_declared(void **state)
{
    (void)state;
    json_t *doc = oc_doc();
    json_t *schemes = json_object_get(
        json_object_get(doc, "components"), "securitySchemes");
    assert_non_null(json_object_get(schemes, "bearer"));
    const char *path;
    json_t *item;
    int ops = 0;
    json_object_foreach(json_object_get(doc, "paths"), path, item) {
        for (const char *const *m = methods; *m; m++) {
            json_t *op = json_object_get(item, *m);
            if (!op)
                continue;
            ops++;
            json_t *sec = json_object_get(op, "security");
            if (!json_is_array(sec))
                fail_msg("%s %s: no security", *m, path);
            size_t i;
            json_t *req;
            json_array_foreach(sec, i, req) {
                const char *name;
                json_t *scopes;
                json_object_foreach(req, name, scopes)
                    if (!json_object_get(schemes, name))
                        fail_msg("%s %s: unknown scheme %s", *m, path, name);
            }
            if (!strcmp(*m, "post") || !strcmp(*m, "patch")) {
                json_t *rb = json_object_get(op, "requestBody");
                const char *ct;
                json_t *media;
                int n = 0;
                json_object_foreach(json_object_get(rb, "content"), ct, media) {
                    if (!json_object_get(media, "schema"))
                        fail_msg("%s %s: request %s has no schema", *m, path,
                                 ct);
                    n++;
                }
                /* submit is the one action that takes no body */
                if (!n && !strstr(path, "/submit"))
                    fail_msg("%s %s: no request body schema", *m, path);
            }
            const char *code;
            json_t *r;
            int ok2xx = 0;
            json_object_foreach(json_object_get(op, "responses"), code, r) {
                if (json_object_get(r, "$ref"))
                    r = oc_ref(json_string_value(json_object_get(r, "$ref")));
                const char *ct;
                json_t *media;
                json_object_foreach(json_object_get(r, "content"), ct, media)
                    if (!json_object_get(media, "schema"))
                        fail_msg("%s %s %s: %s without schema", *m, path,
                                 code, ct);
                ok2xx |= code[0] == '2';
            }
            if (!ok2xx)
                fail_msg("%s %s: no success response", *m, path);
        }
    }
    assert_true(ops >= 20);
    /* GET /api/v1 is served, so it is listed */
    assert_non_null(oc_operation("GET", "/api/v1"));
}

static void test_required_and_shared_schemas(void **state)
{
    (void)state;
    char *text = json_dumps(oc_doc(), JSON_COMPACT);
    assert_non_null(text);
    const char *used[] = {"Status", "Page", "Proof", "Error", NULL};
    for (const char *const *n = used; *n; n++) {
        char ref[96];
        snprintf(ref, sizeof ref, "\"#/components/schemas/%s\"", *n);
        if (!strstr(text, ref))
            fail_msg("schema %s is never used", *n);
    }
    free(text);
    json_t *ev = oc_ref("#/components/schemas/Evidence");
    json_t *es = oc_ref("#/components/schemas/EvaluationSubmission");
    assert_non_null(ev);
    assert_non_null(es);
    char err[512];
    json_t *bad = json_pack("{s:s}", "note", "no kind");
    assert_int_equal(oc_match(ev, bad, "$", err, sizeof err), 1);
    json_decref(bad);
    bad = json_pack("{s:{s:{s:s}}, s:{}}", "manifest", "suite", "hash", "x",
                    "results");
    assert_int_equal(oc_match(es, bad, "$", err, sizeof err), 1);
    assert_non_null(strstr(err, "samples_sha256"));
    json_decref(bad);
}

/* The checker fails a test on a body the document forbids. */
static void test_checker_rejects(void **state)
{
    (void)state;
    char err[512];
    json_t *status = oc_ref("#/components/schemas/Status");
    json_t *ok = json_pack("{s:s, s:i, s:s}", "id", "OSAFE-2026-00001",
                           "version", 1, "state", "draft");
    assert_int_equal(oc_match(status, ok, "$", err, sizeof err), 0);
    json_t *bad = json_pack("{s:s, s:s, s:s}", "id", "OSAFE-2026-00001",
                            "version", "1", "state", "draft");
    assert_int_equal(oc_match(status, bad, "$", err, sizeof err), 1);
    assert_non_null(strstr(err, "$.version"));
    json_decref(bad);
    bad = json_pack("{s:s, s:i, s:s}", "id", "x", "version", 1, "state",
                    "lost");
    assert_int_equal(oc_match(status, bad, "$", err, sizeof err), 1);
    json_decref(bad);
    json_decref(ok);
    assert_null(oc_operation("GET", "/api/v1/nowhere"));
    assert_non_null(oc_operation("POST", "/api/v1/records/OSAFE-1/review"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_operation_declared),
        cmocka_unit_test(test_required_and_shared_schemas),
        cmocka_unit_test(test_checker_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
