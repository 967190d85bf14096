/*
 * cmd_eval.c - `osafe eval run | merge | report | compare | publish`
 * (and `withdraw`, eval_remote.c).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/enc.h"
#include "core/fsx.h"
#include "core/limits.h"
#include "eval/review.h"
#include "eval/run.h"

/* A default from core/limits.h spelled out in the help text. */
#define STR_(x) #x
#define STR(x) STR_(x)

const char usage_eval[] =
    "usage: osafe eval run SUITE --endpoint URL --model NAME --out RUNDIR\n"
    "       osafe eval run SUITE --model-file MODEL.gguf --out RUNDIR\n"
    "                [--threads N] [--ctx N] [--chat-template NAME]\n"
    "                [--api-key-env VAR] [--concurrency N] [--rps R]\n"
    "                [--timeout SECONDS] [--retries N] [--temperature T]\n"
    "                [--max-tokens N] [--seed N] [--epochs K] [--limit N]\n"
    "                [--shard k/n] [--resume] [--no-cache] [--completions]\n"
    "                [--scorer NAME] [--judge-endpoint URL --judge-model M\n"
    "                [--judge-api-key-env VAR] [--rubric TEXT|@FILE]] [--quiet]\n"
    "                [--judge-model-file JUDGE.gguf [--judge-chat-template NAME]]\n"
    "                [--review-below P] [--likelihood-norm sum|token|byte]\n"
    "       osafe eval merge RUNDIR... --out RUNDIR\n"
    "       osafe eval report RUNDIR [--json | --html FILE [--against RUNDIR]\n"
    "                [--reviews REVIEWS.json]]\n"
    "       osafe eval compare RUN_A RUN_B [--json]\n"
    "       osafe eval publish RUNDIR --server URL --token TOKEN [--force]\n"
    "       osafe eval withdraw EVAL-ID --reason TEXT --server URL --token T\n"
    "\n"
    "run      Send every item of SUITE (a suite directory) to an\n"
    "         OpenAI-compatible endpoint (llama.cpp server, vLLM, Ollama,\n"
    "         hosted APIs: /v1/chat/completions, or /v1/completions with\n"
    "         --completions), score the answers, and write RUNDIR/\n"
    "         manifest.json, samples.jsonl (as answers arrive) and\n"
    "         results.json.  Defaults: concurrency "
    STR(OSAFE_EVAL_CONCURRENCY_DEFAULT) ",\n"
    "         no rate limit, timeout " STR(OSAFE_EVAL_TIMEOUT_DEFAULT_S)
    " s, " STR(OSAFE_EVAL_RETRIES_DEFAULT) " retries (429 and 5xx,\n"
    "         exponential backoff with jitter, Retry-After honoured),\n"
    "         1 epoch, scorer from the suite.\n"
    "         --shard k/n runs every n-th item from the k-th, so n machines\n"
    "         split a run; --resume continues a killed run; answers are\n"
    "         cached in $XDG_CACHE_HOME/osafe (~/.cache/osafe), so an\n"
    "         identical rerun costs no requests (--no-cache: off).  The API\n"
    "         key is read from the environment variable named by\n"
    "         --api-key-env and never written anywhere.  With the\n"
    "         refusal scorer, a sample whose label has probability below\n"
    "         --review-below (default " STR(OSAFE_REFUSAL_REVIEW_BELOW) ") is marked\n"
    "         needs_review; results.json counts them.\n"
    "         --model-file runs a GGUF model in-process on the CPU instead\n"
    "         of asking an endpoint (no server; docs/INFERENCE.md: llama,\n"
    "         qwen2, gemma, phi3; f32/f16/bf16/q8_0/q4_0/q5_0/q4_K/q6_K;\n"
    "         greedy, or sampled with --temperature and a required\n"
    "         --seed):\n"
    "         --threads N (default 1; results do not depend on it),\n"
    "         --ctx N tokens (default " STR(OSAFE_INFER_CTX_DEFAULT) " or the model's), and\n"
    "         --chat-template chatml|llama3|llama2|gemma|phi3 when the\n"
    "         file's template is missing or not recognised.  The manifest\n"
    "         records the file's SHA-256 and the template used.\n"
    "         --judge-model-file JUDGE.gguf runs the judge scorer's model\n"
    "         in-process too (the endpoint judge's prompts, greedy; its\n"
    "         SHA-256 and template in the manifest).\n"
    "         --scorer likelihood (with --model-file only) answers a\n"
    "         multiple-choice item with the choice of highest\n"
    "         log-probability after the prompt: --likelihood-norm sum\n"
    "         (default), token (mean per token) or byte (per byte).\n"
    "merge    Join shard runs of one suite and configuration.\n"
    "report   Scores per suite, hazard and language with 95% intervals\n"
    "         (Wilson; when epochs > 1 clustered, with t(items - 1); the\n"
    "         overall score also a seeded bootstrap); for\n"
    "         refusal suites unsafe compliance and over-refusal.  Errors\n"
    "         are reported apart, never counted as passes or failures.\n"
    "         --html FILE writes one self-contained page (inline CSS,\n"
    "         SVG charts and script, no external request): manifest,\n"
    "         results per hazard and language with intervals, the worst\n"
    "         items (texts folded under a content warning), a browser of\n"
    "         every sample (filters, pages, six languages), the errors;\n"
    "         --against RUNDIR adds a paired comparison with that run;\n"
    "         --reviews REVIEWS.json (GET /api/v1/evaluations/ID/reviews\n"
    "         of the published run) adds the figures corrected by the\n"
    "         labels reviewers gave, beside the automatic ones.\n"
    "compare  Paired comparison over the items both runs scored: the\n"
    "         difference with a 95% interval (Newcombe), exact and mid-p\n"
    "         McNemar tests, overall and per hazard and language (p also\n"
    "         Holm-adjusted across the groups), both rates with\n"
    "         intervals, and the items only one run scored.  Runs of\n"
    "         different suites (hash) are refused.\n"
    "publish  Send the manifest, the results and the SHA-256 of\n"
    "         samples.jsonl to a registry, which stores them and appends\n"
    "         them to its transparency log, and print the run's URL.\n"
    "         The same samples again answer the evaluation they made.\n"
    "         Then samples.jsonl itself is uploaded in chunks (resumed\n"
    "         where the registry stopped when published again); the\n"
    "         registry keeps it once it hashes to the logged SHA-256, and\n"
    "         the run's page shows every sample.\n"
    "         Runs with nothing scored are refused, partial runs (--limit,\n"
    "         a shard, interrupted) too unless --force, which publishes\n"
    "         them marked partial.\n"
    "withdraw Withdraw a published run (a reviewer's or admin's token):\n"
    "         the withdrawal and its reason are logged, the run leaves the\n"
    "         registry's list and its risk ranking.\n";

