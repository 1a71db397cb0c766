"""Indexing: take, take_along_axis, getitem (`x[...]`), slice, slice_update, scatter."""

import builtins

import numpy as np

from ..graph.trace import apply, graph_for
from . import _prim
from ._convert import as_array, dtype_of, is_symbolic, one_axis, shape_of

__all__ = ["take", "take_along_axis", "getitem"]

_pyslice = builtins.slice  # `slice` below is keras.ops.slice


def _int_indices(indices):
    if isinstance(indices, (list, tuple, int, np.integer)):
        return np.asarray(indices, dtype=np.int32)
    d = dtype_of(indices)
    if np.dtype(d).kind not in "iu":
        return apply("cast", [indices], dtype="int32")
    return indices


def take(x, indices, axis=None):
    """The elements of `x` at `indices` along `axis` (of the flattened `x` when `axis`
    is `None`).

    Args:
        x: The input tensor.
        indices: The integer indices to take.
        axis: The axis to take along; `None` takes from the flattened `x`. Defaults to
            `None`.

    Returns:
        A tensor.
    """
    indices = _int_indices(indices)
    if axis is None:
        from ._shape import ravel

        x, axis = ravel(x), 0
    return apply("take", [x, indices], axis=one_axis(axis, len(shape_of(x))))


def take_along_axis(x, indices, axis=None):
    """The elements of `x` at `indices`, matched along `axis` (as `numpy.take_along_axis`).

    Args:
        x: The input tensor.
        indices: The integer indices to take.
        axis: The axis to take along; `None` takes from the flattened `x`. Defaults to
            `None`.

    Returns:
        A tensor.
    """
    from ._shape import broadcast_to, ravel, reshape

    indices = _int_indices(indices)
    if axis is None:
        x, indices, axis = ravel(x), ravel(indices), 0
    xs, is_ = list(shape_of(x)), list(shape_of(indices))
    n = max(len(xs), len(is_))
    if len(xs) < n:
        x = reshape(x, (1,) * (n - len(xs)) + tuple(-1 if d is None else d for d in xs))
        xs = [1] * (n - len(xs)) + xs
    if len(is_) < n:
        indices = reshape(
            indices, (1,) * (n - len(is_)) + tuple(-1 if d is None else d for d in is_)
        )
        is_ = [1] * (n - len(is_)) + is_
    axis = one_axis(axis, n)
    # Keras broadcasts x and indices against each other off the axis
    bx, bi = list(xs), list(is_)
    for i in range(n):
        if i == axis:
            continue
        a, b = xs[i], is_[i]
        if a == b:
            continue
        if a == 1:
            bx[i] = b
        elif b == 1:
            bi[i] = a
        elif a is not None and b is not None:
            raise ValueError(
                f"take_along_axis: x of shape {tuple(xs)} and indices of shape "
                f"{tuple(is_)} do not broadcast off axis {axis}"
            )
    if bx != xs:
        x = broadcast_to(x, tuple(bx))
    if bi != is_:
        indices = broadcast_to(indices, tuple(bi))
    return apply("take_along_axis", [x, indices], axis=axis)


# ---- x[key] ---------------------------------------------------------------------------------
def _is_index_array(k):
    return (isinstance(k, (list, np.ndarray)) or hasattr(k, "shape")) and not isinstance(
        k, (np.integer,)
    )


def getitem(x, key):
    """numpy basic indexing (ints, slices with steps, None, Ellipsis, negative indices),
    plus one integer-array index (run as `take`) and, eagerly, boolean masks."""
    if not isinstance(key, tuple):
        key = (key,)
    shape = shape_of(x)
    n = len(shape)
    # eager-only forms: several index arrays, or a boolean mask over several axes
    arrays = [k for k in key if _is_index_array(k)]
    eager = graph_for([x] + arrays) is None
    conv = []
    for k in key:
        if _is_index_array(k):
            if not is_symbolic(k) and eager:
                k = as_array(k)
                if k.dtype == bool:
                    if k.ndim != 1:
                        return _numpy_getitem(x, key)
                    k = np.nonzero(k)[0].astype(np.int32)
                elif k.ndim == 0:
                    k = int(k)
            elif not is_symbolic(k):
                k = np.asarray(as_array(k))
                if k.dtype == bool:
                    raise ValueError(
                        "a boolean mask index has a value-dependent shape; it cannot be traced"
                    )
                if k.ndim == 0:
                    k = int(k)
        conv.append(k)
    key = conv
    if sum(_is_index_array(k) for k in key) > 1:
        if eager:
            return _numpy_getitem(x, tuple(key))
        raise NotImplementedError(
            "indexing with more than one index array is not supported on symbolic tensors"
        )
    n_ell = sum(k is Ellipsis for k in key)
    if n_ell > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    used = sum(1 for k in key if k is not None and k is not Ellipsis)
    if used > n:
        raise IndexError(f"too many indices for a tensor of rank {n}: {used} were indexed")
    items = []
    for k in key:
        if k is Ellipsis:
            items.extend([_pyslice(None)] * (n - used))
        else:
            items.append(k)
    if not n_ell:
        items.extend([_pyslice(None)] * (n - used))
    begin, end, strides, squeeze_axes = [], [], [], []
    axis = 0
    for k in items:
        if k is None:
            continue
        if isinstance(k, _pyslice):
            step = 1 if k.step is None else int(k.step)
            if step == 0:
                raise ValueError("slice step cannot be zero")
            begin.append(None if k.start is None else int(k.start))
            end.append(None if k.stop is None else int(k.stop))
            strides.append(step)
        elif isinstance(k, (int, np.integer)):
            i, d = int(k), shape[axis]
            if d is not None and not -d <= i < d:
                raise IndexError(f"index {i} is out of bounds for axis {axis} with size {d}")
            begin.append(i)
            end.append(None if i == -1 else i + 1)
            strides.append(1)
            squeeze_axes.append(axis)
        else:  # index array: full slice now, take below
            begin.append(None)
            end.append(None)
            strides.append(1)
        axis += 1
    y = x
    if any(b is not None or e is not None or s != 1 for b, e, s in zip(begin, end, strides)):
        y = _prim.strided_slice(y, begin, end, strides)
    if squeeze_axes:
        y = _prim.squeeze(y, tuple(squeeze_axes))
    new_axes, array_pos, pos = [], None, 0
    for k in items:
        if isinstance(k, (int, np.integer)):
            continue
        if k is None:
            new_axes.append(pos)
        elif not isinstance(k, _pyslice):
            array_pos = (pos, k)
        pos += 1
    if new_axes:
        y = _prim.expand_dims(y, tuple(new_axes))
    if array_pos is not None:
        y = take(y, array_pos[1], axis=array_pos[0])
    if y is x:
        from ._shape import _identity

        y = _identity(x)
    return y


