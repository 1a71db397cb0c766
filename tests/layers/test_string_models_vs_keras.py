"""Models with `keras.Input(dtype="string")` feeding TextVectorization, StringLookup and
Hashing inside the model, against real Keras from the same weights: `model(x)`, predict,
evaluate and fit on string arrays (str, object and bytes numpy arrays, lists of str),
summary and get_config, and `.keras` files both ways (adapted vocabularies as assets,
tf_idf weights in the weights file). Keras's fit/predict take strings as TensorFlow
tensors only (numpy string arrays raise "Invalid dtype"), so its side gets tf.constant."""

import numpy as np
import pytest

import kerasette as ks

from ._layer_helpers import normalize

pytestmark = pytest.mark.keras_ref

TEXTS = np.array(
    [
        "The cat sat on the mat.",
        "the dog ate my homework!",
        "A cat, a dog; and a BIRD?",
        "the the end",
        "dog dog cat",
        "unseen words only",
    ]
)
COLORS = np.array([["red"], ["green"], ["blue"], ["red"], ["mauve"], ["green"]])
CITIES = np.array([["paris"], ["oslo"], ["lima"], ["oslo"], ["rome"], ["paris"]])
NUMS = np.linspace(-1, 1, 12, dtype="float32").reshape(6, 2)
Y = np.array([0, 1, 1, 0, 1, 0], dtype="float32")


def _wide(lib):
    """Three string inputs (tf_idf text, one_hot lookup, one_hot hashing) and a
    numeric one, concatenated into a Dense."""
    tv = lib.layers.TextVectorization(max_tokens=12, output_mode="tf_idf", name="tv")
    tv.adapt(TEXTS[:5])
    sl = lib.layers.StringLookup(output_mode="one_hot", name="color_lookup")
    sl.adapt(COLORS[:4])
    hs = lib.layers.Hashing(num_bins=5, output_mode="one_hot", name="city_hash")
    text = lib.Input(shape=(), dtype="string", name="text")
    color = lib.Input(shape=(1,), dtype="string", name="color")
    city = lib.Input(shape=(1,), dtype="string", name="city")
    num = lib.Input(shape=(2,), name="num")
    x = lib.layers.Concatenate(name="concat")([tv(text), sl(color), hs(city), num])
    out = lib.layers.Dense(1, activation="sigmoid", name="out")(x)
    return lib.Model([text, color, city, num], out, name="wide")


def _sequence(lib):
    """TextVectorization(int, fixed length) -> Embedding -> pooling -> Dense."""
    tv = lib.layers.TextVectorization(max_tokens=15, output_sequence_length=5, name="tv")
    tv.adapt(TEXTS[:5])
    text = lib.Input(shape=(1,), dtype="string", name="text")
    x = lib.layers.Embedding(15, 4, name="emb")(tv(text))
    x = lib.layers.GlobalAveragePooling1D(name="pool")(x)
    out = lib.layers.Dense(1, activation="sigmoid", name="out")(x)
    return lib.Model(text, out, name="sequence")


def _lookup_int(lib):
    """StringLookup(int) -> Embedding -> pooling -> Dense: one string input."""
    sl = lib.layers.StringLookup(name="lookup")
    sl.adapt(COLORS)
    color = lib.Input(shape=(1,), dtype="string", name="color")
    x = lib.layers.Embedding(6, 3, name="emb")(sl(color))
    x = lib.layers.GlobalAveragePooling1D(name="pool")(x)
    return lib.Model(color, lib.layers.Dense(2, name="out")(x), name="lookup_int")


def _sequential(lib):
    """Keras's TextVectorization docstring model: a Sequential whose Input is a
    string, then the vectorizer, Embedding, pooling, Dense."""
    tv = lib.layers.TextVectorization(max_tokens=15, output_sequence_length=4, name="tv")
    tv.adapt(TEXTS[:5])
    return lib.Sequential(
        [
            lib.Input(shape=(1,), dtype="string", name="text"),
            tv,
            lib.layers.Embedding(15, 3, name="emb"),
            lib.layers.GlobalAveragePooling1D(name="pool"),
            lib.layers.Dense(1, activation="sigmoid", name="out"),
        ],
        name="seq",
    )


