/*
 * test_core.c - core/status.h and core/buf.h: OSAFE_BUG stops the process
 * with its message, and osafe_buf's failure is sticky.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/status.h"

/* OSAFE_BUG in a child: it dies by SIGABRT after one line on stderr that
 * names the file, the line and the message. */
static void test_bug_aborts_with_message(void **state)
{
    (void)state;
    int pfd[2];
    assert_int_equal(pipe(pfd), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(pfd[0]);
        dup2(pfd[1], 2);
        OSAFE_BUG("index %d out of %d", 7, 6);
    }
    close(pfd[1]);
    char out[512] = "";
    size_t n = 0;
    ssize_t k;
    while (n + 1 < sizeof out &&
           (k = read(pfd[0], out + n, sizeof out - 1 - n)) > 0)
        n += (size_t)k;
    out[n] = '\0';
    close(pfd[0]);
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFSIGNALED(st));
    assert_int_equal(WTERMSIG(st), SIGABRT);
    assert_non_null(strstr(out, "osafe: BUG: "));
    assert_non_null(strstr(out, "test_core.c:"));
    assert_non_null(strstr(out, "index 7 out of 6"));
}

/* After the first failure nothing more is written, even pieces that
 * would fit; buf_status keeps the first status until a reset. */
static void test_buf_failure_is_sticky(void **state)
{
    (void)state;
    osafe_buf b;
    buf_init(&b, 8);
    assert_int_equal(buf_puts(&b, "abcdef"), 0);
    assert_int_equal(buf_status(&b), 0);
    assert_int_equal(buf_puts(&b, "ghijkl"), OSAFE_ETOOBIG);
    assert_int_equal(buf_putc(&b, 'x'), OSAFE_ETOOBIG);
    assert_int_equal(buf_printf(&b, "%d", 1), OSAFE_ETOOBIG);
    assert_string_equal(b.data, "abcdef");
    assert_int_equal(buf_status(&b), OSAFE_ETOOBIG);
    buf_reset(&b);
    assert_int_equal(buf_status(&b), 0);
    assert_int_equal(buf_putc(&b, 'x'), 0);
    assert_string_equal(b.data, "x");
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bug_aborts_with_message),
        cmocka_unit_test(test_buf_failure_is_sticky),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
