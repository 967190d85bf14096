/*
 * note.c - fuzz target: C2SP signed notes and key texts (tlog/note), what
 * a witness, a mirror or `osafe log verify` reads from elsewhere.
 *
 * The first byte picks the reader: 0 verifier key text, 1 signer key text,
 * anything else a note opened with the fuzz key and a second, unrelated
 * verifier.  Properties: a parsed key prints back to the same text (less
 * a final line ending); an opened note's text is a prefix of the input, and
 * what is verified was signed by a key we passed.
 */
#include <string.h>

#include "tlog/note.h"
#include "fuzz.h"

static void key_case(int signer, const char *s, size_t n)
{
    osafe_err e;
    osafe_buf b = OSAFE_BUF_INIT;
    /* The parsers take a key file's last line ending, "\n", "\r\n" or a
     * lone "\r" (trim_nl), so the text to compare is without it. */
    size_t want = n && s[n - 1] == '\n' ? n - 1 : n;
    if (want && s[want - 1] == '\r')
        want--;
    if (signer) {
        tlog_signer k;
        if (tlog_signer_parse(s, n, &k, &e) == 0) {
            FUZZ_CHECK(tlog_signer_format(&k, &b) == 0);
            FUZZ_CHECK(b.len == want && memcmp(b.data, s, want) == 0);
        }
        tlog_signer_wipe(&k);
    } else {
        tlog_verifier v;
        if (tlog_verifier_parse(s, n, &v, &e) == 0) {
            FUZZ_CHECK(tlog_verifier_format(&v, &b) == 0);
            FUZZ_CHECK(b.len == want && memcmp(b.data, s, want) == 0);
        }
    }
    buf_release(&b);
}

static void note_case(const char *s, size_t n)
{
    static tlog_verifier vs[2];
    static int ready;
    if (!ready) {
        tlog_signer k;
        fuzz_signer(&k);
        vs[0] = k.v;
        vs[1] = k.v;
        snprintf(vs[1].name, sizeof vs[1].name, "other.example/log");
        vs[1].pk[0] ^= 1;
        vs[1].id = tlog_key_id(vs[1].name, vs[1].type, vs[1].pk, 32);
        tlog_signer_wipe(&k);
        ready = 1;
    }
    tlog_note out;
    osafe_err e;
    int rc = tlog_note_open(s, n, vs, 2, &out, &e);
    fuzz_debug("note: %d %s", rc, rc ? e.msg : "");
    if (rc == 0) {
        FUZZ_CHECK(out.text_len <= n);
        FUZZ_CHECK(out.nverified >= 1 && out.nverified <= out.nsigs);
        FUZZ_CHECK((out.verified & ~(uint64_t)3) == 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    /* An exact-size copy: ASan then catches a read one past the end. */
    char *s = malloc(size);
    FUZZ_CHECK(s != NULL);
    memcpy(s, data + 1, size - 1);
    if (data[0] <= 1)
        key_case(data[0], s, size - 1);
    else
        note_case(s, size - 1);
    free(s);
    return 0;
}
