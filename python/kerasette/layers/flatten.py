"""`Flatten`: (batch, d1, d2, ...) -> (batch, d1*d2*...)."""

import math

from .. import ops
from ._built_on_call import BuiltOnCall
from .layer import Layer


class Flatten(BuiltOnCall, Layer):
    """Flattens each sample to one axis: `(batch, d1, d2, ...)` becomes `(batch, d1 * d2 * ...)`.

    Args:
        data_format: `"channels_last"` or `None`. Defaults to `None`.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.

    Limitations:
        `data_format="channels_first"` raises `ValueError`.
    """

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        data_format = data_format or "channels_last"
        if data_format not in ("channels_last", "channels_first"):
            raise ValueError(
                "The `data_format` argument must be one of {'channels_first', "
                f"'channels_last'}}. Received: data_format={data_format}"
            )
        if data_format == "channels_first":
            raise ValueError("kerasette's Flatten supports data_format='channels_last' only")
        self.data_format = data_format

    def call(self, inputs):
        rest = tuple(inputs.shape[1:])
        # the batch stays -1 (known only at run time); a rank-1 input becomes (batch, 1)
        flat = -1 if any(d is None for d in rest) else math.prod(rest)
        if flat == -1:
            raise ValueError(
                f'Layer "{self.name}" needs known non-batch dimensions; got '
                f"input shape {tuple(inputs.shape)}"
            )
        return ops.reshape(inputs, (-1, flat))

    def compute_output_shape(self, input_shape):
        rest = input_shape[1:]
        return (input_shape[0], None if any(d is None for d in rest) else math.prod(rest))

    def get_config(self):
        return {**super().get_config(), "data_format": self.data_format}
