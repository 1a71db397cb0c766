"""Training vs inference modes (Dropout, BatchNormalization), seeded determinism,
frozen layers, and the per-batch (callback) path agreeing with the C++ epoch path."""

import numpy as np
import pytest

import kerasette
from kerasette import layers


def _xy(n=64, c=6, seed=0):
    r = np.random.default_rng(seed)
    x = r.normal(size=(n, c)).astype("float32")
    return x, (x[:, 0] + x[:, 1] > 0).astype("float32")


def test_dropout_only_in_training():
    d = layers.Dropout(0.4)
    x = np.ones((50, 200), "float32")
    np.testing.assert_array_equal(d(x), x)  # inference: identity
    y = d(x, training=True)
    kept = y != 0
    assert 0.5 < kept.mean() < 0.7  # keep probability 0.6
    np.testing.assert_allclose(y[kept], 1 / 0.6, rtol=1e-6)  # inverted dropout scale


def test_batchnorm_training_uses_batch_stats_and_updates_moving_stats():
    bn = layers.BatchNormalization(momentum=0.8, epsilon=1e-3)
    r = np.random.default_rng(0)
    x = (r.normal(size=(32, 5)) * 3 + 2).astype("float32")
    y = bn(x, training=True)
    np.testing.assert_allclose(y, (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(bn.moving_mean.numpy(), 0.2 * x.mean(0), rtol=1e-5)
    np.testing.assert_allclose(bn.moving_variance.numpy(), 0.8 + 0.2 * x.var(0), rtol=1e-5)
    y_inf = bn(x)  # inference: moving statistics
    np.testing.assert_allclose(
        y_inf,
        (x - bn.moving_mean.numpy()) / np.sqrt(bn.moving_variance.numpy() + 1e-3),
        rtol=1e-4,
        atol=1e-5,
    )


def _fit_once(seed, **fit_kw):
    kerasette.utils.set_random_seed(seed)
    m = kerasette.models.Sequential(
        [
            layers.Input((6,)),
            layers.Dense(8, activation="relu"),
            layers.Dropout(0.3),
            layers.Dense(1, activation="sigmoid"),
        ]
    )
    m.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    x, y = _xy()
    h = m.fit(x, y, batch_size=8, epochs=3, verbose=0, **fit_kw)
    return m.get_weights(), h.history


def test_set_random_seed_repeats_exactly():
    w1, h1 = _fit_once(7)
    w2, h2 = _fit_once(7)
    w3, _ = _fit_once(8)
    for a, b in zip(w1, w2):
        np.testing.assert_array_equal(a, b)
    assert h1 == h2
    assert any(not np.array_equal(a, b) for a, b in zip(w1, w3))


class _BatchCounter(kerasette.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.batches = 0

    def on_train_batch_end(self, batch, logs=None):
        self.batches += 1


def test_per_batch_path_equals_cpp_epoch_path():
    """A callback with batch hooks forces the Python loop; results must be identical."""
    cb = _BatchCounter()
    w_fast, h_fast = _fit_once(3)
    w_slow, h_slow = _fit_once(3, callbacks=[cb])
    assert cb.batches == 3 * 8
    for a, b in zip(w_fast, w_slow):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    for k in h_fast:
        np.testing.assert_allclose(h_fast[k], h_slow[k], rtol=1e-6)


def test_frozen_layer_does_not_move_and_frozen_bn_uses_moving_stats():
    x, y = _xy()
    m = kerasette.models.Sequential(
        [
            layers.Input((6,)),
            layers.Dense(8, activation="relu"),
            layers.BatchNormalization(),
            layers.Dense(1, activation="sigmoid"),
        ]
    )
    m.layers[0].trainable = False
    m.layers[1].trainable = False
    m.compile(optimizer="adam", loss="binary_crossentropy")
    before = m.get_weights()
    m.fit(x, y, batch_size=16, epochs=2, verbose=0)
    after = m.get_weights()
    for a, b in zip(before[:6], after[:6]):  # dense kernel/bias + all BN weights unchanged
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(before[6], after[6])
    assert len(m.trainable_weights) == 2


def test_lr_schedule_and_class_weight_match_keras():
    keras = pytest.importorskip("keras")
    x, y = _xy(seed=2)
    keras.utils.set_random_seed(0)
    km = keras.Sequential(
        [
            keras.Input((6,)),
            keras.layers.Dense(4, activation="tanh"),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    ks = kerasette.models.Sequential(
        [
            layers.Input((6,)),
            layers.Dense(4, activation="tanh"),
            layers.Dense(1, activation="sigmoid"),
        ]
    )
    ks.set_weights(km.get_weights())
    sched = dict(initial_learning_rate=0.1, decay_steps=3, decay_rate=0.5)
    km.compile(
        optimizer=keras.optimizers.SGD(keras.optimizers.schedules.ExponentialDecay(**sched)),
        loss="binary_crossentropy",
    )
    ks.compile(
        optimizer=kerasette.optimizers.SGD(
            kerasette.optimizers.schedules.ExponentialDecay(**sched)
        ),
        loss="binary_crossentropy",
    )
    kw = dict(batch_size=16, epochs=3, shuffle=False, verbose=0, class_weight={0: 0.3, 1: 2.0})
    hk, hr = ks.fit(x, y, **kw), km.fit(x, y, **kw)
    np.testing.assert_allclose(hk.history["loss"], hr.history["loss"], rtol=1e-4)
    for a, b in zip(ks.get_weights(), km.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_model_call_is_eager_predict_and_training_call_uses_dropout():
    m = kerasette.models.Sequential(
        [
            layers.Input((6,)),
            layers.Dense(50, activation="relu"),
            layers.Dropout(0.5),
            layers.Dense(3),
        ]
    )
    x, _ = _xy(n=5)
    out = m(x)
    assert isinstance(out, kerasette.Tensor) and out.shape == (5, 3)  # model(x).numpy()
    np.testing.assert_allclose(out, m.predict(x, verbose=0), rtol=1e-6)
    np.testing.assert_allclose(m(x.tolist()), out, rtol=1e-6)
    assert not np.allclose(m(x, training=True), out)  # dropout active
