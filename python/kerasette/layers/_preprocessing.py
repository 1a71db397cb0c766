"""Shared machinery of the preprocessing layers (lookup, text, hashing, discretization,
category encoding).

String handling happens in Python/numpy before the graph, as DenseFeatures does:
`preprocess(x)` turns raw data (strings, ints, floats; a one-entry dict too) into the
numeric array Keras's layer returns, and `layer(x)` on arrays returns that array as a
`kerasette.Tensor` (so `Dataset.map(lambda x, y: (layer(x), y))` works). On symbolic
inputs (inside a model) `call` runs in ops: the numeric layers (IntegerLookup,
CategoryEncoding, Discretization) compute their output from raw numbers in the graph;
the string layers (TextVectorization, StringLookup, Hashing, HashedCrossing) on string
inputs, and the hashing layers (`front_on_numbers`) on numeric model inputs, run
before the graph (models/string_front.py). `preprocess_arrays` says which layers need
their raw arrays sent through `preprocess` before the model (the data adapter reads it
for a model's first layer).
"""

import numpy as np

from .. import ops
from .layer import Layer

_DTYPE_POLICY = {
    "module": "keras",
    "class_name": "DTypePolicy",
    "config": {"name": None},
    "registered_name": None,
}


def dtype_policy(name):
    return dict(_DTYPE_POLICY, config={"name": name})


def policy_name(dtype):
    if isinstance(dtype, dict):
        return (dtype.get("config") or {}).get("name")
    return None if dtype is None else str(getattr(dtype, "name", dtype))


def to_numpy(x):
    """Any array-like (Tensor, list, pandas, a one-entry dict) as a numpy array."""
    if isinstance(x, dict):
        if len(x) != 1:
            raise ValueError(f"Expected one input, got a dict of {len(x)}: {sorted(x)}")
        x = next(iter(x.values()))
    if hasattr(x, "to_numpy") and not isinstance(x, np.ndarray):
        x = x.to_numpy()
    if hasattr(x, "numpy") and not isinstance(x, np.ndarray):
        x = x.numpy()
    return np.asarray(x)


def is_string_array(a):
    if a.dtype.kind in "SU":
        return True
    if a.dtype.kind == "O":
        flat = a.reshape(-1)
        return flat.size > 0 and isinstance(flat[0], (str, bytes))
    return False


def as_str_array(a, encoding="utf-8"):
    """Strings as a numpy object array of Python str (bytes decoded)."""
    flat = [v.decode(encoding) if isinstance(v, bytes) else str(v) for v in a.reshape(-1)]
    out = np.empty(len(flat), dtype=object)
    out[:] = flat
    return out.reshape(a.shape)


def bincount_rows(ids, depth, binary, weights=None, dtype="float32"):
    """Keras's dense_bincount over the last axis of a rank-1 or rank-2 array: rank 1
    counts into one (depth,) vector, rank 2 into (rows, depth). Ids outside [0, depth)
    are not counted."""
    ids = np.asarray(ids)
    squeeze = ids.ndim == 1
    ids2 = ids.reshape(1, -1) if squeeze else ids
    w = None if weights is None else np.asarray(weights, dtype="float64").reshape(ids2.shape)
    out = np.zeros((ids2.shape[0], depth), dtype="float64")
    valid = (ids2 >= 0) & (ids2 < depth)
    rows = np.nonzero(valid)[0]
    cols = ids2[valid].astype(np.int64)
    np.add.at(out, (rows, cols), 1.0 if w is None else w[valid])
    if binary:
        out = (out > 0).astype("float64")
    out = out.astype(dtype)
    return out[0] if squeeze else out


def encode_numpy(ids, output_mode, depth, dtype="float32", count_weights=None):
    """Keras's encode_categorical_inputs (TensorFlow path) in numpy."""
    ids = np.asarray(ids)
    if output_mode == "int":
        return ids.astype(dtype)
    original = ids.shape
    if ids.ndim == 0:
        ids = ids.reshape(1)
    if output_mode == "one_hot" and ids.shape[-1] != 1:
        ids = ids[..., None]
    if ids.ndim > 2:
        raise ValueError(
            "When output_mode is not `'int'`, maximum supported output rank is "
            f"2. Received output_mode {output_mode} and input shape "
            f"{original}, which would result in output rank {ids.ndim}."
        )
    return bincount_rows(ids, depth, output_mode in ("one_hot", "multi_hot"), count_weights, dtype)


