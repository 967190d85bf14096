/*
 * web_mirror.c - what this node holds from its federation peers (issue
 * 12), on the pages: the records mirrored from one peer's log
 * (/incidents?origin=ORIGIN), one of them (/incidents/mirrored?origin=
 * ORIGIN&id=ID), and on /log the peers with the split-view evidence held
 * against them.  A mirrored record is another registry's publication:
 * every page that shows one says whose it is and which of that log's
 * entries and checkpoints vouch for it, and never links it to our own
 * editing, history or proof pages.
 *
 * Hooks: <p id="mirror-notice">, <table id="mirrored-list"> rows
 * tr[data-id][data-origin]; <article id="mirrored-incident" data-origin
 * data-id data-state>, <dl id="mirror-provenance"> with dd#mirror-origin,
 * #mirror-origin-id, #mirror-log-index, #mirror-checkpoint, #mirror-peer;
 * /log: <section id="peers">, tr.peer[data-url][data-state] (the last
 * sync error, td.peer-error, for signed-in users only), and
 * <section class="split-evidence" data-peer> per piece of evidence;
 * /risks: <p id="risk-mirrored"> and <p id="risk-evals-mirrored">, each
 * with data-policy and data-counted.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "server/web_int.h"

static const char *nonempty(const char *s)
{
    return s && *s ? s : NULL;
}

static void notice(web_page *p, const char *origin)
{
    web__page_raw(p, "<p id=\"mirror-notice\" class=\"notice\">");
    web__page_t(p, "mirror.notice");
    web__page_raw(p, " <code dir=\"ltr\">");
    web__page_text(p, origin);
    web__page_raw(p, "</code></p>\n");
}

static void mirror_link(web_page *p, const char *origin, const char *id)
{
    web__page_raw(p, "<a href=\"/incidents/mirrored?origin=");
    web__page_urlenc(p, origin);
    web__page_raw(p, "&amp;id=");
    web__page_urlenc(p, id);
    web__page_raw(p, "\" dir=\"ltr\">");
    web__page_text(p, id);
    web__page_raw(p, "</a>");
}

/* origin NULL: each row's own origin, shown in a column of its own (a
 * search across origins) */
static void list_rows(web_page *p, const char *origin, const json_t *records)
{
    size_t i;
    json_t *it;
    const char *each = origin;
    json_array_foreach(records, i, it) {
        const char *id = web__json_str(it, "id");
        const json_t *o = json_object_get(it, "origin");
        origin = each ? each : web__json_str(o, "name");
        if (!id || !origin)
            continue;
        web__page_raw(p, "<tr data-id=\"");
        web__page_text(p, id);
        web__page_raw(p, "\" data-origin=\"");
        web__page_text(p, origin);
        web__page_raw(p, "\">");
        if (!each) {
            web__page_raw(p, "<td class=\"origin\" dir=\"ltr\">");
            web__page_text(p, origin);
            web__page_raw(p, "</td>");
        }
        web__page_raw(p, "<td class=\"id\">");
        mirror_link(p, origin, id);
        web__page_raw(p, "</td><td>");
        web__record_title(p, json_object_get(it, "record"));
        web__page_raw(p, "</td><td>");
        web__enum_label(p, "state", web__json_str(it, "state"));
        web__page_raw(p, "</td><td>");
        web__enum_label(p, "severity",
                        web__json_str(json_object_get(
                                          json_object_get(it, "record"),
                                          "severity"),
                                      "level"));
        web__page_raw(p, "</td><td>");
        web__page_int(p, (long long)json_integer_value(
                             json_object_get(o, "log_index")));
        web__page_raw(p, "</td><td>");
        web__page_int(p, (long long)json_integer_value(
                             json_object_get(o, "checkpoint_size")));
        web__page_raw(p, "</td></tr>\n");
    }
}

static void list_head(web_page *p, int with_origin)
{
    static const char *const cols[] = {"incident.id", "incident.title",
                                       "incident.state", "incident.severity",
                                       "mirror.log_index",
                                       "mirror.checkpoint_size"};
    web__page_raw(p, "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" "
                     "aria-label=\"");
    web__page_t(p, "mirror.list_title");
    web__page_raw(p, "\"><table id=\"mirrored-list\"><thead><tr>");
    web__page_th_cols(p, with_origin ? "mirror.origin" : NULL, cols,
                      sizeof cols / sizeof cols[0]);
    web__page_raw(p, "</tr></thead><tbody>\n");
}

