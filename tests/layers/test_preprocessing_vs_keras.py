"""Text and tabular preprocessing layers against real Keras: same vocabularies (order
included) from the same adapt data, same ids, hash bins, tf_idf weights and encodings,
same get_config; standalone, in Dataset.map, and as a model's first layer; a small text
classifier trained in both from copied weights gives the same loss history."""

import numpy as np
import pytest

import kerasette as ks

from ._layer_helpers import normalize

pytestmark = pytest.mark.keras_ref

TEXTS = np.array(
    [
        "The cat sat on the mat.",
        "The dog ate my homework!",
        "A cat, a dog; and a BIRD?",
        "the the the end",
        "Ünïcode Straße ok",
        "dog dog cat",
    ]
)
QUERY = np.array(["the cat and the dog", "unknown words here", "", "bird bird ok"])


def _np(x):
    return np.asarray(x)


def _config_equal(mine, ref, drop=("name",)):
    mc, rc = normalize(mine.get_config()), normalize(ref.get_config())
    for k in drop:
        mc.pop(k, None), rc.pop(k, None)
    assert mc == rc


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"output_sequence_length": 4},
        {"max_tokens": 6, "output_sequence_length": 7},
        {"ngrams": 2},
        {"output_mode": "multi_hot"},
        {"output_mode": "count", "ngrams": (1, 3)},
        {"output_mode": "tf_idf"},
        {"output_mode": "tf_idf", "max_tokens": 8, "pad_to_max_tokens": True},
        {"standardize": "lower", "split": "character", "output_sequence_length": 10},
        {"standardize": None, "output_mode": "multi_hot"},
        {"standardize": "strip_punctuation", "output_sequence_length": 6},
    ],
)
def test_text_vectorization_adapt(keras, kwargs):
    mine, ref = ks.layers.TextVectorization(**kwargs), keras.layers.TextVectorization(**kwargs)
    mine.adapt(TEXTS)
    ref.adapt(TEXTS)
    assert mine.get_vocabulary() == ref.get_vocabulary()
    np.testing.assert_allclose(_np(mine(QUERY)), _np(ref(QUERY)), rtol=1e-6)
    np.testing.assert_allclose(_np(mine(TEXTS)), _np(ref(TEXTS)), rtol=1e-6)
    _config_equal(mine, ref)


def test_text_vectorization_given_vocabulary_and_idf(keras):
    vocab = ["cat", "dog", "the", "bird"]
    idf = [0.5, 1.0, 0.1, 2.0]
    for kwargs in (
        {"vocabulary": vocab, "output_sequence_length": 5},
        {"vocabulary": vocab, "output_mode": "tf_idf", "idf_weights": idf},
        {"vocabulary": vocab, "output_mode": "count"},
    ):
        mine = ks.layers.TextVectorization(**kwargs)
        ref = keras.layers.TextVectorization(**kwargs)
        assert mine.get_vocabulary() == ref.get_vocabulary()
        np.testing.assert_allclose(_np(mine(QUERY)), _np(ref(QUERY)), rtol=1e-6)
        _config_equal(mine, ref)
        again = ks.layers.TextVectorization.from_config(mine.get_config())
        np.testing.assert_allclose(_np(again(QUERY)), _np(mine(QUERY)))


def test_text_vectorization_adapt_batches(keras):
    """adapt on an iterable of batches (Keras counts each batch row as a document)."""
    batches = [TEXTS[:3], TEXTS[3:]]
    mine = ks.layers.TextVectorization(output_mode="tf_idf")
    ref = keras.layers.TextVectorization(output_mode="tf_idf")
    mine.adapt(ks.data.Dataset.from_tensor_slices(TEXTS).batch(3))
    import tensorflow as tf

    ref.adapt(tf.data.Dataset.from_tensor_slices(TEXTS).batch(3))
    assert mine.get_vocabulary() == ref.get_vocabulary()
    np.testing.assert_allclose(_np(mine(QUERY)), _np(ref(QUERY)), rtol=1e-6)
    del batches


