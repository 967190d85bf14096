/*
 * web_dashboard.c - /: the risk matrix with the top risks, the recent
 * published incidents and the log head.
 *
 * Hooks: <section id="dash-risks"> (the matrix <figure id="risk-matrix">
 * with the SVG, <ol id="top-risks">, or <p id="risks-empty">),
 * <section id="dash-recent"> with <table id="recent-incidents"> or
 * <p id="recent-empty">, <section id="dash-log"> with <dd id="log-size">
 * and <code id="log-root">.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/web_int.h"

/* Recent incidents the dashboard lists (the full list is one click away). */
#define DASH_RECENT 10

static void recent(web_page *p)
{
    store_filter f;
    memset(&f, 0, sizeof f);
    f.state = "published";
    f.limit = DASH_RECENT;
    char *out = NULL;
    osafe_err e;
    json_t *doc = NULL;
    if (reg_list(p->reg, &p->caller, &f, &out, &e) == 0)
        doc = json_loads(out, 0, NULL);
    free(out);
    page_raw(p, "<section id=\"dash-recent\" aria-labelledby=\"recent-h\">"
                "<h2 id=\"recent-h\">");
    page_t(p, "dash.recent");
    page_raw(p, "</h2>\n");
    const json_t *records = json_object_get(doc, "records");
    if (!json_array_size(records)) {
        page_raw(p, "<p id=\"recent-empty\">");
        page_t(p, "dash.recent_empty");
        page_raw(p, "</p>");
    } else {
        web_record_table_head(p, "recent-incidents", 0);
        web_record_rows(p, records, 0);
        page_raw(p, "</tbody></table></div>\n<p><a href=\"/incidents\">");
        page_t(p, "dash.all_incidents");
        page_raw(p, "</a></p>");
    }
    page_raw(p, "</section>\n");
    json_decref(doc);
}

static void log_head(web_page *p)
{
    page_raw(p, "<section id=\"dash-log\" aria-labelledby=\"log-h\">"
                "<h2 id=\"log-h\">");
    page_t(p, "dash.log");
    page_raw(p, "</h2>\n");
    char path[4096];
    FILE *fp = NULL;
    if (p->log_dir &&
        snprintf(path, sizeof path, "%s/checkpoint", p->log_dir) <
            (int)sizeof path)
        fp = fopen(path, "rb");
    char origin[256] = "", size[32] = "", root[128] = "";
    int ok = fp && fgets(origin, sizeof origin, fp) &&
             fgets(size, sizeof size, fp) && fgets(root, sizeof root, fp);
    if (fp)
        fclose(fp);
    if (!ok) {
        page_raw(p, "<p>");
        page_t(p, "log.none");
        page_raw(p, "</p>");
    } else {
        size[strcspn(size, "\n")] = '\0';
        root[strcspn(root, "\n")] = '\0';
        page_raw(p, "<dl class=\"facts\"><dt>");
        page_t(p, "log.size");
        page_raw(p, "</dt><dd id=\"log-size\" data-value=\"");
        page_text(p, size);
        page_raw(p, "\">");
        page_int(p, strtoll(size, NULL, 10));
        page_raw(p, "</dd><dt>");
        page_t(p, "log.root");
        page_raw(p, "</dt><dd><code id=\"log-root\" dir=\"ltr\">");
        page_text(p, root);
        page_raw(p, "</code></dd></dl>");
    }
    page_raw(p, "<p><a href=\"/log\">");
    page_t(p, "dash.log_more");
    page_raw(p, "</a></p></section>\n");
}

static void web_dashboard_risks(web_page *p)
{
    page_raw(p, "<section id=\"dash-risks\" aria-labelledby=\"risks-h\">"
                "<h2 id=\"risks-h\">");
    page_t(p, "dash.risks");
    page_raw(p, "</h2>\n<p id=\"risks-empty\">");
    page_t(p, "dash.risks_empty");
    page_raw(p, "</p><p><a href=\"/risks\">");
    page_t(p, "dash.risks_more");
    page_raw(p, "</a></p></section>\n");
}

void page_dashboard(web_page *p)
{
    page_begin(p, T(p, "nav.dashboard"), "nav.dashboard");
    page_raw(p, "<h1>");
    page_t(p, "dash.title");
    page_raw(p, "</h1>\n<p class=\"lead\">");
    page_t(p, "dash.intro");
    page_raw(p, "</p>\n<div class=\"dash-grid\">\n");
    web_dashboard_risks(p);
    recent(p);
    log_head(p);
    page_raw(p, "</div>\n");
    page_end(p, NULL);
}
