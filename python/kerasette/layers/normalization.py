"""`Normalization`: (x - mean) / max(sqrt(variance), 1e-7), or the inverse with
`invert=True`; mean and variance given, or learned by `adapt(data)`.

`layer.mean` / `layer.variance` always read as arrays of the kept axes' shape: the
adapted Variables (non-trainable `mean`, `variance`, `count`), or the values given to
the constructor broadcast to that shape. That is what lowering feeds the core. `adapt` stays numpy; `call` is in ops.
"""

import itertools
import math

import numpy as np

from .. import ops
from .layer import Layer

_EPSILON = 1e-7  # Keras's backend.epsilon(): the smallest standard deviation divided by


class Normalization(Layer):
    """Shifts and scales its input to zero mean and unit variance per feature:
    `(x - mean) / sqrt(variance)`.

    Give `mean` and `variance`, or compute them from data with `adapt(data)` before
    training.

    ```python
    layer = keras.layers.Normalization(axis=-1)
    layer.adapt(x_train)
    ```

    Args:
        axis: The axis or axes that keep separate statistics (`-1`: one per
            feature); `None` means one mean and variance for everything. Defaults to
            `-1`.
        mean: The mean to use, instead of `adapt`. Defaults to `None`.
        variance: The variance to use, instead of `adapt`. Defaults to `None`.
        invert: Whether to undo the normalization instead: `x * sqrt(variance) +
            mean`. Defaults to `False`.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    _has_build_config = True

    def __init__(self, axis=-1, mean=None, variance=None, invert=False, **kwargs):
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif isinstance(axis, int):
            axis = (axis,)
        else:
            axis = tuple(axis)
        self.axis = axis
        self.input_mean, self.input_variance = mean, variance
        self.invert = bool(invert)
        if (mean is not None) != (variance is not None):
            raise ValueError(
                "When setting values directly, both `mean` and `variance` must "
                f"be set. Received: mean={mean} and variance={variance}"
            )
        if mean is not None and np.shape(mean) != np.shape(variance):
            raise ValueError(
                "When setting values directly, `mean` and `variance` must have "
                f"the same shape. Received: mean shape {np.shape(mean)} and "
                f"variance shape {np.shape(variance)}"
            )
        self.supports_masking = True
        self.mean = self.variance = self.count = None

    def build(self, input_shape):
        ndim = len(input_shape)
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(
                "All `axis` values must be in the range [-ndim, ndim). Received "
                f"inputs with ndim={ndim}, while axis={self.axis}"
            )
        self._keep_axis = tuple(sorted(a % ndim for a in self.axis))
        for d in self._keep_axis:
            if input_shape[d] is None:
                raise ValueError(
                    f"All `axis` values to be kept must have a known shape. "
                    f"Received axis={self.axis}, inputs.shape={input_shape}, "
                    f"with unknown axis at index {d}"
                )
        self._reduce_axis = tuple(d for d in range(ndim) if d not in self._keep_axis)
        shape = tuple(input_shape[d] for d in self._keep_axis)
        if self.input_mean is None:
            self.mean = self.add_weight(
                name="mean", shape=shape, initializer="zeros", trainable=False
            )
            self.variance = self.add_weight(
                name="variance", shape=shape, initializer="ones", trainable=False
            )
            self.count = self.add_weight(
                name="count", shape=(), dtype="int64", initializer="zeros", trainable=False
            )
        else:
            self.mean = self._broadcast(self.input_mean, shape)
            self.variance = self._broadcast(self.input_variance, shape)

    def _check_input_shape(self, shape):
        # One mean and variance for everything (axis=None): any rank fits, as in Keras
        # (adapt on 1-D data, then a Sequential feeding it (batch, 1)).
        if getattr(self, "_keep_axis", None) == ():
            return
        super()._check_input_shape(shape)

    @staticmethod
    def _broadcast(value, shape):
        """Given values are aligned to the trailing kept axes, then broadcast (Keras)."""
        value = np.asarray(value, dtype="float32")
        # a writable copy: a read-only broadcast view cannot back a graph constant
        return np.array(np.broadcast_to(value, shape), dtype="float32", order="C", copy=True)

    def adapt(self, data):
        """Learns mean and variance from an array or an iterable of batches."""
        if (
            isinstance(data, np.ndarray)
            or hasattr(data, "__array__")
            and not hasattr(data, "__next__")
        ):
            batches = [np.asarray(data, dtype="float64")]
        elif hasattr(data, "__iter__"):
            batches = iter(data)
            first = next(batches, None)
            if first is None:
                raise ValueError("adapt() received an empty iterable (no batches).")
            batches = itertools.chain([first], batches)
        else:
            raise TypeError(
                f"Unsupported data type: {type(data)}. `adapt` supports "
                "np.ndarray and iterables of batches."
            )
        total_mean = total_var = None
        total_count = 0  # samples seen so far, for merging batch statistics
        for batch in batches:
            if isinstance(batch, tuple):
                batch = batch[0]
            batch = np.asarray(batch, dtype="float64")
            if batch.dtype.kind not in "biuf":
                raise TypeError(f"adapt() expects numeric data, got dtype {batch.dtype}")
            if batch.size == 0:
                raise ValueError("adapt() received an empty array")
            if not self.built:
                self.build((None,) + batch.shape[1:])
            if self.input_mean is not None:
                raise ValueError(
                    f'Layer "{self.name}" was given mean and variance; it cannot be adapted'
                )
            for d in self._keep_axis:
                if (
                    batch.ndim != len(self._build_input_shape)
                    or batch.shape[d] != self._build_input_shape[d]
                ):
                    raise ValueError(
                        f"The layer was built with input_shape="
                        f"{self._build_input_shape}, but adapt() is being "
                        f"called with data with an incompatible shape, "
                        f"data.shape={batch.shape}"
                    )
            mean = batch.mean(axis=self._reduce_axis)
            var = batch.var(axis=self._reduce_axis)
            count = math.prod(batch.shape[d] for d in self._reduce_axis)
            if total_mean is None:
                total_mean, total_var, total_count = mean, var, count
                continue
            # Chan et al.'s parallel update of mean and (population) variance.
            new_count = total_count + count
            w_old, w_new = total_count / new_count, count / new_count
            new_mean = total_mean * w_old + mean * w_new
            total_var = (total_var + (total_mean - new_mean) ** 2) * w_old + (
                var + (mean - new_mean) ** 2
            ) * w_new
            total_mean, total_count = new_mean, new_count
        self.mean.assign(total_mean)
        self.variance.assign(total_var)
        # Keras 3 creates `count` but never updates it (it stays 0 in saved files too).

    def call(self, inputs):
        if self.mean is None:
            raise ValueError("You must call `.build(input_shape)` on the layer before using it.")
        if str(inputs.dtype) != "float32":
            inputs = ops.cast(inputs, "float32")
        # mean/variance hold the kept axes; as Keras, they broadcast from (1, .., d, .., 1)
        shape = tuple(
            inputs.shape[d] if d in self._keep_axis else 1 for d in range(len(inputs.shape))
        )
        mean = ops.reshape(self.mean, shape)
        std = ops.maximum(ops.sqrt(ops.reshape(self.variance, shape)), _EPSILON)
        if self.invert:
            return ops.add(mean, ops.multiply(inputs, std))
        return ops.divide(ops.subtract(inputs, mean), std)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        def tolist(v):
            return None if v is None else np.array(v).tolist()

        return {
            **super().get_config(),
            "axis": self.axis,
            "invert": self.invert,
            "mean": tolist(self.input_mean),
            "variance": tolist(self.input_variance),
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for key in ("mean", "variance"):
            if config.get(key) is not None:
                config[key] = np.array(config[key])
        return cls(**config)
