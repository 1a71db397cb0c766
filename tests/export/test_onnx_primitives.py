"""Each primitive's ONNX rule against the primitive's own numpy implementation (the
reference every kerasette kernel is tested against), on one-node graphs: dtypes mixed,
broadcasting, negative indices and steps, edge values (nan, inf, zeros, ties)."""

import numpy as np
import pytest

ort = pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")

import kerasette.graph.fused  # noqa: E402,F401  (registers the recurrent primitives)
from kerasette.export.onnx_export import lower_fn  # noqa: E402
from kerasette.export.onnx_rules import RULES, UNSUPPORTED  # noqa: E402
from kerasette.graph import registry  # noqa: E402
from kerasette.graph.fnir import FnIR  # noqa: E402
from kerasette.graph.ir import Graph  # noqa: E402
from kerasette.graph.trace import apply, tracing  # noqa: E402

R = np.random.default_rng(7)


def f(*shape, lo=-2.0, hi=2.0):
    return R.uniform(lo, hi, shape).astype("float32")


def i(*shape, lo=-5, hi=6):
    return R.integers(lo, hi, shape).astype("int32")


def b(*shape):
    return R.integers(0, 2, shape).astype(bool)


SPECIAL = np.array([[0.0, -0.0, 1.5, -2.5, np.nan], [np.inf, -np.inf, 3.0, 0.5, -1.0]], "float32")

# (op, [inputs], attrs, dynamic) -- dynamic: the first input's axis 0 is None in the file
CASES = []


def case(op, inputs, dynamic=False, **attrs):
    CASES.append((op, inputs, attrs, dynamic))


_DOMAIN = {
    "log": (0.1, 3),
    "sqrt": (0.1, 3),
    "rsqrt": (0.1, 3),
    "log1p": (-0.5, 3),
    "reciprocal": (0.2, 3),
    "arcsin": (-0.9, 0.9),
    "arccos": (-0.9, 0.9),
    "arctanh": (-0.9, 0.9),
    "arccosh": (1.1, 3),
}
for op in [
    "negative",
    "abs",
    "sign",
    "square",
    "floor",
    "ceil",
    "round",
    "trunc",
    "exp",
    "expm1",
    "log",
    "log1p",
    "sqrt",
    "rsqrt",
    "reciprocal",
    "sin",
    "cos",
    "tan",
    "arcsin",
    "arccos",
    "arctan",
    "sinh",
    "cosh",
    "tanh",
    "arcsinh",
    "arccosh",
    "arctanh",
    "erf",
    "sigmoid",
    "relu",
]:
    lo, hi = _DOMAIN.get(op, (-2.5, 2.5))
    case(op, [f(3, 4, lo=lo, hi=hi)], dynamic=True)
for op in ["negative", "abs", "sign", "square", "round", "trunc", "relu", "exp", "floor"]:
    case(op, [i(3, 4)])
case("round", [np.array([0.5, 1.5, 2.5, -0.5, -1.5, 2.4], "float32")])
case("square", [b(5)])
case("logical_not", [b(3, 4)])
case("logical_not", [np.array([0.0, 2.0, -1.0], "float32")])
for op in ["isnan", "isinf", "isfinite"]:
    case(op, [SPECIAL])
    case(op, [i(4)])

for op in ["add", "subtract", "multiply", "divide", "power", "maximum", "minimum"]:
    case(op, [f(3, 4, lo=0.2), f(4, lo=0.2)], dynamic=True)
    case(op, [i(3, 4, lo=1), f(1, 4, lo=0.5)])
case("add", [i(2, 3), i(3)])
case("divide", [i(2, 3), i(3, lo=1)])
for op in ["floor_divide", "mod"]:
    case(op, [f(4, 5, lo=-5, hi=5), np.array([1.5, -2.0, 0.7, -0.3, 3.0], "float32")])
    case(op, [i(4, 5, lo=-9, hi=9), np.array([2, -3, 4, -1, 5], "int32")])
case(
    "arctan2",
    [
        np.array([1, 1, -1, -1, 0, 0, 2, -2, 0], "float32"),
        np.array([1, -1, 1, -1, 1, -1, 0, 0, 0], "float32"),
    ],
)
for op in ["equal", "not_equal", "less", "less_equal", "greater", "greater_equal"]:
    case(op, [np.round(f(3, 4)), np.round(f(4))])
    case(op, [i(3, 4), f(3, 4, lo=-5, hi=5)])
case("greater", [b(6), b(6)])
case("equal", [b(6), b(6)])
for op in ["logical_and", "logical_or", "logical_xor"]:
    case(op, [b(3, 4), b(4)])
    case(op, [f(4), b(4)])
case("where", [b(3, 4), f(3, 4), i(4)], dynamic=True)
case("where", [f(3, 1), i(3, 4), i(1, 4)])
for dt in ["int32", "bool", "float32", "uint8"]:
    case("cast", [f(3, 4, lo=-4, hi=4)], dtype=dt)
