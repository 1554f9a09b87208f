"""Shared pieces of the hack/chaos-*.py resilience scripts (Python standard library only).

- `sextant_binary()`: $SEXTANT_BINARY, else .build/release/sextant, else .build/debug/sextant.
- `DevServer`: a `sextant dev --port 0` process on loopback with its own data directory; start,
  kill -9, restart on the same directory.
- `Kube`: a tiny HTTPS client for that server (bearer token + the dev CA from the kubeconfig),
  one keep-alive connection per thread; `call` retries 429/5xx/connection errors (the fault
  scripts inject those), `raw` does not.
- `Operator`: a `sextant controller` process (kill -9, restart).
- pipeline manifests, waiting for terminal phases and the duplicate/stuck checks.

Every process is started in its own session and stopped by its process group id.
"""
from __future__ import annotations

import base64
import http.client
import json
import os
import random
import signal
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.parse
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GROUP, VERSION = "ml.sextant.dev", "v1alpha1"
TERMINAL = ("Succeeded", "Failed")


def _terminate(signum: int, _frame: Any) -> None:
    # A SIGTERM (a test runner's timeout) unwinds through the scripts' finally blocks, which stop
    # the servers and controllers they started.
    raise SystemExit(128 + signum)


signal.signal(signal.SIGTERM, _terminate)


def sextant_binary() -> str:
    env = os.environ.get("SEXTANT_BINARY")
    if env:
        return env
    for build in ("release", "debug"):
        path = os.path.join(ROOT, ".build", build, "sextant")
        if os.access(path, os.X_OK):
            return path
    raise SystemExit("no sextant binary: set SEXTANT_BINARY or run swift build")


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def stop_group(proc: subprocess.Popen | None, sig: int = signal.SIGTERM, wait: float = 15) -> None:
    """Signals the process group of `proc` (started with start_new_session) and reaps it."""
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        return
    try:
        proc.wait(wait)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


