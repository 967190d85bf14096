/*
 * test_sequencer.c - group commit (registry/sequencer.c, issue 13):
 * concurrent writes are written in batches, each request still gets its
 * own log index, a request that fails is undone alone, and a batch whose
 * append fails is rolled back whole with every request failed (none is
 * acknowledged).
 *
 * Batches are made deterministic: the first request's work waits until
 * the others are queued behind it, so that they form the next batch.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <pthread.h>
#include <unistd.h>

#include "api_client.h"
#include "core/limits.h"
#include "registry/reg_internal.h"
#include "store/store.h"
#include "tlog/log.h"

static const char record[] =
    "{\"record_type\":\"incident\",\"lang\":\"en\","
    "\"title\":{\"lang\":\"en\",\"text\":\"Group commit test\"},"
    "\"description\":[{\"lang\":\"en\",\"text\":\"Synthetic record for the "
    "sequencer test.\",\"method\":\"human\"}],\"ai_relation\":\"caused\","
    "\"occurred_start\":{\"date\":\"2026-01-02\",\"precision\":\"day\"},"
    "\"countries_occurred\":[\"FR\"],"
    "\"severity\":{\"scale\":\"oecd-2025\",\"level\":\"incident\"},"
    "\"harm_types\":[\"physical\"],\"hazards\":[\"ssh\"],"
    "\"ai_systems\":[{\"kind\":\"model\",\"name\":\"m\"}],"
    "\"references\":[{\"url\":\"https://example.org/r\",\"type\":\"NEWS\"}],"
    "\"submitter\":{\"pseudonym\":\"t\",\"role\":\"researcher\"},"
    "\"tlp\":\"CLEAR\",\"license\":\"CC-BY-4.0\"}";

#define NJOBS 12

struct fx {
    char dir[256], logd[300], vkey[320];
    registry *reg;
    reg_caller rep, rev;
};

static struct fx F;

static void open_fx(struct fx *f)
{
    snprintf(f->dir, sizeof f->dir, "/tmp/osafe-seq-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    char key[320], keydir[300], db[300];
    snprintf(keydir, sizeof keydir, "%s/keys", f->dir);
    snprintf(key, sizeof key, "%s/ex.org_seq.key", keydir);
    snprintf(f->vkey, sizeof f->vkey, "%s/ex.org_seq.vkey", keydir);
    snprintf(f->logd, sizeof f->logd, "%s/log", f->dir);
    snprintf(db, sizeof db, "%s/r.db", f->dir);
    char *gen[] = {(char *)api_osafe(), "key", "generate", "ex.org/seq",
                   "--out", keydir, NULL};
    assert_int_equal(api_run(gen, NULL, NULL), 0);
    char *init[] = {(char *)api_osafe(), "log", "init", f->logd, "--origin",
                    "ex.org/seq", "--key", key, NULL};
    assert_int_equal(api_run(init, NULL, NULL), 0);
    reg_opts o = {db, f->logd, key, "OSAFE", "ex.org/seq", 4};
    osafe_err e;
    if (reg_open(&o, &f->reg, &e))
        fail_msg("%s", e.msg);
    reg_set_batch(f->reg, 64, 0);
    char t1[128], t2[128];
    assert_int_equal(reg_token_create(f->reg, "rep", "reporter", "", t1,
                                      sizeof t1, &e), 0);
    assert_int_equal(reg_token_create(f->reg, "rev", "reviewer", "", t2,
                                      sizeof t2, &e), 0);
    assert_int_equal(reg_auth(f->reg, t1, &f->rep, &e), 0);
    assert_int_equal(reg_auth(f->reg, t2, &f->rev, &e), 0);
}

static void close_fx(struct fx *f)
{
    /* The log verifies against its key after everything the test did. */
    char *verify[] = {(char *)api_osafe(), "log", "verify", f->logd,
                      "--vkey", f->vkey, NULL};
    assert_int_equal(api_run(verify, NULL, NULL), 0);
    reg_close(f->reg);
    api_rmrf(f->dir);
}

static uint64_t log_size(void)
{
    pthread_mutex_lock(&F.reg->log_mu);
    uint64_t n = tlog_log_head(F.reg->log)->size;
    pthread_mutex_unlock(&F.reg->log_mu);
    return n;
}

