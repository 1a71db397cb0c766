"""Reductions over axes (one C++ kernel, "reduce", keyed by the op's name)."""
import numpy as np

from ..registry import register
from ._util import norm_axes


def _reduced_shape(shape, axes, keepdims):
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def _sum_infer(x, axis=None, keepdims=False):
    axes = norm_axes(axis, len(x.shape))
    dt = str(np.dtype(x.dtype))
    if dt == "bool":
        dt = "int32"
    return _reduced_shape(x.shape, axes, keepdims), dt


def _sum_eval(x, axis=None, keepdims=False):
    axes = norm_axes(axis, x.ndim)
    _, dt = _sum_infer(x, axis, keepdims)
    return np.asarray(np.sum(x, axis=axes, keepdims=keepdims), dtype=dt)


def _sum_grad(node, g):
    from ... import ops
    x = node.inputs[0]
    axes = norm_axes(node.attrs.get("axis"), len(x.shape))
    if not node.attrs.get("keepdims", False):
        g = ops.expand_dims(g, axes) if axes else g
    return [ops.broadcast_to(g, x.shape)]


register("sum", infer=_sum_infer, eval=_sum_eval, grad=_sum_grad, kernel="reduce")
