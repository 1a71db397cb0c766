"""keras.datasets against real Keras: small files written here in Keras's cache formats
(IMDB/Reuters ragged .npz, Fashion-MNIST gzipped IDX, CIFAR-10 pickled batches in the
extracted archive, California housing .npz), loaded by both libraries from the same
cache folder; the arrays must be equal. No download: Keras's hash check is bypassed
(the files are not the real ones) by calling its loaders with a get_file that skips it."""

import gzip
import os
import pickle
import tarfile

import numpy as np
import pytest

import kerasette

pytestmark = pytest.mark.keras_ref


@pytest.fixture
def home(tmp_path, monkeypatch):
    keras = pytest.importorskip("keras")
    from keras.src.backend import config as kconfig
    from keras.src.utils import file_utils

    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(kconfig, "_KERAS_DIR", str(tmp_path))
    real = file_utils.get_file

    def no_hash(*a, **k):
        k.pop("file_hash", None)
        return real(*a, **k)

    for mod in ("imdb", "reuters", "fashion_mnist", "cifar10", "california_housing"):
        monkeypatch.setattr(f"keras.src.datasets.{mod}.get_file", no_hash)
    os.makedirs(tmp_path / "datasets")
    return keras, tmp_path / "datasets"


def _ragged(rng, n, vocab=60):
    out = np.empty(n, dtype=object)
    for i in range(n):
        out[i] = [int(v) for v in rng.integers(1, vocab, size=rng.integers(3, 20))]
    return out


def _same(a, b):
    (xa, ya), (xb, yb) = a
    (xc, yc), (xd, yd) = b
    for got, want in ((xa, xc), (xb, xd)):
        assert got.dtype == want.dtype and got.shape == want.shape
        assert [list(s) for s in got] == [list(s) for s in want]
    for got, want in ((ya, yc), (yb, yd)):
        np.testing.assert_array_equal(got, want)
        assert got.dtype == want.dtype


IMDB_ARGS = [
    {},
    {"num_words": 30},
    {"num_words": 40, "skip_top": 5, "maxlen": 15},
    {"oov_char": None, "num_words": 25},
    {"start_char": None, "index_from": 0},
    {"seed": 7, "maxlen": 12},
]


@pytest.mark.parametrize("kw", IMDB_ARGS, ids=str)
def test_imdb(home, kw):
    keras, folder = home
    rng = np.random.default_rng(0)
    np.savez(
        folder / "imdb.npz",
        x_train=_ragged(rng, 30),
        y_train=rng.integers(0, 2, 30),
        x_test=_ragged(rng, 20),
        y_test=rng.integers(0, 2, 20),
    )
    _same(kerasette.datasets.imdb.load_data(**kw), keras.datasets.imdb.load_data(**kw))


@pytest.mark.parametrize(
    "kw",
    [{}, {"num_words": 30, "test_split": 0.3}, {"maxlen": 14, "skip_top": 3, "seed": 1}],
    ids=str,
)
def test_reuters(home, kw):
    keras, folder = home
    rng = np.random.default_rng(1)
    np.savez(folder / "reuters.npz", x=_ragged(rng, 40), y=rng.integers(0, 46, 40))
    _same(kerasette.datasets.reuters.load_data(**kw), keras.datasets.reuters.load_data(**kw))
    assert kerasette.datasets.reuters.get_label_names() == keras.datasets.reuters.get_label_names()


def test_word_indexes(home):
    import json

    keras, folder = home
    for name in ("imdb", "reuters"):
        (folder / f"{name}_word_index.json").write_text(json.dumps({"the": 1, "a": 2, "x": 3}))
        assert (
            getattr(kerasette.datasets, name).get_word_index()
            == getattr(keras.datasets, name).get_word_index()
        )


def test_a_tampered_pickle_is_refused(home):
    _, folder = home
    evil = np.empty(1, dtype=object)
    evil[0] = os.getcwd  # any callable that is not a numpy array part
    np.savez(
        folder / "imdb.npz", x_train=evil, y_train=np.zeros(1), x_test=evil, y_test=np.zeros(1)
    )
    with pytest.raises(pickle.UnpicklingError, match="refusing"):
        kerasette.datasets.imdb.load_data()


def _idx(path, arr, header):
    with gzip.open(path, "wb") as f:
        f.write(header + arr.tobytes())


