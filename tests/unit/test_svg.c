/*
 * test_svg.c - charts and the risk matrix: well-formed XML, values drawn
 * where they belong (read back from the data-* attributes and the
 * geometry), hostile text escaped, bad input refused; and the checker in
 * xmlcheck.h itself, so that a broken checker cannot pass everything.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/status.h"
#include "svg/svg.h"
#include "xmlcheck.h"

static void assert_wellformed(const osafe_buf *b)
{
    char msg[256];
    assert_non_null(b->data);
    if (xmlcheck(b->data, b->len, msg, sizeof msg) != 0)
        fail_msg("not well formed: %s\n%s", msg, b->data);
}

static void assert_near(double got, double want)
{
    if (fabs(got - want) > 0.02)
        fail_msg("got %g, want %g", got, want);
}

/* ---- the checker ---- */

static void test_xmlcheck_rejects(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "<a><b></a></b>",              /* crossed */
        "<a x=1/>",                    /* unquoted */
        "<a>&foo;</a>",                /* unknown entity */
        "<a>&amp</a>",                 /* unterminated entity */
        "<a>x < y</a>",                /* raw '<' */
        "<a>x & y</a>",                /* raw '&' */
        "<a x=\"1<2\"/>",              /* '<' in a value */
        "<a x=\"1\" x=\"2\"/>",        /* repeated attribute */
        "<a>",                         /* never closed */
        "<a/><b/>",                    /* two roots */
        "text<a/>",                    /* text outside */
        "<a>\x01</a>",                 /* control character */
        "<a>\xff</a>",                 /* invalid UTF-8 */
        "<a>&#0;</a>",                 /* invalid character reference */
        "<a x=\"1\"y=\"2\"/>",         /* attributes run together */
        "<a><![CDATA[x]]></a>",        /* not used by our writers */
        "",                            /* no root */
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char msg[200];
        if (xmlcheck(bad[i], strlen(bad[i]), msg, sizeof msg) == 0)
            fail_msg("accepted: %s", bad[i]);
        assert_true(msg[0] != '\0');
    }
}

static void test_xmlcheck_accepts(void **state)
{
    (void)state;
    const char *good =
        "<!DOCTYPE html>\n<html lang=\"en\" dir='rtl'><head>"
        "<meta charset=\"utf-8\"/><title>t</title></head>"
        "<!-- a comment --><body><p class=\"x\">a &amp; b &#233; &#x1F600;"
        " \xe4\xb8\xad &lt;&gt; &quot;q&quot; 1 > 0</p></body></html>\n";
    char msg[200];
    if (xmlcheck(good, strlen(good), msg, sizeof msg) != 0)
        fail_msg("rejected: %s", msg);
    const char *tag = xc_find(good, "p", "class", "x");
    assert_non_null(tag);
    assert_null(xc_find(good, "p", "class", "y"));
    char v[16];
    assert_int_equal(xc_attr(good + 16, "dir", v, sizeof v), 0);
    assert_string_equal(v, "rtl");
    assert_int_equal(xc_count(good, "&amp;"), 1);
}

/* ---- bars ---- */

static svg_chart_opts opts(const char *title)
{
    svg_chart_opts o;
    memset(&o, 0, sizeof o);
    o.title = title;
    o.desc = "Unsafe response rate per hazard";
    o.axis_label = "unsafe rate";
    o.na_text = "n/a";
    o.percent = 1;
    return o;
}

