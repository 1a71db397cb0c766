"""Keras 3's per-sample loss functions, written in `kerasette.ops` (eager or traced).

Each returns one value per sample (the last axis reduced), as `keras.losses.<name>` does.
The probability cross-entropies are those of Keras's TensorFlow backend: predictions are
clipped to [1e-7, 1 - 1e-7] (categorical ones renormalised first). `ops.*_crossentropy`
also recovers the logits when, in a traced graph, the prediction comes straight from a
softmax/sigmoid node (Keras on TF does that too); on arrays there is no node to look
behind, so eager values on probabilities are the clipped formula.
"""

import numpy as np

from .. import ops
from ..graph.trace import is_symbolic
from .reduction import squeeze_or_expand_to_same_rank

EPSILON = 1e-7  # keras.backend.epsilon()


def _check_broadcastable(y_true, y_pred):
    ts, ps = tuple(y_true.shape), tuple(y_pred.shape)
    for a, b in zip(reversed(ts), reversed(ps)):
        if a is not None and b is not None and a != b and a != 1 and b != 1:
            raise ValueError(
                f"y_true and y_pred must have the same shape; got y_true {ts} and y_pred {ps}"
            )


def _pair(y_true, y_pred, squeeze=True):
    """y_pred as a tensor, y_true cast to its dtype, ranks matched as Keras matches them."""
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    if squeeze:
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    _check_broadcastable(y_true, y_pred)
    return y_true, y_pred


def mean_squared_error(y_true, y_pred):
    """The mean of the squared errors: `mean(square(y_true - y_pred), axis=-1)`, for
    each sample.

    Args:
        y_true: The targets.
        y_pred: The predictions.

    Returns:
        A tensor of loss values, one per sample (the last axis reduced).
    """
    y_true, y_pred = _pair(y_true, y_pred)
    return ops.mean(ops.square(ops.subtract(y_true, y_pred)), axis=-1)


def mean_absolute_error(y_true, y_pred):
    """The mean of the absolute errors: `mean(abs(y_true - y_pred), axis=-1)`, for each
    sample.

    Args:
        y_true: The targets.
        y_pred: The predictions.

    Returns:
        A tensor of loss values, one per sample (the last axis reduced).
    """
    y_true, y_pred = _pair(y_true, y_pred)
    return ops.mean(ops.abs(ops.subtract(y_true, y_pred)), axis=-1)


def mean_absolute_percentage_error(y_true, y_pred):
    """The mean absolute percentage error: `100 * mean(abs((y_true - y_pred) / y_true),
    axis=-1)` (the denominator kept away from 0), for each sample.

    Args:
        y_true: The targets.
        y_pred: The predictions.

    Returns:
        A tensor of loss values, one per sample (the last axis reduced).
    """
    y_true, y_pred = _pair(y_true, y_pred)
    diff = ops.abs(ops.divide(ops.subtract(y_true, y_pred), ops.maximum(ops.abs(y_true), EPSILON)))
    return ops.multiply(ops.mean(diff, axis=-1), 100.0)


def mean_squared_logarithmic_error(y_true, y_pred):
    """The mean squared logarithmic error: `mean(square(log(y_true + 1) - log(y_pred +
    1)), axis=-1)` (negative values clipped to 0), for each sample.

    Args:
        y_true: The targets.
        y_pred: The predictions.

    Returns:
        A tensor of loss values, one per sample (the last axis reduced).
    """
    y_true, y_pred = _pair(y_true, y_pred)
    first = ops.log(ops.add(ops.maximum(y_pred, EPSILON), 1.0))
    second = ops.log(ops.add(ops.maximum(y_true, EPSILON), 1.0))
    return ops.mean(ops.square(ops.subtract(first, second)), axis=-1)


def huber(y_true, y_pred, delta=1.0):
    """The Huber loss: quadratic for errors below `delta`, linear above (`0.5 * x**2` or
    `delta * (|x| - 0.5 * delta)`), averaged over the last axis, for each sample.

    Args:
        y_true: The targets.
        y_pred: The predictions.
        delta: The point where the loss turns from quadratic to linear. Defaults to
            `1.0`.

    Returns:
        A tensor of loss values, one per sample (the last axis reduced).
    """
    y_true, y_pred = _pair(y_true, y_pred)
    delta = float(delta)
    error = ops.subtract(y_pred, y_true)
    abs_error = ops.abs(error)
    quadratic = ops.multiply(ops.square(error), 0.5)
    linear = ops.subtract(ops.multiply(abs_error, delta), 0.5 * delta * delta)
    return ops.mean(ops.where(ops.less_equal(abs_error, delta), quadratic, linear), axis=-1)


