#!/usr/bin/env python3
"""A scripted fake of the Google APIs Sextant calls, for tests (one process, one loopback port).

No emulator of Vertex AI training exists (drongo stores CustomJobs but never moves them through
states), so this server follows the documented REST shapes and moves jobs through scripted states.
Each route cites its Google reference page. Bearer tokens on API routes must be ones this server
issued (and not expired): the token flows are exercised end to end.

Routes (Google):
  POST /token                                   OAuth 2.0 JWT-bearer grant (service-account key)
  POST /v1/token                                STS token exchange (workload-identity federation)
  POST /v1/projects/-/serviceAccounts/{sa}:generateAccessToken   IAM credentials impersonation
  GET  /computeMetadata/v1/instance/service-accounts/default/token  metadata server
  POST/GET /v1/projects/{p}/locations/{l}/customJobs[/{id}[:cancel]]  Vertex AI CustomJobs
  POST /v1/projects/{p}/locations/{l}/models:upload            Vertex AI Model Registry upload (operation)
  GET  /v1/projects/{p}/locations/{l}/models/{m}[@{v}]         models.get (a version by id or alias)
  GET  /v1/.../models/{m}:listVersions?filter=labels.k="v"     models.listVersions
  POST /v1/.../models/{m}@{v}:mergeVersionAliases              models.mergeVersionAliases
  PATCH /v1/.../models/{m}@{v}?updateMask=labels               models.patch (version labels)
  DELETE /v1/.../models/{m}@{v}:deleteVersion, /v1/.../models/{m}   models.deleteVersion, models.delete
  GET  /v1/.../models/{m}/operations/{id}                      the upload's operation
  GET  /storage/v1/b/{bucket}/o/{object}        Cloud Storage objects.get (alt=media)
  POST /upload/storage/v1/b/{bucket}/o?uploadType=media&name=N   Cloud Storage objects.insert (media)

Control routes (tests):
  POST /fake/keys {"email", "publicKeyPEM", "kid"}    a service account's public key (JWT check)
  POST /fake/subject {"token", "audience"}            the accepted federation subject token
  POST /fake/hold {"prefix"}                          jobs whose displayName starts with it stay RUNNING
  POST /fake/complete {"prefix", "state", "message", "runSeconds"}  ends held jobs
  POST /fake/inject {"pathContains", "method", "statuses": [429, 503]}  next matching answers
  POST /fake/expire-tokens                           every issued token answers 401 from now on
  POST /fake/token-lifetime {"seconds"}               expires_in of tokens issued from now on
  POST /fake/objects {"uri", "body"}                  a GCS object
  POST /fake/upload-polls {"polls"}                   model uploads' operations are done after that many GETs (0: at once)
  GET  /fake/requests, GET /fake/jobs, GET /fake/models, GET /fake/health
"""

import argparse
import base64
import json
import re
import threading
import time
import urllib.parse
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

LOCK = threading.Lock()
STATE = {
    "keys": {},            # kid -> {"email", "key"}
    "subjects": {},        # subject token -> audience
    "tokens": {},          # token -> expiry epoch
    "token_lifetime": 3600,
    "issued": 0,
    "jobs": {},            # name -> job
    "job_order": [],
    "next_id": 1000,
    "holds": [],
    "inject": [],
    "requests": [],
    "objects": {},         # (bucket, object) -> bytes
    "models": {},          # model name -> {"model": fields, "versions": {id: version}, "next": int}
    "model_ops": {},       # operation name -> {"polls": remaining GETs before done, "response": ...}
    "upload_polls": 1,
}