static int record_exists(const char *id)
{
    char *body = NULL;
    size_t len;
    reg_meta m;
    osafe_err e;
    /* the reporter owns them: drafts are hers to see */
    int rc = reg_get(F.reg, &F.rep, id, 0, &body, &len, &m, &e);
    free(body);
    if (rc && rc != OSAFE_ENOTFOUND)
        fail_msg("get %s: %s", id, e.msg);
    return rc == 0;
}

/* ---- a request of the test's own: a draft row and one log entry ------ */

enum { OK_JOB, FAIL_JOB, STRAY_JOB, BIG_JOB };

struct job {
    int n, kind, rc;
    int strayed; /* STRAY_JOB: how many times the other writer appended */
    int runs;    /* how many times the sequencer ran this job's work */
    char id[32];
    int64_t index;
    osafe_err e;
};

static int job_work(registry *r, osafe_store *s, reg__seq_batch *b,
                    void *arg, osafe_err *e)
{
    struct job *j = arg;
    j->runs++;
    if (j->n == 0) {
        /* Hold the first batch until the others queue behind it. */
        for (int waited = 0; waited < 10000; waited++) {
            pthread_mutex_lock(&r->seq_mu);
            unsigned q = r->seq_queued;
            pthread_mutex_unlock(&r->seq_mu);
            if (q == NJOBS - 1)
                break;
            usleep(1000);
        }
    }
    json_t *rec = json_loads(record, 0, NULL);
    int rc = reg__create_locked(r, s, &F.rep, rec, j->id, 1, e);
    json_decref(rec);
    char text[64];
    int len = snprintf(text, sizeof text, "job %d", j->n);
    char *entry = malloc((size_t)len);
    if (!rc && !entry)
        rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    if (!rc) {
        memcpy(entry, text, (size_t)len);
        rc = reg__seq_add(b, entry, (size_t)len, &j->index, e);
    } else {
        free(entry);
    }
    /* A request that fills a batch by itself (an import's size, many
     * times over). */
    for (unsigned k = 1; !rc && j->kind == BIG_JOB &&
                         k < OSAFE_BATCH_ENTRIES_MAX;
         k++) {
        int64_t ignored;
        char *x = malloc(1);
        rc = x ? (*x = 'x', reg__seq_add(b, x, 1, &ignored, e))
               : osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    }
    /* A failure after the row and the entry are made: both must go. */
    if (!rc && j->kind == FAIL_JOB)
        rc = osafe_errf(e, OSAFE_EINVAL, "job %d refused", j->n);
    /* Another writer appends behind the sequencer's back: the batch's
     * append lands at the wrong index and the batch must fail whole.
     * It races each try of the batch (the work runs again when the
     * batch's first try is rolled back). */
    if (!rc && j->kind == STRAY_JOB) {
        int64_t at;
        j->strayed++;
        rc = reg__log_append(r, NULL, "stray", 5, &at, e);
    }
    return rc;
}

static void *job_thread(void *arg)
{
    struct job *j = arg;
    j->rc = reg__seq_run(F.reg, job_work, j, &j->e);
    return NULL;
}

/* Run the jobs: job 0 first, alone; the others once it is writing. */
static void run_jobs(struct job *jobs)
{
    pthread_t t[NJOBS];
    assert_int_equal(pthread_create(&t[0], NULL, job_thread, &jobs[0]), 0);
    for (;;) { /* job 0 leads before the others queue */
        pthread_mutex_lock(&F.reg->seq_mu);
        int leading = F.reg->seq_leader;
        pthread_mutex_unlock(&F.reg->seq_mu);
        if (leading)
            break;
        usleep(200);
    }
    for (int i = 1; i < NJOBS; i++) {
        assert_int_equal(
            pthread_create(&t[i], NULL, job_thread, &jobs[i]), 0);
        /* queue order = i, so that indexes can be checked */
        for (int k = 0; k < 2000; k++) {
            pthread_mutex_lock(&F.reg->seq_mu);
            unsigned q = F.reg->seq_queued;
            pthread_mutex_unlock(&F.reg->seq_mu);
            if (q == (unsigned)i)
                break;
            usleep(200);
        }
    }
    for (int i = 0; i < NJOBS; i++)
        pthread_join(t[i], NULL);
}

