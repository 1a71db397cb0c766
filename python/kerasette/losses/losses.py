"""Keras 3's loss classes and per-sample loss functions (names and defaults as Keras)."""
from .loss import Loss


class MeanSquaredError(Loss):
    kind = "mse"

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)


class MeanAbsoluteError(Loss):
    kind = "mae"

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)


class Huber(Loss):
    kind = "huber"

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss",
                 dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.delta = float(delta)

    def _kernel_params(self):
        return {"delta": self.delta}

    def get_config(self):
        # Keras 3.15's Huber config has no `delta`; kerasette adds it only when it is not
        # the default, so a round trip keeps it and default configs equal Keras's.
        config = super().get_config()
        if self.delta != 1.0:
            config["delta"] = self.delta
        return config


class _CrossentropyBase(Loss):
    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name=None, dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        if axis != -1:
            raise ValueError(f"{self.name}: kerasette computes cross-entropy on the last axis; "
                             f"got axis={axis}")
        if not 0.0 <= float(label_smoothing) <= 1.0:
            raise ValueError(f"label_smoothing must be in [0, 1], got {label_smoothing}")
        self.from_logits, self.label_smoothing, self.axis = bool(from_logits), float(
            label_smoothing), axis

    def _kernel_params(self):
        return {"from_logits": self.from_logits, "label_smoothing": self.label_smoothing}

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing, "axis": self.axis}


class BinaryCrossentropy(_CrossentropyBase):
    kind = "binary_ce"

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="binary_crossentropy", dtype=None):
        super().__init__(from_logits, label_smoothing, axis, reduction, name, dtype)


class CategoricalCrossentropy(_CrossentropyBase):
    kind = "categorical_ce"

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_crossentropy", dtype=None):
        super().__init__(from_logits, label_smoothing, axis, reduction, name, dtype)


class SparseCategoricalCrossentropy(Loss):
    kind = "sparse_categorical_ce"
    sparse = True

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size",
                 axis=-1, name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        if ignore_class is not None:
            raise ValueError("kerasette's SparseCategoricalCrossentropy does not support "
                             "ignore_class")
        if axis != -1:
            raise ValueError(f"{self.name}: classes must be on the last axis; got axis={axis}")
        self.from_logits, self.ignore_class, self.axis = bool(from_logits), ignore_class, axis

    def _kernel_params(self):
        return {"from_logits": self.from_logits}

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits,
                "ignore_class": self.ignore_class}


class KLDivergence(Loss):
    kind = "kld"

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)


class Hinge(Loss):
    kind = "hinge"

    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)


class Poisson(Loss):
    kind = "poisson"

    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)


def _per_sample(cls, **kwargs):
    """Keras's loss functions (`losses.mean_squared_error(y_true, y_pred)`): per-sample."""
    def fn(y_true, y_pred):
        return cls(reduction="none", **kwargs)(y_true, y_pred)
    return fn


mean_squared_error = _per_sample(MeanSquaredError)
mean_absolute_error = _per_sample(MeanAbsoluteError)
kl_divergence = _per_sample(KLDivergence)
hinge = _per_sample(Hinge)
poisson = _per_sample(Poisson)


def huber(y_true, y_pred, delta=1.0):
    return Huber(delta=delta, reduction="none")(y_true, y_pred)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    return BinaryCrossentropy(from_logits, label_smoothing, axis, reduction="none")(y_true, y_pred)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    return CategoricalCrossentropy(from_logits, label_smoothing, axis,
                                   reduction="none")(y_true, y_pred)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None,
                                    axis=-1):
    return SparseCategoricalCrossentropy(from_logits, ignore_class, reduction="none",
                                         axis=axis)(y_true, y_pred)


for _fn, _name in ((mean_squared_error, "mean_squared_error"),
                   (mean_absolute_error, "mean_absolute_error"),
                   (kl_divergence, "kl_divergence"), (hinge, "hinge"), (poisson, "poisson")):
    _fn.__name__ = _fn.__qualname__ = _name
