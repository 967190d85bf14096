/*
 * test_api.c - end to end: the real `osafe serve` on a free loopback port
 * with a temporary database and log, driven over HTTP with libcurl.
 *
 * The whole workflow (the two example records byte for byte as drafts,
 * merge patch, submit, review accept / changes / reject, amendment with a
 * digest chain, withdrawal, links, evidence), the OpenAPI document, and at
 * the end an audit of the whole log and a restart.  Proofs and the /log/
 * mirror are in test_api_proof.c.
 *
 * The tests run in order and share one server: later ones use the records
 * the first one published.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "api_client.h"

static api_srv S;
static char tA[128], tB[128], tRev[128], tAdm[128];

/* Shared between the tests, in order. */
static char idEn[32], idZh[32];
static char *B1;  /* idEn version 1 as published (exact bytes) */
static size_t B1len;
static char *B2;  /* idEn version 2 as published */
static size_t B2len;
static long long L1, L2; /* their log indexes */

static int setup(void **state)
{
    (void)state;
    api_init(&S);
    api_token(&S, "alice", "reporter", "org-a", tA);
    api_token(&S, "bob", "reporter", "org-b", tB);
    api_token(&S, "rita", "reviewer", NULL, tRev);
    api_token(&S, "root", "admin", NULL, tAdm);
    api_start(&S);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    api_fini(&S);
    free(B1);
    free(B2);
    return 0;
}

/* ===== helpers ===== */

static char *example_path(const char *name)
{
    static char p[512];
    snprintf(p, sizeof p, "%s/design/examples/%s", api_shared(), name);
    return p;
}

/* Every field of want is in got with an equal value. */
static void assert_fields_kept(json_t *got, json_t *want, const char *what)
{
    const char *k;
    json_t *v;
    json_object_foreach(want, k, v) {
        if (!json_equal(json_object_get(got, k), v))
            fail_msg("%s: field '%s' changed", what, k);
    }
}

static uint64_t checkpoint_size(void)
{
    api_reply r;
    api_get(&S, "/log/checkpoint", NULL, &r);
    API_EXPECT(&r, 200, "GET /log/checkpoint");
    const char *nl = strchr(r.body.data, '\n');
    assert_non_null(nl);
    uint64_t n = strtoull(nl + 1, NULL, 10);
    api_reply_release(&r);
    return n;
}

/* `osafe log get LOG INDEX`: the entry's exact bytes (malloc'd). */
static char *log_entry(long long index, size_t *len)
{
    char idx[32];
    snprintf(idx, sizeof idx, "%lld", index);
    char *argv[] = {(char *)api_osafe(), "log", "get", S.log, idx, NULL};
    osafe_buf out = OSAFE_BUF_INIT;
    int rc = api_run(argv, &out, NULL);
    if (rc != 0)
        fail_msg("osafe log get %lld: exit %d", index, rc);
    if (!out.data)
        assert_int_equal(buf_puts(&out, ""), 0);
    return buf_detach(&out, len);
}

static void expect_header(const api_reply *r, const char *name,
                          const char *want)
{
    char v[256];
    const char *got = api_hdr(r, name, v, sizeof v);
    if (!got || strcmp(got, want))
        fail_msg("header %s is '%s', expected '%s'", name, got ? got : "-",
                 want);
}

/* ===== the workflow ===== */

