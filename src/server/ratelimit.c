/*
 * ratelimit.c - token buckets per key (see ratelimit.h).
 *
 * Open addressing would need deletions; the table is small (thousands of
 * slots) and a take is rare next to the work it guards (a write with an
 * fsync, a ranking), so a linear scan under one mutex is fast enough and
 * has no worst case a hostile key can provoke.
 */
#include "server/ratelimit.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define KEY_MAX 72 /* "acct:<int64>" or "ip:<IPv6 text>" fit */

struct bucket {
    char key[KEY_MAX]; /* "" = free */
    double tokens;
    double seen; /* last refill */
};

struct ratelimit {
    pthread_mutex_t mu;
    double rate; /* tokens per second */
    double cap;
    size_t n;
    struct bucket *b;
};

int ratelimit_new(unsigned per_minute, size_t max_keys, ratelimit **out,
                  osafe_err *e)
{
    *out = NULL;
    if (per_minute == 0 || max_keys == 0)
        return 0; /* everything passes */
    ratelimit *rl = calloc(1, sizeof *rl);
    if (!rl || !(rl->b = calloc(max_keys, sizeof *rl->b)) ||
        pthread_mutex_init(&rl->mu, NULL) != 0) {
        if (rl)
            free(rl->b);
        free(rl);
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory (rate limits)");
    }
    rl->rate = per_minute / 60.0;
    rl->cap = per_minute;
    rl->n = max_keys;
    *out = rl;
    return 0;
}

void ratelimit_free(ratelimit *rl)
{
    if (!rl)
        return;
    pthread_mutex_destroy(&rl->mu);
    free(rl->b);
    free(rl);
}

double ratelimit_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void refill(const ratelimit *rl, struct bucket *b, double now)
{
    if (now > b->seen)
        b->tokens = fmin(rl->cap, b->tokens + (now - b->seen) * rl->rate);
    b->seen = now;
}

/* The key's bucket, or the slot to give it: free, full again, or idle
 * the longest. */
static struct bucket *slot(ratelimit *rl, const char *key, double now)
{
    struct bucket *pick = NULL;
    for (size_t i = 0; i < rl->n; i++) {
        struct bucket *b = &rl->b[i];
        if (b->key[0] && !strcmp(b->key, key))
            return b;
        if (pick && !pick->key[0])
            continue;
        if (!b->key[0] ||
            (now - b->seen) * rl->rate + b->tokens >= rl->cap ||
            !pick || b->seen < pick->seen)
            pick = b;
    }
    if (!pick) /* max_keys >= 1, so never: for the compiler */
        pick = &rl->b[0];
    snprintf(pick->key, sizeof pick->key, "%s", key);
    pick->tokens = rl->cap;
    pick->seen = now;
    return pick;
}

unsigned ratelimit_take(ratelimit *rl, const char *key, double now)
{
    if (!rl)
        return 0;
    pthread_mutex_lock(&rl->mu);
    struct bucket *b = slot(rl, key, now);
    refill(rl, b, now);
    unsigned wait = 0;
    if (b->tokens >= 1) {
        b->tokens -= 1;
    } else {
        wait = (unsigned)ceil((1 - b->tokens) / rl->rate - 1e-6);
        if (wait < 1) /* a hair short of a token */
            wait = 1;
    }
    pthread_mutex_unlock(&rl->mu);
    return wait;
}
