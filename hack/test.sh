#!/usr/bin/env bash
# The whole test suite: builds everything and runs every test (unit, integration against
# `sextant dev`, kubectl and Python-client checks). The README and .ci/run call exactly this.
# Arguments go to `swift test` (e.g. `hack/test.sh --filter PlatformTests`); with arguments the
# selected tests run one after another in one process.
#
# Without arguments the tests run in two shards side by side, then a short serial tail:
#   controllers  SextantControllersTests (the end-to-end suites of the three controllers)
#   platform     every other test target
#   serial       the suites that measure time under load (leader failover, resilience scripts):
#                alone, so the other shard's load does not skew what they measure
# Each shard runs its suites one after another (most start their own `sextant dev`, controllers and
# peers, on free ports and in their own temporary directories, so the two shards share nothing);
# output lines carry the shard's name. SEXTANT_TEST_SHARDS=1 runs everything in one process instead.
#
# The tool set-up (hack/install-tools.sh, the Python client venv) runs while `swift build` compiles:
# one is mostly downloads, the other CPU; its log is printed once both have finished.
#
# SEXTANT_TEST_BUNDLE=PATH (used by hack/check-fresh-clone.sh): do the same set-up, then run that
# already-built test bundle against this checkout (SEXTANT_REPO_ROOT) instead of building here.
set -euo pipefail
cd "$(dirname "$0")/.."

# Every tool and test peer the suite needs (helm, checkov, kubectl when missing, moto, ...),
# installed idempotently into .sextant/ — this command is the whole set-up on a fresh clone.
# SEXTANT_TOOLS="NAME ..." installs only those (hack/check-fresh-clone.sh uses it for the platform
# tests it runs); unset = every tool.
setup_tools() {
    # shellcheck disable=SC2086
    hack/install-tools.sh ${SEXTANT_TOOLS:-}
    # The official Python Kubernetes client, in a venv the suite owns.
    if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import kubernetes, yaml' 2>/dev/null; then
        python3 -m venv .venv
        .venv/bin/pip install --quiet --disable-pip-version-check kubernetes PyYAML
    fi
}

# kubectl: the machine's, else the one install-tools put into .sextant/bin.
export_tool_environment() {
    export SEXTANT_PYTHON="$PWD/.venv/bin/python"
    export PATH="$PATH:$PWD/.sextant/bin"
    KUBECTL="${KUBECTL:-$(command -v kubectl || true)}"
    [ -n "$KUBECTL" ] || { echo "test.sh: no kubectl after hack/install-tools.sh" >&2; exit 1; }
    export KUBECTL
}

if [ -n "${SEXTANT_TEST_BUNDLE:-}" ]; then
    setup_tools
    export_tool_environment
    export SEXTANT_REPO_ROOT="$PWD"
    echo "test.sh: running the prebuilt $SEXTANT_TEST_BUNDLE against $SEXTANT_REPO_ROOT (no build here)" >&2
    exec "$SEXTANT_TEST_BUNDLE" --testing-library swift-testing --no-parallel "$@"
fi

# Set-up and build side by side.
mkdir -p .sextant
setup_log=.sextant/setup.log
echo "test.sh: installing tools (log: $setup_log) while swift build compiles" >&2
( set -euo pipefail; setup_tools ) > "$setup_log" 2>&1 &
setup_pid=$!
build_status=0
swift build --build-tests || build_status=$?
setup_status=0
wait "$setup_pid" || setup_status=$?
cat "$setup_log" >&2
[ "$setup_status" -eq 0 ] || { echo "test.sh: tool set-up failed (exit $setup_status): see above" >&2; exit "$setup_status"; }
[ "$build_status" -eq 0 ] || { echo "test.sh: swift build failed (exit $build_status)" >&2; exit "$build_status"; }
export_tool_environment

if [ $# -gt 0 ] || [ "${SEXTANT_TEST_SHARDS:-2}" = "1" ]; then
    swift test --skip-build --no-parallel "$@"
    exit
fi

bundle="$(ls -d "$(swift build --show-bin-path)"/*PackageTests.xctest 2>/dev/null | head -n1 || true)"
[ -x "$bundle" ] || { echo "test.sh: no test bundle after swift build --build-tests" >&2; exit 1; }
serial='ResilienceScriptTests|LeaderElectionProcessTests'

# run_shard NAME ARGS...: the bundle's Swift Testing run, its lines prefixed with [NAME].
run_shard() {
    local name="$1"; shift
    local status
    set +e
    "$bundle" --testing-library swift-testing --no-parallel "$@" 2>&1 | sed -u "s/^/[$name] /" \
        | tee "$shard_logs/$name.log"
    status=${PIPESTATUS[0]}
    set -e
    echo "test.sh: shard $name exited $status" >&2
    [ "$status" -eq 0 ] || : > "$shard_logs/$name.log.failed"
    return "$status"
}

shard_logs=.sextant/test-logs
rm -rf "$shard_logs"; mkdir -p "$shard_logs"

# What failed, repeated at the very end: CI logs are often read from their tail only. A shard that
# failed without a ✘ line (a crash, a timeout) shows its last lines instead.
summarize_failures() {
    local log failed
    for log in "$shard_logs"/*.log; do
        [ -e "$log.failed" ] || continue
        failed="$(grep -h -A3 '✘' "$log" | grep -v '^--$' || true)"
        echo "test.sh: shard $(basename "$log" .log) failed (whole log: $log):" >&2
        if [ -n "$failed" ]; then echo "$failed" | tail -n 80 >&2; else tail -n 40 "$log" >&2; fi
    done
}

start=$SECONDS
run_shard controllers --filter 'SextantControllersTests\.' --skip "$serial" &
controllers=$!
run_shard platform --skip "SextantControllersTests\.|$serial" &
platform=$!
status=0
wait "$controllers" || status=1
wait "$platform" || status=1
run_shard serial --filter "$serial" || status=1
summarize_failures
echo "test.sh: tests took $((SECONDS - start)) s; $([ $status -eq 0 ] && echo 'every shard passed' || echo 'a shard FAILED: search the output for ✘')" >&2
exit "$status"
