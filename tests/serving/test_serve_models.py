"""Other models through the real server: inference-mode layers saved by kerasette, and
a .keras file written by real Keras, answered as Keras's own predict answers."""

import os

import httpx
import numpy as np
import pytest
from serving_helpers import Server

import kerasette


def predict_over_http(server, x):
    r = httpx.post(
        f"{server.url}/v1/models/{server.name}:predict", json={"instances": x.tolist()}, timeout=30
    )
    assert r.status_code == 200, r.text
    return np.array(r.json()["predictions"])


def test_batchnorm_dropout_layernorm_model_serves_in_inference_mode(tmp_path):
    kerasette.utils.set_random_seed(5)
    layers = kerasette.layers
    model = kerasette.Sequential(
        [
            layers.Input(shape=(6,)),
            layers.Dense(12, activation="tanh"),
            layers.BatchNormalization(),
            layers.Dropout(0.5),
            layers.Dense(7, activation="relu"),
            layers.LayerNormalization(),
            layers.Dense(2),
        ]
    )
    model.compile(optimizer="adam", loss="mse")
    rng = np.random.default_rng(1)
    x_train = rng.standard_normal((64, 6)).astype(np.float32)
    model.fit(x_train, rng.standard_normal((64, 2)).astype(np.float32), epochs=2, verbose=0)
    path = str(tmp_path / "norm.keras")
    model.save(path)
    server = Server(path, "norm", log_dir=str(tmp_path))
    try:
        x = rng.standard_normal((9, 6)).astype(np.float32)
        got = predict_over_http(server, x)
        again = predict_over_http(server, x)  # Dropout is off: deterministic
    finally:
        server.stop()
    np.testing.assert_allclose(got, model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(got, again)


@pytest.mark.keras_ref
def test_a_keras_written_file_is_served_like_keras_predicts(tmp_path):
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    keras = pytest.importorskip("keras")
    keras.utils.set_random_seed(3)
    model = keras.Sequential(
        [
            keras.Input(shape=(20,)),
            keras.layers.Dense(32, activation="relu"),
            keras.layers.Dense(5, activation="softmax"),
        ]
    )
    path = str(tmp_path / "from_keras.keras")
    model.save(path)
    server = Server(path, "from_keras", log_dir=str(tmp_path))
    try:
        x = np.random.default_rng(2).standard_normal((6, 20)).astype(np.float32)
        got = predict_over_http(server, x)
    finally:
        server.stop()
    np.testing.assert_allclose(got, model.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
