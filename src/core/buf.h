/*
 * buf.h - a growable byte buffer with a ceiling.
 *
 * Invariants: b->data is NULL only while b->cap == 0; when data is non-NULL
 * it is always NUL-terminated at b->len (so text can be used as a C string),
 * and the terminator is not counted in len.  Growth past b->max fails with
 * OSAFE_ETOOBIG instead of allocating: every buffer fed by outside input has
 * a named ceiling (core/limits.h).
 *
 * Failure is sticky (as SQLite's mallocFailed): the first failed append
 * records its status in b->err, and every later append fails with it
 * without writing, so a long run of appends can go unchecked and the
 * result is checked once where the output is finished (buf_status).
 * Without this a page or a document over its ceiling would lose a piece in
 * the middle and still look whole.  buf_reset, buf_release and buf_detach
 * clear it.
 *
 * Ownership: the buffer owns data; buf_release frees it, buf_detach hands
 * it to the caller (who frees it with free()).
 */
#ifndef OSAFE_CORE_BUF_H
#define OSAFE_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

typedef struct osafe_buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max; /* 0 means SIZE_MAX / 2 */
    int err;    /* the first failure (sticky), 0 while every append held */
} osafe_buf;

#define OSAFE_BUF_INIT {NULL, 0, 0, 0, 0}

void buf_init(osafe_buf *b, size_t max);
void buf_release(osafe_buf *b);
/* Keep the allocation, forget the content. */
void buf_reset(osafe_buf *b);
/* Make room for n more bytes.  0, OSAFE_ENOMEM or OSAFE_ETOOBIG (or the
 * sticky failure of an earlier call). */
OSAFE_MUST_USE int buf_reserve(osafe_buf *b, size_t n);
OSAFE_MUST_USE int buf_append(osafe_buf *b, const void *p, size_t n);
OSAFE_MUST_USE int buf_puts(osafe_buf *b, const char *s);
OSAFE_MUST_USE int buf_putc(osafe_buf *b, char c);
OSAFE_MUST_USE int buf_printf(osafe_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
OSAFE_MUST_USE int buf_vprintf(osafe_buf *b, const char *fmt, va_list ap);
/* The sticky failure: 0 if every append since the last reset held, else
 * the first failure's status.  Check it once where the output is done. */
OSAFE_MUST_USE int buf_status(const osafe_buf *b);
/* Take the data (caller frees); the buffer is left empty and reusable. */
char *buf_detach(osafe_buf *b, size_t *len);

#endif
