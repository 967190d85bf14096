/*
 * risk_out.c - a risk_result as JSON, CSV, a text table and the two
 * matrix panels (svg.h).  Every output names the seed, the draws and the
 * date ages were counted from, so any figure can be reproduced.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/xml.h"
#include "risk/risk.h"
#include "risk/risk_int.h"
#include "svg/svg.h"

#define PANEL_GLYPHS 40 /* a matrix with more glyphs is unreadable */

static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

int risk_result_json(const risk_result *res, char **out, osafe_err *e)
{
    json_t *items = json_array();
    for (size_t i = 0; i < res->n; i++) {
        const risk_item *it = &res->items[i];
        json_t *gp = json_array();
        for (int g = 0; g < 5; g++)
            json_array_append_new(gp, num(it->grade_p[g]));
        json_t *o = json_pack(
            "{s:s, s:s, s:s, s:s, s:i, s:i, s:s, s:o, s:s, s:s, s:o, s:o,"
            " s:b, s:b}",
            "hazard", it->hazard, "model", it->model, "mit", it->mit, "nist",
            it->nist, "impact", it->impact, "potential", it->potential,
            "tier", risk_tier_name(it->tier), "p_star", num(it->p_star),
            "driver", it->driver, "evidence", it->evidence, "p_inc",
            num(it->p_inc), "p_eval", it->eval_n > 0 ? num(it->p_eval)
                                                     : json_null(),
            "no_eval_coverage", it->no_eval_coverage, "verified_serious",
            it->verified_serious);
        json_object_set_new(
            o, "incidents",
            json_pack("{s:o, s:o, s:o, s:[o, o, o], s:o, s:[o, o, o], s:o,"
                      " s:o}",
                      "n_weighted", num(it->n_incidents), "n", num(it->n_raw),
                      "near_misses", num(it->n_near_miss), "rate_per_year",
                      num(it->rate_med), num(it->rate_lo), num(it->rate_hi),
                      "p_any", num(it->p_any), "harm", num(it->harm_med),
                      num(it->harm_lo), num(it->harm_hi), "weight_median",
                      num(it->weight_med), "serious_share",
                      num(it->serious_share)));
        json_object_set_new(
            o, "evals",
            json_pack("{s:o, s:o, s:[o, o, o], s:o, s:b}", "n",
                      num(it->eval_n), "k_unsafe", num(it->eval_k),
                      "p_unsafe", num(it->p_med), num(it->p_lo),
                      num(it->p_hi), "tolerance", num(it->tolerance),
                      "under_tested", it->under_tested));
        json_object_set_new(
            o, "rank",
            it->ranked
                ? json_pack("{s:o, s:[o, o], s:o, s:i}", "median",
                            num(it->rank_med), "interval_80",
                            num(it->rank_lo), num(it->rank_hi), "p_top",
                            num(it->p_top10), "tie_group", it->tie_group)
                : json_null());
        json_object_set_new(
            o, "grade",
            it->grade ? json_pack("{s:i, s:o, s:o, s:o, s:b}", "grade",
                                  it->grade, "u", num(it->grade_u), "u_ref",
                                  num(it->grade_uref), "p", gp, "straddles",
                                  it->grade_straddles)
                      : (json_decref(gp), json_null()));
        json_object_set_new(
            o, "matrix",
            json_pack("{s:[o, o, o, o], s:[o, o, o, o, o, o], s:[o, o, o, o]}",
                      "xy", num(it->mx), num(it->mx_lo), num(it->mx_hi),
                      num(it->my), "realized", num(it->rx), num(it->rx_lo),
                      num(it->rx_hi), num(it->ry), num(it->ry_lo),
                      num(it->ry_hi), "latent", num(it->lx), num(it->lx_lo),
                      num(it->lx_hi), num(it->ly)));
        json_array_append_new(items, o);
    }
    json_t *r = json_pack(
        "{s:I, s:I, s:s, s:s, s:I, s:I, s:I, s:s, s:{s:s, s:s}, s:o}", "seed",
        (json_int_t)res->seed, "draws", (json_int_t)res->draws, "generated",
        res->generated, "as_of", res->as_of, "incidents",
        (json_int_t)res->incidents, "evaluations",
        (json_int_t)res->evaluations, "unclassified",
        (json_int_t)res->unclassified, "grade_basis", res->grade_basis,
        "priors", "incidents", res->incident_prior, "evals", res->eval_prior,
        "risks", items);
    if (r) /* left out of the ranking (issue 9 item 2) */
        json_object_set_new(r, "skipped", json_integer((json_int_t)res->skipped));
    const risk_left_out *lo = &res->left_out;
    if (r) /* and out of the rates, by reason (issue 16 item 1) */
        json_object_set_new(
            r, "left_out",
            json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "total",
                      (json_int_t)risk_left_out_total(res), "unclassified",
                      (json_int_t)lo->unclassified, "undated",
                      (json_int_t)lo->undated, "no_severity",
                      (json_int_t)lo->no_level, "older_than_window",
                      (json_int_t)lo->too_old, "hazard_reports",
                      (json_int_t)lo->near_miss, "unreadable",
                      (json_int_t)res->skipped, "hazards_from_sources",
                      (json_int_t)lo->from_sources));
    if (r) /* a figure of its own, never in p unsafe (issue 16 item 2) */
        json_object_set_new(r, "over_refusal", risk__over_json(res));
    if (r)
        json_object_set_new(r, "hazard_reports_counted",
                            json_integer((json_int_t)lo->hazard_reports));
    if (r) /* whether peers' records were counted (issue 12) */
        json_object_set_new(
            r, "mirrored",
            json_pack("{s:s, s:I}", "policy",
                      res->mirrored_included ? "include" : "exclude",
                      "counted", (json_int_t)res->mirrored));
    if (r) /* whether peers' evaluations were counted (issue 12) */
        json_object_set_new(
            r, "mirrored_evaluations",
            json_pack("{s:s, s:I}", "policy",
                      res->evals_mirrored_included ? "include" : "exclude",
                      "counted", (json_int_t)res->evals_mirrored));
    *out = r ? json_dumps(r, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                                 JSON_REAL_PRECISION(6))
             : NULL;
    json_decref(r);
    return *out ? 0 : osafe_errf(e, OSAFE_ENOMEM, "out of memory");
}

