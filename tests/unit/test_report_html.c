/*
 * test_report_html.c - `osafe eval report RUNDIR --html FILE [--against]`:
 * run directories written here by hand (manifest.json and samples.jsonl,
 * the documented format), with hostile item ids and texts, then the HTML
 * checked strictly: well formed (xmlcheck.h), nothing loaded from
 * outside, every run string escaped, the numbers present where they
 * belong (computed here from the samples), the worst items in order and
 * truncated, the comparison's counts; and the CLI's options.
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
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <jansson.h>

#include "core/limits.h"
#include "eval/run.h"
#include "xmlcheck.h"

#define HOSTILE_ID "<script>alert(1)</script>"
#define HOSTILE_TEXT "</details><script>x()</script> & <b>bold</b> \"q\""

static char tmp[64];

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

static void manifest(const char *dir, const char *hash, const char *model)
{
    assert_int_equal(mkdir(dir, 0755), 0);
    json_t *m = json_pack(
        "{s:{s:s, s:s}, s:{s:s, s:s, s:s, s:I, s:s}, s:{s:s, s:s, s:s, s:i, "
        "s:i, s:s, s:n, s:I}, s:s, s:s, s:s, s:s, s:i}",
        "tool", "name", "osafe", "version", "0.1.0", "suite", "name",
        "demo<suite>", "version", "1 & 2", "hash", hash, "items",
        (json_int_t)6, "path", "/tmp/s", "params", "model", model,
        "endpoint", "http://127.0.0.1:9/v1", "scorer", "refusal", "epochs", 1,
        "max_tokens", 64, "api", "chat", "temperature", "seed",
        (json_int_t)7, "shard", "1/1", "started", "2026-11-28T01:00:00Z",
        "finished", "2026-11-28T01:05:00Z", "server_fingerprint", "fp<1>",
        "resumed", 0);
    assert_non_null(m);
    char *t = json_dumps(m, JSON_SORT_KEYS);
    write_file(dir, "manifest.json", t);
    free(t);
    json_decref(m);
}

/* One sample line.  score < 0: an error. */
static void sample(FILE *f, const char *id, const char *hazard,
                   const char *lang, const char *expected, double score,
                   const char *prompt, const char *response)
{
    json_t *s = json_pack("{s:s, s:i, s:{s:[{s:s, s:s}]}, s:s, s:s, s:s}",
                          "item_id", id, "epoch", 1, "request", "messages",
                          "role", "user", "content", prompt, "lang", lang,
                          "hazard", hazard, "expected", expected);
    assert_non_null(s);
    if (score < 0) {
        json_object_set_new(s, "score", json_null());
        json_object_set_new(s, "label", json_null());
        json_object_set_new(s, "response", json_null());
        json_object_set_new(s, "error", json_string("http 500 <boom>"));
    } else {
        int refuse = !strcmp(expected, "refuse");
        const char *label = (score >= 0.5) == refuse ? "full_refusal"
                                                     : "full_compliance";
        json_object_set_new(s, "score", json_real(score));
        json_object_set_new(s, "label", json_string(label));
        json_object_set_new(s, "response", json_string(response));
        json_object_set_new(s, "error", json_null());
    }
    char *t = json_dumps(s, JSON_COMPACT);
    fprintf(f, "%s\n", t);
    free(t);
    json_decref(s);
}

static char *long_text(void)
{
    /* longer than the quote limit, with a multi-byte character across the
     * cut */
    size_t n = OSAFE_REPORT_QUOTE_MAX + 500;
    char *t = malloc(n + 1);
    assert_non_null(t);
    for (size_t i = 0; i < n; i += 3)
        memcpy(t + i, "\xe4\xb8\xad", n - i >= 3 ? 3 : n - i);
    t[n - n % 3] = '\0';
    return t;
}

/* Run A: vcr 1, 0, 1 (two thirds); hte 0, 0.5 (a quarter); one error.
 * Languages: en 1, 0, 0; fr 1, 0.5.  Run B: every item passes. */
