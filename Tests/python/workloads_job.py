"""Runs a Job through the official Python client against `sextant dev` and prints what it saw.

Usage: workloads_job.py NAME  (KUBECONFIG set). Prints one JSON line:
{"succeeded": N, "conditions": [...], "pods": [...], "startTime": bool, "completionTime": bool}
"""
import json
import sys
import time

from kubernetes import client, config

name = sys.argv[1]
config.load_kube_config()
batch = client.BatchV1Api()
core = client.CoreV1Api()
job = client.V1Job(
    metadata=client.V1ObjectMeta(name=name, annotations={"dev.sextant.dev/simulate": '{"seconds":0.3,"message":"py"}'}),
    spec=client.V1JobSpec(
        template=client.V1PodTemplateSpec(
            spec=client.V1PodSpec(restart_policy="Never", containers=[client.V1Container(name="main", image="busybox")])
        )
    ),
)
batch.create_namespaced_job("default", job)
deadline = time.time() + 60
status = None
while time.time() < deadline:
    status = batch.read_namespaced_job_status(name, "default").status
    if any(c.type == "Complete" and c.status == "True" for c in (status.conditions or [])):
        break
    time.sleep(0.2)
pods = core.list_namespaced_pod("default", label_selector=f"batch.kubernetes.io/job-name={name}").items
print(json.dumps({
    "succeeded": status.succeeded,
    "conditions": sorted(c.type for c in (status.conditions or []) if c.status == "True"),
    "pods": [p.status.phase for p in pods],
    "message": pods[0].status.container_statuses[0].state.terminated.message if pods else None,
    "startTime": status.start_time is not None,
    "completionTime": status.completion_time is not None,
}))
