/*
 * stats.h - honest statistics for evaluation results.
 *
 * Proportions get 95% Wilson score intervals; repeated samples of one item
 * (epochs > 1) get cluster-robust standard errors (items are the
 * clusters); aggregate scores get a seeded percentile bootstrap over items;
 * paired comparisons of two runs on the same items get the difference with
 * a 95% interval and the exact McNemar test.  Errors are never counted as
 * passes or failures: callers pass only scored samples.
 *
 * Formulas, references and caveats: docs/EVALUATION.md ("Statistics").
 * No function here fails loudly: an input that cannot give an answer gives
 * NaN in the affected outputs (callers print NaN as null / "n/a").
 */
#ifndef OSAFE_EVAL_STATS_H
#define OSAFE_EVAL_STATS_H

#include <stddef.h>
#include <stdint.h>

typedef struct prop_ci {
    size_t n;
    double k;          /* successes (may be fractional for partial scores) */
    double rate;
    double lo, hi;     /* 95% */
} prop_ci;

/* The two-sided 95% normal quantile, Phi^-1(0.975), used by every interval
 * here. */
#define STATS_Z95 1.959963984540054

/* Wilson score interval for k successes out of n (z = STATS_Z95).
 * n == 0 gives rate 0 and the uninformative interval [0, 1].  k may be
 * fractional (the sum of partial scores in [0, 1]): the interval then uses
 * the binomial variance p(1 - p)/n, an upper bound on the variance of any
 * score in [0, 1] with mean p, so it is conservative.  k outside [0, n] is
 * clamped into it (out->k is the clamped value); k NaN gives NaN rate and
 * bounds.  lo <= rate <= hi always, lo == 0 exactly when k == 0 and
 * hi == 1 exactly when k == n. */
void stats_wilson(double k, size_t n, prop_ci *out);

/* Mean of per-sample scores grouped by cluster (item), with the
 * cluster-robust standard error and a small-sample 95% interval.
 * cluster[i] is the item index of sample i (0..nclusters-1).
 *
 *   mean = sum y_i / n,  S_g = sum_{i in g} (y_i - mean),
 *   se   = sqrt(G / (G - 1) * sum_g S_g^2) / n      (CR1, Liang-Zeger)
 *   q    = stats_t975(G - 1)
 *
 * When every score lies in [0, 1], lo and hi are Wilson's score interval
 * with quantile q at the effective size neff = mean (1 - mean) / se^2
 * (capped at n), so the interval stays inside [0, 1] and keeps its
 * coverage with few items and a mean near 0 or 1, where mean -/+ z se
 * falls to 74% at a nominal 95% (10 items, mean 0.1, intra-item
 * correlation 1/3); with se == 0 (no_variation: all pass, all fail, or
 * every item alike) neff is G, the Wilson interval on the items.  Scores
 * outside [0, 1] get mean -/+ q se, unclipped.
 *
 * G (out->nclusters) counts the clusters that have at least one sample.
 * G < 2 leaves se, lo, hi and neff NaN (mean is still set).  n == 0, a
 * NULL array, a cluster index >= nclusters, a non-finite score or no
 * memory leave every double NaN. */
typedef struct clustered {
    double mean, se, lo, hi;
    size_t n, nclusters;
    double neff;      /* the effective size of the Wilson interval */
    int no_variation; /* se == 0: the interval is on the items alone */
} clustered;
void stats_clustered(const double *score, const size_t *cluster, size_t n,
                     size_t nclusters, clustered *out);

/* Percentile bootstrap (B resamples of clusters, seeded, deterministic) of
 * the mean score.  Each resample draws G clusters with replacement from the
 * G non-empty ones (rng_below of core/rng.h seeded with seed, in
 * that order) and takes (sum of their score sums) / (sum of their sample
 * counts); lo and hi are the 2.5% and 97.5% type-7 quantiles
 * (stats_quantile_sorted) of the B estimates, clipped to [0, 1] when every
 * score lies in [0, 1].  The same inputs and seed give the same bits on
 * every IEEE-754 machine.  Cost O(B * G) time, O(B + nclusters) memory.
 * B == 0 or the invalid inputs of stats_clustered give NaN. */
void stats_bootstrap(const double *score, const size_t *cluster, size_t n,
                     size_t nclusters, unsigned B, uint64_t seed, double *lo,
                     double *hi);