static void test_bars_geometry(void **state)
{
    (void)state;
    svg_bar bars[] = {
        {"full", 1.0, NAN, NAN, NULL, NULL},
        {"quarter", 0.25, 0.2, 0.3, "n = 120", "/evals/r1?hazard=q"},
        {"none", NAN, NAN, NAN, NULL, NULL},
        {"over", 1.7, NAN, NAN, NULL, NULL},
    };
    svg_chart_opts o = opts("Rates");
    osafe_buf b = OSAFE_BUF_INIT;
    osafe_err e;
    assert_int_equal(svg_bars(&b, bars, 4, &o, &e), 0);
    assert_wellformed(&b);
    assert_true(strncmp(b.data, "<svg xmlns=\"http://www.w3.org/2000/svg\"",
                        39) == 0);
    assert_non_null(strstr(b.data, "role=\"img\""));
    assert_non_null(strstr(b.data, "<title>Rates</title>"));
    assert_non_null(strstr(b.data, "<desc>Unsafe response rate"));
    assert_null(strstr(b.data, "<script"));
    /* no inline style: the server's CSP (style-src 'self') refuses it */
    assert_null(strstr(b.data, "style="));

    const char *full = xc_find(b.data, "rect", "data-label", "full");
    const char *q = xc_find(b.data, "rect", "data-label", "quarter");
    assert_non_null(full);
    assert_non_null(q);
    double fw = xc_attr_num(full, "width"), qw = xc_attr_num(q, "width");
    assert_true(fw > 100);
    assert_near(qw, fw / 4);
    assert_near(xc_attr_num(q, "x"), xc_attr_num(full, "x"));
    assert_near(xc_attr_num(q, "data-value"), 0.25);
    assert_near(xc_attr_num(q, "data-lo"), 0.2);
    assert_near(xc_attr_num(q, "data-hi"), 0.3);
    /* rows go down the page in order */
    assert_true(xc_attr_num(q, "y") > xc_attr_num(full, "y"));
    /* a value over the axis maximum stops at the end of the axis */
    const char *over = xc_find(b.data, "rect", "data-label", "over");
    assert_near(xc_attr_num(over, "width"), fw);

    /* the whisker spans lo..hi on the same scale */
    const char *wh = xc_find(q, "path", "class", "whisker");
    assert_non_null(wh);
    char d[128];
    assert_int_equal(xc_attr(wh, "d", d, sizeof d), 0);
    double x1, y1, x2;
    assert_int_equal(sscanf(d, "M%lf %lfH%lf", &x1, &y1, &x2), 3);
    double x0 = xc_attr_num(full, "x");
    assert_near(x1, x0 + 0.2 * fw);
    assert_near(x2, x0 + 0.3 * fw);
    /* no whisker for the bar without an interval */
    char tmp[8];
    assert_int_not_equal(xc_attr(full, "data-lo", tmp, sizeof tmp), 0);

    /* the value text, the note, the link, n/a */
    assert_non_null(strstr(b.data, ">25% [20%\xE2\x80\x93" "30%]  n = 120<"));
    assert_non_null(strstr(b.data, "href=\"/evals/r1?hazard=q\""));
    const char *na = xc_find(b.data, "text", "data-label", "none");
    assert_non_null(na);
    assert_non_null(strstr(na, ">n/a</text>"));
    assert_null(xc_find(b.data, "rect", "data-label", "none"));
    /* quarter ticks on the axis */
    assert_non_null(strstr(b.data, ">50%</text>"));
    buf_release(&b);
}

static void test_bars_rtl(void **state)
{
    (void)state;
    svg_bar bars[] = {
        {"\xd8\xb9\xd9\x86\xd9\x81", 1.0, NAN, NAN, NULL, NULL},
        {"b", 0.5, 0.25, 0.75, NULL, NULL},
    };
    svg_chart_opts o = opts("\xd8\xa7\xd9\x84\xd9\x85\xd8\xb9\xd8\xaf\xd9\x84");
    o.rtl = 1;
    o.locale_decimal = "\xd9\xab"; /* Arabic decimal separator */
    o.percent = 0;
    o.max = 2;
    osafe_buf b = OSAFE_BUF_INIT;
    assert_int_equal(svg_bars(&b, bars, 2, &o, NULL), 0);
    assert_wellformed(&b);
    assert_non_null(strstr(b.data, "direction=\"rtl\""));
    const char *a = xc_find(b.data, "rect", "data-label",
                            "\xd8\xb9\xd9\x86\xd9\x81");
    const char *h = xc_find(b.data, "rect", "data-label", "b");
    assert_non_null(a);
    assert_non_null(h);
    /* bars end at the same right edge and grow leftwards */
    double ar = xc_attr_num(a, "x") + xc_attr_num(a, "width");
    double hr = xc_attr_num(h, "x") + xc_attr_num(h, "width");
    assert_near(ar, hr);
    assert_near(xc_attr_num(h, "width"), xc_attr_num(a, "width") / 2);
    /* the label sits right of the plot */
    const char *row = xc_find(b.data, "g", "data-label", "b");
    assert_non_null(row);
    const char *lab = strstr(row, "class=\"label\"");
    assert_non_null(lab);
    while (lab > b.data && strncmp(lab, "<text", 5) != 0)
        lab--;
    assert_true(xc_attr_num(lab, "x") > ar);
    /* the caller's decimal sign in text, '.' in the numbers of the drawing */
    assert_non_null(
        strstr(b.data, ">\xE2\x81\xA6" "0\xd9\xab" "5 [0\xd9\xab" "25"));
    assert_non_null(strstr(b.data, "data-value=\"0.5\""));
    buf_release(&b);
}

