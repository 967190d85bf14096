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
    f.sort = "newest"; /* issue 16 item 7: not the oldest by id */
    f.limit = DASH_RECENT;
    char *out = NULL;
    osafe_err e;
    json_t *doc = NULL;
    if (reg_list(p->reg, &p->caller, &f, &out, &e) == 0)
        doc = json_loads(out, 0, NULL);
    free(out);
    web__page_raw(p, "<section id=\"dash-recent\" aria-labelledby=\"recent-h\">"
                "<h2 id=\"recent-h\">");
    web__page_t(p, "dash.recent");
    web__page_raw(p, "</h2>\n");
    const json_t *records = json_object_get(doc, "records");
    if (!json_array_size(records)) {
        web__page_raw(p, "<p id=\"recent-empty\">");
        web__page_t(p, "dash.recent_empty");
        web__page_raw(p, "</p>");
    } else {
        web__record_table_head(p, "recent-incidents", 0);
        web__record_rows(p, records, 0);
        web__page_raw(p, "</tbody></table></div>\n<p><a href=\"/incidents\">");
        web__page_t(p, "dash.all_incidents");
        web__page_raw(p, "</a></p>");
    }
    web__page_raw(p, "</section>\n");
    json_decref(doc);
}

static void log_head(web_page *p)
{
    web__page_raw(p, "<section id=\"dash-log\" aria-labelledby=\"log-h\">"
                "<h2 id=\"log-h\">");
    web__page_t(p, "dash.log");
    web__page_raw(p, "</h2>\n");
    reg_log_info li;
    osafe_err e;
    if (reg_log_head(p->reg, &li, &e) != 0) {
        web__page_raw(p, "<p>");
        web__page_t(p, "log.none");
        web__page_raw(p, "</p>");
    } else {
        web__page_raw(p, "<dl class=\"facts\"><dt>");
        web__page_t(p, "log.size");
        web__page_rawf(p, "</dt><dd id=\"log-size\" data-value=\"%llu\">",
                  (unsigned long long)li.size);
        web__page_int(p, (long long)li.size);
        web__page_raw(p, "</dd><dt>");
        web__page_t(p, "log.root");
        web__page_raw(p, "</dt><dd><code id=\"log-root\" dir=\"ltr\">");
        web__page_text(p, li.root);
        web__page_raw(p, "</code></dd></dl>");
        reg_log_info_release(&li);
    }
    web__page_raw(p, "<p><a href=\"/log\">");
    web__page_t(p, "dash.log_more");
    web__page_raw(p, "</a></p></section>\n");
}

/* Top risks listed beside the matrix. */
#define DASH_TOP_RISKS 5

static void top_risks(web_page *p, const risk_result *res)
{
    web__page_raw(p, "<h3>");
    web__page_t(p, "dash.top_risks");
    web__page_raw(p, "</h3><ol id=\"top-risks\">");
    for (size_t i = 0; i < res->n && i < DASH_TOP_RISKS; i++) {
        const risk_item *it = &res->items[i];
        web__page_raw(p, "<li data-hazard=\"");
        web__page_text(p, it->hazard);
        web__page_raw(p, "\" data-tier=\"");
        web__page_text(p, risk_tier_name(it->tier));
        web__page_raw(p, "\"><strong>");
        web__enum_label(p, "hazard", it->hazard);
        web__page_raw(p, "</strong> \xc2\xb7 ");
        if (it->model[0])
            web__page_text(p, it->model);
        else
            web__page_t(p, "dash.all_models");
        web__page_raw(p, " \xc2\xb7 ");
        web__enum_label(p, "tier", risk_tier_name(it->tier));
        web__page_raw(p, " \xc2\xb7 ");
        web__page_t(p, "dash.p_star");
        web__page_raw(p, " ");
        web__page_percent(p, it->p_star, 0);
        web__page_raw(p, "</li>");
    }
    web__page_raw(p, "</ol>");
}

static void web_dashboard_risks(web_page *p)
{
    web__page_raw(p, "<section id=\"dash-risks\" aria-labelledby=\"risks-h\">"
                "<h2 id=\"risks-h\">");
    web__page_t(p, "dash.risks");
    web__page_raw(p, "</h2>\n");
    const risk_result *res = NULL;
    struct web_risk_ref *ref = NULL;
    osafe_err e;
    osafe_buf svg = OSAFE_BUF_INIT;
    int rc = web__risk_get(p, RISK_DEFAULT_SEED, 0, &res, &ref, &e);
    if (!rc && res && res->n) {
        risk_svg_labels l;
        memset(&l, 0, sizeof l);
        l.realized_title = web__t(p, "dash.m.realized");
        l.latent_title = web__t(p, "dash.m.latent");
        l.likelihood = web__t(p, "dash.m.likelihood");
        l.impact = web__t(p, "dash.m.impact");
        l.href_prefix = "/risks#";
        l.rtl = p->rtl;
        l.numbered = 1;
        rc = risk_matrix_svg(res, &l, &svg, &e);
    } else if (rc) {
        /* The dashboard still shows the rest; the operator learns why. */
        fprintf(stderr, "osafe serve: dashboard risks: %s\n", e.msg);
    }
    if (!rc && res && res->n) {
        web__page_raw(p, "<div class=\"risk-overview\"><figure id=\"risk-matrix\" "
                    "class=\"chart\">");
        /* the SVG is osafe's own markup (svg.h escapes every label) */
        web__page_svg(p, svg.data);
        web__page_raw(p, "<figcaption>");
        web__page_t(p, "dash.m.caption");
        web__page_raw(p, "</figcaption></figure><div>");
        top_risks(p, res);
        web__page_raw(p, "</div></div>");
        web_risk_left_out(p, res);
    } else {
        web__page_raw(p, "<p id=\"risks-empty\">");
        web__page_t(p, "dash.risks_empty");
        web__page_raw(p, "</p>");
    }
    buf_release(&svg);
    web__risk_put(p->app, ref);
    web__page_raw(p, "<p><a href=\"/risks\">");
    web__page_t(p, "dash.risks_more");
    web__page_raw(p, "</a></p></section>\n");
}

void web__page_dashboard(web_page *p)
{
    web__page_begin(p, web__t(p, "nav.dashboard"), "nav.dashboard");
    web__page_raw(p, "<h1>");
    web__page_t(p, "dash.title");
    web__page_raw(p, "</h1>\n<p class=\"lead\">");
    web__page_t(p, "dash.intro");
    web__page_raw(p, "</p>\n<div class=\"dash-grid\">\n");
    web_dashboard_risks(p);
    recent(p);
    log_head(p);
    web__page_raw(p, "</div>\n");
    web__page_end(p, NULL);
}
