/*
 * reg_internal.h - shared by the registry's source files.
 */
#ifndef OSAFE_REGISTRY_INTERNAL_H
#define OSAFE_REGISTRY_INTERNAL_H

#include <jansson.h>
#include <pthread.h>

#include "core/buf.h"
#include "registry/registry.h"
#include "tlog/log.h"

#define REG_POOL_MAX 32

struct registry {
    char *log_dir;
    char prefix[16];
    char node_id[128];
    pthread_mutex_t pool_mu;
    pthread_cond_t pool_cv;
    osafe_store *pool[REG_POOL_MAX];
    unsigned npool, nfree;
    osafe_store *free[REG_POOL_MAX];
    pthread_mutex_t log_mu; /* the one log writer */
    tlog_log *log;          /* read and written under log_mu only */
    unsigned abandoned;     /* tail entries reconcile.c recorded at open */
    /* sequencer.c (group commit); all under seq_mu */
    pthread_mutex_t seq_mu;
    pthread_cond_t seq_more; /* the queue reached seq_max */
    pthread_cond_t seq_done; /* a batch ended: its requests have results */
    struct reg__seq_job *seq_head, *seq_tail;
    unsigned seq_queued, seq_max, seq_wait_ms, seq_last;
    /* the adaptive close (lead): writers in the queue or in the last
     * batch when it ended, how long it took, and the queue length that
     * wakes a waiting sequencer (seq_max when none waits) */
    unsigned seq_round, seq_target;
    uint64_t seq_last_us;
    int seq_careful; /* the next batch runs each request under a savepoint
                        (a request of the last one failed); the leader's */
    int seq_leader;                     /* a request is writing a batch */
    uint64_t seq_batches, seq_requests; /* reg_batch_stats */
    char warning[OSAFE_ERR_MAX]; /* reg_open_warning; "" none */
    /* sequencer.c: entries a batch appended but could not commit, which
     * the next batch records as abandoned in its own transaction before
     * anything else (reconcile.c would miss them once a later batch
     * commits past them); seq_nlost > OSAFE_BATCH_LOST_MAX: too many,
     * every batch fails until a restart */
    struct { uint64_t first; unsigned n; } seq_lost[OSAFE_BATCH_LOST_MAX];
    unsigned seq_nlost;
    /* PostgreSQL with a log: every osafe process on the database appends
     * to the one log directory in turn, under the database's write lock
     * (reg__log_catch_up); the log is open TLOG_OPEN_SHARED */
    int log_shared;
};

/* tlp.c: the one definition of who reads and changes what */
/* c NULL is the node's operator, who reads everything. */
void reg__visibility(const reg_caller *c, store_visibility *v);
/* 1 if c may read a version of rec at level tlp, published or not: each
 * version is judged by its own level. */
int reg__reads(const reg_caller *c, const store_record *rec, const char *tlp,
              int published);
/* 1 if c reads the record's latest version (reg__reads on it). */
int reg__owner_view(const reg_caller *c, const store_record *rec);
/* 1 if c may change a version of rec at level tlp (edit, submit; amend and
 * withdraw judge the published version, withdraw the latest one too). */
int reg__can_write(const reg_caller *c, const store_record *rec,
                  const char *tlp);
int reg__is_staff(const reg_caller *c);
/* 1 for a `peer` account (another node mirroring this one): it reads what
 * tlp.c lets it and writes nothing. */
int reg__is_peer(const reg_caller *c);
/* 1 if c may read a record mirrored from a peer at level tlp, filed under
 * org at its origin: CLEAR anyone; GREEN and AMBER by this node's rules
 * (no record of ours owns it); never to a peer account (the origin alone
 * decides whom its GREEN and AMBER records reach). */
int reg__reads_mirror(const reg_caller *c, const char *tlp, const char *org);

/* mirrored.c: one mirrored record as the API shows it (new reference, or
 * NULL when its body is not JSON), and whether c may read it. */
json_t *reg__mirror_item(const store_mirror *m);
int reg__mirror_visible(const reg_caller *c, const store_mirror *m);
/* reg_mirror_each (evals 0) and reg_mirror_eval_each (evals 1): the
 * mirrored items the ranking counts, over every active peer's origin once
 * (mirrored.c). */
int reg__mirror_walk(registry *r, int evals,
                     int (*fn)(void *ctx, const char *id, const char *body,
                               size_t len),
                     void *ctx, size_t *n_out, osafe_err *e);

/* Borrow / return a pooled database connection. */
osafe_store *reg__store_get(registry *r);
void reg__store_put(registry *r, osafe_store *s);

