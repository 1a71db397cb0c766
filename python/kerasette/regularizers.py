"""Weight regularizers l1, l2, l1_l2 (Keras's classes, names and configs).

`__call__` is written in kerasette.ops (Keras's formulas): on a Variable or array it
returns the penalty as a Tensor; inside a traced function (a layer's weights, a layer's
output for activity regularization) it adds graph nodes, so a training graph can add the
penalty to its loss. The version-1 trainer reads `l1`/`l2` instead (lowering.py).
"""

import numpy as np

from .utils.object_config import make_getter


def _float_arg(value, name):
    if value is None or isinstance(value, bool):
        raise ValueError(f"Expected a float for argument `{name}`, received: {value!r}")
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"Expected a float for argument `{name}`, received: {value!r}") from None
    if not np.isfinite(value) or value < 0:
        raise ValueError(
            f"Invalid value for argument {name}: expected a non-negative "
            f"float. Received: {name}={value}"
        )
    return value


class Regularizer:
    """The base class of weight regularizers: `regularizer(w)` is a penalty added to
    the loss. The built-in ones add `l1 * sum(|w|) + l2 * sum(w**2)`.
    """

    l1 = 0.0
    l2 = 0.0

    def __call__(self, x):
        from . import ops

        # Keras adds only the terms whose factor is non-zero, starting from 0.0.
        penalty = None
        if self.l1:
            penalty = ops.multiply(float(self.l1), ops.sum(ops.abs(x)))
        if self.l2:
            term = ops.multiply(float(self.l2), ops.sum(ops.square(x)))
            penalty = term if penalty is None else ops.add(penalty, term)
        if penalty is None:
            penalty = ops.zeros_like(ops.sum(x))
        return penalty

    @classmethod
    def from_config(cls, config):
        """Creates a regularizer from its config.

        Args:
            config: A dict as `get_config` returns.

        Returns:
            A new regularizer.
        """
        return cls(**config)


class L1L2(Regularizer):
    """Adds `l1 * sum(abs(w)) + l2 * sum(square(w))` to the loss.

    Args:
        l1: The L1 factor. Defaults to `0.0`.
        l2: The L2 factor. Defaults to `0.0`.
    """

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _float_arg(0.0 if l1 is None else l1, "l1")
        self.l2 = _float_arg(0.0 if l2 is None else l2, "l2")

    def get_config(self):
        """The regularizer's factors, as a config dict."""
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """Adds `l1 * sum(abs(w))` to the loss.

    Args:
        l1: The L1 factor. Defaults to `0.01`.
    """

    def __init__(self, l1=0.01):
        self.l1 = _float_arg(0.01 if l1 is None else l1, "l1")

    def get_config(self):
        """The regularizer's factors, as a config dict."""
        # Keras stores l1 as a float32 tensor, so its config holds the float32 value.
        return {"l1": float(np.float32(self.l1))}


class L2(Regularizer):
    """Adds `l2 * sum(square(w))` to the loss.

    Args:
        l2: The L2 factor. Defaults to `0.01`.
    """

    def __init__(self, l2=0.01):
        self.l2 = _float_arg(0.01 if l2 is None else l2, "l2")

    def get_config(self):
        """The regularizer's factors, as a config dict."""
        return {"l2": self.l2}


l1, l2, l1_l2 = L1, L2, L1L2
ALL = [L1, L2, L1L2]
ALIASES = {"l1": L1, "l2": L2, "l1_l2": L1L2, "l1l2": L1L2}
get, deserialize, serialize = make_getter("regularizer", ALL, ALIASES, "keras.regularizers")
