/*
 * store.h - the registry's storage interface.
 *
 * Everything the registry keeps durably goes through this table of
 * operations, so that a second backend (PostgreSQL) implements store_ops
 * and nothing above changes.  The SQLite backend (store_sqlite.c) is the
 * embedded default: one file, WAL, foreign keys, synchronous=FULL.
 *
 * Concurrency: one osafe_store handle per thread (each wraps its own
 * connection); handles of one database may be used from different threads
 * at once.  Writes that must be atomic run between store_begin() and
 * store_commit()/store_rollback(); store_begin takes the database's write
 * lock at once, so two writers serialize instead of deadlocking.
 *
 * Ownership: every pointer a store function returns inside a struct is
 * malloc'd and belongs to the caller, who releases the struct with the
 * matching *_release function.  Strings passed in are borrowed.
 *
 * Times are RFC 3339 UTC strings ("2026-11-28T10:00:00Z").
 */
#ifndef OSAFE_STORE_H
#define OSAFE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/status.h"

typedef struct osafe_store osafe_store;

typedef struct store_account {
    int64_t id;
    char name[128];
    char role[16];  /* reporter | reviewer | admin */
    char org[128];  /* "" when none */
} store_account;

/* The record as a whole (one row per record id). */
typedef struct store_record {
    char id[32];
    char state[16];       /* draft submitted published rejected withdrawn merged */
    char tlp[16];         /* of the latest version */
    char pub_tlp[16];     /* of the latest published version, "" if none */
    char org[128];        /* owning organisation, "" if none */
    int64_t owner;        /* account id of the creator */
    int version;          /* latest version */
    int published_version; /* latest published version, 0 if none */
    char merged_into[32];
    char created[32], modified[32];
} store_record;

/* One version of a record. */
typedef struct store_version {
    char record_id[32];
    int version;
    char state[16];       /* draft submitted published rejected */
    char tlp[16];
    char *body;           /* canonical JSON (RFC 8785), exact bytes */
    size_t body_len;
    int64_t author;
    char created[32], modified[32];
    char *review_reason;  /* NULL if none */
    int64_t reviewer;     /* 0 if none */
    int64_t log_index;    /* -1 until published */
    uint8_t *log_entry;   /* the exact bytes appended to the log, or NULL */
    size_t log_entry_len;
    uint8_t salt[32];     /* commitment salt (non-CLEAR), all zero if none */
    int has_salt;
} store_version;

void store_version_release(store_version *v);

/* Who may see what: the registry's rule (src/registry/tlp.c), which the
 * backend applies row by row inside its queries (so that pagination stays
 * exact): reads(who, owner, org, tlp, published) is 1 if the caller may
 * read a version at level tlp of a record owned by account owner of
 * organisation org ("" if none), published or not. */
typedef struct store_visibility {
    int (*reads)(const void *who, int64_t owner, const char *org,
                 const char *tlp, int published);
    const void *who;      /* borrowed; passed back to reads */
} store_visibility;

typedef struct store_filter {
    const char *state, *hazard, *severity, *country, *model, *language, *tlp;
    const char *since, *until; /* on the version's occurred_start date */
    const char *cursor;        /* record id to continue after ("" = start) */
    int limit;
    /* Order (issue 16 item 7): NULL or "id" (record id, the only order a
     * cursor continues), "newest"/"oldest" (the shown version's time),
     * "date" (occurred, latest first), "severity" (most severe first),
     * "title" (A-Z, case-insensitive).  offset skips that many rows:
     * numbered pages. */
    const char *sort;
    int offset;
} store_filter;

/* A page of record ids with the version the caller may see of each. */
typedef struct store_page {
    size_t n;
    char (*ids)[32];
    int *versions;
    char next_cursor[32]; /* "" when this is the last page */
    int64_t total;        /* list: every match, all pages; search: -1 */
} store_page;

void store_page_release(store_page *p);

/* A page of published evaluation runs, newest first. */
typedef struct store_eval_row {
    char id[32];
    char created[32];
    int64_t log_index;
    char *body;           /* canonical JSON, exact bytes (malloc'd) */
    size_t body_len;
} store_eval_row;

