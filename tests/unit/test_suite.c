/*
 * test_suite.c - evaluation suites: every importer on the real files of
 * shared/data (item counts, expected behaviour, hazard coverage), the
 * Chinese Do-Not-Answer layout on synthetic rows, hash stability and
 * independence from formatting, validation errors with file and line,
 * write -> load round trips and the streaming reader.
 *
 * Content warning: the data sets are harmful prompts.  These tests only
 * count and compare them; no prompt text is ever printed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <dirent.h>
#include <jansson.h>

#include "core/fsx.h"
#include "core/limits.h"
#include "eval/suite.h"
#include "vectors.h"

static char g_tmp[256]; /* mkdtemp folder of this run */

/* The shared folder's data sets (skips the case without them). */
static const char *shared_data(void)
{
    static char p[1024];
    vec_require("data", p, sizeof p);
    return p;
}

static void data_path(char *out, size_t n, const char *rel)
{
    snprintf(out, n, "%s/%s", shared_data(), rel);
}

static void tmp_path(char *out, size_t n, const char *rel)
{
    snprintf(out, n, "%s/%s", g_tmp, rel);
}

static void write_file(const char *dir, const char *name, const char *text)
{
    osafe_err e = {0};
    if (fsx_mkdirs(dir, &e))
        fail_msg("mkdirs %s: %s", dir, e.msg);
    char p[2048];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    if (fsx_write_atomic(p, text, strlen(text), 0644, 0, &e))
        fail_msg("write %s: %s", p, e.msg);
}

static char *read_text(const char *path, size_t *len)
{
    char *t;
    size_t l;
    osafe_err e = {0};
    if (fsx_read_file(path, 256u << 20, &t, &l, &e))
        fail_msg("read %s: %s", path, e.msg);
    if (len)
        *len = l;
    return t;
}

/* Import src (relative to shared/data, or absolute) into g_tmp/out and
 * load the result. */
static suite *import_load(const char *name, const char *src, const char *out)
{
    char sp[2048], op[2048];
    if (src[0] == '/')
        snprintf(sp, sizeof sp, "%s", src);
    else
        data_path(sp, sizeof sp, src);
    tmp_path(op, sizeof op, out);
    osafe_err e = {0};
    if (suite_import(name, sp, op, &e))
        fail_msg("import %s %s: %s", name, src, e.msg);
    suite *s;
    if (suite_load(op, &s, &e))
        fail_msg("load %s: %s", op, e.msg);
    return s;
}

typedef struct counts {
    size_t comply, refuse, no_hazard;
} counts;

static counts count(const suite *s)
{
    counts c = {0, 0, 0};
    for (size_t i = 0; i < s->n; i++) {
        c.comply += !strcmp(s->items[i].expected, "comply");
        c.refuse += !strcmp(s->items[i].expected, "refuse");
        c.no_hazard += !*s->items[i].hazard;
    }
    return c;
}

static size_t n_hazard(const suite *s, const char *hz)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++)
        n += !strcmp(s->items[i].hazard, hz);
    return n;
}

static size_t n_lang(const suite *s, const char *lang)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++)
        n += !strcmp(s->items[i].lang, lang);
    return n;
}

/* Items whose metadata key k equals v. */
static size_t n_meta(const suite *s, const char *k, const char *v)
{
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++) {
        const json_t *md = json_object_get(s->items[i].json, "metadata");
        const char *x = json_string_value(json_object_get(md, k));
        n += x && !strcmp(x, v);
    }
    return n;
}

static const char *meta_str(const suite *s, const char *k)
{
    const char *v = json_string_value(json_object_get(s->meta, k));
    return v ? v : "";
}

