/*
 * quant_avx2.c - the AVX2 tiles of quant_gemm (quant.h, quant_int.h).
 *
 * A tile is a few weight rows by a few activation rows: each weight block
 * is loaded and unpacked once for the tile's activation rows, and each
 * activation block once for its weight rows, which is what makes a
 * prompt batch faster per token than one token at a time.  Every (row,
 * activation) pair still runs its own accumulators through the blocks in
 * the order quant.h fixes (8 int32 lanes a block, then a fused float
 * multiply-add per lane), so a tile's shape never changes a result and the
 * scalar kernels in quant_q8.c give the same bits.
 *
 * The tile shapes are compile-time constants (always_inline helpers
 * called from a switch), so that the accumulators stay in registers.
 */
#include "infer/quant_int.h"

#if QUANT_HAVE_AVX2

#include <immintrin.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "infer/gguf.h"

#define AVX __attribute__((target("avx2,f16c,fma")))
#define INL                                                                  \
    __attribute__((target("avx2,f16c,fma"), always_inline)) static inline

/* Tile sizes: weight rows by activation rows.  Q8_0-family blocks are
 * small, so two rows share each activation load; one activation row
 * (generation) takes four weight rows to keep several sums in flight. */
enum { Q8_ROWS = 2, Q8_ROWS_GEN = 4, TOKS = 4 };

INL float f16_at(const uint8_t *p)
{
    uint16_t h;
    memcpy(&h, p, 2);
    return _cvtsh_ss(h);
}

INL __m256i load32(const void *p)
{
    return _mm256_loadu_si256((const __m256i *)p);
}

/* A prefetch of the line at p + off.  The address may lie past the end
 * of the weights (the last rows): a prefetch never faults, and it is
 * formed as an integer so that no out-of-bounds pointer is made. */
INL void prefetch_at(const void *p, size_t off)
{
    _mm_prefetch((const char *)(uintptr_t)((uintptr_t)p + off), _MM_HINT_T0);
}

/* One token: a K-quant row is one stream and the next rows follow it, so
 * the block K_AHEAD bytes on (a row or two) is asked for now. */
enum { K_AHEAD = 4096 };
INL void prefetch_block(const uint8_t *b, size_t bb)
{
    for (size_t o = 0; o < bb; o += 64)
        prefetch_at(b, K_AHEAD + o);
}

/* The fixed order of quant.h: ((L0+L4)+(L2+L6)) + ((L1+L5)+(L3+L7)). */
INL float hsum_ps(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v),
                          _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

INL int32_t hsum_epi32(__m256i v)
{
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v),
                              _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
    return _mm_cvtsi128_si32(s);
}

