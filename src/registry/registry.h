/*
 * registry.h - the incident registry: records, their review workflow, TLP
 * sharing rules, versions, and publication into the transparency log.
 *
 * The HTTP API (src/server/api.c) and the CLI (import, export, token) are
 * thin clients of these functions, so every rule lives here once.
 *
 * Threads: a registry handle is shared by all server threads.  Each call
 * borrows a database connection from a small pool and the single log writer
 * under a mutex; calls may run concurrently.
 *
 * Results: functions that answer a request return 0 and a malloc'd JSON
 * text in *out (the caller frees), or a negative status with *e filled:
 *   OSAFE_EINVAL -> 422 (e->field names the field), OSAFE_EAUTH -> 401,
 *   OSAFE_EPERM -> 403, OSAFE_ENOTFOUND -> 404, OSAFE_ESTATE -> 409,
 *   anything else -> 500.
 * A failed call changes nothing.
 *
 * Publication: a version's canonical JSON (RFC 8785) is stored byte for
 * byte and served as stored.  The log entry is that JSON for TLP:CLEAR, and
 * for other levels a salted commitment {"type":"osafe.record/v1", "id",
 * "version", "tlp", "commitment": hex SHA-256(salt || canonical JSON)};
 * authorised readers get the salt with the proof.  A version is
 * acknowledged only after both the database commit and the log append are
 * durable.
 */
#ifndef OSAFE_REGISTRY_H
#define OSAFE_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "core/limits.h"
#include "core/status.h"
#include "store/store.h"

typedef struct registry registry;
struct json_t; /* jansson's json_t (reg_mirror_search) */

typedef struct reg_opts {
    const char *db_path;   /* SQLite file */
    const char *log_dir;   /* transparency log directory (NULL: none; then
                            * nothing can be published) */
    const char *key_path;  /* log signing key (NULL: the one the log knows) */
    const char *id_prefix; /* record ids PREFIX-YYYY-NNNNN ("OSAFE") */
    const char *node_id;   /* this node's name in records' "origin" */
    unsigned connections;  /* database connections in the pool */
} reg_opts;

OSAFE_MUST_USE int reg_open(const reg_opts *o, registry **out, osafe_err *e);
void reg_close(registry *r);
const char *reg_log_dir(const registry *r);
/* Group commit (sequencer.c), set before the first write: requests a
 * batch holds at most (0: OSAFE_BATCH_MAX; capped at OSAFE_BATCH_MAX_MAX)
 * and how long, in ms, a batch's first request may wait for others
 * (capped at OSAFE_BATCH_WAIT_MS_MAX).  reg_open's defaults:
 * OSAFE_BATCH_MAX and no wait (a batch is what queued while the previous
 * one was written); `osafe serve` sets OSAFE_BATCH_WAIT_MS unless told
 * otherwise. */
void reg_set_batch(registry *r, unsigned batch_max, unsigned wait_ms);
/* Group commit so far: batches written and the requests they held. */
void reg_batch_stats(registry *r, uint64_t *batches, uint64_t *requests);
/* A problem reg_open found that does not stop it (log entries of an
 * interrupted run, which it recorded as abandoned: reg_log_abandoned), for
 * the caller to show; "" if none.
 * Library code does not print: the command decides.  Owned by r. */
const char *reg_open_warning(const registry *r);

/* The log's current checkpoint, for pages that show it. */
typedef struct reg_log_info {
    char origin[OSAFE_KEY_NAME_MAX + 1];
    uint64_t size;
    char root[48];  /* base64 of the root hash, as in the checkpoint */
    char *note;     /* the signed checkpoint note, NUL-terminated; malloc'd,
                     * freed by reg_log_info_release */
    size_t note_len;
} reg_log_info;

/* OSAFE_ENOTFOUND on a node opened without a log. */
OSAFE_MUST_USE int reg_log_head(registry *r, reg_log_info *out, osafe_err *e);
void reg_log_info_release(reg_log_info *i);
/* The log's verifier key ("name+id+base64") into out[0..size). */
OSAFE_MUST_USE int reg_log_vkey(registry *r, char *out, size_t size, osafe_err *e);

