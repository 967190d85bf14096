/*
 * test_eval_samples.c - the samples of published evaluations through the
 * API and `osafe eval publish` (issue 16 item 10).
 *
 * Uploads are refused unless their SHA-256 is the logged samples_sha256
 * (and then discarded); a chunk sent again changes nothing, a different
 * one at a received offset is refused; samples are not listed until
 * complete; only the publisher (or an admin) uploads, everyone reads, and
 * a withdrawn run's samples are gone with it; filters and pages count
 * exactly and bad ones answer 400 naming the parameter; the CLI uploads a
 * run of several chunks after publishing it, and resumes an upload cut
 * short; the sample browser (/evals/{run}/samples) filters, pages and
 * folds the texts under the content warning, in six languages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "api_client.h"
#include "eval/run.h"

static api_srv S;

/* A page of the web interface (no API document to check it against). */
static void page_get(const char *path, api_reply *r)
{
    api_http_ex(&S, "GET", path, NULL, NULL, NULL, 0, "Accept: text/html",
                0, r);
}

static void expect_in(const api_reply *r, const char *what)
{
    if (!strstr(r->body.data, what))
        fail_msg("the page lacks %s", what);
}
static char tRep[128], tOther[128], tRev[128];
static int runs;

static int setup(void **state)
{
    (void)state;
    api_init(&S);
    api_token(&S, "rep", "reporter", "org-a", tRep);
    api_token(&S, "other", "reporter", "org-b", tOther);
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

/* A run directory of n samples (each line padded by pad bytes of answer):
 * hazards vcr/cse/hte by i % 3, languages en/ar by i % 2, every fifth an
 * error, every fourth scored 0, every seventh needs review. */
static void make_run(char dir[300], int n, int pad)
{
    snprintf(dir, 300, "%s/run%d", S.dir, ++runs);
    assert_int_equal(mkdir(dir, 0700), 0);
    char path[340];
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f,
            "{\"tool\":{\"name\":\"osafe\",\"version\":\"0.1.0\"},"
            "\"suite\":{\"name\":\"demo\",\"version\":\"1\",\"hash\":\"%064d\","
            "\"items\":%d},\"params\":{\"model\":\"m-%d\",\"endpoint\":"
            "\"http://127.0.0.1:9/v1\",\"scorer\":\"refusal\",\"epochs\":1,"
            "\"limit\":0,\"seed\":7},\"shard\":\"1/1\",\"started\":"
            "\"2026-12-07T10:00:00Z\",\"finished\":\"2026-12-07T10:05:00Z\"}\n",
            runs, n, runs);
    fclose(f);
    snprintf(path, sizeof path, "%s/samples.jsonl", dir);
    assert_non_null(f = fopen(path, "w"));
    for (int i = 0; i < n; i++) {
        const char *hz = i % 3 == 0 ? "vcr" : i % 3 == 1 ? "cse" : "hte";
        const char *lang = i % 2 ? "ar" : "en";
        fprintf(f, "{\"item_id\":\"r%d-%d\",\"epoch\":1,\"hazard\":\"%s\","
                   "\"lang\":\"%s\",\"expected\":\"refuse\",\"request\":"
                   "{\"messages\":[{\"role\":\"user\",\"content\":\"q%d\"}]},",
                runs, i, hz, lang, i);
        if (i % 5 == 4)
            fprintf(f, "\"response\":null,\"error\":\"request failed\","
                       "\"score\":null,\"label\":null,\"confidence\":null}\n");
        else
            fprintf(f, "\"response\":\"a%d %*s\",\"error\":null,\"score\":%d,"
                       "\"label\":\"%s\",\"confidence\":%s,"
                       "\"needs_review\":%s}\n",
                    i, pad, "", i % 4 ? 1 : 0,
                    i % 4 ? "full_refusal" : "full_compliance",
                    i % 7 == 3 ? "0.6" : "0.99",
                    i % 7 == 3 ? "true" : "false");
    }
    fclose(f);
}

static char *samples_of(const char *dir, size_t *len)
{
    char path[340];
    snprintf(path, sizeof path, "%s/samples.jsonl", dir);
    return api_read_file(path, len);
}

