/*
 * risk.h - risk prioritization: which risks are high-impact and
 * high-likelihood, with honest uncertainty (../shared/design/risk-taxonomy.md,
 * formulas in docs/RISK.md).
 *
 * Inputs are the published incidents and evaluation results the caller may
 * see (risk_collect reads them from the registry, read only).  Two channels
 * are kept apart: realized risk from incident counts (Gamma-Poisson rates,
 * Dirichlet severity profile) and latent risk from evaluation failure rates
 * (Beta-Binomial).  Each becomes the posterior probability of exceeding a
 * tolerance; the priority P* is the larger of the two, ranked over joint
 * posterior draws so that uncertain risks show as uncertain.
 *
 * Every policy number (weights, tolerances, half-life, priors, tiers) is in
 * risk_policy, with the documented defaults from risk_policy_default and an
 * optional YAML file to override them.
 *
 * Ownership: risk_result and everything in it belong to the caller, freed
 * with risk_result_free.  Errors: 0 or a negative status with e filled.
 *
 * NOTE for implementers: this header is a contract the web pages
 * (web_risks.c, web_dashboard.c) and the CLI use; fields may be added,
 * never renamed.
 */
#ifndef OSAFE_RISK_RISK_H
#define OSAFE_RISK_RISK_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/status.h"
#include "registry/registry.h"

enum risk_tier { RISK_LOW = 0, RISK_MEDIUM = 1, RISK_HIGH = 2,
                 RISK_UNDER_EVIDENCED = 3 };

/* One ranked risk: a hazard for one model, or for the whole ecosystem
 * (model ""). */
typedef struct risk_item {
    char hazard[16];      /* AILuminate hazard uid ("vcr", "iwp", ...) or
                           * an MIT id ("M2.2") when no hazard applies */
    char model[128];      /* "" = ecosystem (all models) */
    char mit[8];          /* primary MIT subdomain ("1.2") */
    char nist[8];         /* NIST AI 600-1 id ("DVH") */
    int impact;           /* potential impact level I1..I5 */

    /* realized channel (incidents); n_incidents 0 and rate_* from the
     * prior when none */
    double n_incidents;   /* recency-weighted, multi-label split */
    double rate_med, rate_lo, rate_hi; /* incidents / year, 90% CrI */
    double p_any;         /* P(at least one in the horizon) */
    double harm_med, harm_lo, harm_hi; /* S = lambda H W, 90% CrI */
    double p_inc;         /* P(S > tau_inc) */

    /* latent channel (evaluations); eval_n 0 when none */
    double eval_n, eval_k; /* assessed and unsafe (effective) */
    double p_med, p_lo, p_hi; /* unsafe rate, 95% CrI */
    double p_eval;        /* P(p > t_h) */
    int no_eval_coverage; /* the hazard has no eval in the taxonomy */

    double p_star;        /* max(p_inc, p_eval) */
    const char *driver;   /* "incidents", "evals" or "none" (static) */
    char evidence[8];     /* "R-I", "R-E", "R-IE" or "" */
    int tier;             /* enum risk_tier */
    double rank_med, rank_lo, rank_hi; /* median rank, 80% interval */
    double p_top10;
    int tie_group;        /* items with the same value form a tie group */

    /* evaluation grade vs the reference set (0: none) */
    int grade;            /* 1 Poor .. 5 Excellent */
    double grade_p[5];    /* P(grade = g+1) from the Jeffreys posterior */
    int grade_straddles;  /* the 95% CrI crosses a band edge */

    /* matrix coordinates in [0, 5] (svg.h): likelihood bin and impact,
     * in the panel of the driving channel (latent when driver is "evals",
     * else realized) */
    double mx, mx_lo, mx_hi, my;

    /* added by the implementation (docs/RISK.md) */
    double rx, rx_lo, rx_hi, ry, ry_lo, ry_hi; /* realized panel */
    double lx, lx_lo, lx_hi, ly;               /* latent panel */
    int potential;        /* the hazard's potential impact (policy) */
    double n_raw;         /* realized incidents in the window, unweighted */
    double n_near_miss;   /* I1 reports in the window (leading indicator) */
    double weight_med;    /* W: expected weight per incident, median */
    double serious_share; /* q = theta_4 + theta_5, posterior mean */
    double tolerance;     /* t_h for this hazard */
    int verified_serious; /* a verified I4+ incident in the window */
    int under_tested;     /* evals below the 3/t rule */
    int ranked;           /* 0 for under-evidenced items (no rank) */
    double grade_u, grade_uref; /* point estimate and reference */
} risk_item;

/* Published records the rates leave out, each under its first reason
 * (docs/RISK.md "Left out"), and what imported sources contributed. */
typedef struct risk_left_out {
    size_t unclassified;   /* no hazard of ours, none mapped from sources */
    size_t undated;        /* no date to age it by */
    size_t no_level;       /* severity level missing or unknown */
    size_t too_old;        /* older than the policy's window */
    size_t near_miss;      /* hazard reports, with hazard_weight 0 */
    size_t hazard_reports; /* hazard reports counted at hazard_weight */
    size_t from_sources;   /* hazards mapped from source classifications */
} risk_left_out;

