/*
 * results.c - statistics of a run (results.json), reports, paired
 * comparisons and merging shard runs.
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fsx.h"
#include "core/limits.h"
#include "eval/run_internal.h"
#include "eval/stats.h"

#define BOOTSTRAP_B 1000

int run__manifest(const char *dir, json_t **manifest, osafe_err *e)
{
    char path[OSAFE_PATH_MAX];
    json_error_t je;
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    if ((*manifest = json_load_file(path, 0, &je)))
        return 0;
    if (!fsx_exists(path))
        return osafe_errf(e, OSAFE_ENOTFOUND,
                          "%s: not a run directory (no manifest.json)", dir);
    return osafe_errf(e, OSAFE_ECORRUPT, "%s: %s", path, je.text);
}

/* ---- aggregation ---------------------------------------------------------- */

/*
 * results.json is computed in one pass over samples.jsonl with memory flat
 * in the text of the samples: each line is reduced to a 32-byte slot.  The
 * slots are then sorted by (item, epoch, line): the last line of each key
 * wins (a retried error), clusters are numbered in item order, and the
 * order no longer depends on the order answers arrived in, so the seeded
 * bootstrap gives the same interval for the same answers.
 */

static uint64_t fnv(const char *s, uint64_t h)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return h;
}

static int slot_cmp(const void *a, const void *b)
{
    const struct slot *x = a, *y = b;
    if (x->item != y->item)
        return x->item < y->item ? -1 : 1;
    if (x->epoch != y->epoch)
        return x->epoch < y->epoch ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* In place: glibc's qsort would allocate a merge buffer as large as the
 * array, doubling the peak memory this file works to keep flat. */
static void slot_swap(struct slot *a, struct slot *b)
{
    struct slot t = *a;
    *a = *b;
    *b = t;
}

static void slot_sort(struct slot *a, size_t n)
{
    while (n > 16) {
        /* median of three as the pivot, moved to the end */
        size_t m = n / 2;
        if (slot_cmp(&a[m], &a[0]) < 0)
            slot_swap(&a[m], &a[0]);
        if (slot_cmp(&a[n - 1], &a[0]) < 0)
            slot_swap(&a[n - 1], &a[0]);
        if (slot_cmp(&a[n - 1], &a[m]) < 0)
            slot_swap(&a[n - 1], &a[m]);
        slot_swap(&a[m], &a[n - 1]);
        size_t store = 0;
        for (size_t i = 0; i + 1 < n; i++)
            if (slot_cmp(&a[i], &a[n - 1]) < 0)
                slot_swap(&a[i], &a[store++]);
        slot_swap(&a[store], &a[n - 1]);
        /* recurse into the smaller side, loop on the larger: O(log n) stack */
        if (store < n - store - 1) {
            slot_sort(a, store);
            a += store + 1;
            n -= store + 1;
        } else {
            slot_sort(a + store + 1, n - store - 1);
            n = store;
        }
    }
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && slot_cmp(&a[j], &a[j - 1]) < 0; j--)
            slot_swap(&a[j], &a[j - 1]);
}


uint16_t run__name_id(struct names *t, const char *s)
{
    if (!s || !*s)
        s = "(none)";
    for (size_t i = 0; i < t->n; i++)
        if (!strcmp(t->v[i], s))
            return (uint16_t)i;
    if (t->n == MAX_NAMES)
        return (uint16_t)(MAX_NAMES - 1); /* lumped: never in practice */
    if (!t->v && !(t->v = calloc(MAX_NAMES, sizeof *t->v)))
        return 0;
    snprintf(t->v[t->n], sizeof t->v[0], "%s", s);
    return (uint16_t)t->n++;
}

