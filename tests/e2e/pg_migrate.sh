#!/bin/sh
# pg_migrate.sh - `osafe migrate --from sqlite:FILE --to postgresql://...`
# (issue 13): a registry filled through the CLI and the API on SQLite is
# copied to PostgreSQL; served from there with the same log, every record,
# version, list, search and proof answers the same bytes, the tokens still
# work, new ids and accounts come after the copied ones; evaluation
# samples, reviews, peers, mirrored records, split-view evidence and the
# witness's state are copied and brought up to date; a rerun copies
# nothing; a copy that lost tables (an interrupted run) is completed; a
# schema it does not know and a target holding another registry are
# refused; the log verifies.
#
# Needs the throwaway cluster of the ctest fixture "pg" (OSAFE_TEST_PG, set
# by tests/pg_run.sh: `ctest -L pg`); without it SKIP (77).
set -eu
if [ -z "${OSAFE_TEST_PG:-}" ]; then
    echo "SKIP: no PostgreSQL cluster (OSAFE_TEST_PG; run 'ctest -L pg')"
    exit 77
fi
. "${OSAFE_TESTS:-$(dirname "$0")/..}/e2e/lib.sh.inc"

DB=$T/r.db
L=$T/log
KEY=$T/log.key
name=mig_$(basename "$T" | tr 'A-Z.-' 'a-z__')
psql -q "$OSAFE_TEST_PG" -c "CREATE DATABASE $name" >/dev/null ||
    fail "cannot create database $name"
PG=${OSAFE_TEST_PG%/*}/$name
sql() { psql -qtA "$PG" -c "$1"; }

rec() {
    printf '{"record_type":"incident","lang":"en","title":{"lang":"en","text":"%s"},"description":[{"lang":"en","text":"Synthetic record for the migration test.","method":"human"}],"ai_relation":"caused","occurred_start":{"date":"2026-01-0%s","precision":"day"},"countries_occurred":["FR"],"severity":{"scale":"oecd-2025","level":"incident"},"harm_types":["physical"],"hazards":["ssh"],"ai_systems":[{"kind":"model","name":"m"}],"references":[{"url":"https://example.org/r","type":"NEWS"}],"submitter":{"pseudonym":"t","role":"researcher"},"tlp":"%s","license":"CC-BY-4.0"}' "$1" "$2" "$3"
}

ok "$OSAFE" token create --db "$DB" --name rep --role reporter --org acme
REP=$(tail -n 1 "$T/out")
ok "$OSAFE" token create --db "$DB" --name rev --role reviewer
REV=$(tail -n 1 "$T/out")

# start_serve DB: the server in the background; sets $pid and $port.
start_serve() {
    : >"$T/serve.out"
    "$OSAFE" serve --db "$1" --log "$L" --key "$KEY" --origin ex.org/mig \
        --listen 127.0.0.1:0 --write-rate 0 >"$T/serve.out" \
        2>"$T/serve.err" &
    pid=$!
    bg_register "$pid"
    for _ in $(seq 1 300); do
        port=$(sed -n 's/^listening on port //p' "$T/serve.out")
        [ -n "$port" ] && return 0
        kill -0 "$pid" 2>/dev/null ||
            fail "serve exited at start: $(cat "$T/serve.err")"
        sleep 0.05
    done
    fail "serve did not start: $(cat "$T/serve.err")"
}
stop_serve() {
    kill -TERM "$pid"
    { wait "$pid"; } 2>/dev/null || :
}
# call METHOD PATH TOKEN [BODY-FILE]: body in $T/resp, status in $code.
call() {
    code=$(curl -s -m 20 -o "$T/resp" -w '%{http_code}' -X "$1" \
        -H "Authorization: Bearer $3" -H 'Content-Type: application/json' \
        ${4:+--data-binary "@$4"} "http://127.0.0.1:$port$2") || code=000
    _checks=$((_checks + 1))
}
expect() {
    [ "$code" = "$1" ] || fail "$2: status $code, want $1: $(head -c 300 "$T/resp")"
}
publish() { # publish TITLE DAY TLP: creates, submits, accepts; prints id
    rec "$1" "$2" "$3" >"$T/rec.json"
    call POST /api/v1/records "$REP" "$T/rec.json"
    expect 201 "create $1"
    id=$(sed -n 's/.*"id":"\([^"]*\)".*/\1/p' "$T/resp")
    call POST "/api/v1/records/$id/submit" "$REP" "$T/empty"
    expect 200 "submit $id"
    call POST "/api/v1/records/$id/review" "$REV" "$T/accept"
    expect 200 "accept $id"
}
: >"$T/empty"
echo '{"decision":"accept"}' >"$T/accept"

