"""A functional model with several inputs and one output (a Siamese network) logs
"loss" and "accuracy" as Keras does, without the output's name in front (Keras
prefixes per-output names only when there are several outputs); values from the same
weights match Keras."""

import numpy as np
import pytest

import kerasette as ks


@pytest.fixture
def keras():
    return pytest.importorskip("keras")


def _model(lib, outputs_as):
    a, b = lib.Input((3,)), lib.Input((3,))
    out = lib.layers.Dense(1, activation="sigmoid")(lib.layers.Concatenate()([a, b]))
    outputs = {"out": out} if outputs_as == "dict" else [out] if outputs_as == "list" else out
    model = lib.Model([a, b], outputs)
    model.compile(
        optimizer=lib.optimizers.SGD(0.1), loss="binary_crossentropy", metrics=["accuracy"]
    )
    return model


@pytest.mark.parametrize("outputs_as", ["tensor", "list", "dict"])
def test_two_inputs_one_output_logs_match_keras(keras, outputs_as):
    r = np.random.default_rng(0)
    x = [r.normal(size=(20, 3)).astype("float32") for _ in range(2)]
    y = (r.random((20, 1)) > 0.5).astype("float32")
    yy = {"out": y} if outputs_as == "dict" else y
    ref, mine = _model(keras, outputs_as), _model(ks, outputs_as)
    mine.set_weights(ref.get_weights())
    h_ref = ref.fit(
        x, yy, batch_size=8, epochs=2, shuffle=False, verbose=0, validation_data=(x, yy)
    ).history
    h_mine = mine.fit(
        x, yy, batch_size=8, epochs=2, shuffle=False, verbose=0, validation_data=(x, yy)
    ).history
    assert sorted(h_mine) == sorted(h_ref) == ["accuracy", "loss", "val_accuracy", "val_loss"]
    for k in h_ref:
        np.testing.assert_allclose(h_mine[k], h_ref[k], rtol=1e-4, atol=1e-6)
    d_ref = ref.evaluate(x, yy, verbose=0, return_dict=True)
    d_mine = mine.evaluate(x, yy, verbose=0, return_dict=True)
    assert sorted(d_mine) == sorted(d_ref)
    for k in d_ref:
        np.testing.assert_allclose(d_mine[k], d_ref[k], rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(
        mine.evaluate(x, yy, verbose=0), ref.evaluate(x, yy, verbose=0), rtol=1e-4, atol=1e-6
    )
