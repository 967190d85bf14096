/*
 * test_store_backends.c - both storage backends implement every operation
 * of store.h: a member left out of one backend's table is a NULL pointer
 * that crashes the first caller.  -Wmissing-field-initializers says so at
 * build time, but only a warning where warnings are not errors.  The PostgreSQL half runs under the ctest fixture
 * "pg" (OSAFE_TEST_PG) and reports SKIP without it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "api_client.h"
#include "store/store.h"

typedef void (*fn)(void);
_Static_assert(sizeof(struct store_ops) % sizeof(fn) == 0,
               "store_ops holds function pointers only");

/* The index of the first NULL operation, or -1. */
static int first_null(const osafe_store *s)
{
    fn v[sizeof(struct store_ops) / sizeof(fn)];
    memcpy(v, s->ops, sizeof v);
    for (size_t i = 0; i < sizeof v / sizeof *v; i++)
        if (!v[i])
            return (int)i;
    return -1;
}

static void check(const char *spec)
{
    osafe_store *s;
    osafe_err e;
    if (store_open(spec, &s, &e))
        fail_msg("%s: %s", spec, e.msg);
    int k = first_null(s);
    if (k >= 0)
        fail_msg("%s: store_ops member %d is NULL", spec, k);
    s->ops->close(s);
}

static void test_sqlite_complete(void **st)
{
    (void)st;
    char dir[] = "/tmp/osafe-backends-XXXXXX", db[64];
    assert_non_null(mkdtemp(dir));
    snprintf(db, sizeof db, "%s/s.db", dir);
    check(db);
    unlink(db);
    rmdir(dir);
}

static void test_pg_complete(void **st)
{
    (void)st;
    char dir[] = "/tmp/osafe-backends-XXXXXX", db[192] = "";
    assert_non_null(mkdtemp(dir));
    api_pg_db(dir, db, sizeof db);
    rmdir(dir);
    if (!db[0])
        skip(); /* no OSAFE_TEST_PG: the pg_ variant of this test runs it */
    check(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sqlite_complete),
        cmocka_unit_test(test_pg_complete),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
