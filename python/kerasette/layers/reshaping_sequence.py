"""`RepeatVector` (B, F) -> (B, n, F) and `Permute` (reorders the non-batch axes)."""

from .. import ops
from ._built_on_call import BuiltOnCall
from .layer import Layer


class RepeatVector(BuiltOnCall, Layer):
    """Repeats its 2D input `n` times: `(batch, features)` becomes `(batch, n, features)`.

    Args:
        n: The number of repeats.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(n, int) or isinstance(n, bool):
            raise TypeError(f"Expected an integer value for `n`, got {type(n)}.")
        self.n = n

    def call(self, inputs):
        if len(inputs.shape) != 2:
            raise ValueError(
                f'Layer "{self.name}" expects rank-2 inputs (batch, features), '
                f"got shape {tuple(inputs.shape)}"
            )
        return ops.repeat(ops.expand_dims(inputs, 1), self.n, axis=1)

    def _check_input_shape(self, shape):
        pass

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n, input_shape[1])

    def get_config(self):
        return {**super().get_config(), "n": self.n}


class Permute(BuiltOnCall, Layer):
    """Permutes the axes of each sample (the batch axis stays first).

    Args:
        dims: The new order of the axes, numbered from 1 (`(2, 1)` swaps the two
            axes of a 2D sample).
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    def __init__(self, dims, **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(
                "Invalid permutation argument `dims` for Permute Layer. The set "
                "of indices in `dims` must be consecutive and start from 1. "
                f"Received dims={dims}"
            )
        self.supports_masking = True

    def call(self, inputs):
        return ops.transpose(inputs, (0,) + self.dims)

    def _check_input_shape(self, shape):
        pass

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + tuple(input_shape[d] for d in self.dims)

    def get_config(self):
        return {**super().get_config(), "dims": self.dims}
