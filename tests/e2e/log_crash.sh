#!/bin/sh
# log_crash.sh - durability: `log append` killed with SIGKILL at random
# instants.  After every kill the log must verify, keep every entry it
# acknowledged (printed the index of) with exactly its content, never
# shrink, and hold each batch entirely or not at all.
#
# OSAFE_CRASH_RUNS (default 40) sets the number of killed-or-completed runs.
set -eu
. "${OSAFE_TESTS:-$(dirname "$0")/..}/e2e/lib.sh.inc"

RUNS=${OSAFE_CRASH_RUNS:-40}
K=$T/keys
L=$T/log
ORIGIN=ex.org/crash
VKEY=$K/ex.org_crash.vkey
ok "$OSAFE" key generate "$ORIGIN" --out "$K"
ok "$OSAFE" log init "$L" --origin "$ORIGIN" --key "$K/ex.org_crash.key"

ACKED=$T/acked   # "INDEX CONTENT" of every acknowledged entry, in order
LANDED=$T/landed # line k: the content of entry k-1 (every batch that landed)
: >"$ACKED"
: >"$LANDED"
size=0

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# batch RUN N: N unique lines for run RUN.
batch() {
    awk -v r="$1" -v n="$2" \
        'BEGIN { for (j = 1; j <= n; j++) printf "run%d-line%d\n", r, j }'
}

# check_entry INDEX: `log get` returns exactly line INDEX+1 of $LANDED.
check_entry() {
    sed -n "$(($1 + 1))p" "$LANDED" | tr -d '\n' >"$T/want"
    ok "$OSAFE" log get "$L" "$1"
    cmp -s "$T/out" "$T/want" ||
        fail "entry $1 is '$(cat "$T/out")', expected '$(cat "$T/want")'"
}

say "calibration: three appends of 300 lines, not killed"
total=0
for r in 1 2 3; do
    batch "c$r" 300 >"$T/in"
    t0=$(now_ms)
    ok "$OSAFE" log append "$L" --lines <"$T/in"
    total=$((total + $(now_ms) - t0))
    seq "$size" $((size + 299)) >"$T/want"
    same "$T/out" "$T/want" "indices of calibration run $r"
    paste -d ' ' "$T/out" "$T/in" >>"$ACKED"
    cat "$T/in" >>"$LANDED"
    size=$((size + 300))
done
# Kill within a window of twice an append's duration, so that about half
# of the runs die mid-append: at least 5 ms, at most 50 ms.
window=$((2 * total / 3))
[ "$window" -ge 5 ] || window=5
[ "$window" -le 50 ] || window=50
say "an append of 300 lines takes about $((total / 3)) ms: kills within 0..$window ms"

