"""GEMM throughput: kerasette beside numpy's BLAS and PyTorch, and the FMA peak.

    python bench/gemm.py                 # squares 256..2048 + MLP shapes, 1 and 2 threads
    python bench/gemm.py --rounds 5 --threads 1
    python bench/gemm.py --isa avx2      # force kerasette's kernel path

At one thread kerasette and numpy run in one worker process, alternating call by call
so that load from other processes hits both alike; at more threads every library has
a worker process of its own (idle-spinning thread pools would fight in one process);
torch always runs in its own worker. The table shows
the median over rounds of each worker's median time. The worker runs with
OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from the environment, so OpenBLAS picks
its own kernel for this CPU (the name threadpoolctl reports is printed). The FMA peak comes from bench/fma_peak.cc,
compiled here on first use: independent FMA chains at full issue rate, per thread count,
for 256-bit (AVX2) and, where the CPU has it, 512-bit (AVX-512) vectors.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# (label, M, N, K, trans_a, trans_b): C (M x N) = op(A) (M x K) @ op(B) (K x N)
SQUARES = [(f"{n}^3", n, n, n, False, False) for n in (256, 512, 1024, 2048)]
MLP = [  # Dense 784-256-128 at batch 128: forward, dW = X^T dY, dX = dY W^T
    ("fwd 128x784@784x256", 128, 256, 784, False, False),
    ("fwd 128x256@256x128", 128, 128, 256, False, False),
    ("dW 784x128@128x256 TN", 784, 256, 128, True, False),
    ("dX 128x256@256x784 NT", 128, 784, 256, False, True),
    ("dW 256x128@128x128 TN", 256, 128, 128, True, False),
    ("dX 128x128@128x256 NT", 128, 256, 128, False, True),
]


# ---------------------------------------------------------------- workers


def _operands(np, m, n, k, ta, tb):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((k, m) if ta else (m, k)).astype(np.float32)
    b = rng.standard_normal((n, k) if tb else (k, n)).astype(np.float32)
    return a, b


def _time(fns, flops):
    """Median seconds per call of each function, calls interleaved (a, b, a, b, ...)
    so that a busy moment on a shared machine hits every library alike."""
    for fn in fns:  # warm up: packing buffers, thread pools, caches
        fn()
        fn()
    reps = max(3, min(200, int(0.25 / max(flops / 100e9, 1e-6))))
    ts = [[] for _ in fns]
    for _ in range(reps):
        for i, fn in enumerate(fns):
            t = time.perf_counter()
            fn()
            ts[i].append(time.perf_counter() - t)
    return [statistics.median(t) for t in ts]


def _setup(lib, np):
    """(name, set_threads, make(a, b, c, ta, tb) -> call) for one library."""
    if lib == "kerasette":
        sys.path.insert(0, os.path.join(ROOT, "python"))
        from kerasette.backend import core

        return (
            f"kerasette ({core.cpu_features()['isa']})",
            core.set_num_threads,
            lambda a, b, c, ta, tb: lambda: core.gemm(a, b, c, trans_a=ta, trans_b=tb),
        )
    if lib == "numpy":
        import threadpoolctl

        info = [i for i in threadpoolctl.threadpool_info() if i.get("user_api") == "blas"]
        name = (
            "numpy "
            + ", ".join(
                f"{i.get('internal_api')} {i.get('version')} {i.get('architecture')}" for i in info
            )
            if info
            else "numpy (unknown BLAS)"
        )
        ctl = threadpoolctl.ThreadpoolController()

        def make(a, b, c, ta, tb):
            at, bt = (a.T if ta else a), (b.T if tb else b)
            return lambda: np.matmul(at, bt, out=c)

        return name, lambda t: ctl.limit(limits=t, user_api="blas"), make
    if lib == "torch":
        import torch

        def make(a, b, c, ta, tb):
            at, bt, ct = torch.from_numpy(a), torch.from_numpy(b), torch.from_numpy(c)
            at, bt = (at.t() if ta else at), (bt.t() if tb else bt)
            return lambda: torch.mm(at, bt, out=ct)

        return f"torch {torch.__version__}", torch.set_num_threads, make
    raise SystemExit(f"unknown library {lib}")


def worker(libs, shapes, threads):
    """Times every library in `libs` (comma-separated) in this process, interleaved."""
    import numpy as np

    libs = libs.split(",")
    setups = [_setup(lib, np) for lib in libs]
    out = {lib: {"name": s[0], "times": {}} for lib, s in zip(libs, setups)}
    for t in threads:
        for _, set_threads, _ in setups:
            set_threads(t)
        for label, m, n, k, ta, tb in shapes:
            a, b = _operands(np, m, n, k, ta, tb)
            fns = [make(a, b, np.empty((m, n), np.float32), ta, tb) for _, _, make in setups]
            for lib, sec in zip(libs, _time(fns, 2.0 * m * n * k)):
                out[lib]["times"][f"{label}|{t}"] = sec
    print(json.dumps(out))


# ---------------------------------------------------------------- driver


def fma_peak(threads):
    """{(width, threads): GFLOP/s} from bench/fma_peak.cc, or {} without a compiler."""
    cxx = os.environ.get("CXX", "g++")
    if not shutil.which(cxx):
        return {}
    exe = os.path.join(tempfile.gettempdir(), f"kerasette_fma_peak_{os.getuid()}")
    src = os.path.join(HERE, "fma_peak.cc")
    if not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(src):
        r = subprocess.run(
            [cxx, "-O2", "-fopenmp", "-mavx2", "-mfma", "-mavx512f", src, "-o", exe],
            capture_output=True,
            text=True,
        )
        if r.returncode != 0:
            r = subprocess.run(
                [cxx, "-O2", "-fopenmp", "-mavx2", "-mfma", src, "-o", exe],
                capture_output=True,
                text=True,
            )
            if r.returncode != 0:
                return {}
    flags = open("/proc/cpuinfo").read() if os.path.exists("/proc/cpuinfo") else ""
    widths = [256] + ([512] if " avx512f" in flags else [])
    peak = {}
    for w in widths:
        for t in threads:
            vals = [
                float(
                    subprocess.run(
                        [exe, str(t), "1.5", str(w)], capture_output=True, text=True
                    ).stdout
                )
                for _ in range(3)
            ]
            peak[(w, t)] = max(vals)
    return peak


def run_worker(libs, shapes, threads, env):
    cmd = [
        sys.executable,
        os.path.abspath(__file__),
        "--worker",
        ",".join(libs),
        "--threads",
        ",".join(map(str, threads)),
        "--shape-set",
        json.dumps(shapes),
    ]
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        print(f"[{libs} worker failed: {r.stderr.strip().splitlines()[-1:]}]", file=sys.stderr)
        return None
    return json.loads(r.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--isa", help="force kerasette's kernel path (generic, avx2, avx512)")
    ap.add_argument("--only", choices=["squares", "mlp"])
    ap.add_argument("--no-torch", action="store_true")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--shape-set", help=argparse.SUPPRESS)
    args = ap.parse_args()
    threads = [int(t) for t in args.threads.split(",")]
    if args.worker:
        return worker(args.worker, [tuple(s) for s in json.loads(args.shape_set)], threads)

    shapes = (SQUARES if args.only != "mlp" else []) + (MLP if args.only != "squares" else [])
    # kerasette and numpy share one worker process and alternate call by call; numpy's
    # BLAS sees no OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE, so OpenBLAS picks its own
    # kernel for this CPU. torch runs in a second process (its thread pool apart).
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in [env.get("PYTHONPATH", ""), os.path.join(ROOT, "python")] if p
    )
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        env.pop(var, None)
    if args.isa:
        env["KERASETTE_ARCH"] = args.isa
    # One thread: kerasette and numpy alternate in one process. Several threads: each
    # library gets a process of its own, since two idle-spinning thread pools (OpenMP's
    # and OpenBLAS's) in one process would fight over the cores between calls.
    have_torch = False
    if not args.no_torch:
        import importlib.util

        have_torch = importlib.util.find_spec("torch") is not None
    libs = ["kerasette", "numpy"] + (["torch"] if have_torch else [])

    peak = fma_peak(threads)
    runs = {lib: [] for lib in libs}
    names = {}
    for _ in range(args.rounds):
        merged = {lib: {} for lib in libs}
        for t in threads:
            groups = [["kerasette", "numpy"]] if t == 1 else [["kerasette"], ["numpy"]]
            groups += [["torch"]] if have_torch else []
            for group in groups:
                for lib, r in (run_worker(group, shapes, [t], env) or {}).items():
                    merged[lib].update(r["times"])
                    names[lib] = r["name"]
        for lib in libs:
            if merged[lib]:
                runs[lib].append(merged[lib])

    def gflops(lib, label, m, n, k, t):
        ts = [r[f"{label}|{t}"] for r in runs.get(lib, []) if f"{label}|{t}" in r]
        return 2.0 * m * n * k / statistics.median(ts) / 1e9 if ts else float("nan")

    isa = names.get("kerasette", "kerasette (?)").split("(")[-1].rstrip(")")
    width = 512 if isa == "avx512" else 256
    print(f"# GEMM GFLOP/s, float32, median of {args.rounds} rounds x per-run medians")
    for lib in libs:
        print(f"#   {lib:9s}: {names.get(lib, 'n/a')}")
    for (w, t), v in sorted(peak.items()):
        print(f"#   FMA peak {w}-bit, {t} thread{'s' if t > 1 else ''}: {v:.1f} GFLOP/s")
    head = ["shape", "thr", "kerasette", "numpy", "ks/np"]
    if "torch" in libs:
        head += ["torch", "ks/torch"]
    head += [f"%peak{width}"]
    rows = []
    for t in threads:
        for label, m, n, k, ta, tb in shapes:
            ks = gflops("kerasette", label, m, n, k, t)
            npv = gflops("numpy", label, m, n, k, t)
            row = [label, str(t), f"{ks:.1f}", f"{npv:.1f}", f"{ks / npv:.2f}x"]
            if "torch" in libs:
                tv = gflops("torch", label, m, n, k, t)
                row += [f"{tv:.1f}", f"{ks / tv:.2f}x"]
            p = peak.get((width, t))
            row += [f"{100 * ks / p:.0f}%" if p else "n/a"]
            rows.append(row)
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]
    fmt = "  ".join(f"{{:{'<' if i == 0 else '>'}{w}}}" for i, w in enumerate(widths))
    print(fmt.format(*head))
    print(fmt.format(*["-" * w for w in widths]))
    for r in rows:
        print(fmt.format(*r))


if __name__ == "__main__":
    main()