static void test_failed_request_undone_alone(void **state)
{
    (void)state;
    open_fx(&F);
    struct job jobs[NJOBS];
    memset(jobs, 0, sizeof jobs);
    for (int i = 0; i < NJOBS; i++) {
        jobs[i].n = i;
        jobs[i].kind = i % 3 == 2 ? FAIL_JOB : OK_JOB; /* 2, 5, 8, 11 */
    jobs[NJOBS - 1].kind = OK_JOB; /* each failure has a successor */
    }
    uint64_t base = log_size(), b0, r0, b1, r1;
    reg_batch_stats(F.reg, &b0, &r0);
    run_jobs(jobs);
    reg_batch_stats(F.reg, &b1, &r1);
    /* Two batches: job 0 alone, then the eleven others together. */
    assert_int_equal(b1 - b0, 2);
    assert_int_equal(r1 - r0, NJOBS);
    int64_t next = (int64_t)base;
    for (int i = 0; i < NJOBS; i++) {
        if (jobs[i].kind == FAIL_JOB) {
            assert_int_equal(jobs[i].rc, OSAFE_EINVAL);
            assert_non_null(strstr(jobs[i].e.msg, "refused"));
            /* Its row is gone, and so is its id: the counter went back
             * with it, and the next request got the same id. */
            assert_int_equal(jobs[i + 1].kind, OK_JOB);
            assert_string_equal(jobs[i].id, jobs[i + 1].id);
            continue;
        }
        if (jobs[i].rc)
            fail_msg("job %d: %s", i, jobs[i].e.msg);
        /* Each its own index, in queue order, with no gap where a failed
         * request's entry was taken out. */
        assert_int_equal(jobs[i].index, next);
        next++;
        assert_true(record_exists(jobs[i].id));
        osafe_buf ent = OSAFE_BUF_INIT;
        osafe_err e;
        pthread_mutex_lock(&F.reg->log_mu);
        int rc = tlog_log_read_entry(F.reg->log, (uint64_t)jobs[i].index,
                                     &ent, &e);
        pthread_mutex_unlock(&F.reg->log_mu);
        assert_int_equal(rc, 0);
        char want[32];
        snprintf(want, sizeof want, "job %d", i);
        assert_int_equal(ent.len, strlen(want));
        assert_memory_equal(ent.data, want, ent.len);
        buf_release(&ent);
    }
    assert_int_equal(log_size(), (uint64_t)next);
    close_fx(&F);
}

static void test_batch_failure_fails_all(void **state)
{
    (void)state;
    open_fx(&F);
    struct job jobs[NJOBS];
    memset(jobs, 0, sizeof jobs);
    for (int i = 0; i < NJOBS; i++)
        jobs[i].n = i;
    jobs[5].kind = STRAY_JOB;
    jobs[7].kind = FAIL_JOB;
    uint64_t base = log_size();
    run_jobs(jobs);
    /* Job 0's batch was written; the second's append met the stray entry
     * at its index and was rolled back whole. */
    assert_int_equal(jobs[0].rc, 0);
    assert_int_equal(jobs[0].index, (int64_t)base);
    assert_true(record_exists(jobs[0].id));
    for (int i = 1; i < NJOBS; i++) {
        if (i == 7) { /* failed on its own, before the batch did */
            assert_int_equal(jobs[i].rc, OSAFE_EINVAL);
            continue;
        }
        if (jobs[i].rc != OSAFE_ESTATE)
            fail_msg("job %d of a failed batch: status %d (%s)", i,
                     jobs[i].rc, jobs[i].e.msg);
        assert_non_null(strstr(jobs[i].e.msg, "log index moved"));
    }
    /* Rolled back whole: job 1's id (the first of the batch) is free. */
    assert_false(record_exists(jobs[1].id));
    /* The batch's first try (no savepoints) stopped at job 7's failure
     * and ran again, each request under a savepoint: the other writer
     * appended during both tries. */
    assert_int_equal(jobs[5].strayed, 2);
    assert_int_equal(jobs[7].runs, 2);
    /* job 0 and the stray entries; none of the failed batch's */
    assert_int_equal(log_size(), base + 3);
    /* The sequencer goes on: the next request lands after the strays. */
    struct job after = {.n = 99, .kind = OK_JOB};
    after.rc = reg__seq_run(F.reg, job_work, &after, &after.e);
    if (after.rc)
        fail_msg("after the failed batch: %s", after.e.msg);
    assert_int_equal(after.index, (int64_t)base + 3);
    close_fx(&F);
}

