/*
 * quant_q8.c - activations quantized to Q8_0 (Q8_K) and integer dot
 * products with Q8_0, Q4_0 and Q5_0 (Q4_K, Q6_K) weight rows (quant.h), as
 * llama.cpp computes them, and the scalar reference for quant_gemm's order.
 *
 * The integer sums of a block are exact whichever way they are added up,
 * so the AVX2 tiles (quant_avx2.c, chosen at run time, compiled with a
 * target attribute rather than a global -mavx2) compute the same 8 int32
 * lanes as the scalar code here; the float part is the same operations in
 * the same order (fused multiply-adds: fmaf here, vfmadd there; C17 mode
 * contracts nothing else), so both paths give the same bits (test_quant.c).
 */
#include "infer/quant.h"

#include <math.h>
#include <string.h>

#include "infer/gguf.h"
#include "infer/quant_int.h"

#if QUANT_HAVE_AVX2
#include <cpuid.h>

/* F16C (the f16 KV cache's conversions) is CPUID leaf 1, ECX bit 29,
 * asked directly: clang 14's __builtin_cpu_supports knows no "f16c". */
static int have_f16c(void)
{
    unsigned a, b, c, d;
    return __get_cpuid(1, &a, &b, &c, &d) && (c & bit_F16C) != 0;
}
#endif

int quant_q8_supported(uint32_t type)
{
    return type == GGUF_T_Q8_0 || type == GGUF_T_Q4_0 || type == GGUF_T_Q5_0;
}

int quant_q8k_supported(uint32_t type)
{
    return type == GGUF_T_Q4_K || type == GGUF_T_Q6_K;
}

int quant_gemm_supported(uint32_t type)
{
    return quant_q8_supported(type) || quant_q8k_supported(type);
}

int quant_path_best(void)
{
#if QUANT_HAVE_AVX2
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
        have_f16c())
        return QUANT_PATH_AVX2;
#endif
    return QUANT_PATH_SCALAR;
}

/* One block of 32 as llama.cpp's x86 kernels quantize it: the scale
 * amax/127 kept as f16, the quants x·(127/amax) rounded to nearest, halves
 * to even (as _mm256_round_ps does).  An infinite or NaN activation (a
 * hostile file can make one) must not reach the float-to-int conversion,
 * where it would be undefined: the clamps and the NaN test keep it out. */
void quant__act_q8_0_block(const float *xb, int8_t *q, float *d)
{
    float amax = 0;
    for (int j = 0; j < 32; j++) {
        float ax = fabsf(xb[j]);
        amax = amax > ax ? amax : ax;
    }
    float id = amax != 0 ? 127.0f / amax : 0.0f;
    *d = quant_f16_to_f32(quant_f32_to_f16(amax / 127.0f));
    for (int j = 0; j < 32; j++) {
        float v = xb[j] * id;
        q[j] = (int8_t)(v >= 127.0f    ? 127
                        : v <= -127.0f ? -127
                        : v == v       ? (int)nearbyintf(v)
                                       : 0);
    }
}

void quant_act_q8_0_path(const float *x, size_t n, int8_t *q, float *d,
                         int path)
{
#if QUANT_HAVE_AVX2
    if (path == QUANT_PATH_AVX2) {
        quant__act_q8_0_avx2(x, n, q, d);
        return;
    }
#endif
    (void)path;
    for (size_t k = 0; k < n / 32; k++)
        quant__act_q8_0_block(x + 32 * k, q + 32 * k, d + k);
}

void quant_act_q8_0(const float *x, size_t n, int8_t *q, float *d)
{
    quant_act_q8_0_path(x, n, q, d, QUANT_PATH_SCALAR);
}

static float blk_d(const uint8_t *b)
{
    return quant_f16_to_f32((uint16_t)(b[0] | b[1] << 8));
}

