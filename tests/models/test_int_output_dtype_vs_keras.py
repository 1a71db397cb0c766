"""Preprocessing models in "int" mode against real Keras 3.15 (TensorFlow backend):
`predict`, `model(x)` and the symbolic output give Keras's integer dtype (int64) and
ids, not the float32 the compiled plan computes in; functional and Sequential."""

import numpy as np
import pytest

import kerasette as ks

pytestmark = pytest.mark.keras_ref

STR = np.array([["a"], ["b"], ["c"], ["zz"], ["a"]])
INT = np.array([[1], [2], [7], [99], [-3]], "int64")
CASES = {
    "StringLookup": (lambda L: L.layers.StringLookup(vocabulary=["a", "b", "c"]), "string"),
    "IntegerLookup": (lambda L: L.layers.IntegerLookup(vocabulary=[1, 2, 7]), "int64"),
    "TextVectorization": (
        lambda L: L.layers.TextVectorization(
            vocabulary=["a", "b", "c"], output_mode="int", output_sequence_length=3
        ),
        "string",
    ),
    "Hashing-int": (lambda L: L.layers.Hashing(num_bins=5), "int64"),
    "Hashing-string": (lambda L: L.layers.Hashing(num_bins=5), "string"),
}


def _models(L, case):
    make, dtype = CASES[case]
    inp = L.Input((1,), dtype=dtype)
    functional = L.Model(inp, make(L)(inp))
    sequential = L.Sequential([L.Input((1,), dtype=dtype), make(L)])
    return functional, sequential, (STR if dtype == "string" else INT)


@pytest.mark.parametrize("case", sorted(CASES))
def test_int_mode_outputs_have_keras_dtype(keras, case):
    import tensorflow as tf

    for i, (km, m) in enumerate(zip(*[_models(L, case)[:2] for L in (keras, ks)])):
        x = _models(ks, case)[2]
        kx = tf.constant(x)
        assert m.outputs[0].dtype == km.outputs[0].dtype == "int64"
        for got, want in (
            (m.predict(x, verbose=0), km.predict(kx, verbose=0)),
            (m(x), km(kx)),
        ):
            got, want = np.asarray(got), np.asarray(want)
            assert got.dtype == want.dtype == np.int64, (i, got.dtype, want.dtype)
            np.testing.assert_array_equal(got, want)


def test_integer_lookup_ids_feed_an_embedding(keras):
    """The int64 ids still index a following layer, as Keras's (copied weights)."""
    outs = []
    for L in (keras, ks):
        inp = L.Input((1,), dtype="int64")
        ids = L.layers.IntegerLookup(vocabulary=[1, 2, 7])(inp)
        emb = L.layers.Embedding(5, 2)
        m = L.Model(inp, emb(ids))
        emb.set_weights([np.arange(10, dtype="float32").reshape(5, 2)])
        outs.append(np.asarray(m.predict(INT, verbose=0)))
    np.testing.assert_allclose(outs[1], outs[0])
