"""Stateful SimpleRNN/LSTM/GRU against real Keras 3.15, from copied weights.

A stateful layer keeps each batch row's last states for the next batch. `fit` with
shuffle=False, `predict` and `evaluate` carry them from batch to batch (and from epoch
to epoch: Keras never resets them by itself), `reset_states()` zeroes them, and a .keras
file holds no states (Keras keeps them out of the weights: a loaded model starts at
zero).
"""

import io
import zipfile

import numpy as np
import pytest

import kerasette as ks

pytestmark = pytest.mark.keras_ref

B, T, F = 4, 5, 3
KINDS = ["SimpleRNN", "LSTM", "GRU"]


def _model(lib, kind, return_sequences=False, units=6):
    layer = getattr(lib.layers, kind)(units, stateful=True, return_sequences=return_sequences)
    head = (
        lib.layers.TimeDistributed(lib.layers.Dense(1)) if return_sequences else lib.layers.Dense(1)
    )
    return lib.Sequential([lib.Input(batch_shape=(B, T, F)), layer, head])


def _pair(keras, kind, return_sequences=False):
    k = _model(keras, kind, return_sequences)
    m = _model(ks, kind, return_sequences)
    rng = np.random.default_rng(1)
    weights = [rng.normal(scale=0.4, size=w.shape).astype("float32") for w in k.get_weights()]
    k.set_weights(weights)
    m.set_weights(weights)
    return k, m


def _states(model):
    return [np.asarray(v) for v in model.layers[0].states]


def _data(n=3 * B, seed=2, return_sequences=False):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, T, F)).astype("float32")
    y = rng.normal(size=(n, T, 1) if return_sequences else (n, 1)).astype("float32")
    return x, y


def _close(a, b, tol=2e-5):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=tol, atol=tol)


@pytest.mark.parametrize("return_sequences", [False, True])
@pytest.mark.parametrize("kind", KINDS)
def test_fit_carries_states_like_keras(keras, kind, return_sequences):
    k, m = _pair(keras, kind, return_sequences)
    x, y = _data(return_sequences=return_sequences)
    for model in (k, m):
        model.compile(optimizer=model_sgd(model), loss="mse")
    hk = k.fit(x, y, batch_size=B, epochs=3, shuffle=False, verbose=0).history["loss"]
    hm = m.fit(x, y, batch_size=B, epochs=3, shuffle=False, verbose=0).history["loss"]
    _close(hm, hk, 1e-4)
    for got, want in zip(_states(m), _states(k)):
        assert got.shape == want.shape == (B, 6)
        _close(got, want, 1e-4)
    for got, want in zip(m.get_weights(), k.get_weights()):
        _close(got, want, 1e-4)


def model_sgd(model):
    lib = ks if isinstance(model, ks.Model) else __import__("keras")
    return lib.optimizers.SGD(learning_rate=0.05)


@pytest.mark.parametrize("kind", KINDS)
def test_predict_evaluate_and_reset_like_keras(keras, kind):
    k, m = _pair(keras, kind)
    x, y = _data()
    for model in (k, m):
        model.compile(optimizer="sgd", loss="mse")
    # predict twice: the second pass starts from the first one's last states
    for _ in range(2):
        _close(m.predict(x, batch_size=B, verbose=0), k.predict(x, batch_size=B, verbose=0))
        for got, want in zip(_states(m), _states(k)):
            _close(got, want)
    _close(
        m.evaluate(x, y, batch_size=B, verbose=0), k.evaluate(x, y, batch_size=B, verbose=0), 1e-4
    )
    for got, want in zip(_states(m), _states(k)):
        _close(got, want)
    m.layers[0].reset_states()  # Keras 3 models have no reset_states(); layers do
    k.layers[0].reset_states()
    for got in _states(m):
        np.testing.assert_array_equal(got, 0.0)
    _close(m.predict(x[:B], batch_size=B, verbose=0), k.predict(x[:B], batch_size=B, verbose=0))
    m.layers[0].reset_state()
    k.layers[0].reset_state()
    _close(m(x[:B]), k(x[:B]))  # an eager call carries the states too
    _close(m(x[B : 2 * B]), k(x[B : 2 * B]))


@pytest.mark.parametrize("kind", KINDS)
def test_states_are_not_weights(keras, kind):
    k, m = _pair(keras, kind)
    assert len(m.weights) == len(k.weights)
    assert len(m.layers[0].states) == len(k.layers[0].states)
    assert [w.shape for w in m.get_weights()] == [tuple(w.shape) for w in k.get_weights()]


def _h5_groups(path):
    import h5py

    with zipfile.ZipFile(path) as z:
        data = z.read("model.weights.h5")
    names = []
    with h5py.File(io.BytesIO(data), "r") as h5:
        h5.visit(names.append)
    return sorted(names)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("direction", ["kerasette->keras", "keras->kerasette"])
def test_files_both_ways_start_from_zero_states(keras, tmp_path, kind, direction):
    k, m = _pair(keras, kind)
    src, dst = (m, keras) if direction == "kerasette->keras" else (k, ks)
    x, _ = _data()
    src.predict(x, batch_size=B, verbose=0)  # non-zero states, which the file leaves out
    assert any(np.abs(s).sum() > 0 for s in _states(src))
    path = tmp_path / "stateful.keras"
    src.save(path)
    loaded = dst.models.load_model(path)
    assert loaded.layers[0].stateful
    for s in _states(loaded):
        np.testing.assert_array_equal(np.asarray(s), 0.0)
    src.layers[0].reset_states()
    _close(loaded.predict(x, batch_size=B, verbose=0), src.predict(x, batch_size=B, verbose=0))


@pytest.mark.parametrize("kind", KINDS)
def test_file_holds_what_keras_writes(keras, tmp_path, kind):
    k, m = _pair(keras, kind)
    k.save(tmp_path / "k.keras")
    m.save(tmp_path / "m.keras")
    assert _h5_groups(tmp_path / "m.keras") == _h5_groups(tmp_path / "k.keras")


@pytest.mark.parametrize("kind", KINDS)
def test_batch_size_must_match(keras, kind):
    """A stateful layer's batch is fixed: a last partial batch fails in Keras (at run
    time, from TensorFlow); kerasette says so before running."""
    k, m = _pair(keras, kind)
    x, _ = _data(n=B + 2)
    with pytest.raises(Exception):  # noqa: B017 (TensorFlow's InvalidArgumentError)
        k.predict(x, batch_size=B, verbose=0)
    with pytest.raises(ValueError):
        m.predict(x, batch_size=B, verbose=0)
