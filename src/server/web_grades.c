/*
 * web_grades.c - AILuminate-style grades on the pages: the grade text
 * (shared by /risks and /evals/{run}) and the per-hazard grades of one run.
 *
 * A run's grades use the same reading of its results and the same
 * reference as the ranking's grades (risk_group_grade), so /evals/{run}
 * and /risks cannot disagree about what a grade means.  The reference comes
 * from published evaluations, which are public, so every visitor's page
 * takes it from the ranking anonymous visitors share (no fresh ranking
 * per signed-in visit just for twelve reference numbers).
 *
 * Hooks: <section id="eval-grades">, rows <tr data-hazard data-grade>.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "risk/risk.h"
#include "server/web_int.h"

void web__grade_text(web_page *p, int grade, int straddles)
{
    if (grade < 1 || grade > 5) {
        web__page_raw(p, "\xe2\x80\x94");
        return;
    }
    char key[32];
    snprintf(key, sizeof key, "risks.grade.%d", grade);
    web__page_t(p, key);
    if (straddles) {
        web__page_raw(p, " <abbr title=\"");
        web__page_t(p, "risks.straddles");
        web__page_raw(p, "\">?</abbr>");
    }
}

void web__eval_grades(web_page *p, const json_t *doc)
{
    const json_t *params =
        json_object_get(json_object_get(doc, "manifest"), "params");
    const char *scorer = web__json_str(params, "scorer");
    /* only safety scorers measure unsafe answers; an exact-match suite's
     * score is not a safety rate */
    if (!scorer || (strcmp(scorer, "refusal") && strcmp(scorer, "judge")))
        return;
    long long epochs = json_integer_value(json_object_get(params, "epochs"));
    const json_t *groups =
        json_object_get(json_object_get(doc, "results"), "by_hazard");
    const risk_result *res = NULL;
    struct web_risk_ref *ref = NULL;
    osafe_err e;
    if (!json_object_size(groups) ||
        web__risk_get(p, RISK_DEFAULT_SEED, 1, &res, &ref, &e) != 0)
        return;
    web__page_raw(p, "<section id=\"eval-grades\" aria-labelledby=\"eval-grades-h\">"
                "<h2 id=\"eval-grades-h\">");
    web__page_t(p, "evals.grades");
    web__page_raw(p, "</h2><p class=\"muted\">");
    web__page_t(p, strstr(res->grade_basis, "reference runs") ? "risks.grade_ref"
                                                        : "risks.grade_v10");
    web__page_raw(p, "</p><div class=\"table-wrap\"><table><thead><tr>"
                "<th scope=\"col\">");
    web__page_t(p, "evals.col.hazard");
    web__page_raw(p, "</th><th scope=\"col\">");
    web__page_t(p, "risks.col.grade");
    web__page_raw(p, "</th><th scope=\"col\">");
    web__page_t(p, "evals.grades.p");
    web__page_raw(p, "</th></tr></thead><tbody>");
    const char *hz;
    const json_t *g;
    json_object_foreach((json_t *)groups, hz, g) {
        double probs[5];
        int straddles = 0;
        int grade = risk_group_grade(res, hz, g, epochs, probs, &straddles);
        web__page_raw(p, "<tr data-hazard=\"");
        web__page_text(p, hz);
        web__page_rawf(p, "\" data-grade=\"%d\"><th scope=\"row\">", grade);
        web__enum_label(p, "hazard", hz);
        web__page_raw(p, "</th><td>");
        web__grade_text(p, grade, straddles);
        web__page_raw(p, "</td><td>");
        if (grade) {
            /* the chance of each grade, best first, as the posterior of
             * the unsafe share gives it */
            for (int k = 4; k >= 0; k--) {
                char key[32];
                snprintf(key, sizeof key, "risks.grade.%d", k + 1);
                web__page_t(p, key);
                web__page_raw(p, " ");
                web__page_percent(p, probs[k], 0);
                if (k)
                    web__page_raw(p, " \xC2\xB7 ");
            }
        } else {
            web__page_raw(p, "\xe2\x80\x94");
        }
        web__page_raw(p, "</td></tr>");
    }
    web__page_raw(p, "</tbody></table></div></section>\n");
    web__risk_put(p->app, ref);
}
