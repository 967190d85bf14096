/*
 * risk_num.c - generator, draws, special functions (see risk_num.h).
 */
#include <math.h>
#include <stdlib.h>

#include "risk/risk_num.h"

double risk_rng_normal(osafe_rng *g)
{
    /* Box-Muller without caching the second value: draws then depend
     * only on how many were taken, which keeps runs reproducible. */
    double u = rng_uniform(g), v = rng_uniform(g);
    return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

double risk_draw_gamma(osafe_rng *g, double shape)
{
    if (!(shape > 0))
        return 0;
    if (shape < 1) {
        double u = rng_uniform(g);
        return risk_draw_gamma(g, shape + 1) * pow(u, 1.0 / shape);
    }
    double d = shape - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
    for (;;) {
        double x = risk_rng_normal(g), v = 1 + c * x;
        if (v <= 0)
            continue;
        v = v * v * v;
        double u = rng_uniform(g);
        if (u < 1 - 0.0331 * x * x * x * x ||
            log(u) < 0.5 * x * x + d * (1 - v + log(v)))
            return d * v;
    }
}

double risk_draw_beta(osafe_rng *g, double a, double b)
{
    double x = risk_draw_gamma(g, a), y = risk_draw_gamma(g, b);
    return x + y > 0 ? x / (x + y) : 0.5;
}

void risk_draw_dirichlet(osafe_rng *g, const double *alpha, size_t k,
                         double *out)
{
    double sum = 0;
    for (size_t i = 0; i < k; i++)
        sum += out[i] = risk_draw_gamma(g, alpha[i]);
    for (size_t i = 0; i < k; i++)
        out[i] = sum > 0 ? out[i] / sum : 1.0 / (double)k;
}

#define CF_EPS 1e-15
#define CF_TINY 1e-300
#define CF_ITER 500

/* Continued fraction of I_x(a, b) by the modified Lentz method. */
static double beta_cf(double x, double a, double b)
{
    double c = 1, d = 1 - (a + b) * x / (a + 1);
    if (fabs(d) < CF_TINY)
        d = CF_TINY;
    d = 1 / d;
    double h = d;
    for (int m = 1; m <= CF_ITER; m++) {
        int m2 = 2 * m;
        double num = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
        for (int step = 0; step < 2; step++) {
            d = 1 + num * d;
            if (fabs(d) < CF_TINY)
                d = CF_TINY;
            c = 1 + num / c;
            if (fabs(c) < CF_TINY)
                c = CF_TINY;
            d = 1 / d;
            double del = d * c;
            h *= del;
            if (step == 1 && fabs(del - 1) < CF_EPS)
                return h;
            num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
        }
    }
    return h;
}

double risk_ibeta(double x, double a, double b)
{
    if (x <= 0)
        return 0;
    if (x >= 1)
        return 1;
    double lfront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) +
                    b * log1p(-x);
    /* The fraction converges fast only left of the mean; beyond it use
     * the symmetry I_x(a, b) = 1 - I_{1-x}(b, a). */
    if (x < (a + 1) / (a + b + 2))
        return exp(lfront) * beta_cf(x, a, b) / a;
    return 1 - exp(lfront) * beta_cf(1 - x, b, a) / b;
}

/* Above this shape the series and the fraction need O(sqrt(a)) terms near
 * the peak (thousands at a = 10^6, millions at 10^12): integrate instead. */
#define GAMMA_QUAD_A 100.0
/* Enough for the series and the fraction below GAMMA_QUAD_A, where about
 * 9 sqrt(a) terms reach full precision. */
#define GAMMA_ITER 4000
/* Gauss-Legendre points per panel and the decay (e^-GAMMA_TAIL) after
 * which the tail's integrand no longer matters at double precision. */
#define GL_POINTS 12
#define GAMMA_TAIL 40.0

/* log(1 + y) - y without the cancellation of the difference near 0. */
static double log1pmx(double y)
{
    if (fabs(y) >= 0.3)
        return log1p(y) - y;
    double term = y, sum = 0; /* (-1)^(k+1) y^k */
    for (int k = 2; k < 80; k++) {
        term *= -y;
        double add = term / k;
        sum += add;
        if (fabs(add) <= fabs(sum) * 1e-17)
            break;
    }
    return sum;
}

/* lgamma(a) - ((a - 1/2) ln a - a + ln(2 pi)/2), the Stirling remainder,
 * for a above GAMMA_QUAD_A (the next term is below 1e-20 there). */
static double stirling_rest(double a)
{
    double r = 1 / (a * a);
    return (1.0 / 12 - r * (1.0 / 360 - r / 1260)) / a;
}

/* Nodes and weights of n-point Gauss-Legendre on [-1, 1] (Newton on the
 * Legendre recurrence): computed per call, no shared state. */
static void gauss_legendre(int n, double *x, double *w)
{
    for (int i = 0; i < (n + 1) / 2; i++) {
        double z = cos(M_PI * (i + 0.75) / (n + 0.5)), dp = 1;
        for (int it = 0; it < 100; it++) {
            double p0 = 1, p1 = 0;
            for (int j = 1; j <= n; j++) {
                double p2 = p1;
                p1 = p0;
                p0 = ((2.0 * j - 1) * z * p1 - (j - 1.0) * p2) / j;
            }
            dp = n * (z * p0 - p1) / (z * z - 1);
            double z1 = z;
            z = z1 - p0 / dp;
            if (fabs(z - z1) < 1e-16)
                break;
        }
        x[i] = -z;
        x[n - 1 - i] = z;
        w[i] = w[n - 1 - i] = 2 / ((1 - z * z) * dp * dp);
    }
}

