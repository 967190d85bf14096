/*
 * test_pg_takeover.c - several processes on one PostgreSQL registry (issue
 * 13): they publish in turn into one shared log directory, each batch under
 * the database's write lock; the holder killed with -9 between its append
 * and its commit leaves entries the next holder records as abandoned before
 * appending its own; a process whose log directory is not the shared one
 * is refused.
 *
 * PostgreSQL only (OSAFE_TEST_PG, the ctest fixture "pg"); SKIP without it.
 * "Processes" are registries opened side by side in this one, and a forked
 * child for the one that is killed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "api_client.h"
#include "registry/reg_internal.h"
#include "store/store.h"
#include "tlog/log.h"

static const char record[] =
    "{\"record_type\":\"incident\",\"lang\":\"en\","
    "\"title\":{\"lang\":\"en\",\"text\":\"Takeover test\"},"
    "\"description\":[{\"lang\":\"en\",\"text\":\"Synthetic record for the "
    "takeover test.\",\"method\":\"human\"}],\"ai_relation\":\"caused\","
    "\"occurred_start\":{\"date\":\"2026-01-02\",\"precision\":\"day\"},"
    "\"countries_occurred\":[\"FR\"],"
    "\"severity\":{\"scale\":\"oecd-2025\",\"level\":\"incident\"},"
    "\"harm_types\":[\"physical\"],\"hazards\":[\"ssh\"],"
    "\"ai_systems\":[{\"kind\":\"model\",\"name\":\"m\"}],"
    "\"references\":[{\"url\":\"https://example.org/r\",\"type\":\"NEWS\"}],"
    "\"submitter\":{\"pseudonym\":\"t\",\"role\":\"researcher\"},"
    "\"tlp\":\"CLEAR\",\"license\":\"CC-BY-4.0\"}";

static struct {
    char dir[200], logd[300], key[320], vkey[320], db[300];
    reg_caller rep;
} F;

static registry *open_reg(const char *logd)
{
    reg_opts o = {F.db, logd, F.key, "OSAFE", "ex.org/takeover", 2};
    registry *r = NULL;
    osafe_err e;
    if (reg_open(&o, &r, &e))
        fail_msg("open on %s: %s", logd, e.msg);
    return r;
}

static int setup(void **state)
{
    (void)state;
    snprintf(F.dir, sizeof F.dir, "/tmp/osafe-tko-XXXXXX");
    assert_non_null(mkdtemp(F.dir));
    char keydir[220];
    snprintf(keydir, sizeof keydir, "%s/keys", F.dir);
    snprintf(F.key, sizeof F.key, "%s/ex.org_takeover.key", keydir);
    snprintf(F.vkey, sizeof F.vkey, "%s/ex.org_takeover.vkey", keydir);
    snprintf(F.logd, sizeof F.logd, "%s/log", F.dir);
    api_pg_db(F.dir, F.db, sizeof F.db);
    char *gen[] = {(char *)api_osafe(), "key", "generate", "ex.org/takeover",
                   "--out", keydir, NULL};
    assert_int_equal(api_run(gen, NULL, NULL), 0);
    char *init[] = {(char *)api_osafe(), "log", "init", F.logd, "--origin",
                    "ex.org/takeover", "--key", F.key, NULL};
    assert_int_equal(api_run(init, NULL, NULL), 0);
    registry *r = open_reg(F.logd);
    char t[128];
    osafe_err e;
    assert_int_equal(reg_token_create(r, "rep", "reporter", "", t, sizeof t,
                                      &e), 0);
    assert_int_equal(reg_auth(r, t, &F.rep, &e), 0);
    reg_close(r);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    /* The shared log verifies against its key after everything. */
    char *verify[] = {(char *)api_osafe(), "log", "verify", F.logd, "--vkey",
                      F.vkey, NULL};
    int rc = api_run(verify, NULL, NULL);
    api_rmrf(F.dir);
    return rc ? -1 : 0;
}

/* A request of the test's own: a draft row and one log entry "job N". */
struct job {
    int n;
    char id[32];
    int64_t index;
    osafe_err e;
};

static int job_work(registry *r, osafe_store *s, reg__seq_batch *b,
                    void *arg, osafe_err *e)
{
    struct job *j = arg;
    json_t *rec = json_loads(record, 0, NULL);
    int rc = reg__create_locked(r, s, &F.rep, rec, j->id, 1, e);
    json_decref(rec);
    char text[32];
    int len = snprintf(text, sizeof text, "job %d", j->n);
    char *entry = malloc((size_t)len);
    if (!rc && !entry)
        rc = osafe_errf(e, OSAFE_ENOMEM, "out of memory");
    if (!rc) {
        memcpy(entry, text, (size_t)len);
        rc = reg__seq_add(b, entry, (size_t)len, &j->index, e);
        /* a row holds the index, as every real publication's does */
        if (!rc)
            rc = s->ops->log_extra_put(s, j->index, "test-job", j->id, 0,
                                       text, (size_t)len, e);
    } else {
        free(entry);
    }
    return rc;
}

static int64_t run_job(registry *r, int n)
{
    struct job j = {.n = n};
    if (reg__seq_run(r, job_work, &j, &j.e))
        fail_msg("job %d: %s", n, j.e.msg);
    return j.index;
}

static uint64_t log_size(registry *r)
{
    reg_log_info i;
    osafe_err e;
    if (reg_log_head(r, &i, &e))
        fail_msg("log head: %s", e.msg);
    uint64_t n = i.size;
    reg_log_info_release(&i);
    return n;
}

