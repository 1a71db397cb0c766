"""The sequence layers against Keras 3 (TensorFlow backend): SimpleRNN / LSTM / GRU (both
reset_after forms) outputs from copied weights with return_sequences, return_state,
go_backwards and masks (Embedding(mask_zero) and Masking), Bidirectional, TimeDistributed,
RepeatVector, Permute, get_config both ways, stateful states, and a small IMDB-style
model trained two epochs in both from the same weights (same loss history)."""

import numpy as np
import pytest

import kerasette as ks

from ._layer_helpers import normalize

pytestmark = pytest.mark.keras_ref
ATOL = 2e-5


def _rand_weights(k, scale=0.4, seed=0):
    r = np.random.default_rng(seed)
    return [(r.normal(size=w.shape) * scale).astype("float32") for w in k.weights]


def _twin(keras, name, shape, **kwargs):
    k = getattr(keras.layers, name)(**kwargs)
    k.build(shape)
    k.set_weights(_rand_weights(k))
    m = getattr(ks.layers, name)(**kwargs)
    m.build(shape)
    assert [tuple(w.shape) for w in m.weights] == [tuple(w.shape) for w in k.weights]
    m.set_weights([np.asarray(w) for w in k.get_weights()])
    return m, k


def _outs(y):
    return [np.asarray(t) for t in (y if isinstance(y, (list, tuple)) else [y])]


def _close(got, want, atol=ATOL):
    got, want = _outs(got), _outs(want)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.shape == w.shape
        np.testing.assert_allclose(g, w, atol=atol, rtol=1e-4)


RNNS = [
    ("SimpleRNN", {}),
    ("LSTM", {}),
    ("GRU", {}),
    ("GRU", {"reset_after": False}),
    ("SimpleRNN", {"activation": "relu"}),
    ("LSTM", {"activation": "relu"}),
    ("GRU", {"recurrent_activation": "hard_sigmoid"}),
    ("LSTM", {"use_bias": False}),
    ("GRU", {"use_bias": False}),
]
FLAGS = [
    {},
    {"return_sequences": True},
    {"return_state": True},
    {"go_backwards": True, "return_sequences": True},
    {"go_backwards": True, "return_state": True},
]


@pytest.mark.parametrize("flags", FLAGS, ids=lambda f: "-".join(f) or "plain")
@pytest.mark.parametrize("name,kw", RNNS, ids=lambda v: str(v))
def test_rnn_outputs(keras, name, kw, flags):
    shape = (None, 6, 3)
    m, k = _twin(keras, name, shape, units=4, **kw, **flags)
    x = np.random.default_rng(1).normal(size=(5, 6, 3)).astype("float32")
    _close(m(x), k(x))


def _mask_model(lib, name, T, **kw):
    L = lib.layers
    inp = L.Input((T,), dtype="int32")
    h = L.Embedding(12, 3, mask_zero=True)(inp)
    h = getattr(L, name)(4, **kw)(h)
    return lib.Model(inp, h)


def _copy_model(m, k):
    m.set_weights([np.asarray(w) for w in k.get_weights()])


MASK_IDS = np.array(
    [
        [3, 4, 0, 0, 0, 0],
        [0, 0, 5, 6, 7, 1],
        [2, 0, 3, 0, 4, 0],
        [1, 2, 3, 4, 5, 6],
        [0, 0, 0, 0, 0, 9],
    ],
    np.int32,
)


@pytest.mark.parametrize(
    "flags",
    [{}, {"return_sequences": True}, {"go_backwards": True}, {"return_state": True}],
    ids=lambda f: "-".join(f) or "plain",
)
@pytest.mark.parametrize("name,kw", RNNS[:4], ids=lambda v: str(v))
def test_rnn_with_embedding_mask(keras, name, kw, flags):
    k = _mask_model(keras, name, 6, **kw, **flags)
    k.set_weights(_rand_weights(k))
    m = _mask_model(ks, name, 6, **kw, **flags)
    _copy_model(m, k)
    _close(m.predict(MASK_IDS, verbose=0), k.predict(MASK_IDS, verbose=0))


@pytest.mark.parametrize("name", ["LSTM", "GRU", "SimpleRNN"])
def test_masking_layer_into_rnn(keras, name):
    x = np.random.default_rng(2).normal(size=(4, 5, 3)).astype("float32")
    x[0, 3:] = 0.0
    x[1, :2] = 0.0
    x[2, 2] = 0.0

    def model(lib):
        L = lib.layers
        return lib.Sequential(
            [
                L.Input((5, 3)),
                L.Masking(0.0),
                getattr(L, name)(4, return_sequences=True),
                getattr(L, name)(2),
            ]
        )

    k, m = model(keras), model(ks)
    k.set_weights(_rand_weights(k))
    _copy_model(m, k)
    _close(m.predict(x, verbose=0), k.predict(x, verbose=0))
    _close(ks.layers.Masking()(x), keras.layers.Masking()(x))


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "ave", "mul", None])
@pytest.mark.parametrize(
    "flags",
    [{}, {"return_sequences": True}, {"return_state": True}],
    ids=lambda f: "-".join(f) or "plain",
)
def test_bidirectional(keras, merge_mode, flags):
    shape = (None, 5, 3)
    k = keras.layers.Bidirectional(keras.layers.LSTM(4, **flags), merge_mode=merge_mode)
    k.build(shape)
    k.set_weights(_rand_weights(k))
    m = ks.layers.Bidirectional(ks.layers.LSTM(4, **flags), merge_mode=merge_mode)
    m.build(shape)
    m.set_weights([np.asarray(w) for w in k.get_weights()])
    x = np.random.default_rng(3).normal(size=(3, 5, 3)).astype("float32")
    _close(m(x), k(x))


