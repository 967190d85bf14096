/*
 * test_quant.c - the tensor types (infer/quant.h) on blocks built by hand,
 * whose values were worked out on paper from the block layouts (the
 * expected numbers below are those, not the code's output); then the dot
 * products against the dequantized rows on random blocks.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gguf_writer.h"
#include "infer/gguf.h"
#include "infer/quant.h"

static void test_quant_half_and_bfloat(void **state)
{
    (void)state;
    assert_true(quant_f16_to_f32(0x3c00) == 1.0f);
    assert_true(quant_f16_to_f32(0xc000) == -2.0f);
    assert_true(quant_f16_to_f32(0x7bff) == 65504.0f);
    assert_true(quant_f16_to_f32(0x0001) == 0x1p-24f);
    assert_true(quant_f16_to_f32(0x0400) == 0x1p-14f);
    assert_true(quant_f16_to_f32(0x3555) == 0.333251953125f);
    assert_true(isinf(quant_f16_to_f32(0xfc00)) && quant_f16_to_f32(0xfc00) < 0);
    assert_true(isnan(quant_f16_to_f32(0x7e00)));
    assert_int_equal(quant_f32_to_f16(1.0f), 0x3c00);
    assert_int_equal(quant_f32_to_f16(0.1f), 0x2e66);
    assert_int_equal(quant_f32_to_f16(-65504.0f), 0xfbff);
    assert_int_equal(quant_f32_to_f16(65519.0f), 0x7bff);
    assert_int_equal(quant_f32_to_f16(65520.0f), 0x7c00);   /* tie to even: inf */
    assert_int_equal(quant_f32_to_f16(0x1p-25f), 0x0000);    /* half a unit: even 0 */
    assert_int_equal(quant_f32_to_f16(3 * 0x1p-25f), 0x0002); /* 1.5 units: 2 */
    assert_int_equal(quant_f32_to_f16(1023 * 0x1p-24f + 0x1p-25f), 0x0400);
    assert_int_equal(quant_f32_to_f16(1.0f + 0x1p-11f), 0x3c00); /* tie, even */
    assert_int_equal(quant_f32_to_f16(1.0f + 3 * 0x1p-11f), 0x3c02);
    assert_int_equal(quant_f32_to_f16(NAN) & 0x7e00, 0x7e00);
    /* every half survives the round trip */
    for (uint32_t h = 0; h < 0x10000; h++) {
        if ((h & 0x7c00) == 0x7c00 && (h & 0x3ff))
            continue; /* NaN payloads are not kept */
        assert_int_equal(quant_f32_to_f16(quant_f16_to_f32((uint16_t)h)), h);
    }
    assert_true(quant_bf16_to_f32(0x3f80) == 1.0f);
    assert_true(quant_bf16_to_f32(0xc040) == -3.0f);
    float tie;
    uint32_t u = 0x3f808000u; /* 1 + 2^-8: a tie, rounds to even 0x3f80 */
    memcpy(&tie, &u, 4);
    assert_int_equal(quant_f32_to_bf16(tie), 0x3f80);
    u = 0x3f818000u;
    memcpy(&tie, &u, 4);
    assert_int_equal(quant_f32_to_bf16(tie), 0x3f82);
}

static void expect_row(uint32_t type, const uint8_t *b, const float *want,
                       size_t n)
{
    float got[256];
    quant_dequant_row(type, b, got, n);
    for (size_t i = 0; i < n; i++)
        if (got[i] != want[i])
            fail_msg("%s element %zu: %g, expected %g", gguf_ttype_name(type),
                     i, (double)got[i], (double)want[i]);
    /* a dot with a unit vector picks out exactly that value */
    float x[256] = {0};
    for (size_t i = 0; i < n; i++) {
        x[i] = 1;
        if (quant_dot(type, b, x, n) != want[i])
            fail_msg("%s dot with unit %zu", gguf_ttype_name(type), i);
        x[i] = 0;
    }
}

