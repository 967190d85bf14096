/*
 * gguf_writer.c - the tests' GGUF writer (gguf_writer.h), written from the
 * GGUF spec (ggml docs/gguf.md): header, metadata, tensor infos, padding
 * to the alignment, then the tensors' data, each padded.
 */
#include "gguf_writer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct bytes {
    uint8_t *p;
    size_t len, cap;
} bytes;

struct gw {
    uint32_t version, align;
    uint64_t n_kv, n_tensors;
    bytes kv, info, data;
};

static void die(const char *what)
{
    fprintf(stderr, "gguf_writer: %s\n", what);
    abort();
}

static void put(bytes *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->len + n)
            cap *= 2;
        uint8_t *q = realloc(b->p, cap);
        if (!q)
            die("out of memory");
        b->p = q;
        b->cap = cap;
    }
    if (n)
        memcpy(b->p + b->len, p, n);
    b->len += n;
}

static void put_le(bytes *b, uint64_t v, unsigned n)
{
    uint8_t x[8];
    for (unsigned i = 0; i < n; i++)
        x[i] = (uint8_t)(v >> (8 * i));
    put(b, x, n);
}

static void put_str(bytes *b, const char *s)
{
    size_t n = strlen(s);
    put_le(b, n, 8);
    put(b, s, n);
}

gw *gw_new(uint32_t version)
{
    gw *w = calloc(1, sizeof *w);
    if (!w)
        die("out of memory");
    w->version = version;
    w->align = 32;
    return w;
}

void gw_free(gw *w)
{
    if (!w)
        return;
    free(w->kv.p);
    free(w->info.p);
    free(w->data.p);
    free(w);
}

void gw_set_alignment(gw *w, uint32_t a) { w->align = a; }

static void kv_head(gw *w, const char *key, uint32_t type)
{
    put_str(&w->kv, key);
    put_le(&w->kv, type, 4);
    w->n_kv++;
}

void gw_kv_raw(gw *w, const char *key, uint32_t type, const void *v, size_t n)
{
    kv_head(w, key, type);
    put(&w->kv, v, n);
}

void gw_kv_u8(gw *w, const char *k, uint8_t v) { kv_head(w, k, 0); put_le(&w->kv, v, 1); }
void gw_kv_i8(gw *w, const char *k, int8_t v) { kv_head(w, k, 1); put_le(&w->kv, (uint8_t)v, 1); }
void gw_kv_u16(gw *w, const char *k, uint16_t v) { kv_head(w, k, 2); put_le(&w->kv, v, 2); }
void gw_kv_i16(gw *w, const char *k, int16_t v) { kv_head(w, k, 3); put_le(&w->kv, (uint16_t)v, 2); }
void gw_kv_u32(gw *w, const char *k, uint32_t v) { kv_head(w, k, 4); put_le(&w->kv, v, 4); }
void gw_kv_i32(gw *w, const char *k, int32_t v) { kv_head(w, k, 5); put_le(&w->kv, (uint32_t)v, 4); }
void gw_kv_bool(gw *w, const char *k, int v) { kv_head(w, k, 7); put_le(&w->kv, v ? 1 : 0, 1); }
void gw_kv_u64(gw *w, const char *k, uint64_t v) { kv_head(w, k, 10); put_le(&w->kv, v, 8); }
void gw_kv_i64(gw *w, const char *k, int64_t v) { kv_head(w, k, 11); put_le(&w->kv, (uint64_t)v, 8); }

void gw_kv_f32(gw *w, const char *k, float v)
{
    uint32_t u;
    memcpy(&u, &v, 4);
    kv_head(w, k, 6);
    put_le(&w->kv, u, 4);
}

void gw_kv_f64(gw *w, const char *k, double v)
{
    uint64_t u;
    memcpy(&u, &v, 8);
    kv_head(w, k, 12);
    put_le(&w->kv, u, 8);
}

void gw_kv_str(gw *w, const char *k, const char *s)
{
    kv_head(w, k, 8);
    put_str(&w->kv, s);
}

void gw_kv_arr_str(gw *w, const char *k, const char *const *s, size_t n)
{
    kv_head(w, k, 9);
    put_le(&w->kv, 8, 4);
    put_le(&w->kv, n, 8);
    for (size_t i = 0; i < n; i++)
        put_str(&w->kv, s[i]);
}

void gw_kv_arr_f32(gw *w, const char *k, const float *v, size_t n)
{
    kv_head(w, k, 9);
    put_le(&w->kv, 6, 4);
    put_le(&w->kv, n, 8);
    for (size_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, &v[i], 4);
        put_le(&w->kv, u, 4);
    }
}

void gw_kv_arr_i32(gw *w, const char *k, const int32_t *v, size_t n)
{
    kv_head(w, k, 9);
    put_le(&w->kv, 5, 4);
    put_le(&w->kv, n, 8);
    for (size_t i = 0; i < n; i++)
        put_le(&w->kv, (uint32_t)v[i], 4);
}

size_t gw_type_size(uint32_t type, uint64_t nelem)
{
    switch (type) {
    case 0: return nelem * 4;
    case 1: case 30: return nelem * 2;
    case 2: return nelem / 32 * 18;
    case 6: return nelem / 32 * 22;
    case 8: return nelem / 32 * 34;
    case 12: return nelem / 256 * 144;
    case 14: return nelem / 256 * 210;
    default: die("gw_type_size: unknown type"); return 0;
    }
}

