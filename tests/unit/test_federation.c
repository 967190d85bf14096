/*
 * test_federation.c - federation's pieces without a network (issue 12;
 * the three-node test is tests/e2e/federation.sh): peers refused on bad
 * input, what a verified peer entry does to the mirrored records
 * (amendments replace, replays and stale withdrawals change nothing,
 * commitments are not mirrored), and GET /api/v1/records?origin= through
 * the real `osafe serve`, checked against docs/openapi.json.
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
#include "store/store.h"
#include "tlog/note.h"
#include "vectors.h"

#define ORIGIN "peer.example/log"
#define PEER "http://peer.example:8420"

static void peer_vkey(char *out, size_t n)
{
    tlog_signer sg;
    osafe_err e;
    osafe_buf b = OSAFE_BUF_INIT;
    assert_int_equal(tlog_signer_generate(ORIGIN, &sg, &e), 0);
    assert_int_equal(tlog_verifier_format(&sg.v, &b), 0);
    tlog_signer_wipe(&sg);
    assert_true(b.len < n);
    memcpy(out, b.data, b.len + 1);
    buf_release(&b);
}

static osafe_store *temp_store(char dir[64])
{
    snprintf(dir, 64, "/tmp/osafe-fed-XXXXXX");
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/f.db", dir);
    api_pg_db(dir, path, sizeof path); /* OSAFE_TEST_PG: PostgreSQL */
    osafe_store *s;
    osafe_err e;
    assert_int_equal(store_open(path, &s, &e), 0);
    return s;
}

static void drop_store(osafe_store *s, const char *dir)
{
    s->ops->close(s);
    osafe_err e;
    assert_int_equal(fsx_remove_tree(dir, &e), 0);
}

static void test_peer_add_refuses_bad_input(void **state)
{
    (void)state;
    char dir[64], vk[512];
    osafe_store *s = temp_store(dir);
    osafe_err e;
    peer_vkey(vk, sizeof vk);
    assert_int_equal(fed_peer_add(s, "ftp://x", vk, NULL, &e), OSAFE_EINVAL);
    assert_int_equal(fed_peer_add(s, PEER "/", vk, NULL, &e), OSAFE_EINVAL);
    assert_int_equal(fed_peer_add(s, "http://u:p@h", vk, NULL, &e),
                     OSAFE_EINVAL);
    assert_int_equal(fed_peer_add(s, PEER, "garbage", NULL, &e),
                     OSAFE_EINVAL);
    assert_int_equal(fed_peer_add(s, PEER, vk, "1BAD", &e), OSAFE_EINVAL);
    assert_int_equal(fed_peer_add(s, PEER, vk, "PEER_TOKEN", &e), 0);
    assert_int_equal(fed_peer_add(s, PEER, vk, NULL, &e), OSAFE_EEXIST);
    store_peer p;
    assert_int_equal(s->ops->peer_get(s, PEER, &p, &e), 0);
    assert_string_equal(p.origin, ORIGIN);
    assert_string_equal(p.state, "active");
    assert_string_equal(p.token_env, "PEER_TOKEN");
    store_peer_release(&p);
    /* unfreezing an active peer is refused; a frozen one becomes active */
    assert_int_equal(fed_peer_unfreeze(s, PEER, &e), OSAFE_ESTATE);
    drop_store(s, dir);
}

static void apply(osafe_store *s, fed__apply *a, uint64_t index,
                  const char *entry)
{
    osafe_err e;
    assert_int_equal(s->ops->begin(s, &e), 0);
    assert_int_equal(fed__apply_entry(s, a, index, entry, strlen(entry), &e),
                     0);
    assert_int_equal(s->ops->commit(s, &e), 0);
}

