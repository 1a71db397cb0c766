"""Parity with Keras 3 across layers and activations: build the same model in both,
copy the weights, and compare predict, evaluate and the weights after fit.

Tolerances: float32 with different summation orders (GEMM blocking, reductions) gives
~1e-6 relative differences per op; predict/evaluate use rtol 2e-5, atol 1e-5 (2e-4 for
the transcendental activations, whose float32 implementations differ by a few ulps and
more near kinks). After several epochs of fit those differences compound through the
updates, so weights are compared with atol 2e-4.
"""

import numpy as np
import pytest

import kerasette as ks

ACTIVATIONS = [
    "linear",
    "relu",
    "leaky_relu",
    "relu6",
    "elu",
    "selu",
    "gelu",
    "sigmoid",
    "hard_sigmoid",
    "tanh",
    "softmax",
    "log_softmax",
    "softplus",
    "softsign",
    "silu",
    "mish",
    "exponential",
    "hard_silu",
    "swish",
]


def _copy_weights(mine, ref):
    mine.set_weights([np.asarray(w) for w in ref.get_weights()])


def _data(n=96, d=6, seed=0):
    r = np.random.default_rng(seed)
    return r.normal(size=(n, d)).astype("float32")


@pytest.mark.parametrize("act", ACTIVATIONS)
def test_predict_every_activation(keras, act):
    x = _data()
    mine, ref = (
        lib.Sequential(
            [lib.Input(shape=(6,)), lib.layers.Dense(5, activation=act), lib.layers.Activation(act)]
        )
        for lib in (ks, keras)
    )
    _copy_weights(mine, ref)
    a = mine.predict(x, verbose=0)
    b = ref.predict(x, verbose=0)
    tol = (
        2e-4
        if act not in ("linear", "relu", "relu6", "leaky_relu", "hard_sigmoid", "hard_silu")
        else 2e-5
    )
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)
    np.testing.assert_allclose(mine(x), a, rtol=1e-6, atol=1e-7)


def _layer_models(lib):
    L = lib.layers
    yield (
        "dense",
        [
            lib.Input(shape=(6,)),
            L.Dense(7, kernel_initializer="he_normal", bias_initializer="random_normal"),
        ],
    )
    yield (
        "batchnorm",
        [
            lib.Input(shape=(6,)),
            L.Dense(4),
            L.BatchNormalization(
                momentum=0.9,
                epsilon=1e-3,
                beta_initializer="random_normal",
                gamma_initializer="random_uniform",
                moving_mean_initializer="random_normal",
                moving_variance_initializer="ones",
            ),
        ],
    )
    yield (
        "layernorm",
        [
            lib.Input(shape=(6,)),
            L.Dense(4),
            L.LayerNormalization(
                beta_initializer="random_normal", gamma_initializer="random_uniform"
            ),
        ],
    )
    yield "dropout", [lib.Input(shape=(6,)), L.Dropout(0.5), L.Dense(3)]
    yield (
        "reshape_flatten",
        [lib.Input(shape=(6,)), L.Reshape((2, 3)), L.Dense(4), L.Flatten(), L.Dense(2)],
    )
    yield (
        "normalization",
        [
            lib.Input(shape=(6,)),
            L.Normalization(mean=[0.5, 1, 2, 3, 4, 5], variance=[1, 2, 3, 4, 5, 0.5]),
            L.Dense(2),
        ],
    )
    yield (
        "normalization_invert",
        [
            lib.Input(shape=(6,)),
            L.Normalization(mean=[0.5, 1, 2, 3, 4, 5], variance=[1, 2, 3, 4, 5, 0.5], invert=True),
        ],
    )


@pytest.mark.parametrize("case", [name for name, _ in _layer_models(ks)])
def test_predict_every_layer(keras, case):
    x = _data()
    mine = ks.Sequential(dict(_layer_models(ks))[case])
    ref = keras.Sequential(dict(_layer_models(keras))[case])
    _copy_weights(mine, ref)
    np.testing.assert_allclose(
        mine.predict(x, verbose=0), ref.predict(x, verbose=0), rtol=2e-5, atol=1e-5
    )


def test_embedding_predict(keras):
    ids = np.random.default_rng(3).integers(0, 20, (50, 4))
    mine, ref = (
        lib.Sequential(
            [
                lib.Input(shape=(4,), dtype="int32"),
                lib.layers.Embedding(20, 3),
                lib.layers.Flatten(),
                lib.layers.Dense(2),
            ]
        )
        for lib in (ks, keras)
    )
    _copy_weights(mine, ref)
    np.testing.assert_allclose(
        mine.predict(ids, verbose=0), ref.predict(ids, verbose=0), rtol=2e-5, atol=1e-6
    )


