/*
 * test_eval_abuse.c - evaluation poisoning (issue 9 item 2): the attacks
 * of the security review, replayed.
 *
 * On the registry: 2,592 invented hazard keys, 1,296 invented "M1.xx"
 * keys and n = 1.7976931348623157e308 are refused at publication, naming
 * the field; the same runs stored unchecked (as a node from before the
 * check did) and a flood of runs past OSAFE_RISK_ITEMS_MAX leave the
 * ranking finite and working, with what was left out counted; staff
 * withdraw a run (logged, out of the list and the ranking).  Over HTTP:
 * the 422s, the withdraw route, 410 for a withdrawn run, and /risks still
 * answering after the poison.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "api_client.h"
#include "core/hazard.h"
#include "core/limits.h"
#include "registry/registry.h"
#include "risk/risk.h"
#include "risk/risk_policy.h"
#include "store/store.h"
#include "tlog/log.h"

struct fx {
    char dir[256], db[300], logd[300];
    registry *reg;
    reg_caller reporter, reviewer;
};

static void caller_of(struct fx *f, const char *name, const char *role,
                      reg_caller *c)
{
    char tok[128];
    osafe_err e;
    assert_int_equal(
        reg_token_create(f->reg, name, role, "", tok, sizeof tok, &e), 0);
    assert_int_equal(reg_auth(f->reg, tok, c, &e), 0);
}

static void fx_open(struct fx *f)
{
    snprintf(f->dir, sizeof f->dir, "/tmp/osafe-evab-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    char key[320], keydir[300];
    snprintf(keydir, sizeof keydir, "%s/keys", f->dir);
    snprintf(key, sizeof key, "%s/ex.org_evab.key", keydir);
    snprintf(f->logd, sizeof f->logd, "%s/log", f->dir);
    snprintf(f->db, sizeof f->db, "%s/r.db", f->dir);
    char *gen[] = {(char *)api_osafe(), "key", "generate", "ex.org/evab",
                   "--out", keydir, NULL};
    assert_int_equal(api_run(gen, NULL, NULL), 0);
    char *init[] = {(char *)api_osafe(), "log", "init", f->logd, "--origin",
                    "ex.org/evab", "--key", key, NULL};
    assert_int_equal(api_run(init, NULL, NULL), 0);
    reg_opts o = {f->db, f->logd, key, "OSAFE", "ex.org/evab", 2};
    osafe_err e;
    if (reg_open(&o, &f->reg, &e))
        fail_msg("%s", e.msg);
    caller_of(f, "rep", "reporter", &f->reporter);
    caller_of(f, "rev", "reviewer", &f->reviewer);
}

static void fx_close(struct fx *f)
{
    reg_close(f->reg);
    api_rmrf(f->dir);
}

/* A run of model with by_hazard groups {key: {n, items, rate}}; each of
 * its own samples (a new digest), as publishing is idempotent on it. */
static json_t *run_of(const char *model, json_t *by_hazard)
{
    static unsigned runs;
    char sh[65];
    snprintf(sh, sizeof sh, "%064u", ++runs);
    return json_pack("{s:{s:{s:s, s:s, s:s}, s:{s:s, s:s, s:i}}, "
                     "s:{s:i, s:i, s:o}, s:s}",
                     "manifest", "suite", "name", "t", "version", "1", "hash",
                     "0000000000000000000000000000000000000000000000000000000"
                     "000000000",
                     "params", "model", model, "scorer", "refusal", "epochs",
                     1, "results", "samples", 100, "errors", 0, "by_hazard",
                     by_hazard, "samples_sha256", sh);
}

static json_t *grp(double n, double rate)
{
    return n == floor(n) && n < 1e15
               ? json_pack("{s:I, s:I, s:f}", "n", (json_int_t)n, "items",
                           (json_int_t)n, "rate", rate)
               : json_pack("{s:f, s:I, s:f}", "n", n, "items", (json_int_t)1,
                           "rate", rate);
}

