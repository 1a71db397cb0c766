"""Time per call of the random kernels (dropout, random_uniform, random_normal), one build
beside another (issue 14 item 5: mnist_convnet's two dropout instructions per step).

    python bench/random_kernels.py --build build/h_drop_base --build build/h_drop
    python bench/random_kernels.py --build A --build B --n 204800 --rounds 7 --isa avx2

Each build (a folder holding kerasette/_core*.so, run with python/ on the path) gets a
worker process per round; the rounds alternate between builds so that load from other
processes on a shared machine hits both alike. Each worker times every case as a
one-instruction Program (median of --reps calls after a warm-up); the table shows the
median over rounds, in microseconds.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

WORKER = r"""
import json, statistics, sys, time
import numpy as np
from kerasette.backend import core

n, reps, isa = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
if isa != "default":
    core.set_isa(isa)
x = np.random.default_rng(0).random(n, dtype=np.float32)
y, m = np.zeros(n, np.float32), np.zeros(n, np.float32)
cases = {
    "dropout": ("dropout", "x", [y, None], [0.5]),
    "dropout+mask": ("dropout", "x", [y, m], [0.5]),
    "random_uniform": ("random_uniform", None, [y], [-1.0, 2.0]),
    "random_normal": ("random_normal", None, [y], [0.0, 1.0]),
}
out = {"isa": core.cpu_features()["isa"]}
for threads in (1, 2):
    core.set_num_threads(threads)
    for name, (kern, xin, outs, floats) in cases.items():
        p = core.Program(0)
        ins = [p.ext(x)] if xin else []
        p.add(kern, ins, [-1 if o is None else p.ext(o) for o in outs], [n, 7], floats)
        p.run()
        ts = []
        for _ in range(reps):
            t0 = time.perf_counter()
            p.run()
            ts.append(time.perf_counter() - t0)
        out[f"{name} t{threads}"] = statistics.median(ts) * 1e6
print(json.dumps(out))
"""


def run_worker(build, n, reps, isa):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([os.path.abspath(build), os.path.join(ROOT, "python")])
    r = subprocess.run(
        [sys.executable, "-c", WORKER, str(n), str(reps), isa],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(r.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", action="append", required=True, help="a build folder (repeat)")
    ap.add_argument("--n", type=int, default=204800)
    ap.add_argument("--reps", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--isa", default="default", help="generic, avx2 or avx512")
    args = ap.parse_args()

    results = {b: [] for b in args.build}
    for _ in range(args.rounds):
        for b in args.build:
            results[b].append(run_worker(b, args.n, args.reps, args.isa))
    keys = [k for k in results[args.build[0]][0] if k != "isa"]
    print(f"n = {args.n}, median of {args.rounds} rounds x {args.reps} calls, microseconds")
    head = "".join(
        f"{os.path.basename(b.rstrip('/')) + ' (' + r[0]['isa'] + ')':>24s}"
        for b, r in results.items()
    )
    print(f"{'case':22s}{head}")
    for k in keys:
        row = "".join(f"{statistics.median(r[k] for r in rs):24.1f}" for rs in results.values())
        print(f"{k:22s}{row}")


if __name__ == "__main__":
    main()
