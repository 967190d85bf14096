/*
 * serve_sync.c - `osafe serve --sync-interval S`: a thread that pulls from
 * every active peer (src/federation/) every S seconds, on its own database
 * connection.  Each outcome is in the peer's row (`osafe peer list`); a
 * failure is also one line on standard error.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "federation/federation.h"
#include "store/store.h"

struct serve_sync {
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int stop;
    unsigned interval;
    osafe_store *s;
};

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
        fed_sync_stats st;
        /* A frozen peer waits for its operator: nothing to report again. */
        if (!stop && strcmp(p[i].state, "frozen") &&
            fed_sync(ss->s, p[i].url, &st, &e) != 0)
            fprintf(stderr, "osafe serve: peer sync: %s: %s\n", p[i].url,
                    e.msg);
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
    *out = NULL;
    struct serve_sync *ss = calloc(1, sizeof *ss);
    if (!ss)
        return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    ss->interval = interval;
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
    free(ss);
}
