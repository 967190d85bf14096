#!/bin/sh
# serve_crash.sh - group commit under SIGKILL (issue 13): `osafe serve`
# with batches (--batch-max 16 --batch-wait-ms 5), several clients
# publishing at once (create + submit + accept), killed with SIGKILL at a
# random instant, restarted, several rounds.  After every kill:
# - every acknowledged publication (a 200 carrying its log_index) is
#   published, at exactly that index, and the log's entry there is the
#   record's bytes;
# - no two acknowledged publications share an index;
# - the log verifies against its key;
# - every entry of the log is accounted for: published rows plus the
#   abandoned tail of a batch killed between its append and its commit
#   (serve's note at restart), so a batch is never half in the database.
#
# OSAFE_SERVE_CRASH_RUNS (default 6) sets the number of kills.
#
# On PostgreSQL (OSAFE_TEST_PG set: ctest -L pg, test pg_e2e_serve_crash)
# the registry is in a throwaway cluster of its own (restarting the shared
# one would break the tests beside it), and every other run also restarts
# PostgreSQL under the writers (stopped at once, as a crash): serve must
# reconnect and publish again without a restart of its own, and the
# checks above hold all the same.
set -eu
. "${OSAFE_TESTS:-$(dirname "$0")/..}/e2e/lib.sh.inc"

RUNS=${OSAFE_SERVE_CRASH_RUNS:-6}
CLIENTS=6
DB=$T/r.db
PGC=
PGCTL=${OSAFE_TESTS:-$(dirname "$0")/..}/../scripts/pg-cluster
if [ -n "${OSAFE_TEST_PG:-}" ]; then
    # its own cluster, reachable by the unprivileged server user
    PGC=$(mktemp -d "${TMPDIR:-/tmp}/osafe-crash-pg.XXXXXX")
    chmod 755 "$PGC"
    trap '_cleanup; "$PGCTL" stop "$PGC/c"; rm -rf "$PGC"' EXIT
    "$PGCTL" start "$PGC/c" >"$PGC/url" || fail "no PostgreSQL cluster"
    DB=$(cat "$PGC/url")
    say "on PostgreSQL ($DB), restarted during writes every other run"
fi
L=$T/log
KEY=$T/log.key
cat >"$T/rec.json" <<'EOF'
{"record_type":"incident","lang":"en","title":{"lang":"en","text":"Crash test record"},"description":[{"lang":"en","text":"Synthetic record for the group-commit crash test.","method":"human"}],"ai_relation":"caused","occurred_start":{"date":"2026-01-02","precision":"day"},"countries_occurred":["FR"],"severity":{"scale":"oecd-2025","level":"incident"},"harm_types":["physical"],"hazards":["ssh"],"ai_systems":[{"kind":"model","name":"m"}],"references":[{"url":"https://example.org/r","type":"NEWS"}],"submitter":{"pseudonym":"t","role":"researcher"},"tlp":"CLEAR","license":"CC-BY-4.0"}
EOF

say "bad group-commit options are refused before anything starts"
expect_fail 2 "--batch-max must be 1..4096" "$OSAFE" serve --db "$DB" \
    --log "$L" --batch-max 0
expect_fail 2 "--batch-wait-ms must be 0..1000" "$OSAFE" serve --db "$DB" \
    --log "$L" --batch-wait-ms 1001
expect_fail 2 "--batch-max" "$OSAFE" serve --db "$DB" --log "$L" \
    --batch-max 12x
[ ! -e "$DB" ] && [ ! -e "$L" ] || fail "a refused serve created files"

ok "$OSAFE" token create --db "$DB" --name rep --role reporter
REP=$(tail -n 1 "$T/out")
ok "$OSAFE" token create --db "$DB" --name rev --role reviewer
REV=$(tail -n 1 "$T/out")

# start_serve: run the server in the background; sets $pid and $port.
start_serve() {
    : >"$T/serve.out"
    "$OSAFE" serve --db "$DB" --log "$L" --key "$KEY" --origin ex.org/crash \
        --listen 127.0.0.1:0 --write-rate 0 --threads 8 --batch-max 16 \
        --batch-wait-ms 5 >"$T/serve.out" 2>>"$T/serve.err" &
    pid=$!
    bg_register "$pid"
    port=
    for _ in $(seq 1 300); do
        port=$(sed -n 's/^listening on port //p' "$T/serve.out")
        [ -n "$port" ] && return 0
        kill -0 "$pid" 2>/dev/null ||
            fail "serve exited at start: $(cat "$T/serve.err")"
        sleep 0.05
    done
    fail "serve did not start: $(cat "$T/serve.err")"
}

