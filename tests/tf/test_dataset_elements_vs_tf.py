"""Iterating a kerasette Dataset gives what iterating a tf.data.Dataset gives, for the
ways TensorFlow's tutorials use it: `.numpy()` on batches and rows (text as bytes,
0-d rows as numpy scalars), dict elements, `take(1)` loops; and the elements stay numpy
arrays for everything else (as_numpy_iterator gives plain arrays, as tf.data's)."""

import pickle

import numpy as np
import pytest

import kerasette as ks

TEXT = np.array(["good movie", "bad", "Ünïcode ok", "fine"])
LABELS = np.array([1, 0, 1, 0], dtype="int64")
FEATS = np.arange(8, dtype="float32").reshape(4, 2)


@pytest.fixture
def tf():
    return pytest.importorskip("tensorflow")


def _same(mine, ref):
    assert type(mine) is type(ref) or (
        isinstance(mine, np.ndarray) and isinstance(ref, np.ndarray)
    ), (type(mine), type(ref))
    if isinstance(ref, np.ndarray):
        assert mine.dtype == ref.dtype and mine.shape == ref.shape
        assert mine.tolist() == ref.tolist()
    else:
        assert mine == ref


@pytest.mark.parametrize("text", ["str", "object"])  # text_dataset_from_directory: object
@pytest.mark.parametrize("batch", [None, 3])
def test_numpy_on_elements(tf, batch, text):
    texts = TEXT if text == "str" else TEXT.astype(object)
    mine = ks.data.Dataset.from_tensor_slices((texts, LABELS, FEATS))
    ref = tf.data.Dataset.from_tensor_slices((TEXT, LABELS, FEATS))
    if batch:
        mine, ref = mine.batch(batch), ref.batch(batch)
    got, want = list(mine), list(ref)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        for a, b in zip(g, w):
            _same(a.numpy(), b.numpy())


def test_take_one_loop_and_dicts(tf):
    mine = ks.data.Dataset.from_tensor_slices(({"t": TEXT, "x": FEATS}, LABELS)).batch(2)
    ref = tf.data.Dataset.from_tensor_slices(({"t": TEXT, "x": FEATS}, LABELS)).batch(2)
    for (gx, gy), (wx, wy) in zip(mine.take(1), ref.take(1)):
        _same(gx["t"].numpy(), wx["t"].numpy())
        _same(gx["x"].numpy(), wx["x"].numpy())
        _same(gy.numpy()[1], wy.numpy()[1])


def test_elements_stay_numpy_arrays():
    ds = ks.data.Dataset.from_tensor_slices((FEATS, LABELS))
    x, y = next(iter(ds.batch(4)))
    assert isinstance(x, np.ndarray) and isinstance(y, np.ndarray)
    np.testing.assert_array_equal(x * 2 + 1, FEATS * 2 + 1)
    assert type(np.asarray(x)) is np.ndarray
    rows = [y for _, y in ds]
    assert sorted({int(v) for v in rows}) == [0, 1] and len(set(rows)) == 2  # hashable
    assert type(pickle.loads(pickle.dumps(x))) is np.ndarray
    for x, y in ds.batch(4).as_numpy_iterator():
        assert type(x) is np.ndarray and type(y) is np.ndarray


def test_fit_takes_the_elements():
    model = ks.Sequential([ks.Input((2,)), ks.layers.Dense(1)])
    model.compile("sgd", "mse")
    batches = list(ks.data.Dataset.from_tensor_slices((FEATS, LABELS)).batch(2))
    hist = model.fit(ks.data.Dataset.from_tensor_slices((FEATS, LABELS)).batch(2), verbose=0)
    assert np.isfinite(hist.history["loss"][0])
    assert model.predict(batches[0][0], verbose=0).shape == (2, 1)
