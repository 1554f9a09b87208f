#!/usr/bin/env python3
"""Runs the Argo CD health checks (manifests/argocd/health/<Kind>.lua) in Lua 5.1 — the dialect
of Argo CD's gopher-lua — against sample objects and checks the health status they report.
Needs lupa (hack/install-tools.sh lupa puts it in .sextant/tools-venv).
Prints one line per case and 'N passed, N failed'; exit 1 on any failure."""
import os
import sys

try:
    from lupa import lua51
except ImportError:
    sys.exit("test-argocd-health: lupa is missing; run hack/install-tools.sh lupa and use .sextant/tools-venv/bin/python")

HEALTH_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "manifests", "argocd", "health")


def cond(type_, status, reason="Reason", message=""):
    return {"type": type_, "status": status, "reason": reason, "message": message,
            "lastTransitionTime": "2026-11-26T10:00:00Z", "observedGeneration": 1}


def obj(kind, status=None, spec=None, generation=1):
    o = {"apiVersion": "ml.sextant.dev/v1alpha1", "kind": kind,
         "metadata": {"name": "x", "namespace": "ml", "generation": generation}, "spec": spec or {}}
    if status is not None:
        o["status"] = status
    return o


CASES = [
    # (name, kind, object, expected status, expected message or None)
    ("pipeline without status", "MLPipeline", obj("MLPipeline"), "Progressing", None),
    ("pipeline running", "MLPipeline", obj("MLPipeline", {"observedGeneration": 1, "phase": "Running",
        "conditions": [cond("Ready", "False", "Running"), cond("Succeeded", "Unknown", "Running")]}), "Progressing", "Running"),
    ("pipeline succeeded", "MLPipeline", obj("MLPipeline", {"observedGeneration": 1, "phase": "Succeeded",
        "conditions": [cond("Ready", "True", "Succeeded"), cond("Succeeded", "True")]}), "Healthy", "Succeeded"),
    ("pipeline failed", "MLPipeline", obj("MLPipeline", {"observedGeneration": 1, "phase": "Failed",
        "conditions": [cond("Ready", "False", "InvalidReference", "step train references undeclared param lr")]}),
        "Degraded", "step train references undeclared param lr"),
    ("pipeline cancelled", "MLPipeline", obj("MLPipeline", {"observedGeneration": 1, "phase": "Cancelled",
        "conditions": [cond("Ready", "False", "Cancelled")]}), "Suspended", "Cancelled"),
    ("pipeline stale status", "MLPipeline", obj("MLPipeline", {"observedGeneration": 1, "phase": "Succeeded",
        "conditions": [cond("Ready", "True")]}, generation=2), "Progressing", None),
    ("model version serving", "ModelVersion", obj("ModelVersion", {"observedGeneration": 1, "stage": "Production",
        "conditions": [cond("Ready", "True", "Serving", "serving at http://churn.ml.svc:8080"), cond("Promoted", "True")]}),
        "Healthy", "serving at http://churn.ml.svc:8080"),
    ("model version awaiting approval", "ModelVersion", obj("ModelVersion", {"observedGeneration": 1, "stage": "Staging",
        "conditions": [cond("Ready", "False", "AwaitingApproval"), cond("Promoted", "False", "AwaitingApproval")]}), "Suspended", None),
    ("model version gates not met", "ModelVersion", obj("ModelVersion", {"observedGeneration": 1, "stage": "None",
        "conditions": [cond("Ready", "False", "GatesNotMet", "auc 0.81 < 0.9"), cond("Promoted", "False", "GatesNotMet")]}),
        "Degraded", "auc 0.81 < 0.9"),
    ("model version archived", "ModelVersion", obj("ModelVersion", {"observedGeneration": 1, "stage": "Archived",
        "conditions": [cond("Ready", "False", "Superseded"), cond("Promoted", "False", "Superseded")]}), "Healthy", "Archived"),
    ("model version deploying", "ModelVersion", obj("ModelVersion", {"observedGeneration": 1, "stage": "Production",
        "conditions": [cond("Ready", "Unknown", "DeploymentProgressing", "1/2 replicas ready")]}), "Progressing", "1/2 replicas ready"),
    ("retrain policy ready", "RetrainPolicy", obj("RetrainPolicy", {"observedGeneration": 1,
        "conditions": [cond("Ready", "True", "Scheduled", "next run 2026-11-30T02:00:00Z"), cond("Suspended", "False")]}), "Healthy", None),
    ("retrain policy suspended by spec", "RetrainPolicy", obj("RetrainPolicy", {"observedGeneration": 1,
        "conditions": [cond("Ready", "True")]}, spec={"suspend": True}), "Suspended", "Suspended"),
    ("retrain policy suspended condition", "RetrainPolicy", obj("RetrainPolicy", {"observedGeneration": 1,
        "conditions": [cond("Ready", "True"), cond("Suspended", "True")]}), "Suspended", "Suspended"),
    ("retrain policy invalid", "RetrainPolicy", obj("RetrainPolicy", {"observedGeneration": 1,
        "conditions": [cond("Ready", "False", "InvalidSchedule", "expected 5 fields")]}), "Degraded", "expected 5 fields"),
    ("retrain policy without status", "RetrainPolicy", obj("RetrainPolicy"), "Progressing", None),
]


def to_lua(lua, value):
    if isinstance(value, dict):
        return lua.table_from({k: to_lua(lua, v) for k, v in value.items()})
    if isinstance(value, list):
        return lua.table_from([to_lua(lua, v) for v in value])
    return value


def health(kind, o):
    with open(os.path.join(HEALTH_DIR, kind + ".lua"), encoding="utf-8") as f:
        script = f.read()
    lua = lua51.LuaRuntime(unpack_returned_tuples=True)
    lua.globals().obj = to_lua(lua, o)
    # Argo CD runs the script as a chunk with `obj` set and reads the returned table.
    result = lua.execute(script)
    return result["status"], result["message"]


def main():
    passed = failed = 0
    for name, kind, o, want_status, want_message in CASES:
        try:
            status, message = health(kind, o)
        except Exception as e:  # a Lua error is a failed case
            status, message = f"error: {e}", None
        ok = status == want_status and (want_message is None or message == want_message)
        passed += ok
        failed += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {name}: {status} {message!r}" + ("" if ok else f" (want {want_status} {want_message!r})"))
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
