"""`keras.ops.core`: conversion, dtype, shape and the scatter/slice family."""

import builtins

import numpy as np

from ..graph.trace import apply, as_array, as_sym, current_graph, graph_for
from ._convert import dtype_of, shape_of, standardize_dtype
from ._index import scatter, scatter_update, slice, slice_update  # noqa: F401

__all__ = [
    "cast",
    "convert_to_tensor",
    "convert_to_numpy",
    "shape",
    "dtype",
    "is_tensor",
    "stop_gradient",
    "slice",
    "slice_update",
    "scatter",
    "scatter_update",
    "unstack",
    "saturate_cast",
]


def cast(x, dtype):
    """`x` converted to `dtype`.

    Args:
        x: The input tensor.
        dtype: The dtype of the result; `None` keeps (or infers) it.

    Returns:
        A tensor.
    """
    dtype = standardize_dtype(dtype)
    if graph_for([x]) is None and dtype_of(x) == dtype and not isinstance(x, (int, float)):
        from ..tensor import Tensor

        return x if isinstance(x, Tensor) else Tensor(as_array(x))
    return apply("cast", [x], dtype=dtype)


def saturate_cast(x, dtype):
    """cast, with values clipped to the target's range first."""
    from ._math import clip

    dtype = standardize_dtype(dtype)
    if np.dtype(dtype).kind in "iu":
        info = np.iinfo(dtype)
        src = dtype_of(x)
        if np.dtype(src).kind == "f":
            x = clip(x, float(info.min), float(info.max))
    return cast(x, dtype)


def convert_to_tensor(x, dtype=None, sparse=None, ragged=None):
    """A kerasette Tensor (or, while tracing, the symbolic tensor) holding x."""
    from ..tensor import Tensor

    g = graph_for([x])
    if g is not None:
        out = as_sym(g, x)
        return out if dtype is None else cast(out, dtype)
    if dtype in (None, "string") and _holds_strings(x):
        # kerasette has no string tensors: strings stay a numpy array, which string
        # inputs and the preprocessing layers take (Keras on TF gives a string tensor)
        return np.asarray(x)
    arr = as_array(x)
    if dtype is not None:
        arr = arr.astype(standardize_dtype(dtype), copy=False)
    return x if isinstance(x, Tensor) and arr is x._value else Tensor(arr)


def _holds_strings(x):
    if isinstance(x, (str, bytes)):
        return True
    if isinstance(x, np.ndarray):
        return x.dtype.kind in "SU" or (
            x.dtype.kind == "O" and _holds_strings(x.flat[0] if x.size else 0)
        )
    if isinstance(x, (list, tuple)) and x:
        return _holds_strings(x[0])
    return False


def convert_to_numpy(x):
    """`x` as a numpy array.

    Args:
        x: The input tensor.

    Returns:
        A numpy array.
    """
    if graph_for([x]) is not None:
        raise ValueError(
            "A symbolic tensor has no value to convert to numpy; run the function it belongs to"
        )
    return np.asarray(as_array(x))


def shape(x):
    """A tuple; dimensions unknown until run time are None."""
    return shape_of(x)


def dtype(x):
    """The dtype of `x`, as a string.

    Args:
        x: The input tensor.

    Returns:
        A dtype name (`"float32"`).
    """
    return dtype_of(x)


def is_tensor(x):
    """Whether `x` is a tensor (a kerasette `Tensor`, a traced tensor, or a `Variable`).

    Args:
        x: The input tensor.

    Returns:
        A bool.
    """
    from ..graph.ir import Sym
    from ..tensor import Tensor

    return isinstance(x, (Tensor, Sym))


def stop_gradient(variable):
    """The same values, through which no gradient flows.

    Args:
        variable: The tensor to stop gradients at.

    Returns:
        A tensor.
    """
    return apply("stop_gradient", [variable])


def unstack(x, num=None, axis=0):
    """Splits `x` along `axis` into a list of tensors (the axis removed).

    Args:
        x: The input tensor.
        num: The number of values. Defaults to `None`.
        axis: The axis to split along. Defaults to `0`.

    Returns:
        A list of tensors.
    """
    from ._convert import one_axis
    from ._index import getitem

    s = shape_of(x)
    axis = one_axis(axis, len(s))
    n = s[axis] if num is None else int(num)
    if n is None:
        raise ValueError("unstack needs the axis size known (pass num=)")
    lead = (builtins.slice(None),) * axis
    return [getitem(x, lead + (i,)) for i in range(n)]


del current_graph
