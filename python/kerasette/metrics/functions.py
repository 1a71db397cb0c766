"""Keras 3's per-sample metric functions in `kerasette.ops` (the accuracies; the loss
functions Keras also exports as metrics come from losses.functions)."""

import numpy as np

from .. import ops
from ..losses.functions import (  # noqa: F401
    binary_crossentropy,
    categorical_crossentropy,
    categorical_hinge,
    hinge,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    poisson,
    sparse_categorical_crossentropy,
    squared_hinge,
)
from ..losses.reduction import squeeze_or_expand_to_same_rank


def _check_same_shape(a, b, what):
    sa, sb = tuple(a.shape), tuple(b.shape)
    if len(sa) != len(sb) or any(
        x is not None and y is not None and x != y for x, y in zip(sa, sb)
    ):
        raise ValueError(f"{what}: y_true and y_pred must have the same shape; got {sa} and {sb}")


def accuracy(y_true, y_pred):
    """Whether each prediction equals its label (1.0 or 0.0 per value).

    Args:
        y_true: The labels.
        y_pred: The predictions.

    Returns:
        A tensor of 1.0 (correct) and 0.0 values, one per sample.
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return ops.cast(ops.equal(y_true, y_pred), "float32")


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """Whether each prediction, thresholded, equals its binary label, averaged over the
    last axis.

    Args:
        y_true: The labels.
        y_pred: The predictions.
        threshold: The value above which a prediction counts as 1. Defaults to `0.5`.

    Returns:
        A tensor of 1.0 (correct) and 0.0 values, one per sample.
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    y_pred = ops.cast(ops.greater(y_pred, threshold), y_true.dtype)
    return ops.cast(ops.equal(y_true, y_pred), "float32")


def categorical_accuracy(y_true, y_pred):
    """Whether the argmax of each prediction equals that of its one-hot label.

    Args:
        y_true: The labels.
        y_pred: The predictions.

    Returns:
        A tensor of 1.0 (correct) and 0.0 values, one per sample.
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true)
    # Keras compares the argmaxes whatever the shapes; a one-hot y_true of another width
    # is a mistake kerasette reports.
    if (
        y_true.shape[-1] is not None
        and y_pred.shape[-1] is not None
        and len(y_true.shape) == len(y_pred.shape)
        and y_true.shape[-1] != y_pred.shape[-1]
    ):
        raise ValueError(
            f"categorical accuracy needs one-hot y_true of y_pred's shape "
            f"{tuple(y_pred.shape)}; got {tuple(y_true.shape)}"
        )
    true_ids = ops.argmax(y_true, axis=-1)
    if len(true_ids.shape) == len(y_pred.shape):
        true_ids = ops.squeeze(true_ids, -1)
    pred_ids = ops.argmax(y_pred, axis=-1)
    return ops.cast(ops.equal(true_ids, pred_ids), "float32")


def _sparse_labels(y_true, y_pred):
    """Labels (N, ...) for y_pred (N, ..., K): a trailing 1 is dropped."""
    if len(y_true.shape) == len(y_pred.shape) and y_true.shape[-1] == 1:
        y_true = ops.squeeze(y_true, -1)
    ts, ps = tuple(y_true.shape), tuple(y_pred.shape[:-1])
    if len(ts) != len(ps) or any(
        a is not None and b is not None and a != b for a, b in zip(ts, ps)
    ):
        raise ValueError(
            f"sparse labels must have shape {ps} for y_pred {tuple(y_pred.shape)}; got {ts}"
        )
    return y_true


def sparse_categorical_accuracy(y_true, y_pred):
    """Whether the argmax of each prediction equals its integer label.

    Args:
        y_true: The labels.
        y_pred: The predictions.

    Returns:
        A tensor of 1.0 (correct) and 0.0 values, one per sample.
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    y_true = _sparse_labels(y_true, y_pred)
    pred_ids = ops.cast(ops.argmax(y_pred, axis=-1), y_pred.dtype)
    return ops.cast(ops.equal(y_true, pred_ids), "float32")


def in_top_k(targets, predictions, k):
    """TensorFlow's in_top_k: the target's score is beaten by fewer than k others (ties
    count as in); False for a target out of range or a row with a non-finite score."""
    num_classes = predictions.shape[-1]
    targets = ops.cast(targets, "int32")
    in_range = ops.logical_and(ops.greater_equal(targets, 0), ops.less(targets, num_classes))
    safe = ops.where(in_range, targets, 0)
    target_score = ops.take_along_axis(predictions, ops.expand_dims(safe, -1), axis=-1)
    better = ops.sum(ops.cast(ops.greater(predictions, target_score), "int32"), axis=-1)
    finite = ops.all(ops.isfinite(predictions), axis=-1)
    return ops.logical_and(ops.logical_and(ops.less(better, k), finite), in_range)


def _flat_rows(y_pred):
    return ops.reshape(y_pred, (-1, y_pred.shape[-1])) if len(y_pred.shape) > 2 else y_pred


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """Whether each one-hot label's class is among the `k` highest predictions.

    Args:
        y_true: The labels.
        y_pred: The predictions.
        k: How many of the highest predictions count. Defaults to `5`.

    Returns:
        A tensor of 1.0 (correct) and 0.0 values, one per sample.
    """
    y_pred = ops.convert_to_tensor(y_pred)
    true_ids = ops.argmax(ops.convert_to_tensor(y_true), axis=-1)
    shape = true_ids.shape
    if len(shape) > 1:
        true_ids = ops.reshape(true_ids, (-1,))
    matches = ops.cast(in_top_k(true_ids, _flat_rows(y_pred), k), "float32")
    return ops.reshape(matches, _static(shape)) if len(shape) > 1 else matches


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """Whether each integer label is among the `k` highest predictions.

    Args:
        y_true: The labels.
        y_pred: The predictions.
        k: How many of the highest predictions count. Defaults to `5`.
        from_sorted_ids: Whether `y_pred` already holds the class ids sorted by score
        (rather than scores). Defaults to `False`.

    Returns:
        A tensor of 1.0 (correct) and 0.0 values, one per sample.
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true)
    y_true = ops.cast(y_true, y_pred.dtype if from_sorted_ids else "int32")
    shape = y_true.shape
    if len(shape) > 1:
        y_true = ops.reshape(y_true, (-1,))
    y_pred = _flat_rows(y_pred)
    if from_sorted_ids:  # y_pred holds class ids, best first
        hits = ops.equal(ops.expand_dims(y_true, 1), y_pred[:, :k])
        matches = ops.any(hits, axis=1)
    else:
        matches = in_top_k(y_true, y_pred, k)
    matches = ops.cast(matches, "float32")
    return ops.reshape(matches, _static(shape)) if len(shape) > 1 else matches


def _static(shape):
    return tuple(-1 if d is None else int(d) for d in shape)


def filter_top_k(x, k):
    """x where it is among the k largest of its row (ties: the lower index first, as
    TF's top_k), -1e10 elsewhere (Keras's metrics_utils._filter_top_k)."""
    n = x.shape[-1]
    xi, xj = ops.expand_dims(x, -1), ops.expand_dims(x, -2)  # [..., i, j]
    earlier = np.triu(np.ones((n, n), dtype=bool), 1)  # i < j
    ahead = ops.logical_or(ops.greater(xi, xj), ops.logical_and(ops.equal(xi, xj), earlier))
    rank = ops.sum(ops.cast(ahead, "int32"), axis=-2)
    keep = ops.cast(ops.less(rank, k), x.dtype)
    return ops.add(ops.multiply(x, keep), ops.multiply(ops.subtract(1.0, keep), -1e10))
