"""kerasette's scikit-learn wrappers vs scikit-learn's own MLPs: fit time and held-out score.

    python bench/sklearn_compare.py                 # all four rows, 10 seeds per side
    python bench/sklearn_compare.py --repeat 1 --only digits-clf

Same network on both sides: hidden layers --hidden (ReLU), the same initial weight
distribution (scikit-learn's: weights and biases uniform, Glorot's bound), Adam with the same
learning rate, betas and epsilon, the same batch size, the same number of epochs
(MLP*: max_iter=epochs with early stopping and the tolerance stop switched off,
alpha=0 so neither side regularises). Data: digits (1,797 x 64, pixels / 16) and a
50,000 x 20 synthetic set (make_classification / make_regression), 25% held out.
Targets for regression on digits: the digit's value as a number.
Time: median wall-clock of fit() over --repeat runs, data already in memory, the
two sides alternating; also the median process CPU time (all threads), which a
busy shared machine distorts less than wall-clock; score: accuracy (classifiers) or R^2 (regressors) on the held-out rows.
Speed-up = scikit-learn time / kerasette time (> 1: kerasette faster).
"""

import argparse
import os
import platform
import statistics
import sys
import time
import warnings

import numpy as np


def datasets(name):
    from sklearn.datasets import load_digits, make_classification, make_regression
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    if name.startswith("digits"):
        X, y = load_digits(return_X_y=True)
        X = X / 16.0
        if name.endswith("reg"):
            y = y.astype(np.float64)
    elif name == "synthetic-clf":
        X, y = make_classification(
            50_000,
            20,
            n_informative=12,
            n_classes=4,
            n_clusters_per_class=2,
            class_sep=1.0,
            random_state=0,
        )
    else:
        X, y = make_regression(50_000, 20, n_informative=12, noise=10.0, random_state=0)
        X = np.tanh(X)  # a non-linear target so the hidden layers matter
        y = (y - y.mean()) / y.std()
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0)
    if name.startswith("synthetic"):
        scaler = StandardScaler().fit(Xtr)
        Xtr, Xte = scaler.transform(Xtr), scaler.transform(Xte)
    return Xtr.astype(np.float32), Xte.astype(np.float32), ytr, yte


def sklearn_model(task, hidden, epochs, batch_size, lr, seed):
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    cls = MLPClassifier if task == "clf" else MLPRegressor
    return cls(
        hidden_layer_sizes=hidden,
        activation="relu",
        solver="adam",
        alpha=0.0,
        batch_size=batch_size,
        learning_rate_init=lr,
        max_iter=epochs,
        shuffle=True,
        tol=0.0,
        n_iter_no_change=epochs + 1,
        early_stopping=False,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-7,
        random_state=seed,
    )


def build(meta, hidden, init="sklearn"):
    """Same layers as MLP*: ReLU hidden layers, softmax/sigmoid/linear output.
    init="sklearn" starts from MLP*'s initial distribution (weights and biases uniform in
    +-sqrt(6 / (fan_in + fan_out))); init="keras" keeps Keras's (Glorot-uniform weights,
    zero biases)."""
    import kerasette as ks

    # Regressors' meta has no n_classes_ (integer targets also look "multiclass").
    out = None
    if "n_classes_" in meta:
        out = {"multiclass": "softmax", "binary": "sigmoid"}.get(meta["target_type_"])
    model = ks.Sequential([ks.Input((meta["n_features_in_"],))])
    fan_in = meta["n_features_in_"]
    for units, act in [(u, "relu") for u in hidden] + [(meta["n_outputs_expected_"], out)]:
        kw = {}
        if init == "sklearn":
            bound = float(np.sqrt(6.0 / (fan_in + units)))
            kw = dict(
                kernel_initializer=ks.initializers.RandomUniform(-bound, bound),
                bias_initializer=ks.initializers.RandomUniform(-bound, bound),
            )
        model.add(ks.layers.Dense(units, activation=act, **kw))
        fan_in = units
    return model


def kerasette_model(task, hidden, epochs, batch_size, lr, seed, init="sklearn"):
    from kerasette.wrappers import KerasClassifier, KerasRegressor

    cls = KerasClassifier if task == "clf" else KerasRegressor
    return cls(
        build,
        model__hidden=hidden,
        model__init=init,
        optimizer="adam",
        optimizer__learning_rate=lr,
        optimizer__beta_1=0.9,
        optimizer__beta_2=0.999,
        optimizer__epsilon=1e-7,
        batch_size=batch_size,
        epochs=epochs,
        shuffle=True,
        verbose=0,
        random_state=seed,
    )


