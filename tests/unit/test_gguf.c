/*
 * test_gguf.c - the GGUF reader (infer/gguf.h) on files written by the
 * tests' own writer (gguf_writer.h): every value type, every tensor type,
 * alignment; and malformed files (truncated at every byte, lying counts
 * and offsets, unknown types, bad shapes), each refused with a message
 * naming the problem.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "gguf_writer.h"
#include "infer/gguf.h"

/* Parse and expect failure with code and a message containing want. */
static void expect_refused(const uint8_t *p, size_t n, int code,
                           const char *want)
{
    gguf_file *g = NULL;
    osafe_err e = {0};
    int rc = gguf_parse(p, n, &g, &e);
    if (rc == 0 || (code && rc != code) || !strstr(e.msg, want))
        fail_msg("rc %d (want %d), message \"%s\" (want \"%s\")", rc, code,
                 e.msg, want);
    assert_null(g);
}

static void finish_refused(gw *w, int code, const char *want)
{
    uint8_t *p;
    size_t n;
    gw_finish(w, &p, &n);
    expect_refused(p, n, code, want);
    free(p);
    gw_free(w);
}

static gguf_file *finish_ok(gw *w, uint8_t **keep)
{
    size_t n;
    gw_finish(w, keep, &n);
    gw_free(w);
    gguf_file *g = NULL;
    osafe_err e = {0};
    if (gguf_parse(*keep, n, &g, &e) != 0)
        fail_msg("refused: %s", e.msg);
    return g;
}

/* A small valid file with every scalar type, three array kinds and one
 * tensor of each implemented type. */
static gw *sample(uint32_t version, osafe_rng *r)
{
    gw *w = gw_new(version);
    gw_kv_str(w, "general.architecture", "llama");
    gw_kv_u8(w, "t.u8", 200);
    gw_kv_i8(w, "t.i8", -100);
    gw_kv_u16(w, "t.u16", 60000);
    gw_kv_i16(w, "t.i16", -30000);
    gw_kv_u32(w, "t.u32", 4000000000u);
    gw_kv_i32(w, "t.i32", -2000000000);
    gw_kv_f32(w, "t.f32", 1.5f);
    gw_kv_bool(w, "t.bool", 1);
    gw_kv_u64(w, "t.u64", UINT64_MAX);
    gw_kv_i64(w, "t.i64", INT64_MIN);
    gw_kv_f64(w, "t.f64", -2.25);
    const char *toks[] = {"<s>", "", "h\xc3\xa9llo"};
    gw_kv_arr_str(w, "t.strs", toks, 3);
    float fs[] = {0.5f, -1.0f};
    gw_kv_arr_f32(w, "t.f32s", fs, 2);
    int32_t is[] = {1, -6, 3};
    gw_kv_arr_i32(w, "t.i32s", is, 3);
    static const uint32_t types[] = {0, 1, 30, 8, 2, 6, 12, 14};
    char name[32];
    for (size_t i = 0; i < 8; i++) {
        snprintf(name, sizeof name, "w%zu", i);
        gw_tensor_random(w, name, types[i], 256, 3, 0.1f, r);
    }
    return w;
}

