"""`Sequential.inputs` / `.outputs` and each layer's `output` after them: a functional
model cut from a Sequential one gives Keras's intermediate outputs."""

import numpy as np
import pytest

import kerasette as ks


def _stack(lib):
    return lib.Sequential(
        [
            lib.Input(shape=(12, 12, 3)),
            lib.layers.Conv2D(4, 3, strides=2, activation="relu"),
            lib.layers.Conv2D(5, 3, activation="relu"),
            lib.layers.Flatten(),
            lib.layers.Dense(2),
        ]
    )


def test_feature_extractor_matches_keras(keras):
    ref, mine = _stack(keras), _stack(ks)
    mine.set_weights(ref.get_weights())
    x = np.random.default_rng(0).normal(size=(3, 12, 12, 3)).astype("float32")
    outs = {}
    for lib, model in (("keras", ref), ("ks", mine)):
        mod = keras if lib == "keras" else ks
        assert len(model.inputs) == 1 and len(model.outputs) == 1
        assert tuple(model.inputs[0].shape) == (None, 12, 12, 3)
        assert tuple(model.outputs[0].shape) == (None, 2)
        fe = mod.Model(inputs=model.inputs, outputs=[l.output for l in model.layers])
        outs[lib] = [np.asarray(o) for o in fe(x)]
    assert [o.shape for o in outs["ks"]] == [o.shape for o in outs["keras"]]
    for a, b in zip(outs["ks"], outs["keras"]):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5)


def test_unbuilt_model_has_no_inputs(keras):
    for lib in (keras, ks):
        model = lib.Sequential([lib.layers.Dense(2)])
        with pytest.raises(AttributeError, match="no defined inputs yet"):
            model.inputs
        with pytest.raises(AttributeError, match="no defined outputs yet"):
            model.outputs
        model.build((None, 4))
        assert tuple(model.outputs[0].shape) == (None, 2)


def test_adding_a_layer_updates_outputs():
    model = ks.Sequential([ks.Input(shape=(4,)), ks.layers.Dense(3)])
    assert tuple(model.outputs[0].shape) == (None, 3)
    model.add(ks.layers.Dense(7))
    assert tuple(model.outputs[0].shape) == (None, 7)
    assert model.inputs[0] is model.input_layer.output
