/*
 * test_eval_publish.c - publishing evaluation runs (issue 16 item 2).
 *
 * `osafe eval publish` of one run twice makes one evaluation (the second
 * answers 200 with the first's id, the list and the ranking count it
 * once); a run whose every sample failed is refused, by the CLI and by
 * the API; a run cut by --limit is refused unless --force, and then its
 * manifest and page say it is partial, the limit included; the CLI prints
 * the run's URL; GET /api/v1/evaluations/{id}/proof proves the run's
 * entry against the signed checkpoint (and is gone with the run).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "api_client.h"
#include "tlog/proof.h"

static api_srv S;
static char tRep[128], tRev[128];

static int setup(void **state)
{
    (void)state;
    api_init(&S);
    api_token(&S, "rep", "reporter", "org-a", tRep);
    api_token(&S, "rev", "reviewer", NULL, tRev);
    api_start(&S);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    api_fini(&S);
    return 0;
}

/* A run directory of n items (epochs 1) of which `scored` were answered
 * and scored and the rest failed, made with --limit `limit` (0: none) on
 * a suite of `items`. */
static void make_run(const char *dir, int items, int limit, int n, int scored,
                     const char *tag)
{
    assert_int_equal(mkdir(dir, 0700), 0);
    char path[300];
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f,
            "{\"tool\":{\"name\":\"osafe\",\"version\":\"0.1.0\"},"
            "\"suite\":{\"name\":\"demo\",\"version\":\"1\",\"hash\":\"%064d\","
            "\"items\":%d},\"params\":{\"model\":\"m-%s\",\"endpoint\":"
            "\"http://127.0.0.1:9/v1\",\"scorer\":\"refusal\",\"epochs\":1,"
            "\"limit\":%d,\"seed\":7},\"shard\":\"1/1\",\"started\":"
            "\"2026-12-07T10:00:00Z\",\"finished\":\"2026-12-07T10:05:00Z\"}\n",
            0, items, tag, limit);
    fclose(f);
    snprintf(path, sizeof path, "%s/samples.jsonl", dir);
    assert_non_null(f = fopen(path, "w"));
    for (int i = 0; i < n; i++) {
        if (i < scored)
            fprintf(f,
                    "{\"item_id\":\"%s-%d\",\"epoch\":1,\"hazard\":\"vcr\","
                    "\"lang\":\"en\",\"expected\":\"refuse\",\"label\":"
                    "\"full_refusal\",\"score\":1}\n",
                    tag, i);
        else
            fprintf(f,
                    "{\"item_id\":\"%s-%d\",\"epoch\":1,\"hazard\":\"vcr\","
                    "\"lang\":\"en\",\"expected\":\"refuse\",\"error\":"
                    "\"request failed: connection refused\"}\n",
                    tag, i);
    }
    fclose(f);
}

/* `osafe eval publish DIR [--force]`: exit status, stdout in *out. */
static int cli_publish(const char *dir, int force, osafe_buf *out)
{
    char *argv[] = {(char *)api_osafe(), "eval", "publish", (char *)dir,
                    "--server", S.base, "--token", tRep,
                    force ? "--force" : NULL, NULL};
    char err[300];
    snprintf(err, sizeof err, "%s/publish.err", S.dir);
    return api_run(argv, out, err);
}

static size_t list_count(void)
{
    api_reply r;
    api_get(&S, "/api/v1/evaluations", NULL, &r);
    API_EXPECT(&r, 200, "list");
    json_t *j = api_json(&r);
    size_t n = json_array_size(json_object_get(j, "evaluations"));
    json_decref(j);
    api_reply_release(&r);
    return n;
}

/* The id from the "url" (BASE/evals/ID) `eval publish` prints. */
static void url_id(const osafe_buf *out, char id[32])
{
    char want[128];
    snprintf(want, sizeof want, "%s/evals/", S.base);
    json_t *j = out->data ? json_loadb(out->data, out->len, 0, NULL) : NULL;
    const char *u = json_string_value(json_object_get(j, "url"));
    assert_non_null(u);
    assert_true(!strncmp(u, want, strlen(want)));
    assert_string_equal(u + strlen(want),
                        json_string_value(json_object_get(j, "id")));
    snprintf(id, 32, "%s", u + strlen(want));
    json_decref(j);
}

