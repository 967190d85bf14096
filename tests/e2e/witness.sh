#!/bin/sh
# witness.sh - witnessing a node's own log (issue 12, C2SP tlog-witness and
# tlog-cosignature): node A is configured with witnesses B and C (two
# `osafe serve --witness-key` nodes that have A as a peer); A's serve sends
# each new checkpoint to them in the background and serves it at
# /log/checkpoint with their verified cosignatures.  Checked: `log verify`
# and `log verify-inclusion` with --witness B --witness C --quorum 2 pass,
# quorum 3 with a third key fails naming how many verified; `peer sync`
# with a policy takes nothing from a checkpoint lacking the quorum; a new
# checkpoint is cosigned from the previous size with a consistency proof;
# a rewritten history of A (its tiles replaced, re-signed with A's key) is
# refused by both witnesses (422), A's served checkpoint then carries no
# cosignature of theirs (only that of a new witness D, which never saw the
# true history: one of three is no quorum of two), and `witness list` says
# why.  Under OSAFE_TEST_PG
# (ctest pg_witness) every node's database is a fresh PostgreSQL one.
set -eu
. "${OSAFE_TESTS:-$(dirname "$0")/..}/e2e/lib.sh.inc"
. "${OSAFE_TESTS:-$(dirname "$0")/..}/e2e/nodes.sh.inc"

command -v curl >/dev/null 2>&1 || {
    echo "SKIP: witness.sh needs curl"
    exit 77
}

# cosigned N SIZE: wait until A serves a checkpoint of SIZE with N
# cosignature lines (after the log's own signature line).
cosigned() {
    _i=0
    while :; do
        curl -s "$A/log/checkpoint" >"$T/cp"
        [ "$(sed -n 2p "$T/cp")" = "$2" ] &&
            [ "$(grep -c '^— ' "$T/cp")" -eq $(($1 + 1)) ] && break
        _i=$((_i + 1))
        [ "$_i" -le 300 ] || fail "A's checkpoint did not get $1 cosignatures at size $2: $(cat "$T/cp"); $(cat "$T/a.err")"
        sleep 0.1
    done
    _checks=$((_checks + 1))
}

ADB=$(newdb a)
BDB=$(newdb b)
CDB=$(newdb c)
EDB=$(newdb evil)
K=$T/keys
for k in a.example/log b.example/log c.example/log b.example/witness \
    c.example/witness d.example/witness; do
    ok "$OSAFE" key generate "$k" --out "$K"
done
AKEY=$K/a.example_log.key
AVKEY=$K/a.example_log.vkey
WB=$K/b.example_witness.vkey
WC=$K/c.example_witness.vkey
WD=$K/d.example_witness.vkey

say "A publishes 20 records; B and C witness A's log"
H=id,record_type,lang,title,description,ai_relation,occurred_start,countries_occurred,severity,harm_types,hazards,ai_systems,references,aliases,tlp,license
csv() { # FIRST LAST
    echo "$H"
    awk -v a="$1" -v b="$2" 'BEGIN { for (i = a; i <= b; i++)
        printf "w%d,incident,en,Witnessed record %d,Synthetic record " \
            "for the witness test.,caused,2026-03-10,FR,incident," \
            "physical,ssh,model:chat-7b,NEWS https://example.org/w%d,,CLEAR," \
            "CC-BY-4.0\n", i, i, i }'
}
ok "$OSAFE" log init "$T/a.log" --origin a.example/log --key "$AKEY"
csv 1 20 >"$T/in.csv"
ok "$OSAFE" import csv "$T/in.csv" --db "$ADB" --publish --log "$T/a.log"
PA=$(free_port)
A=http://127.0.0.1:$PA
PB=$(free_port)
PC=$(free_port)
[ "$PB" != "$PA" ] && [ "$PC" != "$PA" ] && [ "$PC" != "$PB" ] ||
    fail "port clash, run again"
ok "$OSAFE" peer add "$A" --vkey "$AVKEY" --db "$BDB"
ok "$OSAFE" peer add "$A" --vkey "$AVKEY" --db "$CDB"
serve b "$PB" "$BDB" "$T/b.log" "$K/b.example_log.key" \
    --witness-key "$K/b.example_witness.key"
serve c "$PC" "$CDB" "$T/c.log" "$K/c.example_log.key" \
    --witness-key "$K/c.example_witness.key"

say "witness add refuses bad input, naming the problem"
expect_fail 1 "submission prefix" "$OSAFE" witness add "ftp://x" \
    --vkey "$WB" --db "$ADB"
