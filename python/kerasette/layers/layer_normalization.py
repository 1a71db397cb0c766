"""`LayerNormalization`: per-sample normalization over `axis` (one or several), then
gamma/beta (Keras's formula, including the deprecated `rms_scaling`)."""

import warnings

from .. import constraints, initializers, ops, regularizers
from .batch_normalization import _broadcast_shape, _feature_axes
from .layer import Layer


class LayerNormalization(Layer):
    """Normalizes each sample over `axis` to zero mean and unit variance, then scales by
    `gamma` and offsets by `beta`: `gamma * (x - mean) / sqrt(var + epsilon) + beta`.
    Unlike `BatchNormalization`, the statistics come from each sample alone, so training
    and inference compute the same thing.

    Args:
        axis: The axis or axes to normalize over (usually the features, `-1`).
            Defaults to `-1`.
        epsilon: A small float added to the variance to avoid dividing by zero.
            Defaults to `0.001`.
        center: Whether to add the learned offset `beta`. Defaults to `True`.
        scale: Whether to multiply by the learned scale `gamma`. Defaults to `True`.
        beta_initializer: Initializer of the offset `beta`. Defaults to `"zeros"`.
        gamma_initializer: Initializer of the scale `gamma`. Defaults to `"ones"`.
        beta_regularizer: Regularizer of `beta`. Defaults to `None`.
        gamma_regularizer: Regularizer of `gamma`. Defaults to `None`.
        beta_constraint: Constraint on `beta`. Defaults to `None`.
        gamma_constraint: Constraint on `gamma`. Defaults to `None`.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    _has_build_config = True

    def __init__(
        self,
        axis=-1,
        epsilon=1e-3,
        center=True,
        scale=True,
        beta_initializer="zeros",
        gamma_initializer="ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        **kwargs,
    ):
        rms_scaling = kwargs.pop("rms_scaling", False)
        if rms_scaling:
            warnings.warn(
                "You passed `rms_scaling=True`, which is deprecated. This argument "
                "incorrectly scales the input by the variance, not the root mean "
                "square. To correctly use RMS Normalization, please use "
                "`keras.layers.RMSNormalization` instead.",
                stacklevel=2,
            )
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            axis = list(axis)
        elif not isinstance(axis, int):
            raise TypeError(
                "Expected an int or a list/tuple of ints for the argument 'axis', "
                f"but received: {axis!r}"
            )
        self.axis = axis
        self.epsilon = float(epsilon)
        self.center, self.scale, self.rms_scaling = bool(center), bool(scale), bool(rms_scaling)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.supports_masking = True
        self.gamma = self.beta = None

    def build(self, input_shape):
        axes = _feature_axes(self.axis, input_shape, self.name)
        # Keras keeps the axes as given, as a sorted list, once built (the saved config
        # then says "axis": [-1]).
        self.axis = sorted(self.axis) if isinstance(self.axis, list) else [self.axis]
        shape = tuple(input_shape[d] for d in axes)
        if self.scale or self.rms_scaling:
            self.gamma = self.add_weight(
                shape=shape,
                name="gamma",
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
                autocast=False,
            )
        if self.center and not self.rms_scaling:
            self.beta = self.add_weight(
                shape=shape,
                name="beta",
                initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint,
                autocast=False,
            )

    def call(self, inputs):
        axes = _feature_axes(self.axis, inputs.shape, self.name)
        shape = _broadcast_shape(inputs.shape, axes)
        last_only = axes == [len(inputs.shape) - 1]
        gamma, beta = self.gamma, self.beta
        if not last_only:  # weights of the kept axes, broadcast against the input
            gamma = None if gamma is None else ops.reshape(gamma, shape)
            beta = None if beta is None else ops.reshape(beta, shape)
        mean, variance = ops.moments(inputs, axes=axes, keepdims=True)
        inv = ops.rsqrt(ops.add(variance, self.epsilon))
        if self.rms_scaling:  # Keras's (deprecated) form: x / sqrt(var + eps) * gamma
            out = ops.multiply(inputs, inv)
            return out if gamma is None else ops.multiply(out, gamma)
        # Keras's arithmetic order: x * inv + (beta - mean * inv), inv = gamma / std
        if gamma is not None:
            inv = ops.multiply(inv, gamma)
        res = ops.multiply(ops.negative(mean), inv)
        if beta is not None:
            res = ops.add(res, beta)
        return ops.add(ops.multiply(inputs, inv), res)

    def compute_output_shape(self, input_shape):
        _feature_axes(self.axis, input_shape, self.name)
        return tuple(input_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "rms_scaling": self.rms_scaling,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
        }
