"""Ops whose kernel works on the last (or first) axis lower on any axis, by moving the
axis there and back (they once raised NotLowerable, and a model's predict/fit, which
have no interpreter fallback for them, failed). Each case runs compiled (checked: no
fallback) and is compared with numpy, and with keras.ops where Keras has the name."""

import numpy as np
import pytest

from kerasette import ops
from kerasette.graph.function import Function
from kerasette.ops import _prim

RNG = np.random.default_rng(0)


def _np_softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _np_log_softmax(x, axis):
    z = x - x.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


def _np_one_hot(i, n, axis):
    return np.moveaxis((i[..., None] == np.arange(n)).astype(np.float32), -1, axis)


def _np_index_add(x, idx, upd, axis):
    out = x.copy()
    np.add.at(out, (slice(None),) * axis + (idx,), upd)
    return out


IDX = np.array([[2, 0], [1, 2]])  # (2, 2) indices into an axis of 3

# name: (function of x (2, 3, 4), numpy reference)
CASES = {
    "softmax_axis0": (lambda x: ops.softmax(x, axis=0), lambda x: _np_softmax(x, 0)),
    "softmax_axis1": (lambda x: ops.softmax(x, axis=1), lambda x: _np_softmax(x, 1)),
    "softmax_axis_-2": (lambda x: ops.softmax(x, axis=-2), lambda x: _np_softmax(x, 1)),
    "log_softmax_axis1": (lambda x: ops.log_softmax(x, axis=1), lambda x: _np_log_softmax(x, 1)),
    "one_hot_axis0": (
        lambda x: ops.one_hot(ops.argmax(x, axis=-1), 5, axis=0),
        lambda x: _np_one_hot(x.argmax(-1), 5, 0),
    ),
    "one_hot_axis1": (
        lambda x: ops.one_hot(ops.argmax(x, axis=-1), 5, axis=1),
        lambda x: _np_one_hot(x.argmax(-1), 5, 1),
    ),
    "xent_logits_axis1": (
        lambda x: ops.categorical_crossentropy(
            ops.softmax(x * 0.5, axis=1), x, from_logits=True, axis=1
        ),
        lambda x: -np.sum(_np_softmax(x * 0.5, 1) * _np_log_softmax(x, 1), axis=1),
    ),
    "matmul_part_broadcast_a": (  # (2, 3, 4) batch (2,) against (3, 2, 4, 5)
        lambda x: ops.matmul(x, ops.convert_to_tensor(W4)),
        lambda x: np.matmul(x, W4),
    ),
    "index_add_axis1": (
        lambda x: _prim.index_add(x, ops.convert_to_tensor(IDX), ops.ones((2, 2, 2, 4)), 1),
        lambda x: _np_index_add(x, IDX, np.ones((2, 2, 2, 4), np.float32), 1),
    ),
    "index_add_axis2": (
        lambda x: _prim.index_add(x, ops.convert_to_tensor(IDX), x[:, :, :2, None] * 1.0, 2),
        lambda x: _np_index_add(x, IDX, x[:, :, :2, None], 2),
    ),
}
W4 = RNG.standard_normal((3, 2, 4, 5)).astype(np.float32)
W4T = RNG.standard_normal((3, 2, 5, 4)).astype(np.float32)
CASES["matmul_part_broadcast_b"] = (  # (3, 2, 5, 4) against (2, 4, 3)
    lambda x: ops.matmul(ops.convert_to_tensor(W4T), ops.transpose(x, (0, 2, 1))),
    lambda x: np.matmul(W4T, x.transpose(0, 2, 1)),
)
CASES["matmul_one_batch_a"] = (  # (1, 3, 4) against (2, 4, 3): the 1 broadcasts
    lambda x: ops.matmul(x[:1], ops.transpose(x, (0, 2, 1))),
    lambda x: np.matmul(x[:1], x.transpose(0, 2, 1)),
)


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("passes", ["", "all"])
def test_compiled_on_any_axis(case, passes, monkeypatch):
    if passes:
        monkeypatch.setenv("KERASETTE_DISABLE_PASSES", passes)
    fn, ref = CASES[case]
    x = RNG.standard_normal((2, 3, 4)).astype(np.float32)
    f = Function(fn)
    got = np.asarray(f(x))
    assert f.get(x).runner.compiled, "the function fell back to the interpreter"
    np.testing.assert_allclose(got, ref(x), rtol=2e-5, atol=2e-6)


@pytest.mark.keras_ref
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_softmax_layer_axis_predict_and_fit_match_keras(axis):
    import keras

    import kerasette

    x = RNG.standard_normal((16, 3, 5)).astype(np.float32)
    y = RNG.standard_normal((16, 3, 5)).astype(np.float32)
    models = []
    for lib in (kerasette, keras):
        m = lib.Sequential([lib.Input((3, 5)), lib.layers.Dense(5), lib.layers.Softmax(axis=axis)])
        m.compile(optimizer=lib.optimizers.SGD(0.5), loss="mse")
        models.append(m)
    ks, kr = models
    ks.set_weights(kr.get_weights())
    np.testing.assert_allclose(
        ks.predict(x, verbose=0), kr.predict(x, verbose=0), rtol=1e-5, atol=1e-6
    )
    h1 = ks.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0).history["loss"]
    h2 = kr.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(h1, h2, rtol=1e-4, atol=1e-6)
    for a, b in zip(ks.get_weights(), kr.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
