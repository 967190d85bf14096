/*
 * bench_refusal.c - the refusal classifier against the human labels of the
 * development set (../shared/data/xstest/labelled-completions: XSTest v2
 * prompts answered by Llama-2 and Mistral, two annotators each).
 *
 *   bench_refusal [SHARED] [--jsonl OUT] [--lambda L] [--prior P] [--scan]
 *                 [--balance B] [--binary W] [--temperature T]
 *                 [--expect [--lambda-expect L]] [--errors] [--dump FILE] [--judge-endpoint URL --judge-model M
 *                 [--judge-api-key-env VAR]]
 *                 [--judge-model-file JUDGE.gguf [--threads N]]
 *
 * Prints, with 95% intervals (Wilson for agreement, Fleiss-Cohen-Everitt
 * for kappa): the old rule-based detector, the built-in model, in-sample
 * (trained and scored on both models' answers) and leave-one-model-out
 * (trained on one model's answers, scored on the other's: the figure that
 * says how the classifier does on a model it has never seen), then the
 * leave-one-model-out reliability table (confidence decile: predicted vs
 * observed).  --jsonl writes the development set as the JSON lines
 * `osafe classify train` reads (how etc/refusal-model.txt was made).
 * --lambda, --prior, --balance, --binary and --temperature train with
 * other knobs than the defaults (refusal_train_opts); --scan prints the
 * leave-one-model-out agreement, log loss and calibration error for each
 * pair of L2 strength and prior of a grid, then for each temperature
 * (how they were chosen); --errors lists the leave-one-model-out errors with their
 * probabilities and the features that fired (no text); --dump writes each
 * answer's features
 * and held-out prediction (no text); --judge-endpoint also scores an
 * OpenAI-compatible judge model on the same labels (refusal_judge.c);
 * --judge-model-file runs that judge in-process on a GGUF model.
 * --expect gives the classifier each prompt's expectation, from the
 * prompt list's "type" (contrast_* should be refused; refusal_model_expect):
 * the prompt's category, not a label of the answer.
 * SHARED defaults to $OSAFE_SHARED, then ../shared.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/csv.h"
#include "core/fsx.h"
#include "core/limits.h"
#include "eval/client.h"
#include "eval/refusal_model.h"
#include "eval/stats.h"
#include "infer/engine.h"

enum { NSET = 2, NMAX = 1000 };
static const char *const set_file[NSET] = {
    "xstest_v2_completions_llama2orig.csv",
    "xstest_v2_completions_mistralinstruct.csv"};
static const char *const set_name[NSET] = {"llama2orig", "mistral"};

typedef struct row {
    int set, gold, rule, empty;
    double x[REFUSAL_NFEAT_MAX];
} row;

static row rows[NSET * NMAX];
static size_t nrows;
static double g_lambda = REFUSAL_LAMBDA, g_prior = REFUSAL_PRIOR;
static double g_balance = REFUSAL_BALANCE, g_binary = REFUSAL_BINARY;
static double g_temp = REFUSAL_TEMPERATURE;
static double g_lambda_expect = REFUSAL_LAMBDA_EXPECT;
/* With --judge-endpoint: the texts, for the judge. */
static char *g_prompt[NSET * NMAX], *g_resp[NSET * NMAX];
static int g_keep_text, g_expect;

static int gold_of(const char *s)
{
    return !strcmp(s, "1_full_compliance") ? 0
           : !strcmp(s, "2_full_refusal")  ? 1
           : !strcmp(s, "3_partial_refusal") ? 2 : -1;
}

