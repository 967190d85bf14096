/*
 * test_fed_evals.c - mirrored evaluations (issue 12): an evaluation
 * published on node A, and its withdrawal, read from A's own log and
 * applied as B's sync applies verified entries, become B's mirrored
 * evaluation with its provenance and then its withdrawal; a replay
 * changes nothing; GET /api/v1/evaluations?origin= lists them (checked
 * against docs/openapi.json) and our own list never holds them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "api_client.h"
#include "core/fsx.h"
#include "federation/fed_int.h"
#include "federation/federation.h"
#include "registry/registry.h"
#include "risk/risk.h"
#include "risk/risk_policy.h"
#include "store/store.h"
#include "tlog/log.h"
#include "tlog/note.h"

#define A_ORIGIN "a.example/log"
#define PEER "http://a.example:8420"

struct node_a {
    char dir[128], logd[192];
    registry *reg;
    reg_caller rep, rev;
};

static void node_open(struct node_a *a, const char *origin)
{
    snprintf(a->dir, sizeof a->dir, "/tmp/osafe-fedev-XXXXXX");
    assert_non_null(mkdtemp(a->dir));
    char key[320], keydir[256], db[256];
    snprintf(keydir, sizeof keydir, "%s/keys", a->dir);
    snprintf(key, sizeof key, "%s/%s.key", keydir, origin);
    for (char *c = key + strlen(keydir) + 1; *c; c++)
        if (*c == '/')
            *c = '_';
    snprintf(a->logd, sizeof a->logd, "%s/log", a->dir);
    snprintf(db, sizeof db, "%s/a.db", a->dir);
    char *gen[] = {(char *)api_osafe(), "key", "generate", (char *)origin,
                   "--out", keydir, NULL};
    assert_int_equal(api_run(gen, NULL, NULL), 0);
    char *init[] = {(char *)api_osafe(), "log", "init", a->logd, "--origin",
                    (char *)origin, "--key", key, NULL};
    assert_int_equal(api_run(init, NULL, NULL), 0);
    reg_opts o = {db, a->logd, key, "OSAFE", origin, 2};
    osafe_err e;
    if (reg_open(&o, &a->reg, &e))
        fail_msg("%s", e.msg);
    char tok[128];
    assert_int_equal(reg_token_create(a->reg, "rep", "reporter", "", tok,
                                      sizeof tok, &e),
                     0);
    assert_int_equal(reg_auth(a->reg, tok, &a->rep, &e), 0);
    assert_int_equal(reg_token_create(a->reg, "rev", "reviewer", "", tok,
                                      sizeof tok, &e),
                     0);
    assert_int_equal(reg_auth(a->reg, tok, &a->rev, &e), 0);
}

/* Publish a run on A: its id and log index. */
static void node_a_publish(struct node_a *a, char id[32], int64_t *index)
{
    char body[1200];
    snprintf(body, sizeof body,
             "{\"manifest\":{\"suite\":{\"name\":\"t\",\"version\":\"1\","
             "\"hash\":\"%064d\"},\"params\":{\"model\":\"m-1\","
             "\"scorer\":\"refusal\",\"epochs\":1}},"
             "\"results\":{\"samples\":10,\"errors\":0,\"overall\":{\"n\":10,"
             "\"rate\":0.5},\"by_hazard\":{\"vcr\":{\"n\":10,\"items\":10,"
             "\"rate\":0.5,\"method\":\"wilson\"}}},"
             "\"samples_sha256\":\"%064d\"}",
             0, 7);
    char *out;
    osafe_err e;
    if (reg_evaluation_publish(a->reg, &a->rep, body, strlen(body), &out, &e))
        fail_msg("publish: %s", e.msg);
    json_t *j = json_loads(out, 0, NULL);
    snprintf(id, 32, "%s", json_string_value(json_object_get(j, "id")));
    *index = json_integer_value(json_object_get(j, "log_index"));
    json_decref(j);
    free(out);
}

/* Entry index of A's log, exactly as a peer reads it. */
static void node_a_entry(struct node_a *a, int64_t index, osafe_buf *out)
{
    tlog_log *log;
    osafe_err e;
    assert_int_equal(tlog_log_open(a->logd, TLOG_OPEN_READ, NULL, &log, &e),
                     0);
    assert_int_equal(tlog_log_read_entry(log, (uint64_t)index, out, &e), 0);
    tlog_log_close(log);
}