/* ---- a batch that reaches the log but not the database ------------- */

/* The database goes away between the append and the commit (PostgreSQL
 * restarted under a running serve): the commit fails, the transaction is
 * gone, the process goes on. */
static const struct store_ops *real_ops;
static struct store_ops failing_ops;

static int commit_lost(osafe_store *s, osafe_err *e)
{
    s->ops = real_ops;
    s->ops->rollback(s);
    return osafe_errf(e, OSAFE_EIO, "database: no connection (test)");
}

static int lose_commit_work(registry *r, osafe_store *s, reg__seq_batch *b,
                            void *arg, osafe_err *e)
{
    int rc = job_work(r, s, b, arg, e);
    if (!rc) {
        real_ops = s->ops;
        failing_ops = *real_ops;
        failing_ops.commit = commit_lost;
        s->ops = &failing_ops;
    }
    return rc;
}

static void test_lost_commit_recorded_by_next_batch(void **state)
{
    (void)state;
    open_fx(&F);
    uint64_t base = log_size();
    struct job lost = {.n = 50, .kind = OK_JOB};
    lost.rc = reg__seq_run(F.reg, lose_commit_work, &lost, &lost.e);
    assert_int_equal(lost.rc, OSAFE_EIO); /* not acknowledged */
    assert_false(record_exists(lost.id));
    assert_int_equal(log_size(), base + 1); /* its entry is in the log */
    struct job after = {.n = 51, .kind = OK_JOB};
    after.rc = reg__seq_run(F.reg, job_work, &after, &after.e);
    if (after.rc)
        fail_msg("after the lost commit: %s", after.e.msg);
    assert_int_equal(after.index, (int64_t)base + 1);
    /* The next batch committed past the lost entry, so no reconcile at
     * open would see it: the batch itself recorded it as abandoned. */
    osafe_store *s = reg__store_get(F.reg);
    int64_t idx = -1;
    uint8_t *ent = NULL;
    size_t len = 0;
    osafe_err e;
    int rc = s->ops->log_orphan_get(s, "", 0, &idx, &ent, &len, &e);
    reg__store_put(F.reg, s);
    if (rc)
        fail_msg("the lost batch's entry %llu is not recorded: %s",
                 (unsigned long long)base, e.msg);
    assert_int_equal(idx, (int64_t)base);
    assert_int_equal(len, 6);
    assert_memory_equal(ent, "job 50", 6);
    free(ent);
    close_fx(&F);
}

static void test_full_batch_leaves_the_rest_queued(void **state)
{
    (void)state;
    open_fx(&F);
    struct job jobs[NJOBS];
    memset(jobs, 0, sizeof jobs);
    for (int i = 0; i < NJOBS; i++)
        jobs[i].n = i;
    jobs[1].kind = BIG_JOB;
    uint64_t base = log_size(), b0, r0, b1, r1;
    reg_batch_stats(F.reg, &b0, &r0);
    run_jobs(jobs);
    reg_batch_stats(F.reg, &b1, &r1);
    for (int i = 0; i < NJOBS; i++)
        if (jobs[i].rc)
            fail_msg("job %d: %s", i, jobs[i].e.msg);
    /* job 0; job 1, whose entries filled its batch; then the ten others,
     * still in their order */
    assert_int_equal(b1 - b0, 3);
    assert_int_equal(r1 - r0, NJOBS);
    assert_int_equal(jobs[1].index, (int64_t)base + 1);
    for (int i = 2; i < NJOBS; i++)
        assert_int_equal(jobs[i].index, (int64_t)base + 1 +
                                            OSAFE_BATCH_ENTRIES_MAX + i - 2);
    assert_int_equal(log_size(), base + 1 + OSAFE_BATCH_ENTRIES_MAX +
                                     NJOBS - 2);
    close_fx(&F);
}

/* ---- savepoints only where a request failed --------------------------- */