def test_fashion_mnist(home):
    keras, folder = home
    d = folder / "fashion-mnist"
    d.mkdir()
    rng = np.random.default_rng(2)
    for prefix, n in (("train", 7), ("t10k", 3)):
        _idx(
            d / f"{prefix}-labels-idx1-ubyte.gz", rng.integers(0, 10, n, dtype=np.uint8), b"\0" * 8
        )
        _idx(
            d / f"{prefix}-images-idx3-ubyte.gz",
            rng.integers(0, 256, (n, 28, 28), dtype=np.uint8),
            b"\0" * 16,
        )
    ours, theirs = (
        kerasette.datasets.fashion_mnist.load_data(),
        keras.datasets.fashion_mnist.load_data(),
    )
    for a, b in zip(ours[0] + ours[1], theirs[0] + theirs[1]):
        np.testing.assert_array_equal(a, b)
        assert a.dtype == b.dtype == np.uint8
    assert ours[0][0].shape == (7, 28, 28)


def _cifar_archive(folder, n):
    """Keras's cache after a download: the archive and its extracted folder."""
    rng = np.random.default_rng(3)
    src = folder / "src" / "cifar-10-batches-py"
    src.mkdir(parents=True)
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        batch = {
            b"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8),
            b"labels": [int(v) for v in rng.integers(0, 10, n)],
        }
        with open(src / name, "wb") as f:
            pickle.dump(batch, f)
    with tarfile.open(folder / "cifar-10-batches-py-target_archive", "w:gz") as t:
        t.add(src, arcname="cifar-10-batches-py")


def test_cifar10_batches_read_as_keras_reads_them(home):
    """Keras's loader assumes 10000 images per batch (180 MB of test files), so the
    batch reader is compared directly and load_data checked on its own."""
    keras, folder = home
    from keras.src.datasets.cifar import load_batch as keras_load_batch

    _cifar_archive(folder, 4)
    (xt, yt), (xs, ys) = kerasette.datasets.cifar10.load_data()  # extracts the archive
    path = folder / "cifar-10-batches-py-target" / "cifar-10-batches-py"
    parts = [keras_load_batch(str(path / f"data_batch_{i}")) for i in range(1, 6)]
    want_x = np.concatenate([p[0] for p in parts]).transpose(0, 2, 3, 1)
    np.testing.assert_array_equal(xt, want_x)
    np.testing.assert_array_equal(yt[:, 0], np.concatenate([p[1] for p in parts]))
    tx, ty = keras_load_batch(str(path / "test_batch"))
    np.testing.assert_array_equal(xs, tx.transpose(0, 2, 3, 1))
    np.testing.assert_array_equal(ys[:, 0], ty)
    assert xt.shape == (20, 32, 32, 3) and yt.shape == (20, 1) and yt.dtype == np.uint8


@pytest.mark.parametrize("kw", [{}, {"version": "small", "test_split": 0.25, "seed": 5}], ids=str)
def test_california_housing(home, kw):
    keras, folder = home
    rng = np.random.default_rng(4)
    np.savez(folder / "california_housing.npz", x=rng.normal(size=(700, 8)), y=rng.normal(size=700))
    ours = kerasette.datasets.california_housing.load_data(**kw)
    theirs = keras.datasets.california_housing.load_data(**kw)
    for a, b in zip(ours[0] + ours[1], theirs[0] + theirs[1]):
        np.testing.assert_array_equal(a, b)


def test_get_file_names_folders_as_keras(home, tmp_path):
    keras, folder = home
    archive = tmp_path / "a.tar.gz"
    (tmp_path / "inner").mkdir()
    (tmp_path / "inner" / "f.txt").write_text("hi")
    with tarfile.open(archive, "w:gz") as t:
        t.add(tmp_path / "inner", arcname="inner")
    url = archive.as_uri()
    (tmp_path / "o").mkdir(), (tmp_path / "k").mkdir()  # Keras needs a writable cache_dir
    for fname in ("pack", "pack.tar.gz"):
        ours = kerasette.utils.get_file(fname, url, extract=True, cache_dir=str(tmp_path / "o"))
        theirs = keras.utils.get_file(fname, url, extract=True, cache_dir=str(tmp_path / "k"))
        assert os.path.relpath(ours, tmp_path / "o") == os.path.relpath(theirs, tmp_path / "k")
        assert open(os.path.join(ours, "inner", "f.txt")).read() == "hi"