case("cast", [i(3, 4)], dtype="float32")
case("full_like", [f(3, 4)], dynamic=True, value=2.5, dtype="float32")
case("full_like", [f(2)], value=3, dtype="int32")

for op in ["sum", "prod", "max", "min"]:
    case(op, [f(3, 4, 5)], dynamic=True, axis=1, keepdims=False)
    case(op, [f(3, 4, 5)], axis=(0, 2), keepdims=True)
    case(op, [f(3, 4)], axis=None, keepdims=False)
case("sum", [b(3, 4)], axis=0, keepdims=False)
case("sum", [i(3, 4)], axis=-1, keepdims=True)
case("sum", [f(3, 4)], axis=(), keepdims=False)
for op in ["any", "all"]:
    case(op, [b(3, 4)], axis=1, keepdims=False)
    case(op, [np.round(f(3, 4))], axis=None, keepdims=True)
for op in ["argmax", "argmin"]:
    case(op, [np.round(f(3, 5))], dynamic=True, axis=1, keepdims=False)
    case(op, [f(3, 5)], axis=None, keepdims=False)
    case(op, [f(3, 5)], axis=None, keepdims=True)
    case(op, [f(3, 5)], axis=0, keepdims=True)
case("cumsum", [f(3, 4)], dynamic=True, axis=1, reverse=False)
case("cumsum", [f(3, 4)], axis=0, reverse=True)
case("cumsum", [b(3, 4)], axis=-1, reverse=False)

case("reshape", [f(3, 4, 2)], dynamic=True, shape=(-1, 8))
case("reshape", [f(3, 4, 2)], shape=(4, 6))
case("expand_dims", [f(3, 4)], dynamic=True, axis=(0, 3))
case("squeeze", [f(3, 1, 4, 1)], axis=(1, 3))
case("transpose", [f(2, 3, 4)], dynamic=True, axes=(2, 0, 1))
case("broadcast_to", [f(1, 4)], shape=(3, 2, 4))
case("broadcast_to", [f(3, 1)], dynamic=True, shape=(None, 5))
case("broadcast_like", [f(3, 1), f(2, 3, 4)], dynamic=True)
case("stop_gradient", [f(3)])
case("strided_slice", [f(6, 7)], dynamic=True, begin=(1, None), end=(None, -2), strides=(1, 2))
case("strided_slice", [f(6, 7)], begin=(None, 5), end=(None, None), strides=(-1, -2))
case("strided_slice", [f(6, 7)], begin=(-2, 1), end=(0, -1), strides=(-1, 3))
case("pad", [f(3, 4)], dynamic=True, pad_width=((0, 0), (2, 1)), constant_value=0)
case("pad", [i(3, 4)], pad_width=((1, 2), (0, 1)), constant_value=-7)
case("concatenate", [f(3, 2), i(3, 4), f(3, 1)], dynamic=True, axis=1)
case("concatenate", [f(2, 3), f(1, 3)], axis=0)
case("tile", [f(2, 3)], dynamic=True, reps=(2, 3))
case("repeat", [f(2, 3)], dynamic=True, repeats=3, axis=1)
case("repeat", [f(2, 3)], repeats=2, axis=0)
case("shape_dim", [f(5, 3)], dynamic=True, axis=0)
case("shape_dim", [f(5, 3)], axis=-1)

case("matmul", [f(2, 3, 4), f(4, 5)], dynamic=True)
case("matmul", [f(4), f(2, 4, 3)])
case("matmul", [f(3, 4), f(4)])
case("matmul", [i(2, 3), i(3, 2)])
for op in ["softmax", "log_softmax"]:
    case(op, [f(3, 4, 5)], dynamic=True, axis=-1)
    case(op, [f(3, 4, 5)], axis=1)
