"""Models whose Input leaves non-batch sizes unknown (`Input((None, 10))` into Conv1D and
pooling, `Input((None, None, 3))` into Conv2D, `Input((None, 8))` into causal attention
and Reshape), as Keras allows: the model is built with
None sizes, and each call runs a program made for the data's shape. Against real Keras
3 from the same weights: forward at several lengths, fit (loss history and weights),
evaluate, summary() shapes, get_config, and .keras files both ways."""

import numpy as np
import pytest

import kerasette as ks

from .conftest import normalize

TOL = dict(rtol=2e-4, atol=2e-5)


def conv1d_stack(lib):
    """Conv1D (same, valid, strided, causal) and pooling over an unknown length."""
    L = lib.layers
    inp = lib.Input((None, 10), name="seq")
    x = L.Conv1D(8, 3, activation="relu", padding="same", name="c1")(inp)
    x = L.MaxPooling1D(2, name="p1")(x)
    x = L.Conv1D(6, 3, strides=2, padding="same", name="c2")(x)
    x = L.Conv1D(6, 2, padding="causal", dilation_rate=2, name="c3")(x)
    x = L.AveragePooling1D(3, strides=2, padding="same", name="p2")(x)
    x = L.Conv1D(4, 2, name="c4")(x)
    out = L.Dense(1, name="head")(L.GlobalMaxPooling1D(name="gmp")(x))
    return lib.Model(inp, out, name="conv1d_stack")


def conv2d_gap(lib):
    """Images of any height and width: Conv2D, pooling, GlobalAveragePooling2D."""
    L = lib.layers
    inp = lib.Input((None, None, 3), name="image")
    x = L.Conv2D(5, 3, activation="relu", name="c1")(inp)
    x = L.MaxPooling2D(2, padding="same", name="p1")(x)
    x = L.Conv2D(4, 3, strides=2, padding="same", name="c2")(x)
    x = L.DepthwiseConv2D(2, name="dw")(x)
    out = L.Dense(3, activation="softmax", name="head")(L.GlobalAveragePooling2D(name="gap")(x))
    return lib.Model(inp, out, name="conv2d_gap")


def embedding_mask_conv(lib):
    """Token ids of any length: Embedding with a mask into an LSTM and the masked average,
    and a Conv1D branch."""
    L = lib.layers
    inp = lib.Input((None,), dtype="int32", name="ids")
    e = L.Embedding(30, 6, mask_zero=True, name="emb")(inp)
    seq = L.LSTM(5, return_sequences=True, name="lstm")(e)
    avg = L.GlobalAveragePooling1D(name="gap")(seq)
    e2 = L.Embedding(30, 3, name="emb2")(inp)  # unmasked: Conv1D drops masks (and warns)
    conv = L.GlobalMaxPooling1D(name="gmp")(L.Conv1D(4, 3, padding="same", name="conv")(e2))
    x = L.Concatenate(name="cat")([avg, conv])
    out = L.Dense(1, activation="sigmoid", name="head")(L.Dense(4, name="mid")(x))
    return lib.Model(inp, out, name="emb_mask_conv")


def sequential_conv1d(lib):
    L = lib.layers
    return lib.Sequential(
        [
            lib.Input((None, 4)),
            L.Conv1D(6, 3, activation="relu", name="c1"),
            L.MaxPooling1D(2, name="p1"),
            L.Conv1D(5, 3, padding="same", name="c2"),
            L.GlobalAveragePooling1D(name="gap"),
            L.Dense(2, name="head"),
        ],
        name="seq_conv1d",
    )


def attention_block(lib):
    """A causal self-attention block over an unknown length: MultiHeadAttention,
    Attention, and a Reshape whose -1 follows the length."""
    L = lib.layers
    inp = lib.Input((None, 8), name="tokens")
    a = L.MultiHeadAttention(2, 4, name="mha")(inp, inp, use_causal_mask=True)
    x = L.LayerNormalization(name="ln")(L.Add(name="res")([inp, a]))
    x = L.Attention(name="att")([x, x], use_causal_mask=True)
    x = L.Reshape((-1, 4), name="rs")(x)
    out = L.Dense(2, name="head")(L.GlobalAveragePooling1D(name="gap")(x))
    return lib.Model(inp, out, name="attention_block")


