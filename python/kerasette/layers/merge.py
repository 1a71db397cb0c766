"""The elementwise merge layers (Keras's `Merge` family): Add, Subtract, Multiply,
Average, Maximum, Minimum, and their functional forms add(...), subtract(...), ...

A merge layer is called on a list of tensors; `build` receives a list of shapes.
Inputs of lower rank get size-1 axes inserted after the batch axis, then numpy
broadcasting applies (Keras's rule). Masks: the output mask is the OR of the inputs'
masks; Maximum, Minimum and Multiply also ignore masked-out entries as Keras does.
"""

from .. import ops
from .layer import Layer


def _elemwise_shape(shape1, shape2):
    """Keras's broadcast of two per-sample shapes (None: unknown)."""
    if shape1 is None or shape2 is None:
        return None
    if len(shape1) < len(shape2):
        return _elemwise_shape(shape2, shape1)
    if not shape2:
        return tuple(shape1)
    out = list(shape1[: -len(shape2)])
    for i, j in zip(shape1[-len(shape2) :], shape2):
        if i is None or j is None:
            out.append(None)
        elif i == 1:
            out.append(j)
        elif j == 1 or i == j:
            out.append(i)
        else:
            raise ValueError(
                f"Inputs have incompatible shapes. Received shapes {shape1} and {shape2}"
            )
    return tuple(out)


def _mask_of(x):
    return getattr(x, "_keras_mask", None)


class Merge(Layer):
    _has_build_config = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self._reshape_required = False

    def build(self, input_shape):
        if (
            not isinstance(input_shape, (list, tuple))
            or not input_shape
            or not isinstance(input_shape[0], (tuple, list))
        ):
            raise ValueError(
                "A merge layer should be called on a list of inputs. Received: "
                f"input_shape={input_shape} (not a list of shapes)"
            )
        batch_sizes = {s[0] for s in input_shape if s} - {None}
        if len(batch_sizes) > 1:
            raise ValueError(
                "Cannot merge tensors with different batch sizes. Received "
                f"tensors with shapes {input_shape}"
            )
        out = tuple(input_shape[0][1:])
        for shape in input_shape[1:]:
            out = _elemwise_shape(out, tuple(shape[1:]))
        self._reshape_required = len({len(s) for s in input_shape}) != 1

    def _merge_function(self, inputs):
        raise NotImplementedError

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError(
                "A merge layer should be called on a list of inputs. Received: "
                f"inputs={inputs} (not a list of tensors)"
            )
        if self._reshape_required:
            # lower-rank inputs get size-1 axes after the batch axis (Keras's rule)
            rank = max(len(x.shape) for x in inputs)
            expanded = []
            for x in inputs:
                mask = _mask_of(x)
                for _ in range(rank - len(x.shape)):
                    x = ops.expand_dims(x, 1)
                if mask is not None and _mask_of(x) is None:
                    x._keras_mask = mask
                expanded.append(x)
            inputs = expanded
        return self._merge_function(list(inputs))

    def _merge_with_mask(self, op, inputs):
        """Keras's _apply_merge_op_and_or_mask: masked-out entries never win."""
        output = output_mask = None
        for x in inputs:
            mask = _mask_of(x)
            if mask is not None:
                mask = ops.broadcast_to(ops.expand_dims(mask, -1), x.shape)
            if output is None:
                output, output_mask = x, mask
                continue
            if mask is not None:
                x = ops.where(mask, x, output)
            if output_mask is not None:
                output = ops.where(output_mask, output, x)
            if mask is not None and output_mask is not None:
                output_mask = ops.logical_or(output_mask, mask)
            else:
                output_mask = None
            output = op(output, x)
        if output_mask is not None and hasattr(output, "_keras_mask"):
            output._keras_mask = ops.any(output_mask, axis=-1, keepdims=False)
        return output

    def compute_output_shape(self, input_shape):
        out = tuple(input_shape[0][1:])
        for shape in input_shape[1:]:
            out = _elemwise_shape(out, tuple(shape[1:]))
        batch_sizes = {s[0] for s in input_shape if s is not None} - {None}
        batch = batch_sizes.pop() if len(batch_sizes) == 1 else None
        return (batch,) + out

    def _check_mask_lists(self, inputs, mask, received="Received: "):
        """Keras's checks of compute_mask's arguments (Concatenate words one without
        the colon, as Keras does)."""
        if not isinstance(mask, (tuple, list)):
            raise ValueError(f"`mask` should be a list. {received}mask={mask}")
        if not isinstance(inputs, (tuple, list)):
            raise ValueError(f"`inputs` should be a list. Received: inputs={inputs}")
        if len(mask) != len(inputs):
            raise ValueError(
                "The lists `inputs` and `mask` should have the same length. "
                f"Received: inputs={inputs} of length {len(inputs)}, and "
                f"mask={mask} of length {len(mask)}"
            )

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        self._check_mask_lists(inputs, mask)
        if any(m is None for m in mask):
            return None
        out = mask[0]
        for m in mask[1:]:
            out = ops.logical_or(out, m)
        return out


