/*
 * test_witness.c - the C2SP tlog-witness add-checkpoint request and the
 * cosignature/v1 line (issue 12): the shared vectors (the spec's statuses
 * for the Tessera testdata log, and the exact cosignature at the vector's
 * time), then our own log for what the vectors lack: a checkpoint that
 * does not extend the one cosigned (422, kept as evidence), a wrong key
 * (403), an unknown origin (404), a malformed body (400).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sodium.h>

#include "api_client.h"
#include "core/enc.h"
#include "core/fsx.h"
#include "federation/federation.h"
#include "store/store.h"
#include "tlog/checkpoint.h"
#include "tlog/cosig.h"
#include "vectors.h"

static osafe_store *temp_store(char dir[64])
{
    snprintf(dir, 64, "/tmp/osafe-wit-XXXXXX");
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/w.db", dir);
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

/* The vector's witness: the RFC 8032 TEST 1 key under its name. */
static void vector_witness(json_t *cos, tlog_signer *w)
{
    const char *name = json_string_value(json_object_get(cos, "name"));
    size_t n;
    uint8_t *seed = vec_hex(json_object_get(cos, "ed25519_seed_hex"), &n);
    assert_int_equal(n, 32);
    memset(w, 0, sizeof *w);
    snprintf(w->v.name, sizeof w->v.name, "%s", name);
    w->v.type = TLOG_SIG_ED25519;
    crypto_sign_seed_keypair(w->v.pk, w->sk, seed);
    w->v.id = tlog_key_id(name, TLOG_SIG_ED25519, w->v.pk, 32);
    free(seed);
}

static void test_cosignature_vector(void **state)
{
    (void)state;
    json_t *d = vec_load("cosignature/cosignature-v1.json");
    if (!d)
        return;
    tlog_signer w;
    vector_witness(json_object_get(d, "cosigner"), &w);
    const char *body = json_string_value(json_object_get(d,
                                                         "checkpoint_body"));
    const char *want = json_string_value(json_object_get(d,
                                                         "cosignature_line"));
    uint64_t ts = (uint64_t)json_integer_value(json_object_get(d,
                                                               "timestamp"));
    osafe_buf line = OSAFE_BUF_INIT;
    osafe_err e;
    assert_int_equal(tlog_cosig_sign(body, strlen(body), &w, ts, &line, &e),
                     0);
    size_t wl = strlen(want);
    assert_true(line.len == wl || line.len == wl + 1);
    assert_memory_equal(line.data, want, wl);
    char kid[9];
    snprintf(kid, sizeof kid, "%08x", tlog_cosig_key_id(&w.v));
    assert_string_equal(kid, json_string_value(json_object_get(
                                 json_object_get(d, "cosigner"),
                                 "key_id_type04_hex")));
    uint64_t got;
    assert_int_equal(tlog_cosig_verify(body, strlen(body), line.data,
                                       line.len, &w.v, &got, &e),
                     0);
    assert_int_equal(got, ts);
    /* one byte of the body changed: the cosignature no longer holds */
    char *bad = strdup(body);
    bad[strlen(bad) - 3] ^= 1;
    assert_int_equal(tlog_cosig_verify(bad, strlen(bad), line.data, line.len,
                                       &w.v, &got, &e),
                     OSAFE_EVERIFY);
    free(bad);
    buf_release(&line);
    json_decref(d);
}

static int add(osafe_store *s, const tlog_signer *w, const char *body,
               uint64_t now, int *status, osafe_buf *out)
{
    osafe_err e;
    return fed_witness_add(s, w, body, strlen(body), now, status, out, &e);
}

static json_t *request(json_t *d, const char *id)
{
    json_t *r;
    size_t i;
    json_array_foreach(json_object_get(d, "requests"), i, r)
        if (!strcmp(json_string_value(json_object_get(r, "id")), id))
            return r;
    fail_msg("no request %s in the vector", id);
    return NULL;
}

static void test_add_checkpoint_vectors(void **state)
{
    (void)state;
    json_t *d = vec_load("witness/add-checkpoint.json");
    json_t *c = vec_load("cosignature/cosignature-v1.json");
    if (!d || !c)
        return;
    char dir[64];
    osafe_store *s = temp_store(dir);
    osafe_err e;
    tlog_signer w;
    vector_witness(json_object_get(c, "cosigner"), &w);
    assert_int_equal(fed_peer_add(s, "http://log.example.com",
                                  json_string_value(json_object_get(
                                      d, "log_vkey")),
                                  NULL, &e),
                     0);
    uint64_t ts = (uint64_t)json_integer_value(json_object_get(c,
                                                               "timestamp"));
    osafe_buf out = OSAFE_BUF_INIT;
    int status;
#define BODY(id) json_string_value(json_object_get(request(d, id), "body"))
    /* first contact: old 0, no proof */
    assert_int_equal(add(s, &w, BODY("first-contact"), ts, &status, &out),
                     0);
    assert_int_equal(status, 200);
    /* the state the next request assumes: size 10 cosigned */
    tlog_hash r10;
    assert_int_equal(b64_decode(r10.b, 32,
                                "y8/gZsZCtitsMan09tY+k8I7Qpr7Y5fbO2tLi9GQnfU=",
                                44),
                     32);
    assert_int_equal(s->ops->begin(s, &e), 0);
    assert_int_equal(s->ops->witness_put(s, "example.com/log/testdata", 10,
                                         r10.b, "", &e),
                     0);
    assert_int_equal(s->ops->commit(s, &e), 0);
    assert_int_equal(add(s, &w, BODY("from-10-to-15"), ts, &status, &out),
                     0);
    assert_int_equal(status, 200);
    assert_string_equal(out.data,
                        json_string_value(json_object_get(
                            request(d, "from-10-to-15"),
                            "expect_response_body_if_time_is_1679315147")));
    /* the same request again: the witness is at 15 now */
    assert_int_equal(add(s, &w, BODY("stale-old-size"), ts, &status, &out),
                     0);
    assert_int_equal(status, 409);
    assert_string_equal(out.data, "15\n");
    assert_int_not_equal(add(s, &w, BODY("old-greater-than-new"), ts,
                             &status, &out),
                         0);
    assert_int_equal(status, 400);
    assert_int_equal(add(s, &w, BODY("same-size-same-root"), ts, &status,
                         &out),
                     0);
    assert_int_equal(status, 200);
#undef BODY
    buf_release(&out);
    drop_store(s, dir);
    json_decref(d);
    json_decref(c);
}

