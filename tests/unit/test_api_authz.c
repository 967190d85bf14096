/*
 * test_api_authz.c - the authorization matrix of the registry API, end to
 * end against the real `osafe serve`:
 *
 *   callers   anonymous, reporter of org A (the owner), another reporter of
 *             org A, a reporter of org B, a reporter of no organisation,
 *             a reviewer, an admin;
 *   levels    TLP CLEAR, GREEN, AMBER, AMBER+STRICT, RED (published), and
 *             the same levels as unpublished drafts;
 *   reads     get, get ?version=1, list, list ?tlp=, search, proof, links.
 *
 * Who reads what is src/registry/tlp.c: CLEAR everyone; GREEN any account;
 * AMBER and AMBER+STRICT the owner's organisation and node staff; RED the
 * submitting account and node staff.  Drafts: the owner, its organisation
 * (unless RED) and staff.  A record a caller may not read answers 404.
 *
 * Then writes (401 without a token, 403 for a visible record of another
 * organisation or the wrong role, 404 for a hidden one), bad tokens and
 * Authorization headers, and the salted commitments in the public log.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "api_client.h"
#include "tlog/proof.h"
#include "tlog/tile.h"

enum { ANON, OWNER, ORGMATE, OTHER, NOORG, REVIEWER, ADMIN, NCALLERS };
static const char *const caller_name[NCALLERS] = {
    "anonymous", "owner (org A)", "reporter of org A", "reporter of org B",
    "reporter of no org", "reviewer", "admin"};

enum { CLEAR, GREEN, AMBER, STRICT, RED, NLEVELS };
static const char *const level[NLEVELS] = {"CLEAR", "GREEN", "AMBER",
                                           "AMBER+STRICT", "RED"};
static const char *const word[NLEVELS] = {"clear", "green", "amber",
                                          "strict", "red"};

static api_srv S;
static char tok[NCALLERS][128];
static char pub[NLEVELS][32];   /* published records, one per level */
static char draft[NLEVELS][32]; /* unpublished drafts, one per level */
static long long pub_index[NLEVELS];

static const char *T(int caller)
{
    return caller == ANON ? NULL : tok[caller];
}

/* The rules under test (tlp.c), written out independently. */
static int may_read_published(int c, int l)
{
    if (c == REVIEWER || c == ADMIN || c == OWNER)
        return 1;
    switch (l) {
    case CLEAR:
        return 1;
    case GREEN:
        return c != ANON;
    case AMBER:
    case STRICT:
        return c == ORGMATE;
    default:
        return 0;
    }
}

static int may_read_draft(int c, int l)
{
    if (c == REVIEWER || c == ADMIN || c == OWNER)
        return 1;
    return c == ORGMATE && l != RED;
}

static json_t *record_at(int l, const char *kind)
{
    char title[128], desc[256];
    snprintf(title, sizeof title, "Authorization probe zqx%s%s", word[l],
             kind);
    snprintf(desc, sizeof desc,
             "A record at level %s used to check who may read it "
             "(zqx%s%s).",
             level[l], word[l], kind);
    json_t *j = api_record(title, desc);
    json_object_set_new(j, "tlp", json_string(level[l]));
    json_t *sys = json_array_get(json_object_get(j, "ai_systems"), 0);
    json_object_set_new(sys, "name", json_string(!strcmp(kind, "pub")
                                                     ? "authz-model"
                                                     : "authz-draft-model"));
    return j;
}