static void test_quant_q4_0_by_hand(void **state)
{
    (void)state;
    uint8_t b[18] = {0x00, 0x38}; /* d = 0.5 */
    for (int j = 0; j < 16; j++)
        b[2 + j] = (uint8_t)(j | (15 - j) << 4);
    static const float want[32] = {
        -4, -3.5, -3, -2.5, -2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5,
        3.5, 3, 2.5, 2, 1.5, 1, 0.5, 0, -0.5, -1, -1.5, -2, -2.5, -3, -3.5, -4};
    expect_row(GGUF_T_Q4_0, b, want, 32);
}

static void test_quant_q5_0_by_hand(void **state)
{
    (void)state;
    /* d = 0.25; high bits set for element 0 (bit 0) and 31 (bit 31) */
    uint8_t b[22] = {0x00, 0x34, 0x01, 0x00, 0x00, 0x80};
    memset(b + 6, 0x53, 16); /* low nibble 3, high nibble 5 */
    float want[32];
    want[0] = 0.75f; /* (3 + 16 - 16) / 4 */
    for (int j = 1; j < 16; j++)
        want[j] = -3.25f; /* (3 - 16) / 4 */
    for (int j = 16; j < 31; j++)
        want[j] = -2.75f; /* (5 - 16) / 4 */
    want[31] = 1.25f;     /* (5 + 16 - 16) / 4 */
    expect_row(GGUF_T_Q5_0, b, want, 32);
}

static void test_quant_q8_0_by_hand(void **state)
{
    (void)state;
    uint8_t b[34] = {0x00, 0x40}; /* d = 2 */
    float want[32];
    for (int j = 0; j < 32; j++) {
        b[2 + j] = (uint8_t)(int8_t)(j - 16);
        want[j] = (float)(2 * (j - 16)); /* -32, -30, ..., 30 */
    }
    expect_row(GGUF_T_Q8_0, b, want, 32);
    /* quantizing those values gives the block back (amax 32: d = 32/127) */
    uint8_t q[34];
    quant_q8_0_from_f32(want, q, 32);
    assert_int_equal(q[2], (uint8_t)(int8_t)-127);
    assert_int_equal(q[2 + 16], 0);
    assert_int_equal(q[2 + 20], 32); /* 8/32·127 = 31.75 -> 32 */
}

static void test_quant_q4_k_by_hand(void **state)
{
    (void)state;
    uint8_t b[144] = {0x00, 0x3c, 0x00, 0x38, /* d = 1, dmin = 0.5 */
                      0x41, 0x02, 0x03, 0x04, 0x81, 0x01, 0x01, 0x01,
                      0x21, 0x00, 0x00, 0x00};
    memset(b + 16, 0x73, 128); /* low nibbles 3, high nibbles 7 */
    /* scales/mins: s0 1/1, s1 2/1, s2 3/1, s3 4/1; s4 = 1|1<<4 = 17 and
     * min 2|2<<4 = 34; s5..s7 0/0.  Sub-blocks alternate low (3) and
     * high (7) nibbles: 1·3−.5, 2·7−.5, 3·3−.5, 4·7−.5, 17·3−17, 0... */
    static const float sub[8] = {2.5f, 13.5f, 8.5f, 27.5f, 34, 0, 0, 0};
    float want[256];
    for (int i = 0; i < 256; i++)
        want[i] = sub[i / 32];
    expect_row(GGUF_T_Q4_K, b, want, 256);
}

static void test_quant_q6_k_by_hand(void **state)
{
    (void)state;
    uint8_t b[210];
    memset(b, 0x21, 128);       /* ql: low 1, high 2 */
    memset(b + 128, 0xe4, 64);  /* qh: 2-bit fields 0, 1, 2, 3 */
    for (int g = 0; g < 16; g++)
        b[192 + g] = (uint8_t)(int8_t)(g - 8); /* scales -8..7 */
    b[208] = 0x00;
    b[209] = 0x38; /* d = 0.5, stored last */
    /* in each half of 128: quants 1|0<<4, 1|1<<4, 2|2<<4, 2|3<<4, less 32 */
    static const int q[4] = {-31, -15, 2, 18};
    float want[256];
    for (int e = 0; e < 256; e++)
        want[e] = 0.5f * (float)((e / 16 - 8) * q[(e % 128) / 32]);
    assert_true(want[0] == 124 && want[40] == 45 && want[200] == 4 &&
                want[255] == 63);
    expect_row(GGUF_T_Q6_K, b, want, 256);
}

