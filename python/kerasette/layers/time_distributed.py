"""`TimeDistributed(layer)`: the layer applied to every time step of (B, T, ...) inputs,
as one call on (B*T, ...) (the time axis must be known)."""

from ..ops._reshape_sized import reshape_sized
from .layer import Layer


class TimeDistributed(Layer):
    """Applies a layer to every time step of its input independently: an input of shape
    `(batch, timesteps, ...)` goes through `layer` as `(batch * timesteps, ...)`.

    Args:
        layer: The layer to apply at each time step.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    def __init__(self, layer, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(layer, Layer):
            raise ValueError(
                "Please initialize `TimeDistributed` layer with a "
                f"`keras.layers.Layer` instance. Received: {layer}"
            )
        self.layer = layer
        self.supports_masking = True

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        if len(input_shape) < 3:
            raise ValueError(
                "`TimeDistributed` Layer should be passed an `input_shape` with "
                f"at least 3 dimensions, received: {input_shape}"
            )
        if not self.layer.built:
            self.layer.build((None,) + input_shape[2:])
            self.layer.built = True
        self.built = True

    def _check_input_shape(self, shape):
        pass

    def call(self, inputs, training=None, mask=None):
        inner = tuple(inputs.shape[2:])
        x = reshape_sized(
            inputs,
            (-1,) + tuple((0, i + 2) if d is None else d for i, d in enumerate(inner)),
            [inputs],
        )
        kwargs = {}
        import inspect

        params = inspect.signature(type(self.layer).call).parameters
        if "training" in params:
            kwargs["training"] = training
        y = self.layer(x, **kwargs)
        # (B*T, ...) -> (B, T, ...): T (and the inner layer's sizes) may be known only
        # at run time (Input((None, ...)))
        rest = tuple((1, i) if d is None else d for i, d in enumerate(y.shape) if i)
        return reshape_sized(y, (-1, (0, 1)) + rest, [inputs, y])

    def compute_mask(self, inputs, mask=None):
        return mask

    def compute_output_shape(self, input_shape):
        inner = self.layer.compute_output_shape((None,) + tuple(input_shape[2:]))
        return (input_shape[0], input_shape[1]) + tuple(inner[1:])

    def get_config(self):
        from . import serialize

        return {**super().get_config(), "layer": serialize(self.layer)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        from . import deserialize

        config = dict(config)
        layer = deserialize(config.pop("layer"), custom_objects=custom_objects)
        return cls(layer, **config)
