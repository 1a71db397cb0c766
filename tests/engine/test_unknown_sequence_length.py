"""A model whose Input leaves a size unknown after the batch (`Input(shape=(None,))`,
keras-io's text models) trains, evaluates and predicts on data of any length, as in
Keras: the compiled programs are made for the length of the data at hand. Against real
Keras from the same weights."""

import numpy as np
import pytest

import kerasette as ks


def _model(lib, sequential=False):
    layers = [
        lib.layers.Embedding(50, 6),
        lib.layers.Bidirectional(lib.layers.LSTM(4, return_sequences=True)),
        lib.layers.LSTM(3),
        lib.layers.Dense(1, activation="sigmoid"),
    ]
    if sequential:
        model = lib.Sequential([lib.Input((None,), dtype="int32")] + layers)
    else:
        inp = lib.Input(shape=(None,), dtype="int32")
        x = inp
        for layer in layers:
            x = layer(x)
        model = lib.Model(inp, x)
    model.compile(
        optimizer=lib.optimizers.SGD(0.1), loss="binary_crossentropy", metrics=["accuracy"]
    )
    return model


def _data(n, steps, seed):
    r = np.random.default_rng(seed)
    return r.integers(0, 50, size=(n, steps)).astype("int32"), r.integers(0, 2, size=(n,)).astype(
        "float32"
    )


@pytest.fixture
def keras():
    return pytest.importorskip("keras")


@pytest.mark.parametrize("sequential", [False, True])
def test_fit_evaluate_predict_on_any_length_match_keras(keras, sequential):
    ref, mine = _model(keras, sequential), _model(ks, sequential)
    mine.set_weights(ref.get_weights())
    x, y = _data(40, 12, 0)
    xv, yv = _data(10, 7, 1)  # validation data of another length
    h_ref = ref.fit(
        x, y, batch_size=16, epochs=2, shuffle=False, verbose=0, validation_data=(xv, yv)
    ).history
    h_mine = mine.fit(
        x, y, batch_size=16, epochs=2, shuffle=False, verbose=0, validation_data=(xv, yv)
    ).history
    for key in ("loss", "val_loss", "accuracy", "val_accuracy"):
        np.testing.assert_allclose(h_mine[key], h_ref[key], rtol=1e-4, atol=1e-5)
    for a, b in zip(mine.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    x3, y3 = _data(9, 3, 2)
    np.testing.assert_allclose(
        mine.evaluate(x3, y3, verbose=0), ref.evaluate(x3, y3, verbose=0), rtol=1e-4, atol=1e-5
    )
    for steps in (5, 20):
        xs, _ = _data(6, steps, steps)
        np.testing.assert_allclose(
            mine.predict(xs, verbose=0), ref.predict(xs, verbose=0), rtol=1e-4, atol=1e-5
        )


def test_a_known_size_still_must_match():
    model = ks.Sequential([ks.Input((None, 3)), ks.layers.LSTM(2)])
    model.predict(np.zeros((2, 5, 3), "float32"), verbose=0)
    with pytest.raises(ValueError, match="incompatible"):
        model.predict(np.zeros((2, 5, 4), "float32"), verbose=0)


def _multi_input_model(lib):
    """keras.io's functional-API guide: two variable-length texts and a fixed vector in,
    two named outputs (a dict) out."""
    title = lib.Input(shape=(None,), name="title")
    body = lib.Input(shape=(None,), name="body")
    tags = lib.Input(shape=(5,), name="tags")
    t = lib.layers.LSTM(4)(lib.layers.Embedding(30, 3)(title))
    b = lib.layers.LSTM(2)(lib.layers.Embedding(30, 3)(body))
    x = lib.layers.concatenate([t, b, tags])
    outputs = {
        "priority": lib.layers.Dense(1, name="priority")(x),
        "department": lib.layers.Dense(3, name="department")(x),
    }
    model = lib.Model([title, body, tags], outputs)
    model.compile(
        optimizer=lib.optimizers.SGD(0.1),
        loss={
            "priority": lib.losses.BinaryCrossentropy(from_logits=True),
            "department": lib.losses.CategoricalCrossentropy(from_logits=True),
        },
        loss_weights={"priority": 1.0, "department": 0.2},
    )
    return model


def test_several_inputs_of_unknown_length_match_keras(keras):
    r = np.random.default_rng(3)
    x = {
        "title": r.integers(30, size=(24, 6)),
        "body": r.integers(30, size=(24, 9)),
        "tags": r.integers(2, size=(24, 5)).astype("float32"),
    }
    y = {"priority": r.random((24, 1)), "department": np.eye(3)[r.integers(3, size=24)]}
    ref, mine = _multi_input_model(keras), _multi_input_model(ks)
    mine.set_weights(ref.get_weights())
    # whole batches: with a partial last one, the per-output losses are averaged
    # differently from Keras's (any input shape; the total loss agrees)
    h_ref = ref.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history
    h_mine = mine.fit(x, y, batch_size=8, epochs=2, shuffle=False, verbose=0).history
    assert sorted(h_mine) == sorted(h_ref)
    for key in h_ref:
        np.testing.assert_allclose(h_mine[key], h_ref[key], rtol=1e-4, atol=1e-5)
    short = [x["title"][:4, :2], x["body"][:4, :11], x["tags"][:4]]
    p_ref, p_mine = ref.predict(short, verbose=0), mine.predict(short, verbose=0)
    for key in p_ref:
        np.testing.assert_allclose(p_mine[key], p_ref[key], rtol=1e-4, atol=1e-5)
