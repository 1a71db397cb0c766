"""The fused recurrent primitives (graph/fused/recurrent.py): the numpy evals' BPTT
gradients against finite differences, and the compiled C++ kernels (forward and the
grad kernels reached through autodiff) against the numpy evals."""

import numpy as np
import pytest

from kerasette import ops
from kerasette.graph import autodiff, compiler
from kerasette.graph.function import Function
from kerasette.graph.fused import recurrent as R
from kerasette.graph.lower import Lowering
from kerasette.graph.program import specialize
from kerasette.graph.trace import apply
from kerasette.variables import Variable

B, T, U_ = 3, 5, 4
MASK = np.array([[1, 0, 1, 1, 1], [0, 1, 1, 0, 1], [1, 1, 1, 1, 0]], np.float32)
CASES = [
    ("lstm_seq", {}),
    ("gru_seq", {"reset_after": True}),
    ("gru_seq", {"reset_after": False}),
    ("rnn_seq", {"act": "tanh"}),
    ("rnn_seq", {"act": "relu"}),
    ("rnn_seq", {"act": "linear"}),
]


def _arrays(op, attrs, seed=0):
    r = np.random.default_rng(seed)
    G = {"lstm_seq": 4, "gru_seq": 3, "rnn_seq": 1}[op]
    f = lambda *s: (r.standard_normal(s) * 0.5).astype(np.float32)  # noqa: E731
    xs = [f(B, T, G * U_), f(B, U_)]
    if op == "lstm_seq":
        xs.append(f(B, U_))
    xs.append(f(U_, G * U_))
    if op == "gru_seq" and attrs["reset_after"]:
        xs.append(f(3 * U_))
    return xs


def _n_diff(op):
    return {"lstm_seq": 2, "gru_seq": 1, "rnn_seq": 1}[op]


def _loss_weights(op, outs, seed=1):
    r = np.random.default_rng(seed)
    return [r.standard_normal(o.shape).astype(np.float32) for o in outs[: _n_diff(op)]]


def _fwd(op, attrs, xs, mask):
    extra = [mask] if mask is not None else []
    out = R.__dict__["_" + op.split("_")[0] + "_eval"](
        *xs, *extra, masked=mask is not None, **attrs
    )
    return out if isinstance(out, tuple) else (out,)


def _grad_eval(op, attrs, xs, mask, outs, ws):
    extra = [mask] if mask is not None else []
    m = mask is not None
    if op == "lstm_seq":
        return R._lstm_grad_eval(
            xs[1], xs[2], xs[3], *extra, outs[0], outs[1], outs[2], ws[0], ws[1], masked=m
        )
    if op == "gru_seq":
        return R._gru_grad_eval(xs[1], xs[2], *extra, outs[0], outs[1], ws[0], masked=m, **attrs)
    return R._rnn_grad_eval(xs[1], xs[2], *extra, outs[0], ws[0], masked=m, **attrs)


@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("op,attrs", CASES)
def test_bptt_matches_finite_differences(op, attrs, masked):
    mask = MASK if masked else None
    xs = [x.astype(np.float64) for x in _arrays(op, attrs)]
    outs = _fwd(op, attrs, xs, mask)
    ws = _loss_weights(op, outs)

    def loss(args):
        return sum(
            float((o.astype(np.float64) * w).sum()) for o, w in zip(_fwd(op, attrs, args, mask), ws)
        )

    grads = _grad_eval(op, attrs, xs, mask, outs, ws)
    eps = 1e-2
    for k, (a, g) in enumerate(zip(xs, grads)):
        num = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            ap = [x.copy() for x in xs]
            am = [x.copy() for x in xs]
            ap[k][idx] += eps
            am[k][idx] -= eps
            num[idx] = (loss(ap) - loss(am)) / (2 * eps)
        np.testing.assert_allclose(g, num, atol=5e-3, rtol=5e-3, err_msg=f"input {k}")


def _compiled(op, attrs, xs, mask):
    """The op and its input grads as one compiled function of xp (the rest Variables)."""
    vs = [Variable(a) for a in xs[1:]]
    ws = None

    def f(xp):
        extra = [ops.convert_to_tensor(mask) > 0] if mask is not None else []
        syms = [ops.reshape(v, v.shape) for v in vs]  # Variable reads as graph values
        outs = apply(op, [xp] + syms + extra, masked=mask is not None, **attrs)
        outs = outs if isinstance(outs, tuple) else (outs,)
        loss = sum(ops.sum(o * w) for o, w in zip(outs, ws))
        grads = autodiff.gradients(loss, [xp] + syms)
        return tuple(outs[: _n_diff(op)]) + tuple(grads)

    ref_outs = _fwd(op, attrs, xs, mask)
    ws = _loss_weights(op, ref_outs)
    return f, ref_outs, ws


@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("op,attrs", CASES)
def test_compiled_kernels_match_numpy(op, attrs, masked):
    mask = MASK if masked else None
    xs = _arrays(op, attrs, seed=2)
    f, ref_outs, ws = _compiled(op, attrs, xs, mask)
    traced = Function(f).get(xs[0])
    fn = specialize(compiler.optimize(traced.fn), [xs[0].shape])
    kernels = [i.kernel for i in Lowering(fn).run().instrs]
    assert op in kernels and op + "_grad" in kernels
    got = Function(f)(xs[0])
    ref_grads = _grad_eval(op, attrs, xs, mask, ref_outs, ws)
    want = list(ref_outs[: _n_diff(op)]) + list(ref_grads)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        np.testing.assert_allclose(np.asarray(g), w, atol=2e-5, rtol=2e-4)
