/*
 * test_csv.c - the RFC 4180 reader and the guarded writer, on crafted
 * input and on every CSV file of shared/data (row counts from its README;
 * the prompts are only counted, never printed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/csv.h"
#include "core/fsx.h"
#include "core/limits.h"
#include "vectors.h"

/* Read all rows of text; returns the row count, fails on error.  The
 * fields of every row are joined as "a|b|c\n" into out (if not NULL). */
static size_t read_all(const char *text, size_t len, osafe_buf *out)
{
    csv_reader *r;
    osafe_err e = {0};
    assert_int_equal(csv_reader_open(text, len, &r, &e), 0);
    char **f;
    size_t nf, rows = 0;
    int rc;
    while ((rc = csv_next(r, &f, &nf, &e)) == 1) {
        rows++;
        for (size_t i = 0; out && i < nf; i++) {
            if (i)
                assert_int_equal(buf_putc(out, '|'), 0);
            assert_int_equal(buf_puts(out, f[i]), 0);
        }
        if (out)
            assert_int_equal(buf_putc(out, '\n'), 0);
    }
    if (rc < 0)
        fail_msg("csv error: %s", e.msg);
    csv_reader_free(r);
    return rows;
}

static void expect_rows(const char *text, const char *want)
{
    osafe_buf b = OSAFE_BUF_INIT;
    read_all(text, strlen(text), &b);
    assert_string_equal(b.data ? b.data : "", want);
    buf_release(&b);
}

static void expect_error(const char *text, size_t len, int code,
                         const char *want)
{
    csv_reader *r;
    osafe_err e = {0};
    assert_int_equal(csv_reader_open(text, len, &r, &e), 0);
    char **f;
    size_t nf;
    int rc;
    while ((rc = csv_next(r, &f, &nf, &e)) == 1)
        ;
    assert_int_equal(rc, code);
    if (!strstr(e.msg, want))
        fail_msg("error '%s' lacks '%s'", e.msg, want);
    /* The reader stays at the end after an error. */
    assert_int_equal(csv_next(r, &f, &nf, &e), 0);
    csv_reader_free(r);
}

static void test_reader(void **state)
{
    (void)state;
    expect_rows("a,b,c\r\n1,2,3\r\n", "a|b|c\n1|2|3\n");
    expect_rows("a,b\n1,2", "a|b\n1|2\n");   /* no final EOL */
    expect_rows("a,b\r1,2\r", "a|b\n1|2\n"); /* lone CR */
    expect_rows("x,\"y,z\",\"he said \"\"hi\"\"\"\n", "x|y,z|he said \"hi\"\n");
    expect_rows("\"multi\r\nline\",\"l2\nl3\"\nnext,row\n",
                "multi\r\nline|l2\nl3\nnext|row\n");
    expect_rows("a,,c,\n", "a||c|\n"); /* empty fields */
    expect_rows(",\n", "|\n");
    expect_rows("\"\"\n", "\n");                        /* one empty field */
    expect_rows("a\n\n\r\n\nb\n", "a\nb\n");            /* blank lines */
    expect_rows("\xEF\xBB\xBFid,name\n1,caf\xC3\xA9\n", /* BOM */
                "id|name\n1|caf\xC3\xA9\n");
    expect_rows("\" spaced \", x \n", " spaced | x \n");
    expect_rows("", "");

    /* Line numbers count the line breaks inside quoted fields. */
    csv_reader *r;
    osafe_err e = {0};
    const char *t = "h1,h2\n\"a\nb\nc\",d\nlast,row\n";
    assert_int_equal(csv_reader_open(t, strlen(t), &r, &e), 0);
    char **f;
    size_t nf;
    assert_int_equal(csv_next(r, &f, &nf, &e), 1);
    assert_int_equal(csv_row_line(r), 1);
    assert_int_equal(csv_next(r, &f, &nf, &e), 1);
    assert_int_equal(csv_row_line(r), 2);
    assert_int_equal(nf, 2);
    assert_string_equal(f[0], "a\nb\nc");
    assert_int_equal(csv_next(r, &f, &nf, &e), 1);
    assert_int_equal(csv_row_line(r), 5);
    assert_int_equal(csv_next(r, &f, &nf, &e), 0);
    csv_reader_free(r);
}

