"""`Activation`: applies an activation function (by Keras name or function)."""
from .. import activations
from .layer import Layer


class Activation(Layer):
    def __init__(self, activation, **kwargs):
        super().__init__(**kwargs)
        self.activation = activations.get(activation)
        self.built = True

    def get_config(self):
        return {**super().get_config(), "activation": activations.serialize(self.activation)}
