#!/bin/sh
# log_tamper.sh - `log verify` finds every kind of damage to a log of 700
# entries (3 batches), names the file and the index, and changes nothing;
# `log append` refuses to extend a log whose checkpoint or right edge
# (partial tiles) is damaged, again changing nothing.
set -eu
. "${OSAFE_TESTS:-$(dirname "$0")/..}/e2e/lib.sh.inc"

K=$T/keys
L=$T/log
ORIGIN=ex.org/tamper
VKEY=$K/ex.org_tamper.vkey
ok "$OSAFE" key generate "$ORIGIN" --out "$K"
ok "$OSAFE" log init "$L" --origin "$ORIGIN" --key "$K/ex.org_tamper.key"

# Every entry is "tamper-NNNNN" (12 bytes), so entry i lies in bundle i/256
# at byte offset (i % 256) * 14 (2 bytes of length, then the entry).
lines() { awk -v a="$1" -v b="$2" 'BEGIN { for (i = a; i <= b; i++)
    printf "tamper-%05d\n", i }'; }
lines 0 299 >"$T/in1"
lines 300 549 >"$T/in2"
lines 550 699 >"$T/in3"
for b in 1 2 3; do
    ok "$OSAFE" log append "$L" --lines <"$T/in$b"
    ok "$OSAFE" log checkpoint "$L"
    cp "$T/out" "$T/cp$b"
done
say "the log: $(cd "$L" && find tile -type f | LC_ALL=C sort | tr '\n' ' ')"
for f in tile/0/000 tile/0/001 tile/0/002.p/188 tile/1/000.p/2 \
    tile/entries/000 tile/entries/001 tile/entries/002.p/188; do
    [ -f "$L/$f" ] || fail "expected $f in the log"
done
tree_sum "$L" >"$T/sum.orig"
ok "$OSAFE" log verify "$L" --vkey "$VKEY"
out_has "700 entries"
tree_sum "$L" >"$T/sum"
same "$T/sum.orig" "$T/sum" "log tree after verify"

# fresh_copy: C becomes a pristine copy of the log.
C=$T/copy
fresh_copy() {
    rm -rf "$C"
    cp -Rp "$L" "$C"
}

