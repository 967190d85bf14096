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
#include <stdlib.h>

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

/*
 * Layout.  Risks at one spot (one hazard for several models with equal
 * evidence, say) would hide one another, and a label drawn beside a glyph
 * at the grid's edge would be cut by the edge of the picture (issue 16
 * item 9: marks 11-13).  So, in the order given (rank order: the first
 * keeps its place):
 * - each glyph takes the free position nearest to its own inside its
 *   cell, moving up or down the impact row before sideways (impact is a
 *   level, likelihood a value); where its cell is too crowded for its
 *   size it is drawn smaller (0.75, then 0.5), and only if even that
 *   fails it overlaps.  The data-* attributes keep the exact values and
 *   the whiskers the intervals;
 * - then each label takes the first place, beside its glyph and then
 *   further out along eight directions (with a leader line), that lies
 *   inside the picture, clear of the impact ticks and of every glyph and
 *   label already placed.
 * Label widths are estimated (LABEL_EM of the font size a character),
 * generously for digits and Latin text.
 */
#define GLYPH_GAP 1.5   /* px between two glyphs */
#define POS_STEP 3.0    /* px between candidate positions */
#define LABEL_FONT 11.0
#define LABEL_EM 0.62   /* width of a character, in em (estimate) */
#define LABEL_H 13.0    /* box height: 10 above the baseline, 3 below */
#define LABEL_PAD 3.0   /* between a glyph and its label */
#define LABEL_RINGS 12  /* further places tried, LABEL_RING px apart */
#define LABEL_RING 7.0

typedef struct gpos {
    double cx, cy, r;
    double bx, by, bw; /* label box: left, top, width (bw 0: no label) */
    int leader;        /* the label sits away from its glyph */
} gpos;

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static int circle_free(const gpos *p, size_t k, double x, double y, double r)
{
    for (size_t j = 0; j < k; j++)
        if (hypot(p[j].cx - x, p[j].cy - y) < p[j].r + r + GLYPH_GAP)
            return 0;
    return 1;
}

/* Place glyph i inside [x0, x0 + CELL) x [y0, y0 + CELL] at radius r, the
 * nearest free spot to (ix, iy), sideways moves costing twice as much.
 * 0 and p[i] set, or -1. */
static int place_glyph(gpos *p, size_t i, double ix, double iy, double r,
                       double x0, double y0)
{
    double best = INFINITY, bx = ix, by = iy;
    int steps = (int)(CELL / POS_STEP);
    for (int a = -steps; a <= steps; a++) {
        for (int b = -steps; b <= steps; b++) {
            double dx = a * POS_STEP, dy = b * POS_STEP;
            double cost = fabs(dy) + 2 * fabs(dx);
            double x = ix + dx, y = iy + dy;
            if (cost >= best)
                continue;
            /* the centre stays in its cell (the ideal spot always may) */
            if ((a || b) && (x < x0 + 1 || x > x0 + CELL - 1 ||
                             y < y0 + 1 || y > y0 + CELL - 1))
                continue;
            if (!circle_free(p, i, x, y, r))
                continue;
            best = cost;
            bx = x;
            by = y;
        }
    }
    if (!isfinite(best))
        return -1;
    p[i].cx = bx;
    p[i].cy = by;
    p[i].r = r;
    return 0;
}

static void layout_glyphs(const mgeom *g, const svg_glyph *gl, size_t n,
                          gpos *p)
{
    for (size_t i = 0; i < n; i++) {
        double s = gl[i].size < 0 ? 0 : gl[i].size > 1 ? 1 : gl[i].size;
        double r = R_MIN + R_SPAN * s;
        double ix = mx(g, gl[i].x), iy = my(g, gl[i].y);
        int col = (int)floor(clamp5(gl[i].x)), row = (int)floor(clamp5(gl[i].y));
        col = col > 4 ? 4 : col;
        row = row > 4 ? 4 : row;
        double x0 = g->rtl ? g->gx0 + (4 - col) * CELL : g->gx0 + col * CELL;
        double y0 = g->gy0 + (4 - row) * CELL;
        static const double shrink[3] = {1, 0.75, 0.5};
        int done = -1;
        for (int k = 0; k < 3 && done; k++)
            done = place_glyph(p, i, ix, iy, r * shrink[k], x0, y0);
        if (done) { /* nowhere free: its own spot, overlapping */
            p[i].cx = ix;
            p[i].cy = iy;
            p[i].r = r * shrink[2];
        }
    }
}

static int box_hits_circle(double bx, double by, double bw, const gpos *c)
{
    double nx = c->cx < bx ? bx : c->cx > bx + bw ? bx + bw : c->cx;
    double ny = c->cy < by ? by : c->cy > by + LABEL_H ? by + LABEL_H : c->cy;
    return hypot(c->cx - nx, c->cy - ny) < c->r + 1;
}

static int box_free(const gpos *p, size_t n, size_t upto, double bx,
                    double by, double bw)
{
    for (size_t j = 0; j < n; j++)
        if (box_hits_circle(bx, by, bw, &p[j]))
            return 0;
    for (size_t j = 0; j < upto; j++)
        if (p[j].bw > 0 && bx < p[j].bx + p[j].bw && p[j].bx < bx + bw &&
            by < p[j].by + LABEL_H && p[j].by < by + LABEL_H)
            return 0;
    return 1;
}