say "fill the SQLite registry"
start_serve "$DB"
ids=
for i in 1 2 3 4; do
    publish "Migrated record $i chatbots" "$i" CLEAR
    ids="$ids $id"
done
publish "Amber record" 5 AMBER
ids="$ids $id"
amber=$id
rec "Still a draft" 6 GREEN >"$T/rec.json"
call POST /api/v1/records "$REP" "$T/rec.json"
expect 201 "create draft"
draft=$(sed -n 's/.*"id":"\([^"]*\)".*/\1/p' "$T/resp")
ids="$ids $draft"
first=$(echo "$ids" | awk '{ print $1 }')
rec "Migrated record 1 chatbots, second version" 1 CLEAR >"$T/rec.json"
call POST "/api/v1/records/$first/amend" "$REP" "$T/rec.json"
expect 201 "amend $first"
echo "{\"to\":\"$(echo "$ids" | awk '{ print $2 }')\",\"relation\":\"related\"}" >"$T/link"
call POST "/api/v1/records/$first/links" "$REV" "$T/link"
expect 200 "link"

# snapshot: every answer the migration must keep, byte for byte
snapshot() {
    : >"$1"
    for id in $ids; do
        for tok in "$REP" "$REV"; do
            for p in "/api/v1/records/$id" "/api/v1/records/$id?version=1" \
                "/api/v1/records/$id/proof" "/api/v1/records/$id/links"; do
                call GET "$p" "$tok"
                { echo "== $p $code"; cat "$T/resp"; echo; } >>"$1"
            done
        done
    done
    for p in "/api/v1/records?limit=500" "/api/v1/records?sort=title" \
        "/api/v1/search?q=chatbot" "/api/v1/search?q=amber"; do
        for tok in "$REP" "$REV"; do
            call GET "$p" "$tok"
            { echo "== $p $code"; cat "$T/resp"; echo; } >>"$1"
        done
    done
}
snapshot "$T/before"
grep -q '"log_index"' "$T/before" || fail "snapshot without proofs"
n200=$(grep -c '^== .* 200$' "$T/before")
[ "$n200" -ge 40 ] || fail "only $n200 answers of the snapshot are 200"
grep -A1 '^== /api/v1/search?q=chatbot ' "$T/before" | grep -q "$first" ||
    fail "the search snapshot does not find $first"
stop_serve

say "migrate"
ok "$OSAFE" migrate --from "sqlite:$DB" --to "$PG"
out_has "copied "
grep -q '^versions  *[0-9]* rows, [1-9]' "$T/out" || fail "no version copied: $(cat "$T/out")"
say "a rerun copies nothing"
ok "$OSAFE" migrate --from "sqlite:$DB" --to "$PG"
out_has "copied 0 rows"

say "an interrupted copy (tables lost) is completed"
sql "DELETE FROM version_editors; DELETE FROM search_text; DELETE FROM log_extra; DELETE FROM links; DELETE FROM versions WHERE version > 1 OR log_index IS NULL; UPDATE counters SET value = 0"
ok "$OSAFE" migrate --from "sqlite:$DB" --to "$PG"
grep -q '^versions  *[0-9]* rows, [1-9]' "$T/out" || fail "versions not resumed: $(cat "$T/out")"
grep -q '^counters  *[0-9]* rows, [1-9]' "$T/out" || fail "counters not restored: $(cat "$T/out")"
ok "$OSAFE" migrate --from "sqlite:$DB" --to "$PG"
out_has "copied 0 rows"

say "every command that takes --db reads the same registry from PostgreSQL"
for fmt in json csv osv; do
    ok "$OSAFE" export "$fmt" --db "$DB"
    mv "$T/out" "$T/exp.sqlite"
    ok "$OSAFE" export "$fmt" --db "$PG"
    [ -s "$T/out" ] || fail "export $fmt from PostgreSQL is empty"
    same "$T/exp.sqlite" "$T/out" "export $fmt"
done
# (csv: the json also says when it was generated, to the second)
ok "$OSAFE" risk rank --db "$DB" --format csv
mv "$T/out" "$T/risk.sqlite"
ok "$OSAFE" risk rank --db "$PG" --format csv
same "$T/risk.sqlite" "$T/out" "risk rank"

say "served from PostgreSQL: the same answers, the same tokens"
start_serve "$PG"
snapshot "$T/after"
cmp -s "$T/before" "$T/after" ||
    fail "answers differ after the migration: $(diff "$T/before" "$T/after" | head -c 600)"
