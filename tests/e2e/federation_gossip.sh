#!/bin/sh
# federation_gossip.sh - gossip between nodes (issue 12): A shows one
# history to B and another to C.  The test tool is two `osafe serve`
# processes with A's one log key and two different logs (a fork signed by
# A), B mirroring one and C the other; B and C mirror each other too.
# Neither sees anything wrong in A's own answers; each finds the split
# view in what the other gossips (GET /federation/checkpoints), keeps both
# signed notes as evidence and freezes A.  Also: the gossip route serves
# the accepted notes verbatim and nothing else; a gossiped checkpoint that
# is consistent with ours freezes nothing; a fork of another size is
# caught with a consistency proof from A's own tiles.
set -eu
. "${OSAFE_TESTS:-$(dirname "$0")/..}/e2e/lib.sh.inc"
. "${OSAFE_TESTS:-$(dirname "$0")/..}/e2e/nodes.sh.inc"

command -v curl >/dev/null 2>&1 || {
    echo "SKIP: federation_gossip needs curl"
    exit 77
}

# serve NAME LOG KEY: start `osafe serve` on a fresh port with database
# $T/NAME.db; its URL lands in $T/NAME.url.
serve() {
    _n=$1
    _port=$(free_port)
    "$OSAFE" serve --db "$T/$_n.db" --log "$2" --key "$3" \
        --listen "127.0.0.1:$_port" >"$T/$_n.out" 2>"$T/$_n.err" &
    echo $! >"$T/$_n.pid"
    bg_register "$(cat "$T/$_n.pid")"
    _i=0
    until curl -s -o /dev/null "http://127.0.0.1:$_port/log/checkpoint"; do
        _i=$((_i + 1))
        [ "$_i" -le 200 ] || fail "$_n did not start: $(cat "$T/$_n.err")"
        sleep 0.1
    done
    echo "http://127.0.0.1:$_port" >"$T/$_n.url"
}

# state DB URL: the peer's state in `peer list`.
state() {
    "$OSAFE" peer list --db "$1" | awk -F'\t' -v u="$2" '$1 == u { print $3 }'
}

K=$T/keys
ok "$OSAFE" key generate a.example/log --out "$K"
AKEY=$K/a.example_log.key
AVKEY=$K/a.example_log.vkey
for n in b c d; do
    ok "$OSAFE" key generate "$n.example/log" --out "$K"
done

say "A signs two histories of 40 entries: A1 for B, A2 for C"
for f in 1 2; do
    ok "$OSAFE" log init "$T/a$f.log" --origin a.example/log --key "$AKEY"
    seq 1 40 | sed "s/^/{\"fork\":$f,\"n\":/; s/\$/}/" >"$T/a$f.lines"
    ok "$OSAFE" log append "$T/a$f.log" --lines <"$T/a$f.lines"
done
serve a1 "$T/a1.log" "$AKEY"
serve a2 "$T/a2.log" "$AKEY"
serve b "$T/b.log" "$K/b.example_log.key"
serve c "$T/c.log" "$K/c.example_log.key"
A1=$(cat "$T/a1.url") A2=$(cat "$T/a2.url")
B=$(cat "$T/b.url") C=$(cat "$T/c.url")

ok "$OSAFE" peer add "$A1" --vkey "$AVKEY" --db "$T/b.db"
ok "$OSAFE" peer add "$C" --vkey "$K/c.example_log.vkey" --db "$T/b.db"
ok "$OSAFE" peer add "$A2" --vkey "$AVKEY" --db "$T/c.db"
ok "$OSAFE" peer add "$B" --vkey "$K/b.example_log.vkey" --db "$T/c.db"

say "each view is consistent on its own: B and C accept A"
ok "$OSAFE" peer sync --db "$T/b.db" "$A1"
out_has "size 40, 40 new entries"
ok "$OSAFE" peer sync --db "$T/c.db" "$A2"
out_has "size 40, 40 new entries"

say "the gossip route serves the accepted note verbatim, no URL"
code=$(curl -s -o "$T/g.json" -w '%{http_code}' "$B/federation/checkpoints")
[ "$code" = 200 ] || fail "gossip route: $code $(cat "$T/g.json")"
curl -s "$A1/log/checkpoint" >"$T/a1.cp"
note=$(awk 'BEGIN { ORS = "\\n" } { print }' "$T/a1.cp")
grep -q -F "{\"origin\":\"a.example/log\",\"note\":\"$note\"}" "$T/g.json" ||
    fail "gossip: $(cat "$T/g.json")"
