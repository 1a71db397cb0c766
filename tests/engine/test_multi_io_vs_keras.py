"""Functional models with several inputs and outputs: fit/evaluate/predict give Keras's
numbers and log names from the same weights (per-output losses, loss_weights, metrics
per output, list and dict data)."""

import numpy as np
import pytest

import kerasette

pytestmark = pytest.mark.keras_ref


def _build(lib):
    a = lib.Input((4,), name="a")
    b = lib.Input((3,), name="b")
    h = lib.layers.Concatenate()([a, b])
    h = lib.layers.Dense(8, activation="relu", name="hidden")(h)
    cls = lib.layers.Dense(3, activation="softmax", name="cls")(h)
    reg = lib.layers.Dense(2, name="reg")(h)
    return lib.Model([a, b], [cls, reg])


def _data(n=96, seed=0):
    rng = np.random.default_rng(seed)
    x = [
        rng.standard_normal((n, 4)).astype("float32"),
        rng.standard_normal((n, 3)).astype("float32"),
    ]
    y = {"cls": rng.integers(0, 3, n), "reg": rng.standard_normal((n, 2)).astype("float32")}
    return x, y


def _pair():
    import keras

    ks = _build(kerasette)
    kr = _build(keras)
    kr.set_weights(ks.get_weights())
    return ks, kr


@pytest.mark.parametrize("y_as", ["dict", "list"])
def test_fit_evaluate_predict_match_keras(y_as):
    ks, kr = _pair()
    kw = dict(
        optimizer="sgd",
        loss={"cls": "sparse_categorical_crossentropy", "reg": "mse"},
        loss_weights={"cls": 1.0, "reg": 0.5},
        metrics={"cls": ["accuracy"], "reg": ["mae"]},
    )
    import keras

    ks.compile(**kw)
    kr.compile(
        optimizer=keras.optimizers.SGD(), **{k: v for k, v in kw.items() if k != "optimizer"}
    )
    x, y = _data()
    if y_as == "list":
        y = [y["cls"], y["reg"]]
    h1 = ks.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0).history
    h2 = kr.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0).history
    assert sorted(h1) == sorted(h2)
    for k in h2:
        np.testing.assert_allclose(h1[k], h2[k], rtol=2e-4, atol=1e-5, err_msg=k)
    for w1, w2 in zip(ks.get_weights(), kr.get_weights(), strict=True):
        np.testing.assert_allclose(w1, w2, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(
        ks.evaluate(x, y, verbose=0), kr.evaluate(x, y, verbose=0), rtol=2e-4, atol=1e-5
    )
    p1, p2 = ks.predict(x, verbose=0), kr.predict(x, verbose=0)
    assert isinstance(p1, list) and len(p1) == 2
    for a, b in zip(p1, p2):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_dict_inputs_and_outputs():
    import keras

    def build(lib):
        a = lib.Input((4,), name="a")
        b = lib.Input((3,), name="b")
        h = lib.layers.Dense(5, activation="tanh")(lib.layers.Concatenate()([a, b]))
        return lib.Model(
            {"a": a, "b": b},
            {
                "out1": lib.layers.Dense(1, name="out1")(h),
                "out2": lib.layers.Dense(2, name="out2")(h),
            },
        )

    ks, kr = build(kerasette), build(keras)
    kr.set_weights(ks.get_weights())
    x, _ = _data()
    xd = {"a": x[0], "b": x[1]}
    rng = np.random.default_rng(3)
    y = {
        "out1": rng.standard_normal((96, 1)).astype("float32"),
        "out2": rng.standard_normal((96, 2)).astype("float32"),
    }
    for m in (ks, kr):
        m.compile(optimizer="adam", loss={"out1": "mse", "out2": "mae"})
    h1 = ks.fit(xd, y, epochs=2, batch_size=32, shuffle=False, verbose=0).history
    h2 = kr.fit(xd, y, epochs=2, batch_size=32, shuffle=False, verbose=0).history
    assert sorted(h1) == sorted(h2)
    for k in h2:
        np.testing.assert_allclose(h1[k], h2[k], rtol=2e-4, atol=1e-5, err_msg=k)
    p1, p2 = ks.predict(xd, verbose=0), kr.predict(xd, verbose=0)
    assert sorted(p1) == sorted(p2)
    for k in p2:
        np.testing.assert_allclose(p1[k], p2[k], rtol=1e-5, atol=1e-6)


def test_bad_structures_are_clear_errors():
    ks = _build(kerasette)
    with pytest.raises(ValueError, match="do not correspond to any model output"):
        ks.compile(optimizer="sgd", loss={"nope": "mse"})
    ks.compile(optimizer="sgd", loss=["sparse_categorical_crossentropy", "mse"])
    x, y = _data()
    with pytest.raises(ValueError, match="expected 2 arrays"):
        ks.fit([x[0]], [y["cls"], y["reg"]], verbose=0)
    with pytest.raises(ValueError, match="no entry for"):
        ks.fit(x, {"cls": y["cls"]}, verbose=0)
