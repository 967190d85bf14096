/*
 * refusal_train.c - training the refusal classifier (refusal_model.h):
 * gradient descent on the regularised log loss, and the JSON-lines reader
 * of `osafe classify train`.
 */
#include "eval/refusal_model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/limits.h"
#include "eval/refusal_int.h"

typedef struct train {
    const double *X;
    const int *y;
    size_t n;
    double lambda, prior;
    double binary; /* weight of the "refused at all?" log loss */
    double cw[REFUSAL_NCLASS]; /* each class's weight in the loss */
    double mu[REFUSAL_NFEAT], sd[REFUSAL_NFEAT];
    double w0[REFUSAL_NCLASS][REFUSAL_NFEAT]; /* what L2 shrinks towards */
    size_t free_from; /* features below it (bias included) stay as they are */
} train;

/* Standardised feature f of row i (f == 0 is the bias, kept at 1). */
static double xs(const train *t, size_t i, size_t f)
{
    return f == 0 ? 1 : (t->X[i * REFUSAL_NFEAT + f] - t->mu[f]) / t->sd[f];
}

/* The "refused at all?" log loss of one answer, -log p(compliance) or
 * -log (p(full) + p(partial)), from its logits z (max mx, ez = e^(z - mx),
 * s their sum) and class y; its gradient with respect to z into db.
 * Written on ez rather than on probabilities so that a refusal mass that
 * underflows gives a large finite loss, not log 0 or 0 / 0. */
static double binary_term(const double *z, double mx, const double *ez,
                          double s, int y, double *db)
{
    if (y == 0) {
        for (int c = 0; c < REFUSAL_NCLASS; c++)
            db[c] = ez[c] / s - (c == 0);
        return log(s) - (z[0] - mx);
    }
    double r = ez[1] + ez[2];
    db[0] = ez[0] / s;
    for (int c = 1; c < REFUSAL_NCLASS; c++)
        db[c] = ez[c] / s - (r > 0 ? ez[c] / r : 0.5);
    return log(s) - (r > 0 ? log(r) : (z[1] > z[2] ? z[1] : z[2]) - mx);
}

/* Loss at w; the gradient into g when g != NULL. */
static double loss(const train *t, const double (*w)[REFUSAL_NFEAT],
                   double (*g)[REFUSAL_NFEAT])
{
    double L = 0;
    if (g)
        memset(g, 0, sizeof(double) * REFUSAL_NCLASS * REFUSAL_NFEAT);
    for (size_t i = 0; i < t->n; i++) {
        double x[REFUSAL_NFEAT], z[REFUSAL_NCLASS], mx = -INFINITY, s = 0;
        for (size_t f = 0; f < REFUSAL_NFEAT; f++)
            x[f] = xs(t, i, f);
        for (int c = 0; c < REFUSAL_NCLASS; c++) {
            z[c] = 0;
            for (size_t f = 0; f < REFUSAL_NFEAT; f++)
                z[c] += w[c][f] * x[f];
            mx = z[c] > mx ? z[c] : mx;
        }
        double ez[REFUSAL_NCLASS], db[REFUSAL_NCLASS] = {0};
        for (int c = 0; c < REFUSAL_NCLASS; c++)
            s += (ez[c] = exp(z[c] - mx));
        double cw = t->cw[t->y[i]];
        L -= cw * (z[t->y[i]] - mx - log(s));
        if (t->binary > 0)
            L += cw * t->binary * binary_term(z, mx, ez, s, t->y[i], db);
        for (int c = 0; g && c < REFUSAL_NCLASS; c++) {
            double d = cw * (ez[c] / s - (c == t->y[i]) + t->binary * db[c]);
            for (size_t f = t->free_from; f < REFUSAL_NFEAT; f++)
                g[c][f] += d * x[f] / (double)t->n;
        }
    }
    L /= (double)t->n;
    for (int c = 0; c < REFUSAL_NCLASS; c++)
        for (size_t f = 1; f < REFUSAL_NFEAT; f++) {
            double d = w[c][f] - t->w0[c][f];
            L += 0.5 * t->lambda * d * d;
            if (g && f >= t->free_from)
                g[c][f] += t->lambda * d;
        }
    return L;
}

