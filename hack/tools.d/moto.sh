#!/usr/bin/env bash
# moto: the AWS service emulator (PyPI), in its own venv .sextant/moto-venv. The CloudAWS tests (and
# the SageMaker/Batch backend tests) start its server through Tests/harness/moto/server.py on a free
# loopback port (Tests/TestSupport/MotoPeer.swift).
MOTO_VERSION="5.2.6"
MOTO_PKG="moto[server,batch]==$MOTO_VERSION"

install_moto() {
    local mvenv="$root/moto-venv"
    if [ -x "$mvenv/bin/python" ] && "$mvenv/bin/python" -c "import moto, moto.server, sys; sys.exit(0 if moto.__version__ == '$MOTO_VERSION' else 1)" 2>/dev/null; then
        log "moto $MOTO_VERSION already installed"; return
    fi
    log "installing $MOTO_PKG into $mvenv"
    [ -x "$mvenv/bin/pip" ] || "$PYTHON" -m venv "$mvenv"
    "$mvenv/bin/pip" install --quiet --disable-pip-version-check "$MOTO_PKG"
    "$mvenv/bin/python" -c 'import moto; print("moto", moto.__version__)' >&2
}
