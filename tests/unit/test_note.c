/*
 * test_note.c - C2SP signed notes and Ed25519 key texts (src/tlog/note.c).
 *
 * The published vectors come first (C2SP and Go sumdb/note); the rest
 * exercises the rules of note.h with keys generated here: unknown
 * (name, id) pairs are ignored, a known key that fails rejects the note,
 * at least one known key must verify, and malformed notes or keys are
 * refused as OSAFE_EINVAL rather than as a failed verification.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "core/enc.h"
#include "tlog/note.h"
#include "vectors.h"

static const char em_dash[] = "\xE2\x80\x94";

static const char *jstr(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    if (!s)
        fail_msg("vector field '%s' missing", key);
    return s;
}

/* The vector with this id. */
static json_t *find_vector(json_t *j, const char *id)
{
    json_t *vs = json_object_get(j, "vectors");
    for (size_t i = 0; i < json_array_size(vs); i++)
        if (!strcmp(jstr(json_array_get(vs, i), "id"), id))
            return json_array_get(vs, i);
    fail_msg("no vector '%s'", id);
    return NULL;
}

static void parse_vkey(const char *text, tlog_verifier *v)
{
    osafe_err e = {0};
    if (tlog_verifier_parse(text, strlen(text), v, &e) != 0)
        fail_msg("vkey %s: %s", text, e.msg);
}

static int open_note(const char *note, const tlog_verifier *vs, size_t n,
                     tlog_note *out)
{
    return tlog_note_open(note, strlen(note), vs, n, out, NULL);
}

/* Check the decoded fields of a vkey against the vector's vkey_decoded. */
static void check_decoded(const tlog_verifier *v, json_t *d)
{
    assert_string_equal(v->name, jstr(d, "name"));
    char id[9];
    snprintf(id, sizeof id, "%08x", (unsigned)v->id);
    assert_string_equal(id, jstr(d, "key_id_hex"));
    if (json_object_get(d, "signature_type"))
        assert_int_equal(v->type,
                         json_integer_value(json_object_get(d,
                                                            "signature_type")));
    size_t n;
    uint8_t *pk = vec_hex(json_object_get(d, "ed25519_public_key_hex"), &n);
    assert_int_equal(n, 32);
    assert_memory_equal(v->pk, pk, 32);
    assert_int_equal(tlog_key_id(v->name, TLOG_SIG_ED25519, pk, 32), v->id);
    free(pk);
}

/* ---- published vectors -------------------------------------------------- */

static void test_c2sp_example(void **state)
{
    (void)state;
    json_t *j = vec_load("note/signed-notes.json");
    json_t *v = find_vector(j, "c2sp-signed-note-example");
    tlog_verifier k;
    parse_vkey(jstr(v, "vkey"), &k);
    check_decoded(&k, json_object_get(v, "vkey_decoded"));
    /* Formatting gives back the exact text. */
    osafe_buf b = OSAFE_BUF_INIT;
    assert_int_equal(tlog_verifier_format(&k, &b), 0);
    assert_string_equal(b.data, jstr(v, "vkey"));
    buf_release(&b);

    tlog_note n;
    assert_int_equal(open_note(jstr(v, "note"), &k, 1, &n), 0);
    assert_int_equal(n.text_len, strlen(jstr(v, "note_text")));
    assert_memory_equal(jstr(v, "note"), jstr(v, "note_text"), n.text_len);
    assert_int_equal(n.nsigs, 1);
    assert_int_equal(n.nverified, 1);
    assert_int_equal(n.verified, 1);
    assert_string_equal(jstr(json_object_get(v, "expect"), "result"), "valid");
    json_decref(j);
}

