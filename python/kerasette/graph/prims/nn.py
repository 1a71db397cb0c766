"""Normalised exponentials and the crossentropies built on them.

kernel "act"   softmax(axis), log_softmax(axis): one axis (an int), max-subtracted.
kernel "loss"  softmax_cross_entropy(logits, labels, axis): -sum(labels * log_softmax),
               per sample (the axis is removed); labels has logits' shape.
               sparse_softmax_cross_entropy(logits, labels): integer labels over the last
               axis of logits, shape logits.shape[:-1]; a label out of range is an error.
They are primitives (not exp/sum composites) for speed, for numerical stability, and so
that a crossentropy can find the logits behind a softmax output.
"""

import numpy as np

from ..registry import register
from ._util import float_dtype, norm_axes, result_dtype


def _ops():
    from ... import ops

    return ops


def _axis(axis, n):
    return norm_axes(axis, n)[0]


def _log_softmax_np(x, axis):
    m = np.max(x, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    z = x - m
    return z - np.log(np.sum(np.exp(z), axis=axis, keepdims=True))


def _softmax_np(x, axis):
    m = np.max(x, axis=axis, keepdims=True)
    e = np.exp(x - np.where(np.isfinite(m), m, 0))
    return e / np.sum(e, axis=axis, keepdims=True)


def _act(name, fn, grad):
    def infer(x, axis):
        _axis(axis, len(x.shape))
        return tuple(x.shape), float_dtype(x.dtype)

    def ev(x, axis):
        dt = float_dtype(x.dtype)
        return np.asarray(fn(x.astype(dt, copy=False), _axis(axis, x.ndim)), dtype=dt)

    register(name, infer=infer, eval=ev, grad=grad, kernel="act")


def _softmax_grad(node, g):
    ops = _ops()
    y = node.outputs[0]
    axis = node.attrs["axis"]
    return [ops.multiply(y, ops.subtract(g, ops.sum(ops.multiply(g, y), axis=axis, keepdims=True)))]


def _log_softmax_grad(node, g):
    ops = _ops()
    y = node.outputs[0]
    axis = node.attrs["axis"]
    return [ops.subtract(g, ops.multiply(ops.exp(y), ops.sum(g, axis=axis, keepdims=True)))]


_act("softmax", _softmax_np, _softmax_grad)
_act("log_softmax", _log_softmax_np, _log_softmax_grad)


# ---- crossentropies ----------------------------------------------------------------------
def _sce_infer(logits, labels, axis):
    n = len(logits.shape)
    a = _axis(axis, n)
    if len(labels.shape) != n or any(
        p is not None and q is not None and p != q for p, q in zip(logits.shape, labels.shape)
    ):
        raise ValueError(
            "softmax_cross_entropy: labels and logits need the same shape, got "
            f"{tuple(labels.shape)} and {tuple(logits.shape)}"
        )
    shape = tuple(d for i, d in enumerate(logits.shape) if i != a)
    return shape, float_dtype(result_dtype(logits.dtype, labels.dtype))


def _sce_eval(logits, labels, axis):
    dt = float_dtype(result_dtype(logits.dtype, labels.dtype))
    a = _axis(axis, logits.ndim)
    ls = _log_softmax_np(logits.astype(dt), a)
    return np.asarray(-np.sum(labels.astype(dt) * ls, axis=a), dtype=dt)


def _sce_grad(node, g):
    ops = _ops()
    logits, labels = node.inputs
    axis = node.attrs["axis"]
    g = ops.expand_dims(g, axis)
    ls = ops.log_softmax(logits, axis=axis)
    d_logits = ops.subtract(
        ops.multiply(ops.exp(ls), ops.sum(labels, axis=axis, keepdims=True)), labels
    )
    return [ops.multiply(g, d_logits), ops.negative(ops.multiply(g, ls))]


register("softmax_cross_entropy", infer=_sce_infer, eval=_sce_eval, grad=_sce_grad, kernel="loss")


def _ssce_infer(logits, labels):
    if np.dtype(labels.dtype).kind not in "iu":
        raise ValueError(
            f"sparse_softmax_cross_entropy: labels must be integers, got {labels.dtype}"
        )
    if (
        len(logits.shape) < 1
        or len(labels.shape) != len(logits.shape) - 1
        or any(
            p is not None and q is not None and p != q
            for p, q in zip(labels.shape, logits.shape[:-1])
        )
    ):
        raise ValueError(
            "sparse_softmax_cross_entropy: labels need the shape of logits "
            f"without its last axis; got labels {tuple(labels.shape)}, logits "
            f"{tuple(logits.shape)}"
        )
    return tuple(logits.shape[:-1]), float_dtype(logits.dtype)


def _ssce_eval(logits, labels):
    dt = float_dtype(logits.dtype)
    k = logits.shape[-1]
    if labels.size and (labels.min() < 0 or labels.max() >= k):
        bad = labels[(labels < 0) | (labels >= k)].ravel()[0]
        raise ValueError(f"sparse_categorical_crossentropy: label {bad} is out of range [0, {k})")
    ls = _log_softmax_np(logits.astype(dt), -1)
    picked = np.take_along_axis(ls, labels.astype(np.int64)[..., None], -1)[..., 0]
    return np.asarray(-picked, dtype=dt)


def _ssce_grad(node, g):
    ops = _ops()
    logits, labels = node.inputs
    k = logits.shape[-1]
    d = ops.subtract(ops.softmax(logits, axis=-1), ops.one_hot(labels, k, dtype=logits.dtype))
    return [ops.multiply(ops.expand_dims(g, -1), d), None]


register(
    "sparse_softmax_cross_entropy",
    infer=_ssce_infer,
    eval=_ssce_eval,
    grad=_ssce_grad,
    kernel="loss",
)