def log_cosh(y_true, y_pred):
    """The logarithm of the hyperbolic cosine of the error, averaged over the last axis:
    about `x**2 / 2` for small errors, `|x| - log(2)` for large ones, for each
    sample.

    Args:
        y_true: The targets.
        y_pred: The predictions.

    Returns:
        A tensor of loss values, one per sample (the last axis reduced).
    """
    y_true, y_pred = _pair(y_true, y_pred)
    x = ops.subtract(y_pred, y_true)
    # log(cosh(x)) = x + softplus(-2x) - log(2), stable for large |x|
    value = ops.subtract(ops.add(x, ops.softplus(ops.multiply(x, -2.0))), float(np.log(2.0)))
    return ops.mean(value, axis=-1)


def _hinge_labels(y_true):
    """Keras turns 0/1 labels into -1/1 when every label is 0 or 1 (a run-time test)."""
    is_binary = ops.all(ops.logical_or(ops.equal(y_true, 0.0), ops.equal(y_true, 1.0)))
    return ops.where(is_binary, ops.subtract(ops.multiply(y_true, 2.0), 1.0), y_true)


def hinge(y_true, y_pred):
    """The hinge loss: `mean(maximum(1 - y_true * y_pred, 0), axis=-1)`, labels in {-1,
    1} (0/1 labels are converted), for each sample.

    Args:
        y_true: The targets.
        y_pred: The predictions.

    Returns:
        A tensor of loss values, one per sample (the last axis reduced).
    """
    y_true, y_pred = _pair(y_true, y_pred, squeeze=False)
    y_true = _hinge_labels(y_true)
    return ops.mean(ops.maximum(ops.subtract(1.0, ops.multiply(y_true, y_pred)), 0.0), axis=-1)


def squared_hinge(y_true, y_pred):
    """The squared hinge loss: `mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1)`,
    labels in {-1, 1} (0/1 labels are converted), for each sample.

    Args:
        y_true: The targets.
        y_pred: The predictions.

    Returns:
        A tensor of loss values, one per sample (the last axis reduced).
    """
    y_true, y_pred = _pair(y_true, y_pred, squeeze=False)
    y_true = _hinge_labels(y_true)
    margin = ops.maximum(ops.subtract(1.0, ops.multiply(y_true, y_pred)), 0.0)
    return ops.mean(ops.square(margin), axis=-1)


def categorical_hinge(y_true, y_pred):
    """The categorical hinge loss: `maximum(0, 1 + max((1 - y_true) * y_pred) -
    sum(y_true * y_pred))`, one-hot labels, for each sample.

    Args:
        y_true: The targets.
        y_pred: The predictions.

    Returns:
        A tensor of loss values, one per sample (the last axis reduced).
    """
    y_true, y_pred = _pair(y_true, y_pred, squeeze=False)
    pos = ops.sum(ops.multiply(y_true, y_pred), axis=-1)
    neg = ops.max(ops.multiply(ops.subtract(1.0, y_true), y_pred), axis=-1)
    return ops.maximum(ops.add(ops.subtract(neg, pos), 1.0), 0.0)


def kl_divergence(y_true, y_pred):
    """The Kullback-Leibler divergence: `sum(y_true * log(y_true / y_pred), axis=-1)`
    (both clipped to `[1e-7, 1]`), for each sample.

    Args:
        y_true: The targets.
        y_pred: The predictions.

    Returns:
        A tensor of loss values, one per sample (the last axis reduced).
    """
    y_true, y_pred = _pair(y_true, y_pred, squeeze=False)
    y_true = ops.clip(y_true, EPSILON, 1.0)
    y_pred = ops.clip(y_pred, EPSILON, 1.0)
    return ops.sum(ops.multiply(y_true, ops.log(ops.divide(y_true, y_pred))), axis=-1)


def poisson(y_true, y_pred):
    """The Poisson loss: `mean(y_pred - y_true * log(y_pred + 1e-7), axis=-1)`, for each
    sample.

    Args:
        y_true: The targets.
        y_pred: The predictions.

    Returns:
        A tensor of loss values, one per sample (the last axis reduced).
    """
    y_true, y_pred = _pair(y_true, y_pred, squeeze=False)
    return ops.mean(
        ops.subtract(y_pred, ops.multiply(y_true, ops.log(ops.add(y_pred, EPSILON)))), axis=-1
    )


