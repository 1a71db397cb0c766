"""Keras 3's loss classes: each a LossFunctionWrapper around its function (functions.py),
with Keras's names, defaults and configs.

`kind` names the engine's fused kernel for the loss (csrc loss.h; Keras's function name),
and `from_logits`, `label_smoothing`, `delta`, `sparse` are the options the engine reads.
"""

from . import functions as F
from .loss import Loss, LossFunctionWrapper


class _Builtin(LossFunctionWrapper):
    """Keras's built-in loss classes: the config holds the class's own arguments, not
    the wrapped function."""

    def get_config(self):
        return Loss.get_config(self)

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config.pop("fn", None)
        if isinstance(config.get("dtype"), dict):
            config["dtype"] = None
        return cls(**config)


class MeanSquaredError(_Builtin):
    """The mean of the squared errors: `mean(square(y_true - y_pred), axis=-1)`.

    ```python
    loss = keras.losses.MeanSquaredError()
    loss(y_true, y_pred)              # one scalar
    model.compile(optimizer="adam", loss=keras.losses.MeanSquaredError())
    ```

    Args:
        reduction: How per-sample values are reduced: `"sum_over_batch_size"`,
            `"sum"`, `"mean"`, `"mean_with_sample_weight"` or `None`. Defaults to
            `"sum_over_batch_size"`.
        name: The loss's name. Defaults to `"mean_squared_error"`.
        dtype: Only `None` or `"float32"`.
    """

    kind = "mean_squared_error"

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(F.mean_squared_error, name=name, reduction=reduction, dtype=dtype)


class MeanAbsoluteError(_Builtin):
    """The mean of the absolute errors: `mean(abs(y_true - y_pred), axis=-1)`.

    ```python
    loss = keras.losses.MeanAbsoluteError()
    loss(y_true, y_pred)              # one scalar
    model.compile(optimizer="adam", loss=keras.losses.MeanAbsoluteError())
    ```

    Args:
        reduction: How per-sample values are reduced: `"sum_over_batch_size"`,
            `"sum"`, `"mean"`, `"mean_with_sample_weight"` or `None`. Defaults to
            `"sum_over_batch_size"`.
        name: The loss's name. Defaults to `"mean_absolute_error"`.
        dtype: Only `None` or `"float32"`.
    """

    kind = "mean_absolute_error"

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(F.mean_absolute_error, name=name, reduction=reduction, dtype=dtype)


class MeanAbsolutePercentageError(_Builtin):
    """The mean absolute percentage error: `100 * mean(abs((y_true - y_pred) / y_true),
    axis=-1)` (the denominator kept away from 0).

    ```python
    loss = keras.losses.MeanAbsolutePercentageError()
    loss(y_true, y_pred)              # one scalar
    model.compile(optimizer="adam", loss=keras.losses.MeanAbsolutePercentageError())
    ```

    Args:
        reduction: How per-sample values are reduced: `"sum_over_batch_size"`,
            `"sum"`, `"mean"`, `"mean_with_sample_weight"` or `None`. Defaults to
            `"sum_over_batch_size"`.
        name: The loss's name. Defaults to `"mean_absolute_percentage_error"`.
        dtype: Only `None` or `"float32"`.
    """

    def __init__(
        self, reduction="sum_over_batch_size", name="mean_absolute_percentage_error", dtype=None
    ):
        super().__init__(
            F.mean_absolute_percentage_error, name=name, reduction=reduction, dtype=dtype
        )


class MeanSquaredLogarithmicError(_Builtin):
    """The mean squared logarithmic error: `mean(square(log(y_true + 1) - log(y_pred +
    1)), axis=-1)` (negative values clipped to 0).

    ```python
    loss = keras.losses.MeanSquaredLogarithmicError()
    loss(y_true, y_pred)              # one scalar
    model.compile(optimizer="adam", loss=keras.losses.MeanSquaredLogarithmicError())
    ```

    Args:
        reduction: How per-sample values are reduced: `"sum_over_batch_size"`,
            `"sum"`, `"mean"`, `"mean_with_sample_weight"` or `None`. Defaults to
            `"sum_over_batch_size"`.
        name: The loss's name. Defaults to `"mean_squared_logarithmic_error"`.
        dtype: Only `None` or `"float32"`.
    """

    def __init__(
        self, reduction="sum_over_batch_size", name="mean_squared_logarithmic_error", dtype=None
    ):
        super().__init__(
            F.mean_squared_logarithmic_error, name=name, reduction=reduction, dtype=dtype
        )


