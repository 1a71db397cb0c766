"""`BatchNormalization`: batch statistics in training (and moving averages updated with
`momentum`), moving statistics in inference or when frozen (trainable=False: Keras's
rule); Keras's weights gamma, beta, moving_mean, moving_variance over the feature axis.

In a traced call with training=True the moving statistics are written with
`Variable.assign`, which adds an `assign` effect to the graph being traced
(`graph.updates`); the traced function runs it after computing the outputs.
"""

from .. import constraints, initializers, ops, regularizers
from .layer import Layer

_EPSILON = 1e-7  # Keras's backend.epsilon(), in the masked moments


def _feature_axes(axis, input_shape, name):
    """axis (int or list) as sorted non-negative axes with known sizes."""
    ndim = len(input_shape)
    axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
    out = []
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(
                f"Axis {a} is out of bounds for input shape {tuple(input_shape)}. "
                f"Received: axis={axis}"
            )
        a %= ndim
        if input_shape[a] is None:
            raise ValueError(
                f'Layer "{name}": axis {a} of input shape {tuple(input_shape)} must be known'
            )
        out.append(a)
    return sorted(set(out))


def _feature_axis(axis, input_shape, name):
    (a,) = _feature_axes(axis, input_shape, name)
    return a


def _broadcast_shape(input_shape, axes):
    return tuple(input_shape[d] if d in axes else 1 for d in range(len(input_shape)))


def _add_gamma_beta(layer, shape):
    """The optional scale (gamma) and offset (beta) weights BatchNormalization and
    LayerNormalization share, with the layer's initializers, regularizers, constraints."""
    if layer.scale:
        layer.gamma = layer.add_weight(
            shape=shape,
            name="gamma",
            initializer=layer.gamma_initializer,
            regularizer=layer.gamma_regularizer,
            constraint=layer.gamma_constraint,
        )
    if layer.center:
        layer.beta = layer.add_weight(
            shape=shape,
            name="beta",
            initializer=layer.beta_initializer,
            regularizer=layer.beta_regularizer,
            constraint=layer.beta_constraint,
        )


