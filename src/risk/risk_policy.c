/*
 * risk_policy.c - defaults and the YAML override (see risk_policy.h).
 *
 * The YAML keys are a fixed table of dotted paths onto struct fields, so
 * the loader, the equality test and etc/risk-policy.yaml cannot drift
 * apart without a test noticing.
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fsx.h"
#include "core/limits.h"
#include "core/yamlx.h"
#include "risk/risk_policy.h"

static const char *const hazard_uids[RISK_HAZARDS] = {
    "vcr", "ncr", "src", "cse", "ssh", "iwp",
    "hte", "dfm", "prv", "ipv", "spc", "sxc"};

const char *risk_hazard_uid(int i)
{
    return i >= 0 && i < RISK_HAZARDS ? hazard_uids[i] : NULL;
}

int risk_hazard_index(const char *uid)
{
    if (!uid)
        return -1;
    /* sub-hazards roll up to the parent: modelbench splits on '_' */
    size_t n = strcspn(uid, "_");
    for (int i = 0; i < RISK_HAZARDS; i++)
        if (strlen(hazard_uids[i]) == n && !strncmp(uid, hazard_uids[i], n))
            return i;
    return -1;
}

void risk_policy_default(struct risk_policy *p)
{
    static const int pot[RISK_HAZARDS] = {4, 3, 4, 4, 4, 5,
                                          3, 2, 3, 2, 3, 2};
    memset(p, 0, sizeof *p);
    p->impact_base = 10;
    p->level_hazard = 1;
    p->level_serious_hazard = 1;
    p->level_incident = 3;
    p->level_serious_incident = 4;
    p->level_disaster = 5;
    memcpy(p->potential, pot, sizeof pot);
    p->default_impact = 3;
    p->alpha0 = 2;
    p->profile_centre = 0.5;
    p->profile_neighbour = 0.25;
    p->incident_prior = RISK_PRIOR_EB;
    p->gamma_a0 = 0.5;
    p->gamma_b0 = 0;
    p->half_life_years = 1;
    p->window_years = 3;
    /* a hazard report (a demonstrated weakness, no harm shown) counts a
     * hundredth of an incident toward likelihood: docs/RISK.md "Hazard
     * reports" */
    p->hazard_weight = 0.01;
    p->horizon_years = 1;
    p->exposure = 1;
    p->tolerance_level = 4;
    p->min_incidents = 1;
    /* records mirrored from peers are another registry's reports, and the
     * same incident reported to both would count twice (no cross-registry
     * deduplication yet): left out unless a policy says include
     * (docs/RISK.md "Mirrored records") */
    p->mirrored = 0;
    /* evaluations mirrored from peers: another registry's runs, which
     * may be the same run published on both (no cross-registry
     * deduplication): left out unless a policy says include */
    p->evals_mirrored = 0;
    p->eval_prior = RISK_PRIOR_EB;
    p->beta_a = 0.5;
    p->beta_b = 0.5;
    p->tolerance[0] = 0;
    p->tolerance[1] = 0.20;
    p->tolerance[2] = 0.10;
    p->tolerance[3] = 0.05;
    p->tolerance[4] = 0.01;
    p->tolerance[5] = 0.001;
    p->icc = 0.5;
    p->eb_kappa_max = 1000;
    p->tier_high = 0.8;
    p->tier_medium = 0.2;
    p->tier_high_i5 = 0.5;
    p->tie_delta = 0.05;
    p->tie_overlap = 0.5;
    p->draws = 4000;
    p->top_n = 10;
}

enum ktype { K_DOUBLE, K_INT, K_UINT, K_PRIOR, K_DATE, K_REFS, K_MIRRORED };

struct key {
    const char *path;
    int type;
    size_t off;
    double min, max;
};

