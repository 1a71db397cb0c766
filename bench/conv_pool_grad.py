"""The first conv layer's backward fused (conv2d_pool_grad_filter) against the three
instructions it replaces, in keras-io's mnist_convnet train step (issue 14 item 5).

    PYTHONPATH=build/<dir>:python python3 bench/conv_pool_grad.py [--rounds 5] [--reps 30]

Each round runs two fresh processes on the same core, one with the fusion and one
without it (only this pattern switched off, every other fusion on), and prints the
median (and minimum) time of the whole step and of the first layer's backward
instructions, each re-run alone on its own buffers as bench/conv_profile.py does.
Rounds alternate the order; the summary gives the medians over rounds.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

FIRST_LAYER = ("conv2d_pool_grad_filter", "pool2d_grad", "reduce", "conv2d_grad_filter")


def best(fn, reps):
    """Median and minimum wall time of fn (the minimum: what a quiet machine gives)."""
    import time

    fn()
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts), min(ts)


def one(fused, reps, threads):
    import numpy as np

    sys.path.insert(0, os.path.dirname(__file__))
    from conv_profile import build

    import kerasette as keras
    from kerasette.backend import core
    from kerasette.graph.passes import conv_fusion

    if not fused:
        conv_fusion.fuse_conv_pool_grad = lambda fn: fn
    core.set_num_threads(threads)
    rng = np.random.default_rng(0)
    x = rng.random((512, 28, 28, 1), dtype=np.float32)
    y = rng.integers(0, 10, 512)
    model = build(keras)
    model.fit(x, y, batch_size=128, epochs=1, verbose=0)
    prog = model._lp._train.programs[128]
    whole, whole_min = best(lambda: prog.program.run(1e-3, 1), reps)
    # the first layer's backward: 128x26x26x32 operands (the conv output's size)
    big = 128 * 26 * 26 * 32
    parts = parts_min = 0.0
    for ins in prog.instrs:
        if ins.kernel not in FIRST_LAYER:
            continue
        if not any(v is not None and v.size == big for v in ins.ins):
            continue
        vals = [v for v in ins.ins + ins.outs if v is not None]
        offs, off = {}, 0
        for v in vals:
            if id(v) not in offs:
                offs[id(v)] = off
                off += v.size
        p = core.Program(max(off, 1))
        p.workspace()[:] = rng.random(off, dtype=np.float32)
        ids = {id(v): p.ws(offs[id(v)], v.size) for v in vals}
        p.add(
            ins.kernel,
            [-1 if v is None else ids[id(v)] for v in ins.ins],
            [-1 if v is None else ids[id(v)] for v in ins.outs],
            ins.ints,
            ins.floats,
        )
        med, low = best(lambda p=p: p.run(1e-3, 1), reps)
        parts += med
        parts_min += low
    ms = {"whole": whole, "whole_min": whole_min, "bwd": parts, "bwd_min": parts_min}
    return {k: round(v * 1e3, 3) for k, v in ms.items()}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--reps", type=int, default=30)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--child", choices=["fused", "unfused"])
    args = ap.parse_args()
    if args.child:
        print(json.dumps(one(args.child == "fused", args.reps, args.threads)))
        return
    res = {"fused": [], "unfused": []}
    for r in range(args.rounds):
        order = ("fused", "unfused") if r % 2 == 0 else ("unfused", "fused")
        for v in order:
            cmd = [sys.executable, __file__, "--child", v, "--reps", str(args.reps)]
            cmd += ["--threads", str(args.threads)]
            out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
            res[v].append(json.loads(out.strip().splitlines()[-1]))
            print(f"round {r} {v:8s} {res[v][-1]}", flush=True)
    print(f"\nmedians over {args.rounds} rounds, {args.threads} threads:")
    for v, rows in res.items():
        m = {k: statistics.median(x[k] for x in rows) for k in rows[0]}
        print(
            f"  {v:8s} whole step {m['whole']:7.2f} ms (min {m['whole_min']:6.2f})"
            f"   first layer's backward {m['bwd']:6.3f} ms (min {m['bwd_min']:6.3f})"
        )


if __name__ == "__main__":
    main()
