"""Metrics inside traced functions: update_state's assigns become graph effects (the
variables change only when the graph runs), result() traced after update_state sees
this batch, and the values equal the eager metric's. Also Keras 3's stateless forms."""

import numpy as np
import pytest
from _lm_data import make_data, traced

import kerasette as ks
from kerasette.graph.function import Function

CASES = [
    ("Mean", {}, None, "reg_p"),
    ("Sum", {}, None, "reg_p"),
    ("BinaryAccuracy", dict(threshold=0.3), "multi_t", "multi_p"),
    ("CategoricalAccuracy", {}, "onehot", "probs"),
    ("SparseCategoricalAccuracy", {}, "ids_col", "probs"),
    ("TopKCategoricalAccuracy", dict(k=2), "onehot", "ties"),
    ("SparseTopKCategoricalAccuracy", dict(k=2), "ids", "ties"),
    ("MeanSquaredError", {}, "reg_t", "reg_p"),
    ("MeanAbsoluteError", {}, "reg_t", "reg_p"),
    ("CategoricalCrossentropy", dict(from_logits=True), "onehot", "logits"),
    ("SparseCategoricalCrossentropy", {}, "ids", "probs"),
    ("Precision", dict(thresholds=[0.2, 0.5, 0.8]), "multi_t", "multi_p"),
    ("Precision", dict(top_k=2, class_id=1), "multi_t", "ties"),
    ("Recall", {}, "bin_t", "bin_p"),
    ("FalseNegatives", dict(thresholds=[0.0, 0.5, 1.0]), "multi_t", "multi_p"),
    ("AUC", {}, "bin_t", "bin_p"),
    ("AUC", dict(curve="PR"), "multi_t", "multi_p"),
    ("AUC", dict(multi_label=True, num_labels=5), "multi_t", "multi_p"),
]
BATCHES = [(30, 11), (31, 5), (32, 8)]


def _ids(case):
    name, kw, t, p = case
    return f"{name}-{'-'.join(f'{k}={v}' for k, v in kw.items())}-{t}-{p}"


def _update(metric, t, p, d, sw):
    if t is None:
        metric.update_state(d[p], sample_weight=sw)
    else:
        metric.update_state(d[t], d[p], sample_weight=sw)


def _args(t, p, d):
    return {"p": d[p], "w": d["sw"], **({} if t is None else {"t": d[t]})}


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_function_step_equals_eager(case):
    """A traced step (update_state + result) per batch, run by Function, gives the eager
    metric's running results and final state."""
    name, kwargs, t, p = case
    eager, in_graph = (getattr(ks.metrics, name)(**kwargs) for _ in range(2))

    def step(a):
        _update(in_graph, None if t is None else "t", "p", a, a["w"])
        return in_graph.result()

    fn = Function(step)
    for seed, n in BATCHES:
        d = make_data(seed, n)
        _update(eager, t, p, d, d["sw"])
        got = np.asarray(fn(_args(t, p, d)))
        np.testing.assert_allclose(got, np.asarray(eager.result()), rtol=1e-5, atol=1e-6)
    for a, b in zip(in_graph.variables, eager.variables, strict=True):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_assigns_are_effects_and_reads_see_them(case):
    name, kwargs, t, p = case
    metric = getattr(ks.metrics, name)(**kwargs)
    d = make_data(40, 9)
    before = [v.numpy() for v in metric.variables]
    arrays = [d[p], d["sw"]] + ([] if t is None else [d[t]])
    from kerasette.graph.ir import Graph
    from kerasette.graph.trace import tracing

    g = Graph("build-only")
    phs = [g.placeholder((None,) + a.shape[1:], str(a.dtype)) for a in arrays]
    with tracing(g):
        _update(
            metric,
            None if t is None else "t",
            "p",
            {"p": phs[0], **({} if t is None else {"t": phs[2]})},
            phs[1],
        )
        metric.result()
    # tracing wrote nothing; it recorded one assign per state variable
    for a, b in zip(before, metric.variables, strict=True):
        np.testing.assert_array_equal(a, b.numpy())
    assigned = {id(n.attrs["var"]) for n in (s.node for s in g.updates)}
    assert assigned == {id(v) for v in metric.variables}
    # run: the result is the state after this batch
    fn = lambda *a: (
        _update(
            metric,
            None if t is None else "t",
            "p",  # noqa: E731
            {"p": a[0], **({} if t is None else {"t": a[2]})},
            a[1],
        ),
        metric.result(),
    )[1]
    metric.reset_state()
    (res,), _ = traced(fn, arrays)
    ref = getattr(ks.metrics, name)(**kwargs)
    _update(ref, t, p, d, d["sw"])
    np.testing.assert_allclose(res, np.asarray(ref.result()), rtol=1e-5, atol=1e-6)
    for a, b in zip(metric.variables, ref.variables, strict=True):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_stateless_forms(case):
    """stateless_update_state/stateless_result: state in, state out, nothing written;
    symbolically they add no effect."""
    name, kwargs, t, p = case
    metric = getattr(ks.metrics, name)(**kwargs)
    ref = getattr(ks.metrics, name)(**kwargs)
    state = metric.stateless_reset_state()
    for seed, n in BATCHES[:2]:
        d = make_data(seed, n)
        args = (d[p],) if t is None else (d[t], d[p])
        state = metric.stateless_update_state(state, *args, sample_weight=d["sw"])
        _update(ref, t, p, d, d["sw"])
    np.testing.assert_allclose(
        np.asarray(metric.stateless_result(state)), np.asarray(ref.result()), rtol=1e-5, atol=1e-6
    )
    for v in metric.variables:  # untouched
        assert not np.any(v.numpy())
    # symbolic: the state values become graph values; no assign node is added
    d = make_data(*BATCHES[2])
    arrays = [d[p], d["sw"]] + ([] if t is None else [d[t]])
    state = [np.asarray(s) for s in state]

    def fn(*a):
        args = (a[0],) if t is None else (a[2], a[0])
        new = metric.stateless_update_state(state, *args, sample_weight=a[1])
        return [metric.stateless_result(new)] + list(new)

    outs, g = traced(fn, arrays)
    assert not getattr(g, "updates", [])
    _update(ref, t, p, d, d["sw"])
    np.testing.assert_allclose(outs[0], np.asarray(ref.result()), rtol=1e-5, atol=1e-6)
    for new, v in zip(outs[1:], ref.variables, strict=True):
        np.testing.assert_allclose(new, v.numpy(), rtol=1e-5, atol=1e-5)
    for v in metric.variables:
        assert not np.any(v.numpy())
