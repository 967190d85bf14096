#!/bin/sh
# import_batch.sh - `osafe import --publish` in batches (OSAFE_IMPORT_BATCH_MAX,
# 1,024): a file of 1,100 synthetic CSV records with refused ones among
# them crosses a batch boundary; one line per record in file order, every
# imported record published once at consecutive log indices, the log
# verifies, and a second import skips them all and appends nothing.
set -eu
. "${OSAFE_TESTS:-$(dirname "$0")/..}/e2e/lib.sh.inc"

ok "$OSAFE" key generate ex.org/batch --out "$T/keys"
ok "$OSAFE" log init "$T/log" --origin ex.org/batch \
    --key "$T/keys/ex.org_batch.key"
VKEY=$T/keys/ex.org_batch.vkey

say "1,100 records, every 100th refused (an unknown TLP level)"
H=id,record_type,lang,title,description,ai_relation,occurred_start,countries_occurred,severity,harm_types,hazards,ai_systems,references,aliases,tlp,license
{
    echo "$H"
    awk 'BEGIN { for (i = 1; i <= 1100; i++)
        printf "b%d,incident,en,Synthetic batch record %d,Synthetic record " \
            "for the batch test.,caused,2026-03-10,FR,incident,physical,ssh," \
            "model:chat-7b,NEWS https://example.org/b%d,,%s,CC-BY-4.0\n",
            i, i, i, (i % 100 == 0 ? "PURPLE" : "CLEAR") }'
} >"$T/in.csv"
run "$OSAFE" import csv "$T/in.csv" --db "$T/r.db" --publish --log "$T/log"
[ "$rc" -eq 1 ] || fail "expected exit 1 (records refused), got $rc: $(cat "$T/err")"
[ "$(wc -l <"$T/out")" -eq 1100 ] || fail "expected 1100 lines, got $(wc -l <"$T/out")"
# Line k is source row k's: the refused rows at 100, 200, ..., the ids of
# the others in increasing order.
awk '$1 == "rejected" { print NR }' "$T/out" >"$T/rej"
seq 100 100 1100 >"$T/want"
same "$T/rej" "$T/want" "lines of the refused rows"
awk '$1 == "imported" { print $2 }' "$T/out" >"$T/ids"
LC_ALL=C sort -c "$T/ids" || fail "imported ids out of file order"
[ "$(grep -c '^imported ' "$T/out")" -eq 1089 ] || fail "expected 1089 imported"
[ "$(grep -c '^rejected ' "$T/out")" -eq 11 ] || fail "expected 11 rejected"
grep -q "1089 imported, 0 skipped, 11 rejected" "$T/err" ||
    fail "summary: $(cat "$T/err")"
[ "$(log_size "$T/log")" -eq 1089 ] || fail "log size $(log_size "$T/log")"
ok "$OSAFE" log verify "$T/log" --vkey "$VKEY"
out_has "1089 entries"

say "each published record is its own entry, in order"
ok "$OSAFE" log get "$T/log" 0 --count 1089 --lines
grep -o '"title":{[^}]*}' "$T/out" |
    sed 's/.*Synthetic batch record \([0-9]*\).*/\1/' >"$T/titles"
awk 'BEGIN { for (i = 1; i <= 1100; i++) if (i % 100) print i }' >"$T/want"
same "$T/titles" "$T/want" "records in the log, in file order"

say "a second import skips every record and appends nothing"
run "$OSAFE" import csv "$T/in.csv" --db "$T/r.db" --publish --log "$T/log"
[ "$rc" -eq 1 ] || fail "expected exit 1, got $rc"
[ "$(grep -c '^skipped ' "$T/out")" -eq 1089 ] || fail "expected 1089 skipped"
grep -q "interrupted" "$T/err" && fail "a clean log reported as interrupted"
[ "$(log_size "$T/log")" -eq 1089 ] || fail "the second import appended"
pass
