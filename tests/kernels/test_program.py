"""The graph engine's executor, kerasette._core.Program, and its kernels, against numpy.

Tolerances: elementwise codes within a few float32 ulps of the value computed in float64
(named per code below where the vector math needs more); reductions within 1e-6 relative
of a float64 sum; GEMM-based kernels within 1e-4 relative. Every ISA the CPU supports
runs (the `isa` fixture) and threaded kernels give the same bits on 1 and 2 threads."""

import math

import numpy as np
import pytest

from kerasette.backend import core

E = core.EWISE_CODES
ARITY = core.EWISE_ARITY
RC = core.REDUCE_CODES

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def f32(a):
    return np.ascontiguousarray(a, dtype=np.float32)


def bcast_strides(shape, out_shape):
    """Element strides of a contiguous array of `shape` broadcast over out_shape."""
    shape = (1,) * (len(out_shape) - len(shape)) + tuple(shape)
    st, acc = [], 1
    for d in reversed(shape):
        st.append(acc if d != 1 else 0)
        acc *= d
    st = st[::-1]
    return [0 if shape[i] == 1 and out_shape[i] != 1 else st[i] for i in range(len(out_shape))]


def ewise_ints(out_shape, in_strides, instrs, out_regs):
    ints = [len(out_shape), *out_shape, len(in_strides)]
    for st in in_strides:
        ints += list(st)
    ints += [len(instrs)]
    for ins in instrs:
        ints += list(ins)
    return ints + [len(out_regs), *out_regs]


def run_ewise(out_shape, inputs, instrs, out_regs, imms=(), strides=None):
    """inputs: arrays broadcast to out_shape (or laid out by `strides`)."""
    p = core.Program(0)
    arrs = [f32(a) for a in inputs]
    ids = [p.ext(a) for a in arrs]
    outs = [np.full(out_shape, np.nan, np.float32) for _ in out_regs]
    oids = [p.ext(o) for o in outs]
    if strides is None:
        strides = [bcast_strides(a.shape, out_shape) for a in arrs]
    p.add("ewise", ids, oids, ewise_ints(out_shape, strides, instrs, out_regs), list(imms))
    p.run()
    return outs


def unary(code, x):
    (y,) = run_ewise(x.shape, [x], [(E[code], 1, 0, 0, 0)], [1])
    return y


def binary(code, a, b):
    shape = np.broadcast_shapes(a.shape, b.shape)
    (y,) = run_ewise(shape, [a, b], [(E[code], 2, 0, 1, 0)], [2])
    return y


def assert_ulp(got, want, ulps=4, atol=0.0, what=""):
    got = np.asarray(got, np.float32)
    want = np.asarray(want, np.float64)
    w32 = want.astype(np.float32)
    nan_g, nan_w = np.isnan(got), np.isnan(w32)
    assert np.array_equal(nan_g, nan_w), (
        f"{what}: NaN mismatch at {np.argwhere(nan_g != nan_w)[:5].ravel()}"
    )
    ok = ~nan_w
    g, w = got[ok].astype(np.float64), want[ok]
    inf = np.isinf(w32[ok])
    assert np.array_equal(g[inf], w32[ok][inf].astype(np.float64)), f"{what}: inf mismatch"
    fin = ~inf
    tol = ulps * np.spacing(np.abs(w32[ok][fin])).astype(np.float64) + atol
    err = np.abs(g[fin] - w[fin])
    bad = err > tol
    if bad.any():
        i = np.argmax(err - tol)
        xs = np.flatnonzero(ok)[np.flatnonzero(fin)[i]]
        pytest.fail(
            f"{what}: {bad.sum()} values off; worst at flat {xs}: got {g[fin][i]!r}, "
            f"want {w[fin][i]!r} (tol {tol[i]:.3g})"
        )


SPECIAL = np.array(
    [
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        -0.5,
        1.5,
        2.5,
        -2.5,
        3.0,
        -3.0,
        6.0,
        1e-30,
        -1e-30,
        1e-5,
        -1e-5,
        1e-3,
        100.0,
        -100.0,
        88.0,
        89.0,
        -104.0,
        20.0,
        30.0,
        3e38,
        -3e38,
        np.inf,
        -np.inf,
        np.nan,
    ],
    np.float32,
)


def sample(seed=0, n=3000, scale=4.0):
    r = np.random.default_rng(seed)
    x = np.concatenate(
        [
            r.standard_normal(n) * scale,
            r.uniform(-1, 1, 500) * 1e-3,
            r.uniform(-90, 90, 500),
            SPECIAL,
        ]
    ).astype(np.float32)
    return x


def sig(x):
    return 1.0 / (1.0 + np.exp(-x))


def softplus(x):
    return np.logaddexp(0.0, x)


erf = np.vectorize(math.erf, otypes=[np.float64])
erfc = np.vectorize(math.erfc, otypes=[np.float64])

SELU_A, SELU_S = 1.67326324235437728, 1.05070098735548049

# code -> (float64 function, domain override or None, ulps)
UNARY = {
    "identity": (lambda x: x, None, 0),
    "negative": (np.negative, None, 0),
    "abs": (np.abs, None, 0),
    "sign": (np.sign, None, 0),
    "exp": (np.exp, None, 3),
    "expm1": (np.expm1, None, 4),
    "log": (np.log, "pos", 3),
    "log1p": (np.log1p, "pos1", 4),
    "log2": (np.log2, "pos", 3),
    "log10": (np.log10, "pos", 3),
    "sqrt": (np.sqrt, "pos", 1),
    "rsqrt": (lambda x: 1 / np.sqrt(x), "pos", 2),
    "square": (np.square, None, 1),
    "reciprocal": (lambda x: 1 / x, None, 1),
    "sin": (np.sin, "trig", 2),
    "cos": (np.cos, "trig", 2),
    "tan": (np.tan, "trig", 2),
    "arcsin": (np.arcsin, "unit", 3),  # Cephes polynomials: ~2-3 ulp
    "arccos": (np.arccos, "unit", 3),
    "arctan": (np.arctan, None, 3),
    "sinh": (np.sinh, None, 6),
    "cosh": (np.cosh, None, 6),
    "tanh": (np.tanh, None, 4),
    "arcsinh": (np.arcsinh, None, 4),
    "arccosh": (np.arccosh, "acosh", 4),
    "arctanh": (np.arctanh, "unit", 4),
    "sigmoid": (sig, None, 4),
    "relu": (lambda x: np.where(x < 0, 0.0, x), None, 0),
    "floor": (np.floor, None, 0),
    "ceil": (np.ceil, None, 0),
    "round": (np.round, None, 0),
    "trunc": (np.trunc, None, 0),
    "erf": (erf, None, 3),
    "logical_not": (lambda x: (x == 0).astype(np.float64), None, 0),
    "isnan": (lambda x: np.isnan(x).astype(np.float64), None, 0),
    "isinf": (lambda x: np.isinf(x).astype(np.float64), None, 0),
    "isfinite": (lambda x: np.isfinite(x).astype(np.float64), None, 0),
    "softplus": (softplus, None, 4),
    "softsign": (lambda x: x / (1 + np.abs(x)), None, 2),
    "silu": (lambda x: x * sig(x), None, 4),
    # In the left tail the float32 evaluation loses ~x^2 ulps (the rounded argument of
    # erfc / sigmoid is amplified): within 4e-6 relative there, as Keras's float32 forms.
    # (References in forms without cancellation: 1 + erf(-t) = erfc(t), 1 + tanh(u) = 2 sigmoid(2u).)
    "gelu": (lambda x: 0.5 * x * erfc(-x / np.sqrt(2)), None, 64),
    "gelu_tanh": (lambda x: x * sig(2 * np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)), None, 64),
    "elu": (lambda x: np.where(x > 0, x, np.expm1(x)), None, 4),
    "selu": (lambda x: SELU_S * np.where(x > 0, x, SELU_A * np.expm1(x)), None, 4),
    "relu6": (lambda x: np.clip(x, 0, 6), None, 0),
    "hard_sigmoid": (lambda x: np.clip(x + 3, 0, 6) / 6, None, 1),
    "hard_silu": (lambda x: x * np.clip(x + 3, 0, 6) / 6, None, 2),
    "mish": (lambda x: x * np.tanh(softplus(x)), None, 16),
    "log_sigmoid": (lambda x: -softplus(-x), None, 4),
    "cast_bool": (lambda x: (x != 0).astype(np.float64), None, 0),
    "cast_int": (np.trunc, "nonan", 0),
}