class Huber(_Builtin):
    """The Huber loss: quadratic for errors below `delta`, linear above (`0.5 * x**2` or
    `delta * (|x| - 0.5 * delta)`), averaged over the last axis.

    ```python
    loss = keras.losses.Huber()
    loss(y_true, y_pred)              # one scalar
    model.compile(optimizer="adam", loss=keras.losses.Huber())
    ```

    Args:
        delta: The point where the loss turns from quadratic to linear. Defaults to
            `1.0`.
        reduction: How per-sample values are reduced: `"sum_over_batch_size"`,
            `"sum"`, `"mean"`, `"mean_with_sample_weight"` or `None`. Defaults to
            `"sum_over_batch_size"`.
        name: The loss's name. Defaults to `"huber_loss"`.
        dtype: Only `None` or `"float32"`.
    """

    kind = "huber"

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss", dtype=None):
        super().__init__(F.huber, name=name, reduction=reduction, dtype=dtype, delta=delta)
        self.delta = float(delta)

    def get_config(self):
        # Keras 3.15's Huber config has no `delta`; kerasette adds it only when it is not
        # the default, so a round trip keeps it and default configs equal Keras's.
        config = super().get_config()
        if self.delta != 1.0:
            config["delta"] = self.delta
        return config


class LogCosh(_Builtin):
    """The logarithm of the hyperbolic cosine of the error, averaged over the last axis:
    about `x**2 / 2` for small errors, `|x| - log(2)` for large ones.

    ```python
    loss = keras.losses.LogCosh()
    loss(y_true, y_pred)              # one scalar
    model.compile(optimizer="adam", loss=keras.losses.LogCosh())
    ```

    Args:
        reduction: How per-sample values are reduced: `"sum_over_batch_size"`,
            `"sum"`, `"mean"`, `"mean_with_sample_weight"` or `None`. Defaults to
            `"sum_over_batch_size"`.
        name: The loss's name. Defaults to `"log_cosh"`.
        dtype: Only `None` or `"float32"`.
    """

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", dtype=None):
        super().__init__(F.log_cosh, name=name, reduction=reduction, dtype=dtype)


class Hinge(_Builtin):
    """The hinge loss: `mean(maximum(1 - y_true * y_pred, 0), axis=-1)`, labels in {-1,
    1} (0/1 labels are converted).

    ```python
    loss = keras.losses.Hinge()
    loss(y_true, y_pred)              # one scalar
    model.compile(optimizer="adam", loss=keras.losses.Hinge())
    ```

    Args:
        reduction: How per-sample values are reduced: `"sum_over_batch_size"`,
            `"sum"`, `"mean"`, `"mean_with_sample_weight"` or `None`. Defaults to
            `"sum_over_batch_size"`.
        name: The loss's name. Defaults to `"hinge"`.
        dtype: Only `None` or `"float32"`.
    """

    kind = "hinge"

    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(F.hinge, name=name, reduction=reduction, dtype=dtype)


class SquaredHinge(_Builtin):
    """The squared hinge loss: `mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1)`,
    labels in {-1, 1} (0/1 labels are converted).

    ```python
    loss = keras.losses.SquaredHinge()
    loss(y_true, y_pred)              # one scalar
    model.compile(optimizer="adam", loss=keras.losses.SquaredHinge())
    ```

    Args:
        reduction: How per-sample values are reduced: `"sum_over_batch_size"`,
            `"sum"`, `"mean"`, `"mean_with_sample_weight"` or `None`. Defaults to
            `"sum_over_batch_size"`.
        name: The loss's name. Defaults to `"squared_hinge"`.
        dtype: Only `None` or `"float32"`.
    """

    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge", dtype=None):
        super().__init__(F.squared_hinge, name=name, reduction=reduction, dtype=dtype)


