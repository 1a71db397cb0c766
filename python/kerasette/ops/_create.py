"""Tensors made from a shape or another tensor's shape. Shapes given as numbers make
eager tensors (a traced function turns them into constants); `*_like` on a symbolic
tensor is a `full_like` node, since its shape may be known only at run time."""

import numpy as np

from ..graph.trace import graph_for
from . import _prim
from ._convert import dtype_of, shape_of, standardize_dtype

__all__ = [
    "zeros",
    "ones",
    "full",
    "empty",
    "zeros_like",
    "ones_like",
    "full_like",
    "empty_like",
    "arange",
    "eye",
    "identity",
    "linspace",
    "logspace",
    "tri",
    "tril",
    "triu",
    "meshgrid",
    "diag",
    "diagonal",
    "trace",
]


def _tensor(a):
    from ..tensor import Tensor

    return Tensor(np.array(a, order="C"))


def _shape_arg(shape):
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(d) for d in shape)


def full(shape, fill_value, dtype=None):
    """A tensor filled with `fill_value`.

    Args:
        shape: The shape of the result (an int or a tuple).
        fill_value: The value every entry takes.
        dtype: The dtype of the result; `None` keeps (or infers) it. Defaults to `None`.

    Returns:
        A tensor.
    """
    dtype = standardize_dtype(dtype) or "float32"
    if not isinstance(shape, (int, np.integer)) and any(d is None for d in shape):
        # (ops.shape(x)[0], units) inside a traced call: the batch comes at run time
        from ._unknown_sizes import sized_like
        from .core import cast

        known = tuple(1 if d is None else int(d) for d in shape)
        base = (
            cast(fill_value, dtype)
            if hasattr(fill_value, "shape")
            else np.full((), np.asarray(fill_value), dtype=dtype)
        )
        return _prim.broadcast_like(
            _prim.broadcast_like(base, np.zeros(known, dtype)), sized_like(tuple(shape))
        )
    if hasattr(fill_value, "shape") and graph_for([fill_value]) is not None:
        from ._shape import broadcast_to
        from .core import cast

        return broadcast_to(cast(fill_value, dtype), _shape_arg(shape))
    return _tensor(np.full(_shape_arg(shape), np.asarray(fill_value), dtype=dtype))


def zeros(shape, dtype=None):
    """A tensor of zeros.

    Args:
        shape: The shape of the result (an int or a tuple).
        dtype: The dtype of the result; `None` keeps (or infers) it. Defaults to `None`.

    Returns:
        A tensor.
    """
    return full(shape, 0, dtype)


def ones(shape, dtype=None):
    """A tensor of ones.

    Args:
        shape: The shape of the result (an int or a tuple).
        dtype: The dtype of the result; `None` keeps (or infers) it. Defaults to `None`.

    Returns:
        A tensor.
    """
    return full(shape, 1, dtype)


def empty(shape, dtype=None):
    """A tensor of the given shape (filled with zeros).

    Args:
        shape: The shape of the result (an int or a tuple).
        dtype: The dtype of the result; `None` keeps (or infers) it. Defaults to `None`.

    Returns:
        A tensor.
    """
    return zeros(shape, dtype)


def full_like(x, fill_value, dtype=None):
    """A tensor filled with `fill_value`, with the shape (and dtype) of `x`.

    Args:
        x: The input tensor.
        fill_value: The value every entry takes.
        dtype: The dtype of the result; `None` keeps (or infers) it. Defaults to `None`.

    Returns:
        A tensor.
    """
    dtype = standardize_dtype(dtype) or dtype_of(x)
    if graph_for([x]) is not None:
        if hasattr(fill_value, "shape"):
            from ._math import add

            return add(_prim.full_like(x, 0, dtype), fill_value)
        return _prim.full_like(x, np.asarray(fill_value).astype(dtype).item(), dtype)
    return _tensor(np.full(shape_of(x), np.asarray(fill_value), dtype=dtype))


def zeros_like(x, dtype=None):
    """A tensor of zeros with the shape (and dtype) of `x`.

    Args:
        x: The input tensor.
        dtype: The dtype of the result; `None` keeps (or infers) it. Defaults to `None`.

    Returns:
        A tensor.
    """
    return full_like(x, 0, dtype)