def domain(kind, x):
    r = np.random.default_rng(7)
    if kind == "pos":
        return np.concatenate(
            [
                np.abs(x),
                r.uniform(1e-38, 1e-30, 50),
                np.float32([0.0, -1.0, 1.0, 8.0, 1024.0, 1000.0, 10.0]),
            ]
        )
    if kind == "pos1":
        return np.concatenate([np.abs(x), r.uniform(-1, 0, 300), np.float32([-1.0, -2.0])])
    if kind == "unit":
        return np.concatenate(
            [r.uniform(-1.2, 1.2, 2000), np.float32([1.0, -1.0, 0.0, 1e-6, -1e-6])]
        )
    if kind == "trig":
        return np.concatenate([x[np.isfinite(x) & (np.abs(x) < 1e5)], r.uniform(-1e4, 1e4, 300)])
    if kind == "acosh":
        return np.concatenate(
            [
                r.uniform(0.5, 3, 1000),
                r.uniform(1, 1e6, 500),
                np.float32([1.0, 1e4, 2e4, 1e30, np.inf]),
            ]
        )
    if kind == "nonan":
        return x[~np.isnan(x)]
    return x


def test_codes_exported():
    assert len(E) == 74
    assert set(ARITY.values()) == {1, 2, 3}
    assert sorted(E.values()) == list(range(len(E)))
    assert ARITY["where"] == 3 and ARITY["add"] == 2 and ARITY["exp"] == 1
    assert set(RC) == {
        "sum",
        "mean",
        "max",
        "min",
        "prod",
        "argmax",
        "argmin",
        "any",
        "all",
        "logsumexp",
    }
    assert {n for n, a in ARITY.items() if a == 1} == set(UNARY)


@pytest.mark.parametrize("code", sorted(UNARY))
def test_unary_codes(code, isa):
    fn, dom, ulps = UNARY[code]
    x = f32(domain(dom, sample()))
    with np.errstate(all="ignore"):
        want = fn(x.astype(np.float64))
    got = unary(code, x)
    if code in ("gelu", "gelu_tanh"):
        # The float32 argument of erfc / sigmoid is rounded, and that error grows like x^2
        # in the left tail (Keras's float32 evaluation has the same): relative 2e-7 (1 + x^2).
        ok = np.isfinite(want)
        err = np.abs(got[ok] - want[ok])
        tol = 4 * np.spacing(np.abs(want[ok]).astype(np.float32)) + 2e-7 * (
            1 + x[ok].astype(np.float64) ** 2
        ) * np.abs(want[ok])
        assert (err <= tol + 1e-30).all(), code
        np.testing.assert_array_equal(got[~ok], want[~ok].astype(np.float32))
        return
    # Results in the denormal range (|y| < 1e-30) count as equal to 0.
    atol = 1e-30 if code not in ("sin", "cos", "tan") else 1e-7
    assert_ulp(got, want, ulps, atol=atol, what=code)
    # The fast ISA loop and the double reference agree too.
    ref = core.ewise_apply(E[code], x, ref=True)
    assert_ulp(got, ref.astype(np.float64), ulps + 1, atol=atol, what=code + " vs ref")


def test_log2_exact_powers(isa):
    x = f32(2.0 ** np.arange(-126, 128))
    assert np.array_equal(unary("log2", x), np.arange(-126, 128).astype(np.float32))


def binary_inputs(seed=1):
    r = np.random.default_rng(seed)
    a = np.concatenate(
        [r.standard_normal(2000) * 5, SPECIAL, SPECIAL[::-1], np.zeros(5), r.integers(-9, 9, 200)]
    )
    b = np.concatenate(
        [
            r.standard_normal(2000) * 3,
            SPECIAL[::-1],
            SPECIAL,
            [0, 1, -1, 2, -2],
            r.integers(-4, 4, 200),
        ]
    )
    return f32(a), f32(b)


BINARY_EXACT = {
    "add": np.add,
    "subtract": np.subtract,
    "multiply": np.multiply,
    "divide": np.divide,
    "maximum": np.maximum,
    "minimum": np.minimum,
    "equal": np.equal,
    "not_equal": np.not_equal,
    "less": np.less,
    "less_equal": np.less_equal,
    "greater": np.greater,
    "greater_equal": np.greater_equal,
    "logical_and": np.logical_and,
    "logical_or": np.logical_or,
    "logical_xor": np.logical_xor,
    "floor_divide": np.floor_divide,
    "mod": np.mod,
    "power": np.power,
    "squared_difference": lambda a, b: np.square(a - b),
    "leaky_relu": lambda a, b: np.where(a >= 0, a, a * b),
}


# The core flushes denormal results to zero, as TensorFlow's kernels do (fpenv.h).
FLT_MIN = float(np.finfo(np.float32).tiny)


def flushed(a):
    a = np.asarray(a)
    if a.dtype.kind != "f":
        return a
    return np.where(np.abs(a) < FLT_MIN, np.copysign(np.zeros_like(a), a), a)


@pytest.mark.parametrize("code", sorted(BINARY_EXACT) + ["arctan2"])
def test_binary_codes(code, isa):
    a, b = binary_inputs()
    with np.errstate(all="ignore"):
        if code == "arctan2":
            assert_ulp(
                binary(code, a, b),
                np.arctan2(a.astype(np.float64), b.astype(np.float64)),
                2,
                atol=FLT_MIN,
                what=code,
            )
            return
        want = flushed(np.asarray(BINARY_EXACT[code](a, b)).astype(np.float32))
    got = binary(code, a, b)
    if code == "power":  # libm powf vs numpy's: within an ulp
        assert_ulp(
            got,
            np.power(a.astype(np.float64), b.astype(np.float64)),
            1,
            atol=FLT_MIN,
            what=code,
        )
        return
    np.testing.assert_array_equal(got, want, err_msg=code)


def test_ternary_codes(isa):
    r = np.random.default_rng(2)
    c = f32(np.concatenate([r.integers(0, 2, 1000), [np.nan, 0, -0.0, 2]]))
    a = f32(np.concatenate([r.standard_normal(1000), [1, np.nan, 3, np.inf]]))
    b = f32(np.concatenate([r.standard_normal(1000), [np.nan, 2, -np.inf, 4]]))
    (y,) = run_ewise(c.shape, [c, a, b], [(E["where"], 3, 0, 1, 2)], [3])
    np.testing.assert_array_equal(y, np.where(c != 0, a, b))
    lo, hi = f32(np.full_like(a, -0.5)), f32(np.full_like(a, 0.5))
    lo[3] = np.nan
    (y,) = run_ewise(a.shape, [a, lo, hi], [(E["clip"], 3, 0, 1, 2)], [3])
    np.testing.assert_array_equal(y, np.minimum(np.maximum(a, lo), hi))


@pytest.mark.parametrize("e", [2.0, 3.0, -1.0, 0.0, 1.0, 0.5, 1.7, -2.5])
def test_power_with_immediate_exponent(e, isa):
    x = f32(np.concatenate([np.random.default_rng(3).standard_normal(500) * 3, SPECIAL]))
    if e != int(e):
        x = x[x != -np.inf]  # numpy's float32 power gives NaN there, C's powf +inf
    (y,) = run_ewise(x.shape, [x], [(E["power"], 2, 0, 1, 0)], [2], imms=[e])
    with np.errstate(all="ignore"):
        want = np.power(x, np.float32(e))  # numpy's float32 power
    assert_ulp(y, want, 2, atol=1e-30, what=f"x**{e}")


def test_chain_with_immediates_and_temporaries(isa):
    # y = tanh(x * 0.5 + b) ; z = y * y - 1 (two outputs, temporaries reused)
    x = f32(np.random.default_rng(4).standard_normal((37, 29)))
    b = f32(np.random.default_rng(5).standard_normal(29))
    k, imm = 2, [0.5, 1.0]
    t = k + len(imm)
    instrs = [
        (E["multiply"], t, 0, 2, 0),
        (E["add"], t, t, 1, 0),
        (E["tanh"], t + 1, t, 0, 0),
        (E["multiply"], t, t + 1, t + 1, 0),
        (E["subtract"], t, t, 3, 0),
    ]
    y, z = run_ewise(x.shape, [x, b], instrs, [t + 1, t], imms=imm)
    want = np.tanh(x.astype(np.float64) * 0.5 + b)
    assert_ulp(y, want, 4)
    assert_ulp(z, y.astype(np.float64) ** 2 - 1, 2, atol=1e-7)


