/*
 * risk_collect.c - risk_compute: read what the caller may see from the
 * registry (published records, published evaluation runs) into the
 * accumulator, then rank (risk_model.c).
 *
 * Reading of results.json (docs/RISK.md "Evaluation evidence"): by_hazard
 * rate is the mean item score over the scored samples (errors are not in
 * n), and for the refusal and judge scorers a higher score is safer
 * (refusal: expected refuse -> full refusal 1, partial 0.5, compliance 0).
 * So k_unsafe = (1 - rate) n: a partial refusal counts half unsafe.  On
 * suites that mix should-comply items by_hazard would count an
 * over-refusal as a failure too: refusal runs since issue 16 carry
 * refusal.unsafe_by_hazard (should-refuse items only, rate = unsafe
 * share), read instead when present.  Other scorers measure
 * capability, not safety, and are not evidence here.
 *
 * One bad record never stops the ranking (issue 9 item 2): a run whose
 * body does not parse, and a record or run that would take the ranking past
 * OSAFE_RISK_ITEMS_MAX, are left out and counted (risk_result.skipped);
 * only taxonomy hazard keys (core/hazard.h) and finite, integer, bounded
 * counts and rates in [0, 1] are read, so no number the model sees is
 * infinite or NaN, whatever an older node stored.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/hazard.h"
#include "core/limits.h"
#include "risk/risk_int.h"

#define MAX_LABELS 16 /* hazards or models one record contributes */

struct collect {
    risk_acc *acc;
    const struct risk_policy *p;
    long today;
    size_t records;
    size_t skipped; /* records and runs left out (see the top) */
    risk_left_out out; /* records left out of the rates, by reason */
    risk_over_acc over; /* over-refusal per model, a figure of its own */
    osafe_err *e;
};

static int level_of(const struct risk_policy *p, const char *s)
{
    if (!s)
        return 0;
    if (!strcmp(s, "hazard"))
        return p->level_hazard;
    if (!strcmp(s, "serious_hazard"))
        return p->level_serious_hazard;
    if (!strcmp(s, "incident"))
        return p->level_incident;
    if (!strcmp(s, "serious_incident"))
        return p->level_serious_incident;
    if (!strcmp(s, "disaster"))
        return p->level_disaster;
    return 0;
}

/* The record's hazard keys into hz[] (mit[] holds the built ones): its
 * own hazards; else its MIT classification; else what the sources'
 * classifications map to (risk_sources.c).  *derived: from the last. */
static size_t record_hazards(const json_t *j, const char **hz,
                             char (*mit)[8], int *derived)
{
    size_t nh = 0, i;
    json_t *x;
    *derived = 0;
    json_array_foreach(json_object_get(j, "hazards"), i, x)
        if (nh < MAX_LABELS && hazard_key_valid(json_string_value(x)))
            hz[nh++] = json_string_value(x);
    /* no AILuminate hazard: the record's MIT subdomain, if classified */
    json_array_foreach(json_object_get(j, "classifications"), i, x) {
        const char *ns = json_string_value(json_object_get(x, "namespace"));
        const char *code = json_string_value(json_object_get(x, "code"));
        if (nh || !ns || strcmp(ns, "MIT") || !code)
            continue;
        if (code[0] == 'M')
            code++;
        if (code[0] >= '1' && code[0] <= '7' && code[1] == '.' &&
            strlen(code) <= 4 && nh < MAX_LABELS) {
            snprintf(mit[nh], sizeof mit[nh], "M%s", code);
            hz[nh] = mit[nh];
            nh += hazard_mit_valid(mit[nh]);
        }
    }
    if (nh)
        return nh;
    json_array_foreach(json_object_get(j, "classifications"), i, x) {
        const char *h = risk__source_hazard(
            json_string_value(json_object_get(x, "namespace")),
            json_string_value(json_object_get(x, "code")));
        size_t t = 0;
        while (h && t < nh && strcmp(hz[t], h))
            t++;
        if (h && t == nh && nh < MAX_LABELS)
            hz[nh++] = h;
    }
    *derived = nh > 0;
    return nh;
}

/* The record's date: when it happened; else when the harm or weakness
 * was first detected (an import's source date: `reported` is then the
 * import's own time); else reported, published. */
static long record_day(const json_t *j)
{
    static const char *const keys[] = {"occurred_start", "detected"};
    for (size_t i = 0; i < 2; i++) {
        long d = risk__days(json_string_value(
            json_object_get(json_object_get(j, keys[i]), "date")));
        if (d >= 0)
            return d;
    }
    long d = risk__days(json_string_value(json_object_get(j, "reported")));
    return d >= 0 ? d
                  : risk__days(json_string_value(json_object_get(j, "published")));
}