TOKENS = np.array([["a", "b", "c"], ["b", "b", "d"], ["e", "a", "b"], ["zz", "d", "c"]])
STR_QUERY = np.array([["a", "x", "c"], ["d", "b", "q"]])


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"num_oov_indices": 3},
        {"mask_token": "zz"},
        {"max_tokens": 4},
        {"output_mode": "one_hot"},
        {"output_mode": "multi_hot"},
        {"output_mode": "count"},
        {"output_mode": "tf_idf"},
        {"output_mode": "multi_hot", "mask_token": "zz"},
        {"num_oov_indices": 0, "output_mode": "count"},
    ],
)
def test_string_lookup(keras, kwargs):
    mine, ref = ks.layers.StringLookup(**kwargs), keras.layers.StringLookup(**kwargs)
    mine.adapt(TOKENS)
    ref.adapt(TOKENS)
    assert mine.get_vocabulary() == ref.get_vocabulary()
    query = STR_QUERY if kwargs.get("num_oov_indices", 1) else np.array([["a", "b"]])
    if kwargs.get("output_mode") == "one_hot":
        query = query[:, :1]
    np.testing.assert_allclose(_np(mine(query)), _np(ref(query)), rtol=1e-6)
    _config_equal(mine, ref)


def test_string_lookup_invert_and_salt(keras):
    vocab = ["a", "b", "c"]
    mine = ks.layers.StringLookup(vocabulary=vocab, invert=True)
    ref = keras.layers.StringLookup(vocabulary=vocab, invert=True)
    ids = np.array([[0, 1, 2, 3, 7]])
    assert [s for s in _np(mine(ids)).reshape(-1)] == [
        s.decode() for s in _np(ref(ids)).reshape(-1)
    ]
    mine = ks.layers.StringLookup(vocabulary=vocab, num_oov_indices=4, salt=[11, 22])
    ref = keras.layers.StringLookup(vocabulary=vocab, num_oov_indices=4, salt=[11, 22])
    q = np.array([["q", "w", "e", "r", "t", "a", "yy", "uuuuuuuuuu"]])
    np.testing.assert_array_equal(_np(mine(q)), _np(ref(q)))


INTS = np.array([[1, 2, 3], [2, 2, 40], [7, 1, 2], [99, 40, 3]])
INT_QUERY = np.array([[1, 5, 3], [40, 2, 123456]])


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"num_oov_indices": 3},
        {"mask_token": 0},
        {"max_tokens": 4},
        {"output_mode": "multi_hot"},
        {"output_mode": "count"},
        {"output_mode": "tf_idf"},
        {"oov_token": -7},
    ],
)
def test_integer_lookup(keras, kwargs):
    mine, ref = ks.layers.IntegerLookup(**kwargs), keras.layers.IntegerLookup(**kwargs)
    mine.adapt(INTS)
    ref.adapt(INTS)
    assert mine.get_vocabulary() == [int(v) for v in ref.get_vocabulary()]
    expected = _np(ref(INT_QUERY))
    np.testing.assert_allclose(_np(mine(INT_QUERY)), expected, rtol=1e-6)
    _config_equal(mine, ref)
    # inside a model: the lookup runs in ops on the raw integers
    model = ks.Sequential([ks.layers.Input((3,)), mine])
    np.testing.assert_allclose(
        model.predict(INT_QUERY.astype("float32"), verbose=0), expected, rtol=1e-6
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"num_bins": 7},
        {"num_bins": 7, "mask_value": "b"},
        {"num_bins": 5, "salt": 133},
        {"num_bins": 5, "salt": [1, 2]},
        {"num_bins": 9, "output_mode": "multi_hot"},
        {"num_bins": 9, "output_mode": "count"},
        {"num_bins": 4, "output_mode": "one_hot"},
    ],
)
def test_hashing_strings(keras, kwargs):
    data = np.array(
        [
            ["a"],
            ["b"],
            ["hello world"],
            ["a much longer string than sixteen!"],
            [""],
            ["Straße"],
            ["0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz"],
        ]
    )
    mine, ref = ks.layers.Hashing(**kwargs), keras.layers.Hashing(**kwargs)
    np.testing.assert_array_equal(_np(mine(data)), _np(ref(data)))
    _config_equal(mine, ref)


@pytest.mark.parametrize(
    "kwargs", [{"num_bins": 11}, {"num_bins": 11, "mask_value": 0}, {"num_bins": 3, "salt": 7}]
)
def test_hashing_integers(keras, kwargs):
    data = np.array([[0], [1], [-5], [123456789012], [42]])
    mine, ref = ks.layers.Hashing(**kwargs), keras.layers.Hashing(**kwargs)
    np.testing.assert_array_equal(_np(mine(data)), _np(ref(data)))


