/*
 * web_dashboard.c - /: the risk matrix with the top risks, the recent
 * published incidents and the log head.
 *
 * Hooks: <section id="dash-risks"> (the matrix <figure id="risk-matrix">
 * with the SVG, <ol id="top-risks"> with <li data-hazard data-tier>, or
 * <p id="risks-empty"> when there is nothing to rank),
 * <section id="dash-recent"> with <table id="recent-incidents"> or
 * <p id="recent-empty">, <section id="dash-log"> with <dd id="log-size">
 * and <code id="log-root">.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "risk/risk.h"
#include "server/web_int.h"
#include "core/limits.h"

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
    reg_log_info li;
    osafe_err e;
    if (reg_log_head(p->reg, &li, &e) != 0) {
        page_raw(p, "<p>");
        page_t(p, "log.none");
        page_raw(p, "</p>");
    } else {
        page_raw(p, "<dl class=\"facts\"><dt>");
        page_t(p, "log.size");
        page_rawf(p, "</dt><dd id=\"log-size\" data-value=\"%llu\">",
                  (unsigned long long)li.size);
        page_int(p, (long long)li.size);
        page_raw(p, "</dd><dt>");
        page_t(p, "log.root");
        page_raw(p, "</dt><dd><code id=\"log-root\" dir=\"ltr\">");
        page_text(p, li.root);
        page_raw(p, "</code></dd></dl>");
        reg_log_info_release(&li);
    }
    page_raw(p, "<p><a href=\"/log\">");
    page_t(p, "dash.log_more");
    page_raw(p, "</a></p></section>\n");
}

/* Top risks listed beside the matrix. */
#define DASH_TOP_RISKS 5

static void top_risks(web_page *p, const risk_result *res)
{
    page_raw(p, "<h3>");
    page_t(p, "dash.top_risks");
    page_raw(p, "</h3><ol id=\"top-risks\">");
    for (size_t i = 0; i < res->n && i < DASH_TOP_RISKS; i++) {
        const risk_item *it = &res->items[i];
        page_raw(p, "<li data-hazard=\"");
        page_text(p, it->hazard);
        page_raw(p, "\" data-tier=\"");
        page_text(p, risk_tier_name(it->tier));
        page_raw(p, "\"><strong>");
        web_enum_label(p, "hazard", it->hazard);
        page_raw(p, "</strong> \xc2\xb7 ");
        if (it->model[0])
            page_text(p, it->model);
        else
            page_t(p, "dash.all_models");
        page_raw(p, " \xc2\xb7 ");
        web_enum_label(p, "tier", risk_tier_name(it->tier));
        page_raw(p, " \xc2\xb7 ");
        page_t(p, "dash.p_star");
        page_raw(p, " ");
        page_percent(p, it->p_star, 0);
        page_raw(p, "</li>");
    }
    page_raw(p, "</ol>");
}

static void web_dashboard_risks(web_page *p)
{
    page_raw(p, "<section id=\"dash-risks\" aria-labelledby=\"risks-h\">"
                "<h2 id=\"risks-h\">");
    page_t(p, "dash.risks");
    page_raw(p, "</h2>\n");
    const risk_result *res = NULL;
    struct web_risk_ref *ref = NULL;
    osafe_err e;
    osafe_buf svg = OSAFE_BUF_INIT;
    int rc = web_risk_get(p, RISK_DEFAULT_SEED, 0, &res, &ref, &e);
    if (!rc && res && res->n) {
        risk_svg_labels l;
        memset(&l, 0, sizeof l);
        l.realized_title = T(p, "dash.m.realized");
        l.latent_title = T(p, "dash.m.latent");
        l.likelihood = T(p, "dash.m.likelihood");
        l.impact = T(p, "dash.m.impact");
        l.href_prefix = "/risks#";
        l.rtl = p->rtl;
        l.numbered = 1;
        rc = risk_matrix_svg(res, &l, &svg, &e);
    } else if (rc) {
        /* The dashboard still shows the rest; the operator learns why. */
        fprintf(stderr, "osafe serve: dashboard risks: %s\n", e.msg);
    }
    if (!rc && res && res->n) {
        page_raw(p, "<div class=\"risk-overview\"><figure id=\"risk-matrix\" "
                    "class=\"chart\">");
        /* the SVG is osafe's own markup (svg.h escapes every label) */
        page_svg(p, svg.data);
        page_raw(p, "<figcaption>");
        page_t(p, "dash.m.caption");
        page_raw(p, "</figcaption></figure><div>");
        top_risks(p, res);
        page_raw(p, "</div></div>");
        web_risk_left_out(p, res);
    } else {
        page_raw(p, "<p id=\"risks-empty\">");
        page_t(p, "dash.risks_empty");
        page_raw(p, "</p>");
    }
    buf_release(&svg);
    web_risk_put(p->app, ref);
    page_raw(p, "<p><a href=\"/risks\">");
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