static void test_quant_plain_rows(void **state)
{
    (void)state;
    uint8_t h[4] = {0x00, 0x3c, 0x00, 0xc0};   /* f16 1, -2 */
    uint8_t bf[4] = {0x80, 0x3f, 0x40, 0xc0};  /* bf16 1, -3 */
    float f[2] = {0.5f, -0.25f};
    float x[2] = {2, 3};
    assert_true(quant_dot(GGUF_T_F16, h, x, 2) == -4.0f);
    assert_true(quant_dot(GGUF_T_BF16, bf, x, 2) == -7.0f);
    assert_true(quant_dot(GGUF_T_F32, f, x, 2) == 0.25f);
    assert_int_equal(quant_row_bytes(GGUF_T_Q6_K, 512), 420);
    assert_int_equal(quant_row_bytes(GGUF_T_BF16, 3), 6);
}

/* On random blocks, the factored dot product agrees with the plain sum
 * over the dequantized row (to float rounding), for every type. */
static void test_quant_dot_matches_dequant(void **state)
{
    (void)state;
    static const uint32_t types[] = {GGUF_T_F32, GGUF_T_F16, GGUF_T_BF16,
                                     GGUF_T_Q8_0, GGUF_T_Q4_0, GGUF_T_Q5_0,
                                     GGUF_T_Q4_K, GGUF_T_Q6_K};
    osafe_rng r;
    rng_seed(&r, 11);
    enum { N = 1024 };
    float x[N], y[N];
    for (size_t t = 0; t < 8; t++) {
        gw *w = gw_new(3);
        gw_tensor_random(w, "w", types[t], N, 1, 0.05f, &r);
        uint8_t *p;
        size_t len;
        gw_finish(w, &p, &len);
        gw_free(w);
        gguf_file *g;
        assert_int_equal(gguf_parse(p, len, &g, NULL), 0);
        const gguf_tensor *tt = gguf_tensor_at(g, 0);
        for (int k = 0; k < 5; k++) {
            for (int i = 0; i < N; i++)
                x[i] = (float)(2 * rng_uniform(&r) - 1);
            quant_dequant_row(types[t], tt->data, y, N);
            double ref = 0, mag = 0;
            for (int i = 0; i < N; i++) {
                ref += (double)y[i] * x[i];
                mag += fabs((double)y[i] * x[i]);
            }
            double got = quant_dot(types[t], tt->data, x, N);
            if (fabs(got - ref) > 1e-5 * mag + 1e-6)
                fail_msg("%s: dot %g, dequantized sum %g",
                         gguf_ttype_name(types[t]), got, ref);
        }
        gguf_close(g);
        free(p);
    }
}

/* Random weight rows (every byte pattern, so Q8_0 quants of -128 too) and
 * activations quantized to Q8_0: the integer kernels agree with the
 * dequantized sum, and the AVX2 kernel gives the scalar one's bits for
 * every batch size (the sums are exact integers, the float part is one
 * expression in one order). */
