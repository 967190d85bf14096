/*
 * test_canon.c - RFC 8785 JSON canonicalization (src/core/canon.c).
 *
 * The RFC's own examples come first (3.2.2 sample, 3.2.3 sorting, Appendix
 * B numbers).  Expected strings not in the RFC were produced by Node.js
 * (JSON.stringify plus the default, UTF-16 code-unit, sort), the reference
 * the RFC itself points at.  The rest pins the strictness rules: bad UTF-8,
 * lone surrogates, duplicates, non-finite numbers, depth and size limits,
 * and that a failure leaves the output buffer untouched.
 */
#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/canon.h"
#include "core/limits.h"
#include "vectors.h"

/* canon_json of in[0..len) must succeed and equal want exactly. */
static void expect_n(const char *in, size_t len, const char *want)
{
    osafe_buf b = OSAFE_BUF_INIT;
    osafe_err e = {0};
    int rc = canon_json(in, len, &b, &e);
    if (rc)
        fail_msg("canon_json(%.*s) failed: %s", (int)len, in, e.msg);
    if (b.len != strlen(want) || memcmp(b.data, want, b.len) != 0)
        fail_msg("canon_json(%.*s)\n  want %s\n  got  %s", (int)len, in, want,
                 b.data);
    buf_release(&b);
}

static void expect(const char *in, const char *want)
{
    expect_n(in, strlen(in), want);
}

/* canon_json must fail with code and a message containing what. */
static void expect_fail_n(const char *in, size_t len, int code,
                          const char *what)
{
    osafe_buf b = OSAFE_BUF_INIT;
    osafe_err e = {0};
    int rc = canon_json(in, len, &b, &e);
    if (rc != code)
        fail_msg("canon_json(%.*s): want %d, got %d (%s)", (int)len, in, code,
                 rc, rc ? e.msg : b.data);
    assert_int_equal(e.code, code);
    if (what && !strstr(e.msg, what))
        fail_msg("message '%s' lacks '%s'", e.msg, what);
    assert_int_equal(b.len, 0);
    buf_release(&b);
}

static void expect_fail(const char *in, int code, const char *what)
{
    expect_fail_n(in, strlen(in), code, what);
}

/* canon_value of v (stolen) must equal want. */
static void expect_v(json_t *v, const char *want)
{
    assert_non_null(v);
    osafe_buf b = OSAFE_BUF_INIT;
    osafe_err e = {0};
    int rc = canon_value(v, &b, &e);
    if (rc)
        fail_msg("canon_value failed: %s (want %s)", e.msg, want);
    assert_string_equal(b.data, want);
    buf_release(&b);
    json_decref(v);
}

/* canon_value of v (stolen) must fail with code, message containing what. */
static void expect_v_fail(json_t *v, int code, const char *what)
{
    assert_non_null(v);
    osafe_buf b = OSAFE_BUF_INIT;
    osafe_err e = {0};
    assert_int_equal(canon_value(v, &b, &e), code);
    if (!strstr(e.msg, what))
        fail_msg("message '%s' lacks '%s'", e.msg, what);
    assert_int_equal(b.len, 0);
    buf_release(&b);
    json_decref(v);
}