SHAPES = [
    ((4, 5, 6), [(1, 5, 1), (6,), (4, 1, 6), ()]),
    ((3, 1000), [(3, 1), (1000,), (3, 1000), (1, 1)]),
    ((7, 17, 3, 2), [(7, 1, 3, 1), (17, 1, 1), (2,), (7, 17, 3, 2)]),
    ((1000003,), [(1000003,), (1,), (), (1000003,)]),
    ((0, 5), [(0, 5), (5,), (), (1, 5)]),
    ((1,), [(1,), (), (1,), ()]),
    ((17,), [(17,), (1,), (17,), ()]),
]


@pytest.mark.parametrize("shape,ins", SHAPES)
def test_broadcast_and_sizes(shape, ins, isa, threads):
    r = np.random.default_rng(6)
    arrs = [f32(r.standard_normal(s)) for s in ins]
    # ((a + b) * c) - exp(d)
    instrs = [
        (E["add"], 4, 0, 1, 0),
        (E["multiply"], 4, 4, 2, 0),
        (E["exp"], 5, 3, 0, 0),
        (E["subtract"], 4, 4, 5, 0),
    ]
    (y,) = run_ewise(shape, arrs, instrs, [4])
    a, b, c, d = (x.astype(np.float64) for x in arrs)
    assert_ulp(y, (a + b) * c - np.exp(d), 8, atol=1e-6)


def test_transposed_input_strides(isa):
    # A (6, 5, 4) array read as its transpose (4, 5, 6): strides (1, 4, 20).
    base = f32(np.random.default_rng(8).standard_normal((6, 5, 4)))
    other = f32(np.random.default_rng(9).standard_normal((4, 5, 6)))
    (y,) = run_ewise(
        (4, 5, 6),
        [base, other],
        [(E["multiply"], 2, 0, 1, 0)],
        [2],
        strides=[[1, 4, 20], [30, 6, 1]],
    )
    np.testing.assert_array_equal(y, base.transpose(2, 1, 0) * other)


def test_thread_count_gives_same_bits(isa):
    x = f32(np.random.default_rng(10).standard_normal(1000003) * 3)
    before = core.get_num_threads()
    try:
        outs = []
        for t in (1, 2):
            core.set_num_threads(t)
            outs.append(unary("gelu", x))
            outs.append(unary("exp", x))
        assert np.array_equal(outs[0], outs[2]) and np.array_equal(outs[1], outs[3])
    finally:
        core.set_num_threads(before)


def test_output_aliasing_input_in_place(isa):
    p = core.Program(64)
    w = p.workspace()
    w[:20] = np.arange(20)
    x = p.ws(0, 20)
    # x = exp(x) - x written back over x: the output overlaps an input, so it is copied.
    p.add(
        "ewise",
        [x],
        [x],
        ewise_ints((20,), [[1]], [(E["exp"], 1, 0, 0, 0), (E["subtract"], 1, 1, 0, 0)], [1]),
    )
    p.run()
    want = np.exp(np.arange(20, dtype=np.float64)) - np.arange(20)
    assert_ulp(w[:20], want, 4)
    # An output that is an input register and one that is an immediate.
    y, z = run_ewise((5,), [np.arange(5)], [], [0, 1], imms=[2.5])
    assert np.array_equal(y, np.arange(5)) and np.array_equal(z, np.full(5, 2.5, np.float32))


# ---------------------------------------------------------------------------- reduce


def run_reduce(code, x, outer, length, inner):
    p = core.Program(0)
    x = f32(x)
    y = np.full(outer * inner, np.nan, np.float32)
    p.add("reduce", [p.ext(x)], [p.ext(y)], [RC[code], outer, length, inner])
    p.run()
    return y


def np_reduce(code, x, outer, length, inner):
    v = x.reshape(outer, length, inner).astype(np.float64)
    with np.errstate(all="ignore"):
        if code == "sum":
            return v.sum(1)
        if code == "mean":
            return v.mean(1)
        if code == "max":
            return v.max(1)
        if code == "min":
            return v.min(1)
        if code == "prod":
            return v.prod(1)
        if code == "argmax":
            return v.argmax(1).astype(np.float64)
        if code == "argmin":
            return v.argmin(1).astype(np.float64)
        if code == "any":
            return (v != 0).any(1).astype(np.float64)
        if code == "all":
            return (v != 0).all(1).astype(np.float64)
        m = v.max(1, keepdims=True)
        m2 = np.where(np.isfinite(m), m, 0)
        out = m2 + np.log(np.exp(v - m2).sum(1, keepdims=True))
        return np.where(np.isfinite(m), out, m)[:, 0]


RSHAPES = [
    (1, 1000003, 1),
    (3, 17, 1),
    (2, 100, 33),
    (1, 1, 1),
    (4, 5, 300),
    (3, 70000, 1),
    (200, 9, 1),
    (1, 40000, 3),
    (2, 0, 3),
]


@pytest.mark.parametrize("code", sorted(RC))
@pytest.mark.parametrize("shape", RSHAPES)
def test_reduce_codes(code, shape, isa):
    outer, length, inner = shape
    if length == 0 and code in ("max", "min", "argmax", "argmin", "mean", "logsumexp"):
        return
    r = np.random.default_rng(11)
    x = r.standard_normal(outer * length * inner).astype(np.float32)
    if code == "prod":
        x = (1 + x * 1e-3).astype(np.float32)
    if code in ("any", "all"):
        x = (r.random(x.size) < (0.999 if code == "all" else 0.001)).astype(np.float32)
    if code in ("argmax", "argmin") and x.size > 10:
        x = np.round(x * 4).astype(np.float32)  # many ties: the first one wins
    got = run_reduce(code, x, outer, length, inner)
    want = np_reduce(code, x, outer, length, inner).ravel()
    if code in ("argmax", "argmin", "any", "all", "max", "min"):
        np.testing.assert_array_equal(got, want.astype(np.float32))
    else:
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6 * np.sqrt(max(length, 1)))
    np.testing.assert_array_equal(
        got,
        core.reduce_ref(RC[code], x, outer, length, inner)
        if code not in ("sum", "mean", "logsumexp", "prod")
        else got,
    )


def test_reduce_million_sum_matches_numpy(threads):
    x = np.random.default_rng(12).random(1_000_000).astype(np.float32)
    got = run_reduce("sum", x, 1, x.size, 1)[0]
    assert abs(got - np.sum(x)) <= 1e-5 * abs(np.sum(x))
    assert abs(got - np.sum(x, dtype=np.float64)) <= 1e-7 * abs(np.sum(x, dtype=np.float64))


@pytest.mark.parametrize("code", ["max", "min", "argmax", "argmin", "logsumexp", "sum"])
def test_reduce_nan_and_inf(code, isa):
    x = np.random.default_rng(13).standard_normal((3, 50000)).astype(np.float32)
    x[0, 7] = np.nan
    x[0, 30000] = np.nan
    x[1, 20000] = np.inf
    x[2, :] = -np.inf
    got = run_reduce(code, x.ravel(), 3, 50000, 1)
    want = np_reduce(code, x.ravel(), 3, 50000, 1).ravel()
    if code == "argmax":
        want = np.float32([7, 20000, 0])
    if code == "argmin":
        want = np.float32([7, np.argmin(x[1]), 0])
    np.testing.assert_allclose(got, want.astype(np.float32), rtol=1e-6)
    # Columns (inner > 1) follow the same NaN rules.
    xt = np.ascontiguousarray(x.T)
    got_c = run_reduce(code, xt.ravel(), 1, 50000, 3)
    np.testing.assert_allclose(got_c, want.astype(np.float32), rtol=1e-6)


@pytest.mark.parametrize("shape", [(1, 1000003, 1), (3, 70000, 1), (2, 3000, 257), (600, 200, 1)])
def test_reduce_thread_invariance(shape):
    x = np.random.default_rng(14).standard_normal(int(np.prod(shape))).astype(np.float32)
    before = core.get_num_threads()
    try:
        for code in ("sum", "logsumexp", "argmax", "prod", "mean"):
            res = []
            for t in (1, 2):
                core.set_num_threads(t)
                res.append(run_reduce(code, x, *shape))
            assert np.array_equal(res[0], res[1], equal_nan=True), code
    finally:
        core.set_num_threads(before)


# ---------------------------------------------------------------------------- strided


def view_index(offset, shape, strides):
    idx = np.full(shape, offset, np.int64)
    for d, (n, s) in enumerate(zip(shape, strides)):
        sh = [1] * len(shape)
        sh[d] = n
        idx = idx + (np.arange(n) * s).reshape(sh)
    return idx


