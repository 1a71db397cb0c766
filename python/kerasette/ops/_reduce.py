"""Reductions and scans (keras.ops.numpy's). Primitives: sum, prod, max, min, any, all,
argmax, argmin, cumsum, cumprod. Composites: mean, var, std, logsumexp, average, ..."""

import numpy as np

from ..graph.trace import apply
from . import _prim
from ._convert import (
    axis_attr,
    dtype_of,
    float_dtype,
    is_symbolic,
    norm_axes,
    shape_of,
    standardize_dtype,
)
from ._math import (
    add,
    divide,
    equal,
    exp,
    log,
    maximum,
    minimum,
    multiply,
    sqrt,
    square,
    subtract,
    where,
)

__all__ = [
    "sum",
    "prod",
    "max",
    "min",
    "amax",
    "amin",
    "mean",
    "var",
    "std",
    "argmax",
    "argmin",
    "any",
    "all",
    "cumsum",
    "cumprod",
    "logsumexp",
    "average",
    "count_nonzero",
]


def _cast(x, dtype):
    return x if dtype_of(x) == dtype else apply("cast", [x], dtype=dtype)


def sum(x, axis=None, keepdims=False):
    """The sum over `axis`.

    Args:
        x: The input tensor.
        axis: The axis (or axes) to work along; `None` means all of them (the flattened
            tensor). Defaults to `None`.
        keepdims: Whether to keep the reduced axes, with size 1. Defaults to `False`.

    Returns:
        A tensor.
    """
    return apply("sum", [x], axis=axis_attr(axis), keepdims=bool(keepdims))


def prod(x, axis=None, keepdims=False, dtype=None):
    """The product over `axis`.

    Args:
        x: The input tensor.
        axis: The axis (or axes) to work along; `None` means all of them (the flattened
            tensor). Defaults to `None`.
        keepdims: Whether to keep the reduced axes, with size 1. Defaults to `False`.
        dtype: The dtype of the result; `None` keeps (or infers) it. Defaults to `None`.

    Returns:
        A tensor.
    """
    if dtype is not None:
        x = _cast(x, standardize_dtype(dtype))
    return apply("prod", [x], axis=axis_attr(axis), keepdims=bool(keepdims))


def max(x, axis=None, keepdims=False, initial=None):
    """The maximum over `axis`.

    Args:
        x: The input tensor.
        axis: The axis (or axes) to work along; `None` means all of them (the flattened
            tensor). Defaults to `None`.
        keepdims: Whether to keep the reduced axes, with size 1. Defaults to `False`.
        initial: A starting value of the reduction. Defaults to `None`.

    Returns:
        A tensor.
    """
    out = apply("max", [x], axis=axis_attr(axis), keepdims=bool(keepdims))
    return out if initial is None else maximum(out, initial)


def min(x, axis=None, keepdims=False, initial=None):
    """The minimum over `axis`.

    Args:
        x: The input tensor.
        axis: The axis (or axes) to work along; `None` means all of them (the flattened
            tensor). Defaults to `None`.
        keepdims: Whether to keep the reduced axes, with size 1. Defaults to `False`.
        initial: A starting value of the reduction. Defaults to `None`.

    Returns:
        A tensor.
    """
    out = apply("min", [x], axis=axis_attr(axis), keepdims=bool(keepdims))
    return out if initial is None else minimum(out, initial)


amax, amin = max, min


def any(x, axis=None, keepdims=False):
    """Whether any element along `axis` is true.

    Args:
        x: The input tensor.
        axis: The axis (or axes) to work along; `None` means all of them (the flattened
            tensor). Defaults to `None`.
        keepdims: Whether to keep the reduced axes, with size 1. Defaults to `False`.

    Returns:
        A tensor.
    """
    return apply("any", [x], axis=axis_attr(axis), keepdims=bool(keepdims))


def all(x, axis=None, keepdims=False):
    """Whether all elements along `axis` are true.

    Args:
        x: The input tensor.
        axis: The axis (or axes) to work along; `None` means all of them (the flattened
            tensor). Defaults to `None`.
        keepdims: Whether to keep the reduced axes, with size 1. Defaults to `False`.

    Returns:
        A tensor.
    """
    return apply("all", [x], axis=axis_attr(axis), keepdims=bool(keepdims))


def argmax(x, axis=None, keepdims=False):
    """The index of the largest value along `axis` (of the flattened tensor when `None`).

    Args:
        x: The input tensor.
        axis: The axis (or axes) to work along; `None` means all of them (the flattened
            tensor). Defaults to `None`.
        keepdims: Whether to keep the reduced axes, with size 1. Defaults to `False`.

    Returns:
        A tensor.
    """
    return apply("argmax", [x], axis=None if axis is None else int(axis), keepdims=bool(keepdims))


def argmin(x, axis=None, keepdims=False):
    """The index of the smallest value along `axis` (of the flattened tensor when `None`).

    Args:
        x: The input tensor.
        axis: The axis (or axes) to work along; `None` means all of them (the flattened
            tensor). Defaults to `None`.
        keepdims: Whether to keep the reduced axes, with size 1. Defaults to `False`.

    Returns:
        A tensor.
    """
    return apply("argmin", [x], axis=None if axis is None else int(axis), keepdims=bool(keepdims))


