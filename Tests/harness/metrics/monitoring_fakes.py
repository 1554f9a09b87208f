#!/usr/bin/env python3
"""Scripted fakes of two metric query APIs for the RetrainPolicy metric-trigger tests (stdlib only).

The request and answer shapes follow the providers' reference pages (cited beside each route).
Points are scripted by the test, not computed: PUT /script with
  {"token": "<accepted>", "issued": "<handed out>", "series": {"<query>": [[unix_seconds, value], ...]}, "multi": ["<query>", ...]}
The token endpoints (GCE metadata server, Entra ID client credentials) hand out "issued"; the query
routes accept only "token" (401 otherwise).
A query containing "broken" fails the way the real API does; a query with no series is empty;
a query listed in "multi" answers two series. Every request is recorded: GET /requests.

Usage: monitoring_fakes.py --port PORT
"""
import argparse
import datetime
import json
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATE = {"token": "fake-token", "issued": "fake-token", "series": {}, "multi": []}
REQUESTS = []
LOCK = threading.Lock()


def iso(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f0Z")


def parse_time(text):
    text = text.strip()
    try:
        return float(text)
    except ValueError:
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        print("%s %s" % (self.command, self.path), flush=True)

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def authorised(self):
        return self.headers.get("Authorization") == "Bearer " + STATE["token"]

    def points(self, query, start, end):
        with LOCK:
            pts = STATE["series"].get(query, [])
        return [(t, v) for t, v in pts if start <= t <= end]

    def do_PUT(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        if self.path == "/script":
            with LOCK:
                STATE.update(body)
            return self.answer(200, {})
        return self.answer(404, {})

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        params = dict(urllib.parse.parse_qsl(url.query))
        if url.path == "/requests":
            with LOCK:
                return self.answer(200, REQUESTS)
        with LOCK:
            REQUESTS.append({"method": "GET", "path": url.path, "params": params,
                             "authorization": bool(self.headers.get("Authorization"))})
        # GCE metadata server access token (what GCPClient uses with GCE_METADATA_HOST pointing here):
        # GET /computeMetadata/v1/instance/service-accounts/default/token with "Metadata-Flavor: Google"
        # https://cloud.google.com/compute/docs/access/authenticate-workloads#applications
        if url.path == "/computeMetadata/v1/instance/service-accounts/default/token":
            if self.headers.get("Metadata-Flavor") != "Google":
                return self.answer(403, {"error": "Missing Metadata-Flavor:Google header"})
            return self.answer(200, {"access_token": STATE["issued"], "expires_in": 3599, "token_type": "Bearer"})
        # Google Cloud Monitoring, Managed Service for Prometheus HTTP API:
        # GET https://monitoring.googleapis.com/v1/projects/{project}/location/global/prometheus/api/v1/query_range
        # https://cloud.google.com/monitoring/api/ref_v3/rest/v1/projects.location.prometheus.api.v1/query_range
        # (query, start, end: unix seconds or RFC 3339, step: duration or seconds; the answer is the
        # open-source Prometheus API's: https://prometheus.io/docs/prometheus/latest/querying/api/)
        parts = url.path.strip("/").split("/")
        if len(parts) == 9 and parts[:2] == ["v1", "projects"] and parts[3:] == ["location", "global", "prometheus", "api", "v1", "query_range"]:
            if not self.authorised():
                # Google API error shape (https://cloud.google.com/apis/design/errors)
                return self.answer(401, {"error": {"code": 401, "status": "UNAUTHENTICATED",
                                                   "message": "Request had invalid authentication credentials."}})
            query = params.get("query", "")
            if "broken" in query:
                return self.answer(400, {"status": "error", "errorType": "bad_data",
                                         "error": "invalid parameter \"query\": 1:7: parse error: unexpected <EOF>"})
            start, end = parse_time(params["start"]), parse_time(params["end"])
            series = []
            pts = self.points(query, start, end)
            if pts:
                series.append({"metric": {"__name__": query}, "values": [[t, repr(float(v))] for t, v in pts]})
                if query in STATE["multi"]:
                    series.append({"metric": {"__name__": query, "cluster": "b"}, "values": [[t, "1"] for t, _ in pts]})
            return self.answer(200, {"status": "success", "data": {"resultType": "matrix", "result": series}})
        return self.answer(404, {"error": {"code": 404, "message": "no route " + url.path}})

    def do_POST(self):
        url = urllib.parse.urlparse(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        parts = url.path.strip("/").split("/")
        # Microsoft identity platform client credentials grant (AzureClient with AZURE_AUTHORITY_HOST here):
        # POST /{tenant}/oauth2/v2.0/token, form grant_type=client_credentials&client_id&client_secret&scope
        # https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow
        if len(parts) == 4 and parts[1:] == ["oauth2", "v2.0", "token"]:
            form = dict(urllib.parse.parse_qsl(raw.decode()))
            with LOCK:
                REQUESTS.append({"method": "POST", "path": url.path, "scope": form.get("scope", ""), "grant": form.get("grant_type", "")})
            if form.get("grant_type") != "client_credentials" or not form.get("client_secret"):
                return self.answer(400, {"error": "invalid_request", "error_description": "AADSTS900144: client_secret missing"})
            return self.answer(200, {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": STATE["issued"]})
        # Azure Monitor Log Analytics query API:
        # POST https://api.loganalytics.azure.com/v1/workspaces/{workspaceId}/query, JSON body
        # {"query": KQL, "timespan": ISO 8601 "start/end"}, Content-Type: application/json
        # https://learn.microsoft.com/azure/azure-monitor/logs/api/request-format
        # Answer {"tables": [{"name": "PrimaryResult", "columns": [{"name", "type"}], "rows": [[...]]}]},
        # errors as {"error": {"message", "code", "innererror"}}:
        # https://learn.microsoft.com/azure/azure-monitor/logs/api/response-format
        if len(parts) == 4 and parts[0] == "v1" and parts[1] == "workspaces" and parts[3] == "query":
            with LOCK:
                REQUESTS.append({"method": "POST", "path": url.path, "body": raw.decode(errors="replace"),
                                 "contentType": self.headers.get("Content-Type", ""),
                                 "authorization": bool(self.headers.get("Authorization"))})
            if not self.authorised():
                return self.answer(401, {"error": {"code": "InvalidTokenError",
                                                   "message": "The provided authentication is not valid for this resource"}})
            if not self.headers.get("Content-Type", "").startswith("application/json"):
                return self.answer(400, {"error": {"code": "BadArgumentError", "message": "Content-Type must be application/json"}})
            body = json.loads(raw)
            query = body.get("query", "")
            if "broken" in query:
                return self.answer(400, {"error": {"message": "The request had some invalid properties", "code": "BadArgumentError",
                                                   "innererror": {"code": "SyntaxError",
                                                                  "message": "A recognition error occurred in the query."}}})
            start, end = (parse_time(x) for x in body["timespan"].split("/"))
            pts = self.points(query, start, end)
            if query.startswith("scalar:"):
                return self.answer(200, {"tables": [{"name": "PrimaryResult", "columns": [{"name": "avg_drift", "type": "real"}],
                                                     "rows": [[pts[-1][1]]] if pts else []}]})
            rows = [[iso(t), v] for t, v in pts]
            if query in STATE["multi"]:
                rows += [[iso(t), 1.0] for t, _ in pts]
            return self.answer(200, {"tables": [{"name": "PrimaryResult",
                                                 "columns": [{"name": "TimeGenerated", "type": "datetime"}, {"name": "drift", "type": "real"}],
                                                 "rows": rows}]})
        return self.answer(404, {"error": {"code": "PathNotFoundError", "message": "no route " + url.path}})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print("monitoring fakes ready on %d" % args.port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