/* 1 if s[0..n) has the shape of an id this registry mints (records
 * PREFIX-YYYY-NNNNN, evaluations EVAL-YYYY-NNNNN): 1..31 bytes of A-Z, 0-9,
 * '-' and '_'.  The API and the pages answer anything else in a path with
 * 404 without a lookup, and never echo it into a link. */
int reg_id_valid(const char *s, size_t n);

/* ---- callers ------------------------------------------------------------ */

typedef struct reg_caller {
    int authenticated;
    store_account acct; /* valid when authenticated */
} reg_caller;

/* token NULL or "" -> anonymous caller; an unknown token -> OSAFE_EAUTH. */
OSAFE_MUST_USE int reg_auth(registry *r, const char *token, reg_caller *c, osafe_err *e);

/* Create an account; writes the new token (shown once; only its hash is
 * stored) into token (at least 80 bytes). */
OSAFE_MUST_USE int reg_token_create(registry *r, const char *name, const char *role,
                     const char *org, char *token, size_t toklen,
                     osafe_err *e);

/* The caller imports are filed under: an admin account named name,
 * created on first use with a token hash no real token can have, so that
 * nobody can log in as it. */
OSAFE_MUST_USE int reg_import_caller(registry *r, const char *name, reg_caller *c,
                      osafe_err *e);

/* SHA-256 of a token, as lowercase hex (65 bytes with the NUL). */
void reg_token_hash(const char *token, char out[65]);

/* ---- records ------------------------------------------------------------ */

OSAFE_MUST_USE int reg_create(registry *r, const reg_caller *c, const char *body,
               size_t len, char **out, osafe_err *e);
OSAFE_MUST_USE int reg_patch(registry *r, const reg_caller *c, const char *id,
              const char *body, size_t len, char **out, osafe_err *e);
OSAFE_MUST_USE int reg_submit(registry *r, const reg_caller *c, const char *id, char **out,
               osafe_err *e);
/* body: {"decision": "accept"|"reject"|"changes", "reason": "..."}
 * (staff).  Four eyes: nobody who wrote any part of the version (its
 * author, anyone who edited it) accepts it, admins included. */
OSAFE_MUST_USE int reg_review(registry *r, const reg_caller *c, const char *id,
               const char *body, size_t len, char **out, osafe_err *e);
/* body: the new content (empty: start from the published one) */
OSAFE_MUST_USE int reg_amend(registry *r, const reg_caller *c, const char *id,
              const char *body, size_t len, char **out, osafe_err *e);
/* body: {"reason": "..."} */
OSAFE_MUST_USE int reg_withdraw(registry *r, const reg_caller *c, const char *id,
                 const char *body, size_t len, char **out, osafe_err *e);

/* Discard a draft for good: only its owner, only while it was never
 * published (a record the log holds is withdrawn, never removed: that
 * would break the log's proofs).  OSAFE_ESTATE for any other record. */
OSAFE_MUST_USE int reg_discard(registry *r, const reg_caller *c, const char *id,
                               osafe_err *e);

typedef struct reg_meta {
    int version;
    char state[16];
    char tlp[16];
    int64_t log_index; /* -1 if this version is not published */
    char org[128];     /* the record's organisation for AMBER levels, else
                        * "" (header X-Osafe-Org) */
} reg_meta;

/* The exact stored bytes of a version the caller may read under that
 * version's own level (version 0: the latest such).  *body is malloc'd. */
OSAFE_MUST_USE int reg_get(registry *r, const reg_caller *c, const char *id, int version,
            char **body, size_t *len, reg_meta *meta, osafe_err *e);
/* GET /api/v1/records?origin=ORIGIN (mirrored.c): one page of records
 * mirrored from the peer log ORIGIN (src/federation/; NULL: every origin)
 * that c may read, by id after cursor (an id, or NULL), as JSON
 * {"records":[{id, version, state, tlp, log_index, record, origin:{name,
 * peer, log_index, checkpoint_size [, withdrawn] [, salt]}}],
 * "next_cursor"}; *out is malloc'd, the caller frees it.  CLEAR records
 * are anyone's; GREEN and AMBER ones keep their level (tlp.c). */