static int setup(void **state)
{
    (void)state;
    api_init(&S);
    api_token(&S, "owner", "reporter", "org-a", tok[OWNER]);
    api_token(&S, "mate", "reporter", "org-a", tok[ORGMATE]);
    api_token(&S, "other", "reporter", "org-b", tok[OTHER]);
    api_token(&S, "loner", "reporter", NULL, tok[NOORG]);
    api_token(&S, "reviewer", "reviewer", NULL, tok[REVIEWER]);
    api_token(&S, "admin", "admin", NULL, tok[ADMIN]);
    api_start(&S);
    for (int l = 0; l < NLEVELS; l++) {
        json_t *j = record_at(l, "pub");
        api_create(&S, tok[OWNER], j, pub[l]);
        json_decref(j);
        pub_index[l] = api_publish(&S, tok[OWNER], tok[REVIEWER], pub[l]);
        j = record_at(l, "draft");
        api_create(&S, tok[OWNER], j, draft[l]);
        json_decref(j);
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    api_fini(&S);
    return 0;
}

static void expect_status(const api_reply *r, int want, const char *what,
                          int c, const char *id)
{
    if (r->status != want)
        fail_msg("%s %s as %s: HTTP %ld, expected %d", what, id,
                 caller_name[c], r->status, want);
    if (want == 404)
        api_expect_error(r, 404, NULL, what);
}

/* ===== reads ===== */

static void check_reads(int c, const char *id, int l, int visible,
                        int published, const char *ref, size_t reflen)
{
    api_reply r;
    char path[160];
    snprintf(path, sizeof path, "/api/v1/records/%.31s", id);
    api_get(&S, path, T(c), &r);
    expect_status(&r, visible ? 200 : 404, "GET", c, id);
    if (visible && (r.body.len != reflen || memcmp(r.body.data, ref, reflen)))
        fail_msg("GET %s as %s: not the stored bytes", id, caller_name[c]);
    api_reply_release(&r);

    snprintf(path, sizeof path, "/api/v1/records/%.31s?version=1", id);
    api_get(&S, path, T(c), &r);
    expect_status(&r, visible ? 200 : 404, "GET ?version=1", c, id);
    api_reply_release(&r);

    snprintf(path, sizeof path, "/api/v1/records/%.31s/links", id);
    api_get(&S, path, T(c), &r);
    expect_status(&r, visible ? 200 : 404, "GET links", c, id);
    api_reply_release(&r);

    snprintf(path, sizeof path, "/api/v1/records/%.31s/proof", id);
    api_get(&S, path, T(c), &r);
    expect_status(&r, !visible ? 404 : published ? 200 : 409, "GET proof", c,
                  id);
    if (visible && published) {
        json_t *j = api_json(&r);
        const char *salt = json_string_value(json_object_get(j, "salt"));
        if (l == CLEAR ? salt != NULL : !salt || strlen(salt) != 64)
            fail_msg("proof of %s as %s: salt %s", id, caller_name[c],
                     salt ? "given" : "missing");
        json_decref(j);
    }
    api_reply_release(&r);

    /* list, with and without the level filter, and search */
    snprintf(path, sizeof path, "/api/v1/records?model=%s&limit=500",
             published ? "authz-model" : "authz-draft-model");
    char *ids = api_list_ids(&S, path, T(c));
    if (api_has_id(ids, id) != visible)
        fail_msg("list as %s: %s %s", caller_name[c], id,
                 visible ? "missing" : "shown");
    free(ids);
    char *lv = api_escape(level[l]);
    snprintf(path, sizeof path, "/api/v1/records?tlp=%s&limit=500", lv);
    curl_free(lv);
    ids = api_list_ids(&S, path, T(c));
    if (api_has_id(ids, id) != visible)
        fail_msg("list ?tlp=%s as %s: %s %s", level[l], caller_name[c], id,
                 visible ? "missing" : "shown");
    free(ids);
    char q[64];
    snprintf(q, sizeof q, "zqx%s%s", word[l], published ? "pub" : "draft");
    ids = api_search(&S, q, T(c));
    if (api_has_id(ids, id) != visible)
        fail_msg("search as %s: %s %s", caller_name[c], id,
                 visible ? "missing" : "shown");
    free(ids);
}

static void test_read_matrix_published(void **state)
{
    (void)state;
    for (int l = 0; l < NLEVELS; l++) {
        char *ref;
        size_t reflen;
        assert_int_equal(api_get_record(&S, tok[OWNER], pub[l], 0, &ref,
                                        &reflen),
                         200);
        for (int c = 0; c < NCALLERS; c++)
            check_reads(c, pub[l], l, may_read_published(c, l), 1, ref,
                        reflen);
        free(ref);
    }
}

static void test_read_matrix_drafts(void **state)
{
    (void)state;
    for (int l = 0; l < NLEVELS; l++) {
        char *ref;
        size_t reflen;
        assert_int_equal(api_get_record(&S, tok[OWNER], draft[l], 0, &ref,
                                        &reflen),
                         200);
        for (int c = 0; c < NCALLERS; c++)
            check_reads(c, draft[l], l, may_read_draft(c, l), 0, ref, reflen);
        free(ref);
    }
}

/* A hidden record and a missing one look the same. */
static void test_hidden_is_not_found(void **state)
{
    (void)state;
    api_reply a, b;
    char path[160];
    snprintf(path, sizeof path, "/api/v1/records/%.31s", pub[RED]);
    api_get(&S, path, tok[OTHER], &a);
    api_get(&S, "/api/v1/records/OSAFE-1999-99999", tok[OTHER], &b);
    api_expect_error(&a, 404, NULL, "hidden record");
    api_expect_error(&b, 404, NULL, "missing record");
    json_t *ja = api_json(&a), *jb = api_json(&b);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(ja, "error"),
                                          "code")),
        json_string_value(json_object_get(json_object_get(jb, "error"),
                                          "code")));
    json_decref(ja);
    json_decref(jb);
    api_reply_release(&a);
    api_reply_release(&b);
}

