"""Every op, eagerly on numpy inputs, against its numpy reference (tests/ops/_cases.py),
plus the dtype and error rules."""

import numpy as np
import pytest
from _cases import CASES

from kerasette import ops
from kerasette.tensor import Tensor


def _close(got, want, rtol, atol):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, (got.shape, want.shape)
    if want.dtype == bool or got.dtype == bool:
        np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_allclose(
            got.astype(np.float64), want.astype(np.float64), rtol=rtol, atol=atol
        )


@pytest.mark.parametrize("c", CASES, ids=repr)
def test_eager_matches_numpy(c):
    out = c.fn(*c.args)
    assert isinstance(out, Tensor), type(out)
    with np.errstate(all="ignore"):
        want = c.ref(
            *[np.asarray(a, np.float64) if np.asarray(a).dtype.kind == "f" else a for a in c.args]
        )
    _close(out, want, max(c.rtol, 1e-5), max(c.atol, 1e-5))


def test_no_copy_to_numpy():
    t = ops.add(np.ones(3, np.float32), 1.0)
    assert np.asarray(t) is t.numpy()


@pytest.mark.parametrize(
    "fn,args,dtype",
    [
        (ops.add, (np.arange(3, dtype=np.int32), 1.0), "float32"),
        (ops.add, (np.arange(3, dtype=np.int8), 1), "int8"),
        (ops.add, (np.ones(3, np.float16), 1.0), "float16"),
        (ops.add, (np.arange(3, dtype=np.int32), np.ones(3, np.float16)), "float16"),
        (ops.add, (np.arange(3, dtype=np.uint8), np.arange(3, dtype=np.int8)), "int16"),
        (ops.add, (np.ones(3, bool), 1), "int32"),
        (ops.divide, (np.arange(3, dtype=np.int32), 2), "float32"),
        (ops.divide, (np.arange(3, dtype=np.int64), np.arange(1, 4, dtype=np.int64)), "float32"),
        (ops.power, (np.arange(3, dtype=np.int32), 2), "int32"),
        (ops.exp, (np.arange(3, dtype=np.int32),), "float32"),
        (ops.floor, (np.arange(3, dtype=np.int32),), "float32"),
        (ops.round, (np.arange(3, dtype=np.int32),), "int32"),
        (ops.square, (np.ones(3, bool),), "int32"),
        (ops.abs, (np.arange(3, dtype=np.uint8),), "uint8"),
        (ops.sum, (np.arange(3, dtype=np.int8),), "int32"),
        (ops.sum, (np.arange(3, dtype=np.uint8),), "uint32"),
        (ops.sum, (np.ones(3, bool),), "int32"),
        (ops.prod, (np.arange(3, dtype=np.int16),), "int32"),
        (ops.mean, (np.arange(3, dtype=np.int32),), "float32"),
        (ops.mean, (np.arange(3, dtype=np.float64),), "float64"),
        (ops.var, (np.arange(3, dtype=np.int32),), "float32"),
        (ops.max, (np.arange(3, dtype=np.int8),), "int8"),
        (ops.argmax, (np.arange(3, dtype=np.float32),), "int32"),
        (ops.cumsum, (np.arange(3, dtype=np.int8),), "int8"),
        (ops.cumsum, (np.ones(3, bool),), "int32"),
        (ops.matmul, (np.ones((2, 2), np.int8), np.ones((2, 2), np.int8)), "int32"),
        (ops.matmul, (np.ones((2, 2), np.int32), np.ones((2, 2), np.float32)), "float32"),
        (ops.arange, (5,), "int32"),
        (ops.arange, (5.0,), "float32"),
        (ops.arange, (0, 5, 0.5), "float32"),
        (ops.zeros, ((2,),), "float32"),
        (ops.full, ((2,), 1), "float32"),
        (ops.ones_like, (np.arange(3, dtype=np.int32),), "int32"),
        (ops.eye, (3,), "float32"),
        (ops.linspace, (0, 1, 5), "float32"),
        (ops.one_hot, (np.array([0, 1]), 3), "float32"),
        (ops.clip, (np.ones(3, bool), 0, 1), "int32"),
        (ops.where, (np.array([True, False]), 1, 2), "int32"),
        (ops.where, (np.array([True, False]), np.arange(2, dtype=np.int32), 1.0), "float32"),
        (ops.maximum, (np.arange(3, dtype=np.int32), 1.5), "float32"),
        (ops.concatenate, ([np.ones(2, np.int8), np.ones(2, np.int32)],), "int32"),
        (ops.equal, (np.arange(3, dtype=np.int32), 1.0), "bool"),
        (ops.convert_to_tensor, ([1, 2],), "int32"),
        (ops.convert_to_tensor, ([1.0, 2],), "float32"),
        (ops.convert_to_tensor, (np.ones(2),), "float64"),
    ],
)
def test_result_dtypes(fn, args, dtype):
    """Keras 3 (TF backend) result dtypes, checked against real Keras in test_ops_vs_keras."""
    assert str(np.asarray(fn(*args)).dtype) == dtype