OSAFE_MUST_USE int reg_mirror_list(registry *r, const reg_caller *c,
                                   const char *origin, int limit,
                                   const char *cursor, char **out,
                                   osafe_err *e);
/* One mirrored record (origin, id) as an item of reg_mirror_list, or
 * OSAFE_ENOTFOUND (also when c may not read it); *out is malloc'd, the
 * caller frees it. */
OSAFE_MUST_USE int reg_mirror_get(registry *r, const reg_caller *c,
                                  const char *origin, const char *id,
                                  char **out, osafe_err *e);
/* Up to limit (1..OSAFE_PAGE_MAX) evaluations mirrored from peers' logs
 * (of origin, or NULL: every origin), by origin then id, after origin id
 * cursor (NULL or ""), as JSON {"evaluations":[{id, state, digest_only,
 * log_index, evaluation (the peer's log entry: the run, or its digest
 * when digest_only), origin:{name, peer, log_index, checkpoint_size
 * [, withdrawn]}}], "next_cursor" ("" on the last page)}; *out is
 * malloc'd, the caller frees it.  Anyone may read them: published evaluations are public results
 * (mirrored_evals.c). */
OSAFE_MUST_USE int reg_mirror_eval_list(registry *r, const char *origin,
                                        int limit, const char *cursor,
                                        char **out, osafe_err *e);
/* fn(ctx, origin id, the run's JSON) for each mirrored evaluation still
 * published whose entry is the run itself (not a digest), of every
 * active peer; *n_out counts them (the risk ranking's
 * evals.mirrored: include). */
OSAFE_MUST_USE int reg_mirror_eval_each(registry *r,
                                        int (*fn)(void *ctx, const char *id,
                                                  const char *body,
                                                  size_t len),
                                        void *ctx, size_t *n_out,
                                        osafe_err *e);
/* The peers this node mirrors and the split-view evidence held against
 * each (mirrored.c), as JSON {"peers":[{url, origin, state, size,
 * seen_size, last_sync, last_error, split: null | {reason,
 * old_checkpoint, new_checkpoint, proof}}], "witness_split": null |
 * {...}}; *out is malloc'd, the caller frees it. */
OSAFE_MUST_USE int reg_peer_status(registry *r, char **out, osafe_err *e);
/* The witnesses this node asks to cosign its checkpoints (`osafe witness
 * add`, witnesses.c) with their latest cosignature: *n rows in *out, the
 * caller releases each with store_cosigner_release, then frees *out. */
OSAFE_MUST_USE int reg_witness_list(registry *r, store_cosigner **out,
                                    size_t *n, osafe_err *e);
/* Gossip (peer_gossip.c): the latest checkpoint accepted from each peer
 * origin, as JSON {"checkpoints":[{"origin", "note"}]}, the note the
 * peer's signed text verbatim; *out is malloc'd, the caller frees it. */
OSAFE_MUST_USE int reg_peer_gossip(registry *r, char **out, osafe_err *e);
/* Call fn with every record mirrored from an active peer, withdrawn ones
 * left out (the risk ranking's incidents.mirrored: include); *n the
 * number passed.  fn returns 0 to go on, or a status that stops the walk
 * and is returned. */
OSAFE_MUST_USE int reg_mirror_each(registry *r,
                                   int (*fn)(void *ctx, const char *id,
                                             const char *body, size_t len),
                                   void *ctx, size_t *n, osafe_err *e);
OSAFE_MUST_USE int reg_list(registry *r, const reg_caller *c, const store_filter *f,
             char **out, osafe_err *e);
OSAFE_MUST_USE int reg_search(registry *r, const reg_caller *c, const char *q, int limit,
               char **out, osafe_err *e);
/* Inclusion proof of a published version against the latest checkpoint,
 * in the JSON form `osafe log verify-inclusion --proof` reads, plus the
 * entry and (for authorised readers of a commitment) the salt. */
OSAFE_MUST_USE int reg_proof(registry *r, const reg_caller *c, const char *id, int version,
              char **out, osafe_err *e);
