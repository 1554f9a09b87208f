#!/usr/bin/env bash
# schemathesis (PyPI) in its own venv .sextant/schemathesis-venv, linked as .sextant/bin/st: the
# DevCluster schemathesis suite (Tests/DevClusterTests/SchemathesisTests.swift) runs it against a
# `sextant dev`'s own /openapi/v2 document (built-in and Sextant kinds) and fails on any 5xx or a
# server crash. Larger runs by hand: docs/dev-cluster.md.
SCHEMATHESIS_VERSION="4.32.5"

install_schemathesis() {
    local svenv="$root/schemathesis-venv"
    if [ -x "$bin/st" ] && [ -x "$svenv/bin/python" ] && "$svenv/bin/python" - <<PY 2>/dev/null
import sys, importlib.metadata as m
import schemathesis
sys.exit(0 if m.version("schemathesis") == "$SCHEMATHESIS_VERSION" else 1)
PY
    then
        log "schemathesis $SCHEMATHESIS_VERSION already installed"; return
    fi
    log "installing schemathesis==$SCHEMATHESIS_VERSION into $svenv"
    [ -x "$svenv/bin/pip" ] || "$PYTHON" -m venv "$svenv"
    "$svenv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
    mkdir -p "$bin"
    # A relative link: the clone may be mounted elsewhere (the build wrapper mounts it at /work/build-root).
    ln -sf "$(realpath --relative-to="$bin" "$svenv/bin/st")" "$bin/st"
    "$svenv/bin/st" --version >&2
}
