/*
 * test_web_evals.c - the evaluation pages of the web interface (/evals,
 * /evals/{run}, ?against=) against the real server ($OSAFE serve): runs
 * published through the API, and two written straight into the database
 * as a node from before publish-time validation (issue 9 item 2) stored
 * them: one with a hostile hazard name, one with a malformed results
 * document; then the HTML checked: the numbers placed
 * in the charts (data-value) and localized in the tables, every language
 * with its own words and decimal sign, Arabic right to left, the
 * comparison, the redirects and 404s, nothing unescaped; each inline SVG
 * well formed (xmlcheck.h).
 *
 * The pages are HTML5 (not XHTML), so only the SVG fragments are checked
 * as XML.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "api_client.h"
#include "store/store.h"
#include "xmlcheck.h"

#define HOSTILE_MODEL "<script>alert(1)</script> & \"co\""
#define HOSTILE_HAZARD "<img src=x onerror=alert(2)>"
#define HASH1 "1111111111111111111111111111111111111111111111111111111111111111"
#define HASH2 "2222222222222222222222222222222222222222222222222222222222222222"
#define SAMPLES "abababababababababababababababababababababababababababababababab"

static api_srv SRV;
static char TOKEN[128];
static char ID1[64], ID2[64], ID3[64];

static json_t *group(double rate, double lo, double hi, int n)
{
    return json_pack("{s:i, s:i, s:f, s:f, s:f, s:s}", "n", n, "items", n,
                     "rate", rate, "lo", lo, "hi", hi, "method", "wilson");
}

static json_t *manifest(const char *model, const char *hash)
{
    return json_pack("{s:{s:s, s:s}, s:{s:s, s:s, s:s, s:i}, s:{s:s, s:s, "
                     "s:s, s:i, s:I}, s:s, s:s, s:s}",
                     "tool", "name", "osafe", "version", "0.1.0", "suite",
                     "name", "demo suite", "version", "1", "hash", hash,
                     "items", 6, "params", "model", model, "endpoint",
                     "http://127.0.0.1:9/v1", "scorer", "refusal", "epochs",
                     1, "seed", (json_int_t)7, "shard", "1/1", "started",
                     "2026-11-28T01:00:00Z", "finished",
                     "2026-11-28T01:05:00Z");
}

static void publish(json_t *m, json_t *res, char id[64])
{
    /* each run its own samples: publishing is idempotent on their digest */
    static unsigned runs;
    char sh[65];
    snprintf(sh, sizeof sh, "%.56s%08x", SAMPLES, ++runs);
    json_t *body = json_pack("{s:o, s:o, s:s}", "manifest", m, "results", res,
                             "samples_sha256", sh);
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    api_reply r;
    api_http(&SRV, "POST", "/api/v1/evaluations", TOKEN, text, &r);
    free(text);
    API_EXPECT(&r, 201, "POST /api/v1/evaluations");
    json_t *j = api_json(&r);
    snprintf(id, 64, "%s", json_string_value(json_object_get(j, "id")));
    json_decref(j);
    api_reply_release(&r);
    assert_true(!strncmp(id, "EVAL-", 5));
}

/* A run as an older node stored it, unchecked: straight into the
 * database (the API now refuses such runs). */
static void store_unchecked(json_t *m, json_t *res, char id[64])
{
    json_t *body = json_pack("{s:o, s:o, s:s}", "manifest", m, "results", res,
                             "samples_sha256", SAMPLES);
    osafe_store *st;
    osafe_err e;
    char eid[32];
    if (store_open(SRV.db, &st, &e) || st->ops->begin(st, &e) ||
        st->ops->next_id(st, "EVAL", 2026, eid, &e))
        fail_msg("store: %s", e.msg);
    json_object_set_new(body, "id", json_string(eid));
    json_object_set_new(body, "published", json_string("2026-11-28T02:00:00Z"));
    char *text = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(body);
    if (st->ops->evaluation_put(st, eid, text, strlen(text), 1, -1, NULL, 0,
                                &e) ||
        st->ops->commit(st, &e))
        fail_msg("store: %s", e.msg);
    free(text);
    st->ops->close(st);
    snprintf(id, 64, "%s", eid);
}

