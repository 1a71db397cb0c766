"""Losses traced on symbolic tensors give the eager values (interpreter and compiled
Function), and their gradient w.r.t. y_pred (graph/autodiff) matches finite differences."""

import numpy as np
import pytest
from _lm_data import make_data, traced

import kerasette as ks
from kerasette.graph import autodiff
from kerasette.graph.function import Function

CASES = [
    ("MeanSquaredError", {}, "reg_t", "reg_p"),
    ("MeanAbsoluteError", {}, "reg_t", "reg_p"),
    ("MeanAbsolutePercentageError", {}, "reg_t", "reg_p"),
    ("MeanSquaredLogarithmicError", {}, "pos_t", "pos_p"),
    ("Huber", dict(delta=0.4), "reg_t", "reg_p"),
    ("LogCosh", {}, "reg_t", "reg_p"),
    ("BinaryCrossentropy", {}, "bin_t", "bin_p"),
    ("BinaryCrossentropy", dict(from_logits=True, label_smoothing=0.2), "multi_t", "logits"),
    ("CategoricalCrossentropy", dict(label_smoothing=0.2), "onehot", "probs"),
    ("CategoricalCrossentropy", dict(from_logits=True), "onehot", "logits"),
    ("SparseCategoricalCrossentropy", {}, "ids", "probs"),
    ("SparseCategoricalCrossentropy", dict(from_logits=True), "ids_col", "logits"),
    ("SparseCategoricalCrossentropy", dict(ignore_class=-1), "ids_ign", "probs"),
    ("KLDivergence", {}, "multi_p", "probs"),
    ("Poisson", {}, "pos_t", "pos_p"),
    ("Hinge", {}, "bin_t", "bin_logits"),
    ("SquaredHinge", {}, "pm1", "bin_logits"),
    ("CategoricalHinge", {}, "onehot", "logits"),
]


def _ids(case):
    name, kw, t, p = case
    return f"{name}-{'-'.join(f'{k}={v}' for k, v in kw.items())}-{t}-{p}"


@pytest.mark.parametrize("case", CASES, ids=_ids)
@pytest.mark.parametrize(
    "reduction", ["sum_over_batch_size", "sum", "mean_with_sample_weight", "none"]
)
@pytest.mark.parametrize("weighted", [False, True])
def test_traced_equals_eager(data, case, reduction, weighted):
    name, kwargs, t, p = case
    loss = getattr(ks.losses, name)(reduction=reduction, **kwargs)
    sw = data["sw"] if weighted else None
    eager = np.asarray(loss(data[t], data[p], sample_weight=sw))
    (sym,), _ = traced(lambda a, b, w: loss(a, b, sample_weight=w), [data[t], data[p], sw])
    np.testing.assert_allclose(sym, eager, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_function_equals_eager(data, case):
    """Through graph.function.Function: compiled to a program when every op lowers."""
    name, kwargs, t, p = case
    loss = getattr(ks.losses, name)(**kwargs)
    fn = Function(lambda d: loss(d["t"], d["p"], sample_weight=d["w"]))
    for seed, n in ((1, 24), (2, 7)):  # two batch sizes, one trace
        d = make_data(seed, n)
        got = np.asarray(fn({"t": d[t], "p": d[p], "w": d["sw"]}))
        want = np.asarray(loss(d[t], d[p], sample_weight=d["sw"]))
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def _grad_data(t, p):
    """Inputs away from kinks and clip boundaries, where finite differences are exact."""
    d = make_data(3, n=6)
    r = np.random.default_rng(4)
    if p == "reg_p":  # |y_pred - y_true| > 0.1 and away from Huber's delta 0.4
        gap = (r.random(d[p].shape) * 0.2 + 0.15) * np.sign(r.normal(size=d[p].shape))
        gap[::2] *= 4
        d[p] = (d[t] + gap).astype("float32")
    if p == "probs":
        d[p] = np.clip(d[p], 0.1, 0.9).astype("float32")
    if p == "bin_p":
        d[p] = (d[p] * 0.8 + 0.1).astype("float32")
    return d


@pytest.mark.parametrize("case", CASES, ids=_ids)
@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum"])
def test_gradient_matches_finite_differences(case, reduction):
    name, kwargs, t, p = case
    loss = getattr(ks.losses, name)(reduction=reduction, **kwargs)
    d = _grad_data(t, p)
    if "inge" in name:  # keep every hinge margin away from its kink at 1
        y = d[t] if name != "CategoricalHinge" else None
        pred = d[p]
        if y is not None:
            sign = np.where(y > 0, 1.0, -1.0)
            margin = 1 - sign * pred
            pred = np.where(np.abs(margin) < 0.2, pred + 0.5 * sign, pred)
        d[p] = pred.astype("float32")
    sw = d["sw"]
    from kerasette.graph.interpreter import evaluate
    from kerasette.graph.ir import Graph
    from kerasette.graph.trace import tracing

    g = Graph("grad")
    tp = g.placeholder((None,) + d[t].shape[1:], str(d[t].dtype))
    pp = g.placeholder((None,) + d[p].shape[1:], "float32")
    wp = g.placeholder((None,), "float32")
    with tracing(g):
        out = loss(tp, pp, sample_weight=wp)
        (grad,) = autodiff.gradients(out, [pp])
    (gv,) = evaluate([grad], {tp: d[t], pp: d[p], wp: sw})

    def f(x):
        return float(np.asarray(loss(d[t], x.astype("float32"), sample_weight=sw)))

    eps = 2e-3  # small against the curvature of log at p = 0.1, large against float32
    x0 = d[p].astype("float64")
    fd = np.zeros_like(x0)
    for i in np.ndindex(x0.shape):
        xp, xm = x0.copy(), x0.copy()
        xp[i] += eps
        xm[i] -= eps
        fd[i] = (f(xp) - f(xm)) / (2 * eps)
    np.testing.assert_allclose(gv, fd, rtol=3e-2, atol=2e-3 if reduction == "sum" else 5e-4)


def test_user_function_and_subclass_trace(data):
    from kerasette import ops

    def scaled_mse(y_true, y_pred):
        return ops.mean(ops.square(y_pred - y_true), axis=-1) * 0.5

    class Clipped(ks.losses.Loss):
        def call(self, y_true, y_pred):
            return ops.mean(ops.minimum(ops.abs(y_pred - y_true), 1.0), axis=-1)

    for loss in (ks.losses.get(scaled_mse), Clipped()):
        eager = np.asarray(loss(data["reg_t"], data["reg_p"], sample_weight=data["sw"]))
        (sym,), _ = traced(
            lambda a, b, w: loss(a, b, sample_weight=w), [data["reg_t"], data["reg_p"], data["sw"]]
        )
        np.testing.assert_allclose(sym, eager, rtol=1e-6)
