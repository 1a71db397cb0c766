"""Weighted confusion counts per threshold, in ops (Keras's metrics_utils).

A prediction is positive when it is strictly above the threshold; a label is positive
when it is non-zero. Evenly spaced thresholds take Keras's bucket path (predictions
clipped to [0, 1], bucket = ceil(p * (n - 1)) - 1; with thresholds padded by epsilon the
bucket is floored at 0), others compare each prediction with each threshold. Both are
written as a (thresholds x predictions) comparison matrix times the weights.
"""

import numpy as np

from .. import ops
from ..losses.loss import as_tensor
from ..losses.reduction import squeeze_or_expand_to_same_rank
from .functions import filter_top_k

NEG_INF = -1e10
TP, FP, TN, FN = "tp", "fp", "tn", "fn"


def parse_thresholds(thresholds, default):
    if thresholds is not None:
        values = thresholds if isinstance(thresholds, (list, tuple)) else [thresholds]
        bad = [t for t in values if t is None or t < 0 or t > 1]
        if bad:
            raise ValueError(f"Threshold values must be in [0, 1]. Received: {bad}")
    t = default if thresholds is None else thresholds
    return list(t) if isinstance(t, (list, tuple)) else [t]


def is_evenly_distributed(thresholds):
    n = len(thresholds)
    if n < 3:
        return False
    even = np.arange(n, dtype=np.float32) / (n - 1)
    return bool(np.allclose(thresholds, even, atol=1e-7))


def _counts(above, true_w, false_w, wanted, axis):
    """tp/fp/fn/tn from the (thresholds, ...) 0/1 matrix `above` and per-prediction weights."""
    out = {}
    if TP in wanted:
        out[TP] = ops.sum(ops.multiply(above, true_w), axis=axis)
    if FP in wanted:
        out[FP] = ops.sum(ops.multiply(above, false_w), axis=axis)
    below = ops.subtract(1.0, above)
    if FN in wanted:
        out[FN] = ops.sum(ops.multiply(below, true_w), axis=axis)
    if TN in wanted:
        out[TN] = ops.sum(ops.multiply(below, false_w), axis=axis)
    return out


def update_confusion_matrix_variables(
    variables,
    y_true,
    y_pred,
    thresholds,
    top_k=None,
    class_id=None,
    sample_weight=None,
    multi_label=False,
    label_weights=None,
    thresholds_distributed_evenly=False,
):
    """Adds this batch's counts to `variables` ({"tp"|"fp"|"tn"|"fn": Variable})."""
    y_true = as_tensor(y_true, "float32", "y_true")
    y_pred = as_tensor(y_pred, "float32", "y_pred")
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if tuple(y_true.shape) != tuple(y_pred.shape) and None not in y_true.shape + y_pred.shape:
        raise ValueError(
            f"y_true and y_pred must have the same shape; got "
            f"{tuple(y_true.shape)} and {tuple(y_pred.shape)}"
        )
    if sample_weight is not None:
        sample_weight = ops.expand_dims(as_tensor(sample_weight, "float32", "sample_weight"), -1)
        _, sample_weight = squeeze_or_expand_to_same_rank(
            y_true, sample_weight, expand_rank_1=False
        )
    if top_k is not None:
        y_pred = filter_top_k(y_pred, top_k)
    if class_id is not None:
        if len(y_pred.shape) == 1:
            raise ValueError(
                "When class_id is provided, y_pred must be a 2D array with shape "
                f"(num_samples, num_classes), found shape: {y_pred.shape}"
            )
        y_true = y_true[..., class_id : class_id + 1]
        y_pred = y_pred[..., class_id : class_id + 1]
        if sample_weight is not None and sample_weight.shape[-1] not in (1, None):
            sample_weight = sample_weight[..., class_id : class_id + 1]

    ones = ops.ones_like(y_pred)
    weights = ones if sample_weight is None else ops.multiply(sample_weight, ones)
    if label_weights is not None:
        weights = ops.multiply(weights, np.asarray(label_weights, np.float32))
    label = ops.cast(ops.not_equal(y_true, 0.0), "float32")
    if not multi_label:
        label, y_pred, weights = (ops.reshape(t, (-1,)) for t in (label, y_pred, weights))
    n = len(thresholds)
    # thresholds along a new first axis, against every prediction
    index_shape = (n,) + (1,) * len(y_pred.shape)
    if thresholds_distributed_evenly:
        p = ops.clip(y_pred, 0.0, 1.0)
        bucket = ops.subtract(ops.ceil(ops.multiply(p, float(n - 1))), 1.0)
        if thresholds[0] < 0.0 or thresholds[-1] > 1.0:
            bucket = ops.maximum(bucket, 0.0)
        steps = np.arange(n, dtype=np.float32).reshape(index_shape)
        above = ops.cast(ops.greater_equal(ops.expand_dims(bucket, 0), steps), "float32")
    else:
        t = np.asarray(thresholds, dtype=np.float32).reshape(index_shape)
        above = ops.cast(ops.greater(ops.expand_dims(y_pred, 0), t), "float32")
    true_w = ops.expand_dims(ops.multiply(label, weights), 0)
    false_w = ops.expand_dims(ops.multiply(ops.subtract(1.0, label), weights), 0)
    counts = _counts(above, true_w, false_w, set(variables), axis=1)
    for key, var in variables.items():
        var.assign(ops.add(var, ops.reshape(counts[key], var.shape)))