void web__page_mirrored_list(web_page *p, const char *origin)
{
    char *out = NULL;
    osafe_err e;
    int rc = reg_mirror_list(p->reg, &p->caller, origin, OSAFE_WEB_LIST_LIMIT,
                             nonempty(web__page_query(p, "cursor")), &out,
                             &e);
    json_t *doc = rc ? NULL : json_loads(out, 0, NULL);
    free(out);
    if (!doc)
        return web__page_error(p, 500, "error.internal");
    web__page_begin(p, web__t(p, "mirror.list_title"), "nav.incidents");
    web__page_raw(p, "<h1>");
    web__page_t(p, "mirror.list_title");
    web__page_raw(p, "</h1>\n");
    notice(p, origin);
    web__page_raw(p, "<p><a href=\"/incidents\">");
    web__page_t(p, "mirror.ours");
    web__page_raw(p, "</a></p>\n");
    const json_t *records = json_object_get(doc, "records");
    if (!json_array_size(records)) {
        web__page_raw(p, "<p id=\"no-results\">");
        web__page_t(p, "incidents.none");
        web__page_raw(p, "</p>\n");
    } else {
        list_head(p, 0);
        list_rows(p, origin, records);
        web__page_raw(p, "</tbody></table></div>\n");
    }
    const char *next = web__json_str(doc, "next_cursor");
    if (next && *next) {
        web__page_next_nav(p, "incidents.paging", "incidents.next",
                           "/incidents", origin, next);
    }
    json_decref(doc);
    web__page_end(p, NULL);
}

static void prov_item(web_page *p, const char *key, const char *id)
{
    web__page_raw(p, "<dt>");
    web__page_t(p, key);
    web__page_raw(p, "</dt><dd id=\"");
    web__page_text(p, id);
    web__page_raw(p, "\" dir=\"ltr\">");
}

static void provenance(web_page *p, const json_t *it)
{
    const json_t *o = json_object_get(it, "origin");
    const char *name = web__json_str(o, "name");
    web__page_raw(p, "<section aria-labelledby=\"prov-h\"><h2 id=\"prov-h\">");
    web__page_t(p, "mirror.provenance");
    web__page_raw(p, "</h2>\n<dl class=\"facts\" id=\"mirror-provenance\">");
    prov_item(p, "mirror.origin", "mirror-origin");
    web__page_text(p, name ? name : "");
    web__page_raw(p, "</dd>");
    prov_item(p, "mirror.origin_id", "mirror-origin-id");
    web__page_text(p, web__json_str(it, "id"));
    web__page_rawf(p, " v%d</dd>",
                   (int)json_integer_value(json_object_get(it, "version")));
    prov_item(p, "mirror.log_index", "mirror-log-index");
    web__page_int(p, (long long)json_integer_value(
                         json_object_get(o, "log_index")));
    web__page_raw(p, "</dd>");
    prov_item(p, "mirror.checkpoint", "mirror-checkpoint");
    web__page_text(p, name ? name : "");
    web__page_raw(p, " / ");
    web__page_int(p, (long long)json_integer_value(
                         json_object_get(o, "checkpoint_size")));
    web__page_raw(p, "</dd>");
    prov_item(p, "mirror.peer", "mirror-peer");
    web__page_text(p, web__json_str(o, "peer"));
    web__page_raw(p, "</dd>");
    const char *w = web__json_str(o, "withdrawn");
    if (w) {
        prov_item(p, "state.withdrawn", "mirror-withdrawn");
        web__page_date(p, w);
        web__page_raw(p, "</dd>");
    }
    web__page_raw(p, "</dl></section>\n");
}

void web__page_mirrored(web_page *p)
{
    const char *origin = nonempty(web__page_query(p, "origin"));
    const char *id = nonempty(web__page_query(p, "id"));
    if (!origin || !id)
        return web__page_error(p, 404, "error.not_found");
    char *out = NULL;
    osafe_err e;
    int rc = reg_mirror_get(p->reg, &p->caller, origin, id, &out, &e);
    if (rc)
        return web__page_error(p, rc == OSAFE_ENOTFOUND ? 404 : 500,
                               rc == OSAFE_ENOTFOUND ? "error.not_found"
                                                     : "error.internal");
    json_t *it = json_loads(out, 0, NULL);
    free(out);
    const json_t *rec = json_object_get(it, "record");
    if (!rec) {
        json_decref(it);
        return web__page_error(p, 500, "error.internal");
    }
    const char *title = web__json_str(json_object_get(rec, "title"), "text");
    web__page_begin(p, title && *title ? title : id, "nav.incidents");
    web__page_raw(p, "<article id=\"mirrored-incident\" data-origin=\"");
    web__page_text(p, origin);
    web__page_raw(p, "\" data-id=\"");
    web__page_text(p, id);
    web__page_raw(p, "\" data-state=\"");
    web__page_text(p, web__json_str(it, "state"));
    web__page_raw(p, "\">\n<p class=\"kicker\" dir=\"ltr\">");
    web__page_text(p, origin);
    web__page_raw(p, " \xe2\x80\x94 ");
    web__page_text(p, id);
    web__page_raw(p, "</p><h1 id=\"incident-title\">");
    web__record_title(p, rec);
    web__page_raw(p, "</h1>\n");
    notice(p, origin);
    web__record_descriptions(p, rec);
    provenance(p, it);
    web__page_raw(p, "<p><a id=\"mirror-list-link\" href=\"/incidents?origin=");
    web__page_urlenc(p, origin);
    web__page_raw(p, "\">");
    web__page_t(p, "mirror.list_title");
    web__page_raw(p, "</a></p>\n</article>\n");
    json_decref(it);
    web__page_end(p, NULL);
}

