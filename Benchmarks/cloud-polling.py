#!/usr/bin/env python3
"""Polling cost of SageMaker steps: N one-step MLPipelines whose SageMaker training jobs run in the
moto peer for a fixed time, driven against `sextant dev --no-controller` plus a separate
`sextant controller` whose AWS endpoint is moto.

    Benchmarks/cloud-polling.py [--sextant BIN] [--pipelines 200] [--job-seconds 60] [--python PY]

The moto harness extension (Tests/harness/moto/sagemaker_ext.py) holds every job InProgress until
the benchmark completes them all after --job-seconds (moto alone would complete each at creation),
and counts CreateTrainingJob / DescribeTrainingJob / StopTrainingJob per job.

Prints: seconds until all runs Succeeded, CreateTrainingJob and DescribeTrainingJob calls per job
(and Describe calls per job-minute of training), controller CPU seconds in total, while the jobs
ran (polling only) and per pipeline, and the controller's peak RSS.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from procstats import cpu_seconds, peak_rss_mb  # noqa: E402


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def http(url: str, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read() or b"{}")


def start_moto(python: str, work: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    log = open(os.path.join(work, "moto.log"), "w")
    proc = subprocess.Popen([python, os.path.join(ROOT, "Tests", "harness", "moto", "server.py"), "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=2)
            return proc, url
        except Exception:
            if proc.poll() is not None:
                break
            time.sleep(0.2)
    stop(proc)
    sys.exit(f"moto did not start; see {work}/moto.log")


def start_dev(sextant: str, work: str) -> tuple[subprocess.Popen, str]:
    log = open(os.path.join(work, "dev.log"), "w")
    proc = subprocess.Popen([sextant, "dev", "--port", "0", "--data-dir", os.path.join(work, "data"), "--no-controller"],
                            stdout=subprocess.PIPE, stderr=log, text=True, start_new_session=True)
    assert proc.stdout is not None
    deadline = time.time() + 60
    while time.time() < deadline:
        line = proc.stdout.readline()
        m = re.match(r"export KUBECONFIG=(.*)", line.strip())
        if m:
            return proc, m.group(1)
        if proc.poll() is not None:
            break
    stop(proc)
    sys.exit(f"sextant dev did not start; see {work}/dev.log")


def kubectl(kubeconfig: str, *args: str, stdin: str | None = None) -> str:
    out = subprocess.run(["kubectl", "--kubeconfig", kubeconfig, *args], input=stdin, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"kubectl {' '.join(args)}: {out.stderr.strip()}")
    return out.stdout


def pipelines(n: int, prefix: str) -> str:
    docs = []
    for i in range(n):
        docs.append(f"""apiVersion: ml.sextant.dev/v1alpha1
kind: MLPipeline
metadata: {{name: {prefix}{i:04d}, namespace: default}}
spec:
  steps:
  - name: train
    outputs: {{artifacts: [model]}}
    sagemaker:
      region: eu-west-1
      roleArn: arn:aws:iam::123456789012:role/sagemaker-training
      image: 123456789012.dkr.ecr.eu-west-1.amazonaws.com/churn-train:1.4
      instanceType: ml.m5.xlarge
      outputS3Uri: s3://bench-models/churn/
      maxRuntimeSeconds: 3600