# post PATH TOKEN BODY-FILE: the response body, then its status alone on
# the last line; nothing when the server is gone.
post() {
    curl -s -m 10 -w '\n%{http_code}' -X POST \
        -H "Authorization: Bearer $2" -H 'Content-Type: application/json' \
        --data-binary "@$3" "http://127.0.0.1:$port$1" 2>/dev/null || :
}

# client N: publish until the server dies; every acknowledged acceptance
# appends "ID INDEX" to $T/acked.N as soon as its answer arrives.
client() {
    echo '{"decision":"accept"}' >"$T/accept.$1"
    : >"$T/empty.$1"
    while :; do
        r=$(post /api/v1/records "$REP" "$T/rec.json")
        [ "$(echo "$r" | tail -n 1)" = 201 ] || return 0
        id=$(echo "$r" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
        r=$(post "/api/v1/records/$id/submit" "$REP" "$T/empty.$1")
        [ "$(echo "$r" | tail -n 1)" = 200 ] || return 0
        r=$(post "/api/v1/records/$id/review" "$REV" "$T/accept.$1")
        [ "$(echo "$r" | tail -n 1)" = 200 ] || return 0
        idx=$(echo "$r" | sed -n 's/.*"log_index":\([0-9]*\).*/\1/p')
        [ -n "$idx" ] || fail "acceptance of $id without a log_index: $r"
        echo "$id $idx" >>"$T/acked.$1"
    done
}

: >"$T/acked"
: >"$T/serve.err"
abandoned=0
i=1
while [ "$i" -le "$RUNS" ]; do
    start_serve
    cpids=
    for c in $(seq 1 "$CLIENTS"); do
        : >"$T/acked.$c"
        client "$c" &
        cpids="$cpids $!"
    done
    # 0.4 to 2 s of concurrent publications, then the kill.
    sleep "$(printf '%d.%03d' $(($(rand 2) + 0)) $(($(rand 600) + 400)))"
    if [ -n "$PGC" ] && [ $((i % 2)) -eq 1 ]; then
        # PostgreSQL stops at once under the writers and comes back; the
        # clients stop at their first error, then publish again through
        # the same serve process (it reconnects) until it is killed.
        "$PGCTL" restart "$PGC/c" || fail "PostgreSQL did not restart"
        for p in $cpids; do
            wait "$p" || fail "a client failed"
        done
        before=$(cat "$T"/acked.[0-9]* | wc -l)
        kill -0 "$pid" 2>/dev/null ||
            fail "serve died with PostgreSQL: $(tail -n 3 "$T/serve.err")"
        cpids=
        for c in $(seq 1 "$CLIENTS"); do
            client "$c" &
            cpids="$cpids $!"
        done
        # something is published again within 30 s (1.5 s when idle; a
        # loaded machine takes longer to bring PostgreSQL back)
        w=0
        after=$before
        while [ "$w" -lt 60 ] && [ "$after" -le "$before" ]; do
            sleep 0.5
            after=$(cat "$T"/acked.[0-9]* | wc -l)
            w=$((w + 1))
            # clients stop at their first error (the server may not have
            # reconnected yet): once all have, start them again
            alive=0
            for p in $cpids; do
                kill -0 "$p" 2>/dev/null && alive=1
            done
            if [ "$alive" -eq 0 ] && [ "$after" -le "$before" ]; then
                for p in $cpids; do
                    wait "$p" || fail "a client failed"
                done
                cpids=
                for c in $(seq 1 "$CLIENTS"); do
                    client "$c" &
                    cpids="$cpids $!"
                done
            fi
        done
        [ "$after" -gt "$before" ] ||
            fail "nothing published after PostgreSQL restarted: $(tail -n 5 "$T/serve.err")"
        say "run $i: PostgreSQL restarted; $((after - before)) publications since"
    fi
    kill -9 "$pid"
    { wait "$pid"; } 2>/dev/null || :
    for p in $cpids; do
        wait "$p" || fail "a client failed"
    done
    cat "$T"/acked.[0-9]* >>"$T/acked"
    say "run $i: $(wc -l <"$T/acked") publications acknowledged so far"

    start_serve
    # The note of serve's reconciliation: entries of a batch appended
    # but never committed (killed in between).
    n=$(sed -n 's/.*note: \([0-9]*\) log entries of an interrupted.*/\1/p' \
        "$T/serve.err" | tail -n 1)
    : >"$T/serve.err"
    [ -z "$n" ] || abandoned=$((abandoned + n))

    # Every acknowledged publication, at its index, with its bytes.
    while read -r id idx; do
        curl -s -m 10 "http://127.0.0.1:$port/api/v1/records/$id/proof" \
            >"$T/proof" || fail "proof of $id: no answer"
        got=$(sed -n 's/.*"index": *\([0-9]*\).*/\1/p' "$T/proof" | head -n 1)
        [ "$got" = "$idx" ] ||
            fail "record $id was acknowledged at index $idx, its proof says" \
                "'$got': $(head -c 300 "$T/proof")"
        _checks=$((_checks + 1))
    done <"$T/acked"
    dups=$(awk '{ print $2 }' "$T/acked" | sort | uniq -d | head -n 3)
    [ -z "$dups" ] || fail "indexes acknowledged twice: $dups"
    curl -s -m 10 -H "Authorization: Bearer $REV" \
        "http://127.0.0.1:$port/api/v1/records?status=published&limit=1" \
        >"$T/list" || fail "list: no answer"
    published=$(sed -n 's/.*"total":\([0-9]*\).*/\1/p' "$T/list")
    [ -n "$published" ] || fail "list: no total in $(head -c 300 "$T/list")"
    kill -TERM "$pid"
    { wait "$pid"; } 2>/dev/null || :

    ok "$OSAFE" log verify "$L" --vkey "$T/log.vkey"
    size=$(sed -n 's/.* \([0-9][0-9]*\) entries.*/\1/p' "$T/out" | head -n 1)
    [ -n "$size" ] || fail "log verify: no size in '$(cat "$T/out")'"
    # On PostgreSQL a batch can also reach the log and lose its commit
    # with serve still running (the restart): the next batch records its
    # entries as abandoned, so the database is the count to trust.
    if [ -n "$PGC" ]; then
        abandoned=$(psql -qtA "$DB" -c \
            "SELECT count(*) FROM log_extra WHERE kind = 'abandoned'") ||
            fail "cannot count the abandoned entries"
    fi
    # Each entry is a published record's or an abandoned one: a batch is
    # in the database whole or not at all.
    [ "$size" = $((published + abandoned)) ] ||
        fail "run $i: $size log entries, but $published published records" \
            "and $abandoned abandoned entries"
    i=$((i + 1))
done

say "a sample of acknowledged entries read back from the log exactly"
start_serve
shuf -n 20 --random-source="$T/rec.json" "$T/acked" >"$T/sample" 2>/dev/null ||
    head -n 20 "$T/acked" >"$T/sample"
while read -r id idx; do
    curl -s -m 10 "http://127.0.0.1:$port/api/v1/records/$id" >"$T/body" ||
        fail "GET $id: no answer"
    ok "$OSAFE" log get "$L" "$idx"
    cmp -s "$T/out" "$T/body" ||
        fail "log entry $idx is not the published bytes of $id"
done <"$T/sample"
kill -TERM "$pid"
{ wait "$pid"; } 2>/dev/null || :

nacked=$(wc -l <"$T/acked")
[ "$nacked" -gt 0 ] || fail "nothing was acknowledged in $RUNS runs"
# Entries: one per acknowledged publication, plus those published but
# killed before their answer left, plus the abandoned ones; never fewer
# than acknowledged.
[ "$size" -ge "$nacked" ] ||
    fail "the log holds $size entries, fewer than the $nacked acknowledged"
say "$RUNS kills: $nacked publications acknowledged, all found at their" \
    "index; $size log entries, $abandoned abandoned by batches killed" \
    "between append and commit"
pass
