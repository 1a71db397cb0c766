"""Elementwise math, comparisons and logic (keras.ops.numpy's elementwise part)."""

import numpy as np

from ..graph.trace import apply
from ._convert import dtype_of, float_dtype, is_py_scalar, operands, standardize_dtype

__all__ = [
    "add",
    "subtract",
    "multiply",
    "divide",
    "true_divide",
    "floor_divide",
    "mod",
    "power",
    "maximum",
    "minimum",
    "arctan2",
    "negative",
    "abs",
    "absolute",
    "sign",
    "square",
    "sqrt",
    "exp",
    "exp2",
    "expm1",
    "log",
    "log1p",
    "log2",
    "log10",
    "reciprocal",
    "floor",
    "ceil",
    "round",
    "trunc",
    "fix",
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
    "cbrt",
    "deg2rad",
    "rad2deg",
    "hypot",
    "logaddexp",
    "equal",
    "not_equal",
    "less",
    "less_equal",
    "greater",
    "greater_equal",
    "logical_and",
    "logical_or",
    "logical_xor",
    "logical_not",
    "isnan",
    "isinf",
    "isfinite",
    "isclose",
    "where",
    "clip",
    "nan_to_num",
    "positive",
    "copysign",
    "heaviside",
    "signbit",
]


def _binary(op):
    def fn(x1, x2):
        return apply(op, list(operands(x1, x2)))

    fn.__name__ = op
    fn.__doc__ = f"Elementwise `{op}` with numpy broadcasting (Keras's dtype promotion)."
    return fn


def _unary(op):
    def fn(x):
        return apply(op, [x])

    fn.__name__ = op
    fn.__doc__ = f"Elementwise `{op}`."
    return fn


add = _binary("add")
subtract = _binary("subtract")
multiply = _binary("multiply")
divide = _binary("divide")
true_divide = divide
floor_divide = _binary("floor_divide")
mod = _binary("mod")
maximum = _binary("maximum")
minimum = _binary("minimum")
arctan2 = _binary("arctan2")
equal = _binary("equal")
not_equal = _binary("not_equal")
less = _binary("less")
less_equal = _binary("less_equal")
greater = _binary("greater")
greater_equal = _binary("greater_equal")
logical_and = _binary("logical_and")
logical_or = _binary("logical_or")
logical_xor = _binary("logical_xor")

negative = _unary("negative")
abs = _unary("abs")
absolute = abs
sign = _unary("sign")
square = _unary("square")
sqrt = _unary("sqrt")
exp = _unary("exp")
expm1 = _unary("expm1")
log = _unary("log")
log1p = _unary("log1p")
reciprocal = _unary("reciprocal")
floor = _unary("floor")
ceil = _unary("ceil")
trunc = _unary("trunc")
fix = trunc
sin = _unary("sin")
cos = _unary("cos")
tan = _unary("tan")
arcsin = _unary("arcsin")
arccos = _unary("arccos")
arctan = _unary("arctan")
sinh = _unary("sinh")
cosh = _unary("cosh")
tanh = _unary("tanh")
arcsinh = _unary("arcsinh")
arccosh = _unary("arccosh")
arctanh = _unary("arctanh")
logical_not = _unary("logical_not")
isnan = _unary("isnan")
isinf = _unary("isinf")
isfinite = _unary("isfinite")


def positive(x):
    """`+x` (a copy).

    Args:
        x: The input tensor.

    Returns:
        A tensor.
    """
    return x if not is_py_scalar(x) else apply("add", [x, 0])


def power(x1, x2):
    """`x1 ** x2`, elementwise.

    Args:
        x1: The first input tensor.
        x2: The second input tensor.

    Returns:
        A tensor.
    """
    x1, x2 = operands(x1, x2)
    d1, d2 = dtype_of(x1), dtype_of(x2)
    if np.dtype(d1).kind in "iub" and np.dtype(d2).kind in "iub":
        e = np.asarray(x2) if not hasattr(x2, "node") else None
        if e is not None and e.dtype.kind in "iu" and e.size and e.min() < 0:
            raise ValueError("Integers to negative integer powers are not allowed")
    return apply("power", [x1, x2])


