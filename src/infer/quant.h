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

/* Kernels: the portable one, and AVX2 (x86-64, chosen at run time).  Both
 * give the same bits. */
#define QUANT_PATH_SCALAR 0
#define QUANT_PATH_AVX2 1
/* The fastest path this CPU runs. */
int quant_path_best(void);
/* Whether weights of type take the Q8_0-activation dot products. */
int quant_q8_supported(uint32_t type);
/* Quantize x[0..n) (n a multiple of 32) to q[0..n) and the block scales
 * d[0..n/32): d = max|x|/127 rounded to f16, q = round(x/d), as ggml does. */
void quant_act_q8_0(const float *x, size_t n, int8_t *q, float *d);
/* y[b·y_stride] = Σ over blocks k of (Σ qw·qx)·(dw·dx[k]), block by block
 * in float, for the nb (<= QUANT_BATCH_MAX) quantized activation rows at
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
/* y[b·y_stride] = Σ blocks (dw·dx)·Σ_g sc·Σ qw·qx − (dminw·dx)·Σ_g mn·bsum,
 * for rows at xq + b·x_stride, xd + b·x_stride/256, xbs + b·x_stride/16. */
void quant_dot_q8k_batch(uint32_t type, const void *w, const int8_t *xq,
                         const float *xd, const int16_t *xbs, size_t x_stride,
                         size_t nb, float *y, size_t y_stride, size_t n,
                         int path);

#endif