static void test_examples_workflow(void **state)
{
    (void)state;
    /* The English example, byte for byte as the file has it. */
    size_t n;
    char *text = api_read_file(example_path("minimal-incident.json"), &n);
    json_t *orig = api_parse_bytes(text, n);
    api_reply r;
    api_http_ex(&S, "POST", "/api/v1/records", tA, "application/json", text,
                n, NULL, 0, &r);
    API_EXPECT(&r, 201, "create English example");
    json_t *j = api_json(&r);
    snprintf(idEn, sizeof idEn, "%s", api_jstr(j, "id"));
    assert_string_equal(api_jstr(j, "state"), "draft");
    char loc[128], want[128];
    snprintf(want, sizeof want, "/api/v1/records/%.31s", idEn);
    assert_non_null(api_hdr(&r, "Location", loc, sizeof loc));
    assert_string_equal(loc, want);
    json_decref(j);
    api_reply_release(&r);
    free(text);

    /* The Chinese example, also as is. */
    text = api_read_file(example_path("minimal-incident-zh.json"), &n);
    json_t *origZh = api_parse_bytes(text, n);
    api_create_text(&S, tA, text, n, idZh);
    free(text);
    assert_string_not_equal(idEn, idZh);

    /* The owner reads the draft: canonical, client fields as sent, server
     * fields added. */
    char *body;
    size_t len;
    assert_int_equal(api_get_record(&S, tA, idEn, 0, &body, &len), 200);
    assert_true(api_is_canonical(body, len));
    j = api_parse_bytes(body, len);
    assert_fields_kept(j, orig, "English draft");
    assert_string_equal(api_jstr(j, "id"), idEn);
    assert_string_equal(api_jstr(j, "state"), "draft");
    assert_int_equal(json_integer_value(json_object_get(j, "version")), 1);
    assert_true(json_is_string(json_object_get(j, "schema_version")));
    assert_null(json_object_get(j, "published"));
    json_decref(j);
    free(body);
    assert_int_equal(api_get_record(&S, tA, idZh, 0, &body, &len), 200);
    j = api_parse_bytes(body, len);
    assert_fields_kept(j, origZh, "Chinese draft");
    json_decref(j);
    free(body);
    /* Drafts are nobody else's business. */
    assert_int_equal(api_get_record(&S, NULL, idEn, 0, NULL, NULL), 404);
    assert_int_equal(api_get_record(&S, tB, idEn, 0, NULL, NULL), 404);

    /* RFC 7396 merge patch: add, nested delete, keep the rest. */
    char path[128];
    snprintf(path, sizeof path, "/api/v1/records/%.31s", idEn);
    const char *patch = "{\"use_mode\":\"intended\",\"aliases\":[\"EX-1\"],"
                        "\"submitter\":{\"role\":null}}";
    api_http_ex(&S, "PATCH", path, tA, "application/merge-patch+json", patch,
                strlen(patch), NULL, 0, &r);
    API_EXPECT(&r, 200, "merge patch");
    api_reply_release(&r);
    assert_int_equal(api_get_record(&S, tA, idEn, 0, &body, &len), 200);
    j = api_parse_bytes(body, len);
    assert_string_equal(api_jstr(j, "use_mode"), "intended");
    json_t *sub = json_object_get(j, "submitter");
    assert_int_equal(json_object_size(sub), 1);
    assert_string_equal(api_jstr(sub, "pseudonym"), "reporter-1");
    assert_true(json_equal(json_object_get(j, "title"),
                           json_object_get(orig, "title")));
    assert_int_equal(json_integer_value(json_object_get(j, "version")), 1);
    json_decref(j);
    free(body);

    /* submit, then the draft is frozen */
    assert_int_equal(api_action(&S, tA, idEn, "submit", NULL, &r), 200);
    j = api_json(&r);
    assert_string_equal(api_jstr(j, "state"), "submitted");
    json_decref(j);
    api_reply_release(&r);
    const char *p2 = "{\"use_mode\":\"misuse\"}";
    api_http_ex(&S, "PATCH", path, tA, "application/merge-patch+json", p2,
                strlen(p2), NULL, 0, &r);
    api_expect_error(&r, 409, NULL, "patch of a submitted version");
    api_reply_release(&r);
    assert_int_equal(api_action(&S, tA, idEn, "submit", NULL, &r), 409);
    api_reply_release(&r);

    /* accept: published, with its log index, appended to the log */
    uint64_t size0 = checkpoint_size();
    L1 = api_accept(&S, tRev, idEn);
    assert_int_equal((uint64_t)L1, size0);
    assert_int_equal(checkpoint_size(), size0 + 1);

    /* Anyone reads the stored bytes: canonical, published, headers. */
    api_get(&S, path, NULL, &r);
    API_EXPECT(&r, 200, "anonymous GET of a CLEAR record");
    expect_header(&r, "X-Osafe-Version", "1");
    expect_header(&r, "X-Osafe-State", "published");
    expect_header(&r, "X-Osafe-TLP", "CLEAR");
    char li[32];
    snprintf(li, sizeof li, "%lld", L1);
    expect_header(&r, "X-Osafe-Log-Index", li);
    B1 = buf_detach(&r.body, &B1len);
    api_reply_release(&r);
    assert_true(api_is_canonical(B1, B1len));
    assert_null(memchr(B1, '\n', B1len));
    assert_true(B1len > 2 && B1[0] == '{' && B1[1] == '"');
    j = api_parse_bytes(B1, B1len);
    assert_string_equal(api_jstr(j, "state"), "published");
    assert_true(json_is_string(json_object_get(j, "published")));
    assert_true(json_equal(json_object_get(j, "ai_systems"),
                           json_object_get(orig, "ai_systems")));
    assert_true(json_equal(json_object_get(j, "description"),
                           json_object_get(orig, "description")));
    json_decref(j);
    /* the same bytes for the owner, for ?version=1, and in the log */
    assert_int_equal(api_get_record(&S, tA, idEn, 0, &body, &len), 200);
    assert_true(len == B1len && !memcmp(body, B1, len));
    free(body);
    assert_int_equal(api_get_record(&S, tB, idEn, 1, &body, &len), 200);
    assert_true(len == B1len && !memcmp(body, B1, len));
    free(body);
    char *ent = log_entry(L1, &len);
    assert_true(len == B1len && !memcmp(ent, B1, len));
    free(ent);
    assert_int_equal(api_get_record(&S, NULL, idEn, 2, NULL, NULL), 404);
    snprintf(path, sizeof path, "/api/v1/records/%.31s?version=x", idEn);
    api_get(&S, path, NULL, &r);
    api_expect_error(&r, 400, "version", "?version=x");
    api_reply_release(&r);

    /* Chinese: "changes" sends it back to draft, then it publishes. */
    assert_int_equal(api_action(&S, tA, idZh, "submit", NULL, &r), 200);
    api_reply_release(&r);
    api_action(&S, tRev, idZh, "review", "{\"decision\":\"changes\"}", &r);
    api_expect_error(&r, 422, "reason", "changes without a reason");
    api_reply_release(&r);
    assert_int_equal(api_action(&S, tRev, idZh, "review",
                                "{\"decision\":\"changes\",\"reason\":"
                                "\"add a source\"}",
                                &r),
                     200);
    j = api_json(&r);
    assert_string_equal(api_jstr(j, "state"), "draft");
    json_decref(j);
    api_reply_release(&r);
    snprintf(path, sizeof path, "/api/v1/records/%.31s", idZh);
    api_get(&S, path, tA, &r);
    API_EXPECT(&r, 200, "owner GET after changes");
    expect_header(&r, "X-Osafe-State", "draft");
    api_reply_release(&r);
    assert_int_equal(api_get_record(&S, NULL, idZh, 0, NULL, NULL), 404);
    api_publish(&S, tA, tRev, idZh);
    assert_int_equal(api_get_record(&S, NULL, idZh, 0, &body, &len), 200);
    assert_true(api_is_canonical(body, len));
    j = api_parse_bytes(body, len);
    assert_true(json_equal(json_object_get(j, "title"),
                           json_object_get(origZh, "title")));
    assert_true(json_equal(json_object_get(j, "description"),
                           json_object_get(origZh, "description")));
    json_decref(j);
    free(body);

    /* reject */
    char idR[32];
    json_t *rec = api_record("Record to be rejected", NULL);
    api_create(&S, tA, rec, idR);
    json_decref(rec);
    assert_int_equal(api_action(&S, tA, idR, "submit", NULL, &r), 200);
    api_reply_release(&r);
    assert_int_equal(api_action(&S, tRev, idR, "review",
                                "{\"decision\":\"reject\",\"reason\":\"out "
                                "of scope\"}",
                                &r),
                     200);
    j = api_json(&r);
    assert_string_equal(api_jstr(j, "state"), "rejected");
    assert_null(json_object_get(j, "log_index"));
    json_decref(j);
    api_reply_release(&r);
    snprintf(path, sizeof path, "/api/v1/records/%.31s", idR);
    api_get(&S, path, tA, &r);
    API_EXPECT(&r, 200, "owner GET of a rejected record");
    expect_header(&r, "X-Osafe-State", "rejected");
    api_reply_release(&r);
    assert_int_equal(api_get_record(&S, NULL, idR, 0, NULL, NULL), 404);
    assert_int_equal(api_action(&S, tA, idR, "submit", NULL, &r), 409);
    api_reply_release(&r);
    assert_int_equal(api_action(&S, tRev, idR, "review",
                                "{\"decision\":\"accept\"}", &r),
                     409);
    api_reply_release(&r);
    json_decref(orig);
    json_decref(origZh);
}

