"""Whole-model legacy .h5 files: Keras 3's legacy writer (real Keras) and the Keras 2
layout (written here with h5py exactly as tf.keras 2.x lays it out)."""

import json

import numpy as np
import pytest

import kerasette as ks
from tests.saving import models
from tests.saving.test_interop import assert_same_weights, float_input


def test_keras3_legacy_h5_loads_with_compile_state(tmp_path, keras):
    theirs = models.all_layers(keras)
    theirs.compile(
        optimizer=keras.optimizers.Adam(0.02),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    x = float_input(64)
    y = np.random.default_rng(0).integers(0, 3, 64)
    theirs.fit(x, y, epochs=2, batch_size=16, verbose=0)
    path = tmp_path / "legacy.h5"
    theirs.save(path)
    ours = ks.models.load_model(path)
    reference = keras.models.load_model(path)
    assert_same_weights(ours, reference)
    np.testing.assert_allclose(
        ours.predict(x, verbose=0), reference.predict(x, verbose=0), rtol=1e-5, atol=1e-5
    )
    uncompiled = ks.models.load_model(path, compile=False)
    assert uncompiled.optimizer is None
    assert type(ours.optimizer).__name__ == "Adam"
    assert ours.optimizer.get_config()["learning_rate"] == pytest.approx(0.02)
    ours_opt = [np.asarray(v.numpy()) for v in ours.optimizer.variables]
    theirs_opt = [np.asarray(v.numpy()) for v in theirs.optimizer.variables]
    assert len(ours_opt) == len(theirs_opt)
    for a, b in zip(ours_opt, theirs_opt):
        np.testing.assert_array_equal(a, b.astype(a.dtype))


def test_shared_legacy_sample_matches_its_keras_archive():
    a = ks.models.load_model("/work/shared/keras-samples/legacy.h5")
    b = ks.models.load_model("/work/shared/keras-samples/m.keras")
    assert_same_weights(a, b)
    for u, v in zip(a.optimizer.variables, b.optimizer.variables, strict=True):
        np.testing.assert_array_equal(u.numpy(), v.numpy())


def keras2_model_config():
    """tf.keras 2.13's Sequential config: no `module`, string dtypes, InputLayer with
    batch_input_shape, initializers without module."""

    def dense(name, units, activation):
        return {
            "class_name": "Dense",
            "config": {
                "name": name,
                "trainable": True,
                "dtype": "float32",
                "units": units,
                "activation": activation,
                "use_bias": True,
                "kernel_initializer": {"class_name": "GlorotUniform", "config": {"seed": None}},
                "bias_initializer": {"class_name": "Zeros", "config": {}},
                "kernel_regularizer": None,
                "bias_regularizer": None,
                "activity_regularizer": None,
                "kernel_constraint": None,
                "bias_constraint": None,
            },
        }

    return {
        "class_name": "Sequential",
        "config": {
            "name": "sequential",
            "layers": [
                {
                    "class_name": "InputLayer",
                    "config": {
                        "batch_input_shape": [None, 4],
                        "dtype": "float32",
                        "sparse": False,
                        "ragged": False,
                        "name": "dense_input",
                    },
                },
                dense("dense", 5, "relu"),
                dense("dense_1", 3, "softmax"),
            ],
        },
    }


def write_keras2_file(h5py, path, weights, opt_names=None, opt_values=None, weights_only=False):
    str_list = lambda xs: np.array([s.encode() for s in xs], dtype="S")  # noqa: E731
    with h5py.File(path, "w") as f:
        root = f if weights_only else f.create_group("model_weights")
        if not weights_only:
            f.attrs["keras_version"] = b"2.13.1"
            f.attrs["backend"] = b"tensorflow"
            f.attrs["model_config"] = json.dumps(keras2_model_config()).encode()
            f.attrs["training_config"] = json.dumps(
                {
                    "loss": "sparse_categorical_crossentropy",
                    "metrics": [["accuracy"]],
                    "weighted_metrics": None,
                    "loss_weights": None,
                    "optimizer_config": {
                        "class_name": "Adam",
                        "config": {
                            "name": "Adam",
                            "learning_rate": 0.005,
                            "decay": 0.0,
                            "beta_1": 0.9,
                            "beta_2": 0.999,
                            "epsilon": 1e-07,
                            "amsgrad": False,
                            "is_legacy_optimizer": False,
                            "jit_compile": True,
                        },
                    },
                }
            ).encode()
        root.attrs["layer_names"] = str_list(["dense", "dense_1"])
        root.attrs["backend"] = b"tensorflow"
        root.attrs["keras_version"] = b"2.13.1"
        for layer, (k, b) in zip(["dense", "dense_1"], weights, strict=True):
            g = root.create_group(layer)
            names = [f"{layer}/kernel:0", f"{layer}/bias:0"]
            g.attrs["weight_names"] = str_list(names)
            g.create_dataset(names[0], data=k)
            g.create_dataset(names[1], data=b)
        if opt_names:
            g = f.create_group("optimizer_weights")
            g.attrs["weight_names"] = str_list(opt_names)
            for n, v in zip(opt_names, opt_values):
                g.create_dataset(n, data=v)


def numpy_forward(weights, x):
    (k0, b0), (k1, b1) = weights
    h = np.maximum(x @ k0 + b0, 0)
    z = h @ k1 + b1
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def keras2_weights(seed=0):
    rng = np.random.default_rng(seed)
    return [
        (rng.normal(size=(4, 5)).astype("f4"), rng.normal(size=5).astype("f4")),
        (rng.normal(size=(5, 3)).astype("f4"), rng.normal(size=3).astype("f4")),
    ]


@pytest.mark.parametrize("opt_layout", ["interleaved", "grouped"])
def test_keras2_whole_model_h5(tmp_path, h5py, opt_layout):
    weights = keras2_weights()
    shapes = [w.shape for pair in weights for w in pair]
    rng = np.random.default_rng(1)
    m = [rng.normal(size=s).astype("f4") for s in shapes]
    v = [np.abs(rng.normal(size=s)).astype("f4") for s in shapes]
    if opt_layout == "interleaved":  # tf.keras >= 2.11: Adam/m/..., Adam/v/... per variable
        names = ["Adam/iter:0"] + [f"Adam/{s}/{i}:0" for i in range(4) for s in "mv"]
        values = [np.int64(7)] + [a for pair in zip(m, v) for a in pair]
    else:  # tf.keras < 2.11: all first moments, then all second moments
        names = ["Adam/iter:0"] + [f"Adam/{s}/{i}:0" for s in "mv" for i in range(4)]
        values = [np.int64(7)] + m + v
    path = tmp_path / "k2.h5"
    write_keras2_file(h5py, path, weights, names, values)
    model = ks.models.load_model(path)
    for got, want in zip(model.get_weights(), [w for pair in weights for w in pair], strict=True):
        np.testing.assert_array_equal(got, want)
    x = np.random.default_rng(2).normal(size=(8, 4)).astype("f4")
    np.testing.assert_allclose(
        model.predict(x, verbose=0), numpy_forward(weights, x), rtol=1e-5, atol=1e-6
    )
    assert model._metric_ids == ["accuracy"]
    opt = model.optimizer
    assert type(opt).__name__ == "Adam" and opt.get_config()["learning_rate"] == pytest.approx(
        0.005
    )
    arrays = [np.asarray(var.numpy()) for var in opt.variables]
    assert int(arrays[0]) == 7
    expected = [a for pair in zip(m, v) for a in pair]
    for got, want in zip(arrays[2:], expected):  # [iterations, learning_rate, m0, v0, ...]
        np.testing.assert_array_equal(got, want)


def test_keras2_weights_only_h5(tmp_path, h5py):
    weights = keras2_weights(3)
    path = tmp_path / "w.h5"
    write_keras2_file(h5py, path, weights, weights_only=True)
    model = models.mlp(ks, sizes=(4, 5, 3))
    model.load_weights(path)
    for got, want in zip(model.get_weights(), [w for pair in weights for w in pair], strict=True):
        np.testing.assert_array_equal(got, want)
    with pytest.raises(ValueError, match="load_weights"):
        ks.models.load_model(path)
    wrong = models.mlp(ks, sizes=(4, 6, 3))
    with pytest.raises(ValueError, match="Shape mismatch"):
        wrong.load_weights(path)


def test_real_keras2_file_with_every_layer():
    """A whole-model .h5 written by real Keras 2 (tf_keras 2.21; see
    data/make_keras2_h5.py): config quirks ("Custom>Adam", MeanMetricWrapper metrics,
    string dtypes, batch_input_shape), weights and Adam state all load."""
    import os

    here = os.path.join(os.path.dirname(__file__), "data")
    model = ks.models.load_model(os.path.join(here, "keras2_all_layers.h5"))
    ref = np.load(os.path.join(here, "keras2_all_layers_io.npz"))
    assert [l.name for l in model.layers] == [
        "norm",
        "d1",
        "bn",
        "act",
        "drop",
        "reshape",
        "ln",
        "flat",
        "out",
    ]
    np.testing.assert_allclose(model.predict(ref["x"], verbose=0), ref["y"], rtol=1e-5, atol=1e-6)
    assert type(model.optimizer).__name__ == "Adam"
    assert model.optimizer.get_config()["learning_rate"] == pytest.approx(0.01)
    assert model._metric_ids == ["sparse_categorical_accuracy"]
    saved = [ref[f"opt_{i}"] for i in range(len([k for k in ref.files if k.startswith("opt_")]))]
    ours = [np.asarray(v.numpy()) for v in model.optimizer.variables]
    assert int(ours[0]) == int(saved[0]) == 8  # 2 epochs x 4 batches
    # Keras 2 keeps no learning-rate variable: ours = [iterations, lr, m0, v0, ...]
    assert len(ours) == len(saved) + 1
    for got, want in zip(ours[2:], saved[1:]):
        np.testing.assert_array_equal(got, want)


def test_kerasette_legacy_h5_loads_in_keras_and_back(tmp_path, keras):
    ours = models.randomize(models.all_layers(ks, dropout=0.0))
    ours.compile(
        optimizer=ks.optimizers.Adam(0.02),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    x = float_input(64)
    y = np.random.default_rng(0).integers(0, 3, 64)
    ours.fit(x, y, epochs=2, batch_size=16, verbose=0)
    path = tmp_path / "ours.h5"
    with pytest.warns(UserWarning, match="legacy"):
        ours.save(path)
    theirs = keras.models.load_model(path)
    assert_same_weights(ours, theirs)
    np.testing.assert_allclose(
        ours.predict(x, verbose=0), theirs.predict(x, verbose=0), rtol=1e-5, atol=1e-5
    )
    # Keras 3.15 restores only the optimizer's config from a legacy .h5 (not its slots,
    # even from its own files); the state is checked on our own reload below.
    assert type(theirs.optimizer).__name__ == "Adam"
    assert float(theirs.optimizer.learning_rate) == pytest.approx(0.02)
    back = ks.models.load_model(path)
    assert_same_weights(back, ours)
    for u, v in zip(back.optimizer.variables, ours.optimizer.variables, strict=True):
        np.testing.assert_array_equal(u.numpy(), v.numpy())


def test_model_checkpoint_to_h5(tmp_path):
    ours = models.mlp(ks)
    ours.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x = np.random.default_rng(0).normal(size=(32, 4)).astype("float32")
    y = np.random.default_rng(1).integers(0, 3, 32)
    with pytest.warns(UserWarning, match="legacy"):
        ours.fit(
            x,
            y,
            epochs=2,
            verbose=0,
            callbacks=[
                ks.callbacks.ModelCheckpoint(
                    str(tmp_path / "best.h5"), monitor="loss", save_best_only=True
                )
            ],
        )
    assert_same_weights(ks.models.load_model(tmp_path / "best.h5"), ours)
