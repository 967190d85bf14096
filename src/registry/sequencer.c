/*
 * sequencer.c - group commit.  Writes that may publish (create, submit,
 * review, imports) do not each pay a SQLite commit, a log append and a
 * signed checkpoint: they queue here, and the first request to find no
 * sequencer at work becomes it (no thread of its own: a request's thread
 * does the work while the others sleep, holding no database connection).
 * It takes up to batch_max queued requests and, on one connection, in one
 * write transaction:
 *   1. runs each request's work under a savepoint; a request that fails
 *      is undone alone (its rows and its entries) and gets its own error,
 *      the others go on;
 *   2. appends every entry of the batch to the log in one durable append
 *      (one fsync round, one signed checkpoint);
 *   3. commits;
 * and only then wakes each request with its own result and log indexes.
 * A failure in 2 or 3 (or a savepoint that cannot be undone) rolls the
 * whole transaction back and fails every request of the batch that had
 * not already failed on its own, with that error: none is acknowledged.
 * A crash between 2 and 3 leaves entries the database does not know,
 * which reconcile.c records as abandoned at the next open and a retry
 * adopts, as for a single publication.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/limits.h"
#include "registry/reg_internal.h"

struct reg__seq_job {
    reg__seq_work fn;
    void *arg;
    osafe_err *e;
    int rc;
    int done;
    struct reg__seq_job *next;
};

void reg__seq_init(registry *r)
{
    pthread_mutex_init(&r->seq_mu, NULL);
    pthread_cond_init(&r->seq_more, NULL);
    pthread_cond_init(&r->seq_done, NULL);
    reg_set_batch(r, 0, 0);
}

void reg_set_batch(registry *r, unsigned batch_max, unsigned wait_ms)
{
    pthread_mutex_lock(&r->seq_mu);
    r->seq_max = batch_max ? batch_max : OSAFE_BATCH_MAX;
    if (r->seq_max > OSAFE_BATCH_MAX_MAX)
        r->seq_max = OSAFE_BATCH_MAX_MAX;
    r->seq_target = r->seq_max;
    r->seq_wait_ms = wait_ms > OSAFE_BATCH_WAIT_MS_MAX
                         ? OSAFE_BATCH_WAIT_MS_MAX
                         : wait_ms;
    pthread_mutex_unlock(&r->seq_mu);
}

void reg__seq_destroy(registry *r)
{
    pthread_mutex_destroy(&r->seq_mu);
    pthread_cond_destroy(&r->seq_more);
    pthread_cond_destroy(&r->seq_done);
}

void reg_batch_stats(registry *r, uint64_t *batches, uint64_t *requests)
{
    pthread_mutex_lock(&r->seq_mu);
    *batches = r->seq_batches;
    *requests = r->seq_requests;
    pthread_mutex_unlock(&r->seq_mu);
}

int64_t reg__seq_next(const reg__seq_batch *b)
{
    return b->base < 0 ? -1 : b->base + (int64_t)b->n;
}

int reg__seq_add(reg__seq_batch *b, void *entry, size_t len, int64_t *index,
                 osafe_err *e)
{
    if (b->base < 0) {
        free(entry);
        return osafe_errf(e, OSAFE_ESTATE,
                          "opened without its transparency log (or it could "
                          "not be reopened): nothing can be published");
    }
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        tlog_entry *g = realloc(b->ents, cap * sizeof *g);
        if (!g) {
            free(entry);
            return osafe_errf(e, OSAFE_ENOMEM, "out of memory");
        }
        b->ents = g;
        b->cap = cap;
    }
    b->ents[b->n].data = entry;
    b->ents[b->n].len = len;
    b->bytes += len;
    *index = reg__seq_next(b);
    b->n++;
    return 0;
}

/* Drop the entries from the n-th on (a failed request's). */
static void batch_truncate(reg__seq_batch *b, size_t n)
{
    while (b->n > n) {
        b->n--;
        b->bytes -= b->ents[b->n].len;
        free((void *)b->ents[b->n].data);
    }
}

/* One request under its savepoint; 0, or a status that fails the whole
 * batch (the request's own failure is in j->rc). */
static int run_one(registry *r, osafe_store *s, reg__seq_batch *b,
                   struct reg__seq_job *j, osafe_err *e)
{
    size_t mark = b->n;
    int rc = s->ops->savepoint(s, STORE_SP_MARK, e);
    if (rc)
        return rc;
    j->rc = j->fn(r, s, b, j->arg, j->e);
    if (!j->rc)
        return s->ops->savepoint(s, STORE_SP_KEEP, e);
    batch_truncate(b, mark);
    return s->ops->savepoint(s, STORE_SP_UNDO, e);
}

/* First thing in a batch's transaction: the entries of batches that
 * reached the log but not the database.  A commit whose answer was lost
 * may have happened: then rows hold those indexes already (the database's
 * highest index reaches them) and there is nothing to record. */