@pytest.mark.parametrize("kwargs", [{"num_bins": 13}, {"num_bins": 5, "output_mode": "one_hot"}])
def test_hashed_crossing(keras, kwargs):
    a = np.array(["A", "B", "A", "C"])
    b = np.array([101, 3, 3, 7])
    c = np.array(["x", "y", "z", "x"])
    mine, ref = ks.layers.HashedCrossing(**kwargs), keras.layers.HashedCrossing(**kwargs)
    np.testing.assert_array_equal(_np(mine((a, b))), _np(ref((a, b))))
    np.testing.assert_array_equal(_np(mine((a, b, c))), _np(ref((a, b, c))))
    _config_equal(mine, ref)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"num_bins": 4},
        {"num_bins": 5, "epsilon": 0.001},
        {"num_bins": 3, "output_mode": "one_hot"},
        {"num_bins": 4, "output_mode": "multi_hot"},
        {"num_bins": 4, "output_mode": "count"},
        {"bin_boundaries": [-1.0, 0.0, 0.5]},
    ],
)
def test_discretization(keras, kwargs):
    rng = np.random.default_rng(0)
    adapt = rng.normal(size=(500, 1)).astype("float32")
    query = rng.normal(size=(6, 1)).astype("float32") * 1.5
    mine, ref = ks.layers.Discretization(**kwargs), keras.layers.Discretization(**kwargs)
    if "num_bins" in kwargs:
        mine.adapt(adapt)
        ref.adapt(adapt)
        np.testing.assert_allclose(mine.bin_boundaries, ref.bin_boundaries, rtol=1e-6)
    expected = _np(ref(query))
    np.testing.assert_allclose(_np(mine(query)), expected)
    _config_equal(mine, ref)
    if kwargs.get("output_mode", "int") in ("int", "one_hot"):
        model = ks.Sequential([ks.layers.Input((1,)), mine])
        np.testing.assert_allclose(
            model.predict(query, verbose=0).reshape(expected.shape), expected
        )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"num_tokens": 5},
        {"num_tokens": 5, "output_mode": "count"},
        {"num_tokens": 6, "output_mode": "one_hot"},
    ],
)
def test_category_encoding(keras, kwargs):
    data = (
        np.array([[0, 1, 1], [4, 4, 2], [3, 0, 0]])
        if kwargs.get("output_mode") != "one_hot"
        else np.array([[0], [5], [3]])
    )
    mine, ref = ks.layers.CategoryEncoding(**kwargs), keras.layers.CategoryEncoding(**kwargs)
    expected = _np(ref(data))
    np.testing.assert_allclose(_np(mine(data)), expected)
    model = ks.Sequential([ks.layers.Input((data.shape[1],)), mine])
    np.testing.assert_allclose(model.predict(data.astype("float32"), verbose=0), expected)
    _config_equal(mine, ref)
    if kwargs.get("output_mode") == "count":
        w = np.array([[0.5, 1.0, 2.0], [1.0, 1.0, 1.0], [3.0, 0.1, 0.2]], "float32")
        np.testing.assert_allclose(
            _np(mine(data, count_weights=w)), _np(ref(data, count_weights=w)), rtol=1e-6
        )