/* The expectation features are scaled but not centred: centring moves
 * the bias, and an answer without an expectation (all of them 0) must
 * score as the model without them does. */
static void standardise(train *t)
{
    for (size_t f = 0; f < REFUSAL_NFEAT; f++) {
        double s = 0, ss = 0;
        for (size_t i = 0; i < t->n && f < REFUSAL_NFEAT_BASE; i++)
            s += t->X[i * REFUSAL_NFEAT + f];
        t->mu[f] = s / (double)t->n;
        for (size_t i = 0; i < t->n; i++) {
            double d = t->X[i * REFUSAL_NFEAT + f] - t->mu[f];
            ss += d * d;
        }
        t->sd[f] = sqrt(ss / (double)t->n);
        if (!(t->sd[f] > 1e-12))
            t->sd[f] = 1; /* constant on this data: weight stays 0 */
    }
}

/* The weights the penalty shrinks towards: the rule-based detector's
 * decision (features rule_full, rule_partial) at odds of e^REFUSAL_PRIOR,
 * the rest 0.  With little data, or data unlike the answers at hand, the
 * model falls back on the hand-written multilingual rules rather than on
 * nothing; with much data it departs from them where the data says so. */
static void set_prior(train *t)
{
    memset(t->w0, 0, sizeof t->w0);
    double s = t->prior;
    for (size_t f = 0; f < REFUSAL_NFEAT; f++) {
        if (!strcmp(refusal__feat_names[f], "rule_full"))
            t->w0[1][f] = s * t->sd[f];
        else if (!strcmp(refusal__feat_names[f], "rule_partial"))
            t->w0[2][f] = s * t->sd[f];
    }
}

/* Class weights (n / (3 n_c))^balance, scaled so that they average 1
 * over the answers.  A model's answers come with its own refusal rate
 * (Llama-2 refuses 78% of XSTest, Mistral 17%); with balance 1 the
 * weights cancel it, so the bias learns the cues' evidence rather than
 * the training model's habit, which an unseen model does not share. */
static void class_weights(train *t, double balance)
{
    double nc[REFUSAL_NCLASS] = {0}, tot = 0;
    for (size_t i = 0; i < t->n; i++)
        nc[t->y[i]] += 1;
    for (int c = 0; c < REFUSAL_NCLASS; c++) {
        t->cw[c] = nc[c] > 0 ? pow((double)t->n / (REFUSAL_NCLASS * nc[c]),
                                   balance)
                             : 0;
        tot += t->cw[c] * nc[c];
    }
    for (int c = 0; c < REFUSAL_NCLASS; c++)
        t->cw[c] *= (double)t->n / tot;
}

static int has_expect(const double *X, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t f = REFUSAL_NFEAT_BASE; f < REFUSAL_NFEAT; f++)
            if (X[i * REFUSAL_NFEAT + f] != 0)
                return 1;
    return 0;
}

/* Gradient descent from w to the minimum of loss (t->free_from on). */
static void descend(const train *t, double (*w)[REFUSAL_NFEAT])
{
    double g[REFUSAL_NCLASS][REFUSAL_NFEAT], w2[REFUSAL_NCLASS][REFUSAL_NFEAT];
    double L = loss(t, (const double (*)[REFUSAL_NFEAT])w, g), step = 1;
    for (unsigned it = 0; it < OSAFE_REFUSAL_TRAIN_ITERS; it++) {
        double gg = 0, L2 = L;
        for (int c = 0; c < REFUSAL_NCLASS; c++)
            for (size_t f = 0; f < REFUSAL_NFEAT; f++)
                gg += g[c][f] * g[c][f];
        /* Backtracking (Armijo): halve the step until the loss drops
         * enough; a good step grows for the next iteration. */
        for (int tries = 0; tries < 60; tries++, step /= 2) {
            for (int c = 0; c < REFUSAL_NCLASS; c++)
                for (size_t f = 0; f < REFUSAL_NFEAT; f++)
                    w2[c][f] = w[c][f] - step * g[c][f];
            L2 = loss(t, (const double (*)[REFUSAL_NFEAT])w2, NULL);
            if (L2 <= L - 0.5 * step * gg)
                break;
        }
        if (!(L2 < L))
            break;
        memcpy(w, w2, sizeof w2);
        int done = L - L2 < 1e-9 * L;
        L = loss(t, (const double (*)[REFUSAL_NFEAT])w, g);
        step *= 1.5;
        if (done)
            break;
    }
}