static void test_gguf_every_value_type(void **state)
{
    (void)state;
    osafe_rng r;
    rng_seed(&r, 7);
    for (uint32_t v = 2; v <= 3; v++) {
        uint8_t *p;
        gguf_file *g = finish_ok(sample(v, &r), &p);
        osafe_err e = {0};
        uint64_t u;
        float f;
        bool b;
        gguf_str s;
        const gguf_kv *kv;
        assert_int_equal(gguf_version(g), v);
        assert_int_equal(gguf_kv_count(g), 15);
        assert_int_equal(gguf_get_uint(g, "t.u8", &u, &e), 0);
        assert_int_equal(u, 200);
        assert_int_equal(gguf_get_uint(g, "t.u32", &u, &e), 0);
        assert_int_equal(u, 4000000000u);
        assert_int_equal(gguf_get_uint(g, "t.u64", &u, &e), 0);
        assert_true(u == UINT64_MAX);
        assert_int_equal(gguf_find(g, "t.i8")->v.num.i, -100);
        assert_int_equal(gguf_find(g, "t.i16")->v.num.i, -30000);
        assert_int_equal(gguf_find(g, "t.u16")->v.num.u, 60000);
        assert_int_equal(gguf_find(g, "t.i32")->v.num.i, -2000000000);
        assert_true(gguf_find(g, "t.i64")->v.num.i == INT64_MIN);
        assert_int_equal(gguf_get_uint(g, "t.i32", &u, &e), OSAFE_EINVAL);
        assert_non_null(strstr(e.msg, "negative"));
        assert_int_equal(gguf_get_float(g, "t.f32", &f, &e), 0);
        assert_true(f == 1.5f);
        assert_int_equal(gguf_get_float(g, "t.f64", &f, &e), 0);
        assert_true(f == -2.25f);
        assert_int_equal(gguf_get_bool(g, "t.bool", &b, &e), 0);
        assert_true(b);
        assert_int_equal(gguf_get_str(g, "general.architecture", &s, &e), 0);
        assert_true(gguf_str_eq(s, "llama"));
        assert_int_equal(gguf_get_str(g, "t.u8", &s, &e), OSAFE_EINVAL);
        assert_non_null(strstr(e.msg, "'t.u8' is a u8, not a string"));
        assert_int_equal(gguf_get_str(g, "nope", &s, &e), OSAFE_ENOTFOUND);
        assert_int_equal(gguf_get_arr(g, "t.strs", GGUF_VT_STRING, &kv, &e), 0);
        assert_int_equal(kv->v.arr.count, 3);
        assert_true(gguf_str_eq(kv->v.arr.strs[1], ""));
        assert_true(gguf_str_eq(kv->v.arr.strs[2], "h\xc3\xa9llo"));
        assert_int_equal(gguf_get_arr(g, "t.f32s", GGUF_VT_I32, &kv, &e),
                         OSAFE_EINVAL);
        assert_int_equal(gguf_get_arr(g, "t.f32s", GGUF_VT_F32, &kv, &e), 0);
        assert_true(gguf_arr_float(kv, 1) == -1.0);
        assert_int_equal(gguf_get_arr(g, "t.i32s", GGUF_VT_I32, &kv, &e), 0);
        assert_int_equal(gguf_arr_int(kv, 1), -6);
        assert_int_equal(gguf_tensor_count(g), 8);
        const gguf_tensor *t = gguf_tensor_find(g, "w6");
        assert_non_null(t);
        assert_int_equal(t->type, GGUF_T_Q4_K);
        assert_int_equal(t->ne[0], 256);
        assert_int_equal(t->ne[1], 3);
        assert_int_equal(t->size, 3 * 144);
        for (size_t i = 0; i < 8; i++) {
            t = gguf_tensor_at(g, i);
            assert_int_equal(t->offset % 32, 0);
            assert_true(t->data + t->size <= p + gguf_size(g));
        }
        assert_int_equal(gguf_data_offset(g) % 32, 0);
        gguf_close(g);
        free(p);
    }
}

