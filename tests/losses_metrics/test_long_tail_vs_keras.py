"""The long-tail losses, metrics and learning-rate schedules against real Keras: same
values on the same data (with and without sample weights), configs, round trips, and
the metrics compiled into a training step."""

import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import kerasette as ks  # noqa: E402

pytestmark = pytest.mark.keras_ref


RNG = np.random.default_rng(0)
Y_BIN = (RNG.uniform(size=(8, 3)) > 0.5).astype("float32")
P_BIN = RNG.uniform(0.02, 0.98, size=(8, 3)).astype("float32")
Y_CAT = np.eye(4, dtype="float32")[RNG.integers(0, 4, 8)]
P_CAT = RNG.uniform(0.05, 1.0, size=(8, 4)).astype("float32")
P_CAT /= P_CAT.sum(1, keepdims=True)
Y_REG = RNG.normal(size=(8, 3)).astype("float32")
P_REG = (Y_REG + RNG.normal(scale=0.5, size=(8, 3))).astype("float32")
SW = RNG.uniform(0.2, 2.0, size=(8,)).astype("float32")

LOSSES = [
    ("CategoricalHinge", {}, "cat"),
    ("SquaredHinge", {}, "bin"),
    ("LogCosh", {}, "reg"),
    ("CosineSimilarity", {}, "reg"),
    ("CosineSimilarity", {"axis": 0}, "reg"),
    ("MeanAbsolutePercentageError", {}, "reg"),
    ("MeanSquaredLogarithmicError", {}, "bin"),
    ("BinaryFocalCrossentropy", {}, "bin"),
    (
        "BinaryFocalCrossentropy",
        {"apply_class_balancing": True, "alpha": 0.3, "gamma": 1.5, "label_smoothing": 0.1},
        "bin",
    ),
    ("BinaryFocalCrossentropy", {"from_logits": True}, "reg_bin"),
    ("CategoricalFocalCrossentropy", {}, "cat"),
    ("CategoricalFocalCrossentropy", {"alpha": 0.5, "gamma": 3.0, "label_smoothing": 0.2}, "cat"),
    ("CategoricalFocalCrossentropy", {"from_logits": True}, "reg_cat"),
    ("Dice", {}, "bin"),
    ("Dice", {"axis": -1}, "bin"),
    ("Tversky", {}, "bin"),
    ("Tversky", {"alpha": 0.7, "beta": 0.3, "axis": -1}, "bin"),
]


def _data(kind):
    return {
        "bin": (Y_BIN, P_BIN),
        "cat": (Y_CAT, P_CAT),
        "reg": (Y_REG, P_REG),
        "reg_bin": (Y_BIN, P_REG),
        "reg_cat": (Y_CAT, np.concatenate([P_REG, P_REG[:, :1]], axis=1)),
    }[kind]


def _cfg(obj):
    import json

    return json.loads(json.dumps(obj.get_config(), default=str))


@pytest.mark.parametrize("name,kwargs,kind", LOSSES, ids=[f"{n}-{k}" for n, k, _ in LOSSES])
def test_loss_values_and_config(keras, name, kwargs, kind):
    y, p = _data(kind)
    mine, ref = getattr(ks.losses, name)(**kwargs), getattr(keras.losses, name)(**kwargs)
    np.testing.assert_allclose(
        float(np.asarray(mine(y, p))), float(ref(y, p)), rtol=2e-5, atol=1e-6
    )
    if kwargs.get("axis") is None or kwargs.get("axis") == -1:
        np.testing.assert_allclose(
            float(np.asarray(mine(y, p, sample_weight=SW))),
            float(ref(y, p, sample_weight=SW)),
            rtol=2e-5,
            atol=1e-6,
        )
    mc, rc = _cfg(mine), _cfg(ref)
    rc.pop("dtype", None), mc.pop("dtype", None)
    if name == "CosineSimilarity":
        assert mc.pop("axis", -1) == kwargs.get("axis", -1)  # kept beyond Keras's config
    assert mc == rc
    again = ks.losses.deserialize(ks.losses.serialize(mine))
    np.testing.assert_allclose(float(np.asarray(again(y, p))), float(np.asarray(mine(y, p))))