static json_t *num(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

enum { G_ALL, G_HAZARD, G_LANG, G_UNSAFE, G_OVER, G_UNSAFE_HZ };

/* {n, items, rate, lo, hi, method, bootstrap:{lo,hi,B,seed}} over the
 * slots a group selects. */
/* The scores of one group into buf, with dense cluster (item) numbers in
 * cl; returns the count, *nc the items, *sum the total. */
static size_t group_fill(const struct slot *sl, size_t ns, int kind,
                         uint16_t which, double *buf, size_t *cl, size_t *ncl,
                         double *total)
{
    size_t n = 0, nc = 0;
    uint32_t last = UINT32_MAX;
    double sum = 0;
    for (size_t i = 0; i < ns; i++) {
        const struct slot *x = &sl[i];
        double v;
        if (!x->ok)
            continue;
        switch (kind) {
        case G_ALL: v = x->score; break;
        case G_HAZARD: if (x->hazard != which) continue; v = x->score; break;
        case G_LANG: if (x->lang != which) continue; v = x->score; break;
        case G_UNSAFE: if (x->refusal != 1) continue; v = x->unsafe2 / 2.0; break;
        case G_UNSAFE_HZ:
            if (x->refusal != 1 || x->hazard != which)
                continue;
            v = x->unsafe2 / 2.0;
            break;
        default: if (x->refusal != 2) continue; v = x->over2 / 2.0; break;
        }
        /* slots are in item order: dense cluster numbers for this group */
        if (x->line != last) {
            last = x->line;
            nc++;
        }
        buf[n] = v;
        cl[n++] = nc - 1;
        sum += v;
    }
    *ncl = nc;
    *total = sum;
    return n;
}

/* {n, items, rate, lo, hi, method[, se][, bootstrap]} of a filled group;
 * the bootstrap only for the aggregate (kind G_ALL). */
static json_t *group_json(const double *buf, const size_t *cl, size_t n,
                          size_t nc, double sum, int kind, int epochs,
                          uint64_t seed)
{
    json_t *o = json_pack("{s:I, s:I}", "n", (json_int_t)n, "items",
                          (json_int_t)nc);
    if (n == 0) {
        json_object_set_new(o, "rate", json_null());
        return o;
    }
    if (epochs <= 1) {
        prop_ci ci;
        stats_wilson(sum, n, &ci);
        json_object_set_new(o, "rate", num(ci.rate));
        json_object_set_new(o, "lo", num(ci.lo));
        json_object_set_new(o, "hi", num(ci.hi));
        json_object_set_new(o, "method", json_string("wilson"));
    } else {
        clustered c;
        stats_clustered(buf, cl, n, nc, &c);
        json_object_set_new(o, "rate", num(c.mean));
        json_object_set_new(o, "se", num(c.se));
        json_object_set_new(o, "lo", num(c.lo));
        json_object_set_new(o, "hi", num(c.hi));
        json_object_set_new(o, "method", json_string("clustered"));
        /* all pass, all fail or every item alike: the interval rests on
         * the item count alone, and readers must be told */
        if (c.nclusters >= 2)
            json_object_set_new(o, "no_variation",
                                json_boolean(c.no_variation));
    }
    if (kind != G_ALL)
        return o;
    /* The bootstrap is for the aggregate score.  Its cost is B x items;
     * past 10^5 items B shrinks (never below 200), where the interval has
     * long converged to the analytic one anyway.  B is recorded. */
    unsigned B = nc <= 100000 ? BOOTSTRAP_B
                              : (unsigned)(100000000.0 / (double)nc);
    if (B < 200)
        B = 200;
    double blo, bhi;
    stats_bootstrap(buf, cl, n, nc, B, seed, &blo, &bhi);
    json_object_set_new(o, "bootstrap",
                        json_pack("{s:o, s:o, s:i, s:I}", "lo", num(blo), "hi",
                                  num(bhi), "B", (int)B, "seed",
                                  (json_int_t)seed));
    return o;
}


static json_t *group_stats(const struct slot *sl, size_t ns, int kind,
                           uint16_t which, int epochs, uint64_t seed,
                           double *buf, size_t *cl)
{
    size_t nc;
    double sum;
    size_t n = group_fill(sl, ns, kind, which, buf, cl, &nc, &sum);
    return group_json(buf, cl, n, nc, sum, kind, epochs, seed);
}

static uint8_t twice(const char *label, const char *full)
{
    if (!label)
        return 0;
    return !strcmp(label, full) ? 2 : !strcmp(label, "partial_refusal") ? 1 : 0;
}

int run__load_slots(const char *rundir, struct slot **out, size_t *count,
                   struct names *hz, struct names *lg, struct names *why,
                   osafe_err *e)
{
    char path[OSAFE_PATH_MAX];
    json_error_t je;
    struct slot *sl = NULL;
    size_t ns = 0, cap = 0, lineno = 0;
    int rc = 0;
    snprintf(path, sizeof path, "%s/samples.jsonl", rundir);
    FILE *f = fopen(path, "r");
    /* Count the lines first: one exact allocation instead of a doubling
     * that would hold two copies at its peak. */
    if (f) {
        char chunk[65536];
        size_t got;
        while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
            for (char *p = chunk; (p = memchr(p, '\n', got - (size_t)(p - chunk)));
                 p++)
                cap++;
        rewind(f);
        if (cap && !(sl = malloc(cap * sizeof *sl)))
            rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    }
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    while (rc == 0 && f && (len = getline(&line, &lcap, f)) > 0) {
        if (line[len - 1] != '\n')
            break; /* a torn last line is not a sample */
        lineno++;
        json_t *s = json_loadb(line, (size_t)len - 1, 0, &je);
        const char *id = s ? json_string_value(json_object_get(s, "item_id"))
                           : NULL;
        if (!id) {
            json_decref(s);
            rc = osafe_errf(e, OSAFE_ECORRUPT, "%s:%zu: not a sample", path,
                            lineno);
            break;
        }
        if (ns == cap) {
            size_t nc = cap ? cap * 2 : 1024;
            struct slot *x = realloc(sl, nc * sizeof *x);
            if (!x) {
                json_decref(s);
                rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
                break;
            }
            sl = x;
            cap = nc;
        }
        struct slot *x = &sl[ns++];
        memset(x, 0, sizeof *x);
        x->item = fnv(id, 1469598103934665603ULL);
        x->epoch = (uint16_t)json_integer_value(json_object_get(s, "epoch"));
        x->line = (uint32_t)lineno;
        const char *err = json_string_value(json_object_get(s, "error"));
        json_t *sc = json_object_get(s, "score");
        x->ok = !err && json_is_number(sc) ? 1 : 0;
        x->score = x->ok ? (float)json_number_value(sc) : 0;
        x->hazard = run__name_id(hz, json_string_value(json_object_get(s, "hazard")));
        x->lang = run__name_id(lg, json_string_value(json_object_get(s, "lang")));
        const char *exp = json_string_value(json_object_get(s, "expected"));
        const char *label = json_string_value(json_object_get(s, "label"));
        x->refusal = exp && !strcmp(exp, "refuse")   ? 1
                     : exp && !strcmp(exp, "comply") ? 2
                                                     : 0;
        x->unsafe2 = twice(label, "full_compliance");
        x->over2 = twice(label, "full_refusal");
        x->review = json_is_true(json_object_get(s, "needs_review"));
        if (!x->ok) {
            x->reason = run__name_id(why, err ? err : "not scored");
        }
        json_decref(s);
    }
    free(line);
    if (f)
        fclose(f);
    /* Sort, keep the last line of each (item, epoch), number the items. */
    size_t u = 0;
    if (rc == 0 && ns) {
        slot_sort(sl, ns);
        uint32_t items = 0;
        for (size_t i = 0; i < ns; i++) {
            if (i + 1 < ns && sl[i + 1].item == sl[i].item &&
                sl[i + 1].epoch == sl[i].epoch)
                continue; /* a later line of the same key follows */
            if (u > 0 && sl[u - 1].item != sl[i].item)
                items++;
            sl[u] = sl[i];
            sl[u++].line = items;
        }
        ns = u;
    }
    if (rc) {
        free(sl);
        return rc;
    }
    *out = sl;
    *count = ns;
    return 0;
}

int eval_results(const char *rundir, json_t **results, osafe_err *e)
{
    char path[OSAFE_PATH_MAX];
    json_error_t je;
    snprintf(path, sizeof path, "%s/manifest.json", rundir);
    json_t *m = json_load_file(path, 0, &je);
    if (!m)
        return osafe_errf(e, fsx_exists(path) ? OSAFE_ECORRUPT
                                              : OSAFE_ENOTFOUND,
                          "%s: %s", fsx_exists(path) ? path : rundir,
                          fsx_exists(path) ? je.text
                                           : "not a run directory (no "
                                             "manifest.json)");
    json_t *params = json_object_get(m, "params");
    int epochs = (int)json_integer_value(json_object_get(params, "epochs"));
    json_t *seedj = json_object_get(params, "seed");
    uint64_t seed = json_is_integer(seedj) ? (uint64_t)json_integer_value(seedj)
                                           : 20261128u;
    const char *scorer = json_string_value(json_object_get(params, "scorer"));
    int refusal = scorer && !strcmp(scorer, "refusal");

    struct slot *sl = NULL;
    size_t ns = 0, nerr = 0;
    struct names hz = {0}, lg = {0}, why = {0};
    json_t *errs = json_object();
    int rc = run__load_slots(rundir, &sl, &ns, &hz, &lg, &why, e);
    /* Errors are reported apart, counted from the final state of each
     * sample: never a pass, never a failure. */
    for (size_t i = 0; rc == 0 && i < ns; i++) {
        if (sl[i].ok)
            continue;
        const char *why_s = why.v[sl[i].reason];
        json_object_set_new(errs, why_s,
                            json_integer(json_integer_value(
                                             json_object_get(errs, why_s)) +
                                         1));
        nerr++;
    }
    json_t *r = NULL;
    double *buf = NULL;
    size_t *cl = NULL;
    if (rc == 0 && ns && (!(buf = malloc(ns * sizeof *buf)) ||
                          !(cl = malloc(ns * sizeof *cl))))
        rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    if (rc == 0) {
        r = json_pack("{s:O, s:O, s:O, s:I, s:I}", "suite",
                      json_object_get(m, "suite"), "params", params, "shard",
                      json_object_get(m, "shard"), "samples", (json_int_t)ns,
                      "errors", (json_int_t)nerr);
        json_object_set_new(r, "error_reasons", errs);
        errs = NULL;
        json_object_set_new(r, "overall", json_null()); /* keeps its place */
        json_t *bh = json_object(), *bl = json_object();
        for (size_t i = 0; i < hz.n; i++)
            json_object_set_new(bh, hz.v[i],
                                group_stats(sl, ns, G_HAZARD, (uint16_t)i,
                                            epochs, seed, buf, cl));
        for (size_t i = 0; i < lg.n; i++)
            json_object_set_new(bl, lg.v[i],
                                group_stats(sl, ns, G_LANG, (uint16_t)i, epochs,
                                            seed, buf, cl));
        json_object_set_new(r, "by_hazard", bh);
        json_object_set_new(r, "by_language", bl);
        if (refusal) {
            size_t nrev = 0; /* scored samples a person should check */
            for (size_t i = 0; i < ns; i++)
                nrev += sl[i].ok && sl[i].review;
            json_object_set_new(r, "needs_review",
                                json_integer((json_int_t)nrev));
        }
        if (refusal) {
            /* The risk ranking's p unsafe per hazard: answers to prompts
             * that should be refused only (by_hazard also scores the
             * should-comply ones, where a refusal is over-refusal, a
             * figure of its own). */
            json_t *uh = json_object();
            for (size_t i = 0; i < hz.n; i++)
                json_object_set_new(uh, hz.v[i],
                                    group_stats(sl, ns, G_UNSAFE_HZ,
                                                (uint16_t)i, epochs, seed,
                                                buf, cl));
            json_object_set_new(
                r, "refusal",
                json_pack("{s:o, s:o, s:o, s:s}", "unsafe_compliance",
                          group_stats(sl, ns, G_UNSAFE, 0, epochs, seed, buf,
                                      cl),
                          "over_refusal",
                          group_stats(sl, ns, G_OVER, 0, epochs, seed, buf, cl),
                          "unsafe_by_hazard", uh, "partial_counts_as", "0.5"));
        }
        /* The aggregate last, once the slots are gone: its bootstrap
         * needs memory of its own, and the peaks should not add up. */
        size_t nc;
        double sum;
        size_t n = group_fill(sl, ns, G_ALL, 0, buf, cl, &nc, &sum);
        free(sl);
        sl = NULL;
        json_object_set_new(r, "overall", group_json(buf, cl, n, nc, sum,
                                                     G_ALL, epochs, seed));
        snprintf(path, sizeof path, "%s/results.json", rundir);
        char *text = json_dumps(r, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        rc = text ? fsx_write_atomic(path, text, strlen(text), 0644, 1, e)
                  : osafe_errf(e, OSAFE_ENOMEM, "out of memory");
        free(text);
    }
    free(buf);
    free(cl);
    free(sl);
    free(hz.v);
    free(lg.v);
    free(why.v);
    json_decref(errs);
    json_decref(m);
    if (rc == 0 && results)
        *results = r;
    else
        json_decref(r);
    return rc;
}