def _numpy_getitem(x, key):
    from ..tensor import Tensor

    key = tuple(as_array(k) if _is_index_array(k) else k for k in key)
    return Tensor(np.array(as_array(x)[key], order="C"))


# ---- keras.ops.core's slice / slice_update / scatter ---------------------------------------
def _static_ints(v, who):
    if is_symbolic(v):
        raise NotImplementedError(f"{who}: start indices must be known when tracing")
    return [
        int(i) for i in np.asarray(as_array(v) if not isinstance(v, (list, tuple)) else v).ravel()
    ]


def slice(inputs, start_indices, shape):
    """A block of `inputs` of the given `shape` starting at `start_indices`.

    Args:
        inputs: The tensor to slice.
        start_indices: One start index per axis.
        shape: The size of the block along each axis.

    Returns:
        The block, a tensor of `shape`.

    Limitations:
        When tracing, `start_indices` must be known (Python or numpy values, not
        traced tensors); otherwise raises `NotImplementedError`.
    """
    start = _static_ints(start_indices, "slice")
    size = _static_ints(shape, "slice")
    n = len(shape_of(inputs))
    if len(start) != n or len(size) != n:
        raise ValueError(f"slice: start_indices and shape need {n} entries each")
    end = [None if s == -1 else b + s for b, s in zip(start, size)]
    return _prim.strided_slice(inputs, start, end, [1] * n)


def slice_update(inputs, start_indices, updates):
    """`inputs` with the block starting at `start_indices` replaced by `updates`.

    Args:
        inputs: The tensor to update (not changed in place).
        start_indices: One start index per axis.
        updates: The new block; its rank is that of `inputs`.

    Returns:
        A new tensor with the block replaced.

    Limitations:
        When tracing, `start_indices` must be known (Python or numpy values, not
        traced tensors); otherwise raises `NotImplementedError`.
    """
    from ._math import where
    from ._shape import pad

    start = _static_ints(start_indices, "slice_update")
    xs, us = shape_of(inputs), shape_of(updates)
    if len(start) != len(xs) or len(us) != len(xs):
        raise ValueError(
            f"slice_update: inputs {xs}, start_indices {start} and updates {us} need the same rank"
        )
    widths = []
    for d, b, u in zip(xs, start, us):
        if d is None or u is None:
            if b != 0 or d != u:
                raise ValueError(
                    "slice_update: an axis unknown until run time must be updated whole"
                )
            widths.append((0, 0))
        else:
            if b < 0 or b + u > d:
                raise ValueError(f"slice_update: updates {us} at {start} do not fit in {xs}")
            widths.append((b, d - b - u))
    dt = dtype_of(inputs)
    upd = updates if dtype_of(updates) == dt else apply("cast", [updates], dtype=dt)
    mask = pad(_prim.full_like(upd, True, "bool"), widths, constant_values=False)
    return where(mask, pad(upd, widths), inputs)


def _linear_index(indices, shape):
    from ._math import multiply
    from ._reduce import sum as _sum

    k = shape_of(indices)[-1]
    strides = np.cumprod((list(shape[1:k]) + [1])[::-1])[::-1].astype(np.int32)
    return _sum(multiply(_int_indices(indices), strides), axis=-1), k


def scatter(indices, values, shape):
    """zeros(shape) with values added at indices (N, k), duplicates summed, as TF's
    scatter_nd."""
    from ._create import zeros
    from ._shape import reshape

    shape = tuple(int(d) for d in shape)
    lin, k = _linear_index(indices, shape)
    lead = int(np.prod(shape[:k], dtype=np.int64))
    vals = reshape(values, (-1,) + shape[k:])
    if graph_for([values]) is None:
        base = zeros((lead,) + shape[k:], dtype=dtype_of(values))
    else:  # from values, so it keeps their dtype (a float64 constant would become float32)
        from ._reduce import sum as _sum
        from ._shape import broadcast_to

        base = broadcast_to(_prim.full_like(_sum(vals), 0, dtype_of(values)), (lead,) + shape[k:])
    return reshape(_prim.index_add(base, reshape(lin, (-1,)), vals, 0), shape)


def scatter_update(inputs, indices, updates):
    """inputs with the elements at indices (N, k) replaced by updates."""
    from ._create import ones_like
    from ._math import greater, where

    shape = shape_of(inputs)
    hit = scatter(indices, ones_like(updates, dtype="int32"), shape)
    return where(greater(hit, 0), scatter(indices, updates, shape), inputs)