static void test_publish_twice_makes_one_evaluation(void **state)
{
    (void)state;
    char dir[200];
    snprintf(dir, sizeof dir, "%s/run-twice", S.dir);
    make_run(dir, 8, 0, 8, 8, "twice");
    size_t before = list_count();
    osafe_buf o1 = OSAFE_BUF_INIT, o2 = OSAFE_BUF_INIT;
    assert_int_equal(cli_publish(dir, 0, &o1), 0);
    assert_int_equal(cli_publish(dir, 0, &o2), 0);
    char id1[32], id2[32];
    url_id(&o1, id1);
    url_id(&o2, id2);
    assert_string_equal(id1, id2);
    assert_non_null(strstr(o2.data, "\"existing\":true"));
    buf_release(&o1);
    buf_release(&o2);
    assert_int_equal(list_count(), before + 1);
    /* over HTTP: the same body answers 200 with the existing run */
    api_reply r;
    char path[96];
    snprintf(path, sizeof path, "/api/v1/evaluations/%s", id1);
    api_get(&S, path, NULL, &r);
    API_EXPECT(&r, 200, "GET run");
    json_t *doc = api_json(&r);
    api_reply_release(&r);
    json_t *body = json_pack("{s:O, s:O, s:O}", "manifest",
                             json_object_get(doc, "manifest"), "results",
                             json_object_get(doc, "results"),
                             "samples_sha256",
                             json_object_get(doc, "samples_sha256"));
    json_decref(doc);
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    api_http(&S, "POST", "/api/v1/evaluations", tRep, text, &r);
    free(text);
    API_EXPECT(&r, 200, "POST the same samples again");
    json_t *a = api_json(&r);
    assert_string_equal(api_jstr(a, "id"), id1);
    assert_true(json_is_true(json_object_get(a, "existing")));
    json_decref(a);
    api_reply_release(&r);
    assert_int_equal(list_count(), before + 1);
}

static void test_publish_refuses_nothing_scored(void **state)
{
    (void)state;
    char dir[200];
    snprintf(dir, sizeof dir, "%s/run-dead", S.dir);
    make_run(dir, 5, 0, 5, 0, "dead");
    size_t before = list_count();
    assert_int_not_equal(cli_publish(dir, 1, NULL), 0);
    /* the API refuses it too, whatever client sent it */
    const char *body =
        "{\"manifest\":{\"suite\":{\"hash\":\"00\"},\"params\":{\"model\":"
        "\"m\",\"scorer\":\"refusal\",\"epochs\":1}},\"results\":{\"samples\":"
        "5,\"errors\":5,\"overall\":{\"n\":0,\"rate\":null}},"
        "\"samples_sha256\":\"eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"
        "eeeeeeeeeeeeeeee\"}";
    api_reply r;
    api_http(&S, "POST", "/api/v1/evaluations", tRep, body, &r);
    api_expect_error(&r, 422, "results.overall", "nothing scored");
    api_reply_release(&r);
    assert_int_equal(list_count(), before);
}

static void test_publish_partial_needs_force(void **state)
{
    (void)state;
    char dir[200];
    snprintf(dir, sizeof dir, "%s/run-limit", S.dir);
    make_run(dir, 50, 4, 4, 4, "limit");
    size_t before = list_count();
    assert_int_not_equal(cli_publish(dir, 0, NULL), 0);
    assert_int_equal(list_count(), before);
    osafe_buf o = OSAFE_BUF_INIT;
    assert_int_equal(cli_publish(dir, 1, &o), 0);
    char id[32];
    url_id(&o, id);
    buf_release(&o);
    char path[96];
    api_reply r;
    snprintf(path, sizeof path, "/api/v1/evaluations/%s", id);
    api_get(&S, path, NULL, &r);
    API_EXPECT(&r, 200, "GET partial run");
    json_t *doc = api_json(&r);
    api_reply_release(&r);
    json_t *part = json_object_get(json_object_get(doc, "manifest"),
                                   "partial");
    assert_true(json_is_object(part));
    assert_int_equal(json_integer_value(json_object_get(part, "limit")), 4);
    assert_int_equal(json_integer_value(json_object_get(part, "expected")), 4);
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(part, "reasons"), 0)),
        "limit");
    json_decref(doc);
    /* the page says so, limit included */
    snprintf(path, sizeof path, "/evals/%s", id);
    api_get(&S, path, NULL, &r);
    API_EXPECT(&r, 200, "evaluation page");
    assert_non_null(strstr(r.body.data, "id=\"eval-partial\""));
    assert_non_null(strstr(r.body.data, "Item limit (--limit)"));
    assert_non_null(strstr(r.body.data, "cut by --limit"));
    api_reply_release(&r);
}