typedef struct store_eval_page {
    size_t n;
    store_eval_row *rows;
    char next_cursor[32]; /* "" when this is the last page */
} store_eval_page;

void store_eval_page_release(store_eval_page *p);

/* ---- samples of a published evaluation (issue 16 item 10) ----
 * One row per line of the run's samples.jsonl, in file order; the line's
 * exact bytes are kept (body), the columns only serve filters. */
typedef struct store_sample {
    int64_t index;        /* 0-based line number in samples.jsonl */
    char hazard[64];      /* OSAFE_SAMPLE_FIELD_MAX; "" when none */
    char lang[64];
    char label[64];
    char outcome[8];      /* "pass", "fail" or "error" (not scored) */
    double score;         /* meaningful when has_score */
    int has_score;
    int error;            /* 1: not scored (the line's "error" is set) */
    int needs_review;
    char *body;           /* the line without its newline (malloc'd) */
    size_t body_len;
} store_sample;

void store_sample_release(store_sample *x);

/* How far the upload of an evaluation's samples got. */
typedef struct store_sample_state {
    int64_t author;       /* who published the evaluation */
    int withdrawn;        /* the evaluation is withdrawn */
    int64_t received;     /* bytes of samples.jsonl stored */
    int64_t samples;      /* lines stored */
    int complete;         /* their SHA-256 matched samples_sha256 */
} store_sample_state;

/* Filters of a sample page; NULL strings and -1 flags: any. */
typedef struct store_sample_filter {
    const char *hazard, *lang, *label;
    const char *outcome;  /* "pass", "fail", "error" */
    int has_score;        /* 1: score equals score */
    double score;
    int error, needs_review;
    int64_t offset;       /* rows to skip (numbered pages) */
    int limit;
} store_sample_filter;

typedef struct store_sample_page {
    size_t n;
    store_sample *rows;   /* by line number */
    int64_t total;        /* every match, all pages */
} store_sample_page;

void store_sample_page_release(store_sample_page *p);
/* One reviewer's label of one sample of a published evaluation run (issue
 * 15, human review): the latest per sample.  The sample's automatic label
 * and expected behaviour are copied in when it is labelled, so that the
 * corrected figures are counted here without reading the samples. */
typedef struct store_review {
    char evaluation_id[32];
    int64_t sample_index;
    char label[64];         /* full_compliance full_refusal partial_refusal */
    char automatic[64];     /* the classifier's label of the sample */
    char expected[16];      /* "comply", "refuse" or "" */
    int64_t reviewer;       /* account id */
    char reviewer_name[128];
    char reviewed[32];      /* RFC 3339 UTC */
    int64_t log_index;      /* the osafe.evaluation-review/v1 entry */
} store_review;

/* How many samples of a run carry each (expected, automatic, label). */
typedef struct store_review_count {
    char expected[16];
    char automatic[64];
    char label[64];
    int64_t n;
} store_review_count;

/* At most 2 x 4 x 3 combinations exist; room for odd stored values. */
#define STORE_REVIEW_COUNTS_MAX 64

/* A web session: the SHA-256 (hex) of its cookie value, never the value. */
typedef struct store_session {
    char id_hash[65];
    int64_t account;
    char csrf[65];
    int64_t created, expires; /* Unix seconds */
} store_session;

/* Federation (src/federation/, issue 12): a peer whose log this node
 * mirrors.  checkpoint is the last signed checkpoint accepted from it
 * (malloc'd note text, NULL if none); entries [0, taken) of its log have
 * been read, and taken_root is the Merkle root of exactly those (computed
 * here from verified entries, so that a resumed sync starts from a root
 * it can trust). */
