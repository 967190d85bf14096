#!/bin/sh
# bench_infer_llamacpp.sh - the in-process engine (bench_infer) and
# llama.cpp (npm node-llama-cpp, bench_infer_llamacpp.mjs) on the same GGUF
# files, same threads, one after the other in one run, with the ratios.
# The machine may be shared: compare the ratios of one run, not figures
# across runs; "per CPU second" figures are the steadier ones there.
#
#   bench/bench_infer_llamacpp.sh BUILD_DIR [THREADS] [PROMPT] [GEN]
#
# NLC_MODULES: a node_modules folder holding node-llama-cpp and
# @node-llama-cpp/linux-x64 (default BUILD_DIR/crosscheck/npm/node_modules,
# where the crosscheck_llamacpp test installs them).  SHAPES: the cases,
# default "qwen2-0.5b:q8_0 qwen2-0.5b:q4_K qwen2-1.5b:q4_K_M".
set -eu
build=${1:?usage: bench_infer_llamacpp.sh BUILD_DIR [THREADS] [PROMPT] [GEN]}
threads=${2:-2} prompt=${3:-64} gen=${4:-16}
here=$(cd "$(dirname "$0")" && pwd)
modules=${NLC_MODULES:-$build/crosscheck/npm/node_modules}
shapes=${SHAPES:-"qwen2-0.5b:q8_0 qwen2-0.5b:q4_K qwen2-1.5b:q4_K_M"}
[ -d "$modules/node-llama-cpp" ] || {
    echo "no node-llama-cpp in $modules (run ctest -R crosscheck_llamacpp once, or set NLC_MODULES)" >&2
    exit 77
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export NODE_LLAMA_CPP_SKIP_DOWNLOAD=true
# "prompt X tok/s (Y per CPU second), generation Z tok/s (W per CPU second)"
nums() { sed 's/.*prompt [0-9]* tokens \([0-9.]*\) tok\/s (\([0-9.]*\) per CPU second), generation [0-9]* tokens \([0-9.]*\) tok\/s (\([0-9.]*\) per CPU second).*/\1 \2 \3 \4/'; }
printf '| shape | weights | threads | ours pp / tg tok/s (per CPU s) | llama.cpp pp / tg tok/s (per CPU s) | ratio pp / tg (per CPU s) |\n'
printf '|---|---|---|---|---|---|\n'
for c in $shapes; do
    s=${c%%:*} t=${c#*:}
    ours=$("$build/bench/bench_infer" --shape "$s" --type "$t" --threads "$threads" \
        --prompt "$prompt" --gen "$gen" --write "$tmp/m.gguf" | nums)
    theirs=$(node "$here/bench_infer_llamacpp.mjs" "$modules" "$tmp/m.gguf" \
        "$threads" "$prompt" "$gen" | nums)
    rm -f "$tmp/m.gguf"
    echo "$s $t $threads $ours $theirs" | awk '{
        printf "| %s | %s | %s | %.1f / %.1f (%.1f / %.1f) | %.1f / %.1f (%.1f / %.1f) | %.2f / %.2f (%.2f / %.2f) |\n",
            $1, $2, $3, $4, $6, $5, $7, $8, $10, $9, $11,
            $4 / $8, $6 / $10, $5 / $9, $7 / $11 }'
done
