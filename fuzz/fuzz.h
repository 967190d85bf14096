/*
 * fuzz.h - what the fuzz targets (fuzz/<target>.c) share.
 *
 * Each target defines LLVMFuzzerTestOneInput and, when it needs state that
 * lives for the whole run (a scratch folder, a server), LLVMFuzzerInitialize.
 * The same file is linked two ways (fuzz/CMakeLists.txt): with libFuzzer
 * (clang, OSAFE_FUZZ) to search for crashes, and with replay.c (any
 * compiler) to run a corpus once as the ctest entry fuzz_<target>_corpus.
 *
 * A target aborts (FUZZ_CHECK) when a property the code promises does not
 * hold, so that libFuzzer keeps the input; an input the code refuses with
 * an error is the expected answer, not a finding.
 */
#ifndef OSAFE_FUZZ_H
#define OSAFE_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Abort with the place and the property, never with the input (the inputs
 * may hold the harmful text of a benchmark row). */
#define FUZZ_CHECK(cond)                                                      \
    do {                                                                      \
        if (!(cond)) {                                                        \
            fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__,         \
                    __LINE__, #cond);                                         \
            abort();                                                          \
        }                                                                     \
    } while (0)

/* A scratch folder for this process (under $TMPDIR, else /dev/shm when it
 * exists, else /tmp), created on first use and removed at exit. */
const char *fuzz_tmpdir(void);

/* Write data to dir/name (replacing it); 0 or -1. */
int fuzz_write(const char *dir, const char *name, const void *data,
               size_t len);

/* Copy of data[0..len) with a NUL after it (malloc'd; aborts when out of
 * memory: the fuzzer's own failure, not a finding). */
char *fuzz_strndup(const uint8_t *data, size_t len);

/* With FUZZ_DEBUG set in the environment, print a line to stderr (what a
 * reader decided, never the input): to check that seeds go where they are
 * meant to.  Silent otherwise, so that fuzzing runs at full speed. */
void fuzz_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The fixed Ed25519 key "fuzz.example/log" (seed 32 x 0x42) the note and
 * checkpoint targets verify with, so that seeds can carry good signatures
 * (fuzz/README.md says how they were made).  Never a real key. */
struct tlog_signer;
void fuzz_signer(struct tlog_signer *s);
#define FUZZ_KEY_NAME "fuzz.example/log"

#endif
