#!/usr/bin/env python3
"""Leader failover under load: two `sextant controller --leader-elect` replicas; the leader is
killed with SIGKILL while pipelines keep arriving; the standby must take over in < 20 s.

    hack/chaos-failover.py [--failovers 5] [--rate 3] [--seed S] [--result FILE]

A fresh `sextant dev --no-controller` on loopback; two replicas with the default lease timing
(12 s lease, 8 s renew deadline, 2 s retry; override with --lease-args). A creator thread adds
three-step MLPipelines at `--rate` per second the whole time. Each failover: find the leader
(`leader_election_master_status` 1 on its /metrics), SIGKILL it, and measure
- `takeover`: kill → the other replica reports leader_election_master_status 1;
- `resumed`: kill → the server receives the new leader's first Job create or MLPipeline status
  write (from the audit log; the new leader is reconciling again; writes received in the first
  second after the kill are the dead leader's requests still in flight and do not count);
then start a fresh replica in the killed one's place and let the load run `--settle` seconds.
At the end every pipeline must reach Succeeded (0 stuck runs, one Job per step).

Passes when every `resumed` < `--limit` (20 s) and no run is stuck. Prints `RESULT {json}`.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import socket
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "chaos"))
import chaoslib as c  # noqa: E402

NS = "chaos-failover"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Replica:
    def __init__(self, binary: str, kubeconfig: str, log_path: str, lease_args: list[str]) -> None:
        self.port = free_port()
        self.op = c.Operator(binary, kubeconfig, log_path, ["--leader-elect", "--leader-election-namespace", "default"] + lease_args,
                             metrics=f"127.0.0.1:{self.port}")

    def start(self) -> None:
        self.op.start()

    def leading(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/metrics", timeout=1) as r:
                for line in r.read().decode().splitlines():
                    if line.startswith("leader_election_master_status{"):
                        return float(line.rsplit(" ", 1)[1]) == 1
        except OSError:
            pass
        return False


def first_work_after(audit: str, since: float) -> float | None:
    """Epoch seconds of the first controller write of a Job or an MLPipeline status the server
    received after `since` (from the audit log; Lease and Event writes do not count)."""
    try:
        f = open(audit, errors="replace")
    except FileNotFoundError:
        return None
    with f:
        for line in f:
            try:
                e = json.loads(line)
            except ValueError:
                continue
            ref = e.get("objectRef") or {}
            if (not e.get("userAgent", "").startswith("sextant-controller") or e.get("verb") not in ("create", "update", "patch")
                    or ref.get("resource") not in ("jobs", "mlpipelines")):
                continue
            received = datetime.datetime.strptime(e["requestReceivedTimestamp"].replace("Z", "+0000"), "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()
            if received > since:
                return received
    return None


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--failovers", type=int, default=5)
    p.add_argument("--rate", type=float, default=3, help="pipelines created per second during the test")
    p.add_argument("--settle", type=float, default=5, help="seconds between a takeover and the next kill")
    p.add_argument("--limit", type=float, default=20)
    p.add_argument("--lease-args", default="", help="e.g. '--leader-election-lease-duration 5 ...' (default: the controller's defaults)")
    p.add_argument("--timeout", type=float, default=300)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--work-dir", default=None)
    p.add_argument("--result", default=None)
    args = p.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    work = c.work_dir("chaos-failover-", args.work_dir)
    binary = c.sextant_binary()
    c.log(f"seed={seed} work={work} binary={binary} load={c.load_average()}")
    audit = os.path.join(work, "audit.jsonl")
    dev = c.DevServer(binary, os.path.join(work, "dev"), ["--audit-log-path", audit])
    dev.start()
    kube = c.Kube(dev.kubeconfig)
    c.create_namespace(kube, NS)
    lease_args = args.lease_args.split()
    replicas: list[Replica] = []
    names: list[str] = []
    stop = threading.Event()

    def creator() -> None:
        i = 0
        while not stop.is_set():
            name = f"run-{i:05d}"
            kube.call("POST", c.pipelines_path(NS), c.pipeline(name, NS, seconds=round(rng.uniform(0, 1), 2)), ok=(201, 409))
            names.append(name)
            i += 1
            stop.wait(1 / args.rate)

    def new_replica(k: int) -> Replica:
        r = Replica(binary, dev.kubeconfig, os.path.join(work, f"replica-{k}.log"), lease_args)
        r.start()
        return r

    takeovers: list[float] = []
    resumed: list[float] = []
    started = time.time()
    try:
        replicas = [new_replica(0), new_replica(1)]
        thread = threading.Thread(target=creator, daemon=True)
        thread.start()
        for f in range(args.failovers):
            deadline = time.time() + 60
            leader = None
            while leader is None and time.time() < deadline:
                leader = next((r for r in replicas if r.leading()), None)
                time.sleep(0.2)
            if leader is None:
                raise SystemExit("no replica became leader within 60 s")
            time.sleep(args.settle)
            standby = next(r for r in replicas if r is not leader)
            killed_at = time.time()
            leader.op.kill9()
            took = got = None
            while time.time() - killed_at < 120 and (took is None or got is None):
                if took is None and standby.leading():
                    took = time.time() - killed_at
                # The new leader's first Job create or status write: it is reconciling again.
                # Writes received in the first second are the killed leader's, still in flight
                # (no standby can take over a 12 s lease that fast).
                if got is None and took is not None:
                    first = first_work_after(audit, killed_at + 1.0)
                    got = first - killed_at if first is not None else None
                time.sleep(0.2)
            takeovers.append(round(took, 2) if took is not None else -1)
            resumed.append(round(got, 2) if got is not None else -1)
            c.log(f"failover {f + 1}: takeover {took}s, first write by the new leader {got}s, load={c.load_average()}")
            replicas = [standby, new_replica(f + 2)]
        stop.set()
        thread.join()
        seen, _ = c.wait_terminal(kube, NS, names, args.timeout)
        dup = c.duplicate_report(kube, NS, names, register=False)
    finally:
        stop.set()
        for r in replicas:
            r.op.stop()
        dev.stop()
    stuck = [n for n in names if seen.get(n) not in c.TERMINAL]
    succeeded = sum(1 for n in names if seen.get(n) == "Succeeded")
    ok = (all(0 <= x < args.limit for x in resumed) and succeeded == len(names) and not dup["duplicate_jobs"])
    result = {
        "script": "chaos-failover", "seed": seed, "failovers": args.failovers, "pipelines": len(names),
        "takeover_seconds": takeovers, "resumed_seconds": resumed,
        "resumed_max": max(resumed) if resumed else None, "limit": args.limit,
        "succeeded": succeeded, "stuck_count": len(stuck), "duplicate_jobs": len(dup["duplicate_jobs"]),
        "seconds": round(time.time() - started, 1), "load_average": c.load_average(), "passed": ok,
    }
    c.write_result(args.result, result)
    if ok and not args.work_dir:
        import shutil
        shutil.rmtree(work, ignore_errors=True)
    elif not ok:
        print(f"logs kept in {work}", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
