/*
 * status.h - the one error convention of osafe.
 *
 * Every fallible function returns an int: 0 (OSAFE_OK) on success or a
 * negative OSAFE_E* code.  When it fails it also writes a one-line,
 * human-readable message into an osafe_err the caller owns (the message names
 * the problem: which file, which index, which field).  Callers may pass NULL
 * when they do not want the message.  Library code never prints and never
 * exits; only src/cli/ decides what reaches the user.
 */
#ifndef OSAFE_CORE_STATUS_H
#define OSAFE_CORE_STATUS_H

#include <stddef.h>

/*
 * Marks a function whose status must be looked at: a discarded status is
 * how an error vanishes.  Where a result is deliberately dropped, the
 * caller says why in a comment and casts to void (GCC still warns on a
 * plain (void) cast, so such calls use OSAFE_IGNORE).
 */
#define OSAFE_MUST_USE __attribute__((warn_unused_result))
/* Drop a status on purpose (after a comment saying why). */
#define OSAFE_IGNORE(expr) do { if (expr) { } } while (0)

/* X-macro: name, value, short description. */
#define OSAFE_STATUS_MAP(X)                                              \
    X(OK, 0, "ok")                                                       \
    X(EINVAL, -1, "invalid argument or input")                           \
    X(ENOMEM, -2, "out of memory")                                       \
    X(EIO, -3, "input/output error")                                     \
    X(ENOTFOUND, -4, "not found")                                        \
    X(ECORRUPT, -5, "corrupt data")                                      \
    X(EVERIFY, -6, "verification failed")                                \
    X(ELOCKED, -7, "locked by another process")                          \
    X(ETOOBIG, -8, "too large")                                          \
    X(EEXIST, -9, "already exists")                                      \
    X(ESTATE, -10, "operation not allowed in this state")              \
    X(EAUTH, -11, "authentication required")                          \
    X(EPERM, -12, "permission denied")                                \
    X(EUNSUPPORTED, -13, "unsupported media type")

enum osafe_status {
#define OSAFE_X(name, val, desc) OSAFE_##name = val,
    OSAFE_STATUS_MAP(OSAFE_X)
#undef OSAFE_X
};

#define OSAFE_ERR_MAX 512

typedef struct osafe_err {
    int code;
    char msg[OSAFE_ERR_MAX];
    char field[96]; /* the input field at fault ("title.text"), or "" */
} osafe_err;

/* Short description of a status code ("corrupt data"); never NULL. */
const char *osafe_strerror(int code);

/*
 * Record an error: formats the message into *e (if e is non-NULL) and returns
 * code, so that callers can write `return osafe_errf(e, OSAFE_EIO, ...)`.
 */
int osafe_errf(osafe_err *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Like osafe_errf, also naming the input field at fault. */
int osafe_err_field(osafe_err *e, int code, const char *field,
                    const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Like osafe_errf, appending ": strerror(errno_value)". */
int osafe_errno(osafe_err *e, int code, int errno_value, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * A broken invariant: a bug in osafe, never bad input (bad input is an
 * OSAFE_E* status with a message).  Prints "osafe: BUG: file:line: message"
 * to stderr and aborts: going on with a state the code believes impossible
 * could write wrong data into the registry or the log.  The one place where
 * library code prints, because no caller is left to tell.
 */
#define OSAFE_BUG(...) osafe_bug(__FILE__, __LINE__, __VA_ARGS__)
_Noreturn void osafe_bug(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Prefix an already recorded message with more context
 * ("log /x: " + "tile/0/000: short read").  Returns e->code.
 */
int osafe_errprefix(osafe_err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