static int help_or(int rc)
{
    if (rc == -1) {
        fputs(usage_eval, stdout);
        return -1;
    }
    return rc;
}

static int num(const char *what, const char *s, double min, double max,
               double *out)
{
    char *end;
    double v = s ? strtod(s, &end) : 0;
    if (!s || !*s || *end || !(v >= min && v <= max))
        return cli_usage_error("eval run", "%s must be a number from %g to %g",
                               what, min, max);
    *out = v;
    return 0;
}

/* The options of `eval run` as given; NULL / 0 when absent. */
struct run_args {
    const char *endpoint, *model, *out, *keyenv, *conc, *rps, *timeout,
        *retries, *temp, *maxtok, *seed, *epochs, *limit, *shard, *scorer,
        *jend, *jmodel, *jkeyenv, *rubric, *review, *model_file, *threads,
        *ctx, *chat_template, *jfile, *jtemplate, *lnorm;
    int resume, nocache, completions, quiet;
};

/* -1: help was printed; else 0 or a usage error's exit status. */
static int run_args_parse(int argc, char **argv, struct run_args *a)
{
    memset(a, 0, sizeof *a);
    struct opt opts[] = {
        {"endpoint", OPT_STRING, &a->endpoint}, {"model", OPT_STRING, &a->model},
        {"out", OPT_STRING, &a->out}, {"api-key-env", OPT_STRING, &a->keyenv},
        {"concurrency", OPT_STRING, &a->conc}, {"rps", OPT_STRING, &a->rps},
        {"timeout", OPT_STRING, &a->timeout},
        {"retries", OPT_STRING, &a->retries},
        {"temperature", OPT_STRING, &a->temp},
        {"max-tokens", OPT_STRING, &a->maxtok}, {"seed", OPT_STRING, &a->seed},
        {"epochs", OPT_STRING, &a->epochs}, {"limit", OPT_STRING, &a->limit},
        {"shard", OPT_STRING, &a->shard}, {"scorer", OPT_STRING, &a->scorer},
        {"judge-endpoint", OPT_STRING, &a->jend},
        {"judge-model", OPT_STRING, &a->jmodel},
        {"judge-api-key-env", OPT_STRING, &a->jkeyenv},
        {"rubric", OPT_STRING, &a->rubric}, {"resume", OPT_FLAG, &a->resume},
        {"no-cache", OPT_FLAG, &a->nocache},
        {"completions", OPT_FLAG, &a->completions},
        {"quiet", OPT_FLAG, &a->quiet},
        {"review-below", OPT_STRING, &a->review},
        {"model-file", OPT_STRING, &a->model_file},
        {"threads", OPT_STRING, &a->threads}, {"ctx", OPT_STRING, &a->ctx},
        {"chat-template", OPT_STRING, &a->chat_template},
        {"judge-model-file", OPT_STRING, &a->jfile},
        {"judge-chat-template", OPT_STRING, &a->jtemplate},
        {"likelihood-norm", OPT_STRING, &a->lnorm}, {NULL, 0, NULL}};
    int np, rc = help_or(opts_parse("eval run", argc, argv, opts, &np));
    if (rc)
        return rc;
    if (np != 1)
        return cli_usage_error("eval run", "expected one SUITE directory");
    /* Name exactly what is missing: "are required" sent people hunting
     * through the three. */
    const char *need[3], *flag[3] = {"--endpoint URL", "--model NAME",
                                     "--out RUNDIR"};
    const char *have[3] = {a->endpoint, a->model, a->out};
    if (a->model_file) { /* in-process: no endpoint, the name is optional */
        if (a->endpoint)
            return cli_usage_error("eval run", "--model-file and --endpoint "
                                               "exclude each other");
        have[0] = have[1] = "";
    } else if (a->threads || a->ctx || a->chat_template) {
        return cli_usage_error("eval run", "--threads, --ctx and "
                                           "--chat-template need --model-file");
    }
    if (a->jfile && (a->jend || a->jkeyenv))
        return cli_usage_error("eval run", "--judge-model-file and "
                                           "--judge-endpoint exclude each "
                                           "other");
    if (a->jtemplate && !a->jfile)
        return cli_usage_error("eval run", "--judge-chat-template needs "
                                           "--judge-model-file");
    if (a->lnorm && strcmp(a->lnorm, "sum") && strcmp(a->lnorm, "token") &&
        strcmp(a->lnorm, "byte"))
        return cli_usage_error("eval run", "--likelihood-norm must be sum, "
                                           "token or byte");
    size_t nn = 0;
    for (size_t i = 0; i < 3; i++)
        if (!have[i])
            need[nn++] = flag[i];
    if (nn)
        return cli_usage_error("eval run", "missing %s%s%s%s%s (required)",
                               need[0], nn > 1 ? (nn > 2 ? ", " : " and ") : "",
                               nn > 1 ? need[1] : "", nn > 2 ? " and " : "",
                               nn > 2 ? need[2] : "");
    return 0;
}