class DevServer:
    """`sextant dev --port 0 --data-dir DIR --no-controller ARGS`; the port changes on restart."""

    def __init__(self, binary: str, data_dir: str, args: list[str] | None = None, controller: bool = False) -> None:
        self.binary = binary
        self.data_dir = data_dir
        self.args = args or []
        self.controller = controller
        self.proc: subprocess.Popen | None = None
        os.makedirs(data_dir, exist_ok=True)

    @property
    def kubeconfig(self) -> str:
        return os.path.join(self.data_dir, "kubeconfig")

    def start(self, timeout: float = 60) -> None:
        try:
            os.remove(self.kubeconfig)
        except FileNotFoundError:
            pass
        logf = open(os.path.join(self.data_dir, "dev.log"), "a")
        cmd = [self.binary, "dev", "--port", "0", "--data-dir", self.data_dir] + ([] if self.controller else ["--no-controller"]) + self.args
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=logf, start_new_session=True)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"sextant dev exited with {self.proc.returncode}; see {self.data_dir}/dev.log")
            if os.path.exists(self.kubeconfig):
                try:
                    kube = Kube(self.kubeconfig)
                    if kube.raw("GET", "/healthz")[0] == 200:
                        return
                except (OSError, ValueError, http.client.HTTPException):
                    pass
            time.sleep(0.05)
        raise SystemExit(f"sextant dev did not serve within {timeout}s; see {self.data_dir}/dev.log")

    def kill9(self) -> None:
        stop_group(self.proc, signal.SIGKILL)

    def stop(self) -> None:
        stop_group(self.proc)

    def faults(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST /admin/faults (e.g. {"compact": true} forces 410 Expired on older resourceVersions)."""
        return Kube(self.kubeconfig).call("POST", "/admin/faults", body)


class Operator:
    """A `sextant controller --all-namespaces` process; its log is appended to `log_path`."""

    def __init__(self, binary: str, kubeconfig: str, log_path: str, args: list[str] | None = None, metrics: str = "0") -> None:
        self.binary, self.kubeconfig, self.log_path = binary, kubeconfig, log_path
        self.args = args or []
        self.metrics = metrics
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        logf = open(self.log_path, "a")
        cmd = [self.binary, "controller", "--kubeconfig", self.kubeconfig, "--all-namespaces",
               "--metrics-bind-address", self.metrics, "--health-probe-bind-address", "0", "--log-level", "warning"] + self.args
        self.proc = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT, start_new_session=True)

    def kill9(self) -> None:
        stop_group(self.proc, signal.SIGKILL)

    def stop(self) -> None:
        stop_group(self.proc)

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


class ApiError(Exception):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"HTTP {status}: {str(body)[:300]}")
        self.status = status
        self.body = body


class Kube:
    """HTTPS to the dev server named in a kubeconfig it wrote (server, CA data, token)."""

    RETRY = (429, 500, 502, 503, 504)

    def __init__(self, kubeconfig: str) -> None:
        with open(kubeconfig) as f:
            text = f.read()
        fields = {}
        for line in text.splitlines():
            key, _, value = line.strip().partition(": ")
            if key in ("server", "certificate-authority-data", "token"):
                fields[key] = value.strip()
        url = urllib.parse.urlparse(fields["server"])
        self.host, self.port = url.hostname or "127.0.0.1", url.port or 443
        self.token = fields["token"]
        ca = base64.b64decode(fields["certificate-authority-data"]).decode()
        self.context = ssl.create_default_context(cadata=ca)
        self.context.check_hostname = False
        self.local = threading.local()

    def _connection(self) -> http.client.HTTPSConnection:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = http.client.HTTPSConnection(self.host, self.port, context=self.context, timeout=30)
            self.local.conn = conn
        return conn

    def raw(self, method: str, path: str, body: Any = None, content_type: str = "application/json") -> tuple[int, Any]:
        """One request, no retry; (status, parsed JSON or text). Connection errors raise OSError."""
        conn = self._connection()
        data = None if body is None else json.dumps(body).encode()
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json", "User-Agent": "sextant-chaos/1"}
        if data is not None:
            headers["Content-Type"] = content_type
        try:
            conn.request(method, path, body=data, headers=headers)
            resp = conn.getresponse()
            payload = resp.read()
        except (OSError, http.client.HTTPException):
            conn.close()
            self.local.conn = None
            raise
        try:
            parsed: Any = json.loads(payload) if payload else None
        except ValueError:
            parsed = payload.decode(errors="replace")
        return resp.status, parsed

    def call(self, method: str, path: str, body: Any = None, ok: tuple[int, ...] = (200, 201),
             content_type: str = "application/json", attempts: int = 30) -> Any:
        """A request retried on 429/5xx and connection errors (with backoff); raises ApiError otherwise."""
        delay = 0.05
        for attempt in range(attempts):
            try:
                status, parsed = self.raw(method, path, body, content_type)
            except (OSError, http.client.HTTPException):
                status, parsed = 0, None
            if status in ok:
                return parsed
            if status not in self.RETRY and status != 0 or attempt == attempts - 1:
                raise ApiError(status, parsed)
            time.sleep(delay + random.random() * delay)
            delay = min(delay * 2, 2.0)
        raise AssertionError("unreachable")

    def list(self, path: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        token = ""
        while True:
            sep = "&" if "?" in path else "?"
            page = self.call("GET", f"{path}{sep}limit=500" + (f"&continue={urllib.parse.quote(token)}" if token else ""))
            items += page.get("items") or []
            token = (page.get("metadata") or {}).get("continue") or ""
            if not token:
                return items


def pipelines_path(ns: str) -> str:
    return f"/apis/{GROUP}/{VERSION}/namespaces/{ns}/mlpipelines"


def create_namespace(kube: Kube, ns: str) -> None:
    kube.call("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}, ok=(201, 409))


def pipeline(name: str, ns: str, seconds: float = 0, register: bool = False) -> dict[str, Any]:
    """Three container steps a → b → c whose simulated pods exit 0 after `seconds`; with
    `register`, a successful run registers ModelVersion `m-<name>-v1`."""
    simulate = json.dumps({"exitCode": 0, "seconds": seconds})

    def step(step_name: str, after: list[str]) -> dict[str, Any]:
        s: dict[str, Any] = {"name": step_name, "container": {
            "image": "busybox:1.36", "command": ["true"],
            "podMetadata": {"annotations": {"dev.sextant.dev/simulate": simulate}}}}
        if after:
            s["dependsOn"] = after
        return s

    spec: dict[str, Any] = {"steps": [step("a", []), step("b", ["a"]), step("c", ["b"])]}
    if register:
        spec["register"] = {"model": f"m-{name}", "artifact": f"s3://chaos/{name}/model"}
    return {"apiVersion": f"{GROUP}/{VERSION}", "kind": "MLPipeline", "metadata": {"name": name, "namespace": ns}, "spec": spec}


def phases(kube: Kube, ns: str) -> dict[str, str]:
    return {p["metadata"]["name"]: (p.get("status") or {}).get("phase") or "" for p in kube.list(pipelines_path(ns))}


def wait_terminal(kube: Kube, ns: str, names: list[str], timeout: float) -> tuple[dict[str, str], float]:
    """Polls until every named pipeline is Succeeded or Failed or `timeout` passed; returns the
    last phases and the seconds waited."""
    start = time.time()
    while True:
        seen = phases(kube, ns)
        if all(seen.get(n) in TERMINAL for n in names) or time.time() - start > timeout:
            return seen, time.time() - start
        time.sleep(1)


def duplicate_report(kube: Kube, ns: str, names: list[str], register: bool) -> dict[str, Any]:
    """Jobs per (pipeline, step) and ModelVersions per pipeline uid: every count must be 1."""
    jobs = kube.list(f"/apis/batch/v1/namespaces/{ns}/jobs?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dsextant")
    per_step: dict[tuple[str, str], list[str]] = {}
    for j in jobs:
        labels = j["metadata"].get("labels") or {}
        per_step.setdefault((labels.get("ml.sextant.dev/pipeline", "?"), labels.get("ml.sextant.dev/step", "?")), []).append(j["metadata"]["name"])
    duplicate_jobs = {f"{p}/{s}": js for (p, s), js in per_step.items() if len(js) > 1}
    missing_jobs = [f"{n}/{s}" for n in names for s in ("a", "b", "c") if (n, s) not in per_step]
    report: dict[str, Any] = {"jobs": len(jobs), "duplicate_jobs": duplicate_jobs, "missing_jobs": missing_jobs}
    if register:
        mvs = kube.list(f"/apis/{GROUP}/{VERSION}/namespaces/{ns}/modelversions")
        per_run: dict[str, list[str]] = {}
        for mv in mvs:
            uid = (mv["metadata"].get("annotations") or {}).get("ml.sextant.dev/pipeline-uid", "?")
            per_run.setdefault(uid, []).append(mv["metadata"]["name"])
        report["model_versions"] = len(mvs)
        report["duplicate_model_versions"] = {u: v for u, v in per_run.items() if len(v) > 1}
    return report


def work_dir(prefix: str, keep: str | None) -> str:
    if keep:
        os.makedirs(keep, exist_ok=True)
        return keep
    return tempfile.mkdtemp(prefix=prefix)


def write_result(path: str | None, result: dict[str, Any]) -> None:
    print("RESULT " + json.dumps(result, sort_keys=True), flush=True)
    if path:
        with open(path, "w") as f:
            json.dump(result, f, indent=2, sort_keys=True)