static void test_amend_versions(void **state)
{
    (void)state;
    assert_non_null(B1);
    api_reply r;
    json_t *rec = api_record("Amended: the model gives unsafe answers in "
                             "French",
                             NULL);
    char *body = api_dump(rec);
    assert_int_equal(api_action(&S, tA, idEn, "amend", body, &r), 201);
    free(body);
    json_t *j = api_json(&r);
    assert_int_equal(json_integer_value(json_object_get(j, "version")), 2);
    assert_string_equal(api_jstr(j, "state"), "draft");
    json_decref(j);
    api_reply_release(&r);
    /* one pending amendment at a time; others may not amend */
    api_action(&S, tA, idEn, "amend", NULL, &r);
    api_expect_error(&r, 409, NULL, "second amendment");
    api_reply_release(&r);

    /* readers still get version 1, the owner the draft */
    size_t len;
    char *got;
    assert_int_equal(api_get_record(&S, NULL, idEn, 0, &got, &len), 200);
    assert_true(len == B1len && !memcmp(got, B1, len));
    free(got);
    assert_int_equal(api_get_record(&S, NULL, idEn, 2, NULL, NULL), 404);
    assert_int_equal(api_get_record(&S, tA, idEn, 0, &got, &len), 200);
    j = api_parse_bytes(got, len);
    assert_int_equal(json_integer_value(json_object_get(j, "version")), 2);
    assert_string_equal(api_jstr(j, "state"), "draft");
    assert_true(json_equal(json_object_get(j, "title"),
                           json_object_get(rec, "title")));
    json_decref(j);
    free(got);

    L2 = api_publish(&S, tA, tRev, idEn);
    assert_true(L2 > L1);
    assert_int_equal(api_get_record(&S, NULL, idEn, 0, &B2, &B2len), 200);
    assert_true(api_is_canonical(B2, B2len));
    j = api_parse_bytes(B2, B2len);
    json_t *j1 = api_parse_bytes(B1, B1len);
    assert_int_equal(json_integer_value(json_object_get(j, "version")), 2);
    assert_string_equal(api_jstr(j, "state"), "published");
    char hex[65];
    api_sha256_hex(hex, NULL, 0, B1, B1len);
    assert_string_equal(api_jstr(j, "prev_digest"), hex);
    assert_null(json_object_get(j1, "prev_digest"));
    /* first publication date kept */
    assert_string_equal(api_jstr(j, "published"), api_jstr(j1, "published"));
    assert_true(json_equal(json_object_get(j, "title"),
                           json_object_get(rec, "title")));
    json_decref(j);
    json_decref(j1);
    json_decref(rec);
    /* version 1 stays readable, exactly */
    assert_int_equal(api_get_record(&S, NULL, idEn, 1, &got, &len), 200);
    assert_true(len == B1len && !memcmp(got, B1, len));
    free(got);
    assert_int_equal(api_get_record(&S, NULL, idEn, 3, NULL, NULL), 404);
    char path[128];
    snprintf(path, sizeof path, "/api/v1/records/%.31s", idEn);
    api_get(&S, path, NULL, &r);
    expect_header(&r, "X-Osafe-Version", "2");
    char li[32];
    snprintf(li, sizeof li, "%lld", L2);
    expect_header(&r, "X-Osafe-Log-Index", li);
    api_reply_release(&r);

    /* amend with no body starts from the published content; readers keep
     * seeing version 1 until it is published */
    assert_int_equal(api_action(&S, tA, idZh, "amend", NULL, &r), 201);
    api_reply_release(&r);
    char *v1, *v2;
    size_t n1, n2;
    assert_int_equal(api_get_record(&S, tA, idZh, 2, &v2, &n2), 200);
    assert_int_equal(api_get_record(&S, NULL, idZh, 0, &v1, &n1), 200);
    json_t *a = api_parse_bytes(v1, n1), *b = api_parse_bytes(v2, n2);
    assert_int_equal(json_integer_value(json_object_get(a, "version")), 1);
    assert_int_equal(json_integer_value(json_object_get(b, "version")), 2);
    assert_true(json_equal(json_object_get(a, "title"),
                           json_object_get(b, "title")));
    assert_true(json_equal(json_object_get(a, "description"),
                           json_object_get(b, "description")));
    assert_null(json_object_get(b, "published"));
    json_decref(a);
    json_decref(b);
    free(v1);
    free(v2);
}