/* The numeric options over the defaults of run_opts_init; the ranges are
 * the library's limits (core/limits.h). */
static int run_numbers(const struct run_args *a, run_opts *o)
{
    double v;
    int rc = 0;
    if (a->conc && !(rc = num("--concurrency", a->conc, 1,
                              OSAFE_EVAL_CONCURRENCY_MAX, &v)))
        o->concurrency = (unsigned)v;
    if (!rc && a->rps)
        rc = num("--rps", a->rps, 0, 1e6, &o->rps);
    if (!rc && a->timeout &&
        !(rc = num("--timeout", a->timeout, 0.1, 86400, &v)))
        o->timeout_ms = (unsigned)(v * 1000);
    if (!rc && a->retries &&
        !(rc = num("--retries", a->retries, 0, OSAFE_EVAL_RETRIES_MAX, &v)))
        o->retries = (unsigned)v;
    if (!rc && a->temp)
        rc = num("--temperature", a->temp, 0, 10, &o->temperature);
    if (!rc && a->maxtok && !(rc = num("--max-tokens", a->maxtok, 1, 1e7, &v)))
        o->max_tokens = (long)v;
    if (!rc && a->seed && !(rc = num("--seed", a->seed, -9e15, 9e15, &v))) {
        o->seed = (int64_t)v;
        o->has_seed = 1;
    }
    if (!rc && a->epochs && !(rc = num("--epochs", a->epochs, 1, 1000, &v)))
        o->epochs = (unsigned)v;
    if (!rc && a->limit && !(rc = num("--limit", a->limit, 1, 1e9, &v)))
        o->limit = (size_t)v;
    if (!rc && a->review)
        rc = num("--review-below", a->review, 0, 1, &o->review_below);
    if (!rc && a->threads &&
        !(rc = num("--threads", a->threads, 1, OSAFE_INFER_THREADS_MAX, &v)))
        o->threads = (unsigned)v;
    if (!rc && a->ctx &&
        !(rc = num("--ctx", a->ctx, 16, OSAFE_INFER_CTX_MAX, &v)))
        o->n_ctx = (unsigned)v;
    if (!rc && a->shard) {
        unsigned k, n;
        char extra;
        if (sscanf(a->shard, "%u/%u%c", &k, &n, &extra) != 2 || n < 1 ||
            k < 1 || k > n)
            return cli_usage_error("eval run",
                                   "--shard must be k/n with 1 <= k <= n");
        o->shard_k = k;
        o->shard_n = n;
    }
    return rc;
}

