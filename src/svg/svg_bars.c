/*
 * svg_bars.c - horizontal bar charts with interval whiskers (svg.h).
 *
 * Layout (left to right; mirrored when rtl):
 *   [ labels | plot: bars from 0 to value, whisker lo..hi | value text ]
 * One row per category (two bars per row when paired), an axis with
 * quarter ticks under the plot, the axis label under that.  Geometry is
 * plain arithmetic on the constants below so that a test can recompute
 * where a value must be: x(v) = plot_x0 + v / max * PLOT_W (ltr).
 */
#include <math.h>
#include <string.h>

#include "core/utf8.h"
#include "core/xml.h"
#include "svg/svg.h"
#include "svg/svg_int.h"

#define W 680.0
#define PAD 10.0
#define LABEL_W 150.0
#define VALUE_W 180.0
#define PLOT_W (W - 2 * PAD - LABEL_W - VALUE_W) /* 330 */
#define TOP_SINGLE 40.0
#define TOP_PAIRED 58.0 /* room for the legend */
#define ROW_SINGLE 26.0
#define ROW_PAIRED 38.0
#define BAR_SINGLE 14.0
#define BAR_PAIRED 12.0
#define BOTTOM 46.0
/* Labels longer than this many characters are cut with an ellipsis on the
 * drawing (the full text stays in the row's <title> and data-label). */
#define LABEL_CHARS 22

typedef struct geom {
    double x0;   /* left edge of the plot area */
    double max;
    int rtl;
} geom;

static double frac_of(const geom *g, double v)
{
    double f = v / g->max;
    if (!(f > 0))
        return 0;
    return f > 1 ? 1 : f;
}

/* x of a value on the axis. */
static double xpos(const geom *g, double v)
{
    double f = frac_of(g, v);
    return g->rtl ? g->x0 + PLOT_W - f * PLOT_W : g->x0 + f * PLOT_W;
}

static int finite_or_nan(double v)
{
    return isnan(v) || isfinite(v);
}

/* Bytes of s that hold at most LABEL_CHARS code points (an invalid byte
 * counts as one; the escaper replaces it). */
static size_t label_cut(const char *s, int *cut)
{
    size_t n = strlen(s), i = 0;
    int chars = 0;
    while (i < n && chars < LABEL_CHARS) {
        uint32_t cp;
        size_t u = utf8_decode(s + i, n - i, &cp);
        i += u ? u : 1;
        chars++;
    }
    *cut = i < n;
    return i;
}

static int check_bars(const svg_bar *b, size_t n, const char *which,
                      osafe_err *e)
{
    for (size_t i = 0; i < n; i++) {
        if (!finite_or_nan(b[i].value) || !finite_or_nan(b[i].lo) ||
            !finite_or_nan(b[i].hi))
            return osafe_errf(e, OSAFE_EINVAL,
                              "svg: %s bar %zu has an infinite value",
                              which, i);
        int rc = svg__check_href(b[i].href, "bar", e);
        if (rc)
            return rc;
    }
    return 0;
}

static int check_opts(const svg_chart_opts *o, size_t n, osafe_err *e)
{
    if (!o || !o->title || !*o->title)
        return osafe_errf(e, OSAFE_EINVAL, "svg: a chart needs a title");
    if (n > SVG_ITEMS_MAX)
        return osafe_errf(e, OSAFE_EINVAL,
                          "svg: %zu rows, at most %u are drawn", n,
                          SVG_ITEMS_MAX);
    if (isnan(o->max) || o->max < 0 || isinf(o->max))
        return osafe_errf(e, OSAFE_EINVAL,
                          "svg: the axis maximum must be a positive number");
    return 0;
}