/* Every pooled connection's savepoints, counted (SQLite's FTS5 flushes its
 * pending terms into a new segment at each one: a savepoint per request
 * was most of a batch's CPU). */
static const struct store_ops *plain_ops;
static struct store_ops counting_ops;
static unsigned savepoints;

static int count_savepoint(osafe_store *s, int op, osafe_err *e)
{
    savepoints++; /* only the sequencer writes: one thread at a time */
    return plain_ops->savepoint(s, op, e);
}

static void count_savepoints(int on)
{
    for (unsigned i = 0; i < F.reg->npool; i++) {
        if (on) {
            plain_ops = F.reg->pool[i]->ops;
            counting_ops = *plain_ops;
            counting_ops.savepoint = count_savepoint;
        }
        F.reg->pool[i]->ops = on ? &counting_ops : plain_ops;
    }
}

static void test_batch_without_savepoints(void **state)
{
    (void)state;
    open_fx(&F);
    count_savepoints(1);
    struct job jobs[NJOBS];
    memset(jobs, 0, sizeof jobs);
    for (int i = 0; i < NJOBS; i++)
        jobs[i].n = i;
    run_jobs(jobs);
    for (int i = 0; i < NJOBS; i++) {
        if (jobs[i].rc)
            fail_msg("job %d: %s", i, jobs[i].e.msg);
        assert_int_equal(jobs[i].runs, 1);
    }
    /* Nobody failed: no savepoint, each request ran once. */
    assert_int_equal(savepoints, 0);
    /* A failure in the batch: its first try is rolled back and every
     * request runs again under its own savepoint; the failed one alone
     * is undone. */
    memset(jobs, 0, sizeof jobs);
    for (int i = 0; i < NJOBS; i++)
        jobs[i].n = i;
    jobs[6].kind = FAIL_JOB;
    run_jobs(jobs);
    assert_int_equal(jobs[6].rc, OSAFE_EINVAL);
    /* its id went back with its row: the next request has it */
    assert_string_equal(jobs[6].id, jobs[7].id);
    for (int i = 1; i < NJOBS; i++) {
        if (i != 6 && jobs[i].rc)
            fail_msg("job %d beside a failed one: %s", i, jobs[i].e.msg);
        assert_int_equal(jobs[i].runs, i <= 6 ? 2 : 1);
        if (i != 6)
            assert_true(record_exists(jobs[i].id));
    }
    assert_int_equal(jobs[7].index, jobs[5].index + 1);
    assert_true(savepoints >= 2 * (NJOBS - 1));
    /* After a batch with a failure the next one is careful (failures
     * come in runs: a second try each time would double their cost);
     * after a careful one without any, plain again. */
    unsigned before = savepoints;
    struct job one = {.n = 90, .kind = OK_JOB};
    one.rc = reg__seq_run(F.reg, job_work, &one, &one.e);
    assert_int_equal(one.rc, 0);
    assert_int_equal(savepoints, before + 2); /* mark, keep */
    struct job two = {.n = 91, .kind = OK_JOB};
    two.rc = reg__seq_run(F.reg, job_work, &two, &two.e);
    assert_int_equal(two.rc, 0);
    assert_int_equal(savepoints, before + 2);
    count_savepoints(0);
    close_fx(&F);
}

/* ---- the writers a batch answered join the next one -------------------- */

enum { WRITERS = 8, ROUNDS = 8 };

/* A request whose batch takes a while to write (10 ms a request: the
 * fsyncs of a shared disk), and changes nothing. */
static int slow_work(registry *r, osafe_store *s, reg__seq_batch *b,
                     void *arg, osafe_err *e)
{
    (void)r, (void)s, (void)b, (void)arg, (void)e;
    usleep(10000);
    return 0;
}

/* A client: a write, then 5 ms to read the answer and send the next. */
static void *writer_thread(void *arg)
{
    int *rc = arg;
    osafe_err e;
    for (int k = 0; k < ROUNDS && !*rc; k++) {
        *rc = reg__seq_run(F.reg, slow_work, NULL, &e);
        usleep(5000);
    }
    return NULL;
}

