#!/usr/bin/env python3
"""kill -9 of the Sextant controller at random moments during a pipeline run.

    hack/chaos-controller-kill.py [--kills 100] [--pipelines 200] [--seed S] [--result FILE]

A fresh `sextant dev --no-controller` on loopback; `--pipelines` three-step MLPipelines (each
step's simulated pod runs 0-`--step-seconds` s; every run registers a ModelVersion) are created
at a steady rate while a `sextant controller` is killed with SIGKILL `--kills` times, each at a
random moment 0.2-`--max-interval` s after its (re)start, and restarted at once. Then one last
controller runs until every pipeline is terminal (bounded by `--timeout`).

Passes (exit 0) when: every pipeline Succeeded (0 stuck runs), each (pipeline, step) has exactly
one Job (0 duplicate Jobs), each run registered exactly one ModelVersion (0 duplicates). Prints
`RESULT {json}` as its last line (and writes it to --result).
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "chaos"))
import chaoslib as c  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--kills", type=int, default=100)
    p.add_argument("--pipelines", type=int, default=200)
    p.add_argument("--max-interval", type=float, default=3.0, help="longest run of the controller between kills (s)")
    p.add_argument("--step-seconds", type=float, default=1.0, help="longest simulated step (s)")
    p.add_argument("--timeout", type=float, default=600, help="after the last kill, seconds to wait for all runs")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--work-dir", default=None, help="keep data and logs here (default: a temp dir, removed on success)")
    p.add_argument("--result", default=None)
    args = p.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    work = c.work_dir("chaos-controller-kill-", args.work_dir)
    binary = c.sextant_binary()
    c.log(f"seed={seed} work={work} binary={binary} load={c.load_average()}")

    dev = c.DevServer(binary, os.path.join(work, "dev"))
    dev.start()
    kube = c.Kube(dev.kubeconfig)
    ns = "chaos-kill"
    c.create_namespace(kube, ns)
    operator = c.Operator(binary, dev.kubeconfig, os.path.join(work, "controller.log"))
    names = [f"run-{i:04d}" for i in range(args.pipelines)]
    # Creates spread over the expected kill period, so kills land while runs start, step and register.
    spread = args.kills * (0.2 + args.max_interval) / 2

    create_rng = random.Random(seed + 1)  # the creator thread's own, so the kill schedule stays reproducible

    def create_all() -> None:
        for i, name in enumerate(names):
            body = c.pipeline(name, ns, seconds=round(create_rng.uniform(0, args.step_seconds), 2), register=True)
            kube.call("POST", c.pipelines_path(ns), body, ok=(201, 409))
            time.sleep(max(spread / max(len(names), 1), 0) * (1 if i < len(names) - 1 else 0))

    creator = threading.Thread(target=create_all, name="creator")
    started = time.time()
    try:
        operator.start()
        creator.start()
        for k in range(args.kills):
            time.sleep(rng.uniform(0.2, args.max_interval))
            operator.kill9()
            operator.start()
            if (k + 1) % 10 == 0:
                c.log(f"{k + 1} kills; phases: {summary(c.phases(kube, ns))}")
        creator.join()
        kills_done = time.time()
        seen, waited = c.wait_terminal(kube, ns, names, args.timeout)
        dup = c.duplicate_report(kube, ns, names, register=True)
    finally:
        operator.stop()
        dev.stop()
    succeeded = sum(1 for n in names if seen.get(n) == "Succeeded")
    stuck = [n for n in names if seen.get(n) not in c.TERMINAL]
    failed = [n for n in names if seen.get(n) == "Failed"]
    result = {
        "script": "chaos-controller-kill", "seed": seed, "kills": args.kills, "pipelines": args.pipelines,
        "succeeded": succeeded, "failed": failed[:10], "stuck": stuck[:10], "stuck_count": len(stuck),
        "duplicate_jobs": len(dup["duplicate_jobs"]), "missing_jobs": len(dup["missing_jobs"]),
        "jobs": dup["jobs"], "model_versions": dup["model_versions"],
        "duplicate_model_versions": len(dup["duplicate_model_versions"]),
        "seconds_total": round(time.time() - started, 1), "seconds_after_last_kill": round(waited, 1),
        "kill_phase_seconds": round(kills_done - started, 1), "load_average": c.load_average(),
    }
    ok = (succeeded == len(names) and not dup["duplicate_jobs"] and not dup["duplicate_model_versions"]
          and dup["model_versions"] == len(names))
    result["passed"] = ok
    c.write_result(args.result, result)
    if ok and not args.work_dir:
        import shutil
        shutil.rmtree(work, ignore_errors=True)
    elif not ok:
        print(f"logs kept in {work}; duplicates: {dup}", file=sys.stderr)
    return 0 if ok else 1


def summary(phases: dict[str, str]) -> str:
    counts: dict[str, int] = {}
    for ph in phases.values():
        counts[ph or "-"] = counts.get(ph or "-", 0) + 1
    return ", ".join(f"{k}={v}" for k, v in sorted(counts.items()))


if __name__ == "__main__":
    sys.exit(main())