/* The 32 signed quants of a Q8_0, Q4_0 or Q5_0 block, in element order. */
INL __m256i unpack_q8(uint32_t type, const uint8_t *b)
{
    if (type == GGUF_T_Q8_0)
        return load32(b + 2);
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

/* NR weight rows from w (row_bytes apart) by NT activation rows from
 * xq/xd, into y[t·ys + r]. */
INL void tile_q8(uint32_t type, const uint8_t *w, size_t rb, int NR,
                 const quant_acts *a, size_t t0, int NT, size_t nblk,
                 float *y, size_t ys)
{
    size_t bb = gguf_block_bytes(type), xs = a->stride;
    const int8_t *xq = a->q + t0 * xs;
    const float *xd = a->d + t0 * (xs / 32);
    __m256 acc[Q8_ROWS_GEN][TOKS];
    const __m256i ones = _mm256_set1_epi16(1);
#pragma GCC unroll 4
    for (int r = 0; r < NR; r++)
#pragma GCC unroll 4
        for (int t = 0; t < NT; t++)
            acc[r][t] = _mm256_setzero_ps();
    for (size_t k = 0; k < nblk; k++) {
        __m256i wq[Q8_ROWS_GEN], wa[Q8_ROWS_GEN];
        __m256 dw[Q8_ROWS_GEN];
        if (NT == 1) {
            /* one token: the rows stream from memory.  The tile's rows
             * are 4 short streams the hardware prefetcher barely starts
             * on; the next tile's rows (contiguous after these) are
             * fetched instead, NR·bb bytes of them a block. */
            size_t nx = NR * rb + k * NR * bb;
            prefetch_at(w, nx);
            prefetch_at(w, nx + 64);
            prefetch_at(w, nx + 128);
        }
#pragma GCC unroll 4
        for (int r = 0; r < NR; r++) {
            const uint8_t *b = w + r * rb + k * bb;
            wq[r] = unpack_q8(type, b);
            wa[r] = _mm256_sign_epi8(wq[r], wq[r]);
            dw[r] = _mm256_set1_ps(f16_at(b));
        }
#pragma GCC unroll 4
        for (int t = 0; t < NT; t++) {
            /* activations are within ±127, so the |w|·(±x) pairs of
             * maddubs stay inside int16 */
            __m256i xv = load32(xq + t * xs + 32 * k);
            __m256 dx = _mm256_set1_ps(xd[t * (xs / 32) + k]);
#pragma GCC unroll 4
            for (int r = 0; r < NR; r++) {
                __m256i p = _mm256_madd_epi16(
                    _mm256_maddubs_epi16(wa[r], _mm256_sign_epi8(xv, wq[r])),
                    ones);
                acc[r][t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(p),
                                            _mm256_mul_ps(dw[r], dx),
                                            acc[r][t]);
            }
        }
    }
#pragma GCC unroll 4
    for (int r = 0; r < NR; r++)
#pragma GCC unroll 4
        for (int t = 0; t < NT; t++)
            y[t * ys + r] = hsum_ps(acc[r][t]);
}

/* Q4_K's mins of block k for the tile's NT tokens: M (lane t: token t)
 * after this block; dxs[t] set to token t's activation scale. */
INL __m128 q4k_mins(const quant_acts *a, size_t t0, int NT, size_t k,
                    __m128i mn, float dmin, float *dxs, __m128 M)
{
    size_t xs = a->stride;
    /* Σ_s mn[s]·(bsum[2s] + bsum[2s+1]) for the NT tokens at once,
     * token t in lane t (exact int32 sums: the pair sums stay within
     * int16, |bsum| <= 16·127); then lane t of M takes the same
     * fused multiply-add as the scalar row's M */
    __m128i pm[TOKS];
#pragma GCC unroll 4
    for (int t = 0; t < TOKS; t++) {
        if (t >= NT) {
            pm[t] = _mm_setzero_si128();
            continue;
        }
        dxs[t] = a->d[(t0 + t) * (xs / 256) + k];
        __m256i bs = load32(a->bsum + (t0 + t) * (xs / 16) + 16 * k);
        __m128i pair = _mm_hadd_epi16(_mm256_castsi256_si128(bs),
                                      _mm256_extracti128_si256(bs, 1));
        pm[t] = _mm_madd_epi16(mn, pair);
    }
    if (NT == 1) { /* one token: a shorter sum, the same fma */
        __m128i p = _mm_add_epi32(pm[0], _mm_shuffle_epi32(pm[0], 0x4e));
        p = _mm_add_epi32(p, _mm_shuffle_epi32(p, 0xb1));
        M = _mm_set_ss(fmaf((float)_mm_cvtsi128_si32(p), dmin * dxs[0],
                            _mm_cvtss_f32(M)));
    } else {
        __m128i sm = _mm_hadd_epi32(_mm_hadd_epi32(pm[0], pm[1]),
                                    _mm_hadd_epi32(pm[2], pm[3]));
        __m128 dxv = _mm_loadu_ps(dxs);
        M = _mm_fmadd_ps(_mm_cvtepi32_ps(sm),
                         _mm_mul_ps(_mm_set1_ps(dmin), dxv), M);
    }
    return M;
}

/* One Q4_K weight row by NT activation rows. */
INL void tile_q4k(const uint8_t *w, const quant_acts *a, size_t t0, int NT,
                  size_t nblk, float *y, size_t ys)
{
    size_t xs = a->stride;
    __m256 L[TOKS];
    __m128 M = _mm_setzero_ps(); /* lane t: token t's mins */
    const __m256i m4 = _mm256_set1_epi8(15);
#pragma GCC unroll 4
    for (int t = 0; t < NT; t++)
        L[t] = _mm256_setzero_ps();
    for (size_t k = 0; k < nblk; k++) {
        const uint8_t *b = w + k * 144;
        if (NT == 1)
            prefetch_block(b, 144);
        float d = f16_at(b), dmin = f16_at(b + 2);
        /* the 6-bit scales and mins, unpacked in one vector of the 12
         * bytes' words v0..v2 (the load's fourth word is unused): lane 0
         * v0 & 0x3f.. (scales 0-3), lane 1 (v2 & 0x0f..) | top bits of v0
         * (scales 4-7), lane 2 v1 & 0x3f.. (mins 0-3), lane 3
         * (v2 >> 4 & 0x0f..) | top bits of v1 (mins 4-7), as bytes */
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + 4));
        __m128i ux = _mm_and_si128(
            _mm_srlv_epi32(_mm_shuffle_epi32(v, _MM_SHUFFLE(2, 1, 2, 0)),
                           _mm_set_epi32(4, 0, 0, 0)),
            _mm_set_epi32(0x0f0f0f0f, 0x3f3f3f3f, 0x0f0f0f0f, 0x3f3f3f3f));
        __m128i uy = _mm_and_si128(
            _mm_srli_epi32(_mm_shuffle_epi32(v, _MM_SHUFFLE(1, 0, 0, 0)), 2),
            _mm_set_epi32(0x30303030, 0, 0x30303030, 0));
        __m256i ms = _mm256_cvtepu8_epi16(_mm_or_si128(ux, uy));
        __m256i sc = _mm256_broadcastsi128_si256(_mm256_castsi256_si128(ms));
        __m128i mn = _mm256_extracti128_si256(ms, 1);
        __m256i is[TOKS];
#pragma GCC unroll 4
        for (int t = 0; t < NT; t++)
            is[t] = _mm256_setzero_si256();
        for (int c = 0; c < 4; c++) {
            __m256i raw = load32(b + 16 + 32 * c);
            __m256i lo = _mm256_and_si256(raw, m4);
            __m256i hi = _mm256_and_si256(_mm256_srli_epi16(raw, 4), m4);
            /* int16 lanes 2c and 2c+1 of the scales, broadcast */
            __m256i slo = _mm256_shuffle_epi8(
                sc, _mm256_set1_epi16((short)((4 * c + 1) << 8 | 4 * c)));
            __m256i shi = _mm256_shuffle_epi8(
                sc, _mm256_set1_epi16((short)((4 * c + 3) << 8 | (4 * c + 2))));
#pragma GCC unroll 4
            for (int t = 0; t < NT; t++) {
                const int8_t *x = a->q + (t0 + t) * xs + 256 * k + 64 * c;
                __m256i pl = _mm256_madd_epi16(
                    _mm256_maddubs_epi16(lo, load32(x)), slo);
                __m256i ph = _mm256_madd_epi16(
                    _mm256_maddubs_epi16(hi, load32(x + 32)), shi);
                is[t] = _mm256_add_epi32(is[t], _mm256_add_epi32(pl, ph));
            }
        }
        float dxs[TOKS] = {0};
        M = q4k_mins(a, t0, NT, k, mn, dmin, dxs, M);
#pragma GCC unroll 4
        for (int t = 0; t < NT; t++)
            L[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(is[t]),
                                   _mm256_set1_ps(d * dxs[t]), L[t]);
    }
    float Ms[TOKS];
    _mm_storeu_ps(Ms, M);
