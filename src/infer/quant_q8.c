/*
 * quant_q8.c - activations quantized to Q8_0 and integer dot products with
 * Q8_0, Q4_0 and Q5_0 weight rows (quant.h), as llama.cpp computes them:
 * per block of 32, an exact int32 Σ qw·qx, then acc += Σ·(dw·dx) in float,
 * block after block.
 *
 * The integer sum of a block is exact whichever way it is added up, so the
 * AVX2 kernel (chosen at run time, compiled with a target attribute rather
 * than a global -mavx2) computes the same int32 as the scalar one; the
 * float part is one shared expression in one order, with no FMA enabled
 * in either, so both paths give the same bits (test_quant.c).
 */
#include "infer/quant.h"

#include <math.h>
#include <string.h>

#include "infer/gguf.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define QUANT_HAVE_AVX2 1
#include <immintrin.h>
#else
#define QUANT_HAVE_AVX2 0
#endif

int quant_q8_supported(uint32_t type)
{
    return type == GGUF_T_Q8_0 || type == GGUF_T_Q4_0 || type == GGUF_T_Q5_0;
}

int quant_q8k_supported(uint32_t type)
{
    return type == GGUF_T_Q4_K || type == GGUF_T_Q6_K;
}

int quant_path_best(void)
{
#if QUANT_HAVE_AVX2
    if (__builtin_cpu_supports("avx2"))
        return QUANT_PATH_AVX2;
#endif
    return QUANT_PATH_SCALAR;
}

