#!/bin/sh
# risk_cli.sh - `osafe risk rank` on a real registry: the AVID records
# (shared/data/avid, published by `osafe import`) and a CSV of synthetic
# incidents with hazards and severities; every format, the seed contract
# (same seed, same output), the policy file, and the usage errors.
set -eu
. "${OSAFE_TESTS:-$(dirname "$0")/..}/e2e/lib.sh.inc"

S=${OSAFE_SHARED:-$OSAFE_TESTS/../../shared}
ROOT=$OSAFE_TESTS/..

say "a registry with published records"
ok "$OSAFE" key generate ex.org/risk --out "$T/keys"
ok "$OSAFE" log init "$T/log" --origin ex.org/risk --key "$T/keys/ex.org_risk.key"
ok "$OSAFE" token create --db "$T/r.db" --name rev --role reviewer
if [ -f "$S/data/avid/avid_reports.jsonl" ]; then
    ok "$OSAFE" import avid "$S/data/avid/avid_reports.jsonl" --db "$T/r.db" \
        --publish --log "$T/log" --key "$T/keys/ex.org_risk.key"
    out_has "imported"
else
    echo "note: $S/data/avid missing; the synthetic records only" >&2
fi
H=id,record_type,lang,title,description,ai_relation,occurred_start,countries_occurred,severity,harm_types,hazards,ai_systems,references,aliases,tlp,license
{
    echo "$H"
    # three serious self-harm incidents for one model in the last months
    for i in 1 2 3; do
        echo "x$i,incident,en,Synthetic self-harm incident $i,Synthetic record for the risk test.,caused,2026-0$((i + 2))-10,FR,serious_incident,physical,ssh,model:chat-7b,NEWS https://example.org/ssh$i,,CLEAR,CC-BY-4.0"
    done
    # one minor privacy incident, two years old, for another model
    echo "x4,incident,en,Synthetic privacy incident,Synthetic record for the risk test.,caused,2024-05-01,DE,incident,human_rights,prv,model:chat-13b,NEWS https://example.org/prv,,CLEAR,CC-BY-4.0"
    # a near miss (hazard): leading indicator only
    echo "x5,hazard,en,Synthetic near miss,Synthetic record for the risk test.,unclear,2026-04-01,US,hazard,physical,iwp,model:chat-7b,NEWS https://example.org/iwp,,CLEAR,CC-BY-4.0"
} >"$T/inc.csv"
ok "$OSAFE" import csv "$T/inc.csv" --db "$T/r.db" --publish --log "$T/log" \
    --key "$T/keys/ex.org_risk.key"
out_has "imported"
grep -q rejected "$T/out" && fail "a synthetic record was rejected: $(cat "$T/out")"

R="$OSAFE risk rank --db $T/r.db --as-of 2026-06-01"

say "table (the default format)"
# shellcheck disable=SC2086
ok $R
out_has "seed 20241122, 4000 draws"
out_has "as of 2026-06-01"
out_has "Under-evidenced (gather data):"
grep -Eq '^1=? +ssh +(chat-7b|\(all\)) +I4 +[01]\.[0-9]+ +high ' "$T/out" ||
    fail "ssh is not ranked first and high: $(cat "$T/out")"
grep -Eq '^  iwp +\(all\) +I5 ' "$T/out" ||
    fail "iwp (I5, one near miss) does not head the under-evidenced list"

say "json"
# shellcheck disable=SC2086
ok $R --format json --seed 7
out_has '"seed": 7'
out_has '"as_of": "2026-06-01"'
out_has '"grade_basis": "AILuminate-style grade vs published v1.0 reference"'
out_has '"hazard": "ssh"'
out_has '"model": "chat-7b"'
out_has '"near_misses": 1'
n_json=$(grep -c '"hazard":' "$T/out")

say "csv: one row per risk, the same order"
# shellcheck disable=SC2086
ok $R --format csv --seed 7
head -1 "$T/out" | grep -q '^order,hazard,model,mit,nist,impact,tier,p_star,' ||
    fail "csv header: $(head -1 "$T/out")"
[ "$(($(wc -l <"$T/out") - 1))" -eq "$n_json" ] ||
    fail "csv has $(wc -l <"$T/out") lines for $n_json risks"
sed -n 2p "$T/out" | grep -q '^1,ssh,' || fail "csv row 1: $(sed -n 2p "$T/out")"
grep -q ',7,4000,2026-06-01' "$T/out" || fail "csv rows lack seed/draws/as_of"
cp "$T/out" "$T/a.csv"

say "same seed, same output; another seed, other draws"
# shellcheck disable=SC2086
ok $R --format csv --seed 7
same "$T/out" "$T/a.csv" "two runs with seed 7"
# shellcheck disable=SC2086
ok $R --format csv --seed 8
cmp -s "$T/out" "$T/a.csv" && fail "seed 8 gave the draws of seed 7"

say "the shipped policy file is the defaults"
# shellcheck disable=SC2086
ok $R --format csv --seed 7 --policy "$ROOT/etc/risk-policy.yaml"
same "$T/out" "$T/a.csv" "etc/risk-policy.yaml vs the defaults"
printf 'tiers:\n  high: 0.999\n  high_i5: 0.999\nincidents:\n  min_incidents: 5\n' >"$T/p.yaml"
# shellcheck disable=SC2086
ok $R --format csv --seed 7 --policy "$T/p.yaml"
cmp -s "$T/out" "$T/a.csv" && fail "a policy override changed nothing"
grep -q '^[0-9]*,ssh,chat-7b,.*,high,' "$T/out" ||
    fail "verified serious incidents must stay high whatever the tiers"

say "svg: both panels in one document"
# shellcheck disable=SC2086
ok $R --format svg
head -c 5 "$T/out" | grep -q '^<svg ' || fail "svg does not start with <svg"
[ "$(grep -o '<svg' "$T/out" | wc -l)" -eq 3 ] || fail "expected 1 + 2 <svg> elements"
out_has 'data-label="ssh chat-7b"'
out_has 'Realized risk (incidents)'
out_has 'Latent risk (evaluations)'
out_has '</svg>'

say "usage errors and failures"
expect_fail 2 "expected table, json, svg or csv" "$OSAFE" risk rank --db "$T/r.db" --format xml
expect_fail 2 "--seed" "$OSAFE" risk rank --db "$T/r.db" --seed x1
expect_fail 2 "--as-of" "$OSAFE" risk rank --db "$T/r.db" --as-of 2026-13-40
expect_fail 2 "unknown subcommand 'list'" "$OSAFE" risk list
expect_fail 2 "expected a subcommand" "$OSAFE" risk
expect_fail 2 "unexpected argument 'extra'" "$OSAFE" risk rank --db "$T/r.db" extra
expect_fail 2 "unknown option" "$OSAFE" risk rank --bogus
expect_fail 1 "no database" "$OSAFE" risk rank --db "$T/none.db"
printf 'tiers:\n  hihg: 0.9\n' >"$T/bad.yaml"
expect_fail 1 "unknown key" "$OSAFE" risk rank --db "$T/r.db" --policy "$T/bad.yaml"
ok "$OSAFE" risk --help
out_has "usage: osafe risk rank"
ok "$OSAFE" help risk
out_has "docs/RISK.md"

pass
