"""Dropout's `noise_shape` with `None` entries inside a model: Keras takes each None
from the input's shape at run time (one draw per (sample, channel) for
`(None, 1, C)`), so fit traces with an unknown batch and still works. The training
forward of fit is observed through a metric: the output must be constant along axis 1
(one draw shared there) and hold only 0 and 1 / (1 - rate); Keras's fit reports the
same. Compiled and with KERASETTE_INTERPRET=1."""

import numpy as np
import pytest

import kerasette as ks

RATE = 0.5
X = np.ones((32, 5, 3), np.float32)
Y = np.zeros((32, 5, 3), np.float32)


def _spread_along_axis1(lib):
    """Largest difference from the first step along axis 1: 0 when the mask is shared."""

    def spread(y_true, y_pred):
        o = lib.ops
        return o.max(o.abs(y_pred - y_pred[:, :1, :]))

    return spread


def _fit_metrics(lib):
    inp = lib.Input((5, 3))
    out = lib.layers.Dropout(RATE, noise_shape=(None, 1, 3), seed=3)(inp)
    model = lib.Model(inp, out)
    model.compile("sgd", "mse", metrics=[_spread_along_axis1(lib)])
    hist = model.fit(X, Y, batch_size=8, epochs=2, verbose=0).history
    return model, hist


def _check(model, hist):
    # fit's training forward: one draw per (sample, channel), values 0 or 2 only
    assert max(hist["spread"]) == 0.0
    # loss = mean(out**2) = 4 * kept fraction, about 2 for rate 0.5
    assert all(0.8 < v < 3.2 for v in hist["loss"])
    np.testing.assert_array_equal(model.predict(X, verbose=0), X)  # identity


@pytest.mark.keras_ref
def test_keras_fit_with_none_in_noise_shape(keras):
    _check(*_fit_metrics(keras))


@pytest.mark.parametrize("interpret", [False, True])
def test_fit_with_none_in_noise_shape(interpret, monkeypatch):
    if interpret:
        monkeypatch.setenv("KERASETTE_INTERPRET", "1")
    else:
        monkeypatch.delenv("KERASETTE_INTERPRET", raising=False)
    _check(*_fit_metrics(ks))


@pytest.mark.parametrize("interpret", [False, True])
def test_traced_call_with_none_in_noise_shape(interpret, monkeypatch):
    """The layer and keras.random.dropout in a function traced with an unknown batch."""
    from kerasette.graph.function import Function

    if interpret:
        monkeypatch.setenv("KERASETTE_INTERPRET", "1")
    else:
        monkeypatch.delenv("KERASETTE_INTERPRET", raising=False)
    layer = ks.layers.Dropout(RATE, noise_shape=(None, 1, 3), seed=5)
    x = np.ones((64, 5, 3), np.float32)
    for fn in (
        lambda t: layer(t, training=True),
        lambda t: ks.random.dropout(t, RATE, noise_shape=(None, 1, 3), seed=7),
    ):
        out = np.asarray(Function(fn)(x))
        assert out.shape == x.shape
        assert set(np.unique(out)) <= {0.0, 2.0}
        np.testing.assert_array_equal(out, np.broadcast_to(out[:, :1, :], out.shape))
        assert 0.3 < (out != 0).mean() < 0.7
