/*
 * test_store_pg.c - the PostgreSQL backend without a server (issue 13):
 * every store_ops slot is filled (an operation another module adds must
 * be implemented there, or answer that it is not yet supported on
 * PostgreSQL: a NULL slot would crash the server on its first call), and
 * a PostgreSQL URL is shown without its password.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "store/store_pg_int.h"

typedef void (*any_fn)(void);
_Static_assert(sizeof(struct store_ops) % sizeof(any_fn) == 0,
               "store_ops holds only function pointers");

static void test_pg_ops_all_set(void **state)
{
    (void)state;
    size_t n = sizeof(struct store_ops) / sizeof(any_fn);
    assert_true(n > 30);
    for (size_t i = 0; i < n; i++) {
        any_fn f;
        memcpy(&f, (const char *)&pg__ops + i * sizeof f, sizeof f);
        if (!f)
            fail_msg("store_ops slot %zu of the PostgreSQL backend is NULL",
                     i);
    }
}

static void test_pg_url_redacted(void **state)
{
    (void)state;
    char out[128];
    store_spec_redact("postgresql://osafe:s3cret@db.example:5432/osafe", out,
                      sizeof out);
    assert_string_equal(out, "postgresql://osafe:***@db.example:5432/osafe");
    store_spec_redact("postgres://u:p%40ss@h/db?sslmode=require", out,
                      sizeof out);
    assert_string_equal(out, "postgres://u:***@h/db?sslmode=require");
    store_spec_redact("postgresql://osafe@127.0.0.1:5432/osafe", out,
                      sizeof out);
    assert_string_equal(out, "postgresql://osafe@127.0.0.1:5432/osafe");
    store_spec_redact("postgresql://h:5432/db", out, sizeof out);
    assert_string_equal(out, "postgresql://h:5432/db");
    store_spec_redact("sqlite:/var/lib/osafe/a:b@c.db", out, sizeof out);
    assert_string_equal(out, "sqlite:/var/lib/osafe/a:b@c.db");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pg_ops_all_set),
        cmocka_unit_test(test_pg_url_redacted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