static void make_runs(char *a, char *b, char *c)
{
    snprintf(tmp, sizeof tmp, "/tmp/osafe-report-XXXXXX");
    assert_non_null(mkdtemp(tmp));
    snprintf(a, 128, "%s/a", tmp);
    snprintf(b, 128, "%s/b", tmp);
    snprintf(c, 128, "%s/c", tmp);
    const char *hash = "1111111111111111111111111111111111111111111111111111"
                       "111111111111";
    manifest(a, hash, "model <A> & co");
    manifest(b, hash, "model-b");
    manifest(c, "2222", "model-c");
    char *lt = long_text();
    char path[256];
    snprintf(path, sizeof path, "%s/samples.jsonl", a);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    sample(f, "v1", "vcr", "en", "refuse", 1, "p1", "r1");
    sample(f, HOSTILE_ID, "vcr", "en", "refuse", 0, HOSTILE_TEXT,
           HOSTILE_TEXT);
    sample(f, "v3", "vcr", "fr", "refuse", 1, "p3", "r3");
    sample(f, "h1", "hte", "en", "comply", 0, "p4", lt);
    sample(f, "h2", "hte", "fr", "comply", 0.5, "p5", "r5");
    sample(f, "e1", "hte", "fr", "refuse", -1, "p6", NULL);
    fputs("{\"item_id\": \"torn", f); /* a killed run's last line */
    assert_int_equal(fclose(f), 0);
    snprintf(path, sizeof path, "%s/samples.jsonl", b);
    f = fopen(path, "w");
    assert_non_null(f);
    const char *ids[] = {"v1", HOSTILE_ID, "v3", "h1", "h2", "e1"};
    const char *hz[] = {"vcr", "vcr", "vcr", "hte", "hte", "hte"};
    const char *ex[] = {"refuse", "refuse", "refuse", "comply", "comply",
                        "refuse"};
    for (int i = 0; i < 6; i++)
        sample(f, ids[i], hz[i], "en", ex[i], 1, "p", "r");
    assert_int_equal(fclose(f), 0);
    snprintf(path, sizeof path, "%s/samples.jsonl", c);
    f = fopen(path, "w");
    assert_non_null(f);
    sample(f, "v1", "vcr", "en", "refuse", 1, "p", "r");
    assert_int_equal(fclose(f), 0);
    free(lt);
}

static void cleanup(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    assert_int_equal(system(cmd), 0);
}

static void assert_no_external(const char *html)
{
    static const char *const attrs[] = {"src=", "href=", "action=",
                                        "url(", "@import"};
    for (size_t i = 0; i < sizeof attrs / sizeof *attrs; i++)
        for (const char *p = strstr(html, attrs[i]); p;
             p = strstr(p + 1, attrs[i])) {
            const char *v = p + strlen(attrs[i]);
            if (*v == '"' || *v == '\'')
                v++;
            if (!strncmp(v, "http:", 5) || !strncmp(v, "https:", 6) ||
                !strncmp(v, "//", 2))
                fail_msg("external reference at %.60s", p);
        }
    /* two scripts only: the sample browser's data and its code, inline
     * (test_report_samples.c checks them) */
    assert_int_equal(xc_count(html, "<script"), 2);
    assert_non_null(strstr(html, "<script type=\"application/json\" "
                                 "id=\"sb-data\">"));
    assert_null(strstr(html, "<script src"));
    assert_null(strstr(html, "<link"));
    assert_null(strstr(html, "<img"));
}

static void check_bar(const char *html, const char *series, const char *label,
                      const char *value)
{
    for (const char *p = xc_find(html, "rect", "data-label", label); p;
         p = xc_find(p + 1, "rect", "data-label", label)) {
        char s[8] = "", v[32];
        xc_attr(p, "data-series", s, sizeof s);
        if (strcmp(s, series ? series : ""))
            continue;
        assert_int_equal(xc_attr(p, "data-value", v, sizeof v), 0);
        assert_string_equal(v, value);
        return;
    }
    fail_msg("no bar %s/%s", series ? series : "-", label);
}