/* Publish dir through the API alone (no samples uploaded): its id. */
static void publish_api(const char *dir, char id[32])
{
    json_t *r, *m;
    osafe_err e;
    char path[340], hex[65];
    if (eval_results(dir, &r, &e))
        fail_msg("results: %s", e.msg);
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    assert_non_null(m = json_load_file(path, 0, NULL));
    size_t len;
    char *s = samples_of(dir, &len);
    api_sha256_hex(hex, s, len, NULL, 0);
    free(s);
    json_t *b = json_pack("{s:o, s:o, s:s}", "manifest", m, "results", r,
                          "samples_sha256", hex);
    char *text = api_dump(b);
    json_decref(b);
    api_reply rep;
    api_http(&S, "POST", "/api/v1/evaluations", tRep, text, &rep);
    free(text);
    API_EXPECT(&rep, 201, "publish");
    json_t *j = api_json(&rep);
    snprintf(id, 32, "%s", json_string_value(json_object_get(j, "id")));
    json_decref(j);
    api_reply_release(&rep);
}

static long post_chunk(const char *id, const char *token, long long offset,
                       int last, const char *data, size_t len, json_t **out)
{
    char path[160];
    snprintf(path, sizeof path, "/api/v1/evaluations/%s/samples?offset=%lld%s",
             id, offset, last ? "&last=true" : "");
    api_reply r;
    api_http_ex(&S, "POST", path, token, "application/x-ndjson", data, len,
                NULL, 0, &r);
    long st = r.status;
    if (out)
        *out = api_json(&r);
    api_reply_release(&r);
    return st;
}

/* GET .../samples?QUERY: the status and the answer (caller frees). */
static long get_page(const char *id, const char *query, json_t **out)
{
    char path[300];
    snprintf(path, sizeof path, "/api/v1/evaluations/%s/samples%s%s", id,
             *query ? "?" : "", query);
    api_reply r;
    api_get(&S, path, NULL, &r);
    long st = r.status;
    *out = api_json(&r);
    api_reply_release(&r);
    return st;
}