printf 'not a key\n' >"$T/bad.vkey"
expect_fail 1 "verifier key" "$OSAFE" witness add "http://127.0.0.1:$PB/witness" \
    --vkey "$T/bad.vkey" --db "$ADB"
ok "$OSAFE" witness add "http://127.0.0.1:$PB/witness" --vkey "$WB" --db "$ADB"
ok "$OSAFE" witness add "http://127.0.0.1:$PC/witness" --vkey "$WC" --db "$ADB"
expect_fail 1 "configured already" "$OSAFE" witness add \
    "http://127.0.0.1:$PB/witness" --vkey "$WB" --db "$ADB"
expect_fail 2 "--quorum 3" "$OSAFE" log verify "$T/a.log" --vkey "$AVKEY" \
    --witness "$WB" --quorum 3

say "A serves its checkpoint cosigned by B and C"
serve a "$PA" "$ADB" "$T/a.log" "$AKEY"
cosigned 2 20
grep -q '^— b.example/witness ' "$T/cp" || fail "no cosignature of B"
grep -q '^— c.example/witness ' "$T/cp" || fail "no cosignature of C"
ok "$OSAFE" log verify "$T/a.log" --vkey "$AVKEY" --witness "$WB" \
    --witness "$WC" --quorum 2
out_has "ok: 2 of 2 witnesses cosigned (quorum 2): b.example/witness@"
expect_fail 1 "2 of 3 witness cosignatures verified, 3 required (missing: d.example/witness)" \
    "$OSAFE" log verify "$T/a.log" --vkey "$AVKEY" --witness "$WB" \
    --witness "$WC" --witness "$WD" --quorum 3
ok "$OSAFE" log verify "$T/a.log" --vkey "$AVKEY" --witness "$WB" \
    --witness "$WC" --witness "$WD" --quorum 2
# the served file, given explicitly
ok "$OSAFE" log verify "$T/a.log" --vkey "$AVKEY" --witness "$WC" \
    --checkpoint "$T/cp"
# the bare checkpoint carries none
expect_fail 1 "0 of 1 witness cosignatures verified" "$OSAFE" log verify \
    "$T/a.log" --vkey "$AVKEY" --witness "$WC" --checkpoint "$T/a.log/checkpoint"

say "verify-inclusion under the policy"
ok "$OSAFE" log get "$T/a.log" 3
cp "$T/out" "$T/entry3"
ok "$OSAFE" log prove "$T/a.log" 3
cp "$T/out" "$T/proof3.json"
ok "$OSAFE" log verify-inclusion --vkey "$AVKEY" --proof "$T/proof3.json" \
    --checkpoint "$T/cp" --entry "$T/entry3" --witness "$WB" --witness "$WC" \
    --quorum 2
out_has "ok: 2 of 2 witnesses cosigned"
expect_fail 1 "witness quorum not met: 2 of 3" "$OSAFE" log verify-inclusion \
    --vkey "$AVKEY" --proof "$T/proof3.json" --checkpoint "$T/cp" \
    --entry "$T/entry3" --witness "$WB" --witness "$WC" --witness "$WD" \
    --quorum 3

say "peer sync under a policy: nothing taken without the quorum"
EVDB=$(newdb viewer)
ok "$OSAFE" peer add "$A" --vkey "$AVKEY" --db "$EVDB"
expect_fail 1 "0 of 1 witness cosignatures verified" "$OSAFE" peer sync \
    --db "$EVDB" --witness "$WD"
ok "$OSAFE" peer list --db "$EVDB"
grep -q "	active	0	0	20	" "$T/out" ||
    fail "a checkpoint without the quorum was taken: $(cat "$T/out")"
ok "$OSAFE" peer sync --db "$EVDB" --witness "$WB" --witness "$WC" \
    --quorum 2
out_has "size 20, 20 new entries (20 mirrored"

say "serve --sync-interval under a policy: the same refusal, then the quorum"
SVDB=$(newdb sviewer)
ok "$OSAFE" peer add "$A" --vkey "$AVKEY" --db "$SVDB"
expect_fail 2 "need --sync-interval" "$OSAFE" serve --db "$SVDB" \
    --sync-witness "$WD"
expect_fail 2 "needs at least one --sync-witness" "$OSAFE" serve \
    --db "$SVDB" --sync-interval 1 --sync-quorum 1
PS=$(free_port)
serve s "$PS" "$SVDB" "$T/s.log" "$K/s.key" --sync-interval 1 \
    --sync-witness "$WD"
