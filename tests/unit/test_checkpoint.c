/*
 * test_checkpoint.c - c2sp.org/tlog-checkpoint bodies and signed
 * checkpoints (src/tlog/checkpoint.c).
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

#include "core/enc.h"
#include "tlog/checkpoint.h"
#include "vectors.h"

static const char *jstr(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    if (!s)
        fail_msg("vector field '%s' missing", key);
    return s;
}

static json_t *find_vector(json_t *j, const char *id)
{
    json_t *vs = json_object_get(j, "parse_vectors");
    for (size_t i = 0; i < json_array_size(vs); i++)
        if (!strcmp(jstr(json_array_get(vs, i), "id"), id))
            return json_array_get(vs, i);
    fail_msg("no vector '%s'", id);
    return NULL;
}

/* The signed text of a note we hold no key for (the note must be well
 * formed: only "no known key" is acceptable as the failure). */
static size_t note_text_len(const char *note, size_t *nsigs)
{
    tlog_note n;
    assert_int_equal(tlog_note_open(note, strlen(note), NULL, 0, &n, NULL),
                     OSAFE_EVERIFY);
    assert_true(n.text_len > 0);
    if (nsigs)
        *nsigs = n.nsigs;
    return n.text_len;
}

/* Decode the payload (after the 4-byte key id) of signature line i. */
static long sig_payload(const char *note, size_t text_len, size_t i,
                        const char *name, uint8_t *out, size_t max)
{
    const char *p = note + text_len + 1;
    for (size_t k = 0; k < i; k++)
        p = strchr(p, '\n') + 1;
    assert_memory_equal(p, "\xE2\x80\x94 ", 4);
    assert_memory_equal(p + 4, name, strlen(name));
    const char *b64 = p + 4 + strlen(name) + 1;
    uint8_t raw[256];
    long n = b64_decode(raw, sizeof raw, b64, strcspn(b64, "\n"));
    assert_true(n >= 4 && (size_t)n - 4 <= max);
    memcpy(out, raw + 4, (size_t)n - 4);
    return n - 4;
}

static void test_parse_vectors(void **state)
{
    (void)state;
    json_t *j = vec_load("checkpoint/checkpoints.json");
    tlog_checkpoint c;
    tlog_hash want;
    osafe_err e = {0};

    /* C2SP example, and its cosigned variant: same body. */
    const char *ids[2] = {"c2sp-checkpoint-example",
                          "c2sp-cosigned-checkpoint-example"};
    json_t *ex0 = json_object_get(find_vector(j, ids[0]), "expect");
    for (int k = 0; k < 2; k++) {
        json_t *v = find_vector(j, ids[k]);
        json_t *ex = json_object_get(v, "expect");
        const char *note = jstr(v, "note");
        size_t nsigs;
        size_t tl = note_text_len(note, &nsigs);
        assert_int_equal(tlog_checkpoint_parse(note, tl, &c, &e), 0);
        assert_string_equal(c.origin, jstr(ex0, "origin"));
        assert_int_equal(c.size,
                         json_integer_value(json_object_get(ex0,
                                                            "tree_size")));
        vec_hash_hex(&want, json_object_get(ex0, "root_hash_hex"));
        assert_memory_equal(c.root.b, want.b, 32);
        assert_int_equal(c.next, 0);
        json_t *sigs = json_object_get(ex, "signatures");
        assert_int_equal(nsigs, json_array_size(sigs));
        for (size_t i = 0; i < nsigs; i++) {
            json_t *s = json_array_get(sigs, i);
            json_t *want_len = json_object_get(s, "signature_bytes");
            if (!want_len)
                want_len = json_object_get(s, "payload_bytes");
            uint8_t pl[128];
            long n = sig_payload(note, tl, i, jstr(s, "name"), pl, sizeof pl);
            assert_int_equal(n, json_integer_value(want_len));
            if (i == 1) {
                /* A cosignature: big-endian timestamp, then signature. */
                uint64_t ts = 0;
                for (int b = 0; b < 8; b++)
                    ts = ts << 8 | pl[b];
                assert_int_equal(ts, json_integer_value(json_object_get(
                                         ex, "witness_timestamp")));
            }
        }
    }

    /* Go sumdb tree note body: same layout, root = leaf hash of
     * "hello world". */
    json_t *v = find_vector(j, "go-sumdb-tree-note-body");
    const char *body = jstr(v, "body");
    assert_int_equal(tlog_checkpoint_parse(body, strlen(body), &c, NULL), 0);
    assert_string_equal(c.origin, "go.sum database tree");
    assert_int_equal(c.size, 123456789012ULL);
    vec_hash_b64(&want,
                 json_object_get(json_object_get(v, "expect"),
                                 "root_hash_b64"));
    assert_memory_equal(c.root.b, want.b, 32);
    tlog_leaf_hash(&want, "hello world", 11);
    assert_memory_equal(c.root.b, want.b, 32);

    /* Sigsum: the origin is derived from the key; root bytes 0x00..0x1f. */
    v = find_vector(j, "sigsum-origin-and-cosigned-message");
    size_t pkl;
    uint8_t *pk = vec_hex(json_object_get(v, "log_public_key_hex"), &pkl);
    uint8_t kh[32];
    char hex[65], origin[128];
    crypto_hash_sha256(kh, pk, pkl);
    hex_encode(hex, kh, 32);
    snprintf(origin, sizeof origin, "sigsum.org/v1/tree/%s", hex);
    assert_string_equal(origin, jstr(v, "origin"));
    free(pk);
    body = jstr(v, "checkpoint_body");
    assert_int_equal(tlog_checkpoint_parse(body, strlen(body), &c, NULL), 0);
    assert_string_equal(c.origin, origin);
    assert_int_equal(c.size, 257);
    for (int i = 0; i < 32; i++)
        assert_int_equal(c.root.b[i], i);
    /* The cosigned message ends with exactly the body we format. */
    osafe_buf b = OSAFE_BUF_INIT;
    assert_int_equal(tlog_checkpoint_format(&c, &b), 0);
    assert_string_equal(b.data, body);
    const char *msg = jstr(v, "cosigned_message");
    assert_string_equal(msg + strlen(msg) - b.len, b.data);
    buf_release(&b);

    /* The empty tree. */
    json_t *et = json_object_get(j, "empty_tree");
    tlog_empty_root(&c.root);
    vec_hash_b64(&want, json_object_get(et, "root_hash_b64"));
    assert_memory_equal(c.root.b, want.b, 32);
    json_decref(j);
}

