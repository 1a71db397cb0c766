"""Keras 3's loss reduction, in ops: sample weights and masks, then "sum",
"sum_over_batch_size"/"mean" (divide by the number of values), "mean_with_sample_weight"
(divide by the sum of the weights) or "none". Metrics share `squeeze_or_expand_to_same_rank`
and `apply_mask`.

Everything here works on arrays (eager) and on symbolic tensors (graph nodes); shapes may
hold None (the batch), so such counts are computed at run time.
"""

import numpy as np

from .. import ops

REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


def standardize_reduction(reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(
            f"Invalid value for argument `reduction`. Expected one of "
            f"{REDUCTIONS}. Received: reduction={reduction}"
        )
    return reduction


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Keras's rule: when the ranks differ by one and the longer ends in 1, drop that axis
    (or, with expand_rank_1, give a rank-1 partner a trailing 1 instead)."""
    r1, r2 = len(x1.shape), len(x2.shape)
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = ops.expand_dims(x2, -1)
        else:
            x1 = ops.squeeze(x1, -1)
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = ops.expand_dims(x1, -1)
        else:
            x2 = ops.squeeze(x2, -1)
    return x1, x2


def divide_no_nan(a, b):
    """a / b, and 0 where b is 0 (keras.ops.divide_no_nan)."""
    zero = ops.equal(b, 0)
    return ops.where(zero, 0.0, ops.divide(a, ops.where(zero, 1.0, b)))


def num_elements(x, dtype="float32"):
    """The number of elements of x: a Python number when the shape is static, else a
    scalar tensor (the sum of ones shaped like x: the batch is known only at run time)."""
    if all(d is not None for d in x.shape):
        return float(np.prod(x.shape, dtype=np.int64))
    return ops.sum(ops.ones_like(x, dtype=dtype))


def apply_mask(sample_weight, mask, dtype, reduction):
    """Folds a boolean mask into the sample weights. For the mean reductions the valid
    entries weigh total/valid, so that the mean runs over the valid entries only."""
    if mask is None:
        return sample_weight
    mask = ops.cast(mask, dtype)
    if reduction in ("mean", "sum_over_batch_size"):
        valid = ops.sum(mask)
        weight = divide_no_nan(ops.cast(num_elements(mask, dtype), dtype), valid)
        float_mask = ops.multiply(mask, weight)
    else:
        float_mask = mask
    if sample_weight is None:
        return float_mask
    sample_weight = ops.cast(sample_weight, dtype)
    float_mask, sample_weight = squeeze_or_expand_to_same_rank(float_mask, sample_weight)
    return ops.multiply(sample_weight, float_mask)


def reduce_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    if reduction in (None, "none") or tuple(values.shape) in ((), (0,)):
        return values
    loss = ops.sum(values)
    if reduction == "sum":
        return loss
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        divisor = ops.cast(ops.sum(sample_weight), loss.dtype)
    else:
        divisor = num_elements(values, loss.dtype)
    return divide_no_nan(loss, divisor)


def reduce_weighted_values(
    values, sample_weight=None, mask=None, reduction="sum_over_batch_size", dtype="float32"
):
    """Keras's `reduce_weighted_values`: weight (and mask) the per-sample values, reduce."""
    reduction = standardize_reduction(reduction)
    values = ops.cast(values, dtype)
    if sample_weight is not None:
        sample_weight = ops.cast(sample_weight, dtype)
    sample_weight = apply_mask(sample_weight, mask, dtype, reduction)
    if sample_weight is not None:
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        _check_broadcast(values, sample_weight)
        values = ops.multiply(values, sample_weight)
    return reduce_values(values, sample_weight, reduction)


def _check_broadcast(values, sample_weight):
    """A clear error before numpy's when the weights cannot multiply the values."""
    vs, ws = tuple(values.shape), tuple(sample_weight.shape)
    for a, b in zip(reversed(vs), reversed(ws)):
        if a is not None and b is not None and a != b and a != 1 and b != 1:
            raise ValueError(
                f"sample_weight of shape {ws} cannot be broadcast to the "
                f"per-sample losses of shape {vs}"
            )