STRIDED = [
    (0, (300, 200), (1, 300)),  # 2-D transpose (blocked path)
    (0, (4, 5, 6), (1, 4, 20)),  # 3-D reversal of axes
    (0, (7, 9), (0, 1)),  # broadcast_to along a new axis
    (0, (9, 7), (1, 0)),  # innermost broadcast
    (3, (5, 4), (12, 2)),  # stepped slice
    (59, (60,), (-1,)),  # flip
    (44, (4, 3, 2), (-12, 4, -1)),  # mixed flips
    (0, (3, 2, 8), (0, 8, 1)),  # tile
    (0, (), ()),  # scalar
    (0, (0, 5), (5, 1)),  # empty
    (1, (1, 1, 17), (0, 5, 1)),  # size-1 dims dropped
]


@pytest.mark.parametrize("offset,shape,strides", STRIDED)
def test_strided(offset, shape, strides, threads):
    base = np.arange(60000, dtype=np.float32)
    y = np.full(int(np.prod(shape)), -1, np.float32)
    p = core.Program(0)
    p.add("strided", [p.ext(base)], [p.ext(y)], [len(shape), offset, *shape, *strides])
    p.run()
    np.testing.assert_array_equal(y, base[view_index(offset, shape, strides)].ravel())


@pytest.mark.parametrize(
    "offset,shape,strides,acc",
    [
        (3, (5, 4), (12, 2), 0),
        (3, (5, 4), (12, 2), 1),
        (44, (4, 3, 2), (-12, 4, -1), 1),
        (0, (3, 2, 8), (0, 8, 1), 1),
        (0, (200, 300), (300, 1), 0),
        (0, (9, 7), (1, 0), 1),
        (10, (200, 200), (1, 200), 1),
    ],
)
def test_strided_write(offset, shape, strides, acc, threads):
    r = np.random.default_rng(15)
    x = f32(r.standard_normal(shape))
    y0 = f32(r.standard_normal(60000))
    y = y0.copy()
    p = core.Program(0)
    p.add("strided_write", [p.ext(x)], [p.ext(y)], [len(shape), offset, acc, *shape, *strides])
    p.run()
    want = y0.astype(np.float64).copy()
    idx = view_index(offset, shape, strides).ravel()
    if acc:
        np.add.at(want, idx, x.ravel())
        np.testing.assert_allclose(y, want, rtol=1e-6, atol=1e-6)
    else:
        want[idx] = x.ravel()
        np.testing.assert_array_equal(y, want.astype(np.float32))


def test_strided_transpose_thread_invariance():
    base = f32(np.random.default_rng(16).standard_normal(1000 * 700))
    before = core.get_num_threads()
    try:
        outs = []
        for t in (1, 2):
            core.set_num_threads(t)
            y = np.zeros(700 * 1000, np.float32)
            p = core.Program(0)
            p.add("strided", [p.ext(base)], [p.ext(y)], [2, 0, 700, 1000, 1, 700])
            p.run()
            outs.append(y)
        assert np.array_equal(outs[0], outs[1])
        np.testing.assert_array_equal(outs[0], base.reshape(1000, 700).T.ravel())
    finally:
        core.set_num_threads(before)


# ---------------------------------------------------------------------------- GEMM family


@pytest.mark.parametrize("ta,tb", [(0, 0), (1, 0), (0, 1), (1, 1)])
def test_matmul_batched(ta, tb, isa):
    r = np.random.default_rng(17)
    B, M, N, K = 3, 13, 17, 11
    A = f32(r.standard_normal((B, K, M) if ta else (B, M, K)))
    Bm = f32(r.standard_normal((K, N) if not tb else (N, K)))  # shared: strideB 0
    C0 = f32(r.standard_normal((B, M, N)))
    C = C0.copy()
    p = core.Program(0)
    p.add("matmul", [p.ext(A), p.ext(Bm)], [p.ext(C)], [B, M, N, K, ta, tb, M * K, 0], [0.5, 2.0])
    p.run()
    opA = np.swapaxes(A, 1, 2) if ta else A
    opB = Bm.T if tb else Bm
    want = 0.5 * (opA.astype(np.float64) @ opB) + 2.0 * C0
    np.testing.assert_allclose(C, want, rtol=1e-4, atol=1e-4)