# detect WHAT MESSAGE [APPEND_MESSAGE]: on the damaged copy C, `log verify`
# exits 1 naming MESSAGE and rewrites nothing; with APPEND_MESSAGE, `log
# append` must refuse too (with that message), and also rewrite nothing.
cases=0
detect() {
    tree_sum "$C" >"$T/sum.before"
    cmp -s "$T/sum.before" "$T/sum.orig" && fail "$1: the copy is not damaged"
    expect_fail 1 "$2" "$OSAFE" log verify "$C" --vkey "$VKEY"
    tree_sum "$C" >"$T/sum.after"
    same "$T/sum.before" "$T/sum.after" "$1: copy after verify"
    if [ $# -ge 3 ]; then
        echo more | expect_fail 1 "$3" "$OSAFE" log append "$C" --lines
        tree_sum "$C" >"$T/sum.after"
        same "$T/sum.before" "$T/sum.after" "$1: copy after refused append"
    fi
    cases=$((cases + 1))
}

say "a flipped byte in full level-0 tiles"
fresh_copy
flip_byte "$C/tile/0/000" $((3 * 32 + 17))
detect "tile/0/000 hash 3" "tile/0/000: hash 3 does not match entry 3"
fresh_copy
flip_byte "$C/tile/0/001" $((37 * 32))
detect "tile/0/001 hash 37" "tile/0/001: hash 37 does not match entry 293"
fresh_copy
flip_byte "$C/tile/0/001" 8191
detect "tile/0/001 hash 255" "tile/0/001: hash 255 does not match entry 511"

say "a flipped byte in the partial tiles (level 0 and level 1)"
fresh_copy
flip_byte "$C/tile/0/002.p/188" $((100 * 32 + 5))
detect "tile/0/002.p/188 hash 100" \
    "tile/0/002.p/188: hash 100 does not match entry 612" \
    "entry 612 does not match its hash in the level-0 tile"
fresh_copy
flip_byte "$C/tile/1/000.p/2" 5
detect "tile/1/000.p/2 hash 0" \
    "tile/1/000.p/2: hash 0 does not match the root of tile 0/0 below it" \
    "the partial tiles do not reproduce the checkpoint's root hash"
fresh_copy
flip_byte "$C/tile/1/000.p/2" 63
detect "tile/1/000.p/2 hash 1" \
    "tile/1/000.p/2: hash 1 does not match the root of tile 0/1 below it" \
    "the partial tiles do not reproduce the checkpoint's root hash"

say "tiles of the wrong length"
fresh_copy
head -c 8160 "$L/tile/0/001" >"$C/tile/0/001"
detect "tile/0/001 truncated" \
    "tile/0/001: 8160 bytes, expected 256 hashes (8192 bytes)"
fresh_copy
printf 'x' >>"$C/tile/0/000"
detect "tile/0/000 extended" \
    "tile/0/000: larger than 8192 bytes"
fresh_copy
head -c 40 "$L/tile/1/000.p/2" >"$C/tile/1/000.p/2"
detect "tile/1/000.p/2 truncated" \
    "tile/1/000.p/2: 40 bytes, expected 2 hashes (64 bytes)" \
    "tile/1/000.p/2: 40 bytes, expected 2 hashes (64 bytes)"

say "truncated and extended entry bundles"
fresh_copy
head -c $((100 * 14 + 5)) "$L/tile/entries/000" >"$C/tile/entries/000"
detect "tile/entries/000 truncated in entry 100" \
    "tile/entries/000 (entries 0..255): truncated: entry 100 declares 12 bytes but only 3 remain"
fresh_copy
head -c $((255 * 14)) "$L/tile/entries/001" >"$C/tile/entries/001"
detect "tile/entries/001 without its last entry" \
    "tile/entries/001 (entries 256..511): truncated: entry 255 of 256 is missing"
fresh_copy
printf 'zz' >>"$C/tile/entries/001"
detect "tile/entries/001 extended" \
    "tile/entries/001 (entries 256..511): 2 unexpected bytes after entry 255"
fresh_copy
head -c $((187 * 14)) "$L/tile/entries/002.p/188" \
    >"$C/tile/entries/002.p/188"
detect "tile/entries/002.p/188 truncated" \
    "tile/entries/002.p/188 (entries 512..699): truncated: entry 187 of 188 is missing" \
    "tile/entries/002.p/188: truncated: entry 187 of 188 is missing"

say "one changed byte of an entry inside a bundle"
fresh_copy
flip_byte "$C/tile/entries/000" $((7 * 14 + 2 + 11))
detect "entry 7 changed" "tile/0/000: hash 7 does not match entry 7"
fresh_copy
flip_byte "$C/tile/entries/001" $((44 * 14 + 2))
detect "entry 300 changed" "tile/0/001: hash 44 does not match entry 300"
fresh_copy
flip_byte "$C/tile/entries/002.p/188" $((138 * 14 + 2 + 6))
detect "entry 650 changed" "tile/0/002.p/188: hash 138 does not match entry 650" \
    "entry 650 does not match its hash in the level-0 tile"
fresh_copy
flip_byte "$C/tile/entries/000" $((9 * 14 + 1)) # a length byte: 12 -> 13
detect "length of entry 9 changed" \
    "tile/entries/000 (entries 0..255): truncated: entry"

say "deleted tiles and bundles"
fresh_copy
rm "$C/tile/0/002.p/188"
detect "tile/0/002.p/188 deleted" "tile/0/002.p/188: missing" \
    "tile/0/002.p/188: missing"
fresh_copy
rm "$C/tile/1/000.p/2"
detect "tile/1/000.p/2 deleted" "tile/1/000.p/2: missing" \
    "tile/1/000.p/2: missing"
fresh_copy
rm "$C/tile/entries/002.p/188"
detect "tile/entries/002.p/188 deleted" "tile/entries/002.p/188: missing" \
    "tile/entries/002.p/188: missing"
fresh_copy
rm "$C/tile/0/001"
detect "tile/0/001 deleted" "tile/0/001: missing"
fresh_copy
rm "$C/tile/entries/000"
detect "tile/entries/000 deleted" "tile/entries/000: missing"
fresh_copy
rm -r "$C/tile"
detect "all tiles deleted" "tile/entries/000: missing" "missing"

say "partial tiles of older checkpoints may go (not part of size 700)"
fresh_copy
rm -r "$C/tile/0/002.p/38" "$C/tile/entries/002.p/38" "$C/tile/1/000.p/1"
ok "$OSAFE" log verify "$C" --vkey "$VKEY"

say "a tampered checkpoint"
fresh_copy
sed '2s/.*/699/' "$L/checkpoint" >"$C/checkpoint"
detect "size line 700 -> 699" \
    "$C/checkpoint: checkpoint: signature by key '$ORIGIN' does not verify" \
    "$C/checkpoint: checkpoint: signature by key '$ORIGIN' does not verify"
fresh_copy
sed '2s/.*/701/' "$L/checkpoint" >"$C/checkpoint"
detect "size line 700 -> 701" "signature by key '$ORIGIN' does not verify" \
    "signature by key '$ORIGIN' does not verify"
fresh_copy
awk 'NR == 3 { c = substr($0, 1, 1); $0 = (c == "A" ? "B" : "A") substr($0, 2) }
     { print }' "$L/checkpoint" >"$C/checkpoint"
detect "root line changed" "signature by key '$ORIGIN' does not verify" \
    "signature by key '$ORIGIN' does not verify"
fresh_copy
awk 'NR == 5 { n = length($0); c = substr($0, n - 5, 1)
               $0 = substr($0, 1, n - 6) (c == "A" ? "B" : "A") substr($0, n - 4) }
     { print }' "$L/checkpoint" >"$C/checkpoint"
