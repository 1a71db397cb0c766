"""kerasette's GEMM against numpy (float64 reference) over shapes, transposes,
alpha/beta, strided views, every ISA path this CPU supports and 1 and 2 threads."""

import itertools

import numpy as np
import pytest

from kerasette.backend import core

ISAS = core.cpu_features()["supported_isas"]
ACT = {"linear": 0, "relu": 1, "sigmoid": 8, "softmax": 11}  # csrc/include/kerasette/activation.h


def operands(rng, m, n, k, ta, tb):
    a = rng.standard_normal((k, m) if ta else (m, k)).astype(np.float32)
    b = rng.standard_normal((n, k) if tb else (k, n)).astype(np.float32)
    return a, b


def reference(a, b, ta, tb):
    return (a.T if ta else a).astype(np.float64) @ (b.T if tb else b).astype(np.float64)


def assert_close(got, want, k):
    # float32 accumulation error grows like sqrt(K); scale the bound by |a||b| terms.
    tol = 1e-5 * max(1.0, np.sqrt(k)) * max(1.0, np.abs(want).max())
    np.testing.assert_allclose(got, want, rtol=0, atol=tol)


SIZES = [1, 7, 17, 33]


@pytest.mark.parametrize("ta,tb", list(itertools.product([False, True], repeat=2)))
@pytest.mark.parametrize("m,n,k", list(itertools.product(SIZES, SIZES, SIZES)))
def test_small_shapes_all_transposes(isa, m, n, k, ta, tb):
    rng = np.random.default_rng(m * 10000 + n * 100 + k)
    a, b = operands(rng, m, n, k, ta, tb)
    c = core.gemm(a, b, trans_a=ta, trans_b=tb)
    assert c.shape == (m, n) and c.dtype == np.float32
    assert_close(c, reference(a, b, ta, tb), k)


@pytest.mark.parametrize("ta,tb", list(itertools.product([False, True], repeat=2)))
@pytest.mark.parametrize(
    "m,n,k",
    [
        (1000, 33, 17),
        (17, 1000, 33),
        (33, 17, 1000),
        (1000, 1000, 7),
        (1, 1000, 1000),
        (257, 301, 1000),
        (300, 130, 520),
        (100, 300, 700),
    ],
)  # one row block: A packed once, shared
def test_large_and_ragged(isa, threads, m, n, k, ta, tb):
    rng = np.random.default_rng(m + n + k)
    a, b = operands(rng, m, n, k, ta, tb)
    assert_close(core.gemm(a, b, trans_a=ta, trans_b=tb), reference(a, b, ta, tb), k)


@pytest.mark.parametrize(
    "m,n,k,ta,tb",
    [
        (128, 256, 784, False, False),  # Dense forward
        (128, 784, 256, False, True),  # dX = dY @ W^T
        (784, 256, 128, True, False),  # dW = X^T @ dY
        (1, 256, 784, False, False),  # one-row predict
        (32, 64, 32, False, False),
        (128, 10, 128, False, False),  # 10-class output layer: the half-width tile
        (128, 10, 128, True, False),  # its dW
        (1024, 16, 128, False, False),  # exactly one half-width vector
        (130, 300, 513, False, False),  # K split into equal panels (3 x 171)
    ],
)
def test_mlp_shapes(isa, threads, m, n, k, ta, tb):
    rng = np.random.default_rng(1)
    a, b = operands(rng, m, n, k, ta, tb)
    assert_close(core.gemm(a, b, trans_a=ta, trans_b=tb), reference(a, b, ta, tb), k)


@pytest.mark.parametrize(
    "alpha,beta",
    [(1.0, 0.0), (0.5, 0.0), (1.0, 1.0), (-2.0, 0.75), (0.0, 0.5), (0.0, 0.0), (1.5, -1.0)],
)
@pytest.mark.parametrize("ta,tb", [(False, False), (True, True)])
@pytest.mark.parametrize("m,n,k", [(33, 17, 7), (100, 70, 300), (1, 300, 70)])
def test_alpha_beta(isa, threads, m, n, k, alpha, beta, ta, tb):
    rng = np.random.default_rng(7)
    a, b = operands(rng, m, n, k, ta, tb)
    c0 = rng.standard_normal((m, n)).astype(np.float32)
    c = c0.copy()
    out = core.gemm(a, b, c, alpha=alpha, beta=beta, trans_a=ta, trans_b=tb)
    assert out is c or np.shares_memory(out, c)  # written in place
    assert_close(c, alpha * reference(a, b, ta, tb) + beta * c0.astype(np.float64), k)


@pytest.mark.parametrize("m,n,k", [(7, 33, 17), (130, 90, 600), (1, 256, 784)])
def test_beta_zero_never_reads_c(isa, threads, m, n, k):
    rng = np.random.default_rng(3)
    a, b = operands(rng, m, n, k, False, False)
    c = np.full((m, n), np.nan, np.float32)
    core.gemm(a, b, c, beta=0.0)
    assert np.isfinite(c).all()
    assert_close(c, reference(a, b, False, False), k)


