#!/bin/sh
# cli_output.sh - every command that writes output checks its writes: with
# stdout on a full disk (/dev/full) or --out on one, a command exits 1 with
# one line on stderr instead of exiting 0 with its output lost.
set -eu
. "${OSAFE_TESTS:-$(dirname "$0")/..}/e2e/lib.sh.inc"

[ -w /dev/full ] || fail "/dev/full is needed (Linux)"

# full STATUS SUBSTRING CMD...: CMD with stdout on /dev/full must exit
# STATUS with SUBSTRING on stderr.
full() {
    _want=$1 _sub=$2
    shift 2
    rc=0
    "$@" >/dev/full 2>"$T/err" || rc=$?
    _checks=$((_checks + 1))
    _check_sanitizer "$@"
    [ "$rc" -eq "$_want" ] ||
        fail "expected exit $_want with stdout on /dev/full, got $rc: $(_show "$@")
  stderr: $(cat "$T/err")"
    grep -q -F -e "$_sub" "$T/err" ||
        fail "stderr of '$(_show "$@")' lacks '$_sub'; it is:
$(cat "$T/err")"
    # one line for the failure, and no success summary after it
    grep -v -F -e "$_sub" "$T/err" | grep -q -e "osafe" -e "records" &&
        fail "stderr of '$(_show "$@")' says more than the failure:
$(cat "$T/err")"
    :
}

say "a registry with published records"
ok "$OSAFE" key generate ex.org/out --out "$T/keys"
ok "$OSAFE" log init "$T/log" --origin ex.org/out --key "$T/keys/ex.org_out.key"
H=id,record_type,lang,title,description,ai_relation,occurred_start,countries_occurred,severity,harm_types,hazards,ai_systems,references,aliases,tlp,license
{
    echo "$H"
    for i in 1 2 3; do
        echo "x$i,incident,en,Synthetic incident $i,Synthetic record for the output test.,caused,2026-0$((i + 2))-10,FR,serious_incident,physical,ssh,model:chat-7b,NEWS https://example.org/o$i,,CLEAR,CC-BY-4.0"
    done
} >"$T/inc.csv"
ok "$OSAFE" import csv "$T/inc.csv" --db "$T/r.db" --publish --log "$T/log" \
    --key "$T/keys/ex.org_out.key"
out_has "imported"

say "exports: a full disk is an error, never a silent exit 0"
for fmt in json csv osv avid stix; do
    ok "$OSAFE" export "$fmt" --db "$T/r.db"
    [ -s "$T/out" ] || fail "export $fmt wrote nothing"
    full 1 "cannot write the output" "$OSAFE" export "$fmt" --db "$T/r.db"
    expect_fail 1 "/dev/full" "$OSAFE" export "$fmt" --db "$T/r.db" \
        --out /dev/full
done

say "other commands that print"
full 1 "cannot write the output" "$OSAFE" --help
full 1 "cannot write the output" "$OSAFE" help export
full 1 "cannot write the output" "$OSAFE" version
full 1 "cannot write the output" "$OSAFE" log checkpoint "$T/log"
full 1 "cannot write the output" "$OSAFE" log get "$T/log" 0
full 1 "the output" "$OSAFE" risk rank --db "$T/r.db"
# a closed pipe is the same failure (the reader went away early)
rc=0
"$OSAFE" export json --db "$T/r.db" >&- 2>"$T/err" || rc=$?
[ "$rc" -eq 1 ] || fail "export to a closed stdout: exit $rc"
_checks=$((_checks + 1))

say "a registry warning reaches stderr through the command, not the library"
# an entry appended outside the registry: the database never acknowledged it
echo "stray entry" >"$T/stray"
ok "$OSAFE" log append "$T/log" "$T/stray"
ok "$OSAFE" risk rank --db "$T/r.db" --log "$T/log"
grep -q -F "osafe risk: warning: 1 log entries of an interrupted run" "$T/err" ||
    fail "no warning from osafe risk: $(cat "$T/err")"

pass