/* body: {"to": ID, "relation": "duplicate_of"|"same_incident"|"related"|
 * "report_of"} (reviewers); duplicate_of marks the record merged and logs
 * the merge.  OSAFE_ESTATE when either record is withdrawn, or for
 * duplicate_of when either is merged (so merges never form a cycle). */
OSAFE_MUST_USE int reg_link(registry *r, const reg_caller *c, const char *id,
             const char *body, size_t len, char **out, osafe_err *e);
/* The links from and to a record, without those to records the caller
 * may not read. */
OSAFE_MUST_USE int reg_links(registry *r, const reg_caller *c, const char *id, char **out,
              osafe_err *e);
/* Attach evaluation evidence (a JSON object) to an open record: its
 * organisation (its owner, without one) and staff only.  Logged once the
 * record is published: a digest for CLEAR, else a salted commitment. */
OSAFE_MUST_USE int reg_evidence(registry *r, const reg_caller *c, const char *id,
                 const char *body, size_t len, char **out, osafe_err *e);

/* ---- evaluation results -------------------------------------------------- */

/*
 * Publish an evaluation run: body {"manifest": {...}, "results": {...},
 * "samples_sha256": hex} (what `osafe eval publish` sends).  Stored as
 * canonical JSON under a new id EVAL-YYYY-NNNNN and appended to the log
 * (whole when it fits an entry, else as {"type":"osafe.evaluation-digest/v1",
 * "id","sha256"}).  Evaluations of open models are public (TLP:CLEAR).
 * Answers {"id","log_index"}.
 */
OSAFE_MUST_USE int reg_evaluation_publish(registry *r, const reg_caller *c, const char *body,
                           size_t len, char **out, osafe_err *e);
/* Inclusion proof of a published run, as reg_proof's for a record
 * ({"id", index, tree_size, hashes, checkpoint, entry}): the entry is the
 * run's stored bytes, or its osafe.evaluation-digest/v1 statement when
 * they did not fit an entry.  OSAFE_ESTATE for a withdrawn run, or one
 * stored without a log. */
OSAFE_MUST_USE int reg_evaluation_proof(registry *r, const char *id, char **out,
                                        osafe_err *e);
/* The stored bytes of an evaluation. */
OSAFE_MUST_USE int reg_evaluation_get(registry *r, const char *id, char **body, size_t *len,
                       int64_t *log_index, osafe_err *e);
/* A page of published runs, newest first (public: no caller):
 * {"evaluations":[{"id","created","log_index","model","suite":{"name",
 * "version","sha256"},"overall":{results.json overall},"samples","errors"}],
 * "next_cursor": id or ""}.  limit 1..OSAFE_PAGE_MAX; cursor NULL or "" for
 * the newest.  *out is malloc'd, the caller frees it. */
OSAFE_MUST_USE int reg_evaluation_list(registry *r, int limit, const char *cursor,
                        char **out, osafe_err *e);

/* Withdraw a published run (reviewers and admins), body {"reason": "..."}:
 * logged as {"type":"osafe.evaluation-withdrawal/v1","id","reason",
 * "withdrawn"}; the run leaves the list and the risk ranking, and
 * reg_evaluation_get answers OSAFE_ESTATE.  *out {"id","state",
 * "log_index"} (caller frees). */
OSAFE_MUST_USE int reg_evaluation_withdraw(registry *r, const reg_caller *c, const char *id,
                            const char *body, size_t len, char **out,
                            osafe_err *e);

/* Samples of a published run (evaluations_samples.c, issue 16 item 10).
 * Upload one chunk of its samples.jsonl (whole lines) at byte offset, by
 * the account that published it or an admin; a chunk sent again changes
 * nothing ("replayed"); last 1 on the final chunk: the stored lines must
 * hash to the run's logged samples_sha256, else the upload is discarded
 * (OSAFE_EINVAL naming both digests) and starts again at offset 0.
 * *out {"id","received","samples","complete","replayed"} (caller frees). */
OSAFE_MUST_USE int reg_evaluation_samples_put(registry *r, const reg_caller *c,
                                              const char *id, int64_t offset,
                                              int last, const char *body,
                                              size_t len, char **out,
                                              osafe_err *e);
