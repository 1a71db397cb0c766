"""Metric base classes on numpy, with Keras 3's accumulation rules.

`Mean` averages per-sample values weighted by sample weights (Keras's
`reduce_to_samplewise_values`: extra axes are averaged, then total += sum(v * w),
count += sum(w), result = total / count or 0). State is float32, as Keras's variables.
"""
import numpy as np

from ..utils import naming


def as_float32(x, what):
    a = np.asarray(x)
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{what} must be numeric, got dtype {a.dtype}")
    return a.astype("float32", copy=False)


def _divide_no_nan(a, b):
    a, b = np.float32(a), np.float32(b)
    return np.float32(0.0) if b == 0 else np.float32(a / b)


class Metric:
    def __init__(self, name=None, dtype=None):
        if dtype not in (None, "float32"):
            raise ValueError(f"kerasette metrics accumulate in float32; got dtype={dtype!r}")
        self.name = name or naming.auto_name(type(self).__name__)
        self.dtype = "float32"
        self.reset_state()

    def reset_state(self):
        raise NotImplementedError

    def update_state(self, *args, **kwargs):
        raise NotImplementedError

    def result(self):
        raise NotImplementedError

    def __call__(self, *args, **kwargs):
        """Updates the state with this batch and returns the running result (Keras 3)."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}>"


def samplewise(values, sample_weight):
    """Keras's reduce_to_samplewise_values: returns (per-sample values * w, w or None)."""
    values = as_float32(values, "metric values")
    if sample_weight is not None:
        sw = as_float32(sample_weight, "sample_weight")
        # squeeze_or_expand_to_same_rank: drop/add one trailing axis of size 1.
        if sw.ndim == values.ndim + 1 and sw.shape[-1] == 1:
            sw = sw[..., 0]
        elif values.ndim == sw.ndim + 1 and values.shape[-1] == 1:
            values = values[..., 0]
        if values.ndim > sw.ndim:
            values = values.mean(axis=tuple(range(sw.ndim, values.ndim)), dtype="float32")
        try:
            sw_b = np.broadcast_to(sw, values.shape)
        except ValueError:
            raise ValueError(f"sample_weight of shape {sw.shape} cannot be broadcast to the "
                             f"metric values of shape {values.shape}") from None
        values = values * sw_b
        sw = sw_b if sw.ndim <= 1 else sw_b.mean(axis=tuple(range(1, sw_b.ndim)))
    if values.ndim > 1:
        values = values.mean(axis=tuple(range(1, values.ndim)), dtype="float32")
    return values, (None if sample_weight is None else sw)


class Mean(Metric):
    def reset_state(self):
        self._s_total = np.float32(0.0)
        self._s_count = np.float32(0.0)

    def update_state(self, values, sample_weight=None):
        values, sw = samplewise(values, sample_weight)
        self._s_total = np.float32(self._s_total + np.sum(values, dtype="float32"))
        if sw is not None:
            n = np.sum(sw, dtype="float32")
        else:
            n = values.shape[0] if values.ndim >= 1 else 1
        self._s_count = np.float32(self._s_count + np.float32(n))

    def result(self):
        return _divide_no_nan(self._s_total, self._s_count)


class MeanMetricWrapper(Mean):
    """A Mean of a per-sample function `fn(y_true, y_pred)` (Keras's wrapper)."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        self._fn, self._fn_kwargs = fn, kwargs
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = as_float32(y_true, "y_true")
        y_pred = as_float32(y_pred, "y_pred")
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        super().update_state(values, sample_weight=sample_weight)

    def get_config(self):
        return {**super().get_config(), **self._fn_kwargs}
