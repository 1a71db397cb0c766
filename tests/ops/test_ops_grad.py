"""Every differentiable op's gradient, from the grad rules (graph/autodiff.py) evaluated
by the interpreter, against central finite differences, all in float64.

The loss is sum(op(x) * W) with W fixed random weights. Finite differences use step
1e-6 on float64 inputs; the tolerance is rtol 1e-5 (c.gtol) and atol 1e-6, which float64
differences meet comfortably for smooth functions away from kinks (the cases' inputs are
chosen away from them)."""

import numpy as np
import pytest
from _cases import CASES

from kerasette import ops
from kerasette.graph.autodiff import gradients
from kerasette.graph.interpreter import evaluate
from kerasette.graph.ir import Graph
from kerasette.graph.trace import tracing

GRAD_CASES = [c for c in CASES if c.grad_args()]
EPS = 1e-6
MAX_PROBES = 24  # elements checked per input (chosen at random beyond that)


def _as64(a):
    a = np.asarray(a)
    return a.astype(np.float64) if a.dtype.kind == "f" else a


@pytest.mark.parametrize("c", GRAD_CASES, ids=repr)
def test_grad_matches_finite_differences(c):
    args = [_as64(a) for a in c.args]
    g = Graph(c.name)
    phs = [g.placeholder(a.shape, str(a.dtype)) for a in args]
    rng = np.random.default_rng(1)
    with tracing(g):
        out = c.fn(*phs)
        w = rng.standard_normal(out.shape)
        loss = ops.sum(ops.multiply(ops.cast(out, "float64"), ops.cast(w, "float64")))
        wrt = [phs[i] for i in c.grad_args()]
        grads = gradients(loss, wrt)
    feeds = dict(zip(phs, args))
    got = evaluate([gr if gr is not None else loss for gr in grads], feeds)

    def f(i, arr):
        fd = dict(feeds)
        fd[phs[i]] = arr
        return float(evaluate([loss], fd)[0])

    for k, i in enumerate(c.grad_args()):
        assert grads[k] is not None, f"no gradient reached input {i}"
        gk = np.asarray(got[k])
        assert gk.shape == args[i].shape, (gk.shape, args[i].shape)
        n = args[i].size
        probes = range(n) if n <= MAX_PROBES else rng.choice(n, MAX_PROBES, replace=False)
        for j in probes:
            plus, minus = args[i].copy(), args[i].copy()
            plus.flat[j] += EPS
            minus.flat[j] -= EPS
            num = (f(i, plus) - f(i, minus)) / (2 * EPS)
            np.testing.assert_allclose(
                gk.flat[j], num, rtol=c.gtol, atol=1e-6, err_msg=f"input {i}, element {j}"
            )


def test_grads_reach_through_unknown_batch():
    """Reductions' and broadcasts' gradients work when the batch size is known only at
    run time (broadcast_like, no reshape to the unknown shape)."""
    g = Graph()
    x = g.placeholder((None, 4), "float32")
    w = g.placeholder((4, 3), "float32")
    with tracing(g):
        y = ops.mean(ops.square(ops.matmul(x, w) + np.ones(3, np.float32)))
        gx, gw = gradients(y, [x, w])
    a = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    b = np.random.default_rng(1).standard_normal((4, 3)).astype(np.float32)
    vx, vw = evaluate([gx, gw], {x: a, w: b})
    r = a @ b + 1
    np.testing.assert_allclose(vx, 2 * r @ b.T / r.size, rtol=1e-5)
    np.testing.assert_allclose(vw, 2 * a.T @ r / r.size, rtol=1e-5)


def test_dropout_grad_uses_the_same_mask():
    g = Graph()
    x = g.placeholder((6, 50), "float32")
    with tracing(g):
        y = ops.random.dropout(x, 0.4, seed=3)
        (gx,) = gradients(ops.sum(y), [x])
    a = np.ones((6, 50), np.float32)
    vy, vg = evaluate([y, gx], {x: a})
    np.testing.assert_allclose(vg, vy)  # d/dx of x*mask/(1-rate) at x=1 is the output


def test_prod_grad_with_zeros():
    g = Graph()
    x = g.placeholder((3, 3), "float64")
    with tracing(g):
        (gx,) = gradients(ops.sum(ops.prod(x, axis=1)), [x])
    a = np.array([[0.0, 2.0, 3.0], [0.0, 0.0, 5.0], [1.0, 2.0, 4.0]])
    (v,) = evaluate([gx], {x: a})
    np.testing.assert_allclose(v, [[6, 0, 0], [0, 0, 0], [8, 4, 2]])