static void test_entries_amend_replay_withdraw(void **state)
{
    (void)state;
    char dir[64], vk[512];
    osafe_store *s = temp_store(dir);
    osafe_err e;
    peer_vkey(vk, sizeof vk);
    assert_int_equal(fed_peer_add(s, PEER, vk, NULL, &e), 0);
    store_peer p;
    assert_int_equal(s->ops->peer_get(s, PEER, &p, &e), 0);
    fed__apply a = {.peer = &p, .checkpoint_size = 10};
    const char *v1 = "{\"id\":\"X-1\",\"tlp\":\"CLEAR\",\"version\":1,"
                     "\"title\":\"one\"}";
    const char *v2 = "{\"id\":\"X-1\",\"tlp\":\"CLEAR\",\"version\":2,"
                     "\"title\":\"two\"}";
    apply(s, &a, 0, v1);
    apply(s, &a, 3, v2);
    apply(s, &a, 4, v1); /* a replay of the older version */
    /* a commitment to an AMBER record, and bytes that are not JSON */
    apply(s, &a, 5, "{\"commitment\":\"00\",\"id\":\"X-2\",\"tlp\":"
                    "\"AMBER\",\"type\":\"osafe.record/v1\",\"version\":1}");
    apply(s, &a, 6, "not json");
    /* a withdrawal of version 1, older than the version 2 held */
    apply(s, &a, 7, "{\"id\":\"X-1\",\"type\":\"osafe.withdrawal/v1\","
                    "\"version\":1}");
    assert_int_equal(a.mirrored, 2);
    assert_int_equal(a.withdrawn, 0);
    store_mirror m;
    assert_int_equal(s->ops->mirror_get(s, ORIGIN, "X-1", &m, &e), 0);
    assert_int_equal(m.version, 2);
    assert_int_equal(m.origin_log_index, 3);
    assert_int_equal(m.checkpoint_size, 10);
    assert_string_equal(m.body, v2);
    assert_string_equal(m.withdrawn, "");
    assert_string_equal(m.peer_url, PEER);
    free(m.body);
    assert_int_equal(s->ops->mirror_get(s, ORIGIN, "X-2", &m, &e),
                     OSAFE_ENOTFOUND);
    apply(s, &a, 8, "{\"id\":\"X-1\",\"type\":\"osafe.withdrawal/v1\","
                    "\"version\":2}");
    assert_int_equal(a.withdrawn, 1);
    assert_int_equal(s->ops->mirror_get(s, ORIGIN, "X-1", &m, &e), 0);
    assert_true(m.withdrawn[0] != '\0');
    free(m.body);
    store_peer_release(&p);
    drop_store(s, dir);
}

static void test_api_origin_filter(void **state)
{
    (void)state;
    api_srv S;
    api_init(&S);
    api_start(&S);
    /* a mirrored record, written beside the running server (WAL) */
    char fx[512];
    api_fixture("records/minimal-incident.json", fx, sizeof fx);
    json_error_t je;
    json_t *rec = json_load_file(fx, 0, &je);
    assert_non_null(rec);
    json_object_set_new(rec, "id", json_string("OSAFE-2026-00042"));
    json_object_set_new(rec, "version", json_integer(1));
    json_object_set_new(rec, "state", json_string("published"));
    char *entry = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(rec);
    osafe_store *s;
    osafe_err e;
    char vk[512];
    peer_vkey(vk, sizeof vk);
    assert_int_equal(store_open(S.db, &s, &e), 0);
    assert_int_equal(fed_peer_add(s, PEER, vk, NULL, &e), 0);
    store_peer p;
    assert_int_equal(s->ops->peer_get(s, PEER, &p, &e), 0);
    fed__apply a = {.peer = &p, .checkpoint_size = 77};
    apply(s, &a, 41, entry);
    free(entry);
    store_peer_release(&p);
    s->ops->close(s);

    api_reply r;
    api_get(&S, "/api/v1/records?origin=" ORIGIN, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *j = json_loads(r.body.data, 0, &je);
    assert_non_null(j);
    json_t *recs = json_object_get(j, "records");
    assert_int_equal(json_array_size(recs), 1);
    json_t *it = json_array_get(recs, 0);
    assert_string_equal(json_string_value(json_object_get(it, "id")),
                        "OSAFE-2026-00042");
    json_t *o = json_object_get(it, "origin");
    assert_string_equal(json_string_value(json_object_get(o, "name")),
                        ORIGIN);
    assert_string_equal(json_string_value(json_object_get(o, "peer")), PEER);
    assert_int_equal(json_integer_value(json_object_get(o, "log_index")), 41);
    assert_int_equal(
        json_integer_value(json_object_get(o, "checkpoint_size")), 77);
    assert_true(json_is_null(json_object_get(j, "next_cursor")));
    json_decref(j);
    api_reply_release(&r);
    /* the node's own listing does not hold it: it is not ours */
    api_get(&S, "/api/v1/records", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body.data, "OSAFE-2026-00042"));
    api_reply_release(&r);
    /* another origin: nothing; origin with another filter: 400 */
    api_get(&S, "/api/v1/records?origin=other.example/log", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body.data, "OSAFE-2026-00042"));
    api_reply_release(&r);
    api_get(&S, "/api/v1/records?origin=" ORIGIN "&status=published", NULL,
            &r);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body.data, "status"));
    api_reply_release(&r);
    api_stop_clean(&S);
    api_fini(&S);
}


