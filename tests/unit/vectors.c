#include "vectors.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "core/enc.h"

static unsigned vec_skipped;

const char *vec_shared(void)
{
    const char *s = getenv("OSAFE_SHARED");
    return s && *s ? s : "../shared";
}

void vec_require(const char *rel, char *path, size_t n)
{
    const char *shared = vec_shared();
    int w = snprintf(path, n, "%s/%s", shared, rel);
    if (w < 0 || (size_t)w >= n)
        fail_msg("path too long: %s/%s", shared, rel);
    struct stat sb;
    if (stat(shared, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        char why[4200];
        snprintf(why, sizeof why,
                 "needs %s: the shared folder %s (OSAFE_SHARED) is absent",
                 path, shared);
        vec_skip(why);
    }
    if (stat(path, &sb) != 0)
        fail_msg("%s: missing from the shared folder %s", rel, shared);
}

void vec_skip(const char *reason)
{
    vec_skipped++;
    printf("SKIP: %s\n", reason);
    fflush(stdout);
    skip();
}

void vec_fixture(const char *rel, char *path, size_t n)
{
    const char *dir = getenv("OSAFE_FIXTURES");
    if (!dir || !*dir)
        fail_msg("OSAFE_FIXTURES (tests/fixtures) is not set; run through "
                 "ctest");
    int w = snprintf(path, n, "%s/%s", dir, rel);
    struct stat sb;
    if (w < 0 || (size_t)w >= n || stat(path, &sb) != 0)
        fail_msg("fixture %s/%s is missing", dir, rel);
}

int vec_need_shared(const char *rel)
{
    const char *shared = vec_shared();
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", shared, rel);
    struct stat sb;
    if (stat(shared, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        printf("SKIP: every case needs %s: the shared folder %s "
               "(OSAFE_SHARED) is absent\n",
               path, shared);
        return 77;
    }
    if (stat(path, &sb) != 0) {
        printf("FAIL: %s: missing from the shared folder %s\n", rel, shared);
        return 1;
    }
    return 0;
}

int vec_exit(int failed)
{
    if (failed)
        return failed;
    if (vec_skipped) {
        printf("SKIP: %u case(s) skipped: set OSAFE_SHARED to the shared/ "
               "folder to run them\n",
               vec_skipped);
        return 77;
    }
    return 0;
}

json_t *vec_load(const char *rel)
{
    char sub[4096], path[4096];
    snprintf(sub, sizeof sub, "vectors/%s", rel);
    vec_require(sub, path, sizeof path);
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