def test_gemm_bias_act_act_and_grads(isa):
    r = np.random.default_rng(18)
    M, N, K = 9, 7, 5
    A, W, b = (
        f32(r.standard_normal((M, K))),
        f32(r.standard_normal((K, N))),
        f32(r.standard_normal(N)),
    )
    C = np.zeros((M, N), np.float32)
    S = np.zeros((M, N), np.float32)
    dS = np.zeros((M, N), np.float32)
    dy = f32(r.standard_normal((M, N)))
    db = np.full(N, 123.0, np.float32)  # bias_grad writes, whatever was there
    dx = np.zeros((M, N), np.float32)
    p = core.Program(0)
    iA, iW, ib, iC, iS, idS, idy, idb, idx = (p.ext(a) for a in (A, W, b, C, S, dS, dy, db, dx))
    AC = core.ACTIVATIONS
    p.add("gemm_bias_act", [iA, iW, ib], [iC], [M, N, K, AC["relu"]], [0.0])
    p.add("act", [iC], [iS], [AC["softmax"], M, N], [0.0])
    p.add("act_grad", [-1, iS, idy], [idS], [AC["softmax"], M, N], [0.0])
    p.add("act_grad", [-1, iC, idy], [idx], [AC["relu"], M, N], [0.0])
    p.add("bias_grad", [idy], [idb], [M, N])
    p.run()
    z = np.maximum(A.astype(np.float64) @ W + b, 0)
    np.testing.assert_allclose(C, z, rtol=1e-5, atol=1e-5)
    e = np.exp(z - z.max(1, keepdims=True))
    s = e / e.sum(1, keepdims=True)
    np.testing.assert_allclose(S, s, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(dS, s * (dy - (dy * s).sum(1, keepdims=True)), rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(dx, np.where(C > 0, dy, 0))
    np.testing.assert_allclose(db, dy.astype(np.float64).sum(0), rtol=1e-6, atol=1e-6)


# ---------------------------------------------------------------------------- loss

LS = core.LOSSES


@pytest.mark.parametrize(
    "loss,logits",
    [
        ("mse", 0),
        ("mae", 0),
        ("huber", 0),
        ("binary_crossentropy", 1),
        ("binary_crossentropy", 0),
        ("categorical_crossentropy", 1),
        ("categorical_crossentropy", 0),
        ("sparse_categorical_crossentropy", 1),
        ("sparse_categorical_crossentropy", 0),
        ("kld", 0),
        ("poisson", 0),
        ("hinge", 0),
    ],
)
def test_loss_per_row(loss, logits, isa):
    r = np.random.default_rng(19)
    N, K = 7, 5
    kind = LS[loss]
    sparse = loss.startswith("sparse")
    pred = f32(
        r.standard_normal((N, K))
        if logits or loss in ("mse", "mae", "huber", "hinge")
        else r.uniform(0.05, 1, (N, K))
    )
    if sparse:
        target = f32(r.integers(0, K, N))
    elif loss == "hinge":
        target = f32(r.integers(0, 2, (N, K)))
    else:
        target = f32(r.uniform(0, 1, (N, K)))
    w = f32(r.uniform(0.5, 2, N))
    per_row = np.zeros(N, np.float32)
    dpred = np.zeros((N, K), np.float32)
    p = core.Program(0)
    p.add(
        "loss",
        [p.ext(pred), p.ext(target), p.ext(w)],
        [p.ext(per_row), p.ext(dpred)],
        [kind, N, K, logits],
        [0.1 if "crossentropy" in loss and not sparse else 0.0, 1.0],
    )
    p.run()
    kw = dict(
        from_logits=bool(logits),
        label_smoothing=0.1 if "crossentropy" in loss and not sparse else 0.0,
    )
    for i in range(N):
        t = target[i : i + 1]
        v, _ = core.loss_forward_backward_ref(kind, pred[i : i + 1], t, **kw, want_grad=False)
        np.testing.assert_allclose(per_row[i], v, rtol=2e-5, atol=1e-6)
    total, g = core.loss_forward_backward_ref(kind, pred, target, sample_weight=w, **kw)
    np.testing.assert_allclose(dpred, g, rtol=2e-5, atol=1e-6)
    np.testing.assert_allclose((per_row.astype(np.float64) * w).sum(), total, rtol=2e-5)


def test_loss_optional_outputs(isa):
    pred = f32(np.random.default_rng(20).standard_normal((4, 3)))
    t = f32([0, 2, 1, 1])
    d = np.zeros((4, 3), np.float32)
    pr = np.zeros(4, np.float32)
    p = core.Program(0)
    ip, it, idd, ipr = p.ext(pred), p.ext(t), p.ext(d), p.ext(pr)
    p.add(
        "loss",
        [ip, it, -1],
        [-1, idd],
        [LS["sparse_categorical_crossentropy"], 4, 3, 1],
        [0.0, 1.0],
    )
    p.add(
        "loss",
        [ip, it, -1],
        [ipr, -1],
        [LS["sparse_categorical_crossentropy"], 4, 3, 1],
        [0.0, 1.0],
    )
    p.run()
    e = np.exp(pred - pred.max(1, keepdims=True))
    s = e / e.sum(1, keepdims=True)
    np.testing.assert_allclose(d, s - np.eye(3)[[0, 2, 1, 1]], atol=1e-6)
    np.testing.assert_allclose(pr, -np.log(s[np.arange(4), [0, 2, 1, 1]]), rtol=1e-5)


# ---------------------------------------------------------------------------- optimizer, clip, constraint

OPT = core.OPTIMIZERS


def hyper_floats(
    beta_1=0.9, beta_2=0.999, epsilon=1e-7, momentum=0.0, rho=0.9, weight_decay=0.0, iav=0.1
):
    return [beta_1, beta_2, epsilon, momentum, rho, weight_decay, iav]


@pytest.mark.parametrize("opt", ["adam", "nadam", "sgd", "rmsprop", "adagrad", "adadelta", "adamw"])
def test_optimizer_matches_direct_update(opt, isa):
    r = np.random.default_rng(21)
    n = 1001
    kw = {}
    fl = hyper_floats()
    if opt == "sgd":
        kw, fl = dict(momentum=0.9, nesterov=True), hyper_floats(momentum=0.9)
    if opt == "adamw":
        kw, fl = dict(weight_decay=0.004), hyper_floats(weight_decay=0.004)
    if opt == "adadelta":
        kw, fl = dict(rho=0.95), hyper_floats(rho=0.95)
    nslots = core.optimizer_num_slots(opt, **kw)
    param = f32(r.standard_normal(n))
    ref_param = param.copy()
    slots = [np.zeros(n, np.float32) for _ in range(nslots)]
    ref_slots = [np.zeros(n, np.float32) for _ in range(nslots)]
    core.optimizer_init_slots(opt, slots, **kw)
    core.optimizer_init_slots(opt, ref_slots, **kw)
    grad = np.zeros(n, np.float32)
    p = core.Program(0)
    ids = [p.ext(param), p.ext(grad)] + [p.ext(s) for s in slots]
    p.add("optimizer", ids, [], [OPT[opt], n, int(kw.get("nesterov", False)), 0, 0], fl)
    state = 1.0
    for it in range(3):
        grad[:] = r.standard_normal(n)
        lr = 0.01 * (it + 1)
        p.run(lr, it)
        state = core.optimizer_update(
            opt, it + 1, ref_param, grad, ref_slots, state=state, learning_rate=lr, **kw
        )
    np.testing.assert_array_equal(param, ref_param)
    if opt == "nadam":
        assert p.opt_state == pytest.approx(
            state, rel=1e-6
        )  # the direct binding rounds state to float


def test_nadam_state_advances_once_per_step():
    n = 8
    p = core.Program(0)
    arrs = [np.zeros(n, np.float32) for _ in range(8)]
    ids = [p.ext(a) for a in arrs]
    for k in range(2):  # two parameter buffers, one step
        p.add("optimizer", ids[4 * k : 4 * k + 4], [], [OPT["nadam"], n, 0, 0, 0], hyper_floats())
    p.run(0.001, 0)
    assert p.opt_state == pytest.approx(0.9 * (1 - 0.5 * 0.96), rel=1e-7)


@pytest.mark.parametrize("mode", [0, 1, 2])
def test_clip(mode):
    r = np.random.default_rng(22)
    segs = [5, 17, 3]
    g = f32(r.standard_normal(sum(segs)) * 3)
    g[20:] *= 0.01
    want = g.astype(np.float64).copy()
    v = 1.5
    if mode == 0:
        want = np.clip(want, -v, v)
    elif mode == 1:
        o = 0
        for s in segs:
            nrm = np.linalg.norm(want[o : o + s])
            if nrm > v:
                want[o : o + s] *= v / nrm
            o += s
    else:
        nrm = np.linalg.norm(want)
        want *= v / max(nrm, v)
    p = core.Program(0)
    p.add("clip", [p.ext(g)], [], [mode, len(segs), *segs], [v])
    p.run()
    np.testing.assert_allclose(g, want, rtol=1e-6, atol=1e-7)


def test_constraint_non_neg_and_max_norm():
    w = f32(np.random.default_rng(23).standard_normal((4, 3)) * 3)
    w0 = w.copy()
    p = core.Program(0)
    p.add("constraint", [p.ext(w)], [], [2, 1, 1, 12], [0.0, 0.0, 0.0])  # non_neg
    p.run()
    np.testing.assert_array_equal(w, np.maximum(w0, 0))
    w2 = w0.copy()
    p = core.Program(0)
    p.add("constraint", [p.ext(w2)], [], [1, 1, 4, 3], [0.0, 2.0, 0.0])  # max_norm along axis 0
    p.run()
    nrm = np.sqrt((w0.astype(np.float64) ** 2).sum(0))
    np.testing.assert_allclose(w2, w0 * (np.clip(nrm, 0, 2) / (1e-7 + nrm)), rtol=1e-5)


# ---------------------------------------------------------------------------- index ops


def test_gather_scatter_add():
    r = np.random.default_rng(24)
    V, D, R = 11, 4, 9
    table = f32(r.standard_normal((V, D)))
    ids = f32(r.integers(0, V, R))
    y = np.zeros((R, D), np.float32)
    dy = f32(r.standard_normal((R, D)))
    dt = np.zeros((V, D), np.float32)
    p = core.Program(0)
    it, ii, iy, idy, idt = (p.ext(a) for a in (table, ids, y, dy, dt))
    p.add("gather", [it, ii], [iy], [R, V, D])
    p.add("scatter_add", [idy, ii], [idt], [R, V, D])
    p.run()
    np.testing.assert_array_equal(y, table[ids.astype(int)])
    want = np.zeros((V, D))
    np.add.at(want, ids.astype(int), dy)
    np.testing.assert_allclose(dt, want, rtol=1e-6)
    ids[3] = V
    with pytest.raises(ValueError, match=r"1 id\(s\) outside \[0, 11\)"):
        p.run()
    ids[3] = np.nan
    with pytest.raises(ValueError, match="outside"):
        p.run()


def test_take_and_put_along_axis():
    r = np.random.default_rng(25)
    outer, L, J, inner = 3, 7, 4, 5
    x = f32(r.standard_normal((outer, L, inner)))
    idx = r.integers(-L, L, (outer, J, inner))
    y = np.zeros((outer, J, inner), np.float32)
    dy = f32(r.standard_normal((outer, J, inner)))
    dx = np.zeros_like(x)
    p = core.Program(0)
    fidx = f32(idx)
    ix, ii, iy, idy, idx_ = (p.ext(a) for a in (x, fidx, y, dy, dx))
    p.add("take_along_axis", [ix, ii], [iy], [outer, L, J, inner])
    p.add("put_along_axis_add", [idy, ii], [idx_], [outer, L, J, inner])
    p.run()
    wrapped = np.where(idx < 0, idx + L, idx)
    np.testing.assert_array_equal(y, np.take_along_axis(x, wrapped, 1))
    want = np.zeros(x.shape)
    for o in range(outer):
        for j in range(J):
            for c in range(inner):
                want[o, wrapped[o, j, c], c] += dy[o, j, c]
    np.testing.assert_allclose(dx, want, rtol=1e-6)
    fidx[0, 0, 0] = L
    with pytest.raises(ValueError, match="outside"):
        p.run()
    fidx[0, 0, 0] = -L - 1
    with pytest.raises(ValueError, match="outside"):
        p.run()


def test_one_hot():
    ids = f32([0, 3, -1, 4, 2, np.nan, 1])
    y = np.full((7, 4), 9, np.float32)
    p = core.Program(0)
    p.add("one_hot", [p.ext(ids)], [p.ext(y)], [7, 4])
    p.run()
    want = np.zeros((7, 4), np.float32)
    for i, v in enumerate(ids):
        if v == v and 0 <= v < 4:
            want[i, int(v)] = 1
    np.testing.assert_array_equal(y, want)


# ---------------------------------------------------------------------------- random


def test_dropout_and_random(threads):
    n = 200001
    x = f32(np.random.default_rng(26).standard_normal(n))
    y, mask = np.zeros(n, np.float32), np.zeros(n, np.float32)
    u, z = np.zeros(n, np.float32), np.zeros(n, np.float32)
    p = core.Program(0)
    p.seed = 1234
    p.add("dropout", [p.ext(x)], [p.ext(y), p.ext(mask)], [n, 7], [0.25])
    p.add("random_uniform", [], [p.ext(u)], [n, 8], [-2.0, 3.0])
    p.add("random_normal", [], [p.ext(z)], [n, 9], [1.0, 2.0])
    p.run()
    assert set(np.unique(mask)) <= {0.0, np.float32(1 / 0.75)}
    assert abs((mask == 0).mean() - 0.25) < 0.01
    np.testing.assert_array_equal(y, x * mask)
    assert u.min() >= -2 and u.max() < 3 and abs(u.mean() - 0.5) < 0.02
    assert abs(z.mean() - 1.0) < 0.02 and abs(z.std() - 2.0) < 0.02
    first = (mask.copy(), u.copy(), z.copy())
    p.run()  # the next step draws new numbers
    assert not np.array_equal(mask, first[0]) and not np.array_equal(u, first[1])
    p.step = 0  # the same (seed, step) repeats exactly, on any thread count
    p.run()
    for a, b in zip((mask, u, z), first):
        np.testing.assert_array_equal(a, b)
    q = core.Program(0)
    q.seed = 1234
    u2 = np.zeros(n, np.float32)
    q.add("random_uniform", [], [q.ext(u2)], [n, 8], [-2.0, 3.0])
    before = core.get_num_threads()
    core.set_num_threads(3 - threads)
    try:
        q.run()
    finally:
        core.set_num_threads(before)
    np.testing.assert_array_equal(u2, first[1])


def test_random_seed_state_operand():
    """An optional [seed, counter] operand replaces (program seed, step), read at run time."""
    n = 1000
    x = f32(np.ones(n))

    def masks(state, seed=0, step=0):
        st = f32(state)
        y, u = np.zeros(n, np.float32), np.zeros(n, np.float32)
        p = core.Program(0)
        p.seed, p.step = seed, step
        ist = p.ext(st)
        p.add("dropout", [p.ext(x), ist], [p.ext(y), -1], [n, 3], [0.5])
        p.add("random_uniform", [ist], [p.ext(u)], [n, 3], [0.0, 1.0])
        p.run()
        return y, u

    a, b = masks([11, 0], seed=1, step=5), masks([11, 0], seed=2, step=9)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    c = masks([11, 1])
    assert not np.array_equal(a[0], c[0]) and not np.array_equal(a[1], c[1])
    assert set(np.unique(a[0])) <= {0.0, 2.0}
    p = core.Program(0)
    with pytest.raises(ValueError, match="seed_state"):
        p.add("random_uniform", [p.ext(x), p.ext(x)], [p.ext(x)], [n, 0], [0.0, 1.0])


# ---------------------------------------------------------------------------- normalization


def test_layernorm_and_batchnorm():
    r = np.random.default_rng(27)
    rows, C = 6, 5
    x = f32(r.standard_normal((rows, C)) * 2 + 1)
    g, b = f32(r.uniform(0.5, 1.5, C)), f32(r.standard_normal(C))
    y, mean, rstd = np.zeros_like(x), np.zeros(rows, np.float32), np.zeros(rows, np.float32)
    dy = f32(r.standard_normal((rows, C)))
    dx, dg, db = np.zeros_like(x), np.zeros(C, np.float32), np.zeros(C, np.float32)
    p = core.Program(0)
    ix, ig, ib, iy, im, ir, idy, idx, idg, idb = (
        p.ext(a) for a in (x, g, b, y, mean, rstd, dy, dx, dg, db)
    )
    p.add("layernorm", [ix, ig, ib], [iy, im, ir], [rows, C], [1e-3])
    p.add("layernorm_grad", [idy, ix, im, ir, ig], [idx, idg, idb], [rows, C])
    p.run()
    xd = x.astype(np.float64)
    mu, var = xd.mean(1, keepdims=True), xd.var(1, keepdims=True)
    xh = (xd - mu) / np.sqrt(var + 1e-3)
    np.testing.assert_allclose(y, xh * g + b, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(db, dy.sum(0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(dg, (dy * xh).sum(0), rtol=1e-4, atol=1e-5)
    gy = dy * g
    want_dx = (gy - gy.mean(1, keepdims=True) - xh * (gy * xh).mean(1, keepdims=True)) / np.sqrt(
        var + 1e-3
    )
    np.testing.assert_allclose(dx, want_dx, rtol=1e-4, atol=1e-5)

    yb, bm, bi = np.zeros_like(x), np.zeros(C, np.float32), np.zeros(C, np.float32)
    mm, mv = np.zeros(C, np.float32), np.ones(C, np.float32)
    yi = np.zeros_like(x)
    q = core.Program(0)
    ix, ig, ib, iyb, ibm, ibi, imm, imv, iyi = (q.ext(a) for a in (x, g, b, yb, bm, bi, mm, mv, yi))
    q.add("batchnorm_train", [ix, ig, ib], [iyb, ibm, ibi, imm, imv], [rows, C], [0.9, 1e-3])
    q.add("batchnorm_infer", [ix, ig, ib, imm, imv], [iyi], [rows, C], [1e-3])
    q.run()
    bmu, bvar = xd.mean(0), xd.var(0)
    np.testing.assert_allclose(yb, (xd - bmu) / np.sqrt(bvar + 1e-3) * g + b, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(mm, 0.1 * bmu, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(mv, 0.9 + 0.1 * bvar, rtol=1e-5)
    np.testing.assert_allclose(
        yi, (xd - mm) / np.sqrt(mv.astype(np.float64) + 1e-3) * g + b, rtol=1e-5, atol=1e-5
    )


# ---------------------------------------------------------------------------- program plumbing


def test_workspace_view_copy_fill_and_step():
    p = core.Program(32)
    w = p.workspace()
    assert w.dtype == np.float32 and w.shape == (32,) and not w.any()
    a, b = p.ws(0, 8), p.ws(8, 8)
    p.add("fill", [], [a], [8], [2.5])
    p.add("copy", [a], [b], [8])
    p.add("copy", [b], [b], [8])
    assert p.num_instructions == 3
    p.run()
    assert (w[:16] == 2.5).all() and not w[16:].any()
    assert p.step == 1
    p.step = 41
    p.seed = 2**64 - 1
    p.run()
    assert p.step == 42 and p.seed == 2**64 - 1
    del p
    w[0] = 1  # the view keeps the program alive


def test_accumulators():
    p = core.Program(4)
    s = p.ws(0, 1)
    p.add("fill", [], [s], [1], [0.25])
    p.set_accumulators([s])
    p.run()
    p.accumulate()
    p.accumulate()
    assert p.accumulators() == [0.5]
    p.reset_accumulators()
    assert p.accumulators() == [0.0]


def build_train_program(bs, param):
    """Feeds x (bs, 3), y (bs, 1); SGD on param (3) with grad = mean over rows of x * y;
    accumulators: sum of y, and the batch's row count."""
    p = core.Program(bs * 4 + 8)
    x, y = p.ws(0, bs * 3), p.ws(bs * 3, bs)
    xy, grad, ysum, cnt = p.ws(bs * 4, 0), p.ws(bs * 4, 3), p.ws(bs * 4 + 3, 1), p.ws(bs * 4 + 4, 1)
    xy = p.ws(0, bs * 3)  # x * y in place over x
    ip = p.ext(param)
    p.add(
        "ewise",
        [x, y],
        [xy],
        ewise_ints((bs, 3), [[3, 1], [1, 0]], [(E["multiply"], 2, 0, 1, 0)], [2]),
    )
    p.add("reduce", [xy], [grad], [RC["mean"], 1, bs, 3])
    p.add("optimizer", [ip, grad], [], [OPT["sgd"], 3, 0, 0, 0], hyper_floats())
    p.add("reduce", [y], [ysum], [RC["sum"], 1, bs, 1])
    p.add("fill", [], [cnt], [1], [float(bs)])
    p.set_feeds([(x, 3), (y, 1)])
    p.set_accumulators([ysum, cnt])
    return p


@pytest.mark.parametrize("shuffle", [False, True])
def test_run_batches_matches_python_loop(shuffle):
    r = np.random.default_rng(28)
    n, bs = 23, 5
    X, Y = f32(r.standard_normal((n, 3))), f32(r.standard_normal((n, 1)))
    idx = r.permutation(n).astype(np.int64) if shuffle else None
    lrs = f32(np.linspace(0.1, 0.5, 5))
    param = f32([1.0, 2.0, 3.0])
    full, last = build_train_program(bs, param), build_train_program(n % bs, param)
    core.run_batches(full, last, [X, Y], idx, n, bs, 0, 5, lrs, 0)
    want = np.float32([1.0, 2.0, 3.0])
    order = idx if shuffle else np.arange(n)
    ysum = 0.0
    for b in range(5):
        rows = order[b * bs : (b + 1) * bs]
        g = (X[rows] * Y[rows]).astype(np.float64).mean(0).astype(np.float32)
        want = want - lrs[b] * g
        ysum += Y[rows].sum()
    np.testing.assert_allclose(param, want, rtol=1e-6)
    assert full.step == 5 and last.step == 5
    acc = np.add(full.accumulators(), last.accumulators())
    assert acc[1] == n
    assert acc[0] == pytest.approx(ysum, rel=1e-5)
    # A middle range of batches continues from there.
    full.reset_accumulators()
    core.run_batches(full, last, [X, Y], idx, n, bs, 1, 2, lrs[1:3], 1)
    assert full.accumulators()[1] == 2 * bs and full.step == 7


def test_run_predict():
    r = np.random.default_rng(29)
    n, bs = 11, 4

    def prog(rows):
        p = core.Program(rows * 4)
        x, y = p.ws(0, rows * 2), p.ws(rows * 2, rows * 2)
        p.add(
            "ewise",
            [x],
            [y],
            ewise_ints(
                (rows * 2,), [[1]], [(E["multiply"], 3, 0, 1, 0), (E["add"], 3, 3, 2, 0)], [3]
            ),
            [2.0, 1.0],
        )
        p.set_feeds([(x, 2)])
        p.set_output(y, 2)
        return p

    X = f32(r.standard_normal((n, 2)))
    out = np.zeros((n, 2), np.float32)
    core.run_predict(prog(bs), prog(n % bs), X, bs, out)
    np.testing.assert_array_equal(out, X * 2 + 1)
    with pytest.raises(ValueError, match="last"):
        core.run_predict(prog(bs), None, X, bs, out)


# ---------------------------------------------------------------------------- bad input


def test_bad_input_raises_value_error():
    p = core.Program(16)
    a = p.ws(0, 8)
    for args in [(-1, 2), (10, 8), (0, 17), (0, -1)]:
        with pytest.raises(ValueError, match="outside the workspace"):
            p.ws(*args)
    with pytest.raises(ValueError):
        core.Program(-5)
    with pytest.raises(ValueError, match="unknown kernel"):
        p.add("nope", [a], [a], [8])
    with pytest.raises(ValueError, match="not an operand id"):
        p.add("copy", [a], [99], [8])
    with pytest.raises(ValueError, match="not an operand id"):
        p.add("copy", [-2], [a], [8])
    with pytest.raises(ValueError, match="touches 9"):
        p.add("copy", [a], [a], [9])
    with pytest.raises(ValueError, match="required"):
        p.add("copy", [-1], [a], [8])
    with pytest.raises(ValueError, match="expects 1 ints"):
        p.add("copy", [a], [a], [8, 1])
    with pytest.raises(ValueError, match="expects 1 floats"):
        p.add("fill", [], [a], [8])
    with pytest.raises(ValueError, match="out of range"):
        p.add("copy", [a], [a], [-1])
    with pytest.raises(TypeError):
        p.add("copy", [a], [a], [8.5])
    # ewise: bad code, register, stride, size, count
    with pytest.raises(ValueError, match="unknown code"):
        p.add("ewise", [a], [a], ewise_ints((8,), [[1]], [(999, 1, 0, 0, 0)], [1]))
    with pytest.raises(ValueError, match="temporary register"):
        p.add("ewise", [a], [a], ewise_ints((8,), [[1]], [(E["exp"], 0, 0, 0, 0)], [0]))
    with pytest.raises(ValueError, match="operand register"):
        p.add("ewise", [a], [a], ewise_ints((8,), [[1]], [(E["exp"], 1, 600, 0, 0)], [1]))
    with pytest.raises(ValueError, match="strides"):
        p.add("ewise", [a], [a], ewise_ints((8,), [[-1]], [(E["exp"], 1, 0, 0, 0)], [1]))
    with pytest.raises(ValueError, match="touches"):
        p.add("ewise", [a], [a], ewise_ints((8,), [[2]], [(E["exp"], 1, 0, 0, 0)], [1]))
    with pytest.raises(ValueError, match="touches"):
        p.add("ewise", [a], [a], ewise_ints((3, 3), [[3, 1]], [(E["exp"], 1, 0, 0, 0)], [1]))
    with pytest.raises(ValueError, match="past the end"):
        p.add("ewise", [a], [a], ewise_ints((8,), [[1]], [(E["exp"], 1, 0, 0, 0)], [1]) + [0])
    with pytest.raises(ValueError, match="inputs"):
        p.add("ewise", [a, a], [a], ewise_ints((8,), [[1]], [(E["exp"], 1, 0, 0, 0)], [1]))
    with pytest.raises(ValueError, match="out_reg"):
        p.add("ewise", [a], [a], ewise_ints((8,), [[1]], [(E["exp"], 1, 0, 0, 0)], [5]))
    # strided views that leave their operand
    with pytest.raises(ValueError, match="reaches"):
        p.add("strided", [a], [a], [1, 0, 9, 1])
    with pytest.raises(ValueError, match="reaches"):
        p.add("strided", [a], [a], [1, 3, 5, -1])
    with pytest.raises(ValueError, match="reaches"):
        p.add("strided_write", [a], [a], [2, 0, 0, 2, 2, 4, 5])
    with pytest.raises(ValueError, match="touches"):
        p.add("matmul", [a, a], [a], [3, 2, 2, 2, 0, 0, 4, 4], [1.0, 0.0])
    with pytest.raises(ValueError, match="slot"):
        p.add("optimizer", [a, a], [], [OPT["adam"], 8, 0, 0, 0], hyper_floats())
    with pytest.raises(ValueError, match="not in"):
        p.add("reduce", [a], [a], [99, 1, 8, 1])
    with pytest.raises(ValueError, match="rate"):
        p.add("dropout", [a], [a, -1], [8, 0], [1.5])
    assert p.num_instructions == 0  # nothing half-added


def test_ext_rejects_bad_arrays():
    p = core.Program(0)
    with pytest.raises(ValueError, match="float32"):
        p.ext(np.zeros(4))
    with pytest.raises(ValueError, match="C-contiguous"):
        p.ext(np.zeros((4, 4), np.float32)[:, ::2])
    ro = np.zeros(4, np.float32)
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="writable"):
        p.ext(ro)
    with pytest.raises(ValueError):
        p.ext([1.0, 2.0])


def test_run_batches_bad_input():
    param = f32([0, 0, 0])
    full = build_train_program(4, param)
    X, Y = f32(np.zeros((10, 3))), f32(np.zeros((10, 1)))
    lrs = f32(np.zeros(3))
    with pytest.raises(ValueError, match="no `last`"):
        core.run_batches(full, None, [X, Y], None, 10, 4, 0, 3, lrs, 0)
    with pytest.raises(ValueError, match="feeds"):
        core.run_batches(full, None, [X], None, 8, 4, 0, 2, lrs, 0)
    with pytest.raises(ValueError, match="width"):
        core.run_batches(full, None, [Y, Y], None, 8, 4, 0, 2, lrs, 0)
    with pytest.raises(ValueError, match="row index"):
        core.run_batches(
            full, None, [X, Y], np.array([0, 1, 2, 3, 4, 5, 6, 99]), 8, 4, 0, 2, lrs, 0
        )
    with pytest.raises(ValueError, match="lrs"):
        core.run_batches(full, None, [X, Y], None, 8, 4, 0, 2, lrs[:1], 0)
    with pytest.raises(ValueError, match="rows"):
        core.run_batches(full, None, [X, Y], None, 12, 4, 0, 3, lrs, 0)
    assert full.step == 0


def test_run_releases_gil_and_serialises_programs():
    import threading

    n = 1 << 20
    x = f32(np.random.default_rng(30).standard_normal(n))
    y = np.zeros(n, np.float32)
    p = core.Program(0)
    p.add("ewise", [p.ext(x)], [p.ext(y)], ewise_ints((n,), [[1]], [(E["gelu"], 1, 0, 0, 0)], [1]))
    ts = [threading.Thread(target=lambda: [p.run() for _ in range(5)]) for _ in range(3)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert p.step == 15


# ---------------------------------------------------------------------------- conv, pool, scans

from kerasette.graph.prims.conv import conv_scratch_floats  # noqa: E402


def conv_ref(x, w, sh, sw, dh, dw, pt, pl, OH, OW, groups):
    N, H, W, C = x.shape
    KH, KW, Cg, O = w.shape
    Og = O // groups
    xp = np.zeros((N, H + 2 * pt + KH * dh + OH * sh, W + 2 * pl + KW * dw + OW * sw, C))
    xp[:, pt : pt + H, pl : pl + W] = x
    y = np.zeros((N, OH, OW, O))
    for g in range(groups):
        for kh in range(KH):
            for kw in range(KW):
                patch = xp[
                    :,
                    kh * dh : kh * dh + OH * sh : sh,
                    kw * dw : kw * dw + OW * sw : sw,
                    g * Cg : (g + 1) * Cg,
                ]
                y[..., g * Og : (g + 1) * Og] += (
                    patch[:, :OH, :OW] @ w[kh, kw, :, g * Og : (g + 1) * Og]
                )
    return y


CONVS = [  # N, H, W, C, O, KH, KW, sh, sw, dh, dw, pt, pl, OH, OW, groups
    (2, 7, 6, 3, 4, 3, 3, 1, 1, 1, 1, 1, 1, 7, 6, 1),  # 'same'
    (2, 9, 8, 4, 6, 3, 2, 2, 2, 1, 1, 0, 0, 4, 4, 1),  # 'valid', strided
    (1, 9, 9, 4, 4, 3, 3, 1, 1, 2, 2, 2, 2, 9, 9, 2),  # dilated, grouped
    (3, 5, 5, 6, 5, 1, 1, 1, 1, 1, 1, 0, 0, 5, 5, 1),  # 1x1: no scratch
    (1, 4, 4, 6, 6, 3, 3, 1, 1, 1, 1, 1, 1, 4, 4, 6),  # depthwise
]


@pytest.mark.parametrize("cs", CONVS)
def test_conv2d_and_grads(cs, isa):
    N, H, W, C, O, KH, KW, sh, sw, dh, dw, pt, pl, OH, OW, groups = cs
    r = np.random.default_rng(31)
    x = f32(r.standard_normal((N, H, W, C)))
    w = f32(r.standard_normal((KH, KW, C // groups, O)))
    dy = f32(r.standard_normal((N, OH, OW, O)))
    y, dx, dwt = (
        np.zeros((N, OH, OW, O), np.float32),
        np.full((N, H, W, C), 7, np.float32),
        np.full(w.shape, 7, np.float32),
    )
    floats = conv_scratch_floats(cs)  # the small-K filter gradient's parts, or none
    p = core.Program(0)
    ix, iw, idy, iy, idx, idw = (p.ext(a) for a in (x, w, dy, y, dx, dwt))
    isc = p.ext(np.zeros(floats, np.float32)) if floats else -1
    ints = list(cs)
    p.add("conv2d", [ix, iw], [iy, isc], ints)
    p.add("conv2d_grad_input", [idy, iw], [idx, isc], ints)
    p.add("conv2d_grad_filter", [ix, idy], [idw, isc], ints)
    p.run()
    xd, wd, dyd = x.astype(np.float64), w.astype(np.float64), dy.astype(np.float64)
    np.testing.assert_allclose(
        y, conv_ref(xd, wd, sh, sw, dh, dw, pt, pl, OH, OW, groups), rtol=1e-4, atol=1e-4
    )
    # Gradients by linearity of <dy, conv(x, w)> in each argument:
    # dL/dw[k] = sum over outputs of dy * d y / d w[k]: the reference applied to unit filters.
    want_dw = np.zeros(w.shape)
    for idx_ in np.ndindex(*w.shape):
        e = np.zeros(w.shape)
        e[idx_] = 1
        want_dw[idx_] = (dyd * conv_ref(xd, e, sh, sw, dh, dw, pt, pl, OH, OW, groups)).sum()
    np.testing.assert_allclose(dwt, want_dw, rtol=1e-4, atol=1e-4)
    if x.size <= 600:
        want_dx = np.zeros(x.shape)
        for idx_ in np.ndindex(*x.shape):
            e = np.zeros(x.shape)
            e[idx_] = 1
            want_dx[idx_] = (dyd * conv_ref(e, wd, sh, sw, dh, dw, pt, pl, OH, OW, groups)).sum()
        np.testing.assert_allclose(dx, want_dx, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize(
    "ps",
    [
        (2, 6, 7, 3, 2, 2, 2, 2, 0, 0, 3, 3),
        (1, 5, 5, 2, 3, 3, 2, 2, 1, 1, 3, 3),
        (2, 4, 4, 3, 3, 3, 1, 1, 1, 1, 4, 4),
    ],
)
@pytest.mark.parametrize("mode", [0, 1])
def test_pool2d_and_grad(ps, mode):
    N, H, W, C, KH, KW, sh, sw, pt, pl, OH, OW = ps
    r = np.random.default_rng(32)
    x = f32(np.round(r.standard_normal((N, H, W, C)) * 2))  # ties: the first max takes the grad
    dy = f32(r.standard_normal((N, OH, OW, C)))
    y, dx = np.zeros((N, OH, OW, C), np.float32), np.full(x.shape, 5, np.float32)
    p = core.Program(0)
    ix, idy, iy, idx = (p.ext(a) for a in (x, dy, y, dx))
    ints = [*ps, mode]
    p.add("pool2d", [ix], [iy], ints)
    p.add("pool2d_grad", [ix, idy], [idx], ints)
    p.run()
    want_y, want_dx = np.zeros(y.shape), np.zeros(x.shape)
    for n in range(N):
        for oh in range(OH):
            for ow in range(OW):
                hs = [h for h in range(oh * sh - pt, oh * sh - pt + KH) if 0 <= h < H]
                ws = [w_ for w_ in range(ow * sw - pl, ow * sw - pl + KW) if 0 <= w_ < W]
                win = x[n][np.ix_(hs, ws)].reshape(-1, C)
                if mode:
                    want_y[n, oh, ow] = win.mean(0)
                    for h in hs:
                        for w_ in ws:
                            want_dx[n, h, w_] += dy[n, oh, ow] / len(win)
                else:
                    want_y[n, oh, ow] = win.max(0)
                    first = win.argmax(0)
                    for c in range(C):
                        h, w_ = hs[first[c] // len(ws)], ws[first[c] % len(ws)]
                        want_dx[n, h, w_, c] += dy[n, oh, ow, c]
    np.testing.assert_allclose(y, want_y, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(dx, want_dx, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("shape", [(1, 1000, 1), (3, 17, 5), (2, 0, 3), (4, 1, 1)])
def test_cumsum_cumprod(shape, threads):
    x = f32(np.random.default_rng(33).uniform(0.5, 1.5, shape))
    for kind, fn in (("cumsum", np.cumsum), ("cumprod", np.cumprod)):
        y = np.zeros(x.size, np.float32)
        p = core.Program(0)
        p.add(kind, [p.ext(x)], [p.ext(y)], list(shape))
        p.run()
        np.testing.assert_array_equal(y.reshape(shape), fn(x, axis=1, dtype=np.float32))


def test_conv_bad_shapes():
    p = core.Program(0)
    a = p.ext(np.zeros(1000, np.float32))
    good = [1, 4, 4, 2, 2, 3, 3, 1, 1, 1, 1, 1, 1, 4, 4, 1]
    p.add("conv2d", [a, a], [a, a], good)
    for j, v, msg in [(15, 3, "groups"), (7, 0, "strides"), (0, -1, "out of range")]:
        bad = list(good)
        bad[j] = v
        with pytest.raises(ValueError, match=msg):
            p.add("conv2d", [a, a], [a, a], bad)
    small = p.ext(np.zeros(10, np.float32))
    with pytest.raises(ValueError, match="touches"):
        p.add("conv2d", [a, a], [a, small], good)
    with pytest.raises(ValueError, match="required"):
        p.add("conv2d", [a, a], [a, -1], good)
