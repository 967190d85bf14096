/*
 * test_xml.c - the one escaper every page, report and chart uses: markup
 * characters, invalid UTF-8, controls, and the ceiling of the buffer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "core/status.h"
#include "core/xml.h"

static void expect(const char *in, size_t n, const char *want)
{
    osafe_buf b = OSAFE_BUF_INIT;
    assert_int_equal(xml_escape_n(&b, in, n), 0);
    assert_string_equal(b.data ? b.data : "", want);
    buf_release(&b);
}

static void test_markup(void **state)
{
    (void)state;
    expect("<script>alert('x')</script>", 27,
           "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
    expect("a & b \"q\"", 9, "a &amp; b &quot;q&quot;");
    expect("plain", 5, "plain");
    expect("", 0, "");
    /* already-escaped text is escaped again: the caller gives raw text */
    expect("&amp;", 5, "&amp;amp;");
}

static void test_utf8(void **state)
{
    (void)state;
    expect("\xe4\xb8\xad\xe6\x96\x87 \xd8\xb9", 9,
           "\xe4\xb8\xad\xe6\x96\x87 \xd8\xb9");
    /* a lone continuation byte, a truncated sequence, an overlong '<' */
    expect("a\x80z", 3, "a\xEF\xBF\xBDz");
    expect("\xe4\xb8", 2, "\xEF\xBF\xBD\xEF\xBF\xBD");
    expect("\xc0\xbc", 2, "\xEF\xBF\xBD\xEF\xBF\xBD");
}

static void test_controls(void **state)
{
    (void)state;
    expect("a\x01" "b\x1b[0m\x7f", 8, "ab[0m");
    expect("t\tn\nr\r", 6, "t\tn\nr\r");
    /* an embedded NUL is a control too, and does not end the text */
    expect("a\0b", 3, "ab");
}

static void test_ceiling(void **state)
{
    (void)state;
    osafe_buf b;
    buf_init(&b, 8);
    assert_int_equal(xml_escape(&b, "<<<"), OSAFE_ETOOBIG);
    buf_release(&b);
    buf_init(&b, 64);
    assert_int_equal(xml_escape(&b, NULL), 0);
    assert_int_equal(b.len, 0);
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_markup),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_controls),
        cmocka_unit_test(test_ceiling),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