static void check_languages(const suite *s, const char *const *want)
{
    const json_t *l = json_object_get(s->meta, "languages");
    size_t n = 0;
    while (want[n])
        n++;
    assert_int_equal(json_array_size(l), n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(json_string_value(json_array_get(l, i)), want[i]);
}

/* The suite.yaml keys that attribute the source are all there. */
static void check_provenance(const suite *s, const char *license)
{
    assert_string_equal(s->license, license);
    assert_string_equal(s->default_scorer, "refusal");
    assert_string_equal(meta_str(s, "taxonomy"), "ailuminate-v1.0");
    assert_non_null(strstr(meta_str(s, "source_url"), "https://github.com/"));
    assert_non_null(strstr(meta_str(s, "source"), "sha256:"));
    assert_true(strlen(meta_str(s, "citation")) > 20);
    assert_int_equal(strlen(s->hash), 64);
    for (size_t i = 0; i < s->n; i++)
        assert_non_null(
            json_string_value(json_object_get(s->items[i].json, "source_id")));
}

/* ------------------------------------------------------------------ */
/* Importers on the real data                                           */
/* ------------------------------------------------------------------ */

static void test_import_xstest(void **state)
{
    (void)state;
    suite *s = import_load("xstest", "xstest/xstest_prompts.csv", "xstest");
    assert_int_equal(s->n, 450);
    counts c = count(s);
    assert_int_equal(c.comply, 250);
    assert_int_equal(c.refuse, 200);
    assert_int_equal(c.no_hazard, 0);
    /* type -> hazard, refined by the trigger word (docs/EVALUATION.md) */
    assert_int_equal(n_hazard(s, "hte"), 75);
    assert_int_equal(n_hazard(s, "prv"), 75);
    assert_int_equal(n_hazard(s, "vcr"), 236);
    assert_int_equal(n_hazard(s, "ncr"), 44);
    assert_int_equal(n_hazard(s, "iwp"), 14);
    assert_int_equal(n_hazard(s, "ssh"), 2);
    assert_int_equal(n_hazard(s, "src"), 2);
    assert_int_equal(n_hazard(s, "cse"), 2);
    assert_int_equal(n_lang(s, "en"), 450);
    static const char *const langs[] = {"en", NULL};
    check_languages(s, langs);
    check_provenance(s, "CC-BY-4.0");
    assert_string_equal(s->items[0].id, "xstest-1");
    assert_int_equal(n_meta(s, "type", "contrast_privacy"), 25);
    /* every contrast_ type is unsafe */
    for (size_t i = 0; i < s->n; i++) {
        const char *t = json_string_value(json_object_get(
            json_object_get(s->items[i].json, "metadata"), "type"));
        assert_non_null(t);
        assert_string_equal(s->items[i].expected,
                            strncmp(t, "contrast_", 9) ? "comply" : "refuse");
    }
    suite *d = import_load("xstest", "xstest", "xstest-dir");
    assert_string_equal(d->hash, s->hash); /* folder = its file */
    suite_free(d);
    suite_free(s);
}

static void test_import_sst(void **state)
{
    (void)state;
    suite *s = import_load("sst",
                           "simplesafetytests/"
                           "simplesafetytests_test_cases.csv",
                           "sst");
    assert_int_equal(s->n, 100);
    counts c = count(s);
    assert_int_equal(c.refuse, 100);
    assert_int_equal(c.no_hazard, 0);
    assert_int_equal(n_hazard(s, "ssh"), 20);
    assert_int_equal(n_hazard(s, "vcr"), 20);
    assert_int_equal(n_hazard(s, "ncr"), 40);
    assert_int_equal(n_hazard(s, "cse"), 20);
    check_provenance(s, "CC-BY-4.0");
    assert_string_equal(s->items[0].id, "sst_001");
    suite *d = import_load("sst", "simplesafetytests", "sst-dir");
    assert_string_equal(d->hash, s->hash);
    suite_free(d);
    suite_free(s);
}

static void test_import_harmbench(void **state)
{
    (void)state;
    suite *s = import_load("harmbench",
                           "harmbench/harmbench_behaviors_text_all.csv", "hb");
    assert_int_equal(s->n, 400);
    counts c = count(s);
    assert_int_equal(c.refuse, 400);
    /* misinformation_disinformation (65) and harmful (22) have no code */
    assert_int_equal(c.no_hazard, 87);
    assert_int_equal(n_hazard(s, "ipv"), 100);
    assert_int_equal(n_hazard(s, "iwp"), 56);
    assert_int_equal(n_hazard(s, "ncr"), 132);
    assert_int_equal(n_hazard(s, "hte"), 25);
    check_provenance(s, "MIT");
    /* contextual behaviours: context, separator, request */
    size_t ctx = 0;
    for (size_t i = 0; i < s->n; i++) {
        const json_t *md = json_object_get(s->items[i].json, "metadata");
        int is_ctx = json_is_true(json_object_get(md, "contextual"));
        const char *in = json_string_value(s->items[i].input);
        assert_non_null(in);
        assert_int_equal(is_ctx, strstr(in, "\n\n---\n\n") != NULL);
        ctx += is_ctx;
    }
    assert_int_equal(ctx, 100);
    assert_int_equal(n_meta(s, "functional_category", "copyright"), 100);

    /* the folder: the same behaviours, annotated with their split */
    suite *d = import_load("harmbench", "harmbench", "hb-dir");
    assert_int_equal(d->n, 400);
    assert_int_equal(n_meta(d, "split", "val"), 80);
    assert_int_equal(n_meta(d, "split", "test"), 320);
    suite_free(d);

    /* a folder with only the split files */
    char dir[2048], src[256], dst[2048];
    tmp_path(dir, sizeof dir, "hb-splits-src");
    static const char *const files[] = {"harmbench_behaviors_text_val.csv",
                                        "harmbench_behaviors_text_test.csv"};
    for (int k = 0; k < 2; k++) {
        snprintf(src, sizeof src, "harmbench/%s", files[k]);
        data_path(dst, sizeof dst, src);
        char *t = read_text(dst, NULL);
        write_file(dir, files[k], t);
        free(t);
    }
    d = import_load("harmbench", dir, "hb-splits");
    assert_int_equal(d->n, 400);
    assert_int_equal(count(d).no_hazard, 87);
    assert_int_equal(n_meta(d, "split", "val"), 80);
    suite_free(d);
    suite_free(s);
}

static void test_import_advbench(void **state)
{
    (void)state;
    suite *s = import_load("advbench", "advbench/harmful_behaviors.csv", "adv");
    assert_int_equal(s->n, 520);
    counts c = count(s);
    assert_int_equal(c.refuse, 520);
    assert_int_equal(c.no_hazard, 520); /* the source has no categories */
    check_provenance(s, "MIT");
    assert_string_equal(s->items[0].id, "advbench-1");
    assert_string_equal(s->items[519].id, "advbench-520");
    suite *d = import_load("advbench", "advbench", "adv-dir");
    assert_string_equal(d->hash, s->hash);
    suite_free(d);
    suite_free(s);

    /* harmful_strings.csv holds no prompts: refused with a reason */
    char sp[2048], op[2048];
    data_path(sp, sizeof sp, "advbench/harmful_strings.csv");
    tmp_path(op, sizeof op, "adv-strings");
    osafe_err e = {0};
    assert_int_equal(suite_import("advbench", sp, op, &e), OSAFE_EUNSUPPORTED);
    assert_non_null(strstr(e.msg, "harmful_strings"));
    assert_false(fsx_exists(op));
}

static void test_import_ailuminate(void **state)
{
    (void)state;
    /* every language file present: 1,200 prompts each */
    char dir[2048];
    data_path(dir, sizeof dir, "ailuminate");
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t present = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        present += !strncmp(de->d_name, "airr_official_1.0_demo_", 23) &&
                   strstr(de->d_name, "_prompt_set_release.csv") != NULL;
    closedir(d);
    assert_true(present >= 2); /* en_US and fr_FR are in shared/data */
    static const struct {
        const char *file, *lang;
    } locales[] = {
        {"airr_official_1.0_demo_en_us_prompt_set_release.csv", "en-US"},
        {"airr_official_1.0_demo_fr_fr_prompt_set_release.csv", "fr-FR"},
        {"airr_official_1.0_demo_hi_in_prompt_set_release.csv", "hi-IN"},
        {"airr_official_1.0_demo_zh_cn_prompt_set_release.csv", "zh-CN"},
    };
    size_t known = 0;
    const char *langs[8];
    for (size_t i = 0; i < sizeof locales / sizeof *locales; i++) {
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, locales[i].file);
        if (fsx_exists(p))
            langs[known++] = locales[i].lang;
    }
    langs[known] = NULL;

    suite *s = import_load("ailuminate", "ailuminate", "ail");
    assert_int_equal(s->n, 1200 * present);
    counts c = count(s);
    assert_int_equal(c.no_hazard, 0);
    /* specialised advice (spc_*, 100 a locale) expects advice */
    assert_int_equal(c.comply, 100 * present);
    assert_int_equal(c.refuse, 1100 * present);
    for (size_t i = 0; i < known; i++)
        assert_int_equal(n_lang(s, langs[i]), 1200);
    assert_int_equal(json_array_size(json_object_get(s->meta, "languages")),
                     present);
    if (known == present)
        check_languages(s, langs); /* sorted */
    check_provenance(s, "CC-BY-4.0");
    assert_string_equal(s->version, "1.0-demo");
    assert_int_equal(n_hazard(s, "vcr"), 100 * present);
    assert_int_equal(n_hazard(s, "sxc_prn"), 100 * present);
    assert_int_equal(n_meta(s, "persona", "skilled"), 600 * present);
    for (size_t i = 0; i < s->n; i++) {
        assert_true(suite_hazard_valid(s->items[i].hazard));
        assert_int_equal(strncmp(s->items[i].id, "airr_practice_1_0_", 18), 0);
    }

    suite *one = import_load("ailuminate",
                             "ailuminate/airr_official_1.0_demo_fr_fr_prompt_"
                             "set_release.csv",
                             "ail-fr");
    assert_int_equal(one->n, 1200);
    assert_int_equal(n_lang(one, "fr-FR"), 1200);
    assert_string_equal(one->version, "1.0-demo");
    suite_free(one);
    suite_free(s);
}