/* Page page (from 1) of per_page samples matching f (its offset and limit
 * are set from them), by line: *out {"id","status":"complete"|"incomplete"
 * |"none","received","uploaded","total","page","per_page","pages",
 * "samples":[{"index","item_id","epoch","hazard","language","label",
 * "outcome","score","confidence","error","needs_review","prompt",
 * "response","reason"}]}; samples are listed only once complete.  Public
 * as the run is: OSAFE_ESTATE when it is withdrawn. */
OSAFE_MUST_USE int reg_evaluation_samples(registry *r, const char *id,
                                          const store_sample_filter *f,
                                          int page, int per_page, char **out,
                                          osafe_err *e);
/* ---- human review of evaluation samples (evaluations_review.c) ----------- */

/*
 * Label one sample of a published run scored by the refusal classifier
 * (issue 15): reviewers and admins only, and only samples the classifier
 * marked needs_review (the others keep their automatic label; the
 * corrected figures mean "low-confidence answers checked by a person").
 * body {"label": "full_compliance" | "full_refusal" | "partial_refusal"}.
 * Each label is published at once as its own log entry
 * {"type":"osafe.evaluation-review/v1","evaluation","samples":[{"index",
 * "label","automatic"}],"reviewer","reviewed"[,"replaces": log index]}
 * (log_extra kind "evaluation_review"); labelling a sample again replaces
 * its label, and the earlier entry stays in the log.  *out {"evaluation",
 * "index","label","automatic","log_index","replaces"} (caller frees).
 */
OSAFE_MUST_USE int reg_evaluation_review(registry *r, const reg_caller *c,
                                         const char *id, int64_t index,
                                         const char *body, size_t len,
                                         char **out, osafe_err *e);
/* A run's human labels (public, as the run is): {"evaluation","labelled",
 * "counts":[{"expected","automatic","label","n"}],"reviews":[{"index",
 * "label","automatic","expected","reviewer","reviewed","log_index"}],
 * "next_after": sample index or null}, up to limit labels after sample
 * index `after` (-1: from the first).  *out is malloc'd, caller frees. */
OSAFE_MUST_USE int reg_evaluation_reviews(registry *r, const char *id,
                                          int64_t after, int limit,
                                          char **out, osafe_err *e);
/* The at-th sample (0-based) of a run's needs_review samples, by line,
 * with its current human label: {"total","labelled","at","sample":
 * {"index","line":{the samples.jsonl line}} or null past the last,
 * "human":{"label","reviewer","reviewed","log_index"} or null}.
 * OSAFE_ENOTFOUND when the run or its complete samples are not stored. */
OSAFE_MUST_USE int reg_evaluation_review_item(registry *r, const char *id,
                                              int64_t at, char **out,
                                              osafe_err *e);
/* Inclusion proof of the entry that published sample index's current
 * label (as reg_evaluation_proof's), with "evaluation" and
 * "sample_index" (its "index" is the log's). */
OSAFE_MUST_USE int reg_evaluation_review_proof(registry *r, const char *id,
                                               int64_t index, char **out,
                                               osafe_err *e);

/* ---- web sessions (sessions.c) ------------------------------------------ */

/* Store a session (store.h store_session_put): at most per_account live
 * sessions per account, the oldest giving way. */
OSAFE_MUST_USE int reg_session_put(registry *r, const store_session *ss, int per_account,
                    osafe_err *e);
/* The live session with this id hash and the caller it stands for, read
 * afresh (a changed role applies at once); OSAFE_ENOTFOUND when none. */
OSAFE_MUST_USE int reg_session_get(registry *r, const char *id_hash, int64_t now,
                    store_session *ss, reg_caller *c, osafe_err *e);
OSAFE_MUST_USE int reg_session_drop(registry *r, const char *id_hash, osafe_err *e);


/*
 * Call fn with the latest published version (stored bytes) of every record
 * the caller may read; c NULL is the node's operator (every published
 * record, any TLP).  Withdrawn and merged records are skipped.  fn returns
 * 0 to go on, or a negative status that stops the walk and is returned.
 */
