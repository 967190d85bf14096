/*
 * web_risks.c - /risks (placeholder until the risk page is written: a
 * heading only, so that the router and every language work).
 */
#include "server/web_int.h"

void page_risks(web_page *p)
{
    page_begin(p, T(p, "nav.risks"), "nav.risks");
    page_raw(p, "<h1>");
    page_t(p, "nav.risks");
    page_raw(p, "</h1>\n");
    page_end(p, NULL);
}
