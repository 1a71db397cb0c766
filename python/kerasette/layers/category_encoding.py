"""`CategoryEncoding`: integer ids to one_hot / multi_hot / count vectors of
`num_tokens` (Keras 3's), in ops inside a model and in numpy on arrays."""

from ._preprocessing import PreprocessingLayer, encode_numpy, encode_ops, to_numpy


class CategoryEncoding(PreprocessingLayer):
    """Encodes integer category ids as vectors: one-hot, multi-hot or counts.

    Args:
        num_tokens: The number of categories: ids run from 0 to `num_tokens - 1`.
            Defaults to `None`.
        output_mode: `"one_hot"`, `"multi_hot"` or `"count"`. Defaults to
            `"multi_hot"`.
        sparse: Only `False` is supported (kerasette has no sparse tensors).
        **kwargs: Base layer arguments: `name`, `dtype`, `trainable`, and
            `input_shape` for the first layer of a `Sequential` model.

    Limitations:
        `sparse=True` raises `ValueError` (kerasette has no sparse tensors).
    """

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode not in ("count", "one_hot", "multi_hot"):
            raise ValueError(f"Unknown arg for output_mode: {output_mode}")
        if num_tokens is None:
            raise ValueError(
                "num_tokens must be set to use this layer. If the number of "
                "tokens is not known beforehand, use the IntegerLookup layer "
                "instead."
            )
        if num_tokens < 1:
            raise ValueError(f"`num_tokens` must be >= 1. Received: num_tokens={num_tokens}.")
        if sparse:
            raise ValueError("kerasette has no sparse tensors: use sparse=False")
        self.num_tokens, self.output_mode, self.sparse = num_tokens, output_mode, sparse

    def preprocess(self, inputs, count_weights=None):
        a = to_numpy(inputs)
        if count_weights is not None:
            if self.output_mode != "count":
                raise ValueError(
                    "`count_weights` is not used when `output_mode` is not "
                    f"`'count'`. Received `count_weights={count_weights}`."
                )
            count_weights = to_numpy(count_weights)
        return encode_numpy(
            a, self.output_mode, self.num_tokens, dtype="float32", count_weights=count_weights
        )

    def call(self, inputs, count_weights=None):
        return encode_ops(inputs, self.output_mode, self.num_tokens, count_weights)

    def compute_output_shape(self, input_shape):
        input_shape = tuple(input_shape)
        if not input_shape:
            return (self.num_tokens,)
        if self.output_mode == "one_hot" and input_shape[-1] != 1:
            return input_shape + (self.num_tokens,)
        if self.output_mode == "one_hot" or len(input_shape) > 1:
            return input_shape[:-1] + (self.num_tokens,)
        return input_shape + (self.num_tokens,)

    def get_config(self):
        return {
            **self._base_config(self._dtype_name or "float32"),
            "num_tokens": self.num_tokens,
            "output_mode": self.output_mode,
        }
