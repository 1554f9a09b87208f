#!/usr/bin/env python3
"""Every run completes under API faults: injected 500/429/503, cut watch streams, forced 410s.

    hack/chaos-faults.py [--pipelines 200] [--error-rate 0.1] [--watch-event-limit 50]
                         [--compact-every 5] [--seed S] [--result FILE]

A fresh `sextant dev --no-controller` on loopback with `--fault-error-rate` (share of all API
requests answered 500, 429 or 503, Retry-After 1 s), `--fault-watch-event-limit` (every watch
stream is cut after that many events) and a short watch history; every `--compact-every` seconds
the script POSTs `{"compact": true}` to /admin/faults, so watches resuming from an older
resourceVersion get 410 Expired and relist. A `sextant controller` runs `--pipelines` three-step
MLPipelines (each registers a ModelVersion). The driver's own requests go through the same
faults and are retried.

Passes when every pipeline Succeeded within `--timeout`, with exactly one Job per step and one
ModelVersion per run. Prints `RESULT {json}`: injected errors, watch streams cut, the
controller's list requests from the audit log (beyond one per informer they are relists after
410 Expired), seconds, load average.
"""
from __future__ import annotations

import argparse
import json
import concurrent.futures
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "chaos"))
import chaoslib as c  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--pipelines", type=int, default=200)
    p.add_argument("--error-rate", type=float, default=0.1)
    p.add_argument("--watch-event-limit", type=int, default=50)
    p.add_argument("--watch-history", type=int, default=500, help="change events the server keeps for watches")
    p.add_argument("--compact-every", type=float, default=5.0, help="seconds between forced compactions (0: never)")
    p.add_argument("--timeout", type=float, default=600)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--work-dir", default=None)
    p.add_argument("--result", default=None)
    args = p.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    random.seed(seed)
    work = c.work_dir("chaos-faults-", args.work_dir)
    binary = c.sextant_binary()
    c.log(f"seed={seed} work={work} binary={binary} load={c.load_average()}")

    dev = c.DevServer(binary, os.path.join(work, "dev"), [
        "--fault-error-rate", str(args.error_rate), "--fault-error-codes", "500,429,503", "--fault-retry-after", "1",
        "--fault-watch-event-limit", str(args.watch_event_limit), "--watch-history", str(args.watch_history),
        "--audit-log-path", os.path.join(work, "audit.jsonl")])
    dev.start()
    kube = c.Kube(dev.kubeconfig)
    ns = "chaos-faults"
    c.create_namespace(kube, ns)
    operator = c.Operator(binary, dev.kubeconfig, os.path.join(work, "controller.log"))
    names = [f"run-{i:04d}" for i in range(args.pipelines)]
    stop = threading.Event()
    compactions = 0

    def compactor() -> None:
        nonlocal compactions
        while args.compact_every > 0 and not stop.wait(args.compact_every):
            try:
                dev.faults({"compact": True})
                compactions += 1
            except c.ApiError:
                pass

    started = time.time()
    try:
        operator.start()
        threading.Thread(target=compactor, daemon=True).start()
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda n: kube.call("POST", c.pipelines_path(ns), c.pipeline(n, ns, register=True), ok=(201, 409)), names))
        c.log(f"created {len(names)} pipelines in {time.time() - started:.1f}s")
        seen, waited = c.wait_terminal(kube, ns, names, args.timeout)
        stop.set()
        injected = dev.faults({}).get("injectedCount", 0)
        dup = c.duplicate_report(kube, ns, names, register=True)
    finally:
        stop.set()
        operator.stop()
        dev.stop()
    succeeded = sum(1 for n in names if seen.get(n) == "Succeeded")
    stuck = [n for n in names if seen.get(n) not in c.TERMINAL]
    log_text = open(os.path.join(work, "controller.log"), errors="replace").read()
    dev_log = open(os.path.join(work, "dev", "dev.log"), errors="replace").read()
    lists = 0
    with open(os.path.join(work, "audit.jsonl"), errors="replace") as f:
        for line in f:
            try:
                e = json.loads(line)
            except ValueError:
                continue
            if e.get("userAgent", "").startswith("sextant-controller") and e.get("verb") == "list":
                lists += 1
    result = {
        "script": "chaos-faults", "seed": seed, "pipelines": args.pipelines, "error_rate": args.error_rate,
        "watch_event_limit": args.watch_event_limit, "compactions": compactions, "injected_faults": injected,
        "succeeded": succeeded, "stuck_count": len(stuck), "stuck": stuck[:10],
        "failed": [n for n in names if seen.get(n) == "Failed"][:10],
        "duplicate_jobs": len(dup["duplicate_jobs"]), "model_versions": dup["model_versions"],
        "duplicate_model_versions": len(dup["duplicate_model_versions"]),
        "controller_warnings": log_text.count("warning"), "watch_streams_cut": dev_log.count("watch stream cut"),
        "controller_lists": lists, "seconds": round(time.time() - started, 1),
        "load_average": c.load_average(),
    }
    ok = (succeeded == len(names) and not dup["duplicate_jobs"] and not dup["duplicate_model_versions"]
          and dup["model_versions"] == len(names))
    result["passed"] = ok
    c.write_result(args.result, result)
    if ok and not args.work_dir:
        import shutil
        shutil.rmtree(work, ignore_errors=True)
    elif not ok:
        print(f"logs kept in {work}", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