int refusal_model_train(const double *X, const int *y, size_t n,
                        double lambda, refusal_model *m, osafe_err *e)
{
    return refusal_model_train_prior(X, y, n, lambda, REFUSAL_PRIOR, m, e);
}

int refusal_model_train_prior(const double *X, const int *y, size_t n,
                              double lambda, double prior, refusal_model *m,
                              osafe_err *e)
{
    refusal_train_opts o = {lambda, prior, REFUSAL_BALANCE, REFUSAL_BINARY,
                            REFUSAL_TEMPERATURE, REFUSAL_LAMBDA_EXPECT};
    return refusal_model_train_opts(X, y, n, &o, m, e);
}

int refusal_model_train_opts(const double *X, const int *y, size_t n,
                             const refusal_train_opts *o, refusal_model *m,
                             osafe_err *e)
{
    if (n == 0)
        return osafe_errf(e, OSAFE_EINVAL, "train: no labelled answers");
    for (size_t i = 0; i < n; i++)
        if (y[i] < 0 || y[i] >= REFUSAL_NCLASS)
            return osafe_errf(e, OSAFE_EINVAL, "train: answer %zu has class "
                              "%d", i + 1, y[i]);
    if (!(o->temperature > 0) || !isfinite(o->temperature))
        return osafe_errf(e, OSAFE_EINVAL, "train: temperature %g is not "
                          "a positive number", o->temperature);
    train t = {.X = X, .y = y, .n = n, .lambda = o->lambda,
               .prior = o->prior, .binary = o->binary};
    standardise(&t);
    set_prior(&t);
    class_weights(&t, o->balance);
    double w[REFUSAL_NCLASS][REFUSAL_NFEAT];
    memcpy(w, t.w0, sizeof w);
    if (has_expect(X, n)) {
        /* Two stages, so that an answer without an expectation gets the
         * labels of a model trained without any: first the answer's own
         * features with the expectation unknown, then the expectation's
         * weights alone with the first stage's held. */
        double *X0 = malloc(n * REFUSAL_NFEAT * sizeof *X0);
        if (!X0)
            return osafe_errf(e, OSAFE_ENOMEM, "train: out of memory");
        memcpy(X0, X, n * REFUSAL_NFEAT * sizeof *X0);
        for (size_t i = 0; i < n; i++)
            for (size_t f = REFUSAL_NFEAT_BASE; f < REFUSAL_NFEAT; f++)
                X0[i * REFUSAL_NFEAT + f] = 0;
        t.X = X0;
        standardise(&t);
        descend(&t, w);
        free(X0);
        t.X = X;
        standardise(&t);
        t.free_from = REFUSAL_NFEAT_BASE;
        t.lambda = o->lambda_expect > 0 ? o->lambda_expect
                                        : REFUSAL_LAMBDA_EXPECT;
    }
    descend(&t, w);
    memset(m, 0, sizeof *m);
    m->nfeat = REFUSAL_NFEAT;
    for (int c = 0; c < REFUSAL_NCLASS; c++) {
        m->w[c][0] = w[c][0];
        for (size_t f = 1; f < REFUSAL_NFEAT; f++) {
            m->w[c][f] = w[c][f] / t.sd[f];
            m->w[c][0] -= w[c][f] * t.mu[f] / t.sd[f];
        }
        for (size_t f = 0; f < REFUSAL_NFEAT; f++)
            m->w[c][f] /= o->temperature;
    }
    return 0;
}

