"""Issue 14's layer catalogue, each layer in a small model built in both libraries from
the same weights: trained two epochs with SGD in both (same loss history, same weights
after: the gradients through fit), and saved as a .keras file by each library and loaded
by the other (same predictions). Layers that draw random numbers in training (dropout,
noise, augmentation) are checked through the files only."""

import numpy as np
import pytest

import kerasette as ks

pytestmark = pytest.mark.keras_ref

# (layer, input shape without the batch, kwargs, deterministic in training)
CASES = [
    ("Conv1D", (9, 3), dict(filters=4, kernel_size=3, padding="causal", dilation_rate=2), True),
    ("Conv1D", (9, 4), dict(filters=2, kernel_size=2, strides=2, groups=2), True),
    ("Conv2D", (7, 6, 3), dict(filters=4, kernel_size=3, padding="same", strides=2), True),
    (
        "Conv2D",
        (7, 6, 4),
        dict(filters=4, kernel_size=3, groups=2, dilation_rate=2, padding="same"),
        True,
    ),
    ("Conv2D", (3, 7, 6), dict(filters=2, kernel_size=3, data_format="channels_first"), True),
    ("Conv3D", (4, 5, 4, 2), dict(filters=3, kernel_size=2), True),
    ("SeparableConv1D", (9, 3), dict(filters=4, kernel_size=3, depth_multiplier=2), True),
    ("SeparableConv2D", (7, 6, 3), dict(filters=4, kernel_size=3, padding="same"), True),
    ("DepthwiseConv1D", (9, 3), dict(kernel_size=3, depth_multiplier=2), True),
    ("DepthwiseConv2D", (7, 6, 3), dict(kernel_size=3, strides=2), True),
    ("Conv1DTranspose", (5, 3), dict(filters=2, kernel_size=3, strides=2), True),
    ("Conv2DTranspose", (4, 5, 3), dict(filters=2, kernel_size=3, strides=2, padding="same"), True),
    ("MaxPooling1D", (9, 3), dict(pool_size=2), True),
    ("MaxPooling2D", (7, 6, 3), dict(pool_size=3, strides=2, padding="same"), True),
    ("MaxPooling3D", (4, 4, 4, 2), dict(), True),
    ("AveragePooling1D", (9, 3), dict(pool_size=3, padding="same"), True),
    ("AveragePooling2D", (7, 6, 3), dict(pool_size=2), True),
    ("AveragePooling3D", (4, 4, 4, 2), dict(pool_size=2, padding="same"), True),
    ("GlobalMaxPooling1D", (9, 3), dict(), True),
    ("GlobalMaxPooling2D", (7, 6, 3), dict(), True),
    ("GlobalMaxPooling3D", (4, 4, 4, 2), dict(), True),
    ("GlobalAveragePooling1D", (9, 3), dict(), True),
    ("GlobalAveragePooling2D", (7, 6, 3), dict(keepdims=True), True),
    ("GlobalAveragePooling3D", (4, 4, 4, 2), dict(), True),
    ("UpSampling1D", (5, 3), dict(size=2), True),
    ("UpSampling2D", (4, 3, 2), dict(size=2, interpolation="bilinear"), True),
    ("ZeroPadding1D", (5, 3), dict(padding=(1, 2)), True),
    ("ZeroPadding2D", (4, 3, 2), dict(padding=((1, 0), (2, 1))), True),
    ("Cropping1D", (7, 3), dict(cropping=(1, 2)), True),
    ("Cropping2D", (7, 6, 2), dict(cropping=((1, 2), (2, 1))), True),
    ("BatchNormalization", (5, 4), dict(axis=1), True),
    ("BatchNormalization", (4, 3, 2), dict(), True),
    ("Rescaling", (4, 3, 2), dict(scale=0.5, offset=0.1), True),
    ("Resizing", (7, 6, 2), dict(height=4, width=5), True),
    ("CenterCrop", (7, 6, 2), dict(height=5, width=4), True),
    ("SimpleRNN", (6, 3), dict(units=4), True),
    ("LSTM", (6, 3), dict(units=4, return_sequences=True), True),
    ("LSTM", (6, 3), dict(units=3, go_backwards=True, unroll=True), True),
    ("GRU", (6, 3), dict(units=4), True),
    ("GRU", (6, 3), dict(units=4, reset_after=False, return_sequences=True), True),
    ("Masking", (6, 3), dict(mask_value=0.0), True),
    ("RepeatVector", (4,), dict(n=3), True),
    ("Permute", (5, 3), dict(dims=(2, 1)), True),
    ("Reshape", (6, 2), dict(target_shape=(3, 4)), True),
    ("Flatten", (3, 2, 2), dict(), True),
    ("Dense", (5, 3), dict(units=4, activation="tanh"), True),
    ("LayerNormalization", (5, 4), dict(axis=[1, 2]), True),
    ("UnitNormalization", (5, 4), dict(), True),
    ("Softmax", (5, 4), dict(axis=1), True),
    ("ReLU", (5, 4), dict(max_value=1.0, negative_slope=0.1), True),
    ("LeakyReLU", (5, 4), dict(negative_slope=0.2), True),
    ("PReLU", (5, 4), dict(shared_axes=[1]), True),
    ("ELU", (5, 4), dict(alpha=0.5), True),
    ("ActivityRegularization", (5, 4), dict(l1=0.01, l2=0.01), True),
    ("SpatialDropout1D", (6, 3), dict(rate=0.3), False),
    ("SpatialDropout2D", (4, 3, 2), dict(rate=0.3), False),
    ("GaussianNoise", (5, 4), dict(stddev=0.1), False),
    ("GaussianDropout", (5, 4), dict(rate=0.2), False),
    ("AlphaDropout", (5, 4), dict(rate=0.2), False),
    ("RandomFlip", (5, 4, 3), dict(), False),
    ("RandomRotation", (5, 4, 3), dict(factor=0.1), False),
    ("RandomTranslation", (5, 4, 3), dict(height_factor=0.1, width_factor=0.1), False),
    ("RandomZoom", (5, 4, 3), dict(height_factor=0.1), False),
    ("RandomContrast", (5, 4, 3), dict(factor=0.2), False),
]
IDS = [f"{c[0]}-{i}" for i, c in enumerate(CASES)]