/* ===== writes ===== */

static void expect_write(int c, const char *method, const char *id,
                         const char *action, const char *body, int want)
{
    char path[160];
    if (action)
        snprintf(path, sizeof path, "/api/v1/records/%.31s/%s", id, action);
    else
        snprintf(path, sizeof path, "/api/v1/records/%.31s", id);
    api_reply r;
    api_http(&S, method, path, T(c), body, &r);
    if (r.status != want)
        fail_msg("%s %s as %s: HTTP %ld, expected %d", method, path,
                 caller_name[c], r.status, want);
    api_expect_error(&r, want, NULL, path);
    if (want == 401) {
        char v[128];
        assert_non_null(api_hdr(&r, "WWW-Authenticate", v, sizeof v));
    }
    api_reply_release(&r);
}

static void test_write_rules(void **state)
{
    (void)state;
    const char *patch = "{\"use_mode\":\"misuse\"}";
    const char *why = "{\"reason\":\"test\"}";
    const char *accept = "{\"decision\":\"accept\"}";
    char link[128];
    snprintf(link, sizeof link, "{\"to\":\"%s\",\"relation\":\"related\"}",
             pub[GREEN]);
    char *before = api_list_ids(&S, "/api/v1/records?limit=500",
                                tok[ADMIN]);

    /* anonymous: 401 everywhere */
    json_t *j = record_at(CLEAR, "anon");
    char *body = api_dump(j);
    json_decref(j);
    api_reply r;
    api_http(&S, "POST", "/api/v1/records", NULL, body, &r);
    api_expect_error(&r, 401, NULL, "anonymous create");
    api_reply_release(&r);
    free(body);
    expect_write(ANON, "PATCH", draft[CLEAR], NULL, patch, 401);
    expect_write(ANON, "POST", draft[CLEAR], "submit", NULL, 401);
    expect_write(ANON, "POST", pub[CLEAR], "withdraw", why, 401);
    expect_write(ANON, "POST", pub[CLEAR], "amend", NULL, 401);
    expect_write(ANON, "POST", pub[CLEAR], "review", accept, 401);
    expect_write(ANON, "POST", pub[CLEAR], "links", link, 401);
    expect_write(ANON, "POST", pub[CLEAR], "evidence", "{\"kind\":\"x\"}",
                 401);

    /* another organisation (or none): 403 on what it can see, 404 on what
     * it cannot */
    static const int outsiders[] = {OTHER, NOORG};
    for (int i = 0; i < 2; i++) {
        int c = outsiders[i];
        for (int l = CLEAR; l <= GREEN; l++) {
            expect_write(c, "PATCH", pub[l], NULL, patch, 403);
            expect_write(c, "POST", pub[l], "submit", NULL, 403);
            expect_write(c, "POST", pub[l], "withdraw", why, 403);
            expect_write(c, "POST", pub[l], "amend", NULL, 403);
        }
        for (int l = AMBER; l <= RED; l++) {
            expect_write(c, "PATCH", pub[l], NULL, patch, 404);
            expect_write(c, "POST", pub[l], "withdraw", why, 404);
            expect_write(c, "POST", pub[l], "amend", NULL, 404);
        }
        expect_write(c, "PATCH", draft[CLEAR], NULL, patch, 404);
        expect_write(c, "POST", draft[CLEAR], "submit", NULL, 404);
    }
    /* a colleague cannot touch a RED record it may not read */
    expect_write(ORGMATE, "POST", pub[RED], "withdraw", why, 404);
    expect_write(ORGMATE, "PATCH", draft[RED], NULL, patch, 404);
    expect_write(ORGMATE, "POST", draft[RED], "submit", NULL, 404);
    /* reporters do not review or link */
    expect_write(OTHER, "POST", pub[CLEAR], "links", link, 403);
    expect_write(OWNER, "POST", pub[CLEAR], "links", link, 403);

    char *after = api_list_ids(&S, "/api/v1/records?limit=500", tok[ADMIN]);
    assert_string_equal(before, after);
    free(before);
    free(after);
    /* nothing above changed a record */
    for (int l = 0; l < NLEVELS; l++) {
        char path[160];
        snprintf(path, sizeof path, "/api/v1/records/%.31s", pub[l]);
        api_get(&S, path, tok[ADMIN], &r);
        char v[64];
        assert_non_null(api_hdr(&r, "X-Osafe-State", v, sizeof v));
        assert_string_equal(v, "published");
        assert_non_null(api_hdr(&r, "X-Osafe-Version", v, sizeof v));
        assert_string_equal(v, "1");
        api_reply_release(&r);
    }
}

