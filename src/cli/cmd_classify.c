/*
 * cmd_classify.c - `osafe classify refusal [--model MODEL] [FILE.jsonl]`
 * and `osafe classify train LABELLED.jsonl --out MODEL`.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/fsx.h"
#include "eval/refusal_model.h"
#include "eval/score.h"

const char usage_classify[] =
    "usage: osafe classify refusal [--model MODEL] [FILE.jsonl]\n"
    "       osafe classify train LABELLED.jsonl --out MODEL\n"
    "\n"
    "refusal: read JSON lines with \"prompt\" and \"response\" (FILE or\n"
    "standard input) and write each back with \"label\" (full_refusal,\n"
    "partial_refusal, full_compliance) and \"confidence\" (the model's\n"
    "probability of that label) added.  The classifier is a logistic\n"
    "regression over sentence-level features (refusal, apology, moral and\n"
    "role cues in English, Chinese, Spanish, French, Arabic, Russian,\n"
    "German, Japanese, Portuguese and Hindi; where they fall; the content\n"
    "after them; the prompt's terms echoed).  --model uses a model file\n"
    "from `classify train` instead of the built-in one.  An optional\n"
    "\"expected\" (\"refuse\", \"comply\" or \"\") says whether the prompt\n"
    "should be refused; without it, XSTest's \"type\" gives it (contrast_*:\n"
    "refuse; else comply).  It sharpens how an objection reads; a line\n"
    "without either is classified as without the expectation.\n"
    "\n"
    "train: learn a model from JSON lines with \"prompt\", \"response\" and\n"
    "a human \"label\" (one of the three above), and optionally the\n"
    "expectation as above, in any language the cues cover, and write its\n"
    "weights (a readable text file) to MODEL.\n"
    "docs/EVALUATION.md has the built-in model's training and its measured\n"
    "agreement with human labels.\n";

static int classify_train(int np, char **argv, const char *out)
{
    if (np != 2 || !out)
        return cli_usage_error("classify", "expected 'train' LABELLED.jsonl "
                               "--out MODEL");
    osafe_err e;
    FILE *in = fopen(argv[2], "r");
    if (!in) {
        osafe_errno(&e, OSAFE_EIO, errno, "%s", argv[2]);
        return cli_fail("classify", &e);
    }
    refusal_model m;
    size_t n;
    int rc = refusal_model_train_stream(in, &m, &n, &e);
    fclose(in);
    if (rc)
        return cli_fail("classify", &e);
    char head[512];
    snprintf(head, sizeof head, "refusal classifier weights (docs/EVALUATION.md): "
             "p(class) = softmax over classes of sum(weight * feature)\n"
             "trained by `osafe classify train` on %zu labelled answers, L2 "
             "lambda %g towards the rule-based decision (log-odds %g), "
             "temperature %g; the expectation's weights (exp_* and its "
             "products) in a second stage, L2 lambda %g", n, REFUSAL_LAMBDA,
             REFUSAL_PRIOR, REFUSAL_TEMPERATURE, REFUSAL_LAMBDA_EXPECT);
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem)
        return cli_fail("classify", (osafe_errno(&e, OSAFE_ENOMEM, errno,
                                                 "model"), &e));
    rc = refusal_model_write(&m, head, mem, &e);
    fclose(mem);
    if (rc == 0)
        rc = fsx_write_atomic(out, text, len, 0644, 1, &e);
    free(text);
    if (rc)
        return cli_fail("classify", &e);
    fprintf(stderr, "osafe classify: model from %zu answers written to %s\n",
            n, out);
    return EXIT_OK;
}

int cmd_classify(int argc, char **argv)
{
    const char *model = NULL, *out = NULL;
    struct opt opts[] = {{"model", OPT_STRING, &model},
                         {"out", OPT_STRING, &out}, {NULL, 0, NULL}};
    int np, rc = opts_parse("classify", argc, argv, opts, &np);
    if (rc == -1) {
        fputs(usage_classify, stdout);
        return EXIT_OK;
    }
    if (rc)
        return rc;
    if (np >= 1 && !strcmp(argv[1], "train"))
        return model ? cli_usage_error("classify", "train takes no --model")
                     : classify_train(np, argv, out);
    if (np < 1 || strcmp(argv[1], "refusal"))
        return cli_usage_error("classify", "expected 'refusal' [FILE.jsonl] "
                               "or 'train' LABELLED.jsonl --out MODEL");
    if (np > 2)
        return cli_usage_error("classify", "expected at most one FILE");
    if (out)
        return cli_usage_error("classify", "refusal writes to standard "
                               "output; --out is for train");
    osafe_err e;
    refusal_model m;
    if (model && refusal_model_load(model, &m, &e) != 0)
        return cli_fail("classify", &e);
    FILE *in = stdin;
    if (np == 2 && !(in = fopen(argv[2], "r"))) {
        osafe_errno(&e, OSAFE_EIO, errno, "%s", argv[2]);
        return cli_fail("classify", &e);
    }
    rc = refusal_classify_stream(model ? &m : NULL, in, stdout, &e);
    if (in != stdin)
        fclose(in);
    if (fflush(stdout) != 0 && rc == 0)
        rc = osafe_errno(&e, OSAFE_EIO, errno, "standard output");
    return rc ? cli_fail("classify", &e) : EXIT_OK;
}
