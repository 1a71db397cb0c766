"""`ops.zeros/ones/full((ops.shape(x)[0], n))` inside a layer's call (keras.io's
functional-API guide: a hand-written RNN whose state starts at zeros of the batch
size): the batch is unknown while the call is traced and comes from the layer's input
at run time. Against Keras from the same weights: eager calls of two batch sizes, a
functional model's predict with a partial last batch, and fit."""

import numpy as np
import pytest

import kerasette as ks

UNITS = 4


def _rnn_layer(lib, fill="zeros"):
    class HandRNN(lib.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.p1 = lib.layers.Dense(UNITS, activation="tanh")
            self.p2 = lib.layers.Dense(UNITS, activation="tanh")

        def call(self, inputs):
            shape = (lib.ops.shape(inputs)[0], UNITS)
            state = (
                lib.ops.zeros(shape)
                if fill == "zeros"
                else lib.ops.ones(shape)
                if fill == "ones"
                else lib.ops.full(shape, 0.5)
            )
            outs = []
            for t in range(inputs.shape[1]):
                state = self.p1(inputs[:, t, :]) + self.p2(state)
                outs.append(state)
            return lib.ops.stack(outs, axis=1)

    return HandRNN()


def _model(lib, fill):
    inp = lib.Input((3, 5))
    out = lib.layers.Dense(1)(lib.layers.Flatten()(_rnn_layer(lib, fill)(inp)))
    model = lib.Model(inp, out)
    model.compile(optimizer=lib.optimizers.SGD(0.05), loss="mse")
    return model


@pytest.mark.parametrize("fill", ["zeros", "ones", "full"])
def test_eager_layer_calls_match_keras(keras, fill):
    ref, mine = _rnn_layer(keras, fill), _rnn_layer(ks, fill)
    x = np.random.default_rng(0).normal(size=(2, 3, 5)).astype("float32")
    ref(x)
    mine(x)
    for a, b in ((mine.p1, ref.p1), (mine.p2, ref.p2)):
        a.set_weights(b.get_weights())
    for n in (1, 2):
        np.testing.assert_allclose(
            np.asarray(mine(x[:n])), np.asarray(ref(x[:n])), rtol=1e-5, atol=1e-6
        )


@pytest.mark.parametrize("fill", ["zeros", "full"])
def test_fit_and_predict_with_a_partial_batch_match_keras(keras, fill):
    r = np.random.default_rng(1)
    x = r.normal(size=(37, 3, 5)).astype("float32")
    y = r.normal(size=(37, 1)).astype("float32")
    ref, mine = _model(keras, fill), _model(ks, fill)
    mine.set_weights(ref.get_weights())
    np.testing.assert_allclose(
        mine.predict(x, batch_size=16, verbose=0),
        ref.predict(x, batch_size=16, verbose=0),
        rtol=1e-5,
        atol=1e-6,
    )
    h_ref = ref.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0).history
    h_mine = mine.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0).history
    np.testing.assert_allclose(h_mine["loss"], h_ref["loss"], rtol=1e-4)
    for a, b in zip(mine.get_weights(), ref.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_an_unknown_size_outside_a_traced_call_raises():
    with pytest.raises(ValueError, match="all its sizes known"):
        ks.ops.zeros((None, 3))
