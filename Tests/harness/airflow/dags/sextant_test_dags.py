"""DAGs the Airflow step tests trigger (Tests/TestSupport/AirflowPeer.swift).

- sextant_outputs: two tasks; the last returns an outputs JSON object built from the run's conf,
  so the test sees both conf and XCom travel.
- sextant_fails: its only task raises.
- sextant_slow: one task sleeping `conf.seconds` (default 120) -- cancelled or adopted mid-run.
"""
import time
from datetime import datetime

from airflow.sdk import dag, get_current_context, task


@dag(dag_id="sextant_outputs", schedule=None, start_date=datetime(2024, 1, 1), catchup=False, is_paused_upon_creation=False)
def sextant_outputs():
    @task
    def prepare():
        conf = get_current_context()["dag_run"].conf or {}
        return conf.get("day", "unset")

    @task
    def publish(day):
        conf = get_current_context()["dag_run"].conf or {}
        return {
            "artifacts": {"table": f"s3://lake/features/day={day}/"},
            "metrics": {"rows": float(conf.get("rows", 0))},
        }

    publish(prepare())


@dag(dag_id="sextant_fails", schedule=None, start_date=datetime(2024, 1, 1), catchup=False, is_paused_upon_creation=False)
def sextant_fails():
    @task(retries=0)
    def explode():
        raise RuntimeError("the test DAG fails on purpose")

    explode()


@dag(dag_id="sextant_slow", schedule=None, start_date=datetime(2024, 1, 1), catchup=False, is_paused_upon_creation=False)
def sextant_slow():
    @task
    def wait():
        conf = get_current_context()["dag_run"].conf or {}
        time.sleep(float(conf.get("seconds", 120)))
        return {"artifacts": {"done": "s3://lake/slow/done"}}

    wait()


sextant_outputs()
sextant_fails()
sextant_slow()
