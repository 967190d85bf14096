/*
 * canon.c - fuzz target: RFC 8785 canonical JSON (core/canon), the reader
 * of every API body and of every record before it is hashed.
 *
 * Properties: canonical output is a fixed point (canonicalizing it again
 * gives the same bytes), and the two readers agree: canon_parse then
 * canon_value writes what canon_json writes, whenever both accept.
 */
#include <string.h>

#include "core/canon.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    osafe_buf a = OSAFE_BUF_INIT, b = OSAFE_BUF_INIT, c = OSAFE_BUF_INIT;
    osafe_err e;
    const char *in = (const char *)data;
    int ok = canon_json(in, size, &a, &e) == 0;
    if (ok) {
        FUZZ_CHECK(canon_json(a.data, a.len, &b, &e) == 0);
        FUZZ_CHECK(b.len == a.len && memcmp(a.data, b.data, a.len) == 0);
    } else {
        FUZZ_CHECK(a.len == 0); /* out untouched on failure */
    }
    json_t *v = canon_parse(in, size, &e);
    if (v && ok && canon_value(v, &c, &e) == 0)
        FUZZ_CHECK(c.len == a.len && memcmp(a.data, c.data, a.len) == 0);
    json_decref(v);
    buf_release(&a);
    buf_release(&b);
    buf_release(&c);
    return 0;
}
