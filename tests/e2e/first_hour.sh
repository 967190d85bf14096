#!/bin/sh
# first_hour.sh - README.md's "The first hour", followed literally: the
# commands between <!-- first-hour:begin --> and <!-- first-hour:end -->
# are taken from the README itself (so the doc and this test cannot drift)
# and run in a temporary copy of the layout they expect (build/osafe, the
# fixtures, scripts/run-demo), on a free port instead of 8420.  The first
# block must be `make run`, which is run as what it does after building:
# scripts/run-demo build/osafe.  Also: `make run` on a busy port creates
# nothing, and the admin token is kept in a 0600 file.
set -eu
. "${OSAFE_TESTS:-$(dirname "$0")/..}/e2e/lib.sh.inc"
REPO=$(cd "$OSAFE_TESTS/.." && pwd)
command -v curl >/dev/null 2>&1 || {
    echo "SKIP: the first hour needs curl"
    exit 77
}

say "the README's first-hour section, block by block"
awk '/<!-- first-hour:begin -->/ { on = 1; next }
     /<!-- first-hour:end -->/ { on = 0 }
     on && /^```sh$/ { n++; inblk = 1; next }
     on && inblk && /^```$/ { inblk = 0; next }
     on && inblk { print > (dir "/block" n ".sh") }
     END { print n + 0 > (dir "/nblocks") }' dir="$T" "$REPO/README.md"
nb=$(cat "$T/nblocks")
[ "$nb" -ge 2 ] || fail "README.md: no first-hour section with sh blocks"
[ "$(cat "$T/block1.sh")" = "make run" ] ||
    fail "the first block of the first hour is not 'make run': $(cat "$T/block1.sh")"

# a free port: nothing answers on it.  Below Linux's ephemeral range
# (32768-60999), so that the outgoing connections and port-0 servers of
# tests running beside this one cannot take it between check and bind.
i=0
while :; do
    PORT=$((20000 + $(rand 12000)))
    prc=0
    curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$PORT/" || prc=$?
    [ "$prc" -eq 7 ] && break
    i=$((i + 1))
    [ "$i" -lt 50 ] || fail "no free port found"
done

# the layout of a clone after `make run` built it
W=$T/clone
mkdir -p "$W/build" "$W/tests"
ln -s "$OSAFE" "$W/build/osafe"
ln -s "$REPO/tests/fixtures" "$W/tests/fixtures"
ln -s "$REPO/scripts" "$W/scripts"

say "make run (scripts/run-demo build/osafe) on port $PORT"
(cd "$W" && OSAFE_LISTEN=127.0.0.1:$PORT exec scripts/run-demo build/osafe \
    >"$T/run.out" 2>"$T/run.err") &
srv=$!
bg_register "$srv"
i=0
until curl -s -o /dev/null "http://127.0.0.1:$PORT/log/checkpoint"; do
    i=$((i + 1))
    [ "$i" -le 200 ] || fail "make run did not start: $(cat "$T/run.err")"
    kill -0 "$srv" 2>/dev/null || fail "make run exited: $(cat "$T/run.err")"
    sleep 0.1
done
_checks=$((_checks + 1))
[ -s "$W/var/admin.token" ] || fail "no var/admin.token"
[ "$(stat -c %a "$W/var/admin.token")" = 600 ] ||
    fail "var/admin.token is $(stat -c %a "$W/var/admin.token"), not 600"
grep -q -F "$(cat "$W/var/admin.token")" "$T/run.out" ||
    fail "make run did not print the token: $(cat "$T/run.out")"
grep -q '^osafe_' "$W/var/admin.token" ||
    fail "var/admin.token holds no token"

say "the second terminal: every block, word for word (port $PORT)"
b=2
: >"$T/second.sh"
while [ "$b" -le "$nb" ]; do
    sed "s/127\.0\.0\.1:8420/127.0.0.1:$PORT/g" "$T/block$b.sh" >>"$T/second.sh"
    b=$((b + 1))
done
# one shell for all blocks, as in one terminal; stop at the first failure
rc=0
(cd "$W" && sh -eu "$T/second.sh" >"$T/out" 2>"$T/err") || rc=$?
_checks=$((_checks + 1))
[ "$rc" -eq 0 ] || fail "the first hour stopped (exit $rc):
$(cat "$T/err")
stdout: $(cat "$T/out")"

say "what the first hour did"
grep -q '"state": *"published"' "$T/out" ||
    fail "the record was not published: $(cat "$T/out")"
old=$(sed -n 2p "$W/cp.old")
new=$(sed -n 2p "$W/cp")
[ "$old" -ge 1 ] && [ "$new" -gt "$old" ] ||
    fail "log sizes: old $old, new $new"
_checks=$((_checks + 1))
# nothing was made beside var/osafe.db
[ "$(find "$W" -name '*.db' | wc -l)" -eq 1 ] ||
    fail "more than one database: $(find "$W" -name '*.db')"

say "make run on a busy port: refused before any token or database"
rc=0
(cd "$W" && OSAFE_VAR=var2 OSAFE_LISTEN=127.0.0.1:$PORT scripts/run-demo \
    build/osafe >"$T/out" 2>"$T/err") || rc=$?
[ "$rc" -ne 0 ] || fail "make run on a busy port succeeded"
grep -q "in use" "$T/err" || fail "busy port: $(cat "$T/err")"
[ ! -e "$W/var2/osafe.db" ] || fail "a database was created on a busy port"
grep -q 'osafe_' "$T/out" && fail "a token was printed on a busy port"
_checks=$((_checks + 1))

say "make run again: the token is not shown again, its file is named"
kill "$srv"
wait "$srv" 2>/dev/null || :
(cd "$W" && OSAFE_LISTEN=127.0.0.1:$PORT exec scripts/run-demo build/osafe \
    >"$T/run2.out" 2>"$T/run2.err") &
srv=$!
bg_register "$srv"
i=0
until grep -q "admin token" "$T/run2.out" 2>/dev/null; do
    i=$((i + 1))
    [ "$i" -le 100 ] || fail "second start: $(cat "$T/run2.out" "$T/run2.err")"
    sleep 0.1
done
grep -q "var/admin.token" "$T/run2.out" || fail "$(cat "$T/run2.out")"
kill "$srv"
wait "$srv" 2>/dev/null || :
pass
