"""`Discretization`: bucket index of each value for the given or adapted boundaries
(index i where b[i-1] <= x < b[i]), optionally encoded (one_hot, multi_hot, count).

`adapt` follows Keras's approximate quantiles: each batch is summarized by about
1/epsilon sorted sample values with weights, summaries merge and are compressed by
interpolating their cumulative weights, and the final boundaries are the compressed
summary at num_bins evenly spaced quantiles (the last dropped).
In a model the bucketing runs in ops (a comparison with each boundary).
"""

import numpy as np

from .. import ops
from ._preprocessing import PreprocessingLayer, encode_numpy, encode_ops, to_numpy


def _summarize(values, epsilon):
    values = np.sort(np.reshape(values, [-1]))
    step = max(np.size(values) / (1.0 / epsilon), 1)
    picks = values[int(step - 1) :: int(step)]
    return np.stack([picks, np.ones_like(picks) * step])


def _compress(summary, epsilon):
    if summary.shape[1] * epsilon < 1:
        return summary
    percents = epsilon + np.arange(0.0, 1.0, epsilon)
    cum = summary[1].cumsum()
    bins = np.interp(percents, cum / cum[-1], summary[0])
    cum_at = np.interp(percents, cum / cum[-1], cum)
    weights = cum_at - np.concatenate(([0], cum_at[:-1]))
    return np.stack((bins, weights)).astype("float32")


def _merge(a, b, epsilon):
    merged = np.concatenate((a, b), axis=1)
    merged = np.take(merged, np.argsort(merged[0]), axis=1)
    return _compress(merged, epsilon)


