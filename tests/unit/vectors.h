/*
 * vectors.h - helpers for unit tests that read the public test vectors and
 * data sets of the shared/ folder beside the repository.
 *
 * One setting finds that folder: $OSAFE_SHARED (ctest sets it from the
 * CMake cache variable OSAFE_SHARED_DIR), default ../shared.  A clone
 * without it must still pass: a case that needs it is skipped (cmocka
 * skip) with the reason on stdout, and main returns vec_exit(), 77 when any
 * case was skipped so that ctest reports SKIP (SKIP_RETURN_CODE), never a
 * pass.  When the folder exists, a file missing from it is a failure: a
 * vector test that silently skips proves nothing.
 */
#ifndef OSAFE_TESTS_VECTORS_H
#define OSAFE_TESTS_VECTORS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "tlog/merkle.h"

/* The shared/ folder: $OSAFE_SHARED or ../shared. */
const char *vec_shared(void);

/* Write $OSAFE_SHARED/<rel> into path (size n).  Skips the calling case
 * when the shared folder is absent; fails it when the folder is there but
 * rel is not. */
void vec_require(const char *rel, char *path, size_t n);

/* Skip the calling case for a reason outside the test's control (data or
 * a host feature absent): the reason goes to stdout and vec_exit() will
 * return 77. */
void vec_skip(const char *reason);

/* For a test whose every case needs the shared folder: before running the
 * cases, 0 when $OSAFE_SHARED/<rel> is there; else the reason on stdout
 * and 77 (the folder is absent: skip) or 1 (the folder lacks rel: fail). */
int vec_need_shared(const char *rel);

/* main's status: cmocka's failure count when non-zero, else 77 when
 * vec_require skipped a case (with the reason on stdout), else 0. */
int vec_exit(int failed);

/* Write $OSAFE_FIXTURES/<rel> (tests/fixtures, set by ctest) into path;
 * fails the case when the file is missing. */
void vec_fixture(const char *rel, char *path, size_t n);

/* Load $OSAFE_SHARED/vectors/<rel> as JSON (vec_require's rules). */
json_t *vec_load(const char *rel);

/* Decode a hex / base64 JSON string into a hash; fails the test if bad. */
void vec_hash_hex(tlog_hash *out, json_t *s);
void vec_hash_b64(tlog_hash *out, json_t *s);
/* Decode a hex string into a malloc'd buffer. */
uint8_t *vec_hex(json_t *s, size_t *len);

#endif
