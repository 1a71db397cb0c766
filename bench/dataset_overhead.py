"""Cost of feeding in-memory arrays through kerasette.data.Dataset instead of to fit.

Same model, data, batch size and shuffling; the Dataset pipeline is the idiomatic
`from_tensor_slices((x, y)).shuffle(n).batch(b).prefetch(AUTOTUNE)`. Epochs are timed
alternately (A, B, A, B, ...) and the median of each is reported, with the overhead
(dataset / arrays - 1; target <= 10%). A third row feeds batches gathered beforehand,
separating the cost of the per-batch training loop from the pipeline's own cost.

Usage: python bench/dataset_overhead.py [--rows 20000] [--epochs 5] [--batch 128]
       [--threads N]
"""

import argparse
import os
import platform
import statistics
import time

import numpy as np


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=20000)
    p.add_argument("--features", type=int, default=784)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--threads", type=int, default=None)
    args = p.parse_args()

    import kerasette as ks
    from kerasette.data import AUTOTUNE, Dataset

    if args.threads:
        ks.config.set_num_threads(args.threads)

    rng = np.random.default_rng(0)
    x = rng.normal(size=(args.rows, args.features)).astype(np.float32)
    y = rng.integers(0, 10, size=args.rows)

    def model():
        ks.utils.set_random_seed(0)
        m = ks.Sequential(
            [
                ks.layers.Dense(256, activation="relu"),
                ks.layers.Dense(128, activation="relu"),
                ks.layers.Dense(10, activation="softmax"),
            ]
        )
        m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        return m

    arrays_model, dataset_model, ready_model = model(), model(), model()
    ds = Dataset.from_tensor_slices((x, y)).shuffle(args.rows).batch(args.batch).prefetch(AUTOTUNE)

    class ReadyBatches:
        """Batches gathered beforehand: what the per-batch loop costs with a free pipeline."""

        def __init__(self):
            perm = rng.permutation(args.rows)
            self.batches = [
                (x[perm[i : i + args.batch]], y[perm[i : i + args.batch]])
                for i in range(0, args.rows, args.batch)
            ]

        def __len__(self):
            return len(self.batches)

        def __iter__(self):
            return iter(self.batches)

    ready = ReadyBatches()

    def epoch_ready():
        t = time.perf_counter()
        ready_model.fit(ready, epochs=1, verbose=0)
        return time.perf_counter() - t

    def epoch_arrays():
        t = time.perf_counter()
        arrays_model.fit(x, y, batch_size=args.batch, epochs=1, shuffle=True, verbose=0)
        return time.perf_counter() - t

    def epoch_dataset():
        t = time.perf_counter()
        dataset_model.fit(ds, epochs=1, verbose=0)
        return time.perf_counter() - t

    epoch_arrays(), epoch_dataset(), epoch_ready()  # warm-up: plans, caches
    a, d, r = [], [], []
    for _ in range(args.epochs):
        a.append(epoch_arrays())
        d.append(epoch_dataset())
        r.append(epoch_ready())
    ma, md, mr = statistics.median(a), statistics.median(d), statistics.median(r)
    steps = -(-args.rows // args.batch)
    print(
        f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"kerasette threads={ks.config.get_num_threads()}, cpu={ks.config.cpu_features()}"
    )
    print(
        f"# MLP {args.features}-256-128-10, {args.rows} rows, batch {args.batch} "
        f"({steps} steps), Adam, median of {args.epochs} alternating epochs"
    )
    print(f"{'input':<34}{'epoch s':>10}{'us/step':>10}")
    print(f"{'arrays to fit':<34}{ma:>10.3f}{ma / steps * 1e6:>10.0f}")
    print(f"{'Dataset shuffle/batch/prefetch':<34}{md:>10.3f}{md / steps * 1e6:>10.0f}")
    print(f"{'pre-gathered batches (no pipeline)':<34}{mr:>10.3f}{mr / steps * 1e6:>10.0f}")
    print(
        f"overhead: {100 * (md / ma - 1):+.1f}% (target <= +10%); of which the per-batch "
        f"loop alone (pre-gathered batches) {100 * (mr / ma - 1):+.1f}%, the Dataset "
        f"pipeline {100 * (md / mr - 1):+.1f}%"
    )


if __name__ == "__main__":
    main()