/* Go's PeterNeumann key: parse the private key, re-sign, byte for byte. */
static void test_go_private_key_resign(void **state)
{
    (void)state;
    json_t *j = vec_load("note/signed-notes.json");
    json_t *v = find_vector(j, "go-note-peterneumann");
    tlog_verifier k;
    parse_vkey(jstr(v, "vkey"), &k);
    check_decoded(&k, json_object_get(v, "vkey_decoded"));

    const char *priv = jstr(v, "private_key_go_format");
    tlog_signer s;
    osafe_err e = {0};
    assert_int_equal(tlog_signer_parse(priv, strlen(priv), &s, &e), 0);
    size_t n;
    uint8_t *seed = vec_hex(json_object_get(v, "ed25519_seed_hex"), &n);
    assert_int_equal(n, 32);
    assert_memory_equal(s.sk, seed, 32);
    free(seed);
    assert_string_equal(s.v.name, k.name);
    assert_int_equal(s.v.id, k.id);
    assert_memory_equal(s.v.pk, k.pk, 32);

    osafe_buf b = OSAFE_BUF_INIT;
    assert_int_equal(tlog_signer_format(&s, &b), 0);
    assert_string_equal(b.data, priv);
    buf_reset(&b);
    const char *text = jstr(v, "note_text");
    assert_int_equal(tlog_note_sign(text, strlen(text), &s, &b, NULL), 0);
    assert_string_equal(b.data, jstr(v, "note"));
    buf_release(&b);

    tlog_note nt;
    assert_int_equal(open_note(jstr(v, "note"), &k, 1, &nt), 0);
    assert_int_equal(nt.text_len, strlen(text));
    tlog_signer_wipe(&s);
    static const uint8_t zero[sizeof s] = {0};
    assert_memory_equal(&s, zero, sizeof s);
    json_decref(j);
}

static void test_two_signers(void **state)
{
    (void)state;
    json_t *j = vec_load("note/signed-notes.json");
    json_t *v = find_vector(j, "go-note-two-signers");
    const char *note = jstr(v, "note");
    json_t *cases = json_object_get(v, "known_vkeys_cases");
    assert_int_equal(json_array_size(cases), 3);
    for (size_t c = 0; c < json_array_size(cases); c++) {
        json_t *cs = json_array_get(cases, c);
        json_t *known = json_object_get(cs, "known");
        json_t *expect = json_object_get(cs, "expect");
        tlog_verifier ks[4];
        size_t nk = json_array_size(known);
        assert_true(nk <= 4);
        for (size_t i = 0; i < nk; i++)
            parse_vkey(json_string_value(json_array_get(known, i)), &ks[i]);
        tlog_note n;
        int rc = open_note(note, ks, nk, &n);
        if (!strcmp(jstr(expect, "result"), "valid")) {
            assert_int_equal(rc, 0);
            json_t *ver = json_object_get(expect, "verified");
            assert_int_equal(n.nverified, json_array_size(ver));
            for (size_t i = 0; i < nk; i++)
                assert_true(n.verified & ((uint64_t)1 << i));
        } else {
            assert_int_equal(rc, OSAFE_EVERIFY);
            assert_int_equal(n.nverified, 0);
        }
        assert_int_equal(n.nsigs, 2);
    }
    /* EnochRoot alone, and in the other order. */
    tlog_verifier ks[2];
    parse_vkey("EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop",
               &ks[0]);
    check_decoded(&ks[0], json_object_get(v, "enoch_vkey_decoded"));
    parse_vkey("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy"
               "10TW",
               &ks[1]);
    tlog_note n;
    assert_int_equal(open_note(note, ks, 1, &n), 0);
    assert_int_equal(n.verified, 1);
    assert_int_equal(open_note(note, ks, 2, &n), 0);
    assert_int_equal(n.verified, 3);
    json_decref(j);
}

static void test_tampered_and_malformed(void **state)
{
    (void)state;
    json_t *j = vec_load("note/signed-notes.json");
    json_t *v = find_vector(j, "go-note-tampered-signature");
    tlog_verifier k;
    parse_vkey(json_string_value(json_array_get(json_object_get(v,
                                                                "known_vkeys"),
                                                0)),
               &k);
    tlog_note n;
    osafe_err e = {0};
    const char *note = jstr(v, "note");
    assert_int_equal(tlog_note_open(note, strlen(note), &k, 1, &n, &e),
                     OSAFE_EVERIFY);
    assert_non_null(strstr(e.msg, "PeterNeumann"));

    v = find_vector(j, "go-note-malformed");
    json_t *notes = json_object_get(v, "notes");
    assert_int_equal(json_array_size(notes), 7);
    for (size_t i = 0; i < json_array_size(notes); i++) {
        json_t *x = json_array_get(notes, i);
        char *text;
        size_t len;
        if (json_object_get(x, "note_hex")) {
            text = (char *)vec_hex(json_object_get(x, "note_hex"), &len);
        } else {
            text = strdup(jstr(x, "note"));
            len = strlen(text);
        }
        int rc = tlog_note_open(text, len, &k, 1, &n, NULL);
        if (rc != OSAFE_EINVAL)
            fail_msg("malformed note '%s': rc %d, want EINVAL", jstr(x, "why"),
                     rc);
        free(text);
    }
    json_decref(j);
}