size_t risk_left_out_total(const risk_result *res)
{
    const risk_left_out *lo = &res->left_out;
    return lo->unclassified + lo->undated + lo->no_level + lo->too_old +
           lo->near_miss + res->skipped;
}

int risk_left_out_text(const risk_result *res, osafe_buf *out)
{
    const risk_left_out *lo = &res->left_out;
    int rc = buf_printf(out, "Left out of the rates: %zu of %zu records",
                        risk_left_out_total(res), res->incidents);
    static const char *const why[] = {
        "unclassified (no hazard of ours, none mapped from the source)",
        "undated", "no severity level", "older than the window",
        "hazard reports (hazard_weight 0)",
        "unreadable or past the ranking's size"};
    size_t n[] = {lo->unclassified, lo->undated, lo->no_level, lo->too_old,
                  lo->near_miss, res->skipped};
    const char *sep = ": ";
    for (size_t i = 0; !rc && i < sizeof n / sizeof *n; i++)
        if (n[i]) {
            rc = buf_printf(out, "%s%zu %s", sep, n[i], why[i]);
            sep = ", ";
        }
    if (!rc)
        rc = buf_printf(out, ".  Counted: %zu hazard reports at their "
                             "weight; %zu records' hazards mapped from "
                             "their source's classifications.\n",
                        lo->hazard_reports, lo->from_sources);
    return rc;
}

static void fmt(char *b, size_t n, double v)
{
    if (isfinite(v))
        snprintf(b, n, "%.6g", v);
    else
        b[0] = 0;
}

