#!/bin/sh
# risk_sources.sh - issue 16 item 1 on the real files: with the 1,785 AVID
# records (shared/data/avid) imported and published, `osafe risk rank`
# ranks risks that come from them (hazards mapped from their AVID
# classifications, docs/RISK.md "Hazards from imported sources") and says
# how many records were left out and why, in every format.  SKIP (77)
# without shared/.
set -eu
. "${OSAFE_TESTS:-$(dirname "$0")/..}/e2e/lib.sh.inc"

S=${OSAFE_SHARED:-$OSAFE_TESTS/../../shared}
A=$S/data/avid
if [ ! -f "$A/avid_reports.jsonl" ] || [ ! -f "$A/avid_vulnerabilities.jsonl" ]; then
    echo "SKIP: $A missing" >&2
    exit 77
fi

say "the 1,785 AVID records, published"
ok "$OSAFE" key generate ex.org/src --out "$T/keys"
ok "$OSAFE" log init "$T/log" --origin ex.org/src --key "$T/keys/ex.org_src.key"
ok "$OSAFE" import avid "$A/avid_reports.jsonl" "$A/avid_vulnerabilities.jsonl" \
    --db "$T/r.db" --publish --log "$T/log" --key "$T/keys/ex.org_src.key"
[ "$(grep -c '^imported' "$T/out")" -eq 1785 ] || fail "not 1785 imported"

say "the ranking ranks risks from them, and counts what it left out"
ok "$OSAFE" risk rank --db "$T/r.db" --as-of 2026-12-07 --format json
cp "$T/out" "$T/rank.json"
python3 - "$T/rank.json" <<'PY' || fail "json: see above"
import json, sys
j = json.load(open(sys.argv[1]))
lo = j["left_out"]
assert j["incidents"] == 1785, j["incidents"]
# every record is either ranked or left out under a named reason
assert lo["total"] == sum(lo[k] for k in ("unclassified", "undated",
    "no_severity", "older_than_window", "hazard_reports", "unreadable")), lo
assert 0 < lo["total"] < 1785, lo
assert lo["unclassified"] < 1785 // 4, lo            # was 1,667
assert lo["hazards_from_sources"] > 1000, lo
assert j["hazard_reports_counted"] + lo["total"] >= 1785 - 50, j
ranked = [r for r in j["risks"] if r["tier"] != "under-evidenced" and r["rank"].get("median")]
hz = {r["hazard"] for r in ranked}
assert "M2.2" in hz, hz              # AVID S0100 and kin
top = ranked[0]
assert any(r["hazard"] == "M2.2" and r["model"] == "" for r in ranked[:3]), ranked[:3]
PY

say "the table says it above the rows"
ok "$OSAFE" risk rank --db "$T/r.db" --as-of 2026-12-07
out_has "Left out of the rates:"
out_has "unclassified"
out_has "older than the window"
head -4 "$T/out" | grep -q "Left out" || fail "left-out line not above the rows"

say "csv rows and the svg document carry the counts"
ok "$OSAFE" risk rank --db "$T/r.db" --as-of 2026-12-07 --format csv
head -1 "$T/out" | grep -q ',left_out_total,left_out_reasons' ||
    fail "csv header: $(head -1 "$T/out")"
sed -n 2p "$T/out" | grep -q ',unclassified=[0-9]*;undated=' ||
    fail "csv row: $(sed -n 2p "$T/out")"
ok "$OSAFE" risk rank --db "$T/r.db" --as-of 2026-12-07 --format svg
out_has "<desc>Left out of the rates:"

say "a policy with hazard_weight 0 leaves hazard reports out, and says so"
printf 'incidents:\n  hazard_weight: 0\n' >"$T/p.yaml"
ok "$OSAFE" risk rank --db "$T/r.db" --as-of 2026-12-07 --policy "$T/p.yaml"
out_has "hazard reports (hazard_weight 0)"
pass
