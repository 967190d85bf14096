/*
 * quant_int.h - shared by quant_q8.c (scalar kernels, dispatch) and
 * quant_avx2.c (the AVX2 tiles).  Private to infer/.
 */
#ifndef OSAFE_INFER_QUANT_INT_H
#define OSAFE_INFER_QUANT_INT_H

#include "infer/quant.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define QUANT_HAVE_AVX2 1
#else
#define QUANT_HAVE_AVX2 0
#endif

/* One block of quant_act_q8_0 (the AVX2 path hands it blocks that hold
 * an infinity or a NaN). */
void quant__act_q8_0_block(const float *xb, int8_t *q, float *d);

#if QUANT_HAVE_AVX2
void quant__act_q8_0_avx2(const float *x, size_t n, int8_t *q, float *d);
/* One Q8_K block (256 floats) of quant_act_q8_k: its quants and scale. */
void quant__act_q8_k_block_avx2(const float *x, int8_t *q, float *d);
float quant__dot_f16_avx2(const float *q, const uint16_t *k, size_t n);
void quant__axpy_f16_avx2(float w, const uint16_t *v, float *o, size_t n);
/* quant_row_to_f16_path and quant_round_f16 on AVX2: the first n - n % 8
 * elements (the caller does the rest). */
void quant__to_f16_avx2(const float *x, uint16_t *h, size_t n);
void quant__round_f16_avx2(float *x, size_t n);
/* quant_gemm on the AVX2 path (the CPU has AVX2 and F16C). */
void quant__gemm_avx2(uint32_t type, const uint8_t *w, size_t row_bytes,
                      size_t r0, size_t r1, size_t n, const quant_acts *a,
                      float *y, size_t y_stride);
#endif

#endif
