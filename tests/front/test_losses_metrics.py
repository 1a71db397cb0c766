"""Loss values (core kernel) and metric values (numpy) against Keras 3 on random arrays,
with and without sample weights, for every reduction; bad inputs raise clearly.

Tolerances: float32 sums of a few hundred terms in a different order differ by ~1e-6
relative; rtol 1e-5 keeps a margin without hiding formula errors (which are >1e-3).
"""

import numpy as np
import pytest
from conftest import core_has

import kerasette as ks

pytestmark = pytest.mark.skipif(
    not core_has("loss_forward_backward", "LOSSES"),
    reason="the core's loss kernel is not in this build",
)

N, K = 64, 5


@pytest.fixture
def data():
    r = np.random.default_rng(0)
    logits = r.normal(size=(N, K)).astype("float32")
    probs = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    ids = r.integers(0, K, N)
    onehot = np.eye(K, dtype="float32")[ids]
    reg_t = r.normal(size=(N, K)).astype("float32")
    reg_p = r.normal(size=(N, K)).astype("float32")
    binary_t = (r.random((N, 1)) > 0.5).astype("float32")
    binary_p = r.random((N, 1)).astype("float32") * 0.98 + 0.01
    sw = r.random(N).astype("float32")
    return dict(
        logits=logits,
        probs=probs.astype("float32"),
        ids=ids,
        onehot=onehot,
        reg_t=reg_t,
        reg_p=reg_p,
        binary_t=binary_t,
        binary_p=binary_p,
        sw=sw,
    )


def _inputs(name, d):
    return {
        "MeanSquaredError": ("reg_t", "reg_p"),
        "MeanAbsoluteError": ("reg_t", "reg_p"),
        "Huber": ("reg_t", "reg_p"),
        "BinaryCrossentropy": ("binary_t", "binary_p"),
        "CategoricalCrossentropy": ("onehot", "probs"),
        "SparseCategoricalCrossentropy": ("ids", "probs"),
        "KLDivergence": ("onehot", "probs"),
        "Hinge": ("binary_t", "binary_p"),
        "Poisson": ("onehot", "probs"),
    }[name]


LOSS_CASES = [
    ("MeanSquaredError", {}),
    ("MeanAbsoluteError", {}),
    ("Huber", {}),
    ("Huber", dict(delta=0.5)),
    ("BinaryCrossentropy", {}),
    ("BinaryCrossentropy", dict(label_smoothing=0.1)),
    ("CategoricalCrossentropy", {}),
    ("CategoricalCrossentropy", dict(label_smoothing=0.2)),
    ("SparseCategoricalCrossentropy", {}),
    ("KLDivergence", {}),
    ("Hinge", {}),
    ("Poisson", {}),
]


@pytest.mark.parametrize("name,kwargs", LOSS_CASES)
@pytest.mark.parametrize(
    "reduction", ["sum_over_batch_size", "sum", "none", "mean_with_sample_weight"]
)
@pytest.mark.parametrize("weighted", [False, True])
def test_loss_values_match_keras(keras, data, name, kwargs, reduction, weighted):
    t_key, p_key = _inputs(name, data)
    sw = data["sw"] if weighted else None
    mine = getattr(ks.losses, name)(reduction=reduction, **kwargs)
    ref = getattr(keras.losses, name)(reduction=reduction, **kwargs)
    a = mine(data[t_key], data[p_key], sample_weight=sw)
    b = np.asarray(ref(data[t_key], data[p_key], sample_weight=sw))
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "name", ["BinaryCrossentropy", "CategoricalCrossentropy", "SparseCategoricalCrossentropy"]
)
def test_from_logits(keras, data, name):
    t_key = {
        "BinaryCrossentropy": "binary_t",
        "CategoricalCrossentropy": "onehot",
        "SparseCategoricalCrossentropy": "ids",
    }[name]
    logits = data["logits"][:, :1] if name == "BinaryCrossentropy" else data["logits"]
    a = getattr(ks.losses, name)(from_logits=True)(data[t_key], logits, data["sw"])
    b = getattr(keras.losses, name)(from_logits=True)(data[t_key], logits, data["sw"])
    np.testing.assert_allclose(a, np.asarray(b), rtol=1e-5)


@pytest.mark.parametrize(
    "string",
    ["mse", "mae", "binary_crossentropy", "categorical_crossentropy", "kld", "poisson", "hinge"],
)
def test_loss_strings_give_the_same_value(keras, data, string):
    t_key, p_key = _inputs(type(ks.losses.get(string)).__name__, data)
    a = ks.losses.get(string)(data[t_key], data[p_key])
    b = np.mean(np.asarray(keras.losses.get(string)(data[t_key], data[p_key])))
    np.testing.assert_allclose(a, b, rtol=1e-5)


