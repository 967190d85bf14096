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

#endif