class Add(Merge):
    """Merges a list of inputs of the same shape into the sum.

    ```python
    x1 = keras.Input((8,))
    x2 = keras.Input((8,))
    y = keras.layers.Add()([x1, x2])   # shape (None, 8)
    ```

    Args:
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    def _merge_function(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = ops.add(out, x)
        return out


class Subtract(Merge):
    """Merges exactly two inputs of the same shape into the difference (first minus second).

    ```python
    x1 = keras.Input((8,))
    x2 = keras.Input((8,))
    y = keras.layers.Subtract()([x1, x2])   # shape (None, 8)
    ```

    Args:
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    def build(self, input_shape):
        super().build(input_shape)
        if len(input_shape) != 2:
            raise ValueError(
                "A `Subtract` layer should be called on exactly 2 inputs. "
                f"Received: input_shape={input_shape}"
            )

    def _merge_function(self, inputs):
        if len(inputs) != 2:
            raise ValueError(
                "A `Subtract` layer should be called on exactly 2 inputs. "
                f"Received: inputs={inputs}"
            )
        return ops.subtract(inputs[0], inputs[1])


class Multiply(Merge):
    """Merges a list of inputs of the same shape into the elementwise product.

    ```python
    x1 = keras.Input((8,))
    x2 = keras.Input((8,))
    y = keras.layers.Multiply()([x1, x2])   # shape (None, 8)
    ```

    Args:
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    def _merge_function(self, inputs):
        masks = [_mask_of(x) for x in inputs]
        all_masked = all(m is not None for m in masks)
        output = output_mask = None
        for x, mask in zip(inputs, masks):
            if mask is not None:  # a masked-out entry multiplies by 1
                mask = ops.broadcast_to(ops.expand_dims(mask, -1), x.shape)
                x = ops.where(mask, x, ops.ones_like(x))
                if all_masked:
                    output_mask = mask if output_mask is None else ops.logical_or(output_mask, mask)
            output = x if output is None else ops.multiply(output, x)
        if all_masked:
            output = ops.where(output_mask, output, ops.zeros_like(output))
            output._keras_mask = ops.any(output_mask, axis=-1, keepdims=False)
        return output


class Average(Merge):
    """Merges a list of inputs of the same shape into the elementwise mean.

    ```python
    x1 = keras.Input((8,))
    x2 = keras.Input((8,))
    y = keras.layers.Average()([x1, x2])   # shape (None, 8)
    ```

    Args:
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    def _merge_function(self, inputs):
        out = inputs[0]
        for x in inputs[1:]:
            out = ops.add(out, x)
        return ops.divide(out, float(len(inputs)))


class Maximum(Merge):
    """Merges a list of inputs of the same shape into the elementwise maximum.

    ```python
    x1 = keras.Input((8,))
    x2 = keras.Input((8,))
    y = keras.layers.Maximum()([x1, x2])   # shape (None, 8)
    ```

    Args:
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    def _merge_function(self, inputs):
        return self._merge_with_mask(ops.maximum, inputs)


class Minimum(Merge):
    """Merges a list of inputs of the same shape into the elementwise minimum.

    ```python
    x1 = keras.Input((8,))
    x2 = keras.Input((8,))
    y = keras.layers.Minimum()([x1, x2])   # shape (None, 8)
    ```

    Args:
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.
    """

    def _merge_function(self, inputs):
        return self._merge_with_mask(ops.minimum, inputs)


def add(inputs, **kwargs):
    """Functional interface to `Add`."""
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """Functional interface to `Subtract`."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """Functional interface to `Multiply`."""
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """Functional interface to `Average`."""
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    """Functional interface to `Maximum`."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """Functional interface to `Minimum`."""
    return Minimum(**kwargs)(inputs)