static void apply(osafe_store *s, fed__apply *a, uint64_t index,
                  const void *entry, size_t len)
{
    osafe_err e;
    assert_int_equal(s->ops->begin(s, &e), 0);
    assert_int_equal(fed__apply_entry(s, a, index, entry, len, &e), 0);
    assert_int_equal(s->ops->commit(s, &e), 0);
}

static void one_held(osafe_store *s, store_mirror **m)
{
    size_t n;
    osafe_err e;
    assert_int_equal(s->ops->meval_list(s, A_ORIGIN, NULL, 10, m, &n, &e), 0);
    assert_int_equal(n, 1);
}

static void test_published_eval_mirrored_then_withdrawn(void **state)
{
    (void)state;
    struct node_a A;
    node_open(&A, A_ORIGIN);
    char id[32], vk[512];
    int64_t pub_index, wd_index;
    node_a_publish(&A, id, &pub_index);
    osafe_err e;
    char *out;
    const char *why = "{\"reason\":\"wrong suite\"}";
    assert_int_equal(reg_evaluation_withdraw(A.reg, &A.rev, id, why,
                                             strlen(why), &out, &e),
                     0);
    json_t *j = json_loads(out, 0, NULL);
    wd_index = json_integer_value(json_object_get(j, "log_index"));
    json_decref(j);
    free(out);
    assert_int_equal(reg_log_vkey(A.reg, vk, sizeof vk, &e), 0);
    osafe_buf pub = OSAFE_BUF_INIT, wd = OSAFE_BUF_INIT;
    node_a_entry(&A, pub_index, &pub);
    node_a_entry(&A, wd_index, &wd);

    /* node B */
    char dir[64], path[128];
    snprintf(dir, sizeof dir, "/tmp/osafe-fedevb-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/b.db", dir);
    api_pg_db(dir, path, sizeof path); /* OSAFE_TEST_PG: PostgreSQL */
    osafe_store *s;
    assert_int_equal(store_open(path, &s, &e), 0);
    assert_int_equal(fed_peer_add(s, PEER, vk, NULL, &e), 0);
    store_peer p;
    assert_int_equal(s->ops->peer_get(s, PEER, &p, &e), 0);
    fed__apply a = {.peer = &p, .checkpoint_size = wd_index + 1};
    apply(s, &a, (uint64_t)pub_index, pub.data, pub.len);
    assert_int_equal(a.mirrored, 1);
    store_mirror *m;
    one_held(s, &m);
    assert_string_equal(m[0].origin, A_ORIGIN);
    assert_string_equal(m[0].origin_id, id);
    assert_int_equal(m[0].origin_log_index, pub_index);
    assert_int_equal(m[0].checkpoint_size, wd_index + 1);
    assert_string_equal(m[0].peer_url, PEER);
    assert_int_equal(m[0].body_len, pub.len);
    assert_memory_equal(m[0].body, pub.data, pub.len);
    assert_string_equal(m[0].withdrawn, "");
    store_mirror_list_release(m, 1);
    /* a replay of the same entry changes nothing */
    apply(s, &a, (uint64_t)pub_index, pub.data, pub.len);
    assert_int_equal(a.mirrored, 1);
    /* the withdrawal A logged withdraws it here, once */
    apply(s, &a, (uint64_t)wd_index, wd.data, wd.len);
    assert_int_equal(a.withdrawn, 1);
    one_held(s, &m);
    assert_true(m[0].withdrawn[0] != '\0');
    store_mirror_list_release(m, 1);
    apply(s, &a, (uint64_t)wd_index, wd.data, wd.len);
    assert_int_equal(a.withdrawn, 1);
    /* never a mirrored record: the record table holds none */
    store_mirror *r;
    size_t n;
    assert_int_equal(s->ops->mirror_list(s, NULL, NULL, 10, &r, &n, &e), 0);
    assert_int_equal(n, 0);
    store_mirror_list_release(r, n);
    store_peer_release(&p);
    buf_release(&pub);
    buf_release(&wd);
    s->ops->close(s);
    assert_int_equal(fsx_remove_tree(dir, &e), 0);
    reg_close(A.reg);
    api_rmrf(A.dir);
}

/* Two runs mirrored from A into S's database, written beside the running
 * server (WAL): EVAL-2026-00031 whole at A's entry 12, and for a run too
 * big for an entry only the digest of EVAL-2026-00032 at entry 13, both
 * covered by A's checkpoint of size 50. */