def _sequential_one_hot(lib):
    sl = lib.layers.StringLookup(output_mode="one_hot", name="lookup")
    sl.adapt(COLORS[:4])
    return lib.Sequential(
        [
            lib.Input(shape=(1,), dtype="string", name="color"),
            sl,
            lib.layers.Dense(1, activation="sigmoid", name="out"),
        ],
        name="seq_one_hot",
    )


def _crossed(lib):
    """HashedCrossing of two string inputs, and a TextVectorization with a given
    vocabulary and idf weights (config, not assets)."""
    cross = lib.layers.HashedCrossing(num_bins=7, output_mode="one_hot", name="cross")
    tv = lib.layers.TextVectorization(
        output_mode="tf_idf",
        vocabulary=["the", "cat", "dog", "a"],
        idf_weights=[0.5, 1.5, 1.2, 0.7],
        name="tv",
    )
    color = lib.Input(shape=(1,), dtype="string", name="color")
    city = lib.Input(shape=(1,), dtype="string", name="city")
    text = lib.Input(shape=(), dtype="string", name="text")
    x = lib.layers.Concatenate(name="concat")([cross([color, city]), tv(text)])
    return lib.Model([color, city, text], lib.layers.Dense(2, name="out")(x), name="crossed")


MODELS = {
    "crossed": _crossed,
    "wide": _wide,
    "sequence": _sequence,
    "lookup_int": _lookup_int,
    "sequential": _sequential,
    "sequential_one_hot": _sequential_one_hot,
}


def _x(what, form="str"):
    conv = {
        "str": lambda a: a,
        "object": lambda a: a.astype(object),
        "bytes": lambda a: np.char.encode(a, "utf-8"),
        "list": lambda a: a.tolist(),
    }[form]
    if what == "wide":
        return [conv(TEXTS), conv(COLORS), conv(CITIES), NUMS]
    if what == "crossed":
        return [conv(COLORS), conv(CITIES), conv(TEXTS)]
    if what in ("sequence", "sequential"):
        return conv(TEXTS[:, None])
    return conv(COLORS)


def _tf(x):
    import tensorflow as tf

    if isinstance(x, list):
        return [tf.constant(a) for a in x]
    return tf.constant(x)


def _pair(keras, what):
    mine, ref = MODELS[what](ks), MODELS[what](keras)
    ref.set_weights(mine.get_weights())
    return mine, ref


