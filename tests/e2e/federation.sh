#!/bin/sh
# federation.sh - three nodes on loopback (issue 12, first stage): A
# publishes, B and C mirror it with `osafe peer sync`.  Checked: CLEAR
# records arrive verified with their provenance, AMBER ones never; B's own
# log stays empty (mirrored records are not re-published as B's); a bundle
# whose bytes were changed on A's disk is refused whole and nothing of it
# stored, and the sync resumes from the last committed bundle once the
# bytes are right again; a sync killed at a random instant loses nothing
# and refetches only what it lacks; a withdrawal on A reaches B; a peer
# that is down is reported and does not stop the others; a node that
# rewrites its history and re-signs it (same size, and larger) is caught,
# the evidence kept and checkable with `osafe log verify-consistency`, the
# peer frozen until unfrozen; C, as a C2SP witness of A, cosigns A's
# checkpoint, answers 409 to a stale request and 422 to the rewritten one.
# Under OSAFE_TEST_PG (ctest pg_federation) every node's database is a
# fresh PostgreSQL database in that cluster.
set -eu
. "${OSAFE_TESTS:-$(dirname "$0")/..}/e2e/lib.sh.inc"
. "${OSAFE_TESTS:-$(dirname "$0")/..}/e2e/nodes.sh.inc"

command -v curl >/dev/null 2>&1 || {
    echo "SKIP: federation needs curl"
    exit 77
}

ADB=$(newdb a)
BDB=$(newdb b)
CDB=$(newdb c)
EDB=$(newdb evil)

# mirrored DB: how many records DB mirrors (withdrawn ones included).
mirrored() { "$OSAFE" peer mirrored --db "$1" | wc -l; }

ok "$OSAFE" key generate a.example/log --out "$T/keys"
AKEY=$T/keys/a.example_log.key
AVKEY=$T/keys/a.example_log.vkey
ok "$OSAFE" log init "$T/a.log" --origin a.example/log --key "$AKEY"

say "A publishes 1,000 records, every 10th TLP:AMBER"
H=id,record_type,lang,title,description,ai_relation,occurred_start,countries_occurred,severity,harm_types,hazards,ai_systems,references,aliases,tlp,license
{
    echo "$H"
    awk 'BEGIN { for (i = 1; i <= 1000; i++)
        printf "f%d,incident,en,Federated record %d,Synthetic record " \
            "for the federation test.,caused,2026-03-10,FR,incident," \
            "physical,ssh,model:chat-7b,NEWS https://example.org/f%d,,%s," \
            "CC-BY-4.0\n", i, i, i, (i % 10 == 0 ? "AMBER" : "CLEAR") }'
} >"$T/in.csv"
ok "$OSAFE" import csv "$T/in.csv" --db "$ADB" --publish --log "$T/a.log"
PA=$(free_port)
serve a "$PA" "$ADB" "$T/a.log" "$AKEY"
A=http://127.0.0.1:$PA
PB=$(free_port)
[ "$PB" != "$PA" ] || PB=$(free_port)
ok "$OSAFE" key generate b.example/log --out "$T/keys"
serve b "$PB" "$BDB" "$T/b.log" "$T/keys/b.example_log.key"

say "bad input to peer add is refused, naming the problem"
expect_fail 1 "peer URL" "$OSAFE" peer add "ftp://x" --vkey "$AVKEY" \
    --db "$BDB"
printf 'not a key\n' >"$T/bad.vkey"
expect_fail 1 "verifier key" "$OSAFE" peer add "$A" --vkey "$T/bad.vkey" \
    --db "$BDB"
ok "$OSAFE" peer add "$A" --vkey "$AVKEY" --db "$BDB"
expect_fail 1 "a peer already" "$OSAFE" peer add "$A" --vkey "$AVKEY" \
    --db "$BDB"

say "a bundle changed on A's disk is refused whole; the sync resumes"
F=$T/a.log/tile/entries/002
cp "$F" "$T/bundle.orig"
flip_byte "$F" 300
run "$OSAFE" peer sync --db "$BDB"
[ "$rc" -eq 1 ] || fail "sync over a damaged bundle: exit $rc"
grep -q "entries 512-767 of the peer's log do not match" "$T/err" ||
    fail "sync error: $(cat "$T/err")"
