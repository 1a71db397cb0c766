"""A compiled C++ program gives the numpy interpreter's results (the reference), with
every compiler pass on, and with each switched off."""

import numpy as np
import pytest

from kerasette import ops
from kerasette.graph.function import Function
from kerasette.variables import Variable

RNG = np.random.default_rng(0)
W = Variable(RNG.standard_normal((6, 5)).astype(np.float32))
B = Variable(RNG.standard_normal(5).astype(np.float32))

CASES = {
    "dense_relu": lambda x: ops.relu(ops.matmul(x, W) + B),
    "dense_softmax": lambda x: ops.softmax(ops.matmul(x, W) + B),
    "chain": lambda x: ops.tanh(x * 2.0 - 1.0) * ops.exp(-ops.square(x)) + 0.5,
    "broadcast": lambda x: (x - ops.mean(x, axis=0)) / (ops.std(x, axis=0) + 1e-3),
    "reduce_axes": lambda x: ops.sum(ops.reshape(x, (-1, 2, 3)), axis=(0, 2)),
    "max_argmax": lambda x: ops.max(x, axis=-1) + ops.cast(ops.argmax(x, axis=-1), "float32"),
    "transpose_matmul": lambda x: ops.matmul(ops.transpose(x), x),
    "slice_concat": lambda x: ops.concatenate([x[:, 1:4], x[:, ::-2]], axis=1),
    "pad_tile": lambda x: ops.tile(ops.pad(x, ((0, 0), (1, 2))), (1, 2)),
    "where_compare": lambda x: (
        ops.where(x > 0.2, x, ops.zeros_like(x))
        + ops.cast(ops.logical_and(x < 1.0, x > -1.0), "float32")
    ),
    "logsumexp": lambda x: ops.logsumexp(x, axis=1, keepdims=True) - x,
    "softmax_xent": lambda x: ops.categorical_crossentropy(
        ops.softmax(x), ops.softmax(x * 0.5), from_logits=False
    ),
    "take": lambda x: ops.take(x, ops.convert_to_tensor(np.array([0, 2, 2, 1])), axis=1),
    "expand_squeeze": lambda x: ops.squeeze(ops.expand_dims(x, 1) * 3.0, axis=1),
}


def _run(fn, x, monkeypatch, env):
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    out = np.asarray(Function(fn)(x))
    for k in env:
        monkeypatch.delenv(k)
    return out


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("passes", ["", "fusion", "fold,cse", "all"])
def test_compiled_equals_interpreter(case, passes, monkeypatch):
    x = RNG.standard_normal((7, 6)).astype(np.float32)
    want = _run(CASES[case], x, monkeypatch, {"KERASETTE_INTERPRET": "1"})
    env = {"KERASETTE_DISABLE_PASSES": passes} if passes else {}
    f = Function(CASES[case])
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    got = np.asarray(f(x))
    assert f.get(x).runner.compiled, "the function fell back to the interpreter"
    np.testing.assert_allclose(got, want, rtol=2e-5, atol=2e-6)


def test_batch_sizes_get_their_own_programs():
    f = Function(CASES["dense_relu"])
    for n in (1, 3, 64, 3):
        x = RNG.standard_normal((n, 6)).astype(np.float32)
        want = np.maximum(x @ W.value + B.value, 0)
        np.testing.assert_allclose(np.asarray(f(x)), want, rtol=1e-5, atol=1e-6)
    assert len(f.get(x).runner.programs) == 3


def test_variable_assigned_in_a_traced_function():
    v = Variable(np.zeros(3, np.float32))

    def step(x):
        v.assign(v + ops.sum(x, axis=0))
        return v * 1.0

    f = Function(step)
    x = np.ones((4, 3), np.float32)
    f(x)
    f(x)
    np.testing.assert_array_equal(v.numpy(), [8.0, 8.0, 8.0])
