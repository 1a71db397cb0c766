"""R2Score, RootMeanSquaredError and the CosineSimilarity metric (Keras 3), in ops."""

import warnings

from .. import ops
from ..losses.reduction import divide_no_nan, squeeze_or_expand_to_same_rank
from .metric import Metric
from .reduction import Mean, MeanMetricWrapper


def cosine_similarity(y_true, y_pred, axis=-1):
    """sum(l2_normalize(y_true) * l2_normalize(y_pred)) over axis (Keras's metric)."""
    y_pred = ops.cast(ops.convert_to_tensor(y_pred), "float32")
    y_true = ops.cast(y_true, "float32")
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)

    def unit(x):
        inv = ops.minimum(ops.rsqrt(ops.sum(ops.square(x), axis=axis, keepdims=True)), 1e7)
        return ops.multiply(x, inv)

    return ops.sum(ops.multiply(unit(y_true), unit(y_pred)), axis=axis)


class CosineSimilarity(MeanMetricWrapper):
    """The mean cosine similarity between labels and predictions along `axis`.

    Args:
        name: The metric's name. Defaults to `"cosine_similarity"`.
        dtype: Only `None` or `"float32"`.
        axis: The axis along which the values are compared. Defaults to `-1`.
    """

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(cosine_similarity, name=name, dtype=dtype, axis=axis)
        self.axis = axis

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config.pop("fn", None)
        return cls(**config)


class RootMeanSquaredError(Mean):
    """The root mean squared error: `sqrt(mean(square(y_true - y_pred)))` over all batches.

    Args:
        name: The metric's name. Defaults to `"root_mean_squared_error"`.
        dtype: Only `None` or `"float32"`.
    """

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_pred = ops.cast(ops.convert_to_tensor(y_pred), "float32")
        y_true = ops.cast(y_true, "float32")
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return super().update_state(
            ops.square(ops.subtract(y_pred, y_true)), sample_weight=sample_weight
        )

    def result(self):
        return ops.sqrt(divide_no_nan(self.total, self.count))


class R2Score(Metric):
    """The coefficient of determination (R²): `1 - sum of squared residuals / total sum of
    squares`, over all batches.

    Args:
        class_aggregation: How the scores of several outputs are combined:
            `"uniform_average"`, `"variance_weighted_average"` or `None` (one per
            output). Defaults to `"uniform_average"`.
        num_regressors: The number of regressors, for the adjusted R² (0: not
            adjusted). Defaults to `0`.
        name: The metric's name. Defaults to `"r2_score"`.
        dtype: Only `None` or `"float32"`.
    """

    def __init__(
        self, class_aggregation="uniform_average", num_regressors=0, name="r2_score", dtype=None
    ):
        super().__init__(name=name, dtype=dtype)
        allowed = (None, "uniform_average", "variance_weighted_average")
        if class_aggregation not in allowed:
            raise ValueError(
                "Invalid value for argument `class_aggregation`. Expected one "
                f"of {allowed}. Received: class_aggregation={class_aggregation}"
            )
        if num_regressors < 0:
            raise ValueError(
                "Invalid value for argument `num_regressors`. Expected a value "
                f">= 0. Received: num_regressors={num_regressors}"
            )
        self.class_aggregation, self.num_regressors = class_aggregation, num_regressors
        self.num_samples = self.add_variable((), "zeros", name="num_samples")
        self._built = False

    def _build(self, y_true_shape, y_pred_shape):
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(
                "R2Score expects 2D inputs with shape (batch_size, output_dim). "
                f"Received input shapes: y_pred.shape={y_pred_shape} and "
                f"y_true.shape={y_true_shape}."
            )
        if y_pred_shape[-1] is None or y_true_shape[-1] is None:
            raise ValueError(
                "R2Score expects 2D inputs with shape (batch_size, output_dim), "
                "with output_dim fully defined (not None)."
            )
        k = y_pred_shape[-1]
        from ..graph.trace import suspended

        with suspended():
            self.squared_sum = self.add_variable((k,), "zeros", name="squared_sum")
            self.sum = self.add_variable((k,), "zeros", name="sum")
            self.total_mse = self.add_variable((k,), "zeros", name="residual")
            self.count = self.add_variable((k,), "zeros", name="count")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = ops.cast(ops.convert_to_tensor(y_true), "float32")
        y_pred = ops.cast(ops.convert_to_tensor(y_pred), "float32")
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        if not self._built:
            self._build(tuple(y_true.shape), tuple(y_pred.shape))
        w = (
            ops.ones_like(y_true)
            if sample_weight is None
            else ops.cast(ops.convert_to_tensor(sample_weight), "float32")
        )
        if len(w.shape) == 1:
            w = ops.expand_dims(w, 1)
        w = ops.multiply(w, ops.ones_like(y_true))
        wy = ops.multiply(y_true, w)
        self.sum.assign_add(ops.sum(wy, axis=0))
        self.squared_sum.assign_add(ops.sum(ops.multiply(y_true, wy), axis=0))
        self.total_mse.assign_add(
            ops.sum(ops.multiply(ops.square(ops.subtract(y_true, y_pred)), w), axis=0)
        )
        self.count.assign_add(ops.sum(w, axis=0))
        self.num_samples.assign_add(ops.sum(ops.ones_like(y_true)))

    def result(self):
        mean = ops.divide(self.sum, self.count)
        total = ops.subtract(self.squared_sum, ops.multiply(self.sum, mean))
        raw = ops.subtract(1.0, ops.divide(self.total_mse, total))
        raw = ops.where(ops.isinf(raw), 0.0, raw)
        if self.class_aggregation == "uniform_average":
            r2 = ops.mean(raw)
        elif self.class_aggregation == "variance_weighted_average":
            r2 = ops.divide(ops.sum(ops.multiply(total, raw)), ops.sum(total))
        else:
            r2 = raw
        if self.num_regressors != 0:
            import numpy as np

            n = (
                float(np.asarray(self.num_samples))
                if not hasattr(self.num_samples, "graph")
                else None
            )
            p = float(self.num_regressors)
            if n is not None and p > n - 1:
                warnings.warn(
                    "More independent predictors than datapoints in adjusted R2 "
                    "score. Falling back to standard R2 score.",
                    stacklevel=2,
                )
            elif n is not None and p == n - 1:
                warnings.warn(
                    "Division by zero in Adjusted R2 score. Falling back to standard R2 score.",
                    stacklevel=2,
                )
            else:
                nn = ops.cast(self.num_samples, "float32")
                r2 = ops.subtract(
                    1.0,
                    ops.divide(
                        ops.multiply(ops.subtract(1.0, r2), ops.subtract(nn, 1.0)),
                        ops.subtract(ops.subtract(nn, p), 1.0),
                    ),
                )
        return r2

    def reset_state(self):
        for v in self.variables:
            v.assign(ops.zeros(v.shape, dtype=v.dtype))

    def get_config(self):
        return {
            "name": self.name,
            "dtype": self.dtype,
            "class_aggregation": self.class_aggregation,
            "num_regressors": self.num_regressors,
        }