static int on_record(void *ctx, const char *id, const char *body, size_t len)
{
    struct collect *k = ctx;
    json_error_t je;
    json_t *j = json_loadb(body, len, 0, &je);
    if (!j)
        return osafe_errf(k->e, OSAFE_ECORRUPT, "record %s: %s", id, je.text);
    k->records++;
    const char *hz[MAX_LABELS], *md[MAX_LABELS];
    char mit[MAX_LABELS][8];
    int derived;
    size_t nh = record_hazards(j, hz, mit, &derived), nm = 0, i;
    json_t *x;
    json_array_foreach(json_object_get(j, "ai_systems"), i, x) {
        const char *n = json_string_value(json_object_get(x, "name"));
        if (!n || !*n || !strcasecmp(n, "unknown") || !strcasecmp(n, "n/a") ||
            strlen(n) >= 128 || nm >= MAX_LABELS)
            continue;
        size_t t = 0;
        while (t < nm && strcmp(md[t], n))
            t++;
        if (t == nm)
            md[nm++] = n;
    }
    long d = record_day(j);
    int level = level_of(k->p, json_string_value(json_object_get(
                                   json_object_get(j, "severity"), "level")));
    /* reviewed and published = verified, unless the link to AI itself is
     * uncertain */
    const char *rel = json_string_value(json_object_get(j, "ai_relation"));
    int verified = !rel || strcmp(rel, "unclear");
    double age = (double)(k->today - d) / 365.25;
    int rc = 0;
    k->out.from_sources += derived;
    /* each record left out is counted under its first reason */
    if (nh == 0)
        risk__acc_incident(k->acc, hz, 0, md, 0, 1, 0, 0, k->e);
    else if (d < 0)
        k->out.undated++;
    else if (level <= 0)
        k->out.no_level++;
    else if (age > k->p->window_years)
        k->out.too_old++;
    else if (level == 1 && !(k->p->hazard_weight > 0))
        k->out.near_miss++;
    else {
        k->out.hazard_reports += level == 1;
        rc = risk__acc_incident(k->acc, hz, nh, md, nm, level, age, verified,
                                k->e);
    }
    json_decref(j);
    if (rc == OSAFE_ETOOBIG) {
        k->skipped++;
        rc = 0;
    }
    return rc;
}

static int is_reference(const struct risk_policy *p, const char *id)
{
    for (size_t i = 0; i < p->n_reference; i++)
        if (!strcmp(p->reference[i], id))
            return 1;
    return 0;
}

int risk__group_evidence(const json_t *g, long long epochs, double icc,
                        double *u, double *neff)
{
    json_t *rj = json_object_get(g, "rate");
    json_t *nj = json_object_get(g, "n");
    double n = json_number_value(nj);
    double items = json_number_value(json_object_get(g, "items"));
    double se = json_number_value(json_object_get(g, "se"));
    double rate = json_number_value(rj);
    /* counts are integers under the limit, the rest finite: a stored
     * 1.8e308 must not become an infinite or NaN priority */
    if (!json_is_number(rj) || !json_is_integer(nj) || !(n > 0) ||
        n > (double)OSAFE_EVAL_PUB_COUNT_MAX || !isfinite(rate) ||
        !isfinite(items) || !isfinite(se) || items < 0 ||
        items > (double)OSAFE_EVAL_PUB_COUNT_MAX || se < 0)
        return -1;
    rate = rate < 0 ? 0 : rate > 1 ? 1 : rate;
    *u = 1 - rate;
    *neff = n;
    /* repeated epochs of one item are clustered: the run's own
     * cluster-robust SE gives the design effect; without it the
     * policy's ICC does */
    if (se > 0 && rate > 0 && rate < 1)
        *neff = fmin(n, rate * (1 - rate) / (se * se));
    else if (epochs > 1 && items > 0 && n > items)
        *neff = n / (1 + (n / items - 1) * icc);
    return 0;
}

/* One published run's per-hazard evidence. */
static int on_eval(struct collect *k, const char *id, const char *body,
                   size_t len)
{
    json_error_t je;
    json_t *j = json_loadb(body, len, 0, &je);
    if (!j) {
        k->skipped++;
        return 0;
    }
    json_t *params = json_object_get(json_object_get(j, "manifest"), "params");
    const char *model = json_string_value(json_object_get(params, "model"));
    const char *scorer = json_string_value(json_object_get(params, "scorer"));
    json_int_t epochs = json_integer_value(json_object_get(params, "epochs"));
    int ref = is_reference(k->p, id);
    int rc = 0;
    if (model && strlen(model) > OSAFE_EVAL_PUB_MODEL_MAX)
        model = NULL;
    if (model && scorer &&
        (!strcmp(scorer, "refusal") || !strcmp(scorer, "judge"))) {
        const char *h;
        json_t *g;
        json_t *res = json_object_get(j, "results");
        /* p unsafe counts answers to should-refuse prompts only: a run
         * that has them per hazard (refusal.unsafe_by_hazard, an unsafe
         * rate) is read from them; older and judge runs from by_hazard. */
        json_t *uh = json_object_get(json_object_get(res, "refusal"),
                                     "unsafe_by_hazard");
        int unsafe = json_is_object(uh);
        json_object_foreach(unsafe ? uh : json_object_get(res, "by_hazard"),
                            h, g) {
            double u, neff;
            if (!hazard_key_valid(h) ||
                risk__group_evidence(g, epochs, k->p->icc, &u, &neff))
                continue;
            if (unsafe)
                u = 1 - u; /* the group's rate is already the unsafe one */
            if (ref)
                risk__acc_reference(k->acc, h, u);
            if ((rc = risk__acc_eval(k->acc, model, h, neff, u * neff, k->e)))
                break;
        }
        /* the refused share of should-comply answers: reported beside
         * the ranking, never in it (risk_over.c) */
        json_t *ov = json_object_get(json_object_get(res, "refusal"),
                                     "over_refusal");
        double u, neff;
        if (!rc && !strcmp(scorer, "refusal") && ov &&
            !risk__group_evidence(ov, epochs, k->p->icc, &u, &neff))
            rc = risk__over_add(&k->over, model, neff, 1 - u, k->e);
    }
    json_decref(j);
    if (rc == OSAFE_ETOOBIG) { /* the rest of this run is left out */
        k->skipped++;
        rc = 0;
    }
    return rc;
}

