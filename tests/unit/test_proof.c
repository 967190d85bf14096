/*
 * test_proof.c - proofs as documents and the offline checks
 * (src/tlog/proof.c): the c2sp.org/tlog-proof@v1 vector, JSON round trips,
 * and malformed documents.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "tlog/proof.h"
#include "vectors.h"

static const char *jstr(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    if (!s)
        fail_msg("vector field '%s' missing", key);
    return s;
}

static void parse_vkey(const char *text, tlog_verifier *v)
{
    assert_int_equal(tlog_verifier_parse(text, strlen(text), v, NULL), 0);
}

static void test_tlog_proof_vector(void **state)
{
    (void)state;
    json_t *j = vec_load("proof/tlog-proof.json");
    tlog_verifier v;
    parse_vkey(jstr(j, "log_vkey"), &v);
    const char *text = jstr(j, "proof_text");
    const char *entry = jstr(j, "entry_utf8");
    tlog_hash leaf, want;
    tlog_leaf_hash(&leaf, entry, strlen(entry));
    vec_hash_b64(&want, json_object_get(j, "leaf_hash_b64"));
    assert_memory_equal(leaf.b, want.b, 32);

    tlog_proof p;
    osafe_err e = {0};
    assert_int_equal(tlog_proof_parse(text, strlen(text), &p, &e), 0);
    assert_int_equal(p.type, TLOG_PROOF_INCLUSION);
    assert_int_equal(p.index, 3);
    assert_int_equal(p.size, 0); /* the text form carries no size */
    assert_int_equal(p.n, 4);
    assert_non_null(p.note);
    assert_true(!strncmp(p.note, "example.com/log/testdata\n15\n", 28));
    assert_ptr_equal(p.note + p.note_len, text + strlen(text));
    tlog_checkpoint c;
    if (tlog_check_inclusion(p.note, p.note_len, &v, &p, &leaf, &c, &e) != 0)
        fail_msg("valid proof rejected: %s", e.msg);
    assert_string_equal(jstr(j, "expect"), "valid");
    assert_int_equal(c.size, 15);

    /* Writing the proof back gives the same text. */
    osafe_buf b = OSAFE_BUF_INIT;
    assert_int_equal(tlog_proof_text(p.index, p.h, p.n, p.note, p.note_len,
                                     &b),
                     0);
    assert_string_equal(b.data, text);
    buf_release(&b);

    /* The published negatives. */
    json_t *neg = json_object_get(j, "negative");
    assert_int_equal(json_array_size(neg), 2);
    for (size_t k = 0; k < json_array_size(neg); k++) {
        json_t *x = json_array_get(neg, k);
        const char *t = jstr(x, "proof_text");
        tlog_hash l = leaf;
        json_t *ent = json_object_get(x, "entry_utf8");
        if (ent)
            tlog_leaf_hash(&l, json_string_value(ent),
                           strlen(json_string_value(ent)));
        assert_int_equal(tlog_proof_parse(t, strlen(t), &p, &e), 0);
        if (tlog_check_inclusion(p.note, p.note_len, &v, &p, &l, &c, &e) !=
            OSAFE_EVERIFY)
            fail_msg("negative '%s' accepted", jstr(x, "why"));
        assert_string_equal(jstr(x, "expect"), "reject");
    }

    /* Another key, or the witness's key, does not make the proof valid. */
    assert_int_equal(tlog_proof_parse(text, strlen(text), &p, &e), 0);
    tlog_verifier w;
    const char *wk = jstr(j, "witness_vkey");
    /* The witness key has type 0x04 (cosignature), which note.h does not
     * accept as a verifier: it cannot be used at all. */
    assert_int_equal(tlog_verifier_parse(wk, strlen(wk), &w, NULL),
                     OSAFE_EINVAL);
    tlog_signer other;
    assert_int_equal(tlog_signer_generate("example.com/log/testdata", &other,
                                          NULL),
                     0);
    assert_int_equal(tlog_check_inclusion(p.note, p.note_len, &other.v, &p,
                                          &leaf, &c, &e),
                     OSAFE_EVERIFY);
    tlog_signer_wipe(&other);
    /* One proof hash flipped. */
    p.h[2].b[5] ^= 0x20;
    assert_int_equal(
        tlog_check_inclusion(p.note, p.note_len, &v, &p, &leaf, &c, &e),
        OSAFE_EVERIFY);
    assert_non_null(strstr(e.msg, "entry 3"));

    /* An "extra" line before the index is opaque data. */
    char *withextra = malloc(strlen(text) + 64);
    assert_non_null(withextra);
    const char *nl = strchr(text, '\n') + 1;
    sprintf(withextra, "%.*sextra aGVsbG8=\n%s", (int)(nl - text), text, nl);
    assert_int_equal(tlog_proof_parse(withextra, strlen(withextra), &p, &e),
                     0);
    assert_int_equal(tlog_check_inclusion(p.note, p.note_len, &v, &p, &leaf,
                                          &c, &e),
                     0);
    free(withextra);
    json_decref(j);
}