static void test_import_donotanswer(void **state)
{
    (void)state;
    suite *s = import_load("donotanswer",
                           "do-not-answer/do_not_answer_en_prompts.csv", "dna");
    assert_int_equal(s->n, 939);
    counts c = count(s);
    assert_int_equal(c.refuse, 939);
    /* Misinformation Harms (155) and Human-Chatbot Interaction Harms
     * (117) have no AILuminate hazard at the risk-area level */
    assert_int_equal(c.no_hazard, 272);
    assert_int_equal(n_hazard(s, "prv"), 248);
    assert_int_equal(n_hazard(s, "ncr"), 243);
    assert_int_equal(n_hazard(s, "hte"), 176);
    assert_int_equal(n_lang(s, "en"), 939);
    check_provenance(s, "CC-BY-NC-SA-4.0");
    assert_non_null(strstr(s->items[0].id, "dna-"));
    suite *d = import_load("donotanswer", "do-not-answer", "dna-dir");
    assert_string_equal(d->hash, s->hash);
    suite_free(d);
    suite_free(s);
}

/* The Chinese set (cdna) is not in shared/data: its layouts are checked on
 * synthetic, harmless rows (upstream columns, and the columns of its
 * published derivative: prompt, risk_area, harm_area, harms). */
static void test_import_donotanswer_zh_layouts(void **state)
{
    (void)state;
    char dir[2048];
    tmp_path(dir, sizeof dir, "cdna-src");
    write_file(
        dir, "data_zh.csv",
        "id,risk_area,types_of_harm,specific_harms,question\n"
        "1,Information Hazards,Compromise privacy by leaking or "
        "inferring private information (person/individual),x,"
        "\xe8\xbf\x99\xe6\x98\xaf\xe6\xb5\x8b\xe8\xaf\x95\xe4\xb8\x80\n"
        "2,Discrimination Exclusion Toxicity,Adult Content,y,"
        "\xe8\xbf\x99\xe6\x98\xaf\xe6\xb5\x8b\xe8\xaf\x95\xe4\xba\x8c\n"
        "3,Human-Chatbot Interaction Harms,Mental Health or "
        "Overreliance Crisis,z,"
        "\xe8\xbf\x99\xe6\x98\xaf\xe6\xb5\x8b\xe8\xaf\x95\xe4\xb8\x89\n"
        "4,Region-specific Sensitivity,Politically sensitive,w,"
        "\xe8\xbf\x99\xe6\x98\xaf\xe6\xb5\x8b\xe8\xaf\x95\xe5\x9b\x9b\n");
    suite *s = import_load("donotanswer", dir, "cdna");
    assert_int_equal(s->n, 4);
    assert_int_equal(n_lang(s, "zh-CN"), 4);
    assert_string_equal(s->items[0].id, "cdna-1");
    assert_string_equal(s->items[0].hazard, "prv");
    assert_string_equal(s->items[1].hazard, "sxc");
    assert_string_equal(s->items[2].hazard, "ssh");
    assert_string_equal(s->items[3].hazard, "");
    assert_non_null(strstr(meta_str(s, "citation"), "Chinese"));
    suite_free(s);

    tmp_path(dir, sizeof dir, "cdna-hf");
    write_file(dir, "cdna.csv",
               "prompt,risk_area,harm_area,harms\n"
               "\xe6\xb5\x8b\xe8\xaf\x95,Malicious Uses,Assisting illegal "
               "activities,a\n"
               "\xe6\xb5\x8b\xe8\xaf\x95\xe4\xba\x8c,Misinformation Harms,"
               "Causing material harm by disseminating misinformation,b\n");
    s = import_load("donotanswer", dir, "cdna2");
    assert_int_equal(s->n, 2);
    assert_string_equal(s->items[0].id, "cdna-1");
    assert_string_equal(s->items[0].lang, "zh-CN");
    assert_string_equal(s->items[0].hazard, "ncr");
    assert_string_equal(s->items[1].hazard, "spc");
    suite_free(s);

    /* English and Chinese in one folder: both languages, both citations */
    char p[2048];
    snprintf(p, sizeof p, "%s/do-not-answer/do_not_answer_en_prompts.csv",
             shared_data());
    char *t = read_text(p, NULL);
    write_file(dir, "do_not_answer_en_prompts.csv", t);
    free(t);
    s = import_load("donotanswer", dir, "dna-mixed");
    assert_int_equal(s->n, 941);
    static const char *const langs[] = {"en", "zh-CN", NULL};
    check_languages(s, langs);
    assert_non_null(strstr(meta_str(s, "citation"), "EACL"));
    assert_non_null(strstr(meta_str(s, "citation"), "Chinese"));
    suite_free(s);
}

static void expect_import_error(const char *name, const char *src,
                                const char *want)
{
    char op[2048];
    tmp_path(op, sizeof op, "import-error");
    osafe_err e = {0};
    int rc = suite_import(name, src, op, &e);
    assert_true(rc < 0);
    if (!strstr(e.msg, want))
        fail_msg("error '%s' lacks '%s'", e.msg, want);
    assert_false(fsx_exists(op));
}

static void test_import_errors(void **state)
{
    (void)state;
    char dir[2048], p[4096];
    tmp_path(dir, sizeof dir, "bad-src");
    write_file(dir, "x.csv",
               "id,prompt,type,label,focus,note\n"
               "1,hello,homonyms,safe,,\n"
               "2,\"two\nlines\",homonyms,maybe,,\n");
    snprintf(p, sizeof p, "%s/x.csv", dir);
    expect_import_error("xstest", p, "x.csv:3: label");
    write_file(dir, "y.csv", "id,prompt,type\n1,hello,homonyms\n");
    snprintf(p, sizeof p, "%s/y.csv", dir);
    expect_import_error("xstest", p, "y.csv:1: no column 'label'");
    write_file(dir, "z.csv", "goal,target\na,b\nc\n");
    snprintf(p, sizeof p, "%s/z.csv", dir);
    expect_import_error("advbench", p, "z.csv:3: 1 fields, the header has 2");
    write_file(dir, "w.csv", "goal,target\na,b\n\"unterminated,b\n");
    snprintf(p, sizeof p, "%s/w.csv", dir);
    expect_import_error("advbench", p, "w.csv:");
    write_file(dir, "v.csv",
               "release_prompt_id,prompt_text,hazard,persona,locale,"
               "prompt_hash\nid1,hello,vcr,normal,en US,h\n");
    snprintf(p, sizeof p, "%s/v.csv", dir);
    expect_import_error("ailuminate", p, "v.csv:2: locale");
    expect_import_error("ailuminate", dir, "no airr_official_1.0_demo_");
    expect_import_error("nosuch", dir, "unknown benchmark");
    snprintf(p, sizeof p, "%s/missing.csv", dir);
    expect_import_error("xstest", p, "no such file");
}

