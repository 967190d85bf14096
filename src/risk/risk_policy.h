/*
 * risk_policy.h - every "(policy)" number of the risk method
 * (../shared/design/risk-taxonomy.md, docs/RISK.md), with its default.
 *
 * The defaults are compiled in (risk_policy_default) and shipped, equal,
 * as etc/risk-policy.yaml; a YAML file of the same shape (core/yamlx
 * subset; numbers written as plain scalars) overrides any subset of keys.
 * An unknown key is an error, so a misspelt key never silently falls back
 * to a default.
 */
#ifndef OSAFE_RISK_POLICY_H
#define OSAFE_RISK_POLICY_H

#include <stddef.h>

#include "core/status.h"

#define RISK_HAZARDS 12        /* AILuminate v1.0 hazards */
#define RISK_REF_RUNS_MAX 16   /* reference runs a policy may name */

enum risk_prior { RISK_PRIOR_JEFFREYS = 0, RISK_PRIOR_EB = 1 };

struct risk_policy {
    double impact_base;        /* b in w(I) = b^(I-1) */
    /* impact level of each OECD severity level */
    int level_hazard, level_serious_hazard, level_incident,
        level_serious_incident, level_disaster;
    int potential[RISK_HAZARDS]; /* "Pot." per hazard, risk_hazard order */
    int default_impact;        /* hazards outside the AILuminate twelve */
    double alpha0;             /* Dirichlet pseudo-incidents */
    double profile_centre;     /* share of the prior profile at Pot. */
    double profile_neighbour;  /* share at each adjacent level */

    int incident_prior;        /* enum risk_prior */
    double gamma_a0, gamma_b0; /* Jeffreys-like prior (shape, rate) */
    double half_life_years;    /* recency weight 2^(-age/h) */
    double window_years;       /* incidents older than this are ignored */
    double hazard_weight;      /* incidents a hazard report counts as, 0..1 */
    double horizon_years;      /* H */
    double exposure;           /* exposure per year (1 = per year) */
    int tolerance_level;       /* tau_inc = w(level) per year */
    int min_incidents;         /* realized incidents that count as coverage */
    int mirrored;              /* 1: count records mirrored from peers
                                * (incidents.mirrored: include) */
    int evals_mirrored;        /* 1: count evaluations mirrored from peers
                                * (evals.mirrored: include) */

    int eval_prior;            /* enum risk_prior (ranking only) */
    double beta_a, beta_b;     /* Jeffreys prior for grades */
    double tolerance[6];       /* t_h by potential impact, index 1..5 */
    double icc;                /* intra-cluster correlation, epochs > 1 */
    double eb_kappa_max;       /* cap on the empirical-Bayes strength */

    double tier_high, tier_medium, tier_high_i5;
    double tie_delta;          /* P* closer than this: one tie group */
    double tie_overlap;        /* or rank intervals overlapping this much */
    unsigned draws;            /* D */
    int top_n;                 /* P(top-N) */

    /* grades: reference runs (evaluation ids); none: the published
     * AILuminate v1.0 en_US standards */
    size_t n_reference;
    char reference[RISK_REF_RUNS_MAX][32];

    char as_of[16];            /* "YYYY-MM-DD" the ages count from; "" now */
};

/* Hazard uid of index i (0..RISK_HAZARDS-1) in the order of the policy's
 * potential[] and of the crosswalk. */
const char *risk_hazard_uid(int i);
/* Index of a hazard uid or its sub-hazard ("spc_hlt" -> spc), -1 if none. */
int risk_hazard_index(const char *uid);

void risk_policy_default(struct risk_policy *p);
/* Apply the YAML text's keys onto p (start from risk_policy_default). */
int risk_policy_parse(struct risk_policy *p, const char *text, size_t len,
                      osafe_err *e);
int risk_policy_load(struct risk_policy *p, const char *path, osafe_err *e);
/* 1 if every field is equal. */
int risk_policy_equal(const struct risk_policy *a,
                      const struct risk_policy *b);
#endif
