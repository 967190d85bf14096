/*
 * ratelimit.h - token buckets per key (an account, an address), bounded.
 *
 * Each key owns a bucket of `per_minute` tokens that refills continuously
 * at per_minute per minute: a burst of one minute's worth, then the
 * sustained rate.  The table holds at most `max_keys` buckets; a new key
 * takes a free or full (idle) slot, else the slot idle the longest, so
 * many addresses cannot grow memory (a key evicted this way starts full
 * again, which only errs towards letting a client through).
 *
 * Thread-safe.  Ownership: ratelimit_new's table is the caller's
 * (ratelimit_free).  A NULL table, or per_minute 0, lets everything pass.
 */
#ifndef OSAFE_SERVER_RATELIMIT_H
#define OSAFE_SERVER_RATELIMIT_H

#include <stddef.h>

#include "core/status.h"

typedef struct ratelimit ratelimit;

int ratelimit_new(unsigned per_minute, size_t max_keys, ratelimit **out,
                  osafe_err *e);
void ratelimit_free(ratelimit *rl);

/* Take one token for key at time now (seconds, monotonic): 0 when
 * allowed, else the whole seconds (>= 1) until a token is back, for a
 * Retry-After header. */
unsigned ratelimit_take(ratelimit *rl, const char *key, double now);

/* Monotonic seconds, for `now`. */
double ratelimit_now(void);

#endif