static void test_invalid_bodies(void **state)
{
    (void)state;
    json_t *j = vec_load("checkpoint/checkpoints.json");
    json_t *vs = json_object_get(json_object_get(j, "invalid_bodies"),
                                 "vectors");
    assert_int_equal(json_array_size(vs), 8);
    for (size_t i = 0; i < json_array_size(vs); i++) {
        json_t *v = json_array_get(vs, i);
        const char *body = jstr(v, "body");
        tlog_checkpoint c;
        osafe_err e = {0};
        int rc = tlog_checkpoint_parse(body, strlen(body), &c, &e);
        if (rc != OSAFE_EINVAL)
            fail_msg("invalid body '%s' gave %d", jstr(v, "why"), rc);
        assert_true(strncmp(e.msg, "checkpoint:", 11) == 0);
    }
    json_decref(j);

    /* More spellings the rules exclude. */
    const char *root = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
    char origin[OSAFE_KEY_NAME_MAX + 2];
    memset(origin, 'o', sizeof origin - 1);
    origin[sizeof origin - 1] = '\0';
    char big[512];
    const char *fmts[][2] = {
        {"example.com/log\n18446744073709551616\n", "size above 2^64-1"},
        {"example.com/log\n99999999999999999999\n", "20 digits, overflow"},
        {"example.com/log\n+1\n", "plus sign"},
        {"example.com/log\n1 \n", "trailing space"},
        {"example.com/log\n 1\n", "leading space"},
        {"example.com/log\n\n", "empty size"},
        {"example.com/log\n00\n", "two zeros"},
    };
    for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
        snprintf(big, sizeof big, "%s%s\n", fmts[i][0], root);
        tlog_checkpoint c;
        if (tlog_checkpoint_parse(big, strlen(big), &c, NULL) != OSAFE_EINVAL)
            fail_msg("accepted: %s", fmts[i][1]);
    }
    const char *bad[] = {
        "",
        "\n",
        "example.com/log\n",
        "example.com/log\n1\n",
        /* base64 of 32 bytes but with the wrong last character (non-zero
         * padding bits): not canonical */
        "example.com/log\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFV=\n",
        /* 33 bytes */
        "example.com/log\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFUA\n",
        /* an empty extension line between two others */
        "example.com/log\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"
        "ext\n\next\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        tlog_checkpoint c;
        if (tlog_checkpoint_parse(bad[i], strlen(bad[i]), &c, NULL) !=
            OSAFE_EINVAL)
            fail_msg("accepted bad body %zu", i);
    }
    /* Origins: at most OSAFE_KEY_NAME_MAX bytes. */
    tlog_checkpoint c;
    snprintf(big, sizeof big, "%s\n1\n%s\n", origin, root);
    assert_int_equal(tlog_checkpoint_parse(big, strlen(big), &c, NULL),
                     OSAFE_EINVAL);
    snprintf(big, sizeof big, "%s\n1\n%s\n", origin + 1, root);
    assert_int_equal(tlog_checkpoint_parse(big, strlen(big), &c, NULL), 0);
    assert_int_equal(strlen(c.origin), OSAFE_KEY_NAME_MAX);
}