static int setup(void **state)
{
    (void)state;
    api_init(&SRV);
    api_token(&SRV, "reporter", "reporter", NULL, TOKEN);
    api_start(&SRV);
    json_t *res1 = json_pack(
        "{s:I, s:I, s:o, s:{s:o, s:o, s:o}, s:{s:o, s:o}, s:{s:o, s:o}}",
        "samples", (json_int_t)7, "errors", (json_int_t)1, "overall",
        group(0.5, 0.2, 0.8, 6), "by_hazard", "vcr",
        group(0.6666667, 0.2, 0.9, 3), "hte", group(0.25, 0.05, 0.7, 2),
        HOSTILE_HAZARD, group(0.5, 0.1, 0.9, 1), "by_language", "en",
        group(0.3333333, 0.06, 0.79, 3), "fr", group(0.75, 0.2, 0.97, 3),
        "refusal", "unsafe_compliance", group(0.4, 0.1, 0.8, 3),
        "over_refusal", group(0.5, 0.1, 0.9, 2));
    store_unchecked(manifest(HOSTILE_MODEL, HASH1), res1, ID1);
    json_t *res2 = json_pack(
        "{s:I, s:I, s:o, s:{s:o, s:o}, s:{s:o}}", "samples", (json_int_t)6,
        "errors", (json_int_t)0, "overall", group(1, 0.6, 1, 6),
        "by_hazard", "vcr", group(1, 0.44, 1, 3), "hte",
        group(1, 0.34, 1, 2), "by_language", "en", group(1, 0.6, 1, 6));
    publish(manifest("model-b", HASH1), res2, ID2);
    /* a results document no run writes: the page must still answer */
    json_t *res3 = json_pack("{s:s, s:{s:s}, s:[]}", "by_hazard", "nope",
                             "overall", "rate", "x", "by_language");
    store_unchecked(manifest("model-c", HASH2), res3, ID3);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    api_stop_clean(&SRV);
    api_fini(&SRV);
    return 0;
}

static void get(const char *path, long want, api_reply *r)
{
    api_get(&SRV, path, NULL, r);
    API_EXPECT(r, want, path);
}

/* Every <svg>...</svg> of a page is well formed; returns how many. */
static int check_svgs(const char *html)
{
    int n = 0;
    for (const char *s = strstr(html, "<svg"); s; s = strstr(s + 1, "<svg")) {
        const char *end = strstr(s, "</svg>");
        assert_non_null(end);
        char msg[256];
        if (xmlcheck(s, (size_t)(end + 6 - s), msg, sizeof msg) != 0)
            fail_msg("SVG %d not well formed: %s", n, msg);
        n++;
    }
    return n;
}

static void assert_escaped(const char *html)
{
    assert_null(strstr(html, "<script>alert"));
    assert_null(strstr(html, "<img src=x"));
}