typedef struct store_peer {
    char url[512];
    char origin[257];
    char vkey[512];
    char token_env[128];  /* "" when none */
    char state[16];       /* active | frozen */
    char *checkpoint;
    int64_t size;         /* of checkpoint; 0 if none */
    int64_t taken;
    uint8_t taken_root[32];
    int64_t seen_size;    /* the latest checkpoint it served, accepted or not */
    char last_sync[32];   /* "" if never */
    char last_error[512]; /* "" when the last sync succeeded */
    char added[32];
} store_peer;

void store_peer_release(store_peer *p);

/* A witness this node asks to cosign its own checkpoints (issue 12,
 * federation/witness_collect.c): its submission prefix (requests go to
 * url/add-checkpoint), its cosigner key (the type-0x01 "name+id+base64"
 * .vkey of `osafe key generate`; the cosignature key ID is derived), and
 * what it last did for us. */
typedef struct store_cosigner {
    char url[512];
    char vkey[512];
    char name[257];
    int64_t size;         /* the size it last cosigned for us (our next
                           * request's `old`), 0 if none */
    char *note;           /* the signed checkpoint it cosigned (malloc'd,
                           * NULL if none) */
    char cosig[400];      /* its verified cosignature line of note, without
                           * the newline ("" if none) */
    int64_t cosig_time;   /* the cosignature's timestamp */
    char last_try[32];    /* "" if never */
    char last_error[512]; /* "" when the last request succeeded */
    char added[32];
} store_cosigner;

void store_cosigner_release(store_cosigner *c);

/* A GREEN/AMBER record of a peer whose served bytes did not match the
 * commitment in its (verified) log: kept so that later syncs fetch it
 * again (federation/retry.c) until it matches or its origin withdraws it.
 * The commitment fields are copied from the verified log entry. */
typedef struct store_refused {
    char peer_url[512];
    int64_t log_index;
    char origin[257];
    char origin_id[32];
    int version;
    char tlp[16];
    char commitment[65];
    char why[512];   /* the last refusal */
    int64_t tries;   /* fetches refused so far */
    char first[32];  /* when it was first refused */
} store_refused;

/* A record mirrored from a peer: the latest CLEAR version its log holds,
 * with its provenance. */
typedef struct store_mirror {
    char origin[257];
    char origin_id[32];
    int version;
    int64_t origin_log_index;
    char peer_url[512];
    int64_t checkpoint_size; /* the peer checkpoint (origin, size) covering it */
    char *body;              /* the entry's exact bytes, NUL-terminated
                              * (malloc'd on get) */
    size_t body_len;
    char withdrawn[32];      /* "" unless withdrawn */
    char created[32];
    /* GREEN and AMBER records come through the peer's API (their log
     * entry is a salted commitment): the level they keep here, the
     * organisation the origin filed them under ("" unknown), and the
     * commitment's salt (hex; "" for CLEAR) so that anyone can check the
     * body against the origin's log again. */
    char tlp[16];            /* "" is read as CLEAR (rows before these) */
    char org[128];
    char salt[65];
} store_mirror;

struct store_ops {
    void (*close)(osafe_store *s);
    OSAFE_MUST_USE int (*begin)(osafe_store *s, osafe_err *e);
    OSAFE_MUST_USE int (*commit)(osafe_store *s, osafe_err *e);
    void (*rollback)(osafe_store *s);

    OSAFE_MUST_USE int (*account_create)(osafe_store *s, const char *name, const char *role,
                          const char *org, const char *token_hash,
                          int64_t *id, osafe_err *e);
    OSAFE_MUST_USE int (*account_by_token)(osafe_store *s, const char *token_hash,
                            store_account *a, osafe_err *e);
    OSAFE_MUST_USE int (*account_count)(osafe_store *s, int64_t *n, osafe_err *e);

