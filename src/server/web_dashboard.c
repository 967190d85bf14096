/* web_dashboard.c - being written. */
#include "server/web_int.h"

void page_dashboard(web_page *p)
{
    page_begin(p, T(p, "nav.dashboard"), "nav.dashboard");
    page_raw(p, "<h1>");
    page_t(p, "nav.dashboard");
    page_raw(p, "</h1>\n");
    page_end(p, NULL);
}
