/*
 * pool.c - the worker threads of the forward pass (pool.h).  One job at a
 * time: the caller publishes it with a new generation number, every
 * worker takes its range, the last one to finish wakes the caller.
 *
 * A token's forward pass is a few hundred short jobs, a few microseconds
 * apart, so waking sleeping threads for each (a futex call and a
 * scheduler round trip each way) would cost more than the work on
 * small models.  Workers and the caller therefore spin a short while
 * (SPIN_ROUNDS) on the generation and the pending count before they fall
 * back to the condition variables, which they still need: the machine
 * may have fewer cores than threads asked for, and between calls the
 * workers must not burn a core.
 */
#include "infer/pool.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "core/limits.h"

/* Rounds of a pause instruction (some tens of cycles each) spent waiting
 * before sleeping: about the gap between two jobs of one token. */
enum { SPIN_ROUNDS = 5000 };

static void relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

struct infer_pool {
    unsigned n;
    pthread_t *threads;
    pthread_mutex_t mu;
    pthread_cond_t go, done;
    atomic_ulong gen;      /* stored with release after fn, arg, items */
    atomic_uint pending;   /* workers still on the current job */
    atomic_int stop;
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

/* The next generation after seen, or seen when stopping. */
static unsigned long next_gen(infer_pool *p, unsigned long seen)
{
    for (int i = 0; i < SPIN_ROUNDS; i++) {
        unsigned long g = atomic_load_explicit(&p->gen, memory_order_acquire);
        if (g != seen || atomic_load_explicit(&p->stop, memory_order_relaxed))
            return g;
        relax();
    }
    pthread_mutex_lock(&p->mu);
    while (!atomic_load(&p->stop) && atomic_load(&p->gen) == seen)
        pthread_cond_wait(&p->go, &p->mu);
    pthread_mutex_unlock(&p->mu);
    return atomic_load_explicit(&p->gen, memory_order_acquire);
}

static void *work(void *a)
{
    worker *w = a;
    infer_pool *p = w->p;
    unsigned long seen = 0;
    for (;;) {
        seen = next_gen(p, seen);
        if (atomic_load(&p->stop))
            break;
        size_t b, e;
        range(p->items, p->n, w->index, &b, &e);
        if (b < e)
            p->fn(p->arg, b, e);
        if (atomic_fetch_sub_explicit(&p->pending, 1, memory_order_acq_rel) ==
            1) {
            pthread_mutex_lock(&p->mu);
            pthread_cond_signal(&p->done);
            pthread_mutex_unlock(&p->mu);
        }
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
    /* every worker has finished the last job (pending was 0), so nobody
     * reads these while they change */
    p->fn = fn;
    p->arg = arg;
    p->items = n;
    atomic_store_explicit(&p->pending, p->n - 1, memory_order_relaxed);
    pthread_mutex_lock(&p->mu);
    atomic_fetch_add_explicit(&p->gen, 1, memory_order_release);
    pthread_cond_broadcast(&p->go);
    pthread_mutex_unlock(&p->mu);
    range(n, p->n, 0, &b, &e);
    if (b < e)
        fn(arg, b, e);
    for (int i = 0; i < SPIN_ROUNDS; i++) {
        if (atomic_load_explicit(&p->pending, memory_order_acquire) == 0)
            return;
        relax();
    }
    pthread_mutex_lock(&p->mu);
    while (atomic_load_explicit(&p->pending, memory_order_acquire))
        pthread_cond_wait(&p->done, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

void infer_pool_free(infer_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    atomic_store(&p->stop, 1);
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
