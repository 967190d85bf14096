/*
 * xml.h - escaping text for HTML and XML (SVG) output.
 *
 * One escaper for every page, report and chart, so that "every
 * user-supplied string escaped" is true by construction: there is no other
 * way to put text into markup.  The output is safe in element content and
 * in double- or single-quoted attribute values.
 *
 * Invalid UTF-8 becomes U+FFFD; C0 controls other than TAB, LF and CR (and
 * DEL) are dropped, because XML 1.0 forbids them and a browser would stop
 * at the first one in an SVG document.
 */
#ifndef OSAFE_CORE_XML_H
#define OSAFE_CORE_XML_H

#include <stddef.h>

#include "core/buf.h"

/* Append s[0..n) escaped (& < > " ').  0, OSAFE_ENOMEM or OSAFE_ETOOBIG. */
OSAFE_MUST_USE int xml_escape_n(osafe_buf *b, const char *s, size_t n);
/* The same for a NUL-terminated string; NULL appends nothing. */
OSAFE_MUST_USE int xml_escape(osafe_buf *b, const char *s);

#endif