def _scan(op, x, axis, dtype):
    if dtype is not None:
        x = _cast(x, standardize_dtype(dtype))
    if axis is None:
        from ._shape import reshape

        x, axis = reshape(x, (-1,)), 0
    return apply(op, [x], axis=int(axis), reverse=False)


def cumsum(x, axis=None, dtype=None):
    """The cumulative sum along `axis`.

    Args:
        x: The input tensor.
        axis: The axis (or axes) to work along; `None` means all of them (the flattened
            tensor). Defaults to `None`.
        dtype: The dtype of the result; `None` keeps (or infers) it. Defaults to `None`.

    Returns:
        A tensor.
    """
    return _scan("cumsum", x, axis, dtype)


def cumprod(x, axis=None, dtype=None):
    """The cumulative product along `axis`.

    Args:
        x: The input tensor.
        axis: The axis (or axes) to work along; `None` means all of them (the flattened
            tensor). Defaults to `None`.
        dtype: The dtype of the result; `None` keeps (or infers) it. Defaults to `None`.

    Returns:
        A tensor.
    """
    return _scan("cumprod", x, axis, dtype)


def _count(x, axis, keepdims=True):
    """The number of elements reduced over: a Python int when the shape says it, else a
    tensor (a dimension is known only at run time)."""
    shape = shape_of(x)
    axes = norm_axes(axis_attr(axis), len(shape))
    dims = [shape[a] for a in axes]
    if None not in dims:
        return int(np.prod(dims, dtype=np.int64))
    ones = _prim.full_like(x, 1.0, float_dtype(dtype_of(x)))
    return sum(ones, axis=axes, keepdims=keepdims)


def mean(x, axis=None, keepdims=False):
    """Ints and bools average in float32, as Keras does."""
    d = float_dtype(dtype_of(x))
    x = _cast(x, d)
    n = _count(x, axis, keepdims)
    s = sum(x, axis=axis, keepdims=keepdims)
    if isinstance(n, int):
        return multiply(s, 1.0 / n if n else float("nan"))
    return divide(s, n)


def var(x, axis=None, keepdims=False):
    """The variance over `axis` (population variance).

    Args:
        x: The input tensor.
        axis: The axis (or axes) to work along; `None` means all of them (the flattened
            tensor). Defaults to `None`.
        keepdims: Whether to keep the reduced axes, with size 1. Defaults to `False`.

    Returns:
        A tensor.
    """
    x = _cast(x, float_dtype(dtype_of(x)))
    centered = subtract(x, mean(x, axis=axis, keepdims=True))
    return mean(square(centered), axis=axis, keepdims=keepdims)


def std(x, axis=None, keepdims=False):
    """The standard deviation over `axis`.

    Args:
        x: The input tensor.
        axis: The axis (or axes) to work along; `None` means all of them (the flattened
            tensor). Defaults to `None`.
        keepdims: Whether to keep the reduced axes, with size 1. Defaults to `False`.

    Returns:
        A tensor.
    """
    return sqrt(var(x, axis=axis, keepdims=keepdims))


def logsumexp(x, axis=None, keepdims=False):
    """max + log(sum(exp(x - max))): no overflow; -inf where every element is -inf."""
    from .core import stop_gradient

    x = _cast(x, float_dtype(dtype_of(x)))
    m = stop_gradient(max(x, axis=axis, keepdims=True))
    m = where(apply("isfinite", [m]), m, 0.0)
    out = add(log(sum(exp(subtract(x, m)), axis=axis, keepdims=True)), m)
    if not keepdims:
        axes = norm_axes(axis_attr(axis), len(shape_of(x)))
        out = _prim.squeeze(out, axes) if axes else out
    return out


def average(x, axis=None, weights=None):
    """The (weighted) average along `axis`.

    Args:
        x: The input tensor.
        axis: The axis (or axes) to work along; `None` means all of them (the flattened
            tensor). Defaults to `None`.
        weights: Weights of the values along `axis` (`None`: all equal). Defaults to
            `None`.

    Returns:
        A tensor.
    """
    if weights is None:
        return mean(x, axis=axis)
    x = _cast(x, float_dtype(dtype_of(x)))
    weights = (
        _cast(weights, dtype_of(x))
        if not isinstance(weights, (list, float, int))
        else np.asarray(weights, dtype=dtype_of(x))
    )
    if axis is not None and len(shape_of(weights)) == 1 and len(shape_of(x)) > 1:
        from ._shape import reshape

        a = norm_axes(axis, len(shape_of(x)))[0]
        weights = reshape(weights, tuple(-1 if i == a else 1 for i in range(len(shape_of(x)))))
    wx = multiply(x, weights)
    den = sum(multiply(_prim.full_like(x, 1.0, dtype_of(x)), weights), axis=axis)
    return divide(sum(wx, axis=axis), den)


def count_nonzero(x, axis=None):
    """The number of non-zero values along `axis`.

    Args:
        x: The input tensor.
        axis: The axis (or axes) to work along; `None` means all of them (the flattened
            tensor). Defaults to `None`.

    Returns:
        A tensor.
    """
    return sum(_cast(apply("not_equal", [x, np.zeros((), dtype_of(x))]), "int32"), axis=axis)


del is_symbolic, equal