static void test_answered_writers_join_next_batch(void **state)
{
    (void)state;
    open_fx(&F);
    reg_set_batch(F.reg, 0, OSAFE_BATCH_WAIT_MS); /* as `osafe serve` */
    uint64_t b0, r0, b1, r1;
    reg_batch_stats(F.reg, &b0, &r0);
    pthread_t t[WRITERS];
    int rc[WRITERS] = {0};
    for (int i = 0; i < WRITERS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, writer_thread, &rc[i]),
                         0);
    for (int i = 0; i < WRITERS; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(rc[i], 0);
    }
    reg_batch_stats(F.reg, &b1, &r1);
    assert_int_equal(r1 - r0, WRITERS * ROUNDS);
    /* A batch closing as soon as the previous one ended splits the
     * writers into two halves that alternate (those answered come back
     * while the others' batch is written): twice the batches, each paying
     * its fsyncs and checkpoint.  Waiting for them (at most half the last
     * batch's time) keeps them together after the first rounds. */
    double mean = (double)(r1 - r0) / (double)(b1 - b0);
    if (mean < 0.75 * WRITERS)
        fail_msg("%llu batches for %d writers x %d rounds: %.1f a batch",
                 (unsigned long long)(b1 - b0), WRITERS, ROUNDS, mean);
    close_fx(&F);
}

/* ---- the registry's own writes: concurrent acceptances ---------------- */

struct accept {
    char id[32];
    int rc;
    int64_t index;
    osafe_err e;
};

static void *accept_thread(void *arg)
{
    struct accept *a = arg;
    char *out = NULL;
    const char body[] = "{\"decision\":\"accept\"}";
    a->rc = reg_review(F.reg, &F.rev, a->id, body, strlen(body), &out, &a->e);
    json_t *j = out ? json_loads(out, 0, NULL) : NULL;
    a->index = j ? json_integer_value(json_object_get(j, "log_index")) : -1;
    json_decref(j);
    free(out);
    return NULL;
}

static void test_concurrent_accepts_own_indexes(void **state)
{
    (void)state;
    open_fx(&F);
    reg_set_batch(F.reg, 64, 20);
    enum { N = 16 };
    struct accept a[N];
    memset(a, 0, sizeof a);
    osafe_err e;
    for (int i = 0; i < N; i++) {
        char *out = NULL;
        if (reg_create(F.reg, &F.rep, record, strlen(record), &out, &e))
            fail_msg("create: %s", e.msg);
        json_t *j = json_loads(out, 0, NULL);
        snprintf(a[i].id, 32, "%s",
                 json_string_value(json_object_get(j, "id")));
        json_decref(j);
        free(out);
        if (reg_submit(F.reg, &F.rep, a[i].id, &out, &e))
            fail_msg("submit: %s", e.msg);
        free(out);
    }
    uint64_t base = log_size(), b0, r0, b1, r1;
    reg_batch_stats(F.reg, &b0, &r0);
    pthread_t t[N];
    for (int i = 0; i < N; i++)
        assert_int_equal(pthread_create(&t[i], NULL, accept_thread, &a[i]),
                         0);
    for (int i = 0; i < N; i++)
        pthread_join(t[i], NULL);
    reg_batch_stats(F.reg, &b1, &r1);
    int seen[N] = {0};
    for (int i = 0; i < N; i++) {
        if (a[i].rc)
            fail_msg("accept %s: %s", a[i].id, a[i].e.msg);
        int64_t k = a[i].index - (int64_t)base;
        assert_true(k >= 0 && k < N);
        assert_int_equal(seen[k]++, 0); /* nobody shares an index */
        /* the proof the registry gives is for the acknowledged index */
        char *proof = NULL;
        if (reg_proof(F.reg, &F.rev, a[i].id, 0, &proof, &e))
            fail_msg("proof %s: %s", a[i].id, e.msg);
        json_t *pj = json_loads(proof, 0, NULL);
        assert_int_equal(json_integer_value(json_object_get(pj, "index")),
                         a[i].index);
        json_decref(pj);
        free(proof);
    }
    assert_int_equal(log_size(), base + N);
    assert_int_equal(r1 - r0, N);
    /* Sixteen writers at once: fewer batches than writes. */
    if (b1 - b0 >= N)
        fail_msg("%llu batches for %d concurrent acceptances: no grouping",
                 (unsigned long long)(b1 - b0), N);
    close_fx(&F);
}

