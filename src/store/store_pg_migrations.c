/*
 * store_pg_migrations.c - the PostgreSQL schema as numbered migrations.
 *
 * Migration N brings a database at osafe_schema.version N-1 to N;
 * store_pg.c runs those a database lacks at open, each in its own
 * transaction.  Never edit a migration that has shipped: add one.
 *
 * Migration 1 is the SQLite schema as it stood at SQLite's migration 7,
 * in PostgreSQL's words: the PostgreSQL backend started there, so it has
 * no history to replay.  The differences are deliberate:
 *   - bodies stay TEXT (the canonical bytes the log commits to, exactly);
 *     a generated jsonb column `doc` beside them serves the filters, and
 *     its cast refuses a body that is not JSON, as SQLite's json_valid
 *     CHECK does;
 *   - the search text lives in one table, with a tsvector of the folded
 *     words (the 'simple' configuration: no language's stemmer, the same
 *     plural rule as SQLite's, store_pg_query.c) and a pg_trgm index on
 *     the text for substrings (scripts without spaces between words);
 *   - insertion order, which SQLite reads from rowid, is a bigserial seq.
 */
#include <stddef.h>

#include "store/store_pg_int.h"

const char *const pg__migrations[] = {
    /* 1: the registry's schema (SQLite migrations 1 to 7) */
    "CREATE EXTENSION IF NOT EXISTS pg_trgm;"
    "CREATE TABLE accounts("
    "  id bigserial PRIMARY KEY,"
    "  name text NOT NULL,"
    "  role text NOT NULL CHECK (role IN ('reporter','reviewer','admin')),"
    "  org text NOT NULL DEFAULT '',"
    "  token_hash text NOT NULL UNIQUE,"
    "  created text NOT NULL);"
    "CREATE TABLE records("
    "  id text PRIMARY KEY,"
    "  state text NOT NULL,"
    "  tlp text NOT NULL,"
    "  pub_tlp text NOT NULL DEFAULT '',"
    "  org text NOT NULL DEFAULT '',"
    "  owner bigint NOT NULL REFERENCES accounts(id),"
    "  version integer NOT NULL,"
    "  published_version integer NOT NULL DEFAULT 0,"
    "  merged_into text NOT NULL DEFAULT '',"
    "  created text NOT NULL,"
    "  modified text NOT NULL);"
    "CREATE TABLE versions("
    "  record_id text NOT NULL REFERENCES records(id),"
    "  version integer NOT NULL,"
    "  state text NOT NULL,"
    "  tlp text NOT NULL,"
    "  body text NOT NULL,"
    "  doc jsonb GENERATED ALWAYS AS (body::jsonb) STORED,"
    "  author bigint REFERENCES accounts(id),"
    "  created text NOT NULL,"
    "  modified text NOT NULL,"
    "  review_reason text,"
    "  reviewer bigint,"
    "  log_index bigint,"
    "  log_entry bytea,"
    "  salt bytea,"
    "  PRIMARY KEY (record_id, version));"
    "CREATE UNIQUE INDEX versions_log ON versions(log_index)"
    "  WHERE log_index IS NOT NULL;"
    "CREATE TABLE links("
    "  from_id text NOT NULL REFERENCES records(id),"
    "  to_id text NOT NULL REFERENCES records(id),"
    "  relation text NOT NULL,"
    "  author bigint,"
    "  created text NOT NULL,"
    "  PRIMARY KEY (from_id, to_id, relation));"
    "CREATE TABLE evidence("
    "  id bigserial PRIMARY KEY,"
    "  record_id text NOT NULL REFERENCES records(id),"
    "  body text NOT NULL CHECK (body::jsonb IS NOT NULL),"
    "  author bigint,"
    "  log_index bigint,"
    "  created text NOT NULL,"
    "  salt bytea);"
    "CREATE TABLE sources("
    "  source_key text PRIMARY KEY,"
    "  record_id text NOT NULL REFERENCES records(id),"
    "  created text NOT NULL);"
    "CREATE TABLE counters(name text PRIMARY KEY, value bigint NOT NULL);"
    "CREATE TABLE search_text("
    "  record_id text NOT NULL,"
    "  published integer NOT NULL,"
    "  text text NOT NULL,"
    "  words tsvector GENERATED ALWAYS AS (to_tsvector('simple', text)) "
    "    STORED,"
    "  PRIMARY KEY (record_id, published));"
    "CREATE INDEX search_words ON search_text USING gin(words);"
    "CREATE INDEX search_tri ON search_text USING gin(text gin_trgm_ops);"
    "CREATE TABLE evaluations("
    "  seq bigserial UNIQUE,"
    "  id text PRIMARY KEY,"
    "  body text NOT NULL CHECK (body::jsonb IS NOT NULL),"
    "  samples_sha256 text GENERATED ALWAYS AS "
    "    (body::jsonb ->> 'samples_sha256') STORED,"
    "  author bigint REFERENCES accounts(id),"
    "  log_index bigint UNIQUE,"
    "  log_entry bytea,"
    "  created text NOT NULL,"
    "  withdrawn text,"
    "  withdrawn_by bigint,"
    "  withdraw_reason text,"
    "  withdraw_log_index bigint UNIQUE,"
    "  withdraw_entry bytea);"
    "CREATE INDEX evaluations_samples ON evaluations(samples_sha256);"
    "CREATE TABLE version_editors("
    "  record_id text NOT NULL REFERENCES records(id),"
    "  version integer NOT NULL,"
    "  account bigint NOT NULL REFERENCES accounts(id),"
    "  PRIMARY KEY (record_id, version, account));"
    "CREATE TABLE sessions("
    "  seq bigserial,"
    "  id_hash text PRIMARY KEY,"
    "  account bigint NOT NULL REFERENCES accounts(id),"
    "  csrf text NOT NULL,"
    "  created bigint NOT NULL,"
    "  expires bigint NOT NULL);"
    "CREATE INDEX sessions_account ON sessions(account, created);"
    "CREATE INDEX sessions_expires ON sessions(expires);"
    "CREATE TABLE log_extra("
    "  log_index bigint PRIMARY KEY,"
    "  kind text NOT NULL,"
    "  record_id text NOT NULL DEFAULT '',"
    "  version integer NOT NULL DEFAULT 0,"
    "  entry bytea NOT NULL,"
    "  created text NOT NULL);"
    "CREATE INDEX log_extra_record ON log_extra(record_id, version);",
};

const size_t pg__n_migrations = sizeof pg__migrations / sizeof pg__migrations[0];