class BatchNormalization(Layer):
    """Normalizes its input with batch statistics during training and with moving averages
    of them in inference: `gamma * (x - mean) / sqrt(var + epsilon) + beta`.

    During training the mean and variance come from the batch (over every axis but
    `axis`), and the moving averages are updated as
    `moving = moving * momentum + batch_value * (1 - momentum)`.

    Args:
        axis: The features axis, which keeps its own statistics (`-1` for channels
            last). Defaults to `-1`.
        momentum: The momentum of the moving averages. Defaults to `0.99`.
        epsilon: A small float added to the variance to avoid dividing by zero.
            Defaults to `0.001`.
        center: Whether to add the learned offset `beta`. Defaults to `True`.
        scale: Whether to multiply by the learned scale `gamma`. Defaults to `True`.
        beta_initializer: Initializer of the offset `beta`. Defaults to `"zeros"`.
        gamma_initializer: Initializer of the scale `gamma`. Defaults to `"ones"`.
        moving_mean_initializer: Initializer of the moving mean. Defaults to
            `"zeros"`.
        moving_variance_initializer: Initializer of the moving variance. Defaults to
            `"ones"`.
        beta_regularizer: Regularizer of `beta`. Defaults to `None`.
        gamma_regularizer: Regularizer of `gamma`. Defaults to `None`.
        beta_constraint: Constraint on `beta`. Defaults to `None`.
        gamma_constraint: Constraint on `gamma`. Defaults to `None`.
        synchronized: Accepted for Keras compatibility (statistics are per process).
            Defaults to `False`.
        renorm: Only `False` is supported.
        renorm_clipping: Only `None` is supported.
        renorm_momentum: Unused (no renormalization). Defaults to `0.99`.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.

    Limitations:
        Batch renormalization (`renorm`, `renorm_clipping`) raises `ValueError`.
    """

    _has_build_config = True

    def __init__(
        self,
        axis=-1,
        momentum=0.99,
        epsilon=1e-3,
        center=True,
        scale=True,
        beta_initializer="zeros",
        gamma_initializer="ones",
        moving_mean_initializer="zeros",
        moving_variance_initializer="ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        synchronized=False,
        renorm=False,
        renorm_clipping=None,
        renorm_momentum=0.99,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if renorm or renorm_clipping is not None:
            raise ValueError("kerasette's BatchNormalization does not support renorm")
        if isinstance(axis, (list, tuple)) and len(axis) == 1:
            axis = axis[0]  # kerasette also takes [axis] (Keras's LayerNormalization form)
        self.axis = int(axis)
        self.supports_masking = True
        self.momentum, self.epsilon = float(momentum), float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.synchronized, self.renorm = synchronized, renorm
        self.renorm_clipping, self.renorm_momentum = renorm_clipping, renorm_momentum
        self.gamma = self.beta = self.moving_mean = self.moving_variance = None

    def build(self, input_shape):
        axis = _feature_axis(self.axis, input_shape, self.name)
        shape = (input_shape[axis],)
        _add_gamma_beta(self, shape)
        self.moving_mean = self.add_weight(
            shape=shape,
            name="moving_mean",
            initializer=self.moving_mean_initializer,
            trainable=False,
            autocast=False,
        )
        self.moving_variance = self.add_weight(
            shape=shape,
            name="moving_variance",
            initializer=self.moving_variance_initializer,
            trainable=False,
            autocast=False,
        )

    def call(self, inputs, training=None, mask=None):
        if mask is not None and len(mask.shape) != len(inputs.shape) - 1:
            raise ValueError(
                "The mask provided should be one dimension less than the "
                f"inputs. Received: mask.shape={mask.shape}, "
                f"inputs.shape={inputs.shape}"
            )
        axis = self.axis % len(inputs.shape)
        reduction = [d for d in range(len(inputs.shape)) if d != axis]
        if training and self.trainable:
            mean, variance = self._moments(inputs, mask, reduction)
            m = self.momentum
            self.moving_mean.assign(
                ops.add(ops.multiply(self.moving_mean, m), ops.multiply(mean, 1.0 - m))
            )
            self.moving_variance.assign(
                ops.add(ops.multiply(self.moving_variance, m), ops.multiply(variance, 1.0 - m))
            )
        else:
            mean, variance = self.moving_mean, self.moving_variance
        return ops.batch_normalization(
            inputs,
            mean,
            variance,
            axis=axis,
            offset=self.beta,
            scale=self.gamma,
            epsilon=self.epsilon,
        )

    @staticmethod
    def _moments(inputs, mask, reduction):
        if mask is None:
            return ops.moments(inputs, axes=reduction)
        # Keras's masked moments: masked-out steps weigh nothing.
        keep = ops.broadcast_to(ops.expand_dims(ops.cast(mask, "bool"), -1), inputs.shape)
        weights = ops.sum(ops.cast(keep, inputs.dtype), reduction, keepdims=True)
        total = ops.sum(ops.where(keep, inputs, 0.0), reduction, keepdims=True)
        mean = ops.divide(total, ops.add(weights, _EPSILON))
        sq = ops.square(ops.where(keep, ops.subtract(inputs, mean), 0.0))
        variance = ops.divide(ops.sum(sq, reduction, keepdims=True), ops.add(weights, _EPSILON))
        return ops.squeeze(mean), ops.squeeze(variance)

    def compute_output_shape(self, input_shape):
        _feature_axes(self.axis, input_shape, self.name)
        return tuple(input_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer": initializers.serialize(self.moving_variance_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
            "synchronized": self.synchronized,
            "renorm": self.renorm,
            "renorm_clipping": self.renorm_clipping,
            "renorm_momentum": self.renorm_momentum,
        }
