#include "core/status.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *osafe_strerror(int code)
{
    switch (code) {
#define OSAFE_X(name, val, desc) \
    case val:                    \
        return desc;
        OSAFE_STATUS_MAP(OSAFE_X)
#undef OSAFE_X
    }
    return "unknown error";
}

/* The one body of osafe_errf and osafe_err_field (field NULL: none). */
__attribute__((format(printf, 4, 0))) static void
err_fill(osafe_err *e, int code, const char *field, const char *fmt, va_list ap)
{
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    e->code = code;
    snprintf(e->field, sizeof e->field, "%s", field ? field : "");
}

int osafe_errf(osafe_err *e, int code, const char *fmt, ...)
{
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        err_fill(e, code, NULL, fmt, ap);
        va_end(ap);
    }
    return code;
}

int osafe_err_field(osafe_err *e, int code, const char *field,
                    const char *fmt, ...)
{
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        err_fill(e, code, field, fmt, ap);
        va_end(ap);
    }
    return code;
}

int osafe_errno(osafe_err *e, int code, int errno_value, const char *fmt, ...)
{
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < sizeof e->msg)
            snprintf(e->msg + n, sizeof e->msg - (size_t)n, ": %s",
                     strerror(errno_value));
        e->code = code;
        e->field[0] = '\0';
    }
    return code;
}

int osafe_errprefix(osafe_err *e, const char *fmt, ...)
{
    if (!e)
        return 0;
    char old[OSAFE_ERR_MAX];
    memcpy(old, e->msg, sizeof old);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n < sizeof e->msg)
        snprintf(e->msg + n, sizeof e->msg - (size_t)n, "%s", old);
    return e->code;
}

void osafe_bug(const char *file, int line, const char *fmt, ...)
{
    char msg[OSAFE_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "osafe: BUG: %s:%d: %s\n", file, line, msg);
    abort();
}
