#!/bin/sh
# cli.sh - the command-line contract: help, version, usage errors (one line on
# stderr, exit 2), key generation, and the refusals of `log init`.
set -eu
. "${OSAFE_TESTS:-$(dirname "$0")/..}/e2e/lib.sh.inc"

say "help and version"
ok "$OSAFE" --help
out_has "usage: osafe COMMAND"
out_has "log"
ok "$OSAFE" -h
out_has "usage: osafe COMMAND"
ok "$OSAFE" help
out_has "'osafe help COMMAND'"
ok "$OSAFE" help log
out_has "usage: osafe log init DIR --origin ORIGIN --key FILE.key"
out_has "verify-consistency"
out_has "Exit status: 0 ok, 1 failure"
ok "$OSAFE" help key
out_has "usage: osafe key generate NAME [--out DIR]"
ok "$OSAFE" log --help
out_has "usage: osafe log init"
ok "$OSAFE" log append --help
out_has "usage: osafe log init"
ok "$OSAFE" key generate --help
out_has "usage: osafe key generate"
ok "$OSAFE" version
grep -Eq '^osafe [0-9]+\.[0-9]+\.[0-9]+' "$T/out" ||
    fail "osafe version printed: $(cat "$T/out")"
cp "$T/out" "$T/version"
ok "$OSAFE" --version
same "$T/out" "$T/version" "osafe --version and osafe version"

say "usage errors: one line on stderr, exit 2"
expect_fail 2 "unknown command 'bogus'" "$OSAFE" bogus
expect_fail 2 "unknown command 'bogus'" "$OSAFE" help bogus
expect_fail 2 "unknown option '--bogus'" "$OSAFE" --bogus
expect_fail 2 "unknown subcommand 'bogus'" "$OSAFE" log bogus
expect_fail 2 "unknown subcommand 'bogus'" "$OSAFE" key bogus
expect_fail 2 "unknown option '--bogus'" "$OSAFE" log get "$T/x" 0 --bogus
expect_fail 2 "unknown option '-x'" "$OSAFE" log checkpoint -x "$T/x"
expect_fail 2 "unknown option '--vkey'" "$OSAFE" log get "$T/x" 0 --vkey k
expect_fail 2 "option '--lines' takes no value" \
    "$OSAFE" log append "$T/x" --lines=yes
expect_fail 2 "unexpected argument 'extra'" "$OSAFE" version extra
expect_fail 2 "option '--origin' needs a value" \
    "$OSAFE" log init "$T/x" --origin
expect_fail 2 "missing --key FILE.key" \
    "$OSAFE" log init "$T/x" --origin ex.org/cli
expect_fail 2 "missing --origin ORIGIN" "$OSAFE" log init "$T/x" --key k
expect_fail 2 "expected one DIR" "$OSAFE" log init --origin o --key k
expect_fail 2 "expected one NAME" "$OSAFE" key generate
expect_fail 2 "expected one NAME" "$OSAFE" key generate a b
expect_fail 2 "expected one FILE.key" "$OSAFE" key vkey
expect_fail 2 "expected DIR INDEX" "$OSAFE" log get "$T/x"
expect_fail 2 "INDEX 'x1' is not a non-negative decimal number" \
    "$OSAFE" log get "$T/x" x1
expect_fail 2 "INDEX '-1' is not a non-negative decimal number" \
    "$OSAFE" log get "$T/x" -- -1
expect_fail 2 "--size 'big' is not a non-negative decimal number" \
    "$OSAFE" log prove "$T/x" 0 --size big
expect_fail 2 "unknown --format 'xml'" "$OSAFE" log prove "$T/x" 0 --format xml
expect_fail 2 "expected DIR OLD [NEW]" "$OSAFE" log consistency "$T/x"
expect_fail 2 "nothing to append" "$OSAFE" log append "$T/x"
expect_fail 2 "give FILEs or --lines, not both" \
    "$OSAFE" log append "$T/x" "$T/f" --lines
expect_fail 2 "missing --vkey FILE.vkey" "$OSAFE" log verify "$T/x"
expect_fail 2 "--vkey and --proof are required" \
    "$OSAFE" log verify-inclusion --proof p --entry e
expect_fail 2 "give exactly one of --entry FILE and --leaf-hash B64" \
    "$OSAFE" log verify-inclusion --vkey v --proof p
expect_fail 2 "--vkey, --old and --new are required" \
    "$OSAFE" log verify-consistency --vkey v --old o
[ ! -e "$T/x" ] || fail "a usage error created $T/x"

say "key generate"
K=$T/keys
ok "$OSAFE" key generate ex.org/cli --out "$K"
printf '%s\n%s\n' "$K/ex.org_cli.key" "$K/ex.org_cli.vkey" >"$T/want"
same "$T/out" "$T/want" "paths printed by key generate"
[ "$(stat -c %a "$K/ex.org_cli.key")" = 600 ] ||
    fail "$K/ex.org_cli.key has mode $(stat -c %a "$K/ex.org_cli.key")"
grep -q '^PRIVATE+KEY+ex.org/cli+[0-9a-f]\{8\}+' "$K/ex.org_cli.key" ||
    fail "malformed key file: $(cat "$K/ex.org_cli.key")"
grep -q '^ex.org/cli+[0-9a-f]\{8\}+' "$K/ex.org_cli.vkey" ||
    fail "malformed vkey file: $(cat "$K/ex.org_cli.vkey")"
ok "$OSAFE" key vkey "$K/ex.org_cli.key"
same "$T/out" "$K/ex.org_cli.vkey" "key vkey output and the .vkey file"
cp "$K/ex.org_cli.key" "$T/key.before"
cp "$K/ex.org_cli.vkey" "$T/vkey.before"

