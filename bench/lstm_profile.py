"""Where one training step of the bench's LSTM text classifier spends its time (issue 14
item 5): Embedding(20000, 128) -> LSTM(64) -> Dense(1, sigmoid), batch 64, length 200.

    PYTHONPATH=build/<dir>:python python3 bench/lstm_profile.py [--reps 20] [--list]

Trains bench/compare.py's lstm-train model for a few steps on its data, takes the train
program for batch 64 and (--list) prints its instructions; then re-runs each instruction
alone as a one-instruction Program whose buffers hold copies of what the real step left
in them (so the embedding's ids are real ids) and prints the median time per instruction
and per kernel kind, next to the whole program's median step time and the median time of
one fit() step (the program plus the per-step Python around it). A process CPU-time
column shows how much of each kernel's wall time is spent on the threads.
"""

import argparse
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import LSTM_LEN, LSTM_VOCAB, lstm_data  # noqa: E402


def build(keras):
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input(shape=(LSTM_LEN,), dtype="int32"),
            keras.layers.Embedding(LSTM_VOCAB, 128),
            keras.layers.LSTM(64),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
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


def contents(prog, v):
    """What the real step left in Val v's buffer (its workspace slice or external array)."""
    r = v.root()
    if r.ext is not None:
        return np.asarray(r.ext, dtype=np.float32).reshape(-1)[: v.size].copy()
    ws = prog.program.workspace()
    return ws[r.offset : r.offset + v.size].copy()


def alone(core, prog, ins, reps):
    """One instruction as its own Program over copies of its operands' buffers. Each
    distinct buffer gets its own slot; values that share a buffer in the real program
    (views of one root) share one here too."""
    vals = [v for v in ins.ins + ins.outs if v is not None]
    slots, off = {}, 0
    for v in vals:
        r = v.root()
        key = id(r) if r.ext is not None else ("ws", r.offset, v.size)
        if key not in slots:
            slots[key] = (off, v)
            off += v.size
    p = core.Program(max(off, 1))
    ws = p.workspace()
    for o, v in slots.values():
        ws[o : o + v.size] = contents(prog, v)
    ids = {}

    def op(v):
        if v is None:
            return -1
        r = v.root()
        key = id(r) if r.ext is not None else ("ws", r.offset, v.size)
        if key not in ids:
            ids[key] = p.ws(slots[key][0], v.size)
        return ids[key]

    p.add(ins.kernel, [op(v) for v in ins.ins], [op(v) for v in ins.outs], ins.ints, ins.floats)
    return timed(lambda: p.run(1e-3, 1), reps)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--list", action="store_true", help="print the instructions")
    args = ap.parse_args()

    import kerasette as keras
    from kerasette.backend import core

    x, y, _, _ = lstm_data()
    model = build(keras)
    model.fit(x[:256], y[:256], batch_size=64, epochs=1, verbose=0)
    prog = model._lp._train.programs[64]
    if args.list:
        for i, ins in enumerate(prog.instrs):
            print(f"{i:3d} {ins!r:.300s}")
        print()

    n_steps = len(x) // 64
    fit_t, fit_c = timed(
        lambda: model.fit(x, y, batch_size=64, epochs=1, verbose=0), max(3, args.reps // 5)
    )
    # Feeds hold the last batch; the step runs on them (ids stay valid ids).
    whole_t, whole_c = timed(lambda: prog.program.run(1e-3, 1), args.reps)

    rows, kinds = [], {}
    for i, ins in enumerate(prog.instrs):
        try:
            t, c = alone(core, prog, ins, args.reps)
        except Exception as e:  # noqa: BLE001 - report and go on
            print(f"skip {i} {ins.kernel}: {e}")
            continue
        rows.append((t, c, i, ins.kernel, ins.ints[:10]))
        k = kinds.setdefault(ins.kernel, [0.0, 0.0, 0])
        k[0] += t
        k[1] += c
        k[2] += 1

    total = sum(r[0] for r in rows)
    print(
        f"fit epoch: {fit_t * 1e3:.1f} ms wall ({len(x) / fit_t:.0f} samples/s), "
        f"{fit_t / n_steps * 1e3:.2f} ms per step, {fit_c / n_steps * 1e3:.2f} ms CPU per step"
    )
    print(f"whole step program: {whole_t * 1e3:.2f} ms wall, {whole_c * 1e3:.2f} ms CPU")
    print(f"sum of instructions alone: {total * 1e3:.2f} ms ({len(rows)} timed)\n")
    print(f"{'kind':28s} {'n':>3s} {'ms':>8s} {'cpu ms':>8s} {'share':>6s}")
    for name, (t, c, n) in sorted(kinds.items(), key=lambda kv: -kv[1][0]):
        print(f"{name:28s} {n:3d} {t * 1e3:8.3f} {c * 1e3:8.3f} {t / total:6.1%}")
    print("\nslowest instructions:")
    for t, c, i, name, ints in sorted(rows, reverse=True)[:12]:
        print(f"  #{i:3d} {name:24s} {t * 1e3:8.3f} ms  cpu {c * 1e3:7.3f}  {ints}")


if __name__ == "__main__":
    main()
