/*
 * replay.c - run a fuzz target over files once, without libFuzzer: the
 * ctest entries fuzz_<target>_corpus (fuzz/CMakeLists.txt) replay the
 * target's seed corpus and every crash kept as a regression file, with
 * whatever compiler and sanitizers the build uses.
 *
 *   fuzz_<target>_replay FILE|DIR...   (a DIR: every regular file in it)
 *
 * Exit 0 when every input ran (a finding aborts the process), 1 when an
 * argument cannot be read or no input was found.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/fsx.h"
#include "fuzz.h"

/* libFuzzer calls LLVMFuzzerInitialize only when a target defines it. */
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The corpora are small; a bigger file is a mistake, not an input. */
#define REPLAY_FILE_MAX (64u << 20)

static int run_file(const char *path)
{
    char *data;
    size_t len;
    osafe_err e;
    if (fsx_read_file(path, REPLAY_FILE_MAX, &data, &len, &e) != 0) {
        fprintf(stderr, "replay: %s\n", e.msg);
        return -1;
    }
    LLVMFuzzerTestOneInput((const uint8_t *)data, len);
    free(data);
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The files of dir in name order, so that a run is repeatable. */
static int run_dir(const char *dir, size_t *count)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "replay: cannot open %s\n", dir);
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    int rc = 0;
    while (!rc && (de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **g = realloc(names, cap * sizeof *names);
            if (!g)
                abort();
            names = g;
        }
        names[n] = fsx_path_join(dir, de->d_name);
        if (!names[n])
            abort();
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (!rc && stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
            rc = run_file(names[i]);
            (*count)++;
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
        return 1;
    }
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    size_t count = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s: no such file or folder\n", argv[i]);
            return 1;
        }
        int rc = S_ISDIR(st.st_mode) ? run_dir(argv[i], &count)
                                     : (count++, run_file(argv[i]));
        if (rc)
            return 1;
    }
    if (!count) {
        fprintf(stderr, "replay: no input found\n");
        return 1;
    }
    printf("replay: %zu inputs ran\n", count);
    return 0;
}
