"""FeatureSpace gaps against real Keras 3.15 (TensorFlow backend): a dict with a key
that is not a feature (or without one of the features) is a KeyError, and hashed
integer features work inside a model (get_encoded_features), predict and fit giving
Keras's numbers."""

import numpy as np
import pytest

import kerasette as ks

N = 40


def _data():
    rng = np.random.default_rng(0)
    return {
        # integers of all sizes an int32 Input holds, negatives too
        "i": rng.integers(-(2**31), 2**31 - 1, N).astype("int32"),
        "f": rng.normal(1.0, 2.0, N).astype("float32"),
        "s": np.array(["red", "green", "blue", "plum"] * (N // 4)),
    }


def _space(lib, dataset_cls, output_mode="concat"):
    FS = lib.utils.FeatureSpace
    features = {
        "i": FS.integer_hashed(num_bins=8),
        "f": FS.float_normalized(),
        "s": FS.string_hashed(num_bins=5),
    }
    fs = FS(features=features, output_mode=output_mode)
    fs.adapt(dataset_cls.from_tensor_slices(_data()))
    return fs


@pytest.mark.keras_ref
def test_unknown_and_missing_keys_raise_key_error_like_keras(keras):
    import tensorflow as tf

    extra = dict(_data(), other=np.arange(N))
    short = {k: v for k, v in _data().items() if k != "s"}
    for fs in (_space(keras, tf.data.Dataset), _space(ks, ks.data.Dataset)):
        with pytest.raises(KeyError, match="other"):
            fs(extra)
        with pytest.raises(KeyError, match="s"):
            fs(short)
    # the symbolic call too
    fs = _space(ks, ks.data.Dataset)
    with pytest.raises(KeyError, match="other"):
        fs(dict(fs.get_inputs(), other=ks.Input((1,), name="other")))


@pytest.mark.keras_ref
@pytest.mark.parametrize("mode", ["concat", "dict"])
def test_hashed_integers_inside_a_model_match_keras(keras, mode):
    """The encoded-features model's predict, from raw integers, strings and floats."""
    import tensorflow as tf

    kfs, fs = _space(keras, tf.data.Dataset, mode), _space(ks, ks.data.Dataset, mode)
    km = keras.Model(kfs.get_inputs(), kfs.get_encoded_features())
    m = ks.Model(fs.get_inputs(), fs.get_encoded_features())
    want = km.predict(tf.data.Dataset.from_tensor_slices(_data()).batch(16), verbose=0)
    got = m.predict(_data(), verbose=0)
    if mode == "concat":
        want, got = {"all": want}, {"all": got}
    assert sorted(got) == sorted(want)
    for k in want:
        np.testing.assert_allclose(np.asarray(got[k]), np.asarray(want[k]), rtol=1e-5, atol=1e-6)
    assert want[next(iter(want))].shape[0] == N


@pytest.mark.keras_ref
def test_model_with_hashed_integers_fits_like_keras(keras):
    import tensorflow as tf

    kfs, fs = _space(keras, tf.data.Dataset), _space(ks, ks.data.Dataset)
    y = np.random.default_rng(1).normal(size=(N, 1)).astype("float32")
    km = keras.Model(kfs.get_inputs(), keras.layers.Dense(1)(kfs.get_encoded_features()))
    m = ks.Model(fs.get_inputs(), ks.layers.Dense(1)(fs.get_encoded_features()))
    m.layers[-1].set_weights([np.asarray(w) for w in km.layers[-1].get_weights()])
    km.compile(keras.optimizers.SGD(0.05), "mse")
    m.compile(ks.optimizers.SGD(0.05), "mse")
    kds = tf.data.Dataset.from_tensor_slices((_data(), y)).batch(10)
    want = km.fit(kds, epochs=3, verbose=0, shuffle=False).history["loss"]
    got = m.fit(_data(), y, batch_size=10, epochs=3, verbose=0, shuffle=False).history["loss"]
    np.testing.assert_allclose(got, want, rtol=1e-4)
