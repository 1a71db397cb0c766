"""The traced functions behind compile/fit/evaluate/predict: one training step (model,
loss, metrics, gradients, optimizer update as a graph), one evaluation step, one
forward. Everything the trainer runs per batch is one of these, compiled.

Inputs are the trainer's flat arrays: x (N, prod(input shape)), y (N, target width),
sample weights (N,). The step's scalar outputs are what the C++ loop adds up per batch:
[loss * N, N, then (weighted sum, weight) per in-graph metric].
"""
import numpy as np

from .. import ops
from ..graph import autodiff
from ..graph.fnir import FnIR
from ..graph.ir import Graph
from ..graph.trace import apply, tracing

# The built-in losses the fused loss kernel runs (per-row values + gradient in one pass).
FUSED_LOSSES = {"mean_squared_error", "mean_absolute_error", "huber", "binary_crossentropy",
                "categorical_crossentropy", "sparse_categorical_crossentropy", "kl_divergence",
                "hinge", "poisson"}


def forward(model, x, training):
    """model(x) on a symbolic x: Sequential's stack, or the model's own call."""
    from ..models.sequential import Sequential
    if isinstance(model, Sequential):
        h = x
        for layer in model.layers:
            h = layer(h, training=training)
        return h
    return model(x, training=training)


class StepSpec:
    """What a traced step needs to know besides the model."""

    def __init__(self, in_shape, in_dtype, out_shape, target_width, loss, loss_weight,
                 metrics, update=None, stateful_metrics=()):
        self.in_shape = tuple(in_shape)
        self.in_dtype = in_dtype
        self.out_shape = tuple(out_shape)
        self.target_width = int(target_width)
        self.loss = loss
        self.loss_weight = 1.0 if loss_weight is None else float(loss_weight)
        self.metrics = metrics      # [(kind, weighted, k, threshold)] computed in the graph
        self.update = update        # optimizer.UpdatePlan or None (evaluation)
        # [(Metric, weighted)]: their update_state is traced into the step, its variable
        # assigns become effects of the compiled program
        self.stateful_metrics = list(stateful_metrics)


def _placeholders(g, spec):
    x = g.placeholder((None, int(np.prod(spec.in_shape))), spec.in_dtype, "x")
    y = g.placeholder((None, spec.target_width), "float32", "y")
    sw = g.placeholder((None,), "float32", "sample_weight")
    return x, y, sw


def trace_predict(model, spec):
    g = Graph("predict")
    x = g.placeholder((None, int(np.prod(spec.in_shape))), spec.in_dtype, "x")
    with tracing(g):
        pred = forward(model, ops.reshape(x, (-1,) + spec.in_shape), False)
    return FnIR(g, [x], [pred], list(getattr(g, "updates", ())))


def trace_step(model, spec, training, with_update=True):
    """The training (training=True: with gradients and, with_update, the optimizer
    update) or test step."""
    g = Graph("train_step" if training else "test_step")
    x, y, sw = _placeholders(g, spec)
    with tracing(g):
        pred = forward(model, ops.reshape(x, (-1,) + spec.in_shape), training)
        n = ops.cast(apply("shape_dim", [x], axis=0), "float32")
        loss = loss_value(spec, y, pred, sw) * spec.loss_weight
        total = loss
        for extra in getattr(g, "added_losses", ()):
            total = total + ops.sum(extra)
        total = total + regularization(model)
        outs = [pred, total * n, n]
        for kind, weighted, k, threshold in spec.metrics:
            outs += metric_sums(kind, y, pred, sw if weighted else None, spec, k, threshold)
        if spec.stateful_metrics:
            y_true = ops.reshape(y, (-1,) + _label_shape(spec))
            for metric, weighted in spec.stateful_metrics:
                metric.update_state(y_true, pred, sample_weight=sw if weighted else None)
        effects = list(getattr(g, "updates", ()))
        grads = []
        if training and spec.update is not None:
            params = [g.variable(v) for v in spec.update.variables]
            grads = autodiff.gradients(total, params)
            grads = [ops.zeros_like(p) if gr is None else gr for p, gr in zip(params, grads)]
            if with_update:
                effects.append(apply("apply_gradients", grads, plan=spec.update))
    return FnIR(g, [x, y, sw], outs, effects), grads


def trace_update(spec):
    """The optimizer update alone (clip, one pass over the arenas, constraints), for
    steps that hand the gradients to a hook before updating (kerasette.distribute)."""
    g = Graph("update")
    (out,) = g.add("apply_gradients", [], {"plan": spec.update}, [((), "float32")])
    return FnIR(g, [], [], [out])