JOB_PATH = re.compile(r"^/v1/projects/([^/]+)/locations/([^/]+)/customJobs(?:/([^/:]+))?(:cancel)?$")
LABEL_RE = re.compile(r"^[a-z0-9_-]{0,63}$")
LABEL_KEY_RE = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")
STRATEGIES = {"STRATEGY_UNSPECIFIED", "ON_DEMAND", "LOW_COST", "STANDARD", "SPOT", "FLEX_START"}
# Scripted life of a job: one step per GET; a held job stops at RUNNING.
SCRIPT = ["JOB_STATE_QUEUED", "JOB_STATE_PENDING", "JOB_STATE_RUNNING", "JOB_STATE_SUCCEEDED"]
ENDED = {"JOB_STATE_SUCCEEDED", "JOB_STATE_FAILED", "JOB_STATE_CANCELLED", "JOB_STATE_EXPIRED"}


def now_rfc3339(offset=0.0):
    return datetime.fromtimestamp(time.time() + offset, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def google_error(code, status, message):
    # https://cloud.google.com/apis/design/errors#http_mapping
    return code, {"error": {"code": code, "message": message, "status": status}}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status, payload, content_type="application/json"):
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def do_PATCH(self):
        self._dispatch("PATCH")

    def _dispatch(self, method):
        raw = self._body()
        parsed = urllib.parse.urlsplit(self.path)
        path, query = parsed.path, urllib.parse.parse_qs(parsed.query)
        if path.startswith("/fake/"):
            status, payload = control(method, path, raw)
            return self._send(status, payload)
        with LOCK:
            body_json = None
            try:
                body_json = json.loads(raw) if raw and raw[:1] in (b"{", b"[") else None
            except ValueError:
                pass
            STATE["requests"].append({
                "method": method, "path": path, "query": parsed.query,
                "authorization": self.headers.get("Authorization", ""),
                "metadataFlavor": self.headers.get("Metadata-Flavor", ""),
                "contentType": self.headers.get("Content-Type", ""),
                "body": body_json if body_json is not None else raw.decode("utf-8", "replace"),
                "time": time.time(),
            })
            for rule in STATE["inject"]:
                if rule["statuses"] and rule["pathContains"] in path and rule.get("method", method) == method:
                    code = rule["statuses"].pop(0)
                    status = {429: "RESOURCE_EXHAUSTED", 503: "UNAVAILABLE", 500: "INTERNAL"}.get(code, "UNKNOWN")
                    return self._send(*google_error(code, status, "injected by the test"))
            status, payload = route(method, path, query, raw, body_json, self.headers)
        if isinstance(payload, bytes):
            return self._send(status, payload, "application/octet-stream")
        return self._send(status, payload)


def control(method, path, raw):
    data = json.loads(raw) if raw else {}
    with LOCK:
        if path == "/fake/health":
            return 200, {"ok": True}
        if path == "/fake/keys":
            key = serialization.load_pem_public_key(data["publicKeyPEM"].encode())
            STATE["keys"][data["kid"]] = {"email": data["email"], "key": key}
            return 200, {}
        if path == "/fake/subject":
            STATE["subjects"][data["token"]] = data["audience"]
            return 200, {}
        if path == "/fake/hold":
            STATE["holds"].append(data["prefix"])
            return 200, {}
        if path == "/fake/complete":
            ended = []
            for name in STATE["job_order"]:
                job = STATE["jobs"][name]
                if job["displayName"].startswith(data["prefix"]) and job["state"] not in ENDED:
                    finish(job, "JOB_STATE_" + data.get("state", "SUCCEEDED"), data.get("message"), data.get("runSeconds"))
                    ended.append(name)
            STATE["holds"] = [p for p in STATE["holds"] if p != data["prefix"]]
            return 200, {"ended": ended}
        if path == "/fake/inject":
            STATE["inject"].append({"pathContains": data["pathContains"], "statuses": list(data["statuses"]),
                                    **({"method": data["method"]} if data.get("method") else {})})
            return 200, {}
        if path == "/fake/expire-tokens":
            for token in STATE["tokens"]:
                STATE["tokens"][token] = 0
            return 200, {}
        if path == "/fake/token-lifetime":
            STATE["token_lifetime"] = int(data["seconds"])
            return 200, {}
        if path == "/fake/objects":
            bucket, _, obj = data["uri"][len("gs://"):].partition("/")
            STATE["objects"][(bucket, obj)] = data["body"].encode()
            return 200, {}
        if path == "/fake/requests":
            return 200, {"requests": STATE["requests"]}
        if path == "/fake/jobs":
            return 200, {"jobs": [STATE["jobs"][n] for n in STATE["job_order"]]}
        if path == "/fake/upload-polls":
            STATE["upload_polls"] = int(data["polls"])
            return 200, {}
        if path == "/fake/models":
            return 200, {"models": [{"name": n, "versions": [version_view(n, m, v) for v in sorted(m["versions"], key=int)]}
                                    for n, m in STATE["models"].items()]}
    return 404, {"error": "unknown control route"}


