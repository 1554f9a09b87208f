#!/usr/bin/env bash
# hcl2: python-hcl2 (PyPI), the HCL2 parser the terraform/ tests use (hack/check-terraform.py) to
# read every .tf file. It lives in its own venv .sextant/hcl2-venv: checkov (in .sextant/tools-venv)
# depends on bc-python-hcl2, a fork that installs the same `hcl2` module, and the two must not
# overwrite each other.
HCL2_PKG="python-hcl2==7.3.1"

install_hcl2() {
    local hvenv="$root/hcl2-venv"
    if [ -x "$hvenv/bin/python" ] && "$hvenv/bin/python" -c 'import importlib.metadata as m, sys; sys.exit(0 if m.version("python-hcl2") == "'"${HCL2_PKG#python-hcl2==}"'" else 1)' 2>/dev/null; then
        log "python-hcl2 already installed"; return
    fi
    log "installing $HCL2_PKG into $hvenv"
    [ -x "$hvenv/bin/pip" ] || "$PYTHON" -m venv "$hvenv"
    "$hvenv/bin/pip" install --quiet --disable-pip-version-check "$HCL2_PKG"
    "$hvenv/bin/python" -c 'import importlib.metadata as m; print("python-hcl2", m.version("python-hcl2"))' >&2
}