ok "$OSAFE" peer list --db "$BDB"
grep -q "	active	1000	512	1000	488	" "$T/out" ||
    fail "peer list after a failed sync: $(cat "$T/out")"
out_has "do not match"
# entries 0..511: 512 of which 51 AMBER
[ "$(mirrored "$BDB")" -eq 461 ] ||
    fail "mirrored after the failure: $(mirrored "$BDB"), expected 461"
cp "$T/bundle.orig" "$F"
ok "$OSAFE" peer sync --db "$BDB"
out_has "size 1000, 488 new entries (439 mirrored, 0 withdrawn, 49 not mirrored)"
[ "$(mirrored "$BDB")" -eq 900 ] || fail "B mirrors $(mirrored "$BDB")"

say "provenance kept; AMBER never mirrored; B's own log stays empty"
"$OSAFE" peer mirrored --db "$BDB" >"$T/m.jsonl"
[ "$(grep -c '"origin":"a.example/log"' "$T/m.jsonl")" -eq 900 ] ||
    fail "origin missing"
grep -q '"origin_id":"OSAFE-2026-00001","version":1,"origin_log_index":0,"peer":"'"$A"'","checkpoint_size":1000' \
    "$T/m.jsonl" || fail "provenance of the first record: $(head -1 "$T/m.jsonl")"
grep -q 'AMBER' "$T/m.jsonl" && fail "an AMBER record was mirrored"
grep -q '"Federated record 10"' "$T/m.jsonl" &&
    fail "record 10 (AMBER) was mirrored"
grep -q '"Federated record 11"' "$T/m.jsonl" ||
    fail "record 11 (CLEAR) was not mirrored"
curl -s "http://127.0.0.1:$PB/log/checkpoint" | sed -n 2p >"$T/bsize"
[ "$(cat "$T/bsize")" = 0 ] || fail "B's own log grew to $(cat "$T/bsize")"
_checks=$((_checks + 1))

say "a third node mirrors A; killed at a random instant it resumes"
ok "$OSAFE" peer add "$A" --vkey "$AVKEY" --db "$CDB"
ok "$OSAFE" peer add "http://127.0.0.1:$PB" \
    --vkey "$T/keys/b.example_log.vkey" --db "$CDB"
"$OSAFE" peer sync --db "$CDB" "$A" >/dev/null 2>&1 &
kpid=$!
sleep "0.0$(rand 10)"
kill -9 "$kpid" 2>/dev/null || :
wait "$kpid" 2>/dev/null || :
"$OSAFE" peer list --db "$CDB" |
    awk -F'\t' -v u="$A" '$1 == u { print $5 }' >"$T/taken"
taken=$(cat "$T/taken")
echo "   killed after $taken entries"
ok "$OSAFE" peer sync --db "$CDB"
out_has "size 1000, $((1000 - taken)) new entries"
# refetched only what it lacked: the checkpoint, the bundles from the
# committed position on, at most 3 hash tiles (the verified edge and the
# proofs' path), the gossip route
req=$(grep "^synced $A:" "$T/out" | sed 's/.* \([0-9]*\) requests.*/\1/')
[ "$req" -le $((1 + (1000 - taken + 255) / 256 + 3 + 1)) ] ||
    fail "resumed after $taken entries with $req requests"
_checks=$((_checks + 1))
out_has "synced http://127.0.0.1:$PB: size 0, 0 new entries"
[ "$(mirrored "$CDB")" -eq 900 ] || fail "C mirrors $(mirrored "$CDB")"
ok "$OSAFE" peer sync --db "$CDB" "$A"
out_has "size 1000, 0 new entries"
# the checkpoint and the gossip route, nothing else
out_has ", 2 requests,"

say "a withdrawal on A reaches B"
"$OSAFE" token create --db "$ADB" --name admin --role admin \
    2>/dev/null | tail -n 1 >"$T/admin.token"
code=$(curl -s -o "$T/wd.out" -w '%{http_code}' -X POST \
    -H "Authorization: Bearer $(cat "$T/admin.token")" \
    -H 'Content-Type: application/json' -d '{"reason":"duplicate"}' \
    "$A/api/v1/records/OSAFE-2026-00002/withdraw")
