"""`keras.Model(inputs=t, ...)` where `t` is a layer's output (keras-io's FeatureSpace
example trains such a model on the encoded features): Keras gives the model a fresh
InputLayer in t's place and keeps only the layers after it, sharing their weights."""

import numpy as np
import pytest

import kerasette as ks

pytestmark = pytest.mark.keras_ref


def _graph(lib):
    a = lib.Input(shape=(3,), name="a")
    b = lib.Input(shape=(2,), name="b")
    h = lib.layers.Dense(4, name="d1")(a)
    z = lib.layers.Concatenate(name="cat")([lib.layers.Activation("relu", name="act")(h), b])
    y = lib.layers.Dense(2, name="d2")(lib.ops.multiply(z, 2.0))
    return a, b, h, z, y


def _copy(dst_layers, src_layers):
    for d, s in zip(dst_layers, src_layers):
        d.set_weights([np.asarray(w) for w in s.get_weights()])


@pytest.mark.parametrize("cut", ["z", "h+b"])
def test_model_from_intermediate_tensors_like_keras(keras, cut):
    rng = np.random.default_rng(0)
    xa = rng.normal(size=(6, 3)).astype("float32")
    xb = rng.normal(size=(6, 2)).astype("float32")
    built = {}
    for lib in (keras, ks):
        a, b, h, z, y = _graph(lib)
        full = lib.Model([a, b], y)
        inputs = {"z": z, "h+b": [h, b]}[cut]
        built[lib] = (full, lib.Model(inputs, y), lib.Model(a, h), lib.Model([a, b], z))
    _copy(
        [built[ks][0].get_layer(n) for n in ("d1", "d2")],
        [built[keras][0].get_layer(n) for n in ("d1", "d2")],
    )
    kfull, kpart, kh, kz = built[keras]
    full, part, h_model, z_model = built[ks]
    assert [type(l).__name__ for l in part.layers] == [type(l).__name__ for l in kpart.layers]
    assert [x.shape for x in part.inputs] == [tuple(x.shape) for x in kpart.inputs]
    feed = {
        "z": lambda m: m.predict([xa, xb], verbose=0),
        "h+b": lambda m: [m.predict(xa, verbose=0), xb],
    }[cut]
    src = {"z": z_model, "h+b": h_model}[cut]
    ksrc = {"z": kz, "h+b": kh}[cut]
    np.testing.assert_allclose(
        part.predict(feed(src), verbose=0),
        kpart.predict(feed(ksrc), verbose=0),
        rtol=1e-5,
        atol=1e-6,
    )
    # training the cut model trains the layers the full model shares (Keras too)
    target = np.ones((6, 2), "float32")
    for m, x in ((kpart, feed(ksrc)), (part, feed(src))):
        m.compile(optimizer="sgd", loss="mse")
    hist = [
        m.fit(x, target, epochs=3, batch_size=6, verbose=0, shuffle=False).history["loss"]
        for m, x in ((kpart, feed(ksrc)), (part, feed(src)))
    ]
    np.testing.assert_allclose(hist[1], hist[0], rtol=1e-5)
    np.testing.assert_allclose(
        full.predict([xa, xb], verbose=0), kfull.predict([xa, xb], verbose=0), rtol=1e-5, atol=1e-6
    )


def test_unconnected_intermediate_input_raises(keras):
    """The outputs need an Input that the given intermediate tensor does not cover."""
    for lib in (keras, ks):
        a, b, h, z, y = _graph(lib)
        with pytest.raises(ValueError, match="(?i)not connected|disconnected"):
            lib.Model(h, y)