/* One bar with its whisker and value text; data-* on the rect. */
static int draw_bar(osafe_buf *out, const geom *g, const svg_bar *b,
                    const char *label, double ytop, double h,
                    const char *colour, const char *series,
                    const svg_chart_opts *o)
{
    int rc = 0;
    double yc = ytop + h / 2;
    double tx = g->rtl ? g->x0 - 6 : g->x0 + PLOT_W + 6;
    if (isnan(b->value)) {
        rc = svg__text_open(out, tx, yc + 4, g->rtl ? SVG__RIGHT : SVG__LEFT,
                            g->rtl);
        if (rc == 0)
            rc = buf_puts(out, " class=\"na\" data-na=\"1\" fill=\"" SVG__MUTED
                               "\"");
        if (rc == 0)
            rc = svg__str_attr(out, "data-label", label);
        if (rc == 0)
            rc = svg__str_attr(out, "data-series", series);
        return rc ? rc : svg__text_body(out, o->na_text ? o->na_text : "n/a");
    }
    double w = frac_of(g, b->value) * PLOT_W;
    double x = g->rtl ? g->x0 + PLOT_W - w : g->x0;
    rc = buf_puts(out, "<rect class=\"bar\"");
    if (rc == 0)
        rc = svg__num_attr(out, "x", x, 2);
    if (rc == 0)
        rc = svg__num_attr(out, "y", ytop, 2);
    if (rc == 0)
        rc = svg__num_attr(out, "width", w, 2);
    if (rc == 0)
        rc = svg__num_attr(out, "height", h, 2);
    if (rc == 0)
        rc = buf_printf(out, " fill=\"%s\"", colour);
    if (rc == 0)
        rc = svg__str_attr(out, "data-label", label);
    if (rc == 0)
        rc = svg__str_attr(out, "data-series", series);
    if (rc == 0)
        rc = svg__num_attr(out, "data-value", b->value, 6);
    int whisk = !isnan(b->lo) && !isnan(b->hi);
    double lo = b->lo, hi = b->hi;
    if (whisk && lo > hi) {
        lo = b->hi;
        hi = b->lo;
    }
    if (rc == 0 && whisk)
        rc = svg__num_attr(out, "data-lo", lo, 6);
    if (rc == 0 && whisk)
        rc = svg__num_attr(out, "data-hi", hi, 6);
    if (rc == 0)
        rc = buf_puts(out, "/>");
    if (rc == 0 && whisk) {
        double x1 = xpos(g, lo), x2 = xpos(g, hi);
        /* the whisker and its caps as one path: dark on the bar and on the
         * background alike */
        rc = buf_puts(out, "<path class=\"whisker\" stroke=\"" SVG__INK
                           "\" stroke-width=\"1.5\" fill=\"none\"");
        if (rc == 0)
            rc = svg__num_attr(out, "data-lo", lo, 6);
        if (rc == 0)
            rc = svg__num_attr(out, "data-hi", hi, 6);
        if (rc == 0)
            rc = buf_puts(out, " d=\"M");
        if (rc == 0)
            rc = svg_num(out, x1, 2);
        if (rc == 0)
            rc = buf_putc(out, ' ');
        if (rc == 0)
            rc = svg_num(out, yc, 2);
        if (rc == 0)
            rc = buf_puts(out, "H");
        if (rc == 0)
            rc = svg_num(out, x2, 2);
        for (int k = 0; k < 2 && rc == 0; k++) {
            rc = buf_puts(out, "M");
            if (rc == 0)
                rc = svg_num(out, k ? x2 : x1, 2);
            if (rc == 0)
                rc = buf_putc(out, ' ');
            if (rc == 0)
                rc = svg_num(out, yc - h / 2 + 1, 2);
            if (rc == 0)
                rc = buf_puts(out, "V");
            if (rc == 0)
                rc = svg_num(out, yc + h / 2 - 1, 2);
        }
        if (rc == 0)
            rc = buf_puts(out, "\"/>");
    }
    /* value text: "25% [18–33%]  n = 120" */
    if (rc == 0)
        rc = svg__text_open(out, tx, yc + 4, g->rtl ? SVG__RIGHT : SVG__LEFT,
                            g->rtl);
    if (rc == 0)
        rc = buf_puts(out, " class=\"value\" font-size=\"11\">");
    /* In a right-to-left line the bidi algorithm would reorder "12% [8%-
     * 17%]" into "[17%-8%] 12%"; an isolate keeps the numbers in reading
     * order while the note around them stays right to left. */
    if (rc == 0 && g->rtl)
        rc = buf_puts(out, "\xE2\x81\xA6"); /* LRI */
    if (rc == 0)
        rc = svg__value_text(out, b->value, o->percent, o->locale_decimal);
    if (rc == 0 && whisk) {
        rc = buf_puts(out, " [");
        if (rc == 0)
            rc = svg__value_text(out, lo, o->percent, o->locale_decimal);
        if (rc == 0)
            rc = buf_puts(out, "\xE2\x80\x93"); /* en dash */
        if (rc == 0)
            rc = svg__value_text(out, hi, o->percent, o->locale_decimal);
        if (rc == 0)
            rc = buf_putc(out, ']');
    }
    if (rc == 0 && g->rtl)
        rc = buf_puts(out, "\xE2\x81\xA9"); /* PDI */
    if (rc == 0 && b->note && *b->note) {
        rc = buf_puts(out, "  ");
        if (rc == 0)
            rc = xml_escape(out, b->note);
    }
    if (rc == 0)
        rc = buf_puts(out, "</text>");
    return rc;
}