static int load(const char *shared, int set, FILE *jsonl)
{
    char path[1024], *text, **f;
    size_t len, nf;
    osafe_err e;
    snprintf(path, sizeof path, "%s/data/xstest/labelled-completions/%s",
             shared, set_file[set]);
    if (fsx_read_file(path, OSAFE_FILE_READ_MAX, &text, &len, &e) != 0) {
        fprintf(stderr, "bench_refusal: %s\n", e.msg);
        return -1;
    }
    csv_reader *r;
    if (csv_reader_open(text, len, &r, &e) != 0)
        return -1;
    long cp = -1, cc = -1, cg = -1, ct = -1;
    int rc, header = 1;
    while ((rc = csv_next(r, &f, &nf, &e)) == 1 && nrows < NSET * NMAX) {
        if (header) {
            for (size_t i = 0; i < nf; i++) {
                cp = !strcmp(f[i], "prompt") ? (long)i : cp;
                cc = !strcmp(f[i], "completion") ? (long)i : cc;
                cg = !strcmp(f[i], "final_label") ? (long)i : cg;
                ct = !strcmp(f[i], "type") ? (long)i : ct;
            }
            header = 0;
            continue;
        }
        if (cp < 0 || cc < 0 || cg < 0 || ct < 0 || nf <= (size_t)cg ||
            nf <= (size_t)ct ||
            gold_of(f[cg]) < 0)
            return -1;
        row *w = &rows[nrows++];
        score_result sr;
        w->set = set;
        w->gold = gold_of(f[cg]);
        score_refusal_rules(f[cc], &sr);
        w->rule = refusal_class_of(sr.label);
        if (g_keep_text && (!(g_prompt[nrows - 1] = strdup(f[cp])) ||
                            !(g_resp[nrows - 1] = strdup(f[cc]))))
            return -1;
        w->empty = refusal_model_features(f[cp], f[cc], w->x);
        if (w->empty < 0)
            return -1;
        if (g_expect)
            refusal_model_expect(w->x, strncmp(f[ct], "contrast_", 9)
                                           ? REFUSAL_EXPECT_COMPLY
                                           : REFUSAL_EXPECT_REFUSE);
        if (jsonl) {
            json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "prompt", f[cp],
                                  "response", f[cc], "label",
                                  refusal_class_label(w->gold), "type", f[ct]);
            char *s = json_dumps(o, JSON_COMPACT);
            fprintf(jsonl, "%s\n", s);
            free(s);
            json_decref(o);
        }
    }
    csv_reader_free(r);
    free(text);
    return rc < 0 ? -1 : 0;
}

/* Predictions of one evaluation: class and confidence per row. */
typedef struct pred {
    int cls[NSET * NMAX];
    double conf[NSET * NMAX];
    double p[NSET * NMAX][REFUSAL_NCLASS];
} pred;

static void predict(const refusal_model *m, int only_set, pred *p)
{
    for (size_t i = 0; i < nrows; i++) {
        if (only_set >= 0 && rows[i].set != only_set)
            continue;
        double pr[REFUSAL_NCLASS];
        if (rows[i].empty) {
            p->cls[i] = 1;
            p->conf[i] = 0.5;
            continue;
        }
        refusal_model_proba(m, rows[i].x, pr);
        int b = refusal_model_decide(pr);
        p->cls[i] = b;
        p->conf[i] = pr[b];
        memcpy(p->p[i], pr, sizeof pr);
    }
}

static void report(const char *what, const char *set, const pred *p,
                   int only_set)
{
    double m[9] = {0}, ok3 = 0, ok2 = 0;
    size_t n = 0;
    for (size_t i = 0; i < nrows; i++) {
        if (only_set >= 0 && rows[i].set != only_set)
            continue;
        int g = rows[i].gold, c = p->cls[i];
        m[g * 3 + c] += 1;
        ok3 += g == c;
        ok2 += (g == 0) == (c == 0);
        n++;
    }
    prop_ci a3, a2;
    double k, se;
    stats_wilson(ok3, n, &a3);
    stats_wilson(ok2, n, &a2);
    stats_kappa(m, 3, &k, &se);
    printf("%-14s %-10s n=%3zu  binary %.3f [%.3f, %.3f]  three-class %.3f "
           "[%.3f, %.3f]  kappa %.3f [%.3f, %.3f]\n", what, set, n, a2.rate,
           a2.lo, a2.hi, a3.rate, a3.lo, a3.hi, k, k - STATS_Z95 * se,
           k + STATS_Z95 * se);
}

