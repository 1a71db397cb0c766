"""keras.utils.timeseries_dataset_from_array and split_dataset against real Keras: the
same batches (or, where Keras shuffles in a tf.data buffer, the same windows), the same
splits (Keras seeds Python's random module; so does kerasette), Keras's errors."""

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import kerasette as ks  # noqa: E402

pytestmark = pytest.mark.keras_ref


@pytest.fixture(scope="module")
def keras():
    return pytest.importorskip("keras")


def _batches(ds):
    return [tuple(np.asarray(t) for t in (b if isinstance(b, tuple) else (b,))) for b in ds]


TS = [
    dict(sequence_length=5),
    dict(sequence_length=4, sequence_stride=3, batch_size=4),
    dict(sequence_length=3, sampling_rate=2, batch_size=5, start_index=4, end_index=30),
    dict(sequence_length=6, batch_size=None),
    dict(sequence_length=2, sampling_rate=3, sequence_stride=2, batch_size=7),
]


@pytest.mark.parametrize("targets", [True, False])
@pytest.mark.parametrize("kw", TS, ids=str)
def test_timeseries_windows_as_keras(keras, kw, targets):
    data = np.random.default_rng(0).normal(size=(40, 3)).astype("float32")
    y = np.arange(40) * 10 if targets else None
    ours = _batches(ks.utils.timeseries_dataset_from_array(data, y, **kw))
    theirs = _batches(keras.utils.timeseries_dataset_from_array(data, y, **kw))
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert len(a) == len(b)
        for u, v in zip(a, b):
            np.testing.assert_array_equal(u, v)


def test_timeseries_shuffle_same_windows(keras):
    data = np.arange(100).reshape(50, 2).astype("float32")
    y = np.arange(50)
    kw = dict(sequence_length=4, batch_size=6, shuffle=True, seed=3)
    ours = _batches(ks.utils.timeseries_dataset_from_array(data, y, **kw))
    theirs = _batches(keras.utils.timeseries_dataset_from_array(data, y, **kw))

    def rows(bs):
        return sorted((int(t), w.tobytes()) for x, yy in bs for w, t in zip(x, yy))

    assert rows(ours) == rows(theirs)
    assert [int(t) for _, yy in ours for t in yy] != sorted(int(t) for t in y[:47])


def test_timeseries_fits_a_model():
    data = np.sin(np.arange(300) / 5.0).astype("float32")[:, None]
    ds = ks.utils.timeseries_dataset_from_array(
        data[:-8], data[8:, 0], sequence_length=8, batch_size=32
    )
    m = ks.Sequential([ks.Input((8, 1)), ks.layers.LSTM(8), ks.layers.Dense(1)])
    m.compile("adam", "mse")
    h = m.fit(ds, epochs=2, verbose=0).history["loss"]
    assert len(h) == 2 and np.all(np.isfinite(h))


@pytest.mark.parametrize(
    "kw",
    [
        dict(sampling_rate=0),
        dict(sequence_stride=0),
        dict(start_index=-1),
        dict(end_index=50),
        dict(start_index=10, end_index=5),
    ],
    ids=str,
)
def test_timeseries_errors_as_keras(keras, kw):
    data = np.zeros((20, 2))
    with pytest.raises(ValueError):
        keras.utils.timeseries_dataset_from_array(data, None, 3, **kw)
    with pytest.raises(ValueError):
        ks.utils.timeseries_dataset_from_array(data, None, 3, **kw)


SPLITS = [
    dict(left_size=0.8),
    dict(right_size=3),
    dict(left_size=4, right_size=5),
    dict(left_size=0.3, right_size=0.5),
    dict(left_size=0.75, shuffle=True, seed=7),
    dict(right_size=0.25, shuffle=True, seed=11),
]


@pytest.mark.parametrize("kw", SPLITS, ids=str)
def test_split_arrays_and_tuples_as_keras(keras, kw):
    x = np.arange(40).reshape(20, 2).astype("float32")
    y = np.arange(20)
    for data in (x, (x, y)):
        ours = ks.utils.split_dataset(data, **kw)
        theirs = keras.utils.split_dataset(data, **kw)
        for a, b in zip(ours, theirs):
            ra, rb = _batches(a), _batches(b)
            assert len(ra) == len(rb)
            for u, v in zip(ra, rb):
                for p, q in zip(u, v):
                    np.testing.assert_array_equal(p, q)


def test_split_a_batched_dataset_stays_batched(keras):
    x = np.arange(30).reshape(15, 2).astype("float32")
    ours = ks.utils.split_dataset(ks.data.Dataset.from_tensor_slices(x).batch(4), 0.6)
    import tensorflow as tf

    theirs = keras.utils.split_dataset(tf.data.Dataset.from_tensor_slices(x).batch(4), 0.6)
    for a, b in zip(ours, theirs):
        ra, rb = _batches(a), _batches(b)
        assert [r[0].shape for r in ra] == [r[0].shape for r in rb]
        for u, v in zip(ra, rb):
            np.testing.assert_array_equal(u[0], v[0])


@pytest.mark.parametrize(
    "kw",
    [
        dict(),
        dict(left_size=0),
        dict(left_size=1.5),
        dict(left_size=0.7, right_size=0.6),
        dict(left_size=25),
        dict(left_size="a"),
    ],
    ids=str,
)
def test_split_errors_as_keras(keras, kw):
    x = np.zeros((20, 2))
    with pytest.raises((ValueError, TypeError)) as theirs:
        keras.utils.split_dataset(x, **kw)
    with pytest.raises(theirs.type):
        ks.utils.split_dataset(x, **kw)
