"""Smoke test for an installed wheel (cibuildwheel's test-command runs it on every
platform, from a folder outside the source tree): the core loads, its kernels agree
with numpy on every ISA this CPU has, with several threads, and a model trains, saves
and loads. Exits non-zero on the first failure."""

import os
import sys
import tempfile

import numpy as np

import kerasette as keras
from kerasette import _core, config

assert "site-packages" in keras.__file__, f"not the installed wheel: {keras.__file__}"
features = config.cpu_features()
print(f"kerasette {keras.__version__} from {os.path.dirname(keras.__file__)}; cpu {features}")

rng = np.random.default_rng(0)
x = rng.normal(size=(512, 96)).astype("float32")
y = (x[:, :3].sum(axis=1) > 0).astype("int64")


def check_predict():
    """A fresh MLP's predict against the same forward pass in numpy."""
    model = keras.Sequential(
        [
            keras.Input((96,)),
            keras.layers.Dense(130, activation="relu"),
            keras.layers.Dense(2, activation="softmax"),
        ]
    )
    w1, b1, w2, b2 = model.get_weights()
    logits = np.maximum(x @ w1 + b1, 0.0) @ w2 + b2
    expected = np.exp(logits - logits.max(axis=1, keepdims=True))
    expected /= expected.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-4, atol=1e-5)
    return model


config.set_num_threads(2)
for isa in features["supported_isas"]:
    _core.set_isa(isa)
    check_predict()
_core.set_isa(features["isa"])
model = check_predict()
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
history = model.fit(x, y, epochs=5, batch_size=32, verbose=0)
losses = history.history["loss"]
assert losses[-1] < losses[0], losses

with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "m.keras")
    model.save(path)
    restored = keras.models.load_model(path)
    np.testing.assert_array_equal(restored.predict(x, verbose=0), model.predict(x, verbose=0))

print(f"ok: loss {losses[0]:.4f} -> {losses[-1]:.4f}, isa {features.get('isa')}")
sys.exit(0)
