/*
 * vectors.h - helpers for unit tests that read ../shared/vectors.
 */
#ifndef OSAFE_TESTS_VECTORS_H
#define OSAFE_TESTS_VECTORS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "tlog/merkle.h"

/* Load $OSAFE_SHARED/vectors/<rel> as JSON; aborts the test run (fails)
 * if the file is missing: a vector test that silently skips proves nothing. */
json_t *vec_load(const char *rel);

/* Decode a hex / base64 JSON string into a hash; fails the test if bad. */
void vec_hash_hex(tlog_hash *out, json_t *s);
void vec_hash_b64(tlog_hash *out, json_t *s);
/* Decode a hex string into a malloc'd buffer. */
uint8_t *vec_hex(json_t *s, size_t *len);

#endif