static void test_invalid_vkeys(void **state)
{
    (void)state;
    json_t *j = vec_load("note/signed-notes.json");
    json_t *vs = json_object_get(find_vector(j, "go-vkey-invalid"), "vkeys");
    assert_int_equal(json_array_size(vs), 3);
    for (size_t i = 0; i < json_array_size(vs); i++) {
        const char *t = jstr(json_array_get(vs, i), "vkey");
        tlog_verifier k;
        osafe_err e = {0};
        assert_int_equal(tlog_verifier_parse(t, strlen(t), &k, &e),
                         OSAFE_EINVAL);
        assert_true(strlen(e.msg) > 0);
    }
    json_decref(j);
}

/* Only parsing can be checked (no published key): the LAST empty line
 * separates text and signatures, and UTF-8 text is fine. */
static void test_quasimodo_parse(void **state)
{
    (void)state;
    json_t *j = vec_load("note/signed-notes.json");
    json_t *v = find_vector(j, "c2sp-signed-note-quasimodo-parse-only");
    json_t *ex = json_object_get(v, "expect_parse");
    const char *note = jstr(v, "note");
    tlog_note n;
    osafe_err e = {0};
    /* No known key: well-formed, so "not signed by a known key", not
     * "malformed". */
    assert_int_equal(tlog_note_open(note, strlen(note), NULL, 0, &n, &e),
                     OSAFE_EVERIFY);
    assert_int_equal(n.text_len, strlen(jstr(ex, "note_text")));
    assert_memory_equal(note, jstr(ex, "note_text"), n.text_len);
    assert_int_equal(n.nsigs, 1);

    /* The key id of the line, decoded by hand, matches the vector; a
     * verifier with that (name, id) but another key must reject. */
    json_t *sig = json_array_get(json_object_get(ex, "signatures"), 0);
    const char *line = note + n.text_len + 1;
    assert_memory_equal(line, em_dash, 3);
    const char *name = jstr(sig, "name");
    assert_memory_equal(line + 4, name, strlen(name));
    const char *b64 = line + 4 + strlen(name) + 1;
    uint8_t raw[80];
    long rl = b64_decode(raw, sizeof raw, b64, strcspn(b64, "\n"));
    assert_int_equal(rl,
                     4 + json_integer_value(json_object_get(sig,
                                                            "signature_len")));
    char id[9];
    snprintf(id, sizeof id, "%02x%02x%02x%02x", raw[0], raw[1], raw[2],
             raw[3]);
    assert_string_equal(id, jstr(sig, "key_id_hex"));
    tlog_verifier k;
    memset(&k, 0, sizeof k);
    snprintf(k.name, sizeof k.name, "%s", name);
    k.type = TLOG_SIG_ED25519;
    k.id = (uint32_t)raw[0] << 24 | (uint32_t)raw[1] << 16 |
           (uint32_t)raw[2] << 8 | raw[3];
    memset(k.pk, 0x42, sizeof k.pk);
    assert_int_equal(tlog_note_open(note, strlen(note), &k, 1, &n, &e),
                     OSAFE_EVERIFY);
    assert_non_null(strstr(e.msg, "does not verify"));
    json_decref(j);
}

/* ---- generated keys ----------------------------------------------------- */

