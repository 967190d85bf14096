#!/bin/sh
# crosscheck.sh - the in-process engine (src/infer) against llama.cpp as
# shipped in npm (tests/crosscheck/README.md).  Run by ctest
# (crosscheck_llamacpp, label crosscheck) with NODE, MODELS (the
# crosscheck_models program), PROBE (infer_probe), WORK (a folder in the
# build tree) and CROSSCHECK (this folder) set.
#
# node-llama-cpp and its prebuilt Linux x64 binaries are installed from npm
# into $WORK/npm (once; kept between runs) with NODE_LLAMA_CPP_SKIP_DOWNLOAD
# so that nothing is built or downloaded besides the packages.  Without
# npm or the network the test reports SKIP (77) with the reason.
set -eu
: "${NODE:?}" "${MODELS:?}" "${PROBE:?}" "${WORK:?}" "${CROSSCHECK:?}"
NLC_VERSION=3.22.1
TOL=${CROSSCHECK_TOL:-1e-2}
EXACT_TOL=${CROSSCHECK_EXACT_TOL:-2e-3}

skip() {
    echo "SKIP: $*"
    exit 77
}

mkdir -p "$WORK/npm" "$WORK/models" "$WORK/out"
modules="$WORK/npm/node_modules"
if [ ! -f "$modules/node-llama-cpp/package.json" ] ||
   [ ! -d "$modules/@node-llama-cpp/linux-x64" ]; then
    command -v npm >/dev/null 2>&1 || skip "npm not found (apt-get install npm)"
    [ -f "$WORK/npm/package.json" ] || echo '{"private": true}' >"$WORK/npm/package.json"
    echo "installing node-llama-cpp@$NLC_VERSION from npm into $WORK/npm"
    if ! (cd "$WORK/npm" && NODE_LLAMA_CPP_SKIP_DOWNLOAD=true \
          npm install --no-audit --no-fund --omit=optional \
              "node-llama-cpp@$NLC_VERSION" \
              "@node-llama-cpp/linux-x64@$NLC_VERSION" >"$WORK/npm/install.log" 2>&1); then
        tail -5 "$WORK/npm/install.log"
        skip "node-llama-cpp cannot be installed from npm (no network?), see $WORK/npm/install.log"
    fi
fi

rm -f "$WORK/models"/*.gguf "$WORK/out"/*.json "$WORK/exact"/*.json
mkdir -p "$WORK/exact"
"$MODELS" "$CROSSCHECK/texts.json" "$WORK/models" >"$WORK/models/list"
names="" exact=""
for m in $(cat "$WORK/models/list"); do
    n=$(basename "$m")
    "$PROBE" "$m" "$CROSSCHECK/texts.json" >"$WORK/out/$n.osafe.json"
    names="$names $n"
    case $n in
    # F32 models, and those with only output.weight quantized: one
    # quantized product, which the engine computes as llama.cpp does
    # (activations in Q8_0/Q8_K, integer sums), so it matches to rounding
    *-f32.gguf | llama-outonly-q*.gguf)
        exact="$exact $m"; cp "$WORK/out/$n.osafe.json" "$WORK/exact/" ;;
    esac
done
llamacpp() { # OUTDIR MODEL...
    out=$1
    shift
    "$NODE" "$CROSSCHECK/llamacpp.mjs" "$modules" "$CROSSCHECK/texts.json" "$out" "$@" || {
        rc=$?
        [ $rc -eq 77 ] && skip "llama.cpp's prebuilt binaries do not load here"
        exit $rc
    }
}
# 1. llama.cpp as its users run it (f16 KV cache, flash attention "auto"):
#    every model within TOL, or within its type's known gap.
# shellcheck disable=SC2046 # one argument per model file
llamacpp "$WORK/out" $(cat "$WORK/models/list")
# 2. llama.cpp with the engine's attention numerics (f16 KV cache, q and
#    the softmax weights in f16, no flash attention): the F32 models,
#    whose products llama.cpp computes in f32 too, and the models with
#    only output.weight quantized, within EXACT_TOL (or a known gap).  Both
#    sides round q, K, V and the softmax weights to f16, so a float
#    difference of 1e-7 upstream (summation order) flips an f16 rounding
#    now and then: 2e-3 rather than the 1e-4 an f32 cache allowed (see
#    docs/INFERENCE.md, cross-check).
# shellcheck disable=SC2086
CROSSCHECK_KV=F16 CROSSCHECK_FA=off llamacpp "$WORK/exact" $exact
echo "== llama.cpp defaults (f16 KV cache, flash attention auto), tolerance $TOL"
# shellcheck disable=SC2086
"$NODE" "$CROSSCHECK/compare.mjs" "$TOL" "$CROSSCHECK/known_gaps.json" \
    "$WORK/out" $names || fail=1
echo "== llama.cpp with an f16 KV cache and no flash attention, F32 models, tolerance $EXACT_TOL"
# shellcheck disable=SC2086
"$NODE" "$CROSSCHECK/compare.mjs" "$EXACT_TOL" "$CROSSCHECK/known_gaps_exact.json" "$WORK/exact" \
    $(for m in $exact; do basename "$m"; done) || fail=1
exit "${fail:-0}"
