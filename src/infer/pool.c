/*
 * pool.c - the worker threads of the forward pass (pool.h).  One job at a
 * time: the caller publishes it under the mutex with a new generation
 * number, every worker takes its range, the last one to finish wakes the
 * caller.  Condition variables rather than spinning: the machine this
 * runs on may have fewer cores than threads asked for.
 */
#include "infer/pool.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "core/limits.h"

struct infer_pool {
    unsigned n;
    pthread_t *threads;
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    unsigned long gen;
    unsigned pending;
    int stop;
    infer_task fn;
    void *arg;
    size_t items;
};

typedef struct worker {
    infer_pool *p;
    unsigned index;
} worker;

static void range(size_t n, unsigned parts, unsigned i, size_t *b, size_t *e)
{
    *b = n * i / parts;
    *e = n * (i + 1) / parts;
}

static void *work(void *a)
{
    worker *w = a;
    infer_pool *p = w->p;
    unsigned long seen = 0;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        while (!p->stop && p->gen == seen)
            pthread_cond_wait(&p->go, &p->mu);
        if (p->stop) {
            pthread_mutex_unlock(&p->mu);
            break;
        }
        seen = p->gen;
        infer_task fn = p->fn;
        void *arg = p->arg;
        size_t b, e;
        range(p->items, p->n, w->index, &b, &e);
        pthread_mutex_unlock(&p->mu);
        if (b < e)
            fn(arg, b, e);
        pthread_mutex_lock(&p->mu);
        if (--p->pending == 0)
            pthread_cond_signal(&p->done);
        pthread_mutex_unlock(&p->mu);
    }
    free(w);
    return NULL;
}

int infer_pool_new(unsigned n_threads, infer_pool **out, osafe_err *e)
{
    *out = NULL;
    if (n_threads == 0 || n_threads > OSAFE_INFER_THREADS_MAX)
        return osafe_errf(e, OSAFE_EINVAL, "threads: %u (1 to %u)",
                          n_threads, OSAFE_INFER_THREADS_MAX);
    infer_pool *p = calloc(1, sizeof *p);
    if (!p || !(p->threads = calloc(n_threads, sizeof *p->threads))) {
        free(p);
        return osafe_errf(e, OSAFE_ENOMEM, "thread pool: out of memory");
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->go, NULL);
    pthread_cond_init(&p->done, NULL);
    p->n = 1;
    for (unsigned i = 1; i < n_threads; i++) {
        worker *w = malloc(sizeof *w);
        int rc = w ? 0 : ENOMEM;
        if (w) {
            w->p = p;
            w->index = i;
            rc = pthread_create(&p->threads[i], NULL, work, w);
            if (rc)
                free(w);
        }
        if (rc) {
            infer_pool_free(p);
            return osafe_errno(e, OSAFE_ENOMEM, rc, "starting thread %u", i);
        }
        p->n++;
    }
    *out = p;
    return 0;
}

unsigned infer_pool_threads(const infer_pool *p) { return p->n; }

void infer_pool_run(infer_pool *p, infer_task fn, void *arg, size_t n)
{
    size_t b, e;
    if (p->n == 1 || n < 2) {
        fn(arg, 0, n);
        return;
    }
    pthread_mutex_lock(&p->mu);
    p->fn = fn;
    p->arg = arg;
    p->items = n;
    p->pending = p->n - 1;
    p->gen++;
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
    range(n, p->n, 0, &b, &e);
    if (b < e)
        fn(arg, b, e);
    pthread_mutex_lock(&p->mu);
    while (p->pending)
        pthread_cond_wait(&p->done, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

void infer_pool_free(infer_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
    for (unsigned i = 1; i < p->n; i++)
        pthread_join(p->threads[i], NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->go);
    pthread_cond_destroy(&p->done);
    free(p->threads);
    free(p);
}