static void test_generate_round_trip(void **state)
{
    (void)state;
    tlog_signer s, s2;
    osafe_err e = {0};
    assert_int_equal(tlog_signer_generate("example.org/rt", &s, &e), 0);
    assert_int_equal(s.v.type, TLOG_SIG_ED25519);
    assert_int_equal(s.v.id, tlog_key_id("example.org/rt", TLOG_SIG_ED25519,
                                         s.v.pk, 32));
    /* The public half matches the seed. */
    uint8_t pk[32], sk[64];
    crypto_sign_seed_keypair(pk, sk, s.sk);
    assert_memory_equal(pk, s.v.pk, 32);

    osafe_buf b = OSAFE_BUF_INIT;
    assert_int_equal(tlog_signer_format(&s, &b), 0);
    assert_true(!strncmp(b.data, "PRIVATE+KEY+example.org/rt+", 27));
    /* Key files end in a newline: accepted. */
    assert_int_equal(buf_putc(&b, '\n'), 0);
    assert_int_equal(tlog_signer_parse(b.data, b.len, &s2, &e), 0);
    assert_memory_equal(&s2, &s, sizeof s);
    buf_reset(&b);

    tlog_verifier v;
    assert_int_equal(tlog_verifier_format(&s.v, &b), 0);
    assert_int_equal(tlog_verifier_parse(b.data, b.len, &v, &e), 0);
    assert_memory_equal(&v, &s.v, sizeof v);
    buf_release(&b);

    /* Two generations give two keys. */
    assert_int_equal(tlog_signer_generate("example.org/rt", &s2, &e), 0);
    assert_memory_not_equal(s2.v.pk, s.v.pk, 32);
    /* Invalid names are refused. */
    assert_int_equal(tlog_signer_generate("bad name", &s2, &e), OSAFE_EINVAL);
    assert_int_equal(tlog_signer_generate("", &s2, &e), OSAFE_EINVAL);
    assert_int_equal(tlog_signer_generate("a+b", &s2, &e), OSAFE_EINVAL);
    tlog_signer_wipe(&s);
    tlog_signer_wipe(&s2);
}

static void sign(const char *text, const tlog_signer *s, osafe_buf *out)
{
    assert_int_equal(tlog_note_sign(text, strlen(text), s, out, NULL), 0);
}

static void test_open_rules(void **state)
{
    (void)state;
    tlog_signer a, b, a2;
    assert_int_equal(tlog_signer_generate("example.org/a", &a, NULL), 0);
    assert_int_equal(tlog_signer_generate("example.org/b", &b, NULL), 0);
    assert_int_equal(tlog_signer_generate("example.org/a", &a2, NULL), 0);
    const char *text = "line one\n\nline three after an empty line\n";
    osafe_buf na = OSAFE_BUF_INIT, nab = OSAFE_BUF_INIT;
    sign(text, &a, &na);
    /* A second signature line appended to a signed note. */
    sign(text, &a, &nab);
    osafe_buf tmp = OSAFE_BUF_INIT;
    sign(text, &b, &tmp);
    assert_int_equal(buf_puts(&nab, tmp.data + strlen(text) + 1), 0);
    buf_release(&tmp);

    tlog_note n;
    tlog_verifier vs[3] = {a.v, b.v, a2.v};
    /* Right key. */
    assert_int_equal(open_note(na.data, &vs[0], 1, &n), 0);
    assert_int_equal(n.text_len, strlen(text));
    /* Wrong key of another name: ignored, so nothing verified. */
    assert_int_equal(open_note(na.data, &vs[1], 1, &n), OSAFE_EVERIFY);
    assert_int_equal(n.nsigs, 1);
    assert_int_equal(n.nverified, 0);
    /* Same name, another key (another id): ignored as well. */
    assert_int_equal(open_note(na.data, &vs[2], 1, &n), OSAFE_EVERIFY);
    /* Same name and id but another public key: a known key fails. */
    tlog_verifier forged = a2.v;
    forged.id = a.v.id;
    osafe_err e = {0};
    assert_int_equal(tlog_note_open(na.data, na.len, &forged, 1, &n, &e),
                     OSAFE_EVERIFY);
    assert_non_null(strstr(e.msg, "does not verify"));
    /* Same id, other name: unknown, ignored. */
    tlog_verifier renamed = a.v;
    snprintf(renamed.name, sizeof renamed.name, "example.org/other");
    assert_int_equal(open_note(na.data, &renamed, 1, &n), OSAFE_EVERIFY);
    assert_int_equal(n.nverified, 0);

    /* Two signers: each alone suffices; unknown ones are ignored; a
     * known key failing rejects even when another verifies. */
    assert_int_equal(open_note(nab.data, &vs[0], 1, &n), 0);
    assert_int_equal(n.nsigs, 2);
    assert_int_equal(open_note(nab.data, &vs[1], 1, &n), 0);
    assert_int_equal(open_note(nab.data, vs, 3, &n), 0);
    assert_int_equal(n.verified, 3);
    assert_int_equal(n.nverified, 2);
    tlog_verifier vf[2] = {a.v, b.v};
    memcpy(vf[1].pk, a.v.pk, 32); /* b's (name, id), a's key */
    assert_int_equal(open_note(nab.data, vf, 2, &n), OSAFE_EVERIFY);

    /* Altered body, altered signature. */
    char *alt = strdup(na.data);
    alt[2] ^= 0x01; /* one bit of the signed text */
    assert_int_equal(open_note(alt, &vs[0], 1, &n), OSAFE_EVERIFY);
    strcpy(alt, na.data);
    char *sig = strrchr(alt, ' ') + 10;
    *sig = *sig == 'A' ? 'B' : 'A';
    assert_int_equal(open_note(alt, &vs[0], 1, &n), OSAFE_EVERIFY);
    free(alt);

    /* The same signature twice counts once. */
    osafe_buf dup = OSAFE_BUF_INIT;
    assert_int_equal(buf_puts(&dup, na.data), 0);
    assert_int_equal(buf_puts(&dup, na.data + strlen(text) + 1), 0);
    assert_int_equal(open_note(dup.data, &vs[0], 1, &n), 0);
    assert_int_equal(n.nsigs, 2);
    assert_int_equal(n.nverified, 1);
    buf_release(&dup);

    buf_release(&na);
    buf_release(&nab);
    tlog_signer_wipe(&a);
    tlog_signer_wipe(&a2);
    tlog_signer_wipe(&b);
}