    /* Mint the next id "PREFIX-YYYY-NNNNN" (inside a transaction). */
    OSAFE_MUST_USE int (*next_id)(osafe_store *s, const char *prefix, int year, char out[32],
                   osafe_err *e);
    OSAFE_MUST_USE int (*record_insert)(osafe_store *s, const store_record *r,
                         osafe_err *e);
    OSAFE_MUST_USE int (*record_update)(osafe_store *s, const store_record *r,
                         osafe_err *e);
    OSAFE_MUST_USE int (*record_get)(osafe_store *s, const char *id, store_record *r,
                      osafe_err *e);
    /* Insert or replace version (record_id, version). */
    OSAFE_MUST_USE int (*version_put)(osafe_store *s, const store_version *v, osafe_err *e);
    OSAFE_MUST_USE int (*version_get)(osafe_store *s, const char *id, int version,
                       store_version *v, osafe_err *e);
    /* Replace the search text of a record's published version
     * (published = 1) or of its latest working version (0); all languages
     * in one string.  Search matches each against who may see it. */
    OSAFE_MUST_USE int (*index_put)(osafe_store *s, const char *id, int published,
                     const char *text, osafe_err *e);
    OSAFE_MUST_USE int (*list)(osafe_store *s, const store_visibility *vis,
                const store_filter *f, store_page *out, osafe_err *e);
    OSAFE_MUST_USE int (*search)(osafe_store *s, const store_visibility *vis,
                  const char *query, int limit, store_page *out,
                  osafe_err *e);

    OSAFE_MUST_USE int (*link_put)(osafe_store *s, const char *from, const char *to,
                    const char *relation, int64_t author, osafe_err *e);
    /* JSON array text of {"from","to","relation","created"} (caller frees) */
    OSAFE_MUST_USE int (*links_json)(osafe_store *s, const char *id, char **json,
                      osafe_err *e);
    /* salt: the 32 bytes of the logged commitment's salt, or NULL */
    OSAFE_MUST_USE int (*evidence_put)(osafe_store *s, const char *id, const char *body,
                        size_t len, int64_t author, int64_t log_index,
                        const uint8_t *salt, int64_t *evidence_id,
                        osafe_err *e);

    /* Imports: source key -> record id, for idempotence. */
    OSAFE_MUST_USE int (*source_get)(osafe_store *s, const char *key, char id[32],
                      osafe_err *e);
    OSAFE_MUST_USE int (*source_put)(osafe_store *s, const char *key, const char *id,
                      osafe_err *e);

    /* Highest log index any row holds (-1 if none). */
    OSAFE_MUST_USE int (*max_log_index)(osafe_store *s, int64_t *out, osafe_err *e);

    /* Published evaluation runs (canonical JSON, exact bytes). */
    OSAFE_MUST_USE int (*evaluation_put)(osafe_store *s, const char *id, const char *body,
                          size_t len, int64_t author, int64_t log_index,
                          const void *entry, size_t entry_len, osafe_err *e);
    OSAFE_MUST_USE int (*evaluation_get)(osafe_store *s, const char *id, char **body,
                          size_t *len, int64_t *log_index, osafe_err *e);
    /* Up to limit runs, newest first, after the run cursor ("" or NULL:
     * from the newest).  Evaluations are public: no visibility. */
    OSAFE_MUST_USE int (*evaluation_list)(osafe_store *s, int limit, const char *cursor,
                           store_eval_page *out, osafe_err *e);

