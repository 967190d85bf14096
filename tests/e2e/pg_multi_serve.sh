#!/bin/sh
# pg_multi_serve.sh - two `osafe serve` processes on one PostgreSQL registry
# and one log directory (issue 13): clients publish through both (create
# on one, submit on the other, accept on the first), and under those
# writes, in turn:
#   1. the process holding the sequencer role (the one whose batch holds
#      the database's write lock, found in pg_locks) is killed with -9:
#      the other goes on publishing without a restart;
#   2. PostgreSQL is restarted (stopped at once, as a crash): both
#      reconnect and publish again;
#   3. a serve process is killed with -9, whatever it was doing.
# After each: every acknowledged publication is published at exactly its
# index, proved so by both processes; no index was acknowledged twice;
# both serve the same checkpoint; `osafe log verify` passes; every log
# entry is a published record's or recorded as abandoned.
#
# PostgreSQL only: run by ctest as pg_e2e_pg_multi_serve in the fixture
# "pg" (it starts a cluster of its own, as it restarts it); SKIP without.
set -eu
. "${OSAFE_TESTS:-$(dirname "$0")/..}/e2e/lib.sh.inc"

if [ -z "${OSAFE_TEST_PG:-}" ]; then
    echo "SKIP: PostgreSQL only (OSAFE_TEST_PG; ctest -L pg)"
    exit 77
fi
command -v psql >/dev/null || fail "psql is needed (postgresql-client)"
CLIENTS=4
PGCTL=${OSAFE_TESTS:-$(dirname "$0")/..}/../scripts/pg-cluster
PGC=$(mktemp -d "${TMPDIR:-/tmp}/osafe-multi-pg.XXXXXX")
chmod 755 "$PGC"
trap '_cleanup; "$PGCTL" stop "$PGC/c"; rm -rf "$PGC"' EXIT
"$PGCTL" start "$PGC/c" >"$PGC/url" || fail "no PostgreSQL cluster"
DB=$(cat "$PGC/url")
L=$T/log
KEY=$T/log.key
cat >"$T/rec.json" <<'EOF'
{"record_type":"incident","lang":"en","title":{"lang":"en","text":"Two processes test record"},"description":[{"lang":"en","text":"Synthetic record for the two-process test.","method":"human"}],"ai_relation":"caused","occurred_start":{"date":"2026-01-02","precision":"day"},"countries_occurred":["FR"],"severity":{"scale":"oecd-2025","level":"incident"},"harm_types":["physical"],"hazards":["ssh"],"ai_systems":[{"kind":"model","name":"m"}],"references":[{"url":"https://example.org/r","type":"NEWS"}],"submitter":{"pseudonym":"t","role":"researcher"},"tlp":"CLEAR","license":"CC-BY-4.0"}
EOF
ok "$OSAFE" token create --db "$DB" --name rep --role reporter
REP=$(tail -n 1 "$T/out")
ok "$OSAFE" token create --db "$DB" --name rev --role reviewer
REV=$(tail -n 1 "$T/out")

# start_serve N: serve number N (1 or 2) in the background; sets pidN and
# portN.  Both share the database, the log directory and its key.
start_serve() {
    : >"$T/serve.out.$1"
    "$OSAFE" serve --db "$DB" --log "$L" --key "$KEY" --origin ex.org/multi \
        --listen 127.0.0.1:0 --write-rate 0 --threads 6 --batch-max 16 \
        --batch-wait-ms 5 >"$T/serve.out.$1" 2>>"$T/serve.err.$1" &
    _p=$!
    bg_register "$_p"
    eval "pid$1=$_p"
    for _ in $(seq 1 300); do
        _port=$(sed -n 's/^listening on port //p' "$T/serve.out.$1")
        if [ -n "$_port" ]; then
            eval "port$1=$_port"
            return 0
        fi
        kill -0 "$_p" 2>/dev/null ||
            fail "serve $1 exited at start: $(cat "$T/serve.err.$1")"
        sleep 0.05
    done
    fail "serve $1 did not start: $(cat "$T/serve.err.$1")"
}

stop_serve() { # N: SIGTERM, then wait
    eval "_p=\$pid$1"
    kill -TERM "$_p" 2>/dev/null || :
    { wait "$_p"; } 2>/dev/null || :
}