def test_loss_bad_inputs():
    mse = ks.losses.MeanSquaredError()
    with pytest.raises(ValueError, match=r"\(4, 3\).*\(4, 2\)"):
        mse(np.zeros((4, 3)), np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"labels must be integers in \[0, 3\)"):
        ks.losses.SparseCategoricalCrossentropy()(np.array([0, 3]), np.full((2, 3), 1 / 3))
    with pytest.raises(TypeError, match="numeric"):
        mse(np.array([["a"]]), np.zeros((1, 1)))
    with pytest.raises(ValueError, match="sample_weight"):
        mse(np.zeros((4, 2)), np.zeros((4, 2)), sample_weight=np.ones(3))
    with pytest.raises(ValueError, match="reduction"):
        ks.losses.MeanSquaredError(reduction="average")
    with pytest.raises(ValueError, match="Could not interpret loss"):
        ks.losses.get("mean_squared_eror")


METRIC_CASES = [
    ("BinaryAccuracy", {}, "binary_t", "binary_p"),
    ("BinaryAccuracy", dict(threshold=0.3), "binary_t", "binary_p"),
    ("CategoricalAccuracy", {}, "onehot", "probs"),
    ("SparseCategoricalAccuracy", {}, "ids", "probs"),
    ("TopKCategoricalAccuracy", dict(k=2), "onehot", "probs"),
    ("MeanSquaredError", {}, "reg_t", "reg_p"),
    ("MeanAbsoluteError", {}, "reg_t", "reg_p"),
    ("Precision", {}, "binary_t", "binary_p"),
    ("Recall", {}, "binary_t", "binary_p"),
    ("Precision", dict(thresholds=[0.2, 0.5, 0.8]), "binary_t", "binary_p"),
    ("Recall", dict(class_id=2), "onehot", "probs"),
    ("Precision", dict(top_k=2), "onehot", "probs"),
    ("AUC", {}, "binary_t", "binary_p"),
    ("AUC", dict(curve="PR"), "binary_t", "binary_p"),
    ("AUC", dict(num_thresholds=13, summation_method="minoring"), "onehot", "probs"),
    ("BinaryCrossentropy", {}, "binary_t", "binary_p"),
    ("CategoricalCrossentropy", {}, "onehot", "probs"),
]


@pytest.mark.parametrize("name,kwargs,t_key,p_key", METRIC_CASES)
@pytest.mark.parametrize("weighted", [False, True])
def test_metric_values_match_keras(keras, data, name, kwargs, t_key, p_key, weighted):
    mine = getattr(ks.metrics, name)(**kwargs)
    ref = getattr(keras.metrics, name)(**kwargs)
    sw = data["sw"] if weighted else None
    # Two batches of different sizes: the running average must weight them as Keras does.
    for sl in (slice(0, 40), slice(40, N)):
        w = None if sw is None else sw[sl]
        mine.update_state(data[t_key][sl], data[p_key][sl], sample_weight=w)
        ref.update_state(data[t_key][sl], data[p_key][sl], sample_weight=w)
    np.testing.assert_allclose(mine.result(), np.asarray(ref.result()), rtol=1e-5, atol=1e-6)
    mine.reset_state()
    ref.reset_state()
    np.testing.assert_allclose(mine.result(), np.asarray(ref.result()))


def test_accuracy_resolution_follows_keras_rules():
    r = ks.metrics.resolve
    assert type(r("accuracy", (8, 1), (8, 1))).__name__ == "BinaryAccuracy"
    assert type(r("accuracy", (8,), (8, 3))).__name__ == "SparseCategoricalAccuracy"
    assert type(r("acc", (8, 1), (8, 3))).__name__ == "SparseCategoricalAccuracy"
    assert type(r("accuracy", (8, 3), (8, 3))).__name__ == "CategoricalAccuracy"
    assert r("acc", (8, 3), (8, 3)).name == "acc"
    assert r("mae", (8, 3), (8, 3)).name == "mae"
    assert type(r("mse", (8, 3), (8, 3))).__name__ == "MeanSquaredError"


def test_metric_bad_inputs():
    with pytest.raises(ValueError, match="shape"):
        ks.metrics.CategoricalAccuracy().update_state(np.zeros((4, 3)), np.zeros((4, 2)))
    with pytest.raises(TypeError, match="numeric"):
        ks.metrics.MeanSquaredError().update_state(np.array(["a"]), np.zeros(1))
    with pytest.raises(ValueError, match="Could not interpret metric"):
        ks.metrics.get("acuracy")


def test_metric_call_accumulates_like_keras(keras, data):
    mine, ref = ks.metrics.MeanAbsoluteError(), keras.metrics.MeanAbsoluteError()
    for sl in (slice(0, 10), slice(10, 30)):
        a = mine(data["reg_t"][sl], data["reg_p"][sl])
        b = ref(data["reg_t"][sl], data["reg_p"][sl])
        np.testing.assert_allclose(a, np.asarray(b), rtol=1e-6)
