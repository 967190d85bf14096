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
    if (!json_is_number(rate)) {
        fprintf(out, "  %-22s %6lld  %8s\n", name,
                (long long)json_integer_value(json_object_get(g, "n")), "-");
        return;
    }
    fprintf(out, "  %-22s %6lld  %7.1f%%  [%5.1f%%, %5.1f%%]\n", name,
            (long long)json_integer_value(json_object_get(g, "n")),
            100 * json_number_value(rate),
            100 * json_number_value(json_object_get(g, "lo")),
            100 * json_number_value(json_object_get(g, "hi")));
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
 * item (16 bytes an item; the samples are streamed through the slots). */
struct item_mean {
    uint64_t item;
    double mean;
};

static int item_means(const char *dir, struct item_mean **out, size_t *n,
                      osafe_err *e)
{
    struct slot *sl;
    size_t ns;
    struct names hz = {0}, lg = {0}, why = {0};
    int rc = run__load_slots(dir, &sl, &ns, &hz, &lg, &why, e);
    free(hz.v);
    free(lg.v);
    free(why.v);
    if (rc)
        return rc;
    /* slots are sorted by item: fold each item's scored epochs in place */
    struct item_mean *m = (struct item_mean *)sl; /* 16 <= 24 bytes */
    size_t k = 0;
    for (size_t i = 0; i < ns;) {
        uint64_t item = sl[i].item;
        double sum = 0;
        size_t cnt = 0;
        for (; i < ns && sl[i].item == item; i++)
            if (sl[i].ok) {
                sum += sl[i].score;
                cnt++;
            }
        if (cnt)
            m[k++] = (struct item_mean){item, sum / (double)cnt};
    }
    *out = m;
    *n = k;
    return 0;
}

int eval_compare(const char *a, const char *b, json_t **out, osafe_err *e)
{
    json_t *ma = NULL, *mb = NULL;
    struct item_mean *pa = NULL, *pb = NULL;
    size_t na = 0, nb = 0;
    int rc = run__manifest(a, &ma, e);
    if (!rc)
        rc = run__manifest(b, &mb, e);
    const char *ha = json_string_value(json_object_get(json_object_get(ma, "suite"), "hash"));
    const char *hb = json_string_value(json_object_get(json_object_get(mb, "suite"), "hash"));
    if (!rc && (!ha || !hb || strcmp(ha, hb)))
        rc = osafe_errf(e, OSAFE_EINVAL,
                        "the runs used different suites (hash %.16s... vs "
                        "%.16s...): a paired comparison needs the same items",
                        ha ? ha : "?", hb ? hb : "?");
    if (!rc)
        rc = item_means(a, &pa, &na, e);
    if (!rc)
        rc = item_means(b, &pb, &nb, e);
    if (!rc) {
        /* Items both runs scored (a merge of two sorted lists); an item
         * passes when its mean score is at least one half. */
        size_t n = 0, both = 0, a_only = 0, b_only = 0;
        for (size_t i = 0, j = 0; i < na && j < nb;) {
            if (pa[i].item < pb[j].item) {
                i++;
            } else if (pa[i].item > pb[j].item) {
                j++;
            } else {
                int x = pa[i].mean >= 0.5, y = pb[j].mean >= 0.5;
                n++;
                both += x && y;
                a_only += x && !y;
                b_only += !x && y;
                i++;
                j++;
            }
        }
        paired pr;
        stats_paired(n, both, a_only, b_only, &pr);
        *out = json_pack("{s:s, s:{s:s, s:s?}, s:{s:s, s:s?}, s:I, s:I, s:I, "
                         "s:I, s:f, s:f, s:f, s:f, s:f, s:f}",
                         "suite_hash", ha, "a", "dir", a, "model",
                         json_string_value(json_object_get(json_object_get(ma, "params"), "model")),
                         "b", "dir", b, "model",
                         json_string_value(json_object_get(json_object_get(mb, "params"), "model")),
                         "items", (json_int_t)n, "both_pass", (json_int_t)both,
                         "a_only", (json_int_t)a_only, "b_only",
                         (json_int_t)b_only, "rate_a",
                         n ? (double)(both + a_only) / (double)n : 0.0,
                         "rate_b", n ? (double)(both + b_only) / (double)n : 0.0,
                         "diff", pr.diff, "lo", pr.lo, "hi", pr.hi, "p_value",
                         pr.p_value);
        if (!*out)
            rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    }
    free(pa);
    free(pb);
    json_decref(ma);
    json_decref(mb);
    return rc;
}

void eval_compare_text(const json_t *c, FILE *out)
{
    fprintf(out,
            "paired comparison on %lld items both runs scored (suite "
            "%.16s...)\n"
            "  A %s (%s): %.1f%%\n  B %s (%s): %.1f%%\n"
            "  B - A: %+.1f points, 95%% CI [%+.1f, %+.1f]\n"
            "  discordant: A only %lld, B only %lld; exact McNemar p = %.4g\n",
            (long long)json_integer_value(json_object_get(c, "items")),
            json_string_value(json_object_get(c, "suite_hash")),
            json_string_value(json_object_get(json_object_get(c, "a"), "dir")),
            json_string_value(json_object_get(json_object_get(c, "a"), "model")),
            100 * json_number_value(json_object_get(c, "rate_a")),
            json_string_value(json_object_get(json_object_get(c, "b"), "dir")),
            json_string_value(json_object_get(json_object_get(c, "b"), "model")),
            100 * json_number_value(json_object_get(c, "rate_b")),
            100 * json_number_value(json_object_get(c, "diff")),
            100 * json_number_value(json_object_get(c, "lo")),
            100 * json_number_value(json_object_get(c, "hi")),
            (long long)json_integer_value(json_object_get(c, "a_only")),
            (long long)json_integer_value(json_object_get(c, "b_only")),
            json_number_value(json_object_get(c, "p_value")));
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
