/*
 * gguf.c - the GGUF reader (gguf.h).  The header, the metadata and the
 * tensor infos are read straight through with a cursor that never reads
 * past the end; every allocation is sized by a count already checked
 * against both its ceiling and the bytes left, so a lying count cannot
 * make us allocate more than the file could describe.
 */
#include "infer/gguf.h"
#include "infer/gguf_int.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>


/* The reading cursor; where names what is being read, for messages. */
typedef struct cur {
    const uint8_t *p;
    uint64_t pos, len;
    char where[112];
} cur;

static int short_read(cur *c, osafe_err *e, uint64_t need)
{
    return osafe_errf(e, OSAFE_ECORRUPT,
                      "GGUF truncated: %s needs %llu bytes at offset %llu, "
                      "the file has %llu",
                      c->where, (unsigned long long)need,
                      (unsigned long long)c->pos,
                      (unsigned long long)(c->len - c->pos));
}

static int rd_bytes(cur *c, void *out, uint64_t n, osafe_err *e)
{
    if (n > c->len - c->pos)
        return short_read(c, e, n);
    memcpy(out, c->p + c->pos, n);
    c->pos += n;
    return 0;
}

/* Little-endian decoding, whatever the host. */
static uint64_t le(const uint8_t *b, unsigned n)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)b[i] << (8 * i);
    return v;
}

static int rd_u32(cur *c, uint32_t *out, osafe_err *e)
{
    uint8_t b[4];
    int rc = rd_bytes(c, b, 4, e);
    if (rc == 0)
        *out = (uint32_t)le(b, 4);
    return rc;
}

static int rd_u64(cur *c, uint64_t *out, osafe_err *e)
{
    uint8_t b[8];
    int rc = rd_bytes(c, b, 8, e);
    if (rc == 0)
        *out = le(b, 8);
    return rc;
}

static int rd_str(cur *c, gguf_str *s, uint64_t max, osafe_err *e)
{
    uint64_t n;
    int rc = rd_u64(c, &n, e);
    if (rc)
        return rc;
    if (n > max)
        return osafe_errf(e, OSAFE_ECORRUPT,
                          "GGUF %s: string of %llu bytes at offset %llu "
                          "(at most %llu)",
                          c->where, (unsigned long long)n,
                          (unsigned long long)(c->pos - 8),
                          (unsigned long long)max);
    if (n > c->len - c->pos)
        return short_read(c, e, n);
    s->p = (const char *)c->p + c->pos;
    s->len = n;
    c->pos += n;
    return 0;
}

static const uint8_t vsize[] = {1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};

/* Bytes of one scalar of type t; 0 for strings, arrays and unknown ids. */
static unsigned scalar_size(uint32_t t)
{
    return t < sizeof vsize ? vsize[t] : 0;
}

const char *gguf_vtype_name(uint32_t t)
{
    static const char *const n[] = {"u8",  "i8",  "u16",  "i16", "u32",
                                    "i32", "f32", "bool", "string", "array",
                                    "u64", "i64", "f64"};
    return t < sizeof n / sizeof n[0] ? n[t] : NULL;
}

/* Decode a scalar of type t from b into kv->v (kv->type set by caller). */
static int set_scalar(gguf_kv *kv, uint32_t t, const uint8_t *b,
                      const cur *c, osafe_err *e)
{
    uint64_t raw = le(b, scalar_size(t));
    switch (t) {
    case GGUF_VT_U8: case GGUF_VT_U16: case GGUF_VT_U32: case GGUF_VT_U64:
        kv->v.num.u = raw;
        kv->v.num.u_ok = true;
        kv->v.num.i = (int64_t)raw;
        kv->v.num.i_ok = raw <= INT64_MAX;
        return 0;
    case GGUF_VT_I8: case GGUF_VT_I16: case GGUF_VT_I32: case GGUF_VT_I64: {
        unsigned bits = 8 * scalar_size(t);
        int64_t v = bits == 64 ? (int64_t)raw
                               : (int64_t)(raw << (64 - bits)) >> (64 - bits);
        kv->v.num.i = v;
        kv->v.num.i_ok = true;
        kv->v.num.u = (uint64_t)v;
        kv->v.num.u_ok = v >= 0;
        return 0;
    }
    case GGUF_VT_F32: {
        uint32_t u = (uint32_t)raw;
        float f;
        memcpy(&f, &u, 4);
        kv->v.f = f;
        return 0;
    }
    case GGUF_VT_F64:
        memcpy(&kv->v.f, &raw, 8);
        return 0;
    case GGUF_VT_BOOL:
        if (raw > 1)
            return osafe_errf(e, OSAFE_ECORRUPT,
                              "GGUF %s: bool value %u is neither 0 nor 1",
                              c->where, (unsigned)raw);
        kv->v.b = raw == 1;
        return 0;
    default:
        return osafe_errf(e, OSAFE_ECORRUPT, "GGUF %s: unknown value type %u",
                          c->where, (unsigned)t);
    }
}