static int train_on(int set, refusal_model *m)
{
    static double X[NSET * NMAX * REFUSAL_NFEAT];
    static int y[NSET * NMAX];
    size_t n = 0;
    for (size_t i = 0; i < nrows; i++)
        if ((set < 0 || rows[i].set == set) && !rows[i].empty) {
            memcpy(X + n * REFUSAL_NFEAT, rows[i].x,
                   REFUSAL_NFEAT * sizeof *X);
            y[n++] = rows[i].gold;
        }
    osafe_err e;
    refusal_train_opts o = {g_lambda, g_prior, g_balance, g_binary, g_temp,
                            g_lambda_expect};
    if (refusal_model_train_opts(X, y, n, &o, m, &e) != 0) {
        fprintf(stderr, "bench_refusal: %s\n", e.msg);
        return -1;
    }
    return 0;
}

/* Calibration of held-out predictions, both sets pooled: the mean log
 * loss of the human class (three classes; empty answers, which the model
 * does not score, left out) into *ll, and the expected calibration error
 * of the label's confidence over tenths into *ece. */
static void calibration(const pred *p, double *ll, double *ece)
{
    double bin_p[10] = {0}, bin_ok[10] = {0}, L = 0;
    size_t n = 0;
    for (size_t i = 0; i < nrows; i++) {
        if (rows[i].empty)
            continue;
        double q = p->p[i][rows[i].gold];
        L -= log(q > 1e-12 ? q : 1e-12);
        int d = (int)(p->conf[i] * 10);
        d = d > 9 ? 9 : d;
        bin_p[d] += p->conf[i];
        bin_ok[d] += p->cls[i] == rows[i].gold;
        n++;
    }
    *ll = n ? L / (double)n : NAN;
    *ece = 0;
    for (int d = 0; d < 10; d++)
        *ece += n ? fabs(bin_p[d] - bin_ok[d]) / (double)n : NAN;
}

/* At the chosen L2 strength and prior: the held-out agreement, log loss
 * and calibration error per temperature (how REFUSAL_TEMPERATURE was
 * chosen: the lowest log loss). */
static int scan_temperature(void)
{
    static const double tgrid[] = {0.7, 0.8, 0.85, 0.9, 0.95, 1};
    double keep = g_temp;
    g_lambda = REFUSAL_LAMBDA;
    g_prior = REFUSAL_PRIOR;
    printf("\ntemperature at lambda %g, prior %g, leave-one-model-out\n",
           g_lambda, g_prior);
    for (size_t k = 0; k < sizeof tgrid / sizeof tgrid[0]; k++) {
        static pred p;
        refusal_model one;
        g_temp = tgrid[k];
        for (int s = 0; s < NSET; s++) {
            if (train_on(1 - s, &one) != 0)
                return 1;
            predict(&one, s, &p);
        }
        size_t ok2 = 0, ok3 = 0, below = 0;
        for (size_t i = 0; i < nrows; i++) {
            ok3 += p.cls[i] == rows[i].gold;
            ok2 += (p.cls[i] == 0) == (rows[i].gold == 0);
            below += p.conf[i] < OSAFE_REFUSAL_REVIEW_BELOW;
        }
        double ll, ece;
        calibration(&p, &ll, &ece);
        printf("temperature %-4g  binary %.3f  three-class %.3f  logloss "
               "%.3f  ece %.3f  below %.2f: %zu\n", g_temp,
               (double)ok2 / nrows, (double)ok3 / nrows, ll, ece,
               OSAFE_REFUSAL_REVIEW_BELOW, below);
    }
    g_temp = keep;
    return 0;
}

/* Leave-one-model-out agreement per L2 strength and prior log-odds: the
 * hyper-parameters are chosen by the held-out model only; the pooled
 * held-out log loss and calibration error break ties.  Then, at the
 * chosen pair, the same per temperature. */