static void test_review_rules(void **state)
{
    (void)state;
    const char *accept = "{\"decision\":\"accept\"}";
    char id[32], own[32];
    json_t *j = record_at(CLEAR, "review");
    api_create(&S, tok[OWNER], j, id);
    api_create(&S, tok[REVIEWER], j, own);
    json_decref(j);
    api_reply r;
    assert_int_equal(api_action(&S, tok[OWNER], id, "submit", NULL, &r), 200);
    api_reply_release(&r);
    assert_int_equal(api_action(&S, tok[REVIEWER], own, "submit", NULL, &r),
                     200);
    api_reply_release(&r);

    expect_write(OWNER, "POST", id, "review", accept, 403);
    expect_write(ORGMATE, "POST", id, "review", accept, 403);
    expect_write(OTHER, "POST", own, "review", accept, 403);
    /* a reviewer cannot publish its own submission; another staff can */
    expect_write(REVIEWER, "POST", own, "review", accept, 403);
    assert_int_equal(api_get_record(&S, NULL, own, 0, NULL, NULL), 404);
    api_accept(&S, tok[ADMIN], own);
    api_accept(&S, tok[REVIEWER], id);
    assert_int_equal(api_get_record(&S, NULL, own, 0, NULL, NULL), 200);
    assert_int_equal(api_get_record(&S, NULL, id, 0, NULL, NULL), 200);
}

/* A pending amendment is the owner's business: readers of the published
 * version get 404 for it on every path, proofs included. */
static void test_pending_amendment_hidden(void **state)
{
    (void)state;
    char id[32];
    json_t *j = record_at(CLEAR, "amended");
    api_create(&S, tok[OWNER], j, id);
    json_decref(j);
    api_publish(&S, tok[OWNER], tok[REVIEWER], id);
    api_reply r;
    assert_int_equal(api_action(&S, tok[OWNER], id, "amend", NULL, &r), 201);
    api_reply_release(&r);
    char get2[160], proof2[160];
    snprintf(get2, sizeof get2, "/api/v1/records/%.31s?version=2", id);
    snprintf(proof2, sizeof proof2, "/api/v1/records/%.31s/proof?version=2",
             id);
    for (int c = 0; c < NCALLERS; c++) {
        int owner_view = may_read_draft(c, CLEAR);
        api_get(&S, get2, T(c), &r);
        expect_status(&r, owner_view ? 200 : 404, "GET ?version=2", c, id);
        api_reply_release(&r);
        api_get(&S, proof2, T(c), &r);
        expect_status(&r, owner_view ? 409 : 404, "proof ?version=2", c, id);
        api_reply_release(&r);
        /* version 1 stays readable and provable for everyone */
        assert_int_equal(api_get_record(&S, T(c), id, 1, NULL, NULL), 200);
        char proof1[160];
        snprintf(proof1, sizeof proof1, "/api/v1/records/%.31s/proof", id);
        api_get(&S, proof1, T(c), &r);
        expect_status(&r, 200, "proof", c, id);
        api_reply_release(&r);
    }
}

