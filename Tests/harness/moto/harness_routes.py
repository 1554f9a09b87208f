"""Shared plumbing of the Sextant moto extensions (sagemaker_ext.py, batch_ext.py); not an extension itself.

- Routes: `route("POST", "/sextant-harness/sagemaker/hold", handler)`, handler(body: dict, query: dict) ->
  (status, payload dict). `attach(registry)` (called from each extension's `register`) hooks the one
  prefix `/sextant-harness/` into server.py's extension registry.
- Faults: an AWS error answered instead of moto's for the next N calls of an operation
  (`POST /sextant-harness/faults {"operation": "SageMaker.CreateTrainingJob", "code": "AccessDeniedException",
  "status": 400, "message": "...", "count": 1}`; Batch operations are `Batch.SubmitJob` etc.;
  `{"clear": true}` forgets them). This wraps moto's `DomainDispatcherApplication.__call__`, since
  these requests go to moto's own paths.
Requests that match no route or fault reach moto unchanged.
"""

import json
import threading

from moto.moto_server.werkzeug_app import DomainDispatcherApplication

_lock = threading.Lock()
_routes = {}
_faults = []
_operation_resolvers = []


def route(method, path, handler):
    """Registers handler(body: dict, query: dict) -> (status: int, payload: dict) for METHOD PATH."""
    _routes[(method, path)] = handler


def operation_resolver(resolver):
    """Registers resolver(environ) -> "Service.Operation" or None, used to match faults."""
    _operation_resolvers.append(resolver)


def _operation(environ):
    for resolver in _operation_resolvers:
        op = resolver(environ)
        if op:
            return op
    return None


def _json_response(start_response, status, payload, extra_headers=()):
    body = json.dumps(payload, default=str).encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))] + list(extra_headers)
    start_response(f"{status} {'OK' if status < 400 else 'Error'}", headers)
    return [body]


def _read_body(environ):
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    raw = environ["wsgi.input"].read(length) if length > 0 else b""
    return raw


def _faults_route(body, _query):
    with _lock:
        if body.get("clear"):
            _faults.clear()
        else:
            _faults.append({
                "operation": body["operation"],
                "code": body.get("code", "AccessDeniedException"),
                "status": int(body.get("status", 400)),
                "message": body.get("message", "injected by the Sextant test harness"),
                "count": int(body.get("count", 1)),
            })
        return 200, {"faults": list(_faults)}


route("POST", "/sextant-harness/faults", _faults_route)

_original_call = DomainDispatcherApplication.__call__


def _dispatch(request):
    """server.py registry handler for `/sextant-harness/`: (status, headers, body)."""
    handler = _routes.get((request.method, request.path))
    headers = {"Content-Type": "application/json"}
    if handler is None:
        return 404, headers, json.dumps({"error": f"no harness route {request.method} {request.path}"})
    raw = request.get_data()
    try:
        body = json.loads(raw) if raw else {}
    except ValueError:
        return 400, headers, json.dumps({"error": "body is not JSON"})
    status, payload = handler(body, dict(request.args))
    return status, headers, json.dumps(payload, default=str)


_attached = []


def attach(registry):
    """Hooks `/sextant-harness/` into server.py's registry once."""
    if registry not in _attached:
        registry.route("/sextant-harness/")(_dispatch)
        _attached.append(registry)


def _call(self, environ, start_response):
    op = _operation(environ)
    if op:
        with _lock:
            fault = next((f for f in _faults if f["operation"] == op and f["count"] > 0), None)
            if fault:
                fault["count"] -= 1
        if fault:
            _read_body(environ)
            payload = {"__type": fault["code"], "message": fault["message"]}
            return _json_response(start_response, fault["status"], payload, [("x-amzn-ErrorType", fault["code"])])
    return _original_call(self, environ, start_response)


if not getattr(DomainDispatcherApplication, "_sextant_harness", False):
    DomainDispatcherApplication.__call__ = _call
    DomainDispatcherApplication._sextant_harness = True
