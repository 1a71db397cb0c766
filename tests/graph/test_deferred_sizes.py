"""Convolution and pooling traced with spatial sizes unknown (`placeholder((None, None,
None, 2))`): the graph holds a `deferred` node with None output sizes, and runs (numpy
interpreter, or a program specialized for the fed shape) with the real ops. Against a
direct numpy convolution, and the gradients against finite differences."""

import numpy as np
import pytest

from kerasette import graph, ops
from kerasette.graph import compiler
from kerasette.graph.autodiff import gradients
from kerasette.graph.fnir import FnIR
from kerasette.graph.interpreter import evaluate
from kerasette.graph.ir import Graph
from kerasette.graph.lower import Lowering
from kerasette.graph.program import CompiledProgram, specialize
from kerasette.graph.trace import tracing

RNG = np.random.default_rng(0)
K = RNG.standard_normal((3, 3, 2, 4)) * 0.4


def conv_ref(x, k, stride, padding):
    """Direct NHWC convolution in float64, TF's 'same' padding (extra on the far side)."""
    n, h, w, _ = x.shape
    kh, kw, _, o = k.shape
    if padding == "same":
        oh, ow = -(-h // stride), -(-w // stride)
        ph = max((oh - 1) * stride + kh - h, 0)
        pw = max((ow - 1) * stride + kw - w, 0)
        x = np.pad(x, ((0, 0), (ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2), (0, 0)))
    else:
        oh, ow = (h - kh) // stride + 1, (w - kw) // stride + 1
    y = np.zeros((n, oh, ow, o))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, i * stride : i * stride + kh, j * stride : j * stride + kw, :]
            y[:, i, j, :] = np.einsum("nabc,abco->no", patch, k)
    return y


def _net(x, k):
    y = ops.conv(x, k, strides=2, padding="same")
    return ops.max_pool(ops.relu(y), 2, padding="same")


def _net_ref(x, k):
    y = np.maximum(conv_ref(x, k, 2, "same"), 0)
    n, h, w, c = y.shape
    oh, ow = -(-h // 2), -(-w // 2)
    y = np.pad(y, ((0, 0), (0, 2 * oh - h), (0, 2 * ow - w), (0, 0)), constant_values=-np.inf)
    return y.reshape(n, oh, 2, ow, 2, c).max(axis=(2, 4))


def _graph():
    g = Graph("deferred_test")
    x = g.placeholder((None, None, None, 2), name="x")
    k = g.placeholder((3, 3, 2, 4), name="k")
    with tracing(g):
        y = _net(x, k)
    return g, x, k, y


def test_unknown_sizes_stay_none_in_the_graph():
    _, _, _, y = _graph()
    assert y.shape == (None, None, None, 4)
    assert y.node.op == "deferred"


@pytest.mark.parametrize("hw", [(7, 9), (12, 5)])
def test_interpreted_and_compiled_match_numpy(hw):
    g, x, k, y = _graph()
    xv = RNG.standard_normal((2,) + hw + (2,)).astype(np.float32)
    kv = K.astype(np.float32)
    want = _net_ref(xv.astype(np.float64), K)
    (got,) = evaluate([y], {x: xv, k: kv})
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    fn = specialize(compiler.optimize(FnIR(g, [x, k], [y])), [xv.shape, kv.shape])
    kernels = [i.kernel for i in Lowering(fn).run().instrs]
    assert "conv2d" in kernels and "pool2d" in kernels
    assert all(n.op != "deferred" for n in fn.nodes)
    (out,) = CompiledProgram(fn)([xv, kv])
    np.testing.assert_allclose(out, want, rtol=1e-5, atol=1e-5)


def _fd(f, a, eps=1e-6):
    g = np.zeros_like(a)
    for idx in np.ndindex(a.shape):
        d = np.zeros_like(a)
        d[idx] = eps
        g[idx] = (f(a + d) - f(a - d)) / (2 * eps)
    return g


def test_gradients_through_unknown_sizes_match_finite_differences():
    g = Graph("deferred_grad")
    x = g.placeholder((None, None, None, 2), name="x")
    k = g.placeholder((3, 3, 2, 4), name="k")
    with tracing(g):
        loss = ops.sum(ops.square(_net(x, k)))
        gx, gk = gradients(loss, [x, k])
    assert gx.shape == (None, None, None, 2) and gk.shape == (3, 3, 2, 4)
    xv = RNG.standard_normal((1, 5, 6, 2))

    def loss_ref(xa, ka):
        return float(np.sum(np.square(_net_ref(xa, ka))))

    want_x = _fd(lambda a: loss_ref(a, K), xv)
    want_k = _fd(lambda a: loss_ref(xv, a), K)
    feeds = [xv.astype(np.float32), K.astype(np.float32)]
    got = evaluate([gx, gk], dict(zip([x, k], feeds)))
    fn = specialize(compiler.optimize(FnIR(g, [x, k], [gx, gk])), [f.shape for f in feeds])
    assert all(n.op != "deferred" for n in fn.nodes)
    compiled = CompiledProgram(fn)(feeds)
    for result in (got, compiled):
        for mine, want in zip(result, (want_x, want_k)):
            np.testing.assert_allclose(mine, want, rtol=2e-3, atol=2e-3)


def test_session_runs_two_sizes():
    """TF1's API: one placeholder of unknown height and width fed two image sizes."""
    graph.reset_default_graph()
    x = graph.placeholder(shape=(None, None, None, 2))
    y = ops.average_pool(ops.conv(x, K.astype(np.float32), padding="valid"), 2)
    assert tuple(y.shape) == (None, None, None, 4)
    sess = graph.Session()
    for hw in ((6, 8), (9, 7)):
        xv = RNG.standard_normal((1,) + hw + (2,)).astype(np.float32)
        c = conv_ref(xv.astype(np.float64), K, 1, "valid")
        n, h, w, ch = c.shape
        want = c[:, : h // 2 * 2, : w // 2 * 2].reshape(n, h // 2, 2, w // 2, 2, ch).mean((2, 4))
        np.testing.assert_allclose(sess.run(y, {x: xv}), want, rtol=1e-5, atol=1e-5)


def test_bad_padding_is_refused_when_traced():
    g = Graph("bad")
    x = g.placeholder((None, None, 2))
    with tracing(g), pytest.raises(ValueError, match="padding"):
        ops.max_pool(x, 2, padding="full")