def test_k_zero_and_empty(isa):
    a = np.zeros((5, 0), np.float32)
    b = np.zeros((0, 4), np.float32)
    c = np.full((5, 4), 3.0, np.float32)
    core.gemm(a, b, c, beta=0.5)
    np.testing.assert_array_equal(c, 1.5)
    assert core.gemm(np.zeros((0, 3), np.float32), np.ones((3, 4), np.float32)).shape == (0, 4)
    assert core.gemm(np.zeros((3, 3), np.float32), np.ones((3, 0), np.float32)).shape == (3, 0)


def test_strided_and_transposed_views(isa):
    rng = np.random.default_rng(5)
    big = rng.standard_normal((90, 120)).astype(np.float32)
    a = big[::2, 3:60]  # row stride 240 floats, offset start
    b = big[:57, 70:101]  # (57, 31) with row stride 120
    assert_close(core.gemm(a, b), reference(a, b, False, False), 57)
    at = big[:40, :57].T  # a transposed view: (57, 40)
    assert_close(core.gemm(at, big[:40, :31]), at.astype(np.float64) @ big[:40, :31], 40)
    assert_close(core.gemm(at, at, trans_b=True), at.astype(np.float64) @ at.T, 40)
    assert_close(core.gemm(at, at, trans_a=True), at.T.astype(np.float64) @ at, 57)
    rev = big[::-1, ::-1][:33, :44]  # negative strides: converted
    assert_close(core.gemm(rev, big[:44, :5]), rev.astype(np.float64) @ big[:44, :5], 44)


def test_other_dtypes_converted(isa):
    rng = np.random.default_rng(2)
    a = rng.standard_normal((9, 11))
    b = rng.integers(-3, 4, size=(11, 6))
    assert_close(core.gemm(a, b), a @ b.astype(np.float64), 11)
    assert_close(core.gemm(a.tolist(), b.astype(np.float16)), a @ b.astype(np.float64), 11)


@pytest.mark.parametrize("ta,tb", list(itertools.product([False, True], repeat=2)))
@pytest.mark.parametrize("act", ["linear", "relu", "sigmoid", "softmax"])
@pytest.mark.parametrize("m,n,k", [(1, 10, 784), (33, 17, 7), (128, 256, 784), (300, 1000, 40)])
def test_gemm_bias_act(isa, threads, act, m, n, k, ta, tb):
    rng = np.random.default_rng(11)
    a, b = operands(rng, m, n, k, ta, tb)
    a /= np.sqrt(k)
    bias = rng.standard_normal(n).astype(np.float32)
    z = reference(a, b, ta, tb) + bias
    want = {
        "linear": lambda z: z,
        "relu": lambda z: np.maximum(z, 0),
        "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
        "softmax": lambda z: (
            np.exp(z - z.max(1, keepdims=True))
            / np.exp(z - z.max(1, keepdims=True)).sum(1, keepdims=True)
        ),
    }[act](z)
    got = core.gemm_bias_act(a, b, bias, ACT[act], trans_a=ta, trans_b=tb)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_gemm_bias_act_without_bias(isa):
    rng = np.random.default_rng(12)
    a, b = operands(rng, 20, 30, 40, False, False)
    got = core.gemm_bias_act(a, b, None, ACT["relu"])
    np.testing.assert_allclose(
        got, np.maximum(reference(a, b, False, False), 0), rtol=1e-5, atol=1e-4
    )


# ---- bad input: a clear Python exception, never a crash ----


def test_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(3, 4\).*\(5, 2\)"):
        core.gemm(np.ones((3, 4), np.float32), np.ones((5, 2), np.float32))
    with pytest.raises(ValueError, match="inner dimensions"):
        core.gemm(np.ones((3, 4), np.float32), np.ones((3, 4), np.float32), trans_b=False)


@pytest.mark.parametrize(
    "bad", [np.ones(3, np.float32), np.ones((2, 2, 2), np.float32), np.float32(1.0)]
)
def test_wrong_ndim(bad):
    with pytest.raises(ValueError, match="2-D"):
        core.gemm(bad, np.ones((3, 3), np.float32))


@pytest.mark.parametrize(
    "bad",
    [
        np.array([["a", "b"]]),
        np.ones((2, 2), complex),
        np.ones((2, 2), bool),
        np.array([[object()]]),
        "text",
    ],
)
def test_non_numeric(bad):
    with pytest.raises(TypeError):
        core.gemm(bad, np.ones((2, 2), np.float32))


def test_bad_output_array():
    a, b = np.ones((3, 4), np.float32), np.ones((4, 5), np.float32)
    with pytest.raises(ValueError, match=r"shape \(3, 5\)"):
        core.gemm(a, b, np.zeros((5, 3), np.float32))
    with pytest.raises(ValueError, match="float32"):
        core.gemm(a, b, np.zeros((3, 5), np.float64))
    with pytest.raises(ValueError, match="C-contiguous"):
        core.gemm(a, b, np.zeros((5, 3), np.float32).T)
    ro = np.zeros((3, 5), np.float32)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        core.gemm(a, b, ro)
    with pytest.raises(TypeError):
        core.gemm(a, b, [[0.0] * 5] * 3)
    sq = np.ones((4, 4), np.float32)
    with pytest.raises(ValueError, match="share memory"):
        core.gemm(sq, sq, sq)