MODELS = {
    "attention_block": (attention_block, "mse", lambda r, n, t: r.standard_normal((n, t, 8))),
    "conv1d_stack": (conv1d_stack, "mse", lambda r, n, t: r.random((n, t, 10))),
    "conv2d_gap": (
        conv2d_gap,
        "categorical_crossentropy",
        lambda r, n, t: r.random((n, t, t + 3, 3)),
    ),
    "embedding_mask_conv": (
        embedding_mask_conv,
        "binary_crossentropy",
        lambda r, n, t: np.where(
            np.arange(t) < r.integers(1, t + 1, size=(n, 1)), r.integers(1, 30, size=(n, t)), 0
        ),
    ),
    "sequential_conv1d": (sequential_conv1d, "mse", lambda r, n, t: r.random((n, t, 4))),
}
LENGTHS = {
    "attention_block": (5, 9),
    "conv1d_stack": (20, 33),
    "conv2d_gap": (9, 14),
    "embedding_mask_conv": (7, 12),
}


def _x(name, rng, n, t):
    x = MODELS[name][2](rng, n, t)
    return x.astype("int32") if name == "embedding_mask_conv" else x.astype("float32")


def _y(name, rng, n):
    out = {"conv1d_stack": 1, "embedding_mask_conv": 1, "sequential_conv1d": 2}
    out["attention_block"] = 2
    if name == "conv2d_gap":
        return np.eye(3, dtype="float32")[rng.integers(3, size=n)]
    if name == "embedding_mask_conv":
        return rng.integers(0, 2, size=(n, 1)).astype("float32")
    return rng.random((n, out[name])).astype("float32")


@pytest.fixture
def pair(keras, fresh_names, request):
    name = request.param
    build = MODELS[name][0]
    ref, mine = build(keras), build(ks)
    mine.set_weights(ref.get_weights())
    return name, ref, mine


def _lengths(name):
    return LENGTHS.get(name, (11, 26))


@pytest.mark.parametrize("pair", sorted(MODELS), indirect=True)
def test_forward_at_two_lengths_matches_keras(pair):
    name, ref, mine = pair
    rng = np.random.default_rng(0)
    for t in _lengths(name) + _lengths(name)[:1]:  # back to the first: its program again
        x = _x(name, rng, 5, t)
        want = np.asarray(ref(x))
        np.testing.assert_allclose(mine.predict(x, verbose=0), want, **TOL)
        np.testing.assert_allclose(np.asarray(mine(x)), want, **TOL)
        np.testing.assert_allclose(mine.predict(x[:1], verbose=0), want[:1], **TOL)


@pytest.mark.parametrize("pair", sorted(MODELS), indirect=True)
def test_fit_evaluate_from_the_same_weights_match_keras(pair, keras):
    name, ref, mine = pair
    loss = MODELS[name][1]
    ref.compile(optimizer=keras.optimizers.SGD(0.05), loss=loss)
    mine.compile(optimizer=ks.optimizers.SGD(0.05), loss=loss)
    rng = np.random.default_rng(1)
    t1, t2 = _lengths(name)
    x, y = _x(name, rng, 20, t1), _y(name, rng, 20)
    xv, yv = _x(name, rng, 7, t2), _y(name, rng, 7)
    kw = dict(batch_size=6, epochs=2, shuffle=False, verbose=0, validation_data=(xv, yv))
    h_ref = ref.fit(x, y, **kw).history
    h_mine = mine.fit(x, y, **kw).history
    assert sorted(h_mine) == sorted(h_ref)
    for key in h_ref:
        np.testing.assert_allclose(h_mine[key], h_ref[key], **TOL)
    for a, b in zip(mine.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, **TOL)
    # a second fit on another length continues from the same weights and optimizer
    x2, y2 = _x(name, rng, 9, t2 + 2), _y(name, rng, 9)
    h_ref = ref.fit(x2, y2, batch_size=4, epochs=1, shuffle=False, verbose=0).history
    h_mine = mine.fit(x2, y2, batch_size=4, epochs=1, shuffle=False, verbose=0).history
    np.testing.assert_allclose(h_mine["loss"], h_ref["loss"], **TOL)
    x3, y3 = _x(name, rng, 8, t1 + 1), _y(name, rng, 8)
    np.testing.assert_allclose(
        mine.evaluate(x3, y3, verbose=0), ref.evaluate(x3, y3, verbose=0), **TOL
    )
    np.testing.assert_allclose(mine.predict(x3, verbose=0), ref.predict(x3, verbose=0), **TOL)


# MultiHeadAttention's and Attention's configs differ from Keras's at any input shape
# (attention_axes, build_config, call kwargs): not this file's subject.
SAME_CONFIG = sorted(set(MODELS) - {"attention_block"})


@pytest.mark.parametrize("pair", sorted(MODELS), indirect=True)
def test_summary_shapes_match_keras(pair, monkeypatch):
    name, ref, mine = pair
    monkeypatch.setenv("COLUMNS", "100")
    assert mine.output_shape == ref.output_shape
    if name != "sequential_conv1d":  # a Sequential's layers have no .output here (yet)
        for a, b in zip(mine.layers, ref.layers):
            assert tuple(a.output.shape) == tuple(b.output.shape), a.name
    texts = []
    for m in (ref, mine):
        lines = []
        m.summary(print_fn=lines.append)
        texts.append("".join(lines))
    assert texts[1] == texts[0]


