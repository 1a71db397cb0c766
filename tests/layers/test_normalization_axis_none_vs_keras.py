"""Normalization(axis=None) adapted on 1-D data and then fed (batch, 1) as the first
layer of a Sequential (TensorFlow's regression tutorial): Keras accepts any rank there
(one mean and variance for everything); so does kerasette, with Keras's numbers."""

import numpy as np

import kerasette as ks


def _model(lib, hp):
    norm = lib.layers.Normalization(input_shape=[1], axis=None)
    norm.adapt(hp)
    model = lib.Sequential([norm, lib.layers.Dense(1)])
    model.compile(optimizer=lib.optimizers.Adam(learning_rate=0.1), loss="mean_absolute_error")
    return model


def test_axis_none_on_1d_data_then_batch_by_1_matches_keras(keras):
    hp = np.random.default_rng(0).uniform(50, 200, size=(300,))
    y = hp * 0.1 + 3
    ref, mine = _model(keras, hp), _model(ks, hp)
    mine.set_weights(ref.get_weights())
    np.testing.assert_allclose(
        mine.predict(hp[:10], verbose=0), ref.predict(hp[:10], verbose=0), rtol=1e-5, atol=1e-5
    )
    h_ref = ref.fit(hp, y, epochs=3, verbose=0, validation_split=0.2, shuffle=False).history
    h_mine = mine.fit(hp, y, epochs=3, verbose=0, validation_split=0.2, shuffle=False).history
    for k in ("loss", "val_loss"):
        np.testing.assert_allclose(h_mine[k], h_ref[k], rtol=1e-4)
    x = np.linspace(0.0, 250, 251)
    np.testing.assert_allclose(
        mine.predict(x, verbose=0), ref.predict(x, verbose=0), rtol=1e-4, atol=1e-4
    )
