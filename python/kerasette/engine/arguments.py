"""Checks on the settings of fit / evaluate / predict / *_on_batch (issue 13, items 4-7, 9).

Each bad setting is a ValueError raised before any data is read or any step runs: a
zero or negative step count or batch size, a float or string where a count belongs, a
NaN/inf class weight. Keras accepts some of these and then trains nothing or reports a
fake 0.0 loss; kerasette refuses them instead.
"""

import math
import numbers

import numpy as np


def _is_int(v):
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def positive_int(v, what, allow_none=True):
    """v as an int >= 1 (None passes through when allowed)."""
    if v is None and allow_none:
        return None
    if not _is_int(v) or v < 1:
        raise ValueError(
            f"`{what}` must be a positive integer"
            f"{' or None' if allow_none else ''}; received: {what}={v!r}"
        )
    return int(v)


def validation_freq(v):
    """Keras's forms: an int (every n-th epoch) or a list of 1-based epochs."""
    if isinstance(v, (list, tuple)):
        for e in v:
            positive_int(e, "validation_freq", allow_none=False)
        return list(v)
    return positive_int(v, "validation_freq", allow_none=False)


def should_validate(epoch, freq):
    """Keras's `_should_eval` on a 0-based epoch."""
    if isinstance(freq, (list, tuple)):
        return epoch + 1 in freq
    return (epoch + 1) % int(freq) == 0


def finite_number(v, what):
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (numbers.Real, np.number)):
        raise ValueError(f"`{what}` must be a number; received: {what}={v!r}")
    if not math.isfinite(float(v)):
        raise ValueError(f"`{what}` must be finite; received: {what}={v!r}")
    return float(v)


def class_weight(cw):
    """A dict class -> finite weight (a NaN/inf weight would turn the loss into NaN)."""
    if cw is None:
        return None
    if not isinstance(cw, dict):
        raise ValueError(
            "`class_weight` must be a dict mapping class indices to weights; "
            f"received: {type(cw).__name__}"
        )
    for k, w in cw.items():
        finite_number(w, f"class_weight[{k!r}]")
    return cw


def validation_split(v):
    f = finite_number(v, "validation_split")
    if not 0.0 <= f < 1.0:
        raise ValueError(f"`validation_split` must be in [0, 1); received: {v!r}")
    return f


def split_at(n, split):
    """Keras's train_validation_split: the first floor(n * (1 - split)) rows train."""
    at = int(math.floor(n * (1.0 - split)))
    if at == 0 or at == n:
        raise ValueError(
            f"Training data contains {n} samples, which is not sufficient to "
            "split it into a validation and training set as specified by "
            f"`validation_split={split}`. Either provide more data, or a "
            "different value for the `validation_split` argument."
        )
    return at


def check_fit(
    batch_size,
    epochs,
    validation_split_,
    class_weight_,
    initial_epoch,
    steps_per_epoch,
    validation_steps,
    validation_batch_size,
    validation_freq_,
):
    positive_int(batch_size, "batch_size")
    if not _is_int(epochs) or epochs < 0:
        raise ValueError(f"`epochs` must be an integer >= 0; received: epochs={epochs!r}")
    if not _is_int(initial_epoch) or initial_epoch < 0:
        raise ValueError(
            f"`initial_epoch` must be an integer >= 0; received: initial_epoch={initial_epoch!r}"
        )
    validation_split(validation_split_)
    class_weight(class_weight_)
    positive_int(steps_per_epoch, "steps_per_epoch")
    positive_int(validation_steps, "validation_steps")
    positive_int(validation_batch_size, "validation_batch_size")
    validation_freq(validation_freq_)


def check_evaluate(batch_size, steps):
    positive_int(batch_size, "batch_size")
    positive_int(steps, "steps")


def check_predict(batch_size, steps):
    if batch_size is not None:
        positive_int(batch_size, "batch_size")
    if steps is not None:
        positive_int(steps, "steps")
