#include "vectors.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/enc.h"

json_t *vec_load(const char *rel)
{
    const char *shared = getenv("OSAFE_SHARED");
    char path[4096];
    snprintf(path, sizeof path, "%s/vectors/%s", shared ? shared : "../shared",
             rel);
    json_error_t je;
    json_t *j = json_load_file(path, 0, &je);
    if (!j)
        fail_msg("cannot load test vectors %s: %s", path, je.text);
    return j;
}

void vec_hash_hex(tlog_hash *out, json_t *s)
{
    const char *t = json_string_value(s);
    assert_non_null(t);
    assert_int_equal(hex_decode(out->b, 32, t, strlen(t)), 0);
}

void vec_hash_b64(tlog_hash *out, json_t *s)
{
    const char *t = json_string_value(s);
    assert_non_null(t);
    assert_int_equal(b64_decode(out->b, 32, t, strlen(t)), 32);
}

uint8_t *vec_hex(json_t *s, size_t *len)
{
    const char *t = json_string_value(s);
    assert_non_null(t);
    size_t n = strlen(t) / 2;
    uint8_t *b = malloc(n ? n : 1);
    assert_non_null(b);
    assert_int_equal(hex_decode(b, n, t, strlen(t)), 0);
    *len = n;
    return b;
}