[ "$code" = 200 ] || fail "withdraw: $code $(cat "$T/wd.out")"
ok "$OSAFE" peer sync --db "$BDB" "$A"
out_has "1 new entries (0 mirrored, 1 withdrawn, 0 not mirrored)"
"$OSAFE" peer mirrored --db "$BDB" --origin a.example/log |
    grep '"origin_id":"OSAFE-2026-00002"' | grep -q '"withdrawn":"2' ||
    fail "OSAFE-2026-00002 not withdrawn on B"
_checks=$((_checks + 1))

say "a peer that is down is reported; the others are still synced"
PD=$(free_port)
ok "$OSAFE" peer add "http://127.0.0.1:$PD" --vkey "$AVKEY" --db "$BDB"
run "$OSAFE" peer sync --db "$BDB"
[ "$rc" -eq 1 ] || fail "sync with a peer down: exit $rc"
out_has "synced $A: size 1001, 0 new entries"
ok "$OSAFE" peer list --db "$BDB"
grep "^http://127.0.0.1:$PD	" "$T/out" | grep -q -i "connect" ||
    fail "the down peer's error is not listed: $(cat "$T/out")"
ok "$OSAFE" peer remove "http://127.0.0.1:$PD" --db "$BDB"
expect_fail 1 "no peer" "$OSAFE" peer remove "http://127.0.0.1:$PD" \
    --db "$BDB"

say "serve --sync-interval: B pulls A's new records in the background"
expect_fail 2 "--sync-interval must be 1..86400" "$OSAFE" serve --db "$T/x.db" \
    --sync-interval 0
stop b
serve b "$PB" "$BDB" "$T/b.log" "$T/keys/b.example_log.key" \
    --sync-interval 1
stop a
printf '%s\nf1001,incident,en,Federated record 1001,Synthetic record for the federation test.,caused,2026-03-10,FR,incident,physical,ssh,model:chat-7b,NEWS https://example.org/f1001,,CLEAR,CC-BY-4.0\n' \
    "$H" >"$T/more.csv"
ok "$OSAFE" import csv "$T/more.csv" --db "$ADB" --publish --log "$T/a.log"
serve a "$PA" "$ADB" "$T/a.log" "$AKEY"
i=0
until curl -s "http://127.0.0.1:$PB/api/v1/records?origin=a.example/log&limit=500&cursor=OSAFE-2026-00999" |
    grep -q '"Federated record 1001"'; do
    i=$((i + 1))
    [ "$i" -le 300 ] || fail "B did not pull in the background: $(cat "$T/b.err")"
    sleep 0.1
done
_checks=$((_checks + 1))
curl -s "http://127.0.0.1:$PB/api/v1/records?origin=a.example/log&limit=2" >"$T/o.json"
grep -q '"origin":{"name":"a.example/log","peer":"'"$A"'","log_index":0' \
    "$T/o.json" || fail "API provenance: $(cut -c1-300 "$T/o.json")"
_checks=$((_checks + 1))
stop b

say "C witnesses A (C2SP tlog-witness): cosigns, then answers 409 to a stale old"
ok "$OSAFE" key generate c.example/log --out "$T/keys"
ok "$OSAFE" key generate c.example/witness --out "$T/keys"
PC=$(free_port)
serve c "$PC" "$CDB" "$T/c.log" "$T/keys/c.example_log.key" \
    --witness-key "$T/keys/c.example_witness.key"
W=http://127.0.0.1:$PC/witness/add-checkpoint
{ printf 'old 0\n\n'; curl -s "$A/log/checkpoint"; } >"$T/add.req"
code=$(curl -s -o "$T/add.out" -w '%{http_code}' --data-binary @"$T/add.req" "$W")
[ "$code" = 200 ] || fail "add-checkpoint: $code $(cat "$T/add.out")"
grep -q '^— c.example/witness [A-Za-z0-9+/]\{102\}==$' "$T/add.out" ||
    fail "not a cosignature line: $(cat "$T/add.out")"
code=$(curl -s -D "$T/add.hdr" -o "$T/add.out" -w '%{http_code}' \
    --data-binary @"$T/add.req" "$W")
[ "$code" = 409 ] || fail "stale old: $code $(cat "$T/add.out")"
[ "$(cat "$T/add.out")" = 1002 ] || fail "409 body: $(cat "$T/add.out")"
grep -qi '^content-type: text/x.tlog.size' "$T/add.hdr" ||
    fail "409 content type: $(cat "$T/add.hdr")"
_checks=$((_checks + 3))
code=$(curl -s -o /dev/null -w '%{http_code}' --data-binary @"$T/add.req" \
    "http://127.0.0.1:$PA/witness/add-checkpoint")