def _model(lib, name, shape, kwargs):
    L = lib.layers
    # a mask goes into a layer that uses it (Flatten would drop it, with a warning)
    flat = L.GlobalAveragePooling1D(name="flat") if name == "Masking" else L.Flatten(name="flat")
    return lib.Sequential(
        [
            L.Input(shape),
            getattr(L, name)(**kwargs, name="under_test"),
            flat,
            L.Dense(2, name="head"),
        ],
        name="m",
    )


def _twins(keras, name, shape, kwargs):
    k, m = _model(keras, name, shape, kwargs), _model(ks, name, shape, kwargs)
    r = np.random.default_rng(0)
    weights = [r.normal(scale=0.3, size=w.shape).astype("float32") for w in k.get_weights()]
    for v, var in zip(weights, k.weights):
        if "variance" in var.path:  # BatchNormalization's moving variance stays positive
            v[...] = np.abs(v) + 0.5
    k.set_weights(weights)
    assert [tuple(w.shape) for w in m.weights] == [tuple(w.shape) for w in k.weights]
    m.set_weights(weights)
    return m, k


def _data(shape, n=16):
    r = np.random.default_rng(1)
    x = r.normal(size=(n,) + shape).astype("float32")
    if len(shape) == 2:
        x[::2, 1:3] = 0.0  # whole time steps of zeros: what Masking(0.0) masks
    return x, r.normal(size=(n, 2)).astype("float32")


@pytest.mark.parametrize(
    "name,shape,kwargs,deterministic",
    [c for c in CASES if c[3]],
    ids=[i for i, c in zip(IDS, CASES) if c[3]],
)
def test_fit_matches_keras(keras, name, shape, kwargs, deterministic):
    m, k = _twins(keras, name, shape, kwargs)
    x, y = _data(shape)
    for model, lib in ((m, ks), (k, keras)):
        model.compile(optimizer=lib.optimizers.SGD(0.05), loss="mse")
    hm = m.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history["loss"]
    hk = k.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(hm, hk, rtol=2e-4, atol=1e-6)
    for a, b in zip(m.get_weights(), k.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=2e-5)


