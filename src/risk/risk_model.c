/*
 * risk_model.c - from accumulated evidence to ranked risks (docs/RISK.md).
 *
 * Per risk: a Gamma-Poisson incident rate and a Dirichlet severity profile
 * (the realized channel), a Beta-Binomial unsafe rate (the latent channel),
 * each turned into the probability of exceeding its tolerance; then D
 * joint draws rank all evidenced risks at once.  Each risk's generator is
 * seeded from the run's seed and the risk's own key, so adding a record
 * about one hazard does not reshuffle the draws of the others.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "risk/risk_int.h"
#include "risk/risk_num.h"

#define SLOTS (2 * OSAFE_RISK_ITEMS_MAX) /* open addressing, half full */

typedef struct acc_item {
    char hazard[16], model[128];
    double n_w;       /* recency-weighted, split realized count */
    double c[4];      /* the same at I2..I5 */
    double n_raw, n_near;
    double n_hw;      /* hazard reports, recency- and policy-weighted */
    int verified_serious, max_level;
    double eval_n, eval_k;
    /* priors, set in finish */
    double a0, b0, ea, eb;
} acc_item;

struct risk_acc {
    struct risk_policy p;
    acc_item *items;
    size_t n;
    int slot[SLOTS]; /* item index + 1, 0 = empty */
    size_t incidents, evaluations, unclassified;
    char as_of[16];
    double uref[RISK_HAZARDS]; /* worst reference unsafe share, NAN none */
};

