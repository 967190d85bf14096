#include "tlog/note.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/enc.h"
#include "core/fsx.h"
#include "core/utf8.h"

static const char em_dash[] = "\xE2\x80\x94 "; /* U+2014 and a space */

int tlog_key_name_valid(const char *name, size_t len)
{
    if (len == 0 || len > OSAFE_KEY_NAME_MAX)
        return 0;
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t k = utf8_decode(name + i, len - i, &cp);
        if (k == 0 || cp == '+' || cp < 0x20 || cp == 0x7F ||
            utf8_is_space(cp))
            return 0;
        i += k;
    }
    return 1;
}

uint32_t tlog_key_id(const char *name, uint8_t type, const uint8_t *pk,
                     size_t pklen)
{
    crypto_hash_sha256_state st;
    uint8_t h[32];
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const uint8_t *)name, strlen(name));
    crypto_hash_sha256_update(&st, (const uint8_t *)"\n", 1);
    crypto_hash_sha256_update(&st, &type, 1);
    crypto_hash_sha256_update(&st, pk, pklen);
    crypto_hash_sha256_final(&st, h);
    return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 |
           h[3];
}

static void set_name(tlog_verifier *v, const char *name, size_t len)
{
    memcpy(v->name, name, len);
    v->name[len] = '\0';
}

int tlog_signer_generate(const char *name, tlog_signer *s, osafe_err *e)
{
    if (!tlog_key_name_valid(name, strlen(name)))
        return osafe_errf(e, OSAFE_EINVAL,
                          "invalid key name '%s' (non-empty, no spaces, "
                          "no '+', at most %d bytes)",
                          name, OSAFE_KEY_NAME_MAX);
    uint8_t seed[32];
    randombytes_buf(seed, sizeof seed);
    memset(s, 0, sizeof *s);
    crypto_sign_seed_keypair(s->v.pk, s->sk, seed);
    sodium_memzero(seed, sizeof seed);
    set_name(&s->v, name, strlen(name));
    s->v.type = TLOG_SIG_ED25519;
    s->v.id = tlog_key_id(name, TLOG_SIG_ED25519, s->v.pk, 32);
    return 0;
}

/* Drop one trailing newline (key files end in one). */
static size_t trim_nl(const char *text, size_t len)
{
    if (len && text[len - 1] == '\n')
        len--;
    if (len && text[len - 1] == '\r')
        len--;
    return len;
}