/* The review's 2,592 invented keys ("M1.xx"-shaped or made up). */
static json_t *invented_keys(size_t n, int mit_only)
{
    json_t *o = json_object();
    for (size_t i = 0; i < n; i++) {
        char k[32];
        if (mit_only)
            snprintf(k, sizeof k, "M1.%zu", 10 + i);
        else
            snprintf(k, sizeof k, "%s%zu", i % 2 ? "M7." : "zz", 100 + i);
        json_object_set_new(o, k, grp(1000, 0.0));
    }
    return o;
}

static int publish(struct fx *f, json_t *run, osafe_err *e, char id[32])
{
    char *text = json_dumps(run, JSON_COMPACT);
    json_decref(run);
    char *out = NULL;
    int rc = reg_evaluation_publish(f->reg, &f->reporter, text, strlen(text),
                                    &out, e);
    free(text);
    if (!rc && id) {
        json_t *j = json_loads(out, 0, NULL);
        snprintf(id, 32, "%s", json_string_value(json_object_get(j, "id")));
        json_decref(j);
    }
    free(out);
    return rc;
}

/* Store a run unchecked, as a node from before the check did. */
static void store_unchecked(struct fx *f, json_t *run)
{
    osafe_store *s;
    osafe_err e;
    char id[32];
    if (store_sqlite_open(f->db, &s, &e) || s->ops->begin(s, &e) ||
        s->ops->next_id(s, "EVAL", 2026, id, &e))
        fail_msg("store: %s", e.msg);
    json_object_set_new(run, "id", json_string(id));
    json_object_set_new(run, "published", json_string("2026-11-01T00:00:00Z"));
    char *text = json_dumps(run, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(run);
    if (s->ops->evaluation_put(s, id, text, strlen(text), 1, -1, NULL, 0,
                               &e) ||
        s->ops->commit(s, &e))
        fail_msg("store: %s", e.msg);
    free(text);
    s->ops->close(s);
}

static void expect_refused(struct fx *f, json_t *run, const char *field)
{
    osafe_err e = {0};
    assert_int_equal(publish(f, run, &e, NULL), OSAFE_EINVAL);
    if (strcmp(e.field, field))
        fail_msg("refused on '%s' (%s), expected '%s'", e.field, e.msg,
                 field);
}

static void test_publish_refuses_poison(void **st)
{
    (void)st;
    struct fx f;
    fx_open(&f);
    expect_refused(&f, run_of("m", invented_keys(2592, 0)),
                   "results.by_hazard");
    expect_refused(&f, run_of("m", invented_keys(1296, 1)),
                   "results.by_hazard");
    /* a handful of invented keys, under the count limit, still refused */
    expect_refused(&f, run_of("m", invented_keys(5, 1)), "results.by_hazard");
    expect_refused(&f, run_of("m", json_pack("{s:o}", "vcr_", grp(10, 0.5))),
                   "results.by_hazard");
    expect_refused(&f,
                   run_of("m", json_pack("{s:o}", "vcr",
                                         grp(1.7976931348623157e308, 0.5))),
                   "results.by_hazard.vcr.n");
    expect_refused(&f, run_of("m", json_pack("{s:o}", "vcr", grp(10.5, 0.5))),
                   "results.by_hazard.vcr.n");
    expect_refused(&f, run_of("m", json_pack("{s:o}", "vcr", grp(10, 1.5))),
                   "results.by_hazard.vcr.rate");
    expect_refused(&f, run_of("m", json_pack("{s:o}", "vcr", grp(10, -0.1))),
                   "results.by_hazard.vcr.rate");
    expect_refused(&f, run_of("", json_pack("{s:o}", "vcr", grp(10, 0.5))),
                   "manifest.params.model");
    /* nothing refused reached the log or the list */
    char *out;
    osafe_err e;
    assert_int_equal(reg_evaluation_list(f.reg, 10, NULL, &out, &e), 0);
    assert_non_null(strstr(out, "\"evaluations\":[]"));
    free(out);
    /* honest runs pass: taxonomy keys, sub-hazards, MIT ids, (none) */
    char id[32];
    assert_int_equal(
        publish(&f,
                run_of("m", json_pack("{s:o, s:o, s:o, s:o}", "vcr",
                                      grp(10, 0.9), "spc_hlt", grp(4, 1),
                                      "M2.1", grp(3, 0.5), "(none)",
                                      grp(2, 1))),
                &e, id),
        0);
    assert_true(hazard_mit_valid("M7.6") && !hazard_mit_valid("M7.7") &&
                !hazard_mit_valid("M1.10") && !hazard_mit_valid("M0.1"));
    fx_close(&f);
}

static int finite_result(const risk_result *r)
{
    for (size_t i = 0; i < r->n; i++)
        if (!isfinite(r->items[i].p_star) || !isfinite(r->items[i].eval_n) ||
            !isfinite(r->items[i].eval_k) ||
            (r->items[i].eval_n > 0 && !isfinite(r->items[i].p_med))) {
            print_message("%s/%s: p* %g p_med %g n %g k %g\n",
                          r->items[i].hazard, r->items[i].model,
                          r->items[i].p_star, r->items[i].p_med,
                          r->items[i].eval_n, r->items[i].eval_k);
            return 0;
        }
    return 1;
}

static void test_ranking_survives_stored_poison(void **st)
{
    (void)st;
    struct fx f;
    fx_open(&f);
    char id[32];
    osafe_err e;
    assert_int_equal(publish(&f,
                             run_of("honest", json_pack("{s:o}", "vcr",
                                                        grp(400, 0.97))),
                             &e, id),
                     0);
    store_unchecked(&f, run_of("a", invented_keys(2592, 0)));
    store_unchecked(&f, run_of("b", invented_keys(1296, 1)));
    store_unchecked(&f, run_of("c", json_pack("{s:o}", "ssh",
                                              grp(1.7976931348623157e308,
                                                  0.5))));
    struct risk_policy p;
    risk_policy_default(&p);
    p.draws = 100; /* the ranking's cost grows with items x draws */
    risk_result *r;
    assert_int_equal(risk_compute(f.reg, NULL, &p, 1, &r, &e), 0);
    assert_true(finite_result(r));
    for (size_t i = 0; i < r->n; i++)
        if (!hazard_key_valid(r->items[i].hazard))
            fail_msg("invented key %s ranked", r->items[i].hazard);
    int honest = 0;
    for (size_t i = 0; i < r->n; i++) {
        /* the poisoned runs add nothing: no key, no count survives */
        assert_true(strcmp(r->items[i].model, "a") &&
                    strcmp(r->items[i].model, "b") &&
                    strcmp(r->items[i].model, "c"));
        honest += !strcmp(r->items[i].model, "honest") &&
                  r->items[i].eval_n == 400;
    }
    assert_int_equal(honest, 1);
    risk_result_free(r);
    /* a flood past OSAFE_RISK_ITEMS_MAX: 12 hazards x 180 models */
    static const char *const hz[] = {"vcr", "ncr", "src", "cse", "ssh", "iwp",
                                     "hte", "dfm", "prv", "ipv", "spc", "sxc"};
    for (int m = 0; m < 180; m++) {
        json_t *g = json_object();
        for (size_t i = 0; i < 12; i++)
            json_object_set_new(g, hz[i], grp(100, 0.5));
        char model[32];
        snprintf(model, sizeof model, "flood-%d", m);
        store_unchecked(&f, run_of(model, g));
    }
    assert_int_equal(risk_compute(f.reg, NULL, &p, 1, &r, &e), 0);
    assert_true(r->skipped >= 1);
    assert_true(r->n <= OSAFE_RISK_ITEMS_MAX);
    assert_true(finite_result(r));
    char *json;
    assert_int_equal(risk_result_json(r, &json, &e), 0);
    assert_non_null(strstr(json, "\"skipped\""));
    free(json);
    risk_result_free(r);
    fx_close(&f);
}

static uint64_t log_size(const struct fx *f)
{
    tlog_log *l;
    osafe_err e;
    if (tlog_log_open(f->logd, TLOG_OPEN_READ, NULL, &l, &e))
        fail_msg("%s", e.msg);
    uint64_t n = tlog_log_head(l)->size;
    tlog_log_close(l);
    return n;
}

static void test_withdraw(void **st)
{
    (void)st;
    struct fx f;
    fx_open(&f);
    char keep[32], bad[32];
    osafe_err e;
    assert_int_equal(publish(&f, run_of("m1", json_pack("{s:o}", "vcr",
                                                        grp(400, 0.97))),
                             &e, keep),
                     0);
    assert_int_equal(publish(&f, run_of("m2", json_pack("{s:o}", "vcr",
                                                        grp(400, 0.2))),
                             &e, bad),
                     0);
    struct risk_policy p;
    risk_policy_default(&p);
    risk_result *r;
    assert_int_equal(risk_compute(f.reg, NULL, &p, 1, &r, &e), 0);
    assert_int_equal(r->evaluations, 2);
    risk_result_free(r);
    const char *why = "{\"reason\":\"fabricated results\"}";
    char *out = NULL;
    assert_int_equal(reg_evaluation_withdraw(f.reg, &f.reporter, bad, why,
                                             strlen(why), &out, &e),
                     OSAFE_EPERM);
    assert_int_equal(reg_evaluation_withdraw(f.reg, &f.reviewer, bad, "{}", 2,
                                             &out, &e),
                     OSAFE_EINVAL);
    assert_int_equal(reg_evaluation_withdraw(f.reg, &f.reviewer,
                                             "EVAL-2026-99999", why,
                                             strlen(why), &out, &e),
                     OSAFE_ENOTFOUND);
    uint64_t before = log_size(&f);
    assert_int_equal(reg_evaluation_withdraw(f.reg, &f.reviewer, bad, why,
                                             strlen(why), &out, &e),
                     0);
    assert_non_null(strstr(out, "\"withdrawn\""));
    free(out);
    assert_int_equal(log_size(&f), before + 1); /* the withdrawal is logged */
    assert_int_equal(reg_evaluation_withdraw(f.reg, &f.reviewer, bad, why,
                                             strlen(why), &out, &e),
                     OSAFE_ESTATE);
    char *body;
    size_t len;
    int64_t idx;
    assert_int_equal(reg_evaluation_get(f.reg, bad, &body, &len, &idx, &e),
                     OSAFE_ESTATE);
    assert_non_null(strstr(e.msg, "fabricated results"));
    assert_int_equal(reg_evaluation_list(f.reg, 10, NULL, &out, &e), 0);
    assert_null(strstr(out, bad));
    assert_non_null(strstr(out, keep));
    free(out);
    assert_int_equal(risk_compute(f.reg, NULL, &p, 1, &r, &e), 0);
    assert_int_equal(r->evaluations, 1);
    for (size_t i = 0; i < r->n; i++)
        assert_string_not_equal(r->items[i].model, "m2");
    risk_result_free(r);
    fx_close(&f);
}

/* ---- over HTTP ---------------------------------------------------------- */

static void test_http_poison_and_withdraw(void **st)
{
    (void)st;
    api_srv s;
    api_init(&s);
    char rep[128], rev[128];
    api_token(&s, "rep", "reporter", NULL, rep);
    api_token(&s, "rev", "reviewer", NULL, rev);
    api_start(&s);
    api_reply r;
    json_t *poison = run_of("m", json_pack("{s:o}", "vcr",
                                           grp(1.7976931348623157e308, 0.5)));
    char *text = json_dumps(poison, JSON_COMPACT);
    json_decref(poison);
    api_http(&s, "POST", "/api/v1/evaluations", rep, text, &r);
    free(text);
    api_expect_error(&r, 422, "results.by_hazard.vcr.n", "poisoned n");
    api_reply_release(&r);
    json_t *ok = run_of("m", json_pack("{s:o}", "vcr", grp(40, 0.5)));
    text = json_dumps(ok, JSON_COMPACT);
    json_decref(ok);
    api_http(&s, "POST", "/api/v1/evaluations", rep, text, &r);
    free(text);
    API_EXPECT(&r, 201, "POST /api/v1/evaluations");
    json_t *j = api_json(&r);
    char id[32], path[96];
    const char *jid = json_string_value(json_object_get(j, "id"));
    assert_non_null(jid);
    snprintf(id, sizeof id, "%s", jid);
    json_decref(j);
    api_reply_release(&r);
    snprintf(path, sizeof path, "/api/v1/evaluations/%s/withdraw", id);
    const char *why = "{\"reason\":\"poisoned\"}";
    api_http(&s, "POST", path, rep, why, &r);
    api_expect_error(&r, 403, NULL, "reporter withdraws");
    api_reply_release(&r);
    api_http(&s, "POST", path, NULL, why, &r);
    api_expect_error(&r, 401, NULL, "anonymous withdraws");
    api_reply_release(&r);
    api_http(&s, "GET", path, rev, NULL, &r);
    assert_int_equal(r.status, 405);
    api_reply_release(&r);
    api_http(&s, "POST", path, rev, why, &r);
    API_EXPECT(&r, 200, "withdraw");
    api_reply_release(&r);
    api_http(&s, "POST", path, rev, why, &r);
    api_expect_error(&r, 409, NULL, "withdrawn twice");
    api_reply_release(&r);
    snprintf(path, sizeof path, "/api/v1/evaluations/%s", id);
    api_get(&s, path, NULL, &r);
    api_expect_error(&r, 410, NULL, "GET withdrawn");
    api_reply_release(&r);
    api_get(&s, "/risks", NULL, &r);
    API_EXPECT(&r, 200, "/risks");
    api_reply_release(&r);
    /* the CLI: `osafe eval withdraw`, staff only */
    ok = run_of("m2", json_pack("{s:o}", "vcr", grp(40, 0.5)));
    text = json_dumps(ok, JSON_COMPACT);
    json_decref(ok);
    api_http(&s, "POST", "/api/v1/evaluations", rep, text, &r);
    free(text);
    API_EXPECT(&r, 201, "POST /api/v1/evaluations");
    j = api_json(&r);
    jid = json_string_value(json_object_get(j, "id"));
    assert_non_null(jid);
    snprintf(id, sizeof id, "%s", jid);
    json_decref(j);
    api_reply_release(&r);
    char *cli[] = {(char *)api_osafe(), "eval", "withdraw", id, "--reason",
                   "duplicate run", "--server", s.base, "--token", rep, NULL};
    assert_int_not_equal(api_run(cli, NULL, s.err), 0);
    cli[9] = rev;
    osafe_buf out = OSAFE_BUF_INIT;
    assert_int_equal(api_run(cli, &out, s.err), 0);
    assert_non_null(strstr(out.data, "\"withdrawn\""));
    buf_release(&out);
    snprintf(path, sizeof path, "/api/v1/evaluations/%s", id);
    api_get(&s, path, NULL, &r);
    api_expect_error(&r, 410, NULL, "GET withdrawn (CLI)");
    api_reply_release(&r);
    api_stop_clean(&s);
    api_fini(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_publish_refuses_poison),
        cmocka_unit_test(test_ranking_survives_stored_poison),
        cmocka_unit_test(test_withdraw),
        cmocka_unit_test(test_http_poison_and_withdraw),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
