"""TruePositives/FalsePositives/TrueNegatives/FalseNegatives, Precision and Recall, as
Keras 3: weighted confusion counts per threshold in Variables (confusion_utils.py)."""

from .. import ops
from ..losses.reduction import divide_no_nan
from . import confusion_utils as cu
from .metric import Metric


class _ConfusionMatrixConditionCount(Metric):
    _condition = None

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.thresholds = cu.parse_thresholds(thresholds, 0.5)
        self._evenly = cu.is_evenly_distributed(self.thresholds)
        self.accumulator = self.add_variable(
            shape=(len(self.thresholds),), initializer="zeros", name="accumulator"
        )

    def update_state(self, y_true, y_pred, sample_weight=None):
        cu.update_confusion_matrix_variables(
            {self._condition: self.accumulator},
            y_true,
            y_pred,
            self.thresholds,
            sample_weight=sample_weight,
            thresholds_distributed_evenly=self._evenly,
        )

    def result(self):
        value = ops.multiply(self.accumulator, 1.0)  # a copy: eager results must not alias state
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConfusionMatrixConditionCount):
    """The (weighted) number of true positives, for binary labels and predicted
    probabilities.

    Args:
        thresholds: A float or a list of floats in `[0, 1]`: a prediction above a
            threshold counts as positive (one result per threshold); `None` means
            0.5. Defaults to `None`.
        name: The metric's name. Defaults to `None`.
        dtype: Only `None` or `"float32"`.
    """

    _condition = cu.TP


class FalsePositives(_ConfusionMatrixConditionCount):
    """The (weighted) number of false positives, for binary labels and predicted
    probabilities.

    Args:
        thresholds: A float or a list of floats in `[0, 1]`: a prediction above a
            threshold counts as positive (one result per threshold); `None` means
            0.5. Defaults to `None`.
        name: The metric's name. Defaults to `None`.
        dtype: Only `None` or `"float32"`.
    """

    _condition = cu.FP


class TrueNegatives(_ConfusionMatrixConditionCount):
    """The (weighted) number of true negatives, for binary labels and predicted
    probabilities.

    Args:
        thresholds: A float or a list of floats in `[0, 1]`: a prediction above a
            threshold counts as positive (one result per threshold); `None` means
            0.5. Defaults to `None`.
        name: The metric's name. Defaults to `None`.
        dtype: Only `None` or `"float32"`.
    """

    _condition = cu.TN


class FalseNegatives(_ConfusionMatrixConditionCount):
    """The (weighted) number of false negatives, for binary labels and predicted
    probabilities.

    Args:
        thresholds: A float or a list of floats in `[0, 1]`: a prediction above a
            threshold counts as positive (one result per threshold); `None` means
            0.5. Defaults to `None`.
        name: The metric's name. Defaults to `None`.
        dtype: Only `None` or `"float32"`.
    """

    _condition = cu.FN


class _PrecisionRecall(Metric):
    _second = None  # ("false_positives", cu.FP) for Precision, false negatives for Recall

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        default = 0.5 if top_k is None else cu.NEG_INF
        self.thresholds = cu.parse_thresholds(thresholds, default)
        self._evenly = cu.is_evenly_distributed(self.thresholds)
        n = len(self.thresholds)
        self.true_positives = self.add_variable(
            shape=(n,), initializer="zeros", name="true_positives"
        )
        attr, _ = self._second
        setattr(self, attr, self.add_variable(shape=(n,), initializer="zeros", name=attr))

    def update_state(self, y_true, y_pred, sample_weight=None):
        attr, cond = self._second
        cu.update_confusion_matrix_variables(
            {cu.TP: self.true_positives, cond: getattr(self, attr)},
            y_true,
            y_pred,
            self.thresholds,
            top_k=self.top_k,
            class_id=self.class_id,
            sample_weight=sample_weight,
            thresholds_distributed_evenly=self._evenly,
        )

    def result(self):
        other = getattr(self, self._second[0])
        value = divide_no_nan(self.true_positives, ops.add(self.true_positives, other))
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self):
        return {
            **super().get_config(),
            "thresholds": self.init_thresholds,
            "top_k": self.top_k,
            "class_id": self.class_id,
        }


class Precision(_PrecisionRecall):
    """Precision: the fraction of predicted positives that are positive, `true_positives /
    (true_positives + false_positives)`.

    ```python
    m = keras.metrics.Precision()
    m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    m.result()  # 0.6666667
    ```

    Args:
        thresholds: A float or a list of floats in `[0, 1]`: a prediction above a
            threshold counts as positive (one result per threshold); `None` means
            0.5. Defaults to `None`.
        top_k: Count only the `k` highest predictions of each sample as positive.
            Defaults to `None`.
        class_id: Compute the metric for this class only (one column of `y_pred`).
            Defaults to `None`.
        name: The metric's name. Defaults to `None`.
        dtype: Only `None` or `"float32"`.
    """

    _second = ("false_positives", cu.FP)


class Recall(_PrecisionRecall):
    """Recall: the fraction of positives that are predicted positive, `true_positives /
    (true_positives + false_negatives)`.

    ```python
    m = keras.metrics.Recall()
    m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    m.result()  # 0.6666667
    ```

    Args:
        thresholds: A float or a list of floats in `[0, 1]`: a prediction above a
            threshold counts as positive (one result per threshold); `None` means
            0.5. Defaults to `None`.
        top_k: Count only the `k` highest predictions of each sample as positive.
            Defaults to `None`.
        class_id: Compute the metric for this class only (one column of `y_pred`).
            Defaults to `None`.
        name: The metric's name. Defaults to `None`.
        dtype: Only `None` or `"float32"`.
    """

    _second = ("false_negatives", cu.FN)
