#!/usr/bin/env bash
# Renders manifests/install.yaml from charts/sextant with default values: the plain-manifest
# install (`kubectl apply --server-side -f manifests/install.yaml`) for those who do not use Helm.
# A test (PlatformTests) fails when the committed file differs from this script's output.
#
# Usage: hack/render-manifests.sh            writes manifests/install.yaml
#        hack/render-manifests.sh --stdout   prints it instead
# Needs helm v3: $HELM, .sextant/bin/helm (hack/install-tools.sh helm) or helm on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

NAMESPACE=sextant-system
RELEASE=sextant

helm="${HELM:-}"
if [ -z "$helm" ]; then
    if [ -x .sextant/bin/helm ]; then helm=.sextant/bin/helm
    elif command -v helm >/dev/null 2>&1; then helm=helm
    else echo "render-manifests: helm not found; run hack/install-tools.sh helm" >&2; exit 1
    fi
fi

render() {
    cat <<HEADER
# Sextant: the operator and its CRDs as plain manifests, rendered from charts/sextant with default
# values by hack/render-manifests.sh (do not edit by hand). Install or upgrade with:
#   kubectl apply --server-side -f manifests/install.yaml
---
apiVersion: v1
kind: Namespace
metadata:
  name: $NAMESPACE
  labels:
    app.kubernetes.io/part-of: sextant
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/audit: restricted
    pod-security.kubernetes.io/warn: restricted
HEADER
    "$helm" template "$RELEASE" charts/sextant --namespace "$NAMESPACE" --include-crds
}

if [ "${1:-}" = "--stdout" ]; then
    render
else
    mkdir -p manifests
    render > manifests/install.yaml.tmp
    mv manifests/install.yaml.tmp manifests/install.yaml
    echo "render-manifests: wrote manifests/install.yaml" >&2
fi