static void test_bars_paired(void **state)
{
    (void)state;
    svg_bar a[] = {{"vcr", 0.4, 0.3, 0.5, NULL, NULL},
                   {"hte", 0.1, NAN, NAN, NULL, NULL}};
    svg_bar c[] = {{"ignored", 0.2, 0.1, 0.3, NULL, NULL},
                   {"ignored", NAN, NAN, NAN, NULL, NULL}};
    svg_chart_opts o = opts("A vs B");
    o.series[0] = "model <A>";
    o.series[1] = "model B";
    osafe_buf b = OSAFE_BUF_INIT;
    assert_int_equal(svg_bars_paired(&b, a, c, 2, &o, NULL), 0);
    assert_wellformed(&b);
    assert_non_null(strstr(b.data, "model &lt;A&gt;"));
    assert_null(strstr(b.data, "ignored"));
    const char *ra = xc_find(b.data, "rect", "data-series", "a");
    const char *rb = xc_find(b.data, "rect", "data-series", "b");
    assert_non_null(ra);
    assert_non_null(rb);
    char lab[16];
    assert_int_equal(xc_attr(rb, "data-label", lab, sizeof lab), 0);
    assert_string_equal(lab, "vcr");
    assert_near(xc_attr_num(rb, "width"), xc_attr_num(ra, "width") / 2);
    assert_true(xc_attr_num(rb, "y") > xc_attr_num(ra, "y"));
    /* the second row's B has no data */
    const char *na = xc_find(b.data, "text", "data-series", "b");
    assert_non_null(na);
    assert_non_null(strstr(na, ">n/a<"));
    assert_int_equal(svg_bars_paired(&b, a, NULL, 2, &o, NULL), OSAFE_EINVAL);
    buf_release(&b);
}