/* "old N\n\n" + a checkpoint of (size, root byte) signed by k. */
static char *signed_request(const tlog_signer *k, uint64_t old, uint64_t size,
                            uint8_t fill)
{
    tlog_checkpoint cp;
    memset(&cp, 0, sizeof cp);
    snprintf(cp.origin, sizeof cp.origin, "%s", k->v.name);
    cp.size = size;
    memset(cp.root.b, fill, 32);
    osafe_buf body = OSAFE_BUF_INIT, req = OSAFE_BUF_INIT;
    osafe_err e;
    assert_int_equal(tlog_checkpoint_format(&cp, &body), 0);
    assert_int_equal(buf_printf(&req, "old %llu\n\n", (unsigned long long)old),
                     0);
    assert_int_equal(tlog_note_sign(body.data, body.len, k, &req, &e), 0);
    buf_release(&body);
    return buf_detach(&req, NULL);
}

static void test_refusals(void **state)
{
    (void)state;
    char dir[64];
    osafe_store *s = temp_store(dir);
    osafe_err e;
    tlog_signer w, log, other;
    assert_int_equal(tlog_signer_generate("w.example/witness", &w, &e), 0);
    assert_int_equal(tlog_signer_generate("l.example/log", &log, &e), 0);
    assert_int_equal(tlog_signer_generate("l.example/log", &other, &e), 0);
    osafe_buf vk = OSAFE_BUF_INIT, out = OSAFE_BUF_INIT;
    assert_int_equal(tlog_verifier_format(&log.v, &vk), 0);
    assert_int_equal(fed_peer_add(s, "http://l.example", vk.data, NULL, &e),
                     0);
    int status;
    char *rq = signed_request(&log, 0, 5, 0xaa);
    assert_int_equal(add(s, &w, rq, 100, &status, &out), 0);
    assert_int_equal(status, 200);
    uint64_t ts;
    const char *nt = strstr(rq, "\n\n") + 2;
    size_t body_len = (size_t)(strstr(nt, "\n\n") + 1 - nt);
    assert_int_equal(tlog_cosig_verify(nt, body_len, out.data, out.len, &w.v,
                                       &ts, &e),
                     0);
    assert_int_equal(ts, 100);
    free(rq);
    /* same size, another root: 422, and the evidence is kept */
    rq = signed_request(&log, 5, 5, 0xbb);
    assert_int_not_equal(add(s, &w, rq, 101, &status, &out), 0);
    assert_int_equal(status, 422);
    free(rq);
    char *o, *n, *p, *r;
    assert_int_equal(s->ops->split_get(s, "witness", &o, &n, &p, &r, &e), 0);
    free(o);
    free(n);
    free(p);
    free(r);
    /* the state did not move: old 5 still answers from root 0xaa */
    rq = signed_request(&log, 5, 5, 0xaa);
    assert_int_equal(add(s, &w, rq, 102, &status, &out), 0);
    assert_int_equal(status, 200);
    free(rq);
    /* the right name, another key: 403 */
    rq = signed_request(&other, 5, 6, 0xcc);
    assert_int_not_equal(add(s, &w, rq, 103, &status, &out), 0);
    assert_int_equal(status, 403);
    free(rq);
    /* an origin this node does not witness: 404 */
    tlog_signer stranger;
    assert_int_equal(tlog_signer_generate("x.example/log", &stranger, &e), 0);
    rq = signed_request(&stranger, 0, 1, 0xdd);
    assert_int_not_equal(add(s, &w, rq, 104, &status, &out), 0);
    assert_int_equal(status, 404);
    free(rq);
    /* malformed: 400 */
    assert_int_not_equal(add(s, &w, "old x\n\n", 105, &status, &out), 0);
    assert_int_equal(status, 400);
    assert_int_not_equal(add(s, &w, "old 0\nnot-base64\n\nx\n", 105, &status,
                             &out),
                         0);
    assert_int_equal(status, 400);
    buf_release(&vk);
    buf_release(&out);
    tlog_signer_wipe(&w);
    tlog_signer_wipe(&log);
    tlog_signer_wipe(&other);
    tlog_signer_wipe(&stranger);
    drop_store(s, dir);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_cosignature_vector),
        cmocka_unit_test(test_add_checkpoint_vectors),
    };
    return vec_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
