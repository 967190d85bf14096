/*
 * test_log_reconcile.c - the log's tail after a crash between a log append
 * and the database commit (issue 9 item 15), and no false alarm after an
 * acknowledged withdrawal (issue 10 item 6), through the real binary.
 *
 * The crash is made exactly: with the server stopped, the database is
 * copied while a record is submitted; the record is then accepted (its
 * entry appended and committed); the copy is put back.  The log now holds
 * an entry the database never committed, as if the server had died
 * between the two.  The client's retry must take that entry (same index,
 * same bytes) when the content is the same, and append a new one - the
 * old recorded as abandoned, once - when it cannot be compared.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "api_client.h"
#include "store/store.h"

static api_srv S;
static char tA[128], tRev[128];

static int setup(void **state)
{
    (void)state;
    api_init(&S);
    api_token(&S, "alice", "reporter", "org-a", tA);
    api_token(&S, "rita", "reviewer", NULL, tRev);
    api_start(&S);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    api_fini(&S);
    return 0;
}

/* Copy the database files (server stopped) to or from DIR/snap*. */
/* The same on PostgreSQL (OSAFE_TEST_PG): the database copied to and from
 * a template while no server holds it. */
static void pg_snapshot(int restore)
{
    const char *name = strrchr(S.db, '/') + 1;
    char url[256], sql[3][160];
    snprintf(url, sizeof url, "%.*s/postgres", (int)(name - 1 - S.db), S.db);
    if (restore) {
        snprintf(sql[0], sizeof sql[0], "DROP DATABASE %s", name);
        snprintf(sql[1], sizeof sql[1],
                 "CREATE DATABASE %s TEMPLATE %s_snap", name, name);
        snprintf(sql[2], sizeof sql[2], "DROP DATABASE %s_snap", name);
    } else {
        snprintf(sql[0], sizeof sql[0], "DROP DATABASE IF EXISTS %s_snap",
                 name);
        snprintf(sql[1], sizeof sql[1], "CREATE DATABASE %s_snap TEMPLATE %s",
                 name, name);
        sql[2][0] = 0;
    }
    PGconn *c = PQconnectdb(url);
    for (int i = 0; i < 3 && sql[i][0]; i++) {
        PGresult *r = PQexec(c, sql[i]);
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            fail_msg("%s: %s", sql[i], PQerrorMessage(c));
        PQclear(r);
    }
    PQfinish(c);
}

