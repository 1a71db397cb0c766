"""A model compiled without a loss trains on its `add_loss` terms alone (Keras 3's
rule): same loss values and weights as Keras from the same weights; with no term at
all, fit and evaluate raise Keras's "No loss to compute"; predict still works."""

import numpy as np
import pytest

import kerasette

pytestmark = pytest.mark.keras_ref
keras = pytest.importorskip("keras")


def _activity_model(lib):
    class ActivityLoss(lib.layers.Layer):
        def call(self, inputs):
            self.add_loss(0.1 * lib.ops.sum(lib.ops.square(inputs)))
            return inputs

    inputs = lib.Input(shape=(3,))
    outputs = ActivityLoss()(lib.layers.Dense(4, name="d")(inputs))
    return lib.Model(inputs, outputs)


def _endpoint_model(lib):
    class LogisticEndpoint(lib.layers.Layer):
        def __init__(self, name=None):
            super().__init__(name=name)
            self.loss_fn = lib.losses.BinaryCrossentropy(from_logits=True)

        def call(self, targets, logits):
            self.add_loss(self.loss_fn(targets, logits))
            return lib.ops.softmax(logits)

    inputs = lib.Input(shape=(3,), name="inputs")
    targets = lib.Input(shape=(5,), name="targets")
    logits = lib.layers.Dense(5, name="d")(inputs)
    predictions = LogisticEndpoint(name="predictions")(targets, logits)
    return lib.Model(inputs=[inputs, targets], outputs=predictions)


def _pair(builder):
    ref, mine = builder(keras), builder(kerasette)
    mine.set_weights(ref.get_weights())
    for m, lib in ((ref, keras), (mine, kerasette)):
        m.compile(optimizer=lib.optimizers.SGD(0.1))  # no loss
    return ref, mine


def _close_weights(ref, mine):
    for a, b in zip(mine.get_weights(), ref.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_trains_on_added_loss_with_labels_ignored():
    ref, mine = _pair(_activity_model)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(8, 3)).astype("float32")
    y = rng.normal(size=(8, 4)).astype("float32")  # no loss reads them
    h_ref = ref.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0).history
    h_mine = mine.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0).history
    assert sorted(h_mine) == sorted(h_ref) == ["loss"]
    np.testing.assert_allclose(h_mine["loss"], h_ref["loss"], rtol=1e-4)
    _close_weights(ref, mine)
    np.testing.assert_allclose(
        mine.evaluate(x, y, verbose=0), ref.evaluate(x, y, verbose=0), rtol=1e-4
    )


def test_trains_on_added_loss_without_labels():
    ref, mine = _pair(_endpoint_model)
    rng = np.random.default_rng(1)
    data = {
        "inputs": rng.random((6, 3)).astype("float32"),
        "targets": rng.random((6, 5)).astype("float32"),
    }
    h_ref = ref.fit(data, batch_size=3, epochs=2, shuffle=False, verbose=0).history
    h_mine = mine.fit(data, batch_size=3, epochs=2, shuffle=False, verbose=0).history
    assert sorted(h_mine) == sorted(h_ref)
    np.testing.assert_allclose(h_mine["loss"], h_ref["loss"], rtol=1e-4)
    _close_weights(ref, mine)


def test_nothing_to_minimise_raises_like_keras():
    rng = np.random.default_rng(2)
    x, y = rng.random((4, 3)).astype("float32"), rng.random((4, 2)).astype("float32")
    for lib in (keras, kerasette):
        model = lib.Sequential([lib.Input((3,)), lib.layers.Dense(2)])
        model.compile(optimizer="sgd")
        assert model.predict(x, verbose=0).shape == (4, 2)
        with pytest.raises(ValueError, match="No loss to compute"):
            model.fit(x, y, verbose=0)
        with pytest.raises(ValueError, match="No loss to compute"):
            model.evaluate(x, y, verbose=0)