static void split_evidence(web_page *p, const char *peer, const json_t *s)
{
    web__page_raw(p, "<section class=\"split-evidence\" data-peer=\"");
    web__page_text(p, peer);
    web__page_raw(p, "\"><h3>");
    web__page_t(p, "peers.split");
    web__page_raw(p, " <code dir=\"ltr\">");
    web__page_text(p, peer);
    web__page_raw(p, "</code></h3>\n<p>");
    web__page_t(p, "peers.split_intro");
    web__page_raw(p, "</p>\n<dl class=\"facts\"><dt>");
    web__page_t(p, "peers.reason");
    web__page_raw(p, "</dt><dd class=\"split-reason\" lang=\"en\" dir=\"ltr\">");
    web__page_text(p, web__json_str(s, "reason"));
    web__page_raw(p, "</dd></dl>\n<h4>");
    web__page_t(p, "peers.old_checkpoint");
    web__page_raw(p, "</h4><pre class=\"split-old\" dir=\"ltr\">");
    web__page_text(p, web__json_str(s, "old_checkpoint"));
    web__page_raw(p, "</pre>\n<h4>");
    web__page_t(p, "peers.new_checkpoint");
    web__page_raw(p, "</h4><pre class=\"split-new\" dir=\"ltr\">");
    web__page_text(p, web__json_str(s, "new_checkpoint"));
    web__page_raw(p, "</pre>\n");
    const char *proof = web__json_str(s, "proof");
    if (proof && *proof) {
        web__page_raw(p, "<h4>");
        web__page_t(p, "peers.proof");
        web__page_raw(p, "</h4><pre class=\"split-proof\" dir=\"ltr\">");
        web__page_text(p, proof);
        web__page_raw(p, "</pre>\n");
    }
    web__page_raw(p, "</section>\n");
}

static void peer_row(web_page *p, const json_t *peer)
{
    const char *state = web__json_str(peer, "state");
    const char *err = web__json_str(peer, "last_error");
    const char *when = web__json_str(peer, "last_sync");
    web__page_raw(p, "<tr class=\"peer\" data-url=\"");
    web__page_text(p, web__json_str(peer, "url"));
    web__page_raw(p, "\" data-state=\"");
    web__page_text(p, state);
    web__page_raw(p, "\"><td dir=\"ltr\">");
    web__page_text(p, web__json_str(peer, "url"));
    web__page_raw(p, "</td><td dir=\"ltr\"><a href=\"/incidents?origin=");
    web__page_urlenc(p, web__json_str(peer, "origin"));
    web__page_raw(p, "\">");
    web__page_text(p, web__json_str(peer, "origin"));
    web__page_raw(p, "</a></td><td>");
    if (state && !strcmp(state, "frozen")) {
        web__page_raw(p, "<strong class=\"badge frozen\">");
        web__page_t(p, "peers.frozen");
        web__page_raw(p, "</strong>");
    } else {
        web__page_t(p, "peers.active");
    }
    web__page_raw(p, "</td><td>");
    web__page_int(p, (long long)json_integer_value(
                         json_object_get(peer, "size")));
    web__page_raw(p, "</td><td>");
    if (when && *when)
        web__page_date(p, when);
    /* a sync error can name hosts and addresses of the operator's network:
     * signed-in users only (anyone may run `osafe peer list` who runs the
     * node) */
    if (p->logged_in) {
        web__page_raw(p, "</td><td class=\"peer-error\" lang=\"en\" "
                         "dir=\"ltr\">");
        web__page_text(p, err && *err ? err : "-");
    }
    web__page_raw(p, "</td></tr>\n");
}