static void test_bars_hostile(void **state)
{
    (void)state;
    const char *labels[] = {"<script>alert(1)</script>", "\"'&amp;\"",
                            "bad \xff\xfe utf8", "ctl\x01\x1b\x7f"};
    svg_bar bars[4];
    for (int i = 0; i < 4; i++)
        bars[i] = (svg_bar){labels[i], 0.1 * (i + 1), NAN, NAN, labels[i],
                            NULL};
    svg_chart_opts o = opts("<b>title</b> & \"co\"");
    o.desc = "</desc><script>x</script>";
    o.axis_label = "\xc3";
    o.series[0] = "<i>";
    osafe_buf b = OSAFE_BUF_INIT;
    osafe_err e;
    assert_int_equal(svg_bars(&b, bars, 4, &o, &e), 0);
    assert_wellformed(&b);
    assert_null(strstr(b.data, "<script"));
    assert_null(strstr(b.data, "<b>"));
    assert_non_null(strstr(b.data, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_non_null(strstr(b.data, "&quot;&#39;&amp;amp;&quot;"));
    assert_non_null(strstr(b.data, "bad \xEF\xBF\xBD\xEF\xBF\xBD utf8"));
    assert_null(strchr(b.data, '\x01'));
    assert_null(strchr(b.data, '\x1b'));
    /* long labels are cut on the drawing, kept whole in data-label */
    const char *longl = "\xe4\xb8\xad\xe6\x96\x87\xe6\xa0\x87\xe7\xad\xbe"
                        "abcdefghijklmnopqrstuvwxyz";
    svg_bar one = {longl, 0.5, NAN, NAN, NULL, NULL};
    buf_reset(&b);
    assert_int_equal(svg_bars(&b, &one, 1, &o, &e), 0);
    assert_wellformed(&b);
    assert_non_null(strstr(b.data, "abcdefghijklmnopqr\xE2\x80\xA6<"));
    assert_non_null(xc_find(b.data, "rect", "data-label", longl));
    buf_release(&b);
}

static void test_bars_refused(void **state)
{
    (void)state;
    svg_chart_opts o = opts("t");
    osafe_buf b = OSAFE_BUF_INIT;
    osafe_err e;
    svg_bar *many = calloc(SVG_ITEMS_MAX + 1, sizeof *many);
    assert_non_null(many);
    for (size_t i = 0; i <= SVG_ITEMS_MAX; i++)
        many[i] = (svg_bar){"x", 0.5, NAN, NAN, NULL, NULL};
    assert_int_equal(svg_bars(&b, many, SVG_ITEMS_MAX + 1, &o, &e),
                     OSAFE_EINVAL);
    assert_non_null(strstr(e.msg, "512"));
    assert_int_equal(b.len, 0);
    assert_int_equal(svg_bars(&b, many, SVG_ITEMS_MAX, &o, &e), 0);
    assert_wellformed(&b);
    free(many);
    buf_reset(&b);

    svg_bar one = {"x", INFINITY, NAN, NAN, NULL, NULL};
    assert_int_equal(svg_bars(&b, &one, 1, &o, &e), OSAFE_EINVAL);
    one.value = 0.5;
    o.max = NAN;
    assert_int_equal(svg_bars(&b, &one, 1, &o, &e), OSAFE_EINVAL);
    o.max = 0;
    o.title = NULL;
    assert_int_equal(svg_bars(&b, &one, 1, &o, &e), OSAFE_EINVAL);
    o.title = "t";
    /* links stay on the server */
    const char *ext[] = {"http://evil.example/", "//evil.example/x",
                         "javascript:alert(1)", "data:text/html,x",
                         "/ok\x01"};
    for (size_t i = 0; i < sizeof ext / sizeof *ext; i++) {
        one.href = ext[i];
        assert_int_equal(svg_bars(&b, &one, 1, &o, &e), OSAFE_EINVAL);
    }
    assert_int_equal(b.len, 0);
    one.href = "/incidents?q=a:b&lang=fr";
    assert_int_equal(svg_bars(&b, &one, 1, &o, &e), 0);
    assert_non_null(strstr(b.data, "href=\"/incidents?q=a:b&amp;lang=fr\""));
    buf_release(&b);

    /* a buffer ceiling fails cleanly and leaves nothing behind */
    osafe_buf small;
    buf_init(&small, 300);
    assert_int_equal(buf_puts(&small, "keep"), 0);
    assert_int_equal(svg_bars(&small, &one, 1, &o, &e), OSAFE_ETOOBIG);
    assert_string_equal(small.data, "keep");
    buf_release(&small);
    /* no rows: a chart with axes only */
    osafe_buf z = OSAFE_BUF_INIT;
    assert_int_equal(svg_bars(&z, NULL, 0, &o, &e), 0);
    assert_wellformed(&z);
    buf_release(&z);
}

/* ---- matrix ---- */

static svg_glyph glyph(const char *label, double x, double y)
{
    svg_glyph g = {label, NULL, x, NAN, NAN, y, NAN, NAN, 0.5, 0, 1, NAN,
                   NAN, NULL};
    return g;
}

static const char *cell(const char *svg, int col, int row)
{
    for (const char *p = xc_find(svg, "rect", "class", "cell"); p;
         p = xc_find(p + 1, "rect", "class", "cell"))
        if ((int)xc_attr_num(p, "data-col") == col &&
            (int)xc_attr_num(p, "data-row") == row)
            return p;
    return NULL;
}

static void assert_in_cell(const char *svg, const char *label, int col,
                           int row)
{
    const char *c = xc_find(svg, "circle", "data-label", label);
    const char *r = cell(svg, col, row);
    assert_non_null(c);
    assert_non_null(r);
    double cx = xc_attr_num(c, "cx"), cy = xc_attr_num(c, "cy");
    double x = xc_attr_num(r, "x"), y = xc_attr_num(r, "y");
    double w = xc_attr_num(r, "width"), h = xc_attr_num(r, "height");
    if (!(cx >= x && cx < x + w && cy > y && cy <= y + h))
        fail_msg("%s at (%g,%g) not in cell %d,%d [%g,%g %gx%g]", label, cx,
                 cy, col, row, x, y, w, h);
}

static void check_matrix(int rtl)
{
    svg_glyph g[4];
    g[0] = glyph("a", 2.5, 4.5);
    g[0].x_lo = 1.5;
    g[0].x_hi = 3.2;
    g[0].y_lo = 4.1;
    g[0].y_hi = 4.9;
    g[0].prev_x = 0.5;
    g[0].prev_y = 1.5;
    g[0].size = 1;
    g[1] = glyph("b", 0.2, 0.7);
    g[1].hollow = 1;
    g[1].size = 0;
    g[1].tier = 3;
    g[1].href = "/risks#b";
    g[2] = glyph("edge", 5.0, 5.0);
    g[3] = glyph("<script>", 4.99, 0.01);
    svg_matrix_opts o;
    memset(&o, 0, sizeof o);
    o.title = "Realized risk";
    o.x_label = "likelihood";
    o.y_label = "impact";
    const char *xt[5] = {"<0.1", "0.1-1", "1-10", "10-100", ">100"};
    for (int i = 0; i < 5; i++) {
        o.x_ticks[i] = xt[i];
        o.y_ticks[i] = "I";
    }
    o.rtl = rtl;
    osafe_buf b = OSAFE_BUF_INIT;
    osafe_err e;
    assert_int_equal(svg_matrix(&b, g, 4, &o, &e), 0);
    assert_wellformed(&b);
    assert_non_null(strstr(b.data, "role=\"img\""));
    assert_non_null(strstr(b.data, "<title>Realized risk</title>"));
    assert_non_null(strstr(b.data, "&lt;0.1"));
    assert_null(strstr(b.data, "<script"));
    assert_in_cell(b.data, "a", 2, 4);
    assert_in_cell(b.data, "b", 0, 0);
    assert_in_cell(b.data, "&lt;script&gt;", 4, 0);
    /* 25 cells; colour depends on i + j only, and differs between sums */
    assert_int_equal(xc_count(b.data, "class=\"cell\""), 25);
    char fill[9][16];
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 5; j++) {
            char f[16];
            assert_int_equal(xc_attr(cell(b.data, j, i), "fill", f, sizeof f),
                             0);
            if (i == 0 || j == 4)
                strcpy(fill[i + j], f);
            else
                assert_string_equal(f, fill[i + j]);
        }
    for (int s = 1; s < 9; s++)
        assert_string_not_equal(fill[s], fill[s - 1]);
    /* likelihood grows rightwards (leftwards in rtl); impact upwards */
    double c00 = xc_attr_num(cell(b.data, 0, 0), "x");
    double c10 = xc_attr_num(cell(b.data, 1, 0), "x");
    assert_true(rtl ? c10 < c00 : c10 > c00);
    assert_true(xc_attr_num(cell(b.data, 0, 1), "y") <
                xc_attr_num(cell(b.data, 0, 0), "y"));
    /* evidence: a bigger glyph for more; hollow drawn as a ring */
    const char *ga = xc_find(b.data, "circle", "data-label", "a");
    const char *gb = xc_find(b.data, "circle", "data-label", "b");
    assert_true(xc_attr_num(ga, "r") > xc_attr_num(gb, "r"));
    char v[16];
    assert_int_equal(xc_attr(gb, "data-hollow", v, sizeof v), 0);
    assert_string_equal(v, "1");
    assert_int_equal(xc_attr(gb, "fill", v, sizeof v), 0);
    assert_string_equal(v, "#ffffff");
    assert_int_equal(xc_attr(gb, "data-tier", v, sizeof v), 0);
    assert_string_equal(v, "3");
    assert_near(xc_attr_num(ga, "data-x-lo"), 1.5);
    assert_near(xc_attr_num(ga, "data-y-hi"), 4.9);
    /* the whisker of a spans its interval on the x scale */
    double cw = xc_attr_num(cell(b.data, 0, 0), "width");
    const char *wh = strstr(b.data, "class=\"whisker\"");
    assert_non_null(wh);
    char d[256];
    while (wh > b.data && strncmp(wh, "<path", 5) != 0)
        wh--;
    assert_int_equal(xc_attr(wh, "d", d, sizeof d), 0);
    double x1, y1, x2, y2;
    assert_int_equal(sscanf(d, "M%lf %lfL%lf %lf", &x1, &y1, &x2, &y2), 4);
    assert_near(fabs(x2 - x1), 1.7 * cw);
    assert_near(y1, xc_attr_num(ga, "cy"));
    /* one arrow (only a has a previous position), links stay local */
    assert_int_equal(xc_count(b.data, "class=\"arrowhead\""), 1);
    assert_non_null(strstr(b.data, "<a href=\"/risks#b\">"));
    buf_release(&b);
}

static void test_matrix(void **state)
{
    (void)state;
    check_matrix(0);
    check_matrix(1);
}

static void test_matrix_refused(void **state)
{
    (void)state;
    svg_matrix_opts o;
    memset(&o, 0, sizeof o);
    o.title = "m";
    osafe_buf b = OSAFE_BUF_INIT;
    osafe_err e;
    svg_glyph g = glyph("x", NAN, 1);
    assert_int_equal(svg_matrix(&b, &g, 1, &o, &e), OSAFE_EINVAL);
    g.x = 1;
    g.size = NAN;
    assert_int_equal(svg_matrix(&b, &g, 1, &o, &e), OSAFE_EINVAL);
    g.size = 1;
    g.href = "https://x.example/";
    assert_int_equal(svg_matrix(&b, &g, 1, &o, &e), OSAFE_EINVAL);
    g.href = NULL;
    assert_int_equal(svg_matrix(&b, &g, SVG_ITEMS_MAX + 1, &o, &e),
                     OSAFE_EINVAL);
    o.title = "";
    assert_int_equal(svg_matrix(&b, &g, 1, &o, &e), OSAFE_EINVAL);
    assert_int_equal(b.len, 0);
    o.title = "m";
    assert_int_equal(svg_matrix(&b, NULL, 0, &o, &e), 0);
    assert_wellformed(&b);
    buf_release(&b);
}

/* A mark (rank number) is drawn instead of the name; the name stays the
 * tooltip and data-label, escaped. */
static void test_matrix_mark(void **state)
{
    (void)state;
    svg_matrix_opts o;
    memset(&o, 0, sizeof o);
    o.title = "m";
    osafe_buf b = OSAFE_BUF_INIT;
    osafe_err e;
    svg_glyph g[2] = {glyph("vcr <m&1>", 1.5, 3.5), glyph("hte m2", 2.5, 2.5)};
    g[0].mark = "1";
    g[1].mark = "";
    assert_int_equal(svg_matrix(&b, g, 2, &o, &e), 0);
    assert_wellformed(&b);
    assert_non_null(strstr(b.data, "<title>vcr &lt;m&amp;1&gt;</title>"));
    assert_non_null(strstr(b.data, "data-label=\"vcr &lt;m&amp;1&gt;\""));
    assert_non_null(strstr(b.data, ">1</text>"));
    /* neither name is drawn as text, and the empty mark draws nothing */
    assert_null(strstr(b.data, ">vcr &lt;m&amp;1&gt;</text>"));
    assert_null(strstr(b.data, ">hte m2</text>"));
    assert_null(strstr(b.data, "></text>"));
    buf_release(&b);
}

/* cy of the n-th <circle> of a matrix (0-based). */
static double nth_cy(const char *svg, int n)
{
    const char *c = svg;
    for (int i = 0; i <= n; i++) {
        c = strstr(c, "<circle class=\"glyph\"");
        assert_non_null(c);
        c++;
    }
    const char *v = strstr(c, " cy=\"");
    assert_non_null(v);
    return strtod(v + 5, NULL);
}

/* The circles of a matrix: centre and radius, in document order. */
struct circ {
    double cx, cy, r;
};

static size_t circles(const char *svg, struct circ *c, size_t max)
{
    size_t n = 0;
    for (const char *p = xc_find(svg, "circle", "class", "glyph"); p && n < max;
         p = xc_find(p + 1, "circle", "class", "glyph"))
        c[n++] = (struct circ){xc_attr_num(p, "cx"), xc_attr_num(p, "cy"),
                               xc_attr_num(p, "r")};
    return n;
}

/* Risks at one spot are spread apart, the first left in place, none over
 * another, each inside its cell; the data-* values stay exact. */
static void test_matrix_dodge(void **state)
{
    (void)state;
    svg_matrix_opts o;
    memset(&o, 0, sizeof o);
    o.title = "m";
    osafe_buf a = OSAFE_BUF_INIT, b = OSAFE_BUF_INIT;
    osafe_err e;
    svg_glyph one = glyph("a", 2.5, 3.5);
    assert_int_equal(svg_matrix(&a, &one, 1, &o, &e), 0);
    double centre = nth_cy(a.data, 0);
    svg_glyph g[4] = {glyph("a", 2.5, 3.5), glyph("b", 2.5, 3.5),
                      glyph("c", 2.5, 3.5), glyph("d", 2.5, 3.5)};
    for (int i = 0; i < 4; i++)
        g[i].y_lo = g[i].y_hi = NAN;
    assert_int_equal(svg_matrix(&b, g, 4, &o, &e), 0);
    assert_wellformed(&b);
    struct circ c[4];
    assert_int_equal(circles(b.data, c, 4), 4);
    assert_true(fabs(c[0].cy - centre) < 1e-9);
    for (int i = 0; i < 4; i++) {
        for (int j = 0; j < i; j++)
            assert_true(hypot(c[i].cx - c[j].cx, c[i].cy - c[j].cy) >=
                        c[i].r + c[j].r);
        assert_in_cell(b.data, g[i].label, 2, 3);
    }
    const char *d = b.data;
    int seen = 0;
    while ((d = strstr(d, "data-y=\"3.5\"")))
        seen++, d++;
    assert_int_equal(seen, 4);
    buf_release(&a);
    buf_release(&b);
}

/* A label's box as the layout estimates it (0.62 em a character at 11 px,
 * 2 px of halo each side; 10 px above the baseline, 3 below), from its
 * <text> element, whatever its anchor. */
struct box {
    double x0, y0, x1, y1;
};

static struct box label_box(const char *t, int rtl)
{
    char anchor[16], body[64];
    assert_int_equal(xc_attr(t, "text-anchor", anchor, sizeof anchor), 0);
    const char *gt = strchr(t, '>');
    const char *lt = strchr(gt, '<');
    snprintf(body, sizeof body, "%.*s", (int)(lt - gt - 1), gt + 1);
    double w = (double)strlen(body) * 0.62 * 11 + 4;
    double x = xc_attr_num(t, "x"), y = xc_attr_num(t, "y");
    /* under direction="rtl", "end" is the left edge */
    int left = !strcmp(anchor, rtl ? "end" : "start");
    int right = !strcmp(anchor, rtl ? "start" : "end");
    double x0 = left ? x - 2 : right ? x - w + 2 : x - w / 2;
    return (struct box){x0, y - 10, x0 + w, y + 3};
}

/* Issue 16 item 9: thirteen ranked risks in one cell and more at the
 * corners and edges of the grid: no glyph over another, every glyph in
 * its cell, every numbered label inside the picture (marks 11-13 were cut
 * at the right edge), over no glyph and no other label. */
static void check_crowded(int rtl)
{
    enum { N = 21 };
    svg_glyph g[N];
    char marks[N][8];
    static const double at[8][2] = {{5.0, 5.0}, {5.0, 0.0}, {0.0, 5.0},
                                    {0.0, 0.0}, {4.99, 2.5}, {2.5, 4.99},
                                    {4.95, 4.95}, {4.97, 0.2}};
    for (int i = 0; i < N; i++) {
        double x = i < 13 ? 4.6 : at[i - 13][0], y = i < 13 ? 4.6 : at[i - 13][1];
        char name[16];
        snprintf(name, sizeof name, "r%d", i);
        g[i] = glyph(strdup(name), x, y);
        g[i].x_lo = g[i].x_hi = g[i].y_lo = g[i].y_hi = NAN;
        g[i].size = (double)(i % 4) / 3;
        snprintf(marks[i], sizeof marks[i], "%d", i + 1);
        g[i].mark = marks[i];
    }
    svg_matrix_opts o;
    memset(&o, 0, sizeof o);
    o.title = "crowded";
    o.rtl = rtl;
    osafe_buf b = OSAFE_BUF_INIT;
    osafe_err e;
    assert_int_equal(svg_matrix(&b, g, N, &o, &e), 0);
    assert_wellformed(&b);
    double vw, vh;
    const char *vb = strstr(b.data, "viewBox=\"");
    assert_non_null(vb);
    assert_int_equal(sscanf(vb + 9, "0 0 %lf %lf", &vw, &vh), 2);
    struct circ c[N];
    assert_int_equal(circles(b.data, c, N), N);
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < i; j++)
            if (hypot(c[i].cx - c[j].cx, c[i].cy - c[j].cy) <
                c[i].r + c[j].r)
                fail_msg("glyphs %d and %d overlap (rtl %d)", i + 1, j + 1,
                         rtl);
        /* in its cell, its edges included (x = 5 is the grid's edge) */
        int col = (int)fmin(4, floor(g[i].x)), row = (int)fmin(4, floor(g[i].y));
        const char *r = cell(b.data, col, row);
        double x = xc_attr_num(r, "x"), y = xc_attr_num(r, "y");
        if (!(c[i].cx >= x && c[i].cx <= x + 72 && c[i].cy >= y &&
              c[i].cy <= y + 72))
            fail_msg("glyph %d at (%g,%g) not in cell %d,%d (rtl %d)", i + 1,
                     c[i].cx, c[i].cy, col, row, rtl);
    }
    struct box bx[N];
    int k = 0;
    for (const char *t = xc_find(b.data, "text", "class", "glyph-label"); t;
         t = xc_find(t + 1, "text", "class", "glyph-label"))
        bx[k++] = label_box(t, rtl);
    assert_int_equal(k, N);
    for (int i = 0; i < N; i++) {
        if (bx[i].x0 < 0 || bx[i].x1 > vw || bx[i].y0 < 0 || bx[i].y1 > vh)
            fail_msg("label %d cut by the edge: [%g,%g]-[%g,%g] in %gx%g "
                     "(rtl %d)",
                     i + 1, bx[i].x0, bx[i].y0, bx[i].x1, bx[i].y1, vw, vh,
                     rtl);
        for (int j = 0; j < i; j++)
            if (bx[i].x0 < bx[j].x1 && bx[j].x0 < bx[i].x1 &&
                bx[i].y0 < bx[j].y1 && bx[j].y0 < bx[i].y1)
                fail_msg("labels %d and %d overlap (rtl %d)", i + 1, j + 1,
                         rtl);
        for (int j = 0; j < N; j++) {
            double nx = fmax(bx[i].x0, fmin(c[j].cx, bx[i].x1));
            double ny = fmax(bx[i].y0, fmin(c[j].cy, bx[i].y1));
            if (hypot(c[j].cx - nx, c[j].cy - ny) < c[j].r)
                fail_msg("label %d covers glyph %d (rtl %d)", i + 1, j + 1,
                         rtl);
        }
    }
    for (int i = 0; i < N; i++)
        free((char *)g[i].label);
    buf_release(&b);
}

