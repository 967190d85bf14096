/*
 * yamlx.c - fuzz target: the restricted YAML subset (core/yamlx), the
 * reader of suite.yaml, risk policies and the ATLAS data.
 *
 * Property: an accepted document is a JSON value that canonical JSON can
 * write (valid UTF-8, no NUL in keys or strings, finite numbers).
 */
#include "core/canon.h"
#include "core/yamlx.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *v = NULL;
    osafe_err e;
    if (yamlx_load((const char *)data, size, &v, &e) == 0) {
        FUZZ_CHECK(v != NULL);
        osafe_buf b = OSAFE_BUF_INIT;
        int rc = canon_value(v, &b, &e);
        /* Integers past 2^53 are the one thing canonical JSON refuses. */
        FUZZ_CHECK(rc == 0 || rc == OSAFE_EINVAL);
        buf_release(&b);
        json_decref(v);
    } else {
        FUZZ_CHECK(v == NULL);
    }
    return 0;
}