static void test_evaluation_proof(void **state)
{
    (void)state;
    char dir[200];
    snprintf(dir, sizeof dir, "%s/run-proof", S.dir);
    make_run(dir, 3, 0, 3, 3, "proof");
    osafe_buf o = OSAFE_BUF_INIT;
    assert_int_equal(cli_publish(dir, 0, &o), 0);
    char id[32], path[128];
    url_id(&o, id);
    buf_release(&o);
    api_reply r;
    snprintf(path, sizeof path, "/api/v1/evaluations/%s", id);
    api_get(&S, path, NULL, &r);
    API_EXPECT(&r, 200, "GET run");
    size_t blen = r.body.len;
    char *bytes = malloc(blen);
    memcpy(bytes, r.body.data, blen);
    api_reply_release(&r);
    snprintf(path, sizeof path, "/api/v1/evaluations/%s/proof", id);
    api_get(&S, path, NULL, &r);
    API_EXPECT(&r, 200, "GET proof");
    json_t *j = api_json(&r);
    assert_string_equal(api_jstr(j, "id"), id);
    /* a small run is its own entry, proven against the signed checkpoint */
    tlog_verifier v;
    osafe_err e;
    assert_int_equal(tlog_verifier_load(S.vkey, &v, &e), 0);
    tlog_proof p;
    assert_int_equal(tlog_proof_parse(r.body.data, r.body.len, &p, &e), 0);
    const char *note = api_jstr(j, "checkpoint");
    tlog_hash leaf;
    tlog_leaf_hash(&leaf, bytes, blen);
    tlog_checkpoint c;
    if (tlog_check_inclusion(note, strlen(note), &v, &p, &leaf, &c, &e))
        fail_msg("inclusion: %s", e.msg);
    json_decref(j);
    api_reply_release(&r);
    free(bytes);
    /* unknown runs: 404; POST: 405; a withdrawn run's proof is gone */
    api_get(&S, "/api/v1/evaluations/EVAL-2026-99999/proof", NULL, &r);
    api_expect_error(&r, 404, NULL, "unknown run's proof");
    api_reply_release(&r);
    api_http(&S, "POST", path, tRep, "{}", &r);
    assert_int_equal(r.status, 405);
    api_reply_release(&r);
    snprintf(path, sizeof path, "/api/v1/evaluations/%s/withdraw", id);
    api_http(&S, "POST", path, tRev, "{\"reason\":\"test\"}", &r);
    API_EXPECT(&r, 200, "withdraw");
    api_reply_release(&r);
    snprintf(path, sizeof path, "/api/v1/evaluations/%s/proof", id);
    api_get(&S, path, NULL, &r);
    api_expect_error(&r, 410, NULL, "withdrawn run's proof");
    api_reply_release(&r);
    /* and its samples are not published again */
    snprintf(dir, sizeof dir, "%s/run-proof", S.dir);
    assert_int_not_equal(cli_publish(dir, 0, NULL), 0);
}

/* A refusal run on one hazard: 4 should-refuse prompts refused (safe)
 * and 4 should-comply prompts refused too (over-refusal, not harm). */
static void make_over_refusing_run(const char *dir)
{
    make_run(dir, 8, 0, 0, 0, "over");
    char path[300];
    snprintf(path, sizeof path, "%s/samples.jsonl", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (int i = 0; i < 8; i++)
        fprintf(f,
                "{\"item_id\":\"over-%d\",\"epoch\":1,\"hazard\":\"vcr\","
                "\"lang\":\"en\",\"expected\":\"%s\",\"label\":"
                "\"full_refusal\",\"score\":%d}\n",
                i, i < 4 ? "refuse" : "comply", i < 4 ? 1 : 0);
    fclose(f);
}

static void test_ranking_p_unsafe_counts_should_refuse_only(void **state)
{
    (void)state;
    char dir[200];
    snprintf(dir, sizeof dir, "%s/run-over", S.dir);
    make_over_refusing_run(dir);
    assert_int_equal(cli_publish(dir, 0, NULL), 0);
    char *argv[] = {(char *)api_osafe(), "risk", "rank", "--db", S.db,
                    "--format", "json", NULL};
    osafe_buf out = OSAFE_BUF_INIT;
    assert_int_equal(api_run(argv, &out, NULL), 0);
    json_t *j = json_loadb(out.data, out.len, 0, NULL);
    assert_non_null(j);
    buf_release(&out);
    json_t *items = json_object_get(j, "risks"), *it, *found = NULL;
    size_t i;
    json_array_foreach(items, i, it) {
        const char *m = json_string_value(json_object_get(it, "model"));
        const char *h = json_string_value(json_object_get(it, "hazard"));
        if (m && h && !strcmp(m, "m-over") && !strcmp(h, "vcr"))
            found = it;
    }
    if (!found)
        fail_msg("no ranking item for m-over/vcr");
    json_t *ev = json_object_get(found, "evals");
    /* 4 should-refuse answers, none unsafe; the 4 over-refusals are not
     * harm (before: n 8, k 4, p unsafe about a half) */
    assert_int_equal((int)json_number_value(json_object_get(ev, "n")), 4);
    assert_int_equal((int)json_number_value(json_object_get(ev, "k_unsafe")),
                     0);
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_publish_twice_makes_one_evaluation),
        cmocka_unit_test(test_publish_refuses_nothing_scored),
        cmocka_unit_test(test_publish_partial_needs_force),
        cmocka_unit_test(test_evaluation_proof),
        cmocka_unit_test(test_ranking_p_unsafe_counts_should_refuse_only),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
