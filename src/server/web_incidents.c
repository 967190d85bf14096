/* web_incidents.c - being written. */
#include "server/web_int.h"

void page_incidents(web_page *p)
{
    page_begin(p, T(p, "nav.incidents"), "nav.incidents");
    page_raw(p, "<h1>");
    page_t(p, "nav.incidents");
    page_raw(p, "</h1>\n");
    page_end(p, NULL);
}

void page_incident(web_page *p, const char *id)
{
    page_begin(p, id, "nav.incidents");
    page_end(p, NULL);
}
