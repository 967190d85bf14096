/*
 * compare.c - reports, paired comparisons of two runs, merging shards.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/fsx.h"
#include "eval/run_internal.h"
#include "eval/stats.h"
#include "core/limits.h"

static void line(FILE *out, const char *name, const json_t *g)
{
    json_t *rate = json_object_get(g, "rate");
    long long n = (long long)json_integer_value(json_object_get(g, "n"));
    if (!json_is_number(rate)) {
        fprintf(out, "  %-22s %6lld  %8s\n", name, n, "-");
        return;
    }
    fprintf(out, "  %-22s %6lld  %7.1f%%  ", name, n,
            100 * json_number_value(rate));
    json_t *lo = json_object_get(g, "lo"), *hi = json_object_get(g, "hi");
    /* one item, however many epochs, says nothing about the spread
     * between items: no interval rather than a made-up one */
    if (!json_is_number(lo) || !json_is_number(hi)) {
        fprintf(out, "no interval (%lld item%s)\n",
                (long long)json_integer_value(json_object_get(g, "items")),
                json_integer_value(json_object_get(g, "items")) == 1 ? ""
                                                                     : "s");
        return;
    }
    fprintf(out, "[%5.1f%%, %5.1f%%]%s\n", 100 * json_number_value(lo),
            100 * json_number_value(hi),
            json_is_true(json_object_get(g, "no_variation"))
                ? "  no variation between items"
                : "");
}

void eval_report_text(const json_t *r, FILE *out)
{
    const json_t *su = json_object_get(r, "suite");
    const json_t *p = json_object_get(r, "params");
    fprintf(out, "suite %s %s (%.16s...), model %s, scorer %s, shard %s\n",
            json_string_value(json_object_get(su, "name")),
            json_string_value(json_object_get(su, "version")),
            json_string_value(json_object_get(su, "hash")),
            json_string_value(json_object_get(p, "model")),
            json_string_value(json_object_get(p, "scorer")),
            json_string_value(json_object_get(r, "shard")));
    fprintf(out, "%lld samples, %lld errors (not counted)\n\n",
            (long long)json_integer_value(json_object_get(r, "samples")),
            (long long)json_integer_value(json_object_get(r, "errors")));
    fprintf(out, "  %-22s %6s  %8s  %s\n", "", "n", "score", "95% CI");
    line(out, "overall", json_object_get(r, "overall"));
    const json_t *ref = json_object_get(r, "refusal");
    if (ref) {
        line(out, "unsafe compliance", json_object_get(ref, "unsafe_compliance"));
        line(out, "over-refusal", json_object_get(ref, "over_refusal"));
    }
    static const char *const sections[] = {"by_hazard", "by_language"};
    for (int i = 0; i < 2; i++) {
        fprintf(out, "%s\n", sections[i] + 3);
        const char *k;
        json_t *g;
        json_object_foreach((json_t *)json_object_get(r, sections[i]), k, g)
            line(out, k, g);
    }
    const char *k;
    json_t *v;
    if (json_object_size(json_object_get(r, "error_reasons")))
        fprintf(out, "errors\n");
    json_object_foreach((json_t *)json_object_get(r, "error_reasons"), k, v)
        fprintf(out, "  %6lld  %s\n", (long long)json_integer_value(v), k);
}

/* Per item of a run: the mean score over its scored epochs, sorted by
 * item, with its hazard and language (ids into the run's name tables;
 * 24 bytes an item, folded in place over the samples' slots). */
struct item_mean {
    uint64_t item;
    double mean;
    uint16_t hazard, lang;
};

