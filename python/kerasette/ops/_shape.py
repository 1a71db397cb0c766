"""Shape and layout ops (keras.ops.numpy's). Primitives: reshape, expand_dims, squeeze,
transpose, broadcast_to, strided_slice, pad, concatenate, tile, repeat. The rest
(swapaxes, moveaxis, stack, split, flip, ravel, roll, ...) are made of them."""

import numpy as np

from ..graph.trace import apply
from . import _prim
from ._convert import norm_axes, one_axis, shape_of, static_shape

__all__ = [
    "reshape",
    "transpose",
    "swapaxes",
    "moveaxis",
    "expand_dims",
    "squeeze",
    "concatenate",
    "append",
    "stack",
    "hstack",
    "vstack",
    "split",
    "pad",
    "tile",
    "repeat",
    "flip",
    "broadcast_to",
    "ravel",
    "roll",
    "atleast_1d",
]


def reshape(x, newshape):
    """`x` with a new shape (the same number of elements).

    Args:
        x: The input tensor.
        newshape: The new shape; one entry may be -1 (inferred).

    Returns:
        A tensor.
    """
    newshape = static_shape(newshape)
    if None in newshape:
        newshape = tuple(-1 if d is None else d for d in newshape)
    return apply("reshape", [x], shape=newshape)


def ravel(x):
    """`x` flattened to one axis.

    Args:
        x: The input tensor.

    Returns:
        A tensor.
    """
    return reshape(x, (-1,))


def transpose(x, axes=None):
    """`x` with its axes permuted.

    Args:
        x: The input tensor.
        axes: The permutation of the axes; `None` reverses them. Defaults to `None`.

    Returns:
        A tensor.
    """
    n = len(shape_of(x))
    if axes is None:
        axes = tuple(range(n))[::-1]
    else:
        axes = tuple(a % n if n else a for a in (int(v) for v in axes))
    if axes == tuple(range(n)):
        return (
            apply("reshape", [x], shape=tuple(-1 if d is None else d for d in shape_of(x)))
            if sum(d is None for d in shape_of(x)) > 1
            else _identity(x)
        )
    return apply("transpose", [x], axes=axes)


def _identity(x):
    # a no-op as a node, so the result is always a fresh tensor of the right kind
    return apply("reshape", [x], shape=tuple(-1 if d is None else d for d in shape_of(x)))


def swapaxes(x, axis1, axis2):
    """`x` with two axes swapped.

    Args:
        x: The input tensor.
        axis1: The first axis.
        axis2: The second axis.

    Returns:
        A tensor.
    """
    n = len(shape_of(x))
    perm = list(range(n))
    a, b = one_axis(axis1, n), one_axis(axis2, n)
    perm[a], perm[b] = perm[b], perm[a]
    return transpose(x, perm)


