#!/usr/bin/env python3
"""Scripted storage fakes for the data version tests, on one loopback port (stdlib only).

- GCE metadata server token (the GCP token chain without key files):
  GET /computeMetadata/v1/instance/service-accounts/default/token (header Metadata-Flavor: Google)
  https://cloud.google.com/compute/docs/access/authenticate-workloads#applications
- Entra ID token endpoint (client-secret flow): POST /<tenant>/oauth2/v2.0/token
  https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow#get-a-token
- Azure Blob service, path-style as Azurite serves it (AZURE_STORAGE_BLOB_ENDPOINT=<url>/blob):
  HEAD /blob/<account>/<container>/<blob>   Get Blob Properties: ETag, Last-Modified, x-ms-version-id
      https://learn.microsoft.com/rest/api/storageservices/get-blob-properties
  GET  /blob/<account>/<container>/<blob>   Get Blob
      https://learn.microsoft.com/rest/api/storageservices/get-blob
  GET  /blob/<account>/<container>?restype=container&comp=list&prefix=&marker=   List Blobs
      (EnumerationResults/Blobs/Blob/Name, NextMarker; pages of 2 names so paging is exercised)
      https://learn.microsoft.com/rest/api/storageservices/list-blobs
  Accounts whose name starts with "versioned" have blob versioning on (x-ms-version-id is sent,
  https://learn.microsoft.com/azure/storage/blobs/versioning-overview); others send only the ETag.
  Every Blob request must carry x-ms-version and a Bearer token, else 403 as the service answers.
- Plain HTTP files: GET/HEAD /files/<name> serve the blob ("files", "files", <name>) with an ETag
  and Last-Modified; with ?noetag=1 only Last-Modified (https://www.rfc-editor.org/rfc/rfc9110#section-8.8).
- Control (tests only): PUT /_fake/blob/<account>/<container>/<blob> (body = content) writes a new
  version; DELETE the same path removes it; GET /_fake/calls returns the request log as JSON.
"""
import argparse
import hashlib
import json
import threading
import time
import uuid
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit
from xml.sax.saxutils import escape

