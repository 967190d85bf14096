#!/bin/sh
# log_basic.sh - a log's life: appends of files and of lines (batches that
# cross tile boundaries at 256, 512 and 65536), byte-exact reads, the
# checkpoint, the full audit, inclusion and consistency proofs checked with
# nothing but the vkey, their negative cases, the entry size limit and the
# writer lock.
set -eu
. "${OSAFE_TESTS:-$(dirname "$0")/..}/e2e/lib.sh.inc"

K=$T/keys
L=$T/log
E=$T/expect # E/<index>: the bytes entry <index> must hold
C=$T/cp     # C/<size>: the signed checkpoint at that size
mkdir "$E" "$C"
ORIGIN=ex.org/basic
VKEY=$K/ex.org_basic.vkey
ok "$OSAFE" key generate "$ORIGIN" --out "$K"
ok "$OSAFE" log init "$L" --origin "$ORIGIN" --key "$K/ex.org_basic.key"
ok "$OSAFE" log checkpoint "$L"
cp "$T/out" "$C/0"
size=0

# save_checkpoint: keep the current checkpoint as $C/<size>, check its size.
save_checkpoint() {
    ok "$OSAFE" log checkpoint "$L"
    got=$(sed -n 2p "$T/out")
    [ "$got" = "$size" ] || fail "checkpoint says size $got, expected $size"
    cp "$T/out" "$C/$size"
}

# append_lines FILE: append FILE's lines; expect the next indices in order.
append_lines() {
    ok "$OSAFE" log append "$L" --lines <"$1"
    n=$(awk 'END { print NR }' "$1")
    seq "$size" $((size + n - 1)) >"$T/want"
    same "$T/out" "$T/want" "indices printed by append --lines"
    awk -v dir="$E" -v start="$size" '{
        f = dir "/" (start + NR - 1); printf "%s", $0 > f; close(f) }' "$1"
    size=$((size + n))
    save_checkpoint
}

say "append files: one batch, indices in order"
printf 'hello, log\n' >"$T/f-text"
head -c 1000 /dev/urandom >"$T/f-bin"
printf 'a\000b\000\n\r\377' >"$T/f-nul"
: >"$T/f-empty"
head -c 65535 /dev/urandom >"$T/f-max"
ok "$OSAFE" log append "$L" "$T/f-text" "$T/f-bin" "$T/f-nul" "$T/f-empty" \
    "$T/f-max"
printf '0\n1\n2\n3\n4\n' >"$T/want"
same "$T/out" "$T/want" "indices printed by append FILE..."
cp "$T/f-text" "$E/0"
cp "$T/f-bin" "$E/1"
cp "$T/f-nul" "$E/2"
cp "$T/f-empty" "$E/3"
cp "$T/f-max" "$E/4"
size=5
save_checkpoint

say "append --lines: each line one entry, empty lines too"
printf 'alpha\n\nbeta with spaces\n\n\ngamma without newline' >"$T/in"
append_lines "$T/in"
[ "$size" = 11 ] || fail "6 lines should make 6 entries, size is $size"
[ ! -s "$E/6" ] || fail "expected an empty entry 6"

say "batches that cross 256 and 512"
awk 'BEGIN { for (i = 1; i <= 200; i++) printf "batch3 line %d\n", i }' \
    >"$T/in"
append_lines "$T/in" # 211
awk 'BEGIN { for (i = 1; i <= 100; i++) printf "batch4 line %d\n", i }' \
    >"$T/in"
append_lines "$T/in" # 311: crosses 256
awk 'BEGIN { for (i = 1; i <= 250; i++) printf "batch5 %0" i "d\n", 7 }' \
    >"$T/in"
append_lines "$T/in" # 561: crosses 512, entries of 1..250 bytes
head -c 3000 /dev/urandom >"$T/f-bin2"
ok "$OSAFE" log append "$L" "$T/f-bin2" "$T/f-empty"
printf '%s\n%s\n' "$size" $((size + 1)) >"$T/want"
same "$T/out" "$T/want" "indices printed by append FILE..."
cp "$T/f-bin2" "$E/$size"
cp "$T/f-empty" "$E/$((size + 1))"
size=$((size + 2)) # 563
save_checkpoint
printf 'one\n' >"$T/in"
append_lines "$T/in" # 564
[ -f "$L/tile/0/000" ] && [ -f "$L/tile/0/001" ] &&
    [ -f "$L/tile/0/002.p/52" ] && [ -f "$L/tile/1/000.p/2" ] &&
    [ -f "$L/tile/entries/001" ] && [ -f "$L/tile/entries/002.p/52" ] ||
    fail "unexpected tiles: $(cd "$L" && find tile -type f | sort)"

