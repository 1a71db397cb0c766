"""HashedCrossing inside a model: a cross of small categorical ids as a table lookup.

The graph computes in float32 and cannot run TensorFlow's 64-bit FingerprintCat64. When
every crossed input is the id output of a layer whose number of ids is known (an
IntegerLookup/StringLookup, Discretization or Hashing in "int" mode: keras.utils.
FeatureSpace's crosses), the cross of ids (a, b, ...) is table[a * |B| + b ...], the
table holding each combination's bin as `HashedCrossing.preprocess` computes it.
"""

import numpy as np

from .. import ops


def _cardinality(layer):
    """The number of ids a layer outputs in "int" mode, or None when unknown."""
    from .discretization import Discretization
    from .hashing import Hashing
    from .lookup import IntegerLookup, StringLookup

    if getattr(layer, "output_mode", None) != "int":
        return None
    if isinstance(layer, (IntegerLookup, StringLookup)) and not layer.invert:
        return int(layer.vocabulary_size())
    if isinstance(layer, Discretization):
        if layer.num_bins is not None:
            return int(layer.num_bins)
        return None if layer.bin_boundaries is None else len(layer.bin_boundaries) + 1
    if isinstance(layer, Hashing) and layer.mask_value is None:
        return int(layer.num_bins)
    return None


def _producer(x):
    rec = (getattr(x, "_keras_history", None) or (None,))[0]
    return getattr(rec, "layer", None)


def cross(layer, inputs):
    """The crossed bins of `inputs` (symbolic ids) by `layer` (a HashedCrossing)."""
    # The producers are known where the model is drawn (the inputs carry their history);
    # traced again for fit/predict the inputs are bare, so the first sight is kept.
    producers = [_producer(x) for x in inputs]
    if all(p is not None for p in producers):
        layer.__dict__["_ks_cross_sources"] = producers
    sources = layer.__dict__.get("_ks_cross_sources") or producers
    cards = [None if p is None else _cardinality(p) for p in sources]
    if len(inputs) < 2 or any(c is None for c in cards):
        raise ValueError(
            f"HashedCrossing '{layer.name}' inside a model: kerasette crosses the int ids "
            "of IntegerLookup, StringLookup, Discretization or Hashing layers (their "
            "number of ids is known) or string inputs; raw numbers cannot be hashed in "
            "the graph. Cross the arrays before the model (call the layer on them)."
        )
    if int(np.prod(cards)) > layer._MAX_TABLE:
        raise ValueError(
            f"HashedCrossing '{layer.name}': {' x '.join(map(str, cards))} id combinations "
            f"are too many to tabulate inside a model (at most {layer._MAX_TABLE})"
        )
    grid = np.indices(cards).reshape(len(cards), -1)
    table = layer.cross_bins([g.astype("int64") for g in grid]).astype("float32")
    flat = ops.zeros_like(ops.cast(inputs[0], "float32"))
    for x, card in zip(inputs, cards):  # the combination's mixed-radix index
        flat = ops.add(ops.multiply(flat, float(card)), ops.cast(x, "float32"))
    bins = ops.take(table, ops.cast(flat, "int32"))
    if layer.output_mode == "int":
        return bins
    from ._preprocessing import encode_ops

    return encode_ops(bins, "one_hot", layer.num_bins)