completed=0 # exited on its own
lost=0      # killed before its checkpoint: the batch is not in the log
landed=0    # killed after its checkpoint: the batch is in the log
ackparts=0  # killed while printing: some indices acknowledged, not all
torn=0      # output ended in a partial line (ignored)
i=1
while [ "$i" -le "$RUNS" ]; do
    n=$(($(rand 600) + 1))
    batch "$i" "$n" >"$T/in"
    ms=$(rand $((window + 1)))
    # The files exist before the job starts: a kill that lands before the
    # job's redirections would otherwise leave none (no acknowledgement).
    : >"$T/out.$i"
    : >"$T/err.$i"
    "$OSAFE" log append "$L" --lines <"$T/in" >>"$T/out.$i" 2>>"$T/err.$i" &
    pid=$!
    sleep "$(printf '0.%03d' "$ms")"
    kill -9 "$pid" 2>/dev/null || :
    st=0
    { wait "$pid"; } 2>/dev/null || st=$? # quiet: no "Killed" from the shell
    case $st in
    0) killed=0 ;;
    137) killed=1 ;;
    *) fail "run $i ($n lines): exit $st: $(cat "$T/err.$i")" ;;
    esac
    if grep -q -e 'Sanitizer' -e 'runtime error:' "$T/err.$i"; then
        cat "$T/err.$i" >&2
        fail "run $i: sanitizer report"
    fi

    # The acknowledged indices: complete lines only.
    if [ -n "$(tail -c 1 "$T/out.$i")" ]; then
        torn=$((torn + 1))
        sed '$d' "$T/out.$i" >"$T/ack"
    else
        cp "$T/out.$i" "$T/ack"
    fi
    nack=$(wc -l <"$T/ack")
    if [ "$nack" -gt 0 ]; then
        seq "$size" $((size + nack - 1)) >"$T/want"
        same "$T/ack" "$T/want" "indices acknowledged by run $i"
    fi
    [ "$killed" = 1 ] || [ "$nack" = "$n" ] ||
        fail "run $i exited 0 but acknowledged $nack of $n entries"

    old=$size
    ok "$OSAFE" log checkpoint "$L"
    size=$(sed -n 2p "$T/out")
    if [ "$size" = $((old + n)) ]; then
        cat "$T/in" >>"$LANDED"
        if [ "$killed" = 0 ]; then
            completed=$((completed + 1))
        else
            landed=$((landed + 1))
            [ "$nack" = 0 ] || [ "$nack" = "$n" ] || ackparts=$((ackparts + 1))
        fi
    elif [ "$size" = "$old" ]; then
        [ "$killed" = 1 ] || fail "run $i completed but the size is still $old"
        [ "$nack" = 0 ] ||
            fail "run $i acknowledged $nack entries but the size is still $old"
        lost=$((lost + 1))
    else
        fail "run $i ($n lines, killed=$killed): size went from $old to $size;" \
            "a batch must land whole or not at all, and the log never shrinks"
    fi
    head -n "$nack" "$T/in" | paste -d ' ' "$T/ack" - >>"$ACKED"

    ok "$OSAFE" log verify "$L" --vkey "$VKEY"
    out_has "$size entries"
    # A sample: this batch's ends (if it landed) and three earlier entries.
    if [ "$size" -gt "$old" ]; then
        check_entry "$old"
        check_entry $((size - 1))
    fi
    for _ in 1 2 3; do
        check_entry "$(rand "$size")"
    done
    i=$((i + 1))
done
say "$RUNS runs: $completed completed, $((lost + landed)) killed mid-append" \
    "($lost before the checkpoint, $landed after it; $ackparts of these" \
    "printed part of their indices; $torn outputs ended in a torn line)"
[ "$(wc -l <"$LANDED")" = "$size" ] || fail "bookkeeping: $LANDED vs $size"

say "a normal append after all the kills"
batch final 10 >"$T/in"
ok "$OSAFE" log append "$L" --lines <"$T/in"
seq "$size" $((size + 9)) >"$T/want"
same "$T/out" "$T/want" "indices of the final append"
paste -d ' ' "$T/out" "$T/in" >>"$ACKED"
cat "$T/in" >>"$LANDED"
size=$((size + 10))
ok "$OSAFE" log verify "$L" --vkey "$VKEY"
out_has "$size entries"
leftovers=$(find "$L" -name '*.tmp.*' | wc -l)
say "$leftovers temporary files left by killed writers (ignored)"

nacked=$(wc -l <"$ACKED")
say "every acknowledged entry ($nacked) reads back exactly"
# One pass over the whole log (the entries are single lines): every entry
# that landed, in order, and each acknowledged one at its index.
ok "$OSAFE" log get "$L" 0 --count "$size" --lines
cp "$T/out" "$T/all"
[ -s "$T/err" ] && fail "log get wrote to stderr: $(cat "$T/err")"
same "$T/all" "$LANDED" "the log's entries vs every batch that landed"
awk 'NR == FNR { got[NR - 1] = $0; n = NR; next }
    { i = $1; sub(/^[^ ]* /, "")
      if (i >= n || got[i] != $0) { print "entry " i; bad = 1; exit } }
    END { exit bad }' "$T/all" "$ACKED" >"$T/bad" ||
    fail "acknowledged $(cat "$T/bad") does not read back as acknowledged"
_checks=$((_checks + nacked))
pass
