#!/bin/sh
# banned.sh - src/core/banned.h turns every function it lists into a compile
# error (and the build forces it into every file of src/, CMakeLists.txt),
# while the functions osafe uses instead still compile.
set -eu
. "${OSAFE_TESTS:-$(dirname "$0")/..}/e2e/lib.sh.inc"

CC=${CC:-cc}
H=$OSAFE_TESTS/../src/core/banned.h
[ -f "$H" ] || fail "no $H"

say "each banned function is a compile error"
for fn in strcpy strcat strncpy strncat sprintf vsprintf gets atoi atol \
    atoll atof strtok gmtime localtime ctime asctime; do
    printf 'void *osafe_probe(void) { return (void *)%s; }\n' "$fn" >"$T/p.c"
    run "$CC" -include "$H" -fsyntax-only "$T/p.c"
    [ "$rc" -ne 0 ] || fail "$fn compiles with banned.h"
    grep -q "poisoned \"$fn\"" "$T/err" || fail "$fn: $(cat "$T/err")"
done

say "the replacements still compile"
cat >"$T/ok.c" <<'C'
#include <stdlib.h>
#include <string.h>
#include <time.h>
int osafe_probe(char *d, const char *s, time_t t)
{
    struct tm tm;
    memcpy(d, s, strlen(s) + 1);
    return snprintf(d, 8, "%d", (int)strtol(s, NULL, 10)) +
           (gmtime_r(&t, &tm) != NULL);
}
C
ok "$CC" -include "$H" -std=c17 -D_POSIX_C_SOURCE=200809L -Wall -Werror \
    -fsyntax-only "$T/ok.c"

say "the build forces it into src/"
grep -q 'include ${CMAKE_SOURCE_DIR}/src/core/banned.h' \
    "$OSAFE_TESTS/../CMakeLists.txt" || fail "CMakeLists.txt lacks -include banned.h"
_checks=$((_checks + 1))

pass