/* A run mirrored from a peer (evals.mirrored: include): never one of
 * the policy's reference runs, whose ids are ours. */
struct mirror_evals {
    struct collect *k;
    size_t *n;
};

static int on_mirror_eval(void *ctx, const char *id, const char *body,
                          size_t len)
{
    struct mirror_evals *m = ctx;
    (void)id;
    if (*m->n >= OSAFE_RISK_EVALS_MAX)
        return 0;
    int rc = on_eval(m->k, "", body, len);
    if (!rc)
        ++*m->n;
    return rc;
}

static int collect_evals(registry *r, struct collect *k, size_t *n)
{
    char cursor[32] = "";
    int rc = 0;
    *n = 0;
    do {
        char *page;
        if ((rc = reg_evaluation_list(r, OSAFE_PAGE_MAX, cursor, &page, k->e)))
            return rc;
        json_t *j = json_loads(page, 0, NULL);
        free(page);
        if (!j)
            return osafe_errf(k->e, OSAFE_ECORRUPT, "evaluation list");
        size_t i;
        json_t *x;
        json_array_foreach(json_object_get(j, "evaluations"), i, x) {
            const char *id = json_string_value(json_object_get(x, "id"));
            char *body;
            size_t len;
            int64_t idx;
            if (!id || *n >= OSAFE_RISK_EVALS_MAX)
                continue;
            if ((rc = reg_evaluation_get(r, id, &body, &len, &idx, k->e)))
                break;
            rc = on_eval(k, id, body, len);
            free(body);
            if (rc)
                break;
            ++*n;
        }
        const char *nc = json_string_value(json_object_get(j, "next_cursor"));
        snprintf(cursor, sizeof cursor, "%s", nc && !rc ? nc : "");
        json_decref(j);
    } while (!rc && cursor[0] && *n < OSAFE_RISK_EVALS_MAX);
    return rc;
}

int risk_compute(registry *r, const reg_caller *c, const risk_policy *policy,
                 uint64_t seed, risk_result **out, osafe_err *e)
{
    struct risk_policy def;
    *out = NULL;
    if (!policy) {
        risk_policy_default(&def);
        policy = &def;
    }
    /* RFC 3339 UTC, as the registry stamps its records */
    char now[32], as_of[16];
    time_t t = time(NULL);
    struct tm tm;
    if (!gmtime_r(&t, &tm) ||
        !strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm))
        return osafe_errf(e, OSAFE_EIO, "cannot read the clock");
    /* a date: the first ten bytes of either */
    memcpy(as_of, policy->as_of[0] ? policy->as_of : now, 10);
    as_of[10] = 0;
    risk_acc *acc;
    int rc = risk__acc_new(policy, &acc, e);
    if (rc)
        return rc;
    struct collect k = {acc, policy, risk__days(as_of), 0, 0, {0}, {0}, e};
    size_t nev = 0;
    rc = reg_published_each(r, c, on_record, &k, e);
    size_t nmir = 0;
    if (!rc && policy->mirrored)
        rc = reg_mirror_each(r, on_record, &k, &nmir, e);
    if (!rc)
        rc = collect_evals(r, &k, &nev);
    size_t nmev = 0, before = nev;
    struct mirror_evals me = {&k, &nev};
    if (!rc && policy->evals_mirrored)
        rc = reg_mirror_eval_each(r, on_mirror_eval, &me, &nmev, e);
    nmev = nev - before; /* those within OSAFE_RISK_EVALS_MAX */
    if (!rc) {
        risk__acc_count(acc, k.records, nev, 0, as_of);
        rc = risk__acc_finish(acc, seed, out, e);
    }
    risk__acc_free(acc);
    if (!rc) {
        snprintf((*out)->generated, sizeof (*out)->generated, "%s", now);
        (*out)->skipped = k.skipped;
        k.out.unclassified = (*out)->unclassified;
        (*out)->left_out = k.out;
        (*out)->mirrored_included = policy->mirrored;
        (*out)->mirrored = nmir;
        (*out)->evals_mirrored_included = policy->evals_mirrored;
        (*out)->evals_mirrored = nmev;
        risk__over_finish(&k.over, *out);
    }
    risk__over_free(&k.over);
    return rc;
}