/* The category label of a row, cut if long, linked if href. */
static int draw_label(osafe_buf *out, const geom *g, const svg_bar *b,
                      double yc)
{
    const char *label = b->label ? b->label : "";
    double x = g->rtl ? g->x0 + PLOT_W + 6 : g->x0 - 6;
    int rc = 0;
    if (b->href) {
        rc = buf_puts(out, "<a");
        if (rc == 0)
            rc = svg__str_attr(out, "href", b->href);
        if (rc == 0)
            rc = buf_putc(out, '>');
    }
    if (rc == 0)
        rc = svg__text_open(out, x, yc + 4, g->rtl ? SVG__LEFT : SVG__RIGHT,
                            g->rtl);
    if (rc == 0)
        rc = buf_puts(out, " class=\"label\"");
    if (rc == 0 && b->href)
        rc = buf_puts(out, " text-decoration=\"underline\"");
    if (rc == 0)
        rc = buf_putc(out, '>');
    int cut = 0;
    size_t nb = label_cut(label, &cut);
    if (rc == 0)
        rc = xml_escape_n(out, label, nb);
    if (rc == 0 && cut)
        rc = buf_puts(out, "\xE2\x80\xA6"); /* ellipsis */
    if (rc == 0)
        rc = buf_puts(out, "</text>");
    if (rc == 0 && b->href)
        rc = buf_puts(out, "</a>");
    return rc;
}

/* Grid lines at quarters of the axis, tick values, the axis label. */
static int draw_axis(osafe_buf *out, const geom *g, double ytop, double ybot,
                     const svg_chart_opts *o)
{
    int rc = 0;
    for (int k = 0; k <= 4 && rc == 0; k++) {
        double v = g->max * k / 4.0, x = xpos(g, v);
        rc = buf_printf(out, "<path stroke=\"%s\" stroke-width=\"1\" d=\"M",
                        k ? SVG__GRID : SVG__MUTED);
        if (rc == 0)
            rc = svg_num(out, x, 2);
        if (rc == 0)
            rc = buf_putc(out, ' ');
        if (rc == 0)
            rc = svg_num(out, ytop, 2);
        if (rc == 0)
            rc = buf_puts(out, "V");
        if (rc == 0)
            rc = svg_num(out, ybot, 2);
        if (rc == 0)
            rc = buf_puts(out, "\"/>");
        if (rc == 0)
            rc = svg__text_open(out, x, ybot + 14, SVG__MIDDLE, g->rtl);
        if (rc == 0)
            rc = buf_puts(out, " class=\"tick\" font-size=\"10\" fill=\""
                               SVG__MUTED "\">");
        if (rc == 0)
            rc = svg__value_text(out, v, o->percent, o->locale_decimal);
        if (rc == 0)
            rc = buf_puts(out, "</text>");
    }
    if (rc == 0 && o->axis_label && *o->axis_label) {
        rc = svg__text_open(out, g->x0 + PLOT_W / 2, ybot + 32, SVG__MIDDLE,
                            g->rtl);
        if (rc == 0)
            rc = buf_puts(out, " class=\"axis-label\"");
        if (rc == 0)
            rc = svg__text_body(out, o->axis_label);
    }
    return rc;
}

static int draw_title(osafe_buf *out, const svg_chart_opts *o)
{
    int rc = o->rtl ? svg__text_open(out, W - PAD, 20, SVG__RIGHT, 1)
                    : svg__text_open(out, PAD, 20, SVG__LEFT, 0);
    if (rc == 0)
        rc = buf_puts(out, " class=\"heading\" font-size=\"14\""
                           " font-weight=\"bold\"");
    return rc ? rc : svg__text_body(out, o->title);
}

