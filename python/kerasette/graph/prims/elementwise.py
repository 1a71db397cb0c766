"""Elementwise ops: unary math, binary arithmetic and comparisons with numpy
broadcasting, `where`, `cast` and `full_like`.

Each op is one row of a table: name, numpy implementation, gradient rule. Every op here
has kernel "ewise": the C++ side runs the family with one kernel keyed by the op's name
(attributes: `cast` has dtype; `full_like` has value, dtype).

Dtypes: the eval casts its inputs to the result dtype before calling numpy, so numpy's
own promotion (int32 + float16 -> float64) never decides a result dtype.
"""

import numpy as np

from ..registry import register
from ._util import broadcast_shapes, float_dtype, result_dtype, unbroadcast


def _ops():
    from ... import ops

    return ops


def _dt(d):
    return str(np.dtype(d))


# ---- unary -----------------------------------------------------------------------------
# out: "float" (ints/bools become float32, floats keep their dtype), "same" (dtype kept),
# "bool" (a predicate), or "int32_for_bool" (same, but bool becomes int32: square).
def _unary_dtype(dtype, out):
    d = _dt(dtype)
    if out == "float":
        return float_dtype(d)
    if out == "bool":
        return "bool"
    if out == "int32_for_bool" and d == "bool":
        return "int32"
    return d


def _unary(name, fn, grad, out="float"):
    def infer(x):
        return tuple(x.shape), _unary_dtype(x.dtype, out)

    def ev(x):
        dt = _unary_dtype(x.dtype, out)
        if out != "bool" and x.dtype != dt:
            x = x.astype(dt)
        return np.asarray(fn(x), dtype=dt)

    register(name, infer=infer, eval=ev, grad=grad, kernel="ewise")


def _g(rule):
    """A grad rule from dy/dx written in ops: node, g -> [g * rule(x, y)]."""

    def grad(node, g):
        x, y = node.inputs[0], node.outputs[0]
        return [_ops().multiply(g, rule(_ops(), x, y))]

    return grad


def _zero_grad(node, g):
    return [_ops().zeros_like(g)]


def _erf(x):
    # Abramowitz-Stegun is too coarse for an oracle; math.erf per element is exact.
    import math

    flat = np.asarray(x, dtype=np.float64).ravel()
    return np.array([math.erf(v) for v in flat]).reshape(np.shape(x))


def _sigmoid(x):
    # exp of a non-positive number only: no overflow for large |x|.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


_SQRT_PI_2 = 2.0 / np.sqrt(np.pi)

