/*
 * quant.h - the tensor element types of GGUF files: half and bfloat16
 * conversions, dequantization of rows, and dot products of a weight row
 * with a float vector, for F32, F16, BF16, Q8_0, Q4_0, Q5_0, Q4_K, Q6_K.
 *
 * Block layouts are those of ggml (ggml-common.h), written here from the
 * GGUF documentation and docs/INFERENCE.md.  These are the scalar
 * reference kernels: every sum runs in one fixed order (element by
 * element inside a block, block by block along the row), so a result
 * depends only on its inputs, never on threads or batching.
 *
 * The row functions take the element count n, which must be a multiple of
 * the type's block size (gguf.c has checked this for every tensor), and
 * a type gguf_block_elems knows; they are not for unchecked input.
 */
#ifndef OSAFE_INFER_QUANT_H
#define OSAFE_INFER_QUANT_H

#include <stddef.h>
#include <stdint.h>

/* IEEE binary16 <-> binary32 (round to nearest even; NaN stays NaN,
 * overflow gives infinity). */
float quant_f16_to_f32(uint16_t h);
uint16_t quant_f32_to_f16(float f);
/* bfloat16: the top half of a binary32 (rounded to nearest even). */
float quant_bf16_to_f32(uint16_t h);
uint16_t quant_f32_to_bf16(float f);

/* Bytes of a row of n elements of type. */
size_t quant_row_bytes(uint32_t type, size_t n);

/* dst[0..n) = the values of the row at src. */
void quant_dequant_row(uint32_t type, const void *src, float *dst, size_t n);

/* Σ w[i]·x[i] over the row at w (n elements of type) and x.  Each block's
 * sum is taken over its integer quants with the block scales applied
 * once per block or sub-block (d·Σ q·x), as the block formulas factor. */
float quant_dot(uint32_t type, const void *w, const float *x, size_t n);

/* Vectors one weight row is dotted with at once (a prompt batch). */
#define QUANT_BATCH_MAX 32
/* y[b·y_stride] = quant_dot(type, w, x + b·x_stride, n) for b < nb
 * (nb <= QUANT_BATCH_MAX), bit for bit: each block is decoded once and
 * each sum runs in quant_dot's order. */
void quant_dot_batch(uint32_t type, const void *w, const float *x,
                     size_t x_stride, size_t nb, float *y, size_t y_stride,
                     size_t n);

/* Quantize n floats (a multiple of 32) into Q8_0 blocks: d = max|x|/127
 * as f16, q = round(x/d); for the tests and for writing files. */
void quant_q8_0_from_f32(const float *x, void *dst, size_t n);

/* ---- activations quantized to Q8_0, integer dot products (quant_q8.c) ----
 * llama.cpp quantizes each activation row to Q8_0 before multiplying it by
 * Q8_0, Q4_0 or Q5_0 weights; doing the same makes results closer to it
 * and lets the block sums be exact integers. */

/* Kernels: the portable one, and AVX2 with FMA and F16C (x86-64, chosen at
 * run time).  Both give the same bits. */
#define QUANT_PATH_SCALAR 0
#define QUANT_PATH_AVX2 1
/* The fastest path this CPU runs. */
int quant_path_best(void);
/* Whether weights of type take the Q8_0-activation dot products. */
int quant_q8_supported(uint32_t type);
/* Quantize x[0..n) (n a multiple of 32) to q[0..n) and the block scales
 * d[0..n/32): d = max|x|/127 rounded to f16, q = x·(127/max|x|) rounded
 * to nearest with halves to even, as ggml's x86 kernels do.  The _path
 * form takes QUANT_PATH_* (same bits on both). */
void quant_act_q8_0(const float *x, size_t n, int8_t *q, float *d);
void quant_act_q8_0_path(const float *x, size_t n, int8_t *q, float *d,
                         int path);
/* y[b·y_stride] = the dot product (in quant_gemm's order) of the weight
 * row w and the nb (<= QUANT_BATCH_MAX) quantized activation rows at
 * xq + b·x_stride and xd + b·x_stride/32, against the weight row w of n
 * elements of a quant_q8_supported type.  path: QUANT_PATH_*; AVX2 only
 * where quant_path_best says so. */
void quant_dot_q8_batch(uint32_t type, const void *w, const int8_t *xq,
                        const float *xd, size_t x_stride, size_t nb, float *y,
                        size_t y_stride, size_t n, int path);