/* records.c */
/* Commit when rc is 0, else roll back; returns the final status. */
int reg__end_tx(osafe_store *s, int rc, osafe_err *e);
/* Dump o (consumed) as compact JSON into *out; 0 or OSAFE_ENOMEM. */
int reg__out_json(json_t *o, char **out, osafe_err *e);
json_t *reg__parse(const char *body, size_t len, osafe_err *e);
int reg__canon(const json_t *v, osafe_buf *out, osafe_err *e);
int reg__search_text(const json_t *rec, osafe_buf *out);
/* Load a record the caller may see at all (else ENOTFOUND, so ids of
 * hidden records do not leak). */
int reg__load_visible(osafe_store *s, const reg_caller *c, const char *id,
                     store_record *rec, osafe_err *e);
/* records_read.c: the links of id as a JSON array, without those to
 * records c may not see (*out malloc'd). */
int reg__links_visible(osafe_store *s, const reg_caller *c, const char *id,
                      char **out, osafe_err *e);
/* Object text {"id":...,"version":N,"state":...} */
char *reg__status_json(const char *id, int version, const char *state,
                      int64_t log_index);

/* records.c: a new draft from rec inside the caller's write transaction
 * (for import.c); index 0 leaves its search text to the publication that
 * follows in the same transaction. */
int reg__create_locked(registry *r, osafe_store *s, const reg_caller *c,
                       json_t *rec, char id[32], int index, osafe_err *e);

/* sequencer.c: group commit (see the file's comment). */
typedef struct reg__seq_batch {
    int64_t base; /* the log's size when the batch began; -1: no log */
    tlog_entry *ents; /* each data malloc'd, owned by the batch */
    size_t n, cap;
    size_t bytes; /* of the entries */
} reg__seq_batch;
/* A request's work, run by the sequencer inside its write transaction on
 * s; its log entries go through reg__seq_add.  Non-zero: this request
 * failed (its rows and entries are undone, e filled; a positive value is
 * passed back as is).  It may run twice for one request (a batch's first
 * try, without savepoints, is rolled back whole and run again when one of
 * its requests fails): it must change nothing but the transaction, the
 * batch and its own arg, and set every result it gives back each time. */
typedef int (*reg__seq_work)(registry *r, osafe_store *s, reg__seq_batch *b,
                             void *arg, osafe_err *e);
/* Initial result of a request its batch never ran (not a status). */
#define REG__SEQ_NOT_RUN 0x7ffe
void reg__seq_init(registry *r);
void reg__seq_destroy(registry *r);
/* Queue fn(arg) and return once its batch is committed and durable in
 * the log (0), or failed (fn's status, or the batch's).  The caller must
 * hold no pooled connection (the sequencer borrows one) and must not be
 * inside a sequencer's work. */
OSAFE_MUST_USE int reg__seq_run(registry *r, reg__seq_work fn, void *arg,
                                osafe_err *e);
/* The index the next entry of b will get (-1 without a log). */
int64_t reg__seq_next(const reg__seq_batch *b);
/* Hand entry (malloc'd; b owns it from now on, also on failure) to the
 * batch; *index receives its position. */
OSAFE_MUST_USE int reg__seq_add(reg__seq_batch *b, void *entry, size_t len,
                                int64_t *index, osafe_err *e);
/* Append n entries durably under log_mu (reopening the log once after a
 * failed append); *first receives the first one's index.  expect >= 0:
 * only if the log's size is expect (else OSAFE_ESTATE, nothing written). */
OSAFE_MUST_USE int reg__log_append_n(registry *r, osafe_store *s,
                                     const tlog_entry *ents, size_t n,
                                     int64_t expect, uint64_t *first,
                                     osafe_err *e);

/* publish.c: make version v (stored as submitted) the published one,
 * inside the sequencer's write transaction: its entry joins batch b (the
 * index is the log's size when the batch began plus the entries before
 * it; the sequencer commits right after the batch's durable append). */
int reg__publish(registry *r, osafe_store *s, const reg_caller *c,
                store_record *rec, store_version *v, reg__seq_batch *b,
                int64_t *index, osafe_err *e);
/* The index the next append will get (the log's size), read under
 * log_mu inside s's write transaction (a shared log first catches up,
 * reg__log_catch_up); OSAFE_ESTATE without a log. */
OSAFE_MUST_USE int reg__log_next_index(registry *r, osafe_store *s,
                                       int64_t *index, osafe_err *e);
/* Inclusion proof of the entry at index against the latest checkpoint, with
 * the checkpoint note and the entry (base64); *o is the caller's. */