#pragma GCC unroll 4
    for (int t = 0; t < NT; t++)
        y[t * ys] = hsum_ps(L[t]) - Ms[t];
}

/* One Q6_K weight row by NT activation rows.  The quants are unpacked
 * with their −32 (|q| <= 32); as for Q8_0, maddubs takes |q| and the
 * activations with q's sign (|pairs| <= 2·32·127, inside int16), so the
 * per-token work is a sign and a maddubs, and the exact integer sums are
 * those of the scalar row. */
INL void tile_q6k(const uint8_t *w, const quant_acts *a, size_t t0, int NT,
                  size_t nblk, float *y, size_t ys)
{
    size_t xs = a->stride;
    __m256 L[TOKS];
    const __m256i m4 = _mm256_set1_epi8(15), m30 = _mm256_set1_epi8(0x30);
    const __m256i m32 = _mm256_set1_epi8(32);
#pragma GCC unroll 4
    for (int t = 0; t < NT; t++)
        L[t] = _mm256_setzero_ps();
    for (size_t k = 0; k < nblk; k++) {
        const uint8_t *b = w + k * 210;
        if (NT == 1)
            prefetch_block(b, 210);
        /* the 16 int8 scales as int16, each half of the block's scales
         * in both 128-bit lanes for the shuffles below */
        __m256i sc16 = _mm256_cvtepi8_epi16(
            _mm_loadu_si128((const __m128i *)(const void *)(b + 192)));
        float d = f16_at(b + 208);
        __m256i is[TOKS];
#pragma GCC unroll 4
        for (int t = 0; t < NT; t++)
            is[t] = _mm256_setzero_si256();
        for (int n = 0; n < 2; n++) {
            __m256i l0 = load32(b + 64 * n), l1 = load32(b + 64 * n + 32);
            __m256i h = load32(b + 128 + 32 * n), q[4];
            __m256i sh = n ? _mm256_permute2x128_si256(sc16, sc16, 0x11)
                           : _mm256_permute2x128_si256(sc16, sc16, 0x00);
            q[0] = _mm256_or_si256(_mm256_and_si256(l0, m4),
                                   _mm256_and_si256(_mm256_slli_epi16(h, 4), m30));
            q[1] = _mm256_or_si256(_mm256_and_si256(l1, m4),
                                   _mm256_and_si256(_mm256_slli_epi16(h, 2), m30));
            q[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), m4),
                                   _mm256_and_si256(h, m30));
            q[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), m4),
                                   _mm256_and_si256(_mm256_srli_epi16(h, 2), m30));
