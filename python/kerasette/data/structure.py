"""Nested element structures (arrays, tuples, dicts) as tf.data sees them."""

import numpy as np

__all__ = ["map_structure", "flatten", "pack_as", "leaf_count"]


def map_structure(fn, *structs):
    first = structs[0]
    if isinstance(first, tuple):
        return tuple(map_structure(fn, *parts) for parts in zip(*structs))
    if isinstance(first, dict):
        return {k: map_structure(fn, *(s[k] for s in structs)) for k in first}
    return fn(*structs)


def flatten(struct):
    if isinstance(struct, tuple):
        return [leaf for part in struct for leaf in flatten(part)]
    if isinstance(struct, dict):
        return [leaf for k in struct for leaf in flatten(struct[k])]
    return [struct]


def pack_as(template, leaves):
    it = iter(leaves)

    def take(_):
        return next(it)

    return map_structure(take, template)


def leaf_count(struct):
    return len(flatten(struct))


def normalize(tensors):
    """Inputs of from_tensor_slices: lists of arrays become tuples (as tf.data does for
    a tuple), DataFrames become dicts of columns, leaves become numpy arrays."""
    if hasattr(tensors, "columns") and hasattr(tensors, "to_numpy"):
        return {str(c): tensors[c].to_numpy() for c in tensors.columns}
    if hasattr(tensors, "to_numpy") and not isinstance(tensors, np.ndarray):
        return tensors.to_numpy()
    if isinstance(tensors, tuple):
        return tuple(normalize(t) for t in tensors)
    if isinstance(tensors, dict):
        return {k: normalize(v) for k, v in tensors.items()}
    return np.asarray(tensors)