static double from_bits(uint64_t u)
{
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

/* RFC 8785 section 3.2.2: the sample input and its canonical form. */
static void test_rfc_sample(void **state)
{
    (void)state;
    expect("{\n"
           "  \"numbers\": [333333333.33333329, 1E30, 4.50, 2e-3, "
           "0.000000000000000000000000001],\n"
           "  \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c"
           "\\\\\\\"\\/\",\n"
           "  \"literals\": [null, true, false]\n"
           "}",
           "{\"literals\":[null,true,false],"
           "\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
           "\"string\":\"\xE2\x82\xAC$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
}

/* RFC 8785 section 3.2.3: member names sort as UTF-16 code units. */
static void test_rfc_key_sorting(void **state)
{
    (void)state;
    expect("{\n"
           "  \"\\u20ac\": \"Euro Sign\",\n"
           "  \"\\r\": \"Carriage Return\",\n"
           "  \"\\ufb33\": \"Hebrew Letter Dalet With Dagesh\",\n"
           "  \"1\": \"One\",\n"
           "  \"\\ud83d\\ude00\": \"Emoji: Grinning Face\",\n"
           "  \"\\u0080\": \"Control\",\n"
           "  \"\\u00f6\": \"Latin Small Letter O With Diaeresis\"\n"
           "}",
           "{\"\\r\":\"Carriage Return\","
           "\"1\":\"One\","
           "\"\xC2\x80\":\"Control\","
           "\"\xC3\xB6\":\"Latin Small Letter O With Diaeresis\","
           "\"\xE2\x82\xAC\":\"Euro Sign\","
           "\"\xF0\x9F\x98\x80\":\"Emoji: Grinning Face\","
           "\"\xEF\xAC\xB3\":\"Hebrew Letter Dalet With Dagesh\"}");
}

/* Where UTF-16 order differs from code point (and UTF-8 byte) order. */
static void test_utf16_order(void **state)
{
    (void)state;
    /* U+10000 is D800 DC00: before U+E000. */
    expect("{\"\\ue000\":1,\"\\ud800\\udc00\":2}",
           "{\"\xF0\x90\x80\x80\":2,\"\xEE\x80\x80\":1}");
    /* U+10FFFF (DBFF DFFF) still sorts before U+FFFF. */
    expect("{\"\\uffff\":1,\"\\udbff\\udfff\":2}",
           "{\"\xF4\x8F\xBF\xBF\":2,\"\xEF\xBF\xBF\":1}");
    /* Same high surrogate: the low one decides (U+1F600 < U+1F601), and
     * U+10400 (D801) sorts before U+1F600 (D83D). */
    expect("{\"\\ud83d\\ude01\":1,\"\\ud83d\\ude00\":2,\"\\ud801\\udc00\":3}",
           "{\"\xF0\x90\x90\x80\":3,\"\xF0\x9F\x98\x80\":2,"
           "\"\xF0\x9F\x98\x81\":1}");
    /* Prefixes first; the empty name first of all; arrays keep order. */
    expect("{\"b\":[3,1,2],\"aa\":1,\"a\":2,\"\":3,\"B\":4}",
           "{\"\":3,\"B\":4,\"a\":2,\"aa\":1,\"b\":[3,1,2]}");
    /* Nested objects are sorted too. */
    expect("{\"z\":{\"z\":1,\"a\":2},\"a\":[{\"y\":1,\"x\":2}]}",
           "{\"a\":[{\"x\":2,\"y\":1}],\"z\":{\"a\":2,\"z\":1}}");
}

/* RFC 8785 Appendix B: IEEE-754 bit patterns and their ES6 strings. */
static void test_rfc_numbers_appendix_b(void **state)
{
    (void)state;
    static const struct {
        uint64_t bits;
        const char *want;
    } v[] = {
        {0x0000000000000000, "0"},
        {0x8000000000000000, "0"},
        {0x0000000000000001, "5e-324"},
        {0x8000000000000001, "-5e-324"},
        {0x7fefffffffffffff, "1.7976931348623157e+308"},
        {0xffefffffffffffff, "-1.7976931348623157e+308"},
        {0x4340000000000000, "9007199254740992"},
        {0xc340000000000000, "-9007199254740992"},
        {0x4430000000000000, "295147905179352830000"},
        {0x44b52d02c7e14af5, "9.999999999999997e+22"},
        {0x44b52d02c7e14af6, "1e+23"},
        {0x44b52d02c7e14af7, "1.0000000000000001e+23"},
        {0x444b1ae4d6e2ef4e, "999999999999999700000"},
        {0x444b1ae4d6e2ef4f, "999999999999999900000"},
        {0x444b1ae4d6e2ef50, "1e+21"},
        {0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"},
        {0x3eb0c6f7a0b5ed8d, "0.000001"},
        {0x41b3de4355555553, "333333333.3333332"},
        {0x41b3de4355555554, "333333333.33333325"},
        {0x41b3de4355555555, "333333333.3333333"},
        {0x41b3de4355555556, "333333333.3333334"},
        {0x41b3de4355555557, "333333333.33333343"},
        {0xbecbf647612f3696, "-0.0000033333333333333333"},
        {0x43143ff3c1cb0959, "1424953923781206.2"},
        /* Powers of two whose nearest k-digit decimal misses but the
         * other neighbour round-trips (the naive %.*e loop gets these
         * wrong by one digit); values from Node.js. */
        {0x0060000000000000, "7.120236347223045e-307"},
        {0x0100000000000000, "7.291122019556398e-304"},
        {0x0420000000000000, "8.209073602596753e-289"},
        {0x1480000000000000, "6.083493012144512e-210"},
    };
    for (size_t i = 0; i < sizeof v / sizeof *v; i++)
        expect_v(json_real(from_bits(v[i].bits)), v[i].want);
    /* The two Appendix B non-finite rows: jansson will not even hold them
     * in a json_t, and as text they are rejected (test_non_finite). */
    assert_null(json_real(from_bits(0x7fffffffffffffff)));
    assert_null(json_real(from_bits(0x7ff0000000000000)));
}

/* Number text in, ES6 text out: the brief's list and the layout edges. */
static void test_number_text(void **state)
{
    (void)state;
    static const char *const v[][2] = {
        {"0", "0"},
        {"-0", "0"},
        {"0.0", "0"},
        {"-0.0e5", "0"},
        {"1", "1"},
        {"1.0", "1"},
        {"100", "100"},
        {"1e2", "100"},
        {"-1.5", "-1.5"},
        {"4.50", "4.5"},
        {"2e-3", "0.002"},
        {"0.1", "0.1"},
        {"1e21", "1e+21"},
        {"1e20", "100000000000000000000"},
        {"1E30", "1e+30"},
        {"1e23", "1e+23"},
        {"1e-7", "1e-7"},
        {"-1.5e-7", "-1.5e-7"},
        {"0.000001", "0.000001"},
        {"0.0000012345", "0.0000012345"},
        {"0.000000000000000000000000001", "1e-27"},
        {"123456789012345680000", "123456789012345680000"},
        {"123456789012345678901", "123456789012345680000"},
        {"9007199254740993", "9007199254740992"},
        {"5e-324", "5e-324"},
        {"2e-324", "0"}, /* below half the smallest subnormal */
        {"1e-400", "0"},
        {"1.7976931348623157e308", "1.7976931348623157e+308"},
        {"333333333.33333329", "333333333.3333333"},
        {"123.456e10", "1234560000000"},
        {"1.2345678901234567e-5", "0.000012345678901234568"},
        {"-12345678901234567890.5", "-12345678901234567000"},
        {"[1, -1, 0.5, 1e100]", "[1,-1,0.5,1e+100]"},
    };
    for (size_t i = 0; i < sizeof v / sizeof *v; i++)
        expect(v[i][0], v[i][1]);
}

/* canon_value on json_integer: exact within +-2^53, refused beyond (a
 * double would silently change the value). */
static void test_integers(void **state)
{
    (void)state;
    const json_int_t lim = (json_int_t)1 << 53;
    expect_v(json_integer(0), "0");
    expect_v(json_integer(-42), "-42");
    expect_v(json_integer(lim - 1), "9007199254740991");
    expect_v(json_integer(lim), "9007199254740992");
    expect_v(json_integer(-lim), "-9007199254740992");
    expect_v_fail(json_integer(lim + 1), OSAFE_EINVAL, "2^53");
    expect_v_fail(json_integer(-lim - 1), OSAFE_EINVAL, "2^53");
    expect_v_fail(json_integer(INT64_MIN), OSAFE_EINVAL, "2^53");
    /* The path names the offending member. */
    json_t *o = json_pack("{s:[i,I]}", "counts", 1, (json_int_t)(lim + 2));
    expect_v_fail(o, OSAFE_EINVAL, "at $.counts[1]:");
}

/* Strings are escaped exactly as JSON.stringify does. */
static void test_string_escapes(void **state)
{
    (void)state;
    /* Every C0 control: the five short escapes, \u00xx (lowercase) else. */
    expect("\"\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\u0008"
           "\\u0009\\u000A\\u000B\\u000C\\u000D\\u000E\\u000F"
           "\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017"
           "\\u0018\\u0019\\u001A\\u001B\\u001C\\u001D\\u001E\\u001F\"",
           "\"\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b"
           "\\t\\n\\u000b\\f\\r\\u000e\\u000f"
           "\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017"
           "\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\"");
    /* The short forms in, the short forms out. */
    expect("\"\\b\\f\\n\\r\\t\\\"\\\\\"", "\"\\b\\f\\n\\r\\t\\\"\\\\\"");
    /* Space, DEL, '/', U+2028/U+2029, non-ASCII: raw UTF-8, never \u. */
    expect("\" \\u007f\x7f\\/\\u2028\\u2029\\u00e9\\u00E9\"",
           "\" \x7f\x7f/\xE2\x80\xA8\xE2\x80\xA9\xC3\xA9\xC3\xA9\"");
    expect("\"\xE2\x80\xA8\"", "\"\xE2\x80\xA8\"");
    /* Escaped ASCII letters come out as themselves. */
    expect("\"\\u0041\\u0062c\"", "\"Abc\"");
    /* Emoji as a surrogate pair escape and raw: same 4 bytes. */
    expect("[\"\\ud83d\\ude00\",\"\xF0\x9F\x98\x80\"]",
           "[\"\xF0\x9F\x98\x80\",\"\xF0\x9F\x98\x80\"]");
    /* Noncharacters and U+FFFD are ordinary characters. */
    expect("\"\\ufffe\\uffff\\ufffd\"",
           "\"\xEF\xBF\xBE\xEF\xBF\xBF\xEF\xBF\xBD\"");
    /* Keys are escaped like strings. */
    expect("{\"a\\nb\":\"\\u001f\"}", "{\"a\\nb\":\"\\u001f\"}");
    /* A NUL inside a json_t string (text input refuses it) is \u0000. */
    expect_v(json_stringn("a\0b", 3), "\"a\\u0000b\"");
    /* Empty string, literals, top-level scalars. */
    expect("\"\"", "\"\"");
    expect(" true ", "true");
    expect("null", "null");
    expect("[false]", "[false]");
}

/* Broken UTF-8 never reaches the output: jansson refuses it in text, and
 * canon_value refuses it in values made with the *_nocheck constructors. */
static void test_invalid_utf8(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "\"\xFF\"",                /* never valid */
        "\"a\x80\"",               /* lone continuation byte */
        "\"\xC0\xAF\"",            /* overlong '/' */
        "\"\xE0\x80\xAF\"",        /* overlong, 3 bytes */
        "\"\xED\xA0\x80\"",        /* UTF-8 encoded surrogate D800 */
        "\"\xE2\x82\"",            /* truncated */
        "\"\xF4\x90\x80\x80\"",    /* above U+10FFFF */
        "{\"\xFF\":1}",            /* in a key */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        expect_fail(bad[i], OSAFE_EINVAL, "invalid JSON at line 1 column");
    expect_v_fail(json_stringn_nocheck("ok\xFF", 3), OSAFE_EINVAL,
                      "invalid UTF-8 at byte 2");
    json_t *o = json_object();
    json_object_set_new(o, "list", json_pack("[s]", "fine"));
    json_array_append_new(json_object_get(o, "list"),
                          json_stringn_nocheck("\xED\xA0\x80", 3));
    expect_v_fail(o, OSAFE_EINVAL, "at $.list[1]: invalid UTF-8");
    o = json_object();
    json_object_setn_new_nocheck(o, "k\xC0\xAF", 3, json_true());
    expect_v_fail(o, OSAFE_EINVAL, "member name is not valid UTF-8");
}

/* I-JSON: no lone surrogates, even written as escapes. */
static void test_lone_surrogates(void **state)
{
    (void)state;
    expect_fail("\"\\ud800\"", OSAFE_EINVAL, "invalid JSON");
    expect_fail("\"\\udc00\"", OSAFE_EINVAL, "invalid JSON");
    expect_fail("\"\\ud83dx\"", OSAFE_EINVAL, "invalid JSON");
    expect_fail("\"\\ud83d\\u0041\"", OSAFE_EINVAL, "invalid JSON");
    expect_fail("{\"\\ude00\":1}", OSAFE_EINVAL, "invalid JSON");
    /* And no NUL: downstream code keeps strings as C strings. */
    expect_fail("\"a\\u0000\"", OSAFE_EINVAL, "invalid JSON");
}

/* Duplicate member names are refused, with the name and position. */
static void test_duplicate_keys(void **state)
{
    (void)state;
    expect_fail("{\"a\":1,\"a\":2}", OSAFE_EINVAL,
                "duplicate key \"a\" at line 1 column 10");
    expect_fail("{\"x\":{\"b\":1,\n  \"b\":2}}", OSAFE_EINVAL,
                "duplicate key \"b\" at line 2");
    /* Same name once decoded: the name is shown as written. */
    expect_fail("{\"a\":1,\"\\u0061\":2}", OSAFE_EINVAL,
                "duplicate key \"\\u0061\"");
    expect_fail("{\"q\\\"\\\\\":1,\"q\\\"\\\\\" :2}", OSAFE_EINVAL,
                "duplicate key \"q\\\"\\\\\"");
    expect_fail("[{}, {\"\xE2\x82\xAC\":1,\"\xE2\x82\xAC\":1}]", OSAFE_EINVAL,
                "duplicate key \"\xE2\x82\xAC\"");
    /* Equal names in different objects are fine. */
    expect("[{\"a\":1},{\"a\":2}]", "[{\"a\":1},{\"a\":2}]");
    osafe_err e = {0};
    assert_null(canon_parse("{\"k\":1,\"k\":1}", 13, &e));
    assert_int_equal(e.code, OSAFE_EINVAL);
    assert_non_null(strstr(e.msg, "duplicate key \"k\""));
}

/* NaN, Infinity and friends are not JSON; overflow is not finite. */
static void test_non_finite(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "NaN", "[NaN]", "nan", "Infinity", "-Infinity", "[Infinity]",
        "[-Infinity]", "inf", "1e400", "-1e400", "[1e309]", "+1", "[01]",
        "[.5]", "[1.]", "[0x10]", "[1e]", "[-]", "[1,]", "{\"a\":1,}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        expect_fail(bad[i], OSAFE_EINVAL, "invalid JSON at line 1");
    /* canon_parse too. */
    osafe_err e = {0};
    assert_null(canon_parse("[1e400]", 7, &e));
    assert_int_equal(e.code, OSAFE_EINVAL);
}

/* Other malformed text: the message carries line and column. */
static void test_parse_errors(void **state)
{
    (void)state;
    expect_fail("{\n  \"a\": tru\n}", OSAFE_EINVAL, "invalid JSON at line 2");
    expect_fail("", OSAFE_EINVAL, "invalid JSON at line");
    expect_fail("   ", OSAFE_EINVAL, "invalid JSON at line");
    expect_fail("[1] x", OSAFE_EINVAL, "invalid JSON at line 1 column 5");
    expect_fail("[1] [2]", OSAFE_EINVAL, "invalid JSON");
    expect_fail("\xEF\xBB\xBF[1]", OSAFE_EINVAL, "invalid JSON"); /* BOM */
    expect_fail("[\"a\tb\"]", OSAFE_EINVAL, "invalid JSON"); /* raw TAB */
    expect_fail("{\"a\" 1}", OSAFE_EINVAL, "invalid JSON");
    expect_fail("{'a':1}", OSAFE_EINVAL, "invalid JSON");
    expect_fail("[\"\\x41\"]", OSAFE_EINVAL, "invalid JSON");
    expect_fail_n("[1]\0", 4, OSAFE_EINVAL, "invalid JSON");
    osafe_buf b = OSAFE_BUF_INIT;
    osafe_err e = {0};
    assert_int_equal(canon_json(NULL, 1, &b, &e), OSAFE_EINVAL);
    /* The error holder is optional: the code still comes back. */
    assert_int_equal(canon_json("[", 1, &b, NULL), OSAFE_EINVAL);
    assert_int_equal(canon_json("[[[]]]", 6, &b, NULL), 0);
    assert_string_equal(b.data, "[[[]]]");
    json_t *bad = json_integer((json_int_t)1 << 60);
    assert_int_equal(canon_value(bad, &b, NULL), OSAFE_EINVAL);
    assert_string_equal(b.data, "[[[]]]");
    json_decref(bad);
    buf_release(&b);
    /* Whitespace everywhere is fine. */
    expect(" \t\r\n{ \"b\" : [ 1 ,\n 2 ] ,\r\n\t\"a\" : { } } \n",
           "{\"a\":{},\"b\":[1,2]}");
}

/* Nesting: OSAFE_CANON_DEPTH_MAX levels pass, one more is refused. */
static void test_depth_limit(void **state)
{
    (void)state;
    const int max = OSAFE_CANON_DEPTH_MAX;
    char in[8 * OSAFE_CANON_DEPTH_MAX + 16];
    for (int deep = max; deep <= max + 1; deep++) {
        memset(in, '[', (size_t)deep);
        memset(in + deep, ']', (size_t)deep);
        in[2 * deep] = '\0';
        if (deep == max) {
            expect(in, in);
        } else {
            char what[64];
            snprintf(what, sizeof what, "deeper than %d levels at line 1 "
                     "column %d", max, max + 1);
            expect_fail(in, OSAFE_EINVAL, what);
        }
    }
    /* Objects count the same; brackets inside strings do not count. */
    size_t n = 0;
    for (int i = 0; i <= max; i++)
        n += (size_t)snprintf(in + n, sizeof in - n, "{\"a\":");
    expect_fail(in, OSAFE_EINVAL, "deeper than");
    snprintf(in, sizeof in, "[\"%0*d\"]", 3 * max, 0);
    memset(in + 2, '[', (size_t)(3 * max));
    expect(in, in);
    /* canon_value enforces the same bound on a built json_t. */
    json_t *v = json_array();
    for (int i = 0; i < max; i++)
        v = json_pack("[o]", v);
    expect_v_fail(v, OSAFE_EINVAL, "deeper than");
    /* And canon_parse. */
    memset(in, '[', (size_t)(max + 1));
    memset(in + max + 1, ']', (size_t)(max + 1));
    osafe_err e = {0};
    assert_null(canon_parse(in, 2 * (size_t)(max + 1), &e));
    assert_int_equal(e.code, OSAFE_EINVAL);
}

/* Input size: OSAFE_CANON_INPUT_MAX bytes pass, one more is refused. */
static void test_size_limit(void **state)
{
    (void)state;
    size_t n = OSAFE_CANON_INPUT_MAX;
    char *in = malloc(n + 1);
    assert_non_null(in);
    memset(in, 'x', n + 1);
    in[0] = '"';
    in[n - 1] = '"';
    osafe_buf b = OSAFE_BUF_INIT;
    osafe_err e = {0};
    assert_int_equal(canon_json(in, n, &b, &e), 0);
    assert_int_equal(b.len, n);
    assert_memory_equal(b.data, in, n);
    buf_release(&b);
    in[n - 1] = 'x';
    in[n] = '"';
    expect_fail_n(in, n + 1, OSAFE_ETOOBIG, "limit");
    assert_null(canon_parse(in, n + 1, &e));
    assert_int_equal(e.code, OSAFE_ETOOBIG);
    free(in);
}

/* A failure leaves out as it was; success appends to what is there. */
static void test_output_buffer(void **state)
{
    (void)state;
    osafe_buf b = OSAFE_BUF_INIT;
    osafe_err e = {0};
    assert_int_equal(buf_puts(&b, "prefix:"), 0);
    assert_int_equal(canon_json("{\"b\":1,\"a\":[\"\\ud800\"]}", 22, &b, &e),
                     OSAFE_EINVAL);
    assert_string_equal(b.data, "prefix:");
    json_t *v = json_pack("{s:i,s:[s,s]}", "b", 1, "a", "ok", "x");
    /* Fails after "{\"a\":[\"ok\"," was written: rolled back. */
    json_array_set_new(json_object_get(v, "a"), 1,
                       json_stringn_nocheck("\xFF", 1));
    assert_int_equal(canon_value(v, &b, &e), OSAFE_EINVAL);
    assert_string_equal(b.data, "prefix:");
    assert_int_equal(b.len, 7);
    json_decref(v);
    assert_int_equal(canon_json("{\"b\":1,\"a\":2}", 13, &b, &e), 0);
    assert_string_equal(b.data, "prefix:{\"a\":2,\"b\":1}");
    buf_release(&b);
    /* The buffer's ceiling is honoured, and the output rolled back. */
    buf_init(&b, 8);
    assert_int_equal(canon_json("[1,2,3,4,5,6]", 13, &b, &e), OSAFE_ETOOBIG);
    assert_int_equal(b.len, 0);
    assert_non_null(strstr(e.msg, "ceiling"));
    buf_release(&b);
}

/* canon_parse keeps integers as integers; canon_value then agrees with
 * canon_json wherever integers are exact. */
static void test_canon_parse(void **state)
{
    (void)state;
    const char *in = "{\"r\":1.5,\"n\":-7,\"big\":9007199254740992,"
                     "\"s\":\"\\u00e9\",\"z\":-0}";
    osafe_err e = {0};
    json_t *j = canon_parse(in, strlen(in), &e);
    assert_non_null(j);
    assert_true(json_is_integer(json_object_get(j, "n")));
    assert_true(json_is_real(json_object_get(j, "r")));
    assert_string_equal(json_string_value(json_object_get(j, "s")),
                        "\xC3\xA9");
    const char *want = "{\"big\":9007199254740992,\"n\":-7,\"r\":1.5,"
                       "\"s\":\"\xC3\xA9\",\"z\":0}";
    expect_v(j, want);
    expect(in, want);
    /* Beyond 2^53 canon_json rounds as JSON.parse does, canon_value
     * refuses: the integer would not survive a JavaScript reader. */
    in = "{\"big\":9007199254740993}";
    expect(in, "{\"big\":9007199254740992}");
    j = canon_parse(in, strlen(in), &e);
    assert_non_null(j);
    expect_v_fail(j, OSAFE_EINVAL, "at $.big:");
    /* Beyond json_int_t jansson itself refuses. */
    assert_null(canon_parse("[123456789012345678901]", 23, &e));
    assert_non_null(strstr(e.msg, "invalid JSON at line 1"));
    /* Scalars at top level are allowed. */
    j = canon_parse("\"x\"", 3, &e);
    assert_true(json_is_string(j));
    json_decref(j);
}

/* Reads a whole file; the test fails if it cannot. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    char *p = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 4096 > cap) {
            cap = cap ? cap * 2 : 8192;
            p = realloc(p, cap);
            assert_non_null(p);
        }
        size_t k = fread(p + n, 1, cap - n - 1, f);
        n += k;
        if (k == 0)
            break;
    }
    fclose(f);
    p[n] = '\0';
    *len = n;
    return p;
}

/* canon(canon(x)) == canon(x), and the output reads back as x's value. */
static void check_idempotent(const char *in, size_t len, const char *name)
{
    osafe_buf c1 = OSAFE_BUF_INIT, c2 = OSAFE_BUF_INIT;
    osafe_err e = {0};
    if (canon_json(in, len, &c1, &e))
        fail_msg("%s: %s", name, e.msg);
    assert_int_equal(canon_json(c1.data, c1.len, &c2, &e), 0);
    if (c1.len != c2.len || memcmp(c1.data, c2.data, c1.len) != 0)
        fail_msg("%s: not idempotent:\n%s\n%s", name, c1.data, c2.data);
    json_error_t je;
    json_t *a = json_loadb(in, len, JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL,
                           &je);
    json_t *b = json_loadb(c1.data, c1.len,
                           JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, &je);
    assert_non_null(a);
    assert_non_null(b);
    if (!json_equal(a, b))
        fail_msg("%s: canonical form reads back as another value", name);
    /* canon_parse + canon_value give the same bytes (no big integers). */
    json_t *p = canon_parse(in, len, &e);
    assert_non_null(p);
    osafe_buf c3 = OSAFE_BUF_INIT;
    assert_int_equal(canon_value(p, &c3, &e), 0);
    assert_string_equal(c3.data, c1.data);
    assert_null(memchr(c1.data, '\n', c1.len));
    json_decref(a);
    json_decref(b);
    json_decref(p);
    buf_release(&c1);
    buf_release(&c2);
    buf_release(&c3);
}

/* The example records (tests/fixtures/records): idempotent,
 * value-preserving. */
static void test_examples_idempotent(void **state)
{
    (void)state;
    char dir[4096];
    vec_fixture("records", dir, sizeof dir);
    DIR *d = opendir(dir);
    if (!d)
        fail_msg("cannot open %s", dir);
    int seen = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        size_t nl = strlen(de->d_name);
        if (nl < 6 || strcmp(de->d_name + nl - 5, ".json") != 0)
            continue;
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        size_t len;
        char *in = slurp(path, &len);
        check_idempotent(in, len, de->d_name);
        /* The top-level members come out sorted (jansson keeps their
         * order; the names here are ASCII, where strcmp is UTF-16 order). */
        osafe_buf c = OSAFE_BUF_INIT;
        osafe_err e = {0};
        assert_int_equal(canon_json(in, len, &c, &e), 0);
        json_t *j = json_loadb(c.data, c.len, 0, NULL);
        assert_true(json_object_size(j) > 5);
        const char *key, *prev = "";
        json_t *val;
        json_object_foreach(j, key, val) {
            assert_true(strcmp(prev, key) < 0);
            prev = key;
        }
        json_decref(j);
        buf_release(&c);
        free(in);
        seen++;
    }
    closedir(d);
    assert_true(seen >= 2);
}

/* The same properties on the RFC sample and an assorted document. */
static void test_round_trip(void **state)
{
    (void)state;
    const char *docs[] = {
        "{\"numbers\":[333333333.33333329,1E30,4.50,2e-3,1e-27,-0,5e-324],"
        "\"string\":\"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\","
        "\"literals\":[null,true,false]}",
        "{\"\\ud83d\\ude00\":{\"\\ue000\":[],\"\\u2028\":\"\\u001f\"},"
        "\"a\":[[],{},[{}],\"\",0.1,1e21,1e-7,123456789012]}",
        "[]",
        "\"\\u00f6\"",
    };
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++)
        check_idempotent(docs[i], strlen(docs[i]), docs[i]);
}

/* Pseudo-random doubles: the output reads back as the same double and is
 * itself canonical.  (Digits were checked against Node.js offline over a
 * million values; here we keep the properties.) */
static void test_number_sweep(void **state)
{
    (void)state;
    uint64_t x = 0x9E3779B97F4A7C15u;
    osafe_buf b = OSAFE_BUF_INIT, b2 = OSAFE_BUF_INIT;
    osafe_err e = {0};
    for (int i = 0; i < 20000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        double d = from_bits(x);
        if (i % 3 == 0) /* powers of two and their neighbours */
            d = ldexp(1.0, i % 2098 - 1074) * (i % 2 ? 1 : -1);
        if (!isfinite(d))
            continue;
        json_t *r = json_real(d);
        buf_reset(&b);
        assert_int_equal(canon_value(r, &b, &e), 0);
        json_decref(r);
        double back = strtod(b.data, NULL);
        if (back != d)
            fail_msg("%.17g written as %s reads back as %.17g", d, b.data,
                     back);
        assert_true(b.len <= 25);
        buf_reset(&b2);
        assert_int_equal(canon_json(b.data, b.len, &b2, &e), 0);
        assert_string_equal(b2.data, b.data);
    }
    buf_release(&b);
    buf_release(&b2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc_sample),
        cmocka_unit_test(test_rfc_key_sorting),
        cmocka_unit_test(test_utf16_order),
        cmocka_unit_test(test_rfc_numbers_appendix_b),
        cmocka_unit_test(test_number_text),
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_string_escapes),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_lone_surrogates),
        cmocka_unit_test(test_duplicate_keys),
        cmocka_unit_test(test_non_finite),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_size_limit),
        cmocka_unit_test(test_output_buffer),
        cmocka_unit_test(test_canon_parse),
        cmocka_unit_test(test_examples_idempotent),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_number_sweep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