@pytest.mark.parametrize("name", ["LSTM", "GRU"])
def test_bidirectional_with_mask(keras, name):
    def model(lib):
        L = lib.layers
        inp = L.Input((6,), dtype="int32")
        h = L.Embedding(12, 3, mask_zero=True)(inp)
        h = L.Bidirectional(getattr(L, name)(4, return_sequences=True))(h)
        h = L.Bidirectional(getattr(L, name)(3))(h)
        return lib.Model(inp, h)

    k, m = model(keras), model(ks)
    k.set_weights(_rand_weights(k))
    _copy_model(m, k)
    _close(m.predict(MASK_IDS, verbose=0), k.predict(MASK_IDS, verbose=0))


def test_time_distributed_repeat_permute(keras):
    x = np.random.default_rng(4).normal(size=(3, 4, 5)).astype("float32")
    m, k = (
        ks.layers.TimeDistributed(ks.layers.Dense(2)),
        keras.layers.TimeDistributed(keras.layers.Dense(2)),
    )
    k.build((None, 4, 5))
    k.set_weights(_rand_weights(k))
    m.build((None, 4, 5))
    m.set_weights(k.get_weights())
    _close(m(x), k(x))
    _close(ks.layers.Permute((2, 1))(x), keras.layers.Permute((2, 1))(x))
    _close(ks.layers.RepeatVector(3)(x[:, 0]), keras.layers.RepeatVector(3)(x[:, 0]))


CONFIGS = [
    ("SimpleRNN", {"units": 3}),
    ("LSTM", {"units": 3, "return_sequences": True}),
    ("GRU", {"units": 3, "reset_after": False, "go_backwards": True}),
    ("Masking", {"mask_value": 1.0}),
    ("RepeatVector", {"n": 3}),
    ("Permute", {"dims": (2, 1)}),
]


@pytest.mark.parametrize("name,kw", CONFIGS, ids=lambda v: str(v))
def test_get_config_both_ways(keras, name, kw):
    m, k = getattr(ks.layers, name)(**kw), getattr(keras.layers, name)(**kw)
    mine, ref = normalize(m.get_config()), normalize(k.get_config())
    mine.pop("name"), ref.pop("name")
    assert mine == ref
    ref_full = normalize(k.get_config())
    assert normalize(type(m).from_config(ref_full).get_config()) == ref_full


def test_bidirectional_config(keras):
    k = keras.layers.Bidirectional(keras.layers.GRU(3, name="g"), name="bi")
    m = ks.layers.Bidirectional(ks.layers.GRU(3, name="g"), name="bi")
    assert normalize(m.get_config()) == normalize(k.get_config())


def test_stateful_lstm_carries_states(keras):
    shape = (2, 4, 3)
    m, k = _twin(keras, "LSTM", shape, units=3, stateful=True, return_sequences=True)
    r = np.random.default_rng(5)
    xs = [r.normal(size=shape).astype("float32") for _ in range(3)]
    for x in xs[:2]:
        _close(m(x), k(x))
    m.reset_states()
    k.reset_states()
    _close(m(xs[2]), k(xs[2]))


def _imdb_model(lib, seed_weights=None):
    L = lib.layers
    return lib.Sequential(
        [
            L.Input((10,), dtype="int32"),
            L.Embedding(30, 8, mask_zero=True),
            L.LSTM(6),
            L.Dense(1, activation="sigmoid"),
        ]
    )


def test_imdb_style_training_matches_keras(keras):
    r = np.random.default_rng(6)
    n = 48
    x = r.integers(1, 30, size=(n, 10)).astype("int32")
    lengths = r.integers(2, 11, size=n)
    for i, L in enumerate(lengths):
        x[i, : 10 - L] = 0  # pre-padding, as pad_sequences
    y = (x.sum(axis=1) % 2).astype("float32")
    k, m = _imdb_model(keras), _imdb_model(ks)
    k.set_weights(_rand_weights(k, scale=0.3))
    _copy_model(m, k)
    for model, lib in ((k, keras), (m, ks)):
        model.compile(optimizer=lib.optimizers.SGD(0.5), loss="binary_crossentropy")
    hk = k.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0).history["loss"]
    hm = m.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(hm, hk, rtol=1e-3)
    for a, b in zip(m.get_weights(), k.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-4)


