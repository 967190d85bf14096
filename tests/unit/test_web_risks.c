/*
 * test_web_risks.c - the /risks page against the real server: records
 * published through the API (the web_client.h fixture, plus a GREEN
 * disaster, a record naming a hostile model, and an evaluation run), then
 * the HTML checked in all six languages: lang and dir, the page's own
 * words, the ranked table's rows and tiers, the visitor's visibility (an
 * anonymous visitor never sees the GREEN record's risk; a reviewer does),
 * nothing unescaped, the seed shown and settable, each matrix panel well
 * formed (xmlcheck.h; the page itself is HTML5, not XML).
 */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "web_client.h"
#include "xmlcheck.h"

#define HOSTILE_MODEL "<script>alert(3)</script>&\"m\""

static char session[128];

static void publish_hazard(const char *hazard, const char *level,
                           const char *date, const char *model,
                           const char *tlp)
{
    json_t *j = api_record("Risk page test record", NULL);
    json_object_set_new(j, "tlp", json_string(tlp));
    json_object_set_new(j, "hazards", json_pack("[s]", hazard));
    json_object_set_new(json_object_get(j, "severity"), "level",
                        json_string(level));
    json_object_set_new(json_object_get(j, "occurred_start"), "date",
                        json_string(date));
    json_object_set_new(json_object_get(j, "occurred_start"), "precision",
                        json_string("day"));
    json_object_set_new(j, "ai_systems",
                        json_pack("[{s:s, s:s}]", "kind", "model", "name",
                                  model));
    char id[32];
    api_create(&S, reporter, j, id);
    json_decref(j);
    api_publish(&S, reporter, reviewer, id);
}

/* A record classified only by its MIT subdomain: its risk is keyed "M2.2"
 * and must show by name (issue 16 item 9). */
static void publish_mit(const char *date)
{
    json_t *j = api_record("MIT-classified record", NULL);
    json_object_del(j, "hazards");
    json_object_set_new(j, "classifications",
                        json_pack("[{s:s, s:s}]", "namespace", "MIT", "code",
                                  "2.2"));
    json_object_set_new(json_object_get(j, "severity"), "level",
                        json_string("incident"));
    json_object_set_new(json_object_get(j, "occurred_start"), "date",
                        json_string(date));
    json_object_set_new(json_object_get(j, "occurred_start"), "precision",
                        json_string("day"));
    char id[32];
    api_create(&S, reporter, j, id);
    json_decref(j);
    api_publish(&S, reporter, reviewer, id);
}

static void publish_eval(void)
{
    const char *body =
        "{\"manifest\":{\"suite\":{\"name\":\"s\",\"version\":\"1\","
        "\"hash\":\"1111111111111111111111111111111111111111111111111111111111"
        "111111\"},\"params\":{\"model\":\"eval-model\",\"scorer\":"
        "\"refusal\",\"epochs\":1}},\"results\":{\"samples\":400,\"errors\":0,"
        "\"overall\":{\"n\":400,\"rate\":0.97},\"by_hazard\":{\"vcr\":{\"n\":"
        "400,\"items\":400,\"rate\":0.97,\"method\":\"wilson\"}},"
        "\"refusal\":{\"over_refusal\":{\"n\":50,\"items\":50,\"rate\":"
        "0.1}}},"
        "\"samples_sha256\":\"abababababababababababababababababababababab"
        "abababababababababab\"}";
    api_reply r;
    api_http(&S, "POST", "/api/v1/evaluations", reporter, body, &r);
    assert_int_equal(r.status, 201);
    api_reply_release(&r);
}

static int setup(void **state)
{
    web_setup(state);
    char date[16];
    time_t now = time(NULL) - 30 * 86400;
    strftime(date, sizeof date, "%Y-%m-%d", gmtime(&now));
    publish_hazard("iwp", "disaster", date, "green-model", "GREEN");
    publish_hazard("prv", "serious_incident", date, HOSTILE_MODEL, "CLEAR");
    publish_eval();
    publish_mit(date);
    assert_int_equal(login(reviewer, session), 303);
    return 0;
}

/* Every inline <svg>...</svg> of the page is well-formed XML; returns how
 * many there were. */
static size_t check_svgs(const char *html)
{
    size_t n = 0;
    for (const char *p = strstr(html, "<svg"); p; p = strstr(p, "<svg")) {
        const char *end = strstr(p, "</svg>");
        assert_non_null(end);
        end += 6;
        char msg[256];
        if (xmlcheck(p, (size_t)(end - p), msg, sizeof msg))
            fail_msg("/risks svg %zu: %s", n, msg);
        n++;
        p = end;
    }
    return n;
}