static void test_gguf_alignment_key(void **state)
{
    (void)state;
    osafe_rng r;
    rng_seed(&r, 1);
    gw *w = gw_new(3);
    gw_kv_u32(w, "general.alignment", 256);
    gw_set_alignment(w, 256);
    gw_tensor_random(w, "a", GGUF_T_F32, 3, 1, 1, &r);
    gw_tensor_random(w, "b", GGUF_T_Q8_0, 32, 1, 1, &r);
    uint8_t *p;
    gguf_file *g = finish_ok(w, &p);
    assert_int_equal(gguf_alignment(g), 256);
    assert_int_equal(gguf_data_offset(g) % 256, 0);
    assert_int_equal(gguf_tensor_find(g, "b")->offset, 256);
    gguf_close(g);
    free(p);
    /* The same tensors written at 32-byte offsets lie about alignment. */
    w = gw_new(3);
    gw_kv_u32(w, "general.alignment", 256);
    gw_tensor_random(w, "a", GGUF_T_F32, 3, 1, 1, &r);
    gw_tensor_random(w, "b", GGUF_T_Q8_0, 32, 1, 1, &r);
    finish_refused(w, OSAFE_ECORRUPT, "the data section would start at 256");
    static const uint32_t bad[] = {0, 3, 96, 1u << 20};
    for (size_t i = 0; i < 4; i++) {
        w = gw_new(3);
        gw_kv_u32(w, "general.alignment", bad[i]);
        finish_refused(w, OSAFE_ECORRUPT, "general.alignment");
    }
    w = gw_new(3);
    gw_kv_u64(w, "general.alignment", 32);
    finish_refused(w, OSAFE_ECORRUPT, "general.alignment is a u64, not a u32");
}

/* Every strict prefix of a valid file is refused as truncated, and the
 * message says what was being read. */
static void test_gguf_truncated_everywhere(void **state)
{
    (void)state;
    osafe_rng r;
    rng_seed(&r, 3);
    uint8_t *p;
    size_t n;
    gw *w = sample(3, &r);
    gw_finish(w, &p, &n);
    gw_free(w);
    /* The padding after the last tensor's data is not needed. */
    gguf_file *whole = NULL;
    assert_int_equal(gguf_parse(p, n, &whole, NULL), 0);
    const gguf_tensor *last = gguf_tensor_at(whole, gguf_tensor_count(whole) - 1);
    size_t end = (size_t)(last->data + last->size - p);
    gguf_close(whole);
    for (size_t cut = 0; cut < end; cut++) {
        gguf_file *g = NULL;
        osafe_err e = {0};
        int rc = gguf_parse(p, cut, &g, &e);
        if (rc == 0)
            fail_msg("a prefix of %zu of %zu bytes was accepted", cut, n);
        assert_true(strstr(e.msg, "truncated") || strstr(e.msg, "run past") ||
                    strstr(e.msg, "cannot fit"));
    }
    free(p);
}

static void patch_u64(uint8_t *p, size_t at, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[at + i] = (uint8_t)(v >> (8 * i));
}

static void test_gguf_lying_counts(void **state)
{
    (void)state;
    osafe_rng r;
    rng_seed(&r, 4);
    uint8_t *p;
    size_t n;
    gw *w = sample(3, &r);
    gw_finish(w, &p, &n);
    gw_free(w);
    uint8_t *q = malloc(n);
    assert_non_null(q);
    struct {
        size_t at;
        uint64_t v;
        int code;
        const char *want;
    } lies[] = {
        {8, UINT64_MAX, OSAFE_ETOOBIG, "tensors (at most"},
        {16, UINT64_MAX, OSAFE_ETOOBIG, "metadata entries (at most"},
        {8, 60000, OSAFE_ECORRUPT, "cannot fit"},
        {16, 60000, OSAFE_ECORRUPT, "cannot fit"},
        {8, 9, OSAFE_ECORRUPT, "tensor 8"},  /* one more than written */
        {16, 16, OSAFE_ECORRUPT, ""},             /* eats the first tensor */
        {24, UINT64_MAX, OSAFE_ECORRUPT, "string of"}, /* the first key's length */
        {24, 1000, OSAFE_ECORRUPT, ""},
    };
    for (size_t i = 0; i < sizeof lies / sizeof lies[0]; i++) {
        memcpy(q, p, n);
        patch_u64(q, lies[i].at, lies[i].v);
        expect_refused(q, n, lies[i].code, lies[i].want);
    }
    free(q);
    free(p);
    /* An array count larger than its bytes. */
    w = gw_new(3);
    uint8_t arr[12] = {6, 0, 0, 0, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0};
    gw_kv_raw(w, "a", GGUF_VT_ARRAY, arr, sizeof arr);
    finish_refused(w, OSAFE_ECORRUPT, "truncated: metadata 'a'");
    w = gw_new(3);
    uint8_t big[12] = {6, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0};
    gw_kv_raw(w, "a", GGUF_VT_ARRAY, big, sizeof big);
    finish_refused(w, OSAFE_ETOOBIG, "array of 4294967296 elements");
}

