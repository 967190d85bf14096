#include "core/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/status.h"

void buf_init(osafe_buf *b, size_t max)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->max = max;
    b->err = 0;
}

void buf_release(osafe_buf *b)
{
    free(b->data);
    buf_init(b, b->max);
}

void buf_reset(osafe_buf *b)
{
    b->len = 0;
    b->err = 0;
    if (b->data)
        b->data[0] = '\0';
}

/* Record the first failure; every later append returns it. */
static int fail(osafe_buf *b, int rc)
{
    if (!b->err)
        b->err = rc;
    return b->err;
}

int buf_status(const osafe_buf *b)
{
    return b->err;
}

int buf_reserve(osafe_buf *b, size_t n)
{
    if (b->err)
        return b->err;
    size_t max = b->max ? b->max : SIZE_MAX / 2;
    if (n > max || b->len > max - n)
        return fail(b, OSAFE_ETOOBIG);
    size_t need = b->len + n + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 4 ? need : cap * 2;
    char *p = realloc(b->data, cap);
    if (!p)
        return fail(b, OSAFE_ENOMEM);
    b->data = p;
    b->cap = cap;
    return 0;
}

int buf_append(osafe_buf *b, const void *p, size_t n)
{
    int rc = buf_reserve(b, n);
    if (rc)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int buf_puts(osafe_buf *b, const char *s)
{
    return buf_append(b, s, strlen(s));
}

int buf_putc(osafe_buf *b, char c)
{
    return buf_append(b, &c, 1);
}

int buf_vprintf(osafe_buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        return fail(b, OSAFE_EINVAL);
    int rc = buf_reserve(b, (size_t)n);
    if (rc)
        return rc;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int buf_printf(osafe_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

char *buf_detach(osafe_buf *b, size_t *len)
{
    char *p = b->data;
    if (len)
        *len = b->len;
    if (!p) {
        p = calloc(1, 1);
    }
    b->data = NULL;
    b->len = b->cap = 0;
    b->err = 0;
    return p;
}