_i=0
until grep -q "0 of 1 witness cosignatures verified" "$T/s.err"; do
    _i=$((_i + 1))
    [ "$_i" -le 100 ] || fail "the interval sync did not apply the policy: $(cat "$T/s.err")"
    sleep 0.1
done
stop s
ok "$OSAFE" peer list --db "$SVDB"
grep -q "	active	0	0	20	" "$T/out" ||
    fail "serve took a checkpoint without the quorum: $(cat "$T/out")"
out_has "0 of 1 witness cosignatures verified"
serve s "$PS" "$SVDB" "$T/s.log" "$K/s.key" --sync-interval 1 \
    --sync-witness "$WB" --sync-witness "$WC" --sync-quorum 2
_i=0
until "$OSAFE" peer list --db "$SVDB" | grep -q "	active	20	"; do
    _i=$((_i + 1))
    [ "$_i" -le 100 ] || fail "the interval sync did not take a cosigned checkpoint: $(cat "$T/s.err")"
    sleep 0.1
done
stop s

say "A grows: the next checkpoint is cosigned from size 20 with a proof"
stop a
csv 21 25 >"$T/more.csv"
ok "$OSAFE" import csv "$T/more.csv" --db "$ADB" --publish --log "$T/a.log"
serve a "$PA" "$ADB" "$T/a.log" "$AKEY"
cosigned 2 25
ok "$OSAFE" log verify "$T/a.log" --vkey "$AVKEY" --witness "$WB" \
    --witness "$WC" --quorum 2
ok "$OSAFE" witness list --db "$ADB"
grep -q "^http://127.0.0.1:$PB/witness	b.example/witness	25	[0-9]*	[0-9T:Z-]*	-$" \
    "$T/out" || fail "witness list: $(cat "$T/out")"

say "A rewrites its history and re-signs: both witnesses refuse (422)"
stop a
ok "$OSAFE" log init "$T/evil.log" --origin a.example/log --key "$AKEY"
seq 1 30 | sed 's/^/{"rewritten":/; s/$/}/' >"$T/evil.lines"
ok "$OSAFE" log append "$T/evil.log" --lines <"$T/evil.lines"
ok "$OSAFE" witness add "http://127.0.0.1:$PB/witness" --vkey "$WB" --db "$EDB"
ok "$OSAFE" witness add "http://127.0.0.1:$PC/witness" --vkey "$WC" --db "$EDB"
# a third witness, D, that never saw A's true history: it has nothing to
# contradict and cosigns the rewritten one (one witness is not a quorum)
DDB=$(newdb d)
PD=$(free_port)
ok "$OSAFE" key generate d.example/log --out "$K"
ok "$OSAFE" peer add "$A" --vkey "$AVKEY" --db "$DDB"
serve d "$PD" "$DDB" "$T/d.log" "$K/d.example_log.key" \
    --witness-key "$K/d.example_witness.key"
ok "$OSAFE" witness add "http://127.0.0.1:$PD/witness" --vkey "$WD" --db "$EDB"
serve evil "$PA" "$EDB" "$T/evil.log" "$AKEY"
i=0
until "$OSAFE" witness list --db "$EDB" >"$T/wl" &&
    [ "$(grep -c '422' "$T/wl")" -eq 2 ]; do
    i=$((i + 1))
    [ "$i" -le 300 ] || fail "witnesses did not refuse: $(cat "$T/wl")"
    sleep 0.1
done
grep -q "not consistent with the one it cosigned" "$T/wl" ||
    fail "witness list: $(cat "$T/wl")"
cosigned 1 30
grep -q '^— d.example/witness ' "$T/cp" || fail "D did not cosign: $(cat "$T/cp")"
grep -q -e '^— b.example/witness ' -e '^— c.example/witness ' "$T/cp" &&
    fail "a witness cosigned the rewritten history: $(cat "$T/cp")"
expect_fail 1 "0 of 2 witness cosignatures verified, 1 required" \
    "$OSAFE" log verify "$T/evil.log" --vkey "$AVKEY" --witness "$WB" \
    --witness "$WC" --quorum 1
expect_fail 1 "1 of 3 witness cosignatures verified, 2 required (missing: b.example/witness, c.example/witness)" \
    "$OSAFE" log verify "$T/evil.log" --vkey "$AVKEY" --witness "$WB" \
    --witness "$WC" --witness "$WD" --quorum 2
# the viewer with a policy takes nothing of it either (and, having seen
# the true size 20, keeps the evidence)
expect_fail 1 "is not consistent with the accepted 20" "$OSAFE" peer sync \
    --db "$EVDB" --witness "$WB" --quorum 1
stop evil
stop b
stop c
stop d
pass
