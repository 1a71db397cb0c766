"""The image layers against Keras 3 (TensorFlow backend): outputs from copied weights,
get_config both ways, a small convnet trained in both from the same weights, and the
conv2d/pool2d primitives' gradients against finite differences."""

import numpy as np
import pytest

import kerasette as ks

from ._layer_helpers import normalize

pytestmark = pytest.mark.keras_ref
ATOL = 1e-4


def twin(keras, name, shape, **kwargs):
    # both name counters from zero, so auto-names ("conv2d") agree whatever ran before
    from keras.src.utils import naming as keras_naming

    from kerasette.utils import naming

    keras_naming.reset_uids()
    naming.reset_uids()
    k = getattr(keras.layers, name)(**kwargs)
    k.build(shape)
    r = np.random.default_rng(0)
    k.set_weights([r.normal(size=w.shape).astype("float32") for w in k.weights])
    m = getattr(ks.layers, name)(**kwargs)
    m.build(shape)
    assert [tuple(w.shape) for w in m.weights] == [tuple(w.shape) for w in k.weights]
    m.set_weights([np.asarray(w) for w in k.get_weights()])
    return m, k


def configs_agree(m, k):
    mine, ref = normalize(m.get_config()), normalize(k.get_config())
    assert mine == ref
    assert normalize(type(m).from_config(ref).get_config()) == mine
    assert normalize(type(k).from_config(mine).get_config()) == ref


def check(keras, name, shape, training=False, **kwargs):
    m, k = twin(keras, name, shape, **kwargs)
    x = np.random.default_rng(1).normal(size=(3,) + shape[1:]).astype("float32")
    out = m(x)
    # Keras's random layers augment on a direct call (training defaults to True there)
    random = name.startswith(("Random", "Spatial"))
    ref = k(x, training=training) if training or random else k(x)
    np.testing.assert_allclose(np.asarray(out), np.asarray(ref), atol=ATOL, rtol=1e-4)
    assert tuple(m.compute_output_shape(shape)) == tuple(k.compute_output_shape(shape))
    configs_agree(m, k)


CONV = [
    ("Conv2D", (None, 9, 8, 3), dict(filters=4, kernel_size=3)),
    (
        "Conv2D",
        (None, 9, 8, 3),
        dict(filters=4, kernel_size=(3, 2), strides=2, padding="same", activation="relu"),
    ),
    (
        "Conv2D",
        (None, 9, 8, 4),
        dict(filters=6, kernel_size=3, dilation_rate=2, groups=2, padding="same", use_bias=False),
    ),
    (
        "Conv2D",
        (None, 3, 9, 8),
        dict(filters=4, kernel_size=3, data_format="channels_first", padding="same"),
    ),
    ("Conv1D", (None, 11, 3), dict(filters=4, kernel_size=3, padding="causal", dilation_rate=2)),
    ("Conv1D", (None, 11, 3), dict(filters=4, kernel_size=4, strides=3, padding="same")),
    ("Conv1D", (None, 11, 4), dict(filters=2, kernel_size=2, groups=2)),
    ("Conv3D", (None, 5, 6, 4, 2), dict(filters=3, kernel_size=2, padding="same")),
    ("Conv3D", (None, 5, 6, 4, 2), dict(filters=3, kernel_size=(2, 3, 2), strides=(1, 2, 1))),
    ("SeparableConv2D", (None, 9, 8, 3), dict(filters=4, kernel_size=3, depth_multiplier=2)),
    ("SeparableConv2D", (None, 9, 8, 3), dict(filters=4, kernel_size=3, strides=2, padding="same")),
    ("SeparableConv1D", (None, 11, 3), dict(filters=4, kernel_size=3, padding="same")),
    ("DepthwiseConv2D", (None, 9, 8, 3), dict(kernel_size=3, depth_multiplier=2)),
    ("DepthwiseConv2D", (None, 9, 8, 3), dict(kernel_size=3, dilation_rate=2, padding="same")),
    ("DepthwiseConv1D", (None, 11, 3), dict(kernel_size=3, strides=2)),
    ("Conv2DTranspose", (None, 5, 6, 3), dict(filters=4, kernel_size=3)),
    ("Conv2DTranspose", (None, 5, 6, 3), dict(filters=4, kernel_size=3, strides=2, padding="same")),
    ("Conv2DTranspose", (None, 5, 6, 3), dict(filters=2, kernel_size=4, strides=2)),
    (
        "Conv2DTranspose",
        (None, 5, 6, 3),
        dict(filters=2, kernel_size=3, strides=2, output_padding=1),
    ),
    ("Conv1DTranspose", (None, 7, 3), dict(filters=2, kernel_size=3, strides=2, padding="same")),
]