static int parse_id(const char *s, size_t n, uint32_t *id)
{
    uint8_t b[4];
    if (n != 8)
        return -1;
    for (size_t i = 0; i < 8; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return -1;
    if (hex_decode(b, 4, s, 8) != 0)
        return -1;
    *id = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 |
          b[3];
    return 0;
}

int tlog_signer_parse(const char *text, size_t len, tlog_signer *s,
                      osafe_err *e)
{
    static const char prefix[] = "PRIVATE+KEY+";
    len = trim_nl(text, len);
    memset(s, 0, sizeof *s);
    if (len < sizeof prefix - 1 || memcmp(text, prefix, sizeof prefix - 1))
        return osafe_errf(e, OSAFE_EINVAL,
                          "not a private key (expected 'PRIVATE+KEY+...')");
    const char *name = text + sizeof prefix - 1;
    const char *end = text + len;
    /* Split at the next two '+' only: base64 may contain '+' (as Go's
     * note.NewSigner does with strings.Cut). */
    const char *p1 = memchr(name, '+', (size_t)(end - name));
    const char *p2 = p1 ? memchr(p1 + 1, '+', (size_t)(end - p1 - 1)) : NULL;
    if (!p2)
        return osafe_errf(e, OSAFE_EINVAL,
                          "malformed private key (expected "
                          "PRIVATE+KEY+name+id+key)");
    size_t nlen = (size_t)(p1 - name);
    if (!tlog_key_name_valid(name, nlen))
        return osafe_errf(e, OSAFE_EINVAL, "private key: invalid key name");
    uint32_t id;
    if (parse_id(p1 + 1, (size_t)(p2 - p1 - 1), &id) != 0)
        return osafe_errf(e, OSAFE_EINVAL,
                          "private key: key id is not 8 lowercase hex digits");
    uint8_t raw[33];
    long n = b64_decode(raw, sizeof raw, p2 + 1, (size_t)(end - p2 - 1));
    if (n != 33 || raw[0] != TLOG_SIG_ED25519) {
        sodium_memzero(raw, sizeof raw);
        return osafe_errf(e, OSAFE_EINVAL,
                          "private key: expected base64 of 0x01 and a "
                          "32-byte Ed25519 seed");
    }
    crypto_sign_seed_keypair(s->v.pk, s->sk, raw + 1);
    sodium_memzero(raw, sizeof raw);
    set_name(&s->v, name, nlen);
    s->v.type = TLOG_SIG_ED25519;
    s->v.id = tlog_key_id(s->v.name, TLOG_SIG_ED25519, s->v.pk, 32);
    if (s->v.id != id) {
        tlog_signer_wipe(s);
        return osafe_errf(e, OSAFE_EINVAL,
                          "private key: key id does not match the key");
    }
    return 0;
}

int tlog_signer_load(const char *path, tlog_signer *s, osafe_err *e)
{
    struct stat st;
    if (stat(path, &st) == 0 && (st.st_mode & 077))
        return osafe_errf(e, OSAFE_EINVAL,
                          "%s: private key is readable by others (mode %03o); "
                          "chmod 600 it",
                          path, (unsigned)(st.st_mode & 0777));
    char *text;
    size_t len;
    int rc = fsx_read_file(path, OSAFE_KEYFILE_MAX, &text, &len, e);
    if (rc)
        return rc;
    rc = tlog_signer_parse(text, len, s, e);
    sodium_memzero(text, len);
    free(text);
    if (rc)
        osafe_errprefix(e, "%s: ", path);
    return rc;
}

int tlog_signer_format(const tlog_signer *s, osafe_buf *out)
{
    uint8_t raw[33];
    char b64[OSAFE_B64_LEN(33) + 1];
    raw[0] = TLOG_SIG_ED25519;
    memcpy(raw + 1, s->sk, 32); /* the seed half */
    b64_encode(b64, raw, sizeof raw);
    int rc = buf_printf(out, "PRIVATE+KEY+%s+%08x+%s", s->v.name,
                        (unsigned)s->v.id, b64);
    sodium_memzero(raw, sizeof raw);
    sodium_memzero(b64, sizeof b64);
    return rc;
}

void tlog_signer_wipe(tlog_signer *s)
{
    sodium_memzero(s, sizeof *s);
}

int tlog_verifier_parse(const char *text, size_t len, tlog_verifier *v,
                        osafe_err *e)
{
    len = trim_nl(text, len);
    memset(v, 0, sizeof *v);
    /* Split at the first two '+' only: base64 may contain '+'. */
    const char *end = text + len;
    const char *p1 = memchr(text, '+', len);
    const char *p2 = p1 ? memchr(p1 + 1, '+', (size_t)(end - p1 - 1)) : NULL;
    if (!p2)
        return osafe_errf(e, OSAFE_EINVAL,
                          "malformed verifier key (expected name+id+key)");
    size_t nlen = (size_t)(p1 - text);
    if (!tlog_key_name_valid(text, nlen))
        return osafe_errf(e, OSAFE_EINVAL, "verifier key: invalid key name");
    uint32_t id;
    if (parse_id(p1 + 1, (size_t)(p2 - p1 - 1), &id) != 0)
        return osafe_errf(e, OSAFE_EINVAL,
                          "verifier key: key id is not 8 lowercase hex "
                          "digits");
    uint8_t raw[33];
    long n = b64_decode(raw, sizeof raw, p2 + 1, (size_t)(end - p2 - 1));
    if (n < 1)
        return osafe_errf(e, OSAFE_EINVAL,
                          "verifier key: key is not valid base64");
    if (raw[0] != TLOG_SIG_ED25519 || n != 33)
        return osafe_errf(e, OSAFE_EINVAL,
                          "verifier key: unsupported key type 0x%02x (only "
                          "Ed25519, 0x01)",
                          raw[0]);
    set_name(v, text, nlen);
    v->type = raw[0];
    memcpy(v->pk, raw + 1, 32);
    v->id = tlog_key_id(v->name, v->type, v->pk, 32);
    if (v->id != id)
        return osafe_errf(e, OSAFE_EINVAL,
                          "verifier key: key id %08x does not match the key "
                          "(%08x)",
                          (unsigned)id, (unsigned)v->id);
    return 0;
}

int tlog_verifier_load(const char *path, tlog_verifier *v, osafe_err *e)
{
    char *text;
    size_t len;
    int rc = fsx_read_file(path, OSAFE_KEYFILE_MAX, &text, &len, e);
    if (rc)
        return rc;
    rc = tlog_verifier_parse(text, len, v, e);
    free(text);
    if (rc)
        osafe_errprefix(e, "%s: ", path);
    return rc;
}

int tlog_verifier_format(const tlog_verifier *v, osafe_buf *out)
{
    uint8_t raw[33];
    char b64[OSAFE_B64_LEN(33) + 1];
    raw[0] = v->type;
    memcpy(raw + 1, v->pk, 32);
    b64_encode(b64, raw, sizeof raw);
    return buf_printf(out, "%s+%08x+%s", v->name, (unsigned)v->id, b64);
}

/* Valid UTF-8, no control characters but "\n". */
static int note_text_ok(const char *s, size_t n)
{
    if (!utf8_valid(s, n))
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\n') || c == 0x7F)
            return 0;
    }
    return 1;
}

