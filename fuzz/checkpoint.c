/*
 * checkpoint.c - fuzz target: C2SP checkpoints (tlog/checkpoint), the
 * signed tree heads a client, witness or mirror fetches.
 *
 * The first byte picks the reader: even, a bare body (tlog_checkpoint_parse);
 * odd, a signed note opened with the fuzz key (tlog_checkpoint_open).
 * Properties: a body that parses and has no extension lines formats back to
 * the same bytes; an opened checkpoint names the key's origin.
 */
#include <string.h>

#include "tlog/checkpoint.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t n = size - 1;
    char *s = malloc(n ? n : 1);
    FUZZ_CHECK(s != NULL);
    memcpy(s, data + 1, n);
    tlog_checkpoint c;
    osafe_err e;
    if (data[0] & 1) {
        static tlog_verifier v;
        static int ready;
        if (!ready) {
            tlog_signer k;
            fuzz_signer(&k);
            v = k.v;
            tlog_signer_wipe(&k);
            ready = 1;
        }
        int rc = tlog_checkpoint_open(s, n, &v, &c, &e);
        fuzz_debug("checkpoint open: %d %s", rc, rc ? e.msg : "");
        if (rc == 0)
            FUZZ_CHECK(strcmp(c.origin, FUZZ_KEY_NAME) == 0);
    } else if (tlog_checkpoint_parse(s, n, &c, &e) == 0 && c.next == 0) {
        osafe_buf b = OSAFE_BUF_INIT;
        FUZZ_CHECK(tlog_checkpoint_format(&c, &b) == 0);
        FUZZ_CHECK(b.len == n && memcmp(b.data, s, n) == 0);
        buf_release(&b);
    }
    free(s);
    return 0;
}
