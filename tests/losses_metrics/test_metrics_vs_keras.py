"""Every built-in metric against Keras 3 (TF backend): three update_state calls of
different sizes, with no, 1-D and 2-D sample weights; then reset_state; __call__;
configs; and the Mean/Sum reduction rules on values of several ranks."""

import numpy as np
import pytest
from _lm_data import make_data

import kerasette as ks

pytestmark = pytest.mark.keras_ref

# (class, kwargs, y_true key, y_pred key, 2-D sample weight key or None)
CASES = [
    ("Accuracy", {}, "acc_t", "acc_p", None),
    ("BinaryAccuracy", {}, "bin_t", "bin_p", None),
    ("BinaryAccuracy", dict(threshold=0.3), "multi_t", "multi_p", "swk"),
    ("CategoricalAccuracy", {}, "onehot", "probs", None),
    ("CategoricalAccuracy", {}, "t3", "p3", "sw2"),
    ("SparseCategoricalAccuracy", {}, "ids", "probs", None),
    ("SparseCategoricalAccuracy", {}, "ids_col", "probs", None),
    ("SparseCategoricalAccuracy", {}, "ids3", "p3", "sw2"),
    ("TopKCategoricalAccuracy", dict(k=2), "onehot", "ties", None),
    ("TopKCategoricalAccuracy", {}, "onehot", "probs", None),
    ("SparseTopKCategoricalAccuracy", dict(k=2), "ids", "ties", None),
    ("SparseTopKCategoricalAccuracy", dict(k=1), "ids_col", "probs", None),
    ("MeanSquaredError", {}, "reg3_t", "reg3_p", "sw2"),
    ("MeanAbsoluteError", {}, "reg_t", "reg_p", None),
    ("MeanAbsolutePercentageError", {}, "reg_t", "reg_p", None),
    ("MeanSquaredLogarithmicError", {}, "pos_t", "pos_p", None),
    ("LogCoshError", {}, "reg_t", "reg_p", None),
    ("BinaryCrossentropy", {}, "bin_t", "bin_p", None),
    ("BinaryCrossentropy", dict(from_logits=True, label_smoothing=0.1), "multi_t", "logits", None),
    ("CategoricalCrossentropy", {}, "onehot", "probs", None),
    (
        "CategoricalCrossentropy",
        dict(from_logits=True, label_smoothing=0.2),
        "onehot",
        "logits",
        None,
    ),
    ("SparseCategoricalCrossentropy", {}, "ids", "probs", None),
    ("SparseCategoricalCrossentropy", dict(from_logits=True), "ids3", "p3", "sw2"),
    ("KLDivergence", {}, "onehot", "probs", None),
    ("Poisson", {}, "pos_t", "pos_p", None),
    ("Hinge", {}, "bin_t", "bin_logits", None),
    ("SquaredHinge", {}, "pm1", "bin_logits", None),
    ("CategoricalHinge", {}, "onehot", "logits", None),
    ("Precision", {}, "bin_t", "bin_p", None),
    ("Precision", dict(thresholds=[0.2, 0.5, 0.8]), "multi_t", "multi_p", "swk"),
    ("Precision", dict(thresholds=[0.0, 0.5, 1.0]), "multi_t", "multi_p", None),  # even
    ("Precision", dict(top_k=2), "onehot", "probs", None),
    ("Precision", dict(class_id=2), "onehot", "probs", None),
    ("Precision", dict(top_k=2, class_id=1), "multi_t", "ties", None),
    ("Recall", {}, "bin_t", "bin_p", None),
    ("Recall", dict(thresholds=0.3), "multi_t", "multi_p", "swk"),
    ("Recall", dict(top_k=1), "onehot", "ties", None),
    ("Recall", dict(class_id=0, thresholds=[0.1, 0.6]), "onehot", "probs", None),
    ("TruePositives", {}, "bin_t", "bin_p", None),
    ("FalsePositives", dict(thresholds=[0.15, 0.5, 0.85]), "multi_t", "multi_p", "swk"),
    ("TrueNegatives", dict(thresholds=[0.0, 0.25, 0.5, 0.75, 1.0]), "multi_t", "ties", None),
    ("FalseNegatives", {}, "multi_t", "multi_p", None),
    ("AUC", {}, "bin_t", "bin_p", None),
    ("AUC", {}, "multi_t", "ties", "swk"),
    ("AUC", dict(curve="PR"), "bin_t", "bin_p", None),
    ("AUC", dict(curve="PR", summation_method="majoring"), "multi_t", "multi_p", None),
    ("AUC", dict(num_thresholds=13, summation_method="minoring"), "onehot", "probs", None),
    ("AUC", dict(curve="PRGAIN"), "multi_t", "multi_p", None),
    ("AUC", dict(thresholds=[0.1, 0.35, 0.8]), "multi_t", "multi_p", None),
    ("AUC", dict(thresholds=[0.25, 0.5, 0.75]), "multi_t", "multi_p", None),  # even
    ("AUC", dict(from_logits=True), "bin_t", "bin_logits", None),
    ("AUC", dict(multi_label=True), "multi_t", "multi_p", None),
    (
        "AUC",
        dict(multi_label=True, num_labels=5, curve="PR", label_weights=[1.0, 0.5, 2.0, 0.0, 1.0]),
        "multi_t",
        "multi_p",
        None,
    ),
    ("AUC", dict(label_weights=[1.0, 0.5, 2.0, 0.0, 1.0]), "multi_t", "multi_p", "swk"),
]