def encode_ops(ids, output_mode, depth, count_weights=None, idf=None):
    """The same encoding in ops, on a symbolic batch: (B,) or (B, 1) ids give (B, depth)
    rows for one_hot; (B, M) ids give (B, depth) for multi_hot/count/tf_idf (a rank-1
    batch counts as (B, 1)). Ids outside [0, depth) give zeros."""
    if output_mode == "int":
        return ids
    ids = ops.cast(ids, "float32")
    if len(ids.shape) == 1:
        ids = ops.expand_dims(ids, -1)
    if len(ids.shape) > 2:
        raise ValueError(
            "When output_mode is not `'int'`, maximum supported output rank is "
            f"2. Received input shape {tuple(ids.shape)}."
        )
    valid = ops.logical_and(ops.greater_equal(ids, 0.0), ops.less(ids, float(depth)))
    safe = ops.cast(ops.where(valid, ids, 0.0), "int32")
    hot = ops.multiply(
        ops.one_hot(safe, depth), ops.expand_dims(ops.cast(valid, "float32"), -1)
    )  # (B, M, depth)
    if output_mode == "one_hot":
        return ops.sum(hot, axis=1) if ids.shape[1] == 1 else ops.max(hot, axis=1)
    if count_weights is not None:
        hot = ops.multiply(hot, ops.expand_dims(ops.cast(count_weights, "float32"), -1))
    if output_mode == "multi_hot":
        return ops.max(hot, axis=1)
    counts = ops.sum(hot, axis=1)
    if output_mode == "tf_idf":
        counts = ops.multiply(counts, np.asarray(idf, dtype="float32"))
    return counts


class PreprocessingLayer(Layer):
    """Base of the preprocessing layers: numpy on arrays, ops on symbolic inputs."""

    preprocess_arrays = False  # True: raw arrays must go through `preprocess` first
    # True: hashes numbers too, so on numeric model inputs it also runs before the graph
    front_on_numbers = False

    def _adapt_batches(self, batches, steps=None):
        """update_state on each batch of an iterable (the x of (x, y) pairs), at most
        `steps` of them: adapt's path for datasets and generators."""
        for i, batch in enumerate(batches):
            if steps is not None and i >= steps:
                break
            if isinstance(batch, tuple):
                batch = batch[0]
            self.update_state(batch)

    def __init__(self, name=None, dtype=None, **kwargs):
        kwargs.pop("autocast", None)
        self._dtype_name = policy_name(dtype)
        super().__init__(name=name, trainable=kwargs.pop("trainable", True), **kwargs)
        self.built = True

    def __call__(self, inputs=None, *args, **kwargs):
        from ..graph import tree
        from ..graph.trace import is_symbolic

        if inputs is None:
            inputs = kwargs.pop("inputs")
        leaves = tree.flatten(inputs)[0] if isinstance(inputs, (list, tuple)) else [inputs]
        if any(is_symbolic(x) for x in leaves):
            if self.__dict__.get("_called_shape") is None:  # Keras's build_config
                shapes = [tuple(x.shape) for x in leaves if is_symbolic(x)]
                self._called_shape = shapes[0] if len(shapes) == 1 else shapes
            return super().__call__(inputs, *args, **kwargs)
        kwargs.pop("training", None)
        from ..tensor import Tensor

        return Tensor(self.preprocess(inputs, *args, **kwargs))

    def preprocess(self, inputs):
        """Computes the layer's output from arrays with numpy (a subclass implements it).

        Calling the layer on arrays runs this; on symbolic tensors it runs `call`.

        Args:
            inputs: The input arrays.

        Returns:
            A numpy array.
        """
        raise NotImplementedError

    def call(self, inputs):
        """What reaches the graph is already this layer's output: pass it through. A
        front call (`runs_in_front`: a string input, or numbers this layer hashes) gets
        a new graph input, fed from `preprocess` before the graph
        (models/string_front.py)."""
        from ..graph import tree
        from ..graph.ir import Sym
        from ..models.string_front import front_output, runs_in_front

        syms = [x for x in tree.flatten(inputs)[0] if isinstance(x, Sym)]
        if runs_in_front(self, syms):
            return front_output(self, inputs)
        if getattr(self, "front_on_numbers", False):
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}) hashes raw values, which "
                "kerasette cannot do inside the graph: call it directly on an Input of "
                "the model you run (not of a model nested in it; it then runs before "
                "the graph), or on the arrays before the model"
            )
        return ops.cast(inputs, "float32")

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def _base_config(self, dtype_name):
        config = Layer.get_config(self)
        config["dtype"] = dtype_policy(dtype_name)
        return config

    def get_build_config(self):
        shape = self.__dict__.get("_called_shape") or self._build_input_shape  # Sequential
        return None if shape is None else {"input_shape": tuple(shape)}

    def build_from_config(self, config):
        return None
