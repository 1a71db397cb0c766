"""Reductions and scans over axes. Kernel "reduce" for all of them, keyed by the op's name.

Attributes: sum/prod/max/min/any/all take axis (None, int or tuple; may be negative) and
keepdims; argmax/argmin take axis (None or int) and keepdims; cumsum/cumprod take axis
(an int) and reverse (bool: scan from the end).
"""

import numpy as np

from ..registry import register
from ._util import norm_axes


def _ops():
    from ... import ops

    return ops


def _prim():
    from ...ops import _prim

    return _prim


def _reduced_shape(shape, axes, keepdims):
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(shape))
    return tuple(d for i, d in enumerate(shape) if i not in axes)


# TF's accumulator dtypes: small ints (and bool) sum and multiply in 32 bits.
_WIDEN = {"bool": "int32", "int8": "int32", "int16": "int32", "uint8": "uint32", "uint16": "uint32"}


def _reduction(name, fn, grad, dtype_rule):
    def infer(x, axis=None, keepdims=False):
        axes = norm_axes(axis, len(x.shape))
        return _reduced_shape(tuple(x.shape), axes, keepdims), dtype_rule(str(np.dtype(x.dtype)))

    def ev(x, axis=None, keepdims=False):
        axes = norm_axes(axis, x.ndim)
        dt = dtype_rule(str(x.dtype))
        if dt != "bool" and x.dtype != dt:
            x = x.astype(dt)
        if name in ("max", "min") and x.size == 0 and any(x.shape[a] == 0 for a in axes):
            raise ValueError(
                f"Cannot compute the {name} of an empty tensor (shape {x.shape}, axis {axis})"
            )
        return np.asarray(fn(x, axis=axes, keepdims=keepdims), dtype=dt)

    register(name, infer=infer, eval=ev, grad=grad, kernel="reduce")


def _expand_back(g, node):
    """g (a reduction's output grad) reshaped to broadcast against the input."""
    x = node.inputs[0]
    axes = norm_axes(node.attrs.get("axis"), len(x.shape))
    if not node.attrs.get("keepdims", False) and axes:
        g = _ops().expand_dims(g, axes)
    return g


def _sum_grad(node, g):
    return [_prim().broadcast_like(_expand_back(g, node), node.inputs[0])]


def _minmax_grad(node, g):
    # TF's rule: the gradient is split evenly between the elements that tie for the max.
    ops = _ops()
    x = node.inputs[0]
    y = _expand_back(node.outputs[0], node)
    mask = ops.cast(ops.equal(x, y), x.dtype)
    count = ops.sum(mask, axis=node.attrs.get("axis"), keepdims=True)
    return [ops.multiply(ops.divide(mask, count), _expand_back(g, node))]


def _prod_grad(node, g):
    # d prod / d x_i = product of the others. Written without dividing by x_i where
    # x_i == 0: with one zero in the group, only that element gets the product of the
    # nonzero rest; with two or more, every gradient is zero.
    ops = _ops()
    x = node.inputs[0]
    axis = node.attrs.get("axis")
    is_zero = ops.equal(x, 0.0)
    nonzero = ops.where(is_zero, ops.ones_like(x), x)
    p_nz = ops.prod(nonzero, axis=axis, keepdims=True)
    n_zero = ops.sum(ops.cast(is_zero, x.dtype), axis=axis, keepdims=True)
    others = ops.where(
        is_zero,
        ops.where(ops.equal(n_zero, 1.0), p_nz, 0.0),
        ops.where(ops.equal(n_zero, 0.0), ops.divide(p_nz, nonzero), 0.0),
    )
    return [ops.multiply(others, _expand_back(g, node))]


_reduction("sum", np.sum, _sum_grad, lambda d: _WIDEN.get(d, d))
_reduction("prod", np.prod, _prod_grad, lambda d: _WIDEN.get(d, d))
_reduction("max", np.max, _minmax_grad, lambda d: d)
_reduction("min", np.min, _minmax_grad, lambda d: d)
_reduction("any", np.any, None, lambda d: "bool")
_reduction("all", np.all, None, lambda d: "bool")


# ---- argmax / argmin: int32, as Keras's TF backend returns ----------------------------
def _arg(name, fn):
    def infer(x, axis=None, keepdims=False):
        if axis is None:
            shape = (1,) * len(x.shape) if keepdims else ()
        else:
            shape = _reduced_shape(tuple(x.shape), norm_axes(axis, len(x.shape)), keepdims)
        return shape, "int32"

    def ev(x, axis=None, keepdims=False):
        if axis is not None:
            axis = norm_axes(axis, x.ndim)[0]
            if x.shape[axis] == 0:
                raise ValueError(f"{name} of an empty axis (shape {x.shape}, axis {axis})")
        elif x.size == 0:
            raise ValueError(f"{name} of an empty tensor")
        return np.asarray(fn(x, axis=axis, keepdims=keepdims), dtype=np.int32)

    register(name, infer=infer, eval=ev, kernel="reduce")


_arg("argmax", np.argmax)
_arg("argmin", np.argmin)


# ---- scans -----------------------------------------------------------------------------
def _scan(name, fn, grad):
    def dtype_of(d):
        return "int32" if d == "bool" else d

    def infer(x, axis, reverse=False):
        norm_axes(axis, len(x.shape))
        return tuple(x.shape), dtype_of(str(np.dtype(x.dtype)))

    def ev(x, axis, reverse=False):
        axis = norm_axes(axis, x.ndim)[0]
        dt = dtype_of(str(x.dtype))
        x = x.astype(dt, copy=False)
        if reverse:
            return np.flip(fn(np.flip(x, axis), axis=axis, dtype=dt), axis).copy()
        return fn(x, axis=axis, dtype=dt)

    register(name, infer=infer, eval=ev, grad=grad, kernel="reduce")


def _cumsum_grad(node, g):
    a = node.attrs
    return [_prim().cumsum(g, a["axis"], not a.get("reverse", False))]


def _cumprod_grad(node, g):
    # sum over j >= i of g_j * y_j / x_i (x_i != 0; a zero input gets no exact grad)
    ops = _ops()
    a = node.attrs
    x, y = node.inputs[0], node.outputs[0]
    s = _prim().cumsum(ops.multiply(g, y), a["axis"], not a.get("reverse", False))
    return [ops.divide(s, x)]


_scan("cumsum", np.cumsum, _cumsum_grad)
_scan("cumprod", np.cumprod, _cumprod_grad)