int tlog_note_sign(const char *text, size_t len, const tlog_signer *s,
                   osafe_buf *out, osafe_err *e)
{
    if (len == 0 || text[len - 1] != '\n' || !note_text_ok(text, len))
        return osafe_errf(e, OSAFE_EINVAL,
                          "note text must be UTF-8 without control "
                          "characters and end in a newline");
    uint8_t sig[4 + 64];
    sig[0] = (uint8_t)(s->v.id >> 24);
    sig[1] = (uint8_t)(s->v.id >> 16);
    sig[2] = (uint8_t)(s->v.id >> 8);
    sig[3] = (uint8_t)s->v.id;
    crypto_sign_detached(sig + 4, NULL, (const uint8_t *)text, len, s->sk);
    char b64[OSAFE_B64_LEN(sizeof sig) + 1];
    b64_encode(b64, sig, sizeof sig);
    int rc = buf_append(out, text, len);
    if (!rc)
        rc = buf_printf(out, "\n%s%s %s\n", em_dash, s->v.name, b64);
    if (rc)
        return osafe_errf(e, rc, "signing note: out of memory");
    return 0;
}

int tlog_note_open(const char *note, size_t len,
                   const tlog_verifier *verifiers, size_t nverifiers,
                   tlog_note *out, osafe_err *e)
{
    memset(out, 0, sizeof *out);
    if (len > OSAFE_NOTE_MAX)
        return osafe_errf(e, OSAFE_ETOOBIG, "note larger than %u bytes",
                          OSAFE_NOTE_MAX);
    if (!note_text_ok(note, len))
        return osafe_errf(e, OSAFE_EINVAL,
                          "malformed note: not UTF-8 or contains control "
                          "characters");
    if (len == 0 || note[len - 1] != '\n')
        return osafe_errf(e, OSAFE_EINVAL,
                          "malformed note: does not end in a newline");
    /* The last empty line separates text from signatures. */
    size_t sep = 0;
    int found = 0;
    for (size_t i = len - 1; i-- > 0;)
        if (note[i] == '\n' && note[i + 1] == '\n') {
            sep = i;
            found = 1;
            break;
        }
    if (!found || sep == 0)
        return osafe_errf(e, OSAFE_EINVAL,
                          "malformed note: no empty line before the "
                          "signatures");
    out->text_len = sep + 1;
    const char *p = note + sep + 2, *end = note + len;
    if (p == end)
        return osafe_errf(e, OSAFE_EINVAL, "malformed note: no signatures");
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t ll = (size_t)(nl - p);
        if (++out->nsigs > OSAFE_NOTE_MAX_SIGS)
            return osafe_errf(e, OSAFE_EINVAL,
                              "note has more than %d signatures",
                              OSAFE_NOTE_MAX_SIGS);
        if (ll < 4 || memcmp(p, em_dash, 4) != 0)
            return osafe_errf(e, OSAFE_EINVAL,
                              "malformed note: signature line %zu does not "
                              "start with an em dash and a space",
                              out->nsigs);
        const char *name = p + 4;
        const char *sp = memchr(name, ' ', (size_t)(nl - name));
        if (!sp || !tlog_key_name_valid(name, (size_t)(sp - name)))
            return osafe_errf(e, OSAFE_EINVAL,
                              "malformed note: signature line %zu has a bad "
                              "key name",
                              out->nsigs);
        uint8_t sig[4 + 4096];
        long sl = b64_decode(sig, sizeof sig, sp + 1, (size_t)(nl - sp - 1));
        if (sl < 5)
            return osafe_errf(e, OSAFE_EINVAL,
                              "malformed note: signature line %zu is not "
                              "base64 of a key id and a signature",
                              out->nsigs);
        uint32_t id = (uint32_t)sig[0] << 24 | (uint32_t)sig[1] << 16 |
                      (uint32_t)sig[2] << 8 | sig[3];
        size_t nlen = (size_t)(sp - name);
        for (size_t k = 0; k < nverifiers; k++) {
            const tlog_verifier *v = &verifiers[k];
            if (v->id != id || strlen(v->name) != nlen ||
                memcmp(v->name, name, nlen) != 0)
                continue;
            if (sl != 4 + 64 ||
                crypto_sign_verify_detached(sig + 4, (const uint8_t *)note,
                                            out->text_len, v->pk) != 0)
                return osafe_errf(e, OSAFE_EVERIFY,
                                  "signature by key '%s' does not verify",
                                  v->name);
            if (k < 64 && !(out->verified & ((uint64_t)1 << k))) {
                out->verified |= (uint64_t)1 << k;
                out->nverified++;
            }
        }
        p = nl + 1;
    }
    if (out->nverified == 0)
        return osafe_errf(e, OSAFE_EVERIFY,
                          "note is not signed by any known key (unknown key "
                          "name or key id)");
    return 0;
}