static void test_reader_errors(void **state)
{
    (void)state;
    const char *t;
    t = "a,b\n1,\"open\n";
    expect_error(t, strlen(t), OSAFE_EINVAL,
                 "line 2, column 3: quoted field never closed");
    t = "a,b\n1,x\"y\n";
    expect_error(t, strlen(t), OSAFE_EINVAL,
                 "line 2, column 4: quote inside an unquoted field");
    t = "a,b\n\"q\nq\"x,2\n";
    expect_error(t, strlen(t), OSAFE_EINVAL,
                 "line 3, column 3: text after the closing quote");
    t = "a,b\n1,\xff\n";
    expect_error(t, strlen(t), OSAFE_EINVAL,
                 "line 2, column 3: field is not "
                 "UTF-8");
    const char nul[] = "a,b\n1,x\0y\n";
    expect_error(nul, sizeof nul - 1, OSAFE_EINVAL, "line 2, column 3");
    /* Too many fields in one row. */
    size_t n = OSAFE_CSV_MAX_FIELDS + 1;
    char *wide = malloc(n * 2 + 1);
    for (size_t i = 0; i < n; i++) {
        wide[2 * i] = 'x';
        wide[2 * i + 1] = i + 1 < n ? ',' : '\n';
    }
    wide[2 * n] = '\0';
    expect_error(wide, 2 * n, OSAFE_ETOOBIG, "OSAFE_CSV_MAX_FIELDS");
    free(wide);
}

static void test_writer(void **state)
{
    (void)state;
    osafe_buf b = OSAFE_BUF_INIT;
    const char *row[] = {"plain", "a,b", "say \"hi\"", "two\nlines", NULL, ""};
    assert_int_equal(csv_write_row(&b, row, 6), 0);
    assert_string_equal(b.data,
                        "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\","
                        ",\r\n");
    buf_reset(&b);
    /* Formula-injection guard. */
    const char *risky[] = {"=SUM(A1)", "+1", "-2",     "@cmd", "\tx", "\rx",
                           "'=x",      "''", "'plain", "'",    "a=b"};
    assert_int_equal(csv_write_row(&b, risky, 11), 0);
    assert_string_equal(b.data, "'=SUM(A1),'+1,'-2,'@cmd,'\tx,\"'\rx\",''=x,"
                                "''',"
                                "'plain,',a=b\r\n");
    /* Reading back and un-guarding restores every value exactly. */
    csv_reader *r;
    osafe_err e = {0};
    assert_int_equal(csv_reader_open(b.data, b.len, &r, &e), 0);
    char **f;
    size_t nf;
    assert_int_equal(csv_next(r, &f, &nf, &e), 1);
    assert_int_equal(nf, 11);
    for (size_t i = 0; i < nf; i++)
        assert_string_equal(csv_unguard(f[i]), risky[i]);
    csv_reader_free(r);
    buf_release(&b);

    /* Round trip of awkward values through write + read. */
    const char *vals[] = {"",      ",",         "\"",
                          "\"\"",  "a\r\nb",    "\xE4\xB8\xAD\xE6\x96\x87",
                          " lead", "trail ",    "-",
                          "=",     "x,y\n\"z\""};
    size_t nv = sizeof vals / sizeof *vals;
    for (int rows = 0; rows < 3; rows++)
        assert_int_equal(csv_write_row(&b, vals, nv), 0);
    assert_int_equal(csv_reader_open(b.data, b.len, &r, &e), 0);
    for (int rows = 0; rows < 3; rows++) {
        assert_int_equal(csv_next(r, &f, &nf, &e), 1);
        assert_int_equal(nf, nv);
        for (size_t i = 0; i < nv; i++)
            assert_string_equal(csv_unguard(f[i]), vals[i]);
    }
    assert_int_equal(csv_next(r, &f, &nf, &e), 0);
    csv_reader_free(r);
    buf_release(&b);
}

