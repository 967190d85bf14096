/*
 * stats.c - Wilson intervals, cluster-robust standard errors, a seeded
 * cluster bootstrap, Newcombe's paired interval and the exact McNemar test.
 *
 * Formulas, references and caveats: docs/EVALUATION-stats.md.  Everything
 * here is plain IEEE-754 binary64 arithmetic with no library calls whose
 * result could differ between machines on the bootstrap path, so a
 * bootstrap with a given seed gives the same bits everywhere (that path
 * uses only +, -, *, / on doubles and integer arithmetic).
 */
#if defined(__clang__)
/* Clang may fuse a * b + c into one rounding; GCC does not in ISO C mode.
 * Fusing would change bootstrap bits between machines. */
#pragma STDC FP_CONTRACT OFF
#endif

#include "eval/stats.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/rng.h"

/* ---- helpers ---- */

/* Neumaier's compensated sum: the error of n additions stays O(eps)
 * instead of O(n eps). */
typedef struct ksum {
    double s, c;
} ksum;

static void ksum_add(ksum *k, double x)
{
    double t = k->s + x;
    if (fabs(k->s) >= fabs(x))
        k->c += (k->s - t) + x;
    else
        k->c += (x - t) + k->s;
    k->s = t;
}

static double ksum_get(const ksum *k)
{
    return k->s + k->c;
}

static double clamp01(double x)
{
    return x < 0 ? 0 : x > 1 ? 1 : x;
}

/* ---- Wilson ---- */

/* The Wilson bounds are the roots of
 *   (n + z^2) p^2 - (2k + z^2) p + k^2/n = 0.
 * The upper root is a sum of positive terms (no cancellation); the lower
 * root is taken from the product of the roots, k^2 / (n (n + z^2)), so it
 * keeps full relative precision even when it is tiny (k = 1, n = 10^9). */
static void wilson_z(double k, double n, double z, double *lo, double *hi)
{
    double z2 = z * z;
    double a = n + z2;
    double disc = z2 + 4.0 * k * ((n - k) / n); /* (b^2 - 4ac) / z^2 */
    double up = (2.0 * k + z2 + z * sqrt(disc)) / (2.0 * a);
    double low = (k * (k / n)) / (a * up);
    double rate = k / n;
    if (k <= 0)
        low = 0;
    if (k >= n)
        up = 1;
    /* Rounding must not put the estimate outside its own interval. */
    *lo = fmin(clamp01(low), rate);
    *hi = fmax(clamp01(up), rate);
}

void stats_wilson(double k, size_t n, prop_ci *out)
{
    out->n = n;
    out->k = k;
    if (isnan(k)) {
        out->rate = out->lo = out->hi = NAN;
        return;
    }
    if (n == 0) {
        out->k = 0;
        out->rate = 0;
        out->lo = 0;
        out->hi = 1;
        return;
    }
    double dn = (double)n;
    if (k < 0)
        k = 0;
    if (k > dn)
        k = dn;
    out->k = k;
    out->rate = k / dn;
    wilson_z(k, dn, STATS_Z95, &out->lo, &out->hi);
}

/* ---- clustered standard error ---- */

/* Checks the inputs every clustered function needs: returns 0 when usable. */
static int check_samples(const double *score, const size_t *cluster, size_t n,
                         size_t nclusters)
{
    if (n == 0 || !score || !cluster || nclusters == 0)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (cluster[i] >= nclusters || !isfinite(score[i]))
            return -1;
    return 0;
}

