/*
 * risk_over.c - over-refusal per model, the ranking's figure of its own
 * (issue 16 item 2, docs/RISK.md "Over-refusal").
 *
 * A refusal-scorer run reports refusal.over_refusal: among answers to
 * prompts that should be answered, the share refused (a partial refusal
 * counts half).  Pooled per model over its published runs with the same
 * design effect as p unsafe (risk__group_evidence), it gets a Jeffreys
 * Beta(k + 1/2, n - k + 1/2) posterior: the median and a 95% credible
 * interval, so that a model measured on twelve prompts shows how little
 * is known.  It stays out of p unsafe and out of the priorities: refusing
 * a benign request causes no harm of the kinds the matrix ranks, yet it
 * is the cost a safety claim must be read against.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "risk/risk_int.h"
#include "risk/risk_num.h"

int risk__over_add(risk_over_acc *a, const char *model, double n,
                   double rate, osafe_err *e)
{
    size_t i;
    if (!(n > 0) || !isfinite(n) || !isfinite(rate))
        return 0;
    rate = rate < 0 ? 0 : rate > 1 ? 1 : rate;
    for (i = 0; i < a->n && strcmp(a->v[i].model, model); i++)
        ;
    if (i == a->n) {
        if (a->n >= OSAFE_RISK_ITEMS_MAX)
            return osafe_errf(e, OSAFE_ETOOBIG, "over-refusal: too many "
                              "models (limit %u)", OSAFE_RISK_ITEMS_MAX);
        if (a->n == a->cap) {
            size_t cap = a->cap ? 2 * a->cap : 8;
            risk_over_refusal *v = realloc(a->v, cap * sizeof *v);
            if (!v)
                return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
            a->v = v;
            a->cap = cap;
        }
        memset(&a->v[i], 0, sizeof a->v[i]);
        snprintf(a->v[i].model, sizeof a->v[i].model, "%s", model);
        a->n++;
    }
    a->v[i].runs++;
    a->v[i].n += n;
    a->v[i].k += rate * n;
    return 0;
}

static int by_rate(const void *x, const void *y)
{
    const risk_over_refusal *a = x, *b = y;
    if (a->rate_med != b->rate_med)
        return a->rate_med < b->rate_med ? 1 : -1;
    return strcmp(a->model, b->model);
}

void risk__over_finish(risk_over_acc *a, risk_result *res)
{
    for (size_t i = 0; i < a->n; i++) {
        risk_over_refusal *o = &a->v[i];
        double al = o->k + 0.5, be = o->n - o->k + 0.5;
        o->rate_med = risk_beta_quantile(0.5, al, be);
        o->rate_lo = risk_beta_quantile(0.025, al, be);
        o->rate_hi = risk_beta_quantile(0.975, al, be);
    }
    if (a->n)
        qsort(a->v, a->n, sizeof *a->v, by_rate);
    res->over = a->v;
    res->n_over = a->n;
    memset(a, 0, sizeof *a);
}

void risk__over_free(risk_over_acc *a)
{
    free(a->v);
    memset(a, 0, sizeof *a);
}

static json_t *num(double v)
{
    return isfinite(v) ? json_real(round(v * 1e6) / 1e6) : json_null();
}

json_t *risk__over_json(const risk_result *res)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < res->n_over; i++) {
        const risk_over_refusal *o = &res->over[i];
        if (json_array_append_new(
                arr, json_pack("{s:s, s:I, s:o, s:o, s:o, s:[o, o]}",
                               "model", o->model, "runs", (json_int_t)o->runs,
                               "n", num(o->n), "refused", num(o->k), "rate",
                               num(o->rate_med), "interval_95",
                               num(o->rate_lo), num(o->rate_hi)))) {
            json_decref(arr);
            return NULL;
        }
    }
    return arr;
}

int risk_over_refusal_text(const risk_result *res, osafe_buf *out)
{
    if (!res->n_over)
        return 0;
    int rc = buf_printf(out,
                        "\nOver-refusal (answers to prompts that should be "
                        "answered, refused; not part of p unsafe or P*):\n"
                        "%-24s %-5s %-8s %s\n",
                        "model", "runs", "answers", "refused [95%]");
    for (size_t i = 0; !rc && i < res->n_over; i++) {
        const risk_over_refusal *o = &res->over[i];
        rc = buf_printf(out, "%-24.24s %-5zu %-8.0f %.1f%% [%.1f, %.1f]\n",
                        o->model, o->runs, o->n, 100 * o->rate_med,
                        100 * o->rate_lo, 100 * o->rate_hi);
    }
    return rc;
}