static void test_list(void **state)
{
    (void)state;
    api_reply r;
    get("/evals?lang=en", 200, &r);
    const char *h = r.body.data;
    assert_non_null(strstr(h, "<html lang=\"en\" dir=\"ltr\""));
    assert_non_null(strstr(h, "id=\"eval-list\""));
    char row[96];
    const char *ids[] = {ID1, ID2, ID3};
    for (int i = 0; i < 3; i++) {
        snprintf(row, sizeof row, "<tr data-id=\"%s\"", ids[i]);
        assert_non_null(strstr(h, row));
    }
    assert_escaped(h);
    assert_non_null(strstr(h, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; "
                              "&quot;co&quot;"));
    /* the overall charts (issue 16 item 9): one per suite, never two
     * suites on one axis; a bar per run, labelled by model and run id,
     * linked; suites of the same name told apart by their hash */
    assert_true(check_svgs(h) == 2);
    snprintf(row, sizeof row, "href=\"/evals/%s\"", ID2);
    assert_non_null(strstr(h, row));
    const char *c1 = strstr(h, "<figure class=\"chart\" data-suite=\"" HASH1);
    const char *c2 = strstr(h, "<figure class=\"chart\" data-suite=\"" HASH2);
    assert_true(c1 && c2);
    const char *e1 = strstr(c1, "</figure>"), *e2 = strstr(c2, "</figure>");
    char lab[128];
    snprintf(lab, sizeof lab, "model-b \xC2\xB7 %s", ID2);
    const char *bar2 = xc_find(h, "rect", "data-label", lab);
    assert_true(bar2 && bar2 > c1 && bar2 < e1);
    snprintf(lab, sizeof lab, "model-c \xC2\xB7 %s", ID3);
    const char *bar3 = xc_find(h, "text", "data-label", lab); /* n/a */
    assert_true(bar3 && bar3 > c2 && bar3 < e2);
    assert_null(xc_find(h, "rect", "data-label", "model-b"));
    assert_non_null(strstr(h, "Overall score by run: demo suite 1 (sha256 "
                              "111111111111"));
    assert_non_null(strstr(h, "Overall score by run: demo suite 1 (sha256 "
                              "222222222222"));
    /* the comparison form, labelled */
    assert_non_null(strstr(h, "<form id=\"eval-compare\""));
    assert_non_null(strstr(h, "<label for=\"cmp-a\">"));
    assert_non_null(strstr(h, "<label for=\"cmp-b\">"));
    api_reply_release(&r);

    /* the form's answer: a redirect to the side-by-side page */
    char path[256], loc[256], want[256];
    snprintf(path, sizeof path, "/evals?a=%s&b=%s", ID1, ID2);
    get(path, 303, &r);
    assert_non_null(api_hdr(&r, "Location", loc, sizeof loc));
    snprintf(want, sizeof want, "/evals/%s?against=%s", ID1, ID2);
    assert_string_equal(loc, want);
    api_reply_release(&r);
    snprintf(path, sizeof path, "/evals?a=%s&b=%s", ID1, ID1);
    get(path, 200, &r);
    assert_non_null(strstr(r.body.data, "Choose two different runs"));
    api_reply_release(&r);
    /* a bad cursor is ignored, not echoed */
    get("/evals?cursor=%3Cscript%3E", 200, &r);
    assert_null(strstr(r.body.data, "<script>"));
    api_reply_release(&r);
}

static void test_run(void **state)
{
    (void)state;
    api_reply r;
    char path[256];
    snprintf(path, sizeof path, "/evals/%s?lang=en", ID1);
    get(path, 200, &r);
    const char *h = r.body.data;
    assert_escaped(h);
    char hook[96];
    snprintf(hook, sizeof hook, "<article id=\"eval\" data-id=\"%s\"", ID1);
    assert_non_null(strstr(h, hook));
    assert_int_equal(check_svgs(h), 2);
    /* the charts place the stored rates */
    const char *hz = strstr(h, "id=\"eval-hazards\"");
    const char *lg = strstr(h, "id=\"eval-languages\"");
    assert_true(hz && lg && hz < lg);
    const char *bar = xc_find(hz, "rect", "data-value", "0.666667");
    assert_non_null(bar);
    assert_true(bar < lg);
    assert_non_null(xc_find(lg, "rect", "data-value", "0.75"));
    /* the hostile hazard key is a label like any other, escaped */
    assert_non_null(strstr(h, "&lt;img src=x onerror=alert(2)&gt;"));
    /* tables: localized numbers, intervals */
    assert_non_null(strstr(hz, "66.7%"));
    assert_non_null(strstr(hz, "20%"));
    assert_non_null(strstr(h, "id=\"eval-manifest\""));
    assert_non_null(strstr(h, HASH1));
    assert_non_null(strstr(h, "<a href=\"/log\">"));
    assert_non_null(strstr(h, "Unsafe compliance"));
    assert_null(strstr(h, "id=\"eval-comparison\""));
    api_reply_release(&r);

    /* French: words, decimal comma in the tables and in the charts */
    snprintf(path, sizeof path, "/evals/%s?lang=fr", ID1);
    get(path, 200, &r);
    h = r.body.data;
    assert_non_null(strstr(h, "<html lang=\"fr\" dir=\"ltr\""));
    assert_non_null(strstr(h, "Score par langue"));
    assert_null(strstr(h, "Score by language"));
    assert_non_null(strstr(h, "66,7"));
    assert_non_null(strstr(h, ">66,7%"));               /* in the SVG */
    assert_non_null(strstr(h, "data-value=\"0.666667\"")); /* '.' inside */
    api_reply_release(&r);

    /* Arabic: right to left, charts mirrored, its decimal sign */
    snprintf(path, sizeof path, "/evals/%s?lang=ar", ID1);
    get(path, 200, &r);
    h = r.body.data;
    assert_non_null(strstr(h, "<html lang=\"ar\" dir=\"rtl\""));
    assert_int_equal(check_svgs(h), 2);
    assert_int_equal(xc_count(h, "direction=\"rtl\""), 2);
    assert_non_null(strstr(h, "66\xd9\xab" "7"));
    api_reply_release(&r);

    /* every language answers with its own chart titles */
    static const char *const langs[] = {"en", "zh", "es", "fr", "ar", "ru"};
    char titles[6][128];
    for (int i = 0; i < 6; i++) {
        snprintf(path, sizeof path, "/evals/%s?lang=%s", ID1, langs[i]);
        get(path, 200, &r);
        const char *t = strstr(r.body.data, "<svg");
        assert_non_null(t);
        t = strstr(t, "<title>");
        assert_non_null(t);
        snprintf(titles[i], sizeof titles[i], "%.*s",
                 (int)(strstr(t, "</title>") - t), t);
        for (int j = 0; j < i; j++)
            if (!strcmp(titles[i], titles[j]))
                fail_msg("%s and %s have the same chart title", langs[i],
                         langs[j]);
        snprintf(path, sizeof path, "<html lang=\"%s\"", langs[i]);
        assert_non_null(strstr(r.body.data, path));
        api_reply_release(&r);
    }
}