def _check_axis(axis):
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise ValueError(
            f"`axis` must be of type `int`. Received: axis={axis} of type {type(axis)}"
        )


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """The binary cross-entropy between labels in [0, 1] and predicted probabilities (or
    logits, with `from_logits=True`), averaged over the last axis, for each sample.

    Args:
        y_true: The targets.
        y_pred: The predictions.
        from_logits: Whether `y_pred` holds logits (unnormalized scores) rather than
            probabilities. Defaults to `False`.
        label_smoothing: In `[0, 1]`: the targets are moved toward a uniform
            distribution by this fraction. Defaults to `0.0`.
        axis: The axis the values are computed along. Defaults to `-1`.

    Returns:
        A tensor of loss values, one per sample (the last axis reduced).
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    _check_broadcastable(y_true, y_pred)
    if label_smoothing:
        y_true = ops.add(ops.multiply(y_true, 1.0 - label_smoothing), 0.5 * label_smoothing)
    return ops.mean(ops.binary_crossentropy(y_true, y_pred, from_logits=from_logits), axis=axis)


def _num_classes(y_true, dtype):
    k = y_true.shape[-1]
    if k is None:
        raise ValueError(
            "categorical_crossentropy with label_smoothing needs a known number "
            f"of classes (the last axis); got y_true of shape {y_true.shape}"
        )
    return float(k)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """The cross-entropy between one-hot (or soft) labels and predicted class
    probabilities (or logits), for each sample.

    Args:
        y_true: The targets.
        y_pred: The predictions.
        from_logits: Whether `y_pred` holds logits (unnormalized scores) rather than
            probabilities. Defaults to `False`.
        label_smoothing: In `[0, 1]`: the targets are moved toward a uniform
            distribution by this fraction. Defaults to `0.0`.
        axis: The axis the values are computed along. Defaults to `-1`.

    Returns:
        A tensor of loss values, one per sample (the last axis reduced).
    """
    _check_axis(axis)
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    _check_broadcastable(y_true, y_pred)
    if label_smoothing:
        smooth = ops.divide(label_smoothing, _num_classes(y_true, y_pred.dtype))
        y_true = ops.add(ops.multiply(y_true, 1.0 - label_smoothing), smooth)
    return ops.categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)


def _attach_mask(values, mask):
    """Marks per-sample values with the mask `Loss.__call__` folds into the weights (Keras
    attaches it with backend.set_keras_mask)."""
    if is_symbolic(values):
        values._keras_mask = mask
        return values
    masked = _MaskedTensor(np.asarray(values))
    masked._keras_mask = mask
    return masked


def _masked_tensor_class():
    from ..tensor import Tensor

    class MaskedTensor(Tensor):
        """A Tensor that carries its mask (Tensor itself has no room for one)."""

        __slots__ = ("_keras_mask",)

    return MaskedTensor


_MaskedTensor = _masked_tensor_class()


def _check_sparse_labels(y_true, y_pred, ignore_class):
    """On concrete labels: integers in [0, num_classes), a clear error before the kernel's."""
    if is_symbolic(y_true) or y_pred.shape[-1] is None:
        return
    labels = np.asarray(y_true)
    if ignore_class is not None:
        labels = labels[labels != ignore_class]
    k = y_pred.shape[-1]
    if labels.size and (
        np.any(labels != np.floor(labels)) or labels.min() < 0 or labels.max() >= k
    ):
        raise ValueError(
            f"sparse_categorical_crossentropy: labels must be integers in "
            f"[0, {k}); got values in [{labels.min()}, {labels.max()}]"
        )


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    """The cross-entropy between integer class ids and predicted class probabilities (or
    logits), for each sample.

    Args:
        y_true: The targets.
        y_pred: The predictions.
        from_logits: Whether `y_pred` holds logits (unnormalized scores) rather than
            probabilities. Defaults to `False`.
        ignore_class: A class id whose samples count for nothing (padding), or
            `None`. Defaults to `None`.
        axis: The axis the values are computed along. Defaults to `-1`.

    Returns:
        A tensor of loss values, one per sample (the last axis reduced).
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true)
    if len(y_true.shape) == len(y_pred.shape) and y_true.shape[axis] == 1:
        y_true = ops.squeeze(y_true, axis=axis)
    if (
        len(y_pred.shape) < 1
        or len(y_true.shape) != len(y_pred.shape) - 1
        or any(
            a is not None and b is not None and a != b
            for a, b in zip(y_true.shape, y_pred.shape[:-1])
        )
    ):
        raise ValueError(
            f"sparse_categorical_crossentropy: labels must have shape "
            f"{tuple(y_pred.shape[:-1])} (or with a trailing 1) for y_pred "
            f"{tuple(y_pred.shape)}; got {tuple(y_true.shape)}"
        )
    _check_sparse_labels(y_true, y_pred, ignore_class)
    valid = None
    if ignore_class is not None:
        valid = ops.not_equal(y_true, ops.cast(ignore_class, y_true.dtype))
        y_true = ops.where(valid, y_true, ops.zeros_like(y_true))
        y_pred = ops.where(ops.expand_dims(valid, axis), y_pred, 0.0)
    res = ops.sparse_categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)
    if valid is not None:
        res = _attach_mask(ops.where(valid, res, 0.0), valid)
    return res