static void test_withdraw_logged(void **state)
{
    (void)state;
    char idW[32], idD[32];
    json_t *rec = api_record("Record to be withdrawn", NULL);
    api_create(&S, tA, rec, idW);
    api_create(&S, tA, rec, idD);
    json_decref(rec);
    long long lw = api_publish(&S, tA, tRev, idW);
    char *pub;
    size_t publen;
    assert_int_equal(api_get_record(&S, NULL, idW, 0, &pub, &publen), 200);

    api_reply r;
    uint64_t size0 = checkpoint_size();
    api_action(&S, tA, idW, "withdraw", "{}", &r);
    api_expect_error(&r, 422, "reason", "withdraw without a reason");
    api_reply_release(&r);
    api_action(&S, tB, idW, "withdraw", "{\"reason\":\"not mine\"}", &r);
    api_expect_error(&r, 403, NULL, "withdraw by another organisation");
    api_reply_release(&r);
    assert_int_equal(checkpoint_size(), size0);

    assert_int_equal(api_action(&S, tA, idW, "withdraw",
                                "{\"reason\":\"duplicate filing\"}", &r),
                     200);
    json_t *j = api_json(&r);
    assert_string_equal(api_jstr(j, "state"), "withdrawn");
    long long idx = (long long)json_integer_value(json_object_get(j,
                                                                  "log_index"));
    assert_int_equal((uint64_t)idx, size0);
    json_decref(j);
    api_reply_release(&r);
    assert_int_equal(checkpoint_size(), size0 + 1);
    size_t len;
    char *ent = log_entry(idx, &len);
    j = api_parse_bytes(ent, len);
    assert_string_equal(api_jstr(j, "type"), "osafe.withdrawal/v1");
    assert_string_equal(api_jstr(j, "id"), idW);
    assert_string_equal(api_jstr(j, "reason"), "duplicate filing");
    json_decref(j);
    free(ent);
    assert_true(idx > lw);

    /* history stays readable, marked withdrawn */
    char path[128];
    snprintf(path, sizeof path, "/api/v1/records/%.31s", idW);
    api_get(&S, path, NULL, &r);
    API_EXPECT(&r, 200, "GET of a withdrawn record");
    expect_header(&r, "X-Osafe-State", "withdrawn");
    assert_true(r.body.len == publen && !memcmp(r.body.data, pub, publen));
    api_reply_release(&r);
    free(pub);
    char *ids = api_list_ids(&S, "/api/v1/records?status=withdrawn", NULL);
    assert_true(api_has_id(ids, idW));
    free(ids);
    ids = api_list_ids(&S, "/api/v1/records?status=published", NULL);
    assert_false(api_has_id(ids, idW));
    free(ids);

    api_action(&S, tA, idW, "withdraw", "{\"reason\":\"again\"}", &r);
    api_expect_error(&r, 409, NULL, "second withdrawal");
    api_reply_release(&r);
    api_action(&S, tA, idW, "amend", NULL, &r);
    api_expect_error(&r, 409, NULL, "amend a withdrawn record");
    api_reply_release(&r);

    /* a draft that was never published leaves no trace in the log */
    size0 = checkpoint_size();
    assert_int_equal(api_action(&S, tA, idD, "withdraw",
                                "{\"reason\":\"filed by mistake\"}", &r),
                     200);
    j = api_json(&r);
    assert_null(json_object_get(j, "log_index"));
    json_decref(j);
    api_reply_release(&r);
    assert_int_equal(checkpoint_size(), size0);
    /* withdrawal is final: a withdrawn draft is not submitted, a withdrawn
     * submission is not published */
    assert_int_equal(api_action(&S, tA, idD, "submit", NULL, &r), 409);
    api_reply_release(&r);
    snprintf(path, sizeof path, "/api/v1/records/%.31s", idD);
    api_http_ex(&S, "PATCH", path, tA, "application/merge-patch+json",
                "{\"use_mode\":\"misuse\"}", 21, NULL, 0, &r);
    api_expect_error(&r, 409, NULL, "patch of a withdrawn draft");
    api_reply_release(&r);
    char idS[32];
    rec = api_record("Submission withdrawn before review", NULL);
    api_create(&S, tA, rec, idS);
    json_decref(rec);
    assert_int_equal(api_action(&S, tA, idS, "submit", NULL, &r), 200);
    api_reply_release(&r);
    assert_int_equal(api_action(&S, tA, idS, "withdraw",
                                "{\"reason\":\"changed my mind\"}", &r),
                     200);
    api_reply_release(&r);
    api_action(&S, tRev, idS, "review", "{\"decision\":\"accept\"}", &r);
    api_expect_error(&r, 409, NULL, "accept of a withdrawn submission");
    api_reply_release(&r);
    assert_int_equal(checkpoint_size(), size0);
    assert_int_equal(api_get_record(&S, NULL, idS, 0, NULL, NULL), 404);
    snprintf(path, sizeof path, "/api/v1/records/%.31s", idS);
    api_get(&S, path, tA, &r);
    expect_header(&r, "X-Osafe-State", "withdrawn");
    api_reply_release(&r);
}