static void test_report(void **state)
{
    (void)state;
    char a[128], b[128], c[128];
    make_runs(a, b, c);
    osafe_buf out = OSAFE_BUF_INIT;
    osafe_err e;
    if (eval_report_html(a, NULL, &out, &e) != 0)
        fail_msg("report: %s", e.msg);
    const char *h = out.data;
    char msg[256];
    if (xmlcheck(h, out.len, msg, sizeof msg) != 0)
        fail_msg("not well formed: %s", msg);
    assert_true(strncmp(h, "<!DOCTYPE html>\n<html lang=\"en\" dir=\"ltr\">",
                        41) == 0);
    assert_no_external(h);
    /* the manifest, escaped */
    assert_non_null(strstr(h, "model &lt;A&gt; &amp; co"));
    assert_non_null(strstr(h, "demo&lt;suite&gt;"));
    assert_non_null(strstr(h, "1 &amp; 2"));
    assert_non_null(strstr(h, "fp&lt;1&gt;"));
    assert_non_null(strstr(h, "1111111111111111111111111111111111111111"));
    assert_non_null(strstr(h, "http://127.0.0.1:9/v1</code>"));
    assert_non_null(strstr(h, "2026-11-28T01:05:00Z"));
    /* overall: 2.5 of 5 scored */
    assert_non_null(strstr(h, "<span class=\"big\">50%"));
    /* the charts carry the rates computed from the samples */
    check_bar(h, NULL, "Violent crimes", "0.666667");
    check_bar(h, NULL, "Hate", "0.25");
    check_bar(h, NULL, "en", "0.333333");
    check_bar(h, NULL, "fr", "0.75");
    assert_int_equal(xc_count(h, "<svg"), 2);
    assert_non_null(strstr(h, ">66.7%</td>"));
    /* hostile ids and texts escaped, texts behind a warning in details */
    assert_non_null(strstr(h, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_non_null(strstr(h, "&lt;/details&gt;&lt;script&gt;x()"));
    assert_non_null(strstr(h, "&amp; &lt;b&gt;bold&lt;/b&gt; &quot;q&quot;"));
    assert_non_null(strstr(h, "Content warning"));
    assert_true(xc_count(h, "<details>") == 5);
    /* worst first: the two zeros (file order), then 0.5, then the ones */
    const char *w = strstr(h, "id=\"worst\"");
    assert_non_null(w);
    const char *x1 = strstr(w, "&lt;script&gt;alert"), *x2 = strstr(w, ">h1<");
    const char *x3 = strstr(w, ">h2<"), *x4 = strstr(w, ">v1<");
    assert_true(x1 && x2 && x3 && x4);
    assert_true(x1 < x2 && x2 < x3 && x3 < x4);
    /* the long answer is cut on a character boundary */
    assert_non_null(strstr(h, "more bytes]"));
    assert_non_null(strstr(h, "lang=\"fr\" dir=\"auto\""));
    /* the error, its reason escaped, listed by id */
    const char *er = strstr(h, "id=\"errors\"");
    assert_non_null(er);
    assert_non_null(strstr(er, "http 500 &lt;boom&gt;"));
    assert_non_null(strstr(er, "<code>e1</code>"));
    /* the refusal measures */
    assert_non_null(strstr(h, "unsafe compliance"));
    assert_null(strstr(h, "id=\"comparison\""));
    buf_release(&out);

    /* with the comparison: B passes everything */
    if (eval_report_html(a, b, &out, &e) != 0)
        fail_msg("report --against: %s", e.msg);
    h = out.data;
    if (xmlcheck(h, out.len, msg, sizeof msg) != 0)
        fail_msg("not well formed: %s", msg);
    assert_no_external(h);
    const char *cmp = strstr(h, "id=\"comparison\"");
    assert_non_null(cmp);
    /* items both scored: 5; A passes v1, v3 and h2 (0.5 counts as a pass
     * at one half); B all five: this minus other = 3/5 - 1 = -40 points */
    assert_non_null(strstr(cmp, "-40 points"));
    assert_non_null(strstr(cmp, "over 5 items"));
    assert_non_null(strstr(cmp, "only this run passed: 0; only the other: 2"));
    /* Issue 10 item 12: paired per group, each hazard's own table of the
     * items both runs scored: vcr 2 of 3 vs 3 of 3, one discordant item */
    const char *ph = strstr(cmp, "id=\"paired-hazard\"");
    assert_non_null(ph);
    const char *vr = strstr(ph, "<th scope=\"row\">Violent crimes (vcr)</th>"
                                "<td class=\"num\">3</td>"
                                "<td class=\"num\">66.7% [");
    assert_non_null(vr);
    assert_non_null(strstr(vr, "<td class=\"num\">-33.3 ["));
    assert_non_null(strstr(vr, "<td class=\"num\">0 / 1</td>"));
    const char *hr = strstr(ph, "<th scope=\"row\">Hate (hte)</th>"
                                "<td class=\"num\">2</td>"
                                "<td class=\"num\">50% [");
    assert_non_null(hr);
    assert_non_null(strstr(hr, "<td class=\"num\">-50 ["));
    assert_non_null(strstr(cmp, "id=\"paired-language\""));
    assert_non_null(strstr(cmp, "Holm p"));
    assert_non_null(strstr(cmp, "(mid-p "));
    /* e1 failed in this run and was scored by the other */
    assert_non_null(strstr(cmp, "Left out because only one run scored them: "
                                "0 items only this run scored, 1 only the "
                                "other."));
    check_bar(cmp, "a", "Violent crimes", "0.666667");
    check_bar(cmp, "b", "Violent crimes", "1");
    check_bar(cmp, "b", "Hate", "1");
    assert_int_equal(xc_count(h, "<svg"), 4);
    buf_release(&out);

    /* another suite cannot be compared; nothing is left in the buffer */
    assert_int_equal(buf_puts(&out, "x"), 0);
    assert_int_equal(eval_report_html(a, c, &out, &e), OSAFE_EINVAL);
    assert_string_equal(out.data, "x");
    assert_int_equal(eval_report_html("/nonexistent/run", NULL, &out, &e),
                     OSAFE_ENOTFOUND);
    buf_release(&out);
    cleanup();
}

static int run_cli(const char *args)
{
    const char *osafe = getenv("OSAFE");
    if (!osafe || !*osafe)
        fail_msg("OSAFE is not set; run through ctest");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "'%s' %s >/dev/null 2>&1", osafe, args);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Hazards by name, not by code (issue 16 item 9): the chart, the table
 * and the worst items say "Specialized advice: elections (spc_ele)"; a
 * sub-hazard without a name keeps its code. */
static void test_hazard_names(void **state)
{
    (void)state;
    char dir[128];
    snprintf(tmp, sizeof tmp, "/tmp/osafe-report-XXXXXX");
    assert_non_null(mkdtemp(tmp));
    snprintf(dir, sizeof dir, "%s/n", tmp);
    manifest(dir, "3333", "model-n");
    char path[256];
    snprintf(path, sizeof path, "%s/samples.jsonl", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    sample(f, "e1", "spc_ele", "en", "comply", 0, "p", "r");
    sample(f, "p1", "sxc_prn", "en", "refuse", 0, "p", "r");
    sample(f, "c1", "cse", "en", "refuse", 1, "p", "r");
    sample(f, "z1", "spc_zzz", "en", "comply", 1, "p", "r");
    assert_int_equal(fclose(f), 0);
    osafe_buf out = OSAFE_BUF_INIT;
    osafe_err e;
    if (eval_report_html(dir, NULL, &out, &e) != 0)
        fail_msg("report: %s", e.msg);
    const char *h = out.data;
    char msg[256];
    if (xmlcheck(h, out.len, msg, sizeof msg) != 0)
        fail_msg("not well formed: %s", msg);
    check_bar(h, NULL, "Specialized advice: elections", "0");
    check_bar(h, NULL, "Sexual content: pornographic", "0");
    check_bar(h, NULL, "Child sexual exploitation", "1");
    check_bar(h, NULL, "spc_zzz", "1");
    const char *t = strstr(h, "id=\"hazards\"");
    assert_non_null(t);
    assert_non_null(strstr(t, ">Specialized advice: elections (spc_ele)</th>"));
    assert_non_null(strstr(t, ">Child sexual exploitation (cse)</th>"));
    assert_null(strstr(t, ">spc_ele</th>"));
    const char *w = strstr(h, "id=\"worst\"");
    assert_non_null(w);
    assert_non_null(strstr(w, ">Sexual content: pornographic (sxc_prn)<"));
    assert_null(strstr(w, ">sxc_prn<"));
    buf_release(&out);
    cleanup();
}

static void test_cli(void **state)
{
    (void)state;
    char a[128], b[128], c[128], args[600], file[200];
    make_runs(a, b, c);
    snprintf(file, sizeof file, "%s/report.html", tmp);
    snprintf(args, sizeof args, "eval report '%s' --html '%s' --against '%s'",
             a, file, b);
    assert_int_equal(run_cli(args), 0);
    FILE *f = fopen(file, "r");
    assert_non_null(f);
    static char text[1 << 20];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    char msg[256];
    if (xmlcheck(text, n, msg, sizeof msg) != 0)
        fail_msg("not well formed: %s", msg);
    assert_non_null(strstr(text, "id=\"comparison\""));
    /* the file is what the library writes */
    osafe_buf out = OSAFE_BUF_INIT;
    osafe_err e;
    assert_int_equal(eval_report_html(a, b, &out, &e), 0);
    assert_int_equal(out.len, n);
    assert_memory_equal(out.data, text, n);
    buf_release(&out);
    /* the text report still works; option misuse is a usage error */
    snprintf(args, sizeof args, "eval report '%s'", a);
    assert_int_equal(run_cli(args), 0);
    snprintf(args, sizeof args, "eval report '%s' --json", a);
    assert_int_equal(run_cli(args), 0);
    snprintf(args, sizeof args, "eval report '%s' --against '%s'", a, b);
    assert_int_equal(run_cli(args), 2);
    snprintf(args, sizeof args, "eval report '%s' --html '%s' --json", a,
             file);
    assert_int_equal(run_cli(args), 2);
    snprintf(args, sizeof args, "eval report '%s' --html '%s' --against '%s'",
             a, file, c);
    assert_int_equal(run_cli(args), 1);
    cleanup();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report),
        cmocka_unit_test(test_hazard_names),
        cmocka_unit_test(test_cli),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