/* Found by fuzz/csv.c: rows that csv_write_row wrote and the reader then
 * lost.  A row of one empty field came out as an empty line (skipped), and
 * a first field starting with U+FEFF came out as a byte order mark
 * (skipped at the start of the text).  Both are quoted now. */
static void test_writer_rows_read_back(void **state)
{
    (void)state;
    static const char *const rows[][2] = {
        {"\xEF\xBB\xBF", NULL}, {"", NULL}, {"\xEF\xBB\xBFx", "y"},
        {"", ""}, {"\xEF\xBB\xBF", NULL}};
    static const size_t widths[] = {1, 1, 2, 2, 1};
    osafe_buf b = OSAFE_BUF_INIT;
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(csv_write_row(&b, rows[i], widths[i]), 0);
    csv_reader *r;
    osafe_err e = {0};
    assert_int_equal(csv_reader_open(b.data, b.len, &r, &e), 0);
    char **f;
    size_t nf;
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(csv_next(r, &f, &nf, &e), 1);
        assert_int_equal(nf, widths[i]);
        for (size_t k = 0; k < nf; k++)
            assert_string_equal(csv_unguard(f[k]), rows[i][k]);
    }
    assert_int_equal(csv_next(r, &f, &nf, &e), 0);
    csv_reader_free(r);
    buf_release(&b);
}

/* Every CSV of shared/data: data rows (header excluded) as its README
 * states, and the same number of fields in every row. */
static void test_shared_datasets(void **state)
{
    (void)state;
    static const struct {
        const char *path;
        size_t rows, cols;
    } sets[] = {
        {"xstest/xstest_prompts.csv", 450, 6},
        {"xstest/labelled-completions/xstest_v2_completions_llama2orig.csv",
         450, 8},
        {"xstest/labelled-completions/"
         "xstest_v2_completions_mistralinstruct.csv",
         450, 8},
        {"simplesafetytests/simplesafetytests_test_cases.csv", 100, 5},
        {"harmbench/harmbench_behaviors_text_all.csv", 400, 6},
        {"harmbench/harmbench_behaviors_text_val.csv", 80, 6},
        {"harmbench/harmbench_behaviors_text_test.csv", 320, 6},
        {"advbench/harmful_behaviors.csv", 520, 2},
        {"advbench/harmful_strings.csv", 574, 1},
        {"ailuminate/airr_official_1.0_demo_en_us_prompt_set_release.csv", 1200,
         6},
        {"ailuminate/airr_official_1.0_demo_fr_fr_prompt_set_release.csv", 1200,
         6},
        {"do-not-answer/do_not_answer_en_prompts.csv", 939, 4},
    };
    for (size_t s = 0; s < sizeof sets / sizeof *sets; s++) {
        char path[4096], rel[512];
        snprintf(rel, sizeof rel, "data/%s", sets[s].path);
        vec_require(rel, path, sizeof path);
        char *text;
        size_t len;
        osafe_err e = {0};
        if (fsx_read_file(path, 64u << 20, &text, &len, &e))
            fail_msg("cannot read %s: %s", path, e.msg);
        csv_reader *r;
        assert_int_equal(csv_reader_open(text, len, &r, &e), 0);
        char **f;
        size_t nf, rows = 0;
        int rc;
        while ((rc = csv_next(r, &f, &nf, &e)) == 1) {
            if (nf != sets[s].cols)
                fail_msg("%s: row at line %zu has %zu fields, want %zu",
                         sets[s].path, csv_row_line(r), nf, sets[s].cols);
            rows++;
        }
        if (rc < 0)
            fail_msg("%s: %s", sets[s].path, e.msg);
        if (rows - 1 != sets[s].rows)
            fail_msg("%s: %zu data rows, want %zu", sets[s].path, rows - 1,
                     sets[s].rows);
        csv_reader_free(r);
        free(text);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reader),
        cmocka_unit_test(test_reader_errors),
        cmocka_unit_test(test_writer),
        cmocka_unit_test(test_writer_rows_read_back),
        cmocka_unit_test(test_shared_datasets),
    };
    return vec_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
