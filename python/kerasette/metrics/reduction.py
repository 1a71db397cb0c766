"""Sum, Mean and MeanMetricWrapper (a weighted Mean of a per-sample function), as Keras 3.

Keras's `reduce_to_samplewise_values`: the sample weights' rank decides the samples;
axes of the values beyond it are averaged (summed for Sum), the weighted values are
then averaged down to one per sample, and the weights are averaged to one per sample.
"""

from .. import ops
from ..losses.loss import as_tensor, keras_mask
from ..losses.reduction import apply_mask, divide_no_nan, squeeze_or_expand_to_same_rank
from .metric import Metric


def _axes(lo, hi):
    return tuple(range(lo, hi))


def reduce_to_samplewise_values(values, sample_weight, reduce_fn, dtype):
    mask = keras_mask(values)
    values = ops.cast(values, dtype)
    if sample_weight is not None:
        sample_weight = as_tensor(sample_weight, dtype, "sample_weight")
        if mask is not None:
            sample_weight = apply_mask(sample_weight, mask, dtype=dtype, reduction="sum")
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        weight_ndim, values_ndim = len(sample_weight.shape), len(values.shape)
        if values_ndim > weight_ndim:
            values = reduce_fn(values, axis=_axes(weight_ndim, values_ndim))
        _check_broadcast(sample_weight, values)
        sample_weight = ops.multiply(sample_weight, ops.ones_like(values))  # broadcast
        values = ops.multiply(values, sample_weight)
        if weight_ndim > 1:
            sample_weight = reduce_fn(sample_weight, axis=_axes(1, weight_ndim))
    values_ndim = len(values.shape)
    if values_ndim > 1:
        values = reduce_fn(values, axis=_axes(1, values_ndim))
    return values, sample_weight


def _check_broadcast(sample_weight, values):
    ws, vs = tuple(sample_weight.shape), tuple(values.shape)
    ok = len(ws) <= len(vs) and all(
        a is None or b is None or a == b or a == 1 for a, b in zip(reversed(ws), reversed(vs))
    )
    if not ok:
        raise ValueError(
            f"sample_weight of shape {ws} cannot be broadcast to the metric values of shape {vs}"
        )


class Sum(Metric):
    """The (weighted) sum of the values it is given, over all batches.

    Args:
        name: The metric's name. Defaults to `"sum"`.
        dtype: Only `None` or `"float32"`.
    """

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(
            shape=(), initializer="zeros", dtype=self.dtype, name="total"
        )

    def update_state(self, values, sample_weight=None):
        values = as_tensor(values, self.dtype, "values")
        values, _ = reduce_to_samplewise_values(values, sample_weight, ops.sum, self.dtype)
        self.total.assign_add(ops.sum(values))

    def reset_state(self):
        self.total.assign(0.0)

    def result(self):
        return ops.multiply(self.total, 1.0)  # a copy: an eager result must not alias state


class Mean(Metric):
    """The (weighted) mean of the values it is given, over all batches.

    ```python
    m = keras.metrics.Mean()
    m.update_state([1, 3, 5, 7])
    m.result()  # 4.0
    ```

    Args:
        name: The metric's name. Defaults to `"mean"`.
        dtype: Only `None` or `"float32"`.
    """

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(
            shape=(), initializer="zeros", dtype=self.dtype, name="total"
        )
        self.count = self.add_variable(
            shape=(), initializer="zeros", dtype=self.dtype, name="count"
        )

    def update_state(self, values, sample_weight=None):
        """Adds `values` (weighted by `sample_weight`) to the running mean.

        Args:
            values: A tensor of values; values of rank > 1 are first averaged per sample.
            sample_weight: Weights of `values`. Defaults to `None` (all 1).
        """
        if keras_mask(values) is None:
            values = as_tensor(values, self.dtype, "values")
        values, sample_weight = reduce_to_samplewise_values(
            values, sample_weight, ops.mean, self.dtype
        )
        self.total.assign_add(ops.sum(values))
        if sample_weight is not None:
            num_samples = ops.sum(sample_weight)
        elif len(values.shape) >= 1:
            num_samples = _batch_size(values)
        else:
            num_samples = 1.0
        self.count.assign_add(ops.cast(num_samples, self.dtype))

    def reset_state(self):
        self.total.assign(0.0)
        self.count.assign(0.0)

    def result(self):
        return divide_no_nan(self.total, ops.cast(self.count, self.dtype))


def _batch_size(values):
    """The first dimension, as a number when static, else counted at run time."""
    n = values.shape[0]
    if n is not None:
        return float(n)
    return ops.sum(ops.ones_like(values, dtype="float32"))  # values is 1-D here


class MeanMetricWrapper(Mean):
    """A weighted Mean of `fn(y_true, y_pred, **kwargs)` (one value per sample)."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name or getattr(fn, "__name__", None), dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        mask = keras_mask(y_pred)
        y_true = as_tensor(y_true, self.dtype, "y_true")
        y_pred = as_tensor(y_pred, self.dtype, "y_pred")
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        if mask is not None:
            sample_weight = apply_mask(
                None
                if sample_weight is None
                else as_tensor(sample_weight, self.dtype, "sample_weight"),
                mask,
                dtype=self.dtype,
                reduction="sum",
            )
        return super().update_state(values, sample_weight=sample_weight)

    def get_config(self):
        config = {**super().get_config(), "fn": getattr(self._fn, "__name__", None)}
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        fn = config.pop("fn", None)
        if isinstance(fn, str):
            from .. import losses
            from . import functions

            fn = getattr(functions, fn, None) or getattr(losses, fn, None) or fn
        if not callable(fn):
            raise ValueError(
                f"MeanMetricWrapper.from_config: unknown function {fn!r}; pass "
                "it through custom_objects"
            )
        return cls(fn, **config)
