"""GEMM throughput: kerasette beside numpy's BLAS and PyTorch, and the FMA peak.

    python bench/gemm.py                 # squares 256..2048 + MLP shapes, 1 and 2 threads
    python bench/gemm.py --rounds 5 --threads 1
    python bench/gemm.py --isa avx2      # force kerasette's kernel path

Each library runs in its own worker process (so thread pools and imports do not
interfere), one round after another; the table shows the median over rounds of each
worker's median time. numpy's worker runs with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE
removed from the environment, so OpenBLAS picks its own kernel for this CPU (the
name threadpoolctl reports is printed). The FMA peak comes from bench/fma_peak.cc,
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


def _time(fn, flops):
    fn()  # warm up: packing buffers, thread pool, caches
    fn()
    reps = max(3, min(200, int(0.25 / max(flops / 100e9, 1e-6))))
    ts = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    return statistics.median(ts)


def worker(lib, shapes, threads):
    import numpy as np
    out = {"lib": lib, "times": {}}
    if lib == "kerasette":
        sys.path.insert(0, os.path.join(ROOT, "python"))
        from kerasette.backend import core
        out["name"] = f"kerasette ({core.cpu_features()['isa']})"
        setter = core.set_num_threads
        def make(a, b, c, ta, tb):
            return lambda: core.gemm(a, b, c, trans_a=ta, trans_b=tb)
    elif lib == "numpy":
        import threadpoolctl
        info = [i for i in threadpoolctl.threadpool_info() if i.get("user_api") == "blas"]
        out["name"] = ("numpy " + ", ".join(
            f"{i.get('internal_api')} {i.get('version')} {i.get('architecture')}" for i in info)
            if info else "numpy (unknown BLAS)")
        limiter = threadpoolctl.ThreadpoolController()
        def setter(t):
            limiter.limit(limits=t, user_api="blas")
        def make(a, b, c, ta, tb):
            at, bt = (a.T if ta else a), (b.T if tb else b)
            return lambda: np.matmul(at, bt, out=c)
    elif lib == "torch":
        import torch
        out["name"] = f"torch {torch.__version__}"
        setter = torch.set_num_threads
        def make(a, b, c, ta, tb):
            at, bt, ct = torch.from_numpy(a), torch.from_numpy(b), torch.from_numpy(c)
            at, bt = (at.t() if ta else at), (bt.t() if tb else bt)
            return lambda: torch.mm(at, bt, out=ct)
    else:
        raise SystemExit(f"unknown worker {lib}")
    for t in threads:
        setter(t)
        for label, m, n, k, ta, tb in shapes:
            a, b = _operands(np, m, n, k, ta, tb)
            c = np.empty((m, n), np.float32)
            out["times"][f"{label}|{t}"] = _time(make(a, b, c, ta, tb), 2.0 * m * n * k)
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
        r = subprocess.run([cxx, "-O2", "-fopenmp", "-mavx2", "-mfma", "-mavx512f", src, "-o", exe],
                           capture_output=True, text=True)
        if r.returncode != 0:
            r = subprocess.run([cxx, "-O2", "-fopenmp", "-mavx2", "-mfma", src, "-o", exe],
                               capture_output=True, text=True)
            if r.returncode != 0:
                return {}
    flags = open("/proc/cpuinfo").read() if os.path.exists("/proc/cpuinfo") else ""
    widths = [256] + ([512] if " avx512f" in flags else [])
    peak = {}
    for w in widths:
        for t in threads:
            vals = [float(subprocess.run([exe, str(t), "1.5", str(w)], capture_output=True,
                                         text=True).stdout) for _ in range(3)]
            peak[(w, t)] = max(vals)
    return peak


def run_worker(lib, shapes, threads, env):
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", lib,
           "--threads", ",".join(map(str, threads)), "--shape-set", json.dumps(shapes)]
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        print(f"[{lib} worker failed: {r.stderr.strip().splitlines()[-1:]}]", file=sys.stderr)
        return None
    return json.loads(r.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
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
    base_env = dict(os.environ)
    base_env["PYTHONPATH"] = os.pathsep.join(
        p for p in [base_env.get("PYTHONPATH", ""), os.path.join(ROOT, "python")] if p)
    envs = {"kerasette": dict(base_env), "numpy": dict(base_env), "torch": dict(base_env)}
    if args.isa:
        envs["kerasette"]["KERASETTE_ARCH"] = args.isa
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # let OpenBLAS detect this CPU
        envs["numpy"].pop(var, None)
    libs = ["kerasette", "numpy"]
    if not args.no_torch:
        try:
            import importlib.util
            if importlib.util.find_spec("torch"):
                libs.append("torch")
        except Exception:
            pass

    peak = fma_peak(threads)
    runs = {lib: [] for lib in libs}
    names = {}
    for _ in range(args.rounds):
        for lib in libs:
            res = run_worker(lib, shapes, threads, envs[lib])
            if res:
                runs[lib].append(res["times"])
                names[lib] = res["name"]

    def gflops(lib, label, m, n, k, t):
        ts = [r[f"{label}|{t}"] for r in runs.get(lib, [])]
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