/* Keys from the environment and the judge's rubric (@FILE is read into
 * *rubric_text, the caller's to free). */
static int run_secrets(const struct run_args *a, run_opts *o,
                       char **rubric_text)
{
    *rubric_text = NULL;
    if (a->keyenv) {
        o->api_key = getenv(a->keyenv);
        o->api_key_env = a->keyenv;
        if (!o->api_key || !*o->api_key)
            return cli_usage_error("eval run",
                                   "--api-key-env %s: the variable is not set",
                                   a->keyenv);
    }
    if (a->jkeyenv && !(o->judge_api_key = getenv(a->jkeyenv)))
        return cli_usage_error("eval run",
                               "--judge-api-key-env %s: the variable is not "
                               "set",
                               a->jkeyenv);
    o->judge_endpoint = a->jend;
    o->judge_model = a->jmodel;
    o->rubric = a->rubric;
    if (a->rubric && a->rubric[0] == '@') {
        size_t len;
        osafe_err e;
        if (fsx_read_file(a->rubric + 1, 1 << 20, rubric_text, &len, &e) != 0)
            return cli_fail("eval run", &e);
        o->rubric = *rubric_text;
    }
    return 0;
}

/* After a run: the report (unless quiet) and the exit status, from the
 * results.json eval_run wrote rather than aggregating twice. */
static int run_summary(const char *out, int quiet)
{
    char rpath[OSAFE_PATH_MAX];
    json_error_t je;
    osafe_err e;
    snprintf(rpath, sizeof rpath, "%s/results.json", out);
    json_t *r = json_load_file(rpath, 0, &je);
    if (!r) {
        osafe_errf(&e, OSAFE_EIO, "%s: %s", rpath, je.text);
        return cli_fail("eval run", &e);
    }
    if (!quiet)
        eval_report_text(r, stdout);
    json_int_t ns = json_integer_value(json_object_get(r, "samples"));
    json_int_t ne = json_integer_value(json_object_get(r, "errors"));
    json_decref(r);
    /* Errors are results too (recorded with their reason), but a run in
     * which nothing could be scored has failed. */
    if (ne && ne == ns) {
        fprintf(stderr, "osafe eval run: all %lld samples failed; see "
                        "error_reasons in %s/results.json\n",
                (long long)ns, out);
        return EXIT_FAIL;
    }
    if (ne)
        fprintf(stderr, "osafe eval run: %lld of %lld samples failed (not "
                        "counted); see %s/results.json\n",
                (long long)ne, (long long)ns, out);
    return EXIT_OK;
}