[ "$code" = 404 ] || fail "a node without --witness-key answered $code"

say "A rewrites its history at the same size and re-signs: B catches it"
stop a
ok "$OSAFE" log init "$T/evil.log" --origin a.example/log --key "$AKEY"
seq 1 1002 | sed 's/^/{"rewritten":/; s/$/}/' >"$T/evil.lines"
ok "$OSAFE" log append "$T/evil.log" --lines <"$T/evil.lines"
serve evil "$PA" "$EDB" "$T/evil.log" "$AKEY"
run "$OSAFE" peer sync --db "$BDB" "$A"
[ "$rc" -eq 1 ] || fail "split view not caught: exit $rc"
grep -q "split view: two checkpoints of size 1002 with different roots" \
    "$T/err" || fail "sync error: $(cat "$T/err")"
ok "$OSAFE" peer list --db "$BDB"
grep -q "^$A	a.example/log	frozen	1002	1002	" "$T/out" ||
    fail "peer not frozen: $(cat "$T/out")"
[ "$(mirrored "$BDB")" -eq 901 ] || fail "B changed while A lied"
expect_fail 1 "is frozen" "$OSAFE" peer sync --db "$BDB" "$A"
say "... and the witness refuses the rewritten checkpoint (422)"
{ printf 'old 1002\n\n'; curl -s "$A/log/checkpoint"; } >"$T/add.req"
code=$(curl -s -o "$T/add.out" -w '%{http_code}' --data-binary @"$T/add.req" "$W")
[ "$code" = 422 ] || fail "witness on a rewritten checkpoint: $code"
_checks=$((_checks + 1))
stop c
ok "$OSAFE" peer evidence "$A" --db "$BDB" --out "$T/ev1"
expect_fail 1 "equal sizes but different root hashes" \
    "$OSAFE" log verify-consistency --vkey "$T/ev1/peer.vkey" \
    --old "$T/ev1/old.checkpoint" --new "$T/ev1/new.checkpoint"
# both notes are the peer's own, signed with its key
ok "$OSAFE" log verify-consistency --vkey "$AVKEY" \
    --old "$T/ev1/new.checkpoint" --new "$T/ev1/new.checkpoint"
ok "$OSAFE" log verify-consistency --vkey "$AVKEY" \
    --old "$T/ev1/old.checkpoint" --new "$T/ev1/old.checkpoint"

say "and a longer rewritten history: C catches it, with a proof"
stop evil
rm -rf "$T/evil.log" "$T/evil.db" "$T/evil.db-wal" "$T/evil.db-shm"
EDB=$(newdb evil2)
ok "$OSAFE" log init "$T/evil.log" --origin a.example/log --key "$AKEY"
seq 1 1100 | sed 's/^/{"rewritten2":/; s/$/}/' >"$T/evil.lines"
ok "$OSAFE" log append "$T/evil.log" --lines <"$T/evil.lines"
serve evil "$PA" "$EDB" "$T/evil.log" "$AKEY"
run "$OSAFE" peer sync --db "$CDB" "$A"
[ "$rc" -eq 1 ] || fail "rewritten history not caught: exit $rc"
grep -q "checkpoint 1100 is not consistent with the accepted 1000" \
    "$T/err" || fail "sync error: $(cat "$T/err")"
ok "$OSAFE" peer evidence "$A" --db "$CDB" --out "$T/ev2"
[ -s "$T/ev2/proof.json" ] || fail "no proof in the evidence"
expect_fail 1 "does not lead to the old root" \
    "$OSAFE" log verify-consistency --vkey "$T/ev2/peer.vkey" \
    --old "$T/ev2/old.checkpoint" --new "$T/ev2/new.checkpoint" \
    --proof "$T/ev2/proof.json"
[ "$(mirrored "$CDB")" -eq 900 ] || fail "C changed while A lied"

say "unfrozen, B syncs again once A serves its true log"
stop evil
serve a "$PA" "$ADB" "$T/a.log" "$AKEY"
ok "$OSAFE" peer unfreeze "$A" --db "$BDB"
expect_fail 1 "not frozen" "$OSAFE" peer unfreeze "$A" --db "$BDB"
ok "$OSAFE" peer sync --db "$BDB" "$A"
out_has "size 1002, 0 new entries"
pass