static int record_exists(registry *r, const char *id)
{
    char *body = NULL;
    size_t len;
    reg_meta m;
    osafe_err e;
    int rc = reg_get(r, &F.rep, id, 0, &body, &len, &m, &e);
    free(body);
    if (rc && rc != OSAFE_ENOTFOUND)
        fail_msg("get %s: %s", id, e.msg);
    return rc == 0;
}

/* Two processes publish in turn: consecutive indexes, and each one's view
 * of the log (head, proofs) includes the other's entries. */
static void test_two_processes_publish_in_turn(void **state)
{
    (void)state;
    registry *a = open_reg(F.logd), *b = open_reg(F.logd);
    uint64_t base = log_size(a);
    for (int i = 0; i < 6; i++)
        assert_int_equal(run_job(i % 2 ? b : a, i), (int64_t)base + i);
    assert_int_equal(log_size(a), base + 6);
    assert_int_equal(log_size(b), base + 6);
    /* a proves the entry b appended last (its view is refreshed) */
    json_t *proof = NULL;
    osafe_err e;
    if (reg__inclusion(a, (int64_t)base + 5, "job 5", 5, &proof, &e))
        fail_msg("a proves b's entry: %s", e.msg);
    assert_int_equal(json_integer_value(json_object_get(proof, "tree_size")),
                     (json_int_t)(base + 6));
    json_decref(proof);
    reg_close(a);
    reg_close(b);
}

/* The sequencer role's holder dies (kill -9) after its batch reached the
 * log, before its commit: PostgreSQL rolls its transaction back and
 * releases the write lock with its connection; the next holder records
 * the dead batch's entry as abandoned, then appends its own after it. */
static const struct store_ops *real_ops;
static struct store_ops dying_ops;

static int commit_dies(osafe_store *s, osafe_err *e)
{
    (void)s;
    (void)e;
    raise(SIGKILL);
    return OSAFE_EIO;
}

static int dying_work(registry *r, osafe_store *s, reg__seq_batch *b,
                      void *arg, osafe_err *e)
{
    int rc = job_work(r, s, b, arg, e);
    real_ops = s->ops;
    dying_ops = *real_ops;
    dying_ops.commit = commit_dies;
    s->ops = &dying_ops;
    return rc;
}

static void test_killed_holder_batch_abandoned(void **state)
{
    (void)state;
    registry *b = open_reg(F.logd);
    uint64_t base = log_size(b);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) { /* the other process, killed mid-batch */
        reg_opts o = {F.db, F.logd, F.key, "OSAFE", "ex.org/takeover", 2};
        registry *a = NULL;
        osafe_err e;
        if (reg_open(&o, &a, &e))
            _exit(2); /* never back into cmocka from the child */
        struct job j = {.n = 50};
        OSAFE_IGNORE(reg__seq_run(a, dying_work, &j, &j.e));
        _exit(3); /* not reached: the commit kills it */
    }
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
    assert_int_equal(log_size(b), base + 1); /* its entry reached the log */

    /* b takes the role: its entry goes after the dead one's */
    struct job j = {.n = 51};
    if (reg__seq_run(b, job_work, &j, &j.e))
        fail_msg("after the kill: %s", j.e.msg);
    assert_int_equal(j.index, (int64_t)base + 1);
    assert_true(record_exists(b, j.id));
    osafe_store *s = reg__store_get(b);
    int64_t idx = -1;
    uint8_t *ent = NULL;
    size_t len = 0;
    osafe_err e;
    int rc = s->ops->log_orphan_get(s, "", 0, &idx, &ent, &len, &e);
    reg__store_put(b, s);
    if (rc)
        fail_msg("the dead batch's entry %llu is not recorded: %s",
                 (unsigned long long)base, e.msg);
    assert_int_equal(idx, (int64_t)base);
    assert_int_equal(len, 6);
    assert_memory_equal(ent, "job 50", 6);
    free(ent);
    /* a process opened now has nothing left to reconcile */
    registry *c = open_reg(F.logd);
    assert_int_equal(reg_log_abandoned(c), 0);
    assert_int_equal(run_job(c, 52), (int64_t)base + 2);
    reg_close(c);
    reg_close(b);
}

/* A process with a log directory of its own on the same database would
 * publish a second log: refused at open, naming the problem. */
static void test_other_log_directory_refused(void **state)
{
    (void)state;
    registry *a = open_reg(F.logd);
    OSAFE_IGNORE(run_job(a, 60)); /* the database knows an entry */
    char other[320];
    snprintf(other, sizeof other, "%s/other", F.dir);
    char *init[] = {(char *)api_osafe(), "log", "init", other, "--origin",
                    "ex.org/takeover", "--key", F.key, NULL};
    assert_int_equal(api_run(init, NULL, NULL), 0);
    reg_opts o = {F.db, other, F.key, "OSAFE", "ex.org/takeover", 2};
    registry *r = NULL;
    osafe_err e;
    assert_int_equal(reg_open(&o, &r, &e), OSAFE_ESTATE);
    assert_null(r);
    assert_non_null(strstr(e.msg, "same log directory"));
    int64_t at = run_job(a, 61);
    assert_int_equal(at, (int64_t)log_size(a) - 1);
    reg_close(a);
}

int main(void)
{
    const char *pg = getenv("OSAFE_TEST_PG");
    if (!pg || !*pg) {
        printf("SKIP: PostgreSQL only (OSAFE_TEST_PG: the ctest fixture "
               "\"pg\", ctest -L pg)\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_processes_publish_in_turn),
        cmocka_unit_test(test_killed_holder_batch_abandoned),
        cmocka_unit_test(test_other_log_directory_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