    /* Four eyes: every account that wrote part of version (id, version),
     * its author included.  editor_add records one (again: no change);
     * edited_by sets *yes to 1 if account is among them. */
    OSAFE_MUST_USE int (*editor_add)(osafe_store *s, const char *id, int version,
                      int64_t account, osafe_err *e);
    OSAFE_MUST_USE int (*edited_by)(osafe_store *s, const char *id, int version,
                     int64_t account, int *yes, osafe_err *e);
    /* Mark a run withdrawn (inside a transaction; the caller has checked
     * that it exists and is not withdrawn, and logged the withdrawal at
     * log_index).  Withdrawn runs leave evaluation_list; evaluation_get
     * answers OSAFE_ESTATE naming the date and the reason. */
    OSAFE_MUST_USE int (*evaluation_withdraw)(osafe_store *s, const char *id,
                               const char *reason, int64_t by,
                               int64_t log_index, const void *entry,
                               size_t entry_len, osafe_err *e);
    /* Web sessions: store one (dropping expired ones, and the oldest of
     * its account past per_account), read a live one with its account
     * (OSAFE_ENOTFOUND: none or expired), drop one. */
    OSAFE_MUST_USE int (*session_put)(osafe_store *s, const store_session *ss,
                       int per_account, osafe_err *e);
    OSAFE_MUST_USE int (*session_get)(osafe_store *s, const char *id_hash, int64_t now,
                       store_session *ss, store_account *a, osafe_err *e);
    OSAFE_MUST_USE int (*session_drop)(osafe_store *s, const char *id_hash, osafe_err *e);
    /* Log entries no other row holds, by index (replaced if there):
     * kind "withdrawal" (or the kind of any other entry without a row of
     * its own), "abandoned" (found beyond the database after a crash
     * between an append and its commit), "reused" (an abandoned entry a
     * retried publication took, see reg__publish). */
    OSAFE_MUST_USE int (*log_extra_put)(osafe_store *s, int64_t index, const char *kind,
                         const char *record_id, int version,
                         const void *entry, size_t len, osafe_err *e);
    /* The newest abandoned entry for record_id's version (malloc'd, the
     * caller frees), or OSAFE_ENOTFOUND. */
    OSAFE_MUST_USE int (*log_orphan_get)(osafe_store *s, const char *record_id, int version,
                          int64_t *index, uint8_t **entry, size_t *len,
                          osafe_err *e);
    /* The run published with these samples (body.samples_sha256, 64 hex
     * digits), withdrawn or not (*withdrawn 1), so that publishing one run
     * twice makes one evaluation; OSAFE_ENOTFOUND if none. */
    OSAFE_MUST_USE int (*evaluation_find)(osafe_store *s, const char *samples_sha256,
                           char id[32], int *withdrawn, osafe_err *e);
    /* Remove record id and everything that hangs on it; only for a record
     * never published (the caller checks): the log holds nothing of it. */
    OSAFE_MUST_USE int (*record_discard)(osafe_store *s, const char *id,
                                         osafe_err *e);
    /* Samples of a published evaluation (issue 16 item 10).
     * samples_state: the upload's state (all zero but author when none
     * began); OSAFE_ENOTFOUND when there is no such evaluation. */
    OSAFE_MUST_USE int (*samples_state)(osafe_store *s, const char *eval_id,
                                        store_sample_state *st, osafe_err *e);
    /* The chunk stored at byte offset (its length and SHA-256, hex), or
     * OSAFE_ENOTFOUND. */
    OSAFE_MUST_USE int (*samples_chunk)(osafe_store *s, const char *eval_id,
                                        int64_t offset, int64_t *len,
                                        char sha256[65], osafe_err *e);
    /* Append one chunk (inside a transaction): len bytes at offset, which
     * must be the bytes received so far (else OSAFE_ESTATE), holding the
     * n lines rows (their index fields are ignored: they number on from
     * the lines stored).  Refused once the upload is complete. */
    OSAFE_MUST_USE int (*samples_append)(osafe_store *s, const char *eval_id,
                                         int64_t offset, int64_t len,
                                         const char *sha256,
                                         const store_sample *rows, size_t n,
                                         osafe_err *e);
    /* SHA-256 of the stored lines, each followed by a newline, in order:
     * the bytes of the samples.jsonl they came from. */
    OSAFE_MUST_USE int (*samples_digest)(osafe_store *s, const char *eval_id,
                                         uint8_t out[32], osafe_err *e);
    /* complete 1: mark the upload complete; 0: discard it (rows, chunks
     * and state), so that it starts again at offset 0 (OSAFE_ESTATE once
     * complete: complete samples are never discarded). */
    OSAFE_MUST_USE int (*samples_finish)(osafe_store *s, const char *eval_id,
                                         int complete, osafe_err *e);
    /* A page of the stored samples matching f, by line number, and the
     * number of all matches; complete or not (the caller decides). */
    OSAFE_MUST_USE int (*samples_page)(osafe_store *s, const char *eval_id,
                                       const store_sample_filter *f,
                                       store_sample_page *out, osafe_err *e);
    /* One sample by line number, or OSAFE_ENOTFOUND. */
    OSAFE_MUST_USE int (*sample_get)(osafe_store *s, const char *eval_id,
                                     int64_t index, store_sample *out,
                                     osafe_err *e);
    /* Human review of evaluation samples (store_sqlite_reviews.c).
     * review_put inserts or replaces the label of (evaluation_id,
     * sample_index) inside the caller's transaction; review_get reads one
     * (OSAFE_ENOTFOUND if none) and, when entry is not NULL, the log entry
     * that published it (malloc'd, the caller frees); review_list fills
     * *rows (malloc'd, the caller frees) with up to limit labels of a run
     * after sample index `after`, by sample index; review_counts fills
     * out[] (STORE_REVIEW_COUNTS_MAX) with the run's labels counted. */
    OSAFE_MUST_USE int (*review_put)(osafe_store *s, const store_review *rv,
                                     osafe_err *e);
    OSAFE_MUST_USE int (*review_get)(osafe_store *s, const char *eval_id,
                                     int64_t sample_index, store_review *rv,
                                     uint8_t **entry, size_t *entry_len,
                                     osafe_err *e);
    OSAFE_MUST_USE int (*review_list)(osafe_store *s, const char *eval_id,
                                      int64_t after, int limit,
                                      store_review **rows, size_t *n,
                                      osafe_err *e);
    OSAFE_MUST_USE int (*review_counts)(osafe_store *s, const char *eval_id,
                                        store_review_count *out, size_t *n,
                                        osafe_err *e);
    /* Inside a write transaction: STORE_SP_MARK a savepoint, then
     * STORE_SP_KEEP (release it) or STORE_SP_UNDO (back to it, then release
     * it); one level.  The group-commit sequencer (registry/sequencer.c)
     * undoes one failed publication without losing its batch.  An UNDO
     * that leaves no transaction open (SQLite rolled it all back, e.g. on
     * a full disk) fails: the batch is lost and the caller rolls back. */
    OSAFE_MUST_USE int (*savepoint)(osafe_store *s, int op, osafe_err *e);