static void test_gguf_lying_offsets(void **state)
{
    (void)state;
    uint64_t ne[2] = {32, 2};
    uint8_t data[68] = {0};
    struct {
        uint64_t off;
        const char *want;
    } cases[] = {
        {8, "data offset 8, expected 96"},        /* misaligned, overlaps */
        {0, "data offset 0, expected 96"},        /* overlaps the first */
        {1u << 20, "data offset 1048576, expected 96"}, /* a hole / past end */
        {UINT64_MAX - 3, "expected 96"},          /* would wrap around */
    };
    for (size_t i = 0; i < 4; i++) {
        gw *w = gw_new(3);
        gw_tensor(w, "first", GGUF_T_Q8_0, 2, ne, data, sizeof data);
        gw_tensor_info_raw(w, "second", GGUF_T_Q8_0, 2, ne, cases[i].off);
        finish_refused(w, OSAFE_ECORRUPT, cases[i].want);
    }
    /* In place, but its data is not in the file. */
    gw *w = gw_new(3);
    gw_tensor(w, "first", GGUF_T_Q8_0, 2, ne, data, sizeof data);
    gw_tensor_info_raw(w, "second", GGUF_T_Q8_0, 2, ne, 96);
    finish_refused(w, OSAFE_ECORRUPT,
                   "tensor 1 'second': 68 bytes at data offset 96 run past");
}

