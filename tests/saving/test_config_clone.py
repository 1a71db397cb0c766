"""get_config / from_config, to_json / model_from_json and clone_model, checked
against real Keras where the two libraries can read each other."""

import json

import numpy as np
import pytest

import kerasette as ks
from tests.saving import models


def test_get_config_from_config_round_trip():
    m = models.all_layers(ks)
    again = ks.Sequential.from_config(m.get_config())
    assert again.get_config() == m.get_config()
    assert [type(l) for l in again.layers] == [type(l) for l in m.layers]


def test_json_round_trip_and_keras_reads_it(keras):
    m = models.randomize(models.all_layers(ks))
    text = m.to_json()
    ours = ks.models.model_from_json(text)
    assert ours.get_config() == m.get_config()
    theirs = keras.models.model_from_json(text)
    assert [l.name for l in theirs.layers] == [l.name for l in m.layers]
    assert [w.shape for w in theirs.get_weights()] == [w.shape for w in m.get_weights()]


def test_model_from_json_reads_keras_json(keras):
    text = models.all_layers(keras).to_json()
    ours = ks.models.model_from_json(text)
    theirs_cfg = json.loads(text)["config"]
    assert [l.name for l in ours.layers] == [e["config"]["name"] for e in theirs_cfg["layers"][1:]]
    assert [w.shape for w in ours.get_weights()] == [
        w.shape for w in models.all_layers(keras).get_weights()
    ]


def test_model_from_json_errors():
    with pytest.raises(ValueError, match="JSON"):
        ks.models.model_from_json("{oops")
    with pytest.raises(TypeError):
        ks.models.model_from_json(42)
    with pytest.raises((ValueError, TypeError), match="Nope"):
        ks.models.model_from_json(
            json.dumps(
                {
                    "module": "keras",
                    "class_name": "Sequential",
                    "config": {
                        "name": "s",
                        "layers": [{"module": "keras.layers", "class_name": "Nope", "config": {}}],
                    },
                }
            )
        )


def test_clone_model_same_architecture_new_weights(keras):
    src = models.randomize(models.mlp(ks, sizes=(4, 8, 3)))
    clone = ks.models.clone_model(src)
    assert clone is not src and clone.get_config() == src.get_config()
    assert all(a is not b for a, b in zip(clone.layers, src.layers))
    # fresh initialisation, like Keras: the randomized values are not copied
    assert any(
        not np.array_equal(a, b)
        for a, b in zip(clone.get_weights(), src.get_weights(), strict=True)
    )
    clone.set_weights(src.get_weights())
    x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    np.testing.assert_allclose(clone.predict(x, verbose=0), src.predict(x, verbose=0))
    # Keras clones its own model into the same config structure.
    k = keras.models.clone_model(models.mlp(keras, sizes=(4, 8, 3)))
    assert [l.name for l in k.layers] == [l.name for l in clone.layers]


def test_clone_function():
    src = models.mlp(ks, sizes=(4, 8, 3))

    def widen(layer):
        cfg = layer.get_config()
        if layer.name == "h0":
            cfg["units"] = 16
        return type(layer).from_config(cfg)

    clone = ks.models.clone_model(src, clone_function=widen)
    assert [w.shape for w in clone.get_weights()][:2] == [(4, 16), (16,)]
    with pytest.raises(ValueError, match="input_tensors"):
        ks.models.clone_model(src, input_tensors=[1])
    with pytest.raises(TypeError):
        ks.models.clone_model("not a model")