static int record_lost(registry *r, osafe_store *s, osafe_err *e)
{
    if (r->seq_nlost > OSAFE_BATCH_LOST_MAX)
        return osafe_errf(e, OSAFE_ESTATE,
                          "more than %u batches reached the log but not the "
                          "database: restart to reconcile the log's tail",
                          OSAFE_BATCH_LOST_MAX);
    int64_t maxi = -1;
    int rc = s->ops->max_log_index(s, &maxi, e);
    for (unsigned k = 0; !rc && k < r->seq_nlost; k++)
        for (unsigned i = 0; !rc && i < r->seq_lost[k].n; i++) {
            uint64_t at = r->seq_lost[k].first + i;
            if ((int64_t)at > maxi)
                rc = reg__record_abandoned(r, s, at, e);
        }
    return rc;
}

/* Not a status: a request failed in a batch's first try, run without
 * savepoints; the try is rolled back whole and the batch runs again, each
 * request under its own savepoint. */
#define RETRY_CAREFUL 0x7ffd

/* One try of a batch's work in its write transaction: the entries lost
 * by earlier batches, the log's next index, then the jobs from head, up
 * to count of them while the entries stay under OSAFE_BATCH_ENTRIES_MAX /
 * _BYTES_MAX; *ran receives how many ran.  careful: each under a
 * savepoint, a failure undone alone; else none (a savepoint makes SQLite's
 * FTS5 flush its pending terms into a new segment: one per request, then
 * merged, was most of a batch's CPU) and the first failure stops the try
 * with RETRY_CAREFUL. */
static int try_batch(registry *r, osafe_store *s, reg__seq_batch *b,
                     struct reg__seq_job *head, unsigned count, int careful,
                     unsigned *ran, osafe_err *be)
{
    osafe_err ignored;
    int rc = s->ops->begin(s, be);
    /* Without a log only the requests that publish fail, each alone
     * (reg__seq_add refuses their entries). */
    if (!rc && r->seq_nlost)
        rc = record_lost(r, s, be);
    if (!rc && r->log_shared)
        rc = reg__log_next_index(r, s, &b->base, be);
    else if (!rc && reg__log_next_index(r, s, &b->base, &ignored))
        b->base = -1;
    struct reg__seq_job *j = head;
    for (*ran = 0; *ran < count && !rc && b->n < OSAFE_BATCH_ENTRIES_MAX &&
                   b->bytes < OSAFE_BATCH_BYTES_MAX;
         (*ran)++, j = j->next) {
        if (careful)
            rc = run_one(r, s, b, j, be);
        else if ((j->rc = j->fn(r, s, b, j->arg, j->e)) != 0)
            rc = RETRY_CAREFUL;
    }
    return rc;
}

/* The batch's work: a first try without savepoints, unless the last batch
 * had a request fail (then failures are likely, and each would cost the
 * batch a second run); after a failure in it, the careful try.  Returns
 * the status of the batch; *ran as try_batch. */
static int batch_work(registry *r, osafe_store *s, reg__seq_batch *b,
                      struct reg__seq_job *head, unsigned count,
                      unsigned *ran, osafe_err *be)
{
    int careful = r->seq_careful;
    int rc = try_batch(r, s, b, head, count, careful, ran, be);
    if (rc == RETRY_CAREFUL) {
        s->ops->rollback(s);
        batch_truncate(b, 0);
        struct reg__seq_job *j = head;
        for (unsigned i = 0; i < *ran; i++, j = j->next)
            j->rc = REG__SEQ_NOT_RUN;
        careful = 1;
        rc = try_batch(r, s, b, head, count, 1, ran, be);
    }
    /* careful again next time only if a request failed on its own */
    int failed = 0;
    struct reg__seq_job *j = head;
    for (unsigned i = 0; i < *ran; i++, j = j->next)
        failed |= j->rc != 0 && j->rc != REG__SEQ_NOT_RUN;
    r->seq_careful = careful && failed;
    return rc;
}

/* The batch: jobs from head, up to count of them (see try_batch); each
 * job run is given its rc.  Returns how many ran (at least one); the
 * others wait for the next batch. */
static unsigned run_batch(registry *r, struct reg__seq_job *head,
                          unsigned count)
{
    reg__seq_batch b = {0, NULL, 0, 0, 0};
    osafe_err be;
    osafe_store *s = reg__store_get(r);
    unsigned ran;
    int rc = batch_work(r, s, &b, head, count, &ran, &be);
    if (ran == 0) /* begin failed: the first request fails with it */
        ran = 1;
    uint64_t first = 0;
    int appended = 0;
    if (!rc && b.n) {
        rc = reg__log_append_n(r, s, b.ents, b.n, b.base, &first, &be);
        appended = !rc;
        if (!rc && (int64_t)first != b.base)
            rc = osafe_errf(&be, OSAFE_ESTATE,
                            "log index moved under a write transaction "
                            "(%lld, expected %lld): is another process "
                            "appending to %s?",
                            (long long)first, (long long)b.base, r->log_dir);
    }
    if (!rc)
        rc = s->ops->commit(s, &be);
    if (rc)
        s->ops->rollback(s);
    if (!rc)
        r->seq_nlost = 0; /* recorded in this commit */
    else if (appended && r->seq_nlost < OSAFE_BATCH_LOST_MAX) {
        r->seq_lost[r->seq_nlost].first = first;
        r->seq_lost[r->seq_nlost++].n = (unsigned)b.n;
    } else if (appended)
        r->seq_nlost = OSAFE_BATCH_LOST_MAX + 1;
    reg__store_put(r, s);
    batch_truncate(&b, 0);
    free(b.ents);
    struct reg__seq_job *j = head;
    for (unsigned i = 0; i < ran; i++, j = j->next)
        if (rc && (j->rc == 0 || j->rc == REG__SEQ_NOT_RUN)) {
            j->rc = rc;
            if (j->e)
                *j->e = be;
        }
    return ran;
}

