#!/usr/bin/env python3
"""A scripted fake of the Azure REST APIs Sextant calls (standard library only).

No Azure ML emulator exists, so this server follows the documented REST shapes (the reference page
of each route is cited beside it) and keeps jobs in memory. States are scripted: a job walks through
`states` (per name prefix, default NotStarted -> Queued -> Running) one step per GET and stays on the
last one until a test finishes it. Faults are injected on demand.

Entra ID (the token endpoint) checks the client credentials: the client_assertion must equal the
content of FAKE_AZURE_FEDERATED_TOKEN_FILE, or the client_secret FAKE_AZURE_CLIENT_SECRET; the
client_id must be FAKE_AZURE_CLIENT_ID. Every other route asks for a bearer token it issued for the
right scope (management for ARM, storage for Blob) that has not expired.

Control routes (for tests, no auth), under /_fake/:
  POST /_fake/script        {"prefix": "p-", "states": ["NotStarted", "Running", "Completed"], "errorMessage": "..."}
  POST /_fake/finish        {"prefix": "p-", "status": "Completed"|"Failed", "errorMessage": "...", "seconds": 1800}
  POST /_fake/faults        {"match": "/jobs/", "statuses": [429, 503], "retryAfter": "0"}  (next matching requests)
  POST /_fake/expire-tokens  every issued token expires (the next call gets 401 ExpiredAuthenticationToken)
  PUT  /_fake/blobs/<account>/<container>/<blob>   stores a blob (body)
  GET  /_fake/requests      every request seen: method, path, query, headers (authorization as "Bearer <token id>"), json body
  GET  /_fake/jobs          every job as stored
Usage: fake_azure.py --port PORT
"""
import argparse
import datetime
import json
import os
import re
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATE = {"tokens": {}, "jobs": {}, "envs": {}, "blobs": {}, "scripts": [], "faults": [], "requests": [], "next": 0}
API_VERSION = "2024-04-01"
WS = r"/subscriptions/(?P<sub>[^/]+)/resourceGroups/(?P<rg>[^/]+)/providers/Microsoft\.MachineLearningServices/workspaces/(?P<ws>[^/]+)"
DEFAULT_STATES = ["NotStarted", "Queued", "Running"]
TERMINAL = {"Completed", "Failed", "Canceled"}