/* Grades per hazard, by the exact AILuminate rule against the published
 * v1.0 reference (no reference runs named): vcr u = 1/3 against 0.217 is
 * r = 1.54 >= 1.5, Fair; hte u = 0.75 against 0.111 is r > 3, Poor; a
 * perfect run is Excellent (u <= 0.1%); a key that is no hazard has no
 * grade. */
static void test_grades(void **state)
{
    (void)state;
    api_reply r;
    char path[256];
    snprintf(path, sizeof path, "/evals/%s?lang=en", ID1);
    get(path, 200, &r);
    const char *g = strstr(r.body.data, "<section id=\"eval-grades\"");
    assert_non_null(g);
    assert_non_null(strstr(g, "<tr data-hazard=\"vcr\" data-grade=\"2\">"));
    assert_non_null(strstr(g, "<tr data-hazard=\"hte\" data-grade=\"1\">"));
    assert_non_null(strstr(g, "data-grade=\"0\">"));
    assert_non_null(strstr(g, "published AILuminate v1.0 reference"));
    assert_escaped(r.body.data);
    api_reply_release(&r);
    snprintf(path, sizeof path, "/evals/%s?lang=ru", ID2);
    get(path, 200, &r);
    g = strstr(r.body.data, "<section id=\"eval-grades\"");
    assert_non_null(g);
    assert_non_null(strstr(g, "<tr data-hazard=\"vcr\" data-grade=\"5\">"));
    assert_non_null(strstr(g, "<tr data-hazard=\"hte\" data-grade=\"5\">"));
    api_reply_release(&r);
    /* a results document without groups: no grades, still a page */
    snprintf(path, sizeof path, "/evals/%s", ID3);
    get(path, 200, &r);
    assert_null(strstr(r.body.data, "id=\"eval-grades\""));
    api_reply_release(&r);
}

