"""validation_split on inputs of rank > 2 (images, sequences): the held-out rows keep
their shape and give Keras's val_loss from the same weights (public scripts such as
keras-io's mnist_convnet do this)."""

import numpy as np
import pytest

import kerasette


@pytest.mark.keras_ref
def test_validation_split_on_images_matches_keras():
    import keras

    def build(lib):
        return lib.Sequential(
            [
                lib.Input((6, 6, 1)),
                lib.layers.Conv2D(3, 3, activation="relu"),
                lib.layers.Flatten(),
                lib.layers.Dense(2, activation="softmax"),
            ]
        )

    ks, kr = build(kerasette), build(keras)
    kr.set_weights(ks.get_weights())
    rng = np.random.default_rng(0)
    x = rng.standard_normal((60, 6, 6, 1)).astype("float32")
    y = rng.integers(0, 2, 60)
    for m in (ks, kr):
        m.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    h1 = ks.fit(
        x, y, epochs=2, batch_size=16, validation_split=0.25, shuffle=False, verbose=0
    ).history
    h2 = kr.fit(
        x, y, epochs=2, batch_size=16, validation_split=0.25, shuffle=False, verbose=0
    ).history
    for k in ("loss", "val_loss"):
        np.testing.assert_allclose(h1[k], h2[k], rtol=1e-4, atol=1e-6, err_msg=k)
