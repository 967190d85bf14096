#!/bin/sh
# bench_federation.sh OSAFE [N] - `osafe peer sync` throughput and memory
# (issue 12): a peer log of N (default 100,000) synthetic TLP:CLEAR
# records of about 270 bytes, served by `osafe serve` on loopback, mirrored
# from scratch by a fresh node.  Prints the sync's summary line, wall and
# CPU time and peak RSS (GNU time), and records per second of wall time.
set -eu
OSAFE=${1:?usage: bench_federation.sh OSAFE [N]}
N=${2:-100000}
T=$(mktemp -d "${TMPDIR:-/tmp}/osafe-bench-fed.XXXXXX")
trap 'kill "$srv" 2>/dev/null || :; rm -rf "$T"' EXIT
"$OSAFE" key generate bench.example/log --out "$T/keys" >/dev/null
KEY=$T/keys/bench.example_log.key
"$OSAFE" log init "$T/log" --origin bench.example/log --key "$KEY" >/dev/null
awk -v n="$N" 'BEGIN { for (i = 1; i <= n; i++) printf "{\"description\":" \
    "[{\"lang\":\"en\",\"text\":\"A synthetic record of about the size of " \
    "a short real one, for the federation sync benchmark.\"}],\"hazards\":" \
    "[\"ssh\"],\"id\":\"OSAFE-2026-%06d\",\"state\":\"published\",\"title\":" \
    "{\"en\":\"Synthetic benchmark record %d\"},\"tlp\":\"CLEAR\"," \
    "\"version\":1}\n", i, i }' | "$OSAFE" log append "$T/log" --lines >/dev/null
PORT=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 12000))
# The log's entries are in no database: serve records them once as
# abandoned (seconds for 100,000), before it answers.
"$OSAFE" serve --db "$T/peer.db" --log "$T/log" --key "$KEY" \
    --listen "127.0.0.1:$PORT" >/dev/null 2>"$T/serve.err" &
srv=$!
until curl -s -o /dev/null "http://127.0.0.1:$PORT/log/checkpoint"; do
    kill -0 "$srv" || { cat "$T/serve.err" >&2; exit 1; }
    sleep 0.2
done
"$OSAFE" peer add "http://127.0.0.1:$PORT" \
    --vkey "$T/keys/bench.example_log.vkey" --db "$T/m.db" >/dev/null
start=$(date +%s.%N)
/usr/bin/time -f 'wall %e s, user %U s, sys %S s, peak RSS %M KiB' \
    "$OSAFE" peer sync --db "$T/m.db"
end=$(date +%s.%N)
awk -v n="$N" -v a="$start" -v b="$end" \
    'BEGIN { printf "%d records in %.2f s: %.0f records/s\n", n, b - a, n / (b - a) }'