static void test_quant_q8_kernels_agree(void **state)
{
    (void)state;
    static const uint32_t types[] = {GGUF_T_Q8_0, GGUF_T_Q4_0, GGUF_T_Q5_0};
    enum { N = 512, NB = QUANT_BATCH_MAX };
    static float x[NB * N], y[N], xd[NB * N / 32], ys[NB], ya[NB];
    static int8_t xq[NB * N];
    static uint8_t w[N / 32 * 34];
    osafe_rng r;
    rng_seed(&r, 23);
    int avx2 = quant_path_best() == QUANT_PATH_AVX2;
    for (size_t t = 0; t < 3; t++) {
        size_t bb = gguf_block_bytes(types[t]);
        for (size_t i = 0; i < N / 32 * bb; i++)
            w[i] = (uint8_t)(rng_uniform(&r) * 256);
        for (size_t k = 0; k < N / 32; k++) { /* sane scales, some zero */
            uint16_t h = quant_f32_to_f16(k % 7 ? (float)rng_uniform(&r) / 64 : 0);
            w[k * bb] = (uint8_t)h;
            w[k * bb + 1] = (uint8_t)(h >> 8);
        }
        for (size_t i = 0; i < NB * N; i++)
            x[i] = (float)(2 * rng_uniform(&r) - 1) * (i % 97 ? 1.0f : 50.0f);
        for (size_t b = 0; b < NB; b++)
            quant_act_q8_0(x + b * N, N, xq + b * N, xd + b * N / 32);
        quant_dequant_row(types[t], w, y, N);
        for (size_t nb = 1; nb <= NB; nb += 7) {
            quant_dot_q8_batch(types[t], w, xq, xd, N, nb, ys, 1, N,
                               QUANT_PATH_SCALAR);
            for (size_t b = 0; b < nb; b++) {
                double ref = 0, mag = 0;
                for (size_t i = 0; i < N; i++) {
                    double v = (double)y[i] * xq[b * N + i] * xd[b * N / 32 + i / 32];
                    ref += v;
                    mag += fabs(v);
                }
                if (fabs(ys[b] - ref) > 1e-5 * mag + 1e-6)
                    fail_msg("%s: integer dot %g, dequantized %g",
                             gguf_ttype_name(types[t]), ys[b], ref);
            }
            if (!avx2)
                continue;
            quant_dot_q8_batch(types[t], w, xq, xd, N, nb, ya, 1, N,
                               QUANT_PATH_AVX2);
            assert_memory_equal(ys, ya, nb * sizeof ys[0]);
        }
    }
    /* the activations' quants and scales, by hand: max 127 gives d = 1
     * and the quants are the values rounded to nearest, halves to even
     * (ggml's x86 kernels round so, with _mm256_round_ps) */
    float hx[32] = {127.0f, -0.5f, 1.5f, 2.5f, -127.0f, 0.49f, -3.5f};
    quant_act_q8_0(hx, 32, xq, xd);
    assert_true(xd[0] == 1.0f);
    assert_int_equal(xq[0], 127);
    assert_int_equal(xq[1], 0);
    assert_int_equal(xq[2], 2);
    assert_int_equal(xq[3], 2);
    assert_int_equal(xq[4], -127);
    assert_int_equal(xq[5], 0);
    assert_int_equal(xq[6], -4);
}

/* The AVX2 activation quantizer gives the scalar one's bits, halves and
 * blocks holding an infinity or a NaN included. */
static void test_quant_act_q8_0_paths_agree(void **state)
{
    (void)state;
    if (quant_path_best() != QUANT_PATH_AVX2)
        skip();
    enum { N = 32 * 64 };
    static float x[N], ds[N / 32], da[N / 32];
    static int8_t qs[N], qa[N];
    osafe_rng r;
    rng_seed(&r, 41);
    for (size_t i = 0; i < N; i++)
        x[i] = (float)(2 * rng_uniform(&r) - 1) * (i % 61 ? 3.0f : 300.0f);
    for (size_t i = 0; i < 32; i++) /* a block of exact halves */
        x[i] = (float)((int)i - 16) + 0.5f;
    x[0] = 127.0f;
    x[40] = INFINITY;
    x[80] = NAN;
    x[100] = -INFINITY;
    for (size_t i = 128; i < 160; i++) /* a zero block */
        x[i] = 0;
    quant_act_q8_0_path(x, N, qs, ds, QUANT_PATH_SCALAR);
    quant_act_q8_0_path(x, N, qa, da, QUANT_PATH_AVX2);
    assert_memory_equal(qs, qa, sizeof qs);
    for (size_t k = 0; k < N / 32; k++) /* bit patterns: NaN != NaN */
        assert_memory_equal(&ds[k], &da[k], sizeof(float));
    assert_int_equal(qs[1], -14); /* -14.5 goes to even */
}