int risk_result_csv(const risk_result *res, osafe_buf *out, osafe_err *e)
{
    static const char *const head[] = {
        "order", "hazard", "model", "mit", "nist", "impact", "tier", "p_star",
        "driver", "evidence", "p_inc", "p_eval", "incidents_weighted",
        "rate_median", "rate_lo90", "rate_hi90", "p_any", "harm_median",
        "harm_lo90", "harm_hi90", "eval_n", "eval_k", "p_unsafe_median",
        "p_unsafe_lo95", "p_unsafe_hi95", "rank_median", "rank_lo80",
        "rank_hi80", "p_top", "tie_group", "grade", "grade_straddles",
        "no_eval_coverage", "seed", "draws", "as_of",
        /* the ranking's, repeated on each row like seed (issue 16) */
        "left_out_total", "left_out_reasons"};
    enum { NF = sizeof head / sizeof *head };
    int rc = csv_write_row(out, head, NF);
    const risk_left_out *lo = &res->left_out;
    char total[24], reasons[256];
    snprintf(total, sizeof total, "%zu", risk_left_out_total(res));
    snprintf(reasons, sizeof reasons,
             "unclassified=%zu;undated=%zu;no_severity=%zu;"
             "older_than_window=%zu;hazard_reports=%zu;unreadable=%zu",
             lo->unclassified, lo->undated, lo->no_level, lo->too_old,
             lo->near_miss, res->skipped);
    char v[NF][48];
    const char *f[NF];
    for (size_t i = 0; !rc && i < res->n; i++) {
        const risk_item *it = &res->items[i];
        double d[] = {it->p_star, it->p_inc, it->eval_n > 0 ? it->p_eval : NAN,
                      it->n_incidents, it->rate_med, it->rate_lo, it->rate_hi,
                      it->p_any, it->harm_med, it->harm_lo, it->harm_hi,
                      it->eval_n, it->eval_k, it->p_med, it->p_lo, it->p_hi,
                      it->rank_med, it->rank_lo, it->rank_hi,
                      it->ranked ? it->p_top10 : NAN};
        snprintf(v[0], sizeof v[0], "%zu", i + 1);
        f[1] = it->hazard;
        f[2] = it->model;
        f[3] = it->mit;
        f[4] = it->nist;
        snprintf(v[5], sizeof v[5], "I%d", it->impact);
        f[6] = risk_tier_name(it->tier);
        fmt(v[7], sizeof v[7], d[0]);
        f[8] = it->driver;
        f[9] = it->evidence;
        for (int k = 1; k < 20; k++)
            fmt(v[9 + k], sizeof v[0], d[k]);
        snprintf(v[29], sizeof v[29], "%d", it->ranked ? it->tie_group : 0);
        snprintf(v[30], sizeof v[30], "%d", it->grade);
        snprintf(v[31], sizeof v[31], "%d", it->grade_straddles);
        snprintf(v[32], sizeof v[32], "%d", it->no_eval_coverage);
        snprintf(v[33], sizeof v[33], "%llu", (unsigned long long)res->seed);
        snprintf(v[34], sizeof v[34], "%u", res->draws);
        for (int k = 0; k < 35; k++)
            if (k != 1 && k != 2 && k != 3 && k != 4 && k != 6 && k != 8 &&
                k != 9)
                f[k] = v[k];
        f[35] = res->as_of;
        f[36] = total;
        f[37] = reasons;
        rc = csv_write_row(out, f, NF);
    }
    return rc ? osafe_errf(e, rc, "out of memory") : 0;
}

static const char *const grade_names[6] = {"",     "Poor", "Fair",
                                           "Good", "Very Good",
                                           "Excellent"};