/* The level can change with an amendment: each version is read under its
 * own level, on every path. */
static void test_level_change_on_amend(void **state)
{
    (void)state;
    char id[32];
    json_t *j = record_at(AMBER, "relevel");
    api_create(&S, tok[OWNER], j, id);
    api_publish(&S, tok[OWNER], tok[REVIEWER], id);
    char *v1;
    size_t n1;
    assert_int_equal(api_get_record(&S, tok[OWNER], id, 0, &v1, &n1), 200);
    /* a pending RED amendment: the colleague keeps reading the published
     * AMBER version (get, list, search), never the RED draft */
    json_object_set_new(j, "tlp", json_string("RED"));
    char *body = api_dump(j);
    json_decref(j);
    api_reply r;
    assert_int_equal(api_action(&S, tok[OWNER], id, "amend", body, &r), 201);
    api_reply_release(&r);
    free(body);
    char *got;
    size_t n;
    assert_int_equal(api_get_record(&S, tok[ORGMATE], id, 0, &got, &n), 200);
    assert_true(n == n1 && !memcmp(got, v1, n));
    free(got);
    assert_int_equal(api_get_record(&S, tok[ORGMATE], id, 2, NULL, NULL),
                     404);
    assert_int_equal(api_get_record(&S, tok[OTHER], id, 1, NULL, NULL), 404);
    char *ids = api_list_ids(&S, "/api/v1/records?model=authz-draft-model"
                                 "&limit=500",
                             tok[ORGMATE]);
    assert_true(api_has_id(ids, id));
    free(ids);
    api_reply l;
    api_get(&S, "/api/v1/records?model=authz-draft-model&limit=500",
            tok[ORGMATE], &l);
    assert_non_null(strstr(l.body.data, v1)); /* version 1's bytes */
    api_reply_release(&l);
    ids = api_search(&S, "zqxamberrelevel", tok[ORGMATE]);
    assert_true(api_has_id(ids, id));
    free(ids);
    /* once the RED version is published, the record is the owner's */
    api_publish(&S, tok[OWNER], tok[REVIEWER], id);
    for (int c = 0; c < NCALLERS; c++) {
        int want = c == OWNER || c == REVIEWER || c == ADMIN;
        for (int v = 0; v <= 2; v++)
            if ((api_get_record(&S, T(c), id, v, NULL, NULL) == 200) != want)
                fail_msg("GET %s?version=%d as %s after RED", id, v,
                         caller_name[c]);
        ids = api_search(&S, "zqxamberrelevel", T(c));
        if (api_has_id(ids, id) != want)
            fail_msg("search as %s after RED", caller_name[c]);
        free(ids);
    }
    free(v1);
}

static void test_bad_tokens(void **state)
{
    (void)state;
    static const char *const paths[] = {
        "/api/v1/records", "/api/v1/search?q=zqxclearpub", NULL};
    static const char *const headers[] = {
        "Authorization: Bearer not-a-token",
        "Authorization: Basic Zm9vOmJhcg==",
        "Authorization: Token abc",
        "Authorization: Bearer",
        "Authorization: BearerX abc",
        NULL};
    char one[160], proof[160];
    snprintf(one, sizeof one, "/api/v1/records/%.31s", pub[CLEAR]);
    snprintf(proof, sizeof proof, "/api/v1/records/%.31s/proof", pub[CLEAR]);
    const char *all[] = {paths[0], paths[1], one, proof};
    for (int h = 0; headers[h]; h++) {
        for (size_t p = 0; p < sizeof all / sizeof all[0]; p++) {
            api_reply r;
            api_http_ex(&S, "GET", all[p], NULL, NULL, NULL, 0, headers[h], 0,
                        &r);
            if (r.status != 401)
                fail_msg("GET %s with header #%d: HTTP %ld, expected 401",
                         all[p], h, r.status);
            api_expect_error(&r, 401, NULL, all[p]);
            char v[128];
            assert_non_null(api_hdr(&r, "WWW-Authenticate", v, sizeof v));
            api_reply_release(&r);
        }
    }
    /* a bad token on a write is 401 too, not a silent anonymous call */
    api_reply r;
    api_http(&S, "POST", "/api/v1/records", "not-a-token", "{}", &r);
    api_expect_error(&r, 401, NULL, "create with a bad token");
    api_reply_release(&r);
    /* the scheme is case-insensitive (RFC 9110) */
    char h[200];
    snprintf(h, sizeof h, "Authorization: bearer %s", tok[ORGMATE]);
    api_http_ex(&S, "GET", one, NULL, NULL, NULL, 0, h, 0, &r);
    API_EXPECT(&r, 200, "lower-case scheme");
    api_reply_release(&r);
}

