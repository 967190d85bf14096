/*
 * risk_int.h - private to src/risk: the accumulator the collector fills
 * and the model turns into a risk_result, and the taxonomy tables.
 *
 * Tests drive the accumulator directly with hand-made inputs, so the
 * method is checked without a registry.
 */
#ifndef OSAFE_RISK_INT_H
#define OSAFE_RISK_INT_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"
#include "risk/risk.h"
#include "risk/risk_policy.h"

typedef struct risk_acc risk_acc;

/* The policy is copied. */
int risk__acc_new(const struct risk_policy *p, risk_acc **out, osafe_err *e);
void risk__acc_free(risk_acc *a);

/*
 * One published incident: its hazard keys (AILuminate uids, sub-hazards
 * allowed, or "M<d>.<s>" MIT ids; duplicates after roll-up counted once),
 * the models it names (NULL/0: none), its impact level 1..5, its age in
 * years at as_of, and whether it is verified.  Outside the window it is
 * ignored; otherwise it counts 2^(-age/h)/c in each of its c categories,
 * for the ecosystem and for each model.
 */
int risk__acc_incident(risk_acc *a, const char *const *hazards, size_t nh,
                      const char *const *models, size_t nm, int level,
                      double age_years, int verified, osafe_err *e);
/* Evaluation evidence for (model, hazard): n assessed, k unsafe
 * (effective, after the design effect). */
int risk__acc_eval(risk_acc *a, const char *model, const char *hazard,
                  double n, double k, osafe_err *e);
/* A reference run's unsafe share for a hazard (the worst one is kept). */
void risk__acc_reference(risk_acc *a, const char *hazard, double u);
void risk__acc_count(risk_acc *a, size_t incidents, size_t evaluations,
                    size_t unclassified, const char *as_of);
/* Rank.  *out is the caller's (risk_result_free). */
int risk__acc_finish(risk_acc *a, uint64_t seed, risk_result **out,
                    osafe_err *e);

/* One row of the source -> hazard table (risk_sources.c). */
typedef struct risk_source_row {
    const char *ns, *prefix, *hazard;
} risk_source_row;
const risk_source_row *risk__source_table(size_t *n);
/* Our hazard key (AILuminate uid or "M<d>.<s>") for a source
 * classification, or NULL where no sound mapping exists.  Static. */
const char *risk__source_hazard(const char *ns, const char *code);

/* The unsafe share *u and effective size *neff of one by_hazard group
 * (risk_collect.c, docs/RISK.md); 0, or -1 without a usable rate. */
int risk__group_evidence(const json_t *g, long long epochs, double icc,
                        double *u, double *neff);

/* ---- over-refusal per model (risk_over.c) ---- */

/* Accumulates over-refusal evidence by model; zeroed = empty. */
typedef struct risk_over_acc {
    risk_over_refusal *v;
    size_t n, cap;
} risk_over_acc;
/* One run's refusal.over_refusal group for model (n effective answers,
 * refused share rate).  OSAFE_ETOOBIG past OSAFE_RISK_ITEMS_MAX models. */
int risk__over_add(risk_over_acc *a, const char *model, double n,
                   double rate, osafe_err *e);
/* Posterior figures, sorted; moves a->v into res (a is emptied). */
void risk__over_finish(risk_over_acc *a, risk_result *res);
void risk__over_free(risk_over_acc *a);
/* res->over as a JSON array (new reference, NULL on no memory). */
json_t *risk__over_json(const risk_result *res);

/* AILuminate-style grade of unsafe share u against reference u_ref
 * (risk-taxonomy.md section 3, exact check order): 5 Excellent .. 1 Poor.
 * Decided exactly: both shares are taken back to the fractions they stand
 * for (within a few units in the last place, denominators up to 2^30) and
 * compared as fractions, so 1 - 999/1000 is Excellent and 651/1000 against
 * 0.217 is Fair; other values are compared as doubles. */
int risk__grade(double u, double u_ref);
/* The same for k unsafe of n (integral counts, within 1e-6, are used as
 * they are; otherwise as risk__grade(k / n, u_ref)). */
int risk__grade_counts(double k, double n, double u_ref);
/* P(grade = g+1) for u ~ Beta(a, b); the 95% interval's straddle flag. */
void risk__grade_probs(double a, double b, double u_ref, double probs[5],
                      int *straddles);
/* Published AILuminate v1.0 en_US reference unsafe share of hazard index i
 * (1 - fraction safe of the worst reference system). */
double risk__ail_v10_uref(int i);

/* ---- taxonomy (risk_taxonomy.c) ---- */

/* One crosswalk row, as in etc/crosswalk.sssom.tsv. */
typedef struct risk_xwalk {
    const char *subject, *predicate, *object, *justification, *comment;
} risk_xwalk;

const risk_xwalk *risk__crosswalk(size_t *n);
/* Primary NIST AI 600-1 and MIT ids of hazard index i. */
const char *risk__hazard_nist(int i);
const char *risk__hazard_mit(int i);
/* 1 if an MIT subdomain ("1.1") has no AILuminate hazard measuring it. */
int risk__mit_uncovered(const char *mit);
/* Days since 1970-01-01 of "YYYY[-MM[-DD]]" (missing parts: the middle
 * of the period); -1 when unparsable. */
long risk__days(const char *date);

#endif