/* Beside the running server S (WAL): a peer, its record OSAFE-2026-00042
 * mirrored from entry 41 under its checkpoint of size 77; with split, the
 * peer frozen after a split view whose evidence is kept. */
static void mirror_fixture(const api_srv *S, int split)
{
    char fx[512];
    api_fixture("records/minimal-incident.json", fx, sizeof fx);
    json_error_t je;
    json_t *rec = json_load_file(fx, 0, &je);
    assert_non_null(rec);
    json_object_set_new(rec, "id", json_string("OSAFE-2026-00042"));
    json_object_set_new(rec, "version", json_integer(1));
    json_object_set_new(rec, "state", json_string("published"));
    char *entry = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(rec);
    osafe_store *s;
    osafe_err e;
    char vk[512];
    peer_vkey(vk, sizeof vk);
    assert_int_equal(store_open(S->db, &s, &e), 0);
    assert_int_equal(fed_peer_add(s, PEER, vk, NULL, &e), 0);
    store_peer p;
    assert_int_equal(s->ops->peer_get(s, PEER, &p, &e), 0);
    fed__apply a = {.peer = &p, .checkpoint_size = 77};
    apply(s, &a, 41, entry);
    free(entry);
    if (split) {
        assert_int_equal(s->ops->split_put(s, PEER, ORIGIN, "OLD-NOTE-77",
                                           "NEW-NOTE-77", "",
                                           "same size, another root", &e),
                         0);
        snprintf(p.state, sizeof p.state, "frozen");
        snprintf(p.last_error, sizeof p.last_error,
                 "connect to 10.9.8.7 refused");
        assert_int_equal(s->ops->peer_put(s, &p, 0, &e), 0);
    }
    store_peer_release(&p);
    s->ops->close(s);
}

static void get_page(const api_srv *S, const char *path, int status,
                     api_reply *r)
{
    api_get(S, path, NULL, r);
    assert_int_equal(r->status, status);
}

/* Mirrored records on the web: listed under /incidents?origin= and shown
 * on their own page with their provenance, never among our records. */