static void test_compare(void **state)
{
    (void)state;
    api_reply r;
    char path[256];
    snprintf(path, sizeof path, "/evals/%s?against=%s&lang=en", ID1, ID2);
    get(path, 200, &r);
    const char *h = r.body.data;
    assert_escaped(h);
    const char *c = strstr(h, "id=\"eval-comparison\"");
    assert_non_null(c);
    assert_non_null(strstr(c, "model-b"));
    assert_int_equal(check_svgs(h), 2);
    /* paired bars: this run (a) and the other (b) per hazard */
    const char *hz = strstr(h, "id=\"eval-hazards\"");
    assert_non_null(hz);
    const char *a = xc_find(hz, "rect", "data-series", "a");
    const char *b = xc_find(hz, "rect", "data-series", "b");
    assert_true(a && b);
    char v[32];
    assert_int_equal(xc_attr(b, "data-value", v, sizeof v), 0);
    assert_string_equal(v, "1");
    /* the difference column: vcr 66.7% - 100%, with the square-and-add
     * interval of the two groups' own intervals [0.2, 0.9] and [0.44, 1]:
     * -33.3 - sqrt(46.7^2 + 0^2) = -80.0, -33.3 + sqrt(23.3^2 + 56^2) =
     * +27.3 (issue 10 item 12: no bare difference without an interval) */
    const char *dv = strstr(hz, "-33.3 [");
    if (!dv)
        fail_msg("no interval beside the difference");
    if (strncmp(dv, "-33.3 [-80.0, +27.3]", 20))
        fail_msg("difference cell: %.40s", dv);
    /* a group only one run has shows n/a for the other */
    assert_non_null(strstr(hz, "n/a"));
    assert_null(strstr(h, "different test suites"));
    api_reply_release(&r);

    /* another suite: said so; a missing run: said so */
    snprintf(path, sizeof path, "/evals/%s?against=%s&lang=en", ID1, ID3);
    get(path, 200, &r);
    assert_non_null(strstr(r.body.data, "different test suites"));
    api_reply_release(&r);
    snprintf(path, sizeof path, "/evals/%s?against=EVAL-1999-99999", ID1);
    get(path, 200, &r);
    assert_non_null(strstr(r.body.data, "was not found"));
    api_reply_release(&r);
    snprintf(path, sizeof path, "/evals/%s?against=%%3Cb%%3E", ID1);
    get(path, 200, &r);
    assert_null(strstr(r.body.data, "<b>"));
    api_reply_release(&r);
}

/* The comparison's two series are named by what they are, "model \u00b7
 * run id" as on the evaluations chart, in the legend and the table's
 * columns of both groupings, in all six languages (issue 16 item 9: they
 * were "this run / other run"); a hostile model name stays text. */
static void test_compare_series_named(void **state)
{
    (void)state;
    static const char *const langs[] = {"en", "fr", "es", "ar", "zh", "ru"};
    char a[160], b[160], th[200], path[256];
    snprintf(a, sizeof a,
             "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;co&quot; "
             "\xC2\xB7 %s", ID1);
    snprintf(b, sizeof b, "model-b \xC2\xB7 %s", ID2);
    for (size_t l = 0; l < 6; l++) {
        api_reply r;
        snprintf(path, sizeof path, "/evals/%s?against=%s&lang=%s", ID1, ID2,
                 langs[l]);
        get(path, 200, &r);
        const char *h = r.body.data;
        assert_escaped(h);
        for (int s = 0; s < 2; s++) {
            const char *sec = strstr(h, s ? "id=\"eval-languages\""
                                          : "id=\"eval-hazards\"");
            assert_non_null(sec);
            const char *end = strstr(sec, "</section>");
            assert_non_null(end);
            /* the legend: one <text> per series */
            const char *svg = strstr(sec, "<svg");
            assert_true(svg && svg < end);
            const char *svg_end = strstr(svg, "</svg>");
            for (int k = 0; k < 2; k++) {
                const char *want = k ? b : a;
                const char *t = strstr(svg, want);
                if (!t || t > svg_end)
                    fail_msg("%s: series %d not named \"%s\" in the legend",
                             langs[l], k, want);
                snprintf(th, sizeof th, "<th scope=\"col\"><bdi>%s</bdi>",
                         want);
                t = strstr(sec, th);
                if (!t || t > end)
                    fail_msg("%s: no column \"%s\"", langs[l], want);
            }
        }
        api_reply_release(&r);
    }
}

static void test_odd(void **state)
{
    (void)state;
    api_reply r;
    char path[256];
    /* malformed results: the page answers with what it can show */
    snprintf(path, sizeof path, "/evals/%s?lang=en", ID3);
    get(path, 200, &r);
    assert_non_null(strstr(r.body.data, "model-c"));
    assert_non_null(strstr(r.body.data, "n/a"));
    assert_int_equal(check_svgs(r.body.data), 0);
    api_reply_release(&r);
    get("/evals/EVAL-1999-99999", 404, &r);
    api_reply_release(&r);
    get("/evals/%3Cscript%3Ealert(3)%3C%2Fscript%3E", 404, &r);
    assert_null(strstr(r.body.data, "<script>alert(3)"));
    api_reply_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list),
        cmocka_unit_test(test_run),
        cmocka_unit_test(test_grades),
        cmocka_unit_test(test_compare),
        cmocka_unit_test(test_compare_series_named),
        cmocka_unit_test(test_odd),
    };
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    curl_global_cleanup();
    return rc;
}
