"""Adam on an Embedding whose ids repeat in a batch: kerasette takes the dense gradient
(each row's contributions summed), as Keras does on JAX and PyTorch. Keras on TensorFlow
receives an IndexedSlices gradient and squares each occurrence separately in the second
moment (sum of squares, not square of the sum), so its step differs on repeated rows:
this is bench lstm-train's accuracy gap (bench/lstm_parity.py: from the same weights
kerasette matches Keras on PyTorch to 6 digits over 2 epochs, not Keras on TF).

Reference: the gradient from Keras (one SGD step of learning rate 1) and Keras's Adam
formula written in numpy.
"""

import numpy as np
import pytest

import kerasette as ks

pytestmark = pytest.mark.keras_ref


def _model(lib):
    lib.utils.set_random_seed(0)
    return lib.Sequential(
        [
            lib.Input(shape=(6,), dtype="int32"),
            lib.layers.Embedding(12, 4),
            lib.layers.GlobalAveragePooling1D(),
            lib.layers.Dense(1),
        ]
    )


def test_adam_step_on_repeated_ids_is_dense_adam(keras):
    rng = np.random.default_rng(0)
    x = rng.integers(0, 5, (8, 6)).astype("int32")  # ids 0..4, each many times
    y = rng.normal(size=(8, 1)).astype("float32")
    ref = _model(keras)
    w0 = [np.asarray(w) for w in ref.get_weights()]
    ref.compile(optimizer=keras.optimizers.SGD(1.0), loss="mse")
    ref.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False)
    grads = [a - np.asarray(b) for a, b in zip(w0, ref.get_weights())]
    lr, b1, b2, eps = 1e-3, 0.9, 0.999, 1e-7
    alpha = lr * np.sqrt(1 - b2) / (1 - b1)  # Keras's Adam, step 1
    want = [w - (1 - b1) * g * alpha / (np.sqrt((1 - b2) * g * g) + eps) for w, g in zip(w0, grads)]
    m = _model(ks)
    m.set_weights(w0)
    m.compile(optimizer=ks.optimizers.Adam(), loss="mse")
    m.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False)
    for got, expected in zip(m.get_weights(), want):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7)
