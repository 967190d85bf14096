#!/bin/sh
# architecture.sh - docs/ARCHITECTURE.md names every file of src/ and its
# module table's "depends on" column matches the #includes between folders
# (scripts/check-architecture); no function of src/ is over 150 lines
# (scripts/long-functions).  Each checker is also shown a tree it must refuse,
# so that a checker that passes everything fails here.
set -eu
. "${OSAFE_TESTS:-$(dirname "$0")/..}/e2e/lib.sh.inc"

ROOT=$OSAFE_TESTS/..
command -v python3 >/dev/null 2>&1 || {
    echo "SKIP: no python3 for scripts/check-architecture"
    exit 77
}

say "the doc names every file and the includes match the table"
ok python3 "$ROOT/scripts/check-architecture" "$ROOT"

say "no function of src/ is over 150 lines"
ok python3 "$ROOT/scripts/long-functions" --max 150 "$ROOT/src"

say "a file the doc does not name is found"
mkdir -p "$T/r/docs"
cp -R "$ROOT/src" "$T/r/src"
cp "$ROOT/docs/ARCHITECTURE.md" "$T/r/docs/"
ok python3 "$ROOT/scripts/check-architecture" "$T/r"
: >"$T/r/src/core/unnamed_file.c"
run python3 "$ROOT/scripts/check-architecture" "$T/r"
[ "$rc" -eq 1 ] || fail "an unnamed file passed (exit $rc)"
grep -q "not in the doc: src/core/unnamed_file.c" "$T/out" ||
    fail "no line for the unnamed file: $(cat "$T/out")"
rm "$T/r/src/core/unnamed_file.c"

say "an include the table does not allow is found"
echo '#include "server/http.h"' >>"$T/r/src/core/buf.c"
run python3 "$ROOT/scripts/check-architecture" "$T/r"
[ "$rc" -eq 1 ] || fail "core including server passed (exit $rc)"
grep -q "^core/: " "$T/out" || fail "no line for core/: $(cat "$T/out")"

say "a function of 151 lines is found"
{
    echo "int long_one(void)"
    echo "{"
    i=0
    while [ $i -lt 147 ]; do
        echo "    (void)0;"
        i=$((i + 1))
    done
    echo "    return 0;"
    echo "}"
} >"$T/r/src/core/long.c"
run python3 "$ROOT/scripts/long-functions" --max 150 "$T/r/src/core"
[ "$rc" -eq 1 ] || fail "a 151-line function passed (exit $rc)"
grep -q "151 .*long_one" "$T/out" || fail "not listed: $(cat "$T/out")"

pass