say "log get returns every entry byte-exact ($size entries)"
# The files (which may hold newlines) one by one, the lines (5..560, 563)
# in one pass with --count --lines: each entry then a newline.
for i in 0 1 2 3 4 561 562; do
    ok "$OSAFE" log get "$L" "$i"
    cmp -s "$T/out" "$E/$i" || fail "log get $i returned other bytes"
done
ok "$OSAFE" log get "$L" 5 --count 556 --lines
i=5
while [ "$i" -le 560 ]; do
    cat "$E/$i"
    echo
    i=$((i + 1))
done >"$T/want"
same "$T/out" "$T/want" "entries 5..560 read in one pass"
ok "$OSAFE" log get "$L" 563 --count 1 --lines
{ cat "$E/563"; echo; } >"$T/want"
same "$T/out" "$T/want" "entry 563"
ok "$OSAFE" log get "$L" 563
same "$T/out" "$E/563" "entry 563 alone"
expect_fail 1 "entry $size does not exist (log size $size)" \
    "$OSAFE" log get "$L" "$size"

say "log get --count N --lines: usage and refusals"
expect_fail 2 "--count needs --lines" "$OSAFE" log get "$L" 5 --count 2
expect_fail 1 "entry 0 holds a newline" \
    "$OSAFE" log get "$L" 0 --count 1 --lines
expect_fail 1 "the log holds $size" \
    "$OSAFE" log get "$L" 5 --count "$size" --lines

say "log checkpoint: origin, size, root, signature"
ok "$OSAFE" log checkpoint "$L"
same "$T/out" "$L/checkpoint" "log checkpoint output and DIR/checkpoint"
[ "$(sed -n 1p "$T/out")" = "$ORIGIN" ] || fail "checkpoint origin line"
[ "$(sed -n 2p "$T/out")" = "$size" ] || fail "checkpoint size line"
sed -n 3p "$T/out" | grep -Eq '^[A-Za-z0-9+/]{43}=$' || fail "root line"
[ -z "$(sed -n 4p "$T/out")" ] || fail "no empty line after the body"
sed -n 5p "$T/out" | grep -q "^— $ORIGIN " || fail "signature line"

say "log verify"
tree_sum "$L" >"$T/before"
ok "$OSAFE" log verify "$L" --vkey "$VKEY"
out_has "$size entries"
out_has "3 bundles"
tree_sum "$L" >"$T/after"
same "$T/before" "$T/after" "log tree after verify"

# prove_ok INDEX SIZE: JSON proof at SIZE, checked against $C/SIZE, also by
# leaf hash; at the current size also the tlog-proof receipt.
proofs=0
prove_ok() {
    if [ "$2" = "$size" ]; then
        ok "$OSAFE" log prove "$L" "$1"
    else
        ok "$OSAFE" log prove "$L" "$1" --size "$2"
    fi
    cp "$T/out" "$T/proof.json"
    grep -q "\"index\": $1," "$T/proof.json" || fail "proof index: $1"
    grep -q "\"tree_size\": $2," "$T/proof.json" || fail "proof size: $2"
    ok "$OSAFE" log verify-inclusion --vkey "$VKEY" --proof "$T/proof.json" \
        --checkpoint "$C/$2" --entry "$E/$1"
    out_has "ok: entry $1 is in $ORIGIN at tree size $2"
    leaf=$(sed -n 's/^ *"leaf_hash": "\(.*\)",$/\1/p' "$T/proof.json")
    ok "$OSAFE" log verify-inclusion --vkey "$VKEY" --proof "$T/proof.json" \
        --checkpoint "$C/$2" --leaf-hash "$leaf"
    if [ "$2" = "$size" ]; then
        ok "$OSAFE" log prove "$L" "$1" --format tlog-proof
        cp "$T/out" "$T/receipt"
        [ "$(sed -n 1p "$T/receipt")" = "c2sp.org/tlog-proof@v1" ] ||
            fail "receipt header: $(sed -n 1p "$T/receipt")"
        [ "$(sed -n 2p "$T/receipt")" = "index $1" ] || fail "receipt index"
        ok "$OSAFE" log verify-inclusion --vkey "$VKEY" --proof "$T/receipt" \
            --entry "$E/$1"
        out_has "ok: entry $1 is in $ORIGIN at tree size $2"
    fi
    proofs=$((proofs + 1))
}

