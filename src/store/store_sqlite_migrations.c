/*
 * store_sqlite_migrations.c - the SQLite schema as numbered migrations.
 *
 * Migration N (1-based) brings a database at PRAGMA user_version N-1 to N;
 * store_sqlite.c runs those a database lacks at open, each in its own
 * transaction.  Never edit a migration that has shipped: add one.
 */
#include <stddef.h>

#include "store/store_sqlite_int.h"

const char *const sq__migrations[] = {
    /* 1: the registry's first schema */
    "CREATE TABLE accounts("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  role TEXT NOT NULL CHECK (role IN ('reporter','reviewer','admin')),"
    "  org TEXT NOT NULL DEFAULT '',"
    "  token_hash TEXT NOT NULL UNIQUE,"
    "  created TEXT NOT NULL);"
    "CREATE TABLE records("
    "  id TEXT PRIMARY KEY,"
    "  state TEXT NOT NULL,"
    "  tlp TEXT NOT NULL,"
    "  pub_tlp TEXT NOT NULL DEFAULT '',"
    "  org TEXT NOT NULL DEFAULT '',"
    "  owner INTEGER NOT NULL REFERENCES accounts(id),"
    "  version INTEGER NOT NULL,"
    "  published_version INTEGER NOT NULL DEFAULT 0,"
    "  merged_into TEXT NOT NULL DEFAULT '',"
    "  created TEXT NOT NULL,"
    "  modified TEXT NOT NULL);"
    "CREATE TABLE versions("
    "  record_id TEXT NOT NULL REFERENCES records(id),"
    "  version INTEGER NOT NULL,"
    "  state TEXT NOT NULL,"
    "  tlp TEXT NOT NULL,"
    "  body TEXT NOT NULL CHECK (json_valid(body)),"
    "  author INTEGER REFERENCES accounts(id),"
    "  created TEXT NOT NULL,"
    "  modified TEXT NOT NULL,"
    "  review_reason TEXT,"
    "  reviewer INTEGER,"
    "  log_index INTEGER,"
    "  log_entry BLOB,"
    "  salt BLOB,"
    "  PRIMARY KEY (record_id, version));"
    "CREATE UNIQUE INDEX versions_log ON versions(log_index)"
    "  WHERE log_index IS NOT NULL;"
    "CREATE TABLE links("
    "  from_id TEXT NOT NULL REFERENCES records(id),"
    "  to_id TEXT NOT NULL REFERENCES records(id),"
    "  relation TEXT NOT NULL,"
    "  author INTEGER,"
    "  created TEXT NOT NULL,"
    "  PRIMARY KEY (from_id, to_id, relation));"
    "CREATE TABLE evidence("
    "  id INTEGER PRIMARY KEY,"
    "  record_id TEXT NOT NULL REFERENCES records(id),"
    "  body TEXT NOT NULL CHECK (json_valid(body)),"
    "  author INTEGER,"
    "  log_index INTEGER,"
    "  created TEXT NOT NULL);"
    "CREATE TABLE sources("
    "  source_key TEXT PRIMARY KEY,"
    "  record_id TEXT NOT NULL REFERENCES records(id),"
    "  created TEXT NOT NULL);"
    "CREATE TABLE counters(name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
    /* Two indexes over the same text: words (case- and accent-folded, for
     * scripts that separate words) and trigrams (substrings, for Chinese,
     * Japanese and anything unicode61 cannot split). */
    "CREATE VIRTUAL TABLE fts_words USING fts5(record_id UNINDEXED,"
    "  published UNINDEXED, text, tokenize = 'unicode61 remove_diacritics 2');"
    "CREATE VIRTUAL TABLE fts_tri USING fts5(record_id UNINDEXED,"
    "  published UNINDEXED, text, tokenize = 'trigram');",
    /* 2: published evaluation runs */
    "CREATE TABLE evaluations("
    "  id TEXT PRIMARY KEY,"
    "  body TEXT NOT NULL CHECK (json_valid(body)),"
    "  author INTEGER REFERENCES accounts(id),"
    "  log_index INTEGER UNIQUE,"
    "  log_entry BLOB,"
    "  created TEXT NOT NULL);",
    /* 3: four eyes (every account that wrote part of a version, so that
     * none of them accepts it) and the salts of evidence commitments */
    "CREATE TABLE version_editors("
    "  record_id TEXT NOT NULL REFERENCES records(id),"
    "  version INTEGER NOT NULL,"
    "  account INTEGER NOT NULL REFERENCES accounts(id),"
    "  PRIMARY KEY (record_id, version, account));"
    "INSERT INTO version_editors SELECT record_id, version, author "
    "  FROM versions WHERE author IS NOT NULL;"
    "ALTER TABLE evidence ADD COLUMN salt BLOB;",
    /* 4: withdrawn evaluations and web sessions (issue 9 items 2, 7): a
     * withdrawal keeps the run (it is in the log) and is logged itself;
     * sessions are kept by the SHA-256 of their id, so a restart does not
     * log everyone out and the table yields no usable cookie. */
    "ALTER TABLE evaluations ADD COLUMN withdrawn TEXT;"
    "ALTER TABLE evaluations ADD COLUMN withdrawn_by INTEGER;"
    "ALTER TABLE evaluations ADD COLUMN withdraw_reason TEXT;"
    "ALTER TABLE evaluations ADD COLUMN withdraw_log_index INTEGER;"
    "ALTER TABLE evaluations ADD COLUMN withdraw_entry BLOB;"
    "CREATE UNIQUE INDEX evaluations_withdraw_log ON "
    "  evaluations(withdraw_log_index) WHERE withdraw_log_index IS NOT NULL;"
    "CREATE TABLE sessions("
    "  id_hash TEXT PRIMARY KEY,"
    "  account INTEGER NOT NULL REFERENCES accounts(id),"
    "  csrf TEXT NOT NULL,"
    "  created INTEGER NOT NULL,"
    "  expires INTEGER NOT NULL);"
    "CREATE INDEX sessions_account ON sessions(account, created);"
    "CREATE INDEX sessions_expires ON sessions(expires);",
    /* 5: fts_keys - one stable rowid per (record, published) for both text
     * indexes, so that re-indexing a record deletes by rowid instead of
     * scanning the whole index (record_id is UNINDEXED in FTS5): imports
     * were quadratic.  Existing rows are renumbered to their key. */
    "CREATE TABLE fts_keys("
    "  id INTEGER PRIMARY KEY,"
    "  record_id TEXT NOT NULL,"
    "  published INTEGER NOT NULL,"
    "  UNIQUE (record_id, published));"
    "INSERT OR IGNORE INTO fts_keys(record_id, published)"
    "  SELECT record_id, published FROM fts_words"
    "  UNION SELECT record_id, published FROM fts_tri;"
    "CREATE TEMP TABLE fts_move AS"
    "  SELECT k.id AS id, f.record_id AS record_id, f.published AS published,"
    "         f.text AS text FROM fts_words f JOIN fts_keys k"
    "  ON k.record_id = f.record_id AND k.published = f.published"
    "  WHERE f.rowid IN (SELECT max(rowid) FROM fts_words"
    "                    GROUP BY record_id, published);"
    "DELETE FROM fts_words;"
    "INSERT INTO fts_words(rowid, record_id, published, text)"
    "  SELECT id, record_id, published, text FROM fts_move;"
    "DELETE FROM fts_move;"
    "INSERT INTO fts_move"
    "  SELECT k.id, f.record_id, f.published, f.text FROM fts_tri f"
    "  JOIN fts_keys k"
    "  ON k.record_id = f.record_id AND k.published = f.published"
    "  WHERE f.rowid IN (SELECT max(rowid) FROM fts_tri"
    "                    GROUP BY record_id, published);"
    "DELETE FROM fts_tri;"
    "INSERT INTO fts_tri(rowid, record_id, published, text)"
    "  SELECT id, record_id, published, text FROM fts_move;"
    "DROP TABLE fts_move;",
    /* 6: log_extra - log entries no version, evidence or evaluation row
     * holds, so that the database accounts for every entry: withdrawals
     * ('withdrawal'; any other kind of entry without a row of its own
     * names its kind here), and entries a crash left beyond the last
     * commit ('abandoned', or 'reused' once a retried publication of the
     * same content took one). */
    "CREATE TABLE log_extra("
    "  log_index INTEGER PRIMARY KEY,"
    "  kind TEXT NOT NULL,"
    "  record_id TEXT NOT NULL DEFAULT '',"
    "  version INTEGER NOT NULL DEFAULT 0,"
    "  entry BLOB NOT NULL,"
    "  created TEXT NOT NULL);"
    "CREATE INDEX log_extra_record ON log_extra(record_id, version);",
    /* 7: fold_arabic_search - both text indexes drop Arabic harakat,
     * shadda and tatweel (store_fold.c, issue 16 item 8); text indexed
     * before is folded the same way, so that old records are found too. */
    "UPDATE fts_words SET text = osafe_fold(text);"
    "UPDATE fts_tri SET text = osafe_fold(text);",
    /* 8: evaluation_samples - the samples of a published run (issue 16
     * item 10): one row per line of its samples.jsonl, the exact bytes
     * kept so that the registry hashes what it serves against the
     * samples_sha256 the log holds; sample_uploads says how far an upload
     * got (complete once the digest matched), sample_chunks which chunk
     * began where, so that a replayed chunk is recognised.  Each filter
     * has an index led by its column and ordered by line, covering every
     * filter column, so that a filtered page never reads the table. */
    "CREATE TABLE sample_uploads("
    "  id INTEGER PRIMARY KEY,"
    "  eval_id TEXT NOT NULL UNIQUE REFERENCES evaluations(id),"
    "  received INTEGER NOT NULL DEFAULT 0,"
    "  samples INTEGER NOT NULL DEFAULT 0,"
    "  complete TEXT,"
    "  modified TEXT NOT NULL);"
    "CREATE TABLE sample_chunks("
    "  upload INTEGER NOT NULL REFERENCES sample_uploads(id),"
    "  offset INTEGER NOT NULL,"
    "  len INTEGER NOT NULL,"
    "  sha256 TEXT NOT NULL,"
    "  PRIMARY KEY (upload, offset));"
    "CREATE TABLE evaluation_samples("
    "  id INTEGER PRIMARY KEY,"
    "  upload INTEGER NOT NULL REFERENCES sample_uploads(id),"
    "  idx INTEGER NOT NULL,"
    "  hazard TEXT NOT NULL,"
    "  lang TEXT NOT NULL,"
    "  label TEXT NOT NULL,"
    "  outcome TEXT NOT NULL,"
    "  score REAL,"
    "  error INTEGER NOT NULL,"
    "  needs_review INTEGER NOT NULL,"
    "  body BLOB NOT NULL);"
    "CREATE INDEX samples_idx ON evaluation_samples(upload, idx,"
    "  hazard, lang, label, outcome, score, error, needs_review);"
    "CREATE INDEX samples_hazard ON evaluation_samples(upload, hazard, idx,"
    "  lang, label, outcome, score, error, needs_review);"
    "CREATE INDEX samples_lang ON evaluation_samples(upload, lang, idx,"
    "  hazard, label, outcome, score, error, needs_review);"
    "CREATE INDEX samples_label ON evaluation_samples(upload, label, idx,"
    "  hazard, lang, outcome, score, error, needs_review);"
    "CREATE INDEX samples_outcome ON evaluation_samples(upload, outcome, idx,"
    "  hazard, lang, label, score, error, needs_review);"
    "CREATE INDEX samples_review ON evaluation_samples(upload, needs_review,"
    "  idx, hazard, lang, label, outcome, score, error);",
    /* 9: evaluation_reviews - reviewers' labels of samples of published
     * runs (issue 15, human review), the latest per sample, with who gave
     * it and the log entry that published it (every entry, those of
     * replaced labels too, stays in log_extra as kind
     * 'evaluation_review').  The sample's automatic label and expected
     * behaviour are copied in: the corrected figures count this table
     * alone. */
    "CREATE TABLE evaluation_reviews("
    "  evaluation_id TEXT NOT NULL REFERENCES evaluations(id),"
    "  sample_index INTEGER NOT NULL,"
    "  label TEXT NOT NULL,"
    "  automatic TEXT NOT NULL,"
    "  expected TEXT NOT NULL,"
    "  reviewer INTEGER NOT NULL REFERENCES accounts(id),"
    "  reviewed TEXT NOT NULL,"
    "  log_index INTEGER NOT NULL UNIQUE,"
    "  PRIMARY KEY (evaluation_id, sample_index));",
    /* 10 (issue 12): federation - peers whose
     * logs this node mirrors, with the state of their sync; the signed
     * checkpoints accepted from them; the CLEAR records taken from their
     * logs with their provenance (never in our own log: they are theirs);
     * and evidence of split views (two signed checkpoints of one origin
     * that cannot both be honest). */
    "CREATE TABLE peers("
    "  url TEXT PRIMARY KEY,"
    "  origin TEXT NOT NULL,"
    "  vkey TEXT NOT NULL,"
    "  token_env TEXT NOT NULL DEFAULT '',"
    "  state TEXT NOT NULL CHECK (state IN ('active','frozen')),"
    "  checkpoint TEXT,"
    "  size INTEGER NOT NULL DEFAULT 0,"
    "  taken INTEGER NOT NULL DEFAULT 0,"
    "  taken_root BLOB,"
    "  seen_size INTEGER NOT NULL DEFAULT 0,"
    "  last_sync TEXT NOT NULL DEFAULT '',"
    "  last_error TEXT NOT NULL DEFAULT '',"
    "  added TEXT NOT NULL);"
    "CREATE TABLE peer_checkpoints("
    "  origin TEXT NOT NULL,"
    "  size INTEGER NOT NULL,"
    "  note TEXT NOT NULL,"
    "  created TEXT NOT NULL,"
    "  PRIMARY KEY (origin, size));"
    "CREATE TABLE mirrored_records("
    "  origin TEXT NOT NULL,"
    "  origin_id TEXT NOT NULL,"
    "  version INTEGER NOT NULL,"
    "  origin_log_index INTEGER NOT NULL,"
    "  peer_url TEXT NOT NULL,"
    "  checkpoint_size INTEGER NOT NULL,"
    "  body TEXT NOT NULL CHECK (json_valid(body)),"
    "  withdrawn TEXT NOT NULL DEFAULT '',"
    "  withdraw_log_index INTEGER,"
    "  created TEXT NOT NULL,"
    "  PRIMARY KEY (origin, origin_id));"
    "CREATE TABLE split_views("
    "  id INTEGER PRIMARY KEY,"
    "  peer_url TEXT NOT NULL,"
    "  origin TEXT NOT NULL,"
    "  old_note TEXT NOT NULL,"
    "  new_note TEXT NOT NULL,"
    "  proof TEXT NOT NULL DEFAULT '',"
    "  reason TEXT NOT NULL,"
    "  created TEXT NOT NULL);"
    "CREATE INDEX split_views_peer ON split_views(peer_url, id);"
    /* the witness (C2SP tlog-witness): per origin, the latest checkpoint
     * this node cosigned, which the next one must extend */
    "CREATE TABLE witness_state("
    "  origin TEXT PRIMARY KEY,"
    "  size INTEGER NOT NULL,"
    "  root BLOB NOT NULL,"
    "  note TEXT NOT NULL,"
    "  updated TEXT NOT NULL);",
    /* 11: the token role `peer` (a mirroring node: reads GREEN and the
     * AMBER shared with its organisation, writes nothing), and mirrored
     * GREEN/AMBER records (their level, organisation and commitment salt).
     * SQLite cannot change a CHECK in place: the accounts table is rebuilt
     * with the foreign keys deferred, its rows put back before the commit
     * so that every reference to them holds again. */
    "PRAGMA defer_foreign_keys = ON;"
    "CREATE TABLE accounts_before_11 AS SELECT * FROM accounts;"
    "DROP TABLE accounts;"
    "CREATE TABLE accounts("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  role TEXT NOT NULL"
    "    CHECK (role IN ('reporter','reviewer','admin','peer')),"
    "  org TEXT NOT NULL DEFAULT '',"
    "  token_hash TEXT NOT NULL UNIQUE,"
    "  created TEXT NOT NULL);"
    "INSERT INTO accounts(id, name, role, org, token_hash, created)"
    "  SELECT id, name, role, org, token_hash, created"
    "  FROM accounts_before_11;"
    "DROP TABLE accounts_before_11;"
    "ALTER TABLE mirrored_records ADD COLUMN tlp TEXT NOT NULL"
    "  DEFAULT 'CLEAR';"
    "ALTER TABLE mirrored_records ADD COLUMN org TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE mirrored_records ADD COLUMN salt TEXT NOT NULL DEFAULT '';",
    /* 12 (issue 12): the
     * witnesses this node asks to cosign its own checkpoints, and the
     * latest cosignature each gave (served with the checkpoint). */
    "CREATE TABLE cosigners("
    "  url TEXT PRIMARY KEY,"
    "  vkey TEXT NOT NULL,"
    "  name TEXT NOT NULL,"
    "  size INTEGER NOT NULL DEFAULT 0,"
    "  note TEXT,"
    "  cosig TEXT NOT NULL DEFAULT '',"
    "  cosig_time INTEGER NOT NULL DEFAULT 0,"
    "  last_try TEXT NOT NULL DEFAULT '',"
    "  last_error TEXT NOT NULL DEFAULT '',"
    "  added TEXT NOT NULL);",
    /* 13 (issue 12): evaluations mirrored from peers' logs, with their
     * provenance; the body is the peer's log entry, exact (the run, or
     * only its digest when the run was too big for an entry). */
    "CREATE TABLE mirrored_evaluations("
    "  origin TEXT NOT NULL,"
    "  origin_id TEXT NOT NULL,"
    "  origin_log_index INTEGER NOT NULL,"
    "  peer_url TEXT NOT NULL,"
    "  checkpoint_size INTEGER NOT NULL,"
    "  body TEXT NOT NULL,"
    "  withdrawn TEXT NOT NULL DEFAULT '',"
    "  withdraw_log_index INTEGER,"
    "  created TEXT NOT NULL,"
    "  PRIMARY KEY (origin, origin_id));",
    /* 14 (issue 12; after the mirrored evaluations): GREEN/AMBER records of a
     * peer refused because the served bytes did not match the commitment
     * in its log, fetched again by later syncs (federation/retry.c). */
    "CREATE TABLE peer_refused("
    "  peer_url TEXT NOT NULL,"
    "  log_index INTEGER NOT NULL,"
    "  origin TEXT NOT NULL,"
    "  origin_id TEXT NOT NULL,"
    "  version INTEGER NOT NULL,"
    "  tlp TEXT NOT NULL,"
    "  commitment TEXT NOT NULL,"
    "  why TEXT NOT NULL,"
    "  tries INTEGER NOT NULL DEFAULT 1,"
    "  first TEXT NOT NULL,"
    "  PRIMARY KEY (peer_url, log_index));",
};

const size_t sq__n_migrations = sizeof sq__migrations / sizeof sq__migrations[0];