static void deadline_in(struct timespec *t, uint64_t us)
{
    clock_gettime(CLOCK_REALTIME, t);
    t->tv_nsec += (long)(us % 1000000u) * 1000L;
    t->tv_sec += (time_t)(us / 1000000u) + t->tv_nsec / 1000000000L;
    t->tv_nsec %= 1000000000L;
}

static uint64_t mono_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000u + (uint64_t)t.tv_nsec / 1000u;
}

/* How long the batch about to close may wait for more requests: only
 * after a shared batch (a lone writer waits for nobody), never longer than
 * --batch-wait-ms nor than half the last batch's write: a batch costs
 * nearly the same whether it holds 30 requests or 60 (its fsyncs and its
 * checkpoint), so merging the writers answered by the last batch (who send
 * their next write at once) into this one instead of the next one halves
 * the batches, while a wait stays a fraction of the write it saves. */
static uint64_t wait_us(const registry *r)
{
    if (!r->seq_wait_ms || r->seq_last <= 1 || r->seq_queued >= r->seq_max)
        return 0;
    uint64_t us = (uint64_t)r->seq_wait_ms * 1000u;
    return us < r->seq_last_us / 2 ? us : r->seq_last_us / 2;
}

/* As the sequencer, under seq_mu: wait for the batch to fill (until the
 * writers of the last round are back, see wait_us), take it off the queue,
 * write it unlocked, then wake its requests. */
static void lead(registry *r)
{
    r->seq_leader = 1;
    /* the last round's writers: those queued when the last batch ended,
     * and those it answered, who may be on their way back */
    unsigned want = r->seq_round < r->seq_max ? r->seq_round : r->seq_max;
    uint64_t us = want > r->seq_queued ? wait_us(r) : 0;
    if (us) {
        r->seq_target = want;
        struct timespec t;
        deadline_in(&t, us);
        while (r->seq_queued < r->seq_target &&
               pthread_cond_timedwait(&r->seq_more, &r->seq_mu, &t) !=
                   ETIMEDOUT)
            ;
        r->seq_target = r->seq_max;
    }
    struct reg__seq_job *head = r->seq_head, *last = head;
    unsigned n = 1;
    while (n < r->seq_max && last->next) {
        last = last->next;
        n++;
    }
    r->seq_head = last->next;
    if (!r->seq_head)
        r->seq_tail = NULL;
    last->next = NULL;
    r->seq_queued -= n;
    pthread_mutex_unlock(&r->seq_mu);
    uint64_t t0 = mono_us();
    unsigned ran = run_batch(r, head, n);
    uint64_t took = mono_us() - t0;
    pthread_mutex_lock(&r->seq_mu);
    r->seq_last_us = took;
    struct reg__seq_job *j = head;
    for (unsigned i = 0; i < ran; i++, j = j->next)
        j->done = 1;
    if (ran < n) { /* the rest go back to the head of the queue, in order */
        for (last = j; last->next; last = last->next)
            ;
        last->next = r->seq_head;
        if (!r->seq_head)
            r->seq_tail = last;
        r->seq_head = j;
        r->seq_queued += n - ran;
    }
    r->seq_batches++;
    r->seq_requests += ran;
    r->seq_last = ran;
    r->seq_round = ran + r->seq_queued;
    r->seq_leader = 0;
    pthread_cond_broadcast(&r->seq_done);
}

int reg__seq_run(registry *r, reg__seq_work fn, void *arg, osafe_err *e)
{
    struct reg__seq_job j = {fn, arg, e, REG__SEQ_NOT_RUN, 0, NULL};
    pthread_mutex_lock(&r->seq_mu);
    if (r->seq_tail)
        r->seq_tail->next = &j;
    else
        r->seq_head = &j;
    r->seq_tail = &j;
    if (++r->seq_queued >= r->seq_target)
        pthread_cond_signal(&r->seq_more);
    while (!j.done) {
        if (!r->seq_leader)
            lead(r);
        else
            pthread_cond_wait(&r->seq_done, &r->seq_mu);
    }
    pthread_mutex_unlock(&r->seq_mu);
    return j.rc;
}
