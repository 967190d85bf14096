/*
 * buf.h - a growable byte buffer with a ceiling.
 *
 * Invariants: b->data is NULL only while b->cap == 0; when data is non-NULL
 * it is always NUL-terminated at b->len (so text can be used as a C string),
 * and the terminator is not counted in len.  Growth past b->max fails with
 * OSAFE_ETOOBIG instead of allocating: every buffer fed by outside input has
 * a named ceiling (core/limits.h).
 *
 * Ownership: the buffer owns data; buf_release frees it, buf_detach hands
 * it to the caller (who frees it with free()).
 */
#ifndef OSAFE_CORE_BUF_H
#define OSAFE_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef struct osafe_buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max; /* 0 means SIZE_MAX / 2 */
} osafe_buf;

#define OSAFE_BUF_INIT {NULL, 0, 0, 0}

void buf_init(osafe_buf *b, size_t max);
void buf_release(osafe_buf *b);
/* Keep the allocation, forget the content. */
void buf_reset(osafe_buf *b);
/* Make room for n more bytes.  0, OSAFE_ENOMEM or OSAFE_ETOOBIG. */
int buf_reserve(osafe_buf *b, size_t n);
int buf_append(osafe_buf *b, const void *p, size_t n);
int buf_puts(osafe_buf *b, const char *s);
int buf_putc(osafe_buf *b, char c);
int buf_printf(osafe_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int buf_vprintf(osafe_buf *b, const char *fmt, va_list ap);
/* Take the data (caller frees); the buffer is left empty and reusable. */
char *buf_detach(osafe_buf *b, size_t *len);

#endif