/* The 32 signed quants of weight block b, in element order. */
static void unpack(uint32_t type, const uint8_t *b, int8_t *q)
{
    if (type == GGUF_T_Q8_0) {
        memcpy(q, b + 2, 32);
    } else if (type == GGUF_T_Q4_0) {
        for (int j = 0; j < 16; j++) {
            q[j] = (int8_t)((b[2 + j] & 15) - 8);
            q[j + 16] = (int8_t)((b[2 + j] >> 4) - 8);
        }
    } else {
        uint32_t qh = (uint32_t)b[2] | (uint32_t)b[3] << 8 |
                      (uint32_t)b[4] << 16 | (uint32_t)b[5] << 24;
        for (int j = 0; j < 16; j++) {
            int lo = (b[6 + j] & 15) | (int)((qh >> j) & 1) << 4;
            int hi = (b[6 + j] >> 4) | (int)((qh >> (j + 16)) & 1) << 4;
            q[j] = (int8_t)(lo - 16);
            q[j + 16] = (int8_t)(hi - 16);
        }
    }
}

/* ---- Q8_K activations against Q4_K and Q6_K weights ---- */

/* One Q8_K block of quant_act_q8_k. */
static void act_q8_k_block(const float *xb, int8_t *qb, float *d)
{
    float amax = 0, max = 0;
    for (int j = 0; j < 256; j++)
        if (fabsf(xb[j]) > amax) {
            amax = fabsf(xb[j]);
            max = xb[j];
        }
    if (amax == 0) {
        *d = 0;
        memset(qb, 0, 256);
        return;
    }
    /* the signed extreme maps to -127 and the scale is kept in f32, as
     * ggml's block_q8_K does; nearest, halves to even */
    float is = -127.0f / max;
    for (int j = 0; j < 256; j++) {
        long v = lrintf(is * xb[j]);
        qb[j] = (int8_t)(v > 127 ? 127 : v < -127 ? -127 : v);
    }
    *d = 1.0f / is;
}

void quant_act_q8_k_path(const float *x, size_t n, int8_t *q, float *d,
                         int16_t *bsum, int path)
{
    (void)path;
    for (size_t k = 0; k < n / 256; k++) {
        int8_t *qb = q + 256 * k;
#if QUANT_HAVE_AVX2
        if (path == QUANT_PATH_AVX2)
            quant__act_q8_k_block_avx2(x + 256 * k, qb, d + k);
        else
#endif
            act_q8_k_block(x + 256 * k, qb, d + k);
        for (int g = 0; g < 16; g++) {
            int sm = 0;
            for (int j = 0; j < 16; j++)
                sm += qb[16 * g + j];
            bsum[16 * k + g] = (int16_t)sm;
        }
    }
}

void quant_act_q8_k(const float *x, size_t n, int8_t *q, float *d,
                    int16_t *bsum)
{
    quant_act_q8_k_path(x, n, q, d, bsum, QUANT_PATH_SCALAR);
}

/* A K-quant weight block as integers: value j = d·sc[g]·q[j] − dmin·mn[g]
 * for g = j / (256 / ng); Q4_K: 8 groups with mins, Q6_K: 16 without. */
typedef struct kblk {
    int8_t q[256];
    int16_t sc[16], mn[16];
    float d, dmin;
    int ng;
} kblk;

