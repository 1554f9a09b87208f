#!/usr/bin/env bash
# drongo (PyPI): a GCP mock server ("the moto for GCP") that stores Vertex AI CustomJobs (create, get,
# list, cancel) but never moves them through states. The Vertex tests send the same create/get
# requests to it as to the scripted fake (Tests/harness/gcp/fake_gcp.py) to catch drift between the
# fake and another implementation of the API. Its venv .sextant/gcp-venv also holds `cryptography`,
# which the scripted fake uses to verify the RS256 signature of service-account JWTs.
DRONGO_VERSION="0.8.0"
GCP_CRYPTOGRAPHY_VERSION="46.0.3"

install_drongo() {
    local gvenv="$root/gcp-venv"
    if [ -x "$gvenv/bin/python" ] && "$gvenv/bin/python" -c "import drongo, cryptography, sys; sys.exit(0 if drongo.__version__ == '$DRONGO_VERSION' else 1)" 2>/dev/null; then
        log "drongo $DRONGO_VERSION already installed"; return
    fi
    log "installing drongo==$DRONGO_VERSION and cryptography into $gvenv"
    [ -x "$gvenv/bin/pip" ] || "$PYTHON" -m venv "$gvenv"
    "$gvenv/bin/pip" install --quiet --disable-pip-version-check "drongo==$DRONGO_VERSION" "cryptography==$GCP_CRYPTOGRAPHY_VERSION"
    "$gvenv/bin/python" -c 'import drongo, cryptography; print("drongo", drongo.__version__, "cryptography", cryptography.__version__)' >&2
}