say "inclusion proofs at several sizes"
for s in 5 11 211 311 561 563 "$size"; do
    for i in 0 1 4 6 10 200 255 256 257 310 511 512 560 562 563; do
        [ "$i" -lt "$s" ] || continue
        prove_ok "$i" "$s"
    done
done
say "  $proofs proofs verified"

# tamper_first_hash IN OUT: OUT is IN with the first of its "hashes" changed.
tamper_first_hash() {
    awk 'f && !done {
            i = index($0, "\"") + 1; c = substr($0, i, 1)
            $0 = substr($0, 1, i - 1) (c == "A" ? "B" : "A") substr($0, i + 1)
            done = 1 }
         /"hashes"/ { f = 1 }
         { print }' "$1" >"$2"
    cmp -s "$1" "$2" && fail "tamper_first_hash changed nothing in $1"
    :
}

say "inclusion proofs that must not verify"
ok "$OSAFE" log prove "$L" 300
cp "$T/out" "$T/p300.json"
ok "$OSAFE" log prove "$L" 300 --format tlog-proof
cp "$T/out" "$T/r300"
expect_fail 1 "inclusion proof does not lead to the root hash" \
    "$OSAFE" log verify-inclusion --vkey "$VKEY" --proof "$T/p300.json" \
    --checkpoint "$C/$size" --entry "$E/301"
expect_fail 1 "inclusion proof does not lead to the root hash" \
    "$OSAFE" log verify-inclusion --vkey "$VKEY" --proof "$T/r300" \
    --entry "$E/301"
printf 'batch4 line 4' >"$T/wrong"
cmp -s "$T/wrong" "$E/300" && fail "test bug: the wrong entry is right"
printf 'batch4 line 45' >"$T/wrong"
expect_fail 1 "inclusion proof does not lead to the root hash" \
    "$OSAFE" log verify-inclusion --vkey "$VKEY" --proof "$T/p300.json" \
    --checkpoint "$C/$size" --entry "$T/wrong"
ok "$OSAFE" log prove "$L" 301
cp "$T/out" "$T/p301.json"
expect_fail 1 "inclusion proof does not lead to the root hash" \
    "$OSAFE" log verify-inclusion --vkey "$VKEY" --proof "$T/p301.json" \
    --checkpoint "$C/$size" --entry "$E/300"
expect_fail 1 "proof is for tree size $size but the checkpoint has size 311" \
    "$OSAFE" log verify-inclusion --vkey "$VKEY" --proof "$T/p300.json" \
    --checkpoint "$C/311" --entry "$E/300"
sed 's/"index": 300,/"index": 299,/' "$T/p300.json" >"$T/p-idx.json"
expect_fail 1 "inclusion proof does not lead to the root hash" \
    "$OSAFE" log verify-inclusion --vkey "$VKEY" --proof "$T/p-idx.json" \
    --checkpoint "$C/$size" --entry "$E/300"
tamper_first_hash "$T/p300.json" "$T/p-hash.json"
expect_fail 1 "inclusion proof does not lead to the root hash" \
    "$OSAFE" log verify-inclusion --vkey "$VKEY" --proof "$T/p-hash.json" \
    --checkpoint "$C/$size" --entry "$E/300"
sed "s/^$size\$/$((size + 1))/" "$T/r300" >"$T/r-size"
expect_fail 1 "does not verify" \
    "$OSAFE" log verify-inclusion --vkey "$VKEY" --proof "$T/r-size" \
    --entry "$E/300"
sed "2s/.*/$((size + 1))/" "$C/$size" >"$T/cp-bad"
expect_fail 1 "checkpoint: signature by key '$ORIGIN' does not verify" \
    "$OSAFE" log verify-inclusion --vkey "$VKEY" --proof "$T/p300.json" \
    --checkpoint "$T/cp-bad" --entry "$E/300"
