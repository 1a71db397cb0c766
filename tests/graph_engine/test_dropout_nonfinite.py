"""Dropout on inf and NaN: Keras 3 on TensorFlow writes +0 where it drops, whatever the
input (a select, not x * 0, which would be NaN for inf and NaN and -0 for negatives),
and x / (1 - rate) where it keeps; the gradient likewise. Which elements drop differs
from Keras's generator, so the tests compare that property: real Keras has it, and
kerasette has it compiled, with KERASETTE_INTERPRET=1 and eagerly, with the compiled and
interpreted results equal bit for bit."""

import numpy as np
import pytest

from kerasette import layers, ops
from kerasette.graph.autodiff import gradients
from kerasette.graph.function import Function

RATE = 0.5
SCALE = np.float32(1) / (np.float32(1) - np.float32(RATE))  # 2, exact
SPECIALS = np.array([np.inf, -np.inf, np.nan, -3.0, 1.5, -np.nan], np.float32)


def _specials(shape):
    """Every element non-zero and most non-finite, so each vector lane meets them."""
    n = int(np.prod(shape))
    return SPECIALS[np.arange(n) % SPECIALS.size].reshape(shape)


X = _specials((8, 37))  # 37: vector lanes and a scalar tail in each row


def assert_dropout_property(y, x, kept):
    """Dropped: +0 exactly. Kept: x * scale (NaN where x is NaN)."""
    y, x = np.asarray(y), np.asarray(x)
    assert kept.any() and not kept.all()
    dropped = y[~kept]
    np.testing.assert_array_equal(dropped.view(np.uint32), np.zeros(dropped.shape, np.uint32))
    np.testing.assert_array_equal(y[kept], x[kept] * SCALE)


def _keras_property(y, x):
    """For Keras, whose mask is not ours: dropped is where y is 0 (x has no zeros)."""
    kept = np.asarray(y) != 0
    assert abs(kept.mean() - (1 - RATE)) < 0.15
    assert_dropout_property(y, x, kept)


@pytest.mark.keras_ref
def test_keras_writes_zero_where_it_drops_inf_and_nan():
    """The reference: Keras's Dropout layer and keras.random.dropout (TensorFlow), and
    the gradient through the layer of an upstream gradient holding inf and NaN."""
    keras = pytest.importorskip("keras")
    tf = pytest.importorskip("tensorflow")
    _keras_property(keras.layers.Dropout(RATE, seed=3)(X, training=True), X)
    _keras_property(keras.random.dropout(X, RATE, seed=3), X)
    layer = keras.layers.Dropout(RATE, seed=4)
    x = tf.Variable(np.ones(X.shape, np.float32))
    with tf.GradientTape() as tape:
        y = layer(x, training=True)
        loss = tf.reduce_sum(y * X)
    g = tape.gradient(loss, x).numpy()
    assert_dropout_property(g, X, y.numpy() != 0)


def _run(make_fn, args, interpret, monkeypatch):
    """The first call of a fresh function (layer counters start equal), compiled or not."""
    if interpret:
        monkeypatch.setenv("KERASETTE_INTERPRET", "1")
    else:
        monkeypatch.delenv("KERASETTE_INTERPRET", raising=False)
    f = Function(make_fn())
    out = f(args)
    assert f.get(args).runner.compiled != interpret, "the function fell back"
    return [np.asarray(o) for o in out] if isinstance(out, (list, tuple)) else np.asarray(out)


def _layer_fn():
    layer = layers.Dropout(RATE, seed=3)
    return lambda x: layer(x, training=True)


@pytest.mark.parametrize("interpret", [False, True])
def test_dropout_layer_zeroes_dropped_inf_and_nan(interpret, monkeypatch):
    # the draws do not depend on x: a run on ones shows which elements are kept
    kept = _run(_layer_fn, np.ones(X.shape, np.float32), interpret, monkeypatch) != 0
    assert_dropout_property(_run(_layer_fn, X, interpret, monkeypatch), X, kept)


def test_dropout_layer_compiled_equals_interpreted_and_eager(monkeypatch):
    compiled = _run(_layer_fn, X, False, monkeypatch)
    interpreted = _run(_layer_fn, X, True, monkeypatch)
    np.testing.assert_array_equal(compiled.view(np.uint32), interpreted.view(np.uint32))
    monkeypatch.delenv("KERASETTE_INTERPRET", raising=False)
    eager = np.asarray(_layer_fn()(X))  # a fresh layer's first draw, in numpy
    np.testing.assert_array_equal(eager.view(np.uint32), compiled.view(np.uint32))


def _grad_fn():
    """[dropout(x), d sum(dropout(x) * c) / dx]: the backward drops c, the upstream
    gradient, by the forward's mask."""
    layer = layers.Dropout(RATE, seed=5)

    def f(xc):
        x, c = xc
        y = layer(x, training=True)
        (g,) = gradients(ops.sum(y * c), [x])
        return [y, g]

    return f


# the loss itself is NaN (0 * inf in y * c; the interpreter's numpy warns): only its
# gradient is checked
@pytest.mark.filterwarnings("ignore:invalid value encountered in multiply:RuntimeWarning")
def test_dropout_gradient_zeroes_dropped_inf_and_nan(monkeypatch):
    args = [np.ones(X.shape, np.float32), X]
    outs = [_run(_grad_fn, args, interpret, monkeypatch) for interpret in (False, True)]
    for y, g in outs:
        kept = y != 0  # x is ones: the forward shows the mask
        assert_dropout_property(y, args[0], kept)
        assert_dropout_property(g, X, kept)
    for a, b in zip(*outs):
        np.testing.assert_array_equal(a.view(np.uint32), b.view(np.uint32))