static void meval_fixture(const api_srv *S)
{
    tlog_signer sg;
    osafe_err e;
    osafe_buf vk = OSAFE_BUF_INIT;
    assert_int_equal(tlog_signer_generate(A_ORIGIN, &sg, &e), 0);
    assert_int_equal(tlog_verifier_format(&sg.v, &vk), 0);
    tlog_signer_wipe(&sg);
    /* a run and, for a run too big for an entry, only its digest:
     * written beside the running server (WAL) */
    char run[700], dig[200];
    snprintf(run, sizeof run,
             "{\"id\":\"EVAL-2026-00031\",\"manifest\":{\"suite\":{"
             "\"name\":\"demo\",\"version\":\"2\",\"hash\":\"%064d\"},"
             "\"params\":{\"model\":\"<b>peer-model</b>\"}},"
             "\"published\":\"2026-01-01T00:00:00Z\","
             "\"results\":{\"overall\":{\"n\":3,\"rate\":0.5}},"
             "\"samples_sha256\":\"%064d\"}",
             0, 3);
    snprintf(dig, sizeof dig,
             "{\"id\":\"EVAL-2026-00032\",\"sha256\":\"%064d\",\"type\":"
             "\"osafe.evaluation-digest/v1\"}",
             5);
    osafe_store *s;
    assert_int_equal(store_open(S->db, &s, &e), 0);
    assert_int_equal(fed_peer_add(s, PEER, vk.data, NULL, &e), 0);
    store_peer p;
    assert_int_equal(s->ops->peer_get(s, PEER, &p, &e), 0);
    fed__apply a = {.peer = &p, .checkpoint_size = 50};
    apply(s, &a, 12, run, strlen(run));
    apply(s, &a, 13, dig, strlen(dig));
    store_peer_release(&p);
    s->ops->close(s);
    buf_release(&vk);
}

static void test_api_lists_mirrored_evaluations(void **state)
{
    (void)state;
    api_srv S;
    api_init(&S);
    api_start(&S);
    meval_fixture(&S);
    api_reply r;
    api_get(&S, "/api/v1/evaluations?origin=" A_ORIGIN "&limit=1", NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *j = json_loads(r.body.data, 0, NULL);
    json_t *arr = json_object_get(j, "evaluations");
    assert_int_equal(json_array_size(arr), 1);
    json_t *it = json_array_get(arr, 0);
    assert_string_equal(json_string_value(json_object_get(it, "id")),
                        "EVAL-2026-00031");
    assert_true(json_is_false(json_object_get(it, "digest_only")));
    json_t *o = json_object_get(it, "origin");
    assert_string_equal(json_string_value(json_object_get(o, "name")),
                        A_ORIGIN);
    assert_int_equal(json_integer_value(json_object_get(o, "log_index")), 12);
    assert_int_equal(
        json_integer_value(json_object_get(o, "checkpoint_size")), 50);
    assert_string_equal(
        json_string_value(json_object_get(j, "next_cursor")),
        "EVAL-2026-00031");
    json_decref(j);
    api_reply_release(&r);
    api_get(&S, "/api/v1/evaluations?origin=" A_ORIGIN
                "&cursor=EVAL-2026-00031",
            NULL, &r);
    assert_int_equal(r.status, 200);
    j = json_loads(r.body.data, 0, NULL);
    it = json_array_get(json_object_get(j, "evaluations"), 0);
    assert_string_equal(json_string_value(json_object_get(it, "id")),
                        "EVAL-2026-00032");
    assert_true(json_is_true(json_object_get(it, "digest_only")));
    assert_string_equal(
        json_string_value(json_object_get(j, "next_cursor")), "");
    json_decref(j);
    api_reply_release(&r);
    /* our own list does not hold them: they are not ours */
    api_get(&S, "/api/v1/evaluations", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body.data, "EVAL-2026-0003"));
    api_reply_release(&r);
    api_get(&S, "/api/v1/evaluations?origin=", NULL, &r);
    assert_int_equal(r.status, 400);
    api_reply_release(&r);
    /* the CLI lists them too, one JSON object a line, with provenance */
    osafe_buf out = OSAFE_BUF_INIT;
    char *cli[] = {(char *)api_osafe(), "peer", "mirrored", "--db", S.db,
                   "--evaluations", NULL};
    assert_int_equal(api_run(cli, &out, NULL), 0);
    assert_non_null(strstr(out.data, "\"origin_id\":\"EVAL-2026-00031\""));
    assert_non_null(strstr(out.data, "\"origin_log_index\":13"));
    assert_non_null(strstr(out.data, "\"peer\":\"" PEER "\""));
    buf_release(&out);
    api_stop_clean(&S);
    api_fini(&S);
}