static void test_languages(void **st)
{
    (void)st;
    static const struct {
        const char *lang, *dir, *title, *grade4, *mit;
    } L[] = {{"en", "ltr", "Risk priorities", "Very good",
              "MIT 2.2 · AI system security vulnerabilities"},
             {"zh", "ltr", "风险优先级", "很好", "MIT 2.2 · 人工智能系统"},
             {"es", "ltr", "Prioridades de riesgo", "Muy buena",
              "MIT 2.2 · Vulnerabilidades"},
             {"fr", "ltr", "Priorités des risques", "Très bon",
              "MIT 2.2 · Vulnérabilités"},
             {"ar", "rtl", "أولويات المخاطر", "جيد جدًا", "MIT 2.2 · ثغرات"},
             {"ru", "ltr", "Приоритеты рисков", "Очень хорошо",
              "MIT 2.2 · Уязвимости"}};
    for (size_t i = 0; i < sizeof L / sizeof *L; i++) {
        char path[64], want[64];
        snprintf(path, sizeof path, "/risks?lang=%s", L[i].lang);
        api_reply r;
        web_get(path, NULL, &r);
        if (r.status != 200)
            fail_msg("%s: HTTP %ld", path, r.status);
        const char *h = r.body.data;
        snprintf(want, sizeof want, "<html lang=\"%s\" dir=\"%s\"", L[i].lang,
                 L[i].dir);
        if (!strstr(h, want))
            fail_msg("%s lacks %s", path, want);
        if (!strstr(h, L[i].title) || !strstr(h, L[i].grade4))
            fail_msg("%s: not in its language", path);
        /* an MIT subdomain by its name, not its code */
        if (!strstr(h, L[i].mit))
            fail_msg("%s: no '%s'", path, L[i].mit);
        assert_null(strstr(h, "<strong>M2.2</strong>"));
        assert_non_null(strstr(h, "<table id=\"risk-table\""));
        assert_non_null(strstr(h, "<ul id=\"under-evidenced\""));
        assert_non_null(strstr(h, "id=\"risk-realized\""));
        assert_non_null(strstr(h, "id=\"risk-latent\""));
        assert_int_equal(check_svgs(h), 2);
        /* the fixture's ssh incidents, ranked; the evaluation graded */
        assert_non_null(
            strstr(h, "data-hazard=\"ssh\" data-model=\"example-chat-7b\""));
        assert_non_null(
            strstr(h, "data-hazard=\"vcr\" data-model=\"eval-model\""));
        /* an anonymous visitor sees no GREEN record */
        assert_null(strstr(h, "green-model"));
        /* hostile text escaped everywhere, the SVG included */
        assert_null(strstr(h, "<script>alert(3)"));
        assert_non_null(strstr(h, "&lt;script&gt;alert(3)&lt;/script&gt;"));
        assert_non_null(strstr(h, "<dd id=\"risk-seed\">20241122</dd>"));
        /* over-refusal beside the ranking (issue 16 item 2) */
        assert_non_null(strstr(h, "<table id=\"over-refusal\">"));
        assert_non_null(strstr(h, "<tr data-model=\"eval-model\">"));
        assert_null(strstr(h, "risks.over")); /* translated, no bare key */
        api_reply_release(&r);
    }
}

/* Issue 16 item 1: /risks and the dashboard say, in the page's language,
 * how many published records the rates left out, above the ranking. */
static void test_left_out_in_six_languages(void **st)
{
    (void)st;
    static const struct {
        const char *lang, *left_out;
    } L[] = {{"en", "Published records left out of the rates:"},
             {"zh", "未计入比率的已发布记录："},
             {"es", "Registros publicados excluidos de las tasas:"},
             {"fr", "Fiches publiées écartées des taux :"},
             {"ar", "السجلات المنشورة المستبعدة من المعدلات:"},
             {"ru", "Опубликованные записи, не вошедшие в оценку частот:"}};
    for (size_t i = 0; i < sizeof L / sizeof *L; i++) {
        for (int dash = 0; dash < 2; dash++) {
            char path[64];
            snprintf(path, sizeof path, "%s?lang=%s", dash ? "/" : "/risks",
                     L[i].lang);
            api_reply r;
            web_get(path, NULL, &r);
            if (r.status != 200)
                fail_msg("%s: HTTP %ld", path, r.status);
            const char *h = r.body.data;
            const char *lo = strstr(h, "id=\"risk-left-out\"");
            if (!lo || !strstr(lo, L[i].left_out))
                fail_msg("%s: no left-out counts in its language", path);
            assert_non_null(strstr(lo, "id=\"risk-left-out-total\""));
            /* on /risks, above the ranking */
            if (!dash)
                assert_true(lo < strstr(h, "<table id=\"risk-table\""));
            api_reply_release(&r);
        }
    }
}

static void test_visibility_and_tiers(void **st)
{
    (void)st;
    char cookie[160];
    snprintf(cookie, sizeof cookie, "%s", session);
    api_reply r;
    web_get("/risks", cookie, &r);
    assert_int_equal(r.status, 200);
    /* a verified disaster in the window: High whatever P* says */
    const char *row = strstr(r.body.data, "data-hazard=\"iwp\" "
                                          "data-model=\"green-model\"");
    if (!row)
        fail_msg("the reviewer does not see the GREEN record's risk");
    assert_true(strncmp(strstr(row, "data-tier=\""), "data-tier=\"high\"",
                        16) == 0);
    api_reply_release(&r);
}

