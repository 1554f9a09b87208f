#!/usr/bin/env bash
# OpenLineage test receiver: jsonschema (PyPI) in its own venv .sextant/openlineage-venv. The
# receiver Tests/harness/openlineage/receiver.py captures POST /api/v1/lineage and validates each
# event against the OpenLineage spec 2-0-2 JSON Schema and the facet schemas kept beside it
# (Tests/harness/openlineage/spec/: no PyPI package ships those schema files; see its README).
JSONSCHEMA_VERSION="4.26.0"

install_openlineage() {
    local ovenv="$root/openlineage-venv"
    if [ -x "$ovenv/bin/python" ] && "$ovenv/bin/python" -c "import jsonschema, rfc3339_validator, rfc3986_validator, sys; from importlib.metadata import version; sys.exit(0 if version('jsonschema') == '$JSONSCHEMA_VERSION' else 1)" 2>/dev/null; then
        log "jsonschema $JSONSCHEMA_VERSION (openlineage receiver) already installed"; return
    fi
    log "installing jsonschema[format-nongpl]==$JSONSCHEMA_VERSION into $ovenv"
    [ -x "$ovenv/bin/pip" ] || "$PYTHON" -m venv "$ovenv"
    "$ovenv/bin/pip" install --quiet --disable-pip-version-check "jsonschema[format-nongpl]==$JSONSCHEMA_VERSION"
    "$ovenv/bin/python" -c 'from importlib.metadata import version; print("jsonschema", version("jsonschema"))' >&2
}