int risk_result_table(const risk_result *res, osafe_buf *out, osafe_err *e)
{
    int rc = buf_printf(out,
                        "Risk priorities as of %s: %zu published records, %zu "
                        "evaluation runs; seed %llu, %u draws\n"
                        "P* = max(P_inc, P_eval) over the channels with "
                        "evidence; rates are reported-incident rates.\n",
                        res->as_of, res->incidents, res->evaluations,
                        (unsigned long long)res->seed, res->draws);
    if (!rc) /* above the rows, where a reader sees it (issue 16) */
        rc = risk_left_out_text(res, out);
    if (!rc)
        rc = res->mirrored_included
                 ? buf_printf(out, "Records mirrored from peers: included "
                                   "(%zu counted; policy incidents.mirrored)"
                                   "\n",
                              res->mirrored)
                 : buf_puts(out, "Records mirrored from peers: excluded "
                                 "(policy incidents.mirrored)\n");
    if (!rc)
        rc = res->evals_mirrored_included
                 ? buf_printf(out, "Evaluations mirrored from peers: "
                                   "included (%zu counted; policy "
                                   "evals.mirrored)\n",
                              res->evals_mirrored)
                 : buf_puts(out, "Evaluations mirrored from peers: excluded "
                                 "(policy evals.mirrored)\n");
    if (!rc)
        rc = buf_printf(out,
                        "\n%-4s %-6s %-24s %-3s %-6s %-15s %-9s %-5s %-22s "
                        "%-24s %-13s %s\n",
                        "#", "hazard", "model", "imp", "P*", "tier", "driver",
                        "evid", "incidents/yr [90%]", "p unsafe [95%]",
                        "rank [80%]", "grade");
    size_t k = 0;
    for (size_t i = 0; !rc && i < res->n; i++) {
        const risk_item *it = &res->items[i];
        if (!it->ranked)
            continue;
        char rate[48] = "-", pu[48] = "-", rank[32], grade[48] = "-";
        if (it->n_raw > 0)
            snprintf(rate, sizeof rate, "%.2f [%.2f, %.2f]", it->rate_med,
                     it->rate_lo, it->rate_hi);
        if (it->eval_n > 0)
            snprintf(pu, sizeof pu, "%.2f%% [%.2f, %.2f]", 100 * it->p_med,
                     100 * it->p_lo, 100 * it->p_hi);
        snprintf(rank, sizeof rank, "%.0f [%.0f-%.0f]", it->rank_med,
                 it->rank_lo, it->rank_hi);
        if (it->grade)
            snprintf(grade, sizeof grade, "%s%s", grade_names[it->grade],
                     it->grade_straddles ? " (straddles)" : "");
        int tie = (i > 0 && res->items[i - 1].ranked &&
                   res->items[i - 1].tie_group == it->tie_group) ||
                  (i + 1 < res->n && res->items[i + 1].ranked &&
                   res->items[i + 1].tie_group == it->tie_group);
        char num[16];
        snprintf(num, sizeof num, "%zu%s", ++k, tie ? "=" : "");
        rc = buf_printf(out,
                        "%-4s %-6s %-24.24s I%-2d %-6.2f %-15s %-9s %-5s "
                        "%-22s %-24s %-13s %s%s\n",
                        num, it->hazard, it->model[0] ? it->model : "(all)",
                        it->impact, it->p_star, risk_tier_name(it->tier),
                        it->driver, it->evidence, rate, pu, rank, grade,
                        it->no_eval_coverage ? " [no eval coverage]" : "");
    }
    if (!rc && k < res->n)
        rc = buf_puts(out, "\nUnder-evidenced (gather data):\n");
    for (size_t i = 0; !rc && i < res->n; i++) {
        const risk_item *it = &res->items[i];
        if (it->ranked)
            continue;
        rc = buf_printf(out,
                        "  %-6s %-24.24s I%d  incidents %.0f, evals n=%.0f "
                        "(needs %.0f)%s\n",
                        it->hazard, it->model[0] ? it->model : "(all)",
                        it->impact, it->n_raw, it->eval_n,
                        ceil(log(20) / it->tolerance),
                        it->no_eval_coverage ? " [no eval coverage]" : "");
    }
    if (!rc)
        rc = risk_over_refusal_text(res, out);
    if (!rc)
        rc = buf_printf(out, "\nGrades: %s.\n", res->grade_basis);
    return rc ? osafe_errf(e, rc, "out of memory") : 0;
}

static const char *lab(const char *s, const char *def)
{
    return s && *s ? s : def;
}

int risk_matrix_panel_svg(const risk_result *res, const risk_svg_labels *l,
                          int latent, osafe_buf *out, osafe_err *e)
{
    static const char *const rt[5] = {"<0.1/yr", "0.1-1/yr", "1-10/yr",
                                      "10-100/yr", ">100/yr"};
    static const char *const lt[5] = {"<=0.1%", "<=1%", "<=5%", "<=20%",
                                      ">20%"};
    static const char *const it5[5] = {"I1", "I2", "I3", "I4", "I5"};
    risk_svg_labels none = {0};
    if (!l)
        l = &none;
    svg_matrix_opts o = {0};
    o.title = latent ? lab(l->latent_title, "Latent risk (evaluations)")
                     : lab(l->realized_title, "Realized risk (incidents)");
    o.desc = latent ? "Unsafe-response rate of evaluations by potential "
                      "impact; glyphs at the posterior median with 95% "
                      "intervals."
                    : "Reported-incident rate by severity weight; glyphs "
                      "at the posterior median with 90% intervals.";
    o.x_label = lab(l->likelihood, latent ? "Unsafe-response rate"
                                          : "Incidents per year");
    o.y_label = lab(l->impact, "Impact");
    for (int i = 0; i < 5; i++) {
        o.x_ticks[i] = lab(latent ? l->latent_ticks[i] : l->realized_ticks[i],
                           latent ? lt[i] : rt[i]);
        o.y_ticks[i] = lab(l->impact_ticks[i], it5[i]);
    }
    o.rtl = l->rtl;
    svg_glyph g[PANEL_GLYPHS];
    char labels[PANEL_GLYPHS][48], hrefs[PANEL_GLYPHS][160],
        marks[PANEL_GLYPHS][24];
    double maxn = 0;
    for (size_t i = 0; i < res->n; i++) {
        double v = latent ? res->items[i].eval_n : res->items[i].n_raw;
        maxn = v > maxn ? v : maxn;
    }
    size_t n = 0;
    for (size_t i = 0; i < res->n && n < PANEL_GLYPHS; i++) {
        const risk_item *it = &res->items[i];
        double ev = latent ? it->eval_n : it->n_raw;
        if (!(ev > 0))
            continue;
        svg_glyph *x = &g[n];
        memset(x, 0, sizeof *x);
        snprintf(labels[n], sizeof labels[n], "%s%s%.30s", it->hazard,
                 it->model[0] ? " " : "", it->model);
        x->label = labels[n];
        if (l->numbered) {
            /* ranked items are numbered as in the tables (1-based, in
             * rank order); under-evidenced ones have no rank to show */
            snprintf(marks[n], sizeof marks[n], "%zu", i + 1);
            x->mark = it->ranked ? marks[n] : "";
        }
        if (l->href_prefix) {
            snprintf(hrefs[n], sizeof hrefs[n], "%s%s", l->href_prefix,
                     it->hazard);
            x->href = hrefs[n];
        }
        x->x = latent ? it->lx : it->rx;
        x->x_lo = latent ? it->lx_lo : it->rx_lo;
        x->x_hi = latent ? it->lx_hi : it->rx_hi;
        x->y = latent ? it->ly : it->ry;
        x->y_lo = latent ? NAN : it->ry_lo;
        x->y_hi = latent ? NAN : it->ry_hi;
        x->size = maxn > 0 ? log1p(ev) / log1p(maxn) : 0;
        x->hollow = !it->ranked;
        x->tier = it->tier;
        x->prev_x = x->prev_y = NAN;
        n++;
    }
    return svg_matrix(out, g, n, &o, e);
}