def _ids(case):
    name, kw, t, p, _ = case
    return f"{name}-{'-'.join(f'{k}={v}' for k, v in kw.items())}-{t}-{p}"


def _batches(t, p):
    """Three batches of different sizes (11, 5, 8 rows), each its own random data."""
    return [make_data(seed, n) for seed, n in ((10, 11), (11, 5), (12, 8))]


def _weights(d, mode, w2):
    if mode is None:
        return None
    if mode == "1d":
        return d["sw"]
    return d[w2]


WEIGHTED_CASES = [
    pytest.param(case, mode, id=f"{mode}-{_ids(case)}")
    for case in CASES
    for mode in (None, "1d", "2d")
    if mode != "2d" or case[4] is not None
]


@pytest.mark.parametrize("case,mode", WEIGHTED_CASES)
def test_metric_matches_keras(keras, case, mode):
    name, kwargs, t, p, w2 = case
    mine, ref = getattr(ks.metrics, name)(**kwargs), getattr(keras.metrics, name)(**kwargs)
    for d in _batches(t, p):
        sw = _weights(d, mode, w2)
        mine.update_state(d[t], d[p], sample_weight=sw)
        ref.update_state(d[t], d[p], sample_weight=sw)
    np.testing.assert_allclose(
        np.asarray(mine.result()), np.asarray(ref.result()), rtol=1e-5, atol=1e-6
    )
    assert len(mine.variables) == len(ref.variables)
    for a, b in zip(mine.variables, ref.variables, strict=True):
        np.testing.assert_allclose(a.numpy(), np.asarray(b), rtol=1e-5, atol=1e-5)
    mine.reset_state()
    ref.reset_state()
    np.testing.assert_allclose(np.asarray(mine.result()), np.asarray(ref.result()))


@pytest.mark.parametrize("case", CASES[::4], ids=_ids)
def test_metric_call_returns_running_result(keras, case):
    name, kwargs, t, p, _ = case
    mine, ref = getattr(ks.metrics, name)(**kwargs), getattr(keras.metrics, name)(**kwargs)
    for d in _batches(t, p):
        a = mine(d[t], d[p], sample_weight=d["sw"])
        b = ref(d[t], d[p], sample_weight=d["sw"])
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cls", ["Mean", "Sum"])
@pytest.mark.parametrize(
    "values,weights",
    [
        ("sw", None),
        ("reg_p", None),
        ("reg_p", "sw"),
        ("reg_p", "swk"),
        ("reg3_p", "sw2"),
        ("reg3_p", "sw_col"),
        ("reg3_p", "sw"),
    ],
)
def test_mean_and_sum_reduce_as_keras(keras, cls, values, weights):
    mine, ref = getattr(ks.metrics, cls)(), getattr(keras.metrics, cls)()
    for seed, n in ((20, 6), (21, 9)):
        d = make_data(seed, n)
        w = None if weights is None else d[weights]
        mine.update_state(d[values], sample_weight=w)
        ref.update_state(d[values], sample_weight=w)
    np.testing.assert_allclose(np.asarray(mine.result()), np.asarray(ref.result()), rtol=1e-5)


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_metric_config(keras, case):
    name, kwargs, _, _, _ = case
    mine, ref = getattr(ks.metrics, name)(**kwargs), getattr(keras.metrics, name)(**kwargs)
    a, b = mine.get_config(), ref.get_config()
    # Unnamed Precision/Recall/AUC/... number their names per process ("auc_3").
    assert (
        a.pop("name").rsplit("_", 1)[0] == b.pop("name").rsplit("_", 1)[0] or "name" not in kwargs
    )
    if b.get("label_weights") is not None:
        b["label_weights"] = np.asarray(b["label_weights"]).tolist()
    assert a == b
    again = type(mine).from_config(mine.get_config())
    assert again.get_config() == mine.get_config()


def test_metric_results_do_not_alias_state(data):
    """An eager result is a value, not a view of the variable that keeps changing."""
    m = ks.metrics.TruePositives(thresholds=[0.3, 0.6])
    m.update_state(data["bin_t"], data["bin_p"])
    first = np.asarray(m.result()).copy()
    r = m.result()
    m.update_state(data["bin_t"], data["bin_p"])
    np.testing.assert_array_equal(np.asarray(r), first)
    s = ks.metrics.Sum()
    s.update_state([1.0, 2.0])
    r = s.result()
    s.update_state([3.0])
    assert float(r) == 3.0


def test_bad_inputs_raise_clearly():
    with pytest.raises(ValueError, match="shape"):
        ks.metrics.CategoricalAccuracy().update_state(np.zeros((4, 3)), np.zeros((4, 2)))
    with pytest.raises(TypeError, match="numeric"):
        ks.metrics.MeanSquaredError().update_state(np.array(["a"]), np.zeros(1))
    with pytest.raises(ValueError, match="Could not interpret metric"):
        ks.metrics.get("acuracy")
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        ks.metrics.Precision(thresholds=[0.5, 1.5])
    with pytest.raises(ValueError, match="curve"):
        ks.metrics.AUC(curve="XY")