detect "signature changed" "signature by key '$ORIGIN' does not verify" \
    "signature by key '$ORIGIN' does not verify"
fresh_copy
head -c 60 "$L/checkpoint" >"$C/checkpoint"
detect "checkpoint truncated" "$C/checkpoint: checkpoint: malformed note" \
    "$C/checkpoint: checkpoint: malformed note"
fresh_copy
rm "$C/checkpoint"
detect "checkpoint deleted" "$C/checkpoint: No such file or directory" \
    "$C/checkpoint: No such file or directory"

say "an older signed checkpoint is a valid, shorter log (stale files ignored)"
fresh_copy
cp "$T/cp2" "$C/checkpoint"
ok "$OSAFE" log verify "$C" --vkey "$VKEY"
out_has "550 entries"
lines 10550 10551 >"$T/in4"
ok "$OSAFE" log append "$C" --lines <"$T/in4"
printf '550\n551\n' >"$T/want"
same "$T/out" "$T/want" "indices appended after the older checkpoint"
ok "$OSAFE" log verify "$C" --vkey "$VKEY"
out_has "552 entries"
ok "$OSAFE" log get "$C" 551
printf 'tamper-10551' >"$T/want"
same "$T/out" "$T/want" "entry 551 after the rollback"

say "verification with the wrong key"
ok "$OSAFE" key generate "$ORIGIN" --out "$T/other"
ok "$OSAFE" key generate ex.org/another --out "$T/other"
expect_fail 1 "$L/checkpoint: checkpoint: note is not signed by any known key" \
    "$OSAFE" log verify "$L" --vkey "$T/other/ex.org_tamper.vkey"
expect_fail 1 "$L/checkpoint: checkpoint: note is not signed by any known key" \
    "$OSAFE" log verify "$L" --vkey "$T/other/ex.org_another.vkey"
# Same name and key id, another public key: refused when the vkey is read.
printf '%s+%s\n' "$(cut -d+ -f1,2 "$VKEY")" \
    "$(cut -d+ -f3- "$T/other/ex.org_tamper.vkey")" >"$T/forged.vkey"
expect_fail 1 "key id" "$OSAFE" log verify "$L" --vkey "$T/forged.vkey"
fresh_copy
echo more | expect_fail 1 "not the key of log $C" \
    "$OSAFE" log append "$C" --lines --key "$T/other/ex.org_tamper.key"
echo more | expect_fail 1 "not the key of log $C" \
    "$OSAFE" log append "$C" --lines --key "$T/other/ex.org_another.key"
tree_sum "$C" >"$T/sum"
same "$T/sum.orig" "$T/sum" "log tree after appends with the wrong key"

tree_sum "$L" >"$T/sum"
same "$T/sum.orig" "$T/sum" "the original log after all the copies"
say "$cases kinds of damage detected"
pass