@pytest.mark.parametrize(
    "fn,msg",
    [
        (lambda: ops.add(np.ones((2, 3)), np.ones((4,))), "broadcast"),
        (lambda: ops.matmul(np.ones((2, 3)), np.ones((4, 5))), "incompatible"),
        (lambda: ops.reshape(np.ones((2, 3)), (4, 2)), "reshape"),
        (lambda: ops.sum(np.ones((2, 3)), axis=2), "out of bounds"),
        (lambda: ops.squeeze(np.ones((2, 3)), axis=0), "squeeze"),
        (lambda: ops.concatenate([np.ones((2, 3)), np.ones((2, 4))], axis=0), "concatenate"),
        (lambda: ops.take(np.ones((2, 3)), np.array([3]), axis=1), "out of range"),
        (lambda: ops.split(np.ones(5), 2), "split"),
        (lambda: ops.conv(np.ones((1, 5, 3)), np.ones((3, 2, 4))), "channels"),
        (
            lambda: ops.sparse_categorical_crossentropy(np.array([3]), np.ones((1, 3))),
            "out of range",
        ),
        (lambda: ops.binary_crossentropy(np.ones((2, 3)), np.ones((2, 4))), "same shape"),
        (lambda: ops.glu(np.ones((2, 3))), "divisible by 2"),
        (lambda: ops.max(np.zeros((0, 3)), axis=0), "empty"),
        (lambda: ops.transpose(np.ones((2, 3)), (0, 0)), "permutation"),
    ],
)
def test_bad_input_errors(fn, msg):
    with pytest.raises(ValueError, match=msg):
        fn()


def test_tensor_operators_and_indexing():
    t = ops.convert_to_tensor(np.arange(12, dtype=np.float32).reshape(3, 4))
    np.testing.assert_array_equal(np.asarray(t[1:, ::-2]), np.arange(12).reshape(3, 4)[1:, ::-2])
    np.testing.assert_array_equal(
        np.asarray((t * 2 + 1) / 2), (np.arange(12).reshape(3, 4) * 2 + 1) / 2
    )
    np.testing.assert_array_equal(np.asarray(t[t > 5]), np.arange(6, 12))
    assert t.T.shape == (4, 3)


def test_where_single_argument():
    idx = ops.where(np.array([[True, False], [False, True]]))
    assert [np.asarray(i).tolist() for i in idx] == [[0, 1], [0, 1]]


def test_creation():
    np.testing.assert_array_equal(np.asarray(ops.arange(5, 0, -2)), [5, 3, 1])
    np.testing.assert_allclose(
        np.asarray(ops.linspace(0, 1, 5, endpoint=False)), [0, 0.2, 0.4, 0.6, 0.8], rtol=1e-6
    )
    np.testing.assert_array_equal(np.asarray(ops.eye(3, 4, k=1)), np.eye(3, 4, k=1))
    np.testing.assert_array_equal(np.asarray(ops.tri(3)), np.tri(3))
    np.testing.assert_array_equal(np.asarray(ops.full_like(np.zeros(2, np.int32), 1.5)), [1, 1])


def test_core_helpers():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    assert ops.shape(x) == (2, 3)
    assert ops.dtype(x) == "float32"
    assert ops.is_tensor(ops.convert_to_tensor(x)) and not ops.is_tensor(x)
    assert isinstance(ops.convert_to_numpy(ops.add(x, 1)), np.ndarray)
    np.testing.assert_array_equal(np.asarray(ops.stop_gradient(x)), x)
    np.testing.assert_array_equal(np.asarray(ops.cast(np.array([-1.7, 1.7]), "int32")), [-1, 1])
    np.testing.assert_array_equal(
        np.asarray(ops.scatter_update(np.zeros((2, 2)), np.array([[0, 1]]), np.array([5.0]))),
        [[0, 5], [0, 0]],
    )


def test_random_is_counter_based():
    a = ops.random.uniform((1000,), seed=3)
    b = ops.random.uniform((1000,), seed=3)
    c = ops.random.uniform((1000,), seed=(3, 1))
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    assert not np.array_equal(np.asarray(a), np.asarray(c))
    u = np.asarray(a)
    assert u.dtype == np.float32 and 0 <= u.min() and u.max() < 1 and abs(u.mean() - 0.5) < 0.05
    n = np.asarray(ops.random.normal((20000,), seed=5))
    assert abs(n.mean()) < 0.03 and abs(n.std() - 1) < 0.03
    d1 = ops.random.normal((3,), seed=None)
    d2 = ops.random.normal((3,), seed=None)
    assert not np.array_equal(np.asarray(d1), np.asarray(d2))


def test_dropout():
    x = np.ones((200, 50), np.float32)
    y = np.asarray(ops.random.dropout(x, 0.3, seed=7))
    kept = y != 0
    assert abs(kept.mean() - 0.7) < 0.02
    np.testing.assert_allclose(y[kept], 1 / 0.7, rtol=1e-6)
    np.testing.assert_array_equal(np.asarray(ops.random.dropout(x, 0.3, seed=7)), y)
    ns = np.asarray(ops.random.dropout(x, 0.5, noise_shape=(1, 50), seed=1))
    assert (ns == ns[0]).all()


def test_rng_bits_are_the_documented_formula():
    """The eager draws are the C++ generator's (kerasette/random.h, program.cc's keys):
    pin the formula, written here in Python ints."""
    from kerasette.graph.prims.random import uniform01

    M = (1 << 64) - 1

    def fin(z):
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
        return z ^ (z >> 31)

    def mix(s, t, i):  # rng_mix(seed, stream, counter)
        base = ((s * 0x9E3779B97F4A7C15) & M) ^ (
            ((t + 0x632BE59BD9B4E019) & M) * 0xBF58476D1CE4E5B9 & M
        )
        return fin((base + 0x9E3779B97F4A7C15 + i * 0x94D049BB133111EB) & M)

    seed, counter = 12345, 7
    key = mix(counter, 0, 0x6B6572617365747A) ^ 0x5EED  # the counter as a seed state
    want = [(mix(key, seed, i) >> 40) * 2.0**-24 for i in range(5)]
    assert [float(v) for v in uniform01(seed, counter, (5,))] == want
