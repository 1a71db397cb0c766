"""A loss written as a Python function takes the labels as given, as in Keras: integer
class ids with a 10-way softmax output train to Keras's numbers from the same weights."""

import numpy as np
import pytest

import kerasette


def _source(lib):
    def my_sparse_ce(y_true, y_pred):
        return lib.ops.sparse_categorical_crossentropy(y_true, y_pred)

    model = lib.Sequential(
        [
            lib.Input((6,)),
            lib.layers.Dense(8, activation="relu"),
            lib.layers.Dense(4, activation="softmax"),
        ]
    )
    model.compile(optimizer=lib.optimizers.SGD(0.1), loss=my_sparse_ce)
    return model


@pytest.mark.keras_ref
def test_custom_sparse_loss_trains_as_keras():
    import keras

    ks, kr = _source(kerasette), _source(keras)
    kr.set_weights(ks.get_weights())
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 6)).astype("float32")
    y = rng.integers(0, 4, 64)
    h1 = ks.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0).history["loss"]
    h2 = kr.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(h1, h2, rtol=1e-4)
    for a, b in zip(ks.get_weights(), kr.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
