/*
 * quant.c - scalar reference kernels for the GGUF tensor types (quant.h).
 *
 * Every quantized block is first decoded into one common form: signed
 * integer quants q[j], and per group of consecutive elements a scale and a
 * min, so that value j = scale_g·q[j] − min_g.  Q4_0, Q5_0 and Q8_0 are one
 * group of 32 with no min; Q4_K is eight groups of 32 with mins; Q6_K is
 * sixteen groups of 16.  Dequantization and the dot product then share one
 * loop each, in one fixed order.
 */
#include "infer/quant.h"

#include <math.h>
#include <string.h>

#include "infer/gguf.h"

float quant_f16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu, mant = h & 0x3ffu, bits;
    if (exp == 0) {
        /* zero or subnormal: mant·2^-24, exact in a float */
        float v = (float)mant * 0x1p-24f;
        return sign ? -v : v;
    }
    if (exp == 31)
        bits = sign | 0x7f800000u | (mant << 13);
    else
        bits = sign | ((exp + 112) << 23) | (mant << 13);
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

uint16_t quant_f32_to_f16(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000u, ax = x & 0x7fffffffu;
    if (ax > 0x7f800000u) /* NaN: keep it quiet */
        return (uint16_t)(sign | 0x7e00u);
    if (ax >= 0x477ff000u) /* rounds to 65520 or more */
        return (uint16_t)(sign | 0x7c00u);
    if (ax < 0x38800000u) { /* below the smallest normal half */
        float a;
        memcpy(&a, &ax, 4);
        /* units of 2^-24, rounded to nearest even by the FPU's default
         * mode; 1024 units carry into the smallest normal, as it should */
        return (uint16_t)(sign | (uint32_t)lrintf(a * 0x1p24f));
    }
    uint32_t h = ((ax >> 23) - 112) << 10 | ((ax >> 13) & 0x3ffu);
    uint32_t rest = ax & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (h & 1)))
        h++; /* a carry into the exponent is the right result */
    return (uint16_t)(sign | h);
}