@pytest.mark.parametrize("name,shape,kwargs", CONV, ids=[f"{c[0]}-{i}" for i, c in enumerate(CONV)])
def test_conv_layers(keras, name, shape, kwargs):
    check(keras, name, shape, **kwargs)


POOL = [
    ("MaxPooling2D", (None, 9, 8, 3), {}),
    ("MaxPooling2D", (None, 9, 8, 3), dict(pool_size=3, strides=2, padding="same")),
    ("AveragePooling2D", (None, 9, 8, 3), dict(pool_size=(3, 2), strides=(2, 1), padding="same")),
    ("AveragePooling2D", (None, 3, 9, 8), dict(pool_size=2, data_format="channels_first")),
    ("MaxPooling1D", (None, 11, 3), dict(pool_size=3, strides=2, padding="same")),
    ("AveragePooling1D", (None, 11, 3), dict(pool_size=3, padding="same")),
    ("MaxPooling3D", (None, 5, 6, 4, 2), {}),
    ("AveragePooling3D", (None, 5, 6, 4, 2), dict(pool_size=2, padding="same")),
    ("GlobalMaxPooling1D", (None, 11, 3), {}),
    ("GlobalAveragePooling1D", (None, 11, 3), dict(keepdims=True)),
    ("GlobalMaxPooling2D", (None, 9, 8, 3), dict(data_format="channels_first")),
    ("GlobalAveragePooling2D", (None, 9, 8, 3), {}),
    ("GlobalMaxPooling3D", (None, 5, 6, 4, 2), {}),
    ("GlobalAveragePooling3D", (None, 5, 6, 4, 2), dict(keepdims=True)),
]


@pytest.mark.parametrize("name,shape,kwargs", POOL, ids=[f"{c[0]}-{i}" for i, c in enumerate(POOL)])
def test_pooling_layers(keras, name, shape, kwargs):
    check(keras, name, shape, **kwargs)


RESHAPE = [
    ("UpSampling1D", (None, 5, 3), dict(size=3)),
    ("UpSampling2D", (None, 5, 4, 3), dict(size=(2, 3))),
    ("UpSampling2D", (None, 5, 4, 3), dict(size=2, interpolation="bilinear")),
    ("UpSampling2D", (None, 3, 5, 4), dict(data_format="channels_first")),
    ("ZeroPadding1D", (None, 5, 3), dict(padding=(1, 2))),
    ("ZeroPadding2D", (None, 5, 4, 3), dict(padding=((1, 2), (0, 3)))),
    ("ZeroPadding2D", (None, 3, 5, 4), dict(padding=2, data_format="channels_first")),
    ("Cropping1D", (None, 7, 3), dict(cropping=(1, 2))),
    ("Cropping2D", (None, 7, 6, 3), dict(cropping=((1, 2), (2, 1)))),
    ("Cropping2D", (None, 3, 7, 6), dict(cropping=1, data_format="channels_first")),
    ("Rescaling", (None, 5, 4, 3), dict(scale=1 / 255.0, offset=-0.5)),
    ("Resizing", (None, 9, 8, 3), dict(height=5, width=11)),
    ("Resizing", (None, 9, 8, 3), dict(height=4, width=6, interpolation="nearest")),
    ("Resizing", (None, 9, 8, 3), dict(height=4, width=6, crop_to_aspect_ratio=True)),
    ("Resizing", (None, 9, 8, 3), dict(height=6, width=14, interpolation="nearest")),
    ("CenterCrop", (None, 9, 8, 3), dict(height=5, width=4)),
    ("CenterCrop", (None, 9, 8, 3), dict(height=6, width=12)),
    # random layers: the identity in inference
    ("RandomFlip", (None, 5, 4, 3), {}),
    ("RandomRotation", (None, 5, 4, 3), dict(factor=0.2)),
    ("RandomTranslation", (None, 5, 4, 3), dict(height_factor=0.1, width_factor=0.2)),
    ("RandomZoom", (None, 5, 4, 3), dict(height_factor=0.1)),
    ("RandomContrast", (None, 5, 4, 3), dict(factor=0.3)),
    ("SpatialDropout1D", (None, 5, 3), dict(rate=0.5)),
    ("SpatialDropout2D", (None, 5, 4, 3), dict(rate=0.5)),
]


