"""Issue 13 item 11: once a softmax/sigmoid output saturates, the loss is Keras on
TensorFlow's, computed from the layer's logits (not from clipped probabilities)."""

import numpy as np
import pytest

import kerasette

pytestmark = pytest.mark.keras_ref


@pytest.mark.parametrize(
    "act,loss,labels",
    [
        ("softmax", "sparse_categorical_crossentropy", "ids"),
        ("softmax", "categorical_crossentropy", "onehot"),
        ("sigmoid", "binary_crossentropy", "binary"),
    ],
)
def test_saturated_outputs_give_keras_tf_loss(act, loss, labels):
    import keras

    units = 1 if act == "sigmoid" else 4

    def build(lib):
        m = lib.Sequential([lib.Input((5,)), lib.layers.Dense(units, activation=act)])
        m.compile(optimizer="sgd", loss=loss)
        return m

    ks, kr = build(kerasette), build(keras)
    rng = np.random.default_rng(0)
    w = [
        rng.standard_normal((5, units)).astype("float32") * 60.0,  # saturates
        np.zeros(units, "float32"),
    ]
    ks.set_weights(w)
    kr.set_weights(w)
    x = rng.standard_normal((32, 5)).astype("float32")
    ids = rng.integers(0, units if units > 1 else 2, 32)
    if labels == "ids":
        y = ids
    elif labels == "onehot":
        y = np.eye(units, dtype="float32")[ids]
    else:
        y = ids.reshape(-1, 1).astype("float32")
    want = kr.evaluate(x, y, verbose=0)
    got = ks.evaluate(x, y, verbose=0)
    assert want > 1.0  # saturated and often wrong: the clipped loss would be far off
    np.testing.assert_allclose(got, want, rtol=1e-4)
    h1 = ks.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0).history["loss"]
    h2 = kr.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(h1, h2, rtol=1e-4)