static void db_files(int restore)
{
    if (store_is_pg(S.db)) {
        pg_snapshot(restore);
        return;
    }
    static const char *const suffix[] = {"", "-wal", "-shm"};
    for (int i = 0; i < 3; i++) {
        char live[256], snap[256];
        snprintf(live, sizeof live, "%s%s", S.db, suffix[i]);
        snprintf(snap, sizeof snap, "%s/snap%s", S.dir, suffix[i]);
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

/* Occurrences of the server's note on recorded abandoned entries. */
static unsigned abandoned_notes(void)
{
    size_t n;
    char *err = api_read_file(S.err, &n);
    unsigned k = 0;
    for (const char *p = err; (p = strstr(p, "recorded as abandoned")); p++)
        k++;
    free(err);
    return k;
}

/* A submitted record of level tlp, accepted, then the database put back
 * to before the acceptance: the crash state.  Returns the orphan index. */
static long long crash_after_append(const char *title, const char *tlp,
                                    char id[32])
{
    json_t *j = api_record(title, NULL);
    json_object_set_new(j, "tlp", json_string(tlp));
    api_create(&S, tA, j, id);
    json_decref(j);
    api_reply r;
    assert_int_equal(api_action(&S, tA, id, "submit", NULL, &r), 200);
    api_reply_release(&r);
    api_stop_clean(&S);
    db_files(0);
    api_start(&S);
    long long i = api_accept(&S, tRev, id);
    assert_int_equal(api_log_size(&S), (uint64_t)i + 1);
    api_stop_clean(&S);
    db_files(1);
    api_start(&S);
    return i;
}

static void test_retry_takes_abandoned_entry(void **state)
{
    (void)state;
    char id[32];
    unsigned notes = abandoned_notes();
    long long i = crash_after_append("Reconcile: the same content", "CLEAR",
                                     id);
    /* The record is still submitted: the acceptance never committed. */
    assert_int_equal(api_get_record(&S, NULL, id, 0, NULL, NULL), 404);
    long long again = api_accept(&S, tRev, id);
    if (again != i)
        fail_msg("the retry was logged again at %lld; entry %lld holds the "
                 "same version",
                 again, i);
    assert_int_equal(api_log_size(&S), (uint64_t)i + 1);
    assert_int_equal(abandoned_notes(), notes + 1);
    char *body;
    size_t n, en;
    assert_int_equal(api_get_record(&S, NULL, id, 0, &body, &n), 200);
    char *ent = api_log_entry(&S, i, &en);
    assert_true(n == en && !memcmp(body, ent, n));
    free(ent);
    free(body);
    /* The proof is of that entry. */
    char path[128];
    snprintf(path, sizeof path, "/api/v1/records/%.31s/proof", id);
    api_reply r;
    api_get(&S, path, NULL, &r);
    API_EXPECT(&r, 200, "proof of the reconciled record");
    json_t *p = api_json(&r);
    assert_int_equal(json_integer_value(json_object_get(p, "index")), i);
    json_decref(p);
    api_reply_release(&r);
    /* Recorded once: a restart finds nothing more. */
    api_stop_clean(&S);
    api_start(&S);
    assert_int_equal(abandoned_notes(), notes + 1);
}

static void test_uncomparable_entry_abandoned(void **state)
{
    (void)state;
    char id[32];
    unsigned notes = abandoned_notes();
    /* A restricted record's entry is a salted commitment: the salt died
     * with the request, so the retry cannot be shown to be the same. */
    long long i = crash_after_append("Reconcile: a restricted record",
                                     "AMBER", id);
    assert_int_equal(abandoned_notes(), notes + 1);
    long long again = api_accept(&S, tRev, id);
    assert_int_equal(again, i + 1);
    assert_int_equal(api_log_size(&S), (uint64_t)i + 2);
    api_stop_clean(&S);
    api_start(&S);
    assert_int_equal(abandoned_notes(), notes + 1);
    char *verify[] = {(char *)api_osafe(), "log", "verify", S.log, "--vkey",
                      S.vkey, NULL};
    assert_int_equal(api_run(verify, NULL, NULL), 0);
}

/* Issue 10 item 6: an acknowledged withdrawal is no interrupted run. */
static void test_withdrawal_not_interrupted(void **state)
{
    (void)state;
    char id[32];
    json_t *j = api_record("Reconcile: withdrawn", NULL);
    api_create(&S, tA, j, id);
    json_decref(j);
    api_publish(&S, tA, tRev, id);
    api_reply r;
    assert_int_equal(api_action(&S, tA, id, "withdraw",
                                "{\"reason\":\"filed twice\"}", &r),
                     200);
    api_reply_release(&r);
    api_stop_clean(&S);

    char csv[256], err[256];
    snprintf(csv, sizeof csv, "%s/one.csv", S.dir);
    snprintf(err, sizeof err, "%s/import.err", S.dir);
    const char *text =
        "id,record_type,lang,title,description,ai_relation,occurred_start,"
        "countries_occurred,severity,harm_types,hazards,ai_systems,"
        "references,aliases,tlp,license\n"
        "r1,incident,en,Reconcile import,A record imported after a "
        "withdrawal.,caused,2026-03-10,FR,incident,physical,ssh,"
        "model:chat-7b,NEWS https://example.org/r1,,CLEAR,CC-BY-4.0\n";
    api_write_file(csv, text, strlen(text));
    char *argv[] = {(char *)api_osafe(), "import", "csv", csv,  "--db",
                    S.db,                "--publish", "--log", S.log, NULL};
    assert_int_equal(api_run(argv, NULL, err), 0);
    size_t n;
    char *msg = api_read_file(err, &n);
    if (strstr(msg, "interrupted") || strstr(msg, "unacknowledged"))
        fail_msg("import after an acknowledged withdrawal reports an "
                 "interrupted run");
    free(msg);
    unsigned notes = abandoned_notes();
    api_start(&S);
    assert_int_equal(abandoned_notes(), notes);
    api_stop_clean(&S);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_retry_takes_abandoned_entry),
        cmocka_unit_test(test_uncomparable_entry_abandoned),
        cmocka_unit_test(test_withdrawal_not_interrupted),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    curl_global_cleanup();
    return rc;
}