def issue_token(prefix):
    STATE["issued"] += 1
    token = f"{prefix}.fake-{STATE['issued']}-{int(time.time() * 1000)}"
    STATE["tokens"][token] = time.time() + STATE["token_lifetime"]
    return token


def bearer_ok(headers):
    auth = headers.get("Authorization", "")
    if not auth.startswith("Bearer "):
        return False
    return STATE["tokens"].get(auth[len("Bearer "):], 0) > time.time()


def route(method, path, query, raw, body, headers):
    # OAuth 2.0 token endpoint, JWT-bearer grant:
    # https://developers.google.com/identity/protocols/oauth2/service-account#authorizingrequests
    if method == "POST" and path == "/token":
        return oauth_token(urllib.parse.parse_qs(raw.decode()), headers)
    # STS token exchange: https://cloud.google.com/iam/docs/reference/sts/rest/v1/TopLevel/token
    if method == "POST" and path == "/v1/token":
        return sts_token(urllib.parse.parse_qs(raw.decode()))
    # IAM credentials generateAccessToken:
    # https://cloud.google.com/iam/docs/reference/credentials/rest/v1/projects.serviceAccounts/generateAccessToken
    m = re.match(r"^/v1/projects/-/serviceAccounts/([^/:]+):generateAccessToken$", path)
    if method == "POST" and m:
        auth = headers.get("Authorization", "")
        if not auth.startswith("Bearer sts.") or not bearer_ok(headers):
            return google_error(401, "UNAUTHENTICATED", "generateAccessToken needs the federated STS token")
        token = issue_token("ya29.impersonated")
        expire = datetime.fromtimestamp(STATE["tokens"][token], timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        return 200, {"accessToken": token, "expireTime": expire}
    # Metadata server: https://cloud.google.com/compute/docs/access/authenticate-workloads#applications
    if method == "GET" and path == "/computeMetadata/v1/instance/service-accounts/default/token":
        if headers.get("Metadata-Flavor") != "Google":
            return 403, {"error": "Missing Metadata-Flavor:Google header."}
        return 200, {"access_token": issue_token("ya29.metadata"), "expires_in": STATE["token_lifetime"], "token_type": "Bearer"}
    if method == "GET" and path == "/computeMetadata/v1/project/project-id":
        return 200, b"acme-ml"
    m = JOB_PATH.match(path)
    if m:
        if not bearer_ok(headers):
            return google_error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access token.")
        return custom_jobs(method, m, query, body)
    m = MODEL_PATH.match(path)
    if m:
        if not bearer_ok(headers):
            return google_error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access token.")
        return models(method, m, query, body)
    # Cloud Storage objects.get: https://cloud.google.com/storage/docs/json_api/v1/objects/get
    m = re.match(r"^/storage/v1/b/([^/]+)/o/(.+)$", path)
    if method == "GET" and m:
        if not bearer_ok(headers):
            return google_error(401, "UNAUTHENTICATED", "Invalid Credentials")
        key = (urllib.parse.unquote(m.group(1)), urllib.parse.unquote(m.group(2)))
        if key not in STATE["objects"]:
            return google_error(404, "NOT_FOUND", f"No such object: {key[0]}/{key[1]}")
        if query.get("alt") == ["media"]:
            return 200, STATE["objects"][key]
        return 200, {"bucket": key[0], "name": key[1], "size": str(len(STATE["objects"][key])), "generation": "1"}
    # Cloud Storage objects.insert, simple media upload:
    # https://cloud.google.com/storage/docs/json_api/v1/objects/insert
    m = re.match(r"^/upload/storage/v1/b/([^/]+)/o$", path)
    if method == "POST" and m:
        if not bearer_ok(headers):
            return google_error(401, "UNAUTHENTICATED", "Invalid Credentials")
        if query.get("uploadType") != ["media"] or not query.get("name"):
            return google_error(400, "INVALID_ARGUMENT", "uploadType=media and name are required")
        key = (urllib.parse.unquote(m.group(1)), query["name"][0])
        STATE["objects"][key] = raw
        return 200, {"bucket": key[0], "name": key[1], "size": str(len(raw)), "generation": str(int(time.time() * 1e6))}
    return google_error(404, "NOT_FOUND", f"fake GCP: no route {method} {path}")


def oauth_token(form, headers):
    if form.get("grant_type") != ["urn:ietf:params:oauth:grant-type:jwt-bearer"]:
        return 400, {"error": "unsupported_grant_type", "error_description": "Invalid grant_type"}
    assertion = (form.get("assertion") or [""])[0]
    parts = assertion.split(".")
    if len(parts) != 3:
        return 400, {"error": "invalid_grant", "error_description": "Invalid JWT: not three parts"}
    try:
        header = json.loads(b64url_decode(parts[0]))
        claims = json.loads(b64url_decode(parts[1]))
    except ValueError:
        return 400, {"error": "invalid_grant", "error_description": "Invalid JWT: not base64url JSON"}
    entry = STATE["keys"].get(header.get("kid"))
    if header.get("alg") != "RS256" or entry is None:
        return 400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature: unknown kid or alg"}
    try:
        entry["key"].verify(b64url_decode(parts[2]), f"{parts[0]}.{parts[1]}".encode(), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return 400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
    host = headers.get("Host", "")
    if claims.get("iss") != entry["email"] or claims.get("aud") != f"http://{host}/token":
        return 400, {"error": "invalid_grant", "error_description": "Invalid JWT: iss or aud"}
    if not (claims.get("iat", 0) - 300 <= time.time() <= claims.get("exp", 0)) or claims["exp"] - claims["iat"] > 3600:
        return 400, {"error": "invalid_grant", "error_description": "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe."}
    if "https://www.googleapis.com/auth/cloud-platform" not in claims.get("scope", "").split(" "):
        return 400, {"error": "invalid_scope", "error_description": "no cloud-platform scope"}
    return 200, {"access_token": issue_token("ya29.sa"), "expires_in": STATE["token_lifetime"], "token_type": "Bearer"}


def sts_token(form):
    def one(k):
        return (form.get(k) or [""])[0]
    if one("grant_type") != "urn:ietf:params:oauth:grant-type:token-exchange":
        return 400, {"error": "invalid_request", "error_description": "bad grant_type"}
    if one("requested_token_type") != "urn:ietf:params:oauth:token-type:access_token":
        return 400, {"error": "invalid_request", "error_description": "bad requested_token_type"}
    subject = one("subject_token")
    if STATE["subjects"].get(subject) != one("audience") or one("subject_token_type") != "urn:ietf:params:oauth:token-type:jwt":
        return 400, {"error": "invalid_grant", "error_description": "The subject token or its audience is not accepted."}
    return 200, {"access_token": issue_token("sts"), "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
                 "token_type": "Bearer", "expires_in": STATE["token_lifetime"]}


def validate_job(body):
    # Fields per https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.customJobs#CustomJob
    # and https://cloud.google.com/vertex-ai/docs/reference/rest/v1/CustomJobSpec
    if not isinstance(body, dict) or not body.get("displayName"):
        return "displayName is required"
    spec = body.get("jobSpec") or {}
    pools = spec.get("workerPoolSpecs") or []
    if not pools:
        return "jobSpec.workerPoolSpecs is required"
    for i, pool in enumerate(pools):
        ms = pool.get("machineSpec") or {}
        if not ms.get("machineType"):
            return f"workerPoolSpecs[{i}].machineSpec.machineType is required"
        if ms.get("acceleratorType") and int(ms.get("acceleratorCount") or 0) < 1:
            return f"workerPoolSpecs[{i}].machineSpec.acceleratorCount must be positive with an acceleratorType"
        if not (pool.get("containerSpec") or {}).get("imageUri"):
            return f"workerPoolSpecs[{i}].containerSpec.imageUri is required"
        count = pool.get("replicaCount")
        if count is None or int(count) < 1 or (i == 0 and int(count) != 1):
            return f"workerPoolSpecs[{i}].replicaCount is invalid (the first pool has exactly 1 replica)"
        for env in (pool.get("containerSpec") or {}).get("env") or []:
            if set(env) - {"name", "value"} or not env.get("name"):
                return f"workerPoolSpecs[{i}].containerSpec.env entries are {{name, value}}"
    sched = spec.get("scheduling") or {}
    if sched.get("strategy", "STRATEGY_UNSPECIFIED") not in STRATEGIES:
        return "jobSpec.scheduling.strategy is not a Strategy"
    if "timeout" in sched and not re.match(r"^\d+(\.\d+)?s$", str(sched["timeout"])):
        return "jobSpec.scheduling.timeout is not a Duration"
    out = spec.get("baseOutputDirectory")
    if out is not None and not str(out.get("outputUriPrefix", "")).startswith("gs://"):
        return "jobSpec.baseOutputDirectory.outputUriPrefix must be a gs:// URI"
    for k, v in (body.get("labels") or {}).items():
        if not LABEL_KEY_RE.match(k) or not LABEL_RE.match(str(v)):
            return f"label {k}={v} is not a valid label"
    return None


def finish(job, state, message=None, run_seconds=None):
    job["state"] = state
    end = time.time()
    start = end - float(run_seconds) if run_seconds is not None else job.get("_started", end)
    job["startTime"] = datetime.fromtimestamp(start, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    job["endTime"] = now_rfc3339()
    job["updateTime"] = job["endTime"]
    if state == "JOB_STATE_FAILED":
        job["error"] = {"code": 3, "message": message or "The replica workerpool0-0 exited with a non-zero status of 1."}
    if state == "JOB_STATE_CANCELLED":
        # A cancelled CustomJob carries error code 1 (CANCELLED), per the cancel reference page.
        job["error"] = {"code": 1, "message": "CANCELED"}


def advance(job):
    """One scripted step per GET (QUEUED → PENDING → RUNNING → SUCCEEDED; a held job stays RUNNING)."""
    state = job["state"]
    if state == "JOB_STATE_CANCELLING":
        finish(job, "JOB_STATE_CANCELLED")
        return
    if state in ENDED or state not in SCRIPT:
        return
    i = SCRIPT.index(state)
    nxt = SCRIPT[i + 1]
    held = any(job["displayName"].startswith(p) for p in STATE["holds"])
    if nxt == "JOB_STATE_SUCCEEDED" and held:
        return
    if nxt == "JOB_STATE_RUNNING":
        job["_started"] = time.time()
        job["startTime"] = now_rfc3339()
    if nxt == "JOB_STATE_SUCCEEDED":
        finish(job, nxt)
    else:
        job["state"] = nxt
        job["updateTime"] = now_rfc3339()


def public(job):
    return {k: v for k, v in job.items() if not k.startswith("_")}


def custom_jobs(method, m, query, body):
    project, location, job_id, cancel = m.groups()
    parent = f"projects/{project}/locations/{location}"
    # create: https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.customJobs/create
    if method == "POST" and job_id is None:
        problem = validate_job(body)
        if problem:
            return google_error(400, "INVALID_ARGUMENT", problem)
        STATE["next_id"] += 1
        name = f"{parent}/customJobs/{STATE['next_id']}"
        job = dict(body)
        job.update({"name": name, "state": "JOB_STATE_QUEUED", "createTime": now_rfc3339(), "updateTime": now_rfc3339()})
        STATE["jobs"][name] = job
        STATE["job_order"].append(name)
        return 200, public(job)
    # list: https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.customJobs/list
    if method == "GET" and job_id is None:
        wanted = dict(re.findall(r'labels\.([a-z0-9_-]+)\s*=\s*"([^"]*)"', (query.get("filter") or [""])[0]))
        jobs = [public(STATE["jobs"][n]) for n in STATE["job_order"] if n.startswith(parent + "/")
                and all((STATE["jobs"][n].get("labels") or {}).get(k) == v for k, v in wanted.items())]
        return 200, ({"customJobs": jobs} if jobs else {})
    name = f"{parent}/customJobs/{job_id}"
    job = STATE["jobs"].get(name)
    if job is None:
        return google_error(404, "NOT_FOUND", f'The CustomJob "{name}" does not exist.')
    # get: https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.customJobs/get
    if method == "GET":
        advance(job)
        return 200, public(job)
    # cancel: https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.customJobs/cancel
    if method == "POST" and cancel:
        if job["state"] in ENDED or job["state"] == "JOB_STATE_CANCELLING":
            return google_error(400, "FAILED_PRECONDITION", f"Cannot cancel the CustomJob {name} in state {job['state']}.")
        job["state"] = "JOB_STATE_CANCELLING"
        job["updateTime"] = now_rfc3339()
        return 200, {}
    return google_error(405, "UNIMPLEMENTED", f"{method} {name}")


MODEL_PATH = re.compile(r"^/v1/projects/([^/]+)/locations/([^/]+)/models(?::(upload)|/([^/:@]+)(?:@([^/:]+))?"
                        r"(?::(listVersions|mergeVersionAliases|deleteVersion)|/operations/([^/:]+))?)$")
MODEL_ID_RE = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")
ALIAS_RE = re.compile(r"^[a-z][a-zA-Z0-9-]{0,126}[a-z0-9-]$")
MODEL_VERSION_FIELDS = {"versionDescription", "artifactUri", "containerSpec", "labels"}


def version_view(name, model, vid):
    """A Model as models.get answers for one version: the model's fields, the version's fields,
    name without @, versionId and versionAliases (https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.models#Model)."""
    v = model["versions"][vid]
    out = dict(model["model"])
    out.update({k: val for k, val in v.items() if not k.startswith("_")})
    out.update({"name": name, "versionId": vid, "versionAliases": list(v["_aliases"])})
    return out


def find_version(model, ref):
    if ref is None:
        ref = "default"
    if ref in model["versions"]:
        return ref
    for vid, v in model["versions"].items():
        if ref in v["_aliases"]:
            return vid
    return None


def label_filter(text):
    # listVersions filter "labels.key=value" (value quoted or not), several joined by AND:
    # https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.models/listVersions
    return dict(re.findall(r'labels\.([a-z0-9_-]+)\s*=\s*"?([a-z0-9_-]*)"?', text or ""))


def model_op(name, response):
    STATE["next_id"] += 1
    op_name = f"{name}/operations/{STATE['next_id']}"
    STATE["model_ops"][op_name] = {"polls": STATE["upload_polls"], "response": response}
    return op_view(op_name)


def op_view(op_name):
    # google.longrunning.Operation: https://cloud.google.com/vertex-ai/docs/reference/rest/Shared.Types/ListOperationsResponse#Operation
    op = STATE["model_ops"][op_name]
    view = {"name": op_name, "metadata": {"@type": "type.googleapis.com/google.cloud.aiplatform.v1.UploadModelOperationMetadata"}}
    if op["polls"] <= 0:
        view["done"] = True
        view["response"] = op["response"]
    return view


def models(method, m, query, body):
    project, location, upload, model_id, version_ref, verb, op_id = m.groups()
    parent = f"projects/{project}/locations/{location}"
    # upload: https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.models/upload
    if upload and method == "POST":
        model = (body or {}).get("model") or {}
        if not model.get("displayName"):
            return google_error(400, "INVALID_ARGUMENT", "model.display_name is required")
        if not str(model.get("artifactUri", "gs://")).startswith("gs://"):
            return google_error(400, "INVALID_ARGUMENT", "model.artifact_uri must be a gs:// URI")
        if not (model.get("containerSpec") or {}).get("imageUri"):
            return google_error(400, "INVALID_ARGUMENT", "model.container_spec.image_uri is required")
        for k, v in (model.get("labels") or {}).items():
            if not LABEL_KEY_RE.match(k) or not LABEL_RE.match(str(v)):
                return google_error(400, "INVALID_ARGUMENT", f"label {k}={v} is not a valid label")
        version_fields = {k: v for k, v in model.items() if k in MODEL_VERSION_FIELDS}
        parent_model = body.get("parentModel")
        if parent_model:
            entry = STATE["models"].get(parent_model)
            if entry is None or not parent_model.startswith(parent + "/models/"):
                return google_error(404, "NOT_FOUND", f'The Model "{parent_model}" does not exist.')
            vid = str(entry["next"])
            entry["next"] += 1
            entry["versions"][vid] = dict(version_fields, _aliases=[], versionCreateTime=now_rfc3339())
            name = parent_model
        else:
            mid = body.get("modelId") or str(STATE["next_id"] + 1)
            if body.get("modelId") and not MODEL_ID_RE.match(mid):
                return google_error(400, "INVALID_ARGUMENT", "modelId must match [a-z][a-z0-9_-]{0,62}")
            name = f"{parent}/models/{mid}"
            if name in STATE["models"]:
                return google_error(409, "ALREADY_EXISTS", f'The Model "{name}" already exists.')
            shared = {k: v for k, v in model.items() if k not in MODEL_VERSION_FIELDS}
            shared["createTime"] = shared["updateTime"] = now_rfc3339()
            vid = "1"
            STATE["models"][name] = {"model": shared, "next": 2,
                                     "versions": {vid: dict(version_fields, _aliases=["default"], versionCreateTime=now_rfc3339())}}
        # The version exists (and is listed) at once; the operation reports done after the scripted polls.
        return 200, model_op(name, {"@type": "type.googleapis.com/google.cloud.aiplatform.v1.UploadModelResponse",
                                    "model": name, "modelVersionId": vid})
    name = f"{parent}/models/{model_id}"
    if op_id is not None:
        op_name = f"{name}/operations/{op_id}"
        if method != "GET" or op_name not in STATE["model_ops"]:
            return google_error(404, "NOT_FOUND", f"operation {op_name} not found")
        STATE["model_ops"][op_name]["polls"] -= 1
        return 200, op_view(op_name)
    entry = STATE["models"].get(name)
    if entry is None:
        return google_error(404, "NOT_FOUND", f'The Model "{name}" does not exist.')
    # listVersions: https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.models/listVersions
    if verb == "listVersions" and method == "GET" and version_ref is None:
        wanted = label_filter((query.get("filter") or [""])[0])
        views = [version_view(name, entry, vid) for vid in sorted(entry["versions"], key=int)]
        views = [v for v in views if all((v.get("labels") or {}).get(k) == val for k, val in wanted.items())]
        return 200, ({"models": views} if views else {})
    vid = find_version(entry, version_ref)
    if vid is None:
        return google_error(404, "NOT_FOUND", f'The Model version "{name}@{version_ref}" does not exist.')
    version = entry["versions"][vid]
    # mergeVersionAliases: https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.models/mergeVersionAliases
    # An alias is unique within the model: adding one held by another version moves it
    # (https://cloud.google.com/vertex-ai/docs/model-registry/model-alias); `default` cannot be removed, only moved.
    if verb == "mergeVersionAliases" and method == "POST":
        if version_ref is None:
            return google_error(400, "INVALID_ARGUMENT", "the name must include a version id")
        changes = (body or {}).get("versionAliases") or []
        if not changes:
            return google_error(400, "INVALID_ARGUMENT", "versionAliases is required")
        for alias in changes:
            bare = alias[1:] if alias.startswith("-") else alias
            if not ALIAS_RE.match(bare) or bare.isdigit():
                return google_error(400, "INVALID_ARGUMENT", f"alias {alias} does not match [a-z][a-zA-Z0-9-]{{0,126}}[a-z-0-9]")
            if alias == "-default":
                return google_error(400, "INVALID_ARGUMENT", "the default alias cannot be removed; move it to another version")
        for alias in changes:
            if alias.startswith("-"):
                if alias[1:] in version["_aliases"]:
                    version["_aliases"].remove(alias[1:])
            else:
                for other in entry["versions"].values():
                    if alias in other["_aliases"]:
                        other["_aliases"].remove(alias)
                version["_aliases"].append(alias)
        version["versionUpdateTime"] = now_rfc3339()
        return 200, version_view(name, entry, vid)
    # patch (version labels with name@version): https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.models/patch
    if method == "PATCH" and verb is None:
        if query.get("updateMask") != ["labels"] or version_ref is None:
            return google_error(400, "INVALID_ARGUMENT", "the fake patches version labels only (name@version, updateMask=labels)")
        labels = (body or {}).get("labels") or {}
        for k, v in labels.items():
            if not LABEL_KEY_RE.match(k) or not LABEL_RE.match(str(v)):
                return google_error(400, "INVALID_ARGUMENT", f"label {k}={v} is not a valid label")
        version["labels"] = labels
        version["versionUpdateTime"] = now_rfc3339()
        return 200, version_view(name, entry, vid)
    # deleteVersion: https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.models/deleteVersion
    # (the only version cannot be deleted; the version holding `default` is refused too: one version holds it at all times).
    if verb == "deleteVersion" and method == "DELETE":
        if version_ref is None or version_ref != vid:
            return google_error(400, "INVALID_ARGUMENT", "the name must include a version id")
        if len(entry["versions"]) == 1:
            return google_error(400, "FAILED_PRECONDITION", "Deleting the only version of a Model is not allowed; use DeleteModel.")
        if "default" in version["_aliases"]:
            return google_error(400, "FAILED_PRECONDITION", "The version holding the default alias cannot be deleted.")
        del entry["versions"][vid]
        STATE["next_id"] += 1
        return 200, {"name": f"{name}/operations/{STATE['next_id']}", "done": True,
                     "response": {"@type": "type.googleapis.com/google.protobuf.Empty"}}
    # delete: https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.models/delete
    if method == "DELETE" and verb is None and version_ref is None:
        del STATE["models"][name]
        STATE["next_id"] += 1
        return 200, {"name": f"{name}/operations/{STATE['next_id']}", "done": True,
                     "response": {"@type": "type.googleapis.com/google.protobuf.Empty"}}
    # get: https://cloud.google.com/vertex-ai/docs/reference/rest/v1/projects.locations.models/get
    if method == "GET" and verb is None:
        return 200, version_view(name, entry, vid)
    return google_error(405, "UNIMPLEMENTED", f"{method} {name}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(f"fake GCP on http://127.0.0.1:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
