/*
 * bench_refusal_lang.c - the refusal classifier on the translated
 * validation set (tests/fixtures/refusal-translated: 64 answers of the
 * development set, translated by the project into es, fr, zh, ar and ru,
 * human labels carried over), one line per language, with English on the
 * same 64 answers (read from ../shared by source_id) as the baseline.
 *
 *   bench_refusal_lang [SHARED] [--dir DIR] [--misses] [--explain]
 *
 * Prints binary (compliance vs any refusal) and three-class agreement
 * with 95% Wilson intervals and Cohen's kappa, per language and per
 * language and model; --misses lists the ids the classifier gets wrong
 * (never the texts: most prompts are harmful), --explain with the
 * detector's reading of each (refusal_explain: cue classes per sentence),
 * --all the same for every answer.
 * English is skipped,
 * with a note, when ../shared is absent.  SHARED defaults to
 * $OSAFE_SHARED, then ../shared; DIR to the source tree's fixture folder.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/csv.h"
#include "core/fsx.h"
#include "core/limits.h"
#include "eval/refusal_model.h"
#include "eval/score.h"
#include "eval/stats.h"

enum { NMAX = 256, NLANG = 6, NMODEL = 2 };
static const char *const langs[NLANG] = {"en", "es", "fr", "zh", "ar", "ru"};
static const char *const models[NMODEL] = {"llama2orig", "mistralinstruct"};
static const char *const model_file[NMODEL] = {
    "xstest_v2_completions_llama2orig.csv",
    "xstest_v2_completions_mistralinstruct.csv"};

typedef struct item {
    char id[96], source_id[32];
    int model, gold, got;
    char why[1024]; /* refusal_explain's reading */
} item;

static item items[NLANG][NMAX];
static size_t nitems[NLANG];

static int model_of(const char *m)
{
    for (int i = 0; i < NMODEL; i++)
        if (!strcmp(m, models[i]))
            return i;
    return -1;
}

static void classify(item *it, const char *prompt, const char *response)
{
    score_result sr;
    score_refusal(prompt, response, NULL, &sr);
    it->got = refusal_class_of(sr.label);
    if (refusal_explain(response, it->why, sizeof it->why) != 0)
        it->why[0] = '\0';
}

/* One language's JSON lines; 0, or -1 with a message. */
static int load_lang(const char *dir, int l)
{
    char path[OSAFE_PATH_MAX], *text;
    size_t len;
    osafe_err e;
    snprintf(path, sizeof path, "%s/%s.jsonl", dir, langs[l]);
    if (fsx_read_file(path, OSAFE_FILE_READ_MAX, &text, &len, &e) != 0) {
        fprintf(stderr, "bench_refusal_lang: %s (language skipped)\n", e.msg);
        return 0;
    }
    int rc = 0;
    for (char *line = text, *nl; line && *line && !rc; line = nl) {
        nl = strchr(line, '\n');
        if (nl)
            *nl++ = '\0';
        json_error_t je;
        json_t *o = json_loads(line, 0, &je);
        const char *id, *model, *prompt, *resp, *label, *sid;
        if (!o || json_unpack(o, "{s:s,s:s,s:s,s:s,s:s,s:s}", "id", &id,
                              "model", &model, "prompt", &prompt, "response",
                              &resp, "label", &label, "source_id", &sid) ||
            model_of(model) < 0 || refusal_class_of(label) < 0 ||
            nitems[l] == NMAX) {
            fprintf(stderr, "bench_refusal_lang: %s: bad line\n", path);
            rc = -1;
        } else {
            item *it = &items[l][nitems[l]++];
            snprintf(it->id, sizeof it->id, "%s", id);
            snprintf(it->source_id, sizeof it->source_id, "%s", sid);
            it->model = model_of(model);
            it->gold = refusal_class_of(label);
            classify(it, prompt, resp);
        }
        json_decref(o);
    }
    free(text);
    return rc;
}

/* English: the development set's rows named by the first translated
 * language's (model, source_id), in the same order.  0, or 77 (absent). */