static void unpack_k(uint32_t type, const uint8_t *b, kblk *o)
{
    if (type == GGUF_T_Q4_K) {
        o->ng = 8;
        o->d = blk_d(b);
        o->dmin = blk_d(b + 2);
        const uint8_t *sc = b + 4, *qs = b + 16;
        for (int s = 0; s < 8; s++) {
            /* 6-bit pairs: the first four whole, the last four split
             * between a nibble and the top bits of the first eight bytes */
            o->sc[s] = (int16_t)(s < 4 ? sc[s] & 63
                                       : (sc[s + 4] & 15) | (sc[s - 4] >> 6) << 4);
            o->mn[s] = (int16_t)(s < 4 ? sc[s + 4] & 63
                                       : (sc[s + 4] >> 4) | (sc[s] >> 6) << 4);
            for (int l = 0; l < 32; l++) {
                uint8_t v = qs[32 * (s / 2) + l];
                o->q[32 * s + l] = (int8_t)(s & 1 ? v >> 4 : v & 15);
            }
        }
        return;
    }
    o->ng = 16;
    o->d = blk_d(b + 208);
    o->dmin = 0;
    for (int g = 0; g < 16; g++) {
        o->sc[g] = ((const int8_t *)(b + 192))[g];
        o->mn[g] = 0;
    }
    for (int h = 0; h < 2; h++) {
        const uint8_t *ql = b + 64 * h, *qh = b + 128 + 32 * h;
        int8_t *y = o->q + 128 * h;
        for (int l = 0; l < 32; l++) {
            y[l] = (int8_t)(((ql[l] & 15) | (qh[l] & 3) << 4) - 32);
            y[l + 32] = (int8_t)(((ql[l + 32] & 15) | ((qh[l] >> 2) & 3) << 4) - 32);
            y[l + 64] = (int8_t)(((ql[l] >> 4) | ((qh[l] >> 4) & 3) << 4) - 32);
            y[l + 96] = (int8_t)(((ql[l + 32] >> 4) | ((qh[l] >> 6) & 3) << 4) - 32);
        }
    }
}

/* L[i] += lane i · scale with one rounding, as _mm256_fmadd_ps does
 * (fmaf is exact-then-rounded on every CPU; where there is no FMA
 * instruction it is slower, but that is the scalar fallback). */
static void lanes_add(float *L, const int32_t *s, float scale)
{
    for (int i = 0; i < 8; i++)
        L[i] = fmaf((float)s[i], scale, L[i]);
}

/* The AVX2 horizontal sum's order: halves, then pairs, then the last two. */
static float lanes_sum(const float *L)
{
    return ((L[0] + L[4]) + (L[2] + L[6])) + ((L[1] + L[5]) + (L[3] + L[7]));
}

static float row_q8_scalar(uint32_t type, const uint8_t *w, const quant_acts *a,
                           size_t b, size_t n)
{
    size_t bb = gguf_block_bytes(type);
    const int8_t *x = a->q + b * a->stride;
    const float *xd = a->d + b * (a->stride / 32);
    float L[8] = {0};
    int8_t q[32];
    for (size_t k = 0; k < n / 32; k++) {
        const uint8_t *blk = w + k * bb;
        unpack(type, blk, q);
        int32_t s[8];
        for (int i = 0; i < 8; i++) {
            s[i] = 0;
            for (int j = 4 * i; j < 4 * i + 4; j++)
                s[i] += (int32_t)q[j] * x[32 * k + j];
        }
        lanes_add(L, s, blk_d(blk) * xd[k]);
    }
    return lanes_sum(L);
}

static float row_q8k_scalar(uint32_t type, const uint8_t *w,
                            const quant_acts *a, size_t b, size_t n)
{
    size_t bb = gguf_block_bytes(type);
    float L[8] = {0}, M = 0;
    kblk o;
    for (size_t k = 0; k < n / 256; k++) {
        unpack_k(type, w + k * bb, &o);
        const int8_t *x = a->q + b * a->stride + 256 * k;
        const int16_t *bs = a->bsum + b * (a->stride / 16) + 16 * k;
        float dx = a->d[b * (a->stride / 256) + k];
        int gl = 256 / o.ng;
        int32_t s[8] = {0}, sm = 0;
        for (int c = 0; c < 8; c++)
            for (int i = 0; i < 8; i++) {
                int32_t p = 0;
                for (int j = 32 * c + 4 * i; j < 32 * c + 4 * i + 4; j++)
                    p += (int32_t)o.q[j] * x[j];
                s[i] += o.sc[(32 * c + 4 * i) / gl] * p;
            }
        for (int g = 0; g < 8 && o.ng == 8; g++)
            sm += o.mn[g] * (bs[2 * g] + bs[2 * g + 1]);
        lanes_add(L, s, o.d * dx);
        M = fmaf((float)sm, o.dmin * dx, M);
    }
    return lanes_sum(L) - M;
}

