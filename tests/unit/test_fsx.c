/*
 * test_fsx.c - fsx_write_atomic_many: the group writer behind a log
 * append's tiles.  All files land whole with no temporary left; more files
 * than it keeps open at once still all land; a failure on one file before
 * the renames leaves every target as it was and no temporary behind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/fsx.h"
#include "core/limits.h"

#define NFILES (2 * OSAFE_FSX_MANY_OPEN_MAX + 3)

struct fixture {
    char dir[64];
    char paths[NFILES][OSAFE_PATH_MAX];
    char bodies[NFILES][32];
    fsx_file files[NFILES];
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/osafe-fsx-XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    osafe_err e;
    int rc = fsx_remove_tree(f->dir, &e);
    free(f);
    return rc;
}

/* Files i of the fixture: dir/sub<i%2>/f<i>, body "new <i>". */
static void fill(struct fixture *f, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        snprintf(f->paths[i], OSAFE_PATH_MAX, "%s/sub%zu/f%zu", f->dir, i % 2,
                 i);
        snprintf(f->bodies[i], sizeof f->bodies[i], "new %zu", i);
        f->files[i] = (fsx_file){f->paths[i], f->bodies[i],
                                 strlen(f->bodies[i])};
    }
}

static void make_subdirs(const struct fixture *f)
{
    osafe_err e;
    char p[OSAFE_PATH_MAX];
    for (int i = 0; i < 2; i++) {
        snprintf(p, sizeof p, "%s/sub%d", f->dir, i);
        assert_int_equal(fsx_mkdirs(p, &e), 0);
    }
}

static void assert_body(const char *path, const char *want)
{
    osafe_err e;
    char *text;
    size_t len;
    assert_int_equal(fsx_read_file(path, 1024, &text, &len, &e), 0);
    assert_string_equal(text, want);
    free(text);
}

/* Names in dir/sub0 and dir/sub1 that hold ".tmp.". */
static int count_temps(const struct fixture *f)
{
    int n = 0;
    char p[OSAFE_PATH_MAX];
    for (int i = 0; i < 2; i++) {
        snprintf(p, sizeof p, "%s/sub%d", f->dir, i);
        DIR *d = opendir(p);
        assert_non_null(d);
        struct dirent *de;
        while ((de = readdir(d)))
            n += strstr(de->d_name, ".tmp.") != NULL;
        closedir(d);
    }
    return n;
}

static void test_many_all_land_whole(void **state)
{
    struct fixture *f = *state;
    osafe_err e;
    make_subdirs(f);
    fill(f, NFILES);
    /* half the targets exist already: they are replaced */
    for (size_t i = 0; i < NFILES; i += 2)
        assert_int_equal(fsx_write_atomic(f->paths[i], "old", 3, 0644, 1, &e),
                         0);
    assert_int_equal(fsx_write_atomic_many(f->files, NFILES, 0644, &e), 0);
    for (size_t i = 0; i < NFILES; i++)
        assert_body(f->paths[i], f->bodies[i]);
    assert_int_equal(count_temps(f), 0);
}

static void test_many_failure_changes_nothing(void **state)
{
    struct fixture *f = *state;
    osafe_err e;
    make_subdirs(f);
    fill(f, NFILES);
    for (size_t i = 0; i < NFILES; i++)
        assert_int_equal(fsx_write_atomic(f->paths[i], "old", 3, 0644, 1, &e),
                         0);
    /* the last file's directory does not exist: its temporary cannot be
     * created, after every other file of the batch was written */
    char bad[OSAFE_PATH_MAX];
    snprintf(bad, sizeof bad, "%s/missing/f", f->dir);
    f->files[NFILES - 1].path = bad;
    assert_int_not_equal(fsx_write_atomic_many(f->files, NFILES, 0644, &e), 0);
    assert_non_null(strstr(e.msg, "missing"));
    for (size_t i = 0; i < NFILES; i++)
        assert_body(f->paths[i], "old");
    assert_int_equal(count_temps(f), 0);
    assert_int_equal(fsx_exists(bad), 0);
}

static void test_many_empty_batch(void **state)
{
    osafe_err e;
    assert_int_equal(fsx_write_atomic_many(NULL, 0, 0644, &e), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_many_all_land_whole, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_many_failure_changes_nothing,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_empty_batch, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
