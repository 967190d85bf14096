/*
 * svg_matrix.c - the 5 x 5 risk matrix (svg.h).
 *
 * The grid follows ../shared/design/risk-taxonomy.md 2.7 (Cox's critique
 * of risk matrices): cell colour is a function of i + j only, so every
 * diagonal (an iso-risk line when both axes are log-spaced) has one colour
 * and colour never contradicts the ordering; each risk is a glyph at its
 * posterior median with interval whiskers, its size the amount of
 * evidence, hollow when under-evidenced, with an arrow from where the
 * previous report put it.  The grid is only a view; the ranked table is
 * the decision artefact.
 *
 * Geometry (ltr): column j spans x in [GX0 + j*CELL, GX0 + (j+1)*CELL),
 * row i (impact, bottom to top) spans y in [GY0 + (4-i)*CELL, ...).  With
 * rtl the likelihood axis runs right to left and the impact ticks sit on
 * the right.
 */
#include <math.h>

#include "core/xml.h"
#include "svg/svg.h"
#include "svg/svg_int.h"

#define CELL 72.0
#define M_AXIS 124.0 /* side with the impact ticks and label */
#define M_FAR 24.0   /* the other side */
#define M_TOP 36.0
#define M_BOTTOM 66.0
#define MW (M_AXIS + 5 * CELL + M_FAR)
#define MH (M_TOP + 5 * CELL + M_BOTTOM)
#define R_MIN 5.0  /* glyph radius with the least evidence */
#define R_SPAN 9.0 /* added for the most */

/* ColorBrewer RdYlBu, 9 classes (marked colour-blind safe), blue for the
 * low diagonals to red for the high ones; the darkest ends keep >= 4.4:1
 * against the near-black glyphs. */
static const char *const level_colour[9] = {
    "#4575b4", "#74add1", "#abd9e9", "#e0f3f8", "#ffffbf",
    "#fee090", "#fdae61", "#f46d43", "#d73027"};

typedef struct mgeom {
    double gx0, gy0;
    int rtl;
} mgeom;

static double clamp5(double v)
{
    return v < 0 ? 0 : v > 5 ? 5 : v;
}

static double mx(const mgeom *g, double x)
{
    x = clamp5(x);
    return g->rtl ? g->gx0 + (5 - x) * CELL : g->gx0 + x * CELL;
}

static double my(const mgeom *g, double y)
{
    return g->gy0 + (5 - clamp5(y)) * CELL;
}

static int check_glyphs(const svg_glyph *gl, size_t n, osafe_err *e)
{
    for (size_t i = 0; i < n; i++) {
        const svg_glyph *q = &gl[i];
        if (!isfinite(q->x) || !isfinite(q->y) || !isfinite(q->size))
            return osafe_errf(e, OSAFE_EINVAL,
                              "svg: glyph %zu needs finite x, y and size", i);
        double opt[6] = {q->x_lo, q->x_hi, q->y_lo, q->y_hi, q->prev_x,
                         q->prev_y};
        for (int k = 0; k < 6; k++)
            if (isinf(opt[k]))
                return osafe_errf(e, OSAFE_EINVAL,
                                  "svg: glyph %zu has an infinite bound", i);
        int rc = svg__check_href(q->href, "glyph", e);
        if (rc)
            return rc;
    }
    return 0;
}

static int path_seg(osafe_buf *out, char cmd, double x, double y)
{
    int rc = buf_putc(out, cmd);
    if (rc == 0)
        rc = svg_num(out, x, 2);
    if (rc == 0)
        rc = buf_putc(out, ' ');
    if (rc == 0)
        rc = svg_num(out, y, 2);
    return rc;
}

static int draw_grid(osafe_buf *out, const mgeom *g)
{
    int rc = 0;
    for (int i = 0; i < 5 && rc == 0; i++) {
        for (int j = 0; j < 5 && rc == 0; j++) {
            double x = g->rtl ? g->gx0 + (4 - j) * CELL : g->gx0 + j * CELL;
            rc = buf_puts(out, "<rect class=\"cell\"");
            if (rc == 0)
                rc = svg__num_attr(out, "x", x, 2);
            if (rc == 0)
                rc = svg__num_attr(out, "y", g->gy0 + (4 - i) * CELL, 2);
            if (rc == 0)
                rc = buf_printf(out,
                                " width=\"%d\" height=\"%d\" fill=\"%s\""
                                " stroke=\"#ffffff\" stroke-width=\"1\""
                                " data-col=\"%d\" data-row=\"%d\""
                                " data-level=\"%d\"/>",
                                (int)CELL, (int)CELL, level_colour[i + j], j,
                                i, i + j);
        }
    }
    return rc;
}

