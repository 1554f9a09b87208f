#!/usr/bin/env bash
# Apache Airflow 3 (PyPI), in its own venv .sextant/airflow-venv. The Airflow step tests start
# `airflow standalone` on a free loopback port with a test DAG folder
# (Tests/TestSupport/AirflowPeer.swift, Tests/harness/airflow/).
AIRFLOW_VERSION="3.3.2"

install_airflow() {
    local avenv="$root/airflow-venv"
    if [ -x "$avenv/bin/airflow" ] && "$avenv/bin/python" -c "import airflow, sys; sys.exit(0 if airflow.__version__ == '$AIRFLOW_VERSION' else 1)" 2>/dev/null; then
        log "airflow $AIRFLOW_VERSION already installed"; return
    fi
    log "installing apache-airflow==$AIRFLOW_VERSION into $avenv"
    [ -x "$avenv/bin/pip" ] || "$PYTHON" -m venv "$avenv"
    "$avenv/bin/pip" install --quiet --disable-pip-version-check "apache-airflow==$AIRFLOW_VERSION"
    "$avenv/bin/python" -c 'import airflow; print("airflow", airflow.__version__)' >&2
}
