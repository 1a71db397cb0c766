"""Local stand-ins for the downloads the drop-in scripts make: files of the same shape
written where Keras (and kerasette) look for them, so each script's data loader runs
unchanged. The data is learnable (digits from scikit-learn's bundled 8x8 set; reviews
whose words depend on the label), so held-out accuracy means something."""

import os

import numpy as np


def mnist_npz(folder, n_train=3000, n_test=600):
    """`mnist.npz` as Keras caches it: uint8 (n, 28, 28) images, uint8 labels."""
    from sklearn.datasets import load_digits

    d = load_digits()
    arrays = {}
    for split, n, seed in (("train", n_train, 1), ("test", n_test, 2)):
        rng = np.random.default_rng(seed)
        idx = rng.integers(0, len(d.images), n)
        img = np.zeros((n, 28, 28))
        img[:, 2:26, 2:26] = np.kron(d.images[idx] / 16.0, np.ones((3, 3)))
        img = np.clip(img + rng.normal(0, 0.05, img.shape), 0, 1)
        arrays[f"x_{split}"] = (img * 255).astype(np.uint8)
        arrays[f"y_{split}"] = d.target[idx].astype(np.uint8)
    os.makedirs(folder, exist_ok=True)
    np.savez(os.path.join(folder, "mnist.npz"), **arrays)


def _reviews(rng, n, vocab):
    """Word ranks (1 = most frequent) and 0/1 labels; positive reviews use one band of
    the vocabulary more, negative ones another."""
    labels = rng.integers(0, 2, n)
    seqs = np.empty(n, dtype=object)
    band = vocab // 10
    for i in range(n):
        length = int(rng.integers(20, 120))
        words = rng.integers(1, vocab, length)
        k = length // 3
        start = band if labels[i] else 2 * band
        words[rng.integers(0, length, k)] = rng.integers(start, start + band, k)
        seqs[i] = words.tolist()
    return seqs, labels


def imdb_npz(folder, n_train=1500, n_test=500, vocab=2000):
    """`imdb.npz` as Keras caches it: ragged object arrays of word ranks."""
    rng = np.random.default_rng(3)
    x_train, y_train = _reviews(rng, n_train, vocab)
    x_test, y_test = _reviews(rng, n_test, vocab)
    os.makedirs(folder, exist_ok=True)
    np.savez(
        os.path.join(folder, "imdb.npz"),
        x_train=x_train,
        y_train=y_train,
        x_test=x_test,
        y_test=y_test,
    )


WORDS = (
    "great wonderful loved superb moving brilliant fun best enjoyed charming "
    "awful boring worst dull terrible waste poor bad mess annoying "
    "the a film movie story plot actor scene it was and of to is this in"
).split()


def aclimdb_tree(root, n_train=400, n_test=200):
    """The aclImdb folder layout: {train,test}/{pos,neg}/<id>_<rating>.txt, plus the
    train/unsup folder the tutorial deletes; reviews carry '<br />' and punctuation."""
    rng = np.random.default_rng(4)
    for split, n in (("train", n_train), ("test", n_test)):
        for label, lo in (("pos", 0), ("neg", 10)):
            d = os.path.join(root, "aclImdb", split, label)
            os.makedirs(d)
            for i in range(n // 2):
                k = int(rng.integers(15, 60))
                words = [WORDS[j] for j in rng.integers(20, len(WORDS), k)]
                for p in rng.integers(0, k, k // 4):
                    words[p] = WORDS[lo + int(rng.integers(0, 10))]
                text = (
                    " ".join(words).capitalize()
                    + ".<br /><br />"
                    + WORDS[lo + int(rng.integers(0, 10))].upper()
                    + "!"
                )
                with open(os.path.join(d, f"{i}_{7 if label == 'pos' else 2}.txt"), "w") as f:
                    f.write(text)
    unsup = os.path.join(root, "aclImdb", "train", "unsup")
    os.makedirs(unsup)
    with open(os.path.join(unsup, "0_0.txt"), "w") as f:
        f.write("unlabelled")


def creditcard_csv(path, n=6000, seed=8):
    """creditcard.csv's columns (Time, V1..V28, Amount, Class), about 0.5% positives
    that differ from the rest in a few V columns."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    y = (rng.uniform(size=n) < 0.005).astype(int)
    y[:8] = 1  # enough positives for every split
    v = rng.normal(size=(n, 28))
    v[y == 1, :4] += 2.5
    frame = pd.DataFrame(v, columns=[f"V{i}" for i in range(1, 29)])
    frame.insert(0, "Time", np.sort(rng.uniform(0, 172792, n)).round())
    frame["Amount"] = np.abs(rng.lognormal(3, 1.5, n)).round(2)
    frame["Class"] = y
    frame.to_csv(path, index=False)