static void test_web_mirrored_pages(void **state)
{
    (void)state;
    api_srv S;
    api_init(&S);
    api_start(&S);
    mirror_fixture(&S, 0);
    api_reply r;
    get_page(&S, "/incidents?origin=" ORIGIN, 200, &r);
    assert_non_null(strstr(r.body.data, "id=\"mirror-notice\""));
    assert_non_null(strstr(r.body.data, "data-id=\"OSAFE-2026-00042\" "
                                        "data-origin=\"" ORIGIN "\""));
    assert_non_null(strstr(r.body.data,
                           "/incidents/mirrored?origin=peer.example%2Flog"
                           "&amp;id=OSAFE-2026-00042"));
    api_reply_release(&r);
    /* our own list does not hold it */
    get_page(&S, "/incidents", 200, &r);
    assert_null(strstr(r.body.data, "OSAFE-2026-00042"));
    api_reply_release(&r);
    get_page(&S, "/incidents/mirrored?origin=" ORIGIN "&id=OSAFE-2026-00042",
             200, &r);
    const char *b = r.body.data;
    assert_non_null(strstr(b, "id=\"mirrored-incident\" data-origin=\""
                              ORIGIN "\""));
    assert_non_null(strstr(b, "id=\"mirror-notice\""));
    assert_non_null(strstr(b, "id=\"mirror-origin\" dir=\"ltr\">" ORIGIN));
    assert_non_null(strstr(b, "id=\"mirror-log-index\" dir=\"ltr\">41<"));
    assert_non_null(strstr(b, "id=\"mirror-checkpoint\" dir=\"ltr\">"
                              ORIGIN " / 77<"));
    assert_non_null(strstr(b, "id=\"mirror-peer\" dir=\"ltr\">" PEER));
    /* never our editing or proof pages */
    assert_null(strstr(b, "edit-link"));
    assert_null(strstr(b, "id=\"verify\""));
    api_reply_release(&r);
    /* in Arabic, the notice in Arabic */
    get_page(&S, "/incidents/mirrored?origin=" ORIGIN
                 "&id=OSAFE-2026-00042&lang=ar", 200, &r);
    assert_non_null(strstr(r.body.data, "\xd9\x84\xd9\x8a\xd8\xb3 "
                                        "\xd9\x87\xd8\xb0\xd8\xa7"));
    api_reply_release(&r);
    /* an unknown record, or another origin: 404 */
    get_page(&S, "/incidents/mirrored?origin=" ORIGIN "&id=OSAFE-2026-00043",
             404, &r);
    api_reply_release(&r);
    get_page(&S, "/incidents/mirrored?origin=other.example/log"
                 "&id=OSAFE-2026-00042", 404, &r);
    api_reply_release(&r);
    get_page(&S, "/incidents/mirrored", 404, &r);
    api_reply_release(&r);
    api_stop_clean(&S);
    api_fini(&S);
}

/* /log lists the peers, a frozen one as frozen, and the split-view
 * evidence held against it. */
static void test_web_log_split_evidence(void **state)
{
    (void)state;
    api_srv S;
    api_init(&S);
    api_start(&S);
    api_reply r;
    get_page(&S, "/log", 200, &r);
    assert_null(strstr(r.body.data, "id=\"peers\""));
    api_reply_release(&r);
    mirror_fixture(&S, 1);
    get_page(&S, "/log", 200, &r);
    const char *b = r.body.data;
    assert_non_null(strstr(b, "id=\"peers\""));
    assert_non_null(strstr(b, "class=\"peer\" data-url=\"" PEER
                              "\" data-state=\"frozen\""));
    assert_non_null(strstr(b, "class=\"split-evidence\" data-peer=\""
                              PEER "\""));
    assert_non_null(strstr(b, "OLD-NOTE-77"));
    assert_non_null(strstr(b, "NEW-NOTE-77"));
    assert_non_null(strstr(b, "same size, another root"));
    /* the sync error names the operator's network: not for anonymous */
    assert_null(strstr(b, "10.9.8.7"));
    api_reply_release(&r);
    api_stop_clean(&S);
    api_fini(&S);
}

/* `osafe risk rank --format json` on S's database with the policy text
 * (NULL: the defaults); the parsed result. */
static json_t *rank_json(const api_srv *S, const char *policy)
{
    char pol[256];
    snprintf(pol, sizeof pol, "%s/policy.yaml", S->dir);
    if (policy)
        api_write_file(pol, policy, strlen(policy));
    char *argv[] = {(char *)api_osafe(), "risk", "rank", "--db",
                    (char *)S->db, "--format", "json", "--seed", "7",
                    policy ? "--policy" : NULL, pol, NULL};
    osafe_buf out = OSAFE_BUF_INIT;
    assert_int_equal(api_run(argv, &out, S->err), 0);
    json_error_t je;
    json_t *j = json_loads(out.data, 0, &je);
    buf_release(&out);
    assert_non_null(j);
    return j;
}

/* The ranking leaves peers' records out unless the risk policy says
 * incidents.mirrored: include, and says which it did (JSON, /risks). */
