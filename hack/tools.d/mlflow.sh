#!/usr/bin/env bash
# mlflow: a real MLflow tracking server (PyPI `mlflow==3.17.2`) in its own venv .sextant/mlflow-venv.
# Tests/TestSupport/MLflowPeer.swift starts it on a free loopback port (sqlite backend, one worker,
# job execution off); the tracking tests and the registry-mirror tests read back through its REST API.
#
# The lighter install: `mlflow-skinny` (client, uvicorn/FastAPI) plus only what `mlflow server` imports
# (Flask, alembic, SQLAlchemy, graphene, huey, cryptography, aiohttp, numpy, pandas), then `mlflow`
# itself with --no-deps. This leaves out matplotlib, scikit-learn, scipy, pyarrow, skops, docker and
# gunicorn (the server runs on uvicorn): measured ~390 MB and ~3 min on the shared 2-core machine,
# instead of the full install's ~1 GB. pip prints that those requirements of `mlflow` are missing: expected.
# The same venv's `python` runs step processes that log with the real `mlflow` client in the tests.
MLFLOW_VERSION="3.17.2"
MLFLOW_SERVER_DEPS=(
    "mlflow-skinny==$MLFLOW_VERSION"
    "mlflow-tracing==$MLFLOW_VERSION"
    "Flask==3.1.3"
    "flask-cors==6.0.5"
    "alembic==1.20.1"
    "SQLAlchemy==2.1.9"
    "graphene==3.4.3"
    "huey==3.5.4"
    "cryptography==50.0.2"
    "aiohttp==3.14.5"
    "numpy==2.4.6"
    "pandas==3.1.1"
)

install_mlflow() {
    local mvenv="$root/mlflow-venv"
    if [ -x "$mvenv/bin/python" ] && "$mvenv/bin/python" - <<PY 2>/dev/null
import sys, importlib.metadata as m
import mlflow.server.fastapi_app  # the server's imports resolve
sys.exit(0 if m.version("mlflow") == "$MLFLOW_VERSION" else 1)
PY
    then
        log "mlflow $MLFLOW_VERSION already installed"; return
    fi
    log "installing mlflow $MLFLOW_VERSION (skinny + server dependencies, then mlflow --no-deps) into $mvenv"
    [ -x "$mvenv/bin/pip" ] || "$PYTHON" -m venv "$mvenv"
    "$mvenv/bin/pip" install --quiet --disable-pip-version-check "${MLFLOW_SERVER_DEPS[@]}"
    "$mvenv/bin/pip" install --quiet --disable-pip-version-check --no-deps "mlflow==$MLFLOW_VERSION"
    "$mvenv/bin/python" -c 'import mlflow, mlflow.server.fastapi_app; print("mlflow", mlflow.__version__)' >&2
}
