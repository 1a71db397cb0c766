"""Cold start: a fresh process imports the library, loads a saved mlp-train model
(784-256-128-10, Adam, trained briefly) and predicts one row; kerasette against Keras 3
on TensorFlow, both reading the *same* .keras file (kerasette writes Keras's format).

    python bench/cold_start.py [--runs 5] [--keras-runs 3]

Each run is a new interpreter. Inside it we time `import`, `load_model` and the first
one-row `predict`; outside it the whole process (interpreter start to exit). Every
figure is the median over the runs; ratio = Keras / kerasette (>1: kerasette faster).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
import numpy as np
t_numpy = time.perf_counter()
if sys.argv[1] == "kerasette":
    import kerasette as lib
else:
    import keras as lib
t1 = time.perf_counter()
model = lib.models.load_model(sys.argv[2])
t2 = time.perf_counter()
x = np.load(sys.argv[3])
y = model.predict(x, verbose=0)
t3 = time.perf_counter()
print(json.dumps({"numpy": t_numpy - t0, "import": t1 - t_numpy, "load": t2 - t1,
                  "predict": t3 - t2, "total": t3 - t0, "y": np.asarray(y).tolist()}))
"""


def make_model(folder):
    """Train kerasette's mlp-train model for one short epoch and save it."""
    import numpy as np

    import kerasette as ks

    rng = np.random.default_rng(0)
    x = rng.standard_normal((4096, 784), dtype=np.float32)
    y = rng.integers(0, 10, 4096)
    ks.utils.set_random_seed(0)
    model = ks.Sequential(
        [
            ks.layers.Input(shape=(784,)),
            ks.layers.Dense(256, activation="relu"),
            ks.layers.Dense(128, activation="relu"),
            ks.layers.Dense(10, activation="softmax"),
        ],
        name="mlp_train",
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=1, batch_size=128, verbose=0)
    path = os.path.join(folder, "mlp_train.keras")
    model.save(path)
    row = os.path.join(folder, "row.npy")
    np.save(row, x[:1])
    return path, row


def child_env(pycache):
    """An installed wheel ships compiled bytecode (pip byte-compiles on install), as
    Keras's site-packages do; a source checkout run with PYTHONDONTWRITEBYTECODE=1
    would recompile every module in every process. So the children may write .pyc
    files, into a private cache, and one untimed warm-up run fills it."""
    env = dict(
        os.environ,
        KERAS_BACKEND="tensorflow",
        TF_CPP_MIN_LOG_LEVEL="3",
        PYTHONPYCACHEPREFIX=pycache,
    )
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run_once(lib, model_path, row_path, env):
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", CHILD, lib, model_path, row_path],
        capture_output=True,
        text=True,
        env=env,
    )
    wall = time.perf_counter() - start
    if out.returncode != 0:
        raise RuntimeError(f"{lib} child failed:\n{out.stderr[-3000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["process"] = wall
    return result


def median_of(results, key):
    return statistics.median(r[key] for r in results)


def fmt(seconds):
    return f"{seconds * 1000:9.1f} ms" if seconds < 10 else f"{seconds:9.2f} s "


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="kerasette runs")
    ap.add_argument("--keras-runs", type=int, default=3, help="Keras runs (slow)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        model_path, row_path = make_model(folder)
        size = os.path.getsize(model_path)
        env = child_env(os.path.join(folder, "pycache"))
        for lib in ("kerasette", "keras"):  # warm-up: bytecode cache and OS file cache
            run_once(lib, model_path, row_path, env)
        ours = [run_once("kerasette", model_path, row_path, env) for _ in range(args.runs)]
        theirs = [run_once("keras", model_path, row_path, env) for _ in range(args.keras_runs)]
    import numpy as np

    diff = float(np.abs(np.array(ours[0]["y"]) - np.array(theirs[0]["y"])).max())
    print(
        f"cold start: import + load_model + predict(1 row) of the same {size / 1e6:.2f} MB "
        f".keras file (784-256-128-10 MLP with Adam state), each run a fresh process"
    )
    print(
        f"medians of {args.runs} kerasette and {args.keras_runs} Keras runs after one "
        f"warm-up each (bytecode compiled, as installed); "
        f"max |prediction difference| = {diff:.2e}\n"
    )
    print(f"{'phase':<28}{'kerasette':>14}{'keras (TF)':>14}{'ratio':>9}")
    for r in ours + theirs:
        r["import_load"] = r["import"] + r["load"]
    # kerasette imports its submodules (and h5py) lazily, inside load_model: compare
    # "import + load_model" rather than the two phases separately.
    rows = [
        ("import numpy", "numpy"),
        ("import library", "import"),
        ("load_model", "load"),
        ("import + load_model", "import_load"),
        ("first predict (1 row)", "predict"),
        ("in-process total", "total"),
        ("whole process (wall)", "process"),
    ]
    for label, key in rows:
        a, b = median_of(ours, key), median_of(theirs, key)
        ratio = f"{b / a:8.1f}x" if a > 0 else "      -"
        print(f"{label:<28}{fmt(a):>14}{fmt(b):>14}{ratio:>9}")


if __name__ == "__main__":
    main()