def loss_value(spec, y, pred, sw):
    """The batch loss with Keras's sum_over_batch_size reduction and sample weights."""
    loss = spec.loss
    kind = getattr(loss, "kind", None)
    K = spec.out_shape[-1] if spec.out_shape else 1
    if kind in FUSED_LOSSES and getattr(loss, "_ks_builtin", type(loss).__module__.startswith(
            "kerasette.losses")) and getattr(loss, "reduction", "sum_over_batch_size") in (
            None, "sum_over_batch_size"):
        from_logits = bool(getattr(loss, "from_logits", False))
        z = pred
        # Keras on TensorFlow takes the cross-entropy of a softmax (sigmoid) output from
        # its logits, unclipped; so do we, which also fuses the pair into one kernel.
        if not from_logits and kind in ("categorical_crossentropy",
                                        "sparse_categorical_crossentropy") \
                and pred.node.op == "softmax" and pred.node.attrs.get("axis", -1) in (
                    -1, len(pred.shape) - 1):
            z, from_logits = pred.node.inputs[0], True
        elif not from_logits and kind == "binary_crossentropy" and pred.node.op == "sigmoid":
            z, from_logits = pred.node.inputs[0], True
        sparse = kind == "sparse_categorical_crossentropy"
        rows = apply("loss_rows", [ops.reshape(z, (-1, K)),
                                   ops.reshape(y, (-1, 1 if sparse else K))],
                     kind=kind, from_logits=from_logits,
                     label_smoothing=float(getattr(loss, "label_smoothing", 0.0) or 0.0),
                     delta=float(getattr(loss, "delta", 1.0)))
        per_sample_rows = int(np.prod(spec.out_shape[:-1])) if len(spec.out_shape) > 1 else 1
        if per_sample_rows > 1:
            rows = ops.reshape(rows, (-1, per_sample_rows))
            sw = ops.expand_dims(sw, -1)
        count = ops.cast(apply("shape_dim", [rows], axis=0), "float32") * float(per_sample_rows)
        return ops.sum(rows * sw) / count
    # A user's loss function or Loss subclass, written in ops.
    y_true = ops.reshape(y, (-1,) + _label_shape(spec))
    return loss(y_true, pred, sample_weight=sw)


def _label_shape(spec):
    out = spec.out_shape
    if getattr(spec.loss, "sparse", False) or spec.target_width != int(np.prod(out)):
        return tuple(out[:-1]) + ((1,) if spec.target_width == int(np.prod(out[:-1])) else ())
    return tuple(out)


def regularization(model):
    """Keras adds each weight regularizer's penalty to the loss."""
    total = 0.0
    seen = set()
    for var in getattr(model, "trainable_weights", []):
        reg = getattr(var, "regularizer", None)
        if reg is None or id(var) in seen:
            continue
        seen.add(id(var))
        l1, l2 = getattr(reg, "l1", None), getattr(reg, "l2", None)
        if l1 is not None or l2 is not None:
            term = 0.0
            if l1:
                term = term + float(l1) * ops.sum(ops.abs(var))
            if l2:
                term = term + float(l2) * ops.sum(ops.square(var))
            total = total + term
        else:
            total = total + reg(var)
    return total


def metric_sums(kind, y, pred, sw, spec, k, threshold):
    """[sum of per-sample values (weighted), sum of weights] for a built-in metric."""
    K = spec.out_shape[-1] if spec.out_shape else 1
    p = ops.reshape(pred, (-1, K))
    if kind == "sparse_categorical_accuracy":
        t = ops.reshape(y, (-1,))
        v = ops.cast(ops.equal(ops.cast(ops.argmax(p, axis=-1), "float32"), t), "float32")
    elif kind == "categorical_accuracy":
        t = ops.reshape(y, (-1, K))
        v = ops.cast(ops.equal(ops.argmax(p, axis=-1), ops.argmax(t, axis=-1)), "float32")
    elif kind == "binary_accuracy":
        t = ops.reshape(y, (-1, K))
        hit = ops.equal(ops.cast(ops.greater(p, threshold), "float32"), t)
        v = ops.mean(ops.cast(hit, "float32"), axis=-1)
    elif kind == "mean_squared_error":
        v = ops.mean(ops.square(p - ops.reshape(y, (-1, K))), axis=-1)
    elif kind == "mean_absolute_error":
        v = ops.mean(ops.abs(p - ops.reshape(y, (-1, K))), axis=-1)
    else:
        raise NotImplementedError(kind)
    rows = int(np.prod(spec.out_shape[:-1])) if len(spec.out_shape) > 1 else 1
    if sw is not None and rows == 1:
        return [ops.sum(v * sw), ops.sum(sw)]
    return [ops.sum(v), ops.cast(apply("shape_dim", [v], axis=0), "float32")]


GRAPH_METRICS = {"binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
                 "mean_squared_error", "mean_absolute_error"}