static void test_matrix_crowded(void **state)
{
    (void)state;
    check_crowded(0);
    check_crowded(1);
}

static void test_num(void **state)
{
    (void)state;
    osafe_buf b = OSAFE_BUF_INIT;
    assert_int_equal(svg_num(&b, 0.25, 3), 0);
    assert_int_equal(buf_putc(&b, ' '), 0);
    assert_int_equal(svg_num(&b, -3.5, 2), 0);
    assert_int_equal(buf_putc(&b, ' '), 0);
    assert_int_equal(svg_num(&b, 12.0004, 3), 0);
    assert_int_equal(buf_putc(&b, ' '), 0);
    assert_int_equal(svg_num(&b, NAN, 3), 0);
    assert_int_equal(buf_putc(&b, ' '), 0);
    assert_int_equal(svg_num(&b, -0.0001, 2), 0);
    assert_string_equal(b.data, "0.25 -3.5 12 0 0");
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xmlcheck_rejects),
        cmocka_unit_test(test_xmlcheck_accepts),
        cmocka_unit_test(test_bars_geometry),
        cmocka_unit_test(test_bars_rtl),
        cmocka_unit_test(test_bars_paired),
        cmocka_unit_test(test_bars_hostile),
        cmocka_unit_test(test_bars_refused),
        cmocka_unit_test(test_matrix),
        cmocka_unit_test(test_matrix_crowded),
        cmocka_unit_test(test_matrix_refused),
        cmocka_unit_test(test_matrix_mark),
        cmocka_unit_test(test_matrix_dodge),
        cmocka_unit_test(test_num),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