static void test_gguf_unknown_types(void **state)
{
    (void)state;
    uint64_t ne[1] = {32};
    uint8_t data[32] = {0};
    gw *w = gw_new(3);
    gw_tensor(w, "q4_1", 3, 1, ne, data, 20); /* Q4_1: not implemented */
    finish_refused(w, OSAFE_EUNSUPPORTED,
                   "tensor 0 'q4_1': tensor type 3 is not supported");
    w = gw_new(3);
    gw_tensor_info_raw(w, "x", 4000000000u, 1, ne, 0);
    finish_refused(w, OSAFE_EUNSUPPORTED, "tensor type 4000000000");
    w = gw_new(3);
    gw_kv_raw(w, "k", 13, data, 8);
    finish_refused(w, OSAFE_ECORRUPT, "metadata 'k': unknown value type 13");
    w = gw_new(3);
    uint8_t arr[12] = {99, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0};
    gw_kv_raw(w, "k", GGUF_VT_ARRAY, arr, sizeof arr);
    finish_refused(w, OSAFE_ECORRUPT, "unknown array element type 99");
    w = gw_new(3);
    uint8_t nest[24] = {9, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
                        6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    gw_kv_raw(w, "k", GGUF_VT_ARRAY, nest, sizeof nest);
    finish_refused(w, OSAFE_EUNSUPPORTED, "nested arrays");
    w = gw_new(3);
    uint8_t two = 2;
    gw_kv_raw(w, "k", GGUF_VT_BOOL, &two, 1);
    finish_refused(w, OSAFE_ECORRUPT, "bool value 2");
    static const uint32_t versions[] = {0, 1, 4, 0x46554747};
    for (size_t i = 0; i < 4; i++)
        finish_refused(gw_new(versions[i]), OSAFE_EUNSUPPORTED,
                       "is not supported (2 and 3 are)");
    static const uint8_t notgguf[24] = "GGML";
    expect_refused(notgguf, sizeof notgguf, OSAFE_ECORRUPT, "not a GGUF file");
}

static void test_gguf_bad_shapes(void **state)
{
    (void)state;
    uint8_t data[64] = {0};
    struct {
        uint32_t type, n_dims;
        uint64_t ne[5];
        const char *want;
    } cases[] = {
        {GGUF_T_F32, 0, {1}, "0 dimensions"},
        {GGUF_T_F32, 5, {1, 1, 1, 1, 1}, "5 dimensions"},
        {GGUF_T_F32, 2, {4, 0}, "dimension 1 is 0"},
        {GGUF_T_F32, 1, {UINT64_MAX}, "dimension 0 is"},
        {GGUF_T_F32, 4, {1u << 20, 1u << 20, 1u << 20, 1u << 20}, "overflows"},
        {GGUF_T_Q4_K, 2, {128, 2}, "row length 128 is not a multiple of the q4_K block size 256"},
        {GGUF_T_Q8_0, 1, {33}, "not a multiple"},
        {GGUF_T_F32, 2, {1ull << 31, 1ull << 31}, "byte size overflows"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        gw *w = gw_new(3);
        gw_tensor_info_raw(w, "t", cases[i].type, cases[i].n_dims, cases[i].ne, 0);
        gw_kv_str(w, "pad", "so that the count of tensors fits the bytes left");
        finish_refused(w, 0, cases[i].want);
    }
    char longname[OSAFE_GGUF_NAME_MAX + 2];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    uint64_t ne[1] = {1};
    gw *w = gw_new(3);
    gw_tensor(w, longname, GGUF_T_F32, 1, ne, data, 4);
    finish_refused(w, OSAFE_ECORRUPT, "name of 64 bytes");
}

static void test_gguf_duplicates(void **state)
{
    (void)state;
    gw *w = gw_new(3);
    gw_kv_u32(w, "a.b", 1);
    gw_kv_str(w, "a.b", "x");
    finish_refused(w, OSAFE_ECORRUPT, "entry 1 repeats the key 'a.b' of entry 0");
    uint64_t ne[1] = {1};
    float x = 1;
    w = gw_new(3);
    gw_tensor(w, "t", GGUF_T_F32, 1, ne, &x, 4);
    gw_tensor(w, "t", GGUF_T_F32, 1, ne, &x, 4);
    finish_refused(w, OSAFE_ECORRUPT, "tensor 1 repeats the name 't'");
    w = gw_new(3);
    gw_kv_u32(w, "", 1);
    finish_refused(w, OSAFE_ECORRUPT, "key is empty");
}

static void test_gguf_open_maps_file(void **state)
{
    (void)state;
    char path[] = "/tmp/osafe-gguf-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    osafe_rng r;
    rng_seed(&r, 9);
    gw *w = sample(3, &r);
    gw_write_file(w, path);
    gw_free(w);
    gguf_file *g = NULL;
    osafe_err e = {0};
    assert_int_equal(gguf_open(path, &g, &e), 0);
    assert_int_equal(gguf_tensor_count(g), 8);
    const gguf_tensor *t = gguf_tensor_find(g, "w0");
    float v;
    memcpy(&v, t->data, 4);
    assert_true(v > -0.1f && v < 0.1f);
    gguf_close(g);
    /* Truncated on disk: the message names the file. */
    assert_int_equal(truncate(path, 100), 0);
    assert_int_not_equal(gguf_open(path, &g, &e), 0);
    assert_non_null(strstr(e.msg, path));
    assert_non_null(strstr(e.msg, "cannot fit"));
    unlink(path);
    assert_int_equal(gguf_open(path, &g, &e), OSAFE_EIO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gguf_every_value_type),
        cmocka_unit_test(test_gguf_alignment_key),
        cmocka_unit_test(test_gguf_truncated_everywhere),
        cmocka_unit_test(test_gguf_lying_counts),
        cmocka_unit_test(test_gguf_lying_offsets),
        cmocka_unit_test(test_gguf_unknown_types),
        cmocka_unit_test(test_gguf_bad_shapes),
        cmocka_unit_test(test_gguf_duplicates),
        cmocka_unit_test(test_gguf_open_maps_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