static int read_array(cur *c, gguf_kv *kv, osafe_err *e)
{
    uint32_t et;
    uint64_t n;
    int rc;
    if ((rc = rd_u32(c, &et, e)) || (rc = rd_u64(c, &n, e)))
        return rc;
    if (et == GGUF_VT_ARRAY)
        return osafe_errf(e, OSAFE_EUNSUPPORTED,
                          "GGUF %s: nested arrays are not supported",
                          c->where);
    if (et != GGUF_VT_STRING && scalar_size(et) == 0)
        return osafe_errf(e, OSAFE_ECORRUPT,
                          "GGUF %s: unknown array element type %u", c->where,
                          (unsigned)et);
    if (n > OSAFE_GGUF_ARRAY_MAX)
        return osafe_errf(e, OSAFE_ETOOBIG,
                          "GGUF %s: array of %llu elements (at most %u)",
                          c->where, (unsigned long long)n,
                          OSAFE_GGUF_ARRAY_MAX);
    /* Each element takes at least this many bytes (a string its length),
     * so the count cannot promise more than the file holds. */
    uint64_t min = et == GGUF_VT_STRING ? 8 : scalar_size(et);
    if (n * min > c->len - c->pos)
        return short_read(c, e, n * min);
    kv->v.arr.elem_type = et;
    kv->v.arr.count = n;
    kv->v.arr.data = c->p + c->pos;
    if (et != GGUF_VT_STRING) {
        if (et == GGUF_VT_BOOL)
            for (uint64_t i = 0; i < n; i++)
                if (c->p[c->pos + i] > 1)
                    return osafe_errf(e, OSAFE_ECORRUPT,
                                      "GGUF %s: element %llu is a bool "
                                      "neither 0 nor 1",
                                      c->where, (unsigned long long)i);
        c->pos += n * min;
        return 0;
    }
    kv->v.arr.strs = calloc(n ? n : 1, sizeof *kv->v.arr.strs);
    if (!kv->v.arr.strs)
        return osafe_errf(e, OSAFE_ENOMEM, "GGUF %s: out of memory",
                          c->where);
    for (uint64_t i = 0; i < n; i++)
        if ((rc = rd_str(c, &kv->v.arr.strs[i], OSAFE_GGUF_STRING_MAX, e)))
            return rc;
    return 0;
}

static int read_value(cur *c, gguf_kv *kv, osafe_err *e)
{
    if (kv->type == GGUF_VT_STRING)
        return rd_str(c, &kv->v.s, OSAFE_GGUF_STRING_MAX, e);
    if (kv->type == GGUF_VT_ARRAY)
        return read_array(c, kv, e);
    unsigned n = scalar_size(kv->type);
    if (n == 0)
        return osafe_errf(e, OSAFE_ECORRUPT, "GGUF %s: unknown value type %u",
                          c->where, (unsigned)kv->type);
    uint8_t b[8];
    int rc = rd_bytes(c, b, n, e);
    return rc ? rc : set_scalar(kv, kv->type, b, c, e);
}

bool gguf_str_eq(gguf_str a, const char *s)
{
    size_t n = strlen(s);
    return a.len == n && memcmp(a.p, s, n) == 0;
}

static bool str_same(gguf_str a, gguf_str b)
{
    return a.len == b.len && memcmp(a.p, b.p, a.len) == 0;
}

/* The key of entry i may not repeat an earlier one: which of two values
 * a reader takes would otherwise depend on the reader.  Quadratic, but
 * bounded by OSAFE_GGUF_KV_MAX and real files have a few dozen keys. */
static int read_kvs(gguf_file *g, cur *c, osafe_err *e)
{
    char *where = c->where;
    size_t wn = sizeof c->where;
    for (size_t i = 0; i < g->n_kv; i++) {
        gguf_kv *kv = &g->kv[i];
        int rc;
        snprintf(where, wn, "metadata entry %zu key", i);
        if ((rc = rd_str(c, &kv->key, OSAFE_GGUF_KEY_MAX, e)))
            return rc;
        if (kv->key.len == 0)
            return osafe_errf(e, OSAFE_ECORRUPT, "GGUF %s is empty", where);
        for (size_t j = 0; j < i; j++)
            if (str_same(g->kv[j].key, kv->key))
                return osafe_errf(e, OSAFE_ECORRUPT,
                                  "GGUF metadata entry %zu repeats the key "
                                  "'%.*s' of entry %zu",
                                  i, (int)(kv->key.len > 80 ? 80 : kv->key.len),
                                  kv->key.p, j);
        snprintf(where, wn, "metadata '%.*s'",
                 (int)(kv->key.len > 64 ? 64 : kv->key.len), kv->key.p);
        if ((rc = rd_u32(c, &kv->type, e)) || (rc = read_value(c, kv, e)))
            return rc;
    }
    return 0;
}

