/*
 * gguf_writer.h - a small GGUF writer for the tests: valid files built
 * from metadata and tensors, random but valid quantized weights, and raw
 * entry points for writing the malformed files the reader must refuse.
 *
 * Test code: every failure aborts (out of memory, a misuse), so the calls
 * return nothing.  The file is assembled by gw_finish into memory the
 * caller frees.
 */
#ifndef OSAFE_TESTS_GGUF_WRITER_H
#define OSAFE_TESTS_GGUF_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "core/rng.h"

typedef struct gw gw;

/* A writer for GGUF version (2 or 3; any number, to test refusals). */
gw *gw_new(uint32_t version);
void gw_free(gw *w);

/* Metadata entries, in the order given. */
void gw_kv_u32(gw *w, const char *key, uint32_t v);
void gw_kv_i32(gw *w, const char *key, int32_t v);
void gw_kv_u64(gw *w, const char *key, uint64_t v);
void gw_kv_f32(gw *w, const char *key, float v);
void gw_kv_f64(gw *w, const char *key, double v);
void gw_kv_bool(gw *w, const char *key, int v);
void gw_kv_u8(gw *w, const char *key, uint8_t v);
void gw_kv_i8(gw *w, const char *key, int8_t v);
void gw_kv_u16(gw *w, const char *key, uint16_t v);
void gw_kv_i16(gw *w, const char *key, int16_t v);
void gw_kv_i64(gw *w, const char *key, int64_t v);
void gw_kv_str(gw *w, const char *key, const char *s);
void gw_kv_arr_str(gw *w, const char *key, const char *const *s, size_t n);
void gw_kv_arr_f32(gw *w, const char *key, const float *v, size_t n);
void gw_kv_arr_i32(gw *w, const char *key, const int32_t *v, size_t n);
/* An entry of any type id with raw value bytes (for unknown types). */
void gw_kv_raw(gw *w, const char *key, uint32_t type, const void *v,
               size_t n);

/* A tensor with its data (len must be the tensor's byte size for a valid
 * file); placed at the next aligned offset.  ne has n_dims entries. */
void gw_tensor(gw *w, const char *name, uint32_t type, uint32_t n_dims,
               const uint64_t *ne, const void *data, size_t len);
/* A 2-D tensor [ne0, ne1] of random valid blocks of type (finite fp16
 * scales, any quants); F32 values are uniform on (-scale, scale), other
 * types use scale for their block scales. */
void gw_tensor_random(gw *w, const char *name, uint32_t type, uint64_t ne0,
                      uint64_t ne1, float scale, osafe_rng *r);
/* A tensor info whose offset is given and whose data is not written (to
 * write lying offsets). */
void gw_tensor_info_raw(gw *w, const char *name, uint32_t type,
                        uint32_t n_dims, const uint64_t *ne, uint64_t offset);

/* Alignment of the data section (default 32; does not write the key). */
void gw_set_alignment(gw *w, uint32_t a);

/* The file; *out is malloc'd, the caller frees it. */
void gw_finish(gw *w, uint8_t **out, size_t *len);
/* gw_finish into a file at path. */
void gw_write_file(gw *w, const char *path);

/* Bytes of one tensor of type with nelem elements. */
size_t gw_type_size(uint32_t type, uint64_t nelem);

/* IEEE binary16 bits of f (round to nearest even), for hand-made blocks. */
uint16_t gw_f16(float f);

#endif
