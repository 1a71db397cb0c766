"""predict (and training-mode forward of mode-free layers) of each layer type through the
engine agrees with real Keras on the same weights. float32 both sides: rtol 1e-5."""

import numpy as np
import pytest
from _keras_ref import keras, twin  # noqa: F401

R = np.random.default_rng(4)

CASES = {
    "dense-leaky_relu": ([("Dense", dict(units=7, activation="leaky_relu"))], (5,)),
    "dense-3d-input": ([("Dense", dict(units=3, activation="gelu"))], (4, 5)),
    "activation-softmax": (
        [("Dense", dict(units=6)), ("Activation", dict(activation="softmax"))],
        (5,),
    ),
    "batchnorm-inference": (
        [("BatchNormalization", dict(epsilon=1e-2)), ("Dense", dict(units=2))],
        (5,),
    ),
    "layernorm": ([("LayerNormalization", dict(epsilon=1e-4)), ("Dense", dict(units=2))], (4, 5)),
    "normalization": (
        [("Normalization", dict(mean=[0.5, -1, 2, 0, 1], variance=[4.0, 0.25, 1.0, 0.0, 9.0]))],
        (5,),
    ),
    "flatten-reshape-dropout": (
        [
            ("Reshape", dict(target_shape=(10, 2))),
            ("Flatten", {}),
            ("Dropout", dict(rate=0.5)),
            ("Dense", dict(units=3)),
        ],
        (20,),
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_predict_matches_keras(name):
    spec, shape = CASES[name]
    ks, km = twin(spec, shape, seed=1)
    # non-trivial BN statistics / gammas
    ks.set_weights([w + R.uniform(0.1, 0.5, w.shape).astype("float32") for w in km.get_weights()])
    km.set_weights(ks.get_weights())
    x = R.normal(size=(6,) + shape).astype("float32")
    np.testing.assert_allclose(
        ks.predict(x, verbose=0), km.predict(x, verbose=0), rtol=1e-5, atol=1e-5
    )
    np.testing.assert_allclose(ks(x), np.asarray(km(x)), rtol=1e-5, atol=1e-5)


def test_embedding_matches_keras():
    ks, km = twin(
        [
            ("Embedding", dict(input_dim=11, output_dim=3)),
            ("Flatten", {}),
            ("Dense", dict(units=2, activation="tanh")),
        ],
        (4,),
    )
    ids = R.integers(0, 11, (5, 4))
    np.testing.assert_allclose(
        ks.predict(ids, verbose=0), km.predict(ids, verbose=0), rtol=1e-5, atol=1e-6
    )


def test_batchnorm_training_forward_matches_keras():
    ks, km = twin([("BatchNormalization", dict(momentum=0.7))], (5,))
    x = (R.normal(size=(16, 5)) * 2 + 1).astype("float32")
    np.testing.assert_allclose(
        ks(x, training=True), np.asarray(km(x, training=True)), rtol=1e-4, atol=1e-5
    )
