/* web_log.c - being written. */
#include "server/web_int.h"

void page_log(web_page *p)
{
    page_begin(p, T(p, "nav.log"), "nav.log");
    page_raw(p, "<h1>");
    page_t(p, "nav.log");
    page_raw(p, "</h1>\n");
    page_end(p, NULL);
}
