"""A subclassed model makes its weights on its first call: fit on a model never called
before builds it and trains all of its weights (the keras-io subclassing guide does this),
and training then goes on as Keras's from the same weights."""

import numpy as np
import pytest


def _source(lib):
    class TwoLayers(lib.Model):
        def __init__(self):
            super().__init__()
            self.hidden = lib.layers.Dense(8, activation="relu")
            self.out = lib.layers.Dense(1)

        def call(self, x):
            return self.out(self.hidden(x))

    model = TwoLayers()
    model.compile(optimizer=lib.optimizers.SGD(0.05), loss="mse")
    return model


@pytest.mark.keras_ref
def test_unbuilt_subclass_fits_then_matches_keras():
    import keras

    import kerasette

    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 4)).astype("float32")
    y = rng.standard_normal((64, 1)).astype("float32")
    ks = _source(kerasette)
    assert not ks.weights
    ks.fit(x, y, epochs=1, batch_size=16, verbose=0)  # builds on the first batch
    assert len(ks.trainable_weights) == 4
    kr = _source(keras)
    kr(x[:1])
    kr.set_weights(ks.get_weights())
    h1 = ks.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0).history["loss"]
    h2 = kr.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(h1, h2, rtol=1e-4)
