"""`Activation`: applies an activation function (by Keras name or function)."""

from .. import activations
from .layer import Layer


class Activation(Layer):
    """Applies an activation function to its input.

    Args:
        activation: The activation function, a name (`"relu"`) or a function of one
            tensor.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.activation = activations.get(activation)
        self.built = True

    def call(self, inputs):
        return self.activation(inputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "activation": activations.serialize(self.activation)}