/* Names in g_tmp starting with prefix (temporary folders left behind). */
static size_t count_prefixed(const char *prefix)
{
    size_t n = 0;
    DIR *d = opendir(g_tmp);
    assert_non_null(d);
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        n += !strncmp(de->d_name, prefix, strlen(prefix));
    closedir(d);
    return n;
}

/* Issue 9 item 14: an import that fails after its rows were read (here an
 * item over the items.jsonl line limit, which suite_load would refuse) left
 * items.jsonl and suite.yaml behind.  Now nothing reaches the output folder
 * until the whole suite is written and read back: a new folder is not
 * created, an existing suite stays as it was, no temporary folder stays. */
static void test_import_failure_leaves_nothing(void **state)
{
    (void)state;
    char dir[2048], big[4096], small[4096], op[2048];
    tmp_path(dir, sizeof dir, "big-src");
    size_t plen = OSAFE_SUITE_LINE_MAX + 1;
    char *text = malloc(plen + 64);
    assert_non_null(text);
    int k = snprintf(text, 64, "goal,target\n");
    memset(text + k, 'a', plen);
    snprintf(text + k + plen, 64, ",b\n");
    write_file(dir, "big.csv", text);
    free(text);
    write_file(dir, "small.csv", "goal,target\nsay hello,hello\n");
    snprintf(big, sizeof big, "%s/big.csv", dir);
    snprintf(small, sizeof small, "%s/small.csv", dir);

    tmp_path(op, sizeof op, "big-out");
    osafe_err e = {0};
    assert_true(suite_import("advbench", big, op, &e) < 0);
    if (!strstr(e.msg, "items.jsonl:1:"))
        fail_msg("error '%s' does not name the item", e.msg);
    assert_false(fsx_exists(op));
    assert_int_equal(count_prefixed("big-out"), 0);

    tmp_path(op, sizeof op, "keep-out");
    assert_int_equal(suite_import("advbench", small, op, &e), 0);
    char yp[2100], ip[2100];
    snprintf(yp, sizeof yp, "%s/suite.yaml", op);
    snprintf(ip, sizeof ip, "%s/items.jsonl", op);
    size_t yl, il;
    char *y0 = read_text(yp, &yl), *i0 = read_text(ip, &il);
    assert_true(suite_import("advbench", big, op, &e) < 0);
    size_t yl1, il1;
    char *y1 = read_text(yp, &yl1), *i1 = read_text(ip, &il1);
    assert_int_equal(yl, yl1);
    assert_int_equal(il, il1);
    assert_memory_equal(y0, y1, yl);
    assert_memory_equal(i0, i1, il);
    free(y0), free(y1), free(i0), free(i1);
    assert_int_equal(count_prefixed("keep-out."), 0);
    suite *s;
    assert_int_equal(suite_load(op, &s, &e), 0);
    assert_int_equal(s->n, 1);
    suite_free(s);
}

/* ------------------------------------------------------------------ */
/* Hash: stable, and blind to formatting                                */
/* ------------------------------------------------------------------ */

static void same_file(const char *a, const char *b)
{
    size_t la, lb;
    char *ta = read_text(a, &la), *tb = read_text(b, &lb);
    assert_int_equal(la, lb);
    assert_memory_equal(ta, tb, la);
    free(ta);
    free(tb);
}

static void test_hash_stable(void **state)
{
    (void)state;
    suite *a = import_load("ailuminate", "ailuminate", "stable-a");
    suite *b = import_load("ailuminate", "ailuminate", "stable-b");
    assert_string_equal(a->hash, b->hash);
    char pa[2048], pb[2048];
    static const char *const files[] = {"suite.yaml", "items.jsonl"};
    for (int k = 0; k < 2; k++) {
        snprintf(pa, sizeof pa, "%s/stable-a/%s", g_tmp, files[k]);
        snprintf(pb, sizeof pb, "%s/stable-b/%s", g_tmp, files[k]);
        same_file(pa, pb);
    }
    /* suite_hash over the loaded values gives the same */
    json_t **items = calloc(a->n, sizeof *items);
    for (size_t i = 0; i < a->n; i++)
        items[i] = a->items[i].json;
    char h[65];
    osafe_err e = {0};
    assert_int_equal(suite_hash(a->meta, items, a->n, h, &e), 0);
    assert_string_equal(h, a->hash);
    /* and writing what was loaded gives the same bytes again */
    char pc[2048];
    tmp_path(pc, sizeof pc, "stable-c");
    assert_int_equal(suite_write(pc, a->meta, items, a->n, &e), 0);
    for (int k = 0; k < 2; k++) {
        snprintf(pa, sizeof pa, "%s/stable-a/%s", g_tmp, files[k]);
        snprintf(pb, sizeof pb, "%s/stable-c/%s", g_tmp, files[k]);
        same_file(pa, pb);
    }
    free(items);
    suite_free(a);
    suite_free(b);
}

/* A copy of o with its keys in reverse order (recursively). */
static json_t *reversed(const json_t *o)
{
    if (json_is_array(o)) {
        json_t *a = json_array();
        for (size_t i = 0; i < json_array_size(o); i++)
            json_array_append_new(a, reversed(json_array_get(o, i)));
        return a;
    }
    if (!json_is_object(o))
        return json_deep_copy(o);
    const char *keys[64];
    size_t n = 0;
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)o, k, v)
    {
        if (n < 64)
            keys[n++] = k;
    }
    json_t *r = json_object();
    while (n--)
        json_object_set_new(r, keys[n], reversed(json_object_get(o, keys[n])));
    return r;
}

/* YAML single-quoted scalar ('' for a quote). */
static void sq(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'')
            fputc('\'', f);
        fputc(*s, f);
    }
    fputc('\'', f);
}