expect_fail 1 "--checkpoint is required with a JSON proof" \
    "$OSAFE" log verify-inclusion --vkey "$VKEY" --proof "$T/p300.json" \
    --entry "$E/300"
expect_fail 1 "entry $size is not in a tree of size $size" \
    "$OSAFE" log prove "$L" "$size"
expect_fail 1 "entry 311 is not in a tree of size 311" \
    "$OSAFE" log prove "$L" 311 --size 311
expect_fail 1 "--size $((size + 1)) is larger than the log" \
    "$OSAFE" log prove "$L" 0 --size $((size + 1))
expect_fail 1 "leave out --size" \
    "$OSAFE" log prove "$L" 0 --size 311 --format tlog-proof

say "consistency proofs between saved checkpoints"
n=0
for old in 5 11 211 311 561 563; do
    for new in 11 211 311 561 563 "$size"; do
        [ "$old" -lt "$new" ] || continue
        if [ "$new" = "$size" ] && [ "$((n % 2))" = 0 ]; then
            ok "$OSAFE" log consistency "$L" "$old"
        else
            ok "$OSAFE" log consistency "$L" "$old" "$new"
        fi
        cp "$T/out" "$T/cons.json"
        grep -q "\"old_size\": $old," "$T/cons.json" || fail "old_size $old"
        grep -q "\"new_size\": $new," "$T/cons.json" || fail "new_size $new"
        ok "$OSAFE" log verify-consistency --vkey "$VKEY" --old "$C/$old" \
            --new "$C/$new" --proof "$T/cons.json"
        out_has "ok: tree size $old is a prefix of tree size $new"
        n=$((n + 1))
    done
done
say "  $n consistency proofs verified"
ok "$OSAFE" log verify-consistency --vkey "$VKEY" --old "$C/311" \
    --new "$C/311"
ok "$OSAFE" log consistency "$L" 311 311
cp "$T/out" "$T/c311.json"
ok "$OSAFE" log verify-consistency --vkey "$VKEY" --old "$C/311" \
    --new "$C/311" --proof "$T/c311.json"

say "consistency proofs that must not verify"
ok "$OSAFE" log consistency "$L" 211 561
cp "$T/out" "$T/c.json"
expect_fail 1 "proof links sizes 211 -> 561 but the checkpoints have sizes 561 -> 211" \
    "$OSAFE" log verify-consistency --vkey "$VKEY" --old "$C/561" \
    --new "$C/211" --proof "$T/c.json"
expect_fail 1 "proof links sizes 211 -> 561" \
    "$OSAFE" log verify-consistency --vkey "$VKEY" --old "$C/211" \
    --new "$C/563" --proof "$T/c.json"
expect_fail 1 "sizes differ (211, 561): --proof is required" \
    "$OSAFE" log verify-consistency --vkey "$VKEY" --old "$C/211" \
    --new "$C/561"
tamper_first_hash "$T/c.json" "$T/c-bad.json"
run "$OSAFE" log verify-consistency --vkey "$VKEY" --old "$C/211" \
    --new "$C/561" --proof "$T/c-bad.json"
[ "$rc" = 1 ] || fail "a tampered consistency proof gave exit $rc"
sed '2s/.*/210/' "$C/211" >"$T/cp-bad"
expect_fail 1 "old checkpoint: signature by key '$ORIGIN' does not verify" \
    "$OSAFE" log verify-consistency --vkey "$VKEY" --old "$T/cp-bad" \
    --new "$C/561" --proof "$T/c.json"
expect_fail 1 "new checkpoint: signature by key '$ORIGIN' does not verify" \
    "$OSAFE" log verify-consistency --vkey "$VKEY" --old "$C/211" \
    --new "$T/cp-bad" --proof "$T/c.json"
expect_fail 1 "$T/cp-bad: signature by key '$ORIGIN' does not verify" \
    "$OSAFE" log verify-consistency --vkey "$VKEY" --old "$T/cp-bad" \
    --new "$C/211"
expect_fail 1 "$T/cp-bad: signature by key '$ORIGIN' does not verify" \
    "$OSAFE" log verify-consistency --vkey "$VKEY" --old "$C/211" \
    --new "$T/cp-bad"