/* The same for Q4_K and Q6_K weights, with activations in Q8_K: blocks
 * of 256, d = −max/127 in f32 for the signed extreme max, q = nearest
 * (halves to even) clamped to ±127, and bsum[16 per block] the sums of
 * each 16 quants (for Q4_K's mins). */
int quant_q8k_supported(uint32_t type);
void quant_act_q8_k(const float *x, size_t n, int8_t *q, float *d,
                    int16_t *bsum);
/* The same on path (same bits on both). */
void quant_act_q8_k_path(const float *x, size_t n, int8_t *q, float *d,
                         int16_t *bsum, int path);
/* y[b·y_stride] = Σ blocks (dw·dx)·Σ_g sc·Σ qw·qx − (dminw·dx)·Σ_g mn·bsum
 * (in quant_gemm's order), for rows at xq + b·x_stride,
 * xd + b·x_stride/256, xbs + b·x_stride/16. */
void quant_dot_q8k_batch(uint32_t type, const void *w, const int8_t *xq,
                         const float *xd, const int16_t *xbs, size_t x_stride,
                         size_t nb, float *y, size_t y_stride, size_t n,
                         int path);

/* ---- tiled products of a weight matrix and a batch (quant_q8.c, with
 * the AVX2 tiles in quant_avx2.c) ----
 *
 * The reduction order, for every quant_q8_supported and quant_q8k_supported
 * type, is fixed so that the 8-lane AVX2 kernels and the scalar ones give
 * the same bits: block by block, lane i (i < 8) holds the exact int32
 * Σ sc·Σ qw·qx over the elements 4i..4i+3 of each 32 of the block (sc the
 * group's integer scale, 1 for Q8_0/Q4_0/Q5_0), and a float accumulator
 * L[i] = fma((float)lane_i, dw·dx, L[i]) per lane; Q4_K's mins go to one
 * more accumulator M = fma((float)Σ mn·bsum, dmin·dx, M).  The result is
 * ((L0+L4)+(L2+L6)) + ((L1+L5)+(L3+L7)) − M.  The AVX2 path needs FMA
 * and F16C too (every AVX2 CPU has them). */

/* A batch of activation rows quantized for one weight type: nb rows of
 * stride quants at q, their block scales at d (stride/32 a row for Q8_0,
 * stride/256 for Q8_K) and, for Q8_K, the sums of 16 quants at bsum
 * (stride/16 a row).  Borrowed pointers. */
typedef struct quant_acts {
    const int8_t *q;
    const float *d;
    const int16_t *bsum;
    size_t stride, nb;
} quant_acts;

/* Whether quant_gemm takes weights of type. */
int quant_gemm_supported(uint32_t type);
/* y[b·y_stride + r] = row r of w · activation row b, for rows r0 <= r < r1
 * of n elements (row_bytes apart) and every row b of a.  Each output is
 * computed in the order above whatever tile computes it, so the split of
 * rows between threads and the batch size never change a bit. */
void quant_gemm(uint32_t type, const uint8_t *w, size_t row_bytes, size_t r0,
                size_t r1, size_t n, const quant_acts *a, float *y,
                size_t y_stride, int path);

/* ---- f16 rows of the KV cache (quant_q8.c, AVX2 in quant_avx2.c) ----
 * Same bits on both paths: the f16 values convert exactly, and every sum
 * runs in one order, with fused multiply-adds. */

/* h[i] = x[i] as f16, nearest even (quant_f32_to_f16). */
void quant_row_to_f16(const float *x, uint16_t *h, size_t n);
/* The same on path (F16C eight at a time on AVX2; the same bits, NaNs
 * included: a group of eight holding one goes the scalar way). */
void quant_row_to_f16_path(const float *x, uint16_t *h, size_t n, int path);
/* x[i] = x[i] rounded to f16 and back (the attention's roundings). */
void quant_round_f16(float *x, size_t n, int path);
/* Σ q[i]·k[i] for k in f16: lane i mod 8 takes fma(q, k, lane) in order
 * of i, and the lanes are added as quant_gemm adds them. */
float quant_dot_f16(const float *q, const uint16_t *k, size_t n, int path);
/* o[i] = fma(w, v[i], o[i]) for v in f16. */
void quant_axpy_f16(float w, const uint16_t *v, float *o, size_t n,
                    int path);

#endif
