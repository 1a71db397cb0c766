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
    kind = "mean_squared_error"

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(F.mean_squared_error, name=name, reduction=reduction, dtype=dtype)


class MeanAbsoluteError(_Builtin):
    kind = "mean_absolute_error"

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(F.mean_absolute_error, name=name, reduction=reduction, dtype=dtype)


class MeanAbsolutePercentageError(_Builtin):
    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_percentage_error",
                 dtype=None):
        super().__init__(F.mean_absolute_percentage_error, name=name, reduction=reduction,
                         dtype=dtype)


class MeanSquaredLogarithmicError(_Builtin):
    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_logarithmic_error",
                 dtype=None):
        super().__init__(F.mean_squared_logarithmic_error, name=name, reduction=reduction,
                         dtype=dtype)


class Huber(_Builtin):
    kind = "huber"

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss",
                 dtype=None):
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
    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", dtype=None):
        super().__init__(F.log_cosh, name=name, reduction=reduction, dtype=dtype)


class Hinge(_Builtin):
    kind = "hinge"

    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(F.hinge, name=name, reduction=reduction, dtype=dtype)


class SquaredHinge(_Builtin):
    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge", dtype=None):
        super().__init__(F.squared_hinge, name=name, reduction=reduction, dtype=dtype)


class CategoricalHinge(_Builtin):
    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge", dtype=None):
        super().__init__(F.categorical_hinge, name=name, reduction=reduction, dtype=dtype)


class KLDivergence(_Builtin):
    kind = "kl_divergence"

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(F.kl_divergence, name=name, reduction=reduction, dtype=dtype)


class Poisson(_Builtin):
    kind = "poisson"

    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(F.poisson, name=name, reduction=reduction, dtype=dtype)


class _Crossentropy(_Builtin):
    def __init__(self, fn, from_logits, label_smoothing, axis, reduction, name, dtype):
        if not 0.0 <= float(label_smoothing) <= 1.0:
            raise ValueError(f"label_smoothing must be in [0, 1], got {label_smoothing}")
        super().__init__(fn, name=name, reduction=reduction, dtype=dtype,
                         from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}


class BinaryCrossentropy(_Crossentropy):
    kind = "binary_crossentropy"

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy", dtype=None):
        super().__init__(F.binary_crossentropy, from_logits, label_smoothing, axis, reduction,
                         name, dtype)


class CategoricalCrossentropy(_Crossentropy):
    kind = "categorical_crossentropy"

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy", dtype=None):
        super().__init__(F.categorical_crossentropy, from_logits, label_smoothing, axis,
                         reduction, name, dtype)


class SparseCategoricalCrossentropy(_Builtin):
    kind = "sparse_categorical_crossentropy"
    sparse = True
    label_smoothing = 0.0  # read by the engine; Keras has no smoothing for sparse labels

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 axis=-1, name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(F.sparse_categorical_crossentropy, name=name, reduction=reduction,
                         dtype=dtype, from_logits=from_logits, ignore_class=ignore_class,
                         axis=axis)
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis
        if ignore_class is not None:
            self.kind = None  # the fused kernel knows nothing of ignore_class: run the ops

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits,
                "ignore_class": self.ignore_class}


CLASSES = [MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError,
           MeanSquaredLogarithmicError, Huber, LogCosh, BinaryCrossentropy,
           CategoricalCrossentropy, SparseCategoricalCrossentropy, KLDivergence, Hinge,
           SquaredHinge, CategoricalHinge, Poisson]
