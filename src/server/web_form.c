/* web_form.c - being written. */
#include "server/web_int.h"

void page_incident_form(web_page *p, const char *id)
{
    page_begin(p, T(p, "nav.file"), "nav.incidents");
    page_end(p, NULL);
}