def round(x, decimals=0):
    """Rounds to the given number of decimals (halves to even).

    Args:
        x: The input tensor.
        decimals: The number of decimals to round to. Defaults to `0`.

    Returns:
        A tensor.
    """
    if decimals == 0:
        return apply("round", [x])
    if np.dtype(dtype_of(x)).kind in "iub":
        if decimals > 0:
            return x if not is_py_scalar(x) else apply("round", [x])
        f = 10 ** (-decimals)  # round an integer to tens, hundreds: in integers
        return multiply(floor_divide(add(x, f // 2), f), f)
    f = 10.0**decimals
    return divide(apply("round", [multiply(x, f)]), f)


def _float(x):
    """x as a float tensor (ints and bools become float32, as Keras's float ops do)."""
    d = dtype_of(x)
    if d == float_dtype(d):
        return x
    return apply("cast", [x], dtype="float32")


def exp2(x):
    """`2 ** x`, elementwise.

    Args:
        x: The input tensor.

    Returns:
        A tensor.
    """
    x = _float(x)
    return exp(multiply(x, float(np.log(2.0))))


def log2(x):
    """The base-2 logarithm, elementwise.

    Args:
        x: The input tensor.

    Returns:
        A tensor.
    """
    return multiply(log(x), float(1 / np.log(2.0)))


def log10(x):
    """The base-10 logarithm, elementwise.

    Args:
        x: The input tensor.

    Returns:
        A tensor.
    """
    return multiply(log(x), float(1 / np.log(10.0)))


def cbrt(x):
    """The cube root, elementwise.

    Args:
        x: The input tensor.

    Returns:
        A tensor.
    """
    x = _float(x)
    return multiply(sign(x), power(abs(x), 1.0 / 3.0))


def deg2rad(x):
    """Converts degrees to radians.

    Args:
        x: The input tensor.

    Returns:
        A tensor.
    """
    return multiply(_float(x), float(np.pi / 180.0))


def rad2deg(x):
    """Converts radians to degrees.

    Args:
        x: The input tensor.

    Returns:
        A tensor.
    """
    return multiply(_float(x), float(180.0 / np.pi))


def hypot(x1, x2):
    """`sqrt(x1**2 + x2**2)`, elementwise.

    Args:
        x1: The first input tensor.
        x2: The second input tensor.

    Returns:
        A tensor.
    """
    x1, x2 = operands(x1, x2)
    return sqrt(add(square(_float(x1)), square(_float(x2))))


def logaddexp(x1, x2):
    """`log(exp(x1) + exp(x2))`, computed stably.

    Args:
        x1: The first input tensor.
        x2: The second input tensor.

    Returns:
        A tensor.
    """
    # max + log1p(exp(-|x1 - x2|)): no overflow
    x1, x2 = operands(
        _float(x1) if not is_py_scalar(x1) else x1, _float(x2) if not is_py_scalar(x2) else x2
    )
    m = maximum(x1, x2)
    return add(m, log1p(exp(negative(abs(subtract(x1, x2))))))


def copysign(x1, x2):
    """The magnitude of `x1` with the sign of `x2`.

    Args:
        x1: The first input tensor.
        x2: The second input tensor.

    Returns:
        A tensor.
    """
    x1, x2 = operands(x1, x2)
    x1 = _float(x1)
    return where(signbit(x2), negative(abs(x1)), abs(x1))


def signbit(x):
    """Whether the sign bit is set (true for negative values and -0.0).

    Args:
        x: The input tensor.

    Returns:
        A tensor.
    """
    x = _float(x)
    # -0.0 counts as negative: 1/x is -inf there
    return logical_or(less(x, 0.0), logical_and(equal(x, 0.0), less(reciprocal(x), 0.0)))


def heaviside(x1, x2):
    """The Heaviside step function: 0 below zero, 1 above, `x2` at zero.

    Args:
        x1: The first input tensor.
        x2: The second input tensor.

    Returns:
        A tensor.
    """
    x1, x2 = operands(x1, x2)
    x1, x2 = _float(x1), _float(x2)
    return where(less(x1, 0.0), 0.0, where(greater(x1, 0.0), 1.0, x2))


def isclose(x1, x2, rtol=1e-5, atol=1e-8, equal_nan=False):
    """Whether `x1` and `x2` are equal within a tolerance, elementwise: `|x1 - x2| <=
    atol + rtol * |x2|`.

    Args:
        x1: The first input tensor.
        x2: The second input tensor.
        rtol: The relative tolerance. Defaults to `1e-05`.
        atol: The absolute tolerance. Defaults to `1e-08`.
        equal_nan: Whether two NaNs count as equal. Defaults to `False`.

    Returns:
        A tensor.
    """
    x1, x2 = operands(x1, x2)
    close = less_equal(abs(subtract(x1, x2)), add(atol, multiply(rtol, abs(x2))))
    if equal_nan:
        close = logical_or(close, logical_and(isnan(x1), isnan(x2)))
    return close


def where(condition, x1=None, x2=None):
    """where(c, x1, x2) picks elementwise; where(c) alone gives the indices of the true
    elements (eager only: its size depends on the values)."""
    if x1 is None and x2 is None:
        from ..graph.trace import graph_for

        if graph_for([condition]) is not None:
            raise ValueError(
                "where(condition) with no x1/x2 has a value-dependent shape; it cannot be traced"
            )
        from ..graph.trace import as_array
        from ..tensor import Tensor

        return [Tensor(i.astype(np.int32)) for i in np.nonzero(as_array(condition))]
    if x1 is None or x2 is None:
        raise ValueError("where: give both x1 and x2, or neither")
    x1, x2 = operands(x1, x2)
    if dtype_of(condition) != "bool":
        condition = apply("cast", [condition], dtype="bool")
    return apply("where", [condition, x1, x2])


def clip(x, x_min, x_max):
    """Keras keeps x's dtype (bools become int32)."""
    d = dtype_of(x)
    if d == "bool":
        x = apply("cast", [x], dtype="int32")
        d = "int32"
    lo = (
        np.asarray(x_min, dtype=d)
        if is_py_scalar(x_min) or isinstance(x_min, np.ndarray)
        else apply("cast", [x_min], dtype=d)
    )
    hi = (
        np.asarray(x_max, dtype=d)
        if is_py_scalar(x_max) or isinstance(x_max, np.ndarray)
        else apply("cast", [x_max], dtype=d)
    )
    return apply("minimum", [apply("maximum", [x, lo]), hi])


def nan_to_num(x, nan=0.0, posinf=None, neginf=None):
    """Replaces NaN and infinities with finite numbers.

    Args:
        x: The input tensor.
        nan: The value NaNs become. Defaults to `0.0`.
        posinf: The value +inf becomes (`None`: the largest float). Defaults to `None`.
        neginf: The value -inf becomes (`None`: the lowest float). Defaults to `None`.

    Returns:
        A tensor.
    """
    d = dtype_of(x)
    if np.dtype(d).kind != "f":
        return x
    info = np.finfo(d)
    x = where(isnan(x), nan, x)
    x = where(equal(x, np.inf), info.max if posinf is None else posinf, x)
    return where(equal(x, -np.inf), info.min if neginf is None else neginf, x)


del standardize_dtype


erf = _unary("erf")  # keras.ops.math's (exported from ops/math.py)
rsqrt = _unary("rsqrt")
