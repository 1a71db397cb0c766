"""TextVectorization in int mode without output_sequence_length pads each call to its
longest text, so the graph's input length comes from the data. Sequential and functional
models on a string Input, against real Keras 3.15 (TensorFlow backend): the ids, and a
TextVectorization -> Embedding -> LSTM -> Dense model from copied weights, in predict
and through a fit step with SGD."""

import numpy as np
import pytest

import kerasette as ks

pytestmark = pytest.mark.keras_ref

TEXTS = np.array(["the cat sat", "a dog", "the quick brown fox jumps", "a cat"])
LONGER = np.array([["the cat sat on the quick brown dog today"], ["a"]])
Y = np.array([0.0, 1.0, 0.0, 1.0], np.float32)


def _vectorizer(L):
    tv = L.layers.TextVectorization(max_tokens=30)
    tv.adapt(TEXTS)
    return tv


def _classifier(L, functional):
    tv = _vectorizer(L)
    layers = [
        L.layers.Embedding(30, 6),
        L.layers.LSTM(5),
        L.layers.Dense(1, activation="sigmoid"),
    ]
    if not functional:
        return L.Sequential([L.Input((1,), dtype="string"), tv, *layers])
    inp = L.Input((1,), dtype="string")
    x = tv(inp)
    for layer in layers:
        x = layer(x)
    return L.Model(inp, x)


def _tf(a):
    import tensorflow as tf

    return tf.constant(a)


def test_ids_padded_to_the_longest_text(keras):
    ours = ks.Sequential([ks.Input((1,), dtype="string"), _vectorizer(ks)])
    theirs = keras.Sequential([keras.Input((1,), dtype="string"), _vectorizer(keras)])
    for x in (TEXTS.reshape(-1, 1), LONGER):
        want = theirs.predict(_tf(x), verbose=0)
        got = ours.predict(x, verbose=0)
        assert got.shape == want.shape
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("functional", [False, True])
def test_lstm_on_data_length_matches_keras(keras, functional):
    ours, theirs = _classifier(ks, functional), _classifier(keras, functional)
    x = TEXTS.reshape(-1, 1)
    ours.predict(x, verbose=0)
    theirs.predict(_tf(x), verbose=0)
    theirs.set_weights(ours.get_weights())
    for batch in (x, LONGER):
        np.testing.assert_allclose(
            ours.predict(batch, verbose=0), theirs.predict(_tf(batch), verbose=0), atol=1e-5
        )
    for m in (ours, theirs):
        m.compile(loss="binary_crossentropy", optimizer="sgd")
    h_ours = ours.fit(x, Y, epochs=2, batch_size=4, shuffle=False, verbose=0)
    h_theirs = theirs.fit(_tf(x), Y, epochs=2, batch_size=4, shuffle=False, verbose=0)
    np.testing.assert_allclose(h_ours.history["loss"], h_theirs.history["loss"], rtol=1e-5)
    np.testing.assert_allclose(
        ours.predict(LONGER, verbose=0), theirs.predict(_tf(LONGER), verbose=0), atol=1e-5
    )