LOCK = threading.Lock()
BLOBS = {}   # (account, container, name) -> dict(content, etag, version, modified)
CALLS = []
PAGE = 2


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send(self, status, body=b"", headers=None, content_type="application/json"):
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def record(self, parts):
        with LOCK:
            CALLS.append({"method": self.command, "path": parts.path, "query": parts.query})

    def do_GET(self):
        self.route()

    def do_HEAD(self):
        self.route()

    def do_POST(self):
        self.route()

    def do_PUT(self):
        self.route()

    def do_DELETE(self):
        self.route()

    def route(self):
        parts = urlsplit(self.path)
        path = parts.path
        if path == "/":
            return self.send(200, b"ok", content_type="text/plain")
        if path == "/_fake/calls":
            with LOCK:
                return self.send(200, json.dumps(CALLS).encode())
        if path.startswith("/_fake/blob/"):
            return self.control(path[len("/_fake/blob/"):])
        self.record(parts)
        if path == "/computeMetadata/v1/instance/service-accounts/default/token":
            if self.headers.get("Metadata-Flavor") != "Google":
                return self.send(403, b"missing Metadata-Flavor")
            return self.send(200, json.dumps({"access_token": "fake-gcp-token", "expires_in": 3600, "token_type": "Bearer"}).encode())
        if path.startswith("/computeMetadata/v1/project/project-id"):
            return self.send(200, b"fake-project", content_type="text/plain")
        if path.endswith("/oauth2/v2.0/token") and self.command == "POST":
            form = parse_qs(self.body().decode())
            if form.get("grant_type") != ["client_credentials"]:
                return self.send(400, json.dumps({"error": "unsupported_grant_type"}).encode())
            return self.send(200, json.dumps({"access_token": "fake-azure-token", "expires_in": 3600, "token_type": "Bearer"}).encode())
        if path.startswith("/blob/"):
            return self.blob(parts)
        if path.startswith("/files/"):
            with LOCK:
                blob = BLOBS.get(("files", "files", unquote(path[len("/files/"):])))
            if blob is None:
                return self.send(404, b"not found", content_type="text/plain")
            headers = {"Last-Modified": blob["modified"]}
            if "noetag=1" not in parts.query:
                headers["ETag"] = blob["etag"]
            return self.send(200, blob["content"], headers, content_type="application/octet-stream")
        return self.send(404, b"{}")

    def control(self, rest):
        account, container, name = (unquote(p) for p in rest.split("/", 2))
        key = (account, container, name)
        if self.command == "PUT":
            content = self.body()
            with LOCK:
                BLOBS[key] = {
                    "content": content,
                    "etag": '"0x%s"' % hashlib.md5(content + uuid.uuid4().bytes).hexdigest()[:16].upper(),
                    "version": time.strftime("%Y-%m-%dT%H:%M:%S.", time.gmtime()) + "%07dZ" % (time.time_ns() // 100 % 10_000_000),
                    "modified": formatdate(usegmt=True),
                }
            return self.send(201, b"{}")
        if self.command == "DELETE":
            with LOCK:
                BLOBS.pop(key, None)
            return self.send(202, b"{}")
        return self.send(405, b"{}")

    def blob(self, parts):
        if not self.headers.get("x-ms-version"):
            return self.send(400, b"<Error><Code>MissingRequiredHeader</Code></Error>", content_type="application/xml")
        if self.headers.get("Authorization") != "Bearer fake-azure-token":
            return self.send(403, b"<Error><Code>AuthenticationFailed</Code></Error>", content_type="application/xml")
        segments = [unquote(p) for p in parts.path[len("/blob/"):].split("/", 2)]
        query = parse_qs(parts.query, keep_blank_values=True)
        if len(segments) == 2 or (len(segments) == 3 and segments[2] == ""):
            account, container = segments[0], segments[1]
            if query.get("restype") == ["container"] and query.get("comp") == ["list"]:
                return self.list(account, container, query)
            return self.send(400, b"<Error><Code>InvalidQueryParameterValue</Code></Error>", content_type="application/xml")
        account, container, name = segments
        with LOCK:
            blob = BLOBS.get((account, container, name))
        if blob is None:
            return self.send(404, b"<Error><Code>BlobNotFound</Code></Error>", content_type="application/xml")
        headers = {"ETag": blob["etag"], "Last-Modified": blob["modified"], "x-ms-blob-type": "BlockBlob"}
        if account.startswith("versioned"):
            headers["x-ms-version-id"] = blob["version"]
        if self.command == "HEAD":
            headers["Content-Length-Blob"] = str(len(blob["content"]))
            return self.send(200, b"", headers, content_type="application/octet-stream")
        if self.command == "GET":
            return self.send(200, blob["content"], headers, content_type="application/octet-stream")
        return self.send(405, b"")

    def list(self, account, container, query):
        prefix = query.get("prefix", [""])[0]
        marker = query.get("marker", [""])[0]
        with LOCK:
            names = sorted(n for (a, c, n) in BLOBS if a == account and c == container and n.startswith(prefix))
        if marker:
            names = [n for n in names if n >= marker]
        page, rest = names[:PAGE], names[PAGE:]
        blobs = "".join("<Blob><Name>%s</Name><Properties></Properties></Blob>" % escape(n) for n in page)
        next_marker = "<NextMarker>%s</NextMarker>" % escape(rest[0]) if rest else "<NextMarker />"
        xml = ('<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="http://fake/" ContainerName="%s">'
               "<Prefix>%s</Prefix><Blobs>%s</Blobs>%s</EnumerationResults>") % (escape(container), escape(prefix), blobs, next_marker)
        return self.send(200, xml.encode(), content_type="application/xml")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    ThreadingHTTPServer(("127.0.0.1", args.port), Handler).serve_forever()


if __name__ == "__main__":
    main()
