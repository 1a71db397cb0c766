"""Keras's small array helpers: to_categorical, normalize."""

import numpy as np


def to_categorical(x, num_classes=None):
    """One-hot encodes integer class ids, as `keras.utils.to_categorical`."""
    x = np.asarray(x)
    if x.dtype.kind not in "iub" and not (x.dtype.kind == "f" and np.all(np.mod(x, 1) == 0)):
        raise ValueError(f"to_categorical expects integer class ids, got dtype {x.dtype}")
    x = x.astype("int64")
    input_shape = x.shape
    if input_shape and input_shape[-1] == 1 and len(input_shape) > 1:
        input_shape = input_shape[:-1]
    x = x.reshape(-1)
    if x.size and x.min() < 0:
        raise ValueError(f"to_categorical expects non-negative class ids, got {x.min()}")
    if num_classes is None:
        num_classes = int(x.max()) + 1 if x.size else 0
    elif x.size and x.max() >= num_classes:
        raise ValueError(
            f"to_categorical: class id {x.max()} is out of range for num_classes={num_classes}"
        )
    out = np.zeros((x.shape[0], num_classes), dtype="float32")
    out[np.arange(x.shape[0]), x] = 1.0
    return out.reshape(input_shape + (num_classes,))


def normalize(x, axis=-1, order=2):
    """Normalizes an array along `axis` by its `order`-norm (zero norms left as zeros)."""
    x = np.asarray(x, dtype="float32")
    norm = np.linalg.norm(x, ord=order, axis=axis, keepdims=True)
    return x / np.where(norm == 0, 1, norm)
