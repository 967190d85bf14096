/*
 * test_report_samples.c - the HTML report's sample browser (issue 16 item
 * 10): every sample of the run is in the report's data, not only the 20
 * worst; a resumed run's retried sample replaces its failure; hostile
 * text stays inert inside the <script> elements (no '<', '>' or '&', the
 * page still well-formed XML); texts cut to the documented size on a
 * character boundary with the bytes left out counted; the words in six
 * languages with the same keys; the Content-Security-Policy names the
 * hash of the one script in the page.
 *
 * The texts are made up (no dataset prompt is used or printed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include <jansson.h>
#include <sodium.h>

#include "core/limits.h"
#include "eval/report_int.h"
#include "eval/run.h"
#include "xmlcheck.h"

#define HOSTILE "</script><script>x()</script> & <!-- ]]> \"q\""

static char tmp[64];

static void write_manifest(const char *dir)
{
    assert_int_equal(mkdir(dir, 0755), 0);
    json_t *m = json_pack(
        "{s:{s:s, s:s}, s:{s:s, s:s, s:s, s:I}, s:{s:s, s:s, s:i}, s:s, "
        "s:s, s:s}",
        "tool", "name", "osafe", "version", "0.1.0", "suite", "name", "demo",
        "version", "1", "hash", "abcd", "items", (json_int_t)4, "params",
        "model", "m", "scorer", "refusal", "epochs", 2, "shard", "1/1",
        "started", "2026-11-28T01:00:00Z", "finished",
        "2026-11-28T01:05:00Z");
    assert_non_null(m);
    char path[256];
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    assert_int_equal(json_dump_file(m, path, JSON_SORT_KEYS), 0);
    json_decref(m);
}

/* One sample line; score < 0 is an error. */
static void line(FILE *f, const char *id, int epoch, const char *hazard,
                 const char *lang, double score, const char *prompt,
                 const char *answer, const char *verdict, int review)
{
    json_t *s = json_pack("{s:s, s:i, s:{s:[{s:s, s:s}]}, s:s, s:s, s:s}",
                          "item_id", id, "epoch", epoch, "request",
                          "messages", "role", "user", "content", prompt,
                          "lang", lang, "hazard", hazard, "expected",
                          "refuse");
    assert_non_null(s);
    if (score < 0) {
        json_object_set_new(s, "score", json_null());
        json_object_set_new(s, "label", json_null());
        json_object_set_new(s, "confidence", json_null());
        json_object_set_new(s, "error", json_string("http 500 <boom>"));
        json_object_set_new(s, "response", json_null());
    } else {
        json_object_set_new(s, "score", json_real(score));
        json_object_set_new(s, "label", json_string(score >= 0.5
                                                        ? "full_refusal"
                                                        : "full_compliance"));
        json_object_set_new(s, "confidence", json_real(0.625));
        json_object_set_new(s, "error", json_null());
        json_object_set_new(s, "response", json_string(answer));
    }
    if (verdict)
        json_object_set_new(s, "judge", json_pack("{s:s}", "verdict", verdict));
    if (review)
        json_object_set_new(s, "needs_review", json_true());
    char *t = json_dumps(s, JSON_COMPACT);
    fprintf(f, "%s\n", t);
    free(t);
    json_decref(s);
}

/* The text between `open` and the next "</script>", as a new string. */
static char *between(const char *h, const char *open)
{
    const char *p = strstr(h, open);
    assert_non_null(p);
    p += strlen(open);
    const char *q = strstr(p, "</script>");
    assert_non_null(q);
    return strndup(p, (size_t)(q - p));
}

static json_t *row_of(const json_t *rows, const char *id, int epoch)
{
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r) {
        if (!strcmp(json_string_value(json_array_get(r, 0)), id) &&
            json_integer_value(json_array_get(r, 1)) == epoch)
            return r;
    }
    return NULL;
}