@pytest.mark.parametrize("what", sorted(MODELS))
@pytest.mark.parametrize("form", ["str", "object", "bytes", "list"])
def test_call_and_predict(keras, what, form):
    mine, ref = _pair(keras, what)
    want = np.asarray(ref(_x(what)))
    x = _x(what, form)
    np.testing.assert_allclose(np.asarray(mine(x)), want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(mine.predict(x, verbose=0), want, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(mine.predict(x, batch_size=4, verbose=0), want, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("what", ["wide", "sequence", "sequential", "sequential_one_hot"])
def test_fit_and_evaluate(keras, what):
    mine, ref = _pair(keras, what)
    for m in (mine, ref):
        m.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    got = mine.fit(_x(what, "object"), Y, batch_size=4, epochs=3, shuffle=False, verbose=0)
    want = ref.fit(_tf(_x(what)), Y, batch_size=4, epochs=3, shuffle=False, verbose=0)
    np.testing.assert_allclose(got.history["loss"], want.history["loss"], rtol=1e-4)
    np.testing.assert_allclose(got.history["accuracy"], want.history["accuracy"])
    np.testing.assert_allclose(
        mine.evaluate(_x(what), Y, verbose=0), ref.evaluate(_tf(_x(what)), Y, verbose=0), rtol=1e-4
    )
    for a, b in zip(mine.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("what", sorted(MODELS))
def test_summary_and_config(keras, what):
    mine, ref = _pair(keras, what)
    assert normalize(mine.get_config()) == normalize(ref.get_config())
    lines = []
    for m in (mine, ref):
        out = []
        m.summary(line_length=76, print_fn=lambda line, **kw: out.append(line))
        lines.append(out)
    assert lines[0] == lines[1]


@pytest.mark.parametrize("what", sorted(MODELS))
@pytest.mark.parametrize("direction", ["kerasette->keras", "keras->kerasette"])
def test_files_both_ways(keras, tmp_path, what, direction):
    src_lib, dst_lib = (ks, keras) if direction == "kerasette->keras" else (keras, ks)
    mine, ref = _pair(keras, what)
    src = mine if src_lib is ks else ref
    src.save(tmp_path / "m.keras")
    loaded = dst_lib.models.load_model(tmp_path / "m.keras")
    want = np.asarray(ref(_x(what)))
    np.testing.assert_allclose(np.asarray(loaded(_x(what))), want, rtol=1e-5, atol=1e-6)
    for layer in src.layers:
        if hasattr(layer, "get_vocabulary"):
            assert loaded.get_layer(layer.name).get_vocabulary() == layer.get_vocabulary()


def test_one_string_input_two_layers(keras):
    """One string input read by two front layers (a lookup and a hash of it)."""

    def build(lib):
        sl = lib.layers.StringLookup(vocabulary=["red", "green", "blue"], output_mode="one_hot")
        hs = lib.layers.Hashing(num_bins=3, output_mode="one_hot")
        color = lib.Input(shape=(1,), dtype="string", name="color")
        x = lib.layers.Concatenate()([sl(color), hs(color)])
        return lib.Model(color, lib.layers.Dense(2)(x))

    mine, ref = build(ks), build(keras)
    ref.set_weights(mine.get_weights())
    np.testing.assert_allclose(
        mine.predict(COLORS, verbose=0), np.asarray(ref(COLORS)), rtol=1e-5, atol=1e-6
    )


@pytest.mark.parametrize(
    "layer", [lambda: ks.layers.Dense(2), lambda: ks.layers.Lambda(lambda x: x)]
)
def test_string_input_into_a_numeric_layer_raises(layer):
    text = ks.Input(shape=(1,), dtype="string")
    with pytest.raises(ValueError, match="was called on a string input"):
        layer()(text)


def test_sequential_string_input_into_a_numeric_layer_raises():
    model = ks.Sequential([ks.Input((1,), dtype="string"), ks.layers.Dense(2)])
    with pytest.raises(ValueError, match="string"):
        model.predict(COLORS, verbose=0)


def test_input_dtype_string_spellings(keras):
    for dtype in ("string", str):
        assert ks.Input((1,), dtype=dtype).dtype == keras.Input((1,), dtype=dtype).dtype


@pytest.mark.parametrize("what", ["lookup_int", "wide", "sequential"])
def test_evaluate_loss_alone_is_a_scalar(keras, what):
    mine, ref = _pair(keras, what)
    y = np.zeros((6, 2), "float32") if what == "lookup_int" else Y
    for m in (mine, ref):
        m.compile(optimizer="sgd", loss="mse")
    got, want = mine.evaluate(_x(what), y, verbose=0), ref.evaluate(_tf(_x(what)), y, verbose=0)
    assert isinstance(got, float) and isinstance(want, float)
    np.testing.assert_allclose(got, want, rtol=1e-5)


@pytest.mark.parametrize("mode", ["int", "one_hot", "multi_hot"])
def test_sequential_built_from_string_data(keras, mode):
    """No Input: the first predict on strings builds the model with a string Input of
    the data's shape, as Keras builds it from a string tensor."""

    def build(lib):
        sl = lib.layers.StringLookup(
            vocabulary=["red", "green", "blue"], output_mode=mode, name="lookup"
        )
        return lib.Sequential([sl, lib.layers.Dense(2, name="out")], name="seq")

    mine, ref = build(ks), build(keras)
    mine.predict(COLORS, verbose=0)
    ref.predict(_tf(COLORS), verbose=0)
    ref.set_weights(mine.get_weights())
    np.testing.assert_allclose(
        mine.predict(COLORS, verbose=0), ref.predict(_tf(COLORS), verbose=0), rtol=1e-5
    )

    def unbatched(config):  # Keras records the first batch's size (6) where we say None
        config = normalize(config)
        config["build_input_shape"][0] = None
        for layer in config["layers"]:
            if "batch_shape" in layer["config"]:  # the InputLayer (its auto-name too)
                layer["config"]["batch_shape"][0] = None
                layer["config"].pop("name")
            if (layer.get("build_config") or {}).get("input_shape"):
                layer["build_config"]["input_shape"][0] = None
        return config

    assert unbatched(mine.get_config()) == unbatched(ref.get_config())