static void info(gw *w, const char *name, uint32_t type, uint32_t n_dims,
                 const uint64_t *ne, uint64_t offset)
{
    put_str(&w->info, name);
    put_le(&w->info, n_dims, 4);
    for (uint32_t d = 0; d < n_dims; d++)
        put_le(&w->info, ne[d], 8);
    put_le(&w->info, type, 4);
    put_le(&w->info, offset, 8);
    w->n_tensors++;
}

void gw_tensor_info_raw(gw *w, const char *name, uint32_t type,
                        uint32_t n_dims, const uint64_t *ne, uint64_t offset)
{
    info(w, name, type, n_dims, ne, offset);
}

void gw_tensor(gw *w, const char *name, uint32_t type, uint32_t n_dims,
               const uint64_t *ne, const void *data, size_t len)
{
    static const uint8_t zero[64 << 10];
    info(w, name, type, n_dims, ne, w->data.len);
    put(&w->data, data, len);
    size_t pad = (w->align - w->data.len % w->align) % w->align;
    put(&w->data, zero, pad);
}

uint16_t gw_f16(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000u;
    uint32_t ax = x & 0x7fffffffu;
    if (ax >= 0x7f800000u) /* inf or nan */
        return (uint16_t)(sign | 0x7c00u | (ax > 0x7f800000u ? 0x200u : 0));
    if (ax >= 0x477ff000u) /* rounds to >= 65520: overflow */
        return (uint16_t)(sign | 0x7c00u);
    if (ax < 0x38800000u) { /* subnormal half: scale by 2^24 and round */
        float a;
        memcpy(&a, &ax, 4);
        return (uint16_t)(sign | (uint32_t)lrintf(a * 16777216.0f));
    }
    uint32_t mant = ax & 0x7fffffu, exp = (ax >> 23) - 112;
    uint32_t h = (exp << 10) | (mant >> 13);
    uint32_t rest = mant & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (h & 1)))
        h++;
    return (uint16_t)(sign | h);
}

/* A random block scale: a finite fp16 in [scale/2, scale), random sign
 * only when signed is set. */
static void rand_scale(uint8_t *p, float scale, int sign, osafe_rng *r)
{
    float v = scale * (0.5f + 0.5f * (float)rng_uniform(r));
    if (sign && (rng_next(r) & 1))
        v = -v;
    uint16_t h = gw_f16(v);
    p[0] = (uint8_t)h;
    p[1] = (uint8_t)(h >> 8);
}

static void rand_block(uint8_t *b, uint32_t type, float scale, osafe_rng *r)
{
    size_t n = gw_type_size(type, type == 12 || type == 14 ? 256 : 32);
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)rng_next(r);
    switch (type) {
    case 2: case 6: case 8:
        rand_scale(b, scale, 1, r);
        if (type == 8) /* i8 quants of -128 are never produced by ggml */
            for (size_t i = 2; i < 34; i++)
                if (b[i] == 0x80)
                    b[i] = 0x81;
        break;
    case 12:
        rand_scale(b, scale, 0, r);
        rand_scale(b + 2, scale, 0, r);
        break;
    case 14:
        rand_scale(b + 208, scale, 1, r);
        break;
    default:
        break;
    }
}

void gw_tensor_random(gw *w, const char *name, uint32_t type, uint64_t ne0,
                      uint64_t ne1, float scale, osafe_rng *r)
{
    uint64_t ne[2] = {ne0, ne1};
    size_t len = gw_type_size(type, ne0 * ne1);
    uint8_t *d = malloc(len ? len : 1);
    if (!d)
        die("out of memory");
    if (type == 0 || type == 1 || type == 30) {
        for (uint64_t i = 0; i < ne0 * ne1; i++) {
            float v = scale * (float)(2.0 * rng_uniform(r) - 1.0);
            if (type == 0) {
                memcpy(d + 4 * i, &v, 4);
            } else {
                uint32_t u;
                memcpy(&u, &v, 4);
                uint16_t h = type == 1 ? gw_f16(v) : (uint16_t)(u >> 16);
                d[2 * i] = (uint8_t)h;
                d[2 * i + 1] = (uint8_t)(h >> 8);
            }
        }
    } else {
        size_t bb = gw_type_size(type, type == 12 || type == 14 ? 256 : 32);
        for (size_t o = 0; o < len; o += bb)
            rand_block(d + o, type, scale, r);
    }
    gw_tensor(w, name, type, ne1 > 1 ? 2 : 1, ne, d, len);
    free(d);
}

void gw_finish(gw *w, uint8_t **out, size_t *len)
{
    bytes f = {0};
    put(&f, "GGUF", 4);
    put_le(&f, w->version, 4);
    put_le(&f, w->n_tensors, 8);
    put_le(&f, w->n_kv, 8);
    put(&f, w->kv.p, w->kv.len);
    put(&f, w->info.p, w->info.len);
    if (w->data.len) {
        static const uint8_t zero[64 << 10];
        size_t pad = (w->align - f.len % w->align) % w->align;
        put(&f, zero, pad);
        put(&f, w->data.p, w->data.len);
    }
    *out = f.p;
    *len = f.len;
}

void gw_write_file(gw *w, const char *path)
{
    uint8_t *p;
    size_t n;
    gw_finish(w, &p, &n);
    FILE *fp = fopen(path, "wb");
    if (!fp || fwrite(p, 1, n, fp) != n || fclose(fp) != 0)
        die("cannot write the file");
    free(p);
}