class CategoricalHinge(_Builtin):
    """The categorical hinge loss: `maximum(0, 1 + max((1 - y_true) * y_pred) -
    sum(y_true * y_pred))`, one-hot labels.

    ```python
    loss = keras.losses.CategoricalHinge()
    loss(y_true, y_pred)              # one scalar
    model.compile(optimizer="adam", loss=keras.losses.CategoricalHinge())
    ```

    Args:
        reduction: How per-sample values are reduced: `"sum_over_batch_size"`,
            `"sum"`, `"mean"`, `"mean_with_sample_weight"` or `None`. Defaults to
            `"sum_over_batch_size"`.
        name: The loss's name. Defaults to `"categorical_hinge"`.
        dtype: Only `None` or `"float32"`.
    """

    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge", dtype=None):
        super().__init__(F.categorical_hinge, name=name, reduction=reduction, dtype=dtype)


class KLDivergence(_Builtin):
    """The Kullback-Leibler divergence: `sum(y_true * log(y_true / y_pred), axis=-1)`
    (both clipped to `[1e-7, 1]`).

    ```python
    loss = keras.losses.KLDivergence()
    loss(y_true, y_pred)              # one scalar
    model.compile(optimizer="adam", loss=keras.losses.KLDivergence())
    ```

    Args:
        reduction: How per-sample values are reduced: `"sum_over_batch_size"`,
            `"sum"`, `"mean"`, `"mean_with_sample_weight"` or `None`. Defaults to
            `"sum_over_batch_size"`.
        name: The loss's name. Defaults to `"kl_divergence"`.
        dtype: Only `None` or `"float32"`.
    """

    kind = "kl_divergence"

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(F.kl_divergence, name=name, reduction=reduction, dtype=dtype)


class Poisson(_Builtin):
    """The Poisson loss: `mean(y_pred - y_true * log(y_pred + 1e-7), axis=-1)`.

    ```python
    loss = keras.losses.Poisson()
    loss(y_true, y_pred)              # one scalar
    model.compile(optimizer="adam", loss=keras.losses.Poisson())
    ```

    Args:
        reduction: How per-sample values are reduced: `"sum_over_batch_size"`,
            `"sum"`, `"mean"`, `"mean_with_sample_weight"` or `None`. Defaults to
            `"sum_over_batch_size"`.
        name: The loss's name. Defaults to `"poisson"`.
        dtype: Only `None` or `"float32"`.
    """

    kind = "poisson"

    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(F.poisson, name=name, reduction=reduction, dtype=dtype)


class _Crossentropy(_Builtin):
    def __init__(self, fn, from_logits, label_smoothing, axis, reduction, name, dtype):
        if not 0.0 <= float(label_smoothing) <= 1.0:
            raise ValueError(f"label_smoothing must be in [0, 1], got {label_smoothing}")
        super().__init__(
            fn,
            name=name,
            reduction=reduction,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def get_config(self):
        return {
            **super().get_config(),
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
            "axis": self.axis,
        }


class BinaryCrossentropy(_Crossentropy):
    """The binary cross-entropy between labels in [0, 1] and predicted probabilities (or
    logits, with `from_logits=True`), averaged over the last axis.

    ```python
    loss = keras.losses.BinaryCrossentropy()
    loss(y_true, y_pred)              # one scalar
    model.compile(optimizer="adam", loss=keras.losses.BinaryCrossentropy())
    ```

    Args:
        from_logits: Whether `y_pred` holds logits (unnormalized scores) rather than
            probabilities. Defaults to `False`.
        label_smoothing: In `[0, 1]`: the targets are moved toward a uniform
            distribution by this fraction. Defaults to `0.0`.
        axis: The axis the values are computed along. Defaults to `-1`.
        reduction: How per-sample values are reduced: `"sum_over_batch_size"`,
            `"sum"`, `"mean"`, `"mean_with_sample_weight"` or `None`. Defaults to
            `"sum_over_batch_size"`.
        name: The loss's name. Defaults to `"binary_crossentropy"`.
        dtype: Only `None` or `"float32"`.
    """

    kind = "binary_crossentropy"

    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="binary_crossentropy",
        dtype=None,
    ):
        super().__init__(
            F.binary_crossentropy, from_logits, label_smoothing, axis, reduction, name, dtype
        )


