"""Primitive ops without a Keras name of their own (or with other arguments than the
public function's): what composites and gradient rules call."""

from ..graph.trace import apply


def broadcast_like(x, ref):
    return apply("broadcast_like", [x, ref])


def cumsum(x, axis, reverse=False):
    return apply("cumsum", [x], axis=int(axis), reverse=bool(reverse))


def cumprod(x, axis, reverse=False):
    return apply("cumprod", [x], axis=int(axis), reverse=bool(reverse))


def expand_dims(x, axis):
    """axis: a tuple of non-negative output axes."""
    return apply(
        "expand_dims", [x], axis=tuple(sorted(axis)) if not isinstance(axis, int) else (axis,)
    )


def squeeze(x, axis):
    """axis: input axes (may be negative)."""
    from ._convert import ndim_of, norm_axes

    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    return apply("squeeze", [x], axis=norm_axes(axes, ndim_of(x)))


def strided_slice(x, begin, end, strides):
    return apply("strided_slice", [x], begin=tuple(begin), end=tuple(end), strides=tuple(strides))


def strided_slice_grad(g, x, begin, end, strides):
    return apply(
        "strided_slice_grad", [g, x], begin=tuple(begin), end=tuple(end), strides=tuple(strides)
    )


def index_add(x, indices, updates, axis):
    return apply("index_add", [x, indices, updates], axis=int(axis))


def scatter_add_along_axis(x, indices, updates, axis):
    return apply("scatter_add_along_axis", [x, indices, updates], axis=int(axis))


def dropout(x, counter, rate, seed):
    return apply("dropout", [x, counter], rate=float(rate), seed=int(seed))


def full_like(x, value, dtype):
    return apply("full_like", [x], value=value, dtype=dtype)