static int load_english(const char *shared, int ref)
{
    for (size_t k = 0; k < nitems[ref]; k++) {
        items[0][k] = items[ref][k];
        items[0][k].got = -1; /* not found: not counted */
    }
    nitems[0] = nitems[ref];
    for (int m = 0; m < NMODEL; m++) {
        char path[OSAFE_PATH_MAX], *text, **f;
        size_t len, nf;
        osafe_err e;
        snprintf(path, sizeof path, "%s/data/xstest/labelled-completions/%s",
                 shared, model_file[m]);
        if (fsx_read_file(path, OSAFE_FILE_READ_MAX, &text, &len, &e) != 0)
            return 77;
        csv_reader *r;
        if (csv_reader_open(text, len, &r, &e) != 0) {
            free(text);
            return 77;
        }
        long ci = -1, cp = -1, cc = -1;
        int header = 1;
        while (csv_next(r, &f, &nf, &e) == 1) {
            if (header) {
                for (size_t i = 0; i < nf; i++) {
                    ci = !strcmp(f[i], "id") ? (long)i : ci;
                    cp = !strcmp(f[i], "prompt") ? (long)i : cp;
                    cc = !strcmp(f[i], "completion") ? (long)i : cc;
                }
                header = 0;
                continue;
            }
            if (ci < 0 || cp < 0 || cc < 0 || nf <= (size_t)cc)
                break;
            for (size_t k = 0; k < nitems[ref]; k++) {
                const item *t = &items[ref][k];
                if (t->model != m || strcmp(t->source_id, f[ci]))
                    continue;
                item *it = &items[0][k];
                /* f[ci] equals t->source_id; t lies in items itself,
                 * which the compiler (rightly) will not let overlap */
                snprintf(it->id, sizeof it->id, "en-%s-%s", models[m], f[ci]);
                classify(it, f[cp], f[cc]);
            }
        }
        csv_reader_free(r);
        free(text);
    }
    return 0;
}

static void report(int l, int model)
{
    double m[9] = {0}, ok3 = 0, ok2 = 0;
    size_t n = 0;
    for (size_t i = 0; i < nitems[l]; i++) {
        const item *it = &items[l][i];
        if ((model >= 0 && it->model != model) || it->got < 0)
            continue;
        m[it->gold * 3 + it->got] += 1;
        ok3 += it->gold == it->got;
        ok2 += (it->gold == 0) == (it->got == 0);
        n++;
    }
    prop_ci a2, a3;
    double k, se;
    stats_wilson(ok2, n, &a2);
    stats_wilson(ok3, n, &a3);
    stats_kappa(m, 3, &k, &se);
    printf("%-3s %-16s n=%3zu  binary %.3f [%.3f, %.3f]  three-class %.3f "
           "[%.3f, %.3f]  kappa %.3f [%.3f, %.3f]\n", langs[l],
           model < 0 ? "both" : models[model], n, a2.rate, a2.lo, a2.hi,
           a3.rate, a3.lo, a3.hi, k, k - STATS_Z95 * se, k + STATS_Z95 * se);
}

int main(int argc, char **argv)
{
    const char *shared = getenv("OSAFE_SHARED");
    const char *dir = OSAFE_SOURCE_DIR "/tests/fixtures/refusal-translated";
    int misses = 0, explain = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--dir") && i + 1 < argc)
            dir = argv[++i];
        else if (!strcmp(argv[i], "--misses"))
            misses = 1;
        else if (!strcmp(argv[i], "--explain"))
            misses = explain = 1;
        else if (!strcmp(argv[i], "--all"))
            misses = explain = 2;
        else
            shared = argv[i];
    }
    if (!shared)
        shared = "../shared";
    int have = 0;
    for (int l = 1; l < NLANG; l++) {
        if (load_lang(dir, l) != 0)
            return 1;
        have += nitems[l] > 0;
    }
    if (!have || load_english(shared, 1) != 0)
        fprintf(stderr, "bench_refusal_lang: no English baseline (the "
                "development set is not under %s)\n", shared);
    printf("refusal classifier on the translated validation set (human "
           "final_label carried over; binary = compliance vs any refusal)\n");
    for (int l = 0; l < NLANG; l++)
        for (int m = -1; m < NMODEL && nitems[l]; m++)
            report(l, m);
    for (int l = 0; misses && l < NLANG; l++)
        for (size_t i = 0; i < nitems[l]; i++)
            if (items[l][i].got != items[l][i].gold || misses == 2)
                printf("%s %s gold %s got %s%s%s\n",
                       items[l][i].got == items[l][i].gold ? "hit" : "miss",
                       items[l][i].id,
                       refusal_class_label(items[l][i].gold),
                       items[l][i].got < 0 ? "error"
                                           : refusal_class_label(items[l][i].got),
                       explain ? "\n  " : "", explain ? items[l][i].why : "");
    return 0;
}
