#!/bin/sh
# newcomer.sh - a newcomer's first tries: `osafe serve --key K.key` with a
# key of any name, `osafe --version`, and `osafe COMMAND --help` giving the
# same text as `osafe help COMMAND` for every command.
set -eu
. "${OSAFE_TESTS:-$(dirname "$0")/..}/e2e/lib.sh.inc"

# serve_until FILE: start `osafe serve ARGS...` (after FILE) in the
# background and wait until FILE exists (at most 20 s); the server is killed
# at exit.
serve_until() {
    _f=$1
    shift
    "$OSAFE" serve --listen 127.0.0.1:0 "$@" >"$T/serve.out" 2>"$T/serve.err" &
    _pid=$!
    bg_register "$_pid"
    _i=0
    while [ ! -s "$_f" ]; do
        _i=$((_i + 1))
        [ "$_i" -le 200 ] || fail "serve did not create $_f: $(cat "$T/serve.err")"
        kill -0 "$_pid" 2>/dev/null ||
            fail "serve exited: $(cat "$T/serve.err")"
        sleep 0.1
    done
    _checks=$((_checks + 1))
}

say "serve --key with a key of any name: the new log takes the key's name"
ok "$OSAFE" key generate ex.org/mine --out "$T/keys"
serve_until "$T/log/checkpoint" --db "$T/a.db" --log "$T/log" \
    --key "$T/keys/ex.org_mine.key"
[ "$(head -n 1 "$T/log/checkpoint")" = "ex.org/mine" ] ||
    fail "origin of the new log: $(head -n 1 "$T/log/checkpoint")"
grep -q -F "(origin ex.org/mine)" "$T/serve.err" ||
    fail "serve did not say the origin: $(cat "$T/serve.err")"
kill "$_pid"
wait "$_pid" 2>/dev/null || :
# an explicit --origin still has to match the key
expect_fail 1 "differs from the key name" "$OSAFE" serve --db "$T/b.db" \
    --log "$T/log2" --key "$T/keys/ex.org_mine.key" --origin other.org/x \
    --listen 127.0.0.1:0
# no key: one is made under the default name
serve_until "$T/log3/checkpoint" --db "$T/c.db" --log "$T/log3"
[ "$(head -n 1 "$T/log3/checkpoint")" = "localhost/osafe-log" ] ||
    fail "default origin: $(head -n 1 "$T/log3/checkpoint")"
kill "$_pid"
wait "$_pid" 2>/dev/null || :

say "--version, and COMMAND --help / -h as 'osafe help COMMAND', everywhere"
ok "$OSAFE" --version
grep -Eq '^osafe [0-9]+\.[0-9]+\.[0-9]+' "$T/out" || fail "--version: $(cat "$T/out")"
ok "$OSAFE" help
commands=$(sed -n 's/^  \([a-z][a-z-]*\)  *.*/\1/p' "$T/out")
[ -n "$commands" ] || fail "no commands listed by osafe help"
for c in $commands; do
    ok "$OSAFE" help "$c"
    cp "$T/out" "$T/want"
    ok "$OSAFE" "$c" --help
    same "$T/out" "$T/want" "osafe $c --help and osafe help $c"
    ok "$OSAFE" "$c" -h
    same "$T/out" "$T/want" "osafe $c -h and osafe help $c"
done
for sc in "eval run" "eval report" "suite import" "token create" \
    "key generate" "log prove" "risk rank" "export csv" "import csv"; do
    # shellcheck disable=SC2086
    set -- $sc
    ok "$OSAFE" help "$1"
    cp "$T/out" "$T/want"
    # shellcheck disable=SC2086
    ok "$OSAFE" $sc --help
    same "$T/out" "$T/want" "osafe $sc --help and osafe help $1"
done

say "make install: binary, a man page per command from its help, data files"
B=$(dirname "$OSAFE")
command -v cmake >/dev/null || fail "cmake is needed for the install check"
[ -f "$B/cmake_install.cmake" ] || fail "$B is not a CMake build folder"
ok cmake --install "$B" --prefix "$T/inst"
"$T/inst/bin/osafe" --version >"$T/out" || fail "installed osafe does not run"
_checks=$((_checks + 1))
for c in $commands; do
    m=$T/inst/share/man/man1/osafe-$c.1
    [ -f "$m" ] || fail "no man page $m"
    "$OSAFE" help "$c" | head -n 1 >"$T/first"
    grep -q -F -e "$(sed 's/\\/\\e/g' "$T/first")" "$m" ||
        fail "$m lacks the help's first line: $(cat "$T/first")"
    _checks=$((_checks + 1))
done
[ -f "$T/inst/share/man/man1/osafe.1" ] || fail "no osafe.1"
for f in risk-policy.yaml crosswalk.sssom.tsv openapi.json; do
    [ -f "$T/inst/share/osafe/$f" ] || fail "data file $f not installed"
done
_checks=$((_checks + 1))

pass
