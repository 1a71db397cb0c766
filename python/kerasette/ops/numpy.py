"""The numpy-style part of `keras.ops`."""
import numpy as np

from ..graph.prims._util import norm_axes
from ..graph.trace import apply

__all__ = ["add", "subtract", "multiply", "divide", "true_divide", "negative", "exp", "log",
           "square", "reciprocal", "sum", "reshape", "expand_dims", "broadcast_to", "matmul",
           "ones_like", "zeros_like"]


def add(x1, x2):
    return apply("add", [x1, x2])


def subtract(x1, x2):
    return apply("subtract", [x1, x2])


def multiply(x1, x2):
    return apply("multiply", [x1, x2])


def divide(x1, x2):
    return apply("divide", [x1, x2])


true_divide = divide


def negative(x):
    return apply("negative", [x])


def exp(x):
    return apply("exp", [x])


def log(x):
    return apply("log", [x])


def square(x):
    return apply("square", [x])


def reciprocal(x):
    return apply("reciprocal", [x])


def sum(x, axis=None, keepdims=False):
    return apply("sum", [x], axis=_axis_attr(axis), keepdims=bool(keepdims))


def reshape(x, newshape):
    newshape = (int(newshape),) if np.isscalar(newshape) else tuple(int(d) for d in newshape)
    return apply("reshape", [x], shape=newshape)


def expand_dims(x, axis):
    shape = tuple(-1 if d is None else d for d in _shape(x))
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    rank = len(shape) + len(axes)
    axes = sorted(a % rank for a in axes)
    out = list(shape)
    for a in axes:
        out.insert(a, 1)
    return reshape(x, out)


def broadcast_to(x, shape):
    return apply("broadcast_to", [x], shape=tuple(shape))


def matmul(x1, x2):
    return apply("matmul", [x1, x2])


def ones_like(x, dtype=None):
    return add(multiply(x, 0), 1) if dtype is None else add(multiply(x, 0), 1)


def zeros_like(x, dtype=None):
    return multiply(x, 0)


def _shape(x):
    return tuple(getattr(x, "shape", np.shape(x)))


def _axis_attr(axis):
    if axis is None or isinstance(axis, (int, np.integer)):
        return None if axis is None else int(axis)
    return tuple(int(a) for a in axis)


del norm_axes
