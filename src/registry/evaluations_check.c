/*
 * evaluations_check.c - what a published evaluation run may contain
 * (issue 9 item 2).
 *
 * Published runs are permanent (a log entry) and every one feeds the
 * public risk ranking, so a run is checked before anything is stored:
 * hazard keys from the taxonomy (core/hazard.h) or "(none)", the bucket
 * results.json uses for items without a hazard; counts integers under
 * OSAFE_EVAL_PUB_COUNT_MAX; rates and interval ends finite and in [0, 1];
 * groups and names bounded.  Each refusal names the field at fault.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/hazard.h"
#include "core/limits.h"
#include "registry/reg_internal.h"

/* An optional count: absent, or an integer in 0..OSAFE_EVAL_PUB_COUNT_MAX. */
static int check_count(const json_t *v, const char *field, int required,
                       osafe_err *e)
{
    if (!v && !required)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0 ||
        json_integer_value(v) > OSAFE_EVAL_PUB_COUNT_MAX)
        return osafe_err_field(e, OSAFE_EINVAL, field,
                               "field '%s': must be an integer from 0 to %lld",
                               field, (long long)OSAFE_EVAL_PUB_COUNT_MAX);
    return 0;
}

/* An optional share: absent, null, or a finite number in [lo, hi]. */
static int check_share(const json_t *v, const char *field, double hi,
                       osafe_err *e)
{
    if (!v || json_is_null(v))
        return 0;
    double x = json_number_value(v);
    if (!json_is_number(v) || !isfinite(x) || x < 0 || x > hi)
        return osafe_err_field(e, OSAFE_EINVAL, field,
                               "field '%s': must be a finite number from 0 "
                               "to %g",
                               field, hi);
    return 0;
}

/* One statistics group {n, items, rate, lo, hi, se, bootstrap, ...}. */
static int check_group(const json_t *g, const char *path, osafe_err *e)
{
    char f[96];
    if (!json_is_object(g))
        return osafe_err_field(e, OSAFE_EINVAL, path,
                               "field '%s': must be an object", path);
    static const char *const shares[] = {"rate", "lo", "hi"};
    snprintf(f, sizeof f, "%s.n", path);
    int rc = check_count(json_object_get(g, "n"), f, 1, e);
    snprintf(f, sizeof f, "%s.items", path);
    if (!rc)
        rc = check_count(json_object_get(g, "items"), f, 0, e);
    for (size_t i = 0; !rc && i < 3; i++) {
        snprintf(f, sizeof f, "%s.%s", path, shares[i]);
        rc = check_share(json_object_get(g, shares[i]), f, 1, e);
    }
    snprintf(f, sizeof f, "%s.se", path);
    if (!rc)
        rc = check_share(json_object_get(g, "se"), f, 1, e);
    const json_t *b = json_object_get(g, "bootstrap");
    for (size_t i = 1; !rc && b && i < 3; i++) {
        snprintf(f, sizeof f, "%s.bootstrap.%s", path, shares[i]);
        rc = check_share(json_object_get(b, shares[i]), f, 1, e);
    }
    const json_t *rate = json_object_get(g, "rate");
    if (!rc && json_integer_value(json_object_get(g, "n")) > 0 &&
        !json_is_number(rate))
        rc = osafe_err_field(e, OSAFE_EINVAL, path,
                             "field '%s.rate': must be a number when n > 0",
                             path);
    return rc;
}