def test_focal_loss_trains_like_keras(keras):
    x = RNG.normal(size=(32, 4)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    k_model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation="sigmoid")])
    m_model = ks.Sequential([ks.layers.Input((4,)), ks.layers.Dense(1, activation="sigmoid")])
    m_model.set_weights(k_model.get_weights())
    k_model.compile(keras.optimizers.SGD(0.5), keras.losses.BinaryFocalCrossentropy())
    m_model.compile(ks.optimizers.SGD(0.5), ks.losses.BinaryFocalCrossentropy())
    kh = k_model.fit(x, y, epochs=3, batch_size=8, shuffle=False, verbose=0).history["loss"]
    mh = m_model.fit(x, y, epochs=3, batch_size=8, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(mh, kh, rtol=1e-4)


METRICS = [
    ("TruePositives", {}, "bin"),
    ("FalsePositives", {"thresholds": [0.3, 0.7]}, "bin"),
    ("TrueNegatives", {}, "bin"),
    ("FalseNegatives", {}, "bin"),
    ("PrecisionAtRecall", {"recall": 0.5}, "bin"),
    ("PrecisionAtRecall", {"recall": 0.8, "num_thresholds": 13, "class_id": 1}, "bin"),
    ("RecallAtPrecision", {"precision": 0.6}, "bin"),
    ("SensitivityAtSpecificity", {"specificity": 0.5}, "bin"),
    ("SpecificityAtSensitivity", {"sensitivity": 0.7, "num_thresholds": 50}, "bin"),
    ("F1Score", {}, "cat"),
    ("F1Score", {"average": "macro", "threshold": 0.4}, "bin"),
    ("F1Score", {"average": "micro"}, "cat"),
    ("FBetaScore", {"beta": 2.0, "average": "weighted"}, "cat"),
    ("R2Score", {}, "reg"),
    ("R2Score", {"class_aggregation": "variance_weighted_average"}, "reg"),
    ("R2Score", {"class_aggregation": None, "num_regressors": 2}, "reg"),
    ("MeanIoU", {"num_classes": 4, "sparse_y_true": False, "sparse_y_pred": False}, "cat"),
    ("LogCoshError", {}, "reg"),
    ("MeanAbsolutePercentageError", {}, "reg"),
    ("MeanSquaredLogarithmicError", {}, "bin"),
    ("CosineSimilarity", {}, "reg"),
    ("CosineSimilarity", {"axis": 0}, "reg"),
    ("RootMeanSquaredError", {}, "reg"),
    ("SparseTopKCategoricalAccuracy", {"k": 2}, "sparse"),
]


@pytest.mark.parametrize("name,kwargs,kind", METRICS, ids=[f"{n}-{k}" for n, k, _ in METRICS])
@pytest.mark.parametrize("weighted", [False, True])
def test_metric_values_and_config(keras, name, kwargs, kind, weighted):
    if kind == "sparse":
        y, p = np.argmax(Y_CAT, 1).astype("float32"), P_CAT
    else:
        y, p = _data(kind)
    mine, ref = getattr(ks.metrics, name)(**kwargs), getattr(keras.metrics, name)(**kwargs)
    if weighted and kwargs.get("axis") == 0:
        pytest.skip("per-sample weights do not apply to values reduced over the batch")
    sw = SW if weighted else None
    for lo, hi in ((0, 5), (5, 8)):  # two batches: the state accumulates
        w = None if sw is None else sw[lo:hi]
        mine.update_state(y[lo:hi], p[lo:hi], sample_weight=w)
        ref.update_state(y[lo:hi], p[lo:hi], sample_weight=w)
    np.testing.assert_allclose(
        np.asarray(mine.result()), np.asarray(ref.result()), rtol=2e-5, atol=1e-6
    )
    mc, rc = _cfg(mine), _cfg(ref)
    mc.pop("dtype", None), rc.pop("dtype", None)
    assert mc == rc
    mine.reset_state()
    ref.reset_state()
    mine.update_state(y, p)
    ref.update_state(y, p)
    np.testing.assert_allclose(
        np.asarray(mine.result()), np.asarray(ref.result()), rtol=2e-5, atol=1e-6
    )


def test_mean_and_sum(keras):
    for name in ("Mean", "Sum"):
        mine, ref = getattr(ks.metrics, name)(), getattr(keras.metrics, name)()
        mine.update_state(Y_REG, sample_weight=SW)
        ref.update_state(Y_REG, sample_weight=SW)
        np.testing.assert_allclose(float(np.asarray(mine.result())), float(ref.result()), rtol=1e-5)


def test_metrics_compiled_in_fit(keras):
    """The new metrics inside compile(metrics=...): same epoch values as Keras."""
    x = RNG.normal(size=(40, 3)).astype("float32")
    y = (x[:, :1] + 0.3 * x[:, 1:2] > 0).astype("float32")
    names = [
        ("PrecisionAtRecall", {"recall": 0.5}),
        ("RecallAtPrecision", {"precision": 0.5}),
        ("SensitivityAtSpecificity", {"specificity": 0.5}),
        ("F1Score", {"threshold": 0.5, "average": "micro"}),
        ("RootMeanSquaredError", {}),
        ("R2Score", {}),
        ("CosineSimilarity", {}),
        ("TruePositives", {}),
    ]
    k_model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
    m_model = ks.Sequential([ks.layers.Input((3,)), ks.layers.Dense(1, activation="sigmoid")])
    m_model.set_weights(k_model.get_weights())
    k_model.compile(
        keras.optimizers.SGD(0.1),
        "binary_crossentropy",
        metrics=[getattr(keras.metrics, n)(**kw) for n, kw in names],
    )
    m_model.compile(
        ks.optimizers.SGD(0.1),
        "binary_crossentropy",
        metrics=[getattr(ks.metrics, n)(**kw) for n, kw in names],
    )
    kh = k_model.fit(x, y, epochs=2, batch_size=10, shuffle=False, verbose=0).history
    mh = m_model.fit(x, y, epochs=2, batch_size=10, shuffle=False, verbose=0).history
    assert sorted(mh) == sorted(kh)
    for key in kh:
        np.testing.assert_allclose(
            np.ravel(mh[key]), np.ravel(kh[key]), rtol=1e-4, atol=1e-5, err_msg=key
        )


SCHEDULES = [
    ("InverseTimeDecay", {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5}),
    (
        "InverseTimeDecay",
        {"initial_learning_rate": 0.1, "decay_steps": 10, "decay_rate": 0.5, "staircase": True},
    ),
    ("PolynomialDecay", {"initial_learning_rate": 0.1, "decay_steps": 20}),
    (
        "PolynomialDecay",
        {
            "initial_learning_rate": 0.1,
            "decay_steps": 20,
            "end_learning_rate": 0.01,
            "power": 2.0,
            "cycle": True,
        },
    ),
    ("CosineDecayRestarts", {"initial_learning_rate": 0.1, "first_decay_steps": 7}),
    (
        "CosineDecayRestarts",
        {
            "initial_learning_rate": 0.1,
            "first_decay_steps": 7,
            "t_mul": 1.0,
            "m_mul": 0.5,
            "alpha": 0.1,
        },
    ),
    (
        "CosineDecayRestarts",
        {"initial_learning_rate": 0.1, "first_decay_steps": 5, "t_mul": 1.5, "m_mul": 0.8},
    ),
]


@pytest.mark.parametrize("name,kwargs", SCHEDULES, ids=[n for n, _ in SCHEDULES])
def test_schedules(keras, name, kwargs):
    mine = getattr(ks.optimizers.schedules, name)(**kwargs)
    ref = getattr(keras.optimizers.schedules, name)(**kwargs)
    steps = [0, 1, 2, 5, 7, 10, 13, 20, 21, 35, 50, 100]
    np.testing.assert_allclose(
        [float(mine(s)) for s in steps], [float(ref(s)) for s in steps], rtol=1e-5, atol=1e-8
    )
    assert mine.get_config() == ref.get_config()
    again = ks.optimizers.schedules.deserialize(ks.optimizers.schedules.serialize(mine))
    assert again.get_config() == mine.get_config()


def test_schedule_in_fit(keras):
    x = RNG.normal(size=(30, 2)).astype("float32")
    y = x @ np.array([[1.0], [-2.0]], "float32")
    sched = dict(initial_learning_rate=0.1, decay_steps=2, decay_rate=0.7)
    k_model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    m_model = ks.Sequential([ks.layers.Input((2,)), ks.layers.Dense(1)])
    m_model.set_weights(k_model.get_weights())
    k_model.compile(
        keras.optimizers.SGD(keras.optimizers.schedules.InverseTimeDecay(**sched)), "mse"
    )
    m_model.compile(ks.optimizers.SGD(ks.optimizers.schedules.InverseTimeDecay(**sched)), "mse")
    kh = k_model.fit(x, y, epochs=3, batch_size=10, shuffle=False, verbose=0).history["loss"]
    mh = m_model.fit(x, y, epochs=3, batch_size=10, shuffle=False, verbose=0).history["loss"]
    np.testing.assert_allclose(mh, kh, rtol=1e-4)
