/*
 * web_evals_mirror.c - evaluation runs mirrored from federation peers'
 * logs (issue 12; src/federation/apply_eval.c stores them) on the pages:
 * a section of /evals listing them apart from our own runs, and
 * /evals?origin=ORIGIN listing one peer log's runs, paged.  As for
 * mirrored records (web_mirror.c), a mirrored run is another registry's
 * publication: every row says whose it is (origin log, its id there, the
 * entry of that log and the checkpoint that covers it, the peer it came
 * from) and never links to our own run pages, proofs or comparisons.
 * Everything comes from reg_mirror_eval_list, what GET
 * /api/v1/evaluations?origin= shows.
 *
 * Hooks: <section id="mirrored-evals"> on /evals; <p id="mirror-notice">,
 * <table id="mirrored-evals-list"> rows tr[data-id][data-origin]
 * [data-state] with td.origin (a link to /evals?origin=) when the list
 * spans origins, td.digest-only for a run whose log entry is only its
 * digest; <p id="no-mirrored-evals">, <a id="next-page">.
 */
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "server/web_evals_int.h"
#include "server/web_int.h"

static const char *nonempty(const char *s)
{
    return s && *s ? s : NULL;
}

static void origin_link(web_page *p, const char *origin)
{
    web__page_raw(p, "<a href=\"/evals?origin=");
    web__page_urlenc(p, origin);
    web__page_raw(p, "\" dir=\"ltr\">");
    web__page_text(p, origin);
    web__page_raw(p, "</a>");
}

/* model, suite and overall score of the run the peer logged; a run too
 * large for one entry left only its digest there, and says so */
static void run_cells(web_page *p, const json_t *it)
{
    const json_t *ev = json_object_get(it, "evaluation");
    if (json_is_true(json_object_get(it, "digest_only"))) {
        web__page_raw(p, "<td class=\"digest-only\" colspan=\"3\">");
        web__page_t(p, "mirror.evals_digest");
        web__page_raw(p, "</td>");
        return;
    }
    const json_t *m = json_object_get(ev, "manifest");
    const json_t *su = json_object_get(m, "suite");
    const json_t *rate = json_object_get(
        json_object_get(json_object_get(ev, "results"), "overall"), "rate");
    web__page_raw(p, "<td><bdi>");
    web__page_text(p, web__json_str(json_object_get(m, "params"), "model"));
    web__page_raw(p, "</bdi></td><td><bdi>");
    web__page_text(p, web__json_str(su, "name"));
    web__page_raw(p, " ");
    web__page_text(p, web__json_str(su, "version"));
    web__page_raw(p, "</bdi></td><td class=\"num\">");
    if (json_is_number(rate) && isfinite(json_number_value(rate)))
        web__page_percent(p, json_number_value(rate), 1);
    else
        web__page_t(p, "evals.na");
    web__page_raw(p, "</td>");
}

/* one <tr> per run; each_origin: the origin in a column of its own */
static void rows(web_page *p, const json_t *evals, int each_origin)
{
    size_t i;
    json_t *it;
    json_array_foreach(evals, i, it) {
        const json_t *o = json_object_get(it, "origin");
        const char *id = web__json_str(it, "id");
        const char *origin = web__json_str(o, "name");
        const char *state = web__json_str(it, "state");
        if (!id || !origin)
            continue;
        web__page_raw(p, "<tr data-id=\"");
        web__page_text(p, id);
        web__page_raw(p, "\" data-origin=\"");
        web__page_text(p, origin);
        web__page_raw(p, "\" data-state=\"");
        web__page_text(p, state ? state : "");
        web__page_raw(p, "\">");
        if (each_origin) {
            web__page_raw(p, "<td class=\"origin\">");
            origin_link(p, origin);
            web__page_raw(p, "</td>");
        }
        /* its id at the origin: not a link, no run page here is its */
        web__page_raw(p, "<td class=\"id\" dir=\"ltr\">");
        web__page_text(p, id);
        web__page_raw(p, "</td>");
        run_cells(p, it);
        web__page_raw(p, "<td>");
        web__enum_label(p, "state", state);
        web__page_raw(p, "</td><td class=\"num\">");
        web__page_int(p, (long long)json_integer_value(
                             json_object_get(o, "log_index")));
        web__page_raw(p, "</td><td class=\"num\">");
        web__page_int(p, (long long)json_integer_value(
                             json_object_get(o, "checkpoint_size")));
        web__page_raw(p, "</td><td dir=\"ltr\">");
        web__page_text(p, web__json_str(o, "peer"));
        web__page_raw(p, "</td></tr>\n");
    }
}

