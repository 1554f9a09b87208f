#!/usr/bin/env python3
"""A scripted AWS-like HTTP server for the CloudAWS retry tests (standard library only).

The first path segment picks the behaviour; every request is counted per segment:
  /throttle/...     429 TooManyRequestsException twice (JSON error), then 200 {}
  /throttle-xml/... 503 <Error><Code>SlowDown</Code> twice (S3-style XML), then 200 {}
  /validation/...   400 ValidationException, always
  /unavailable/...  500 InternalFailure, always
  GET /counts       the counts as JSON
Usage: scripted_server.py --port PORT   (prints "scripted AWS ready on PORT")
"""
import argparse
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

COUNTS = {}
LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        print("%s %s" % (self.command, self.path), flush=True)

    def answer(self, status, body, content_type="application/json", headers=None):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", "scripted-%d" % status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if self.command == "GET" and self.path == "/counts":
            with LOCK:
                return self.answer(200, json.dumps(COUNTS))
        segment = self.path.strip("/").split("/")[0].split("?")[0]
        with LOCK:
            COUNTS[segment] = COUNTS.get(segment, 0) + 1
            n = COUNTS[segment]
        if segment == "throttle":
            if n <= 2:
                return self.answer(429, json.dumps({"__type": "TooManyRequestsException", "message": "Rate exceeded"}))
            return self.answer(200, "{}")
        if segment == "throttle-xml":
            if n <= 2:
                return self.answer(503, "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>",
                                   "application/xml")
            return self.answer(200, "{}")
        if segment == "validation":
            return self.answer(400, json.dumps({"__type": "ValidationException", "message": "1 validation error detected"}))
        if segment == "unavailable":
            return self.answer(500, json.dumps({"__type": "InternalFailure", "message": "internal"}))
        return self.answer(404, json.dumps({"__type": "UnknownOperationException", "message": self.path}))

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = handle_any


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print("scripted AWS ready on %d" % args.port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
