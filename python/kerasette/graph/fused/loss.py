"""The built-in losses as one fused kernel: per-row values and their gradient.

`loss_rows(pred, target)` gives Keras's per-sample loss of each row of pred (R, K);
its gradient `loss_rows_grad(pred, target, g)` is sum_i g_i * d loss_i / d pred, one
pass that never materialises the softmax, the clipped logs or their derivatives.
The kinds and formulas are csrc/include/kerasette/loss.h's (Keras 3's, TF backend).
"""

import numpy as np

from ..registry import register

_EPS = np.float32(1e-7)


def _rows_infer(pred, target, **attrs):
    return (pred.shape[0],), "float32"


def _hinge_target(t):
    binary = np.all((t == 0) | (t == 1))
    return t * 2.0 - 1.0 if binary else t


def _rows_eval(pred, target, kind, from_logits=False, label_smoothing=0.0, delta=1.0):
    p = pred.astype(np.float64)
    t = target.astype(np.float64)
    K = p.shape[1]
    ls = float(label_smoothing)
    if kind == "mean_squared_error":
        v = np.mean((p - t) ** 2, axis=1)
    elif kind == "mean_absolute_error":
        v = np.mean(np.abs(p - t), axis=1)
    elif kind == "huber":
        e = np.abs(p - t)
        v = np.mean(np.where(e <= delta, 0.5 * e * e, delta * e - 0.5 * delta * delta), axis=1)
    elif kind == "binary_crossentropy":
        t = t * (1 - ls) + 0.5 * ls
        if from_logits:
            v = np.mean(np.maximum(p, 0) - p * t + np.log1p(np.exp(-np.abs(p))), axis=1)
        else:
            c = np.clip(p, _EPS, 1 - _EPS)
            v = np.mean(-(t * np.log(c) + (1 - t) * np.log(1 - c)), axis=1)
    elif kind == "categorical_crossentropy":
        t = t * (1 - ls) + ls / K
        if from_logits:
            m = p.max(axis=1, keepdims=True)
            lse = m + np.log(np.exp(p - m).sum(axis=1, keepdims=True))
            v = np.sum(t * (lse - p), axis=1)
        else:
            q = np.clip(p / p.sum(axis=1, keepdims=True), _EPS, 1 - _EPS)
            v = -np.sum(t * np.log(q), axis=1)
    elif kind == "sparse_categorical_crossentropy":
        y = t.reshape(-1)
        ok = (y > -1) & (y < K)
        yi = np.where(ok, y, 0).astype(np.int64)
        if from_logits:
            m = p.max(axis=1, keepdims=True)
            lse = (m + np.log(np.exp(p - m).sum(axis=1, keepdims=True)))[:, 0]
            v = lse - p[np.arange(len(p)), yi]
        else:
            c = np.clip(p, _EPS, 1 - _EPS)
            v = np.log(c.sum(axis=1)) - np.log(c[np.arange(len(p)), yi])
        v = np.where(ok, v, np.nan)
    elif kind == "kl_divergence":
        tc, q = np.clip(t, _EPS, 1), np.clip(p, _EPS, 1)
        v = np.sum(tc * np.log(tc / q), axis=1)
    elif kind == "hinge":
        v = np.mean(np.maximum(1 - _hinge_target(t) * p, 0), axis=1)
    elif kind == "poisson":
        v = np.mean(p - t * np.log(p + _EPS), axis=1)
    else:
        raise ValueError(f"unknown loss kind {kind!r}")
    return v.astype(np.float32)


def _grad_eval(pred, target, g, kind, from_logits=False, label_smoothing=0.0, delta=1.0):
    # The C++ scalar reference is the oracle: with row weights g and grad_scale 1 its
    # dpred is exactly sum_i g_i d loss_i / d pred.
    from ...backend import core

    _, dpred = core.loss_forward_backward_ref(
        kind,
        np.ascontiguousarray(pred, np.float32),
        np.ascontiguousarray(target, np.float32),
        np.ascontiguousarray(g, np.float32),
        bool(from_logits),
        float(label_smoothing),
        float(delta),
        1.0,
        True,
    )
    return dpred


def _rows_grad(node, g):
    from ...graph.trace import apply

    pred, target = node.inputs
    return [apply("loss_rows_grad", [pred, target, g], **node.attrs), None]


register("loss_rows", infer=_rows_infer, eval=_rows_eval, grad=_rows_grad, kernel="loss")
register(
    "loss_rows_grad",
    infer=lambda pred, target, g, **a: (pred.shape, "float32"),
    eval=_grad_eval,
    kernel="loss",
)
# Both of the above from one pass over the rows (the fusion pass pairs them up): the row
# kernel computes each row's loss and its gradient together anyway.
register(
    "loss_rows_and_grad",
    infer=lambda pred, target, g, **a: [((pred.shape[0],), "float32"), (pred.shape, "float32")],
    eval=lambda pred, target, g, **a: (
        _rows_eval(pred, target, **a),
        _grad_eval(pred, target, g, **a),
    ),
    kernel="loss",
    n_out=2,
)


def _lower_rows(ctx, node):
    from ...backend import core

    pred, target = node.inputs
    R, K = pred.shape
    a = node.attrs
    ctx.emit(
        "loss",
        [ctx.val(pred), ctx.val(target), None],
        [ctx.out(node.outputs[0]), None],
        [core.LOSSES[a["kind"]], R, K, int(bool(a.get("from_logits")))],
        [a.get("label_smoothing", 0.0), a.get("delta", 1.0)],
    )


def _lower_grad(ctx, node):
    from ...backend import core

    pred, target, g = node.inputs
    R, K = pred.shape
    a = node.attrs
    ctx.emit(
        "loss",
        [ctx.val(pred), ctx.val(target), ctx.val(g)],
        [None, ctx.out(node.outputs[0])],
        [core.LOSSES[a["kind"]], R, K, int(bool(a.get("from_logits")))],
        [a.get("label_smoothing", 0.0), a.get("delta", 1.0)],
    )


def _lower_both(ctx, node):
    from ...backend import core

    pred, target, g = node.inputs
    R, K = pred.shape
    a = node.attrs
    ctx.emit(
        "loss",
        [ctx.val(pred), ctx.val(target), ctx.val(g)],
        [ctx.out(node.outputs[0]), ctx.out(node.outputs[1])],
        [core.LOSSES[a["kind"]], R, K, int(bool(a.get("from_logits")))],
        [a.get("label_smoothing", 0.0), a.get("delta", 1.0)],
    )


def _install_rules():
    from .. import lower_rules

    lower_rules.RULES["loss_rows"] = _lower_rows
    lower_rules.RULES["loss_rows_grad"] = _lower_grad
    lower_rules.RULES["loss_rows_and_grad"] = _lower_both


_install_rules()
