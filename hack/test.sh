#!/usr/bin/env bash
# The whole test suite: builds everything and runs every test (unit, integration against
# `sextant dev`, kubectl and Python-client checks). The README and .ci/run call exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

# Every tool and test peer the suite needs (helm, checkov, moto, ...), installed idempotently into
# .sextant/ — this command is the whole set-up on a fresh clone.
hack/install-tools.sh

# The official Python Kubernetes client, in a venv the suite owns.
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import kubernetes, yaml' 2>/dev/null; then
    python3 -m venv .venv
    .venv/bin/pip install --quiet --disable-pip-version-check kubernetes PyYAML
fi
export SEXTANT_PYTHON="$PWD/.venv/bin/python"

swift build --build-tests
# Serially: most suites start their own `sextant dev` processes, and on 2 cores parallel suites
# starve each other's in-process controllers into timeouts.
swift test --skip-build --no-parallel "$@"