    /* ---- federation (store_sqlite_peers.c, issue 12) ---- */
    /* create 1: insert (OSAFE_EEXIST if url is there); 0: update the
     * mutable fields of an existing peer (OSAFE_ENOTFOUND if none). */
    OSAFE_MUST_USE int (*peer_put)(osafe_store *s, const store_peer *p,
                                   int create, osafe_err *e);
    /* OSAFE_ENOTFOUND if none; release p with store_peer_release. */
    OSAFE_MUST_USE int (*peer_get)(osafe_store *s, const char *url,
                                   store_peer *p, osafe_err *e);
    /* Every peer by url (the caller frees each with store_peer_release,
     * then the array). */
    OSAFE_MUST_USE int (*peer_list)(osafe_store *s, store_peer **out,
                                    size_t *n, osafe_err *e);
    /* Forget a peer (OSAFE_ENOTFOUND if none); its mirrored records and
     * evidence stay (they were verified; the evidence is evidence). */
    OSAFE_MUST_USE int (*peer_remove)(osafe_store *s, const char *url,
                                      osafe_err *e);
    /* Keep an accepted signed checkpoint of origin (the one mirrored
     * records name); again: no change. */
    OSAFE_MUST_USE int (*peer_checkpoint_put)(osafe_store *s,
                                              const char *origin, int64_t size,
                                              const char *note, osafe_err *e);
    /* Store a mirrored record, replacing an older version of the same
     * (origin, origin_id); an older or equal version than the one held
     * changes nothing and answers OSAFE_EEXIST (a replay). */
    OSAFE_MUST_USE int (*mirror_put)(osafe_store *s, const store_mirror *m,
                                     osafe_err *e);
    /* OSAFE_ENOTFOUND if none; the caller frees m->body. */
    OSAFE_MUST_USE int (*mirror_get)(osafe_store *s, const char *origin,
                                     const char *origin_id, store_mirror *m,
                                     osafe_err *e);
    /* Mark (origin, origin_id) withdrawn at version (ENOTFOUND if not
     * held: nothing to withdraw). */
    OSAFE_MUST_USE int (*mirror_withdraw)(osafe_store *s, const char *origin,
                                          const char *origin_id, int version,
                                          int64_t log_index, osafe_err *e);
    /* Up to limit mirrored records of origin (NULL: all), withdrawn ones
     * included, by origin then id, those of origin after origin_id
     * `after` only (NULL or "": from the first): *n of them in *out
     * (freed with store_mirror_list_release). */
    OSAFE_MUST_USE int (*mirror_list)(osafe_store *s, const char *origin,
                                      const char *after, int limit,
                                      store_mirror **out, size_t *n,
                                      osafe_err *e);
    /* Evidence of a split view: two signed checkpoints of one origin that
     * cannot both be honest, and the consistency proof the peer's own
     * tiles gave (JSON, "" when the sizes are equal). */
    OSAFE_MUST_USE int (*split_put)(osafe_store *s, const char *peer_url,
                                    const char *origin, const char *old_note,
                                    const char *new_note, const char *proof,
                                    const char *reason, osafe_err *e);
    /* The newest evidence against peer_url (malloc'd texts the caller
     * frees), or OSAFE_ENOTFOUND. */
    OSAFE_MUST_USE int (*split_get)(osafe_store *s, const char *peer_url,
                                    char **old_note, char **new_note,
                                    char **proof, char **reason,
                                    osafe_err *e);
    /* The witness's state for origin: the size, root and note of the
     * latest checkpoint it cosigned (*note malloc'd, the caller frees),
     * or OSAFE_ENOTFOUND; put replaces it (inside the caller's
     * transaction, so that compare-then-store is atomic). */
    OSAFE_MUST_USE int (*witness_get)(osafe_store *s, const char *origin,
                                      int64_t *size, uint8_t root[32],
                                      char **note, osafe_err *e);
    OSAFE_MUST_USE int (*witness_put)(osafe_store *s, const char *origin,
                                      int64_t size, const uint8_t root[32],
                                      const char *note, osafe_err *e);
    /* ---- our own witnesses (store_*_cosigners.c, issue 12) ---- */
    /* create: insert (OSAFE_EEXIST if the url is one already); else update
     * the state fields (size, note, cosig, cosig_time, last_try,
     * last_error) of an existing one (OSAFE_ENOTFOUND if removed). */
    OSAFE_MUST_USE int (*cosigner_put)(osafe_store *s,
                                       const store_cosigner *c, int create,
                                       osafe_err *e);
    /* Every witness by url (the caller frees each with
     * store_cosigner_release, then the array). */
    OSAFE_MUST_USE int (*cosigner_list)(osafe_store *s, store_cosigner **out,
                                        size_t *n, osafe_err *e);
    /* OSAFE_ENOTFOUND if none. */
    OSAFE_MUST_USE int (*cosigner_remove)(osafe_store *s, const char *url,
                                          osafe_err *e);
    /* ---- evaluations mirrored from peers' logs (store_*_mevals.c,
     * issue 12): a store_mirror again, version 1, tlp/org/salt unused ----
     * Store one; OSAFE_EEXIST if (origin, origin_id) is held (a replay:
     * a published evaluation is never amended). */
    OSAFE_MUST_USE int (*meval_put)(osafe_store *s, const store_mirror *m,
                                    osafe_err *e);
    /* Mark (origin, origin_id) withdrawn by the entry at log_index
     * (OSAFE_ENOTFOUND if not held or withdrawn already). */
    OSAFE_MUST_USE int (*meval_withdraw)(osafe_store *s, const char *origin,
                                         const char *origin_id,
                                         int64_t log_index, osafe_err *e);
    /* As mirror_list, over the mirrored evaluations. */
    OSAFE_MUST_USE int (*meval_list)(osafe_store *s, const char *origin,
                                     const char *after, int limit,
                                     store_mirror **out, size_t *n,
                                     osafe_err *e);
    /* ---- refused GREEN/AMBER records (store_*_peers.c, issue 12) ---- */
    /* Insert r (tries 1), or for (peer_url, log_index) already there,
     * replace why and count one more try. */
    OSAFE_MUST_USE int (*refused_put)(osafe_store *s, const store_refused *r,
                                      osafe_err *e);
    /* The first limit of peer_url's by log index into *out (malloc'd, the
     * caller frees; NULL when none) and *total, how many it has in all
     * (limit 0: only the total). */
    OSAFE_MUST_USE int (*refused_list)(osafe_store *s, const char *peer_url,
                                       size_t limit, store_refused **out,
                                       size_t *n, int64_t *total,
                                       osafe_err *e);
    /* Forget peer_url's entry at log_index, or (log_index < 0) every
     * entry of origin_id; none is not an error. */
    OSAFE_MUST_USE int (*refused_drop)(osafe_store *s, const char *peer_url,
                                       int64_t log_index,
                                       const char *origin_id, osafe_err *e);
    /* Bulk writes inside a write transaction (an import batch): after
     * STORE_DEFER_ON the backend may hold back the statements that return
     * nothing (inserts, updates) and send them together, before the next
     * statement that reads, savepoint or commit, or at STORE_DEFER_FLUSH
     * (which ends the mode; a held-back failure is reported there or by
     * that next statement).  STORE_DEFER_DROP ends it dropping what is
     * held (the caller then undoes its savepoint or rolls back).
     * SQLite: nothing to gain (a statement is a function call), a no-op. */
    OSAFE_MUST_USE int (*defer)(osafe_store *s, int mode, osafe_err *e);
};