void stats_clustered(const double *score, const size_t *cluster, size_t n,
                     size_t nclusters, clustered *out)
{
    out->n = n;
    out->nclusters = 0;
    out->mean = out->se = out->lo = out->hi = out->neff = NAN;
    out->no_variation = 0;
    if (check_samples(score, cluster, n, nclusters) != 0)
        return;

    ksum tot = {0, 0};
    int in01 = 1;
    for (size_t i = 0; i < n; i++) {
        ksum_add(&tot, score[i]);
        if (score[i] < 0 || score[i] > 1)
            in01 = 0;
    }
    double mean = ksum_get(&tot) / (double)n;
    if (in01)
        mean = clamp01(mean);
    out->mean = mean;

    /* Residual sums per cluster: S_g = sum over i in g of (y_i - mean). */
    double *res = calloc(nclusters, sizeof *res);
    unsigned char *seen = calloc(nclusters, 1);
    if (!res || !seen) {
        free(res);
        free(seen);
        return; /* se, lo, hi stay NaN */
    }
    for (size_t i = 0; i < n; i++) {
        res[cluster[i]] += score[i] - mean;
        seen[cluster[i]] = 1;
    }
    size_t G = 0;
    ksum ss = {0, 0};
    for (size_t g = 0; g < nclusters; g++) {
        if (!seen[g])
            continue;
        G++;
        ksum_add(&ss, res[g] * res[g]);
    }
    free(res);
    free(seen);
    out->nclusters = G;
    if (G < 2)
        return; /* one cluster: no between-cluster variance to estimate */

    double dG = (double)G;
    double v = (dG / (dG - 1.0)) * ksum_get(&ss);
    out->se = sqrt(v) / (double)n;
    out->no_variation = out->se == 0;
    double q = stats_t975(dG - 1.0);
    if (!in01) {
        out->lo = mean - q * out->se;
        out->hi = mean + q * out->se;
        return;
    }
    /* Wilson's score interval at the effective size (Kish's design
     * effect: the sample count whose binomial variance equals se^2), with
     * the t(G - 1) quantile for the few-items case.  Without observed
     * variation the items themselves are the sample. */
    double dn = (double)n, neff = dG;
    if (out->se > 0 && mean > 0 && mean < 1)
        neff = fmin(dn, mean * (1 - mean) / (out->se * out->se));
    out->neff = neff;
    wilson_z(mean * neff, neff, q, &out->lo, &out->hi);
}

/* ---- Student t quantile ---- */

/* P(|T| <= t) for T ~ t(nu), nu a whole number: the finite series of
 * Abramowitz & Stegun 26.7.3 (odd nu) and 26.7.4 (even nu) in
 * theta = atan(t / sqrt(nu)). */
static double t_central(double t, unsigned nu)
{
    double th = atan(t / sqrt((double)nu)), c2 = cos(th) * cos(th);
    double term = 1, sum = 1;
    if (nu % 2 == 0) {
        for (unsigned j = 2; j + 2 <= nu; j += 2) {
            term *= c2 * (j - 1.0) / j;
            sum += term;
        }
        return sin(th) * sum;
    }
    if (nu == 1)
        return 2 * th / M_PI;
    for (unsigned j = 3; j + 2 <= nu; j += 2) {
        term *= c2 * (j - 1.0) / j;
        sum += term;
    }
    return 2 / M_PI * (th + sin(th) * cos(th) * sum);
}

/* Above this many degrees of freedom the Cornish-Fisher expansion is
 * exact to rounding (its next term is below 1e-16 there). */
#define T_SERIES_DF_MAX 1000u

double stats_t975(double df)
{
    if (!(df >= 1))
        return NAN;
    double z = STATS_Z95;
    if (df > T_SERIES_DF_MAX || df != floor(df)) {
        /* Cornish-Fisher (Abramowitz & Stegun 26.7.5) around the normal */
        double z2 = z * z, g1 = (z2 + 1) * z / 4,
               g2 = ((5 * z2 + 16) * z2 + 3) * z / 96,
               g3 = (((3 * z2 + 19) * z2 + 17) * z2 - 15) * z / 384,
               g4 = ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) *
                    z / 92160;
        return z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df;
    }
    /* bisection on the central probability, which rises with t */
    double lo = z, hi = 13;
    unsigned nu = (unsigned)df;
    for (int i = 0; i < 200 && hi - lo > 1e-15 * hi; i++) {
        double mid = 0.5 * (lo + hi);
        if (t_central(mid, nu) < 0.95)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

/* ---- bootstrap ---- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double stats_quantile_sorted(const double *x, size_t m, double p)
{
    if (m == 0 || !(p >= 0 && p <= 1))
        return NAN;
    /* Hyndman & Fan type 7: h = (m - 1) p, linear between neighbours.
     * Written as separate statements so no compiler fuses them. */
    double h = (double)(m - 1) * p;
    double fl = floor(h);
    size_t j = (size_t)fl;
    if (j >= m - 1)
        return x[m - 1];
    double frac = h - fl;
    double d = x[j + 1] - x[j];
    double t = frac * d;
    return x[j] + t;
}