/* Copy tmpl into out with each '@' replaced by rep. */
static void subst(char *out, size_t n, const char *tmpl, const char *rep)
{
    size_t o = 0;
    for (const char *p = tmpl; *p; p++) {
        const char *add = *p == '@' ? rep : p;
        size_t len = *p == '@' ? strlen(rep) : 1;
        assert_true(o + len < n);
        memcpy(out + o, add, len);
        o += len;
    }
    out[o] = '\0';
}

/* Notes built around one good signature line, each spoiled one way. */
static void test_malformed_lines(void **state)
{
    (void)state;
    tlog_signer s;
    assert_int_equal(tlog_signer_generate("example.org/m", &s, NULL), 0);
    osafe_buf good = OSAFE_BUF_INIT;
    const char *text = "hello\n";
    sign(text, &s, &good);
    const char *line = good.data + strlen(text) + 1; /* "— name b64\n" */
    const char *b64 = strrchr(line, ' ') + 1;
    char sigb64[128];
    snprintf(sigb64, sizeof sigb64, "%.*s", (int)strcspn(b64, "\n"), b64);
    tlog_note n;
    assert_int_equal(open_note(good.data, &s.v, 1, &n), 0);

    struct {
        const char *why;
        const char *tmpl; /* "@": the base64 signature */
    } bad[] = {
        {"ASCII hyphen", "hello\n\n- example.org/m @\n"},
        {"no space after the dash", "hello\n\n\xE2\x80\x94" "example.org/m @\n"},
        {"no signature field", "hello\n\n\xE2\x80\x94 example.org/m\n"},
        {"two spaces", "hello\n\n\xE2\x80\x94 example.org/m  @\n"},
        {"trailing space", "hello\n\n\xE2\x80\x94 example.org/m @ \n"},
        {"'+' in the name", "hello\n\n\xE2\x80\x94 example.org+m @\n"},
        {"empty name", "hello\n\n\xE2\x80\x94  @\n"},
        {"tab in the text", "hel\tlo\n\n\xE2\x80\x94 example.org/m @\n"},
        {"CR in the text", "hello\r\n\n\xE2\x80\x94 example.org/m @\n"},
        {"NUL-free but DEL", "hel\x7Flo\n\n\xE2\x80\x94 example.org/m @\n"},
        {"unpadded base64", "hello\n\n\xE2\x80\x94 example.org/m AAAAAAA\n"},
        {"4 bytes only (no signature)",
         "hello\n\n\xE2\x80\x94 example.org/m AAAAAA==\n"},
        {"empty line after the signatures",
         "hello\n\n\xE2\x80\x94 example.org/m @\n\n"},
        {"overlong UTF-8 in the text",
         "h\xC0\xAFllo\n\n\xE2\x80\x94 example.org/m @\n"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char note[512];
        subst(note, sizeof note, bad[i].tmpl, sigb64);
        int rc = open_note(note, &s.v, 1, &n);
        if (rc != OSAFE_EINVAL)
            fail_msg("'%s': rc %d, want EINVAL", bad[i].why, rc);
    }
    /* A truncated signature from the known key is not malformed but fails
     * (it is 4 + fewer than 64 bytes). */
    char note[512];
    snprintf(note, sizeof note, "hello\n\n%s example.org/m %.8s\n", em_dash,
             sigb64);
    assert_int_equal(open_note(note, &s.v, 1, &n), OSAFE_EVERIFY);

    /* More than OSAFE_NOTE_MAX_SIGS signature lines. */
    osafe_buf many = OSAFE_BUF_INIT;
    assert_int_equal(buf_puts(&many, text), 0);
    assert_int_equal(buf_putc(&many, '\n'), 0);
    for (int i = 0; i < OSAFE_NOTE_MAX_SIGS; i++)
        assert_int_equal(buf_puts(&many, line), 0);
    assert_int_equal(open_note(many.data, &s.v, 1, &n), 0);
    assert_int_equal(n.nsigs, OSAFE_NOTE_MAX_SIGS);
    assert_int_equal(buf_puts(&many, line), 0);
    assert_int_equal(open_note(many.data, &s.v, 1, &n), OSAFE_EINVAL);
    buf_release(&many);

    /* Signing refuses texts that could not be opened. */
    osafe_buf out = OSAFE_BUF_INIT;
    assert_int_equal(tlog_note_sign("no newline", 10, &s, &out, NULL),
                     OSAFE_EINVAL);
    assert_int_equal(tlog_note_sign("", 0, &s, &out, NULL), OSAFE_EINVAL);
    assert_int_equal(tlog_note_sign("a\x01" "b\n", 4, &s, &out, NULL),
                     OSAFE_EINVAL);
    assert_int_equal(out.len, 0);
    buf_release(&out);
    buf_release(&good);
    tlog_signer_wipe(&s);
}

static void test_key_texts(void **state)
{
    (void)state;
    tlog_signer s, s2;
    tlog_verifier v;
    assert_int_equal(tlog_signer_generate("example.org/k", &s, NULL), 0);
    osafe_buf b = OSAFE_BUF_INIT;
    assert_int_equal(tlog_verifier_format(&s.v, &b), 0);
    char vk[256];
    snprintf(vk, sizeof vk, "%s", b.data);
    buf_reset(&b);
    assert_int_equal(tlog_signer_format(&s, &b), 0);
    char sk[256];
    snprintf(sk, sizeof sk, "%s", b.data);
    buf_release(&b);

    /* A key id that does not match the key: one hex digit changed. */
    char bad[256];
    snprintf(bad, sizeof bad, "%s", vk);
    char *id = strchr(bad, '+') + 1;
    id[7] = id[7] == '0' ? '1' : '0';
    osafe_err e = {0};
    assert_int_equal(tlog_verifier_parse(bad, strlen(bad), &v, &e),
                     OSAFE_EINVAL);
    assert_non_null(strstr(e.msg, "does not match"));
    snprintf(bad, sizeof bad, "%s", sk);
    id = strchr(bad + strlen("PRIVATE+KEY+"), '+') + 1;
    id[7] = id[7] == '0' ? '1' : '0';
    assert_int_equal(tlog_signer_parse(bad, strlen(bad), &s2, NULL),
                     OSAFE_EINVAL);

    /* Other spellings of a vkey. */
    const char *vbad[] = {
        "",
        "example.org/k",
        "example.org/k+",
        "example.org/k+abcd+AQ==",
        "+00000000+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
        "bad name+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
        /* uppercase hex id (Go writes lowercase) */
        "example.com/foo+530D903A+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k",
        /* base64 without padding / with a stray character */
        "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2",
        "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k!",
    };
    for (size_t i = 0; i < sizeof vbad / sizeof vbad[0]; i++)
        if (tlog_verifier_parse(vbad[i], strlen(vbad[i]), &v, NULL) !=
            OSAFE_EINVAL)
            fail_msg("vkey '%s' accepted", vbad[i]);
    const char *good = "example.com/foo+530d903a+"
                       "AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k\n";
    assert_int_equal(tlog_verifier_parse(good, strlen(good), &v, NULL), 0);

    /* Other spellings of a private key. */
    const char *sbad[] = {
        "",
        "PRIVATE+KEY+",
        "PRIVATE+KEY+name+c74f20a3",
        "private+key+PeterNeumann+c74f20a3+"
        "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
        /* the vkey, not a private key */
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        /* type byte 0x02 instead of 0x01 */
        "PRIVATE+KEY+PeterNeumann+c74f20a3+"
        "AoEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz",
        /* a '+' too many */
        "PRIVATE+KEY+PeterNeumann+c74f20a3+"
        "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz+",
    };
    for (size_t i = 0; i < sizeof sbad / sizeof sbad[0]; i++)
        if (tlog_signer_parse(sbad[i], strlen(sbad[i]), &s2, NULL) !=
            OSAFE_EINVAL)
            fail_msg("private key '%s' accepted", sbad[i]);

    /* Key names. */
    assert_true(tlog_key_name_valid("example.com/log42", 17));
    assert_true(tlog_key_name_valid("caf\xC3\xA9", 5));
    assert_false(tlog_key_name_valid("", 0));
    assert_false(tlog_key_name_valid("a b", 3));
    assert_false(tlog_key_name_valid("a+b", 3));
    assert_false(tlog_key_name_valid("a\tb", 3));
    assert_false(tlog_key_name_valid("a\xC2\xA0" "b", 4));     /* NBSP */
    assert_false(tlog_key_name_valid("a\xE3\x80\x80" "b", 5)); /* U+3000 */
    assert_false(tlog_key_name_valid("a\xFF", 2));
    char longname[OSAFE_KEY_NAME_MAX + 2];
    memset(longname, 'n', sizeof longname);
    assert_true(tlog_key_name_valid(longname, OSAFE_KEY_NAME_MAX));
    assert_false(tlog_key_name_valid(longname, OSAFE_KEY_NAME_MAX + 1));
    tlog_signer_wipe(&s);
}

/* Key files: a private key readable by others is refused. */
static void test_key_files(void **state)
{
    (void)state;
    char dir[] = "/tmp/osafe-test-note-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char kpath[128], vpath[128];
    snprintf(kpath, sizeof kpath, "%s/key", dir);
    snprintf(vpath, sizeof vpath, "%s/vkey", dir);
    tlog_signer s, s2;
    tlog_verifier v;
    assert_int_equal(tlog_signer_generate("example.org/f", &s, NULL), 0);
    osafe_buf b = OSAFE_BUF_INIT;
    assert_int_equal(tlog_signer_format(&s, &b), 0);
    FILE *f = fopen(kpath, "w");
    assert_non_null(f);
    fprintf(f, "%s\n", b.data);
    fclose(f);
    buf_reset(&b);
    assert_int_equal(chmod(kpath, 0644), 0);
    osafe_err e = {0};
    assert_int_equal(tlog_signer_load(kpath, &s2, &e), OSAFE_EINVAL);
    assert_non_null(strstr(e.msg, "readable by others"));
    assert_int_equal(chmod(kpath, 0600), 0);
    assert_int_equal(tlog_signer_load(kpath, &s2, &e), 0);
    assert_memory_equal(&s2, &s, sizeof s);

    assert_int_equal(tlog_verifier_format(&s.v, &b), 0);
    f = fopen(vpath, "w");
    assert_non_null(f);
    fprintf(f, "%s\n", b.data);
    fclose(f);
    assert_int_equal(tlog_verifier_load(vpath, &v, &e), 0);
    assert_memory_equal(&v, &s.v, sizeof v);
    /* Missing files. */
    unlink(vpath);
    assert_int_equal(tlog_verifier_load(vpath, &v, &e), OSAFE_ENOTFOUND);
    unlink(kpath);
    assert_int_equal(tlog_signer_load(kpath, &s2, &e), OSAFE_ENOTFOUND);
    assert_int_equal(rmdir(dir), 0);
    buf_release(&b);
    tlog_signer_wipe(&s);
    tlog_signer_wipe(&s2);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_c2sp_example),
        cmocka_unit_test(test_go_private_key_resign),
        cmocka_unit_test(test_two_signers),
        cmocka_unit_test(test_tampered_and_malformed),
        cmocka_unit_test(test_invalid_vkeys),
        cmocka_unit_test(test_quasimodo_parse),
        cmocka_unit_test(test_generate_round_trip),
        cmocka_unit_test(test_open_rules),
        cmocka_unit_test(test_malformed_lines),
        cmocka_unit_test(test_key_texts),
        cmocka_unit_test(test_key_files),
    };
    return vec_exit(cmocka_run_group_tests(tests, NULL, NULL));
}
