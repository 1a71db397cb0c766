"""A `keras.Model` subclass written once for both libraries: tracked layers, weights in
attribute order, outputs, config, summary, and `.keras` files read by the other."""

import numpy as np
import pytest

import kerasette as ks

from . import _zoo
from .conftest import normalize

pytestmark = pytest.mark.usefixtures("fresh_names")


def _pair(keras):
    from keras.src.utils import naming as keras_naming

    from kerasette.utils import naming

    ref = _zoo.subclassed(keras)
    keras_naming.reset_uids()
    naming.reset_uids()
    mine = _zoo.subclassed(ks)
    mine.set_weights(ref.get_weights())
    return ref, mine


def test_tracks_layers_and_weights_as_keras(keras):
    ref, mine = _pair(keras)
    assert isinstance(mine, ks.Model) and mine.built
    assert [l.name for l in mine.layers] == [l.name for l in ref.layers]
    assert [w.path for w in mine.weights] == [w.path for w in ref.weights]
    assert mine.count_params() == ref.count_params()
    assert mine.get_layer(ref.layers[1].name) is mine.blocks[0]


def test_outputs_match_keras(keras, rng):
    ref, mine = _pair(keras)
    x = rng.random((4, 5)).astype("float32")
    out = mine(x)
    assert isinstance(out, ks.tensor.Tensor)
    np.testing.assert_allclose(out.numpy(), np.asarray(ref(x)), rtol=1e-5, atol=1e-6)


def test_config_and_summary_match_keras(keras, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    ref, mine = _pair(keras)
    assert normalize(mine.get_config()) == normalize(ref.get_config())
    texts = []
    for model in (ref, mine):
        lines = []
        model.summary(print_fn=lines.append)
        texts.append("".join(lines))
    assert texts[1] == texts[0]


def test_from_config_builds_from_build_config(keras, rng):
    _, mine = _pair(keras)
    cls = _zoo.subclass_of(ks)
    copy = cls.from_config(mine.get_config())
    copy.build_from_config(mine.get_build_config())
    assert copy.built and len(copy.weights) == len(mine.weights)
    copy.set_weights(mine.get_weights())
    x = rng.random((2, 5)).astype("float32")
    np.testing.assert_allclose(copy(x).numpy(), mine(x).numpy(), rtol=1e-6)


def test_kerasette_file_loads_in_keras(keras, tmp_path, rng):
    ref, mine = _pair(keras)
    path = str(tmp_path / "s.keras")
    mine.save(path)
    back = keras.models.load_model(path)
    x = rng.random((3, 5)).astype("float32")
    np.testing.assert_allclose(np.asarray(back(x)), mine(x).numpy(), rtol=1e-5, atol=1e-6)


def test_keras_file_loads_in_kerasette(keras, tmp_path, rng):
    ref, _ = _pair(keras)
    path = str(tmp_path / "s.keras")
    ref.save(path)
    back = ks.models.load_model(path)
    assert type(back) is _zoo.subclass_of(ks)
    x = rng.random((3, 5)).astype("float32")
    np.testing.assert_allclose(back(x).numpy(), np.asarray(ref(x)), rtol=1e-5, atol=1e-6)