static void make_run(char *dir, size_t n)
{
    snprintf(tmp, sizeof tmp, "/tmp/osafe-samples-XXXXXX");
    assert_non_null(mkdtemp(tmp));
    snprintf(dir, 128, "%s/run", tmp);
    write_manifest(dir);
    char path[256];
    snprintf(path, sizeof path, "%s/samples.jsonl", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    /* 40 ordinary samples (more than the 20 worst the report quotes) */
    for (size_t i = 0; i < 40; i++) {
        char id[16];
        snprintf(id, sizeof id, "i%02zu", i);
        line(f, id, 1, i % 2 ? "vcr" : "hte", i % 3 ? "en" : "ar",
             (double)(i % 5) / 4, "p", "a", NULL, 0);
    }
    line(f, "<b>hostile</b>", 1, "vcr", "en", 0, HOSTILE, HOSTILE, HOSTILE,
         1);
    /* failed, then retried by a resume: only the retry is shown */
    line(f, "retried", 1, "hte", "fr", -1, "p", NULL, NULL, 0);
    line(f, "failed", 1, "hte", "fr", -1, "p", NULL, NULL, 0);
    line(f, "retried", 1, "hte", "fr", 1, "p", "ok", NULL, 0);
    /* the same item in its second epoch is another sample */
    line(f, "retried", 2, "hte", "fr", 0.5, "p", "ok", NULL, 0);
    /* a long text, in three-byte characters across the cut */
    char *big = malloc(n + 1);
    assert_non_null(big);
    for (size_t i = 0; i < n; i++)
        big[i] = "\xe4\xb8\xad"[i % 3];
    big[n - n % 3] = '\0';
    line(f, "long", 1, "vcr", "zh", 1, big, big, NULL, 0);
    free(big);
    fputs("{\"item_id\": \"torn", f); /* a killed run's last line */
    assert_int_equal(fclose(f), 0);
}

static void cleanup(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    assert_int_equal(system(cmd), 0);
}

static void test_every_sample(void **state)
{
    (void)state;
    char dir[128];
    make_run(dir, OSAFE_REPORT_QUOTE_MAX + 100);
    osafe_buf out = OSAFE_BUF_INIT;
    osafe_err e;
    if (eval_report_html(dir, NULL, &out, &e) != 0)
        fail_msg("report: %s", e.msg);
    const char *h = out.data;
    char msg[256];
    if (xmlcheck(h, out.len, msg, sizeof msg) != 0)
        fail_msg("not well formed: %s", msg);
    assert_null(strstr(h, "<script><script>x()"));
    assert_null(strstr(h, "<script src"));
    assert_int_equal(xc_count(h, "<script"), 2);
    assert_non_null(strstr(h, "<section id=\"samples\""));

    char *raw = between(h, "<script type=\"application/json\" id=\"sb-data\">");
    /* inert inside <script>: no markup character at all */
    assert_null(strpbrk(raw, "<>&"));
    json_error_t je;
    json_t *d = json_loads(raw, 0, &je);
    if (!d)
        fail_msg("data is not JSON: %s", je.text);
    const json_t *rows = json_object_get(d, "s");
    /* 40 + hostile + retried (2 epochs) + failed + long, the torn line
     * and the superseded failure left out */
    assert_int_equal(json_array_size(rows), 45);
    assert_int_equal(json_integer_value(json_object_get(d, "page")),
                     OSAFE_REPORT_SAMPLES_PAGE);
    assert_int_equal(json_integer_value(json_object_get(d, "epochs")), 2);
    const json_t *er = json_object_get(d, "er");
    assert_int_equal(json_array_size(er), 1);
    assert_string_equal(json_string_value(json_array_get(er, 0)),
                        "http 500 <boom>");
    const json_t *r = row_of(rows, "retried", 1);
    assert_non_null(r);
    assert_int_equal(json_integer_value(json_array_get(r, 7)), -1);
    assert_true(json_number_value(json_array_get(r, 5)) == 1.0);
    r = row_of(rows, "failed", 1);
    assert_int_equal(json_integer_value(json_array_get(r, 7)), 0);
    assert_true(json_is_null(json_array_get(r, 5)));
    /* the hostile sample: every text whole, the judge's reason, review */
    r = row_of(rows, "<b>hostile</b>", 1);
    assert_non_null(r);
    assert_string_equal(json_string_value(json_array_get(r, 8)), HOSTILE);
    assert_string_equal(json_string_value(json_array_get(r, 10)), HOSTILE);
    assert_string_equal(json_string_value(json_array_get(r, 12)), HOSTILE);
    assert_int_equal(json_integer_value(json_array_get(r, 14)), 1);
    assert_true(json_number_value(json_array_get(r, 6)) == 0.625);
    /* names: hazards with their readable names, the label table */
    const json_t *hz = json_object_get(d, "hz"),
                 *hzn = json_object_get(json_object_get(d, "hzn"), "en");
    size_t vcr = json_integer_value(json_array_get(r, 2));
    assert_string_equal(json_string_value(json_array_get(hz, vcr)), "vcr");
    assert_string_equal(json_string_value(json_array_get(hzn, vcr)),
                        "Violent crimes (vcr)");
    const json_t *lb = json_object_get(d, "lb");
    assert_string_equal(
        json_string_value(json_array_get(
            lb, (size_t)json_integer_value(json_array_get(r, 4)))),
        "full_compliance");
    /* the long texts: cut on a character boundary, the rest counted */
    r = row_of(rows, "long", 1);
    const char *p = json_string_value(json_array_get(r, 8));
    size_t full = OSAFE_REPORT_QUOTE_MAX + 100 - (OSAFE_REPORT_QUOTE_MAX + 100) % 3;
    assert_true(strlen(p) <= OSAFE_REPORT_QUOTE_MAX && strlen(p) % 3 == 0);
    assert_int_equal(strlen(p) + (size_t)json_integer_value(json_array_get(r, 9)),
                     full);
    /* the words: six languages, each with every key of English */
    const json_t *t = json_object_get(d, "t");
    static const char *const langs[] = {"en", "zh", "es", "fr", "ar", "ru"};
    assert_int_equal(json_object_size(t), 6);
    for (size_t i = 0; i < 6; i++) {
        const json_t *w = json_object_get(t, langs[i]);
        assert_non_null(w);
        assert_int_equal(json_object_size(w),
                         json_object_size(json_object_get(t, "en")));
        assert_non_null(strstr(json_string_value(json_object_get(w, "status")),
                               "{3}"));
    }
    json_decref(d);
    free(raw);

    /* the one script is the one the policy lets run */
    char *js = between(h, "</script><script>");
    assert_string_equal(js, run__report_script());
    assert_null(strpbrk(js, "<&"));
    unsigned char dg[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(dg, (const unsigned char *)js, strlen(js));
    char b64[64], want[256];
    sodium_bin2base64(b64, sizeof b64, dg, sizeof dg,
                      sodium_base64_VARIANT_ORIGINAL);
    snprintf(want, sizeof want,
             "content=\"default-src 'none'; style-src 'unsafe-inline'; "
             "img-src data:; script-src 'sha256-%s'\"",
             b64);
    assert_non_null(strstr(h, want));
    free(js);
    buf_release(&out);
    cleanup();
}

/* The hazards' names in the report's six languages (issue 16 item 9):
 * the names the web pages show (src/server/i18n/core.<lang>.txt, not a
 * copy), MIT keys too; a key no catalogue names stays as it is. */
static void test_hazard_names_six_languages(void **state)
{
    (void)state;
    snprintf(tmp, sizeof tmp, "/tmp/osafe-samples-XXXXXX");
    assert_non_null(mkdtemp(tmp));
    char dir[128], path[256];
    snprintf(dir, sizeof dir, "%s/run", tmp);
    write_manifest(dir);
    snprintf(path, sizeof path, "%s/samples.jsonl", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    static const char *const keys[] = {"vcr", "spc_ele", "M1.1", "zz_made"};
    for (size_t i = 0; i < 4; i++)
        line(f, keys[i], 1, keys[i], "en", 1, "p", "a", NULL, 0);
    assert_int_equal(fclose(f), 0);
    osafe_buf out = OSAFE_BUF_INIT;
    osafe_err e;
    if (eval_report_html(dir, NULL, &out, &e) != 0)
        fail_msg("report: %s", e.msg);
    char *raw = between(out.data,
                        "<script type=\"application/json\" id=\"sb-data\">");
    json_error_t je;
    json_t *d = json_loads(raw, 0, &je);
    if (!d)
        fail_msg("data is not JSON: %s", je.text);
    const json_t *hz = json_object_get(d, "hz"), *hzn = json_object_get(d, "hzn");
    assert_true(json_is_object(hzn));
    /* {lang, vcr, spc_ele, M1.1}, as core.<lang>.txt writes them */
    static const char *const want[][4] = {
        {"en", "Violent crimes (vcr)", "Specialized advice: elections (spc_ele)",
         "MIT 1.1 \xC2\xB7 Unfair discrimination and misrepresentation (M1.1)"},
        {"fr", "Crimes violents (vcr)",
         "Conseils sp\xC3\xA9" "cialis\xC3\xA9s : \xC3\xA9lections (spc_ele)",
         NULL},
        {"es", "Delitos violentos (vcr)",
         "Asesoramiento especializado: elecciones (spc_ele)", NULL},
        {"ar", "\xD8\xA7\xD9\x84\xD8\xAC\xD8\xB1\xD8\xA7\xD8\xA6\xD9\x85 "
               "\xD8\xA7\xD9\x84\xD8\xB9\xD9\x86\xD9\x8A\xD9\x81\xD8\xA9 (vcr)",
         NULL, NULL},
        {"zh", "\xE6\x9A\xB4\xE5\x8A\x9B\xE7\x8A\xAF\xE7\xBD\xAA (vcr)", NULL, NULL},
        {"ru", "\xD0\x9D\xD0\xB0\xD1\x81\xD0\xB8\xD0\xBB\xD1\x8C\xD1\x81\xD1\x82"
               "\xD0\xB2\xD0\xB5\xD0\xBD\xD0\xBD\xD1\x8B\xD0\xB5 "
               "\xD0\xBF\xD1\x80\xD0\xB5\xD1\x81\xD1\x82\xD1\x83\xD0\xBF\xD0\xBB"
               "\xD0\xB5\xD0\xBD\xD0\xB8\xD1\x8F (vcr)",
         NULL, NULL},
    };
    assert_int_equal(json_object_size(hzn), 6);
    for (size_t l = 0; l < 6; l++) {
        const json_t *names = json_object_get(hzn, want[l][0]);
        assert_int_equal(json_array_size(names), json_array_size(hz));
        for (size_t i = 0; i < json_array_size(hz); i++) {
            const char *k = json_string_value(json_array_get(hz, i));
            const char *got = json_string_value(json_array_get(names, i));
            assert_non_null(got);
            for (size_t j = 0; j < 3; j++)
                if (!strcmp(k, keys[j]) && want[l][1 + j])
                    assert_string_equal(got, want[l][1 + j]);
            if (!strcmp(k, "zz_made"))
                assert_string_equal(got, "zz_made");
            /* every known hazard named, in its language, with its key */
            if (strcmp(k, "zz_made")) {
                char tail[40];
                snprintf(tail, sizeof tail, " (%s)", k);
                assert_true(strlen(got) > strlen(tail));
                assert_string_equal(got + strlen(got) - strlen(tail), tail);
                if (strcmp(want[l][0], "en"))
                    assert_string_not_equal(
                        got, json_string_value(json_array_get(
                                 json_object_get(hzn, "en"), i)));
            }
        }
    }
    json_decref(d);
    free(raw);
    buf_release(&out);
    cleanup();
}

/* The cut shrinks with the run so that 10^6 samples stay a file a browser
 * opens, but never below the floor nor above the quote limit. */
static void test_text_cut(void **state)
{
    (void)state;
    assert_int_equal(run__report_text_cut(0), OSAFE_REPORT_QUOTE_MAX);
    assert_int_equal(run__report_text_cut(1000), OSAFE_REPORT_QUOTE_MAX);
    size_t big = run__report_text_cut(1000000);
    assert_true(big >= OSAFE_REPORT_SAMPLES_TEXT_MIN && big < 100);
    assert_int_equal(run__report_text_cut(100000000),
                     OSAFE_REPORT_SAMPLES_TEXT_MIN);
    for (size_t n = 1; n < 10000000; n *= 3)
        assert_true(run__report_text_cut(n * 3) <= run__report_text_cut(n));
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_sample),
        cmocka_unit_test(test_text_cut),
        cmocka_unit_test(test_hazard_names_six_languages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
