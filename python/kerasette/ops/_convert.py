"""Operand handling shared by every ops module: shapes, dtypes, Keras's weak Python
scalars."""

import numpy as np

from ..graph.prims._util import float_dtype, norm_axes, result_dtype  # noqa: F401
from ..graph.trace import as_array, is_symbolic  # noqa: F401


def standardize_dtype(dtype):
    if dtype is None:
        return None
    if hasattr(dtype, "as_numpy_dtype"):  # a tf.DType
        dtype = dtype.as_numpy_dtype
    name = getattr(dtype, "name", None) if not isinstance(dtype, str) else dtype
    if name in ("bfloat16",):
        return "bfloat16"
    if dtype is float:
        return "float32"
    if dtype is int:
        return "int32"
    if dtype is bool:
        return "bool"
    return str(np.dtype(dtype))


def is_py_scalar(x):
    return isinstance(x, (bool, int, float)) and not isinstance(x, np.generic)


def dtype_of(x):
    """The dtype x becomes as a tensor (Keras's rules: Python ints int32, floats float32)."""
    if isinstance(x, bool):
        return "bool"
    if isinstance(x, int):
        return "int32"
    if isinstance(x, float):
        return "float32"
    d = getattr(x, "dtype", None)
    if d is not None:
        return standardize_dtype(d)
    return str(as_array(x).dtype)


def shape_of(x):
    s = getattr(x, "shape", None)
    if s is not None:
        return tuple(s)
    return tuple(np.shape(as_array(x)))


def ndim_of(x):
    return len(shape_of(x))


def operands(*xs):
    """xs with Python scalars given a dtype as Keras's weak typing does: an int takes the
    dtype of the tensors beside it (int32 beside bools), a float takes theirs when it is a
    float dtype and float32 otherwise; tensors alone decide."""
    strong = [dtype_of(x) for x in xs if not is_py_scalar(x) and x is not None]
    if not strong or len(strong) == len(xs):
        return xs
    s = result_dtype(*strong)
    kind = np.dtype(s).kind if s != "bfloat16" else "f"
    out = []
    for x in xs:
        if is_py_scalar(x):
            if isinstance(x, bool):
                dt = s
            elif isinstance(x, int):
                dt = "int32" if kind == "b" else s
            else:
                dt = s if kind == "f" else "float32"
            x = np.asarray(x, dtype=dt)
        out.append(x)
    return out


def axis_attr(axis):
    """axis as a hashable attribute: None, an int, or a tuple of ints."""
    if axis is None:
        return None
    if isinstance(axis, (int, np.integer)):
        return int(axis)
    return tuple(int(a) for a in axis)


def one_axis(axis, ndim, who="axis"):
    if not isinstance(axis, (int, np.integer)):
        raise ValueError(f"{who} must be an int, got {axis!r}")
    return norm_axes(int(axis), ndim)[0]


def static_shape(shape):
    """A shape argument as a tuple of ints (None kept)."""
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    if hasattr(shape, "shape") and not isinstance(shape, tuple):
        shape = np.asarray(shape).tolist()
    return tuple(None if d is None else int(d) for d in shape)