@pytest.mark.parametrize(
    "name,shape,kwargs", RESHAPE, ids=[f"{c[0]}-{i}" for i, c in enumerate(RESHAPE)]
)
def test_reshaping_and_preprocessing_layers(keras, name, shape, kwargs):
    check(keras, name, shape, **kwargs)


def _train_mode(layer, x):
    from kerasette.graph.function import Function

    return np.asarray(Function(lambda t: layer(t, training=True))(x))


def test_random_layers_in_training():
    r = np.random.default_rng(2)
    x = r.uniform(0, 255, size=(16, 6, 5, 3)).astype("float32")
    y = _train_mode(ks.layers.RandomFlip(seed=1), x)
    for a, b in zip(x, y):  # every image is itself or a flip of itself
        assert any(np.allclose(b, f) for f in (a, a[::-1], a[:, ::-1], a[::-1, ::-1]))
    assert not np.allclose(y, x)
    y = _train_mode(ks.layers.RandomContrast(0.5, seed=1), x)
    np.testing.assert_allclose(y.mean(axis=(1, 2)), x.mean(axis=(1, 2)), rtol=0.05, atol=4)
    assert y.min() >= 0 and y.max() <= 255
    for name, kw in [
        ("RandomRotation", dict(factor=0.5)),
        ("RandomTranslation", dict(height_factor=0.3, width_factor=0.3)),
        ("RandomZoom", dict(height_factor=0.4)),
    ]:
        y = _train_mode(getattr(ks.layers, name)(seed=3, **kw), x)
        assert y.shape == x.shape and np.all(np.isfinite(y)) and not np.allclose(y, x)
        # bilinear samples of the image stay within its value range (reflect fill)
        assert y.min() >= x.min() - 1e-3 and y.max() <= x.max() + 1e-3
    d = _train_mode(ks.layers.SpatialDropout2D(0.5, seed=1), x)
    kept = np.abs(d).sum(axis=(1, 2)) > 0  # whole channels are dropped or kept (x2)
    assert 0 < kept.mean() < 1
    np.testing.assert_allclose(
        d[np.broadcast_to(kept[:, None, None, :], d.shape)],
        2 * x[np.broadcast_to(kept[:, None, None, :], x.shape)],
        rtol=1e-6,
    )


