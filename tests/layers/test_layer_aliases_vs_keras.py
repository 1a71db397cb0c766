"""Keras's second names for layer classes (MaxPool2D, Convolution2D, ...): in Keras 3
each is the same class as its canonical name, and so here; a model built with them
saves the canonical class name, as Keras's does."""

import numpy as np
import pytest

import kerasette as ks
from kerasette.layers import ALIASES

pytestmark = pytest.mark.keras_ref


def test_every_keras_alias_of_a_layer_we_have_is_the_same_class(keras):
    for name in dir(keras.layers):
        cls = getattr(keras.layers, name)
        if not isinstance(cls, type) or cls.__name__ == name or name.startswith("_"):
            continue
        if hasattr(ks.layers, cls.__name__):
            assert getattr(ks.layers, name) is getattr(ks.layers, cls.__name__), name
    for alias, canonical in ALIASES.items():
        assert getattr(keras.layers, alias).__name__ == canonical


def test_a_model_built_with_aliases_matches_keras(keras, tmp_path):
    def build(L):
        return L.Sequential(
            [
                L.Input((8, 8, 2)),
                L.layers.Convolution2D(3, 3, padding="same"),
                L.layers.MaxPool2D(),
                L.layers.AvgPool2D(1),
                L.layers.GlobalAvgPool2D(),
            ]
        )

    ours, theirs = build(ks), build(keras)
    theirs.set_weights(ours.get_weights())
    x = np.random.default_rng(0).standard_normal((2, 8, 8, 2)).astype(np.float32)
    np.testing.assert_allclose(ours.predict(x, verbose=0), theirs.predict(x, verbose=0), atol=1e-5)
    ours.save(tmp_path / "m.keras")
    back = keras.saving.load_model(tmp_path / "m.keras")
    assert [type(layer).__name__ for layer in back.layers] == [
        "Conv2D",
        "MaxPooling2D",
        "AveragePooling2D",
        "GlobalAveragePooling2D",
    ]
    np.testing.assert_allclose(back.predict(x, verbose=0), theirs.predict(x, verbose=0), atol=1e-5)
