/*
 * gguf_int.h - the parsed file, shared by gguf.c (the parser) and
 * gguf_get.c (lookups).  Private to infer/.
 */
#ifndef OSAFE_INFER_GGUF_INT_H
#define OSAFE_INFER_GGUF_INT_H

#include "infer/gguf.h"

struct gguf_file {
    const uint8_t *base;
    uint64_t len;
    void *map; /* our mapping (gguf_open), or NULL for borrowed memory */
    size_t map_len;
    uint32_t version;
    uint32_t alignment;
    uint64_t data_off;
    size_t n_kv;
    gguf_kv *kv;      /* owned */
    size_t n_tensors;
    gguf_tensor *tensors; /* owned */
};

#endif