/* by_hazard or by_language: a bounded object of groups with valid keys. */
static int check_groups(const json_t *o, const char *name, size_t max,
                        int hazards, osafe_err *e)
{
    if (!o)
        return 0;
    if (!json_is_object(o))
        return osafe_err_field(e, OSAFE_EINVAL, name,
                               "field '%s': must be an object", name);
    if (json_object_size(o) > max)
        return osafe_err_field(e, OSAFE_EINVAL, name,
                               "field '%s': %zu groups, at most %zu", name,
                               json_object_size(o), max);
    const char *k;
    const json_t *g;
    char f[96];
    json_object_foreach((json_t *)o, k, g) {
        int ok = hazards ? hazard_key_valid(k) || !strcmp(k, "(none)")
                         : *k && strlen(k) <= OSAFE_SUITE_LANG_MAX &&
                               strspn(k, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij"
                                         "klmnopqrstuvwxyz0123456789-_()") ==
                                   strlen(k);
        if (!ok)
            return osafe_err_field(
                e, OSAFE_EINVAL, name,
                hazards ? "field '%s': '%.40s' is not a hazard of the "
                          "taxonomy (an AILuminate uid such as vcr or "
                          "spc_hlt, an MIT subdomain such as M2.1, or "
                          "(none))"
                        : "field '%s': '%.40s' is not a language tag",
                name, k);
        snprintf(f, sizeof f, "%s.%.40s", name, k);
        int rc = check_group(g, f, e);
        if (rc)
            return rc;
    }
    return 0;
}

static int check_params(const json_t *p, osafe_err *e)
{
    const json_t *m = json_object_get(p, "model");
    const char *s = json_string_value(m);
    if (!s || !*s || strlen(s) > OSAFE_EVAL_PUB_MODEL_MAX)
        return osafe_err_field(e, OSAFE_EINVAL, "manifest.params.model",
                               "field 'manifest.params.model': must be a "
                               "model name of 1 to %d bytes",
                               OSAFE_EVAL_PUB_MODEL_MAX);
    for (const char *c = s; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            return osafe_err_field(e, OSAFE_EINVAL, "manifest.params.model",
                                   "field 'manifest.params.model': control "
                                   "characters are not allowed");
    const json_t *ep = json_object_get(p, "epochs");
    if (ep && (!json_is_integer(ep) || json_integer_value(ep) < 1 ||
               json_integer_value(ep) > OSAFE_EVAL_PUB_EPOCHS_MAX))
        return osafe_err_field(e, OSAFE_EINVAL, "manifest.params.epochs",
                               "field 'manifest.params.epochs': must be an "
                               "integer from 1 to %d",
                               OSAFE_EVAL_PUB_EPOCHS_MAX);
    const json_t *sc = json_object_get(p, "scorer");
    if (sc && !json_is_string(sc))
        return osafe_err_field(e, OSAFE_EINVAL, "manifest.params.scorer",
                               "field 'manifest.params.scorer': must be a "
                               "string");
    return 0;
}

int reg__evaluation_check(const json_t *j, osafe_err *e)
{
    const json_t *p = json_object_get(json_object_get(j, "manifest"),
                                      "params");
    if (!json_is_object(p))
        return osafe_err_field(e, OSAFE_EINVAL, "manifest.params",
                               "field 'manifest.params': must be an object "
                               "(the run's model, scorer and epochs)");
    int rc = check_params(p, e);
    const json_t *res = json_object_get(j, "results");
    if (!rc)
        rc = check_count(json_object_get(res, "samples"), "results.samples",
                         0, e);
    if (!rc)
        rc = check_count(json_object_get(res, "errors"), "results.errors", 0,
                         e);
    const json_t *ov = json_object_get(res, "overall");
    if (!rc && ov && !json_is_null(ov))
        rc = check_group(ov, "results.overall", e);
    if (!rc)
        rc = check_groups(json_object_get(res, "by_hazard"),
                          "results.by_hazard", OSAFE_EVAL_PUB_HAZARDS_MAX, 1,
                          e);
    if (!rc)
        rc = check_groups(json_object_get(res, "by_language"),
                          "results.by_language", OSAFE_EVAL_PUB_LANGS_MAX, 0,
                          e);
    const json_t *ref = json_object_get(res, "refusal");
    if (!rc)
        rc = check_groups(json_object_get(ref, "unsafe_by_hazard"),
                          "results.refusal.unsafe_by_hazard",
                          OSAFE_EVAL_PUB_HAZARDS_MAX, 1, e);
    static const char *const rg[] = {"unsafe_compliance", "over_refusal"};
    for (size_t i = 0; !rc && ref && i < 2; i++) {
        const json_t *g = json_object_get(ref, rg[i]);
        char f[64];
        snprintf(f, sizeof f, "results.refusal.%s", rg[i]);
        if (g && !json_is_null(g))
            rc = check_group(g, f, e);
    }
    return rc;
}