static const struct {
    uint32_t id, elems, bytes;
    const char *name;
} ttypes[] = {
    {GGUF_T_F32, 1, 4, "f32"},       {GGUF_T_F16, 1, 2, "f16"},
    {GGUF_T_Q4_0, 32, 18, "q4_0"},   {GGUF_T_Q5_0, 32, 22, "q5_0"},
    {GGUF_T_Q8_0, 32, 34, "q8_0"},   {GGUF_T_Q4_K, 256, 144, "q4_K"},
    {GGUF_T_Q6_K, 256, 210, "q6_K"}, {GGUF_T_BF16, 1, 2, "bf16"},
};

static int ttype_index(uint32_t t)
{
    for (size_t i = 0; i < sizeof ttypes / sizeof ttypes[0]; i++)
        if (ttypes[i].id == t)
            return (int)i;
    return -1;
}

const char *gguf_ttype_name(uint32_t t)
{
    int i = ttype_index(t);
    return i < 0 ? NULL : ttypes[i].name;
}

uint32_t gguf_block_elems(uint32_t t)
{
    int i = ttype_index(t);
    return i < 0 ? 0 : ttypes[i].elems;
}

uint32_t gguf_block_bytes(uint32_t t)
{
    int i = ttype_index(t);
    return i < 0 ? 0 : ttypes[i].bytes;
}

/* Shape, type and byte size of tensor t (its info already read). */
static int check_shape(gguf_tensor *t, size_t i, osafe_err *e)
{
    uint64_t n = 1;
    for (uint32_t d = 0; d < t->n_dims; d++) {
        if (t->ne[d] == 0 || t->ne[d] > INT64_MAX)
            return osafe_errf(e, OSAFE_ECORRUPT,
                              "GGUF tensor %zu '%s': dimension %u is %llu",
                              i, t->name, (unsigned)d,
                              (unsigned long long)t->ne[d]);
        if (n > INT64_MAX / t->ne[d])
            return osafe_errf(e, OSAFE_ECORRUPT,
                              "GGUF tensor %zu '%s': the element count "
                              "overflows",
                              i, t->name);
        n *= t->ne[d];
    }
    t->nelem = n;
    uint32_t be = gguf_block_elems(t->type), bb = gguf_block_bytes(t->type);
    if (be == 0)
        return osafe_errf(e, OSAFE_EUNSUPPORTED,
                          "GGUF tensor %zu '%s': tensor type %u is not "
                          "supported (f32, f16, bf16, q8_0, q4_0, q5_0, "
                          "q4_K, q6_K are)",
                          i, t->name, (unsigned)t->type);
    if (t->ne[0] % be)
        return osafe_errf(e, OSAFE_ECORRUPT,
                          "GGUF tensor %zu '%s': row length %llu is not a "
                          "multiple of the %s block size %u",
                          i, t->name, (unsigned long long)t->ne[0],
                          gguf_ttype_name(t->type), (unsigned)be);
    /* n < 2^63 blocks of 4 bytes (f32) can overflow. */
    if (n / be > UINT64_MAX / bb)
        return osafe_errf(e, OSAFE_ECORRUPT,
                          "GGUF tensor %zu '%s': the byte size overflows", i,
                          t->name);
    t->size = n / be * bb;
    return 0;
}