void quant_act_q8_0(const float *x, size_t n, int8_t *q, float *d)
{
    for (size_t k = 0; k < n / 32; k++) {
        const float *xb = x + 32 * k;
        float amax = 0;
        for (int j = 0; j < 32; j++)
            amax = fmaxf(amax, fabsf(xb[j]));
        float dk = amax / 127.0f, id = dk ? 1.0f / dk : 0.0f;
        /* the scale is stored as f16 (as ggml's block_q8_0 does) while
         * the quants use the unrounded inverse */
        d[k] = quant_f16_to_f32(quant_f32_to_f16(dk));
        for (int j = 0; j < 32; j++) {
            /* halves away from zero, as ggml rounds; an infinite or NaN
             * activation (a hostile file can make one) must not reach the
             * float-to-int conversion, where it would be undefined */
            float v = xb[j] * id;
            q[32 * k + j] = (int8_t)(v >= 127.0f    ? 127
                                     : v <= -127.0f ? -127
                                     : v == v       ? (int)roundf(v)
                                                    : 0);
        }
    }
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

static void dot_scalar(uint32_t type, const uint8_t *w, const int8_t *xq,
                       const float *xd, size_t x_stride, size_t nb, float *acc,
                       size_t n)
{
    size_t bb = gguf_block_bytes(type);
    int8_t q[32];
    for (size_t k = 0; k < n / 32; k++) {
        const uint8_t *b = w + k * bb;
        unpack(type, b, q);
        float dw = blk_d(b);
        for (size_t v = 0; v < nb; v++) {
            const int8_t *x = xq + v * x_stride + 32 * k;
            int32_t s = 0;
            for (int j = 0; j < 32; j++)
                s += (int32_t)q[j] * x[j];
            acc[v] += (float)s * (dw * xd[v * (x_stride / 32) + k]);
        }
    }
}

#if QUANT_HAVE_AVX2
__attribute__((target("avx2"))) static __m256i
unpack_avx2(uint32_t type, const uint8_t *b)
{
    if (type == GGUF_T_Q8_0)
        return _mm256_loadu_si256((const __m256i *)(const void *)(b + 2));
    const uint8_t *qs = b + (type == GGUF_T_Q4_0 ? 2 : 6);
    __m128i raw = _mm_loadu_si128((const __m128i *)(const void *)qs);
    __m128i m4 = _mm_set1_epi8(15);
    __m256i nib = _mm256_set_m128i(_mm_and_si128(_mm_srli_epi16(raw, 4), m4),
                                   _mm_and_si128(raw, m4));
    if (type == GGUF_T_Q4_0)
        return _mm256_sub_epi8(nib, _mm256_set1_epi8(8));
    /* Q5_0: byte j takes bit j of qh as its fifth bit */
    uint32_t qh;
    memcpy(&qh, b + 2, 4);
    __m256i h = _mm256_shuffle_epi8(
        _mm256_set1_epi32((int)qh),
        _mm256_set_epi64x(0x0303030303030303LL, 0x0202020202020202LL,
                          0x0101010101010101LL, 0));
    __m256i bit = _mm256_set1_epi64x((long long)0x8040201008040201ULL);
    h = _mm256_cmpeq_epi8(_mm256_and_si256(h, bit), bit);
    nib = _mm256_or_si256(nib, _mm256_and_si256(h, _mm256_set1_epi8(16)));
    return _mm256_sub_epi8(nib, _mm256_set1_epi8(16));
}

/* Σ a[j]·b[j] over 32 int8 (b never −128: activations are within ±127,
 * so |a|·(±b) pairs stay inside int16 in maddubs). */
__attribute__((target("avx2"))) static int32_t dot32_avx2(__m256i a,
                                                          const int8_t *bp)
{
    __m256i b = _mm256_loadu_si256((const __m256i *)(const void *)bp);
    __m256i p16 = _mm256_maddubs_epi16(_mm256_sign_epi8(a, a),
                                       _mm256_sign_epi8(b, a));
    __m256i p32 = _mm256_madd_epi16(p16, _mm256_set1_epi16(1));
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(p32),
                              _mm256_extracti128_si256(p32, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
    return _mm_cvtsi128_si32(s);
}

__attribute__((target("avx2"))) static void
dot_avx2(uint32_t type, const uint8_t *w, const int8_t *xq, const float *xd,
         size_t x_stride, size_t nb, float *acc, size_t n)
{
    size_t bb = gguf_block_bytes(type);
    for (size_t k = 0; k < n / 32; k++) {
        const uint8_t *b = w + k * bb;
        __m256i q = unpack_avx2(type, b);
        float dw = blk_d(b);
        for (size_t v = 0; v < nb; v++) {
            int32_t s = dot32_avx2(q, xq + v * x_stride + 32 * k);
            acc[v] += (float)s * (dw * xd[v * (x_stride / 32) + k]);
        }
    }
}
#endif

void quant_dot_q8_batch(uint32_t type, const void *w, const int8_t *xq,
                        const float *xd, size_t x_stride, size_t nb, float *y,
                        size_t y_stride, size_t n, int path)
{
    float acc[QUANT_BATCH_MAX] = {0};
#if QUANT_HAVE_AVX2
    if (path == QUANT_PATH_AVX2)
        dot_avx2(type, w, xq, xd, x_stride, nb, acc, n);
    else
#endif
        dot_scalar(type, w, xq, xd, x_stride, nb, acc, n);
    (void)path;
    for (size_t b = 0; b < nb; b++)
        y[b * y_stride] = acc[b];
}

/* ---- Q8_K activations against Q4_K and Q6_K weights ---- */

void quant_act_q8_k(const float *x, size_t n, int8_t *q, float *d,
                    int16_t *bsum)
{
    for (size_t k = 0; k < n / 256; k++) {
        const float *xb = x + 256 * k;
        int8_t *qb = q + 256 * k;
        float amax = 0, max = 0;
        for (int j = 0; j < 256; j++)
            if (fabsf(xb[j]) > amax) {
                amax = fabsf(xb[j]);
                max = xb[j];
            }
        if (amax == 0) {
            d[k] = 0;
            memset(qb, 0, 256);
        } else {
            /* the signed extreme maps to -127 and the scale is kept in
             * f32, as ggml's block_q8_K does; nearest, halves to even */
            float is = -127.0f / max;
            for (int j = 0; j < 256; j++) {
                long v = lrintf(is * xb[j]);
                qb[j] = (int8_t)(v > 127 ? 127 : v < -127 ? -127 : v);
            }
            d[k] = 1.0f / is;
        }
        for (int g = 0; g < 16; g++) {
            int sm = 0;
            for (int j = 0; j < 16; j++)
                sm += qb[16 * g + j];
            bsum[16 * k + g] = (int16_t)sm;
        }
    }
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

/* The exact integer sums of one block against one activation block:
 * Σ_g sc[g]·Σ q·x, and Σ_g mn[g]·Σ x (the mins' part). */
static void ksums_scalar(const kblk *o, const int8_t *x, const int16_t *bs,
                         int32_t *si, int32_t *sm)
{
    int gl = 256 / o->ng;
    int32_t a = 0, m = 0;
    for (int g = 0; g < o->ng; g++) {
        int32_t s = 0;
        for (int j = 0; j < gl; j++)
            s += (int32_t)o->q[gl * g + j] * x[gl * g + j];
        a += o->sc[g] * s;
        m += o->mn[g] * (bs[gl / 16 * g] + (gl == 32 ? bs[2 * g + 1] : 0));
    }
    *si = a;
    *sm = m;
}

#if QUANT_HAVE_AVX2
__attribute__((target("avx2"))) static void
ksums_avx2(const kblk *o, const int8_t *x, const int16_t *bs, int32_t *si,
           int32_t *sm)
{
    __m256i acc = _mm256_setzero_si256();
    for (int c = 0; c < 8; c++) { /* 32 elements: one or two groups */
        __m256i a = _mm256_loadu_si256((const __m256i *)(const void *)(o->q + 32 * c));
        __m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(x + 32 * c));
        __m256i p16 = _mm256_maddubs_epi16(_mm256_sign_epi8(a, a),
                                           _mm256_sign_epi8(b, a));
        /* the low 128 bits hold elements 0-15, the high 16-31 */
        __m256i sc = o->ng == 8
                         ? _mm256_set1_epi16(o->sc[c])
                         : _mm256_set_m128i(_mm_set1_epi16(o->sc[2 * c + 1]),
                                            _mm_set1_epi16(o->sc[2 * c]));
        acc = _mm256_add_epi32(acc, _mm256_madd_epi16(p16, sc));
    }
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(acc),
                              _mm256_extracti128_si256(acc, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
    *si = _mm_cvtsi128_si32(s);
    int32_t m = 0;
    for (int g = 0; g < 8 && o->ng == 8; g++)
        m += o->mn[g] * (bs[2 * g] + bs[2 * g + 1]);
    *sm = m;
}
#endif

void quant_dot_q8k_batch(uint32_t type, const void *w, const int8_t *xq,
                         const float *xd, const int16_t *xbs, size_t x_stride,
                         size_t nb, float *y, size_t y_stride, size_t n,
                         int path)
{
    float acc[QUANT_BATCH_MAX] = {0};
    size_t bb = gguf_block_bytes(type);
    const uint8_t *p = w;
    kblk o;
    for (size_t k = 0; k < n / 256; k++) {
        unpack_k(type, p + k * bb, &o);
        for (size_t v = 0; v < nb; v++) {
            const int8_t *x = xq + v * x_stride + 256 * k;
            const int16_t *bs = xbs + v * (x_stride / 16) + 16 * k;
            float dx = xd[v * (x_stride / 256) + k];
            int32_t si, sm;
#if QUANT_HAVE_AVX2
            if (path == QUANT_PATH_AVX2)
                ksums_avx2(&o, x, bs, &si, &sm);
            else
#endif
                ksums_scalar(&o, x, bs, &si, &sm);
            acc[v] += (o.d * dx) * (float)si - (o.dmin * dx) * (float)sm;
        }
    }
    (void)path;
    for (size_t b = 0; b < nb; b++)
        y[b * y_stride] = acc[b];
}