class CategoricalCrossentropy(_Crossentropy):
    """The cross-entropy between one-hot (or soft) labels and predicted class
    probabilities (or logits).

    ```python
    loss = keras.losses.CategoricalCrossentropy()
    loss(y_true, y_pred)              # one scalar
    model.compile(optimizer="adam", loss=keras.losses.CategoricalCrossentropy())
    ```

    Args:
        from_logits: Whether `y_pred` holds logits (unnormalized scores) rather than
            probabilities. Defaults to `False`.
        label_smoothing: In `[0, 1]`: the targets are moved toward a uniform
            distribution by this fraction. Defaults to `0.0`.
        axis: The axis the values are computed along. Defaults to `-1`.
        reduction: How per-sample values are reduced: `"sum_over_batch_size"`,
            `"sum"`, `"mean"`, `"mean_with_sample_weight"` or `None`. Defaults to
            `"sum_over_batch_size"`.
        name: The loss's name. Defaults to `"categorical_crossentropy"`.
        dtype: Only `None` or `"float32"`.
    """

    kind = "categorical_crossentropy"

    def __init__(
        self,
        from_logits=False,
        label_smoothing=0.0,
        axis=-1,
        reduction="sum_over_batch_size",
        name="categorical_crossentropy",
        dtype=None,
    ):
        super().__init__(
            F.categorical_crossentropy, from_logits, label_smoothing, axis, reduction, name, dtype
        )


class SparseCategoricalCrossentropy(_Builtin):
    """The cross-entropy between integer class ids and predicted class probabilities (or
    logits).

    ```python
    loss = keras.losses.SparseCategoricalCrossentropy()
    loss(y_true, y_pred)              # one scalar
    model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy())
    ```

    Args:
        from_logits: Whether `y_pred` holds logits (unnormalized scores) rather than
            probabilities. Defaults to `False`.
        ignore_class: A class id whose samples count for nothing (padding), or
            `None`. Defaults to `None`.
        reduction: How per-sample values are reduced: `"sum_over_batch_size"`,
            `"sum"`, `"mean"`, `"mean_with_sample_weight"` or `None`. Defaults to
            `"sum_over_batch_size"`.
        axis: The axis the values are computed along. Defaults to `-1`.
        name: The loss's name. Defaults to `"sparse_categorical_crossentropy"`.
        dtype: Only `None` or `"float32"`.
    """

    kind = "sparse_categorical_crossentropy"
    sparse = True
    label_smoothing = 0.0  # read by the engine; Keras has no smoothing for sparse labels

    def __init__(
        self,
        from_logits=False,
        ignore_class=None,
        reduction="sum_over_batch_size",
        axis=-1,
        name="sparse_categorical_crossentropy",
        dtype=None,
    ):
        super().__init__(
            F.sparse_categorical_crossentropy,
            name=name,
            reduction=reduction,
            dtype=dtype,
            from_logits=from_logits,
            ignore_class=ignore_class,
            axis=axis,
        )
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis
        if ignore_class is not None:
            self.kind = None  # the fused kernel knows nothing of ignore_class: run the ops

    def get_config(self):
        return {
            **super().get_config(),
            "from_logits": self.from_logits,
            "ignore_class": self.ignore_class,
        }


CLASSES = [
    MeanSquaredError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredLogarithmicError,
    Huber,
    LogCosh,
    BinaryCrossentropy,
    CategoricalCrossentropy,
    SparseCategoricalCrossentropy,
    KLDivergence,
    Hinge,
    SquaredHinge,
    CategoricalHinge,
    Poisson,
]