static int scan(void)
{
    static const double grid[] = {0.01, 0.03, 0.1, 0.3, 1, 3, 10};
    static const double pgrid[] = {0, 1, 2, 3, 4};
    printf("\nL2 strength and prior, leave-one-model-out (binary / "
           "three-class per held-out model)\n");
    for (size_t g = 0; g < sizeof grid / sizeof grid[0] * 5; g++) {
        static pred p;
        refusal_model one;
        g_lambda = grid[g / 5];
        g_prior = pgrid[g % 5];
        for (int s = 0; s < NSET; s++) {
            if (train_on(1 - s, &one) != 0)
                return 1;
            predict(&one, s, &p);
        }
        printf("lambda %-5g prior %g", g_lambda, g_prior);
        for (int s = 0; s < NSET; s++) {
            size_t n = 0, ok2 = 0, ok3 = 0;
            for (size_t i = 0; i < nrows; i++)
                if (rows[i].set == s) {
                    n++;
                    ok3 += p.cls[i] == rows[i].gold;
                    ok2 += (p.cls[i] == 0) == (rows[i].gold == 0);
                }
            printf("  %s %.3f / %.3f", set_name[s], (double)ok2 / n,
                   (double)ok3 / n);
        }
        double ll, ece;
        calibration(&p, &ll, &ece);
        printf("  logloss %.3f  ece %.3f\n", ll, ece);
    }
    return scan_temperature();
}

static void reliability(const pred *p)
{
    printf("\nreliability, leave-one-model-out (both held-out sets "
           "pooled)\nconfidence   n   mean predicted  observed [95%%]\n");
    for (int d = 3; d < 10; d++) {
        double lo = d / 10.0, hi = d == 9 ? 1.0001 : (d + 1) / 10.0;
        double sp = 0, ok = 0;
        size_t n = 0;
        for (size_t i = 0; i < nrows; i++)
            if (p->conf[i] >= lo && p->conf[i] < hi) {
                n++;
                sp += p->conf[i];
                ok += p->cls[i] == rows[i].gold;
            }
        prop_ci w;
        stats_wilson(ok, n, &w);
        printf("%.1f-%.1f  %4zu   %.3f          %.3f [%.3f, %.3f]\n", lo,
               d == 9 ? 1.0 : hi, n, n ? sp / n : NAN, w.rate, w.lo, w.hi);
    }
    size_t below = 0;
    double okb = 0;
    for (size_t i = 0; i < nrows; i++)
        if (p->conf[i] < OSAFE_REFUSAL_REVIEW_BELOW) {
            below++;
            okb += p->cls[i] == rows[i].gold;
        }
    printf("below %.2f (needs_review): %zu of %zu, three-class agreement "
           "%.3f there\n", OSAFE_REFUSAL_REVIEW_BELOW, below, nrows,
           below ? okb / below : NAN);
    double ll, ece;
    calibration(p, &ll, &ece);
    printf("held-out log loss %.3f, expected calibration error %.3f\n", ll,
           ece);
}

/* The endpoint judge's binary agreement with the human labels, per set:
 * only the answers it gave a readable verdict on are scored; how many
 * it did not is printed beside. */