/* JSON documents from the writers parse back to the same proof, and the
 * checks accept them against Tessera's signed checkpoints. */
static void test_json_round_trips(void **state)
{
    (void)state;
    json_t *j = vec_load("tiles/tessera-testdata-log.json");
    tlog_verifier v;
    parse_vkey(jstr(j, "log_vkey"), &v);
    json_t *cps = json_object_get(j, "checkpoints");
    osafe_err e = {0};

    json_t *ps = json_object_get(json_object_get(j, "computed_inclusion_proofs"),
                                 "proofs");
    for (size_t k = 0; k < json_array_size(ps); k++) {
        json_t *x = json_array_get(ps, k);
        uint64_t idx = (uint64_t)json_integer_value(
            json_object_get(x, "leaf_index"));
        uint64_t size = (uint64_t)json_integer_value(
            json_object_get(x, "tree_size"));
        json_t *pb = json_object_get(x, "proof_b64");
        tlog_hash h[TLOG_PROOF_MAX], leaf, root;
        size_t n = json_array_size(pb);
        for (size_t i = 0; i < n; i++)
            vec_hash_b64(&h[i], json_array_get(pb, i));
        const char *ent = jstr(x, "entry_utf8");
        tlog_leaf_hash(&leaf, ent, strlen(ent));
        const char *note = jstr(json_array_get(cps, size), "checkpoint");
        tlog_checkpoint c;
        assert_int_equal(tlog_checkpoint_open(note, strlen(note), &v, &c, &e),
                         0);
        root = c.root;
        osafe_buf b = OSAFE_BUF_INIT;
        assert_int_equal(tlog_inclusion_json(idx, size, &leaf, &root, h, n,
                                             &b),
                         0);
        tlog_proof p;
        if (tlog_proof_parse(b.data, b.len, &p, &e) != 0)
            fail_msg("%s: %s", b.data, e.msg);
        assert_int_equal(p.type, TLOG_PROOF_INCLUSION);
        assert_int_equal(p.index, idx);
        assert_int_equal(p.size, size);
        assert_int_equal(p.n, n);
        assert_memory_equal(p.h, h, n * sizeof *h);
        assert_null(p.note);
        assert_int_equal(tlog_check_inclusion(note, strlen(note), &v, &p,
                                              &leaf, &c, &e),
                         0);
        /* A document claiming another tree size than the checkpoint's. */
        p.size = size - 1;
        assert_int_equal(tlog_check_inclusion(note, strlen(note), &v, &p,
                                              &leaf, &c, &e),
                         OSAFE_EVERIFY);
        p.size = size;
        /* Against a checkpoint of another size. */
        const char *other = jstr(json_array_get(cps, size - 1), "checkpoint");
        assert_int_equal(tlog_check_inclusion(other, strlen(other), &v, &p,
                                              &leaf, &c, &e),
                         OSAFE_EVERIFY);
        /* Not a consistency proof. */
        assert_int_equal(tlog_check_consistency(note, strlen(note), note,
                                                strlen(note), &v, &p, &e),
                         OSAFE_EINVAL);
        buf_release(&b);
    }

    ps = json_object_get(json_object_get(j, "computed_consistency_proofs"),
                         "proofs");
    for (size_t k = 0; k < json_array_size(ps); k++) {
        json_t *x = json_array_get(ps, k);
        uint64_t s1 = (uint64_t)json_integer_value(json_object_get(x, "size1"));
        uint64_t s2 = (uint64_t)json_integer_value(json_object_get(x, "size2"));
        json_t *pb = json_object_get(x, "proof_b64");
        tlog_hash h[TLOG_PROOF_MAX], r1, r2;
        size_t n = json_array_size(pb);
        for (size_t i = 0; i < n; i++)
            vec_hash_b64(&h[i], json_array_get(pb, i));
        vec_hash_b64(&r1, json_object_get(x, "root1_b64"));
        vec_hash_b64(&r2, json_object_get(x, "root2_b64"));
        osafe_buf b = OSAFE_BUF_INIT;
        assert_int_equal(tlog_consistency_json(s1, s2, &r1, &r2, h, n, &b), 0);
        tlog_proof p;
        if (tlog_proof_parse(b.data, b.len, &p, &e) != 0)
            fail_msg("%s: %s", b.data, e.msg);
        assert_int_equal(p.type, TLOG_PROOF_CONSISTENCY);
        assert_int_equal(p.old_size, s1);
        assert_int_equal(p.size, s2);
        assert_int_equal(p.n, n);
        assert_memory_equal(p.h, h, n * sizeof *h);
        const char *n1 = jstr(json_array_get(cps, s1), "checkpoint");
        const char *n2 = jstr(json_array_get(cps, s2), "checkpoint");
        if (tlog_check_consistency(n1, strlen(n1), n2, strlen(n2), &v, &p,
                                   &e) != 0)
            fail_msg("consistency %llu -> %llu: %s", (unsigned long long)s1,
                     (unsigned long long)s2, e.msg);
        /* Checkpoints swapped or of other sizes. */
        if (s1 != s2)
            assert_int_equal(tlog_check_consistency(n2, strlen(n2), n1,
                                                    strlen(n1), &v, &p, &e),
                             OSAFE_EVERIFY);
        const char *n3 = jstr(json_array_get(cps, s2 - 1), "checkpoint");
        assert_int_equal(tlog_check_consistency(n1, strlen(n1), n3,
                                                strlen(n3), &v, &p, &e),
                         OSAFE_EVERIFY);
        /* A flipped hash. */
        if (p.n > 0) {
            p.h[p.n - 1].b[0] ^= 1;
            assert_int_equal(tlog_check_consistency(n1, strlen(n1), n2,
                                                    strlen(n2), &v, &p, &e),
                             OSAFE_EVERIFY);
        }
        /* Not an inclusion proof. */
        tlog_checkpoint c;
        assert_int_equal(tlog_check_inclusion(n2, strlen(n2), &v, &p, &r1, &c,
                                              &e),
                         OSAFE_EINVAL);
        buf_release(&b);
    }

    /* The largest proofs survive the round trip (66 hashes, sizes near
     * the top of json_int_t). */
    tlog_hash h[TLOG_PROOF_MAX];
    randombytes_buf(h, sizeof h);
    osafe_buf b = OSAFE_BUF_INIT;
    uint64_t big = (uint64_t)INT64_MAX;
    assert_int_equal(tlog_consistency_json(big - 1, big, &h[0], &h[1], h,
                                           TLOG_PROOF_MAX, &b),
                     0);
    tlog_proof p;
    assert_int_equal(tlog_proof_parse(b.data, b.len, &p, &e), 0);
    assert_int_equal(p.old_size, big - 1);
    assert_int_equal(p.size, big);
    assert_int_equal(p.n, TLOG_PROOF_MAX);
    assert_memory_equal(p.h, h, sizeof h);
    buf_release(&b);
    json_decref(j);
}