/* Copy the database's files (registry closed) to or from DIR/snap*. */
static void db_files(const char *db, int restore)
{
    static const char *const suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        char live[400], snap[400];
        snprintf(live, sizeof live, "%s%s", db, suffix[i]);
        snprintf(snap, sizeof snap, "%s/snap%s", F.dir, suffix[i]);
        const char *from = restore ? snap : live, *to = restore ? live : snap;
        if (access(from, F_OK) != 0) {
            unlink(to);
            continue;
        }
        size_t n;
        char *data = api_read_file(from, &n);
        api_write_file(to, data, n);
        free(data);
    }
}

/* A batch killed between its append and its commit: the database is put
 * back to before the batch (as if the commit never happened) while the
 * log keeps the batch's entries.  At the next open every one of them is
 * recorded as abandoned, and each retried acceptance takes its own entry
 * back (same index), so that the log holds each version once. */
static void test_batch_killed_before_commit(void **state)
{
    (void)state;
    open_fx(&F);
    enum { N = 8 };
    struct accept a[N];
    memset(a, 0, sizeof a);
    osafe_err e;
    for (int i = 0; i < N; i++) {
        char *out = NULL;
        if (reg_create(F.reg, &F.rep, record, strlen(record), &out, &e))
            fail_msg("create: %s", e.msg);
        json_t *j = json_loads(out, 0, NULL);
        snprintf(a[i].id, 32, "%s",
                 json_string_value(json_object_get(j, "id")));
        json_decref(j);
        free(out);
        if (reg_submit(F.reg, &F.rep, a[i].id, &out, &e))
            fail_msg("submit: %s", e.msg);
        free(out);
    }
    char db[300], key[320];
    snprintf(db, sizeof db, "%s/r.db", F.dir);
    snprintf(key, sizeof key, "%s/keys/ex.org_seq.key", F.dir);
    reg_opts o = {db, F.logd, key, "OSAFE", "ex.org/seq", 4};
    reg_close(F.reg);
    db_files(db, 0);
    if (reg_open(&o, &F.reg, &e))
        fail_msg("%s", e.msg);
    reg_set_batch(F.reg, 64, 20);
    uint64_t base = log_size(), b0, r0, b1, r1;
    reg_batch_stats(F.reg, &b0, &r0);
    pthread_t t[N];
    for (int i = 0; i < N; i++)
        assert_int_equal(pthread_create(&t[i], NULL, accept_thread, &a[i]),
                         0);
    for (int i = 0; i < N; i++)
        pthread_join(t[i], NULL);
    reg_batch_stats(F.reg, &b1, &r1);
    for (int i = 0; i < N; i++)
        if (a[i].rc)
            fail_msg("accept %s: %s", a[i].id, a[i].e.msg);
    assert_true(b1 - b0 < N); /* batches, not one by one */
    assert_int_equal(log_size(), base + N);
    reg_close(F.reg);
    db_files(db, 1); /* the commit never happened */
    if (reg_open(&o, &F.reg, &e))
        fail_msg("%s", e.msg);
    char want[64];
    snprintf(want, sizeof want, "%d log entries of an interrupted run", N);
    if (!strstr(reg_open_warning(F.reg), want))
        fail_msg("at open: '%s', expected '%s...'", reg_open_warning(F.reg),
                 want);
    /* The retries, one by one: each takes its own entry back. */
    for (int i = 0; i < N; i++) {
        int64_t acked = a[i].index;
        accept_thread(&a[i]);
        if (a[i].rc)
            fail_msg("retry %s: %s", a[i].id, a[i].e.msg);
        assert_int_equal(a[i].index, acked);
    }
    assert_int_equal(log_size(), base + N);
    close_fx(&F);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_failed_request_undone_alone),
        cmocka_unit_test(test_batch_failure_fails_all),
        cmocka_unit_test(test_lost_commit_recorded_by_next_batch),
        cmocka_unit_test(test_full_batch_leaves_the_rest_queued),
        cmocka_unit_test(test_batch_without_savepoints),
        cmocka_unit_test(test_answered_writers_join_next_batch),
        cmocka_unit_test(test_concurrent_accepts_own_indexes),
        cmocka_unit_test(test_batch_killed_before_commit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
