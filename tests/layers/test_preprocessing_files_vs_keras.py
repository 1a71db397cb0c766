"""The numeric preprocessing layers in .keras files both ways with real Keras: an adapted
IntegerLookup's vocabulary travels as Keras's assets/<layer path>/vocabulary.txt, the
others in their config or weights; the loaded model gives the saving model's outputs.
(String inputs, Input(dtype="string"), are not supported in models yet.)"""

import numpy as np
import pytest

import kerasette as ks

pytestmark = pytest.mark.keras_ref

IDS = np.array([[1], [5], [3], [7], [0]])


def _integer_lookup(lib, **kw):
    layer = lib.layers.IntegerLookup(**kw)
    layer.adapt(np.array([1, 5, 3, 3, 9, 5, 5]))
    return lib.Sequential([lib.Input((1,), dtype="int64"), layer]), IDS


def _discretization(lib):
    layer = lib.layers.Discretization(num_bins=3)
    layer.adapt(np.arange(10.0).reshape(-1, 1))
    return lib.Sequential([lib.Input((1,)), layer]), np.array([[1.0], [5.0], [9.0]], "float32")


def _category_encoding(lib):
    return lib.Sequential(
        [
            lib.Input((2,), dtype="int32"),
            lib.layers.CategoryEncoding(num_tokens=8, output_mode="count"),
        ]
    ), np.array([[1, 3], [2, 2], [7, 0]])


def _hashing(lib):
    return lib.Sequential(
        [lib.Input((1,), dtype="int64"), lib.layers.Hashing(num_bins=5, salt=7)]
    ), IDS


CASES = {
    "IntegerLookup": _integer_lookup,
    "IntegerLookup-mask-multi_hot": lambda lib: _integer_lookup(
        lib, mask_token=0, output_mode="multi_hot"
    ),
    "IntegerLookup-invert-oov2": lambda lib: _integer_lookup(lib, num_oov_indices=2, max_tokens=5),
    "Discretization": _discretization,
    "CategoryEncoding": _category_encoding,
    "Hashing": _hashing,
}


@pytest.mark.parametrize("what", sorted(CASES))
@pytest.mark.parametrize("direction", ["kerasette->keras", "keras->kerasette"])
def test_files_both_ways(keras, tmp_path, what, direction):
    src, dst = (ks, keras) if direction == "kerasette->keras" else (keras, ks)
    model, x = CASES[what](src)
    model.save(tmp_path / "m.keras")
    loaded = dst.models.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(
        np.asarray(loaded.predict(x, verbose=0)), np.asarray(model.predict(x, verbose=0))
    )
    lookup = model.layers[-1]
    if hasattr(lookup, "get_vocabulary"):
        assert loaded.layers[-1].get_vocabulary() == lookup.get_vocabulary()