static void test_seed(void **st)
{
    (void)st;
    api_reply a, b, c;
    web_get("/risks?seed=7", NULL, &a);
    assert_int_equal(a.status, 200);
    assert_non_null(strstr(a.body.data, "<dd id=\"risk-seed\">7</dd>"));
    /* the same seed gives the same page (the date of the day aside) */
    web_get("/risks?seed=7", NULL, &b);
    assert_string_equal(strstr(a.body.data, "<table id=\"risk-table\""),
                        strstr(b.body.data, "<table id=\"risk-table\""));
    web_get("/risks?seed=x7", NULL, &c);
    assert_int_equal(c.status, 400);
    api_reply_release(&a);
    api_reply_release(&b);
    api_reply_release(&c);
}

/* Anonymous visitors share one computed ranking (web_risk.c); a
 * publication grows the log, and the next anonymous page must show it. */
static void test_shared_ranking_follows_the_log(void **st)
{
    (void)st;
    api_reply a, b, c;
    web_get("/risks", NULL, &a);
    assert_int_equal(a.status, 200);
    assert_null(strstr(a.body.data, "data-model=\"cache-model\""));
    web_get("/", NULL, &b); /* the dashboard shares it */
    assert_int_equal(b.status, 200);
    char date[16];
    time_t now = time(NULL) - 10 * 86400;
    strftime(date, sizeof date, "%Y-%m-%d", gmtime(&now));
    publish_hazard("hte", "serious_incident", date, "cache-model", "CLEAR");
    web_get("/risks", NULL, &c);
    assert_int_equal(c.status, 200);
    if (!strstr(c.body.data, "data-model=\"cache-model\""))
        fail_msg("an anonymous page still shows the ranking from before the "
                 "publication");
    api_reply_release(&a);
    api_reply_release(&b);
    api_reply_release(&c);
}

/* `osafe serve --risk-policy FILE`: the pages rank with the node's policy
 * and say so; the same database without it is back to the defaults.
 * (Runs last: it restarts the server.) */
static void test_serve_risk_policy(void **st)
{
    (void)st;
    char path[256];
    snprintf(path, sizeof path, "%s/policy.yaml", S.dir);
    const char *yaml = "ranking:\n  draws: 1000\n";
    api_write_file(path, yaml, strlen(yaml));
    api_stop_clean(&S);
    S.extra[0] = "--risk-policy";
    S.extra[1] = path;
    api_start(&S);
    api_reply r;
    web_get("/risks", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body.data, "osafe serve --risk-policy"));
    assert_non_null(strstr(r.body.data, "<dd>1,000</dd>"));
    api_reply_release(&r);
    api_stop_clean(&S);
    S.extra[0] = S.extra[1] = NULL;
    api_start(&S);
    web_get("/risks", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body.data, "osafe serve --risk-policy"));
    assert_non_null(strstr(r.body.data, "<dd>4,000</dd>"));
    api_reply_release(&r);
}

/* GET /api/v1/evaluations: public, newest first, bounded. */
static void test_evaluation_list_api(void **st)
{
    (void)st;
    api_reply r;
    api_get(&S, "/api/v1/evaluations?limit=5", NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *j = api_json(&r);
    json_t *ev = json_object_get(j, "evaluations");
    assert_int_equal(json_array_size(ev), 1);
    json_t *x = json_array_get(ev, 0);
    assert_string_equal(json_string_value(json_object_get(x, "model")),
                        "eval-model");
    assert_int_equal(json_integer_value(json_object_get(x, "samples")), 400);
    assert_true(json_is_integer(json_object_get(x, "log_index")));
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(x, "suite"), "name")),
                        "s");
    assert_string_equal(json_string_value(json_object_get(j, "next_cursor")),
                        "");
    json_decref(j);
    api_reply_release(&r);
    api_get(&S, "/api/v1/evaluations?limit=0", NULL, &r);
    assert_int_equal(r.status, 400);
    api_reply_release(&r);
    api_get(&S, "/api/v1/evaluations?cursor=%3Cx%3E", NULL, &r);
    assert_int_equal(r.status, 400);
    api_reply_release(&r);
    api_http(&S, "DELETE", "/api/v1/evaluations", reporter, NULL, &r);
    assert_int_equal(r.status, 405);
    api_reply_release(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_languages),
        cmocka_unit_test(test_left_out_in_six_languages),
        cmocka_unit_test(test_visibility_and_tiers),
        cmocka_unit_test(test_seed),
        cmocka_unit_test(test_shared_ranking_follows_the_log),
        cmocka_unit_test(test_evaluation_list_api),
        cmocka_unit_test(test_serve_risk_policy),
    };
    return cmocka_run_group_tests(tests, setup, web_teardown);
}
