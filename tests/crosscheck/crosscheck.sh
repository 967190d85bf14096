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

rm -f "$WORK/models"/*.gguf "$WORK/out"/*.json
"$MODELS" "$CROSSCHECK/texts.json" "$WORK/models" >"$WORK/models/list"
names=""
for m in $(cat "$WORK/models/list"); do
    n=$(basename "$m")
    "$PROBE" "$m" "$CROSSCHECK/texts.json" >"$WORK/out/$n.osafe.json"
    names="$names $n"
done
# shellcheck disable=SC2046 # one argument per model file
"$NODE" "$CROSSCHECK/llamacpp.mjs" "$modules" "$CROSSCHECK/texts.json" \
    "$WORK/out" $(cat "$WORK/models/list") || {
    rc=$?
    [ $rc -eq 77 ] && skip "llama.cpp's prebuilt binaries do not load here"
    exit $rc
}
# shellcheck disable=SC2086
exec "$NODE" "$CROSSCHECK/compare.mjs" "$TOL" "$CROSSCHECK/known_gaps.json" \
    "$WORK/out" $names