# post PORT PATH TOKEN BODY-FILE: the body, then the status alone on the
# last line; nothing when the server is gone.
post() {
    curl -s -m 10 -w '\n%{http_code}' -X POST \
        -H "Authorization: Bearer $3" -H 'Content-Type: application/json' \
        --data-binary "@$4" "http://127.0.0.1:$1$2" 2>/dev/null || :
}

# client N P Q: publish through ports P (create, accept) and Q (submit)
# until an answer fails or $T/stop exists; each acknowledged acceptance appends "ID INDEX"
# to $T/acked.N as soon as it arrives.
client() {
    echo '{"decision":"accept"}' >"$T/accept.$1"
    : >"$T/empty.$1"
    while [ ! -e "$T/stop" ]; do
        r=$(post "$2" /api/v1/records "$REP" "$T/rec.json")
        [ "$(echo "$r" | tail -n 1)" = 201 ] || return 0
        id=$(echo "$r" | sed -n 's/.*"id":"\([^"]*\)".*/\1/p')
        r=$(post "$3" "/api/v1/records/$id/submit" "$REP" "$T/empty.$1")
        [ "$(echo "$r" | tail -n 1)" = 200 ] || return 0
        r=$(post "$2" "/api/v1/records/$id/review" "$REV" "$T/accept.$1")
        [ "$(echo "$r" | tail -n 1)" = 200 ] || return 0
        idx=$(echo "$r" | sed -n 's/.*"log_index":\([0-9]*\).*/\1/p')
        [ -n "$idx" ] || fail "acceptance of $id without a log_index: $r"
        echo "$id $idx" >>"$T/acked.$1"
    done
}

# start_clients P Q: clients alternating which process they start on.
start_clients() {
    cpids=
    for c in $(seq 1 "$CLIENTS"); do
        if [ $((c % 2)) -eq 1 ]; then client "$c" "$1" "$2" &
        else client "$c" "$2" "$1" & fi
        cpids="$cpids $!"
    done
}

# wait_clients [stop]: wait for the clients to stop (at an error, or told
# to with "stop"), then collect what they acknowledged.
wait_clients() {
    [ -z "${1:-}" ] || : >"$T/stop"
    for p in $cpids; do
        wait "$p" || fail "a client failed"
    done
    cpids=
    rm -f "$T/stop"
    cat "$T"/acked.[0-9]* >>"$T/acked" 2>/dev/null || :
    rm -f "$T"/acked.[0-9]*
}

nacked() { cat "$T/acked" "$T"/acked.[0-9]* 2>/dev/null | wc -l; }

# holder_pid: the serve process whose connection holds the write lock now
# (an advisory lock in pg_locks; its client port found with ss), or empty.
holder_pid() {
    cport=$(psql -qtA "$DB" -c "SELECT a.client_port FROM pg_locks l JOIN \
pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND \
l.granted LIMIT 1" 2>/dev/null || :)
    [ -n "$cport" ] || return 0
    ss -Htnp "sport = :$cport" 2>/dev/null |
        sed -n 's/.*pid=\([0-9]*\),.*/\1/p' | head -n 1
}

# progress PORT...: publications acknowledged again within 30 s through
# clients on these ports only (restarted as they stop at an error).
progress() {
    before=$(nacked)
    w=0
    while [ "$w" -lt 60 ] && [ "$(nacked)" -le "$before" ]; do
        alive=0
        for p in $cpids; do
            kill -0 "$p" 2>/dev/null && alive=1
        done
        if [ "$alive" -eq 0 ]; then
            wait_clients
            start_clients "$1" "${2:-$1}"
        fi
        sleep 0.5
        w=$((w + 1))
    done
    [ "$(nacked)" -gt "$before" ] ||
        fail "nothing published within 30 s: $(tail -n 3 "$T/serve.err.1" "$T/serve.err.2")"
}