static int draw_axes(osafe_buf *out, const mgeom *g,
                     const svg_matrix_opts *o)
{
    int rc = 0;
    double base = g->gy0 + 5 * CELL;
    for (int j = 0; j < 5 && rc == 0; j++) {
        if (!o->x_ticks[j])
            continue;
        rc = svg__text_open(out, mx(g, j + 0.5), base + 16, SVG__MIDDLE,
                            g->rtl);
        if (rc == 0)
            rc = buf_puts(out, " class=\"tick\" font-size=\"10\"");
        if (rc == 0)
            rc = svg__text_body(out, o->x_ticks[j]);
    }
    for (int i = 0; i < 5 && rc == 0; i++) {
        if (!o->y_ticks[i])
            continue;
        double x = g->rtl ? g->gx0 + 5 * CELL + 6 : g->gx0 - 6;
        rc = svg__text_open(out, x, my(g, i + 0.5) + 4,
                            g->rtl ? SVG__LEFT : SVG__RIGHT, g->rtl);
        if (rc == 0)
            rc = buf_puts(out, " class=\"tick\" font-size=\"10\"");
        if (rc == 0)
            rc = svg__text_body(out, o->y_ticks[i]);
    }
    if (rc == 0 && o->x_label) {
        rc = svg__text_open(out, g->gx0 + 2.5 * CELL, base + 40, SVG__MIDDLE,
                            g->rtl);
        if (rc == 0)
            rc = buf_puts(out, " class=\"axis-label\"");
        if (rc == 0)
            rc = svg__text_body(out, o->x_label);
    }
    if (rc == 0 && o->y_label) {
        double x = g->rtl ? MW - 14 : 14, y = g->gy0 + 2.5 * CELL;
        rc = svg__text_open(out, x, y, SVG__MIDDLE, g->rtl);
        if (rc == 0)
            rc = buf_puts(out, " class=\"axis-label\" transform=\"rotate(");
        if (rc == 0)
            rc = buf_puts(out, g->rtl ? "90 " : "-90 ");
        if (rc == 0)
            rc = svg_num(out, x, 1);
        if (rc == 0)
            rc = buf_putc(out, ' ');
        if (rc == 0)
            rc = svg_num(out, y, 1);
        if (rc == 0)
            rc = buf_puts(out, ")\"");
        if (rc == 0)
            rc = svg__text_body(out, o->y_label);
    }
    return rc;
}

/* Whiskers on both axes where the bounds are known. */
static int draw_whiskers(osafe_buf *out, const mgeom *g, const svg_glyph *q,
                         double cx, double cy)
{
    int hx = !isnan(q->x_lo) && !isnan(q->x_hi);
    int hy = !isnan(q->y_lo) && !isnan(q->y_hi);
    if (!hx && !hy)
        return 0;
    int rc = buf_puts(out, "<path class=\"whisker\" fill=\"none\" stroke=\""
                           SVG__INK "\" stroke-width=\"1.5\" d=\"");
    if (rc == 0 && hx) {
        double x1 = mx(g, q->x_lo), x2 = mx(g, q->x_hi);
        rc = path_seg(out, 'M', x1, cy);
        if (rc == 0)
            rc = path_seg(out, 'L', x2, cy);
        if (rc == 0)
            rc = path_seg(out, 'M', x1, cy - 4);
        if (rc == 0)
            rc = path_seg(out, 'L', x1, cy + 4);
        if (rc == 0)
            rc = path_seg(out, 'M', x2, cy - 4);
        if (rc == 0)
            rc = path_seg(out, 'L', x2, cy + 4);
    }
    if (rc == 0 && hy) {
        double y1 = my(g, q->y_lo), y2 = my(g, q->y_hi);
        rc = path_seg(out, 'M', cx, y1);
        if (rc == 0)
            rc = path_seg(out, 'L', cx, y2);
        if (rc == 0)
            rc = path_seg(out, 'M', cx - 4, y1);
        if (rc == 0)
            rc = path_seg(out, 'L', cx + 4, y1);
        if (rc == 0)
            rc = path_seg(out, 'M', cx - 4, y2);
        if (rc == 0)
            rc = path_seg(out, 'L', cx + 4, y2);
    }
    return rc ? rc : buf_puts(out, "\"/>");
}

/* A dashed line from the previous position to the glyph's edge and an
 * arrowhead drawn as a polygon (markers would need ids, which clash when
 * a page holds several charts). */
