#!/usr/bin/env bash
# deltalake (delta-rs Python binding, PyPI) in its own venv .sextant/deltalake-venv: the Delta data
# version tests write real Delta tables with it (local folders and moto S3), including a table whose
# old log files were removed after a checkpoint. Tables are built from arro3-core (a deltalake
# dependency), so no pyarrow/pandas.
DELTALAKE_VERSION="1.6.6"

install_deltalake() {
    local dvenv="$root/deltalake-venv"
    if [ -x "$dvenv/bin/python" ] && "$dvenv/bin/python" -c "import deltalake, sys; sys.exit(0 if deltalake.__version__ == '$DELTALAKE_VERSION' else 1)" 2>/dev/null; then
        log "deltalake $DELTALAKE_VERSION already installed"; return
    fi
    log "installing deltalake==$DELTALAKE_VERSION into $dvenv"
    [ -x "$dvenv/bin/pip" ] || "$PYTHON" -m venv "$dvenv"
    "$dvenv/bin/pip" install --quiet --disable-pip-version-check "deltalake==$DELTALAKE_VERSION"
    "$dvenv/bin/python" -c 'import deltalake; print("deltalake", deltalake.__version__)' >&2
}