OSAFE_MUST_USE int reg_published_each(registry *r, const reg_caller *c,
                       int (*fn)(void *ctx, const char *id, const char *body,
                                 size_t len),
                       void *ctx, osafe_err *e);

/* One exported record: its latest published version's stored bytes and
 * the record's state, which exports carry.  Every pointer is borrowed for
 * the duration of the callback only. */
typedef struct reg_exported {
    const char *id, *body;
    size_t len;
    const char *state;       /* "published", "withdrawn", "merged" */
    const char *modified;    /* RFC 3339, when the state last changed */
    const char *merged_into; /* the target's id when merged, else "" */
    const char *origin;      /* NULL for ours; a mirrored record's origin
                              * log (reg_export_mirrored_each) */
} reg_exported;

/*
 * Call fn with every published record the readers an export is meant for
 * may read: level "CLEAR" (anyone) or "GREEN" (any account of this node;
 * never AMBER or RED).  Withdrawn and merged records are included, with
 * their state.  fn returns 0 to go on, or a negative status that stops the
 * walk and is returned.
 */
OSAFE_MUST_USE int reg_export_each(registry *r, const char *level,
                    int (*fn)(void *ctx, const reg_exported *x), void *ctx,
                    osafe_err *e);

/*
 * Call fn with every record mirrored from a peer (mirrored_search.c) that
 * an export at level may carry: CLEAR ones, and GREEN ones when level is
 * "GREEN"; never AMBER.  origin: one peer log, or NULL for those of every
 * peer held.  x->body is the record's canonical JSON with its origin made
 * explicit (origin.node_url the peer, origin.log and origin.log_index in
 * its log, origin.mirrored true, and first among its references the
 * record's page at the origin), x->origin the origin log: never ours.
 * Withdrawn ones are included with their state.
 */
OSAFE_MUST_USE int reg_export_mirrored_each(
    registry *r, const char *level, const char *origin,
    int (*fn)(void *ctx, const reg_exported *x), void *ctx, osafe_err *e);

/* Up to limit mirrored records (of origin, or NULL: of every peer held)
 * that c may read whose text holds every word of q, case-folded, as an
 * array of reg_mirror_list's items (*out a new reference).  OSAFE_EINVAL
 * when q is not UTF-8. */
OSAFE_MUST_USE int reg_mirror_search(registry *r, const reg_caller *c,
                                     const char *q, const char *origin,
                                     int limit, struct json_t **out,
                                     osafe_err *e);

/* ---- imports (CLI) ------------------------------------------------------ */

/*
 * Create a record from an imported native draft, owned by caller, unless
 * source_key was imported before (then *existing is set to 1 and id to the
 * earlier record).  With publish, the record is published at once.  A
 * batch of one (reg_import_batch); OSAFE_EINVAL when the record is refused.
 */
OSAFE_MUST_USE int reg_import(registry *r, const reg_caller *c, const char *source_key,
               const char *json, size_t len, int publish, char id[32],
               int *existing, osafe_err *e);

/* One record of reg_import_batch: the caller fills source_key, json and
 * len (borrowed); the batch fills the rest. */
typedef struct reg_import_item {
    const char *source_key;
    const char *json;
    size_t len;
    int status; /* 0 imported as id, 1 imported before as id,
                   OSAFE_EINVAL rejected (why in err) */
    char id[32];
    osafe_err err;
} reg_import_item;

/*
 * Create records from imported native drafts, owned by caller, unless their
 * source_key was imported before (then status 1 and id the earlier record);
 * with publish, published at once.  Up to OSAFE_IMPORT_BATCH_MAX records:
 * one transaction and, with publish, one log append (one fsync, one signed
 * checkpoint) for the whole batch.  Every item is committed and in a signed
 * checkpoint when this returns 0; on any other status none is (a rejected
 * record is not an error: its item says so).
 */
OSAFE_MUST_USE int reg_import_batch(registry *r, const reg_caller *c, reg_import_item *items,
                     size_t n, int publish, osafe_err *e);

/* How many log entries reg_open found beyond the database's last and
 * recorded as abandoned (a crash between an append and its commit; see
 * docs/ARCHITECTURE.md). */
unsigned reg_log_abandoned(const registry *r);

#endif
