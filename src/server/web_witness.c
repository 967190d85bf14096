/*
 * web_witness.c - /log: the witnesses that cosign this node's checkpoints
 * (`osafe witness add`; federation/witness_collect.c collects), what each
 * last cosigned, and their keys, which the in-browser check (verify.js,
 * data-witnesses) verifies the served cosignatures with.
 *
 * Hooks: <section id="witnesses">, <table id="witness-list">, one
 * <tr class="witness" data-name data-current="1|0"> per witness.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/web_int.h"

/* Its cosignature line is on the served checkpoint (note). */
static int on_note(const store_cosigner *w, const char *note)
{
    size_t n = strlen(w->cosig);
    for (const char *s = note; n && (s = strstr(s, w->cosig)); s++)
        if ((s == note || s[-1] == '\n') && (s[n] == '\n' || !s[n]))
            return 1;
    return 0;
}

static void row(web_page *p, const store_cosigner *w, const char *note)
{
    int cur = note && on_note(w, note);
    web__page_raw(p, "<tr class=\"witness\" data-name=\"");
    web__page_text(p, w->name);
    web__page_rawf(p, "\" data-current=\"%d\"><td dir=\"ltr\">", cur);
    web__page_text(p, w->name);
    web__page_raw(p, "</td><td>");
    if (w->cosig[0])
        web__page_int(p, (long long)w->size);
    web__page_raw(p, "</td><td>");
    if (w->cosig[0]) {
        time_t t = (time_t)w->cosig_time;
        struct tm tm;
        char iso[32];
        if (gmtime_r(&t, &tm) &&
            strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm))
            web__page_date(p, iso);
    }
    web__page_raw(p, "</td><td>");
    web__page_t(p, cur ? "wit.yes" : "wit.no");
    web__page_raw(p, "</td><td><code dir=\"ltr\" class=\"wrap\">");
    web__page_text(p, w->vkey);
    web__page_raw(p, "</code></td>");
    /* the URL and a request's error can name hosts of the operator's
     * network: signed-in users only */
    if (p->logged_in) {
        web__page_raw(p, "<td dir=\"ltr\">");
        web__page_text(p, w->url);
        web__page_raw(p, "</td><td>");
        web__page_text(p, w->last_error);
        web__page_raw(p, "</td>");
    }
    web__page_raw(p, "</tr>\n");
}

void web__log_witnesses(web_page *p, const char *note)
{
    store_cosigner *w = NULL;
    size_t n = 0;
    osafe_err e;
    if (reg_witness_list(p->reg, &w, &n, &e) != 0 || n == 0) {
        free(w);
        return;
    }
    static const char *const cols[] = {"wit.name", "wit.size", "wit.time",
                                       "wit.current", "wit.key", "wit.url",
                                       "wit.error"};
    web__page_raw(p, "<section id=\"witnesses\" aria-labelledby=\"wit-h\">"
                     "<h2 id=\"wit-h\">");
    web__page_t(p, "wit.title");
    web__page_raw(p, "</h2>\n<p>");
    web__page_t(p, "wit.intro");
    web__page_raw(p, "</p>\n<div class=\"table-wrap\" tabindex=\"0\" "
                     "role=\"region\" aria-labelledby=\"wit-h\"><table "
                     "id=\"witness-list\"><thead><tr>");
    size_t ncols = sizeof cols / sizeof cols[0] - (p->logged_in ? 0 : 2);
    for (size_t i = 0; i < ncols; i++) {
        web__page_raw(p, "<th scope=\"col\">");
        web__page_t(p, cols[i]);
        web__page_raw(p, "</th>");
    }
    web__page_raw(p, "</tr></thead><tbody>\n");
    for (size_t i = 0; i < n; i++) {
        row(p, &w[i], note);
        store_cosigner_release(&w[i]);
    }
    free(w);
    web__page_raw(p, "</tbody></table></div></section>\n");
}

void web__witness_keys_attr(web_page *p)
{
    store_cosigner *w = NULL;
    size_t n = 0;
    osafe_err e;
    web__page_raw(p, " data-witnesses=\"");
    if (reg_witness_list(p->reg, &w, &n, &e) == 0)
        for (size_t i = 0; i < n; i++) {
            if (i)
                web__page_raw(p, " ");
            web__page_text(p, w[i].vkey);
            store_cosigner_release(&w[i]);
        }
    free(w);
    web__page_raw(p, "\"");
}
