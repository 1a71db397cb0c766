"""`Masking`: marks time steps whose features all equal `mask_value` as skipped (Keras)."""

from .. import ops
from .layer import Layer


class Masking(Layer):
    """Masks the time steps whose features all equal `mask_value`: later layers that
    support masks (RNNs, losses, metrics) skip them.

    Args:
        mask_value: The value that marks a padding step. Defaults to `0.0`.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        self.mask_value = mask_value
        self.supports_masking = True
        self.built = True

    def compute_mask(self, inputs, mask=None):
        return ops.any(ops.not_equal(inputs, self.mask_value), axis=-1)

    def call(self, inputs):
        keep = ops.any(ops.not_equal(inputs, self.mask_value), axis=-1, keepdims=True)
        out = inputs * ops.cast(keep, inputs.dtype)
        try:
            out._keras_mask = ops.squeeze(keep, axis=-1)
        except AttributeError:
            pass
        return out

    def _check_input_shape(self, shape):
        pass

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "mask_value": self.mask_value}