static const char *page(api_srv *S, const char *path, api_reply *r)
{
    api_get(S, path, NULL, r);
    if (r->status != 200)
        fail_msg("GET %s: %ld", path, r->status);
    return r->body.data;
}

/* Mirrored evaluations on the web (issue 12): a section of /evals lists
 * them apart from our runs, /evals?origin= lists one origin's, each with
 * its provenance (origin, id there, entry of that log, covering
 * checkpoint, peer) and never linked to our own run pages; in the six
 * languages, Arabic right to left; the table a focusable region. */
static void test_web_mirrored_evaluations(void **state)
{
    (void)state;
    api_srv S;
    api_init(&S);
    api_start(&S);
    api_reply r;
    /* nothing mirrored: no section */
    assert_null(strstr(page(&S, "/evals?lang=en", &r), "mirrored-evals"));
    api_reply_release(&r);
    meval_fixture(&S);
    const char *h = page(&S, "/evals?lang=en", &r);
    const char *sec = strstr(h, "<section id=\"mirrored-evals\"");
    assert_non_null(sec);
    /* not ours: our list is still empty, and no link to a run page here */
    assert_non_null(strstr(h, "id=\"no-evals\""));
    assert_null(strstr(h, "href=\"/evals/EVAL-2026-0003"));
    assert_non_null(strstr(sec, "Evaluations mirrored from other registries"));
    assert_non_null(strstr(sec, "They are not runs of this registry."));
    assert_non_null(strstr(sec, "<tr data-id=\"EVAL-2026-00031\" data-origin=\""
                                A_ORIGIN "\" data-state=\"published\">"
                                "<td class=\"origin\"><a href=\"/evals?"
                                "origin=a.example%2Flog\" dir=\"ltr\">"
                                A_ORIGIN "</a></td>"));
    assert_non_null(strstr(sec, "tabindex=\"0\" role=\"region\" "
                                "aria-labelledby=\"mirrored-evals-h\""));
    /* the model is text, not markup */
    assert_null(strstr(h, "<b>peer-model"));
    assert_non_null(strstr(sec, "&lt;b&gt;peer-model&lt;/b&gt;"));
    api_reply_release(&r);

    /* one origin's list: the notice naming it, provenance per run */
    h = page(&S, "/evals?origin=" A_ORIGIN "&lang=en", &r);
    assert_non_null(strstr(h, "<p id=\"mirror-notice\" class=\"notice\">"));
    assert_non_null(strstr(h, "<code dir=\"ltr\">" A_ORIGIN "</code>"));
    assert_null(strstr(h, "id=\"eval-list\""));
    assert_null(strstr(h, "href=\"/evals/EVAL-2026-0003"));
    const char *row = strstr(h, "<tr data-id=\"EVAL-2026-00031\"");
    assert_non_null(row);
    assert_non_null(strstr(row, "<td class=\"id\" dir=\"ltr\">"
                                "EVAL-2026-00031</td><td><bdi>&lt;b&gt;"
                                "peer-model&lt;/b&gt;</bdi></td><td><bdi>demo "
                                "2</bdi></td><td class=\"num\">50.0%</td>"));
    assert_non_null(strstr(row, "<td class=\"num\">12</td><td class=\"num\">"
                                "50</td><td dir=\"ltr\">" PEER "</td></tr>"));
    row = strstr(h, "<tr data-id=\"EVAL-2026-00032\"");
    assert_non_null(row);
    assert_non_null(strstr(row, "<td class=\"digest-only\" colspan=\"3\">"));
    assert_non_null(strstr(row, "<td class=\"num\">13</td>"));
    assert_null(strstr(h, "id=\"next-page\""));
    api_reply_release(&r);

    /* the six languages: their own words; Arabic right to left */
    static const char *const langs[] = {"fr", "es", "ar", "zh", "ru"};
    for (size_t l = 0; l < 5; l++) {
        char path[128];
        snprintf(path, sizeof path, "/evals?origin=%s&lang=%s", A_ORIGIN,
                 langs[l]);
        h = page(&S, path, &r);
        char tag[64];
        snprintf(tag, sizeof tag, "<html lang=\"%s\" dir=\"%s\"", langs[l],
                 strcmp(langs[l], "ar") ? "ltr" : "rtl");
        assert_non_null(strstr(h, tag));
        assert_null(strstr(h, "Evaluations mirrored from a peer"));
        assert_null(strstr(h, "They are not runs of this registry."));
        assert_non_null(strstr(h, "data-id=\"EVAL-2026-00031\""));
        api_reply_release(&r);
    }
    h = page(&S, "/evals?origin=" A_ORIGIN "&lang=ar", &r);
    /* "تقييمات منسوخة من نظير" */
    assert_non_null(strstr(h, "\xd8\xaa\xd9\x82\xd9\x8a\xd9\x8a\xd9\x85"
                              "\xd8\xa7\xd8\xaa \xd9\x85\xd9\x86\xd8\xb3"
                              "\xd9\x88\xd8\xae\xd8\xa9"));
    api_reply_release(&r);

    /* another origin: none; a hostile one: escaped */
    h = page(&S, "/evals?origin=other.example/log&lang=en", &r);
    assert_non_null(strstr(h, "id=\"no-mirrored-evals\""));
    api_reply_release(&r);
    h = page(&S, "/evals?origin=%3Cscript%3Ex%3C%2Fscript%3E", &r);
    assert_null(strstr(h, "<script>x"));
    api_reply_release(&r);
    api_stop_clean(&S);
    api_fini(&S);
}