static void test_risk_mirrored_policy(void **state)
{
    (void)state;
    api_srv S;
    api_init(&S);
    api_start(&S);
    mirror_fixture(&S, 0);
    api_reply r;
    get_page(&S, "/risks", 200, &r);
    assert_non_null(strstr(r.body.data, "id=\"risk-mirrored\" "
                                        "data-policy=\"exclude\" "
                                        "data-counted=\"0\""));
    api_reply_release(&r);
    api_stop_clean(&S);
    json_t *def = rank_json(&S, NULL);
    json_t *m = json_object_get(def, "mirrored");
    assert_string_equal(json_string_value(json_object_get(m, "policy")),
                        "exclude");
    assert_int_equal(json_integer_value(json_object_get(m, "counted")), 0);
    json_int_t base = json_integer_value(json_object_get(def, "incidents"));
    json_decref(def);
    json_t *inc = rank_json(&S, "incidents:\n  mirrored: include\n");
    m = json_object_get(inc, "mirrored");
    assert_string_equal(json_string_value(json_object_get(m, "policy")),
                        "include");
    assert_int_equal(json_integer_value(json_object_get(m, "counted")), 1);
    assert_int_equal(json_integer_value(json_object_get(inc, "incidents")),
                     base + 1);
    json_decref(inc);
    /* anything else is refused, naming the key */
    char pol[256];
    snprintf(pol, sizeof pol, "%s/policy.yaml", S.dir);
    api_write_file(pol, "incidents:\n  mirrored: yes\n", 27);
    char *argv[] = {(char *)api_osafe(), "risk", "rank", "--db", S.db,
                    "--policy", pol, NULL};
    assert_int_not_equal(api_run(argv, NULL, S.err), 0);
    size_t n;
    char *err = api_read_file(S.err, &n);
    assert_non_null(strstr(err, "incidents.mirrored"));
    free(err);
    api_fini(&S);
}

/* /risks says whether evaluations mirrored from peers were counted (the
 * policy's evals.mirrored), as the JSON and the table do, in its own
 * line beside #risk-mirrored, in six languages. */
static void test_risk_evals_mirrored_line(void **state)
{
    (void)state;
    static const char *const langs[] = {"en", "fr", "es", "ar", "zh", "ru"};
    api_srv S;
    api_init(&S);
    api_start(&S);
    char en[512] = "";
    for (size_t l = 0; l < 6; l++) {
        char path[64];
        snprintf(path, sizeof path, "/risks?lang=%s", langs[l]);
        api_reply r;
        get_page(&S, path, 200, &r);
        const char *at = strstr(r.body.data,
                                "<p id=\"risk-evals-mirrored\" "
                                "data-policy=\"exclude\" "
                                "data-counted=\"0\">");
        assert_non_null(at);
        /* after the records' line, its own words in each language */
        const char *rec = strstr(r.body.data, "id=\"risk-mirrored\"");
        assert_true(rec && rec < at);
        const char *end = strstr(at, "</p>");
        assert_non_null(end);
        char line[512];
        snprintf(line, sizeof line, "%.*s", (int)(end - at), at);
        /* the policy's key and value as the file writes them */
        assert_non_null(strstr(line, "evals: mirrored: exclude"));
        if (l == 0)
            memcpy(en, line, sizeof en);
        else
            assert_string_not_equal(line, en);
        api_reply_release(&r);
    }
    api_stop_clean(&S);
    api_fini(&S);
    /* with the policy evals.mirrored: include, the page says so */
    api_init(&S);
    char pol[256];
    snprintf(pol, sizeof pol, "%s/policy.yaml", S.dir);
    api_write_file(pol, "evals:\n  mirrored: include\n", 27);
    S.extra[0] = "--risk-policy";
    S.extra[1] = pol;
    api_start(&S);
    api_reply r;
    get_page(&S, "/risks?lang=en", 200, &r);
    assert_non_null(strstr(r.body.data, "<p id=\"risk-evals-mirrored\" "
                                        "data-policy=\"include\" "
                                        "data-counted=\"0\">Evaluations "
                                        "mirrored from other registries are "
                                        "counted"));
    api_reply_release(&r);
    api_stop_clean(&S);
    api_fini(&S);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_peer_add_refuses_bad_input),
        cmocka_unit_test(test_entries_amend_replay_withdraw),
        cmocka_unit_test(test_api_origin_filter),
        cmocka_unit_test(test_web_mirrored_pages),
        cmocka_unit_test(test_web_log_split_evidence),
        cmocka_unit_test(test_risk_mirrored_policy),
        cmocka_unit_test(test_risk_evals_mirrored_line),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
