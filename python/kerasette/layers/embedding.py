"""`Embedding`: integer ids (batch, ...) -> rows of `embeddings` (input_dim, output_dim)."""

import numpy as np

from .. import constraints, initializers, ops, regularizers
from .dense import _no_lora
from .layer import Layer


class Embedding(Layer):
    """Turns non-negative integer ids into dense vectors of a fixed size: row `i` of the
    `embeddings` matrix for id `i`.

    Args:
        input_dim: The vocabulary size: ids run from 0 to `input_dim - 1`.
        output_dim: The size of each vector.
        embeddings_initializer: Initializer of the `embeddings` matrix. Defaults to
            `"uniform"`.
        embeddings_regularizer: Regularizer of the `embeddings` matrix. Defaults to
            `None`.
        embeddings_constraint: Constraint on the `embeddings` matrix. Defaults to
            `None`.
        mask_zero: Whether id 0 is padding: the layer then outputs a mask that later
            layers (RNNs, losses) respect, and ids run up to `input_dim - 1` still.
            Defaults to `False`.
        weights: An initial value for the `embeddings` matrix (a list with one
            array). Defaults to `None`.
        lora_rank: Not supported: must be `None`.
        lora_alpha: Not supported: must be `None`.
        quantization_config: Not supported: must be `None`.
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.

    Input shape:
        `(batch_size, input_length)` integer ids.

    Output shape:
        `(batch_size, input_length, output_dim)`.

    Limitations:
        LoRA (`lora_rank`, `lora_alpha`) and `quantization_config` raise `ValueError`.
    """

    _has_build_config = True

    def __init__(
        self,
        input_dim,
        output_dim,
        embeddings_initializer="uniform",
        embeddings_regularizer=None,
        embeddings_constraint=None,
        mask_zero=False,
        weights=None,
        lora_rank=None,
        lora_alpha=None,
        quantization_config=None,
        **kwargs,
    ):
        # Keras 2's `input_length` (gone from Keras 3) declares the input shape when
        # this is the first layer, so Keras 2 scripts keep working.
        input_length = kwargs.pop("input_length", None)
        if input_length is not None and "input_shape" not in kwargs:
            kwargs["input_shape"] = (input_length,)
        super().__init__(**kwargs)
        for arg, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise ValueError(f"`{arg}` must be a positive integer. Received: {arg}={value}")
        _no_lora(lora_rank, lora_alpha, quantization_config, "Embedding")
        self.input_dim, self.output_dim = input_dim, output_dim
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero = bool(mask_zero)
        self.supports_masking = self.mask_zero
        self.embeddings = None
        if weights is not None:
            self.build()
            self.set_weights(weights if isinstance(weights, (list, tuple)) else [weights])

    def build(self, input_shape=None):
        if self.embeddings is not None:
            return
        self.embeddings = self.add_weight(
            shape=(self.input_dim, self.output_dim),
            name="embeddings",
            initializer=self.embeddings_initializer,
            regularizer=self.embeddings_regularizer,
            constraint=self.embeddings_constraint,
        )

    def call(self, inputs):
        if str(inputs.dtype) not in ("int32", "int64"):
            inputs = ops.cast(inputs, "int32")
        return ops.take(self.embeddings, inputs, axis=0)

    def compute_mask(self, inputs, mask=None):
        if not self.mask_zero:
            return None
        return ops.not_equal(inputs, 0)

    def _eager_call(self, *args, **kwargs):
        # Arrays are checked here (the traced gather would wrap negative ids silently).
        args = (self._prepare_input(args[0]),) + args[1:]
        return super()._eager_call(*args, **kwargs)

    def _prepare_input(self, x):
        x = super()._prepare_input(x)
        if x.dtype.kind == "f" and not np.all(np.mod(x, 1) == 0):
            raise ValueError(f'Layer "{self.name}" expects integer ids, got non-integer floats')
        if x.size and (x.min() < 0 or x.max() >= self.input_dim):
            raise ValueError(
                f'Layer "{self.name}": ids must be in [0, {self.input_dim}), '
                f"got values in [{x.min()}, {x.max()}]"
            )
        return x

    def _check_input_shape(self, shape):
        pass  # any (batch, ...) integer array

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self):
        return {
            **super().get_config(),
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
            "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "embeddings_constraint": constraints.serialize(self.embeddings_constraint),
            "mask_zero": self.mask_zero,
            "quantization_config": None,
        }