static int draw_arrow(osafe_buf *out, const mgeom *g, const svg_glyph *q,
                      double cx, double cy, double r)
{
    if (isnan(q->prev_x) || isnan(q->prev_y))
        return 0;
    double px = mx(g, q->prev_x), py = my(g, q->prev_y);
    double dx = cx - px, dy = cy - py, len = hypot(dx, dy);
    if (len <= r + 8) /* no visible move */
        return 0;
    double ux = dx / len, uy = dy / len;
    double tx = cx - ux * r, ty = cy - uy * r; /* tip on the circle */
    double bx = tx - ux * 7, by = ty - uy * 7; /* base of the head */
    int rc = buf_puts(out, "<path class=\"arrow\" fill=\"none\" stroke=\""
                           SVG__INK "\" stroke-width=\"1.2\""
                           " stroke-dasharray=\"3 2\"");
    if (rc == 0)
        rc = svg__num_attr(out, "data-prev-x", q->prev_x, 4);
    if (rc == 0)
        rc = svg__num_attr(out, "data-prev-y", q->prev_y, 4);
    if (rc == 0)
        rc = buf_puts(out, " d=\"");
    if (rc == 0)
        rc = path_seg(out, 'M', px, py);
    if (rc == 0)
        rc = path_seg(out, 'L', bx, by);
    if (rc == 0)
        rc = buf_puts(out, "\"/><path class=\"arrowhead\" fill=\"" SVG__INK
                           "\" d=\"");
    if (rc == 0)
        rc = path_seg(out, 'M', tx, ty);
    if (rc == 0)
        rc = path_seg(out, 'L', bx - uy * 4, by + ux * 4);
    if (rc == 0)
        rc = path_seg(out, 'L', bx + uy * 4, by - ux * 4);
    return rc ? rc : buf_puts(out, "Z\"/>");
}

static int opt_num(osafe_buf *out, const char *name, double v)
{
    return isnan(v) ? 0 : svg__num_attr(out, name, v, 4);
}

/* Glyphs closer than this (px) count as one spot, and are spread apart by
 * DODGE_STEP px at a time. */
#define DODGE_NEAR 6.0
#define DODGE_STEP 13.0

/*
 * Risks at the same spot (one hazard for several models with equal
 * evidence, say) would hide one another: the second and later glyphs of a
 * spot move up and down the impact row, alternately, in the order given
 * (rank order, so the first stays in place).  Only the vertical position
 * within the row moves: impact is a level, so nothing is misread, and the
 * likelihood (x) and the data-* values stay exact.
 */
static void dodge(const mgeom *g, const svg_glyph *gl, size_t n, double *dy)
{
    for (size_t i = 0; i < n; i++) {
        double cx = mx(g, gl[i].x), cy = my(g, gl[i].y);
        unsigned k = 0;
        for (size_t j = 0; j < i; j++)
            k += fabs(mx(g, gl[j].x) - cx) < DODGE_NEAR &&
                 fabs(my(g, gl[j].y) - cy) < DODGE_NEAR;
        dy[i] = 0;
        if (k == 0)
            continue;
        double off = (double)((k + 1) / 2) * DODGE_STEP * (k % 2 ? -1 : 1);
        /* keep the glyph's centre inside its own row */
        double row = floor(clamp5(gl[i].y));
        if (row > 4)
            row = 4;
        double top = my(g, row + 1) + R_MIN, bottom = my(g, row) - R_MIN;
        double y = cy + off;
        y = y < top ? top : y > bottom ? bottom : y;
        dy[i] = y - cy;
    }
}

