"""Drives `sextant dev` with the official Python kubernetes client; prints one JSON document.

Usage: apiserver_client.py crud|watch|conflict|validation|expired
KUBECONFIG must point at the dev cluster's kubeconfig.
"""
import json
import sys
import threading
import time

from kubernetes import client, config, watch
from kubernetes.client.rest import ApiException


def api_error(e):
    body = json.loads(e.body) if e.body else {}
    return {"status": e.status, "reason": body.get("reason"), "message": body.get("message"),
            "causes": (body.get("details") or {}).get("causes")}


def crud():
    v1 = client.CoreV1Api()
    out = {}
    cm = client.V1ConfigMap(metadata=client.V1ObjectMeta(name="py-cm", labels={"app": "py"}), data={"a": "1"})
    created = v1.create_namespaced_config_map("default", cm)
    out["created_rv"] = created.metadata.resource_version
    out["uid"] = created.metadata.uid
    listed = v1.list_namespaced_config_map("default", label_selector="app in (py)")
    out["listed"] = [i.metadata.name for i in listed.items]
    patched = v1.patch_namespaced_config_map("py-cm", "default", {"data": {"b": "2"}})
    out["patched_data"] = patched.data
    try:
        v1.create_namespaced_config_map("default", cm)
    except ApiException as e:
        out["duplicate"] = api_error(e)
    try:
        v1.read_namespaced_config_map("missing", "default")
    except ApiException as e:
        out["missing"] = api_error(e)
    status = v1.delete_namespaced_config_map("py-cm", "default")
    out["delete_status"] = status["status"] if isinstance(status, dict) else status.status
    apps = client.AppsV1Api()
    dep = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "py-dep"},
           "spec": {"selector": {"matchLabels": {"app": "web"}},
                    "template": {"metadata": {"labels": {"app": "web"}},
                                 "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}}
    created = apps.create_namespaced_deployment("default", dep)
    out["deployment_generation"] = created.metadata.generation
    out["deployment_replicas"] = created.spec.replicas
    return out


def watch_events():
    v1 = client.CoreV1Api()
    initial = v1.list_namespaced_config_map("default")
    rv = initial.metadata.resource_version
    events = []

    def writer():
        time.sleep(0.5)
        v1.create_namespaced_config_map("default", client.V1ConfigMap(metadata=client.V1ObjectMeta(name="w1")))
        v1.patch_namespaced_config_map("w1", "default", {"data": {"x": "y"}})
        v1.delete_namespaced_config_map("w1", "default")

    t = threading.Thread(target=writer)
    t.start()
    w = watch.Watch()
    for event in w.stream(v1.list_namespaced_config_map, "default", resource_version=rv, timeout_seconds=10):
        events.append({"type": event["type"], "name": event["object"].metadata.name,
                       "rv": event["object"].metadata.resource_version})
        if event["type"] == "DELETED":
            w.stop()
    t.join()
    return {"list_rv": rv, "events": events}


def conflict():
    v1 = client.CoreV1Api()
    cm = v1.create_namespaced_config_map("default", client.V1ConfigMap(metadata=client.V1ObjectMeta(name="cc")))
    cm.data = {"first": "1"}
    v1.replace_namespaced_config_map("cc", "default", cm)
    cm.data = {"second": "2"}
    try:
        v1.replace_namespaced_config_map("cc", "default", cm)
        return {"status": 200}
    except ApiException as e:
        return api_error(e)


def validation():
    """Built-in validation: a dict body with an unknown field (fieldValidation Strict and the
    default Warn), a Deployment whose selector does not match its template, a Job with
    restartPolicy Always."""
    apps = client.AppsV1Api()
    batch = client.BatchV1Api()
    out = {}

    def deployment(name, labels, extra):
        container = {"name": "c", "image": "nginx"}
        container.update(extra)
        return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
                "spec": {"selector": {"matchLabels": {"app": name}},
                         "template": {"metadata": {"labels": labels}, "spec": {"containers": [container]}}}}

    # Unknown fields go through the dynamic client (typed models may refuse them client-side).
    from kubernetes.dynamic import DynamicClient
    deployments = DynamicClient(client.ApiClient()).resources.get(api_version="apps/v1", kind="Deployment")
    try:
        deployments.create(body=deployment("strict", {"app": "strict"}, {"bogus": 1}), namespace="default",
                           query_params=[("fieldValidation", "Strict")])
        out["strict"] = {"status": 201}
    except ApiException as e:
        out["strict"] = api_error(e)
    created = deployments.create(body=deployment("warn", {"app": "warn"}, {"bogus": 1}), namespace="default")
    out["warn_created"] = created.metadata.name
    stored = deployments.get(name="warn", namespace="default").to_dict()
    out["warn_container"] = stored["spec"]["template"]["spec"]["containers"][0]
    try:
        apps.create_namespaced_deployment("default", deployment("mismatch", {"app": "other"}, {}))
        out["mismatch"] = {"status": 201}
    except ApiException as e:
        out["mismatch"] = api_error(e)
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "always"},
           "spec": {"template": {"spec": {"restartPolicy": "Always", "containers": [{"name": "c", "image": "busybox"}]}}}}
    try:
        batch.create_namespaced_job("default", job)
        out["job"] = {"status": 201}
    except ApiException as e:
        out["job"] = api_error(e)
    return out


def expired():
    """A watch from a resourceVersion older than the server's history (run it with a short
    --watch-history): the client retries once after the 410 ERROR event, then raises it."""
    v1 = client.CoreV1Api()
    for i in range(8):
        v1.create_namespaced_config_map("default", client.V1ConfigMap(metadata=client.V1ObjectMeta(name="e%d" % i)))
    w = watch.Watch()
    try:
        for _ in w.stream(v1.list_namespaced_config_map, "default", resource_version="1", timeout_seconds=5):
            pass
        return {"raised": None}
    except ApiException as e:
        return {"raised": e.status, "reason": e.reason}


if __name__ == "__main__":
    config.load_kube_config()
    result = {"crud": crud, "watch": watch_events, "conflict": conflict, "validation": validation, "expired": expired}[sys.argv[1]]()
    print(json.dumps(result))