float quant_bf16_to_f32(uint16_t h)
{
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

uint16_t quant_f32_to_bf16(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    if ((x & 0x7fffffffu) > 0x7f800000u)
        return (uint16_t)((x >> 16) | 0x40u);
    return (uint16_t)((x + 0x7fffu + ((x >> 16) & 1)) >> 16);
}

static float rd_f16(const uint8_t *p)
{
    return quant_f16_to_f32((uint16_t)(p[0] | p[1] << 8));
}

size_t quant_row_bytes(uint32_t type, size_t n)
{
    uint32_t be = gguf_block_elems(type);
    return be ? n / be * gguf_block_bytes(type) : 0;
}

/* A decoded block: value j = scale[j / group]·q[j] − min[j / group]. */
typedef struct blk {
    int8_t q[256];
    float scale[16], min[16];
    unsigned n, group;
} blk;

static void dec_q4_0(const uint8_t *b, blk *o)
{
    o->n = o->group = 32;
    o->scale[0] = rd_f16(b);
    o->min[0] = 0;
    for (int j = 0; j < 16; j++) {
        o->q[j] = (int8_t)((b[2 + j] & 15) - 8);
        o->q[j + 16] = (int8_t)((b[2 + j] >> 4) - 8);
    }
}

static void dec_q5_0(const uint8_t *b, blk *o)
{
    o->n = o->group = 32;
    o->scale[0] = rd_f16(b);
    o->min[0] = 0;
    uint32_t qh = (uint32_t)b[2] | (uint32_t)b[3] << 8 |
                  (uint32_t)b[4] << 16 | (uint32_t)b[5] << 24;
    for (int j = 0; j < 16; j++) {
        int lo = b[6 + j] & 15, hi = b[6 + j] >> 4;
        lo |= (int)((qh >> j) & 1) << 4;
        hi |= (int)((qh >> (j + 16)) & 1) << 4;
        o->q[j] = (int8_t)(lo - 16);
        o->q[j + 16] = (int8_t)(hi - 16);
    }
}

static void dec_q8_0(const uint8_t *b, blk *o)
{
    o->n = o->group = 32;
    o->scale[0] = rd_f16(b);
    o->min[0] = 0;
    memcpy(o->q, b + 2, 32);
}

/* The 6-bit scale and min of Q4_K sub-block s, packed in 12 bytes: the
 * first four pairs whole in the low 6 bits, the last four split between a
 * nibble and the top 2 bits of the first eight bytes. */
static void q4k_scale_min(const uint8_t *sc, int s, int *scale, int *min)
{
    if (s < 4) {
        *scale = sc[s] & 63;
        *min = sc[s + 4] & 63;
    } else {
        *scale = (sc[s + 4] & 15) | ((sc[s - 4] >> 6) << 4);
        *min = (sc[s + 4] >> 4) | ((sc[s] >> 6) << 4);
    }
}

static void dec_q4_k(const uint8_t *b, blk *o)
{
    o->n = 256;
    o->group = 32;
    float d = rd_f16(b), dmin = rd_f16(b + 2);
    const uint8_t *qs = b + 16;
    for (int c = 0; c < 4; c++) {
        for (int h = 0; h < 2; h++) {
            int s = 2 * c + h, sc, m;
            q4k_scale_min(b + 4, s, &sc, &m);
            o->scale[s] = d * (float)sc;
            o->min[s] = dmin * (float)m;
            for (int l = 0; l < 32; l++)
                o->q[32 * s + l] =
                    (int8_t)(h ? qs[32 * c + l] >> 4 : qs[32 * c + l] & 15);
        }
    }
}

static void dec_q6_k(const uint8_t *b, blk *o)
{
    o->n = 256;
    o->group = 16;
    float d = rd_f16(b + 208);
    const int8_t *sc = (const int8_t *)(b + 192);
    for (int g = 0; g < 16; g++) {
        o->scale[g] = d * (float)sc[g];
        o->min[g] = 0;
    }
    for (int n = 0; n < 2; n++) {
        const uint8_t *ql = b + 64 * n, *qh = b + 128 + 32 * n;
        int8_t *y = o->q + 128 * n;
        for (int l = 0; l < 32; l++) {
            y[l] = (int8_t)(((ql[l] & 15) | ((qh[l] & 3) << 4)) - 32);
            y[l + 32] =
                (int8_t)(((ql[l + 32] & 15) | (((qh[l] >> 2) & 3) << 4)) - 32);
            y[l + 64] = (int8_t)(((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32);
            y[l + 96] =
                (int8_t)(((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32);
        }
    }
}

static void decode(uint32_t type, const uint8_t *b, blk *o)
{
    switch (type) {
    case GGUF_T_Q4_0: dec_q4_0(b, o); break;
    case GGUF_T_Q5_0: dec_q5_0(b, o); break;
    case GGUF_T_Q8_0: dec_q8_0(b, o); break;
    case GGUF_T_Q4_K: dec_q4_k(b, o); break;
    default: dec_q6_k(b, o); break;
    }
}

static float plain(uint32_t type, const uint8_t *p, size_t i)
{
    if (type == GGUF_T_F32) {
        float f;
        memcpy(&f, p + 4 * i, 4);
        return f;
    }
    uint16_t h = (uint16_t)(p[2 * i] | p[2 * i + 1] << 8);
    return type == GGUF_T_F16 ? quant_f16_to_f32(h) : quant_bf16_to_f32(h);
}

static int is_plain(uint32_t type)
{
    return type == GGUF_T_F32 || type == GGUF_T_F16 || type == GGUF_T_BF16;
}

void quant_dequant_row(uint32_t type, const void *src, float *dst, size_t n)
{
    const uint8_t *p = src;
    if (is_plain(type)) {
        for (size_t i = 0; i < n; i++)
            dst[i] = plain(type, p, i);
        return;
    }
    size_t be = gguf_block_elems(type), bb = gguf_block_bytes(type);
    blk o;
    for (size_t k = 0; k < n / be; k++) {
        decode(type, p + k * bb, &o);
        float *y = dst + k * be;
        for (unsigned j = 0; j < o.n; j++)
            y[j] = o.scale[j / o.group] * (float)o.q[j] - o.min[j / o.group];
    }
}

void quant_dot_batch(uint32_t type, const void *w, const float *x,
                     size_t x_stride, size_t nb, float *y, size_t y_stride,
                     size_t n)
{
    const uint8_t *p = w;
    float acc[QUANT_BATCH_MAX] = {0};
    if (is_plain(type)) {
        for (size_t i = 0; i < n; i++) {
            float wi = plain(type, p, i);
            for (size_t b = 0; b < nb; b++)
                acc[b] += wi * x[b * x_stride + i];
        }
    } else {
        size_t be = gguf_block_elems(type), bb = gguf_block_bytes(type);
        blk o;
        for (size_t k = 0; k < n / be; k++) {
            decode(type, p + k * bb, &o);
            for (size_t b = 0; b < nb; b++) {
                const float *xb = x + b * x_stride + k * be;
                for (unsigned g = 0; g < o.n / o.group; g++) {
                    float sq = 0, sx = 0;
                    const int8_t *q = o.q + g * o.group;
                    const float *xg = xb + g * o.group;
                    for (unsigned j = 0; j < o.group; j++) {
                        sq += (float)q[j] * xg[j];
                        sx += xg[j];
                    }
                    acc[b] += o.scale[g] * sq - o.min[g] * sx;
                }
            }
        }
    }
    for (size_t b = 0; b < nb; b++)
        y[b * y_stride] = acc[b];
}

float quant_dot(uint32_t type, const void *w, const float *x, size_t n)
{
    float y;
    quant_dot_batch(type, w, x, 0, 1, &y, 0, n);
    return y;
}

void quant_q8_0_from_f32(const float *x, void *dst, size_t n)
{
    uint8_t *out = dst;
    for (size_t k = 0; k < n / 32; k++) {
        const float *xb = x + 32 * k;
        float amax = 0;
        for (int j = 0; j < 32; j++)
            amax = fmaxf(amax, fabsf(xb[j]));
        float d = amax / 127.0f, id = d ? 1.0f / d : 0.0f;
        uint16_t h = quant_f32_to_f16(d);
        uint8_t *b = out + 34 * k;
        b[0] = (uint8_t)h;
        b[1] = (uint8_t)(h >> 8);
        for (int j = 0; j < 32; j++)
            /* halves away from zero, as ggml rounds */
            b[2 + j] = (uint8_t)(int8_t)roundf(xb[j] * id);
    }
}
