"""Reading and writing an optimizer's learning rate, whatever holds it."""

import numpy as np

__all__ = ["get_learning_rate", "set_learning_rate", "optimizer_of"]


def optimizer_of(model, who):
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None:
        raise ValueError(
            f"{who} needs a compiled model with an optimizer; "
            "call model.compile(optimizer=...) first"
        )
    if not hasattr(optimizer, "learning_rate"):
        raise ValueError('Optimizer must have a "learning_rate" attribute.')
    return optimizer


def get_learning_rate(optimizer):
    """The current rate as a Python float (a float, a Variable or a 0-d array)."""
    return float(np.asarray(optimizer.learning_rate))


def set_learning_rate(optimizer, value):
    # The optimizer's `learning_rate` setter is the single place that updates the
    # value the C++ update reads.
    optimizer.learning_rate = value
