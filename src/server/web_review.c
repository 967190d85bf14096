/* web_review.c - being written. */
#include "server/web_int.h"

void page_review(web_page *p)
{
    page_begin(p, T(p, "nav.review"), "nav.review");
    page_raw(p, "<h1>");
    page_t(p, "nav.review");
    page_raw(p, "</h1>\n");
    page_end(p, NULL);
}