_unary("negative", np.negative, lambda node, g: [_ops().negative(g)], out="same")
_unary("abs", np.abs, _g(lambda o, x, y: o.sign(x)), out="same")
_unary("sign", np.sign, _zero_grad, out="same")
_unary("square", np.square, _g(lambda o, x, y: o.multiply(x, 2.0)), out="int32_for_bool")
_unary("floor", np.floor, _zero_grad)
_unary("ceil", np.ceil, _zero_grad)
_unary("round", np.round, _zero_grad, out="same")  # half to even, as TF
_unary("trunc", np.trunc, _zero_grad, out="same")
_unary("exp", np.exp, _g(lambda o, x, y: y))
_unary("expm1", np.expm1, _g(lambda o, x, y: o.add(y, 1.0)))
_unary("log", np.log, _g(lambda o, x, y: o.reciprocal(x)))
_unary("log1p", np.log1p, _g(lambda o, x, y: o.reciprocal(o.add(x, 1.0))))
_unary("sqrt", np.sqrt, _g(lambda o, x, y: o.divide(0.5, y)))
_unary(
    "rsqrt",
    lambda x: 1 / np.sqrt(x),
    _g(lambda o, x, y: o.multiply(-0.5, o.multiply(y, o.square(y)))),
)
_unary("reciprocal", np.reciprocal, _g(lambda o, x, y: o.negative(o.square(y))))
_unary("sin", np.sin, _g(lambda o, x, y: o.cos(x)))
_unary("cos", np.cos, _g(lambda o, x, y: o.negative(o.sin(x))))
_unary("tan", np.tan, _g(lambda o, x, y: o.add(1.0, o.square(y))))
_unary("arcsin", np.arcsin, _g(lambda o, x, y: o.rsqrt(o.subtract(1.0, o.square(x)))))
_unary("arccos", np.arccos, _g(lambda o, x, y: o.negative(o.rsqrt(o.subtract(1.0, o.square(x))))))
_unary("arctan", np.arctan, _g(lambda o, x, y: o.reciprocal(o.add(1.0, o.square(x)))))
_unary("sinh", np.sinh, _g(lambda o, x, y: o.cosh(x)))
_unary("cosh", np.cosh, _g(lambda o, x, y: o.sinh(x)))
_unary("tanh", np.tanh, _g(lambda o, x, y: o.subtract(1.0, o.square(y))))
_unary("arcsinh", np.arcsinh, _g(lambda o, x, y: o.rsqrt(o.add(o.square(x), 1.0))))
_unary("arccosh", np.arccosh, _g(lambda o, x, y: o.rsqrt(o.subtract(o.square(x), 1.0))))
_unary("arctanh", np.arctanh, _g(lambda o, x, y: o.reciprocal(o.subtract(1.0, o.square(x)))))
_unary("erf", _erf, _g(lambda o, x, y: o.multiply(_SQRT_PI_2, o.exp(o.negative(o.square(x))))))
# sigmoid is a primitive (not 1/(1+exp(-x))) so crossentropy can find its logits and the
# kernel can use the overflow-free form.
_unary("sigmoid", _sigmoid, _g(lambda o, x, y: o.multiply(y, o.subtract(1.0, y))))
# relu is a primitive so the fusion pass sees it (GEMM + bias + activation epilogue);
# its gradient reads the output (y > 0 exactly where x > 0), so the pre-activation need
# not be kept and the epilogue can apply the relu.
_unary(
    "relu",
    lambda x: np.maximum(x, np.zeros((), x.dtype)),
    _g(lambda o, x, y: o.cast(o.greater(y, 0), x.dtype)),
    out="same",
)
_unary("logical_not", lambda x: np.logical_not(x), None, out="bool")
_unary("isnan", np.isnan, None, out="bool")
_unary("isinf", np.isinf, None, out="bool")
_unary("isfinite", np.isfinite, None, out="bool")


# ---- binary ----------------------------------------------------------------------------
def _binary(name, fn, grad, out=None):
    """out: None (the promoted dtype), "bool" (comparisons, logic), or "float" (divide)."""

    def dtype_of(a, b):
        if out == "bool":
            return "bool"
        d = result_dtype(a.dtype, b.dtype)
        return float_dtype(d) if out == "float" else d

    def infer(a, b):
        return broadcast_shapes(tuple(a.shape), tuple(b.shape)), dtype_of(a, b)

    def ev(a, b):
        dt = dtype_of(a, b)
        if out != "bool":
            a, b = a.astype(dt, copy=False), b.astype(dt, copy=False)
        elif a.dtype != b.dtype:  # compare in the promoted dtype
            ct = result_dtype(a.dtype, b.dtype)
            a, b = a.astype(ct, copy=False), b.astype(ct, copy=False)
        return np.asarray(fn(a, b), dtype=dt)

    register(name, infer=infer, eval=ev, grad=grad, kernel="ewise")


def _add_grad(node, g):
    a, b = node.inputs
    return [unbroadcast(g, a.shape), unbroadcast(g, b.shape)]


def _sub_grad(node, g):
    a, b = node.inputs
    return [unbroadcast(g, a.shape), unbroadcast(_ops().negative(g), b.shape)]


def _mul_grad(node, g):
    a, b = node.inputs
    ops = _ops()
    return [unbroadcast(ops.multiply(g, b), a.shape), unbroadcast(ops.multiply(g, a), b.shape)]


def _div_grad(node, g):
    a, b = node.inputs
    ops = _ops()
    ga = ops.divide(g, b)
    gb = ops.negative(ops.multiply(ga, node.outputs[0]))
    return [unbroadcast(ga, a.shape), unbroadcast(gb, b.shape)]


def _pow_grad(node, g):
    a, b = node.inputs
    y = node.outputs[0]
    ops = _ops()
    ga = ops.multiply(g, ops.multiply(b, ops.power(a, ops.subtract(b, 1.0))))
    # d/db a^b = a^b log a, taken as 0 where a <= 0 (as TF does)
    safe = ops.where(ops.greater(a, 0.0), a, ops.ones_like(a))
    gb = ops.multiply(g, ops.where(ops.greater(a, 0.0), ops.multiply(y, ops.log(safe)), 0.0))
    return [unbroadcast(ga, a.shape), unbroadcast(gb, b.shape)]


