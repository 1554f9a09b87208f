#!/usr/bin/env python3
"""Sextant controller vs the kopf peer, one after the other, each on its own fresh
`sextant dev --no-controller`, driven by the kopf peer's `load.py` (N three-step MLPipelines).

    Benchmarks/compare-kopf.py [--sextant BIN] [--pipelines 300 [1000 ...]] [--kopf-dir DIR]

Prints per run and operator: seconds to all Succeeded, operator CPU seconds (utime+stime of its
process, from /proc, over the load), CPU ms per pipeline, peak RSS (VmHWM; and VmRSS once its
caches synced, before the load), the operator's API
requests by verb (from the dev server's --audit-log-path; the driver's requests, user agent
`sextant-bench-load/`, are left out) and the ratios kopf/Sextant. When the kopf peer folder or
Python's venv for it is missing, says so and measures Sextant alone.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from procstats import cpu_seconds, peak_rss_mb, rss_mb  # noqa: E402


def stop(proc: subprocess.Popen, wait: float = 15) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(wait)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def start_dev(sextant: str, work: str) -> tuple[subprocess.Popen, str]:
    log = open(os.path.join(work, "dev.log"), "w")
    proc = subprocess.Popen([sextant, "dev", "--port", "0", "--data-dir", os.path.join(work, "data"), "--no-controller",
                             "--audit-log-path", os.path.join(work, "audit.jsonl")],
                            stdout=subprocess.PIPE, stderr=log, text=True, start_new_session=True)
    assert proc.stdout is not None
    deadline = time.time() + 60
    while time.time() < deadline:
        line = proc.stdout.readline()
        m = re.match(r"export KUBECONFIG=(.*)", line.strip())
        if m:
            return proc, m.group(1)
        if proc.poll() is not None:
            break
    stop(proc)
    sys.exit(f"sextant dev did not start; see {work}/dev.log")


def requests_by_verb(audit: str, since_line: int) -> collections.Counter:
    verbs: collections.Counter = collections.Counter()
    with open(audit) as f:
        for i, line in enumerate(f):
            if i < since_line:
                continue
            try:
                e = json.loads(line)
            except ValueError:
                continue
            if e.get("userAgent", "").startswith("sextant-bench-load/"):
                continue
            verb = e.get("verb", "?")
            resource = e.get("objectRef", {}).get("resource", "")
            sub = e.get("objectRef", {}).get("subresource", "")
            verbs[verb] += 1
            verbs[f"{verb} {resource}{'/' + sub if sub else ''}"] += 1
    return verbs


def line_count(path: str) -> int:
    try:
        with open(path) as f:
            return sum(1 for _ in f)
    except FileNotFoundError:
        return 0


def start_perf(pid: int, out: str) -> subprocess.Popen:
    """`perf record -e cpu-clock -g` attached to a running process until stopped with SIGINT."""
    return subprocess.Popen(["perf", "record", "-e", "cpu-clock", "-F", "499", "-g", "-p", str(pid), "-o", out],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def stop_perf(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(120)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def run_one(name: str, operator_cmd: list[str], sextant: str, python: str, load: str, n: int, settle: float, timeout: float,
            stop_wait: float = 15, profile: str = "") -> dict:
    work = tempfile.mkdtemp(prefix=f"bench-{name}-")
    dev, kubeconfig = start_dev(sextant, work)
    op_log = open(os.path.join(work, f"{name}.log"), "w")
    cmd = [a.replace("{KUBECONFIG}", kubeconfig) for a in operator_cmd]
    op = subprocess.Popen(cmd, stdout=op_log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        time.sleep(settle)  # the operator lists, watches and syncs its caches before the load starts
        if op.poll() is not None:
            sys.exit(f"{name} exited at start; see {work}/{name}.log")
        audit = os.path.join(work, "audit.jsonl")
        audit_start = line_count(audit)
        idle_rss = rss_mb(op.pid)
        cpu0 = cpu_seconds(op.pid)
        dev_cpu0 = cpu_seconds(dev.pid)
        load0 = os.getloadavg()[0]
        perfs = []
        if profile:
            os.makedirs(profile, exist_ok=True)
            perfs = [start_perf(op.pid, os.path.join(profile, f"{name}-{n}.perf.data")),
                     start_perf(dev.pid, os.path.join(profile, f"dev-{name}-{n}.perf.data"))]
        t0 = time.time()
        driver0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        out = subprocess.run([python, load, kubeconfig, str(n), "--timeout", str(timeout)], capture_output=True, text=True)
        wall = time.time() - t0
        driver1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        driver_cpu = (driver1.ru_utime + driver1.ru_stime) - (driver0.ru_utime + driver0.ru_stime)
        created = re.search(r"create_seconds=([\d.]+)", out.stderr)
        cpu = cpu_seconds(op.pid) - cpu0
        dev_cpu = cpu_seconds(dev.pid) - dev_cpu0
        rss = peak_rss_mb(op.pid)
        load1 = os.getloadavg()[0]
        for perf in perfs:
            stop_perf(perf)
        last = (out.stdout.strip().splitlines() or [""])[-1]
        m = re.search(r"succeeded=(\d+) seconds=([\d.]+)", last)
        time.sleep(1)  # let trailing requests (events) land in the audit log
        verbs = requests_by_verb(audit, audit_start)
        return {"name": name, "n": n, "succeeded": int(m.group(1)) if m else 0, "seconds": float(m.group(2)) if m else wall,
                "cpu": cpu, "rss": rss, "idle_rss": idle_rss, "verbs": verbs, "load": (load0, load1), "dev_cpu": dev_cpu, "work": work, "driver": last, "stderr": out.stderr.strip(),
                "driver_cpu": driver_cpu, "create_seconds": float(created.group(1)) if created else None}
    finally:
        stop(op, stop_wait)  # a profiler wrapper writes its data on the way out
        stop(dev)


def report(r: dict) -> None:
    v = r["verbs"]
    writes = sum(c for k, c in v.items() if " " not in k and k not in ("list", "watch", "get"))
    print(f"  {r['name']:8} pipelines={r['n']} succeeded={r['succeeded']} seconds={r['seconds']:.2f} "
          f"cpu={r['cpu']:.2f}s ({r['cpu'] / max(r['n'], 1) * 1000:.1f} ms/pipeline) peak_rss={r['rss']:.0f}MB (idle {r['idle_rss']:.0f}MB) "
          f"requests(excl. list/watch/get)={writes} ({writes / max(r['n'], 1):.1f}/pipeline) "
          f"server_cpu={r['dev_cpu']:.2f}s load1={r['load'][0]:.2f}->{r['load'][1]:.2f}")
    creates = f"{r['create_seconds']:.2f}s" if r.get("create_seconds") is not None else "?"
    print(f"           driver: cpu={r['driver_cpu']:.2f}s, all creates answered after {creates}")
    top = ", ".join(f"{k}={c}" for k, c in sorted(v.items()) if " " in k)
    print(f"           by verb: {', '.join(f'{k}={c}' for k, c in sorted(v.items()) if ' ' not in k)}")
    print(f"           detail: {top}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sextant", default=os.path.join(ROOT, ".build", "release", "sextant"))
    p.add_argument("--pipelines", type=int, nargs="+", default=[300])
    p.add_argument("--kopf-dir", default=os.path.join(os.path.dirname(ROOT), "shared", "bench", "kopf-peer"))
    p.add_argument("--timeout", type=float, default=900)
    p.add_argument("--controller-args", default="", help="extra flags for `sextant controller`")
    p.add_argument("--wrapper", default="", help="command prefix for `sextant controller`, e.g. 'valgrind --tool=callgrind'")
    p.add_argument("--settle", type=float, default=3, help="seconds the Sextant controller gets to sync before the load")
    p.add_argument("--sextant-only", action="store_true", help="measure the Sextant controller alone (no kopf run)")
    p.add_argument("--profile", default="", metavar="DIR",
                   help="attach `perf record -e cpu-clock -g` to the operator and to its sextant dev during the load; "
                        "writes DIR/NAME-N.perf.data and DIR/dev-NAME-N.perf.data (read with `perf report -i`)")
    args = p.parse_args()
    if not os.access(args.sextant, os.X_OK):
        sys.exit(f"no sextant binary at {args.sextant}; build it: swift build -c release --product sextant")
    load = os.path.join(args.kopf_dir, "load.py")
    venv = os.environ.get("KOPF_PEER_VENV", "/tmp/kopf-peer-venv")
    python = os.path.join(venv, "bin", "python")
    kopf_ok = os.path.isfile(load) and os.path.isfile(os.path.join(args.kopf_dir, "peer.py"))
    if not kopf_ok:
        sys.exit(f"the kopf peer folder {args.kopf_dir} (load.py, peer.py) is missing: nothing to compare with and no driver")
    if not os.access(python, os.X_OK):
        print(f"no venv at {venv}; creating it with {args.kopf_dir}/requirements.txt (kopf, kubernetes)", flush=True)
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run([os.path.join(venv, "bin", "pip"), "install", "--quiet", "-r", os.path.join(args.kopf_dir, "requirements.txt")], check=True)
    has_kopf = os.access(os.path.join(venv, "bin", "kopf"), os.X_OK) and not args.sextant_only
    if not has_kopf and not args.sextant_only:
        print(f"kopf is not installed in {venv}: measuring Sextant alone", flush=True)
    sextant_cmd = args.wrapper.split() + [args.sextant, "controller", "--kubeconfig", "{KUBECONFIG}", "--all-namespaces",
                   "--metrics-bind-address", "0", "--health-probe-bind-address", "0", "--log-level", "warning"] + args.controller_args.split()
    kopf_cmd = [os.path.join(args.kopf_dir, "run.sh"), "{KUBECONFIG}", "--quiet"]
    for n in args.pipelines:
        print(f"== {n} three-step pipelines (fresh sextant dev --no-controller each; driver {load})", flush=True)
        s = run_one("sextant", sextant_cmd, args.sextant, python, load, n, args.settle, args.timeout, 300 if args.wrapper else 15,
                    profile=args.profile)
        report(s)
        if has_kopf:
            k = run_one("kopf", kopf_cmd, args.sextant, python, load, n, 8, args.timeout, profile=args.profile)
            report(k)
            print(f"  ratios kopf/sextant: time {k['seconds'] / max(s['seconds'], 1e-9):.2f}x, "
                  f"CPU per pipeline {k['cpu'] / max(s['cpu'], 1e-9):.2f}x, peak RSS {k['rss'] / max(s['rss'], 1e-9):.2f}x")
            ok = s["succeeded"] == n and k["seconds"] >= 2 * s["seconds"] and s["cpu"] * 3 <= k["cpu"]
            print(f"  target (Sextant >= 2x faster, <= 1/3 of kopf's CPU): {'met' if ok else 'NOT met'}")
        for r in ([s, k] if has_kopf else [s]):
            if r["succeeded"] != n:
                print(f"  {r['name']}: {r['driver']} / {r['stderr'][-300:]} (logs kept in {r['work']})")
            else:
                shutil.rmtree(r["work"], ignore_errors=True)


if __name__ == "__main__":
    main()
