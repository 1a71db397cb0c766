"""`BatchNormalization`: batch statistics in training (and moving averages updated with
`momentum`), moving statistics in inference; Keras's weights gamma, beta,
moving_mean, moving_variance over the feature axis."""
from .. import constraints, initializers, regularizers
from .layer import Layer


def _feature_axis(axis, input_shape, name):
    ndim = len(input_shape)
    if isinstance(axis, (list, tuple)):
        if len(axis) != 1:
            raise ValueError(f'Layer "{name}": kerasette normalizes over one axis, got axis={axis}')
        axis = axis[0]
    if not -ndim <= axis < ndim:
        raise ValueError(f'Layer "{name}": axis {axis} is out of range for input shape '
                         f"{tuple(input_shape)}")
    axis = axis % ndim
    if axis != ndim - 1:
        raise ValueError(f'Layer "{name}": kerasette supports the last axis only (axis=-1); '
                         f"got axis={axis} for input shape {tuple(input_shape)}")
    if input_shape[axis] is None:
        raise ValueError(f'Layer "{name}": axis {axis} of input shape {tuple(input_shape)} '
                         "must be known")
    return axis


def _add_gamma_beta(layer, shape):
    """The optional scale (gamma) and offset (beta) weights BatchNormalization and
    LayerNormalization share, with the layer's initializers, regularizers, constraints."""
    if layer.scale:
        layer.gamma = layer.add_weight(shape=shape, name="gamma",
                                       initializer=layer.gamma_initializer,
                                       regularizer=layer.gamma_regularizer,
                                       constraint=layer.gamma_constraint)
    if layer.center:
        layer.beta = layer.add_weight(shape=shape, name="beta",
                                      initializer=layer.beta_initializer,
                                      regularizer=layer.beta_regularizer,
                                      constraint=layer.beta_constraint)


class BatchNormalization(Layer):
    _has_build_config = True

    def __init__(self, axis=-1, momentum=0.99, epsilon=1e-3, center=True, scale=True,
                 beta_initializer="zeros", gamma_initializer="ones",
                 moving_mean_initializer="zeros", moving_variance_initializer="ones",
                 beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                 gamma_constraint=None, synchronized=False, renorm=False,
                 renorm_clipping=None, renorm_momentum=0.99, **kwargs):
        super().__init__(**kwargs)
        if renorm or renorm_clipping is not None:
            raise ValueError("kerasette's BatchNormalization does not support renorm")
        self.axis = int(axis)
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
        self.moving_mean = self.add_weight(shape=shape, name="moving_mean",
                                           initializer=self.moving_mean_initializer,
                                           trainable=False)
        self.moving_variance = self.add_weight(shape=shape, name="moving_variance",
                                               initializer=self.moving_variance_initializer,
                                               trainable=False)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum,
                "epsilon": self.epsilon, "center": self.center, "scale": self.scale,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
                "moving_variance_initializer":
                    initializers.serialize(self.moving_variance_initializer),
                "beta_regularizer": regularizers.serialize(self.beta_regularizer),
                "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
                "beta_constraint": constraints.serialize(self.beta_constraint),
                "gamma_constraint": constraints.serialize(self.gamma_constraint),
                "synchronized": self.synchronized, "renorm": self.renorm,
                "renorm_clipping": self.renorm_clipping,
                "renorm_momentum": self.renorm_momentum}
