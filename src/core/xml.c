/*
 * xml.c - see xml.h.
 */
#include "core/xml.h"

#include <string.h>

#include "core/utf8.h"

int xml_escape_n(osafe_buf *b, const char *s, size_t n)
{
    size_t i = 0, run = 0; /* run: start of bytes copied unchanged */
    int rc = 0;
    while (i < n && rc == 0) {
        unsigned char c = (unsigned char)s[i];
        const char *rep = NULL;
        size_t used = 1;
        if (c >= 0x80) {
            uint32_t cp;
            used = utf8_decode(s + i, n - i, &cp);
            if (used) {
                i += used;
                continue;
            }
            used = 1;
            rep = "\xEF\xBF\xBD";
        } else if (c == '&') {
            rep = "&amp;";
        } else if (c == '<') {
            rep = "&lt;";
        } else if (c == '>') {
            rep = "&gt;";
        } else if (c == '"') {
            rep = "&quot;";
        } else if (c == '\'') {
            rep = "&#39;";
        } else if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
                   c == 0x7f) {
            rep = "";
        } else {
            i++;
            continue;
        }
        rc = buf_append(b, s + run, i - run);
        if (rc == 0)
            rc = buf_puts(b, rep);
        i += used;
        run = i;
    }
    if (rc == 0)
        rc = buf_append(b, s + run, i - run);
    return rc;
}

int xml_escape(osafe_buf *b, const char *s)
{
    return s ? xml_escape_n(b, s, strlen(s)) : 0;
}