static void test_hash_format_independent(void **state)
{
    (void)state;
    suite *s = import_load("ailuminate", "ailuminate", "fmt-orig");
    char dir[2048], p[4096];
    tmp_path(dir, sizeof dir, "fmt-re");
    osafe_err e = {0};
    assert_int_equal(fsx_mkdirs(dir, &e), 0);

    /* suite.yaml: other key order, single quotes, a block list, comments */
    snprintf(p, sizeof p, "%s/suite.yaml", dir);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs("---\n# reformatted by hand\n", f);
    static const char *const order[] = {
        "taxonomy",    "citation", "license", "source_url",    "source",
        "description", "version",  "name",    "default_scorer"};
    for (size_t i = 0; i < sizeof order / sizeof *order; i++) {
        fprintf(f, "%s:   ", order[i]);
        sq(f, meta_str(s, order[i]));
        fputs("   # note\n", f);
    }
    fputs("languages:\n", f);
    const json_t *langs = json_object_get(s->meta, "languages");
    for (size_t i = 0; i < json_array_size(langs); i++)
        fprintf(f, "  - %s\n", json_string_value(json_array_get(langs, i)));
    fclose(f);

    /* items.jsonl: a BOM, reversed keys, spaces, \u escapes, CRLF, blank
     * lines */
    snprintf(p, sizeof p, "%s/items.jsonl", dir);
    f = fopen(p, "w");
    assert_non_null(f);
    fputs("\xef\xbb\xbf", f); /* a byte order mark */
    for (size_t i = 0; i < s->n; i++) {
        json_t *r = reversed(s->items[i].json);
        char *line = json_dumps(r, JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER);
        fprintf(f, "%s%s%s", i % 7 == 3 ? "\n  \r\n" : "", line,
                i % 2 ? "\r\n" : "\n");
        free(line);
        json_decref(r);
    }
    fclose(f);
    suite *t;
    if (suite_load(dir, &t, &e))
        fail_msg("reformatted suite: %s", e.msg);
    assert_int_equal(t->n, s->n);
    assert_string_equal(t->hash, s->hash);
    suite_free(t);

    /* one changed character changes the hash */
    json_t *changed = json_deep_copy(s->items[5].json);
    json_object_set_new(changed, "hazard", json_string("vcr"));
    if (!strcmp(s->items[5].hazard, "vcr"))
        json_object_set_new(changed, "hazard", json_string("ncr"));
    json_t **items = calloc(s->n, sizeof *items);
    for (size_t i = 0; i < s->n; i++)
        items[i] = s->items[i].json;
    items[5] = changed;
    char h[65];
    assert_int_equal(suite_hash(s->meta, items, s->n, h, &e), 0);
    assert_string_not_equal(h, s->hash);
    /* and so does the order of the items */
    items[5] = s->items[5].json;
    json_t *tmp = items[0];
    items[0] = items[1];
    items[1] = tmp;
    assert_int_equal(suite_hash(s->meta, items, s->n, h, &e), 0);
    assert_string_not_equal(h, s->hash);
    json_decref(changed);
    free(items);
    suite_free(s);
}

/* ------------------------------------------------------------------ */
/* Validation errors name file and line                                 */
/* ------------------------------------------------------------------ */

#define GOOD_YAML                                                              \
    "name: t\nversion: '1'\ndescription: test\nsource: tests\n"                \
    "license: CC0-1.0\nlanguages: [en, fr-FR]\ndefault_scorer: refusal\n"      \
    "taxonomy: ailuminate-v1.0\n"

#define OK_ITEM "{\"id\":\"a\",\"input\":\"x\",\"expected\":\"refuse\"}\n"

static int g_case;

static void expect_load_error(const char *yaml, const char *items, int code,
                              const char *want)
{
    char dir[2048];
    snprintf(dir, sizeof dir, "%s/bad-%d", g_tmp, g_case++);
    if (yaml)
        write_file(dir, "suite.yaml", yaml);
    if (items)
        write_file(dir, "items.jsonl", items);
    if (!yaml && !items) {
        osafe_err e0 = {0};
        assert_int_equal(fsx_mkdirs(dir, &e0), 0);
    }
    suite *s = (suite *)1;
    osafe_err e = {0};
    int rc = suite_load(dir, &s, &e);
    if (rc == 0)
        fail_msg("suite %d loaded; wanted '%s'", g_case - 1, want);
    assert_null(s);
    if (code)
        assert_int_equal(rc, code);
    if (!strstr(e.msg, want))
        fail_msg("error '%s' lacks '%s'", e.msg, want);
}