def now():
    return datetime.datetime.now(datetime.timezone.utc)


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        print("%s %s" % (self.command, self.path), flush=True)

    # ---- plumbing -------------------------------------------------------------------------------
    def answer(self, status, body=None, headers=None, raw=None, content_type="application/json"):
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
        self.send_response(status)
        if data:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-ms-request-id", "fake-%d" % status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, code, message, headers=None):
        # ARM error shape: https://learn.microsoft.com/en-us/azure/azure-resource-manager/management/async-operations
        # (ErrorResponse {"error": {"code", "message"}}, as every Azure ML REST page lists under "Other Status Codes").
        self.answer(status, {"error": {"code": code, "message": message}}, headers)

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.raw_body = self.rfile.read(length) if length else b""
        url = urllib.parse.urlsplit(self.path)
        self.url_path, self.query = url.path, urllib.parse.parse_qs(url.query)
        if self.url_path.startswith("/_fake/"):
            return self.control()
        self.record()
        with LOCK:
            for fault in STATE["faults"]:
                if fault["match"] in self.url_path and fault["statuses"]:
                    status = fault["statuses"].pop(0)
                    code = "TooManyRequests" if status == 429 else "ServiceUnavailable"
                    return self.error(status, code, "injected %d" % status, {"Retry-After": fault.get("retryAfter", "0")})
        if re.fullmatch(r"/[^/]+/oauth2/v2\.0/token", self.url_path) and self.command == "POST":
            return self.token()
        if self.url_path.startswith("/subscriptions/"):
            return self.arm()
        return self.blob()

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any

    def record(self):
        headers = {k.lower(): v for k, v in self.headers.items()}
        auth = headers.get("authorization", "")
        if auth.startswith("Bearer "):
            headers["authorization"] = "Bearer " + STATE["tokens"].get(auth[7:], {}).get("id", "unknown")
        try:
            body = json.loads(self.raw_body) if self.raw_body and "json" in headers.get("content-type", "") else None
        except ValueError:
            body = None
        form = None
        if "x-www-form-urlencoded" in headers.get("content-type", ""):
            form = {k: v[0] for k, v in urllib.parse.parse_qs(self.raw_body.decode()).items()}
            for secret in ("client_secret", "client_assertion"):
                if secret in form:
                    form[secret] = "<%d chars>" % len(form[secret])
        with LOCK:
            STATE["requests"].append({"method": self.command, "path": self.url_path,
                                      "query": {k: v[0] for k, v in self.query.items()},
                                      "headers": headers, "body": body, "form": form})

    def bearer(self, scope):
        auth = self.headers.get("Authorization", "")
        token = STATE["tokens"].get(auth[7:]) if auth.startswith("Bearer ") else None
        if token is None:
            self.error(401, "InvalidAuthenticationToken", "The access token is invalid.")
            return False
        if token["expires"] <= now():
            self.error(401, "ExpiredAuthenticationToken", "The access token expiry UTC time is earlier than current UTC time.",
                       {"WWW-Authenticate": 'Bearer error="invalid_token", error_description="The access token has expired."'})
            return False
        if token["scope"] != scope:
            self.error(401, "InvalidAuthenticationTokenAudience", "The access token has been obtained for the wrong audience.")
            return False
        return True

    # ---- Entra ID -------------------------------------------------------------------------------
    def token(self):
        # https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-client-creds-grant-flow
        # (POST /{tenant}/oauth2/v2.0/token, form: client_id, scope, grant_type=client_credentials and
        # client_secret, or client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer +
        # client_assertion: "Third case: Access token request with a federated credential").
        form = {k: v[0] for k, v in urllib.parse.parse_qs(self.raw_body.decode()).items()}
        bad = lambda code, text: self.answer(400 if code != "invalid_client" else 401, {"error": code, "error_description": text})
        if form.get("grant_type") != "client_credentials":
            return bad("unsupported_grant_type", "AADSTS70003: grant_type must be client_credentials")
        if form.get("client_id") != os.environ.get("FAKE_AZURE_CLIENT_ID"):
            return bad("unauthorized_client", "AADSTS700016: Application with identifier was not found in the directory")
        if not form.get("scope", "").endswith("/.default"):
            return bad("invalid_scope", "AADSTS1002012: The provided value for scope is not valid.")
        if "client_assertion" in form:
            expected = open(os.environ.get("FAKE_AZURE_FEDERATED_TOKEN_FILE", "/nonexistent")).read().strip() \
                if os.environ.get("FAKE_AZURE_FEDERATED_TOKEN_FILE") else None
            if form.get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" or form["client_assertion"] != expected:
                return bad("invalid_client", "AADSTS700213: No matching federated identity record found for presented assertion.")
        elif form.get("client_secret") != os.environ.get("FAKE_AZURE_CLIENT_SECRET") or not form.get("client_secret"):
            return bad("invalid_client", "AADSTS7000215: Invalid client secret provided.")
        lifetime = int(os.environ.get("FAKE_AZURE_TOKEN_SECONDS", "3600"))
        with LOCK:
            STATE["next"] += 1
            n = STATE["next"]
            value = "fake.%d.%s" % (n, os.urandom(12).hex())
            STATE["tokens"][value] = {"id": "token-%d" % n, "scope": form["scope"], "expires": now() + datetime.timedelta(seconds=lifetime)}
        self.answer(200, {"token_type": "Bearer", "expires_in": lifetime, "ext_expires_in": lifetime, "access_token": value})

    # ---- Resource Manager / Azure ML ------------------------------------------------------------
    def arm(self):
        if not self.bearer("https://management.azure.com/.default"):
            return
        if self.query.get("api-version", [None])[0] != API_VERSION:
            return self.error(400, "InvalidApiVersionParameter", "api-version must be %s" % API_VERSION)
        base = "http://%s" % self.headers.get("Host")
        m = re.fullmatch(WS + r"/jobs/(?P<name>[^/]+)(?P<cancel>/cancel)?", self.url_path)
        if m and m.group("cancel") and self.command == "POST":
            return self.cancel(m, base)
        if m and self.command == "PUT":
            return self.put_job(m, base)
        if m and self.command == "GET":
            return self.get_job(m.group("name"))
        m = re.fullmatch(WS + r"/environments/(?P<name>[^/]+)/versions/(?P<version>[^/]+)", self.url_path)
        if m and self.command == "PUT":
            # https://learn.microsoft.com/en-us/rest/api/azureml/environment-versions/create-or-update
            body = json.loads(self.raw_body or b"{}")
            if not body.get("properties", {}).get("image"):
                return self.error(400, "UserError", "Environment must set properties.image")
            key = (m.group("name"), m.group("version"))
            with LOCK:
                existed = key in STATE["envs"]
                STATE["envs"][key] = body
            return self.answer(200 if existed else 201, {"id": self.url_path, "name": m.group("version"), "properties": body["properties"]})
        m = re.fullmatch(WS + r"/computes/(?P<name>[^/]+)", self.url_path)
        if m and self.command == "GET":
            # https://learn.microsoft.com/en-us/rest/api/azureml/compute/get (AmlCompute: properties.properties.vmSize)
            return self.answer(200, {"id": self.url_path, "name": m.group("name"),
                                     "properties": {"computeType": "AmlCompute", "properties": {"vmSize": "STANDARD_DS3_V2"}}})
        m = re.fullmatch(r"/subscriptions/[^/]+/providers/Microsoft\.MachineLearningServices/locations/[^/]+/mfeOperations(?P<kind>Status|Results)/jc:(?P<name>[^/]+)", self.url_path)
        if m and self.command == "GET":
            # https://learn.microsoft.com/en-us/azure/azure-resource-manager/management/async-operations
            # (Azure-AsyncOperation: {"status": InProgress|Succeeded|...}; Location: 202 until done, then 200).
            job = self.advance(m.group("name"))
            done = job is not None and job["status"] == "Canceled"
            if m.group("kind") == "Status":
                return self.answer(200, {"name": m.group("name"), "status": "Succeeded" if done else "InProgress"})
            return self.answer(200 if done else 202, None, {"Retry-After": "0"} if not done else None)
        return self.error(404, "NoRegisteredProviderFound", "no route for %s %s" % (self.command, self.url_path))

    def put_job(self, m, base):
        # https://learn.microsoft.com/en-us/rest/api/azureml/jobs/create-or-update
        # (PUT .../workspaces/{ws}/jobs/{id}?api-version=2024-04-01, body {"properties": CommandJob}; 201 Created, 200 on update).
        name = m.group("name")
        try:
            props = json.loads(self.raw_body)["properties"]
        except (ValueError, KeyError, TypeError):
            return self.error(400, "UserError", "The request body must be a job with properties.")
        for field in ("jobType", "command", "environmentId", "computeId"):
            if not props.get(field):
                return self.error(400, "UserError", "%s is required" % field)
        if props["jobType"] != "Command":
            return self.error(400, "UserError", "jobType must be Command")
        with LOCK:
            existing = STATE["jobs"].get(name)
            if existing is not None:
                # Jobs are immutable but for tags: the same definition again answers the job (the adoption).
                existing["puts"] += 1
                return self.answer(200, self.job_body(existing))
            states = list(DEFAULT_STATES)
            for script in STATE["scripts"]:
                if name.startswith(script["prefix"]):
                    states = list(script["states"])
            t = now()
            job = {"name": name, "path": self.url_path, "props": props, "states": states, "status": states[0],
                   "created": t, "modified": t, "puts": 1, "gets": 0, "cancels": 0, "errorMessage": None, "seconds": None,
                   "sub": m.group("sub"), "rg": m.group("rg"), "ws": m.group("ws")}
            STATE["jobs"][name] = job
        self.answer(201, self.job_body(job))

    def advance(self, name):
        with LOCK:
            job = STATE["jobs"].get(name)
            if job is None:
                return None
            job["gets"] += 1
            if job["status"] == "CancelRequested":
                job["status"], job["modified"] = "Canceled", now()
            elif job["status"] in job["states"] and job["status"] not in TERMINAL:
                i = job["states"].index(job["status"])
                if i + 1 < len(job["states"]):
                    job["status"], job["modified"] = job["states"][i + 1], now()
            return job

    def get_job(self, name):
        # https://learn.microsoft.com/en-us/rest/api/azureml/jobs/get (200 JobBase; unknown id: 404 ErrorResponse).
        job = self.advance(name)
        if job is None:
            return self.error(404, "UserError", "Job %s not found." % name)
        with LOCK:
            body = self.job_body(job)
        self.answer(200, body)

    def cancel(self, m, base):
        # https://learn.microsoft.com/en-us/rest/api/azureml/jobs/cancel (POST .../jobs/{id}/cancel;
        # 202 Accepted with Location and Azure-AsyncOperation to poll; 200 when already done).
        name = m.group("name")
        with LOCK:
            job = STATE["jobs"].get(name)
            if job is None:
                return self.error(404, "UserError", "Job %s not found." % name)
            job["cancels"] += 1
            if job["status"] in TERMINAL:
                return self.answer(200, None)
            job["status"], job["modified"] = "CancelRequested", now()
        ops = "%s/subscriptions/%s/providers/Microsoft.MachineLearningServices/locations/westeurope/mfeOperations%%s/jc:%s?api-version=%s" % (
            base, m.group("sub"), name, API_VERSION)
        self.answer(202, None, {"Location": ops % "Results", "Azure-AsyncOperation": ops % "Status", "Retry-After": "0"})

    def job_body(self, job):
        props = dict(job["props"])
        props["status"] = job["status"]
        props["services"] = {"Studio": {"jobServiceType": "Studio", "endpoint": "https://ml.azure.com/runs/%s?wsid=/subscriptions/%s/resourcegroups/%s/workspaces/%s" % (
            job["name"], job["sub"], job["rg"], job["ws"])}}
        if job["status"] == "Failed":
            props["services"]["Tracking"] = {"jobServiceType": "Tracking", "errorMessage": job["errorMessage"] or "Execution failed. User process exited with status code 1."}
        props["outputs"] = {"default": {"jobOutputType": "uri_folder", "mode": "ReadWriteMount",
                                        "uri": "azureml://datastores/workspaceartifactstore/ExperimentRun/dcid.%s" % job["name"]}}
        modified = job["modified"]
        if job["seconds"] is not None:
            modified = job["created"] + datetime.timedelta(seconds=job["seconds"])
        return {"id": job["path"], "name": job["name"], "type": "Microsoft.MachineLearningServices/workspaces/jobs", "properties": props,
                "systemData": {"createdAt": iso(job["created"]), "createdBy": "sextant", "createdByType": "Application",
                               "lastModifiedAt": iso(modified), "lastModifiedBy": "sextant", "lastModifiedByType": "Application"}}

    # ---- Blob -----------------------------------------------------------------------------------
    def blob(self):
        # https://learn.microsoft.com/en-us/rest/api/storageservices/get-blob (GET /<container>/<blob>,
        # x-ms-version required with a bearer token; 404 BlobNotFound). Path-style like Azurite: /<account>/<container>/<blob>.
        if self.command != "GET":
            return self.error(405, "UnsupportedHttpVerb", "only GET")
        if not self.headers.get("x-ms-version"):
            return self.answer(400, raw=b"<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>MissingRequiredHeader</Code><Message>x-ms-version is required with OAuth.</Message></Error>",
                               content_type="application/xml")
        if not self.bearer("https://storage.azure.com/.default"):
            return
        key = urllib.parse.unquote(self.url_path.lstrip("/"))
        with LOCK:
            data = STATE["blobs"].get(key)
        if data is None:
            return self.answer(404, raw=b"<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>BlobNotFound</Code><Message>The specified blob does not exist.</Message></Error>",
                               headers={"x-ms-error-code": "BlobNotFound"}, content_type="application/xml")
        self.answer(200, raw=data, content_type="application/octet-stream")

    # ---- control --------------------------------------------------------------------------------
    def control(self):
        body = json.loads(self.raw_body) if self.raw_body and self.command != "PUT" else {}
        with LOCK:
            if self.url_path == "/_fake/requests":
                return self.answer(200, STATE["requests"])
            if self.url_path == "/_fake/jobs":
                return self.answer(200, {k: {x: v[x] for x in ("status", "puts", "gets", "cancels", "props")} for k, v in STATE["jobs"].items()})
            if self.url_path == "/_fake/script":
                STATE["scripts"].append(body)
                return self.answer(200, {})
            if self.url_path == "/_fake/finish":
                for name, job in STATE["jobs"].items():
                    if name.startswith(body["prefix"]):
                        job["status"], job["modified"] = body["status"], now()
                        job["errorMessage"], job["seconds"] = body.get("errorMessage"), body.get("seconds")
                return self.answer(200, {})
            if self.url_path == "/_fake/faults":
                STATE["faults"].append({"match": body["match"], "statuses": list(body["statuses"]), "retryAfter": body.get("retryAfter", "0")})
                return self.answer(200, {})
            if self.url_path == "/_fake/expire-tokens":
                for token in STATE["tokens"].values():
                    token["expires"] = now()
                return self.answer(200, {})
            if self.url_path.startswith("/_fake/blobs/") and self.command == "PUT":
                STATE["blobs"][urllib.parse.unquote(self.url_path[len("/_fake/blobs/"):])] = self.raw_body
                return self.answer(200, {})
        self.answer(404, {"error": "no control route"})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print("fake Azure ready on %d" % args.port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