say "key generate refuses to overwrite"
expect_fail 1 "already exists" "$OSAFE" key generate ex.org/cli --out "$K"
same "$K/ex.org_cli.key" "$T/key.before" "key after refused generate"
same "$K/ex.org_cli.vkey" "$T/vkey.before" "vkey after refused generate"
mv "$K/ex.org_cli.vkey" "$T/vkey.moved"
expect_fail 1 "exists" "$OSAFE" key generate ex.org/cli --out "$K"
same "$K/ex.org_cli.key" "$T/key.before" "key after refused generate"
[ ! -e "$K/ex.org_cli.vkey" ] || fail "refused generate wrote a vkey"
mv "$T/vkey.moved" "$K/ex.org_cli.vkey"
expect_fail 1 "invalid key name" "$OSAFE" key generate 'a b' --out "$K"
expect_fail 1 "invalid key name" "$OSAFE" key generate 'a+b' --out "$K"

say "keys whose base64 holds '+' load (about half of all keys)"
i=0
while :; do
    i=$((i + 1))
    [ "$i" -le 60 ] || fail "60 keys without '+' in their base64: odd"
    ok "$OSAFE" key generate "ex.org/plus$i" --out "$K"
    if cut -d+ -f6- "$K/ex.org_plus$i.key" | grep -q .; then
        break
    fi
done
ok "$OSAFE" key vkey "$K/ex.org_plus$i.key"
same "$T/out" "$K/ex.org_plus$i.vkey" "vkey of a key with '+' in its base64"
ok "$OSAFE" log init "$T/plus" --origin "ex.org/plus$i" \
    --key "$K/ex.org_plus$i.key"
echo entry | ok "$OSAFE" log append "$T/plus" --lines
ok "$OSAFE" log verify "$T/plus" --vkey "$K/ex.org_plus$i.vkey"

say "log init"
L=$T/log
expect_fail 1 "origin 'ex.org/other' differs from the key name 'ex.org/cli'" \
    "$OSAFE" log init "$L" --origin ex.org/other --key "$K/ex.org_cli.key"
[ ! -e "$L" ] || fail "a refused log init created $L"
expect_fail 1 "$K/nokey.key" "$OSAFE" log init "$L" --origin ex.org/cli \
    --key "$K/nokey.key"
[ ! -e "$L" ] || fail "a refused log init created $L"
chmod 644 "$K/ex.org_cli.key"
expect_fail 1 "readable by others" "$OSAFE" log init "$L" --origin ex.org/cli \
    --key "$K/ex.org_cli.key"
chmod 600 "$K/ex.org_cli.key"
[ ! -e "$L" ] || fail "a refused log init created $L"
ok "$OSAFE" log init "$L" --origin ex.org/cli --key "$K/ex.org_cli.key"
grep -q 'created log' "$T/err" || fail "log init said: $(cat "$T/err")"
ok "$OSAFE" log checkpoint "$L"
same "$T/out" "$L/checkpoint" "log checkpoint and DIR/checkpoint"
# The empty tree: size 0, root SHA-256("").
printf 'ex.org/cli\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n' \
    >"$T/want"
head -n 4 "$T/out" >"$T/got"
same "$T/got" "$T/want" "empty checkpoint"
ok "$OSAFE" log verify "$L" --vkey "$K/ex.org_cli.vkey"
out_has "0 entries"
tree_sum "$L" >"$T/before"

say "log init refuses an existing log"
expect_fail 1 "already holds a log" "$OSAFE" log init "$L" \
    --origin ex.org/cli --key "$K/ex.org_cli.key"
expect_fail 1 "already holds a log" "$OSAFE" log init "$L" \
    --origin ex.org/plus$i --key "$K/ex.org_plus$i.key"
tree_sum "$L" >"$T/after"
same "$T/before" "$T/after" "log after refused init"

say "--help anywhere prints the usage, exits 0 and does nothing else"
for sub in init append checkpoint get prove consistency verify \
    verify-inclusion verify-consistency; do
    ok "$OSAFE" log "$sub" --help
    out_has "usage: osafe log init"
done
echo x | ok "$OSAFE" log append "$L" --lines --help
out_has "usage: osafe log init"
ok "$OSAFE" log append "$L" "$K/ex.org_cli.vkey" --help
ok "$OSAFE" log init "$T/log2" --origin ex.org/cli --key "$K/ex.org_cli.key" -h
[ ! -e "$T/log2" ] || fail "log init --help created a log"
ok "$OSAFE" key generate ex.org/help --out "$K" --help
[ ! -e "$K/ex.org_help.key" ] || fail "key generate --help created a key"
tree_sum "$L" >"$T/after"
same "$T/before" "$T/after" "log after --help commands"

say "commands on a directory that is not a log"
mkdir "$T/empty"
expect_fail 1 "is not an osafe log" "$OSAFE" log checkpoint "$T/empty"
expect_fail 1 "is not an osafe log" "$OSAFE" log get "$T/empty" 0
echo x | expect_fail 1 "is not an osafe log" "$OSAFE" log append "$T/empty" --lines
expect_fail 1 "entry 0 does not exist (log size 0)" "$OSAFE" log get "$L" 0
expect_fail 1 "standard input holds no lines" \
    "$OSAFE" log append "$L" --lines </dev/null
expect_fail 1 "$T/nofile" "$OSAFE" log append "$L" "$T/nofile"
[ "$(log_size "$L")" = 0 ] || fail "failed appends changed the log size"

pass