def test_dataset_map_and_dict_first_layer(keras):
    """Standalone in Dataset.map; as a model's first layer fed through `preprocess`
    (the data adapter sends a dict through the first layer's preprocess)."""
    tv = ks.layers.TextVectorization(output_mode="multi_hot")
    tv.adapt(TEXTS)
    ref = keras.layers.TextVectorization(output_mode="multi_hot")
    ref.adapt(TEXTS)
    y = np.arange(len(TEXTS), dtype="float32") % 2
    ds = ks.data.Dataset.from_tensor_slices((TEXTS, y)).batch(2).map(lambda x, t: (tv(x), t))
    got = np.concatenate([np.asarray(x) for x, _ in ds])
    np.testing.assert_allclose(got, _np(ref(TEXTS)))
    model = ks.Sequential([tv, ks.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy")
    model.fit({"text": TEXTS}, y, epochs=2, verbose=0)
    assert model.predict({"text": QUERY}, verbose=0).shape == (len(QUERY), 1)


def test_text_classifier_same_loss_history(keras):
    """TextVectorization(multi_hot) -> Dense(8, relu) -> Dense(1, sigmoid), trained in
    both from copied weights on the vectorized text: same losses per epoch."""
    rng = np.random.default_rng(3)
    words = ["good", "bad", "great", "awful", "fine", "meh", "love", "hate", "ok", "wow"]
    texts = np.array([" ".join(rng.choice(words, 6)) for _ in range(64)])
    y = np.array([float(("good" in t) or ("love" in t)) for t in texts], "float32")
    mine = ks.layers.TextVectorization(output_mode="multi_hot")
    ref = keras.layers.TextVectorization(output_mode="multi_hot")
    mine.adapt(texts)
    ref.adapt(texts)
    xm, xr = _np(mine(texts)), _np(ref(texts))
    np.testing.assert_allclose(xm, xr)
    width = xr.shape[1]
    k_model = keras.Sequential(
        [
            keras.Input((width,)),
            keras.layers.Dense(8, activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    m_model = ks.Sequential(
        [
            ks.layers.Input((width,)),
            ks.layers.Dense(8, activation="relu"),
            ks.layers.Dense(1, activation="sigmoid"),
        ]
    )
    m_model.set_weights(k_model.get_weights())
    k_model.compile(keras.optimizers.SGD(0.1), "binary_crossentropy")
    m_model.compile(ks.optimizers.SGD(0.1), "binary_crossentropy")
    kh = k_model.fit(xr, y, epochs=4, batch_size=16, shuffle=False, verbose=0).history["loss"]
    mh = m_model.fit(xm, y, epochs=4, batch_size=16, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(mh, kh, rtol=1e-4)


def test_embedding_classifier_on_int_ids(keras):
    """TextVectorization(int) -> Embedding -> mean over time (ops) -> Dense, both sides
    from copied weights."""
    mine = ks.layers.TextVectorization(output_sequence_length=6)
    ref = keras.layers.TextVectorization(output_sequence_length=6)
    mine.adapt(TEXTS)
    ref.adapt(TEXTS)
    xm, xr = _np(mine(TEXTS)), _np(ref(TEXTS))
    np.testing.assert_array_equal(xm, xr)
    y = np.array([0, 1, 0, 1, 1, 0], "float32")
    vocab = mine.vocabulary_size()

    def build(lib):
        inp = lib.Input((6,))
        h = lib.layers.Embedding(vocab, 4)(inp)
        h = lib.layers.Lambda(lambda t: lib.ops.mean(t, axis=1))(h)
        out = lib.layers.Dense(1, activation="sigmoid")(h)
        return lib.Model(inp, out)

    k_model, m_model = build(keras), build(ks)
    m_model.set_weights(k_model.get_weights())
    k_model.compile(keras.optimizers.SGD(0.5), "binary_crossentropy")
    m_model.compile(ks.optimizers.SGD(0.5), "binary_crossentropy")
    kh = k_model.fit(
        xr.astype("float32"), y, epochs=3, batch_size=3, shuffle=False, verbose=0
    ).history["loss"]
    mh = m_model.fit(
        xm.astype("float32"), y, epochs=3, batch_size=3, shuffle=False, verbose=0
    ).history["loss"]
    np.testing.assert_allclose(mh, kh, rtol=1e-4)


def test_pad_sequences_and_preprocessing_alias(keras):
    seqs = [[1, 2, 3], [4], [], [5, 6, 7, 8, 9]]
    for kw in (
        {},
        {"maxlen": 3},
        {"padding": "post", "truncating": "post", "maxlen": 4},
        {"value": -1, "dtype": "float32"},
    ):
        np.testing.assert_array_equal(
            ks.utils.pad_sequences(seqs, **kw), keras.utils.pad_sequences(seqs, **kw)
        )
    from kerasette.preprocessing import sequence

    assert sequence.pad_sequences is ks.utils.pad_sequences


def test_text_dataset_from_directory(keras, tmp_path):
    for cls, docs in {
        "neg": ["bad movie", "awful", "boring plot"],
        "pos": ["great film", "loved it", "superb", "fine"],
    }.items():
        (tmp_path / cls).mkdir()
        for i, d in enumerate(docs):
            (tmp_path / cls / f"{i}.txt").write_text(d)
        (tmp_path / cls / "skip.md").write_text("not text")
    for kw in (
        {"shuffle": False},
        {"seed": 5, "batch_size": 2},
        {"seed": 1, "validation_split": 0.3, "subset": "validation"},
        {"seed": 1, "label_mode": "categorical", "max_length": 4},
    ):
        mine = ks.utils.text_dataset_from_directory(str(tmp_path), verbose=False, **kw)
        ref = keras.utils.text_dataset_from_directory(str(tmp_path), verbose=False, **kw)
        assert mine.class_names == ref.class_names
        m = [(list(np.asarray(x)), np.asarray(y)) for x, y in mine]
        r = [([s.decode() for s in x.numpy()], y.numpy()) for x, y in ref]
        pairs = lambda batches: [
            (t, tuple(np.atleast_1d(l).tolist())) for x, y in batches for t, l in zip(x, y)
        ]
        if kw.get("shuffle") is False:  # Keras also tf.data-shuffles: order only unshuffled
            assert [a for a, _ in m] == [a for a, _ in r]
        assert sorted(pairs(m)) == sorted(pairs(r))