enum { STORE_SP_MARK, STORE_SP_KEEP, STORE_SP_UNDO };
enum { STORE_DEFER_ON, STORE_DEFER_FLUSH, STORE_DEFER_DROP };

void store_mirror_list_release(store_mirror *m, size_t n);

struct osafe_store {
    const struct store_ops *ops;
};

/* Open (creating and migrating as needed) the SQLite database at path. */
OSAFE_MUST_USE int store_sqlite_open(const char *path, osafe_store **out, osafe_err *e);
/* Connect to a PostgreSQL database (a libpq connection string or URL)
 * and migrate it as needed (store_pg.c). */
OSAFE_MUST_USE int store_pg_open(const char *conninfo, osafe_store **out,
                                 osafe_err *e);
/* What --db names: "postgresql://..." or "postgres://..." (PostgreSQL),
 * else an SQLite file, optionally written "sqlite:FILE". */
OSAFE_MUST_USE int store_open(const char *spec, osafe_store **out, osafe_err *e);
/* spec as it may be shown (logs, messages): a PostgreSQL URL's password
 * replaced by "***"; truncated to n - 1 bytes. */
void store_spec_redact(const char *spec, char *out, size_t n);
/* 1 when spec names a PostgreSQL database. */
int store_is_pg(const char *spec);
/* spec as it may be shown or logged: a URL's password replaced by "***"
 * (postgresql://user:secret@host/db -> postgresql://user:***@host/db);
 * cut to n bytes. */
void store_spec_redact(const char *spec, char *out, size_t n);

/* `osafe migrate` (store_copy.c): copy the SQLite registry at path from
 * into the PostgreSQL database to (created and migrated as needed), rows
 * the target lacks only: resumable and idempotent.  counts[i] says, per
 * table (the last one "search_text"), how many rows the source has and
 * how many this call wrote; *n how many entries are filled (also on
 * failure: the tables done so far).  table points to a static string. */
typedef struct store_copy_count {
    const char *table;
    int64_t source, copied;
} store_copy_count;
#define STORE_COPY_TABLES 24
OSAFE_MUST_USE int store_copy_sqlite_pg(const char *from, const char *to,
                                        store_copy_count counts[STORE_COPY_TABLES],
                                        size_t *n, osafe_err *e);

/* Current time as RFC 3339 UTC (second precision). */
void store_now(char out[32]);

#endif