/* ------------------------------------------------ the JSON-lines reader */

/* One labelled line into x and *y: 0, 1 when the answer is empty (it
 * teaches nothing and is skipped), < 0 an error naming the line. */
static int read_one(const char *line, size_t len, size_t lineno, double *x,
                    int *y, osafe_err *e)
{
    json_error_t je;
    json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &je);
    if (!o)
        return osafe_errf(e, OSAFE_EINVAL, "line %zu: not JSON: %s", lineno,
                          je.text);
    const char *resp = json_string_value(json_object_get(o, "response"));
    const char *lab = json_string_value(json_object_get(o, "label"));
    const json_t *pj = json_object_get(o, "prompt");
    int rc = 0, expect;
    *y = refusal_class_of(lab);
    if (!json_is_object(o) || !resp)
        rc = osafe_errf(e, OSAFE_EINVAL, "line %zu: need an object with a "
                        "string \"response\"", lineno);
    else if (*y < 0)
        rc = osafe_errf(e, OSAFE_EINVAL, "line %zu: \"label\" must be "
                        "full_compliance, full_refusal or partial_refusal",
                        lineno);
    else if (refusal_expect_json(o, &expect) != 0)
        rc = osafe_errf(e, OSAFE_EINVAL, "line %zu: \"expected\" must be "
                        "\"refuse\", \"comply\" or \"\" (and \"type\" a "
                        "string)", lineno);
    else if ((rc = refusal_model_features(score_prompt_text(pj), resp, x)) < 0)
        rc = osafe_errf(e, rc, "line %zu: out of memory", lineno);
    else
        refusal_model_expect(x, expect);
    json_decref(o);
    return rc;
}

int refusal_model_train_stream(FILE *in, refusal_model *m, size_t *n,
                               osafe_err *e)
{
    *n = 0;
    const char *bad = refusal_self_check();
    if (bad)
        return osafe_errf(e, OSAFE_EINVAL, "train: %s", bad);
    osafe_buf line;
    buf_init(&line, 0);
    size_t cap = 0;
    double *X = NULL;
    int *y = NULL, rc = 0;
    for (size_t lineno = 1; rc == 0; lineno++) {
        int toolong, got = score__read_line(in, &line, &toolong);
        if (got <= 0) {
            if (got < 0)
                rc = osafe_errf(e, got, "line %zu: read error", lineno);
            break;
        }
        if (toolong || line.len == 0 || strspn(line.data, " \t") == line.len) {
            if (toolong)
                rc = osafe_errf(e, OSAFE_EINVAL, "line %zu: longer than %u "
                                "bytes", lineno, OSAFE_CLASSIFY_LINE_MAX);
            continue;
        }
        if (*n == cap) {
            size_t nc = cap ? 2 * cap : 256;
            if (nc > OSAFE_REFUSAL_TRAIN_MAX)
                nc = OSAFE_REFUSAL_TRAIN_MAX;
            if (*n == nc) {
                rc = osafe_errf(e, OSAFE_EINVAL, "line %zu: more than %u "
                                "answers", lineno, OSAFE_REFUSAL_TRAIN_MAX);
                break;
            }
            double *nx = realloc(X, nc * REFUSAL_NFEAT * sizeof *X);
            int *ny = nx ? realloc(y, nc * sizeof *y) : NULL;
            X = nx ? nx : X;
            y = ny ? ny : y;
            if (!ny) {
                rc = osafe_errf(e, OSAFE_ENOMEM, "train: out of memory");
                break;
            }
            cap = nc;
        }
        int r = read_one(line.data, line.len, lineno, X + *n * REFUSAL_NFEAT,
                         y + *n, e);
        if (r < 0)
            rc = r;
        else if (r == 0)
            (*n)++;
    }
    buf_release(&line);
    if (rc == 0)
        rc = refusal_model_train(X, y, *n, REFUSAL_LAMBDA, m, e);
    free(X);
    free(y);
    return rc;
}