ok "$OSAFE" key generate ex.org/stranger --out "$T/k2"
expect_fail 1 "not signed by any known key" \
    "$OSAFE" log verify-consistency --vkey "$T/k2/ex.org_stranger.vkey" \
    --old "$C/211" --new "$C/561" --proof "$T/c.json"
expect_fail 1 "no consistency proof from size 561 to size 211" \
    "$OSAFE" log consistency "$L" 561 211
expect_fail 1 "NEW $((size + 1)) is larger than the log" \
    "$OSAFE" log consistency "$L" 5 $((size + 1))

say "an entry of 65536 bytes is refused, the log is unchanged"
tree_sum "$L" >"$T/before"
head -c 65536 /dev/urandom >"$T/f-big"
expect_fail 1 "larger than 65535 bytes" "$OSAFE" log append "$L" "$T/f-big"
expect_fail 1 "larger than 65535 bytes" \
    "$OSAFE" log append "$L" "$T/f-text" "$T/f-big"
awk 'BEGIN { s = "x"; while (length(s) < 65536) s = s s;
             print "short"; print substr(s, 1, 65536) }' >"$T/in-big"
expect_fail 1 "line 2 is 65536 bytes" "$OSAFE" log append "$L" --lines \
    <"$T/in-big"
[ "$(log_size "$L")" = "$size" ] || fail "log size changed by refused appends"
tree_sum "$L" >"$T/after"
same "$T/before" "$T/after" "log tree after refused appends"

say "a second writer is refused while the lock is held"
(exec 9>>"$L/.lock" && flock -x 9 && exec sleep 60) </dev/null >/dev/null 2>&1 &
lockpid=$!
bg_register "$lockpid"
i=0
while flock -n "$L/.lock" true; do
    i=$((i + 1))
    [ "$i" -lt 200 ] || fail "the lock holder did not take the lock"
    sleep 0.05
done
echo locked | expect_fail 1 "locked" "$OSAFE" log append "$L" --lines
expect_fail 1 "is locked by another writer" "$OSAFE" log append "$L" "$T/f-text"
ok "$OSAFE" log get "$L" 0 # readers need no lock
ok "$OSAFE" log verify "$L" --vkey "$VKEY"
[ "$(log_size "$L")" = "$size" ] || fail "a refused writer changed the log"
kill "$lockpid"
{ wait "$lockpid"; } 2>/dev/null || :
printf 'after the lock\n' >"$T/in"
append_lines "$T/in"

say "a batch that fills tile levels 1 and 2 (size 65536 + 300)"
old=$size
awk -v n=$((65536 + 300 - size)) \
    'BEGIN { for (i = 1; i <= n; i++) printf "big %d\n", i }' >"$T/in"
ok "$OSAFE" log append "$L" --lines <"$T/in"
n=$(awk 'END { print NR }' "$T/in")
[ "$(sed -n 1p "$T/out")" = "$old" ] &&
    [ "$(sed -n '$p' "$T/out")" = 65835 ] &&
    [ "$(wc -l <"$T/out")" = "$n" ] || fail "indices printed by the big batch"
size=65836
save_checkpoint
[ -f "$L/tile/1/000" ] && [ -f "$L/tile/2/000.p/1" ] &&
    [ -f "$L/tile/0/257.p/44" ] && [ -f "$L/tile/1/001.p/1" ] ||
    fail "unexpected tiles: $(cd "$L" && find tile -type f | grep -v '/[0-9]*$')"
ok "$OSAFE" log verify "$L" --vkey "$VKEY"
out_has "65836 entries"
for i in "$old" 65535 65536 65835; do
    k=$((i - old + 1))
    sed -n "${k}p" "$T/in" | tr -d '\n' >"$E/$i"
    ok "$OSAFE" log get "$L" "$i"
    same "$T/out" "$E/$i" "entry $i"
done
for i in 0 4 300 "$old" 65535 65536 65835; do
    prove_ok "$i" "$size"
done
for old in 5 563 "$old"; do
    ok "$OSAFE" log consistency "$L" "$old"
    cp "$T/out" "$T/cons.json"
    ok "$OSAFE" log verify-consistency --vkey "$VKEY" --old "$C/$old" \
        --new "$C/$size" --proof "$T/cons.json"
done

pass