/* quant_gemm's tiles (several weight rows by several activation rows,
 * remainders of both) give the scalar kernels' bits for every output. */
static void test_quant_gemm_tiles_match_scalar(void **state)
{
    (void)state;
    if (quant_path_best() != QUANT_PATH_AVX2)
        skip();
    static const uint32_t types[] = {GGUF_T_Q8_0, GGUF_T_Q4_0, GGUF_T_Q5_0,
                                     GGUF_T_Q4_K, GGUF_T_Q6_K};
    enum { N = 512, ROWS = 7, NB = QUANT_BATCH_MAX };
    static float x[NB * N], xd[NB * N / 32], ys[NB * ROWS], ya[NB * ROWS];
    static int8_t xq[NB * N];
    static int16_t xbs[NB * N / 16];
    static uint8_t w[ROWS * N / 32 * 34];
    osafe_rng r;
    rng_seed(&r, 43);
    for (size_t i = 0; i < NB * N; i++)
        x[i] = (float)(2 * rng_uniform(&r) - 1) * (i % 83 ? 1.0f : 30.0f);
    for (size_t t = 0; t < 5; t++) {
        int k = quant_q8k_supported(types[t]);
        size_t rb = quant_row_bytes(types[t], N);
        for (size_t i = 0; i < ROWS * rb; i++)
            w[i] = (uint8_t)(rng_uniform(&r) * 256);
        size_t be = gguf_block_elems(types[t]), bb = gguf_block_bytes(types[t]);
        for (size_t b = 0; b < ROWS * N / be; b++) { /* finite f16 scales */
            size_t at = types[t] == GGUF_T_Q6_K ? 208 : 0;
            for (size_t j = 0; j < (types[t] == GGUF_T_Q4_K ? 2u : 1u); j++) {
                uint16_t h = quant_f32_to_f16((float)rng_uniform(&r) / 64);
                w[b * bb + at + 2 * j] = (uint8_t)h;
                w[b * bb + at + 2 * j + 1] = (uint8_t)(h >> 8);
            }
        }
        for (size_t b = 0; b < NB; b++) {
            if (k)
                quant_act_q8_k(x + b * N, N, xq + b * N, xd + b * N / 256,
                               xbs + b * N / 16);
            else
                quant_act_q8_0(x + b * N, N, xq + b * N, xd + b * N / 32);
        }
        for (size_t nb = 1; nb <= NB; nb += 3) {
            quant_acts a = {xq, xd, k ? xbs : NULL, N, nb};
            quant_gemm(types[t], w, rb, 0, ROWS, N, &a, ys, ROWS,
                       QUANT_PATH_SCALAR);
            /* two calls, split at an odd row, as two threads would */
            quant_gemm(types[t], w, rb, 0, 3, N, &a, ya, ROWS,
                       QUANT_PATH_AVX2);
            quant_gemm(types[t], w, rb, 3, ROWS, N, &a, ya, ROWS,
                       QUANT_PATH_AVX2);
            for (size_t i = 0; i < nb * ROWS; i++)
                if (memcmp(&ys[i], &ya[i], sizeof ys[i]))
                    fail_msg("%s nb %zu row %zu act %zu: scalar %a, AVX2 %a",
                             gguf_ttype_name(types[t]), nb, i % ROWS,
                             i / ROWS, ys[i], ya[i]);
        }
    }
}

/* The same for Q4_K and Q6_K weights against Q8_K activations: random
 * bytes for the quants and 6-bit scales, sane f16 super-scales. */