static int judge(const client_opts *co, const char *model,
                 struct infer_engine *en)
{
    static int cls[NSET * NMAX];
    osafe_err e;
    if ((en ? refusal_judge_label_local(en, model,
                                        (const char *const *)g_prompt,
                                        (const char *const *)g_resp, nrows,
                                        cls, &e)
            : refusal_judge_label(co, model, (const char *const *)g_prompt,
                                  (const char *const *)g_resp, nrows, cls,
                                  &e)) != 0) {
        fprintf(stderr, "bench_refusal: judge: %s\n", e.msg);
        return 1;
    }
    printf("\njudge %s %s, should-comply rubric (PASS = "
           "compliance; binary only)\n", model,
           en ? "in-process" : "at the endpoint");
    for (int s = -1; s < NSET; s++) {
        double m[4] = {0}, ok = 0, k, se;
        size_t n = 0, unread = 0;
        for (size_t i = 0; i < nrows; i++) {
            if (s >= 0 && rows[i].set != s)
                continue;
            if (cls[i] < 0) {
                unread++;
                continue;
            }
            int g = rows[i].gold != 0;
            m[g * 2 + cls[i]] += 1;
            ok += g == cls[i];
            n++;
        }
        prop_ci a;
        stats_wilson(ok, n, &a);
        stats_kappa(m, 2, &k, &se);
        printf("%-14s %-10s n=%3zu  binary %.3f [%.3f, %.3f]  kappa %.3f "
               "[%.3f, %.3f]  no verdict %zu\n", "judge",
               s < 0 ? "both" : set_name[s], n, a.rate, a.lo, a.hi, k,
               k - STATS_Z95 * se, k + STATS_Z95 * se, unread);
    }
    return 0;
}

/* Per answer: its set, the human class, the leave-one-model-out class and
 * confidence, and its features (no text), to study the errors. */
static int dump(const char *path, const pred *p)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return perror(path), 1;
    for (size_t i = 0; i < nrows; i++) {
        fprintf(f, "%zu %d %d %d %.3f", i, rows[i].set, rows[i].gold,
                p->cls[i], p->conf[i]);
        for (size_t k = 1; k < REFUSAL_NFEAT; k++)
            fprintf(f, " %s=%.3g", refusal_feat_name(k), rows[i].x[k]);
        fputc('\n', f);
    }
    return fclose(f) != 0;
}

/* The leave-one-model-out errors (three-class), one line each: the held-out
 * set, the answer's row in it, the human and the predicted class, the
 * three probabilities and the features that are not 0 (no text: the
 * answers are mostly about harmful requests). */
static void errors(const pred *p)
{
    static const char *const abbr[REFUSAL_NCLASS] = {"comply", "full",
                                                     "partial"};
    printf("\nleave-one-model-out errors (set row human->predicted "
           "p(comply/full/partial) features)\n");
    size_t row_in_set[NSET] = {0};
    for (size_t i = 0; i < nrows; i++) {
        size_t r = row_in_set[rows[i].set]++;
        if (p->cls[i] == rows[i].gold)
            continue;
        printf("%s %zu %s->%s%s %.2f/%.2f/%.2f", set_name[rows[i].set], r,
               abbr[rows[i].gold], abbr[p->cls[i]],
               (rows[i].gold == 0) != (p->cls[i] == 0) ? " BINARY" : "",
               p->p[i][0], p->p[i][1], p->p[i][2]);
        for (size_t k = 1; k < REFUSAL_NFEAT; k++)
            if (rows[i].x[k] != 0)
                printf(" %s=%.2g", refusal_feat_name(k), rows[i].x[k]);
        putchar('\n');
    }
}

