"""`Reshape`: reshapes the non-batch axes to `target_shape` (one entry may be -1)."""

import math

from .. import ops
from ..ops._reshape_sized import reshape_sized
from .layer import Layer


def _resolve(in_shape, target):
    """Keras's compute_reshape_output_shape: fills the one -1 and checks the size."""
    if any(d is None for d in in_shape):
        return tuple(None if d == -1 else d for d in target)
    total = math.prod(in_shape)
    unknown = [i for i, d in enumerate(target) if d == -1]
    known = math.prod(d for d in target if d != -1)
    if unknown:
        if known == 0 or total % known:
            raise ValueError(
                f"The total size of the tensor must be unchanged. Received: "
                f"input_shape={in_shape}, target_shape={target}"
            )
        out = list(target)
        out[unknown[0]] = total // known
        return tuple(out)
    if known != total:
        raise ValueError(
            f"The total size of the tensor must be unchanged. Received: "
            f"input_shape={in_shape}, target_shape={target}"
        )
    return tuple(target)


class Reshape(Layer):
    """Reshapes each sample to `target_shape` (the batch axis is kept).

    Args:
        target_shape: The new shape without the batch axis; one entry may be `-1`
            (inferred).
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        try:
            target_shape = tuple(int(d) for d in target_shape)
        except (TypeError, ValueError):
            raise ValueError(
                f"Reshape: target_shape must be a tuple of ints, got {target_shape!r}"
            ) from None
        if sum(d == -1 for d in target_shape) > 1 or any(d < -1 or d == 0 for d in target_shape):
            raise ValueError(
                "Reshape: target_shape may hold positive ints and at most one "
                f"-1, got {target_shape}"
            )
        self.target_shape = target_shape
        self.built = True

    def build(self, input_shape):
        if input_shape is not None:
            _resolve(tuple(input_shape[1:]), self.target_shape)  # fail early on bad sizes

    def _check_input_shape(self, shape):
        _resolve(tuple(shape[1:]), self.target_shape)

    def call(self, inputs):
        target = _resolve(tuple(inputs.shape[1:]), self.target_shape)
        if any(d is None for d in target):
            # the -1 follows a size known only at run time: the batch is the input's
            return reshape_sized(inputs, ((0, 0),) + self.target_shape, [inputs])
        return ops.reshape(inputs, (-1,) + target)  # the batch is the one unknown

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + _resolve(tuple(input_shape[1:]), self.target_shape)

    def get_config(self):
        return {**super().get_config(), "target_shape": self.target_shape}