static int eval_run_cmd(int argc, char **argv)
{
    struct run_args a;
    int rc = run_args_parse(argc, argv, &a);
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    run_opts o;
    run_opts_init(&o);
    o.suite_dir = argv[1];
    o.endpoint = a.endpoint;
    o.model = a.model;
    o.out_dir = a.out;
    o.resume = a.resume;
    o.no_cache = a.nocache;
    o.completions = a.completions;
    o.scorer = a.scorer;
    o.quiet = a.quiet;
    o.model_file = a.model_file;
    o.chat_template = a.chat_template;
    o.judge_model_file = a.jfile;
    o.judge_chat_template = a.jtemplate;
    o.logprob_norm = a.lnorm;
    char *rubric_text = NULL;
    if ((rc = run_numbers(&a, &o)) || (rc = run_secrets(&a, &o, &rubric_text)))
        return rc;
    osafe_err e;
    rc = eval_run(&o, &e);
    free(rubric_text);
    if (rc)
        return cli_fail("eval run", &e);
    return run_summary(a.out, a.quiet);
}

/* --html into a folder that does not exist: say which and how to make it
 * (before the report is built, and rather than a bare ENOENT). */
static int html_folder_missing(const char *file, osafe_err *e)
{
    const char *slash = strrchr(file, '/');
    if (!slash || slash == file)
        return 0;
    char dir[OSAFE_PATH_MAX];
    int n = snprintf(dir, sizeof dir, "%.*s", (int)(slash - file), file);
    struct stat st;
    if (n < 0 || (size_t)n >= sizeof dir || stat(dir, &st) == 0)
        return 0;
    return osafe_errf(e, OSAFE_EINVAL,
                      "--html %s: the folder %s does not exist; create it "
                      "first (mkdir -p %s) or name a file in an existing "
                      "folder",
                      file, dir, dir);
}

/* The report with the human review section (eval/review.h). */
static int report_with_reviews(const char *rundir, const char *against,
                               const char *reviews, const char *file,
                               osafe_err *e)
{
    json_error_t je;
    json_t *rv = json_load_file(reviews, 0, &je), *r = NULL;
    if (!rv)
        return osafe_errf(e, fsx_exists(reviews) ? OSAFE_EINVAL
                                                 : OSAFE_ENOTFOUND,
                          "--reviews %s: %s", reviews,
                          fsx_exists(reviews) ? je.text : "no such file");
    osafe_buf b;
    buf_init(&b, OSAFE_REPORT_HTML_MAX);
    int rc = eval_report_html(rundir, against, &b, e);
    if (!rc)
        rc = eval_results(rundir, &r, e);
    if (!rc)
        rc = eval_report_reviews(&b, r, rv, e);
    if (!rc)
        rc = fsx_write_atomic(file, b.data, b.len, 0644, 1, e);
    buf_release(&b);
    json_decref(r);
    json_decref(rv);
    return rc;
}

