#!/usr/bin/env python3
"""An OpenLineage receiver for the Sextant tests: captures `POST /api/v1/lineage` and validates each
event with jsonschema against the OpenLineage spec 2-0-2 (spec/OpenLineage.json, `RunEvent`) and
every facet against the schema its `_schemaURL` names (the facet files in spec/). A facet whose
`_schemaURL` is not one of those files is reported as an error: Sextant only emits facets it can
prove.

  GET  /events             -> {"events": [...], "errors": [{"index": n, "error": "..."}], "rejected": n}
  POST /reset              -> forget everything
  POST /fail?count=N&status=S -> answer the next N lineage POSTs with HTTP S (default 503), without
                                 recording them (the sender's retry is tested with it)

Started by Tests/TestSupport/OpenLineageReceiver.swift with the venv of
hack/tools.d/openlineage.sh, on 127.0.0.1:--port.
"""
import argparse
import glob
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import jsonschema
from referencing import Registry, Resource

HERE = os.path.dirname(os.path.abspath(__file__))
SPEC = os.path.join(HERE, "spec")
CORE_ID = "https://openlineage.io/spec/2-0-2/OpenLineage.json"


def load_registry():
    resources = []
    for path in sorted(glob.glob(os.path.join(SPEC, "*.json"))):
        with open(path) as f:
            doc = json.load(f)
        resources.append((doc["$id"], Resource.from_contents(doc)))
    return Registry().with_resources(resources)


REGISTRY = load_registry()
FORMATS = jsonschema.Draft202012Validator.FORMAT_CHECKER


def validator_for(url):
    """A validator for the definition `url` points to (`<file $id>#/$defs/Name`)."""
    return jsonschema.Draft202012Validator({"$ref": url}, registry=REGISTRY, format_checker=FORMATS)


RUN_EVENT = validator_for(CORE_ID + "#/$defs/RunEvent")


def facets_of(event):
    """(where, facet) for every facet of the event."""
    out = []
    for key in ("run", "job"):
        for name, facet in ((event.get(key) or {}).get("facets") or {}).items():
            out.append((f"{key}.facets.{name}", facet))
    for key, facet_key in (("inputs", "facets"), ("inputs", "inputFacets"), ("outputs", "facets"), ("outputs", "outputFacets")):
        for i, dataset in enumerate(event.get(key) or []):
            for name, facet in (dataset.get(facet_key) or {}).items():
                out.append((f"{key}[{i}].{facet_key}.{name}", facet))
    return out


def validate(event):
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in RUN_EVENT.iter_errors(event)]
    for where, facet in facets_of(event):
        url = facet.get("_schemaURL", "") if isinstance(facet, dict) else ""
        base = url.split("#", 1)[0]
        try:
            REGISTRY.get_or_retrieve(base)
        except Exception:  # noqa: BLE001 - unknown schema file
            errors.append(f"{where}: no schema for _schemaURL {url!r}")
            continue
        errors += [f"{where}/{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator_for(url).iter_errors(facet)]
    return errors


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.events, self.errors, self.fail_count, self.fail_status, self.rejected = [], [], 0, 503, 0


STATE = State()


class Handler(BaseHTTPRequestHandler):
    def log_message(self, fmt, *args):
        sys.stderr.write("receiver: " + (fmt % args) + "\n")

    def reply(self, status, body=b"", content_type="application/json"):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def do_GET(self):
        if urlparse(self.path).path == "/events":
            with STATE.lock:
                doc = {"events": STATE.events, "errors": STATE.errors, "rejected": STATE.rejected}
            return self.reply(200, json.dumps(doc).encode())
        return self.reply(200, b"ok", "text/plain")

    def do_POST(self):
        url = urlparse(self.path)
        raw = self.body()
        if url.path == "/reset":
            with STATE.lock:
                STATE.reset()
            return self.reply(204)
        if url.path == "/fail":
            q = parse_qs(url.query)
            with STATE.lock:
                STATE.fail_count = int(q.get("count", ["1"])[0])
                STATE.fail_status = int(q.get("status", ["503"])[0])
            return self.reply(204)
        if url.path != "/api/v1/lineage":
            return self.reply(404, b'{"error":"not found"}')
        with STATE.lock:
            if STATE.fail_count > 0:
                STATE.fail_count -= 1
                STATE.rejected += 1
                return self.reply(STATE.fail_status, b'{"error":"injected"}')
        try:
            event = json.loads(raw)
        except ValueError as e:
            with STATE.lock:
                STATE.errors.append({"index": len(STATE.events), "error": f"not JSON: {e}"})
            return self.reply(400, b'{"error":"not JSON"}')
        errors = validate(event)
        with STATE.lock:
            index = len(STATE.events)
            STATE.events.append(event)
            STATE.errors += [{"index": index, "error": e} for e in errors]
        # Marquez answers 201 to a valid event; this receiver records invalid ones too (the test
        # reads the errors), so it answers 201 either way.
        return self.reply(201)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print(f"openlineage receiver ready on http://127.0.0.1:{args.port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