#pragma GCC unroll 4
            for (int j = 0; j < 4; j++) {
                /* elements 32c.. (c = 4n + j), groups 2c and 2c+1: the
                 * int16 scale 2j of this half in the low lane, 2j+1 in
                 * the high one */
                __m256i s = _mm256_shuffle_epi8(
                    sh, _mm256_set_m128i(
                            _mm_set1_epi16((short)((4 * j + 3) << 8 | (4 * j + 2))),
                            _mm_set1_epi16((short)((4 * j + 1) << 8 | 4 * j))));
                __m256i qs = _mm256_sub_epi8(q[j], m32);
                __m256i qa = _mm256_sign_epi8(qs, qs);
#pragma GCC unroll 4
                for (int t = 0; t < NT; t++) {
                    __m256i xv = load32(a->q + (t0 + t) * xs + 256 * k +
                                        32 * (4 * n + j));
                    __m256i p = _mm256_maddubs_epi16(qa, _mm256_sign_epi8(xv, qs));
                    is[t] = _mm256_add_epi32(is[t], _mm256_madd_epi16(p, s));
                }
            }
        }
#pragma GCC unroll 4
        for (int t = 0; t < NT; t++) {
            float dx = a->d[(t0 + t) * (xs / 256) + k];
            L[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(is[t]),
                                   _mm256_set1_ps(d * dx), L[t]);
        }
    }
#pragma GCC unroll 4
    for (int t = 0; t < NT; t++)
        y[t * ys] = hsum_ps(L[t]) - 0.0f; /* as the scalar row: − M, M = 0 */
}

/* quant_act_q8_0, eight floats at a time.  The rounding is the one
 * nearbyintf makes in the scalar block (nearest, halves to even, the
 * default MXCSR mode) and MAXPS picks as the scalar loop does; a block
 * holding a NaN or an infinity goes to the scalar code, which handles it. */
AVX void quant__act_q8_0_avx2(const float *x, size_t n, int8_t *q, float *d)
{
    const __m256 sign = _mm256_set1_ps(-0.0f);
    const __m256 hi = _mm256_set1_ps(127.0f), lo = _mm256_set1_ps(-127.0f);
    for (size_t k = 0; k < n / 32; k++) {
        const float *xb = x + 32 * k;
        __m256 v[4], m = _mm256_setzero_ps(), nan = _mm256_setzero_ps();
        for (int i = 0; i < 4; i++) {
            v[i] = _mm256_loadu_ps(xb + 8 * i);
            m = _mm256_max_ps(m, _mm256_andnot_ps(sign, v[i]));
            nan = _mm256_or_ps(nan, _mm256_cmp_ps(v[i], v[i], _CMP_UNORD_Q));
        }
        __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m),
                               _mm256_extractf128_ps(m, 1));
        m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
        m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
        float amax = _mm_cvtss_f32(m4);
        if (!(amax <= 3.4028235e38f) || _mm256_movemask_ps(nan)) {
            quant__act_q8_0_block(xb, q + 32 * k, d + k);
            continue;
        }
        float id = amax != 0 ? 127.0f / amax : 0.0f;
        d[k] = _cvtsh_ss(_cvtss_sh(amax / 127.0f, _MM_FROUND_TO_NEAREST_INT));
        __m256i r[4];
        for (int i = 0; i < 4; i++) {
            __m256 s = _mm256_mul_ps(v[i], _mm256_set1_ps(id));
            s = _mm256_round_ps(s, _MM_FROUND_TO_NEAREST_INT |
                                       _MM_FROUND_NO_EXC);
            s = _mm256_min_ps(_mm256_max_ps(s, lo), hi);
            r[i] = _mm256_cvtps_epi32(s);
        }
        /* int32 -> int8 with the lanes put back in order */
        __m256i p16a = _mm256_packs_epi32(r[0], r[1]);
        __m256i p16b = _mm256_packs_epi32(r[2], r[3]);
        __m256i p8 = _mm256_packs_epi16(p16a, p16b);
        p8 = _mm256_permutevar8x32_epi32(p8,
                                         _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
        _mm256_storeu_si256((__m256i *)(void *)(q + 32 * k), p8);
    }
}