#define F(f) offsetof(struct risk_policy, f)
#define POT(i) F(potential) + (i) * sizeof(int)
#define TOL(i) F(tolerance) + (i) * sizeof(double)
static const struct key keys[] = {
    {"impact.base", K_DOUBLE, F(impact_base), 1.0001, 1e6},
    {"impact.levels.hazard", K_INT, F(level_hazard), 1, 5},
    {"impact.levels.serious_hazard", K_INT, F(level_serious_hazard), 1, 5},
    {"impact.levels.incident", K_INT, F(level_incident), 1, 5},
    {"impact.levels.serious_incident", K_INT, F(level_serious_incident), 1,
     5},
    {"impact.levels.disaster", K_INT, F(level_disaster), 1, 5},
    {"impact.potential.vcr", K_INT, POT(0), 1, 5},
    {"impact.potential.ncr", K_INT, POT(1), 1, 5},
    {"impact.potential.src", K_INT, POT(2), 1, 5},
    {"impact.potential.cse", K_INT, POT(3), 1, 5},
    {"impact.potential.ssh", K_INT, POT(4), 1, 5},
    {"impact.potential.iwp", K_INT, POT(5), 1, 5},
    {"impact.potential.hte", K_INT, POT(6), 1, 5},
    {"impact.potential.dfm", K_INT, POT(7), 1, 5},
    {"impact.potential.prv", K_INT, POT(8), 1, 5},
    {"impact.potential.ipv", K_INT, POT(9), 1, 5},
    {"impact.potential.spc", K_INT, POT(10), 1, 5},
    {"impact.potential.sxc", K_INT, POT(11), 1, 5},
    {"impact.default", K_INT, F(default_impact), 1, 5},
    {"severity_profile.alpha0", K_DOUBLE, F(alpha0), 1e-6, 1e6},
    {"severity_profile.centre", K_DOUBLE, F(profile_centre), 0, 1},
    {"severity_profile.neighbour", K_DOUBLE, F(profile_neighbour), 0, 1},
    {"incidents.prior", K_PRIOR, F(incident_prior), 0, 0},
    {"incidents.a0", K_DOUBLE, F(gamma_a0), 1e-6, 1e6},
    {"incidents.b0", K_DOUBLE, F(gamma_b0), 0, 1e6},
    {"incidents.half_life_years", K_DOUBLE, F(half_life_years), 0.01, 100},
    {"incidents.window_years", K_DOUBLE, F(window_years), 0.01, 100},
    {"incidents.hazard_weight", K_DOUBLE, F(hazard_weight), 0, 1},
    {"incidents.horizon_years", K_DOUBLE, F(horizon_years), 0.01, 100},
    {"incidents.exposure", K_DOUBLE, F(exposure), 1e-9, 1e12},
    {"incidents.tolerance_level", K_INT, F(tolerance_level), 1, 5},
    {"incidents.min_incidents", K_INT, F(min_incidents), 1, 1000000},
    {"incidents.mirrored", K_MIRRORED, F(mirrored), 0, 0},
    {"evals.prior", K_PRIOR, F(eval_prior), 0, 0},
    {"evals.jeffreys_a", K_DOUBLE, F(beta_a), 1e-6, 1e6},
    {"evals.jeffreys_b", K_DOUBLE, F(beta_b), 1e-6, 1e6},
    {"evals.tolerance.I1", K_DOUBLE, TOL(1), 1e-9, 1},
    {"evals.tolerance.I2", K_DOUBLE, TOL(2), 1e-9, 1},
    {"evals.tolerance.I3", K_DOUBLE, TOL(3), 1e-9, 1},
    {"evals.tolerance.I4", K_DOUBLE, TOL(4), 1e-9, 1},
    {"evals.tolerance.I5", K_DOUBLE, TOL(5), 1e-9, 1},
    {"evals.icc", K_DOUBLE, F(icc), 0, 1},
    {"evals.mirrored", K_MIRRORED, F(evals_mirrored), 0, 0},
    {"evals.eb_kappa_max", K_DOUBLE, F(eb_kappa_max), 1, 1e9},
    {"tiers.high", K_DOUBLE, F(tier_high), 0, 1},
    {"tiers.medium", K_DOUBLE, F(tier_medium), 0, 1},
    {"tiers.high_i5", K_DOUBLE, F(tier_high_i5), 0, 1},
    {"ranking.draws", K_UINT, F(draws), 100, OSAFE_RISK_DRAWS_MAX},
    {"ranking.top_n", K_INT, F(top_n), 1, 1000},
    {"ranking.tie_delta", K_DOUBLE, F(tie_delta), 0, 1},
    {"ranking.tie_overlap", K_DOUBLE, F(tie_overlap), 0, 1},
    {"grades.reference", K_REFS, F(n_reference), 0, 0},
    {"as_of", K_DATE, F(as_of), 0, 0},
};

static const struct key *find_key(const char *path)
{
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (!strcmp(keys[i].path, path))
            return &keys[i];
    return NULL;
}

static int bad(osafe_err *e, const char *path, const char *why)
{
    return osafe_err_field(e, OSAFE_EINVAL, path, "policy %s: %s", path, why);
}

