"""Masks on eager layer calls, against Keras 3 (keras.io's masking guide, standalone):
the Tensor a mask-producing layer returns carries `_keras_mask`, the next eager call
receives it (as `mask=` when its `call` takes one, as `previous_mask` of
`compute_mask` otherwise), and a mask given as `mask=` is an input of the call, not a
constant of its trace."""

import numpy as np
import pytest

import kerasette as ks

from ._layer_helpers import copy_weights

IDS = np.array(
    [[711, 632, 71, 0, 0, 0], [73, 8, 3215, 55, 927, 0], [83, 91, 1, 645, 1253, 927]], "int32"
)


def _mask(t):
    return np.asarray(t._keras_mask)


def _float_steps(ids, width=4):
    return np.tile(ids[..., None], (1, 1, width)).astype("float32")


def test_embedding_and_masking_outputs_carry_keras_mask(keras):
    ref = keras.layers.Embedding(5000, 16, mask_zero=True)(IDS)
    mine = ks.layers.Embedding(5000, 16, mask_zero=True)(IDS)
    np.testing.assert_array_equal(_mask(mine), _mask(ref))
    x = _float_steps(IDS)
    np.testing.assert_array_equal(_mask(ks.layers.Masking()(x)), _mask(keras.layers.Masking()(x)))


def test_an_unmasked_output_has_no_keras_mask(keras):
    x = np.ones((2, 3), "float32")
    with pytest.raises(AttributeError):
        keras.layers.Dense(2)(x)._keras_mask
    with pytest.raises(AttributeError):
        ks.layers.Dense(2)(x)._keras_mask


def _temporal_split(lib):
    class TemporalSplit(lib.layers.Layer):
        def call(self, inputs):
            return lib.ops.split(inputs, 2, axis=1)

        def compute_mask(self, inputs, mask=None):
            if mask is None:
                return None
            return lib.ops.split(mask, 2, axis=1)

    return TemporalSplit()


def test_compute_mask_gets_the_input_mask_in_an_eager_call(keras):
    x = _float_steps(IDS)
    ref = _temporal_split(keras)(keras.layers.Masking()(x))
    mine = _temporal_split(ks)(ks.layers.Masking()(x))
    for a, b in zip(mine, ref):
        np.testing.assert_array_equal(_mask(a), _mask(b))
        np.testing.assert_allclose(np.asarray(a), np.asarray(b))


def test_a_supporting_layer_passes_the_mask_on(keras):
    x = _float_steps(IDS)
    k = keras.layers.Dense(2)
    ref = k(keras.layers.Masking()(x))
    m = ks.layers.Dense(2)
    m.build(x.shape)
    copy_weights(m, k)
    mine = m(ks.layers.Masking()(x))
    np.testing.assert_array_equal(_mask(mine), _mask(ref))
    np.testing.assert_allclose(np.asarray(mine), np.asarray(ref), rtol=1e-5, atol=1e-5)


def _temporal_softmax(lib):
    class TemporalSoftmax(lib.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.supports_masking = True

        def call(self, inputs, mask=None):
            assert mask is not None
            m = lib.ops.expand_dims(lib.ops.cast(mask, "float32"), -1)
            e = lib.ops.exp(inputs) * m
            return e / lib.ops.sum(e * m, axis=1, keepdims=True)

    return TemporalSoftmax()


def test_a_call_that_takes_mask_receives_the_riding_mask(keras):
    x = _float_steps(IDS) / 1000.0
    ref = _temporal_softmax(keras)(keras.layers.Masking()(x))
    mine = _temporal_softmax(ks)(ks.layers.Masking()(x))
    np.testing.assert_allclose(np.asarray(mine), np.asarray(ref), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(_mask(mine), _mask(ref))


def test_lstm_reads_the_mask_of_an_eager_embedding(keras):
    ek, lk = keras.layers.Embedding(5000, 5, mask_zero=True), keras.layers.LSTM(3)
    ref = lk(ek(IDS))
    em, lm = ks.layers.Embedding(5000, 5, mask_zero=True), ks.layers.LSTM(3)
    em.build(IDS.shape)
    copy_weights(em, ek)
    lm.build((None, 6, 5))
    copy_weights(lm, lk)
    np.testing.assert_allclose(np.asarray(lm(em(IDS))), np.asarray(ref), rtol=1e-4, atol=1e-5)


def test_an_explicit_mask_is_an_input_of_the_eager_call(keras):
    """Two calls with masks of the same shape and different values: two results."""
    x = np.random.default_rng(0).normal(size=(2, 5, 3)).astype("float32")
    k = keras.layers.LSTM(4)
    m = ks.layers.LSTM(4)
    k.build(x.shape)
    m.build(x.shape)
    copy_weights(m, k)
    for steps in (2, 4):
        mask = np.arange(5)[None, :].repeat(2, 0) < steps
        np.testing.assert_allclose(
            np.asarray(m(x, mask=mask)), np.asarray(k(x, mask=mask)), rtol=1e-4, atol=1e-5
        )