def ones_like(x, dtype=None):
    """A tensor of ones with the shape (and dtype) of `x`.

    Args:
        x: The input tensor.
        dtype: The dtype of the result; `None` keeps (or infers) it. Defaults to `None`.

    Returns:
        A tensor.
    """
    return full_like(x, 1, dtype)


def empty_like(x, dtype=None):
    """A tensor with the shape (and dtype) of `x` (filled with zeros).

    Args:
        x: The input tensor.
        dtype: The dtype of the result; `None` keeps (or infers) it. Defaults to `None`.

    Returns:
        A tensor.
    """
    return zeros_like(x, dtype)


def arange(start, stop=None, step=1, dtype=None):
    """Python ints give int32, any float float32 (Keras's dtypes)."""
    if stop is None:
        start, stop = 0, start
    if dtype is None:
        vals = [v for v in (start, stop, step) if v is not None]
        dtype = (
            "float32"
            if any(isinstance(v, float) or np.asarray(v).dtype.kind == "f" for v in vals)
            else "int32"
        )
    dtype = standardize_dtype(dtype)
    return _tensor(
        np.arange(
            start, stop, step, dtype=np.float64 if np.dtype(dtype).kind == "f" else None
        ).astype(dtype)
    )


def eye(N, M=None, k=0, dtype=None):
    """A 2-D tensor with ones on a diagonal and zeros elsewhere.

    Args:
        N: The number of rows.
        M: The number of columns; `None` means `N`. Defaults to `None`.
        k: The diagonal's offset: positive above the main diagonal. Defaults to `0`.
        dtype: The dtype of the result; `None` keeps (or infers) it. Defaults to `None`.

    Returns:
        A tensor.
    """
    return _tensor(
        np.eye(
            int(N),
            None if M is None else int(M),
            k=int(k),
            dtype=standardize_dtype(dtype) or "float32",
        )
    )


def identity(n, dtype=None):
    """The `n` by `n` identity matrix.

    Args:
        n: The size of the square matrix.
        dtype: The dtype of the result; `None` keeps (or infers) it. Defaults to `None`.

    Returns:
        A tensor.
    """
    return eye(n, dtype=dtype)


def tri(N, M=None, k=0, dtype=None):
    """A matrix with ones at and below the `k`-th diagonal, zeros above.

    Args:
        N: The number of rows.
        M: The number of columns; `None` means `N`. Defaults to `None`.
        k: The diagonal's offset: positive above the main diagonal. Defaults to `0`.
        dtype: The dtype of the result; `None` keeps (or infers) it. Defaults to `None`.

    Returns:
        A tensor.
    """
    return _tensor(
        np.tri(
            int(N),
            None if M is None else int(M),
            k=int(k),
            dtype=standardize_dtype(dtype) or "float32",
        )
    )


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    """`num` evenly spaced values from `start` to `stop`.

    Args:
        start: The first value.
        stop: The last value (included when `endpoint`).
        num: The number of values. Defaults to `50`.
        endpoint: Whether `stop` is included. Defaults to `True`.
        retstep: Whether to also return the step between values. Defaults to `False`.
        dtype: The dtype of the result; `None` keeps (or infers) it. Defaults to `None`.
        axis: The axis of the result that holds the values (for array `start`/`stop`).
            Defaults to `0`.

    Returns:
        A tensor (with the step too, when `retstep`).
    """
    out = np.linspace(
        np.asarray(start, np.float64),
        np.asarray(stop, np.float64),
        int(num),
        endpoint=endpoint,
        retstep=retstep,
        axis=axis,
    )
    dtype = standardize_dtype(dtype) or "float32"
    if retstep:
        return _tensor(out[0].astype(dtype)), _tensor(np.asarray(out[1], dtype))
    return _tensor(out.astype(dtype))


def logspace(start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0):
    """`num` values evenly spaced on a log scale: `base ** linspace(start, stop)`.

    Args:
        start: The first value.
        stop: The last value (included when `endpoint`).
        num: The number of values. Defaults to `50`.
        endpoint: Whether `stop` is included. Defaults to `True`.
        base: The base of the powers. Defaults to `10`.
        dtype: The dtype of the result; `None` keeps (or infers) it. Defaults to `None`.
        axis: The axis of the result that holds the values (for array `start`/`stop`).
            Defaults to `0`.

    Returns:
        A tensor.
    """
    out = np.logspace(start, stop, int(num), endpoint=endpoint, base=base, axis=axis)
    return _tensor(out.astype(standardize_dtype(dtype) or "float32"))


