"""Offline stand-ins for the data sets the collected public Keras scripts download.

This machine (and CI) has no internet beyond package registries, so every
``keras.datasets.*.load_data()``, ``keras.utils.get_file`` or ``pd.read_csv(URL)`` in a
collected script is replaced by ONE call into this module, marked ``# DATA:`` in the
script. Each function returns what the original call returns: the same container types,
per-sample shapes, dtypes and value ranges (uint8 images, int64 labels, lists of word
indices, CSV files with the same columns), so the rest of the script runs verbatim.

The data are learnable, not noise: images are scikit-learn's bundled 8x8 digits scaled
up, sequences and tables carry a label signal. That way "did it train" and "is the
accuracy about the same under Keras and kerasette" mean something.

Everything is generated from fixed seeds: a Keras run and a kerasette run of the same
script see identical data.
"""

import os
import tempfile

import numpy as np

_CACHE = {}


def _rng(seed):
    return np.random.default_rng(seed)


def _digits():
    if "digits" not in _CACHE:
        from sklearn.datasets import load_digits

        d = load_digits()
        _CACHE["digits"] = (d.images.astype("float64") / 16.0, d.target.astype("int64"))
    return _CACHE["digits"]


def _digit_images(n, side, seed):
    """n images of side x side (uint8 0..255) built from the 8x8 digits, plus labels."""
    images, labels = _digits()
    rng = _rng(seed)
    idx = rng.integers(0, len(images), n)
    scale = side // 8
    pad = side - 8 * scale
    big = np.kron(images[idx], np.ones((scale, scale)))
    lo = pad // 2
    out = np.zeros((n, side, side))
    out[:, lo : lo + 8 * scale, lo : lo + 8 * scale] = big
    out += rng.normal(0.0, 0.05, out.shape)
    out = np.clip(out, 0.0, 1.0)
    return (out * 255).astype("uint8"), labels[idx].astype("uint8")


def mnist(n_train=60000, n_test=10000):
    """Like ``keras.datasets.mnist.load_data()``: uint8 (n, 28, 28) images, uint8 labels."""
    x_train, y_train = _digit_images(n_train, 28, seed=1)
    x_test, y_test = _digit_images(n_test, 28, seed=2)
    return (x_train, y_train), (x_test, y_test)


def fashion_mnist(n_train=60000, n_test=10000):
    """Like ``keras.datasets.fashion_mnist.load_data()`` (same layout as MNIST)."""
    return mnist(n_train, n_test)


def cifar10(n_train=50000, n_test=10000):
    """Like ``keras.datasets.cifar10.load_data()``: uint8 (n, 32, 32, 3), uint8 labels (n, 1)."""
    out = []
    for n, seed in ((n_train, 3), (n_test, 4)):
        x, y = _digit_images(n, 32, seed)
        tint = _rng(seed + 10).uniform(0.6, 1.0, (n, 1, 1, 3))
        x = (x[..., None] * tint).astype("uint8")
        out.append((x, y.reshape(-1, 1)))
    return tuple(out)


def imdb(num_words=20000, n_train=25000, n_test=25000, index_from=3, seed=5):
    """Like ``keras.datasets.imdb.load_data(num_words=...)``: object arrays of int lists
    (each starting with the start token 1, word indices < num_words) and int64 0/1 labels.
    Positive reviews use more words from one band of the vocabulary than negative ones."""
    rng = _rng(seed)
    out = []
    for n in (n_train, n_test):
        labels = rng.integers(0, 2, n).astype("int64")
        seqs = np.empty(n, dtype=object)
        lo, hi = index_from + 1, num_words
        band = (hi - lo) // 10
        for i in range(n):
            length = int(rng.integers(20, 300))
            words = rng.integers(lo, hi, length)
            k = length // 4
            start = lo + (band if labels[i] else 2 * band)
            words[rng.integers(0, length, k)] = rng.integers(start, start + band, k)
            seqs[i] = [1] + words.tolist()
        out.append((seqs, labels))
    return tuple(out)


def ucr_tsv(n=3601, length=500, seed=6):
    """Like ``np.loadtxt`` of a UCR FordA .tsv: float64 (n, 1 + length), column 0 the
    label (-1 or 1). Class 1 oscillates faster than class -1."""
    rng = _rng(seed)
    labels = rng.choice([-1.0, 1.0], n)
    t = np.linspace(0, 1, length)
    freq = np.where(labels > 0, 12.0, 7.0)[:, None] + rng.normal(0, 0.5, (n, 1))
    phase = rng.uniform(0, 2 * np.pi, (n, 1))
    x = np.sin(2 * np.pi * freq * t + phase) + rng.normal(0, 0.3, (n, length))
    x = (x - x.mean(1, keepdims=True)) / x.std(1, keepdims=True)
    return np.concatenate([labels[:, None], x], axis=1)