""")
    return "---\n".join(docs)


def phases(kubeconfig: str) -> list[str]:
    return kubectl(kubeconfig, "-n", "default", "get", "mlp", "-o", "jsonpath={.items[*].status.phase}").split()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sextant", default=os.path.join(ROOT, ".build", "debug", "sextant"))
    p.add_argument("--pipelines", type=int, default=200)
    p.add_argument("--job-seconds", type=float, default=60, help="how long every training job stays InProgress")
    p.add_argument("--python", default=os.path.join(ROOT, ".sextant", "moto-venv", "bin", "python"),
                   help="a Python with moto (hack/install-tools.sh moto)")
    p.add_argument("--timeout", type=float, default=900)
    p.add_argument("--controller-args", default="", help="extra flags for `sextant controller`")
    args = p.parse_args()
    if not os.access(args.sextant, os.X_OK):
        sys.exit(f"no sextant binary at {args.sextant}; build it first")
    if not os.access(args.python, os.X_OK):
        sys.exit(f"no Python with moto at {args.python}; run hack/install-tools.sh moto or pass --python")
    build = "release" if "/release/" in os.path.realpath(args.sextant) else "debug"
    n, prefix = args.pipelines, "cp-"
    work = tempfile.mkdtemp(prefix="bench-cloud-")
    moto, moto_url = start_moto(args.python, work)
    dev, kubeconfig = start_dev(args.sextant, work)
    controller = None
    try:
        crds = os.path.join(ROOT, "crds")
        for _ in range(100):
            try:
                kubectl(kubeconfig, "get", "mlp")
                break
            except RuntimeError:
                try:
                    kubectl(kubeconfig, "apply", "-f", crds)
                except RuntimeError:
                    pass
                time.sleep(0.3)
        http(moto_url + "/sextant-harness/sagemaker/hold", {"prefix": prefix})
        env = dict(os.environ, AWS_ENDPOINT_URL=moto_url, AWS_ACCESS_KEY_ID="AKIDBENCH", AWS_SECRET_ACCESS_KEY="bench-secret",
                   AWS_REGION="eu-west-1", AWS_EC2_METADATA_DISABLED="true")
        clog = open(os.path.join(work, "controller.log"), "w")
        controller = subprocess.Popen([args.sextant, "controller", "--kubeconfig", kubeconfig, "--all-namespaces",
                                       "--metrics-bind-address", "0", "--health-probe-bind-address", "0", "--log-level", "warning"]
                                      + args.controller_args.split(), env=env, stdout=clog, stderr=subprocess.STDOUT, start_new_session=True)
        time.sleep(3)
        cpu0 = cpu_seconds(controller.pid)
        t0 = time.time()
        kubectl(kubeconfig, "apply", "-f", "-", stdin=pipelines(n, prefix))
        while time.time() - t0 < args.timeout:
            created = http(moto_url + "/sextant-harness/sagemaker/calls")["total"].get("CreateTrainingJob", 0)
            if created >= n:
                break
            time.sleep(0.5)
        t_created = time.time()
        cpu_created = cpu_seconds(controller.pid)
        calls_created = http(moto_url + "/sextant-harness/sagemaker/calls")["total"]
        time.sleep(args.job_seconds)
        cpu_held = cpu_seconds(controller.pid)
        calls_held = http(moto_url + "/sextant-harness/sagemaker/calls")["total"]
        http(moto_url + "/sextant-harness/sagemaker/complete", {"prefix": prefix, "billableSeconds": int(args.job_seconds),
                                                                 "trainingSeconds": int(args.job_seconds)})
        t_complete = time.time()
        succeeded = 0
        while time.time() - t0 < args.timeout:
            ph = phases(kubeconfig)
            succeeded = sum(1 for x in ph if x == "Succeeded")
            if succeeded >= n or any(x == "Failed" for x in ph):
                break
            time.sleep(1)
        t_done = time.time()
        cpu = cpu_seconds(controller.pid) - cpu0
        rss = peak_rss_mb(controller.pid)
        calls = http(moto_url + "/sextant-harness/sagemaker/calls")
        total = calls["total"]
        per_job = [v for k, v in calls["byJob"].items() if k.startswith(prefix)]
        describes = [v.get("DescribeTrainingJob", 0) for v in per_job]
        creates = [v.get("CreateTrainingJob", 0) for v in per_job]
        held_minutes = (t_complete - t_created) / 60
        describe_while_held = calls_held.get("DescribeTrainingJob", 0) - calls_created.get("DescribeTrainingJob", 0)
        print(f"== {n} pipelines, one SageMaker step each, jobs InProgress for {args.job_seconds:.0f}s "
              f"(sextant {build} build: {args.sextant})")
        print(f"  succeeded={succeeded}/{n} seconds_total={t_done - t0:.1f} (create phase {t_created - t0:.1f}s, "
              f"finish after completion {t_done - t_complete:.1f}s)")
        print(f"  CreateTrainingJob per job: max={max(creates or [0])} total={sum(creates)} jobs={len(per_job)}")
        print(f"  DescribeTrainingJob per job: mean={sum(describes) / max(len(describes), 1):.1f} min={min(describes or [0])} "
              f"max={max(describes or [0])}; while InProgress: {describe_while_held / max(n, 1) / max(held_minutes, 1e-9):.2f} per job-minute")
        print(f"  StopTrainingJob total={total.get('StopTrainingJob', 0)}")
        print(f"  controller CPU: total={cpu:.2f}s ({cpu / max(n, 1) * 1000:.1f} ms/pipeline), creating={cpu_created - cpu0:.2f}s, "
              f"polling while InProgress={cpu_held - cpu_created:.2f}s ({(cpu_held - cpu_created) / max(n, 1) / max(held_minutes, 1e-9) * 1000:.1f} ms per job-minute), "
              f"peak RSS={rss:.0f}MB")
        if succeeded < n:
            print(f"  not all runs Succeeded; logs kept in {work}")
    finally:
        if controller is not None:
            stop(controller)
        stop(dev)
        stop(moto)


if __name__ == "__main__":
    main()
