#!/usr/bin/env python3
"""kill -9 of `sextant dev` during a write burst: every acknowledged write survives the restart.

    hack/chaos-dev-kill.py [--rounds 20] [--writers 32] [--seed S] [--result FILE]

Each round: `sextant dev --no-controller` on loopback (the same data directory every round);
`--writers` threads, each on its own keep-alive connection, create ConfigMaps and every third
request update one of their own earlier ConfigMaps with a higher counter. Every answered write
(201/200) is appended to `acked.log` in the work directory before the next request. At a random
moment 0.5-`--max-burst` s into the burst the server gets SIGKILL; it is restarted on the same
directory and every acknowledged create must exist and every acknowledged update must be there
with at least the acknowledged counter (a writer's later, unanswered update may have landed).
Also reports the durable writes/s the burst reached (acknowledged writes / burst seconds).

Passes when nothing acknowledged is missing in any round. Prints `RESULT {json}`.
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

NS = "default"
CM = f"/api/v1/namespaces/{NS}/configmaps"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=20)
    p.add_argument("--writers", type=int, default=32)
    p.add_argument("--max-burst", type=float, default=3.0, help="latest kill moment after the burst starts (s)")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--work-dir", default=None)
    p.add_argument("--result", default=None)
    args = p.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    work = c.work_dir("chaos-dev-kill-", args.work_dir)
    binary = c.sextant_binary()
    c.log(f"seed={seed} work={work} binary={binary} load={c.load_average()}")
    dev = c.DevServer(binary, os.path.join(work, "dev"))
    acked_log = open(os.path.join(work, "acked.log"), "a")
    lost: list[str] = []
    rounds: list[dict] = []
    try:
        for r in range(args.rounds):
            dev.start()
            kube = c.Kube(dev.kubeconfig)
            created: dict[str, int] = {}  # name -> highest acknowledged counter
            lock = threading.Lock()
            stop = threading.Event()

            def writer(w: int) -> None:
                mine: list[str] = []
                i = 0
                while not stop.is_set():
                    i += 1
                    try:
                        if mine and i % 3 == 0:
                            name = mine[(i // 3) % len(mine)]
                            status, _ = kube.raw("PUT", f"{CM}/{name}", {"apiVersion": "v1", "kind": "ConfigMap",
                                                 "metadata": {"name": name, "namespace": NS}, "data": {"n": str(i)}})
                        else:
                            name = f"r{r}-w{w}-{i}"
                            status, _ = kube.raw("POST", CM, {"apiVersion": "v1", "kind": "ConfigMap",
                                                 "metadata": {"name": name, "namespace": NS}, "data": {"n": str(i)}})
                    except Exception:  # the server died mid-request: not acknowledged
                        return
                    if status in (200, 201):
                        with lock:
                            created[name] = i
                            acked_log.write(f"{r} {name} {i}\n")
                        if status == 201:
                            mine.append(name)

            threads = [threading.Thread(target=writer, args=(w,), daemon=True) for w in range(args.writers)]
            burst_start = time.time()
            for t in threads:
                t.start()
            time.sleep(rng.uniform(0.5, args.max_burst))
            dev.kill9()
            burst = time.time() - burst_start
            stop.set()
            for t in threads:
                t.join(10)
            acked_log.flush()
            with lock:
                acked = dict(created)
            dev.start()
            kube = c.Kube(dev.kubeconfig)
            stored = {cm["metadata"]["name"]: int((cm.get("data") or {}).get("n", "0"))
                      for cm in kube.list(CM) if cm["metadata"]["name"].startswith(f"r{r}-")}
            missing = [n for n in acked if n not in stored]
            stale = [n for n, v in acked.items() if n in stored and stored[n] < v]
            lost += missing + stale
            rounds.append({"acked": len(acked), "stored": len(stored), "missing": len(missing), "stale": len(stale),
                           "burst_seconds": round(burst, 2), "acked_per_second": round(len(acked) / burst)})
            c.log(f"round {r + 1}: acknowledged={len(acked)} in {burst:.2f}s ({len(acked) / burst:.0f}/s) "
                  f"stored={len(stored)} missing={len(missing)} stale={len(stale)} load={c.load_average()}")
            dev.stop()
    finally:
        dev.stop()
        acked_log.close()
    rates = sorted(x["acked_per_second"] for x in rounds)
    result = {
        "script": "chaos-dev-kill", "seed": seed, "rounds": len(rounds), "writers": args.writers,
        "acknowledged": sum(x["acked"] for x in rounds), "lost": len(lost), "lost_examples": lost[:10],
        "acked_writes_per_second_median": rates[len(rates) // 2] if rates else 0,
        "load_average": c.load_average(), "passed": not lost and len(rounds) == args.rounds,
    }
    c.write_result(args.result, result)
    if result["passed"] and not args.work_dir:
        import shutil
        shutil.rmtree(work, ignore_errors=True)
    elif not result["passed"]:
        print(f"data and acked.log kept in {work}", file=sys.stderr)
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
