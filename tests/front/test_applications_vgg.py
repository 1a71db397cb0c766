"""`keras.applications.VGG16/VGG19` against Keras's: the same layers (names, classes,
output shapes, parameter counts), the same outputs from copied weights, Keras's errors
for bad arguments, and a weights file written by Keras loads by layer name."""

import numpy as np
import pytest

import kerasette as ks


def _structure(model):
    return [
        (la.name, type(la).__name__, tuple(la.output.shape), la.count_params())
        for la in model.layers[1:]
    ]


@pytest.mark.parametrize("fn", ["VGG16", "VGG19"])
def test_default_top_has_keras_layers(keras, fn):
    ref = getattr(keras.applications, fn)(weights=None)
    mine = getattr(ks.applications, fn)(weights=None)
    assert mine.name == ref.name
    assert _structure(mine) == _structure(ref)
    assert mine.count_params() == ref.count_params()
    assert tuple(mine.input.shape) == tuple(ref.input.shape) == (None, 224, 224, 3)


@pytest.mark.parametrize("pooling", [None, "avg", "max"])
def test_no_top_outputs_match_keras_from_copied_weights(keras, pooling, tmp_path):
    kw = dict(weights=None, include_top=False, input_shape=(32, 32, 3), pooling=pooling)
    ref = keras.applications.VGG16(**kw)
    mine = ks.applications.VGG16(**kw)
    assert _structure(mine)[:-1] == _structure(ref)[:-1]  # the pooling layer's name differs
    path = str(tmp_path / "vgg16.weights.h5")
    ref.save_weights(path)
    mine = ks.applications.VGG16(
        include_top=False, input_shape=(32, 32, 3), pooling=pooling, weights=path
    )
    x = np.random.default_rng(0).random((2, 32, 32, 3)).astype("float32")
    np.testing.assert_allclose(np.asarray(mine(x)), np.asarray(ref(x)), rtol=1e-4, atol=1e-5)


def test_feature_extraction_from_layer_outputs(keras):
    """The functional-API guide: a model returning every layer's output."""
    ref = keras.applications.VGG19(weights=None, include_top=False, input_shape=(32, 32, 3))
    mine = ks.applications.VGG19(weights=None, include_top=False, input_shape=(32, 32, 3))
    mine.set_weights(ref.get_weights())
    x = np.random.default_rng(1).random((1, 32, 32, 3)).astype("float32")
    feats_ref = keras.Model(ref.input, [la.output for la in ref.layers])(x)
    feats_mine = ks.Model(mine.input, [la.output for la in mine.layers])(x)
    assert len(feats_mine) == len(feats_ref)
    for a, b in zip(feats_mine, feats_ref):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"weights": "nope.h5"},
        {"weights": "imagenet", "classes": 10},
        {"weights": None, "input_shape": (16, 16, 3), "include_top": False},
        {"weights": None, "input_shape": (64, 64, 1, 1)},
    ],
)
def test_bad_arguments_raise_as_keras(keras, kwargs):
    with pytest.raises(ValueError):
        keras.applications.VGG16(**kwargs)
    with pytest.raises(ValueError):
        ks.applications.VGG16(**kwargs)
