/*
 * web_evals.c - /evals and /evals/{run} (placeholder until the evaluation
 * pages are written: headings only, so that the router works).
 */
#include "server/web_int.h"

void page_evals(web_page *p)
{
    page_begin(p, T(p, "nav.evals"), "nav.evals");
    page_raw(p, "<h1>");
    page_t(p, "nav.evals");
    page_raw(p, "</h1>\n");
    page_end(p, NULL);
}

void page_eval(web_page *p, const char *id)
{
    page_begin(p, T(p, "nav.evals"), "nav.evals");
    page_raw(p, "<h1>");
    page_text(p, id);
    page_raw(p, "</h1>\n");
    page_end(p, NULL);
}
