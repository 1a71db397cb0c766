"""Helpers that build the same model in real Keras (the reference) and in kerasette."""

import numpy as np
import pytest

keras = pytest.importorskip("keras")


def twin(spec, input_shape, seed=0):
    """(kerasette model, keras model) from a list of (class name, kwargs), same weights."""
    import kerasette

    keras.utils.set_random_seed(seed)
    km = keras.Sequential(
        [keras.Input(input_shape)] + [getattr(keras.layers, n)(**kw) for n, kw in spec]
    )
    ks = kerasette.models.Sequential(
        [kerasette.layers.Input(input_shape)]
        + [getattr(kerasette.layers, n)(**kw) for n, kw in spec]
    )
    ks.set_weights(km.get_weights())
    return ks, km


def compile_both(ks, km, optimizer, loss, metrics=(), **opt_kwargs):
    import kerasette

    ks.compile(
        optimizer=getattr(kerasette.optimizers, optimizer)(**opt_kwargs),
        loss=loss,
        metrics=list(metrics),
    )
    km.compile(
        optimizer=getattr(keras.optimizers, optimizer)(**opt_kwargs),
        loss=loss,
        metrics=list(metrics),
    )


def assert_weights_close(ks, km, rtol, atol):
    mine, ref = ks.get_weights(), km.get_weights()
    # zip alone would stop at the shorter list, and a missing weight would pass.
    assert len(mine) == len(ref), (
        f"kerasette has {len(mine)} weights, Keras {len(ref)} ({[w.path for w in km.weights]})"
    )
    for a, b, w in zip(mine, ref, km.weights, strict=True):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=w.path)