/* The log entry of a run's canonical bytes (evaluations_proof.c). */
int reg__evaluation_entry(const char *id, const char *body, size_t len,
                          osafe_buf *entry, osafe_err *e);
int reg__inclusion(registry *r, int64_t index, const void *entry,
                   size_t entry_len, json_t **o, osafe_err *e);
/* reg__publish without the append: the rows of version v, whose entry
 * (v->log_entry) the caller appends at index at (< 0: the log's size now)
 * before it commits; for imports that append many entries at once.
 * *reused is set when v took an abandoned entry (already in the log, at
 * v->log_index): nothing is to be appended for it. */
int reg__publish_at(registry *r, osafe_store *s, const reg_caller *c,
                   store_record *rec, store_version *v, int64_t at,
                   int *reused, osafe_err *e);
/* reg__publish_at on j, v's content already parsed (borrowed, changed:
 * it becomes the published body).  fresh: rec and v are not stored yet
 * (reg__create_fresh): rec's row is inserted, as published, instead of
 * updated, so that an import stores each record once instead of as a
 * draft it reads back, parses again and replaces. */
int reg__publish_json(registry *r, osafe_store *s, const reg_caller *c,
                      store_record *rec, store_version *v, json_t *j,
                      int fresh, int64_t at, int *reused, osafe_err *e);
/* records.c: rec (client content, checked for publication) as version 1
 * of a new record, for reg__publish_json(fresh): a new id in row and the
 * server's fields in rec; v and row are filled, nothing else is stored. */
int reg__create_fresh(registry *r, osafe_store *s, const reg_caller *c,
                      json_t *rec, store_record *row, store_version *v,
                      osafe_err *e);

/* reconcile.c: record the log entries beyond the database's last (left by
 * a crash between append and commit), at open. */
int reg__reconcile(registry *r, osafe_err *e);
/* A shared log (r->log_shared), under log_mu and inside s's write
 * transaction, which holds the database's write lock, so that no other
 * process is between its append and its commit: read what the others
 * appended (tlog_log_sync), refuse a log behind the database (another
 * process appends to another directory; strict only: a transaction that
 * stored its rows before its append is ahead of the log by them), and
 * record the entries beyond the database's last as abandoned (a process
 * that died, or lost its database, between its append and its commit).
 * A no-op otherwise. */
OSAFE_MUST_USE int reg__log_catch_up(registry *r, osafe_store *s, int strict,
                                     osafe_err *e);
/* Inside s's write transaction: record log entry index, which no row
 * holds, as abandoned (or as the withdrawal it is). */
int reg__record_abandoned(registry *r, osafe_store *s, uint64_t index,
                          osafe_err *e);
/* If an abandoned entry is version `version` of id with j's content, give
 * j its timestamps (now too) and *at its index, and mark it reused: the
 * publication takes that entry instead of appending another. */
int reg__adopt_abandoned(osafe_store *s, const char *id, int version,
                         json_t *j, char now[32], int64_t *at, osafe_err *e);
/* Append one entry to the log inside the caller's write transaction;
 * *index receives its position. */
OSAFE_MUST_USE int reg__log_append(registry *r, osafe_store *s,
                                   const void *entry, size_t len,
                                   int64_t *index, osafe_err *e);
/* Log statement st (consumed; NULL counts as out of memory) inside the
 * caller's write transaction on s, and account for it in the database as a
 * log entry of that kind for record_id's version (reconcile.c reads them):
 * withdrawals and merges.  *index receives its position. */
OSAFE_MUST_USE int reg__log_statement(registry *r, osafe_store *s, json_t *st,
                                      const char *kind, const char *record_id,
                                      int version, int64_t *index,
                                      osafe_err *e);

/* evaluations_check.c: 0 if a run to publish holds only taxonomy hazard
 * keys, bounded integer counts and finite rates in [0, 1]; else
 * OSAFE_EINVAL naming the field. */
int reg__evaluation_check(const json_t *j, osafe_err *e);

/* evaluations_review.c: what reviewing needs of a stored sample of a
 * published run (its storage: store.h, evaluation samples). */
typedef struct reg__sample_facts {
    int needs_review;  /* the classifier was unsure: a person should look */
    char label[64];    /* the classifier's label */
    char expected[16]; /* "comply", "refuse" or "" */
} reg__sample_facts;
/* OSAFE_ENOTFOUND when the run has no such sample (or none stored). */
OSAFE_MUST_USE int reg__sample_get_facts(osafe_store *s, const char *id,
                                         int64_t index, reg__sample_facts *f,
                                         osafe_err *e);

#endif
