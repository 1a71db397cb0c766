"""kerasette's training step when other processes keep cores busy.

    python bench/busy_machine.py [--epochs 2]

Times one mlp-train epoch (bench/compare.py's workload: 60000x784 -> 256 -> 128 -> 10,
Adam, batch 128) in a fresh process, first on an idle machine, then with one busy-loop
process per core but one running beside it, each at the default thread count and on one
thread. Without a fallback, a thread team waits a whole time slice for a member the OS
has descheduled, on every parallel region; kerasette drops to one thread while that keeps
happening (kerasette/parallel.h), so the default should stay close to one thread's time.
"""

import argparse
import json
import multiprocessing as mp
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def spin():
    while True:
        pass


def epoch_seconds(threads, epochs):
    env = dict(os.environ)
    if threads:
        env["OMP_NUM_THREADS"] = str(threads)
    cmd = [
        sys.executable,
        os.path.join(HERE, "compare.py"),
        "--worker",
        "kerasette",
        "--workload",
        "mlp-train",
        "--epochs",
        str(epochs),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=1800).stdout
    line = [x for x in out.splitlines() if x.startswith("RESULT ")][-1]
    return json.loads(line[7:])["epoch_s"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=2)
    args = ap.parse_args()
    cores = os.cpu_count() or 1
    hogs_n = max(1, cores - 1)
    print(f"cores: {cores}; busy: {hogs_n} busy-loop process(es)")
    print(f"| machine | default threads ({cores}) | 1 thread |")
    print("|---|---:|---:|")
    for label, n in (("idle", 0), ("busy", hogs_n)):
        hogs = [mp.Process(target=spin, daemon=True) for _ in range(n)]
        for h in hogs:
            h.start()
        try:
            t_all = epoch_seconds(0, args.epochs)
            t_one = epoch_seconds(1, args.epochs)
        finally:
            for h in hogs:
                h.terminate()
        print(f"| {label} | {t_all:.3f} s | {t_one:.3f} s |", flush=True)


if __name__ == "__main__":
    main()