/* One block of quant_act_q8_k.  The extreme: MAXPS returns its second
 * operand when the first is NaN, so NaNs are skipped as the scalar
 * loop's > skips them, and the signed value taken is the first one of
 * that magnitude, as there.  The quants: is·x converted in the rounding
 * mode (as lrintf converts it: nearest, halves to even); what is out of
 * the int32 range, or NaN, becomes INT32_MIN there as lrintf's LONG_MIN
 * does in the scalar code (both then clamp to -127, the packs saturating
 * first). */
AVX void quant__act_q8_k_block_avx2(const float *x, int8_t *q, float *d)
{
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 m = _mm256_setzero_ps();
    for (int j = 0; j < 256; j += 8)
        m = _mm256_max_ps(_mm256_andnot_ps(sign, _mm256_loadu_ps(x + j)), m);
    __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m),
                           _mm256_extractf128_ps(m, 1));
    m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
    m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
    float amax = _mm_cvtss_f32(m4), max = 0;
    if (amax == 0) {
        *d = 0;
        memset(q, 0, 256);
        return;
    }
    __m256 am = _mm256_set1_ps(amax);
    for (int j = 0; j < 256; j += 8) {
        int hit = _mm256_movemask_ps(_mm256_cmp_ps(
            _mm256_andnot_ps(sign, _mm256_loadu_ps(x + j)), am, _CMP_EQ_OQ));
        if (hit) {
            max = x[j + __builtin_ctz((unsigned)hit)];
            break;
        }
    }
    float is = -127.0f / max;
    const __m256 s = _mm256_set1_ps(is);
    const __m256i lo = _mm256_set1_epi8(-127);
    for (int j = 0; j < 256; j += 32) {
        __m256i r[4];
        for (int i = 0; i < 4; i++)
            r[i] = _mm256_cvtps_epi32(
                _mm256_mul_ps(s, _mm256_loadu_ps(x + j + 8 * i)));
        __m256i p8 = _mm256_packs_epi16(_mm256_packs_epi32(r[0], r[1]),
                                        _mm256_packs_epi32(r[2], r[3]));
        p8 = _mm256_permutevar8x32_epi32(p8,
                                         _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
        _mm256_storeu_si256((__m256i *)(void *)(q + j), _mm256_max_epi8(p8, lo));
    }
    *d = 1.0f / is;
}

/* quant_dot_f16: the lanes of the vector are the lanes i mod 8; a tail
 * of fewer than 8 goes on in scalar code into the same lanes. */
AVX float quant__dot_f16_avx2(const float *q, const uint16_t *k, size_t n)
{
    __m256 acc = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        acc = _mm256_fmadd_ps(
            _mm256_loadu_ps(q + i),
            _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(const void *)(k + i))),
            acc);
    if (i == n)
        return hsum_ps(acc);
    float L[8];
    _mm256_storeu_ps(L, acc);
    for (; i < n; i++)
        L[i % 8] = fmaf(q[i], _cvtsh_ss(k[i]), L[i % 8]);
    return hsum_ps(_mm256_loadu_ps(L));
}

AVX void quant__axpy_f16_avx2(float w, const uint16_t *v, float *o, size_t n)
{
    __m256 wv = _mm256_set1_ps(w);
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(
            o + i,
            _mm256_fmadd_ps(wv,
                            _mm256_cvtph_ps(_mm_loadu_si128(
                                (const __m128i *)(const void *)(v + i))),
                            _mm256_loadu_ps(o + i)));
    for (; i < n; i++)
        o[i] = fmaf(w, _cvtsh_ss(v[i]), o[i]);
}

/* Eight floats to f16 at a time, nearest even as quant_f32_to_f16; that
 * function makes every NaN 0x7e00 (sign kept) where F16C keeps payload
 * bits, so a group holding a NaN goes the scalar way. */