static int read_tensor_info(cur *c, gguf_tensor *t, size_t i, osafe_err *e)
{
    snprintf(c->where, sizeof c->where, "tensor info %zu", i);
    gguf_str name;
    int rc;
    if ((rc = rd_str(c, &name, UINT64_MAX, e)))
        return rc;
    if (name.len == 0 || name.len > OSAFE_GGUF_NAME_MAX)
        return osafe_errf(e, OSAFE_ECORRUPT,
                          "GGUF tensor %zu: name of %llu bytes (1 to %d)", i,
                          (unsigned long long)name.len, OSAFE_GGUF_NAME_MAX);
    if (memchr(name.p, 0, name.len))
        return osafe_errf(e, OSAFE_ECORRUPT,
                          "GGUF tensor %zu: name holds a NUL byte", i);
    memcpy(t->name, name.p, name.len);
    t->name[name.len] = 0;
    if ((rc = rd_u32(c, &t->n_dims, e)))
        return rc;
    if (t->n_dims == 0 || t->n_dims > OSAFE_GGUF_DIMS_MAX)
        return osafe_errf(e, OSAFE_ECORRUPT,
                          "GGUF tensor %zu '%s': %u dimensions (1 to %u)", i,
                          t->name, (unsigned)t->n_dims, OSAFE_GGUF_DIMS_MAX);
    for (uint32_t d = 0; d < 4; d++)
        t->ne[d] = 1;
    for (uint32_t d = 0; d < t->n_dims; d++)
        if ((rc = rd_u64(c, &t->ne[d], e)))
            return rc;
    if ((rc = rd_u32(c, &t->type, e)) || (rc = rd_u64(c, &t->offset, e)))
        return rc;
    return check_shape(t, i, e);
}

/* Tensor names are unique, and each tensor sits where llama.cpp expects
 * it: right after the previous one's padded end, which rules out overlap
 * and holes; and wholly inside the file. */
static int place_tensors(gguf_file *g, osafe_err *e)
{
    uint64_t expect = 0, avail = g->len - g->data_off;
    for (size_t i = 0; i < g->n_tensors; i++) {
        gguf_tensor *t = &g->tensors[i];
        for (size_t j = 0; j < i; j++)
            if (strcmp(g->tensors[j].name, t->name) == 0)
                return osafe_errf(e, OSAFE_ECORRUPT,
                                  "GGUF tensor %zu repeats the name '%s'", i,
                                  t->name);
        if (t->offset != expect)
            return osafe_errf(e, OSAFE_ECORRUPT,
                              "GGUF tensor %zu '%s': data offset %llu, "
                              "expected %llu (aligned to %u, after the "
                              "previous tensor)",
                              i, t->name, (unsigned long long)t->offset,
                              (unsigned long long)expect,
                              (unsigned)g->alignment);
        if (t->size > avail || t->offset > avail - t->size)
            return osafe_errf(e, OSAFE_ECORRUPT,
                              "GGUF tensor %zu '%s': %llu bytes at data "
                              "offset %llu run past the end of the file "
                              "(%llu data bytes)",
                              i, t->name, (unsigned long long)t->size,
                              (unsigned long long)t->offset,
                              (unsigned long long)avail);
        t->data = g->base + g->data_off + t->offset;
        uint64_t end = t->offset + t->size;
        uint64_t pad = (g->alignment - end % g->alignment) % g->alignment;
        expect = end + pad; /* end <= avail < 2^63: no overflow */
    }
    return 0;
}

static int read_alignment(gguf_file *g, osafe_err *e)
{
    g->alignment = 32;
    const gguf_kv *kv = gguf_find(g, "general.alignment");
    if (!kv)
        return 0;
    if (kv->type != GGUF_VT_U32)
        return osafe_errf(e, OSAFE_ECORRUPT,
                          "GGUF general.alignment is a %s, not a u32",
                          gguf_vtype_name(kv->type));
    uint64_t a = kv->v.num.u;
    if (a == 0 || (a & (a - 1)) || a > OSAFE_GGUF_ALIGN_MAX)
        return osafe_errf(e, OSAFE_ECORRUPT,
                          "GGUF general.alignment %llu is not a power of "
                          "two up to %u",
                          (unsigned long long)a, OSAFE_GGUF_ALIGN_MAX);
    g->alignment = (uint32_t)a;
    return 0;
}