class Discretization(PreprocessingLayer):
    """Buckets continuous values: the index of the bin each value falls in.

    Give the `bin_boundaries`, or a `num_bins` and `adapt` the layer to data
    (quantiles).

    ```python
    layer = keras.layers.Discretization(bin_boundaries=[0.0, 1.0])
    layer(np.array([[-0.5, 0.5, 2.0]]))  # [[0, 1, 2]]
    ```

    Args:
        bin_boundaries: The sorted boundaries of the bins (`[0., 1.]` gives three
            bins). Defaults to `None`.
        num_bins: The number of bins `adapt` computes. Defaults to `None`.
        epsilon: The error tolerance of the quantiles `adapt` computes. Defaults to
            `0.01`.
        output_mode: `"int"` (the bin index), `"one_hot"`, `"multi_hot"` or
            `"count"`. Defaults to `"int"`.
        sparse: Only `False` is supported (kerasette has no sparse tensors).
        dtype: Only `None` or `"float32"`.
        name: The layer's name. Defaults to an automatic one.

    Limitations:
        `sparse=True` raises `ValueError` (kerasette has no sparse tensors).
    """

    def __init__(
        self,
        bin_boundaries=None,
        num_bins=None,
        epsilon=0.01,
        output_mode="int",
        sparse=False,
        dtype=None,
        name=None,
    ):
        super().__init__(name=name, dtype=dtype)
        if sparse:
            raise ValueError("kerasette has no sparse tensors: use sparse=False")
        if output_mode not in ("int", "one_hot", "multi_hot", "count"):
            raise ValueError(
                "Invalid value for argument `output_mode`. Expected one of "
                "('int', 'one_hot', 'multi_hot', 'count'). Received: "
                f"output_mode={output_mode}"
            )
        if num_bins is not None and num_bins < 0:
            raise ValueError(
                f"`num_bins` must be greater than or equal to 0. Received: `num_bins={num_bins}`"
            )
        if num_bins is not None and bin_boundaries is not None:
            raise ValueError(
                "Both `num_bins` and `bin_boundaries` should not be set. "
                f"Received: `num_bins={num_bins}` and "
                f"`bin_boundaries={bin_boundaries}`"
            )
        if num_bins is None and bin_boundaries is None:
            raise ValueError("You need to set either `num_bins` or `bin_boundaries`.")
        self.bin_boundaries, self.num_bins = bin_boundaries, num_bins
        self.epsilon, self.output_mode, self.sparse = epsilon, output_mode, sparse
        self.summary = None if bin_boundaries else np.array([[], []], dtype="float32")

    @property
    def output_dtype(self):
        """The dtype of the output: `"int32"` for bin indices, `"float32"` for vectors."""
        return "int32" if self.output_mode == "int" else "float32"

    def adapt(self, data, steps=None):
        """Computes `num_bins` bin boundaries from the data's quantiles.

        Args:
            data: An array, a `Dataset` or a generator of batches.
            steps: The number of batches to read from a dataset or generator.
                Defaults to `None` (all).

        Raises:
            ValueError: If the layer was built with fixed `bin_boundaries`.
        """
        if self.num_bins is None:
            raise ValueError(
                "Cannot adapt a Discretization layer that has been initialized "
                "with `bin_boundaries`, use `num_bins` instead."
            )
        self.reset_state()
        if (
            isinstance(data, np.ndarray)
            or hasattr(data, "__array__")
            or not hasattr(data, "__iter__")
        ):
            self.update_state(data)
        else:
            self._adapt_batches(data, steps)
        self.finalize_state()

    def update_state(self, data):
        """Adds one batch to the quantile summary (a step of `adapt`).

        Args:
            data: A batch of values.
        """
        data = np.array(to_numpy(data)).astype("float32")
        self.summary = _merge(_summarize(data, self.epsilon), self.summary, self.epsilon)

    def finalize_state(self):
        """Sets the bin boundaries from the summary (the last step of `adapt`)."""
        if self.num_bins is None:
            return
        self.bin_boundaries = _compress(self.summary, 1.0 / self.num_bins)[0, :-1].tolist()
        self.__dict__.pop("_eager_fns", None)

    def reset_state(self):
        """Forgets the quantile summary gathered by `update_state`."""
        if self.num_bins is None:
            return
        self.summary = np.array([[], []], dtype="float32")

    def _check(self):
        if self.bin_boundaries is None:
            raise ValueError(
                "You need to either pass the `bin_boundaries` argument at "
                "construction time or call `adapt(dataset)` before you can "
                "start using the `Discretization` layer."
            )

    def preprocess(self, inputs):
        self._check()
        a = to_numpy(inputs).astype("float32")
        ids = np.digitize(a, np.asarray(self.bin_boundaries, dtype="float32")).astype("int32")
        return encode_numpy(
            ids, self.output_mode, len(self.bin_boundaries) + 1, dtype=self.output_dtype
        )

    def call(self, inputs):
        self._check()
        x = ops.cast(inputs, "float32")
        b = np.asarray(self.bin_boundaries, dtype="float32")
        if b.size:
            ids = ops.sum(
                ops.cast(ops.greater_equal(ops.expand_dims(x, -1), b), "float32"), axis=-1
            )
        else:
            ids = ops.zeros_like(x)
        return encode_ops(ids, self.output_mode, len(self.bin_boundaries) + 1)

    def compute_output_shape(self, input_shape):
        if self.output_mode == "int":
            return tuple(input_shape)
        depth = len(self.bin_boundaries) + 1 if self.bin_boundaries is not None else self.num_bins
        if self.output_mode == "one_hot":
            if input_shape and input_shape[-1] == 1 and len(input_shape) > 1:
                return tuple(input_shape[:-1]) + (depth,)
            return tuple(input_shape) + (depth,)
        if input_shape and len(input_shape) >= 2:
            return (input_shape[0],) + tuple(input_shape[2:]) + (depth,)
        return (depth,)

    def get_config(self):
        return {
            "bin_boundaries": self.bin_boundaries,
            "num_bins": self.num_bins,
            "epsilon": self.epsilon,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
            "name": self.name,
            "dtype": self._dtype_name or "float32",
        }  # a plain string, as Keras

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if config.get("bin_boundaries") is not None and config.get("num_bins") is not None:
            boundaries = config.pop("bin_boundaries")
            layer = cls(**config)
            layer.bin_boundaries = boundaries
            return layer
        return cls(**config)