def _tri(x, k, lower):
    """x with the elements above (lower) or below (upper) diagonal k zeroed. The mask is a
    constant when the matrix size is known, else made from running counts."""
    from ._convert import as_array
    from ._math import greater_equal, less_equal, subtract, where
    from ._reduce import cumsum as _cumsum

    if graph_for([x]) is None:
        x = as_array(x)
    shape = shape_of(x)
    r, c = shape[-2], shape[-1]
    if r is not None and c is not None:
        mask = np.tri(r, c, k=k, dtype=bool) if lower else ~np.tri(r, c, k=k - 1, dtype=bool)
    else:
        ones = _prim.full_like(x, 1, "int32")
        diff = subtract(_cumsum(ones, axis=-1), _cumsum(ones, axis=-2))  # col - row
        mask = less_equal(diff, k) if lower else greater_equal(diff, k)
    return where(mask, x, zeros_like(x))


def tril(x, k=0):
    """`x` with the entries above the `k`-th diagonal set to zero (the lower triangle).

    Args:
        x: The input tensor.
        k: The diagonal's offset: positive above the main diagonal. Defaults to `0`.

    Returns:
        A tensor.
    """
    return _tri(x, int(k), True)


def triu(x, k=0):
    """`x` with the entries below the `k`-th diagonal set to zero (the upper triangle).

    Args:
        x: The input tensor.
        k: The diagonal's offset: positive above the main diagonal. Defaults to `0`.

    Returns:
        A tensor.
    """
    return _tri(x, int(k), False)


def meshgrid(*x, indexing="xy"):
    """Coordinate grids from 1-D coordinate vectors.

    Args:
        *x: The input tensor.
        indexing: `"xy"` (Cartesian) or `"ij"` (matrix) indexing. Defaults to `"xy"`.

    Returns:
        A list of tensors.
    """
    from ._convert import as_array

    return [_tensor(g) for g in np.meshgrid(*[as_array(v) for v in x], indexing=indexing)]


def diagonal(x, offset=0, axis1=0, axis2=1):
    """The diagonal of the (axis1, axis2) planes, as a gather on the flattened plane."""
    from ._convert import one_axis
    from ._index import take
    from ._shape import moveaxis, reshape

    n = len(shape_of(x))
    a1, a2 = one_axis(axis1, n), one_axis(axis2, n)
    x = moveaxis(x, (a1, a2), (-2, -1))
    r, c = shape_of(x)[-2:]
    lo = max(0, -offset)
    i = np.arange(lo, max(lo, min(r, c - offset)))
    lead = tuple(-1 if d is None else d for d in shape_of(x)[:-2])
    flat = reshape(x, lead + (r * c,))
    return take(flat, (i * c + i + offset).astype(np.int32), axis=-1)


def diag(x, k=0):
    """The `k`-th diagonal of a matrix, or a matrix with a vector on its diagonal.

    Args:
        x: A 1-D tensor (makes a 2-D one) or a 2-D tensor (takes its diagonal).
        k: The diagonal's offset: positive above the main one. Defaults to `0`.

    Returns:
        The diagonal (for a 2-D `x`) or the diagonal matrix (for a 1-D `x`).

    Limitations:
        On a traced 1-D tensor, raises `NotImplementedError` (build the matrix
        eagerly, or with `eye` times the vector).
    """
    from ._convert import as_array

    if graph_for([x]) is not None:
        if len(shape_of(x)) == 2:
            return diagonal(x, k)
        raise NotImplementedError("diag of a 1-D symbolic tensor")
    return _tensor(np.diag(as_array(x), k))


def trace(x, offset=0, axis1=0, axis2=1):
    """The sum along a diagonal.

    Args:
        x: The input tensor.
        offset: The diagonal's offset. Defaults to `0`.
        axis1: The first axis. Defaults to `0`.
        axis2: The second axis. Defaults to `1`.

    Returns:
        A tensor.
    """
    from ._reduce import sum as _sum

    return _sum(diagonal(x, offset, axis1, axis2), axis=-1)
