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
FUSED_LOSSES = {
    "mean_squared_error",
    "mean_absolute_error",
    "huber",
    "binary_crossentropy",
    "categorical_crossentropy",
    "sparse_categorical_crossentropy",
    "kl_divergence",
    "hinge",
    "poisson",
}


def forward(model, x, training):
    """model(x) on a symbolic x: Sequential's stack, or the model's own call."""
    from ..models.sequential import Sequential
    from ..models.string_front import front_of, sequential_front

    if isinstance(model, Sequential):
        h = x
        # a string Input's first layer ran before the graph: x is its output
        skip = 1 if sequential_front(model) is not None else 0
        for layer in model.layers[skip:]:
            h = layer(h, training=training)
        return h
    front = front_of(model)
    if front is not None:  # x: the numeric inputs, then the string front's outputs
        return front.forward(model, x, training)
    return model(x, training=training)


class StepSpec:
    """What a traced step needs to know besides the model: its inputs (shape, dtype,
    packed side by side in x), its outputs (io_spec.OutputSpec: loss, weight, metrics,
    place in packed y) and the optimizer update."""

    def __init__(self, inputs, outputs, update=None, multi=False):
        self.inputs = [(tuple(s), d) for s, d in inputs]
        self.outputs = list(outputs)
        self.update = update
        self.multi = multi  # the model takes/returns lists: several inputs or outputs
        self.in_width = sum(int(np.prod(s)) if s else 1 for s, _ in self.inputs)
        self.target_width = sum(o.target_width for o in self.outputs)
        self.n_scalars = (
            2 + (len(self.outputs) if multi else 0) + 2 * sum(len(o.metrics) for o in self.outputs)
        )


def _model_inputs(spec, x):
    """The model's inputs sliced out of the packed x placeholder."""
    if len(spec.inputs) == 1:
        shape, _ = spec.inputs[0]
        return ops.reshape(x, (-1,) + shape)
    out, at = [], 0
    for shape, dtype in spec.inputs:
        w = int(np.prod(shape)) if shape else 1
        part = ops.reshape(x[:, at : at + w], (-1,) + shape)
        out.append(part if dtype == "float32" else ops.cast(part, dtype))
        at += w
    return out


def _in_dtype(spec):
    return spec.inputs[0][1] if len(spec.inputs) == 1 else "float32"


def _flat_preds(pred):
    from ..graph import tree

    return tree.flatten(pred)[0]


def _packed(preds):
    """One (N, total) prediction block: what predict and the C++ loops read out."""
    if len(preds) == 1:
        return preds[0]
    return ops.concatenate(
        [ops.reshape(p, (-1, int(np.prod(p.shape[1:]) or 1))) for p in preds], axis=1
    )


def trace_predict(model, spec):
    g = Graph("predict")
    x = g.placeholder((None, spec.in_width), _in_dtype(spec), "x")
    with tracing(g):
        preds = _flat_preds(forward(model, _model_inputs(spec, x), False))
        out = _packed(preds)
    return FnIR(g, [x], [out], list(getattr(g, "updates", ())))


class NoLossError(ValueError):
    """A step with nothing to minimise (Keras's "No loss to compute")."""


def trace_step(model, spec, training, with_update=True):
    """The training (training=True: with gradients and, with_update, the optimizer
    update) or test step. Outputs: [packed predictions, loss * N, N, (per-output loss
    * N when multi), (metric sum, weight sum) per in-graph metric, in output order]."""
    g = Graph("train_step" if training else "test_step")
    x = g.placeholder((None, spec.in_width), _in_dtype(spec), "x")
    y = g.placeholder((None, spec.target_width), "float32", "y")
    sw = g.placeholder((None,), "float32", "sample_weight")
    with tracing(g):
        preds = _flat_preds(forward(model, _model_inputs(spec, x), training))
        n = ops.cast(apply("shape_dim", [x], axis=0), "float32")
        total, per_output = 0.0, []
        for o, pred in zip(spec.outputs, preds):
            yo = y[:, o.offset : o.offset + o.target_width] if spec.multi else y
            if o.loss is None:  # keeps the scalar slots in output order; not logged
                per_output.append(ops.multiply(n, 0.0))
                continue
            value = loss_value(o, yo, pred, sw)
            per_output.append(value)  # Keras logs each output's loss unweighted
            total = total + value * o.loss_weight
        for extra in getattr(g, "added_losses", ()):
            total = total + ops.sum(extra)
        total = total + regularization(model)
        if isinstance(total, float):  # no output loss, no add_loss, no regularizer
            raise NoLossError("No loss to compute. Provide a `loss` argument in `compile()`.")
        outs = [_packed(preds), total * n, n]
        if spec.multi:
            outs += [v * n for v in per_output]
        for o, pred in zip(spec.outputs, preds):
            yo = y[:, o.offset : o.offset + o.target_width] if spec.multi else y
            for kind, weighted, k, threshold in o.metrics:
                outs += metric_sums(kind, yo, pred, sw if weighted else None, o, k, threshold)
            if o.stateful_metrics:
                y_true = ops.reshape(yo, (-1,) + _label_shape(o))
                for metric, weighted in o.stateful_metrics:
                    metric.update_state(y_true, pred, sample_weight=sw if weighted else None)
        effects = list(getattr(g, "updates", ()))
        grads = []
        if training and spec.update is not None:
            params = [g.variable(v) for v in spec.update.variables]
            grads = autodiff.gradients(total, params)
            grads = [ops.zeros_like(p) if gr is None else gr for p, gr in zip(params, grads)]
            if with_update:  # a node even with no gradient (a model with no weights)
                (done,) = g.add("apply_gradients", grads, {"plan": spec.update}, [((), "float32")])
                effects.append(done)
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
    if (
        kind in FUSED_LOSSES
        and getattr(loss, "_ks_builtin", type(loss).__module__.startswith("kerasette.losses"))
        and getattr(loss, "reduction", "sum_over_batch_size") in (None, "sum_over_batch_size")
    ):
        from_logits = bool(getattr(loss, "from_logits", False))
        z = pred
        # Keras on TensorFlow takes the cross-entropy of a softmax (sigmoid) output from
        # its logits, unclipped; so do we, which also fuses the pair into one kernel.
        if (
            not from_logits
            and kind in ("categorical_crossentropy", "sparse_categorical_crossentropy")
            and pred.node.op == "softmax"
            and pred.node.attrs.get("axis", -1) in (-1, len(pred.shape) - 1)
        ):
            z, from_logits = pred.node.inputs[0], True
        elif not from_logits and kind == "binary_crossentropy" and pred.node.op == "sigmoid":
            z, from_logits = pred.node.inputs[0], True
        sparse = kind == "sparse_categorical_crossentropy"
        rows = apply(
            "loss_rows",
            [ops.reshape(z, (-1, K)), ops.reshape(y, (-1, 1 if sparse else K))],
            kind=kind,
            from_logits=from_logits,
            label_smoothing=float(getattr(loss, "label_smoothing", 0.0) or 0.0),
            delta=float(getattr(loss, "delta", 1.0)),
        )
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
    given = getattr(spec, "label_shape", None)  # a user's loss: the labels' own shape
    if given is not None:
        return tuple(given)
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


# The built-in metrics whose sums the step itself accumulates (metric_sums above).
GRAPH_METRICS = {
    "binary_accuracy",
    "categorical_accuracy",
    "sparse_categorical_accuracy",
    "mean_squared_error",
    "mean_absolute_error",
}