int risk_matrix_svg(const risk_result *res, const risk_svg_labels *l,
                    osafe_buf *out, osafe_err *e)
{
    /* One standalone document: the two panels side by side as nested
     * <svg> elements, never blended into one grid. */
    osafe_buf a = OSAFE_BUF_INIT, b = OSAFE_BUF_INIT;
    int rc = risk_matrix_panel_svg(res, l, 0, &a, e);
    if (!rc)
        rc = risk_matrix_panel_svg(res, l, 1, &b, e);
    double w = 0, h = 0;
    if (!rc) {
        const char *pw = strstr(a.data, " width=\""),
                   *ph = strstr(a.data, " height=\"");
        w = pw ? strtod(pw + 8, NULL) : 0;
        h = ph ? strtod(ph + 9, NULL) : 0;
        if (!(w > 0) || !(h > 0))
            rc = osafe_errf(e, OSAFE_ESTATE, "svg: a panel without a size");
    }
    int rtl = l && l->rtl;
    if (!rc)
        rc = buf_printf(out,
                        "<svg xmlns=\"http://www.w3.org/2000/svg\" "
                        "width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f "
                        "%.0f\" role=\"group\" style=\"max-width:100%%;"
                        "height:auto\"><title>",
                        2 * w, h, 2 * w, h);
    if (!rc && l && l->title && *l->title)
        rc = xml_escape(out, l->title);
    else if (!rc)
        rc = buf_printf(out, "Risk matrix: realized and latent risk (seed "
                             "%llu)",
                        (unsigned long long)res->seed);
    if (!rc)
        rc = buf_puts(out, "</title>");
    if (!rc && !l) { /* the standalone document: what was left out */
        osafe_buf d = OSAFE_BUF_INIT;
        rc = risk_left_out_text(res, &d);
        if (!rc)
            rc = buf_puts(out, "<desc>");
        if (!rc)
            rc = xml_escape(out, d.data);
        if (!rc)
            rc = buf_puts(out, "</desc>");
        buf_release(&d);
    }
    /* the second panel in reading order sits at x = w */
    const osafe_buf *first = rtl ? &b : &a, *second = rtl ? &a : &b;
    if (!rc)
        rc = buf_append(out, first->data, first->len);
    if (!rc && second->len > 4 && !strncmp(second->data, "<svg", 4))
        rc = buf_printf(out, "<svg x=\"%.0f\"", w);
    if (!rc)
        rc = buf_append(out, second->data + 4, second->len - 4);
    if (!rc)
        rc = buf_puts(out, "</svg>\n");
    buf_release(&a);
    buf_release(&b);
    return rc < 0 && e && e->code == rc ? rc
           : rc ? osafe_errf(e, rc, "out of memory")
                : 0;
}