static int draw_legend(osafe_buf *out, const geom *g, const svg_chart_opts *o)
{
    static const char *const colours[2] = {SVG__SERIES_A, SVG__SERIES_B};
    int rc = 0;
    double x = g->rtl ? W - PAD - LABEL_W : PAD + LABEL_W;
    for (int k = 0; k < 2 && rc == 0; k++) {
        const char *name = o->series[k] ? o->series[k] : (k ? "B" : "A");
        double y = 30 + 14 * k;
        rc = buf_puts(out, "<rect class=\"legend\"");
        if (rc == 0)
            rc = svg__num_attr(out, "x", g->rtl ? x - 10 : x, 1);
        if (rc == 0)
            rc = svg__num_attr(out, "y", y, 1);
        if (rc == 0)
            rc = buf_printf(out, " width=\"10\" height=\"10\" fill=\"%s\"/>",
                            colours[k]);
        if (rc == 0)
            rc = svg__text_open(out, g->rtl ? x - 14 : x + 14, y + 9,
                                g->rtl ? SVG__RIGHT : SVG__LEFT, g->rtl);
        if (rc == 0)
            rc = svg__text_body(out, name);
    }
    return rc;
}

static int chart(osafe_buf *out, const svg_bar *a, const svg_bar *b,
                 size_t n, const svg_chart_opts *o, osafe_err *e)
{
    int rc = check_opts(o, n, e);
    if (rc)
        return rc;
    if (n && !a)
        return osafe_errf(e, OSAFE_EINVAL, "svg: no bars given for %zu rows",
                          n);
    rc = check_bars(a, n, "first", e);
    if (rc == 0 && b)
        rc = check_bars(b, n, "second", e);
    if (rc)
        return rc;
    geom g = {o->rtl ? PAD + VALUE_W : PAD + LABEL_W,
              o->max > 0 ? o->max : 1.0, o->rtl};
    double top = b ? TOP_PAIRED : TOP_SINGLE;
    double row = b ? ROW_PAIRED : ROW_SINGLE;
    double plot_h = row * (double)n;
    size_t start = out->len;
    rc = svg__open(out, W, top + plot_h + BOTTOM, o->title, o->desc, o->rtl,
                   e);
    if (rc)
        return rc;
    rc = draw_title(out, o);
    if (rc == 0 && b)
        rc = draw_legend(out, &g, o);
    if (rc == 0)
        rc = draw_axis(out, &g, top - 4, top + plot_h, o);
    for (size_t i = 0; i < n && rc == 0; i++) {
        double y = top + row * (double)i;
        const char *label = a[i].label ? a[i].label : "";
        rc = buf_puts(out, "<g class=\"row\"");
        if (rc == 0)
            rc = svg__str_attr(out, "data-label", label);
        if (rc == 0)
            rc = buf_puts(out, "><title>");
        if (rc == 0)
            rc = xml_escape(out, label);
        if (rc == 0)
            rc = buf_puts(out, "</title>");
        if (rc == 0)
            rc = draw_label(out, &g, &a[i], y + row / 2);
        if (b) {
            double pad = (row - 2 * BAR_PAIRED) / 3;
            if (rc == 0)
                rc = draw_bar(out, &g, &a[i], label, y + pad, BAR_PAIRED,
                              SVG__SERIES_A, "a", o);
            if (rc == 0)
                rc = draw_bar(out, &g, &b[i], label,
                              y + 2 * pad + BAR_PAIRED, BAR_PAIRED,
                              SVG__SERIES_B, "b", o);
        } else if (rc == 0) {
            rc = draw_bar(out, &g, &a[i], label, y + (row - BAR_SINGLE) / 2,
                          BAR_SINGLE, SVG__SERIES_A, NULL, o);
        }
        if (rc == 0)
            rc = buf_puts(out, "</g>");
    }
    if (rc == 0)
        rc = buf_puts(out, "</svg>");
    if (rc)
        svg__truncate(out, start);
    return svg__buf_err(rc, e);
}

int svg_bars(osafe_buf *out, const svg_bar *bars, size_t n,
             const svg_chart_opts *o, osafe_err *e)
{
    return chart(out, bars, NULL, n, o, e);
}

int svg_bars_paired(osafe_buf *out, const svg_bar *a, const svg_bar *b,
                    size_t n, const svg_chart_opts *o, osafe_err *e)
{
    if (n && !b)
        return osafe_errf(e, OSAFE_EINVAL,
                          "svg: a paired chart needs both series");
    return chart(out, a, b ? b : a, n, o, e);
}