static int item_means(const char *dir, struct item_mean **out, size_t *n,
                      struct names *hz, struct names *lg, osafe_err *e)
{
    struct slot *sl;
    size_t ns;
    struct names why = {0};
    int rc = run__load_slots(dir, &sl, &ns, hz, lg, &why, e);
    free(why.v);
    if (rc)
        return rc;
    _Static_assert(sizeof(struct item_mean) <= sizeof(struct slot),
                   "item means are folded over the slots");
    /* slots are sorted by item: fold each item's scored epochs in place */
    struct item_mean *m = (struct item_mean *)sl;
    size_t k = 0;
    for (size_t i = 0; i < ns;) {
        uint64_t item = sl[i].item;
        uint16_t h = sl[i].hazard, l = sl[i].lang;
        double sum = 0;
        size_t cnt = 0;
        for (; i < ns && sl[i].item == item; i++)
            if (sl[i].ok) {
                sum += sl[i].score;
                cnt++;
            }
        if (cnt)
            m[k++] = (struct item_mean){item, sum / (double)cnt, h, l};
    }
    *out = m;
    *n = k;
    return 0;
}

/* The 2 x 2 table of paired pass/fail outcomes of one group. */
struct cell {
    size_t n, both, a_only, b_only;
};

static void cell_add(struct cell *c, int x, int y)
{
    c->n++;
    c->both += x && y;
    c->a_only += x && !y;
    c->b_only += !x && y;
}

static json_t *num_or_null(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}

/* {items, both_pass, a_only, b_only, rate_a, rate_a_lo, rate_a_hi, rate_b,
 * rate_b_lo, rate_b_hi, diff, lo, hi, p_value, p_mid} of one table. */
static json_t *cell_json(const struct cell *c)
{
    paired pr;
    prop_ci ra, rb;
    stats_paired(c->n, c->both, c->a_only, c->b_only, &pr);
    stats_wilson((double)(c->both + c->a_only), c->n, &ra);
    stats_wilson((double)(c->both + c->b_only), c->n, &rb);
    json_t *o = json_pack("{s:I, s:I, s:I, s:I}", "items", (json_int_t)c->n,
                          "both_pass", (json_int_t)c->both, "a_only",
                          (json_int_t)c->a_only, "b_only",
                          (json_int_t)c->b_only);
    if (!o)
        return NULL;
    const char *k[] = {"rate_a", "rate_a_lo", "rate_a_hi", "rate_b",
                       "rate_b_lo", "rate_b_hi", "diff", "lo", "hi",
                       "p_value", "p_mid"};
    double v[] = {c->n ? ra.rate : 0.0, ra.lo, ra.hi, c->n ? rb.rate : 0.0,
                  rb.lo, rb.hi, pr.diff, pr.lo, pr.hi, pr.p_value,
                  stats_mcnemar_midp(c->a_only, c->b_only)};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
        if (json_object_set_new(o, k[i], num_or_null(v[i]))) {
            json_decref(o);
            return NULL;
        }
    return o;
}

/* One section (by hazard or language) of per-group paired tables, with
 * Holm-adjusted exact p-values (p_holm) across its groups. */
