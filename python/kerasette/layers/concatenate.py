"""`Concatenate(axis)` and `concatenate(inputs, axis)`: joins a list of tensors along
`axis` (Keras's shape checks and mask rule)."""

from .. import ops
from .merge import Merge


class Concatenate(Merge):
    """Concatenates a list of inputs along one axis; the other axes must match.

    Args:
        axis: The axis to concatenate along. Defaults to `-1`.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def build(self, input_shape):
        if (
            not isinstance(input_shape, (list, tuple))
            or len(input_shape) < 1
            or not isinstance(input_shape[0], (tuple, list))
        ):
            raise ValueError(
                "A `Concatenate` layer should be called on a list of at least 1 "
                f"input. Received: input_shape={input_shape}"
            )
        error = (
            "A `Concatenate` layer requires inputs with matching shapes except for the "
            f"concatenation axis. Received: input_shape={input_shape}"
        )
        ranks = {len(s) for s in input_shape}
        if len(ranks) != 1:
            raise ValueError(error)
        (rank,) = ranks
        axis = self.axis % rank
        for d in range(rank):
            if d == axis:
                continue
            known = {s[d] for s in input_shape if s[d] is not None}
            if len(known) > 1:
                raise ValueError(error)

    def _merge_function(self, inputs):
        return ops.concatenate(inputs, axis=self.axis)

    def compute_output_shape(self, input_shape):
        if not isinstance(input_shape, (tuple, list)) or not isinstance(
            input_shape[0], (tuple, list)
        ):
            raise ValueError(
                "A `Concatenate` layer should be called on a list of inputs. "
                f"Received: input_shape={input_shape}"
            )
        out = list(input_shape[0])
        for shape in input_shape[1:]:
            if out[self.axis] is None or shape[self.axis] is None:
                out[self.axis] = None
                break
            out[self.axis] += shape[self.axis]
        return tuple(out)

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        self._check_mask_lists(inputs, mask, received="Received ")
        if all(m is None for m in mask):
            return None
        masks = []
        for x, m in zip(inputs, mask):
            if m is None:
                masks.append(ops.ones_like(x, dtype="bool"))
            elif len(m.shape) < len(x.shape):
                masks.append(
                    ops.logical_or(ops.expand_dims(m, -1), ops.zeros_like(x, dtype="bool"))
                )
            else:
                masks.append(m)
        return ops.any(ops.concatenate(masks, axis=self.axis), axis=-1, keepdims=False)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


def concatenate(inputs, axis=-1, **kwargs):
    """Functional interface to `Concatenate`."""
    return Concatenate(axis=axis, **kwargs)(inputs)