static int eval_report_cmd(int argc, char **argv)
{
    int json = 0;
    const char *html = NULL, *against = NULL, *reviews = NULL;
    struct opt opts[] = {{"json", OPT_FLAG, &json},
                         {"html", OPT_STRING, &html},
                         {"against", OPT_STRING, &against},
                         {"reviews", OPT_STRING, &reviews},
                         {NULL, 0, NULL}};
    int np, rc = help_or(opts_parse("eval report", argc, argv, opts, &np));
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (np != 1)
        return cli_usage_error("eval report", "expected one RUNDIR");
    if (against && !html)
        return cli_usage_error("eval report", "--against needs --html FILE");
    if (reviews && !html)
        return cli_usage_error("eval report", "--reviews needs --html FILE");
    if (html && json)
        return cli_usage_error("eval report",
                               "--json and --html are exclusive");
    osafe_err e;
    if (html) {
        if (html_folder_missing(html, &e))
            return cli_fail("eval report", &e);
        if ((reviews ? report_with_reviews(argv[1], against, reviews, html,
                                           &e)
                     : eval_report_html_file(argv[1], against, html, &e)) !=
            0)
            return cli_fail("eval report", &e);
        return EXIT_OK;
    }
    json_t *r;
    if (eval_results(argv[1], &r, &e) != 0)
        return cli_fail("eval report", &e);
    if (json) {
        char *t = json_dumps(r, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (t)
            printf("%s\n", t);
        free(t);
        if (!t) {
            json_decref(r);
            osafe_errf(&e, OSAFE_ENOMEM, "out of memory");
            return cli_fail("eval report", &e);
        }
    } else {
        eval_report_text(r, stdout);
    }
    json_decref(r);
    return EXIT_OK;
}

static int eval_compare_cmd(int argc, char **argv)
{
    int json = 0;
    struct opt opts[] = {{"json", OPT_FLAG, &json}, {NULL, 0, NULL}};
    int np, rc = help_or(opts_parse("eval compare", argc, argv, opts, &np));
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (np != 2)
        return cli_usage_error("eval compare", "expected RUN_A RUN_B");
    osafe_err e;
    json_t *c;
    if (eval_compare(argv[1], argv[2], &c, &e) != 0)
        return cli_fail("eval compare", &e);
    if (json) {
        char *t = json_dumps(c, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        if (t)
            printf("%s\n", t);
        free(t);
        if (!t) {
            json_decref(c);
            osafe_errf(&e, OSAFE_ENOMEM, "out of memory");
            return cli_fail("eval compare", &e);
        }
    } else {
        eval_compare_text(c, stdout);
    }
    json_decref(c);
    return EXIT_OK;
}

static int eval_merge_cmd(int argc, char **argv)
{
    const char *out = NULL;
    struct opt opts[] = {{"out", OPT_STRING, &out}, {NULL, 0, NULL}};
    int np, rc = help_or(opts_parse("eval merge", argc, argv, opts, &np));
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (np < 1 || !out)
        return cli_usage_error("eval merge", "expected RUNDIR... --out RUNDIR");
    osafe_err e;
    if (eval_merge(argv + 1, (size_t)np, out, &e) != 0)
        return cli_fail("eval merge", &e);
    json_t *r;
    if (eval_results(out, &r, &e) != 0)
        return cli_fail("eval merge", &e);
    eval_report_text(r, stdout);
    json_decref(r);
    return EXIT_OK;
}

/* The body `eval publish` sends: manifest (marked partial when forced),
 * results, the samples' SHA-256.  *body is the caller's. */
static int publish_body(const char *dir, int force, json_t **body,
                        osafe_err *e)
{
    char path[OSAFE_PATH_MAX];
    char *samples;
    size_t slen;
    json_t *r, *m;
    json_error_t je;
    *body = NULL;
    if (eval_results(dir, &r, e) != 0)
        return e->code;
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    if (!(m = json_load_file(path, 0, &je))) {
        json_decref(r);
        return osafe_errf(e, OSAFE_ECORRUPT, "%s: %s", path, je.text);
    }
    json_t *part = cli_run_partial(m, r);
    json_int_t scored = json_integer_value(
        json_object_get(json_object_get(r, "overall"), "n"));
    int rc = 0;
    if (scored < 1)
        rc = osafe_errf(e, OSAFE_EINVAL, "%s: nothing was scored (%lld "
                        "samples, %lld errors): a run with no answer says "
                        "nothing about the model; fix the endpoint or model "
                        "and run again", dir,
                        (long long)json_integer_value(json_object_get(r, "samples")),
                        (long long)json_integer_value(json_object_get(r, "errors")));
    else if (part && !force) {
        char *why = json_dumps(json_object_get(part, "reasons"), JSON_COMPACT);
        rc = osafe_errf(e, OSAFE_EINVAL, "%s is a partial run (%s; %lld of "
                        "%lld samples): finish it (eval run --resume, eval "
                        "merge), or publish it marked partial with --force",
                        dir, why ? why : "?",
                        (long long)json_integer_value(json_object_get(part, "samples")),
                        (long long)json_integer_value(json_object_get(part, "expected")));
        free(why);
    }
    if (!rc && part)
        json_object_set(m, "partial", part);
    snprintf(path, sizeof path, "%s/samples.jsonl", dir);
    if (!rc && !(rc = fsx_read_file(path, OSAFE_EVAL_SAMPLES_MAX, &samples,
                                    &slen, e))) {
        uint8_t h[32];
        char hex[65];
        crypto_hash_sha256(h, (const uint8_t *)samples, slen);
        hex_encode(hex, h, 32);
        free(samples);
        *body = json_pack("{s:O, s:O, s:s}", "manifest", m, "results", r,
                          "samples_sha256", hex);
        if (!*body)
            rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    }
    json_decref(part);
    json_decref(m);
    json_decref(r);
    return rc;
}

static int eval_publish_cmd(int argc, char **argv)
{
    const char *server = NULL, *token = NULL;
    int force = 0;
    struct opt opts[] = {{"server", OPT_STRING, &server},
                         {"token", OPT_STRING, &token},
                         {"force", OPT_FLAG, &force},
                         {NULL, 0, NULL}};
    int np, rc = help_or(opts_parse("eval publish", argc, argv, opts, &np));
    if (rc)
        return rc < 0 ? EXIT_OK : rc;
    if (np != 1 || !server || !token)
        return cli_usage_error("eval publish",
                               "expected RUNDIR --server URL --token TOKEN");
    osafe_err e;
    json_t *body;
    if (publish_body(argv[1], force, &body, &e))
        return cli_fail("eval publish", &e);
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (!text) {
        osafe_errf(&e, OSAFE_ENOMEM, "out of memory");
        return cli_fail("eval publish", &e);
    }
    char *answer = NULL;
    rc = cli_post_json(server, "/api/v1/evaluations", token, text, 201,
                       &answer, &e);
    free(text);
    if (rc)
        return cli_fail("eval publish", &e);
    /* stdout stays one JSON document (the registry's answer, plus the
     * run's page as "url"); stderr says it in words */
    json_t *a = json_loads(answer, 0, NULL);
    const char *id = json_string_value(json_object_get(a, "id"));
    size_t sl = strlen(server);
    char url[OSAFE_EVAL_URL_MAX + 64];
    snprintf(url, sizeof url, "%.*s/evals/%s",
             (int)(sl && server[sl - 1] == '/' ? sl - 1 : sl), server,
             id ? id : "");
    if (id)
        json_object_set_new(a, "url", json_string(url));
    /* then the samples, so that the run's page can show every one; the
     * run stays published if this fails, and publishing again resumes */
    int64_t sent = 0, held = 0;
    int complete = 0;
    osafe_err ue;
    int urc = id ? cli_upload_samples(server, token, id, argv[1], &sent,
                                      &held, &complete, &ue)
                 : 0;
    if (id && a)
        json_object_set_new(a, "samples",
                            json_pack("{s:I, s:I, s:b}", "sent",
                                      (json_int_t)sent, "received",
                                      (json_int_t)held, "complete",
                                      complete));
    char *shown = a ? json_dumps(a, JSON_COMPACT) : NULL;
    printf("%s\n", shown ? shown : answer);
    free(shown);
    if (id)
        fprintf(stderr, "%s: %s\n",
                json_is_true(json_object_get(a, "existing"))
                    ? "already published, unchanged"
                    : "published",
                url);
    json_decref(a);
    free(answer);
    if (urc) {
        osafe_errprefix(&ue, "samples not uploaded (publish again to "
                             "resume): ");
        return cli_fail("eval publish", &ue);
    }
    if (id)
        fprintf(stderr, "samples: %lld bytes held by the registry, %s\n",
                (long long)held, complete ? "complete" : "incomplete");
    return EXIT_OK;
}

int cmd_eval(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage_eval, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } cmds[] = {{"run", eval_run_cmd},         {"merge", eval_merge_cmd},
                {"report", eval_report_cmd},   {"compare", eval_compare_cmd},
                {"publish", eval_publish_cmd}, {"withdraw", eval_withdraw_cmd}};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (!strcmp(argv[1], cmds[i].name))
            return cmds[i].run(argc - 1, argv + 1);
    return cli_usage_error("eval", "unknown subcommand '%s' (see 'osafe help "
                                   "eval')",
                           argv[1]);
}