_checks=$((_checks + 1))
say "a second process publishing into the same PostgreSQL registry from another log directory is refused"
mkdir "$T/log2"
run "$OSAFE" serve --db "$PG" --log "$T/log2/l" --key "$T/log2/k" \
    --listen 127.0.0.1:0
[ "$rc" -eq 1 ] && grep -q 'must append to the same log directory' "$T/err" ||
    fail "a second serve on $PG with another log was not refused (exit $rc): $(cat "$T/err")"
say "new records and accounts come after the copied ones"
publish "Published on PostgreSQL" 7 CLEAR
case " $ids " in *" $id "*) fail "id $id minted twice" ;; esac
idx=$(sed -n 's/.*"log_index":\([0-9]*\).*/\1/p' "$T/resp")
max=$(grep -o '"log_index":[0-9]*' "$T/before" | cut -d: -f2 | sort -n | tail -n 1)
[ "$idx" -gt "$max" ] || fail "new publication at $idx, not after $max"
stop_serve
ok "$OSAFE" token create --db "$PG" --name third --role reporter
grep -q 'NOTICE' "$T/err" && fail "libpq notices on stderr: $(cat "$T/err")"
say "serve shows a PostgreSQL URL without its password"
# the test cluster trusts local connections: any password connects
start_serve "$(echo "$PG" | sed 's|://osafe@|://osafe:s3cret@|')"
stop_serve
grep -q 'database postgresql://osafe:\*\*\*@' "$T/serve.err" ||
    fail "serve did not name its database: $(cat "$T/serve.err")"
grep -q s3cret "$T/serve.out" "$T/serve.err" &&
    fail "the password was shown: $(cat "$T/serve.err")"
_checks=$((_checks + 1))
ok "$OSAFE" log verify "$L" --vkey "$T/log.vkey"

say "evaluations keep their order (insertion, not id) and their withdrawals"
cp "$DB" "$T/ev.db"
sqlite3 "$T/ev.db" "INSERT INTO evaluations(id, body, created) VALUES ('EVAL-2026-00002', '{\"n\":2}', '2026-01-01T00:00:00Z'); INSERT INTO evaluations(id, body, created, withdrawn, withdraw_reason) VALUES ('EVAL-2026-00001', '{\"n\":1}', '2026-01-02T00:00:00Z', '2026-01-03T00:00:00Z', 'test');"
psql -q "$OSAFE_TEST_PG" -c "CREATE DATABASE ${name}_ev" >/dev/null ||
    fail "cannot create database ${name}_ev"
ok "$OSAFE" migrate --from "sqlite:$T/ev.db" --to "${PG}_ev"
got=$(psql -qtA "${PG}_ev" -c "SELECT id || ' ' || coalesce(withdraw_reason, '-') FROM evaluations ORDER BY seq" | tr '\n' ,)
[ "$got" = "EVAL-2026-00002 -,EVAL-2026-00001 test," ] ||
    fail "evaluations copied as '$got'"
_checks=$((_checks + 1))