def test_bad_bias_and_activation():
    a, b = np.ones((3, 4), np.float32), np.ones((4, 5), np.float32)
    with pytest.raises(ValueError, match=r"\(5,\)"):
        core.gemm_bias_act(a, b, np.ones(4, np.float32), 0)
    with pytest.raises(ValueError, match="activation"):
        core.gemm_bias_act(a, b, np.ones(5, np.float32), 999)
    with pytest.raises(ValueError, match="activation"):
        core.gemm_bias_act(a, b, None, -1)


def test_paths_agree():
    """Every ISA path computes the same product (up to summation order)."""
    rng = np.random.default_rng(9)
    a, b = operands(rng, 65, 47, 300, False, True)
    before = core.cpu_features()["isa"]
    try:
        outs = []
        for isa in ISAS:
            core.set_isa(isa)
            outs.append(core.gemm(a, b, trans_b=True))
    finally:
        core.set_isa(before)
    for o in outs[1:]:
        np.testing.assert_allclose(o, outs[0], rtol=1e-5, atol=1e-4)


def test_gemm_bias_act_degenerate_shapes(isa):
    bias = np.array([0.5, -1.0, 2.0], np.float32)
    # K == 0: the product is zero, so the result is act(bias) on every row.
    got = core.gemm_bias_act(
        np.zeros((4, 0), np.float32), np.zeros((0, 3), np.float32), bias, ACT["softmax"]
    )
    e = np.exp(bias - bias.max())
    np.testing.assert_allclose(got, np.tile(e / e.sum(), (4, 1)), rtol=1e-6)
    assert core.gemm_bias_act(
        np.zeros((0, 5), np.float32), np.ones((5, 3), np.float32), bias, ACT["softmax"]
    ).shape == (0, 3)


@pytest.mark.parametrize("ta,tb", list(itertools.product([False, True], repeat=2)))
@pytest.mark.parametrize("m,k", [(32, 64), (64, 32), (5, 1000), (1000, 100), (3000, 31)])
def test_one_column(isa, threads, m, k, ta, tb):
    """N == 1 runs the column kernel (A not transposed) or the row kernel on C's
    transpose: B column strided in memory, alpha/beta, and an output layer's epilogue."""
    rng = np.random.default_rng(m * 7 + k)
    a, b = operands(rng, m, 1, k, ta, tb)
    assert_close(core.gemm(a, b, trans_a=ta, trans_b=tb), reference(a, b, ta, tb), k)
    c0 = rng.standard_normal((m, 1)).astype(np.float32)
    got = core.gemm(a, b, c0.copy(), alpha=0.5, beta=-2.0, trans_a=ta, trans_b=tb)
    assert_close(got, 0.5 * reference(a, b, ta, tb) - 2.0 * c0, k)
    wide = rng.standard_normal((k, 9)).astype(np.float32)  # a column with row stride 9
    col = wide[:, 4:5]
    assert_close(core.gemm(a.T if ta else a, col), (a.T if ta else a).astype(np.float64) @ col, k)
    a_s = a / np.sqrt(k)
    bias = rng.standard_normal(1).astype(np.float32)
    z = reference(a_s, b, ta, tb) + bias
    got = core.gemm_bias_act(a_s, b, bias, ACT["sigmoid"], trans_a=ta, trans_b=tb)
    np.testing.assert_allclose(got, 1 / (1 + np.exp(-z)), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("ta,tb", list(itertools.product([False, True], repeat=2)))
@pytest.mark.parametrize(
    "m,n,k", [(1815, 64, 288), (288, 64, 1815), (363, 10, 1600), (17, 33, 300), (9, 2, 5)]
)
def test_narrow_c_reads_a_in_place(isa, threads, m, n, k, ta, tb):
    """C at most two register tiles wide reads A where it lies (no packing): ragged row
    tiles, both layouts of A, a row stride wider than A, alpha/beta and an epilogue."""
    rng = np.random.default_rng(m + 3 * n + 7 * k)
    a, b = operands(rng, m, n, k, ta, tb)
    assert_close(core.gemm(a, b, trans_a=ta, trans_b=tb), reference(a, b, ta, tb), k)
    pad = np.zeros((a.shape[0], a.shape[1] + 13), np.float32)
    pad[:, 5 : 5 + a.shape[1]] = a
    view = pad[:, 5 : 5 + a.shape[1]]  # row stride wider than the row
    c0 = rng.standard_normal((m, n)).astype(np.float32)
    got = core.gemm(view, b, c0.copy(), alpha=0.5, beta=-2.0, trans_a=ta, trans_b=tb)
    assert_close(got, 0.5 * reference(a, b, ta, tb) - 2.0 * c0, k)
    a_s = a / np.sqrt(k)
    bias = rng.standard_normal(n).astype(np.float32)
    got = core.gemm_bias_act(a_s, b, bias, ACT["relu"], trans_a=ta, trans_b=tb)
    want = np.maximum(reference(a_s, b, ta, tb) + bias, 0)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
