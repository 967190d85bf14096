/*
 * risk_num.h - the numerics behind risk.h, with no dependency beyond libm
 * (risk-taxonomy.md section 2.8): a seeded generator, Gamma / Beta /
 * Dirichlet draws, the regularized incomplete beta and gamma functions,
 * their quantiles by bisection, and Clopper-Pearson intervals.
 *
 * Distributions are parameterised as in docs/RISK.md: Gamma(shape, rate)
 * (mean shape/rate), Beta(a, b).  Everything here is pure and
 * deterministic given the generator's seed; nothing allocates except
 * risk_quantile_of (none either: it sorts the caller's array in place).
 */
#ifndef OSAFE_RISK_NUM_H
#define OSAFE_RISK_NUM_H

#include <stddef.h>
#include <stdint.h>

#include "core/rng.h"

/* Standard normal (Box-Muller, no cached second value). */
double risk_rng_normal(osafe_rng *g);

/* Gamma(shape, 1) by Marsaglia-Tsang; shape < 1 via G(a+1) U^(1/a). */
double risk_draw_gamma(osafe_rng *g, double shape);
double risk_draw_beta(osafe_rng *g, double a, double b);
/* k components of a Dirichlet(alpha[0..k)) into out[0..k). */
void risk_draw_dirichlet(osafe_rng *g, const double *alpha, size_t k,
                         double *out);

/* Regularized incomplete beta I_x(a, b) (Lentz continued fraction). */
double risk_ibeta(double x, double a, double b);
/* Regularized lower incomplete gamma P(a, x). */
double risk_gamma_p(double a, double x);

/* CDFs and quantiles (bisection on the CDF). */
double risk_beta_cdf(double x, double a, double b);
double risk_beta_quantile(double p, double a, double b);
double risk_gamma_cdf(double x, double shape, double rate);
double risk_gamma_quantile(double p, double shape, double rate);

/* Clopper-Pearson (1 - alpha) interval of k successes in n. */
void risk_clopper_pearson(double k, double n, double alpha, double *lo,
                          double *hi);

/* The q-quantile (0..1, linear interpolation between order statistics)
 * of v[0..n); v is sorted in place.  NAN when n is 0. */
double risk_quantile_of(double *v, size_t n, double q);

#endif