static void test_links_and_evidence(void **state)
{
    (void)state;
    char idDup[32], idDraft[32];
    json_t *rec = api_record("Same incident, reported twice", NULL);
    api_create(&S, tA, rec, idDup);
    api_create(&S, tA, rec, idDraft);
    json_decref(rec);
    api_publish(&S, tA, tRev, idDup);

    api_reply r;
    char body[256];
    snprintf(body, sizeof body,
             "{\"to\":\"%s\",\"relation\":\"duplicate_of\"}", idEn);
    api_action(&S, tA, idDup, "links", body, &r);
    api_expect_error(&r, 403, NULL, "reporter links");
    api_reply_release(&r);
    api_action(&S, NULL, idDup, "links", body, &r);
    api_expect_error(&r, 401, NULL, "anonymous links");
    api_reply_release(&r);
    snprintf(body, sizeof body, "{\"to\":\"%s\",\"relation\":\"duplicate_of\"}",
             idDup);
    api_action(&S, tRev, idDup, "links", body, &r);
    api_expect_error(&r, 422, "to", "link to itself");
    api_reply_release(&r);
    snprintf(body, sizeof body, "{\"to\":\"%s\",\"relation\":\"twin\"}",
             idEn);
    api_action(&S, tRev, idDup, "links", body, &r);
    api_expect_error(&r, 422, "relation", "unknown relation");
    api_reply_release(&r);
    api_action(&S, tRev, idDup, "links",
               "{\"to\":\"OSAFE-1999-99999\",\"relation\":\"related\"}", &r);
    api_expect_error(&r, 404, NULL, "link to a missing record");
    api_reply_release(&r);

    snprintf(body, sizeof body,
             "{\"to\":\"%s\",\"relation\":\"duplicate_of\"}", idEn);
    assert_int_equal(api_action(&S, tRev, idDup, "links", body, &r), 200);
    json_t *j = api_json(&r), *x;
    assert_true(json_is_array(j));
    int found = 0;
    size_t i;
    json_array_foreach(j, i, x) found |=
        !strcmp(api_jstr(x, "from"), idDup) && !strcmp(api_jstr(x, "to"), idEn) &&
        !strcmp(api_jstr(x, "relation"), "duplicate_of");
    assert_true(found);
    json_decref(j);
    api_reply_release(&r);
    /* the duplicate is merged; both ends show the link */
    char path[128];
    snprintf(path, sizeof path, "/api/v1/records/%.31s", idDup);
    api_get(&S, path, NULL, &r);
    API_EXPECT(&r, 200, "GET of a merged record");
    expect_header(&r, "X-Osafe-State", "merged");
    api_reply_release(&r);
    char *ids = api_list_ids(&S, "/api/v1/records?status=merged", NULL);
    assert_true(api_has_id(ids, idDup));
    assert_false(api_has_id(ids, idEn));
    free(ids);
    snprintf(path, sizeof path, "/api/v1/records/%.31s/links", idEn);
    api_get(&S, path, NULL, &r);
    API_EXPECT(&r, 200, "links of the original");
    j = api_json(&r);
    found = 0;
    json_array_foreach(j, i, x) found |= !strcmp(api_jstr(x, "from"), idDup);
    assert_true(found);
    json_decref(j);
    api_reply_release(&r);
    /* a merged draft is closed too */
    char idMd[32];
    json_t *md = api_record("Draft merged before submission", NULL);
    api_create(&S, tA, md, idMd);
    json_decref(md);
    assert_int_equal(api_action(&S, tRev, idMd, "links", body, &r), 200);
    api_reply_release(&r);
    api_action(&S, tA, idMd, "submit", NULL, &r);
    api_expect_error(&r, 409, NULL, "submit of a merged draft");
    api_reply_release(&r);
    /* "related" does not merge */
    snprintf(body, sizeof body, "{\"to\":\"%s\",\"relation\":\"related\"}",
             idEn);
    assert_int_equal(api_action(&S, tRev, idZh, "links", body, &r), 200);
    api_reply_release(&r);
    snprintf(path, sizeof path, "/api/v1/records/%.31s", idZh);
    api_get(&S, path, NULL, &r);
    expect_header(&r, "X-Osafe-State", "published");
    api_reply_release(&r);

    /* evidence on a published record is logged as a digest */
    uint64_t size0 = checkpoint_size();
    const char *ev = "{\"kind\":\"eval_run\",\"benchmark\":\"example-bench\","
                     "\"score\":0.25}";
    assert_int_equal(api_action(&S, tA, idEn, "evidence", ev, &r), 201);
    j = api_json(&r);
    assert_string_equal(api_jstr(j, "record"), idEn);
    assert_true(json_is_integer(json_object_get(j, "evidence_id")));
    long long idx = (long long)json_integer_value(json_object_get(j,
                                                                  "log_index"));
    assert_int_equal((uint64_t)idx, size0);
    json_decref(j);
    api_reply_release(&r);
    assert_int_equal(checkpoint_size(), size0 + 1);
    size_t len;
    char *ent = log_entry(idx, &len);
    j = api_parse_bytes(ent, len);
    free(ent);
    assert_string_equal(api_jstr(j, "type"), "osafe.evidence/v1");
    assert_string_equal(api_jstr(j, "record"), idEn);
    osafe_buf canon = OSAFE_BUF_INIT;
    assert_int_equal(canon_json(ev, strlen(ev), &canon, NULL), 0);
    char hex[65];
    api_sha256_hex(hex, NULL, 0, canon.data, canon.len);
    buf_release(&canon);
    assert_string_equal(api_jstr(j, "sha256"), hex);
    json_decref(j);
    /* on a draft: kept, not logged */
    assert_int_equal(api_action(&S, tA, idDraft, "evidence", ev, &r), 201);
    j = api_json(&r);
    assert_true(json_is_null(json_object_get(j, "log_index")));
    json_decref(j);
    api_reply_release(&r);
    assert_int_equal(checkpoint_size(), size0 + 1);
    api_action(&S, tA, idEn, "evidence", "{\"score\":1}", &r);
    api_expect_error(&r, 422, "kind", "evidence without a kind");
    api_reply_release(&r);
    api_action(&S, NULL, idEn, "evidence", ev, &r);
    api_expect_error(&r, 401, NULL, "anonymous evidence");
    api_reply_release(&r);
    assert_int_equal(checkpoint_size(), size0 + 1);
}

