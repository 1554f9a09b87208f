#!/usr/bin/env bash
# dvc (PyPI) in its own venv .sextant/dvc-venv, linked as .sextant/bin/dvc: the DVC data version
# tests make real .dvc files with `dvc init --no-scm` and `dvc add` in a temporary folder.
DVC_VERSION="3.67.1"

install_dvc() {
    local vvenv="$root/dvc-venv"
    if [ -x "$bin/dvc" ] && [ -x "$vvenv/bin/python" ] && "$vvenv/bin/dvc" version 2>/dev/null | grep -q "DVC version: $DVC_VERSION"; then
        log "dvc $DVC_VERSION already installed"; return
    fi
    log "installing dvc==$DVC_VERSION into $vvenv"
    [ -x "$vvenv/bin/pip" ] || "$PYTHON" -m venv "$vvenv"
    "$vvenv/bin/pip" install --quiet --disable-pip-version-check "dvc==$DVC_VERSION"
    mkdir -p "$bin"
    # A relative link: the clone may be mounted elsewhere (the build wrapper mounts it at /work/build-root).
    ln -sf "$(realpath --relative-to="$bin" "$vvenv/bin/dvc")" "$bin/dvc"
    "$vvenv/bin/dvc" version 2>/dev/null | head -1 >&2
}
