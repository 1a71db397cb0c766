"""Single-input models with several (or structured) outputs: predict, predict_on_batch and
model(x) give Keras's structure and numbers on every call, including the second
predict, which takes the small-batch fast path (it once crashed there: the plan of a
model with several outputs has no single output shape)."""

import numpy as np
import pytest

import kerasette

pytestmark = pytest.mark.keras_ref


def _outputs(lib, h, kind):
    d = lambda n, name: lib.layers.Dense(n, name=name)(h)  # noqa: E731
    if kind == "list":
        return [d(2, "p"), d(3, "q")]
    if kind == "dict":
        return {"p": d(2, "p"), "q": d(3, "q")}
    if kind == "nested":
        return [d(2, "p"), {"q": d(3, "q")}]
    if kind == "one_list":
        return [d(2, "p")]
    if kind == "one_tuple":
        return (d(2, "p"),)
    if kind == "one_dict":
        return {"p": d(2, "p")}
    raise AssertionError(kind)


def _pair(kind):
    import keras

    models = []
    for lib in (kerasette, keras):
        x = lib.Input((4,), name="x")
        h = lib.layers.Dense(8, activation="tanh", name="h")(x)
        models.append(lib.Model(x, _outputs(lib, h, kind)))
    models[0].set_weights(models[1].get_weights())
    return models


def _assert_same(got, want):
    if isinstance(want, dict):
        assert isinstance(got, dict) and sorted(got) == sorted(want)
        for k in want:
            _assert_same(got[k], want[k])
    elif isinstance(want, (list, tuple)):
        assert isinstance(got, (list, tuple)) and len(got) == len(want)
        for g, w in zip(got, want):
            _assert_same(g, w)
    else:
        assert not isinstance(got, (list, tuple, dict)), type(got)
        np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-5, atol=1e-6)


KINDS = ["list", "dict", "nested", "one_list", "one_tuple", "one_dict"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("compiled", [False, True])
def test_repeated_predict_matches_keras(kind, compiled):
    ks, kr = _pair(kind)
    if compiled:
        ks.compile(optimizer="sgd", loss="mse")
    x = np.random.default_rng(0).standard_normal((5, 4)).astype("float32")
    want = kr.predict(x, verbose=0)
    for _ in range(3):  # the first call makes the plan; later ones take the fast path
        _assert_same(ks.predict(x, verbose=0), want)
    _assert_same(ks.predict(x, verbose=0, callbacks=[]), want)
    _assert_same(ks.predict(x, batch_size=2, verbose=0), want)
    _assert_same(ks.predict_on_batch(x), kr.predict_on_batch(x))


@pytest.mark.parametrize("kind", KINDS)
def test_eager_call_matches_keras(kind):
    ks, kr = _pair(kind)
    x = np.random.default_rng(1).standard_normal((3, 4)).astype("float32")
    want = kr(x)
    _assert_same(ks(x), want)
    ks.predict(x, verbose=0)
    _assert_same(ks(x), want)  # after a plan exists


@pytest.mark.parametrize("kind", ["list", "one_list"])
def test_symbolic_call_keeps_the_list(kind):
    import keras

    ks, kr = _pair(kind)
    got = ks(kerasette.Input((4,)))
    want = kr(keras.Input((4,)))
    assert type(got) is type(want) and len(got) == len(want)