# ---- gradients of the primitives against finite differences ------------------------------
@pytest.mark.parametrize(
    "case",
    [
        dict(x=(2, 6, 7, 4), w=(3, 2, 2, 6), strides=(2, 1), dilation=(1, 1), padding="same"),
        dict(x=(1, 7, 6, 3), w=(2, 3, 3, 4), strides=(1, 1), dilation=(2, 1), padding="valid"),
        dict(x=(2, 1, 9, 2), w=(1, 3, 2, 3), strides=(1, 2), dilation=(1, 1), padding="same"),
    ],
)
def test_conv2d_primitive_gradient_vs_finite_differences(case):
    from kerasette import ops
    from kerasette.graph.autodiff import gradients
    from kerasette.graph.function import Function

    r = np.random.default_rng(5)
    x = r.normal(size=case["x"])
    w = r.normal(size=case["w"])
    g = r.normal(
        size=np.asarray(
            ops.conv(x, w, case["strides"], case["padding"], dilation_rate=case["dilation"])
        ).shape
    )

    def loss(x, w):
        return ops.sum(
            ops.multiply(
                ops.conv(x, w, case["strides"], case["padding"], dilation_rate=case["dilation"]), g
            )
        )

    def both(xw):  # traced inputs get a batch axis: w travels as (1, *w.shape)
        wk = ops.reshape(xw[1], w.shape)
        return gradients(loss(xw[0], wk), [xw[0], wk])

    fn = Function(both)
    assert "conv2d" in {n.op for n in fn.get((x, w[None])).fn.nodes}
    dx, dw = [np.asarray(v) for v in fn((x, w[None]))]
    eps = 1e-6
    for arr, grad in ((x, dx), (w, dw)):
        num = np.zeros_like(arr)
        it = np.nditer(arr, flags=["multi_index"])
        for _ in it:
            i = it.multi_index
            old = arr[i]
            arr[i] = old + eps
            hi = float(np.asarray(loss(x, w)))
            arr[i] = old - eps
            lo = float(np.asarray(loss(x, w)))
            arr[i] = old
            num[i] = (hi - lo) / (2 * eps)
        np.testing.assert_allclose(grad, num, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("mode", ["max", "avg"])
def test_pool2d_primitive_gradient_vs_finite_differences(mode):
    from kerasette import ops
    from kerasette.graph.autodiff import gradients
    from kerasette.graph.function import Function

    r = np.random.default_rng(6)
    x = r.normal(size=(2, 7, 6, 3))
    pool = ops.max_pool if mode == "max" else ops.average_pool
    g = r.normal(size=np.asarray(pool(x, 3, 2, "same")).shape)

    def loss(x):
        return ops.sum(ops.multiply(pool(x, 3, 2, "same"), g))

    dx = np.asarray(Function(lambda x: gradients(loss(x), [x])[0])(x))
    num = np.zeros_like(x)
    eps = 1e-6
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + eps
        hi = float(np.asarray(loss(x)))
        x[i] = old - eps
        lo = float(np.asarray(loss(x)))
        x[i] = old
        num[i] = (hi - lo) / (2 * eps)
    np.testing.assert_allclose(dx, num, rtol=1e-5, atol=1e-6)


# ---- a small convnet trained in both -------------------------------------------------------
def _convnet(lib, data_format="channels_last"):
    L = lib.layers
    shape = (12, 12, 1)
    return lib.Sequential(
        [
            L.Input(shape),
            L.Conv2D(6, 3, activation="relu"),
            L.MaxPooling2D(2),
            L.Conv2D(8, 3, activation="relu", padding="same"),
            L.GlobalAveragePooling2D(),
            L.Dense(4, activation="softmax"),
        ]
    )


def test_convnet_trains_like_keras(keras):
    r = np.random.default_rng(7)
    x = r.normal(size=(96, 12, 12, 1)).astype("float32")
    y = r.integers(0, 4, size=96)
    k = _convnet(keras)
    m = _convnet(ks)
    m.set_weights([np.asarray(w) for w in k.get_weights()])
    for net, lib in ((k, keras), (m, ks)):
        net.compile(
            optimizer=lib.optimizers.SGD(0.1),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
    hk = k.fit(x, y, batch_size=32, epochs=2, shuffle=False, verbose=0).history
    hm = m.fit(x, y, batch_size=32, epochs=2, shuffle=False, verbose=0).history
    np.testing.assert_allclose(hm["loss"], hk["loss"], rtol=1e-3)
    np.testing.assert_allclose(hm["accuracy"], hk["accuracy"], atol=1e-6)
    for a, b in zip(m.get_weights(), k.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-4, rtol=1e-3)
    np.testing.assert_allclose(m.predict(x, verbose=0), k.predict(x, verbose=0), atol=1e-4)