static void test_openapi(void **state)
{
    (void)state;
    api_reply r;
    api_get(&S, "/api/v1/openapi.json", NULL, &r);
    API_EXPECT(&r, 200, "GET openapi.json");
    json_t *j = api_json(&r);
    assert_string_equal(api_jstr(j, "openapi"), "3.1.0");
    json_t *paths = json_object_get(j, "paths");
    assert_true(json_is_object(paths));
    assert_non_null(json_object_get(paths, "/api/v1/records"));
    assert_non_null(json_object_get(paths, "/api/v1/search"));
    json_decref(j);
    api_reply_release(&r);
    api_get(&S, "/api/v1/", NULL, &r);
    API_EXPECT(&r, 200, "GET /api/v1/");
    j = api_json(&r);
    assert_string_equal(api_jstr(j, "openapi"), "/api/v1/openapi.json");
    json_decref(j);
    api_reply_release(&r);
    api_http(&S, "POST", "/api/v1/openapi.json", NULL, "{}", &r);
    api_expect_error(&r, 405, NULL, "POST openapi.json");
    api_reply_release(&r);
}

/* Last: the whole log audits, the server stops cleanly on SIGTERM, and
 * what it acknowledged is there after a restart. */
static void test_zz_audit_and_restart(void **state)
{
    (void)state;
    char *argv[] = {(char *)api_osafe(), "log", "verify", S.log, "--vkey",
                    S.vkey, NULL};
    assert_int_equal(api_run(argv, NULL, NULL), 0);
    api_stop_clean(&S);
    assert_int_equal(api_run(argv, NULL, NULL), 0);
    api_start(&S);
    size_t len;
    char *got;
    assert_int_equal(api_get_record(&S, NULL, idEn, 0, &got, &len), 200);
    assert_true(len == B2len && !memcmp(got, B2, len));
    free(got);
    assert_int_equal(api_get_record(&S, NULL, idEn, 1, &got, &len), 200);
    assert_true(len == B1len && !memcmp(got, B1, len));
    free(got);
    /* and it keeps appending where it stopped */
    uint64_t size0 = checkpoint_size();
    api_reply r;
    assert_int_equal(api_action(&S, tAdm, idEn, "evidence",
                                "{\"kind\":\"after_restart\"}", &r),
                     201);
    api_reply_release(&r);
    assert_int_equal(checkpoint_size(), size0 + 1);
    api_stop_clean(&S);
    assert_int_equal(api_run(argv, NULL, NULL), 0);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_examples_workflow),
        cmocka_unit_test(test_amend_versions),
        cmocka_unit_test(test_withdraw_logged),
        cmocka_unit_test(test_links_and_evidence),
        cmocka_unit_test(test_openapi),
        cmocka_unit_test(test_zz_audit_and_restart),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    curl_global_cleanup();
    return rc;
}
