"""HashedCrossing inside a functional model, against real Keras: the crossed inputs are
the int ids of lookup / Discretization / Hashing layers, whose number of ids is known,
so kerasette's graph crosses them by a table of every combination's bin."""

import numpy as np
import pytest

import kerasette as ks

pytestmark = pytest.mark.keras_ref


def _model(lib, output_mode):
    a = lib.Input(shape=(1,), dtype="int64", name="a")
    b = lib.Input(shape=(1,), name="b")
    c = lib.Input(shape=(1,), dtype="string", name="c")
    ia = lib.layers.IntegerLookup(vocabulary=[3, 5, 9, 11], name="ia")(a)
    db = lib.layers.Discretization(bin_boundaries=[-1.0, 0.0, 2.0], name="db")(b)
    sc = lib.layers.StringLookup(vocabulary=["x", "y", "z"], name="sc")(c)
    two = lib.layers.HashedCrossing(13, output_mode=output_mode, name="two")([ia, db])
    other = lib.layers.HashedCrossing(7, name="other")([sc, db])  # a string input's ids
    return lib.Model({"a": a, "b": b, "c": c}, {"two": two, "other": other})


def _data():
    rng = np.random.default_rng(0)
    n = 40
    return {
        "a": rng.choice([3, 5, 9, 11, 4], n).reshape(-1, 1).astype("int64"),
        "b": rng.normal(0, 2, n).reshape(-1, 1).astype("float32"),
        "c": rng.choice(["x", "y", "z", "w"], n).reshape(-1, 1),
    }


@pytest.mark.parametrize("output_mode", ["int", "one_hot"])
def test_crossed_ids_like_keras(keras, output_mode):
    x = _data()
    want = _model(keras, output_mode)({k: keras.ops.convert_to_tensor(v) for k, v in x.items()})
    got = _model(ks, output_mode).predict(x, verbose=0)
    for key in ("two", "other"):
        np.testing.assert_array_equal(
            np.asarray(got[key]).astype("int64"), np.asarray(want[key]).astype("int64")
        )


def test_computed_numbers_are_refused():
    """Raw model inputs are crossed before the graph (tests/layers/
    test_hashing_in_models_vs_keras.py); numbers the graph computes cannot be."""
    a = ks.Input(shape=(1,), dtype="int64")
    b = ks.layers.Rescaling(2.0)(ks.Input(shape=(1,)))
    with pytest.raises(ValueError, match="raw numbers cannot be hashed"):
        ks.layers.HashedCrossing(8)([a, b])
