"""Datasets, generators and PyDatasets in fit/evaluate/predict; input/training overlap."""

import time

import numpy as np
import pytest

import kerasette as ks
from kerasette.data import AUTOTUNE, Dataset


def make_model(units=8, seed=0, out=1):
    ks.utils.set_random_seed(seed)
    model = ks.Sequential([ks.layers.Dense(units, activation="relu"), ks.layers.Dense(out)])
    model.compile(optimizer=ks.optimizers.SGD(0.01), loss="mse", metrics=["mae"])
    return model


def data(n=256, d=4, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype(np.float32)
    return x, x.sum(axis=1, keepdims=True)


def test_dataset_training_equals_array_training_without_shuffle():
    x, y = data()
    a = make_model()
    a.fit(x, y, batch_size=32, epochs=3, shuffle=False, verbose=0)
    b = make_model()
    b.fit(Dataset.from_tensor_slices((x, y)).batch(32).prefetch(AUTOTUNE), epochs=3, verbose=0)
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_allclose(wa, wb, rtol=1e-5, atol=1e-6)
    ds = Dataset.from_tensor_slices((x, y)).batch(64)
    np.testing.assert_allclose(b.evaluate(ds, verbose=0), b.evaluate(x, y, verbose=0), rtol=1e-5)
    np.testing.assert_allclose(
        b.predict(Dataset.from_tensor_slices(x).batch(50), verbose=0),
        b.predict(x, verbose=0),
        rtol=1e-5,
        atol=1e-6,
    )


def test_sample_weights_and_validation_from_datasets():
    x, y = data()
    sw = np.where(np.arange(len(x)) % 2 == 0, 1.0, 0.0).astype(np.float32)
    a = make_model()
    a.fit(x, y, sample_weight=sw, batch_size=32, shuffle=False, epochs=2, verbose=0)
    b = make_model()
    h = b.fit(
        Dataset.from_tensor_slices((x, y, sw)).batch(32),
        epochs=2,
        verbose=0,
        validation_data=Dataset.from_tensor_slices((x[:64], y[:64])).batch(32),
    )
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_allclose(wa, wb, rtol=1e-5, atol=1e-6)
    assert set(h.history) == {"loss", "mae", "val_loss", "val_mae"}


def test_pydataset_in_fit():
    x, y = data()

    class Batches(ks.utils.PyDataset):
        def __init__(self, **kw):
            super().__init__(**kw)

        def __len__(self):
            return len(x) // 32

        def __getitem__(self, i):
            return x[i * 32 : (i + 1) * 32], y[i * 32 : (i + 1) * 32]

    ref = make_model()
    ref.fit(x, y, batch_size=32, shuffle=False, epochs=1, verbose=0)
    for source in (Batches(), Batches(workers=3)):
        m = make_model()
        m.fit(source, epochs=1, verbose=0)
        for wa, wb in zip(ref.get_weights(), m.get_weights(), strict=True):
            np.testing.assert_allclose(wa, wb, rtol=1e-5, atol=1e-6)


def test_generator_in_fit_trains_on_every_batch():
    x, y = data()

    def gen():
        for i in range(0, len(x), 32):
            yield x[i : i + 32], y[i : i + 32]

    ref = make_model()
    ref.fit(x, y, batch_size=32, shuffle=False, epochs=1, verbose=0)
    m = make_model()
    m.fit(gen(), epochs=1, verbose=0)
    for wa, wb in zip(ref.get_weights(), m.get_weights(), strict=True):
        np.testing.assert_allclose(wa, wb, rtol=1e-5, atol=1e-6)


def test_dict_dataset_through_dense_features():
    fc = ks.feature_column
    rng = np.random.default_rng(0)
    feats = {"a": rng.normal(size=200).astype(np.float32), "c": rng.choice(["x", "y", "z"], 200)}
    y = (feats["a"] + (feats["c"] == "y")).astype(np.float32)[:, None]
    model = ks.Sequential(
        [
            ks.layers.DenseFeatures(
                [
                    fc.numeric_column("a"),
                    fc.indicator_column(
                        fc.categorical_column_with_vocabulary_list("c", ["x", "y", "z"])
                    ),
                ]
            ),
            ks.layers.Dense(1),
        ]
    )
    model.compile(optimizer=ks.optimizers.SGD(0.1), loss="mse")
    h = model.fit(
        Dataset.from_tensor_slices((feats, y)).shuffle(200, seed=0).batch(20), epochs=30, verbose=0
    )
    assert h.history["loss"][-1] < 0.01


def _timed_fit(model, ds, epochs=1):
    t = time.perf_counter()
    model.fit(ds, epochs=epochs, verbose=0)
    return (time.perf_counter() - t) / epochs


@pytest.mark.slow
def test_prefetch_overlaps_input_with_training():
    """With a map that sleeps, an epoch takes about max(produce, train), not the sum.

    One compute thread: on this shared 2-core machine an OpenMP team that sleeps between
    batches pays scheduler wake-ups that swamp what is being measured."""
    threads = ks.config.get_num_threads()
    ks.config.set_num_threads(1)
    try:
        _overlap()
    finally:
        ks.config.set_num_threads(threads)


def _overlap():
    x, y = data(n=64 * 32, d=512)
    y = np.repeat(y, 10, axis=1)
    model = make_model(units=2048, out=10)
    base = Dataset.from_tensor_slices((x, y)).batch(64).cache()
    _timed_fit(model, base)  # build the plan, fill the cache
    train = min(_timed_fit(model, base) for _ in range(3))
    delay = max(train / len(base), 0.003)  # producing a batch costs about training on it

    def slow(xb, yb):
        time.sleep(delay)  # stands for decoding/augmentation work (GIL released)
        return xb, yb

    sleepy = base.map(slow)

    def produce_only():
        t = time.perf_counter()
        for _ in sleepy:
            pass
        return time.perf_counter() - t

    serial, overlapped = [], []
    for _ in range(5):  # interleaved, best of 5: the machine is shared
        serial.append(_timed_fit(model, sleepy))
        overlapped.append(_timed_fit(model, sleepy.prefetch(2)))
    train = min([train] + [_timed_fit(model, base) for _ in range(2)])
    produce = min(produce_only() for _ in range(3))  # sleeps overshoot on a loaded machine
    serial, overlapped = min(serial), min(overlapped)
    print(
        f"\noverlap: train {train * 1e3:.0f} ms, produce {produce * 1e3:.0f} ms, "
        f"no prefetch {serial * 1e3:.0f} ms, prefetch {overlapped * 1e3:.0f} ms "
        f"(max {max(train, produce) * 1e3:.0f}, sum {(train + produce) * 1e3:.0f})"
    )
    assert serial > 0.75 * (train + produce)  # without prefetch: about the sum
    assert overlapped < 0.85 * (train + produce)
    assert overlapped < 1.45 * max(train, produce)


def test_infinite_dataset_needs_steps_per_epoch():
    x, y = data(64)
    seen = []

    def guard(xb, yb):  # turns an endless epoch into an error instead of a hang
        seen.append(1)
        if len(seen) > 100:
            raise RuntimeError("the epoch never ended")
        return xb, yb

    ds = Dataset.from_tensor_slices((x, y)).batch(8).repeat().map(guard)
    with pytest.raises(ValueError, match="steps_per_epoch"):
        make_model().fit(ds, epochs=1, verbose=0)


def test_array_datasets_train_on_the_whole_epoch_path(monkeypatch):
    from kerasette.data.transforms import BatchDataset

    pulled = []
    original = BatchDataset._elements
    monkeypatch.setattr(BatchDataset, "_elements", lambda self: pulled.append(1) or original(self))
    x, y = data()
    ds = Dataset.from_tensor_slices((x, y)).shuffle(len(x)).batch(32).prefetch(AUTOTUNE)
    h = make_model().fit(ds, epochs=2, verbose=0)
    assert len(h.epoch) == 2
    assert pulled == []  # the batches came from the engine's own epoch loop
