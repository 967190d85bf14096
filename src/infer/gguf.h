/*
 * gguf.h - a reader for GGUF model files (v2 and v3), treating the file as
 * hostile input.
 *
 * The file is memory-mapped read-only (gguf_open) or read from memory the
 * caller owns (gguf_parse, for tests and the fuzz target).  Everything is
 * checked before it is used: each count, length and offset against the
 * bytes left and the ceilings of core/limits.h, each tensor's dimension
 * product and byte size for overflow, each tensor's place in the data
 * section (aligned, in order, inside the file), each value type and tensor
 * type against those we implement.  A refused file gives an error naming
 * the problem and where it is ("tensor 3 'blk.0.attn_q.weight': ...").
 *
 * Strings point into the file and are not NUL-terminated (a GGUF string is
 * a length and bytes); they live as long as the gguf_file.  Tensor names
 * are copied with a NUL, since they are short and looked up by name.
 */
#ifndef OSAFE_INFER_GGUF_H
#define OSAFE_INFER_GGUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/limits.h"
#include "core/status.h"

/* Metadata value types (the numbers are the file's). */
enum gguf_vtype {
    GGUF_VT_U8 = 0,
    GGUF_VT_I8 = 1,
    GGUF_VT_U16 = 2,
    GGUF_VT_I16 = 3,
    GGUF_VT_U32 = 4,
    GGUF_VT_I32 = 5,
    GGUF_VT_F32 = 6,
    GGUF_VT_BOOL = 7,
    GGUF_VT_STRING = 8,
    GGUF_VT_ARRAY = 9,
    GGUF_VT_U64 = 10,
    GGUF_VT_I64 = 11,
    GGUF_VT_F64 = 12,
};

/* Tensor types we implement (ggml's numbers); any other is refused. */
enum gguf_ttype {
    GGUF_T_F32 = 0,
    GGUF_T_F16 = 1,
    GGUF_T_Q4_0 = 2,
    GGUF_T_Q5_0 = 6,
    GGUF_T_Q8_0 = 8,
    GGUF_T_Q4_K = 12,
    GGUF_T_Q6_K = 14,
    GGUF_T_BF16 = 30,
};

/* One string, pointing into the file. */
typedef struct gguf_str {
    const char *p;
    uint64_t len;
} gguf_str;

/* One metadata entry.  Scalars are widened: integers into u or i (both
 * set when the value fits), floats into f.  An array keeps its element
 * type, count and raw little-endian elements (read them with the
 * gguf_arr_* accessors); a string array also has an index of its strings. */
typedef struct gguf_kv {
    gguf_str key;
    uint32_t type;
    union {
        struct {
            uint64_t u;
            int64_t i;
            bool u_ok, i_ok; /* the value fits u / i */
        } num;
        double f;
        bool b;
        gguf_str s;
        struct {
            uint32_t elem_type;
            uint64_t count;
            const uint8_t *data; /* raw elements (numeric types) */
            gguf_str *strs;      /* count strings (string arrays), owned */
        } arr;
    } v;
} gguf_kv;

typedef struct gguf_tensor {
    char name[OSAFE_GGUF_NAME_MAX + 1];
    uint32_t n_dims;
    uint64_t ne[4];  /* ne[0] is the row length; unused dims are 1 */
    uint32_t type;   /* enum gguf_ttype */
    uint64_t offset; /* from the start of the data section */
    uint64_t nelem;  /* product of ne */
    uint64_t size;   /* bytes */
    const uint8_t *data;
} gguf_tensor;

typedef struct gguf_file gguf_file;

/* Map path read-only and parse it.  *out is owned by the caller
 * (gguf_close). */
int gguf_open(const char *path, gguf_file **out, osafe_err *e) OSAFE_MUST_USE;

/* Parse len bytes at data, which the caller keeps alive and unchanged
 * until gguf_close. */
int gguf_parse(const void *data, size_t len, gguf_file **out,
               osafe_err *e) OSAFE_MUST_USE;

void gguf_close(gguf_file *g);

uint32_t gguf_version(const gguf_file *g);
uint32_t gguf_alignment(const gguf_file *g);
/* Bytes of the whole file and where the data section starts. */
uint64_t gguf_size(const gguf_file *g);
/* The file's bytes (the mapping or the caller's memory). */
const uint8_t *gguf_bytes(const gguf_file *g);
uint64_t gguf_data_offset(const gguf_file *g);

size_t gguf_kv_count(const gguf_file *g);
const gguf_kv *gguf_kv_at(const gguf_file *g, size_t i);
/* The entry named key (a C string), or NULL. */
const gguf_kv *gguf_find(const gguf_file *g, const char *key);

size_t gguf_tensor_count(const gguf_file *g);
const gguf_tensor *gguf_tensor_at(const gguf_file *g, size_t i);
const gguf_tensor *gguf_tensor_find(const gguf_file *g, const char *name);

/* Typed reads of the entry named key.  ENOTFOUND when absent, EINVAL
 * (naming the key) when its type does not fit. */
/* Any integer type holding a value >= 0. */
int gguf_get_uint(const gguf_file *g, const char *key, uint64_t *out,
                  osafe_err *e) OSAFE_MUST_USE;
/* f32 or f64 (narrowed), or an integer. */
int gguf_get_float(const gguf_file *g, const char *key, float *out,
                   osafe_err *e) OSAFE_MUST_USE;
int gguf_get_bool(const gguf_file *g, const char *key, bool *out,
                  osafe_err *e) OSAFE_MUST_USE;
int gguf_get_str(const gguf_file *g, const char *key, gguf_str *out,
                 osafe_err *e) OSAFE_MUST_USE;
/* An array of elem_type (any when elem_type is UINT32_MAX). */
int gguf_get_arr(const gguf_file *g, const char *key, uint32_t elem_type,
                 const gguf_kv **out, osafe_err *e) OSAFE_MUST_USE;

/* Element i (< count) of a numeric array, widened; the caller checked the
 * element type. */
int64_t gguf_arr_int(const gguf_kv *kv, uint64_t i);
double gguf_arr_float(const gguf_kv *kv, uint64_t i);

/* Names for messages ("q4_K", "f32"; "type 3" style for unknown ids go
 * through the caller).  NULL for an id we do not implement. */
const char *gguf_ttype_name(uint32_t type);
const char *gguf_vtype_name(uint32_t type);

/* Elements per block and bytes per block of a tensor type we implement;
 * 0 for others. */
uint32_t gguf_block_elems(uint32_t type);
uint32_t gguf_block_bytes(uint32_t type);

/* Does the str equal the C string s? */
bool gguf_str_eq(gguf_str a, const char *s);

#endif