static void layout_labels(const mgeom *g, const svg_glyph *gl, size_t n,
                          gpos *p)
{
    /* the area a label may use: the grid and the far margin, above the
     * likelihood ticks, clear of the impact ticks and the heading */
    double ax0 = g->rtl ? 2 : g->gx0, ax1 = g->rtl ? g->gx0 + 5 * CELL : MW - 2;
    double ay0 = 28, ay1 = g->gy0 + 5 * CELL;
    /* directions: outward (away from the impact axis), inward, up, down,
     * then the diagonals */
    static const double dir[8][2] = {{1, 0},  {-1, 0}, {0, -1}, {0, 1},
                                     {1, -1}, {1, 1},  {-1, -1}, {-1, 1}};
    for (size_t i = 0; i < n; i++) {
        const char *shown = gl[i].mark ? gl[i].mark : gl[i].label;
        p[i].bw = 0;
        if (!shown || !*shown)
            continue;
        double bw = (double)utf8_chars(shown) * LABEL_EM * LABEL_FONT + 4;
        double fx = 0, fy = 0;
        int found = 0;
        for (int k = 0; k <= LABEL_RINGS && !found; k++) {
            double d = p[i].r + LABEL_PAD + k * LABEL_RING;
            for (int t = 0; t < 8 && !found; t++) {
                double ux = g->rtl ? -dir[t][0] : dir[t][0], uy = dir[t][1];
                /* the box's near edge (or corner) d px from the centre */
                double bx = ux > 0 ? p[i].cx + d * (uy ? 0.75 : 1)
                          : ux < 0 ? p[i].cx - d * (uy ? 0.75 : 1) - bw
                                   : p[i].cx - bw / 2;
                double by = uy > 0 ? p[i].cy + d * (ux ? 0.75 : 1)
                          : uy < 0 ? p[i].cy - d * (ux ? 0.75 : 1) - LABEL_H
                                   : p[i].cy - LABEL_H / 2;
                if (k == 0 && t == 0) { /* the first choice, clamped in */
                    fx = bx < ax0 ? ax0 : bx + bw > ax1 ? ax1 - bw : bx;
                    fy = by < ay0 ? ay0 : by + LABEL_H > ay1 ? ay1 - LABEL_H
                                                             : by;
                }
                if (bx < ax0 || bx + bw > ax1 || by < ay0 ||
                    by + LABEL_H > ay1 || !box_free(p, n, i, bx, by, bw))
                    continue;
                found = 1;
                p[i].bx = bx;
                p[i].by = by;
                p[i].leader = k > 0;
            }
        }
        if (!found) { /* crowded beyond help: inside the picture at least */
            p[i].bx = fx;
            p[i].by = fy;
            p[i].leader = 1;
        }
        p[i].bw = bw;
    }
}

static void layout(const mgeom *g, const svg_glyph *gl, size_t n, gpos *p)
{
    layout_glyphs(g, gl, n, p);
    layout_labels(g, gl, n, p);
}

/* A thin line from a glyph's edge to its label's nearest point. */
static int draw_leader(osafe_buf *out, const gpos *p)
{
    double nx = p->cx < p->bx ? p->bx : p->cx > p->bx + p->bw ? p->bx + p->bw
                                                              : p->cx;
    double ny = p->cy < p->by ? p->by : p->cy > p->by + LABEL_H
                                            ? p->by + LABEL_H
                                            : p->cy;
    double dx = nx - p->cx, dy = ny - p->cy, len = hypot(dx, dy);
    if (len <= p->r + 1)
        return 0;
    int rc = buf_puts(out, "<path class=\"leader\" fill=\"none\" stroke=\""
                           SVG__MUTED "\" stroke-width=\"0.8\" d=\"");
    if (rc == 0)
        rc = path_seg(out, 'M', p->cx + dx / len * p->r,
                      p->cy + dy / len * p->r);
    if (rc == 0)
        rc = path_seg(out, 'L', nx, ny);
    return rc ? rc : buf_puts(out, "\"/>");
}

static int draw_glyph(osafe_buf *out, const mgeom *g, const svg_glyph *q,
                      const gpos *p)
{
    double cx = p->cx, cy = p->cy, r = p->r;
    double s = q->size < 0 ? 0 : q->size > 1 ? 1 : q->size;
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
    if (rc == 0 && p->bw > 0 && p->leader)
        rc = draw_leader(out, p);
    if (rc == 0 && p->bw > 0) {
        /* where the layout put it; a white halo keeps it readable on
         * every cell colour */
        rc = svg__text_open(out, p->bx + 2, p->by + 10, SVG__LEFT, g->rtl);
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
    gpos *pos = n ? calloc(n, sizeof *pos) : NULL;
    if (n && !pos)
        rc = OSAFE_ENOMEM;
    if (rc == 0)
        layout(&g, gl, n, pos);
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = draw_glyph(out, &g, &gl[i], &pos[i]);
    free(pos);
    if (rc == 0)
        rc = buf_puts(out, "</svg>");
    if (rc)
        svg__truncate(out, start);
    return svg__buf_err(rc, e);
}