int main(int argc, char **argv)
{
    const char *shared = getenv("OSAFE_SHARED"), *jpath = NULL, *dpath = NULL;
    const char *jmodel = NULL;
    int do_scan = 0, do_errors = 0;
    client_opts jco = {NULL, NULL, 4, 0, 120000, 2, 0};
    infer_engine_opts jeo = {NULL, 1, 0, NULL, 0};
    infer_engine *jen = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--jsonl") && i + 1 < argc)
            jpath = argv[++i];
        else if (!strcmp(argv[i], "--lambda") && i + 1 < argc)
            g_lambda = strtod(argv[++i], NULL);
        else if (!strcmp(argv[i], "--prior") && i + 1 < argc)
            g_prior = strtod(argv[++i], NULL);
        else if (!strcmp(argv[i], "--balance") && i + 1 < argc)
            g_balance = strtod(argv[++i], NULL);
        else if (!strcmp(argv[i], "--binary") && i + 1 < argc)
            g_binary = strtod(argv[++i], NULL);
        else if (!strcmp(argv[i], "--temperature") && i + 1 < argc)
            g_temp = strtod(argv[++i], NULL);
        else if (!strcmp(argv[i], "--scan"))
            do_scan = 1;
        else if (!strcmp(argv[i], "--lambda-expect") && i + 1 < argc)
            g_lambda_expect = strtod(argv[++i], NULL);
        else if (!strcmp(argv[i], "--expect"))
            g_expect = 1;
        else if (!strcmp(argv[i], "--errors"))
            do_errors = 1;
        else if (!strcmp(argv[i], "--dump") && i + 1 < argc)
            dpath = argv[++i];
        else if (!strcmp(argv[i], "--judge-endpoint") && i + 1 < argc)
            jco.endpoint = argv[++i];
        else if (!strcmp(argv[i], "--judge-model") && i + 1 < argc)
            jmodel = argv[++i];
        else if (!strcmp(argv[i], "--judge-api-key-env") && i + 1 < argc)
            jco.api_key = getenv(argv[++i]);
        else if (!strcmp(argv[i], "--judge-model-file") && i + 1 < argc)
            jeo.model_file = argv[++i];
        else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
            jeo.threads = (unsigned)strtoul(argv[++i], NULL, 10);
        else
            shared = argv[i];
    }
    if (!shared)
        shared = "../shared";
    if (jeo.model_file) { /* in-process: the name defaults to the file's */
        osafe_err e;
        if (jco.endpoint) {
            fprintf(stderr, "bench_refusal: --judge-model-file and "
                    "--judge-endpoint exclude each other\n");
            return 2;
        }
        if (infer_engine_open(&jeo, &jen, &e) != 0) {
            fprintf(stderr, "bench_refusal: --judge-model-file: %s\n", e.msg);
            return 1;
        }
        if (!jmodel)
            jmodel = jeo.model_file;
    } else if (!jco.endpoint != !jmodel) {
        fprintf(stderr, "bench_refusal: --judge-endpoint and --judge-model "
                "go together\n");
        return 2;
    }
    g_keep_text = jco.endpoint != NULL || jen != NULL;
    FILE *jsonl = jpath ? fopen(jpath, "w") : NULL;
    if (jpath && !jsonl)
        return perror(jpath), 1;
    for (int s = 0; s < NSET; s++)
        if (load(shared, s, jsonl) != 0) {
            fprintf(stderr, "bench_refusal: cannot read the development set "
                    "under %s\n", shared);
            return 77;
        }
    if (jsonl && fclose(jsonl) != 0)
        return perror(jpath), 1;
    static pred rule, def, ins, lomo;
    for (size_t i = 0; i < nrows; i++) {
        rule.cls[i] = rows[i].rule;
        rule.conf[i] = 1;
    }
    refusal_model both, one;
    const refusal_model *dm = refusal_model_default();
    if (!dm || train_on(-1, &both) != 0)
        return 1;
    predict(dm, -1, &def);
    predict(&both, -1, &ins);
    for (int s = 0; s < NSET; s++) {
        if (train_on(1 - s, &one) != 0)
            return 1;
        predict(&one, s, &lomo);
    }
    printf("refusal classifier against the human final_label (XSTest v2 "
           "completions; binary = compliance vs any refusal)\n");
    for (int s = -1; s < NSET; s++) {
        const char *sn = s < 0 ? "both" : set_name[s];
        report("rules", sn, &rule, s);
        report("built-in", sn, &def, s);
        report("in-sample", sn, &ins, s);
        report("leave-1-out", sn, &lomo, s);
    }
    reliability(&lomo);
    if (do_errors)
        errors(&lomo);
    if (do_scan && scan() != 0)
        return 1;
    if ((jco.endpoint || jen) && judge(&jco, jmodel, jen) != 0)
        return 1;
    infer_engine_close(jen);
    return dpath ? dump(dpath, &lomo) : 0;
}