/* The table of runs, in a region that takes the keyboard's focus so that
 * a narrow screen scrolls it without a pointer. */
static void table(web_page *p, const json_t *evals, int each_origin,
                  const char *label_id)
{
    static const char *const cols[] = {
        "mirror.origin_id", "evals.col.model",  "evals.col.suite",
        "evals.col.score",  "peers.state",      "mirror.log_index",
        "mirror.checkpoint_size", "mirror.peer"};
    web__page_raw(p, "<div class=\"table-wrap\" tabindex=\"0\" "
                     "role=\"region\" aria-labelledby=\"");
    web__page_text(p, label_id);
    web__page_raw(p, "\"><table id=\"mirrored-evals-list\"><thead><tr>");
    web__page_th_cols(p, each_origin ? "mirror.origin" : NULL, cols,
                      sizeof cols / sizeof cols[0]);
    web__page_raw(p, "</tr></thead><tbody>\n");
    rows(p, evals, each_origin);
    web__page_raw(p, "</tbody></table></div>\n");
}

/* origin NULL: every origin; *doc NULL when the registry failed */
static json_t *load(web_page *p, const char *origin, const char *cursor)
{
    char *out = NULL;
    osafe_err e;
    if (reg_mirror_eval_list(p->reg, origin, OSAFE_WEB_LIST_LIMIT, cursor,
                             &out, &e))
        return NULL;
    json_t *doc = json_loads(out, 0, NULL);
    free(out);
    return doc;
}

void web__evals_mirrored_section(web_page *p)
{
    json_t *doc = load(p, NULL, NULL);
    const json_t *evals = json_object_get(doc, "evaluations");
    if (!json_array_size(evals)) {
        json_decref(doc); /* nothing mirrored: nothing to say */
        return;
    }
    web__page_raw(p, "<section id=\"mirrored-evals\" "
                     "aria-labelledby=\"mirrored-evals-h\">"
                     "<h2 id=\"mirrored-evals-h\">");
    web__page_t(p, "mirror.evals_title");
    web__page_raw(p, "</h2>\n<p class=\"notice\">");
    web__page_t(p, "mirror.evals_notice");
    web__page_raw(p, "</p>\n");
    table(p, evals, 1, "mirrored-evals-h");
    if (nonempty(web__json_str(doc, "next_cursor"))) {
        web__page_raw(p, "<p class=\"muted\">");
        web__page_t(p, "mirror.evals_more");
        web__page_raw(p, "</p>\n");
    }
    web__page_raw(p, "</section>\n");
    json_decref(doc);
}

void web__page_evals_mirrored(web_page *p, const char *origin)
{
    json_t *doc =
        load(p, origin, nonempty(web__page_query(p, "cursor")));
    if (!doc) {
        web__page_error(p, 500, "error.internal");
        return;
    }
    web__page_begin(p, web__t(p, "mirror.evals_list_title"), "nav.evals");
    web__page_raw(p, "<h1 id=\"mirrored-evals-h\">");
    web__page_t(p, "mirror.evals_list_title");
    web__page_raw(p, "</h1>\n<p id=\"mirror-notice\" class=\"notice\">");
    web__page_t(p, "mirror.evals_notice_origin");
    web__page_raw(p, " <code dir=\"ltr\">");
    web__page_text(p, origin);
    web__page_raw(p, "</code></p>\n<p><a href=\"/evals\">");
    web__page_t(p, "mirror.evals_ours");
    web__page_raw(p, "</a></p>\n");
    const json_t *evals = json_object_get(doc, "evaluations");
    if (!json_array_size(evals)) {
        web__page_raw(p, "<p id=\"no-mirrored-evals\">");
        web__page_t(p, "mirror.evals_none");
        web__page_raw(p, "</p>\n");
    } else {
        table(p, evals, 0, "mirrored-evals-h");
    }
    const char *next = nonempty(web__json_str(doc, "next_cursor"));
    if (next) {
        /* in id order, not newest first: "next", not "older" */
        web__page_next_nav(p, "incidents.paging", "incidents.next", "/evals",
                           origin, next);
    }
    json_decref(doc);
    web__page_end(p, NULL);
}