def test_normalization_adapt_matches_keras(keras):
    x = _data(200) * 3 + 1
    mine, ref = ks.layers.Normalization(), keras.layers.Normalization()
    mine.adapt(x)
    ref.adapt(x)
    for a, b in zip(mine.get_weights(), ref.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(mine(x), np.asarray(ref(x)), rtol=1e-5, atol=1e-5)
    # adapt over batches: the same statistics as over the whole array.
    batched = ks.layers.Normalization()
    batched.adapt([x[:70], x[70:150], x[150:]])
    np.testing.assert_allclose(batched.mean.numpy(), mine.mean.numpy(), rtol=1e-5)
    np.testing.assert_allclose(batched.variance.numpy(), mine.variance.numpy(), rtol=1e-5)


def test_batchnorm_training_call_matches_keras(keras):
    x = _data(32)
    mine, ref = (
        ks.layers.BatchNormalization(momentum=0.8),
        keras.layers.BatchNormalization(momentum=0.8),
    )
    mine.build((None, 6))
    ref.build((None, 6))
    a = mine(x, training=True)
    b = np.asarray(ref(x, training=True))
    np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    for wa, wb in zip(mine.get_weights(), ref.get_weights(), strict=True):  # moving stats updated
        np.testing.assert_allclose(wa, wb, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(mine(x), np.asarray(ref(x)), rtol=1e-4, atol=1e-5)


def test_dropout_is_identity_in_inference_and_scaled_in_training():
    x = np.ones((200, 50), "float32")
    layer = ks.layers.Dropout(0.25)
    np.testing.assert_array_equal(layer(x), x)
    y = layer(x, training=True)
    kept = y != 0
    np.testing.assert_allclose(y[kept], 1 / 0.75, rtol=1e-6)
    assert abs(kept.mean() - 0.75) < 0.02


def test_layer_calls_accept_numpy_and_check_shapes():
    d = ks.layers.Dense(3)
    y = d(np.ones((2, 4)))
    assert y.shape == (2, 3) and d.built
    with pytest.raises(ValueError, match=r'layer "dense\w*".*value 4.*\(None, 5\)'):
        d(np.ones((2, 5)))
    with pytest.raises(TypeError, match="numeric"):
        d(np.array([["a", "b", "c", "d"]]))


FIT_CASES = ["dense", "batchnorm", "layernorm", "reshape_flatten", "normalization"]


@pytest.mark.parametrize("case", FIT_CASES)
@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_fit_and_evaluate_every_layer(keras, case, optimizer):
    x = _data(96)
    y = (np.random.default_rng(1).normal(size=(96, 1)) + x[:, :1]).astype("float32")
    models = []
    for lib in (ks, keras):
        layers = dict(_layer_models(lib))[case] + [lib.layers.Dense(1)]
        m = lib.Sequential(layers)
        m.compile(optimizer=lib.optimizers.get(optimizer), loss="mse", metrics=["mae"])
        models.append(m)
    mine, ref = models
    _copy_weights(mine, ref)
    hm = mine.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0)
    hr = ref.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0)
    np.testing.assert_allclose(hm.history["loss"], hr.history["loss"], rtol=1e-4)
    np.testing.assert_allclose(hm.history["mae"], hr.history["mae"], rtol=1e-4)
    for a, b in zip(mine.get_weights(), ref.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=2e-4)
    np.testing.assert_allclose(
        mine.evaluate(x, y, verbose=0), ref.evaluate(x, y, verbose=0), rtol=1e-4
    )


@pytest.mark.parametrize("act", ACTIVATIONS)
def test_activation_functions_on_arrays(keras, act):
    x = _data(20, 7) * 3
    a = getattr(ks.activations, act)(x)
    b = np.asarray(getattr(keras.activations, act)(x))
    np.testing.assert_allclose(a, b, rtol=2e-4, atol=2e-5)
    assert ks.activations.get(act).__name__ == keras.activations.get(act).__name__


def test_activation_arguments(keras):
    x = _data(10, 4) * 2
    np.testing.assert_allclose(
        ks.activations.leaky_relu(x, negative_slope=0.05),
        np.asarray(keras.activations.leaky_relu(x, negative_slope=0.05)),
        rtol=1e-6,
        atol=1e-7,
    )
    np.testing.assert_allclose(
        ks.activations.elu(x, alpha=0.5),
        np.asarray(keras.activations.elu(x, alpha=0.5)),
        rtol=1e-5,
        atol=1e-6,
    )
    np.testing.assert_allclose(
        ks.activations.gelu(x, approximate=True),
        np.asarray(keras.activations.gelu(x, approximate=True)),
        rtol=1e-4,
        atol=1e-5,
    )


def test_empty_and_non_finite_inputs_follow_keras(keras):
    d = ks.layers.Dense(3)
    assert d(np.zeros((0, 4))).shape == (0, 3)
    x = np.array([[np.nan, 1, 2, 3], [np.inf, 0, 0, 0]], "float32")
    ref = keras.layers.Dense(3)
    ref.build((None, 4))
    d.set_weights(ref.get_weights())
    # Keras propagates NaN/inf through a layer call; so does kerasette.
    np.testing.assert_array_equal(np.isnan(d(x)), np.isnan(np.asarray(ref(x))))


