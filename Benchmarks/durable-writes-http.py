#!/usr/bin/env python3
"""Durable writes per second of `sextant dev` over HTTPS, and that every acknowledged one survives kill -9.

    Benchmarks/durable-writes-http.py [--sextant BIN] [--writes 4000] [--clients 32]

Starts `sextant dev --no-controller` on a free port with a fresh data dir, then runs CLIENTS
`curl` processes at once, each creating WRITES/CLIENTS ConfigMaps one after the other over one
kept-alive TLS connection (curl is C: the client is not the limit, as the Python client was at
~500/s). A create is acknowledged when its answer is 201; the server answers a create only after
its log record is fsynced (group commit: one fsync for the writes that arrived together). Prints
acknowledged creates per second, the server's CPU seconds, then kills the server with SIGKILL,
starts it again on the same data dir and checks that every acknowledged ConfigMap is listed.
Exit status 0 only if none is missing.
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from procstats import cpu_seconds  # noqa: E402


def start_dev(sextant: str, data: str, log: str) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sextant, "dev", "--port", "0", "--data-dir", data, "--no-controller"],
                            stdout=subprocess.PIPE, stderr=open(log, "a"), text=True, start_new_session=True)
    assert proc.stdout is not None
    deadline = time.time() + 60
    while time.time() < deadline:
        m = re.match(r"export KUBECONFIG=(.*)", proc.stdout.readline().strip())
        if m:
            return proc, m.group(1)
        if proc.poll() is not None:
            break
    os.killpg(proc.pid, signal.SIGKILL)
    sys.exit(f"sextant dev did not start; see {log}")


def cluster(kubeconfig: str, work: str) -> tuple[str, str, str]:
    text = open(kubeconfig).read()
    server = re.search(r"server: (\S+)", text)
    token = re.search(r"token: (\S+)", text)
    ca = re.search(r"certificate-authority-data: (\S+)", text)
    if not (server and token and ca):
        sys.exit(f"cannot read server, token and CA from {kubeconfig}")
    ca_path = os.path.join(work, "ca.pem")
    with open(ca_path, "wb") as f:
        f.write(base64.b64decode(ca.group(1)))
    return server.group(1), token.group(1), ca_path


def client_config(path: str, server: str, token: str, ca: str, names: list[str]) -> None:
    """A curl config: one block per create, all on one connection (curl reuses it)."""
    with open(path, "w") as f:
        for i, name in enumerate(names):
            if i:
                f.write("next\n")
            body = json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"k": name}})
            f.write(f'url = "{server}/api/v1/namespaces/default/configmaps"\n')
            f.write(f'cacert = "{ca}"\nheader = "Authorization: Bearer {token}"\nheader = "Content-Type: application/json"\n')
            f.write("data = " + json.dumps(body) + "\n")
            f.write('output = "/dev/null"\nwrite-out = "%{http_code}\\n"\n')


def listed_names(server: str, token: str, ca: str) -> set[str]:
    ctx = ssl.create_default_context(cafile=ca)
    req = urllib.request.Request(f"{server}/api/v1/namespaces/default/configmaps",
                                 headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, context=ctx, timeout=60) as r:
        return {i["metadata"]["name"] for i in json.load(r)["items"]}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sextant", default=os.path.join(ROOT, ".build", "release", "sextant"))
    p.add_argument("--writes", type=int, default=4000)
    p.add_argument("--clients", type=int, default=32)
    a = p.parse_args()
    if not shutil.which("curl"):
        sys.exit("curl is needed (apt-get install curl)")
    work = tempfile.mkdtemp(prefix="durable-writes-")
    data, log = os.path.join(work, "data"), os.path.join(work, "dev.log")
    dev, kubeconfig = start_dev(a.sextant, data, log)
    try:
        server, token, ca = cluster(kubeconfig, work)
        per = a.writes // a.clients
        configs = []
        for c in range(a.clients):
            path = os.path.join(work, f"client-{c}.cfg")
            names = [f"w-{c}-{i}" for i in range(per)]
            client_config(path, server, token, ca, names)
            configs.append((path, names))
        load0, cpu0 = os.getloadavg()[0], cpu_seconds(dev.pid)
        t0 = time.time()
        procs = [(subprocess.Popen(["curl", "-s", "-K", path], stdout=subprocess.PIPE, text=True), names) for path, names in configs]
        acknowledged: list[str] = []
        other: dict[str, int] = {}
        for proc, names in procs:
            out, _ = proc.communicate()
            for name, code in zip(names, out.split()):
                if code == "201":
                    acknowledged.append(name)
                else:
                    other[code] = other.get(code, 0) + 1
        seconds = time.time() - t0
        cpu = cpu_seconds(dev.pid) - cpu0
        print(f"durable creates over HTTPS: {len(acknowledged)} acknowledged of {per * a.clients} in {seconds:.2f} s = "
              f"{len(acknowledged) / seconds:.0f}/s ({a.clients} curl clients, one TLS connection each); other answers {other or 'none'}; "
              f"server CPU {cpu:.2f} s ({cpu / max(len(acknowledged), 1) * 1e6:.0f} us/write); load1 {load0:.2f}->{os.getloadavg()[0]:.2f}")
        os.killpg(dev.pid, signal.SIGKILL)
        dev.wait()
        dev, kubeconfig = start_dev(a.sextant, data, log)
        server, token, ca = cluster(kubeconfig, work)
        present = listed_names(server, token, ca)
        missing = [n for n in acknowledged if n not in present]
        print(f"after kill -9 and restart: {len(acknowledged) - len(missing)} of {len(acknowledged)} acknowledged creates present; missing {len(missing)}")
        if missing or not acknowledged:
            sys.exit(1)
    finally:
        if dev.poll() is None:
            os.killpg(dev.pid, signal.SIGTERM)
            dev.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