AVX void quant__to_f16_avx2(const float *x, uint16_t *h, size_t n)
{
    for (size_t i = 0; i + 8 <= n; i += 8) {
        __m256 v = _mm256_loadu_ps(x + i);
        if (_mm256_movemask_ps(_mm256_cmp_ps(v, v, _CMP_UNORD_Q))) {
            for (size_t j = i; j < i + 8; j++)
                h[j] = quant_f32_to_f16(x[j]);
            continue;
        }
        _mm_storeu_si128((__m128i *)(void *)(h + i),
                         _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT));
    }
}

AVX void quant__round_f16_avx2(float *x, size_t n)
{
    for (size_t i = 0; i + 8 <= n; i += 8) {
        __m256 v = _mm256_loadu_ps(x + i);
        if (_mm256_movemask_ps(_mm256_cmp_ps(v, v, _CMP_UNORD_Q))) {
            for (size_t j = i; j < i + 8; j++)
                x[j] = quant_f16_to_f32(quant_f32_to_f16(x[j]));
            continue;
        }
        _mm256_storeu_ps(x + i, _mm256_cvtph_ps(_mm256_cvtps_ph(
                                    v, _MM_FROUND_TO_NEAREST_INT)));
    }
}

/* The Q8_0-family tile of nr rows by nt activation rows, shapes as
 * constants. */
#define Q8_CASE(T, R, N)                                                     \
    case (R) * 8 + (N):                                                      \
        tile_q8(T, w, rb, R, a, t0, N, nblk, y, ys);                        \
        break
#define Q8_SWITCH(T)                                                         \
    switch (nr * 8 + nt) {                                                   \
        Q8_CASE(T, 1, 1); Q8_CASE(T, 1, 2); Q8_CASE(T, 1, 3);                \
        Q8_CASE(T, 1, 4); Q8_CASE(T, 2, 1); Q8_CASE(T, 2, 2);                \
        Q8_CASE(T, 2, 3); Q8_CASE(T, 2, 4); Q8_CASE(T, 3, 1);                \
        Q8_CASE(T, 4, 1);                                                    \
    default: break;                                                          \
    }

AVX static void q8_tile(uint32_t type, const uint8_t *w, size_t rb, int nr,
                        const quant_acts *a, size_t t0, int nt, size_t nblk,
                        float *y, size_t ys)
{
    if (type == GGUF_T_Q8_0)
        Q8_SWITCH(GGUF_T_Q8_0)
    else if (type == GGUF_T_Q4_0)
        Q8_SWITCH(GGUF_T_Q4_0)
    else
        Q8_SWITCH(GGUF_T_Q5_0)
}

AVX static void k_tile(uint32_t type, const uint8_t *w, const quant_acts *a,
                       size_t t0, int nt, size_t nblk, float *y, size_t ys)
{
#define K_CASE(N)                                                            \
    case N:                                                                  \
        if (type == GGUF_T_Q4_K)                                             \
            tile_q4k(w, a, t0, N, nblk, y, ys);                             \
        else                                                                 \
            tile_q6k(w, a, t0, N, nblk, y, ys);                             \
        break
    switch (nt) {
        K_CASE(1);
        K_CASE(2);
        K_CASE(3);
        K_CASE(4);
    default: break;
    }
#undef K_CASE
}

AVX void quant__gemm_avx2(uint32_t type, const uint8_t *w, size_t row_bytes,
                          size_t r0, size_t r1, size_t n, const quant_acts *a,
                          float *y, size_t y_stride)
{
    size_t nb = a->nb;
    if (quant_q8k_supported(type)) {
        for (size_t r = r0; r < r1; r++)
            for (size_t t = 0; t < nb; t += TOKS) {
                int nt = nb - t < TOKS ? (int)(nb - t) : TOKS;
                k_tile(type, w + r * row_bytes, a, t, nt, n / 256,
                       y + t * y_stride + r, y_stride);
            }
        return;
    }
    int rows = nb == 1 ? Q8_ROWS_GEN : Q8_ROWS;
    for (size_t r = r0; r < r1; r += (size_t)rows) {
        int nr = r1 - r < (size_t)rows ? (int)(r1 - r) : rows;
        for (size_t t = 0; t < nb; t += TOKS) {
            int nt = nb - t < TOKS ? (int)(nb - t) : TOKS;
            q8_tile(type, w + r * row_bytes, row_bytes, nr, a, t, nt, n / 32,
                    y + t * y_stride + r, y_stride);
        }
    }
}

#else
/* ISO C wants something in a translation unit. */
typedef int quant__avx2_unused;
#endif
