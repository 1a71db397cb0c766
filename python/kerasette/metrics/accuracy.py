"""Accuracy metrics (per-sample functions wrapped in a weighted Mean), as Keras 3."""
import numpy as np

from .metric import MeanMetricWrapper


def _match_ranks(y_true, y_pred):
    if y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    elif y_pred.ndim == y_true.ndim + 1 and y_pred.shape[-1] == 1:
        y_pred = y_pred[..., 0]
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true and y_pred must have the same shape; got {y_true.shape} and "
                         f"{y_pred.shape}")
    return y_true, y_pred


def accuracy(y_true, y_pred):
    y_true, y_pred = _match_ranks(y_true, y_pred)
    return (y_true == y_pred).astype("float32")


def binary_accuracy(y_true, y_pred, threshold=0.5):
    y_true, y_pred = _match_ranks(y_true, y_pred)
    pred = (y_pred > threshold).astype("float32")
    return np.mean(y_true == pred, axis=-1, dtype="float32") if y_pred.ndim else \
        np.float32(y_true == pred)


def categorical_accuracy(y_true, y_pred):
    if y_true.shape != y_pred.shape:
        raise ValueError(f"categorical accuracy needs one-hot y_true of y_pred's shape "
                         f"{y_pred.shape}; got {y_true.shape}")
    return (np.argmax(y_true, axis=-1) == np.argmax(y_pred, axis=-1)).astype("float32")


def _sparse_labels(y_true, y_pred):
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    if y_true.shape != y_pred.shape[:-1]:
        raise ValueError(f"sparse labels must have shape {y_pred.shape[:-1]} for y_pred "
                         f"{y_pred.shape}; got {y_true.shape}")
    return y_true


def sparse_categorical_accuracy(y_true, y_pred):
    y_true = _sparse_labels(y_true, y_pred)
    return (y_true == np.argmax(y_pred, axis=-1)).astype("float32")


def _in_top_k(pred, target_idx, k):
    """TensorFlow's in_top_k: the target's score beats all but fewer than k others."""
    target = np.take_along_axis(pred, target_idx[..., None].astype("int64"), axis=-1)
    better = np.sum(pred > target, axis=-1)
    return (better < k).astype("float32")


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    return _in_top_k(y_pred, np.argmax(y_true, axis=-1), k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5):
    return _in_top_k(y_pred, _sparse_labels(y_true, y_pred), k)


class Accuracy(MeanMetricWrapper):
    def __init__(self, name="accuracy", dtype=None):
        super().__init__(accuracy, name=name, dtype=dtype)


class BinaryAccuracy(MeanMetricWrapper):
    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold


class CategoricalAccuracy(MeanMetricWrapper):
    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(categorical_accuracy, name=name, dtype=dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(sparse_categorical_accuracy, name=name, dtype=dtype)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None):
        super().__init__(sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k
