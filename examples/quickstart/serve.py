"""Quickstart model server: loads MODEL_URI and answers predictions over HTTP on $PORT.

GET  /healthz                         -> 200 "ok"
GET  /predict?tenure_months=3&...     -> {"model": ..., "version": ..., "churnProbability": p}
POST /predict {"instances": [{...}]}  -> {"predictions": [p, ...]}
"""
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import model as m

MODEL = m.load(os.environ["MODEL_URI"])
NAME = os.environ.get("MODEL_NAME", "model")
VERSION = os.environ.get("MODEL_VERSION", "")


class Handler(BaseHTTPRequestHandler):
    def _send(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urlparse(self.path)
        if url.path in ("/healthz", "/readyz"):
            return self._send(200, {"status": "ok"})
        if url.path == "/predict":
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            missing = [f for f in MODEL["features"] if f not in query]
            if missing:
                return self._send(400, {"error": f"missing features: {', '.join(missing)}"})
            p = m.predict(MODEL, query)
            return self._send(200, {"model": NAME, "version": VERSION, "churnProbability": round(p, 4)})
        return self._send(404, {"error": "not found"})

    def do_POST(self):
        if urlparse(self.path).path != "/predict":
            return self._send(404, {"error": "not found"})
        length = int(self.headers.get("Content-Length", "0"))
        try:
            instances = json.loads(self.rfile.read(length) or b"{}")["instances"]
            predictions = [round(m.predict(MODEL, row), 4) for row in instances]
        except (KeyError, ValueError, TypeError) as error:
            return self._send(400, {"error": f"bad request: {error}"})
        return self._send(200, {"model": NAME, "version": VERSION, "predictions": predictions})

    def log_message(self, fmt, *args):
        print(fmt % args, flush=True)


if __name__ == "__main__":
    port = int(os.environ.get("PORT", "8080"))
    print(f"serving {NAME} v{VERSION} on :{port}", flush=True)
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