static void test_quant_q8k_kernels_agree(void **state)
{
    (void)state;
    static const uint32_t types[] = {GGUF_T_Q4_K, GGUF_T_Q6_K};
    enum { N = 1024, NB = QUANT_BATCH_MAX };
    static float x[NB * N], y[N], xd[NB * N / 256], ys[NB], ya[NB];
    static int8_t xq[NB * N];
    static int16_t xbs[NB * N / 16];
    static uint8_t w[N / 256 * 210];
    osafe_rng r;
    rng_seed(&r, 29);
    int avx2 = quant_path_best() == QUANT_PATH_AVX2;
    for (size_t t = 0; t < 2; t++) {
        size_t bb = gguf_block_bytes(types[t]);
        for (size_t i = 0; i < N / 256 * bb; i++)
            w[i] = (uint8_t)(rng_uniform(&r) * 256);
        for (size_t k = 0; k < N / 256; k++) {
            uint16_t h = quant_f32_to_f16((float)rng_uniform(&r) / 64);
            size_t at = types[t] == GGUF_T_Q4_K ? 0 : 208;
            w[k * bb + at] = (uint8_t)h;
            w[k * bb + at + 1] = (uint8_t)(h >> 8);
            if (types[t] == GGUF_T_Q4_K) { /* dmin */
                h = quant_f32_to_f16((float)rng_uniform(&r) / 64);
                w[k * bb + 2] = (uint8_t)h;
                w[k * bb + 3] = (uint8_t)(h >> 8);
            }
        }
        for (size_t i = 0; i < NB * N; i++)
            x[i] = (float)(2 * rng_uniform(&r) - 1) * (i % 89 ? 1.0f : 40.0f);
        for (size_t b = 0; b < NB; b++)
            quant_act_q8_k(x + b * N, N, xq + b * N, xd + b * N / 256,
                           xbs + b * N / 16);
        quant_dequant_row(types[t], w, y, N);
        for (size_t nb = 1; nb <= NB; nb += 5) {
            quant_dot_q8k_batch(types[t], w, xq, xd, xbs, N, nb, ys, 1, N,
                                QUANT_PATH_SCALAR);
            for (size_t b = 0; b < nb; b++) {
                double ref = 0, mag = 0;
                for (size_t i = 0; i < N; i++) {
                    double v = (double)y[i] * xq[b * N + i] * xd[b * N / 256 + i / 256];
                    ref += v;
                    mag += fabs(v);
                }
                if (fabs(ys[b] - ref) > 1e-5 * mag + 1e-6)
                    fail_msg("%s: integer dot %g, dequantized %g",
                             gguf_ttype_name(types[t]), ys[b], ref);
            }
            if (!avx2)
                continue;
            quant_dot_q8k_batch(types[t], w, xq, xd, xbs, N, nb, ya, 1, N,
                                QUANT_PATH_AVX2);
            assert_memory_equal(ys, ya, nb * sizeof ys[0]);
        }
    }
    /* by hand: the extreme -2.54 maps to -127 with d = 0.02, so 2.54
     * gives +127 and 0.01 is a half that goes to even (0); bsum of the
     * first 16 */
    float hx[256] = {-2.54f, 2.54f, 0.01f, 0.03f};
    quant_act_q8_k(hx, 256, xq, xd, xbs);
    assert_true(fabsf(xd[0] - 0.02f) < 1e-7f);
    assert_int_equal(xq[0], -127);
    assert_int_equal(xq[1], 127);
    assert_int_equal(xq[2], 0);
    assert_int_equal(xq[3], 2);
    assert_int_equal(xbs[0], 2);
}

/* The f16 roundings of the attention (the KV cache rows, q and the
 * softmax weights) give the scalar bits on the F16C path: random bit
 * patterns (NaNs with payloads, infinities, subnormals), halves between
 * two f16 values, and a length that leaves a tail. */