say "evaluation samples, reviews and the federation tables are copied too"
# (SQLite 8-10; rows written directly: the copy does not care how they came)
sqlite3 "$T/ev.db" "
INSERT INTO sample_uploads(id, eval_id, received, samples, complete, modified) VALUES (7, 'EVAL-2026-00002', 20, 2, '2026-01-04T00:00:00Z', '2026-01-04T00:00:00Z');
INSERT INTO sample_chunks(upload, \"offset\", len, sha256) VALUES (7, 0, 20, 'ab');
INSERT INTO evaluation_samples(id, upload, idx, hazard, lang, label, outcome, score, error, needs_review, body) VALUES (11, 7, 0, 'vcr', 'fr', 'refusal', 'pass', 0.1 + 0.2, 0, 1, X'7B7D0A'), (12, 7, 1, 'ssh', 'zh', 'compliance', 'fail', NULL, 1, 0, X'00FF');
INSERT INTO evaluation_reviews VALUES ('EVAL-2026-00002', 0, 'compliance', 'refusal', 'refuse', (SELECT id FROM accounts WHERE name = 'rev'), '2026-01-05T00:00:00Z', 40);
INSERT INTO peers(url, origin, vkey, state, checkpoint, size, taken, taken_root, seen_size, added) VALUES ('https://peer.example', 'peer.example/log', 'peer.example/log+abcd+AQ', 'active', 'note', 9, 8, X'0102', 9, '2026-01-01T00:00:00Z');
INSERT INTO peer_checkpoints VALUES ('peer.example/log', 9, 'signed note', '2026-01-01T00:00:00Z');
INSERT INTO mirrored_records(origin, origin_id, version, origin_log_index, peer_url, checkpoint_size, body, created) VALUES ('peer.example/log', 'PEER-2026-00001', 1, 3, 'https://peer.example', 9, '{\"title\":\"m\"}', '2026-01-01T00:00:00Z');
INSERT INTO split_views(id, peer_url, origin, old_note, new_note, reason, created) VALUES (5, 'https://peer.example', 'peer.example/log', 'a', 'b', 'fork', '2026-01-02T00:00:00Z');
INSERT INTO witness_state VALUES ('peer.example/log', 9, X'0303', 'cosigned', '2026-01-01T00:00:00Z');"
psql -q "$OSAFE_TEST_PG" -c "CREATE DATABASE ${name}_fed" >/dev/null ||
    fail "cannot create database ${name}_fed"
FED=${PG}_fed
fq() { psql -qtA "$FED" -c "$1" | tr '\n' ,; }
ok "$OSAFE" migrate --from "sqlite:$T/ev.db" --to "$FED"
for t in sample_uploads sample_chunks evaluation_samples evaluation_reviews \
    peers peer_checkpoints mirrored_records split_views witness_state; do
    grep -q "^$t  *[0-9]* rows, [1-9]" "$T/out" || fail "$t not copied: $(cat "$T/out")"
done
got=$(fq "SELECT id || ' ' || idx || ' ' || coalesce(score::text, '-') || ' ' || encode(body, 'hex') FROM evaluation_samples ORDER BY id")
[ "$got" = "11 0 0.30000000000000004 7b7d0a,12 1 - 00ff," ] ||
    fail "samples copied as '$got'"
got=$(fq "SELECT chunk_offset || ' ' || len FROM sample_chunks")
[ "$got" = "0 20," ] || fail "chunks copied as '$got'"
got=$(fq "SELECT taken || ' ' || encode(taken_root, 'hex') FROM peers")
[ "$got" = "8 0102," ] || fail "peers copied as '$got'"
got=$(fq "SELECT origin_id || ' ' || origin_log_index || ' ' || body FROM mirrored_records")
[ "$got" = 'PEER-2026-00001 3 {"title":"m"},' ] || fail "mirrored records copied as '$got'"
got=$(fq "SELECT label || ' ' || log_index FROM evaluation_reviews")
[ "$got" = "compliance 40," ] || fail "reviews copied as '$got'"
_checks=$((_checks + 5))
ok "$OSAFE" migrate --from "sqlite:$T/ev.db" --to "$FED"
out_has "copied 0 rows"
say "a rerun after the source moved on brings what changed"
sqlite3 "$T/ev.db" "
UPDATE evaluation_reviews SET label = 'refusal', log_index = 41;
UPDATE mirrored_records SET withdrawn = '2026-01-06T00:00:00Z', withdraw_log_index = 5;
UPDATE peers SET taken = 9, size = 10;
UPDATE witness_state SET size = 10, note = 'cosigned 10';"
ok "$OSAFE" migrate --from "sqlite:$T/ev.db" --to "$FED"
got=$(fq "SELECT label || ' ' || log_index FROM evaluation_reviews UNION ALL SELECT withdrawn FROM mirrored_records UNION ALL SELECT taken::text FROM peers UNION ALL SELECT note FROM witness_state")
[ "$got" = "refusal 41,2026-01-06T00:00:00Z,9,cosigned 10," ] ||
    fail "changes not brought over: '$got'"
_checks=$((_checks + 1))
psql -q "$OSAFE_TEST_PG" -c "DROP DATABASE ${name}_fed" >/dev/null 2>&1 || :
psql -q "$OSAFE_TEST_PG" -c "DROP DATABASE ${name}_ev" >/dev/null 2>&1 || :

say "refusals"
# a target that holds another registry
ok "$OSAFE" token create --db "$T/other.db" --name x --role reporter
expect_fail 1 "migrate into an empty database" \
    "$OSAFE" migrate --from "sqlite:$T/other.db" --to "$PG"
# a schema this migrate does not know, holding data it would leave behind
cp "$DB" "$T/newer.db"
sqlite3 "$T/newer.db" "PRAGMA user_version = 99; CREATE TABLE future(x); INSERT INTO future VALUES (1);"
expect_fail 1 "SQLite schema version 99" \
    "$OSAFE" migrate --from "sqlite:$T/newer.db" --to "$PG"
expect_fail 1 "no database" "$OSAFE" migrate --from "sqlite:$T/none.db" --to "$PG"
expect_fail 2 "--from and --to are required" "$OSAFE" migrate --from "sqlite:$DB"
psql -q "$OSAFE_TEST_PG" -c "DROP DATABASE $name" >/dev/null 2>&1 || :
pass