void stats_bootstrap(const double *score, const size_t *cluster, size_t n,
                     size_t nclusters, unsigned B, uint64_t seed, double *lo,
                     double *hi)
{
    *lo = *hi = NAN;
    if (B == 0 || check_samples(score, cluster, n, nclusters) != 0)
        return;

    /* Per-cluster sums and counts, then the non-empty clusters packed in
     * cluster-index order (the order is part of the reproducible result). */
    double *csum = calloc(nclusters, sizeof *csum);
    double *ccnt = calloc(nclusters, sizeof *ccnt);
    double *est = malloc((size_t)B * sizeof *est);
    if (!csum || !ccnt || !est)
        goto out;
    for (size_t i = 0; i < n; i++) {
        csum[cluster[i]] += score[i];
        ccnt[cluster[i]] += 1.0;
    }
    size_t G = 0;
    int in01 = 1;
    for (size_t g = 0; g < nclusters; g++) {
        if (ccnt[g] == 0)
            continue;
        csum[G] = csum[g];
        ccnt[G] = ccnt[g];
        G++;
    }
    for (size_t i = 0; i < n; i++)
        if (score[i] < 0 || score[i] > 1)
            in01 = 0;

    osafe_rng rng;
    rng_seed(&rng, seed);
    for (unsigned b = 0; b < B; b++) {
        double s = 0, c = 0;
        for (size_t j = 0; j < G; j++) {
            uint64_t g = rng_below(&rng, (uint64_t)G);
            s += csum[g];
            c += ccnt[g];
        }
        est[b] = s / c;
    }
    qsort(est, B, sizeof *est, cmp_double);
    *lo = stats_quantile_sorted(est, B, 0.025);
    *hi = stats_quantile_sorted(est, B, 0.975);
    if (in01) {
        *lo = clamp01(*lo);
        *hi = clamp01(*hi);
    }
out:
    free(csum);
    free(ccnt);
    free(est);
}

/* ---- exact binomial tail (p = 1/2) ---- */

#define LN_2PI 1.837877066409345483560659472811235279722794947275566825634
#define LN2 0.693147180559945309417232121458176568075500134360255254120

/* stirlerr(n) = ln n! - ln(sqrt(2 pi n) (n/e)^n), n >= 1.  Loader (2000):
 * lgamma directly for small n (where it is exact to a few ulps of a
 * number below 30), the Stirling series beyond, truncated where the next
 * term is below 1e-16. */