def nab_root():
    """A folder laid out like the Numenta Anomaly Benchmark's data/ (two CSV files with
    timestamp,value columns, 5-minute steps, a daily cycle; one has a jump), returned
    with a trailing slash so ``root + "artificialNoAnomaly/art_daily_small_noise.csv"``
    works as the URL did."""
    import pandas as pd

    root = os.path.join(tempfile.mkdtemp(prefix="nab_"), "")
    rng = _rng(7)
    n = 4032
    stamps = pd.date_range("2014-04-01", periods=n, freq="5min")
    day = (np.arange(n) % 288) / 288.0
    base = 20 + 60 * ((day > 0.35) & (day < 0.75))
    small = base + rng.normal(0, 2, n)
    jumps = base + rng.normal(0, 2, n)
    jumps[3000:3060] += 80
    for sub, values in (
        ("artificialNoAnomaly/art_daily_small_noise.csv", small),
        ("artificialWithAnomaly/art_daily_jumpsup.csv", jumps),
    ):
        path = root + sub
        os.makedirs(os.path.dirname(path), exist_ok=True)
        pd.DataFrame({"timestamp": stamps.strftime("%Y-%m-%d %H:%M:%S"), "value": values}).to_csv(
            path, index=False
        )
    return root


def creditcard_frame(n=20000, seed=8):
    """Like Kaggle's creditcard.csv as a DataFrame: Time, V1..V28, Amount, Class (int64,
    about 0.2% positives)."""
    import pandas as pd
    from sklearn.datasets import make_classification

    x, y = make_classification(
        n_samples=n,
        n_features=28,
        n_informative=10,
        n_redundant=4,
        weights=[0.9975],
        flip_y=0,
        class_sep=2.0,
        random_state=seed,
    )
    rng = _rng(seed)
    frame = pd.DataFrame(x, columns=[f"V{i}" for i in range(1, 29)])
    frame.insert(0, "Time", np.sort(rng.uniform(0, 172792, n)).round())
    frame["Amount"] = np.round(rng.lognormal(3, 1.5, n), 2)
    frame["Class"] = y.astype("int64")
    return frame


def creditcard_csv(n=20000):
    """The same table written as a CSV file with quoted header and values (Kaggle's
    layout); returns its path."""
    frame = creditcard_frame(n)
    path = os.path.join(tempfile.mkdtemp(prefix="creditcard_"), "creditcard.csv")
    with open(path, "w") as f:
        f.write(",".join(f'"{c}"' for c in frame.columns) + "\n")
        for row in frame.itertuples(index=False):
            f.write(",".join(repr(float(v)) for v in row[:-1]) + f',"{int(row[-1])}"\n')
    return path


def heart_frame(n=303, seed=9):
    """Like the Cleveland heart-disease CSV keras-io reads: 13 features (``thal`` a
    string) and an int ``target``."""
    import pandas as pd

    rng = _rng(seed)
    target = rng.integers(0, 2, n)
    frame = pd.DataFrame(
        {
            "age": rng.integers(29, 78, n),
            "sex": rng.integers(0, 2, n),
            "cp": np.clip(target + rng.integers(0, 4, n), 0, 4),
            "trestbps": rng.integers(94, 200, n),
            "chol": rng.integers(126, 564, n),
            "fbs": rng.integers(0, 2, n),
            "restecg": rng.integers(0, 3, n),
            "thalach": (150 - 20 * target + rng.normal(0, 15, n)).astype("int64"),
            "exang": (rng.random(n) < 0.2 + 0.4 * target).astype("int64"),
            "oldpeak": np.round(np.abs(rng.normal(1 + target, 1, n)), 1),
            "slope": rng.integers(1, 4, n),
            "ca": rng.integers(0, 4, n),
            "thal": np.where(
                target == 1,
                rng.choice(["reversible", "fixed"], n),
                rng.choice(["normal", "fixed"], n),
            ),
            "target": target.astype("int64"),
        }
    )
    return frame


def auto_mpg_csv(n=398, seed=10):
    """A file in the UCI auto-mpg.data layout (whitespace separated, '?' for missing,
    a tab before the car name) so the tutorial's ``pd.read_csv(...)`` arguments apply
    unchanged; returns its path."""
    rng = _rng(seed)
    cyl = rng.choice([4, 6, 8], n, p=[0.5, 0.25, 0.25])
    disp = cyl * 40 + rng.normal(0, 20, n)
    hp = disp * 0.5 + rng.normal(0, 10, n)
    weight = 1500 + disp * 6 + rng.normal(0, 200, n)
    accel = 20 - hp / 25 + rng.normal(0, 1, n)
    year = rng.integers(70, 83, n)
    origin = rng.integers(1, 4, n)
    mpg = 50 - weight / 150 + (year - 70) * 0.7 + rng.normal(0, 2, n)
    path = os.path.join(tempfile.mkdtemp(prefix="auto_mpg_"), "auto-mpg.data")
    with open(path, "w") as f:
        for i in range(n):
            h = "?" if i % 66 == 5 else f"{hp[i]:.1f}"
            f.write(
                f"{mpg[i]:.1f}   {cyl[i]}   {disp[i]:.1f}      {h}      "
                f"{weight[i]:.1f}      {accel[i]:.1f}   {year[i]}  {origin[i]}"
                f'\t"car {i}"\n'
            )
    return path