def moveaxis(x, source, destination):
    """`x` with axes moved to new positions.

    Args:
        x: The input tensor.
        source: The axis (or axes) to move.
        destination: Where they go.

    Returns:
        A tensor.
    """
    n = len(shape_of(x))
    src = [one_axis(a, n) for a in ((source,) if np.ndim(source) == 0 else source)]
    dst = [one_axis(a, n) for a in ((destination,) if np.ndim(destination) == 0 else destination)]
    if len(src) != len(dst):
        raise ValueError("moveaxis: source and destination need the same number of axes")
    order = [a for a in range(n) if a not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return transpose(x, order)


def expand_dims(x, axis):
    """`x` with a new axis of size 1 at `axis`.

    Args:
        x: The input tensor.
        axis: The position of the new axis.

    Returns:
        A tensor.
    """
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    rank = len(shape_of(x)) + len(axes)
    out = tuple(sorted(norm_axes(axes, rank)))
    if len(out) != len(axes):
        raise ValueError(f"expand_dims: repeated axis in {axis}")
    return _prim.expand_dims(x, out)


def squeeze(x, axis=None):
    """`x` without axes of size 1 (only `axis`, when given).

    Args:
        x: The input tensor.
        axis: The axis (or axes) to work along; `None` means all of them (the flattened
            tensor). Defaults to `None`.

    Returns:
        A tensor.
    """
    shape = shape_of(x)
    if axis is None:
        axes = tuple(i for i, d in enumerate(shape) if d == 1)
    else:
        axes = norm_axes(axis, len(shape))
        for a in axes:
            if shape[a] not in (1, None):
                raise ValueError(
                    f"Cannot squeeze axis={a}, because the dimension is not 1 (shape {shape})"
                )
    if not axes:
        return _identity(x)
    return _prim.squeeze(x, axes)


def concatenate(xs, axis=0):
    """Joins tensors along an existing axis.

    Args:
        xs: A list of tensors.
        axis: The axis to join along. Defaults to `0`.

    Returns:
        A tensor.
    """
    xs = list(xs)
    if axis is None:
        xs, axis = [ravel(x) for x in xs], 0
    return apply("concatenate", xs, axis=int(axis))


def append(x1, x2, axis=None):
    """`x2` appended to `x1` along `axis` (both flattened when `axis` is `None`).

    Args:
        x1: The first input tensor.
        x2: The second input tensor.
        axis: The axis (or axes) to work along; `None` means all of them (the flattened
            tensor). Defaults to `None`.

    Returns:
        A tensor.
    """
    return concatenate([x1, x2], axis=axis)


def stack(x, axis=0):
    """Joins tensors along a new axis.

    Args:
        x: A list of tensors of the same shape.
        axis: The position of the new axis. Defaults to `0`.

    Returns:
        A tensor.
    """
    x = list(x)
    if not x:
        raise ValueError("stack needs at least one tensor")
    shapes = {tuple(shape_of(t)) for t in x}
    if len(shapes) > 1 and not any(None in s for s in shapes):
        raise ValueError(f"stack: all tensors need the same shape, got {sorted(shapes)}")
    return concatenate([expand_dims(t, axis) for t in x], axis=axis)


def hstack(xs):
    """Joins tensors horizontally (column-wise).

    Args:
        xs: A list of tensors.

    Returns:
        A tensor.
    """
    xs = list(xs)
    return concatenate(xs, axis=0 if len(shape_of(xs[0])) == 1 else 1)


def vstack(xs):
    """Joins tensors vertically (row-wise).

    Args:
        xs: A list of tensors.

    Returns:
        A tensor.
    """
    return concatenate([t if len(shape_of(t)) >= 2 else reshape(t, (1, -1)) for t in xs], axis=0)


def atleast_1d(x):
    """`x` with at least one axis.

    Args:
        x: The input tensor.

    Returns:
        A tensor.
    """
    return reshape(x, (1,)) if len(shape_of(x)) == 0 else x


def _axis_slice(x, axis, begin, end, step=1):
    n = len(shape_of(x))
    b = [None] * n
    e = [None] * n
    s = [1] * n
    b[axis], e[axis], s[axis] = begin, end, step
    return _prim.strided_slice(x, b, e, s)


def split(x, indices_or_sections, axis=0):
    """Splits a tensor into parts along `axis`.

    Args:
        x: The input tensor.
        indices_or_sections: The number of equal parts, or the indices to split at.
        axis: The axis to split along. Defaults to `0`.

    Returns:
        A list of tensors.
    """
    shape = shape_of(x)
    axis = one_axis(axis, len(shape))
    d = shape[axis]
    if isinstance(indices_or_sections, (int, np.integer)):
        k = int(indices_or_sections)
        if d is None:
            raise ValueError("split into sections needs the axis size known")
        if k <= 0 or d % k:
            raise ValueError(f"split: an axis of size {d} does not split into {k} equal sections")
        points = [d // k * i for i in range(1, k)]
    else:
        points = [int(p) for p in indices_or_sections]
    bounds = [None] + points + [None]
    return [_axis_slice(x, axis, bounds[i], bounds[i + 1]) for i in range(len(bounds) - 1)]


def _pad_width(pad_width, n):
    """numpy's pad_width forms (an int, one pair, a pair per axis) as n (lo, hi) pairs."""
    pw = np.asarray(pad_width, dtype=np.int64)
    if pw.size in (1, 2) and pw.shape != (n, 2):
        pw = np.broadcast_to(pw.reshape(-1)[[0, -1]], (n, 2))
    if pw.shape != (n, 2):
        raise ValueError(f"pad: pad_width {pad_width!r} does not fit a tensor of rank {n}")
    if (pw < 0).any():
        raise ValueError(f"pad: pad widths must be non-negative, got {pad_width!r}")
    return tuple((int(a), int(b)) for a, b in pw)


def pad(x, pad_width, mode="constant", constant_values=None):
    """Pads a tensor.

    Args:
        x: The input tensor.
        pad_width: The padding before and after each axis: `((before, after), ...)`.
        mode: The padding mode: `"constant"`, `"reflect"` or `"symmetric"`. Defaults to
            `"constant"`.
        constant_values: The value of constant padding (`None`: 0). Defaults to `None`.

    Returns:
        A tensor.
    """
    n = len(shape_of(x))
    pw = _pad_width(pad_width, n)
    if mode == "constant":
        cv = 0 if constant_values is None else constant_values
        return apply("pad", [x], pad_width=pw, constant_value=cv)
    if constant_values is not None:
        raise ValueError(f"pad: constant_values applies to mode='constant' only, not {mode!r}")
    if mode not in ("reflect", "symmetric"):
        raise ValueError(f"pad: mode must be 'constant', 'reflect' or 'symmetric', got {mode!r}")
    # reflect/symmetric: each side is a reversed slice beside the edge, axis by axis
    shift = 1 if mode == "reflect" else 0
    for a, (lo, hi) in enumerate(pw):
        if not lo and not hi:
            continue
        d = shape_of(x)[a]
        if d is None or lo > d - shift or hi > d - shift:
            raise ValueError(f"pad: mode {mode!r} pads of {lo, hi} do not fit axis {a} of size {d}")
        parts = []
        if lo:
            parts.append(
                _axis_slice(x, a, lo, 0, -1) if shift else _axis_slice(x, a, lo - 1, None, -1)
            )
        parts.append(x)
        if hi:
            stop = d - 1 - shift - hi
            parts.append(_axis_slice(x, a, d - 1 - shift, stop if stop >= 0 else None, -1))
        x = concatenate(parts, axis=a)
    return x


def tile(x, repeats):
    """Repeats the whole tensor `repeats` times along each axis.

    Args:
        x: The input tensor.
        repeats: The number of repetitions (an int, or one per element or axis).

    Returns:
        A tensor.
    """
    reps = (int(repeats),) if np.ndim(repeats) == 0 else tuple(int(r) for r in repeats)
    n = len(shape_of(x))
    if len(reps) > n:
        x = reshape(x, (1,) * (len(reps) - n) + tuple(-1 if d is None else d for d in shape_of(x)))
        n = len(reps)
    reps = (1,) * (n - len(reps)) + reps
    return apply("tile", [x], reps=reps)


def repeat(x, repeats, axis=None):
    """Repeats each element `repeats` times along `axis`.

    Args:
        x: The input tensor.
        repeats: The number of repetitions (an int, or one per element or axis).
        axis: The axis (or axes) to work along; `None` means all of them (the flattened
            tensor). Defaults to `None`.

    Returns:
        A tensor.
    """
    if axis is None:
        x, axis = ravel(x), 0
    shape = shape_of(x)
    axis = one_axis(axis, len(shape))
    if np.ndim(repeats) == 0:
        return apply("repeat", [x], repeats=int(repeats), axis=axis)
    reps = np.asarray(repeats, dtype=np.int64)
    if shape[axis] is None:
        raise ValueError("repeat with per-element counts needs the axis size known")
    if reps.size == 1:
        return apply("repeat", [x], repeats=int(reps.ravel()[0]), axis=axis)
    idx = np.repeat(np.arange(shape[axis], dtype=np.int32), reps)
    from ._index import take

    return take(x, idx, axis=axis)


def flip(x, axis=None):
    """Reverses the order of the elements along `axis`.

    Args:
        x: The input tensor.
        axis: The axis (or axes) to work along; `None` means all of them (the flattened
            tensor). Defaults to `None`.

    Returns:
        A tensor.
    """
    n = len(shape_of(x))
    axes = norm_axes(axis, n)
    return _prim.strided_slice(
        x, [None] * n, [None] * n, [-1 if i in axes else 1 for i in range(n)]
    )


def roll(x, shift, axis=None):
    """Rolls the elements along `axis`: those shifted past the end come back at the start.

    Args:
        x: The input tensor.
        shift: The number of places to shift by.
        axis: The axis (or axes) to work along; `None` means all of them (the flattened
            tensor). Defaults to `None`.

    Returns:
        A tensor.
    """
    if axis is None:
        flat = roll(ravel(x), shift, 0)
        return reshape(flat, tuple(-1 if d is None else d for d in shape_of(x)))
    shifts = (shift,) if np.ndim(shift) == 0 else tuple(shift)
    axes = (axis,) if np.ndim(axis) == 0 else tuple(axis)
    for s, a in zip(shifts, axes):
        a = one_axis(a, len(shape_of(x)))
        d = shape_of(x)[a]
        if d is None:
            raise ValueError("roll needs the axis size known")
        s = int(s) % d if d else 0
        if s:
            x = concatenate(
                [_axis_slice(x, a, d - s, None), _axis_slice(x, a, None, d - s)], axis=a
            )
    return x


def broadcast_to(x, shape):
    """Broadcasts `x` to `shape`.

    Args:
        x: The input tensor.
        shape: The shape of the result (an int or a tuple).

    Returns:
        A tensor.
    """
    return apply("broadcast_to", [x], shape=static_shape(shape))