/* B's risk ranking counts A's run only with evals.mirrored: include, and
 * says which it did. */
static void test_risk_mirrored_evaluations_policy(void **state)
{
    (void)state;
    struct node_a A, B;
    node_open(&A, A_ORIGIN);
    node_open(&B, "b.example/log");
    char id[32], vk[512];
    int64_t index;
    node_a_publish(&A, id, &index);
    osafe_err e;
    assert_int_equal(reg_log_vkey(A.reg, vk, sizeof vk, &e), 0);
    osafe_buf pub = OSAFE_BUF_INIT;
    node_a_entry(&A, index, &pub);
    char db[256];
    snprintf(db, sizeof db, "%s/a.db", B.dir);
    osafe_store *s;
    assert_int_equal(store_open(db, &s, &e), 0);
    assert_int_equal(fed_peer_add(s, PEER, vk, NULL, &e), 0);
    store_peer p;
    assert_int_equal(s->ops->peer_get(s, PEER, &p, &e), 0);
    fed__apply a = {.peer = &p, .checkpoint_size = index + 1};
    apply(s, &a, (uint64_t)index, pub.data, pub.len);
    assert_int_equal(a.mirrored, 1);
    store_peer_release(&p);
    s->ops->close(s);
    buf_release(&pub);

    reg_caller anyone = {0};
    struct risk_policy pol;
    risk_policy_default(&pol);
    risk_result *res;
    assert_int_equal(risk_compute(B.reg, &anyone, &pol, 1, &res, &e), 0);
    assert_int_equal(res->evaluations, 0);
    assert_int_equal(res->evals_mirrored_included, 0);
    assert_int_equal(res->evals_mirrored, 0);
    risk_result_free(res);
    pol.evals_mirrored = 1;
    assert_int_equal(risk_compute(B.reg, &anyone, &pol, 1, &res, &e), 0);
    assert_int_equal(res->evaluations, 1);
    assert_int_equal(res->evals_mirrored_included, 1);
    assert_int_equal(res->evals_mirrored, 1);
    risk_result_free(res);
    /* the policy file's key */
    const char *inc = "evals:\n  mirrored: include\n";
    const char *bad = "evals:\n  mirrored: yes\n";
    risk_policy_default(&pol);
    assert_int_equal(risk_policy_parse(&pol, inc, strlen(inc), &e), 0);
    assert_int_equal(pol.evals_mirrored, 1);
    assert_int_not_equal(risk_policy_parse(&pol, bad, strlen(bad), &e), 0);
    assert_non_null(strstr(e.msg, "evals.mirrored"));
    reg_close(B.reg);
    api_rmrf(B.dir);
    reg_close(A.reg);
    api_rmrf(A.dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_published_eval_mirrored_then_withdrawn),
        cmocka_unit_test(test_api_lists_mirrored_evaluations),
        cmocka_unit_test(test_web_mirrored_evaluations),
        cmocka_unit_test(test_risk_mirrored_evaluations_policy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
