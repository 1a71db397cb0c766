"""Where one training step of keras-io's mnist_convnet spends its time (issue 14 item 5).

    PYTHONPATH=build/<dir>:python python3 bench/conv_profile.py [--reps 20] [--list]

Trains the bench's conv-train model (bench/compare.py) for a few steps, takes the train
program for batch 128 and prints its instructions; then re-runs each instruction alone
as a one-instruction Program on workspace buffers of the same sizes (random data in
[0, 1), so index kernels are skipped) and prints the median time per instruction and
the totals per kernel kind, next to the whole program's median step time. A process
CPU-time column shows how much of each kernel's wall time is spent on the threads.
"""

import argparse
import statistics
import time

import numpy as np


def build(keras):
    layers = keras.layers
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def timed(fn, reps):
    fn()
    ts, cs = [], []
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        ts.append(time.perf_counter() - t0)
        cs.append(time.process_time() - c0)
    return statistics.median(ts), statistics.median(cs)


SKIP = {"gather", "take", "scatter_add", "one_hot", "sparse_xent", "embedding"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--list", action="store_true", help="print the instructions")
    args = ap.parse_args()

    import kerasette as keras
    from kerasette.backend import core

    rng = np.random.default_rng(0)
    x = rng.random((1024, 28, 28, 1), dtype=np.float32)
    y = rng.integers(0, 10, 1024)
    model = build(keras)
    model.fit(x, y, batch_size=128, epochs=1, verbose=0)
    prog = model._lp._train.programs[128]
    if args.list:
        print(repr(prog))
        print()

    whole_t, whole_c = timed(lambda: prog.program.run(1e-3, 1), args.reps)

    rows, kinds = [], {}
    for i, ins in enumerate(prog.instrs):
        if any(k in ins.kernel for k in SKIP):
            continue
        vals = [v for v in ins.ins + ins.outs if v is not None]
        offs, off = {}, 0
        for v in vals:
            if id(v) not in offs:
                offs[id(v)] = off
                off += v.size
        p = core.Program(max(off, 1))
        ws = p.workspace()
        ws[:] = rng.random(ws.size, dtype=np.float32)
        ids = {id(v): p.ws(offs[id(v)], v.size) for v in vals}

        def op(v, ids=ids):
            return -1 if v is None else ids[id(v)]

        try:
            p.add(
                ins.kernel,
                [op(v) for v in ins.ins],
                [op(v) for v in ins.outs],
                ins.ints,
                ins.floats,
            )
            t, c = timed(lambda p=p: p.run(1e-3, 1), args.reps)
        except Exception as e:  # noqa: BLE001 - report and go on
            print(f"skip {i} {ins.kernel}: {e}")
            continue
        rows.append((t, c, i, ins.kernel, ins.ints[:16]))
        k = kinds.setdefault(ins.kernel, [0.0, 0.0, 0])
        k[0] += t
        k[1] += c
        k[2] += 1

    total = sum(r[0] for r in rows)
    print(f"whole step: {whole_t * 1e3:.2f} ms wall, {whole_c * 1e3:.2f} ms CPU")
    print(f"sum of instructions alone: {total * 1e3:.2f} ms ({len(rows)} timed)\n")
    print(f"{'kind':28s} {'n':>3s} {'ms':>8s} {'cpu ms':>8s} {'share':>6s}")
    for name, (t, c, n) in sorted(kinds.items(), key=lambda kv: -kv[1][0]):
        print(f"{name:28s} {n:3d} {t * 1e3:8.3f} {c * 1e3:8.3f} {t / total:6.1%}")
    print("\nslowest instructions:")
    for t, c, i, name, ints in sorted(rows, reverse=True)[:12]:
        print(f"  #{i:3d} {name:24s} {t * 1e3:8.3f} ms  cpu {c * 1e3:7.3f}  {ints}")


if __name__ == "__main__":
    main()