void web__log_peers(web_page *p)
{
    char *out = NULL;
    osafe_err e;
    json_t *doc = NULL;
    if (reg_peer_status(p->reg, &out, &e) == 0)
        doc = json_loads(out, 0, NULL);
    free(out);
    const json_t *peers = json_object_get(doc, "peers");
    const json_t *ws = json_object_get(doc, "witness_split");
    if (!json_array_size(peers) && !json_is_object(ws)) {
        json_decref(doc); /* no federation: nothing to say */
        return;
    }
    static const char *const cols[] = {"peers.url", "mirror.origin",
                                       "peers.state", "peers.size",
                                       "peers.last_sync", "peers.last_error"};
    web__page_raw(p, "<section id=\"peers\" aria-labelledby=\"peers-h\">"
                     "<h2 id=\"peers-h\">");
    web__page_t(p, "peers.title");
    web__page_raw(p, "</h2>\n<div class=\"table-wrap\" tabindex=\"0\" "
                     "role=\"region\" aria-labelledby=\"peers-h\"><table "
                     "id=\"peer-list\"><thead><tr>");
    size_t ncols = sizeof cols / sizeof cols[0] - !p->logged_in;
    for (size_t i = 0; i < ncols; i++) {
        web__page_raw(p, "<th scope=\"col\">");
        web__page_t(p, cols[i]);
        web__page_raw(p, "</th>");
    }
    web__page_raw(p, "</tr></thead><tbody>\n");
    size_t i;
    json_t *peer;
    json_array_foreach(peers, i, peer)
        peer_row(p, peer);
    web__page_raw(p, "</tbody></table></div>\n");
    json_array_foreach(peers, i, peer) {
        const json_t *s = json_object_get(peer, "split");
        if (json_is_object(s))
            split_evidence(p, web__json_str(peer, "url"), s);
    }
    if (json_is_object(ws))
        split_evidence(p, "witness", ws);
    web__page_raw(p, "</section>\n");
    json_decref(doc);
}

void web__risk_mirrored(web_page *p, const risk_result *res)
{
    web__page_rawf(p, "<p id=\"risk-mirrored\" data-policy=\"%s\" "
                      "data-counted=\"%zu\">",
                   res->mirrored_included ? "include" : "exclude",
                   res->mirrored);
    web__page_t(p, res->mirrored_included ? "mirror.risk_included"
                                          : "mirror.risk_excluded");
    if (res->mirrored_included) {
        web__page_raw(p, " ");
        web__page_int(p, (long long)res->mirrored);
    }
    web__page_raw(p, "</p>\n");
}

void web__risk_evals_mirrored(web_page *p, const risk_result *res)
{
    web__page_rawf(p, "<p id=\"risk-evals-mirrored\" data-policy=\"%s\" "
                      "data-counted=\"%zu\">",
                   res->evals_mirrored_included ? "include" : "exclude",
                   res->evals_mirrored);
    web__page_t(p, res->evals_mirrored_included
                       ? "mirror.evals_risk_included"
                       : "mirror.evals_risk_excluded");
    if (res->evals_mirrored_included) {
        web__page_raw(p, " ");
        web__page_int(p, (long long)res->evals_mirrored);
    }
    web__page_raw(p, "</p>\n");
}

void web__mirrored_matches(web_page *p, const char *q)
{
    json_t *found = NULL;
    osafe_err e;
    web__page_raw(p, "<section id=\"mirrored-results\" "
                     "aria-labelledby=\"mirrored-h\"><h2 id=\"mirrored-h\">");
    web__page_t(p, "mirror.search_title");
    web__page_raw(p, "</h2>\n<p class=\"notice\">");
    web__page_t(p, "mirror.search_notice");
    web__page_raw(p, "</p>\n");
    if (reg_mirror_search(p->reg, &p->caller, q, NULL, OSAFE_WEB_LIST_LIMIT,
                          &found, &e)) {
        web__page_raw(p, "<p class=\"error\" role=\"alert\">");
        web__page_t(p, e.code == OSAFE_EINVAL ? "incidents.bad_filter"
                                              : "error.internal");
        web__page_raw(p, "</p>\n");
    } else if (!json_array_size(found)) {
        web__page_raw(p, "<p id=\"no-mirrored-results\">");
        web__page_t(p, "incidents.none");
        web__page_raw(p, "</p>\n");
    } else {
        list_head(p, 1);
        list_rows(p, NULL, found);
        web__page_raw(p, "</tbody></table></div>\n");
    }
    json_decref(found);
    web__page_raw(p, "</section>\n");
}