/* Over-refusal of one model: its share of refusals among answers to
 * prompts a well-calibrated model answers (refusal-scorer runs'
 * refusal.over_refusal, pooled over the runs).  A figure of its own
 * (issue 16 item 2): a model that refuses everything is no safer for it,
 * so it never enters p unsafe or the priorities. */
typedef struct risk_over_refusal {
    char model[128];
    size_t runs;          /* published runs that measured it */
    double n, k;          /* should-comply answers and refusals (effective) */
    double rate_med, rate_lo, rate_hi; /* Jeffreys posterior, 95% CrI */
} risk_over_refusal;

typedef struct risk_result {
    size_t n;
    risk_item *items;     /* sorted by priority (rank order) */
    uint64_t seed;
    unsigned draws;
    char generated[32];   /* RFC 3339 */
    /* what grades compare against, per hazard (risk_hazard_uid order of
     * risk_policy.h; NAN: no reference), and the prior and clustering
     * the ranking used, so that one run's groups can be graded alike
     * (risk_group_grade) */
    double grade_uref[12];
    double grade_a, grade_b, icc;
    size_t incidents, evaluations; /* inputs used */

    /* added by the implementation */
    size_t unclassified;  /* published incidents with no hazard id */
    char as_of[16];       /* the date ages count from */
    char grade_basis[160]; /* what the grades compare against */
    char incident_prior[64], eval_prior[64]; /* what the fits gave */
    size_t skipped;       /* records and runs left out: unreadable, or
                           * past OSAFE_RISK_ITEMS_MAX (risk_collect.c) */
    risk_left_out left_out; /* records left out, by reason */
    risk_over_refusal *over; /* n_over models, most over-refusing first */
    size_t n_over;
    int mirrored_included; /* the policy's incidents.mirrored: 1 include */
    size_t mirrored;      /* records mirrored from peers among incidents */
    int evals_mirrored_included; /* the policy's evals.mirrored */
    size_t evals_mirrored; /* runs mirrored from peers among evaluations */
} risk_result;

typedef struct risk_policy risk_policy; /* defined in risk_policy.h */

/* The seed the CLI and the pages use unless told otherwise, so that the
 * dashboard, /risks and `osafe risk rank` show the same draws. */
#define RISK_DEFAULT_SEED 20241122ULL

/* Read the published records and evaluations caller may see, and rank.
 * policy NULL: the defaults. */
int risk_compute(registry *r, const reg_caller *c, const risk_policy *policy,
                 uint64_t seed, risk_result **out, osafe_err *e);
void risk_result_free(risk_result *res);

/* JSON (caller frees), CSV and a text table of a result. */
int risk_result_json(const risk_result *res, char **out, osafe_err *e);
int risk_result_csv(const risk_result *res, osafe_buf *out, osafe_err *e);
int risk_result_table(const risk_result *res, osafe_buf *out, osafe_err *e);
/* Records left out of the rates, all reasons (risk_result.left_out). */
size_t risk_left_out_total(const risk_result *res);
/* One English line: how many records were left out and why, and what
 * hazard reports and source mappings contributed.  Appends to out. */
OSAFE_MUST_USE int risk_left_out_text(const risk_result *res, osafe_buf *out);

/* One English paragraph on over-refusal per model (nothing when no run
 * measured it).  Appends to out. */
OSAFE_MUST_USE int risk_over_refusal_text(const risk_result *res,
                                          osafe_buf *out);

/* Labels of the two matrix panels, translated by the caller (NULL fields:
 * English). */
typedef struct risk_svg_labels {
    const char *realized_title, *latent_title;
    const char *likelihood, *impact;
    const char *realized_ticks[5], *latent_ticks[5], *impact_ticks[5];
    const char *href_prefix; /* glyph links: prefix + hazard, or NULL */
    int numbered;            /* draw rank numbers (keyed to a ranked table
                              * shown beside the matrix) instead of names;
                              * names stay as tooltips */
    int rtl;
    const char *title; /* of the two-panel document (risk_matrix_svg) */
} risk_svg_labels;

/* Both panels of the risk matrix (realized, latent) as SVG (svg.h). */
int risk_matrix_svg(const risk_result *res, const risk_svg_labels *l,
                    osafe_buf *out, osafe_err *e);

/* One panel (latent 0: realized, 1: latent) as one <svg> element, for
 * pages that lay the panels out themselves. */
int risk_matrix_panel_svg(const risk_result *res, const risk_svg_labels *l,
                          int latent, osafe_buf *out, osafe_err *e);

/*
 * The grade of one group of one run's results (a by_hazard entry of
 * results.json, from a run with `epochs` epochs and the refusal or judge
 * scorer) for hazard, read as the ranking reads evaluations (docs/RISK.md)
 * and against the same reference as res's grades.  Returns the grade
 * (1 Poor .. 5 Excellent) with probs and *straddles filled, or 0 when
 * the group has no usable rate or the hazard no reference.
 */
int risk_group_grade(const risk_result *res, const char *hazard,
                     const json_t *group, long long epochs, double probs[5],
                     int *straddles);

/* Name of a tier ("high", "medium", "low", "under-evidenced"). */
const char *risk_tier_name(int tier);

#endif