/* The 0.975 quantile of Student's t with df degrees of freedom (df >= 1;
 * NaN below): exact (bisection on the A&S 26.7.3/4 series) for whole df up
 * to 1000, the Cornish-Fisher expansion above and for fractional df.
 * t(1) = 12.706, t(9) = 2.262, t(29) = 2.045. */
double stats_t975(double df);

/* Hyndman & Fan (1996) type 7 quantile of m sorted values (R's and numpy's
 * default): h = (m - 1) p, x[floor h] + (h - floor h) (x[floor h + 1] -
 * x[floor h]).  m == 0 or p outside [0, 1] gives NaN. */
double stats_quantile_sorted(const double *x, size_t m, double p);

/* Paired comparison of binary outcomes on the same items: b = A pass / B
 * fail (a_only), c = A fail / B pass (b_only), n = items.  diff =
 * rate B - rate A = (c - b) / n with the 95% interval of Newcombe (1998,
 * Stat Med 17:2635) method 10: Wilson intervals of both rates combined
 * with the correlation phi of the paired outcomes (numerator ad - bc
 * lowered to max(ad - bc - n/2, 0) when positive; 0 when a margin is
 * empty); lo, hi within [-1, 1].  p_value = stats_mcnemar_exact(b, c).
 * n == 0 gives diff 0, [-1, 1], p 1; cells that do not fit in n
 * (both_pass + a_only + b_only > n) give NaN diff, lo, hi and p_value. */
typedef struct paired {
    size_t n, b, c;
    double diff, lo, hi, p_value;
} paired;
void stats_paired(size_t n, size_t both_pass, size_t a_only, size_t b_only,
                  paired *out);
/* Exact two-sided McNemar test: with m = b + c discordant pairs and
 * X ~ Binomial(m, 1/2), p = min(1, 2 P(X <= min(b, c))); m == 0 gives 1.
 * Computed in log space (Loader's saddle-point binomial terms), accurate to
 * ~1e-13 relative for m up to 10^6 and beyond; a p below ~1e-308
 * underflows to 0 here, stats_mcnemar_exact_log gives its natural log. */
double stats_mcnemar_exact(size_t b, size_t c);
double stats_mcnemar_exact_log(size_t b, size_t c);

/* The difference p1 - p2 of two independent rates with the 95% interval
 * that combines their own intervals (l1, u1) and (l2, u2) by square and
 * add (Newcombe 1998c, method 10; the MOVER of Zou & Donner 2008):
 *   lo = d - sqrt((p1 - l1)^2 + (u2 - p2)^2)
 *   hi = d + sqrt((u1 - p1)^2 + (p2 - l2)^2)
 * clipped to [-1, 1]; any NaN gives NaN bounds.  For two runs on the same
 * items it ignores the pairing, so it is wider than stats_paired's when
 * the runs agree on items; it is what can be said when only each run's
 * group intervals are known (published results). */
void stats_diff_unpaired(double p1, double l1, double u1, double p2,
                         double l2, double u2, double *lo, double *hi);

/* Mid-p McNemar test (Fagerland, Lydersen & Laake 2013): with m = b + c
 * and k = min(b, c), p = 2 P(X <= k) - P(X = k), X ~ Binomial(m, 1/2);
 * m == 0 or b == c gives 1.  Closer to the nominal size than the exact
 * conditional test, which is conservative for small m. */
double stats_mcnemar_midp(size_t b, size_t c);

/* Holm's (1979) step-down adjustment of m p-values for a family of tests:
 * sorted ascending, the j-th (0-based) becomes max over i <= j of
 * min(1, (m' - i) p_(i)), m' the p-values that are not NaN.  adj[i]
 * belongs to p[i]; NaN stays NaN (and every adj is NaN without memory).
 * Controls the family-wise error rate under any dependence. */
void stats_holm(const double *p, size_t m, double *adj);

/* ln P(X <= k) for X ~ Binomial(m, 1/2) (0 when k >= m). */
double stats_binom_half_logcdf(size_t k, size_t m);

/* Cohen's kappa of a k x k confusion matrix m (row-major counts, rows one
 * rater, columns the other) with the large-sample standard error of
 * Fleiss, Cohen & Everitt (1969) (as statsmodels' cohens_kappa); the 95%
 * interval is kappa -/+ STATS_Z95 se.  No observations, or chance
 * agreement 1, give NaN. */
void stats_kappa(const double *m, size_t k, double *kappa, double *se);

#endif