def _minmax_grad(pick_a):
    # TF's rule: the gradient goes to a where a wins or ties, else to b.
    def grad(node, g):
        a, b = node.inputs
        ops = _ops()
        mask = pick_a(ops, a, b)
        zero = ops.zeros_like(g)
        return [
            unbroadcast(ops.where(mask, g, zero), a.shape),
            unbroadcast(ops.where(mask, zero, g), b.shape),
        ]

    return grad


def _mod_grad(node, g):
    a, b = node.inputs
    ops = _ops()
    return [
        unbroadcast(g, a.shape),
        unbroadcast(ops.negative(ops.multiply(g, ops.floor_divide(a, b))), b.shape),
    ]


def _atan2_grad(node, g):
    a, b = node.inputs
    ops = _ops()
    den = ops.add(ops.square(a), ops.square(b))
    return [
        unbroadcast(ops.multiply(g, ops.divide(b, den)), a.shape),
        unbroadcast(ops.multiply(g, ops.divide(ops.negative(a), den)), b.shape),
    ]


def _zero2(node, g):
    z = _ops().zeros_like
    a, b = node.inputs
    return [z(a), z(b)]


_binary("add", np.add, _add_grad)
_binary("subtract", np.subtract, _sub_grad)
_binary("multiply", np.multiply, _mul_grad)
_binary("divide", np.true_divide, _div_grad, out="float")
_binary("power", np.power, _pow_grad)
_binary("maximum", np.maximum, _minmax_grad(lambda o, a, b: o.greater_equal(a, b)))
_binary("minimum", np.minimum, _minmax_grad(lambda o, a, b: o.less_equal(a, b)))
_binary("floor_divide", np.floor_divide, _zero2)
_binary("mod", np.mod, _mod_grad)  # floor mod: the sign follows the divisor, as TF
_binary("arctan2", np.arctan2, _atan2_grad)
for _name, _fn in [
    ("equal", np.equal),
    ("not_equal", np.not_equal),
    ("less", np.less),
    ("less_equal", np.less_equal),
    ("greater", np.greater),
    ("greater_equal", np.greater_equal),
    ("logical_and", np.logical_and),
    ("logical_or", np.logical_or),
    ("logical_xor", np.logical_xor),
]:
    _binary(_name, _fn, None, out="bool")


# ---- where, cast, full_like ------------------------------------------------------------
def _where_infer(c, a, b):
    return (
        broadcast_shapes(tuple(c.shape), tuple(a.shape), tuple(b.shape)),
        result_dtype(a.dtype, b.dtype),
    )


def _where_eval(c, a, b):
    dt = result_dtype(a.dtype, b.dtype)
    return np.asarray(np.where(c.astype(bool), a.astype(dt), b.astype(dt)), dtype=dt)


def _where_grad(node, g):
    c, a, b = node.inputs
    ops = _ops()
    zero = ops.zeros_like(g)
    return [
        None,
        unbroadcast(ops.where(c, g, zero), a.shape),
        unbroadcast(ops.where(c, zero, g), b.shape),
    ]


register("where", infer=_where_infer, eval=_where_eval, grad=_where_grad, kernel="ewise")


def _cast_grad(node, g):
    x = node.inputs[0]
    if np.dtype(node.outputs[0].dtype).kind != "f":
        return [_ops().zeros_like(x)]
    return [_ops().cast(g, x.dtype)]


def _cast_eval(x, dtype):
    if np.dtype(dtype).kind in "iu" and x.dtype.kind == "f":
        x = np.trunc(x)  # toward zero, as C casts (and TF) do
    return x.astype(dtype)


register(
    "cast",
    infer=lambda x, dtype: (tuple(x.shape), _dt(dtype)),
    eval=_cast_eval,
    grad=_cast_grad,
    kernel="ewise",
)

# x's shape filled with `value`: zeros_like/ones_like/full_like on tensors whose shape is
# known only at run time. x is read for its shape only.
register(
    "full_like",
    infer=lambda x, value, dtype: (tuple(x.shape), _dt(dtype)),
    eval=lambda x, value, dtype: np.full(x.shape, value, dtype=dtype),
    grad=lambda node, g: [None],
    kernel="ewise",
)
