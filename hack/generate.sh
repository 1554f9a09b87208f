#!/usr/bin/env bash
# Regenerates every generated file, in dependency order:
#   1. crds/ and charts/sextant/crds/     from the Swift API types (`sextant crds`)
#   2. manifests/install.yaml and the Argo CD patch   from the chart (hack/render-manifests.sh)
# Run it after changing Sources/SextantAPI, the chart or manifests/argocd/health.lua, and commit
# the result: tests fail when a generated file is stale.
# SEXTANT_BIN may point at a built `sextant` binary (default: build with swift build).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${SEXTANT_BIN:-}" ]; then
    "$SEXTANT_BIN" crds
else
    swift run --quiet sextant crds
fi
hack/render-manifests.sh
