/*
 * svg_util.c - the pieces every drawing shares (svg_int.h).
 */
#include <math.h>
#include <string.h>

#include "core/xml.h"
#include "svg/svg.h"
#include "svg/svg_int.h"

int svg__buf_err(int rc, osafe_err *e)
{
    if (rc == 0)
        return 0;
    return osafe_errf(e, rc, "svg: %s", osafe_strerror(rc));
}

void svg__truncate(osafe_buf *out, size_t len)
{
    if (out->data && len <= out->len) {
        out->len = len;
        out->data[len] = '\0';
    }
}

int svg__num_attr(osafe_buf *out, const char *name, double v, int digits)
{
    int rc = buf_printf(out, " %s=\"", name);
    if (rc == 0)
        rc = svg_num(out, v, digits);
    if (rc == 0)
        rc = buf_putc(out, '"');
    return rc;
}

int svg__str_attr(osafe_buf *out, const char *name, const char *s)
{
    if (!s)
        return 0;
    int rc = buf_printf(out, " %s=\"", name);
    if (rc == 0)
        rc = xml_escape(out, s);
    if (rc == 0)
        rc = buf_putc(out, '"');
    return rc;
}

int svg__open(osafe_buf *out, double w, double h, const char *title,
              const char *desc, int rtl, osafe_err *e)
{
    if (!title || !*title)
        return osafe_errf(e, OSAFE_EINVAL, "svg: a chart needs a title");
    /* width/height make the standalone file open at its natural size; a
     * page shrinks it on a phone with its own CSS (the viewBox scales).
     * No style attribute: the server's Content-Security-Policy
     * (style-src 'self') refuses inline styles. */
    int rc = buf_puts(out, "<svg xmlns=\"http://www.w3.org/2000/svg\"");
    if (rc == 0)
        rc = svg__num_attr(out, "width", w, 0);
    if (rc == 0)
        rc = svg__num_attr(out, "height", h, 0);
    if (rc == 0)
        rc = buf_puts(out, " viewBox=\"0 0 ");
    if (rc == 0)
        rc = svg_num(out, w, 0);
    if (rc == 0)
        rc = buf_putc(out, ' ');
    if (rc == 0)
        rc = svg_num(out, h, 0);
    if (rc == 0)
        rc = buf_printf(out, "\" role=\"img\" direction=\"%s\""
                             " font-family=\"sans-serif\" font-size=\"12\""
                             " fill=\"" SVG__INK "\"><title>",
                        rtl ? "rtl" : "ltr");
    if (rc == 0)
        rc = xml_escape(out, title);
    if (rc == 0)
        rc = buf_puts(out, "</title>");
    if (rc == 0 && desc && *desc) {
        rc = buf_puts(out, "<desc>");
        if (rc == 0)
            rc = xml_escape(out, desc);
        if (rc == 0)
            rc = buf_puts(out, "</desc>");
    }
    return svg__buf_err(rc, e);
}

int svg__text_open(osafe_buf *out, double x, double y, enum svg__align a,
                   int rtl)
{
    const char *anchor = "middle";
    if (a == SVG__LEFT)
        anchor = rtl ? "end" : "start";
    else if (a == SVG__RIGHT)
        anchor = rtl ? "start" : "end";
    int rc = buf_puts(out, "<text");
    if (rc == 0)
        rc = svg__num_attr(out, "x", x, 1);
    if (rc == 0)
        rc = svg__num_attr(out, "y", y, 1);
    if (rc == 0)
        rc = buf_printf(out, " text-anchor=\"%s\"", anchor);
    return rc;
}

int svg__text_body(osafe_buf *out, const char *s)
{
    int rc = buf_putc(out, '>');
    if (rc == 0)
        rc = xml_escape(out, s);
    if (rc == 0)
        rc = buf_puts(out, "</text>");
    return rc;
}

int svg__check_href(const char *href, const char *what, osafe_err *e)
{
    if (!href)
        return 0;
    if (href[0] == '/' && href[1] == '/')
        return osafe_errf(e, OSAFE_EINVAL,
                          "svg: %s link \"//...\" leaves the server", what);
    /* A scheme is letters, digits, + - . before the first ':'; a ':'
     * after '/', '?' or '#' is part of a path or query, not a scheme. */
    size_t span = strcspn(href, ":/?#");
    if (href[span] == ':')
        return osafe_errf(e, OSAFE_EINVAL,
                          "svg: %s link has a scheme (only links within "
                          "the server are drawn)", what);
    for (const char *p = href; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return osafe_errf(e, OSAFE_EINVAL,
                              "svg: %s link has a control character", what);
    return 0;
}

int svg__value_text(osafe_buf *out, double v, int percent, const char *dec)
{
    osafe_buf t = OSAFE_BUF_INIT;
    int rc = percent ? svg_num(&t, v * 100.0, 1) : svg_num(&t, v, 3);
    if (rc == 0 && percent)
        rc = buf_putc(&t, '%');
    if (rc == 0) {
        const char *dot = t.data ? strchr(t.data, '.') : NULL;
        if (dot && dec && strcmp(dec, ".") != 0) {
            rc = buf_append(out, t.data, (size_t)(dot - t.data));
            if (rc == 0)
                rc = xml_escape(out, dec);
            if (rc == 0)
                rc = buf_puts(out, dot + 1);
        } else if (t.data) {
            rc = buf_append(out, t.data, t.len);
        }
    }
    buf_release(&t);
    return rc;
}
