"""`Dot(axes, normalize)` and `dot(inputs, axes)`: per-sample dot products of two
tensors along the given axes (Keras's batch_dot), optionally of L2-normalized inputs
(cosine proximity)."""

from .. import ops
from .merge import Merge

_EPSILON = 1e-7  # Keras's backend.epsilon() in ops.normalize


def _l2_normalize(x, axis):
    """Keras's ops.normalize(order=2): x * min(rsqrt(sum(x^2)), 1/epsilon)."""
    inv = ops.rsqrt(ops.sum(ops.square(x), axis=axis, keepdims=True))
    return ops.multiply(x, ops.minimum(inv, 1.0 / _EPSILON))


def batch_dot(x, y, axes):
    """Keras's batch_dot for rank >= 2 inputs and one contracted axis each."""
    x_ndim, y_ndim = len(x.shape), len(y.shape)
    a0, a1 = axes
    orig_x, orig_y = x_ndim, y_ndim
    if x_ndim == 2:
        x, a0, x_ndim = ops.expand_dims(x, 1), a0 + 1, 3
    if y_ndim == 2:
        y, y_ndim = ops.expand_dims(y, 2), 3
    if a0 != x_ndim - 1:  # contracted axis of x last
        x = ops.transpose(x, [d for d in range(x_ndim) if d != a0] + [a0])
    if a1 != 1:  # contracted axis of y right after the batch
        y = ops.transpose(y, [0, a1] + [d for d in range(1, y_ndim) if d != a1])
    x_mid, y_tail = tuple(x.shape[1:-1]), tuple(y.shape[2:])
    if x_ndim > 3:
        x = ops.reshape(x, (-1, _prod(x_mid), x.shape[-1]))
    if y_ndim > 3:
        y = ops.reshape(y, (-1, y.shape[1], _prod(y_tail)))
    out = ops.matmul(x, y)
    if x_ndim > 3 or y_ndim > 3:
        out = ops.reshape(out, (-1,) + x_mid + y_tail)
    if orig_x == 2:
        out = ops.squeeze(out, 1)
    elif orig_y == 2:
        out = ops.squeeze(out, -1)
    return out


def _prod(dims):
    total = 1
    for d in dims:
        total *= d
    return total


class Dot(Merge):
    """The dot product of two inputs along the given axes (a batched `tensordot`).

    Args:
        axes: An int or a pair of ints: the axis (of each input) summed over; the
            batch axis is never summed.
        normalize: Whether to L2-normalize both inputs along `axes` first, which
            makes the result their cosine similarity. Defaults to `False`.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axes, int):
            if not isinstance(axes, (list, tuple)):
                raise TypeError(
                    "Invalid type for argument `axes`: it should be a list or an "
                    f"int. Received: axes={axes}"
                )
            if len(axes) != 2:
                raise ValueError(
                    "Invalid format for argument `axes`: it should contain two "
                    f"elements. Received: axes={axes}"
                )
            if not isinstance(axes[0], int) or not isinstance(axes[1], int):
                raise ValueError(
                    "Invalid format for argument `axes`: list elements should "
                    f"be integers. Received: axes={axes}"
                )
        self.axes = axes
        self.normalize = normalize

    def _axes_for(self, shape1, shape2):
        if isinstance(self.axes, int):
            if self.axes < 0:
                return [self.axes % len(shape1), self.axes % len(shape2)]
            return [self.axes] * 2
        return [a % len(s) if a < 0 else a for a, s in zip(self.axes, (shape1, shape2))]

    def build(self, input_shape):
        if not isinstance(input_shape[0], (tuple, list)) or len(input_shape) != 2:
            raise ValueError(
                "A `Dot` layer should be called on a list of 2 inputs. "
                f"Received: input_shape={input_shape}"
            )
        shape1, shape2 = input_shape
        axes = self._axes_for(shape1, shape2)
        if shape1[axes[0]] != shape2[axes[1]]:
            raise ValueError(
                f"Incompatible input shapes: axis values {shape1[axes[0]]} (at "
                f"axis {axes[0]}) != {shape2[axes[1]]} (at axis {axes[1]}). "
                f"Full input shapes: {shape1}, {shape2}"
            )

    def _merge_function(self, inputs):
        if len(inputs) != 2:
            raise ValueError(
                f"A `Dot` layer should be called on exactly 2 inputs. Received: inputs={inputs}"
            )
        x1, x2 = inputs
        axes = self._axes_for(x1.shape, x2.shape)
        if 0 in axes:
            raise ValueError(
                "Cannot perform batch_dot over axis 0. If your inputs are not "
                "batched, add a dummy batch dimension to your inputs using "
                "keras.ops.expand_dims(x, 0)"
            )
        if self.normalize:
            x1, x2 = _l2_normalize(x1, axes[0]), _l2_normalize(x2, axes[1])
        return batch_dot(x1, x2, axes)

    def compute_output_shape(self, input_shape):
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 2:
            raise ValueError(
                "A `Dot` layer should be called on a list of 2 inputs. "
                f"Received: input_shape={input_shape}"
            )
        shape1, shape2 = list(input_shape[0]), list(input_shape[1])
        axes = self._axes_for(shape1, shape2)
        shape1.pop(axes[0])
        shape2.pop(axes[1])
        shape2.pop(0)
        out = shape1 + shape2
        return tuple(out + [1] if len(out) == 1 else out)

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self):
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def dot(inputs, axes=-1, **kwargs):
    """Functional interface to `Dot`."""
    return Dot(axes=axes, **kwargs)(inputs)
