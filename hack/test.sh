#!/usr/bin/env bash
# The whole test suite: builds everything and runs every test (unit, integration against
# `sextant dev`, kubectl and Python-client checks). The README and .ci/run call exactly this.
# Arguments go to `swift test` (e.g. `hack/test.sh --filter PlatformTests`).
#
# SEXTANT_TEST_BUNDLE=PATH (used by hack/check-fresh-clone.sh): do the same set-up, then run that
# already-built test bundle against this checkout (SEXTANT_REPO_ROOT) instead of building here.
set -euo pipefail
cd "$(dirname "$0")/.."

# Every tool and test peer the suite needs (helm, checkov, kubectl when missing, moto, ...),
# installed idempotently into .sextant/ — this command is the whole set-up on a fresh clone.
# SEXTANT_TOOLS="NAME ..." installs only those (hack/check-fresh-clone.sh uses it for the platform
# tests it runs); unset = every tool.
# shellcheck disable=SC2086
hack/install-tools.sh ${SEXTANT_TOOLS:-}

# The official Python Kubernetes client, in a venv the suite owns.
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import kubernetes, yaml' 2>/dev/null; then
    python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check kubernetes PyYAML
fi
export SEXTANT_PYTHON="$PWD/.venv/bin/python"

# kubectl: the machine's, else the one install-tools put into .sextant/bin.
export PATH="$PATH:$PWD/.sextant/bin"
KUBECTL="${KUBECTL:-$(command -v kubectl || true)}"
[ -n "$KUBECTL" ] || { echo "test.sh: no kubectl after hack/install-tools.sh" >&2; exit 1; }
export KUBECTL

if [ -n "${SEXTANT_TEST_BUNDLE:-}" ]; then
    export SEXTANT_REPO_ROOT="$PWD"
    echo "test.sh: running the prebuilt $SEXTANT_TEST_BUNDLE against $SEXTANT_REPO_ROOT (no build here)" >&2
    exec "$SEXTANT_TEST_BUNDLE" --testing-library swift-testing --no-parallel "$@"
fi

swift build --build-tests
# Serially: most suites start their own `sextant dev` processes, and on 2 cores parallel suites
# starve each other's in-process controllers into timeouts.
swift test --skip-build --no-parallel "$@"