grep -q "127.0.0.1" "$T/g.json" && fail "gossip names a peer's URL"
_checks=$((_checks + 1))
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$B/federation/checkpoints")
[ "$code" = 405 ] || fail "POST gossip: $code"

say "a consistent gossiped checkpoint freezes nothing"
serve d "$T/d.log" "$K/d.example_log.key"
ok "$OSAFE" peer add "$A1" --vkey "$AVKEY" --db "$T/d.db"
ok "$OSAFE" peer add "$B" --vkey "$K/b.example_log.vkey" --db "$T/d.db"
ok "$OSAFE" peer sync --db "$T/d.db" "$A1"
ok "$OSAFE" peer sync --db "$T/d.db" "$B"
out_has "1 gossiped checkpoints compared"
[ "$(state "$T/d.db" "$A1")" = active ] || fail "D froze A1"

say "B reads C's gossip: A's other history is caught, A frozen on B"
run "$OSAFE" peer sync --db "$T/b.db" "$C"
[ "$rc" -eq 1 ] || fail "split view by gossip not reported: exit $rc"
grep -q "gossip showed 1 split view" "$T/err" || fail "B: $(cat "$T/err")"
[ "$(state "$T/b.db" "$A1")" = frozen ] || fail "A not frozen on B"
expect_fail 1 "is frozen" "$OSAFE" peer sync --db "$T/b.db" "$A1"
ok "$OSAFE" peer evidence "$A1" --db "$T/b.db" --out "$T/ev1"
grep -q "two checkpoints of size 40 with different roots (the other one gossiped by $C)" \
    "$T/ev1/reason.txt" || fail "reason: $(cat "$T/ev1/reason.txt")"
expect_fail 1 "equal sizes but different root hashes" \
    "$OSAFE" log verify-consistency --vkey "$T/ev1/peer.vkey" \
    --old "$T/ev1/old.checkpoint" --new "$T/ev1/new.checkpoint"
# both notes are A's own, signed with its key
for f in old new; do
    ok "$OSAFE" log verify-consistency --vkey "$AVKEY" \
        --old "$T/ev1/$f.checkpoint" --new "$T/ev1/$f.checkpoint"
done

say "C reads B's gossip and catches it too (B still tells what it accepted)"
run "$OSAFE" peer sync --db "$T/c.db" "$B"
[ "$rc" -eq 1 ] || fail "C: exit $rc: $(cat "$T/err")"
[ "$(state "$T/c.db" "$A2")" = frozen ] || fail "A not frozen on C"

say "a fork of another size: caught with a proof from A's own tiles"
stop a2
seq 41 50 | sed 's/^/{"fork":2,"n":/; s/$/}/' >"$T/more.lines"
ok "$OSAFE" log append "$T/a2.log" --lines <"$T/more.lines"
serve a2b "$T/a2.log" "$AKEY"
A2B=$(cat "$T/a2b.url")
ok "$OSAFE" peer add "$A2B" --vkey "$AVKEY" --db "$T/d.db"
ok "$OSAFE" peer remove "$A1" --db "$T/d.db"
# D accepts A2 at 50; B gossips A1 at 40
ok "$OSAFE" peer sync --db "$T/d.db" "$A2B"
out_has "size 50, 50 new entries"
run "$OSAFE" peer sync --db "$T/d.db" "$B"
[ "$rc" -eq 1 ] || fail "D: exit $rc: $(cat "$T/err")"
[ "$(state "$T/d.db" "$A2B")" = frozen ] || fail "A not frozen on D"
ok "$OSAFE" peer evidence "$A2B" --db "$T/d.db" --out "$T/ev2"
[ -s "$T/ev2/proof.json" ] || fail "no proof in the evidence"
expect_fail 1 "does not lead to the old root" \
    "$OSAFE" log verify-consistency --vkey "$T/ev2/peer.vkey" \
    --old "$T/ev2/old.checkpoint" --new "$T/ev2/new.checkpoint" \
    --proof "$T/ev2/proof.json"
pass
