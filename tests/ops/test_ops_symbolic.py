"""Every op traced on placeholders (batch dimension None where the case allows), checked
for its inferred shape/dtype and evaluated by the interpreter against the eager result."""

import numpy as np
import pytest
from _cases import CASES

from kerasette import ops
from kerasette.graph.function import Function
from kerasette.graph.interpreter import evaluate
from kerasette.graph.ir import Graph, Sym
from kerasette.graph.trace import tracing


def _trace(c, batch):
    g = Graph(c.name)
    phs = []
    for a in c.args:
        a = np.asarray(a)
        shape = a.shape
        if batch and a.ndim >= 1 and a is np.asarray(c.args[0]):
            shape = (None,) + shape[1:]
        phs.append(g.placeholder(shape, str(a.dtype)))
    with tracing(g):
        out = c.fn(*phs)
    return g, phs, out


@pytest.mark.parametrize("c", CASES, ids=repr)
def test_traced_matches_eager(c):
    eager = np.asarray(c.fn(*c.args))
    batch = c.batch and np.asarray(c.args[0]).ndim >= 1 and np.asarray(c.args[0]).shape[0] > 1
    g, phs, out = _trace(c, batch)
    assert isinstance(out, Sym), type(out)
    # the inferred shape agrees with the eventual concrete shape wherever it is known
    assert len(out.shape) == eager.ndim, (out.shape, eager.shape)
    for s, e in zip(out.shape, eager.shape):
        assert s is None or s == e, (out.shape, eager.shape)
    if not batch:
        assert out.shape == eager.shape
    assert np.dtype(out.dtype) == eager.dtype, (out.dtype, eager.dtype)
    (got,) = evaluate([out], dict(zip(phs, [np.asarray(a) for a in c.args])))
    assert got.shape == eager.shape and got.dtype == eager.dtype
    np.testing.assert_allclose(
        got.astype(np.float64) if got.dtype != bool else got,
        eager.astype(np.float64) if eager.dtype != bool else eager,
        rtol=1e-6,
        atol=1e-6,
    )


def test_batch_dim_shapes():
    g = Graph()
    x = g.placeholder((None, 8, 3), "float32")
    with tracing(g):
        assert ops.reshape(x, (-1, 24)).shape == (None, 24)
        assert ops.mean(x, axis=1).shape == (None, 3)
        assert ops.mean(x, axis=0).shape == (8, 3)
        assert ops.conv(x, np.ones((3, 3, 4), np.float32), padding="same").shape == (None, 8, 4)
        assert ops.max_pool(x, 2).shape == (None, 4, 3)
        assert ops.matmul(x, np.ones((3, 5), np.float32)).shape == (None, 8, 5)
        assert ops.concatenate([x, x], axis=0).shape == (None, 8, 3)
        assert x[:, 1:].shape == (None, 7, 3)
        assert ops.expand_dims(x, 1).shape == (None, 1, 8, 3)
        assert ops.sparse_categorical_crossentropy(
            g.placeholder((None,), "int32"), g.placeholder((None, 5), "float32")
        ).shape == (None,)
        assert ops.einsum("btc,cd->btd", x, np.ones((3, 2), np.float32)).shape == (None, 8, 2)
        assert ops.zeros_like(x).shape == (None, 8, 3)


def test_mean_over_unknown_batch():
    g = Graph()
    x = g.placeholder((None, 3), "float32")
    with tracing(g):
        m = ops.mean(x)
    a = np.arange(12, dtype=np.float32).reshape(4, 3)
    np.testing.assert_allclose(evaluate([m], {x: a})[0], a.mean(), rtol=1e-6)


def test_function_traces_once_per_signature():
    calls = []

    def f(x):
        calls.append(1)
        return ops.softmax(ops.matmul(x, np.eye(3, dtype=np.float32)) * 2.0)

    fn = Function(f)
    a = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    out1 = fn(a)
    out2 = fn(a[:2])
    assert len(calls) == 1
    np.testing.assert_allclose(np.asarray(out1)[:2], np.asarray(out2), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(out1), np.asarray(ops.softmax(a * 2.0)), rtol=1e-6)


def test_crossentropy_uses_logits_behind_softmax():
    g = Graph()
    x = g.placeholder((None, 3), "float32")
    t = g.placeholder((None,), "int32")
    with tracing(g):
        loss = ops.sparse_categorical_crossentropy(t, ops.softmax(x))
    assert loss.node.op == "sparse_softmax_cross_entropy"
    assert loss.node.inputs[0] is x
    logits = np.array([[100.0, 0.0, -100.0]], np.float32)
    (v,) = evaluate([loss], {x: logits, t: np.array([2], np.int32)})
    np.testing.assert_allclose(v, [200.0], rtol=1e-5)  # unclipped, as Keras


def test_dropout_stream_in_graph():
    g = Graph()
    x = g.placeholder((None, 100), "float32")
    step = g.placeholder((), "int64")
    with tracing(g):
        y = ops.random.dropout(x, 0.5, seed=(11, step))
    a = np.ones((4, 100), np.float32)
    (m0,) = evaluate([y], {x: a, step: np.asarray(0, np.int64)})
    (m0b,) = evaluate([y], {x: a, step: np.asarray(0, np.int64)})
    (m1,) = evaluate([y], {x: a, step: np.asarray(1, np.int64)})
    np.testing.assert_array_equal(m0, m0b)
    assert not np.array_equal(m0, m1)
