/*
 * test_stats.c - eval/stats against values computed independently of it:
 * published tables (Newcombe 1998a Table I for Wilson, Newcombe 1998b
 * Table III for the paired interval), exact rational or 50-digit decimal
 * calculations done outside this code (quoted in the comments, with the
 * formula used), binomial sums enumerated here with exact integers, and
 * the published reference outputs of splitmix64 and xoshiro256**.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include <cmocka.h>

#include "core/rng.h"
#include "eval/stats.h"
#include "risk/risk_num.h"

#define Z STATS_Z95

/* |got - want| <= tol, with a message naming the values. */
#define NEAR(got, want, tol)                                               \
    do {                                                                   \
        double g_ = (got), w_ = (want), t_ = (tol);                       \
        if (!(fabs(g_ - w_) <= t_))                                        \
            fail_msg("%s = %.17g, want %.17g (tol %g)", #got, g_, w_, t_); \
    } while (0)

/* Relative agreement. */
#define REL(got, want, tol) NEAR(got, want, (tol) * fabs(want))

/* ---- Wilson ---- */

/* Newcombe RG, "Two-sided confidence intervals for the single proportion:
 * comparison of seven methods", Stat Med 1998;17:857-872: the worked
 * examples 81/263, 15/148, 0/20, 1/29 with method 3 (score, no continuity
 * correction), printed to 4 decimals with z = 1.96.  Our z = 1.959964
 * moves these bounds by under 2e-6. */
static void test_wilson_newcombe_1998a(void **st)
{
    (void)st;
    static const struct {
        double k;
        size_t n;
        double lo, hi;
    } t[] = {
        {81, 263, 0.2553, 0.3662},
        {15, 148, 0.0624, 0.1605},
        {0, 20, 0.0000, 0.1611},
        {1, 29, 0.0061, 0.1718},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        prop_ci ci;
        stats_wilson(t[i].k, t[i].n, &ci);
        NEAR(ci.lo, t[i].lo, 5e-5 + 2e-6);
        NEAR(ci.hi, t[i].hi, 5e-5 + 2e-6);
        NEAR(ci.rate, t[i].k / (double)t[i].n, 1e-15);
        assert_int_equal(ci.n, t[i].n);
    }
}

/* The same bounds to full precision.  Reference: the textbook form
 *   (p + z^2/2n) / (1 + z^2/n)  -/+  z/(1 + z^2/n) sqrt(p(1-p)/n + z^2/4n^2)
 * evaluated in 50-digit decimal arithmetic (Python decimal) with
 * z = 1.959963984540054; our code uses the product-of-roots form instead,
 * so agreement checks both. */
static void test_wilson_precise(void **st)
{
    (void)st;
    static const struct {
        double k;
        size_t n;
        double lo, hi;
    } t[] = {
        {0, 10, 0, 0.2775327998628892},
        {10, 10, 0.72246720013711074, 1},
        {5, 10, 0.236593090512564, 0.76340690948743595},
        {81, 263, 0.25528851987827422, 0.36620957698280004},
        {3, 7, 0.1582198552514697, 0.74954163547234276},
        /* tiny lower bound (a difference of near-equal numbers in the
         * textbook form) */
        {1, 1000000000, 1.7652455495696316e-10, 5.6649342432974385e-09},
        /* fractional k: partial scores summing to 2.5 over 4 samples */
        {2.5, 4, 0.21942652006536281, 0.90810077082098783},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        prop_ci ci;
        stats_wilson(t[i].k, t[i].n, &ci);
        REL(ci.lo, t[i].lo, 1e-13);
        REL(ci.hi, t[i].hi, 1e-13);
    }
}

static void test_wilson_edges(void **st)
{
    (void)st;
    prop_ci ci;

    /* n = 0: no information. */
    stats_wilson(0, 0, &ci);
    assert_true(ci.rate == 0 && ci.lo == 0 && ci.hi == 1 && ci.n == 0);

    /* k = 0 and k = n: the closed forms hi = z^2/(n+z^2), lo = n/(n+z^2),
     * and the bounds at the edge are exact. */
    for (size_t n = 1; n <= 1000; n = n * 3 + 1) {
        double q = Z * Z / ((double)n + Z * Z);
        stats_wilson(0, n, &ci);
        assert_true(ci.lo == 0.0 && ci.rate == 0.0);
        REL(ci.hi, q, 1e-14);
        stats_wilson((double)n, n, &ci);
        assert_true(ci.hi == 1.0 && ci.rate == 1.0);
        REL(ci.lo, 1 - q, 1e-14);
    }

    /* Out-of-range k is clamped; NaN propagates. */
    stats_wilson(12, 10, &ci);
    assert_true(ci.k == 10 && ci.rate == 1 && ci.hi == 1);
    stats_wilson(-1, 10, &ci);
    assert_true(ci.k == 0 && ci.rate == 0 && ci.lo == 0);
    stats_wilson(NAN, 10, &ci);
    assert_true(isnan(ci.rate) && isnan(ci.lo) && isnan(ci.hi));
}

/* Properties over a grid: the bounds solve the score equation
 * |p_hat - p| = z sqrt(p (1 - p) / n) (checked independently of the
 * closed form), contain the estimate, mirror under k -> n - k and grow
 * with k. */
static void test_wilson_properties(void **st)
{
    (void)st;
    for (size_t n = 1; n <= 200; n += 7) {
        double prev_lo = -1, prev_hi = -1;
        for (size_t k = 0; k <= n; k++) {
            prop_ci a, b;
            stats_wilson((double)k, n, &a);
            stats_wilson((double)(n - k), n, &b);
            double ph = (double)k / (double)n;
            assert_true(a.lo <= a.rate && a.rate <= a.hi);
            assert_true(a.lo >= 0 && a.hi <= 1);
            NEAR(a.lo, 1 - b.hi, 1e-14);
            NEAR(a.hi, 1 - b.lo, 1e-14);
            assert_true(a.lo > prev_lo && a.hi > prev_hi);
            prev_lo = a.lo;
            prev_hi = a.hi;
            double bnd[2] = {a.lo, a.hi};
            for (int j = 0; j < 2; j++) {
                double p = bnd[j];
                double lhs = (ph - p) * (ph - p);
                double rhs = Z * Z * p * (1 - p) / (double)n;
                NEAR(lhs, rhs, 1e-13);
            }
        }
    }
}

/* ---- clustered ---- */

/* Three items, 7 samples: {1, 1}, {0, 1}, {0, 0, 0}.
 * mean = 3/7; residual sums 2 - 6/7 = 8/7, 1 - 6/7 = 1/7, 0 - 9/7 = -9/7;
 * sum of squares 146/49; V = (3/2)(146/49)/49 = 219/2401;
 * se = sqrt(219)/49 = 0.30201323646834166.
 * The interval: Wilson at neff = (3/7)(4/7)/se^2 = 588/219 with the
 * t(2) quantile 4.3026527297494639 (mpmath, 30 digits):
 * [0.024294082087072882, 0.95761146886570259]. */
static void test_clustered_hand(void **st)
{
    (void)st;
    const double y[] = {1, 1, 0, 1, 0, 0, 0};
    const size_t c[] = {0, 0, 1, 1, 2, 2, 2};
    clustered r;
    stats_clustered(y, c, 7, 3, &r);
    assert_int_equal(r.n, 7);
    assert_int_equal(r.nclusters, 3);
    REL(r.mean, 3.0 / 7, 1e-15);
    REL(r.se, sqrt(219.0) / 49, 1e-14);
    REL(r.neff, 588.0 / 219, 1e-13);
    REL(r.lo, 0.024294082087072882, 1e-12);
    REL(r.hi, 0.95761146886570259, 1e-13);
    assert_false(r.no_variation);

    /* Same samples shuffled and with the clusters renamed: same answer. */
    const double y2[] = {0, 1, 0, 1, 0, 0, 1};
    const size_t c2[] = {4, 1, 4, 0, 4, 1, 0};
    clustered r2;
    stats_clustered(y2, c2, 7, 6, &r2); /* clusters 2, 3, 5 empty */
    assert_int_equal(r2.nclusters, 3);
    REL(r2.mean, r.mean, 1e-15);
    REL(r2.se, r.se, 1e-14);
}

/* Scores outside [0, 1] are not clipped.  {2, 4}, {-1}, {3, 3, 3}:
 * mean = 14/6 = 7/3; residual sums 6 - 14/3 = 4/3, -1 - 7/3 = -10/3,
 * 9 - 7 = 2; squares 16/9 + 100/9 + 36/9 = 152/9;
 * V = (3/2)(152/9)/36 = 19/27. */
static void test_clustered_unbounded(void **st)
{
    (void)st;
    const double y[] = {2, -1, 4, 3, 3, 3};
    const size_t c[] = {0, 1, 0, 2, 2, 2};
    clustered r;
    stats_clustered(y, c, 6, 3, &r);
    REL(r.mean, 7.0 / 3, 1e-15);
    REL(r.se, sqrt(19.0 / 27), 1e-14);
    /* mean -/+ t(2) se, t(2) = 4.3026527297494639 (mpmath) */
    REL(r.lo, -1.2760350824526881, 1e-13);
    REL(r.hi, 5.9427017491193548, 1e-13);
}

/* One sample per cluster: V = G/(G-1) sum (y - mean)^2 / n^2, which for
 * k successes of n is p (1 - p) / n * n / (n - 1): the binomial SE times
 * sqrt(G / (G - 1)). */
static void test_clustered_one_per_cluster(void **st)
{
    (void)st;
    enum { N = 100 };
    double y[N];
    size_t c[N];
    for (size_t i = 0; i < N; i++) {
        y[i] = (i * 7) % 10 < 3; /* 30 successes */
        c[i] = i;
    }
    clustered r;
    stats_clustered(y, c, N, N, &r);
    double p = 0.3;
    REL(r.mean, p, 1e-15);
    REL(r.se, sqrt(p * (1 - p) / N) * sqrt((double)N / (N - 1)), 1e-13);
    /* neff = p (1 - p) / se^2 = N - 1; Wilson at 99 with t(99) (mpmath) */
    REL(r.neff, N - 1.0, 1e-12);
    REL(r.lo, 0.21770206727703413, 1e-13);
    REL(r.hi, 0.39759704748005924, 1e-13);
}

static void test_clustered_degenerate(void **st)
{
    (void)st;
    clustered r;
    const double y[] = {1, 0, 1};
    const size_t one[] = {0, 0, 0};
    const size_t bad[] = {0, 5, 1};

    /* One cluster: mean, but no standard error. */
    stats_clustered(y, one, 3, 1, &r);
    REL(r.mean, 2.0 / 3, 1e-15);
    assert_true(isnan(r.se) && isnan(r.lo) && isnan(r.hi));
    assert_int_equal(r.nclusters, 1);
    /* One non-empty cluster out of many: the same. */
    stats_clustered(y, one, 3, 10, &r);
    assert_true(isnan(r.se) && r.nclusters == 1);

    /* No samples, a cluster index out of range, a NaN score. */
    stats_clustered(NULL, NULL, 0, 0, &r);
    assert_true(isnan(r.mean) && isnan(r.se) && r.n == 0);
    stats_clustered(y, bad, 3, 2, &r);
    assert_true(isnan(r.mean) && isnan(r.se) && isnan(r.lo));
    const double yn[] = {1, NAN, 0};
    const size_t c3[] = {0, 1, 2};
    stats_clustered(yn, c3, 3, 3, &r);
    assert_true(isnan(r.mean));

    /* Identical clusters: zero variance, flagged, and the interval is
     * Wilson's on the 2 items with t(1) = 12.706 (mpmath), not a point. */
    const double y4[] = {1, 0, 1, 0};
    const size_t c4[] = {0, 0, 1, 1};
    stats_clustered(y4, c4, 4, 2, &r);
    assert_true(r.mean == 0.5 && r.se == 0 && r.no_variation);
    REL(r.lo, 0.0030684993414092011, 1e-12);
    REL(r.hi, 0.9969315006585908, 1e-13);
    /* all fail: [0, Wilson upper bound of 0 of G] */
    const double y5[] = {0, 0, 0, 0, 0, 0};
    const size_t c5[] = {0, 0, 1, 1, 2, 2};
    stats_clustered(y5, c5, 6, 3, &r);
    assert_true(r.mean == 0 && r.se == 0 && r.no_variation && r.lo == 0);
    double q = stats_t975(2);
    REL(r.hi, q * q / (3 + q * q), 1e-14);
}

/* ---- PRNG ---- */

/* splitmix64 from state 0: the reference outputs of Vigna's splitmix64.c
 * (also the first four words of the Java SplittableRandom sequence). */
/* Student t quantiles against mpmath (30 digits). */
static void test_t975(void **st)
{
    (void)st;
    static const double t[][2] = {
        {1, 12.706204736174705}, {2, 4.3026527297494639},
        {3, 3.1824463052837096}, {4, 2.7764451051977944},
        {9, 2.2621571627982055}, {29, 2.0452296421327043},
        {100, 1.9839715185235523}, {1000, 1.9623390808264085},
        {1001, 1.9623367052808799}, {5000, 1.9604385517065079},
        {1e6, 1.959966356814107}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        REL(stats_t975(t[i][0]), t[i][1], 1e-13);
    assert_true(isnan(stats_t975(0)) && isnan(stats_t975(NAN)));
}

/* Coverage of the clustered interval of a true mean mu over R seeded runs
 * of G items x m epochs, item rates ~ Beta with intra-item correlation
 * icc; *normal gets the coverage of mean -/+ z se for comparison. */
static double coverage(size_t G, size_t m, double mu, double icc, int R,
                       double *normal)
{
    osafe_rng g;
    rng_seed(&g, 20261207);
    double s = 1 / icc - 1, y[30 * 5];
    size_t c[30 * 5];
    int hit = 0, hitz = 0;
    for (int r = 0; r < R; r++) {
        for (size_t i = 0; i < G; i++) {
            double p = risk_draw_beta(&g, mu * s, (1 - mu) * s);
            for (size_t e = 0; e < m; e++) {
                y[i * m + e] = rng_uniform(&g) < p;
                c[i * m + e] = i;
            }
        }
        clustered cl;
        stats_clustered(y, c, G * m, G, &cl);
        hit += cl.lo <= mu && mu <= cl.hi;
        hitz += fabs(cl.mean - mu) <= Z * cl.se;
    }
    *normal = (double)hitz / R;
    return (double)hit / R;
}

/* Issue 10 item 12: with few items the normal clustered interval covered
 * 74-79% at a nominal 95% (10 items, mean 0.1, correlation 1/3) and 90%
 * at 30 items.  The t(G-1) Wilson interval at the effective size must
 * stay near nominal (2,000 seeded runs each: +-0.5% binomial noise). */
static void test_clustered_coverage(void **st)
{
    (void)st;
    double z10, z30, z10b;
    double c10 = coverage(10, 5, 0.1, 1.0 / 3, 2000, &z10);
    double c30 = coverage(30, 5, 0.1, 1.0 / 3, 2000, &z30);
    double c10b = coverage(10, 5, 0.5, 0.1, 2000, &z10b);
    if (getenv("OSAFE_TEST_VERBOSE"))
        printf("coverage: 10 items %.3f (normal %.3f), 30 items %.3f "
               "(normal %.3f), mean 0.5 %.3f (normal %.3f)\n", c10, z10, c30,
               z30, c10b, z10b);
    assert_true(c10 >= 0.93 && c10 <= 0.995);
    assert_true(c30 >= 0.925 && c30 <= 0.99);
    assert_true(c10b >= 0.93 && c10b <= 0.99);
}

/* Mid-p McNemar by hand: b = 1, c = 7 (m = 8): exact 2 (1 + 8)/256 =
 * 0.0703125, mid-p that less P(X = 1) = 8/256: 0.0390625. */
static void test_mcnemar_midp(void **st)
{
    (void)st;
    REL(stats_mcnemar_exact(1, 7), 0.0703125, 1e-13);
    REL(stats_mcnemar_midp(1, 7), 0.0390625, 1e-13);
    REL(stats_mcnemar_midp(7, 1), 0.0390625, 1e-13);
    /* b = 0, c = 5: 2/32 - 1/32 */
    REL(stats_mcnemar_midp(0, 5), 1.0 / 32, 1e-13);
    assert_true(stats_mcnemar_midp(0, 0) == 1 && stats_mcnemar_midp(4, 4) == 1);
    /* never above the exact p, which is conservative */
    for (size_t b = 0; b < 30; b++)
        for (size_t c = 0; c < 30; c++)
            assert_true(stats_mcnemar_midp(b, c) <=
                        stats_mcnemar_exact(b, c) + 1e-15);
    /* large m: 2 P(X <= 4900) - P(X = 4900) for m = 10^4 (mpmath) */
    REL(stats_mcnemar_midp(4900, 5100), 0.045505663375514, 1e-9);
}

/* Holm (1979): {0.01, 0.04, 0.03, 0.005} -> sorted 0.005 x 4 = 0.02,
 * 0.01 x 3 = 0.03, 0.03 x 2 = 0.06, 0.04 x 1 = 0.04 -> 0.06 (monotone). */
static void test_holm(void **st)
{
    (void)st;
    const double p[] = {0.01, 0.04, 0.03, 0.005, NAN, 0.5};
    double adj[6];
    stats_holm(p, 4, adj);
    REL(adj[0], 0.03, 1e-15);
    REL(adj[1], 0.06, 1e-15);
    REL(adj[2], 0.06, 1e-15);
    REL(adj[3], 0.02, 1e-15);
    /* NaN is no test: five tests, 0.005 x 5, ..., 0.5 x 1 */
    stats_holm(p, 6, adj);
    assert_true(isnan(adj[4]));
    REL(adj[3], 0.025, 1e-15);
    REL(adj[2], 0.09, 1e-15);
    REL(adj[5], 0.5, 1e-15);
    /* capped at 1 */
    const double q[] = {0.6, 0.7};
    stats_holm(q, 2, adj);
    assert_true(adj[0] == 1 && adj[1] == 1);
    stats_holm(p, 0, adj);
}

static void test_splitmix64(void **st)
{
    (void)st;
    uint64_t s = 0;
    assert_true(rng_splitmix64(&s) == UINT64_C(0xe220a8397b1dcdaf));
    assert_true(rng_splitmix64(&s) == UINT64_C(0x6e789e6aa1b965f4));
    assert_true(rng_splitmix64(&s) == UINT64_C(0x06c45d188009454f));
    assert_true(rng_splitmix64(&s) == UINT64_C(0xf88bb8a8724c81ec));
}

/* xoshiro256** from state {1, 2, 3, 4}: the reference sequence used by
 * the rand_xoshiro crate's tests (generated with Vigna's xoshiro256starstar.c). */
static void test_xoshiro(void **st)
{
    (void)st;
    static const uint64_t want[] = {
        UINT64_C(11520),
        UINT64_C(0),
        UINT64_C(1509978240),
        UINT64_C(1215971899390074240),
        UINT64_C(1216172134540287360),
        UINT64_C(607988272756665600),
        UINT64_C(16172922978634559625),
        UINT64_C(8476171486693032832),
        UINT64_C(10595114339597558777),
        UINT64_C(2904607092377533576),
    };
    osafe_rng r = {{1, 2, 3, 4}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        assert_true(rng_next(&r) == want[i]);

    /* Seeding: the state is four splitmix64 outputs from the seed. */
    rng_seed(&r, 0);
    assert_true(r.s[0] == UINT64_C(0xe220a8397b1dcdaf));
    assert_true(r.s[3] == UINT64_C(0xf88bb8a8724c81ec));
    rng_seed(&r, 42);
    assert_true(r.s[0] == UINT64_C(0xbdd732262feb6e95));
    assert_true(rng_next(&r) == UINT64_C(0x15780b2e0c2ec716));
}

/* rng_below: the values of an independent Python implementation of
 * Lemire's method on the seed-7 stream, and a chi-square check. */
static void test_rng_below(void **st)
{
    (void)st;
    static const uint64_t want10[] = {7, 2, 8, 9, 9, 8, 0, 1, 4, 1,
                                      5, 7, 9, 8, 4, 5, 2, 4, 1, 1};
    osafe_rng r;
    rng_seed(&r, 7);
    for (size_t i = 0; i < 20; i++)
        assert_true(rng_below(&r, 10) == want10[i]);
    /* A bound near 2^64 where rejection happens often (2^64 mod bound =
     * 2^62, so a quarter of low words are rejected). */
    static const uint64_t wantbig[] = {
        UINT64_C(9692516303121356995), UINT64_C(3856539442751087005),
        UINT64_C(11616294679869479728), UINT64_C(12074878111676180790),
        UINT64_C(2100384658694504714)};
    rng_seed(&r, 7);
    for (size_t i = 0; i < 5; i++)
        assert_true(rng_below(&r, UINT64_C(3) << 62) == wantbig[i]);

    assert_true(rng_below(&r, 1) == 0);
    assert_true(rng_below(&r, 0) == 0);

    /* 100000 draws on [0, 10): chi-square with 9 df; 27.9 is its 99.9%
     * point. */
    unsigned cnt[10] = {0};
    rng_seed(&r, 12345);
    for (int i = 0; i < 100000; i++)
        cnt[rng_below(&r, 10)]++;
    double chi = 0;
    for (int i = 0; i < 10; i++)
        chi += (cnt[i] - 10000.0) * (cnt[i] - 10000.0) / 10000.0;
    assert_true(chi < 27.9);
}

/* ---- quantile ---- */

/* Type 7 on {1, 2, 3, 4}: h = 3p; p = .5 -> 2.5, p = .025 -> 1.075,
 * p = .975 -> h = 2.925 -> 3.925. */
static void test_quantile(void **st)
{
    (void)st;
    const double x[] = {1, 2, 3, 4};
    NEAR(stats_quantile_sorted(x, 4, 0.5), 2.5, 1e-15);
    NEAR(stats_quantile_sorted(x, 4, 0.025), 1.075, 1e-15);
    NEAR(stats_quantile_sorted(x, 4, 0.975), 3.925, 1e-15);
    assert_true(stats_quantile_sorted(x, 4, 0) == 1);
    assert_true(stats_quantile_sorted(x, 4, 1) == 4);
    assert_true(stats_quantile_sorted(x, 1, 0.3) == 1);
    assert_true(isnan(stats_quantile_sorted(x, 0, 0.5)));
    assert_true(isnan(stats_quantile_sorted(x, 4, 1.5)));
    assert_true(isnan(stats_quantile_sorted(x, 4, NAN)));
}

/* ---- bootstrap ---- */

/* The golden data set: 40 samples, score ((7 i) mod 10) / 10, cluster
 * (3 i) mod 11. */
static void golden(double *y, size_t *c)
{
    for (size_t i = 0; i < 40; i++) {
        y[i] = (double)((i * 7) % 10) / 10.0;
        c[i] = (i * 3) % 11;
    }
}

/* Bit-for-bit: these are the results of an independent Python
 * reimplementation of the documented algorithm (same generator, same
 * draw order, same sums, type-7 quantile), whose doubles are the same
 * IEEE-754 doubles as ours. */
static void test_bootstrap_golden(void **st)
{
    (void)st;
    double y[40], lo, hi;
    size_t c[40];
    golden(y, c);
    stats_bootstrap(y, c, 40, 11, 1000, 1, &lo, &hi);
    assert_true(lo == 0x1.8a3aeb5cca47ap-2);
    assert_true(hi == 0x1.07af571e67a91p-1);
    stats_bootstrap(y, c, 40, 11, 999, 20240601, &lo, &hi);
    assert_true(lo == 0x1.8b5225c6336d9p-2);
    assert_true(hi == 0x1.0500598338cb6p-1);

    /* Same call, same bits; another seed, another interval. */
    double lo2, hi2;
    stats_bootstrap(y, c, 40, 11, 999, 20240601, &lo2, &hi2);
    assert_memory_equal(&lo, &lo2, sizeof lo);
    assert_memory_equal(&hi, &hi2, sizeof hi);
    stats_bootstrap(y, c, 40, 11, 999, 20240602, &lo2, &hi2);
    assert_true(lo2 != lo || hi2 != hi);
}

/* Large n: the bootstrap interval agrees with the analytic one.  20000
 * binary samples, one per item, p = 0.3: the half-width should be near
 * z sqrt(p (1 - p) / n) = 0.006351 (bootstrap noise with B = 2000 is ~3%
 * of the width). */
static void test_bootstrap_vs_analytic(void **st)
{
    (void)st;
    enum { N = 20000 };
    double *y = malloc(N * sizeof *y);
    size_t *c = malloc(N * sizeof *c);
    assert_non_null(y);
    assert_non_null(c);
    for (size_t i = 0; i < N; i++) {
        y[i] = (i * 7) % 10 < 3;
        c[i] = i;
    }
    double lo, hi;
    stats_bootstrap(y, c, N, N, 2000, 99, &lo, &hi);
    double half = Z * sqrt(0.3 * 0.7 / N);
    REL((hi - lo) / 2, half, 0.1);
    NEAR((hi + lo) / 2, 0.3, 0.15 * half);

    /* Clustered: 5000 items of 4 identical samples each.  The bootstrap
     * must follow the clustered SE (twice the naive one), not the naive
     * binomial SE. */
    for (size_t i = 0; i < N; i++) {
        size_t item = i / 4;
        y[i] = (item * 7) % 10 < 3;
        c[i] = item;
    }
    clustered cl;
    stats_clustered(y, c, N, N / 4, &cl);
    REL(cl.se, sqrt(0.3 * 0.7 / (N / 4)) * sqrt((N / 4.0) / (N / 4.0 - 1)),
        1e-12);
    stats_bootstrap(y, c, N, N / 4, 2000, 99, &lo, &hi);
    REL((hi - lo) / 2, Z * cl.se, 0.1);
    free(y);
    free(c);
}

static void test_bootstrap_degenerate(void **st)
{
    (void)st;
    const double y[] = {1, 0, 1};
    const size_t c[] = {0, 0, 0};
    const size_t bad[] = {0, 3, 0};
    double lo, hi;
    /* One cluster: every resample is that cluster. */
    stats_bootstrap(y, c, 3, 1, 100, 1, &lo, &hi);
    REL(lo, 2.0 / 3, 1e-15);
    REL(hi, 2.0 / 3, 1e-15);
    stats_bootstrap(y, c, 3, 1, 0, 1, &lo, &hi);
    assert_true(isnan(lo) && isnan(hi));
    stats_bootstrap(NULL, NULL, 0, 0, 100, 1, &lo, &hi);
    assert_true(isnan(lo) && isnan(hi));
    stats_bootstrap(y, bad, 3, 2, 100, 1, &lo, &hi);
    assert_true(isnan(lo) && isnan(hi));
    stats_bootstrap(y, c, 3, 1, 1, 1, &lo, &hi); /* B = 1 */
    REL(lo, 2.0 / 3, 1e-15);
}

/* ---- McNemar ---- */

/* Hand enumeration with exact integers: p = 2 sum_{i <= min} C(m, i) / 2^m
 * for every table with b, c <= 30 (Pascal's triangle; all sums fit in
 * 64 bits since they are below 2^60). */
static void test_mcnemar_enumerated(void **st)
{
    (void)st;
    static uint64_t C[61][61];
    for (int m = 0; m <= 60; m++) {
        C[m][0] = C[m][m] = 1;
        for (int i = 1; i < m; i++)
            C[m][i] = C[m - 1][i - 1] + C[m - 1][i];
    }
    for (size_t b = 0; b <= 30; b++)
        for (size_t c = 0; c <= 30; c++) {
            size_t m = b + c, k = b < c ? b : c;
            uint64_t s = 0;
            for (size_t i = 0; i <= k; i++)
                s += C[m][i];
            double want = m ? ldexp((double)s, 1 - (int)m) : 1;
            if (want > 1)
                want = 1;
            double got = stats_mcnemar_exact(b, c);
            if (!(fabs(got - want) <= 1e-13 * want))
                fail_msg("b=%zu c=%zu: %.17g, want %.17g", b, c, got, want);
        }
}

/* Small tables worked by hand:
 *   b=1, c=5:  2 (1 + 6) / 64               = 7/32       = 0.21875
 *   b=0, c=10: 2 / 1024                     = 1/512
 *   b=5, c=15: 2 (1+20+190+1140+4845+15504) / 2^20 = 5425/131072
 *   b=12, c=2: 2 (1 + 14 + 91) / 16384      = 53/4096
 *   b=c:       2 P(X <= m/2) >= 1           -> 1 */
static void test_mcnemar_hand(void **st)
{
    (void)st;
    REL(stats_mcnemar_exact(1, 5), 7.0 / 32, 1e-14);
    REL(stats_mcnemar_exact(5, 1), 7.0 / 32, 1e-14);
    REL(stats_mcnemar_exact(0, 10), 1.0 / 512, 1e-14);
    REL(stats_mcnemar_exact(5, 15), 5425.0 / 131072, 1e-14);
    REL(stats_mcnemar_exact(12, 2), 53.0 / 4096, 1e-14);
    assert_true(stats_mcnemar_exact(0, 0) == 1);
    assert_true(stats_mcnemar_exact(7, 7) == 1);
    assert_true(stats_mcnemar_exact(0, 1) == 1);
    assert_true(stats_mcnemar_exact(500000, 500000) == 1);
    assert_true(stats_mcnemar_exact_log(3, 3) == 0);
    /* b + c overflows: no answer rather than a wrong one. */
    assert_true(isnan(stats_mcnemar_exact(SIZE_MAX, 1)));
}

/* Large tables.  References: exact integer arithmetic in Python
 * (math.comb(m, k), then C(m, i-1) = C(m, i) i / (m - i + 1) exactly,
 * summed until the terms fell 90 bits below the sum; p = 2 s / 2^m as a
 * Fraction, correctly rounded to double).  b + c = 10^6 is the size the
 * harness must handle without overflow. */
static void test_mcnemar_large(void **st)
{
    (void)st;
    static const struct {
        size_t b, c;
        double p, lnp;
    } t[] = {
        {499000, 501000, 0.04560829986538208, -3.0876655644327302},
        {499500, 500500, 0.3177946913633055, -1.1463497293509928},
        {4900, 5100, 0.04658552770494739, -3.0664653503571224},
        {200, 300, 8.940066542253267e-06, -11.624967525601487},
        {0, 1000, 1.8665272370064378e-301, -692.45403337938535},
        {10, 1000, 5.359574874624727e-281, -645.34752647382538},
        {450000, 550000, 0, -5013.0975627781672},
        {1, 1000000, 0, -693133.36504738731},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        double p = stats_mcnemar_exact(t[i].b, t[i].c);
        double lp = stats_mcnemar_exact_log(t[i].b, t[i].c);
        if (t[i].p > 0)
            REL(p, t[i].p, 1e-11);
        else
            assert_true(p == 0);
        REL(lp, t[i].lnp, 1e-12);
        /* symmetric in b and c */
        assert_true(stats_mcnemar_exact(t[i].c, t[i].b) == p);
    }
    /* 2^-999 exactly: b = 0 is the pure power of two. */
    REL(stats_mcnemar_exact(0, 1000), ldexp(1, -999), 1e-13);
}

/* ln P(X <= k) for both branches (k below and above m/2), against exact
 * sums: m = 10: P(X <= 2) = 56/1024, P(X <= 7) = 968/1024. */
static void test_binom_logcdf(void **st)
{
    (void)st;
    REL(stats_binom_half_logcdf(2, 10), log(56.0 / 1024), 1e-14);
    REL(stats_binom_half_logcdf(7, 10), log(968.0 / 1024), 1e-13);
    REL(stats_binom_half_logcdf(5, 10), log(638.0 / 1024), 1e-13);
    assert_true(stats_binom_half_logcdf(10, 10) == 0);
    assert_true(stats_binom_half_logcdf(0, 0) == 0);
    REL(stats_binom_half_logcdf(0, 10), -10 * log(2.0), 1e-15);
}

/* ---- paired ---- */

/* Newcombe RG, "Improved confidence intervals for the difference between
 * binomial proportions based on paired data", Stat Med 1998;17:2635-2650,
 * Table III, method 10, printed to 4 decimals (z = 1.96).  Cells in his
 * notation e (both +), f (first + only), g (second + only), h (neither);
 * theta = (f - g) / n.  Our diff is rate B - rate A, so his first
 * condition is our run B: a_only = g, b_only = f.
 *
 * An independent 50-digit decimal implementation agrees with every row to
 * within 5e-5 except (1, 97, 1, 1), whose printed lower bound 0.8736 sits
 * 7e-5 below the computed 0.873672 (0.87367 at z = 1.96: a truncation or
 * misprint); hence the tolerance 1e-4. */
static void test_paired_newcombe_1998b(void **st)
{
    (void)st;
    static const struct {
        size_t e, f, g, h;
        double lo, hi;
    } t[] = {
        {36, 12, 2, 0, 0.0569, 0.3404},  {20, 12, 2, 16, 0.0562, 0.3292},
        {18, 12, 2, 18, 0.0562, 0.3290}, {36, 14, 0, 0, 0.1528, 0.4167},
        {35, 14, 0, 1, 0.1461, 0.4175},  {18, 14, 0, 18, 0.1441, 0.3963},
        {2, 97, 1, 0, 0.8721, 0.9854},   {1, 97, 1, 1, 0.8736, 0.9850},
        {0, 29, 1, 0, 0.6666, 0.9882},   {2, 98, 0, 0, 0.9178, 0.9945},
        {1, 98, 0, 1, 0.9171, 0.9916},   {0, 30, 0, 0, 0.8395, 1.0},
        {54, 0, 0, 0, -0.0664, 0.0664},  {53, 0, 0, 1, -0.0729, 0.0729},
        {30, 0, 0, 24, -0.0358, 0.0358}, {29, 0, 0, 25, -0.0354, 0.0354},
        {28, 0, 0, 26, -0.0352, 0.0352}, {27, 0, 0, 27, -0.0351, 0.0351},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        size_t n = t[i].e + t[i].f + t[i].g + t[i].h;
        paired p;
        stats_paired(n, t[i].e, t[i].g, t[i].f, &p);
        if (!(fabs(p.lo - t[i].lo) <= 1e-4 && fabs(p.hi - t[i].hi) <= 1e-4))
            fail_msg("(%zu,%zu,%zu,%zu): [%.6f, %.6f], published [%.4f, %.4f]",
                     t[i].e, t[i].f, t[i].g, t[i].h, p.lo, p.hi, t[i].lo,
                     t[i].hi);
        NEAR(p.diff, ((double)t[i].f - (double)t[i].g) / (double)n, 1e-15);
        assert_int_equal(p.b, t[i].g);
        assert_int_equal(p.c, t[i].f);
        assert_true(p.p_value == stats_mcnemar_exact(t[i].g, t[i].f));
    }
}

/* Full precision: the same 50-digit implementation, z = 1.959963984540054.
 * (20, 12, 2, 16) has eh - fg = 296 > n/2 = 25, so it exercises the phi
 * correction (296 -> 271); (5, 3, 9, 1) has a negative phi. */
static void test_paired_precise(void **st)
{
    (void)st;
    static const struct {
        size_t e, f, g, h;
        double lo, hi;
    } t[] = {
        {36, 12, 2, 0, 0.056929584003238831, 0.34042760297494068},
        {20, 12, 2, 16, 0.056156424841748306, 0.32920699540014053},
        {0, 30, 0, 0, 0.83946781986238383, 1},
        {27, 0, 0, 27, -0.035069662971613028, 0.035069662971613028},
        {5, 3, 9, 1, -0.60592092015118126, 0.032137194635822527},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        size_t n = t[i].e + t[i].f + t[i].g + t[i].h;
        paired p;
        stats_paired(n, t[i].e, t[i].g, t[i].f, &p);
        NEAR(p.lo, t[i].lo, 1e-13);
        NEAR(p.hi, t[i].hi, 1e-13);
    }
}

static void test_paired_properties(void **st)
{
    (void)st;
    paired p, q;

    /* Swapping the runs negates the difference and mirrors the interval. */
    for (size_t n = 1; n <= 24; n += 5)
        for (size_t a = 0; a <= n; a++)
            for (size_t b = 0; a + b <= n; b++)
                for (size_t c = 0; a + b + c <= n; c++) {
                    stats_paired(n, a, b, c, &p);
                    stats_paired(n, a, c, b, &q);
                    NEAR(p.diff, -q.diff, 1e-15);
                    NEAR(p.lo, -q.hi, 1e-14);
                    NEAR(p.hi, -q.lo, 1e-14);
                    assert_true(p.lo <= p.diff && p.diff <= p.hi);
                    assert_true(p.lo >= -1 && p.hi <= 1);
                    /* Never zero width once there is data (Newcombe's
                     * phi correction; uncorrected phi = 1 collapses e.g.
                     * (1, 0, 0, 1)). */
                    assert_true(p.hi - p.lo > 1e-3);
                    assert_true(p.p_value == q.p_value);
                }

    /* n = 0: no information. */
    stats_paired(0, 0, 0, 0, &p);
    assert_true(p.diff == 0 && p.lo == -1 && p.hi == 1 && p.p_value == 1);

    /* Cells that do not fit. */
    stats_paired(10, 5, 4, 2, &p);
    assert_true(isnan(p.diff) && isnan(p.lo) && isnan(p.hi) &&
                isnan(p.p_value));
    stats_paired(10, 11, 0, 0, &p);
    assert_true(isnan(p.diff));
    stats_paired(10, 0, SIZE_MAX, 2, &p);
    assert_true(isnan(p.diff));

    /* All discordant one way, large n: finite, tight, p underflows to 0. */
    stats_paired(2000000, 0, 0, 2000000, &p);
    assert_true(p.diff == 1 && p.hi == 1 && p.lo > 0.99 && p.p_value == 0);
    /* Large balanced table: interval around 0, p = 1. */
    stats_paired(1000000, 400000, 100000, 100000, &p);
    assert_true(p.diff == 0 && p.p_value == 1);
    NEAR(p.lo, -p.hi, 1e-12);
    assert_true(p.hi > 0 && p.hi < 0.003);
}

/* Cohen's kappa: 1 for perfect agreement, 0 when the raters agree only
 * as chance predicts, NaN without data; and the value and interval of a
 * 3 x 3 table from the refusal classifier's development set as
 * statsmodels' cohens_kappa gives them (0.785 [0.749, 0.821]). */
static void test_kappa(void **state)
{
    (void)state;
    double k, se;
    const double perfect[4] = {30, 0, 0, 70};
    stats_kappa(perfect, 2, &k, &se);
    assert_true(fabs(k - 1) < 1e-12);
    const double chance[4] = {25, 25, 25, 25};
    stats_kappa(chance, 2, &k, &se);
    assert_true(fabs(k) < 1e-12);
    const double none[4] = {0, 0, 0, 0};
    stats_kappa(none, 2, &k, &se);
    assert_true(isnan(k) && isnan(se));
    const double dev[9] = {454, 15, 6, 15, 306, 22, 20, 30, 32};
    stats_kappa(dev, 3, &k, &se);
    assert_true(fabs(k - 0.785) < 5e-4);
    assert_true(fabs(k - STATS_Z95 * se - 0.749) < 1e-3);
    assert_true(fabs(k + STATS_Z95 * se - 0.821) < 1e-3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wilson_newcombe_1998a),
        cmocka_unit_test(test_wilson_precise),
        cmocka_unit_test(test_wilson_edges),
        cmocka_unit_test(test_wilson_properties),
        cmocka_unit_test(test_clustered_hand),
        cmocka_unit_test(test_clustered_unbounded),
        cmocka_unit_test(test_clustered_one_per_cluster),
        cmocka_unit_test(test_clustered_degenerate),
        cmocka_unit_test(test_t975),
        cmocka_unit_test(test_mcnemar_midp),
        cmocka_unit_test(test_holm),
        cmocka_unit_test(test_clustered_coverage),
        cmocka_unit_test(test_splitmix64),
        cmocka_unit_test(test_xoshiro),
        cmocka_unit_test(test_rng_below),
        cmocka_unit_test(test_quantile),
        cmocka_unit_test(test_bootstrap_golden),
        cmocka_unit_test(test_bootstrap_vs_analytic),
        cmocka_unit_test(test_bootstrap_degenerate),
        cmocka_unit_test(test_mcnemar_enumerated),
        cmocka_unit_test(test_mcnemar_hand),
        cmocka_unit_test(test_mcnemar_large),
        cmocka_unit_test(test_binom_logcdf),
        cmocka_unit_test(test_paired_newcombe_1998b),
        cmocka_unit_test(test_paired_precise),
        cmocka_unit_test(test_paired_properties),
        cmocka_unit_test(test_kappa),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
