#!/usr/bin/env bash
# kfp: the Kubeflow Pipelines SDK (PyPI), in its own venv .sextant/kfp-venv. The `sextant import kfp`
# tests compile real pipelines with it (Tests/harness/kfp/*.py) and import the IR YAML it writes.
KFP_PKG="kfp==2.17.*"

install_kfp() {
    local kvenv="$root/kfp-venv"
    if [ -x "$kvenv/bin/python" ] && "$kvenv/bin/python" -c 'import kfp, sys; sys.exit(0 if kfp.__version__.startswith("2.17.") else 1)' 2>/dev/null; then
        log "kfp already installed"; return
    fi
    log "installing $KFP_PKG into $kvenv"
    [ -x "$kvenv/bin/pip" ] || "$PYTHON" -m venv "$kvenv"
    "$kvenv/bin/pip" install --quiet --disable-pip-version-check "$KFP_PKG"
    "$kvenv/bin/python" -c 'import kfp; print("kfp", kfp.__version__)' >&2
}