@pytest.mark.parametrize("name,shape,kwargs,deterministic", CASES, ids=IDS)
def test_keras_files_both_ways(keras, tmp_path, name, shape, kwargs, deterministic):
    m, k = _twins(keras, name, shape, kwargs)
    x, _ = _data(shape, n=6)
    m.save(tmp_path / "ours.keras")
    theirs = keras.models.load_model(tmp_path / "ours.keras")
    np.testing.assert_allclose(
        theirs.predict(x, verbose=0), m.predict(x, verbose=0), rtol=1e-4, atol=1e-5
    )
    assert type(theirs.get_layer("under_test")).__name__ == name
    k.save(tmp_path / "theirs.keras")
    back = ks.models.load_model(tmp_path / "theirs.keras")
    np.testing.assert_allclose(
        back.predict(x, verbose=0), k.predict(x, verbose=0), rtol=1e-4, atol=1e-5
    )
    assert type(back.get_layer("under_test")).__name__ == name
    for a, b in zip(back.get_weights(), k.get_weights()):
        np.testing.assert_array_equal(a, b)


EMBEDDINGS = [
    ("Embedding", dict(input_dim=20, output_dim=4)),
    ("Embedding", dict(input_dim=20, output_dim=4, mask_zero=True)),
]


def _ids():
    r = np.random.default_rng(2)
    x = r.integers(1, 20, size=(16, 6)).astype("int32")
    x[::3, :2] = 0
    return x


@pytest.mark.parametrize("name,kwargs", EMBEDDINGS, ids=["plain", "mask_zero"])
def test_embedding_into_lstm_fit_and_files(keras, tmp_path, name, kwargs):
    def make(lib):
        L = lib.layers
        return lib.Sequential(
            [L.Input((6,), dtype="int32"), L.Embedding(**kwargs), L.LSTM(3), L.Dense(2)], name="emb"
        )

    k, m = make(keras), make(ks)
    r = np.random.default_rng(3)
    w = [r.normal(scale=0.3, size=v.shape).astype("float32") for v in k.get_weights()]
    k.set_weights(w)
    m.set_weights(w)
    x, y = _ids(), _data((1,))[1]
    for model, lib in ((m, ks), (k, keras)):
        model.compile(optimizer=lib.optimizers.SGD(0.1), loss="mse")
    hm = m.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history["loss"]
    hk = k.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(hm, hk, rtol=2e-4)
    m.save(tmp_path / "ours.keras")
    np.testing.assert_allclose(
        keras.models.load_model(tmp_path / "ours.keras").predict(x, verbose=0),
        m.predict(x, verbose=0),
        rtol=1e-4,
        atol=1e-5,
    )
    k.save(tmp_path / "theirs.keras")
    np.testing.assert_allclose(
        ks.models.load_model(tmp_path / "theirs.keras").predict(x, verbose=0),
        k.predict(x, verbose=0),
        rtol=1e-4,
        atol=1e-5,
    )


# ---- wrappers and attention: functional models ---------------------------------------
def _bidirectional(lib):
    L = lib.layers
    x = L.Input((6, 3))
    y = L.Bidirectional(L.GRU(3, return_sequences=True), merge_mode="concat")(x)
    y = L.Bidirectional(L.LSTM(2), merge_mode="sum")(y)
    return lib.Model(x, L.Dense(2)(y), name="bi")


def _time_distributed(lib):
    L = lib.layers
    x = L.Input((4, 5, 5, 2))
    y = L.TimeDistributed(L.Conv2D(3, 3))(x)
    y = L.TimeDistributed(L.Flatten())(y)
    y = L.TimeDistributed(L.Dense(2))(y)
    return lib.Model(x, L.Dense(2)(L.Flatten()(y)), name="td")


def _mha(lib):
    L = lib.layers
    q, v = L.Input((5, 4)), L.Input((6, 4))
    y = L.MultiHeadAttention(num_heads=2, key_dim=3)(q, v)
    y = L.LayerNormalization()(y)
    return lib.Model([q, v], L.Dense(2)(L.Flatten()(y)), name="mha")


