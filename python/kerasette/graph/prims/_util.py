"""Shape and dtype rules shared by the primitive families."""

import numpy as np

_FLOAT_RANK = {"float16": 0, "bfloat16": 1, "float32": 2, "float64": 3}


def broadcast_shapes(*shapes):
    """numpy broadcasting, where None (unknown until run time) matches any size."""
    rank = max((len(s) for s in shapes), default=0)
    out = []
    for axis in range(rank):
        dims = [s[axis - rank + len(s)] for s in shapes if axis - rank + len(s) >= 0]
        known = {d for d in dims if d is not None and d != 1}
        if len(known) > 1:
            raise ValueError(f"Cannot broadcast shapes {', '.join(map(str, shapes))}")
        if known:
            out.append(known.pop())
        elif any(d is None for d in dims):
            out.append(None)
        else:
            out.append(1)
    return tuple(out)


def result_dtype(*dtypes):
    """Keras's promotion: floats win over ints and keep the widest float; ints and bools
    follow numpy."""
    names = [str(np.dtype(d)) if d != "bfloat16" else d for d in dtypes]
    floats = [d for d in names if d in _FLOAT_RANK]
    if floats:
        if set(floats) == {"float16", "bfloat16"}:  # neither holds the other
            return "float32"
        return max(floats, key=_FLOAT_RANK.get)
    return str(np.result_type(*[np.dtype(d) for d in names]))


def float_dtype(dtype):
    """The dtype a float-valued op returns for an input dtype (ints become float32)."""
    d = str(np.dtype(dtype))
    return d if d in _FLOAT_RANK else "float32"


def norm_axes(axis, ndim):
    """axis (None, int or sequence) as a sorted tuple of non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = []
    for a in axes:
        a = int(a)
        if not -ndim <= a < max(ndim, 1):
            raise ValueError(f"axis {a} is out of bounds for a tensor of rank {ndim}")
        out.append(a % ndim if ndim else 0)
    return tuple(sorted(set(out)))


def unbroadcast(g, shape):
    """Sums gradient g (of a broadcast result) back to an input of `shape`.

    Leading axes are summed away and stretched axes summed with keepdims, so no reshape
    is needed (a reshape could not name two dimensions unknown until run time)."""
    from ... import ops

    gshape = tuple(g.shape)
    shape = tuple(shape)
    lead = len(gshape) - len(shape)
    if lead:
        g = ops.sum(g, axis=tuple(range(lead)))
    axes = tuple(i for i, d in enumerate(shape) if d == 1 and gshape[lead + i] != 1)
    if axes:
        g = ops.sum(g, axis=axes, keepdims=True)
    return g