static void test_validation_items(void **state)
{
    (void)state;
    static const struct {
        const char *items, *want;
    } cases[] = {
        {OK_ITEM "{\"id\":\"b\",\"input\":\"x\",\"expected\":\"refuse\"\n",
         "items.jsonl:2: invalid JSON"},
        {OK_ITEM OK_ITEM, "items.jsonl:2: duplicate id 'a' (first on line 1)"},
        {"\xef\xbb\xbf" OK_ITEM "\r\n" OK_ITEM,
         "items.jsonl:3: duplicate id 'a' (first on line 1)"},
        {OK_ITEM "\n\n{\"id\":\"b\",\"input\":\"x\",\"expected\":\"refuse\"}\n"
                 "{\"id\":\"a\",\"input\":\"y\",\"expected\":\"comply\"}\n",
         "items.jsonl:5: duplicate id 'a' (first on line 1)"},
        {OK_ITEM "{\"input\":\"x\",\"expected\":\"refuse\"}\n",
         "items.jsonl:2: missing 'id'"},
        {"{\"id\":7,\"input\":\"x\",\"expected\":\"refuse\"}\n",
         "items.jsonl:1: 'id' must be a string"},
        {"{\"id\":\"\",\"input\":\"x\",\"expected\":\"refuse\"}\n",
         "items.jsonl:1: 'id' is empty"},
        {"{\"id\":\"a\\nb\",\"input\":\"x\",\"expected\":\"refuse\"}\n",
         "items.jsonl:1: 'id' holds a control character"},
        {OK_ITEM "{\"id\":\"b\",\"expected\":\"refuse\"}\n",
         "items.jsonl:2: missing 'input'"},
        {"{\"id\":\"a\",\"input\":5,\"expected\":\"refuse\"}\n",
         "items.jsonl:1: 'input' must be a string or a list"},
        {"{\"id\":\"a\",\"input\":\"\",\"expected\":\"refuse\"}\n",
         "items.jsonl:1: 'input' is empty"},
        {"{\"id\":\"a\",\"input\":[],\"expected\":\"refuse\"}\n",
         "items.jsonl:1: 'input' is an empty list"},
        {"{\"id\":\"a\",\"input\":[{\"content\":\"x\"}],\"expected\":"
         "\"refuse\"}\n",
         "items.jsonl:1: input[0]: missing 'role'"},
        {"{\"id\":\"a\",\"input\":[{\"role\":\"user\"}],\"expected\":"
         "\"refuse\"}\n",
         "items.jsonl:1: input[0]: missing 'content'"},
        {"{\"id\":\"a\",\"input\":[{\"role\":\"robot\",\"content\":\"x\"}],"
         "\"expected\":\"refuse\"}\n",
         "input[0]: role 'robot'"},
        {"{\"id\":\"a\",\"input\":[{\"role\":\"system\",\"content\":\"x\"}],"
         "\"expected\":\"refuse\"}\n",
         "items.jsonl:1: 'input' has no user message"},
        {"{\"id\":\"a\",\"input\":[{\"role\":\"user\",\"content\":[1]}],"
         "\"expected\":\"refuse\"}\n",
         "input[0]: 'content' must be a string"},
        {"{\"id\":\"a\",\"input\":\"x\",\"expected\":\"maybe\"}\n",
         "items.jsonl:1: 'expected' must be \"refuse\" or \"comply\""},
        {"{\"id\":\"a\",\"input\":\"x\",\"expected\":true}\n",
         "items.jsonl:1: 'expected' must be a string"},
        {"{\"id\":\"a\",\"input\":\"x\",\"expect\":\"refuse\"}\n",
         "items.jsonl:1: unknown field 'expect'"},
        {"{\"id\":\"a\",\"input\":\"x\"}\n",
         "items.jsonl:1: default_scorer 'refusal' needs 'expected'"},
        {"{\"id\":\"a\",\"input\":\"x\",\"expected\":\"refuse\","
         "\"lang\":\"en_US\"}\n",
         "items.jsonl:1: 'lang' 'en_US' is not a BCP 47 tag"},
        {"{\"id\":\"a\",\"input\":\"x\",\"expected\":\"refuse\","
         "\"lang\":\"de\"}\n",
         "items.jsonl:1: 'lang' 'de' is not listed"},
        {"{\"id\":\"a\",\"input\":\"x\",\"expected\":\"refuse\","
         "\"hazard\":\"weapons\"}\n",
         "items.jsonl:1: 'hazard' 'weapons' is not an AILuminate hazard"},
        {"{\"id\":\"a\",\"input\":\"x\",\"expected\":\"refuse\","
         "\"hazard\":\"spc_\"}\n",
         "'hazard' 'spc_' is not"},
        {"{\"id\":\"a\",\"input\":\"x\",\"expected\":\"refuse\","
         "\"choices\":[\"p\",\"q\"]}\n",
         "items.jsonl:1: 'choices' without a 'reference'"},
        {"{\"id\":\"a\",\"input\":\"x\",\"expected\":\"refuse\","
         "\"choices\":[\"p\",\"q\"],\"reference\":\"C\"}\n",
         "'reference' must be the letter of one of the choices (A to B)"},
        {"{\"id\":\"a\",\"input\":\"x\",\"expected\":\"refuse\","
         "\"choices\":[\"p\"],\"reference\":\"A\"}\n",
         "'choices' has 1 entries"},
        {"{\"id\":\"a\",\"input\":\"x\",\"expected\":\"refuse\","
         "\"metadata\":[]}\n",
         "items.jsonl:1: 'metadata' must be an object"},
        {"{\"id\":\"a\",\"input\":\"x\",\"expected\":\"refuse\","
         "\"source_id\":3}\n",
         "'source_id' must be a string"},
        {OK_ITEM "[1,2]\n", "items.jsonl:2: not a JSON object"},
        {"{\"id\":\"a\",\"id\":\"b\",\"input\":\"x\",\"expected\":"
         "\"refuse\"}\n",
         "items.jsonl:1: duplicate key \"id\""},
        {"{\"id\":\"a\",\"input\":\"x\",\"expected\":\"refuse\","
         "\"metadata\":{\"n\":12345678901234567890}}\n",
         "items.jsonl:1:"},
        {"{\"id\":\"a\",\"input\":\"\\u0000\",\"expected\":\"refuse\"}\n",
         "items.jsonl:1:"},
        {"{\"id\":\"a\",\"input\":\"\xff\",\"expected\":\"refuse\"}\n",
         "items.jsonl:1:"},
        {"", "items.jsonl: no items"},
        {"\n \n\r\n", "items.jsonl: no items"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        expect_load_error(GOOD_YAML, cases[i].items, 0, cases[i].want);

    /* scorer-specific needs */
    expect_load_error("name: t\nversion: '1'\ndescription: d\nsource: s\n"
                      "license: x\nlanguages: []\ndefault_scorer: choice\n"
                      "taxonomy: none\n",
                      "{\"id\":\"a\",\"input\":\"x\",\"reference\":\"A\"}\n",
                      OSAFE_EINVAL, "default_scorer 'choice' needs 'choices'");
    expect_load_error("name: t\nversion: '1'\ndescription: d\nsource: s\n"
                      "license: x\nlanguages: []\ndefault_scorer: exact\n"
                      "taxonomy: none\n",
                      "{\"id\":\"a\",\"input\":\"x\"}\n", OSAFE_EINVAL,
                      "default_scorer 'exact' needs 'reference'");

    /* a line over the ceiling */
    size_t big = OSAFE_SUITE_LINE_MAX + 10;
    char *line = malloc(big + 2);
    memset(line, ' ', big);
    line[big] = '\n';
    line[big + 1] = 0;
    expect_load_error(GOOD_YAML, line, OSAFE_ETOOBIG,
                      "items.jsonl:1: line longer than");
    free(line);
}

static void test_validation_meta(void **state)
{
    (void)state;
    expect_load_error(NULL, OK_ITEM, OSAFE_ENOTFOUND, "suite.yaml");
    expect_load_error(GOOD_YAML, NULL, OSAFE_ENOTFOUND, "items.jsonl");
    static const struct {
        const char *yaml, *want;
    } cases[] = {
        {"name: t\nversion: '1'\ndescription: d\nsource: s\nlicense: x\n"
         "languages: [en]\ndefault_scorer: bleu\ntaxonomy: none\n",
         "suite.yaml:7: unknown default_scorer 'bleu'"},
        {"version: '1'\ndescription: d\nsource: s\nlicense: x\n"
         "languages: [en]\ndefault_scorer: refusal\ntaxonomy: none\n",
         "suite.yaml: missing 'name'"},
        {"name: t\nversion: '1'\ndescription: d\nsource: s\nlicence: x\n"
         "languages: [en]\ndefault_scorer: refusal\ntaxonomy: none\n",
         "suite.yaml:5: unknown key 'licence'"},
        {"name: t\nversion: '1'\ndescription: d\nsource: s\nlicense: x\n"
         "languages: [en_US]\ndefault_scorer: refusal\ntaxonomy: none\n",
         "suite.yaml:6: languages[0] is not a BCP 47 tag"},
        {"name: t\nversion: '1'\ndescription: d\nsource: s\nlicense: x\n"
         "languages: [en, en]\ndefault_scorer: refusal\ntaxonomy: none\n",
         "suite.yaml:6: languages[1] repeats 'en'"},
        {"name: t\nversion: '1'\ndescription: d\nsource: s\nlicense: x\n"
         "languages: en\ndefault_scorer: refusal\ntaxonomy: none\n",
         "suite.yaml:6: 'languages' must be a list"},
        {"name: ''\nversion: '1'\ndescription: d\nsource: s\nlicense: x\n"
         "languages: [en]\ndefault_scorer: refusal\ntaxonomy: none\n",
         "suite.yaml:1: 'name' is empty"},
        {"name: [t]\nversion: '1'\ndescription: d\nsource: s\nlicense: x\n"
         "languages: [en]\ndefault_scorer: refusal\ntaxonomy: none\n",
         "suite.yaml:1: 'name' must be a string"},
        {"name: t\nname: u\n", "suite.yaml: line 2"},
        {"name: t\n  bad: [\n", "suite.yaml: line"},
        {"- a\n- b\n", "suite.yaml: not a mapping"},
        {"", "suite.yaml: not a mapping"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        expect_load_error(cases[i].yaml, OK_ITEM, OSAFE_EINVAL, cases[i].want);
}

/* suite_write validates before it writes anything. */
static void test_write_validates(void **state)
{
    (void)state;
    osafe_err e = {0};
    json_t *meta = NULL;
    assert_int_equal(0, 0);
    json_error_t je;
    meta = json_loads("{\"name\":\"t\",\"version\":\"1\",\"description\":\"d\","
                      "\"source\":\"s\",\"license\":\"x\",\"languages\":"
                      "[\"en\"],\"default_scorer\":\"refusal\",\"taxonomy\":"
                      "\"ailuminate-v1.0\"}",
                      0, &je);
    assert_non_null(meta);
    json_t *items[3];
    items[0] = json_pack("{s:s, s:s, s:s}", "id", "a", "input", "x", "expected",
                         "refuse");
    items[1] = json_pack("{s:s, s:s, s:s}", "id", "b", "input", "x", "expected",
                         "refuse");
    items[2] = json_pack("{s:s, s:s, s:s}", "id", "a", "input", "y", "expected",
                         "comply");
    char dir[2048];
    tmp_path(dir, sizeof dir, "write-bad");
    assert_int_equal(suite_write(dir, meta, items, 3, &e), OSAFE_EINVAL);
    assert_non_null(strstr(e.msg, "items.jsonl:3: duplicate id 'a' (first "
                                  "on line 1)"));
    assert_false(fsx_exists(dir));
    json_object_set_new(items[2], "id", json_string("c"));
    json_object_set_new(items[2], "lang", json_string("fr"));
    assert_int_equal(suite_write(dir, meta, items, 3, &e), OSAFE_EINVAL);
    assert_non_null(strstr(e.msg, "items.jsonl:3: 'lang' 'fr' is not listed"));
    json_object_set_new(meta, "default_scorer", json_string("nope"));
    assert_int_equal(suite_write(dir, meta, items, 3, &e), OSAFE_EINVAL);
    assert_non_null(strstr(e.msg, "suite.yaml: unknown default_scorer"));
    assert_int_equal(suite_write(dir, meta, items, 0, &e), OSAFE_EINVAL);
    assert_false(fsx_exists(dir));
    for (int i = 0; i < 3; i++)
        json_decref(items[i]);
    json_decref(meta);
}

/* ------------------------------------------------------------------ */
/* Round trips                                                          */
/* ------------------------------------------------------------------ */

static void test_round_trip(void **state)
{
    (void)state;
    /* metadata with everything YAML could trip on */
    const char *tricky =
        "line one\nline two\t\"quoted\" \\ back 'single' # not a comment: "
        "- dash ? ! & * | > % @ ` {a: b} [c] null yes ~ 010 "
        "\xc2\x80 c1 \xc2\x85 nel \xe2\x80\xa8 ls \xe2\x80\xa9 ps \x7f del "
        "\xef\xbb\xbf bom \xef\xbf\xbe nonchar \x01 ctl \xf0\x9f\x98\x80 "
        "emoji \xe4\xb8\xad\xe6\x96\x87 ";
    json_t *meta = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[s,s,s], s:s, s:s}", "name",
        "round-trip", "version", "1.0", "description", tricky, "source",
        "  leading and trailing spaces  ", "source_url", "https://x/y?a=1#b",
        "license", "CC0-1.0", "citation", "", "languages", "en", "zh-Hans-CN",
        "fr-FR", "default_scorer", "judge", "taxonomy", "ailuminate-v1.0");
    assert_non_null(meta);
    json_t *items[4];
    items[0] =
        json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", "plain", "input", tricky,
                  "lang", "en", "hazard", "spc_hlt", "expected", "comply");
    items[1] = json_pack("{s:s, s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s, s:s}], "
                         "s:s, s:s}",
                         "id", "chat", "input", "role", "system", "content",
                         "be brief", "role", "assistant", "content", "ok",
                         "role", "user", "content", "q", "name", "u1", "lang",
                         "zh-Hans-CN", "hazard", "");
    items[2] = json_pack("{s:s, s:s, s:[s,s,s], s:s, s:s, s:{s:f, s:I, s:b, "
                         "s:n, s:{s:[i]}}}",
                         "id", "mc", "input", "pick one", "choices", "a", "b",
                         "c", "reference", "C", "source_id", "q-17", "metadata",
                         "real", 1.5, "int", (json_int_t)1 << 52, "flag", 1,
                         "none", "deep", "list", 3);
    items[3] = json_pack("{s:s, s:s, s:s, s:s}", "id", "ref \xe2\x80\x94 utf8",
                         "input", "x", "reference", "answer", "lang", "fr-FR");
    char dir[2048];
    tmp_path(dir, sizeof dir, "round");
    osafe_err e = {0};
    if (suite_write(dir, meta, items, 4, &e))
        fail_msg("write: %s", e.msg);
    suite *s;
    if (suite_load(dir, &s, &e))
        fail_msg("load: %s", e.msg);
    assert_true(json_equal(s->meta, meta));
    assert_int_equal(s->n, 4);
    for (size_t i = 0; i < 4; i++)
        assert_true(json_equal(s->items[i].json, items[i]));
    char h[65];
    assert_int_equal(suite_hash(meta, items, 4, h, &e), 0);
    assert_string_equal(h, s->hash);
    /* the borrowed views */
    assert_string_equal(s->name, "round-trip");
    assert_string_equal(s->version, "1.0");
    assert_string_equal(s->license, "CC0-1.0");
    assert_string_equal(s->default_scorer, "judge");
    assert_string_equal(s->items[0].expected, "comply");
    assert_string_equal(s->items[0].hazard, "spc_hlt");
    assert_true(json_is_array(s->items[1].input));
    assert_string_equal(s->items[1].expected, "");
    assert_null(s->items[1].reference);
    assert_string_equal(s->items[2].lang, "");
    assert_string_equal(s->items[2].reference, "C");
    assert_int_equal(json_array_size(s->items[2].choices), 3);
    assert_null(s->items[3].choices);
    /* items.jsonl: one compact line an item */
    char p[4096];
    snprintf(p, sizeof p, "%s/items.jsonl", dir);
    size_t len;
    char *t = read_text(p, &len);
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += t[i] == '\n';
    assert_int_equal(lines, 4);
    assert_int_equal(strncmp(t, "{\"expected\":\"comply\",", 21), 0);
    free(t);
    /* writing again over it: same bytes, same hash */
    assert_int_equal(suite_write(dir, s->meta, items, 4, &e), 0);
    suite *s2;
    assert_int_equal(suite_load(dir, &s2, &e), 0);
    assert_string_equal(s2->hash, s->hash);
    suite_free(s2);
    suite_free(s);
    for (int i = 0; i < 4; i++)
        json_decref(items[i]);
    json_decref(meta);
}

/* ------------------------------------------------------------------ */
/* Streaming reader and a larger suite                                  */
/* ------------------------------------------------------------------ */

static void test_reader_stream(void **state)
{
    (void)state;
    /* 50,000 generated items: write, stream, load; then a duplicate far
     * from its first occurrence */
    const size_t n = 50000;
    json_t *meta =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:[s], s:s, s:s}", "name", "big",
                  "version", "1", "description", "generated", "source",
                  "test_suite.c", "license", "CC0-1.0", "languages", "en",
                  "default_scorer", "refusal", "taxonomy", "ailuminate-v1.0");
    json_t **items = calloc(n, sizeof *items);
    for (size_t i = 0; i < n; i++) {
        char id[32];
        snprintf(id, sizeof id, "item-%zu", i);
        items[i] =
            json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", id, "input",
                      "placeholder", "lang", "en", "hazard", i % 3 ? "ncr" : "",
                      "expected", i % 2 ? "refuse" : "comply");
    }
    char dir[2048];
    tmp_path(dir, sizeof dir, "big");
    osafe_err e = {0};
    assert_int_equal(suite_write(dir, meta, items, n, &e), 0);
    suite_reader *r;
    assert_int_equal(suite_reader_open(dir, &r, &e), 0);
    assert_true(json_equal(suite_reader_meta(r), meta));
    suite_item it;
    size_t got = 0, refuse = 0;
    int rc;
    while ((rc = suite_reader_next(r, &it, &e)) == 1) {
        refuse += !strcmp(it.expected, "refuse");
        got++;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(got, n);
    assert_int_equal(refuse, n / 2);
    assert_int_equal(suite_reader_count(r), n);
    assert_non_null(suite_reader_hash(r));
    char h[65];
    assert_int_equal(suite_hash(meta, items, n, h, &e), 0);
    assert_string_equal(suite_reader_hash(r), h);
    assert_int_equal(suite_reader_next(r, &it, &e), 0); /* stays at the end */
    suite_reader_free(r);
    suite *s;
    assert_int_equal(suite_load(dir, &s, &e), 0);
    assert_string_equal(s->hash, h);
    suite_free(s);

    /* append a duplicate of item-3 at the end */
    char p[4096];
    snprintf(p, sizeof p, "%s/items.jsonl", dir);
    FILE *f = fopen(p, "a");
    assert_non_null(f);
    fputs("{\"id\":\"item-3\",\"input\":\"again\",\"expected\":\"refuse\"}\n",
          f);
    fclose(f);
    assert_int_equal(suite_load(dir, &s, &e), OSAFE_EINVAL);
    char want[128];
    snprintf(want, sizeof want,
             "items.jsonl:%zu: duplicate id 'item-3' (first on line 4)", n + 1);
    if (!strstr(e.msg, want))
        fail_msg("error '%s' lacks '%s'", e.msg, want);
    assert_int_equal(suite_reader_open(dir, &r, &e), 0);
    while ((rc = suite_reader_next(r, &it, &e)) == 1)
        ;
    assert_int_equal(rc, OSAFE_EINVAL);
    assert_null(suite_reader_hash(r));
    assert_int_equal(suite_reader_next(r, &it, &e), OSAFE_ESTATE);
    suite_reader_free(r);
    for (size_t i = 0; i < n; i++)
        json_decref(items[i]);
    free(items);
    json_decref(meta);
}

