#!/usr/bin/env python3
"""moto's server for the Sextant tests: moto.server.ThreadedMotoServer on 127.0.0.1:--port, plus
the test-only extensions found next to this file.

Extensions: every module `*_ext.py` in this directory is imported (sorted by name) before the
server starts. A module may patch moto's models at import time and may define
`register(registry)`, where `registry.route(prefix)` decorates a handler
`handler(request: werkzeug.wrappers.Request) -> (status: int, headers: dict, body: str | bytes)`
for every request whose path starts with `prefix` (use prefixes under `/sextant-ext/`). Other
requests go to moto unchanged.

Started by Tests/TestSupport/MotoPeer.swift with the moto venv's Python (hack/tools.d/moto.sh);
prints one line `moto ready on http://127.0.0.1:PORT extensions=[...]` when it accepts requests.
"""
import argparse
import importlib.util
import os
import signal
import sys
import threading

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

try:  # moto >= 5 names its request handler; older versions have none
    from moto.moto_server.werkzeug_app import MotoRequestHandler
except ImportError:  # pragma: no cover
    MotoRequestHandler = None

HERE = os.path.dirname(os.path.abspath(__file__))


class ExtensionRegistry:
    """Routes added by extensions, by path prefix (longest first)."""

    def __init__(self):
        self.routes = []

    def route(self, prefix):
        def decorator(handler):
            self.routes.append((prefix, handler))
            self.routes.sort(key=lambda item: -len(item[0]))
            return handler
        return decorator

    def find(self, path):
        for prefix, handler in self.routes:
            if path.startswith(prefix):
                return handler
        return None


class ExtensionMiddleware:
    """WSGI: extension routes first, moto for everything else."""

    def __init__(self, moto_app, registry):
        self.moto_app = moto_app
        self.registry = registry

    def __call__(self, environ, start_response):
        handler = self.registry.find(environ.get("PATH_INFO", ""))
        if handler is None:
            return self.moto_app(environ, start_response)
        status, headers, body = handler(Request(environ))
        return Response(body, status=status, headers=headers)(environ, start_response)


def load_extensions(registry):
    names = []
    for filename in sorted(os.listdir(HERE)):
        if not filename.endswith("_ext.py"):
            continue
        name = filename[:-3]
        spec = importlib.util.spec_from_file_location(f"sextant_moto_{name}", os.path.join(HERE, filename))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        if hasattr(module, "register"):
            module.register(registry)
        names.append(name)
    return names


class ExtendedMotoServer(ThreadedMotoServer):
    def __init__(self, registry, **kwargs):
        super().__init__(**kwargs)
        self._registry = registry

    def _server_entry(self):
        app = ExtensionMiddleware(DomainDispatcherApplication(create_backend_app), self._registry)
        extra = {"request_handler": MotoRequestHandler} if MotoRequestHandler else {}
        self._server = make_server(self._ip_address, self._port, app, True, **extra)
        self._server_ready_event.set()
        self._server.serve_forever()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()

    registry = ExtensionRegistry()
    names = load_extensions(registry)
    server = ExtendedMotoServer(registry, ip_address=args.host, port=args.port, verbose=False)
    server.start()
    print(f"moto ready on http://{args.host}:{args.port} extensions={names}", flush=True)

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