# check: both processes up, clients stopped; every acknowledged
# publication at its index (proved by both), the same checkpoint from
# both, the log verified and every entry accounted for.
check() {
    dups=$(awk '{ print $2 }' "$T/acked" | sort | uniq -d | head -n 3)
    [ -z "$dups" ] || fail "indexes acknowledged twice: $dups"
    n=0
    while read -r id idx; do
        for port in $port1 $port2; do
            curl -s -m 10 "http://127.0.0.1:$port/api/v1/records/$id/proof" \
                >"$T/proof" || fail "proof of $id from $port: no answer"
            got=$(sed -n 's/.*"index": *\([0-9]*\).*/\1/p' "$T/proof" | head -n 1)
            [ "$got" = "$idx" ] ||
                fail "$id was acknowledged at index $idx; the proof from" \
                    "port $port says '$got': $(head -c 300 "$T/proof")"
        done
        n=$((n + 1))
        _checks=$((_checks + 1))
    done <"$T/acked"
    curl -s -m 10 "http://127.0.0.1:$port1/log/checkpoint" >"$T/cp1"
    curl -s -m 10 "http://127.0.0.1:$port2/log/checkpoint" >"$T/cp2"
    [ -s "$T/cp1" ] && cmp -s "$T/cp1" "$T/cp2" ||
        fail "the two processes serve different checkpoints"
    ok "$OSAFE" log verify "$L" --vkey "$T/log.vkey"
    size=$(sed -n 's/.* \([0-9][0-9]*\) entries.*/\1/p' "$T/out" | head -n 1)
    [ -n "$size" ] || fail "log verify: no size in '$(cat "$T/out")'"
    # the entries rows hold: published versions, abandoned tails
    held=$(psql -qtA "$DB" -c "SELECT count(DISTINCT i), min(i), max(i) \
FROM (SELECT log_index i FROM versions WHERE log_index >= 0 UNION ALL \
SELECT log_index FROM log_extra) x" | tr '|' ' ')
    abandoned=$(psql -qtA "$DB" -c \
        "SELECT count(*) FROM log_extra WHERE kind = 'abandoned'")
    [ "$held" = "$size 0 $((size - 1))" ] ||
        fail "$size log entries, but the rows hold (count, min, max): $held"
    [ "$size" -ge "$n" ] || fail "$size log entries, $n acknowledged"
    say "$n acknowledged, all at their index in both; $size entries" \
        "($abandoned abandoned)"
}

: >"$T/acked"
: >"$T/serve.err.1"
: >"$T/serve.err.2"
start_serve 1
start_serve 2
say "both processes publish, reads served by both"
start_clients "$port1" "$port2"
w=0
while [ "$w" -lt 60 ] && [ "$(nacked)" -lt "$CLIENTS" ]; do
    sleep 0.5
    w=$((w + 1))
done
[ "$(nacked)" -gt 0 ] || fail "nothing published through two processes"

say "1. the sequencer role's holder killed with -9 under writes"
victim=
for _ in $(seq 1 200); do
    victim=$(holder_pid)
    [ "$victim" = "$pid1" ] || [ "$victim" = "$pid2" ] && break
    victim=
done
[ -n "$victim" ] || { victim=$pid1; say "(holder not caught: killing 1)"; }
kill -9 "$victim"
if [ "$victim" = "$pid1" ]; then dead=1 live=$port2; else dead=2 live=$port1; fi
eval "{ wait \$pid$dead; } 2>/dev/null || :"
wait_clients stop
start_clients "$live" "$live"
progress "$live"
say "the other process took over: $(nacked) acknowledged"
wait_clients stop
start_serve "$dead"
check

say "2. PostgreSQL restarted under writes"
start_clients "$port1" "$port2"
sleep 1
"$PGCTL" restart "$PGC/c" || fail "PostgreSQL did not restart"
wait_clients stop
kill -0 "$pid1" && kill -0 "$pid2" || fail "serve died with PostgreSQL"
start_clients "$port1" "$port2"
progress "$port1" "$port2"
wait_clients stop
check

say "3. a serve process killed with -9 under writes"
start_clients "$port1" "$port2"
sleep "$(printf '0.%03d' $(($(rand 600) + 300)))"
kill -9 "$pid2"
{ wait "$pid2"; } 2>/dev/null || :
wait_clients stop
start_clients "$port1" "$port1"
progress "$port1"
wait_clients stop
start_serve 2
check
stop_serve 1
stop_serve 2
pass