void quant_gemm(uint32_t type, const uint8_t *w, size_t row_bytes, size_t r0,
                size_t r1, size_t n, const quant_acts *a, float *y,
                size_t y_stride, int path)
{
#if QUANT_HAVE_AVX2
    if (path == QUANT_PATH_AVX2) {
        quant__gemm_avx2(type, w, row_bytes, r0, r1, n, a, y, y_stride);
        return;
    }
#endif
    (void)path;
    int k = quant_q8k_supported(type);
    for (size_t r = r0; r < r1; r++)
        for (size_t b = 0; b < a->nb; b++)
            y[b * y_stride + r] =
                k ? row_q8k_scalar(type, w + r * row_bytes, a, b, n)
                  : row_q8_scalar(type, w + r * row_bytes, a, b, n);
}

void quant_dot_q8_batch(uint32_t type, const void *w, const int8_t *xq,
                        const float *xd, size_t x_stride, size_t nb, float *y,
                        size_t y_stride, size_t n, int path)
{
    quant_acts a = {xq, xd, NULL, x_stride, nb};
    quant_gemm(type, w, 0, 0, 1, n, &a, y, y_stride, path);
}

void quant_dot_q8k_batch(uint32_t type, const void *w, const int8_t *xq,
                         const float *xd, const int16_t *xbs, size_t x_stride,
                         size_t nb, float *y, size_t y_stride, size_t n,
                         int path)
{
    quant_acts a = {xq, xd, xbs, x_stride, nb};
    quant_gemm(type, w, 0, 0, 1, n, &a, y, y_stride, path);
}

void quant_row_to_f16(const float *x, uint16_t *h, size_t n)
{
    for (size_t i = 0; i < n; i++)
        h[i] = quant_f32_to_f16(x[i]);
}

void quant_row_to_f16_path(const float *x, uint16_t *h, size_t n, int path)
{
    size_t i = 0;
#if QUANT_HAVE_AVX2
    if (path == QUANT_PATH_AVX2) {
        quant__to_f16_avx2(x, h, n);
        i = n - n % 8;
    }
#endif
    (void)path;
    quant_row_to_f16(x + i, h + i, n - i);
}

void quant_round_f16(float *x, size_t n, int path)
{
    size_t i = 0;
#if QUANT_HAVE_AVX2
    if (path == QUANT_PATH_AVX2) {
        quant__round_f16_avx2(x, n);
        i = n - n % 8;
    }
#endif
    (void)path;
    for (; i < n; i++)
        x[i] = quant_f16_to_f32(quant_f32_to_f16(x[i]));
}

float quant_dot_f16(const float *q, const uint16_t *k, size_t n, int path)
{
#if QUANT_HAVE_AVX2
    if (path == QUANT_PATH_AVX2)
        return quant__dot_f16_avx2(q, k, n);
#endif
    (void)path;
    float L[8] = {0};
    for (size_t i = 0; i < n; i++)
        L[i % 8] = fmaf(q[i], quant_f16_to_f32(k[i]), L[i % 8]);
    return lanes_sum(L);
}

void quant_axpy_f16(float w, const uint16_t *v, float *o, size_t n, int path)
{
#if QUANT_HAVE_AVX2
    if (path == QUANT_PATH_AVX2) {
        quant__axpy_f16_avx2(w, v, o, n);
        return;
    }
#endif
    (void)path;
    for (size_t i = 0; i < n; i++)
        o[i] = fmaf(w, quant_f16_to_f32(v[i]), o[i]);
}