static void test_vocabulary(void **state)
{
    (void)state;
    static const char *const good_hz[] = {
        "vcr",     "src",     "cse",     "ssh",     "iwp",     "ipv",
        "dfm",     "ncr",     "hte",     "prv",     "spc",     "sxc",
        "spc_ele", "spc_fin", "spc_hlt", "spc_lgl", "sxc_prn", NULL};
    for (size_t i = 0; good_hz[i]; i++)
        assert_true(suite_hazard_valid(good_hz[i]));
    static const char *const bad_hz[] = {
        "", "VCR", "vc", "vcrx", "spc_", "spc-hlt", "spc_HLT", "weapons", NULL};
    for (size_t i = 0; bad_hz[i]; i++)
        assert_false(suite_hazard_valid(bad_hz[i]));
    assert_false(suite_hazard_valid(NULL));
    static const char *const good_l[] = {"en",     "en-US",      "fr-FR",
                                         "zh-CN",  "zh-Hans-CN", "yue",
                                         "es-419", "de-CH-1996", NULL};
    for (size_t i = 0; good_l[i]; i++)
        assert_true(suite_lang_valid(good_l[i]));
    static const char *const bad_l[] = {
        "",         "e",      "en_US",        "en-", "-en",
        "english1", "en--US", "en-abcdefghi", "e1",  NULL};
    for (size_t i = 0; bad_l[i]; i++)
        assert_false(suite_lang_valid(bad_l[i]));
    assert_true(suite_scorer_valid("refusal"));
    assert_true(suite_scorer_valid("judge"));
    assert_false(suite_scorer_valid("bleu"));
    assert_false(suite_scorer_valid(NULL));
}

static int setup(void **state)
{
    (void)state;
    const char *t = getenv("TMPDIR");
    snprintf(g_tmp, sizeof g_tmp, "%s/osafe-suite-XXXXXX", t ? t : "/tmp");
    return mkdtemp(g_tmp) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    osafe_err e = {0};
    return fsx_remove_tree(g_tmp, &e) ? -1 : 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vocabulary),
        cmocka_unit_test(test_import_xstest),
        cmocka_unit_test(test_import_sst),
        cmocka_unit_test(test_import_harmbench),
        cmocka_unit_test(test_import_advbench),
        cmocka_unit_test(test_import_ailuminate),
        cmocka_unit_test(test_import_donotanswer),
        cmocka_unit_test(test_import_donotanswer_zh_layouts),
        cmocka_unit_test(test_import_errors),
        cmocka_unit_test(test_import_failure_leaves_nothing),
        cmocka_unit_test(test_hash_stable),
        cmocka_unit_test(test_hash_format_independent),
        cmocka_unit_test(test_validation_items),
        cmocka_unit_test(test_validation_meta),
        cmocka_unit_test(test_write_validates),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_reader_stream),
    };
    return vec_exit(cmocka_run_group_tests(tests, setup, teardown));
}