static int draw_glyph(osafe_buf *out, const mgeom *g, const svg_glyph *q,
                      double dy)
{
    double cx = mx(g, q->x), cy = my(g, q->y) + dy;
    double s = q->size < 0 ? 0 : q->size > 1 ? 1 : q->size;
    double r = R_MIN + R_SPAN * s;
    int rc = 0;
    if (q->href) {
        rc = buf_puts(out, "<a");
        if (rc == 0)
            rc = svg__str_attr(out, "href", q->href);
        if (rc == 0)
            rc = buf_putc(out, '>');
    }
    if (rc == 0)
        rc = buf_puts(out, "<g class=\"risk\"><title>");
    if (rc == 0)
        rc = xml_escape(out, q->label ? q->label : "");
    if (rc == 0)
        rc = buf_puts(out, "</title>");
    if (rc == 0)
        rc = draw_whiskers(out, g, q, cx, cy);
    if (rc == 0)
        rc = draw_arrow(out, g, q, cx, cy, r);
    if (rc == 0)
        rc = buf_puts(out, "<circle class=\"glyph\"");
    if (rc == 0)
        rc = svg__num_attr(out, "cx", cx, 2);
    if (rc == 0)
        rc = svg__num_attr(out, "cy", cy, 2);
    if (rc == 0)
        rc = svg__num_attr(out, "r", r, 2);
    /* hollow: a ring the colour of the page, so "little evidence" reads
     * the same on every cell colour */
    if (rc == 0)
        rc = buf_puts(out, q->hollow
                               ? " fill=\"#ffffff\" stroke=\"" SVG__INK
                                 "\" stroke-width=\"2\" data-hollow=\"1\""
                               : " fill=\"" SVG__INK "\" stroke=\"#ffffff\""
                                 " stroke-width=\"1.5\" data-hollow=\"0\"");
    if (rc == 0)
        rc = svg__str_attr(out, "data-label", q->label ? q->label : "");
    if (rc == 0)
        rc = svg__num_attr(out, "data-x", q->x, 4);
    if (rc == 0)
        rc = svg__num_attr(out, "data-y", q->y, 4);
    if (rc == 0)
        rc = opt_num(out, "data-x-lo", q->x_lo);
    if (rc == 0)
        rc = opt_num(out, "data-x-hi", q->x_hi);
    if (rc == 0)
        rc = opt_num(out, "data-y-lo", q->y_lo);
    if (rc == 0)
        rc = opt_num(out, "data-y-hi", q->y_hi);
    if (rc == 0)
        rc = svg__num_attr(out, "data-size", s, 4);
    if (rc == 0)
        rc = buf_printf(out, " data-tier=\"%d\"/>", q->tier);
    const char *shown = q->mark ? q->mark : q->label;
    if (rc == 0 && shown && *shown) {
        /* beside the glyph, away from the impact axis; a white halo keeps
         * it readable on every cell colour */
        rc = svg__text_open(out, g->rtl ? cx - r - 3 : cx + r + 3, cy + 4,
                            g->rtl ? SVG__RIGHT : SVG__LEFT, g->rtl);
        if (rc == 0)
            rc = buf_puts(out, " class=\"glyph-label\" font-size=\"11\""
                               " stroke=\"#ffffff\" stroke-width=\"3\""
                               " paint-order=\"stroke\"");
        if (rc == 0)
            rc = svg__text_body(out, shown);
    }
    if (rc == 0)
        rc = buf_puts(out, "</g>");
    if (rc == 0 && q->href)
        rc = buf_puts(out, "</a>");
    return rc;
}

int svg_matrix(osafe_buf *out, const svg_glyph *gl, size_t n,
               const svg_matrix_opts *o, osafe_err *e)
{
    if (!o || !o->title || !*o->title)
        return osafe_errf(e, OSAFE_EINVAL, "svg: a matrix needs a title");
    if (n > SVG_ITEMS_MAX)
        return osafe_errf(e, OSAFE_EINVAL,
                          "svg: %zu glyphs, at most %u are drawn", n,
                          SVG_ITEMS_MAX);
    if (n && !gl)
        return osafe_errf(e, OSAFE_EINVAL, "svg: no glyphs given for %zu", n);
    int rc = check_glyphs(gl, n, e);
    if (rc)
        return rc;
    mgeom g = {o->rtl ? M_FAR : M_AXIS, M_TOP, o->rtl};
    size_t start = out->len;
    rc = svg__open(out, MW, MH, o->title, o->desc, o->rtl, e);
    if (rc)
        return rc;
    rc = o->rtl ? svg__text_open(out, MW - 10, 22, SVG__RIGHT, 1)
                : svg__text_open(out, 10, 22, SVG__LEFT, 0);
    if (rc == 0)
        rc = buf_puts(out, " class=\"heading\" font-size=\"14\""
                           " font-weight=\"bold\"");
    if (rc == 0)
        rc = svg__text_body(out, o->title);
    if (rc == 0)
        rc = draw_grid(out, &g);
    if (rc == 0)
        rc = draw_axes(out, &g, o);
    double dy[SVG_ITEMS_MAX];
    dodge(&g, gl, n, dy);
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = draw_glyph(out, &g, &gl[i], dy[i]);
    if (rc == 0)
        rc = buf_puts(out, "</svg>");
    if (rc)
        svg__truncate(out, start);
    return svg__buf_err(rc, e);
}
