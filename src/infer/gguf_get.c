/*
 * gguf_get.c - lookups and typed reads on a parsed GGUF file (gguf.h).
 * The parser has already checked every length; these only check that a
 * value has the type its reader expects.
 */
#include <math.h>
#include <string.h>

#include "infer/gguf.h"
#include "infer/gguf_int.h"

uint32_t gguf_version(const gguf_file *g) { return g->version; }
uint32_t gguf_alignment(const gguf_file *g) { return g->alignment; }
uint64_t gguf_size(const gguf_file *g) { return g->len; }
const uint8_t *gguf_bytes(const gguf_file *g) { return g->base; }
uint64_t gguf_data_offset(const gguf_file *g) { return g->data_off; }
size_t gguf_kv_count(const gguf_file *g) { return g->n_kv; }
size_t gguf_tensor_count(const gguf_file *g) { return g->n_tensors; }

const gguf_kv *gguf_kv_at(const gguf_file *g, size_t i)
{
    return i < g->n_kv ? &g->kv[i] : NULL;
}

const gguf_tensor *gguf_tensor_at(const gguf_file *g, size_t i)
{
    return i < g->n_tensors ? &g->tensors[i] : NULL;
}

const gguf_kv *gguf_find(const gguf_file *g, const char *key)
{
    for (size_t i = 0; i < g->n_kv; i++)
        if (gguf_str_eq(g->kv[i].key, key))
            return &g->kv[i];
    return NULL;
}

const gguf_tensor *gguf_tensor_find(const gguf_file *g, const char *name)
{
    for (size_t i = 0; i < g->n_tensors; i++)
        if (strcmp(g->tensors[i].name, name) == 0)
            return &g->tensors[i];
    return NULL;
}

static bool is_int(uint32_t t)
{
    return t <= GGUF_VT_I32 || t == GGUF_VT_U64 || t == GGUF_VT_I64;
}

static int find_typed(const gguf_file *g, const char *key,
                      const gguf_kv **kv, osafe_err *e)
{
    *kv = gguf_find(g, key);
    if (!*kv)
        return osafe_errf(e, OSAFE_ENOTFOUND, "GGUF metadata '%s' is missing",
                          key);
    return 0;
}

static int wrong_type(const gguf_kv *kv, const char *key, const char *want,
                      osafe_err *e)
{
    const char *n = gguf_vtype_name(kv->type);
    return osafe_errf(e, OSAFE_EINVAL, "GGUF metadata '%s' is a%s %s, not %s",
                      key, n && n[0] == 'a' ? "n" : "", n ? n : "?", want);
}

int gguf_get_uint(const gguf_file *g, const char *key, uint64_t *out,
                  osafe_err *e)
{
    const gguf_kv *kv;
    int rc = find_typed(g, key, &kv, e);
    if (rc)
        return rc;
    if (!is_int(kv->type))
        return wrong_type(kv, key, "an integer", e);
    if (!kv->v.num.u_ok)
        return osafe_errf(e, OSAFE_EINVAL, "GGUF metadata '%s' is negative",
                          key);
    *out = kv->v.num.u;
    return 0;
}

int gguf_get_float(const gguf_file *g, const char *key, float *out,
                   osafe_err *e)
{
    const gguf_kv *kv;
    int rc = find_typed(g, key, &kv, e);
    if (rc)
        return rc;
    double v;
    if (kv->type == GGUF_VT_F32 || kv->type == GGUF_VT_F64)
        v = kv->v.f;
    else if (is_int(kv->type))
        v = kv->v.num.i_ok ? (double)kv->v.num.i : (double)kv->v.num.u;
    else
        return wrong_type(kv, key, "a number", e);
    if (!isfinite(v) || fabs(v) > 3.4e38)
        return osafe_errf(e, OSAFE_EINVAL,
                          "GGUF metadata '%s' is not a finite float", key);
    *out = (float)v;
    return 0;
}

int gguf_get_bool(const gguf_file *g, const char *key, bool *out,
                  osafe_err *e)
{
    const gguf_kv *kv;
    int rc = find_typed(g, key, &kv, e);
    if (rc)
        return rc;
    if (kv->type != GGUF_VT_BOOL)
        return wrong_type(kv, key, "a bool", e);
    *out = kv->v.b;
    return 0;
}

int gguf_get_str(const gguf_file *g, const char *key, gguf_str *out,
                 osafe_err *e)
{
    const gguf_kv *kv;
    int rc = find_typed(g, key, &kv, e);
    if (rc)
        return rc;
    if (kv->type != GGUF_VT_STRING)
        return wrong_type(kv, key, "a string", e);
    *out = kv->v.s;
    return 0;
}

int gguf_get_arr(const gguf_file *g, const char *key, uint32_t elem_type,
                 const gguf_kv **out, osafe_err *e)
{
    const gguf_kv *kv;
    int rc = find_typed(g, key, &kv, e);
    if (rc)
        return rc;
    if (kv->type != GGUF_VT_ARRAY)
        return wrong_type(kv, key, "an array", e);
    if (elem_type != UINT32_MAX && kv->v.arr.elem_type != elem_type)
        return osafe_errf(e, OSAFE_EINVAL,
                          "GGUF metadata '%s' is an array of %s, not of %s",
                          key, gguf_vtype_name(kv->v.arr.elem_type),
                          gguf_vtype_name(elem_type) ? gguf_vtype_name(elem_type)
                                                     : "?");
    *out = kv;
    return 0;
}

static uint64_t le_at(const uint8_t *b, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)b[i] << (8 * i);
    return v;
}

int64_t gguf_arr_int(const gguf_kv *kv, uint64_t i)
{
    uint32_t t = kv->v.arr.elem_type;
    static const uint8_t sz[] = {1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};
    if (t >= sizeof sz || sz[t] == 0 || i >= kv->v.arr.count)
        return 0;
    unsigned n = sz[t];
    uint64_t raw = le_at(kv->v.arr.data + i * n, n);
    bool is_signed = t == GGUF_VT_I8 || t == GGUF_VT_I16 ||
                     t == GGUF_VT_I32 || t == GGUF_VT_I64;
    if (is_signed && n < 8)
        return (int64_t)(raw << (64 - 8 * n)) >> (64 - 8 * n);
    return (int64_t)raw;
}

double gguf_arr_float(const gguf_kv *kv, uint64_t i)
{
    uint32_t t = kv->v.arr.elem_type;
    if (i >= kv->v.arr.count)
        return 0;
    if (t == GGUF_VT_F32) {
        uint32_t u = (uint32_t)le_at(kv->v.arr.data + i * 4, 4);
        float f;
        memcpy(&f, &u, 4);
        return f;
    }
    if (t == GGUF_VT_F64) {
        uint64_t u = le_at(kv->v.arr.data + i * 8, 8);
        double d;
        memcpy(&d, &u, 8);
        return d;
    }
    return (double)gguf_arr_int(kv, i);
}