static uint64_t fnv(const char *a, const char *b)
{
    uint64_t h = 1469598103934665603ULL;
    for (const char *s = a; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    h = (h ^ 0xff) * 1099511628211ULL; /* separator no string holds */
    for (const char *s = b; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

int risk__acc_new(const struct risk_policy *p, risk_acc **out, osafe_err *e)
{
    risk_acc *a = calloc(1, sizeof *a);
    if (!a || !(a->items = calloc(OSAFE_RISK_ITEMS_MAX, sizeof *a->items))) {
        free(a);
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    }
    a->p = *p;
    for (int i = 0; i < RISK_HAZARDS; i++)
        a->uref[i] = NAN;
    *out = a;
    return 0;
}

void risk__acc_free(risk_acc *a)
{
    if (a)
        free(a->items);
    free(a);
}

/* The item's slot: its own, or the empty one where it would go. */
static size_t find_slot(const risk_acc *a, const char *hazard,
                        const char *model)
{
    size_t s = (size_t)(fnv(hazard, model) % SLOTS);
    for (;; s = (s + 1) % SLOTS) {
        int k = a->slot[s];
        if (!k)
            return s;
        const acc_item *it = &a->items[k - 1];
        if (!strcmp(it->hazard, hazard) && !strcmp(it->model, model))
            return s;
    }
}

static acc_item *find(risk_acc *a, const char *hazard, const char *model)
{
    int k = a->slot[find_slot(a, hazard, model)];
    return k ? &a->items[k - 1] : NULL;
}

static acc_item *item(risk_acc *a, const char *hazard, const char *model,
                      osafe_err *e)
{
    size_t s = find_slot(a, hazard, model);
    if (a->slot[s])
        return &a->items[a->slot[s] - 1];
    /* the ecosystem items (model "": at most 12 hazards and 24 MIT
     * subdomains) always have room, so that finish cannot fail on a
     * registry whose models filled the table (issue 9 item 2) */
    if (a->n >= OSAFE_RISK_ITEMS_MAX - (*model ? 36u : 0u)) {
        osafe_errf(e, OSAFE_ETOOBIG,
                   "more than %u hazard x model risks; rank fewer models",
                   OSAFE_RISK_ITEMS_MAX);
        return NULL;
    }
    acc_item *it = &a->items[a->n++];
    a->slot[s] = (int)a->n;
    snprintf(it->hazard, sizeof it->hazard, "%s", hazard);
    snprintf(it->model, sizeof it->model, "%s", model);
    return it;
}

/* The counting key of a hazard id: the AILuminate parent, or an MIT id
 * "M<d>.<s>" as given; NULL for anything else. */
static const char *hazard_key(const char *h)
{
    int i = risk_hazard_index(h);
    if (i >= 0)
        return risk_hazard_uid(i);
    if (h && h[0] == 'M' && h[1] >= '1' && h[1] <= '7' && h[2] == '.' &&
        strlen(h) < 8)
        return h;
    return NULL;
}

int risk__acc_incident(risk_acc *a, const char *const *hazards, size_t nh,
                      const char *const *models, size_t nm, int level,
                      double age_years, int verified, osafe_err *e)
{
    const char *keys[16];
    size_t c = 0;
    for (size_t i = 0; i < nh && c < 16; i++) {
        const char *k = hazard_key(hazards[i]);
        int dup = !k;
        for (size_t j = 0; !dup && j < c; j++)
            dup = !strcmp(keys[j], k);
        if (!dup)
            keys[c++] = k;
    }
    if (c == 0) {
        a->unclassified++;
        return 0;
    }
    if (age_years < 0)
        age_years = 0;
    if (age_years > a->p.window_years || level < 1 || level > 5)
        return 0;
    /* recency weight, then 1/c so a multi-label incident counts once in
     * the totals */
    double w = exp2(-age_years / a->p.half_life_years) / (double)c;
    for (size_t i = 0; i < c; i++)
        for (size_t m = 0; m <= nm; m++) {
            acc_item *it = item(a, keys[i], m ? models[m - 1] : "", e);
            if (!it)
                return OSAFE_ETOOBIG;
            if (level == 1) {
                /* a hazard report: likelihood evidence at the policy's
                 * weight, never severity (no harm was shown) */
                it->n_near += 1;
                it->n_hw += w * a->p.hazard_weight;
                continue;
            }
            it->n_w += w;
            it->c[level - 2] += w;
            it->n_raw += 1;
            if (level >= 4 && verified)
                it->verified_serious = 1;
            if (level > it->max_level)
                it->max_level = level;
        }
    return 0;
}

int risk__acc_eval(risk_acc *a, const char *model, const char *hazard,
                  double n, double k, osafe_err *e)
{
    const char *key = hazard_key(hazard);
    if (!key || !model || !*model || !(n > 0))
        return 0;
    acc_item *it = item(a, key, model, e);
    if (!it)
        return OSAFE_ETOOBIG;
    it->eval_n += n;
    it->eval_k += k < 0 ? 0 : k > n ? n : k;
    return 0;
}

void risk__acc_reference(risk_acc *a, const char *hazard, double u)
{
    int i = risk_hazard_index(hazard);
    if (i >= 0 && isfinite(u) && (isnan(a->uref[i]) || u > a->uref[i]))
        a->uref[i] = u;
}

void risk__acc_count(risk_acc *a, size_t incidents, size_t evaluations,
                    size_t unclassified, const char *as_of)
{
    a->incidents = incidents;
    a->evaluations = evaluations;
    a->unclassified += unclassified;
    snprintf(a->as_of, sizeof a->as_of, "%s", as_of ? as_of : "");
}

/* ---- priors -------------------------------------------------------- */

/* Moments of rates x[0..n) with Poisson noise mean/X removed: a Gamma
 * prior (a0, b0), or 0 when the spread is all noise (then Jeffreys). */
static int eb_gamma(const double *x, size_t n, double X, double *a0,
                    double *b0)
{
    if (n < 3)
        return 0;
    double m = 0, v = 0;
    for (size_t i = 0; i < n; i++)
        m += x[i];
    m /= (double)n;
    for (size_t i = 0; i < n; i++)
        v += (x[i] - m) * (x[i] - m);
    v /= (double)(n - 1);
    double vb = v - m / X;
    if (!(m > 0) || !(vb > 0))
        return 0;
    *a0 = m * m / vb;
    *b0 = m / vb;
    return 1;
}

static void incident_priors(risk_acc *a, double X)
{
    const struct risk_policy *p = &a->p;
    for (size_t i = 0; i < a->n; i++) {
        a->items[i].a0 = p->gamma_a0;
        a->items[i].b0 = p->gamma_b0;
    }
    if (p->incident_prior != RISK_PRIOR_EB)
        return;
    double *x = malloc(a->n * sizeof *x);
    const char **models = malloc(a->n * sizeof *models);
    if (!x || !models) {
        free(x);
        free(models);
        return; /* Jeffreys stays: the fit is a refinement, not required */
    }
    size_t n = 0, nm = 0;
    for (size_t i = 0; i < a->n; i++) {
        acc_item *it = &a->items[i];
        if (!it->model[0])
            x[n++] = (it->n_w + it->n_hw) / X;
        else {
            size_t j = 0;
            while (j < nm && strcmp(models[j], it->model))
                j++;
            if (j == nm)
                models[nm++] = it->model;
        }
    }
    double a0, b0;
    if (eb_gamma(x, n, X, &a0, &b0))
        for (size_t i = 0; i < a->n; i++)
            if (!a->items[i].model[0]) {
                a->items[i].a0 = a0;
                a->items[i].b0 = b0;
            }
    /* per (model, hazard): across all models, toward the hazard's rate */
    for (size_t i = 0; i < a->n; i++) {
        acc_item *h = &a->items[i];
        if (h->model[0])
            continue;
        for (size_t j = 0; j < nm; j++) {
            acc_item *f = find(a, h->hazard, models[j]);
            x[j] = f ? (f->n_w + f->n_hw) / X : 0;
        }
        if (eb_gamma(x, nm, X, &a0, &b0))
            for (size_t t = 0; t < a->n; t++)
                if (a->items[t].model[0] &&
                    !strcmp(a->items[t].hazard, h->hazard)) {
                    a->items[t].a0 = a0;
                    a->items[t].b0 = b0;
                }
    }
    free(x);
    free(models);
}

static void eval_priors(risk_acc *a)
{
    const struct risk_policy *p = &a->p;
    for (size_t i = 0; i < a->n; i++) {
        a->items[i].ea = p->beta_a;
        a->items[i].eb = p->beta_b;
    }
    if (p->eval_prior != RISK_PRIOR_EB)
        return;
    for (size_t i = 0; i < a->n; i++) {
        acc_item *h = &a->items[i];
        if (h->model[0])
            continue;
        double sk = 0, sn = 0, m = 0, v = 0, noise = 0;
        size_t k = 0;
        for (size_t t = 0; t < a->n; t++) {
            acc_item *x = &a->items[t];
            if (x->model[0] && x->eval_n > 0 && !strcmp(x->hazard, h->hazard)) {
                sk += x->eval_k;
                sn += x->eval_n;
                m += x->eval_k / x->eval_n;
                k++;
            }
        }
        if (k < 3 || !(sk > 0) || !(sk < sn))
            continue;
        double mu = sk / sn;
        m /= (double)k;
        for (size_t t = 0; t < a->n; t++) {
            acc_item *x = &a->items[t];
            if (x->model[0] && x->eval_n > 0 && !strcmp(x->hazard, h->hazard)) {
                double d = x->eval_k / x->eval_n - m;
                v += d * d;
                noise += mu * (1 - mu) / x->eval_n;
            }
        }
        v /= (double)(k - 1);
        noise /= (double)k;
        double vb = v - noise;
        double kappa = vb > 0 ? mu * (1 - mu) / vb - 1 : p->eb_kappa_max;
        if (kappa > p->eb_kappa_max)
            kappa = p->eb_kappa_max;
        if (!(kappa > 1))
            continue; /* the models differ beyond any pooling */
        for (size_t t = 0; t < a->n; t++) {
            acc_item *x = &a->items[t];
            if (x->model[0] && !strcmp(x->hazard, h->hazard)) {
                x->ea = mu * kappa;
                x->eb = (1 - mu) * kappa;
            }
        }
    }
}

/* ---- per risk ------------------------------------------------------ */

static double clamp_x(double x)
{
    return x < 0.02 ? 0.02 : x > 4.98 ? 4.98 : isnan(x) ? 0.02 : x;
}

/* Realized panel: E[N]/yr bins <0.1, 0.1-1, 1-10, 10-100, >100. */
static double rate_x(double r)
{
    return clamp_x(r > 0 ? log10(r) + 2 : 0);
}

/* Latent panel: p bins <=0.1%, <=1%, <=5%, <=20%, >20%, log-linear
 * inside each. */
static double p_x(double p)
{
    static const double edge[6] = {1e-4, 1e-3, 1e-2, 0.05, 0.2, 1};
    if (!(p > edge[0]))
        return clamp_x(0);
    for (int j = 0; j < 5; j++)
        if (p <= edge[j + 1])
            return clamp_x(j + log(p / edge[j]) / log(edge[j + 1] / edge[j]));
    return clamp_x(5);
}

static int potential_of(const struct risk_policy *p, const char *hazard)
{
    int i = risk_hazard_index(hazard);
    return i >= 0 ? p->potential[i] : p->default_impact;
}

struct work {
    double *S, *W, *P; /* D draws each */
    float *V;          /* ranked items x D exceedance ratios, then ranks */
};

/* The reference unsafe share grades of hazard i compare against: the worst
 * of the policy's reference runs, else the published v1.0 one. */
static double res_uref(const risk_acc *a, int i)
{
    return a->p.n_reference ? a->uref[i] : risk__ail_v10_uref(i);
}

/* What the item is: names, crosswalks, impact, the counts as recorded. */
static void item_identity(const struct risk_policy *p, const acc_item *it,
                          risk_item *o)
{
    snprintf(o->hazard, sizeof o->hazard, "%s", it->hazard);
    snprintf(o->model, sizeof o->model, "%s", it->model);
    int hi = risk_hazard_index(it->hazard);
    snprintf(o->mit, sizeof o->mit, "%s",
             hi >= 0 ? risk__hazard_mit(hi) : it->hazard + 1);
    snprintf(o->nist, sizeof o->nist, "%s", hi >= 0 ? risk__hazard_nist(hi) : "");
    o->potential = potential_of(p, it->hazard);
    o->impact = it->max_level > o->potential ? it->max_level : o->potential;
    o->no_eval_coverage = hi < 0 && risk__mit_uncovered(o->mit);
    o->n_incidents = it->n_w;
    o->n_raw = it->n_raw;
    o->n_near_miss = it->n_near;
    o->verified_serious = it->verified_serious;
    o->tolerance = p->tolerance[o->potential];
    o->eval_n = it->eval_n;
    o->eval_k = it->eval_k;
}

/* Realized channel: lambda ~ Gamma(a0 + N, b0 + X), theta ~ Dirichlet;
 * per draw the weight W and the harm S into w; P(S > tau) into p_inc. */
static void realized_channel(const struct risk_policy *p, const acc_item *it,
                             risk_item *o, double X, double tau, osafe_rng *g,
                             struct work *w)
{
    double b = p->impact_base, XH = p->exposure * p->horizon_years;
    double al = it->a0 + it->n_w + it->n_hw, be = it->b0 + X;
    o->rate_med = risk_gamma_quantile(0.5, al, be) * p->exposure;
    o->rate_lo = risk_gamma_quantile(0.05, al, be) * p->exposure;
    o->rate_hi = risk_gamma_quantile(0.95, al, be) * p->exposure;
    o->p_any = 1 - pow(be / (be + XH), al);
    double prof[4] = {0}, alpha[4], sum = 0, theta[4];
    int centre = o->potential < 2 ? 2 : o->potential;
    for (int j = 0; j < 4; j++) {
        int lv = j + 2, d = abs(lv - centre);
        prof[j] = d == 0 ? p->profile_centre : d == 1 ? p->profile_neighbour : 0;
        sum += prof[j];
    }
    double asum = 0;
    for (int j = 0; j < 4; j++) {
        alpha[j] = p->alpha0 * prof[j] / sum + it->c[j];
        if (alpha[j] <= 0)
            alpha[j] = 1e-9; /* a component no one can reach */
        asum += alpha[j];
    }
    o->serious_share = (alpha[2] + alpha[3]) / asum;
    size_t over = 0;
    for (unsigned d = 0; d < p->draws; d++) {
        double lam = risk_draw_gamma(g, al) / be;
        risk_draw_dirichlet(g, alpha, 4, theta);
        double W = 0;
        for (int j = 0; j < 4; j++)
            W += theta[j] * pow(b, j + 1);
        w->W[d] = W;
        w->S[d] = lam * XH * W;
        over += w->S[d] > tau;
    }
    o->p_inc = (double)over / p->draws;
}

/* Latent channel: p ~ Beta(a + k, b + n - k), its draws into w->P. */
static void latent_channel(const struct risk_policy *p, const acc_item *it,
                           risk_item *o, osafe_rng *g, struct work *w)
{
    if (!(it->eval_n > 0)) {
        o->p_med = o->p_lo = o->p_hi = NAN;
        o->under_tested = 1;
        return;
    }
    double t = o->tolerance;
    double pa = it->ea + it->eval_k, pb = it->eb + it->eval_n - it->eval_k;
    o->p_med = risk_beta_quantile(0.5, pa, pb);
    o->p_lo = risk_beta_quantile(0.025, pa, pb);
    o->p_hi = risk_beta_quantile(0.975, pa, pb);
    o->p_eval = 1 - risk_beta_cdf(t, pa, pb);
    o->under_tested = it->eval_n < log(20) / t;
    for (unsigned d = 0; d < p->draws; d++)
        w->P[d] = risk_draw_beta(g, pa, pb);
}

/* The driving channel, P*, the evidence code and the tier (severity
 * first). */
static void decide_tier(const struct risk_policy *p, const acc_item *it,
                        risk_item *o, int has_inc, int has_eval)
{
    o->p_star = 0;
    o->driver = "none";
    if (has_inc) {
        o->p_star = o->p_inc;
        o->driver = "incidents";
    }
    if (has_eval && (!has_inc || o->p_eval > o->p_inc)) {
        o->p_star = o->p_eval;
        o->driver = "evals";
    }
    snprintf(o->evidence, sizeof o->evidence, "%s",
             has_inc && has_eval ? "R-IE" : has_inc ? "R-I" : has_eval ? "R-E" : "");
    double high = o->impact == 5 ? p->tier_high_i5 : p->tier_high;
    int adequate = has_inc || (has_eval && !o->under_tested);
    if (it->verified_serious || ((has_inc || has_eval) && o->p_star >= high))
        o->tier = RISK_HIGH;
    else if ((has_inc || has_eval) && o->p_star >= p->tier_medium)
        o->tier = RISK_MEDIUM;
    else if (adequate)
        o->tier = RISK_LOW;
    else
        o->tier = RISK_UNDER_EVIDENCED;
    o->ranked = o->tier != RISK_UNDER_EVIDENCED;
}

/* Grade: Jeffreys posterior, never shrunk across models. */
static void grade_item(const risk_acc *a, const acc_item *it, risk_item *o)
{
    const struct risk_policy *p = &a->p;
    int hi = risk_hazard_index(it->hazard);
    if (!(it->eval_n > 0) || !it->model[0] || hi < 0)
        return;
    double ur = res_uref(a, hi);
    if (!isfinite(ur))
        return;
    o->grade_u = it->eval_k / it->eval_n;
    o->grade_uref = ur;
    o->grade = risk__grade_counts(it->eval_k, it->eval_n, ur);
    risk__grade_probs(p->beta_a + it->eval_k,
                     p->beta_b + it->eval_n - it->eval_k, ur, o->grade_p,
                     &o->grade_straddles);
}

/* Matrix positions; y of the realized panel is the level whose weight is
 * W, so iso-risk lines (rate x weight) are the diagonals. */
static void place_item(risk_item *o, double b, double wlo, double whi,
                       int has_eval)
{
    o->rx = rate_x(o->rate_med);
    o->rx_lo = rate_x(o->rate_lo);
    o->rx_hi = rate_x(o->rate_hi);
    o->ry = clamp_x(log(o->weight_med) / log(b) + 0.5);
    o->ry_lo = clamp_x(log(wlo) / log(b) + 0.5);
    o->ry_hi = clamp_x(log(whi) / log(b) + 0.5);
    o->ly = o->potential - 0.5;
    if (has_eval) {
        o->lx = p_x(o->p_med);
        o->lx_lo = p_x(o->p_lo);
        o->lx_hi = p_x(o->p_hi);
    } else {
        o->lx = o->lx_lo = o->lx_hi = NAN;
    }
    int lat = !strcmp(o->driver, "evals");
    o->mx = lat ? o->lx : o->rx;
    o->mx_lo = lat ? o->lx_lo : o->rx_lo;
    o->mx_hi = lat ? o->lx_hi : o->rx_hi;
    o->my = lat ? o->ly : o->ry;
    o->rank_med = o->rank_lo = o->rank_hi = NAN;
}

static void one_risk(risk_acc *a, acc_item *it, risk_item *o, uint64_t seed,
                     double X, struct work *w, float *V)
{
    const struct risk_policy *p = &a->p;
    unsigned D = p->draws;
    double b = p->impact_base;
    item_identity(p, it, o);
    osafe_rng g;
    rng_seed(&g, seed ^ fnv(it->hazard, it->model));
    /* the channels draw in this order from one generator: reproducible */
    double tau = pow(b, p->tolerance_level - 1) * p->horizon_years;
    realized_channel(p, it, o, X, tau, &g, w);
    /* hazard reports count at their weight here too (docs/RISK.md) */
    int has_inc =
        it->n_raw + p->hazard_weight * it->n_near >= p->min_incidents;
    int has_eval = it->eval_n > 0;
    latent_channel(p, it, o, &g, w);

    /* exceedance ratio per draw, over the channels with evidence */
    double t = o->tolerance;
    for (unsigned d = 0; d < D; d++) {
        double v = 0;
        if (has_inc && w->S[d] / tau > v)
            v = w->S[d] / tau;
        if (has_eval && w->P[d] / t > v)
            v = w->P[d] / t;
        V[d] = (float)v;
    }
    o->harm_med = risk_quantile_of(w->S, D, 0.5);
    o->harm_lo = risk_quantile_of(w->S, D, 0.05);
    o->harm_hi = risk_quantile_of(w->S, D, 0.95);
    double wlo = risk_quantile_of(w->W, D, 0.05);
    o->weight_med = risk_quantile_of(w->W, D, 0.5);
    double whi = risk_quantile_of(w->W, D, 0.95);

    decide_tier(p, it, o, has_inc, has_eval);
    grade_item(a, it, o);
    place_item(o, b, wlo, whi, has_eval);
}

/* ---- ranking ------------------------------------------------------- */

struct rk {
    float v;
    unsigned i;
};

static int cmp_rk(const void *x, const void *y)
{
    const struct rk *a = x, *b = y;
    if (a->v != b->v)
        return a->v < b->v ? 1 : -1; /* larger exceedance first */
    return (a->i > b->i) - (a->i < b->i);
}

static int cmp_item(const void *x, const void *y)
{
    const risk_item *a = x, *b = y;
    if (a->ranked != b->ranked)
        return b->ranked - a->ranked;
    if (a->ranked) {
        if (a->p_star != b->p_star)
            return a->p_star < b->p_star ? 1 : -1;
        if (a->impact != b->impact)
            return b->impact - a->impact;
        if (a->harm_med != b->harm_med)
            return a->harm_med < b->harm_med ? 1 : -1;
    } else {
        /* under-evidenced: I5 risks head the list */
        if (a->impact != b->impact)
            return b->impact - a->impact;
        if (a->p_star != b->p_star)
            return a->p_star < b->p_star ? 1 : -1;
    }
    int c = strcmp(a->hazard, b->hazard);
    return c ? c : strcmp(a->model, b->model);
}

static double overlap(const risk_item *a, const risk_item *b)
{
    double lo = fmax(a->rank_lo, b->rank_lo), hi = fmin(a->rank_hi, b->rank_hi);
    double len = fmin(a->rank_hi - a->rank_lo, b->rank_hi - b->rank_lo);
    if (hi < lo)
        return 0;
    return len > 0 ? (hi - lo) / len : 1;
}

static int rank_draws(risk_acc *a, risk_item *items, size_t n, float *V,
                      osafe_err *e)
{
    unsigned D = a->p.draws;
    size_t nr = 0;
    for (size_t i = 0; i < n; i++)
        nr += items[i].ranked;
    struct rk *col = malloc((nr ? nr : 1) * sizeof *col);
    double *tmp = malloc(D * sizeof *tmp);
    if (!col || !tmp) {
        free(col);
        free(tmp);
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    }
    for (unsigned d = 0; d < D; d++) {
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (items[i].ranked)
                col[k++] = (struct rk){V[i * D + d], (unsigned)i};
        qsort(col, k, sizeof *col, cmp_rk);
        for (size_t r = 0; r < k; r++)
            V[col[r].i * D + d] = (float)(r + 1);
    }
    for (size_t i = 0; i < n; i++) {
        if (!items[i].ranked)
            continue;
        size_t top = 0;
        for (unsigned d = 0; d < D; d++) {
            tmp[d] = V[i * D + d];
            top += tmp[d] <= a->p.top_n;
        }
        items[i].rank_med = risk_quantile_of(tmp, D, 0.5);
        items[i].rank_lo = risk_quantile_of(tmp, D, 0.1);
        items[i].rank_hi = risk_quantile_of(tmp, D, 0.9);
        items[i].p_top10 = (double)top / D;
    }
    free(col);
    free(tmp);
    return 0;
}

int risk__acc_finish(risk_acc *a, uint64_t seed, risk_result **out,
                    osafe_err *e)
{
    const struct risk_policy *p = &a->p;
    *out = NULL;
    for (int i = 0; i < RISK_HAZARDS; i++)
        if (!item(a, risk_hazard_uid(i), "", e))
            return OSAFE_ETOOBIG;
    double h = p->half_life_years, T = p->window_years;
    /* effective observed time under the recency weights */
    double X = p->exposure * (h / log(2)) * (1 - exp2(-T / h));
    incident_priors(a, X);
    eval_priors(a);

    unsigned D = p->draws;
    risk_result *res = calloc(1, sizeof *res);
    struct work w = {0};
    float *V = NULL;
    if (!res || !(res->items = calloc(a->n, sizeof *res->items)) ||
        !(w.S = malloc(D * sizeof *w.S)) || !(w.W = malloc(D * sizeof *w.W)) ||
        !(w.P = malloc(D * sizeof *w.P)) ||
        !(V = malloc(a->n * D * sizeof *V))) {
        risk_result_free(res);
        free(w.S);
        free(w.W);
        free(w.P);
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    }
    res->n = a->n;
    res->seed = seed;
    res->draws = D;
    res->incidents = a->incidents;
    res->evaluations = a->evaluations;
    res->unclassified = a->unclassified;
    snprintf(res->as_of, sizeof res->as_of, "%s", a->as_of);
    for (int i = 0; i < RISK_HAZARDS; i++)
        res->grade_uref[i] = res_uref(a, i);
    res->grade_a = p->beta_a;
    res->grade_b = p->beta_b;
    res->icc = p->icc;
    for (size_t i = 0; i < a->n; i++)
        one_risk(a, &a->items[i], &res->items[i], seed, X, &w, V + i * D);
    int rc = rank_draws(a, res->items, res->n, V, e);
    free(V);
    free(w.S);
    free(w.W);
    free(w.P);
    if (rc) {
        risk_result_free(res);
        return rc;
    }
    qsort(res->items, res->n, sizeof *res->items, cmp_item);
    /* tie groups: neighbours in the order whose P* differ by less than
     * tie_delta or whose rank intervals overlap heavily */
    int g = 0;
    for (size_t i = 0; i < res->n; i++) {
        risk_item *it = &res->items[i];
        if (!it->ranked)
            break;
        if (i == 0 ||
            !(fabs(it->p_star - it[-1].p_star) < p->tie_delta ||
              overlap(it, it - 1) >= p->tie_overlap))
            g++;
        it->tie_group = g;
    }
    snprintf(res->incident_prior, sizeof res->incident_prior, "%s",
             p->incident_prior == RISK_PRIOR_EB
                 ? "empirical-bayes (jeffreys where the fit fails)"
                 : "jeffreys");
    snprintf(res->eval_prior, sizeof res->eval_prior, "%s",
             p->eval_prior == RISK_PRIOR_EB
                 ? "empirical-bayes (jeffreys where the fit fails)"
                 : "jeffreys");
    if (p->n_reference) {
        int n = snprintf(res->grade_basis, sizeof res->grade_basis,
                         "AILuminate-style grade vs reference runs");
        for (size_t i = 0; i < p->n_reference && n > 0 &&
                           (size_t)n < sizeof res->grade_basis;
             i++)
            n += snprintf(res->grade_basis + n, sizeof res->grade_basis - n,
                          "%s%s", i ? ", " : " ", p->reference[i]);
    } else {
        snprintf(res->grade_basis, sizeof res->grade_basis,
                 "AILuminate-style grade vs published v1.0 reference");
    }
    *out = res;
    return 0;
}

void risk_result_free(risk_result *res)
{
    if (res) {
        free(res->items);
        free(res->over);
    }
    free(res);
}