/*
 * The tail of the gamma density beyond x, away from the mode a - 1: P(a, x)
 * when x is below the mode, Q(a, x) above it.  With g(t) = (a - 1) ln t - t,
 * concave, the integrand t^(a-1) e^-t / Gamma(a) falls from x at least as
 * fast as exp(g'(x) (t - x)) and, near the mode, as a Gaussian of width
 * about sqrt(a); the panels are as wide as the faster of the two scales,
 * so composite Gauss-Legendre is exact to rounding for every shape.  The
 * front factor exp(g(x)) / Gamma(a) goes through log1pmx and the Stirling
 * remainder: its logarithm never subtracts two numbers of size a ln a.
 */
static double gamma_tail_quad(double a, double x)
{
    double a1 = a - 1, slope = a1 / x - 1, sd = sqrt(a1);
    double h = fabs(slope) * sd > 1 ? 1 / fabs(slope) : sd;
    double len = fabs(slope) * 20 * sd > GAMMA_TAIL ? GAMMA_TAIL / fabs(slope)
                                                    : 20 * sd;
    double dir = slope > 0 ? -1 : 1; /* below the mode integrate down to 0 */
    if (dir < 0 && len > x)
        len = x;
    int panels = (int)ceil(len / h);
    h = len / panels;
    double gx[GL_POINTS], gw[GL_POINTS], sum = 0;
    gauss_legendre(GL_POINTS, gx, gw);
    for (int p = 0; p < panels; p++)
        for (int i = 0; i < GL_POINTS; i++) {
            double s = dir * h * (p + 0.5 + 0.5 * gx[i]) / x; /* (t - x)/x */
            sum += gw[i] * exp(a1 * log1pmx(s) + (a1 - x) * s);
        }
    sum *= 0.5 * h;
    double y = (x - a) / a;
    double lfront = a * log1pmx(y) - log1p(y) - 0.5 * log(2 * M_PI * a) -
                    stirling_rest(a);
    return exp(lfront) * sum;
}

double risk_gamma_p(double a, double x)
{
    if (x <= 0)
        return 0;
    if (a > GAMMA_QUAD_A) {
        double t = gamma_tail_quad(a, x);
        return x < a - 1 ? t : 1 - t;
    }
    double lfront = a * log(x) - x - lgamma(a);
    if (x < a + 1) {
        /* series: sum x^n / (a (a+1) ... (a+n)) */
        double term = 1 / a, sum = term;
        for (int n = 1; n < GAMMA_ITER; n++) {
            term *= x / (a + n);
            sum += term;
            if (fabs(term) < fabs(sum) * CF_EPS)
                break;
        }
        return sum * exp(lfront);
    }
    /* continued fraction for Q(a, x), Lentz */
    double b = x + 1 - a, c = 1 / CF_TINY, d = 1 / b, h = d;
    for (int i = 1; i <= GAMMA_ITER; i++) {
        double an = -i * (i - a);
        b += 2;
        d = an * d + b;
        if (fabs(d) < CF_TINY)
            d = CF_TINY;
        c = b + an / c;
        if (fabs(c) < CF_TINY)
            c = CF_TINY;
        d = 1 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < CF_EPS)
            break;
    }
    return 1 - exp(lfront) * h;
}

double risk_beta_cdf(double x, double a, double b)
{
    return risk_ibeta(x, a, b);
}

#define BISECT_STEPS 100

double risk_beta_quantile(double p, double a, double b)
{
    if (p <= 0)
        return 0;
    if (p >= 1)
        return 1;
    double lo = 0, hi = 1;
    for (int i = 0; i < BISECT_STEPS; i++) {
        double mid = 0.5 * (lo + hi);
        if (risk_ibeta(mid, a, b) < p)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

double risk_gamma_cdf(double x, double shape, double rate)
{
    return risk_gamma_p(shape, x * rate);
}

double risk_gamma_quantile(double p, double shape, double rate)
{
    if (p <= 0)
        return 0;
    double lo = 0, hi = shape + 10 * sqrt(shape) + 10;
    while (risk_gamma_p(shape, hi) < p && hi < 1e300)
        hi *= 2;
    for (int i = 0; i < 200 && hi - lo > 1e-15 * hi; i++) {
        double mid = 0.5 * (lo + hi);
        if (risk_gamma_p(shape, mid) < p)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi) / rate;
}

void risk_clopper_pearson(double k, double n, double alpha, double *lo,
                          double *hi)
{
    *lo = k <= 0 ? 0 : risk_beta_quantile(alpha / 2, k, n - k + 1);
    *hi = k >= n ? 1 : risk_beta_quantile(1 - alpha / 2, k + 1, n - k);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double risk_quantile_of(double *v, size_t n, double q)
{
    if (n == 0)
        return NAN;
    qsort(v, n, sizeof *v, cmp_double);
    double h = q * (double)(n - 1);
    size_t i = (size_t)floor(h);
    if (i + 1 >= n)
        return v[n - 1];
    return v[i] + (h - (double)i) * (v[i + 1] - v[i]);
}
