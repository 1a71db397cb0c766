"""Compile state travels with the model: optimizer config and variables, loss and
metrics, in both directions with Keras, so that training resumes where it stopped."""

import numpy as np
import pytest

import kerasette as ks
from tests.saving import models
from tests.saving.test_callbacks import assert_same_state, data

OPTIMIZERS = {
    "adam": lambda lib: lib.optimizers.Adam(0.01),
    "sgd_momentum": lambda lib: lib.optimizers.SGD(0.05, momentum=0.9, nesterov=True),
    "rmsprop": lambda lib: lib.optimizers.RMSprop(0.005, momentum=0.5, centered=True),
    "adagrad": lambda lib: lib.optimizers.Adagrad(0.05),
    "nadam": lambda lib: lib.optimizers.Nadam(0.01),
    "adamw": lambda lib: lib.optimizers.AdamW(0.01, weight_decay=0.01, amsgrad=True),
    "adadelta": lambda lib: lib.optimizers.Adadelta(1.0),
    "sgd_schedule": lambda lib: lib.optimizers.SGD(
        lib.optimizers.schedules.ExponentialDecay(0.1, decay_steps=3, decay_rate=0.5), momentum=0.5
    ),
}


def build(lib, opt="adam", seed=0):
    lib.utils.set_random_seed(seed)
    L = lib.layers
    m = lib.Sequential(
        [
            L.Input(shape=(4,)),
            L.Dense(16, activation="relu", name="h"),
            L.Dense(3, activation="softmax", name="out"),
        ],
        name="net",
    )
    m.compile(
        optimizer=OPTIMIZERS[opt](lib), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    return m


def opt_arrays(model):
    return [np.asarray(v.numpy()) for v in model.optimizer.variables]


def test_resume_from_a_saved_model_equals_an_uninterrupted_run(tmp_path):
    x, y = data()
    reference = build(ks)
    reference.fit(x, y, epochs=4, batch_size=16, shuffle=False, verbose=0)
    first = build(ks)
    first.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    first.save(tmp_path / "half.keras")
    resumed = ks.models.load_model(tmp_path / "half.keras")
    assert resumed.compiled and resumed._metric_ids == ["accuracy"]
    resumed.fit(x, y, epochs=4, initial_epoch=2, batch_size=16, shuffle=False, verbose=0)
    assert_same_state(resumed, reference)


def test_compile_false_skips_compile_state(tmp_path):
    m = build(ks)
    m.save(tmp_path / "m.keras")
    loaded = ks.models.load_model(tmp_path / "m.keras", compile=False)
    assert not loaded.compiled and loaded.optimizer is None


@pytest.mark.parametrize("opt", sorted(OPTIMIZERS))
def test_kerasette_optimizer_state_loads_in_keras(tmp_path, keras, opt):
    x, y = data()
    ours = build(ks, opt)
    ours.fit(x, y, epochs=2, batch_size=16, verbose=0)
    ours.save(tmp_path / "m.keras")
    theirs = keras.models.load_model(tmp_path / "m.keras")
    assert type(theirs.optimizer).__name__ == type(ours.optimizer).__name__
    theirs_cfg, ours_cfg = theirs.optimizer.get_config(), ours.optimizer.get_config()
    for key, value in ours_cfg.items():
        if isinstance(value, dict):  # a learning-rate schedule
            assert theirs_cfg[key] == value, key
        else:
            assert theirs_cfg[key] == pytest.approx(value), key
    a, b = opt_arrays(ours), opt_arrays(theirs)
    assert [v.shape for v in a] == [v.shape for v in b]
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v.astype(u.dtype))


@pytest.mark.parametrize("opt", sorted(OPTIMIZERS))
def test_keras_optimizer_state_resumes_in_kerasette(tmp_path, keras, opt):
    """Keras trains, saves; kerasette loads and both take the same further steps:
    the weights stay together (a mis-ordered slot, e.g. m and v swapped, would not)."""
    x, y = data()
    theirs = build(keras, opt)
    theirs.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0)
    theirs.save(tmp_path / "k.keras")
    ours = ks.models.load_model(tmp_path / "k.keras")
    assert len(opt_arrays(ours)) == len(opt_arrays(theirs))
    for u, v in zip(opt_arrays(ours), opt_arrays(theirs)):
        np.testing.assert_array_equal(u, np.asarray(v).astype(u.dtype))
    theirs.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    ours.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    # float32 arithmetic in two libraries over 8 steps: close, not identical.
    for u, v in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(u, v, rtol=2e-4, atol=2e-5)
    assert int(opt_arrays(ours)[0]) == int(opt_arrays(theirs)[0]) == 5 * 4


def test_keras_trained_all_layers_model_keeps_training_in_kerasette(tmp_path, keras):
    """BatchNormalization moving statistics, Normalization state and Adam slots of a
    Keras-trained model carry over: further training agrees with Keras's."""
    x = np.random.default_rng(0).normal(1.0, 2.0, size=(96, models.N_FEATURES)).astype("float32")
    y = np.random.default_rng(1).integers(0, 3, 96)
    theirs = models.all_layers(keras, dropout=0.0)  # dropout masks differ between libraries
    theirs.compile(
        optimizer=keras.optimizers.Adam(0.01),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    theirs.fit(x, y, epochs=2, batch_size=32, shuffle=False, verbose=0)
    theirs.save(tmp_path / "k.keras")
    ours = ks.models.load_model(tmp_path / "k.keras")
    reference = keras.models.load_model(tmp_path / "k.keras")
    reference.fit(x, y, epochs=2, batch_size=32, shuffle=False, verbose=0)
    ours.fit(x, y, epochs=2, batch_size=32, shuffle=False, verbose=0)
    for var, u, v in zip(ours.weights, ours.get_weights(), reference.get_weights(), strict=True):
        if var.path == "d1/bias":
            # BatchNormalization follows d1, so d1's bias has a zero gradient up to
            # rounding noise, which Adam's 1/sqrt(v) scaling turns into O(lr) steps
            # of arbitrary sign in either library: not comparable.
            continue
        np.testing.assert_allclose(u, v, rtol=1e-3, atol=1e-4, err_msg=var.path)
    # the d1/bias noise above shifts inference-mode BN outputs by ~1e-4
    np.testing.assert_allclose(
        ours.predict(x, verbose=0), reference.predict(x, verbose=0), atol=1e-3
    )
