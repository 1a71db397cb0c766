"""Functional models built from the same source in Keras and kerasette: same layers,
weights order, outputs, config, summary text, and `.keras` files read by the other."""

import numpy as np
import pytest

import kerasette as ks

from . import _zoo
from .conftest import normalize

pytestmark = pytest.mark.usefixtures("fresh_names")
BUILDERS = {b.__name__: b for b in _zoo.FUNCTIONAL}
NAMES = list(BUILDERS)


def _pair(keras, builder):
    from keras.src.utils import naming as keras_naming

    from kerasette.utils import naming

    ref = builder(keras)
    keras_naming.reset_uids()
    naming.reset_uids()
    mine = builder(ks)
    mine.set_weights(ref.get_weights())
    return ref, mine


def _close(ref_out, mine_out):
    ref, mine = _zoo.as_list(ref_out), _zoo.as_list(mine_out)
    assert len(ref) == len(mine)
    for r, m in zip(ref, mine):
        np.testing.assert_allclose(m, r, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", NAMES)
def test_structure_matches_keras(keras, name):
    ref, mine = _pair(keras, BUILDERS[name])
    assert type(mine).__name__ == "Functional" and isinstance(mine, ks.Model)
    assert [l.name for l in mine.layers] == [l.name for l in ref.layers]
    assert [type(l).__name__ for l in mine.layers] == [type(l).__name__ for l in ref.layers]
    assert mine.output_names == list(ref.output_names)
    assert [w.shape for w in mine.weights] == [tuple(w.shape) for w in ref.weights]
    assert [w.path for w in mine.weights] == [w.path for w in ref.weights]
    assert len(mine.trainable_weights) == len(ref.trainable_weights)
    assert len(mine.non_trainable_weights) == len(ref.non_trainable_weights)
    assert mine.count_params() == ref.count_params()
    assert [tuple(x.shape) for x in mine.inputs] == [tuple(x.shape) for x in ref.inputs]
    assert [tuple(x.shape) for x in mine.outputs] == [tuple(x.shape) for x in ref.outputs]
    assert mine.input_shape == ref.input_shape
    assert mine.output_shape == ref.output_shape
    assert mine.get_layer(ref.layers[-1].name) is mine.layers[-1]


@pytest.mark.parametrize("name", NAMES)
def test_outputs_match_keras(keras, name, rng):
    ref, mine = _pair(keras, BUILDERS[name])
    x = _zoo.inputs_for(ref, rng)
    out = mine(x)
    leaves = out.values() if isinstance(out, dict) else out if isinstance(out, list) else [out]
    assert all(isinstance(t, ks.tensor.Tensor) for t in leaves)
    _close(ref(x), out)
    _close(ref(x, training=False), mine(x, training=False))


@pytest.mark.parametrize("name", NAMES)
def test_config_matches_keras(keras, name):
    ref, mine = _pair(keras, BUILDERS[name])
    assert normalize(mine.get_config()) == normalize(ref.get_config())


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("columns", [80, 130])
def test_summary_matches_keras(keras, name, columns, monkeypatch):
    monkeypatch.setenv("COLUMNS", str(columns))
    ref, mine = _pair(keras, BUILDERS[name])
    for kwargs in ({}, {"show_trainable": True}):
        texts = []
        for model in (ref, mine):
            lines = []
            model.summary(print_fn=lines.append, **kwargs)
            texts.append("".join(lines))
        assert texts[1] == texts[0]


@pytest.mark.parametrize("name", NAMES)
def test_kerasette_file_loads_in_keras(keras, name, tmp_path, rng):
    ref, mine = _pair(keras, BUILDERS[name])
    x = _zoo.inputs_for(ref, rng)
    path = str(tmp_path / "m.keras")
    mine.save(path)
    back = keras.models.load_model(path)
    _close(back(x), mine(x))
    assert normalize(back.get_config()) == normalize(mine.get_config())


@pytest.mark.parametrize("name", NAMES)
def test_keras_file_loads_in_kerasette(keras, name, tmp_path, rng):
    ref, _ = _pair(keras, BUILDERS[name])
    x = _zoo.inputs_for(ref, rng)
    path = str(tmp_path / "m.keras")
    ref.save(path)
    back = ks.models.load_model(path)
    assert type(back).__name__ == "Functional"
    _close(ref(x), back(x))
    assert normalize(back.get_config()) == normalize(ref.get_config())


@pytest.mark.parametrize("name", NAMES)
def test_from_config_and_json_round_trip(keras, name, rng):
    _, mine = _pair(keras, BUILDERS[name])
    x = _zoo.inputs_for(mine, rng)
    for copy in (
        ks.Model.from_config(mine.get_config()),
        ks.models.model_from_json(mine.to_json()),
    ):
        copy.set_weights(mine.get_weights())
        _close(mine(x), copy(x))
        assert normalize(copy.get_config()) == normalize(mine.get_config())


def test_wrong_input_shape_message_matches_keras(keras):
    ref, mine = _pair(keras, _zoo.two_inputs_with_ops)
    bad = [np.zeros((2, 4), "float32"), np.zeros((2, 5), "float32")]
    with pytest.raises(ValueError) as theirs:
        ref(bad)
    with pytest.raises(ValueError) as ours:
        mine(bad)
    assert "expected shape=(None, 3), found shape=(2, 5)" in str(theirs.value)
    assert "expected shape=(None, 3), found shape=(2, 5)" in str(ours.value)