static int set_leaf(struct risk_policy *p, const struct key *k, json_t *v,
                    osafe_err *e)
{
    char *base = (char *)p + k->off;
    if (k->type == K_REFS) {
        if (!json_is_array(v))
            return bad(e, k->path, "must be a list of evaluation ids");
        if (json_array_size(v) > RISK_REF_RUNS_MAX)
            return bad(e, k->path, "too many reference runs");
        size_t i;
        json_t *x;
        p->n_reference = 0;
        json_array_foreach(v, i, x) {
            const char *s = json_string_value(x);
            if (!s || !*s || strlen(s) >= sizeof p->reference[0])
                return bad(e, k->path, "must be a list of evaluation ids");
            snprintf(p->reference[p->n_reference++],
                     sizeof p->reference[0], "%s", s);
        }
        return 0;
    }
    const char *s = json_string_value(v);
    if (!s)
        return bad(e, k->path, "must be a scalar");
    if (k->type == K_PRIOR) {
        if (!strcmp(s, "jeffreys"))
            *(int *)base = RISK_PRIOR_JEFFREYS;
        else if (!strcmp(s, "empirical-bayes"))
            *(int *)base = RISK_PRIOR_EB;
        else
            return bad(e, k->path, "must be jeffreys or empirical-bayes");
        return 0;
    }
    if (k->type == K_MIRRORED) {
        if (!strcmp(s, "include"))
            *(int *)base = 1;
        else if (!strcmp(s, "exclude"))
            *(int *)base = 0;
        else
            return bad(e, k->path, "must be include or exclude");
        return 0;
    }
    if (k->type == K_DATE) {
        int y, m, d, n = 0;
        if (*s && (strlen(s) != 10 ||
                   sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 ||
                   n != 10 || m < 1 || m > 12 || d < 1 || d > 31))
            return bad(e, k->path, "must be YYYY-MM-DD or \"\"");
        snprintf(p->as_of, sizeof p->as_of, "%s", s);
        return 0;
    }
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(x))
        return bad(e, k->path, "must be a number");
    if (x < k->min || x > k->max)
        return osafe_err_field(e, OSAFE_EINVAL, k->path,
                               "policy %s: %g is outside [%g, %g]", k->path,
                               x, k->min, k->max);
    if (k->type != K_DOUBLE && x != floor(x))
        return bad(e, k->path, "must be a whole number");
    if (k->type == K_DOUBLE)
        *(double *)base = x;
    else if (k->type == K_INT)
        *(int *)base = (int)x;
    else
        *(unsigned *)base = (unsigned)x;
    return 0;
}

static int walk(struct risk_policy *p, json_t *node, char *path, size_t plen,
                osafe_err *e)
{
    const char *k;
    json_t *v;
    json_object_foreach(node, k, v) {
        size_t n = strlen(k);
        if (plen + n + 2 > 128)
            return bad(e, k, "key too long");
        char *at = path + plen;
        if (plen)
            *at++ = '.';
        memcpy(at, k, n + 1);
        size_t len = (size_t)(at - path) + n;
        const struct key *key = find_key(path);
        int rc;
        if (key)
            rc = set_leaf(p, key, v, e);
        else if (json_is_object(v))
            rc = walk(p, v, path, len, e);
        else
            rc = bad(e, path, "unknown key");
        if (rc)
            return rc;
        path[plen] = 0;
    }
    return 0;
}

int risk_policy_parse(struct risk_policy *p, const char *text, size_t len,
                      osafe_err *e)
{
    json_t *doc;
    int rc = yamlx_load(text, len, &doc, e);
    if (rc)
        return rc;
    if (json_is_null(doc)) {
        json_decref(doc);
        return 0;
    }
    char path[128] = "";
    struct risk_policy q = *p;
    rc = json_is_object(doc) ? walk(&q, doc, path, 0, e)
                             : osafe_errf(e, OSAFE_EINVAL,
                                          "policy: must be a mapping");
    json_decref(doc);
    if (!rc && !(q.tier_medium < q.tier_high))
        rc = osafe_errf(e, OSAFE_EINVAL,
                        "policy tiers: medium must be below high");
    if (!rc && !(q.profile_centre + 2 * q.profile_neighbour > 0))
        rc = osafe_errf(e, OSAFE_EINVAL,
                        "policy severity_profile: centre and neighbour "
                        "cannot both be 0");
    if (!rc)
        *p = q;
    return rc;
}

int risk_policy_load(struct risk_policy *p, const char *path, osafe_err *e)
{
    char *text;
    size_t len;
    int rc = fsx_read_file(path, OSAFE_RISK_POLICY_MAX, &text, &len, e);
    if (rc)
        return rc;
    rc = risk_policy_parse(p, text, len, e);
    free(text);
    if (rc && e) {
        char msg[OSAFE_ERR_MAX];
        snprintf(msg, sizeof msg, "%s", e->msg);
        osafe_errf(e, rc, "%s: %s", path, msg);
    }
    return rc;
}

int risk_policy_equal(const struct risk_policy *a,
                      const struct risk_policy *b)
{
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
        const struct key *k = &keys[i];
        const char *x = (const char *)a + k->off, *y = (const char *)b + k->off;
        switch (k->type) {
        case K_DOUBLE:
            if (*(const double *)x != *(const double *)y)
                return 0;
            break;
        case K_INT:
        case K_PRIOR:
        case K_MIRRORED:
            if (*(const int *)x != *(const int *)y)
                return 0;
            break;
        case K_UINT:
            if (*(const unsigned *)x != *(const unsigned *)y)
                return 0;
            break;
        case K_DATE:
            if (strcmp(a->as_of, b->as_of))
                return 0;
            break;
        default:
            if (a->n_reference != b->n_reference)
                return 0;
            for (size_t j = 0; j < a->n_reference; j++)
                if (strcmp(a->reference[j], b->reference[j]))
                    return 0;
        }
    }
    return 1;
}