static int read_header(gguf_file *g, cur *c, uint64_t *n_t, uint64_t *n_kv,
                       osafe_err *e)
{
    uint8_t magic[4];
    int rc;
    snprintf(c->where, sizeof c->where, "header");
    if ((rc = rd_bytes(c, magic, 4, e)))
        return rc;
    if (memcmp(magic, "GGUF", 4) != 0)
        return osafe_errf(e, OSAFE_ECORRUPT,
                          "not a GGUF file (the magic is not \"GGUF\")");
    if ((rc = rd_u32(c, &g->version, e)))
        return rc;
    if (g->version != 2 && g->version != 3)
        return osafe_errf(e, OSAFE_EUNSUPPORTED,
                          "GGUF version %u is not supported (2 and 3 are)",
                          (unsigned)g->version);
    if ((rc = rd_u64(c, n_t, e)) || (rc = rd_u64(c, n_kv, e)))
        return rc;
    if (*n_t > OSAFE_GGUF_TENSORS_MAX)
        return osafe_errf(e, OSAFE_ETOOBIG,
                          "GGUF header: %llu tensors (at most %u)",
                          (unsigned long long)*n_t, OSAFE_GGUF_TENSORS_MAX);
    if (*n_kv > OSAFE_GGUF_KV_MAX)
        return osafe_errf(e, OSAFE_ETOOBIG,
                          "GGUF header: %llu metadata entries (at most %u)",
                          (unsigned long long)*n_kv, OSAFE_GGUF_KV_MAX);
    /* The smallest entry is a key length, a key byte, a type and a u8;
     * the smallest tensor info 8+1+4+8+4+8 bytes. */
    uint64_t left = c->len - c->pos;
    if (*n_kv * 14 > left || *n_t * 33 > left - (*n_kv * 14))
        return osafe_errf(e, OSAFE_ECORRUPT,
                          "GGUF header: %llu tensors and %llu metadata "
                          "entries cannot fit in the %llu bytes left",
                          (unsigned long long)*n_t,
                          (unsigned long long)*n_kv,
                          (unsigned long long)left);
    return 0;
}

static int parse(gguf_file *g, osafe_err *e)
{
    cur c = {.p = g->base, .pos = 0, .len = g->len, .where = ""};
    uint64_t n_t = 0, n_kv = 0;
    int rc = read_header(g, &c, &n_t, &n_kv, e);
    if (rc)
        return rc;
    g->kv = calloc(n_kv ? n_kv : 1, sizeof *g->kv);
    g->tensors = calloc(n_t ? n_t : 1, sizeof *g->tensors);
    if (!g->kv || !g->tensors)
        return osafe_errf(e, OSAFE_ENOMEM, "GGUF: out of memory");
    g->n_kv = (size_t)n_kv;
    if ((rc = read_kvs(g, &c, e)) || (rc = read_alignment(g, e)))
        return rc;
    g->n_tensors = (size_t)n_t;
    for (size_t i = 0; i < g->n_tensors; i++)
        if ((rc = read_tensor_info(&c, &g->tensors[i], i, e)))
            return rc;
    uint64_t a = g->alignment;
    uint64_t pad = (a - c.pos % a) % a;
    g->data_off = c.pos + pad;
    if (g->data_off > g->len) {
        if (g->n_tensors)
            return osafe_errf(e, OSAFE_ECORRUPT,
                              "GGUF truncated: the data section would start "
                              "at %llu, past the end (%llu bytes)",
                              (unsigned long long)g->data_off,
                              (unsigned long long)g->len);
        g->data_off = g->len;
    }
    return place_tensors(g, e);
}

int gguf_parse(const void *data, size_t len, gguf_file **out, osafe_err *e)
{
    *out = NULL;
    gguf_file *g = calloc(1, sizeof *g);
    if (!g)
        return osafe_errf(e, OSAFE_ENOMEM, "GGUF: out of memory");
    g->base = data;
    g->len = len;
    int rc = parse(g, e);
    if (rc) {
        gguf_close(g);
        return rc;
    }
    *out = g;
    return 0;
}

int gguf_open(const char *path, gguf_file **out, osafe_err *e)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return osafe_errno(e, OSAFE_EIO, errno, "%s", path);
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int err = errno;
        close(fd);
        return osafe_errno(e, OSAFE_EIO, err, "%s", path);
    }
    if (!S_ISREG(st.st_mode) || st.st_size <= 0 ||
        (uint64_t)st.st_size > SIZE_MAX) {
        close(fd);
        return osafe_errf(e, OSAFE_EINVAL,
                          "%s: not a regular, non-empty file", path);
    }
    size_t n = (size_t)st.st_size;
    void *m = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
    int err = errno;
    close(fd);
    if (m == MAP_FAILED)
        return osafe_errno(e, OSAFE_EIO, err, "%s: mmap", path);
    gguf_file *g;
    int rc = gguf_parse(m, n, &g, e);
    if (rc) {
        munmap(m, n);
        char msg[OSAFE_ERR_MAX];
        snprintf(msg, sizeof msg, "%s", e ? e->msg : "");
        return osafe_errf(e, rc, "%s: %s", path, msg);
    }
    g->map = m;
    g->map_len = n;
    *out = g;
    return 0;
}

void gguf_close(gguf_file *g)
{
    if (!g)
        return;
    for (size_t i = 0; g->kv && i < g->n_kv; i++)
        if (g->kv[i].type == GGUF_VT_ARRAY)
            free(g->kv[i].v.arr.strs);
    free(g->kv);
    free(g->tensors);
    if (g->map)
        munmap(g->map, g->map_len);
    free(g);
}