def _attention(lib):
    L = lib.layers
    q, v = L.Input((5, 4)), L.Input((6, 4))
    y = L.Attention(use_scale=True, score_mode="concat")([q, v])
    return lib.Model([q, v], L.Dense(2)(L.GlobalAveragePooling1D()(y)), name="att")


FUNCTIONAL = {
    "bidirectional": (_bidirectional, [(6, 3)]),
    "time_distributed": (_time_distributed, [(4, 5, 5, 2)]),
    "multi_head_attention": (_mha, [(5, 4), (6, 4)]),
    "attention": (_attention, [(5, 4), (6, 4)]),
}


@pytest.mark.parametrize("what", sorted(FUNCTIONAL))
def test_wrappers_and_attention_fit_and_files(keras, tmp_path, what):
    make, shapes = FUNCTIONAL[what]
    k, m = make(keras), make(ks)
    r = np.random.default_rng(4)
    w = [r.normal(scale=0.3, size=v.shape).astype("float32") for v in k.get_weights()]
    k.set_weights(w)
    assert [tuple(v.shape) for v in m.weights] == [tuple(v.shape) for v in k.weights]
    m.set_weights(w)
    xs = [
        np.random.default_rng(5 + i).normal(size=(16,) + s).astype("float32")
        for i, s in enumerate(shapes)
    ]
    x = xs[0] if len(xs) == 1 else xs
    y = _data((1,))[1]
    for model, lib in ((m, ks), (k, keras)):
        model.compile(optimizer=lib.optimizers.SGD(0.05), loss="mse")
    hm = m.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history["loss"]
    hk = k.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(hm, hk, rtol=2e-4, atol=1e-6)
    for a, b in zip(m.get_weights(), k.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=2e-5)
    m.save(tmp_path / "ours.keras")
    np.testing.assert_allclose(
        keras.models.load_model(tmp_path / "ours.keras").predict(x, verbose=0),
        m.predict(x, verbose=0),
        rtol=1e-4,
        atol=1e-5,
    )
    k.save(tmp_path / "theirs.keras")
    np.testing.assert_allclose(
        ks.models.load_model(tmp_path / "theirs.keras").predict(x, verbose=0),
        k.predict(x, verbose=0),
        rtol=1e-4,
        atol=1e-5,
    )


@pytest.mark.parametrize("name", ["SimpleRNN", "GRU"])
def test_stateful_rnn_carries_states_like_keras(keras, name):
    """Two calls carry the state over, reset_states clears it (LSTM: test_sequence_...)."""
    k = getattr(keras.layers, name)(3, stateful=True, return_sequences=True)
    m = getattr(ks.layers, name)(3, stateful=True, return_sequences=True)
    k.build((2, 4, 3))
    m.build((2, 4, 3))
    w = [
        np.random.default_rng(6).normal(scale=0.4, size=v.shape).astype("float32")
        for v in k.get_weights()
    ]
    k.set_weights(w)
    m.set_weights(w)
    xs = [np.random.default_rng(7 + i).normal(size=(2, 4, 3)).astype("float32") for i in range(3)]
    for x in xs[:2]:
        np.testing.assert_allclose(np.asarray(m(x)), np.asarray(k(x)), atol=2e-5)
    m.reset_states()
    k.reset_states()
    np.testing.assert_allclose(np.asarray(m(xs[2])), np.asarray(k(xs[2])), atol=2e-5)


def test_time_distributed_and_attention_configs(keras):
    from ._layer_helpers import normalize

    pairs = [
        (
            ks.layers.TimeDistributed(ks.layers.Dense(3, name="d"), name="td"),
            keras.layers.TimeDistributed(keras.layers.Dense(3, name="d"), name="td"),
        ),
        (
            ks.layers.Attention(use_scale=True, score_mode="concat", dropout=0.1, name="att"),
            keras.layers.Attention(use_scale=True, score_mode="concat", dropout=0.1, name="att"),
        ),
    ]
    for mine, ref in pairs:
        assert normalize(mine.get_config()) == normalize(ref.get_config())
        again = type(mine).from_config(ref.get_config())
        assert normalize(again.get_config()) == normalize(ref.get_config())