case("softmax_cross_entropy", [f(4, 5), np.abs(f(4, 5))], dynamic=True, axis=-1)
case("sparse_softmax_cross_entropy", [f(4, 5), i(4, lo=0, hi=5)], dynamic=True)
case("take", [f(5, 3), np.array([[0, -1], [4, 2]], "int32")], axis=0)
case("take", [f(2, 5), np.array([3, -2, 0], "int32")], dynamic=True, axis=1)
case(
    "take_along_axis", [f(3, 4), np.array([[0, 3], [-1, 1], [2, 2]], "int32")], dynamic=True, axis=1
)
case("one_hot", [np.array([0, 3, -1, 7, 2], "int32")], num_classes=5, axis=-1, dtype="float32")
case("one_hot", [np.array([[0, 1], [2, 4]], "int32")], num_classes=5, axis=0, dtype="int32")
case(
    "conv2d",
    [f(2, 6, 7, 4), f(3, 2, 2, 6)],
    dynamic=True,
    strides=(2, 1),
    dilation=(1, 2),
    pads=(1, 1),
    out=(3, 6),
    groups=2,
)
case(
    "conv2d_grad_input",
    [f(2, 3, 6, 6), f(3, 2, 2, 6)],
    strides=(2, 1),
    dilation=(1, 2),
    pads=(1, 1),
    out=(3, 6),
    groups=2,
    in_hw=(6, 7),
)
case(
    "conv2d_grad_input",
    [f(1, 2, 2, 3), f(2, 2, 4, 3)],
    strides=(3, 3),
    dilation=(1, 1),
    pads=(0, 0),
    out=(2, 2),
    groups=1,
    in_hw=(7, 6),
)
for mode in ["max", "avg"]:
    case(
        "pool2d",
        [f(2, 7, 6, 3)],
        dynamic=True,
        ksize=(3, 2),
        strides=(2, 2),
        pads=(1, 0),
        out=(4, 3),
        mode=mode,
    )
    case(
        "pool2d", [f(1, 7, 7, 2)], ksize=(2, 2), strides=(2, 2), pads=(0, 0), out=(3, 3), mode=mode
    )
case("rnn_seq", [f(2, 5, 3), f(2, 3), f(3, 3), b(2, 5)], dynamic=True, act="relu", masked=True)
case("rnn_seq", [f(2, 5, 3), f(2, 3), f(3, 3)], act="linear", masked=False)
case("gru_seq", [f(2, 5, 9), f(2, 3), f(3, 9), b(2, 5)], reset_after=False, masked=True)
case(
    "gru_seq",
    [f(2, 5, 9), f(2, 3), f(3, 9), f(9), b(2, 5)],
    dynamic=True,
    reset_after=True,
    masked=True,
)
case("lstm_seq", [f(2, 5, 12), f(2, 3), f(2, 3), f(3, 12), b(2, 5)], dynamic=True, masked=True)


def _id(c):
    return c[0]


def _lower_one(op, inputs, attrs, dynamic):
    g = Graph("one")
    phs = []
    for k, x in enumerate(inputs):
        shape = tuple(x.shape)
        if dynamic and k == 0:
            shape = (None,) + shape[1:]
        phs.append(g.placeholder(shape, str(x.dtype), name=f"x{k}"))
    with tracing(g):
        out = apply(op, phs, **attrs)
    outs = list(out) if isinstance(out, tuple) else [out]
    fn = FnIR(g, phs, outs)
    names = [f"y{k}" for k in range(len(outs))]
    return lower_fn(fn, [p.name for p in phs], names, 18)


@pytest.mark.parametrize("op,inputs,attrs,dynamic", CASES, ids=[_id(c) for c in CASES])
def test_rule_matches_numpy_eval(op, inputs, attrs, dynamic):
    proto = _lower_one(op, inputs, attrs, dynamic)
    sess = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    got = sess.run(None, {f"x{k}": x for k, x in enumerate(inputs)})
    ref = registry.get(op).eval(*inputs, **attrs)
    ref = list(ref) if isinstance(ref, tuple) else [ref]
    for g, r in zip(got, ref):
        r = np.asarray(r)
        assert g.shape == r.shape, (g.shape, r.shape)
        assert g.dtype == r.dtype, (g.dtype, r.dtype)
        if r.dtype.kind == "f":
            np.testing.assert_allclose(g, r, atol=1e-5, rtol=1e-5)
        else:
            np.testing.assert_array_equal(g, r)


# Primitives only gradients, losses and optimizers make: export traces the inference
# forward, where they never appear, so they need no rule.
TRAINING_ONLY = {"index_add", "scatter_add_along_axis"}


def _training_only(name):
    kernel = registry.get(name).kernel
    return (
        name in TRAINING_ONLY
        or "grad" in name
        or (kernel in ("loss", "optimizer") and name not in RULES)
    )


# Made by the compiler's passes after tracing (fusion); export lowers the traced graph.
# Made by the fusion passes, which export never runs (it traces the unoptimized forward).
COMPILER_ONLY = {"dense_act", "fused_ewise", "matmul_t", "conv2d_bias_act"}
SOURCES = {"placeholder", "constant", "variable"}


def test_every_primitive_is_accounted_for():
    import kerasette.graph.prims  # noqa: F401
    import kerasette.layers  # noqa: F401  (layers/noise.py registers one of its own)

    # other test modules register their own primitives ("test_*") in the same process
    names = {n for n in registry.all_ops() if not n.startswith("test_")}
    missing = {
        n
        for n in names - set(RULES) - set(UNSUPPORTED) - COMPILER_ONLY - SOURCES
        if not _training_only(n)
    }
    assert not missing, f"primitives with no ONNX rule and no stated reason: {sorted(missing)}"
    tested = {c[0] for c in CASES}
    assert set(RULES) <= tested, f"rules with no test case: {sorted(set(RULES) - tested)}"
