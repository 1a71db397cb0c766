"""Denormal floats are flushed to zero inside the core, as TensorFlow's kernels flush
them (Keras on TensorFlow gives 0 where numpy gives a denormal), and the caller's
floating-point mode is left as it was."""

import numpy as np
import pytest

import kerasette as ks

pytestmark = pytest.mark.keras_ref

TINY = np.float32(3e-39)  # a denormal float32 (below 2**-126 ~ 1.18e-38)


D, UNITS, ROWS = 64, 32, 4096  # large enough for the GEMM to use a thread team


def _dense(lib):
    return lib.Sequential([lib.Input((D,)), lib.layers.Dense(UNITS, use_bias=False)])


def _denormal_rows():
    x = np.zeros((ROWS, D), np.float32)
    x[:, 0] = TINY  # a denormal input (DAZ reads it as 0)
    x[1::2, 1] = 1e-20  # 1e-20 * 1e-20 underflows to a denormal (FTZ writes 0)
    return x


@pytest.mark.parametrize("threads", [1, 2])
def test_denormals_flush_like_keras_on_tensorflow(threads):
    keras = pytest.importorskip("keras")
    before = ks.config.get_num_threads()
    ks.config.set_num_threads(threads)
    try:
        x = _denormal_rows()
        ref_model, our_model = _dense(keras), _dense(ks)
        for m in (ref_model, our_model):
            m.set_weights([np.full((D, UNITS), 1e-20, np.float32)])
        ref = ref_model.predict(x, batch_size=ROWS, verbose=0)
        ours = our_model.predict(x, batch_size=ROWS, verbose=0)
        assert np.all(ref == 0.0)  # Keras on TensorFlow flushes
        np.testing.assert_array_equal(ours, ref)
        np.testing.assert_array_equal(np.asarray(our_model(x[:1])), ref[:1])
        # numpy, which does not flush, gives denormals for the same product
        assert np.any(x @ np.full((D, UNITS), 1e-20, np.float32) != 0.0)
    finally:
        ks.config.set_num_threads(before)


def test_caller_mode_is_restored():
    a = np.array([1e-20], np.float32)
    assert (a * a)[0] != 0.0
    model = _dense(ks)
    model.compile("sgd", "mse")
    model.fit(_denormal_rows(), np.zeros((ROWS, UNITS), np.float32), epochs=1, verbose=0)
    model.predict(_denormal_rows()[:1], verbose=0)
    assert (a * a)[0] != 0.0  # the core set FTZ/DAZ only while it ran
    assert np.float32(TINY) * np.float32(1.0) != 0.0
