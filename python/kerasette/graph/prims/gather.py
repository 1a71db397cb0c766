"""Indexed reads and writes.

kernel "gather"          take(x, indices, axis)
kernel "scatter_add"     index_add(x, indices, updates, axis): take's gradient;
                         scatter_add_along_axis(x, indices, updates, axis): take_along_axis's
kernel "take_along_axis" take_along_axis(x, indices, axis): x and indices have the same
                         rank and the same sizes off `axis` (ops broadcasts them first)
kernel "one_hot"         one_hot(indices, num_classes, axis, dtype)

`axis` is always an int here (ops flattens for axis=None). Negative indices count from
the end; an index out of range is a ValueError (one_hot instead gives a zero row, as TF).
"""

import numpy as np

from ..registry import register
from ._util import norm_axes, result_dtype


def _ops():
    from ... import ops

    return ops


def _prim():
    from ...ops import _prim

    return _prim


def _dt(d):
    return str(np.dtype(d))


def _check_int(indices, who):
    if np.dtype(indices.dtype).kind not in "iu":
        raise ValueError(f"{who}: indices must be integers, got dtype {indices.dtype}")


def _wrap(idx, size, who):
    idx = np.asarray(idx).astype(np.int64)
    if idx.size and (idx.min() < -size or idx.max() >= size):
        bad = idx[(idx < -size) | (idx >= size)].ravel()[0]
        raise ValueError(f"{who}: index {bad} is out of range for an axis of size {size}")
    return np.where(idx < 0, idx + size, idx)


# ---- take ------------------------------------------------------------------------------
def _take_infer(x, indices, axis):
    _check_int(indices, "take")
    axis = norm_axes(axis, len(x.shape))[0]
    s = tuple(x.shape)
    return s[:axis] + tuple(indices.shape) + s[axis + 1 :], _dt(x.dtype)


def _take_eval(x, indices, axis):
    axis = norm_axes(axis, x.ndim)[0]
    return np.take(x, _wrap(indices, x.shape[axis], "take"), axis=axis)


def _take_grad(node, g):
    x, idx = node.inputs
    ops = _ops()
    return [_prim().index_add(ops.zeros_like(x), idx, g, node.attrs["axis"]), None]


register("take", infer=_take_infer, eval=_take_eval, grad=_take_grad, kernel="gather")


def _index_add_eval(x, indices, updates, axis):
    axis = norm_axes(axis, x.ndim)[0]
    out = x.copy()
    idx = _wrap(indices, x.shape[axis], "index_add")
    np.add.at(out, (slice(None),) * axis + (idx,), updates.astype(x.dtype, copy=False))
    return out


def _index_add_grad(node, g):
    x, idx, upd = node.inputs
    return [g, None, _ops().take(g, idx, axis=node.attrs["axis"])]


# out = x, then out[..., indices[j], ...] += updates[..., j, ...] along axis (duplicates add)
register(
    "index_add",
    infer=lambda x, indices, updates, axis: (tuple(x.shape), _dt(x.dtype)),
    eval=_index_add_eval,
    grad=_index_add_grad,
    kernel="scatter_add",
)


# ---- take_along_axis -------------------------------------------------------------------
def _tal_infer(x, indices, axis):
    _check_int(indices, "take_along_axis")
    n = len(x.shape)
    if len(indices.shape) != n:
        raise ValueError(
            f"take_along_axis: indices of shape {tuple(indices.shape)} need "
            f"the rank of x, {tuple(x.shape)}"
        )
    axis = norm_axes(axis, n)[0]
    for i, (a, b) in enumerate(zip(x.shape, indices.shape)):
        if i != axis and a is not None and b is not None and a != b:
            raise ValueError(
                f"take_along_axis: x {tuple(x.shape)} and indices "
                f"{tuple(indices.shape)} differ off axis {axis}"
            )
    out = tuple(
        b if (i == axis or a is None) else a for i, (a, b) in enumerate(zip(x.shape, indices.shape))
    )
    return out, _dt(x.dtype)


def _tal_eval(x, indices, axis):
    axis = norm_axes(axis, x.ndim)[0]
    return np.take_along_axis(x, _wrap(indices, x.shape[axis], "take_along_axis"), axis)


def _tal_grad(node, g):
    x, idx = node.inputs
    return [_prim().scatter_add_along_axis(_ops().zeros_like(x), idx, g, node.attrs["axis"]), None]


register(
    "take_along_axis", infer=_tal_infer, eval=_tal_eval, grad=_tal_grad, kernel="take_along_axis"
)


def _saa_eval(x, indices, updates, axis):
    axis = norm_axes(axis, x.ndim)[0]
    out = x.copy()
    idx = _wrap(indices, x.shape[axis], "scatter_add_along_axis")
    grid = list(np.indices(idx.shape, sparse=True))
    grid[axis] = idx
    np.add.at(out, tuple(grid), updates.astype(x.dtype, copy=False))
    return out


def _saa_grad(node, g):
    x, idx, upd = node.inputs
    return [g, None, _ops().take_along_axis(g, idx, axis=node.attrs["axis"])]


# out = x, then out[i.., indices[i.., j, ..], ..] += updates[i.., j, ..]
register(
    "scatter_add_along_axis",
    infer=lambda x, indices, updates, axis: (tuple(x.shape), _dt(x.dtype)),
    eval=_saa_eval,
    grad=_saa_grad,
    kernel="scatter_add",
)


# ---- one_hot -----------------------------------------------------------------------------
def _oh_axis(axis, rank):
    return norm_axes(axis, rank + 1)[0]


def _oh_infer(indices, num_classes, axis, dtype):
    _check_int(indices, "one_hot")
    out = list(indices.shape)
    out.insert(_oh_axis(axis, len(out)), int(num_classes))
    return tuple(out), _dt(dtype)


def _oh_eval(indices, num_classes, axis, dtype):
    hot = indices[..., None] == np.arange(num_classes)
    return np.moveaxis(hot, -1, _oh_axis(axis, indices.ndim)).astype(dtype)


register("one_hot", infer=_oh_infer, eval=_oh_eval, kernel="one_hot")

del result_dtype
