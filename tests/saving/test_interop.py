"""Both directions with real Keras 3: files written by one library load in the other
with identical weights (bit for bit) and the same predictions; the compile state
(optimizer config and variables) survives the trip."""

import numpy as np
import pytest

import kerasette as ks
from tests.saving import models


def weights_of(model):
    return [np.asarray(v.numpy() if hasattr(v, "numpy") else v) for v in model.weights]


def assert_same_weights(a, b):
    wa, wb = weights_of(a), weights_of(b)
    assert len(wa) == len(wb)
    for x, y in zip(wa, wb):
        assert x.shape == y.shape
        np.testing.assert_array_equal(x, y)


def float_input(n=16, seed=3):
    return (
        np.random.default_rng(seed).normal(1.0, 2.0, size=(n, models.N_FEATURES)).astype("float32")
    )


def int_input(n=16, seed=3):
    return np.random.default_rng(seed).integers(0, 10, size=(n, 5)).astype("int32")


CASES = [
    (models.all_layers, float_input),
    (models.embedding_model, int_input),
    (
        models.regularized,
        lambda n=16: np.random.default_rng(5).normal(size=(n, 4)).astype("float32"),
    ),
    (models.mlp, lambda n=16: np.random.default_rng(4).normal(size=(n, 4)).astype("float32")),
]


@pytest.mark.parametrize("build,data", CASES)
def test_kerasette_file_loads_in_keras(tmp_path, keras, build, data):
    ours = models.randomize(build(ks))
    path = tmp_path / "ks.keras"
    ours.save(path)
    theirs = keras.models.load_model(path)
    assert_same_weights(ours, theirs)
    x = data()
    # float32 kernels in two libraries: agree to rounding, not bit for bit.
    np.testing.assert_allclose(
        ours.predict(x, verbose=0), theirs.predict(x, verbose=0), rtol=1e-5, atol=1e-5
    )


@pytest.mark.parametrize("build,data", CASES)
def test_keras_file_loads_in_kerasette(tmp_path, keras, build, data):
    theirs = models.randomize(build(keras))
    path = tmp_path / "keras.keras"
    theirs.save(path)
    ours = ks.models.load_model(path)
    assert type(ours).__name__ == "Sequential" and ours.name == theirs.name
    assert [l.name for l in ours.layers] == [l.name for l in theirs.layers]
    assert_same_weights(ours, theirs)
    # Keras's Normalization computes with statistics cached at adapt() time, which
    # set_weights does not refresh; what the file means is what Keras reloads.
    reference = keras.models.load_model(path)
    x = data()
    np.testing.assert_allclose(
        ours.predict(x, verbose=0), reference.predict(x, verbose=0), rtol=1e-5, atol=1e-5
    )


@pytest.mark.parametrize("build", [models.all_layers, models.embedding_model])
def test_weights_files_both_ways(tmp_path, keras, build):
    theirs = models.randomize(build(keras), seed=1)
    theirs.save_weights(tmp_path / "k.weights.h5")
    ours = build(ks)
    ours.load_weights(tmp_path / "k.weights.h5")
    assert_same_weights(ours, theirs)

    ours2 = models.randomize(build(ks), seed=2)
    ours2.save_weights(tmp_path / "o.weights.h5")
    theirs2 = build(keras)
    theirs2.load_weights(tmp_path / "o.weights.h5")
    assert_same_weights(ours2, theirs2)
    # .keras archives are accepted by load_weights too, in both libraries.
    ours2.save(tmp_path / "o.keras")
    theirs3 = build(keras)
    theirs3.load_weights(tmp_path / "o.keras")
    assert_same_weights(ours2, theirs3)


def test_keras_shared_sample_loads(keras):
    """The sample Keras 3.15.1 wrote (JAX backend): model, weights and Adam state."""
    m = ks.models.load_model("/work/shared/keras-samples/m.keras")
    ref = keras.models.load_model("/work/shared/keras-samples/m.keras")
    assert_same_weights(m, ref)
    assert type(m.optimizer).__name__ == "Adam"
    ours = [np.asarray(v.numpy()) for v in m.optimizer.variables]
    theirs = [np.asarray(v.numpy()) for v in ref.optimizer.variables]
    assert len(ours) == len(theirs) == 10
    assert int(ours[0]) == int(theirs[0]) > 0  # iterations
    for a, b in zip(ours[1:], theirs[1:]):
        np.testing.assert_array_equal(a, b)