def run_row(name, args):
    from sklearn.base import clone

    task = name.rsplit("-", 1)[1]
    epochs = args.epochs if args.epochs else (30 if name.startswith("digits") else 10)
    Xtr, Xte, ytr, yte = datasets(name)
    row = {"data": name, "rows": len(Xtr) + len(Xte), "epochs": epochs}
    makers = {"kerasette": kerasette_model, "sklearn": sklearn_model}
    protos = {
        side: make(task, tuple(args.hidden), epochs, args.batch_size, args.lr, 0)
        for side, make in makers.items()
    }
    wall = {side: [] for side in makers}
    cpu = {side: [] for side in makers}
    scores = {side: [] for side in makers}
    # Sides alternate within each repeat, so a shared machine's load hits both alike.
    for rep in range(args.repeat):
        for side, proto in protos.items():
            est = clone(proto).set_params(random_state=rep)
            # Both libraries share this process: OpenBLAS's threads keep spinning for a
            # while after the MLP's fit and would steal the cores kerasette's timed fit
            # needs (and the other way round). Let the pools go idle first.
            time.sleep(0.5)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # MLP's ConvergenceWarning at max_iter
                t0, c0 = time.perf_counter(), time.process_time()
                est.fit(Xtr, ytr)
                wall[side].append(time.perf_counter() - t0)
                cpu[side].append(time.process_time() - c0)
            scores[side].append(est.score(Xte, yte))
    for side in makers:
        row[f"{side}_s"] = statistics.median(wall[side])
        row[f"{side}_cpu"] = statistics.median(cpu[side])
        row[f"{side}_score"] = statistics.mean(scores[side])
        row[f"{side}_sd"] = statistics.stdev(scores[side]) if args.repeat > 1 else 0.0
    # Difference of the mean scores and two standard errors of it (seeds differ on each
    # side, so the two means are independent): |d| <= 2 s.e. is "equal within noise".
    d = row["kerasette_score"] - row["sklearn_score"]
    se2 = 2.0 * ((row["kerasette_sd"] ** 2 + row["sklearn_sd"] ** 2) / args.repeat) ** 0.5
    row["diff"], row["diff_2se"] = d, se2
    row["verdict"] = "better" if d > se2 else ("worse" if d < -se2 else "equal within noise")
    row["speedup"] = row["sklearn_s"] / row["kerasette_s"]
    row["cpu_speedup"] = row["sklearn_cpu"] / row["kerasette_cpu"]
    return row


def context():
    from threadpoolctl import threadpool_info

    import kerasette

    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if "model name" in line)
    except (OSError, StopIteration):
        pass
    pools = ", ".join(f"{p['internal_api']}x{p['num_threads']}" for p in threadpool_info())
    isa = kerasette.config.cpu_features().get("isa", "?")
    threads = kerasette.config.get_num_threads()
    return (
        f"CPU: {cpu}; cores: {os.cpu_count()}; OMP_NUM_THREADS="
        f"{os.environ.get('OMP_NUM_THREADS', 'unset')}; kerasette ISA: {isa}, "
        f"threads: {threads}; load average: {os.getloadavg()[0]:.1f}; "
        f"numpy/scikit-learn pools: {pools}; Python {sys.version.split()[0]}"
    )


def main():
    rows_all = ["digits-clf", "synthetic-clf", "digits-reg", "synthetic-reg"]
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default=",".join(rows_all))
    ap.add_argument("--repeat", type=int, default=10, help="seeds per side (one fit each)")
    ap.add_argument("--epochs", type=int, default=0, help="0: 30 on digits, 10 on synthetic")
    ap.add_argument("--hidden", type=int, nargs="+", default=[128, 64])
    ap.add_argument("--batch-size", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument(
        "--threads",
        type=int,
        default=0,
        help="threads for both sides (kerasette's OpenMP and numpy's BLAS); 0 leaves the defaults",
    )
    args = ap.parse_args()
    if args.threads:
        from threadpoolctl import threadpool_limits

        import kerasette

        kerasette.config.set_num_threads(args.threads)
        threadpool_limits(args.threads)  # scikit-learn's MLP runs on numpy's BLAS
    print(context())
    print(
        f"hidden={tuple(args.hidden)} batch_size={args.batch_size} Adam lr={args.lr}; "
        f"median fit time of {args.repeat}; score = mean accuracy / R^2 on 25% held out over "
        f"{args.repeat} seeds (sd: across seeds); kerasette's model starts from MLP*'s "
        "initial distribution (model__init='sklearn')\n"
    )
    print(
        "| data | rows | epochs | kerasette fit s | MLP fit s | speed-up (wall) | "
        "speed-up (CPU time) | kerasette score (sd) | MLP score (sd) | difference (2 s.e.) | "
        "score |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for name in args.only.split(","):
        r = run_row(name, args)
        print(
            f"| {r['data']} | {r['rows']} | {r['epochs']} | {r['kerasette_s']:.3f} | "
            f"{r['sklearn_s']:.3f} | {r['speedup']:.1f}x | {r['cpu_speedup']:.1f}x | "
            f"{r['kerasette_score']:.4f} ({r['kerasette_sd']:.4f}) | "
            f"{r['sklearn_score']:.4f} ({r['sklearn_sd']:.4f}) | "
            f"{r['diff']:+.4f} ({r['diff_2se']:.4f}) | {r['verdict']} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