static void test_malformed(void **state)
{
    (void)state;
    static const char h[] = "\"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\"";
    char doc[8192];
    const char *json_bad[] = {
        "{",
        "{}",
        "{\"type\":\"inclusion\"}",
        "{\"type\":5,\"index\":0,\"tree_size\":1,\"hashes\":[]}",
        "{\"type\":\"receipt\",\"index\":0,\"tree_size\":1,\"hashes\":[]}",
        "{\"type\":\"inclusion\",\"index\":-1,\"tree_size\":1,\"hashes\":[]}",
        "{\"type\":\"inclusion\",\"index\":\"0\",\"tree_size\":1,"
        "\"hashes\":[]}",
        "{\"type\":\"inclusion\",\"index\":0.5,\"tree_size\":1,\"hashes\":[]}",
        "{\"type\":\"inclusion\",\"index\":0,\"hashes\":[]}",
        "{\"type\":\"inclusion\",\"index\":0,\"tree_size\":1}",
        "{\"type\":\"inclusion\",\"index\":0,\"tree_size\":1,\"hashes\":{}}",
        "{\"type\":\"inclusion\",\"index\":0,\"tree_size\":1,\"hashes\":[1]}",
        "{\"type\":\"inclusion\",\"index\":0,\"tree_size\":1,"
        "\"hashes\":[\"AAAA\"]}",
        "{\"type\":\"inclusion\",\"index\":0,\"tree_size\":1,"
        "\"hashes\":[\"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU\"]}",
        "{\"type\":\"inclusion\",\"index\":0,\"index\":1,\"tree_size\":2,"
        "\"hashes\":[]}",
        "{\"type\":\"consistency\",\"old_size\":1,\"hashes\":[]}",
        "{\"type\":\"consistency\",\"old_size\":1,\"new_size\":-2,"
        "\"hashes\":[]}",
        "{\"type\":\"inclusion\",\"index\":0,\"tree_size\":1,\"hashes\":[]} x",
        "{\"type\":\"inclusion\",\"index\":18446744073709551615,"
        "\"tree_size\":1,\"hashes\":[]}",
    };
    for (size_t i = 0; i < sizeof json_bad / sizeof json_bad[0]; i++) {
        tlog_proof p;
        osafe_err e = {0};
        int rc = tlog_proof_parse(json_bad[i], strlen(json_bad[i]), &p, &e);
        if (rc != OSAFE_EINVAL)
            fail_msg("accepted (%d): %s", rc, json_bad[i]);
        if (strncmp(e.msg, "proof:", 6) != 0)
            fail_msg("no message for %s: '%s'", json_bad[i], e.msg);
    }
    /* TLOG_PROOF_MAX hashes are accepted, one more is not. */
    for (int extra = 0; extra < 2; extra++) {
        int at = snprintf(doc, sizeof doc,
                          "  {\"type\":\"inclusion\",\"index\":0,"
                          "\"tree_size\":1,\"hashes\":[");
        for (int i = 0; i < TLOG_PROOF_MAX + extra; i++)
            at += snprintf(doc + at, sizeof doc - (size_t)at, "%s%s",
                           i ? "," : "", h);
        snprintf(doc + at, sizeof doc - (size_t)at, "]}\n");
        tlog_proof p;
        osafe_err e = {0};
        assert_int_equal(tlog_proof_parse(doc, strlen(doc), &p, &e),
                         extra ? OSAFE_EINVAL : 0);
        if (!extra)
            assert_int_equal(p.n, TLOG_PROOF_MAX);
    }

    /* The text form. */
    static const char cp[] = "\nexample.com/log\n1\n"
                             "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n";
    const char *text_bad[] = {
        "",
        "c2sp.org/tlog-proof@v2\nindex 0\n",
        "c2sp.org/tlog-proof@v1",
        "c2sp.org/tlog-proof@v1\n",
        "c2sp.org/tlog-proof@v1\nindex 0\n",        /* no empty line */
        "c2sp.org/tlog-proof@v1\n\n",              /* no index */
        "c2sp.org/tlog-proof@v1\nindex \n\n",
        "c2sp.org/tlog-proof@v1\nindex 01\n\n",
        "c2sp.org/tlog-proof@v1\nindex -1\n\n",
        "c2sp.org/tlog-proof@v1\nindex 18446744073709551616\n\n",
        "c2sp.org/tlog-proof@v1\nIndex 0\n\n",
        "c2sp.org/tlog-proof@v1\nindex 0\nnot base64\n\n",
        "c2sp.org/tlog-proof@v1\nindex 0\nAAAA\n\n",
        "c2sp.org/tlog-proof@v1\nindex 0\nextra aGVsbG8=\n\n",
        "c2sp.org/tlog-proof@v1\nindex 0\nindex 1\n\n",
    };
    for (size_t i = 0; i < sizeof text_bad / sizeof text_bad[0]; i++) {
        /* A checkpoint follows where the header is complete, so that only
         * the header can be at fault. */
        size_t tl = strlen(text_bad[i]);
        int complete = tl >= 2 && !strcmp(text_bad[i] + tl - 2, "\n\n");
        snprintf(doc, sizeof doc, "%s%s", text_bad[i], complete ? cp + 1 : "");
        tlog_proof p;
        osafe_err e = {0};
        int rc = tlog_proof_parse(doc, strlen(doc), &p, &e);
        if (rc != OSAFE_EINVAL)
            fail_msg("accepted (%d): %s", rc, text_bad[i]);
        if (strncmp(e.msg, "proof:", 6) != 0)
            fail_msg("no message for %s: '%s'", text_bad[i], e.msg);
    }
    /* The smallest valid text proof: index 0, no hashes. */
    snprintf(doc, sizeof doc, "c2sp.org/tlog-proof@v1\nindex 0\n%s", cp);
    tlog_proof p;
    assert_int_equal(tlog_proof_parse(doc, strlen(doc), &p, NULL), 0);
    assert_int_equal(p.n, 0);
    assert_string_equal(p.note, cp + 1);

    /* Oversized input is refused before parsing. */
    size_t huge = OSAFE_PROOF_JSON_MAX + OSAFE_NOTE_MAX + 1;
    char *big = malloc(huge);
    assert_non_null(big);
    memset(big, ' ', huge);
    big[0] = '{';
    osafe_err e = {0};
    assert_int_equal(tlog_proof_parse(big, huge, &p, &e), OSAFE_ETOOBIG);
    free(big);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tlog_proof_vector),
        cmocka_unit_test(test_json_round_trips),
        cmocka_unit_test(test_malformed),
    };
    return vec_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