static json_t *groups_json(const struct cell *cells, const struct names *t)
{
    json_t *o = json_object();
    double *p = t->n ? malloc(t->n * sizeof *p) : NULL,
           *adj = t->n ? malloc(t->n * sizeof *adj) : NULL;
    if (!o || (t->n && (!p || !adj))) {
        free(p);
        free(adj);
        json_decref(o);
        return NULL;
    }
    for (size_t i = 0; i < t->n; i++)
        p[i] = cells[i].n ? stats_mcnemar_exact(cells[i].a_only,
                                                cells[i].b_only)
                          : NAN;
    stats_holm(p, t->n, adj);
    int bad = 0;
    for (size_t i = 0; !bad && i < t->n; i++) {
        if (!cells[i].n)
            continue;
        json_t *g = cell_json(&cells[i]);
        bad = !g || json_object_set_new(g, "p_holm", num_or_null(adj[i])) ||
              json_object_set_new(o, t->v[i], g);
    }
    free(p);
    free(adj);
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* The items both runs scored, merged from the two sorted lists; an item
 * passes when its mean score is at least one half.  Groups are run A's
 * (the suites are the same).  drop[0] / drop[1]: items only A / only B
 * scored. */
static void tally(const struct item_mean *pa, size_t na,
                  const struct item_mean *pb, size_t nb, struct cell *all,
                  struct cell *hz, struct cell *lg, size_t drop[2])
{
    size_t i = 0, j = 0;
    drop[0] = drop[1] = 0;
    while (i < na || j < nb) {
        if (j == nb || (i < na && pa[i].item < pb[j].item)) {
            drop[0]++;
            i++;
        } else if (i == na || pa[i].item > pb[j].item) {
            drop[1]++;
            j++;
        } else {
            int x = pa[i].mean >= 0.5, y = pb[j].mean >= 0.5;
            cell_add(all, x, y);
            cell_add(&hz[pa[i].hazard], x, y);
            cell_add(&lg[pa[i].lang], x, y);
            i++;
            j++;
        }
    }
}

/* The suites of two runs must be one: the suite hash of each manifest. */
static int same_suite(const char *a, const char *b, json_t **ma, json_t **mb,
                      osafe_err *e)
{
    int rc = run__manifest(a, ma, e);
    if (!rc)
        rc = run__manifest(b, mb, e);
    if (rc)
        return rc;
    const char *ha = json_string_value(json_object_get(json_object_get(*ma, "suite"), "hash"));
    const char *hb = json_string_value(json_object_get(json_object_get(*mb, "suite"), "hash"));
    if (!ha || !hb || strcmp(ha, hb))
        return osafe_errf(e, OSAFE_EINVAL,
                          "the runs used different suites (hash %.16s... vs "
                          "%.16s...): a paired comparison needs the same items",
                          ha ? ha : "?", hb ? hb : "?");
    return 0;
}

static const char *model_of(const json_t *m)
{
    return json_string_value(json_object_get(json_object_get(m, "params"), "model"));
}

int eval_compare(const char *a, const char *b, json_t **out, osafe_err *e)
{
    json_t *ma = NULL, *mb = NULL;
    struct item_mean *pa = NULL, *pb = NULL;
    struct names hz = {0}, lg = {0}, hzb = {0}, lgb = {0};
    struct cell *ch = NULL, *cl = NULL, all = {0};
    size_t na = 0, nb = 0, drop[2];
    *out = NULL;
    int rc = same_suite(a, b, &ma, &mb, e);
    if (!rc)
        rc = item_means(a, &pa, &na, &hz, &lg, e);
    if (!rc)
        rc = item_means(b, &pb, &nb, &hzb, &lgb, e);
    if (!rc && (!(ch = calloc(hz.n + 1, sizeof *ch)) ||
                !(cl = calloc(lg.n + 1, sizeof *cl))))
        rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    if (!rc) {
        tally(pa, na, pb, nb, &all, ch, cl, drop);
        const char *hash = json_string_value(
            json_object_get(json_object_get(ma, "suite"), "hash"));
        json_t *o = json_pack("{s:s, s:{s:s, s:s?}, s:{s:s, s:s?}, "
                              "s:{s:I, s:I}}",
                              "suite_hash", hash, "a", "dir", a, "model",
                              model_of(ma), "b", "dir", b, "model",
                              model_of(mb), "dropped", "a",
                              (json_int_t)drop[0], "b", (json_int_t)drop[1]);
        json_t *c = cell_json(&all), *bh = groups_json(ch, &hz),
               *bl = groups_json(cl, &lg);
        /* set_new takes the value even when it fails */
        int bad = !o || !c || json_object_update(o, c);
        bad |= json_object_set_new(o, "by_hazard", bh ? bh : json_null());
        bad |= json_object_set_new(o, "by_language", bl ? bl : json_null());
        json_decref(c);
        if (bad || !bh || !bl) {
            json_decref(o);
            rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
        } else {
            *out = o;
        }
    }
    free(ch);
    free(cl);
    free(hz.v);
    free(lg.v);
    free(hzb.v);
    free(lgb.v);
    free(pa);
    free(pb);
    json_decref(ma);
    json_decref(mb);
    return rc;
}

static double jnum_of(const json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static long long jint_of(const json_t *o, const char *k)
{
    return (long long)json_integer_value(json_object_get(o, k));
}

/* One group's paired row: items, both rates, B - A with its interval,
 * discordant counts, exact, mid-p and Holm-adjusted p. */
static void group_line(FILE *out, const char *name, const json_t *g)
{
    fprintf(out,
            "  %-14s %6lld  %5.1f%% %5.1f%%  %+6.1f [%+6.1f, %+6.1f]  "
            "%5lld %5lld  %-9.3g %-9.3g %.3g\n",
            name, jint_of(g, "items"), 100 * jnum_of(g, "rate_a"),
            100 * jnum_of(g, "rate_b"), 100 * jnum_of(g, "diff"), 100 * jnum_of(g, "lo"),
            100 * jnum_of(g, "hi"), jint_of(g, "a_only"), jint_of(g, "b_only"),
            jnum_of(g, "p_value"), jnum_of(g, "p_mid"), jnum_of(g, "p_holm"));
}

void eval_compare_text(const json_t *c, FILE *out)
{
    const json_t *a = json_object_get(c, "a"), *b = json_object_get(c, "b"),
                 *dr = json_object_get(c, "dropped");
    fprintf(out,
            "paired comparison on %lld items both runs scored (suite "
            "%.16s...)\n"
            "  A %s (%s): %.1f%% [%.1f%%, %.1f%%]\n"
            "  B %s (%s): %.1f%% [%.1f%%, %.1f%%]\n"
            "  B - A: %+.1f points, 95%% CI [%+.1f, %+.1f] (Newcombe)\n"
            "  discordant: A only %lld, B only %lld; McNemar p = %.4g "
            "(exact), %.4g (mid-p)\n"
            "  dropped (scored by one run only): %lld of A, %lld of B\n",
            jint_of(c, "items"), json_string_value(json_object_get(c, "suite_hash")),
            json_string_value(json_object_get(a, "dir")),
            json_string_value(json_object_get(a, "model")),
            100 * jnum_of(c, "rate_a"), 100 * jnum_of(c, "rate_a_lo"),
            100 * jnum_of(c, "rate_a_hi"),
            json_string_value(json_object_get(b, "dir")),
            json_string_value(json_object_get(b, "model")),
            100 * jnum_of(c, "rate_b"), 100 * jnum_of(c, "rate_b_lo"),
            100 * jnum_of(c, "rate_b_hi"), 100 * jnum_of(c, "diff"), 100 * jnum_of(c, "lo"),
            100 * jnum_of(c, "hi"), jint_of(c, "a_only"), jint_of(c, "b_only"),
            jnum_of(c, "p_value"), jnum_of(c, "p_mid"), jint_of(dr, "a"), jint_of(dr, "b"));
    static const char *const sections[] = {"by_hazard", "by_language"};
    for (int i = 0; i < 2; i++) {
        const json_t *sec = json_object_get(c, sections[i]);
        if (!json_object_size(sec))
            continue;
        fprintf(out, "%s (paired per group; p Holm-adjusted across the "
                     "%s)\n  %-14s %6s  %6s %6s  %-23s  %5s %5s  %-9s %-9s "
                     "%s\n",
                sections[i] + 3, i ? "languages" : "hazards", "", "items",
                "A", "B", "B - A [95% CI]", "A>B", "B>A", "p exact",
                "p mid", "p Holm");
        const char *k;
        json_t *g;
        json_object_foreach((json_t *)sec, k, g)
            group_line(out, k, g);
    }
}

/* Append the whole lines of src to the open file out (a torn last line of
 * a killed shard is left behind, as everywhere else). */
static int copy_lines(const char *src, FILE *out, osafe_err *e)
{
    FILE *f = fopen(src, "r");
    if (!f)
        return errno == ENOENT ? 0 : osafe_errno(e, OSAFE_EIO, errno, "%s", src);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = 0;
    while ((n = getline(&line, &cap, f)) > 0 && line[n - 1] == '\n')
        if (fwrite(line, 1, (size_t)n, out) != (size_t)n) {
            rc = osafe_errno(e, OSAFE_EIO, errno, "writing the merged samples");
            break;
        }
    free(line);
    fclose(f);
    return rc;
}

int eval_merge(char *const *dirs, size_t n, const char *out, osafe_err *e)
{
    if (n == 0)
        return osafe_errf(e, OSAFE_EINVAL, "nothing to merge");
    char path[OSAFE_PATH_MAX], sp[OSAFE_PATH_MAX], tmp[OSAFE_PATH_MAX + 8];
    snprintf(path, sizeof path, "%s/manifest.json", out);
    if (fsx_exists(path))
        return osafe_errf(e, OSAFE_EEXIST, "%s already holds a run", out);
    json_t *first = NULL, *shards = json_array();
    int rc = 0;
    /* Shards of one experiment: same suite, same parameters, each once. */
    for (size_t i = 0; rc == 0 && i < n; i++) {
        json_t *m;
        if ((rc = run__manifest(dirs[i], &m, e)))
            break;
        if (!first) {
            first = json_deep_copy(m);
        } else {
            json_t *p1 = json_object_get(first, "params"),
                   *p2 = json_object_get(m, "params");
            const char *h1 = json_string_value(json_object_get(json_object_get(first, "suite"), "hash"));
            const char *h2 = json_string_value(json_object_get(json_object_get(m, "suite"), "hash"));
            if (!h1 || !h2 || strcmp(h1, h2))
                rc = osafe_errf(e, OSAFE_EINVAL, "%s ran another suite than %s",
                                dirs[i], dirs[0]);
            const char *k;
            json_t *v;
            json_object_foreach(p1, k, v) if (!rc && strcmp(k, "concurrency") &&
                                              strcmp(k, "rps") &&
                                              strcmp(k, "timeout_ms") &&
                                              strcmp(k, "retries") &&
                                              !json_equal(v, json_object_get(p2, k)))
                rc = osafe_errf(e, OSAFE_EINVAL,
                                "%s differs from %s in parameter '%s'",
                                dirs[i], dirs[0], k);
        }
        const char *sh = json_string_value(json_object_get(m, "shard"));
        for (size_t j = 0; !rc && j < json_array_size(shards); j++)
            if (sh && !strcmp(sh, json_string_value(json_object_get(
                                      json_array_get(shards, j), "shard"))))
                rc = osafe_errf(e, OSAFE_EINVAL, "shard %s given twice", sh);
        json_array_append_new(shards, json_pack("{s:s, s:s?}", "dir", dirs[i],
                                                "shard", sh));
        json_decref(m);
    }
    FILE *f = NULL;
    if (rc == 0 && (rc = fsx_mkdirs(out, e)) == 0) {
        /* The samples are streamed into a temporary file, synced, renamed:
         * no merge is ever half there. */
        snprintf(sp, sizeof sp, "%s/samples.jsonl", out);
        snprintf(tmp, sizeof tmp, "%s.tmp", sp);
        if (!(f = fopen(tmp, "w")))
            rc = osafe_errno(e, OSAFE_EIO, errno, "%s", tmp);
        for (size_t i = 0; rc == 0 && i < n; i++) {
            char src[OSAFE_PATH_MAX + 16];
            snprintf(src, sizeof src, "%s/samples.jsonl", dirs[i]);
            rc = copy_lines(src, f, e);
        }
        if (f && (fflush(f) != 0 || fdatasync(fileno(f)) != 0) && rc == 0)
            rc = osafe_errno(e, OSAFE_EIO, errno, "%s", tmp);
        if (f)
            fclose(f);
        if (rc == 0 && rename(tmp, sp) != 0)
            rc = osafe_errno(e, OSAFE_EIO, errno, "%s", sp);
        if (rc)
            unlink(tmp);
    }
    if (rc == 0) {
        json_object_set_new(first, "shard", json_string("merged"));
        json_object_set(first, "merged_from", shards);
        char *text = json_dumps(first, JSON_INDENT(2) | JSON_SORT_KEYS);
        rc = text ? fsx_write_atomic(path, text, strlen(text), 0644, 1, e)
                  : osafe_errf(e, OSAFE_ENOMEM, "out of memory");
        free(text);
    }
    if (rc == 0)
        rc = eval_results(out, NULL, e);
    json_decref(first);
    json_decref(shards);
    return rc;
}