static void test_extensions_and_limits(void **state)
{
    (void)state;
    const char *body = "example.com/log\n18446744073709551615\n"
                       "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"
                       "ext one\next two\n";
    tlog_checkpoint c;
    assert_int_equal(tlog_checkpoint_parse(body, strlen(body), &c, NULL), 0);
    assert_int_equal(c.size, UINT64_MAX);
    assert_int_equal(c.next, 2);
    /* The length given is what counts, not a NUL further on. */
    assert_int_equal(tlog_checkpoint_parse(body, strlen(body) - 8, &c, NULL),
                     0);
    assert_int_equal(c.next, 1);
    assert_int_equal(tlog_checkpoint_parse(body, strlen(body) - 9, &c, NULL),
                     OSAFE_EINVAL);

    uint64_t v = 7;
    assert_int_equal(tlog_parse_u64("0", 1, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(tlog_parse_u64("18446744073709551615", 20, &v), 0);
    assert_int_equal(v, UINT64_MAX);
    assert_int_equal(tlog_parse_u64("18446744073709551616", 20, &v), -1);
    assert_int_equal(tlog_parse_u64("184467440737095516150", 21, &v), -1);
    assert_int_equal(tlog_parse_u64("", 0, &v), -1);
    assert_int_equal(tlog_parse_u64("01", 2, &v), -1);
    assert_int_equal(tlog_parse_u64("1a", 2, &v), -1);
    assert_int_equal(tlog_parse_u64("-1", 2, &v), -1);
    /* Only the n bytes given are read. */
    assert_int_equal(tlog_parse_u64("12x", 2, &v), 0);
    assert_int_equal(v, 12);
}

static void test_format_round_trip(void **state)
{
    (void)state;
    uint64_t sizes[] = {0, 1, 255, 256, 20852163, UINT64_MAX};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        tlog_checkpoint c, d;
        memset(&c, 0, sizeof c);
        snprintf(c.origin, sizeof c.origin, "example.org/log-%zu", i);
        c.size = sizes[i];
        randombytes_buf(c.root.b, 32);
        osafe_buf b = OSAFE_BUF_INIT;
        assert_int_equal(tlog_checkpoint_format(&c, &b), 0);
        char want[512], b64[45];
        b64_encode(b64, c.root.b, 32);
        snprintf(want, sizeof want, "%s\n%llu\n%s\n", c.origin,
                 (unsigned long long)c.size, b64);
        assert_string_equal(b.data, want);
        assert_int_equal(tlog_checkpoint_parse(b.data, b.len, &d, NULL), 0);
        assert_memory_equal(&d, &c, sizeof c);
        buf_release(&b);
    }
}

/* All 16 Tessera checkpoints open with the log's key. */
static void test_open_tessera(void **state)
{
    (void)state;
    json_t *j = vec_load("tiles/tessera-testdata-log.json");
    tlog_verifier v;
    const char *vk = jstr(j, "log_vkey");
    assert_int_equal(tlog_verifier_parse(vk, strlen(vk), &v, NULL), 0);
    json_t *cps = json_object_get(j, "checkpoints");
    assert_int_equal(json_array_size(cps), 16);
    for (size_t i = 0; i < json_array_size(cps); i++) {
        json_t *cp = json_array_get(cps, i);
        const char *note = jstr(cp, "checkpoint");
        tlog_checkpoint c;
        osafe_err e = {0};
        if (tlog_checkpoint_open(note, strlen(note), &v, &c, &e) != 0)
            fail_msg("checkpoint %zu: %s", i, e.msg);
        assert_string_equal(c.origin, jstr(j, "origin"));
        assert_int_equal(c.size, i);
        assert_int_equal(c.size,
                         json_integer_value(json_object_get(cp, "size")));
        tlog_hash want;
        vec_hash_hex(&want, json_object_get(cp, "root_hex"));
        assert_memory_equal(c.root.b, want.b, 32);
        /* One byte of the body changed: the signature fails. */
        char *bad = strdup(note);
        bad[strlen(jstr(j, "origin")) + 1] ^= 0x01; /* the size digit */
        assert_int_equal(tlog_checkpoint_open(bad, strlen(bad), &v, &c, &e),
                         OSAFE_EVERIFY);
        free(bad);
    }
    json_decref(j);
}

static void test_open_rules(void **state)
{
    (void)state;
    tlog_signer log, other;
    osafe_err e = {0};
    assert_int_equal(tlog_signer_generate("example.org/log", &log, NULL), 0);
    assert_int_equal(tlog_signer_generate("example.org/other", &other, NULL),
                     0);
    tlog_checkpoint c, got;
    memset(&c, 0, sizeof c);
    snprintf(c.origin, sizeof c.origin, "example.org/log");
    c.size = 42;
    randombytes_buf(c.root.b, 32);
    osafe_buf body = OSAFE_BUF_INIT, note = OSAFE_BUF_INIT;
    assert_int_equal(tlog_checkpoint_format(&c, &body), 0);

    /* Signed by the log's key: opens. */
    assert_int_equal(tlog_note_sign(body.data, body.len, &log, &note, NULL),
                     0);
    assert_int_equal(tlog_checkpoint_open(note.data, note.len, &log.v, &got,
                                          &e),
                     0);
    assert_memory_equal(&got, &c, sizeof c);
    /* Another key: not a known signature. */
    assert_int_equal(tlog_checkpoint_open(note.data, note.len, &other.v, &got,
                                          &e),
                     OSAFE_EVERIFY);
    buf_reset(&note);

    /* A valid signature by a key whose name is not the origin. */
    assert_int_equal(tlog_note_sign(body.data, body.len, &other, &note, NULL),
                     0);
    tlog_note n;
    assert_int_equal(tlog_note_open(note.data, note.len, &other.v, 1, &n,
                                    NULL),
                     0);
    assert_int_equal(tlog_checkpoint_open(note.data, note.len, &other.v, &got,
                                          &e),
                     OSAFE_EVERIFY);
    assert_non_null(strstr(e.msg, "origin"));
    buf_reset(&note);

    /* A signed note whose body is no checkpoint. */
    const char *junk = "example.org/log\n042\nnot a hash\n";
    assert_int_equal(tlog_note_sign(junk, strlen(junk), &log, &note, NULL), 0);
    assert_int_equal(tlog_checkpoint_open(note.data, note.len, &log.v, &got,
                                          &e),
                     OSAFE_EINVAL);
    buf_reset(&note);

    /* Extension lines survive signing and are counted. */
    assert_int_equal(buf_puts(&body, "extension\n"), 0);
    assert_int_equal(tlog_note_sign(body.data, body.len, &log, &note, NULL),
                     0);
    assert_int_equal(tlog_checkpoint_open(note.data, note.len, &log.v, &got,
                                          &e),
                     0);
    assert_int_equal(got.next, 1);
    assert_int_equal(got.size, 42);

    buf_release(&body);
    buf_release(&note);
    tlog_signer_wipe(&log);
    tlog_signer_wipe(&other);
}

/* Found by fuzz/checkpoint.c: tlog_checkpoint_parse accepted an origin
 * line holding a NUL byte and cut it short at the NUL ("example.org/log\0x"
 * read as "example.org/log").  Signed checkpoints were safe (tlog_note_open
 * refuses control characters in the text); bare bodies were not.  Control
 * characters and invalid UTF-8 in the origin are refused now. */
static void test_origin_bytes(void **state)
{
    (void)state;
    const char *root = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
    static const char *const origins[] = {"example.org/log\0other",
                                          "example.org/log\x1b[2J",
                                          "example.org/log\xff"};
    static const size_t lens[] = {21, 19, 16};
    for (size_t i = 0; i < 3; i++) {
        osafe_buf body = OSAFE_BUF_INIT;
        assert_int_equal(buf_append(&body, origins[i], lens[i]), 0);
        assert_int_equal(buf_printf(&body, "\n7\n%s\n", root), 0);
        tlog_checkpoint c;
        osafe_err e = {0};
        assert_int_equal(tlog_checkpoint_parse(body.data, body.len, &c, &e),
                         OSAFE_EINVAL);
        assert_non_null(strstr(e.msg, "origin"));
        buf_release(&body);
    }
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_vectors),
        cmocka_unit_test(test_invalid_bodies),
        cmocka_unit_test(test_extensions_and_limits),
        cmocka_unit_test(test_format_round_trip),
        cmocka_unit_test(test_origin_bytes),
        cmocka_unit_test(test_open_tessera),
        cmocka_unit_test(test_open_rules),
    };
    return vec_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