@pytest.mark.parametrize("score_mode", ["dot", "concat"])
@pytest.mark.parametrize("use_scale", [False, True])
def test_attention(keras, score_mode, use_scale):
    r = np.random.default_rng(7)
    q = r.normal(size=(2, 3, 4)).astype("float32")
    v = r.normal(size=(2, 5, 4)).astype("float32")
    k_ = r.normal(size=(2, 5, 4)).astype("float32")
    kl = keras.layers.Attention(use_scale=use_scale, score_mode=score_mode)
    ml = ks.layers.Attention(use_scale=use_scale, score_mode=score_mode)
    kl.build([q.shape, v.shape])
    ml.build([q.shape, v.shape])
    if kl.weights:
        kl.set_weights([np.full(w.shape, 0.7, "float32") for w in kl.weights])
        ml.set_weights(kl.get_weights())
    _close(ml([q, v, k_]), kl([q, v, k_]))
    _close(ml([q, v], use_causal_mask=True), kl([q, v], use_causal_mask=True))
    qm = np.array([[1, 1, 0], [1, 0, 1]], bool)
    vm = np.array([[1, 1, 1, 0, 0], [0, 1, 1, 1, 1]], bool)
    _close(
        ml([q, v], mask=[qm, vm], return_attention_scores=True),
        kl([q, v], mask=[qm, vm], return_attention_scores=True),
    )


def test_multi_head_attention(keras):
    r = np.random.default_rng(8)
    q = r.normal(size=(2, 3, 6)).astype("float32")
    v = r.normal(size=(2, 4, 5)).astype("float32")
    kl = keras.layers.MultiHeadAttention(num_heads=2, key_dim=3, value_dim=4)
    ml = ks.layers.MultiHeadAttention(num_heads=2, key_dim=3, value_dim=4)
    kl(q, v)
    kl.set_weights(_rand_weights(kl))
    L = ks.layers

    def model(lib, layer, causal=False):
        Ll = lib.layers
        a, b = Ll.Input((3, 6)), Ll.Input((4, 5))
        return lib.Model([a, b], layer(a, b, use_causal_mask=causal))

    km, mm = model(keras, kl), model(ks, ml)
    assert [w.path for w in ml.weights] == [
        w.path.replace(kl.name, ml.name) for w in kl.weights
    ] or [tuple(w.shape) for w in ml.weights] == [tuple(w.shape) for w in kl.weights]
    ml.set_weights(kl.get_weights())
    _close(mm.predict([q, v], verbose=0), km.predict([q, v], verbose=0))
    assert L is not None


def test_mha_self_attention_causal(keras):
    r = np.random.default_rng(9)
    x = r.normal(size=(2, 4, 6)).astype("float32")

    def model(lib):
        Ll = lib.layers
        a = Ll.Input((4, 6))
        return lib.Model(a, Ll.MultiHeadAttention(3, 2)(a, a, use_causal_mask=True))

    km, mm = model(keras), model(ks)
    km.set_weights(_rand_weights(km))
    _copy_model(mm, km)
    _close(mm.predict(x, verbose=0), km.predict(x, verbose=0))


@pytest.mark.parametrize("name", ["SimpleRNN", "LSTM", "GRU"])
def test_dropout_and_recurrent_dropout_train(keras, name):
    """Random streams differ from Keras's, so: training runs (fused kernel with input
    dropout, unrolled graph with recurrent dropout), inference is unaffected."""
    r = np.random.default_rng(10)
    x = r.normal(size=(8, 5, 3)).astype("float32")
    y = r.normal(size=(8, 2)).astype("float32")
    for kw in ({"dropout": 0.3}, {"dropout": 0.3, "recurrent_dropout": 0.3}):
        L = ks.layers
        m = ks.Sequential([L.Input((5, 3)), getattr(L, name)(4, **kw), L.Dense(2)])
        ref = ks.Sequential([L.Input((5, 3)), getattr(L, name)(4), L.Dense(2)])
        ref.set_weights(m.get_weights())
        np.testing.assert_allclose(m.predict(x, verbose=0), ref.predict(x, verbose=0), atol=1e-6)
        m.compile(optimizer="sgd", loss="mse")
        h = m.fit(x, y, batch_size=4, epochs=2, verbose=0).history["loss"]
        assert np.all(np.isfinite(h))


def test_unrolled_graph_matches_fused_kernel(keras, monkeypatch):
    r = np.random.default_rng(11)
    x = r.normal(size=(3, 6, 4)).astype("float32")
    for name in ("LSTM", "GRU", "SimpleRNN"):
        m = getattr(ks.layers, name)(5, return_sequences=True)
        fused = np.asarray(m(x))
        monkeypatch.setenv("KERASETTE_RNN_UNROLLED", "1")
        m2 = getattr(ks.layers, name)(5, return_sequences=True)
        m2.build(x.shape)
        m2.set_weights(m.get_weights())
        np.testing.assert_allclose(np.asarray(m2(x)), fused, atol=1e-5)
        monkeypatch.delenv("KERASETTE_RNN_UNROLLED")