@pytest.mark.parametrize("pair", SAME_CONFIG, indirect=True)
def test_config_matches_keras(pair):
    _, ref, mine = pair
    assert normalize(mine.get_config()) == normalize(ref.get_config())


@pytest.mark.parametrize("pair", SAME_CONFIG, indirect=True)
def test_keras_files_both_ways(pair, keras, tmp_path):
    name, ref, mine = pair
    rng = np.random.default_rng(2)
    xs = [_x(name, rng, 3, t) for t in _lengths(name)]
    mine.save(tmp_path / "mine.keras")
    back = keras.models.load_model(tmp_path / "mine.keras")
    for x in xs:
        np.testing.assert_allclose(np.asarray(back(x)), np.asarray(ref(x)), **TOL)
    ref.save(tmp_path / "ref.keras")
    back = ks.models.load_model(tmp_path / "ref.keras")
    assert normalize(back.get_config()) == normalize(ref.get_config())
    for x in xs:
        np.testing.assert_allclose(back.predict(x, verbose=0), np.asarray(ref(x)), **TOL)


def test_many_lengths_keep_a_bounded_cache():
    """Every new length compiles a program; old ones are dropped past a few, and a length
    seen again still gives the same numbers."""
    model = conv1d_stack(ks)
    rng = np.random.default_rng(3)
    first = _x("conv1d_stack", rng, 2, 12)
    want = model.predict(first, verbose=0)
    for t in range(13, 40):
        assert model.predict(_x("conv1d_stack", rng, 2, t), verbose=0).shape == (2, 1)
    plans = getattr(model, "_plans_by_length", None)
    assert plans is None or len(plans[1]) <= 8
    np.testing.assert_allclose(model.predict(first, verbose=0), want, rtol=1e-6, atol=1e-7)


def test_a_known_size_is_still_checked():
    model = conv1d_stack(ks)
    with pytest.raises(ValueError, match="incompatible"):
        model.predict(np.zeros((2, 12, 9), "float32"), verbose=0)


def test_time_distributed_over_an_unknown_length_matches_numpy():
    """TimeDistributed(Dense) on Input((None, 8)) at three lengths, against numpy. (Keras
    3.15 on TensorFlow is not the reference here: after a call at one length, its
    predict at another gives wrong numbers.)"""
    L = ks.layers
    inp = ks.Input((None, 8))
    x = L.TimeDistributed(L.Dense(6, activation="tanh"))(inp)
    model = ks.Model(inp, L.Dense(2)(L.GlobalAveragePooling1D()(x)))
    assert model.output_shape == (None, 2) and tuple(x.shape) == (None, None, 6)
    w = model.get_weights()
    rng = np.random.default_rng(4)
    for t in (11, 5, 7):
        xs = rng.standard_normal((4, t, 8)).astype("float32")
        want = np.tanh(xs @ w[0] + w[1]).mean(axis=1) @ w[2] + w[3]
        np.testing.assert_allclose(model.predict(xs, verbose=0), want, rtol=1e-5, atol=1e-6)


def _two_inputs(lib):
    L = lib.layers
    a, b = lib.Input((None, 4), name="a"), lib.Input((3,), name="b")
    x = L.GlobalMaxPooling1D(name="gmp")(L.Conv1D(5, 3, padding="same", name="conv")(a))
    out = L.Dense(1, name="head")(L.Concatenate(name="cat")([x, b]))
    model = lib.Model([a, b], out, name="two_inputs")
    model.compile(optimizer=lib.optimizers.SGD(0.05), loss="mse")
    return model


def test_two_inputs_one_of_unknown_length_match_keras(keras, fresh_names):
    ref, mine = _two_inputs(keras), _two_inputs(ks)
    mine.set_weights(ref.get_weights())
    rng = np.random.default_rng(5)

    def data(n, t):
        x = [rng.random((n, t, 4)).astype("float32"), rng.random((n, 3)).astype("float32")]
        return x, rng.random((n, 1)).astype("float32")

    for t in (6, 13):
        x, _ = data(5, t)
        np.testing.assert_allclose(mine.predict(x, verbose=0), ref.predict(x, verbose=0), **TOL)
    (x, y), val = data(12, 9), data(5, 4)
    kw = dict(batch_size=4, epochs=2, verbose=0, shuffle=False, validation_data=val)
    h_ref, h_mine = ref.fit(x, y, **kw).history, mine.fit(x, y, **kw).history
    for key in h_ref:
        np.testing.assert_allclose(h_mine[key], h_ref[key], **TOL)
