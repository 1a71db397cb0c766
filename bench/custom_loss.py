"""A loss written as a Python function in kerasette.ops against the same built-in loss,
each on the same MLP and data, in one run (issue 12: within 1.2x).

    python bench/custom_loss.py [--epochs 3]

Both losses compile into the training step: the built-in one as the fused loss kernel,
the user's as ops (elementwise chains and reductions). Each figure is the best epoch;
the ratio is custom / built-in (1.0 = as fast).
"""

import argparse
import time

import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=3)
    args = ap.parse_args()
    import kerasette as keras
    from kerasette import ops

    def mse(y_true, y_pred):
        return ops.mean(ops.square(y_true - y_pred), axis=-1)

    def sparse_cce(y_true, y_pred):
        return ops.sparse_categorical_crossentropy(y_true, y_pred)

    rng = np.random.default_rng(0)
    rows = []
    for name, builtin, custom, make_y, out, act in (
        (
            "mse, 784-256-128-10 linear",
            "mse",
            mse,
            lambda n: rng.standard_normal((n, 10)).astype("float32"),
            10,
            None,
        ),
        (
            "sparse CE, 784-256-128-10 softmax",
            "sparse_categorical_crossentropy",
            sparse_cce,
            lambda n: rng.integers(0, 10, n),
            10,
            "softmax",
        ),
    ):
        x = rng.standard_normal((60000, 784)).astype("float32")
        y = make_y(60000)
        times = {}
        for label, loss in (("built-in", builtin), ("custom", custom)):
            keras.utils.set_random_seed(0)
            m = keras.Sequential(
                [
                    keras.Input((784,)),
                    keras.layers.Dense(256, activation="relu"),
                    keras.layers.Dense(128, activation="relu"),
                    keras.layers.Dense(out, activation=act),
                ]
            )
            m.compile(optimizer="adam", loss=loss)
            m.fit(x[:1280], y[:1280], batch_size=128, epochs=1, verbose=0)
            best = float("inf")
            for _ in range(args.epochs):
                t = time.perf_counter()
                m.fit(x, y, batch_size=128, epochs=1, verbose=0)
                best = min(best, time.perf_counter() - t)
            times[label] = best
        rows.append((name, times["built-in"], times["custom"]))
    print(f"{'model / loss':<36} {'built-in':>10} {'custom':>10} {'ratio':>7}")
    for name, b, c in rows:
        print(f"{name:<36} {b:>9.3f}s {c:>9.3f}s {c / b:>6.2f}x")


if __name__ == "__main__":
    main()
