"""Regression metrics: per-sample means over the last axis, weighted Mean over samples."""
import numpy as np

from .accuracy import _match_ranks
from .metric import MeanMetricWrapper


def mean_squared_error(y_true, y_pred):
    y_true, y_pred = _match_ranks(y_true, y_pred)
    return np.mean(np.square(y_pred - y_true), axis=-1, dtype="float32")


def mean_absolute_error(y_true, y_pred):
    y_true, y_pred = _match_ranks(y_true, y_pred)
    return np.mean(np.abs(y_pred - y_true), axis=-1, dtype="float32")


class MeanSquaredError(MeanMetricWrapper):
    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(mean_squared_error, name=name, dtype=dtype)


class MeanAbsoluteError(MeanMetricWrapper):
    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(mean_absolute_error, name=name, dtype=dtype)
