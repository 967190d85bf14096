/*
 * svg.h - charts and the risk matrix as SVG text.
 *
 * One implementation shared by the web pages (inline <svg>), the
 * self-contained HTML report (`osafe eval report --html`) and
 * `osafe risk rank --format svg`.  Output is a complete <svg> element
 * (with xmlns, viewBox, role="img", <title> and <desc>), well-formed XML,
 * no scripts, no external references, styles inline; text goes through
 * core/xml.h.  Numbers are written with '.' as the decimal point whatever
 * the process locale (never printf "%f" under a locale).
 *
 * Every string in the option structs is the caller's, already translated;
 * the svg module knows no language.  With rtl set, the category labels sit
 * on the right and bars grow leftwards, as an Arabic reader expects.
 *
 * Values a chart places carry data-* attributes (data-label, data-value,
 * data-lo, data-hi; glyphs also data-x, data-y) so that tests and scripts
 * can check that a value is drawn where it belongs.
 *
 * Ownership: inputs are borrowed; output is appended to the caller's buffer.
 * Errors: 0, or OSAFE_EINVAL (NaN where a number is required, n over
 * SVG_ITEMS_MAX), OSAFE_ENOMEM / OSAFE_ETOOBIG from the buffer; e filled.
 */
#ifndef OSAFE_SVG_SVG_H
#define OSAFE_SVG_SVG_H

#include <stddef.h>

#include "core/buf.h"
#include "core/status.h"

/* A chart never draws more than this many rows or glyphs (a wider one is
 * unreadable and is a caller's mistake). */
#define SVG_ITEMS_MAX 512u

/* One bar: a value with an interval.  lo/hi NaN: no whisker.  value NaN:
 * no data (drawn as an empty row marked "n/a" via na_text). */
typedef struct svg_bar {
    const char *label; /* category name (e.g. hazard "vcr", language "fr") */
    double value, lo, hi;
    const char *note;  /* shown after the value ("n = 120"), or NULL */
    const char *href;  /* link for the row, or NULL */
} svg_bar;

typedef struct svg_chart_opts {
    const char *title;      /* <title> and visible heading; required */
    const char *desc;       /* <desc> for screen readers, or NULL */
    const char *axis_label; /* under the value axis, or NULL */
    const char *na_text;    /* "n/a" in the caller's language */
    const char *series[2];  /* legend for paired charts (run A, run B) */
    double max;             /* axis maximum; 0: 1.0 */
    int percent;            /* values are fractions, print as percent */
    int rtl;                /* right-to-left layout */
    const char *locale_decimal; /* decimal separator to show, NULL: "." */
} svg_chart_opts;

/* Horizontal bars with interval whiskers, one row per bar. */
int svg_bars(osafe_buf *out, const svg_bar *bars, size_t n,
             const svg_chart_opts *o, osafe_err *e);

/* Two bars per row (a[i] above b[i]), for side-by-side model comparison;
 * the labels of b are ignored (a's are shown). */
int svg_bars_paired(osafe_buf *out, const svg_bar *a, const svg_bar *b,
                    size_t n, const svg_chart_opts *o, osafe_err *e);

/*
 * The risk matrix: a 5 x 5 grid of likelihood (x, columns left to right)
 * by impact (y, rows bottom to top).  Coordinates are continuous in
 * [0, 5]: column j spans [j, j+1); the caller maps its log-spaced bins to
 * them (risk.h), so the matrix itself knows nothing of rates.  Cell colour
 * depends on i + j only (Cox's consistent colouring).  Glyphs that would
 * overlap move, in the order given (the first stays), to the nearest free
 * spot in their cell (up or down before sideways; smaller where the cell
 * is crowded), and labels to the nearest free place inside the picture,
 * with a leader line when away from their glyph (svg_matrix.c, Layout);
 * data-x / data-y keep the exact values.
 */
typedef struct svg_glyph {
    const char *label;   /* name: the glyph's tooltip and data-label, and
                          * drawn next to the glyph unless mark is set */
    const char *href;    /* link, or NULL */
    double x, x_lo, x_hi; /* posterior median and 90% interval (lo/hi NaN:
                           * no whisker) */
    double y, y_lo, y_hi; /* impact, the same way */
    double size;         /* radius scale in [0, 1] (evidence amount) */
    int hollow;          /* under-evidenced */
    int tier;            /* 0 low, 1 medium, 2 high, 3 under-evidenced */
    double prev_x, prev_y; /* previous position (arrow), NaN: none */
    const char *mark;    /* short text drawn instead of the label (a rank
                          * number keyed to a table beside the chart, so
                          * crowded cells stay legible), or NULL */
} svg_glyph;

typedef struct svg_matrix_opts {
    const char *title;     /* required */
    const char *desc;
    const char *x_label, *y_label;
    const char *x_ticks[5], *y_ticks[5]; /* bin names, lowest first */
    int rtl;
} svg_matrix_opts;

int svg_matrix(osafe_buf *out, const svg_glyph *g, size_t n,
               const svg_matrix_opts *o, osafe_err *e);

/* Append a number with at most `digits` decimals, no trailing zeros,
 * locale-independent ("0.25", "12", "-3.5"); NaN and inf print "0". */
int svg_num(osafe_buf *out, double v, int digits);

#endif
