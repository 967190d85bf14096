/*
 * pool.h - a fixed set of worker threads for the matrix products of the
 * forward pass.
 *
 * infer_pool_run splits [0, n) into one contiguous range per thread (the
 * calling thread takes the first) and returns when all are done.  Work
 * items must be independent (one output row, one attention head): each is
 * computed by the same code whichever thread runs it, so results do not
 * depend on the thread count.
 */
#ifndef OSAFE_INFER_POOL_H
#define OSAFE_INFER_POOL_H

#include <stddef.h>

#include "core/status.h"

typedef struct infer_pool infer_pool;

/* fn(arg, begin, end) computes items [begin, end). */
typedef void (*infer_task)(void *arg, size_t begin, size_t end);

/* n_threads counts the caller: 1 starts no thread.  *out owned by the
 * caller (infer_pool_free). */
int infer_pool_new(unsigned n_threads, infer_pool **out,
                   osafe_err *e) OSAFE_MUST_USE;
void infer_pool_free(infer_pool *p);
unsigned infer_pool_threads(const infer_pool *p);
void infer_pool_run(infer_pool *p, infer_task fn, void *arg, size_t n);

#endif