/* ===== the public log holds commitments, not restricted records ===== */

/* Entry index of the log as served under /log/ (entry bundles). */
static char *served_entry(long long index, size_t *len)
{
    api_reply r;
    api_get(&S, "/log/checkpoint", NULL, &r);
    API_EXPECT(&r, 200, "GET /log/checkpoint");
    uint64_t size = strtoull(strchr(r.body.data, '\n') + 1, NULL, 10);
    api_reply_release(&r);
    uint64_t bundle = (uint64_t)index / 256;
    unsigned width = tlog_tile_width(0, bundle, size);
    assert_true(width > 0);
    char rel[TLOG_TILE_PATH_MAX], path[TLOG_TILE_PATH_MAX + 8];
    assert_int_equal(tlog_tile_path(rel, TLOG_TILE_ENTRIES, bundle,
                                    width == 256 ? 0 : width),
                     0);
    snprintf(path, sizeof path, "/log/%s", rel);
    api_get(&S, path, NULL, &r);
    API_EXPECT(&r, 200, path);
    tlog_entry ents[OSAFE_TILE_WIDTH];
    osafe_err e;
    assert_int_equal(tlog_bundle_split((const uint8_t *)r.body.data,
                                       r.body.len, width, ents, &e),
                     0);
    const tlog_entry *x = &ents[index % 256];
    char *out = malloc(x->len + 1);
    assert_non_null(out);
    memcpy(out, x->data, x->len);
    out[x->len] = '\0';
    *len = x->len;
    api_reply_release(&r);
    return out;
}

static void test_log_commitments(void **state)
{
    (void)state;
    tlog_verifier v;
    osafe_err e;
    assert_int_equal(tlog_verifier_load(S.vkey, &v, &e), 0);
    for (int l = 0; l < NLEVELS; l++) {
        char *rec;
        size_t reclen, len;
        assert_int_equal(api_get_record(&S, tok[OWNER], pub[l], 0, &rec,
                                        &reclen),
                         200);
        char *ent = served_entry(pub_index[l], &len);
        if (l == CLEAR) {
            assert_true(len == reclen && !memcmp(ent, rec, len));
            free(ent);
            free(rec);
            continue;
        }
        /* {"commitment","id","tlp","type","version"} and nothing else */
        json_t *j = json_loadb(ent, len, 0, NULL);
        assert_non_null(j);
        assert_int_equal(json_object_size(j), 5);
        assert_string_equal(json_string_value(json_object_get(j, "type")),
                            "osafe.record/v1");
        assert_string_equal(json_string_value(json_object_get(j, "id")),
                            pub[l]);
        assert_string_equal(json_string_value(json_object_get(j, "tlp")),
                            level[l]);
        const char *commit =
            json_string_value(json_object_get(j, "commitment"));
        assert_non_null(commit);
        assert_int_equal(strlen(commit), 64);
        char w[32];
        snprintf(w, sizeof w, "zqx%s", word[l]);
        assert_null(strstr(ent, w));
        assert_null(strstr(ent, "title"));
        /* the owner's proof carries the salt; with it the commitment
         * opens to exactly the stored bytes, and to nothing else */
        char path[160];
        snprintf(path, sizeof path, "/api/v1/records/%.31s/proof", pub[l]);
        api_reply r;
        api_get(&S, path, tok[OWNER], &r);
        API_EXPECT(&r, 200, "owner's proof");
        json_t *p = api_json(&r);
        const char *salthex = json_string_value(json_object_get(p, "salt"));
        assert_non_null(salthex);
        uint8_t salt[32];
        assert_int_equal(hex_decode(salt, 32, salthex, strlen(salthex)), 0);
        char hex[65];
        api_sha256_hex(hex, salt, 32, rec, reclen);
        assert_string_equal(hex, commit);
        rec[reclen / 2] ^= 1;
        api_sha256_hex(hex, salt, 32, rec, reclen);
        assert_string_not_equal(hex, commit);
        rec[reclen / 2] ^= 1;
        salt[0] ^= 1;
        api_sha256_hex(hex, salt, 32, rec, reclen);
        assert_string_not_equal(hex, commit);
        /* the proof's entry is the served one, and it is in the log */
        const char *b64 = json_string_value(json_object_get(p, "entry"));
        uint8_t *pe = malloc(strlen(b64) + 1);
        assert_non_null(pe);
        assert_int_equal(b64_decode(pe, strlen(b64), b64, strlen(b64)),
                         (long)len);
        assert_memory_equal(pe, ent, len);
        tlog_proof pr;
        tlog_hash leaf;
        tlog_checkpoint c;
        const char *note = json_string_value(json_object_get(p, "checkpoint"));
        assert_int_equal(tlog_proof_parse(r.body.data, r.body.len, &pr, &e),
                         0);
        tlog_leaf_hash(&leaf, ent, len);
        assert_int_equal(
            tlog_check_inclusion(note, strlen(note), &v, &pr, &leaf, &c, &e),
            0);
        free(pe);
        json_decref(p);
        api_reply_release(&r);
        /* anonymous callers never get the salt of what they cannot read */
        for (int c2 = 0; c2 < NCALLERS; c2++) {
            if (may_read_published(c2, l))
                continue;
            api_get(&S, path, T(c2), &r);
            expect_status(&r, 404, "proof", c2, pub[l]);
            assert_null(strstr(r.body.data, "salt"));
            api_reply_release(&r);
        }
        json_decref(j);
        free(ent);
        free(rec);
    }
}

