/*
 * svg_int.h - helpers shared by the chart and matrix writers (private to
 * src/svg/).
 *
 * Every helper appends to the caller's buffer and returns 0 or the
 * buffer's status; text always goes through xml_escape.
 */
#ifndef OSAFE_SVG_SVG_INT_H
#define OSAFE_SVG_SVG_INT_H

#include "core/buf.h"
#include "core/status.h"

/* Where a text's edge sits relative to its x: the helpers translate this
 * into text-anchor for the current direction, because under
 * direction="rtl" "start" means the right edge. */
enum svg__align { SVG__LEFT, SVG__RIGHT, SVG__MIDDLE };

/* Colour-blind-safe colours (Okabe & Ito 2008); each has at least 3:1
 * contrast against white, the WCAG 2.1 ratio for graphical objects. */
#define SVG__INK "#1a1a1a"       /* text and whiskers: 17:1 on white */
#define SVG__MUTED "#595959"     /* axis text: 7:1 on white */
#define SVG__GRID "#d0d0d0"
#define SVG__SERIES_A "#0072b2"  /* blue, 5.0:1 */
#define SVG__SERIES_B "#c85200"  /* darkened vermillion, 4.1:1 */

/* <svg ...> with size, viewBox, role, direction and the base font, then
 * <title> and <desc>.  title is required (EINVAL). */
int svg__open(osafe_buf *out, double w, double h, const char *title,
              const char *desc, int rtl, osafe_err *e);

/* ` name="v"` with the number written by svg_num. */
int svg__num_attr(osafe_buf *out, const char *name, double v, int digits);

/* ` name="escaped text"`; NULL s appends nothing. */
int svg__str_attr(osafe_buf *out, const char *name, const char *s);

/* Opening of a <text> element at (x, y) aligned as asked; the caller adds
 * attributes, then calls svg__text_body. */
int svg__text_open(osafe_buf *out, double x, double y, enum svg__align a,
                   int rtl);
/* `>escaped text</text>`. */
int svg__text_body(osafe_buf *out, const char *s);

/* A link target a chart may carry: relative to the page (no scheme, not
 * "//host"), so that a chart never refers outside the server that made
 * it.  0 or EINVAL. */
int svg__check_href(const char *href, const char *what, osafe_err *e);

/* A value as people read it: "25%" / "25.5%" for a fraction when percent
 * is set, else up to three decimals; dec replaces '.' (escaped). */
int svg__value_text(osafe_buf *out, double v, int percent, const char *dec);

/* Drop what a failed drawing appended, so that the caller's buffer holds
 * either a whole <svg> or nothing new. */
void svg__truncate(osafe_buf *out, size_t len);

/* Map a buffer status to an error message. */
int svg__buf_err(int rc, osafe_err *e);

#endif