static json_int_t jint(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static void test_samples_wrong_digest_refused_and_discarded(void **state)
{
    (void)state;
    char dir[300], id[32];
    make_run(dir, 20, 0);
    publish_api(dir, id);
    size_t len;
    char *s = samples_of(dir, &len);
    /* the same lines but one changed: not what the log commits to */
    char *p = strstr(s, "\"a1 ");
    assert_non_null(p);
    p[2] = '9';
    json_t *j;
    assert_int_equal(post_chunk(id, tRep, 0, 1, s, len, &j), 422);
    const char *msg = json_string_value(
        json_object_get(json_object_get(j, "error"), "message"));
    assert_non_null(strstr(msg, "samples_sha256"));
    json_decref(j);
    assert_int_equal(get_page(id, "", &j), 200);
    assert_string_equal(json_string_value(json_object_get(j, "status")),
                        "none");
    assert_int_equal(jint(j, "received"), 0);
    assert_int_equal(json_array_size(json_object_get(j, "samples")), 0);
    json_decref(j);
    /* the right bytes then go in from offset 0 */
    p[2] = '1';
    assert_int_equal(post_chunk(id, tRep, 0, 1, s, len, &j), 200);
    assert_true(json_is_true(json_object_get(j, "complete")));
    assert_int_equal(jint(j, "samples"), 20);
    json_decref(j);
    free(s);
}

static void test_samples_chunk_replay_is_idempotent(void **state)
{
    (void)state;
    char dir[300], id[32];
    make_run(dir, 30, 0);
    publish_api(dir, id);
    size_t len;
    char *s = samples_of(dir, &len);
    char *mid = s;
    for (int i = 0; i < 12; i++)
        mid = strchr(mid, '\n') + 1;
    size_t a = (size_t)(mid - s);
    json_t *j;
    assert_int_equal(post_chunk(id, tRep, 0, 0, s, a, &j), 200);
    assert_int_equal(jint(j, "received"), (json_int_t)a);
    assert_int_equal(jint(j, "samples"), 12);
    json_decref(j);
    /* the same chunk again (a lost answer): nothing changes */
    assert_int_equal(post_chunk(id, tRep, 0, 0, s, a, &j), 200);
    assert_true(json_is_true(json_object_get(j, "replayed")));
    assert_int_equal(jint(j, "received"), (json_int_t)a);
    assert_int_equal(jint(j, "samples"), 12);
    json_decref(j);
    /* other bytes at a received offset, or a gap: refused */
    assert_int_equal(post_chunk(id, tRep, 0, 0, mid, len - a, NULL), 409);
    assert_int_equal(post_chunk(id, tRep, (long long)a + 1, 0, mid, len - a,
                                NULL),
                     409);
    /* incomplete: not listed */
    assert_int_equal(get_page(id, "", &j), 200);
    assert_string_equal(json_string_value(json_object_get(j, "status")),
                        "incomplete");
    assert_int_equal(jint(j, "total"), 0);
    assert_int_equal(json_array_size(json_object_get(j, "samples")), 0);
    json_decref(j);
    assert_int_equal(post_chunk(id, tRep, (long long)a, 1, mid, len - a, &j),
                     200);
    assert_true(json_is_true(json_object_get(j, "complete")));
    json_decref(j);
    /* the last chunk again: still complete, nothing added */
    assert_int_equal(post_chunk(id, tRep, (long long)a, 1, mid, len - a, &j),
                     200);
    assert_true(json_is_true(json_object_get(j, "replayed")));
    assert_int_equal(jint(j, "samples"), 30);
    json_decref(j);
    assert_int_equal(get_page(id, "per_page=200", &j), 200);
    assert_int_equal(jint(j, "total"), 30);
    assert_int_equal(json_array_size(json_object_get(j, "samples")), 30);
    json_decref(j);
    free(s);
}

static void test_samples_visibility(void **state)
{
    (void)state;
    char dir[300], id[32];
    make_run(dir, 10, 0);
    publish_api(dir, id);
    size_t len;
    char *s = samples_of(dir, &len);
    /* another account, or none, uploads nothing */
    assert_int_equal(post_chunk(id, tOther, 0, 1, s, len, NULL), 403);
    assert_int_equal(post_chunk(id, NULL, 0, 1, s, len, NULL), 401);
    api_reply r;
    char path[160];
    snprintf(path, sizeof path, "/api/v1/evaluations/%s/samples?offset=0", id);
    api_http(&S, "POST", path, tRep, "{}", &r);
    api_expect_error(&r, 415, NULL, "json body");
    api_reply_release(&r);
    assert_int_equal(post_chunk(id, tRep, 0, 1, s, len, NULL), 200);
    /* runs are public: so are their complete samples */
    json_t *j;
    assert_int_equal(get_page(id, "", &j), 200);
    assert_int_equal(jint(j, "total"), 10);
    json_t *x = json_array_get(json_object_get(j, "samples"), 1);
    assert_string_equal(json_string_value(json_object_get(x, "prompt")), "q1");
    assert_string_equal(json_string_value(json_object_get(x, "language")),
                        "ar");
    json_decref(j);
    /* withdrawn: gone with the run */
    snprintf(path, sizeof path, "/api/v1/evaluations/%s/withdraw", id);
    api_http(&S, "POST", path, tRev, "{\"reason\":\"wrong endpoint\"}", &r);
    API_EXPECT(&r, 200, "withdraw");
    api_reply_release(&r);
    assert_int_equal(get_page(id, "", &j), 410);
    json_decref(j);
    assert_int_equal(post_chunk(id, tRep, 0, 1, s, len, NULL), 409);
    assert_int_equal(get_page("EVAL-2026-99999", "", &j), 404);
    json_decref(j);
    free(s);
}

static void expect_total(const char *id, const char *q, json_int_t want)
{
    json_t *j;
    if (get_page(id, q, &j) != 200)
        fail_msg("%s: not 200", q);
    if (jint(j, "total") != want)
        fail_msg("%s: total %lld, expected %lld", q, (long long)jint(j, "total"),
                 (long long)want);
    json_decref(j);
}

static void expect_400(const char *id, const char *q, const char *field)
{
    char path[300];
    snprintf(path, sizeof path, "/api/v1/evaluations/%s/samples?%s", id, q);
    api_reply r;
    api_get(&S, path, NULL, &r);
    api_expect_error(&r, 400, field, q);
    api_reply_release(&r);
}

static void test_samples_filters_and_pages(void **state)
{
    (void)state;
    char dir[300], id[32];
    make_run(dir, 100, 0);
    publish_api(dir, id);
    size_t len;
    char *s = samples_of(dir, &len);
    assert_int_equal(post_chunk(id, tRep, 0, 1, s, len, NULL), 200);
    free(s);
    expect_total(id, "", 100);
    expect_total(id, "hazard=vcr", 34);
    expect_total(id, "hazard=vcr&language=en", 17);
    expect_total(id, "error=true", 20);
    expect_total(id, "score=error", 20);
    expect_total(id, "error=false", 80);
    expect_total(id, "score=fail", 20);
    expect_total(id, "score=pass", 60);
    expect_total(id, "score=0", 20);
    expect_total(id, "score=1&hazard=cse", 20);
    expect_total(id, "label=full_refusal", 60);
    /* needs_review only on scored lines: i % 7 == 3 and i % 5 != 4 */
    expect_total(id, "needs_review=true", 11);
    expect_total(id, "hazard=none", 0);
    /* pages: by line, exact counts, the last one short */
    json_t *j;
    assert_int_equal(get_page(id, "hazard=vcr&per_page=10&page=4", &j), 200);
    assert_int_equal(jint(j, "pages"), 4);
    assert_int_equal(jint(j, "page"), 4);
    json_t *arr = json_object_get(j, "samples");
    assert_int_equal(json_array_size(arr), 4);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(jint(json_array_get(arr, i), "index"),
                         90 + 3 * (json_int_t)i);
    json_decref(j);
    assert_int_equal(get_page(id, "per_page=7&page=2", &j), 200);
    arr = json_object_get(j, "samples");
    assert_int_equal(jint(json_array_get(arr, 0), "index"), 7);
    assert_int_equal(jint(j, "pages"), 15);
    json_decref(j);
    assert_int_equal(get_page(id, "page=99", &j), 200);
    assert_int_equal(json_array_size(json_object_get(j, "samples")), 0);
    json_decref(j);
    expect_400(id, "score=high", "score");
    expect_400(id, "score=2", "score");
    expect_400(id, "error=maybe", "error");
    expect_400(id, "needs_review=yes", "needs_review");
    expect_400(id, "page=0", "page");
    expect_400(id, "per_page=201", "per_page");
    char q[200];
    snprintf(q, sizeof q, "hazard=%070d", 0);
    expect_400(id, q, "hazard");
}

/* `osafe eval publish` uploads a run of several chunks; cut short, it
 * resumes where the registry stopped. */
static void test_samples_cli_uploads_and_resumes(void **state)
{
    (void)state;
    char dir[300];
    make_run(dir, 1500, 900); /* ~1.4 MB: two chunks at least */
    char *argv[] = {(char *)api_osafe(), "eval", "publish", dir, "--server",
                    S.base, "--token", tRep, NULL};
    char err[340];
    snprintf(err, sizeof err, "%s/publish.err", S.dir);
    osafe_buf out = OSAFE_BUF_INIT;
    assert_int_equal(api_run(argv, &out, err), 0);
    json_t *a = json_loadb(out.data, out.len, 0, NULL);
    assert_non_null(a);
    const char *id = json_string_value(json_object_get(a, "id"));
    json_t *sm = json_object_get(a, "samples");
    assert_true(json_is_true(json_object_get(sm, "complete")));
    json_t *j;
    assert_int_equal(get_page(id, "per_page=1", &j), 200);
    assert_string_equal(json_string_value(json_object_get(j, "status")),
                        "complete");
    assert_int_equal(jint(j, "total"), 1500);
    json_decref(j);
    json_decref(a);
    buf_release(&out);

    /* a second run: its first lines already sent by hand */
    make_run(dir, 1500, 900);
    char id2[32];
    publish_api(dir, id2);
    size_t len;
    char *s = samples_of(dir, &len);
    char *p = s;
    for (int i = 0; i < 100; i++)
        p = strchr(p, '\n') + 1;
    size_t head = (size_t)(p - s);
    assert_int_equal(post_chunk(id2, tRep, 0, 0, s, head, NULL), 200);
    free(s);
    char *argv2[] = {(char *)api_osafe(), "eval", "publish", dir, "--server",
                     S.base, "--token", tRep, NULL};
    assert_int_equal(api_run(argv2, &out, err), 0);
    a = json_loadb(out.data, out.len, 0, NULL);
    assert_true(json_is_true(json_object_get(a, "existing")));
    sm = json_object_get(a, "samples");
    assert_true(json_is_true(json_object_get(sm, "complete")));
    assert_int_equal(jint(sm, "sent"), (json_int_t)(len - head));
    json_decref(a);
    buf_release(&out);
    assert_int_equal(get_page(id2, "per_page=1", &j), 200);
    assert_int_equal(jint(j, "total"), 1500);
    json_decref(j);
}

static void test_samples_web_page(void **state)
{
    (void)state;
    char dir[300], id[32], path[200];
    make_run(dir, 100, 0);
    publish_api(dir, id);
    api_reply r;
    /* before any upload: said so, nothing listed */
    snprintf(path, sizeof path, "/evals/%s/samples", id);
    page_get(path, &r);
    API_EXPECT(&r, 200, "samples page");
    expect_in(&r, "data-status=\"none\"");
    assert_null(strstr(r.body.data, "id=\"sample-list\""));
    api_reply_release(&r);
    size_t len;
    char *s = samples_of(dir, &len);
    assert_int_equal(post_chunk(id, tRep, 0, 1, s, len, NULL), 200);
    free(s);
    /* the run's page links to it */
    snprintf(path, sizeof path, "/evals/%s", id);
    page_get(path, &r);
    API_EXPECT(&r, 200, "run page");
    snprintf(path, sizeof path, "href=\"/evals/%s/samples\"", id);
    expect_in(&r, path);
    api_reply_release(&r);
    /* hazard vcr, 10 a page, page 2: lines 30, 33, ... 57 */
    snprintf(path, sizeof path,
             "/evals/%s/samples?hazard=vcr&per_page=10&page=2", id);
    page_get(path, &r);
    API_EXPECT(&r, 200, "filtered page");
    expect_in(&r, "id=\"sample-count\" data-value=\"34\"");
    expect_in(&r, "id=\"s-30\"");
    expect_in(&r, "id=\"s-57\"");
    assert_null(strstr(r.body.data, "id=\"s-60\""));
    assert_null(strstr(r.body.data, "id=\"s-31\""));
    expect_in(&r, "id=\"content-warning\"");
    expect_in(&r, "<details><summary>");
    expect_in(&r, ">q33<");
    expect_in(&r, "aria-current=\"page\"");
    expect_in(&r, "id=\"next-page\"");
    expect_in(&r, "hazard=vcr&amp;per_page=10&amp;page=3");
    expect_in(&r, "<option value=\"vcr\" selected>");
    api_reply_release(&r);
    /* Arabic: right to left, its words */
    snprintf(path, sizeof path, "/evals/%s/samples?lang=ar&score=error", id);
    page_get(path, &r);
    API_EXPECT(&r, 200, "ar page");
    expect_in(&r, "dir=\"rtl\"");
    expect_in(&r, "data-value=\"20\"");
    expect_in(&r, "\xd8\xa7\xd9\x84\xd8\xb9\xd9\x8a\xd9\x86\xd8\xa7\xd8\xaa"); /* العينات */
    api_reply_release(&r);
    /* a bad filter: 400, the form still there */
    snprintf(path, sizeof path, "/evals/%s/samples?score=high", id);
    page_get(path, &r);
    API_EXPECT(&r, 400, "bad filter page");
    expect_in(&r, "id=\"list-error\"");
    expect_in(&r, "id=\"sample-filters\"");
    api_reply_release(&r);
    page_get("/evals/EVAL-2026-99999/samples", &r);
    API_EXPECT(&r, 404, "unknown run");
    api_reply_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_samples_wrong_digest_refused_and_discarded),
        cmocka_unit_test(test_samples_chunk_replay_is_idempotent),
        cmocka_unit_test(test_samples_visibility),
        cmocka_unit_test(test_samples_filters_and_pages),
        cmocka_unit_test(test_samples_cli_uploads_and_resumes),
        cmocka_unit_test(test_samples_web_page),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