static void test_withdrawal_of_restricted(void **state)
{
    (void)state;
    char id[32];
    json_t *j = record_at(RED, "withdrawn");
    api_create(&S, tok[OWNER], j, id);
    json_decref(j);
    api_publish(&S, tok[OWNER], tok[REVIEWER], id);
    api_reply r;
    assert_int_equal(api_action(&S, tok[OWNER], id, "withdraw",
                                "{\"reason\":\"zqxsecretreason\"}", &r),
                     200);
    j = api_json(&r);
    long long idx = (long long)json_integer_value(json_object_get(j,
                                                                  "log_index"));
    json_decref(j);
    api_reply_release(&r);
    size_t len;
    char *ent = served_entry(idx, &len);
    j = json_loadb(ent, len, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "type")),
                        "osafe.withdrawal/v1");
    assert_null(json_object_get(j, "reason"));
    assert_null(strstr(ent, "zqxsecret"));
    json_decref(j);
    free(ent);
    /* still hidden from those it always was hidden from */
    assert_int_equal(api_get_record(&S, NULL, id, 0, NULL, NULL), 404);
    assert_int_equal(api_get_record(&S, tok[ORGMATE], id, 0, NULL, NULL),
                     404);
    char *ids = api_list_ids(&S, "/api/v1/records?status=withdrawn",
                             tok[OTHER]);
    assert_false(api_has_id(ids, id));
    free(ids);
    ids = api_list_ids(&S, "/api/v1/records?status=withdrawn", tok[OWNER]);
    assert_true(api_has_id(ids, id));
    free(ids);
}

/* Last: the server stops cleanly, having logged no internal error. */
static void test_zz_clean_exit(void **state)
{
    (void)state;
    api_stop_clean(&S);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_matrix_published),
        cmocka_unit_test(test_read_matrix_drafts),
        cmocka_unit_test(test_hidden_is_not_found),
        cmocka_unit_test(test_write_rules),
        cmocka_unit_test(test_review_rules),
        cmocka_unit_test(test_pending_amendment_hidden),
        cmocka_unit_test(test_level_change_on_amend),
        cmocka_unit_test(test_bad_tokens),
        cmocka_unit_test(test_log_commitments),
        cmocka_unit_test(test_withdrawal_of_restricted),
        cmocka_unit_test(test_zz_clean_exit),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    curl_global_cleanup();
    return rc;
}