static double stirlerr(double n)
{
    const double S0 = 1.0 / 12, S1 = 1.0 / 360, S2 = 1.0 / 1260,
                 S3 = 1.0 / 1680, S4 = 1.0 / 1188;
    if (n <= 15)
        return lgamma(n + 1) - (n + 0.5) * log(n) + n - 0.5 * LN_2PI;
    double nn = n * n;
    if (n > 500)
        return (S0 - S1 / nn) / n;
    if (n > 80)
        return (S0 - (S1 - S2 / nn) / nn) / n;
    if (n > 35)
        return (S0 - (S1 - (S2 - S3 / nn) / nn) / nn) / n;
    return (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / n;
}

/* bd0(x, np) = x ln(x / np) + np - x, the deviance term, by a series
 * when x is near np (where the direct form cancels). */
static double bd0(double x, double np)
{
    if (fabs(x - np) < 0.1 * (x + np)) {
        double v = (x - np) / (x + np);
        double s = (x - np) * v;
        double ej = 2 * x * v;
        double v2 = v * v;
        for (int j = 1; j < 1000; j++) {
            ej *= v2;
            double s1 = s + ej / (2 * j + 1);
            if (s1 == s)
                return s1;
            s = s1;
        }
        return s;
    }
    return x * log(x / np) + np - x;
}

/* ln P(X = k), X ~ Binomial(m, 1/2), 0 <= k <= m, m >= 1 (Loader 2000). */
static double log_binom_half_pmf(double k, double m)
{
    if (k == 0 || k == m)
        return -m * LN2;
    double h = m / 2;
    double lc = stirlerr(m) - stirlerr(k) - stirlerr(m - k) - bd0(k, h) -
                bd0(m - k, h);
    double lf = LN_2PI + log(k) + log1p(-k / m);
    return lc - 0.5 * lf;
}

double stats_binom_half_logcdf(size_t k, size_t m)
{
    if (k >= m)
        return 0; /* includes m == 0 */
    double dm = (double)m;
    /* P(X <= k) = P(X = k) * sum_{i <= k} P(X = i) / P(X = k); the ratios
     * P(X = i - 1) / P(X = i) = i / (m - i + 1) are below 1 while
     * i <= (m + 1) / 2, so for k below the mean the terms fall and the sum
     * stops when they no longer change it. */
    size_t kk = k;
    int upper = 0;
    if (kk > m - kk) { /* above the mean: use the complement */
        upper = 1;
        kk = m - k - 1; /* P(X <= k) = 1 - P(X <= m - k - 1) */
    }
    double t = 1, s = 1;
    for (size_t i = kk; i > 0; i--) {
        t *= (double)i / (double)(m - i + 1);
        s += t;
        if (t < s * 1e-20)
            break;
    }
    double lp = log_binom_half_pmf((double)kk, dm) + log(s);
    if (upper)
        return log1p(-exp(lp));
    return lp;
}

double stats_mcnemar_exact_log(size_t b, size_t c)
{
    if (b > SIZE_MAX - c)
        return NAN;
    size_t m = b + c;
    size_t k = b < c ? b : c;
    if (m == 0 || 2 * k == m)
        return 0; /* p = 1 */
    double lp = LN2 + stats_binom_half_logcdf(k, m);
    return lp > 0 ? 0 : lp;
}

double stats_mcnemar_exact(size_t b, size_t c)
{
    double lp = stats_mcnemar_exact_log(b, c);
    if (isnan(lp))
        return NAN;
    return lp >= 0 ? 1.0 : exp(lp);
}

double stats_mcnemar_midp(size_t b, size_t c)
{
    if (b > SIZE_MAX - c)
        return NAN;
    size_t m = b + c, k = b < c ? b : c;
    if (m == 0 || 2 * k == m)
        return 1;
    /* 2 P(X <= k) - P(X = k), k below the mean: no cancellation beyond a
     * factor 2, since P(X <= k) >= P(X = k) */
    double lcdf = stats_binom_half_logcdf(k, m),
           lpmf = log_binom_half_pmf((double)k, (double)m);
    double p = exp(LN2 + lcdf) - exp(lpmf);
    return p > 1 ? 1 : p;
}

struct ranked {
    double p;
    size_t i;
};

static int cmp_ranked(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->p != y->p)
        return x->p < y->p ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

void stats_holm(const double *p, size_t m, double *adj)
{
    struct ranked *r = m ? malloc(m * sizeof *r) : NULL;
    size_t k = 0;
    for (size_t i = 0; i < m; i++) {
        adj[i] = NAN;
        if (r && !isnan(p[i]))
            r[k++] = (struct ranked){p[i], i};
    }
    if (!r)
        return;
    /* step down: the j-th smallest of k is multiplied by k - j, and the
     * adjusted values never decrease along the order */
    qsort(r, k, sizeof *r, cmp_ranked);
    double run = 0;
    for (size_t j = 0; j < k; j++) {
        double v = (double)(k - j) * r[j].p;
        if (v > 1)
            v = 1;
        if (v > run)
            run = v;
        adj[r[j].i] = run;
    }
    free(r);
}

void stats_diff_unpaired(double p1, double l1, double u1, double p2,
                         double l2, double u2, double *lo, double *hi)
{
    double d = p1 - p2;
    if (!(isfinite(p1) && isfinite(l1) && isfinite(u1) && isfinite(p2) &&
          isfinite(l2) && isfinite(u2))) {
        *lo = *hi = NAN;
        return;
    }
    double a = p1 - l1, b = u2 - p2, c = u1 - p1, e = p2 - l2;
    *lo = d - sqrt(a * a + b * b);
    *hi = d + sqrt(c * c + e * e);
    if (*lo < -1)
        *lo = -1;
    if (*hi > 1)
        *hi = 1;
}

/* ---- paired difference ---- */

void stats_paired(size_t n, size_t both_pass, size_t a_only, size_t b_only,
                  paired *out)
{
    out->n = n;
    out->b = a_only;
    out->c = b_only;
    out->diff = out->lo = out->hi = out->p_value = NAN;
    if (both_pass > n || a_only > n - both_pass ||
        b_only > n - both_pass - a_only)
        return; /* cells do not fit in n */
    out->p_value = stats_mcnemar_exact(a_only, b_only);
    if (n == 0) {
        out->diff = 0;
        out->lo = -1;
        out->hi = 1;
        return;
    }
    /* Newcombe (1998) method 10, in his notation with run B first:
     * e = both pass, f = B only, g = A only, h = neither;
     * theta = p1 - p2 = (f - g) / n with p1 = rate B, p2 = rate A. */
    double dn = (double)n;
    double e = (double)both_pass, f = (double)b_only, g = (double)a_only;
    double h = (double)(n - both_pass - a_only - b_only);
    double p1 = (e + f) / dn, p2 = (e + g) / dn;
    double theta = (f - g) / dn;
    double l1, u1, l2, u2;
    wilson_z(e + f, dn, STATS_Z95, &l1, &u1);
    wilson_z(e + g, dn, STATS_Z95, &l2, &u2);

    /* phi: the correlation of the two outcomes, with Newcombe's
     * correction: numerator eh - fg replaced by max(eh - fg - n/2, 0) when
     * eh > fg; 0 when a margin is empty. */
    double phi = 0;
    double den = sqrt((e + f) * (g + h)) * sqrt((e + g) * (f + h));
    if (den > 0) {
        double num = e * h - f * g;
        if (num > 0)
            num = fmax(num - dn / 2, 0);
        phi = num / den;
    }
    double dl1 = p1 - l1, du2 = u2 - p2, du1 = u1 - p1, dl2 = p2 - l2;
    double vl = dl1 * dl1 - 2 * phi * dl1 * du2 + du2 * du2;
    double vu = du1 * du1 - 2 * phi * du1 * dl2 + dl2 * dl2;
    out->diff = theta;
    out->lo = fmax(theta - sqrt(fmax(vl, 0)), -1);
    out->hi = fmin(theta + sqrt(fmax(vu, 0)), 1);
    if (out->lo > theta)
        out->lo = theta;
    if (out->hi < theta)
        out->hi = theta;
}

void stats_kappa(const double *m, size_t k, double *kappa, double *se)
{
    double n = 0, po = 0, pe = 0, r[16] = {0}, c[16] = {0};
    *kappa = *se = NAN;
    if (k == 0 || k > 16)
        return;
    for (size_t i = 0; i < k; i++)
        for (size_t j = 0; j < k; j++)
            n += m[i * k + j];
    if (!(n > 0))
        return;
    for (size_t i = 0; i < k; i++) {
        po += m[i * k + i] / n;
        for (size_t j = 0; j < k; j++) {
            r[i] += m[i * k + j] / n;
            c[j] += m[i * k + j] / n;
        }
    }
    for (size_t i = 0; i < k; i++)
        pe += r[i] * c[i];
    if (!(pe < 1))
        return;
    double K = (po - pe) / (1 - pe), A = 0, B = 0, C = K - pe * (1 - K);
    for (size_t i = 0; i < k; i++) {
        double t = 1 - (r[i] + c[i]) * (1 - K);
        A += m[i * k + i] / n * t * t;
        for (size_t j = 0; j < k; j++)
            if (j != i)
                B += m[i * k + j] / n * (c[i] + r[j]) * (c[i] + r[j]);
    }
    B *= (1 - K) * (1 - K);
    double v = (A + B - C * C) / (n * (1 - pe) * (1 - pe));
    *kappa = K;
    *se = v > 0 ? sqrt(v) : 0;
}
