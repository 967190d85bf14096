/*
 * suite_int.h - private to suite.c (checks, suite_hash, suite_write) and
 * suite_reader.c (the streaming reader, the id set, suite_load).  Not part
 * of the API.
 */
#ifndef OSAFE_EVAL_SUITE_INT_H
#define OSAFE_EVAL_SUITE_INT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "core/buf.h"
#include "core/status.h"

/* What suite__check_meta learns from suite.yaml that suite__check_item needs. */
typedef struct meta_ctx {
    const char *scorer;
    int ail;             /* taxonomy is AILuminate: hazards are checked */
    const json_t *langs; /* array of strings */
} meta_ctx;

/* Fetch the id stored under ref (malloc'd copy), or NULL with *e set. */
typedef char *(*id_fetch_fn)(void *ctx, uint64_t ref, osafe_err *e);

typedef struct id_slot {
    uint64_t h;
    uint64_t ref; /* caller's reference + 1; 0 = empty */
} id_slot;

/* The duplicate-id set (suite_reader.c): keyed hashes, never the ids. */
typedef struct id_set {
    id_slot *t;
    size_t cap, n;
    unsigned char key[crypto_shorthash_KEYBYTES];
} id_set;

/* A value safe to quote in an error message: short suite__printable ASCII. */
const char *suite__printable(const char *s);
/* Validate suite.yaml's content (text, when known, gives line numbers). */
int suite__check_meta(const json_t *meta, const char *text, meta_ctx *mc,
               osafe_err *e);
/* Validate one item; the message (no prefix) goes to msg. */
int suite__check_item(const json_t *it, const meta_ctx *mc, char *msg, size_t msz);

/* An empty set sized for expect ids (0: unknown); 0 or OSAFE_ENOMEM. */
int suite__ids_init(id_set *s, size_t expect);
/* Free the table (the set may then be freed again). */
void suite__ids_free(id_set *s);
/* 0 added, 1 duplicate (*first = the earlier reference), < 0 error. */
int suite__ids_add(id_set *s, const char *id, uint64_t ref, id_fetch_fn fetch,
            void *ctx, uint64_t *first, osafe_err *e);

/* Canonical form of v plus "\n" into the running hash. */
int suite__hash_value(crypto_hash_sha256_state *sha, osafe_buf *cb, const json_t *v,
               osafe_err *e);

#endif