static void test_quant_f16_rows_paths_agree(void **state)
{
    (void)state;
    if (quant_path_best() != QUANT_PATH_AVX2)
        skip();
    enum { N = 4099 };
    static float x[N], rs[N], ra[N];
    static uint16_t hs[N], ha[N];
    osafe_rng r;
    rng_seed(&r, 71);
    for (size_t i = 0; i < N; i++) {
        uint32_t bits = (uint32_t)(rng_uniform(&r) * 4294967296.0);
        if (i % 3 == 1) /* a half way between two f16 values */
            bits = (bits & 0x8fffe000u) | 0x00001000u;
        else if (i % 3 == 2) /* around the f16 range and its subnormals */
            bits = (bits & 0x87ffffffu) | (i % 2 ? 0x30000000u : 0x40000000u);
        memcpy(&x[i], &bits, 4);
    }
    quant_row_to_f16_path(x, hs, N, QUANT_PATH_SCALAR);
    quant_row_to_f16_path(x, ha, N, QUANT_PATH_AVX2);
    assert_memory_equal(hs, ha, sizeof hs);
    memcpy(rs, x, sizeof x);
    memcpy(ra, x, sizeof x);
    quant_round_f16(rs, N, QUANT_PATH_SCALAR);
    quant_round_f16(ra, N, QUANT_PATH_AVX2);
    assert_memory_equal(rs, ra, sizeof rs);
    for (size_t i = 0; i < N; i++) /* and the scalar is the reference */
        assert_int_equal(hs[i], quant_f32_to_f16(x[i]));
}

/* quant_act_q8_k gives the same quants, scales and sums on both paths:
 * ordinary blocks, a block whose extreme magnitude appears with both
 * signs (the first one sets the sign), one with NaNs, with an infinity,
 * with a subnormal extreme (an infinite 1/d), all zeros, and random bit
 * patterns. */
static void test_quant_act_q8_k_paths_agree(void **state)
{
    (void)state;
    if (quant_path_best() != QUANT_PATH_AVX2)
        skip();
    enum { NBLK = 10, N = 256 * NBLK };
    static float x[N], ds[NBLK], da[NBLK];
    static int8_t qs[N], qa[N];
    static int16_t bs_s[N / 16], bs_a[N / 16];
    osafe_rng r;
    rng_seed(&r, 83);
    for (size_t i = 0; i < N; i++)
        x[i] = (float)(2 * rng_uniform(&r) - 1) * (i % 37 ? 1.0f : 9.0f);
    x[256 + 5] = -12.5f; /* block 1: the first of ±12.5 is negative */
    x[256 + 9] = 12.5f;
    x[256 + 10] = 0.5f * 12.5f / 127.0f * 3; /* near a half */
    x[512 + 3] = NAN;
    x[512 + 200] = -NAN;
    x[768 + 17] = INFINITY;
    for (size_t i = 1024; i < 1280; i++) /* block 4: subnormal extreme */
        x[i] = (float)(i % 7) * 0x1p-140f;
    memset(x + 1280, 0, 256 * sizeof(float)); /* block 5: zeros */
    for (size_t i = 1536; i < N; i++) { /* blocks 6..9: any bits */
        uint32_t bits = (uint32_t)(rng_uniform(&r) * 4294967296.0);
        memcpy(&x[i], &bits, 4);
    }
    quant_act_q8_k_path(x, N, qs, ds, bs_s, QUANT_PATH_SCALAR);
    quant_act_q8_k_path(x, N, qa, da, bs_a, QUANT_PATH_AVX2);
    assert_memory_equal(qs, qa, sizeof qs);
    assert_memory_equal(ds, da, sizeof ds); /* bit patterns */
    assert_memory_equal(bs_s, bs_a, sizeof bs_s);
    assert_int_equal(qs[256 + 5], -127);
    assert_int_equal(qs[256 + 9], 127);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quant_half_and_bfloat),
        cmocka_unit_test(test_quant_q4_0_by_hand),
        cmocka_unit_test(test_quant_q5_0_by_hand),
        cmocka_unit_test(test_quant_q8_0_by_hand),
        cmocka_unit_test(test_quant_q4_k_by_hand),
        cmocka_unit_test(test_quant_q6_k_by_hand),
        cmocka_unit_test(test_quant_plain_rows),
        cmocka_unit_test(test_quant_dot_matches_dequant),
        cmocka_unit_test(test_quant_q8_kernels_agree),
        cmocka_unit_test(test_quant_act_q8_0_paths_agree),
        cmocka_unit_test(test_quant_gemm_tiles_match_scalar),
        cmocka_unit_test(test_quant_q8k_kernels_agree),
        cmocka_unit_test(test_quant_f16_rows_paths_agree),
        cmocka_unit_test(test_quant_act_q8_k_paths_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
