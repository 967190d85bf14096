/*
 * report_paired.c - the paired per-group table of `eval report --html
 * --against`: each hazard's and language's own 2 x 2 table of the items
 * both runs scored (eval_compare), read as "this run minus the other".
 */
#include <math.h>
#include <stdio.h>

#include "core/hazard.h"
#include "core/limits.h"
#include "core/xml.h"
#include "eval/run_internal.h"
#include "svg/svg.h"

static int put(osafe_buf *o, const char *s)
{
    return buf_puts(o, s);
}

static double num_of(const json_t *j, const char *key)
{
    const json_t *v = json_object_get(j, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* A share as "12.3%" (NaN "n/a"); with sign for differences in points. */
static int share(osafe_buf *o, double v, int sign, const char *unit)
{
    if (!isfinite(v))
        return put(o, "n/a");
    int rc = sign && v > 0 ? put(o, "+") : 0;
    if (rc == 0)
        rc = svg_num(o, 100.0 * v, 1);
    return rc ? rc : put(o, unit);
}

/* A p-value to 3 significant places, tiny ones as "< 0.0001". */
static int pval(osafe_buf *o, double p)
{
    if (!isfinite(p))
        return put(o, "n/a");
    if (p < 0.0001)
        return put(o, "&lt; 0.0001");
    char t[32];
    snprintf(t, sizeof t, "%.3g", p);
    for (char *c = t; *c; c++) /* never the locale's decimal comma */
        if (*c == ',')
            *c = '.';
    return put(o, t);
}

/* "62.5% [40.1%, 80.3%]" of one side's rate (key "rate_a" or "rate_b"). */
static int side(osafe_buf *o, const json_t *g, const char *key)
{
    char lo[16], hi[16];
    snprintf(lo, sizeof lo, "%s_lo", key);
    snprintf(hi, sizeof hi, "%s_hi", key);
    int rc = share(o, num_of(g, key), 0, "%");
    if (rc == 0)
        rc = put(o, " [");
    if (rc == 0)
        rc = share(o, num_of(g, lo), 0, "%");
    if (rc == 0)
        rc = put(o, ", ");
    if (rc == 0)
        rc = share(o, num_of(g, hi), 0, "%");
    return rc ? rc : put(o, "]");
}

static int row(osafe_buf *o, const char *name, const json_t *g)
{
    int rc = put(o, "<tr><th scope=\"row\">");
    if (rc == 0)
        rc = xml_escape(o, name);
    if (rc == 0)
        rc = buf_printf(o, "</th><td class=\"num\">%lld</td><td class=\"num\">",
                        (long long)json_integer_value(
                            json_object_get(g, "items")));
    /* eval_compare(other, this): B is this run */
    if (rc == 0)
        rc = side(o, g, "rate_b");
    if (rc == 0)
        rc = put(o, "</td><td class=\"num\">");
    if (rc == 0)
        rc = side(o, g, "rate_a");
    if (rc == 0)
        rc = put(o, "</td><td class=\"num\">");
    if (rc == 0)
        rc = share(o, num_of(g, "diff"), 1, "");
    if (rc == 0)
        rc = put(o, " [");
    if (rc == 0)
        rc = share(o, num_of(g, "lo"), 1, "");
    if (rc == 0)
        rc = put(o, ", ");
    if (rc == 0)
        rc = share(o, num_of(g, "hi"), 1, "");
    if (rc == 0)
        rc = buf_printf(o, "]</td><td class=\"num\">%lld / %lld</td>"
                           "<td class=\"num\">",
                        (long long)json_integer_value(
                            json_object_get(g, "b_only")),
                        (long long)json_integer_value(
                            json_object_get(g, "a_only")));
    static const char *const ps[] = {"p_value", "p_mid", "p_holm"};
    for (int i = 0; rc == 0 && i < 3; i++) {
        rc = pval(o, num_of(g, ps[i]));
        if (rc == 0)
            rc = put(o, i < 2 ? "</td><td class=\"num\">" : "</td></tr>");
    }
    return rc;
}

int run__report_paired_html(osafe_buf *o, const json_t *c)
{
    static const char *const keys[2] = {"by_hazard", "by_language"};
    static const char *const cols[2] = {"hazard", "language"};
    int rc = 0;
    for (int i = 0; rc == 0 && i < 2; i++) {
        const json_t *sec = json_object_get(c, keys[i]);
        if (!json_object_size(sec))
            continue;
        rc = buf_printf(o, "<div class=\"scroll\"><table class=\"paired\" "
                           "id=\"paired-%s\"><caption>Paired differences by "
                           "%s (this run minus the other, items both runs "
                           "scored; p adjusted across the %ss by Holm)"
                           "</caption><thead><tr><th scope=\"col\">%s</th>"
                           "<th scope=\"col\">items</th>"
                           "<th scope=\"col\">this run</th>"
                           "<th scope=\"col\">other run</th>"
                           "<th scope=\"col\">difference, points [95%%]</th>"
                           "<th scope=\"col\">only this / only other</th>"
                           "<th scope=\"col\">McNemar p</th>"
                           "<th scope=\"col\">mid-p</th>"
                           "<th scope=\"col\">Holm p</th></tr></thead><tbody>",
                        cols[i], cols[i], cols[i], cols[i]);
        const char *k;
        json_t *g;
        json_object_foreach((json_t *)sec, k, g) {
            /* hazards by name, the code kept: "Violent crimes (vcr)" */
            char lb[OSAFE_HAZARD_LABEL_MAX];
            const char *name = i == 0 ? hazard_name_en(k) : NULL;
            if (!name || snprintf(lb, sizeof lb, "%s (%s)", name, k) >=
                             (int)sizeof lb)
                name = NULL;
            if (rc == 0)
                rc = row(o, name ? lb : k, g);
        }
        if (rc == 0)
            rc = put(o, "</tbody></table></div>");
    }
    return rc;
}
