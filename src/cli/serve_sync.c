/*
 * serve_sync.c - `osafe serve --sync-interval S`: a thread that pulls from
 * every active peer (src/federation/) every S seconds, on its own database
 * connection.  Each outcome is in the peer's row (`osafe peer list`); a
 * failure is also one line on standard error.  A peer that keeps failing
 * (down, unreachable) is tried less and less often (fed_down_wait_s), so
 * that a node with many peers does not spend its intervals waiting on
 * one that is gone; one success brings it back to every interval.
 */
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "federation/federation.h"
#include "store/store.h"

/* A peer's failures in a row, in memory: a restart tries every peer. */
struct down {
    char url[512];
    unsigned fails;
    time_t next; /* CLOCK_MONOTONIC seconds */
};

struct serve_sync {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
    unsigned interval;
    fed_sync_opts opts;
    /* the witness policy's keys (opts.w points here): a copy, so that the
     * caller's may go */
    tlog_verifier w[OSAFE_WITNESS_MAX];
    osafe_store *s;
    struct down *down;
    size_t ndown;
};

static time_t mono_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec;
}

/* The entry of url (made if absent; NULL when out of memory: the peer is
 * then tried every interval). */
static struct down *down_of(struct serve_sync *ss, const char *url)
{
    for (size_t i = 0; i < ss->ndown; i++)
        if (!strcmp(ss->down[i].url, url))
            return &ss->down[i];
    struct down *d = realloc(ss->down, (ss->ndown + 1) * sizeof *d);
    if (!d)
        return NULL;
    ss->down = d;
    d = &ss->down[ss->ndown++];
    memset(d, 0, sizeof *d);
    snprintf(d->url, sizeof d->url, "%s", url);
    return d;
}

static void sync_peer(struct serve_sync *ss, const store_peer *p)
{
    struct down *d = down_of(ss, p->url);
    if (d && d->fails && mono_s() < d->next)
        return; /* still backing off; `peer list` shows its last error */
    osafe_err e;
    fed_sync_stats st;
    int rc = fed_sync_with(ss->s, p->url, &ss->opts, &st, &e);
    if (rc)
        fprintf(stderr, "osafe serve: peer sync: %s: %s\n", p->url, e.msg);
    if (st.gossip_split)
        fprintf(stderr, "osafe serve: peer sync: %s: its gossip showed %llu "
                        "split view(s) of other peers' logs; they are "
                        "frozen\n",
                p->url, (unsigned long long)st.gossip_split);
    if (!d)
        return;
    /* A split view freezes the peer: it waits for its operator, not for
     * a backoff. */
    d->fails = rc && !st.split ? d->fails + 1 : 0;
    if (d->fails) {
        unsigned w = fed_down_wait_s(ss->interval, d->fails - 1,
                                     randombytes_random());
        d->next = mono_s() + (time_t)w;
        if (w > ss->interval)
            fprintf(stderr, "osafe serve: peer sync: %s failed %u times in "
                            "a row; next try in %u s\n",
                    p->url, d->fails, w);
    }
}

static void pull_all(struct serve_sync *ss)
{
    osafe_err e;
    store_peer *p;
    size_t n;
    if (ss->s->ops->peer_list(ss->s, &p, &n, &e) != 0) {
        fprintf(stderr, "osafe serve: peer sync: %s\n", e.msg);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        pthread_mutex_lock(&ss->mu);
        int stop = ss->stop;
        pthread_mutex_unlock(&ss->mu);
        /* A frozen peer waits for its operator: nothing to report again. */
        if (!stop && strcmp(p[i].state, "frozen"))
            sync_peer(ss, &p[i]);
        store_peer_release(&p[i]);
    }
    free(p);
}

static void *run(void *arg)
{
    struct serve_sync *ss = arg;
    pthread_mutex_lock(&ss->mu);
    while (!ss->stop) {
        pthread_mutex_unlock(&ss->mu);
        pull_all(ss);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += ss->interval;
        pthread_mutex_lock(&ss->mu);
        while (!ss->stop &&
               pthread_cond_timedwait(&ss->cv, &ss->mu, &until) != ETIMEDOUT)
            ;
    }
    pthread_mutex_unlock(&ss->mu);
    return NULL;
}

int serve_sync_start(const char *db, unsigned interval, struct serve_sync **out,
                     osafe_err *e)
{
    return serve_sync_start_rate(db, interval, 0, out, e);
}

int serve_sync_start_rate(const char *db, unsigned interval, unsigned rate,
                          struct serve_sync **out, osafe_err *e)
{
    fed_sync_opts o = {rate, -1, NULL, 0, 0};
    return serve_sync_start_with(db, interval, &o, out, e);
}

int serve_sync_start_with(const char *db, unsigned interval,
                          const fed_sync_opts *o, struct serve_sync **out,
                          osafe_err *e)
{
    *out = NULL;
    if (o->nw > OSAFE_WITNESS_MAX || o->quorum > o->nw)
        return osafe_errf(e, OSAFE_EINVAL, "a witness policy of %zu of %zu "
                                           "keys (at most %u)",
                          o->quorum, o->nw, OSAFE_WITNESS_MAX);
    struct serve_sync *ss = calloc(1, sizeof *ss);
    if (!ss)
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    ss->interval = interval;
    ss->opts = *o;
    if (o->nw)
        memcpy(ss->w, o->w, o->nw * sizeof *ss->w);
    ss->opts.w = o->nw ? ss->w : NULL;
    int rc = store_open(db, &ss->s, e);
    if (rc) {
        free(ss);
        return rc;
    }
    pthread_mutex_init(&ss->mu, NULL);
    pthread_cond_init(&ss->cv, NULL);
    if (pthread_create(&ss->th, NULL, run, ss) != 0) {
        ss->s->ops->close(ss->s);
        pthread_mutex_destroy(&ss->mu);
        pthread_cond_destroy(&ss->cv);
        free(ss);
        return osafe_errf(e, OSAFE_ENOMEM, "cannot start the sync thread");
    }
    *out = ss;
    return 0;
}

void serve_sync_stop(struct serve_sync *ss)
{
    if (!ss)
        return;
    pthread_mutex_lock(&ss->mu);
    ss->stop = 1;
    pthread_cond_signal(&ss->cv);
    pthread_mutex_unlock(&ss->mu);
    /* A pull in flight finishes its current peer (each request is bounded
     * by OSAFE_PEER_HTTP_TIMEOUT_MS) and commits what it verified. */
    pthread_join(ss->th, NULL);
    ss->s->ops->close(ss->s);
    pthread_mutex_destroy(&ss->mu);
    pthread_cond_destroy(&ss->cv);
    free(ss->down);
    free(ss);
}
