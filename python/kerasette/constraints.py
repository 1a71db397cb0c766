"""Weight constraints max_norm, non_neg, unit_norm, min_max_norm (Keras's formulas).

Applied to a variable after each optimizer update; `__call__` maps a numpy array to
its projection, with Keras's epsilon 1e-7 in the norm divisions.
"""
import numpy as np

from .utils.object_config import make_getter

_EPS = 1e-7


def _norms(w, axis):
    return np.sqrt(np.sum(np.square(w), axis=axis, keepdims=True))


class Constraint:
    def __call__(self, w):
        return np.asarray(w)

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class MaxNorm(Constraint):
    def __init__(self, max_value=2, axis=0):
        self.max_value, self.axis = max_value, axis

    def __call__(self, w):
        w = np.asarray(w, dtype="float32")
        norms = _norms(w, self.axis)
        return (w * (np.clip(norms, 0, self.max_value) / (_EPS + norms))).astype("float32")

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


class NonNeg(Constraint):
    def __call__(self, w):
        return np.maximum(np.asarray(w, dtype="float32"), 0)


class UnitNorm(Constraint):
    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        w = np.asarray(w, dtype="float32")
        return (w / (_EPS + _norms(w, self.axis))).astype("float32")

    def get_config(self):
        return {"axis": self.axis}


class MinMaxNorm(Constraint):
    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w):
        w = np.asarray(w, dtype="float32")
        norms = _norms(w, self.axis)
        desired = (self.rate * np.clip(norms, self.min_value, self.max_value)
                   + (1 - self.rate) * norms)
        return (w * (desired / (_EPS + norms))).astype("float32")

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


max_norm, non_neg, unit_norm, min_max_norm = MaxNorm, NonNeg, UnitNorm, MinMaxNorm
ALL = [MaxNorm, NonNeg, UnitNorm, MinMaxNorm]
ALIASES = {"max_norm": MaxNorm, "non_neg": NonNeg, "unit_norm": UnitNorm,
           "min_max_norm": MinMaxNorm}
get, deserialize, serialize = make_getter("constraint", ALL, ALIASES, "keras.constraints")
