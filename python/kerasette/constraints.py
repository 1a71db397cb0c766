"""Weight constraints max_norm, non_neg, unit_norm, min_max_norm (Keras's formulas).

Applied to a variable after each optimizer update. `__call__` is written in
kerasette.ops, with Keras's epsilon 1e-7 in the norm divisions: on an array or Variable
it returns the projection as a Tensor, inside a traced function it adds graph nodes (a
training graph can apply it after the update). The version-1 trainer reads the
attributes instead (lowering.py).
"""

from .utils.object_config import make_getter

_EPS = 1e-7


def _finite(value, name):
    """A NaN/inf factor would write NaN into the weights after each update."""
    import math

    try:
        ok = math.isfinite(float(value))
    except (TypeError, ValueError):
        ok = False
    if not ok or isinstance(value, bool):
        raise ValueError(f"Argument `{name}` must be a finite number. Received: {name}={value!r}")
    return value


def _norms(w, axis):
    from . import ops

    return ops.sqrt(ops.sum(ops.square(w), axis=axis, keepdims=True))


class Constraint:
    """The base class of weight constraints: `constraint(w)` returns the projected
    weight, applied after each optimizer update (compiled, in the training step).
    """

    def __call__(self, w):
        return w

    def get_config(self):
        """The constraint's config: the constructor arguments that recreate it.

        Returns:
            A JSON-serializable dict.
        """
        return {}

    @classmethod
    def from_config(cls, config):
        """Creates a constraint from its config.

        Args:
            config: A dict as `get_config` returns.

        Returns:
            A new constraint.
        """
        return cls(**config)


class MaxNorm(Constraint):
    """Rescales the weights so that the norm along `axis` is at most `max_value`.

    Args:
        max_value: The largest norm. Defaults to `2`.
        axis: The axis (or axes) the norm is taken over; `0` for a `Dense`
            kernel constrains each unit's incoming weights. Defaults to `0`.
    """

    def __init__(self, max_value=2, axis=0):
        _finite(max_value, "max_value")
        self.max_value, self.axis = max_value, axis

    def __call__(self, w):
        from . import ops

        norms = _norms(w, self.axis)
        desired = ops.clip(norms, 0.0, float(self.max_value))
        return ops.multiply(w, ops.divide(desired, ops.add(norms, _EPS)))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    """Sets negative weights to zero."""

    def __call__(self, w):
        from . import ops

        return ops.multiply(w, ops.cast(ops.greater_equal(w, 0.0), "float32"))


class UnitNorm(Constraint):
    """Rescales the weights to unit norm along `axis`.

    Args:
        axis: The axis (or axes) the norm is taken over. Defaults to `0`.
    """

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        from . import ops

        return ops.divide(w, ops.add(_norms(w, self.axis), _EPS))

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    """Rescales the weights so that the norm along `axis` lies in
    `[min_value, max_value]`, moving it a fraction `rate` of the way there.

    Args:
        min_value: The smallest norm. Defaults to `0.0`.
        max_value: The largest norm. Defaults to `1.0`.
        rate: The fraction of the rescaling applied at each step (1: all at
            once). Defaults to `1.0`.
        axis: The axis (or axes) the norm is taken over. Defaults to `0`.
    """

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        for v, name in ((min_value, "min_value"), (max_value, "max_value"), (rate, "rate")):
            _finite(v, name)
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w):
        from . import ops

        norms = _norms(w, self.axis)
        desired = ops.add(
            ops.multiply(
                float(self.rate), ops.clip(norms, float(self.min_value), float(self.max_value))
            ),
            ops.multiply(1.0 - float(self.rate), norms),
        )
        return ops.multiply(w, ops.divide(desired, ops.add(norms, _EPS)))

    def get_config(self):
        return {
            "min_value": self.min_value,
            "max_value": self.max_value,
            "rate": self.rate,
            "axis": self.axis,
        }


max_norm, non_neg, unit_norm, min_max_norm = MaxNorm, NonNeg, UnitNorm, MinMaxNorm
ALL = [MaxNorm, NonNeg, UnitNorm, MinMaxNorm]
ALIASES = {
    "max_norm": MaxNorm,
    "non_neg": NonNeg,
    "unit_norm": UnitNorm,
    "min_max_norm": MinMaxNorm,
}
get, deserialize, serialize = make_getter("constraint", ALL, ALIASES, "keras.constraints")
