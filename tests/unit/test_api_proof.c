/*
 * test_api_proof.c - inclusion proofs of published records, end to end:
 * GET /api/v1/records/{id}/proof checked with the log's own client-side
 * verifier (tlog_proof_parse + tlog_check_inclusion, the verifier key the
 * server wrote beside its log key) and with `osafe log verify-inclusion`;
 * GET /log/checkpoint; the /log/ mirror (tiles and entry bundles with
 * their cache headers, consistent with each other and with the records;
 * nothing else of the log directory reachable); a full audit at the end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "api_client.h"
#include "tlog/proof.h"
#include "tlog/tile.h"

static api_srv S;
static char tA[128], tRev[128];
static char idEn[32];
static char *B1, *B2; /* versions 1 and 2 as published (exact bytes) */
static size_t B1len, B2len;
static long long L1, L2; /* their log indexes */

static uint64_t checkpoint_size(void)
{
    return api_log_size(&S);
}

/* The English example, published, then amended and published again. */
static int setup(void **state)
{
    (void)state;
    api_init(&S);
    api_token(&S, "alice", "reporter", "org-a", tA);
    api_token(&S, "rita", "reviewer", NULL, tRev);
    api_start(&S);
    char p[4096];
    api_fixture("records/minimal-incident.json", p, sizeof p);
    size_t n;
    char *text = api_read_file(p, &n);
    api_create_text(&S, tA, text, n, idEn);
    free(text);
    L1 = api_publish(&S, tA, tRev, idEn);
    assert_int_equal(api_get_record(&S, NULL, idEn, 0, &B1, &B1len), 200);
    json_t *j = api_record("Amended: the model gives unsafe answers in "
                           "French",
                           NULL);
    char *body = api_dump(j);
    json_decref(j);
    api_reply r;
    assert_int_equal(api_action(&S, tA, idEn, "amend", body, &r), 201);
    api_reply_release(&r);
    free(body);
    L2 = api_publish(&S, tA, tRev, idEn);
    assert_int_equal(api_get_record(&S, NULL, idEn, 0, &B2, &B2len), 200);
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

/* ===== proofs ===== */

/* Check an API proof document against entry with the log's verifier. */
static int check_proof(const char *doc, size_t doclen, const void *entry,
                       size_t len, uint64_t *size)
{
    tlog_verifier v;
    osafe_err e;
    assert_int_equal(tlog_verifier_load(S.vkey, &v, &e), 0);
    tlog_proof p;
    assert_int_equal(tlog_proof_parse(doc, doclen, &p, &e), 0);
    json_t *j = api_parse_bytes(doc, doclen);
    const char *note = api_jstr(j, "checkpoint");
    tlog_hash leaf;
    tlog_leaf_hash(&leaf, entry, len);
    tlog_checkpoint c;
    int rc = tlog_check_inclusion(note, strlen(note), &v, &p, &leaf, &c, &e);
    if (size)
        *size = c.size;
    json_decref(j);
    return rc;
}

static void test_proof_inclusion(void **state)
{
    (void)state;
    assert_non_null(B2);
    char path[128];
    snprintf(path, sizeof path, "/api/v1/records/%.31s/proof", idEn);
    api_reply r;
    api_get(&S, path, NULL, &r);
    API_EXPECT(&r, 200, "anonymous proof of a CLEAR record");
    json_t *j = api_json(&r);
    assert_string_equal(api_jstr(j, "type"), "inclusion");
    assert_string_equal(api_jstr(j, "id"), idEn);
    assert_int_equal(json_integer_value(json_object_get(j, "version")), 2);
    assert_int_equal(json_integer_value(json_object_get(j, "index")), L2);
    assert_null(json_object_get(j, "salt"));
    /* the logged entry of a CLEAR record is the record itself */
    const char *b64 = api_jstr(j, "entry");
    uint8_t *entry = malloc(strlen(b64) + 1);
    assert_non_null(entry);
    long n = b64_decode(entry, strlen(b64), b64, strlen(b64));
    assert_true(n == (long)B2len && !memcmp(entry, B2, B2len));
    uint64_t tree;
    assert_int_equal(check_proof(r.body.data, r.body.len, B2, B2len, &tree),
                     0);
    assert_int_equal(json_integer_value(json_object_get(j, "tree_size")),
                     tree);
    /* the check can fail: another record, one byte changed, v1's bytes */
    char *bad = malloc(B2len);
    assert_non_null(bad);
    memcpy(bad, B2, B2len);
    bad[B2len / 2] ^= 1;
    assert_int_not_equal(check_proof(r.body.data, r.body.len, bad, B2len,
                                     NULL),
                         0);
    free(bad);
    assert_int_not_equal(check_proof(r.body.data, r.body.len, B1, B1len,
                                     NULL),
                         0);

    /* the same with `osafe log verify-inclusion` */
    char fp[256], fc[256], fe[256], fb[256];
    snprintf(fp, sizeof fp, "%s/proof.json", S.dir);
    snprintf(fc, sizeof fc, "%s/checkpoint", S.dir);
    snprintf(fe, sizeof fe, "%s/entry", S.dir);
    snprintf(fb, sizeof fb, "%s/entry.bad", S.dir);
    api_write_file(fp, r.body.data, r.body.len);
    api_write_file(fc, api_jstr(j, "checkpoint"), strlen(api_jstr(j, "checkpoint")));
    api_write_file(fe, B2, B2len);
    api_write_file(fb, B1, B1len);
    char *argv[] = {(char *)api_osafe(), "log",  "verify-inclusion",
                    "--vkey",            S.vkey, "--proof",
                    fp,                  "--checkpoint", fc,
                    "--entry",           fe,     NULL};
    assert_int_equal(api_run(argv, NULL, NULL), 0);
    argv[10] = fb;
    assert_int_equal(api_run(argv, NULL, NULL), 1);
    json_decref(j);
    free(entry);
    api_reply_release(&r);

    /* the served checkpoint is signed by the log's key and covers it */
    api_get(&S, "/log/checkpoint", NULL, &r);
    API_EXPECT(&r, 200, "GET /log/checkpoint");
    char cc[128];
    assert_non_null(api_hdr(&r, "Cache-Control", cc, sizeof cc));
    assert_null(strstr(cc, "immutable"));
    tlog_verifier v;
    tlog_checkpoint c;
    osafe_err e;
    assert_int_equal(tlog_verifier_load(S.vkey, &v, &e), 0);
    assert_int_equal(tlog_checkpoint_open(r.body.data, r.body.len, &v, &c, &e),
                     0);
    assert_true(c.size >= tree && c.size > (uint64_t)L2);
    api_reply_release(&r);

    /* version 1 has its own proof */
    snprintf(path, sizeof path, "/api/v1/records/%.31s/proof?version=1", idEn);
    api_get(&S, path, NULL, &r);
    API_EXPECT(&r, 200, "proof of version 1");
    j = api_json(&r);
    assert_int_equal(json_integer_value(json_object_get(j, "index")), L1);
    json_decref(j);
    assert_int_equal(check_proof(r.body.data, r.body.len, B1, B1len, NULL),
                     0);
    api_reply_release(&r);

    /* nothing to prove for drafts; hidden drafts are not found */
    char idD[32];
    json_t *rec = api_record("A draft has no proof", NULL);
    api_create(&S, tA, rec, idD);
    json_decref(rec);
    snprintf(path, sizeof path, "/api/v1/records/%.31s/proof", idD);
    api_get(&S, path, tA, &r);
    api_expect_error(&r, 409, NULL, "proof of the owner's draft");
    api_reply_release(&r);
    api_get(&S, path, NULL, &r);
    api_expect_error(&r, 404, NULL, "anonymous proof of a draft");
    api_reply_release(&r);
    api_get(&S, "/api/v1/records/OSAFE-1999-99999/proof", NULL, &r);
    api_expect_error(&r, 404, NULL, "proof of a missing record");
    api_reply_release(&r);
}

/* ===== the /log/ mirror ===== */

static void expect_tile(const char *rel, int immutable, size_t want_len)
{
    char path[128], file[512], cc[128];
    snprintf(path, sizeof path, "/log/%s", rel);
    snprintf(file, sizeof file, "%s/%s", S.log, rel);
    api_reply r;
    api_get(&S, path, NULL, &r);
    API_EXPECT(&r, 200, path);
    if (!api_hdr(&r, "Cache-Control", cc, sizeof cc))
        fail_msg("%s: no Cache-Control", path);
    if (immutable != (strstr(cc, "immutable") != NULL))
        fail_msg("%s: Cache-Control '%s'", path, cc);
    if (want_len && r.body.len != want_len)
        fail_msg("%s: %zu bytes, expected %zu", path, r.body.len, want_len);
    size_t n;
    char *disk = api_read_file(file, &n);
    assert_true(n == r.body.len && !memcmp(disk, r.body.data, n));
    free(disk);
    api_reply_release(&r);
}

static void test_log_tiles(void **state)
{
    (void)state;
    /* Grow the log past one full tile (256 entries): evidence is one
     * entry per request. */
    uint64_t size = checkpoint_size();
    const char *ev = "{\"kind\":\"eval_run\",\"note\":\"tile filler\"}";
    while (size < 300) {
        api_reply r;
        assert_int_equal(api_action(&S, tRev, idEn, "evidence", ev, &r), 201);
        api_reply_release(&r);
        size++;
    }
    assert_int_equal(checkpoint_size(), size);

    expect_tile("tile/0/000", 1, TLOG_TILE_BYTES);
    expect_tile("tile/entries/000", 1, 0);
    char rel[64];
    snprintf(rel, sizeof rel, "tile/0/001.p/%u", (unsigned)(size - 256));
    expect_tile(rel, 0, (size - 256) * 32);

    /* the full tile's hashes are the leaves of the entries it covers */
    api_reply r, t;
    api_get(&S, "/log/tile/entries/000", NULL, &r);
    api_get(&S, "/log/tile/0/000", NULL, &t);
    tlog_entry ents[OSAFE_TILE_WIDTH];
    osafe_err e;
    assert_int_equal(tlog_bundle_split((const uint8_t *)r.body.data,
                                       r.body.len, 256, ents, &e),
                     0);
    assert_true(ents[L1].len == B1len && !memcmp(ents[L1].data, B1, B1len));
    for (unsigned i = 0; i < 256; i++) {
        tlog_hash h;
        tlog_leaf_hash(&h, ents[i].data, ents[i].len);
        assert_memory_equal(h.b, t.body.data + 32 * i, 32);
    }
    api_reply_release(&r);
    api_reply_release(&t);

    /* nothing else of the directory is served */
    static const char *const refused[] = {
        "/log/.osafe-log", "/log/../x",        "/log/.lock",
        "/log/tile/0/999", "/log/tile/0/000.p/0", "/log/tile/0/0",
        "/log/",           "/log/tile/0/../../.osafe-log", NULL};
    for (const char *const *p = refused; *p; p++) {
        api_get(&S, *p, NULL, &r);
        api_expect_error(&r, 404, NULL, *p);
        assert_null(strstr(r.body.data, "PRIVATE"));
        api_reply_release(&r);
    }
    api_http(&S, "POST", "/log/checkpoint", NULL, "{}", &r);
    api_expect_error(&r, 405, NULL, "POST /log/checkpoint");
    char allow[64];
    assert_non_null(api_hdr(&r, "Allow", allow, sizeof allow));
    assert_string_equal(allow, "GET, HEAD");
    api_reply_release(&r);
    api_http_ex(&S, "HEAD", "/log/checkpoint", NULL, NULL, NULL, 0, NULL, 0,
                &r);
    API_EXPECT(&r, 200, "HEAD /log/checkpoint");
    api_reply_release(&r);
}

/* Last: the whole log audits, before and after a clean stop. */
static void test_zz_audit(void **state)
{
    (void)state;
    char *argv[] = {(char *)api_osafe(), "log", "verify", S.log, "--vkey",
                    S.vkey, NULL};
    assert_int_equal(api_run(argv, NULL, NULL), 0);
    api_stop_clean(&S);
    assert_int_equal(api_run(argv, NULL, NULL), 0);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_proof_inclusion),
        cmocka_unit_test(test_log_tiles),
        cmocka_unit_test(test_zz_audit),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    curl_global_cleanup();
    return rc;
}