@pytest.mark.parametrize("act", [a for a in ACTIVATIONS if a not in ("exponential",)])
def test_fit_every_activation(keras, act):
    """Backward passes too: two epochs of SGD through each activation give Keras's weights.
    (exponential is left out: its unbounded outputs make a regression diverge.)"""
    x = _data(64, 6)
    y = np.tanh(x[:, :2] - x[:, 2:4]).astype("float32")
    models = []
    for lib in (ks, keras):
        m = lib.Sequential(
            [lib.Input(shape=(6,)), lib.layers.Dense(5, activation=act), lib.layers.Dense(2)]
        )
        m.compile(optimizer=lib.optimizers.SGD(learning_rate=0.05), loss="mse")
        models.append(m)
    mine, ref = models
    _copy_weights(mine, ref)
    mine.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    ref.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    for a, b in zip(mine.get_weights(), ref.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=2e-4)


@pytest.mark.parametrize("task", ["binary", "categorical", "sparse"])
def test_evaluate_with_metrics_matches_keras(keras, task):
    r = np.random.default_rng(5)
    x = _data(120, 6)
    if task == "binary":
        y, units, act, loss = (
            (r.random((120, 1)) > 0.5).astype("float32"),
            1,
            "sigmoid",
            "binary_crossentropy",
        )
    elif task == "categorical":
        y, units, act, loss = (
            np.eye(4, dtype="float32")[r.integers(0, 4, 120)],
            4,
            "softmax",
            "categorical_crossentropy",
        )
    else:
        y, units, act, loss = r.integers(0, 4, 120), 4, "softmax", "sparse_categorical_crossentropy"
    sw = r.random(120).astype("float32")

    def metrics(lib):
        out = ["accuracy", "mse"]
        if task == "binary":
            out += [
                lib.metrics.Precision(name="p"),
                lib.metrics.Recall(name="r"),
                lib.metrics.AUC(name="auc"),
            ]
        elif task == "categorical":
            out += [
                lib.metrics.TopKCategoricalAccuracy(k=2, name="top2"),
                lib.metrics.AUC(name="auc"),
            ]
        return out

    results = []
    for lib in (ks, keras):
        m = lib.Sequential(
            [
                lib.Input(shape=(6,)),
                lib.layers.Dense(8, activation="relu"),
                lib.layers.Dense(units, activation=act),
            ]
        )
        m.compile(
            optimizer="sgd",
            loss=loss,
            metrics=metrics(lib) if task != "sparse" else ["accuracy"],
            weighted_metrics=["accuracy"] if task == "sparse" else None,
        )
        results.append(m)
    mine, ref = results
    _copy_weights(mine, ref)
    a = mine.evaluate(x, y, sample_weight=sw, batch_size=32, verbose=0, return_dict=True)
    b = ref.evaluate(x, y, sample_weight=sw, batch_size=32, verbose=0, return_dict=True)
    assert sorted(a) == sorted(b)
    for key in b:
        np.testing.assert_allclose(a[key], b[key], rtol=1e-4, atol=1e-6, err_msg=key)


def test_frozen_layers_match_keras(keras):
    x = _data(64)
    y = x[:, :1] * 2 - x[:, 1:2]
    models = []
    for lib in (ks, keras):
        m = lib.Sequential(
            [
                lib.Input(shape=(6,)),
                lib.layers.Dense(5, activation="tanh"),
                lib.layers.BatchNormalization(),
                lib.layers.Dense(1),
            ]
        )
        m.layers[0].trainable = False
        m.layers[1].trainable = False  # a frozen BatchNormalization runs in inference mode
        m.compile(optimizer="adam", loss="mse")
        models.append(m)
    mine, ref = models
    _copy_weights(mine, ref)
    frozen = [w.copy() for w in mine.get_weights()[:6]]
    mine.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    ref.fit(x, y, epochs=2, batch_size=16, shuffle=False, verbose=0)
    for a, b in zip(mine.get_weights()[:6], frozen, strict=True):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(mine.get_weights(), ref.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "rmsprop", "adagrad"])
def test_embedding_fit_matches_keras(keras, optimizer):
    """Embedding training matches Keras. Each batch uses every id once: with repeated ids
    in a batch, Keras's TensorFlow backend squares each IndexedSlices row separately in
    Adam/RMSprop/Adagrad (sum of squares instead of the square of the summed gradient),
    which the dense update of kerasette (and of Keras's JAX/torch backends) does not."""
    r = np.random.default_rng(4)
    ids = np.concatenate([r.permutation(80).reshape(16, 5) for _ in range(4)])
    y = r.integers(0, 3, 64)
    models = []
    for lib in (ks, keras):
        m = lib.Sequential(
            [
                lib.Input(shape=(5,), dtype="int32"),
                lib.layers.Embedding(80, 4),
                lib.layers.Flatten(),
                lib.layers.Dense(3, activation="softmax"),
            ]
        )
        m.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        models.append(m)
    mine, ref = models
    _copy_weights(mine, ref)
    hm = mine.fit(ids, y, epochs=3, batch_size=16, shuffle=False, verbose=0)
    hr = ref.fit(ids, y, epochs=3, batch_size=16, shuffle=False, verbose=0)
    np.testing.assert_allclose(hm.history["loss"], hr.history["loss"], rtol=1e-4)
    for a, b in zip(mine.get_weights(), ref.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=2e-4)
